//! AWS IoT's credentials provider: a device trades its X.509 certificate for
//! temporary credentials of the role an alias names.

use std::fmt;
use std::time::Duration;

use http::{Method, StatusCode};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::fetch::{self, Failure};
use super::{
    CredentialsCache, CredentialsError, CredentialsFuture, ProvideCredentials, ProviderContext,
};
use crate::transport::{RequestTimeouts, SharedHttpClient};

const PROVIDER: &str = "AWS IoT";
const THING_NAME_HEADER: &str = "x-amzn-iot-thingname";

/// Characters a path segment keeps (RFC 3986 unreserved).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

const TIMEOUTS: RequestTimeouts = RequestTimeouts {
    connect: Some(Duration::from_secs(5)),
    attempt: Some(Duration::from_secs(10)),
};

/// Temporary credentials from AWS IoT's credentials provider, for a device
/// that holds an X.509 certificate registered with AWS IoT.
///
/// It sends `GET <endpoint>/role-aliases/<alias>/credentials` over mutual
/// TLS (the device's certificate and key), with the thing's name in
/// `x-amzn-iot-thingname`, and reads
/// `{"credentials":{"accessKeyId","secretAccessKey","sessionToken","expiration"}}`;
/// an error answer's `x-amzn-ErrorType` and `message` become the
/// [`CredentialsError`]. The credentials are cached and refreshed before
/// they expire ([`CredentialsCache`]). Set it with
/// `Config::builder().credentials_provider(..)`.
///
/// The request goes through the transport set with
/// [`IotCredentialsBuilder::http_client`], which must present the
/// certificate ([`IotCredentialsProvider::tls_identity`] gives the PEM
/// bytes to build it from); without one, and with the `https` feature, the
/// provider makes the default transport with the certificate, its key and
/// the root CA as its TLS settings. It never uses the client's own
/// transport, which has no client certificate.
///
/// ```
/// use sdk_runtime::credentials::IotCredentialsProvider;
///
/// let err = IotCredentialsProvider::builder()
///     .endpoint("https://abc.credentials.iot.eu-west-1.amazonaws.com")
///     .role_alias("fleet-role")
///     .build()
///     .unwrap_err();
/// assert!(err.to_string().contains("thing_name"), "{err}");
/// ```
pub struct IotCredentialsProvider {
    cache: CredentialsCache,
    identity: TlsIdentity,
}

/// The device's certificate, private key and optional extra trust anchors,
/// as PEM bytes: what a mutual-TLS transport is built from. `Debug` shows
/// no key.
#[derive(Clone)]
pub struct TlsIdentity {
    /// The device certificate (PEM).
    pub certificate_pem: Vec<u8>,
    /// The certificate's private key (PEM).
    pub private_key_pem: Vec<u8>,
    /// Extra root certificates to trust (PEM), if any.
    pub root_ca_pem: Option<Vec<u8>>,
}

impl fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsIdentity")
            .field(
                "certificate_pem",
                &format_args!("{} bytes", self.certificate_pem.len()),
            )
            .field("private_key_pem", &"** redacted **")
            .field("root_ca_pem", &self.root_ca_pem.as_ref().map(|p| p.len()))
            .finish()
    }
}

impl fmt::Debug for IotCredentialsProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IotCredentialsProvider")
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

impl IotCredentialsProvider {
    /// A builder; endpoint, role alias, thing name, certificate and key are
    /// required.
    pub fn builder() -> IotCredentialsBuilder {
        IotCredentialsBuilder::default()
    }

    /// The certificate, key and trust anchors the transport must use.
    pub fn tls_identity(&self) -> &TlsIdentity {
        &self.identity
    }
}

impl ProvideCredentials for IotCredentialsProvider {
    fn provide_credentials<'a>(&'a self, cx: &'a ProviderContext) -> CredentialsFuture<'a> {
        self.cache.provide_credentials(cx)
    }
}

