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

#[path = "../examples/iot_job_agent/device_credentials.rs"]
mod device_credentials;

use std::sync::{Arc, Barrier};
use std::time::{Duration, SystemTime};

use iot_jobs_data_plane::{Client, Config};
use sdk_runtime::credentials::IotCredentialsProvider;
use sdk_runtime::env::Env;
use sdk_runtime::testing::InstantSleep;
use sdk_runtime::transport::SharedHttpClient;
use sdk_runtime::DateTime;

use device_credentials::DeviceIdentity;
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

#[tokio::test]
async fn the_container_provider_works_under_tokio() {
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

// --- AWS IoT's credentials provider, over mutual TLS ---

/// A CA made now, as PEM; a server certificate for 127.0.0.1 and a device
/// certificate it signed; and a device certificate of a CA nobody trusts.
/// Each pair is (certificate, private key).
struct Pki {
    ca: String,
    server: (String, String),
    device: (String, String),
    stranger: (String, String),
}

fn authority(name: &str) -> (rcgen::Certificate, rcgen::KeyPair) {
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    let key = rcgen::KeyPair::generate().unwrap();
    (params.self_signed(&key).unwrap(), key)
}

fn leaf(
    name: &str,
    usage: rcgen::ExtendedKeyUsagePurpose,
    (issuer, issuer_key): &(rcgen::Certificate, rcgen::KeyPair),
) -> (String, String) {
    let mut params = rcgen::CertificateParams::new(vec![name.to_owned()]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    params.extended_key_usages = vec![usage];
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, issuer, issuer_key).unwrap();
    (cert.pem(), key.serialize_pem())
}

fn pki() -> Pki {
    use rcgen::ExtendedKeyUsagePurpose::{ClientAuth, ServerAuth};
    let (ca, other) = (authority("test IoT CA"), authority("another CA"));
    Pki {
        ca: ca.0.pem(),
        server: leaf("127.0.0.1", ServerAuth, &ca),
        device: leaf(THING, ClientAuth, &ca),
        stranger: leaf("thing-of-another-ca", ClientAuth, &other),
    }
}

/// AWS IoT's credentials endpoint over TLS with `pki`'s server certificate,
/// requiring a client certificate from `pki`'s CA: role alias `fleet-role`
/// gives credentials to `THING`; `revoked-role` is refused as the service
/// refuses (`x-amzn-ErrorType` and a message).
fn iot_server(pki: &Pki) -> Server {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(pki.ca.as_bytes()).unwrap())
        .unwrap();
    let verifier =
        rustls::server::WebPkiClientVerifier::builder_with_provider(roots.into(), provider.clone())
            .build()
            .unwrap();
    let tls = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![CertificateDer::from_pem_slice(pki.server.0.as_bytes()).unwrap()],
            PrivateKeyDer::from_pem_slice(pki.server.1.as_bytes()).unwrap(),
        )
        .unwrap();
    Server::start_tls(Arc::new(tls), |seen: &Seen| {
        if seen.client_certificates == 0 {
            return Reply::error(403, "ForbiddenException", "no client certificate");
        }
        if seen.header("x-amzn-iot-thingname").as_deref() != Some(THING) {
            return Reply::error(403, "ForbiddenException", "thing name does not match");
        }
        match (seen.method.as_str(), seen.path.as_str()) {
            ("GET", "/role-aliases/fleet-role/credentials") => Reply::ok(format!(
                r#"{{"credentials":{{"accessKeyId":"{}","secretAccessKey":"{}","sessionToken":"SESSION-FROM-IOT","expiration":"{}"}}}}"#,
                SIGNING.access_key,
                SIGNING.secret_key,
                expiration(3600)
            )),
            ("GET", "/role-aliases/revoked-role/credentials") => Reply::error(
                403,
                "AccessDeniedException",
                "Access to the role alias is denied",
            ),
            _ => Reply::error(404, "ResourceNotFoundException", "no such role alias"),
        }
    })
}

/// A provider for `alias` at `iot` presenting `identity`, with its own
/// mutual-TLS transport that trusts `pki`'s CA.
fn iot_provider(
    iot: &Server,
    pki: &Pki,
    alias: &str,
    (certificate, key): &(String, String),
) -> IotCredentialsProvider {
    IotCredentialsProvider::builder()
        .endpoint(iot.endpoint())
        .role_alias(alias)
        .thing_name(THING)
        .certificate_pem(certificate.clone().into_bytes())
        .private_key_pem(key.clone().into_bytes())
        .root_ca_pem(pki.ca.clone().into_bytes())
        .build()
        .unwrap()
}

fn iot_client(jobs: &Server, provider: IotCredentialsProvider) -> Client {
    Client::from_conf(
        Config::builder()
            .region(SIGNING.region)
            .endpoint_url(jobs.endpoint())
            .credentials_provider(provider)
            .build(),
    )
}

