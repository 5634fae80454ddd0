//! Fuzzing of what reads hostile input: the generated crates'
//! `parse_response` functions (IoT Jobs, and the obstacle course, which has
//! every binding), the obstacle course's `serialize_request` on hostile
//! member values, and the runtime's parsers: timestamps in every format,
//! header bindings, error metadata and profile files.
//!
//! Every case is seeded; a panic (caught with `catch_unwind`) is a finding
//! that names its target and seed, and `cargo xtask fuzz --parser-seed
//! TARGET SEED` reruns it.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use sdk_runtime::__private::{headers, rest_json};
use sdk_runtime::credentials::{ProfileCredentials, ProvideCredentials, ProviderContext};
use sdk_runtime::env::Env;
use sdk_runtime::{DateTime, TimestampFormat};

use crate::mutate::Rng;

type Response = http::Response<Bytes>;

/// Texts that have broken, or could break, parsers.
const TEXTS: &[&str] = &[
    "",
    "0",
    "-0",
    "1",
    "-1",
    "1.5",
    "-1.5",
    "1e300",
    "-1e300",
    "1e-300",
    "NaN",
    "Infinity",
    "-Infinity",
    "9223372036854775807",
    "-9223372036854775808",
    "-9223372036854775808.5",
    "9223372036854775807.999999999",
    "18446744073709551616",
    "170141183460469231731687303715884105728",
    "0.0000000001",
    "1700000000.123456789",
    "2024-01-02T03:04:05Z",
    "2024-01-02T03:04:05.123456789Z",
    "2024-01-02T03:04:05+01:00",
    "2024-01-02T03:04:05-23:59",
    "9999-12-31T23:59:59.999999999Z",
    "0000-01-01T00:00:00Z",
    "-0001-01-01T00:00:00Z",
    "2024-02-30T00:00:00Z",
    "2024-13-01T25:61:61Z",
    "2024-01-02T03:04:05.Z",
    "Mon, 01 Jan 1900 00:00:00 GMT",
    "Fri, 31 Dec 9999 23:59:59 GMT",
    "Thu, 01 Jan 1970 00:00:00 GMT",
    "Sun, 06 Nov 1994 08:49:37 GMT",
    "Sunday, 06-Nov-94 08:49:37 GMT",
    "Sun Nov  6 08:49:37 1994",
    "Mon, 32 Foo 2024 99:99:99 GMT",
    "true",
    "false",
    "TRUE",
    "a,b,c",
    "\"a,b\",c",
    "\"unterminated",
    "\"\\\"",
    ",,,",
    "Mon, 01 Jan 2024 00:00:00 GMT, Tue, 02 Jan 2024 00:00:00 GMT",
    "eyJhIjoxfQ==",
    "e30",
    "!!!",
    "ResourceNotFoundException",
    "aws.protocoltests#ResourceNotFoundException:http://internal.amazon.com/",
    "a:b#c:d",
    "{}",
    "{\"__type\":\"x\"}",
    "{\"code\":\"a\",\"message\":null}",
    "[",
    "\u{0}",
    "é",
    "\u{feff}",
];

/// JSON bodies to start from: what the services answer, and edge cases.
const BODIES: &[&str] = &[
    "",
    "{}",
    "null",
    "[]",
    "{\"execution\":{\"jobId\":\"j\",\"status\":\"QUEUED\",\"queuedAt\":1700000000,\"statusDetails\":{\"a\":\"b\"},\"versionNumber\":1,\"executionNumber\":2,\"jobDocument\":\"{}\"}}",
    "{\"inProgressJobs\":[{\"jobId\":\"a\",\"queuedAt\":1.5}],\"queuedJobs\":[]}",
    "{\"executionState\":{\"status\":\"IN_PROGRESS\",\"statusDetails\":{},\"versionNumber\":3},\"jobDocument\":\"x\"}",
    "{\"message\":\"m\",\"__type\":\"ResourceNotFoundException\"}",
    "{\"code\":\"ThrottlingException\",\"Message\":\"slow\"}",
    "{\"body\":{\"text\":\"t\",\"when\":1.5,\"whenIso\":\"2024-01-02T03:04:05Z\",\"whenHttp\":\"Sun, 06 Nov 1994 08:49:37 GMT\",\"bytes\":\"AAAA\",\"doc\":{\"a\":[1,2,{}]},\"texts\":[\"a\",null],\"textMap\":{\"k\":\"v\"},\"grid\":[[\"a\"]],\"cube\":[[[\"b\"]]],\"tree\":{\"label\":\"x\",\"children\":[{\"children\":[]}],\"byName\":{\"n\":{}},\"parent\":{\"parent\":{}},\"choice\":{\"again\":{\"text\":\"t\"}}},\"choice\":{\"unknown\":\"u\"},\"option\":\"Some\",\"timeMap\":{\"None\":\"2024-01-02T03:04:05Z\"},\"tiny\":127,\"small\":-32768,\"big\":9223372036854775807,\"ratio\":1e38,\"precise\":\"NaN\"}}",
    "{\"choice\":{\"text\":\"a\",\"count\":1}}",
    "{\"choice\":{\"newMember\":1}}",
    "{\"label\":\"l\",\"children\":[{\"label\":\"m\"}]}",
    "{\"a\":{\"b\":{\"c\":{\"d\":[[[[[[[[[[]]]]]]]]]]}}}}",
    "\"just a string\"",
    "{\"doc\":[1,\"2\",true,null,{\"x\":1.5e308}]}",
];

