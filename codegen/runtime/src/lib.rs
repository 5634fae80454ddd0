//! The hand-written runtime that generated AWS service crates lean on.
//!
//! Generated crates hold only what differs between services (shapes, their
//! wire mapping, one method per operation). Everything that is the same for
//! every service lives here, once, compiled and tested as itself:
//!
//! - [`Config`], [`Credentials`] and [`Region`]: what a client is built from,
//!   by hand or from the environment ([`Config::from_env`]);
//! - [`credentials`]: where credentials come from (fixed, environment
//!   variables, the shared `~/.aws` files, or a chain of those), and
//!   [`env`](mod@env), the environment they are read through;
//! - [`sigv4`]: AWS Signature Version 4 request signing;
//! - [`http::HttpClient`]: the transport seam, with an in-memory
//!   implementation in [`testing`] and, with the `https` feature, the default
//!   HTTPS transport in `transport`;
//! - [`operation`]: the call pipeline (serialize, resolve the endpoint,
//!   sign, dispatch, retry, parse) shared by every operation; [`retry`] says
//!   what is retried, [`sleep`] how it waits, [`clock`] how a wrong local
//!   clock is corrected;
//! - [`error`]: [`SdkError`] and the pieces of an error response;
//! - [`json`], [`uri`], [`param`] and [`rest_json`]: the rest-json protocol
//!   helpers the generated serializers call;
//! - [`Blob`]: the value types that model shapes map to.
//!
//! # Features
//!
//! - none: the core only; calls need a transport
//!   ([`ConfigBuilder::http_client`]);
//! - `https`: the default transport, `transport::UreqClient` (ureq, rustls),
//!   used when none is configured; blocking, so fit for
//!   [`block_on`](block_on::block_on) without any async runtime;
//! - `rt-tokio` (implies `https`): inside a tokio runtime the transport runs
//!   on tokio's blocking pool and retries wait on tokio's timer, so
//!   `send().await` never blocks an executor thread;
//! - `serde`: `Serialize` / `Deserialize` for the value types;
//! - `content-md5`: `checksum::content_md5`, for models whose operations
//!   require a `Content-MD5` header (the generator turns it on for them).

pub mod blob;
pub mod block_on;
pub mod byte_stream;
#[cfg(feature = "content-md5")]
pub mod checksum;
pub mod clock;
pub mod config;
pub mod credentials;
pub mod datetime;
pub mod env;
pub mod error;
pub mod headers;
pub mod http;
pub mod json;
pub mod operation;
pub mod param;
pub mod rest_json;
pub mod retry;
pub mod sigv4;
pub mod sleep;
pub mod testing;
pub mod token;
#[cfg(feature = "https")]
pub mod transport;
pub mod uri;

pub use blob::Blob;
pub use byte_stream::ByteStream;
pub use config::{Config, ConfigBuilder, Region};
pub use credentials::Credentials;
pub use datetime::{DateTime, TimestampFormat};
pub use error::{BuildError, SdkError};
pub use json::Document;

/// Re-exported so generated crates need no direct dependency on these crates.
#[doc(hidden)]
pub mod deps {
    pub use bytes;
    pub use http;
    pub use serde;
}
