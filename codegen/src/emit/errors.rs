//! Errors: error shapes as `std::error::Error` types, one enum per
//! operation, and the service-wide `Error` every operation error converts into.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::types::{structure_type, StructSpec};
use super::{
    doc_attrs, docs_or, example_setters, example_types_import, inner_doc_attrs, is_error,
    member_ident, shape_path,
};
use crate::ir::{Member, Operation, Service, ShapeId, ShapeKind, Structure, Union};
use crate::naming::{self, derived, ident};

/// The member that carries an error's message: `message` in any case, a string.
pub fn message_member<'a>(service: &Service, structure: &'a Structure) -> Option<&'a Member> {
    structure.members.iter().find(|m| {
        m.name.eq_ignore_ascii_case("message")
            && matches!(service.shape(m.target).kind, ShapeKind::String)
    })
}

/// `src/types/error.rs`: every error shape some operation returns.
pub fn error_shapes_rs(service: &Service) -> TokenStream {
    let items = service
        .shapes
        .iter()
        .filter(|s| s.emitted && is_error(s))
        .map(|shape| {
            let ShapeKind::Structure(structure) = &shape.kind else {
                return quote!();
            };
            let name = ident(&shape.rust_name);
            let builder = ident(&derived::builder(&shape.rust_name));
            let spec = StructSpec {
                request_id: false,
                name: &name,
                docs: docs_or(&shape.docs, || format!("The `{}` error.", shape.name)),
                structure,
                builder_path: quote!(crate::types::error::builders::#builder),
            };
            let ty = structure_type(service, &spec);
            let code = &shape.name;
            let message = match message_member(service, structure) {
                Some(member) => {
                    let field = member_ident(member);
                    quote! {
                        if let ::std::option::Option::Some(message) = &self.#field {
                            write!(f, ": {message}")?;
                        }
                    }
                }
                None => quote!(),
            };
            quote! {
                #ty

                impl ::std::fmt::Display for #name {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#code)?;
                        #message
                        ::std::result::Result::Ok(())
                    }
                }

                impl ::std::error::Error for #name {}
            }
        });
    let streams = service
        .shapes
        .iter()
        .filter(|s| s.emitted)
        .filter_map(|shape| {
            let ShapeKind::Union(Union {
                event_stream: Some(stream),
                ..
            }) = &shape.kind
            else {
                return None;
            };
            let name = ident(&stream.error_rust_name);
            let docs = [
                format!(
                    "The errors the `{}` event stream can carry, in place of an event.",
                    shape.name
                ),
                String::new(),
                "A receiver gives one as the error of its `recv()`, and gives no events after it."
                    .to_owned(),
            ];
            let ids: Vec<ShapeId> = stream.errors.iter().map(|m| m.target).collect();
            Some(error_enum(service, &name, &docs, &ids))
        });
    let docs = inner_doc_attrs(&[
        "The errors the service's operations can return, as data types.".to_owned(),
    ]);
    quote! {
        #docs
        pub mod builders;
        #(#items)*
        #(#streams)*
    }
}

/// The error enum of `op`, placed in its operation module.
pub fn operation_error(service: &Service, op: &Operation) -> TokenStream {
    let name = ident(&derived::operation_error(&op.rust_name));
    let mut docs = vec![
        format!("The errors `{}` can return.", op.name),
        String::new(),
        "A call's [`SdkError`](crate::SdkError) gives it with `into_service_error()` \
         (a failure that is not the service's answer, such as a dropped connection, \
         becomes `Unhandled`, with that failure as its source), or lends it with \
         `as_service_error()`. Match the variants you handle and keep a catch-all \
         arm: the service may answer with codes this crate does not list, which \
         arrive as `Unhandled` with their code, message, HTTP status and request id."
            .to_owned(),
        String::new(),
        "```no_run".to_owned(),
    ];
    docs.extend(error_example(service, op, &name).lines().map(str::to_owned));
    docs.push("```".to_owned());
    error_enum(service, &name, &docs, &op.errors)
}

