//! Static keys from the shared files `~/.aws/credentials` and `~/.aws/config`.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::exchange::AssumeRole;
use super::sso::SsoSettings;
use super::web_identity::{default_session_name, WebIdentityCredentials};
use super::{
    Credentials, CredentialsError, CredentialsFuture, ProvideCredentials, ProviderContext,
};
use crate::env::Env;

const ACCESS_KEY_ID: &str = "aws_access_key_id";
const SECRET_ACCESS_KEY: &str = "aws_secret_access_key";
const SESSION_TOKEN: &str = "aws_session_token";
const ACCOUNT_ID: &str = "aws_account_id";
const CREDENTIAL_PROCESS: &str = "credential_process";
const ROLE_ARN: &str = "role_arn";
const SOURCE_PROFILE: &str = "source_profile";
const CREDENTIAL_SOURCE: &str = "credential_source";
const WEB_IDENTITY_TOKEN_FILE: &str = "web_identity_token_file";
const SSO_SESSION: &str = "sso_session";
const SSO_START_URL: &str = "sso_start_url";
const SSO_REGION: &str = "sso_region";
const SSO_ACCOUNT_ID: &str = "sso_account_id";
const SSO_ROLE_NAME: &str = "sso_role_name";

/// Where the chain of a profile starts: the credentials its last source
/// profile (or `credential_source`) gives.
enum Base {
    Static(Credentials),
    /// `credential_process`: the command, and the profile and file, for errors.
    Process(String, String),
    WebIdentity(WebIdentityCredentials),
    Sso(SsoSettings),
    /// `credential_source`: another provider of the standard chain.
    Named(Box<dyn ProvideCredentials>),
}

/// A `role_arn` to assume with the credentials before it.
struct Role {
    role_arn: String,
    session_name: Option<String>,
    external_id: Option<String>,
    duration_seconds: Option<i32>,
    /// The profile and file, for errors.
    at: String,
}

/// What a profile provides: a base, then roles assumed in turn (the last
/// source profile's role first).
struct Resolved {
    base: Base,
    roles: Vec<Role>,
    /// The first profile's `region`, where STS is called.
    region: Option<String>,
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
/// 1. `role_arn`: assumed at STS `AssumeRole` with what the source gives:
///    `source_profile` (another profile, resolved the same way, so roles
///    chain; a source profile's static keys win over its own `role_arn`) or
///    `credential_source` (`Environment`, `Ec2InstanceMetadata`,
///    `EcsContainer`); with `role_session_name`, `external_id`,
///    `duration_seconds`, in the first profile's `region`. With
///    `web_identity_token_file`, the role is assumed with that token instead
///    ([`WebIdentityCredentials`]);
/// 1. `sso_session` (naming an `[sso-session NAME]` section with
///    `sso_start_url` and `sso_region`) or `sso_start_url` + `sso_region`,
///    with `sso_account_id` and `sso_role_name`: the token `aws sso login`
///    cached in `~/.aws/sso/cache/<sha1>.json`, traded at SSO
///    `GetRoleCredentials`; a missing or expired token is an error saying
///    to log in again;
/// 1. `credential_process`: a command that prints credentials JSON (see the
///    README), run at each fetch;
/// 1. static keys, as above.
///
/// The STS and SSO calls go through the context's
/// [`CredentialsExchange`](super::CredentialsExchange); without one, such a
/// profile fails with an error naming the call and how to install one.
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
    fn provide_credentials<'a>(&'a self, cx: &'a ProviderContext) -> CredentialsFuture<'a> {
        Box::pin(async move {
            let resolved = self.resolve()?;
            let mut credentials = match resolved.base {
                Base::Static(credentials) => credentials,
                Base::Process(command, at) => super::process::run(command, at).await?,
                Base::WebIdentity(provider) => provider.provide_credentials(cx).await?,
                Base::Sso(settings) => {
                    super::sso::provide(&settings, self.home().as_deref(), &self.env, cx).await?
                }
                Base::Named(provider) => provider.provide_credentials(cx).await?,
            };
            for role in resolved.roles.into_iter().rev() {
                let exchange = cx.exchange("profile", &role.at, "STS AssumeRole")?;
                let request = AssumeRole {
                    role_arn: role.role_arn,
                    role_session_name: role.session_name.unwrap_or_else(default_session_name),
                    external_id: role.external_id,
                    duration_seconds: role.duration_seconds,
                    source: credentials,
                    region: resolved.region.clone(),
                    env: self.env.clone(),
                };
                credentials = exchange.assume_role(request, cx).await?;
            }
            Ok(credentials)
        })
    }
}

