//! The generated S3 client (rest-xml) end to end: the default transport
//! against the local server of `e2e/server.rs`, which checks every SigV4
//! signature (for the signing name `s3`), with a path-style `endpoint_url`
//! (`http://127.0.0.1:port`, the bucket in the path): `PutObject` of a small
//! object, `GetObject` of it, S3's unwrapped XML error (`<Error>` at the
//! root) as the typed `NoSuchKey` with the request id.

#[allow(dead_code)] // shared with tests/e2e.rs, which uses all of it
#[path = "e2e/server.rs"]
mod server;

use std::sync::Mutex;

use s3::operation::get_object::GetObjectError;
use s3::{Client, Config, Credentials, RequestId, SdkError};
use sdk_runtime::testing::InstantSleep;
use server::{Clock, Reply, Seen, Server, Signing, SIGNING};

const OBJECT: &str = "hello, rest-xml & S3\n";

/// S3's signing name, the rest as for IoT Jobs.
static S3: Signing = Signing {
    service: "s3",
    ..SIGNING
};

fn client(server: &Server) -> Client {
    Client::from_conf(
        Config::builder()
            .region(SIGNING.region)
            .endpoint_url(server.endpoint())
            .credentials(Credentials::new(
                SIGNING.access_key,
                SIGNING.secret_key,
                None,
            ))
            .sleep_impl(InstantSleep::new())
            .build(),
    )
}

/// What the server stored with the last `PUT`.
static STORED: Mutex<Option<(String, Vec<u8>)>> = Mutex::new(None);

/// A whole HTTP/1.1 response with these headers and body (the server's
/// `Raw` replies are static; a test makes a handful).
fn raw(status: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut text = format!("HTTP/1.1 {status}\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    ));
    Reply::Raw(Box::leak(text.into_bytes().into_boxed_slice()))
}

const ETAG: &str = "\"6805f2cfc46c0f04559748bb039d69ae\"";

fn object_store(seen: &Seen) -> Reply {
    match seen.method.as_str() {
        "PUT" => {
            *STORED.lock().unwrap() = Some((seen.path.clone(), seen.body.clone()));
            raw("200 OK", &[("ETag", ETAG), ("x-amz-request-id", "put-req-1")], "")
        }
        "GET" if seen.path == "/my-bucket/notes/hello.txt" => raw(
            "200 OK",
            &[
                ("Content-Type", "text/plain"),
                ("ETag", ETAG),
                ("Last-Modified", "Wed, 02 Dec 2026 10:00:00 GMT"),
                ("x-amz-meta-owner", "tests"),
                ("x-amz-request-id", "get-req-1"),
            ],
            OBJECT,
        ),
        "GET" => raw(
            "404 Not Found",
            &[
                ("Content-Type", "application/xml"),
                ("x-amz-request-id", "get-req-2"),
            ],
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>nope</Key><RequestId>get-req-2</RequestId></Error>",
        ),
        _ => raw("405 Method Not Allowed", &[("x-amz-request-id", "other-1")], ""),
    }
}

#[test]
fn put_then_get_a_small_object_path_style() {
    let server = Server::with_signing(&S3, Clock::default(), object_store);
    let client = client(&server);

    let put = client
        .put_object()
        .bucket("my-bucket")
        .key("notes/hello.txt")
        .content_type("text/plain")
        .metadata("owner", "tests")
        .body(OBJECT)
        .send_blocking()
        .expect("PutObject succeeds");
    assert_eq!(put.e_tag(), Some(ETAG));
    assert_eq!(put.request_id(), Some("put-req-1"));

    let (path, body) = STORED.lock().unwrap().clone().expect("the PUT arrived");
    assert_eq!(
        path, "/my-bucket/notes/hello.txt",
        "path style, the key's `/` kept"
    );
    assert_eq!(body, OBJECT.as_bytes());
    let seen = server.seen();
    let put_seen = &seen[0];
    assert_eq!(put_seen.method, "PUT");
    assert_eq!(
        put_seen.header("content-type").as_deref(),
        Some("text/plain")
    );
    assert_eq!(
        put_seen.header("x-amz-meta-owner").as_deref(),
        Some("tests")
    );

    let got = client
        .get_object()
        .bucket("my-bucket")
        .key("notes/hello.txt")
        .send_blocking()
        .expect("GetObject succeeds");
    assert_eq!(got.body().map(|b| b.as_ref()), Some(OBJECT.as_bytes()));
    assert_eq!(got.content_type(), Some("text/plain"));
    assert_eq!(got.content_length(), Some(21));
    assert_eq!(got.e_tag(), Some(ETAG));
    assert_eq!(
        got.metadata()
            .and_then(|m| m.get("owner"))
            .map(String::as_str),
        Some("tests")
    );
    assert!(got.last_modified().is_some());
    assert_eq!(got.request_id(), Some("get-req-1"));
    server.assert_all_signed();
}

#[test]
fn missing_key_is_the_typed_unwrapped_xml_error() {
    let server = Server::with_signing(&S3, Clock::default(), object_store);
    let client = client(&server);
    let error = client
        .get_object()
        .bucket("my-bucket")
        .key("nope")
        .send_blocking()
        .expect_err("the key does not exist");
    assert_eq!(error.request_id(), Some("get-req-2"));
    assert!(matches!(error, SdkError::ServiceError(_)), "{error:?}");
    assert_eq!(error.raw_response().map(|r| r.status().as_u16()), Some(404));
    let shown = error.to_string();
    assert!(shown.contains("NoSuchKey"), "{shown}");
    match error.into_service_error() {
        GetObjectError::NoSuchKey(_) => {}
        other => panic!("expected NoSuchKey, got {other:?}"),
    }
    server.assert_all_signed();
}
