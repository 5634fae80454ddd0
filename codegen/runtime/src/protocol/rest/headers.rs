//! HTTP headers bound to members: scalars, lists, prefix maps and JSON values.
//!
//! Writing checks every name and value, so a hostile string cannot inject a
//! header line; reading names the member whose header did not parse.

use std::borrow::Cow;
use std::collections::HashMap;

use base64::Engine as _;
use http::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::{BoxError, BuildError};
use crate::protocol::rest::param::{FromParam, ToParam};
use crate::value::{DateTime, TimestampFormat};

fn value(member: &'static str, text: &str) -> Result<HeaderValue, BuildError> {
    HeaderValue::from_str(text).map_err(|_| {
        BuildError::invalid_member(
            member,
            "the value cannot be sent in an HTTP header (control characters or line breaks)",
        )
    })
}

/// The header name of `member` (any case; sent lowercase).
fn name(member: &'static str, name: &str) -> Result<HeaderName, BuildError> {
    HeaderName::try_from(name).map_err(|_| {
        BuildError::invalid_member(member, format!("`{name}` is not a valid header name"))
    })
}

/// Adds header `name` for `member` when `item` is set.
pub fn add<T: ToParam>(
    headers: &mut HeaderMap,
    name: &'static str,
    member: &'static str,
    item: Option<T>,
) -> Result<(), BuildError> {
    if let Some(item) = item {
        headers.append(self::name(member, name)?, value(member, &item.to_param())?);
    }
    Ok(())
}

/// Adds header `name` for a list `member` when it is set and not empty:
/// items joined by `, `, each quoted when it holds a comma or a quote and
/// `quote` is set (HTTP dates hold commas by design and are never quoted).
/// An empty list sends no header, as botocore does: an empty value would
/// read back as one empty item.
pub fn add_list<I>(
    headers: &mut HeaderMap,
    name: &'static str,
    member: &'static str,
    items: Option<I>,
    quote: bool,
) -> Result<(), BuildError>
where
    I: IntoIterator,
    I::Item: ToParam,
{
    let Some(items) = items else {
        return Ok(());
    };
    let mut joined = String::new();
    let mut empty = true;
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            joined.push_str(", ");
        }
        let text = item.to_param();
        if quote && text.contains([',', '"']) {
            joined.push('"');
            for c in text.chars() {
                if c == '"' || c == '\\' {
                    joined.push('\\');
                }
                joined.push(c);
            }
            joined.push('"');
        } else {
            joined.push_str(&text);
        }
        empty = false;
    }
    if empty {
        return Ok(());
    }
    headers.append(self::name(member, name)?, value(member, &joined)?);
    Ok(())
}

/// Adds one header per map entry, named `prefix` + key.
pub fn add_prefixed(
    headers: &mut HeaderMap,
    prefix: &'static str,
    member: &'static str,
    map: Option<&HashMap<String, String>>,
) -> Result<(), BuildError> {
    let Some(map) = map else { return Ok(()) };
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    for key in keys {
        let name = name(member, &format!("{prefix}{key}"))?;
        headers.append(name, value(member, &map[key])?);
    }
    Ok(())
}

/// Adds header `name` carrying a JSON document, base64-encoded.
pub fn add_json_value(
    headers: &mut HeaderMap,
    name: &'static str,
    member: &'static str,
    json: Option<&String>,
) -> Result<(), BuildError> {
    if let Some(json) = json {
        let encoded = base64::engine::general_purpose::STANDARD.encode(json.as_bytes());
        headers.append(self::name(member, name)?, value(member, &encoded)?);
    }
    Ok(())
}

/// A response's headers, sorted once by name, for an output that reads many
/// of them: each read is a binary search in the response's few headers, not
/// a `HeaderMap` lookup that parses and lowercases the name it is given
/// again (S3's `GetObject` output binds 45 headers, most of them absent).
#[derive(Debug)]
pub struct HeaderIndex<'a> {
    /// Lowercase names (as `HeaderName`s are) with their values, in the
    /// order of [`key`]; a repeated header's values stay in the order
    /// received.
    sorted: Vec<(&'a str, &'a HeaderValue)>,
}

