//! The floor: `DescribeJobExecution` by hand, plain HTTP to
//! `AWS_ENDPOINT_URL`, the response read into plain structs by serde_json.

#[path = "../../plain_http.rs"]
mod plain_http;

use std::collections::HashMap;

use serde::Deserialize;

/// The part of a job execution this program prints.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct JobExecution {
    job_id: Option<String>,
    status: Option<String>,
    status_details: Option<HashMap<String, String>>,
    version_number: Option<i64>,
}

/// `DescribeJobExecution`'s response.
#[derive(Debug, Deserialize)]
struct DescribeResponse {
    execution: Option<JobExecution>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let endpoint = std::env::var("AWS_ENDPOINT_URL")?;
    let uri: http::Uri = format!(
        "{}/things/sensor-17/jobs/firmware-update-2024-06",
        endpoint.trim_end_matches('/')
    )
    .parse()?;
    let response = plain_http::exchange("GET", &uri, &http::HeaderMap::new(), b"")?;
    if !response.status().is_success() {
        return Err(format!("HTTP {}", response.status()).into());
    }
    let output: DescribeResponse = serde_json::from_slice(response.body())?;
    if let Some(execution) = output.execution {
        println!(
            "{:?} {:?} v{:?} {:?}",
            execution.job_id, execution.status, execution.version_number, execution.status_details
        );
    }
    Ok(())
}
