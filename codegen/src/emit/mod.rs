//! Emit: the IR becomes Rust tokens, one module per concern.
//!
//! - `types`: structures, enums and their builders;
//! - `errors`: error shapes, per-operation error enums, the service-wide `Error`;
//! - `protocol`: the wire mapping, as sans-IO functions: per protocol a
//!   module that chooses a shape codec (`codec`: JSON) and a binding
//!   (`binding`: REST or RPC);
//! - `client`: `Client`, operation modules and fluent builders;
//! - `helpers`: paginators and waiters;
//! - `crate_files`: `Cargo.toml`, `lib.rs` and module lists.
//!
//! Emitters only read the IR: every name was decided by [`crate::resolve`].
//! Items are produced in IR order (shapes and operations sorted by model
//! name), so output never depends on hashing.

mod binding;
mod client;
mod codec;
mod crate_files;
mod errors;
mod helpers;
mod protocol;
mod types;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Member, Operation, Service, Shape, ShapeId, ShapeKind, TimestampFormat, Union};
use crate::naming::ident;

/// How a crate is generated: where it finds the runtime crate, and which
/// operations of the model it holds.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Path of `codegen/runtime` relative to the generated crate's directory.
    pub runtime_path: String,
    /// Path of `codegen/credentials` (the `sdk-credentials` crate) relative
    /// to the generated crate's directory: the crate gets a `credentials`
    /// feature, on by default, that installs its STS and SSO exchange in
    /// every client (see [`crate::naming::is_credentials_service`] for the
    /// crates that cannot have it). `None`: no such feature.
    pub credentials_path: Option<String>,
    /// Only these operations (model names), and the shapes and errors they
    /// reach; `None`: every operation. The rest are listed as left out.
    pub operations: Option<Vec<String>>,
    /// `#![deny(warnings)]` in the crate's `lib.rs`: for the project's test
    /// crates, so that a plain `cargo test` fails on any warning in them.
    pub deny_warnings: bool,
}

/// One file of a generated crate, before formatting.
pub enum Output {
    /// Rust source, formatted by [`crate::format`].
    Rust(TokenStream),
    /// Any other text (`Cargo.toml`), written as is after the header.
    Text(String),
}

/// One file of a generated crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum File {
    CargoToml,
    RustfmtToml,
    Lib,
    Client,
    ServiceError,
    Types,
    TypesBuilders,
    ErrorShapes,
    ErrorShapeBuilders,
    OperationList,
    ProtocolList,
    ProtocolShapes,
    /// `src/waiters.rs`, when the service has waiters.
    Waiters,
    /// The module of operation `n` (index into `Service::operations`).
    Operation(usize),
    /// The wire mapping of operation `n`.
    Protocol(usize),
}

impl File {
    /// The file's path relative to the crate's directory.
    pub fn path(self, service: &Service) -> String {
        match self {
            File::CargoToml => "Cargo.toml".to_owned(),
            File::RustfmtToml => "rustfmt.toml".to_owned(),
            File::Lib => "src/lib.rs".to_owned(),
            File::Client => "src/client.rs".to_owned(),
            File::ServiceError => "src/error.rs".to_owned(),
            File::Types => "src/types.rs".to_owned(),
            File::TypesBuilders => "src/types/builders.rs".to_owned(),
            File::ErrorShapes => "src/types/error.rs".to_owned(),
            File::ErrorShapeBuilders => "src/types/error/builders.rs".to_owned(),
            File::OperationList => "src/operation.rs".to_owned(),
            File::ProtocolList => "src/protocol.rs".to_owned(),
            File::ProtocolShapes => "src/protocol/shapes.rs".to_owned(),
            File::Waiters => "src/waiters.rs".to_owned(),
            File::Operation(n) => format!("src/operation/{}.rs", service.operations[n].module),
            File::Protocol(n) => format!("src/protocol/{}.rs", service.operations[n].module),
        }
    }
}

/// Every file of the crate for `service`.
pub fn files(service: &Service) -> Vec<File> {
    let mut files = vec![
        File::CargoToml,
        File::RustfmtToml,
        File::Lib,
        File::Client,
        File::ServiceError,
        File::Types,
        File::TypesBuilders,
        File::ErrorShapes,
        File::ErrorShapeBuilders,
        File::OperationList,
        File::ProtocolList,
        File::ProtocolShapes,
    ];
    if !service.waiters.is_empty() {
        files.push(File::Waiters);
    }
    for n in 0..service.operations.len() {
        files.push(File::Operation(n));
        files.push(File::Protocol(n));
    }
    files
}

