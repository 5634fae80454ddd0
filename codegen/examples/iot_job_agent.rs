//! A device's job agent for AWS IoT Jobs, on the blocking API.
//!
//! It polls the thing's pending jobs and runs each: start, report progress,
//! finish (or reject a job document it cannot do); see `iot_job_agent/agent.rs`.
//!
//! Configured from the environment:
//!
//! - `THING_NAME` (required): the thing this device is;
//! - `AWS_REGION`, credentials (`AWS_ACCESS_KEY_ID`, ... or a profile), as
//!   `Config::from_env` reads them;
//! - `IOT_JOBS_ENDPOINT` (optional): the account's jobs endpoint
//!   (`https://<prefix>.jobs.iot.<region>.amazonaws.com`), else
//!   `AWS_ENDPOINT_URL`, else the regional endpoint;
//! - `POLL_SECONDS` (optional, default 30): the wait between polls.
//!
//! ```sh
//! THING_NAME=sensor-17 AWS_REGION=eu-west-1 cargo run -p codegen --example iot_job_agent -- --once
//! ```
//!
//! `--once` runs the next pending job, if any, and exits (with status 1 if a
//! call failed).

#[path = "iot_job_agent/agent.rs"]
mod agent;

use std::process::ExitCode;
use std::time::Duration;

use iot_jobs_data_plane::{Client, Config};

use agent::{Agent, Outcome};

/// What this device can do, as named in job documents.
const OPERATIONS: &[&str] = &["install", "reboot"];

/// Minutes each step may take before the service times the job out.
const STEP_TIMEOUT_MINUTES: i64 = 15;

fn main() -> ExitCode {
    let Some(thing_name) = std::env::var("THING_NAME").ok().filter(|t| !t.is_empty()) else {
        eprintln!("error: set THING_NAME to the thing this device is");
        return ExitCode::from(2);
    };
    let poll = match std::env::var("POLL_SECONDS").map(|s| s.parse::<u64>()) {
        Err(_) => Duration::from_secs(30),
        Ok(Ok(seconds)) => Duration::from_secs(seconds),
        Ok(Err(e)) => {
            eprintln!("error: POLL_SECONDS: {e}");
            return ExitCode::from(2);
        }
    };
    let once = std::env::args().any(|arg| arg == "--once");

    let mut config = Config::from_env();
    if let Ok(endpoint) = std::env::var("IOT_JOBS_ENDPOINT") {
        config = config.endpoint_url(endpoint);
    }
    let client = Client::from_conf(config.build());
    let agent = Agent::new(client, &thing_name, OPERATIONS, STEP_TIMEOUT_MINUTES);

    loop {
        let status = match agent.run_once(perform) {
            Ok(Outcome::Idle) => {
                println!("{thing_name}: no pending job");
                ExitCode::SUCCESS
            }
            Ok(outcome) => {
                println!("{thing_name}: {outcome:?}");
                ExitCode::SUCCESS
            }
            // The next poll tries again; the service times out a job whose
            // step is not reported in time.
            Err(e) => {
                eprintln!("{thing_name}: {e}");
                ExitCode::FAILURE
            }
        };
        if once {
            return status;
        }
        std::thread::sleep(poll);
    }
}

/// The device's part of a step; a real device installs, reboots, ...
fn perform(operation: &str, step: &str) -> Result<(), String> {
    println!("{operation}: {step}");
    Ok(())
}
