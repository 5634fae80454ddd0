//! The non-blocking transport (feature `rt-tokio`): [`HyperClient`], HTTP/1.1
//! over rustls on [hyper](https://docs.rs/hyper/1) 1's client connections, on
//! tokio, with a connection pool of its own.
//!
//! Inside a tokio runtime a call is a future on the caller's task: no thread
//! per call, and the keep-alive connections of one `HyperClient` (the default
//! transport has one for the whole process) are reused across calls and
//! clients. The runtime needs its I/O and time drivers (`#[tokio::main]`,
//! `Runtime::new`, `Builder::enable_all`). Outside a runtime, or on a thread
//! blocked in [`block_on`](crate::block_on::block_on) (`send_blocking`), the
//! call runs on a current-thread runtime of the transport's own, on one
//! thread it starts at the first such call and stops when the transport is
//! dropped.
//!
//! The pool keeps connections by runtime, scheme, host and port: a
//! connection is driven by a task of the runtime that opened it, so only
//! calls on that runtime take it. A connection goes back to the pool as soon
//! as its response's body has been read, on the caller's task, so a caller
//! that sends again finds it idle instead of opening another. A request that
//! a pooled connection could not send, or that it sent and then closed under
//! before any of the response (the server's idle timeout struck meanwhile),
//! is sent once more on a new connection; on a new connection such a close
//! is an error for the retry strategy to judge.

use std::collections::{HashMap, VecDeque};
use std::error::Error as StdError;
use std::fmt;
use std::future::poll_fn;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use super::proxy::{Proxies, Proxy, Route};
use super::tls::TlsSettings;
use super::{
    Cause, ConnectorError, ConnectorErrorKind, HttpClient, HttpFuture, HttpRequest, HttpResponse,
    RequestTimeouts, Timeout,
};

/// The most a response body may hold (as ureq's limit for the blocking transport).
pub const MAX_BODY: usize = 10 * 1024 * 1024;

/// Idle keep-alive connections kept per runtime and host.
pub const MAX_IDLE_CONNECTIONS_PER_HOST: usize = 1024;

/// How long an idle connection is kept before it is closed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// The most a proxy's answer to `CONNECT` may hold before its blank line.
const MAX_PROXY_HEAD: usize = 16 * 1024;

/// The non-blocking transport: a pool of HTTP/1.1 keep-alive connections
/// over rustls (ring), trusting the Mozilla root certificates
/// (webpki-roots), or those a [`TlsSettings`] says.
///
/// It applies the [`RequestTimeouts`] of each request, sends 4xx/5xx back
/// as responses, follows no redirects and reads the whole body (at most
/// [`MAX_BODY`]). It goes through the proxy the environment names when it is
/// made (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`; never for a
/// loopback host: see [`proxy`](super::proxy)). Clones share the pool.
#[derive(Clone, Debug)]
pub struct HyperClient {
    inner: Arc<Inner>,
}

struct Inner {
    tls: tokio_rustls::TlsConnector,
    proxies: Proxies,
    idle: Mutex<HashMap<Key, VecDeque<Idle>>>,
    /// The runtime of calls made where no tokio runtime may be used.
    own: OnceLock<Result<OwnRuntime, String>>,
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let idle: usize = lock(&self.idle).values().map(VecDeque::len).sum();
        f.debug_struct("HyperClient")
            .field("proxies", &self.proxies)
            .field("idle_connections", &idle)
            .field("own_runtime", &matches!(self.own.get(), Some(Ok(_))))
            .finish()
    }
}

/// Which connections a request may use.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    runtime: tokio::runtime::Id,
    tls: bool,
    /// Without brackets for IPv6.
    host: String,
    port: u16,
}

struct Idle {
    sender: SendRequest<Full<Bytes>>,
    since: Instant,
}

