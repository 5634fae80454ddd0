//! The generated awsJson clients end to end: DynamoDB (awsJson 1.0) and KMS
//! (awsJson 1.1) through the default transport against the local server of
//! `e2e/server.rs`, which checks every SigV4 signature (for the signing names
//! `dynamodb` and `kms`) and answers as those services do: the whole output
//! as a JSON body, errors by `__type` in the body or `x-amzn-ErrorType`.
//!
//! The servers here keep state (a table of items, a key that "encrypts" by
//! reversing bytes), so a test's second call reads what its first one wrote.

#[allow(dead_code)] // shared with tests/e2e.rs, which uses all of it
#[path = "e2e/server.rs"]
mod server;

use std::collections::HashMap;
use std::sync::Mutex;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use dynamodb::operation::get_item::GetItemError;
use dynamodb::types::AttributeValue;
use kms::operation::decrypt::DecryptError;
use kms::operation::generate_data_key::GenerateDataKeyError;
use kms::types::{DataKeySpec, EncryptionAlgorithmSpec};
use sdk_runtime::testing::InstantSleep;
use serde_json::{json, Value};
use server::{Clock, Reply, Seen, Server, Signing, SIGNING};

static DYNAMODB: Signing = Signing {
    service: "dynamodb",
    ..SIGNING
};

static KMS: Signing = Signing {
    service: "kms",
    ..SIGNING
};

fn dynamodb_client(server: &Server) -> dynamodb::Client {
    dynamodb::Client::from_conf(
        dynamodb::Config::builder()
            .region(SIGNING.region)
            .endpoint_url(server.endpoint())
            .credentials(dynamodb::Credentials::new(
                SIGNING.access_key,
                SIGNING.secret_key,
                None,
            ))
            .sleep_impl(InstantSleep::new())
            .build(),
    )
}

fn kms_client(server: &Server) -> kms::Client {
    kms::Client::from_conf(
        kms::Config::builder()
            .region(SIGNING.region)
            .endpoint_url(server.endpoint())
            .credentials(kms::Credentials::new(
                SIGNING.access_key,
                SIGNING.secret_key,
                None,
            ))
            .sleep_impl(InstantSleep::new())
            .build(),
    )
}

/// The operation an awsJson request names, after checking the protocol's
/// fixed parts: `POST /`, the versioned content type, `X-Amz-Target`.
fn operation(seen: &Seen, prefix: &str, json_version: &str) -> String {
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.path, "/");
    assert_eq!(
        seen.header("content-type").as_deref(),
        Some(format!("application/x-amz-json-{json_version}").as_str())
    );
    let target = seen.header("x-amz-target").expect("an X-Amz-Target header");
    let (service, operation) = target.split_once('.').expect("Service.Operation");
    assert_eq!(service, prefix);
    operation.to_owned()
}

/// DynamoDB's table `things`, keyed by the attribute `id`.
static TABLE: Mutex<Option<HashMap<String, Value>>> = Mutex::new(None);

fn table(seen: &Seen) -> Reply {
    let body = seen.json();
    let mut table = TABLE.lock().unwrap();
    let table = table.get_or_insert_with(HashMap::new);
    if body["TableName"] != "things" {
        return Reply::Json(
            400,
            json!({
                "__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
                "message": "Requested resource not found"
            })
            .to_string(),
        );
    }
    match operation(seen, "DynamoDB_20120810", "1.0").as_str() {
        "PutItem" => {
            let item = body["Item"].clone();
            let key = item["id"]["S"].as_str().expect("an id").to_owned();
            let old = table.insert(key, item);
            match (body["ReturnValues"].as_str(), old) {
                (Some("ALL_OLD"), Some(old)) => {
                    Reply::Json(200, json!({ "Attributes": old }).to_string())
                }
                _ => Reply::Json(200, "{}".to_owned()),
            }
        }
        "GetItem" => {
            let key = body["Key"]["id"]["S"].as_str().expect("an id");
            match table.get(key) {
                Some(item) => Reply::Json(200, json!({ "Item": item }).to_string()),
                None => Reply::Json(200, "{}".to_owned()),
            }
        }
        other => panic!("unexpected operation {other}"),
    }
}

