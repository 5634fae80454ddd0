//! The official SigV4 test suite (aws-c-auth's signing test suite, v4
//! cases), run against `sdk_runtime::sigv4`.
//!
//! The suite lives outside this repository: set `SIGV4_TEST_SUITE` to its
//! `v4` directory (CI uses `../shared/sigv4-test-suite/v4`; a relative path
//! is taken from the project root). Without it the test shows as ignored,
//! with the reason; under CI it is an error. (It sits in the generator's
//! package, whose build script turns the variable into a `cfg`, so the
//! runtime that users build carries no build script.) For every case directory this test
//! parses `request.txt` and `context.json`, signs, and compares the
//! canonical request, string to sign and signature with the case's
//! `header-*.txt` files byte for byte. Where the request fits in an
//! `http::Request`, it is also signed through `Signer::sign` and the
//! `Authorization` header compared with `header-signed-request.txt`.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use sdk_runtime::sigv4::{SignableRequest, Signer, SigningParams, SigningSettings};
use sdk_runtime::Credentials;

/// Cases not run, and why. Each is still signed, and must still disagree
/// with its expected files: an exclusion that starts passing fails the test.
const EXCLUDED: &[(&str, &str)] = &[(
    "get-space-normalized",
    "its request.txt gives the path already encoded (`/example%20space/`) and expects \
     `/example%20space/` in the canonical request, i.e. no second encoding; a signer that \
     encodes the path as sent once more must produce `/example%2520space/`, as this suite's \
     double-url-encode case requires (`%3A` -> `%253A`). The same path written raw \
     (`/example space/`, as in get-space-unnormalized and this case's own \
     header-signed-request.txt) passes.",
)];

/// Context for the two cases migrated from the old suite format, which have
/// no `context.json`. Only their canonical request (and string to sign,
/// where present) is compared: they have no `header-signature.txt`.
const NO_CONTEXT: &[(&str, FallbackContext)] = &[
    (
        // Scope from its header-signed-request.txt (lambda in us-east-2) and
        // time from its X-Amz-Date header.
        "double-url-encode",
        FallbackContext {
            timestamp: "2021-05-11T15:40:45Z",
            region: "us-east-2",
            service: "lambda",
        },
    ),
    (
        // Its request.txt says `X-amz-date:20150830T123600Z`, but its
        // canonical request was made at 20210511T154045Z. The signer sets
        // x-amz-date from the signing time, replacing the request's, so the
        // case is signed at the time its canonical request shows. Scope from
        // its header-signed-request.txt.
        "double-encode-path",
        FallbackContext {
            timestamp: "2021-05-11T15:40:45Z",
            region: "us-east-1",
            service: "service",
        },
    ),
];

const EXAMPLE_ACCESS_KEY_ID: &str = "AKIDEXAMPLE";
const EXAMPLE_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

struct FallbackContext {
    timestamp: &'static str,
    region: &'static str,
    service: &'static str,
}

struct Context {
    access_key_id: String,
    secret_access_key: String,
    token: Option<String>,
    region: String,
    service: String,
    time: SystemTime,
    normalize: bool,
    sign_body: bool,
    omit_session_token: bool,
}

struct Request {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Whether this runs under CI (`CI` set to anything but empty, `false` or `0`).
fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// CI must run the suite: there, a build without `SIGV4_TEST_SUITE` fails
/// rather than showing the suite as ignored.
#[test]
fn ci_runs_the_official_suite() {
    assert!(
        !under_ci() || cfg!(sigv4_suite),
        "CI must set SIGV4_TEST_SUITE to the suite's v4 directory \
         (../shared/sigv4-test-suite/v4); the official SigV4 suite did not run"
    );
}

/// The suite's directory, from `SIGV4_TEST_SUITE` as it was when this test
/// was built (the build script rebuilds it when the variable changes).
fn suite_dir() -> PathBuf {
    let dir = PathBuf::from(option_env!("SIGV4_TEST_SUITE").unwrap_or_default());
    if dir.is_absolute() {
        return dir;
    }
    // This file is in codegen/tests; the project root is one up from the package.
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir)
}

