//! The non-blocking transport (feature `rt-tokio`): [`HyperClient`], HTTP/1.1
//! over rustls on [hyper](https://docs.rs/hyper/1) 1 and hyper-util's pooled
//! client, on tokio.
//!
//! A call is a future on the caller's task: no thread per call, and the
//! keep-alive connections of one `HyperClient` (the default transport has one
//! for the whole process) are reused across calls and clients. It needs a
//! tokio runtime with its I/O and time drivers (`#[tokio::main]`,
//! `Runtime::new`, `Builder::enable_all`); outside one, the default transport
//! goes through [`UreqClient`](super::https::UreqClient) instead.

use std::error::Error as StdError;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::{HttpsConnector, MaybeHttpsStream};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};

use super::tls::TlsSettings;
use super::{
    Cause, ConnectorError, ConnectorErrorKind, HttpClient, HttpFuture, HttpRequest,
    RequestTimeouts, Timeout,
};

/// The most a response body may hold (as ureq's limit for the blocking transport).
pub const MAX_BODY: usize = 10 * 1024 * 1024;

/// Idle keep-alive connections kept per host.
pub const MAX_IDLE_CONNECTIONS_PER_HOST: usize = 1024;

/// How long an idle connection is kept before it is closed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

tokio::task_local! {
    /// The connect timeout of the request whose task opens a connection:
    /// hyper-util asks the connector for one while the request's future is
    /// polled, inside this scope.
    static CONNECT_TIMEOUT: Option<Duration>;
}

/// The non-blocking transport: a pool of HTTP/1.1 keep-alive connections
/// over rustls (ring), trusting the Mozilla root certificates
/// (webpki-roots), or those a [`TlsSettings`] says.
///
/// As [`UreqClient`](super::https::UreqClient), it applies the
/// [`RequestTimeouts`] of each request, sends 4xx/5xx back as responses,
/// follows no redirects and reads the whole body (at most [`MAX_BODY`]).
/// It does not go through proxies; the default transport hands requests
/// that the environment sends through a proxy to `UreqClient`. Clones share
/// the pool.
#[derive(Clone, Debug)]
pub struct HyperClient {
    client: Client<TimedConnector, Full<Bytes>>,
}

impl HyperClient {
    /// A transport with its own connection pool and the default TLS settings.
    pub fn new() -> Self {
        Self::with_tls(&TlsSettings::default()).expect("the default TLS settings are valid")
    }

    /// A transport with its own connection pool and `tls` (trust anchors,
    /// client certificate); an error names what in `tls` is wrong.
    pub fn with_tls(tls: &TlsSettings) -> Result<Self, super::tls::TlsError> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls.rustls_config()?)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(MAX_IDLE_CONNECTIONS_PER_HOST)
            .pool_idle_timeout(IDLE_TIMEOUT)
            .build(TimedConnector(https));
        Ok(Self { client })
    }
}

impl Default for HyperClient {
    fn default() -> Self {
        Self::new()
    }
}

impl HttpClient for HyperClient {
    fn send(&self, request: HttpRequest) -> HttpFuture<'_> {
        let timeouts = request
            .extensions()
            .get::<RequestTimeouts>()
            .copied()
            .unwrap_or_default();
        let peer = super::peer_of(request.uri());
        let tls = request.uri().scheme() == Some(&http::uri::Scheme::HTTPS);
        let (parts, body) = request.into_parts();
        let request = http::Request::from_parts(parts, Full::new(body));
        let call = async move {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| connector_error(e, tls))?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, MAX_BODY)
                .collect()
                .await
                .map_err(|e| connector_error(e, tls))?
                .to_bytes();
            // hyper-util hands the connection back to the pool from a task
            // of its own, woken as the body ends. Yielding once lets that
            // task run before the caller's next request looks for an idle
            // connection; without it, a caller that sends again at once
            // finds none and opens another (measured: 1,181 connections for
            // 1,000 concurrent calls, 86 for 64; see the README's scale
            // benchmark).
            tokio::task::yield_now().await;
            Ok(http::Response::from_parts(parts, body))
        };
        let call = CONNECT_TIMEOUT.scope(timeouts.connect, call);
        Box::pin(async move {
            let outcome = match timeouts.attempt {
                Some(limit) => match tokio::time::timeout(limit, call).await {
                    Ok(outcome) => outcome,
                    Err(_) => Err(ConnectorError::with_cause(
                        Cause::Timeout(Timeout::Attempt(Some(limit))),
                        "no complete response in time",
                    )),
                },
                None => call.await,
            };
            outcome.map_err(|err| match &peer {
                Some(peer) => err.with_peer(peer.clone()),
                None => err,
            })
        })
    }
}