/// The two shared files, parsed, and where they are.
struct Files {
    credentials_path: Option<PathBuf>,
    credentials: Option<Sections>,
    config_path: Option<PathBuf>,
    config: Option<Sections>,
}

impl Files {
    /// The sections of profile `name`, credentials file first.
    fn sections(&self, name: &str) -> Vec<(&Path, &HashMap<String, String>)> {
        let mut found = Vec::new();
        if let (Some(path), Some(file)) = (&self.credentials_path, &self.credentials) {
            if let Some(section) = file.get(name) {
                found.push((path.as_path(), section));
            }
        }
        if let (Some(path), Some(file)) = (&self.config_path, &self.config) {
            let section = file
                .get(&format!("profile {name}"))
                .or_else(|| (name == "default").then(|| file.get("default")).flatten());
            if let Some(section) = section {
                found.push((path.as_path(), section));
            }
        }
        found
    }
}

/// Looks keys up in a profile's sections, first found first.
struct Profile<'a> {
    name: &'a str,
    sections: Vec<(&'a Path, &'a HashMap<String, String>)>,
}

impl<'a> Profile<'a> {
    fn get(&self, key: &str) -> Option<(&'a Path, &'a String)> {
        self.sections
            .iter()
            .find_map(|(path, section)| section.get(key).map(|value| (*path, value)))
    }

    fn value(&self, key: &str) -> Option<String> {
        self.get(key).map(|(_, value)| value.clone())
    }

    /// `profile `name` in <file>`, naming the file that sets `key`.
    fn at(&self, key: &str) -> String {
        let path = self
            .get(key)
            .map(|(path, _)| path)
            .or_else(|| self.sections.first().map(|(path, _)| *path));
        match path {
            Some(path) => format!("profile `{}` in {}", self.name, path.display()),
            None => format!("profile `{}`", self.name),
        }
    }

    /// The static keys of the first section that has `aws_access_key_id`
    /// (a section's keys are taken as a whole, never mixed with another's).
    fn static_keys(&self) -> Result<Option<Credentials>, CredentialsError> {
        for (path, section) in &self.sections {
            let Some(access_key_id) = section.get(ACCESS_KEY_ID) else {
                continue;
            };
            let secret = section.get(SECRET_ACCESS_KEY).ok_or_else(|| {
                CredentialsError::invalid(format!(
                    "profile `{}` in {} sets {ACCESS_KEY_ID} but not {SECRET_ACCESS_KEY}",
                    self.name,
                    path.display()
                ))
            })?;
            return Ok(Some(
                Credentials::new(
                    access_key_id.clone(),
                    secret.clone(),
                    section.get(SESSION_TOKEN).cloned(),
                )
                .with_account_id(section.get(ACCOUNT_ID).cloned()),
            ));
        }
        Ok(None)
    }
}

impl ProfileCredentials {
    fn profile_name(&self) -> String {
        self.profile
            .clone()
            .or_else(|| self.env.get("AWS_PROFILE"))
            .unwrap_or_else(|| "default".to_owned())
    }

