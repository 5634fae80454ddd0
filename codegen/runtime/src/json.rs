//! JSON (de)serialization of shapes in the AWS JSON protocols, on serde.
//!
//! Generated crates implement [`JsonSerialize`] and [`JsonDeserialize`] for
//! their shapes; this module implements them for the scalars, lists and maps
//! the shapes are made of. The traits are separate from serde's own so that a
//! generated crate can also offer plain `serde` derives with other rules
//! (its `serde` feature) without a conflict. Values stream straight between
//! bytes and Rust types: no intermediate `serde_json::Value`.
//!
//! Wire rules implemented here: blobs are base64; floats may be the strings
//! `"NaN"`, `"Infinity"` and `"-Infinity"`; `null` inside a list or map is
//! dropped; `null` for a member means the member is absent; unknown members
//! are skipped.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;
use std::marker::PhantomData;

use base64::Engine as _;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};

use crate::blob::Blob;

/// A value that can be written in the JSON protocols' representation.
pub trait JsonSerialize {
    /// Writes `self` with `serializer`.
    fn serialize_json<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error>;
}

/// A value that can be read from the JSON protocols' representation.
pub trait JsonDeserialize: Sized {
    /// Reads a value from `deserializer`.
    fn deserialize_json<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
}

/// Adapts a [`JsonSerialize`] value to `serde::Serialize`.
pub struct Ser<'a, T: ?Sized>(pub &'a T);

impl<T: JsonSerialize + ?Sized> serde::Serialize for Ser<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize_json(serializer)
    }
}

/// Adapts a [`JsonDeserialize`] value to `serde::Deserialize`.
pub struct De<T>(pub T);

impl<'de, T: JsonDeserialize> serde::Deserialize<'de> for De<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize_json(deserializer).map(De)
    }
}

/// A JSON object key, borrowed from the input where possible.
pub struct Key<'de>(pub Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// A structure read member by member from a JSON object.
///
/// Generated code implements [`read_member`](JsonObject::read_member) with one
/// arm per member wire name, and [`JsonDeserialize`] with
/// [`deserialize_object`].
pub trait JsonObject: Default {
    /// The shape's name, for error messages.
    const NAME: &'static str;

    /// Reads the value of the member whose wire name is `key`, or skips it
    /// with [`skip`] when the shape has no such member.
    fn read_member<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error>;
}

/// Reads a [`JsonObject`] from a JSON object.
pub fn deserialize_object<'de, T: JsonObject, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    struct ObjectVisitor<T>(PhantomData<T>);
    impl<'de, T: JsonObject> Visitor<'de> for ObjectVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a JSON object for {}", T::NAME)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
            let mut out = T::default();
            while let Some(Key(key)) = map.next_key()? {
                out.read_member(&key, &mut map)?;
            }
            Ok(out)
        }
    }
    deserializer.deserialize_map(ObjectVisitor(PhantomData))
}

/// Reads the current member's value; `null` reads as `None`.
pub fn value<'de, T: JsonDeserialize, A: MapAccess<'de>>(
    map: &mut A,
) -> Result<Option<T>, A::Error> {
    map.next_value::<De<Option<T>>>().map(|v| v.0)
}

/// Skips the current member's value, whatever it is.
pub fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(drop)
}

/// Reads a string enum through its `From<&str>`, without allocating for known values.
pub fn deserialize_str_enum<'de, T, D>(deserializer: D) -> Result<T, D::Error>
where
    T: for<'a> From<&'a str>,
    D: Deserializer<'de>,
{
    struct EnumVisitor<T>(PhantomData<T>);
    impl<T: for<'a> From<&'a str>> Visitor<'_> for EnumVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            Ok(T::from(v))
        }
    }
    deserializer.deserialize_str(EnumVisitor(PhantomData))
}

/// Writes a JSON object member by member; see [`JsonSerialize`] impls of
/// generated structures.
pub fn serialize_entry<M: SerializeMap, T: JsonSerialize + ?Sized>(
    map: &mut M,
    key: &str,
    value: &T,
) -> Result<(), M::Error> {
    map.serialize_entry(key, &Ser(value))
}

/// Serializes `value` to a JSON document.
pub fn to_vec<T: JsonSerialize + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::with_capacity(128);
    value.serialize_json(&mut serde_json::Serializer::new(&mut out))?;
    Ok(out)
}

/// Parses a JSON document into `T`; trailing content other than white space is an error.
pub fn from_slice<T: JsonDeserialize>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    serde_json::from_slice::<De<T>>(bytes).map(|v| v.0)
}

// ----- scalars -----

impl JsonSerialize for str {
    fn serialize_json<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
    }
}

impl JsonSerialize for String {
    fn serialize_json<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
    }
}

impl JsonDeserialize for String {
    fn deserialize_json<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde::Deserialize::deserialize(deserializer)
    }
}