/// Builds an [`IotCredentialsProvider`].
#[derive(Clone, Default)]
pub struct IotCredentialsBuilder {
    endpoint: Option<String>,
    role_alias: Option<String>,
    thing_name: Option<String>,
    certificate_pem: Option<Vec<u8>>,
    private_key_pem: Option<Vec<u8>>,
    root_ca_pem: Option<Vec<u8>>,
    http_client: Option<SharedHttpClient>,
}

impl fmt::Debug for IotCredentialsBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IotCredentialsBuilder")
            .field("endpoint", &self.endpoint)
            .field("role_alias", &self.role_alias)
            .field("thing_name", &self.thing_name)
            .field(
                "private_key_pem",
                &self.private_key_pem.as_ref().map(|_| "** redacted **"),
            )
            .finish_non_exhaustive()
    }
}

/// The default transport, presenting `certificate_pem` with its key and
/// trusting `root_ca_pem` too.
#[cfg(any(feature = "https", feature = "rt-tokio"))]
fn mutual_tls_transport(
    certificate_pem: &[u8],
    private_key_pem: &[u8],
    root_ca_pem: Option<&[u8]>,
) -> Result<SharedHttpClient, CredentialsError> {
    let mut tls = crate::transport::tls::TlsSettings::default();
    tls.set_client_certificate_pem(certificate_pem, private_key_pem);
    if let Some(root) = root_ca_pem {
        tls.add_trust_anchors_pem(root);
    }
    crate::transport::DefaultClient::with_tls(&tls)
        .map(SharedHttpClient::new)
        .map_err(|e| {
            CredentialsError::provider(
                PROVIDER,
                "the builder",
                format!("cannot make the mutual-TLS transport: {e}"),
            )
        })
}

/// Without a transport of its own (feature `https`), one must be set.
#[cfg(not(any(feature = "https", feature = "rt-tokio")))]
fn mutual_tls_transport(
    _: &[u8],
    _: &[u8],
    _: Option<&[u8]>,
) -> Result<SharedHttpClient, CredentialsError> {
    Err(CredentialsError::provider(
        PROVIDER,
        "the builder",
        "no mutual-TLS transport: set `.http_client(..)` with a transport that presents \
         the certificate, or enable the `https` feature",
    ))
}

impl IotCredentialsBuilder {
    /// The account's `iot:CredentialProvider` endpoint
    /// (`https://<prefix>.credentials.iot.<region>.amazonaws.com`), or any
    /// URL (tests).
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// The role alias whose role's credentials are asked for.
    pub fn role_alias(mut self, name: impl Into<String>) -> Self {
        self.role_alias = Some(name.into());
        self
    }

    /// The thing the certificate is attached to (sent as `x-amzn-iot-thingname`).
    pub fn thing_name(mut self, name: impl Into<String>) -> Self {
        self.thing_name = Some(name.into());
        self
    }

    /// The device certificate, PEM, as read from its file.
    pub fn certificate_pem(mut self, pem: Vec<u8>) -> Self {
        self.certificate_pem = Some(pem);
        self
    }

    /// The certificate's private key, PEM, as read from its file.
    pub fn private_key_pem(mut self, pem: Vec<u8>) -> Self {
        self.private_key_pem = Some(pem);
        self
    }

    /// Extra root certificates to trust (optional), PEM.
    pub fn root_ca_pem(mut self, pem: Vec<u8>) -> Self {
        self.root_ca_pem = Some(pem);
        self
    }

    /// The transport to send with: a mutual-TLS one that presents the
    /// certificate (built from [`IotCredentialsProvider::tls_identity`]'s
    /// parts), or an in-memory one in tests.
    pub fn http_client(mut self, client: SharedHttpClient) -> Self {
        self.http_client = Some(client);
        self
    }