/// Emits one file of the crate for `service`. Files are independent, so
/// they can be emitted in any order, or at once.
pub fn emit_file(service: &Service, options: &Options, file: File) -> Output {
    match file {
        File::CargoToml => Output::Text(crate_files::cargo_toml(service, options)),
        File::RustfmtToml => Output::Text(crate_files::rustfmt_toml()),
        File::Lib => Output::Rust(crate_files::lib_rs(service, options)),
        File::Client => Output::Rust(client::client_rs(
            service,
            crate_files::has_credentials_feature(service, options),
        )),
        File::ServiceError => Output::Rust(errors::service_error_rs(service)),
        File::Types => Output::Rust(types::types_rs(service)),
        File::TypesBuilders => Output::Rust(types::builders_rs(service, false)),
        File::ErrorShapes => Output::Rust(errors::error_shapes_rs(service)),
        File::ErrorShapeBuilders => Output::Rust(types::builders_rs(service, true)),
        File::OperationList => Output::Rust(crate_files::operation_rs(service)),
        File::ProtocolList => Output::Rust(crate_files::protocol_rs(service)),
        File::ProtocolShapes => Output::Rust(protocol::shapes_rs(service)),
        File::Waiters => Output::Rust(helpers::waiters_rs(service)),
        File::Operation(n) => Output::Rust(client::operation_rs(service, &service.operations[n])),
        File::Protocol(n) => Output::Rust(protocol::operation_rs(service, &service.operations[n])),
    }
}

/// Documentation lines as doc comments can hold them: model names that
/// [`crate::docs`] did not convert (quoted in the generator's own lines) may
/// hold line breaks and control characters.
fn clean_doc_lines(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .flat_map(|line| crate::docs::clean_lines(line))
        .collect()
}

/// `#[doc]` attributes for documentation lines.
fn doc_attrs(lines: &[String]) -> TokenStream {
    let lines = clean_doc_lines(lines);
    let lines = lines.iter().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#[doc = #line])
    });
    quote!(#(#lines)*)
}

/// One `#[doc]` attribute.
fn doc_line(line: &str) -> TokenStream {
    doc_attrs(&[line.to_owned()])
}

/// `#[doc]` attributes for `lines`, or for `fallback` when there are none.
fn docs_or(lines: &[String], fallback: impl FnOnce() -> String) -> TokenStream {
    if lines.is_empty() {
        doc_attrs(&[fallback()])
    } else {
        doc_attrs(lines)
    }
}

/// `//!` attributes for documentation lines.
fn inner_doc_attrs(lines: &[String]) -> TokenStream {
    let lines = clean_doc_lines(lines);
    let lines = lines.iter().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#![doc = #line])
    });
    quote!(#(#lines)*)
}

/// Whether the shape is an error structure.
fn is_error(shape: &Shape) -> bool {
    matches!(&shape.kind, ShapeKind::Structure(s) if s.error.is_some())
}

