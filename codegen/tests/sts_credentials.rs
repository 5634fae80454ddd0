//! Credentials that need STS or the SSO portal, end to end: web identity
//! (EKS IRSA), a profile's `role_arn` with a `source_profile`, and SSO with
//! a cached token. Loopback servers this file starts play STS (answering
//! XML, checking the form body and, for `AssumeRole`, the signature made
//! with the source keys) and the SSO portal (checking the bearer token and
//! that nothing is signed); the IoT Jobs calls that follow are checked by
//! the end-to-end server (`e2e/server.rs`) to be signed with what they
//! handed out. The STS and SSO calls go through the generated `sts` and
//! `sso` clients, which `iot-jobs-data-plane`'s default `credentials`
//! feature installs.
//!
//! Every test passes its environment explicitly (`Config::from_env_with`),
//! with `HOME` at a directory of its own.

#[allow(dead_code)]
#[path = "e2e/fake_jobs.rs"]
mod fake_jobs;
#[allow(dead_code)]
#[path = "e2e/server.rs"]
mod server;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use iot_jobs_data_plane::{Client, Config};
use sdk_runtime::env::Env;
use sdk_runtime::DateTime;

use fake_jobs::FakeJobs;
use server::{Clock, Reply, Seen, Server, Signing, SIGNING};

const THING: &str = "sensor-17";
const ROLE: &str = "arn:aws:iam::123456789012:role/fleet";
const OIDC_TOKEN: &str = "eyJhbGciOi.OIDC-TOKEN.sig";
const SSO_TOKEN: &str = "SSO-ACCESS-TOKEN-xyz";

