//! What the HTTP providers share: sending a request through the context's
//! transport with short timeouts, and reading the JSON credentials that
//! instance metadata, the container endpoint and AWS IoT return.

use std::time::{Duration, SystemTime};

use bytes::Bytes;

use super::{Credentials, CredentialsError, ProviderContext};
use crate::transport::{
    ConnectorErrorKind, HttpClient, HttpRequest, HttpResponse, RequestTimeouts,
};
use crate::value::{DateTime, TimestampFormat};

/// How a provider's request failed.
pub(crate) enum Failure {
    /// No response: the endpoint is not there, or did not answer in time.
    Unreachable(ConnectorErrorKind, String),
    /// The transport is missing.
    NoTransport(CredentialsError),
}

/// Sends `request` with `timeouts` through the context's transport.
pub(crate) async fn send(
    cx: &ProviderContext,
    provider: &'static str,
    mut request: HttpRequest,
    timeouts: RequestTimeouts,
) -> Result<HttpResponse, Failure> {
    let client = cx.http_client(provider).map_err(Failure::NoTransport)?;
    request.extensions_mut().insert(timeouts);
    client
        .send(request)
        .await
        .map_err(|e| Failure::Unreachable(e.kind(), e.to_string()))
}

/// The short timeouts of a provider that may not be there (a laptop has no
/// instance metadata): 1 s to connect, 2 s for the answer.
pub(crate) const SHORT: RequestTimeouts = RequestTimeouts {
    connect: Some(Duration::from_secs(1)),
    attempt: Some(Duration::from_secs(2)),
};

/// A request with `method` to `uri` and `headers`, empty body.
pub(crate) fn request(
    method: http::Method,
    uri: &str,
    headers: &[(&str, &str)],
) -> Result<HttpRequest, String> {
    let uri: http::Uri = uri
        .parse()
        .map_err(|e| format!("`{uri}` is not a URL: {e}"))?;
    // A PUT says its (empty) body is empty, rather than leave the transport
    // to choose chunked encoding, which instance metadata does not take.
    let empty_put = method == http::Method::PUT;
    let mut builder = http::Request::builder().method(method);
    if empty_put {
        builder = builder.header(http::header::CONTENT_LENGTH, "0");
    }
    if let Some(authority) = uri.authority() {
        builder = builder.header(http::header::HOST, authority.as_str());
    }
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder
        .uri(uri)
        .body(Bytes::new())
        .map_err(|e| format!("cannot build the request: {e}"))
}

/// The first bytes of a body, as text, for an error message (bodies of
/// error responses hold no secret; bodies of successful ones are never
/// shown).
pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// The JSON object in `body`, or an error that never shows the body.
pub(crate) fn json_object(
    body: &[u8],
    provider: &'static str,
    at: &str,
    what: &str,
) -> Result<serde_json::Map<String, serde_json::Value>, CredentialsError> {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err(CredentialsError::provider(
            provider,
            at,
            format!("{what} is not a JSON object"),
        )),
        Err(e) => Err(CredentialsError::provider(
            provider,
            at,
            format!(
                "{what} is not credentials JSON (line {}, column {})",
                e.line(),
                e.column()
            ),
        )),
    }
}

/// The string member `name` of `object`, if it is one.
pub(crate) fn string(
    object: &serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> Option<String> {
    object.get(name).and_then(|v| v.as_str()).map(str::to_owned)
}

/// Parses `{"AccessKeyId","SecretAccessKey","Token","Expiration"}` (and
/// `"Code"`, which is `Success` when present); errors never show the body.
pub(crate) fn parse_aws_json(
    body: &[u8],
    provider: &'static str,
    at: &str,
) -> Result<Credentials, CredentialsError> {
    let object = json_object(body, provider, at, "the response")?;
    if let Some(code) = string(&object, "Code").filter(|c| c != "Success") {
        let message = string(&object, "Message").unwrap_or_else(|| "no message".to_owned());
        return Err(CredentialsError::provider(
            provider,
            at,
            format!("the endpoint answered `{code}`: {message}"),
        ));
    }
    credentials(
        provider,
        at,
        string(&object, "AccessKeyId"),
        string(&object, "SecretAccessKey"),
        string(&object, "Token"),
        string(&object, "Expiration"),
        ("AccessKeyId", "SecretAccessKey"),
    )
}

/// Credentials from their parts, each checked; names the missing one.
pub(crate) fn credentials(
    provider: &'static str,
    at: &str,
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    token: Option<String>,
    expiration: Option<String>,
    names: (&str, &str),
) -> Result<Credentials, CredentialsError> {
    let missing = |name: &str| {
        CredentialsError::provider(provider, at, format!("the response has no `{name}`"))
    };
    let id = access_key_id
        .filter(|v| !v.is_empty())
        .ok_or_else(|| missing(names.0))?;
    let secret = secret_access_key
        .filter(|v| !v.is_empty())
        .ok_or_else(|| missing(names.1))?;
    let expiry = expiration
        .map(|text| parse_expiry(&text, provider, at))
        .transpose()?;
    Ok(Credentials::new(id, secret, token.filter(|t| !t.is_empty())).with_expiry(expiry))
}

/// An RFC 3339 expiry (`2026-12-02T13:00:00Z`).
pub(crate) fn parse_expiry(
    text: &str,
    provider: &'static str,
    at: &str,
) -> Result<SystemTime, CredentialsError> {
    DateTime::parse(text, TimestampFormat::DateTime)
        .and_then(SystemTime::try_from)
        .map_err(|e| {
            CredentialsError::provider(provider, at, format!("the expiration is not a date: {e}"))
        })
}
