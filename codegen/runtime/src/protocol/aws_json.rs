//! Parts of the awsJson 1.0 and 1.1 protocols that do not depend on the
//! shapes: the error metadata of a response.
//!
//! Bodies are JSON exactly as in rest-json (the generated code reads them
//! with the [`json`](super::json) codec); what is
//! awsJson's own is on the request side (`POST /`, `X-Amz-Target`, the
//! versioned content type), which the generated serializers write as
//! constants, and the `x-amzn-query-error` header of query-compatible
//! services.

use crate::error::ErrorMetadata;
use crate::protocol::rest_json;
use crate::transport::HttpResponse;

/// Reads the code, message, request id and status of an error response.
///
/// The code comes from the `x-amzn-ErrorType` header, else from the body's
/// `__type` or `code`, without namespace prefix or URL suffix
/// (`aws.dynamodb#ResourceNotFoundException:http://...` ->
/// `ResourceNotFoundException`), as in rest-json. A body that is not JSON
/// yields no code or message. A response that
/// [`invoke`](crate::operation::invoke) already read is not read again.
pub fn error_metadata(response: &HttpResponse) -> ErrorMetadata {
    rest_json::error_metadata(response)
}

/// [`error_metadata`] for a service with the `awsQueryCompatible` trait: the
/// `x-amzn-query-error` header (`Code;Fault`, e.g.
/// `AWS.SimpleQueueService.NonExistentQueue;Sender`), when it has both parts
/// and a code, gives the error code of the service's former awsQuery
/// protocol, which its error shapes are modeled with.
pub fn query_compatible_error_metadata(response: &HttpResponse) -> ErrorMetadata {
    if let Some(meta) = ErrorMetadata::parsed(response) {
        return meta;
    }
    let mut meta = error_metadata(response);
    let query_code = response
        .headers()
        .get("x-amzn-query-error")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| match value.split(';').collect::<Vec<_>>()[..] {
            [code, _fault] if !code.trim().is_empty() => Some(code.trim()),
            _ => None,
        });
    if let Some(code) = query_code {
        meta.code = Some(code.to_owned());
    }
    meta
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::response;

    #[test]
    fn type_is_sanitized_and_header_wins() {
        let meta = error_metadata(&response(
            400,
            &[("x-amzn-RequestId", "req-7")],
            r#"{"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "message": "no table"}"#,
        ));
        assert_eq!(meta.code(), Some("ResourceNotFoundException"));
        assert_eq!(meta.message(), Some("no table"));
        assert_eq!(meta.request_id(), Some("req-7"));
        let meta = error_metadata(&response(
            400,
            &[("x-amzn-errortype", "FooError:http://internal.amazon.com/")],
            r#"{"__type": "Other"}"#,
        ));
        assert_eq!(meta.code(), Some("FooError"));
    }

    #[test]
    fn query_error_header_gives_the_code() {
        let body = r#"{"__type": "aws.sqs#QueueDoesNotExist", "message": "gone"}"#;
        let meta = query_compatible_error_metadata(&response(
            400,
            &[(
                "x-amzn-query-error",
                "AWS.SimpleQueueService.NonExistentQueue;Sender",
            )],
            body,
        ));
        assert_eq!(meta.code(), Some("AWS.SimpleQueueService.NonExistentQueue"));
        assert_eq!(meta.message(), Some("gone"));
        // Without the header, or with a malformed one, the body's type stands.
        for headers in [
            &[][..],
            &[("x-amzn-query-error", "NoFault")],
            &[("x-amzn-query-error", ";Sender")],
        ] {
            let meta = query_compatible_error_metadata(&response(400, headers, body));
            assert_eq!(meta.code(), Some("QueueDoesNotExist"), "{headers:?}");
        }
    }
}
