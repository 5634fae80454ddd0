//! The proxy the environment names for a request (feature `rt-tokio`):
//! `HTTPS_PROXY` for `https://` URIs, `HTTP_PROXY` for `http://` ones,
//! `ALL_PROXY` for either when its own is unset (each also in lower case,
//! the upper-case one first), minus the hosts of `NO_PROXY`, and never for a
//! loopback host (a local emulator).
//!
//! A proxy is `http://[user:password@]host[:port]` (port 80 unless given),
//! or `host:port` alone. `https://`, SOCKS and other schemes are not
//! supported: a request that would go through one fails with an error that
//! names the variable. HTTPS goes through a `CONNECT` tunnel, plain HTTP as
//! an absolute-form request to the proxy; user and password become
//! `Proxy-Authorization: Basic`.
//!
//! `NO_PROXY` is a comma-separated list: `*` (every host), a host name or
//! IP address (that host), `.example.com` or `*.example.com` (the domain and
//! every host under it), each optionally with a `:port`, which is ignored.

use std::fmt;

use base64::Engine as _;

/// The proxies of the environment, read once when a transport is made.
#[derive(Clone, Debug, Default)]
pub(crate) struct Proxies {
    https: Option<Setting>,
    http: Option<Setting>,
    no_proxy: Vec<Exception>,
}

/// One variable's proxy, or why it cannot be used.
#[derive(Clone, Debug)]
enum Setting {
    Usable(Proxy),
    Unusable { variable: &'static str, why: String },
}

/// A proxy to go through.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Proxy {
    /// Host (IPv6 without brackets) and port.
    pub(crate) host: String,
    pub(crate) port: u16,
    /// The `Proxy-Authorization` value, if the URI carries a user.
    pub(crate) authorization: Option<String>,
}

impl fmt::Debug for Proxy {
    // Never the credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxy")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("authorization", &self.authorization.is_some())
            .finish()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Exception {
    Everything,
    Host(String),
    Domain(String),
}

/// Where a request goes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Route<'a> {
    Direct,
    Through(&'a Proxy),
}

impl Proxies {
    /// The proxies the process environment names.
    pub(crate) fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// The proxies that `lookup` (a variable's value by name) names.
    pub(crate) fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let first = |names: &[&'static str]| -> Option<(&'static str, String)> {
            names.iter().find_map(|name| {
                lookup(name)
                    .map(|value| value.trim().to_owned())
                    .filter(|value| !value.is_empty())
                    .map(|value| (*name, value))
            })
        };
        let setting = |names: &[&'static str]| {
            first(names).map(|(variable, value)| match Proxy::parse(&value) {
                Ok(proxy) => Setting::Usable(proxy),
                Err(why) => Setting::Unusable { variable, why },
            })
        };
        let all = ["ALL_PROXY", "all_proxy"];
        let no_proxy = first(&["NO_PROXY", "no_proxy"])
            .map(|(_, value)| value.split(',').filter_map(Exception::parse).collect())
            .unwrap_or_default();
        Self {
            https: setting(&["HTTPS_PROXY", "https_proxy"]).or_else(|| setting(&all)),
            http: setting(&["HTTP_PROXY", "http_proxy"]).or_else(|| setting(&all)),
            no_proxy,
        }
    }

    /// The route of a request to `host` (as in a URI) over TLS or not; an
    /// error when the environment names a proxy that cannot be used.
    pub(crate) fn route(&self, host: &str, tls: bool) -> Result<Route<'_>, String> {
        let setting = if tls { &self.https } else { &self.http };
        let Some(setting) = setting else {
            return Ok(Route::Direct);
        };
        let host = unbracket(host).to_ascii_lowercase();
        if super::is_loopback(&host) || self.no_proxy.iter().any(|e| e.matches(&host)) {
            return Ok(Route::Direct);
        }
        match setting {
            Setting::Usable(proxy) => Ok(Route::Through(proxy)),
            Setting::Unusable { variable, why } => {
                Err(format!("the proxy in `{variable}` cannot be used: {why}"))
            }
        }
    }
}

