//! The generated STS client (awsQuery) end to end: the default transport
//! against the local server of `e2e/server.rs`, which checks every SigV4
//! signature (for the signing name `sts`) and answers with XML as STS does,
//! the request id in the body.

#[allow(dead_code)] // shared with tests/e2e.rs, which uses all of it
#[path = "e2e/server.rs"]
mod server;

use sdk_runtime::testing::{form_pairs, InstantSleep};
use server::{Clock, Reply, Seen, Server, Signing, SIGNING};
use sts::operation::assume_role::AssumeRoleError;
use sts::types::Tag;
use sts::{Client, Config, Credentials, RequestId, SdkError};

const ROLE: &str = "arn:aws:iam::123456789012:role/demo";

const ASSUME_ROLE_OK: &str = r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <SourceIdentity>Alice</SourceIdentity>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>
      <AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>AQoDYXdzEPT//////////wEXAMPLEtc764 &amp; more</SessionToken>
      <Expiration>2019-11-09T13:34:41Z</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>"#;

fn client(server: &Server) -> Client {
    Client::from_conf(
        Config::builder()
            .region(SIGNING.region)
            .endpoint_url(server.endpoint())
            .credentials(Credentials::new(
                SIGNING.access_key,
                SIGNING.secret_key,
                None,
            ))
            .sleep_impl(InstantSleep::new())
            .build(),
    )
}

/// STS's signing name, the rest as for IoT Jobs.
static STS: Signing = Signing {
    service: "sts",
    ..SIGNING
};

fn start(reply: fn(&Seen) -> Reply) -> Server {
    Server::with_signing(&STS, Clock::default(), reply)
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = expected
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    pairs.sort();
    pairs
}

#[tokio::test]
async fn assume_role_returns_typed_credentials() {
    let server = start(|_| Reply::Xml(200, ASSUME_ROLE_OK.to_owned()));
    let output = client(&server)
        .assume_role()
        .role_arn(ROLE)
        .role_session_name("TestAR")
        .duration_seconds(900)
        .tags(Tag::builder().key("team").value("a b&c").build().unwrap())
        .tags(Tag::builder().key("env").value("dev").build().unwrap())
        .send()
        .await
        .unwrap();

    let credentials = output.credentials().expect("credentials");
    assert_eq!(credentials.access_key_id(), Some("ASIAIOSFODNN7EXAMPLE"));
    assert_eq!(
        credentials.secret_access_key(),
        Some("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY")
    );
    assert_eq!(
        credentials.session_token(),
        Some("AQoDYXdzEPT//////////wEXAMPLEtc764 & more")
    );
    assert_eq!(
        credentials.expiration().map(|t| t.as_secs_f64()),
        Some(1_573_306_481.0)
    );
    let user = output.assumed_role_user().expect("assumed role user");
    assert_eq!(user.assumed_role_id(), Some("ARO123EXAMPLE123:TestAR"));
    assert_eq!(output.packed_policy_size(), Some(6));
    assert_eq!(output.source_identity(), Some("Alice"));
    assert_eq!(
        output.request_id(),
        Some("c6104cbe-af31-11e0-8154-cbc7ccf896c7")
    );

    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    server.assert_all_signed();
    let seen = &seen[0];
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.path, "/");
    assert_eq!(
        seen.header("content-type").as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        form_pairs(&seen.body),
        pairs(&[
            ("Action", "AssumeRole"),
            ("Version", "2011-06-15"),
            ("RoleArn", ROLE),
            ("RoleSessionName", "TestAR"),
            ("DurationSeconds", "900"),
            ("Tags.member.1.Key", "team"),
            ("Tags.member.1.Value", "a b&c"),
            ("Tags.member.2.Key", "env"),
            ("Tags.member.2.Value", "dev"),
        ])
    );
}

#[test]
fn get_caller_identity_blocking() {
    let server = start(|_| {
        Reply::Xml(
            200,
            "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/Alice</Arn>\
             <UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult>\
             <ResponseMetadata><RequestId>id-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
                .to_owned(),
        )
    });
    let output = client(&server)
        .get_caller_identity()
        .send_blocking()
        .unwrap();
    assert_eq!(output.account(), Some("123456789012"));
    assert_eq!(output.arn(), Some("arn:aws:iam::123456789012:user/Alice"));
    assert_eq!(output.request_id(), Some("id-1"));
    server.assert_all_signed();
    assert_eq!(
        form_pairs(&server.seen()[0].body),
        pairs(&[("Action", "GetCallerIdentity"), ("Version", "2011-06-15")])
    );
}

#[tokio::test]
async fn a_modeled_xml_error_is_typed_with_code_message_and_request_id() {
    let server = start(|_| {
        Reply::Xml(
            400,
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>\
             <Code>RegionDisabledException</Code><Message>STS is not activated in this region</Message></Error>\
             <RequestId>err-7</RequestId></ErrorResponse>"
                .to_owned(),
        )
    });
    let err = client(&server)
        .assume_role()
        .role_arn(ROLE)
        .role_session_name("s")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.request_id(), Some("err-7"));
    let SdkError::ServiceError(service) = &err else {
        panic!("expected a service error, got {err:?}");
    };
    let AssumeRoleError::RegionDisabledException(error) = service.err() else {
        panic!("expected RegionDisabledException, got {:?}", service.err());
    };
    assert_eq!(error.message(), Some("STS is not activated in this region"));
    // Not retried: a 400 that is no throttle.
    assert_eq!(server.seen().len(), 1);
}

#[test]
fn an_unknown_xml_error_is_unhandled_with_code_message_and_request_id() {
    let server = start(|_| {
        Reply::Xml(
            403,
            "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>\
             <Message>User is not authorized to perform: sts:AssumeRole</Message></Error>\
             <RequestId>err-8</RequestId></ErrorResponse>"
                .to_owned(),
        )
    });
    let err = client(&server)
        .assume_role()
        .role_arn(ROLE)
        .role_session_name("s")
        .send_blocking()
        .unwrap_err();
    let AssumeRoleError::Unhandled(unhandled) = err.into_service_error() else {
        panic!("expected Unhandled");
    };
    assert_eq!(unhandled.code(), Some("AccessDenied"));
    assert_eq!(
        unhandled.message(),
        Some("User is not authorized to perform: sts:AssumeRole")
    );
    assert_eq!(unhandled.request_id(), Some("err-8"));
    assert_eq!(unhandled.status(), Some(403));
}

#[test]
fn a_throttling_xml_error_is_retried() {
    let server = start(|_| {
        Reply::Xml(
            200,
            "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>1</Account>\
             </GetCallerIdentityResult></GetCallerIdentityResponse>"
                .to_owned(),
        )
    });
    server.script([Reply::Xml(
        400,
        "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error>\
         <RequestId>t-1</RequestId></ErrorResponse>"
            .to_owned(),
    )]);
    let output = client(&server)
        .get_caller_identity()
        .send_blocking()
        .unwrap();
    assert_eq!(output.account(), Some("1"));
    assert_eq!(server.seen().len(), 2);
    server.assert_all_signed();
}

#[test]
fn a_malformed_xml_body_is_a_response_error() {
    let server = start(|_| Reply::Xml(200, "<GetCallerIdentityResponse><oops".to_owned()));
    let err = client(&server)
        .get_caller_identity()
        .send_blocking()
        .unwrap_err();
    assert!(
        matches!(err, SdkError::ResponseError(_)),
        "expected a response error, got {err:?}"
    );
    assert_eq!(server.seen().len(), 1);
}
