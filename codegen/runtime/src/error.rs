//! Errors of a call: [`SdkError`] around an operation's own error type.

use std::error::Error as StdError;
use std::fmt;

use bytes::Bytes;
use http::HeaderMap;

use crate::credentials::CredentialsError;
use crate::sigv4::SigningError;
use crate::transport::{ConnectorError, HttpResponse};

/// Boxed error source.
pub type BoxError = Box<dyn StdError + Send + Sync>;

/// The request could not be built: a required member is missing, a value
/// cannot be sent, the configuration lacks something the call needs, or the
/// request could not be signed.
#[derive(Debug)]
pub struct BuildError {
    kind: BuildErrorKind,
    /// Requests sent by the call before this error; set by `invoke`.
    attempts: u32,
}

#[derive(Debug)]
enum BuildErrorKind {
    MissingMember {
        shape: &'static str,
        member: &'static str,
    },
    InvalidMember {
        member: &'static str,
        reason: String,
    },
    Config(String),
    Serialization(BoxError),
    Credentials(CredentialsError),
    Signing(SigningError),
}

impl BuildError {
    fn of_kind(kind: BuildErrorKind) -> Self {
        Self { kind, attempts: 0 }
    }

    /// The required `member` of `shape` (both wire names) was not set.
    pub fn missing_member(shape: &'static str, member: &'static str) -> Self {
        Self::of_kind(BuildErrorKind::MissingMember { shape, member })
    }

    /// The value of `member` cannot be sent, for `reason`.
    pub fn invalid_member(member: &'static str, reason: impl Into<String>) -> Self {
        Self::of_kind(BuildErrorKind::InvalidMember {
            member,
            reason: reason.into(),
        })
    }

    /// The configuration lacks what the call needs.
    pub fn config(reason: impl Into<String>) -> Self {
        Self::of_kind(BuildErrorKind::Config(reason.into()))
    }

    /// The body could not be serialized.
    pub fn serialization(source: impl Into<BoxError>) -> Self {
        Self::of_kind(BuildErrorKind::Serialization(source.into()))
    }

    /// No credentials could be resolved to sign the request with.
    pub fn credentials(source: CredentialsError) -> Self {
        Self::of_kind(BuildErrorKind::Credentials(source))
    }

    /// The request could not be signed.
    pub fn signing(source: SigningError) -> Self {
        Self::of_kind(BuildErrorKind::Signing(source))
    }

    /// The member (wire name) this error is about, if any.
    pub fn member(&self) -> Option<&str> {
        match &self.kind {
            BuildErrorKind::MissingMember { member, .. }
            | BuildErrorKind::InvalidMember { member, .. } => Some(member),
            _ => None,
        }
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            BuildErrorKind::MissingMember { shape, member } => {
                write!(f, "`{member}` is required by `{shape}` but was not set")
            }
            BuildErrorKind::InvalidMember { member, reason } => {
                write!(f, "`{member}` cannot be sent: {reason}")
            }
            BuildErrorKind::Config(reason) => write!(f, "configuration: {reason}"),
            BuildErrorKind::Serialization(source) => write!(f, "serializing the request: {source}"),
            BuildErrorKind::Credentials(source) => write!(f, "credentials: {source}"),
            BuildErrorKind::Signing(source) => write!(f, "signing the request: {source}"),
        }
    }
}

impl StdError for BuildError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match &self.kind {
            BuildErrorKind::Serialization(source) => Some(&**source),
            BuildErrorKind::Credentials(source) => Some(source),
            BuildErrorKind::Signing(source) => Some(source),
            _ => None,
        }
    }
}

/// What an error response says about itself, whatever the operation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorMetadata {
    pub(crate) code: Option<String>,
    pub(crate) message: Option<String>,
    pub(crate) request_id: Option<String>,
    pub(crate) status: Option<u16>,
}

impl ErrorMetadata {
    /// The error code, without namespace prefix or URL suffix
    /// (`ResourceNotFoundException`).
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The error message.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The request id the service assigned (`x-amzn-RequestId`).
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The HTTP status code.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The metadata already parsed for `response`: the call pipeline reads
    /// an error response's metadata once, to decide about a retry, and
    /// leaves it in the response's extensions, where the protocol's parser
    /// finds it instead of reading the body again.
    pub fn parsed(response: &HttpResponse) -> Option<Self> {
        response.extensions().get::<Self>().cloned()
    }
}

