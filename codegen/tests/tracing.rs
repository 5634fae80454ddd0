//! The runtime's `tracing` feature, seen by a subscriber: a span per call
//! (service, operation, attempts) and per attempt (number, status, request
//! id, duration), an event per retry with its reason and wait, and never a
//! secret in any field or message.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use iot_jobs_data_plane::{Client, Config, Credentials};
use sdk_runtime::block_on::block_on;
use sdk_runtime::testing::{response, InstantSleep, ReplayClient};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Field names to values, as `Debug` shows them.
type Values = BTreeMap<String, String>;

/// A span as seen: its name, its parent's id and its fields.
type SpanSeen = (String, Option<u64>, Values);

/// What the subscriber saw: spans by id and events (their span, fields).
#[derive(Default)]
struct Seen {
    spans: BTreeMap<u64, SpanSeen>,
    events: Vec<(Option<u64>, Values)>,
    stack: Vec<u64>,
}

#[derive(Clone, Default)]
struct Recorder {
    seen: Arc<Mutex<Seen>>,
    next: Arc<AtomicU64>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut text = String::new();
        let _ = write!(text, "{value:?}");
        self.0.insert(field.name().to_owned(), text);
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let mut seen = self.seen.lock().unwrap();
        let parent = attrs.parent().map(Id::into_u64).or_else(|| {
            attrs
                .is_contextual()
                .then(|| seen.stack.last().copied())
                .flatten()
        });
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        seen.spans
            .insert(id, (attrs.metadata().name().to_owned(), parent, fields));
        Id::from_u64(id)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut seen = self.seen.lock().unwrap();
        if let Some((_, _, fields)) = seen.spans.get_mut(&span.into_u64()) {
            values.record(&mut Fields(fields));
        }
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut seen = self.seen.lock().unwrap();
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        let parent = seen.stack.last().copied();
        seen.events.push((parent, fields));
    }

    fn enter(&self, span: &Id) {
        self.seen.lock().unwrap().stack.push(span.into_u64());
    }

    fn exit(&self, _: &Id) {
        self.seen.lock().unwrap().stack.pop();
    }
}

#[test]
fn calls_attempts_and_retries_are_traced_without_secrets() {
    let recorder = Recorder::default();
    let replay = ReplayClient::new();
    replay.push(response(
        429,
        &[("x-amzn-RequestId", "req-throttled")],
        r#"{"__type":"ThrottlingException","message":"slow down"}"#,
    ));
    replay.push(response(
        200,
        &[("x-amzn-RequestId", "req-ok")],
        r#"{"execution":{"jobId":"job-1"}}"#,
    ));
    let config = Config::builder()
        .region("us-east-1")
        .endpoint_url("http://127.0.0.1:8080")
        .credentials(Credentials::new(
            "AKIDTRACE",
            "SECRET-TRACE",
            Some("TOKEN-TRACE".to_owned()),
        ))
        .http_client(replay.clone())
        .sleep_impl(InstantSleep::new())
        .build();
    let client = Client::from_conf(config);
    tracing::subscriber::with_default(recorder.clone(), || {
        block_on(
            client
                .describe_job_execution()
                .thing_name("thing-1")
                .job_id("job-1")
                .send(),
        )
        .unwrap();
    });

    let seen = recorder.seen.lock().unwrap();
    let calls: Vec<(&u64, &BTreeMap<String, String>)> = seen
        .spans
        .iter()
        .filter(|(_, (name, _, _))| name == "call")
        .map(|(id, (_, _, fields))| (id, fields))
        .collect();
    assert_eq!(calls.len(), 1, "one call span");
    let (call_id, call) = calls[0];
    assert_eq!(call["service"], "IoT Jobs Data Plane");
    assert_eq!(call["operation"], "DescribeJobExecution");
    assert_eq!(call["attempts"], "2");

    let attempts: Vec<&BTreeMap<String, String>> = seen
        .spans
        .values()
        .filter(|(name, parent, _)| name == "attempt" && *parent == Some(*call_id))
        .map(|(_, _, fields)| fields)
        .collect();
    assert_eq!(attempts.len(), 2, "two attempt spans inside the call");
    assert_eq!(
        (
            attempts[0]["number"].as_str(),
            attempts[0]["status"].as_str()
        ),
        ("1", "429")
    );
    assert_eq!(attempts[0]["request_id"], "req-throttled");
    assert_eq!(
        (
            attempts[1]["number"].as_str(),
            attempts[1]["status"].as_str()
        ),
        ("2", "200")
    );
    assert_eq!(attempts[1]["request_id"], "req-ok");
    assert!(attempts.iter().all(|a| a.contains_key("duration_ms")));

    let retries: Vec<&BTreeMap<String, String>> = seen
        .events
        .iter()
        .filter(|(_, fields)| fields.get("message").is_some_and(|m| m == "retrying"))
        .map(|(_, fields)| fields)
        .collect();
    assert_eq!(retries.len(), 1, "{:?}", seen.events);
    assert_eq!(retries[0]["reason"], "Throttling");
    assert_eq!(retries[0]["attempt"], "1");
    assert!(retries[0]["wait_ms"].parse::<u64>().is_ok());

    let everything = format!("{:?} {:?}", seen.spans, seen.events);
    for secret in ["SECRET-TRACE", "TOKEN-TRACE"] {
        assert!(!everything.contains(secret), "{secret} in {everything}");
    }
}

