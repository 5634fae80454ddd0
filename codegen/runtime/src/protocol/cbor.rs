//! The CBOR shape codec (RFC 8949) of Smithy RPC v2 CBOR, on
//! [minicbor](https://docs.rs/minicbor/2): generated code implements
//! [`CborSerialize`] and [`CborDeserialize`] per shape, driving minicbor's
//! `Encoder` and `Decoder` directly (no intermediate values).
//!
//! Writing uses definite lengths. Reading takes definite and indefinite
//! lengths (maps, arrays, byte and text strings), every float width
//! (half-precision widened here), integers where floats are expected,
//! timestamps as tag 1 (or untagged) epoch seconds, integer or float, and
//! treats `null` and `undefined` members as absent; unknown members are
//! skipped. Nesting is bounded by [`MAX_DEPTH`], so hostile input cannot
//! exhaust the stack.

use std::borrow::Cow;
use std::collections::HashMap;
use std::convert::Infallible;
use std::fmt;
use std::hash::BuildHasher;

use minicbor::data::{Tag, Type};

use crate::transport::HttpResponse;
use crate::value::{Blob, ByteStream, DateTime, Document};

pub use minicbor::{Decoder, Encoder};

/// The writer generated code encodes into.
pub type Writer<'a> = Encoder<&'a mut Vec<u8>>;

/// The media type of CBOR bodies (`Content-Type` and `Accept`).
pub const CONTENT_TYPE: &str = "application/cbor";

/// How deep maps and arrays may nest in a body that is read.
pub const MAX_DEPTH: usize = 64;

/// A body that could not be written or read as the shape expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CborError {
    message: String,
}

impl CborError {
    /// An error with `message`.
    pub fn new(message: impl Into<String>) -> Self {
        CborError {
            message: message.into(),
        }
    }
}

impl fmt::Display for CborError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CBOR: {}", self.message)
    }
}

impl std::error::Error for CborError {}

impl From<minicbor::decode::Error> for CborError {
    fn from(error: minicbor::decode::Error) -> Self {
        CborError::new(error.to_string())
    }
}

impl From<minicbor::encode::Error<Infallible>> for CborError {
    fn from(error: minicbor::encode::Error<Infallible>) -> Self {
        CborError::new(error.to_string())
    }
}

/// A value that writes itself as one CBOR data item.
pub trait CborSerialize {
    /// Writes `self` into `writer`.
    fn write_cbor(&self, writer: &mut Writer<'_>) -> Result<(), CborError>;
}

/// A value read from one CBOR data item.
pub trait CborDeserialize: Sized {
    /// Reads a value from the item at `decoder`'s position, `depth` levels of
    /// maps and arrays deep.
    fn read_cbor(decoder: &mut Decoder<'_>, depth: usize) -> Result<Self, CborError>;
}

/// A structure read from a CBOR map member by member.
///
/// Generated code implements [`read_member`](CborObject::read_member) with
/// one arm per member wire name and [`skip`] for anything else.
pub trait CborObject: Default {
    /// The shape's name, for error messages.
    const NAME: &'static str;

    /// Reads the (non-null) value of member `key` into `self`.
    fn read_member(
        &mut self,
        key: &str,
        decoder: &mut Decoder<'_>,
        depth: usize,
    ) -> Result<(), CborError>;
}

/// A union read from a CBOR map with exactly one non-null member.
pub trait CborUnion: Sized {
    /// The shape's name, for error messages.
    const NAME: &'static str;