    /// The provider, or an error naming what is missing or unreadable.
    pub fn build(self) -> Result<IotCredentialsProvider, CredentialsError> {
        let missing = |what: &str| {
            CredentialsError::provider(PROVIDER, "the builder", format!("`{what}` is not set"))
        };
        let endpoint = self.endpoint.ok_or_else(|| missing("endpoint"))?;
        let parsed: http::Uri = endpoint.parse().map_err(|_| {
            CredentialsError::provider(
                PROVIDER,
                "the builder",
                format!("endpoint `{endpoint}` is not a URL"),
            )
        })?;
        if parsed.scheme().is_none() || parsed.authority().is_none() {
            return Err(CredentialsError::provider(
                PROVIDER,
                "the builder",
                format!("endpoint `{endpoint}` needs a scheme and a host"),
            ));
        }
        let role_alias = self
            .role_alias
            .filter(|a| !a.is_empty())
            .ok_or_else(|| missing("role_alias"))?;
        let thing_name = self
            .thing_name
            .filter(|t| !t.is_empty())
            .ok_or_else(|| missing("thing_name"))?;
        if http::HeaderValue::from_str(&thing_name).is_err() {
            return Err(CredentialsError::provider(
                PROVIDER,
                "the builder",
                "`thing_name` is not a valid header value",
            ));
        }
        let certificate_pem = self
            .certificate_pem
            .ok_or_else(|| missing("certificate_pem"))?;
        let private_key_pem = self
            .private_key_pem
            .ok_or_else(|| missing("private_key_pem"))?;
        check_pem(&certificate_pem, "certificate_pem", "CERTIFICATE")?;
        check_pem(&private_key_pem, "private_key_pem", "PRIVATE KEY")?;
        if let Some(root) = &self.root_ca_pem {
            check_pem(root, "root_ca_pem", "CERTIFICATE")?;
        }
        let client = match self.http_client {
            Some(client) => client,
            None => mutual_tls_transport(
                &certificate_pem,
                &private_key_pem,
                self.root_ca_pem.as_deref(),
            )?,
        };
        let url = format!(
            "{}/role-aliases/{}/credentials",
            endpoint.trim_end_matches('/'),
            utf8_percent_encode(&role_alias, SEGMENT)
        );
        Ok(IotCredentialsProvider {
            cache: CredentialsCache::new(Fetch {
                url,
                thing_name,
                client: ProviderContext::new(Some(client)),
            }),
            identity: TlsIdentity {
                certificate_pem,
                private_key_pem,
                root_ca_pem: self.root_ca_pem,
            },
        })
    }
}

/// Whether `pem` holds a PEM block whose label ends with `label`; the
/// transport parses it for real.
fn check_pem(pem: &[u8], what: &str, label: &str) -> Result<(), CredentialsError> {
    let unreadable = |why: &str| {
        CredentialsError::provider(
            PROVIDER,
            "the builder",
            format!("`{what}` is unreadable: {why}"),
        )
    };
    let text = std::str::from_utf8(pem).map_err(|_| unreadable("not text"))?;
    let found = text.lines().any(|line| {
        line.trim()
            .strip_prefix("-----BEGIN ")
            .and_then(|rest| rest.strip_suffix("-----"))
            .is_some_and(|l| l.ends_with(label))
    });
    if found {
        Ok(())
    } else {
        Err(unreadable(&format!(
            "no `-----BEGIN ...{label}-----` block"
        )))
    }
}

/// One request to the credentials endpoint.
#[derive(Debug)]
struct Fetch {
    url: String,
    thing_name: String,
    client: ProviderContext,
}

