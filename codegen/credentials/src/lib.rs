//! The STS and SSO calls of the runtime's credentials providers, through
//! this project's generated `sts` and `sso` clients.
//!
//! The runtime (`sdk-runtime`) resolves profiles, web identity and the SSO
//! token cache itself, and hands the call it needs to a
//! [`CredentialsExchange`]; it cannot call the generated clients, which
//! depend on it. This crate sits above both and implements the trait:
//!
//! - STS `AssumeRole`, signed with the source credentials, and
//!   `AssumeRoleWithWebIdentity`, unsigned, with the `sts` crate: regional
//!   STS in the profile's or the environment's region (`us-east-1` if none
//!   is set), at the endpoint the environment says (`AWS_ENDPOINT_URL_STS`,
//!   the profile's `services` section, `AWS_ENDPOINT_URL`, FIPS and
//!   dual-stack settings), as for any generated client;
//! - SSO `GetRoleCredentials`, unsigned, the token as its
//!   `x-amz-sso_bearer_token` header, with the `sso` crate, in `sso_region`.
//!
//! The credentials carry their expiry and account id (the assumed role's
//! ARN's, or `sso_account_id`), for endpoints that take it.
//!
//! Calls go through the transport of the client whose credentials are being
//! resolved. A generated service crate's `credentials` feature (on by
//! default) calls [`install`] in `Client::from_conf`; the `sts` and `sso`
//! crates cannot (this crate is built on them), so their users set it:
//!
//! ```no_run
//! let config = sts::Config::from_env()
//!     .credentials_exchange(sdk_credentials::Exchange)
//!     .build();
//! let _client = sts::Client::from_conf(config);
//! ```

use std::sync::Arc;
use std::time::SystemTime;

use sdk_runtime::credentials::exchange::{
    AssumeRole, AssumeRoleWithWebIdentity, GetRoleCredentials,
};
use sdk_runtime::credentials::{
    Credentials, CredentialsError, CredentialsExchange, CredentialsFuture, ProviderContext,
};
use sdk_runtime::env::Env;
use sdk_runtime::{Config, DateTime};

/// The region STS is called in when neither the profile nor the
/// environment names one (aws-sdk-rust's choice too).
const DEFAULT_STS_REGION: &str = "us-east-1";

/// The [`CredentialsExchange`] of the generated `sts` and `sso` clients.
#[derive(Clone, Copy, Debug, Default)]
pub struct Exchange;

/// `config` with [`Exchange`] as its credentials exchange, unless it has one.
pub fn install(config: Config) -> Config {
    config.with_default_credentials_exchange(|| Arc::new(Exchange))
}

/// A configuration for a credential service's client: the environment's
/// endpoint settings, `region` (else the environment's, else
/// `us-east-1`), the context's transport, and `credentials` to sign with.
fn client_config(
    env: &Env,
    region: Option<&str>,
    credentials: Option<Credentials>,
    cx: &ProviderContext,
) -> Config {
    let mut builder = Config::from_env_with(env.clone());
    let env_region = env
        .get("AWS_REGION")
        .or_else(|| env.get("AWS_DEFAULT_REGION"));
    let region = region
        .map(str::to_owned)
        .or(env_region)
        .or_else(|| builder.clone().build().region().map(|r| r.to_string()))
        .unwrap_or_else(|| DEFAULT_STS_REGION.to_owned());
    builder = builder
        .region(region)
        .set_credentials(credentials)
        .set_http_client(cx.configured_http_client().cloned());
    builder.build()
}

fn expiry(at: Option<DateTime>) -> Option<SystemTime> {
    at.and_then(|t| SystemTime::try_from(t).ok())
}

/// Credentials from an STS response's `Credentials`, or an error naming
/// the call and the member missing.
/// The account of an assumed role's ARN (`arn:aws:sts::<account>:assumed-role/..`).
fn account_of(arn: Option<&str>) -> Option<String> {
    let account = arn?.split(':').nth(4)?;
    (!account.is_empty()).then(|| account.to_owned())
}