impl Idle {
    fn usable(&self, now: Instant) -> bool {
        !self.sender.is_closed() && now.duration_since(self.since) < IDLE_TIMEOUT
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A connection's stream: TCP, or TLS over TCP.
trait Stream: AsyncRead + AsyncWrite + Send + Unpin {}

impl<T: AsyncRead + AsyncWrite + Send + Unpin> Stream for T {}

impl HyperClient {
    /// A transport with its own connection pool and the default TLS settings.
    pub fn new() -> Self {
        Self::with_tls(&TlsSettings::default()).expect("the default TLS settings are valid")
    }

    /// A transport with its own connection pool and `tls` (trust anchors,
    /// client certificate); an error names what in `tls` is wrong.
    pub fn with_tls(tls: &TlsSettings) -> Result<Self, super::tls::TlsError> {
        Self::with_proxies(tls, Proxies::from_env())
    }

    /// With `tls` and `proxies` instead of the environment's.
    pub(crate) fn with_proxies(
        tls: &TlsSettings,
        proxies: Proxies,
    ) -> Result<Self, super::tls::TlsError> {
        let mut config = tls.rustls_config()?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            inner: Arc::new(Inner {
                tls: tokio_rustls::TlsConnector::from(Arc::new(config)),
                proxies,
                idle: Mutex::new(HashMap::new()),
                own: OnceLock::new(),
            }),
        })
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
        let named = move |outcome: Result<HttpResponse, ConnectorError>| {
            outcome.map_err(|err| match &peer {
                Some(peer) => err.with_peer(peer.clone()),
                None => err,
            })
        };
        let inner = Arc::clone(&self.inner);
        // Where the call runs is decided when it is first polled.
        Box::pin(async move {
            if crate::executor::tokio_runtime().is_some() {
                return named(inner.attempt(request, timeouts).await);
            }
            let runtime = match inner.own_runtime() {
                Ok(runtime) => runtime.clone(),
                Err(err) => return named(Err(err)),
            };
            let attempt = {
                let inner = Arc::clone(&inner);
                async move { inner.attempt(request, timeouts).await }
            };
            let mut task = AbortOnDrop(runtime.spawn(attempt));
            let outcome = (&mut task.0).await;
            named(outcome.unwrap_or_else(|join| {
                Err(ConnectorError::new(
                    ConnectorErrorKind::Other,
                    format!("the transport's task failed: {join}"),
                ))
            }))
        })
    }
}

