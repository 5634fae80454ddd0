//! The REST binding: the request URI's labels and literal query, query
//! parameters, headers (single, lists, prefixed maps, `jsonvalue`), a payload
//! member as the whole body or the remaining members as a body object, and
//! for responses headers and the status code. Bodies go through a [`Codec`].

use proc_macro2::TokenStream;
use quote::quote;

use super::{
    checksum, finish_request, host_prefix, list_item, param_list, param_value, parse_error,
    push_segments, response_bindings, with_fields,
};
use crate::emit::codec::Codec;
use crate::emit::{doc_attrs, doc_line, member_ident};
use crate::ir::{Location, Member, Operation, Service, ShapeKind, Structure};
use crate::naming::{derived, ident};

/// Whether a structure travels as a body object of its body members.
pub fn has_body(structure: &Structure) -> bool {
    structure.payload.is_none() && structure.body_members().next().is_some()
}

/// The body impls of the operation's input and output, where they have one.
pub fn body_impls(codec: &dyn Codec, op: &Operation) -> TokenStream {
    let input = ident(&op.input.rust_name);
    let output = ident(&op.output.rust_name);
    let input_body = has_body(&op.input.structure).then(|| {
        let members: Vec<&Member> = op.input.structure.body_members().collect();
        codec.input_body(&quote!(#input), &members)
    });
    let output_body = has_body(&op.output.structure).then(|| {
        let members: Vec<&Member> = op.output.structure.body_members().collect();
        codec.output_body(&quote!(#output), &op.output.rust_name, &members)
    });
    quote!(#input_body #output_body)
}

/// `serialize_request` of `op`.
pub fn serialize_request(service: &Service, codec: &dyn Codec, op: &Operation) -> TokenStream {
    let structure = &op.input.structure;
    let input = ident(&op.input.rust_name);
    let input_name = &op.input.rust_name;

    let path = push_segments(structure, input_name, &op.path, &quote!(uri));
    let query_members: Vec<&Member> = structure
        .members
        .iter()
        .filter(|m| m.location == Location::Query)
        .collect();
    let literal = op.literal_query.as_ref().map(|q| {
        let q = format!("?{q}");
        quote!(uri.push_str(#q);)
    });
    let query = if query_members.is_empty() {
        quote!(#literal)
    } else {
        // Named members first, so that a map of parameters cannot override them.
        let mut named = Vec::new();
        let mut maps = Vec::new();
        for member in &query_members {
            let field = member_ident(member);
            let wire = &member.wire_name;
            match &service.shape(member.target).kind {
                ShapeKind::Map { value, .. } => {
                    let push = if matches!(service.shape(*value).kind, ShapeKind::List { .. }) {
                        quote!(push_map_of_lists)
                    } else {
                        quote!(push_map)
                    };
                    maps.push(quote!(query.#push(input.#field.as_ref());));
                }
                ShapeKind::List { .. } => {
                    let items = param_list(member);
                    named.push(quote!(query.push_list(#wire, #items);));
                }
                _ => {
                    let value = param_value(member);
                    named.push(quote!(query.push_param(#wire, #value);));
                }
            }
        }
        quote! {
            #literal
            let mut query = ::sdk_runtime::__private::uri::QueryWriter::new(uri);
            #(#named)*
            #(#maps)*
            let uri = query.finish();
        }
    };

    let headers: Vec<TokenStream> = structure
        .members
        .iter()
        .filter(|m| matches!(m.location, Location::Header | Location::Headers))
        .map(|member| {
            let field = member_ident(member);
            let wire = &member.wire_name;
            let name = &member.rust_name;
            let headers = quote!(request.headers_mut());
            let add = if member.location == Location::Headers {
                quote!(::sdk_runtime::__private::headers::add_prefixed(#headers, #wire, #name, input.#field.as_ref()))
            } else if member.json_value {
                quote!(::sdk_runtime::__private::headers::add_json_value(#headers, #wire, #name, input.#field.as_ref()))
            } else if list_item(service, member).is_some() {
                let items = param_list(member);
                let quote_items = member.timestamp_format.is_none();
                quote!(::sdk_runtime::__private::headers::add_list(#headers, #wire, #name, #items, #quote_items))
            } else {
                let value = param_value(member);
                quote!(::sdk_runtime::__private::headers::add(#headers, #wire, #name, #value))
            };
            quote!(#add?;)
        })
        .collect();

    let body = request_body(service, codec, structure);
    let finish = finish_request();
    let checksum = checksum(op);
    let host_prefix = host_prefix(op);

    let uses_input = structure
        .members
        .iter()
        .any(|m| m.location != Location::Body)
        || has_body(structure)
        || structure.payload.is_some();
    let input_binding = if uses_input {
        quote!(input)
    } else {
        quote!(_input)
    };
    let method = ident(&op.method);
    let doc = doc_attrs(&[
        format!("Builds the HTTP request of `{}` for `input`.", op.name),
        String::new(),
        "The URI holds the path and query only; the client prefixes the endpoint.".to_owned(),
    ]);
    quote! {
        #doc
        pub fn serialize_request(#input_binding: &#input) -> Result<HttpRequest, BuildError> {
            let mut uri = String::with_capacity(64);
            #(#path)*
            #query
            let mut request = HttpRequest::new(::sdk_runtime::__private::bytes::Bytes::new());
            *request.method_mut() = ::sdk_runtime::__private::http::Method::#method;
            *request.uri_mut() = ::sdk_runtime::__private::uri::parse(uri)?;
            #host_prefix
            #(#headers)*
            #body
            #checksum
            #finish
        }
    }
}

/// Statements that compute `body` and set the content type (unless a header
/// member already set one).
fn request_body(service: &Service, codec: &dyn Codec, structure: &Structure) -> TokenStream {
    let type_member = structure.members.iter().any(|m| {
        m.location == Location::Header && m.wire_name.eq_ignore_ascii_case("content-type")
    });
    // A static value: no copy, and free to clone for each attempt.
    let set_type = |content_type: TokenStream| {
        let header = quote! {
            request.headers_mut().insert(
                ::sdk_runtime::__private::http::header::CONTENT_TYPE,
                ::sdk_runtime::__private::http::HeaderValue::from_static(#content_type),
            );
        };
        if type_member {
            quote! {
                if !request.headers().contains_key(::sdk_runtime::__private::http::header::CONTENT_TYPE) {
                    #header
                }
            }
        } else {
            header
        }
    };
    let json_type = codec.media_type();
    match structure.payload.map(|i| &structure.members[i]) {
        Some(payload) => {
            let field = member_ident(payload);
            let (content_type, bytes, when_unset) = match &service.shape(payload.target).kind {
                // A blob payload is octet-stream even when unset and empty (as
                // botocore's legacy suites expect; Smithy's do not forbid it).
                ShapeKind::Blob | ShapeKind::StreamingBlob => {
                    let set = set_type(quote!("application/octet-stream"));
                    return quote! {
                        #set
                        let body = match &input.#field {
                            Some(value) => value.as_bytes().to_vec(),
                            None => Vec::new(),
                        };
                    };
                }
                ShapeKind::String => (
                    quote!("text/plain"),
                    quote!(value.as_bytes().to_vec()),
                    None,
                ),
                ShapeKind::Enum(_) => (
                    quote!("text/plain"),
                    quote!(value.as_str().as_bytes().to_vec()),
                    None,
                ),
                // An unset structure payload is sent as the codec's empty body
                // (JSON: an empty object); other kinds as nothing.
                kind => {
                    let empty = codec
                        .unset_structure_payload()
                        .filter(|_| matches!(kind, ShapeKind::Structure(_)))
                        .map(|empty| {
                            let set = set_type(json_type.clone());
                            quote!({ #set #empty })
                        });
                    (
                        json_type.clone(),
                        codec.write_payload(service, payload),
                        empty,
                    )
                }
            };
            let set = set_type(content_type);
            let unset = when_unset.unwrap_or_else(|| quote!(Vec::new()));
            quote! {
                let body = match &input.#field {
                    Some(value) => {
                        #set
                        #bytes
                    }
                    None => #unset,
                };
            }
        }
        None if has_body(structure) => {
            let set = set_type(json_type);
            let write = codec.write_body(quote!(input));
            quote! {
                #set
                let body = #write;
            }
        }
        None => quote!(let body: Vec<u8> = Vec::new();),
    }
}

/// `parse_response` and `parse_error` of `op`; `error_metadata` reads an
/// error response's metadata (see [`parse_error`]).
pub fn parse_response(
    service: &Service,
    codec: &dyn Codec,
    op: &Operation,
    error_metadata: &TokenStream,
) -> TokenStream {
    let structure = &op.output.structure;
    let output = ident(&op.output.rust_name);
    let error = ident(&derived::operation_error(&op.rust_name));
    let mut fields = response_bindings(
        service,
        structure,
        &quote!(.map_err(ResponseFailure::Malformed)),
    );
    let mut base = quote!(#output::default());
    let stream = super::event_stream(service, codec, structure);
    let read_event = stream.as_ref().map(|(_, read)| read.clone());
    match structure.payload.map(|i| &structure.members[i]) {
        // The body is the stream's messages (resolution left out operations
        // whose stream is not the payload).
        Some(_) if stream.is_some() => {
            fields.extend(stream.map(|(init, _)| init));
        }
        Some(payload) => {
            let field = member_ident(payload);
            let value = match &service.shape(payload.target).kind {
                ShapeKind::Blob => quote!(::sdk_runtime::Blob::new(response.body().to_vec())),
                ShapeKind::StreamingBlob => {
                    quote!(::sdk_runtime::ByteStream::new(response.body().clone()))
                }
                ShapeKind::String => quote! {
                    String::from_utf8(response.body().to_vec()).map_err(ResponseFailure::malformed)?
                },
                ShapeKind::Enum(_) => quote! {
                    ::std::str::from_utf8(response.body()).map_err(ResponseFailure::malformed)?.into()
                },
                _ => {
                    let read = codec.read_value();
                    quote!(#read.map_err(ResponseFailure::malformed)?)
                }
            };
            // An empty body is an unset payload.
            fields.push(quote! {
                #field: if response.body().is_empty() { None } else { Some(#value) },
            });
        }
        None if has_body(structure) => {
            let read = codec.read_body(Some(quote!(#output)));
            base = quote!(#read.map_err(ResponseFailure::malformed)?);
        }
        None => {}
    }
    // Outputs have one field more than their members: the request id, which
    // `invoke` fills in, so a literal always takes the rest from `base`.
    let value = with_fields(&quote!(#output), &fields, structure.members.len() + 1, base);
    let index = super::header_index(structure);
    let body = quote! {
        #index
        let output = #value;
    };
    let parse_error = parse_error(service, op, error_metadata);
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
            #body
            Ok(output)
        }

        #read_event

        #parse_error
    }
}