impl Proxy {
    fn parse(value: &str) -> Result<Self, String> {
        let rest = match value.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
            Some((scheme, _)) => {
                return Err(format!(
                    "its scheme `{scheme}` is not supported (only `http://` proxies are)"
                ))
            }
            None => value,
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let (user_info, host_port) = match authority.rsplit_once('@') {
            Some((user_info, host_port)) => (Some(user_info), host_port),
            None => (None, authority),
        };
        let (host, port) = split_host_port(host_port)
            .ok_or_else(|| "it names no host, or a port that is not a number".to_owned())?;
        let authorization = user_info.map(|user_info| {
            let decoded: String = percent_encoding::percent_decode_str(user_info)
                .decode_utf8_lossy()
                .into_owned();
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(decoded)
            )
        });
        Ok(Self {
            host: host.to_owned(),
            port: port.unwrap_or(80),
            authorization,
        })
    }
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`; `None` without a host or
/// with a port that does not parse.
fn split_host_port(text: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        (host, after.strip_prefix(':'))
    } else {
        match text.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        }
    };
    if host.is_empty() {
        return None;
    }
    let port = match port {
        Some(port) => Some(port.parse().ok()?),
        None => None,
    };
    Some((host, port))
}

fn unbracket(host: &str) -> &str {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

impl Exception {
    fn parse(entry: &str) -> Option<Self> {
        let entry = entry.trim();
        if entry == "*" {
            return Some(Self::Everything);
        }
        let host = split_host_port(entry).map_or(entry, |(host, _)| host);
        let host = host.to_ascii_lowercase();
        match host.strip_prefix("*.").or_else(|| host.strip_prefix('.')) {
            Some("") => None,
            Some(domain) => Some(Self::Domain(domain.to_owned())),
            None if host.is_empty() => None,
            None => Some(Self::Host(host)),
        }
    }

    /// `host`: lower case, without brackets.
    fn matches(&self, host: &str) -> bool {
        match self {
            Self::Everything => true,
            Self::Host(exact) => host == exact,
            Self::Domain(domain) => {
                host == domain
                    || host
                        .strip_suffix(domain.as_str())
                        .is_some_and(|sub| sub.ends_with('.'))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(vars: &[(&str, &str)]) -> Proxies {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Proxies::from_lookup(move |name| {
            vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
    }

    fn through(proxies: &Proxies, host: &str, tls: bool) -> Option<(String, u16)> {
        match proxies.route(host, tls).unwrap() {
            Route::Direct => None,
            Route::Through(proxy) => Some((proxy.host.clone(), proxy.port)),
        }
    }

    #[test]
    fn each_scheme_has_its_variable_and_all_proxy_fills_in() {
        let p = proxies(&[
            ("HTTPS_PROXY", "http://secure.proxy:3128"),
            ("ALL_PROXY", "fallback.proxy:8080"),
        ]);
        assert_eq!(
            through(&p, "sts.amazonaws.com", true),
            Some(("secure.proxy".into(), 3128))
        );
        assert_eq!(
            through(&p, "sts.amazonaws.com", false),
            Some(("fallback.proxy".into(), 8080))
        );
        let lower = proxies(&[("http_proxy", "http://[::1]")]);
        assert_eq!(
            through(&lower, "example.com", false),
            Some(("::1".into(), 80))
        );
        assert_eq!(through(&lower, "example.com", true), None);
        assert_eq!(through(&proxies(&[]), "example.com", true), None);
        // Set but empty is unset.
        assert_eq!(
            through(&proxies(&[("HTTPS_PROXY", " ")]), "example.com", true),
            None
        );
    }

    #[test]
    fn no_proxy_and_loopback_go_direct() {
        let p = proxies(&[
            ("HTTPS_PROXY", "http://proxy:3128"),
            (
                "NO_PROXY",
                "internal.example, .corp.example:443 , *.lan,10.0.0.7",
            ),
        ]);
        for direct in [
            "internal.example",
            "INTERNAL.example",
            "corp.example",
            "a.b.corp.example",
            "printer.lan",
            "lan",
            "10.0.0.7",
            "localhost",
            "127.0.0.1",
            "[::1]",
        ] {
            assert_eq!(through(&p, direct, true), None, "{direct}");
        }
        for proxied in [
            "other.example",
            "xcorp.example",
            "sub.internal.example",
            "wlan",
        ] {
            assert!(through(&p, proxied, true).is_some(), "{proxied}");
        }
        let every = proxies(&[("HTTPS_PROXY", "proxy:1"), ("no_proxy", "*")]);
        assert_eq!(through(&every, "example.com", true), None);
    }

    #[test]
    fn credentials_become_basic_authorization_and_are_never_shown() {
        let p = proxies(&[("HTTPS_PROXY", "http://us%40er:p%3Ass@proxy:3128/")]);
        let Route::Through(proxy) = p.route("example.com", true).unwrap() else {
            panic!("not proxied");
        };
        assert_eq!(
            proxy.authorization.as_deref(),
            Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("us@er:p:ss")
            ))
            .as_deref()
        );
        let shown = format!("{proxy:?}");
        assert!(
            !shown.contains("p:ss") && !shown.contains("cDpzc"),
            "{shown}"
        );
    }

    #[test]
    fn an_unusable_proxy_is_an_error_naming_the_variable() {
        for (value, why) in [
            ("https://proxy:443", "scheme `https` is not supported"),
            ("socks5://proxy:1080", "scheme `socks5` is not supported"),
            ("http://proxy:port", "a port that is not a number"),
            ("http://", "names no host"),
        ] {
            let p = proxies(&[("HTTPS_PROXY", value)]);
            let err = p.route("example.com", true).unwrap_err();
            assert!(
                err.contains("`HTTPS_PROXY`") && err.contains(why),
                "{value}: {err}"
            );
            // Hosts that go direct are not affected.
            assert_eq!(p.route("localhost", true), Ok(Route::Direct));
        }
    }
}
