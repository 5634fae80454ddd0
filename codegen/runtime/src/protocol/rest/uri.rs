//! Building request URIs: path labels and query strings.
//!
//! A label is one path segment: every byte outside RFC 3986's unreserved set
//! is percent-encoded (so `/`, `?`, `#`, `%`, spaces and non-ASCII cannot
//! change the path), and the dot segments `.` and `..` are encoded too, so no
//! value can climb out of its segment when a server or proxy normalizes the
//! path.

use std::borrow::Cow;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::error::BuildError;
use crate::protocol::rest::param::ToParam;

/// Everything but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`).
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn encode_segment(segment: &str) -> Cow<'_, str> {
    match segment {
        "." => Cow::Borrowed("%2E"),
        ".." => Cow::Borrowed("%2E%2E"),
        _ => utf8_percent_encode(segment, UNRESERVED).into(),
    }
}

/// Encodes the value of the URI label `member` as exactly one path segment.
///
/// An empty value is an error: it would leave an empty segment and address
/// another resource.
pub fn label<'a>(member: &'static str, value: &'a str) -> Result<Cow<'a, str>, BuildError> {
    if value.is_empty() {
        return Err(BuildError::invalid_member(
            member,
            "a URI label must not be empty",
        ));
    }
    Ok(encode_segment(value))
}

/// Encodes the value of a greedy URI label (`{Key+}`): `/` separates
/// segments and is kept; each segment is encoded as by [`label`].
pub fn greedy_label(member: &'static str, value: &str) -> Result<String, BuildError> {
    if value.is_empty() {
        return Err(BuildError::invalid_member(
            member,
            "a URI label must not be empty",
        ));
    }
    let mut out = String::with_capacity(value.len());
    for (i, segment) in value.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&encode_segment(segment));
    }
    Ok(out)
}

/// Appends the value of the required URI label `member` of `shape` to `uri`.
pub fn push_label<T: ToParam>(
    uri: &mut String,
    shape: &'static str,
    member: &'static str,
    value: Option<T>,
) -> Result<(), BuildError> {
    let value = value.ok_or_else(|| BuildError::missing_member(shape, member))?;
    uri.push_str(&label(member, &value.to_param())?);
    Ok(())
}

/// Appends the value of the required greedy URI label `member` of `shape` to `uri`.
pub fn push_greedy_label<T: ToParam>(
    uri: &mut String,
    shape: &'static str,
    member: &'static str,
    value: Option<T>,
) -> Result<(), BuildError> {
    let value = value.ok_or_else(|| BuildError::missing_member(shape, member))?;
    uri.push_str(&greedy_label(member, &value.to_param())?);
    Ok(())
}

/// Checks the value of a host label (`hostLabel` member) before it becomes
/// part of the host name: dot-separated labels of letters, digits and `-`.
pub fn host_label<'a>(member: &'static str, value: &'a str) -> Result<&'a str, BuildError> {
    let valid = !value.is_empty()
        && value.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if valid {
        Ok(value)
    } else {
        Err(BuildError::invalid_member(
            member,
            "a host label must be letters, digits and `-`, 1 to 63 long",
        ))
    }
}

/// The URI of a request from the path and query a serializer wrote.
pub fn parse(path_and_query: String) -> Result<http::Uri, BuildError> {
    http::Uri::try_from(path_and_query).map_err(BuildError::serialization)
}

/// Appends query parameters to a path, encoding keys and values.
///
/// Keys pushed by named members (which come first) are not overridden by a
/// map of query parameters: a map skips the keys the named members wrote.
#[derive(Debug)]
pub struct QueryWriter {
    uri: String,
    has_query: bool,
    /// Where the named members' pairs are in `uri`.
    named: std::ops::Range<usize>,
    /// Keys of named list members that are set but empty: they write
    /// nothing, yet keep a map from setting their key.
    empty_named: Vec<String>,
}

impl QueryWriter {
    /// Starts from `path`, which may already carry a literal query (`/x?list`).
    pub fn new(path: String) -> Self {
        let has_query = path.contains('?');
        let end = path.len();
        Self {
            uri: path,
            has_query,
            named: end..end,
            empty_named: Vec::new(),
        }
    }

    /// Appends `key=value`.
    pub fn push(&mut self, key: &str, value: &str) {
        self.push_key(key);
        self.uri.push('=');
        self.uri.extend(utf8_percent_encode(value, UNRESERVED));
    }

    /// Appends `key=value` for a named member, when `value` is set.
    pub fn push_param<T: ToParam>(&mut self, key: &str, value: Option<T>) {
        if let Some(value) = value {
            self.push(key, &value.to_param());
            self.named.end = self.uri.len();
        }
    }

    /// Appends `key=item` for each item of a named list member, when it is set.
    pub fn push_list<I>(&mut self, key: &str, items: Option<I>)
    where
        I: IntoIterator,
        I::Item: ToParam,
    {
        if let Some(items) = items {
            let start = self.uri.len();
            for item in items {
                self.push(key, &item.to_param());
            }
            if self.uri.len() == start {
                self.empty_named.push(key.to_owned());
            }
            self.named.end = self.uri.len();
        }
    }

    /// Appends each pair of a map member, except keys a named member
    /// already set. Pairs are sorted by key so the URI does not depend on hashing.
    pub fn push_map<V: ToParam>(&mut self, map: Option<&std::collections::HashMap<String, V>>) {
        for (key, value) in self.unnamed_sorted(map) {
            self.push(key, &value.to_param());
        }
    }

    /// Appends `key=item` for each item of each list in a map member, except
    /// keys a named member already set; sorted by key.
    pub fn push_map_of_lists<V: ToParam>(
        &mut self,
        map: Option<&std::collections::HashMap<String, Vec<V>>>,
    ) {
        for (key, items) in self.unnamed_sorted(map) {
            for item in items {
                self.push(key, &item.to_param());
            }
        }
    }

