//! The call pipeline every operation goes through.
//!
//! A generated operation supplies the two sans-IO halves
//! ([`Operation::serialize_request`], [`Operation::parse_response`]); this
//! module supplies the rest, the same for every service: endpoint
//! resolution, SigV4 signing, dispatch through the configured transport,
//! retries, and turning the outcome into [`SdkError`].

use std::borrow::Cow;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use crate::config::{Config, Endpoint};
use crate::credentials::{Credentials, ProvideCredentials, ProviderContext};
use crate::endpoint::{AccountIdEndpointMode, Params, ResolvedEndpoint, RuleSet, Value};
use crate::error::{BoxError, BuildError, ErrorMetadata, SdkError};
use crate::retry::{self, RetryQuota, Verdict};
use crate::sigv4::{SigningParams, SigningSettings};
use crate::sleep::{AsyncSleep, DefaultSleep};
use crate::transport::{
    ConnectorError, ConnectorErrorKind, HttpClient, HttpRequest, HttpResponse, RequestTimeouts,
    SharedHttpClient,
};

/// What a client needs to know about the service it calls, from the model's metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServiceInfo {
    /// The service id (`IoT Jobs Data Plane`).
    pub service_id: &'static str,
    /// The first labels of the default endpoint's host (`data.jobs.iot`).
    pub endpoint_prefix: &'static str,
    /// The name requests are signed for (`iot-jobs-data`).
    pub signing_name: &'static str,
    /// The API version (`2017-09-29`).
    pub api_version: &'static str,
    /// The generated crate's version, for the user agent's `api/` part.
    pub crate_version: &'static str,
    /// The service's endpoint rule set, in the generator's compact form
    /// (checked at generation time); `None`: `https://{endpoint_prefix}.{region}.amazonaws.com`.
    pub endpoint_rules: Option<&'static str>,
    /// The rule set's parameters a configuration may set for every call
    /// (the model's `clientContextParams`, set with
    /// [`ConfigBuilder::endpoint_param`](crate::ConfigBuilder::endpoint_param)).
    pub client_context_params: &'static [&'static str],
}

/// A prefix the operation puts before the endpoint's host (`foo.` of the
/// model's `endpoint.hostPrefix`, labels filled in); carried in the request's
/// extensions from `serialize_request` to [`invoke`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostPrefix(pub String);

/// Why a response did not yield the operation's output.
#[derive(Debug)]
pub enum ResponseFailure<E> {
    /// The service answered with an error, parsed into the operation's error
    /// type (boxed: error shapes can be large, and this sits in every
    /// `parse_response` result).
    Service(Box<E>),
    /// The response could not be parsed.
    Malformed(BoxError),
}

impl<E> ResponseFailure<E> {
    /// An error the service answered with.
    pub fn service(error: E) -> Self {
        Self::Service(Box::new(error))
    }

    /// A response that could not be parsed.
    pub fn malformed(source: impl Into<BoxError>) -> Self {
        Self::Malformed(source.into())
    }
}

/// Where [`invoke`] leaves the request id of a successful response
/// (generated outputs keep it for [`RequestId`](crate::RequestId)).
pub trait SetRequestId {
    /// Keeps `id`, the response's request id, if it had one.
    fn set_request_id(&mut self, id: Option<String>);
}

impl SetRequestId for () {
    fn set_request_id(&mut self, _: Option<String>) {}
}

/// One operation of a service: its types and its wire mapping.
pub trait Operation {
    /// The operation's name in the model.
    const NAME: &'static str;
    /// Whether requests go unsigned (the model's `authtype: none`, as STS
    /// `AssumeRoleWithWebIdentity` and SSO `GetRoleCredentials`): then no
    /// credentials are asked for.
    const UNSIGNED: bool = false;
    /// The input.
    type Input;
    /// The output of a successful call.
    type Output: SetRequestId;
    /// The errors the operation can return.
    type Error;

    /// Builds the HTTP request for `input`, with a URI of path and query only;
    /// [`invoke`] adds the endpoint.
    fn serialize_request(input: &Self::Input) -> Result<HttpRequest, BuildError>;

    /// Parses a response into the output, or the operation's error.
    fn parse_response(
        response: &HttpResponse,
    ) -> Result<Self::Output, ResponseFailure<Self::Error>>;

    /// Reads what an error response says about itself (code, message,
    /// request id), where the operation's protocol puts it. [`invoke`] reads
    /// it once per error response, for its retry decision, and leaves it in
    /// the response's extensions for `parse_response` (see
    /// [`ErrorMetadata::parsed`]).
    fn error_metadata(response: &HttpResponse) -> ErrorMetadata;

    /// Whether the operation binds endpoint parameters of its own (the
    /// model's `staticContextParams`, `contextParam` members and
    /// `operationContextParams`): its endpoint is then resolved per call,
    /// with [`Self::endpoint_context`].
    const ENDPOINT_CONTEXT: bool = false;

    /// Sets on `params` the endpoint parameters the operation binds, from
    /// `input`; called only when [`Self::ENDPOINT_CONTEXT`] is `true`.
    fn endpoint_context(input: &Self::Input, params: &mut Params) {
        let _ = (input, params);
    }
}

/// The AWS SDKs' detailed user-agent header (see [`crate::user_agent`]).
const X_AMZ_USER_AGENT: http::HeaderName = http::HeaderName::from_static("x-amz-user-agent");

/// Calls operation `O` of `service` with `input`, as `config` says: per
/// attempt builds the request and points it at the endpoint (resolved once
/// per configuration), signs it with the configured credentials and region
/// (afresh, with a fresh `x-amz-date`), sends it and decides whether to try
/// again (see [`crate::retry`] and [`crate::clock`]); parses the last
/// response.
///
/// The error of a call that retried is the last attempt's, and
/// [`SdkError::attempts`] says how many requests were sent.
pub async fn invoke<O: Operation>(
    config: &Config,
    service: &ServiceInfo,
    input: &O::Input,
) -> Result<O::Output, SdkError<O::Error>> {
    invoke_with_status::<O>(config, service, input)
        .await
        .map(|(output, _)| output)
}

/// [`invoke`], also giving the HTTP status of a successful response (what
/// a waiter's `status` acceptor matches).
pub(crate) async fn invoke_with_status<O: Operation>(
    config: &Config,
    service: &ServiceInfo,
    input: &O::Input,
) -> Result<(O::Output, u16), SdkError<O::Error>> {
    let mut attempts = 0;
    #[cfg(feature = "tracing")]
    let result = {
        use tracing::Instrument;
        let span = tracing::debug_span!(
            "call",
            service = service.service_id,
            operation = O::NAME,
            attempts = tracing::field::Empty,
        );
        let result = invoke_counting::<O>(config, service, input, &mut attempts)
            .instrument(span.clone())
            .await;
        span.record("attempts", attempts);
        result
    };
    #[cfg(not(feature = "tracing"))]
    let result = invoke_counting::<O>(config, service, input, &mut attempts).await;
    result.map_err(|err| err.with_attempts(attempts))
}

