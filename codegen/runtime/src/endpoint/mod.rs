//! Endpoints by AWS's own rules: a service's endpoint rule set
//! (`endpoint-rule-set-1.json`), evaluated over its parameters (`Region`,
//! `UseFIPS`, `UseDualStack`, `Endpoint`, and the service's own), with the
//! standard library of rule functions and the partitions of `partitions.json`.
//!
//! A rule set is read once ([`RuleSet::parse`], which checks every function,
//! argument count and reference, and names where a problem is) into a tree
//! that [`RuleSet::resolve`] walks: conditions in order, the first rule whose
//! conditions hold gives an endpoint or an error. The generator checks the
//! rule set with the same parser when it generates a crate, and embeds its
//! text; the crate parses it once per process. `cargo xtask endpoint-tests`
//! runs the same code over every service's test cases.

mod functions;
mod partitions;
mod rules;

use std::collections::BTreeMap;
use std::fmt;

pub use partitions::{partition, Partition};
pub use rules::{Parameter, ParameterType, RuleSet};
pub use serde_json::Value;

/// A rule set that could not be read: what is wrong, and where (a JSON path
/// such as `rules[2].conditions[0].fn`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSetError {
    /// Where in the rule set.
    pub at: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for RuleSetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.at.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "at `{}`: {}", self.at, self.message)
        }
    }
}

impl std::error::Error for RuleSetError {}

/// Why no endpoint was resolved: a rule's `error` (its message as the rule
/// gives it), or parameters the rule set cannot take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointError {
    message: String,
}

impl EndpointError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The message (for a rule's error, exactly the rule's).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EndpointError {}

/// The parameter values one resolution runs with, by the rule set's names
/// (`Region`, `UseFIPS`, ...). Strings, booleans and string arrays.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params {
    values: BTreeMap<String, Value>,
}

impl Params {
    /// No values: every parameter takes its default.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `name` to `value`.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<Value>) -> &mut Self {
        self.values.insert(name.into(), value.into());
        self
    }

    /// Sets `name` to `value` if it is `Some`.
    pub fn set_opt(&mut self, name: &str, value: Option<impl Into<Value>>) -> &mut Self {
        if let Some(value) = value {
            self.values.insert(name.to_owned(), value.into());
        }
        self
    }

    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// Whether no value is set.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The names and values set, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.values
            .iter()
            .map(|(name, value)| (name.as_str(), value))
    }

    /// The values as one string, equal for equal values (a cache key).
    pub(crate) fn key(&self) -> String {
        let mut key = String::new();
        for (name, value) in &self.values {
            key.push_str(name);
            key.push('=');
            key.push_str(&value.to_string());
            key.push('\n');
        }
        key
    }
}

/// Whether endpoints may be account-based (`AWS::Auth::AccountIdEndpointMode`):
/// the values of the AWS SDKs' `account_id_endpoint_mode` setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum AccountIdEndpointMode {
    /// Use the credentials' account id when they carry one (the default).
    #[default]
    Preferred,
    /// Calls need credentials that carry an account id.
    Required,
    /// Never use an account id.
    Disabled,
}

impl AccountIdEndpointMode {
    /// The name the rules and the shared configuration use (`preferred`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Preferred => "preferred",
            Self::Required => "required",
            Self::Disabled => "disabled",
        }
    }
}

impl std::str::FromStr for AccountIdEndpointMode {
    type Err = String;

    /// `preferred`, `required` or `disabled`, in any case.
    fn from_str(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "preferred" => Ok(Self::Preferred),
            "required" => Ok(Self::Required),
            "disabled" => Ok(Self::Disabled),
            _ => Err(format!(
                "account id endpoint mode `{text}` is none of `preferred`, `required`, `disabled`"
            )),
        }
    }
}

/// What a rule set resolves to: the URL, headers to add, and properties
/// (`authSchemes`, ...).
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedEndpoint {
    /// The endpoint's URL (`https://data.jobs.iot.us-east-1.amazonaws.com`).
    pub url: String,
    /// Headers the request carries, by name.
    pub headers: BTreeMap<String, Vec<String>>,
    /// The endpoint's properties, as the rule gives them (templates filled in).
    pub properties: serde_json::Map<String, Value>,
}

/// The SigV4 settings an endpoint's `authSchemes` property asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthOverride {
    /// `signingName`, replacing the service's signing name.
    pub signing_name: Option<String>,
    /// `signingRegion`, replacing the configured region.
    pub signing_region: Option<String>,
}

impl ResolvedEndpoint {
    /// The signing settings of the first auth scheme of `authSchemes` the
    /// runtime can sign with (`sigv4`); none when the property is absent.
    /// Schemes it cannot sign with (`sigv4a`, ...) are an error naming them,
    /// when no signable one is listed.
    pub fn auth_override(&self) -> Result<AuthOverride, EndpointError> {
        let Some(Value::Array(schemes)) = self.properties.get("authSchemes") else {
            return Ok(AuthOverride::default());
        };
        let mut unsupported = Vec::new();
        for scheme in schemes {
            let name = scheme.get("name").and_then(Value::as_str).unwrap_or("");
            if name == "sigv4" {
                let text = |key: &str| scheme.get(key).and_then(Value::as_str).map(str::to_owned);
                return Ok(AuthOverride {
                    signing_name: text("signingName"),
                    signing_region: text("signingRegion"),
                });
            }
            unsupported.push(format!("`{name}`"));
        }
        if unsupported.is_empty() {
            return Ok(AuthOverride::default());
        }
        Err(EndpointError::new(format!(
            "the endpoint asks for auth scheme {}, which this SDK cannot sign with (it signs SigV4 only)",
            unsupported.join(", ")
        )))
    }
}
