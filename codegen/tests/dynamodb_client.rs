//! Behaviour of a generated awsJson 1.0 client (DynamoDB `GetItem` and
//! `PutItem`) through the in-memory transport: the requests it sends, what it
//! makes of responses and errors, and the call pipeline (retries, clock
//! correction, blocking and async) as for rest-json.

use dynamodb::operation::get_item::GetItemError;
use dynamodb::operation::put_item::PutItemError;
use dynamodb::types::AttributeValue;
use dynamodb::{Client, Config, Credentials};
use sdk_runtime::block_on::block_on;
use sdk_runtime::testing::{response, InstantSleep, ReplayClient};
use sdk_runtime::transport::HttpRequest;
use serde_json::json;

const ENDPOINT: &str = "http://127.0.0.1:8080";

fn client(max_attempts: u32) -> (Client, ReplayClient, InstantSleep) {
    let (replay, sleep) = (ReplayClient::new(), InstantSleep::new());
    let config = Config::builder()
        .region("us-east-1")
        .endpoint_url(ENDPOINT)
        .credentials(Credentials::new("AKID", "SECRET", None))
        .http_client(replay.clone())
        .sleep_impl(sleep.clone())
        .max_attempts(max_attempts)
        .build();
    (Client::from_conf(config), replay, sleep)
}

fn header<'a>(request: &'a HttpRequest, name: &str) -> &'a str {
    request.headers()[name].to_str().unwrap()
}

fn body_json(request: &HttpRequest) -> serde_json::Value {
    serde_json::from_slice(request.body()).unwrap()
}

const ITEM: &str = r#"{
    "Item": {
        "id": {"S": "k-1"},
        "count": {"N": "42"},
        "raw": {"B": "AAEC/w=="},
        "tags": {"SS": ["a", "b"]},
        "parts": {"L": [{"BOOL": true}, {"NULL": true}, {"M": {"deep": {"N": "1.5"}}}]}
    },
    "ConsumedCapacity": {"TableName": "things", "CapacityUnits": 0.5},
    "SomeFutureMember": [1, 2, 3]
}"#;

#[test]
fn get_item_posts_the_whole_input_to_slash_and_reads_the_item() {
    let (client, replay, _) = client(1);
    replay.push(response(200, &[("x-amzn-RequestId", "req-1")], ITEM));
    let output = client
        .get_item()
        .table_name("things")
        .key("id", AttributeValue::builder().s("k-1").build())
        .consistent_read(true)
        .send_blocking()
        .unwrap();

    let requests = replay.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method(), "POST");
    assert_eq!(request.uri(), "http://127.0.0.1:8080/");
    assert_eq!(header(request, "x-amz-target"), "DynamoDB_20120810.GetItem");
    assert_eq!(
        header(request, "content-type"),
        "application/x-amz-json-1.0"
    );
    assert!(header(request, "authorization").starts_with("AWS4-HMAC-SHA256 Credential=AKID/"));
    assert!(header(request, "authorization").contains("/us-east-1/dynamodb/aws4_request"));
    assert_eq!(
        body_json(request),
        json!({"TableName": "things", "Key": {"id": {"S": "k-1"}}, "ConsistentRead": true})
    );

    let item = output.item().unwrap();
    assert_eq!(item["id"].s(), Some("k-1"));
    assert_eq!(item["count"].n(), Some("42"));
    assert_eq!(item["raw"].b().unwrap().as_bytes(), [0, 1, 2, 255]);
    assert_eq!(item["tags"].ss().unwrap(), ["a", "b"]);
    let parts = item["parts"].l().unwrap();
    assert_eq!(parts[0].bool(), Some(true));
    assert_eq!(parts[1].null(), Some(true));
    assert_eq!(parts[2].m().unwrap()["deep"].n(), Some("1.5"));
    assert_eq!(
        output.consumed_capacity().unwrap().capacity_units(),
        Some(0.5)
    );
}

