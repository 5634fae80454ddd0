//! JSON (de)serialization of shapes in the AWS JSON protocols, on serde.
//!
//! Generated crates implement [`JsonSerialize`] and [`JsonDeserialize`] for
//! their shapes; this module implements them for the scalars, lists and maps
//! the shapes are made of. The traits are separate from serde's own so that a
//! generated crate can also offer plain `serde` derives with other rules
//! (its `serde` feature) without a conflict. Values stream straight between
//! bytes and Rust types: no intermediate `serde_json::Value`.
//!
//! Both traits carry the [`TimestampFormat`] of the member that holds the
//! value: timestamps, alone or in lists and maps, are written and read in it;
//! other values pass it on or ignore it (a structure's own members have their
//! own formats).
//!
//! Wire rules implemented here: a value that is not a JSON string where the
//! model declares a string (or a string enum) reads as its JSON text, so a
//! service that sends `12345678` for a string member still answers; blobs
//! are base64; floats may be the strings `"NaN"`, `"Infinity"` and
//! `"-Infinity"`; `null` inside a list or map is
//! dropped; `null` for a member means the member is absent; unknown members
//! are skipped; timestamps in text formats are also accepted as epoch-second
//! numbers.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::marker::PhantomData;

use base64::Engine as _;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};

use crate::value::{Blob, ByteStream, DateTime, Document, TimestampFormat};

/// The timestamp format of JSON bodies unless a member says otherwise.
pub const DEFAULT_FORMAT: TimestampFormat = TimestampFormat::EpochSeconds;

/// A value that can be written in the JSON protocols' representation.
pub trait JsonSerialize {
    /// Writes `self` with `serializer`; timestamps it holds are written in `format`.
    fn serialize_json<S: Serializer>(
        &self,
        format: TimestampFormat,
        serializer: S,
    ) -> Result<S::Ok, S::Error>;
}

/// A value that can be read from the JSON protocols' representation.
pub trait JsonDeserialize: Sized {
    /// Reads a value from `deserializer`; timestamps it holds are read in `format`.
    fn deserialize_json<'de, D: Deserializer<'de>>(
        format: TimestampFormat,
        deserializer: D,
    ) -> Result<Self, D::Error>;
}

/// Adapts a [`JsonSerialize`] value, with its format, to `serde::Serialize`.
struct Ser<'a, T: ?Sized>(&'a T, TimestampFormat);

impl<T: JsonSerialize + ?Sized> serde::Serialize for Ser<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize_json(self.1, serializer)
    }
}

/// Adapts a [`JsonDeserialize`] type, with its format, to `serde::de::DeserializeSeed`.
struct Seed<T>(TimestampFormat, PhantomData<T>);

impl<T> Seed<T> {
    fn new(format: TimestampFormat) -> Self {
        Self(format, PhantomData)
    }
}

impl<'de, T: JsonDeserialize> DeserializeSeed<'de> for Seed<T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        T::deserialize_json(self.0, deserializer)
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
    value_with(map, DEFAULT_FORMAT)
}

/// Reads the current member's value, its timestamps in `format`; `null` reads as `None`.
pub fn value_with<'de, T: JsonDeserialize, A: MapAccess<'de>>(
    map: &mut A,
    format: TimestampFormat,
) -> Result<Option<T>, A::Error> {
    map.next_value_seed(Seed::<Option<T>>::new(format))
}

/// Skips the current member's value, whatever it is.
pub fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(drop)
}

/// Reads a string enum through its `From<&str>`, without allocating for known
/// values; another JSON value reads as its text, as for a string.
pub fn deserialize_str_enum<'de, T, D>(deserializer: D) -> Result<T, D::Error>
where
    T: for<'a> From<&'a str>,
    D: Deserializer<'de>,
{
    deserializer.deserialize_any(TextVisitor(|text: &str| T::from(text)))
}

