//! Test doubles: in-memory transports (canned responses, recorded
//! requests; or one response for every request) and a sleep that does not
//! wait.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;

use crate::sleep::{AsyncSleep, SleepFuture};
use crate::transport::{
    ConnectorError, ConnectorErrorKind, HttpClient, HttpFuture, HttpRequest, HttpResponse,
};

/// A transport that answers each request with the next queued response and
/// records the requests, so a test can check exactly what was sent.
///
/// Clones share the queue and the record.
///
/// ```
/// use sdk_runtime::testing::ReplayClient;
///
/// let client = ReplayClient::new();
/// client.push_response(200, r#"{"ok":true}"#);
/// assert_eq!(client.requests().len(), 0);
/// ```
#[derive(Clone, Debug, Default)]
pub struct ReplayClient {
    state: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    responses: VecDeque<Result<HttpResponse, ConnectorError>>,
    requests: Vec<HttpRequest>,
}

impl ReplayClient {
    /// A client with nothing queued.
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A test that panicked while holding the lock left consistent data.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues a response with `status` and `body`.
    ///
    /// # Panics
    ///
    /// If `status` is not a valid HTTP status code (100 to 999).
    pub fn push_response(&self, status: u16, body: impl Into<Bytes>) {
        let response = http::Response::builder()
            .status(status)
            .body(body.into())
            .expect("a status code and a body make a valid response");
        self.push(response);
    }

    /// Queues a complete response.
    pub fn push(&self, response: HttpResponse) {
        self.state().responses.push_back(Ok(response));
    }

    /// Queues a transport failure.
    pub fn push_failure(&self, error: ConnectorError) {
        self.state().responses.push_back(Err(error));
    }

    /// The requests sent so far, oldest first.
    pub fn requests(&self) -> Vec<HttpRequest> {
        self.state().requests.clone()
    }

    /// The last request sent.
    pub fn last_request(&self) -> Option<HttpRequest> {
        self.state().requests.last().cloned()
    }
}

impl HttpClient for ReplayClient {
    fn send(&self, request: HttpRequest) -> HttpFuture<'_> {
        let mut state = self.state();
        state.requests.push(request);
        let next = state.responses.pop_front().unwrap_or_else(|| {
            Err(ConnectorError::new(
                ConnectorErrorKind::Other,
                "ReplayClient has no response queued",
            ))
        });
        Box::pin(std::future::ready(next))
    }
}

/// A transport that answers every request with a clone of one response,
/// recording nothing.
///
/// For benchmarks and load tests, where [`ReplayClient`]'s queue and record
/// would grow with every call: sending costs one clone of the response (its
/// body is shared, not copied) and nothing else.
///
/// ```
/// use sdk_runtime::transport::HttpClient;
/// use sdk_runtime::testing::{response, StaticClient};
///
/// let client = StaticClient::new(response(200, &[], r#"{"ok":true}"#));
/// let request = http::Request::builder().uri("/x").body(bytes::Bytes::new()).unwrap();
/// let reply = sdk_runtime::block_on::block_on(client.send(request)).unwrap();
/// assert_eq!(reply.body(), r#"{"ok":true}"#);
/// ```
#[derive(Clone, Debug)]
pub struct StaticClient {
    response: HttpResponse,
}

impl StaticClient {
    /// A client that answers every request with `response`.
    pub fn new(response: HttpResponse) -> Self {
        Self { response }
    }
}

impl HttpClient for StaticClient {
    fn send(&self, _request: HttpRequest) -> HttpFuture<'_> {
        Box::pin(std::future::ready(Ok(self.response.clone())))
    }
}

/// A response with `status`, `headers` and `body`, to queue on a
/// [`ReplayClient`] or to parse.
///
/// # Panics
///
/// If `status` is not a valid HTTP status code (100 to 999) or a header
/// name or value is not valid.
pub fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    let mut builder = http::Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder
        .body(Bytes::copy_from_slice(body.as_bytes()))
        .expect("a status code, headers and a body make a valid response")
}

/// A sleep that returns at once and records how long it was asked to wait,
/// so tests of retries run fast and can check the backoff.
///
/// Clones share the record.
///
/// ```
/// use std::time::Duration;
/// use sdk_runtime::sleep::AsyncSleep;
/// use sdk_runtime::testing::InstantSleep;
///
/// let sleep = InstantSleep::new();
/// sdk_runtime::block_on::block_on(sleep.sleep(Duration::from_secs(20)));
/// assert_eq!(sleep.durations(), [Duration::from_secs(20)]);
/// ```
#[derive(Clone, Debug, Default)]
pub struct InstantSleep {
    durations: Arc<Mutex<Vec<Duration>>>,
}

