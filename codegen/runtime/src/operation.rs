//! The call pipeline every operation goes through.
//!
//! A generated operation supplies the two sans-IO halves
//! ([`Operation::serialize_request`], [`Operation::parse_response`]); this
//! module supplies the rest, the same for every service: endpoint
//! resolution, SigV4 signing, dispatch through the configured transport, and
//! turning the outcome into [`SdkError`].

use std::borrow::Cow;
use std::time::SystemTime;

use crate::config::Config;
use crate::credentials::ProvideCredentials;
use crate::error::{BoxError, BuildError, SdkError};
use crate::http::{HttpClient, HttpRequest, HttpResponse};
use crate::sigv4::{SigningParams, SigningSettings};

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

/// Calls operation `O` of `service` with `input`, as `config` says: builds
/// the request, points it at the endpoint, signs it with the configured
/// credentials and region, sends it and parses the response.
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
    sign(config, service, &mut request).map_err(SdkError::construction_failure)?;
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

/// Signs `request` (SigV4, in headers) for `service` with the configured
/// credentials and region, at the current time.
pub fn sign(
    config: &Config,
    service: &ServiceInfo,
    request: &mut HttpRequest,
) -> Result<(), BuildError> {
    let region = config.region().ok_or_else(|| {
        BuildError::config(
            "a region is needed to sign requests and none is configured (an `endpoint_url` \
             does not say which region to sign for); set one with \
             `Config::builder().region(..)` or AWS_REGION",
        )
    })?;
    let provider = config.credentials_provider().ok_or_else(|| {
        BuildError::config(
            "no credentials are configured; set them with `Config::builder().credentials(..)` \
             or `.credentials_provider(..)`, or start from `Config::from_env()` to read \
             AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or a profile of ~/.aws/credentials",
        )
    })?;
    let credentials = provider
        .provide_credentials()
        .map_err(BuildError::credentials)?;
    let params = SigningParams {
        credentials: &credentials,
        region: region.as_str(),
        service: service.signing_name,
        time: SystemTime::now(),
        settings: SigningSettings::default(),
    };
    config
        .signer()
        .sign(request, &params)
        .map_err(BuildError::signing)
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

    mod signing {
        use std::error::Error as _;

        use bytes::Bytes;
        use hmac::{Hmac, Mac};
        use sha2::{Digest, Sha256};

        use super::*;
        use crate::block_on::block_on;
        use crate::credentials::{Credentials, CredentialsError};
        use crate::error::{ErrorMetadata, Unhandled};
        use crate::testing::ReplayClient;

        const BODY: &[u8] = br#"{"status":"IN_PROGRESS"}"#;

        /// POSTs JSON to a path with an encoded label and an unsorted query.
        struct PutThing;

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
                    Err(ResponseFailure::Service(Unhandled::new(
                        ErrorMetadata::default(),
                        response.body().clone(),
                    )))
                }
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

            // The signature, worked out here from the request as sent.
            let signed_headers = "content-type;host;x-amz-date;x-amz-security-token";
            let canonical = format!(
                "POST\n/things/a%2520b\na=1&z=2\ncontent-type:application/json\n\
                 host:127.0.0.1:8080\nx-amz-date:{date}\nx-amz-security-token:{token}\n\n\
                 {signed_headers}\n{}",
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
                .contains("SignedHeaders=content-type;host;x-amz-date,"));
            assert_eq!(config.signer().keys_derived(), 1);
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
            fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
                Err(CredentialsError::not_found("nothing in the test vault"))
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
}
