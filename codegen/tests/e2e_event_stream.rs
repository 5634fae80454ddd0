//! Event-stream outputs end to end: Lambda `InvokeWithResponseStream`
//! (rest-json: the stream is the payload, beside members bound to the status
//! and headers) and Kinesis `SubscribeToShard` (awsJson 1.1: the stream is
//! the whole body, opened by an `initial-response` event) through the
//! default transport against the local server of `e2e/server.rs`, which
//! checks every SigV4 signature and answers with event-stream messages made
//! here with the runtime's encoder.

#[allow(dead_code)] // shared with tests/e2e.rs, which uses all of it
#[path = "e2e/server.rs"]
mod server;

use kinesis::types::error::SubscribeToShardEventStreamError;
use kinesis::types::{ShardIteratorType, StartingPosition, SubscribeToShardEventStream};
use lambda::types::InvokeWithResponseStreamResponseEvent as LambdaEvent;
use sdk_runtime::__private::event_stream::{HeaderValue, Message};
use sdk_runtime::testing::InstantSleep;
use sdk_runtime::DateTime;
use server::{Clock, Reply, Server, Signing, SIGNING};

static LAMBDA: Signing = Signing {
    service: "lambda",
    ..SIGNING
};

static KINESIS: Signing = Signing {
    service: "kinesis",
    ..SIGNING
};

fn lambda_client(server: &Server) -> lambda::Client {
    lambda::Client::from_conf(
        lambda::Config::builder()
            .region(SIGNING.region)
            .endpoint_url(server.endpoint())
            .credentials(lambda::Credentials::new(
                SIGNING.access_key,
                SIGNING.secret_key,
                None,
            ))
            .sleep_impl(InstantSleep::new())
            .build(),
    )
}

fn kinesis_client(server: &Server) -> kinesis::Client {
    kinesis::Client::from_conf(
        kinesis::Config::builder()
            .region(SIGNING.region)
            .endpoint_url(server.endpoint())
            .credentials(kinesis::Credentials::new(
                SIGNING.access_key,
                SIGNING.secret_key,
                None,
            ))
            .sleep_impl(InstantSleep::new())
            .build(),
    )
}

fn text(value: &str) -> HeaderValue {
    HeaderValue::String(value.to_owned())
}

/// An event message of type `event_type`.
fn event(event_type: &str, content_type: &str, payload: &[u8]) -> Message {
    Message::new(payload.to_vec())
        .header(":message-type", text("event"))
        .header(":event-type", text(event_type))
        .header(":content-type", text(content_type))
}

/// An exception message of the stream's error member `exception_type`.
fn exception(exception_type: &str, payload: &str) -> Message {
    Message::new(payload.as_bytes().to_vec())
        .header(":message-type", text("exception"))
        .header(":exception-type", text(exception_type))
        .header(":content-type", text("application/json"))
}

fn stream(messages: &[Message]) -> Vec<u8> {
    messages
        .iter()
        .flat_map(|m| m.encode().expect("the message encodes"))
        .collect()
}

fn shard_event(sequence: &str, data: &[u8]) -> Message {
    use base64::Engine as _;
    let data = base64::engine::general_purpose::STANDARD.encode(data);
    let body = format!(
        r#"{{"Records":[{{"SequenceNumber":"{sequence}","ApproximateArrivalTimestamp":1717200000.5,"Data":"{data}","PartitionKey":"sensor-17"}}],"ContinuationSequenceNumber":"{sequence}","MillisBehindLatest":0}}"#
    );
    event("SubscribeToShardEvent", "application/json", body.as_bytes())
}

fn subscribe(
    client: &kinesis::Client,
) -> kinesis::operation::subscribe_to_shard::builders::SubscribeToShardFluentBuilder {
    client
        .subscribe_to_shard()
        .consumer_arn("arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1")
        .shard_id("shardId-000000000000")
        .starting_position(
            StartingPosition::builder()
                .r#type(ShardIteratorType::Latest)
                .build()
                .unwrap(),
        )
}

