//! Serializers: the rest-json wire mapping.
//!
//! Per operation, two sans-IO functions (`serialize_request`,
//! `parse_response`); per shape, the JSON (de)serialization impls the
//! runtime's `json` module drives.
//!
//! The files these functions fill (`src/protocol/*`) define no item named
//! after the model, so the emitted code uses prelude names (`Option`,
//! `Result`, `String`) where other emitters spell out full paths.

use proc_macro2::TokenStream;
use quote::quote;

use super::errors::message_member;
use super::{
    doc_attrs, doc_line, inner_doc_attrs, is_error, member_ident, shape_path, timestamp_format,
};
use crate::ir::{
    Location, Member, Operation, PathSegment, Service, Shape, ShapeKind, Structure, Union,
};
use crate::naming::{derived, ident};

/// `src/protocol/shapes.rs`: JSON impls for every emitted shape, in the
/// directions it travels, and `from_response` for error shapes.
pub fn shapes_rs(service: &Service) -> TokenStream {
    let items = service
        .shapes
        .iter()
        .filter(|s| s.emitted)
        .map(|shape| match &shape.kind {
            ShapeKind::Structure(structure) => {
                let path = shape_path(shape);
                let ser = shape
                    .serialized
                    .then(|| json_serialize(&path, structure.members.iter()));
                let de = shape
                    .deserialized
                    .then(|| json_deserialize(&path, &shape.name, structure.members.iter()));
                let from_response =
                    is_error(shape).then(|| error_from_response(service, &path, structure));
                quote!(#ser #de #from_response)
            }
            ShapeKind::Union(union) => union_json(shape, union),
            ShapeKind::Enum(_) => enum_json(shape),
            _ => quote!(),
        });
    let docs = inner_doc_attrs(&["JSON (de)serialization of the service's data types.".to_owned()]);
    quote! {
        #docs
        #(#items)*
    }
}

fn enum_json(shape: &Shape) -> TokenStream {
    let path = shape_path(shape);
    quote! {
        impl ::sdk_runtime::__private::json::JsonSerialize for #path {
            fn serialize_json<S: ::sdk_runtime::__private::serde::Serializer>(
                &self,
                _format: ::sdk_runtime::TimestampFormat,
                serializer: S,
            ) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl ::sdk_runtime::__private::json::JsonDeserialize for #path {
            fn deserialize_json<'de, D: ::sdk_runtime::__private::serde::Deserializer<'de>>(
                _format: ::sdk_runtime::TimestampFormat,
                deserializer: D,
            ) -> Result<Self, D::Error> {
                ::sdk_runtime::__private::json::deserialize_str_enum(deserializer)
            }
        }

        impl ::sdk_runtime::__private::param::ToParam for #path {
            fn to_param(&self) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed(self.as_str())
            }
        }

        impl ::sdk_runtime::__private::param::FromParam for #path {
            fn from_param(value: &str) -> Result<Self, ::sdk_runtime::error::BoxError> {
                Ok(Self::from(value))
            }
        }
    }
}