/// Sorts a failure of hyper, hyper-util, rustls or the socket by the first
/// error in its chain of sources that says what happened; the failure
/// itself stays as the source. `tls`: the request was HTTPS.
fn connector_error(error: impl Into<BoxError>, tls: bool) -> ConnectorError {
    let error = error.into();
    let mut current: Option<&(dyn StdError + 'static)> = Some(&*error);
    while let Some(err) = current {
        if let Some(cause) = recognise(err, tls) {
            return ConnectorError::with_cause(cause, error);
        }
        current = err.source();
    }
    ConnectorError::new(ConnectorErrorKind::Other, error)
}

fn recognise(error: &(dyn StdError + 'static), tls: bool) -> Option<Cause> {
    if error.is::<http_body_util::LengthLimitError>() {
        return Some(Cause::InvalidResponse);
    }
    if let Some(timeout) = error.downcast_ref::<ConnectTimedOut>() {
        return Some(Cause::Timeout(Timeout::Connect(Some(timeout.0))));
    }
    if error.is::<rustls::Error>() {
        return Some(Cause::Tls);
    }
    if let Some(io) = error.downcast_ref::<io::Error>() {
        // An I/O error can wrap another (rustls's, an I/O error of a
        // plainer kind): the innermost that says something wins.
        if let Some(inner) = io.get_ref() {
            let inner: &(dyn StdError + 'static) = inner;
            if let Some(cause) = recognise(inner, tls) {
                return Some(cause);
            }
        }
        return Some(match io.kind() {
            io::ErrorKind::ConnectionRefused => Cause::ConnectionRefused,
            io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::NetworkDown
            | io::ErrorKind::AddrNotAvailable
            | io::ErrorKind::PermissionDenied => Cause::ConnectFailed,
            io::ErrorKind::TimedOut => Cause::Timeout(Timeout::Connect(None)),
            io::ErrorKind::InvalidData if tls => Cause::Tls,
            io::ErrorKind::InvalidData => Cause::InvalidResponse,
            _ => Cause::ConnectionClosed,
        });
    }
    if let Some(hyper) = error.downcast_ref::<hyper::Error>() {
        if hyper.is_parse() || hyper.is_parse_status() {
            return Some(Cause::InvalidResponse);
        }
        if hyper.is_incomplete_message() || hyper.is_canceled() || hyper.is_closed() {
            return Some(Cause::ConnectionClosed);
        }
        return None;
    }
    // hyper-util's connect errors say what they are in their text.
    if error.to_string() == "dns error" {
        return Some(Cause::NameResolution);
    }
    None
}

/// hyper-rustls's connector, with the connect timeout of the request that
/// opens the connection ([`CONNECT_TIMEOUT`]).
#[derive(Clone, Debug)]
struct TimedConnector(HttpsConnector<HttpConnector>);

/// The connect timeout ran out.
#[derive(Debug)]
struct ConnectTimedOut(Duration);

impl std::fmt::Display for ConnectTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no connection within {:?}", self.0)
    }
}

impl StdError for ConnectTimedOut {}

type BoxError = Box<dyn StdError + Send + Sync>;
type Connecting = Pin<
    Box<
        dyn Future<Output = Result<MaybeHttpsStream<TokioIo<tokio::net::TcpStream>>, BoxError>>
            + Send,
    >,
>;

impl tower_service::Service<http::Uri> for TimedConnector {
    type Response = MaybeHttpsStream<TokioIo<tokio::net::TcpStream>>;
    type Error = BoxError;
    type Future = Connecting;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, uri: http::Uri) -> Self::Future {
        let limit = CONNECT_TIMEOUT.try_with(|limit| *limit).ok().flatten();
        let connecting = self.0.call(uri);
        Box::pin(async move {
            match limit {
                Some(limit) => match tokio::time::timeout(limit, connecting).await {
                    Ok(connected) => connected,
                    Err(_) => Err(Box::new(ConnectTimedOut(limit)) as BoxError),
                },
                None => connecting.await,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::net::TcpListener;
    use std::thread;

    use super::*;
    use crate::transport::HttpResponse;

    /// Serves one connection (the blocking transport's test server);
    /// returns its `127.0.0.1:<port>`.
    fn serve_once(reply: &'static [u8], delay: Duration) -> String {
        let (endpoint, _head) = crate::transport::https::serve_once(reply, delay);
        endpoint.trim_start_matches("http://").to_owned()
    }

    fn send(uri: &str, attempt: Option<Duration>) -> Result<HttpResponse, ConnectorError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let mut request = http::Request::builder()
            .uri(uri)
            .body(Bytes::new())
            .unwrap();
        request.extensions_mut().insert(RequestTimeouts {
            connect: Some(Duration::from_secs(1)),
            attempt,
        });
        runtime.block_on(HyperClient::new().send(request))
    }

    #[test]
    fn responses_and_failures_are_sorted_and_name_the_peer() {
        let peer = serve_once(
            b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 2\r\n\r\n{}",
            Duration::ZERO,
        );
        let response = send(&format!("http://{peer}/x"), None).unwrap();
        assert_eq!(response.status(), 503);
        assert_eq!(response.body().as_ref(), b"{}");

        let cases: [(&[u8], Duration, Cause, &str); 4] = [
            (
                b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}",
                Duration::from_secs(2),
                Cause::Timeout(Timeout::Attempt(Some(Duration::from_millis(200)))),
                "timed out: the attempt timeout of 200ms ran out waiting for",
            ),
            (
                b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"a\":",
                Duration::ZERO,
                Cause::ConnectionClosed,
                "closed before the response was complete",
            ),
            (
                b"",
                Duration::ZERO,
                Cause::ConnectionClosed,
                "closed before",
            ),
            (
                b"hello there\r\n\r\n",
                Duration::ZERO,
                Cause::InvalidResponse,
                "invalid HTTP response from",
            ),
        ];
        for (reply, delay, cause, text) in cases {
            let peer = serve_once(reply, delay);
            let err = send(
                &format!("http://{peer}/x"),
                Some(Duration::from_millis(200)),
            )
            .unwrap_err();
            assert_eq!(err.cause(), Some(cause), "{err}");
            assert_eq!(err.peer(), Some(peer.as_str()));
            assert!(err.to_string().contains(text), "{err}");
            assert!(err.to_string().contains(&peer), "{err}");
        }
    }

    #[test]
    fn refused_tls_and_oversize_are_named() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let peer = listener.local_addr().unwrap().to_string();
        drop(listener);
        let err = send(&format!("http://{peer}/x"), None).unwrap_err();
        assert_eq!(err.cause(), Some(Cause::ConnectionRefused), "{err}");
        assert!(
            err.to_string()
                .starts_with(&format!("connection refused by {peer}: ")),
            "{err}"
        );

        // A server that answers a TLS handshake in plain HTTP.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let peer = listener.local_addr().unwrap().to_string();
        thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
            thread::sleep(Duration::from_millis(500));
        });
        let err = send(&format!("https://{peer}/x"), None).unwrap_err();
        assert_eq!(err.cause(), Some(Cause::Tls), "{err}");
        assert_eq!(err.kind(), ConnectorErrorKind::Other);

        let big: &'static [u8] = Box::leak(
            format!(
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{}",
                MAX_BODY + 1,
                "a".repeat(MAX_BODY + 1)
            )
            .into_bytes()
            .into_boxed_slice(),
        );
        let peer = serve_once(big, Duration::ZERO);
        let err = send(&format!("http://{peer}/x"), None).unwrap_err();
        assert_eq!(err.cause(), Some(Cause::InvalidResponse), "{err}");
    }
}
