//! Serializers: the rest-json wire mapping.
//!
//! The files these functions fill (`src/protocol/*`) define no item named
//! after the model, so the emitted code uses prelude names (`Option`,
//! `Result`, `String`) where other emitters spell out full paths.
//!
//! Per operation, two sans-IO functions (`serialize_request`,
//! `parse_response`); per shape, the JSON (de)serialization impls the
//! runtime's `json` module drives.

use proc_macro2::TokenStream;
use quote::quote;

use super::errors::message_member;
use super::{doc_attrs, doc_line, inner_doc_attrs, is_error, member_ident, shape_path};
use crate::ir::{Location, Member, Operation, PathSegment, Service, ShapeKind, Structure};
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
            ShapeKind::Enum(_) => {
                let path = shape_path(shape);
                quote! {
                impl ::sdk_runtime::json::JsonSerialize for #path {
                    fn serialize_json<S: ::sdk_runtime::deps::serde::Serializer>(
                        &self,
                        serializer: S,
                    ) -> Result<S::Ok, S::Error> {
                        serializer.serialize_str(self.as_str())
                    }
                }

                impl ::sdk_runtime::json::JsonDeserialize for #path {
                    fn deserialize_json<'de, D: ::sdk_runtime::deps::serde::Deserializer<'de>>(
                        deserializer: D,
                    ) -> Result<Self, D::Error> {
                        ::sdk_runtime::json::deserialize_str_enum(deserializer)
                    }
                }

                impl ::sdk_runtime::param::ToParam for #path {
                    fn to_param(&self) -> ::std::borrow::Cow<'_, str> {
                        ::std::borrow::Cow::Borrowed(self.as_str())
                    }
                }

                impl ::sdk_runtime::param::FromParam for #path {
                    fn from_param(value: &str) -> Result<Self, ::sdk_runtime::error::BoxError> {
                        Ok(Self::from(value))
                    }
                }
                }
            }
            _ => quote!(),
        });
    let docs = inner_doc_attrs(&["JSON (de)serialization of the service's data types.".to_owned()]);
    quote! {
        #docs
        #(#items)*
    }
}

