//! Parts of Smithy RPC v2 CBOR that do not depend on the shapes: the error
//! metadata of a response.
//!
//! Requests are `POST /service/{ServiceName}/operation/{Operation}` with
//! `smithy-protocol: rpc-v2-cbor`, which the generated serializers write as
//! constants; bodies go through the [`cbor`](super::cbor) codec.

use std::borrow::Cow;

use crate::error::{self, ErrorMetadata};
use crate::protocol::cbor::{self, CborDeserialize, CborError, CborObject, Decoder};
use crate::protocol::rest_json::sanitize_error_code;
use crate::transport::HttpResponse;

#[derive(Default)]
struct ErrorBody {
    type_field: Option<String>,
    message: Option<String>,
}

impl CborObject for ErrorBody {
    const NAME: &'static str = "error response";

    fn read_member(
        &mut self,
        key: &str,
        decoder: &mut Decoder<'_>,
        depth: usize,
    ) -> Result<(), CborError> {
        match key {
            "__type" => self.type_field = cbor::value(decoder, depth)?,
            "message" | "Message" => self.message = cbor::value(decoder, depth)?,
            _ => cbor::skip(decoder, depth)?,
        }
        Ok(())
    }
}

impl CborDeserialize for ErrorBody {
    fn read_cbor(decoder: &mut Decoder<'_>, depth: usize) -> Result<Self, CborError> {
        cbor::read_object(decoder, depth)
    }
}

/// Reads the code, message, request id and status of an error response.
///
/// The code is the body's `__type` without namespace prefix or URL suffix
/// (`smithy.example#InvalidGreeting` -> `InvalidGreeting`), as in the JSON
/// protocols; the message is `message` or `Message`. A body that is not a
/// CBOR map yields no code or message. A response that
/// [`invoke`](crate::operation::invoke) already read is not read again.
pub fn error_metadata(response: &HttpResponse) -> ErrorMetadata {
    if let Some(meta) = ErrorMetadata::parsed(response) {
        return meta;
    }
    let body: ErrorBody = cbor::body(response).unwrap_or_default();
    let code = body
        .type_field
        .as_deref()
        .map(sanitize_error_code)
        .filter(|code| !code.is_empty())
        .map(str::to_owned);
    ErrorMetadata {
        code,
        message: body.message,
        request_id: error::request_id(response.headers()).map(str::to_owned),
        status: Some(response.status().as_u16()),
    }
}

/// [`error_metadata`] for a service with the `awsQueryCompatible` trait: the
/// `x-amzn-query-error` header (`Code;Fault`), when it has both parts and a
/// code, gives the error code of the service's former awsQuery protocol.
pub fn query_compatible_error_metadata(response: &HttpResponse) -> ErrorMetadata {
    if let Some(meta) = ErrorMetadata::parsed(response) {
        return meta;
    }
    let mut meta = error_metadata(response);
    if let Some(code) = query_error_code(response) {
        meta.code = Some(code.into_owned());
    }
    meta
}

fn query_error_code(response: &HttpResponse) -> Option<Cow<'_, str>> {
    let value = response
        .headers()
        .get("x-amzn-query-error")?
        .to_str()
        .ok()?;
    match value.split(';').collect::<Vec<_>>()[..] {
        [code, _fault] if !code.trim().is_empty() => Some(Cow::Borrowed(code.trim())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::response;

    fn cbor_response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> HttpResponse {
        let mut response = response(status, headers, "");
        *response.body_mut() = bytes::Bytes::copy_from_slice(body);
        response
    }

    /// `{"__type": "aws.protocoltests.rpcv2Cbor#InvalidGreeting", "Message": "Hi"}`
    fn error_body() -> Vec<u8> {
        let mut bytes = Vec::new();
        let mut writer = cbor::Encoder::new(&mut bytes);
        cbor::map_header(&mut writer, 2).unwrap();
        cbor::entry(
            &mut writer,
            "__type",
            "aws.protocoltests.rpcv2Cbor#InvalidGreeting",
        )
        .unwrap();
        cbor::entry(&mut writer, "Message", "Hi").unwrap();
        bytes
    }

    #[test]
    fn type_is_sanitized() {
        let meta = error_metadata(&cbor_response(
            400,
            &[("x-amzn-RequestId", "r-1")],
            &error_body(),
        ));
        assert_eq!(meta.code(), Some("InvalidGreeting"));
        assert_eq!(meta.message(), Some("Hi"));
        assert_eq!(meta.request_id(), Some("r-1"));
        let meta = error_metadata(&cbor_response(502, &[], b"<html>"));
        assert_eq!(meta.code(), None);
        assert_eq!(meta.status(), Some(502));
    }

    #[test]
    fn query_error_header_gives_the_code() {
        let headers = [("x-amzn-query-error", "AWS.Example.Missing;Sender")];
        let meta = query_compatible_error_metadata(&cbor_response(400, &headers, &error_body()));
        assert_eq!(meta.code(), Some("AWS.Example.Missing"));
        let headers = [("x-amzn-query-error", ";Sender")];
        let meta = query_compatible_error_metadata(&cbor_response(400, &headers, &error_body()));
        assert_eq!(meta.code(), Some("InvalidGreeting"));
    }
}