/// The body of a PEM private key: what must never be shown.
fn key_body(key_pem: &str) -> &str {
    key_pem.lines().nth(1).unwrap()
}

#[test]
fn iot_credentials_over_mutual_tls_sign_the_calls_that_follow() {
    let pki = pki();
    let (iot, jobs) = (iot_server(&pki), jobs_server());
    assert!(iot.endpoint().starts_with("https://127.0.0.1:"));
    let client = iot_client(&jobs, iot_provider(&iot, &pki, "fleet-role", &pki.device));
    for _ in 0..3 {
        let output = client
            .get_pending_job_executions()
            .thing_name(THING)
            .send_blocking()
            .unwrap();
        assert_eq!(output.queued_jobs().unwrap().len(), 1);
    }
    assert_signed_with(&jobs, 3, "SESSION-FROM-IOT");
    let fetched = iot.seen();
    assert_eq!(fetched.len(), 1, "cached: {fetched:#?}");
    assert_eq!(fetched[0].client_certificates, 1, "the device certificate");
    assert!(iot.refused_handshakes().is_empty());
}

#[tokio::test]
async fn iot_credentials_over_mutual_tls_under_tokio() {
    let pki = pki();
    let (iot, jobs) = (iot_server(&pki), jobs_server());
    let client = iot_client(&jobs, iot_provider(&iot, &pki, "fleet-role", &pki.device));
    for _ in 0..2 {
        client
            .get_pending_job_executions()
            .thing_name(THING)
            .send()
            .await
            .unwrap();
    }
    assert_signed_with(&jobs, 2, "SESSION-FROM-IOT");
    let fetched = iot.seen();
    assert_eq!(fetched.len(), 1, "cached: {fetched:#?}");
    assert_eq!(fetched[0].client_certificates, 1);
}

#[test]
fn iot_error_answers_name_the_service_error_and_never_the_key() {
    let pki = pki();
    let (iot, jobs) = (iot_server(&pki), jobs_server());
    let client = iot_client(&jobs, iot_provider(&iot, &pki, "revoked-role", &pki.device));
    let err = client
        .get_pending_job_executions()
        .thing_name(THING)
        .send_blocking()
        .unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("AWS IoT credentials from"), "{shown}");
    assert!(
        shown.contains(
            "/role-aliases/revoked-role/credentials: status 403 AccessDeniedException: \
             Access to the role alias is denied"
        ),
        "{shown}"
    );
    assert!(!shown.contains(key_body(&pki.device.1)), "{shown}");
    assert_eq!(iot.seen().len(), 1);
    assert!(jobs.seen().is_empty(), "no call without credentials");
}

#[test]
fn the_iot_server_refuses_a_device_without_a_trusted_certificate() {
    use sdk_runtime::transport::tls::TlsSettings;
    use sdk_runtime::transport::DefaultClient;

    let pki = pki();
    let (iot, jobs) = (iot_server(&pki), jobs_server());
    // A transport that trusts the server but presents no certificate.
    let mut no_certificate = TlsSettings::default();
    no_certificate.add_trust_anchors_pem(pki.ca.clone());
    let anonymous = IotCredentialsProvider::builder()
        .endpoint(iot.endpoint())
        .role_alias("fleet-role")
        .thing_name(THING)
        .certificate_pem(pki.device.0.clone().into_bytes())
        .private_key_pem(pki.device.1.clone().into_bytes())
        .http_client(SharedHttpClient::new(
            DefaultClient::with_tls(&no_certificate).unwrap(),
        ))
        .build()
        .unwrap();
    // A certificate of a CA the server does not trust.
    let stranger = iot_provider(&iot, &pki, "fleet-role", &pki.stranger);
    for (provider, case) in [(anonymous, "no certificate"), (stranger, "untrusted CA")] {
        let refused_before = iot.refused_handshakes().len();
        let client = iot_client(&jobs, provider);
        // Blocking (ureq) and under tokio (hyper): both are refused.
        let blocking = client
            .get_pending_job_executions()
            .thing_name(THING)
            .send_blocking();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let non_blocking =
            runtime.block_on(client.get_pending_job_executions().thing_name(THING).send());
        for result in [blocking, non_blocking] {
            let shown = result.unwrap_err().to_string();
            assert!(
                shown.contains("AWS IoT credentials from"),
                "{case}: {shown}"
            );
            assert!(
                shown.contains(&format!(
                    "{}/role-aliases/fleet-role/credentials",
                    iot.endpoint()
                )),
                "{case}: {shown}"
            );
        }
        // The server thread records a refused handshake after the client
        // has already seen it fail: wait for the record, within a bound.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let mut refused = iot.refused_handshakes();
        while refused.len() < refused_before + 2 && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(10));
            refused = iot.refused_handshakes();
        }
        assert!(refused.len() >= refused_before + 2, "{case}: {refused:?}");
    }
    assert!(iot.seen().is_empty(), "no request got past the handshake");
    assert!(jobs.seen().is_empty());
}

