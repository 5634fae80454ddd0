//! AWS credentials, and the sources they are resolved from.
//!
//! A client signs every request with [`Credentials`], which it gets from a
//! [`ProvideCredentials`] at call time:
//!
//! - [`Credentials`] themselves: fixed keys;
//! - [`EnvironmentCredentials`]: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`
//!   and optional `AWS_SESSION_TOKEN` and `AWS_ACCOUNT_ID`;
//! - [`ProfileCredentials`]: a profile of the shared files
//!   `~/.aws/credentials` and `~/.aws/config` (an assumed `role_arn` with
//!   its `source_profile` or `credential_source`, web identity, SSO, a
//!   `credential_process`, static keys);
//! - [`WebIdentityCredentials`]: a role for an OIDC token file (EKS IRSA),
//!   through STS `AssumeRoleWithWebIdentity`;
//! - [`ImdsCredentials`]: an EC2 instance's role, from instance metadata;
//! - [`ContainerCredentials`]: the ECS task role or EKS Pod Identity, from
//!   the container credentials endpoint;
//! - [`IotCredentialsProvider`]: a device's X.509 certificate traded for
//!   temporary credentials at AWS IoT's credentials provider;
//! - [`DefaultCredentialsChain`]: the standard chain of the AWS SDKs, cached:
//!   1. environment, 2. profile, 3. web identity, 4. container, 5. instance
//!      metadata (see its docs for each step).
//!
//! # STS and SSO
//!
//! Roles, web identity and SSO trade one credential for another at STS or
//! the SSO portal. The runtime works out the request (which role, signed
//! with what, which token) and sends it through a [`CredentialsExchange`]
//! ([`exchange`]), which the `sdk-credentials` crate implements with this
//! project's generated `sts` and `sso` clients; generated crates install it
//! with their `credentials` feature, on by default.
//!
//! # The contract
//!
//! A provider may do I/O: [`ProvideCredentials::provide_credentials`]
//! returns a future, which an async caller awaits and the blocking API
//! (`send_blocking`, [`block_on`](crate::block_on::block_on)) drives on the
//! calling thread, as for the call itself. Providers that speak HTTP send
//! through the transport the [`ProviderContext`] gives them, which is the
//! client's configured one, so in-memory and loopback tests work the same
//! way as for service calls.
//!
//! Temporary credentials carry an [expiry](Credentials::expiry), and
//! [`CredentialsCache`] keeps credentials until shortly before it, with one
//! refresh at a time.
//!
//! Secrets (secret keys, session tokens, authorization tokens, private keys)
//! never appear in `Debug` or `Display` output, in errors or in logs.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::SystemTime;

use crate::env::Env;
use crate::transport::SharedHttpClient;

mod cache;
mod container;
pub mod exchange;
mod fetch;
mod imds;
mod iot;
mod process;
mod profile;
mod sso;
mod web_identity;

pub use cache::{CredentialsCache, MAX_REFRESH_AHEAD, MIN_REFRESH_AHEAD};
pub use container::ContainerCredentials;
pub use exchange::CredentialsExchange;
pub use imds::{ImdsCredentials, ImdsRegion};
pub use iot::{IotCredentialsBuilder, IotCredentialsProvider, TlsIdentity};
#[cfg(test)]
pub(crate) use profile::parse as parse_profile;
pub use profile::ProfileCredentials;
pub use web_identity::WebIdentityCredentials;

/// An access key, its secret, an optional session token, for temporary
/// credentials when they expire, and optionally the AWS account they belong
/// to (for account-based endpoints, see [`Self::with_account_id`]).
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
    expiry: Option<SystemTime>,
    account_id: Option<String>,
}

