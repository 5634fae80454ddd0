//! Client configuration: region, endpoint, credentials, transport, timeouts
//! and retries.

use std::fmt;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use std::time::Duration;

use http::uri::{Authority, Scheme};

use crate::clock::ClockOffset;
use crate::credentials::{
    Credentials, DefaultCredentialsChain, ProvideCredentials, SharedCredentialsProvider,
};
use crate::credentials::{CredentialsExchange, ImdsRegion, ProfileCredentials, ProviderContext};
use crate::endpoint::{AccountIdEndpointMode, Params, Value};
use crate::env::Env;
use crate::operation::ServiceInfo;
use crate::retry::{RetryQuota, DEFAULT_MAX_ATTEMPTS};
use crate::sigv4::Signer;
use crate::sleep::{AsyncSleep, SharedAsyncSleep};
use crate::transport::{HttpClient, RequestTimeouts, SharedHttpClient};
use crate::user_agent::UserAgent;

/// How long making a connection (TCP and TLS) may take unless configured
/// otherwise: a little over 3 s, so that one lost TCP SYN (whose first
/// resend comes after 1 s, the second after 3 s) is survived before giving up.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);

/// How long one attempt (connect, send, whole response) may take unless
/// configured otherwise. AWS API calls answer in milliseconds; 10 s leaves
/// room for a slow link and a loaded service, and means an endpoint that
/// accepts the connection and stays silent costs 10 s per attempt, not more.
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a whole call (every attempt, and the waits between them) may
/// take unless configured otherwise: the bound within which a silent
/// endpoint is found out. Against one, the default three attempts get two
/// full attempt timeouts (2 × 10 s) and a shorter third, so a call fails
/// after 25 s at most: within what a device's watchdog, a user at a prompt
/// or a request handler upstream can wait, where attempt timeouts alone
/// would allow 3 × 10 s plus the waits.
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(25);

/// An AWS region, such as `us-east-1`. Cheap to clone.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Region(Arc<str>);

impl Region {
    /// A region from its name.
    pub fn new(name: impl Into<String>) -> Self {
        Self(name.into().into())
    }

    /// The region's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Region {
    fn from(name: &str) -> Self {
        Self::new(name)
    }
}

impl From<String> for Region {
    fn from(name: String) -> Self {
        Self(name.into())
    }
}

/// What a client needs to reach a service: region, endpoint, credentials,
/// transport, timeouts and retries.
///
/// One `Config` can serve clients of several services. It is cheap to clone
/// (one reference count: a fluent builder takes a clone per call), and clones
/// share one request [`Signer`] (whose cache of signing keys then
/// serves every client built from them), one [`ClockOffset`] and one
/// [`RetryQuota`].
///
/// Defaults: the default transport (`transport::DefaultClient`: hyper with
/// the `rt-tokio` feature, ureq with `https` alone), if either is on; [`DEFAULT_CONNECT_TIMEOUT`] and [`DEFAULT_ATTEMPT_TIMEOUT`]
/// per attempt;
/// [`DEFAULT_OPERATION_TIMEOUT`] over a whole call;
/// [`DEFAULT_MAX_ATTEMPTS`] attempts per call (see [`retry`](crate::retry));
/// the [`DefaultSleep`](crate::sleep::DefaultSleep) between them.
///
/// ```
/// use sdk_runtime::{Config, Credentials};
///
/// let config = Config::builder()
///     .region("us-east-1")
///     .credentials(Credentials::new("AKID", "SECRET", None))
///     .build();
/// assert_eq!(config.region().map(|r| r.as_str()), Some("us-east-1"));
/// ```
#[derive(Clone, Default)]
pub struct Config {
    settings: Arc<Settings>,
}

/// What a [`Config`] holds, and what its builder edits.
#[derive(Clone)]
struct Settings {
    region: Option<Region>,
    /// Where the region comes from when none is set: instance metadata,
    /// asked once, at the first call (see [`Config::from_env`]).
    region_fallback: Option<Arc<RegionFallback>>,
    endpoint_url: Option<Arc<str>>,
    /// Where service-specific endpoint URLs are looked up (`from_env`), and
    /// the global one found there (`AWS_ENDPOINT_URL`, a profile's `endpoint_url`).
    endpoint_env: Option<EndpointEnv>,
    use_fips: Option<bool>,
    use_dual_stack: Option<bool>,
    /// Values of the services' client context parameters (`ForcePathStyle`).
    endpoint_params: Params,
    account_id_endpoint_mode: Option<AccountIdEndpointMode>,
    credentials: Option<SharedCredentialsProvider>,
    /// What sends the STS and SSO calls of credentials providers.
    credentials_exchange: Option<Arc<dyn CredentialsExchange>>,
    http_client: Option<SharedHttpClient>,
    signer: Arc<Signer>,
    timeouts: RequestTimeouts,
    operation_timeout: Option<Duration>,
    max_attempts: u32,
    sleep: Option<SharedAsyncSleep>,
    clock_offset: ClockOffset,
    retry_quota: Arc<RetryQuota>,
    endpoints: EndpointCache,
    /// Endpoints resolved with per-call parameters (context parameters, an
    /// account id).
    context_endpoints: ContextEndpointCache,
    app_id: Option<Arc<str>>,
    user_agents: PerService<UserAgent>,
    #[cfg(any(feature = "https", feature = "rt-tokio"))]
    tls: crate::transport::tls::TlsSettings,
    /// The default transport made for `tls` when it is not the default,
    /// shared by clones; a builder that changes `tls` starts a new one.
    #[cfg(any(feature = "https", feature = "rt-tokio"))]
    tls_transport: Arc<std::sync::OnceLock<Result<SharedHttpClient, Arc<str>>>>,
}

/// The environment `Config::from_env` read, for endpoint URLs of one service.
#[derive(Clone, Debug)]
struct EndpointEnv {
    env: Env,
    global: Option<Arc<str>>,
}

/// The region from instance metadata, looked up once for a configuration
/// and its clones.
#[derive(Debug)]
pub(crate) struct RegionFallback {
    imds: ImdsRegion,
    resolved: OnceLock<Option<Region>>,
}

