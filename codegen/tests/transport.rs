//! The default transport against loopback servers the tests start: deadlines
//! (a silent endpoint fails within the operation timeout), per-call
//! overrides, and errors that name the host and port.

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use iot_jobs_data_plane::{Client, Config, ConfigOverride, Credentials, SdkError};
use sdk_runtime::transport::{Cause, ConnectorErrorKind, Timeout};

/// A server on 127.0.0.1 that accepts connections, reads what comes and
/// never answers; it counts the connections and stops by itself after
/// `lifetime`.
struct Silent {
    endpoint: String,
    connections: Arc<AtomicUsize>,
}

impl Silent {
    fn start(lifetime: Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        listener.set_nonblocking(true).unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&connections);
        thread::spawn(move || {
            let started = Instant::now();
            let mut held: Vec<TcpStream> = Vec::new();
            while started.elapsed() < lifetime {
                match listener.accept() {
                    Ok((stream, _)) => {
                        counted.fetch_add(1, Ordering::SeqCst);
                        stream.set_nonblocking(true).unwrap();
                        held.push(stream);
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
                // Read and drop the requests, so the client's writes never block.
                for stream in &mut held {
                    let _ = stream.read(&mut [0; 4096]);
                }
            }
        });
        Self {
            endpoint,
            connections,
        }
    }

    fn peer(&self) -> &str {
        self.endpoint.trim_start_matches("http://")
    }
}

fn client(
    endpoint: &str,
    config: impl FnOnce(iot_jobs_data_plane::ConfigBuilder) -> iot_jobs_data_plane::ConfigBuilder,
) -> Client {
    let builder = Config::builder()
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials(Credentials::new("AKID", "SECRET", None));
    Client::from_conf(config(builder).build())
}

fn describe(client: &Client) -> iot_jobs_data_plane::operation::describe_job_execution::builders::DescribeJobExecutionFluentBuilder{
    client
        .describe_job_execution()
        .thing_name("thing-1")
        .job_id("job-1")
}

#[test]
fn a_silent_endpoint_fails_within_the_operation_timeout() {
    let server = Silent::start(Duration::from_secs(20));
    let limit = Duration::from_millis(1500);
    // Attempts of 600 ms: two of them and the waits between fit, a third
    // is cut short by the operation timeout.
    let client = client(&server.endpoint, |config| {
        config
            .attempt_timeout(Duration::from_millis(600))
            .operation_timeout(limit)
            .max_attempts(10)
    });
    let started = Instant::now();
    let err = describe(&client).send_blocking().unwrap_err();
    let took = started.elapsed();
    // Two attempts always run. Then either the operation timeout cuts a
    // third short, or the call ends after the second, when the jittered wait
    // before a third would already pass the operation timeout. Both end
    // within the operation timeout.
    assert!(took >= Duration::from_millis(1150), "{took:?}");
    assert!(took < limit + Duration::from_millis(500), "{took:?}");
    let SdkError::DispatchFailure(connector) = &err else {
        panic!("{err}");
    };
    assert_eq!(connector.kind(), ConnectorErrorKind::Timeout);
    assert_eq!(connector.peer(), Some(server.peer()));
    assert!(err.attempts() >= 2, "{}", err.attempts());
    let text = err.to_string();
    match connector.cause() {
        Some(Cause::Timeout(Timeout::Operation(Some(timeout)))) => {
            assert_eq!(timeout, limit);
            assert!(took >= limit - Duration::from_millis(50), "{took:?}");
            assert!(
                text.contains(&format!(
                    "the operation timeout of 1.5s ran out waiting for {}",
                    server.peer()
                )),
                "{text}"
            );
        }
        Some(Cause::Timeout(Timeout::Attempt(_))) => {
            assert!(text.contains(&server.peer().to_string()), "{text}");
        }
        other => panic!("{other:?}: {err}"),
    }
    assert!(server.connections.load(Ordering::SeqCst) >= 2);
}

#[test]
fn a_per_call_override_changes_that_call_only() {
    let server = Silent::start(Duration::from_secs(20));
    // The client would wait 20 s a call; this call allows 300 ms and one attempt.
    let client = client(&server.endpoint, |config| {
        config
            .attempt_timeout(Duration::from_secs(20))
            .operation_timeout(Duration::from_secs(20))
            .max_attempts(3)
    });
    let started = Instant::now();
    let err = describe(&client)
        .config_override(
            ConfigOverride::new()
                .attempt_timeout(Duration::from_millis(300))
                .max_attempts(1),
        )
        .send_blocking()
        .unwrap_err();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert_eq!(err.attempts(), 1, "{err}");
    let SdkError::DispatchFailure(connector) = &err else {
        panic!("{err}");
    };
    assert_eq!(
        connector.cause(),
        Some(Cause::Timeout(Timeout::Attempt(Some(
            Duration::from_millis(300)
        )))),
        "{err}"
    );

    // An operation timeout for one call, retries allowed.
    let started = Instant::now();
    let err = describe(&client)
        .config_override(ConfigOverride::new().operation_timeout(Duration::from_millis(400)))
        .send_blocking()
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    let SdkError::DispatchFailure(connector) = &err else {
        panic!("{err}");
    };
    assert_eq!(
        connector.cause(),
        Some(Cause::Timeout(Timeout::Operation(Some(
            Duration::from_millis(400)
        ))))
    );
}

#[test]
fn a_refused_connection_names_host_and_port_and_no_secret() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let peer = listener.local_addr().unwrap().to_string();
    drop(listener);
    let client = client(&format!("http://{peer}"), |config| {
        config
            .max_attempts(2)
            .credentials(Credentials::new(
                "AKIDEXAMPLE",
                "TOPSECRET",
                Some("TOKEN".into()),
            ))
            .sleep_impl(sdk_runtime::testing::InstantSleep::new())
    });
    let err = describe(&client)
        .include_job_document(true)
        .send_blocking()
        .unwrap_err();
    let SdkError::DispatchFailure(connector) = &err else {
        panic!("{err}");
    };
    assert_eq!(connector.cause(), Some(Cause::ConnectionRefused));
    assert_eq!(connector.peer(), Some(peer.as_str()));
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "dispatch failure after 2 attempts: connection refused by {peer}: "
        )),
        "{text}"
    );
    let debug = format!("{err:?} {err:#?}");
    for secret in [
        "AKIDEXAMPLE",
        "TOPSECRET",
        "TOKEN",
        "includeJobDocument",
        "jobs/job-1",
    ] {
        assert!(!debug.contains(secret), "{secret}: {debug}");
    }
}
