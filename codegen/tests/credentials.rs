//! Credentials from where programs run, end to end: instance metadata, the
//! container endpoint and AWS IoT's credentials provider played by loopback
//! servers this file starts, and IoT Jobs calls signed with what they hand
//! out, checked by the end-to-end server (`e2e/server.rs`).
//!
//! Every test passes its environment explicitly (`Config::from_env_with`),
//! so none changes the process environment or races another; `HOME` points
//! at an empty directory, so the user's own `~/.aws` is never read.

#[allow(dead_code)]
#[path = "e2e/fake_jobs.rs"]
mod fake_jobs;
#[allow(dead_code)]
#[path = "e2e/server.rs"]
mod server;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, SystemTime};

use iot_jobs_data_plane::{Client, Config};
use sdk_runtime::credentials::IotCredentialsProvider;
use sdk_runtime::env::Env;
use sdk_runtime::testing::InstantSleep;
use sdk_runtime::transport::https::UreqClient;
use sdk_runtime::transport::SharedHttpClient;
use sdk_runtime::DateTime;

use fake_jobs::FakeJobs;
use server::{Reply, Seen, Server, SIGNING};

const THING: &str = "sensor-17";
const INSTALL: &str = r#"{"operation": "install"}"#;
const IMDS_TOKEN: &str = "IMDS-SESSION-TOKEN-abc";

/// The jobs service, answering for `THING` with one queued job.
fn jobs_server() -> Server {
    let jobs = Arc::new(FakeJobs::new(THING));
    jobs.queue("job-1", INSTALL);
    Server::start(move |seen| jobs.handle(seen))
}

/// RFC 3339, `secs` seconds from now.
fn expiration(secs: u64) -> String {
    DateTime::from(SystemTime::now() + Duration::from_secs(secs)).to_string()
}

fn credentials_json(token: &str, expires_in: u64) -> String {
    format!(
        r#"{{"Code":"Success","AccessKeyId":"{}","SecretAccessKey":"{}","Token":"{token}","Expiration":"{}"}}"#,
        SIGNING.access_key,
        SIGNING.secret_key,
        expiration(expires_in)
    )
}

/// How the fake instance metadata answers the token request.
#[derive(Clone, Copy, PartialEq)]
enum Token {
    /// IMDSv2: a token, which every other request must carry.
    Granted,
    /// IMDSv1 only: the token request is refused with this status.
    Refused(u16),
}

/// Instance metadata with one role, `fleet-role`, in `SIGNING.region`.
fn imds_server(token: Token) -> Server {
    Server::start_unsigned(move |seen: &Seen| {
        let sent = seen.header("x-aws-ec2-metadata-token");
        match (seen.method.as_str(), seen.path.as_str()) {
            ("PUT", "/latest/api/token") => match token {
                Token::Granted
                    if seen
                        .header("x-aws-ec2-metadata-token-ttl-seconds")
                        .is_some() =>
                {
                    Reply::Json(200, IMDS_TOKEN.into())
                }
                Token::Granted => Reply::Json(400, String::new()),
                Token::Refused(status) => Reply::Json(status, String::new()),
            },
            _ if token == Token::Granted && sent.as_deref() != Some(IMDS_TOKEN) => {
                Reply::Json(401, String::new())
            }
            _ if token != Token::Granted && sent.is_some() => Reply::Json(400, String::new()),
            ("GET", "/latest/meta-data/iam/security-credentials/") => {
                Reply::Json(200, "fleet-role\n".into())
            }
            ("GET", "/latest/meta-data/iam/security-credentials/fleet-role") => {
                Reply::Json(200, credentials_json("SESSION-FROM-IMDS", 6 * 3600))
            }
            ("GET", "/latest/meta-data/placement/region") => {
                Reply::Json(200, SIGNING.region.into())
            }
            _ => Reply::Json(404, String::new()),
        }
    })
}

/// An environment of just `vars`, with `HOME` at an empty directory.
fn env(home: &tempfile::TempDir, vars: &[(&str, &str)]) -> Env {
    let mut all: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    all.push(("HOME".into(), home.path().display().to_string()));
    Env::from_pairs(all)
}

/// Checks the jobs server got `calls` requests, all signed with the tests'
/// keys and carrying `token`.
fn assert_signed_with(jobs: &Server, calls: usize, token: &str) {
    let seen = jobs.seen();
    assert_eq!(seen.len(), calls, "{seen:#?}");
    jobs.assert_all_signed();
    for request in &seen {
        assert_eq!(
            request.header("x-amz-security-token").as_deref(),
            Some(token)
        );
    }
}