impl InstantSleep {
    /// A sleep with nothing recorded.
    pub fn new() -> Self {
        Self::default()
    }

    /// The waits asked for so far, oldest first.
    pub fn durations(&self) -> Vec<Duration> {
        self.durations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl AsyncSleep for InstantSleep {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        self.durations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(duration);
        Box::pin(std::future::ready(()))
    }
}

/// What a serialized request must look like, as protocol test suites state it.
#[derive(Clone, Debug, Default)]
pub struct ExpectedRequest<'a> {
    /// The method.
    pub method: &'a str,
    /// Path and query; the query is compared as a multiset of `key=value` pairs.
    pub uri: &'a str,
    /// Headers that must have exactly these values (names compared without case).
    pub headers: &'a [(&'a str, &'a str)],
    /// Headers that must be absent.
    pub forbid_headers: &'a [&'a str],
    /// Headers that must be present, whatever their value, in the request
    /// as it is signed and sent: the serializer's, framed by
    /// [`crate::operation::frame`] (its `Content-Length`). Every other
    /// expectation is of the serializer's request, as botocore's runner
    /// checks it (which does not read these).
    pub require_headers: &'a [&'a str],
    /// The body, if the case states one: when the request is form-encoded
    /// (`Content-Type: application/x-www-form-urlencoded`), compared as a
    /// multiset of decoded `key=value` pairs; else as JSON when both sides
    /// parse as JSON; else (feature `xml`) as XML trees when both sides
    /// parse as XML; else byte for byte.
    pub body: Option<&'a [u8]>,
    /// The host (with any host prefix), if the case states one.
    pub host: Option<&'a str>,
    /// Headers that carry lists: their items may be joined with `,` or
    /// `, ` (suites written by hand use the one, Smithy's the other), so both
    /// sides are compared with `, ` read as `,`.
    pub list_headers: &'a [&'a str],
    /// Whether the body is CBOR (feature `cbor`): then it is compared by
    /// decoded value, whatever the lengths' and numbers' encodings.
    pub cbor_body: bool,
}