/// The request id the service assigned to a response, from the headers
/// AWS services put it in (`x-amzn-RequestId`, `x-amz-request-id`).
pub fn request_id(headers: &HeaderMap) -> Option<&str> {
    ["x-amzn-requestid", "x-amz-request-id"]
        .iter()
        .find_map(|name| headers.get(*name)?.to_str().ok())
}

/// An error the model does not describe: an unknown error code, or a failure
/// that is not the service's (see [`SdkError::into_service_error`]).
///
/// It keeps everything the response said, so nothing is lost: code, message,
/// status, request id and the raw body.
#[derive(Debug)]
pub struct Unhandled {
    // Boxed: an operation's error enum is as large as its largest variant,
    // and this is the one variant every enum has.
    inner: Box<UnhandledInner>,
}

#[derive(Debug)]
struct UnhandledInner {
    meta: ErrorMetadata,
    body: Bytes,
    source: Option<BoxError>,
}

impl Unhandled {
    /// An unhandled error response.
    pub fn new(meta: ErrorMetadata, body: Bytes) -> Self {
        Self {
            inner: Box::new(UnhandledInner {
                meta,
                body,
                source: None,
            }),
        }
    }

    /// An unhandled error caused by `source`, with no response behind it.
    pub fn from_source(source: impl Into<BoxError>) -> Self {
        Self {
            inner: Box::new(UnhandledInner {
                meta: ErrorMetadata::default(),
                body: Bytes::new(),
                source: Some(source.into()),
            }),
        }
    }

    /// Everything known about the error.
    pub fn meta(&self) -> &ErrorMetadata {
        &self.inner.meta
    }

    /// The error code, if the response carried one.
    pub fn code(&self) -> Option<&str> {
        self.inner.meta.code()
    }

    /// The error message, if the response carried one.
    pub fn message(&self) -> Option<&str> {
        self.inner.meta.message()
    }

    /// The request id (`x-amzn-RequestId`).
    pub fn request_id(&self) -> Option<&str> {
        self.inner.meta.request_id()
    }

    /// The HTTP status code.
    pub fn status(&self) -> Option<u16> {
        self.inner.meta.status()
    }

    /// The raw response body, e.g. to read fields the model does not describe.
    pub fn body(&self) -> &[u8] {
        &self.inner.body
    }
}

impl fmt::Display for Unhandled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let UnhandledInner { meta, source, .. } = &*self.inner;
        match (&meta.code, &meta.message, source) {
            (Some(code), Some(message), _) => write!(f, "{code}: {message}")?,
            (Some(code), None, _) => f.write_str(code)?,
            (None, Some(message), _) => write!(f, "unknown error: {message}")?,
            (None, None, Some(source)) => write!(f, "{source}")?,
            (None, None, None) => f.write_str("unknown error")?,
        }
        if let Some(status) = meta.status {
            write!(f, " (HTTP {status})")?;
        }
        Ok(())
    }
}

impl StdError for Unhandled {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|s| s as &(dyn StdError + 'static))
    }
}

/// The service answered with an error response, parsed into `E`.
#[derive(Debug)]
pub struct ServiceError<E> {
    // Boxed: a model's error shape can be large, and every `Result` of a call
    // would carry its size on the success path too.
    source: Box<E>,
    // Boxed, as in `ResponseError`: it keeps `SdkError`, and every `Result`
    // carrying one, small.
    raw: Box<HttpResponse>,
    attempts: u32,
}

impl<E> ServiceError<E> {
    /// The parsed error.
    pub fn err(&self) -> &E {
        &self.source
    }

    /// The parsed error, by value.
    pub fn into_err(self) -> E {
        *self.source
    }

    /// The response it was parsed from.
    pub fn raw(&self) -> &HttpResponse {
        &self.raw
    }
}

/// The response could not be understood: malformed JSON, a value of the wrong
/// type, a header that does not parse.
#[derive(Debug)]
pub struct ResponseError {
    source: BoxError,
    raw: Box<HttpResponse>,
    attempts: u32,
}

impl ResponseError {
    /// The response that could not be parsed.
    pub fn raw(&self) -> &HttpResponse {
        &self.raw
    }
}

/// The request id AWS gave a response (`x-amzn-RequestId` and the
/// protocols' equivalents), which AWS support asks for: every generated
/// output has it, as [`SdkError::request_id`] does for failures.
pub trait RequestId {
    /// The request id of the response this came from, if it had one (and
    /// `None` for a value built by hand or parsed sans-IO).
    fn request_id(&self) -> Option<&str>;
}

