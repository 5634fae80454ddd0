//! The XML codec: per shape, an `XmlRead` impl that walks the runtime's
//! element tree (`sdk_runtime::__private::xml`, quick-xml underneath) by
//! element name, and for rest-xml requests an `XmlWrite` impl that writes
//! the shape through the runtime's `XmlWriter` (quick-xml's writer).
//!
//! Element names follow botocore's `BaseXMLResponseParser`: a member's
//! `locationName`, else its name; a flattened list's items are elements
//! of the member itself (named by the list member's `locationName` when
//! it has one), a wrapped list's are the children of the member's element;
//! maps are `entry` elements (or flattened ones) with `key` and `value`
//! children unless the model renames them. Timestamps are read in the
//! format resolution decided for each member (RFC 3339 by default).
//!
//! Writing follows botocore's `RestXMLSerializer`: a member is the element
//! named by its `locationName` (else its name), `xmlAttribute` members are
//! attributes of their structure's element, a wrapped list's items are
//! `member` elements (or the list member's `locationName`), a flattened
//! list's items repeat the member's element; maps are `entry` elements
//! with `key` and `value` children (flattened: the member's element
//! repeated), in key order so that a body is deterministic; an
//! `xmlNamespace` is declared on the element it belongs to.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::Codec;
use crate::emit::{member_ident, shape_path, timestamp_format};
use crate::ir::{Member, Service, Shape, ShapeId, ShapeKind, TimestampFormat, Union, XmlNamespace};
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

