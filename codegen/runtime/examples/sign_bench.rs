//! What signing costs: the median time per SigV4 signature, and per whole
//! call through `operation::invoke` (serialize, endpoint, sign, a transport
//! that answers at once, parse), over several runs of 100 000.
//!
//! ```sh
//! cargo run --release -p sdk-runtime --example sign_bench
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use sdk_runtime::block_on::block_on;
use sdk_runtime::error::{BuildError, ErrorMetadata, Unhandled};
use sdk_runtime::operation::{invoke, Operation, ResponseFailure, ServiceInfo};
use sdk_runtime::sigv4::{Signer, SigningParams, SigningSettings};
use sdk_runtime::transport::{HttpClient, HttpFuture, HttpRequest, HttpResponse};
use sdk_runtime::{Config, Credentials};

const ITERATIONS: u32 = 100_000;
const RUNS: usize = 7;
const BODY: &[u8] =
    br#"{"status":"IN_PROGRESS","statusDetails":{"step":"downloading"},"expectedVersion":3}"#;

const SERVICE: ServiceInfo = ServiceInfo {
    service_id: "IoT Jobs Data Plane",
    endpoint_prefix: "data.jobs.iot",
    signing_name: "iot-jobs-data",
    api_version: "2017-09-29",
    crate_version: "0.1.0",
    endpoint_rules: None,
    client_context_params: &[],
};

/// An `UpdateJobExecution`-shaped request: JSON body, label, query.
fn request() -> HttpRequest {
    http::Request::builder()
        .method("POST")
        .uri("/things/sensor-17/jobs/job-1?includeJobDocument=true")
        .header("content-type", "application/json")
        .body(Bytes::from_static(BODY))
        .unwrap_or_default()
}

struct UpdateJob;

impl Operation for UpdateJob {
    const NAME: &'static str = "UpdateJobExecution";
    type Input = ();
    type Output = ();
    type Error = Unhandled;

    fn serialize_request(_: &()) -> Result<HttpRequest, BuildError> {
        Ok(request())
    }

    fn parse_response(_: &HttpResponse) -> Result<(), ResponseFailure<Unhandled>> {
        Ok(())
    }

    fn error_metadata(_: &HttpResponse) -> ErrorMetadata {
        ErrorMetadata::default()
    }
}

/// Answers every request with an empty 200 at once.
#[derive(Debug)]
struct Instant200;

impl HttpClient for Instant200 {
    fn send(&self, _: HttpRequest) -> HttpFuture<'_> {
        Box::pin(std::future::ready(Ok(HttpResponse::default())))
    }
}

/// The median over `RUNS` runs of the mean time per iteration of `f`.
fn median_per_iteration(mut f: impl FnMut()) -> Duration {
    let mut runs: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..ITERATIONS {
                f();
            }
            start.elapsed() / ITERATIONS
        })
        .collect();
    runs.sort();
    runs[RUNS / 2]
}

fn main() {
    let credentials = Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        None,
    );
    let signer = Signer::new();
    let mut template = request();
    *template.uri_mut() = "https://data.jobs.iot.us-east-1.amazonaws.com/things/sensor-17/jobs/job-1?includeJobDocument=true"
        .parse()
        .unwrap_or_default();
    let time = SystemTime::now();
    let params = SigningParams {
        credentials: &credentials,
        region: "us-east-1",
        service: "iot-jobs-data",
        time,
        settings: SigningSettings::default(),
    };

    let clone_only = median_per_iteration(|| {
        black_box(template.clone());
    });
    let sign = median_per_iteration(|| {
        let mut request = template.clone();
        if let Err(e) = signer.sign(&mut request, &params) {
            panic!("signing failed: {e}");
        }
        black_box(request);
    });

    let config = Config::builder()
        .region("us-east-1")
        .credentials(credentials.clone())
        .http_client(Instant200)
        .build();
    let call = median_per_iteration(|| {
        if let Err(e) = block_on(invoke::<UpdateJob>(&config, &SERVICE, &())) {
            panic!("call failed: {e}");
        }
    });

    println!("median of {RUNS} runs of {ITERATIONS}:");
    println!("  request clone alone:       {clone_only:?}");
    println!("  clone + sign:              {sign:?}");
    println!(
        "  sign (less the clone):     {:?}",
        sign.saturating_sub(clone_only)
    );
    println!("  whole call through invoke: {call:?}");
    println!("  signing keys derived:      {}", signer.keys_derived());
}
