//! DynamoDB's paginators and waiters, as generated from its
//! `paginators-1.json` and `waiters-2.json`, through the in-memory
//! transport and the instant sleep: the pages and items they give, when they
//! stop, the requests they send, and how waiters end.

use std::time::Duration;

use dynamodb::types::AttributeValue;
use dynamodb::{Client, Config, Credentials};
use sdk_runtime::block_on::block_on;
use sdk_runtime::testing::{response, InstantSleep, ReplayClient};
use sdk_runtime::waiter::WaitError;
use serde_json::{json, Value};

fn client(max_attempts: u32) -> (Client, ReplayClient, InstantSleep) {
    let (replay, sleep) = (ReplayClient::new(), InstantSleep::new());
    let config = Config::builder()
        .region("us-east-1")
        .endpoint_url("http://127.0.0.1:8080")
        .credentials(Credentials::new("AKID", "SECRET", None))
        .http_client(replay.clone())
        .sleep_impl(sleep.clone())
        .max_attempts(max_attempts)
        .build();
    (Client::from_conf(config), replay, sleep)
}

fn bodies(replay: &ReplayClient) -> Vec<Value> {
    replay
        .requests()
        .iter()
        .map(|r| serde_json::from_slice(r.body()).unwrap())
        .collect()
}

fn ok(body: Value) -> sdk_runtime::transport::HttpResponse {
    response(200, &[], &body.to_string())
}

fn not_found() -> sdk_runtime::transport::HttpResponse {
    response(
        400,
        &[],
        r#"{"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "message": "Requested resource not found"}"#,
    )
}

#[test]
fn pages_follow_the_token_past_an_empty_page_until_there_is_none() {
    let (client, replay, _) = client(1);
    replay.push(ok(
        json!({"TableNames": ["a", "b"], "LastEvaluatedTableName": "b"}),
    ));
    replay.push(ok(json!({"TableNames": [], "LastEvaluatedTableName": "c"})));
    replay.push(ok(json!({"TableNames": ["d"]})));
    let pages: Vec<_> = client
        .list_tables()
        .into_paginator()
        .page_size(2)
        .send_blocking()
        .collect::<Result<_, _>>()
        .unwrap();
    let names: Vec<Vec<&str>> = pages
        .iter()
        .map(|p| {
            p.table_names()
                .unwrap_or_default()
                .iter()
                .map(String::as_str)
                .collect()
        })
        .collect();
    assert_eq!(names, [vec!["a", "b"], vec![], vec!["d"]]);
    assert_eq!(
        bodies(&replay),
        [
            json!({"Limit": 2}),
            json!({"Limit": 2, "ExclusiveStartTableName": "b"}),
            json!({"Limit": 2, "ExclusiveStartTableName": "c"}),
        ]
    );
}

#[test]
fn a_repeated_token_ends_the_pages_after_returning_its_page() {
    let (client, replay, _) = client(1);
    replay.push(ok(
        json!({"TableNames": ["a"], "LastEvaluatedTableName": "x"}),
    ));
    replay.push(ok(
        json!({"TableNames": ["b"], "LastEvaluatedTableName": "x"}),
    ));
    replay.push(ok(json!({"TableNames": ["never asked for"]})));
    let items: Vec<String> = client
        .list_tables()
        .into_paginator()
        .items()
        .send_blocking()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(items, ["a", "b"]);
    assert_eq!(replay.requests().len(), 2);
}

#[test]
fn an_empty_token_ends_the_pages() {
    let (client, replay, _) = client(1);
    replay.push(ok(
        json!({"TableNames": ["a"], "LastEvaluatedTableName": ""}),
    ));
    let pages: Vec<_> = client
        .list_tables()
        .into_paginator()
        .send_blocking()
        .collect();
    assert_eq!(pages.len(), 1);
    assert_eq!(replay.requests().len(), 1);
}