macro_rules! plain_scalar {
    ($($ty:ty),*) => {$(
        impl JsonSerialize for $ty {
            fn serialize_json<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serde::Serialize::serialize(self, serializer)
            }
        }
        impl JsonDeserialize for $ty {
            fn deserialize_json<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                serde::Deserialize::deserialize(deserializer)
            }
        }
    )*};
}

plain_scalar!(bool, i8, i16, i32, i64);

macro_rules! float_scalar {
    ($($ty:ident),*) => {$(
        impl JsonSerialize for $ty {
            fn serialize_json<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                if self.is_nan() {
                    serializer.serialize_str("NaN")
                } else if self.is_infinite() {
                    serializer.serialize_str(if *self > 0.0 { "Infinity" } else { "-Infinity" })
                } else {
                    serde::Serialize::serialize(self, serializer)
                }
            }
        }
        impl JsonDeserialize for $ty {
            fn deserialize_json<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct FloatVisitor;
                impl Visitor<'_> for FloatVisitor {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a number, or \"NaN\", \"Infinity\" or \"-Infinity\"")
                    }
                    fn visit_f64<E: de::Error>(self, v: f64) -> Result<$ty, E> {
                        Ok(v as $ty)
                    }
                    fn visit_i64<E: de::Error>(self, v: i64) -> Result<$ty, E> {
                        Ok(v as $ty)
                    }
                    fn visit_u64<E: de::Error>(self, v: u64) -> Result<$ty, E> {
                        Ok(v as $ty)
                    }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<$ty, E> {
                        match v {
                            "NaN" => Ok($ty::NAN),
                            "Infinity" => Ok($ty::INFINITY),
                            "-Infinity" => Ok($ty::NEG_INFINITY),
                            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                        }
                    }
                }
                deserializer.deserialize_any(FloatVisitor)
            }
        }
    )*};
}

float_scalar!(f32, f64);

impl JsonSerialize for Blob {
    fn serialize_json<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(self.as_bytes()))
    }
}

impl JsonDeserialize for Blob {
    fn deserialize_json<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BlobVisitor;
        impl Visitor<'_> for BlobVisitor {
            type Value = Blob;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a base64 string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Blob, E> {
                base64::engine::general_purpose::STANDARD
                    .decode(v)
                    .map(Blob::from)
                    .map_err(|e| E::custom(format_args!("invalid base64: {e}")))
            }
        }
        deserializer.deserialize_str(BlobVisitor)
    }
}

// ----- wrappers -----

impl<T: JsonSerialize + ?Sized> JsonSerialize for Box<T> {
    fn serialize_json<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (**self).serialize_json(serializer)
    }
}

impl<T: JsonDeserialize> JsonDeserialize for Box<T> {
    fn deserialize_json<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize_json(deserializer).map(Box::new)
    }
}

impl<T: JsonSerialize> JsonSerialize for Option<T> {
    fn serialize_json<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Some(value) => value.serialize_json(serializer),
            None => serializer.serialize_none(),
        }
    }
}

impl<T: JsonDeserialize> JsonDeserialize for Option<T> {
    fn deserialize_json<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OptionVisitor<T>(PhantomData<T>);
        impl<'de, T: JsonDeserialize> Visitor<'de> for OptionVisitor<T> {
            type Value = Option<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(
                self,
                deserializer: D,
            ) -> Result<Self::Value, D::Error> {
                T::deserialize_json(deserializer).map(Some)
            }
        }
        deserializer.deserialize_option(OptionVisitor(PhantomData))
    }
}

impl<T: JsonSerialize> JsonSerialize for Vec<T> {
    fn serialize_json<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for item in self {
            seq.serialize_element(&Ser(item))?;
        }
        seq.end()
    }
}

impl<T: JsonDeserialize> JsonDeserialize for Vec<T> {
    fn deserialize_json<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor<T>(PhantomData<T>);
        impl<'de, T: JsonDeserialize> Visitor<'de> for ListVisitor<T> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(De(item)) = seq.next_element::<De<Option<T>>>()? {
                    out.extend(item);
                }
                Ok(out)
            }
        }
        deserializer.deserialize_seq(ListVisitor(PhantomData))
    }
}

impl<K, V, H> JsonSerialize for HashMap<K, V, H>
where
    K: AsRef<str>,
    V: JsonSerialize,
{
    fn serialize_json<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (key, value) in self {
            map.serialize_entry(key.as_ref(), &Ser(value))?;
        }
        map.end()
    }
}