fn from_sts(
    call: &'static str,
    at: &str,
    credentials: Option<&sts::types::Credentials>,
    role_arn: Option<&str>,
) -> Result<Credentials, CredentialsError> {
    let missing =
        |what: &str| CredentialsError::provider(call, at, format!("the response has no {what}"));
    let credentials = credentials.ok_or_else(|| missing("Credentials"))?;
    let id = credentials
        .access_key_id()
        .ok_or_else(|| missing("AccessKeyId"))?;
    let secret = credentials
        .secret_access_key()
        .ok_or_else(|| missing("SecretAccessKey"))?;
    Ok(
        Credentials::new(id, secret, credentials.session_token().map(str::to_owned))
            .with_expiry(expiry(credentials.expiration()))
            .with_account_id(account_of(role_arn)),
    )
}

impl CredentialsExchange for Exchange {
    fn assume_role<'a>(
        &'a self,
        request: AssumeRole,
        cx: &'a ProviderContext,
    ) -> CredentialsFuture<'a> {
        Box::pin(async move {
            const CALL: &str = "STS AssumeRole";
            let at = format!("role {}", request.role_arn);
            let config = client_config(
                &request.env,
                request.region.as_deref(),
                Some(request.source),
                cx,
            );
            let output = sts::Client::from_conf(config)
                .assume_role()
                .role_arn(request.role_arn)
                .role_session_name(request.role_session_name)
                .set_external_id(request.external_id)
                .set_duration_seconds(request.duration_seconds)
                .send()
                .await
                .map_err(|e| {
                    CredentialsError::provider_with_source(CALL, &at, "the call failed", e)
                })?;
            from_sts(
                CALL,
                &at,
                output.credentials(),
                output.assumed_role_user().and_then(|user| user.arn()),
            )
        })
    }

    fn assume_role_with_web_identity<'a>(
        &'a self,
        request: AssumeRoleWithWebIdentity,
        cx: &'a ProviderContext,
    ) -> CredentialsFuture<'a> {
        Box::pin(async move {
            const CALL: &str = "STS AssumeRoleWithWebIdentity";
            let at = format!("role {}", request.role_arn);
            // Unsigned: the token is the proof.
            let config = client_config(&request.env, request.region.as_deref(), None, cx);
            let output = sts::Client::from_conf(config)
                .assume_role_with_web_identity()
                .role_arn(request.role_arn)
                .role_session_name(request.role_session_name)
                .web_identity_token(request.web_identity_token)
                .send()
                .await
                .map_err(|e| {
                    CredentialsError::provider_with_source(CALL, &at, "the call failed", e)
                })?;
            from_sts(
                CALL,
                &at,
                output.credentials(),
                output.assumed_role_user().and_then(|user| user.arn()),
            )
        })
    }

    fn get_role_credentials<'a>(
        &'a self,
        request: GetRoleCredentials,
        cx: &'a ProviderContext,
    ) -> CredentialsFuture<'a> {
        Box::pin(async move {
            const CALL: &str = "SSO GetRoleCredentials";
            let at = format!(
                "role {} of account {}",
                request.role_name, request.account_id
            );
            let account_id = request.account_id.clone();
            let config = client_config(&request.env, Some(&request.region), None, cx);
            let output = sso::Client::from_conf(config)
                .get_role_credentials()
                .role_name(request.role_name)
                .account_id(request.account_id)
                .access_token(request.access_token)
                .send()
                .await
                .map_err(|e| {
                    CredentialsError::provider_with_source(CALL, &at, "the call failed", e)
                })?;
            let missing = |what: &str| {
                CredentialsError::provider(CALL, &at, format!("the response has no {what}"))
            };
            let role = output
                .role_credentials()
                .ok_or_else(|| missing("roleCredentials"))?;
            let id = role.access_key_id().ok_or_else(|| missing("accessKeyId"))?;
            let secret = role
                .secret_access_key()
                .ok_or_else(|| missing("secretAccessKey"))?;
            // `expiration` is milliseconds since the epoch.
            let expiry = role.expiration().and_then(|ms| {
                u64::try_from(ms)
                    .ok()
                    .map(|ms| SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(ms))
            });
            Ok(
                Credentials::new(id, secret, role.session_token().map(str::to_owned))
                    .with_expiry(expiry)
                    .with_account_id(Some(account_id)),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::account_of;

    #[test]
    fn the_account_comes_from_the_assumed_role_arn() {
        assert_eq!(
            account_of(Some("arn:aws:sts::123456789012:assumed-role/demo/session")).as_deref(),
            Some("123456789012")
        );
        assert_eq!(account_of(Some("arn:aws:sts:::assumed-role/x")), None);
        assert_eq!(account_of(Some("not-an-arn")), None);
        assert_eq!(account_of(None), None);
    }
}
