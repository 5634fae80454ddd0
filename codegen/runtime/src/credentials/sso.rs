//! SSO (IAM Identity Center): a cached access token, as `aws sso login`
//! leaves it, traded for an account's role credentials at the SSO portal's
//! `GetRoleCredentials`.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha1::{Digest, Sha1};

use super::exchange::GetRoleCredentials;
use super::{Credentials, CredentialsError, ProviderContext};
use crate::env::Env;
use crate::value::{DateTime, TimestampFormat};

const PROVIDER: &str = "SSO";

/// What a profile's `sso_*` keys say.
#[derive(Clone, Debug)]
pub(crate) struct SsoSettings {
    /// `sso_session`'s name, if the profile names one (the token cache key);
    /// else the legacy `sso_start_url` is the key.
    pub session_name: Option<String>,
    pub start_url: String,
    pub region: String,
    pub account_id: String,
    pub role_name: String,
    /// The profile and file, for errors.
    pub at: String,
}

/// The file `aws sso login` caches the token in:
/// `~/.aws/sso/cache/<hex SHA-1 of the session name, or the start URL>.json`.
pub(crate) fn cache_file(home: &Path, key: &str) -> PathBuf {
    let digest = Sha1::digest(key.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    home.join(".aws")
        .join("sso")
        .join("cache")
        .join(format!("{hex}.json"))
}

/// Reads the cached token for `settings`, checks it has not expired, and
/// asks the portal for the role's credentials.
pub(crate) async fn provide(
    settings: &SsoSettings,
    home: Option<&Path>,
    env: &Env,
    cx: &ProviderContext,
) -> Result<Credentials, CredentialsError> {
    let exchange = cx.exchange(PROVIDER, &settings.at, "SSO GetRoleCredentials")?;
    let token = read_token(settings, home, SystemTime::now())?;
    let request = GetRoleCredentials {
        account_id: settings.account_id.clone(),
        role_name: settings.role_name.clone(),
        access_token: token,
        region: settings.region.clone(),
        env: env.clone(),
    };
    exchange.get_role_credentials(request, cx).await
}

fn login_hint(settings: &SsoSettings) -> String {
    match &settings.session_name {
        Some(session) => format!("run `aws sso login --sso-session {session}`"),
        None => "run `aws sso login` for this profile".to_owned(),
    }
}

fn read_token(
    settings: &SsoSettings,
    home: Option<&Path>,
    now: SystemTime,
) -> Result<String, CredentialsError> {
    let Some(home) = home else {
        return Err(CredentialsError::provider(
            PROVIDER,
            &settings.at,
            "the SSO token cache is under the home directory, and HOME is not set",
        ));
    };
    let key = settings
        .session_name
        .as_deref()
        .unwrap_or(&settings.start_url);
    let path = cache_file(home, key);
    let fail = |why: String| {
        CredentialsError::provider(
            PROVIDER,
            format!("{} (token cache {})", settings.at, path.display()),
            why,
        )
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(fail(format!(
                "no cached SSO token; {}",
                login_hint(settings)
            )))
        }
        Err(e) => return Err(fail(format!("cannot read the token cache: {e}"))),
    };
    // The file holds the token: a parse error's text could quote it, so
    // only the fact is reported.
    let cached: serde_json::Value = serde_json::from_str(&text)
        .map_err(|_| fail("the token cache is not the JSON `aws sso login` writes".into()))?;
    let field = |name: &str| cached.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    let (Some(token), Some(expires_at)) = (field("accessToken"), field("expiresAt")) else {
        return Err(fail(
            "the token cache has no `accessToken` or no `expiresAt`".into(),
        ));
    };
    let expiry = DateTime::parse(&expires_at, TimestampFormat::DateTime)
        .ok()
        .and_then(|t| SystemTime::try_from(t).ok())
        .ok_or_else(|| {
            fail(format!(
                "`expiresAt` {expires_at:?} is not an RFC 3339 time"
            ))
        })?;
    if expiry <= now {
        return Err(fail(format!(
            "the cached SSO token expired at {expires_at}; {}",
            login_hint(settings)
        )));
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn settings(session: Option<&str>) -> SsoSettings {
        SsoSettings {
            session_name: session.map(Into::into),
            start_url: "https://d-123.awsapps.com/start".into(),
            region: "eu-west-1".into(),
            account_id: "123456789012".into(),
            role_name: "Dev".into(),
            at: "profile `dev` in config".into(),
        }
    }

    #[test]
    fn cache_file_is_named_by_sha1() {
        // `echo -n dev-session | sha1sum`, as the AWS CLI names the file.
        let path = cache_file(Path::new("/h"), "dev-session");
        assert_eq!(
            path,
            Path::new("/h/.aws/sso/cache/6a8732fe3624aef043e5f7811b597bd5e2a56b39.json")
        );
        assert_eq!(
            cache_file(Path::new("/h"), "https://d-123.awsapps.com/start"),
            Path::new("/h/.aws/sso/cache/2b829a45f04c9828cb45b7d092d8e4aa30818393.json")
        );
    }

    #[test]
    fn token_checks() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path();
        let s = settings(Some("corp"));
        let path = cache_file(home, "corp");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);

        let missing = read_token(&s, Some(home), now).unwrap_err().to_string();
        assert!(missing.contains("no cached SSO token"), "{missing}");
        assert!(missing.contains("--sso-session corp"), "{missing}");

        std::fs::write(&path, "{\"accessToken\": \"TOKENSECRET\"").unwrap();
        let broken = read_token(&s, Some(home), now).unwrap_err().to_string();
        assert!(broken.contains("not the JSON"), "{broken}");
        assert!(!broken.contains("TOKENSECRET"), "{broken}");

        std::fs::write(
            &path,
            r#"{"accessToken": "TOKENSECRET", "expiresAt": "2027-01-15T08:00:00Z"}"#,
        )
        .unwrap();
        let expired = read_token(&s, Some(home), now).unwrap_err().to_string();
        assert!(
            expired.contains("expired at 2027-01-15T08:00:00Z"),
            "{expired}"
        );
        assert!(expired.contains(&path.display().to_string()), "{expired}");
        assert!(!expired.contains("TOKENSECRET"), "{expired}");

        let earlier = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(read_token(&s, Some(home), earlier).unwrap(), "TOKENSECRET");

        let no_home = read_token(&s, None, now).unwrap_err().to_string();
        assert!(no_home.contains("HOME is not set"), "{no_home}");
    }
}
