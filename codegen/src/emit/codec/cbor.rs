//! The CBOR codec of Smithy RPC v2 CBOR: per shape, the `CborSerialize` /
//! `CborDeserialize` impls the runtime's `cbor` module drives (minicbor's
//! encoder and decoder, no intermediate values). Timestamps are tag 1 epoch
//! seconds and blobs byte strings whatever the model's timestamp formats
//! say, as the protocol requires.

use proc_macro2::TokenStream;
use quote::quote;

use super::Codec;
use crate::emit::{member_ident, shape_path};
use crate::ir::{Member, Service, Shape, ShapeKind, Union};
use crate::naming::ident;

/// The CBOR codec.
pub struct Cbor;

impl Codec for Cbor {
    fn name(&self) -> &'static str {
        "CBOR"
    }

    fn shape_impls(&self, _service: &Service, shape: &Shape) -> TokenStream {
        match &shape.kind {
            ShapeKind::Structure(structure) => {
                let path = shape_path(shape);
                let ser = shape
                    .serialized
                    .then(|| cbor_serialize(&path, structure.members.iter()));
                let de = shape
                    .deserialized
                    .then(|| cbor_deserialize(&path, &shape.name, structure.members.iter()));
                quote!(#ser #de)
            }
            ShapeKind::Union(union) => union_cbor(shape, union),
            ShapeKind::Enum(_) => enum_cbor(shape),
            _ => quote!(),
        }
    }

    fn input_body(&self, ty: &TokenStream, members: &[&Member]) -> TokenStream {
        cbor_serialize(ty, members.iter().copied())
    }

    fn output_body(&self, ty: &TokenStream, name: &str, members: &[&Member]) -> TokenStream {
        cbor_deserialize(ty, name, members.iter().copied())
    }

    fn runtime_module(&self) -> &'static str {
        "cbor"
    }
}

fn enum_cbor(shape: &Shape) -> TokenStream {
    let path = shape_path(shape);
    quote! {
        impl ::sdk_runtime::__private::cbor::CborSerialize for #path {
            fn write_cbor(
                &self,
                writer: &mut ::sdk_runtime::__private::cbor::Writer<'_>,
            ) -> Result<(), ::sdk_runtime::__private::cbor::CborError> {
                ::sdk_runtime::__private::cbor::write_str(writer, self.as_str())
            }
        }

        impl ::sdk_runtime::__private::cbor::CborDeserialize for #path {
            fn read_cbor(
                decoder: &mut ::sdk_runtime::__private::cbor::Decoder<'_>,
                _depth: usize,
            ) -> Result<Self, ::sdk_runtime::__private::cbor::CborError> {
                ::sdk_runtime::__private::cbor::read_str_enum(decoder)
            }
        }
    }
}

