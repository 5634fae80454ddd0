//! The container credentials endpoint: ECS task roles and EKS Pod Identity.

use std::net::IpAddr;
use std::time::Duration;

use http::{Method, StatusCode};

use super::fetch::{self, Failure};
use super::{
    Credentials, CredentialsError, CredentialsFuture, ProvideCredentials, ProviderContext,
};
use crate::env::Env;
use crate::transport::RequestTimeouts;

const PROVIDER: &str = "container";
const ECS_HOST: &str = "http://169.254.170.2";
const RELATIVE_URI: &str = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
const FULL_URI: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
const TOKEN: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
const TOKEN_FILE: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";

const TIMEOUTS: RequestTimeouts = RequestTimeouts {
    connect: Some(Duration::from_secs(2)),
    attempt: Some(Duration::from_secs(5)),
};

/// Credentials from the container credentials endpoint, as ECS and EKS Pod
/// Identity provide it.
///
/// - `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`: `GET
///   http://169.254.170.2<relative URI>` (ECS).
/// - Else `AWS_CONTAINER_CREDENTIALS_FULL_URI`: `GET <full URI>`, which must
///   be `https`, or `http` to a loopback address (`127.0.0.0/8`, `::1`,
///   `localhost`), the ECS address `169.254.170.2` or the EKS Pod Identity
///   addresses `169.254.170.23` and `fd00:ec2::23`; any other is an error.
/// - The `Authorization` header, if any: the contents of the file named by
///   `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read at each fetch, as EKS
///   rotates it), else `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
/// - The answer is `{"AccessKeyId","SecretAccessKey","Token","Expiration"}`.
/// - Neither URI variable set: not found.
///
/// Not cached by itself; [`CredentialsCache`](super::CredentialsCache) and
/// the default chain cache it.
#[derive(Clone, Debug)]
pub struct ContainerCredentials {
    env: Env,
}

impl Default for ContainerCredentials {
    fn default() -> Self {
        Self::new()
    }
}

impl ContainerCredentials {
    /// Reads its settings from the process environment.
    pub fn new() -> Self {
        Self::with_env(Env::process())
    }

    /// Reads its settings from `env`.
    pub fn with_env(env: Env) -> Self {
        Self { env }
    }

    /// The URL to ask, or why there is none.
    fn url(&self) -> Result<String, CredentialsError> {
        if let Some(relative) = self.env.get(RELATIVE_URI) {
            if !relative.starts_with('/') {
                return Err(CredentialsError::provider(
                    PROVIDER,
                    RELATIVE_URI,
                    "the relative URI must start with `/`",
                ));
            }
            return Ok(format!("{ECS_HOST}{relative}"));
        }
        let Some(full) = self.env.get(FULL_URI) else {
            return Err(CredentialsError::not_found(format!(
                "neither {RELATIVE_URI} nor {FULL_URI} is set"
            )));
        };
        let uri: http::Uri = full.parse().map_err(|_| {
            CredentialsError::provider(PROVIDER, FULL_URI, format!("`{full}` is not a URL"))
        })?;
        match uri.scheme_str() {
            Some("https") => {}
            Some("http") => {
                let host = uri.host().unwrap_or("");
                if !allowed_http_host(host) {
                    return Err(CredentialsError::provider(
                        PROVIDER,
                        FULL_URI,
                        format!(
                            "`{host}` is not an allowed host for plain http (a loopback address, \
                             169.254.170.2, 169.254.170.23 or fd00:ec2::23; else use https)"
                        ),
                    ));
                }
            }
            _ => {
                return Err(CredentialsError::provider(
                    PROVIDER,
                    FULL_URI,
                    format!("`{full}` is neither http nor https"),
                ))
            }
        }
        Ok(full)
    }

    /// The authorization token, if one is configured.
    fn token(&self) -> Result<Option<String>, CredentialsError> {
        let token = if let Some(path) = self.env.get(TOKEN_FILE) {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                CredentialsError::provider_with_source(
                    PROVIDER,
                    format!("{TOKEN_FILE} ({path})"),
                    "cannot read the authorization token file",
                    e,
                )
            })?;
            Some((text.trim().to_owned(), TOKEN_FILE))
        } else {
            self.env.get(TOKEN).map(|t| (t, TOKEN))
        };
        match token {
            Some((token, from))
                if http::HeaderValue::from_str(&token).is_err() || token.contains(['\r', '\n']) =>
            {
                Err(CredentialsError::provider(
                    PROVIDER,
                    from,
                    "the authorization token is not a valid header value",
                ))
            }
            Some((token, _)) => Ok(Some(token)),
            None => Ok(None),
        }
    }

    async fn fetch(&self, cx: &ProviderContext) -> Result<Credentials, CredentialsError> {
        let url = self.url()?;
        let token = self.token()?;
        let headers: Vec<(&str, &str)> = token
            .as_deref()
            .map(|t| ("authorization", t))
            .into_iter()
            .collect();
        let request = fetch::request(Method::GET, &url, &headers)
            .map_err(|why| CredentialsError::provider(PROVIDER, &url, why))?;
        let response = match fetch::send(cx, PROVIDER, request, TIMEOUTS).await {
            Ok(response) => response,
            Err(Failure::NoTransport(e)) => return Err(e),
            Err(Failure::Unreachable(_, why)) => {
                return Err(CredentialsError::provider(PROVIDER, &url, why))
            }
        };
        if response.status() != StatusCode::OK {
            return Err(CredentialsError::provider(
                PROVIDER,
                &url,
                format!(
                    "status {}: {}",
                    response.status().as_u16(),
                    fetch::snippet(response.body())
                ),
            ));
        }
        fetch::parse_aws_json(response.body(), PROVIDER, &url)
    }
}

