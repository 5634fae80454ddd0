//! The peer's hello world: one call with aws-sdk-iotjobsdataplane, the
//! configuration loaded by aws-config.

use aws_sdk_iotjobsdataplane::Client;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = aws_config::load_from_env().await;
    let client = Client::new(&config);
    let output = client
        .describe_job_execution()
        .thing_name("sensor-17")
        .job_id("firmware-update-2024-06")
        .send()
        .await?;
    println!("{:?}", output.execution());
    Ok(())
}