/// Writes one member `value` under `wire` into `map`, with its timestamp format if it has one.
fn write_entry(member: &Member, value: TokenStream) -> TokenStream {
    let wire = &member.wire_name;
    match member.timestamp_format {
        Some(format) => {
            let format = timestamp_format(format);
            quote!(::sdk_runtime::__private::json::serialize_entry_with(&mut map, #wire, #value, #format)?;)
        }
        None => quote!(::sdk_runtime::__private::json::serialize_entry(&mut map, #wire, #value)?;),
    }
}

/// Reads the current member's value, with its timestamp format if it has one.
fn read_value(member: &Member) -> TokenStream {
    match member.timestamp_format {
        Some(format) => {
            let format = timestamp_format(format);
            quote!(::sdk_runtime::__private::json::value_with(map, #format)?)
        }
        None => quote!(::sdk_runtime::__private::json::value(map)?),
    }
}

/// `impl JsonSerialize`: an object of the set `members`.
fn json_serialize<'a>(ty: &TokenStream, members: impl Iterator<Item = &'a Member>) -> TokenStream {
    let entries: Vec<TokenStream> = members
        .map(|member| {
            let field = member_ident(member);
            let write = write_entry(member, quote!(value));
            quote! {
                if let Some(value) = &self.#field {
                    #write
                }
            }
        })
        .collect();
    let binding = if entries.is_empty() {
        quote!(map)
    } else {
        quote!(mut map)
    };
    quote! {
        impl ::sdk_runtime::__private::json::JsonSerialize for #ty {
            fn serialize_json<S: ::sdk_runtime::__private::serde::Serializer>(
                &self,
                _format: ::sdk_runtime::TimestampFormat,
                serializer: S,
            ) -> Result<S::Ok, S::Error> {
                let #binding = serializer.serialize_map(None)?;
                #(#entries)*
                ::sdk_runtime::__private::serde::ser::SerializeMap::end(map)
            }
        }
    }
}

/// `impl JsonObject` and `impl JsonDeserialize`: reads `members`, skips anything else.
fn json_deserialize<'a>(
    ty: &TokenStream,
    model_name: &str,
    members: impl Iterator<Item = &'a Member>,
) -> TokenStream {
    let arms: Vec<TokenStream> = members
        .map(|member| {
            let field = member_ident(member);
            let wire = &member.wire_name;
            let read = read_value(member);
            quote!(#wire => self.#field = #read,)
        })
        .collect();
    let (key, body) = if arms.is_empty() {
        (
            quote!(_key),
            quote!(::sdk_runtime::__private::json::skip(map)?;),
        )
    } else {
        (
            quote!(key),
            quote! {
                match key {
                    #(#arms)*
                    _ => ::sdk_runtime::__private::json::skip(map)?,
                }
            },
        )
    };
    quote! {
        impl ::sdk_runtime::__private::json::JsonObject for #ty {
            const NAME: &'static str = #model_name;

            fn read_member<'de, A: ::sdk_runtime::__private::serde::de::MapAccess<'de>>(
                &mut self,
                #key: &str,
                map: &mut A,
            ) -> Result<(), A::Error> {
                #body
                Ok(())
            }
        }

        impl ::sdk_runtime::__private::json::JsonDeserialize for #ty {
            fn deserialize_json<'de, D: ::sdk_runtime::__private::serde::Deserializer<'de>>(
                _format: ::sdk_runtime::TimestampFormat,
                deserializer: D,
            ) -> Result<Self, D::Error> {
                ::sdk_runtime::__private::json::deserialize_object(deserializer)
            }
        }
    }
}

/// A union's JSON impls: an object with exactly one member.
fn union_json(shape: &Shape, union: &Union) -> TokenStream {
    let path = shape_path(shape);
    let model_name = &shape.name;
    let members = || union.structure.members.iter().zip(&union.variants);
    let ser = shape.serialized.then(|| {
        let arms = members().map(|(member, variant)| {
            let variant = ident(variant);
            let write = write_entry(member, quote!(value));
            quote!(Self::#variant(value) => { #write })
        });
        quote! {
            impl ::sdk_runtime::__private::json::JsonSerialize for #path {
                fn serialize_json<S: ::sdk_runtime::__private::serde::Serializer>(
                    &self,
                    _format: ::sdk_runtime::TimestampFormat,
                    serializer: S,
                ) -> Result<S::Ok, S::Error> {
                    let mut map = serializer.serialize_map(Some(1))?;
                    match self {
                        #(#arms)*
                        Self::Unknown(member) => {
                            return Err(::sdk_runtime::__private::json::unknown_variant(#model_name, member));
                        }
                    }
                    ::sdk_runtime::__private::serde::ser::SerializeMap::end(map)
                }
            }
        }
    });
    let de = shape.deserialized.then(|| {
        let arms = members().map(|(member, variant)| {
            let variant = ident(variant);
            let wire = &member.wire_name;
            let read = read_value(member);
            let wrap = if member.boxed {
                quote!(|value| Self::#variant(::std::boxed::Box::new(value)))
            } else {
                quote!(Self::#variant)
            };
            quote!(#wire => #read.map(#wrap),)
        });
        quote! {
            impl ::sdk_runtime::__private::json::JsonUnion for #path {
                const NAME: &'static str = #model_name;

                fn read_variant<'de, A: ::sdk_runtime::__private::serde::de::MapAccess<'de>>(
                    key: &str,
                    map: &mut A,
                ) -> Result<Option<Self>, A::Error> {
                    Ok(match key {
                        #(#arms)*
                        other => {
                            ::sdk_runtime::__private::json::skip(map)?;
                            Some(Self::Unknown(other.to_owned()))
                        }
                    })
                }
            }

            impl ::sdk_runtime::__private::json::JsonDeserialize for #path {
                fn deserialize_json<'de, D: ::sdk_runtime::__private::serde::Deserializer<'de>>(
                    _format: ::sdk_runtime::TimestampFormat,
                    deserializer: D,
                ) -> Result<Self, D::Error> {
                    ::sdk_runtime::__private::json::deserialize_union(deserializer)
                }
            }
        }
    });
    quote!(#ser #de)
}

/// `from_response` of an error shape: its body and headers, with the message
/// taken from wherever the response carried it.
fn error_from_response(
    service: &Service,
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
                let body: Self = ::sdk_runtime::__private::rest_json::body(response)?;
                let #binding = #value;
                #fill_message
                #unused_meta
                Ok(error)
            }
        }
    }
}

/// The item type of a list member, for header and query lists.
fn list_item<'a>(service: &'a Service, member: &Member) -> Option<&'a Shape> {
    match &service.shape(member.target).kind {
        ShapeKind::List { member } => Some(service.shape(*member)),
        _ => None,
    }
}

