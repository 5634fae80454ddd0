//! Scalars as text: URI labels, query values and headers.

use std::borrow::Cow;

use http::HeaderValue;

use crate::error::{BoxError, BuildError};

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

/// The value of the header-bound `member`; a value no header can carry
/// (a line break, a control character) is an error naming the member.
pub fn header_value(member: &'static str, value: &str) -> Result<HeaderValue, BuildError> {
    HeaderValue::from_str(value).map_err(|_| {
        BuildError::invalid_member(
            member,
            "the value cannot be sent in an HTTP header (control characters or line breaks)",
        )
    })
}

/// Parses the header-bound `member` from `value`.
pub fn from_header<T: FromParam>(member: &'static str, value: &HeaderValue) -> Result<T, BoxError> {
    let text = value
        .to_str()
        .map_err(|_| format!("header for `{member}` is not valid text"))?;
    T::from_param(text).map_err(|e| format!("header for `{member}`: {e}").into())
}

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
    fn hostile_header_values_are_errors() {
        let err = header_value("token", "a\r\nX-Injected: 1").unwrap_err();
        assert_eq!(err.member(), Some("token"));
        assert!(header_value("token", "plain value").is_ok());
    }

    #[test]
    fn header_parse_errors_name_the_member() {
        let err = from_header::<i64>("count", &HeaderValue::from_static("ten")).unwrap_err();
        assert!(err.to_string().contains("`count`"), "{err}");
    }
}
