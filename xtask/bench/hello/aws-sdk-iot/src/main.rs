//! The peer's hello world: DescribeEndpoint with aws-sdk-iot, the
//! configuration loaded by aws-config.

use aws_sdk_iot::Client;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = aws_config::load_from_env().await;
    let client = Client::new(&config);
    let output = client
        .describe_endpoint()
        .endpoint_type("iot:Jobs")
        .send()
        .await?;
    println!("{:?}", output.endpoint_address());
    Ok(())
}