/// Why a call failed.
///
/// `E` is the operation's error type, an enum of the errors the model lists
/// for it plus an `Unhandled` variant.
///
/// `Debug` is written for the reader of a failed program: `fn main() ->
/// Result<(), Box<dyn Error>>` prints it when `?` returns an error, so `{:?}`
/// gives the `Display` message, the request id, and the chain of causes
/// below it, one per line (as `anyhow` does); `{:#?}` gives the structure,
/// field by field.
#[non_exhaustive]
pub enum SdkError<E> {
    /// The request could not be built; nothing was sent.
    ConstructionFailure(BuildError),
    /// The request was sent but no response came back.
    DispatchFailure(ConnectorError),
    /// A response came back but could not be parsed.
    ResponseError(ResponseError),
    /// The service answered with an error.
    ServiceError(ServiceError<E>),
}

impl<E> SdkError<E> {
    /// A failure to build the request.
    pub fn construction_failure(error: BuildError) -> Self {
        Self::ConstructionFailure(error)
    }

    /// A failure to get a response.
    pub fn dispatch_failure(error: ConnectorError) -> Self {
        Self::DispatchFailure(error)
    }

    /// A response that could not be parsed.
    pub fn response_error(source: impl Into<BoxError>, raw: HttpResponse) -> Self {
        Self::ResponseError(ResponseError {
            source: source.into(),
            raw: Box::new(raw),
            attempts: 0,
        })
    }

    /// An error answered by the service.
    pub fn service_error(source: E, raw: HttpResponse) -> Self {
        Self::service_error_boxed(Box::new(source), raw)
    }

    /// An error answered by the service, already boxed.
    pub(crate) fn service_error_boxed(source: Box<E>, raw: HttpResponse) -> Self {
        Self::ServiceError(ServiceError {
            source,
            raw: Box::new(raw),
            attempts: 0,
        })
    }

    /// How many requests the call sent (attempts, retries included) before
    /// it failed with this error; 0 if it failed before sending any.
    pub fn attempts(&self) -> u32 {
        match self {
            Self::ConstructionFailure(err) => err.attempts,
            Self::DispatchFailure(err) => err.attempts,
            Self::ResponseError(err) => err.attempts,
            Self::ServiceError(err) => err.attempts,
        }
    }

    /// Records that the call sent `attempts` requests.
    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        match &mut self {
            Self::ConstructionFailure(err) => err.attempts = attempts,
            Self::DispatchFailure(err) => err.attempts = attempts,
            Self::ResponseError(err) => err.attempts = attempts,
            Self::ServiceError(err) => err.attempts = attempts,
        }
        self
    }

    /// The operation's error, if the service answered with one.
    pub fn as_service_error(&self) -> Option<&E> {
        match self {
            Self::ServiceError(err) => Some(&*err.source),
            _ => None,
        }
    }

    /// The operation's error; any other failure becomes its `Unhandled`
    /// variant, with this error as its source.
    pub fn into_service_error(self) -> E
    where
        E: From<Unhandled>,
        Self: StdError + Send + Sync + 'static,
    {
        match self {
            Self::ServiceError(err) => *err.source,
            other => E::from(Unhandled::from_source(other)),
        }
    }

    /// The raw response, if one came back.
    pub fn raw_response(&self) -> Option<&HttpResponse> {
        match self {
            Self::ServiceError(err) => Some(&err.raw),
            Self::ResponseError(err) => Some(&err.raw),
            _ => None,
        }
    }

    /// The request id of the response, if one came back: from its headers
    /// (`x-amzn-RequestId`), else from the error metadata its protocol read
    /// (awsQuery and EC2 carry it in the error body).
    pub fn request_id(&self) -> Option<&str> {
        let raw = self.raw_response()?;
        request_id(raw.headers()).or_else(|| {
            raw.extensions()
                .get::<ErrorMetadata>()
                .and_then(ErrorMetadata::request_id)
        })
    }
}

/// ` after N attempts` when a call sent more than one request, else nothing.
struct AfterAttempts(u32);

impl fmt::Display for AfterAttempts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            0 | 1 => Ok(()),
            attempts => write!(f, " after {attempts} attempts"),
        }
    }
}

impl<E: fmt::Display> fmt::Display for SdkError<E> {
    /// What failed and why; when the call sent more than one request (it
    /// retried), how many: `service error after 3 attempts: ...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let after = AfterAttempts(self.attempts());
        match self {
            Self::ConstructionFailure(err) => {
                write!(f, "failed to construct request{after}: {err}")
            }
            Self::DispatchFailure(err) => write!(f, "dispatch failure{after}: {err}"),
            Self::ResponseError(err) => write!(
                f,
                "invalid response (HTTP {}){after}: {}",
                err.raw.status().as_u16(),
                err.source
            ),
            Self::ServiceError(err) => write!(f, "service error{after}: {}", err.source),
        }
    }
}

