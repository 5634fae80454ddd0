//! The runtime's parsers against hostile input: seeded, bounded randomized
//! tests in-process (no fuzzing toolchain needed). Each parser gets
//! thousands of inputs, mutated from valid ones and made of bytes that
//! parsers trip on; a panic fails the test and names the input. What the
//! parsers return is not checked here (their own tests do that): only that
//! they return.

use std::panic::{self, AssertUnwindSafe};

use http::header::{HeaderMap, HeaderName, HeaderValue};

use crate::protocol::json;
use crate::protocol::rest::{headers, param::FromParam, uri};
use crate::protocol::rest_json;
use crate::value::{Blob, DateTime, Document, TimestampFormat};

/// splitmix64: small, seeded, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Fragments parsers treat specially: signs, separators, quotes, escapes,
/// extreme numbers, multi-byte and control characters.
const TOKENS: &[&str] = &[
    "-",
    "+",
    ".",
    ",",
    ":",
    ";",
    "=",
    "\"",
    "\\",
    "[",
    "]",
    "{",
    "}",
    "#",
    "%",
    "%2",
    "%zz",
    "/",
    "?",
    "&",
    " ",
    "\t",
    "\r",
    "\n",
    "\0",
    "e",
    "E",
    "T",
    "Z",
    "z",
    "GMT",
    "NaN",
    "Infinity",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "18446744073709551616",
    "99999999999999999999999",
    "1e308",
    "1e-400",
    "0",
    "00",
    "9",
    "59",
    "60",
    "24",
    "9999",
    "0000",
    "é",
    "٣",
    "①",
    "\u{feff}",
    "\u{2028}",
    "\u{10ffff}",
    "\u{7f}",
    "null",
    "true",
    "[]",
    "{}",
];

/// `seed` with a few random edits: insert, delete, replace, repeat, or
/// change a digit (numbers at the edge of a range sit one digit away).
fn mutate(rng: &mut Rng, seed: &str) -> String {
    let mut chars: Vec<char> = seed.chars().collect();
    for _ in 0..=rng.below(4) {
        let at = match rng.below(4) {
            0 => chars.len(),
            _ => rng.below(chars.len() + 1),
        };
        match rng.below(6) {
            5 => {
                let digits: Vec<usize> = (0..chars.len())
                    .filter(|&i| chars[i].is_ascii_digit())
                    .collect();
                if !digits.is_empty() {
                    let i = digits[rng.below(digits.len())];
                    chars[i] = char::from(b'0' + rng.below(10) as u8);
                }
            }
            0 | 1 => {
                let token: Vec<char> = rng.pick(TOKENS).chars().collect();
                chars.splice(at..at, token);
            }
            2 if at < chars.len() => {
                let end = (at + 1 + rng.below(4)).min(chars.len());
                chars.drain(at..end);
            }
            3 if at < chars.len() => {
                chars[at] = char::from_u32(rng.next() as u32 % 0x300).unwrap_or('?');
            }
            _ => {
                let end = (at + rng.below(8)).min(chars.len());
                let piece: Vec<char> = chars[at..end].to_vec();
                for _ in 0..rng.below(3) {
                    chars.splice(at..at, piece.iter().copied());
                }
            }
        }
    }
    chars.into_iter().collect()
}

/// An input for a parser: a mutation of one of `seeds`, or now and then
/// random tokens alone.
fn input(rng: &mut Rng, seeds: &[&str]) -> String {
    if rng.below(8) == 0 {
        (0..rng.below(12)).map(|_| *rng.pick(TOKENS)).collect()
    } else {
        let seed: &str = seeds[rng.below(seeds.len())];
        mutate(rng, seed)
    }
}

/// Runs `parse` on `cases` inputs; a panic fails with the seed and input.
fn survive(name: &str, seed: u64, cases: usize, seeds: &[&str], parse: impl Fn(&str)) {
    let mut rng = Rng(seed);
    for case in 0..cases {
        let text = input(&mut rng, seeds);
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| parse(&text)));
        assert!(
            outcome.is_ok(),
            "{name} panicked on case {case} (seed {seed}): {text:?}"
        );
    }
}

