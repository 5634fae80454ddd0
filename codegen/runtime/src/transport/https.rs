//! The blocking transport (feature `https`): [`UreqClient`], HTTP/1.1 over
//! rustls, on [ureq](https://docs.rs/ureq/3); the default one when
//! `rt-tokio` is off.
//!
//! ureq is blocking: the request runs inside the future, on the thread that
//! polls it, which is right for [`block_on`](crate::block_on::block_on) and
//! the generated `send_blocking`. With `rt-tokio` on as well, a `UreqClient`
//! called inside a tokio runtime runs on tokio's blocking pool
//! (`spawn_blocking`), so it never blocks an executor thread (the default
//! transport is then [`HyperClient`](super::async_https::HyperClient)).

use std::io;

use bytes::Bytes;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};
use ureq::Agent;

use super::tls::{TlsError, TlsSettings};
use super::{
    Cause, ConnectorError, ConnectorErrorKind, HttpClient, HttpFuture, HttpRequest, HttpResponse,
    RequestTimeouts, Timeout,
};

/// The `user-agent` requests carry (it is not signed).
const USER_AGENT: &str = concat!("sdk-runtime/", env!("CARGO_PKG_VERSION"), " ureq/3");

/// The default transport: a pool of HTTP/1.1 keep-alive connections over
/// rustls (ring), trusting the Mozilla root certificates (webpki-roots).
///
/// It applies the [`RequestTimeouts`] of each request, sends any 4xx/5xx
/// back as a response (the caller decides what it means), does not follow
/// redirects, reads the whole body (at most 10 MiB, ureq's limit) and honours
/// the `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` / `NO_PROXY` environment
/// variables, except for loopback hosts (`localhost`, `127.0.0.0/8`, `::1`:
/// a local emulator), which it always reaches directly. Clones share the
/// connection pool.
#[derive(Clone, Debug)]
pub struct UreqClient {
    /// Through the proxy the environment names, if any.
    agent: Agent,
    /// Never through a proxy: for loopback hosts.
    direct: Agent,
}

/// Idle keep-alive connections kept per host (ureq keeps 3 unless told):
/// enough that many threads calling one service at once find one free
/// instead of each opening a new TCP (and TLS) connection.
pub const MAX_IDLE_CONNECTIONS_PER_HOST: usize = 256;

/// Idle keep-alive connections kept in all.
pub const MAX_IDLE_CONNECTIONS: usize = 512;

impl UreqClient {
    /// A transport with its own connection pool.
    pub fn new() -> Self {
        Self::with_tls(&TlsSettings::default()).expect("the default TLS settings are valid")
    }

    /// A transport with its own connection pool and `tls` (trust anchors,
    /// client certificate); an error names what in `tls` is wrong.
    pub fn with_tls(tls: &TlsSettings) -> Result<Self, TlsError> {
        // ureq reads the PEM lazily; rustls checks now that the certificate
        // and key parse and belong together, so a bad pair fails here.
        tls.rustls_config()?;
        let tls_config = tls.ureq_config()?;
        let agent = |direct: bool| -> Agent {
            let config = Agent::config_builder()
                .tls_config(tls_config.clone())
                .http_status_as_error(false)
                .max_redirects(0)
                .max_redirects_will_error(false)
                .max_idle_connections(MAX_IDLE_CONNECTIONS)
                .max_idle_connections_per_host(MAX_IDLE_CONNECTIONS_PER_HOST)
                .user_agent(USER_AGENT);
            // Without `proxy(..)`, ureq takes the proxy from the environment.
            let config = if direct { config.proxy(None) } else { config };
            Agent::with_parts(config.build(), DefaultConnector::new(), LiteralFirst)
        };
        Ok(Self {
            agent: agent(false),
            direct: agent(true),
        })
    }

    fn agent_for(&self, request: &HttpRequest) -> &Agent {
        if request.uri().host().is_some_and(super::is_loopback) {
            &self.direct
        } else {
            &self.agent
        }
    }
}

/// ureq's resolver, but for an IP literal, which needs no lookup: ureq's
/// own starts a thread per connection to resolve any host when a connect
/// timeout is set (so that the lookup can be abandoned), and the runtime
/// always sets one.
#[derive(Debug)]
struct LiteralFirst;

