//! The XML codec's reading side: per shape, an `XmlRead` impl that walks
//! the runtime's element tree (`sdk_runtime::__private::xml`, quick-xml
//! underneath) by element name.
//!
//! Element names follow botocore's `BaseXMLResponseParser`: a member's
//! `locationName`, else its name; a flattened list's items are elements
//! of the member itself (named by the list member's `locationName` when
//! it has one), a wrapped list's are the children of the member's element;
//! maps are `entry` elements (or flattened ones) with `key` and `value`
//! children unless the model renames them. Timestamps are read in the
//! format resolution decided for each member (RFC 3339 by default).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::{member_ident, shape_path, timestamp_format};
use crate::ir::{Member, Service, Shape, ShapeId, ShapeKind, TimestampFormat, Union};
use crate::naming::ident;

/// The element name a member is read from.
pub fn element_name<'a>(service: &'a Service, member: &'a Member) -> &'a str {
    let target = service.shape(member.target);
    if member.flattened {
        if let (ShapeKind::List { .. }, Some(name)) = (&target.kind, &target.xml.member) {
            return name;
        }
    }
    member.location_name.as_deref().unwrap_or(&member.name)
}

/// An expression of type `Result<T, XmlError>`: the value of shape `id`
/// read from the element `element` (an expression of type `&Element`).
/// `depth` keeps closure parameter names apart in nested lists and maps.
fn read_expr(
    service: &Service,
    id: ShapeId,
    element: &TokenStream,
    format: Option<TimestampFormat>,
    depth: usize,
) -> TokenStream {
    let shape = service.shape(id);
    match &shape.kind {
        ShapeKind::List { member } => {
            let item = format_ident!("item{depth}");
            let read = read_expr(service, *member, &quote!(#item), format, depth + 1);
            quote!(::sdk_runtime::__private::xml::list(#element, |#item| #read))
        }
        ShapeKind::Map { value, .. } => {
            let (key_name, value_name) = entry_names(shape);
            let k = format_ident!("key{depth}");
            let v = format_ident!("value{depth}");
            let read_key = read_key_expr(&quote!(#k));
            let read_value = read_expr(service, *value, &quote!(#v), format, depth + 1);
            quote!(::sdk_runtime::__private::xml::map(#element, #key_name, #value_name, |#k| #read_key, |#v| #read_value))
        }
        _ => {
            let format = timestamp_format(format.unwrap_or(TimestampFormat::DateTime));
            let ty = crate::emit::rust_type(service, id);
            quote!(<#ty as ::sdk_runtime::__private::xml::XmlRead>::read_xml(#element, #format))
        }
    }
}

/// An expression of type `Result<String, XmlError>`: a map key read from
/// `element`. Maps are `HashMap<String, _>` whatever their key shape (an
/// enum's keys included, as in IAM's `SummaryMap`), so keys are read as
/// text.
fn read_key_expr(element: &TokenStream) -> TokenStream {
    quote!(<::std::string::String as ::sdk_runtime::__private::xml::XmlRead>::read_xml(
        #element,
        ::sdk_runtime::TimestampFormat::DateTime,
    ))
}

/// A map's key and value element names.
fn entry_names(shape: &Shape) -> (&str, &str) {
    (
        shape.xml.key.as_deref().unwrap_or("key"),
        shape.xml.value.as_deref().unwrap_or("value"),
    )
}

/// A match arm reading `member` from `child` into `out`.
fn member_arm(service: &Service, member: &Member) -> TokenStream {
    let name = element_name(service, member);
    let read = member_read(service, member);
    quote!(#name => { #read })
}

/// Statements reading `member` from `child` into `out`.
fn member_read(service: &Service, member: &Member) -> TokenStream {
    let field = member_ident(member);
    let target = service.shape(member.target);
    let child = quote!(child);
    let wrap = |value: TokenStream| {
        if member.boxed {
            quote!(::std::boxed::Box::new(#value))
        } else {
            value
        }
    };
    let body = match (&target.kind, member.flattened) {
        (ShapeKind::List { member: item }, true) => {
            let read = read_expr(service, *item, &child, member.timestamp_format, 0);
            quote! {
                out.#field.get_or_insert_with(::std::vec::Vec::new).push(#read?);
            }
        }
        (ShapeKind::Map { value, .. }, true) => {
            let (key_name, value_name) = entry_names(target);
            let read_key = read_key_expr(&quote!(key));
            let read_value = read_expr(service, *value, &quote!(value), member.timestamp_format, 0);
            quote! {
                let (key, value) = ::sdk_runtime::__private::xml::entry(child, #key_name, #value_name, |key| #read_key, |value| #read_value)?;
                out.#field.get_or_insert_with(::std::collections::HashMap::new).insert(key, value);
            }
        }
        _ => {
            let read = read_expr(service, member.target, &child, member.timestamp_format, 0);
            let value = wrap(quote!(#read?));
            quote!(out.#field = ::std::option::Option::Some(#value);)
        }
    };
    body
}

/// `impl XmlRead` for a structure (or an operation output) of `members`:
/// each child element read into the member it names, others skipped.
pub fn structure_read<'a>(
    service: &Service,
    ty: &TokenStream,
    members: impl Iterator<Item = &'a Member>,
) -> TokenStream {
    let mut seen = std::collections::BTreeSet::new();
    let members: Vec<&Member> = members
        .filter(|member| seen.insert(element_name(service, member)))
        .collect();
    let arms: Vec<TokenStream> = members
        .iter()
        .map(|member| member_arm(service, member))
        .collect();
    let body = if arms.is_empty() {
        quote! {
            let _ = element;
            Ok(Self::default())
        }
    } else if let [member] = members[..] {
        let name = element_name(service, member);
        let read = member_read(service, member);
        quote! {
            let mut out = Self::default();
            for child in element.children() {
                if child.name() == #name {
                    #read
                }
            }
            Ok(out)
        }
    } else {
        quote! {
            let mut out = Self::default();
            for child in element.children() {
                match child.name() {
                    #(#arms)*
                    _ => {}
                }
            }
            Ok(out)
        }
    };
    quote! {
        impl ::sdk_runtime::__private::xml::XmlRead for #ty {
            fn read_xml(
                element: &::sdk_runtime::__private::xml::Element,
                _format: ::sdk_runtime::TimestampFormat,
            ) -> ::std::result::Result<Self, ::sdk_runtime::__private::xml::XmlError> {
                #body
            }
        }
    }
}

/// `impl XmlRead` for a union: its first child element names the variant.
pub fn union_read(service: &Service, shape: &Shape, union: &Union) -> TokenStream {
    let path = shape_path(shape);
    let model_name = &shape.name;
    let mut seen = std::collections::BTreeSet::new();
    let arms: Vec<TokenStream> = union
        .structure
        .members
        .iter()
        .zip(&union.variants)
        .filter(|(member, _)| seen.insert(element_name(service, member)))
        .map(|(member, variant)| {
            let variant = ident(variant);
            let name = element_name(service, member);
            let read = read_expr(
                service,
                member.target,
                &quote!(child),
                member.timestamp_format,
                0,
            );
            let value = if member.boxed {
                quote!(::std::boxed::Box::new(#read?))
            } else {
                quote!(#read?)
            };
            quote!(#name => Self::#variant(#value),)
        })
        .collect();
    quote! {
        impl ::sdk_runtime::__private::xml::XmlRead for #path {
            fn read_xml(
                element: &::sdk_runtime::__private::xml::Element,
                _format: ::sdk_runtime::TimestampFormat,
            ) -> ::std::result::Result<Self, ::sdk_runtime::__private::xml::XmlError> {
                let child = element.children().first().ok_or_else(|| {
                    ::sdk_runtime::__private::xml::XmlError::new(::std::format!("union {} has no member", #model_name))
                })?;
                Ok(match child.name() {
                    #(#arms)*
                    other => Self::Unknown(other.to_owned()),
                })
            }
        }
    }
}

/// `impl XmlRead` for a string enum: its text, unknown values kept.
pub fn enum_read(shape: &Shape) -> TokenStream {
    let path = shape_path(shape);
    quote! {
        impl ::sdk_runtime::__private::xml::XmlRead for #path {
            fn read_xml(
                element: &::sdk_runtime::__private::xml::Element,
                _format: ::sdk_runtime::TimestampFormat,
            ) -> ::std::result::Result<Self, ::sdk_runtime::__private::xml::XmlError> {
                Ok(Self::from(element.text()))
            }
        }
    }
}
