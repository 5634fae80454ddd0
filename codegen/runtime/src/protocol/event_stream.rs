//! The AWS event-stream message format (`application/vnd.amazon.eventstream`):
//! a decoder (incremental over chunks of bytes), an encoder, and the message
//! type a decoded event's union is read from.
//!
//! A message on the wire:
//!
//! ```text
//! total length (u32 BE) | headers length (u32 BE) | prelude CRC (u32 BE)
//! headers ... | payload ... | message CRC (u32 BE)
//! ```
//!
//! The prelude CRC is the CRC-32 of the first 8 bytes; the message CRC the
//! CRC-32 of everything before it. A header is a name (u8 length, UTF-8), a
//! type byte and a value of that type (see [`HeaderValue`]).
//!
//! The decoder never panics on hostile bytes: every length is checked
//! against what is there and against the limits of the format
//! ([`MAX_MESSAGE_SIZE`], [`MAX_HEADERS_SIZE`]), and every error names what
//! is wrong ([`EventStreamError`]).

use std::fmt;

use bytes::{Buf, BufMut, Bytes, BytesMut};

use crate::error::{request_id, BoxError, ErrorMetadata, SdkError, Unhandled};
use crate::event_receiver::{EventReceiver, EventSource};
use crate::transport::HttpResponse;
use crate::value::{Blob, DateTime};

/// The largest message the format allows: 16 MiB.
pub const MAX_MESSAGE_SIZE: usize = 16 * 1024 * 1024;
/// The largest headers section the format allows: 128 KiB.
pub const MAX_HEADERS_SIZE: usize = 128 * 1024;
/// Prelude (12 bytes) and message CRC (4 bytes): the smallest message.
const PRELUDE_LEN: usize = 12;
const MIN_MESSAGE_LEN: usize = PRELUDE_LEN + 4;

/// What is wrong with a stream of event-stream messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventStreamError {
    /// The prelude's CRC does not match its lengths.
    PreludeCrc {
        /// The CRC the prelude carries.
        expected: u32,
        /// The CRC of the prelude's lengths.
        computed: u32,
    },
    /// The message's CRC does not match its bytes.
    MessageCrc {
        /// The CRC the message carries.
        expected: u32,
        /// The CRC of the message's bytes.
        computed: u32,
    },
    /// The total length is below the 16 bytes of prelude and CRC, or its
    /// headers length does not fit in it.
    BadLength {
        /// The message's total length.
        total: u32,
        /// The message's headers length.
        headers: u32,
    },
    /// A message larger than the format's (or the decoder's) limit.
    TooLarge {
        /// What the prelude says.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// A headers section larger than the format's 128 KiB.
    HeadersTooLarge(usize),
    /// The stream ended inside a message.
    Truncated {
        /// How many bytes the message needs (0: the prelude is incomplete).
        needed: usize,
        /// How many bytes of it there are.
        available: usize,
    },
    /// A header that does not parse: what and where.
    BadHeader(String),
    /// A message whose headers say something the reader cannot follow
    /// (a missing `:message-type`, an unknown one).
    BadMessage(String),
}

impl fmt::Display for EventStreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PreludeCrc { expected, computed } => write!(
                f,
                "event stream: bad prelude CRC (message says {expected:#010x}, bytes give {computed:#010x})"
            ),
            Self::MessageCrc { expected, computed } => write!(
                f,
                "event stream: bad message CRC (message says {expected:#010x}, bytes give {computed:#010x})"
            ),
            Self::BadLength { total, headers } => write!(
                f,
                "event stream: bad lengths in prelude (total {total} bytes, headers {headers} bytes)"
            ),
            Self::TooLarge { size, limit } => write!(
                f,
                "event stream: message of {size} bytes is over the limit of {limit} bytes"
            ),
            Self::HeadersTooLarge(size) => write!(
                f,
                "event stream: headers section of {size} bytes is over the limit of {MAX_HEADERS_SIZE} bytes"
            ),
            Self::Truncated { needed, available } if *needed == 0 => write!(
                f,
                "event stream: truncated message ({available} bytes, prelude incomplete)"
            ),
            Self::Truncated { needed, available } => write!(
                f,
                "event stream: truncated message ({available} of {needed} bytes)"
            ),
            Self::BadHeader(what) => write!(f, "event stream: bad header: {what}"),
            Self::BadMessage(what) => write!(f, "event stream: bad message: {what}"),
        }
    }
}

impl std::error::Error for EventStreamError {}

