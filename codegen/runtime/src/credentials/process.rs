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
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
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
