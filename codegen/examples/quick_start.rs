//! The README's quick start, compiled: the lines between the markers are the
//! README's code block, word for word (`codegen/tests/readme.rs` checks it).
//!
//! ```sh
//! AWS_REGION=eu-west-1 cargo run -p codegen --example quick_start
//! ```

use iot_jobs_data_plane::{Client, Config};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // quick start: begin
    let config = Config::from_env().build();
    let client = Client::from_conf(config);
    let jobs = client
        .get_pending_job_executions()
        .thing_name("sensor-17")
        .send_blocking()?;
    // quick start: end
    println!("{:?}", jobs.queued_jobs());
    Ok(())
}