#[tokio::test]
async fn dynamodb_put_item_then_get_item_round_trips_an_item() {
    let server = Server::with_signing(&DYNAMODB, Clock::default(), table);
    let client = dynamodb_client(&server);
    let first = client
        .put_item()
        .table_name("things")
        .item("id", AttributeValue::builder().s("k-1").build())
        .item("count", AttributeValue::builder().n("42").build())
        .item(
            "raw",
            AttributeValue::builder().b(vec![0u8, 1, 2, 255]).build(),
        )
        .item(
            "tags",
            AttributeValue::builder().ss("a").ss("b & c").build(),
        )
        .item(
            "nested",
            AttributeValue::builder()
                .m("deep", AttributeValue::builder().bool(true).build())
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert!(first.attributes().is_none());

    let got = client
        .get_item()
        .table_name("things")
        .key("id", AttributeValue::builder().s("k-1").build())
        .send()
        .await
        .unwrap();
    let item = got.item().expect("the item just put");
    assert_eq!(item["count"].n(), Some("42"));
    assert_eq!(item["raw"].b().unwrap().as_bytes(), [0, 1, 2, 255]);
    assert_eq!(item["tags"].ss().unwrap(), ["a", "b & c"]);
    assert_eq!(item["nested"].m().unwrap()["deep"].bool(), Some(true));

    // The second put returns the item it replaced.
    let replaced = client
        .put_item()
        .table_name("things")
        .item("id", AttributeValue::builder().s("k-1").build())
        .return_values(dynamodb::types::ReturnValue::AllOld)
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.attributes().unwrap()["count"].n(), Some("42"));

    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    server.assert_all_signed();
    assert_eq!(
        seen[1].json(),
        json!({"TableName": "things", "Key": {"id": {"S": "k-1"}}})
    );
    assert_eq!(seen[0].json()["Item"]["raw"], json!({"B": "AAEC/w=="}));
}

#[test]
fn dynamodb_error_from_the_body_type_is_typed() {
    let server = Server::with_signing(&DYNAMODB, Clock::default(), table);
    let err = dynamodb_client(&server)
        .get_item()
        .table_name("missing")
        .key("id", AttributeValue::builder().s("k-1").build())
        .send_blocking()
        .unwrap_err();
    let GetItemError::ResourceNotFoundException(error) = err.into_service_error() else {
        panic!("expected ResourceNotFoundException");
    };
    assert_eq!(error.message(), Some("Requested resource not found"));
    assert_eq!(
        server.seen().len(),
        1,
        "a 400 that is no throttle is not retried"
    );
}

#[test]
fn dynamodb_throttling_is_retried() {
    let server = Server::with_signing(&DYNAMODB, Clock::default(), table);
    server.script([Reply::Json(
        400,
        json!({
            "__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException",
            "message": "Rate of requests exceeds the allowed throughput."
        })
        .to_string(),
    )]);
    let output = dynamodb_client(&server)
        .get_item()
        .table_name("things")
        .key("id", AttributeValue::builder().s("absent").build())
        .send_blocking()
        .unwrap();
    assert!(output.item().is_none());
    assert_eq!(server.seen().len(), 2);
    server.assert_all_signed();
}

/// KMS with one key, `alias/demo`, whose "ciphertext" is the plaintext
/// reversed after a one-byte marker: enough to show blobs travel both ways.
fn key_service(seen: &Seen) -> Reply {
    let body = seen.json();
    let blob = |name: &str| STANDARD.decode(body[name].as_str().expect(name)).unwrap();
    let key_id = body["KeyId"].as_str().unwrap_or("alias/demo");
    if key_id != "alias/demo" {
        return Reply::error(
            400,
            "NotFoundException",
            &format!("Key '{key_id}' does not exist"),
        );
    }
    const ARN: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd";
    let seal = |plain: &[u8]| {
        let mut sealed = vec![0xAA];
        sealed.extend(plain.iter().rev());
        STANDARD.encode(sealed)
    };
    match operation(seen, "TrentService", "1.1").as_str() {
        "Encrypt" => {
            assert_eq!(body["EncryptionContext"], json!({"purpose": "test"}));
            Reply::Json(
                200,
                json!({
                    "CiphertextBlob": seal(&blob("Plaintext")),
                    "KeyId": ARN,
                    "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"
                })
                .to_string(),
            )
        }
        "Decrypt" => {
            let sealed = blob("CiphertextBlob");
            match sealed.split_first() {
                Some((0xAA, rest)) => Reply::Json(
                    200,
                    json!({
                        "Plaintext": STANDARD.encode(rest.iter().rev().copied().collect::<Vec<u8>>()),
                        "KeyId": ARN,
                        "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"
                    })
                    .to_string(),
                ),
                _ => Reply::error(400, "InvalidCiphertextException", "not ours"),
            }
        }
        "GenerateDataKey" => {
            let len = match (body["KeySpec"].as_str(), body["NumberOfBytes"].as_u64()) {
                (Some("AES_256"), None) => 32,
                (Some("AES_128"), None) => 16,
                (None, Some(n)) => n as usize,
                _ => return Reply::error(400, "ValidationException", "KeySpec or NumberOfBytes"),
            };
            let plain: Vec<u8> = (0..len as u8).collect();
            Reply::Json(
                200,
                json!({
                    "Plaintext": STANDARD.encode(&plain),
                    "CiphertextBlob": seal(&plain),
                    "KeyId": ARN
                })
                .to_string(),
            )
        }
        other => panic!("unexpected operation {other}"),
    }
}

