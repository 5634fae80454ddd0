//! The transport seam: how a request reaches the service.
//!
//! [`HttpClient`] sends one complete (signed) request and returns the whole
//! response; it knows nothing of operations, retries or protocols. The
//! default one ([`DefaultClient`]) is [`async_https::HyperClient`] with the
//! `rt-tokio` feature, else [`https::UreqClient`] with the `https` feature;
//! tests use the in-memory clients of [`testing`](crate::testing).
//!
//! This layer uses only the value types below it, so that signing,
//! credentials and the call pipeline above can all speak its types.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

#[cfg(feature = "rt-tokio")]
pub mod async_https;
#[cfg(feature = "https")]
pub mod https;
#[cfg(feature = "rt-tokio")]
pub mod proxy;
#[cfg(any(feature = "https", feature = "rt-tokio"))]
pub mod tls;

/// The default transport: hyper on tokio with `rt-tokio`.
#[cfg(feature = "rt-tokio")]
pub type DefaultClient = async_https::HyperClient;

/// The default transport: ureq, blocking, with `https` alone.
#[cfg(all(feature = "https", not(feature = "rt-tokio")))]
pub type DefaultClient = https::UreqClient;

/// The transport [`Config`](crate::Config) uses when none is set: one
/// [`DefaultClient`] for the whole process, so every client shares its pool.
#[cfg(any(feature = "https", feature = "rt-tokio"))]
pub fn default_client() -> &'static SharedHttpClient {
    static CLIENT: std::sync::OnceLock<SharedHttpClient> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| {
        SharedHttpClient::new(
            DefaultClient::with_tls(&tls::TlsSettings::default())
                .expect("the default TLS settings are valid"),
        )
    })
}

/// Whether `host` (as in a URI: IPv6 in brackets) is this machine.
#[cfg(any(feature = "https", feature = "rt-tokio"))]
pub(crate) fn is_loopback(host: &str) -> bool {
    let host = unbracket(host);
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `host` (as in a URI) without the brackets of an IPv6 literal.
#[cfg(any(feature = "https", feature = "rt-tokio"))]
pub(crate) fn unbracket(host: &str) -> &str {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

/// A request as the transport sends it.
pub type HttpRequest = http::Request<Bytes>;

/// A response as the transport returns it.
pub type HttpResponse = http::Response<Bytes>;

/// The future a transport returns for one request.
pub type HttpFuture<'a> =
    Pin<Box<dyn Future<Output = Result<HttpResponse, ConnectorError>> + Send + 'a>>;

/// Sends one HTTP request and returns the response.
///
/// The request is complete: absolute URI, `host` header, signed. A transport
/// does not retry; the caller decides that. It should honour the
/// [`RequestTimeouts`] in the request's extensions, which
/// [`operation::invoke`](crate::operation::invoke) sets from the
/// [`Config`](crate::Config), and report a reply that does not come in time
/// as [`ConnectorErrorKind::Timeout`].
pub trait HttpClient: Send + Sync + fmt::Debug {
    /// Sends `request`.
    fn send(&self, request: HttpRequest) -> HttpFuture<'_>;
}

/// How long one attempt of a request may take, carried in the request's
/// extensions for the transport to apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RequestTimeouts {
    /// The limit on making the connection (TCP connect), if any.
    pub connect: Option<Duration>,
    /// The limit on the whole attempt, from connecting to the last byte of
    /// the response, if any.
    pub attempt: Option<Duration>,
}

/// A transport shared between clones of a configuration.
#[derive(Clone, Debug)]
pub struct SharedHttpClient(Arc<dyn HttpClient>);

impl SharedHttpClient {
    /// Shares `client`.
    pub fn new(client: impl HttpClient + 'static) -> Self {
        Self(Arc::new(client))
    }
}

impl HttpClient for SharedHttpClient {
    fn send(&self, request: HttpRequest) -> HttpFuture<'_> {
        self.0.send(request)
    }
}

/// Why a request got no response: the connection failed, timed out or broke.
///
/// It names, when known, the host and port it tried ([`peer`](Self::peer);
/// never credentials, a path or a query string) and what went wrong in the
/// runtime's words ([`cause`](Self::cause)), with the transport's own
/// error as its [`source`](StdError::source):
/// `connection refused by 127.0.0.1:9: Connection refused (os error 111)`.
#[derive(Debug)]
pub struct ConnectorError {
    kind: ConnectorErrorKind,
    /// Requests sent by the call that ended with this error; set by `invoke`.
    pub(crate) attempts: u32,
    // Boxed: `SdkError`, and every `Result` carrying one, stays small.
    detail: Box<Detail>,
}

#[derive(Debug)]
struct Detail {
    cause: Option<Cause>,
    peer: Option<String>,
    source: Box<dyn StdError + Send + Sync>,
}

