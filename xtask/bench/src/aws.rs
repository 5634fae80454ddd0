//! The peer: `aws-sdk-iotjobsdataplane` with an in-memory HTTP client, test
//! credentials and the latest behavior version, on a current-thread tokio
//! runtime.

use std::sync::{Arc, Mutex, PoisonError};

use aws_sdk_iotjobsdataplane::config::{BehaviorVersion, Credentials, Region, SharedHttpClient};
use aws_sdk_iotjobsdataplane::operation::describe_job_execution::DescribeJobExecutionOutput;
use aws_sdk_iotjobsdataplane::operation::get_pending_job_executions::GetPendingJobExecutionsOutput;
use aws_sdk_iotjobsdataplane::operation::update_job_execution::UpdateJobExecutionOutput;
use aws_sdk_iotjobsdataplane::types::JobExecutionStatus;
use aws_sdk_iotjobsdataplane::{Client, Config};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use bytes::Bytes;
use tokio::runtime::Runtime;

use crate::fixtures::{self, ACCESS_KEY, JOB_ID, REGION, SECRET_KEY, STATUS_DETAILS, THING};

/// What the in-memory client saw of one request.
#[derive(Clone, Debug)]
pub struct Seen {
    pub uri: String,
    pub authorization: String,
    /// Every header, by lowercase name.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// An HTTP client that answers every request with the same status, headers
/// and body (the body's bytes are shared, not copied), the SDK's own
/// response type built afresh each time since it is not `Clone`.
#[derive(Clone, Debug)]
pub struct Canned {
    body: Bytes,
    headers: &'static [(&'static str, &'static str)],
    /// For the check only: what was sent. `None` when timing.
    seen: Option<Arc<Mutex<Vec<Seen>>>>,
}

impl Canned {
    /// Answers with `body` and `headers` (and `content-length`); records
    /// requests in `seen` if given.
    pub fn new(
        body: Bytes,
        headers: &'static [(&'static str, &'static str)],
        seen: Option<Arc<Mutex<Vec<Seen>>>>,
    ) -> Self {
        Self {
            body,
            headers,
            seen,
        }
    }
}

impl HttpConnector for Canned {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        if let Some(seen) = &self.seen {
            seen.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(Seen {
                    uri: request.uri().to_owned(),
                    authorization: request
                        .headers()
                        .get("authorization")
                        .unwrap_or_default()
                        .to_owned(),
                    headers: request
                        .headers()
                        .iter()
                        .map(|(name, value)| (name.to_ascii_lowercase(), value.to_owned()))
                        .collect(),
                    body: request.body().bytes().unwrap_or_default().to_vec(),
                });
        }
        let mut response = HttpResponse::new(
            200.try_into().expect("200 is a status"),
            SdkBody::from(self.body.clone()),
        );
        for (name, value) in self.headers {
            response.headers_mut().insert(*name, *value);
        }
        response
            .headers_mut()
            .insert("content-length", self.body.len().to_string());
        HttpConnectorFuture::ready(Ok(response))
    }
}

impl HttpClient for Canned {
    fn http_connector(
        &self,
        _: &HttpConnectorSettings,
        _: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

fn client(body: Bytes, seen: Option<Arc<Mutex<Vec<Seen>>>>) -> Client {
    let http_client = SharedHttpClient::new(Canned::new(body, &fixtures::RESPONSE_HEADERS, seen));
    let config = Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new(
            ACCESS_KEY, SECRET_KEY, None, None, "bench",
        ))
        .http_client(http_client)
        .build();
    Client::from_conf(config)
}

/// A client whose every call gets a response with `body`.
pub fn canned(body: Bytes) -> Client {
    client(body, None)
}

/// The runtime calls are driven on.
pub fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a current-thread runtime")
}

/// `DescribeJobExecution`, job document included.
pub fn describe(rt: &Runtime, client: &Client) -> DescribeJobExecutionOutput {
    rt.block_on(
        client
            .describe_job_execution()
            .thing_name(THING)
            .job_id(JOB_ID)
            .include_job_document(true)
            .send(),
    )
    .expect("the canned describe call succeeds")
}

/// `UpdateJobExecution`: status, three status details, expected version.
pub fn update(rt: &Runtime, client: &Client) -> UpdateJobExecutionOutput {
    let mut call = client
        .update_job_execution()
        .thing_name(THING)
        .job_id(JOB_ID)
        .status(JobExecutionStatus::InProgress)
        .expected_version(3);
    for (key, value) in STATUS_DETAILS {
        call = call.status_details(key, value);
    }
    rt.block_on(call.send())
        .expect("the canned update call succeeds")
}

/// `GetPendingJobExecutions`.
pub fn pending(rt: &Runtime, client: &Client) -> GetPendingJobExecutionsOutput {
    rt.block_on(client.get_pending_job_executions().thing_name(THING).send())
        .expect("the canned pending call succeeds")
}

/// Checks that the calls send signed requests to the right place and read
/// every canned response whole.
pub fn check() {
    let rt = runtime();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let with = |body| client(body, Some(seen.clone()));

    let execution = describe(&rt, &with(fixtures::describe_body()))
        .execution
        .unwrap_or_else(|| panic!("no execution"));
    assert_eq!(
        execution.job_document.as_deref().map(str::len),
        Some(fixtures::JOB_DOCUMENT_LEN)
    );
    assert_eq!(execution.status_details.as_ref().map(|d| d.len()), Some(3));
    assert_eq!(execution.status, Some(JobExecutionStatus::InProgress));
    assert_eq!(execution.approximate_seconds_before_timed_out, Some(540));

    let state = update(&rt, &with(fixtures::update_body()))
        .execution_state
        .unwrap_or_else(|| panic!("no state"));
    assert_eq!(state.version_number, 4);
    assert_eq!(state.status_details.as_ref().map(|d| d.len()), Some(3));

    let pending = pending(&rt, &with(fixtures::pending_body()));
    assert_eq!(
        pending.queued_jobs.as_ref().map(Vec::len),
        Some(fixtures::PENDING_EACH)
    );
    assert_eq!(
        pending.in_progress_jobs.as_ref().map(Vec::len),
        Some(fixtures::PENDING_EACH)
    );

    let seen = seen.lock().unwrap_or_else(PoisonError::into_inner).clone();
    assert_eq!(seen.len(), 3);
    assert_eq!(
        seen[0].uri,
        "https://data.jobs.iot.us-east-1.amazonaws.com/things/sensor-17/jobs/firmware-update-2024-06?includeJobDocument=true"
    );
    let sent: serde_json::Value = serde_json::from_slice(&seen[1].body).expect("JSON body");
    assert_eq!(sent["statusDetails"]["progress"], "42%");
    assert_eq!(sent["expectedVersion"], 3);
    for request in &seen {
        assert!(request
            .authorization
            .starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
    }
}