const HEADER_NAMES: &[&str] = &[
    "x-amzn-errortype",
    "x-amzn-requestid",
    "x-amz-request-id",
    "content-type",
    "content-length",
    "x-token",
    "x-at",
    "x-names",
    "x-times",
    "x-json",
    "x-meta-a",
    "x-meta-",
    "retry-after",
    "date",
];

/// A text: a known one, mutated a little.
fn text(rng: &mut Rng) -> String {
    let mut text = (rng.pick_str(TEXTS)).to_owned();
    for _ in 0..rng.below(3) {
        mutate_text(&mut text, rng);
    }
    text
}

fn mutate_text(text: &mut String, rng: &mut Rng) {
    let at = floor(text, rng.below(text.len() + 1));
    match rng.below(5) {
        0 => text.insert_str(at, rng.pick_str(TEXTS)),
        1 => text.truncate(at),
        2 => {
            let c = *rng.pick(&[
                '0', '9', '-', '+', '.', ',', ':', 'e', 'Z', 'T', ' ', '"', '\\', '\u{0}', 'é',
            ]);
            text.insert(at, c);
        }
        3 => {
            let end = floor(text, (at + 1 + rng.below(8)).min(text.len()));
            text.replace_range(at..end, "");
        }
        _ => *text = text.repeat(1 + rng.below(3)),
    }
}

