//! The JSON codec: per shape, the `JsonSerialize` / `JsonDeserialize` impls
//! the runtime's `json` module drives (serde, no intermediate values).
//! Shared by rest-json and awsJson; timestamps are written in the format
//! resolution decided for each member, blobs as base64.

use proc_macro2::TokenStream;
use quote::quote;

use super::Codec;
use crate::emit::{member_ident, shape_path, timestamp_format};
use crate::ir::{Member, Service, Shape, ShapeKind, Union};
use crate::naming::ident;

/// The JSON codec.
pub struct Json;

impl Codec for Json {
    fn name(&self) -> &'static str {
        "JSON"
    }

    fn shape_impls(&self, _service: &Service, shape: &Shape) -> TokenStream {
        match &shape.kind {
            ShapeKind::Structure(structure) => {
                let path = shape_path(shape);
                let ser = shape
                    .serialized
                    .then(|| json_serialize(&path, structure.members.iter()));
                let de = shape
                    .deserialized
                    .then(|| json_deserialize(&path, &shape.name, structure.members.iter()));
                quote!(#ser #de)
            }
            ShapeKind::Union(union) => union_json(shape, union),
            ShapeKind::Enum(_) => enum_json(shape),
            _ => quote!(),
        }
    }

    fn input_body(&self, ty: &TokenStream, members: &[&Member]) -> TokenStream {
        json_serialize(ty, members.iter().copied())
    }

    fn output_body(&self, ty: &TokenStream, name: &str, members: &[&Member]) -> TokenStream {
        json_deserialize(ty, name, members.iter().copied())
    }

    fn runtime_module(&self) -> &'static str {
        "json"
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