#[tokio::test]
async fn query_pages_and_items_carry_the_key_token_async() {
    let (client, replay, _) = client(1);
    let key = json!({"pk": {"S": "p"}, "sk": {"N": "2"}});
    replay.push(ok(json!({
        "Items": [{"sk": {"N": "1"}}, {"sk": {"N": "2"}}],
        "Count": 2, "ScannedCount": 5,
        "LastEvaluatedKey": key,
        "ConsumedCapacity": {"TableName": "things", "CapacityUnits": 1.0}
    })));
    replay.push(ok(
        json!({"Items": [{"sk": {"N": "3"}}], "Count": 1, "ScannedCount": 1}),
    ));
    let mut items = client
        .query()
        .table_name("things")
        .key_condition_expression("pk = :p")
        .expression_attribute_values(":p", AttributeValue::builder().s("p").build())
        .into_paginator()
        .page_size(2)
        .items()
        .send();
    let mut seen = Vec::new();
    while let Some(item) = items.next().await {
        let item = item.unwrap();
        seen.push(item["sk"].n().unwrap().to_owned());
    }
    assert_eq!(seen, ["1", "2", "3"]);
    let bodies = bodies(&replay);
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[0]["Limit"], 2);
    assert!(bodies[0].get("ExclusiveStartKey").is_none());
    assert_eq!(bodies[1]["ExclusiveStartKey"], key);
    assert_eq!(bodies[1]["TableName"], "things");

    // The pages themselves keep every result key and the non-aggregate keys.
    replay.push(ok(json!({
        "Items": [], "Count": 0, "ScannedCount": 7,
        "ConsumedCapacity": {"TableName": "things", "CapacityUnits": 0.5}
    })));
    let mut pages = client.scan().table_name("things").into_paginator().send();
    let page = pages.next().await.unwrap().unwrap();
    assert_eq!((page.count(), page.scanned_count()), (Some(0), Some(7)));
    assert_eq!(
        page.consumed_capacity().unwrap().capacity_units(),
        Some(0.5)
    );
    assert!(pages.next().await.is_none());
}

#[test]
fn an_error_is_returned_and_ends_the_pages() {
    let (client, replay, _) = client(1);
    replay.push(ok(
        json!({"TableNames": ["a"], "LastEvaluatedTableName": "a"}),
    ));
    replay.push(response(
        400,
        &[],
        r#"{"__type": "ValidationException", "message": "no"}"#,
    ));
    let mut pages = client.list_tables().into_paginator().send_blocking();
    assert!(pages.next().unwrap().is_ok());
    let err = pages.next().unwrap().unwrap_err();
    assert!(err.to_string().contains("ValidationException"), "{err}");
    assert!(pages.next().is_none());
    assert_eq!(replay.requests().len(), 2);
}

#[test]
fn an_input_that_cannot_be_built_is_the_only_item_and_nothing_is_sent() {
    let (client, replay, _) = client(1);
    let mut pages = client.query().into_paginator().send_blocking();
    let err = pages.next().unwrap().unwrap_err();
    assert!(err.to_string().contains("table_name"), "{err}");
    assert!(pages.next().is_none());
    assert!(replay.requests().is_empty());
}

fn table(status: &str) -> sdk_runtime::transport::HttpResponse {
    ok(json!({"Table": {"TableName": "things", "TableStatus": status}}))
}

#[test]
fn table_exists_retries_on_the_error_code_and_a_pending_state_then_succeeds() {
    let (client, replay, sleep) = client(1);
    replay.push(not_found());
    replay.push(table("CREATING"));
    replay.push(table("ACTIVE"));
    let waited = client
        .wait_until_table_exists()
        .table_name("things")
        .wait_blocking(Duration::from_secs(600))
        .unwrap();
    assert_eq!(waited.acceptor, 0);
    assert_eq!(waited.attempts, 3);
    let table = waited.last.unwrap();
    assert_eq!(
        table.table().unwrap().table_status().map(|s| s.as_str()),
        Some("ACTIVE")
    );
    assert_eq!(bodies(&replay)[2], json!({"TableName": "things"}));
    // Jittered backoff: 20 s before the first retry, 20..=40 s before the second.
    let waits = sleep.durations();
    assert_eq!(waits.len(), 2);
    assert_eq!(waits[0], Duration::from_secs(20));
    assert!((Duration::from_secs(20)..=Duration::from_secs(40)).contains(&waits[1]));
}