#[test]
#[cfg_attr(
    not(sigv4_suite),
    ignore = "SIGV4_TEST_SUITE is not set: the official SigV4 suite is not part of a fresh clone \
              (CI sets it to ../shared/sigv4-test-suite/v4); the signer's unit tests still run"
)]
fn official_sigv4_suite() {
    let dir = suite_dir();
    let mut cases: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("SIGV4_TEST_SUITE: cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.join("request.txt").is_file())
        .collect();
    cases.sort();
    assert!(
        !cases.is_empty(),
        "no test cases (directories with request.txt) in {}",
        dir.display()
    );

    let mut failures = Vec::new();
    let (mut run, mut through_sign, mut excluded) = (0, 0, Vec::new());
    for case in &cases {
        let name = case
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let result = run_case(case, &name);
        if let Some((_, reason)) = EXCLUDED.iter().find(|(n, _)| *n == name) {
            match result {
                Ok(_) => failures.push(format!(
                    "{name}: excluded ({reason}), but it passes now: remove the exclusion"
                )),
                Err(_) => excluded.push((name, *reason)),
            }
            continue;
        }
        match result {
            Ok(signed_through_http) => {
                run += 1;
                through_sign += usize::from(signed_through_http);
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    for (name, _) in EXCLUDED {
        if !cases.iter().any(|c| c.ends_with(name)) {
            failures.push(format!(
                "excluded case {name} is not in the suite: remove it from EXCLUDED"
            ));
        }
    }
    println!(
        "sigv4 suite ({}): {run} cases run ({through_sign} also through Signer::sign on an \
         http::Request), {} excluded",
        dir.display(),
        excluded.len()
    );
    for (name, reason) in &excluded {
        println!("  excluded {name}: {reason}");
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Signs one case and compares; `Ok(true)` if it was also signed through
/// `Signer::sign` on an `http::Request`.
fn run_case(case: &Path, name: &str) -> Result<bool, String> {
    let request = parse_request(&read(case, "request.txt")?)?;
    let context = match fs::read_to_string(case.join("context.json")) {
        Ok(text) => parse_context(&text)?,
        Err(_) => fallback_context(name)?,
    };
    let credentials = Credentials::new(
        &context.access_key_id,
        &context.secret_access_key,
        context.token.clone(),
    );
    let mut settings = SigningSettings::default();
    // The suite's `normalize` is the path normalization flag alone; its
    // signer double-encodes in every case.
    settings.normalize_path = context.normalize;
    settings.sign_payload_header = context.sign_body;
    settings.sign_session_token = !context.omit_session_token;
    let params = SigningParams {
        credentials: &credentials,
        region: &context.region,
        service: &context.service,
        time: context.time,
        settings,
    };

    let signable = SignableRequest::new(
        &request.method,
        &request.target,
        request
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str())),
        &request.body,
    );
    let out = Signer::new()
        .signing_output(&signable, &params)
        .map_err(|e| format!("signing failed: {e}"))?;

    let mut compared = 0;
    for (file, actual) in [
        ("header-canonical-request.txt", out.canonical_request()),
        ("header-string-to-sign.txt", out.string_to_sign()),
        ("header-signature.txt", out.signature()),
    ] {
        let Ok(expected) = fs::read_to_string(case.join(file)) else {
            continue;
        };
        let expected = expected.replace("\r\n", "\n");
        // Files of the old format (double-url-encode) end with a newline;
        // the strings themselves never do: they end in hex digits.
        let expected = expected.strip_suffix('\n').unwrap_or(&expected);
        if expected != actual {
            return Err(format!(
                "{file} differs\n--- expected\n{expected}\n--- actual\n{actual}"
            ));
        }
        compared += 1;
    }
    if compared == 0 {
        return Err("has none of the header-*.txt files".into());
    }
    if !case.join("header-signature.txt").is_file() {
        return Ok(false);
    }

    // The signed request's Authorization line is what `sign` must produce.
    let signed = read(case, "header-signed-request.txt")?;
    let expected_authorization = signed
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("authorization")
                .then(|| value.trim().to_owned())
        })
        .ok_or("header-signed-request.txt has no Authorization line")?;
    if out.authorization() != expected_authorization {
        return Err(format!(
            "Authorization differs\n--- expected\n{expected_authorization}\n--- actual\n{}",
            out.authorization()
        ));
    }
    let Some(mut http_request) = to_http(&request) else {
        // A raw space in the target (get-space-unnormalized): not a valid http::Uri.
        return Ok(false);
    };
    Signer::new()
        .sign(&mut http_request, &params)
        .map_err(|e| format!("Signer::sign failed: {e}"))?;
    let authorization = http_request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if authorization != expected_authorization {
        return Err(format!(
            "Signer::sign set Authorization\n{authorization}\nexpected\n{expected_authorization}"
        ));
    }
    Ok(true)
}

fn read(case: &Path, file: &str) -> Result<String, String> {
    fs::read_to_string(case.join(file))
        .map(|text| text.replace("\r\n", "\n"))
        .map_err(|e| format!("cannot read {file}: {e}"))
}

/// An HTTP/1.1 request in text: request line, headers (a line starting with
/// whitespace continues the previous header's value), blank line, body.
fn parse_request(text: &str) -> Result<Request, String> {
    let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
    let mut lines = head.lines();
    let request_line = lines.next().ok_or("request.txt is empty")?;
    // The target may hold spaces (get-space-unnormalized): split off the
    // method and the version, not on every space.
    let (method, rest) = request_line
        .split_once(' ')
        .ok_or_else(|| format!("request line `{request_line}` has no target"))?;
    let (target, version) = rest
        .rsplit_once(' ')
        .ok_or_else(|| format!("request line `{request_line}` has no HTTP version"))?;
    if !version.starts_with("HTTP/") {
        return Err(format!(
            "request line `{request_line}` does not end in an HTTP version"
        ));
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            // Obsolete line folding: the fold is one space.
            let (_, value) = headers
                .last_mut()
                .ok_or_else(|| format!("continuation line `{line}` before any header"))?;
            value.push(' ');
            value.push_str(line.trim_start());
            continue;
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("header line `{line}` has no `:`"))?;
        headers.push((name.to_owned(), value.to_owned()));
    }
    Ok(Request {
        method: method.to_owned(),
        target: target.to_owned(),
        headers,
        body: body.as_bytes().to_vec(),
    })
}

fn parse_context(text: &str) -> Result<Context, String> {
    let json: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("context.json: {e}"))?;
    let string = |value: &serde_json::Value, path: &str| -> Result<String, String> {
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("context.json: `{path}` is not a string"))
    };
    let flag = |key: &str| {
        json.get(key)
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false)
    };
    let credentials = &json["credentials"];
    Ok(Context {
        access_key_id: string(&credentials["access_key_id"], "credentials.access_key_id")?,
        secret_access_key: string(
            &credentials["secret_access_key"],
            "credentials.secret_access_key",
        )?,
        token: credentials
            .get("token")
            .map(|t| string(t, "credentials.token"))
            .transpose()?,
        region: string(&json["region"], "region")?,
        service: string(&json["service"], "service")?,
        time: parse_timestamp(&string(&json["timestamp"], "timestamp")?)?,
        normalize: json
            .get("normalize")
            .and_then(serde_json::Value::as_bool)
            .ok_or("context.json: `normalize` is not a boolean")?,
        sign_body: flag("sign_body"),
        omit_session_token: flag("omit_session_token"),
    })
}