#[test]
fn from_env_with_only_an_imds_endpoint_signs_with_the_instance_role() {
    let (imds, jobs, home) = (
        imds_server(Token::Granted),
        jobs_server(),
        tempfile::tempdir().unwrap(),
    );
    let config = Config::from_env_with(env(
        &home,
        &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint())],
    ))
    .endpoint_url(jobs.endpoint())
    .build();
    assert_eq!(config.region(), None, "asked at the first call, not before");
    let client = Client::from_conf(config.clone());
    for _ in 0..2 {
        let output = client
            .get_pending_job_executions()
            .thing_name(THING)
            .send_blocking()
            .unwrap();
        assert_eq!(output.queued_jobs().unwrap().len(), 1);
    }
    assert_signed_with(&jobs, 2, "SESSION-FROM-IMDS");
    assert_eq!(config.region().map(|r| r.as_str()), Some(SIGNING.region));

    // Region: token and region; credentials: token, role, credentials;
    // the second call asks nothing.
    let asked: Vec<(String, String)> = imds
        .seen()
        .into_iter()
        .map(|s| (s.method, s.path))
        .collect();
    assert_eq!(asked.len(), 5, "{asked:?}");
    assert!(asked.contains(&("GET".into(), "/latest/meta-data/placement/region".into())));
}

#[tokio::test]
async fn imds_v1_fallback_when_the_token_is_refused() {
    for status in [403, 404, 405] {
        let (imds, jobs, home) = (
            imds_server(Token::Refused(status)),
            jobs_server(),
            tempfile::tempdir().unwrap(),
        );
        let config = Config::from_env_with(env(
            &home,
            &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint())],
        ))
        .endpoint_url(jobs.endpoint())
        .build();
        Client::from_conf(config)
            .get_pending_job_executions()
            .thing_name(THING)
            .send()
            .await
            .unwrap();
        assert_signed_with(&jobs, 1, "SESSION-FROM-IMDS");
        assert!(imds
            .seen()
            .iter()
            .all(|s| s.header("x-aws-ec2-metadata-token").is_none()));

        // Turned off, the fallback is an error that says so, and nothing is sent.
        let (imds, jobs) = (imds_server(Token::Refused(status)), jobs_server());
        let vars = [
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint()),
            ("AWS_EC2_METADATA_V1_DISABLED", "true"),
            ("AWS_REGION", SIGNING.region),
        ];
        let err = Client::from_conf(
            Config::from_env_with(env(&home, &vars))
                .endpoint_url(jobs.endpoint())
                .build(),
        )
        .get_pending_job_executions()
        .thing_name(THING)
        .send()
        .await
        .unwrap_err();
        let shown = err.to_string();
        assert!(shown.contains("IMDSv1 fallback is turned off"), "{shown}");
        assert!(jobs.seen().is_empty());
    }
}

/// The container endpoint: credentials for a request with `Authorization:
/// <token>`, expiring in `expires_in` seconds, each reply after `delay`.
fn container_server(token: &'static str, expires_in: u64, delay: Duration) -> Server {
    Server::start_unsigned(move |seen: &Seen| {
        if seen.path != "/creds" || seen.header("authorization").as_deref() != Some(token) {
            return Reply::error(403, "AccessDenied", "bad token");
        }
        let reply = Reply::Json(200, credentials_json("SESSION-FROM-CONTAINER", expires_in));
        if delay.is_zero() {
            reply
        } else {
            Reply::Delayed(delay, Box::new(reply))
        }
    })
}

#[test]
fn from_env_with_only_a_container_full_uri_signs_with_the_task_role() {
    let (container, jobs, home) = (
        container_server("CONTAINER-TOKEN", 3600, Duration::ZERO),
        jobs_server(),
        tempfile::tempdir().unwrap(),
    );
    let token_file = home.path().join("token");
    std::fs::write(&token_file, "CONTAINER-TOKEN\n").unwrap();
    let full_uri = format!("{}/creds", container.endpoint());
    let token_file = token_file.display().to_string();
    for vars in [
        vec![
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri.as_str()),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "CONTAINER-TOKEN"),
        ],
        vec![
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri.as_str()),
            (
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                token_file.as_str(),
            ),
        ],
    ] {
        let jobs_before = jobs.seen().len();
        let client = Client::from_conf(
            Config::from_env_with(env(&home, &vars))
                .region(SIGNING.region)
                .endpoint_url(jobs.endpoint())
                .build(),
        );
        client
            .get_pending_job_executions()
            .thing_name(THING)
            .send_blocking()
            .unwrap();
        assert_eq!(jobs.seen().len(), jobs_before + 1);
    }
    assert_signed_with(&jobs, 2, "SESSION-FROM-CONTAINER");
    assert_eq!(container.seen().len(), 2);
}