/// Compares `request`, as the serializer made it, with `expected`; the
/// error lists every difference.
pub fn check_request(request: &HttpRequest, expected: &ExpectedRequest<'_>) -> Result<(), String> {
    let mut problems = Vec::new();
    if request.method().as_str() != expected.method {
        problems.push(format!(
            "method: expected {}, got {}",
            expected.method,
            request.method()
        ));
    }
    let (path, query) = split_uri(expected.uri);
    let actual_path = request.uri().path();
    if actual_path != path {
        problems.push(format!("path: expected `{path}`, got `{actual_path}`"));
    }
    let mut expected_pairs = query_pairs(query);
    let mut actual_pairs = query_pairs(request.uri().query().unwrap_or(""));
    expected_pairs.sort();
    actual_pairs.sort();
    if expected_pairs != actual_pairs {
        problems.push(format!(
            "query: expected {expected_pairs:?}, got {actual_pairs:?}"
        ));
    }
    for (name, value) in expected.headers {
        let actual: Vec<&str> = request
            .headers()
            .get_all(*name)
            .iter()
            .map(|v| v.to_str().unwrap_or("(not text)"))
            .collect();
        let is_list = expected
            .list_headers
            .iter()
            .any(|list| list.eq_ignore_ascii_case(name));
        let same = if is_list {
            actual.join(",").replace(", ", ",") == value.replace(", ", ",")
        } else if name.eq_ignore_ascii_case("content-type") {
            same_media_type(&actual.join(", "), value)
        } else {
            actual.join(", ") == *value
        };
        if !same {
            problems.push(format!(
                "header `{name}`: expected `{value}`, got {actual:?}"
            ));
        }
    }
    for name in expected.forbid_headers {
        if request.headers().contains_key(*name) {
            problems.push(format!("header `{name}` must be absent"));
        }
    }
    // The headers as sent: the serializer's, framed as the pipeline frames them.
    let mut sent = request.headers().clone();
    if let Some(length) = crate::operation::framed_length(request) {
        sent.insert(http::header::CONTENT_LENGTH, length);
    }
    for name in expected.require_headers {
        if !sent.contains_key(*name) {
            problems.push(format!("header `{name}` must be present"));
        }
    }
    if let Some(body) = expected.body {
        let form = request
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';').next().is_some_and(|media| {
                    media
                        .trim()
                        .eq_ignore_ascii_case("application/x-www-form-urlencoded")
                })
            });
        let problem = if form {
            compare_forms(body, request.body())
        } else {
            compare_bodies(body, request.body(), expected.cbor_body)
        };
        if let Some(problem) = problem {
            problems.push(problem);
        }
    }
    if let Some(host) = expected.host {
        let actual = request.uri().authority().map_or("", |a| a.as_str());
        if actual != host {
            problems.push(format!("host: expected `{host}`, got `{actual}`"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// Whether two `Content-Type` values are the same media type: UTF-8 is the
/// charset of every text body here, so `; charset=utf-8` on one side only
/// (botocore states it, Smithy's suites do not) is no difference.
fn same_media_type(actual: &str, expected: &str) -> bool {
    let normal = |value: &str| -> Vec<String> {
        value
            .split(';')
            .map(|part| part.trim().to_ascii_lowercase())
            .filter(|part| part.replace(' ', "") != "charset=utf-8")
            .collect()
    };
    normal(actual) == normal(expected)
}

/// Whether two XML bodies are the same tree (`None` when either is not
/// XML): names, attributes as a set (namespace declarations included),
/// children as a multiset (so map entries match in any order), text
/// without surrounding white space.
#[cfg(feature = "xml")]
fn same_xml(expected: &[u8], actual: &[u8]) -> Option<bool> {
    use crate::protocol::xml::{parse, Element};
    fn same(a: &Element, b: &Element) -> bool {
        let attributes = |e: &Element| {
            let mut all: Vec<(String, String)> = e
                .attribute_pairs()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            all.sort();
            all
        };
        a.qualified_name() == b.qualified_name()
            && attributes(a) == attributes(b)
            && a.text().trim() == b.text().trim()
            && a.children().len() == b.children().len()
            && {
                // Map entries come from `HashMap`s, whose order is no part
                // of the value: children are compared as a multiset.
                let mut unmatched: Vec<&Element> = b.children().iter().collect();
                a.children()
                    .iter()
                    .all(|x| match unmatched.iter().position(|y| same(x, y)) {
                        Some(i) => {
                            unmatched.remove(i);
                            true
                        }
                        None => false,
                    })
            }
    }
    Some(same(&parse(expected).ok()?, &parse(actual).ok()?))
}

#[cfg(not(feature = "xml"))]
fn same_xml(_expected: &[u8], _actual: &[u8]) -> Option<bool> {
    None
}

#[cfg(feature = "cbor")]
fn compare_cbor(expected: &[u8], actual: &[u8]) -> Option<String> {
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let both = || format!("expected `{}`, got `{}`", hex(expected), hex(actual));
    let same = match (expected.is_empty(), actual.is_empty()) {
        (true, true) => Ok(true),
        (true, false) | (false, true) => Ok(false),
        _ => crate::protocol::cbor::same_value(expected, actual),
    };
    match same {
        Ok(true) => None,
        Ok(false) => Some(format!("body: {} (CBOR, in hex)", both())),
        Err(error) => Some(format!("body: {error} ({})", both())),
    }
}

#[cfg(not(feature = "cbor"))]
fn compare_cbor(_expected: &[u8], _actual: &[u8]) -> Option<String> {
    Some("body: a CBOR body is compared only with the runtime's `cbor` feature".to_owned())
}

fn split_uri(uri: &str) -> (&str, &str) {
    uri.split_once('?').unwrap_or((uri, ""))
}

fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) => (key.to_owned(), value.to_owned()),
            None => (pair.to_owned(), String::new()),
        })
        .collect()
}

/// The decoded pairs of a form-encoded body (`+` is a space), sorted: what
/// an awsQuery or EC2 request says, whatever the order it says it in. Bytes
/// that are not UTF-8 become U+FFFD, so they never equal a pair a test expects.
///
/// ```
/// use sdk_runtime::testing::form_pairs;
///
/// let pairs = form_pairs(b"Version=2011-06-15&Action=AssumeRole&RoleSessionName=a+b%2Fc");
/// assert_eq!(pairs[0], ("Action".to_owned(), "AssumeRole".to_owned()));
/// assert_eq!(pairs[1], ("RoleSessionName".to_owned(), "a b/c".to_owned()));
/// ```
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    let decode = |text: &str| {
        percent_encoding::percent_decode_str(&text.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    let mut pairs: Vec<(String, String)> = String::from_utf8_lossy(body)
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) => (decode(key), decode(value)),
            None => (decode(pair), String::new()),
        })
        .collect();
    pairs.sort();
    pairs
}