/// The path of an emitted shape's type.
fn shape_path(shape: &Shape) -> TokenStream {
    let name = ident(&shape.rust_name);
    if is_error(shape) {
        quote!(crate::types::error::#name)
    } else {
        quote!(crate::types::#name)
    }
}

/// The Rust type of values of shape `id`.
fn rust_type(service: &Service, id: ShapeId) -> TokenStream {
    let shape = service.shape(id);
    match &shape.kind {
        ShapeKind::String => quote!(::std::string::String),
        ShapeKind::Boolean => quote!(bool),
        ShapeKind::Byte => quote!(i8),
        ShapeKind::Short => quote!(i16),
        ShapeKind::Integer => quote!(i32),
        ShapeKind::Long => quote!(i64),
        ShapeKind::Float => quote!(f32),
        ShapeKind::Double => quote!(f64),
        ShapeKind::Blob => quote!(::sdk_runtime::Blob),
        ShapeKind::StreamingBlob => quote!(::sdk_runtime::ByteStream),
        ShapeKind::Timestamp { .. } => quote!(::sdk_runtime::DateTime),
        ShapeKind::Document => quote!(::sdk_runtime::Document),
        ShapeKind::List { member } => {
            let member = rust_type(service, *member);
            quote!(::std::vec::Vec<#member>)
        }
        ShapeKind::Map { value, .. } => {
            let value = rust_type(service, *value);
            quote!(::std::collections::HashMap<::std::string::String, #value>)
        }
        ShapeKind::Union(Union {
            event_stream: Some(stream),
            ..
        }) => {
            let events = shape_path(shape);
            let error = ident(&stream.error_rust_name);
            quote!(::sdk_runtime::event_receiver::EventReceiver<#events, crate::types::error::#error>)
        }
        ShapeKind::Enum(_) | ShapeKind::Structure(_) | ShapeKind::Union(_) => shape_path(shape),
    }
}

/// The runtime's name for a timestamp format.
fn timestamp_format(format: TimestampFormat) -> TokenStream {
    match format {
        TimestampFormat::EpochSeconds => quote!(::sdk_runtime::TimestampFormat::EpochSeconds),
        TimestampFormat::DateTime => quote!(::sdk_runtime::TimestampFormat::DateTime),
        TimestampFormat::HttpDate => quote!(::sdk_runtime::TimestampFormat::HttpDate),
    }
}

/// How a member's value is handed to and from users.
enum ValueKind {
    /// `String`: setters take `impl Into<String>`, getters return `&str`.
    String,
    /// Plain `Copy` scalars: getters return the value.
    Copy,
    /// A list: setters append one item, getters return a slice.
    List(ShapeId),
    /// A map: setters insert one pair.
    Map(ShapeId),
    /// Anything else, taken and returned as the type itself.
    Other,
}

fn value_kind(service: &Service, id: ShapeId) -> ValueKind {
    match &service.shape(id).kind {
        ShapeKind::String => ValueKind::String,
        ShapeKind::Boolean
        | ShapeKind::Byte
        | ShapeKind::Short
        | ShapeKind::Integer
        | ShapeKind::Long
        | ShapeKind::Float
        | ShapeKind::Double
        | ShapeKind::Timestamp { .. } => ValueKind::Copy,
        ShapeKind::List { member } => ValueKind::List(*member),
        ShapeKind::Map { value, .. } => ValueKind::Map(*value),
        ShapeKind::Blob
        | ShapeKind::StreamingBlob
        | ShapeKind::Document
        | ShapeKind::Enum(_)
        | ShapeKind::Structure(_)
        | ShapeKind::Union(_) => ValueKind::Other,
    }
}

/// The parameter type and conversion for a setter taking one value of shape `id`.
fn setter_param(service: &Service, id: ShapeId) -> (TokenStream, TokenStream) {
    match &service.shape(id).kind {
        ShapeKind::String => (
            quote!(impl ::std::convert::Into<::std::string::String>),
            quote!(.into()),
        ),
        ShapeKind::Blob => (
            quote!(impl ::std::convert::Into<::sdk_runtime::Blob>),
            quote!(.into()),
        ),
        ShapeKind::StreamingBlob => (
            quote!(impl ::std::convert::Into<::sdk_runtime::ByteStream>),
            quote!(.into()),
        ),
        _ => (rust_type(service, id), quote!()),
    }
}

/// The field type of a member: always optional, boxed when recursive.
fn field_type(service: &Service, member: &Member) -> TokenStream {
    let ty = rust_type(service, member.target);
    if member.boxed {
        quote!(::std::option::Option<::std::boxed::Box<#ty>>)
    } else {
        quote!(::std::option::Option<#ty>)
    }
}

/// The identifier of a member's field and methods.
fn member_ident(member: &Member) -> proc_macro2::Ident {
    ident(&member.rust_name)
}

/// A member's documentation, or a line naming it.
fn member_docs(member: &Member) -> TokenStream {
    docs_or(&member.docs, || format!("The `{}` member.", member.name))
}

/// For a setter of a required member, a paragraph saying so: `method`
/// (`build`, `send`) fails with an error naming the member until it is set.
/// Empty for optional members.
fn required_docs(member: &Member, method: &str) -> TokenStream {
    if !member.required {
        return TokenStream::new();
    }
    doc_attrs(&[
        String::new(),
        format!(
            "**Required**: `{method}` returns an error naming `{}` until it is set.",
            member.rust_name
        ),
    ])
}

/// A value for a required member in the crate's example, when its shape
/// has a one-token example (strings, enums, numbers, booleans).
fn example_value(service: &Service, member: &Member) -> Option<TokenStream> {
    let shape = service.shape(member.target);
    Some(match &shape.kind {
        ShapeKind::String => quote!("example"),
        ShapeKind::Enum(variants) => {
            let ty = ident(&shape.rust_name);
            let variant = ident(&variants.first()?.rust_name);
            quote!(types::#ty::#variant)
        }
        ShapeKind::Boolean => quote!(true),
        ShapeKind::Byte | ShapeKind::Short | ShapeKind::Integer | ShapeKind::Long => quote!(1),
        ShapeKind::Float | ShapeKind::Double => quote!(1.0),
        _ => return None,
    })
}

/// The `types` import of a doc example whose setters (from
/// [`example_setters`]) name an enum, else nothing.
fn example_types_import(service: &Service, op: &Operation) -> Option<TokenStream> {
    op.input
        .structure
        .members
        .iter()
        .any(|m| m.required && matches!(service.shape(m.target).kind, ShapeKind::Enum(_)))
        .then(|| quote!(types,))
}

/// Setters for an operation's required members in doc examples, when each
/// has a one-token example value (see [`example_value`]).
fn example_setters(service: &Service, op: &Operation) -> Option<Vec<TokenStream>> {
    op.input
        .structure
        .members
        .iter()
        .filter(|m| m.required && !m.idempotency_token)
        .map(|m| {
            let setter = ident(&m.rust_name);
            example_value(service, m).map(|value| quote!(.#setter(#value)))
        })
        .collect()
}