const TIMESTAMPS: &[&str] = &[
    "1398796238",
    "1398796238.123",
    "-1.5",
    "-9223372036854775808",
    "-9223372036854775807.5",
    "9223372036854775807.999999999",
    "2014-04-29T18:30:38Z",
    "2014-04-29T18:30:38.123456789+01:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:60-23:59",
    "Tue, 29 Apr 2014 18:30:38 GMT",
    "Fri, 31 Dec 9999 23:59:59.999 GMT",
    "Mon, 01 Jan 1900 00:00:00 GMT",
];

#[test]
fn timestamps() {
    let formats = [
        TimestampFormat::EpochSeconds,
        TimestampFormat::DateTime,
        TimestampFormat::HttpDate,
    ];
    survive("DateTime::parse", 1, 30_000, TIMESTAMPS, |text| {
        for format in formats {
            if let Ok(time) = DateTime::parse(text, format) {
                // Whatever parses can be written and converted.
                for format in formats {
                    let _ = time.fmt(format);
                }
                let _ = std::time::SystemTime::try_from(time);
            }
        }
    });
    let mut rng = Rng(2);
    for _ in 0..30_000 {
        let (seconds, nanos) = (rng.next() as i64, rng.next() as u32);
        if let Some(time) = DateTime::from_secs_and_nanos(seconds, nanos) {
            for format in formats {
                let _ = DateTime::parse(&time.fmt(format), format);
            }
        }
        let _ = DateTime::from_secs_f64(f64::from_bits(rng.next()));
        let _ = DateTime::from_millis(rng.next() as i64);
    }
}

/// A header map of `text` under a few names, skipping what `http` refuses.
fn header_map(text: &str) -> HeaderMap {
    let mut map = HeaderMap::new();
    let Ok(value) = HeaderValue::from_str(text) else {
        return map;
    };
    for name in ["x-a", "x-a", "x-meta-one", "x-meta-", "date"] {
        map.append(HeaderName::from_static(name), value.clone());
    }
    map
}

#[test]
fn header_values() {
    let seeds = [
        "a, b, \"c, d\", \"e \\\" f\"",
        "\"\", ,,",
        "1, 2, -3",
        "true,false",
        "1.5, NaN, -Infinity",
        "Tue, 29 Apr 2014 18:30:38 GMT, Wed, 30 Apr 2014 18:30:38 GMT",
        "1398796238, 1398796238.5",
        "2014-04-29T18:30:38Z, 2014-04-29T18:30:38Z",
        "eyJhIjogMX0=",
        "dHJ1ZQ==",
    ];
    survive("headers", 3, 20_000, &seeds, |text| {
        let _ = headers::split_list(text);
        let header_map = header_map(text);
        let map = headers::HeaderIndex::new(&header_map);
        let _ = headers::read::<String>(&map, "x-a", "M");
        let _ = headers::read::<i32>(&map, "x-a", "M");
        let _ = headers::read::<f64>(&map, "x-a", "M");
        let _ = headers::read::<bool>(&map, "x-a", "M");
        let _ = headers::read::<Blob>(&map, "x-a", "M");
        let _ = headers::read_list::<i64>(&map, "x-a", "M");
        let _ = headers::read_list::<String>(&map, "x-a", "M");
        for format in [
            TimestampFormat::EpochSeconds,
            TimestampFormat::DateTime,
            TimestampFormat::HttpDate,
        ] {
            let _ = headers::read_timestamp(&map, "x-a", "M", format);
            let _ = headers::read_timestamp_list(&map, "x-a", "M", format);
        }
        let _ = headers::read_prefixed(&map, "x-meta-", "M");
        let _ = headers::read_prefixed(&map, "", "M");
        let _ = headers::read_json_value(&map, "x-a", "M");
        let _ = i8::from_param(text);
        let _ = f32::from_param(text);
    });
}