/// A header's value, one per type of the format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderValue {
    /// Types 0 (true) and 1 (false).
    Bool(bool),
    /// Type 2: a signed byte.
    Byte(i8),
    /// Type 3: a signed 16-bit integer.
    Int16(i16),
    /// Type 4: a signed 32-bit integer.
    Int32(i32),
    /// Type 5: a signed 64-bit integer.
    Int64(i64),
    /// Type 6: bytes (u16 length).
    ByteArray(Bytes),
    /// Type 7: UTF-8 text (u16 length).
    String(String),
    /// Type 8: milliseconds since the epoch (i64).
    Timestamp(DateTime),
    /// Type 9: 16 bytes.
    Uuid([u8; 16]),
}

impl HeaderValue {
    /// The text of a string header.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(text) => Some(text),
            _ => None,
        }
    }

    fn type_name(&self) -> &'static str {
        match self {
            Self::Bool(_) => "a boolean",
            Self::Byte(_) => "a byte",
            Self::Int16(_) => "a 16-bit integer",
            Self::Int32(_) => "a 32-bit integer",
            Self::Int64(_) => "a 64-bit integer",
            Self::ByteArray(_) => "bytes",
            Self::String(_) => "a string",
            Self::Timestamp(_) => "a timestamp",
            Self::Uuid(_) => "a UUID",
        }
    }

    fn type_byte(&self) -> u8 {
        match self {
            Self::Bool(true) => 0,
            Self::Bool(false) => 1,
            Self::Byte(_) => 2,
            Self::Int16(_) => 3,
            Self::Int32(_) => 4,
            Self::Int64(_) => 5,
            Self::ByteArray(_) => 6,
            Self::String(_) => 7,
            Self::Timestamp(_) => 8,
            Self::Uuid(_) => 9,
        }
    }
}

/// One header: a name and a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The name (at most 255 bytes).
    pub name: String,
    /// The value.
    pub value: HeaderValue,
}

/// One message: headers and a payload.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    /// The headers, in wire order.
    pub headers: Vec<Header>,
    /// The payload.
    pub payload: Bytes,
}

impl Message {
    /// A message with this payload and no headers.
    pub fn new(payload: impl Into<Bytes>) -> Self {
        Message {
            headers: Vec::new(),
            payload: payload.into(),
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: impl Into<String>, value: HeaderValue) -> Self {
        self.headers.push(Header {
            name: name.into(),
            value,
        });
        self
    }

    /// The value of the first header of this name.
    pub fn get(&self, name: &str) -> Option<&HeaderValue> {
        self.headers
            .iter()
            .find(|h| h.name == name)
            .map(|h| &h.value)
    }

    /// The text of the first string header of this name.
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(HeaderValue::as_str)
    }

    /// What the message is, from `:message-type` (and `:event-type`,
    /// `:exception-type`, `:error-code` / `:error-message`).
    pub fn kind(&self) -> Result<MessageKind<'_>, EventStreamError> {
        let message_type = self.get_str(":message-type").ok_or_else(|| {
            EventStreamError::BadMessage("no `:message-type` string header".into())
        })?;
        match message_type {
            "event" => {
                let event_type = self.get_str(":event-type").ok_or_else(|| {
                    EventStreamError::BadMessage(
                        "event message without an `:event-type` string header".into(),
                    )
                })?;
                Ok(MessageKind::Event(event_type))
            }
            "exception" => {
                let exception_type = self.get_str(":exception-type").ok_or_else(|| {
                    EventStreamError::BadMessage(
                        "exception message without an `:exception-type` string header".into(),
                    )
                })?;
                Ok(MessageKind::Exception(exception_type))
            }
            "error" => Ok(MessageKind::Error {
                code: self.get_str(":error-code"),
                message: self.get_str(":error-message"),
            }),
            other => Err(EventStreamError::BadMessage(format!(
                "unknown `:message-type` {other:?}"
            ))),
        }
    }

    /// The message on the wire, CRCs included.
    ///
    /// Fails if a header name is longer than 255 bytes, a string or byte
    /// value longer than 65,535 bytes, or the message over the format's
    /// limits.
    pub fn encode(&self) -> Result<Vec<u8>, EventStreamError> {
        let mut headers = BytesMut::new();
        for header in &self.headers {
            let name = header.name.as_bytes();
            let name_len = u8::try_from(name.len()).map_err(|_| {
                EventStreamError::BadHeader(format!(
                    "name of {} bytes is over 255: {:?}",
                    name.len(),
                    header.name
                ))
            })?;
            headers.put_u8(name_len);
            headers.put_slice(name);
            headers.put_u8(header.value.type_byte());
            match &header.value {
                HeaderValue::Bool(_) => {}
                HeaderValue::Byte(v) => headers.put_i8(*v),
                HeaderValue::Int16(v) => headers.put_i16(*v),
                HeaderValue::Int32(v) => headers.put_i32(*v),
                HeaderValue::Int64(v) => headers.put_i64(*v),
                HeaderValue::ByteArray(bytes) => put_u16_bytes(&mut headers, &header.name, bytes)?,
                HeaderValue::String(text) => {
                    put_u16_bytes(&mut headers, &header.name, text.as_bytes())?
                }
                HeaderValue::Timestamp(time) => {
                    let millis = time
                        .secs()
                        .saturating_mul(1000)
                        .saturating_add(i64::from(time.subsec_nanos() / 1_000_000));
                    headers.put_i64(millis)
                }
                HeaderValue::Uuid(uuid) => headers.put_slice(uuid),
            }
        }
        if headers.len() > MAX_HEADERS_SIZE {
            return Err(EventStreamError::HeadersTooLarge(headers.len()));
        }
        let total = MIN_MESSAGE_LEN + headers.len() + self.payload.len();
        if total > MAX_MESSAGE_SIZE {
            return Err(EventStreamError::TooLarge {
                size: total,
                limit: MAX_MESSAGE_SIZE,
            });
        }
        let mut out = Vec::with_capacity(total);
        out.put_u32(total as u32);
        out.put_u32(headers.len() as u32);
        let prelude_crc = crc32fast::hash(&out);
        out.put_u32(prelude_crc);
        out.put_slice(&headers);
        out.put_slice(&self.payload);
        let message_crc = crc32fast::hash(&out);
        out.put_u32(message_crc);
        Ok(out)
    }
}