impl Resolver for LiteralFirst {
    fn resolve(
        &self,
        uri: &http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        match ip_literal(uri) {
            Some(address) => {
                let mut addresses = self.empty();
                addresses.push(address);
                Ok(addresses)
            }
            None => DefaultResolver::default().resolve(uri, config, timeout),
        }
    }
}

/// The socket address of a URI whose host is an IP literal (`127.0.0.1`,
/// `[::1]`), with its port or its scheme's.
fn ip_literal(uri: &http::Uri) -> Option<std::net::SocketAddr> {
    let authority = uri.authority()?;
    let host = authority.host();
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let ip: std::net::IpAddr = host.parse().ok()?;
    let port = authority.port_u16().or(match uri.scheme_str() {
        Some("https") => Some(443),
        Some("http") => Some(80),
        _ => None,
    })?;
    Some(std::net::SocketAddr::new(ip, port))
}

impl Default for UreqClient {
    fn default() -> Self {
        Self::new()
    }
}

impl HttpClient for UreqClient {
    fn send(&self, request: HttpRequest) -> HttpFuture<'_> {
        #[cfg(feature = "rt-tokio")]
        if let Some(runtime) = crate::executor::tokio_runtime() {
            let agent = self.agent_for(&request).clone();
            let call = runtime.spawn_blocking(move || call(&agent, request));
            return Box::pin(async move {
                call.await.unwrap_or_else(|join| {
                    Err(ConnectorError::new(
                        ConnectorErrorKind::Other,
                        format!("the transport's task on tokio's blocking pool failed: {join}"),
                    ))
                })
            });
        }
        Box::pin(async move { call(self.agent_for(&request), request) })
    }
}

/// Sends `request` and reads the whole response, blocking.
fn call(agent: &Agent, request: HttpRequest) -> Result<HttpResponse, ConnectorError> {
    let timeouts = request
        .extensions()
        .get::<RequestTimeouts>()
        .copied()
        .unwrap_or_default();
    let peer = super::peer_of(request.uri());
    let tls = request.uri().scheme() == Some(&http::uri::Scheme::HTTPS);
    let (parts, body) = request.into_parts();
    // No body: nothing to send, not even `content-length: 0` on a GET; a
    // POST, PUT or PATCH without one says `content-length: 0` (a body-less
    // value would make ureq send it chunked).
    let carries_body = matches!(
        parts.method,
        http::Method::POST | http::Method::PUT | http::Method::PATCH
    );
    let response = if body.is_empty() && !carries_body {
        run(agent, http::Request::from_parts(parts, ()), timeouts)
    } else {
        run(agent, http::Request::from_parts(parts, &body[..]), timeouts)
    };
    let error = |error| {
        let error = connector_error(error, timeouts, tls);
        match &peer {
            Some(peer) => error.with_peer(peer.clone()),
            None => error,
        }
    };
    let (parts, mut body) = response.map_err(error)?.into_parts();
    let body = body.read_to_vec().map_err(error)?;
    Ok(http::Response::from_parts(parts, Bytes::from(body)))
}

fn run<B: ureq::AsSendBody>(
    agent: &Agent,
    request: http::Request<B>,
    timeouts: RequestTimeouts,
) -> Result<http::Response<ureq::Body>, ureq::Error> {
    let request = agent
        .configure_request(request)
        .timeout_connect(timeouts.connect)
        .timeout_global(timeouts.attempt)
        .build();
    agent.run(request)
}

