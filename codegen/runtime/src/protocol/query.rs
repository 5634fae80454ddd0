//! awsQuery and EC2 query: form-encoded requests, XML responses.
//!
//! A request is `POST /` with `Content-Type:
//! application/x-www-form-urlencoded`, its body `Action={Operation}&
//! Version={apiVersion}` followed by the input's members under dotted
//! keys (`Tags.member.1.Key`, `Filter.1.Value.1`). The generated writers
//! decide the keys (the names and list and map rules of each protocol); a
//! [`QueryWriter`] encodes the pairs.
//!
//! A response is XML: awsQuery wraps the output's members in
//! `<{Operation}Response><{Operation}Result>` with the request id in
//! `ResponseMetadata/RequestId`; EC2 puts them directly under the root with
//! `requestId`. Errors are `<ErrorResponse><Error><Code>` (awsQuery) or
//! `<Response><Errors><Error><Code>` (EC2), each with `Message` and a
//! request id ([`error_metadata`] reads both).

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::error::{self, ErrorMetadata};
use crate::protocol::rest::param::{Formatted, ToParam};
use crate::protocol::xml::{self, Element, XmlError, XmlRead};
use crate::transport::HttpResponse;
use crate::value::{DateTime, TimestampFormat};

/// The request content type.
pub const CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// What form encoding leaves as it is: letters, digits and `-._~`.
const FORM: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Collects the `key=value` pairs of a query body, form-encoded.
#[derive(Debug, Clone)]
pub struct QueryWriter {
    body: String,
}

impl QueryWriter {
    /// A body that starts with `Action` and `Version`.
    pub fn new(action: &str, version: &str) -> Self {
        let mut writer = Self {
            body: String::with_capacity(128),
        };
        writer.pair("Action", action);
        writer.pair("Version", version);
        writer
    }

    /// Appends `key=value`.
    pub fn pair(&mut self, key: &str, value: &str) {
        if !self.body.is_empty() {
            self.body.push('&');
        }
        self.body.extend(utf8_percent_encode(key, FORM));
        self.body.push('=');
        self.body.extend(utf8_percent_encode(value, FORM));
    }

    /// Appends a scalar under `key`, in its text form.
    pub fn value(&mut self, key: &str, value: &impl ToParam) {
        self.pair(key, &value.to_param());
    }

    /// Appends a timestamp under `key` in `format`.
    pub fn timestamp(&mut self, key: &str, value: &DateTime, format: TimestampFormat) {
        self.pair(key, &Formatted(value, format).to_param());
    }

    /// The encoded body.
    pub fn finish(self) -> Vec<u8> {
        self.body.into_bytes()
    }
}

/// `prefix.name`, or `name` at the top level.
pub fn key(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        let mut key = String::with_capacity(prefix.len() + 1 + name.len());
        key.push_str(prefix);
        key.push('.');
        key.push_str(name);
        key
    }
}

/// `prefix.index` (`Tags.member.1`), lists and maps counting from 1.
pub fn item_key(prefix: &str, index: usize) -> String {
    format!("{prefix}.{}", index + 1)
}

/// A structure written as query pairs under a key prefix.
pub trait QueryWrite {
    /// Writes the set members under `prefix` (`""` at the top level).
    fn write_query(&self, writer: &mut QueryWriter, prefix: &str);
}

impl<T: QueryWrite> QueryWrite for Box<T> {
    fn write_query(&self, writer: &mut QueryWriter, prefix: &str) {
        (**self).write_query(writer, prefix);
    }
}

/// The body of a response as an XML tree.
pub fn body(response: &HttpResponse) -> Result<Element, XmlError> {
    xml::parse(response.body())
}

/// The output of a successful response: the `wrapper` child of the root
/// (awsQuery's `<{Operation}Result>`; the root itself when there is no
/// wrapper or the response has none), read as `T`.
pub fn output<T: XmlRead + Default>(root: &Element, wrapper: Option<&str>) -> Result<T, XmlError> {
    let element = match wrapper {
        Some(name) => match root.child(name) {
            Some(element) => element,
            None => return Ok(T::default()),
        },
        None => root,
    };
    T::read_xml(element, TimestampFormat::DateTime)
}

