//! The rule sets' standard library: `substring`, `uriEncode`, `parseURL`,
//! `isValidHostLabel`, `aws.partition`, `aws.parseArn`,
//! `aws.isVirtualHostableS3Bucket` (the trivial ones, `isSet`, `not`,
//! `booleanEquals`, `stringEquals`, `getAttr`, are in the evaluator).
//! Each returns `None` where the rules' specification says the result is
//! unset.

use serde_json::{Map, Value};

use super::partitions;

/// `substring(input, start, stop, reverse)`: characters `start..stop`
/// (from the end when `reverse`); unset for non-ASCII input or a range out of bounds.
pub(crate) fn substring(input: &str, start: usize, stop: usize, reverse: bool) -> Option<String> {
    if start >= stop || input.len() < stop || !input.is_ascii() {
        return None;
    }
    let (from, to) = if reverse {
        (input.len() - stop, input.len() - start)
    } else {
        (start, stop)
    };
    Some(input[from..to].to_owned())
}

/// `uriEncode(value)`: every byte but `A-Z a-z 0-9 - _ . ~` percent-encoded.
pub(crate) fn uri_encode(value: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(value, SET).to_string()
}

/// `isValidHostLabel(value, allowSubDomains)`: 1 to 63 letters, digits and
/// `-`, not starting or ending with `-`; with subdomains, each `.`-separated label.
pub(crate) fn is_valid_host_label(value: &str, allow_sub_domains: bool) -> bool {
    if allow_sub_domains {
        return value
            .split('.')
            .all(|label| is_valid_host_label(label, false));
    }
    (1..=63).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !value.starts_with('-')
        && !value.ends_with('-')
}

fn is_ipv4(value: &str) -> bool {
    let parts: Vec<&str> = value.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// `aws.isVirtualHostableS3Bucket(value, allowSubDomains)`: a bucket name
/// usable as a host label: at least 3 characters, lower case, not an IPv4
/// address, a valid host label (each label with subdomains).
pub(crate) fn is_virtual_hostable_s3_bucket(value: &str, allow_sub_domains: bool) -> bool {
    if value.len() < 3 || value.to_lowercase() != value || is_ipv4(value) {
        return false;
    }
    if allow_sub_domains {
        return value
            .split('.')
            .all(|label| is_virtual_hostable_s3_bucket(label, false));
    }
    is_valid_host_label(value, false)
}

/// `parseURL(value)`: `scheme` (http or https), `authority`, `path`,
/// `normalizedPath` (ending in `/`) and `isIp`; unset for anything else, a
/// URL with a query included.
pub(crate) fn parse_url(value: &str) -> Option<Value> {
    let (scheme, rest) = value.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    if rest.contains('?') {
        return None;
    }
    let rest = rest.split('#').next().unwrap_or("");
    let (authority, path) = match rest.find('/') {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, ""),
    };
    if authority.is_empty() {
        return None;
    }
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let (host, port) = if let Some(inner) = host.strip_prefix('[') {
        let (ip, after) = inner.split_once(']')?;
        (ip, after.strip_prefix(':'))
    } else {
        match host.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host, None),
        }
    };
    if let Some(port) = port {
        if !port.is_empty()
            && (port.parse::<u16>().is_err() || !port.bytes().all(|b| b.is_ascii_digit()))
        {
            return None;
        }
    }
    let is_ip = is_ipv4(host) || authority.starts_with('[');
    let normalized = if path.ends_with('/') {
        path.to_owned()
    } else {
        format!("{path}/")
    };
    let mut url = Map::new();
    url.insert("scheme".into(), scheme.into());
    url.insert("authority".into(), authority.into());
    url.insert("path".into(), path.into());
    url.insert("normalizedPath".into(), normalized.into());
    url.insert("isIp".into(), is_ip.into());
    Some(Value::Object(url))
}

/// `aws.partition(region)`: the outputs of the region's partition.
pub(crate) fn partition(region: &str) -> Value {
    Value::Object(partitions::partition(region).outputs.clone())
}

/// `aws.parseArn(value)`: `partition`, `service`, `region`, `accountId` and
/// `resourceId` (the resource split at `:` and `/`); unset unless `value`
/// is `arn:` and six `:`-separated parts with partition, service and resource.
pub(crate) fn parse_arn(value: &str) -> Option<Value> {
    let rest = value.strip_prefix("arn:")?;
    let parts: Vec<&str> = rest.splitn(5, ':').collect();
    let [partition, service, region, account, resource] = parts[..] else {
        return None;
    };
    if partition.is_empty() || service.is_empty() || resource.is_empty() {
        return None;
    }
    let resource_id: Vec<Value> = resource
        .split([':', '/'])
        .map(|p| Value::String(p.to_owned()))
        .collect();
    let mut arn = Map::new();
    arn.insert("partition".into(), partition.into());
    arn.insert("service".into(), service.into());
    arn.insert("region".into(), region.into());
    arn.insert("accountId".into(), account.into());
    arn.insert("resourceId".into(), Value::Array(resource_id));
    Some(Value::Object(arn))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substring_forward_and_reverse() {
        assert_eq!(substring("abcdef", 0, 3, false).as_deref(), Some("abc"));
        assert_eq!(substring("abcdef", 0, 3, true).as_deref(), Some("def"));
        assert_eq!(substring("abc", 0, 4, false), None);
        assert_eq!(substring("abé", 0, 1, false), None);
    }

    #[test]
    fn host_labels_and_buckets() {
        assert!(is_valid_host_label("a-b", false));
        assert!(!is_valid_host_label("-a", false));
        assert!(!is_valid_host_label("a.b", false));
        assert!(is_valid_host_label("a.b", true));
        assert!(is_virtual_hostable_s3_bucket("my-bucket", false));
        assert!(!is_virtual_hostable_s3_bucket("My-bucket", false));
        assert!(!is_virtual_hostable_s3_bucket("192.168.1.1", true));
        assert!(is_virtual_hostable_s3_bucket("abc.def", true));
        assert!(!is_virtual_hostable_s3_bucket("abc.def", false));
    }

    #[test]
    fn urls_and_arns() {
        let url = parse_url("https://example.com:8443/a/b").unwrap();
        assert_eq!(url["authority"], "example.com:8443");
        assert_eq!(url["normalizedPath"], "/a/b/");
        assert_eq!(url["isIp"], false);
        assert_eq!(parse_url("http://127.0.0.1").unwrap()["isIp"], true);
        assert_eq!(parse_url("http://[::1]:80").unwrap()["isIp"], true);
        assert_eq!(parse_url("https://example.com?x=1"), None);
        assert_eq!(parse_url("ftp://example.com"), None);
        let arn = parse_arn("arn:aws:s3:us-west-2:123456789012:accesspoint/my:x").unwrap();
        assert_eq!(
            arn["resourceId"],
            serde_json::json!(["accesspoint", "my", "x"])
        );
        assert_eq!(parse_arn("arn:aws:s3:::"), None);
        assert_eq!(uri_encode("a b/c~"), "a%20b%2Fc~");
    }
}