    /// Reads the (non-null) value of member `key`; the union's unknown
    /// variant when the key is not a member.
    fn read_variant(key: &str, decoder: &mut Decoder<'_>, depth: usize) -> Result<Self, CborError>;
}

/// Writes a map header for `len` entries.
pub fn map_header(writer: &mut Writer<'_>, len: u64) -> Result<(), CborError> {
    writer.map(len)?;
    Ok(())
}

/// Writes one map entry, `key` and `value`.
pub fn entry<T: CborSerialize + ?Sized>(
    writer: &mut Writer<'_>,
    key: &str,
    value: &T,
) -> Result<(), CborError> {
    writer.str(key)?;
    value.write_cbor(writer)
}

/// The error for writing a union's unknown variant, which holds no value to send.
pub fn unknown_variant(union: &str, member: &str) -> CborError {
    CborError::new(format!(
        "union {union} holds the unknown member `{member}`, which cannot be sent"
    ))
}

/// The body bytes of `value`.
pub fn to_vec<T: CborSerialize + ?Sized>(value: &T) -> Result<Vec<u8>, CborError> {
    let mut bytes = Vec::new();
    value.write_cbor(&mut Encoder::new(&mut bytes))?;
    Ok(bytes)
}

/// Reads a whole body as `T`; nothing may follow the value.
pub fn from_slice<T: CborDeserialize>(bytes: &[u8]) -> Result<T, CborError> {
    let mut decoder = Decoder::new(bytes);
    let value = T::read_cbor(&mut decoder, 0)?;
    if decoder.position() != bytes.len() {
        return Err(CborError::new(format!(
            "{} bytes after the body's value",
            bytes.len() - decoder.position()
        )));
    }
    Ok(value)
}

/// Reads `response`'s body as `T`; an empty body is `T::default()`.
pub fn body<T: CborDeserialize + Default>(response: &HttpResponse) -> Result<T, CborError> {
    if response.body().is_empty() {
        Ok(T::default())
    } else {
        from_slice(response.body())
    }
}

/// Skips the item at `decoder`'s position.
pub fn skip(decoder: &mut Decoder<'_>, depth: usize) -> Result<(), CborError> {
    match decoder.datatype()? {
        Type::Map | Type::MapIndef => {
            each_entry(decoder, depth, "a map", |_, d, depth| skip(d, depth))
        }
        Type::Array | Type::ArrayIndef => {
            each_item(decoder, depth, "an array", |d, depth| skip(d, depth))
        }
        Type::Tag => {
            decoder.tag()?;
            skip(decoder, depth)
        }
        _ => Ok(decoder.skip()?),
    }
}

fn is_null(decoder: &Decoder<'_>) -> Result<bool, CborError> {
    Ok(matches!(decoder.datatype()?, Type::Null | Type::Undefined))
}

fn nested(depth: usize) -> Result<usize, CborError> {
    if depth >= MAX_DEPTH {
        Err(CborError::new(format!(
            "maps and arrays nest more than {MAX_DEPTH} deep"
        )))
    } else {
        Ok(depth + 1)
    }
}

fn mismatch(decoder: &Decoder<'_>, expected: &str) -> CborError {
    let found = decoder
        .datatype()
        .map(|t| t.to_string())
        .unwrap_or_else(|_| "the end of the body".to_owned());
    CborError::new(format!(
        "expected {expected}, found {found} at byte {}",
        decoder.position()
    ))
}

/// Calls `f` with each key and the decoder at its value, for the map at
/// `decoder`'s position (definite or indefinite length).
fn each_entry<'b>(
    decoder: &mut Decoder<'b>,
    depth: usize,
    what: &str,
    mut f: impl FnMut(Cow<'b, str>, &mut Decoder<'b>, usize) -> Result<(), CborError>,
) -> Result<(), CborError> {
    if !matches!(decoder.datatype()?, Type::Map | Type::MapIndef) {
        return Err(mismatch(decoder, what));
    }
    let depth = nested(depth)?;
    match decoder.map()? {
        Some(len) => {
            for _ in 0..len {
                let key = text(decoder)?;
                f(key, decoder, depth)?;
            }
        }
        None => loop {
            if decoder.datatype()? == Type::Break {
                decoder.skip()?;
                break;
            }
            let key = text(decoder)?;
            f(key, decoder, depth)?;
        },
    }
    Ok(())
}

/// Calls `f` with the decoder at each item of the array at `decoder`'s position.
fn each_item<'b>(
    decoder: &mut Decoder<'b>,
    depth: usize,
    what: &str,
    mut f: impl FnMut(&mut Decoder<'b>, usize) -> Result<(), CborError>,
) -> Result<(), CborError> {
    if !matches!(decoder.datatype()?, Type::Array | Type::ArrayIndef) {
        return Err(mismatch(decoder, what));
    }
    let depth = nested(depth)?;
    match decoder.array()? {
        Some(len) => {
            for _ in 0..len {
                f(decoder, depth)?;
            }
        }
        None => loop {
            if decoder.datatype()? == Type::Break {
                decoder.skip()?;
                break;
            }
            f(decoder, depth)?;
        },
    }
    Ok(())
}

/// A text string, definite or indefinite.
fn text<'b>(decoder: &mut Decoder<'b>) -> Result<Cow<'b, str>, CborError> {
    match decoder.datatype()? {
        Type::String => Ok(Cow::Borrowed(decoder.str()?)),
        Type::StringIndef => {
            let mut text = String::new();
            for chunk in decoder.str_iter()? {
                text.push_str(chunk?);
            }
            Ok(Cow::Owned(text))
        }
        _ => Err(mismatch(decoder, "a text string")),
    }
}