/// Field initializers (`field: value,`) for the members bound to headers and
/// the status code; `map_err` turns a parse failure into the caller's error.
fn response_bindings(
    service: &Service,
    structure: &Structure,
    map_err: &TokenStream,
) -> Vec<TokenStream> {
    structure
        .members
        .iter()
        .filter_map(|member| {
            let field = member_ident(member);
            let wire = &member.wire_name;
            let name = &member.rust_name;
            let headers = quote!(response.headers());
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
fn with_fields(
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

/// `src/protocol/<operation>.rs`: `serialize_request`, `parse_response`, and
/// the JSON impls of the operation's input and output bodies.
///
/// These files define no item named after the model, so they import the
/// operation's types and use prelude names freely.
pub fn operation_rs(service: &Service, op: &Operation) -> TokenStream {
    let module = ident(&op.module);
    let input = ident(&op.input.rust_name);
    let output = ident(&op.output.rust_name);
    let error = ident(&derived::operation_error(&op.rust_name));

    let serialize = serialize_request(service, op);
    let parse = parse_response(service, op);
    let input_body = has_json_body(&op.input.structure)
        .then(|| json_serialize(&quote!(#input), op.input.structure.body_members()));
    let output_body = has_json_body(&op.output.structure).then(|| {
        json_deserialize(
            &quote!(#output),
            &op.output.rust_name,
            op.output.structure.body_members(),
        )
    });
    let docs = inner_doc_attrs(&[
        format!("The rest-json wire mapping of `{}`.", op.name),
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

        #serialize
        #parse
        #input_body
        #output_body
    }
}

/// Whether a structure travels as a JSON object of its body members.
fn has_json_body(structure: &Structure) -> bool {
    structure.payload.is_none() && structure.body_members().next().is_some()
}

/// An expression for the member's value as something `ToParam` (`Option<_>`),
/// timestamps formatted as the member says.
fn param_value(member: &Member) -> TokenStream {
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
fn param_list(member: &Member) -> TokenStream {
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
fn push_segments(
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

fn serialize_request(service: &Service, op: &Operation) -> TokenStream {
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

    let body = request_body(service, structure);
    let checksum = op.checksum_required.then(|| {
        quote! {
            request.headers_mut().insert(
                ::sdk_runtime::__private::http::HeaderName::from_static("content-md5"),
                ::sdk_runtime::__private::http::HeaderValue::try_from(::sdk_runtime::__private::checksum::content_md5(&body))
                    .map_err(BuildError::serialization)?,
            );
        }
    });
    let host_prefix = op.host_prefix.as_ref().map(|segments| {
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
    });

    let uses_input = structure
        .members
        .iter()
        .any(|m| m.location != Location::Body)
        || has_json_body(structure)
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
            if !body.is_empty() {
                request.headers_mut().insert(
                    ::sdk_runtime::__private::http::header::CONTENT_LENGTH,
                    ::sdk_runtime::__private::http::HeaderValue::from(body.len()),
                );
            }
            *request.body_mut() = ::sdk_runtime::__private::bytes::Bytes::from(body);
            Ok(request)
        }
    }
}

/// Statements that compute `body` and set the content type (unless a header
/// member already set one).
fn request_body(service: &Service, structure: &Structure) -> TokenStream {
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
    let json_type = quote!(::sdk_runtime::__private::rest_json::CONTENT_TYPE);
    match structure.payload.map(|i| &structure.members[i]) {
        Some(payload) => {
            let field = member_ident(payload);
            let (content_type, bytes, when_unset) = match &service.shape(payload.target).kind {
                ShapeKind::Blob | ShapeKind::StreamingBlob => (
                    quote!("application/octet-stream"),
                    quote!(value.as_bytes().to_vec()),
                    None,
                ),
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
                // An unset structure payload is sent as an empty object; other kinds as nothing.
                kind => {
                    let empty_object = matches!(kind, ShapeKind::Structure(_))
                        .then(|| set_type(json_type.clone()));
                    (
                        json_type.clone(),
                        quote!(::sdk_runtime::__private::json::to_vec(value)
                            .map_err(BuildError::serialization)?),
                        empty_object.map(|set| quote!({ #set b"{}".to_vec() })),
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
        None if has_json_body(structure) => {
            let set = set_type(json_type);
            quote! {
                #set
                let body = ::sdk_runtime::__private::json::to_vec(input).map_err(BuildError::serialization)?;
            }
        }
        None => quote!(let body: Vec<u8> = Vec::new();),
    }
}

fn parse_response(service: &Service, op: &Operation) -> TokenStream {
    let structure = &op.output.structure;
    let output = ident(&op.output.rust_name);
    let error = ident(&derived::operation_error(&op.rust_name));
    let mut fields = response_bindings(
        service,
        structure,
        &quote!(.map_err(ResponseFailure::Malformed)),
    );
    let mut base = quote!(#output::default());
    match structure.payload.map(|i| &structure.members[i]) {
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
                _ => quote!(::sdk_runtime::__private::json::from_slice(response.body())
                    .map_err(ResponseFailure::malformed)?),
            };
            // An empty body is an unset payload.
            fields.push(quote! {
                #field: if response.body().is_empty() { None } else { Some(#value) },
            });
        }
        None if has_json_body(structure) => {
            base = quote!(::sdk_runtime::__private::rest_json::body::<#output>(response).map_err(ResponseFailure::malformed)?);
        }
        None => {}
    }
    let value = with_fields(&quote!(#output), &fields, structure.members.len(), base);
    let body = quote!(let output = #value;);
    let unhandled = quote!(#error::Unhandled(::sdk_runtime::error::Unhandled::new(meta, response.body().clone())));
    let parse_error_body = if op.errors.is_empty() {
        quote! {
            let meta = ::sdk_runtime::__private::rest_json::error_metadata(response);
            ResponseFailure::service(#unhandled)
        }
    } else {
        let errors = op.errors.iter().map(|id| {
            let shape = service.shape(*id);
            let code = &shape.name;
            let variant = ident(&shape.rust_name);
            let path = shape_path(shape);
            quote!(Some(#code) => #path::from_response(response, &meta).map(#error::#variant),)
        });
        quote! {
            let meta = ::sdk_runtime::__private::rest_json::error_metadata(response);
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

        /// Parses an error response: a modeled error by its code, anything else as `Unhandled`.
        fn parse_error(response: &HttpResponse) -> ResponseFailure<#error> {
            #parse_error_body
        }
    }
}
