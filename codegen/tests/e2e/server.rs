//! A local HTTP/1.1 server that stands in for AWS: it checks every request's
//! SigV4 signature with its own code (not the runtime's signer), records
//! what it got, and answers as a handler or a script of replies says.
//!
//! It listens on 127.0.0.1 only, serves each connection on a thread of its
//! own and closes it after one reply (`connection: close`), and stops when
//! dropped or after `MAX_CONNECTIONS`, so no test leaves it running.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Who signs and for what: the tests' credentials, region and service.
pub const SIGNING: Signing = Signing {
    access_key: "AKID",
    secret_key: "SECRET",
    region: "us-east-1",
    service: "iot-jobs-data",
};

/// The credentials, region and service a signature must be made with.
pub struct Signing {
    pub access_key: &'static str,
    pub secret_key: &'static str,
    pub region: &'static str,
    pub service: &'static str,
}

/// How far a signing time may be from the server's clock, as AWS allows.
const MAX_SKEW_SECS: i64 = 5 * 60;
/// A bound on what one test can make the server do.
const MAX_CONNECTIONS: usize = 64;
const MAX_HEAD: usize = 16 * 1024;
const MAX_BODY: usize = 256 * 1024;
/// How long a held reply waits for the test to release it.
const HOLD_LIMIT: Duration = Duration::from_secs(5);

/// A request as the server received it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    /// The path as sent, still percent-encoded.
    pub path: String,
    /// The query string as sent, `""` if none.
    pub query: String,
    /// Header names lowercased, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Whether the SigV4 signature checked out, and if not, why.
    pub signature: Result<(), String>,
    /// How many certificates the client presented (TLS servers; 0 over plain HTTP).
    pub client_certificates: usize,
}

impl Seen {
    /// The value of header `name` (lowercase), if sent once or more (joined by `,`).
    pub fn header(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(","))
    }

    /// The body as JSON (`Null` if empty).
    pub fn json(&self) -> serde_json::Value {
        if self.body.is_empty() {
            return serde_json::Value::Null;
        }
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("request body is not JSON ({e}): {:?}", self.body))
    }

    /// The signing time (`x-amz-date`) in seconds since the epoch.
    pub fn signed_at(&self) -> Option<i64> {
        parse_amz_date(&self.header("x-amz-date")?)
    }
}

