//! The transport seam: how a request reaches the service.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;

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
/// does not retry; the caller decides that.
pub trait HttpClient: Send + Sync + fmt::Debug {
    /// Sends `request`.
    fn send(&self, request: HttpRequest) -> HttpFuture<'_>;
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
}

/// What kind of failure a [`ConnectorError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectorErrorKind {
    /// No response arrived in time.
    Timeout,
    /// The connection could not be made or broke; retrying may help.
    Io,
    /// Anything else; retrying will not help.
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