/// Sends one attempt; with the `tracing` feature inside an `attempt` span
/// that records its number, the HTTP status, the request id and how long
/// it took (never a header or body, which may hold secrets).
async fn send_attempt(
    client: &SharedHttpClient,
    request: HttpRequest,
    number: u32,
) -> Result<HttpResponse, ConnectorError> {
    #[cfg(feature = "tracing")]
    {
        use tracing::Instrument;
        let span = tracing::debug_span!(
            "attempt",
            number,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = std::time::Instant::now();
        let outcome = client.send(request).instrument(span.clone()).await;
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        match &outcome {
            Ok(response) => {
                span.record("status", response.status().as_u16());
                if let Some(id) = crate::error::request_id(response.headers()) {
                    span.record("request_id", id);
                }
            }
            Err(err) => {
                let _enter = span.enter();
                tracing::debug!(kind = ?err.kind(), "no response: {err}");
            }
        }
        outcome
    }
    #[cfg(not(feature = "tracing"))]
    {
        let _ = number;
        client.send(request).await
    }
}

async fn invoke_counting<O: Operation>(
    config: &Config,
    service: &ServiceInfo,
    input: &O::Input,
    attempts: &mut u32,
) -> Result<(O::Output, u16), SdkError<O::Error>> {
    let client = http_client(config).map_err(SdkError::construction_failure)?;
    let provider_context = ProviderContext::new(Some(client.clone()))
        .with_exchange(config.credentials_exchange().cloned());
    config.resolve_region(&provider_context).await;
    // Per-call endpoint parameters: the operation's context parameters, and
    // the account id of the credentials where the rules take it (the
    // credentials are then fetched before the endpoint, and the first
    // attempt signs with them).
    let mut per_call = Params::new();
    let mut first_credentials = None;
    if let Some(rules) = service.endpoint_rules {
        if O::ENDPOINT_CONTEXT {
            O::endpoint_context(input, &mut per_call);
        }
        // An unsigned operation asks for no credentials, so it has no account id.
        let parameter = account_id_parameter(config, service, rules).filter(|_| !O::UNSIGNED);
        if let Some(parameter) = parameter {
            // A missing region says so before the credentials are sought
            // (the full check, which may read the profile, only then).
            if config.region().is_none() && config.endpoint_url().is_none() {
                check_region(config, service).map_err(SdkError::construction_failure)?;
            }
            let credentials = credentials(config, &provider_context)
                .await
                .map_err(SdkError::construction_failure)?;
            per_call.set_opt(&parameter, credentials.account_id());
            first_credentials = Some(credentials);
        }
    }
    let base = if per_call.is_empty() {
        config
            .endpoints()
            .get_or_resolve(service.endpoint_prefix, || {
                resolve_endpoint(config, service, &per_call)
            })
    } else {
        config
            .context_endpoints()
            .get_or_resolve(service.endpoint_prefix, &per_call, || {
                resolve_endpoint(config, service, &per_call)
            })
    }
    .map_err(SdkError::construction_failure)?;
    // Each attempt sends a request of its own. Serializing is deterministic
    // (idempotency tokens are filled when the input is built), so a retry
    // serializes again rather than every call keeping a copy it rarely needs.
    let prepare = || -> Result<HttpRequest, BuildError> {
        let mut request = O::serialize_request(input)?;
        frame(&mut request);
        apply_endpoint(&mut request, &base)?;
        for (name, value) in &base.headers {
            request.headers_mut().append(name.clone(), value.clone());
        }
        Ok(request)
    };
    let mut first = Some(prepare().map_err(SdkError::construction_failure)?);
    let user_agent = config.user_agent(service);
    let default_sleep = DefaultSleep;
    let sleep: &dyn AsyncSleep = match config.sleep_impl() {
        Some(sleep) => sleep,
        None => &default_sleep,
    };

    let deadline = Deadline::start(config.operation_timeout());
    let mut retries = 0;
    let mut last_retry_cost = None;
    let mut clock_corrected = false;
    let outcome = loop {
        let mut attempt = match first.take() {
            Some(request) => request,
            None => prepare().map_err(SdkError::construction_failure)?,
        };
        let (timeouts, cut_short) = deadline.cap(config.timeouts());
        attempt.extensions_mut().insert(timeouts);
        let headers = attempt.headers_mut();
        headers.insert(http::header::USER_AGENT, user_agent.user_agent.clone());
        headers.insert(X_AMZ_USER_AGENT, user_agent.amz_user_agent.clone());
        if !O::UNSIGNED {
            let credentials = match first_credentials.take() {
                Some(credentials) => credentials,
                None => credentials(config, &provider_context)
                    .await
                    .map_err(SdkError::construction_failure)?,
            };
            sign_for(config, service, &base, &credentials, &mut attempt)
                .map_err(SdkError::construction_failure)?;
        }
        // Kept (reference-counted, no copy) to name the peer in an error.
        let target = (
            attempt.uri().scheme().cloned(),
            attempt.uri().authority().cloned(),
        );
        *attempts += 1;
        let mut outcome = send_attempt(client, attempt, *attempts).await;
        if let Err(err) = &mut outcome {
            err.name_peer(crate::transport::peer(target.0.as_ref(), target.1.as_ref()));
        }
        // The attempt was given only what was left of the call's time, and
        // it ran out: that is the operation timeout's doing.
        let outcome = match outcome {
            Err(err) if cut_short && err.kind() == ConnectorErrorKind::Timeout => {
                break Err(err.into_operation_timeout(config.operation_timeout()));
            }
            outcome => outcome,
        };
        let mut outcome = outcome;
        let error = match &mut outcome {
            Ok(response) if response.status().as_u16() >= 400 => {
                let meta = O::error_metadata(response);
                response.extensions_mut().insert(meta.clone());
                Some(meta)
            }
            _ => None,
        };
        match retry::classify(&outcome, error.as_ref()) {
            Verdict::ClockSkew(service_time) if !clock_corrected => {
                // A service time too far off to believe ends the call with
                // the service's error; the offset stays as it was.
                if !config.clock_offset().learn(service_time, SystemTime::now()) {
                    #[cfg(feature = "tracing")]
                    tracing::warn!(
                        "the service's clock is too far from this machine's to believe; not corrected"
                    );
                    break outcome;
                }
                #[cfg(feature = "tracing")]
                tracing::info!(
                    offset_ms = config.clock_offset().millis(),
                    "clock skew corrected; signing again"
                );
                clock_corrected = true;
            }
            Verdict::Retry(kind) if retries + 1 < config.max_attempts() => {
                let Some(cost) = config.retry_quota().acquire(kind) else {
                    break outcome;
                };
                let wait = retry::backoff(retries, retry::random_jitter());
                if !deadline.allows(wait) {
                    // No time for the wait and another attempt: the token
                    // goes back, and the call ends with what it has.
                    config.retry_quota().release(cost);
                    break outcome;
                }
                last_retry_cost = Some(cost);
                #[cfg(feature = "tracing")]
                tracing::debug!(
                    reason = ?kind,
                    wait_ms = wait.as_millis() as u64,
                    attempt = *attempts,
                    "retrying"
                );
                sleep.sleep(wait).await;
                retries += 1;
            }
            _ => break outcome,
        }
    };

    let response = outcome.map_err(SdkError::dispatch_failure)?;
    match O::parse_response(&response) {
        Ok(mut output) => {
            // A protocol that carries the id in the body (awsQuery, EC2) has
            // set it already; a header, where there is one, wins.
            if let Some(id) = crate::error::request_id(response.headers()) {
                output.set_request_id(Some(id.to_owned()));
            }
            config
                .retry_quota()
                .release(last_retry_cost.unwrap_or(RetryQuota::SUCCESS_REWARD));
            Ok((output, response.status().as_u16()))
        }
        Err(ResponseFailure::Service(err)) => Err(SdkError::service_error_boxed(err, response)),
        Err(ResponseFailure::Malformed(err)) => Err(SdkError::response_error(err, response)),
    }
}

/// When a call with an operation timeout must end.
#[derive(Clone, Copy)]
struct Deadline(Option<Instant>);

impl Deadline {
    fn start(timeout: Option<Duration>) -> Self {
        Self(timeout.and_then(|timeout| Instant::now().checked_add(timeout)))
    }

    /// `timeouts`, shortened to what is left of the call's time; and
    /// whether the attempt timeout was (so that its running out is the
    /// operation timeout's).
    fn cap(self, timeouts: RequestTimeouts) -> (RequestTimeouts, bool) {
        let Some(end) = self.0 else {
            return (timeouts, false);
        };
        let left = end.saturating_duration_since(Instant::now());
        let cut_short = timeouts.attempt.is_none_or(|attempt| left < attempt);
        // The attempt timeout covers connecting too; the connect timeout
        // stays as configured (a pooled transport may apply it to a
        // connection that outlives this call).
        let capped = RequestTimeouts {
            connect: timeouts.connect,
            attempt: Some(timeouts.attempt.map_or(left, |attempt| attempt.min(left))),
        };
        (capped, cut_short)
    }

    /// Whether a wait of `wait` leaves time for another attempt.
    fn allows(self, wait: Duration) -> bool {
        self.0
            .is_none_or(|end| Instant::now().checked_add(wait).is_some_and(|at| at < end))
    }
}

/// The configured transport, else the default one (feature `rt-tokio` or `https`).
fn http_client(config: &Config) -> Result<&SharedHttpClient, BuildError> {
    if let Some(client) = config.http_client() {
        return Ok(client);
    }
    #[cfg(any(feature = "https", feature = "rt-tokio"))]
    return config.default_transport();
    #[cfg(not(any(feature = "https", feature = "rt-tokio")))]
    Err(BuildError::config(
        "no HTTP client is configured; set one with `Config::builder().http_client(..)`, \
         or enable the `rt-tokio` or `https` feature for a default transport",
    ))
}

/// The rule sets read so far, by the address of their text.
type ReadRuleSets = Vec<(usize, Arc<RuleSet>)>;

/// The rule set of the text `rules`, read once per process (the text is a
/// generated crate's constant: its address names it).
fn rule_set(rules: &'static str) -> Result<Arc<RuleSet>, crate::endpoint::RuleSetError> {
    static READ: OnceLock<Mutex<ReadRuleSets>> = OnceLock::new();
    let key = rules.as_ptr() as usize;
    let cache = READ.get_or_init(Mutex::default);
    // Entries are only ever added whole: a poisoned lock holds valid data.
    if let Some((_, found)) = cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .find(|(k, _)| *k == key)
    {
        return Ok(found.clone());
    }
    let read = Arc::new(RuleSet::parse(rules)?);
    cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push((key, read.clone()));
    Ok(read)
}

/// The parsed rule set of `service`.
fn service_rules(service: &ServiceInfo, rules: &'static str) -> Result<Arc<RuleSet>, BuildError> {
    rule_set(rules).map_err(|e| {
        BuildError::config(format!(
            "the endpoint rules of {} do not parse ({e}); regenerate the crate",
            service.service_id
        ))
    })
}

/// The rule set's parameter taking `AWS::Auth::AccountId`, if it has one
/// and the configuration lets account-based endpoints be used.
fn account_id_parameter(
    config: &Config,
    service: &ServiceInfo,
    rules: &'static str,
) -> Option<String> {
    if config.account_id_endpoint_mode() == AccountIdEndpointMode::Disabled {
        return None;
    }
    // A rule set that does not parse fails the call when it is resolved.
    let rules = service_rules(service, rules).ok()?;
    let parameter = rules.built_in("AWS::Auth::AccountId")?;
    Some(parameter.name.clone())
}

/// What the service's endpoint rules resolve to for `config`: `Region`,
/// `UseFIPS`, `UseDualStack`, `Endpoint` (the endpoint URL) and
/// `AccountIdEndpointMode` bound to their built-ins, the service's client
/// context parameters to the configuration's
/// [`endpoint_param`](crate::ConfigBuilder::endpoint_param)s, then
/// `per_call` (the operation's context parameters and the account id,
/// which win); a rule's error is the error, with the rule's message.
fn rules_endpoint(
    config: &Config,
    service: &ServiceInfo,
    rules: &'static str,
    per_call: &Params,
) -> Result<ResolvedEndpoint, BuildError> {
    let rules = service_rules(service, rules)?;
    let mut params = Params::new();
    for parameter in rules.parameters() {
        let value: Option<Value> = match parameter.built_in.as_deref() {
            Some("AWS::Region") => config.region().map(|r| r.as_str().into()),
            Some("AWS::UseFIPS") => Some(config.use_fips().into()),
            Some("AWS::UseDualStack") => Some(config.use_dual_stack().into()),
            Some("SDK::Endpoint") => config.endpoint_url_for(service.service_id).map(Into::into),
            Some("AWS::Auth::AccountIdEndpointMode") => {
                Some(config.account_id_endpoint_mode().as_str().into())
            }
            _ if service
                .client_context_params
                .contains(&parameter.name.as_str()) =>
            {
                config.endpoint_param(&parameter.name).cloned()
            }
            _ => None,
        };
        params.set_opt(&parameter.name, value);
    }
    for (name, value) in per_call.iter() {
        params.set(name, value.clone());
    }
    rules
        .resolve(&params)
        .map_err(|e| BuildError::config(e.message().to_owned()))
}

/// A missing or malformed region says so before the rules see it (unless a
/// service-specific endpoint URL is configured).
fn check_region(config: &Config, service: &ServiceInfo) -> Result<(), BuildError> {
    if config.endpoint_url_for(service.service_id).is_none() {
        endpoint(config, service)?;
    }
    Ok(())
}

/// The base URL requests go to: the configured override, else the service's
/// regional endpoint.
pub fn endpoint<'a>(config: &'a Config, service: &ServiceInfo) -> Result<Cow<'a, str>, BuildError> {
    if let Some(url) = config.endpoint_url() {
        return Ok(Cow::Borrowed(url.trim_end_matches('/')));
    }
    let region = config.region().ok_or_else(|| {
        BuildError::config(
            "no region is configured; set one with `Config::builder().region(..)` or AWS_REGION",
        )
    })?;
    let name = region.as_str();
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !valid {
        return Err(BuildError::config(format!(
            "region `{name}` is not a valid region name"
        )));
    }
    Ok(Cow::Owned(format!(
        "https://{}.{name}.amazonaws.com",
        service.endpoint_prefix
    )))
}

