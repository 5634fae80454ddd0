//! Static keys from the shared files `~/.aws/credentials` and `~/.aws/config`.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::{
    Credentials, CredentialsError, CredentialsFuture, ProvideCredentials, ProviderContext,
};
use crate::env::Env;

const ACCESS_KEY_ID: &str = "aws_access_key_id";
const SECRET_ACCESS_KEY: &str = "aws_secret_access_key";
const SESSION_TOKEN: &str = "aws_session_token";
const ACCOUNT_ID: &str = "aws_account_id";
const CREDENTIAL_PROCESS: &str = "credential_process";

/// Profile keys of sources that need STS or SSO, in the order they are
/// looked for, with what they need: until this project's STS and SSO
/// clients land, a profile that sets one fails with a "not supported yet"
/// error naming the key, rather than falling through to another source.
const PENDING: &[(&str, &str)] = &[
    ("role_arn", "STS AssumeRole"),
    ("web_identity_token_file", "STS AssumeRoleWithWebIdentity"),
    ("sso_session", "SSO GetRoleCredentials"),
    ("sso_start_url", "SSO GetRoleCredentials"),
    ("sso_account_id", "SSO GetRoleCredentials"),
];

/// What a profile provides.
enum Source {
    Static(Credentials),
    /// `credential_process`: the command, and the profile and file, for errors.
    Process(String, String),
}

/// Credentials from a profile of the shared files, as the AWS CLI writes
/// them.
///
/// - The profile is the one set with [`Self::profile`], else `AWS_PROFILE`,
///   else `default`.
/// - The files are the ones set with [`Self::credentials_file`] and
///   [`Self::config_file`], else `AWS_SHARED_CREDENTIALS_FILE` and
///   `AWS_CONFIG_FILE`, else `~/.aws/credentials` and `~/.aws/config`
///   (`~` is `HOME`, or `USERPROFILE` on Windows). A missing file counts as
///   empty.
/// - A profile is the section `[name]` of the credentials file, or
///   `[profile name]` of the config file (`[default]` there too). If the
///   credentials file's section has `aws_access_key_id`, it provides the keys
///   and the optional `aws_session_token` and `aws_account_id`; otherwise the
///   config file's does.
/// - Lines are `[section]`, `name = value` (whitespace around `=` does not
///   matter, names are case-insensitive) or comments starting with `#` or
///   `;`. Indented lines after a property without a value are its nested
///   settings (`s3 =` then `  addressing_style = path`), which are skipped.
///   Anything else is an error naming the file and line, never the line's
///   text, which may hold a secret.
///
/// What the profile provides, first found first (the order of aws-sdk-rust;
/// keys are looked for in the credentials file's section, then the config
/// file's):
///
/// 1. `role_arn` (with `source_profile` or `credential_source`),
///    `web_identity_token_file`, `sso_session` / `sso_start_url` /
///    `sso_account_id`: these need STS or SSO, which are not supported yet:
///    an error naming the profile, the file and the key;
/// 2. `credential_process`: a command that prints credentials JSON (see the
///    README), run at each fetch;
/// 3. static keys, as above.
///
/// The files are read on every call; [`DefaultCredentialsChain`] caches
/// what it found.
///
/// [`DefaultCredentialsChain`]: super::DefaultCredentialsChain
#[derive(Clone, Debug)]
pub struct ProfileCredentials {
    env: Env,
    profile: Option<String>,
    credentials_file: Option<PathBuf>,
    config_file: Option<PathBuf>,
}

impl Default for ProfileCredentials {
    fn default() -> Self {
        Self::new()
    }
}

impl ProfileCredentials {
    /// Reads the profile and file locations from the process environment.
    pub fn new() -> Self {
        Self::with_env(Env::process())
    }

    /// Reads the profile and file locations from `env`.
    pub fn with_env(env: Env) -> Self {
        Self {
            env,
            profile: None,
            credentials_file: None,
            config_file: None,
        }
    }