#[test]
fn the_chain_takes_the_first_source_that_has_credentials() {
    let (imds, home) = (imds_server(Token::Granted), tempfile::tempdir().unwrap());
    let container = container_server("T", 3600, Duration::ZERO);
    let full_uri = format!("{}/creds", container.endpoint());
    let aws = home.path().join(".aws");
    std::fs::create_dir(&aws).unwrap();
    let profile_file = aws.join("credentials");
    let with_profile = || {
        std::fs::write(&profile_file, format!(
            "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\naws_session_token = FROM-PROFILE\n",
            SIGNING.access_key, SIGNING.secret_key
        ))
        .unwrap()
    };
    let imds_endpoint = ("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint());
    let container_vars = [
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri.as_str()),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "T"),
    ];
    let environment = [
        ("AWS_ACCESS_KEY_ID", SIGNING.access_key),
        ("AWS_SECRET_ACCESS_KEY", SIGNING.secret_key),
        ("AWS_SESSION_TOKEN", "FROM-ENV"),
    ];
    let token_of = |vars: &[(&str, &str)]| -> String {
        let jobs = jobs_server();
        Client::from_conf(
            Config::from_env_with(env(&home, vars))
                .region(SIGNING.region)
                .endpoint_url(jobs.endpoint())
                .build(),
        )
        .get_pending_job_executions()
        .thing_name(THING)
        .send_blocking()
        .unwrap();
        jobs.assert_all_signed();
        jobs.seen()[0].header("x-amz-security-token").unwrap()
    };

    with_profile();
    let all: Vec<_> = environment
        .iter()
        .chain(&container_vars)
        .copied()
        .chain([imds_endpoint])
        .collect();
    assert_eq!(token_of(&all), "FROM-ENV");
    assert_eq!(token_of(&all[3..]), "FROM-PROFILE");
    std::fs::remove_file(&profile_file).unwrap();
    assert_eq!(token_of(&all[3..]), "SESSION-FROM-CONTAINER");
    assert!(imds.seen().is_empty(), "instance metadata is last");
    assert_eq!(token_of(&all[5..]), "SESSION-FROM-IMDS");

    // Web identity comes before the container: its token file is read.
    let jobs = jobs_server();
    let vars: Vec<_> = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", "/t"),
        ("AWS_ROLE_ARN", "arn:aws:iam::1:role/r"),
    ]
    .into_iter()
    .chain(container_vars)
    .collect();
    let err = Client::from_conf(
        Config::from_env_with(env(&home, &vars))
            .region(SIGNING.region)
            .endpoint_url(jobs.endpoint())
            .build(),
    )
    .get_pending_job_executions()
    .thing_name(THING)
    .send_blocking()
    .unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.contains(
            "web identity credentials from AWS_WEB_IDENTITY_TOKEN_FILE (/t) and AWS_ROLE_ARN: \
             cannot read the token file /t"
        ),
        "{shown}"
    );
    assert!(jobs.seen().is_empty());
}

#[test]
fn expiring_credentials_are_fetched_again_and_concurrent_calls_share_one_fetch() {
    // Credentials that live 4 s are refreshed after about 2 (half their life).
    let (container, jobs, home) = (
        container_server("T", 4, Duration::from_millis(300)),
        jobs_server(),
        tempfile::tempdir().unwrap(),
    );
    let full_uri = format!("{}/creds", container.endpoint());
    let vars = [
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri.as_str()),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "T"),
    ];
    let client = Client::from_conf(
        Config::from_env_with(env(&home, &vars))
            .region(SIGNING.region)
            .endpoint_url(jobs.endpoint())
            .sleep_impl(InstantSleep::new())
            .build(),
    );
    let call = |client: &Client| {
        client
            .get_pending_job_executions()
            .thing_name(THING)
            .send_blocking()
            .unwrap();
    };
    let barrier = Arc::new(Barrier::new(6));
    std::thread::scope(|scope| {
        for _ in 0..6 {
            let (client, barrier) = (client.clone(), Arc::clone(&barrier));
            scope.spawn(move || {
                barrier.wait();
                call(&client);
            });
        }
    });
    assert_eq!(container.seen().len(), 1, "six concurrent calls, one fetch");
    call(&client);
    assert_eq!(container.seen().len(), 1, "still fresh");
    std::thread::sleep(Duration::from_millis(2500));
    call(&client);
    assert_eq!(container.seen().len(), 2, "refreshed before expiry");
    assert_signed_with(&jobs, 8, "SESSION-FROM-CONTAINER");
}