    fn load_files(&self) -> Result<Files, CredentialsError> {
        let credentials_path = self.path(
            self.credentials_file.as_ref(),
            "AWS_SHARED_CREDENTIALS_FILE",
            "credentials",
        );
        let config_path = self.path(self.config_file.as_ref(), "AWS_CONFIG_FILE", "config");
        Ok(Files {
            credentials: load(credentials_path.as_deref())?,
            credentials_path,
            config: load(config_path.as_deref())?,
            config_path,
        })
    }

    /// Walks from the profile through its `source_profile`s to a base, as
    /// aws-sdk-rust does: a profile with `role_arn` is assumed with what its
    /// `source_profile` or `credential_source` gives (a source profile's
    /// static keys win over its own `role_arn`); otherwise the profile's
    /// `web_identity_token_file`, `sso_*`, `credential_process`, then static
    /// keys, first found first.
    fn resolve(&self) -> Result<Resolved, CredentialsError> {
        let root = self.profile_name();
        let files = self.load_files()?;
        let mut visited: Vec<String> = Vec::new();
        let mut roles = Vec::new();
        let mut name = root.clone();
        let mut region = None;
        let base = loop {
            let profile = Profile {
                name: &name,
                sections: files.sections(&name),
            };
            if profile.sections.is_empty() {
                if let Some(from) = visited.last() {
                    return Err(CredentialsError::provider(
                        "profile",
                        format!("`{SOURCE_PROFILE}` of profile `{from}`"),
                        format!(
                            "profile `{name}` is in neither {} nor {}",
                            describe(
                                files.credentials_path.as_deref(),
                                files.credentials.is_some()
                            ),
                            describe(files.config_path.as_deref(), files.config.is_some()),
                        ),
                    ));
                }
                return Err(CredentialsError::not_found(format!(
                    "profile `{name}` is in neither {} nor {}",
                    describe(
                        files.credentials_path.as_deref(),
                        files.credentials.is_some()
                    ),
                    describe(files.config_path.as_deref(), files.config.is_some()),
                )));
            }
            if visited.contains(&name) {
                visited.push(name.clone());
                return Err(CredentialsError::provider(
                    "profile",
                    format!("profile `{root}`"),
                    format!(
                        "the `{SOURCE_PROFILE}`s form a loop: {}",
                        visited.join(" -> ")
                    ),
                ));
            }
            if visited.is_empty() {
                region = profile.value("region");
            } else if let Some(keys) = profile.static_keys()? {
                // A source profile's keys win over its own role.
                break Base::Static(keys);
            }
            visited.push(name.clone());
            let Some(role_arn) = profile.value(ROLE_ARN) else {
                break self.base(&profile, &files, visited.len() > 1)?;
            };
            if let Some((_, token_file)) = profile.get(WEB_IDENTITY_TOKEN_FILE) {
                break Base::WebIdentity(WebIdentityCredentials::fixed(
                    self.env.clone(),
                    PathBuf::from(token_file),
                    role_arn,
                    profile.value("role_session_name"),
                    region.clone(),
                    profile.at(WEB_IDENTITY_TOKEN_FILE),
                ));
            }
            let at = profile.at(ROLE_ARN);
            let duration_seconds = match profile.value("duration_seconds") {
                None => None,
                Some(text) => Some(text.parse::<i32>().map_err(|_| {
                    CredentialsError::provider(
                        "profile",
                        &at,
                        format!("`duration_seconds` {text:?} is not a number of seconds"),
                    )
                })?),
            };
            roles.push(Role {
                role_arn,
                session_name: profile.value("role_session_name"),
                external_id: profile.value("external_id"),
                duration_seconds,
                at: at.clone(),
            });
            match (
                profile.value(SOURCE_PROFILE),
                profile.value(CREDENTIAL_SOURCE),
            ) {
                (Some(_), Some(_)) => {
                    return Err(CredentialsError::provider(
                        "profile",
                        at,
                        format!("sets both `{SOURCE_PROFILE}` and `{CREDENTIAL_SOURCE}`; keep one"),
                    ))
                }
                (None, None) => {
                    return Err(CredentialsError::provider(
                        "profile",
                        at,
                        format!("`{ROLE_ARN}` needs `{SOURCE_PROFILE}` or `{CREDENTIAL_SOURCE}`"),
                    ))
                }
                (Some(source), None) if source == name => {
                    // A profile that is its own source: its keys sign the call.
                    match profile.static_keys()? {
                        Some(keys) => break Base::Static(keys),
                        None => {
                            return Err(CredentialsError::provider(
                                "profile",
                                at,
                                format!("is its own `{SOURCE_PROFILE}` but has no {ACCESS_KEY_ID}"),
                            ))
                        }
                    }
                }
                (Some(source), None) => name = source,
                (None, Some(source)) => break self.named_source(&source, &at)?,
            }
        };
        Ok(Resolved {
            base,
            roles,
            region,
        })
    }