/// What kind of failure a [`ConnectorError`] is, as retries see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectorErrorKind {
    /// No response arrived in time; retrying may help.
    Timeout,
    /// The connection could not be made, or broke or closed before the
    /// response was complete (refused, reset, cut off mid-head or
    /// mid-body); retrying may help.
    Io,
    /// A reply came but is not a valid HTTP response, or breaks a size
    /// limit: garbage, a bad status line or version, a header that does not
    /// parse, a bad or conflicting `Content-Length`, a bad chunk, too many
    /// headers, a head or body over the limit. Not retried: the peer
    /// answered, and would answer the same way again.
    InvalidResponse,
    /// Anything else (a TLS failure, a request that cannot be sent);
    /// retrying will not help.
    Other,
}

/// What went wrong, in more detail than [`ConnectorErrorKind`]: what a
/// person reading the error wants to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cause {
    /// The host name did not resolve to an address (kind `Io`).
    NameResolution,
    /// Nothing listens at the address: the connection was refused (kind `Io`).
    ConnectionRefused,
    /// The connection could not be made for another reason: no route, the
    /// network down (kind `Io`).
    ConnectFailed,
    /// The TLS handshake failed: a certificate that does not verify, a peer
    /// that does not speak TLS, a client certificate refused (kind `Other`).
    Tls,
    /// A timeout ran out (kind `Timeout`).
    Timeout(Timeout),
    /// The connection closed or was reset before the response was complete
    /// (kind `Io`).
    ConnectionClosed,
    /// The reply is not valid HTTP or breaks a size limit (kind
    /// `InvalidResponse`).
    InvalidResponse,
}

/// Which timeout ran out, and its limit when known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Timeout {
    /// Making the connection, TLS included, took longer than the connect timeout.
    Connect(Option<Duration>),
    /// The attempt took longer than the attempt timeout.
    Attempt(Option<Duration>),
    /// The call, retries and the waits between them included, took longer
    /// than the operation timeout.
    Operation(Option<Duration>),
}

impl Cause {
    /// The kind retries look at.
    pub fn kind(self) -> ConnectorErrorKind {
        match self {
            Cause::NameResolution
            | Cause::ConnectionRefused
            | Cause::ConnectFailed
            | Cause::ConnectionClosed => ConnectorErrorKind::Io,
            Cause::Tls => ConnectorErrorKind::Other,
            Cause::Timeout(_) => ConnectorErrorKind::Timeout,
            Cause::InvalidResponse => ConnectorErrorKind::InvalidResponse,
        }
    }
}

impl ConnectorError {
    /// A failure of the given kind.
    pub fn new(
        kind: ConnectorErrorKind,
        source: impl Into<Box<dyn StdError + Send + Sync>>,
    ) -> Self {
        Self {
            kind,
            attempts: 0,
            detail: Box::new(Detail {
                cause: None,
                peer: None,
                source: source.into(),
            }),
        }
    }

    /// A failure for `cause` (its kind follows from it).
    pub fn with_cause(cause: Cause, source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        let mut error = Self::new(cause.kind(), source);
        error.detail.cause = Some(cause);
        error
    }

    /// Names the host and port the request went to (`example.com:443`;
    /// IPv6 in brackets). [`operation::invoke`](crate::operation::invoke)
    /// names it from the request when a transport did not.
    pub fn with_peer(mut self, host_and_port: impl Into<String>) -> Self {
        self.detail.peer = Some(host_and_port.into());
        self
    }

    /// Names `peer` as where the request went, unless the transport did.
    pub(crate) fn name_peer(&mut self, peer: Option<String>) {
        if self.detail.peer.is_none() {
            self.detail.peer = peer;
        }
    }