    fn unnamed_sorted<'m, V>(
        &self,
        map: Option<&'m std::collections::HashMap<String, V>>,
    ) -> Vec<(&'m str, &'m V)> {
        let mut pairs: Vec<(&str, &V)> = map
            .into_iter()
            .flatten()
            .filter(|(key, _)| !self.is_named(key))
            .map(|(key, value)| (key.as_str(), value))
            .collect();
        pairs.sort_by_key(|(key, _)| *key);
        pairs
    }

    /// Whether a named member set `key`.
    fn is_named(&self, key: &str) -> bool {
        if self.empty_named.iter().any(|named| named == key) {
            return true;
        }
        let encoded: Cow<'_, str> = utf8_percent_encode(key, UNRESERVED).into();
        self.uri[self.named.clone()]
            .split(['?', '&'])
            .any(|pair| pair.split('=').next() == Some(&*encoded))
    }

    /// Appends `key` with no value.
    pub fn push_key(&mut self, key: &str) {
        self.uri.push(if self.has_query { '&' } else { '?' });
        self.has_query = true;
        self.uri.extend(utf8_percent_encode(key, UNRESERVED));
    }

    /// The path and query.
    pub fn finish(self) -> String {
        self.uri
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_stay_one_segment() {
        let cases = [
            ("thing-1_a.b~", "thing-1_a.b~"),
            ("a/b", "a%2Fb"),
            ("..", "%2E%2E"),
            (".", "%2E"),
            ("...", "..."),
            ("a b", "a%20b"),
            ("a?b#c%d", "a%3Fb%23c%25d"),
            ("ünï", "%C3%BCn%C3%AF"),
            ("$next", "%24next"),
        ];
        for (raw, encoded) in cases {
            assert_eq!(label("thingName", raw).unwrap(), encoded, "{raw}");
        }
    }

    #[test]
    fn empty_label_is_an_error_naming_the_member() {
        let err = label("thingName", "").unwrap_err();
        assert_eq!(err.member(), Some("thingName"));
        assert!(greedy_label("Key", "").is_err());
    }

    #[test]
    fn greedy_labels_keep_slashes_but_not_dot_segments() {
        assert_eq!(greedy_label("Key", "a/b c/d").unwrap(), "a/b%20c/d");
        assert_eq!(greedy_label("Key", "a/../b").unwrap(), "a/%2E%2E/b");
    }

    #[test]
    fn push_label_checks_presence_and_encodes() {
        let mut uri = String::from("/things/");
        push_label(&mut uri, "In", "thing_name", Some("a/b")).unwrap();
        assert_eq!(uri, "/things/a%2Fb");
        let err = push_label::<&str>(&mut uri, "In", "thing_name", None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`thing_name` is required by `In` but was not set"
        );
        push_label(&mut uri, "In", "n", Some(&7i64)).unwrap();
        push_greedy_label(&mut uri, "In", "key", Some("x/y z")).unwrap();
        assert_eq!(uri, "/things/a%2Fb7x/y%20z");
    }

    #[test]
    fn query_writer_encodes_and_joins() {
        let mut q = QueryWriter::new("/p".into());
        q.push("a", "1 2");
        q.push("b&c", "=");
        q.push_key("flag");
        q.push_param("n", Some(&5i32));
        q.push_param::<&bool>("skipped", None);
        assert_eq!(q.finish(), "/p?a=1%202&b%26c=%3D&flag&n=5");
        let mut q = QueryWriter::new("/p?list".into());
        q.push("x", "y");
        assert_eq!(q.finish(), "/p?list&x=y");
    }

    #[test]
    fn query_lists_and_maps_with_precedence() {
        use std::collections::HashMap;
        let mut q = QueryWriter::new("/p".into());
        q.push_param("bar", Some("named"));
        q.push_list("list", Some(&vec![1, 2]));
        q.push_list::<&Vec<i32>>("absent", None);
        let map: HashMap<String, Vec<String>> = [
            ("bar".to_owned(), vec!["fromMap".to_owned()]),
            ("qux".to_owned(), vec!["a".to_owned(), "b".to_owned()]),
        ]
        .into_iter()
        .collect();
        q.push_map_of_lists(Some(&map));
        let plain: HashMap<String, String> =
            [("z".to_owned(), "1".to_owned())].into_iter().collect();
        q.push_map(Some(&plain));
        assert_eq!(q.finish(), "/p?bar=named&list=1&list=2&qux=a&qux=b&z=1");
    }

    #[test]
    fn maps_skip_exactly_the_keys_named_members_set() {
        use std::collections::HashMap;
        let map: HashMap<String, String> = ["lit", "a b", "empty", "other", "absent"]
            .into_iter()
            .map(|k| (k.to_owned(), "m".to_owned()))
            .collect();
        // A literal query key is not a named member's; an empty list is.
        let mut q = QueryWriter::new("/p?lit".into());
        q.push_param("a b", Some("named"));
        q.push_list("empty", Some(&Vec::<String>::new()));
        q.push_param::<&str>("absent", None);
        q.push_map(Some(&map));
        assert_eq!(q.finish(), "/p?lit&a%20b=named&absent=m&lit=m&other=m");
    }

    #[test]
    fn host_labels_are_checked() {
        assert_eq!(host_label("label", "bar").unwrap(), "bar");
        assert!(host_label("label", "a.b-c").is_ok());
        for bad in ["", "a/b", "evil.com/", "a..b", "x y", "ü"] {
            assert_eq!(
                host_label("label", bad).unwrap_err().member(),
                Some("label"),
                "{bad}"
            );
        }
    }
}