impl<'a> HeaderIndex<'a> {
    /// Indexes `headers`.
    pub fn new(headers: &'a HeaderMap) -> Self {
        let mut sorted: Vec<_> = headers
            .iter()
            .map(|(name, value)| (name.as_str(), value))
            .collect();
        // Stable: the values of one name keep their order.
        sorted.sort_by(|a, b| key(a.0).cmp(&key(b.0)));
        Self { sorted }
    }

    /// The entries whose name is `name`, lowercase as generated code writes
    /// every header name it reads.
    fn values(&self, name: &str) -> &[(&'a str, &'a HeaderValue)] {
        debug_assert!(
            !name.bytes().any(|b| b.is_ascii_uppercase()),
            "header names are looked up in lowercase: {name}"
        );
        let start = self.sorted.partition_point(|(n, _)| key(n) < key(name));
        let len = self.sorted[start..]
            .iter()
            .take_while(|(n, _)| *n == name)
            .count();
        &self.sorted[start..start + len]
    }

    /// The entries whose name starts with `prefix` (lowercase), those of
    /// one name next to each other.
    fn with_prefix<'s>(
        &'s self,
        prefix: &'s str,
    ) -> impl Iterator<Item = &'s (&'a str, &'a HeaderValue)> + 's {
        self.sorted
            .iter()
            .filter(move |(n, _)| n.starts_with(prefix))
    }
}

/// The order of [`HeaderIndex`]: by length, then by bytes, so that most
/// comparisons of a search end at the lengths.
fn key(name: &str) -> (usize, &str) {
    (name.len(), name)
}

/// The text of header `name`; repeated headers are joined with `, `.
fn text<'a>(
    headers: &HeaderIndex<'a>,
    name: &str,
    member: &str,
) -> Result<Option<Cow<'a, str>>, BoxError> {
    let not_text = || format!("header `{name}` for `{member}` is not valid text");
    let mut out: Option<Cow<'a, str>> = None;
    for (_, value) in headers.values(name) {
        let part = value.to_str().map_err(|_| not_text())?;
        match &mut out {
            Some(text) => {
                let text = text.to_mut();
                text.push_str(", ");
                text.push_str(part);
            }
            None => out = Some(Cow::Borrowed(part)),
        }
    }
    Ok(out)
}

/// Reads header `name` (lowercase, as every read here takes it) into `member`.
pub fn read<T: FromParam>(
    headers: &HeaderIndex<'_>,
    name: &str,
    member: &str,
) -> Result<Option<T>, BoxError> {
    let Some(text) = text(headers, name, member)? else {
        return Ok(None);
    };
    T::from_param(&text)
        .map(Some)
        .map_err(|e| format!("header `{name}` for `{member}`: {e}").into())
}

/// Reads a timestamp header in `format`.
pub fn read_timestamp(
    headers: &HeaderIndex<'_>,
    name: &str,
    member: &str,
    format: TimestampFormat,
) -> Result<Option<DateTime>, BoxError> {
    let Some(text) = text(headers, name, member)? else {
        return Ok(None);
    };
    DateTime::parse(text.trim(), format)
        .map(Some)
        .map_err(|e| format!("header `{name}` for `{member}`: {e}").into())
}

/// Splits a header list on commas outside double quotes, unquoting items.
pub fn split_list(text: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted => quoted = false,
            '"' if current.trim().is_empty() => {
                current.clear();
                quoted = true;
                was_quoted = true;
            }
            '\\' if quoted => current.extend(chars.next()),
            ',' if !quoted => {
                items.push(finish_item(&mut current, was_quoted));
                was_quoted = false;
            }
            c => current.push(c),
        }
    }
    if !text.trim().is_empty() {
        items.push(finish_item(&mut current, was_quoted));
    }
    items
}

fn finish_item(current: &mut String, was_quoted: bool) -> String {
    let item = if was_quoted {
        current.clone()
    } else {
        current.trim().to_owned()
    };
    current.clear();
    item
}

/// Reads a list header into `member`.
pub fn read_list<T: FromParam>(
    headers: &HeaderIndex<'_>,
    name: &str,
    member: &str,
) -> Result<Option<Vec<T>>, BoxError> {
    let Some(text) = text(headers, name, member)? else {
        return Ok(None);
    };
    split_list(&text)
        .iter()
        .map(|item| {
            T::from_param(item).map_err(|e| format!("header `{name}` for `{member}`: {e}").into())
        })
        .collect::<Result<Vec<T>, BoxError>>()
        .map(Some)
}