#[test]
fn error_metadata() {
    let bodies = [
        r#"{"__type": "aws.iot#ThrottlingException", "message": "slow"}"#,
        r#"{"code": "VersionMismatch", "Message": "m", "executionState": {"a": [1, 2]}}"#,
        r#"{"__type": "x:http://internal#y", "errorMessage": null}"#,
        "<html>bad gateway</html>",
        "",
        "[1, 2, {\"__type\": 5}]",
    ];
    survive("rest_json::error_metadata", 4, 20_000, &bodies, |text| {
        let mut response = http::Response::new(bytes::Bytes::copy_from_slice(text.as_bytes()));
        *response.status_mut() = http::StatusCode::BAD_REQUEST;
        let code = text.get(..text.len().min(40)).unwrap_or_default();
        if let Ok(value) = HeaderValue::from_str(code) {
            response.headers_mut().insert("x-amzn-errortype", value);
        }
        let meta = rest_json::error_metadata(&response);
        let _ = (meta.code(), meta.message());
        let _ = rest_json::sanitize_error_code(text);
        let _ = json::body::<Document>(&response);
        // Raw bytes, not only text: a body need not be UTF-8.
        let mut bytes = text.as_bytes().to_vec();
        bytes.extend([0xff, 0xc3]);
        let _ = json::from_slice::<Document>(&bytes);
    });
}

#[test]
fn json_values() {
    let seeds = [
        r#"[1398796238, 1398796238.5, "2014-04-29T18:30:38Z", null]"#,
        r#"{"a": 1.5, "b": "NaN", "c": "-Infinity", "d": null}"#,
        r#"["aGk=", "", "***"]"#,
        r#"{"k": [[1, 2], [3]], "l": {"m": {"n": "o"}}}"#,
        "-9223372036854775808.5",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    ];
    survive("json::from_slice", 5, 20_000, &seeds, |text| {
        let bytes = text.as_bytes();
        let _ = json::from_slice::<Vec<DateTime>>(bytes);
        let _ = json::from_slice::<std::collections::HashMap<String, f64>>(bytes);
        let _ = json::from_slice::<Vec<Blob>>(bytes);
        let _ = json::from_slice::<Vec<Vec<i64>>>(bytes);
        let _ = json::from_slice::<Vec<Option<String>>>(bytes);
        let _ = json::from_slice::<Document>(bytes);
        let _ = json::from_slice::<DateTime>(bytes);
    });
    // Nesting deeper than serde_json's recursion limit is an error, not a stack overflow.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(json::from_slice::<Document>(deep.as_bytes()).is_err());
}

#[test]
fn uri_labels_and_queries() {
    let seeds = [
        "thing-1", "a/b/../c", "..", ".", "%2F", "x y?z#w", "", "ü/é",
    ];
    survive("uri", 6, 20_000, &seeds, |text| {
        let _ = uri::label("M", text);
        let _ = uri::greedy_label("M", text);
        let _ = uri::host_label("M", text);
        let mut query = uri::QueryWriter::new(format!("/p/{text}"));
        query.push(text, text);
        query.push_key(text);
        let _ = uri::parse(query.finish());
    });
}

#[test]
fn profile_files() {
    let seeds = [
        "[default]\naws_access_key_id = AKID\naws_secret_access_key = S\n",
        "[profile dev] # c\nregion=eu-west-1\ns3 =\n  max_concurrent_requests = 10\n",
        "\u{feff}; comment\n[ a   b ]\nk=v=w\n",
        "[\n]\n=\n[x]]\n",
    ];
    survive("profile::parse", 7, 20_000, &seeds, |text| {
        let _ = crate::credentials::parse_profile(text, std::path::Path::new("config"));
    });
}

