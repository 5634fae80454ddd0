//! One call per protocol family beyond IoT Jobs' rest-json, ours against
//! aws-sdk-rust, in memory and signed, as the IoT Jobs rows:
//!
//! - awsJson 1.0: DynamoDB `GetItem` of an item of nine attributes
//!   (strings, numbers, a boolean, a string set, a list and a nested map);
//! - awsQuery: STS `AssumeRole`, whose XML response carries temporary
//!   credentials with an expiration timestamp.

use std::sync::{Arc, Mutex, PoisonError};

use aws_sdk_dynamodb::types::AttributeValue as AwsValue;
use bytes::Bytes;
use sdk_runtime::testing::{ReplayClient, StaticClient};
use sdk_runtime::transport::HttpClient;
use tokio::runtime::Runtime;

use crate::aws::{Canned, Seen};
use crate::fixtures::{ACCESS_KEY, REGION, SECRET_KEY};
use crate::ours;

/// The table and key every `GetItem` reads.
const TABLE: &str = "devices";
const KEY: &str = "device-0017";
const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/fleet-updater";
const SESSION: &str = "sensor-17-session";

/// `GetItem`'s response headers.
pub const DYNAMODB_HEADERS: &[(&str, &str)] = &[
    ("content-type", "application/x-amz-json-1.0"),
    ("date", "Sat, 01 Jun 2024 00:05:00 GMT"),
    (
        "x-amzn-requestid",
        "QK6T7G1J3V8D2N5R9B4M0C7H1F6S8A2E3P5L9U0W4Y6X8Z1VJF66Q9ASUAAJG",
    ),
];

/// `AssumeRole`'s response headers.
pub const STS_HEADERS: &[(&str, &str)] = &[
    ("content-type", "text/xml"),
    ("date", "Sat, 01 Jun 2024 00:05:00 GMT"),
    ("x-amzn-requestid", "c6104cbe-af31-11e0-8154-cbc7ccf896c7"),
];

/// `GetItem`'s response: one item of nine attributes.
pub fn get_item_body() -> Bytes {
    Bytes::from_static(
        br#"{"Item":{"id":{"S":"device-0017"},"model":{"S":"sensor-v2"},"firmware":{"S":"2.4.1"},"battery":{"N":"87"},"lastSeen":{"N":"1717200300"},"online":{"BOOL":true},"tags":{"SS":["fleet-a","outdoor","eu"]},"readings":{"L":[{"N":"21.5"},{"N":"21.7"},{"N":"22.0"}]},"location":{"M":{"lat":{"N":"52.52"},"lon":{"N":"13.40"},"site":{"S":"berlin-3"}}}}}"#,
    )
}

/// `AssumeRole`'s response, as STS sends it.
pub fn assume_role_body() -> Bytes {
    Bytes::from_static(
        br#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <SourceIdentity>sensor-17</SourceIdentity>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/fleet-updater/sensor-17-session</Arn>
      <AssumedRoleId>ARO123EXAMPLE123:sensor-17-session</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==</SessionToken>
      <Expiration>2024-06-01T01:05:00Z</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>"#,
    )
}

fn our_config(transport: impl HttpClient + 'static) -> sdk_runtime::Config {
    sdk_runtime::Config::builder()
        .region(REGION)
        .credentials(sdk_runtime::Credentials::new(ACCESS_KEY, SECRET_KEY, None))
        .http_client(transport)
        .build()
}

/// Our DynamoDB client, every call answered with `GetItem`'s response.
pub fn our_dynamodb() -> dynamodb::Client {
    let response = ours::response_with(get_item_body(), DYNAMODB_HEADERS);
    dynamodb::Client::from_conf(our_config(StaticClient::new(response)))
}

/// Our STS client, every call answered with `AssumeRole`'s response.
pub fn our_sts() -> sts::Client {
    let response = ours::response_with(assume_role_body(), STS_HEADERS);
    sts::Client::from_conf(our_config(StaticClient::new(response)))
}

fn aws_dynamodb_with(seen: Option<Arc<Mutex<Vec<Seen>>>>) -> aws_sdk_dynamodb::Client {
    use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region, SharedHttpClient};
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new(
            ACCESS_KEY, SECRET_KEY, None, None, "bench",
        ))
        .http_client(SharedHttpClient::new(Canned::new(
            get_item_body(),
            DYNAMODB_HEADERS,
            seen,
        )))
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

fn aws_sts_with(seen: Option<Arc<Mutex<Vec<Seen>>>>) -> aws_sdk_sts::Client {
    use aws_sdk_sts::config::{BehaviorVersion, Credentials, Region, SharedHttpClient};
    let config = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new(
            ACCESS_KEY, SECRET_KEY, None, None, "bench",
        ))
        .http_client(SharedHttpClient::new(Canned::new(
            assume_role_body(),
            STS_HEADERS,
            seen,
        )))
        .build();
    aws_sdk_sts::Client::from_conf(config)
}

/// aws-sdk-dynamodb, every call answered with `GetItem`'s response.
pub fn aws_dynamodb() -> aws_sdk_dynamodb::Client {
    aws_dynamodb_with(None)
}

/// aws-sdk-sts, every call answered with `AssumeRole`'s response.
pub fn aws_sts() -> aws_sdk_sts::Client {
    aws_sts_with(None)
}

/// Our `GetItem` of [`KEY`] in [`TABLE`], consistent read.
pub fn our_get_item(client: &dynamodb::Client) -> dynamodb::operation::get_item::GetItemOutput {
    client
        .get_item()
        .table_name(TABLE)
        .key(
            "id",
            dynamodb::types::AttributeValue::builder().s(KEY).build(),
        )
        .consistent_read(true)
        .send_blocking()
        .expect("the canned GetItem call succeeds")
}

