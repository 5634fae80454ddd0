//! The query codec of awsQuery and EC2 query: inputs are written as
//! form-encoded `key=value` pairs under dotted keys, outputs and errors are
//! read as XML (through [`super::xml`]).
//!
//! Keys follow botocore's `QuerySerializer` and `EC2Serializer`:
//!
//! | | awsQuery | EC2 query |
//! | --- | --- | --- |
//! | member key | `locationName`, else the name | `queryName`, else `locationName` capitalised, else the name |
//! | list items | `Key.member.N` (`Key.{locationName}.N`); flattened: `Key.N`, or `{locationName}.N` | always `Key.N` |
//! | empty list | `Key=` | nothing |
//! | map entries | `Key.entry.N.key` / `.value` (flattened: `Key.N.key`), renamed by `locationName` | the same |
//!
//! Booleans are `true` / `false`, floats may be `NaN` / `Infinity` /
//! `-Infinity`, blobs base64, timestamps RFC 3339 unless the member or
//! shape says otherwise.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{xml, Codec};
use crate::emit::{member_ident, shape_path, timestamp_format};
use crate::ir::{Member, Service, Shape, ShapeId, ShapeKind, TimestampFormat, Union};
use crate::naming::{ident, wire};

/// The query codec; `ec2` selects EC2's naming and list rules.
pub struct Query<'a> {
    pub service: &'a Service,
    pub ec2: bool,
}