#[test]
fn signing() {
    use crate::credentials::Credentials;
    use crate::sigv4::{SignableRequest, Signer, SigningParams, SigningSettings};

    let seeds = [
        "/things/a%20b?z=2&a=1",
        "/a/./b/../c//d?x&y=&=z",
        "/%E2%82%AC?%zz=%",
        "/?a=1&a=2&a=",
        "/..//../",
    ];
    let signer = Signer::new();
    let credentials = Credentials::new("AKID", "SECRET", Some("TOKEN".into()));
    survive("sigv4", 8, 4_000, &seeds, |text| {
        let Ok(uri) = format!("https://example.com{text}").parse::<http::Uri>() else {
            return;
        };
        let mut request = http::Request::new(bytes::Bytes::copy_from_slice(text.as_bytes()));
        *request.uri_mut() = uri;
        if let Ok(value) = HeaderValue::from_bytes(text.as_bytes()) {
            request.headers_mut().insert("x-amz-meta", value);
        }
        for flag in [true, false] {
            let settings = SigningSettings {
                normalize_path: flag,
                double_encode_path: flag,
                sign_payload_header: !flag,
                ..SigningSettings::default()
            };
            let params = SigningParams {
                credentials: &credentials,
                region: "us-east-1",
                service: "svc",
                time: std::time::SystemTime::UNIX_EPOCH
                    + std::time::Duration::from_secs(1_398_796_238),
                settings,
            };
            let _ = signer.sign(&mut request.clone(), &params);
            // From a string, the URI can hold what `http::Uri` refuses.
            let headers = [("host", text), ("x-amz-meta", text), (text, "v")];
            for uri in [
                text,
                &format!("https://{text}"),
                &format!("https://h{text}"),
            ] {
                let signable = SignableRequest::new(text, uri, headers, text.as_bytes());
                let _ = signer.signing_output(&signable, &params);
            }
        }
    });
}

#[test]
fn endpoints_regions_and_host_prefixes() {
    use crate::block_on::block_on;
    use crate::config::Config;
    use crate::credentials::Credentials;
    use crate::error::{BuildError, ErrorMetadata, Unhandled};
    use crate::operation::{invoke, HostPrefix, Operation, ResponseFailure, ServiceInfo};
    use crate::testing::ReplayClient;
    use crate::transport::{HttpRequest, HttpResponse};

    struct Op;
    impl Operation for Op {
        const NAME: &'static str = "Op";
        type Input = String;
        type Output = ();
        type Error = Unhandled;
        fn serialize_request(prefix: &String) -> Result<HttpRequest, BuildError> {
            let mut request = http::Request::new(bytes::Bytes::new());
            *request.uri_mut() = uri::parse("/things/x?y=1".to_owned())?;
            if !prefix.is_empty() {
                request.extensions_mut().insert(HostPrefix(prefix.clone()));
            }
            Ok(request)
        }
        fn parse_response(_: &HttpResponse) -> Result<(), ResponseFailure<Unhandled>> {
            Ok(())
        }
        fn error_metadata(_: &HttpResponse) -> ErrorMetadata {
            ErrorMetadata::default()
        }
    }
    const SERVICE: ServiceInfo = ServiceInfo {
        service_id: "Test",
        endpoint_prefix: "data.test",
        signing_name: "test",
        api_version: "2020-01-01",
        crate_version: "0.1.0",
        endpoint_rules: None,
        client_context_params: &[],
    };
    let seeds = [
        "http://127.0.0.1:8080",
        "https://example.com/base/",
        "http://[::1]:1/",
        "http://user:pw@host:99999",
        "eu-west-1",
        "foo.",
    ];
    let replay = ReplayClient::new();
    survive("endpoint", 9, 5_000, &seeds, |text| {
        replay.push_response(200, "{}");
        for (endpoint, region, prefix) in [
            (Some(text), "us-east-1", ""),
            (None, text, ""),
            (Some("http://127.0.0.1:1"), "us-east-1", text),
        ] {
            let config = Config::builder()
                .set_endpoint_url(endpoint.map(str::to_owned))
                .region(region)
                .credentials(Credentials::new("AKID", "SECRET", None))
                .http_client(replay.clone())
                .build();
            let _ = block_on(invoke::<Op>(&config, &SERVICE, &prefix.to_owned()));
        }
    });
}
