//! Behaviour of the generated IoT Jobs Data Plane client, end to end through
//! the in-memory transport: the exact requests it sends, and what it makes of
//! responses, errors and bad input.

use iot_jobs_data_plane::operation::describe_job_execution::DescribeJobExecutionError;
use iot_jobs_data_plane::operation::update_job_execution::UpdateJobExecutionError;
use iot_jobs_data_plane::types::{JobExecution, JobExecutionStatus};
use iot_jobs_data_plane::{Client, Config, Credentials, Error, RequestId, SdkError};
use sdk_runtime::block_on::block_on;
use sdk_runtime::testing::{response, ReplayClient};
use sdk_runtime::transport::{ConnectorError, ConnectorErrorKind, HttpRequest};

const ENDPOINT: &str = "http://127.0.0.1:8080";

/// A client whose calls send one request each: these tests check what is made
/// of one response (retries are tested in the runtime and in `e2e.rs`).
fn client() -> (Client, ReplayClient) {
    let replay = ReplayClient::new();
    let config = Config::builder()
        .region("us-east-1")
        .endpoint_url(ENDPOINT)
        .credentials(Credentials::new("AKID", "SECRET", None))
        .http_client(replay.clone())
        .max_attempts(1)
        .build();
    (Client::from_conf(config), replay)
}

fn body_json(request: &HttpRequest) -> serde_json::Value {
    serde_json::from_slice(request.body()).unwrap()
}

fn only_request(replay: &ReplayClient) -> HttpRequest {
    let requests = replay.requests();
    assert_eq!(requests.len(), 1, "expected exactly one request");
    requests.into_iter().next().unwrap()
}

const EXECUTION: &str = r#"{
    "execution": {
        "approximateSecondsBeforeTimedOut": 540,
        "executionNumber": 3,
        "jobDocument": "{\"op\":\"reboot\"}",
        "jobId": "job-1",
        "lastUpdatedAt": 1700000000123,
        "queuedAt": 1700000000000,
        "startedAt": 1700000000100,
        "status": "IN_PROGRESS",
        "statusDetails": {"step": "2", "progress": "40%"},
        "thingName": "thing-1",
        "versionNumber": 7,
        "someFutureField": {"nested": [1, 2, {"x": null}]}
    },
    "anotherFutureField": true
}"#;