/// Pairs with the index of every map entry (`Key.entry.N.`) replaced by
/// `N`, sorted: maps are `HashMap`s, whose entries have no order to compare
/// (smithy-rs's protocol-test crate compares form bodies the same way).
fn without_entry_order(pairs: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = pairs
        .iter()
        .map(|(key, value)| {
            let segments: Vec<&str> = key.split('.').collect();
            let renamed: Vec<&str> = segments
                .iter()
                .enumerate()
                .map(|(i, segment)| {
                    let numbered =
                        !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit());
                    if numbered && i > 0 && segments[i - 1] == "entry" {
                        "N"
                    } else {
                        segment
                    }
                })
                .collect();
            (renamed.join("."), value.clone())
        })
        .collect();
    out.sort();
    out
}

fn compare_forms(expected: &[u8], actual: &[u8]) -> Option<String> {
    let (expected_pairs, actual_pairs) = (form_pairs(expected), form_pairs(actual));
    let same = expected_pairs == actual_pairs
        || without_entry_order(&expected_pairs) == without_entry_order(&actual_pairs);
    (!same).then(|| {
        let only = |a: &[(String, String)], b: &[(String, String)]| {
            a.iter()
                .filter(|p| !b.contains(p))
                .cloned()
                .collect::<Vec<_>>()
        };
        format!(
            "form body: expected `{}`, got `{}` (missing {:?}, unexpected {:?})",
            String::from_utf8_lossy(expected),
            String::from_utf8_lossy(actual),
            only(&expected_pairs, &actual_pairs),
            only(&actual_pairs, &expected_pairs),
        )
    })
}

fn compare_bodies(expected: &[u8], actual: &[u8], cbor: bool) -> Option<String> {
    if cbor {
        return compare_cbor(expected, actual);
    }
    let as_json = |bytes: &[u8]| serde_json::from_slice::<serde_json::Value>(bytes).ok();
    let equal = match (as_json(expected), as_json(actual)) {
        (Some(expected), Some(actual)) => expected == actual,
        _ => same_xml(expected, actual).unwrap_or(expected == actual),
    };
    (!equal).then(|| {
        format!(
            "body: expected `{}`, got `{}`",
            String::from_utf8_lossy(expected),
            String::from_utf8_lossy(actual)
        )
    })
}

/// Asks a provider for credentials on this thread, with the default
/// context (crate tests only).
#[cfg(test)]
pub(crate) trait ProvideNow: crate::credentials::ProvideCredentials {
    fn provide_now(
        &self,
    ) -> Result<crate::credentials::Credentials, crate::credentials::CredentialsError> {
        crate::block_on::block_on(
            self.provide_credentials(&crate::credentials::ProviderContext::default()),
        )
    }
}

#[cfg(test)]
impl<T: crate::credentials::ProvideCredentials + ?Sized> ProvideNow for T {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block_on::block_on;

    #[test]
    fn replays_in_order_and_records() {
        let client = ReplayClient::new();
        client.push_response(200, "one");
        client.push_response(500, "two");
        let request = || {
            http::Request::builder()
                .uri("/x")
                .body(Bytes::new())
                .unwrap()
        };
        let first = block_on(client.send(request())).unwrap();
        let second = block_on(client.send(request())).unwrap();
        assert_eq!(first.body(), "one");
        assert_eq!(second.status(), 500);
        let third = block_on(client.send(request())).unwrap_err();
        assert_eq!(third.kind(), ConnectorErrorKind::Other);
        assert_eq!(client.requests().len(), 3);
    }

    #[test]
    fn static_client_answers_every_request_alike() {
        let body = Bytes::from_static(b"{}");
        let client = StaticClient::new(response(201, &[("x-amzn-RequestId", "r-1")], "{}"));
        for path in ["/a", "/b", "/c"] {
            let request = http::Request::builder()
                .uri(path)
                .body(Bytes::new())
                .unwrap();
            let reply = block_on(client.send(request)).unwrap();
            assert_eq!(reply.status(), 201);
            assert_eq!(reply.headers()["x-amzn-requestid"], "r-1");
            assert_eq!(reply.body(), &body);
        }
    }

