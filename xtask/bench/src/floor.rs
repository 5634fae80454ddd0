//! The floor: the same bodies (de)serialized by serde_json into plain
//! `#[derive]` structs, plus the URI; no signing, no client. And, for
//! orientation, the same with the request built and signed by our signer.

use std::collections::HashMap;
use std::time::SystemTime;

use bytes::Bytes;
use sdk_runtime::sigv4::{Signer, SigningParams, SigningSettings};
use sdk_runtime::transport::HttpRequest;
use sdk_runtime::Credentials;
use serde::{Deserialize, Serialize};

use crate::fixtures::{self, ACCESS_KEY, JOB_ID, REGION, SECRET_KEY, STATUS_DETAILS, THING};

/// `JobExecution`, as a user would write it for serde.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobExecution {
    job_id: Option<String>,
    thing_name: Option<String>,
    status: Option<String>,
    status_details: Option<HashMap<String, String>>,
    queued_at: Option<i64>,
    started_at: Option<i64>,
    last_updated_at: Option<i64>,
    approximate_seconds_before_timed_out: Option<i64>,
    version_number: Option<i64>,
    execution_number: Option<i64>,
    job_document: Option<String>,
}

/// `DescribeJobExecution`'s response.
#[derive(Debug, Deserialize)]
pub struct DescribeResponse {
    execution: Option<JobExecution>,
}

/// `UpdateJobExecution`'s request body.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateRequest {
    status: String,
    status_details: HashMap<String, String>,
    expected_version: i64,
}

/// `JobExecutionState`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobExecutionState {
    status: Option<String>,
    status_details: Option<HashMap<String, String>>,
    version_number: Option<i64>,
}

/// `UpdateJobExecution`'s response.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateResponse {
    execution_state: Option<JobExecutionState>,
    job_document: Option<String>,
}

/// `JobExecutionSummary`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobExecutionSummary {
    job_id: Option<String>,
    queued_at: Option<i64>,
    started_at: Option<i64>,
    last_updated_at: Option<i64>,
    version_number: Option<i64>,
    execution_number: Option<i64>,
}

/// `GetPendingJobExecutions`' response.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingResponse {
    in_progress_jobs: Option<Vec<JobExecutionSummary>>,
    queued_jobs: Option<Vec<JobExecutionSummary>>,
}

fn endpoint() -> String {
    format!("https://data.jobs.iot.{REGION}.amazonaws.com")
}

/// `DescribeJobExecution`: the URI, and the response parsed.
pub fn describe(response: &Bytes) -> (String, DescribeResponse) {
    let uri = format!(
        "{}/things/{THING}/jobs/{JOB_ID}?includeJobDocument=true",
        endpoint()
    );
    let output = serde_json::from_slice(response).expect("the describe body parses");
    (uri, output)
}

/// `UpdateJobExecution`: the URI, the request body written, and the
/// response parsed.
pub fn update(response: &Bytes) -> (String, Vec<u8>, UpdateResponse) {
    let uri = format!("{}/things/{THING}/jobs/{JOB_ID}", endpoint());
    let input = UpdateRequest {
        status: "IN_PROGRESS".to_owned(),
        status_details: STATUS_DETAILS
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        expected_version: 3,
    };
    let body = serde_json::to_vec(&input).expect("the update body serializes");
    let output = serde_json::from_slice(response).expect("the update body parses");
    (uri, body, output)
}

/// `GetPendingJobExecutions`' response parsed.
pub fn pending(response: &Bytes) -> PendingResponse {
    serde_json::from_slice(response).expect("the pending body parses")
}

/// The floor, plus an `http::Request` built and signed with our SigV4 signer.
pub struct Signed {
    signer: Signer,
    credentials: Credentials,
}

impl Signed {
    /// A signer with the test credentials.
    pub fn new() -> Self {
        Self {
            signer: Signer::new(),
            credentials: Credentials::new(ACCESS_KEY, SECRET_KEY, None),
        }
    }

    fn sign(&self, method: &str, uri: String, body: Vec<u8>) -> HttpRequest {
        let mut request = http::Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json")
            .body(Bytes::from(body))
            .expect("a valid request");
        let params = SigningParams {
            credentials: &self.credentials,
            region: REGION,
            service: "iot-jobs-data",
            time: SystemTime::now(),
            settings: SigningSettings::default(),
        };
        self.signer
            .sign(&mut request, &params)
            .expect("the request signs");
        request
    }

    /// [`describe`], its request signed.
    pub fn describe(&self, response: &Bytes) -> (HttpRequest, DescribeResponse) {
        let (uri, output) = describe(response);
        (self.sign("GET", uri, Vec::new()), output)
    }

    /// [`update`], its request signed.
    pub fn update(&self, response: &Bytes) -> (HttpRequest, UpdateResponse) {
        let (uri, body, output) = update(response);
        (self.sign("POST", uri, body), output)
    }
}

/// Checks that the floor reads every canned response whole.
pub fn check() {
    let (uri, described) = describe(&fixtures::describe_body());
    assert!(uri.ends_with("/things/sensor-17/jobs/firmware-update-2024-06?includeJobDocument=true"));
    let execution = described.execution.unwrap_or_default();
    assert_eq!(
        execution.job_document.map(|d| d.len()),
        Some(fixtures::JOB_DOCUMENT_LEN)
    );
    assert_eq!(execution.status_details.map(|d| d.len()), Some(3));
    assert_eq!(execution.status.as_deref(), Some("IN_PROGRESS"));
    assert_eq!(execution.job_id.as_deref(), Some(JOB_ID));
    assert_eq!(execution.thing_name.as_deref(), Some(THING));
    assert_eq!(
        [
            execution.queued_at,
            execution.started_at,
            execution.last_updated_at
        ],
        [
            Some(1_717_200_000),
            Some(1_717_200_060),
            Some(1_717_200_300)
        ]
    );
    assert_eq!(execution.approximate_seconds_before_timed_out, Some(540));
    assert_eq!(
        (execution.version_number, execution.execution_number),
        (Some(3), Some(1))
    );

    let (_, body, updated) = update(&fixtures::update_body());
    let sent: serde_json::Value = serde_json::from_slice(&body).expect("JSON body");
    assert_eq!(sent["statusDetails"]["progress"], "42%");
    let state = updated.execution_state.expect("an execution state");
    assert_eq!(state.version_number, Some(4));
    assert_eq!(state.status.as_deref(), Some("IN_PROGRESS"));
    assert_eq!(state.status_details.map(|d| d.len()), Some(3));
    assert!(updated.job_document.is_none());

    let pending = pending(&fixtures::pending_body());
    let queued = pending.queued_jobs.unwrap_or_default();
    let in_progress = pending.in_progress_jobs.unwrap_or_default();
    assert_eq!(
        (queued.len(), in_progress.len()),
        (fixtures::PENDING_EACH, fixtures::PENDING_EACH)
    );
    let last = &in_progress[fixtures::PENDING_EACH - 1];
    assert_eq!(last.job_id.as_deref(), Some("job-01999"));
    assert_eq!(
        [last.queued_at, last.started_at, last.last_updated_at],
        [
            Some(1_717_201_999),
            Some(1_717_202_029),
            Some(1_717_203_998)
        ]
    );
    assert_eq!(
        (last.version_number, last.execution_number),
        (Some(5), Some(2000))
    );
    assert_eq!(queued[0].started_at, None);

    let (request, _) = Signed::new().update(&fixtures::update_body());
    let authorization = request.headers()["authorization"]
        .to_str()
        .unwrap_or_default();
    assert!(authorization.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
}
