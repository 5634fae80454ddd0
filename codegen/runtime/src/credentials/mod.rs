//! AWS credentials, and the sources they are resolved from.
//!
//! A client signs every request with [`Credentials`], which it gets from a
//! [`ProvideCredentials`] at call time:
//!
//! - [`Credentials`] themselves: fixed keys;
//! - [`EnvironmentCredentials`]: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`
//!   and optional `AWS_SESSION_TOKEN`;
//! - [`ProfileCredentials`]: a profile of the shared files
//!   `~/.aws/credentials` and `~/.aws/config`;
//! - [`DefaultCredentialsChain`]: the environment, then the profile.
//!
//! Secrets never appear in `Debug` or `Display` output, nor in errors.

use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use crate::env::Env;

mod profile;

#[cfg(test)]
pub(crate) use profile::parse as parse_profile;
pub use profile::ProfileCredentials;

/// An access key, its secret and an optional session token.
///
/// The secret and the token never appear in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    inner: Arc<Inner>,
}

#[derive(PartialEq, Eq)]
struct Inner {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
}

impl Credentials {
    /// Credentials from an access key id, its secret, and a session token for
    /// temporary credentials.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                access_key_id: access_key_id.into(),
                secret_access_key: secret_access_key.into(),
                session_token,
            }),
        }
    }

    /// The access key id.
    pub fn access_key_id(&self) -> &str {
        &self.inner.access_key_id
    }

    /// The secret access key.
    pub fn secret_access_key(&self) -> &str {
        &self.inner.secret_access_key
    }

    /// The session token, for temporary credentials.
    pub fn session_token(&self) -> Option<&str> {
        self.inner.session_token.as_deref()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.inner.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.inner.session_token.as_ref().map(|_| "** redacted **"),
            )
            .finish()
    }
}

/// Where a client gets its credentials, each time it signs a request.
///
/// The trait is synchronous: its sources here are local (the process
/// environment, two small files), and [`DefaultCredentialsChain`] reads them
/// once and keeps the result, so a call blocks for a file read at most once.
/// A source that needs the network (instance metadata, STS) would need an
/// asynchronous trait beside this one.
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// The credentials to sign with now.
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError>;
}

impl ProvideCredentials for Credentials {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        Ok(self.clone())
    }
}

/// A credentials provider shared between clones of a configuration.
#[derive(Clone, Debug)]
pub struct SharedCredentialsProvider(SharedInner);

#[derive(Clone, Debug)]
enum SharedInner {
    Fixed(Credentials),
    Provider(Arc<dyn ProvideCredentials>),
}

impl SharedCredentialsProvider {
    /// Shares `provider`.
    pub fn new(provider: impl ProvideCredentials + 'static) -> Self {
        Self(SharedInner::Provider(Arc::new(provider)))
    }

    /// Always provides `credentials`.
    pub fn fixed(credentials: Credentials) -> Self {
        Self(SharedInner::Fixed(credentials))
    }

    /// The credentials, if this provider was made with [`Self::fixed`].
    pub fn fixed_credentials(&self) -> Option<&Credentials> {
        match &self.0 {
            SharedInner::Fixed(credentials) => Some(credentials),
            SharedInner::Provider(_) => None,
        }
    }
}

impl ProvideCredentials for SharedCredentialsProvider {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        match &self.0 {
            SharedInner::Fixed(credentials) => Ok(credentials.clone()),
            SharedInner::Provider(provider) => provider.provide_credentials(),
        }
    }
}

/// Why no credentials could be resolved.
///
/// Messages name the variable, file and line concerned, never a value.
#[derive(Debug)]
pub struct CredentialsError {
    kind: CredentialsErrorKind,
}

#[derive(Debug)]
enum CredentialsErrorKind {
    NotFound(String),
    Invalid(String),
    Syntax {
        path: PathBuf,
        line: usize,
        message: &'static str,
    },
    Io {
        path: PathBuf,
        source: io::Error,
    },
}

impl CredentialsError {
    /// The source has no credentials: `what` says what was looked for, and
    /// where. A chain moves on to its next source.
    pub fn not_found(what: impl Into<String>) -> Self {
        Self {
            kind: CredentialsErrorKind::NotFound(what.into()),
        }
    }

    /// The source has credentials but they are incomplete or unusable, as
    /// `what` says. A chain stops here rather than use another source.
    pub fn invalid(what: impl Into<String>) -> Self {
        Self {
            kind: CredentialsErrorKind::Invalid(what.into()),
        }
    }

    pub(crate) fn syntax(path: PathBuf, line: usize, message: &'static str) -> Self {
        Self {
            kind: CredentialsErrorKind::Syntax {
                path,
                line,
                message,
            },
        }
    }

