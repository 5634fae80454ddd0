//! How shapes travel on the wire: shape codecs, bindings, and one module per
//! protocol.
//!
//! A protocol is a *shape codec* (how a value is written and read: JSON
//! today) and a *binding* (where the members of an operation's input and
//! output go: the REST binding puts them in the URI, headers, status and
//! body). Each protocol's module chooses a codec and a binding and adds what
//! is its own (content types, where an error response puts its code):
//!
//! - [`json`]: the JSON codec of the AWS JSON protocols;
//! - [`rest`]: the REST binding's helpers: [`rest::uri`] (labels, query),
//!   [`rest::headers`], and [`rest::param`], the text form of a value in them;
//! - [`rest_json`]: rest-json, the REST binding with JSON bodies;
//! - [`aws_json`]: awsJson 1.0 and 1.1, the RPC binding with JSON bodies
//!   (the RPC binding needs no helpers: a fixed path and constant headers);
//! - `xml` (feature `xml`): the XML codec, quick-xml into a small element
//!   tree and quick-xml's writer;
//! - `query` (feature `xml`): awsQuery and EC2 query, form-encoded requests
//!   on the RPC binding with XML responses;
//! - `rest_xml` (feature `xml`): rest-xml, the REST binding with XML
//!   bodies: documents with a named root, wrapped and unwrapped errors;
//! - `cbor` (feature `cbor`): the CBOR codec on minicbor;
//! - `rpc_v2_cbor` (feature `cbor`): Smithy RPC v2 CBOR, the RPC binding with
//!   CBOR bodies: error codes, `x-amzn-query-error`;
//! - `event_stream` (feature `event-stream`): the event-stream message
//!   format (`application/vnd.amazon.eventstream`): framing, CRCs, headers;
//! - `checksum` (feature `content-md5`): request checksums some models require.
//!
//! This layer sits above the core: it builds requests and reads responses
//! with the core's types ([`BuildError`](crate::BuildError),
//! [`ErrorMetadata`](crate::error::ErrorMetadata)) and the value types; the
//! core never names a protocol. Generated code reaches these modules through
//! `sdk_runtime::__private`; they are not API.

pub mod aws_json;
#[cfg(feature = "cbor")]
pub mod cbor;
#[cfg(feature = "content-md5")]
pub mod checksum;
#[cfg(feature = "event-stream")]
pub mod event_stream;
pub mod json;
#[cfg(feature = "xml")]
pub mod query;
pub mod rest;
pub mod rest_json;
#[cfg(feature = "xml")]
pub mod rest_xml;
#[cfg(feature = "cbor")]
pub mod rpc_v2_cbor;
#[cfg(feature = "xml")]
pub mod xml;