/// A service's base URL, parsed: what [`operation::invoke`](crate::operation::invoke)
/// puts before each request's path.
#[derive(Clone, Debug)]
pub(crate) struct Endpoint {
    pub(crate) scheme: Scheme,
    pub(crate) authority: Authority,
    /// The base URL as written (no trailing `/`), for requests whose URI
    /// needs more than scheme and authority (a host prefix, a base path).
    pub(crate) url: Arc<str>,
    /// Whether the base URL has a path of its own (`http://host/prefix`).
    pub(crate) has_path: bool,
    /// Headers the endpoint rules add to every request.
    pub(crate) headers: Vec<(http::HeaderName, http::HeaderValue)>,
    /// The signing name the rules' `authSchemes` ask for, if any.
    pub(crate) signing_name: Option<Arc<str>>,
    /// The signing region the rules' `authSchemes` ask for, if any.
    pub(crate) signing_region: Option<Arc<str>>,
}

/// Values made once per configuration and service (endpoints by endpoint
/// prefix, user-agent headers by service id). A copy starts empty (a
/// builder's, from [`Config::to_builder`]), so a changed region, endpoint URL
/// or application id never meets a stale entry.
pub(crate) struct PerService<T>(RwLock<Vec<(&'static str, T)>>);

/// The resolved endpoints of a configuration.
pub(crate) type EndpointCache = PerService<Endpoint>;

/// How many endpoints resolved with per-call parameters a configuration
/// keeps (per distinct parameter set); past that the oldest goes.
const CONTEXT_ENDPOINTS_KEPT: usize = 64;

/// Endpoints resolved with per-call parameters, by endpoint prefix and the
/// parameters' values ([`Params::key`]); like [`PerService`], a copy starts
/// empty.
#[derive(Default)]
pub(crate) struct ContextEndpointCache(RwLock<Vec<(&'static str, String, Endpoint)>>);

impl Clone for ContextEndpointCache {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl ContextEndpointCache {
    /// The endpoint of `prefix` for the per-call parameters `params`, from
    /// the cache or from `make`.
    pub(crate) fn get_or_resolve<E>(
        &self,
        prefix: &'static str,
        params: &Params,
        make: impl FnOnce() -> Result<Endpoint, E>,
    ) -> Result<Endpoint, E> {
        let key = params.key();
        // Entries are only ever added whole: a poisoned lock holds valid data.
        let cached = self
            .0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|(p, k, _)| *p == prefix && *k == key)
            .map(|(_, _, value)| value.clone());
        if let Some(value) = cached {
            return Ok(value);
        }
        let value = make()?;
        let mut entries = self.0.write().unwrap_or_else(PoisonError::into_inner);
        if !entries.iter().any(|(p, k, _)| *p == prefix && *k == key) {
            if entries.len() >= CONTEXT_ENDPOINTS_KEPT {
                entries.remove(0);
            }
            entries.push((prefix, key, value.clone()));
        }
        Ok(value)
    }

    /// How many endpoints are kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.0.read().unwrap_or_else(PoisonError::into_inner).len()
    }
}

impl<T> Default for PerService<T> {
    fn default() -> Self {
        Self(RwLock::new(Vec::new()))
    }
}

impl<T> Clone for PerService<T> {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl<T> fmt::Debug for PerService<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PerService")
    }
}

impl<T: Clone> PerService<T> {
    /// The value for `key`, from the cache or from `make`.
    pub(crate) fn get_or_resolve<E>(
        &self,
        key: &'static str,
        make: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        // Entries are only ever added whole: a poisoned lock holds valid data.
        let cached = self
            .0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, value)| value.clone());
        if let Some(value) = cached {
            return Ok(value);
        }
        let value = make()?;
        let mut entries = self.0.write().unwrap_or_else(PoisonError::into_inner);
        if !entries.iter().any(|(k, _)| *k == key) {
            entries.push((key, value.clone()));
        }
        Ok(value)
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.settings, f)
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut f = f.debug_struct("Config");
        f.field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url)
            .field("use_fips", &self.use_fips)
            .field("use_dual_stack", &self.use_dual_stack)
            .field("endpoint_params", &self.endpoint_params)
            .field("account_id_endpoint_mode", &self.account_id_endpoint_mode)
            .field("credentials", &self.credentials)
            .field("credentials_exchange", &self.credentials_exchange)
            .field("http_client", &self.http_client)
            .field("signer", &self.signer)
            .field("timeouts", &self.timeouts)
            .field("operation_timeout", &self.operation_timeout)
            .field("max_attempts", &self.max_attempts)
            .field("sleep", &self.sleep)
            .field("clock_offset", &self.clock_offset)
            .field("retry_quota", &self.retry_quota);
        #[cfg(any(feature = "https", feature = "rt-tokio"))]
        f.field("tls", &self.tls);
        f.finish()
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            region: None,
            region_fallback: None,
            endpoint_url: None,
            endpoint_env: None,
            use_fips: None,
            use_dual_stack: None,
            endpoint_params: Params::new(),
            account_id_endpoint_mode: None,
            credentials: None,
            credentials_exchange: None,
            http_client: None,
            signer: Arc::default(),
            timeouts: RequestTimeouts {
                connect: Some(DEFAULT_CONNECT_TIMEOUT),
                attempt: Some(DEFAULT_ATTEMPT_TIMEOUT),
            },
            operation_timeout: Some(DEFAULT_OPERATION_TIMEOUT),
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            sleep: None,
            clock_offset: ClockOffset::default(),
            retry_quota: Arc::default(),
            endpoints: EndpointCache::default(),
            context_endpoints: ContextEndpointCache::default(),
            app_id: None,
            user_agents: PerService::default(),
            #[cfg(any(feature = "https", feature = "rt-tokio"))]
            tls: Default::default(),
            #[cfg(any(feature = "https", feature = "rt-tokio"))]
            tls_transport: Default::default(),
        }
    }
}

