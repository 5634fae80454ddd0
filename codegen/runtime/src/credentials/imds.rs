//! EC2 instance metadata (IMDS): the instance role's credentials, and the
//! instance's region.

use http::{Method, StatusCode};

use super::fetch::{self, Failure};
use super::{
    CredentialsError, CredentialsFuture, ProfileCredentials, ProvideCredentials, ProviderContext,
};
use crate::env::Env;

const PROVIDER: &str = "instance metadata";
const TOKEN_TTL_HEADER: &str = "x-aws-ec2-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "x-aws-ec2-metadata-token";
const CREDENTIALS_PATH: &str = "/latest/meta-data/iam/security-credentials/";
const REGION_PATH: &str = "/latest/meta-data/placement/region";

/// Where and how instance metadata is reached, from the environment and
/// the profile.
#[derive(Clone, Debug)]
struct Imds {
    env: Env,
    profile: ProfileCredentials,
}

/// Whether `value` is `true`, as the AWS SDKs read boolean settings.
fn is_true(value: Option<String>) -> bool {
    value.is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

impl Imds {
    fn new(env: Env) -> Self {
        Self {
            profile: ProfileCredentials::with_env(env.clone()),
            env,
        }
    }

    fn setting(&self, var: &str, key: &str) -> Option<String> {
        self.env.get(var).or_else(|| self.profile.config_value(key))
    }

    fn disabled(&self) -> bool {
        is_true(self.env.get("AWS_EC2_METADATA_DISABLED"))
    }

    fn endpoint(&self) -> String {
        if let Some(url) = self.setting(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT",
            "ec2_metadata_service_endpoint",
        ) {
            return url.trim_end_matches('/').to_owned();
        }
        let mode = self.setting(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
            "ec2_metadata_service_endpoint_mode",
        );
        if mode.is_some_and(|m| m.eq_ignore_ascii_case("ipv6")) {
            "http://[fd00:ec2::254]".to_owned()
        } else {
            "http://169.254.169.254".to_owned()
        }
    }

    fn v1_disabled(&self) -> bool {
        is_true(self.setting("AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled"))
    }

    /// The session token (IMDSv2), or `None` to fall back to IMDSv1: the
    /// token request timed out (a container on the instance, one network
    /// hop too far) or was refused with 403, 404 or 405, as botocore does.
    async fn token(
        &self,
        cx: &ProviderContext,
        base: &str,
    ) -> Result<Option<String>, CredentialsError> {
        let url = format!("{base}/latest/api/token");
        let request = fetch::request(Method::PUT, &url, &[(TOKEN_TTL_HEADER, "21600")])
            .map_err(|why| CredentialsError::provider(PROVIDER, &url, why))?;
        match fetch::send(cx, PROVIDER, request, fetch::SHORT).await {
            Ok(response) if response.status() == StatusCode::OK => {
                let token = String::from_utf8(response.body().to_vec())
                    .ok()
                    .map(|t| t.trim().to_owned())
                    .filter(|t| !t.is_empty() && http::HeaderValue::from_str(t).is_ok())
                    .ok_or_else(|| {
                        CredentialsError::provider(
                            PROVIDER,
                            &url,
                            "the session token is not a header value",
                        )
                    })?;
                Ok(Some(token))
            }
            Ok(response) if matches!(response.status().as_u16(), 403..=405) => {
                self.fall_back(&url, &format!("status {}", response.status().as_u16()))
            }
            Ok(response) => Err(CredentialsError::provider(
                PROVIDER,
                &url,
                format!(
                    "the token request failed with status {}: {}",
                    response.status().as_u16(),
                    fetch::snippet(response.body())
                ),
            )),
            Err(Failure::NoTransport(e)) => Err(e),
            Err(Failure::Unreachable(crate::transport::ConnectorErrorKind::Timeout, why)) => {
                self.fall_back(&url, &why)
            }
            Err(Failure::Unreachable(_, why)) => Err(CredentialsError::not_found(format!(
                "no instance metadata service at {base} ({why})"
            ))),
        }
    }

    fn fall_back(&self, url: &str, why: &str) -> Result<Option<String>, CredentialsError> {
        if self.v1_disabled() {
            return Err(CredentialsError::provider(
                PROVIDER,
                url,
                format!(
                    "no session token ({why}) and the IMDSv1 fallback is turned off \
                     (AWS_EC2_METADATA_V1_DISABLED or ec2_metadata_v1_disabled)"
                ),
            ));
        }
        #[cfg(feature = "tracing")]
        tracing::debug!("no IMDSv2 session token ({why}); falling back to IMDSv1");
        Ok(None)
    }

    /// The body of `GET base + path`, or `None` for 404; with the token, if any.
    async fn get(
        &self,
        cx: &ProviderContext,
        base: &str,
        token: Option<&str>,
        path: &str,
    ) -> Result<Option<bytes::Bytes>, CredentialsError> {
        let url = format!("{base}{path}");
        let headers: Vec<(&str, &str)> = token.map(|t| (TOKEN_HEADER, t)).into_iter().collect();
        let request = fetch::request(Method::GET, &url, &headers)
            .map_err(|why| CredentialsError::provider(PROVIDER, &url, why))?;
        match fetch::send(cx, PROVIDER, request, fetch::SHORT).await {
            Ok(response) if response.status() == StatusCode::OK => Ok(Some(response.into_body())),
            Ok(response) if response.status() == StatusCode::NOT_FOUND => Ok(None),
            Ok(response) => {
                let hint = if response.status() == StatusCode::UNAUTHORIZED && token.is_none() {
                    " (the instance requires IMDSv2 and no session token was granted)"
                } else {
                    ""
                };
                Err(CredentialsError::provider(
                    PROVIDER,
                    &url,
                    format!("status {}{hint}", response.status().as_u16()),
                ))
            }
            Err(Failure::NoTransport(e)) => Err(e),
            Err(Failure::Unreachable(_, why)) => Err(CredentialsError::not_found(format!(
                "no instance metadata service at {base} ({why})"
            ))),
        }
    }

    async fn credentials(
        &self,
        cx: &ProviderContext,
    ) -> Result<super::Credentials, CredentialsError> {
        if self.disabled() {
            return Err(CredentialsError::not_found(
                "instance metadata is turned off (AWS_EC2_METADATA_DISABLED)",
            ));
        }
        let base = self.endpoint();
        let token = self.token(cx, &base).await?;
        let token = token.as_deref();
        let roles = self.get(cx, &base, token, CREDENTIALS_PATH).await?;
        let role = roles
            .as_deref()
            .and_then(|body| std::str::from_utf8(body).ok())
            .and_then(|text| text.lines().map(str::trim).find(|l| !l.is_empty()))
            .map(str::to_owned)
            .ok_or_else(|| {
                CredentialsError::not_found(format!(
                    "the instance at {base} has no IAM role ({CREDENTIALS_PATH} lists none)"
                ))
            })?;
        if role.contains(['/', '?', '#']) {
            return Err(CredentialsError::provider(
                PROVIDER,
                format!("{base}{CREDENTIALS_PATH}"),
                "the role name is not a path segment",
            ));
        }
        let path = format!("{CREDENTIALS_PATH}{role}");
        let url = format!("{base}{path}");
        let body = self.get(cx, &base, token, &path).await?.ok_or_else(|| {
            CredentialsError::provider(PROVIDER, &url, "the role's credentials are not there (404)")
        })?;
        fetch::parse_aws_json(&body, PROVIDER, &url)
    }

    async fn region(&self, cx: &ProviderContext) -> Option<String> {
        if self.disabled() {
            return None;
        }
        let base = self.endpoint();
        let token = self.token(cx, &base).await.ok()?;
        let body = self
            .get(cx, &base, token.as_deref(), REGION_PATH)
            .await
            .ok()??;
        let region = std::str::from_utf8(&body).ok()?.trim();
        let valid = !region.is_empty()
            && region.len() <= 64
            && region
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        valid.then(|| region.to_owned())
    }
}

/// The credentials of an EC2 instance's role, from instance metadata.
///
/// - Endpoint: `AWS_EC2_METADATA_SERVICE_ENDPOINT` (or the profile's
///   `ec2_metadata_service_endpoint`), else `http://[fd00:ec2::254]` if
///   `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` (or
///   `ec2_metadata_service_endpoint_mode`) is `IPv6`, else
///   `http://169.254.169.254`.
/// - `AWS_EC2_METADATA_DISABLED=true`: not asked at all (not found).
/// - IMDSv2: `PUT /latest/api/token` (TTL 6 hours), then
///   `GET /latest/meta-data/iam/security-credentials/` for the role name and
///   `GET .../security-credentials/<role>` for the credentials, each with
///   the token in `x-aws-ec2-metadata-token`.
/// - IMDSv1 fallback, as botocore: if the token request times out or is
///   answered 403, 404 or 405, the same requests are made without a token,
///   unless `AWS_EC2_METADATA_V1_DISABLED` (or `ec2_metadata_v1_disabled`)
///   is `true`, which makes that an error.
/// - Short timeouts (1 s to connect, 2 s per request) and no retries, so a
///   machine without instance metadata gives up fast: a refused or timed-out
///   connection is "not found", and a chain moves on.
///
/// Not cached by itself; [`CredentialsCache`](super::CredentialsCache) and
/// the default chain cache it.
#[derive(Clone, Debug)]
pub struct ImdsCredentials {
    imds: Imds,
}

impl Default for ImdsCredentials {
    fn default() -> Self {
        Self::new()
    }
}

impl ImdsCredentials {
    /// Reads its settings from the process environment.
    pub fn new() -> Self {
        Self::with_env(Env::process())
    }

    /// Reads its settings from `env` (and the profile it names).
    pub fn with_env(env: Env) -> Self {
        Self {
            imds: Imds::new(env),
        }
    }
}

impl ProvideCredentials for ImdsCredentials {
    fn provide_credentials<'a>(&'a self, cx: &'a ProviderContext) -> CredentialsFuture<'a> {
        Box::pin(self.imds.credentials(cx))
    }
}

/// The instance's region, from instance metadata
/// (`/latest/meta-data/placement/region`), with the settings, token and
/// fallback of [`ImdsCredentials`].
#[derive(Clone, Debug)]
pub struct ImdsRegion {
    imds: Imds,
}

impl ImdsRegion {
    /// Reads its settings from `env` (and the profile it names).
    pub fn with_env(env: Env) -> Self {
        Self {
            imds: Imds::new(env),
        }
    }

    /// The region, or `None` if instance metadata is off, absent or says
    /// nothing usable.
    pub async fn region(&self, cx: &ProviderContext) -> Option<String> {
        self.imds.region(cx).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block_on::block_on;
    use crate::testing::{response, ReplayClient};
    use crate::transport::{ConnectorError, ConnectorErrorKind, SharedHttpClient};

    const CREDS: &str = r#"{"Code":"Success","LastUpdated":"2026-12-02T12:00:00Z","Type":"AWS-HMAC",
        "AccessKeyId":"ASIAIMDS","SecretAccessKey":"TOPSECRET","Token":"SESSIONTOKEN",
        "Expiration":"2026-12-02T18:00:00Z"}"#;

    fn env(extra: &[(&str, &str)]) -> Env {
        let mut vars = vec![
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://imds.test/"),
            ("HOME", "/nonexistent-home-for-tests"),
        ];
        vars.extend_from_slice(extra);
        Env::from_pairs(vars)
    }

    fn fetch(
        replay: &ReplayClient,
        env: Env,
    ) -> Result<super::super::Credentials, CredentialsError> {
        let cx = ProviderContext::new(Some(SharedHttpClient::new(replay.clone())));
        block_on(ImdsCredentials::with_env(env).provide_credentials(&cx))
    }

    fn seen(replay: &ReplayClient) -> Vec<(String, String, Option<String>)> {
        replay
            .requests()
            .iter()
            .map(|r| {
                (
                    r.method().to_string(),
                    r.uri().to_string(),
                    r.headers()
                        .get(TOKEN_HEADER)
                        .map(|v| v.to_str().unwrap().to_owned()),
                )
            })
            .collect()
    }

    #[test]
    fn token_then_role_then_credentials() {
        let replay = ReplayClient::new();
        replay.push_response(200, "TOKEN-1");
        replay.push_response(200, "fleet-role\n");
        replay.push_response(200, CREDS);
        let creds = fetch(&replay, env(&[])).unwrap();
        assert_eq!(creds.access_key_id(), "ASIAIMDS");
        assert_eq!(creds.session_token(), Some("SESSIONTOKEN"));
        assert!(creds.expiry().is_some());
        let token = Some("TOKEN-1".to_owned());
        assert_eq!(
            seen(&replay),
            [
                (
                    "PUT".into(),
                    "http://imds.test/latest/api/token".into(),
                    None
                ),
                (
                    "GET".into(),
                    format!("http://imds.test{CREDENTIALS_PATH}"),
                    token.clone()
                ),
                (
                    "GET".into(),
                    format!("http://imds.test{CREDENTIALS_PATH}fleet-role"),
                    token
                ),
            ]
        );
        let put = &replay.requests()[0];
        assert_eq!(put.headers()[TOKEN_TTL_HEADER], "21600");
        assert_eq!(
            put.extensions().get::<RequestTimeouts>(),
            Some(&fetch::SHORT)
        );
    }

    use crate::transport::RequestTimeouts;

    #[test]
    fn v1_fallback_after_403_404_405_or_a_timeout() {
        for first in [Some(403), Some(404), Some(405), None] {
            let replay = ReplayClient::new();
            match first {
                Some(status) => replay.push_response(status, ""),
                None => {
                    replay.push_failure(ConnectorError::new(ConnectorErrorKind::Timeout, "slow"))
                }
            }
            replay.push_response(200, "fleet-role");
            replay.push_response(200, CREDS);
            let creds = fetch(&replay, env(&[])).unwrap();
            assert_eq!(creds.access_key_id(), "ASIAIMDS");
            assert!(seen(&replay)[1..]
                .iter()
                .all(|(_, _, token)| token.is_none()));

            // With the fallback turned off: an error saying so.
            let replay = ReplayClient::new();
            match first {
                Some(status) => replay.push_response(status, ""),
                None => {
                    replay.push_failure(ConnectorError::new(ConnectorErrorKind::Timeout, "slow"))
                }
            }
            let err = fetch(&replay, env(&[("AWS_EC2_METADATA_V1_DISABLED", "true")])).unwrap_err();
            assert!(!err.is_not_found());
            assert!(
                err.to_string().contains("IMDSv1 fallback is turned off"),
                "{err}"
            );
            assert_eq!(replay.requests().len(), 1);
        }
    }

    #[test]
    fn absent_disabled_or_roleless_is_not_found() {
        let replay = ReplayClient::new();
        replay.push_failure(ConnectorError::new(
            ConnectorErrorKind::Io,
            "connection refused",
        ));
        let err = fetch(&replay, env(&[])).unwrap_err();
        assert!(err.is_not_found(), "{err}");
        assert!(
            err.to_string()
                .contains("no instance metadata service at http://imds.test"),
            "{err}"
        );

        let replay = ReplayClient::new();
        let err = fetch(&replay, env(&[("AWS_EC2_METADATA_DISABLED", "TRUE")])).unwrap_err();
        assert!(err.is_not_found() && err.to_string().contains("AWS_EC2_METADATA_DISABLED"));
        assert!(replay.requests().is_empty());

        let replay = ReplayClient::new();
        replay.push_response(200, "TOKEN");
        replay.push_response(404, "");
        let err = fetch(&replay, env(&[])).unwrap_err();
        assert!(
            err.is_not_found() && err.to_string().contains("has no IAM role"),
            "{err}"
        );
    }

    #[test]
    fn failures_name_the_endpoint_and_never_the_secrets() {
        let replay = ReplayClient::new();
        replay.push_response(200, "TOKEN");
        replay.push_response(200, "fleet-role");
        replay.push_response(
            200,
            r#"{"Code":"AssumeRoleUnauthorizedAccess","Message":"role cannot be assumed"}"#,
        );
        let err = fetch(&replay, env(&[])).unwrap_err();
        let shown = err.to_string();
        assert_eq!(err.provider_name(), Some("instance metadata"));
        assert!(shown.contains("security-credentials/fleet-role"), "{shown}");
        assert!(
            shown.contains("`AssumeRoleUnauthorizedAccess`: role cannot be assumed"),
            "{shown}"
        );

        let replay = ReplayClient::new();
        replay.push_response(200, "TOKEN");
        replay.push_response(200, "fleet-role");
        replay.push_response(200, r#"{"AccessKeyId":"A","SecretAccessKey":"TOPSECRET","Token":"SESSIONTOKEN","Expiration":"soon"}"#);
        let err = fetch(&replay, env(&[])).unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(shown.contains("expiration is not a date"), "{shown}");
        assert!(
            !shown.contains("TOPSECRET") && !shown.contains("SESSIONTOKEN"),
            "{shown}"
        );

        let replay = ReplayClient::new();
        replay.push_response(200, "TOKEN");
        replay.push_response(401, "");
        let err = fetch(&replay, env(&[])).unwrap_err();
        assert!(err.to_string().contains("status 401"), "{err}");
    }

    #[test]
    fn endpoint_settings() {
        let imds = Imds::new(Env::from_pairs([("HOME", "/nonexistent")]));
        assert_eq!(imds.endpoint(), "http://169.254.169.254");
        let imds = Imds::new(Env::from_pairs([(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
            "IPv6",
        )]));
        assert_eq!(imds.endpoint(), "http://[fd00:ec2::254]");
    }

    #[test]
    fn region() {
        let replay = ReplayClient::new();
        replay.push_response(200, "TOKEN");
        replay.push(response(200, &[], "eu-central-1\n"));
        let cx = ProviderContext::new(Some(SharedHttpClient::new(replay.clone())));
        let region = block_on(ImdsRegion::with_env(env(&[])).region(&cx));
        assert_eq!(region.as_deref(), Some("eu-central-1"));
        assert!(replay.requests()[1]
            .uri()
            .to_string()
            .ends_with(REGION_PATH));
    }
}
