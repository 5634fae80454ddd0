//! Scalars as text: URI labels, query values and headers.

use std::borrow::Cow;

use crate::error::BoxError;
use crate::value::{DateTime, TimestampFormat};

/// A scalar written as text in a URI label, query value or header.
pub trait ToParam {
    /// The text form.
    fn to_param(&self) -> Cow<'_, str>;
}

/// A scalar read from text in a header.
pub trait FromParam: Sized {
    /// Parses the text form.
    fn from_param(value: &str) -> Result<Self, BoxError>;
}

impl<T: ToParam + ?Sized> ToParam for &T {
    fn to_param(&self) -> Cow<'_, str> {
        (**self).to_param()
    }
}

/// A timestamp with the format its member's model gives, as text.
#[derive(Clone, Copy, Debug)]
pub struct Formatted<'a>(pub &'a DateTime, pub TimestampFormat);

impl ToParam for Formatted<'_> {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Owned(self.0.fmt(self.1))
    }
}

impl ToParam for crate::value::Blob {
    /// Base64, as blobs are written in URIs, queries and headers.
    fn to_param(&self) -> Cow<'_, str> {
        use base64::Engine as _;
        Cow::Owned(base64::engine::general_purpose::STANDARD.encode(self.as_bytes()))
    }
}

impl FromParam for crate::value::Blob {
    fn from_param(value: &str) -> Result<Self, BoxError> {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(value.trim())
            .map(crate::value::Blob::from)
            .map_err(|e| format!("invalid base64: {e}").into())
    }
}

impl ToParam for str {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl ToParam for String {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl ToParam for bool {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Borrowed(if *self { "true" } else { "false" })
    }
}

impl FromParam for String {
    fn from_param(value: &str) -> Result<Self, BoxError> {
        Ok(value.to_owned())
    }
}

impl FromParam for bool {
    fn from_param(value: &str) -> Result<Self, BoxError> {
        match value {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(format!("`{other}` is not a boolean").into()),
        }
    }
}

macro_rules! integer_param {
    ($($ty:ty),*) => {$(
        impl ToParam for $ty {
            fn to_param(&self) -> Cow<'_, str> {
                Cow::Owned(self.to_string())
            }
        }
        impl FromParam for $ty {
            fn from_param(value: &str) -> Result<Self, BoxError> {
                value
                    .trim()
                    .parse()
                    .map_err(|e| format!("`{value}` is not a valid {}: {e}", stringify!($ty)).into())
            }
        }
    )*};
}

integer_param!(i8, i16, i32, i64);

macro_rules! float_param {
    ($($ty:ident),*) => {$(
        impl ToParam for $ty {
            fn to_param(&self) -> Cow<'_, str> {
                if self.is_nan() {
                    Cow::Borrowed("NaN")
                } else if self.is_infinite() {
                    Cow::Borrowed(if *self > 0.0 { "Infinity" } else { "-Infinity" })
                } else {
                    Cow::Owned(self.to_string())
                }
            }
        }
        impl FromParam for $ty {
            fn from_param(value: &str) -> Result<Self, BoxError> {
                match value.trim() {
                    "NaN" => Ok($ty::NAN),
                    "Infinity" => Ok($ty::INFINITY),
                    "-Infinity" => Ok($ty::NEG_INFINITY),
                    other => other
                        .parse()
                        .map_err(|e| format!("`{value}` is not a valid {}: {e}", stringify!($ty)).into()),
                }
            }
        }
    )*};
}

float_param!(f32, f64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_to_text() {
        assert_eq!(true.to_param(), "true");
        assert_eq!(42i64.to_param(), "42");
        assert_eq!((-7i32).to_param(), "-7");
        assert_eq!(1.5f64.to_param(), "1.5");
        assert_eq!(f64::NAN.to_param(), "NaN");
        assert_eq!(f32::NEG_INFINITY.to_param(), "-Infinity");
        assert_eq!("x".to_param(), "x");
    }

    #[test]
    fn text_to_scalars() {
        assert!(bool::from_param("true").unwrap());
        assert!(bool::from_param("yes").is_err());
        assert_eq!(i64::from_param(" 12 ").unwrap(), 12);
        assert!(i32::from_param("99999999999").is_err());
        assert!(f64::from_param("Infinity").unwrap().is_infinite());
    }

    #[test]
    fn timestamps_and_blobs_as_text() {
        let t = DateTime::from_secs(1_576_540_098);
        assert_eq!(
            Formatted(&t, TimestampFormat::HttpDate).to_param(),
            "Mon, 16 Dec 2019 23:48:18 GMT"
        );
        assert_eq!(crate::value::Blob::from("true").to_param(), "dHJ1ZQ==");
        assert_eq!(
            crate::value::Blob::from_param("dHJ1ZQ==").unwrap(),
            crate::value::Blob::from("true")
        );
        assert!(crate::value::Blob::from_param("***").is_err());
    }
}
