//! Web identity (EKS IRSA and other OIDC federations): a token file traded
//! for a role's credentials at STS `AssumeRoleWithWebIdentity`.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use super::exchange::AssumeRoleWithWebIdentity;
use super::{CredentialsError, CredentialsFuture, ProvideCredentials, ProviderContext};
use crate::env::Env;

const PROVIDER: &str = "web identity";

/// Credentials for a role, from an OIDC token in a file, through STS
/// `AssumeRoleWithWebIdentity` (the [`CredentialsExchange`] of the
/// context).
///
/// Made from the environment ([`Self::with_env`]): `AWS_WEB_IDENTITY_TOKEN_FILE`,
/// `AWS_ROLE_ARN` and optional `AWS_ROLE_SESSION_NAME`, read at each fetch
/// (EKS rotates the token file); or with [`Self::new`] from a profile's
/// `web_identity_token_file`, `role_arn`, `role_session_name`. Without a
/// session name, one is made from the time (`sdk-runtime-<milliseconds>`).
/// The token is read at each fetch and never shown.
///
/// [`CredentialsExchange`]: super::CredentialsExchange
#[derive(Clone, Debug)]
pub struct WebIdentityCredentials {
    env: Env,
    fixed: Option<Fixed>,
}

#[derive(Clone, Debug)]
struct Fixed {
    token_file: PathBuf,
    role_arn: String,
    session_name: Option<String>,
    region: Option<String>,
    at: String,
}

impl WebIdentityCredentials {
    /// From the variables of `env`; with `AWS_WEB_IDENTITY_TOKEN_FILE` or
    /// `AWS_ROLE_ARN` unset, "not found".
    pub fn with_env(env: Env) -> Self {
        Self { env, fixed: None }
    }

    /// For `role_arn` with the token in `token_file`; `env` is where the
    /// STS endpoint is looked up.
    pub fn new(
        env: Env,
        token_file: impl Into<PathBuf>,
        role_arn: impl Into<String>,
        session_name: Option<String>,
    ) -> Self {
        let token_file = token_file.into();
        let at = token_file.display().to_string();
        Self::fixed(env, token_file, role_arn.into(), session_name, None, at)
    }

    pub(crate) fn fixed(
        env: Env,
        token_file: PathBuf,
        role_arn: String,
        session_name: Option<String>,
        region: Option<String>,
        at: String,
    ) -> Self {
        Self {
            env,
            fixed: Some(Fixed {
                token_file,
                role_arn,
                session_name,
                region,
                at,
            }),
        }
    }

    fn settings(&self) -> Result<Fixed, CredentialsError> {
        if let Some(fixed) = &self.fixed {
            return Ok(fixed.clone());
        }
        let token_file = self.env.get("AWS_WEB_IDENTITY_TOKEN_FILE");
        let role_arn = self.env.get("AWS_ROLE_ARN");
        match (token_file, role_arn) {
            (Some(token_file), Some(role_arn)) => Ok(Fixed {
                at: format!("AWS_WEB_IDENTITY_TOKEN_FILE ({token_file}) and AWS_ROLE_ARN"),
                token_file: PathBuf::from(token_file),
                role_arn,
                session_name: self.env.get("AWS_ROLE_SESSION_NAME"),
                region: None,
            }),
            _ => Err(CredentialsError::not_found(
                "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not both set",
            )),
        }
    }
}

/// A session name for when none is configured, as the AWS SDKs make one.
pub(crate) fn default_session_name() -> String {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    format!("sdk-runtime-{millis}")
}

impl ProvideCredentials for WebIdentityCredentials {
    fn provide_credentials<'a>(&'a self, cx: &'a ProviderContext) -> CredentialsFuture<'a> {
        Box::pin(async move {
            let settings = self.settings()?;
            let exchange = cx.exchange(PROVIDER, &settings.at, "STS AssumeRoleWithWebIdentity")?;
            let token = std::fs::read_to_string(&settings.token_file).map_err(|e| {
                CredentialsError::provider_with_source(
                    PROVIDER,
                    &settings.at,
                    format!(
                        "cannot read the token file {}",
                        settings.token_file.display()
                    ),
                    e,
                )
            })?;
            let token = token.trim();
            if token.is_empty() {
                return Err(CredentialsError::provider(
                    PROVIDER,
                    &settings.at,
                    format!("the token file {} is empty", settings.token_file.display()),
                ));
            }
            let request = AssumeRoleWithWebIdentity {
                role_arn: settings.role_arn,
                role_session_name: settings.session_name.unwrap_or_else(default_session_name),
                web_identity_token: token.to_owned(),
                region: settings.region,
                env: self.env.clone(),
            };
            exchange.assume_role_with_web_identity(request, cx).await
        })
    }
}