impl Config {
    /// A builder for a `Config`.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// A builder set up from the process environment, as the AWS CLI reads it:
    ///
    /// - region: `AWS_REGION`, else `AWS_DEFAULT_REGION`, else `region` of
    ///   the profile's section of `~/.aws/config`, else the instance's
    ///   region from instance metadata (see
    ///   [`ImdsCredentials`](crate::credentials::ImdsCredentials) for its
    ///   settings), asked at the first call, once, only if the others
    ///   say nothing;
    /// - endpoint override: `AWS_ENDPOINT_URL_<SERVICE>` (the service id in
    ///   upper case, spaces as `_`: `AWS_ENDPOINT_URL_IOT_JOBS_DATA_PLANE`),
    ///   else `endpoint_url` of the service in the profile's `services`
    ///   section, else `AWS_ENDPOINT_URL`, else the profile's `endpoint_url`;
    ///   none of these when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`, else the
    ///   profile's `ignore_configured_endpoint_urls`, is `true` (an
    ///   `endpoint_url` set on the builder still applies);
    /// - FIPS and dual-stack endpoints: `AWS_USE_FIPS_ENDPOINT`,
    ///   `AWS_USE_DUALSTACK_ENDPOINT` (`true` or `false`), else the profile's
    ///   `use_fips_endpoint`, `use_dualstack_endpoint`;
    /// - account-based endpoints: `AWS_ACCOUNT_ID_ENDPOINT_MODE`, else the
    ///   profile's `account_id_endpoint_mode` (`preferred`, `required` or
    ///   `disabled`; see [`ConfigBuilder::account_id_endpoint_mode`]);
    /// - application id (the user agent's `app/`): `AWS_SDK_UA_APP_ID`, else
    ///   `sdk_ua_app_id` of the profile's section of `~/.aws/config`;
    /// - credentials: a [`DefaultCredentialsChain`] (the environment, the
    ///   `AWS_PROFILE` or `default` profile of `~/.aws/credentials` and
    ///   `~/.aws/config` with its roles, web identity and SSO, web identity
    ///   from `AWS_WEB_IDENTITY_TOKEN_FILE`, the container endpoint, instance
    ///   metadata), resolved at the first call, not here, through the
    ///   configured transport; its STS and SSO calls go through the
    ///   [credentials exchange](ConfigBuilder::credentials_exchange), which
    ///   a generated client installs with its `credentials` feature.
    ///
    /// Values set on the returned builder replace what the environment says.
    /// Without the `https` feature, a transport still has to be set.
    ///
    /// ```
    /// use sdk_runtime::Config;
    ///
    /// let config = Config::from_env().region("eu-west-1").build();
    /// assert_eq!(config.region().map(|r| r.as_str()), Some("eu-west-1"));
    /// ```
    pub fn from_env() -> ConfigBuilder {
        Self::from_env_with(Env::process())
    }

    /// As [`Config::from_env`], reading `env` instead of the process
    /// environment (for the credential files too).
    pub fn from_env_with(env: Env) -> ConfigBuilder {
        let profile = ProfileCredentials::with_env(env.clone());
        let region = env
            .get("AWS_REGION")
            .or_else(|| env.get("AWS_DEFAULT_REGION"))
            .or_else(|| profile.config_value("region"))
            .map(Region::from);
        let region_fallback = region.is_none().then(|| {
            Arc::new(RegionFallback {
                imds: ImdsRegion::with_env(env.clone()),
                resolved: OnceLock::new(),
            })
        });
        let app_id = env
            .get("AWS_SDK_UA_APP_ID")
            .or_else(|| profile.config_value("sdk_ua_app_id"));
        let flag = |var: &str, key: &str| {
            env.get(var)
                .or_else(|| profile.config_value(key))
                .and_then(|v| match v.trim().to_ascii_lowercase().as_str() {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                })
        };
        let use_fips = flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint");
        let use_dual_stack = flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint");
        let ignore_endpoint_urls = flag(
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
            "ignore_configured_endpoint_urls",
        )
        .unwrap_or(false);
        // An unknown mode is left for the default rather than failing every call.
        let account_id_endpoint_mode = env
            .get("AWS_ACCOUNT_ID_ENDPOINT_MODE")
            .or_else(|| profile.config_value("account_id_endpoint_mode"))
            .and_then(|mode| mode.parse().ok());
        let global = env
            .get("AWS_ENDPOINT_URL")
            .or_else(|| profile.config_value("endpoint_url"))
            .map(Into::into);
        let mut builder = Self::builder().set_region(region);
        builder.inner.region_fallback = region_fallback;
        builder.inner.endpoint_env = (!ignore_endpoint_urls).then(|| EndpointEnv {
            env: env.clone(),
            global,
        });
        builder.inner.use_fips = use_fips;
        builder.inner.use_dual_stack = use_dual_stack;
        builder.inner.account_id_endpoint_mode = account_id_endpoint_mode;
        builder
            .set_app_id(app_id)
            .credentials_provider(DefaultCredentialsChain::with_env(env))
    }

    /// The region requests are sent to and signed for: the one set, else
    /// the one instance metadata gave at the first call (see
    /// [`Config::from_env`]).
    pub fn region(&self) -> Option<&Region> {
        self.settings.region.as_ref().or_else(|| {
            self.settings
                .region_fallback
                .as_ref()
                .and_then(|fallback| fallback.resolved.get()?.as_ref())
        })
    }

    /// Looks the region up in instance metadata, once, if none is set and
    /// [`Config::from_env`] left that fallback (a call does this first).
    pub(crate) async fn resolve_region(&self, cx: &ProviderContext) {
        let Some(fallback) = &self.settings.region_fallback else {
            return;
        };
        if self.settings.region.is_some() || fallback.resolved.get().is_some() {
            return;
        }
        let region = fallback.imds.region(cx).await.map(Region::from);
        #[cfg(feature = "tracing")]
        tracing::debug!(region = ?region, "region from instance metadata");
        let _ = fallback.resolved.set(region);
    }

    /// The endpoint that replaces the service's default one, if any: the
    /// one set on the builder, else the global one of the environment
    /// (`AWS_ENDPOINT_URL`, a profile's `endpoint_url`). A service-specific
    /// one of the environment wins over the latter for its service.
    pub fn endpoint_url(&self) -> Option<&str> {
        self.settings.endpoint_url.as_deref().or_else(|| {
            self.settings
                .endpoint_env
                .as_ref()
                .and_then(|e| e.global.as_deref())
        })
    }