fn put_u16_bytes(out: &mut BytesMut, name: &str, bytes: &[u8]) -> Result<(), EventStreamError> {
    let len = u16::try_from(bytes.len()).map_err(|_| {
        EventStreamError::BadHeader(format!(
            "value of header {name:?} is {} bytes, over 65535",
            bytes.len()
        ))
    })?;
    out.put_u16(len);
    out.put_slice(bytes);
    Ok(())
}

/// What a message is, by its `:message-type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind<'a> {
    /// An event of the stream's union: the member named by `:event-type`.
    Event(&'a str),
    /// A modeled error: the error member named by `:exception-type`.
    Exception(&'a str),
    /// An unmodeled error.
    Error {
        /// `:error-code`.
        code: Option<&'a str>,
        /// `:error-message`.
        message: Option<&'a str>,
    },
}

/// Reads messages out of bytes that arrive in chunks of any size.
///
/// [`push`](Self::push) the bytes as they come, then take whole messages
/// with [`next_message`](Self::next_message) until it returns `Ok(None)`
/// (more bytes needed); at the end of the stream [`finish`](Self::finish)
/// says whether a message was cut off. After an error the decoder is of no
/// further use: the stream's framing is lost.
#[derive(Debug)]
pub struct MessageDecoder {
    buffer: BytesMut,
    max_message_size: usize,
}

impl Default for MessageDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl MessageDecoder {
    /// A decoder with the format's limit, [`MAX_MESSAGE_SIZE`].
    pub fn new() -> Self {
        Self::with_max_message_size(MAX_MESSAGE_SIZE)
    }

    /// A decoder that refuses messages over `limit` bytes (at most
    /// [`MAX_MESSAGE_SIZE`]).
    pub fn with_max_message_size(limit: usize) -> Self {
        MessageDecoder {
            buffer: BytesMut::new(),
            max_message_size: limit.min(MAX_MESSAGE_SIZE),
        }
    }

    /// Adds bytes that came from the stream.
    pub fn push(&mut self, chunk: &[u8]) {
        self.buffer.extend_from_slice(chunk);
    }

    /// The next whole message, or `Ok(None)` if more bytes are needed.
    pub fn next_message(&mut self) -> Result<Option<Message>, EventStreamError> {
        if self.buffer.len() < PRELUDE_LEN {
            return Ok(None);
        }
        let prelude = &self.buffer[..PRELUDE_LEN];
        let total = u32::from_be_bytes([prelude[0], prelude[1], prelude[2], prelude[3]]);
        let headers_len = u32::from_be_bytes([prelude[4], prelude[5], prelude[6], prelude[7]]);
        let expected = u32::from_be_bytes([prelude[8], prelude[9], prelude[10], prelude[11]]);
        let computed = crc32fast::hash(&prelude[..8]);
        if expected != computed {
            return Err(EventStreamError::PreludeCrc { expected, computed });
        }
        let total_len = total as usize;
        let headers_size = headers_len as usize;
        if total_len < MIN_MESSAGE_LEN || headers_size > total_len - MIN_MESSAGE_LEN {
            return Err(EventStreamError::BadLength {
                total,
                headers: headers_len,
            });
        }
        if total_len > self.max_message_size {
            return Err(EventStreamError::TooLarge {
                size: total_len,
                limit: self.max_message_size,
            });
        }
        if headers_size > MAX_HEADERS_SIZE {
            return Err(EventStreamError::HeadersTooLarge(headers_size));
        }
        if self.buffer.len() < total_len {
            return Ok(None);
        }
        let message = self.buffer.split_to(total_len).freeze();
        let crc_at = total_len - 4;
        let expected = u32::from_be_bytes([
            message[crc_at],
            message[crc_at + 1],
            message[crc_at + 2],
            message[crc_at + 3],
        ]);
        let computed = crc32fast::hash(&message[..crc_at]);
        if expected != computed {
            return Err(EventStreamError::MessageCrc { expected, computed });
        }
        let headers_end = PRELUDE_LEN + headers_size;
        let headers = read_headers(&message[PRELUDE_LEN..headers_end])?;
        Ok(Some(Message {
            headers,
            payload: message.slice(headers_end..crc_at),
        }))
    }

    /// At the end of the stream: an error if bytes of a message are left.
    pub fn finish(&self) -> Result<(), EventStreamError> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let needed = if self.buffer.len() >= 4 {
            u32::from_be_bytes([
                self.buffer[0],
                self.buffer[1],
                self.buffer[2],
                self.buffer[3],
            ]) as usize
        } else {
            0
        };
        Err(EventStreamError::Truncated {
            needed,
            available: self.buffer.len(),
        })
    }
}