/// aws-sdk's `GetItem`, the same request.
pub fn aws_get_item(
    rt: &Runtime,
    client: &aws_sdk_dynamodb::Client,
) -> aws_sdk_dynamodb::operation::get_item::GetItemOutput {
    rt.block_on(
        client
            .get_item()
            .table_name(TABLE)
            .key("id", AwsValue::S(KEY.to_owned()))
            .consistent_read(true)
            .send(),
    )
    .expect("the canned GetItem call succeeds")
}

/// Our `AssumeRole` for an hour.
pub fn our_assume_role(client: &sts::Client) -> sts::operation::assume_role::AssumeRoleOutput {
    client
        .assume_role()
        .role_arn(ROLE_ARN)
        .role_session_name(SESSION)
        .duration_seconds(3600)
        .send_blocking()
        .expect("the canned AssumeRole call succeeds")
}

/// aws-sdk's `AssumeRole`, the same request.
pub fn aws_assume_role(
    rt: &Runtime,
    client: &aws_sdk_sts::Client,
) -> aws_sdk_sts::operation::assume_role::AssumeRoleOutput {
    rt.block_on(
        client
            .assume_role()
            .role_arn(ROLE_ARN)
            .role_session_name(SESSION)
            .duration_seconds(3600)
            .send(),
    )
    .expect("the canned AssumeRole call succeeds")
}

/// 2024-06-01T01:05:00Z, the canned credentials' expiration.
const EXPIRATION_SECS: i64 = 1_717_203_900;

/// Checks both peers' requests (target, body, signature) and that they read
/// the canned responses whole.
pub fn check() {
    // Ours.
    let replay = ReplayClient::new();
    replay.push(ours::response_with(get_item_body(), DYNAMODB_HEADERS));
    replay.push(ours::response_with(assume_role_body(), STS_HEADERS));
    let item = our_get_item(&dynamodb::Client::from_conf(our_config(replay.clone())));
    let item = item.item().expect("an item");
    assert_eq!(item.len(), 9);
    assert_eq!(item["id"].s(), Some(KEY));
    assert_eq!(item["battery"].n(), Some("87"));
    assert_eq!(item["online"].bool(), Some(true));
    assert_eq!(item["tags"].ss().map(<[_]>::len), Some(3));
    assert_eq!(item["readings"].l().map(<[_]>::len), Some(3));
    assert_eq!(
        item["location"].m().and_then(|m| m["site"].s()),
        Some("berlin-3")
    );
    let role = our_assume_role(&sts::Client::from_conf(our_config(replay.clone())));
    let credentials = role.credentials().expect("credentials");
    assert_eq!(credentials.access_key_id(), Some("ASIAIOSFODNN7EXAMPLE"));
    assert!(credentials
        .session_token()
        .is_some_and(|t| t.ends_with("BA==")));
    assert_eq!(
        credentials.expiration().map(|e| e.secs()),
        Some(EXPIRATION_SECS)
    );
    assert_eq!(role.source_identity(), Some("sensor-17"));
    let requests = replay.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].uri().to_string(),
        "https://dynamodb.us-east-1.amazonaws.com/"
    );
    assert_eq!(
        requests[0].headers()["x-amz-target"],
        "DynamoDB_20120810.GetItem"
    );
    let sent: serde_json::Value = serde_json::from_slice(requests[0].body()).expect("JSON body");
    assert_eq!(sent["Key"]["id"]["S"], KEY);
    assert_eq!(sent["ConsistentRead"], true);
    assert_eq!(
        requests[1].uri().to_string(),
        "https://sts.us-east-1.amazonaws.com/"
    );
    let form = String::from_utf8_lossy(requests[1].body()).into_owned();
    assert!(
        form.starts_with("Action=AssumeRole&Version=2011-06-15&"),
        "{form}"
    );
    assert!(form.contains("DurationSeconds=3600"), "{form}");
    for request in &requests {
        let authorization = request.headers()["authorization"]
            .to_str()
            .unwrap_or_default();
        assert!(authorization.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
    }

    // aws-sdk.
    let rt = crate::aws::runtime();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let item = aws_get_item(&rt, &aws_dynamodb_with(Some(seen.clone())))
        .item
        .expect("an item");
    assert_eq!(item.len(), 9);
    assert_eq!(item["id"].as_s().ok().map(String::as_str), Some(KEY));
    assert_eq!(item["online"].as_bool().ok(), Some(&true));
    assert_eq!(item["readings"].as_l().ok().map(Vec::len), Some(3));
    let role = aws_assume_role(&rt, &aws_sts_with(Some(seen.clone())));
    let credentials = role.credentials.expect("credentials");
    assert_eq!(credentials.access_key_id, "ASIAIOSFODNN7EXAMPLE");
    assert_eq!(credentials.expiration.secs(), EXPIRATION_SECS);
    assert_eq!(role.source_identity.as_deref(), Some("sensor-17"));
    let seen = seen.lock().unwrap_or_else(PoisonError::into_inner).clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].uri, "https://dynamodb.us-east-1.amazonaws.com/");
    let sent: serde_json::Value = serde_json::from_slice(&seen[0].body).expect("JSON body");
    assert_eq!(sent["Key"]["id"]["S"], KEY);
    assert_eq!(seen[1].uri, "https://sts.us-east-1.amazonaws.com/");
    let form = String::from_utf8_lossy(&seen[1].body).into_owned();
    assert!(
        form.starts_with("Action=AssumeRole&Version=2011-06-15&"),
        "{form}"
    );
    for request in &seen {
        assert!(request
            .authorization
            .starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
    }
}