    /// The endpoint URL for the service `service_id`: the builder's, else
    /// `AWS_ENDPOINT_URL_<SERVICE>`, else the profile's `services` section,
    /// else the global one (see [`Config::from_env`]).
    pub fn endpoint_url_for(&self, service_id: &str) -> Option<String> {
        if let Some(url) = &self.settings.endpoint_url {
            return Some(url.to_string());
        }
        let found = self.settings.endpoint_env.as_ref()?;
        let upper: String = service_id
            .chars()
            .map(|c| {
                if c == ' ' || c == '-' {
                    '_'
                } else {
                    c.to_ascii_uppercase()
                }
            })
            .collect();
        if let Some(url) = found.env.get(&format!("AWS_ENDPOINT_URL_{upper}")) {
            return Some(url);
        }
        let profile = ProfileCredentials::with_env(found.env.clone());
        if let Some(services) = profile.config_value("services") {
            let key = format!("{}.endpoint_url", upper.to_ascii_lowercase());
            if let Some(url) = profile.config_section_value(&format!("services {services}"), &key) {
                return Some(url);
            }
        }
        found.global.as_deref().map(str::to_owned)
    }

    /// Whether requests go to the service's FIPS endpoint.
    pub fn use_fips(&self) -> bool {
        self.settings.use_fips.unwrap_or(false)
    }

    /// Whether requests go to the service's dual-stack (IPv4 and IPv6) endpoint.
    pub fn use_dual_stack(&self) -> bool {
        self.settings.use_dual_stack.unwrap_or(false)
    }

    /// The value set for the endpoint parameter `name` with
    /// [`ConfigBuilder::endpoint_param`], if any.
    pub fn endpoint_param(&self, name: &str) -> Option<&Value> {
        self.settings.endpoint_params.get(name)
    }

    /// Whether endpoints may be account-based (see
    /// [`ConfigBuilder::account_id_endpoint_mode`]); `Preferred` unless set.
    pub fn account_id_endpoint_mode(&self) -> AccountIdEndpointMode {
        self.settings
            .account_id_endpoint_mode
            .unwrap_or(AccountIdEndpointMode::Preferred)
    }

    /// The fixed credentials requests are signed with, if they were set with
    /// [`ConfigBuilder::credentials`]; `None` if there are none or a provider
    /// supplies them (see [`Config::credentials_provider`]).
    pub fn credentials(&self) -> Option<&Credentials> {
        self.settings
            .credentials
            .as_ref()
            .and_then(SharedCredentialsProvider::fixed_credentials)
    }

    /// Where requests get their credentials, each time one is signed.
    pub fn credentials_provider(&self) -> Option<&SharedCredentialsProvider> {
        self.settings.credentials.as_ref()
    }

    /// What sends the STS and SSO calls of credentials providers (see
    /// [`ConfigBuilder::credentials_exchange`]).
    pub fn credentials_exchange(&self) -> Option<&Arc<dyn CredentialsExchange>> {
        self.settings.credentials_exchange.as_ref()
    }

    /// This configuration with `make()`'s exchange if it has none: what a
    /// generated client's `from_conf` calls with its `credentials` feature.
    #[doc(hidden)]
    pub fn with_default_credentials_exchange(
        self,
        make: impl FnOnce() -> Arc<dyn CredentialsExchange>,
    ) -> Self {
        if self.settings.credentials_exchange.is_some() {
            return self;
        }
        self.to_builder()
            .set_credentials_exchange(Some(make()))
            .build()
    }

    /// The signer requests are signed with, shared by this configuration's clones.
    pub fn signer(&self) -> &Signer {
        &self.settings.signer
    }

    /// The transport set with [`ConfigBuilder::http_client`], if any (calls
    /// use the default transport of the `https` feature when there is none).
    pub fn http_client(&self) -> Option<&SharedHttpClient> {
        self.settings.http_client.as_ref()
    }

    /// The limit on making a connection; `None`: no limit.
    pub fn connect_timeout(&self) -> Option<Duration> {
        self.settings.timeouts.connect
    }

    /// The limit on one attempt, from connecting to the end of the response;
    /// `None`: no limit.
    pub fn attempt_timeout(&self) -> Option<Duration> {
        self.settings.timeouts.attempt
    }

    /// The connect and attempt timeouts, as the transport gets them (less,
    /// when the operation timeout leaves less).
    pub fn timeouts(&self) -> RequestTimeouts {
        self.settings.timeouts
    }

    /// The limit on a whole call, every attempt and the waits between them
    /// included; `None`: no limit.
    pub fn operation_timeout(&self) -> Option<Duration> {
        self.settings.operation_timeout
    }

    /// The most requests one call sends, retries included (at least 1).
    pub fn max_attempts(&self) -> u32 {
        self.settings.max_attempts
    }

    /// The sleep set with [`ConfigBuilder::sleep_impl`], if any (calls use
    /// [`DefaultSleep`](crate::sleep::DefaultSleep) when there is none).
    pub fn sleep_impl(&self) -> Option<&SharedAsyncSleep> {
        self.settings.sleep.as_ref()
    }

    /// How far the service's clock is from this machine's, as learned from
    /// clock-skew errors; requests are signed with the corrected time.
    pub fn clock_offset(&self) -> &ClockOffset {
        &self.settings.clock_offset
    }

    /// The retry budget this configuration's clones share.
    pub fn retry_quota(&self) -> &RetryQuota {
        &self.settings.retry_quota
    }

    /// The endpoints resolved so far, shared by this configuration's clones.
    pub(crate) fn endpoints(&self) -> &EndpointCache {
        &self.settings.endpoints
    }

    /// The endpoints resolved so far with per-call parameters, shared by
    /// this configuration's clones.
    pub(crate) fn context_endpoints(&self) -> &ContextEndpointCache {
        &self.settings.context_endpoints
    }

    /// The application id the user agent names (`app/...`), if any.
    pub fn app_id(&self) -> Option<&str> {
        self.settings.app_id.as_deref()
    }

    /// The `user-agent` and `x-amz-user-agent` headers of calls to `service`.
    pub(crate) fn user_agent(&self, service: &ServiceInfo) -> UserAgent {
        let Ok(user_agent) = self
            .settings
            .user_agents
            .get_or_resolve(service.service_id, || {
                Ok::<_, std::convert::Infallible>(UserAgent::new(service, self.app_id()))
            });
        user_agent
    }

    /// The TLS settings of the default transport (trust anchors, client
    /// certificate).
    #[cfg(any(feature = "https", feature = "rt-tokio"))]
    pub fn tls(&self) -> &crate::transport::tls::TlsSettings {
        &self.settings.tls
    }