impl Credentials {
    /// Credentials from an access key id, its secret, and a session token for
    /// temporary credentials; they do not expire (see [`Self::with_expiry`]).
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
                expiry: None,
                account_id: None,
            }),
        }
    }

    /// The same credentials, expiring at `expiry` (`None`: never).
    pub fn with_expiry(self, expiry: Option<SystemTime>) -> Self {
        let inner = self.into_inner();
        Self {
            inner: Arc::new(Inner { expiry, ..inner }),
        }
    }

    /// The same credentials, belonging to the AWS account `account_id`
    /// (`None`: not said). Services whose endpoint rules take the account
    /// id (DynamoDB) then reach an account-based endpoint, as
    /// [`account_id_endpoint_mode`](crate::ConfigBuilder::account_id_endpoint_mode) says.
    pub fn with_account_id(self, account_id: Option<String>) -> Self {
        let inner = self.into_inner();
        Self {
            inner: Arc::new(Inner {
                account_id: account_id.filter(|id| !id.is_empty()),
                ..inner
            }),
        }
    }

    fn into_inner(self) -> Inner {
        Arc::try_unwrap(self.inner).unwrap_or_else(|shared| Inner {
            access_key_id: shared.access_key_id.clone(),
            secret_access_key: shared.secret_access_key.clone(),
            session_token: shared.session_token.clone(),
            expiry: shared.expiry,
            account_id: shared.account_id.clone(),
        })
    }

    /// The AWS account the credentials belong to, if known.
    pub fn account_id(&self) -> Option<&str> {
        self.inner.account_id.as_deref()
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

    /// When the credentials stop working, if they are temporary.
    pub fn expiry(&self) -> Option<SystemTime> {
        self.inner.expiry
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
            .field(
                "expiry",
                &self.inner.expiry.map(crate::value::DateTime::from),
            )
            .field("account_id", &self.inner.account_id)
            .finish()
    }
}

/// The future a [`ProvideCredentials`] returns.
pub type CredentialsFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Credentials, CredentialsError>> + Send + 'a>>;

/// A [`CredentialsFuture`] that is ready at once, for providers that do no I/O.
pub fn ready<'a>(result: Result<Credentials, CredentialsError>) -> CredentialsFuture<'a> {
    Box::pin(std::future::ready(result))
}

/// What a provider may use to fetch credentials: the client's transport.
///
/// The call pipeline makes one from the [`Config`](crate::Config) for each
/// request it signs; tests and other callers make their own.
#[derive(Clone, Debug, Default)]
pub struct ProviderContext {
    http_client: Option<SharedHttpClient>,
    exchange: Option<Arc<dyn CredentialsExchange>>,
}

/// The feature that installs a [`CredentialsExchange`], for errors.
const EXCHANGE_HINT: &str = "no STS/SSO client is installed: turn on the `credentials` feature of \
     the generated service crate (on by default), or set one with \
     `ConfigBuilder::credentials_exchange(sdk_credentials::Exchange)`; the `sts` and `sso` \
     crates cannot install it themselves, since `sdk-credentials` is built on them";

impl ProviderContext {
    /// A context whose transport is `client`, or the default transport
    /// (feature `https`) if `None`.
    pub fn new(client: Option<SharedHttpClient>) -> Self {
        Self {
            http_client: client,
            exchange: None,
        }
    }

    /// The same context, sending STS and SSO calls through `exchange`.
    pub fn with_exchange(mut self, exchange: Option<Arc<dyn CredentialsExchange>>) -> Self {
        self.exchange = exchange;
        self
    }

    /// The transport the context was made with, if one was given.
    pub fn configured_http_client(&self) -> Option<&SharedHttpClient> {
        self.http_client.as_ref()
    }

    /// What sends STS and SSO calls; `provider` and `at` name the provider
    /// and profile or variable asking, and `call` the call it needs, for
    /// the error when there is none.
    pub fn exchange(
        &self,
        provider: &'static str,
        at: &str,
        call: &str,
    ) -> Result<&dyn CredentialsExchange, CredentialsError> {
        self.exchange.as_deref().ok_or_else(|| {
            CredentialsError::provider(provider, at, format!("needs {call}, but {EXCHANGE_HINT}"))
        })
    }

    /// The transport to send with; `provider` names the provider asking, for
    /// the error when there is none.
    pub fn http_client(
        &self,
        provider: &'static str,
    ) -> Result<&SharedHttpClient, CredentialsError> {
        if let Some(client) = &self.http_client {
            return Ok(client);
        }
        #[cfg(any(feature = "https", feature = "rt-tokio"))]
        {
            let _ = provider;
            Ok(crate::transport::default_client())
        }
        #[cfg(not(any(feature = "https", feature = "rt-tokio")))]
        Err(CredentialsError::provider(
            provider,
            "the transport",
            "no HTTP client is configured and the `https` feature is off",
        ))
    }
}

/// Where a client gets its credentials, each time it signs a request.
///
/// The method returns a future so that a source may do I/O (instance
/// metadata, a container endpoint, a process); providers that do none
/// return [`ready`]. Wrap a provider whose credentials expire in a
/// [`CredentialsCache`] (the default chain and the IoT provider are cached
/// already), or it is asked on every request.
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// The credentials to sign with now; `cx` holds the transport to use.
    fn provide_credentials<'a>(&'a self, cx: &'a ProviderContext) -> CredentialsFuture<'a>;
}