fn floor(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn body(rng: &mut Rng) -> Vec<u8> {
    let mut body = rng.pick(BODIES).as_bytes().to_vec();
    for _ in 0..rng.below(4) {
        let at = rng.below(body.len() + 1);
        match rng.below(5) {
            0 => {
                let insert = *rng.pick(&[
                    "{", "}", "[", "]", ",", ":", "\"", "null", "1e999", "-", "\\u0000", "\\ud800",
                ]);
                body.splice(at..at, insert.bytes());
            }
            1 => body.truncate(at),
            2 if at < body.len() => body[at] = rng.next() as u8,
            3 => {
                let text = text(rng);
                let quoted = serde_json::to_string(&text).unwrap_or_default();
                body.splice(at..at, quoted.bytes());
            }
            _ => {
                let end = (at + 1 + rng.below(16)).min(body.len());
                body.drain(at..end);
            }
        }
    }
    body
}

fn header_map(rng: &mut Rng) -> HeaderMap {
    let mut map = HeaderMap::new();
    for _ in 0..rng.below(6) {
        let name = HeaderName::from_static(rng.pick_str(HEADER_NAMES));
        let Ok(value) = HeaderValue::from_bytes(text(rng).as_bytes()) else {
            continue;
        };
        map.append(name, value);
    }
    map
}

fn response(rng: &mut Rng) -> Response {
    let status = *rng.pick(&[
        200u16, 200, 201, 204, 301, 400, 403, 404, 409, 429, 500, 503, 599,
    ]);
    let mut builder = http::Response::builder().status(status);
    if let Some(headers) = builder.headers_mut() {
        *headers = header_map(rng);
    }
    builder
        .body(Bytes::from(body(rng)))
        .unwrap_or_else(|_| http::Response::new(Bytes::new()))
}

const FORMATS: [TimestampFormat; 3] = [
    TimestampFormat::EpochSeconds,
    TimestampFormat::DateTime,
    TimestampFormat::HttpDate,
];

/// One fuzz target: a name and what it runs for a seed.
pub struct Target {
    pub name: &'static str,
    pub run: fn(&mut Rng),
}

macro_rules! responses {
    ($($krate:ident :: $op:ident),* $(,)?) => {
        |rng: &mut Rng| {
            let response = response(rng);
            $( let _ = $krate::protocol::$op::parse_response(&response); )*
        }
    };
}

pub const TARGETS: &[Target] = &[
    Target {
        name: "iot-jobs parse_response",
        run: responses!(
            iot_jobs_data_plane::describe_job_execution,
            iot_jobs_data_plane::get_pending_job_executions,
            iot_jobs_data_plane::start_next_pending_job_execution,
            iot_jobs_data_plane::update_job_execution,
        ),
    },
    Target {
        name: "obstacle-course parse_response",
        run: responses!(
            obstacle_course::bind_everything,
            obstacle_course::put_tree,
            obstacle_course::put_blob,
            obstacle_course::upload,
            obstacle_course::echo_text,
            obstacle_course::echo_document,
            obstacle_course::echo_union,
            obstacle_course::host_label,
            obstacle_course::config_op,
            obstacle_course::shapes_op,
        ),
    },
    Target {
        name: "obstacle-course serialize_request",
        run: |rng| {
            use obstacle_course::operation::bind_everything::BindEverythingInput;
            use obstacle_course::operation::host_label::HostLabelInput;
            use obstacle_course::types::{Everything, Option as Kind};
            let time = |rng: &mut Rng| {
                let seconds =
                    *rng.pick(&[i64::MIN, i64::MAX, 0, -1, 253_402_300_800, -62_167_219_201]);
                DateTime::from_secs(seconds.wrapping_add(rng.below(3) as i64 - 1))
            };
            let float = *rng.pick(&[
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                -0.0,
                1e308,
                f64::MIN_POSITIVE,
            ]);
            let input = BindEverythingInput::builder()
                .id(text(rng))
                .path(text(rng))
                .count(rng.next() as i32)
                .since(time(rng))
                .tags(text(rng))
                .filters(text(rng), vec![text(rng)])
                .token(text(rng))
                .at(time(rng))
                .at_iso(time(rng))
                .ratio(float)
                .names(text(rng))
                .times(time(rng))
                .json(text(rng))
                .option(Kind::Unknown(text(rng)))
                .meta(text(rng), text(rng))
                .body(
                    Everything::builder()
                        .text(text(rng))
                        .when(time(rng))
                        .when_http(time(rng))
                        .precise(float)
                        .build()
                        .unwrap_or_default(),
                )
                .build();
            if let Ok(input) = input {
                let _ = obstacle_course::protocol::bind_everything::serialize_request(&input);
            }
            if let Ok(input) = HostLabelInput::builder().tenant(text(rng)).build() {
                let _ = obstacle_course::protocol::host_label::serialize_request(&input);
            }
        },
    },
    Target {
        name: "timestamps",
        run: |rng| {
            let text = text(rng);
            for format in FORMATS {
                if let Ok(parsed) = DateTime::parse(&text, format) {
                    for out in FORMATS {
                        let _ = parsed.fmt(out);
                    }
                    let _ = parsed.as_secs_f64();
                }
            }
            let float = f64::from_bits(rng.next());
            if let Some(time) = DateTime::from_secs_f64(float) {
                for out in FORMATS {
                    let _ = time.fmt(out);
                }
            }
            let seconds = *rng.pick(&[i64::MIN, i64::MAX, 0, -1, 253_402_300_800, -62_167_219_201]);
            let _ = DateTime::from_secs_f64(seconds as f64 + 0.5);
        },
    },
    Target {
        name: "headers",
        run: |rng| {
            let header_map = header_map(rng);
            let map = headers::HeaderIndex::new(&header_map);
            // Lowercase, as generated code looks names up.
            let name = *rng.pick(HEADER_NAMES);
            let _ = headers::read::<String>(&map, name, "m");
            let _ = headers::read::<bool>(&map, name, "m");
            let _ = headers::read::<i32>(&map, name, "m");
            let _ = headers::read::<i64>(&map, name, "m");
            let _ = headers::read::<i8>(&map, name, "m");
            let _ = headers::read::<f64>(&map, name, "m");
            let _ = headers::read::<f32>(&map, name, "m");
            let _ = headers::read_list::<String>(&map, name, "m");
            let _ = headers::read_list::<i64>(&map, name, "m");
            for format in FORMATS {
                let _ = headers::read_timestamp(&map, name, "m", format);
                let _ = headers::read_timestamp_list(&map, name, "m", format);
            }
            let _ =
                headers::read_prefixed(&map, rng.pick_str(&["", "x-meta-", "X-Meta-", "x"]), "m");
            let _ = headers::read_json_value(&map, name, "m");
            let _ = headers::split_list(&text(rng));
        },
    },
    Target {
        name: "error metadata",
        run: |rng| {
            let response = response(rng);
            let metadata = rest_json::error_metadata(&response);
            let _ = (metadata.code(), metadata.message());
            let _ = rest_json::sanitize_error_code(&text(rng));
        },
    },
    Target {
        name: "profile files",
        run: |rng| {
            let text = profile_text(rng);
            let dir = profile_dir();
            let credentials = dir.join("credentials");
            let config = dir.join("config");
            if std::fs::write(&credentials, &text).is_err()
                || std::fs::write(&config, &text).is_err()
            {
                return;
            }
            let profile = rng.pick(&["default", "p", "a b", ""]).to_string();
            let env = Env::from_pairs([
                (
                    "AWS_SHARED_CREDENTIALS_FILE".to_owned(),
                    credentials.display().to_string(),
                ),
                ("AWS_CONFIG_FILE".to_owned(), config.display().to_string()),
                ("AWS_PROFILE".to_owned(), profile),
            ]);
            let _ = sdk_runtime::block_on::block_on(
                ProfileCredentials::with_env(env).provide_credentials(&ProviderContext::default()),
            );
        },
    },
];

/// Where profile-file cases are written: one directory per process, in
/// memory where the system has a tmpfs (`/dev/shm`), since rewriting a file
/// on disk for every case made this target 200 times slower than the others.
fn profile_dir() -> &'static Path {
    static DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("sdk-runtime-fuzz-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        dir
    })
}

