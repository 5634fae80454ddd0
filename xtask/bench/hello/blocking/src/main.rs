//! Hello world, blocking: one call over HTTPS, no async runtime.

use iot_jobs_data_plane::{Client, Config};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_conf(Config::from_env().build());
    let output = client
        .describe_job_execution()
        .thing_name("sensor-17")
        .job_id("firmware-update-2024-06")
        .send_blocking()?;
    println!("{:?}", output.execution());
    Ok(())
}