/// Reads a structure: members in any order, `null` ones absent, unknown ones skipped.
pub fn read_object<T: CborObject>(decoder: &mut Decoder<'_>, depth: usize) -> Result<T, CborError> {
    let mut value = T::default();
    let what = format!("a map for {}", T::NAME);
    each_entry(decoder, depth, &what, |key, d, depth| {
        if is_null(d)? {
            d.skip()?;
            Ok(())
        } else {
            value.read_member(&key, d, depth)
        }
    })?;
    Ok(value)
}

/// Reads a union: `__type` is ignored, `null` members are not set, and
/// anything but exactly one set member is an error.
pub fn read_union<T: CborUnion>(decoder: &mut Decoder<'_>, depth: usize) -> Result<T, CborError> {
    let mut found = None;
    let what = format!("a map for union {}", T::NAME);
    each_entry(decoder, depth, &what, |key, d, depth| {
        if key == "__type" || is_null(d)? {
            return skip(d, depth);
        }
        if found.is_some() {
            return Err(CborError::new(format!(
                "union {} has more than one member set",
                T::NAME
            )));
        }
        found = Some(T::read_variant(&key, d, depth)?);
        Ok(())
    })?;
    found.ok_or_else(|| CborError::new(format!("union {} has no member set", T::NAME)))
}

/// Reads a member's value (generated `read_member` arms call it).
pub fn value<T: CborDeserialize>(
    decoder: &mut Decoder<'_>,
    depth: usize,
) -> Result<Option<T>, CborError> {
    T::read_cbor(decoder, depth).map(Some)
}

/// Reads an enum's string value.
pub fn read_str_enum<T: for<'a> From<&'a str>>(decoder: &mut Decoder<'_>) -> Result<T, CborError> {
    Ok(T::from(&*text(decoder)?))
}

/// Writes a string enum's value.
pub fn write_str(writer: &mut Writer<'_>, value: &str) -> Result<(), CborError> {
    writer.str(value)?;
    Ok(())
}

impl CborSerialize for str {
    fn write_cbor(&self, writer: &mut Writer<'_>) -> Result<(), CborError> {
        write_str(writer, self)
    }
}

impl CborSerialize for String {
    fn write_cbor(&self, writer: &mut Writer<'_>) -> Result<(), CborError> {
        write_str(writer, self)
    }
}

impl CborDeserialize for String {
    fn read_cbor(decoder: &mut Decoder<'_>, _: usize) -> Result<Self, CborError> {
        Ok(text(decoder)?.into_owned())
    }
}

impl CborSerialize for bool {
    fn write_cbor(&self, writer: &mut Writer<'_>) -> Result<(), CborError> {
        writer.bool(*self)?;
        Ok(())
    }
}