/// Every message of a whole stream's bytes.
pub fn decode_all(bytes: &[u8]) -> Result<Vec<Message>, EventStreamError> {
    let mut decoder = MessageDecoder::new();
    decoder.push(bytes);
    let mut messages = Vec::new();
    while let Some(message) = decoder.next_message()? {
        messages.push(message);
    }
    decoder.finish()?;
    Ok(messages)
}

/// How an operation turns one message into an event: `Ok(Some(event))`,
/// `Ok(None)` to pass over the message (an `initial-response` already read
/// into the output), or the error the message carries. `raw` is the
/// response the stream came in (status and headers, no body), for errors.
pub type ReadEvent<T, E> =
    Box<dyn FnMut(&Message, &HttpResponse) -> Result<Option<T>, SdkError<E>> + Send>;

/// The events of a response body that was read whole.
struct BodyEvents<T, E> {
    decoder: MessageDecoder,
    raw: HttpResponse,
    read: ReadEvent<T, E>,
}

impl<T, E> EventSource<T, E> for BodyEvents<T, E> {
    fn next_event(&mut self) -> Result<Option<T>, SdkError<E>> {
        loop {
            let message = match self.decoder.next_message() {
                Ok(Some(message)) => message,
                Ok(None) => {
                    return match self.decoder.finish() {
                        Ok(()) => Ok(None),
                        Err(err) => Err(SdkError::response_error(err, self.raw.clone())),
                    };
                }
                Err(err) => return Err(SdkError::response_error(err, self.raw.clone())),
            };
            if let Some(event) = (self.read)(&message, &self.raw)? {
                return Ok(Some(event));
            }
        }
    }
}

/// The receiver of an event-stream output: the messages of `body`, read
/// by `read`; `raw` is the response without its body.
pub fn receiver<T: 'static, E: 'static>(
    body: Bytes,
    raw: HttpResponse,
    read: ReadEvent<T, E>,
) -> EventReceiver<T, E> {
    let mut decoder = MessageDecoder::new();
    decoder.push(&body);
    EventReceiver::new(BodyEvents { decoder, raw, read })
}

/// The first message of `body` if it is an `initial-response` event (RPC
/// JSON's way of sending the output's other members): its payload.
pub fn initial_response(body: &[u8]) -> Result<Option<Bytes>, EventStreamError> {
    let mut decoder = MessageDecoder::new();
    decoder.push(body);
    match decoder.next_message()? {
        Some(message) if message.kind()? == MessageKind::Event("initial-response") => {
            Ok(Some(message.payload))
        }
        _ => Ok(None),
    }
}

// ----- what generated event readers call -----

/// The receiver of the event-stream output in `response`: its body's
/// messages, read one by one by `read`.
pub fn output_receiver<T: 'static, E: 'static>(
    response: &HttpResponse,
    read: ReadEvent<T, E>,
) -> EventReceiver<T, E> {
    let mut raw = with_body(response, Bytes::new());
    *raw.headers_mut() = response.headers().clone();
    receiver(response.body().clone(), raw, read)
}

/// A response of `response`'s status, with `body` and no headers: what a
/// codec reads a message's payload (or an `initial-response`) from.
pub fn with_body(response: &HttpResponse, body: Bytes) -> HttpResponse {
    let mut out = http::Response::new(body);
    *out.status_mut() = response.status();
    *out.version_mut() = response.version();
    out
}

/// A message's payload as a response (see [`with_body`]).
pub fn payload_response(message: &Message, raw: &HttpResponse) -> HttpResponse {
    with_body(raw, message.payload.clone())
}

/// The metadata of an exception message of the stream's error member
/// `code`: the response's status and request id.
pub fn exception_metadata(code: &str, raw: &HttpResponse) -> ErrorMetadata {
    metadata(Some(code), None, raw)
}

