//! Hello world: DescribeEndpoint with our `iot` crate, the step an IoT Jobs
//! program takes to find its account's jobs endpoint.

use iot::{Client, Config};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_conf(Config::from_env().build());
    let output = client
        .describe_endpoint()
        .endpoint_type("iot:Jobs")
        .send()
        .await?;
    println!("{:?}", output.endpoint_address());
    Ok(())
}