/// [`endpoint`], parsed once for the configuration.
///
/// An endpoint URL is a scheme, a host, an optional port and an optional
/// path, to which each operation appends its own path and query. One with a
/// query or a fragment is refused, as the endpoint rules of the AWS SDKs
/// refuse it (their `parseURL` does not accept a query): a query would end
/// up in front of the operation's path (`/?x=1/things/...`), and a fragment
/// is never sent at all.
fn resolve_endpoint(
    config: &Config,
    service: &ServiceInfo,
    per_call: &Params,
) -> Result<Endpoint, BuildError> {
    let Some(rules) = service.endpoint_rules else {
        return parse_endpoint(endpoint(config, service)?, None);
    };
    check_region(config, service)?;
    let resolved = rules_endpoint(config, service, rules, per_call)?;
    let url = resolved.url.trim_end_matches('/').to_owned();
    parse_endpoint(Cow::Owned(url), Some(&resolved))
}

/// An endpoint URL, checked and parsed, with what the rules add to it.
fn parse_endpoint(
    url: Cow<'_, str>,
    resolved: Option<&ResolvedEndpoint>,
) -> Result<Endpoint, BuildError> {
    for (mark, part) in [('?', "query"), ('#', "fragment")] {
        if let Some(at) = url.find(mark) {
            let found: String = url[at..].chars().take(40).collect();
            return Err(BuildError::config(format!(
                "endpoint URL `{url}` has a {part} (`{found}`); an endpoint URL is a scheme, \
                 a host, an optional port and an optional path, to which each operation \
                 appends its own path and query: remove the {part}"
            )));
        }
    }
    let invalid = |e: http::uri::InvalidUri| {
        BuildError::config(format!("endpoint URL `{url}` is not a valid URL: {e}"))
    };
    let uri: http::Uri = url.parse().map_err(invalid)?;
    let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
        return Err(BuildError::config(format!(
            "endpoint URL `{url}` is not a valid URL: it needs a scheme and a host"
        )));
    };
    let mut headers = Vec::new();
    let mut signing_name = None;
    let mut signing_region = None;
    if let Some(resolved) = resolved {
        for (name, values) in &resolved.headers {
            let name: http::HeaderName = name
                .parse()
                .map_err(|e| BuildError::config(format!("endpoint header name `{name}`: {e}")))?;
            for value in values {
                let value = http::HeaderValue::from_str(value)
                    .map_err(|e| BuildError::config(format!("endpoint header `{name}`: {e}")))?;
                headers.push((name.clone(), value));
            }
        }
        let auth = resolved
            .auth_override()
            .map_err(|e| BuildError::config(e.message().to_owned()))?;
        signing_name = auth.signing_name.map(Into::into);
        signing_region = auth.signing_region.map(Into::into);
    }
    Ok(Endpoint {
        scheme: scheme.clone(),
        authority: authority.clone(),
        url: url.as_ref().into(),
        has_path: uri.path() != "/",
        headers,
        signing_name,
        signing_region,
    })
}

/// Points `request` at `base`: scheme and authority put before its path and
/// query as they are, or, for a host prefix or a base URL with a path of its
/// own, through [`set_endpoint`].
fn apply_endpoint(request: &mut HttpRequest, base: &Endpoint) -> Result<(), BuildError> {
    if base.has_path || request.extensions().get::<HostPrefix>().is_some() {
        return set_endpoint(request, &base.url);
    }
    // Moved out, not cloned: the path and query keep their bytes.
    let mut parts = std::mem::take(request.uri_mut()).into_parts();
    parts.scheme = Some(base.scheme.clone());
    parts.authority = Some(base.authority.clone());
    if parts.path_and_query.is_none() {
        parts.path_and_query = Some(http::uri::PathAndQuery::from_static("/"));
    }
    *request.uri_mut() = http::Uri::from_parts(parts)
        .map_err(|e| BuildError::config(format!("endpoint URL `{}`: {e}", base.url)))?;
    Ok(())
}