    #[test]
    fn check_request_reports_every_difference() {
        let request = http::Request::builder()
            .method("POST")
            .uri("https://foo.example.com/p?b=2&a=1&a=0")
            .header("x-a", "1")
            .header("x-forbidden", "1")
            .body(Bytes::from_static(br#"{"k": [1, 2]}"#))
            .unwrap();
        let good = ExpectedRequest {
            method: "POST",
            uri: "/p?a=0&a=1&b=2",
            headers: &[("X-A", "1")],
            require_headers: &["x-forbidden"],
            body: Some(br#"{"k":[1,2]}"#),
            host: Some("foo.example.com"),
            ..Default::default()
        };
        assert_eq!(check_request(&request, &good), Ok(()));
        let bad = ExpectedRequest {
            method: "GET",
            uri: "/q?a=1",
            headers: &[("x-a", "2")],
            forbid_headers: &["x-forbidden"],
            require_headers: &["x-missing"],
            body: Some(b"{}"),
            host: Some("example.com"),
            list_headers: &[],
            cbor_body: false,
        };
        let problems = check_request(&request, &bad).unwrap_err();
        for part in [
            "method",
            "path",
            "query",
            "header `x-a`",
            "must be absent",
            "must be present",
            "body",
            "host",
        ] {
            assert!(problems.contains(part), "{part} missing from {problems}");
        }
    }

    #[test]
    fn framing_is_required_of_the_sent_request_and_forbidden_of_the_serializers() {
        let with_body = |body: &'static [u8]| {
            http::Request::builder()
                .method("POST")
                .uri("https://foo.example.com/p")
                .body(Bytes::from_static(body))
                .unwrap()
        };
        let require = ExpectedRequest {
            method: "POST",
            uri: "/p",
            require_headers: &["Content-Length"],
            ..Default::default()
        };
        let forbid = ExpectedRequest {
            method: "POST",
            uri: "/p",
            forbid_headers: &["Content-Length"],
            ..Default::default()
        };
        // A body: the pipeline frames it, and the serializer did not.
        assert_eq!(check_request(&with_body(b"1234"), &require), Ok(()));
        assert_eq!(check_request(&with_body(b"1234"), &forbid), Ok(()));
        // No body: nothing frames it.
        let problems = check_request(&with_body(b""), &require).unwrap_err();
        assert!(
            problems.contains("`Content-Length` must be present"),
            "{problems}"
        );
        // A serializer that framed the body itself breaks the forbidding case.
        let mut framed = with_body(b"1234");
        crate::operation::frame(&mut framed);
        assert_eq!(framed.headers()["content-length"], "4");
        assert!(check_request(&framed, &forbid).is_err());
    }

    #[test]
    fn form_bodies_compare_as_pairs_and_media_types_without_charset() {
        let request = http::Request::builder()
            .method("POST")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Bytes::from_static(
                b"Action=Op&A.entry.1.key=b&A.entry.1.value=2&A.entry.2.key=a&A.entry.2.value=1&L.1=x&L.2=y%20z",
            ))
            .unwrap();
        let check = |content_type: &'static str, body: &'static [u8]| {
            check_request(
                &request,
                &ExpectedRequest {
                    method: "POST",
                    uri: "/",
                    headers: &[("Content-Type", content_type)],
                    body: Some(body),
                    ..Default::default()
                },
            )
        };
        let same = b"L.2=y+z&L.1=x&Action=Op&A.entry.1.key=a&A.entry.1.value=1&A.entry.2.key=b&A.entry.2.value=2";
        assert_eq!(
            check("application/x-www-form-urlencoded; charset=utf-8", same),
            Ok(())
        );
        // List order is compared; map entry order is not.
        let swapped = b"L.1=y z&L.2=x&Action=Op&A.entry.1.key=a&A.entry.1.value=1&A.entry.2.key=b&A.entry.2.value=2";
        let problems = check("application/x-www-form-urlencoded", swapped).unwrap_err();
        assert!(problems.contains("form body"), "{problems}");
        let problems = check("text/plain", same).unwrap_err();
        assert!(problems.contains("Content-Type"), "{problems}");
    }

    #[test]
    fn list_headers_compare_with_either_separator() {
        let request = http::Request::builder()
            .header("x-list", "a,b")
            .header(
                "x-date-list",
                "Mon, 16 Dec 2019 23:48:18 GMT, Tue, 17 Dec 2019 23:48:18 GMT",
            )
            .header("x-text", "a,b")
            .body(Bytes::new())
            .unwrap();
        let headers = |text: &'static str| {
            [
                ("x-list", "a, b"),
                (
                    "x-date-list",
                    "Mon, 16 Dec 2019 23:48:18 GMT,Tue, 17 Dec 2019 23:48:18 GMT",
                ),
                ("x-text", text),
            ]
        };
        let check = |headers: &[(&str, &str)]| {
            check_request(
                &request,
                &ExpectedRequest {
                    method: "GET",
                    uri: "/",
                    headers,
                    list_headers: &["X-List", "x-date-list"],
                    ..Default::default()
                },
            )
        };
        assert_eq!(check(&headers("a,b")), Ok(()));
        // Only list headers are normalised.
        let problems = check(&headers("a, b")).unwrap_err();
        assert!(problems.contains("header `x-text`"), "{problems}");
        assert!(!problems.contains("x-list"), "{problems}");
    }
}
