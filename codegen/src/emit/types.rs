//! Shapes as Rust types: structures with getters and builders, string enums.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::{
    doc_attrs, doc_line, docs_or, field_type, inner_doc_attrs, is_error, member_docs, member_ident,
    required_docs, rust_type, setter_param, value_kind, ValueKind,
};
use crate::ir::{EnumVariant, Service, Shape, ShapeKind, Structure, Union};
use crate::naming::{derived, ident, serde_names};

/// `src/types.rs`: every emitted structure and enum that is not an error.
pub fn types_rs(service: &Service) -> TokenStream {
    let items = service
        .shapes
        .iter()
        .filter(|s| s.emitted && !is_error(s))
        .map(|shape| match &shape.kind {
            ShapeKind::Structure(structure) => {
                let name = ident(&shape.rust_name);
                let builder = ident(&derived::builder(&shape.rust_name));
                let spec = StructSpec {
                    request_id: false,
                    name: &name,
                    docs: docs_or(&shape.docs, || format!("The `{}` structure.", shape.name)),
                    structure,
                    builder_path: quote!(crate::types::builders::#builder),
                };
                structure_type(service, &spec)
            }
            ShapeKind::Enum(variants) => enum_type(shape, variants),
            ShapeKind::Union(union) => union_type(service, shape, union),
            _ => quote!(),
        });
    let docs = inner_doc_attrs(&[
        "The data types of the service: structures, enums and (in [`error`]) errors.".to_owned(),
        String::new(),
        "Structures are built with their builders (in [`builders`]) and read with getters."
            .to_owned(),
    ]);
    quote! {
        #docs
        pub mod builders;
        pub mod error;
        #(#items)*
    }
}

/// `src/types/builders.rs` (or, with `errors`, `src/types/error/builders.rs`).
pub fn builders_rs(service: &Service, errors: bool) -> TokenStream {
    let items = service
        .shapes
        .iter()
        .filter(|s| s.emitted && is_error(s) == errors)
        .filter_map(|shape| match &shape.kind {
            ShapeKind::Structure(structure) => {
                let name = ident(&shape.rust_name);
                let path = super::shape_path(shape);
                Some(builder_type(service, &name, &shape.name, structure, &path))
            }
            _ => None,
        });
    let docs = inner_doc_attrs(&["Builders for the structures of the parent module.".to_owned()]);
    quote! {
        #docs
        #(#items)*
    }
}

/// What [`structure_type`] needs to know about a structure.
pub struct StructSpec<'a> {
    /// The type's identifier.
    pub name: &'a Ident,
    /// Its `#[doc]` attributes.
    pub docs: TokenStream,
    /// Its members.
    pub structure: &'a Structure,
    /// The path of its builder.
    pub builder_path: TokenStream,
    /// An operation output: it keeps the response's request id.
    pub request_id: bool,
}