    /// Uses profile `name`, whatever `AWS_PROFILE` says.
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    /// Reads the credentials file at `path`.
    pub fn credentials_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.credentials_file = Some(path.into());
        self
    }

    /// Reads the config file at `path`.
    pub fn config_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.config_file = Some(path.into());
        self
    }

    fn home(&self) -> Option<PathBuf> {
        self.env
            .get("HOME")
            .or_else(|| self.env.get("USERPROFILE"))
            .map(PathBuf::from)
    }

    fn path(&self, explicit: Option<&PathBuf>, var: &str, file_name: &str) -> Option<PathBuf> {
        if let Some(path) = explicit {
            return Some(path.clone());
        }
        let home = self.home();
        if let Some(path) = self.env.get(var) {
            let expanded = match (path.strip_prefix('~'), &home) {
                (Some(""), Some(home)) => home.clone(),
                (Some(rest), Some(home)) if rest.starts_with(['/', '\\']) => home.join(&rest[1..]),
                _ => PathBuf::from(path),
            };
            return Some(expanded);
        }
        home.map(|home| home.join(".aws").join(file_name))
    }
}

impl ProfileCredentials {
    /// The value of `key` in the profile's section of the config file
    /// (`~/.aws/config`, or `AWS_CONFIG_FILE`), if the file and the key are
    /// there; a file that cannot be read or parsed gives `None` here (the
    /// credentials it should hold fail with the reason when they are asked for).
    pub(crate) fn config_value(&self, key: &str) -> Option<String> {
        let name = self
            .profile
            .clone()
            .or_else(|| self.env.get("AWS_PROFILE"))
            .unwrap_or_else(|| "default".to_owned());
        let path = self.path(self.config_file.as_ref(), "AWS_CONFIG_FILE", "config")?;
        let file = load(Some(&path)).ok()??;
        let section = file
            .get(&format!("profile {name}"))
            .or_else(|| (name == "default").then(|| file.get("default")).flatten())?;
        section.get(key).cloned()
    }

    /// The value of `key` in section `[section]` of the config file
    /// (`services NAME`, whose nested keys read `service.key`).
    pub(crate) fn config_section_value(&self, section: &str, key: &str) -> Option<String> {
        let path = self.path(self.config_file.as_ref(), "AWS_CONFIG_FILE", "config")?;
        let file = load(Some(&path)).ok()??;
        file.get(section)?.get(key).cloned()
    }
}

impl ProvideCredentials for ProfileCredentials {
    fn provide_credentials<'a>(&'a self, _cx: &'a ProviderContext) -> CredentialsFuture<'a> {
        Box::pin(async move {
            match self.resolve()? {
                Source::Static(credentials) => Ok(credentials),
                Source::Process(command, at) => super::process::run(command, at).await,
            }
        })
    }
}

impl ProfileCredentials {
    fn resolve(&self) -> Result<Source, CredentialsError> {
        let name = self
            .profile
            .clone()
            .or_else(|| self.env.get("AWS_PROFILE"))
            .unwrap_or_else(|| "default".to_owned());
        let credentials_path = self.path(
            self.credentials_file.as_ref(),
            "AWS_SHARED_CREDENTIALS_FILE",
            "credentials",
        );
        let config_path = self.path(self.config_file.as_ref(), "AWS_CONFIG_FILE", "config");
        let credentials_file = load(credentials_path.as_deref())?;
        let config_file = load(config_path.as_deref())?;

        let config_section_names = [format!("profile {name}"), name.clone()];
        let config_names = if name == "default" {
            &config_section_names[..]
        } else {
            &config_section_names[..1]
        };
        let candidates = [
            (
                credentials_path.as_deref(),
                credentials_file.as_ref(),
                std::slice::from_ref(&name),
            ),
            (config_path.as_deref(), config_file.as_ref(), config_names),
        ];
        let sections: Vec<(&Path, &HashMap<String, String>)> = candidates
            .iter()
            .filter_map(|(path, file, section_names)| {
                let section = section_names.iter().find_map(|s| (*file)?.get(s))?;
                Some(((*path)?, section))
            })
            .collect();
        let lookup = |key: &str| {
            sections
                .iter()
                .find_map(|(path, section)| section.get(key).map(|value| (*path, value)))
        };
        for (key, needs) in PENDING {
            if let Some((path, _)) = lookup(key) {
                return Err(CredentialsError::provider(
                    "profile",
                    format!("profile `{name}` in {}", path.display()),
                    format!("`{key}` needs {needs}, which is not supported yet"),
                ));
            }
        }
        if let Some((path, command)) = lookup(CREDENTIAL_PROCESS) {
            return Ok(Source::Process(
                command.clone(),
                format!(
                    "`{CREDENTIAL_PROCESS}` of profile `{name}` in {}",
                    path.display()
                ),
            ));
        }
        let mut found_in: Vec<&Path> = Vec::new();
        for (path, file, section_names) in candidates {
            let (Some(path), Some(file)) = (path, file) else {
                continue;
            };
            let Some(section) = section_names.iter().find_map(|s| file.get(s)) else {
                continue;
            };
            found_in.push(path);
            let Some(access_key_id) = section.get(ACCESS_KEY_ID) else {
                continue;
            };
            let secret = section.get(SECRET_ACCESS_KEY).ok_or_else(|| {
                CredentialsError::invalid(format!(
                    "profile `{name}` in {} sets {ACCESS_KEY_ID} but not {SECRET_ACCESS_KEY}",
                    path.display()
                ))
            })?;
            return Ok(Source::Static(
                Credentials::new(
                    access_key_id.clone(),
                    secret.clone(),
                    section.get(SESSION_TOKEN).cloned(),
                )
                .with_account_id(section.get(ACCOUNT_ID).cloned()),
            ));
        }
        if found_in.is_empty() {
            return Err(CredentialsError::not_found(format!(
                "profile `{name}` is in neither {} nor {}",
                describe(credentials_path.as_deref(), credentials_file.is_some()),
                describe(config_path.as_deref(), config_file.is_some()),
            )));
        }
        let files: Vec<String> = found_in.iter().map(|p| p.display().to_string()).collect();
        Err(CredentialsError::not_found(format!(
            "profile `{name}` in {} has no {ACCESS_KEY_ID} nor {CREDENTIAL_PROCESS}",
            files.join(" and ")
        )))
    }
}