/// Cancels the transport's task when the caller gives up on it.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Inner {
    /// One attempt, on the current runtime, within its attempt timeout.
    async fn attempt(
        &self,
        request: HttpRequest,
        timeouts: RequestTimeouts,
    ) -> Result<HttpResponse, ConnectorError> {
        let call = self.call(request, timeouts.connect);
        match timeouts.attempt {
            Some(limit) => tokio::time::timeout(limit, call).await.unwrap_or_else(|_| {
                Err(ConnectorError::with_cause(
                    Cause::Timeout(Timeout::Attempt(Some(limit))),
                    "no complete response in time",
                ))
            }),
            None => call.await,
        }
    }

    async fn call(
        &self,
        request: HttpRequest,
        connect_timeout: Option<Duration>,
    ) -> Result<HttpResponse, ConnectorError> {
        let uri = request.uri().clone();
        let tls = uri.scheme() == Some(&http::uri::Scheme::HTTPS);
        if !tls && uri.scheme() != Some(&http::uri::Scheme::HTTP) {
            return Err(ConnectorError::new(
                ConnectorErrorKind::Other,
                "the request's URI is neither `https://` nor `http://`",
            ));
        }
        let Some(host) = uri.host() else {
            return Err(ConnectorError::new(
                ConnectorErrorKind::Other,
                "the request's URI has no host",
            ));
        };
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|e| ConnectorError::new(ConnectorErrorKind::Other, e))?
            .id();
        let key = Key {
            runtime,
            tls,
            host: super::unbracket(host).to_owned(),
            port: uri.port_u16().unwrap_or(if tls { 443 } else { 80 }),
        };
        let route = self
            .proxies
            .route(host, tls)
            .map_err(|why| ConnectorError::new(ConnectorErrorKind::Other, why))?;
        let mut request = request.map(Full::new);
        match route {
            // Plain HTTP through a proxy: the absolute URI, and the proxy's
            // credentials on the request itself.
            Route::Through(proxy) if !tls => {
                if let Some(authorization) = &proxy.authorization {
                    let value = http::HeaderValue::from_str(authorization)
                        .map_err(|e| ConnectorError::new(ConnectorErrorKind::Other, e))?;
                    request
                        .headers_mut()
                        .insert(http::header::PROXY_AUTHORIZATION, value);
                }
            }
            _ => *request.uri_mut() = origin_form(&uri),
        }
        let mut pooled = self.checkout(&key).await;
        loop {
            let reused = pooled.is_some();
            let mut sender = match pooled.take() {
                Some(sender) => sender,
                None => self.connect(&key, &route, connect_timeout).await?,
            };
            // A pooled connection the server closed while it sat idle can
            // take the request and then fail before any of the response:
            // the close was on its way when the request left. The request
            // goes once more on a new connection, from this copy.
            let replay = reused.then(|| copy(&request));
            match sender.try_send_request(request).await {
                Ok(response) => {
                    let (parts, body) = response.into_parts();
                    let keep_alive = !parts
                        .headers
                        .get_all(http::header::CONNECTION)
                        .iter()
                        .any(|v| v.as_bytes().eq_ignore_ascii_case(b"close"));
                    let body = Limited::new(body, MAX_BODY)
                        .collect()
                        .await
                        .map_err(|e| connector_error(e, tls))?
                        .to_bytes();
                    if keep_alive {
                        self.checkin(key, sender);
                    }
                    return Ok(http::Response::from_parts(parts, body));
                }
                Err(mut err) => match (err.take_message(), replay) {
                    // Not sent: the pooled connection closed meanwhile.
                    (Some(unsent), Some(_)) => request = unsent,
                    // Sent, and the connection closed before any answer.
                    (None, Some(copy))
                        if cause_of(err.error(), tls) == Some(Cause::ConnectionClosed) =>
                    {
                        request = copy;
                    }
                    _ => return Err(connector_error(err.into_error(), tls)),
                },
            }
        }
    }

    /// An idle connection of `key`, ready for a request.
    async fn checkout(&self, key: &Key) -> Option<SendRequest<Full<Bytes>>> {
        loop {
            let mut idle = {
                let mut pool = lock(&self.idle);
                let list = pool.get_mut(key)?;
                let now = Instant::now();
                loop {
                    let idle = list.pop_back()?;
                    if idle.usable(now) {
                        break idle;
                    }
                }
            };
            // The connection may still be finishing its last response.
            if idle.sender.ready().await.is_ok() {
                return Some(idle.sender);
            }
        }
    }

    /// Keeps `sender` for the next request of `key`.
    fn checkin(&self, key: Key, sender: SendRequest<Full<Bytes>>) {
        if sender.is_closed() {
            return;
        }
        let now = Instant::now();
        let mut pool = lock(&self.idle);
        if !pool.contains_key(&key) {
            // A new key: drop what runtimes since gone or idle hosts left.
            pool.retain(|_, list| {
                list.retain(|idle| idle.usable(now));
                !list.is_empty()
            });
        }
        let list = pool.entry(key).or_default();
        while list.front().is_some_and(|idle| !idle.usable(now)) {
            list.pop_front();
        }
        if list.len() < MAX_IDLE_CONNECTIONS_PER_HOST {
            list.push_back(Idle { sender, since: now });
        }
    }

    /// A new connection for `key` along `route`, within `limit`: name
    /// resolution, TCP, the proxy's tunnel and TLS all count.
    async fn connect(
        &self,
        key: &Key,
        route: &Route<'_>,
        limit: Option<Duration>,
    ) -> Result<SendRequest<Full<Bytes>>, ConnectorError> {
        let connecting = async {
            let (host, port) = match route {
                Route::Through(proxy) => (proxy.host.as_str(), proxy.port),
                Route::Direct => (key.host.as_str(), key.port),
            };
            let tcp = tcp_connect(host, port).await?;
            let stream: Box<dyn Stream> = if key.tls {
                let tcp = match route {
                    Route::Through(proxy) => tunnel(tcp, proxy, &key.host, key.port).await?,
                    Route::Direct => tcp,
                };
                let name =
                    rustls::pki_types::ServerName::try_from(key.host.clone()).map_err(|e| {
                        ConnectorError::with_cause(
                            Cause::Tls,
                            format!("`{}` is not a name TLS can verify: {e}", key.host),
                        )
                    })?;
                let tls = self
                    .tls
                    .connect(name, tcp)
                    .await
                    .map_err(|e| connector_error(e, true))?;
                Box::new(tls)
            } else {
                Box::new(tcp)
            };
            let (sender, connection) = http1::handshake(TokioIo::new(stream))
                .await
                .map_err(|e| connector_error(e, key.tls))?;
            // Errors of the connection reach its requests.
            tokio::spawn(async move {
                let _ = connection.await;
            });
            Ok(sender)
        };
        match limit {
            Some(limit) => tokio::time::timeout(limit, connecting)
                .await
                .unwrap_or_else(|_| {
                    Err(ConnectorError::with_cause(
                        Cause::Timeout(Timeout::Connect(Some(limit))),
                        format!("no connection within {limit:?}"),
                    ))
                }),
            None => connecting.await,
        }
    }

    /// The runtime of calls made where no tokio runtime may be used, started
    /// at the first.
    fn own_runtime(&self) -> Result<&tokio::runtime::Handle, ConnectorError> {
        self.own
            .get_or_init(OwnRuntime::start)
            .as_ref()
            .map(|own| &own.handle)
            .map_err(|why| ConnectorError::new(ConnectorErrorKind::Other, why.clone()))
    }
}