#[tokio::test]
async fn lambda_streams_payload_chunks_then_the_completion_event() {
    let server = Server::with_signing(&LAMBDA, Clock::default(), |seen| {
        assert_eq!(seen.method, "POST");
        assert_eq!(
            seen.path,
            "/2021-11-15/functions/thumbnailer/response-streaming-invocations"
        );
        assert_eq!(seen.body, br#"{"size":64}"#);
        Reply::Events(
            vec![("x-amz-executed-version", "7".to_owned())],
            stream(&[
                event("PayloadChunk", "application/octet-stream", b"thumb"),
                event("PayloadChunk", "application/octet-stream", &[0, 255, 1]),
                event(
                    "InvokeComplete",
                    "application/json",
                    br#"{"LogResult":"U1RBUlQ="}"#,
                ),
            ]),
        )
    });
    let mut output = lambda_client(&server)
        .invoke_with_response_stream()
        .function_name("thumbnailer")
        .payload(sdk_runtime::Blob::new(br#"{"size":64}"#.to_vec()))
        .send()
        .await
        .unwrap();
    server.assert_all_signed();
    assert_eq!(output.status_code(), Some(200));
    assert_eq!(output.executed_version(), Some("7"));

    let mut chunks = Vec::new();
    let mut log = None;
    while let Some(event) = output.event_stream().recv().await.unwrap() {
        match event {
            LambdaEvent::PayloadChunk(chunk) => {
                chunks.extend_from_slice(chunk.payload().unwrap().as_bytes())
            }
            LambdaEvent::InvokeComplete(done) => log = done.log_result().map(str::to_owned),
            other => panic!("unexpected event {other:?}"),
        }
    }
    assert_eq!(chunks, b"thumb\x00\xff\x01");
    assert_eq!(log.as_deref(), Some("U1RBUlQ="));
    // The end is sticky.
    assert!(output.event_stream().recv().await.unwrap().is_none());
}

#[test]
fn lambda_events_read_without_an_async_runtime() {
    let server = Server::with_signing(&LAMBDA, Clock::default(), |_| {
        Reply::Events(
            Vec::new(),
            stream(&[
                event("PayloadChunk", "application/octet-stream", b"one"),
                // An event this crate does not know is kept, by name.
                event("PayloadSummary", "application/json", b"{}"),
            ]),
        )
    });
    let mut output = lambda_client(&server)
        .invoke_with_response_stream()
        .function_name("f")
        .send_blocking()
        .unwrap();
    let events = output.event_stream().collect_blocking().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(
        events[0]
            .as_payload_chunk()
            .unwrap()
            .payload()
            .unwrap()
            .as_bytes(),
        b"one"
    );
    assert_eq!(events[1], LambdaEvent::Unknown("PayloadSummary".to_owned()));
}

#[tokio::test]
async fn kinesis_passes_over_the_initial_response_and_reads_records() {
    let server = Server::with_signing(&KINESIS, Clock::default(), |seen| {
        assert_eq!(
            seen.header("x-amz-target").as_deref(),
            Some("Kinesis_20131202.SubscribeToShard")
        );
        let body = seen.json();
        assert_eq!(body["ShardId"], "shardId-000000000000");
        assert_eq!(body["StartingPosition"]["Type"], "LATEST");
        Reply::Events(
            Vec::new(),
            stream(&[
                event("initial-response", "application/json", b"{}"),
                shard_event(
                    "49590338271490256608559692538361571095921575989136588898",
                    b"21.5",
                ),
                shard_event(
                    "49590338271490256608559692538361571095921575989136588899",
                    &[0, 1, 2],
                ),
            ]),
        )
    });
    let mut output = subscribe(&kinesis_client(&server)).send().await.unwrap();
    server.assert_all_signed();
    let mut data = Vec::new();
    while let Some(event) = output.event_stream().recv().await.unwrap() {
        let SubscribeToShardEventStream::SubscribeToShardEvent(event) = event else {
            panic!("unexpected event {event:?}");
        };
        assert_eq!(event.millis_behind_latest(), Some(0));
        let record = &event.records().unwrap()[0];
        assert_eq!(record.partition_key(), Some("sensor-17"));
        assert_eq!(
            record.approximate_arrival_timestamp(),
            DateTime::from_secs_f64(1717200000.5)
        );
        data.push(record.data().unwrap().as_bytes().to_vec());
    }
    assert_eq!(data, [b"21.5".to_vec(), vec![0, 1, 2]]);
}

#[tokio::test]
async fn kinesis_exceptions_in_the_stream_are_typed_or_unhandled() {
    let server = Server::with_signing(&KINESIS, Clock::default(), |_| {
        Reply::Events(
            Vec::new(),
            stream(&[
                event("initial-response", "application/json", b"{}"),
                shard_event("1", b"x"),
                exception(
                    "ResourceInUseException",
                    r#"{"message":"Another subscription is active"}"#,
                ),
                shard_event("2", b"never read"),
            ]),
        )
    });
    let client = kinesis_client(&server);
    let mut output = subscribe(&client).send().await.unwrap();
    let events = output.event_stream();
    assert!(events.recv().await.unwrap().is_some());
    let error = events.recv().await.unwrap_err();
    assert_eq!(error.request_id(), Some("req-0"));
    match error.into_service_error() {
        SubscribeToShardEventStreamError::ResourceInUseException(e) => {
            assert_eq!(e.message(), Some("Another subscription is active"))
        }
        other => panic!("expected ResourceInUseException, got {other:?}"),
    }
    // A stream that carried an error gives nothing after it.
    assert!(events.recv().await.unwrap().is_none());

    // An `error` message, and an exception the union does not name.
    server.script([
        Reply::Events(
            Vec::new(),
            stream(&[Message::new(Vec::new())
                .header(":message-type", text("error"))
                .header(":error-code", text("InternalError"))
                .header(":error-message", text("try again"))]),
        ),
        Reply::Events(
            Vec::new(),
            stream(&[exception("ShardClosedException", r#"{"message":"closed"}"#)]),
        ),
    ]);
    for (code, message) in [
        ("InternalError", Some("try again")),
        ("ShardClosedException", None),
    ] {
        let mut output = subscribe(&client).send().await.unwrap();
        let error = output
            .event_stream()
            .recv()
            .await
            .unwrap_err()
            .into_service_error();
        let SubscribeToShardEventStreamError::Unhandled(unhandled) = error else {
            panic!("expected an unhandled error, got {error:?}");
        };
        assert_eq!(unhandled.code(), Some(code));
        assert_eq!(unhandled.message(), message);
    }
}

#[tokio::test]
async fn a_corrupt_stream_is_an_error_that_names_the_problem() {
    let mut bytes = stream(&[shard_event("1", b"x"), shard_event("2", b"y")]);
    // Flip a payload byte of the second message: its CRC no longer matches.
    let last = bytes.len() - 10;
    bytes[last] ^= 0x20;
    // And a stream cut off inside a message.
    let cut = stream(&[shard_event("1", b"x")]);
    let cut = cut[..cut.len() - 3].to_vec();
    let server = Server::with_signing(&KINESIS, Clock::default(), |_| Reply::ok("{}"));
    server.script([
        Reply::Events(Vec::new(), bytes),
        Reply::Events(Vec::new(), cut),
    ]);
    let client = kinesis_client(&server);

    let mut output = subscribe(&client).send().await.unwrap();
    assert!(output.event_stream().recv().await.unwrap().is_some());
    let error = output.event_stream().recv().await.unwrap_err();
    let text = format!("{error}");
    assert!(text.contains("CRC"), "{text}");
    assert!(output.event_stream().recv().await.unwrap().is_none());

    let mut output = subscribe(&client).send().await.unwrap();
    let error = output.event_stream().recv().await.unwrap_err();
    let text = format!("{error}");
    assert!(text.contains("event stream: truncated message"), "{text}");
}
