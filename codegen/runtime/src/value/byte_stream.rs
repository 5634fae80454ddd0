//! HTTP bodies carried by streaming blob payloads.

use std::fmt;

use bytes::Bytes;

/// A whole HTTP body, as carried by a `streaming` blob payload (an object's
/// content, a model's inference output).
///
/// The body is buffered in memory: the transport reads it completely before
/// the output is returned, and a request body is sent from memory.
/// Cloning is cheap (reference-counted).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ByteStream {
    bytes: Bytes,
}

impl ByteStream {
    /// A body of `bytes`.
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        Self {
            bytes: bytes.into(),
        }
    }

    /// The body's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The body's bytes, by value, without copying.
    pub fn into_bytes(self) -> Bytes {
        self.bytes
    }

    /// The body's length in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ByteStream({} bytes)", self.bytes.len())
    }
}

impl From<Bytes> for ByteStream {
    fn from(bytes: Bytes) -> Self {
        Self { bytes }
    }
}

impl From<Vec<u8>> for ByteStream {
    fn from(bytes: Vec<u8>) -> Self {
        Self::new(bytes)
    }
}

impl From<String> for ByteStream {
    fn from(text: String) -> Self {
        Self::new(text)
    }
}

impl From<&'static [u8]> for ByteStream {
    fn from(bytes: &'static [u8]) -> Self {
        Self::new(bytes)
    }
}

impl From<&'static str> for ByteStream {
    fn from(text: &'static str) -> Self {
        Self::new(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_bytes_without_showing_them() {
        let body = ByteStream::from("secret body");
        assert_eq!(body.len(), 11);
        assert_eq!(body.as_bytes(), b"secret body");
        assert_eq!(format!("{body:?}"), "ByteStream(11 bytes)");
        assert_eq!(
            body.clone().into_bytes(),
            Bytes::from_static(b"secret body")
        );
        assert!(ByteStream::default().is_empty());
    }
}