impl CborDeserialize for bool {
    fn read_cbor(decoder: &mut Decoder<'_>, _: usize) -> Result<Self, CborError> {
        if decoder.datatype()? != Type::Bool {
            return Err(mismatch(decoder, "a boolean"));
        }
        Ok(decoder.bool()?)
    }
}

fn is_int(ty: Type) -> bool {
    matches!(
        ty,
        Type::U8
            | Type::U16
            | Type::U32
            | Type::U64
            | Type::I8
            | Type::I16
            | Type::I32
            | Type::I64
            | Type::Int
    )
}

macro_rules! int_scalar {
    ($($ty:ident),*) => {$(
        impl CborSerialize for $ty {
            fn write_cbor(&self, writer: &mut Writer<'_>) -> Result<(), CborError> {
                writer.i64(i64::from(*self))?;
                Ok(())
            }
        }
        impl CborDeserialize for $ty {
            fn read_cbor(decoder: &mut Decoder<'_>, _: usize) -> Result<Self, CborError> {
                if !is_int(decoder.datatype()?) {
                    return Err(mismatch(decoder, "an integer"));
                }
                let position = decoder.position();
                let value = i128::from(decoder.int()?);
                $ty::try_from(value).map_err(|_| {
                    CborError::new(format!(
                        "integer {value} at byte {position} is out of range for {}",
                        stringify!($ty)
                    ))
                })
            }
        }
    )*};
}

int_scalar!(i8, i16, i32, i64);

/// A half-precision float's bits, widened.
fn f16_to_f64(bits: u16) -> f64 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exponent = i32::from((bits >> 10) & 0x1f);
    let fraction = f64::from(bits & 0x3ff);
    sign * match exponent {
        0 => fraction * 2f64.powi(-24),
        31 if fraction == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        e => (1.0 + fraction / 1024.0) * 2f64.powi(e - 15),
    }
}

/// A number of any CBOR width: floats of 16, 32 or 64 bits, or an integer.
fn number(decoder: &mut Decoder<'_>) -> Result<f64, CborError> {
    match decoder.datatype()? {
        Type::F16 => {
            let start = decoder.position();
            let input = decoder.input();
            let bits = input
                .get(start + 1..start + 3)
                .ok_or_else(|| CborError::new("a half-precision float is cut off"))?;
            let bits = u16::from_be_bytes([bits[0], bits[1]]);
            decoder.set_position(start + 3);
            Ok(f16_to_f64(bits))
        }
        Type::F32 => Ok(f64::from(decoder.f32()?)),
        Type::F64 => Ok(decoder.f64()?),
        ty if is_int(ty) => Ok(i128::from(decoder.int()?) as f64),
        _ => Err(mismatch(decoder, "a number")),
    }
}

impl CborSerialize for f32 {
    fn write_cbor(&self, writer: &mut Writer<'_>) -> Result<(), CborError> {
        writer.f32(*self)?;
        Ok(())
    }
}

impl CborDeserialize for f32 {
    fn read_cbor(decoder: &mut Decoder<'_>, _: usize) -> Result<Self, CborError> {
        Ok(number(decoder)? as f32)
    }
}

impl CborSerialize for f64 {
    fn write_cbor(&self, writer: &mut Writer<'_>) -> Result<(), CborError> {
        writer.f64(*self)?;
        Ok(())
    }
}

impl CborDeserialize for f64 {
    fn read_cbor(decoder: &mut Decoder<'_>, _: usize) -> Result<Self, CborError> {
        number(decoder)
    }
}

/// A byte string, definite or indefinite.
fn byte_string(decoder: &mut Decoder<'_>) -> Result<Vec<u8>, CborError> {
    match decoder.datatype()? {
        Type::Bytes => Ok(decoder.bytes()?.to_vec()),
        Type::BytesIndef => {
            let mut bytes = Vec::new();
            for chunk in decoder.bytes_iter()? {
                bytes.extend_from_slice(chunk?);
            }
            Ok(bytes)
        }
        _ => Err(mismatch(decoder, "a byte string")),
    }
}

