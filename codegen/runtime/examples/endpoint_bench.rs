//! What endpoint resolution costs: the median time to read a rule set (once
//! per configuration) and to resolve an endpoint from it, for IoT Jobs and
//! DynamoDB (the largest checked-in rule set), over several runs.
//!
//! ```sh
//! cargo run --release -p sdk-runtime --example endpoint_bench
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

use sdk_runtime::endpoint::{Params, RuleSet};

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
}
