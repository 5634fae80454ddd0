//! Environment variables, read through a value so tests can supply their own.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// Where environment variables are read from: the process environment
/// ([`Env::process`]), or a lookup a test supplies ([`Env::from_pairs`],
/// [`Env::from_fn`]), so configuration can be tested without changing the
/// process environment.
///
/// An empty value counts as unset, as in the AWS CLI.
///
/// ```
/// use sdk_runtime::env::Env;
///
/// let env = Env::from_pairs([("AWS_REGION", "eu-west-1"), ("AWS_PROFILE", "")]);
/// assert_eq!(env.get("AWS_REGION").as_deref(), Some("eu-west-1"));
/// assert_eq!(env.get("AWS_PROFILE"), None);
/// ```
#[derive(Clone)]
pub struct Env {
    lookup: Arc<Lookup>,
}

type Lookup = dyn Fn(&str) -> Option<String> + Send + Sync;

impl Env {
    /// The process environment (variables that are not Unicode count as unset).
    pub fn process() -> Self {
        Self::from_fn(|name| std::env::var(name).ok())
    }

    /// Variables from `lookup`.
    pub fn from_fn(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Self {
            lookup: Arc::new(lookup),
        }
    }

    /// Exactly these variables.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let vars: HashMap<String, String> = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Self::from_fn(move |name| vars.get(name).cloned())
    }

    /// The value of `name`, unless it is unset or empty.
    pub fn get(&self, name: &str) -> Option<String> {
        (self.lookup)(name).filter(|value| !value.is_empty())
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values may be secrets: show nothing.
        f.write_str("Env(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_and_empty_values() {
        let env = Env::from_fn(|name| match name {
            "SET" => Some("value".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        });
        assert_eq!(env.get("SET").as_deref(), Some("value"));
        assert_eq!(env.get("EMPTY"), None);
        assert_eq!(env.get("UNSET"), None);
        assert_eq!(format!("{env:?}"), "Env(..)");
    }
}
