//! What endpoint resolution costs: the median time to read a rule set (once
//! per configuration) and to resolve an endpoint from it, for IoT Jobs and
//! DynamoDB (the largest checked-in rule set), over several runs; and what
//! resolving per call costs a whole call (in memory, signed), for an
//! operation that binds a context parameter against one that binds none.
//!
//! ```sh
//! cargo run --release -p sdk-runtime --example endpoint_bench
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

use bytes::Bytes;
use sdk_runtime::endpoint::{Params, RuleSet};
use sdk_runtime::error::{ErrorMetadata, Unhandled};
use sdk_runtime::operation::{invoke, Operation, ResponseFailure, ServiceInfo};
use sdk_runtime::testing::ReplayClient;
use sdk_runtime::transport::{HttpRequest, HttpResponse};
use sdk_runtime::{BuildError, Config, Credentials};

const DYNAMODB_RULES: &str = include_str!("../../../model/dynamodb/endpoint-rule-set-1.json");

const DYNAMODB: ServiceInfo = ServiceInfo {
    service_id: "DynamoDB",
    endpoint_prefix: "dynamodb",
    signing_name: "dynamodb",
    api_version: "2012-08-10",
    crate_version: "0.1.0",
    endpoint_rules: Some(DYNAMODB_RULES),
    client_context_params: &[],
};

/// A call with an empty body; binds `ResourceArn` to its input if `CONTEXT`.
struct Call<const CONTEXT: bool>;

impl<const CONTEXT: bool> Operation for Call<CONTEXT> {
    const NAME: &'static str = "Call";
    type Input = &'static str;
    type Output = ();
    type Error = Unhandled;

    fn serialize_request(_: &Self::Input) -> Result<HttpRequest, BuildError> {
        Ok(http::Request::builder()
            .method("POST")
            .uri("/")
            .body(Bytes::new())
            .unwrap())
    }

    fn parse_response(_: &HttpResponse) -> Result<(), ResponseFailure<Unhandled>> {
        Ok(())
    }

    fn error_metadata(response: &HttpResponse) -> ErrorMetadata {
        sdk_runtime::__private::aws_json::error_metadata(response)
    }

    const ENDPOINT_CONTEXT: bool = CONTEXT;

    fn endpoint_context(input: &Self::Input, params: &mut Params) {
        params.set("ResourceArn", *input);
    }
}

const RUNS: usize = 7;
const ITERATIONS: u32 = 2_000;

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time(mut f: impl FnMut()) -> Duration {
    median(
        (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                for _ in 0..ITERATIONS {
                    f();
                }
                start.elapsed() / ITERATIONS
            })
            .collect(),
    )
}

fn main() {
    for (name, path) in [
        (
            "iot-jobs-data-plane",
            "model/iot-jobs-data-plane/endpoint-rule-set-1.json",
        ),
        ("dynamodb", "model/dynamodb/endpoint-rule-set-1.json"),
    ] {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../");
        let text = std::fs::read_to_string(format!("{root}{path}")).expect("rule set");
        let rules = RuleSet::parse(&text).expect("valid rule set");
        let mut params = Params::new();
        params.set("Region", "us-east-1");
        // The first resolution also loads the partitions.
        rules.resolve(&params).expect("an endpoint");
        let parse = time(|| {
            black_box(RuleSet::parse(black_box(&text)).unwrap());
        });
        let resolve = time(|| {
            black_box(rules.resolve(black_box(&params)).unwrap());
        });
        params.set("UseFIPS", true).set("Region", "cn-north-1");
        let other = rules.resolve(&params);
        println!(
            "{name}: {} bytes; read {:.1} µs; resolve us-east-1 {:.2} µs ({:?} for FIPS in cn-north-1)",
            text.len(),
            parse.as_secs_f64() * 1e6,
            resolve.as_secs_f64() * 1e6,
            other.map(|e| e.url).map_err(|e| e.to_string()),
        );
    }
    let replay = ReplayClient::new();
    let config = Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new("AKID", "SECRET", None))
        .http_client(replay.clone())
        .build();
    let arn = "arn:aws:dynamodb:us-east-1:222222222222:table/things";
    let call = |per_call: bool| {
        replay.push_response(200, "{}");
        let done = if per_call {
            sdk_runtime::block_on::block_on(invoke::<Call<true>>(&config, &DYNAMODB, &arn))
        } else {
            sdk_runtime::block_on::block_on(invoke::<Call<false>>(&config, &DYNAMODB, &arn))
        };
        done.unwrap();
    };
    call(true);
    call(false);
    let once = time(|| call(false));
    let per_call = time(|| call(true));
    let mut params = Params::new();
    params
        .set("Region", "us-east-1")
        .set("AccountIdEndpointMode", "preferred")
        .set("ResourceArn", arn);
    let rules = RuleSet::parse(DYNAMODB_RULES).unwrap();
    let fresh = time(|| {
        black_box(rules.resolve(black_box(&params)).unwrap());
    });
    println!(
        "dynamodb call, in memory: {:.2} µs resolved once per configuration, {:.2} µs resolved per call \
         (cached per parameter set; {:.2} µs to resolve a new table ARN, to {})",
        once.as_secs_f64() * 1e6,
        per_call.as_secs_f64() * 1e6,
        fresh.as_secs_f64() * 1e6,
        rules.resolve(&params).unwrap().url,
    );
}
