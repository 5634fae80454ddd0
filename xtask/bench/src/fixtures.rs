//! The canned requests and responses every peer works on.

use std::fmt::Write as _;

use bytes::Bytes;
use serde_json::json;

/// The thing every call is about.
pub const THING: &str = "sensor-17";
/// The job every call is about.
pub const JOB_ID: &str = "firmware-update-2024-06";
/// The region calls are sent to and signed for.
pub const REGION: &str = "us-east-1";
/// Test credentials (AWS's documentation example keys).
pub const ACCESS_KEY: &str = "AKIDEXAMPLE";
/// The secret of [`ACCESS_KEY`].
pub const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// The size of the job document in `DescribeJobExecution`'s response.
pub const JOB_DOCUMENT_LEN: usize = 1024;
/// Queued and in-progress summaries in `GetPendingJobExecutions`' response.
pub const PENDING_EACH: usize = 1000;

/// `statusDetails` of `UpdateJobExecution`'s request and of the responses.
pub const STATUS_DETAILS: [(&str, &str); 3] = [
    ("step", "download"),
    ("progress", "42%"),
    ("detail", "fetched 3 of 7 chunks"),
];

/// A job document of exactly [`JOB_DOCUMENT_LEN`] bytes: a firmware update,
/// JSON as the job's author wrote it.
pub fn job_document() -> String {
    let mut doc = String::from(
        r#"{"operation":"firmware-update","version":"2.4.1","url":"https://firmware.example.com/sensor/2.4.1/image.bin","sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","reboot":true,"steps":["#,
    );
    let mut step = 0;
    while doc.len() < JOB_DOCUMENT_LEN - 120 {
        if step > 0 {
            doc.push(',');
        }
        let _ = write!(
            doc,
            r#"{{"name":"chunk-{step}","offset":{},"length":65536}}"#,
            step * 65536
        );
        step += 1;
    }
    doc.push_str(r#"],"notes":""#);
    while doc.len() < JOB_DOCUMENT_LEN - 2 {
        doc.push('.');
    }
    doc.push_str(r#""}"#);
    assert_eq!(doc.len(), JOB_DOCUMENT_LEN);
    doc
}

fn status_details() -> serde_json::Value {
    STATUS_DETAILS
        .iter()
        .map(|(k, v)| ((*k).to_owned(), json!(v)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// `DescribeJobExecution`'s response body: a whole job execution with its
/// job document.
pub fn describe_body() -> Bytes {
    let body = json!({
        "execution": {
            "jobId": JOB_ID,
            "thingName": THING,
            "status": "IN_PROGRESS",
            "statusDetails": status_details(),
            "queuedAt": 1_717_200_000,
            "startedAt": 1_717_200_060,
            "lastUpdatedAt": 1_717_200_300,
            "approximateSecondsBeforeTimedOut": 540,
            "versionNumber": 3,
            "executionNumber": 1,
            "jobDocument": job_document(),
        }
    });
    Bytes::from(serde_json::to_vec(&body).expect("a JSON value serializes"))
}

/// `UpdateJobExecution`'s response body: the new execution state.
pub fn update_body() -> Bytes {
    let body = json!({
        "executionState": {
            "status": "IN_PROGRESS",
            "statusDetails": status_details(),
            "versionNumber": 4,
        }
    });
    Bytes::from(serde_json::to_vec(&body).expect("a JSON value serializes"))
}

/// `GetPendingJobExecutions`' response body: [`PENDING_EACH`] queued and as
/// many in-progress summaries.
pub fn pending_body() -> Bytes {
    let summary = |i: usize, started: bool| {
        let mut summary = json!({
            "jobId": format!("job-{i:05}"),
            "queuedAt": 1_717_200_000 + i,
            "lastUpdatedAt": 1_717_200_000 + 2 * i,
            "versionNumber": 1 + i % 5,
            "executionNumber": 1 + i,
        });
        if started {
            summary["startedAt"] = json!(1_717_200_000 + i + 30);
        }
        summary
    };
    let body = json!({
        "queuedJobs": (0..PENDING_EACH).map(|i| summary(i, false)).collect::<Vec<_>>(),
        "inProgressJobs": (PENDING_EACH..2 * PENDING_EACH).map(|i| summary(i, true)).collect::<Vec<_>>(),
    });
    Bytes::from(serde_json::to_vec(&body).expect("a JSON value serializes"))
}

/// The headers of every canned response, as the service sends them.
pub const RESPONSE_HEADERS: [(&str, &str); 3] = [
    ("content-type", "application/json"),
    ("date", "Sat, 01 Jun 2024 00:05:00 GMT"),
    ("x-amzn-requestid", "5f3c1e2a-8d4b-4c6e-9a7f-1b2c3d4e5f60"),
];