    /// The default transport for this configuration's TLS settings: the
    /// process-wide one for the defaults, else one made (once, shared by
    /// clones) for them.
    #[cfg(any(feature = "https", feature = "rt-tokio"))]
    pub(crate) fn default_transport(&self) -> Result<&SharedHttpClient, crate::error::BuildError> {
        use crate::transport::{default_client, DefaultClient};
        if self.settings.tls.is_default() {
            return Ok(default_client());
        }
        self.settings
            .tls_transport
            .get_or_init(|| {
                DefaultClient::with_tls(&self.settings.tls)
                    .map(SharedHttpClient::new)
                    .map_err(|e| e.to_string().into())
            })
            .as_ref()
            .map_err(|e| crate::error::BuildError::config(format!("TLS settings: {e}")))
    }

    /// A builder that starts from this configuration, to change part of it.
    pub fn to_builder(&self) -> ConfigBuilder {
        ConfigBuilder {
            inner: (*self.settings).clone(),
        }
    }
}

/// Builds a [`Config`]; see [`Config::builder`].
#[derive(Clone, Debug, Default)]
pub struct ConfigBuilder {
    inner: Settings,
}

impl ConfigBuilder {
    /// Sets the region, such as `"us-east-1"`.
    pub fn region(mut self, region: impl Into<Region>) -> Self {
        self.inner.region = Some(region.into());
        self
    }

    /// Sets or clears the region.
    pub fn set_region(mut self, region: Option<Region>) -> Self {
        self.inner.region = region;
        self
    }

    /// Sends requests to this URL (scheme, host, optional port and path prefix)
    /// instead of the service's default endpoint: an account-specific endpoint
    /// or a local emulator.
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.inner.endpoint_url = Some(url.into().into());
        self
    }

    /// Sets or clears the endpoint override.
    pub fn set_endpoint_url(mut self, url: Option<String>) -> Self {
        self.inner.endpoint_url = url.map(Into::into);
        self
    }

    /// Sends requests to the service's FIPS endpoint (FIPS 140 validated
    /// cryptography), as its endpoint rules name it; a region or service
    /// without one makes calls fail with the rules' error.
    pub fn use_fips(mut self, use_fips: bool) -> Self {
        self.inner.use_fips = Some(use_fips);
        self
    }

    /// Sends requests to the service's dual-stack (IPv4 and IPv6) endpoint.
    pub fn use_dual_stack(mut self, use_dual_stack: bool) -> Self {
        self.inner.use_dual_stack = Some(use_dual_stack);
        self
    }

    /// Sets the endpoint parameter `name` (a client context parameter of a
    /// service's model, such as S3's `ForcePathStyle`) to `value` (a string
    /// or a boolean) for every call. A service whose model does not list
    /// `name` among its `clientContextParams` ignores it, so one
    /// configuration serves clients of several services; a value of the
    /// wrong type fails the calls of a service that takes it, naming it.
    ///
    /// ```
    /// use sdk_runtime::Config;
    ///
    /// let config = Config::builder().endpoint_param("ForcePathStyle", true).build();
    /// assert_eq!(config.endpoint_param("ForcePathStyle"), Some(&true.into()));
    /// ```
    pub fn endpoint_param(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.inner.endpoint_params.set(name, value);
        self
    }

    /// Whether endpoints may be account-based, for services whose rules
    /// take the account id (`AWS::Auth::AccountId`, such as DynamoDB's
    /// `https://{AccountId}.ddb.{Region}.amazonaws.com`): `Preferred` (the
    /// default) uses the credentials' account id when they carry one
    /// ([`Credentials::with_account_id`]), `Required` makes calls fail when
    /// they carry none, `Disabled` never uses it.
    pub fn account_id_endpoint_mode(mut self, mode: AccountIdEndpointMode) -> Self {
        self.inner.account_id_endpoint_mode = Some(mode);
        self
    }

    /// Sets the credentials requests are signed with (replacing any provider).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.inner.credentials = Some(SharedCredentialsProvider::fixed(credentials));
        self
    }

    /// Sets or clears the credentials (replacing any provider).
    pub fn set_credentials(mut self, credentials: Option<Credentials>) -> Self {
        self.inner.credentials = credentials.map(SharedCredentialsProvider::fixed);
        self
    }

    /// Gets credentials from `provider` each time a request is signed
    /// (replacing any fixed credentials).
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.inner.credentials = Some(SharedCredentialsProvider::new(provider));
        self
    }

    /// Sets or clears the credentials provider.
    pub fn set_credentials_provider(mut self, provider: Option<SharedCredentialsProvider>) -> Self {
        self.inner.credentials = provider;
        self
    }

    /// Sends the STS and SSO calls that credentials providers need (roles,
    /// web identity, SSO) through `exchange`. A generated crate with its
    /// `credentials` feature sets `sdk_credentials::Exchange` (the
    /// generated `sts` and `sso` clients) in each client it makes when none
    /// is set; set one here for the `sts` and `sso` crates' own clients,
    /// which cannot, or to send those calls some other way.
    pub fn credentials_exchange(mut self, exchange: impl CredentialsExchange + 'static) -> Self {
        self.inner.credentials_exchange = Some(Arc::new(exchange));
        self
    }

    /// Sets or clears what sends the STS and SSO calls of credentials providers.
    pub fn set_credentials_exchange(
        mut self,
        exchange: Option<Arc<dyn CredentialsExchange>>,
    ) -> Self {
        self.inner.credentials_exchange = exchange;
        self
    }

    /// Sets the transport requests are sent with.
    pub fn http_client(mut self, client: impl HttpClient + 'static) -> Self {
        self.inner.http_client = Some(SharedHttpClient::new(client));
        self
    }

    /// Sets or clears the transport.
    pub fn set_http_client(mut self, client: Option<SharedHttpClient>) -> Self {
        self.inner.http_client = client;
        self
    }

    /// Limits how long making a connection may take (default
    /// [`DEFAULT_CONNECT_TIMEOUT`]).
    pub fn connect_timeout(self, timeout: Duration) -> Self {
        self.set_connect_timeout(Some(timeout))
    }

    /// Sets the connect timeout, or with `None` removes the limit.
    pub fn set_connect_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.inner.timeouts.connect = timeout;
        self
    }

    /// Limits how long one attempt may take, from connecting to the last
    /// byte of the response (default [`DEFAULT_ATTEMPT_TIMEOUT`]). An attempt
    /// that runs out fails with a
    /// [`ConnectorErrorKind::Timeout`](crate::transport::ConnectorErrorKind::Timeout)
    /// error, and is retried as a transient failure.
    pub fn attempt_timeout(self, timeout: Duration) -> Self {
        self.set_attempt_timeout(Some(timeout))
    }

    /// Sets the attempt timeout, or with `None` removes the limit.
    pub fn set_attempt_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.inner.timeouts.attempt = timeout;
        self
    }

    /// Limits how long a whole call may take, every attempt and the waits
    /// between them included (default [`DEFAULT_OPERATION_TIMEOUT`]). No
    /// attempt is given longer than what is left: one that runs out fails
    /// the call with a [`Timeout::Operation`](crate::transport::Timeout::Operation)
    /// error, and no retry starts whose wait would end after it (the call
    /// returns the last attempt's error instead).
    pub fn operation_timeout(self, timeout: Duration) -> Self {
        self.set_operation_timeout(Some(timeout))
    }

    /// Sets the operation timeout, or with `None` removes the limit.
    pub fn set_operation_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.inner.operation_timeout = timeout;
        self
    }

    /// Sets the most requests one call sends, the first included (default
    /// [`DEFAULT_MAX_ATTEMPTS`]): 1 turns retries off; 0 counts as 1.
    ///
    /// A request whose signing time the service rejects is signed again with
    /// the corrected clock once, on top of these (see [`crate::clock`]).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.inner.max_attempts = attempts.max(1);
        self
    }

    /// Waits between retries with `sleep`, e.g. another executor's timer,
    /// or [`InstantSleep`](crate::testing::InstantSleep) in tests.
    pub fn sleep_impl(mut self, sleep: impl AsyncSleep + 'static) -> Self {
        self.inner.sleep = Some(SharedAsyncSleep::new(sleep));
        self
    }

    /// Sets or clears the sleep (cleared: the default one).
    pub fn set_sleep_impl(mut self, sleep: Option<SharedAsyncSleep>) -> Self {
        self.inner.sleep = sleep;
        self
    }

    /// Trusts the CA certificates of `pem` (one or more `CERTIFICATE`
    /// blocks) besides the Mozilla roots, in the default transport: a
    /// private CA, an emulator's self-signed certificate. Can be called
    /// again to add more. A PEM that does not parse fails the first call
    /// with a [`ConstructionFailure`](crate::SdkError::ConstructionFailure)
    /// naming it.
    #[cfg(any(feature = "https", feature = "rt-tokio"))]
    pub fn add_trust_anchors_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.inner.tls.add_trust_anchors_pem(pem);
        self.inner.tls_transport = Arc::default();
        self
    }

    /// Presents a client certificate (mutual TLS) in the default transport
    /// when a server asks for one, as AWS IoT's credentials provider does:
    /// `chain_pem` holds the certificate (and any intermediates after it),
    /// `key_pem` its private key (PKCS #8, PKCS #1 or SEC1). Errors as for
    /// [`add_trust_anchors_pem`](Self::add_trust_anchors_pem); the key is
    /// never shown by `Debug` or an error.
    #[cfg(any(feature = "https", feature = "rt-tokio"))]
    pub fn client_certificate_pem(
        mut self,
        chain_pem: impl Into<Vec<u8>>,
        key_pem: impl Into<Vec<u8>>,
    ) -> Self {
        self.inner
            .tls
            .set_client_certificate_pem(chain_pem, key_pem);
        self.inner.tls_transport = Arc::default();
        self
    }

    /// Names the application in every request's `x-amz-user-agent`
    /// (`app/<id>`, at most 50 characters of `A-Za-z0-9!#$%&'*+-.^_`|~`;
    /// others become `-`), so AWS-side metrics and support can tell it apart.
    pub fn app_id(mut self, id: impl Into<String>) -> Self {
        self.inner.app_id = Some(id.into().into());
        self
    }

    /// Sets or clears the application id.
    pub fn set_app_id(mut self, id: Option<String>) -> Self {
        self.inner.app_id = id.map(Into::into);
        self
    }

    /// The configuration.
    pub fn build(self) -> Config {
        Config {
            settings: Arc::new(self.inner),
        }
    }
}