/// `impl CborSerialize`: a definite-length map of the set `members`.
fn cbor_serialize<'a>(ty: &TokenStream, members: impl Iterator<Item = &'a Member>) -> TokenStream {
    let members: Vec<&Member> = members.collect();
    let counts = members.iter().map(|member| {
        let field = member_ident(member);
        quote!(u64::from(self.#field.is_some()))
    });
    let entries = members.iter().map(|member| {
        let field = member_ident(member);
        let wire = &member.wire_name;
        quote! {
            if let Some(value) = &self.#field {
                ::sdk_runtime::__private::cbor::entry(writer, #wire, value)?;
            }
        }
    });
    let len = if members.is_empty() {
        quote!(0)
    } else {
        quote!(#(#counts)+*)
    };
    quote! {
        impl ::sdk_runtime::__private::cbor::CborSerialize for #ty {
            fn write_cbor(
                &self,
                writer: &mut ::sdk_runtime::__private::cbor::Writer<'_>,
            ) -> Result<(), ::sdk_runtime::__private::cbor::CborError> {
                ::sdk_runtime::__private::cbor::map_header(writer, #len)?;
                #(#entries)*
                Ok(())
            }
        }
    }
}

/// `impl CborObject` and `impl CborDeserialize`: reads `members`, skips anything else.
fn cbor_deserialize<'a>(
    ty: &TokenStream,
    model_name: &str,
    members: impl Iterator<Item = &'a Member>,
) -> TokenStream {
    let arms: Vec<TokenStream> = members
        .map(|member| {
            let field = member_ident(member);
            let wire = &member.wire_name;
            quote!(#wire => self.#field = ::sdk_runtime::__private::cbor::value(decoder, depth)?,)
        })
        .collect();
    let (key, body) = if arms.is_empty() {
        (
            quote!(_key),
            quote!(::sdk_runtime::__private::cbor::skip(decoder, depth)?;),
        )
    } else {
        (
            quote!(key),
            quote! {
                match key {
                    #(#arms)*
                    _ => ::sdk_runtime::__private::cbor::skip(decoder, depth)?,
                }
            },
        )
    };
    quote! {
        impl ::sdk_runtime::__private::cbor::CborObject for #ty {
            const NAME: &'static str = #model_name;

            fn read_member(
                &mut self,
                #key: &str,
                decoder: &mut ::sdk_runtime::__private::cbor::Decoder<'_>,
                depth: usize,
            ) -> Result<(), ::sdk_runtime::__private::cbor::CborError> {
                #body
                Ok(())
            }
        }

        impl ::sdk_runtime::__private::cbor::CborDeserialize for #ty {
            fn read_cbor(
                decoder: &mut ::sdk_runtime::__private::cbor::Decoder<'_>,
                depth: usize,
            ) -> Result<Self, ::sdk_runtime::__private::cbor::CborError> {
                ::sdk_runtime::__private::cbor::read_object(decoder, depth)
            }
        }
    }
}

/// A union's CBOR impls: a map with exactly one member.
fn union_cbor(shape: &Shape, union: &Union) -> TokenStream {
    let path = shape_path(shape);
    let model_name = &shape.name;
    let members = || union.structure.members.iter().zip(&union.variants);
    let ser = shape.serialized.then(|| {
        let arms = members().map(|(member, variant)| {
            let variant = ident(variant);
            let wire = &member.wire_name;
            quote!(Self::#variant(value) => ::sdk_runtime::__private::cbor::entry(writer, #wire, value),)
        });
        quote! {
            impl ::sdk_runtime::__private::cbor::CborSerialize for #path {
                fn write_cbor(
                    &self,
                    writer: &mut ::sdk_runtime::__private::cbor::Writer<'_>,
                ) -> Result<(), ::sdk_runtime::__private::cbor::CborError> {
                    if let Self::Unknown(member) = self {
                        return Err(::sdk_runtime::__private::cbor::unknown_variant(#model_name, member));
                    }
                    ::sdk_runtime::__private::cbor::map_header(writer, 1)?;
                    match self {
                        #(#arms)*
                        Self::Unknown(_) => Ok(()),
                    }
                }
            }
        }
    });
    let de = shape.deserialized.then(|| {
        let arms = members().map(|(member, variant)| {
            let variant = ident(variant);
            let wire = &member.wire_name;
            let value = if member.boxed {
                quote!(::std::boxed::Box::new(
                    ::sdk_runtime::__private::cbor::CborDeserialize::read_cbor(decoder, depth)?
                ))
            } else {
                quote!(::sdk_runtime::__private::cbor::CborDeserialize::read_cbor(
                    decoder, depth
                )?)
            };
            quote!(#wire => Self::#variant(#value),)
        });
        quote! {
            impl ::sdk_runtime::__private::cbor::CborUnion for #path {
                const NAME: &'static str = #model_name;

                fn read_variant(
                    key: &str,
                    decoder: &mut ::sdk_runtime::__private::cbor::Decoder<'_>,
                    depth: usize,
                ) -> Result<Self, ::sdk_runtime::__private::cbor::CborError> {
                    Ok(match key {
                        #(#arms)*
                        other => {
                            ::sdk_runtime::__private::cbor::skip(decoder, depth)?;
                            Self::Unknown(other.to_owned())
                        }
                    })
                }
            }

            impl ::sdk_runtime::__private::cbor::CborDeserialize for #path {
                fn read_cbor(
                    decoder: &mut ::sdk_runtime::__private::cbor::Decoder<'_>,
                    depth: usize,
                ) -> Result<Self, ::sdk_runtime::__private::cbor::CborError> {
                    ::sdk_runtime::__private::cbor::read_union(decoder, depth)
                }
            }
        }
    });
    quote!(#ser #de)
}