/// The operation error's doc example: a call, and a match on its error.
fn error_example(service: &Service, op: &Operation, name: &Ident) -> String {
    let lib = ident(&naming::lib_name(&service.crate_name));
    let module = ident(&op.module);
    let setters = example_setters(service, op).unwrap_or_default();
    let types = example_types_import(service, op);
    let arm = op.errors.first().map(|id| {
        let variant = ident(&service.shape(*id).rust_name);
        quote!(#name::#variant(error) => eprintln!("{error}"),)
    });
    // From the Rust name, which holds no `{` or `}`.
    let failed = format!("{} failed: {{other}}", op.rust_name);
    crate::format::snippet(quote! {
        use #lib::operation::#module::#name;
        use #lib::{#types Client};

        pub async fn call(client: &Client) {
            match client.#module() #(#setters)* .send().await {
                Ok(output) => println!("{output:?}"),
                Err(error) => match error.into_service_error() {
                    #arm
                    other => eprintln!(#failed),
                },
            }
        }
    })
}

/// `src/error.rs`: the service-wide `Error`, and conversions into it.
pub fn service_error_rs(service: &Service) -> TokenStream {
    let name = ident("Error");
    let doc = format!(
        "Any error of any operation of {}; every operation's error converts into it.",
        service.full_name
    );
    let error = error_enum(service, &name, &[doc], &service.errors);
    let conversions = service.operations.iter().map(|op| {
        let module = ident(&op.module);
        let op_error = ident(&derived::operation_error(&op.rust_name));
        let path = quote!(crate::operation::#module::#op_error);
        let arms = op.errors.iter().map(|id| {
            let variant = ident(&service.shape(*id).rust_name);
            quote!(#path::#variant(inner) => Self::#variant(inner),)
        });
        quote! {
            impl ::std::convert::From<#path> for Error {
                fn from(error: #path) -> Self {
                    match error {
                        #(#arms)*
                        #path::Unhandled(inner) => Self::Unhandled(inner),
                    }
                }
            }

            impl ::std::convert::From<::sdk_runtime::SdkError<#path>> for Error {
                fn from(error: ::sdk_runtime::SdkError<#path>) -> Self {
                    match error {
                        ::sdk_runtime::SdkError::ServiceError(inner) => inner.into_err().into(),
                        other => Self::Unhandled(::sdk_runtime::error::Unhandled::from_source(other)),
                    }
                }
            }
        }
    });
    let docs = inner_doc_attrs(&["The service-wide error type.".to_owned()]);
    quote! {
        #docs
        #error
        #(#conversions)*
    }
}

/// An enum of error shapes plus `Unhandled`, with `code()`, `message()`,
/// `Display` (code and message) and `std::error::Error`.
fn error_enum(service: &Service, name: &Ident, docs: &[String], errors: &[ShapeId]) -> TokenStream {
    let shapes: Vec<_> = errors.iter().map(|id| service.shape(*id)).collect();
    let variants = shapes.iter().map(|shape| {
        let variant = ident(&shape.rust_name);
        let path = shape_path(shape);
        let docs = docs_or(&shape.docs, || format!("The `{}` error.", shape.name));
        quote!(#docs #variant(#path),)
    });
    let codes = shapes.iter().map(|shape| {
        let variant = ident(&shape.rust_name);
        let code = &shape.name;
        quote!(Self::#variant(_) => ::std::option::Option::Some(#code),)
    });
    let messages = shapes.iter().map(|shape| {
        let variant = ident(&shape.rust_name);
        let getter = match &shape.kind {
            ShapeKind::Structure(s) => message_member(service, s).map(member_ident),
            _ => None,
        };
        match getter {
            Some(getter) => quote!(Self::#variant(inner) => inner.#getter(),),
            None => quote!(Self::#variant(_) => ::std::option::Option::None,),
        }
    });
    let idents: Vec<Ident> = shapes.iter().map(|s| ident(&s.rust_name)).collect();
    let doc = doc_attrs(docs);
    quote! {
        #doc
        #[derive(Debug)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// An error the model does not list here: an unknown error code, or
            /// a failure that is not the service's. It keeps the code, message,
            /// HTTP status, request id and raw body.
            Unhandled(::sdk_runtime::error::Unhandled),
        }

        impl #name {
            /// The error code, such as `ResourceNotFoundException`, if known.
            pub fn code(&self) -> ::std::option::Option<&str> {
                match self {
                    #(#codes)*
                    Self::Unhandled(inner) => inner.code(),
                }
            }

            /// The error message, if the service sent one.
            pub fn message(&self) -> ::std::option::Option<&str> {
                match self {
                    #(#messages)*
                    Self::Unhandled(inner) => inner.message(),
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    #(Self::#idents(inner) => ::std::fmt::Display::fmt(inner, f),)*
                    Self::Unhandled(inner) => ::std::fmt::Display::fmt(inner, f),
                }
            }
        }

        impl ::std::error::Error for #name {
            fn source(&self) -> ::std::option::Option<&(dyn ::std::error::Error + 'static)> {
                match self {
                    #(Self::#idents(inner) => ::std::error::Error::source(inner),)*
                    Self::Unhandled(inner) => ::std::error::Error::source(inner),
                }
            }
        }

        impl ::std::convert::From<::sdk_runtime::error::Unhandled> for #name {
            fn from(inner: ::sdk_runtime::error::Unhandled) -> Self {
                Self::Unhandled(inner)
            }
        }
    }
}