#[test]
fn credentials_refreshes_are_traced_without_secrets() {
    let recorder = Recorder::default();
    let home = tempfile::tempdir().unwrap();
    let home = home.path().display().to_string();
    let env = sdk_runtime::env::Env::from_pairs([
        ("HOME", home.as_str()),
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://127.0.0.1:9/creds",
        ),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "AUTH-TRACE"),
    ]);
    // The container endpoint, through the configured transport: first a
    // failure, then credentials; then the service call.
    let replay = ReplayClient::new();
    replay.push(response(500, &[], r#"{"message":"try later"}"#));
    replay.push(response(
        200,
        &[],
        r#"{"AccessKeyId":"AKIDTRACE","SecretAccessKey":"SECRET-TRACE","Token":"TOKEN-TRACE","Expiration":"2099-01-01T00:00:00Z"}"#,
    ));
    replay.push(response(200, &[], r#"{"execution":{"jobId":"job-1"}}"#));
    let client = Client::from_conf(
        Config::from_env_with(env)
            .region("us-east-1")
            .endpoint_url("http://127.0.0.1:8080")
            .http_client(replay.clone())
            .build(),
    );
    let call = || {
        block_on(
            client
                .describe_job_execution()
                .thing_name("thing-1")
                .job_id("job-1")
                .send(),
        )
    };
    tracing::subscriber::with_default(recorder.clone(), || {
        let err = call().unwrap_err();
        assert!(err.to_string().contains("status 500"), "{err}");
        call().unwrap();
    });
    let requests = replay.requests();
    assert_eq!(requests[0].headers()["authorization"], "AUTH-TRACE");
    assert_eq!(requests[2].headers()["x-amz-security-token"], "TOKEN-TRACE");

    let seen = recorder.seen.lock().unwrap();
    let messages: Vec<&str> = seen
        .events
        .iter()
        .filter_map(|(_, fields)| fields.get("message").map(String::as_str))
        .collect();
    assert!(
        messages.iter().any(|m| m.starts_with("credentials refresh failed: container credentials from http://127.0.0.1:9/creds: status 500")),
        "{messages:?}"
    );
    assert!(messages.contains(&"credentials refreshed"), "{messages:?}");
    let resolved: Vec<&Values> = seen
        .events
        .iter()
        .map(|(_, fields)| fields)
        .filter(|fields| {
            fields
                .get("message")
                .is_some_and(|m| m == "credentials resolved")
        })
        .collect();
    assert_eq!(resolved.len(), 2, "{:?}", seen.events);
    assert!(resolved
        .iter()
        .all(|fields| fields["source"] == "container"));

    let everything = format!("{:?} {:?}", seen.spans, seen.events);
    for secret in ["SECRET-TRACE", "TOKEN-TRACE", "AUTH-TRACE"] {
        assert!(!everything.contains(secret), "{secret} in {everything}");
    }
}