impl CborSerialize for Blob {
    fn write_cbor(&self, writer: &mut Writer<'_>) -> Result<(), CborError> {
        writer.bytes(self.as_bytes())?;
        Ok(())
    }
}

impl CborDeserialize for Blob {
    fn read_cbor(decoder: &mut Decoder<'_>, _: usize) -> Result<Self, CborError> {
        Ok(Blob::new(byte_string(decoder)?))
    }
}

impl CborSerialize for ByteStream {
    fn write_cbor(&self, writer: &mut Writer<'_>) -> Result<(), CborError> {
        writer.bytes(self.as_bytes())?;
        Ok(())
    }
}

impl CborDeserialize for ByteStream {
    fn read_cbor(decoder: &mut Decoder<'_>, _: usize) -> Result<Self, CborError> {
        Ok(ByteStream::new(byte_string(decoder)?))
    }
}

/// Tag 1: a date and time as epoch seconds.
const EPOCH_TIME: Tag = Tag::new(1);

impl CborSerialize for DateTime {
    fn write_cbor(&self, writer: &mut Writer<'_>) -> Result<(), CborError> {
        writer.tag(EPOCH_TIME)?;
        let seconds = self.as_secs_f64();
        if seconds.fract() == 0.0 && seconds.abs() < 9.0e15 {
            writer.i64(seconds as i64)?;
        } else {
            writer.f64(seconds)?;
        }
        Ok(())
    }
}

impl CborDeserialize for DateTime {
    fn read_cbor(decoder: &mut Decoder<'_>, _: usize) -> Result<Self, CborError> {
        if decoder.datatype()? == Type::Tag {
            let position = decoder.position();
            let tag = decoder.tag()?;
            if tag != EPOCH_TIME {
                return Err(CborError::new(format!(
                    "expected a timestamp (tag 1), found tag {} at byte {position}",
                    tag.as_u64()
                )));
            }
        }
        let position = decoder.position();
        let seconds = number(decoder)?;
        DateTime::from_secs_f64(seconds).ok_or_else(|| {
            CborError::new(format!(
                "timestamp {seconds} at byte {position} is out of range"
            ))
        })
    }
}

impl CborSerialize for Document {
    fn write_cbor(&self, writer: &mut Writer<'_>) -> Result<(), CborError> {
        match self {
            Document::Null => {
                writer.null()?;
            }
            Document::Bool(value) => {
                writer.bool(*value)?;
            }
            Document::Number(number) => {
                if let Some(value) = number.as_i64() {
                    writer.i64(value)?;
                } else if let Some(value) = number.as_u64() {
                    writer.u64(value)?;
                } else {
                    writer.f64(number.as_f64().unwrap_or(f64::NAN))?;
                }
            }
            Document::String(value) => {
                writer.str(value)?;
            }
            Document::Array(items) => {
                writer.array(items.len() as u64)?;
                for item in items {
                    item.write_cbor(writer)?;
                }
            }
            Document::Object(entries) => {
                writer.map(entries.len() as u64)?;
                for (key, value) in entries {
                    entry(writer, key, value)?;
                }
            }
        }
        Ok(())
    }
}