impl ProvideCredentials for Credentials {
    fn provide_credentials<'a>(&'a self, _cx: &'a ProviderContext) -> CredentialsFuture<'a> {
        ready(Ok(self.clone()))
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Arc<T> {
    fn provide_credentials<'a>(&'a self, cx: &'a ProviderContext) -> CredentialsFuture<'a> {
        (**self).provide_credentials(cx)
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
    fn provide_credentials<'a>(&'a self, cx: &'a ProviderContext) -> CredentialsFuture<'a> {
        match &self.0 {
            SharedInner::Fixed(credentials) => ready(Ok(credentials.clone())),
            SharedInner::Provider(provider) => provider.provide_credentials(cx),
        }
    }
}

/// Why no credentials could be resolved.
///
/// Messages name the provider, the variable, file, line or endpoint
/// concerned, and why; never a secret.
#[derive(Debug)]
pub struct CredentialsError {
    kind: CredentialsErrorKind,
}

#[derive(Debug)]
struct ProviderFailure {
    provider: &'static str,
    at: String,
    why: String,
    source: Option<Box<dyn StdError + Send + Sync>>,
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
    Provider(Box<ProviderFailure>),
    /// Another caller's refresh failed this way (see [`CredentialsCache`]).
    Shared(Arc<CredentialsError>),
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

    /// Provider `provider` failed to get credentials from `at` (a file, an
    /// endpoint, a command, a profile key) because of `why`. A chain stops
    /// here.
    pub fn provider(provider: &'static str, at: impl Into<String>, why: impl Into<String>) -> Self {
        Self {
            kind: CredentialsErrorKind::Provider(Box::new(ProviderFailure {
                provider,
                at: at.into(),
                why: why.into(),
                source: None,
            })),
        }
    }

    /// As [`Self::provider`], with the underlying error.
    pub fn provider_with_source(
        provider: &'static str,
        at: impl Into<String>,
        why: impl Into<String>,
        source: impl Into<Box<dyn StdError + Send + Sync>>,
    ) -> Self {
        Self {
            kind: CredentialsErrorKind::Provider(Box::new(ProviderFailure {
                provider,
                at: at.into(),
                why: why.into(),
                source: Some(source.into()),
            })),
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

    pub(crate) fn shared(error: Arc<CredentialsError>) -> Self {
        Self {
            kind: CredentialsErrorKind::Shared(error),
        }
    }

    /// Whether the source simply has no credentials (rather than broken ones).
    pub fn is_not_found(&self) -> bool {
        match &self.kind {
            CredentialsErrorKind::NotFound(_) => true,
            CredentialsErrorKind::Shared(inner) => inner.is_not_found(),
            _ => false,
        }
    }

    /// The provider that failed, if the error names one.
    pub fn provider_name(&self) -> Option<&'static str> {
        match &self.kind {
            CredentialsErrorKind::Provider(failure) => Some(failure.provider),
            CredentialsErrorKind::Shared(inner) => inner.provider_name(),
            _ => None,
        }
    }

    fn not_found_reason(&self) -> &str {
        match &self.kind {
            CredentialsErrorKind::NotFound(what) => what,
            CredentialsErrorKind::Shared(inner) => inner.not_found_reason(),
            _ => "",
        }
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
            CredentialsErrorKind::Provider(failure) => write!(
                f,
                "{} credentials from {}: {}",
                failure.provider, failure.at, failure.why
            ),
            CredentialsErrorKind::Shared(inner) => fmt::Display::fmt(inner, f),
        }
    }
}

impl StdError for CredentialsError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match &self.kind {
            CredentialsErrorKind::Io { source, .. } => Some(source),
            CredentialsErrorKind::Provider(failure) => match &failure.source {
                Some(source) => Some(&**source),
                None => None,
            },
            CredentialsErrorKind::Shared(inner) => inner.source(),
            _ => None,
        }
    }
}

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and, for
/// temporary credentials, `AWS_SESSION_TOKEN`; `AWS_ACCOUNT_ID` names their
/// account.
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
    fn provide_credentials<'a>(&'a self, _cx: &'a ProviderContext) -> CredentialsFuture<'a> {
        ready(self.read())
    }
}

