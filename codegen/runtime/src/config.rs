//! Client configuration: region, endpoint, credentials and transport.

use std::fmt;
use std::sync::Arc;

use crate::credentials::Credentials;
use crate::http::{HttpClient, SharedHttpClient};

/// An AWS region, such as `us-east-1`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Region(String);

impl Region {
    /// A region from its name.
    pub fn new(name: impl Into<String>) -> Self {
        Self(name.into())
    }

    /// The region's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Region {
    fn from(name: &str) -> Self {
        Self::new(name)
    }
}

impl From<String> for Region {
    fn from(name: String) -> Self {
        Self(name)
    }
}

/// What a client needs to reach a service: region, endpoint, credentials and transport.
///
/// One `Config` can serve clients of several services. It is cheap to clone.
///
/// ```
/// use sdk_runtime::{Config, Credentials};
///
/// let config = Config::builder()
///     .region("us-east-1")
///     .credentials(Credentials::new("AKID", "SECRET", None))
///     .build();
/// assert_eq!(config.region().map(|r| r.as_str()), Some("us-east-1"));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Config {
    region: Option<Region>,
    endpoint_url: Option<Arc<str>>,
    credentials: Option<Credentials>,
    http_client: Option<SharedHttpClient>,
}

impl Config {
    /// A builder for a `Config`.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// The region requests are sent to and signed for.
    pub fn region(&self) -> Option<&Region> {
        self.region.as_ref()
    }

    /// The endpoint that replaces the service's default one, if any.
    pub fn endpoint_url(&self) -> Option<&str> {
        self.endpoint_url.as_deref()
    }

    /// The credentials requests are signed with.
    pub fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_ref()
    }

    /// The transport requests are sent with.
    pub fn http_client(&self) -> Option<&SharedHttpClient> {
        self.http_client.as_ref()
    }

    /// A builder that starts from this configuration, to change part of it.
    pub fn to_builder(&self) -> ConfigBuilder {
        ConfigBuilder {
            inner: self.clone(),
        }
    }
}

/// Builds a [`Config`]; see [`Config::builder`].
#[derive(Clone, Debug, Default)]
pub struct ConfigBuilder {
    inner: Config,
}

impl ConfigBuilder {
    /// Sets the region, such as `"us-east-1"`.
    pub fn region(mut self, region: impl Into<Region>) -> Self {
        self.inner.region = Some(region.into());
        self
    }

    /// Sets or clears the region.
    pub fn set_region(mut self, region: Option<Region>) -> Self {
        self.inner.region = region;
        self
    }

    /// Sends requests to this URL (scheme, host, optional port and path prefix)
    /// instead of the service's default endpoint: an account-specific endpoint
    /// or a local emulator.
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.inner.endpoint_url = Some(url.into().into());
        self
    }

    /// Sets or clears the endpoint override.
    pub fn set_endpoint_url(mut self, url: Option<String>) -> Self {
        self.inner.endpoint_url = url.map(Into::into);
        self
    }

    /// Sets the credentials requests are signed with.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.inner.credentials = Some(credentials);
        self
    }

    /// Sets or clears the credentials.
    pub fn set_credentials(mut self, credentials: Option<Credentials>) -> Self {
        self.inner.credentials = credentials;
        self
    }

    /// Sets the transport requests are sent with.
    pub fn http_client(mut self, client: impl HttpClient + 'static) -> Self {
        self.inner.http_client = Some(SharedHttpClient::new(client));
        self
    }

    /// Sets or clears the transport.
    pub fn set_http_client(mut self, client: Option<SharedHttpClient>) -> Self {
        self.inner.http_client = client;
        self
    }

    /// The configuration.
    pub fn build(self) -> Config {
        self.inner
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_sets_and_clears() {
        let config = Config::builder()
            .region("eu-west-1")
            .endpoint_url("http://127.0.0.1:8080")
            .build();
        assert_eq!(config.region(), Some(&Region::new("eu-west-1")));
        assert_eq!(config.endpoint_url(), Some("http://127.0.0.1:8080"));
        let cleared = config.to_builder().set_endpoint_url(None).build();
        assert_eq!(cleared.endpoint_url(), None);
        assert_eq!(cleared.region().map(Region::as_str), Some("eu-west-1"));
    }

    #[test]
    fn debug_does_not_show_secret() {
        let config = Config::builder()
            .credentials(Credentials::new("AKID", "TOPSECRET", None))
            .build();
        assert!(!format!("{config:?}").contains("TOPSECRET"));
    }
}