/// `uri` as the request line carries it to the host itself: path and query.
fn origin_form(uri: &http::Uri) -> http::Uri {
    uri.path_and_query().map_or_else(
        || http::Uri::from_static("/"),
        |pq| http::Uri::from(pq.clone()),
    )
}

/// Connects to the first address of `host` that answers.
async fn tcp_connect(host: &str, port: u16) -> Result<TcpStream, ConnectorError> {
    // An IP literal resolves without a lookup (tokio parses it first).
    let addresses = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| ConnectorError::with_cause(Cause::NameResolution, e))?;
    let mut last = None;
    for address in addresses {
        match TcpStream::connect(address).await {
            Ok(tcp) => {
                let _ = tcp.set_nodelay(true);
                return Ok(tcp);
            }
            Err(err) => last = Some(err),
        }
    }
    Err(match last {
        Some(err) => connector_error(err, false),
        None => ConnectorError::with_cause(
            Cause::NameResolution,
            format!("`{host}` resolved to no address"),
        ),
    })
}

/// Asks `proxy` (reached over `tcp`) for a tunnel to `host:port`.
async fn tunnel(
    tcp: TcpStream,
    proxy: &Proxy,
    host: &str,
    port: u16,
) -> Result<TcpStream, ConnectorError> {
    let authority = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let mut head = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
    if let Some(authorization) = &proxy.authorization {
        head.push_str("Proxy-Authorization: ");
        head.push_str(authorization);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    let proxy_name = format!("the proxy {}:{}", proxy.host, proxy.port);
    let io = |e: io::Error| {
        let err = connector_error(e, false);
        let cause = err.cause().unwrap_or(Cause::ConnectionClosed);
        ConnectorError::with_cause(cause, format!("{proxy_name}: {err}"))
    };
    let mut written = 0;
    while written < head.len() {
        tcp.writable().await.map_err(io)?;
        match tcp.try_write(&head.as_bytes()[written..]) {
            Ok(n) => written += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(io(e)),
        }
    }
    let mut answer = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        tcp.readable().await.map_err(io)?;
        let n = match tcp.try_read(&mut chunk) {
            Ok(0) => {
                return Err(ConnectorError::with_cause(
                    Cause::ConnectionClosed,
                    format!("{proxy_name} closed the connection before answering CONNECT"),
                ))
            }
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            Err(e) => return Err(io(e)),
        };
        answer.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut response = httparse::Response::new(&mut headers);
        match response.parse(&answer) {
            Ok(httparse::Status::Complete(length)) => {
                let code = response.code.unwrap_or_default();
                if !(200..300).contains(&code) {
                    return Err(ConnectorError::new(
                        ConnectorErrorKind::Other,
                        format!(
                            "{proxy_name} refused the tunnel: {code} {}",
                            response.reason.unwrap_or_default()
                        ),
                    ));
                }
                if length != answer.len() {
                    return Err(ConnectorError::with_cause(
                        Cause::InvalidResponse,
                        format!("{proxy_name} sent data after its answer to CONNECT"),
                    ));
                }
                return Ok(tcp);
            }
            Ok(httparse::Status::Partial) if answer.len() <= MAX_PROXY_HEAD => {}
            Ok(httparse::Status::Partial) => {
                return Err(ConnectorError::with_cause(
                    Cause::InvalidResponse,
                    format!(
                        "{proxy_name} answered CONNECT with a head over {MAX_PROXY_HEAD} bytes"
                    ),
                ))
            }
            Err(e) => {
                return Err(ConnectorError::with_cause(
                    Cause::InvalidResponse,
                    format!("{proxy_name} answered CONNECT with something not HTTP: {e}"),
                ))
            }
        }
    }
}