impl CborDeserialize for Document {
    fn read_cbor(decoder: &mut Decoder<'_>, depth: usize) -> Result<Self, CborError> {
        Ok(match decoder.datatype()? {
            Type::Null | Type::Undefined => {
                decoder.skip()?;
                Document::Null
            }
            Type::Bool => Document::Bool(decoder.bool()?),
            Type::String | Type::StringIndef => Document::String(text(decoder)?.into_owned()),
            ty if is_int(ty) => {
                let value = i128::from(decoder.int()?);
                match (i64::try_from(value), u64::try_from(value)) {
                    (Ok(value), _) => Document::from(value),
                    (_, Ok(value)) => Document::from(value),
                    _ => Document::from(value as f64),
                }
            }
            Type::F16 | Type::F32 | Type::F64 => {
                let value = number(decoder)?;
                serde_json::Number::from_f64(value).map_or(Document::Null, Document::Number)
            }
            Type::Array | Type::ArrayIndef => {
                let mut items = Vec::new();
                each_item(decoder, depth, "an array", |d, depth| {
                    items.push(Document::read_cbor(d, depth)?);
                    Ok(())
                })?;
                Document::Array(items)
            }
            Type::Map | Type::MapIndef => {
                let mut entries = serde_json::Map::new();
                each_entry(decoder, depth, "a map", |key, d, depth| {
                    entries.insert(key.into_owned(), Document::read_cbor(d, depth)?);
                    Ok(())
                })?;
                Document::Object(entries)
            }
            Type::Tag => {
                decoder.tag()?;
                Document::read_cbor(decoder, depth)?
            }
            _ => return Err(mismatch(decoder, "a document value")),
        })
    }
}

impl<T: CborSerialize + ?Sized> CborSerialize for Box<T> {
    fn write_cbor(&self, writer: &mut Writer<'_>) -> Result<(), CborError> {
        (**self).write_cbor(writer)
    }
}

impl<T: CborDeserialize> CborDeserialize for Box<T> {
    fn read_cbor(decoder: &mut Decoder<'_>, depth: usize) -> Result<Self, CborError> {
        T::read_cbor(decoder, depth).map(Box::new)
    }
}

impl<T: CborSerialize> CborSerialize for Vec<T> {
    fn write_cbor(&self, writer: &mut Writer<'_>) -> Result<(), CborError> {
        writer.array(self.len() as u64)?;
        for item in self {
            item.write_cbor(writer)?;
        }
        Ok(())
    }
}

/// Lists are dense: `null` items are dropped.
impl<T: CborDeserialize> CborDeserialize for Vec<T> {
    fn read_cbor(decoder: &mut Decoder<'_>, depth: usize) -> Result<Self, CborError> {
        let mut items = Vec::new();
        each_item(decoder, depth, "an array", |d, depth| {
            if is_null(d)? {
                d.skip()?;
            } else {
                items.push(T::read_cbor(d, depth)?);
            }
            Ok(())
        })?;
        Ok(items)
    }
}

impl<K: AsRef<str>, V: CborSerialize, H> CborSerialize for HashMap<K, V, H> {
    fn write_cbor(&self, writer: &mut Writer<'_>) -> Result<(), CborError> {
        writer.map(self.len() as u64)?;
        for (key, value) in self {
            entry(writer, key.as_ref(), value)?;
        }
        Ok(())
    }
}

/// Maps are dense: entries with `null` values are dropped.
impl<K, V, H> CborDeserialize for HashMap<K, V, H>
where
    K: for<'a> From<&'a str> + Eq + std::hash::Hash,
    V: CborDeserialize,
    H: BuildHasher + Default,
{
    fn read_cbor(decoder: &mut Decoder<'_>, depth: usize) -> Result<Self, CborError> {
        let mut map = HashMap::default();
        each_entry(decoder, depth, "a map", |key, d, depth| {
            if is_null(d)? {
                d.skip()?;
            } else {
                map.insert(K::from(&key), V::read_cbor(d, depth)?);
            }
            Ok(())
        })?;
        Ok(map)
    }
}

/// A decoded data item, for comparing bodies by value.
#[derive(Debug)]
enum Item {
    Null,
    Bool(bool),
    Number(f64),
    Bytes(Vec<u8>),
    Text(String),
    Array(Vec<Item>),
    Map(Vec<(String, Item)>),
    Tagged(u64, Box<Item>),
}

