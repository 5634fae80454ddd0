//! Hello world, core only: one call through a transport of the program's own,
//! plain HTTP to `AWS_ENDPOINT_URL` (a local endpoint, such as an emulator).

#[path = "../../plain_http.rs"]
mod plain_http;

use bytes::Bytes;
use iot_jobs_data_plane::{Client, Config};
use sdk_runtime::transport::{
    ConnectorError, ConnectorErrorKind, HttpClient, HttpFuture, HttpRequest,
};

/// Sends each request with [`plain_http::exchange`], blocking.
#[derive(Debug)]
struct PlainHttp;

impl HttpClient for PlainHttp {
    fn send(&self, request: HttpRequest) -> HttpFuture<'_> {
        let result = plain_http::exchange(
            request.method().as_str(),
            request.uri(),
            request.headers(),
            request.body(),
        )
        .map(|response| response.map(Bytes::from))
        .map_err(|e| ConnectorError::new(ConnectorErrorKind::Io, e));
        Box::pin(std::future::ready(result))
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_conf(Config::from_env().http_client(PlainHttp).build());
    let output = client
        .describe_job_execution()
        .thing_name("sensor-17")
        .job_id("firmware-update-2024-06")
        .send_blocking()?;
    println!("{:?}", output.execution());
    Ok(())
}