    pub(crate) fn io(path: PathBuf, source: io::Error) -> Self {
        Self {
            kind: CredentialsErrorKind::Io { path, source },
        }
    }

    /// Whether the source simply has no credentials (rather than broken ones).
    pub fn is_not_found(&self) -> bool {
        matches!(self.kind, CredentialsErrorKind::NotFound(_))
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            CredentialsErrorKind::NotFound(what) => write!(f, "no credentials found: {what}"),
            CredentialsErrorKind::Invalid(what) => write!(f, "unusable credentials: {what}"),
            CredentialsErrorKind::Syntax {
                path,
                line,
                message,
            } => write!(f, "{}:{line}: {message}", path.display()),
            CredentialsErrorKind::Io { path, source } => {
                write!(f, "cannot read {}: {source}", path.display())
            }
        }
    }
}

impl StdError for CredentialsError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match &self.kind {
            CredentialsErrorKind::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and, for
/// temporary credentials, `AWS_SESSION_TOKEN`.
///
/// Reads the variables on every call. One of the two keys without the other
/// is an error, not an absence.
#[derive(Clone, Debug)]
pub struct EnvironmentCredentials {
    env: Env,
}

impl Default for EnvironmentCredentials {
    fn default() -> Self {
        Self::new()
    }
}

impl EnvironmentCredentials {
    /// Reads the process environment.
    pub fn new() -> Self {
        Self::with_env(Env::process())
    }

    /// Reads `env`.
    pub fn with_env(env: Env) -> Self {
        Self { env }
    }
}

impl ProvideCredentials for EnvironmentCredentials {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        let access_key_id = self.env.get("AWS_ACCESS_KEY_ID");
        let secret_access_key = self.env.get("AWS_SECRET_ACCESS_KEY");
        match (access_key_id, secret_access_key) {
            (Some(id), Some(secret)) => Ok(Credentials::new(
                id,
                secret,
                self.env.get("AWS_SESSION_TOKEN"),
            )),
            (None, None) => Err(CredentialsError::not_found(
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set",
            )),
            (Some(_), None) => Err(CredentialsError::invalid(
                "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not",
            )),
            (None, Some(_)) => Err(CredentialsError::invalid(
                "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not",
            )),
        }
    }
}

/// The environment ([`EnvironmentCredentials`]), then the shared files
/// ([`ProfileCredentials`]).
///
/// The first credentials found are kept and returned from then on, so the
/// files are read once; a failure is not kept, and the next call looks
/// again. A source that has credentials but broken ones (a key without its
/// secret, a file that does not parse) stops the chain with its error.
#[derive(Debug)]
pub struct DefaultCredentialsChain {
    environment: EnvironmentCredentials,
    profile: ProfileCredentials,
    resolved: OnceLock<Credentials>,
}

impl Default for DefaultCredentialsChain {
    fn default() -> Self {
        Self::new()
    }
}

impl DefaultCredentialsChain {
    /// The chain over the process environment and the user's shared files.
    pub fn new() -> Self {
        Self::with_env(Env::process())
    }

    /// The chain over `env`: its variables, and the shared files it points
    /// to (`AWS_SHARED_CREDENTIALS_FILE`, `AWS_CONFIG_FILE`, else under
    /// `HOME`).
    pub fn with_env(env: Env) -> Self {
        Self::from_sources(
            EnvironmentCredentials::with_env(env.clone()),
            ProfileCredentials::with_env(env),
        )
    }

    /// The chain over these two sources.
    pub fn from_sources(environment: EnvironmentCredentials, profile: ProfileCredentials) -> Self {
        Self {
            environment,
            profile,
            resolved: OnceLock::new(),
        }
    }

    fn resolve(&self) -> Result<Credentials, CredentialsError> {
        let from_env = match self.environment.provide_credentials() {
            Err(e) if e.is_not_found() => e,
            other => return other,
        };
        match self.profile.provide_credentials() {
            Err(from_profile) if from_profile.is_not_found() => {
                Err(CredentialsError::not_found(format!(
                    "environment: {}; profile: {}",
                    not_found_reason(&from_env),
                    not_found_reason(&from_profile)
                )))
            }
            other => other,
        }
    }
}

fn not_found_reason(error: &CredentialsError) -> &str {
    match &error.kind {
        CredentialsErrorKind::NotFound(what) => what,
        _ => "",
    }
}