/// `impl JsonSerialize`: an object of the set `members`.
fn json_serialize<'a>(ty: &TokenStream, members: impl Iterator<Item = &'a Member>) -> TokenStream {
    let entries: Vec<TokenStream> = members
        .map(|member| {
            let field = member_ident(member);
            let wire = &member.wire_name;
            quote! {
                if let Some(value) = &self.#field {
                    ::sdk_runtime::json::serialize_entry(&mut map, #wire, value)?;
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
        impl ::sdk_runtime::json::JsonSerialize for #ty {
            fn serialize_json<S: ::sdk_runtime::deps::serde::Serializer>(
                &self,
                serializer: S,
            ) -> Result<S::Ok, S::Error> {
                let #binding = serializer.serialize_map(None)?;
                #(#entries)*
                ::sdk_runtime::deps::serde::ser::SerializeMap::end(map)
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
    let arms = members.map(|member| {
        let field = member_ident(member);
        let wire = &member.wire_name;
        quote!(#wire => self.#field = ::sdk_runtime::json::value(map)?,)
    });
    quote! {
        impl ::sdk_runtime::json::JsonObject for #ty {
            const NAME: &'static str = #model_name;

            fn read_member<'de, A: ::sdk_runtime::deps::serde::de::MapAccess<'de>>(
                &mut self,
                key: &str,
                map: &mut A,
            ) -> Result<(), A::Error> {
                match key {
                    #(#arms)*
                    _ => ::sdk_runtime::json::skip(map)?,
                }
                Ok(())
            }
        }

        impl ::sdk_runtime::json::JsonDeserialize for #ty {
            fn deserialize_json<'de, D: ::sdk_runtime::deps::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                ::sdk_runtime::json::deserialize_object(deserializer)
            }
        }
    }
}

/// `from_response` of an error shape: its body, with the message taken from
/// wherever the response carried it.
fn error_from_response(
    service: &Service,
    path: &TokenStream,
    structure: &Structure,
) -> TokenStream {
    let (binding, fill_message) = match message_member(service, structure) {
        Some(member) => {
            let field = member_ident(member);
            (
                quote!(mut error),
                quote! {
                    if error.#field.is_none() {
                        error.#field = meta.message().map(ToOwned::to_owned);
                    }
                },
            )
        }
        None => (quote!(error), quote!(let _ = meta;)),
    };
    let headers = header_reads(quote!(error), structure, &quote!());
    let binding = if headers.is_empty() {
        binding
    } else {
        quote!(mut error)
    };
    quote! {
        impl #path {
            /// Parses this error from an error response.
            pub(crate) fn from_response(
                response: &::sdk_runtime::http::HttpResponse,
                meta: &::sdk_runtime::error::ErrorMetadata,
            ) -> Result<Self, ::sdk_runtime::error::BoxError> {
                let #binding: Self = ::sdk_runtime::rest_json::body(response)?;
                #fill_message
                #(#headers)*
                Ok(error)
            }
        }
    }
}

/// Statements that read header- and status-bound members of `structure`
/// into `target`; `map_err` turns a parse failure into the caller's error.
fn header_reads(
    target: TokenStream,
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
            match member.location {
                Location::Header => Some(quote! {
                    if let Some(value) = response.headers().get(#wire) {
                        #target.#field = Some(
                            ::sdk_runtime::param::from_header(#name, value)#map_err?,
                        );
                    }
                }),
                Location::StatusCode => Some(quote! {
                    #target.#field = Some(response.status().as_u16().into());
                }),
                _ => None,
            }
        })
        .collect()
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

        use ::sdk_runtime::http::{HttpRequest, HttpResponse};
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