impl PartialEq for Item {
    fn eq(&self, other: &Item) -> bool {
        match (self, other) {
            (Item::Null, Item::Null) => true,
            (Item::Bool(a), Item::Bool(b)) => a == b,
            // Integers and floats of any width compare by value; NaN equals NaN.
            (Item::Number(a), Item::Number(b)) => a == b || (a.is_nan() && b.is_nan()),
            (Item::Bytes(a), Item::Bytes(b)) => a == b,
            (Item::Text(a), Item::Text(b)) => a == b,
            (Item::Array(a), Item::Array(b)) => a == b,
            (Item::Map(a), Item::Map(b)) => {
                a.len() == b.len()
                    && a.iter().all(|(key, value)| {
                        b.iter()
                            .any(|(other_key, other)| key == other_key && value == other)
                    })
            }
            (Item::Tagged(a, x), Item::Tagged(b, y)) => a == b && x == y,
            _ => false,
        }
    }
}

fn item(decoder: &mut Decoder<'_>, depth: usize) -> Result<Item, CborError> {
    Ok(match decoder.datatype()? {
        Type::Null | Type::Undefined => {
            decoder.skip()?;
            Item::Null
        }
        Type::Bool => Item::Bool(decoder.bool()?),
        Type::String | Type::StringIndef => Item::Text(text(decoder)?.into_owned()),
        Type::Bytes | Type::BytesIndef => Item::Bytes(byte_string(decoder)?),
        Type::Array | Type::ArrayIndef => {
            let mut items = Vec::new();
            each_item(decoder, depth, "an array", |d, depth| {
                items.push(item(d, depth)?);
                Ok(())
            })?;
            Item::Array(items)
        }
        Type::Map | Type::MapIndef => {
            let mut entries = Vec::new();
            each_entry(decoder, depth, "a map", |key, d, depth| {
                entries.push((key.into_owned(), item(d, depth)?));
                Ok(())
            })?;
            Item::Map(entries)
        }
        Type::Tag => {
            let tag = decoder.tag()?.as_u64();
            Item::Tagged(tag, Box::new(item(decoder, depth)?))
        }
        _ => Item::Number(number(decoder)?),
    })
}