#[tokio::test]
async fn kms_encrypt_then_decrypt_round_trips_binary_data() {
    let server = Server::with_signing(&KMS, Clock::default(), key_service);
    let client = kms_client(&server);
    let secret: Vec<u8> = vec![0, 159, 146, 150, b'x', 255, 10];
    let sealed = client
        .encrypt()
        .key_id("alias/demo")
        .plaintext(secret.clone())
        .encryption_context("purpose", "test")
        .send()
        .await
        .unwrap();
    assert_eq!(
        sealed.key_id(),
        Some("arn:aws:kms:us-east-1:123456789012:key/1234abcd")
    );
    assert_eq!(
        sealed.encryption_algorithm(),
        Some(&EncryptionAlgorithmSpec::SymmetricDefault)
    );
    let ciphertext = sealed.ciphertext_blob().expect("a ciphertext").clone();
    assert_eq!(ciphertext.as_bytes()[0], 0xAA);

    let opened = client
        .decrypt()
        .ciphertext_blob(ciphertext)
        .send()
        .await
        .unwrap();
    assert_eq!(opened.plaintext().unwrap().as_bytes(), secret);

    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    server.assert_all_signed();
    assert_eq!(
        seen[0].json()["Plaintext"],
        json!(STANDARD.encode(&secret)),
        "a blob is sent as base64"
    );
}

#[test]
fn kms_generate_data_key_blocking_with_an_enum_and_an_integer() {
    let server = Server::with_signing(&KMS, Clock::default(), key_service);
    let client = kms_client(&server);
    let by_spec = client
        .generate_data_key()
        .key_id("alias/demo")
        .key_spec(DataKeySpec::Aes128)
        .send_blocking()
        .unwrap();
    assert_eq!(by_spec.plaintext().unwrap().as_bytes().len(), 16);
    let by_length = client
        .generate_data_key()
        .key_id("alias/demo")
        .number_of_bytes(7)
        .send_blocking()
        .unwrap();
    assert_eq!(
        by_length.plaintext().unwrap().as_bytes(),
        [0, 1, 2, 3, 4, 5, 6]
    );
    assert_eq!(by_length.ciphertext_blob().unwrap().as_bytes()[1], 6);

    let seen = server.seen();
    assert_eq!(
        seen[0].json(),
        json!({"KeyId": "alias/demo", "KeySpec": "AES_128"})
    );
    assert_eq!(
        seen[1].json(),
        json!({"KeyId": "alias/demo", "NumberOfBytes": 7})
    );
    server.assert_all_signed();
}

#[test]
fn kms_errors_from_the_error_type_header_are_typed_or_unhandled() {
    let server = Server::with_signing(&KMS, Clock::default(), key_service);
    let client = kms_client(&server);
    let err = client
        .generate_data_key()
        .key_id("alias/other")
        .key_spec(DataKeySpec::Aes256)
        .send_blocking()
        .unwrap_err();
    let GenerateDataKeyError::NotFoundException(error) = err.into_service_error() else {
        panic!("expected NotFoundException");
    };
    assert_eq!(error.message(), Some("Key 'alias/other' does not exist"));

    // A modeled error of Decrypt, named in the header.
    let err = client
        .decrypt()
        .key_id("alias/demo")
        .ciphertext_blob(vec![1u8, 2, 3])
        .send_blocking()
        .unwrap_err();
    match err.into_service_error() {
        DecryptError::InvalidCiphertextException(error) => {
            assert_eq!(error.message(), Some("not ours"));
        }
        other => panic!("expected InvalidCiphertextException, got {other:?}"),
    }
    // Not in GenerateDataKey's model: Unhandled, with the code kept.
    let err = client
        .generate_data_key()
        .key_id("alias/demo")
        .send_blocking()
        .unwrap_err();
    let GenerateDataKeyError::Unhandled(unhandled) = err.into_service_error() else {
        panic!("expected Unhandled");
    };
    assert_eq!(unhandled.code(), Some("ValidationException"));
    assert_eq!(unhandled.status(), Some(400));
    assert_eq!(server.seen().len(), 3);
}

/// `send_blocking` where a tokio runtime is current (here the test's
/// current-thread runtime, as under `#[tokio::main(flavor = "current_thread")]`)
/// completes through the blocking transport instead of waiting forever on a
/// runtime its own thread blocks; an async call on the same client after it
/// still works.
#[tokio::test]
async fn send_blocking_inside_a_current_thread_runtime_completes() {
    let (done, finished) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        if finished
            .recv_timeout(std::time::Duration::from_secs(60))
            .is_err()
        {
            eprintln!("send_blocking inside a tokio runtime hung for 60 s");
            std::process::exit(1);
        }
    });
    let server = Server::with_signing(&KMS, Clock::default(), key_service);
    let client = kms_client(&server);
    let blocking = client
        .generate_data_key()
        .key_id("alias/demo")
        .number_of_bytes(3)
        .send_blocking()
        .unwrap();
    assert_eq!(blocking.plaintext().unwrap().as_bytes(), [0, 1, 2]);
    let asynchronous = client
        .generate_data_key()
        .key_id("alias/demo")
        .number_of_bytes(2)
        .send()
        .await
        .unwrap();
    assert_eq!(asynchronous.plaintext().unwrap().as_bytes(), [0, 1]);
    done.send(()).unwrap();
    assert_eq!(server.seen().len(), 2);
    server.assert_all_signed();
}