    /// `credential_source`: `Environment`, `Ec2InstanceMetadata` or `EcsContainer`.
    fn named_source(&self, source: &str, at: &str) -> Result<Base, CredentialsError> {
        let env = self.env.clone();
        let provider: Box<dyn ProvideCredentials> = match source {
            "Environment" => Box::new(super::EnvironmentCredentials::with_env(env)),
            "Ec2InstanceMetadata" => Box::new(super::ImdsCredentials::with_env(env)),
            "EcsContainer" => Box::new(super::ContainerCredentials::with_env(env)),
            other => {
                return Err(CredentialsError::provider(
                    "profile",
                    at,
                    format!(
                        "`{CREDENTIAL_SOURCE}` {other:?} is none of Environment, \
                         Ec2InstanceMetadata, EcsContainer"
                    ),
                ))
            }
        };
        Ok(Base::Named(provider))
    }

    /// What a profile without `role_arn` provides.
    fn base(
        &self,
        profile: &Profile<'_>,
        files: &Files,
        is_source: bool,
    ) -> Result<Base, CredentialsError> {
        if profile.get(WEB_IDENTITY_TOKEN_FILE).is_some() {
            return Err(CredentialsError::provider(
                "profile",
                profile.at(WEB_IDENTITY_TOKEN_FILE),
                format!("`{WEB_IDENTITY_TOKEN_FILE}` needs `{ROLE_ARN}`"),
            ));
        }
        if [SSO_SESSION, SSO_START_URL, SSO_ACCOUNT_ID]
            .iter()
            .any(|key| profile.get(key).is_some())
        {
            return self.sso(profile, files).map(Base::Sso);
        }
        if let Some((path, command)) = profile.get(CREDENTIAL_PROCESS) {
            return Ok(Base::Process(
                command.clone(),
                format!(
                    "`{CREDENTIAL_PROCESS}` of profile `{}` in {}",
                    profile.name,
                    path.display()
                ),
            ));
        }
        if let Some(keys) = profile.static_keys()? {
            return Ok(Base::Static(keys));
        }
        let files: Vec<String> = profile
            .sections
            .iter()
            .map(|(p, _)| p.display().to_string())
            .collect();
        let why = format!(
            "profile `{}` in {} has no {ACCESS_KEY_ID} nor {CREDENTIAL_PROCESS} \
             (nor {ROLE_ARN}, {WEB_IDENTITY_TOKEN_FILE}, {SSO_SESSION}, {SSO_START_URL})",
            profile.name,
            files.join(" and ")
        );
        if is_source {
            // Named as a source profile: its absence of credentials is an error.
            return Err(CredentialsError::provider(
                "profile",
                profile.at(ROLE_ARN),
                why,
            ));
        }
        Err(CredentialsError::not_found(why))
    }