#[tokio::test]
async fn table_not_exists_succeeds_on_the_error() {
    let (client, replay, sleep) = client(1);
    replay.push(not_found());
    let waited = client
        .wait_until_table_not_exists()
        .table_name("gone")
        .wait(Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!((waited.acceptor, waited.attempts), (0, 1));
    assert!(waited.last.is_err());
    assert!(sleep.durations().is_empty());
}

#[test]
fn a_failure_acceptor_ends_the_wait_with_the_last_response() {
    let (client, replay, _) = client(1);
    replay.push(ok(
        json!({"TableName": "t", "KinesisDataStreamDestinations": [
            {"StreamArn": "s1", "DestinationStatus": "DISABLED"},
            {"StreamArn": "s2", "DestinationStatus": "ENABLE_FAILED"}
        ]}),
    ));
    let err = client
        .wait_until_kinesis_streaming_destination_active()
        .table_name("t")
        .wait_blocking(Duration::from_secs(600))
        .unwrap_err();
    let WaitError::FailureState(waited) = &err else {
        panic!("expected a failure state: {err:?}");
    };
    assert_eq!((waited.acceptor, waited.attempts), (1, 1));
    assert!(err.to_string().contains("acceptor 1 matched"), "{err}");
    assert!(err.last().unwrap().is_ok());
}

#[test]
fn path_any_succeeds_when_one_destination_is_active_and_retries_otherwise() {
    let (client, replay, _) = client(1);
    // One disabled of two: not every destination failed, none active: retry.
    replay.push(ok(json!({"KinesisDataStreamDestinations": [
        {"DestinationStatus": "DISABLED"}, {"DestinationStatus": "ENABLING"}
    ]})));
    // No destinations at all: `length(..) > 0` is false: retry.
    replay.push(ok(json!({"KinesisDataStreamDestinations": []})));
    replay.push(ok(json!({"KinesisDataStreamDestinations": [
        {"DestinationStatus": "DISABLED"}, {"DestinationStatus": "ACTIVE"}
    ]})));
    let waited = client
        .wait_until_kinesis_streaming_destination_active()
        .table_name("t")
        .wait_blocking(Duration::from_secs(600))
        .unwrap();
    assert_eq!((waited.acceptor, waited.attempts), (0, 3));
}

#[test]
fn a_wait_times_out_on_max_wait_without_waiting() {
    let (client, replay, sleep) = client(1);
    for _ in 0..10 {
        replay.push(table("CREATING"));
    }
    let started = std::time::Instant::now();
    let err = client
        .wait_until_table_exists()
        .table_name("things")
        .wait_blocking(Duration::from_secs(60))
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    let WaitError::TimedOut {
        attempts,
        waited,
        last,
    } = &err
    else {
        panic!("expected a timeout: {err:?}");
    };
    assert!(*attempts >= 3, "{attempts}");
    assert_eq!(*attempts as usize, replay.requests().len());
    // The waits fill max_wait and never pass it.
    let slept: Duration = sleep.durations().iter().sum();
    assert!(
        slept <= Duration::from_secs(60) && slept > Duration::from_secs(59),
        "{slept:?}"
    );
    assert!(*waited >= slept);
    assert!(last.is_ok());
    assert!(err.to_string().contains("timed out"), "{err}");
}

#[test]
fn a_wait_times_out_after_the_waiters_max_attempts() {
    let (client, replay, _) = client(1);
    for _ in 0..26 {
        replay.push(table("CREATING"));
    }
    let err = client
        .wait_until_table_exists()
        .table_name("things")
        .wait_blocking(Duration::from_secs(24 * 3600))
        .unwrap_err();
    let WaitError::TimedOut { attempts, .. } = err else {
        panic!("expected a timeout: {err:?}");
    };
    assert_eq!(attempts, 25);
    assert_eq!(replay.requests().len(), 25);
}

#[test]
fn an_error_no_acceptor_matches_fails_the_wait() {
    let (client, replay, _) = client(1);
    replay.push(response(
        400,
        &[],
        r#"{"__type": "ValidationException", "message": "bad name"}"#,
    ));
    let err = client
        .wait_until_table_exists()
        .table_name("things")
        .wait_blocking(Duration::from_secs(600))
        .unwrap_err();
    let WaitError::OperationFailed { attempts, error } = &err else {
        panic!("expected an operation failure: {err:?}");
    };
    assert_eq!(*attempts, 1);
    assert!(error.to_string().contains("bad name"), "{error}");
}

#[test]
fn a_waiter_without_its_required_input_sends_nothing() {
    let (client, replay, _) = client(1);
    let err = block_on(
        client
            .wait_until_table_exists()
            .wait(Duration::from_secs(60)),
    )
    .unwrap_err();
    assert!(matches!(err, WaitError::ConstructionFailure(_)), "{err:?}");
    assert!(replay.requests().is_empty());
}
