//! The generated IoT Jobs client end to end: the default transport (ureq)
//! against a local HTTP/1.1 server that checks every signature with its own
//! SigV4 code and answers like the service (`e2e/server.rs`,
//! `e2e/fake_jobs.rs`). Async tests run on tokio (`send().await`), blocking
//! ones on no runtime at all (`send_blocking()`).
//!
//! Retries wait on an `InstantSleep`, so nothing here waits for a backoff;
//! the only real waits are the attempt timeouts (200 and 500 ms) of the two
//! timeout tests.

#[path = "e2e/fake_jobs.rs"]
mod fake_jobs;
#[path = "e2e/server.rs"]
mod server;

#[path = "../examples/iot_job_agent/agent.rs"]
mod agent;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use iot_jobs_data_plane::operation::describe_job_execution::DescribeJobExecutionError;
use iot_jobs_data_plane::operation::get_pending_job_executions::GetPendingJobExecutionsError;
use iot_jobs_data_plane::operation::update_job_execution::UpdateJobExecutionError;
use iot_jobs_data_plane::types::JobExecutionStatus;
use iot_jobs_data_plane::{Client, Config, ConfigBuilder, Credentials, SdkError};
use sdk_runtime::credentials::{self, CredentialsFuture, ProvideCredentials, ProviderContext};
use sdk_runtime::testing::InstantSleep;
use sdk_runtime::transport::ConnectorErrorKind;
use serde_json::json;

use agent::{Agent, JobDocument, Outcome};
use fake_jobs::FakeJobs;
use server::{Clock, Gate, Reply, Seen, Server, SIGNING};

/// A thing name whose `:` the client must percent-encode in the path (and
/// sign encoded twice).
const THING: &str = "sensor:17";
const THING_PATH: &str = "/things/sensor%3A17/jobs";
const INSTALL: &str = r#"{"operation": "install", "steps": ["download", "verify", "apply"]}"#;

/// A server playing the service for `THING`, and a client configuration
/// for it: the default transport, the contract's builder calls, and a
/// sleep that records backoffs instead of waiting.
struct Setup {
    server: Server,
    jobs: Arc<FakeJobs>,
    sleep: InstantSleep,
    config: ConfigBuilder,
}

fn setup() -> Setup {
    setup_with_clock(Clock::default())
}

fn setup_with_clock(clock: Clock) -> Setup {
    let jobs = Arc::new(FakeJobs::new(THING));
    let server = {
        let jobs = Arc::clone(&jobs);
        Server::with_clock(clock, move |seen| jobs.handle(seen))
    };
    let sleep = InstantSleep::new();
    let config = config_for(&server, &sleep);
    Setup {
        server,
        jobs,
        sleep,
        config,
    }
}

/// A configuration that calls `server` with the tests' credentials.
fn config_for(server: &Server, sleep: &InstantSleep) -> ConfigBuilder {
    Config::builder()
        .region(SIGNING.region)
        .endpoint_url(server.endpoint())
        .credentials(Credentials::new(
            SIGNING.access_key,
            SIGNING.secret_key,
            None,
        ))
        .sleep_impl(sleep.clone())
}

impl Setup {
    fn client(&self) -> Client {
        Client::from_conf(self.config.clone().build())
    }

    /// The one request the server got.
    fn only_request(&self) -> Seen {
        let seen = self.server.seen();
        assert_eq!(seen.len(), 1, "expected one request, got {seen:#?}");
        self.server.assert_all_signed();
        seen.into_iter().next().unwrap()
    }
}

fn query_pairs(seen: &Seen) -> Vec<&str> {
    let mut pairs: Vec<&str> = seen.query.split('&').filter(|p| !p.is_empty()).collect();
    pairs.sort_unstable();
    pairs
}

// --- The four operations ---