fn describe(path: Option<&Path>, exists: bool) -> String {
    match (path, exists) {
        (Some(path), true) => path.display().to_string(),
        (Some(path), false) => format!("{} (no such file)", path.display()),
        (None, _) => "a file under the home directory (HOME is not set)".to_owned(),
    }
}

/// Section name to property name (lowercase) to value.
pub(crate) type Sections = HashMap<String, HashMap<String, String>>;

/// The file's sections, or `None` if there is no path or no file.
fn load(path: Option<&Path>) -> Result<Option<Sections>, CredentialsError> {
    let Some(path) = path else { return Ok(None) };
    match fs::read_to_string(path) {
        Ok(text) => parse(&text, path).map(Some),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(CredentialsError::io(path.to_owned(), e)),
    }
}

fn is_comment(trimmed: &str) -> bool {
    trimmed.starts_with(['#', ';'])
}

/// Parses an AWS shared file; errors name `path` and the line, never its text.
pub(crate) fn parse(text: &str, path: &Path) -> Result<Sections, CredentialsError> {
    let error = |line: usize, message: &'static str| {
        Err(CredentialsError::syntax(path.to_owned(), line, message))
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut sections = Sections::new();
    let mut current: Option<String> = None;
    // After `name =` with no value, indented lines are nested settings,
    // kept as `name.sub` (a `services` section's `iot_jobs_data_plane.endpoint_url`).
    let mut in_nested: Option<String> = None;
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() || is_comment(trimmed) {
            continue;
        }
        if let Some(header) = trimmed.strip_prefix('[') {
            let Some((name, rest)) = header.split_once(']') else {
                return error(number, "a section header must end with `]`");
            };
            let rest = rest.trim();
            if !rest.is_empty() && !is_comment(rest) {
                return error(number, "only a comment may follow a section header");
            }
            let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
            if name.is_empty() {
                return error(number, "a section header must have a name");
            }
            sections.entry(name.clone()).or_default();
            current = Some(name);
            in_nested = None;
            continue;
        }
        if let Some(parent) = in_nested.as_ref().filter(|_| line.starts_with([' ', '\t'])) {
            if let (Some((key, value)), Some(section)) = (
                trimmed.split_once('='),
                current.as_ref().and_then(|name| sections.get_mut(name)),
            ) {
                let key = format!("{parent}.{}", key.trim().to_ascii_lowercase());
                section.insert(key, value.trim().to_owned());
            }
            continue;
        }
        let Some((key, value)) = trimmed.split_once('=') else {
            return error(number, "expected `[section]`, `name = value` or a comment");
        };
        let key = key.trim();
        if key.is_empty() {
            return error(number, "a property must have a name before `=`");
        }
        let Some(section) = current.as_ref().and_then(|name| sections.get_mut(name)) else {
            return error(number, "a property must come after a `[section]` header");
        };
        let value = value.trim();
        in_nested = value.is_empty().then(|| key.to_ascii_lowercase());
        if in_nested.is_some() {
            // Nested settings follow, or nothing is set.
            section.remove(&key.to_ascii_lowercase());
        } else {
            section.insert(key.to_ascii_lowercase(), value.to_owned());
        }
    }
    Ok(sections)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testing::ProvideNow;

    struct Files {
        dir: tempfile::TempDir,
    }

    impl Files {
        fn new() -> Self {
            Self {
                dir: tempfile::tempdir().unwrap(),
            }
        }

        /// Writes `~/.aws/<name>` under the temporary home.
        fn write(&self, name: &str, text: &str) -> PathBuf {
            let aws = self.dir.path().join(".aws");
            fs::create_dir_all(&aws).unwrap();
            let path = aws.join(name);
            fs::write(&path, text).unwrap();
            path
        }

        fn home(&self) -> String {
            self.dir.path().to_string_lossy().into_owned()
        }

        fn provider(&self, vars: &[(&str, &str)]) -> ProfileCredentials {
            let mut vars: Vec<(String, String)> = vars
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            vars.push(("HOME".into(), self.home()));
            ProfileCredentials::with_env(Env::from_pairs(vars))
        }
    }

    #[test]
    fn default_profile_from_the_credentials_file() {
        let files = Files::new();
        files.write(
            "credentials",
            "# written by hand\r\n; another comment\r\n\r\n[default]\r\n\
             AWS_Access_Key_Id=AKID\r\n  aws_secret_access_key   =   SECRET  \r\n\
             aws_session_token = TOKEN=with=equals\r\n",
        );
        let creds = files.provider(&[]).provide_now().unwrap();
        assert_eq!(
            creds,
            Credentials::new("AKID", "SECRET", Some("TOKEN=with=equals".into()))
        );
    }

    #[test]
    fn named_profile_from_the_config_file() {
        let files = Files::new();
        files.write(
            "config",
            "[default]\nregion = us-east-1\n\n[profile   dev] # the dev account\n\
             region = eu-west-1\ns3 =\n    addressing_style = path\n    max = 10\n\
             aws_access_key_id = DEVKEY\naws_secret_access_key = DEVSECRET\n\
             [sso-session corp]\nsso_region = us-east-1\n",
        );
        let creds = files
            .provider(&[("AWS_PROFILE", "dev")])
            .provide_now()
            .unwrap();
        assert_eq!(creds, Credentials::new("DEVKEY", "DEVSECRET", None));
    }

    #[test]
    fn the_credentials_file_wins_as_a_whole() {
        let files = Files::new();
        files.write(
            "credentials",
            "[dev]\naws_access_key_id = FILEKEY\naws_secret_access_key = FILESECRET\n",
        );
        files.write(
            "config",
            "[profile dev]\naws_access_key_id = CONFIGKEY\naws_secret_access_key = CONFIGSECRET\n\
             aws_session_token = STALE\n",
        );
        let creds = files
            .provider(&[("AWS_PROFILE", "dev")])
            .provide_now()
            .unwrap();
        // No token from the config file mixed into the credentials file's keys.
        assert_eq!(creds, Credentials::new("FILEKEY", "FILESECRET", None));

        // `[dev]` in the config file is not a profile; only `[profile dev]` is.
        let files = Files::new();
        files.write(
            "config",
            "[dev]\naws_access_key_id = K\naws_secret_access_key = S\n",
        );
        let err = files
            .provider(&[("AWS_PROFILE", "dev")])
            .provide_now()
            .unwrap_err();
        assert!(err.is_not_found());
        assert!(
            err.to_string().contains("profile `dev` is in neither"),
            "{err}"
        );
    }

    #[test]
    fn explicit_profile_and_file_overrides() {
        let files = Files::new();
        let elsewhere = files.dir.path().join("elsewhere.ini");
        fs::write(
            &elsewhere,
            "[ci]\naws_access_key_id = CIKEY\naws_secret_access_key = CISECRET\n",
        )
        .unwrap();
        let from_var = files
            .provider(&[
                ("AWS_SHARED_CREDENTIALS_FILE", "~/elsewhere.ini"),
                ("AWS_PROFILE", "ci"),
            ])
            .provide_now()
            .unwrap();
        assert_eq!(from_var.access_key_id(), "CIKEY");

        let explicit = ProfileCredentials::with_env(Env::from_pairs([("AWS_PROFILE", "other")]))
            .profile("ci")
            .credentials_file(&elsewhere)
            .config_file(files.dir.path().join("no-such-config"))
            .provide_now()
            .unwrap();
        assert_eq!(explicit.access_key_id(), "CIKEY");

        let config = files.dir.path().join("config.ini");
        fs::write(
            &config,
            "[profile ci]\naws_access_key_id = CFGKEY\naws_secret_access_key = CFGSECRET\n",
        )
        .unwrap();
        let config_var = config.to_string_lossy().into_owned();
        let from_config_var = files
            .provider(&[
                ("AWS_CONFIG_FILE", config_var.as_str()),
                ("AWS_PROFILE", "ci"),
            ])
            .provide_now()
            .unwrap();
        assert_eq!(from_config_var.access_key_id(), "CFGKEY");
    }

    #[test]
    fn absent_profile_files_and_home_are_not_found() {
        let files = Files::new();
        let err = files.provider(&[]).provide_now().unwrap_err();
        assert!(err.is_not_found());
        assert!(err.to_string().contains("(no such file)"), "{err}");

        let no_home = ProfileCredentials::with_env(Env::from_pairs::<&str, &str>([]))
            .provide_now()
            .unwrap_err();
        assert!(no_home.is_not_found());
        assert!(no_home.to_string().contains("HOME is not set"), "{no_home}");

        files.write("credentials", "[default]\nregion = us-west-2\n");
        let no_keys = files.provider(&[]).provide_now().unwrap_err();
        assert!(no_keys.is_not_found());
        assert!(
            no_keys.to_string().contains("has no aws_access_key_id"),
            "{no_keys}"
        );
    }

    #[test]
    fn key_without_secret_is_invalid_and_names_profile_and_file() {
        let files = Files::new();
        let path = files.write("credentials", "[default]\naws_access_key_id = AKID\n");
        let err = files.provider(&[]).provide_now().unwrap_err();
        assert!(!err.is_not_found());
        let shown = err.to_string();
        assert!(shown.contains("profile `default`"), "{shown}");
        assert!(shown.contains(&path.display().to_string()), "{shown}");
        assert!(shown.contains("not aws_secret_access_key"), "{shown}");
    }

    #[test]
    fn syntax_errors_name_file_and_line_but_not_the_text() {
        let files = Files::new();
        let cases = [
            (
                "[default]\naws_secret_access_key TOPSECRET\n",
                2,
                "expected `[section]`",
            ),
            (
                "aws_secret_access_key = TOPSECRET\n",
                1,
                "after a `[section]`",
            ),
            ("[default]\n\n= TOPSECRET\n", 3, "must have a name"),
            (
                "[default\naws_secret_access_key = TOPSECRET\n",
                1,
                "must end with `]`",
            ),
            ("[default] TOPSECRET\n", 1, "only a comment"),
            ("[ ]\n", 1, "must have a name"),
        ];
        for (text, line, message) in cases {
            let path = files.write("credentials", text);
            let err = files.provider(&[]).provide_now().unwrap_err();
            let shown = format!("{err} {err:?}");
            assert!(
                shown.contains(&format!("{}:{line}: ", path.display())),
                "{text:?}: {shown}"
            );
            assert!(shown.contains(message), "{text:?}: {shown}");
            assert!(!shown.contains("TOPSECRET"), "{text:?}: {shown}");
        }
    }

    #[test]
    fn unreadable_file_is_an_io_error_naming_it() {
        let files = Files::new();
        let path = files.dir.path().join(".aws").join("credentials");
        fs::create_dir_all(&path).unwrap(); // a directory, not a file
        let err = files.provider(&[]).provide_now().unwrap_err();
        assert!(!err.is_not_found());
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );

        let files = Files::new();
        let path = files.write("credentials", "");
        fs::write(&path, b"[default]\naws_access_key_id = \xff\xfe\n").unwrap();
        let err = files.provider(&[]).provide_now().unwrap_err();
        assert!(err.to_string().starts_with("cannot read"), "{err}");
        assert!(std::error::Error::source(&err).is_some());
    }

    #[test]
    fn parser_never_panics() {
        // Pseudo-random lines from the characters the grammar cares about.
        const ALPHABET: &[char] = &[
            '[', ']', '=', '#', ';', ' ', '\t', '\n', '\r', 'a', 'b', '\u{feff}', 'é',
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let path = Path::new("fuzz");
        let mut parsed = 0;
        for _ in 0..20_000 {
            let mut text = String::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            for i in 0..(state % 40) {
                let index = (state.rotate_left(i as u32 * 5) % ALPHABET.len() as u64) as usize;
                text.push(ALPHABET[index]);
            }
            parsed += usize::from(parse(&text, path).is_ok());
        }
        assert!(parsed > 0, "some inputs parse");
    }
}