#[test]
fn describe_job_execution_request_and_response() {
    let (client, replay) = client();
    replay.push(response(200, &[("x-amzn-RequestId", "req-1")], EXECUTION));
    let output = block_on(
        client
            .describe_job_execution()
            .thing_name("thing-1")
            .job_id("job-1")
            .include_job_document(true)
            .execution_number(3)
            .send(),
    )
    .unwrap();
    // The request id of a success, as errors have it.
    assert_eq!(output.request_id(), Some("req-1"));
    // A value built by hand came from no response.
    let built = iot_jobs_data_plane::operation::describe_job_execution::DescribeJobExecutionOutput::builder().build();
    assert_eq!(built.request_id(), None);

    let request = only_request(&replay);
    assert_eq!(request.method(), "GET");
    assert_eq!(
        request.uri(),
        "http://127.0.0.1:8080/things/thing-1/jobs/job-1?includeJobDocument=true&executionNumber=3"
    );
    assert!(request.body().is_empty());
    assert!(request.headers().get("content-type").is_none());

    let execution = output.execution().expect("execution");
    assert_eq!(execution.job_id(), Some("job-1"));
    assert_eq!(execution.thing_name(), Some("thing-1"));
    assert_eq!(execution.status(), Some(&JobExecutionStatus::InProgress));
    assert_eq!(execution.execution_number(), Some(3));
    assert_eq!(execution.version_number(), Some(7));
    assert_eq!(execution.approximate_seconds_before_timed_out(), Some(540));
    assert_eq!(execution.queued_at(), Some(1_700_000_000_000));
    assert_eq!(execution.started_at(), Some(1_700_000_000_100));
    assert_eq!(execution.last_updated_at(), Some(1_700_000_000_123));
    assert_eq!(execution.job_document(), Some(r#"{"op":"reboot"}"#));
    let details = execution.status_details().unwrap();
    assert_eq!(details.len(), 2);
    assert_eq!(details["progress"], "40%");
}

#[test]
fn optional_query_members_are_left_out() {
    let (client, replay) = client();
    replay.push_response(200, "{}");
    let output = block_on(
        client
            .describe_job_execution()
            .thing_name("t")
            .job_id("j")
            .send(),
    )
    .unwrap();
    assert_eq!(
        only_request(&replay).uri(),
        "http://127.0.0.1:8080/things/t/jobs/j"
    );
    assert_eq!(output.execution(), None);
}

#[test]
fn get_pending_job_executions_lists() {
    let (client, replay) = client();
    replay.push_response(
        200,
        r#"{"inProgressJobs": [{"jobId": "a", "executionNumber": 1, "versionNumber": 2, "queuedAt": 5, "startedAt": 6, "lastUpdatedAt": 7}],
            "queuedJobs": [{"jobId": "b"}, {"jobId": "c"}]}"#,
    );
    let output = block_on(
        client
            .get_pending_job_executions()
            .thing_name("my-thing")
            .send(),
    )
    .unwrap();

    let request = only_request(&replay);
    assert_eq!(request.method(), "GET");
    assert_eq!(request.uri(), "http://127.0.0.1:8080/things/my-thing/jobs");
    assert!(request.body().is_empty());

    let in_progress = output.in_progress_jobs().unwrap();
    assert_eq!(in_progress.len(), 1);
    assert_eq!(in_progress[0].job_id(), Some("a"));
    assert_eq!(in_progress[0].execution_number(), Some(1));
    assert_eq!(in_progress[0].version_number(), Some(2));
    assert_eq!(in_progress[0].last_updated_at(), Some(7));
    let queued: Vec<_> = output
        .queued_jobs()
        .unwrap()
        .iter()
        .map(|j| j.job_id().unwrap())
        .collect();
    assert_eq!(queued, ["b", "c"]);
}

#[test]
fn start_next_pending_job_execution_sends_json_body() {
    let (client, replay) = client();
    replay.push_response(200, EXECUTION);
    let output = block_on(
        client
            .start_next_pending_job_execution()
            .thing_name("thing-1")
            .status_details("step", "1")
            .status_details("note", "starting \"now\"")
            .step_timeout_in_minutes(15)
            .send(),
    )
    .unwrap();

    let request = only_request(&replay);
    assert_eq!(request.method(), "PUT");
    // `$next` is a literal segment of the model's request URI.
    assert_eq!(
        request.uri(),
        "http://127.0.0.1:8080/things/thing-1/jobs/$next"
    );
    assert_eq!(request.headers()["content-type"], "application/json");
    assert_eq!(
        body_json(&request),
        serde_json::json!({
            "statusDetails": {"step": "1", "note": "starting \"now\""},
            "stepTimeoutInMinutes": 15
        })
    );
    assert_eq!(output.execution().unwrap().version_number(), Some(7));
}

#[test]
fn start_next_with_nothing_set_sends_empty_object() {
    let (client, replay) = client();
    replay.push_response(200, "{}");
    block_on(
        client
            .start_next_pending_job_execution()
            .thing_name("t")
            .send(),
    )
    .unwrap();
    let request = only_request(&replay);
    assert_eq!(request.body().as_ref(), b"{}");
}

#[test]
fn update_job_execution_sends_only_set_members() {
    let (client, replay) = client();
    replay.push_response(
        200,
        r#"{"executionState": {"status": "SUCCEEDED", "statusDetails": {"k": "v"}, "versionNumber": 9}, "jobDocument": "doc"}"#,
    );
    let output = block_on(
        client
            .update_job_execution()
            .thing_name("thing-1")
            .job_id("job-1")
            .status(JobExecutionStatus::Succeeded)
            .expected_version(8)
            .include_job_execution_state(true)
            .send(),
    )
    .unwrap();

    let request = only_request(&replay);
    assert_eq!(request.method(), "POST");
    assert_eq!(
        request.uri(),
        "http://127.0.0.1:8080/things/thing-1/jobs/job-1"
    );
    assert_eq!(
        body_json(&request),
        serde_json::json!({"status": "SUCCEEDED", "expectedVersion": 8, "includeJobExecutionState": true})
    );
    let state = output.execution_state().unwrap();
    assert_eq!(state.status(), Some(&JobExecutionStatus::Succeeded));
    assert_eq!(state.version_number(), Some(9));
    assert_eq!(state.status_details().unwrap()["k"], "v");
    assert_eq!(output.job_document(), Some("doc"));
}

#[test]
fn missing_required_member_fails_before_sending_and_names_it() {
    let (client, replay) = client();
    let err = block_on(
        client
            .update_job_execution()
            .thing_name("t")
            .job_id("j")
            .send(),
    )
    .unwrap_err();
    let SdkError::ConstructionFailure(build) = &err else {
        panic!("expected a construction failure, got {err:?}");
    };
    assert_eq!(build.member(), Some("status"));
    assert!(
        err.to_string()
            .contains("`status` is required by `UpdateJobExecutionInput`"),
        "{err}"
    );
    assert!(replay.requests().is_empty(), "nothing may be sent");
}

#[test]
fn hostile_labels_stay_in_their_segment() {
    let cases = [
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("../../admin", "..%2F..%2Fadmin"),
        ("a/b", "a%2Fb"),
        ("a b", "a%20b"),
        ("x?y=1#z", "x%3Fy%3D1%23z"),
        ("100%", "100%25"),
        ("ünïcødé", "%C3%BCn%C3%AFc%C3%B8d%C3%A9"),
        ("\r\nX: y", "%0D%0AX%3A%20y"),
    ];
    for (raw, encoded) in cases {
        let (client, replay) = client();
        replay.push_response(200, "{}");
        block_on(
            client
                .describe_job_execution()
                .thing_name(raw)
                .job_id("j")
                .send(),
        )
        .unwrap();
        let request = only_request(&replay);
        assert_eq!(
            request.uri().path(),
            format!("/things/{encoded}/jobs/j"),
            "thingName {raw:?}"
        );
    }
}

#[test]
fn empty_label_is_a_construction_failure() {
    let (client, replay) = client();
    let err = block_on(client.get_pending_job_executions().thing_name("").send()).unwrap_err();
    assert!(matches!(err, SdkError::ConstructionFailure(_)), "{err:?}");
    assert!(err.to_string().contains("thing_name"), "{err}");
    assert!(replay.requests().is_empty());
}

/// Every modeled error of every operation, with the error code in each place
/// the protocol allows and with the decorations the service adds.
#[test]
fn every_modeled_error_parses_to_its_variant() {
    let errors = [
        ("InvalidRequestException", 400),
        ("ResourceNotFoundException", 404),
        ("ThrottlingException", 429),
        ("ServiceUnavailableException", 503),
        ("CertificateValidationException", 400),
        ("TerminalStateException", 410),
        ("InvalidStateTransitionException", 409),
    ];
    for (code, status) in errors {
        let placements: [(Vec<(&str, String)>, String); 3] = [
            (
                vec![(
                    "x-amzn-ErrorType",
                    format!("{code}:http://internal.amazon.com/coral/com.amazonaws.iot/"),
                )],
                r#"{"message": "from body"}"#.to_owned(),
            ),
            (
                vec![],
                format!(r#"{{"__type": "aws.iot#{code}", "message": "from body"}}"#),
            ),
            (
                vec![],
                format!(r#"{{"code": "{code}", "Message": "from body"}}"#),
            ),
        ];
        for (headers, body) in placements {
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            check_describe_error(code, status, &headers, &body);
            check_update_error(code, status, &headers, &body);
        }
    }
}

fn check_describe_error(code: &str, status: u16, headers: &[(&str, &str)], body: &str) {
    let (client, replay) = client();
    replay.push(response(status, headers, body));
    let err = block_on(
        client
            .describe_job_execution()
            .thing_name("t")
            .job_id("j")
            .send(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains(&format!("{code}: from body")),
        "{err}"
    );
    let service = err.into_service_error();
    if code == "InvalidStateTransitionException" {
        // Not listed for DescribeJobExecution: kept whole as Unhandled.
        assert!(
            matches!(service, DescribeJobExecutionError::Unhandled(_)),
            "{service:?}"
        );
        assert_eq!(service.code(), Some(code));
        return;
    }
    assert_eq!(service.code(), Some(code), "{service:?}");
    assert_eq!(service.message(), Some("from body"));
    let matched = match &service {
        DescribeJobExecutionError::InvalidRequestException(e) => e.message() == Some("from body"),
        DescribeJobExecutionError::ResourceNotFoundException(e) => e.message() == Some("from body"),
        DescribeJobExecutionError::ThrottlingException(e) => e.message() == Some("from body"),
        DescribeJobExecutionError::ServiceUnavailableException(e) => {
            e.message() == Some("from body")
        }
        DescribeJobExecutionError::CertificateValidationException(e) => {
            e.message() == Some("from body")
        }
        DescribeJobExecutionError::TerminalStateException(e) => e.message() == Some("from body"),
        other => panic!("{code} parsed as {other:?}"),
    };
    assert!(matched);
    // Every operation error converts into the service-wide error, keeping the variant.
    let any: Error = service.into();
    assert_eq!(any.code(), Some(code));
    assert_eq!(any.to_string(), format!("{code}: from body"));
}

fn check_update_error(code: &str, status: u16, headers: &[(&str, &str)], body: &str) {
    let (client, replay) = client();
    replay.push(response(status, headers, body));
    let err = block_on(
        client
            .update_job_execution()
            .thing_name("t")
            .job_id("j")
            .status(JobExecutionStatus::Failed)
            .send(),
    )
    .unwrap_err();
    let service = err.into_service_error();
    let expected_unhandled = code == "TerminalStateException";
    assert_eq!(
        matches!(service, UpdateJobExecutionError::Unhandled(_)),
        expected_unhandled,
        "{service:?}"
    );
    assert_eq!(service.code(), Some(code));
    assert_eq!(service.message(), Some("from body"));
}

#[test]
fn throttling_payload_blob_is_decoded() {
    let (client, replay) = client();
    replay.push_response(
        429,
        r#"{"__type": "ThrottlingException", "message": "slow down", "payload": "aGk="}"#,
    );
    let err = block_on(client.get_pending_job_executions().thing_name("t").send()).unwrap_err();
    let any = Error::from(err);
    let Error::ThrottlingException(throttling) = any else {
        panic!("expected ThrottlingException, got {any:?}");
    };
    assert_eq!(throttling.payload().unwrap().as_bytes(), b"hi");
}

/// IoT Jobs answers a version mismatch with a code the model does not list;
/// everything the service said must still reach the caller.
#[test]
fn unknown_error_code_keeps_code_message_status_request_id_and_body() {
    let body = r#"{"code": "VersionMismatch", "message": "version 3 expected", "executionState": {"status": "IN_PROGRESS", "versionNumber": 3}}"#;
    let (client, replay) = client();
    replay.push(response(409, &[("x-amzn-RequestId", "req-42")], body));
    let err = block_on(
        client
            .update_job_execution()
            .thing_name("t")
            .job_id("j")
            .status(JobExecutionStatus::InProgress)
            .expected_version(2)
            .send(),
    )
    .unwrap_err();
    assert_eq!(err.request_id(), Some("req-42"));
    assert_eq!(
        err.to_string(),
        "service error: VersionMismatch: version 3 expected (HTTP 409)"
    );
    let UpdateJobExecutionError::Unhandled(unhandled) = err.into_service_error() else {
        panic!("expected Unhandled");
    };
    assert_eq!(unhandled.code(), Some("VersionMismatch"));
    assert_eq!(unhandled.message(), Some("version 3 expected"));
    assert_eq!(unhandled.status(), Some(409));
    assert_eq!(unhandled.request_id(), Some("req-42"));
    let state: serde_json::Value = serde_json::from_slice(unhandled.body()).unwrap();
    assert_eq!(state["executionState"]["versionNumber"], 3);
}

#[test]
fn error_response_that_is_not_json_is_unhandled_with_status() {
    let (client, replay) = client();
    replay.push_response(502, "<html>Bad Gateway</html>");
    let err = block_on(client.get_pending_job_executions().thing_name("t").send()).unwrap_err();
    let service = err.into_service_error();
    let iot_jobs_data_plane::operation::get_pending_job_executions::GetPendingJobExecutionsError::Unhandled(unhandled) =
        &service
    else {
        panic!("expected Unhandled, got {service:?}");
    };
    assert_eq!(unhandled.status(), Some(502));
    assert_eq!(unhandled.code(), None);
    assert_eq!(unhandled.body(), b"<html>Bad Gateway</html>");
}

#[test]
fn unknown_enum_value_is_kept_and_round_trips() {
    let (client, replay) = client();
    replay.push_response(
        200,
        r#"{"execution": {"status": "PAUSED_FOR_MAINTENANCE"}}"#,
    );
    let output = block_on(
        client
            .describe_job_execution()
            .thing_name("t")
            .job_id("j")
            .send(),
    )
    .unwrap();
    let status = output.execution().unwrap().status().unwrap().clone();
    assert_eq!(
        status,
        JobExecutionStatus::Unknown("PAUSED_FOR_MAINTENANCE".into())
    );
    assert_eq!(status.as_str(), "PAUSED_FOR_MAINTENANCE");

    // Sent back as it came.
    replay.push_response(200, "{}");
    block_on(
        client
            .update_job_execution()
            .thing_name("t")
            .job_id("j")
            .status(status)
            .send(),
    )
    .unwrap();
    let sent = replay.last_request().unwrap();
    assert_eq!(
        body_json(&sent),
        serde_json::json!({"status": "PAUSED_FOR_MAINTENANCE"})
    );

    // Known values parse to their variants, in every form.
    for value in JobExecutionStatus::values() {
        let parsed = JobExecutionStatus::from(*value);
        assert!(!matches!(parsed, JobExecutionStatus::Unknown(_)), "{value}");
        assert_eq!(parsed.as_str(), *value);
        assert_eq!(JobExecutionStatus::from(value.to_string()), parsed);
        assert_eq!(value.parse::<JobExecutionStatus>().unwrap(), parsed);
    }
}

#[test]
fn malformed_success_responses_are_errors_not_panics() {
    let bodies = [
        r#"{"execution": {"jobId": "a""#,           // truncated
        r#"{"execution": {"versionNumber": "7"}}"#, // string for a long
        r#"{"execution": []}"#,                     // array for a structure
        r#"{"execution": {"executionNumber": 1.5}}"#,
        r#"{"execution": {"executionNumber": 99999999999999999999}}"#,
        r#"[]"#,
        r#"null"#,
        "not json",
        "{} {}",
        "\u{feff}{}",
    ];
    for body in bodies {
        let (client, replay) = client();
        replay.push_response(200, body);
        let err = block_on(
            client
                .describe_job_execution()
                .thing_name("t")
                .job_id("j")
                .send(),
        )
        .expect_err(body);
        let SdkError::ResponseError(response_error) = &err else {
            panic!("{body}: expected a response error, got {err:?}");
        };
        assert_eq!(response_error.raw().status(), 200);
        assert!(
            err.to_string().starts_with("invalid response (HTTP 200)"),
            "{err}"
        );
    }
}

#[test]
fn another_type_where_the_model_declares_a_string_reads_as_its_text() {
    let (client, replay) = client();
    replay.push_response(
        200,
        r#"{"execution": {"jobId": 12345678, "status": 5, "statusDetails": {"k": 1, "o": {"a": [true]}}}}"#,
    );
    let output = block_on(
        client
            .describe_job_execution()
            .thing_name("t")
            .job_id("j")
            .send(),
    )
    .unwrap();
    let execution = output.execution().unwrap();
    assert_eq!(execution.job_id(), Some("12345678"));
    assert_eq!(execution.status(), Some(&JobExecutionStatus::from("5")));
    let details = execution.status_details().unwrap();
    assert_eq!(details["k"], "1");
    assert_eq!(details["o"], r#"{"a":[true]}"#);

    // An error's message too: the modeled error, not a failed response.
    replay.push(response(
        404,
        &[("x-amzn-ErrorType", "ResourceNotFoundException")],
        r#"{"message": 404}"#,
    ));
    let err = block_on(client.get_pending_job_executions().thing_name("t").send()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "service error: ResourceNotFoundException: 404",
        "{err:?}"
    );
}

#[test]
fn malformed_error_body_for_a_modeled_code_is_a_response_error() {
    let (client, replay) = client();
    replay.push(response(
        404,
        &[("x-amzn-ErrorType", "ResourceNotFoundException")],
        r#"{"message": "a", "message": [1,"#,
    ));
    let err = block_on(client.get_pending_job_executions().thing_name("t").send()).unwrap_err();
    assert!(matches!(err, SdkError::ResponseError(_)), "{err:?}");
}

#[test]
fn empty_success_body_reads_as_empty_output() {
    let (client, replay) = client();
    replay.push_response(200, "");
    let output = block_on(client.get_pending_job_executions().thing_name("t").send()).unwrap();
    assert_eq!(output.queued_jobs(), None);
}

#[test]
fn dispatch_failure_becomes_unhandled_with_source() {
    let (client, replay) = client();
    replay.push_failure(ConnectorError::new(
        ConnectorErrorKind::Io,
        "connection reset",
    ));
    let err = block_on(client.get_pending_job_executions().thing_name("t").send()).unwrap_err();
    assert!(matches!(err, SdkError::DispatchFailure(_)), "{err:?}");
    assert!(err.to_string().contains("connection reset"), "{err}");
    let service = err.into_service_error();
    assert_eq!(service.code(), None);
    assert!(std::error::Error::source(&service).is_some());
}

#[test]
fn default_endpoint_comes_from_the_model_and_region() {
    let replay = ReplayClient::new();
    replay.push_response(200, "{}");
    let config = Config::builder()
        .region("eu-west-1")
        .credentials(Credentials::new("AKID", "SECRET", None))
        .http_client(replay.clone())
        .build();
    let client = Client::from_conf(config);
    block_on(client.get_pending_job_executions().thing_name("t").send()).unwrap();
    assert_eq!(
        only_request(&replay).uri(),
        "https://data.jobs.iot.eu-west-1.amazonaws.com/things/t/jobs"
    );
}

/// The request a `GetPendingJobExecutions` call sends with `config` (its
/// transport replaced by an in-memory one), or the call's error.
fn request_with(
    config: sdk_runtime::ConfigBuilder,
) -> Result<
    HttpRequest,
    SdkError<
        iot_jobs_data_plane::operation::get_pending_job_executions::GetPendingJobExecutionsError,
    >,
> {
    let replay = ReplayClient::new();
    replay.push_response(200, "{}");
    let config = config
        .credentials(Credentials::new("AKID", "SECRET", None))
        .http_client(replay.clone())
        .max_attempts(1)
        .build();
    let client = Client::from_conf(config);
    block_on(client.get_pending_job_executions().thing_name("t").send())?;
    Ok(only_request(&replay))
}

#[test]
fn endpoints_follow_the_service_rules_fips_china_and_new_regions() {
    let fips = request_with(Config::builder().region("us-east-1").use_fips(true)).unwrap();
    assert_eq!(
        fips.uri(),
        "https://data.jobs.iot-fips.us-east-1.amazonaws.com/things/t/jobs"
    );
    let china = request_with(Config::builder().region("cn-north-1")).unwrap();
    assert_eq!(
        china.uri(),
        "https://data.jobs.iot.cn-north-1.amazonaws.com.cn/things/t/jobs"
    );
    // Signed for the region of the endpoint.
    let authorization = china.headers()["authorization"].to_str().unwrap();
    assert!(
        authorization.contains("/cn-north-1/iot-jobs-data/aws4_request"),
        "{authorization}"
    );
    // Not in partitions.json, but matching the aws-cn and aws-us-gov regionRegex.
    let new_china = request_with(Config::builder().region("cn-southwest-7")).unwrap();
    assert_eq!(
        new_china.uri(),
        "https://data.jobs.iot.cn-southwest-7.amazonaws.com.cn/things/t/jobs"
    );
    let new_gov = request_with(Config::builder().region("us-gov-south-9").use_fips(true)).unwrap();
    assert_eq!(
        new_gov.uri(),
        "https://data.jobs.iot-fips.us-gov-south-9.amazonaws.com/things/t/jobs"
    );
    let dual = request_with(Config::builder().region("eu-west-1").use_dual_stack(true)).unwrap();
    assert_eq!(
        dual.uri(),
        "https://data.jobs.iot.eu-west-1.api.aws/things/t/jobs"
    );
}

#[test]
fn a_rule_error_is_the_construction_error_with_the_rules_message() {
    let err = request_with(
        Config::builder()
            .region("us-east-1")
            .use_fips(true)
            .endpoint_url("https://example.com"),
    )
    .unwrap_err();
    assert!(matches!(err, SdkError::ConstructionFailure(_)), "{err:?}");
    assert!(
        err.to_string()
            .contains("Invalid Configuration: FIPS and custom endpoint are not supported"),
        "{err}"
    );
}

#[test]
fn service_specific_endpoint_urls_come_before_the_global_one() {
    let dir = tempfile::tempdir().unwrap();
    let config_file = dir.path().join("config");
    std::fs::write(
        &config_file,
        "[default]\nservices = local\n\n[services local]\niot_jobs_data_plane =\n  endpoint_url = http://127.0.0.1:4000\n",
    )
    .unwrap();
    let env = |vars: &[(&str, &str)]| {
        let mut pairs: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        pairs.push((
            "AWS_CONFIG_FILE".to_owned(),
            config_file.display().to_string(),
        ));
        pairs.push(("AWS_REGION".to_owned(), "us-east-1".to_owned()));
        pairs.push((
            "AWS_SHARED_CREDENTIALS_FILE".to_owned(),
            dir.path().join("none").display().to_string(),
        ));
        sdk_runtime::env::Env::from_pairs(pairs)
    };
    let specific = request_with(Config::from_env_with(env(&[
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:1000"),
        (
            "AWS_ENDPOINT_URL_IOT_JOBS_DATA_PLANE",
            "http://127.0.0.1:2000",
        ),
    ])))
    .unwrap();
    assert_eq!(specific.uri(), "http://127.0.0.1:2000/things/t/jobs");
    let profile = request_with(Config::from_env_with(env(&[(
        "AWS_ENDPOINT_URL",
        "http://127.0.0.1:1000",
    )])))
    .unwrap();
    assert_eq!(profile.uri(), "http://127.0.0.1:4000/things/t/jobs");
    let fips = request_with(Config::from_env_with(env(&[
        (
            "AWS_ENDPOINT_URL_IOT_JOBS_DATA_PLANE",
            "http://127.0.0.1:2000",
        ),
        ("AWS_USE_FIPS_ENDPOINT", "true"),
    ])))
    .unwrap_err();
    assert!(
        fips.to_string().contains("FIPS and custom endpoint"),
        "{fips}"
    );
    // The builder's endpoint wins over every one of the environment.
    let explicit = request_with(
        Config::from_env_with(env(&[(
            "AWS_ENDPOINT_URL_IOT_JOBS_DATA_PLANE",
            "http://127.0.0.1:2000",
        )]))
        .endpoint_url("http://127.0.0.1:3000"),
    )
    .unwrap();
    assert_eq!(explicit.uri(), "http://127.0.0.1:3000/things/t/jobs");
}

#[test]
fn requests_are_signed_for_the_service_and_region() {
    let (client, replay) = client();
    replay.push_response(200, "{}");
    block_on(client.get_pending_job_executions().thing_name("t").send()).unwrap();
    let request = only_request(&replay);
    assert_eq!(request.headers()["host"], "127.0.0.1:8080");
    let date = request.headers()["x-amz-date"].to_str().unwrap();
    let authorization = request.headers()["authorization"].to_str().unwrap();
    let scope = format!("AKID/{}/us-east-1/iot-jobs-data/aws4_request", &date[..8]);
    // `x-amz-user-agent` is signed, as the AWS SDKs sign it; `user-agent` is not.
    assert!(
        authorization.starts_with(&format!(
            "AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host;x-amz-date;x-amz-user-agent, Signature="
        )),
        "{authorization}"
    );
}

#[test]
fn no_credentials_is_a_clear_error() {
    let replay = ReplayClient::new();
    let config = Config::builder()
        .region("us-east-1")
        .http_client(replay.clone())
        .build();
    let client = Client::from_conf(config);
    let err = block_on(client.get_pending_job_executions().thing_name("t").send()).unwrap_err();
    assert!(
        err.to_string().contains("no credentials are configured"),
        "{err}"
    );
    assert!(replay.requests().is_empty());
}

#[test]
fn no_region_and_no_endpoint_is_a_clear_error() {
    let replay = ReplayClient::new();
    let client = Client::from_conf(Config::builder().http_client(replay.clone()).build());
    let err = block_on(client.get_pending_job_executions().thing_name("t").send()).unwrap_err();
    assert!(err.to_string().contains("no region is configured"), "{err}");
    assert!(replay.requests().is_empty());
}

#[test]
fn sans_io_functions_work_without_a_client() {
    use iot_jobs_data_plane::operation::describe_job_execution::DescribeJobExecutionInput;
    use iot_jobs_data_plane::protocol::describe_job_execution::{
        parse_response, serialize_request,
    };

    let input = DescribeJobExecutionInput::builder()
        .thing_name("t")
        .job_id("j")
        .build()
        .unwrap();
    assert_eq!(input.thing_name(), Some("t"));
    let request = serialize_request(&input).unwrap();
    assert_eq!(request.uri(), "/things/t/jobs/j");
    let output = parse_response(&response(200, &[], EXECUTION)).unwrap();
    assert_eq!(output.execution().unwrap().job_id(), Some("job-1"));
}

#[test]
fn builders_and_getters() {
    let execution = JobExecution::builder()
        .job_id("j")
        .status(JobExecutionStatus::Queued)
        .status_details("a", "1")
        .set_version_number(Some(4))
        .build();
    assert_eq!(execution.job_id(), Some("j"));
    assert_eq!(execution.version_number(), Some(4));
    assert_eq!(execution.status_details().unwrap()["a"], "1");
    let cleared = JobExecution::builder()
        .status_details("a", "1")
        .set_status_details(None)
        .build();
    assert_eq!(cleared.status_details(), None);
    assert_eq!(JobExecution::default(), JobExecution::builder().build());
}

#[test]
fn serde_feature_uses_wire_names() {
    let execution = JobExecution::builder()
        .job_id("j")
        .status(JobExecutionStatus::TimedOut)
        .queued_at(5)
        .build();
    let json = serde_json::to_value(&execution).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"jobId": "j", "status": "TIMED_OUT", "queuedAt": 5})
    );
    let back: JobExecution = serde_json::from_value(json).unwrap();
    assert_eq!(back, execution);
}

#[test]
fn send_blocking_sends_the_same_request_and_parses_the_same_way() {
    let (client, replay) = client();
    replay.push_response(200, r#"{"queuedJobs": [{"jobId": "b"}]}"#);
    replay.push(response(
        404,
        &[("x-amzn-ErrorType", "ResourceNotFoundException")],
        r#"{"message": "no thing"}"#,
    ));
    let output = client
        .get_pending_job_executions()
        .thing_name("my-thing")
        .send_blocking()
        .unwrap();
    assert_eq!(output.queued_jobs().unwrap()[0].job_id(), Some("b"));
    let err = client
        .get_pending_job_executions()
        .thing_name("my-thing")
        .send_blocking()
        .unwrap_err();
    assert_eq!(
        err.into_service_error().code(),
        Some("ResourceNotFoundException")
    );
    let requests = replay.requests();
    assert_eq!(requests.len(), 2);
    for request in requests {
        assert_eq!(request.uri(), "http://127.0.0.1:8080/things/my-thing/jobs");
    }
}