/// A current-thread runtime on a thread of its own, until dropped.
struct OwnRuntime {
    handle: tokio::runtime::Handle,
    stop: Arc<Stop>,
}

impl OwnRuntime {
    fn start() -> Result<Self, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("the transport could not make its runtime: {e}"))?;
        let handle = runtime.handle().clone();
        let stop = Arc::new(Stop::default());
        let stopped = Arc::clone(&stop);
        std::thread::Builder::new()
            .name("sdk-runtime-transport".into())
            .spawn(move || runtime.block_on(poll_fn(|cx| stopped.poll(cx.waker()))))
            .map_err(|e| format!("the transport could not start its thread: {e}"))?;
        Ok(Self { handle, stop })
    }
}

impl Drop for OwnRuntime {
    fn drop(&mut self) {
        self.stop.fire();
    }
}

/// Ends the own runtime's thread.
#[derive(Default)]
struct Stop {
    stopped: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

impl Stop {
    fn fire(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        if let Some(waker) = lock(&self.waker).take() {
            waker.wake();
        }
    }

    fn poll(&self, waker: &Waker) -> Poll<()> {
        if self.stopped.load(Ordering::SeqCst) {
            return Poll::Ready(());
        }
        *lock(&self.waker) = Some(waker.clone());
        // `fire` may have run between the load and the store.
        if self.stopped.load(Ordering::SeqCst) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

/// Sorts a failure of hyper, rustls or the socket by the first
/// error in its chain of sources that says what happened; the failure
/// itself stays as the source. `tls`: the request was HTTPS.
fn connector_error(error: impl Into<BoxError>, tls: bool) -> ConnectorError {
    let error = error.into();
    match cause_of(&*error, tls) {
        Some(cause) => ConnectorError::with_cause(cause, error),
        None => ConnectorError::new(ConnectorErrorKind::Other, error),
    }
}

/// What the first error in `error`'s chain that says so tells.
fn cause_of(error: &(dyn StdError + 'static), tls: bool) -> Option<Cause> {
    let mut current = Some(error);
    while let Some(err) = current {
        if let Some(cause) = recognise(err, tls) {
            return Some(cause);
        }
        current = err.source();
    }
    None
}

/// A request like `request`, for a second try: bodies are in memory, so
/// the copy is cheap (extensions, which requests here never carry, are not
/// copied).
fn copy(request: &http::Request<Full<Bytes>>) -> http::Request<Full<Bytes>> {
    let mut copy = http::Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    copy
}

fn recognise(error: &(dyn StdError + 'static), tls: bool) -> Option<Cause> {
    if error.is::<http_body_util::LengthLimitError>() {
        return Some(Cause::InvalidResponse);
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
    None
}

type BoxError = Box<dyn StdError + Send + Sync>;

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::net::TcpListener;
    use std::sync::atomic::Ordering;
    use std::thread;

    use super::*;
    use crate::transport::HttpResponse;

    /// Serves one connection (the blocking transport's test server);
    /// returns its `127.0.0.1:<port>`.
    fn serve_once(reply: &'static [u8], delay: Duration) -> String {
        let (endpoint, _head) = crate::transport::serve_once(reply, delay);
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

    /// A keep-alive server: each connection on a thread of its own answers
    /// `{}` to every request; to `/close` with `connection: close`, and
    /// closes. With `silent`, a connection answers its first request only:
    /// it reads the second and closes without a word, as a server whose
    /// idle timeout struck as the request arrived. Counts the connections
    /// it accepts; stops after 30 s.
    fn keep_alive_server(silent: bool) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
        use std::io::Read;
        use std::sync::atomic::AtomicUsize;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let accepted = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&accepted);
        thread::spawn(move || {
            let until = Instant::now() + Duration::from_secs(30);
            while Instant::now() < until {
                let Ok((mut stream, _)) = listener.accept() else {
                    thread::sleep(Duration::from_millis(5));
                    continue;
                };
                counted.fetch_add(1, Ordering::SeqCst);
                thread::spawn(move || {
                    stream.set_nonblocking(false).unwrap();
                    stream
                        .set_read_timeout(Some(Duration::from_secs(10)))
                        .unwrap();
                    for answered in 0.. {
                        let mut head = Vec::new();
                        let mut byte = [0];
                        while !head.ends_with(b"\r\n\r\n") {
                            if stream.read(&mut byte).unwrap_or(0) == 0 {
                                return;
                            }
                            head.push(byte[0]);
                        }
                        if silent && answered > 0 {
                            return;
                        }
                        let close = head.starts_with(b"GET /close ");
                        let reply: &[u8] = if close {
                            b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}"
                        } else {
                            b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"
                        };
                        if stream.write_all(reply).is_err() || close {
                            return;
                        }
                    }
                });
            }
        });
        (endpoint, accepted)
    }

    fn get<'a>(client: &'a HyperClient, uri: &str) -> HttpFuture<'a> {
        let mut request = http::Request::builder()
            .uri(uri)
            .body(Bytes::new())
            .unwrap();
        request.extensions_mut().insert(RequestTimeouts {
            connect: Some(Duration::from_secs(2)),
            attempt: Some(Duration::from_secs(5)),
        });
        client.send(request)
    }