/// Reads a list of timestamps in `format`; HTTP dates, which hold a comma
/// each, are split at every second comma.
pub fn read_timestamp_list(
    headers: &HeaderIndex<'_>,
    name: &str,
    member: &str,
    format: TimestampFormat,
) -> Result<Option<Vec<DateTime>>, BoxError> {
    let Some(text) = text(headers, name, member)? else {
        return Ok(None);
    };
    let items: Vec<String> = if format == TimestampFormat::HttpDate {
        let parts: Vec<&str> = text.split(',').collect();
        parts
            .chunks(2)
            .map(|pair| pair.join(",").trim().to_owned())
            .collect()
    } else {
        split_list(&text)
    };
    items
        .iter()
        .map(|item| {
            DateTime::parse(item, format)
                .map_err(|e| format!("header `{name}` for `{member}`: {e}").into())
        })
        .collect::<Result<Vec<_>, BoxError>>()
        .map(Some)
}

/// Reads every header whose name starts with `prefix` (all headers for an
/// empty prefix) into a map keyed by the rest of the name (empty when
/// none has the prefix).
pub fn read_prefixed(
    headers: &HeaderIndex<'_>,
    prefix: &str,
    member: &str,
) -> Result<Option<HashMap<String, String>>, BoxError> {
    let prefix = prefix.to_ascii_lowercase();
    let mut out = HashMap::new();
    let mut last = None;
    for (name, _) in headers.with_prefix(&prefix) {
        // A repeated header once, its values joined as `text` joins them.
        if last == Some(*name) {
            continue;
        }
        last = Some(*name);
        if let Some(text) = text(headers, name, member)? {
            out.insert(name[prefix.len()..].to_owned(), text.into_owned());
        }
    }
    // Always a map, empty when no header has the prefix, as botocore's
    // parsers give it.
    Ok(Some(out))
}