#[tokio::test]
async fn put_item_async_sends_blobs_as_base64_and_reads_an_empty_output() {
    let (client, replay, _) = client(1);
    replay.push(response(200, &[], "{}"));
    let output = client
        .put_item()
        .table_name("things")
        .item("id", AttributeValue::builder().s("k-2").build())
        .item(
            "raw",
            AttributeValue::builder().b(vec![0u8, 1, 2, 255]).build(),
        )
        .item(
            "nested",
            AttributeValue::builder()
                .l(AttributeValue::builder().n("7").build())
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert!(output.attributes().is_none());
    let request = &replay.requests()[0];
    assert_eq!(header(request, "x-amz-target"), "DynamoDB_20120810.PutItem");
    assert_eq!(
        body_json(request),
        json!({"TableName": "things", "Item": {
            "id": {"S": "k-2"},
            "raw": {"B": "AAEC/w=="},
            "nested": {"L": [{"N": "7"}]}
        }})
    );
}

#[test]
fn a_missing_required_member_sends_nothing() {
    let (client, replay, _) = client(1);
    let err = client
        .get_item()
        .table_name("things")
        .send_blocking()
        .unwrap_err();
    assert!(err.to_string().contains("key"), "{err}");
    assert!(replay.requests().is_empty());
}

#[test]
fn modeled_errors_are_typed_by_their_type() {
    let (client, replay, _) = client(1);
    replay.push(response(
        400,
        &[("x-amzn-RequestId", "req-9")],
        r#"{"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "message": "Requested resource not found"}"#,
    ));
    let err = client
        .get_item()
        .table_name("missing")
        .key("id", AttributeValue::builder().s("k").build())
        .send_blocking()
        .unwrap_err();
    assert_eq!(err.request_id(), Some("req-9"));
    let GetItemError::ResourceNotFoundException(error) = err.into_service_error() else {
        panic!("expected ResourceNotFoundException");
    };
    assert_eq!(error.message(), Some("Requested resource not found"));
}

#[test]
fn unknown_codes_are_unhandled_with_code_message_and_body() {
    let (client, replay, _) = client(1);
    let body = r#"{"__type": "com.amazon.coral.validate#ValidationException", "message": "One or more parameter values were invalid"}"#;
    replay.push(response(400, &[], body));
    let err = client
        .put_item()
        .table_name("things")
        .item("id", AttributeValue::builder().s("k").build())
        .send_blocking()
        .unwrap_err();
    let PutItemError::Unhandled(unhandled) = err.into_service_error() else {
        panic!("expected Unhandled");
    };
    assert_eq!(unhandled.code(), Some("ValidationException"));
    assert_eq!(
        unhandled.message(),
        Some("One or more parameter values were invalid")
    );
    assert_eq!(unhandled.meta().status(), Some(400));
    assert_eq!(unhandled.body(), body.as_bytes());
}

#[test]
fn throttling_is_retried_and_each_attempt_signed_again() {
    let (client, replay, sleep) = client(3);
    replay.push(response(
        400,
        &[],
        r#"{"__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException", "message": "slow down"}"#,
    ));
    replay.push(response(
        400,
        &[],
        r#"{"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException"}"#,
    ));
    replay.push(response(200, &[], ITEM));
    let output = client
        .get_item()
        .table_name("things")
        .key("id", AttributeValue::builder().s("k-1").build())
        .send_blocking()
        .unwrap();
    assert_eq!(output.item().unwrap()["id"].s(), Some("k-1"));
    let requests = replay.requests();
    assert_eq!(requests.len(), 3);
    for request in &requests {
        assert_eq!(header(request, "x-amz-target"), "DynamoDB_20120810.GetItem");
        assert!(request.headers().contains_key("authorization"));
    }
    assert_eq!(sleep.durations().len(), 2, "a backoff before each retry");
}

#[test]
fn a_client_error_is_not_retried() {
    let (client, replay, _) = client(3);
    replay.push(response(
        400,
        &[],
        r#"{"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"}"#,
    ));
    let err = client
        .get_item()
        .table_name("missing")
        .key("id", AttributeValue::builder().s("k").build())
        .send_blocking()
        .unwrap_err();
    assert_eq!(err.attempts(), 1);
    assert_eq!(replay.requests().len(), 1);
}

#[test]
fn an_expired_signature_corrects_the_clock_and_signs_again() {
    let (client, replay, sleep) = client(3);
    // The service's clock, an hour behind ours.
    let service_time = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let date =
        sdk_runtime::DateTime::from(service_time).fmt(sdk_runtime::TimestampFormat::HttpDate);
    replay.push(response(
        400,
        &[("Date", &date)],
        r#"{"__type": "com.amazon.coral.service#InvalidSignatureException", "message": "Signature expired: 20260101T000000Z is now earlier than 20260101T010000Z (20260101T011500Z - 15 min.)"}"#,
    ));
    replay.push(response(200, &[], ITEM));
    block_on(
        client
            .get_item()
            .table_name("things")
            .key("id", AttributeValue::builder().s("k-1").build())
            .send(),
    )
    .unwrap();
    let requests = replay.requests();
    assert_eq!(requests.len(), 2);
    assert_ne!(
        header(&requests[0], "x-amz-date"),
        header(&requests[1], "x-amz-date"),
        "signed again with the service's time"
    );
    assert!(
        sleep.durations().is_empty(),
        "a clock fix waits for nothing"
    );
}