/// The jobs service, answering for `THING` with one queued job.
fn jobs_server() -> Server {
    let jobs = Arc::new(FakeJobs::new(THING));
    jobs.queue("job-1", r#"{"operation": "install"}"#);
    Server::start(move |seen| jobs.handle(seen))
}

/// The keys of the source profile, which `AssumeRole` must be signed with.
static SOURCE: Signing = Signing {
    access_key: "SOURCEKEY",
    secret_key: "SOURCESECRET",
    region: "us-east-1",
    service: "sts",
};

/// An environment of just `vars`, with `HOME` at `home`.
fn env(home: &tempfile::TempDir, vars: &[(&str, &str)]) -> Env {
    let mut all: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    all.push(("HOME".into(), home.path().display().to_string()));
    Env::from_pairs(all)
}

/// The decoded, sorted pairs of a form body.
fn form(seen: &Seen) -> Vec<(String, String)> {
    let body = String::from_utf8(seen.body.clone()).expect("the body is text");
    let decode = |text: &str| {
        String::from_utf8(server::percent_decode(&text.replace('+', " ")).expect("encoded"))
            .expect("UTF-8")
    };
    let mut pairs: Vec<(String, String)> = body
        .split('&')
        .map(|pair| {
            let (key, value) = pair.split_once('=').expect("key=value");
            (decode(key), decode(value))
        })
        .collect();
    pairs.sort();
    pairs
}

fn value<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// STS's answer to `action`: the tests' keys (which the jobs server checks)
/// with `token`, for an hour.
fn sts_reply(action: &str, token: &str) -> Reply {
    let expiration = DateTime::from(SystemTime::now() + Duration::from_secs(3600));
    Reply::Xml(
        200,
        format!(
            "<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
             <{action}Result><Credentials>\
             <AccessKeyId>{}</AccessKeyId><SecretAccessKey>{}</SecretAccessKey>\
             <SessionToken>{token}</SessionToken><Expiration>{expiration}</Expiration>\
             </Credentials></{action}Result>\
             <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></{action}Response>",
            SIGNING.access_key, SIGNING.secret_key
        ),
    )
}

/// One `GetPendingJobExecutions` call with the chain of `env`.
fn call_jobs(
    env: Env,
    jobs: &Server,
) -> Result<(), iot_jobs_data_plane::SdkError<impl std::error::Error>> {
    Client::from_conf(
        Config::from_env_with(env)
            .region(SIGNING.region)
            .endpoint_url(jobs.endpoint())
            .build(),
    )
    .get_pending_job_executions()
    .thing_name(THING)
    .send_blocking()
    .map(|_| ())
}

fn assert_signed_with(jobs: &Server, token: &str) {
    let seen = jobs.seen();
    assert_eq!(seen.len(), 1, "{seen:#?}");
    jobs.assert_all_signed();
    assert_eq!(
        seen[0].header("x-amz-security-token").as_deref(),
        Some(token)
    );
}

#[test]
fn web_identity_from_the_environment_signs_with_the_role() {
    let (jobs, home) = (jobs_server(), tempfile::tempdir().unwrap());
    let sts = Server::start_unsigned(|seen: &Seen| {
        let form = form(seen);
        match value(&form, "Action") {
            Some("AssumeRoleWithWebIdentity") => {
                sts_reply("AssumeRoleWithWebIdentity", "SESSION-FROM-WEB-IDENTITY")
            }
            _ => Reply::Xml(400, "<ErrorResponse/>".into()),
        }
    });
    let token_file = home.path().join("token");
    std::fs::write(&token_file, format!("{OIDC_TOKEN}\n")).unwrap();
    let token_path = token_file.display().to_string();
    let vars = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token_path.as_str()),
        ("AWS_ROLE_ARN", ROLE),
        ("AWS_ENDPOINT_URL_STS", sts.endpoint()),
    ];
    call_jobs(env(&home, &vars), &jobs).unwrap();
    assert_signed_with(&jobs, "SESSION-FROM-WEB-IDENTITY");

    let seen = sts.seen();
    assert_eq!(seen.len(), 1);
    let request = &seen[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.header("authorization"), None, "unsigned");
    let form = form(request);
    assert_eq!(value(&form, "Version"), Some("2011-06-15"));
    assert_eq!(value(&form, "RoleArn"), Some(ROLE));
    assert_eq!(value(&form, "WebIdentityToken"), Some(OIDC_TOKEN));
    let session = value(&form, "RoleSessionName").unwrap();
    assert!(session.starts_with("sdk-runtime-"), "{session}");

    // AWS_ROLE_SESSION_NAME names the session.
    let jobs = jobs_server();
    let named: Vec<_> = vars
        .iter()
        .copied()
        .chain([("AWS_ROLE_SESSION_NAME", "pod-7")])
        .collect();
    call_jobs(env(&home, &named), &jobs).unwrap();
    assert_signed_with(&jobs, "SESSION-FROM-WEB-IDENTITY");
    assert_eq!(value(&form_of_last(&sts), "RoleSessionName"), Some("pod-7"));

    // STS refusing the token is the provider's error, without the token.
    let refusing = Server::start_unsigned(|_: &Seen| {
        Reply::Xml(
            400,
            "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>\
             <Message>No OpenIDConnect provider found</Message></Error>\
             <RequestId>r</RequestId></ErrorResponse>"
                .into(),
        )
    });
    let jobs = jobs_server();
    let vars = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token_path.as_str()),
        ("AWS_ROLE_ARN", ROLE),
        ("AWS_ENDPOINT_URL_STS", refusing.endpoint()),
    ];
    let err = call_jobs(env(&home, &vars), &jobs).unwrap_err();
    let shown = format!("{} {err:?}", error_chain(&err));
    assert!(
        shown.contains("STS AssumeRoleWithWebIdentity credentials from role"),
        "{shown}"
    );
    assert!(shown.contains("InvalidIdentityToken"), "{shown}");
    assert!(!shown.contains(OIDC_TOKEN), "{shown}");
    assert!(jobs.seen().is_empty());
}

fn form_of_last(server: &Server) -> Vec<(String, String)> {
    form(server.seen().last().unwrap())
}

/// An error and its sources, joined.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut shown = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        shown.push_str(": ");
        shown.push_str(&e.to_string());
        source = e.source();
    }
    shown
}