/// The derives of a structure or its builder, and a hand-written `Debug`
/// impl when a member is sensitive: that member shows as a placeholder.
///
/// A structure holding an event stream's receiver is neither `Clone` nor
/// `PartialEq`: its events are read once, as they come.
fn derives_and_debug(
    service: &Service,
    name: &Ident,
    structure: &Structure,
    request_id: bool,
) -> (TokenStream, TokenStream) {
    let stream = service.event_stream_member(structure).is_some();
    if !structure.members.iter().any(|m| m.sensitive) {
        let derives = if stream {
            quote!(#[derive(Debug, Default)])
        } else {
            quote!(#[derive(Clone, Debug, Default, PartialEq)])
        };
        return (derives, TokenStream::new());
    }
    let derives = if stream {
        quote!(#[derive(Default)])
    } else {
        quote!(#[derive(Clone, Default, PartialEq)])
    };
    let shown = name.to_string();
    let fields = structure.members.iter().map(|member| {
        let field = member_ident(member);
        let label = &member.rust_name;
        if member.sensitive {
            quote! {
                .field(#label, &"** redacted **")
            }
        } else {
            quote!(.field(#label, &self.#field))
        }
    });
    let request_id = request_id.then(|| quote!(.field("_request_id", &self._request_id)));
    (
        derives,
        quote! {
            impl ::std::fmt::Debug for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.debug_struct(#shown)
                        #(#fields)*
                        #request_id
                        .finish()
                }
            }
        },
    )
}

/// A structure: the struct, its getters and `builder()`.
pub fn structure_type(service: &Service, spec: &StructSpec<'_>) -> TokenStream {
    let StructSpec {
        name,
        docs,
        structure,
        builder_path,
        request_id,
    } = spec;
    let serde_names = serde_names(
        structure
            .members
            .iter()
            .map(|m| (m.name.as_str(), m.wire_name.as_str())),
    );
    let fields = structure.members.iter().zip(&serde_names).map(|(member, wire)| {
        let field = member_ident(member);
        let ty = field_type(service, member);
        // A receiver is not data: it is left out of the serde form.
        let serde = if service.is_event_stream(member.target) {
            quote!(#[cfg_attr(feature = "serde", serde(skip))])
        } else {
            quote! {
                #[cfg_attr(
                    feature = "serde",
                    serde(rename = #wire, default, skip_serializing_if = "::std::option::Option::is_none")
                )]
            }
        };
        quote! {
            #serde
            pub(crate) #field: #ty,
        }
    });
    let getters = structure.members.iter().map(|member| {
        let field = member_ident(member);
        let docs = member_docs(member);
        if service.is_event_stream(member.target) {
            let ty = rust_type(service, member.target);
            let more = doc_attrs(&[
                String::new(),
                "Its `recv().await` (or `recv_blocking()`) gives the events one by one.".to_owned(),
            ]);
            return quote! {
                #docs
                #more
                pub fn #field(&mut self) -> &mut #ty {
                    self.#field.get_or_insert_with(::std::default::Default::default)
                }
            };
        }
        let (ret, body) = match value_kind(service, member.target) {
            ValueKind::String => (
                quote!(::std::option::Option<&str>),
                quote!(self.#field.as_deref()),
            ),
            ValueKind::Copy => {
                let ty = rust_type(service, member.target);
                (quote!(::std::option::Option<#ty>), quote!(self.#field))
            }
            ValueKind::List(item) => {
                let item = rust_type(service, item);
                (
                    quote!(::std::option::Option<&[#item]>),
                    quote!(self.#field.as_deref()),
                )
            }
            ValueKind::Map(_) | ValueKind::Other => {
                let ty = rust_type(service, member.target);
                let body = if member.boxed {
                    quote!(self.#field.as_deref())
                } else {
                    quote!(self.#field.as_ref())
                };
                (quote!(::std::option::Option<&#ty>), body)
            }
        };
        quote! {
            #docs
            pub fn #field(&self) -> #ret {
                #body
            }
        }
    });
    let builder_doc = format!("A builder for [`{name}`].");
    let builder_doc_attr = doc_line(&builder_doc);
    // `_request_id`: no model member can take it (names lose leading `_`).
    let (request_id_field, request_id_impls) = if *request_id {
        (
            quote! {
                #[cfg_attr(feature = "serde", serde(skip))]
                pub(crate) _request_id: ::std::option::Option<::std::string::String>,
            },
            quote! {
                impl ::sdk_runtime::RequestId for #name {
                    fn request_id(&self) -> ::std::option::Option<&str> {
                        self._request_id.as_deref()
                    }
                }

                impl ::sdk_runtime::operation::SetRequestId for #name {
                    fn set_request_id(&mut self, id: ::std::option::Option<::std::string::String>) {
                        self._request_id = id;
                    }
                }
            },
        )
    } else {
        (TokenStream::new(), TokenStream::new())
    };
    let (derives, debug_impl) = derives_and_debug(service, name, structure, *request_id);
    quote! {
        #docs
        #derives
        #[cfg_attr(feature = "serde", derive(::serde::Serialize, ::serde::Deserialize))]
        pub struct #name {
            #(#fields)*
            #request_id_field
        }

        #debug_impl

        impl #name {
            #builder_doc_attr
            pub fn builder() -> #builder_path {
                ::std::default::Default::default()
            }

            #(#getters)*
        }

        #request_id_impls
    }
}

/// The builder of a structure: a setter per member, `set_*` for the whole
/// `Option`, and `build()`, fallible when the structure has required members
/// or when `always_fallible` (operation inputs).
pub fn builder_type_with(
    service: &Service,
    target: &Ident,
    model_name: &str,
    structure: &Structure,
    target_path: &TokenStream,
    always_fallible: bool,
) -> TokenStream {
    builder_type_full(
        service,
        target,
        model_name,
        structure,
        target_path,
        always_fallible,
        false,
    )
}

/// [`builder_type_with`], for an operation output when `request_id` (the
/// built value has no request id: it came from no response).
pub fn builder_type_full(
    service: &Service,
    target: &Ident,
    model_name: &str,
    structure: &Structure,
    target_path: &TokenStream,
    always_fallible: bool,
    request_id: bool,
) -> TokenStream {
    let builder = ident(&derived::builder(&target.to_string()));
    let fields = structure.members.iter().map(|member| {
        let field = member_ident(member);
        let ty = field_type(service, member);
        quote!(pub(crate) #field: #ty,)
    });
    let setters = structure.members.iter().map(|member| {
        let field = member_ident(member);
        let set = ident(&derived::setter(&member.rust_name));
        let docs = member_docs(member);
        let value_ty = rust_type(service, member.target);
        let (one, one_doc) = match value_kind(service, member.target) {
            ValueKind::List(item) => {
                let (param, convert) = setter_param(service, item);
                let doc = format!("Appends an item to `{}`; see [`Self::{set}`] to set the whole list.", member.rust_name);
                (
                    quote! {
                        pub fn #field(mut self, item: #param) -> Self {
                            self.#field.get_or_insert_with(::std::vec::Vec::new).push(item #convert);
                            self
                        }
                    },
                    doc,
                )
            }
            ValueKind::Map(value) => {
                let (param, convert) = setter_param(service, value);
                let doc = format!("Inserts a key and value into `{}`; see [`Self::{set}`] to set the whole map.", member.rust_name);
                (
                    quote! {
                        pub fn #field(
                            mut self,
                            key: impl ::std::convert::Into<::std::string::String>,
                            value: #param,
                        ) -> Self {
                            self.#field
                                .get_or_insert_with(::std::collections::HashMap::new)
                                .insert(key.into(), value #convert);
                            self
                        }
                    },
                    doc,
                )
            }
            _ => {
                let (param, convert) = setter_param(service, member.target);
                let wrap = if member.boxed {
                    quote!(::std::boxed::Box::new(input #convert))
                } else {
                    quote!(input #convert)
                };
                (
                    quote! {
                        pub fn #field(mut self, input: #param) -> Self {
                            self.#field = ::std::option::Option::Some(#wrap);
                            self
                        }
                    },
                    String::new(),
                )
            }
        };
        let required = required_docs(member, "build");
        let one_doc = if one_doc.is_empty() { quote!(#docs #required) } else { {
            let one_doc = doc_attrs(&[String::new(), one_doc]);
            quote!(#docs #one_doc #required)
        } };
        let set_body = if member.boxed {
            quote!(input.map(::std::boxed::Box::new))
        } else {
            quote!(input)
        };
        let set_doc = format!("Sets or clears `{}`.", member.rust_name);
        let set_doc_attr = doc_line(&set_doc);
        quote! {
            #one_doc
            #one

            #set_doc_attr
            pub fn #set(mut self, input: ::std::option::Option<#value_ty>) -> Self {
                self.#field = #set_body;
                self
            }
        }
    });
    let moves = structure.members.iter().map(|member| {
        let field = member_ident(member);
        // Inputs fill a missing idempotency token, as the service expects one per request.
        if always_fallible && member.idempotency_token {
            quote!(#field: self.#field.or_else(|| ::std::option::Option::Some(::sdk_runtime::__private::idempotency_token())),)
        } else {
            quote!(#field: self.#field,)
        }
    });
    let moves = moves.chain(request_id.then(|| quote!(_request_id: ::std::option::Option::None,)));
    let link = format!("[`{target}`]({})", target_path.to_string().replace(' ', ""));
    let fallible = always_fallible || structure.has_required();
    let build = if fallible {
        let target_name = target.to_string();
        let checks = structure.members.iter().filter(|m| m.required).map(|member| {
            let field = member_ident(member);
            let name = &member.rust_name;
            quote! {
                if self.#field.is_none() {
                    return ::std::result::Result::Err(::sdk_runtime::BuildError::missing_member(#target_name, #name));
                }
            }
        });
        let doc = doc_attrs(&[
            format!("Builds the {link}."),
            String::new(),
            "Fails with an error naming the member when a required member is not set.".to_owned(),
        ]);
        quote! {
            #doc
            pub fn build(self) -> ::std::result::Result<#target_path, ::sdk_runtime::BuildError> {
                #(#checks)*
                ::std::result::Result::Ok(#target_path { #(#moves)* })
            }
        }
    } else {
        let doc = format!("Builds the {link}.");
        let doc_attr = doc_line(&doc);
        quote! {
            #doc_attr
            pub fn build(self) -> #target_path {
                #target_path { #(#moves)* }
            }
        }
    };
    let doc = format!("A builder for {link} (`{model_name}` in the model).");
    let doc_attr = doc_line(&doc);
    let (derives, debug_impl) = derives_and_debug(service, &builder, structure, false);
    quote! {
        #doc_attr
        #derives
        pub struct #builder {
            #(#fields)*
        }

        #debug_impl

        impl #builder {
            #(#setters)*

            #build
        }
    }
}

/// The builder of a shape in `types`.
fn builder_type(
    service: &Service,
    target: &Ident,
    model_name: &str,
    structure: &Structure,
    target_path: &TokenStream,
) -> TokenStream {
    builder_type_with(service, target, model_name, structure, target_path, false)
}

/// A union: an enum with a variant per member, and `Unknown` for members
/// this crate does not know.
fn union_type(service: &Service, shape: &Shape, union: &Union) -> TokenStream {
    let name = ident(&shape.rust_name);
    let docs = docs_or(&shape.docs, || {
        format!("The `{}` union: exactly one of its members.", shape.name)
    });
    let members = &union.structure.members;
    let serde_names = serde_names(
        members
            .iter()
            .map(|m| (m.name.as_str(), m.wire_name.as_str())),
    );
    let variants =
        members
            .iter()
            .zip(&union.variants)
            .zip(&serde_names)
            .map(|((member, variant), wire)| {
                let variant = ident(variant);
                let ty = rust_type(service, member.target);
                let ty = if member.boxed {
                    quote!(::std::boxed::Box<#ty>)
                } else {
                    ty
                };
                let docs = member_docs(member);
                quote! {
                    #docs
                    #[cfg_attr(feature = "serde", serde(rename = #wire))]
                    #variant(#ty),
                }
            });
    let accessors = members
        .iter()
        .zip(&union.variants)
        .map(|(member, variant)| {
            let variant = ident(variant);
            let ty = rust_type(service, member.target);
            let as_fn = ident(&derived::union_as(&member.rust_name));
            let is_fn = ident(&derived::union_is(&member.rust_name));
            let as_doc = doc_line(&format!(
                "The `{}` member, if it is the one set.",
                member.name
            ));
            let is_doc = doc_line(&format!(
                "Whether the `{}` member is the one set.",
                member.name
            ));
            let value = if member.boxed {
                quote!(&**value)
            } else {
                quote!(value)
            };
            quote! {
                #as_doc
                pub fn #as_fn(&self) -> ::std::option::Option<&#ty> {
                    match self {
                        Self::#variant(value) => ::std::option::Option::Some(#value),
                        _ => ::std::option::Option::None,
                    }
                }

                #is_doc
                pub fn #is_fn(&self) -> bool {
                    matches!(self, Self::#variant(_))
                }
            }
        });
    quote! {
        #docs
        #[allow(
            clippy::large_enum_variant,
            reason = "a union holds whichever member the service sends; boxing every member would allocate for each value"
        )]
        #[derive(Clone, Debug, PartialEq)]
        #[cfg_attr(feature = "serde", derive(::serde::Serialize, ::serde::Deserialize))]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A member this version of the crate does not know, by its wire
            /// name; it cannot be sent back.
            #[cfg_attr(feature = "serde", serde(skip))]
            Unknown(::std::string::String),
        }

        impl #name {
            #(#accessors)*

            /// Whether the member set is one this crate does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }
    }
}

/// A string enum with an `Unknown` variant that keeps values this crate does not know.
fn enum_type(shape: &Shape, variants: &[EnumVariant]) -> TokenStream {
    let name = ident(&shape.rust_name);
    let docs = docs_or(&shape.docs, || format!("The values of `{}`.", shape.name));
    let idents: Vec<Ident> = variants.iter().map(|v| ident(&v.rust_name)).collect();
    let values: Vec<&str> = variants.iter().map(|v| v.value.as_str()).collect();
    let variant_docs = values.iter().map(|v| doc_line(&format!("`{v}`")));
    quote! {
        #docs
        ///
        /// Values this version of the crate does not know are kept in
        /// [`Unknown`](Self::Unknown), so they parse and round-trip.
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(
                #variant_docs
                #idents,
            )*
            /// A value this version of the crate does not know, as sent.
            Unknown(::std::string::String),
        }

        impl #name {
            /// The value as it is sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#idents => #values,)*
                    Self::Unknown(value) => value.as_str(),
                }
            }

            /// Every value this version of the crate knows.
            pub const fn values() -> &'static [&'static str] {
                &[#(#values),*]
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#values => Self::#idents,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                match Self::from(value.as_str()) {
                    Self::Unknown(_) => Self::Unknown(value),
                    known => known,
                }
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;

            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(Self::from(value))
            }
        }

        impl ::std::convert::AsRef<str> for #name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        #[cfg(feature = "serde")]
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        #[cfg(feature = "serde")]
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                ::sdk_runtime::__private::json::deserialize_str_enum(deserializer)
            }
        }
    }
}
