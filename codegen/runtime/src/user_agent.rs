//! The `user-agent` and `x-amz-user-agent` headers every request carries,
//! in the AWS SDKs' format (User Agent 2.1), so that AWS-side metrics and
//! support can tell this SDK, its version, the service client and the
//! application apart:
//!
//! ```text
//! user-agent:       aws-sdk-rust-gen/0.1.0 os/linux lang/rust/1.95.0
//! x-amz-user-agent: aws-sdk-rust-gen/0.1.0 ua/2.1 api/iotjobsdataplane/0.1.0 os/linux lang/rust/1.95.0 app/fleet-agent
//! ```
//!
//! `aws-sdk-rust-gen` names this SDK (not AWS's aws-sdk-rust); `api/` is the
//! service id, lowercased without spaces, and the generated crate's version;
//! `lang/rust/` the compiler that built this crate; `app/` the
//! configuration's application id ([`ConfigBuilder::app_id`], else
//! `AWS_SDK_UA_APP_ID`, else the profile's `sdk_ua_app_id`).
//!
//! [`ConfigBuilder::app_id`]: crate::ConfigBuilder::app_id

use http::HeaderValue;

use crate::operation::ServiceInfo;

/// This SDK's name and version.
pub const SDK: &str = concat!("aws-sdk-rust-gen/", env!("CARGO_PKG_VERSION"));

/// The compiler's version (set by the build script).
const RUSTC: &str = env!("SDK_RUNTIME_RUSTC_VERSION");

/// The longest application id sent; a longer one is cut.
pub const MAX_APP_ID: usize = 50;

/// The operating system family, as the format names it.
fn os() -> &'static str {
    match std::env::consts::OS {
        "linux" => "linux",
        "macos" => "macos",
        "windows" => "windows",
        "android" => "android",
        "ios" => "ios",
        _ => "other",
    }
}

/// `value` as a token of the format: characters outside the token set
/// become `-`.
pub fn token(value: &str) -> String {
    value
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The two headers for calls to `service` with application id `app_id`.
#[derive(Clone, Debug)]
pub struct UserAgent {
    /// `user-agent`.
    pub user_agent: HeaderValue,
    /// `x-amz-user-agent`.
    pub amz_user_agent: HeaderValue,
}

impl UserAgent {
    /// The headers for `service`, with `app_id` if any.
    pub fn new(service: &ServiceInfo, app_id: Option<&str>) -> Self {
        let os = os();
        let api: String = service
            .service_id
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect();
        let mut amz = format!(
            "{SDK} ua/2.1 api/{}/{} os/{os} lang/rust/{RUSTC}",
            token(&api),
            token(service.crate_version)
        );
        if let Some(app) = app_id.filter(|a| !a.is_empty()) {
            let app: String = token(app).chars().take(MAX_APP_ID).collect();
            amz.push_str(" app/");
            amz.push_str(&app);
        }
        let plain = format!("{SDK} os/{os} lang/rust/{RUSTC}");
        // Tokens hold only visible ASCII, which a header value accepts.
        let header = |text: String| {
            HeaderValue::try_from(text).unwrap_or_else(|_| HeaderValue::from_static(SDK))
        };
        Self {
            user_agent: header(plain),
            amz_user_agent: header(amz),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVICE: ServiceInfo = ServiceInfo {
        service_id: "IoT Jobs Data Plane",
        endpoint_prefix: "data.jobs.iot",
        signing_name: "iot-jobs-data",
        api_version: "2017-09-29",
        crate_version: "0.1.0",
        endpoint_rules: None,
        client_context_params: &[],
    };

    #[test]
    fn headers_follow_the_format() {
        let ua = UserAgent::new(&SERVICE, Some("fleet agent/2 ✓"));
        let amz = ua.amz_user_agent.to_str().unwrap();
        let parts: Vec<&str> = amz.split(' ').collect();
        assert_eq!(parts[0], SDK);
        assert!(SDK.starts_with("aws-sdk-rust-gen/"));
        assert_eq!(parts[1], "ua/2.1");
        assert_eq!(parts[2], "api/iotjobsdataplane/0.1.0");
        assert_eq!(parts[3], format!("os/{}", os()));
        assert!(parts[4].starts_with("lang/rust/1."), "{amz}");
        assert_eq!(parts[5], "app/fleet-agent-2--");
        assert_eq!(parts.len(), 6);
        let plain = ua.user_agent.to_str().unwrap();
        assert_eq!(plain, format!("{SDK} {} {}", parts[3], parts[4]));
    }

    #[test]
    fn app_id_is_optional_and_bounded() {
        let none = UserAgent::new(&SERVICE, None);
        assert!(!none.amz_user_agent.to_str().unwrap().contains("app/"));
        let empty = UserAgent::new(&SERVICE, Some(""));
        assert!(!empty.amz_user_agent.to_str().unwrap().contains("app/"));
        let long = UserAgent::new(&SERVICE, Some(&"x".repeat(80)));
        let amz = long.amz_user_agent.to_str().unwrap();
        assert!(
            amz.ends_with(&format!(" app/{}", "x".repeat(MAX_APP_ID))),
            "{amz}"
        );
    }
}