/// Removes what the profile-file target wrote.
pub fn clean_up() {
    let _ = std::fs::remove_dir_all(profile_dir());
}

fn profile_text(rng: &mut Rng) -> String {
    const LINES: &[&str] = &[
        "[default]",
        "[profile p]",
        "[p]",
        "[profile a b]",
        "[",
        "]",
        "[profile]",
        "aws_access_key_id = AKID",
        "aws_secret_access_key = SECRET",
        "aws_session_token = TOKEN",
        "aws_access_key_id=",
        "= value",
        "key",
        "  continued",
        "\tcontinued",
        "# comment",
        "; comment",
        "s3 =",
        "  max_concurrent_requests = 20",
        "region = us-east-1",
        "\u{feff}[default]",
        "\r",
        "",
        "source_profile = p",
        "sso_session = s",
    ];
    let mut out = String::new();
    for _ in 0..rng.below(12) {
        let mut line = (*rng.pick(LINES)).to_owned();
        if rng.chance(20) {
            mutate_text(&mut line, rng);
        }
        out.push_str(&line);
        out.push_str(rng.pick_str(&["\n", "\r\n", "\n\n"]));
    }
    out
}

/// What one parser case gave: `None`, or the panic's message.
pub fn run_case(target: &Target, seed: u64) -> Option<String> {
    let mut rng = Rng::new(seed);
    catch_unwind(AssertUnwindSafe(|| (target.run)(&mut rng)))
        .err()
        .map(|_| {
            crate::LAST_PANIC
                .lock()
                .map(|m| m.clone())
                .unwrap_or_default()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first seeds of `target`: a regression test of the fuzz's own input.
    fn no_panic_in_first_seeds(name: &str) {
        let target = TARGETS.iter().find(|t| t.name == name).unwrap();
        for seed in 0..300 {
            assert_eq!(run_case(target, seed), None, "{name}: seed {seed}");
        }
    }

    #[test]
    fn iot_jobs_responses() {
        no_panic_in_first_seeds("iot-jobs parse_response");
    }

    #[test]
    fn obstacle_course_responses() {
        no_panic_in_first_seeds("obstacle-course parse_response");
    }

    #[test]
    fn obstacle_course_requests() {
        no_panic_in_first_seeds("obstacle-course serialize_request");
    }

    #[test]
    fn timestamps() {
        no_panic_in_first_seeds("timestamps");
    }

    #[test]
    fn headers() {
        no_panic_in_first_seeds("headers");
    }

    #[test]
    fn error_metadata() {
        no_panic_in_first_seeds("error metadata");
    }

    #[test]
    fn profile_files() {
        no_panic_in_first_seeds("profile files");
        clean_up();
    }

    #[test]
    fn every_target_has_a_test() {
        let tested = [
            "iot-jobs parse_response",
            "obstacle-course parse_response",
            "obstacle-course serialize_request",
            "timestamps",
            "headers",
            "error metadata",
            "profile files",
        ];
        let names: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
        assert_eq!(names, tested);
    }
}
