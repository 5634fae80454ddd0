//! A generated Smithy RPC v2 CBOR client (EventBridgeV2 `PutEvents` and
//! `DescribeEventBus`) end to end: the default transport (ureq) against the
//! local test server, which checks every signature with its own SigV4 code
//! (signing name `events`), decodes the CBOR request body and answers with
//! CBOR bodies, successes and errors.

// The IoT Jobs end-to-end tests use the rest of the server.
#[allow(dead_code)]
#[path = "e2e/server.rs"]
mod server;

use eventbridgev2::operation::describe_event_bus::DescribeEventBusError;
use eventbridgev2::types::{BusState, PutEventsRequestEntry};
use eventbridgev2::{Client, Config, Credentials};
use sdk_runtime::__private::cbor::{self, CborDeserialize, CborError, CborObject, Decoder};
use sdk_runtime::testing::InstantSleep;
use sdk_runtime::DateTime;

use server::{Clock, Reply, Server, Signing};

static EVENTS: Signing = Signing {
    access_key: "AKIDEXAMPLE",
    secret_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    region: "us-east-1",
    service: "events",
};

const BUS: &str = "arn:aws:events:us-east-1:123456789012:event-bus/orders";

fn client(server: &Server) -> Client {
    Client::from_conf(
        Config::builder()
            .region(EVENTS.region)
            .endpoint_url(server.endpoint())
            .credentials(Credentials::new(EVENTS.access_key, EVENTS.secret_key, None))
            .sleep_impl(InstantSleep::new())
            .build(),
    )
}

/// The request body as the server decodes it.
#[derive(Default, Debug)]
struct PutEventsBody {
    event_bus_arn: Option<String>,
    entries: Option<Vec<EntryBody>>,
}

#[derive(Default, Debug, PartialEq)]
struct EntryBody {
    source: Option<String>,
    detail_type: Option<String>,
    detail: Option<String>,
    time: Option<DateTime>,
}

impl CborObject for PutEventsBody {
    const NAME: &'static str = "PutEventsRequest";
    fn read_member(
        &mut self,
        key: &str,
        d: &mut Decoder<'_>,
        depth: usize,
    ) -> Result<(), CborError> {
        match key {
            "EventBusArn" => self.event_bus_arn = cbor::value(d, depth)?,
            "Entries" => self.entries = cbor::value(d, depth)?,
            _ => return Err(CborError::new(format!("unexpected member {key}"))),
        }
        Ok(())
    }
}

impl CborObject for EntryBody {
    const NAME: &'static str = "PutEventsRequestEntry";
    fn read_member(
        &mut self,
        key: &str,
        d: &mut Decoder<'_>,
        depth: usize,
    ) -> Result<(), CborError> {
        match key {
            "Source" => self.source = cbor::value(d, depth)?,
            "DetailType" => self.detail_type = cbor::value(d, depth)?,
            "Detail" => self.detail = cbor::value(d, depth)?,
            "Time" => self.time = cbor::value(d, depth)?,
            _ => return Err(CborError::new(format!("unexpected member {key}"))),
        }
        Ok(())
    }
}

impl CborDeserialize for PutEventsBody {
    fn read_cbor(d: &mut Decoder<'_>, depth: usize) -> Result<Self, CborError> {
        cbor::read_object(d, depth)
    }
}

impl CborDeserialize for EntryBody {
    fn read_cbor(d: &mut Decoder<'_>, depth: usize) -> Result<Self, CborError> {
        cbor::read_object(d, depth)
    }
}

