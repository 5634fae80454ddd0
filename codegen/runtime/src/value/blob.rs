//! Binary data (`blob` shapes).

use std::fmt;

/// Binary data, as carried by a `blob` shape.
///
/// In JSON bodies it travels base64-encoded; [`Blob`] always holds the
/// decoded bytes.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Blob {
    bytes: Vec<u8>,
}

impl Blob {
    /// Wraps the given bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self {
            bytes: bytes.into(),
        }
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bytes, by value.
    pub fn into_inner(self) -> Vec<u8> {
        self.bytes
    }
}

impl fmt::Debug for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Blob({} bytes)", self.bytes.len())
    }
}

impl AsRef<[u8]> for Blob {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

impl From<Vec<u8>> for Blob {
    fn from(bytes: Vec<u8>) -> Self {
        Self { bytes }
    }
}

impl From<&[u8]> for Blob {
    fn from(bytes: &[u8]) -> Self {
        Self::new(bytes)
    }
}

impl From<&str> for Blob {
    fn from(text: &str) -> Self {
        Self::new(text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_length_not_content() {
        assert_eq!(format!("{:?}", Blob::from("secret")), "Blob(6 bytes)");
    }

    #[test]
    fn conversions_keep_bytes() {
        assert_eq!(Blob::from(vec![1, 2]).into_inner(), vec![1, 2]);
        assert_eq!(Blob::from("ab").as_bytes(), b"ab");
    }
}