fn fallback_context(name: &str) -> Result<Context, String> {
    let (_, fallback) = NO_CONTEXT
        .iter()
        .find(|(n, _)| *n == name)
        .ok_or("no context.json, and no entry in NO_CONTEXT")?;
    Ok(Context {
        access_key_id: EXAMPLE_ACCESS_KEY_ID.into(),
        secret_access_key: EXAMPLE_SECRET.into(),
        token: None,
        region: fallback.region.into(),
        service: fallback.service.into(),
        time: parse_timestamp(fallback.timestamp)?,
        normalize: true,
        sign_body: false,
        omit_session_token: false,
    })
}

/// `YYYY-MM-DDTHH:MM:SSZ` to a time.
fn parse_timestamp(text: &str) -> Result<SystemTime, String> {
    let bad = || format!("timestamp `{text}` is not YYYY-MM-DDTHH:MM:SSZ");
    let digits = |range: std::ops::Range<usize>| -> Result<u64, String> {
        text.get(range).and_then(|s| s.parse().ok()).ok_or_else(bad)
    };
    if text.len() != 20 || !text.ends_with('Z') {
        return Err(bad());
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    // Days since 1970-01-01, counting years from March so leap days come last.
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let days = y * 365 + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + day - 1 - 719_468;
    Ok(UNIX_EPOCH + Duration::from_secs(days * 86_400 + hour * 3_600 + minute * 60 + second))
}

/// The request as an `http::Request`, if its target is a valid URI.
fn to_http(request: &Request) -> Option<http::Request<Bytes>> {
    let host = request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("host"))
        .map(|(_, v)| v.trim())?;
    let mut builder = http::Request::builder()
        .method(request.method.as_str())
        .uri(format!("https://{host}{}", request.target));
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder.body(Bytes::from(request.body.clone())).ok()
}

#[test]
fn timestamps_parse_to_the_right_second() {
    assert_eq!(parse_timestamp("1970-01-01T00:00:00Z"), Ok(UNIX_EPOCH));
    assert_eq!(
        parse_timestamp("2015-08-30T12:36:00Z"),
        Ok(UNIX_EPOCH + Duration::from_secs(1_440_938_160))
    );
    assert_eq!(
        parse_timestamp("2000-02-29T23:59:59Z"),
        Ok(UNIX_EPOCH + Duration::from_secs(951_868_799))
    );
    assert!(parse_timestamp("2015-08-30 12:36:00").is_err());
}

#[test]
fn request_text_parses_folded_headers_and_spaces_in_the_target() {
    let request = parse_request(
        "GET /example space/ HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1:value1\n  value2\n\nbody",
    )
    .unwrap();
    assert_eq!(request.method, "GET");
    assert_eq!(request.target, "/example space/");
    assert_eq!(
        request.headers,
        [
            ("Host".to_owned(), "example.amazonaws.com".to_owned()),
            ("My-Header1".to_owned(), "value1 value2".to_owned()),
        ]
    );
    assert_eq!(request.body, b"body");
    assert!(parse_request("GET /\n").is_err());
    assert!(parse_request("GET / HTTP/1.1\n  folded\n").is_err());
}