#[tokio::test]
async fn get_pending_job_executions_lists_in_progress_and_queued_jobs() {
    let s = setup();
    s.jobs.queue("job-1", INSTALL);
    s.jobs.queue("job-2", INSTALL);
    s.jobs.change("job-1", "IN_PROGRESS");

    let output = s
        .client()
        .get_pending_job_executions()
        .thing_name(THING)
        .send()
        .await
        .unwrap();

    let in_progress = output.in_progress_jobs().unwrap();
    assert_eq!(in_progress.len(), 1);
    assert_eq!(in_progress[0].job_id(), Some("job-1"));
    assert_eq!(in_progress[0].version_number(), Some(2));
    assert_eq!(in_progress[0].execution_number(), Some(1));
    let queued = output.queued_jobs().unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].job_id(), Some("job-2"));
    assert_eq!(
        queued[0].queued_at(),
        Some(s.jobs.execution("job-2").queued_at)
    );

    let seen = s.only_request();
    assert_eq!(seen.method, "GET");
    assert_eq!(seen.path, THING_PATH);
    assert_eq!(seen.query, "");
    assert!(seen.body.is_empty());
    assert_eq!(seen.header("content-type"), None);
    assert_eq!(seen.header("content-length"), None);
    assert_eq!(
        seen.header("host").as_deref(),
        s.server.endpoint().strip_prefix("http://")
    );
}

#[test]
fn start_next_pending_job_execution_starts_the_oldest_queued_job() {
    let s = setup();
    s.jobs.queue("job-1", INSTALL);
    s.jobs.queue("job-2", r#"{"operation": "reboot"}"#);

    let output = s
        .client()
        .start_next_pending_job_execution()
        .thing_name(THING)
        .status_details("agent", "v1.2")
        .step_timeout_in_minutes(15)
        .send_blocking()
        .unwrap();

    let execution = output.execution().unwrap();
    assert_eq!(execution.job_id(), Some("job-1"));
    assert_eq!(execution.thing_name(), Some(THING));
    assert_eq!(execution.status(), Some(&JobExecutionStatus::InProgress));
    assert_eq!(execution.version_number(), Some(2));
    assert_eq!(execution.job_document(), Some(INSTALL));
    assert_eq!(execution.status_details().unwrap()["agent"], "v1.2");
    assert_eq!(execution.approximate_seconds_before_timed_out(), Some(900));
    assert!(execution.started_at().is_some());
    assert_eq!(s.jobs.execution("job-1").status, "IN_PROGRESS");
    assert_eq!(s.jobs.execution("job-2").status, "QUEUED");

    let seen = s.only_request();
    assert_eq!(seen.method, "PUT");
    assert_eq!(seen.path, format!("{THING_PATH}/$next"));
    assert_eq!(
        seen.header("content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(
        seen.json(),
        json!({"statusDetails": {"agent": "v1.2"}, "stepTimeoutInMinutes": 15})
    );
}

#[tokio::test]
async fn update_job_execution_moves_a_job_on_and_not_back() {
    let s = setup();
    s.jobs.queue("job-1", INSTALL);
    s.jobs.change("job-1", "IN_PROGRESS");
    let client = s.client();

    let output = client
        .update_job_execution()
        .thing_name(THING)
        .job_id("job-1")
        .status(JobExecutionStatus::Succeeded)
        .status_details("result", "installed 1.2.3")
        .expected_version(2)
        .include_job_execution_state(true)
        .include_job_document(true)
        .send()
        .await
        .unwrap();
    let state = output.execution_state().unwrap();
    assert_eq!(state.status(), Some(&JobExecutionStatus::Succeeded));
    assert_eq!(state.version_number(), Some(3));
    assert_eq!(state.status_details().unwrap()["result"], "installed 1.2.3");
    assert_eq!(output.job_document(), Some(INSTALL));
    assert_eq!(s.jobs.execution("job-1").status, "SUCCEEDED");

    let seen = s.only_request();
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.path, format!("{THING_PATH}/job-1"));
    assert_eq!(
        seen.json(),
        json!({
            "status": "SUCCEEDED",
            "statusDetails": {"result": "installed 1.2.3"},
            "expectedVersion": 2,
            "includeJobExecutionState": true,
            "includeJobDocument": true
        })
    );

    // A finished job cannot go back: a modeled error, not retried.
    let err = client
        .update_job_execution()
        .thing_name(THING)
        .job_id("job-1")
        .status(JobExecutionStatus::InProgress)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.attempts(), 1);
    assert!(
        matches!(
            err.into_service_error(),
            UpdateJobExecutionError::InvalidStateTransitionException(_)
        ),
        "expected InvalidStateTransitionException"
    );
    assert_eq!(s.server.seen().len(), 2);
}