impl Fetch {
    async fn fetch(&self) -> Result<super::Credentials, CredentialsError> {
        let url = &self.url;
        let request = fetch::request(Method::GET, url, &[(THING_NAME_HEADER, &self.thing_name)])
            .map_err(|why| CredentialsError::provider(PROVIDER, url, why))?;
        let response = match fetch::send(&self.client, PROVIDER, request, TIMEOUTS).await {
            Ok(response) => response,
            Err(Failure::NoTransport(e)) => return Err(e),
            Err(Failure::Unreachable(_, why)) => {
                return Err(CredentialsError::provider(PROVIDER, url, why))
            }
        };
        if response.status() != StatusCode::OK {
            let kind = response
                .headers()
                .get("x-amzn-ErrorType")
                .and_then(|v| v.to_str().ok())
                .map(|v| v.split(':').next().unwrap_or(v).trim().to_owned());
            let message = serde_json::from_slice::<serde_json::Value>(response.body())
                .ok()
                .and_then(|b| b.get("message").and_then(|m| m.as_str()).map(str::to_owned))
                .unwrap_or_else(|| fetch::snippet(response.body()));
            return Err(CredentialsError::provider(
                PROVIDER,
                url,
                format!(
                    "status {}{}: {message}",
                    response.status().as_u16(),
                    kind.map(|k| format!(" {k}")).unwrap_or_default()
                ),
            ));
        }
        let answer = fetch::json_object(response.body(), PROVIDER, url, "the response")?;
        let parts = match answer.get("credentials") {
            Some(serde_json::Value::Object(parts)) => parts,
            _ => {
                return Err(CredentialsError::provider(
                    PROVIDER,
                    url,
                    "the response has no `credentials` object",
                ))
            }
        };
        fetch::credentials(
            PROVIDER,
            url,
            fetch::string(parts, "accessKeyId"),
            fetch::string(parts, "secretAccessKey"),
            fetch::string(parts, "sessionToken"),
            fetch::string(parts, "expiration"),
            ("accessKeyId", "secretAccessKey"),
        )
    }
}