#[test]
fn iot_provider_without_a_usable_certificate_or_key_fails_to_build() {
    let pki = pki();
    let base = || {
        IotCredentialsProvider::builder()
            .endpoint("https://127.0.0.1:1")
            .role_alias("fleet-role")
            .thing_name(THING)
    };
    let device = &pki.device;
    let cases = [
        (
            base().private_key_pem(device.1.clone().into_bytes()),
            "`certificate_pem` is not set",
        ),
        (
            base().certificate_pem(device.0.clone().into_bytes()),
            "`private_key_pem` is not set",
        ),
        (
            // A key that is not the certificate's.
            base()
                .certificate_pem(device.0.clone().into_bytes())
                .private_key_pem(pki.stranger.1.clone().into_bytes()),
            "cannot make the mutual-TLS transport: client certificate and key",
        ),
        (
            base()
                .certificate_pem(device.0.clone().into_bytes())
                .private_key_pem(device.1.clone().into_bytes())
                .root_ca_pem(device.1.clone().into_bytes()),
            "`root_ca_pem` is unreadable",
        ),
    ];
    for (builder, expected) in cases {
        let err = builder.build().unwrap_err();
        let shown = err.to_string();
        assert_eq!(err.provider_name(), Some("AWS IoT"), "{shown}");
        assert!(shown.contains(expected), "{expected}: {shown}");
        for key in [&device.1, &pki.stranger.1] {
            assert!(!shown.contains(key_body(key)), "{shown}");
        }
    }
}

#[test]
fn the_job_agent_reads_the_device_identity_from_files_and_gets_credentials() {
    let pki = pki();
    let (iot, jobs, dir) = (
        iot_server(&pki),
        jobs_server(),
        tempfile::tempdir().unwrap(),
    );
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let (certificate, key, root_ca) = (
        file("device.pem.crt", &pki.device.0),
        file("private.pem.key", &pki.device.1),
        file("root-ca.pem", &pki.ca),
    );
    let host = iot.endpoint().trim_start_matches("https://").to_owned();
    // Arguments win over the environment; the endpoint may come without a scheme.
    let args: Vec<String> = [
        "--once",
        "--certificate",
        &certificate,
        "--root-ca",
        &root_ca,
    ]
    .map(String::from)
    .into();
    let environment = |name: &str| match name {
        "IOT_CERTIFICATE_FILE" => Some("/nowhere/else.pem".to_owned()),
        "IOT_PRIVATE_KEY_FILE" => Some(key.clone()),
        "IOT_CREDENTIALS_ENDPOINT" => Some(host.clone()),
        "IOT_ROLE_ALIAS" => Some("fleet-role".to_owned()),
        _ => None,
    };
    let identity = DeviceIdentity::from_settings(&args, environment)
        .unwrap()
        .unwrap();
    assert_eq!(identity.certificate_file.display().to_string(), certificate);
    assert_eq!(identity.endpoint, iot.endpoint());
    assert_eq!(identity.region(), None, "not an AWS endpoint");
    let client = iot_client(&jobs, identity.provider(THING).unwrap());
    client
        .get_pending_job_executions()
        .thing_name(THING)
        .send_blocking()
        .unwrap();
    assert_signed_with(&jobs, 1, "SESSION-FROM-IOT");
    assert_eq!(iot.seen()[0].client_certificates, 1);

    // No certificate: the standard chain. Missing settings and files are named.
    assert_eq!(DeviceIdentity::from_settings(&[], |_| None), Ok(None));
    let only_certificate =
        |name: &str| (name == "IOT_CERTIFICATE_FILE").then(|| certificate.clone());
    let err = DeviceIdentity::from_settings(&[], only_certificate).unwrap_err();
    assert!(
        err.contains("--credentials-endpoint or IOT_CREDENTIALS_ENDPOINT"),
        "{err}"
    );
    let err = DeviceIdentity::from_settings(&["--role-alias".into()], environment).unwrap_err();
    assert_eq!(err, "--role-alias needs a value");
    let mut missing = identity.clone();
    missing.private_key_file = dir.path().join("absent.key");
    let err = missing.provider(THING).unwrap_err();
    assert!(
        err.starts_with("cannot read ") && err.contains("absent.key"),
        "{err}"
    );

    // An AWS endpoint's region.
    let aws = DeviceIdentity::from_settings(&[], |name| match name {
        "IOT_CREDENTIALS_ENDPOINT" => Some("abc123.credentials.iot.eu-west-1.amazonaws.com".into()),
        _ => environment(name),
    })
    .unwrap()
    .unwrap();
    assert_eq!(
        aws.endpoint,
        "https://abc123.credentials.iot.eu-west-1.amazonaws.com"
    );
    assert_eq!(aws.region(), Some("eu-west-1"));
}
