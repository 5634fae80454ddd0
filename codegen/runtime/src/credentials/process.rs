//! `credential_process`: credentials printed by a command the profile names.

use std::process::{Command, Stdio};

use super::fetch;
use super::{Credentials, CredentialsError};

const PROVIDER: &str = "credential_process";

/// Runs `command` through the shell (`sh -c`, `cmd.exe /C` on Windows) and
/// reads the JSON it prints: `{"Version": 1, "AccessKeyId",
/// "SecretAccessKey", "SessionToken"?, "Expiration"?}`. `at` names the
/// profile for errors; the command's output is never shown, its error
/// output is (it should say why it failed).
///
/// Inside a tokio runtime (feature `rt-tokio`) the command runs on tokio's
/// blocking pool; elsewhere it blocks the calling thread while it runs.
pub(crate) async fn run(command: String, at: String) -> Result<Credentials, CredentialsError> {
    #[cfg(feature = "rt-tokio")]
    if let Some(runtime) = crate::executor::tokio_runtime() {
        let at_ = at.clone();
        return runtime
            .spawn_blocking(move || run_blocking(&command, &at_))
            .await
            .unwrap_or_else(|e| {
                Err(CredentialsError::provider(
                    PROVIDER,
                    at,
                    format!("the command's task failed: {e}"),
                ))
            });
    }
    run_blocking(&command, &at)
}

fn run_blocking(command: &str, at: &str) -> Result<Credentials, CredentialsError> {
    let mut shell = if cfg!(windows) {
        let mut c = Command::new("cmd.exe");
        c.arg("/C");
        c
    } else {
        let mut c = Command::new("sh");
        c.arg("-c");
        c
    };
    let output = shell
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| {
            CredentialsError::provider_with_source(PROVIDER, at, "cannot start the command", e)
        })?;
    if !output.status.success() {
        return Err(CredentialsError::provider(
            PROVIDER,
            at,
            format!(
                "the command failed ({}): {}",
                output.status,
                fetch::snippet(&output.stderr)
            ),
        ));
    }
    let object = fetch::json_object(&output.stdout, PROVIDER, at, "the command's output")?;
    match object.get("Version").map(|v| v.as_u64()) {
        Some(Some(1)) => {}
        Some(_) => {
            return Err(CredentialsError::provider(
                PROVIDER,
                at,
                "the output's `Version` is not 1, the only one supported",
            ))
        }
        None => {
            return Err(CredentialsError::provider(
                PROVIDER,
                at,
                "the output has no `Version`",
            ))
        }
    }
    fetch::credentials(
        PROVIDER,
        at,
        fetch::string(&object, "AccessKeyId"),
        fetch::string(&object, "SecretAccessKey"),
        fetch::string(&object, "SessionToken"),
        fetch::string(&object, "Expiration"),
        ("AccessKeyId", "SecretAccessKey"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block_on::block_on;
    use crate::credentials::{ProfileCredentials, ProvideCredentials, ProviderContext};
    use crate::env::Env;

    /// A profile whose `credential_process` prints `script`'s output.
    fn profile(dir: &tempfile::TempDir, command: &str) -> ProfileCredentials {
        let config = dir.path().join("config");
        std::fs::write(
            &config,
            format!("[profile proc]\ncredential_process = {command}\n"),
        )
        .unwrap();
        ProfileCredentials::with_env(Env::from_pairs([("HOME", "/nonexistent")]))
            .profile("proc")
            .config_file(config)
            .credentials_file(dir.path().join("none"))
    }

    fn script(dir: &tempfile::TempDir, output: &str) -> String {
        let path = dir.path().join("out.json");
        std::fs::write(&path, output).unwrap();
        format!("cat '{}'", path.display())
    }

    fn provide(p: &ProfileCredentials) -> Result<Credentials, CredentialsError> {
        block_on(p.provide_credentials(&ProviderContext::default()))
    }

    #[cfg(unix)]
    #[test]
    fn credential_process_output_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let command = script(
            &dir,
            r#"{"Version": 1, "AccessKeyId": "ASIAPROC", "SecretAccessKey": "TOPSECRET",
               "SessionToken": "SESSIONTOKEN", "Expiration": "2026-12-02T18:00:00+00:00"}"#,
        );
        let creds = provide(&profile(&dir, &command)).unwrap();
        assert_eq!(creds.access_key_id(), "ASIAPROC");
        assert_eq!(creds.session_token(), Some("SESSIONTOKEN"));
        assert!(creds.expiry().is_some());
    }

    #[cfg(unix)]
    #[test]
    fn credential_process_failures_are_named_and_hide_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let err = provide(&profile(&dir, "echo oops >&2; exit 3")).unwrap_err();
        let shown = err.to_string();
        assert!(
            shown.starts_with(
                "credential_process credentials from `credential_process` of profile `proc`"
            ),
            "{shown}"
        );
        assert!(shown.contains("oops"), "{shown}");

        let command = script(
            &dir,
            r#"{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "TOPSECRET"}"#,
        );
        let err = provide(&profile(&dir, &command)).unwrap_err();
        assert!(err.to_string().contains("not 1"), "{err}");
        let command = script(
            &dir,
            r#"{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "TOPSECRET""#,
        );
        let err = provide(&profile(&dir, &command)).unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(shown.contains("not credentials JSON"), "{shown}");
        assert!(!shown.contains("TOPSECRET"), "{shown}");
        let command = script(&dir, r#"{"Version": 1, "AccessKeyId": "A"}"#);
        let err = provide(&profile(&dir, &command)).unwrap_err();
        assert!(err.to_string().contains("no `SecretAccessKey`"), "{err}");
    }

    #[test]
    fn sts_and_sso_keys_come_first_and_need_an_exchange() {
        for (key, needs) in [
            (
                "role_arn = arn:aws:iam::1:role/r\nsource_profile = proc",
                "STS AssumeRole",
            ),
            (
                "role_arn = arn:aws:iam::1:role/r\nweb_identity_token_file = /t",
                "STS AssumeRoleWithWebIdentity",
            ),
            (
                "sso_session = corp\nsso_account_id = 1\nsso_role_name = r\n\
                 [sso-session corp]\nsso_start_url = https://x\nsso_region = eu-west-1",
                "SSO GetRoleCredentials",
            ),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let p = profile(&dir, "exit 1");
            let config = dir.path().join("config");
            std::fs::write(
                &config,
                format!(
                    "[profile proc]\naws_access_key_id = A\naws_secret_access_key = S\n{key}\n"
                ),
            )
            .unwrap();
            let err = provide(&p).unwrap_err();
            let shown = err.to_string();
            assert!(!err.is_not_found());
            assert!(
                shown.contains(&format!(
                    "needs {needs}, but no STS/SSO client is installed"
                )),
                "{shown}"
            );
            assert!(shown.contains("`credentials` feature"), "{shown}");
            assert!(shown.contains("profile `proc`"), "{shown}");
        }
    }
}