/// The request id in a successful response's body: awsQuery's
/// `ResponseMetadata/RequestId`, EC2's `requestId`.
pub fn request_id(root: &Element) -> Option<String> {
    root.child("ResponseMetadata")
        .and_then(|meta| meta.child("RequestId"))
        .or_else(|| root.child("requestId"))
        .map(|e| e.text().trim().to_owned())
}

/// The element of an error response that holds `Code` and `Message`:
/// `ErrorResponse/Error` (awsQuery), `Response/Errors/Error` (EC2), else
/// the root.
pub fn error_element(root: &Element) -> &Element {
    root.child("Error")
        .or_else(|| {
            root.child("Errors")
                .and_then(|errors| errors.child("Error"))
        })
        .unwrap_or(root)
}

/// An error shape read from an error response's error element.
pub fn error_body<T: XmlRead>(response: &HttpResponse) -> Result<T, XmlError> {
    let root = body(response)?;
    T::read_xml(error_element(&root), TimestampFormat::DateTime)
}

/// Reads the code, message, request id and status of an error response of
/// either protocol. A body that is not XML yields no code or message, not
/// an error: the caller still reports the status and keeps the body. The
/// request id comes from the body (`RequestId`, `RequestID`, at the root or
/// in the error), else from the headers. A response that
/// [`invoke`](crate::operation::invoke) already read is not read again.
pub fn error_metadata(response: &HttpResponse) -> ErrorMetadata {
    if let Some(meta) = ErrorMetadata::parsed(response) {
        return meta;
    }
    let root = body(response).ok();
    let error = root.as_ref().map(error_element);
    let text = |element: Option<&Element>, names: &[&str]| -> Option<String> {
        let element = element?;
        names
            .iter()
            .find_map(|name| element.child(name))
            .map(|e| e.text().trim().to_owned())
            .filter(|t| !t.is_empty())
    };
    let request_id = text(root.as_ref(), &["RequestId", "RequestID", "requestId"])
        .or_else(|| text(error, &["RequestId", "RequestID"]))
        .or_else(|| error::request_id(response.headers()).map(str::to_owned));
    ErrorMetadata {
        code: text(error, &["Code"]),
        message: text(error, &["Message", "message"]),
        request_id,
        status: Some(response.status().as_u16()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::response;

    #[test]
    fn writer_encodes_pairs() {
        let mut writer = QueryWriter::new("Op", "2020-01-08");
        writer.value("A.member.1", &"a b&c=d/é");
        writer.value("B", &true);
        writer.value("C", &f64::NAN);
        let body = String::from_utf8(writer.finish()).unwrap();
        assert_eq!(
            body,
            "Action=Op&Version=2020-01-08&A.member.1=a%20b%26c%3Dd%2F%C3%A9&B=true&C=NaN"
        );
        assert_eq!(key("", "A"), "A");
        assert_eq!(key("A.member", "B"), "A.member.B");
        assert_eq!(item_key("A.member", 0), "A.member.1");
    }

    #[test]
    fn error_metadata_of_both_protocols() {
        let query = response(
            400,
            &[],
            "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidGreeting</Code><Message>Hi</Message></Error><RequestId>foo-id</RequestId></ErrorResponse>",
        );
        let meta = error_metadata(&query);
        assert_eq!(meta.code(), Some("InvalidGreeting"));
        assert_eq!(meta.message(), Some("Hi"));
        assert_eq!(meta.request_id(), Some("foo-id"));
        let ec2 = response(
            400,
            &[],
            "<Response><Errors><Error><Code>InvalidGreeting</Code><Message>Hi</Message></Error></Errors><RequestID>foo-id</RequestID></Response>",
        );
        let meta = error_metadata(&ec2);
        assert_eq!(meta.code(), Some("InvalidGreeting"));
        assert_eq!(meta.request_id(), Some("foo-id"));
        let html = response(503, &[("x-amzn-RequestId", "h")], "<html><body>busy");
        let meta = error_metadata(&html);
        assert_eq!(meta.code(), None);
        assert_eq!(meta.request_id(), Some("h"));
        assert_eq!(meta.status(), Some(503));
    }

    #[test]
    fn output_and_request_id() {
        let root = xml::parse(
            b"<OpResponse><OpResult><V>x</V></OpResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></OpResponse>",
        )
        .unwrap();
        assert_eq!(request_id(&root).as_deref(), Some("r-1"));
        assert_eq!(error_element(&root).name(), "OpResponse");
    }
}