/// The credentials to sign with now, from the configured provider, which
/// sends through the transport in `cx` if it needs to.
pub async fn credentials(config: &Config, cx: &ProviderContext) -> Result<Credentials, BuildError> {
    let provider = config.credentials_provider().ok_or_else(|| {
        BuildError::config(
            "no credentials are configured; set them with `Config::builder().credentials(..)` \
             or `.credentials_provider(..)`, or start from `Config::from_env()` to read \
             AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or a profile of ~/.aws/credentials",
        )
    })?;
    provider
        .provide_credentials(cx)
        .await
        .map_err(BuildError::credentials)
}

/// Signs `request` (SigV4, in headers) for `service` with `credentials` and
/// the configured region, at the current time as corrected by the
/// configuration's [`ClockOffset`](crate::clock::ClockOffset).
pub fn sign(
    config: &Config,
    service: &ServiceInfo,
    credentials: &Credentials,
    request: &mut HttpRequest,
) -> Result<(), BuildError> {
    sign_with(config, service.signing_name, None, credentials, request)
}

/// [`sign`], with the signing name and region the endpoint's rules ask for.
fn sign_for(
    config: &Config,
    service: &ServiceInfo,
    endpoint: &Endpoint,
    credentials: &Credentials,
    request: &mut HttpRequest,
) -> Result<(), BuildError> {
    let name = endpoint
        .signing_name
        .as_deref()
        .unwrap_or(service.signing_name);
    sign_with(
        config,
        name,
        endpoint.signing_region.as_deref(),
        credentials,
        request,
    )
}

fn sign_with(
    config: &Config,
    signing_name: &str,
    signing_region: Option<&str>,
    credentials: &Credentials,
    request: &mut HttpRequest,
) -> Result<(), BuildError> {
    let configured = config.region().map(|r| r.as_str());
    let region = signing_region.or(configured).ok_or_else(|| {
        BuildError::config(
            "a region is needed to sign requests and none is configured (an `endpoint_url` \
             does not say which region to sign for); set one with \
             `Config::builder().region(..)` or AWS_REGION",
        )
    })?;
    let params = SigningParams {
        credentials,
        region,
        service: signing_name,
        time: config.clock_offset().now(),
        settings: SigningSettings::default(),
    };
    config
        .signer()
        .sign(request, &params)
        .map_err(BuildError::signing)
}

/// Frames the serialized request's body, before it is signed: a body that
/// is not empty gets its `Content-Length` (its true length, whatever a
/// modeled `Content-Length` member said); an empty one gets none, and the
/// transport says `content-length: 0` where the method expects a body.
/// Framing belongs to the HTTP layer, not to a protocol's serializer, as in
/// botocore (its serializers never set it; its prepared request does).
pub fn frame(request: &mut HttpRequest) {
    if let Some(length) = framed_length(request) {
        request
            .headers_mut()
            .insert(http::header::CONTENT_LENGTH, length);
    }
}

/// The `Content-Length` [`frame`] gives `request`, if any (the protocol
/// harness's `testing::check_request` frames a copy of the headers with it).
pub(crate) fn framed_length(request: &HttpRequest) -> Option<http::HeaderValue> {
    (!request.body().is_empty()).then(|| http::HeaderValue::from(request.body().len()))
}