    /// This timeout, as the operation timeout (of `limit`) running out: the
    /// attempt had been given only what was left of the call's time.
    pub(crate) fn into_operation_timeout(mut self, limit: Option<Duration>) -> Self {
        self.kind = ConnectorErrorKind::Timeout;
        self.detail.cause = Some(Cause::Timeout(Timeout::Operation(limit)));
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ConnectorErrorKind {
        self.kind
    }

    /// What went wrong, if the transport said.
    pub fn cause(&self) -> Option<Cause> {
        self.detail.cause
    }

    /// The host and port the request went to, if known.
    pub fn peer(&self) -> Option<&str> {
        self.detail.peer.as_deref()
    }
}

/// The host and port `uri` points at (the scheme's default port if it names
/// none), without user information, path or query; `None` without a host.
pub fn peer_of(uri: &http::Uri) -> Option<String> {
    peer(uri.scheme(), uri.authority())
}

/// [`peer_of`] from a URI's parts.
pub(crate) fn peer(
    scheme: Option<&http::uri::Scheme>,
    authority: Option<&http::uri::Authority>,
) -> Option<String> {
    let authority = authority?;
    let host = authority.host();
    let port = authority.port_u16().or(match scheme.map(|s| s.as_str()) {
        Some(scheme) if scheme.eq_ignore_ascii_case("https") => Some(443),
        Some(scheme) if scheme.eq_ignore_ascii_case("http") => Some(80),
        _ => None,
    });
    Some(match port {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

/// ` of 200ms` for a known limit, else nothing.
struct Of(Option<Duration>);

impl fmt::Display for Of {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(limit) => write!(f, " of {limit:?}"),
            None => Ok(()),
        }
    }
}

impl fmt::Display for ConnectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Detail {
            cause,
            peer,
            source,
        } = &*self.detail;
        let peer = peer.as_deref();
        let at = peer.unwrap_or("the endpoint");
        match (cause, peer) {
            (Some(Cause::NameResolution), _) => write!(f, "name resolution failed for {at}")?,
            (Some(Cause::ConnectionRefused), _) => write!(f, "connection refused by {at}")?,
            (Some(Cause::ConnectFailed), _) => write!(f, "could not connect to {at}")?,
            (Some(Cause::Tls), _) => write!(f, "TLS with {at} failed")?,
            (Some(Cause::Timeout(Timeout::Connect(limit))), _) => write!(
                f,
                "timed out: the connect timeout{} ran out connecting to {at}",
                Of(*limit)
            )?,
            (Some(Cause::Timeout(Timeout::Attempt(limit))), _) => write!(
                f,
                "timed out: the attempt timeout{} ran out waiting for {at}",
                Of(*limit)
            )?,
            (Some(Cause::Timeout(Timeout::Operation(limit))), _) => write!(
                f,
                "timed out: the operation timeout{} ran out waiting for {at}",
                Of(*limit)
            )?,
            (Some(Cause::ConnectionClosed), _) => write!(
                f,
                "connection to {at} closed before the response was complete"
            )?,
            (Some(Cause::InvalidResponse), _) => write!(f, "invalid HTTP response from {at}")?,
            (None, peer) => {
                let what = match self.kind {
                    ConnectorErrorKind::Timeout => "timed out",
                    ConnectorErrorKind::Io => "connection failed",
                    ConnectorErrorKind::InvalidResponse => "invalid HTTP response",
                    ConnectorErrorKind::Other => "transport failed",
                };
                f.write_str(what)?;
                if let Some(peer) = peer {
                    write!(f, " ({peer})")?;
                }
            }
        }
        write!(f, ": {source}")
    }
}

impl StdError for ConnectorError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.detail.source)
    }
}

/// Serves one connection: reads the request head, waits `delay`, writes
/// `reply` and closes. Returns the endpoint and where the request head it
/// read arrives. (Both transports' tests use it.)
#[cfg(all(test, any(feature = "https", feature = "rt-tokio")))]
pub(crate) fn serve_once(
    reply: &'static [u8],
    delay: Duration,
) -> (String, std::sync::mpsc::Receiver<String>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let (sender, head) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut head = Vec::new();
        let mut byte = [0];
        while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
            head.push(byte[0]);
        }
        std::thread::sleep(delay);
        // The client may have given up and closed; that is the point of some tests.
        let _ = stream.write_all(reply);
        let _ = sender.send(String::from_utf8_lossy(&head).into_owned());
    });
    (endpoint, head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peer_is_host_and_port_never_user_info_path_or_query() {
        let peer = |uri: &str| peer_of(&uri.parse().unwrap());
        assert_eq!(
            peer("https://AKID:SECRET@example.com/x?X-Amz-Signature=abc").as_deref(),
            Some("example.com:443")
        );
        assert_eq!(peer("http://127.0.0.1/").as_deref(), Some("127.0.0.1:80"));
        assert_eq!(peer("http://[::1]:8080/a").as_deref(), Some("[::1]:8080"));
        assert_eq!(peer("/just/a/path"), None);
    }

    #[test]
    fn messages_say_what_and_where_in_our_words() {
        let cases = [
            (
                Cause::NameResolution,
                "name resolution failed for nowhere.invalid:443: x",
            ),
            (
                Cause::ConnectionRefused,
                "connection refused by nowhere.invalid:443: x",
            ),
            (Cause::Tls, "TLS with nowhere.invalid:443 failed: x"),
            (
                Cause::Timeout(Timeout::Connect(Some(Duration::from_secs(1)))),
                "timed out: the connect timeout of 1s ran out connecting to nowhere.invalid:443: x",
            ),
            (
                Cause::Timeout(Timeout::Operation(None)),
                "timed out: the operation timeout ran out waiting for nowhere.invalid:443: x",
            ),
            (
                Cause::ConnectionClosed,
                "connection to nowhere.invalid:443 closed before the response was complete: x",
            ),
        ];
        for (cause, message) in cases {
            let err = ConnectorError::with_cause(cause, "x").with_peer("nowhere.invalid:443");
            assert_eq!(err.to_string(), message);
            assert_eq!(err.kind(), cause.kind());
        }
        let err = ConnectorError::new(ConnectorErrorKind::Io, "reset").with_peer("h:1");
        assert_eq!(err.to_string(), "connection failed (h:1): reset");
        assert_eq!(err.cause(), None);
    }
}