#[test]
fn iot_credentials_provider_signs_the_calls_that_follow() {
    const CERT: &[u8] = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const KEY: &[u8] =
        b"-----BEGIN EC PRIVATE KEY-----\nPRIVATEKEY\n-----END EC PRIVATE KEY-----\n";
    let fetches = Arc::new(AtomicUsize::new(0));
    let thing_names = Arc::new(Mutex::new(Vec::new()));
    let iot = {
        let (fetches, thing_names) = (Arc::clone(&fetches), Arc::clone(&thing_names));
        Server::start_unsigned(move |seen: &Seen| {
            if seen.method != "GET" || seen.path != "/role-aliases/fleet-role/credentials" {
                return Reply::error(404, "ResourceNotFoundException", "no such alias");
            }
            fetches.fetch_add(1, Ordering::SeqCst);
            thing_names
                .lock()
                .unwrap()
                .push(seen.header("x-amzn-iot-thingname"));
            Reply::ok(format!(
                r#"{{"credentials":{{"accessKeyId":"{}","secretAccessKey":"{}","sessionToken":"SESSION-FROM-IOT","expiration":"{}"}}}}"#,
                SIGNING.access_key,
                SIGNING.secret_key,
                expiration(3600)
            ))
        })
    };
    let jobs = jobs_server();
    let provider = IotCredentialsProvider::builder()
        .endpoint(iot.endpoint())
        .role_alias("fleet-role")
        .thing_name(THING)
        .certificate_pem(CERT.to_vec())
        .private_key_pem(KEY.to_vec())
        .http_client(SharedHttpClient::new(UreqClient::new()))
        .build()
        .unwrap();
    let client = Client::from_conf(
        Config::builder()
            .region(SIGNING.region)
            .endpoint_url(jobs.endpoint())
            .credentials_provider(provider)
            .build(),
    );
    for _ in 0..3 {
        client
            .get_pending_job_executions()
            .thing_name(THING)
            .send_blocking()
            .unwrap();
    }
    assert_signed_with(&jobs, 3, "SESSION-FROM-IOT");
    assert_eq!(fetches.load(Ordering::SeqCst), 1, "cached");
    assert_eq!(*thing_names.lock().unwrap(), [Some(THING.to_owned())]);

    // An error answer becomes the call's error, naming the endpoint and the service's words.
    let provider = IotCredentialsProvider::builder()
        .endpoint(iot.endpoint())
        .role_alias("other")
        .thing_name(THING)
        .certificate_pem(CERT.to_vec())
        .private_key_pem(KEY.to_vec())
        .http_client(SharedHttpClient::new(UreqClient::new()))
        .build()
        .unwrap();
    let err = Client::from_conf(
        Config::builder()
            .region(SIGNING.region)
            .endpoint_url(jobs.endpoint())
            .credentials_provider(provider)
            .build(),
    )
    .get_pending_job_executions()
    .thing_name(THING)
    .send_blocking()
    .unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("AWS IoT credentials from"), "{shown}");
    assert!(
        shown.contains(
            "/role-aliases/other/credentials: status 404 ResourceNotFoundException: no such alias"
        ),
        "{shown}"
    );
    assert!(!shown.contains("PRIVATEKEY"), "{shown}");
}

#[tokio::test]
async fn iot_and_container_providers_work_under_tokio() {
    const CERT: &[u8] = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const KEY: &[u8] = b"-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n";
    let iot = Server::start_unsigned(|seen: &Seen| {
        assert_eq!(seen.header("x-amzn-iot-thingname").as_deref(), Some(THING));
        Reply::ok(format!(
            r#"{{"credentials":{{"accessKeyId":"{}","secretAccessKey":"{}","sessionToken":"SESSION-FROM-IOT","expiration":"{}"}}}}"#,
            SIGNING.access_key,
            SIGNING.secret_key,
            expiration(3600)
        ))
    });
    let jobs = jobs_server();
    let provider = IotCredentialsProvider::builder()
        .endpoint(iot.endpoint())
        .role_alias("fleet-role")
        .thing_name(THING)
        .certificate_pem(CERT.to_vec())
        .private_key_pem(KEY.to_vec())
        .http_client(SharedHttpClient::new(UreqClient::new()))
        .build()
        .unwrap();
    Client::from_conf(
        Config::builder()
            .region(SIGNING.region)
            .endpoint_url(jobs.endpoint())
            .credentials_provider(provider)
            .build(),
    )
    .get_pending_job_executions()
    .thing_name(THING)
    .send()
    .await
    .unwrap();
    assert_signed_with(&jobs, 1, "SESSION-FROM-IOT");

    let (container, jobs, home) = (
        container_server("T", 3600, Duration::ZERO),
        jobs_server(),
        tempfile::tempdir().unwrap(),
    );
    let full_uri = format!("{}/creds", container.endpoint());
    let vars = [
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri.as_str()),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "T"),
    ];
    Client::from_conf(
        Config::from_env_with(env(&home, &vars))
            .region(SIGNING.region)
            .endpoint_url(jobs.endpoint())
            .build(),
    )
    .get_pending_job_executions()
    .thing_name(THING)
    .send()
    .await
    .unwrap();
    assert_signed_with(&jobs, 1, "SESSION-FROM-CONTAINER");
}