/// Prefixes the request's path-and-query URI with `base`, and its host with
/// the operation's [`HostPrefix`], if any.
pub fn set_endpoint(request: &mut HttpRequest, base: &str) -> Result<(), BuildError> {
    let path = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let full = match request.extensions().get::<HostPrefix>() {
        Some(HostPrefix(prefix)) => match base.split_once("://") {
            Some((scheme, rest)) => format!("{scheme}://{prefix}{rest}{path}"),
            None => format!("{prefix}{base}{path}"),
        },
        None => format!("{base}{path}"),
    };
    *request.uri_mut() = full.parse().map_err(|e| {
        BuildError::config(format!("endpoint URL `{base}` is not a valid URL: {e}"))
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVICE: ServiceInfo = ServiceInfo {
        service_id: "Test",
        endpoint_prefix: "data.test",
        signing_name: "test",
        api_version: "2020-01-01",
        crate_version: "0.1.0",
        endpoint_rules: None,
        client_context_params: &[],
    };

    #[test]
    fn default_endpoint_uses_prefix_and_region() {
        let config = Config::builder().region("eu-west-1").build();
        assert_eq!(
            endpoint(&config, &SERVICE).unwrap(),
            "https://data.test.eu-west-1.amazonaws.com"
        );
    }

    #[test]
    fn override_wins_and_trailing_slash_is_dropped() {
        let config = Config::builder()
            .endpoint_url("http://127.0.0.1:8080/prefix/")
            .build();
        let base = endpoint(&config, &SERVICE).unwrap();
        let mut request = http::Request::builder()
            .uri("/things/a?x=1")
            .body(bytes::Bytes::new())
            .unwrap();
        set_endpoint(&mut request, &base).unwrap();
        assert_eq!(request.uri(), "http://127.0.0.1:8080/prefix/things/a?x=1");
    }

    #[test]
    fn missing_or_hostile_region_is_a_clear_error() {
        let err = endpoint(&Config::default(), &SERVICE).unwrap_err();
        assert!(err.to_string().contains("no region"), "{err}");
        let config = Config::builder().region("us-east-1.evil.com/").build();
        let err = endpoint(&config, &SERVICE).unwrap_err();
        assert!(err.to_string().contains("not a valid region"), "{err}");
    }

    #[test]
    fn host_prefix_goes_before_the_host() {
        let mut request = http::Request::builder()
            .uri("/op")
            .body(bytes::Bytes::new())
            .unwrap();
        request
            .extensions_mut()
            .insert(HostPrefix("foo.bar.".into()));
        set_endpoint(&mut request, "https://example.com").unwrap();
        assert_eq!(request.uri(), "https://foo.bar.example.com/op");
    }

    fn resolved(config: &Config) -> Endpoint {
        resolve_endpoint(config, &SERVICE, &Params::new()).unwrap()
    }

    fn applied(base: &Endpoint, path: &str, host_prefix: Option<&str>) -> String {
        let mut request = http::Request::builder()
            .uri(path)
            .body(bytes::Bytes::new())
            .unwrap();
        if let Some(prefix) = host_prefix {
            request.extensions_mut().insert(HostPrefix(prefix.into()));
        }
        apply_endpoint(&mut request, base).unwrap();
        request.uri().to_string()
    }

    #[test]
    fn endpoints_apply_to_path_and_query() {
        let regional = resolved(&Config::builder().region("eu-west-1").build());
        assert_eq!(
            applied(&regional, "/things/a%20b?x=1", None),
            "https://data.test.eu-west-1.amazonaws.com/things/a%20b?x=1"
        );
        assert_eq!(
            applied(&regional, "/op", Some("foo.")),
            "https://foo.data.test.eu-west-1.amazonaws.com/op"
        );
        let local = resolved(
            &Config::builder()
                .endpoint_url("http://127.0.0.1:8080/")
                .build(),
        );
        assert!(!local.has_path);
        assert_eq!(applied(&local, "/x?y", None), "http://127.0.0.1:8080/x?y");
        let prefixed = resolved(
            &Config::builder()
                .endpoint_url("http://localhost/base")
                .build(),
        );
        assert!(prefixed.has_path);
        assert_eq!(applied(&prefixed, "/x", None), "http://localhost/base/x");
        let err = resolve_endpoint(
            &Config::builder().endpoint_url("example.com").build(),
            &SERVICE,
            &Params::new(),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("needs a scheme and a host"),
            "{err}"
        );
    }

    #[test]
    fn an_endpoint_url_with_a_query_or_fragment_is_refused_before_sending() {
        use crate::block_on::block_on;
        use crate::credentials::Credentials;
        use crate::testing::ReplayClient;

        // A real port on loopback: were anything sent, it would be to here.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        for (url, part, found) in [
            (format!("http://127.0.0.1:{port}?x=1"), "query", "?x=1"),
            (
                format!("http://127.0.0.1:{port}/base/?x=1"),
                "query",
                "?x=1",
            ),
            (format!("http://127.0.0.1:{port}#frag"), "fragment", "#frag"),
            (format!("http://127.0.0.1:{port}/#"), "fragment", "#"),
        ] {
            let replay = ReplayClient::new();
            replay.push_response(200, "{}");
            let config = Config::builder()
                .region("us-east-1")
                .endpoint_url(url.as_str())
                .credentials(Credentials::new("AKID", "SECRET", None))
                .http_client(replay.clone())
                .build();
            let err = block_on(invoke::<signing::PutThing>(&config, &SERVICE, &())).unwrap_err();
            let text = err.to_string();
            assert!(matches!(err, SdkError::ConstructionFailure(_)), "{text}");
            assert!(
                text.contains(&format!("has a {part} (`{found}`)")),
                "{url}: {text}"
            );
            assert!(text.contains(&format!("remove the {part}")), "{text}");
            assert_eq!(err.attempts(), 0);
            assert!(replay.requests().is_empty(), "{url}: nothing is sent");
        }
        listener.set_nonblocking(true).unwrap();
        assert!(listener.accept().is_err(), "no connection was made");
    }

    #[cfg(any(feature = "https", feature = "rt-tokio"))]
    #[test]
    fn a_config_with_bad_tls_settings_fails_its_calls_before_sending() {
        use crate::credentials::Credentials;
        let config = Config::builder()
            .region("us-east-1")
            .endpoint_url("http://127.0.0.1:9")
            .credentials(Credentials::new("AKID", "SECRET", None))
            .add_trust_anchors_pem("garbage")
            .build();
        let err = crate::block_on::block_on(invoke::<signing::PutThing>(&config, &SERVICE, &()))
            .unwrap_err();
        assert!(matches!(err, SdkError::ConstructionFailure(_)), "{err}");
        assert!(
            err.to_string()
                .contains("TLS settings: trust anchors PEM #1 holds no CERTIFICATE block"),
            "{err}"
        );
        assert_eq!(err.attempts(), 0);
    }

    #[test]
    fn resolved_endpoints_are_cached_per_built_config() {
        let config = Config::builder().region("eu-west-1").build();
        let resolve = |config: &Config| {
            config
                .endpoints()
                .get_or_resolve(SERVICE.endpoint_prefix, || {
                    resolve_endpoint(config, &SERVICE, &Params::new())
                })
                .unwrap()
                .url
        };
        assert_eq!(
            &*resolve(&config),
            "https://data.test.eu-west-1.amazonaws.com"
        );
        // A clone shares the cache; a rebuilt configuration starts afresh.
        let clone = config.clone();
        assert!(std::ptr::eq(config.endpoints(), clone.endpoints()));
        let moved = config.to_builder().region("us-west-2").build();
        assert_eq!(
            &*resolve(&moved),
            "https://data.test.us-west-2.amazonaws.com"
        );
        assert_eq!(
            &*resolve(&clone),
            "https://data.test.eu-west-1.amazonaws.com"
        );
    }

    /// Per-call endpoint parameters: an operation's context parameters, a
    /// client context parameter, the credentials' account id.
    mod context {
        use bytes::Bytes;

        use super::*;
        use crate::block_on::block_on;
        use crate::credentials::Credentials;
        use crate::error::{ErrorMetadata, Unhandled};
        use crate::testing::ReplayClient;

        const RULES: &str = r#"{"version":"1.0","parameters":{
            "Region":{"type":"String","builtIn":"AWS::Region","required":false},
            "Bucket":{"type":"String","required":false},
            "Other":{"type":"String","required":false},
            "ForcePathStyle":{"type":"Boolean","required":true,"default":false},
            "AccountId":{"type":"String","builtIn":"AWS::Auth::AccountId","required":false},
            "AccountIdEndpointMode":{"type":"String","builtIn":"AWS::Auth::AccountIdEndpointMode","required":false}},
          "rules":[
            {"type":"error","conditions":[{"fn":"isSet","argv":[{"ref":"Other"}]}],"error":"Other is set"},
            {"type":"error","conditions":[{"fn":"stringEquals","argv":[{"ref":"AccountIdEndpointMode"},"required"]},
                {"fn":"not","argv":[{"fn":"isSet","argv":[{"ref":"AccountId"}]}]}],"error":"no account id"},
            {"type":"endpoint","conditions":[{"fn":"isSet","argv":[{"ref":"AccountId"}]},
                {"fn":"not","argv":[{"fn":"stringEquals","argv":[{"ref":"AccountIdEndpointMode"},"disabled"]}]}],
             "endpoint":{"url":"https://{AccountId}.test.{Region}.example"}},
            {"type":"endpoint","conditions":[{"fn":"isSet","argv":[{"ref":"Bucket"}]},
                {"fn":"booleanEquals","argv":[{"ref":"ForcePathStyle"},true]}],
             "endpoint":{"url":"https://test.{Region}.example/{Bucket}"}},
            {"type":"endpoint","conditions":[{"fn":"isSet","argv":[{"ref":"Bucket"}]}],
             "endpoint":{"url":"https://{Bucket}.test.{Region}.example"}},
            {"type":"endpoint","conditions":[],"endpoint":{"url":"https://test.{Region}.example"}}]}"#;

        const RULED: ServiceInfo = ServiceInfo {
            endpoint_rules: Some(RULES),
            client_context_params: &["ForcePathStyle"],
            ..SERVICE
        };

        /// Binds its input, a bucket name, to `Bucket`.
        struct GetThing;

        impl Operation for GetThing {
            const NAME: &'static str = "GetThing";
            type Input = Option<&'static str>;
            type Output = ();
            type Error = Unhandled;

            fn serialize_request(_: &Self::Input) -> Result<HttpRequest, BuildError> {
                Ok(http::Request::builder()
                    .uri("/things")
                    .body(Bytes::new())
                    .unwrap())
            }

            fn parse_response(_: &HttpResponse) -> Result<(), ResponseFailure<Unhandled>> {
                Ok(())
            }

            fn error_metadata(response: &HttpResponse) -> ErrorMetadata {
                crate::protocol::rest_json::error_metadata(response)
            }

            const ENDPOINT_CONTEXT: bool = true;

            fn endpoint_context(input: &Self::Input, params: &mut Params) {
                params.set_opt("Bucket", *input);
            }
        }

        /// Binds nothing.
        struct ListThings;

        impl Operation for ListThings {
            const NAME: &'static str = "ListThings";
            type Input = ();
            type Output = ();
            type Error = Unhandled;

            fn serialize_request(_: &()) -> Result<HttpRequest, BuildError> {
                GetThing::serialize_request(&None)
            }

            fn parse_response(_: &HttpResponse) -> Result<(), ResponseFailure<Unhandled>> {
                Ok(())
            }

            fn error_metadata(response: &HttpResponse) -> ErrorMetadata {
                crate::protocol::rest_json::error_metadata(response)
            }
        }

        fn builder(replay: &ReplayClient) -> crate::ConfigBuilder {
            Config::builder()
                .region("us-east-1")
                .credentials(Credentials::new("AKID", "SECRET", None))
                .http_client(replay.clone())
        }

        /// Calls `O`; an error as its message and its source's.
        fn sent_to<O: Operation<Error = Unhandled>>(
            config: &Config,
            input: &O::Input,
        ) -> Result<(), String> {
            block_on(invoke::<O>(config, &RULED, input))
                .map(|_| ())
                .map_err(|e| match std::error::Error::source(&e) {
                    Some(source) => format!("{e}: {source}"),
                    None => e.to_string(),
                })
        }

        fn url(replay: &ReplayClient) -> String {
            replay.last_request().unwrap().uri().to_string()
        }

        #[test]
        fn a_context_parameter_changes_the_url_per_call_and_each_set_is_cached() {
            let replay = ReplayClient::new();
            let config = builder(&replay).build();
            for (bucket, want) in [
                (Some("b1"), "https://b1.test.us-east-1.example/things"),
                (Some("b2"), "https://b2.test.us-east-1.example/things"),
                (None, "https://test.us-east-1.example/things"),
                (Some("b1"), "https://b1.test.us-east-1.example/things"),
            ] {
                replay.push_response(200, "");
                sent_to::<GetThing>(&config, &bucket).unwrap();
                assert_eq!(url(&replay), want);
            }
            // `b1` and `b2` per call; no bucket is the configuration's endpoint.
            assert_eq!(config.context_endpoints().len(), 2);
            replay.push_response(200, "");
            sent_to::<ListThings>(&config, &()).unwrap();
            assert_eq!(url(&replay), "https://test.us-east-1.example/things");
        }

        #[test]
        fn client_context_parameters_come_from_the_configuration_and_others_are_ignored() {
            let replay = ReplayClient::new();
            let config = builder(&replay)
                .endpoint_param("ForcePathStyle", true)
                .endpoint_param("Other", "not a client context parameter")
                .build();
            replay.push_response(200, "");
            sent_to::<GetThing>(&config, &Some("b1")).unwrap();
            assert_eq!(url(&replay), "https://test.us-east-1.example/b1/things");

            let wrong = builder(&replay)
                .endpoint_param("ForcePathStyle", "yes")
                .build();
            let err = sent_to::<GetThing>(&wrong, &Some("b1")).unwrap_err();
            assert!(err.contains("`ForcePathStyle`"), "{err}");
        }

        #[test]
        fn the_credentials_account_id_gives_an_account_endpoint_unless_disabled() {
            let replay = ReplayClient::new();
            let with_account = |mode: Option<AccountIdEndpointMode>| {
                let credentials = Credentials::new("AKID", "SECRET", None)
                    .with_account_id(Some("123456789012".into()));
                let mut builder = builder(&replay).credentials(credentials);
                if let Some(mode) = mode {
                    builder = builder.account_id_endpoint_mode(mode);
                }
                builder.build()
            };
            for (mode, want) in [
                (None, "https://123456789012.test.us-east-1.example/things"),
                (
                    Some(AccountIdEndpointMode::Required),
                    "https://123456789012.test.us-east-1.example/things",
                ),
                (
                    Some(AccountIdEndpointMode::Disabled),
                    "https://test.us-east-1.example/things",
                ),
            ] {
                replay.push_response(200, "");
                sent_to::<ListThings>(&with_account(mode), &()).unwrap();
                assert_eq!(url(&replay), want, "{mode:?}");
            }
            // Required, and the credentials carry none: the rules' error.
            let config = builder(&replay)
                .account_id_endpoint_mode(AccountIdEndpointMode::Required)
                .build();
            let err = sent_to::<ListThings>(&config, &()).unwrap_err();
            assert!(err.contains("no account id"), "{err}");
        }
    }

    #[test]
    fn bad_endpoint_url_is_a_build_error() {
        let mut request = http::Request::builder()
            .uri("/")
            .body(bytes::Bytes::new())
            .unwrap();
        assert!(set_endpoint(&mut request, "not a url").is_err());
    }

    mod signing {
        use std::error::Error as _;

        use bytes::Bytes;
        use hmac::{Hmac, Mac};
        use sha2::{Digest, Sha256};

        use super::*;
        use crate::block_on::block_on;
        use crate::credentials::{
            self, Credentials, CredentialsError, CredentialsFuture, ProviderContext,
        };
        use crate::error::{ErrorMetadata, Unhandled};
        use crate::testing::ReplayClient;

        const BODY: &[u8] = br#"{"status":"IN_PROGRESS"}"#;

        /// POSTs JSON to a path with an encoded label and an unsorted query.
        pub(super) struct PutThing;

        impl Operation for PutThing {
            const NAME: &'static str = "PutThing";
            type Input = ();
            type Output = ();
            type Error = Unhandled;

            fn serialize_request(_: &()) -> Result<HttpRequest, BuildError> {
                Ok(http::Request::builder()
                    .method("POST")
                    .uri("/things/a%20b?z=2&a=1")
                    .header("content-type", "application/json")
                    .body(Bytes::from_static(BODY))
                    .unwrap())
            }

            fn parse_response(response: &HttpResponse) -> Result<(), ResponseFailure<Unhandled>> {
                if response.status().is_success() {
                    Ok(())
                } else {
                    Err(ResponseFailure::service(Unhandled::new(
                        Self::error_metadata(response),
                        response.body().clone(),
                    )))
                }
            }

            fn error_metadata(response: &HttpResponse) -> ErrorMetadata {
                crate::protocol::rest_json::error_metadata(response)
            }
        }

        fn config(replay: &ReplayClient, credentials: Credentials) -> Config {
            Config::builder()
                .region("us-east-1")
                .endpoint_url("http://127.0.0.1:8080")
                .credentials(credentials)
                .http_client(replay.clone())
                .build()
        }

        fn hex(bytes: &[u8]) -> String {
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        }

        fn hmac(key: &[u8], data: &str) -> Vec<u8> {
            let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
            mac.update(data.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }

        #[test]
        fn sent_requests_carry_a_valid_signature() {
            let token = "SESSION/TOKEN+==";
            let replay = ReplayClient::new();
            replay.push_response(200, "{}");
            let config = config(
                &replay,
                Credentials::new("AKID", "SECRET", Some(token.into())),
            );
            block_on(invoke::<PutThing>(&config, &SERVICE, &())).unwrap();
            let sent = replay.last_request().unwrap();
            let headers = sent.headers();
            assert_eq!(headers["host"], "127.0.0.1:8080");
            assert_eq!(headers["x-amz-security-token"], token);
            let date = headers["x-amz-date"].to_str().unwrap();
            assert!(
                date.len() == 16 && date.as_bytes()[8] == b'T' && date.ends_with('Z'),
                "{date}"
            );

            // The signature, worked out here from the request as sent
            // (`user-agent` is not signed, `x-amz-user-agent` is; the body's
            // length, framed before signing, is).
            let agent = headers["x-amz-user-agent"].to_str().unwrap();
            assert!(headers.contains_key("user-agent"));
            let length = sent.body().len();
            assert_eq!(headers["content-length"], length.to_string().as_str());
            let signed_headers = "content-length;content-type;host;x-amz-date;\
                 x-amz-security-token;x-amz-user-agent";
            let canonical = format!(
                "POST\n/things/a%2520b\na=1&z=2\ncontent-length:{length}\n\
                 content-type:application/json\n\
                 host:127.0.0.1:8080\nx-amz-date:{date}\nx-amz-security-token:{token}\n\
                 x-amz-user-agent:{agent}\n\n{signed_headers}\n{}",
                hex(&Sha256::digest(sent.body()))
            );
            let scope = format!("{}/us-east-1/test/aws4_request", &date[..8]);
            let string_to_sign = format!(
                "AWS4-HMAC-SHA256\n{date}\n{scope}\n{}",
                hex(&Sha256::digest(canonical.as_bytes()))
            );
            let key = hmac(
                &hmac(&hmac(&hmac(b"AWS4SECRET", &date[..8]), "us-east-1"), "test"),
                "aws4_request",
            );
            let signature = hex(&hmac(&key, &string_to_sign));
            assert_eq!(
                headers["authorization"],
                format!(
                    "AWS4-HMAC-SHA256 Credential=AKID/{scope}, \
                     SignedHeaders={signed_headers}, Signature={signature}"
                )
                .as_str()
            );
        }

        #[test]
        fn fixed_credentials_send_no_token_and_clones_share_derived_keys() {
            let replay = ReplayClient::new();
            replay.push_response(200, "{}");
            replay.push_response(200, "{}");
            let config = config(&replay, Credentials::new("AKID", "SECRET", None));
            let clone = config.clone();
            block_on(invoke::<PutThing>(&config, &SERVICE, &())).unwrap();
            block_on(invoke::<PutThing>(&clone, &SERVICE, &())).unwrap();
            let requests = replay.requests();
            assert!(requests[0].headers().get("x-amz-security-token").is_none());
            assert!(requests[1].headers()["authorization"]
                .to_str()
                .unwrap()
                .contains(
                    "SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-user-agent,"
                ));
            assert_eq!(config.signer().keys_derived(), 1);
        }

        #[cfg(not(any(feature = "https", feature = "rt-tokio")))]
        #[test]
        fn without_a_transport_the_error_says_how_to_get_one() {
            let config = Config::builder()
                .region("us-east-1")
                .credentials(Credentials::new("AKID", "SECRET", None))
                .build();
            let err = block_on(invoke::<PutThing>(&config, &SERVICE, &())).unwrap_err();
            assert!(matches!(err, SdkError::ConstructionFailure(_)), "{err:?}");
            assert!(
                err.to_string().contains("no HTTP client is configured"),
                "{err}"
            );
            assert!(err.to_string().contains("`https` feature"), "{err}");
            assert_eq!(err.attempts(), 0);
        }

        #[test]
        fn missing_region_or_credentials_are_clear_errors_and_nothing_is_sent() {
            let replay = ReplayClient::new();
            let no_region = Config::builder()
                .endpoint_url("http://127.0.0.1:8080")
                .credentials(Credentials::new("AKID", "SECRET", None))
                .http_client(replay.clone())
                .build();
            let err = block_on(invoke::<PutThing>(&no_region, &SERVICE, &())).unwrap_err();
            assert!(matches!(err, SdkError::ConstructionFailure(_)), "{err:?}");
            assert!(
                err.to_string().contains("a region is needed to sign"),
                "{err}"
            );

            let no_credentials = no_region
                .to_builder()
                .region("us-east-1")
                .set_credentials(None)
                .build();
            let err = block_on(invoke::<PutThing>(&no_credentials, &SERVICE, &())).unwrap_err();
            assert!(
                err.to_string().contains("no credentials are configured"),
                "{err}"
            );
            assert!(err.to_string().contains("Config::from_env()"), "{err}");
            assert!(replay.requests().is_empty());
        }

        #[derive(Debug)]
        struct NoCredentials;

        impl ProvideCredentials for NoCredentials {
            fn provide_credentials<'a>(
                &'a self,
                _cx: &'a ProviderContext,
            ) -> CredentialsFuture<'a> {
                credentials::ready(Err(CredentialsError::not_found(
                    "nothing in the test vault",
                )))
            }
        }

        #[test]
        fn provider_errors_are_construction_failures_with_a_source() {
            let replay = ReplayClient::new();
            let config = Config::builder()
                .region("us-east-1")
                .credentials_provider(NoCredentials)
                .http_client(replay.clone())
                .build();
            let err = block_on(invoke::<PutThing>(&config, &SERVICE, &())).unwrap_err();
            assert_eq!(
                err.to_string(),
                "failed to construct request: credentials: no credentials found: \
                 nothing in the test vault"
            );
            let build = err.source().unwrap();
            assert!(build.source().unwrap().is::<CredentialsError>());
            assert!(replay.requests().is_empty());
        }
    }

    mod retries {
        use std::sync::atomic::{AtomicU32, Ordering};
        use std::time::Duration;

        use super::signing::PutThing;
        use super::*;
        use crate::block_on::block_on;
        use crate::credentials::{self, Credentials, CredentialsFuture, ProviderContext};
        use crate::error::Unhandled;
        use crate::retry::RetryKind;
        use crate::testing::{response, InstantSleep, ReplayClient};
        use crate::transport::{ConnectorError, ConnectorErrorKind};
        use crate::value::{DateTime, TimestampFormat};

        fn config(replay: &ReplayClient, sleep: &InstantSleep) -> Config {
            Config::builder()
                .region("us-east-1")
                .endpoint_url("http://127.0.0.1:8080")
                .credentials(Credentials::new("AKID", "SECRET", None))
                .http_client(replay.clone())
                .sleep_impl(sleep.clone())
                .build()
        }

        fn error(status: u16, code: &str) -> HttpResponse {
            let request_id = format!("req-{status}");
            response(
                status,
                &[
                    ("x-amzn-ErrorType", code),
                    ("x-amzn-RequestId", &request_id),
                ],
                r#"{"message": "m"}"#,
            )
        }

        fn amz_date(request: &HttpRequest) -> String {
            request.headers()["x-amz-date"].to_str().unwrap().to_owned()
        }

        /// Seconds since the epoch of an `x-amz-date` (`20140429T183038Z`).
        fn amz_date_secs(amz_date: &str) -> i64 {
            let rfc3339 = format!(
                "{}-{}-{}T{}:{}:{}Z",
                &amz_date[0..4],
                &amz_date[4..6],
                &amz_date[6..8],
                &amz_date[9..11],
                &amz_date[11..13],
                &amz_date[13..15]
            );
            DateTime::parse(&rfc3339, TimestampFormat::DateTime)
                .unwrap()
                .secs()
        }

        /// Counts how often its protocol reads an error response.
        struct CountingReads;

        static READS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

        impl Operation for CountingReads {
            const NAME: &'static str = "CountingReads";
            type Input = ();
            type Output = ();
            type Error = Unhandled;

            fn serialize_request(input: &()) -> Result<HttpRequest, BuildError> {
                PutThing::serialize_request(input)
            }

            fn parse_response(response: &HttpResponse) -> Result<(), ResponseFailure<Unhandled>> {
                // As generated parsers do: the pipeline's reading, else one's own.
                let meta = ErrorMetadata::parsed(response)
                    .unwrap_or_else(|| Self::error_metadata(response));
                Err(ResponseFailure::service(Unhandled::new(
                    meta,
                    response.body().clone(),
                )))
            }

            fn error_metadata(response: &HttpResponse) -> ErrorMetadata {
                READS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                crate::protocol::rest_json::error_metadata(response)
            }
        }

        #[test]
        fn an_error_response_is_read_once_for_retry_and_result() {
            let (replay, sleep) = (ReplayClient::new(), InstantSleep::new());
            replay.push(error(404, "ResourceNotFoundException"));
            let config = config(&replay, &sleep);
            let err = block_on(invoke::<CountingReads>(&config, &SERVICE, &())).unwrap_err();
            let unhandled = err.as_service_error().unwrap();
            assert_eq!(unhandled.code(), Some("ResourceNotFoundException"));
            assert_eq!(unhandled.request_id(), Some("req-404"));
            assert_eq!(READS.load(std::sync::atomic::Ordering::SeqCst), 1);
        }

        #[test]
        fn transient_failures_are_retried_with_growing_backoff() {
            let (replay, sleep) = (ReplayClient::new(), InstantSleep::new());
            replay.push(error(503, "ServiceUnavailableException"));
            replay.push_failure(ConnectorError::new(ConnectorErrorKind::Io, "reset"));
            replay.push_response(200, "{}");
            let config = config(&replay, &sleep).to_builder().max_attempts(4).build();
            block_on(invoke::<PutThing>(&config, &SERVICE, &())).unwrap();
            let requests = replay.requests();
            assert_eq!(requests.len(), 3);
            // Each attempt is the same request, serialized again.
            for retried in &requests[1..] {
                assert_eq!(retried.uri(), requests[0].uri());
                assert_eq!(retried.body(), requests[0].body());
                assert_eq!(retried.headers()["content-type"], "application/json");
            }
            let waits = sleep.durations();
            assert_eq!(waits.len(), 2);
            assert!(waits[0] <= Duration::from_millis(100), "{waits:?}");
            assert!(waits[1] <= Duration::from_millis(200), "{waits:?}");
            // The last retry's cost came back with the success.
            assert_eq!(config.retry_quota().available(), RetryQuota::CAPACITY - 5);
        }

        #[test]
        fn a_transport_error_names_the_peer_when_the_transport_did_not() {
            let (replay, sleep) = (ReplayClient::new(), InstantSleep::new());
            replay.push_failure(ConnectorError::new(ConnectorErrorKind::Io, "reset"));
            let config = config(&replay, &sleep).to_builder().max_attempts(1).build();
            let err = block_on(invoke::<PutThing>(&config, &SERVICE, &())).unwrap_err();
            assert_eq!(
                err.to_string(),
                "dispatch failure: connection failed (127.0.0.1:8080): reset"
            );
        }

        #[test]
        fn exhausted_retries_return_the_last_error_with_the_count() {
            let (replay, sleep) = (ReplayClient::new(), InstantSleep::new());
            for _ in 0..3 {
                replay.push(error(503, "ServiceUnavailableException"));
            }
            replay.push_response(200, "{}");
            let config = config(&replay, &sleep);
            let err = block_on(invoke::<PutThing>(&config, &SERVICE, &())).unwrap_err();
            assert_eq!(replay.requests().len(), 3);
            assert_eq!(err.attempts(), 3);
            assert_eq!(err.request_id(), Some("req-503"));
            assert_eq!(
                err.to_string(),
                "service error after 3 attempts: ServiceUnavailableException: m (HTTP 503)"
            );
            assert_eq!(sleep.durations().len(), 2);
        }

        #[test]
        fn client_errors_and_one_attempt_configs_are_not_retried() {
            for (status, code, max_attempts) in [
                (400, "ValidationException", 3),
                (403, "AccessDeniedException", 3),
                (404, "ResourceNotFoundException", 3),
                (429, "ThrottlingException", 1),
                (503, "ServiceUnavailableException", 1),
            ] {
                let (replay, sleep) = (ReplayClient::new(), InstantSleep::new());
                replay.push(error(status, code));
                replay.push_response(200, "{}");
                let config = config(&replay, &sleep)
                    .to_builder()
                    .max_attempts(max_attempts)
                    .build();
                let err = block_on(invoke::<PutThing>(&config, &SERVICE, &())).unwrap_err();
                assert_eq!(err.attempts(), 1, "{code}");
                assert_eq!(replay.requests().len(), 1, "{code}");
                assert!(sleep.durations().is_empty(), "{code}");
                assert!(!err.to_string().contains("attempts"), "{err}");
            }
        }

        #[test]
        fn an_empty_retry_quota_stops_retries() {
            let (replay, sleep) = (ReplayClient::new(), InstantSleep::new());
            replay.push(error(500, "InternalFailure"));
            replay.push_response(200, "{}");
            let config = config(&replay, &sleep);
            while config.retry_quota().acquire(RetryKind::Transient).is_some() {}
            let err = block_on(invoke::<PutThing>(&config, &SERVICE, &())).unwrap_err();
            assert_eq!(err.attempts(), 1);
            assert_eq!(replay.requests().len(), 1);
        }

        /// Hands out new session credentials on every call.
        #[derive(Debug, Default)]
        struct Rotating(AtomicU32);

        impl ProvideCredentials for Rotating {
            fn provide_credentials<'a>(
                &'a self,
                _cx: &'a ProviderContext,
            ) -> CredentialsFuture<'a> {
                let n = self.0.fetch_add(1, Ordering::Relaxed);
                credentials::ready(Ok(Credentials::new(
                    "AKID",
                    "SECRET",
                    Some(format!("token-{n}")),
                )))
            }
        }

        #[test]
        fn every_attempt_is_signed_afresh() {
            let (replay, sleep) = (ReplayClient::new(), InstantSleep::new());
            replay.push(error(429, "TooManyRequestsException"));
            replay.push_response(200, "{}");
            let config = config(&replay, &sleep)
                .to_builder()
                .credentials_provider(Rotating::default())
                .build();
            block_on(invoke::<PutThing>(&config, &SERVICE, &())).unwrap();
            let requests = replay.requests();
            assert_eq!(requests.len(), 2);
            let header = |i: usize, name: &str| requests[i].headers()[name].clone();
            assert_eq!(header(0, "x-amz-security-token"), "token-0");
            assert_eq!(header(1, "x-amz-security-token"), "token-1");
            assert_ne!(header(0, "authorization"), header(1, "authorization"));
        }

        #[test]
        fn clock_skew_is_learned_once_and_used_from_then_on() {
            let (replay, sleep) = (ReplayClient::new(), InstantSleep::new());
            let service_now = SystemTime::now() + Duration::from_secs(3 * 3600);
            let date = DateTime::from(service_now).fmt(TimestampFormat::HttpDate);
            let skewed = response(
                403,
                &[
                    ("x-amzn-ErrorType", "RequestTimeTooSkewed"),
                    ("date", &date),
                ],
                "{}",
            );
            replay.push(skewed.clone());
            replay.push_response(200, "{}");
            replay.push_response(200, "{}");
            // The correction is not a retry: it happens with retries off too.
            let config = config(&replay, &sleep).to_builder().max_attempts(1).build();
            block_on(invoke::<PutThing>(&config, &SERVICE, &())).unwrap();
            let offset = config.clock_offset().millis();
            assert!(
                (3 * 3600 - 5) * 1000 < offset && offset < (3 * 3600 + 5) * 1000,
                "{offset}"
            );
            block_on(invoke::<PutThing>(&config.clone(), &SERVICE, &())).unwrap();
            let requests = replay.requests();
            assert_eq!(requests.len(), 3);
            assert!(sleep.durations().is_empty(), "no backoff before a re-sign");
            let local = amz_date_secs(&amz_date(&requests[0]));
            for corrected in &requests[1..] {
                let shift = amz_date_secs(&amz_date(corrected)) - local;
                assert!((3 * 3600 - 5..3 * 3600 + 5).contains(&shift), "{shift}");
            }

            // A second skew error in one call is returned, not chased.
            replay.push(skewed.clone());
            replay.push(skewed);
            let err = block_on(invoke::<PutThing>(&config, &SERVICE, &())).unwrap_err();
            assert_eq!(err.attempts(), 2);
        }

        fn skewed_at(date: &str) -> HttpResponse {
            response(
                403,
                &[("x-amzn-ErrorType", "RequestTimeTooSkewed"), ("date", date)],
                r#"{"message": "The difference between the request time and the current time is too large."}"#,
            )
        }

        #[test]
        fn an_implausible_date_is_not_learned_and_later_calls_still_sign() {
            for date in [
                "Mon, 01 Jan 1900 00:00:00 GMT",
                "Fri, 31 Dec 9999 23:59:59 GMT",
            ] {
                let (replay, sleep) = (ReplayClient::new(), InstantSleep::new());
                replay.push(skewed_at(date));
                replay.push_response(200, "{}");
                let config = config(&replay, &sleep);
                config.clock_offset().set_millis(1_500);
                let err = block_on(invoke::<PutThing>(&config, &SERVICE, &())).unwrap_err();
                // The service's error, after one attempt: not a re-sign, not a build failure.
                assert_eq!(err.attempts(), 1, "{date}");
                assert_eq!(
                    err.as_service_error().and_then(Unhandled::code),
                    Some("RequestTimeTooSkewed")
                );
                assert_eq!(config.clock_offset().millis(), 1_500, "{date}: unchanged");
                // The next call signs with the local clock and goes through.
                block_on(invoke::<PutThing>(&config, &SERVICE, &())).unwrap();
                let requests = replay.requests();
                assert_eq!(requests.len(), 2);
                let signed = amz_date_secs(&amz_date(&requests[1]));
                let now = DateTime::now().secs();
                assert!((now - 5..=now + 5).contains(&signed), "{date}: {signed}");
            }
        }

        #[test]
        fn a_wrong_offset_is_unlearned_by_the_next_skew_error() {
            let (replay, sleep) = (ReplayClient::new(), InstantSleep::new());
            let config = config(&replay, &sleep);
            // Learned from a proxy that was three hours off; the local clock is right.
            config.clock_offset().set_millis(3 * 3600 * 1000);
            let date = DateTime::now().fmt(TimestampFormat::HttpDate);
            replay.push(skewed_at(&date));
            replay.push_response(200, "{}");
            block_on(invoke::<PutThing>(&config, &SERVICE, &())).unwrap();
            let offset = config.clock_offset().millis();
            assert!(offset.abs() < 5_000, "{offset}");
            let requests = replay.requests();
            let resigned = amz_date_secs(&amz_date(&requests[1]));
            let now = DateTime::now().secs();
            assert!((now - 5..=now + 5).contains(&resigned), "{resigned}");
        }

        #[test]
        fn only_a_skew_error_teaches_the_clock() {
            let (replay, sleep) = (ReplayClient::new(), InstantSleep::new());
            let far = DateTime::from(SystemTime::now() + Duration::from_secs(7200))
                .fmt(TimestampFormat::HttpDate);
            // A success, a throttle and a plain 403, all with a Date two hours off.
            replay.push(response(200, &[("date", &far)], "{}"));
            replay.push(response(
                400,
                &[("x-amzn-ErrorType", "ThrottlingException"), ("date", &far)],
                "{}",
            ));
            replay.push(response(200, &[("date", &far)], "{}"));
            replay.push(response(
                403,
                &[
                    ("x-amzn-ErrorType", "AccessDeniedException"),
                    ("date", &far),
                ],
                "{}",
            ));
            let config = config(&replay, &sleep);
            block_on(invoke::<PutThing>(&config, &SERVICE, &())).unwrap();
            block_on(invoke::<PutThing>(&config, &SERVICE, &())).unwrap();
            block_on(invoke::<PutThing>(&config, &SERVICE, &())).unwrap_err();
            assert_eq!(config.clock_offset().millis(), 0);
        }
    }
}
