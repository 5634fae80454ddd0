//! The generated EC2 client (EC2 query) end to end: the default transport
//! against the local server of `e2e/server.rs`, which checks every SigV4
//! signature (for the signing name `ec2`) and answers with XML as EC2 does:
//! no result wrapper, lists in `<item>` elements, the request id in
//! `<requestId>`, errors as `Response/Errors/Error`. `DescribeInstances` is
//! called once by hand and through its paginator.

#[allow(dead_code)] // shared with tests/e2e.rs, which uses all of it
#[path = "e2e/server.rs"]
mod server;

use ec2::types::{Filter, InstanceStateName, InstanceType};
use ec2::{Client, Config, Credentials, RequestId};
use sdk_runtime::testing::{form_pairs, InstantSleep};
use server::{Clock, Reply, Seen, Server, Signing, SIGNING};

static EC2: Signing = Signing {
    service: "ec2",
    ..SIGNING
};

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

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = expected
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    pairs.sort();
    pairs
}

/// The value of form field `name` in a request, if sent.
fn field(seen: &Seen, name: &str) -> Option<String> {
    form_pairs(&seen.body)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// One reservation holding instance `i-<n>`, as EC2 writes it.
fn reservation(n: u32) -> String {
    format!(
        "<item><reservationId>r-{n}</reservationId><ownerId>123456789012</ownerId>\
         <groupSet/><instancesSet><item><instanceId>i-{n}</instanceId>\
         <instanceType>t3.micro</instanceType><instanceState><code>16</code><name>running</name></instanceState>\
         <privateIpAddress>10.0.0.{n}</privateIpAddress><launchTime>2026-12-03T08:00:00.000Z</launchTime>\
         <tagSet><item><key>Name</key><value>web &amp; api {n}</value></item></tagSet>\
         </item></instancesSet></item>"
    )
}

/// Instances i-1 to i-5, `MaxResults` reservations per page (2 if not
/// sent), the next page's first index as the token.
fn fleet(seen: &Seen) -> Reply {
    assert_eq!(seen.method, "POST");
    assert_eq!(field(seen, "Action").as_deref(), Some("DescribeInstances"));
    assert_eq!(field(seen, "Version").as_deref(), Some("2016-11-15"));
    let size: u32 = field(seen, "MaxResults").map_or(2, |s| s.parse().unwrap());
    let from: u32 =
        field(seen, "NextToken").map_or(1, |t| t.trim_start_matches("from-").parse().unwrap());
    let to = (from + size).min(6);
    let items: String = (from..to).map(reservation).collect();
    let token = if to <= 5 {
        format!("<nextToken>from-{to}</nextToken>")
    } else {
        String::new()
    };
    Reply::Xml(
        200,
        format!(
            "<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\
             <requestId>req-{from}</requestId><reservationSet>{items}</reservationSet>{token}\
             </DescribeInstancesResponse>"
        ),
    )
}

#[tokio::test]
async fn describe_instances_sends_ec2_query_names_and_reads_item_lists() {
    let server = Server::with_signing(&EC2, Clock::default(), fleet);
    let output = client(&server)
        .describe_instances()
        .instance_ids("i-1")
        .instance_ids("i-2")
        .filters(
            Filter::builder()
                .name("instance-state-name")
                .values("running")
                .values("pending")
                .build(),
        )
        .max_results(5)
        .send()
        .await
        .unwrap();

    assert_eq!(output.request_id(), Some("req-1"));
    assert_eq!(output.next_token(), None);
    let reservations = output.reservations().unwrap();
    assert_eq!(reservations.len(), 5);
    assert_eq!(reservations[0].reservation_id(), Some("r-1"));
    let instance = &reservations[0].instances().unwrap()[0];
    assert_eq!(instance.instance_id(), Some("i-1"));
    assert_eq!(instance.instance_type(), Some(&InstanceType::T3Micro));
    let state = instance.state().unwrap();
    assert_eq!(state.code(), Some(16));
    assert_eq!(state.name(), Some(&InstanceStateName::Running));
    assert_eq!(instance.private_ip_address(), Some("10.0.0.1"));
    assert_eq!(
        instance.launch_time().map(|t| t.as_secs_f64()),
        Some(1_796_284_800.0)
    );
    let tag = &instance.tags().unwrap()[0];
    assert_eq!(
        (tag.key(), tag.value()),
        (Some("Name"), Some("web & api 1"))
    );

    server.assert_all_signed();
    let seen = &server.seen()[0];
    assert_eq!(seen.path, "/");
    assert_eq!(
        seen.header("content-type").as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    // EC2's names: `queryName` (InstanceId, Filter, Value), no `.member.`.
    assert_eq!(
        form_pairs(&seen.body),
        pairs(&[
            ("Action", "DescribeInstances"),
            ("Version", "2016-11-15"),
            ("InstanceId.1", "i-1"),
            ("InstanceId.2", "i-2"),
            ("Filter.1.Name", "instance-state-name"),
            ("Filter.1.Value.1", "running"),
            ("Filter.1.Value.2", "pending"),
            ("MaxResults", "5"),
        ])
    );
}

#[test]
fn the_paginator_follows_next_token_with_a_page_size() {
    let server = Server::with_signing(&EC2, Clock::default(), fleet);
    let ids: Vec<String> = client(&server)
        .describe_instances()
        .into_paginator()
        .page_size(2)
        .items()
        .send_blocking()
        .map(|reservation| reservation.unwrap().reservation_id().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["r-1", "r-2", "r-3", "r-4", "r-5"]);

    let seen = server.seen();
    assert_eq!(seen.len(), 3, "pages of 2, 2 and 1");
    server.assert_all_signed();
    let tokens: Vec<Option<String>> = seen.iter().map(|s| field(s, "NextToken")).collect();
    assert_eq!(tokens, [None, Some("from-3".into()), Some("from-5".into())]);
    assert!(seen
        .iter()
        .all(|s| field(s, "MaxResults").as_deref() == Some("2")));
}

#[test]
fn an_ec2_error_is_unhandled_with_code_message_and_request_id() {
    let server = Server::with_signing(&EC2, Clock::default(), |_| {
        Reply::Xml(
            400,
            "<Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code>\
             <Message>The instance ID 'i-404' does not exist</Message></Error></Errors>\
             <RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>"
                .to_owned(),
        )
    });
    let err = client(&server)
        .describe_instances()
        .instance_ids("i-404")
        .send_blocking()
        .unwrap_err();
    assert_eq!(err.request_id(), Some("ea966190-f9aa-478e-9ede-example"));
    let ec2::operation::describe_instances::DescribeInstancesError::Unhandled(unhandled) =
        err.into_service_error()
    else {
        panic!("DescribeInstances models no errors");
    };
    assert_eq!(unhandled.code(), Some("InvalidInstanceID.NotFound"));
    assert_eq!(
        unhandled.message(),
        Some("The instance ID 'i-404' does not exist")
    );
    assert_eq!(unhandled.status(), Some(400));
    assert_eq!(server.seen().len(), 1);
}

#[test]
fn an_ec2_throttle_is_retried() {
    let server = Server::with_signing(&EC2, Clock::default(), fleet);
    server.script([Reply::Xml(
        503,
        "<Response><Errors><Error><Code>RequestLimitExceeded</Code>\
         <Message>Request limit exceeded.</Message></Error></Errors>\
         <RequestID>t-1</RequestID></Response>"
            .to_owned(),
    )]);
    let output = client(&server)
        .describe_instances()
        .send_blocking()
        .unwrap();
    assert_eq!(output.reservations().unwrap().len(), 2);
    assert_eq!(server.seen().len(), 2);
    server.assert_all_signed();
}
