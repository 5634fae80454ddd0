//! Bindings: where a protocol puts values in an HTTP message.
//!
//! - [`rest`]: URI labels, query, headers, payload and status code, the
//!   rest of the input as a body (rest-json, rest-xml);
//! - [`rpc`]: one fixed path, the operation named in a header, the whole
//!   input as the body (awsJson; RPC v2 CBOR later).
//!
//! A binding writes and reads bodies through a [`Codec`]; what the
//! bindings share (host prefixes, checksums, error dispatch, error shapes'
//! `from_response`) is here.

pub mod rest;
pub mod rpc;

use proc_macro2::TokenStream;
use quote::quote;

use super::codec::Codec;
use super::errors::message_member;
use super::{doc_line, member_ident, shape_path, timestamp_format};
use crate::ir::{
    Location, Member, Operation, PathSegment, Service, Shape, ShapeId, ShapeKind, Structure,
};
use crate::naming::{derived, ident};

/// `from_response` of an error shape: its body and headers, with the message
/// taken from wherever the response carried it.
pub fn error_from_response(
    service: &Service,
    codec: &dyn Codec,
    path: &TokenStream,
    structure: &Structure,
) -> TokenStream {
    let fill_message = message_member(service, structure).map(|member| {
        let field = member_ident(member);
        quote! {
            if error.#field.is_none() {
                error.#field = meta.message().map(ToOwned::to_owned);
            }
        }
    });
    let fields = response_bindings(service, structure, &quote!());
    let index = header_index(structure);
    let read = codec.read_body(None);
    let binding = if fill_message.is_some() {
        quote!(mut error)
    } else {
        quote!(error)
    };
    let unused_meta = fill_message.is_none().then(|| quote!(let _ = meta;));
    let value = with_fields(
        &quote!(Self),
        &fields,
        structure.members.len(),
        quote!(body),
    );
    quote! {
        impl #path {
            /// Parses this error from an error response.
            pub(crate) fn from_response(
                response: &::sdk_runtime::transport::HttpResponse,
                meta: &::sdk_runtime::error::ErrorMetadata,
            ) -> Result<Self, ::sdk_runtime::error::BoxError> {
                let body: Self = #read?;
                #index
                let #binding = #value;
                #fill_message
                #unused_meta
                Ok(error)
            }
        }
    }
}
/// The item type of a list member, for header and query lists.
pub fn list_item<'a>(service: &'a Service, member: &Member) -> Option<&'a Shape> {
    match &service.shape(member.target).kind {
        ShapeKind::List { member } => Some(service.shape(*member)),
        _ => None,
    }
}

/// `let headers = ...;`, the response's headers indexed once, when
/// `structure` binds members to headers (see [`response_bindings`]).
pub fn header_index(structure: &Structure) -> Option<TokenStream> {
    structure
        .members
        .iter()
        .any(|m| matches!(m.location, Location::Header | Location::Headers))
        .then(|| {
            quote! {
                let headers = ::sdk_runtime::__private::headers::HeaderIndex::new(response.headers());
            }
        })
}