/// Reads what the model declares a string: a JSON string as it is; any
/// other value but `null` as its JSON text (`7`, `true`, `{"a":1}`, written
/// compactly by serde_json), as botocore's JSON parser hands such a value on
/// untouched, rather than failing the whole response for one member a
/// service sends in another type than its model says.
struct TextVisitor<F>(F);

impl<'de, T, F: FnOnce(&str) -> T> Visitor<'de> for TextVisitor<F> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        Ok((self.0)(v))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<T, E> {
        Ok((self.0)(if v { "true" } else { "false" }))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        Ok((self.0)(&v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        Ok((self.0)(&v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        Ok((self.0)(&serde_json::Value::from(v).to_string()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        let value: serde_json::Value =
            serde::Deserialize::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Ok((self.0)(&value.to_string()))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        let value: serde_json::Value =
            serde::Deserialize::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok((self.0)(&value.to_string()))
    }
}

/// Writes one member of a JSON object.
pub fn serialize_entry<M: SerializeMap, T: JsonSerialize + ?Sized>(
    map: &mut M,
    key: &str,
    value: &T,
) -> Result<(), M::Error> {
    serialize_entry_with(map, key, value, DEFAULT_FORMAT)
}

/// Writes one member of a JSON object, its timestamps in `format`.
pub fn serialize_entry_with<M: SerializeMap, T: JsonSerialize + ?Sized>(
    map: &mut M,
    key: &str,
    value: &T,
    format: TimestampFormat,
) -> Result<(), M::Error> {
    map.serialize_entry(key, &Ser(value, format))
}

/// Serializes `value` to a JSON document.
pub fn to_vec<T: JsonSerialize + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::with_capacity(128);
    value.serialize_json(DEFAULT_FORMAT, &mut serde_json::Serializer::new(&mut out))?;
    Ok(out)
}

/// The media type of JSON bodies (`Content-Type` of the REST binding's).
pub const CONTENT_TYPE: &str = "application/json";

/// Parses a JSON response body; an empty body reads as an empty object.
pub fn body<T: JsonDeserialize + Default>(
    response: &crate::transport::HttpResponse,
) -> Result<T, serde_json::Error> {
    if response.body().is_empty() {
        Ok(T::default())
    } else {
        from_slice(response.body())
    }
}

/// Parses a JSON document into `T`; trailing content other than white space is an error.
pub fn from_slice<T: JsonDeserialize>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = T::deserialize_json(DEFAULT_FORMAT, &mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

// ----- scalars -----

impl JsonSerialize for str {
    fn serialize_json<S: Serializer>(
        &self,
        _: TimestampFormat,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
    }
}

impl JsonSerialize for String {
    fn serialize_json<S: Serializer>(
        &self,
        _: TimestampFormat,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
    }
}

/// A JSON string, or the JSON text of another value where the model
/// declares a string (see `TextVisitor`).
impl JsonDeserialize for String {
    fn deserialize_json<'de, D: Deserializer<'de>>(
        _: TimestampFormat,
        deserializer: D,
    ) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TextVisitor(str::to_owned))
    }
}

macro_rules! plain_scalar {
    ($($ty:ty),*) => {$(
        impl JsonSerialize for $ty {
            fn serialize_json<S: Serializer>(&self, _: TimestampFormat, serializer: S) -> Result<S::Ok, S::Error> {
                serde::Serialize::serialize(self, serializer)
            }
        }
        impl JsonDeserialize for $ty {
            fn deserialize_json<'de, D: Deserializer<'de>>(_: TimestampFormat, deserializer: D) -> Result<Self, D::Error> {
                serde::Deserialize::deserialize(deserializer)
            }
        }
    )*};
}

plain_scalar!(bool, i8, i16, i32, i64);

macro_rules! float_scalar {
    ($($ty:ident),*) => {$(
        impl JsonSerialize for $ty {
            fn serialize_json<S: Serializer>(&self, _: TimestampFormat, serializer: S) -> Result<S::Ok, S::Error> {
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
            fn deserialize_json<'de, D: Deserializer<'de>>(_: TimestampFormat, deserializer: D) -> Result<Self, D::Error> {
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
    fn serialize_json<S: Serializer>(
        &self,
        _: TimestampFormat,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(self.as_bytes()))
    }
}

impl JsonDeserialize for Blob {
    fn deserialize_json<'de, D: Deserializer<'de>>(
        _: TimestampFormat,
        deserializer: D,
    ) -> Result<Self, D::Error> {
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

impl JsonSerialize for DateTime {
    fn serialize_json<S: Serializer>(
        &self,
        format: TimestampFormat,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match format {
            TimestampFormat::EpochSeconds if self.subsec_nanos() == 0 => {
                serializer.serialize_i64(self.secs())
            }
            TimestampFormat::EpochSeconds => serializer.serialize_f64(self.as_secs_f64()),
            other => serializer.serialize_str(&self.fmt(other)),
        }
    }
}

impl JsonDeserialize for DateTime {
    fn deserialize_json<'de, D: Deserializer<'de>>(
        format: TimestampFormat,
        deserializer: D,
    ) -> Result<Self, D::Error> {
        struct TimestampVisitor(TimestampFormat);
        impl Visitor<'_> for TimestampVisitor {
            type Value = DateTime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a timestamp ({:?})", self.0)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<DateTime, E> {
                Ok(DateTime::from_secs(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<DateTime, E> {
                i64::try_from(v)
                    .map(DateTime::from_secs)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<DateTime, E> {
                DateTime::from_secs_f64(v)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DateTime, E> {
                DateTime::parse(v, self.0).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(TimestampVisitor(format))
    }
}

// ----- documents -----

impl JsonSerialize for Document {
    fn serialize_json<S: Serializer>(
        &self,
        _: TimestampFormat,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(self, serializer)
    }
}

impl JsonDeserialize for Document {
    fn deserialize_json<'de, D: Deserializer<'de>>(
        _: TimestampFormat,
        deserializer: D,
    ) -> Result<Self, D::Error> {
        serde::Deserialize::deserialize(deserializer)
    }
}

// ----- bodies -----

/// In JSON (where a model puts a streaming blob outside a payload), base64 like any blob.
impl JsonSerialize for ByteStream {
    fn serialize_json<S: Serializer>(
        &self,
        format: TimestampFormat,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        Blob::new(self.as_bytes()).serialize_json(format, serializer)
    }
}

impl JsonDeserialize for ByteStream {
    fn deserialize_json<'de, D: Deserializer<'de>>(
        format: TimestampFormat,
        deserializer: D,
    ) -> Result<Self, D::Error> {
        let blob = Blob::deserialize_json(format, deserializer)?;
        Ok(Self::new(blob.into_inner()))
    }
}

// ----- the `serde` feature: the value types as in JSON bodies -----
//
// Here rather than beside the value types, which are leaves that know no
// wire format: blobs and bodies are base64 strings, times RFC 3339 text
// (epoch seconds are accepted too).

#[cfg(feature = "serde")]
macro_rules! serde_as_json {
    ($($ty:ty => $format:expr),* $(,)?) => {$(
        impl serde::Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                JsonSerialize::serialize_json(self, $format, serializer)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                JsonDeserialize::deserialize_json($format, deserializer)
            }
        }
    )*};
}

#[cfg(feature = "serde")]
serde_as_json!(
    Blob => DEFAULT_FORMAT,
    ByteStream => DEFAULT_FORMAT,
    DateTime => TimestampFormat::DateTime,
);

// ----- containers: they pass the format on to what they hold -----

impl<T: JsonSerialize + ?Sized> JsonSerialize for Box<T> {
    fn serialize_json<S: Serializer>(
        &self,
        format: TimestampFormat,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        (**self).serialize_json(format, serializer)
    }
}

impl<T: JsonDeserialize> JsonDeserialize for Box<T> {
    fn deserialize_json<'de, D: Deserializer<'de>>(
        format: TimestampFormat,
        deserializer: D,
    ) -> Result<Self, D::Error> {
        T::deserialize_json(format, deserializer).map(Box::new)
    }
}

impl<T: JsonSerialize> JsonSerialize for Option<T> {
    fn serialize_json<S: Serializer>(
        &self,
        format: TimestampFormat,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match self {
            Some(value) => value.serialize_json(format, serializer),
            None => serializer.serialize_none(),
        }
    }
}

impl<T: JsonDeserialize> JsonDeserialize for Option<T> {
    fn deserialize_json<'de, D: Deserializer<'de>>(
        format: TimestampFormat,
        deserializer: D,
    ) -> Result<Self, D::Error> {
        struct OptionVisitor<T>(TimestampFormat, PhantomData<T>);
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
                T::deserialize_json(self.0, deserializer).map(Some)
            }
        }
        deserializer.deserialize_option(OptionVisitor(format, PhantomData))
    }
}

impl<T: JsonSerialize> JsonSerialize for Vec<T> {
    fn serialize_json<S: Serializer>(
        &self,
        format: TimestampFormat,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for item in self {
            seq.serialize_element(&Ser(item, format))?;
        }
        seq.end()
    }
}

impl<T: JsonDeserialize> JsonDeserialize for Vec<T> {
    fn deserialize_json<'de, D: Deserializer<'de>>(
        format: TimestampFormat,
        deserializer: D,
    ) -> Result<Self, D::Error> {
        struct ListVisitor<T>(TimestampFormat, PhantomData<T>);
        impl<'de, T: JsonDeserialize> Visitor<'de> for ListVisitor<T> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(item) = seq.next_element_seed(Seed::<Option<T>>::new(self.0))? {
                    out.extend(item);
                }
                Ok(out)
            }
        }
        deserializer.deserialize_seq(ListVisitor(format, PhantomData))
    }
}

impl<K: AsRef<str>, V: JsonSerialize, H> JsonSerialize for HashMap<K, V, H> {
    fn serialize_json<S: Serializer>(
        &self,
        format: TimestampFormat,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (key, value) in self {
            map.serialize_entry(key.as_ref(), &Ser(value, format))?;
        }
        map.end()
    }
}

impl<K, V, H> JsonDeserialize for HashMap<K, V, H>
where
    K: for<'a> From<&'a str> + Eq + Hash,
    V: JsonDeserialize,
    H: BuildHasher + Default,
{
    fn deserialize_json<'de, D: Deserializer<'de>>(
        format: TimestampFormat,
        deserializer: D,
    ) -> Result<Self, D::Error> {
        struct MapVisitor<K, V, H>(TimestampFormat, PhantomData<(K, V, H)>);
        impl<'de, K, V, H> Visitor<'de> for MapVisitor<K, V, H>
        where
            K: for<'a> From<&'a str> + Eq + Hash,
            V: JsonDeserialize,
            H: BuildHasher + Default,
        {
            type Value = HashMap<K, V, H>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let capacity = map.size_hint().unwrap_or(0).min(4096);
                let mut out = HashMap::with_capacity_and_hasher(capacity, H::default());
                while let Some(Key(key)) = map.next_key()? {
                    if let Some(value) = value_with::<V, A>(&mut map, self.0)? {
                        out.insert(K::from(&key), value);
                    }
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(MapVisitor(format, PhantomData))
    }
}

// ----- unions -----

/// A union read from a JSON object with exactly one member set.
///
/// Generated code implements [`read_variant`](JsonUnion::read_variant) with
/// one arm per member wire name.
pub trait JsonUnion: Sized {
    /// The shape's name, for error messages.
    const NAME: &'static str;

    /// Reads the value of member `key`: `None` when it is `null`, the
    /// union's unknown variant when the key is not a member.
    fn read_variant<'de, A: MapAccess<'de>>(
        key: &str,
        map: &mut A,
    ) -> Result<Option<Self>, A::Error>;
}

/// Reads a [`JsonUnion`]: `__type` is ignored, `null` members are not set,
/// and anything but exactly one set member is an error.
pub fn deserialize_union<'de, T: JsonUnion, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    struct UnionVisitor<T>(PhantomData<T>);
    impl<'de, T: JsonUnion> Visitor<'de> for UnionVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a JSON object with one member of union {}", T::NAME)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
            let mut found = None;
            while let Some(Key(key)) = map.next_key()? {
                if key == "__type" {
                    skip(&mut map)?;
                    continue;
                }
                if let Some(variant) = T::read_variant(&key, &mut map)? {
                    if found.is_some() {
                        return Err(de::Error::custom(format_args!(
                            "union {} has more than one member set",
                            T::NAME
                        )));
                    }
                    found = Some(variant);
                }
            }
            found.ok_or_else(|| {
                de::Error::custom(format_args!("union {} has no member set", T::NAME))
            })
        }
    }
    deserializer.deserialize_map(UnionVisitor(PhantomData))
}

/// The error for serializing a union's unknown variant, which holds no value to send.
pub fn unknown_variant<E: serde::ser::Error>(union: &str, member: &str) -> E {
    E::custom(format_args!(
        "union {union} holds the unknown member `{member}`, which cannot be sent"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_out_of_range_are_errors() {
        use crate::value::TimestampFormat as F;
        for body in [
            "-9223372036854775808.5",
            "\"-9223372036854775808.5\"",
            "1e300",
            "9223372036854775808",
        ] {
            let mut de = serde_json::Deserializer::from_str(body);
            let parsed = DateTime::deserialize_json(F::EpochSeconds, &mut de);
            assert!(parsed.is_err(), "{body}: {parsed:?}");
        }
    }

    #[test]
    fn strings_are_json_strings_or_the_text_of_another_value() {
        assert_eq!(from_slice::<String>(br#""\u00e9""#).unwrap(), "\u{e9}");
        assert_eq!(
            from_slice::<Vec<String>>(
                br#"["a", {"k": 1, "j": [true, null]}, 12345678, -3, 2.5, false, []]"#
            )
            .unwrap(),
            [
                "a",
                r#"{"j":[true,null],"k":1}"#,
                "12345678",
                "-3",
                "2.5",
                "false",
                "[]"
            ]
        );
        assert_eq!(from_slice::<Vec<String>>(br#"[null, "b"]"#).unwrap(), ["b"]);
        // Still JSON: broken text is an error.
        assert!(from_slice::<String>(b"[1,").is_err());
        assert!(from_slice::<String>(b"{\"a\" 1}").is_err());
        assert!(from_slice::<String>(b"null").is_err());
    }

    #[test]
    fn byte_streams_are_base64() {
        let body = ByteStream::from("hi");
        assert_eq!(to_vec(&body).unwrap(), br#""aGk=""#);
        assert_eq!(from_slice::<ByteStream>(br#""aGk=""#).unwrap(), body);
    }

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
        fn deserialize_json<'de, D: Deserializer<'de>>(
            _: TimestampFormat,
            d: D,
        ) -> Result<Self, D::Error> {
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
            fn deserialize_json<'de, D: Deserializer<'de>>(
                _: TimestampFormat,
                d: D,
            ) -> Result<Self, D::Error> {
                deserialize_str_enum(d)
            }
        }
        assert_eq!(from_slice::<Upper>(br#""ab""#).unwrap(), Upper("AB".into()));
        assert_eq!(from_slice::<Upper>(b"true").unwrap(), Upper("TRUE".into()));
        assert!(from_slice::<Upper>(b"tru").is_err());
    }

    #[test]
    fn timestamps_in_each_format_and_container() {
        use crate::value::TimestampFormat as F;
        struct Holder(Vec<DateTime>, F);
        impl JsonSerialize for Holder {
            fn serialize_json<S: Serializer>(&self, _: F, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(None)?;
                serialize_entry_with(&mut map, "t", &self.0, self.1)?;
                map.end()
            }
        }
        let t = DateTime::from_secs(1_398_796_238);
        let frac = DateTime::from_millis(946_845_296_123);
        assert_eq!(
            to_vec(&Holder(vec![t, frac], F::EpochSeconds)).unwrap(),
            br#"{"t":[1398796238,946845296.123]}"#
        );
        assert_eq!(
            to_vec(&Holder(vec![t], F::DateTime)).unwrap(),
            br#"{"t":["2014-04-29T18:30:38Z"]}"#
        );
        assert_eq!(
            to_vec(&Holder(vec![t], F::HttpDate)).unwrap(),
            br#"{"t":["Tue, 29 Apr 2014 18:30:38 GMT"]}"#
        );

        #[derive(Default)]
        struct Reader(Option<HashMap<String, DateTime>>);
        impl JsonObject for Reader {
            const NAME: &'static str = "Reader";
            fn read_member<'de, A: MapAccess<'de>>(
                &mut self,
                key: &str,
                map: &mut A,
            ) -> Result<(), A::Error> {
                match key {
                    "m" => self.0 = value_with(map, F::DateTime)?,
                    _ => skip(map)?,
                }
                Ok(())
            }
        }
        impl JsonDeserialize for Reader {
            fn deserialize_json<'de, D: Deserializer<'de>>(_: F, d: D) -> Result<Self, D::Error> {
                deserialize_object(d)
            }
        }
        let read: Reader =
            from_slice(br#"{"m": {"a": "2014-04-29T18:30:38Z", "b": 1398796238, "c": null}}"#)
                .unwrap();
        let map = read.0.unwrap();
        assert_eq!(map["a"], t);
        assert_eq!(map["b"], t);
        assert_eq!(map.len(), 2);
        assert!(from_slice::<Reader>(br#"{"m": {"a": "yesterday"}}"#).is_err());
    }

    #[derive(Debug, PartialEq)]
    enum Choice {
        Text(String),
        Number(i32),
        Unknown(String),
    }

    impl JsonUnion for Choice {
        const NAME: &'static str = "Choice";
        fn read_variant<'de, A: MapAccess<'de>>(
            key: &str,
            map: &mut A,
        ) -> Result<Option<Self>, A::Error> {
            Ok(match key {
                "text" => value(map)?.map(Choice::Text),
                "number" => value(map)?.map(Choice::Number),
                other => {
                    skip(map)?;
                    Some(Choice::Unknown(other.to_owned()))
                }
            })
        }
    }

    impl JsonDeserialize for Choice {
        fn deserialize_json<'de, D: Deserializer<'de>>(
            _: TimestampFormat,
            d: D,
        ) -> Result<Self, D::Error> {
            deserialize_union(d)
        }
    }

    #[test]
    fn unions_take_exactly_one_member() {
        assert_eq!(
            from_slice::<Choice>(br#"{"text": "hi"}"#).unwrap(),
            Choice::Text("hi".into())
        );
        assert_eq!(
            from_slice::<Choice>(
                br#"{"__type": "ns#Choice", "number": null, "number2": {"x": 1}}"#
            )
            .unwrap(),
            Choice::Unknown("number2".into())
        );
        assert!(from_slice::<Choice>(br#"{}"#).is_err());
        assert!(from_slice::<Choice>(br#"{"text": "a", "number": 1}"#).is_err());
    }

    #[test]
    fn documents_are_any_json() {
        let doc: Document = from_slice(br#"{"a": [1, "x", null, {"b": true}]}"#).unwrap();
        assert_eq!(doc["a"][3]["b"], true);
        assert_eq!(to_vec(&doc).unwrap(), br#"{"a":[1,"x",null,{"b":true}]}"#);
    }
}
