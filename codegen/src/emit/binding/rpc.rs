//! The RPC binding: every request is a `POST` to one path per protocol (and
//! operation) with the whole input as the body (an empty value of the codec
//! when the input has no members; no body at all in protocols that say so
//! when the operation has no input); a successful response's body is the
//! whole output.
//! Members carry no HTTP binding traits (resolution put them all in the
//! body). Bodies go through a [`Codec`].

use proc_macro2::TokenStream;
use quote::quote;

use super::{checksum, finish_request, host_prefix, parse_error};
use crate::emit::codec::Codec;
use crate::emit::{doc_attrs, doc_line};
use crate::ir::{Member, Operation, Service};
use crate::naming::{derived, ident};

/// What an RPC protocol adds to the binding.
pub struct Rpc {
    /// The request path (`/`; `/service/{name}/operation/{operation}`),
    /// already a valid URI path.
    pub path: String,
    /// `(name, value)` headers of every request with a body, names in lower
    /// case, values checked when the model was resolved (`Content-Type`).
    pub body_headers: Vec<(String, String)>,
    /// `(name, value)` headers of every request (`X-Amz-Target`).
    pub headers: Vec<(String, String)>,
    /// An expression: the body (`Vec<u8>`) of an input without members.
    pub empty_body: TokenStream,
    /// Whether an operation that names no input sends no body (and none of
    /// the `body_headers`).
    pub no_input_no_body: bool,
    /// An expression reading an error response's `ErrorMetadata` from `response`.
    pub error_metadata: TokenStream,
}

/// The body impls of the operation's input and output.
///
/// An output's event stream is not part of its body: the stream's
/// `initial-response` message carries the other members.
pub fn body_impls(service: &Service, codec: &dyn Codec, op: &Operation) -> TokenStream {
    let input = ident(&op.input.rust_name);
    let output = ident(&op.output.rust_name);
    let input_body = (!op.input.structure.members.is_empty())
        .then(|| codec.input_body(&quote!(#input), &all(&op.input.structure.members)));
    let members = output_members(service, op);
    let output_body = (!members.is_empty())
        .then(|| codec.output_body(&quote!(#output), &op.output.rust_name, &members));
    quote!(#input_body #output_body)
}

/// The output's members read from its body: all but an event stream.
fn output_members<'a>(service: &Service, op: &'a Operation) -> Vec<&'a Member> {
    let stream = service
        .event_stream_member(&op.output.structure)
        .map(|(i, ..)| i);
    op.output
        .structure
        .members
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != stream)
        .map(|(_, m)| m)
        .collect()
}

/// `serialize_request` of `op`.
pub fn serialize_request(codec: &dyn Codec, rpc: &Rpc, op: &Operation) -> TokenStream {
    let input = ident(&op.input.rust_name);
    let has_members = !op.input.structure.members.is_empty();
    let uses_input = has_members || op.host_prefix.is_some();
    let input_binding = if uses_input {
        quote!(input)
    } else {
        quote!(_input)
    };
    let no_body = rpc.no_input_no_body && op.input.source.is_none();
    let body_headers: &[(String, String)] = if no_body { &[] } else { &rpc.body_headers };
    let headers = body_headers
        .iter()
        .chain(&rpc.headers)
        .map(|(name, value)| {
            quote! {
                request.headers_mut().insert(
                    ::sdk_runtime::__private::http::HeaderName::from_static(#name),
                    ::sdk_runtime::__private::http::HeaderValue::from_static(#value),
                );
            }
        });
    let body = if has_members {
        codec.write_body(quote!(input))
    } else if no_body {
        quote!(::std::vec::Vec::new())
    } else {
        rpc.empty_body.clone()
    };
    let path = &rpc.path;
    let host_prefix = host_prefix(op);
    let checksum = checksum(op);
    let finish = finish_request();
    let doc = doc_attrs(&[
        format!("Builds the HTTP request of `{}` for `input`.", op.name),
        String::new(),
        "The URI holds the path only; the client prefixes the endpoint.".to_owned(),
    ]);
    quote! {
        #doc
        pub fn serialize_request(#input_binding: &#input) -> Result<HttpRequest, BuildError> {
            let mut request = HttpRequest::new(::sdk_runtime::__private::bytes::Bytes::new());
            *request.method_mut() = ::sdk_runtime::__private::http::Method::POST;
            *request.uri_mut() = ::sdk_runtime::__private::http::Uri::from_static(#path);
            #host_prefix
            #(#headers)*
            let body = #body;
            #checksum
            #finish
        }
    }
}

/// `parse_response` and `parse_error` of `op`.
pub fn parse_response(
    service: &Service,
    codec: &dyn Codec,
    rpc: &Rpc,
    op: &Operation,
) -> TokenStream {
    let output = ident(&op.output.rust_name);
    let error = ident(&derived::operation_error(&op.rust_name));
    let read = codec.read_body(Some(quote!(#output)));
    let has_body = !output_members(service, op).is_empty();
    let (value, read_event) = match super::event_stream(service, codec, &op.output.structure) {
        // The output's other members are the first message's, an
        // `initial-response` event, when the stream starts with one.
        Some((init, read_event)) => {
            let base = if has_body {
                quote! {
                    match ::sdk_runtime::__private::event_stream::initial_response(response.body())
                        .map_err(ResponseFailure::malformed)?
                    {
                        Some(payload) => {
                            let response =
                                &::sdk_runtime::__private::event_stream::with_body(response, payload);
                            #read.map_err(ResponseFailure::malformed)?
                        }
                        None => #output::default(),
                    }
                }
            } else {
                quote!(#output::default())
            };
            (quote!(#output { #init ..#base }), Some(read_event))
        }
        None if has_body => (quote!(#read.map_err(ResponseFailure::malformed)?), None),
        None => (quote!(#output::default()), None),
    };
    let parse_error = parse_error(service, op, &rpc.error_metadata);
    let doc = doc_line(&format!(
        "Parses a response to `{}` into its output or its error.",
        op.name
    ));
    quote! {
        #doc
        pub fn parse_response(response: &HttpResponse) -> Result<#output, ResponseFailure<#error>> {
            if !response.status().is_success() {
                return Err(parse_error(response));
            }
            let output = #value;
            Ok(output)
        }

        #read_event

        #parse_error
    }
}

fn all(members: &[Member]) -> Vec<&Member> {
    members.iter().collect()
}
