//! Our generated client, `iot-jobs-data-plane`, answering from memory.

use bytes::Bytes;
use iot_jobs_data_plane::operation::describe_job_execution::DescribeJobExecutionOutput;
use iot_jobs_data_plane::operation::get_pending_job_executions::GetPendingJobExecutionsOutput;
use iot_jobs_data_plane::operation::update_job_execution::UpdateJobExecutionOutput;
use iot_jobs_data_plane::types::JobExecutionStatus;
use iot_jobs_data_plane::{Client, Config, Credentials};
use sdk_runtime::testing::{ReplayClient, StaticClient};
use sdk_runtime::transport::{HttpClient, HttpResponse};

use crate::fixtures::{self, ACCESS_KEY, JOB_ID, REGION, SECRET_KEY, STATUS_DETAILS, THING};

/// The canned response with `body`.
pub fn response(body: Bytes) -> HttpResponse {
    response_with(body, &fixtures::RESPONSE_HEADERS)
}

/// A canned response with `body` and `headers` (and `content-length`).
pub fn response_with(body: Bytes, headers: &[(&str, &str)]) -> HttpResponse {
    let mut builder = http::Response::builder().status(200);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder
        .header("content-length", body.len())
        .body(body)
        .expect("valid canned response")
}

/// A client with region, test credentials and `transport`.
fn client(transport: impl HttpClient + 'static) -> Client {
    let config = Config::builder()
        .region(REGION)
        .credentials(Credentials::new(ACCESS_KEY, SECRET_KEY, None))
        .http_client(transport)
        .build();
    Client::from_conf(config)
}

/// A client whose every call gets a response with `body`.
pub fn canned(body: Bytes) -> Client {
    client(StaticClient::new(response(body)))
}

/// `DescribeJobExecution`, job document included.
pub fn describe(client: &Client) -> DescribeJobExecutionOutput {
    client
        .describe_job_execution()
        .thing_name(THING)
        .job_id(JOB_ID)
        .include_job_document(true)
        .send_blocking()
        .expect("the canned describe call succeeds")
}

/// `UpdateJobExecution`: status, three status details, expected version.
pub fn update(client: &Client) -> UpdateJobExecutionOutput {
    let mut call = client
        .update_job_execution()
        .thing_name(THING)
        .job_id(JOB_ID)
        .status(JobExecutionStatus::InProgress)
        .expected_version(3);
    for (key, value) in STATUS_DETAILS {
        call = call.status_details(key, value);
    }
    call.send_blocking()
        .expect("the canned update call succeeds")
}

/// `GetPendingJobExecutions`.
pub fn pending(client: &Client) -> GetPendingJobExecutionsOutput {
    client
        .get_pending_job_executions()
        .thing_name(THING)
        .send_blocking()
        .expect("the canned pending call succeeds")
}

/// Checks that the calls send signed requests to the right place and read
/// every canned response whole.
pub fn check() {
    let replay = ReplayClient::new();
    replay.push(response(fixtures::describe_body()));
    replay.push(response(fixtures::update_body()));
    replay.push(response(fixtures::pending_body()));
    let client = client(replay.clone());

    let execution = describe(&client).execution().cloned().unwrap_or_default();
    assert_eq!(
        execution.job_document().map(str::len),
        Some(fixtures::JOB_DOCUMENT_LEN)
    );
    assert_eq!(execution.status_details().map(|d| d.len()), Some(3));
    assert_eq!(execution.status(), Some(&JobExecutionStatus::InProgress));
    assert_eq!(execution.approximate_seconds_before_timed_out(), Some(540));

    let state = update(&client)
        .execution_state()
        .cloned()
        .unwrap_or_default();
    assert_eq!(state.version_number(), Some(4));
    assert_eq!(state.status_details().map(|d| d.len()), Some(3));

    let pending = pending(&client);
    assert_eq!(
        pending.queued_jobs().map(<[_]>::len),
        Some(fixtures::PENDING_EACH)
    );
    assert_eq!(
        pending.in_progress_jobs().map(<[_]>::len),
        Some(fixtures::PENDING_EACH)
    );

    let requests = replay.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(
        requests[0].uri(),
        "https://data.jobs.iot.us-east-1.amazonaws.com/things/sensor-17/jobs/firmware-update-2024-06?includeJobDocument=true"
    );
    let sent: serde_json::Value = serde_json::from_slice(requests[1].body()).expect("JSON body");
    assert_eq!(sent["statusDetails"]["progress"], "42%");
    assert_eq!(sent["expectedVersion"], 3);
    for request in &requests {
        let authorization = request.headers()["authorization"]
            .to_str()
            .unwrap_or_default();
        assert!(authorization.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
    }
}
