//! The hand-written runtime that generated AWS service crates lean on.
//!
//! Generated crates hold only what differs between services (shapes, their
//! wire mapping, one method per operation). Everything that is the same for
//! every service lives here, once, compiled and tested as itself.
//!
//! # Layers
//!
//! The modules form layers; each uses only the layers listed before it
//! (a test, `layers_have_no_cycles`, reads the sources and holds them to
//! this order):
//!
//! 1. [`value`]: the value types that model shapes map to: [`Blob`],
//!    [`ByteStream`], [`DateTime`], [`Document`]. Leaves: they know no wire
//!    format.
//! 2. [`env`](mod@env): the environment variables configuration and
//!    credentials are read from, through a value tests can supply.
//! 3. [`transport`]: the transport seam, [`transport::HttpClient`], and the
//!    default HTTPS transport: `transport::async_https::HyperClient` (hyper
//!    on tokio) with the `rt-tokio` feature, `transport::https::UreqClient`
//!    (ureq, blocking) with `https` alone.
//! 4. [`credentials`]: [`Credentials`] and where they come from (fixed,
//!    environment variables, the shared `~/.aws` files with roles and SSO,
//!    web identity, containers, instance metadata, AWS IoT, or the standard
//!    chain of those), and the seam through which STS and SSO calls are
//!    sent ([`credentials::exchange`]).
//! 5. [`sigv4`]: AWS Signature Version 4 request signing.
//! 6. The core, protocol-agnostic: [`Config`] and [`Region`] ([`config`]),
//!    the call pipeline ([`operation`]: serialize, resolve the endpoint, sign,
//!    dispatch, retry, parse), [`error`] ([`SdkError`] and the pieces of an
//!    error response), [`retry`] (what is retried, from the error metadata
//!    the operation's protocol read), [`sleep`] (how retries wait),
//!    [`clock`] (how a wrong local clock is corrected), [`block_on`]
//!    (running a call without an async runtime), `token` (idempotency
//!    tokens), [`paginator`] (the pages of paginated operations) and
//!    [`waiter`] (polling an operation until its result says a state),
//!    [`event_receiver`] (the events of an event-stream output).
//! 7. `protocol`: how shapes travel on the wire: the JSON shape codec, the
//!    REST binding's helpers, one module per protocol (`rest_json`, `aws_json`). Only
//!    generated code calls it, through the facade below.
//! 8. [`testing`]: in-memory transports and an instant sleep for tests; a
//!    layer of its own, above the core, because its sleep implements the
//!    core's [`sleep::AsyncSleep`].
//!
//! The core never names a protocol: an [`operation::Operation`] brings its
//! own serializer, parser and error-metadata reader, and the pipeline calls
//! them.
//!
//! # Public API and the private facade
//!
//! The public API is what a user of a generated crate touches: [`Config`],
//! [`ConfigBuilder`], [`Region`], [`Credentials`] and the [`credentials`]
//! providers, [`SdkError`] and the [`error`] types, the value types, the
//! [`transport`] seam, [`sigv4`], [`operation`], [`paginator`], [`waiter`] and
//! [`testing`].
//!
//! What only generated code calls (codecs, binding helpers, protocol
//! modules, idempotency tokens, and the crates generated code names) is
//! reached through `__private`, which is hidden from the docs, is not API
//! and carries no semver promise: it changes whenever the generator does.
//!
//! # Features
//!
//! - none: the core only; calls need a transport
//!   ([`ConfigBuilder::http_client`]);
//! - `rt-tokio`: the default transport is `transport::async_https::HyperClient`
//!   (hyper, rustls). Inside a tokio runtime it is non-blocking and retries
//!   wait on tokio's timer, so `send().await` never blocks an executor
//!   thread nor takes one of its own; outside one, and in `send_blocking`,
//!   the same transport runs on a current-thread runtime of its own (one
//!   thread, started at the first such call);
//! - `https`: the blocking transport `transport::https::UreqClient` (ureq,
//!   rustls), the default one when `rt-tokio` is off: fit for
//!   [`block_on`](block_on::block_on) with no async runtime in the build;
//! - `stream`: `futures_core::Stream` for [`paginator::PageStream`] and
//!   [`paginator::ItemStream`];
//! - `serde`: `Serialize` / `Deserialize` for the value types;
//! - `content-md5`: `Content-MD5` checksums, for models whose operations
//!   require that header (the generator turns it on for them);
//! - `xml`: XML bodies and form-encoded query requests (awsQuery, EC2
//!   query, rest-xml), for models of those protocols (the generator turns
//!   it on);
//! - `event-stream`: the event-stream message format, for models with
//!   event-stream outputs (the generator turns it on).

pub mod value;

pub mod env;
mod executor;

pub mod endpoint;

pub mod transport;

pub mod credentials;

pub mod sigv4;

pub mod block_on;
pub mod clock;
pub mod config;
pub mod error;
pub mod event_receiver;
pub mod operation;
pub mod paginator;
pub mod retry;
pub mod sleep;
mod token;
pub mod user_agent;
pub mod waiter;

mod protocol;

pub mod testing;

pub use config::{Config, ConfigBuilder, ConfigOverride, Region};
pub use credentials::Credentials;
pub use error::{BuildError, RequestId, SdkError};
pub use value::{Blob, ByteStream, DateTime, DateTimeError, Document, TimestampFormat};

/// What generated code calls and nothing else should: **not API**.
///
/// Hidden from the docs and exempt from semver: these re-exports change
/// whenever the generator does. Generated crates name the runtime's
/// protocol helpers and the crates they build on only through here, so the
/// runtime's public API stays what users of a client touch.
#[doc(hidden)]
pub mod __private {
    #[cfg(feature = "content-md5")]
    pub use crate::protocol::checksum;
    #[cfg(feature = "event-stream")]
    pub use crate::protocol::event_stream;
    pub use crate::protocol::rest::{headers, param, uri};
    pub use crate::protocol::{aws_json, json, rest_json};
    #[cfg(feature = "cbor")]
    pub use crate::protocol::{cbor, rpc_v2_cbor};
    #[cfg(feature = "xml")]
    pub use crate::protocol::{query, rest_xml, xml};
    pub use crate::token::idempotency_token;

    pub use bytes;
    pub use http;
    pub use serde;
}

#[cfg(test)]
mod hostile_input;
#[cfg(test)]
mod layers;
