//! Generates Rust crates from AWS JSON service models (rest-json).
//!
//! The pipeline, one module per stage:
//!
//! 1. [`model`] — load: serde types mirroring the JSON format;
//! 2. [`resolve`] — check every reference, decide every Rust name (with
//!    [`naming`]), box recursion, convert docs (with [`docs`]), giving the [`ir`];
//! 3. [`emit`] — the IR becomes tokens, one module per concern;
//! 4. [`mod@format`] — tokens become formatted source with a generated-file header.
//!
//! The library is pure: model text in, file contents out. Writing files and
//! checking for drift is `xtask`'s job.

pub mod docs;
pub mod emit;
pub mod error;
pub mod format;
pub mod ir;
pub mod model;
pub mod naming;
pub mod resolve;

use std::collections::BTreeMap;

pub use emit::Options;
pub use error::Error;

/// A generated crate: its directory name and its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedCrate {
    /// The crate's package name, which is also its directory name.
    pub name: String,
    /// File contents by path relative to the crate's directory, `/`-separated.
    pub files: BTreeMap<String, String>,
}

/// Generates the crate for the model at `path` (as named in headers and
/// errors, e.g. `model/iot-jobs-data-plane.json`) whose text is `text`.
pub fn generate(path: &str, text: &str, options: &Options) -> Result<GeneratedCrate, Error> {
    let model = model::parse(path, text)?;
    let service = resolve::resolve(path, &model)?;
    let files = emit::emit(&service, options);
    let mut out = BTreeMap::new();
    for (file, content) in files {
        let text = match content {
            emit::Output::Rust(tokens) => format::rust_file(path, &file, tokens)?,
            emit::Output::Text(text) => format::text_file(path, &text),
        };
        out.insert(file, text);
    }
    Ok(GeneratedCrate {
        name: service.crate_name,
        files: out,
    })
}