#[test]
fn a_role_profile_assumes_the_role_with_the_source_profile_keys() {
    let (jobs, home) = (jobs_server(), tempfile::tempdir().unwrap());
    let sts = Server::with_signing(&SOURCE, Clock::default(), |seen: &Seen| {
        match value(&form(seen), "Action") {
            Some("AssumeRole") => sts_reply("AssumeRole", "SESSION-FROM-ASSUME-ROLE"),
            _ => Reply::Xml(400, "<ErrorResponse/>".into()),
        }
    });
    let aws = home.path().join(".aws");
    std::fs::create_dir(&aws).unwrap();
    std::fs::write(
        aws.join("credentials"),
        format!(
            "[base]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            SOURCE.access_key, SOURCE.secret_key
        ),
    )
    .unwrap();
    std::fs::write(
        aws.join("config"),
        format!(
            "[profile deploy]\nrole_arn = {ROLE}\nsource_profile = base\n\
             role_session_name = deployer\nexternal_id = ext-42\n"
        ),
    )
    .unwrap();
    let vars = [
        ("AWS_PROFILE", "deploy"),
        ("AWS_ENDPOINT_URL_STS", sts.endpoint()),
    ];
    call_jobs(env(&home, &vars), &jobs).unwrap();
    assert_signed_with(&jobs, "SESSION-FROM-ASSUME-ROLE");

    let seen = sts.seen();
    assert_eq!(seen.len(), 1);
    sts.assert_all_signed();
    assert!(seen[0]
        .header("authorization")
        .unwrap()
        .contains("Credential=SOURCEKEY/"));
    assert_eq!(seen[0].header("x-amz-security-token"), None);
    let form = form(&seen[0]);
    assert_eq!(value(&form, "Action"), Some("AssumeRole"));
    assert_eq!(value(&form, "RoleArn"), Some(ROLE));
    assert_eq!(value(&form, "RoleSessionName"), Some("deployer"));
    assert_eq!(value(&form, "ExternalId"), Some("ext-42"));
}

/// `~/.aws/sso/cache/<sha1("corp")>.json`, as `aws sso login --sso-session corp` names it.
const CORP_CACHE: &str = "ee0bfd2552fbd840c02cc48b6e823320543c450f.json";

#[test]
fn sso_with_a_cached_token_gets_the_role_credentials() {
    let (jobs, home) = (jobs_server(), tempfile::tempdir().unwrap());
    let expires_ms = (SystemTime::now() + Duration::from_secs(3600))
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let portal = Server::start_unsigned(move |seen: &Seen| {
        match (seen.method.as_str(), seen.path.as_str()) {
            ("GET", "/federation/credentials") => Reply::Json(
                200,
                format!(
                    r#"{{"roleCredentials":{{"accessKeyId":"{}","secretAccessKey":"{}","sessionToken":"SESSION-FROM-SSO","expiration":{expires_ms}}}}}"#,
                    SIGNING.access_key, SIGNING.secret_key
                ),
            ),
            _ => Reply::Json(404, "{}".into()),
        }
    });
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(aws.join("sso").join("cache")).unwrap();
    std::fs::write(
        aws.join("config"),
        "[default]\nsso_session = corp\nsso_account_id = 111122223333\n\
         sso_role_name = Developer\n\
         [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n\
         sso_region = eu-north-1\n",
    )
    .unwrap();
    let cache = aws.join("sso").join("cache").join(CORP_CACHE);
    let write_token = |expires: SystemTime| {
        std::fs::write(
            &cache,
            format!(
                r#"{{"startUrl": "https://corp.awsapps.com/start", "region": "eu-north-1",
                    "accessToken": "{SSO_TOKEN}", "expiresAt": "{}"}}"#,
                DateTime::from(expires)
            ),
        )
        .unwrap()
    };
    write_token(SystemTime::now() + Duration::from_secs(3600));
    let vars = [("AWS_ENDPOINT_URL_SSO", portal.endpoint())];
    call_jobs(env(&home, &vars), &jobs).unwrap();
    assert_signed_with(&jobs, "SESSION-FROM-SSO");

    let seen = portal.seen();
    assert_eq!(seen.len(), 1);
    let request = &seen[0];
    assert_eq!(
        request.header("x-amz-sso_bearer_token").as_deref(),
        Some(SSO_TOKEN)
    );
    assert_eq!(request.header("authorization"), None, "no SigV4");
    let mut query: Vec<&str> = request.query.split('&').collect();
    query.sort();
    assert_eq!(query, ["account_id=111122223333", "role_name=Developer"]);

    // An expired token: a clear error, and no call.
    write_token(SystemTime::now() - Duration::from_secs(60));
    let jobs = jobs_server();
    let err = call_jobs(env(&home, &vars), &jobs).unwrap_err();
    let shown = format!("{} {err:?}", error_chain(&err));
    assert!(shown.contains("the cached SSO token expired at"), "{shown}");
    assert!(
        shown.contains("aws sso login --sso-session corp"),
        "{shown}"
    );
    assert!(shown.contains(CORP_CACHE), "{shown}");
    assert!(!shown.contains(SSO_TOKEN), "{shown}");
    assert_eq!(portal.seen().len(), 1);
    assert!(jobs.seen().is_empty());
}

