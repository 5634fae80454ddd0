//! Protocols: each chooses a shape codec ([`super::codec`]) and a binding
//! ([`super::binding`]) and supplies what is its own (content types, the
//! operation header, how error metadata is read).
//!
//! | protocol | codec | binding | module |
//! | --- | --- | --- | --- |
//! | rest-json | JSON | REST | [`rest_json`] |
//! | awsJson 1.0 / 1.1 | JSON | RPC | [`aws_json`] |
//! | awsQuery, EC2 query | query (form requests, XML responses) | RPC | [`query`] |
//! | Smithy RPC v2 CBOR | CBOR | RPC | [`rpc_v2_cbor`] |
//! | rest-xml | XML | REST | [`rest_xml`] |
//!
//! Adding a protocol means a module here (and a runtime module for its
//! helpers); the emitters for types, errors and the client do not change.

mod aws_json;
mod query;
mod rest_json;
mod rest_xml;
mod rpc_v2_cbor;

use proc_macro2::TokenStream;
use quote::quote;

use super::binding::error_from_response;
use super::codec::Codec;
use super::{inner_doc_attrs, is_error, shape_path};
use crate::ir::{Operation, Protocol, Service, ShapeKind};
use crate::naming::{derived, ident};

/// What the emitters need from a protocol.
trait Emitter {
    /// Its name in docs (`rest-json`, `awsJson 1.0`).
    fn name(&self) -> String;
    /// The codec of its bodies.
    fn codec(&self) -> &dyn Codec;
    /// An expression: the `ErrorMetadata` of the error response `response`.
    fn error_metadata(&self) -> TokenStream;
    /// `serialize_request`, `parse_response` and `parse_error` of `op`, and
    /// the body impls of its input and output.
    fn operation(&self, service: &Service, op: &Operation) -> TokenStream;
}

fn emitter(service: &Service) -> Box<dyn Emitter + '_> {
    match &service.protocol {
        Protocol::RestJson => Box::new(rest_json::RestJson),
        Protocol::AwsJson(settings) => Box::new(aws_json::AwsJson(settings)),
        Protocol::AwsQuery => Box::new(query::Query::new(service, false)),
        Protocol::Ec2Query => Box::new(query::Query::new(service, true)),
        Protocol::RpcV2Cbor(settings) => Box::new(rpc_v2_cbor::RpcV2Cbor(settings)),
        Protocol::RestXml => Box::new(rest_xml::RestXml::new(service)),
    }
}

/// The protocol's name in docs (`rest-json`, `awsJson 1.0`).
pub fn name(service: &Service) -> String {
    emitter(service).name()
}

/// An expression: the `ErrorMetadata` of the error response `response`, as
/// the service's protocol reads it (for the retry decision and the parser).
pub fn error_metadata(service: &Service) -> TokenStream {
    emitter(service).error_metadata()
}

/// `src/protocol/shapes.rs`: the codec's impls for every emitted shape, in
/// the directions it travels, and `from_response` for error shapes.
pub fn shapes_rs(service: &Service) -> TokenStream {
    let protocol = emitter(service);
    let codec = protocol.codec();
    let items =
        service.shapes.iter().filter(|s| s.emitted).map(|shape| {
            // An event stream is read message by message (see the binding),
            // never as one value of the codec.
            let impls = match &shape.kind {
                ShapeKind::Union(union) if union.event_stream.is_some() => TokenStream::new(),
                _ => codec.shape_impls(service, shape),
            };
            let from_response =
                match &shape.kind {
                    ShapeKind::Structure(structure) if is_error(shape) => Some(
                        error_from_response(service, codec, &shape_path(shape), structure),
                    ),
                    _ => None,
                };
            quote!(#impls #from_response)
        });
    let docs = inner_doc_attrs(&[format!(
        "{} (de)serialization of the service's data types.",
        codec.name()
    )]);
    quote! {
        #docs
        #(#items)*
    }
}

/// `src/protocol/<operation>.rs`: `serialize_request`, `parse_response`, and
/// the body impls of the operation's input and output.
///
/// These files define no item named after the model, so they import the
/// operation's types and use prelude names freely.
pub fn operation_rs(service: &Service, op: &Operation) -> TokenStream {
    let protocol = emitter(service);
    let module = ident(&op.module);
    let input = ident(&op.input.rust_name);
    let output = ident(&op.output.rust_name);
    let error = ident(&derived::operation_error(&op.rust_name));
    let items = protocol.operation(service, op);
    let docs = inner_doc_attrs(&[
        format!("The {} wire mapping of `{}`.", protocol.name(), op.name),
        String::new(),
        "Sans-IO: the input becomes an `http::Request`, an `http::Response` becomes the output or the error."
            .to_owned(),
    ]);
    quote! {
        #docs

        use ::sdk_runtime::transport::{HttpRequest, HttpResponse};
        use ::sdk_runtime::operation::ResponseFailure;
        use ::sdk_runtime::BuildError;

        use crate::operation::#module::{#error, #input, #output};

        #items
    }
}