impl ProvideCredentials for DefaultCredentialsChain {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        if let Some(credentials) = self.resolved.get() {
            return Ok(credentials.clone());
        }
        let credentials = self.resolve()?;
        // If another thread resolved first, both found the same sources.
        Ok(self.resolved.get_or_init(|| credentials).clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_secrets() {
        let creds = Credentials::new("AKID", "TOPSECRET", Some("TOKENVALUE".into()));
        let shown = format!("{creds:?} {creds:#?}");
        assert!(shown.contains("AKID"));
        assert!(!shown.contains("TOPSECRET"), "{shown}");
        assert!(!shown.contains("TOKENVALUE"), "{shown}");
    }

    #[test]
    fn getters_return_parts() {
        let creds = Credentials::new("AKID", "SECRET", None);
        assert_eq!(creds.access_key_id(), "AKID");
        assert_eq!(creds.secret_access_key(), "SECRET");
        assert_eq!(creds.session_token(), None);
    }

    #[test]
    fn credentials_provide_themselves() {
        let creds = Credentials::new("AKID", "SECRET", Some("TOKEN".into()));
        assert_eq!(creds.provide_credentials().unwrap(), creds);
        let shared = SharedCredentialsProvider::fixed(creds.clone());
        assert_eq!(shared.fixed_credentials(), Some(&creds));
        assert_eq!(shared.provide_credentials().unwrap(), creds);
        let dynamic = SharedCredentialsProvider::new(creds.clone());
        assert_eq!(dynamic.fixed_credentials(), None);
        assert_eq!(dynamic.provide_credentials().unwrap(), creds);
    }

    #[test]
    fn environment_credentials() {
        let env = Env::from_pairs([
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "TOPSECRET"),
            ("AWS_SESSION_TOKEN", "TOKENVALUE"),
        ]);
        let creds = EnvironmentCredentials::with_env(env)
            .provide_credentials()
            .unwrap();
        assert_eq!(
            creds,
            Credentials::new("AKID", "TOPSECRET", Some("TOKENVALUE".into()))
        );

        let none = EnvironmentCredentials::with_env(Env::from_pairs([("AWS_REGION", "x")]))
            .provide_credentials()
            .unwrap_err();
        assert!(none.is_not_found());
        assert!(none.to_string().contains("AWS_ACCESS_KEY_ID"), "{none}");

        let half = EnvironmentCredentials::with_env(Env::from_pairs([(
            "AWS_SECRET_ACCESS_KEY",
            "TOPSECRET",
        )]))
        .provide_credentials()
        .unwrap_err();
        assert!(!half.is_not_found());
        let shown = format!("{half} {half:?}");
        assert!(shown.contains("AWS_ACCESS_KEY_ID is not"), "{shown}");
        assert!(!shown.contains("TOPSECRET"), "{shown}");
    }

    #[test]
    fn chain_prefers_the_environment_and_keeps_what_it_found() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("credentials");
        std::fs::write(
            &file,
            "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = FILESECRET\n",
        )
        .unwrap();
        let file_var = file.to_string_lossy().into_owned();

        let both = DefaultCredentialsChain::with_env(Env::from_pairs([
            ("AWS_ACCESS_KEY_ID", "ENVKEY"),
            ("AWS_SECRET_ACCESS_KEY", "ENVSECRET"),
            ("AWS_SHARED_CREDENTIALS_FILE", file_var.as_str()),
        ]));
        assert_eq!(
            both.provide_credentials().unwrap().access_key_id(),
            "ENVKEY"
        );

        let chain = DefaultCredentialsChain::with_env(Env::from_pairs([(
            "AWS_SHARED_CREDENTIALS_FILE",
            file_var.as_str(),
        )]));
        assert_eq!(
            chain.provide_credentials().unwrap().access_key_id(),
            "FILEKEY"
        );
        // Kept: the file is not read again.
        std::fs::remove_file(&file).unwrap();
        assert_eq!(
            chain.provide_credentials().unwrap().access_key_id(),
            "FILEKEY"
        );
    }

    #[test]
    fn chain_reports_every_source_it_tried() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().to_string_lossy().into_owned();
        let chain = DefaultCredentialsChain::with_env(Env::from_pairs([("HOME", home.as_str())]));
        let err = chain.provide_credentials().unwrap_err();
        assert!(err.is_not_found());
        let shown = err.to_string();
        assert!(shown.contains("environment: AWS_ACCESS_KEY_ID"), "{shown}");
        assert!(shown.contains("profile: profile `default`"), "{shown}");
        assert!(shown.contains(&home), "{shown}");

        // A broken source stops the chain with its own error.
        let broken = DefaultCredentialsChain::with_env(Env::from_pairs([
            ("AWS_ACCESS_KEY_ID", "ENVKEY"),
            ("HOME", home.as_str()),
        ]));
        let err = broken.provide_credentials().unwrap_err();
        assert!(!err.is_not_found());
        assert!(
            err.to_string().contains("but AWS_SECRET_ACCESS_KEY is not"),
            "{err}"
        );
    }
}