impl<E: StdError + 'static> fmt::Debug for SdkError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            return match self {
                Self::ConstructionFailure(err) => {
                    f.debug_tuple("ConstructionFailure").field(err).finish()
                }
                Self::DispatchFailure(err) => f.debug_tuple("DispatchFailure").field(err).finish(),
                Self::ResponseError(err) => f.debug_tuple("ResponseError").field(err).finish(),
                Self::ServiceError(err) => f.debug_tuple("ServiceError").field(err).finish(),
            };
        }
        let message = self.to_string();
        f.write_str(&message)?;
        if let Some(id) = self.request_id() {
            write!(f, "\n    request id: {id}")?;
        }
        // Messages here end with their cause's message (`dispatch failure:
        // connection failed: refused`); a cause is listed only when what is
        // shown so far does not already say it.
        let mut shown = message;
        let mut cause = self.source();
        let mut index = 0;
        while let Some(err) = cause {
            let text = err.to_string();
            if !shown.contains(&text) {
                if index == 0 {
                    f.write_str("\n\nCaused by:")?;
                }
                write!(f, "\n    {index}: {text}")?;
                index += 1;
                shown.push_str(&text);
            }
            cause = err.source();
        }
        Ok(())
    }
}

impl<E: StdError + 'static> StdError for SdkError<E> {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Self::ConstructionFailure(err) => Some(err),
            Self::DispatchFailure(err) => Some(err),
            Self::ResponseError(err) => Some(&*err.source),
            Self::ServiceError(err) => Some(&*err.source),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);

    impl fmt::Display for Layer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl StdError for Layer {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            self.1.as_deref().map(|l| l as &(dyn StdError + 'static))
        }
    }

    /// `?` in `main` prints `Debug`: it reads as a message with its causes,
    /// each said once; `{:#?}` keeps the structure.
    #[test]
    fn debug_reads_as_the_message_and_its_causes() {
        let tls = Layer(
            "invalid peer certificate",
            Some(Box::new(Layer("certificate expired", None))),
        );
        let err: SdkError<Unhandled> = SdkError::dispatch_failure(ConnectorError::new(
            crate::transport::ConnectorErrorKind::Io,
            Layer("TLS handshake with 127.0.0.1:1 failed", Some(Box::new(tls))),
        ));
        assert_eq!(
            format!("{err:?}"),
            "dispatch failure: connection failed: TLS handshake with 127.0.0.1:1 failed\n\n\
             Caused by:\n    0: invalid peer certificate\n    1: certificate expired"
        );
        let structure = format!("{err:#?}");
        assert!(
            structure.starts_with("DispatchFailure(\n    ConnectorError {"),
            "{structure}"
        );
        assert!(structure.contains("kind: Io"), "{structure}");
    }

    /// Results carrying an `SdkError` are moved around a lot (and clippy
    /// flags functions returning large errors in generated code).
    #[test]
    fn sdk_error_stays_small() {
        let size = std::mem::size_of::<SdkError<Unhandled>>();
        assert!(size <= 64, "{size} bytes");
    }

    #[test]
    fn build_error_names_the_member() {
        let err = BuildError::missing_member("DescribeJobExecutionRequest", "thingName");
        assert_eq!(err.member(), Some("thingName"));
        assert_eq!(
            err.to_string(),
            "`thingName` is required by `DescribeJobExecutionRequest` but was not set"
        );
    }

    #[test]
    fn unhandled_display_shows_code_message_status() {
        let meta = ErrorMetadata {
            code: Some("VersionMismatch".into()),
            message: Some("stale".into()),
            request_id: None,
            status: Some(409),
        };
        let err = Unhandled::new(meta, Bytes::from_static(b"{}"));
        assert_eq!(err.to_string(), "VersionMismatch: stale (HTTP 409)");
    }

    #[test]
    fn service_error_display_includes_source() {
        let raw = http::Response::builder()
            .status(404)
            .body(Bytes::new())
            .unwrap();
        let err: SdkError<Unhandled> = SdkError::service_error(
            Unhandled::new(
                ErrorMetadata {
                    code: Some("ResourceNotFoundException".into()),
                    message: Some("no such job".into()),
                    ..Default::default()
                },
                Bytes::new(),
            ),
            raw,
        );
        assert_eq!(
            err.to_string(),
            "service error: ResourceNotFoundException: no such job"
        );
        assert!(err.source().is_some());
    }
}