/// Statements reading the `xmlAttribute` member `member` from `element`'s
/// attributes into `out`.
fn attribute_read(service: &Service, member: &Member) -> TokenStream {
    let field = member_ident(member);
    let name = member.location_name.as_deref().unwrap_or(&member.name);
    let value = match &service.shape(member.target).kind {
        ShapeKind::Enum(_) => quote!(element.attribute(#name).map(::std::convert::From::from)),
        ShapeKind::Timestamp { .. } => {
            let format =
                timestamp_format(member.timestamp_format.unwrap_or(TimestampFormat::DateTime));
            quote! {
                element
                    .attribute(#name)
                    .map(|text| ::sdk_runtime::DateTime::parse(text.trim(), #format))
                    .transpose()
                    .map_err(|e| ::sdk_runtime::__private::xml::XmlError::new(::std::format!("attribute `{}`: {e}", #name)))?
            }
        }
        _ => quote!(::sdk_runtime::__private::xml::attribute(element, #name)?),
    };
    quote!(out.#field = #value;)
}

/// `impl XmlRead` for a structure (or an operation output) of `members`:
/// each child element read into the member it names, others skipped.
pub fn structure_read<'a>(
    service: &Service,
    ty: &TokenStream,
    members: impl Iterator<Item = &'a Member>,
) -> TokenStream {
    let mut seen = std::collections::BTreeSet::new();
    let (attributes, members): (Vec<&Member>, Vec<&Member>) =
        members.partition(|member| member.xml_attribute);
    let attributes: Vec<TokenStream> = attributes
        .iter()
        .map(|member| attribute_read(service, member))
        .collect();
    let members: Vec<&Member> = members
        .into_iter()
        .filter(|member| seen.insert(element_name(service, member)))
        .collect();
    let arms: Vec<TokenStream> = members
        .iter()
        .map(|member| member_arm(service, member))
        .collect();
    let body = if arms.is_empty() && attributes.is_empty() {
        quote! {
            let _ = element;
            Ok(Self::default())
        }
    } else if arms.is_empty() {
        quote! {
            let mut out = Self::default();
            #(#attributes)*
            Ok(out)
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
            #(#attributes)*
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
            // Attributes after the children: the two never hold the same member.
            #(#attributes)*
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

/// The namespace declaration argument: `Some(("xmlns", uri))` or `None`.
pub fn namespace_tokens(namespace: Option<&XmlNamespace>) -> TokenStream {
    match namespace {
        Some(XmlNamespace { attribute, uri }) => {
            quote!(::std::option::Option::Some((#attribute, #uri)))
        }
        None => quote!(::std::option::Option::None),
    }
}

/// Statements writing `value` (an expression of type `&T`) of shape `id` as
/// the element `name` (an expression of type `&str`) declaring `namespace`;
/// `flattened` for lists and maps without a wrapping element.
fn write_stmts(
    service: &Service,
    id: ShapeId,
    value: &TokenStream,
    (name, namespace): (&TokenStream, &TokenStream),
    flattened: bool,
    format: Option<TimestampFormat>,
    depth: usize,
) -> TokenStream {
    let shape = service.shape(id);
    match &shape.kind {
        ShapeKind::List { member } => {
            let item = format_ident!("item{depth}");
            let item_flattened = service.shape(*member).xml.flattened;
            let item_namespace = namespace_tokens(shape.xml.member_namespace.as_ref());
            if flattened {
                let write = write_stmts(
                    service,
                    *member,
                    &quote!(#item),
                    (name, &item_namespace),
                    item_flattened,
                    format,
                    depth + 1,
                );
                quote! {
                    for #item in #value.iter() {
                        #write
                    }
                }
            } else {
                let item_name = shape.xml.member.as_deref().unwrap_or("member");
                let write = write_stmts(
                    service,
                    *member,
                    &quote!(#item),
                    (&quote!(#item_name), &item_namespace),
                    item_flattened,
                    format,
                    depth + 1,
                );
                quote! {
                    writer.start(#name, #namespace, &[]);
                    for #item in #value.iter() {
                        #write
                    }
                    writer.end(#name);
                }
            }
        }
        ShapeKind::Map {
            key,
            value: value_id,
        } => {
            let (key_name, value_name) = entry_names(shape);
            let k = format_ident!("key{depth}");
            let v = format_ident!("value{depth}");
            let entries = format_ident!("entries{depth}");
            let key_namespace = namespace_tokens(shape.xml.key_namespace.as_ref());
            let value_namespace = namespace_tokens(shape.xml.value_namespace.as_ref());
            let write_key = write_stmts(
                service,
                *key,
                &quote!(#k),
                (&quote!(#key_name), &key_namespace),
                false,
                None,
                depth + 1,
            );
            let value_flattened = service.shape(*value_id).xml.flattened;
            let write_value = write_stmts(
                service,
                *value_id,
                &quote!(#v),
                (&quote!(#value_name), &value_namespace),
                value_flattened,
                format,
                depth + 1,
            );
            let each = quote! {
                let mut #entries: ::std::vec::Vec<_> = #value.iter().collect();
                #entries.sort_by(|a, b| a.0.cmp(b.0));
            };
            if flattened {
                quote! {
                    #each
                    for (#k, #v) in #entries {
                        writer.start(#name, ::std::option::Option::None, &[]);
                        #write_key
                        #write_value
                        writer.end(#name);
                    }
                }
            } else {
                quote! {
                    #each
                    writer.start(#name, #namespace, &[]);
                    for (#k, #v) in #entries {
                        writer.start("entry", ::std::option::Option::None, &[]);
                        #write_key
                        #write_value
                        writer.end("entry");
                    }
                    writer.end(#name);
                }
            }
        }
        ShapeKind::Enum(_) => quote!(writer.text_element(#name, #namespace, #value.as_str());),
        _ => {
            let format = timestamp_format(format.unwrap_or(TimestampFormat::DateTime));
            quote!(::sdk_runtime::__private::xml::XmlWrite::write_xml(#value, writer, #name, #namespace, #format);)
        }
    }
}

/// An expression of type `Option<String>`: the text of the attribute
/// member `member` of `self`.
fn attribute_text(service: &Service, member: &Member) -> TokenStream {
    let field = member_ident(member);
    let text = match &service.shape(member.target).kind {
        ShapeKind::Enum(_) => quote!(value.as_str().to_owned()),
        ShapeKind::Timestamp { .. } => {
            let format =
                timestamp_format(member.timestamp_format.unwrap_or(TimestampFormat::DateTime));
            quote!(::sdk_runtime::__private::param::ToParam::to_param(&::sdk_runtime::__private::param::Formatted(value, #format)).into_owned())
        }
        _ => quote!(::sdk_runtime::__private::param::ToParam::to_param(value).into_owned()),
    };
    quote!(self.#field.as_ref().map(|value| #text))
}

/// Statements writing `member` of `self` (not an attribute) into `writer`.
fn member_write(service: &Service, member: &Member) -> TokenStream {
    let field = member_ident(member);
    let name = member.location_name.as_deref().unwrap_or(&member.name);
    let namespace = namespace_tokens(member.xml_namespace.as_ref());
    let write = write_stmts(
        service,
        member.target,
        &quote!(value),
        (&quote!(#name), &namespace),
        member.flattened,
        member.timestamp_format,
        0,
    );
    quote! {
        if let ::std::option::Option::Some(value) = &self.#field {
            #write
        }
    }
}

/// `impl XmlWrite` for a structure (or an operation input) of `members`:
/// its element with the attribute members, then a child element per set
/// member.
pub fn structure_write<'a>(
    service: &Service,
    ty: &TokenStream,
    members: impl Iterator<Item = &'a Member>,
) -> TokenStream {
    let (attributes, members): (Vec<&Member>, Vec<&Member>) =
        members.partition(|member| member.xml_attribute);
    let names: Vec<&str> = attributes
        .iter()
        .map(|m| m.location_name.as_deref().unwrap_or(&m.name))
        .collect();
    let texts: Vec<TokenStream> = attributes
        .iter()
        .map(|m| attribute_text(service, m))
        .collect();
    let vars: Vec<proc_macro2::Ident> = (0..attributes.len())
        .map(|i| format_ident!("attribute{i}"))
        .collect();
    let writes: Vec<TokenStream> = members.iter().map(|m| member_write(service, m)).collect();
    let uses_self = !attributes.is_empty() || !members.is_empty();
    let unused = (!uses_self).then(|| quote!(let _ = self;));
    quote! {
        impl ::sdk_runtime::__private::xml::XmlWrite for #ty {
            fn write_xml(
                &self,
                writer: &mut ::sdk_runtime::__private::xml::XmlWriter,
                name: &str,
                namespace: ::sdk_runtime::__private::xml::Namespace,
                _format: ::sdk_runtime::TimestampFormat,
            ) {
                #unused
                #(let #vars: ::std::option::Option<::std::string::String> = #texts;)*
                writer.start(name, namespace, &[#((#names, #vars.as_deref()),)*]);
                #(#writes)*
                writer.end(name);
            }
        }
    }
}

/// `impl XmlWrite` for a union: its element with the set variant's child.
pub fn union_write(service: &Service, shape: &Shape, union: &Union) -> TokenStream {
    let path = shape_path(shape);
    let arms = union
        .structure
        .members
        .iter()
        .zip(&union.variants)
        .map(|(member, variant)| {
            let variant = ident(variant);
            let name = member.location_name.as_deref().unwrap_or(&member.name);
            let namespace = namespace_tokens(member.xml_namespace.as_ref());
            let write = write_stmts(
                service,
                member.target,
                &quote!(value),
                (&quote!(#name), &namespace),
                member.flattened,
                member.timestamp_format,
                0,
            );
            quote!(Self::#variant(value) => { #write })
        });
    quote! {
        impl ::sdk_runtime::__private::xml::XmlWrite for #path {
            fn write_xml(
                &self,
                writer: &mut ::sdk_runtime::__private::xml::XmlWriter,
                name: &str,
                namespace: ::sdk_runtime::__private::xml::Namespace,
                _format: ::sdk_runtime::TimestampFormat,
            ) {
                writer.start(name, namespace, &[]);
                match self {
                    #(#arms)*
                    Self::Unknown(_) => {}
                }
                writer.end(name);
            }
        }
    }
}

/// `impl XmlWrite` for a string enum: its value as text.
pub fn enum_write(shape: &Shape) -> TokenStream {
    let path = shape_path(shape);
    quote! {
        impl ::sdk_runtime::__private::xml::XmlWrite for #path {
            fn write_xml(
                &self,
                writer: &mut ::sdk_runtime::__private::xml::XmlWriter,
                name: &str,
                namespace: ::sdk_runtime::__private::xml::Namespace,
                _format: ::sdk_runtime::TimestampFormat,
            ) {
                writer.text_element(name, namespace, self.as_str());
            }
        }
    }
}

/// The XML codec of rest-xml: shapes written and read as elements. `root`
/// names the root element of an operation input's body and its namespace.
pub struct Xml<'a> {
    pub service: &'a Service,
    pub root: Option<(String, Option<XmlNamespace>)>,
}

impl Codec for Xml<'_> {
    fn name(&self) -> &'static str {
        "XML"
    }

    fn shape_impls(&self, service: &Service, shape: &Shape) -> TokenStream {
        match &shape.kind {
            ShapeKind::Structure(structure) => {
                let path = shape_path(shape);
                let write = shape
                    .serialized
                    .then(|| structure_write(service, &path, structure.members.iter()));
                let read = shape
                    .deserialized
                    .then(|| structure_read(service, &path, structure.members.iter()));
                quote!(#write #read)
            }
            ShapeKind::Union(union) => {
                let write = shape.serialized.then(|| union_write(service, shape, union));
                let read = shape
                    .deserialized
                    .then(|| union_read(service, shape, union));
                quote!(#write #read)
            }
            ShapeKind::Enum(_) => {
                let path = shape_path(shape);
                // Enums also travel in labels, queries and headers.
                let param = quote! {
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
                };
                let write = shape.serialized.then(|| enum_write(shape));
                let read = enum_read(shape);
                quote!(#param #write #read)
            }
            _ => quote!(),
        }
    }

    fn input_body(&self, ty: &TokenStream, members: &[&Member]) -> TokenStream {
        structure_write(self.service, ty, members.iter().copied())
    }

    fn output_body(&self, ty: &TokenStream, _name: &str, members: &[&Member]) -> TokenStream {
        structure_read(self.service, ty, members.iter().copied())
    }

    fn runtime_module(&self) -> &'static str {
        "rest_xml"
    }

    fn write_body(&self, value: TokenStream) -> TokenStream {
        let (name, namespace) = match &self.root {
            Some((name, namespace)) => (name.as_str(), namespace.as_ref()),
            None => ("Body", None),
        };
        let namespace = namespace_tokens(namespace);
        quote!(::sdk_runtime::__private::rest_xml::to_vec(#value, #name, #namespace))
    }

    fn write_payload(&self, service: &Service, payload: &Member) -> TokenStream {
        let name = payload
            .location_name
            .as_deref()
            .unwrap_or(&service.shape(payload.target).name);
        let namespace = namespace_tokens(payload.xml_namespace.as_ref());
        quote!(::sdk_runtime::__private::rest_xml::to_vec(value, #name, #namespace))
    }

    fn unset_structure_payload(&self) -> Option<TokenStream> {
        None
    }

    fn read_body(&self, ty: Option<TokenStream>) -> TokenStream {
        match ty {
            Some(ty) => {
                quote!(::sdk_runtime::__private::rest_xml::from_slice::<#ty>(response.body()))
            }
            None => quote!(::sdk_runtime::__private::rest_xml::error_body(response)),
        }
    }

    fn read_value(&self) -> TokenStream {
        quote!(::sdk_runtime::__private::rest_xml::payload(response.body()))
    }
}