#[test]
fn the_sts_crate_s_own_chain_says_it_needs_the_exchange() {
    let home = tempfile::tempdir().unwrap();
    let sts_server = Server::start_unsigned(|_: &Seen| Reply::Xml(500, String::new()));
    let token_file = home.path().join("token");
    std::fs::write(&token_file, OIDC_TOKEN).unwrap();
    let token_path = token_file.display().to_string();
    let client = sts::Client::from_conf(
        sts::Config::from_env_with(env(
            &home,
            &[
                ("AWS_WEB_IDENTITY_TOKEN_FILE", token_path.as_str()),
                ("AWS_ROLE_ARN", ROLE),
            ],
        ))
        .region("us-east-1")
        .endpoint_url(sts_server.endpoint())
        .build(),
    );
    let err = client.get_caller_identity().send_blocking().unwrap_err();
    let shown = error_chain(&err);
    assert!(
        shown.contains("needs STS AssumeRoleWithWebIdentity, but no STS/SSO client is installed"),
        "{shown}"
    );
    assert!(shown.contains("sdk_credentials::Exchange"), "{shown}");
    assert!(sts_server.seen().is_empty());

    // With the exchange set by hand, the same chain works.
    let sts_server = Server::start_unsigned(|seen: &Seen| match value(&form(seen), "Action") {
        Some("AssumeRoleWithWebIdentity") => {
            sts_reply("AssumeRoleWithWebIdentity", "SESSION-FROM-WEB-IDENTITY")
        }
        Some("GetCallerIdentity") => Reply::Xml(
            200,
            "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account>\
                 </GetCallerIdentityResult></GetCallerIdentityResponse>"
                .into(),
        ),
        _ => Reply::Xml(400, String::new()),
    });
    let client = sts::Client::from_conf(
        sts::Config::from_env_with(env(
            &home,
            &[
                ("AWS_WEB_IDENTITY_TOKEN_FILE", token_path.as_str()),
                ("AWS_ROLE_ARN", ROLE),
                ("AWS_ENDPOINT_URL_STS", sts_server.endpoint()),
            ],
        ))
        .region("us-east-1")
        .credentials_exchange(sdk_credentials::Exchange)
        .build(),
    );
    let output = client.get_caller_identity().send_blocking().unwrap();
    assert_eq!(output.account(), Some("123456789012"));
    let seen = sts_server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        seen[1].header("x-amz-security-token").as_deref(),
        Some("SESSION-FROM-WEB-IDENTITY")
    );
}

#[test]
fn generated_types_do_not_show_sensitive_members() {
    let builder = sso::operation::get_role_credentials::GetRoleCredentialsInput::builder()
        .role_name("Developer")
        .account_id("111122223333")
        .access_token(SSO_TOKEN);
    let input = builder.clone().build().unwrap();
    let role = sso::types::RoleCredentials::builder()
        .access_key_id("ASIAKEY")
        .secret_access_key("SSO-SECRET-KEY")
        .build();
    let sts_credentials = sts::types::Credentials::builder()
        .access_key_id("ASIASTS")
        .secret_access_key("STS-SECRET-KEY")
        .session_token("T")
        .expiration(DateTime::from(SystemTime::now()))
        .build()
        .unwrap();
    let shown = format!("{builder:?} {input:#?} {role:?} {sts_credentials:?}");
    for visible in ["Developer", "111122223333", "ASIAKEY", "ASIASTS"] {
        assert!(shown.contains(visible), "{shown}");
    }
    for secret in [SSO_TOKEN, "SSO-SECRET-KEY", "STS-SECRET-KEY"] {
        assert!(!shown.contains(secret), "{shown}");
    }
}