/// A CBOR map of text keys, written with the runtime's encoder.
fn cbor_map(write: impl FnOnce(&mut cbor::Writer<'_>) -> Result<(), CborError>) -> Vec<u8> {
    let mut bytes = Vec::new();
    write(&mut cbor::Encoder::new(&mut bytes)).unwrap();
    bytes
}

#[test]
fn put_events_sends_signed_cbor_and_reads_the_cbor_output() {
    let response = cbor_map(|w| {
        cbor::map_header(w, 2)?;
        cbor::entry(w, "FailedEntryCount", &0)?;
        w.str("Entries")?.array(1)?;
        cbor::map_header(w, 2)?;
        cbor::entry(w, "EventId", "e-1")?;
        cbor::entry(w, "SomeFutureMember", &vec![1.5f64])
    });
    let server = Server::with_signing(&EVENTS, Clock::default(), move |_| {
        Reply::Cbor(200, response.clone())
    });
    let at = DateTime::from_secs_f64(1_700_000_000.0).unwrap();
    let output = client(&server)
        .put_events()
        .event_bus_arn(BUS)
        .entries(
            PutEventsRequestEntry::builder()
                .source("shop.orders")
                .detail_type("OrderPlaced")
                .detail(r#"{"id": 7}"#)
                .time(at)
                .build()
                .unwrap(),
        )
        .send_blocking()
        .unwrap();
    assert_eq!(output.failed_entry_count(), Some(0));
    assert_eq!(output.entries().unwrap()[0].event_id(), Some("e-1"));

    server.assert_all_signed();
    let seen = &server.seen()[0];
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.path, "/service/AWSEventsV2/operation/PutEvents");
    assert_eq!(
        seen.header("smithy-protocol").as_deref(),
        Some("rpc-v2-cbor")
    );
    assert_eq!(
        seen.header("content-type").as_deref(),
        Some("application/cbor")
    );
    assert_eq!(seen.header("accept").as_deref(), Some("application/cbor"));
    assert_eq!(seen.header("x-amz-target"), None);
    let body: PutEventsBody = cbor::from_slice(&seen.body).unwrap();
    assert_eq!(body.event_bus_arn.as_deref(), Some(BUS));
    assert_eq!(
        body.entries.unwrap(),
        [EntryBody {
            source: Some("shop.orders".into()),
            detail_type: Some("OrderPlaced".into()),
            detail: Some(r#"{"id": 7}"#.into()),
            time: Some(at),
        }]
    );
}

#[tokio::test]
async fn a_cbor_error_becomes_the_typed_error() {
    let error = cbor_map(|w| {
        cbor::map_header(w, 2)?;
        cbor::entry(
            w,
            "__type",
            "com.amazonaws.eventbridgev2#ResourceNotFoundException",
        )?;
        cbor::entry(w, "Message", "no such bus")
    });
    let server = Server::with_signing(&EVENTS, Clock::default(), move |_| {
        Reply::Cbor(400, error.clone())
    });
    let err = client(&server)
        .describe_event_bus()
        .event_bus_arn(BUS)
        .send()
        .await
        .unwrap_err();
    server.assert_all_signed();
    assert_eq!(server.seen().len(), 1, "a 400 is not retried");
    match err.into_service_error() {
        DescribeEventBusError::ResourceNotFoundException(e) => {
            assert_eq!(e.message(), Some("no such bus"));
        }
        other => panic!("expected ResourceNotFoundException, got {other:?}"),
    }
}

#[test]
fn describe_event_bus_reads_timestamps_and_enums_and_throttling_is_retried() {
    let throttled = cbor_map(|w| {
        cbor::map_header(w, 1)?;
        cbor::entry(w, "__type", "ThrottlingException")
    });
    let described = cbor_map(|w| {
        // An indefinite-length map, as a server may send.
        w.begin_map()?;
        cbor::entry(w, "Name", "orders")?;
        cbor::entry(
            w,
            "CreationTime",
            &DateTime::from_secs_f64(1_700_000_000.5).unwrap(),
        )?;
        cbor::entry(w, "State", "ACTIVE")?;
        w.end()?;
        Ok(())
    });
    let server = Server::with_signing(&EVENTS, Clock::default(), move |_| {
        Reply::Cbor(200, described.clone())
    });
    server.script([Reply::Cbor(400, throttled)]);
    let output = client(&server)
        .describe_event_bus()
        .event_bus_arn(BUS)
        .send_blocking()
        .unwrap();
    assert_eq!(server.seen().len(), 2, "the throttled attempt was retried");
    server.assert_all_signed();
    assert_eq!(output.name(), Some("orders"));
    assert_eq!(output.state(), Some(&BusState::Active));
    assert_eq!(
        output.creation_time().map(|t| t.as_secs_f64()),
        Some(1_700_000_000.5)
    );
}