#[test]
fn describe_job_execution_reads_one_execution_with_its_document() {
    let s = setup();
    s.jobs.queue("job-1", INSTALL);
    s.jobs.queue("job-2", r#"{"operation": "reboot"}"#);
    let client = s.client();

    let output = client
        .describe_job_execution()
        .thing_name(THING)
        .job_id("job-2")
        .include_job_document(true)
        .execution_number(2)
        .send_blocking()
        .unwrap();
    let execution = output.execution().unwrap();
    assert_eq!(execution.job_id(), Some("job-2"));
    assert_eq!(execution.status(), Some(&JobExecutionStatus::Queued));
    assert_eq!(execution.execution_number(), Some(2));
    assert_eq!(execution.version_number(), Some(1));
    assert_eq!(execution.job_document(), Some(r#"{"operation": "reboot"}"#));

    let seen = s.only_request();
    assert_eq!(seen.method, "GET");
    assert_eq!(seen.path, format!("{THING_PATH}/job-2"));
    assert_eq!(
        query_pairs(&seen),
        ["executionNumber=2", "includeJobDocument=true"]
    );
    assert!(seen.body.is_empty());

    let err = client
        .describe_job_execution()
        .thing_name(THING)
        .job_id("job-9")
        .send_blocking()
        .unwrap_err();
    assert_eq!(err.request_id(), Some("req-1"));
    let DescribeJobExecutionError::ResourceNotFoundException(missing) = err.into_service_error()
    else {
        panic!("expected ResourceNotFoundException");
    };
    assert_eq!(missing.message(), Some("no execution of job-9"));
}

/// Both user-agent headers reach the server in the AWS SDKs' format, with
/// the configured application id, over the default transport.
#[test]
fn requests_carry_the_sdk_user_agent_and_application_id() {
    let s = setup();
    let client = Client::from_conf(s.config.clone().app_id("fleet-agent").build());
    client
        .get_pending_job_executions()
        .thing_name(THING)
        .send_blocking()
        .unwrap();
    let seen = s.only_request();
    let sdk = sdk_runtime::user_agent::SDK;
    let plain = seen.header("user-agent").unwrap();
    assert!(plain.starts_with(&format!("{sdk} os/")), "{plain}");
    assert!(plain.contains(" lang/rust/"), "{plain}");
    let amz = seen.header("x-amz-user-agent").unwrap();
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        amz.starts_with(&format!("{sdk} ua/2.1 api/iotjobsdataplane/{version} os/")),
        "{amz}"
    );
    assert!(amz.ends_with(" app/fleet-agent"), "{amz}");
}

// --- Retries ---

/// New session credentials for every request: shows each attempt is signed afresh.
#[derive(Debug, Default)]
struct Rotating(AtomicU32);

impl ProvideCredentials for Rotating {
    fn provide_credentials<'a>(&'a self, _cx: &'a ProviderContext) -> CredentialsFuture<'a> {
        let n = self.0.fetch_add(1, Ordering::SeqCst);
        credentials::ready(Ok(Credentials::new(
            SIGNING.access_key,
            SIGNING.secret_key,
            Some(format!("session-{n}")),
        )))
    }
}

#[tokio::test]
async fn throttled_request_is_signed_again_and_retried() {
    let s = setup();
    s.jobs.queue("job-1", INSTALL);
    s.server
        .script([Reply::error(429, "ThrottlingException", "Rate exceeded")]);
    let client = Client::from_conf(
        s.config
            .clone()
            .credentials_provider(Rotating::default())
            .build(),
    );

    let output = client
        .get_pending_job_executions()
        .thing_name(THING)
        .send()
        .await
        .unwrap();
    assert_eq!(output.queued_jobs().unwrap().len(), 1);

    assert_eq!(s.server.replies(), [429, 200]);
    s.server.assert_all_signed();
    let seen = s.server.seen();
    let tokens: Vec<_> = seen
        .iter()
        .map(|r| r.header("x-amz-security-token"))
        .collect();
    assert_eq!(tokens, [Some("session-0".into()), Some("session-1".into())]);
    assert_ne!(
        seen[0].header("authorization"),
        seen[1].header("authorization")
    );
    let waits = s.sleep.durations();
    assert_eq!(waits.len(), 1);
    assert!(waits[0] <= Duration::from_millis(100), "{waits:?}");
}

#[tokio::test]
async fn a_reply_slower_than_the_attempt_timeout_is_a_timeout() {
    let s = setup();
    s.server.script([Reply::Delayed(
        Duration::from_secs(2),
        Box::new(Reply::ok("{}")),
    )]);
    let client = Client::from_conf(
        s.config
            .clone()
            .attempt_timeout(Duration::from_millis(200))
            .max_attempts(1)
            .build(),
    );
    let err = client
        .get_pending_job_executions()
        .thing_name(THING)
        .send()
        .await
        .unwrap_err();
    let SdkError::DispatchFailure(failure) = &err else {
        panic!("expected a dispatch failure, got {err:?}");
    };
    assert_eq!(failure.kind(), ConnectorErrorKind::Timeout);
    assert!(
        err.to_string()
            .contains("the attempt timeout of 200ms ran out"),
        "{err}"
    );
    assert_eq!(err.attempts(), 1);
}

#[test]
fn after_a_timeout_a_fast_reply_succeeds() {
    // More room than the 200 ms above: the second attempt must finish in it.
    let s = setup();
    s.jobs.queue("job-1", INSTALL);
    s.server.script([Reply::Delayed(
        Duration::from_secs(3),
        Box::new(Reply::ok("{}")),
    )]);
    let client = Client::from_conf(
        s.config
            .clone()
            .attempt_timeout(Duration::from_millis(500))
            .build(),
    );
    let output = client
        .get_pending_job_executions()
        .thing_name(THING)
        .send_blocking()
        .unwrap();
    assert_eq!(output.queued_jobs().unwrap()[0].job_id(), Some("job-1"));
    assert_eq!(s.server.seen().len(), 2);
    assert_eq!(s.sleep.durations().len(), 1);
    s.server.assert_all_signed();
}

#[tokio::test]
async fn a_connection_cut_mid_response_is_retried() {
    let s = setup();
    s.jobs.queue("job-1", INSTALL);
    s.jobs.change("job-1", "IN_PROGRESS");
    s.server.script([Reply::CutShort]);
    let output = s
        .client()
        .describe_job_execution()
        .thing_name(THING)
        .job_id("job-1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        output.execution().unwrap().status(),
        Some(&JobExecutionStatus::InProgress)
    );
    assert_eq!(s.server.replies(), [200, 200]);
}

#[test]
fn connections_cut_every_time_end_in_an_io_error() {
    let s = setup();
    s.server.script([Reply::CutShort, Reply::CutShort]);
    let client = Client::from_conf(s.config.clone().max_attempts(2).build());
    let err = client
        .describe_job_execution()
        .thing_name(THING)
        .job_id("job-1")
        .send_blocking()
        .unwrap_err();
    let SdkError::DispatchFailure(failure) = &err else {
        panic!("expected a dispatch failure, got {err:?}");
    };
    assert_eq!(failure.kind(), ConnectorErrorKind::Io);
    assert_eq!(err.attempts(), 2);
    let endpoint = s.server.endpoint();
    let peer = endpoint.trim_start_matches("http://");
    assert!(
        err.to_string().starts_with(&format!(
            "dispatch failure after 2 attempts: connection to {peer} closed before the response was complete"
        )),
        "{err}"
    );
    assert_eq!(s.server.seen().len(), 2);
}

#[test]
fn a_reply_that_is_not_http_is_not_retried() {
    for (what, reply) in [
        ("garbage", &b"<html>captive portal</html>\r\n\r\n"[..]),
        (
            "a bad status line",
            b"HTTP/1.1 2x0 OK\r\ncontent-length: 0\r\n\r\n",
        ),
        (
            "a bad length",
            b"HTTP/1.1 200 OK\r\ncontent-length: -4\r\n\r\n{}",
        ),
    ] {
        let s = setup();
        s.server.script([Reply::Raw(reply), Reply::ok("{}")]);
        let err = s
            .client()
            .describe_job_execution()
            .thing_name(THING)
            .job_id("job-1")
            .send_blocking()
            .unwrap_err();
        let SdkError::DispatchFailure(failure) = &err else {
            panic!("{what}: expected a dispatch failure, got {err:?}");
        };
        assert_eq!(
            failure.kind(),
            ConnectorErrorKind::InvalidResponse,
            "{what}"
        );
        assert_eq!(err.attempts(), 1, "{what}");
        assert!(
            err.to_string()
                .starts_with("dispatch failure: invalid HTTP response"),
            "{what}: {err}"
        );
        assert_eq!(s.server.seen().len(), 1, "{what}");
        assert!(s.sleep.durations().is_empty(), "{what}");
    }
}

#[test]
fn a_503_storm_exhausts_the_retries_with_a_clear_error() {
    let storm = Server::start(|_| Reply::error(503, "ServiceUnavailableException", "Busy"));
    let sleep = InstantSleep::new();
    let client = Client::from_conf(config_for(&storm, &sleep).build());
    let err = client
        .get_pending_job_executions()
        .thing_name(THING)
        .send_blocking()
        .unwrap_err();
    assert_eq!(err.attempts(), 3);
    assert_eq!(
        err.to_string(),
        "service error after 3 attempts: ServiceUnavailableException: Busy"
    );
    assert_eq!(err.request_id(), Some("req-2"));
    assert!(matches!(
        err.into_service_error(),
        GetPendingJobExecutionsError::ServiceUnavailableException(_)
    ));
    assert_eq!(storm.replies(), [503, 503, 503]);
    storm.assert_all_signed();
    let waits = sleep.durations();
    assert_eq!(waits.len(), 2);
    assert!(waits[0] <= Duration::from_millis(100), "{waits:?}");
    assert!(waits[1] <= Duration::from_millis(200), "{waits:?}");
}

#[tokio::test]
async fn a_validation_error_is_not_retried() {
    let s = setup();
    s.server.script([Reply::error(
        400,
        "ValidationException",
        "1 validation error detected",
    )]);
    let err = s
        .client()
        .get_pending_job_executions()
        .thing_name(THING)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.attempts(), 1);
    assert_eq!(
        err.to_string(),
        "service error: ValidationException: 1 validation error detected (HTTP 400)"
    );
    assert_eq!(err.into_service_error().code(), Some("ValidationException"));
    assert_eq!(s.server.replies(), [400]);
    assert!(s.sleep.durations().is_empty());
}

// --- Endpoint URL ---

#[test]
fn an_endpoint_url_with_a_query_or_fragment_sends_nothing() {
    let s = setup();
    for (suffix, part) in [("?x=1", "query"), ("#frag", "fragment")] {
        let url = format!("{}{suffix}", s.server.endpoint());
        let client = Client::from_conf(s.config.clone().endpoint_url(url.as_str()).build());
        let err = client
            .get_pending_job_executions()
            .thing_name(THING)
            .send_blocking()
            .unwrap_err();
        assert!(
            matches!(err, SdkError::ConstructionFailure(_)),
            "{url}: {err}"
        );
        let text = err.to_string();
        assert!(
            text.contains(&format!("endpoint URL `{url}` has a {part} (`{suffix}`)")),
            "{text}"
        );
    }
    assert!(s.server.seen().is_empty(), "nothing reached the server");
}

// --- Clock skew ---

#[tokio::test]
async fn a_skewed_clock_is_corrected_and_the_correction_kept() {
    const AHEAD: i64 = 2 * 3600;
    let s = setup_with_clock(Clock {
        ahead_secs: AHEAD,
        skew_code: "RequestTimeTooSkewed",
    });
    s.jobs.queue("job-1", INSTALL);
    let config = s.config.clone().build();

    Client::from_conf(config.clone())
        .get_pending_job_executions()
        .thing_name(THING)
        .send()
        .await
        .unwrap();
    assert_eq!(s.server.replies(), [403, 200]);
    let offset = config.clock_offset().millis();
    assert!(
        ((AHEAD - 5) * 1000..(AHEAD + 5) * 1000).contains(&offset),
        "{offset}"
    );

    // Another client of the same configuration signs right the first time.
    Client::from_conf(config.clone())
        .describe_job_execution()
        .thing_name(THING)
        .job_id("job-1")
        .send()
        .await
        .unwrap();
    assert_eq!(s.server.replies(), [403, 200, 200]);
    let seen = s.server.seen();
    let server_now = server::now_secs() + AHEAD;
    for corrected in &seen[1..] {
        let at = corrected.signed_at().unwrap();
        assert!(
            (at - server_now).abs() < 60,
            "signed at {at}, server at {server_now}"
        );
    }
    assert!(
        s.sleep.durations().is_empty(),
        "a clock fix waits for nothing"
    );
    s.server.assert_all_signed();
}

#[test]
fn an_expired_signature_is_a_clock_skew_too() {
    let s = setup_with_clock(Clock {
        ahead_secs: -3600,
        skew_code: "InvalidSignatureException",
    });
    let output = s
        .client()
        .get_pending_job_executions()
        .thing_name(THING)
        .send_blocking()
        .unwrap();
    assert_eq!(output.queued_jobs(), Some(&[][..]));
    assert_eq!(s.server.replies(), [403, 200]);
}

// --- The async transport leaves the runtime free ---

/// On a single-threaded runtime, the test's own task can only release the
/// held reply if `send().await` did not block the runtime's thread while it
/// waited for the server.
#[tokio::test(flavor = "current_thread")]
async fn send_await_does_not_block_the_runtime() {
    let s = setup();
    s.jobs.queue("job-1", INSTALL);
    let gate = Gate::new();
    s.server
        .script([Reply::Held(Arc::clone(&gate), Box::new(Reply::ok("{}")))]);
    let call = tokio::spawn(
        s.client()
            .get_pending_job_executions()
            .thing_name(THING)
            .send(),
    );
    while s.server.seen().is_empty() {
        tokio::task::yield_now().await;
    }
    gate.open();
    call.await.unwrap().unwrap();
    assert_eq!(
        s.server.replies(),
        [200],
        "a 500 means the held reply timed out: the runtime was blocked"
    );
}

// --- The job agent example ---

fn agent(s: &Setup) -> Agent {
    Agent::new(s.client(), THING, &["install", "reboot"], 15)
}

#[test]
fn job_agent_runs_a_job_to_success() {
    let s = setup();
    s.jobs.queue("job-1", INSTALL);
    let mut performed = Vec::new();
    let outcome = agent(&s)
        .run_once(|operation, step| {
            performed.push(format!("{operation}:{step}"));
            Ok(())
        })
        .unwrap();
    assert_eq!(
        outcome,
        Outcome::Succeeded {
            job_id: "job-1".into()
        }
    );
    assert_eq!(
        performed,
        ["install:download", "install:verify", "install:apply"]
    );
    let execution = s.jobs.execution("job-1");
    assert_eq!(execution.status, "SUCCEEDED");
    assert_eq!(execution.status_details["progress"], "3/3");

    // Get pending, start, three steps in progress, succeeded: each update
    // at the version the previous one left.
    let seen = s.server.seen();
    s.server.assert_all_signed();
    assert_eq!(seen.len(), 6);
    assert_eq!(seen[1].json()["stepTimeoutInMinutes"], 15);
    let updates: Vec<_> = seen[2..].iter().map(Seen::json).collect();
    for (i, update) in updates.iter().enumerate() {
        assert_eq!(update["expectedVersion"], i + 2, "{update}");
    }
    assert_eq!(updates[1]["status"], "IN_PROGRESS");
    assert_eq!(
        updates[1]["statusDetails"],
        json!({"step": "verify", "progress": "2/3"})
    );
    assert_eq!(updates[1]["stepTimeoutInMinutes"], 15);
    assert_eq!(updates[3]["status"], "SUCCEEDED");

    // Nothing left: idle, after one call.
    let outcome = agent(&s).run_once(|_, _| Ok(())).unwrap();
    assert_eq!(outcome, Outcome::Idle);
    assert_eq!(s.server.seen().len(), 7);
}

#[test]
fn job_agent_rejects_what_the_device_does_not_do_and_fails_a_failed_step() {
    let s = setup();
    s.jobs.queue("format", r#"{"operation": "format-disk"}"#);
    s.jobs.queue("garbled", "not json");
    s.jobs.queue("broken", INSTALL);
    let agent = agent(&s);

    let outcome = agent.run_once(|_, _| panic!("nothing to perform")).unwrap();
    let reason = "this device does not do \"format-disk\"";
    assert_eq!(
        outcome,
        Outcome::Rejected {
            job_id: "format".into(),
            reason: reason.into()
        }
    );
    assert_eq!(s.jobs.execution("format").status, "REJECTED");
    assert_eq!(s.jobs.execution("format").status_details["reason"], reason);

    let outcome = agent.run_once(|_, _| panic!("nothing to perform")).unwrap();
    let Outcome::Rejected { job_id, reason } = outcome else {
        panic!("expected a rejection, got {outcome:?}");
    };
    assert_eq!(job_id, "garbled");
    assert!(
        reason.starts_with("the job document is not JSON"),
        "{reason}"
    );

    let outcome = agent
        .run_once(|_, step| match step {
            "verify" => Err("checksum mismatch".into()),
            _ => Ok(()),
        })
        .unwrap();
    assert_eq!(
        outcome,
        Outcome::Failed {
            job_id: "broken".into(),
            reason: "checksum mismatch".into()
        }
    );
    let broken = s.jobs.execution("broken");
    assert_eq!(broken.status, "FAILED");
    assert_eq!(broken.status_details["step"], "verify");
    s.server.assert_all_signed();
}

#[test]
fn job_agent_catches_up_after_a_version_mismatch_and_drops_a_cancelled_job() {
    let s = setup();
    s.jobs.queue("job-1", INSTALL);
    let jobs = Arc::clone(&s.jobs);
    let outcome = agent(&s)
        .run_once(|_, step| {
            if step == "download" {
                // Someone else touches the execution: its version moves on.
                jobs.change("job-1", "IN_PROGRESS");
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(
        outcome,
        Outcome::Succeeded {
            job_id: "job-1".into()
        }
    );
    let statuses: Vec<u16> = s.server.replies();
    assert!(statuses.contains(&409), "{statuses:?}");
    assert!(
        s.server
            .seen()
            .iter()
            .any(|r| r.method == "GET" && r.path.ends_with("/job-1")),
        "the agent reads the execution again after the mismatch"
    );

    s.jobs.queue("job-2", INSTALL);
    let jobs = Arc::clone(&s.jobs);
    let outcome = agent(&s)
        .run_once(|_, _| {
            jobs.change("job-2", "CANCELED");
            Ok(())
        })
        .unwrap();
    assert_eq!(
        outcome,
        Outcome::Dropped {
            job_id: "job-2".into(),
            status: "CANCELED".into()
        }
    );
    assert_eq!(s.jobs.execution("job-2").status, "CANCELED");
}

#[test]
fn job_agent_reports_a_failing_service_as_an_error() {
    let down = Server::start(|_| Reply::error(500, "InternalFailure", "oops"));
    let client = Client::from_conf(config_for(&down, &InstantSleep::new()).build());
    let err = Agent::new(client, THING, &["install"], 15)
        .run_once(|_, _| Ok(()))
        .unwrap_err();
    assert_eq!(err.context, "GetPendingJobExecutions");
    assert!(
        err.to_string()
            .contains("after 3 attempts: InternalFailure: oops"),
        "{err}"
    );
    assert_eq!(
        JobDocument::parse(r#"{"operation": "reboot"}"#),
        Ok(JobDocument {
            operation: "reboot".into(),
            steps: vec!["reboot".into()]
        })
    );
}
