//! The call pipeline every operation goes through.
//!
//! A generated operation supplies the two sans-IO halves
//! ([`Operation::serialize_request`], [`Operation::parse_response`]); this
//! module supplies the rest, the same for every service: endpoint
//! resolution, dispatch through the configured transport, and turning the
//! outcome into [`SdkError`].

use std::borrow::Cow;

use crate::config::Config;
use crate::error::{BoxError, BuildError, SdkError};
use crate::http::{HttpClient, HttpRequest, HttpResponse};

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
}

/// A prefix the operation puts before the endpoint's host (`foo.` of the
/// model's `endpoint.hostPrefix`, labels filled in); carried in the request's
/// extensions from `serialize_request` to [`invoke`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostPrefix(pub String);

/// Why a response did not yield the operation's output.
#[derive(Debug)]
pub enum ResponseFailure<E> {
    /// The service answered with an error, parsed into the operation's error type.
    Service(E),
    /// The response could not be parsed.
    Malformed(BoxError),
}

impl<E> ResponseFailure<E> {
    /// A response that could not be parsed.
    pub fn malformed(source: impl Into<BoxError>) -> Self {
        Self::Malformed(source.into())
    }
}

/// One operation of a service: its types and its wire mapping.
pub trait Operation {
    /// The operation's name in the model.
    const NAME: &'static str;
    /// The input.
    type Input;
    /// The output of a successful call.
    type Output;
    /// The errors the operation can return.
    type Error;

    /// Builds the HTTP request for `input`, with a URI of path and query only;
    /// [`invoke`] adds the endpoint.
    fn serialize_request(input: &Self::Input) -> Result<HttpRequest, BuildError>;

    /// Parses a response into the output, or the operation's error.
    fn parse_response(
        response: &HttpResponse,
    ) -> Result<Self::Output, ResponseFailure<Self::Error>>;
}

/// Calls operation `O` of `service` with `input`, as `config` says.
pub async fn invoke<O: Operation>(
    config: &Config,
    service: &ServiceInfo,
    input: &O::Input,
) -> Result<O::Output, SdkError<O::Error>> {
    let mut request = O::serialize_request(input).map_err(SdkError::construction_failure)?;
    let base = endpoint(config, service).map_err(SdkError::construction_failure)?;
    set_endpoint(&mut request, &base).map_err(SdkError::construction_failure)?;
    let client = config.http_client().ok_or_else(|| {
        SdkError::construction_failure(BuildError::config(
            "no HTTP client is configured; set one with `Config::builder().http_client(..)`",
        ))
    })?;
    let response = client
        .send(request)
        .await
        .map_err(SdkError::dispatch_failure)?;
    match O::parse_response(&response) {
        Ok(output) => Ok(output),
        Err(ResponseFailure::Service(err)) => Err(SdkError::service_error(err, response)),
        Err(ResponseFailure::Malformed(err)) => Err(SdkError::response_error(err, response)),
    }
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

    #[test]
    fn bad_endpoint_url_is_a_build_error() {
        let mut request = http::Request::builder()
            .uri("/")
            .body(bytes::Bytes::new())
            .unwrap();
        assert!(set_endpoint(&mut request, "not a url").is_err());
    }
}