    /// The SSO settings: `sso_session` naming an `[sso-session NAME]`
    /// section of the config file (`sso_start_url`, `sso_region`), or the
    /// legacy `sso_start_url` and `sso_region` in the profile; and the
    /// profile's `sso_account_id` and `sso_role_name`.
    fn sso(&self, profile: &Profile<'_>, files: &Files) -> Result<SsoSettings, CredentialsError> {
        let at = profile.at(SSO_ACCOUNT_ID);
        let missing = |key: &str, place: &str| {
            CredentialsError::provider("profile", &at, format!("SSO needs `{key}` in {place}"))
        };
        let (session_name, start_url, region) = match profile.value(SSO_SESSION) {
            Some(session) => {
                let header = format!("sso-session {session}");
                let section = files
                    .config
                    .as_ref()
                    .and_then(|file| file.get(&header))
                    .ok_or_else(|| {
                        CredentialsError::provider(
                            "profile",
                            profile.at(SSO_SESSION),
                            format!(
                                "`{SSO_SESSION}` names `[{header}]`, which {} does not have",
                                describe(files.config_path.as_deref(), files.config.is_some())
                            ),
                        )
                    })?;
                let place = format!("`[{header}]`");
                let get = |key: &str| {
                    section
                        .get(key)
                        .cloned()
                        .ok_or_else(|| missing(key, &place))
                };
                (Some(session.clone()), get(SSO_START_URL)?, get(SSO_REGION)?)
            }
            None => (
                None,
                profile
                    .value(SSO_START_URL)
                    .ok_or_else(|| missing(SSO_START_URL, "the profile (or `sso_session`)"))?,
                profile
                    .value(SSO_REGION)
                    .ok_or_else(|| missing(SSO_REGION, "the profile"))?,
            ),
        };
        Ok(SsoSettings {
            session_name,
            start_url,
            region,
            account_id: profile
                .value(SSO_ACCOUNT_ID)
                .ok_or_else(|| missing(SSO_ACCOUNT_ID, "the profile"))?,
            role_name: profile
                .value(SSO_ROLE_NAME)
                .ok_or_else(|| missing(SSO_ROLE_NAME, "the profile"))?,
            at,
        })
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

    /// Answers every exchange with credentials naming what it was asked,
    /// and records the requests.
    #[derive(Debug, Default)]
    struct Recorder(std::sync::Mutex<Vec<String>>);

    impl super::super::CredentialsExchange for Recorder {
        fn assume_role<'a>(
            &'a self,
            request: AssumeRole,
            _cx: &'a ProviderContext,
        ) -> CredentialsFuture<'a> {
            self.0.lock().unwrap().push(format!(
                "AssumeRole {} as {} with {} in {:?} ext {:?} for {:?}",
                request.role_arn,
                request.role_session_name,
                request.source.access_key_id(),
                request.region,
                request.external_id,
                request.duration_seconds,
            ));
            let id = format!("ASSUMED-{}", request.role_arn);
            super::super::ready(Ok(Credentials::new(id, "S", Some("T".into()))))
        }