/// Settings that one call can change for itself (a fluent builder's
/// `config_override`): the timeouts and the most attempts. What is not set
/// stays as the client's configuration says.
///
/// ```
/// use std::time::Duration;
/// use sdk_runtime::{Config, ConfigOverride};
///
/// let config = Config::builder().max_attempts(5).build();
/// let call = ConfigOverride::new()
///     .operation_timeout(Duration::from_secs(2))
///     .max_attempts(1)
///     .apply(&config);
/// assert_eq!(call.max_attempts(), 1);
/// assert_eq!(call.operation_timeout(), Some(Duration::from_secs(2)));
/// assert_eq!(config.max_attempts(), 5);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConfigOverride {
    connect_timeout: Option<Option<Duration>>,
    attempt_timeout: Option<Option<Duration>>,
    operation_timeout: Option<Option<Duration>>,
    max_attempts: Option<u32>,
}

impl ConfigOverride {
    /// An override that changes nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// As [`ConfigBuilder::connect_timeout`], for this call.
    pub fn connect_timeout(self, timeout: Duration) -> Self {
        self.set_connect_timeout(Some(timeout))
    }

    /// As [`ConfigBuilder::set_connect_timeout`], for this call.
    pub fn set_connect_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// As [`ConfigBuilder::attempt_timeout`], for this call.
    pub fn attempt_timeout(self, timeout: Duration) -> Self {
        self.set_attempt_timeout(Some(timeout))
    }

    /// As [`ConfigBuilder::set_attempt_timeout`], for this call.
    pub fn set_attempt_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// As [`ConfigBuilder::operation_timeout`], for this call.
    pub fn operation_timeout(self, timeout: Duration) -> Self {
        self.set_operation_timeout(Some(timeout))
    }