impl Query<'_> {
    /// The request key of `member` (its last segment).
    fn member_key(&self, member: &Member) -> String {
        if self.ec2 {
            wire::ec2_query_key(
                &member.name,
                member.location_name.as_deref(),
                member.query_name.as_deref(),
            )
        } else {
            member
                .location_name
                .clone()
                .unwrap_or_else(|| member.name.clone())
        }
    }

    /// A name the model gives a list's items or a map's key or value.
    fn part_name(&self, name: Option<&str>, query_name: Option<&str>, default: &str) -> String {
        if self.ec2 {
            match (query_name, name) {
                (None, None) => default.to_owned(),
                (query, location) => wire::ec2_query_key(default, location, query),
            }
        } else {
            name.unwrap_or(default).to_owned()
        }
    }

    /// Statements writing `value` (an expression of type `&T`) of shape
    /// `id` under the key `key` (an expression of type `&str`); `flattened`
    /// for lists and maps not wrapped (from the member or the shape).
    fn write(
        &self,
        id: ShapeId,
        value: &TokenStream,
        key: &TokenStream,
        flattened: bool,
        format: Option<TimestampFormat>,
        depth: usize,
    ) -> TokenStream {
        let service = self.service;
        let shape = service.shape(id);
        match &shape.kind {
            ShapeKind::List { member } => {
                let item = format_ident!("item{depth}");
                let index = format_ident!("index{depth}");
                let item_key = format_ident!("key{depth}");
                let item_shape = service.shape(*member);
                let items = format_ident!("items{depth}");
                let prefix = if self.ec2 || flattened {
                    quote!(let #items: &str = #key;)
                } else {
                    let name = self.part_name(
                        shape.xml.member.as_deref(),
                        shape.xml.member_query.as_deref(),
                        "member",
                    );
                    quote!(let #items = &::sdk_runtime::__private::query::key(#key, #name);)
                };
                let write = self.write(
                    *member,
                    &quote!(#item),
                    &quote!(&#item_key),
                    item_shape.xml.flattened,
                    format,
                    depth + 1,
                );
                let empty = (!self.ec2).then(|| {
                    quote! {
                        if #value.is_empty() {
                            writer.pair(#key, "");
                        }
                    }
                });
                quote! {
                    #empty
                    #prefix
                    for (#index, #item) in #value.iter().enumerate() {
                        let #item_key = ::sdk_runtime::__private::query::item_key(#items, #index);
                        #write
                    }
                }
            }
            ShapeKind::Map {
                key: key_id,
                value: value_id,
            } => {
                let k = format_ident!("key{depth}");
                let v = format_ident!("value{depth}");
                let index = format_ident!("index{depth}");
                let entry = format_ident!("entry{depth}");
                let key_name = self.part_name(shape.xml.key.as_deref(), None, "key");
                let value_name = self.part_name(shape.xml.value.as_deref(), None, "value");
                let entries = format_ident!("entries{depth}");
                let prefix = if flattened {
                    quote!(let #entries: &str = #key;)
                } else {
                    quote!(let #entries = &::sdk_runtime::__private::query::key(#key, "entry");)
                };
                let write_key = self.write(
                    *key_id,
                    &quote!(#k),
                    &quote!(&::sdk_runtime::__private::query::key(&#entry, #key_name)),
                    false,
                    None,
                    depth + 1,
                );
                let write_value = self.write(
                    *value_id,
                    &quote!(#v),
                    &quote!(&::sdk_runtime::__private::query::key(&#entry, #value_name)),
                    service.shape(*value_id).xml.flattened,
                    format,
                    depth + 1,
                );
                // Entries in key order, so a request is the same every time.
                let sorted = format_ident!("sorted{depth}");
                quote! {
                    #prefix
                    let mut #sorted: ::std::vec::Vec<_> = #value.iter().collect();
                    #sorted.sort_by(|a, b| a.0.cmp(b.0));
                    for (#index, (#k, #v)) in #sorted.into_iter().enumerate() {
                        let #entry = ::sdk_runtime::__private::query::item_key(#entries, #index);
                        #write_key
                        #write_value
                    }
                }
            }
            ShapeKind::Structure(_) | ShapeKind::Union(_) => {
                quote!(::sdk_runtime::__private::query::QueryWrite::write_query(#value, writer, #key);)
            }
            ShapeKind::Timestamp { .. } => {
                let format = timestamp_format(format.unwrap_or(TimestampFormat::DateTime));
                quote!(writer.timestamp(#key, #value, #format);)
            }
            // Not a query value: the protocols have no documents or streams.
            ShapeKind::Document | ShapeKind::StreamingBlob => quote!(let _ = (#value, #key);),
            _ => quote!(writer.value(#key, #value);),
        }
    }

    fn member_write(&self, member: &Member, value: &TokenStream) -> TokenStream {
        let target = self.service.shape(member.target);
        // A flattened list with a named member takes that name in place of
        // the member's (botocore replaces the key's last segment).
        let name = match (
            &target.kind,
            member.flattened && !self.ec2,
            &target.xml.member,
        ) {
            (ShapeKind::List { .. }, true, Some(item)) => item.clone(),
            _ => self.member_key(member),
        };
        let write = self.write(
            member.target,
            value,
            &quote!(&key),
            member.flattened,
            member.timestamp_format,
            0,
        );
        quote! {
            let key = ::sdk_runtime::__private::query::key(prefix, #name);
            #write
        }
    }

    /// `impl QueryWrite` for a structure or input of `members`.
    pub fn structure_write<'m>(
        &self,
        ty: &TokenStream,
        members: impl Iterator<Item = &'m Member>,
    ) -> TokenStream {
        let writes: Vec<TokenStream> = members
            .map(|member| {
                let field = member_ident(member);
                let write = self.member_write(member, &quote!(value));
                quote! {
                    if let Some(value) = &self.#field {
                        #write
                    }
                }
            })
            .collect();
        let (writer, prefix) = if writes.is_empty() {
            (quote!(_writer), quote!(_prefix))
        } else {
            (quote!(writer), quote!(prefix))
        };
        quote! {
            impl ::sdk_runtime::__private::query::QueryWrite for #ty {
                fn write_query(&self, #writer: &mut ::sdk_runtime::__private::query::QueryWriter, #prefix: &str) {
                    #(#writes)*
                }
            }
        }
    }

    fn union_write(&self, shape: &Shape, union: &Union) -> TokenStream {
        let path = shape_path(shape);
        let arms = union
            .structure
            .members
            .iter()
            .zip(&union.variants)
            .map(|(member, variant)| {
                let variant = ident(variant);
                let write = self.member_write(member, &quote!(value));
                quote!(Self::#variant(value) => { #write })
            });
        quote! {
            impl ::sdk_runtime::__private::query::QueryWrite for #path {
                fn write_query(&self, writer: &mut ::sdk_runtime::__private::query::QueryWriter, prefix: &str) {
                    match self {
                        #(#arms)*
                        Self::Unknown(_) => {}
                    }
                }
            }
        }
    }

    fn enum_param(shape: &Shape) -> TokenStream {
        let path = shape_path(shape);
        quote! {
            impl ::sdk_runtime::__private::param::ToParam for #path {
                fn to_param(&self) -> ::std::borrow::Cow<'_, str> {
                    ::std::borrow::Cow::Borrowed(self.as_str())
                }
            }
        }
    }
}

impl Codec for Query<'_> {
    fn name(&self) -> &'static str {
        "query and XML"
    }

    fn shape_impls(&self, service: &Service, shape: &Shape) -> TokenStream {
        match &shape.kind {
            ShapeKind::Structure(structure) => {
                let path = shape_path(shape);
                let write = shape
                    .serialized
                    .then(|| self.structure_write(&path, structure.members.iter()));
                let read = shape
                    .deserialized
                    .then(|| xml::structure_read(service, &path, structure.members.iter()));
                quote!(#write #read)
            }
            ShapeKind::Union(union) => {
                let write = shape.serialized.then(|| self.union_write(shape, union));
                let read = shape
                    .deserialized
                    .then(|| xml::union_read(service, shape, union));
                quote!(#write #read)
            }
            ShapeKind::Enum(_) => {
                let param = Self::enum_param(shape);
                let read = xml::enum_read(shape);
                quote!(#param #read)
            }
            _ => quote!(),
        }
    }

    fn input_body(&self, ty: &TokenStream, members: &[&Member]) -> TokenStream {
        self.structure_write(ty, members.iter().copied())
    }

    fn output_body(&self, ty: &TokenStream, _name: &str, members: &[&Member]) -> TokenStream {
        xml::structure_read(self.service, ty, members.iter().copied())
    }

    fn runtime_module(&self) -> &'static str {
        "query"
    }

    fn write_body(&self, value: TokenStream) -> TokenStream {
        quote!(::sdk_runtime::__private::query::QueryWrite::write_query(#value, &mut writer, ""))
    }

    fn read_body(&self, _ty: Option<TokenStream>) -> TokenStream {
        quote!(::sdk_runtime::__private::query::error_body(response))
    }

    fn read_value(&self) -> TokenStream {
        quote!(::sdk_runtime::__private::query::error_body(response))
    }
}
