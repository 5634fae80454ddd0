//! A device's job agent for AWS IoT Jobs, on the blocking API.
//!
//! It polls the thing's pending jobs and runs each: start, report progress,
//! finish (or reject a job document it cannot do); see `iot_job_agent/agent.rs`.
//!
//! Configured from the environment:
//!
//! - `THING_NAME` (required): the thing this device is;
//! - the device's X.509 certificate, its key, the root CA, AWS IoT's
//!   credentials endpoint and a role alias (`--certificate PATH` or
//!   `IOT_CERTIFICATE_FILE`, ...: see `iot_job_agent/device_credentials.rs`),
//!   traded for temporary credentials with `IotCredentialsProvider`; without
//!   a certificate, credentials as `Config::from_env` finds them
//!   (`AWS_ACCESS_KEY_ID`, ..., a profile, instance metadata);
//! - `AWS_REGION` (optional with a certificate: else the credentials
//!   endpoint's region);
//! - `IOT_JOBS_ENDPOINT` (optional): the account's jobs endpoint
//!   (`https://<prefix>.jobs.iot.<region>.amazonaws.com`), else
//!   `AWS_ENDPOINT_URL`, else the regional endpoint;
//! - `POLL_SECONDS` (optional, default 30): the wait between polls.
//!
//! ```sh
//! THING_NAME=sensor-17 cargo run -p codegen --example iot_job_agent -- --once \
//!     --certificate device.pem.crt --private-key private.pem.key --root-ca AmazonRootCA1.pem \
//!     --credentials-endpoint abc123.credentials.iot.eu-west-1.amazonaws.com \
//!     --role-alias fleet-role
//! ```
//!
//! `--once` runs the next pending job, if any, and exits (with status 1 if a
//! call failed).

#[path = "iot_job_agent/agent.rs"]
mod agent;
#[path = "iot_job_agent/device_credentials.rs"]
mod device_credentials;

use std::process::ExitCode;
use std::time::Duration;

use iot_jobs_data_plane::{Client, Config};

use agent::{Agent, Outcome};
use device_credentials::DeviceIdentity;

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
    let args: Vec<String> = std::env::args().skip(1).collect();
    let once = args.iter().any(|arg| arg == "--once");
    let identity = match DeviceIdentity::from_settings(&args, |name| std::env::var(name).ok()) {
        Ok(identity) => identity,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };

    let mut config = Config::from_env();
    if let Some(identity) = identity {
        let provider = match identity.provider(&thing_name) {
            Ok(provider) => provider,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
        let configured = ["AWS_REGION", "AWS_DEFAULT_REGION"]
            .iter()
            .any(|name| std::env::var_os(name).is_some());
        if let (false, Some(region)) = (configured, identity.region()) {
            config = config.region(region.to_owned());
        }
        config = config.credentials_provider(provider);
    }
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