        fn assume_role_with_web_identity<'a>(
            &'a self,
            request: super::super::exchange::AssumeRoleWithWebIdentity,
            _cx: &'a ProviderContext,
        ) -> CredentialsFuture<'a> {
            self.0.lock().unwrap().push(format!(
                "Web {} as {} token {}",
                request.role_arn, request.role_session_name, request.web_identity_token
            ));
            super::super::ready(Ok(Credentials::new("WEB", "S", None)))
        }

        fn get_role_credentials<'a>(
            &'a self,
            request: super::super::exchange::GetRoleCredentials,
            _cx: &'a ProviderContext,
        ) -> CredentialsFuture<'a> {
            self.0.lock().unwrap().push(format!(
                "Sso {} {} in {} token {}",
                request.account_id, request.role_name, request.region, request.access_token
            ));
            super::super::ready(Ok(Credentials::new("SSO", "S", None)))
        }
    }

    fn with_recorder(
        provider: &ProfileCredentials,
    ) -> (Result<Credentials, CredentialsError>, Vec<String>) {
        let recorder = std::sync::Arc::new(Recorder::default());
        let cx = ProviderContext::default().with_exchange(Some(recorder.clone()));
        let result = crate::block_on::block_on(provider.provide_credentials(&cx));
        let seen = recorder.0.lock().unwrap().clone();
        (result, seen)
    }

    #[test]
    fn role_chains_assume_each_role_with_the_one_before() {
        let files = Files::new();
        files.write(
            "credentials",
            "[base]\naws_access_key_id = BASEKEY\naws_secret_access_key = BASESECRET\n",
        );
        files.write(
            "config",
            "[profile top]\nrole_arn = arn:top\nsource_profile = middle\nregion = eu-west-3\n\
             role_session_name = me\nexternal_id = ext\nduration_seconds = 900\n\
             [profile middle]\nrole_arn = arn:middle\nsource_profile = base\nrole_session_name = mid\n\
             [profile keyed]\nrole_arn = arn:ignored\nsource_profile = nowhere\n\
             aws_access_key_id = KEYED\naws_secret_access_key = KS\n\
             [profile viakeyed]\nrole_arn = arn:v\nsource_profile = keyed\nrole_session_name = v\n\
             [profile env]\nrole_arn = arn:env\ncredential_source = Environment\nrole_session_name = e\n",
        );
        let (creds, seen) = with_recorder(&files.provider(&[("AWS_PROFILE", "top")]));
        assert_eq!(creds.unwrap().access_key_id(), "ASSUMED-arn:top");
        assert_eq!(
            seen,
            [
                "AssumeRole arn:middle as mid with BASEKEY in Some(\"eu-west-3\") ext None for None",
                "AssumeRole arn:top as me with ASSUMED-arn:middle in Some(\"eu-west-3\") ext Some(\"ext\") for Some(900)",
            ]
        );

        // A source profile's keys win over its own role.
        let (creds, seen) = with_recorder(&files.provider(&[("AWS_PROFILE", "viakeyed")]));
        assert_eq!(creds.unwrap().access_key_id(), "ASSUMED-arn:v");
        assert_eq!(
            seen,
            ["AssumeRole arn:v as v with KEYED in None ext None for None"]
        );

        let (creds, seen) = with_recorder(&files.provider(&[
            ("AWS_PROFILE", "env"),
            ("AWS_ACCESS_KEY_ID", "ENVKEY"),
            ("AWS_SECRET_ACCESS_KEY", "ENVSECRET"),
        ]));
        assert_eq!(creds.unwrap().access_key_id(), "ASSUMED-arn:env");
        assert_eq!(
            seen,
            ["AssumeRole arn:env as e with ENVKEY in None ext None for None"]
        );
    }

    #[test]
    fn broken_role_profiles_say_what_is_wrong() {
        let files = Files::new();
        let config = files.write(
            "config",
            "[profile a]\nrole_arn = arn:a\nsource_profile = b\n\
             [profile b]\nrole_arn = arn:b\nsource_profile = a\n\
             [profile lost]\nrole_arn = arn:l\nsource_profile = missing\n\
             [profile neither]\nrole_arn = arn:n\n\
             [profile both]\nrole_arn = arn:x\nsource_profile = a\ncredential_source = Environment\n\
             [profile odd]\nrole_arn = arn:o\ncredential_source = Somewhere\n\
             [profile empty]\nrole_arn = arn:e\nsource_profile = blank\n[profile blank]\nregion = x\n\
             [profile tokenonly]\nweb_identity_token_file = /t\n\
             [profile web]\nrole_arn = arn:w\nweb_identity_token_file = WEBTOKEN\nrole_session_name = s\n",
        );
        let cases = [
            ("a", "form a loop: a -> b -> a"),
            ("lost", "profile `missing` is in neither"),
            (
                "neither",
                "`role_arn` needs `source_profile` or `credential_source`",
            ),
            ("both", "sets both `source_profile` and `credential_source`"),
            ("odd", "`credential_source` \"Somewhere\" is none of"),
            ("empty", "profile `blank`"),
            ("tokenonly", "`web_identity_token_file` needs `role_arn`"),
        ];
        for (profile, message) in cases {
            let (result, seen) = with_recorder(&files.provider(&[("AWS_PROFILE", profile)]));
            let err = result.unwrap_err();
            assert!(!err.is_not_found(), "{profile}: {err}");
            let shown = err.to_string();
            assert!(shown.contains(message), "{profile}: {shown}");
            assert!(seen.is_empty(), "{profile}: {seen:?}");
        }
        let shown = with_recorder(&files.provider(&[("AWS_PROFILE", "neither")]))
            .0
            .unwrap_err()
            .to_string();
        assert!(shown.contains(&config.display().to_string()), "{shown}");

        // Web identity from a profile reads the token file, relative paths
        // as given.
        let token = files.dir.path().join("token");
        fs::write(&token, "OIDC-TOKEN\n").unwrap();
        let text = fs::read_to_string(&config)
            .unwrap()
            .replace("WEBTOKEN", &token.display().to_string());
        fs::write(&config, text).unwrap();
        let (creds, seen) = with_recorder(&files.provider(&[("AWS_PROFILE", "web")]));
        assert_eq!(creds.unwrap().access_key_id(), "WEB");
        assert_eq!(seen, ["Web arn:w as s token OIDC-TOKEN"]);
    }

    #[test]
    fn sso_profiles_read_the_session_and_the_token_cache() {
        let files = Files::new();
        files.write(
            "config",
            "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n\
             [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-north-1\n\
             [profile legacy]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-west-2\n\
             sso_account_id = 1\nsso_role_name = Old\n\
             [profile nosession]\nsso_session = gone\nsso_account_id = 1\nsso_role_name = r\n\
             [profile norole]\nsso_session = corp\nsso_account_id = 1\n",
        );
        let home = files.dir.path();
        let write_token = |key: &str, expires: &str| {
            let path = super::super::sso::cache_file(home, key);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(
                &path,
                format!("{{\"accessToken\": \"SSOTOKEN-{key}\", \"expiresAt\": \"{expires}\"}}"),
            )
            .unwrap();
        };
        write_token("corp", "2999-01-01T00:00:00Z");
        write_token("https://old.awsapps.com/start", "2999-01-01T00:00:00Z");
        let (creds, seen) = with_recorder(&files.provider(&[("AWS_PROFILE", "dev")]));
        assert_eq!(creds.unwrap().access_key_id(), "SSO");
        assert_eq!(
            seen,
            ["Sso 111122223333 Dev in eu-north-1 token SSOTOKEN-corp"]
        );
        let (creds, seen) = with_recorder(&files.provider(&[("AWS_PROFILE", "legacy")]));
        assert_eq!(creds.unwrap().access_key_id(), "SSO");
        assert_eq!(
            seen,
            ["Sso 1 Old in us-west-2 token SSOTOKEN-https://old.awsapps.com/start"]
        );
        for (profile, message) in [
            ("nosession", "names `[sso-session gone]`"),
            ("norole", "SSO needs `sso_role_name` in the profile"),
        ] {
            let (result, seen) = with_recorder(&files.provider(&[("AWS_PROFILE", profile)]));
            let shown = result.unwrap_err().to_string();
            assert!(shown.contains(message), "{profile}: {shown}");
            assert!(seen.is_empty());
        }
        write_token("corp", "2020-01-01T00:00:00Z");
        let (result, seen) = with_recorder(&files.provider(&[("AWS_PROFILE", "dev")]));
        let shown = result.unwrap_err().to_string();
        assert!(shown.contains("expired at 2020-01-01T00:00:00Z"), "{shown}");
        assert!(
            shown.contains("aws sso login --sso-session corp"),
            "{shown}"
        );
        assert!(!shown.contains("SSOTOKEN"), "{shown}");
        assert!(seen.is_empty());
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