/// Error metadata of a message in `raw`: the response's status and request id.
fn metadata(code: Option<&str>, message: Option<&str>, raw: &HttpResponse) -> ErrorMetadata {
    ErrorMetadata {
        code: code.map(str::to_owned),
        message: message.map(str::to_owned),
        request_id: request_id(raw.headers()).map(str::to_owned),
        status: Some(raw.status().as_u16()),
    }
}

/// The error of an exception message of the stream's error member
/// `code`: its payload read by `parse` (the error shape's reader), as the
/// stream's error `wrap` makes of it; a payload that does not read is a
/// response error.
pub fn exception<X, E>(
    message: &Message,
    raw: &HttpResponse,
    code: &str,
    parse: fn(&HttpResponse, &ErrorMetadata) -> Result<X, BoxError>,
    wrap: fn(X) -> E,
) -> SdkError<E> {
    let response = payload_response(message, raw);
    match parse(&response, &exception_metadata(code, raw)) {
        Ok(error) => SdkError::service_error(wrap(error), raw.clone()),
        Err(source) => SdkError::response_error(source, raw.clone()),
    }
}

/// An error message (`:message-type` `error`), or an exception the
/// stream's union does not name, as an unhandled error: its code
/// (`:error-code` or `:exception-type`), message (`:error-message`) and
/// payload.
pub fn unhandled(message: &Message, raw: &HttpResponse) -> Unhandled {
    let code = message
        .get_str(":error-code")
        .or_else(|| message.get_str(":exception-type"));
    let meta = metadata(code, message.get_str(":error-message"), raw);
    Unhandled::new(meta, message.payload.clone())
}

/// A value an event's `eventheader` member takes from a header.
pub trait FromHeader: Sized {
    /// The value, or `None` if the header is of another type.
    fn from_header(value: &HeaderValue) -> Option<Self>;
    /// The type's name, for errors.
    const TYPE: &'static str;
}

macro_rules! from_header {
    ($($ty:ty, $name:literal, $value:pat => $out:expr;)*) => {$(
        impl FromHeader for $ty {
            fn from_header(value: &HeaderValue) -> Option<Self> {
                match value {
                    $value => Some($out),
                    _ => None,
                }
            }
            const TYPE: &'static str = $name;
        }
    )*};
}

from_header! {
    bool, "a boolean", HeaderValue::Bool(b) => *b;
    i8, "a byte", HeaderValue::Byte(n) => *n;
    i16, "a 16-bit integer", HeaderValue::Int16(n) => *n;
    i32, "a 32-bit integer", HeaderValue::Int32(n) => *n;
    i64, "a 64-bit integer", HeaderValue::Int64(n) => *n;
    String, "a string", HeaderValue::String(text) => text.clone();
    Blob, "bytes", HeaderValue::ByteArray(bytes) => Blob::new(bytes.to_vec());
    DateTime, "a timestamp", HeaderValue::Timestamp(time) => *time;
}

/// The `eventheader` member `name` of `message`: `None` when the header is
/// absent, an error naming it when it has another type.
pub fn header<T: FromHeader>(message: &Message, name: &str) -> Result<Option<T>, EventStreamError> {
    match message.get(name) {
        None => Ok(None),
        Some(value) => T::from_header(value).map(Some).ok_or_else(|| {
            EventStreamError::BadHeader(format!(
                "header {name:?} is {}, not {}",
                value.type_name(),
                T::TYPE
            ))
        }),
    }
}

fn read_headers(mut bytes: &[u8]) -> Result<Vec<Header>, EventStreamError> {
    let mut headers = Vec::new();
    while !bytes.is_empty() {
        let at = headers.len();
        let name_len = usize::from(bytes.get_u8());
        let name = take(&mut bytes, name_len, || format!("header {at}: name"))?;
        let name = std::str::from_utf8(name)
            .map_err(|_| EventStreamError::BadHeader(format!("header {at}: name is not UTF-8")))?
            .to_owned();
        if name.is_empty() {
            return Err(EventStreamError::BadHeader(format!(
                "header {at}: empty name"
            )));
        }
        let type_byte = *take(&mut bytes, 1, || format!("header {name:?}: type"))?
            .first()
            .unwrap_or(&u8::MAX);
        let mut fixed = |n: usize| take(&mut bytes, n, || format!("header {name:?}: value"));
        let value = match type_byte {
            0 => HeaderValue::Bool(true),
            1 => HeaderValue::Bool(false),
            2 => HeaderValue::Byte(fixed(1)?.get_i8()),
            3 => HeaderValue::Int16(fixed(2)?.get_i16()),
            4 => HeaderValue::Int32(fixed(4)?.get_i32()),
            5 => HeaderValue::Int64(fixed(8)?.get_i64()),
            6 | 7 => {
                let len = usize::from(fixed(2)?.get_u16());
                let value = fixed(len)?;
                if type_byte == 6 {
                    HeaderValue::ByteArray(Bytes::copy_from_slice(value))
                } else {
                    let text = std::str::from_utf8(value).map_err(|_| {
                        EventStreamError::BadHeader(format!(
                            "header {name:?}: string value is not UTF-8"
                        ))
                    })?;
                    HeaderValue::String(text.to_owned())
                }
            }
            8 => HeaderValue::Timestamp(DateTime::from_millis(fixed(8)?.get_i64())),
            9 => {
                let mut uuid = [0u8; 16];
                uuid.copy_from_slice(fixed(16)?);
                HeaderValue::Uuid(uuid)
            }
            other => {
                return Err(EventStreamError::BadHeader(format!(
                    "header {name:?}: unknown value type {other}"
                )));
            }
        };
        headers.push(Header { name, value });
    }
    Ok(headers)
}