/// Sorts ureq's errors into the runtime's causes (and so the kinds retries
/// look at); ureq's error stays as the source. `tls`: the request was HTTPS.
fn connector_error(error: ureq::Error, timeouts: RequestTimeouts, tls: bool) -> ConnectorError {
    let cause = match &error {
        ureq::Error::Timeout(which) => Cause::Timeout(match which {
            ureq::Timeout::Connect | ureq::Timeout::Resolve => Timeout::Connect(timeouts.connect),
            _ => Timeout::Attempt(timeouts.attempt),
        }),
        ureq::Error::Io(io) => match io.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
                Cause::Timeout(Timeout::Attempt(timeouts.attempt))
            }
            io::ErrorKind::ConnectionRefused => Cause::ConnectionRefused,
            io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::NetworkDown
            | io::ErrorKind::AddrNotAvailable
            | io::ErrorKind::PermissionDenied => Cause::ConnectFailed,
            // TLS failures (a certificate that does not verify, a server
            // that does not speak TLS) come as invalid data, or as
            // `ureq::Error::Rustls`; another attempt would fail the same way.
            io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput if tls => Cause::Tls,
            io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput => {
                return ConnectorError::new(ConnectorErrorKind::Other, error)
            }
            // Closed, reset, cut off mid-head or mid-body.
            _ => Cause::ConnectionClosed,
        },
        ureq::Error::Rustls(_) | ureq::Error::Tls(_) | ureq::Error::Pem(_) => Cause::Tls,
        ureq::Error::HostNotFound => Cause::NameResolution,
        ureq::Error::ConnectionFailed => Cause::ConnectFailed,
        // The peer's bytes are not HTTP/1.1 (status line, headers, lengths,
        // chunks), or break a limit. ureq reports a request it cannot frame
        // the same way, which cannot happen for the requests the runtime
        // builds (header values are checked by `http`, bodies have a known
        // length) and would not be worth retrying either.
        ureq::Error::Protocol(_)
        | ureq::Error::LargeResponseHeader(..)
        | ureq::Error::BodyExceedsLimit(_) => Cause::InvalidResponse,
        _ => return ConnectorError::new(ConnectorErrorKind::Other, error),
    };
    ConnectorError::with_cause(cause, error)
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{mpsc, Arc};
    use std::thread;
    use std::time::Duration;

    use super::*;
    use crate::block_on::block_on;
    use crate::transport::{is_loopback, serve_once};

    fn head(received: &mpsc::Receiver<String>) -> String {
        received
            .recv_timeout(Duration::from_secs(5))
            .expect("the server got no request")
    }

    fn get(endpoint: &str, attempt: Option<Duration>) -> HttpRequest {
        let mut request = http::Request::builder()
            .uri(format!("{endpoint}/things/t/jobs"))
            .body(Bytes::new())
            .unwrap();
        request.extensions_mut().insert(RequestTimeouts {
            connect: Some(Duration::from_secs(1)),
            attempt,
        });
        request
    }

    #[test]
    fn error_statuses_come_back_as_responses_and_get_has_no_body_headers() {
        let (endpoint, server) = serve_once(
            b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 7\r\nx-amzn-ErrorType: Busy\r\nconnection: close\r\n\r\n{\"a\":1}",
            Duration::ZERO,
        );
        let response = block_on(UreqClient::new().send(get(&endpoint, None))).unwrap();
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()["x-amzn-errortype"], "Busy");
        assert_eq!(response.body().as_ref(), b"{\"a\":1}");
        let head = head(&server).to_ascii_lowercase();
        assert!(
            head.starts_with("get /things/t/jobs http/1.1\r\n"),
            "{head}"
        );
        assert!(head.contains("user-agent: sdk-runtime/"), "{head}");
        assert!(!head.contains("content-length"), "{head}");
        assert!(!head.contains("transfer-encoding"), "{head}");
    }

    #[test]
    fn a_post_without_a_body_says_content_length_zero() {
        let (endpoint, server) = serve_once(
            b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n",
            Duration::ZERO,
        );
        let mut request = get(&endpoint, None);
        *request.method_mut() = http::Method::POST;
        let response = block_on(UreqClient::new().send(request)).unwrap();
        assert_eq!(response.status(), 200);
        let head = head(&server).to_ascii_lowercase();
        assert!(
            head.starts_with("post /things/t/jobs http/1.1\r\n"),
            "{head}"
        );
        assert!(head.contains("content-length: 0\r\n"), "{head}");
        assert!(!head.contains("transfer-encoding"), "{head}");
    }

    #[test]
    fn a_slow_reply_is_a_timeout() {
        let (endpoint, _server) = serve_once(
            b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}",
            Duration::from_secs(2),
        );
        let request = get(&endpoint, Some(Duration::from_millis(200)));
        let err = block_on(UreqClient::new().send(request)).unwrap_err();
        assert_eq!(err.kind(), ConnectorErrorKind::Timeout, "{err}");
        let peer = endpoint.trim_start_matches("http://");
        assert_eq!(
            err.cause(),
            Some(Cause::Timeout(Timeout::Attempt(Some(
                Duration::from_millis(200)
            ))))
        );
        assert_eq!(err.peer(), Some(peer));
        assert_eq!(
            err.to_string(),
            format!(
                "timed out: the attempt timeout of 200ms ran out waiting for {peer}: timeout: global"
            )
        );
    }

    #[test]
    fn a_reply_cut_short_is_an_io_error() {
        let (endpoint, server) = serve_once(
            b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"execution\":",
            Duration::ZERO,
        );
        let err = block_on(UreqClient::new().send(get(&endpoint, None))).unwrap_err();
        assert_eq!(err.kind(), ConnectorErrorKind::Io, "{err}");
        assert_eq!(err.cause(), Some(Cause::ConnectionClosed), "{err}");
        let peer = endpoint.trim_start_matches("http://");
        assert!(
            err.to_string().starts_with(&format!(
                "connection to {peer} closed before the response was complete: "
            )),
            "{err}"
        );
        head(&server);
    }

    #[test]
    fn a_tls_failure_is_not_worth_retrying() {
        // A server that answers a TLS handshake in plain HTTP.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("https://{}", listener.local_addr().unwrap());
        thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
        });
        let err = block_on(UreqClient::new().send(get(&endpoint, None))).unwrap_err();
        assert_eq!(err.kind(), ConnectorErrorKind::Other, "{err}");
        assert_eq!(err.cause(), Some(Cause::Tls), "{err}");
        let peer = endpoint.trim_start_matches("https://");
        assert!(
            err.to_string()
                .starts_with(&format!("TLS with {peer} failed: ")),
            "{err}"
        );
    }

    /// A keep-alive server: answers every request of every connection with
    /// `200 {}` after `delay`; counts the connections it accepted; stops
    /// taking new ones after `lifetime`, and each connection ends when the
    /// client closes it or is idle for 2 s.
    fn serve_keep_alive(delay: Duration, lifetime: Duration) -> (String, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        listener.set_nonblocking(true).unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&accepted);
        thread::spawn(move || {
            let started = std::time::Instant::now();
            while started.elapsed() < lifetime {
                let Ok((mut stream, _)) = listener.accept() else {
                    thread::sleep(Duration::from_millis(2));
                    continue;
                };
                counted.fetch_add(1, Ordering::SeqCst);
                thread::spawn(move || {
                    stream.set_nonblocking(false).unwrap();
                    stream
                        .set_read_timeout(Some(Duration::from_secs(2)))
                        .unwrap();
                    let mut head = Vec::new();
                    let mut byte = [0];
                    while stream.read(&mut byte).unwrap_or(0) == 1 {
                        head.push(byte[0]);
                        if head.ends_with(b"\r\n\r\n") {
                            head.clear();
                            thread::sleep(delay);
                            let reply = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}";
                            if stream.write_all(reply).is_err() {
                                break;
                            }
                        }
                    }
                });
            }
        });
        (endpoint, accepted)
    }

    #[test]
    fn threads_sharing_a_client_reuse_its_connections() {
        const THREADS: usize = 16;
        let (endpoint, accepted) =
            serve_keep_alive(Duration::from_millis(5), Duration::from_secs(30));
        let client = UreqClient::new();
        // Rounds of calls all at once, all done before the next: the pool
        // then holds every connection of a round idle at the same time.
        let round = std::sync::Barrier::new(THREADS);
        thread::scope(|scope| {
            for _ in 0..THREADS {
                scope.spawn(|| {
                    for _ in 0..10 {
                        round.wait();
                        let response = block_on(client.send(get(&endpoint, None))).unwrap();
                        assert_eq!(response.status(), 200);
                    }
                });
            }
        });
        // At most one connection per thread calling at once: every call
        // after a thread's first finds an idle one in the pool (with ureq's
        // default of 3 idle per host, each round opened 13 new ones).
        let opened = accepted.load(Ordering::SeqCst);
        assert!(
            opened <= THREADS,
            "{opened} connections for {THREADS} threads"
        );
    }

    #[test]
    fn ip_literals_need_no_lookup() {
        let addr = |uri: &str| ip_literal(&uri.parse().unwrap());
        assert_eq!(
            addr("http://127.0.0.1:8080/x"),
            Some("127.0.0.1:8080".parse().unwrap())
        );
        assert_eq!(addr("https://[::1]/"), Some("[::1]:443".parse().unwrap()));
        assert_eq!(
            addr("http://10.1.2.3"),
            Some("10.1.2.3:80".parse().unwrap())
        );
        assert_eq!(addr("https://example.com/"), None);
        assert_eq!(addr("https://127.0.0.1.example.com/"), None);
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        for host in [
            "localhost",
            "LocalHost",
            "127.0.0.1",
            "127.1.2.3",
            "[::1]",
            "::1",
        ] {
            assert!(is_loopback(host), "{host}");
        }
        for host in [
            "example.com",
            "10.0.0.1",
            "[::2]",
            "localhost.example.com",
            "",
        ] {
            assert!(!is_loopback(host), "{host}");
        }
    }

    #[test]
    fn nothing_listening_is_an_io_error() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        drop(listener);
        // With user information and a query: neither may show in the error.
        let uri = endpoint.replace("http://", "http://AKID:SECRET@");
        let mut request = get(&uri, None);
        *request.uri_mut() = format!("{uri}/x?X-Amz-Signature=abc").parse().unwrap();
        let err = block_on(UreqClient::new().send(request)).unwrap_err();
        assert_eq!(err.kind(), ConnectorErrorKind::Io, "{err}");
        assert_eq!(err.cause(), Some(Cause::ConnectionRefused), "{err}");
        let peer = endpoint.trim_start_matches("http://");
        let text = format!("{err} {err:?}");
        assert!(
            text.starts_with(&format!("connection refused by {peer}: ")),
            "{text}"
        );
        for secret in ["AKID", "SECRET", "X-Amz-Signature", "abc"] {
            assert!(!text.contains(secret), "{secret}: {text}");
        }
    }

    /// Malformed replies from a loopback server, each with the kind the
    /// transport gives it, and so whether it is retried (see `retry`).
    #[test]
    fn malformed_replies_are_invalid_responses_and_cut_ones_io() {
        let leak =
            |text: String| -> &'static [u8] { Box::leak(text.into_bytes().into_boxed_slice()) };
        let oversize_header = leak(format!(
            "HTTP/1.1 200 OK\r\nx-big: {}\r\ncontent-length: 0\r\n\r\n",
            "a".repeat(200_000)
        ));
        let many_headers = leak(format!(
            "HTTP/1.1 200 OK\r\n{}content-length: 0\r\n\r\n",
            (0..500)
                .map(|i| format!("x-h{i}: v\r\n"))
                .collect::<String>()
        ));
        let oversize_body = leak(format!(
            "HTTP/1.1 200 OK\r\ncontent-length: 20000000\r\n\r\n{}",
            "a".repeat(11 * 1024 * 1024)
        ));
        use ConnectorErrorKind::{InvalidResponse, Io};
        let cases: [(&str, &'static [u8], ConnectorErrorKind); 16] = [
            ("garbage", b"hello there\r\n\r\n", InvalidResponse),
            ("garbage, then close", b"hello there", InvalidResponse),
            ("binary", b"\x00\x01\x02\xff\xfe\r\n\r\n", InvalidResponse),
            (
                "bad status code",
                b"HTTP/1.1 abc OK\r\ncontent-length: 0\r\n\r\n",
                InvalidResponse,
            ),
            (
                "bad version",
                b"HTTP/9.9 200 OK\r\ncontent-length: 0\r\n\r\n",
                InvalidResponse,
            ),
            (
                "bad length",
                b"HTTP/1.1 200 OK\r\ncontent-length: abc\r\n\r\n",
                InvalidResponse,
            ),
            (
                "conflicting lengths",
                b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\n{}",
                InvalidResponse,
            ),
            (
                "bad chunk size",
                b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
                InvalidResponse,
            ),
            (
                "bad header",
                b"HTTP/1.1 200 OK\r\nbad header line\r\ncontent-length: 0\r\n\r\n",
                InvalidResponse,
            ),
            ("oversize header", oversize_header, InvalidResponse),
            ("too many headers", many_headers, InvalidResponse),
            ("oversize body", oversize_body, InvalidResponse),
            ("closed at once", b"", Io),
            ("cut in the head", b"HTTP/1.1 200 OK\r\ncontent-le", Io),
            (
                "cut in the body",
                b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{}",
                Io,
            ),
            (
                "cut in a chunk",
                b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n10\r\n{}",
                Io,
            ),
        ];
        for (name, reply, kind) in cases {
            let (endpoint, _server) = serve_once(reply, Duration::ZERO);
            let request = get(&endpoint, Some(Duration::from_secs(10)));
            let err = block_on(UreqClient::new().send(request)).unwrap_err();
            assert_eq!(err.kind(), kind, "{name}: {err}");
            let verdict = crate::retry::classify(&Err(err), None);
            let retried = matches!(verdict, crate::retry::Verdict::Retry(_));
            assert_eq!(retried, kind == Io, "{name}: {verdict:?}");
        }
    }
}
