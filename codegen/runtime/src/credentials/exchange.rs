//! The calls that trade one credential for another at STS or SSO, as a seam.
//!
//! Profiles with `role_arn`, web identity and SSO need STS
//! (`AssumeRole`, `AssumeRoleWithWebIdentity`) and the SSO portal
//! (`GetRoleCredentials`). Those calls go through clients this project
//! generates from the services' models, and generated crates depend on this
//! runtime, so the runtime cannot call them itself: it works out *what* to
//! ask (which role, with which source credentials, token or session name)
//! and hands the request to a [`CredentialsExchange`], which sends it.
//!
//! The `sdk-credentials` crate (`codegen/credentials`) implements it with
//! the generated `sts` and `sso` clients. A generated service crate with
//! its `credentials` feature (on by default) installs that implementation
//! in every client it makes (see
//! [`ConfigBuilder::credentials_exchange`](crate::ConfigBuilder::credentials_exchange)),
//! and the call pipeline hands it to providers in the [`ProviderContext`].

use std::fmt;

use super::{Credentials, CredentialsFuture, ProviderContext};
use crate::env::Env;

/// STS `AssumeRole`: sign with [`Self::source`] and ask for the role.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct AssumeRole {
    /// The role to assume (`role_arn`).
    pub role_arn: String,
    /// The session's name (`role_session_name`, else one made from the time).
    pub role_session_name: String,
    /// `external_id`, if the profile sets one.
    pub external_id: Option<String>,
    /// `duration_seconds`, if the profile sets it.
    pub duration_seconds: Option<i32>,
    /// The credentials to sign the call with (the source profile's, or the
    /// `credential_source`'s).
    pub source: Credentials,
    /// The region to call STS in, if the profile says; else the
    /// environment's, else `us-east-1`.
    pub region: Option<String>,
    /// The environment the provider reads: STS's endpoint is found in it
    /// (`AWS_ENDPOINT_URL_STS`, a profile's `services` section, ...).
    pub env: Env,
}

/// STS `AssumeRoleWithWebIdentity`: an unsigned call trading an OIDC token.
#[derive(Clone)]
#[non_exhaustive]
pub struct AssumeRoleWithWebIdentity {
    /// The role to assume.
    pub role_arn: String,
    /// The session's name.
    pub role_session_name: String,
    /// The token read from the token file (never shown by `Debug`).
    pub web_identity_token: String,
    /// The region to call STS in, if the profile says.
    pub region: Option<String>,
    /// As for [`AssumeRole::env`].
    pub env: Env,
}

/// SSO `GetRoleCredentials`: the portal trades a cached SSO access token for
/// an account's role credentials (no SigV4; the token is a bearer header).
#[derive(Clone)]
#[non_exhaustive]
pub struct GetRoleCredentials {
    /// `sso_account_id`.
    pub account_id: String,
    /// `sso_role_name`.
    pub role_name: String,
    /// The access token from the SSO token cache (never shown by `Debug`).
    pub access_token: String,
    /// `sso_region`: where the portal is called.
    pub region: String,
    /// As for [`AssumeRole::env`].
    pub env: Env,
}

impl fmt::Debug for AssumeRoleWithWebIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssumeRoleWithWebIdentity")
            .field("role_arn", &self.role_arn)
            .field("role_session_name", &self.role_session_name)
            .field("web_identity_token", &"** redacted **")
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for GetRoleCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GetRoleCredentials")
            .field("account_id", &self.account_id)
            .field("role_name", &self.role_name)
            .field("access_token", &"** redacted **")
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

/// Sends the credential exchanges the providers need (see the [module
/// docs](self)).
///
/// Each method sends through `cx`'s transport and returns the credentials
/// the service handed out, with their expiry; an error names the call and
/// why (never the token).
pub trait CredentialsExchange: Send + Sync + fmt::Debug {
    /// STS `AssumeRole`.
    fn assume_role<'a>(
        &'a self,
        request: AssumeRole,
        cx: &'a ProviderContext,
    ) -> CredentialsFuture<'a>;

    /// STS `AssumeRoleWithWebIdentity`.
    fn assume_role_with_web_identity<'a>(
        &'a self,
        request: AssumeRoleWithWebIdentity,
        cx: &'a ProviderContext,
    ) -> CredentialsFuture<'a>;

    /// SSO `GetRoleCredentials`.
    fn get_role_credentials<'a>(
        &'a self,
        request: GetRoleCredentials,
        cx: &'a ProviderContext,
    ) -> CredentialsFuture<'a>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_tokens() {
        let web = AssumeRoleWithWebIdentity {
            role_arn: "arn:aws:iam::1:role/r".into(),
            role_session_name: "s".into(),
            web_identity_token: "OIDCSECRET".into(),
            region: None,
            env: Env::from_pairs::<&str, &str>([]),
        };
        let sso = GetRoleCredentials {
            account_id: "1".into(),
            role_name: "r".into(),
            access_token: "SSOSECRET".into(),
            region: "us-east-1".into(),
            env: Env::from_pairs::<&str, &str>([]),
        };
        let shown = format!("{web:?} {sso:#?}");
        assert!(shown.contains("arn:aws:iam::1:role/r"), "{shown}");
        assert!(!shown.contains("OIDCSECRET"), "{shown}");
        assert!(!shown.contains("SSOSECRET"), "{shown}");
    }
}
