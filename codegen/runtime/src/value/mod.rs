//! The value types that model shapes map to: [`Blob`], [`ByteStream`],
//! [`DateTime`] and [`Document`].
//!
//! The bottom layer of the runtime: these modules use nothing else of the
//! crate. How a value is written on the wire is the business of the
//! protocols' codecs, not the value's.

mod blob;
mod byte_stream;
pub(crate) mod datetime;
mod document;

pub use blob::Blob;
pub use byte_stream::ByteStream;
pub use datetime::{DateTime, DateTimeError, TimestampFormat};
pub use document::Document;