fn serialize_request(service: &Service, op: &Operation) -> TokenStream {
    let structure = &op.input.structure;
    let input = ident(&op.input.rust_name);
    let input_name = &op.input.rust_name;

    let path = op.path.iter().map(|segment| match segment {
        PathSegment::Literal(text) => quote!(uri.push_str(#text);),
        PathSegment::Label { member, greedy } => {
            let member = &structure.members[*member];
            let field = member_ident(member);
            let name = &member.rust_name;
            let push = if *greedy {
                quote!(::sdk_runtime::uri::push_greedy_label)
            } else {
                quote!(::sdk_runtime::uri::push_label)
            };
            quote!(#push(&mut uri, #input_name, #name, input.#field.as_ref())?;)
        }
    });

    let query_members: Vec<&Member> = structure
        .members
        .iter()
        .filter(|m| m.location == Location::Query)
        .collect();
    let query = if query_members.is_empty() && op.literal_query.is_none() {
        quote!()
    } else {
        let literal = op.literal_query.as_ref().map(|q| {
            let q = format!("?{q}");
            quote!(uri.push_str(#q);)
        });
        let pushes = query_members.iter().map(|member| {
            let field = member_ident(member);
            let wire = &member.wire_name;
            quote!(query.push_param(#wire, input.#field.as_ref());)
        });
        quote! {
            #literal
            let mut query = ::sdk_runtime::uri::QueryWriter::new(uri);
            #(#pushes)*
            let uri = query.finish();
        }
    };

    let headers = structure.members.iter().filter(|m| m.location == Location::Header).map(|member| {
        let field = member_ident(member);
        let wire = &member.wire_name;
        let name = &member.rust_name;
        quote! {
            if let Some(value) = &input.#field {
                let value = ::sdk_runtime::param::ToParam::to_param(value);
                request = request.header(#wire, ::sdk_runtime::param::header_value(#name, &value)?);
            }
        }
    });

    let body = match structure.payload.map(|i| &structure.members[i]) {
        Some(payload) => {
            let field = member_ident(payload);
            let (content_type, bytes) = match &service.shape(payload.target).kind {
                ShapeKind::Blob => (
                    quote!("application/octet-stream"),
                    quote!(value.as_bytes().to_vec()),
                ),
                ShapeKind::String => (quote!("text/plain"), quote!(value.as_bytes().to_vec())),
                _ => (
                    quote!(::sdk_runtime::rest_json::CONTENT_TYPE),
                    quote!(::sdk_runtime::json::to_vec(value).map_err(BuildError::serialization)?),
                ),
            };
            quote! {
                let body = match &input.#field {
                    Some(value) => {
                        request = request.header("content-type", #content_type);
                        #bytes
                    }
                    None => Vec::new(),
                };
            }
        }
        None if has_json_body(structure) => quote! {
            request = request.header("content-type", ::sdk_runtime::rest_json::CONTENT_TYPE);
            let body = ::sdk_runtime::json::to_vec(input).map_err(BuildError::serialization)?;
        },
        None => quote!(let body = Vec::new();),
    };

    let request_mut = structure
        .members
        .iter()
        .any(|m| m.location == Location::Header)
        || has_json_body(structure)
        || structure.payload.is_some();
    let request_binding = if request_mut {
        quote!(mut request)
    } else {
        quote!(request)
    };
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
            let #request_binding = ::sdk_runtime::deps::http::Request::builder()
                .method(::sdk_runtime::deps::http::Method::#method)
                .uri(uri);
            #(#headers)*
            #body
            request
                .body(::sdk_runtime::deps::bytes::Bytes::from(body))
                .map_err(BuildError::serialization)
        }
    }
}

fn parse_response(service: &Service, op: &Operation) -> TokenStream {
    let structure = &op.output.structure;
    let output = ident(&op.output.rust_name);
    let error = ident(&derived::operation_error(&op.rust_name));
    let headers = header_reads(
        quote!(output),
        structure,
        &quote!(.map_err(ResponseFailure::Malformed)),
    );
    let binding = if structure.payload.is_some() || !headers.is_empty() {
        quote!(mut output)
    } else {
        quote!(output)
    };
    let body = match structure.payload.map(|i| &structure.members[i]) {
        Some(payload) => {
            let field = member_ident(payload);
            let value = match &service.shape(payload.target).kind {
                ShapeKind::Blob => quote!(::sdk_runtime::Blob::new(response.body().to_vec())),
                ShapeKind::String => quote! {
                    String::from_utf8(response.body().to_vec()).map_err(ResponseFailure::malformed)?
                },
                _ => {
                    quote!(::sdk_runtime::rest_json::body(response)
                        .map_err(ResponseFailure::malformed)?)
                }
            };
            quote! {
                let #binding = #output::default();
                if !response.body().is_empty() {
                    output.#field = Some(#value);
                }
            }
        }
        None if has_json_body(structure) => quote! {
            let #binding: #output = ::sdk_runtime::rest_json::body(response).map_err(ResponseFailure::malformed)?;
        },
        None => quote!(let #binding = #output::default();),
    };
    let errors = op.errors.iter().map(|id| {
        let shape = service.shape(*id);
        let code = &shape.name;
        let variant = ident(&shape.rust_name);
        let path = shape_path(shape);
        quote!(Some(#code) => #path::from_response(response, &meta).map(#error::#variant),)
    });
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
            #(#headers)*
            Ok(output)
        }

        /// Parses an error response: a modeled error by its code, anything else as `Unhandled`.
        fn parse_error(response: &HttpResponse) -> ResponseFailure<#error> {
            let meta = ::sdk_runtime::rest_json::error_metadata(response);
            let parsed = match meta.code() {
                #(#errors)*
                _ => Ok(#error::Unhandled(::sdk_runtime::error::Unhandled::new(meta, response.body().clone()))),
            };
            match parsed {
                Ok(error) => ResponseFailure::Service(error),
                Err(source) => ResponseFailure::Malformed(source),
            }
        }
    }
}