fn allowed_http_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => {
            ip.is_loopback()
                || ip.octets() == [169, 254, 170, 2]
                || ip.octets() == [169, 254, 170, 23]
        }
        Ok(IpAddr::V6(ip)) => {
            ip.is_loopback() || ip.segments() == [0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x23]
        }
        Err(_) => false,
    }
}

impl ProvideCredentials for ContainerCredentials {
    fn provide_credentials<'a>(&'a self, cx: &'a ProviderContext) -> CredentialsFuture<'a> {
        Box::pin(self.fetch(cx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block_on::block_on;
    use crate::testing::ReplayClient;
    use crate::transport::SharedHttpClient;

    const CREDS: &str = r#"{"AccessKeyId":"ASIATASK","SecretAccessKey":"TOPSECRET",
        "Token":"SESSIONTOKEN","Expiration":"2026-12-02T18:00:00Z","RoleArn":"arn:aws:iam::1:role/x"}"#;

    fn fetch(
        replay: &ReplayClient,
        vars: &[(&str, &str)],
    ) -> Result<Credentials, CredentialsError> {
        let cx = ProviderContext::new(Some(SharedHttpClient::new(replay.clone())));
        let env = Env::from_pairs(vars.iter().copied());
        block_on(ContainerCredentials::with_env(env).provide_credentials(&cx))
    }

    #[test]
    fn relative_uri_goes_to_the_ecs_address() {
        let replay = ReplayClient::new();
        replay.push_response(200, CREDS);
        let creds = fetch(&replay, &[(RELATIVE_URI, "/v2/credentials/abc")]).unwrap();
        assert_eq!(creds.access_key_id(), "ASIATASK");
        assert_eq!(creds.session_token(), Some("SESSIONTOKEN"));
        let request = replay.last_request().unwrap();
        assert_eq!(request.uri(), "http://169.254.170.2/v2/credentials/abc");
        assert!(request.headers().get("authorization").is_none());
    }

    #[test]
    fn full_uri_with_a_token_or_a_token_file() {
        let replay = ReplayClient::new();
        replay.push_response(200, CREDS);
        fetch(
            &replay,
            &[(FULL_URI, "http://127.0.0.1:9/creds"), (TOKEN, "AUTHTOKEN")],
        )
        .unwrap();
        let request = replay.last_request().unwrap();
        assert_eq!(request.uri(), "http://127.0.0.1:9/creds");
        assert_eq!(request.headers()["authorization"], "AUTHTOKEN");

        // The file wins over the variable, and is read afresh.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        std::fs::write(
            &file,
            "FILETOKEN
",
        )
        .unwrap();
        let path = file.to_string_lossy().into_owned();
        let replay = ReplayClient::new();
        replay.push_response(200, CREDS);
        replay.push_response(200, CREDS);
        let vars = [
            (FULL_URI, "https://creds.example/x"),
            (TOKEN, "AUTHTOKEN"),
            (TOKEN_FILE, path.as_str()),
        ];
        fetch(&replay, &vars).unwrap();
        std::fs::write(&file, "ROTATED").unwrap();
        fetch(&replay, &vars).unwrap();
        let sent: Vec<_> = replay
            .requests()
            .iter()
            .map(|r| r.headers()["authorization"].clone())
            .collect();
        assert_eq!(sent, ["FILETOKEN", "ROTATED"]);

        std::fs::remove_file(&file).unwrap();
        let err = fetch(&replay, &vars).unwrap_err();
        assert!(
            err.to_string()
                .contains("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
            "{err}"
        );
        assert!(std::error::Error::source(&err).is_some());
    }

    #[test]
    fn refused_hosts_errors_and_absence() {
        let replay = ReplayClient::new();
        let err = fetch(&replay, &[(FULL_URI, "http://10.1.2.3/creds")]).unwrap_err();
        assert!(!err.is_not_found());
        assert!(err.to_string().contains("not an allowed host"), "{err}");
        let err = fetch(&replay, &[(FULL_URI, "ftp://127.0.0.1/creds")]).unwrap_err();
        assert!(err.to_string().contains("neither http nor https"), "{err}");
        let err = fetch(
            &replay,
            &[(FULL_URI, "http://127.0.0.1/"), (TOKEN, "BAD\nTOKEN")],
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("not a valid header value"),
            "{err}"
        );
        assert!(!err.to_string().contains("BAD"), "{err}");
        assert!(replay.requests().is_empty());

        let err = fetch(&replay, &[]).unwrap_err();
        assert!(err.is_not_found());

        let replay = ReplayClient::new();
        replay.push_response(403, r#"{"message":"denied"}"#);
        let err = fetch(&replay, &[(RELATIVE_URI, "/creds"), (TOKEN, "AUTHTOKEN")]).unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(
            shown.contains("container credentials from http://169.254.170.2/creds: status 403"),
            "{shown}"
        );
        assert!(!shown.contains("AUTHTOKEN"), "{shown}");
    }

    #[test]
    fn allowed_hosts() {
        for host in [
            "127.0.0.1",
            "127.1.2.3",
            "[::1]",
            "localhost",
            "169.254.170.2",
            "169.254.170.23",
            "[fd00:ec2::23]",
        ] {
            assert!(allowed_http_host(host), "{host}");
        }
        for host in [
            "10.0.0.1",
            "example.com",
            "169.254.169.254",
            "[fd00:ec2::254]",
            "127.0.0.1.example.com",
            "",
        ] {
            assert!(!allowed_http_host(host), "{host}");
        }
    }
}
