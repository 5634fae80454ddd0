//! Parts of the rest-json protocol that do not depend on the shapes.

use serde::de::MapAccess;

use crate::error::{self, ErrorMetadata};
use crate::protocol::json::{self, JsonDeserialize, JsonObject};
use crate::transport::HttpResponse;

/// Strips what may surround an error code on the wire: a namespace prefix
/// (`aws.iot#ThrottlingException`) and a URL suffix
/// (`ThrottlingException:http://internal.amazon.com/...`).
pub fn sanitize_error_code(raw: &str) -> &str {
    let code = raw.split(':').next().unwrap_or(raw);
    let code = code.rsplit('#').next().unwrap_or(code);
    code.trim()
}

#[derive(Default)]
struct ErrorBody {
    type_field: Option<String>,
    code: Option<String>,
    message: Option<String>,
}

impl JsonObject for ErrorBody {
    const NAME: &'static str = "error response";

    fn read_member<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        // Strictly strings (not the shapes' lenient reading): a code that
        // is not text is no code.
        match key {
            "__type" => self.type_field = map.next_value()?,
            "code" | "Code" => self.code = map.next_value()?,
            "message" | "Message" | "errorMessage" => self.message = map.next_value()?,
            _ => json::skip(map)?,
        }
        Ok(())
    }
}

impl JsonDeserialize for ErrorBody {
    fn deserialize_json<'de, D: serde::Deserializer<'de>>(
        _: crate::value::TimestampFormat,
        deserializer: D,
    ) -> Result<Self, D::Error> {
        json::deserialize_object(deserializer)
    }
}

/// Reads the code, message, request id and status of an error response.
///
/// The code comes from the `x-amzn-ErrorType` header, else from the body's
/// `__type` or `code`. A body that is not a JSON object (an HTML page from a
/// proxy, a truncated reply) yields no code or message, not an error: the
/// caller still reports the status and keeps the body.
///
/// A response that [`invoke`](crate::operation::invoke) already read for
/// its retry decision is not read again: the metadata it parsed is returned.
pub fn error_metadata(response: &HttpResponse) -> ErrorMetadata {
    if let Some(meta) = ErrorMetadata::parsed(response) {
        return meta;
    }
    let body: ErrorBody = if response.body().is_empty() {
        ErrorBody::default()
    } else {
        json::from_slice(response.body()).unwrap_or_default()
    };
    let header_code = response
        .headers()
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok());
    let code = header_code
        .or(body.type_field.as_deref())
        .or(body.code.as_deref())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::response;

    #[test]
    fn code_is_sanitized() {
        assert_eq!(
            sanitize_error_code("aws.iot#ThrottlingException"),
            "ThrottlingException"
        );
        assert_eq!(
            sanitize_error_code("ThrottlingException:http://internal.amazon.com/coral/"),
            "ThrottlingException"
        );
        assert_eq!(
            sanitize_error_code("aws.protocoltests#FooError:http://x/y#z"),
            "FooError"
        );
        assert_eq!(sanitize_error_code("Plain"), "Plain");
    }

    #[test]
    fn header_wins_over_body() {
        let meta = error_metadata(&response(
            404,
            &[
                ("x-amzn-errortype", "ResourceNotFoundException:http://x"),
                ("x-amzn-RequestId", "req-1"),
            ],
            r#"{"__type": "Other", "message": "gone"}"#,
        ));
        assert_eq!(meta.code(), Some("ResourceNotFoundException"));
        assert_eq!(meta.message(), Some("gone"));
        assert_eq!(meta.request_id(), Some("req-1"));
        assert_eq!(meta.status(), Some(404));
    }

    #[test]
    fn body_type_then_code() {
        let meta = error_metadata(&response(
            400,
            &[],
            r#"{"__type": "aws.iot#InvalidRequestException", "Message": "bad"}"#,
        ));
        assert_eq!(meta.code(), Some("InvalidRequestException"));
        assert_eq!(meta.message(), Some("bad"));
        let meta = error_metadata(&response(
            409,
            &[],
            r#"{"code": "VersionMismatch", "executionState": {}}"#,
        ));
        assert_eq!(meta.code(), Some("VersionMismatch"));
    }

    #[test]
    fn non_json_body_gives_no_code() {
        let meta = error_metadata(&response(502, &[], "<html>bad gateway</html>"));
        assert_eq!(meta.code(), None);
        assert_eq!(meta.status(), Some(502));
        let meta = error_metadata(&response(500, &[], r#"{"__type": 5}"#));
        assert_eq!(meta.code(), None);
    }
}