    #[test]
    fn idle_connections_are_reused_unless_the_server_closes_them() {
        let (endpoint, accepted) = keep_alive_server(false);
        let opened = || accepted.load(Ordering::SeqCst);
        let client =
            HyperClient::with_proxies(&TlsSettings::default(), Proxies::default()).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        for _ in 0..3 {
            let response = runtime
                .block_on(get(&client, &format!("{endpoint}/a")))
                .unwrap();
            assert_eq!(response.body().as_ref(), b"{}");
        }
        assert_eq!(opened(), 1, "one connection for calls one after another");
        runtime
            .block_on(get(&client, &format!("{endpoint}/close")))
            .unwrap();
        assert_eq!(opened(), 1);
        runtime
            .block_on(get(&client, &format!("{endpoint}/a")))
            .unwrap();
        assert_eq!(opened(), 2, "a connection the server closed is not reused");

        // Outside a runtime the transport's own runtime has its own connections.
        for _ in 0..3 {
            crate::block_on::block_on(get(&client, &format!("{endpoint}/a"))).unwrap();
        }
        assert_eq!(opened(), 3);
    }

    #[test]
    fn a_pooled_connection_that_closes_under_a_request_is_replaced() {
        let (endpoint, accepted) = keep_alive_server(true);
        let client =
            HyperClient::with_proxies(&TlsSettings::default(), Proxies::default()).unwrap();
        for _ in 0..4 {
            let response =
                crate::block_on::block_on(get(&client, &format!("{endpoint}/a"))).unwrap();
            assert_eq!(response.status(), 200);
        }
        // Each call after the first took a pooled connection that closed
        // under it, and went again on a new one.
        assert_eq!(accepted.load(Ordering::SeqCst), 4);
    }