/// Reads a base64-encoded JSON document from header `name`.
pub fn read_json_value(
    headers: &HeaderIndex<'_>,
    name: &str,
    member: &str,
) -> Result<Option<String>, BoxError> {
    let Some(text) = text(headers, name, member)? else {
        return Ok(None);
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| format!("header `{name}` for `{member}`: invalid base64: {e}"))?;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| format!("header `{name}` for `{member}`: not UTF-8 JSON").into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::rest::param::Formatted;

    #[test]
    fn timestamps_out_of_range_are_errors() {
        let mut headers = HeaderMap::new();
        headers.insert("x-t", HeaderValue::from_static("-9223372036854775808.5"));
        let err = read_timestamp(
            &HeaderIndex::new(&headers),
            "x-t",
            "When",
            TimestampFormat::EpochSeconds,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("header `x-t` for `When`"), "{err}");
        assert!(err.contains("out of range"), "{err}");
    }

    #[test]
    fn lists_are_joined_and_quoted() {
        let mut headers = HeaderMap::new();
        add_list(
            &mut headers,
            "X-List",
            "list",
            Some(["b,c", "\"def\"", "a"]),
            true,
        )
        .unwrap();
        assert_eq!(headers["x-list"], r#""b,c", "\"def\"", a"#);
        let parsed: Vec<String> = read_list(&HeaderIndex::new(&headers), "x-list", "list")
            .unwrap()
            .unwrap();
        assert_eq!(parsed, ["b,c", "\"def\"", "a"]);
        assert_eq!(split_list("a, b ,c"), ["a", "b", "c"]);
        assert_eq!(split_list(""), Vec::<String>::new());
    }

    #[test]
    fn empty_list_sends_no_header() {
        let mut headers = HeaderMap::new();
        add_list::<&[&str]>(&mut headers, "x-c", "c", Some(&[]), true).unwrap();
        assert!(!headers.contains_key("x-c"), "{headers:?}");
        add_list(&mut headers, "x-c", "c", Some([""]), true).unwrap();
        assert_eq!(headers["x-c"], "");
    }

    #[test]
    fn http_date_lists_split_at_every_second_comma() {
        let t = DateTime::from_secs(1_576_540_098);
        let items = [
            Formatted(&t, TimestampFormat::HttpDate),
            Formatted(&t, TimestampFormat::HttpDate),
        ];
        let mut headers = HeaderMap::new();
        add_list(&mut headers, "x-t", "t", Some(items), false).unwrap();
        assert_eq!(
            headers["x-t"],
            "Mon, 16 Dec 2019 23:48:18 GMT, Mon, 16 Dec 2019 23:48:18 GMT"
        );
        let parsed = read_timestamp_list(
            &HeaderIndex::new(&headers),
            "x-t",
            "t",
            TimestampFormat::HttpDate,
        )
        .unwrap()
        .unwrap();
        assert_eq!(parsed, [t, t]);
    }

    #[test]
    fn hostile_values_and_names_are_build_errors() {
        let mut headers = HeaderMap::new();
        let err = add(&mut headers, "x-a", "a", Some("v\r\nx-injected: 1")).unwrap_err();
        assert_eq!(err.member(), Some("a"));
        let err = add(&mut headers, "x a", "a", Some("v")).unwrap_err();
        assert!(err.to_string().contains("not a valid header name"), "{err}");
        let map: HashMap<String, String> = [("bad name\n".to_owned(), "v".to_owned())]
            .into_iter()
            .collect();
        let err = add_prefixed(&mut headers, "x-foo-", "foo_map", Some(&map)).unwrap_err();
        assert_eq!(err.member(), Some("foo_map"));
        assert!(headers.is_empty());
    }

    #[test]
    fn prefixed_and_json_value_round_trip() {
        let map: HashMap<String, String> = [
            ("abc".to_owned(), "Abc value".to_owned()),
            ("def".to_owned(), String::new()),
        ]
        .into_iter()
        .collect();
        let mut headers = HeaderMap::new();
        add_prefixed(&mut headers, "x-foo-", "foo_map", Some(&map)).unwrap();
        add_json_value(&mut headers, "x-json", "json", Some(&"true".to_owned())).unwrap();
        assert_eq!(headers["x-foo-abc"], "Abc value");
        assert_eq!(headers["x-json"], "dHJ1ZQ==");
        assert_eq!(
            read_prefixed(&HeaderIndex::new(&headers), "x-foo-", "m")
                .unwrap()
                .unwrap(),
            map
        );
        assert_eq!(
            read_json_value(&HeaderIndex::new(&headers), "x-json", "json")
                .unwrap()
                .as_deref(),
            Some("true")
        );
        assert_eq!(
            read_prefixed(&HeaderIndex::new(&headers), "", "m")
                .unwrap()
                .unwrap()
                .len(),
            3
        );
        // No header with the prefix: an empty map, as botocore gives it.
        assert_eq!(
            read_prefixed(&HeaderIndex::new(&headers), "x-none-", "m").unwrap(),
            Some(HashMap::new())
        );
    }

    #[test]
    fn the_index_finds_names_and_keeps_repeated_values_in_order() {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("x-b", "2"),
            ("etag", "e"),
            ("x-a", "1"),
            ("x-b", "3"),
            ("x-meta-z", "z"),
            ("x-meta-a", "a1"),
            ("x-meta-a", "a2"),
            ("x-metaphor", "no"),
        ] {
            headers.append(name, HeaderValue::from_static(value));
        }
        let index = HeaderIndex::new(&headers);
        assert_eq!(
            read::<String>(&index, "etag", "e").unwrap().as_deref(),
            Some("e")
        );
        assert_eq!(
            read::<String>(&index, "x-b", "b").unwrap().as_deref(),
            Some("2, 3")
        );
        assert_eq!(read::<i32>(&index, "x-a", "a").unwrap(), Some(1));
        assert_eq!(read::<String>(&index, "x-c", "c").unwrap(), None);
        assert_eq!(read::<String>(&index, "", "c").unwrap(), None);
        let meta = read_prefixed(&index, "X-Meta-", "m").unwrap().unwrap();
        assert_eq!(meta.len(), 2, "{meta:?}");
        assert_eq!(meta["a"], "a1, a2");
        assert_eq!(meta["z"], "z");
        assert_eq!(read_prefixed(&index, "", "m").unwrap().unwrap().len(), 6);
    }

    #[test]
    fn bad_header_text_names_the_member() {
        let mut headers = HeaderMap::new();
        headers.insert("x-n", HeaderValue::from_static("ten"));
        let err = read::<i32>(&HeaderIndex::new(&headers), "x-n", "count").unwrap_err();
        assert!(err.to_string().contains("`count`"), "{err}");
        assert_eq!(
            read::<i32>(&HeaderIndex::new(&headers), "x-missing", "count").unwrap(),
            None
        );
    }
}