/// Whether two bodies hold the same CBOR value: lengths (definite or not),
/// integer and float widths and map order aside; `Err` when either is not
/// one CBOR item with text keys. For comparing requests in tests.
pub fn same_value(expected: &[u8], actual: &[u8]) -> Result<bool, CborError> {
    let read = |bytes: &[u8]| -> Result<Item, CborError> {
        let mut decoder = Decoder::new(bytes);
        let value = item(&mut decoder, 0)?;
        if decoder.position() != bytes.len() {
            return Err(CborError::new("bytes after the body's value"));
        }
        Ok(value)
    };
    Ok(read(expected)? == read(actual)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default, Debug, PartialEq)]
    struct Point {
        name: Option<String>,
        at: Option<DateTime>,
        values: Option<Vec<f64>>,
    }

    impl CborObject for Point {
        const NAME: &'static str = "Point";
        fn read_member(
            &mut self,
            key: &str,
            d: &mut Decoder<'_>,
            depth: usize,
        ) -> Result<(), CborError> {
            match key {
                "name" => self.name = value(d, depth)?,
                "at" => self.at = value(d, depth)?,
                "values" => self.values = value(d, depth)?,
                _ => skip(d, depth)?,
            }
            Ok(())
        }
    }

    impl CborDeserialize for Point {
        fn read_cbor(d: &mut Decoder<'_>, depth: usize) -> Result<Self, CborError> {
            read_object(d, depth)
        }
    }

    #[test]
    fn definite_and_indefinite_lengths_read_alike() {
        // {"name": "a", "at": 1(1.5), "values": [1, 2.5], "x": null}, definite.
        let definite = [
            0xa4, 0x64, b'n', b'a', b'm', b'e', 0x61, b'a', 0x62, b'a', b't', 0xc1, 0xf9, 0x3e,
            0x00, 0x66, b'v', b'a', b'l', b'u', b'e', b's', 0x82, 0x01, 0xfa, 0x40, 0x20, 0x00,
            0x00, 0x61, b'x', 0xf6,
        ];
        // The same with indefinite map, array and (chunked) text.
        let indefinite = [
            0xbf, 0x7f, 0x62, b'n', b'a', 0x62, b'm', b'e', 0xff, 0x61, b'a', 0x62, b'a', b't',
            0xc1, 0xfb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0x66, b'v', b'a', b'l', b'u', b'e', b's',
            0x9f, 0x01, 0xf9, 0x41, 0x00, 0xff, 0xff,
        ];
        let expected = Point {
            name: Some("a".into()),
            at: DateTime::from_secs_f64(1.5),
            values: Some(vec![1.0, 2.5]),
        };
        assert_eq!(from_slice::<Point>(&definite).unwrap(), expected);
        assert_eq!(from_slice::<Point>(&indefinite).unwrap(), expected);
    }

    #[test]
    fn floats_of_every_width_and_specials() {
        assert!(from_slice::<f64>(&[0xf9, 0x7e, 0x00]).unwrap().is_nan());
        assert_eq!(
            from_slice::<f64>(&[0xf9, 0x7c, 0x00]).unwrap(),
            f64::INFINITY
        );
        assert_eq!(
            from_slice::<f64>(&[0xf9, 0xfc, 0x00]).unwrap(),
            f64::NEG_INFINITY
        );
        assert_eq!(from_slice::<f32>(&[0xf9, 0x3c, 0x00]).unwrap(), 1.0);
        assert_eq!(from_slice::<f64>(&[0x38, 0x63]).unwrap(), -100.0);
        let bytes = to_vec(&f64::NAN).unwrap();
        assert!(from_slice::<f64>(&bytes).unwrap().is_nan());
    }

    #[test]
    fn timestamps_are_tag_1_epoch_seconds() {
        let at = DateTime::from_secs_f64(1_700_000_000.0).unwrap();
        let bytes = to_vec(&at).unwrap();
        assert_eq!(bytes, [0xc1, 0x1a, 0x65, 0x53, 0xf1, 0x00]);
        assert_eq!(from_slice::<DateTime>(&bytes).unwrap(), at);
        let err = from_slice::<DateTime>(&[0xc0, 0x01]).unwrap_err();
        assert!(err.to_string().contains("tag 1"), "{err}");
    }

    #[test]
    fn hostile_bodies_are_errors() {
        assert!(
            from_slice::<i8>(&[0x19, 0x01, 0x00]).is_err(),
            "out of range"
        );
        assert!(from_slice::<Point>(&[0xa1, 0x64, b'n']).is_err(), "cut off");
        assert!(from_slice::<Point>(&[0x01]).is_err(), "not a map");
        assert!(
            from_slice::<String>(&[0x61, b'a', 0x00]).is_err(),
            "trailing bytes"
        );
        // A map of length 2^64 - 1 with nothing in it ends, with an error.
        let huge = [0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        assert!(from_slice::<Point>(&huge).is_err());
        // Deep nesting stops at MAX_DEPTH instead of exhausting the stack.
        let deep = vec![0x81; 100_000];
        assert!(from_slice::<Document>(&deep).is_err());
        let mut deep_skip = vec![0xa1, 0x61, b'z'];
        deep_skip.extend(vec![0x81; 100_000]);
        assert!(from_slice::<Point>(&deep_skip).is_err());
    }

    #[test]
    fn lists_and_maps_drop_nulls() {
        let list = from_slice::<Vec<String>>(&[0x82, 0xf6, 0x61, b'a']).unwrap();
        assert_eq!(list, ["a"]);
        let map: HashMap<String, i32> =
            from_slice(&[0xa2, 0x61, b'a', 0xf6, 0x61, b'b', 0x02]).unwrap();
        assert_eq!(map, HashMap::from([("b".to_owned(), 2)]));
    }
}