impl ProvideCredentials for Fetch {
    fn provide_credentials<'a>(&'a self, _cx: &'a ProviderContext) -> CredentialsFuture<'a> {
        Box::pin(self.fetch())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block_on::block_on;
    use crate::testing::{response, ReplayClient};

    const CERT: &[u8] = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const KEY: &[u8] = b"-----BEGIN PRIVATE KEY-----\nPRIVATEKEYBYTES\n-----END PRIVATE KEY-----\n";

    fn builder(replay: &ReplayClient) -> IotCredentialsBuilder {
        IotCredentialsProvider::builder()
            .endpoint("https://abc.credentials.iot.eu-west-1.amazonaws.com/")
            .role_alias("fleet role")
            .thing_name("sensor-17")
            .certificate_pem(CERT.to_vec())
            .private_key_pem(KEY.to_vec())
            .http_client(SharedHttpClient::new(replay.clone()))
    }

    fn provide(p: &IotCredentialsProvider) -> Result<super::super::Credentials, CredentialsError> {
        block_on(p.provide_credentials(&ProviderContext::default()))
    }

    #[test]
    fn credentials_are_fetched_and_cached() {
        let replay = ReplayClient::new();
        replay.push_response(
            200,
            r#"{"credentials":{"accessKeyId":"ASIAIOT","secretAccessKey":"TOPSECRET",
                "sessionToken":"SESSIONTOKEN","expiration":"2099-01-01T00:00:00Z"}}"#,
        );
        let provider = builder(&replay).build().unwrap();
        let creds = provide(&provider).unwrap();
        assert_eq!(creds.access_key_id(), "ASIAIOT");
        assert_eq!(creds.session_token(), Some("SESSIONTOKEN"));
        assert_eq!(provide(&provider).unwrap(), creds);
        let requests = replay.requests();
        assert_eq!(requests.len(), 1, "cached");
        let request = &requests[0];
        assert_eq!(request.method(), "GET");
        assert_eq!(
            request.uri(),
            "https://abc.credentials.iot.eu-west-1.amazonaws.com/role-aliases/fleet%20role/credentials"
        );
        assert_eq!(request.headers()[THING_NAME_HEADER], "sensor-17");
        let shown = format!("{provider:?} {:?}", provider.tls_identity());
        assert!(
            !shown.contains("PRIVATEKEYBYTES") && !shown.contains("TOPSECRET"),
            "{shown}"
        );
        assert_eq!(provider.tls_identity().certificate_pem, CERT);
    }

    #[test]
    fn error_answers_become_provider_errors() {
        let replay = ReplayClient::new();
        replay.push(response(
            403,
            &[(
                "x-amzn-ErrorType",
                "ForbiddenException:http://internal.amazon.com/",
            )],
            r#"{"message":"Access Denied"}"#,
        ));
        let err = provide(&builder(&replay).build().unwrap()).unwrap_err();
        assert_eq!(err.provider_name(), Some("AWS IoT"));
        let shown = err.to_string();
        assert!(
            shown.contains("/role-aliases/fleet%20role/credentials"),
            "{shown}"
        );
        assert!(
            shown.ends_with("status 403 ForbiddenException: Access Denied"),
            "{shown}"
        );

        let replay = ReplayClient::new();
        replay.push_response(200, r#"{"credentials":{"accessKeyId":"A"}}"#);
        let err = provide(&builder(&replay).build().unwrap()).unwrap_err();
        assert!(err.to_string().contains("no `secretAccessKey`"), "{err}");
        let replay = ReplayClient::new();
        replay.push_response(200, r#"{"other":1}"#);
        let err = provide(&builder(&replay).build().unwrap()).unwrap_err();
        assert!(err.to_string().contains("no `credentials` object"), "{err}");
    }

    #[test]
    fn build_says_what_is_missing_or_unreadable() {
        let replay = ReplayClient::new();
        let cases: Vec<(IotCredentialsBuilder, &str)> = vec![
            (IotCredentialsProvider::builder(), "`endpoint` is not set"),
            (builder(&replay).endpoint("not a url"), "is not a URL"),
            (
                builder(&replay).endpoint("/relative"),
                "needs a scheme and a host",
            ),
            (builder(&replay).role_alias(""), "`role_alias` is not set"),
            (
                builder(&replay).thing_name("bad\nname"),
                "`thing_name` is not a valid header value",
            ),
            (
                builder(&replay).certificate_pem(b"garbage".to_vec()),
                "`certificate_pem` is unreadable",
            ),
            (
                builder(&replay).private_key_pem(vec![0xff, 0xfe]),
                "`private_key_pem` is unreadable: not text",
            ),
            (
                builder(&replay).private_key_pem(CERT.to_vec()),
                "`private_key_pem` is unreadable",
            ),
            (
                builder(&replay).root_ca_pem(b"x".to_vec()),
                "`root_ca_pem` is unreadable",
            ),
            (
                IotCredentialsProvider::builder()
                    .endpoint("https://x.example")
                    .role_alias("r")
                    .thing_name("t")
                    .certificate_pem(CERT.to_vec()),
                "`private_key_pem` is not set",
            ),
            (
                IotCredentialsProvider::builder()
                    .endpoint("https://x.example")
                    .role_alias("r")
                    .thing_name("t")
                    .certificate_pem(CERT.to_vec())
                    .private_key_pem(KEY.to_vec()),
                // No transport set: made from the PEM (feature `https`),
                // which is not a real certificate here; else none at all.
                "mutual-TLS transport",
            ),
        ];
        for (builder, expected) in cases {
            let shown = format!("{builder:?}");
            assert!(!shown.contains("PRIVATEKEYBYTES"), "{shown}");
            let err = builder.build().unwrap_err();
            let shown = err.to_string();
            assert!(shown.contains(expected), "{expected}: {shown}");
            assert!(!shown.contains("PRIVATEKEYBYTES"), "{shown}");
        }
        let root = builder(&replay).root_ca_pem(CERT.to_vec()).build().unwrap();
        assert_eq!(root.tls_identity().root_ca_pem.as_deref(), Some(CERT));
    }
}