    /// As [`ConfigBuilder::set_operation_timeout`], for this call.
    pub fn set_operation_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.operation_timeout = Some(timeout);
        self
    }

    /// As [`ConfigBuilder::max_attempts`], for this call.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts.max(1));
        self
    }

    /// `config` with this override applied. The result shares what
    /// `config`'s clones share (signer, clock offset, retry quota,
    /// transport); an override that changes nothing returns a clone.
    pub fn apply(&self, config: &Config) -> Config {
        if *self == Self::default() {
            return config.clone();
        }
        let mut builder = config.to_builder();
        let inner = &mut builder.inner;
        if let Some(timeout) = self.connect_timeout {
            inner.timeouts.connect = timeout;
        }
        if let Some(timeout) = self.attempt_timeout {
            inner.timeouts.attempt = timeout;
        }
        if let Some(timeout) = self.operation_timeout {
            inner.operation_timeout = timeout;
        }
        if let Some(attempts) = self.max_attempts {
            inner.max_attempts = attempts;
        }
        builder.build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::ProvideNow;

    #[test]
    fn an_override_changes_only_what_it_sets() {
        let config = Config::builder()
            .region("eu-west-1")
            .connect_timeout(Duration::from_secs(2))
            .max_attempts(4)
            .build();
        let same = ConfigOverride::new().apply(&config);
        assert_eq!(same.timeouts(), config.timeouts());
        let changed = ConfigOverride::new()
            .set_attempt_timeout(None)
            .operation_timeout(Duration::from_millis(500))
            .apply(&config);
        assert_eq!(changed.connect_timeout(), Some(Duration::from_secs(2)));
        assert_eq!(changed.attempt_timeout(), None);
        assert_eq!(
            changed.operation_timeout(),
            Some(Duration::from_millis(500))
        );
        assert_eq!(changed.max_attempts(), 4);
        assert_eq!(changed.region(), config.region());
        assert!(std::ptr::eq(config.retry_quota(), changed.retry_quota()));
        assert_eq!(
            ConfigOverride::new()
                .max_attempts(0)
                .apply(&config)
                .max_attempts(),
            1
        );
    }

    #[test]
    fn builder_sets_and_clears() {
        let config = Config::builder()
            .region("eu-west-1")
            .endpoint_url("http://127.0.0.1:8080")
            .build();
        assert_eq!(config.region(), Some(&Region::new("eu-west-1")));
        assert_eq!(config.endpoint_url(), Some("http://127.0.0.1:8080"));
        let cleared = config.to_builder().set_endpoint_url(None).build();
        assert_eq!(cleared.endpoint_url(), None);
        assert_eq!(cleared.region().map(Region::as_str), Some("eu-west-1"));
    }

    #[test]
    fn debug_does_not_show_secret() {
        let config = Config::builder()
            .credentials(Credentials::new("AKID", "TOPSECRET", None))
            .build();
        assert!(!format!("{config:?}").contains("TOPSECRET"));
    }

    #[test]
    fn credentials_or_a_provider() {
        let creds = Credentials::new("AKID", "SECRET", None);
        let fixed = Config::builder().credentials(creds.clone()).build();
        assert_eq!(fixed.credentials(), Some(&creds));
        let provided = fixed
            .to_builder()
            .credentials_provider(Credentials::new("OTHER", "SECRET", None))
            .build();
        assert_eq!(provided.credentials(), None);
        let resolved = provided
            .credentials_provider()
            .unwrap()
            .provide_now()
            .unwrap();
        assert_eq!(resolved.access_key_id(), "OTHER");
        let cleared = provided.to_builder().set_credentials(None).build();
        assert!(cleared.credentials_provider().is_none());
    }

    #[test]
    fn clones_share_the_signer() {
        let config = Config::builder().region("us-east-1").build();
        let clone = config.clone();
        let rebuilt = config.to_builder().region("eu-west-1").build();
        assert!(std::ptr::eq(config.signer(), clone.signer()));
        assert!(std::ptr::eq(config.signer(), rebuilt.signer()));
        assert!(!std::ptr::eq(config.signer(), Config::default().signer()));
        config.clock_offset().set_millis(-42);
        assert_eq!(rebuilt.clock_offset().millis(), -42);
        assert_eq!(Config::default().clock_offset().millis(), 0);
        assert!(std::ptr::eq(config.retry_quota(), rebuilt.retry_quota()));
    }

    #[test]
    fn timeouts_and_retries_default_and_change() {
        let config = Config::builder().build();
        assert_eq!(config.connect_timeout(), Some(Duration::from_millis(3100)));
        assert_eq!(config.attempt_timeout(), Some(Duration::from_secs(10)));
        assert_eq!(config.operation_timeout(), Some(Duration::from_secs(25)));
        assert_eq!(config.max_attempts(), 3);
        assert!(config.sleep_impl().is_none());
        let changed = config
            .to_builder()
            .connect_timeout(Duration::from_secs(1))
            .set_attempt_timeout(None)
            .max_attempts(5)
            .sleep_impl(crate::testing::InstantSleep::new())
            .build();
        assert_eq!(
            changed.timeouts(),
            RequestTimeouts {
                connect: Some(Duration::from_secs(1)),
                attempt: None,
            }
        );
        assert_eq!(changed.max_attempts(), 5);
        assert!(changed.sleep_impl().is_some());
        assert_eq!(Config::builder().max_attempts(0).build().max_attempts(), 1);
    }

    #[test]
    fn fips_and_dual_stack_from_the_environment_then_the_profile() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config");
        std::fs::write(
            &file,
            "[profile dev]\nuse_fips_endpoint = true\nuse_dualstack_endpoint = TRUE\nendpoint_url = http://127.0.0.1:9\n",
        )
        .unwrap();
        let path = file.display().to_string();
        let profile = Config::from_env_with(Env::from_pairs([
            ("AWS_CONFIG_FILE", path.as_str()),
            ("AWS_PROFILE", "dev"),
        ]))
        .build();
        assert!(profile.use_fips() && profile.use_dual_stack());
        assert_eq!(profile.endpoint_url(), Some("http://127.0.0.1:9"));
        let env = Config::from_env_with(Env::from_pairs([
            ("AWS_CONFIG_FILE", path.as_str()),
            ("AWS_PROFILE", "dev"),
            ("AWS_USE_FIPS_ENDPOINT", "false"),
        ]))
        .build();
        assert!(!env.use_fips() && env.use_dual_stack());
        let built = Config::builder().use_fips(true).build();
        assert!(built.use_fips() && !built.use_dual_stack());
        assert!(!Config::default().use_fips());
    }

    #[test]
    fn configured_endpoint_urls_can_be_ignored_and_the_account_mode_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config");
        std::fs::write(
            &file,
            "[profile dev]\nendpoint_url = http://127.0.0.1:9\nservices = local\n\
             ignore_configured_endpoint_urls = true\naccount_id_endpoint_mode = disabled\n\
             [services local]\ndynamodb =\n  endpoint_url = http://127.0.0.1:8\n",
        )
        .unwrap();
        let path = file.display().to_string();
        let vars = |extra: &[(&'static str, &'static str)]| {
            let mut pairs = vec![
                ("AWS_CONFIG_FILE", path.clone()),
                ("AWS_PROFILE", "dev".to_owned()),
                ("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:7".to_owned()),
            ];
            pairs.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
            Env::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
        };
        // The profile says to ignore them: neither the environment's nor the profile's apply.
        let ignored = Config::from_env_with(vars(&[])).build();
        assert_eq!(ignored.endpoint_url(), None);
        assert_eq!(ignored.endpoint_url_for("DynamoDB"), None);
        assert_eq!(
            ignored.account_id_endpoint_mode(),
            AccountIdEndpointMode::Disabled
        );
        // The code's own endpoint URL still applies.
        let coded = Config::from_env_with(vars(&[]))
            .endpoint_url("http://127.0.0.1:6")
            .build();
        assert_eq!(
            coded.endpoint_url_for("DynamoDB").as_deref(),
            Some("http://127.0.0.1:6")
        );
        // The environment wins over the profile, for both settings.
        let used = Config::from_env_with(vars(&[
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false"),
            ("AWS_ACCOUNT_ID_ENDPOINT_MODE", "REQUIRED"),
        ]))
        .build();
        assert_eq!(
            used.endpoint_url_for("DynamoDB").as_deref(),
            Some("http://127.0.0.1:7")
        );
        assert_eq!(used.endpoint_url(), Some("http://127.0.0.1:9"));
        assert_eq!(
            used.account_id_endpoint_mode(),
            AccountIdEndpointMode::Required
        );
        assert_eq!(
            Config::default().account_id_endpoint_mode(),
            AccountIdEndpointMode::Preferred
        );
    }

    #[test]
    fn from_env_reads_region_endpoint_and_credentials() {
        let env = Env::from_pairs([
            ("AWS_REGION", "eu-west-1"),
            ("AWS_DEFAULT_REGION", "us-west-2"),
            ("AWS_ENDPOINT_URL", "http://localhost:4566"),
            ("AWS_ACCESS_KEY_ID", "ENVKEY"),
            ("AWS_SECRET_ACCESS_KEY", "TOPSECRET"),
        ]);
        let config = Config::from_env_with(env).build();
        assert_eq!(config.region().map(Region::as_str), Some("eu-west-1"));
        assert_eq!(config.endpoint_url(), Some("http://localhost:4566"));
        let creds = config
            .credentials_provider()
            .unwrap()
            .provide_now()
            .unwrap();
        assert_eq!(creds.access_key_id(), "ENVKEY");
        assert!(!format!("{config:?}").contains("TOPSECRET"));

        let fallback =
            Config::from_env_with(Env::from_pairs([("AWS_DEFAULT_REGION", "us-west-2")])).build();
        assert_eq!(fallback.region().map(Region::as_str), Some("us-west-2"));
        assert_eq!(fallback.endpoint_url(), None);
    }

    #[test]
    fn explicit_values_win_over_the_environment() {
        let env = Env::from_pairs([
            ("AWS_REGION", "eu-west-1"),
            ("AWS_ENDPOINT_URL", "http://localhost:4566"),
            ("AWS_ACCESS_KEY_ID", "ENVKEY"),
            ("AWS_SECRET_ACCESS_KEY", "ENVSECRET"),
        ]);
        let config = Config::from_env_with(env)
            .region("ap-south-1")
            .endpoint_url("https://example.com")
            .credentials(Credentials::new("EXPLICIT", "SECRET", None))
            .build();
        assert_eq!(config.region().map(Region::as_str), Some("ap-south-1"));
        assert_eq!(config.endpoint_url(), Some("https://example.com"));
        assert_eq!(
            config.credentials().map(Credentials::access_key_id),
            Some("EXPLICIT")
        );
    }

    #[test]
    fn the_application_id_comes_from_the_builder_the_environment_or_the_profile() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().to_string_lossy().into_owned();
        let aws = dir.path().join(".aws");
        std::fs::create_dir(&aws).unwrap();
        std::fs::write(
            aws.join("config"),
            "[default]\nsdk_ua_app_id = from-default\n[profile fleet]\nsdk_ua_app_id = from-fleet\n",
        )
        .unwrap();
        let with = |pairs: &[(&str, &str)]| {
            let mut all = vec![("HOME", home.as_str())];
            all.extend_from_slice(pairs);
            Config::from_env_with(Env::from_pairs(all)).build()
        };
        assert_eq!(with(&[]).app_id(), Some("from-default"));
        assert_eq!(
            with(&[("AWS_PROFILE", "fleet")]).app_id(),
            Some("from-fleet")
        );
        assert_eq!(
            with(&[("AWS_SDK_UA_APP_ID", "from-env"), ("AWS_PROFILE", "fleet")]).app_id(),
            Some("from-env")
        );
        assert_eq!(with(&[("AWS_PROFILE", "other")]).app_id(), None);
        let explicit = Config::from_env_with(Env::from_pairs([("HOME", home.as_str())]))
            .app_id("explicit")
            .build();
        assert_eq!(explicit.app_id(), Some("explicit"));
    }

    #[test]
    fn from_env_resolves_credentials_lazily() {
        // Nothing to find: building works, resolving says what was tried.
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().to_string_lossy().into_owned();
        let config = Config::from_env_with(Env::from_pairs([
            ("HOME", home.as_str()),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ]))
        .build();
        assert_eq!(config.region(), None);
        let err = config
            .credentials_provider()
            .unwrap()
            .provide_now()
            .unwrap_err();
        assert!(err.to_string().contains("AWS_ACCESS_KEY_ID"), "{err}");

        // Credentials written after the configuration was built are found.
        let aws = dir.path().join(".aws");
        std::fs::create_dir(&aws).unwrap();
        std::fs::write(
            aws.join("credentials"),
            "[default]\naws_access_key_id = LATE\naws_secret_access_key = S\n",
        )
        .unwrap();
        let creds = config
            .credentials_provider()
            .unwrap()
            .provide_now()
            .unwrap();
        assert_eq!(creds.access_key_id(), "LATE");
    }
}
