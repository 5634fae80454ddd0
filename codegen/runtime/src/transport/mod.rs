//! The transport seam: how a request reaches the service.
//!
//! [`HttpClient`] sends one complete (signed) request and returns the whole
//! response; it knows nothing of operations, retries or protocols. With the
//! `https` feature, [`https::UreqClient`] is the default one; tests use the
//! in-memory clients of [`testing`](crate::testing).
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

#[cfg(feature = "https")]
pub mod https;

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
#[derive(Debug)]
pub struct ConnectorError {
    kind: ConnectorErrorKind,
    source: Box<dyn StdError + Send + Sync>,
    /// Requests sent by the call that ended with this error; set by `invoke`.
    pub(crate) attempts: u32,
}

/// What kind of failure a [`ConnectorError`] is.
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

impl ConnectorError {
    /// A failure of the given kind.
    pub fn new(
        kind: ConnectorErrorKind,
        source: impl Into<Box<dyn StdError + Send + Sync>>,
    ) -> Self {
        Self {
            kind,
            source: source.into(),
            attempts: 0,
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ConnectorErrorKind {
        self.kind
    }
}

impl fmt::Display for ConnectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ConnectorErrorKind::Timeout => "timed out",
            ConnectorErrorKind::Io => "connection failed",
            ConnectorErrorKind::InvalidResponse => "invalid HTTP response",
            ConnectorErrorKind::Other => "transport failed",
        };
        write!(f, "{what}: {}", self.source)
    }
}

impl StdError for ConnectorError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.source)
    }
}