impl<K, V, H> JsonDeserialize for HashMap<K, V, H>
where
    K: for<'a> From<&'a str> + Eq + Hash,
    V: JsonDeserialize,
    H: std::hash::BuildHasher + Default,
{
    fn deserialize_json<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<K, V, H>(PhantomData<(K, V, H)>);
        impl<'de, K, V, H> Visitor<'de> for MapVisitor<K, V, H>
        where
            K: for<'a> From<&'a str> + Eq + Hash,
            V: JsonDeserialize,
            H: std::hash::BuildHasher + Default,
        {
            type Value = HashMap<K, V, H>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let capacity = map.size_hint().unwrap_or(0).min(4096);
                let mut out = HashMap::with_capacity_and_hasher(capacity, H::default());
                while let Some(Key(key)) = map.next_key()? {
                    if let Some(value) = value::<V, A>(&mut map)? {
                        out.insert(K::from(&key), value);
                    }
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default, Debug, PartialEq)]
    struct Point {
        x: Option<i64>,
        label: Option<String>,
        tags: Option<Vec<String>>,
        attrs: Option<HashMap<String, f64>>,
    }

    impl JsonObject for Point {
        const NAME: &'static str = "Point";
        fn read_member<'de, A: MapAccess<'de>>(
            &mut self,
            key: &str,
            map: &mut A,
        ) -> Result<(), A::Error> {
            match key {
                "x" => self.x = value(map)?,
                "label" => self.label = value(map)?,
                "tags" => self.tags = value(map)?,
                "attrs" => self.attrs = value(map)?,
                _ => skip(map)?,
            }
            Ok(())
        }
    }

    impl JsonDeserialize for Point {
        fn deserialize_json<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            deserialize_object(d)
        }
    }

    #[test]
    fn object_reads_known_skips_unknown_and_nulls() {
        let p: Point = from_slice(
            br#"{"x": 3, "label": null, "extra": {"deep": [1, {"a": null}]}, "tags": ["a", null, "b"], "attrs": {"k": "NaN", "j": 1.5, "n": null}}"#,
        )
        .unwrap();
        assert_eq!(p.x, Some(3));
        assert_eq!(p.label, None);
        assert_eq!(p.tags, Some(vec!["a".to_string(), "b".to_string()]));
        let attrs = p.attrs.unwrap();
        assert!(attrs["k"].is_nan());
        assert_eq!(attrs["j"], 1.5);
        assert_eq!(attrs.len(), 2);
    }

    #[test]
    fn escaped_keys_are_matched() {
        let p: Point = from_slice(br#"{"\u0078": 7}"#).unwrap();
        assert_eq!(p.x, Some(7));
    }

    #[test]
    fn wrong_types_and_truncation_are_errors() {
        for bad in [
            &br#"{"x": "3"}"#[..],
            br#"{"x": 3"#,
            br#"[1]"#,
            br#"{"tags": "a"}"#,
            br#"{"x": 1} trailing"#,
            b"",
        ] {
            assert!(
                from_slice::<Point>(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        let err = from_slice::<Point>(br#"{"x": true}"#).unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
    }

    #[test]
    fn floats_round_trip_special_values() {
        assert_eq!(to_vec(&f64::NAN).unwrap(), br#""NaN""#);
        assert_eq!(to_vec(&f64::INFINITY).unwrap(), br#""Infinity""#);
        assert_eq!(to_vec(&f32::NEG_INFINITY).unwrap(), br#""-Infinity""#);
        assert_eq!(to_vec(&1.5f64).unwrap(), b"1.5");
        assert_eq!(
            from_slice::<f64>(b"\"-Infinity\"").unwrap(),
            f64::NEG_INFINITY
        );
        assert_eq!(from_slice::<f32>(b"2").unwrap(), 2.0);
        assert!(from_slice::<f64>(b"\"one\"").is_err());
    }

    #[test]
    fn blobs_are_base64() {
        assert_eq!(to_vec(&Blob::from("hi")).unwrap(), br#""aGk=""#);
        assert_eq!(from_slice::<Blob>(br#""aGk=""#).unwrap(), Blob::from("hi"));
        assert!(from_slice::<Blob>(br#""!!""#).is_err());
    }

    #[test]
    fn maps_and_lists_serialize() {
        let mut map = HashMap::new();
        map.insert("k".to_string(), vec![1i64, 2]);
        assert_eq!(to_vec(&map).unwrap(), br#"{"k":[1,2]}"#);
        assert_eq!(to_vec("a\"b").unwrap(), br#""a\"b""#);
    }

    #[test]
    fn str_enum_reads_through_from() {
        #[derive(Debug, PartialEq)]
        struct Upper(String);
        impl From<&str> for Upper {
            fn from(v: &str) -> Self {
                Upper(v.to_uppercase())
            }
        }
        impl JsonDeserialize for Upper {
            fn deserialize_json<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                deserialize_str_enum(d)
            }
        }
        assert_eq!(from_slice::<Upper>(br#""ab""#).unwrap(), Upper("AB".into()));
        assert!(from_slice::<Upper>(b"1").is_err());
    }
}