/// The next `n` bytes, or an error naming `what` if fewer are left.
fn take<'a>(
    bytes: &mut &'a [u8],
    n: usize,
    what: impl FnOnce() -> String,
) -> Result<&'a [u8], EventStreamError> {
    if bytes.len() < n {
        return Err(EventStreamError::BadHeader(format!(
            "{} runs past the headers section ({n} bytes needed, {} left)",
            what(),
            bytes.len()
        )));
    }
    let (head, rest) = bytes.split_at(n);
    *bytes = rest;
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_types() -> Message {
        Message::new(&b"{\"a\":1}"[..])
            .header(":message-type", HeaderValue::String("event".into()))
            .header(":event-type", HeaderValue::String("Stats".into()))
            .header("t", HeaderValue::Bool(true))
            .header("f", HeaderValue::Bool(false))
            .header("byte", HeaderValue::Byte(-2))
            .header("short", HeaderValue::Int16(-300))
            .header("int", HeaderValue::Int32(70_000))
            .header("long", HeaderValue::Int64(-5_000_000_000))
            .header(
                "bytes",
                HeaderValue::ByteArray(Bytes::from_static(b"\x00\xff")),
            )
            .header("time", HeaderValue::Timestamp(DateTime::from_millis(1_234)))
            .header("uuid", HeaderValue::Uuid([7; 16]))
    }

    #[test]
    fn round_trips_every_header_type() {
        let message = all_types();
        let bytes = message.encode().unwrap();
        assert_eq!(decode_all(&bytes).unwrap(), vec![message]);
    }

    /// botocore's `ALL_HEADERS_TYPES` and `ERROR_EVENT_MESSAGE` vectors
    /// (tests/unit/test_eventstream.py), CRCs included.
    #[test]
    fn decodes_known_messages() {
        let all: &[u8] = b"\x00\x00\x00\x62\x00\x00\x00\x52\x03\xb5\xcb\x9c\
            \x010\x00\x011\x01\x012\x02\x02\x013\x03\x00\x03\
            \x014\x04\x00\x00\x00\x04\x015\x05\x00\x00\x00\x00\x00\x00\x00\x05\
            \x016\x06\x00\x05bytes\x017\x07\x00\x04utf8\
            \x018\x08\x00\x00\x00\x00\x00\x00\x00\x08\x019\x090123456789abcdef\
            \x63\x35\x36\x71";
        let want = Message::new(Bytes::new())
            .header("0", HeaderValue::Bool(true))
            .header("1", HeaderValue::Bool(false))
            .header("2", HeaderValue::Byte(2))
            .header("3", HeaderValue::Int16(3))
            .header("4", HeaderValue::Int32(4))
            .header("5", HeaderValue::Int64(5))
            .header("6", HeaderValue::ByteArray(Bytes::from_static(b"bytes")))
            .header("7", HeaderValue::String("utf8".into()))
            .header("8", HeaderValue::Timestamp(DateTime::from_millis(8)))
            .header("9", HeaderValue::Uuid(*b"0123456789abcdef"));
        assert_eq!(decode_all(all).unwrap(), vec![want.clone()]);
        // And the encoder writes the same bytes.
        assert_eq!(want.encode().unwrap(), all);

        let error: &[u8] = b"\x00\x00\x00\x52\x00\x00\x00\x42\xbf\x23\x63\x7e\
            \x0d:message-type\x07\x00\x05error\
            \x0b:error-code\x07\x00\x04code\
            \x0e:error-message\x07\x00\x07message\
            \x6b\x6c\xea\x3d";
        let messages = decode_all(error).unwrap();
        assert_eq!(messages.len(), 1);
        assert_eq!(
            messages[0].kind().unwrap(),
            MessageKind::Error {
                code: Some("code"),
                message: Some("message")
            }
        );
        assert_eq!(messages[0].encode().unwrap(), error);
    }

    #[test]
    fn decodes_across_chunks_of_any_size() {
        let first = all_types();
        let second = Message::new(Bytes::new())
            .header(":message-type", HeaderValue::String("event".into()))
            .header(":event-type", HeaderValue::String("End".into()));
        let mut stream = first.encode().unwrap();
        stream.extend(second.encode().unwrap());
        for chunk in [1, 2, 3, 7, 12, 13, 64, stream.len()] {
            let mut decoder = MessageDecoder::new();
            let mut got = Vec::new();
            for piece in stream.chunks(chunk) {
                decoder.push(piece);
                while let Some(message) = decoder.next_message().unwrap() {
                    got.push(message);
                }
            }
            decoder.finish().unwrap();
            assert_eq!(
                got,
                vec![first.clone(), second.clone()],
                "chunks of {chunk}"
            );
        }
    }

    #[test]
    fn a_cut_off_message_is_truncated() {
        let bytes = all_types().encode().unwrap();
        for cut in [1, 5, 12, 20, bytes.len() - 1] {
            let err = decode_all(&bytes[..cut]).unwrap_err();
            assert!(
                matches!(err, EventStreamError::Truncated { available, .. } if available == cut),
                "{cut}: {err}"
            );
            assert!(err.to_string().contains("truncated"), "{err}");
        }
    }

    #[test]
    fn bad_crcs_are_named() {
        let mut bytes = all_types().encode().unwrap();
        bytes[9] ^= 1;
        let err = decode_all(&bytes).unwrap_err();
        assert!(matches!(err, EventStreamError::PreludeCrc { .. }), "{err}");
        assert!(err.to_string().contains("prelude CRC"), "{err}");

        let mut bytes = all_types().encode().unwrap();
        let last = bytes.len() - 5;
        bytes[last] ^= 1;
        let err = decode_all(&bytes).unwrap_err();
        assert!(matches!(err, EventStreamError::MessageCrc { .. }), "{err}");
        assert!(err.to_string().contains("message CRC"), "{err}");
    }

    /// A message with a valid prelude and CRC around whatever headers bytes.
    fn framed(headers: &[u8], payload: &[u8]) -> Vec<u8> {
        let total = (MIN_MESSAGE_LEN + headers.len() + payload.len()) as u32;
        let mut out = Vec::new();
        out.put_u32(total);
        out.put_u32(headers.len() as u32);
        let crc = crc32fast::hash(&out);
        out.put_u32(crc);
        out.put_slice(headers);
        out.put_slice(payload);
        let crc = crc32fast::hash(&out);
        out.put_u32(crc);
        out
    }

    #[test]
    fn bad_headers_are_named() {
        let cases: &[(&[u8], &str)] = &[
            (b"\x01a\x0b", "unknown value type 11"),
            (b"\x01a\x04\x00\x00", "runs past"),
            (b"\x05ab", "name runs past"),
            (b"\x01a", "type runs past"),
            (b"\x01a\x07\x00\x05abc", "value runs past"),
            (b"\x01a\x07\x00\x02\xff\xfe", "not UTF-8"),
            (b"\x02\xff\xfe\x00", "name is not UTF-8"),
            (b"\x00\x00", "empty name"),
        ];
        for (headers, want) in cases {
            let err = decode_all(&framed(headers, b"")).unwrap_err();
            assert!(matches!(err, EventStreamError::BadHeader(_)), "{err}");
            assert!(err.to_string().contains(want), "{headers:?}: {err}");
        }
    }

    #[test]
    fn bad_lengths_and_limits() {
        // Total below 16 bytes, and headers longer than the message.
        for (total, headers) in [(8u32, 0u32), (16, 1), (20, 100)] {
            let mut bytes = Vec::new();
            bytes.put_u32(total);
            bytes.put_u32(headers);
            let crc = crc32fast::hash(&bytes);
            bytes.put_u32(crc);
            bytes.resize(64, 0);
            let err = decode_all(&bytes).unwrap_err();
            assert!(matches!(err, EventStreamError::BadLength { .. }), "{err}");
        }
        // Over 16 MiB: refused from the prelude alone, before any buffering.
        let mut bytes = Vec::new();
        bytes.put_u32(MAX_MESSAGE_SIZE as u32 + 1);
        bytes.put_u32(0);
        let crc = crc32fast::hash(&bytes);
        bytes.put_u32(crc);
        let mut decoder = MessageDecoder::new();
        decoder.push(&bytes);
        let err = decoder.next_message().unwrap_err();
        assert!(matches!(err, EventStreamError::TooLarge { .. }), "{err}");
        // A decoder's own, lower limit.
        let message = all_types().encode().unwrap();
        let mut decoder = MessageDecoder::with_max_message_size(32);
        decoder.push(&message);
        assert!(matches!(
            decoder.next_message(),
            Err(EventStreamError::TooLarge { limit: 32, .. })
        ));
        // The encoder refuses what it could not frame.
        let long_name = "n".repeat(256);
        let err = Message::new(Bytes::new())
            .header(long_name, HeaderValue::Bool(true))
            .encode()
            .unwrap_err();
        assert!(err.to_string().contains("over 255"), "{err}");
        let err = Message::new(Bytes::new())
            .header("s", HeaderValue::String("x".repeat(70_000)))
            .encode()
            .unwrap_err();
        assert!(err.to_string().contains("over 65535"), "{err}");
    }

    #[test]
    fn message_kinds() {
        let event = Message::new(Bytes::new())
            .header(":message-type", HeaderValue::String("event".into()))
            .header(":event-type", HeaderValue::String("Records".into()));
        assert_eq!(event.kind().unwrap(), MessageKind::Event("Records"));
        let exception = Message::new(Bytes::new())
            .header(":message-type", HeaderValue::String("exception".into()))
            .header(":exception-type", HeaderValue::String("Throttled".into()));
        assert_eq!(
            exception.kind().unwrap(),
            MessageKind::Exception("Throttled")
        );
        let error = Message::new(Bytes::new())
            .header(":message-type", HeaderValue::String("error".into()))
            .header(":error-code", HeaderValue::String("InternalError".into()))
            .header(":error-message", HeaderValue::String("boom".into()));
        assert_eq!(
            error.kind().unwrap(),
            MessageKind::Error {
                code: Some("InternalError"),
                message: Some("boom")
            }
        );
        let err = Message::new(Bytes::new()).kind().unwrap_err();
        assert!(err.to_string().contains(":message-type"), "{err}");
        let err = Message::new(Bytes::new())
            .header(":message-type", HeaderValue::String("event".into()))
            .kind()
            .unwrap_err();
        assert!(err.to_string().contains(":event-type"), "{err}");
        let err = Message::new(Bytes::new())
            .header(":message-type", HeaderValue::String("gossip".into()))
            .kind()
            .unwrap_err();
        assert!(err.to_string().contains("gossip"), "{err}");
    }

    #[test]
    fn a_receiver_reads_events_and_names_bad_bytes() {
        let event = |name: &str| {
            Message::new(Bytes::from(name.to_owned()))
                .header(":message-type", HeaderValue::String("event".into()))
                .header(":event-type", HeaderValue::String(name.into()))
                .encode()
                .unwrap()
        };
        let mut body = event("initial-response");
        body.extend(event("A"));
        body.extend(event("B"));
        assert_eq!(
            initial_response(&body).unwrap().as_deref(),
            Some(&b"initial-response"[..])
        );
        assert_eq!(initial_response(&event("A")).unwrap(), None);
        let raw = HttpResponse::new(Bytes::new());
        let read: ReadEvent<String, fmt::Error> = Box::new(|message, _raw| match message.kind() {
            Ok(MessageKind::Event("initial-response")) => Ok(None),
            Ok(MessageKind::Event(name)) => Ok(Some(name.to_owned())),
            _ => unreachable!("only events in this stream"),
        });
        let mut events = receiver(Bytes::from(body.clone()), raw.clone(), read);
        assert_eq!(events.collect_blocking().unwrap(), vec!["A", "B"]);

        // Cut short: the events before, then an error naming the truncation.
        body.truncate(body.len() - 3);
        let read: ReadEvent<String, fmt::Error> = Box::new(|message, _| {
            Ok(Some(
                message
                    .get_str(":event-type")
                    .unwrap_or_default()
                    .to_owned(),
            ))
        });
        let mut events = receiver(Bytes::from(body), raw, read);
        assert_eq!(
            events.recv_blocking().unwrap().as_deref(),
            Some("initial-response")
        );
        assert_eq!(events.recv_blocking().unwrap().as_deref(), Some("A"));
        let err = events.recv_blocking().unwrap_err();
        assert!(format!("{err:?}").contains("truncated"), "{err:?}");
        assert_eq!(events.recv_blocking().unwrap(), None);
    }

    /// Seeded mutations of valid streams: the decoder returns, whatever the bytes.
    #[test]
    fn hostile_bytes_never_panic() {
        let mut stream = all_types().encode().unwrap();
        stream.extend(Message::new(&b"x"[..]).encode().unwrap());
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..5_000 {
            let mut bytes = stream.clone();
            for _ in 0..(next() % 4 + 1) {
                let at = (next() as usize) % bytes.len();
                bytes[at] = next() as u8;
            }
            let cut = (next() as usize) % (bytes.len() + 1);
            let _ = decode_all(&bytes[..cut]);
            // With the CRCs made right again, the headers parser sees the damage.
            let headers_len = 30.min(bytes.len());
            let _ = decode_all(&framed(&bytes[..headers_len], b""));
        }
    }
}