/// What the server answers.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A JSON body with this status.
    Json(u16, String),
    /// An AWS error: `x-amzn-ErrorType` and a JSON body with the message.
    Error(u16, String, String),
    /// A reply that waits this long before it is written.
    Delayed(Duration, Box<Reply>),
    /// A `200` whose `content-length` promises twice the body that comes
    /// before the connection closes.
    CutShort,
    /// An XML body (`text/xml`) with this status and no request id header:
    /// query protocols carry the request id in the body.
    #[allow(dead_code)] // only tests/e2e_query.rs answers with XML
    Xml(u16, String),
    /// A CBOR body (`application/cbor`) with this status.
    #[allow(dead_code)] // only tests/cbor_e2e.rs answers with CBOR
    Cbor(u16, Vec<u8>),
    /// A `200` whose body is these event-stream messages
    /// (`application/vnd.amazon.eventstream`), with these extra headers.
    #[allow(dead_code)] // only tests/e2e_event_stream.rs answers with events
    Events(Vec<(&'static str, String)>, Vec<u8>),
    /// These bytes as they are, whatever they are, then the connection closes.
    Raw(&'static [u8]),
    /// A reply held until the test calls [`Gate::open`] (or, failing that,
    /// `HOLD_LIMIT` passes: then a 500 saying so).
    Held(Arc<Gate>, Box<Reply>),
}

impl Reply {
    pub fn ok(body: impl Into<String>) -> Self {
        Reply::Json(200, body.into())
    }

    pub fn error(status: u16, code: &str, message: &str) -> Self {
        Reply::Error(status, code.to_owned(), message.to_owned())
    }
}

/// Lets a test decide when a held reply goes out.
#[derive(Debug, Default)]
pub struct Gate {
    open: Mutex<bool>,
    changed: Condvar,
}

impl Gate {
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    pub fn open(&self) {
        *self.open.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.changed.notify_all();
    }

    /// Waits for [`Gate::open`]; false if `limit` passed first.
    fn wait(&self, limit: Duration) -> bool {
        let open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let (open, _) = self
            .changed
            .wait_timeout_while(open, limit, |open| !*open)
            .unwrap_or_else(PoisonError::into_inner);
        *open
    }
}

/// How the server's clock differs from the machine's, and what it answers
/// to a request signed too far from it.
#[derive(Clone, Debug)]
pub struct Clock {
    /// Seconds the server's clock is ahead of the machine's (negative: behind).
    pub ahead_secs: i64,
    /// The error code of a signing time out of range.
    pub skew_code: &'static str,
}

impl Default for Clock {
    fn default() -> Self {
        Self {
            ahead_secs: 0,
            skew_code: "RequestTimeTooSkewed",
        }
    }
}

type Handler = dyn Fn(&Seen) -> Reply + Send + Sync;

struct Shared {
    clock: Clock,
    signing: &'static Signing,
    handler: Box<Handler>,
    script: Mutex<VecDeque<Reply>>,
    seen: Mutex<Vec<Seen>>,
    replies: Mutex<Vec<u16>>,
    stop: AtomicBool,
    request_ids: AtomicUsize,
    /// Whether requests must be signed (not for a stand-in of a credentials
    /// endpoint, whose requests are not).
    verify: AtomicBool,
    /// TLS servers: the configuration each connection is served with.
    tls: Option<Arc<rustls::ServerConfig>>,
    /// TLS servers: why each refused handshake failed.
    refused: Mutex<Vec<String>>,
}

/// The running server; dropping it stops it.
pub struct Server {
    endpoint: String,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts a server whose clock is the machine's, answering with `handler`
    /// whatever the script does not answer.
    pub fn start(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Self {
        Self::with_clock(Clock::default(), handler)
    }

    pub fn with_clock(
        clock: Clock,
        handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
    ) -> Self {
        Self::with_signing(&SIGNING, clock, handler)
    }

    /// A server for another service: signatures must be made with `signing`.
    pub fn with_signing(
        signing: &'static Signing,
        clock: Clock,
        handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
    ) -> Self {
        Self::listen(signing, clock, None, handler)
    }

    /// Starts an HTTPS server with `tls` (which may require a client
    /// certificate) that answers with `handler` whether or not a request is
    /// signed: a stand-in for AWS IoT's credentials provider
    /// (tests/credentials.rs).
    #[allow(dead_code)]
    pub fn start_tls(
        tls: Arc<rustls::ServerConfig>,
        handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let server = Self::listen(&SIGNING, Clock::default(), Some(tls), handler);
        server.shared.verify.store(false, Ordering::SeqCst);
        server
    }

    fn listen(
        signing: &'static Signing,
        clock: Clock,
        tls: Option<Arc<rustls::ServerConfig>>,
        handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let scheme = if tls.is_some() { "https" } else { "http" };
        let endpoint = format!("{scheme}://{}", listener.local_addr().unwrap());
        let shared = Arc::new(Shared {
            clock,
            signing,
            handler: Box::new(handler),
            script: Mutex::default(),
            seen: Mutex::default(),
            replies: Mutex::default(),
            stop: AtomicBool::new(false),
            request_ids: AtomicUsize::new(0),
            verify: AtomicBool::new(true),
            tls,
            refused: Mutex::default(),
        });
        let accept = {
            let shared = Arc::clone(&shared);
            thread::spawn(move || {
                for stream in listener.incoming().take(MAX_CONNECTIONS) {
                    if shared.stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let shared = Arc::clone(&shared);
                    thread::spawn(move || accept_connection(&shared, stream));
                }
            })
        };
        Self {
            endpoint,
            shared,
            accept: Some(accept),
        }
    }

    /// Starts a server that answers with `handler` whether or not a request
    /// is signed: a stand-in for instance metadata or a credentials endpoint
    /// (tests/credentials.rs; e2e.rs does not use it).
    #[allow(dead_code)]
    pub fn start_unsigned(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Self {
        let server = Self::start(handler);
        server.shared.verify.store(false, Ordering::SeqCst);
        server
    }

    /// `http://127.0.0.1:<port>` (`https://` for a TLS server).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// TLS servers: why each handshake the server refused failed, oldest first.
    #[allow(dead_code)]
    pub fn refused_handshakes(&self) -> Vec<String> {
        lock(&self.shared.refused).clone()
    }

    /// Queues replies for the next requests, before the handler's turn
    /// (a request with a bad signature or time does not take one).
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        lock(&self.shared.script).extend(replies);
    }

    /// The requests received so far, oldest first.
    pub fn seen(&self) -> Vec<Seen> {
        lock(&self.shared.seen).clone()
    }

    /// The statuses answered so far, in the order replies were written (a
    /// reply whose client is gone counts too).
    pub fn replies(&self) -> Vec<u16> {
        lock(&self.shared.replies).clone()
    }

    /// Panics if any request's signature did not check out.
    pub fn assert_all_signed(&self) {
        for (i, seen) in self.seen().iter().enumerate() {
            if let Err(why) = &seen.signature {
                panic!(
                    "request {i} ({} {}) is not signed right: {why}",
                    seen.method, seen.path
                );
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop, which then sees the flag.
        let address = self.endpoint.split_once("://").map_or("", |(_, a)| a);
        let _ = TcpStream::connect(address);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Serves one connection: over plain HTTP, or after a TLS handshake (whose
/// failure is recorded, with nothing served).
fn accept_connection(shared: &Shared, mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Some(tls) = &shared.tls else {
        serve(shared, &mut stream, 0);
        let _ = stream.shutdown(Shutdown::Both);
        return;
    };
    let Ok(mut connection) = rustls::ServerConnection::new(Arc::clone(tls)) else {
        return;
    };
    while connection.is_handshaking() {
        match connection.complete_io(&mut stream) {
            Ok((0, 0)) => return, // closed before a byte: the wake-up from Drop
            Ok(_) => {}
            Err(e) => {
                // Tell the client why (the alert), then record it.
                let _ = connection.write_tls(&mut stream);
                lock(&shared.refused).push(e.to_string());
                return;
            }
        }
    }
    let certificates = connection.peer_certificates().map_or(0, <[_]>::len);
    let mut tls = rustls::StreamOwned::new(connection, stream);
    serve(shared, &mut tls, certificates);
    tls.conn.send_close_notify();
    let _ = tls.flush();
    let _ = tls.sock.shutdown(Shutdown::Both);
}

fn serve(shared: &Shared, stream: &mut (impl Read + Write), client_certificates: usize) {
    let mut reader = BufReader::new(stream);
    let seen = match read_request(&mut reader) {
        Ok(Some(mut seen)) => {
            seen.signature = verify_signature(&seen, shared.signing);
            seen.client_certificates = client_certificates;
            seen
        }
        Ok(None) => return, // nothing came: the wake-up from Drop, or a client that gave up
        Err(why) => {
            let reply = Reply::error(400, "BadRequest", &why);
            let _ = write_reply(shared, reader.get_mut(), &reply);
            return;
        }
    };
    let writer = reader.get_mut();
    let now = now_secs() + shared.clock.ahead_secs;
    let verify = shared.verify.load(Ordering::SeqCst);
    let reply = match (&seen.signature, seen.signed_at()) {
        (Err(why), _) if verify => Reply::error(403, "InvalidSignatureException", why),
        (Ok(()), Some(at)) if verify && (at - now).abs() > MAX_SKEW_SECS => {
            let message = if at < now {
                format!(
                    "Signature expired: {} is now earlier than {} ({} - 5 min.)",
                    amz_date(at),
                    amz_date(now - MAX_SKEW_SECS),
                    amz_date(now)
                )
            } else {
                format!(
                    "Signature not yet current: {} is still later than {} ({} + 5 min.)",
                    amz_date(at),
                    amz_date(now + MAX_SKEW_SECS),
                    amz_date(now)
                )
            };
            Reply::error(403, shared.clock.skew_code, &message)
        }
        _ => {
            let scripted = lock(&shared.script).pop_front();
            scripted.unwrap_or_else(|| (shared.handler)(&seen))
        }
    };
    lock(&shared.seen).push(seen);
    let _ = write_reply(shared, writer, &reply);
}

/// Reads one request; `Ok(None)` if the connection closed before any byte.
fn read_request(reader: &mut impl BufRead) -> Result<Option<Seen>, String> {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > MAX_HEAD {
            return Err("request head too large".into());
        }
        let mut line = Vec::new();
        let n = reader
            .take((MAX_HEAD + 1) as u64)
            .read_until(b'\n', &mut line)
            .map_err(|e| format!("reading the head: {e}"))?;
        if n == 0 {
            return if head.is_empty() {
                Ok(None)
            } else {
                Err("connection closed in the head".into())
            };
        }
        head.extend_from_slice(&line);
    }
    let head = String::from_utf8(head).map_err(|_| "head is not UTF-8".to_owned())?;
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some("HTTP/1.1"), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(format!("bad request line `{request_line}`"));
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut headers = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("bad header line `{line}`"))?;
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    let mut seen = Seen {
        method: method.to_owned(),
        path: path.to_owned(),
        query: query.to_owned(),
        headers,
        body: Vec::new(),
        signature: Ok(()),
        client_certificates: 0,
    };
    if seen.header("transfer-encoding").is_some() {
        return Err("transfer-encoding is not expected".into());
    }
    let length = match seen.header("content-length") {
        Some(n) => n
            .parse::<usize>()
            .map_err(|_| format!("content-length `{n}`"))?,
        None => 0,
    };
    if length > MAX_BODY {
        return Err("body too large".into());
    }
    seen.body = vec![0; length];
    reader
        .read_exact(&mut seen.body)
        .map_err(|e| format!("reading the body: {e}"))?;
    Ok(Some(seen))
}

fn write_reply(shared: &Shared, out: &mut impl Write, reply: &Reply) -> std::io::Result<()> {
    let mut content_type = "application/json";
    let mut request_id_header = true;
    let mut extra_headers: &[(&str, String)] = &[];
    let (status, error_type, body, cut_short) = match reply {
        Reply::Events(headers, body) => {
            content_type = "application/vnd.amazon.eventstream";
            extra_headers = headers;
            (200, None, body.clone(), false)
        }
        Reply::Json(status, body) => (*status, None, body.clone().into_bytes(), false),
        Reply::Xml(status, body) => {
            content_type = "text/xml";
            request_id_header = false;
            (*status, None, body.clone().into_bytes(), false)
        }
        Reply::Cbor(status, body) => {
            content_type = "application/cbor";
            (*status, None, body.clone(), false)
        }
        Reply::Error(status, code, message) => (
            *status,
            Some(code.as_str()),
            serde_json::json!({ "message": message })
                .to_string()
                .into_bytes(),
            false,
        ),
        Reply::Delayed(delay, reply) => {
            thread::sleep(*delay);
            return write_reply(shared, out, reply);
        }
        Reply::Held(gate, reply) => {
            if gate.wait(HOLD_LIMIT) {
                return write_reply(shared, out, reply);
            }
            let why = "the test never released the held reply (was its runtime blocked?)";
            return write_reply(shared, out, &Reply::error(500, "HeldTooLong", why));
        }
        Reply::Raw(bytes) => {
            out.write_all(bytes)?;
            return out.flush();
        }
        Reply::CutShort => (
            200,
            None,
            br#"{"execution": {"jobId": "job-1", "status": "QUEUED"}}"#.to_vec(),
            true,
        ),
    };
    let request_id = shared.request_ids.fetch_add(1, Ordering::SeqCst);
    let length = if cut_short {
        body.len() * 2
    } else {
        body.len()
    };
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\ncontent-type: {content_type}\r\ncontent-length: {length}\r\n\
         date: {}\r\nconnection: close\r\n",
        reason(status),
        http_date(now_secs() + shared.clock.ahead_secs),
    );
    if request_id_header {
        head.push_str(&format!("x-amzn-RequestId: req-{request_id}\r\n"));
    }
    for (name, value) in extra_headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(code) = error_type {
        head.push_str(&format!(
            "x-amzn-ErrorType: {code}:http://internal.amazon.com/coral/com.amazonaws.iot/\r\n"
        ));
    }
    head.push_str("\r\n");
    lock(&shared.replies).push(status);
    out.write_all(head.as_bytes())?;
    if cut_short {
        out.write_all(&body[..body.len() / 2])?;
    } else {
        out.write_all(&body)?;
    }
    out.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

// --- SigV4, worked out here from the request as received ---

type HmacSha256 = Hmac<Sha256>;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// SigV4's URI encoding: everything but `A-Za-z0-9-_.~` as `%XX`.
fn uri_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes.
pub fn percent_decode(s: &str) -> Result<Vec<u8>, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .ok_or_else(|| format!("truncated escape in `{s}`"))?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| format!("bad escape in `{s}`"))?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

fn verify_signature(seen: &Seen, signing: &Signing) -> Result<(), String> {
    let Signing {
        access_key,
        secret_key,
        region,
        service,
    } = signing;
    let authorization = seen
        .header("authorization")
        .ok_or("no authorization header")?;
    let rest = authorization
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or("not AWS4-HMAC-SHA256")?;
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(", ") {
        match part.split_once('=') {
            Some(("Credential", v)) => credential = Some(v),
            Some(("SignedHeaders", v)) => signed_headers = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => return Err(format!("unexpected authorization part `{part}`")),
        }
    }
    let (credential, signed_headers, signature) = match (credential, signed_headers, signature) {
        (Some(c), Some(h), Some(s)) => (c, h, s),
        _ => return Err(format!("incomplete authorization `{authorization}`")),
    };
    let amz_date = seen.header("x-amz-date").ok_or("no x-amz-date")?;
    if parse_amz_date(&amz_date).is_none() {
        return Err(format!("bad x-amz-date `{amz_date}`"));
    }
    let scope = format!("{}/{region}/{service}/aws4_request", &amz_date[..8]);
    if credential != format!("{access_key}/{scope}") {
        return Err(format!(
            "credential `{credential}`, expected `{access_key}/{scope}`"
        ));
    }
    let names: Vec<&str> = signed_headers.split(';').collect();
    for required in ["host", "x-amz-date"] {
        if !names.contains(&required) {
            return Err(format!("`{required}` is not signed"));
        }
    }
    for (name, _) in &seen.headers {
        let must_sign = name == "content-type" || name == "x-amz-security-token";
        if must_sign && !names.contains(&name.as_str()) {
            return Err(format!("`{name}` is sent but not signed"));
        }
    }
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted != names {
        return Err(format!(
            "signed headers `{signed_headers}` are not sorted and unique"
        ));
    }

    // The path is signed encoded a second time, segment by segment.
    let canonical_path = seen
        .path
        .split('/')
        .map(|segment| uri_encode(segment.as_bytes()))
        .collect::<Vec<_>>()
        .join("/");
    let mut pairs = Vec::new();
    for pair in seen.query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        pairs.push((
            uri_encode(&percent_decode(key)?),
            uri_encode(&percent_decode(value)?),
        ));
    }
    pairs.sort();
    let canonical_query = pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let mut canonical_headers = String::new();
    for name in &names {
        let value = seen
            .header(name)
            .ok_or_else(|| format!("signed header `{name}` is not sent"))?;
        let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
        canonical_headers.push_str(&format!("{name}:{value}\n"));
    }
    let canonical_request = format!(
        "{}\n{canonical_path}\n{canonical_query}\n{canonical_headers}\n{signed_headers}\n{}",
        seen.method,
        hex(&Sha256::digest(&seen.body))
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let key = [&amz_date[..8], region, service, "aws4_request"]
        .iter()
        .fold(format!("AWS4{secret_key}").into_bytes(), |key, part| {
            hmac(&key, part)
        });
    let expected = hex(&hmac(&key, &string_to_sign));
    if signature == expected {
        Ok(())
    } else {
        Err(format!(
            "signature {signature}, expected {expected} for canonical request:\n{canonical_request}"
        ))
    }
}

// --- Dates, worked out here too ---

pub fn now_secs() -> i64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    since.as_secs() as i64
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Year, month, day of days since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `20140429T183038Z` as seconds since the epoch.
pub fn parse_amz_date(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    let days = days_from_civil(num(0..4)?, num(4..6)?, num(6..8)?);
    Some(days * 86_400 + num(9..11)? * 3600 + num(11..13)? * 60 + num(13..15)?)
}

fn amz_date(secs: i64) -> String {
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// IMF-fixdate, as in a `Date` header.
fn http_date(secs: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = secs.div_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let s = secs.rem_euclid(86_400);
    format!(
        "{}, {day:02} {} {year:04} {:02}:{:02}:{:02} GMT",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(month - 1) as usize],
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

#[test]
fn server_dates_match_known_values() {
    assert_eq!(http_date(1_398_796_238), "Tue, 29 Apr 2014 18:30:38 GMT");
    assert_eq!(http_date(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT");
    assert_eq!(amz_date(1_398_796_238), "20140429T183038Z");
    assert_eq!(parse_amz_date("20140429T183038Z"), Some(1_398_796_238));
    assert_eq!(parse_amz_date("20000229T000000Z"), Some(951_782_400));
    assert_eq!(parse_amz_date("2014-04-29T18:30:38Z"), None);
}

/// The server's own signature check, on a case of the official suite
/// (`get-vanilla-query-order-key-case`), so that a mistake in it cannot make
/// the end-to-end tests agree with a wrong signer.
#[test]
fn server_signature_check_passes_a_suite_case_and_fails_a_changed_one() {
    let suite = Signing {
        access_key: "AKIDEXAMPLE",
        secret_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        region: "us-east-1",
        service: "service",
    };
    let mut seen = Seen {
        method: "GET".into(),
        path: "/".into(),
        query: "Param2=value2&Param1=value1".into(),
        headers: vec![
            ("host".into(), "example.amazonaws.com".into()),
            ("x-amz-date".into(), "20150830T123600Z".into()),
            (
                "authorization".into(),
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
                 SignedHeaders=host;x-amz-date, \
                 Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
                    .into(),
            ),
        ],
        body: Vec::new(),
        signature: Ok(()),
        client_certificates: 0,
    };
    assert_eq!(verify_signature(&seen, &suite), Ok(()));
    seen.query = "Param2=value2&Param1=value0".into();
    let err = verify_signature(&seen, &suite).unwrap_err();
    assert!(err.contains("\nParam1=value0&Param2=value2\n"), "{err}");
    assert!(verify_signature(&seen, &SIGNING).is_err());
}
