//! rest-xml: the REST binding with XML bodies.
//!
//! A request's body (the input's body members, or a structure payload) is
//! one XML document whose root the model names (the input's or the
//! payload member's `locationName`, else the shape's name), with its
//! `xmlNamespace` declared on the root; the generated [`XmlWrite`] impls
//! write it. A response's body is the output's element (or the payload's).
//!
//! Errors come wrapped, `<ErrorResponse><Error><Code>..`, or unwrapped,
//! `<Error><Code>..` at the root (S3), each with `Message` and `RequestId`.
//! An error without a body (a `HEAD` request's 404) takes its code from
//! the status (`404`) and its message from the status's reason, as
//! botocore's `RestXMLParser` does.

use crate::error::{self, ErrorMetadata};
use crate::protocol::xml::{self, Element, Namespace, XmlError, XmlRead, XmlWrite};
use crate::transport::HttpResponse;
use crate::value::TimestampFormat;

/// The media type of XML request bodies.
pub const CONTENT_TYPE: &str = "application/xml";

/// The bytes of `value` as a document whose root is `name`.
pub fn to_vec<T: XmlWrite + ?Sized>(value: &T, name: &str, namespace: Namespace) -> Vec<u8> {
    xml::document(value, name, namespace)
}

/// `T` read from the root element of `body`; an empty body is `T::default()`.
pub fn from_slice<T: XmlRead + Default>(body: &[u8]) -> Result<T, XmlError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    let root = xml::parse(body)?;
    T::read_xml(&root, TimestampFormat::DateTime)
}

/// `T` read from the root element of a (non-empty) payload body.
pub fn payload<T: XmlRead>(body: &[u8]) -> Result<T, XmlError> {
    let root = xml::parse(body)?;
    T::read_xml(&root, TimestampFormat::DateTime)
}

/// The element of an error body that holds `Code` and `Message`:
/// `ErrorResponse/Error` when the root wraps it, else the root (`Error`).
pub fn error_element(root: &Element) -> &Element {
    if root.name() == "Error" {
        root
    } else {
        root.child("Error").unwrap_or(root)
    }
}

/// An error shape read from an error response's error element.
pub fn error_body<T: XmlRead + Default>(response: &HttpResponse) -> Result<T, XmlError> {
    if response.body().iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    let root = xml::parse(response.body())?;
    T::read_xml(error_element(&root), TimestampFormat::DateTime)
}

/// Reads the code, message, request id and status of an error response.
///
/// The code and message come from the error element (wrapped or not); the
/// request id from it (`RequestId`), from the root, else from the headers
/// (`x-amz-request-id`, `x-amzn-RequestId`). A response without a body,
/// or whose body is not XML or names no code, takes its code from the
/// status (`"404"`) and its message from the status's reason
/// (`Not Found`). A response that [`invoke`](crate::operation::invoke)
/// already read is not read again.
pub fn error_metadata(response: &HttpResponse) -> ErrorMetadata {
    if let Some(meta) = ErrorMetadata::parsed(response) {
        return meta;
    }
    let root = if response.body().is_empty() {
        None
    } else {
        xml::parse(response.body()).ok()
    };
    let error = root.as_ref().map(error_element);
    let text = |element: Option<&Element>, names: &[&str]| -> Option<String> {
        let element = element?;
        names
            .iter()
            .find_map(|name| element.child(name))
            .map(|e| e.text().trim().to_owned())
            .filter(|t| !t.is_empty())
    };
    let status = response.status();
    let request_id = text(error, &["RequestId", "RequestID"])
        .or_else(|| text(root.as_ref(), &["RequestId", "RequestID"]))
        .or_else(|| error::request_id(response.headers()).map(str::to_owned));
    let (code, message) = match text(error, &["Code"]) {
        Some(code) => (Some(code), text(error, &["Message", "message"])),
        None => (
            Some(status.as_u16().to_string()),
            text(error, &["Message", "message"])
                .or_else(|| status.canonical_reason().map(str::to_owned)),
        ),
    };
    ErrorMetadata {
        code,
        message,
        request_id,
        status: Some(status.as_u16()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::response;

    #[test]
    fn wrapped_unwrapped_and_bodiless_errors() {
        let wrapped = response(
            400,
            &[],
            "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidGreeting</Code><Message>Hi</Message></Error><RequestId>foo-id</RequestId></ErrorResponse>",
        );
        let meta = error_metadata(&wrapped);
        assert_eq!(meta.code(), Some("InvalidGreeting"));
        assert_eq!(meta.message(), Some("Hi"));
        assert_eq!(meta.request_id(), Some("foo-id"));
        let unwrapped = response(
            404,
            &[],
            "<?xml version=\"1.0\"?>\n<Error><Code>NoSuchKey</Code><Message>gone</Message><RequestId>r-2</RequestId></Error>",
        );
        let meta = error_metadata(&unwrapped);
        assert_eq!(meta.code(), Some("NoSuchKey"));
        assert_eq!(meta.message(), Some("gone"));
        assert_eq!(meta.request_id(), Some("r-2"));
        let head = response(404, &[("x-amz-request-id", "r-3")], "");
        let meta = error_metadata(&head);
        assert_eq!(meta.code(), Some("404"));
        assert_eq!(meta.message(), Some("Not Found"));
        assert_eq!(meta.request_id(), Some("r-3"));
        let html = response(503, &[], "<html><body>busy");
        let meta = error_metadata(&html);
        assert_eq!(meta.code(), Some("503"));
        assert_eq!(meta.status(), Some(503));
    }

    #[test]
    fn empty_bodies_read_as_default() {
        let value: String = from_slice(b"").unwrap();
        assert_eq!(value, "");
        assert!(from_slice::<String>(b"<a>").is_err());
        let body = to_vec("x", "Root", Some(("xmlns", "urn:y")));
        assert_eq!(
            String::from_utf8(body).unwrap(),
            "<Root xmlns=\"urn:y\">x</Root>"
        );
    }
}