impl EnvironmentCredentials {
    fn read(&self) -> Result<Credentials, CredentialsError> {
        let access_key_id = self.env.get("AWS_ACCESS_KEY_ID");
        let secret_access_key = self.env.get("AWS_SECRET_ACCESS_KEY");
        match (access_key_id, secret_access_key) {
            (Some(id), Some(secret)) => {
                Ok(
                    Credentials::new(id, secret, self.env.get("AWS_SESSION_TOKEN"))
                        .with_account_id(self.env.get("AWS_ACCOUNT_ID")),
                )
            }
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

/// The standard chain of the AWS SDKs (aws-sdk-rust's default chain),
/// cached by a [`CredentialsCache`]:
///
/// 1. the environment ([`EnvironmentCredentials`]);
/// 2. the profile ([`ProfileCredentials`]: `role_arn` assumed at STS with
///    what `source_profile` or `credential_source` gives,
///    `web_identity_token_file`, `sso_session` / `sso_*` through the SSO
///    token cache and the portal, then `credential_process`, then static
///    keys);
/// 3. web identity ([`WebIdentityCredentials`]: `AWS_WEB_IDENTITY_TOKEN_FILE`
///    + `AWS_ROLE_ARN` + `AWS_ROLE_SESSION_NAME`, through STS);
/// 4. the container endpoint ([`ContainerCredentials`]);
/// 5. instance metadata ([`ImdsCredentials`]).
///
/// The STS and SSO calls go through the [`CredentialsExchange`] of the
/// [`ProviderContext`] (installed by generated crates' `credentials`
/// feature); without one, a source that needs them fails saying so.
///
/// A source that has no credentials passes to the next; a source that has
/// credentials but broken ones (a key without its secret, a file that does
/// not parse, an endpoint that fails) stops the chain with its error. The
/// chain is walked again at each refresh: credentials without an expiry
/// (keys) are kept for good, temporary ones are refreshed before they
/// expire, and a failure is not kept.
#[derive(Debug)]
pub struct DefaultCredentialsChain {
    cache: CredentialsCache,
}

#[derive(Debug)]
struct Chain {
    sources: Vec<(&'static str, Box<dyn ProvideCredentials>)>,
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
        let sources: Vec<(&'static str, Box<dyn ProvideCredentials>)> = vec![
            (
                "environment",
                Box::new(EnvironmentCredentials::with_env(env.clone())),
            ),
            (
                "profile",
                Box::new(ProfileCredentials::with_env(env.clone())),
            ),
            (
                "web identity",
                Box::new(WebIdentityCredentials::with_env(env.clone())),
            ),
            (
                "container",
                Box::new(ContainerCredentials::with_env(env.clone())),
            ),
            (
                "instance metadata",
                Box::new(ImdsCredentials::with_env(env)),
            ),
        ];
        Self {
            cache: CredentialsCache::new(Chain { sources }),
        }
    }
}

impl Chain {
    async fn resolve(&self, cx: &ProviderContext) -> Result<Credentials, CredentialsError> {
        let mut reasons = Vec::new();
        for (name, source) in &self.sources {
            match source.provide_credentials(cx).await {
                Err(e) if e.is_not_found() => {
                    reasons.push(format!("{name}: {}", e.not_found_reason()))
                }
                other => {
                    #[cfg(feature = "tracing")]
                    tracing::debug!(
                        source = *name,
                        found = other.is_ok(),
                        "credentials resolved"
                    );
                    return other;
                }
            }
        }
        Err(CredentialsError::not_found(reasons.join("; ")))
    }
}

impl ProvideCredentials for Chain {
    fn provide_credentials<'a>(&'a self, cx: &'a ProviderContext) -> CredentialsFuture<'a> {
        Box::pin(self.resolve(cx))
    }
}

impl ProvideCredentials for DefaultCredentialsChain {
    fn provide_credentials<'a>(&'a self, cx: &'a ProviderContext) -> CredentialsFuture<'a> {
        self.cache.provide_credentials(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::ProvideNow;

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
        assert_eq!(creds.provide_now().unwrap(), creds);
        let shared = SharedCredentialsProvider::fixed(creds.clone());
        assert_eq!(shared.fixed_credentials(), Some(&creds));
        assert_eq!(shared.provide_now().unwrap(), creds);
        let dynamic = SharedCredentialsProvider::new(creds.clone());
        assert_eq!(dynamic.fixed_credentials(), None);
        assert_eq!(dynamic.provide_now().unwrap(), creds);
    }

    #[test]
    fn environment_credentials() {
        let env = Env::from_pairs([
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "TOPSECRET"),
            ("AWS_SESSION_TOKEN", "TOKENVALUE"),
        ]);
        let creds = EnvironmentCredentials::with_env(env).provide_now().unwrap();
        assert_eq!(
            creds,
            Credentials::new("AKID", "TOPSECRET", Some("TOKENVALUE".into()))
        );

        let none = EnvironmentCredentials::with_env(Env::from_pairs([("AWS_REGION", "x")]))
            .provide_now()
            .unwrap_err();
        assert!(none.is_not_found());
        assert!(none.to_string().contains("AWS_ACCESS_KEY_ID"), "{none}");

        let half = EnvironmentCredentials::with_env(Env::from_pairs([(
            "AWS_SECRET_ACCESS_KEY",
            "TOPSECRET",
        )]))
        .provide_now()
        .unwrap_err();
        assert!(!half.is_not_found());
        let shown = format!("{half} {half:?}");
        assert!(shown.contains("AWS_ACCESS_KEY_ID is not"), "{shown}");
        assert!(!shown.contains("TOPSECRET"), "{shown}");
    }

    #[test]
    fn the_account_id_comes_from_the_environment_or_the_profile() {
        let env = EnvironmentCredentials::with_env(Env::from_pairs([
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "SECRET"),
            ("AWS_ACCOUNT_ID", "123456789012"),
        ]))
        .provide_now()
        .unwrap();
        assert_eq!(env.account_id(), Some("123456789012"));
        // Other settings leave it as it is; an empty one is none.
        let expiring = env.clone().with_expiry(Some(SystemTime::UNIX_EPOCH));
        assert_eq!(expiring.account_id(), Some("123456789012"));
        assert_eq!(env.with_account_id(Some(String::new())).account_id(), None);

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("credentials");
        std::fs::write(
            &file,
            "[default]\naws_access_key_id = K\naws_secret_access_key = S\naws_account_id = 210987654321\n",
        )
        .unwrap();
        let file_var = file.to_string_lossy().into_owned();
        let profile = DefaultCredentialsChain::with_env(Env::from_pairs([(
            "AWS_SHARED_CREDENTIALS_FILE",
            file_var.as_str(),
        )]))
        .provide_now()
        .unwrap();
        assert_eq!(profile.account_id(), Some("210987654321"));
        assert!(format!("{profile:?}").contains("210987654321"));
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
        assert_eq!(both.provide_now().unwrap().access_key_id(), "ENVKEY");

        let chain = DefaultCredentialsChain::with_env(Env::from_pairs([(
            "AWS_SHARED_CREDENTIALS_FILE",
            file_var.as_str(),
        )]));
        assert_eq!(chain.provide_now().unwrap().access_key_id(), "FILEKEY");
        // Kept: the file is not read again.
        std::fs::remove_file(&file).unwrap();
        assert_eq!(chain.provide_now().unwrap().access_key_id(), "FILEKEY");
    }

    #[test]
    fn chain_reports_every_source_it_tried() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().to_string_lossy().into_owned();
        let chain = DefaultCredentialsChain::with_env(Env::from_pairs([
            ("HOME", home.as_str()),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ]));
        let err = chain.provide_now().unwrap_err();
        assert!(err.is_not_found());
        let shown = err.to_string();
        assert!(shown.contains("environment: AWS_ACCESS_KEY_ID"), "{shown}");
        assert!(shown.contains("profile: profile `default`"), "{shown}");
        assert!(shown.contains(&home), "{shown}");
        assert!(
            shown.contains("web identity: AWS_WEB_IDENTITY_TOKEN_FILE"),
            "{shown}"
        );
        assert!(
            shown.contains("container: neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"),
            "{shown}"
        );
        assert!(
            shown.contains("instance metadata: instance metadata is turned off"),
            "{shown}"
        );

        // A broken source stops the chain with its own error.
        let broken = DefaultCredentialsChain::with_env(Env::from_pairs([
            ("AWS_ACCESS_KEY_ID", "ENVKEY"),
            ("HOME", home.as_str()),
        ]));
        let err = broken.provide_now().unwrap_err();
        assert!(!err.is_not_found());
        assert!(
            err.to_string().contains("but AWS_SECRET_ACCESS_KEY is not"),
            "{err}"
        );
    }
}