    #[test]
    fn a_new_connection_that_closes_under_a_request_is_an_error() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        thread::spawn(move || {
            use std::io::Read;
            if let Ok((mut stream, _)) = listener.accept() {
                let mut buffer = [0; 1024];
                let _ = stream.read(&mut buffer);
            }
        });
        let client =
            HyperClient::with_proxies(&TlsSettings::default(), Proxies::default()).unwrap();
        let err = crate::block_on::block_on(get(&client, &format!("{endpoint}/a"))).unwrap_err();
        assert_eq!(err.cause(), Some(Cause::ConnectionClosed), "{err}");
    }

    fn proxied(proxy: &str) -> HyperClient {
        let proxies = Proxies::from_lookup(|name| {
            (name == "ALL_PROXY").then(|| format!("http://user:secret@{proxy}"))
        });
        HyperClient::with_proxies(&TlsSettings::default(), proxies).unwrap()
    }

    #[test]
    fn plain_http_goes_to_the_proxy_in_absolute_form_with_its_credentials() {
        let (proxy, head) = crate::transport::serve_once(
            b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}",
            Duration::ZERO,
        );
        let client = proxied(proxy.trim_start_matches("http://"));
        let response =
            crate::block_on::block_on(get(&client, "http://service.example/things?a=1")).unwrap();
        assert_eq!(response.body().as_ref(), b"{}");
        let head = head.recv_timeout(Duration::from_secs(5)).unwrap();
        let lower = head.to_ascii_lowercase();
        assert!(
            head.starts_with("GET http://service.example/things?a=1 HTTP/1.1\r\n"),
            "{head}"
        );
        assert!(
            lower.contains("proxy-authorization: basic dxnlcjpzzwnyzxq=\r\n"),
            "{head}"
        );
    }

    #[test]
    fn a_refused_tunnel_names_the_proxy_and_its_answer() {
        let (proxy, head) = crate::transport::serve_once(
            b"HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n",
            Duration::ZERO,
        );
        let proxy = proxy.trim_start_matches("http://").to_owned();
        let client = proxied(&proxy);
        let err =
            crate::block_on::block_on(get(&client, "https://service.example/things")).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "transport failed (service.example:443): the proxy {proxy} refused the tunnel: 407 Proxy Authentication Required"
            )
        );
        let head = head.recv_timeout(Duration::from_secs(5)).unwrap();
        assert!(
            head.starts_with(
                "CONNECT service.example:443 HTTP/1.1\r\nHost: service.example:443\r\n"
            ),
            "{head}"
        );
        assert!(
            head.contains("Proxy-Authorization: Basic dXNlcjpzZWNyZXQ=\r\n"),
            "{head}"
        );
    }
}