/// Field initializers (`field: value,`) for the members bound to headers and
/// the status code; `map_err` turns a parse failure into the caller's error.
/// Header reads take `headers`, which [`header_index`] declares.
pub fn response_bindings(
    service: &Service,
    structure: &Structure,
    map_err: &TokenStream,
) -> Vec<TokenStream> {
    structure
        .members
        .iter()
        .filter_map(|member| {
            let field = member_ident(member);
            // Lowercase, as `HeaderIndex` keeps names (HTTP's are of any case).
            let wire = member.wire_name.to_ascii_lowercase();
            let name = &member.rust_name;
            let headers = quote!(&headers);
            let read = match member.location {
                Location::Header if member.json_value => {
                    quote!(::sdk_runtime::__private::headers::read_json_value(#headers, #wire, #name))
                }
                Location::Header => match (list_item(service, member), member.timestamp_format) {
                    (Some(_), Some(format)) => {
                        let format = timestamp_format(format);
                        quote!(::sdk_runtime::__private::headers::read_timestamp_list(#headers, #wire, #name, #format))
                    }
                    (Some(_), None) => quote!(::sdk_runtime::__private::headers::read_list(#headers, #wire, #name)),
                    (None, Some(format)) => {
                        let format = timestamp_format(format);
                        quote!(::sdk_runtime::__private::headers::read_timestamp(#headers, #wire, #name, #format))
                    }
                    (None, None) => quote!(::sdk_runtime::__private::headers::read(#headers, #wire, #name)),
                },
                Location::Headers => quote!(::sdk_runtime::__private::headers::read_prefixed(#headers, #wire, #name)),
                Location::StatusCode => {
                    return Some(quote!(#field: Some(i32::from(response.status().as_u16())),));
                }
                Location::Body | Location::Uri | Location::Query => return None,
            };
            Some(quote!(#field: #read #map_err?,))
        })
        .collect()
}

/// `Type { fields, ..base }`, or just `base` when there are no fields, and no
/// `..base` when the fields cover every member.
pub fn with_fields(
    ty: &TokenStream,
    fields: &[TokenStream],
    members: usize,
    base: TokenStream,
) -> TokenStream {
    if fields.is_empty() {
        base
    } else if fields.len() == members {
        quote!(#ty { #(#fields)* })
    } else {
        quote!(#ty { #(#fields)* ..#base })
    }
}
/// An expression for the member's value as something `ToParam` (`Option<_>`),
/// timestamps formatted as the member says.
pub fn param_value(member: &Member) -> TokenStream {
    let field = member_ident(member);
    match member.timestamp_format {
        Some(format) => {
            let format = timestamp_format(format);
            quote!(input.#field.as_ref().map(|value| ::sdk_runtime::__private::param::Formatted(value, #format)))
        }
        None => quote!(input.#field.as_ref()),
    }
}

/// Like [`param_value`] for list members: `Option<impl IntoIterator<Item: ToParam>>`.
pub fn param_list(member: &Member) -> TokenStream {
    let field = member_ident(member);
    match member.timestamp_format {
        Some(format) => {
            let format = timestamp_format(format);
            quote! {
                input.#field.as_ref().map(|items| {
                    items.iter().map(|value| ::sdk_runtime::__private::param::Formatted(value, #format))
                })
            }
        }
        None => quote!(input.#field.as_ref()),
    }
}

/// Statements that append the segments of a path (or host prefix) to `target`.
pub fn push_segments(
    structure: &Structure,
    input_name: &str,
    segments: &[PathSegment],
    target: &TokenStream,
) -> Vec<TokenStream> {
    segments
        .iter()
        .map(|segment| match segment {
            PathSegment::Literal(text) => match text.chars().collect::<Vec<_>>()[..] {
                [c] => quote!(#target.push(#c);),
                _ => quote!(#target.push_str(#text);),
            },
            PathSegment::Label { member, greedy } => {
                let member = &structure.members[*member];
                let name = &member.rust_name;
                let value = param_value(member);
                let push = if *greedy {
                    quote!(::sdk_runtime::__private::uri::push_greedy_label)
                } else {
                    quote!(::sdk_runtime::__private::uri::push_label)
                };
                quote!(#push(&mut #target, #input_name, #name, #value)?;)
            }
        })
        .collect()
}

/// Statements that record the operation's host prefix (`endpoint.hostPrefix`)
/// on `request`, its labels checked; `None` without one.
pub fn host_prefix(op: &Operation) -> Option<TokenStream> {
    let structure = &op.input.structure;
    let input_name = &op.input.rust_name;
    op.host_prefix.as_ref().map(|segments| {
        let labels = segments.iter().filter_map(|segment| match segment {
            PathSegment::Label { member, .. } => {
                let member = &structure.members[*member];
                let field = member_ident(member);
                let name = &member.rust_name;
                Some(quote! {
                    if let Some(value) = &input.#field {
                        ::sdk_runtime::__private::uri::host_label(#name, value)?;
                    }
                })
            }
            PathSegment::Literal(_) => None,
        });
        let pushes = push_segments(structure, input_name, segments, &quote!(host));
        quote! {
            #(#labels)*
            let mut host = String::new();
            #(#pushes)*
            request.extensions_mut().insert(::sdk_runtime::operation::HostPrefix(host));
        }
    })
}

/// A statement that sets `Content-MD5` of `body` when the operation requires a checksum.
pub fn checksum(op: &Operation) -> Option<TokenStream> {
    op.checksum_required.then(|| {
        quote! {
            request.headers_mut().insert(
                ::sdk_runtime::__private::http::HeaderName::from_static("content-md5"),
                ::sdk_runtime::__private::http::HeaderValue::try_from(::sdk_runtime::__private::checksum::content_md5(&body))
                    .map_err(BuildError::serialization)?,
            );
        }
    })
}

/// Statements that put `body` into `request` and return it; its framing
/// (`Content-Length`) is the call pipeline's (`sdk_runtime::operation::frame`).
pub fn finish_request() -> TokenStream {
    quote! {
        *request.body_mut() = ::sdk_runtime::__private::bytes::Bytes::from(body);
        Ok(request)
    }
}

/// `parse_response`'s error path: `error_metadata` (an expression reading
/// the protocol's error metadata from `response`) gives the code, which picks
/// a modeled error by its wire code; anything else is `Unhandled`.
pub fn parse_error(service: &Service, op: &Operation, error_metadata: &TokenStream) -> TokenStream {
    let error = ident(&derived::operation_error(&op.rust_name));
    let unhandled = quote!(#error::Unhandled(::sdk_runtime::error::Unhandled::new(meta, response.body().clone())));
    let body = if op.errors.is_empty() {
        quote! {
            let meta = #error_metadata;
            ResponseFailure::service(#unhandled)
        }
    } else {
        // An error answers to its modeled code and, when that differs (a query
        // code of an `awsQueryCompatible` service), to its shape's name, which
        // such a service sends without `x-amzn-query-error`. The first error
        // claiming a code wins.
        let mut seen = std::collections::BTreeSet::new();
        let errors: Vec<TokenStream> = op
            .errors
            .iter()
            .flat_map(|id| {
                let shape = service.shape(*id);
                let code = error_code(shape);
                let codes = if code == shape.name {
                    vec![code]
                } else {
                    vec![code, shape.name.as_str()]
                };
                codes.into_iter().map(move |code| (shape, code))
            })
            .filter(|(_, code)| seen.insert(*code))
            .map(|(shape, code)| {
                let variant = ident(&shape.rust_name);
                let path = shape_path(shape);
                quote!(Some(#code) => #path::from_response(response, &meta).map(#error::#variant),)
            })
            .collect();
        quote! {
            let meta = #error_metadata;
            let parsed = match meta.code() {
                #(#errors)*
                _ => Ok(#unhandled),
            };
            match parsed {
                Ok(error) => ResponseFailure::service(error),
                Err(source) => ResponseFailure::Malformed(source),
            }
        }
    };
    quote! {
        /// Parses an error response: a modeled error by its code, anything else as `Unhandled`.
        fn parse_error(response: &HttpResponse) -> ResponseFailure<#error> {
            #body
        }
    }
}

/// The wire code of an error shape.
fn error_code(shape: &Shape) -> &str {
    match &shape.kind {
        ShapeKind::Structure(Structure {
            error: Some(info), ..
        }) => &info.code,
        _ => &shape.name,
    }
}

/// The field initializer (`field: Some(receiver),`) of the output's event
/// stream member, and `read_event`, which turns one message into an event
/// of the stream's union or its error; `None` when the output has no
/// event stream.
///
/// A message names its event by the union member (`:event-type`), an
/// exception by the error member (`:exception-type`); an event this crate
/// does not know becomes the union's `Unknown`, an exception it does not
/// know or an `error` message the error enum's `Unhandled`. An
/// `initial-response` (RPC protocols' output members) is passed over: the
/// binding has read it into the output already.
pub fn event_stream(
    service: &Service,
    codec: &dyn Codec,
    structure: &Structure,
) -> Option<(TokenStream, TokenStream)> {
    let (_, member, union) = service.event_stream_member(structure)?;
    let stream = union.event_stream.as_ref()?;
    let shape = service.shape(member.target);
    let events = shape_path(shape);
    let error_name = ident(&stream.error_rust_name);
    let error = quote!(crate::types::error::#error_name);
    let field = member_ident(member);
    let event_arms = union
        .structure
        .members
        .iter()
        .zip(&union.variants)
        .map(|(event, variant)| {
            let name = &event.name;
            let variant = ident(variant);
            let (value, reads_payload) = event_value(service, codec, event.target);
            let value = if event.boxed {
                quote!(::std::boxed::Box::new(#value))
            } else {
                value
            };
            let response = reads_payload
                .then(|| quote!(let response = event_stream::payload_response(message, raw);));
            quote! {
                MessageKind::Event(#name) => {
                    #response
                    Ok(Some(Event::#variant(#value)))
                }
            }
        });
    let error_arms = stream.errors.iter().map(|member| {
        let name = &member.name;
        let shape = service.shape(member.target);
        let path = shape_path(shape);
        let code = error_code(shape);
        let variant = ident(&shape.rust_name);
        quote! {
            MessageKind::Exception(#name) => Err(event_stream::exception(
                message, raw, #code, #path::from_response, StreamError::#variant,
            )),
        }
    });
    let doc = doc_line(&format!(
        "Reads one message of the `{}` event stream.",
        shape.name
    ));
    let read = quote! {
        #doc
        fn read_event(
            message: &::sdk_runtime::__private::event_stream::Message,
            raw: &HttpResponse,
        ) -> Result<Option<#events>, ::sdk_runtime::SdkError<#error>> {
            use ::sdk_runtime::__private::event_stream::{self, MessageKind};
            use ::sdk_runtime::SdkError;
            use #events as Event;
            use #error as StreamError;
            let kind = message
                .kind()
                .map_err(|e| SdkError::response_error(e, raw.clone()))?;
            match kind {
                MessageKind::Event("initial-response") => Ok(None),
                #(#event_arms)*
                MessageKind::Event(other) => Ok(Some(Event::Unknown(other.to_owned()))),
                #(#error_arms)*
                MessageKind::Exception(_) | MessageKind::Error { .. } => Err(SdkError::service_error(
                    StreamError::Unhandled(event_stream::unhandled(message, raw)),
                    raw.clone(),
                )),
            }
        }
    };
    let init = quote! {
        #field: Some(::sdk_runtime::__private::event_stream::output_receiver(
            response,
            ::std::boxed::Box::new(read_event),
        )),
    };
    Some((init, read))
}

/// An expression: the event of shape `id` in `message`, or `?` with the
/// error that it does not read; and whether it reads the payload through
/// the codec, from `response`.
fn event_value(service: &Service, codec: &dyn Codec, id: ShapeId) -> (TokenStream, bool) {
    let malformed = quote!(.map_err(|e| SdkError::response_error(e, raw.clone()))?);
    let shape = service.shape(id);
    let ShapeKind::Structure(structure) = &shape.kind else {
        // Not an event structure: the payload is the value.
        let read = codec.read_value();
        return (quote!(#read #malformed), true);
    };
    let path = shape_path(shape);
    let payload_member = structure.payload.map(|i| &structure.members[i]);
    let has_body = structure.body_members().next().is_some();
    let mut reads_payload = false;
    let base = match payload_member {
        Some(payload) => {
            let field = member_ident(payload);
            let value = match &service.shape(payload.target).kind {
                ShapeKind::Blob => quote!(Some(::sdk_runtime::Blob::new(message.payload.to_vec()))),
                ShapeKind::StreamingBlob => {
                    quote!(Some(::sdk_runtime::ByteStream::new(
                        message.payload.clone()
                    )))
                }
                ShapeKind::String => quote! {
                    Some(String::from_utf8(message.payload.to_vec()) #malformed)
                },
                _ => {
                    reads_payload = true;
                    let read = codec.read_value();
                    quote! {
                        if message.payload.is_empty() { None } else { Some(#read #malformed) }
                    }
                }
            };
            let value = if payload.boxed {
                quote!((#value).map(::std::boxed::Box::new))
            } else {
                value
            };
            if structure.members.len() == 1 {
                quote!(#path { #field: #value })
            } else {
                quote!(#path { #field: #value, ..::std::default::Default::default() })
            }
        }
        None if has_body => {
            reads_payload = true;
            let read = codec.read_value();
            quote! {
                if message.payload.is_empty() {
                    #path::default()
                } else {
                    #read #malformed
                }
            }
        }
        None => quote!(#path::default()),
    };
    let headers: Vec<TokenStream> = structure
        .members
        .iter()
        .filter(|m| m.location == Location::Header)
        .map(|member| {
            let field = member_ident(member);
            let wire = &member.wire_name;
            let header = quote!(::sdk_runtime::__private::event_stream::header);
            let target = service.shape(member.target);
            let value = match &target.kind {
                ShapeKind::Enum(_) => {
                    let ty = shape_path(target);
                    quote!(#header::<String>(message, #wire) #malformed .map(|v| #ty::from(v.as_str())))
                }
                _ => {
                    let ty = super::rust_type(service, member.target);
                    quote!(#header::<#ty>(message, #wire) #malformed)
                }
            };
            quote!(event.#field = #value;)
        })
        .collect();
    let value = if headers.is_empty() {
        base
    } else {
        quote! {{
            let mut event: #path = #base;
            #(#headers)*
            event
        }}
    };
    (value, reads_payload)
}
