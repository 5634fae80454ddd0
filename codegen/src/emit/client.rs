//! The client: `Client` with one method per operation, and per operation a
//! module with its input, output, error and fluent builder.

use proc_macro2::TokenStream;
use quote::quote;

use super::errors::operation_error;
use super::types::{builder_type_full, builder_type_with, structure_type, StructSpec};
use super::{
    doc_attrs, doc_line, docs_or, inner_doc_attrs, member_docs, member_ident, required_docs,
    rust_type, setter_param, value_kind, ValueKind,
};
use crate::ir::{Operation, Service};
use crate::naming::{derived, ident};

/// `src/client.rs`: `Client`, one method per operation.
pub fn client_rs(service: &Service, credentials_feature: bool) -> TokenStream {
    let methods = service.operations.iter().map(|op| {
        let method = ident(&op.module);
        let module = ident(&op.module);
        let fluent = ident(&derived::fluent_builder(&op.rust_name));
        let docs = docs_or(&op.docs, || format!("Calls `{}`.", op.name));
        let how = format!(
            "Set the input with the builder's setters, then call `send().await` (or `send_blocking()` outside async code); see [`{fluent}`](crate::operation::{module}::builders::{fluent})."
        );
        let how_attr = doc_line(&how);
        quote! {
            #docs
            ///
            #how_attr
            pub fn #method(&self) -> crate::operation::#module::builders::#fluent {
                crate::operation::#module::builders::#fluent::new(self.config.clone())
            }
        }
    });
    let waiters = service.waiters.iter().map(super::helpers::client_method);
    let from_conf = if credentials_feature {
        quote! {
            /// A client that calls the service as `config` says.
            ///
            /// With the `credentials` feature (on by default), a configuration
            /// without a credentials exchange gets `sdk_credentials::Exchange`,
            /// so profiles with roles or SSO and web identity (EKS) reach STS
            /// and the SSO portal through this project's generated clients.
            pub fn from_conf(config: ::sdk_runtime::Config) -> Self {
                #[cfg(feature = "credentials")]
                let config = ::sdk_credentials::install(config);
                Self { config }
            }
        }
    } else {
        quote! {
            /// A client that calls the service as `config` says.
            pub fn from_conf(config: ::sdk_runtime::Config) -> Self {
                Self { config }
            }
        }
    };
    let doc = format!("A client for {}.", service.full_name);
    let doc_attr = doc_line(&doc);
    let docs = inner_doc_attrs(&["The client: one method per operation.".to_owned()]);
    quote! {
        #docs
        #doc_attr
        ///
        /// Cheap to clone: clones share the configuration and its transport.
        #[derive(Clone, Debug)]
        pub struct Client {
            config: ::sdk_runtime::Config,
        }

        impl Client {
            #from_conf

            /// The client's configuration.
            pub fn config(&self) -> &::sdk_runtime::Config {
                &self.config
            }

            #(#methods)*

            #(#waiters)*
        }
    }
}

/// `src/operation/<operation>.rs`: the operation's type, input, output,
/// error and builders.
pub fn operation_rs(service: &Service, op: &Operation) -> TokenStream {
    let module = ident(&op.module);
    let op_ident = ident(&op.rust_name);
    let input = ident(&op.input.rust_name);
    let output = ident(&op.output.rust_name);
    let error = ident(&derived::operation_error(&op.rust_name));
    let input_builder = ident(&derived::builder(&op.input.rust_name));
    let output_builder = ident(&derived::builder(&op.output.rust_name));
    let error_metadata = super::protocol::error_metadata(service);

    let input_type = structure_type(
        service,
        &StructSpec {
            name: &input,
            docs: docs_or(&op.input.docs, || format!("The input of `{}`.", op.name)),
            structure: &op.input.structure,
            builder_path: quote!(crate::operation::#module::builders::#input_builder),
            request_id: false,
        },
    );
    let output_type = structure_type(
        service,
        &StructSpec {
            name: &output,
            docs: docs_or(&op.output.docs, || format!("The output of `{}`.", op.name)),
            structure: &op.output.structure,
            builder_path: quote!(crate::operation::#module::builders::#output_builder),
            request_id: true,
        },
    );
    let input_model_name = op.input.source.map_or(op.input.rust_name.as_str(), |id| {
        service.shape(id).name.as_str()
    });
    let output_model_name = op.output.source.map_or(op.output.rust_name.as_str(), |id| {
        service.shape(id).name.as_str()
    });
    let input_builder_type = builder_type_with(
        service,
        &input,
        input_model_name,
        &op.input.structure,
        &quote!(crate::operation::#module::#input),
        true,
    );
    let output_builder_type = builder_type_full(
        service,
        &output,
        output_model_name,
        &op.output.structure,
        &quote!(crate::operation::#module::#output),
        false,
        true,
    );
    let fluent = fluent_builder(service, op);
    let paginator = service
        .paginator_for(&op.name)
        .map(|p| super::helpers::operation_paginator(service, op, p));
    let error_type = operation_error(service, op);
    let endpoint_context = endpoint_context(service, op);
    let name = &op.name;
    let unsigned = op.unsigned.then(|| quote! { const UNSIGNED: bool = true; });
    let module_docs = inner_doc_attrs(&[format!(
        "The `{}` operation: its input, output, errors and builders.",
        op.name
    )]);
    let op_docs = doc_attrs(&[format!(
        "The `{}` operation, for [`sdk_runtime::operation::invoke`] or its sans-IO functions in [`crate::protocol::{}`].",
        op.name, op.module
    )]);
    quote! {
        #module_docs

        #op_docs
        #[derive(Clone, Copy, Debug, Default)]
        pub struct #op_ident;

        impl ::sdk_runtime::operation::Operation for #op_ident {
            const NAME: &'static str = #name;
            #unsigned
            type Input = #input;
            type Output = #output;
            type Error = #error;

            fn serialize_request(
                input: &Self::Input,
            ) -> ::std::result::Result<::sdk_runtime::transport::HttpRequest, ::sdk_runtime::BuildError> {
                crate::protocol::#module::serialize_request(input)
            }

            fn parse_response(
                response: &::sdk_runtime::transport::HttpResponse,
            ) -> ::std::result::Result<Self::Output, ::sdk_runtime::operation::ResponseFailure<Self::Error>> {
                crate::protocol::#module::parse_response(response)
            }

            fn error_metadata(
                response: &::sdk_runtime::transport::HttpResponse,
            ) -> ::sdk_runtime::error::ErrorMetadata {
                #error_metadata
            }

            #endpoint_context
        }

        #input_type
        #output_type
        #error_type
        #paginator

        /// Builders for the operation's input and output, and its fluent builder.
        pub mod builders {
            #input_builder_type
            #output_builder_type
            #fluent
        }
    }
}

/// The `Operation` items binding the operation's endpoint parameters
/// (none when it binds none).
fn endpoint_context(service: &Service, op: &Operation) -> TokenStream {
    if op.endpoint_context.is_empty() {
        return quote!();
    }
    let statements =
        op.endpoint_context.iter().map(|param| {
            match crate::endpoints::context_binding(service, op, param) {
                Ok((statement, _)) => statement,
                Err(e) => panic!("an endpoint parameter resolution accepted does not compile: {e}"),
            }
        });
    let mut names: Vec<String> = op
        .endpoint_context
        .iter()
        .map(|p| format!("`{}`", p.name))
        .collect();
    names.dedup();
    let doc = doc_attrs(&[format!(
        "Sets the endpoint parameter{} {} of a call, as the model binds {} (its endpoint is resolved per call).",
        if names.len() == 1 { "" } else { "s" },
        names.join(", "),
        if names.len() == 1 { "it" } else { "them" }
    )]);
    quote! {
        const ENDPOINT_CONTEXT: bool = true;

        #doc
        fn endpoint_context(input: &Self::Input, params: &mut ::sdk_runtime::endpoint::Params) {
            #(#statements)*
        }
    }
}

/// The fluent builder a `Client` method returns: the input's setters plus
/// `config_override`, `send` and `send_blocking`.
fn fluent_builder(service: &Service, op: &Operation) -> TokenStream {
    let module = ident(&op.module);
    let op_ident = ident(&op.rust_name);
    let fluent = ident(&derived::fluent_builder(&op.rust_name));
    let input = ident(&op.input.rust_name);
    let output = ident(&op.output.rust_name);
    let error = ident(&derived::operation_error(&op.rust_name));
    let input_builder = ident(&derived::builder(&op.input.rust_name));
    let setters = input_setters(service, op);
    let into_paginator = service
        .paginator_for(&op.name)
        .map(|_| super::helpers::into_paginator(op));
    let doc = format!(
        "Sets the input of `{}` and sends it; made by [`Client::{}`](crate::Client::{}).",
        op.name, op.module, op.module
    );
    let doc_attr = doc_line(&doc);
    quote! {
        #doc_attr
        #[derive(Clone, Debug)]
        pub struct #fluent {
            config: ::sdk_runtime::Config,
            input: #input_builder,
        }

        impl #fluent {
            pub(crate) fn new(config: ::sdk_runtime::Config) -> Self {
                Self {
                    config,
                    input: ::std::default::Default::default(),
                }
            }

            /// The input set so far.
            pub fn as_input(&self) -> &#input_builder {
                &self.input
            }

            /// Changes, for this call only, the timeouts or the most
            /// attempts the client's configuration sets; what the override
            /// does not set stays as configured.
            pub fn config_override(mut self, config_override: ::sdk_runtime::ConfigOverride) -> Self {
                self.config = config_override.apply(&self.config);
                self
            }

            /// Builds the input, checking required members, and sends the request.
            pub async fn send(
                self,
            ) -> ::std::result::Result<
                crate::operation::#module::#output,
                ::sdk_runtime::SdkError<crate::operation::#module::#error>,
            > {
                let input: crate::operation::#module::#input =
                    self.input.build().map_err(::sdk_runtime::SdkError::construction_failure)?;
                ::sdk_runtime::operation::invoke::<crate::operation::#module::#op_ident>(
                    &self.config,
                    &crate::SERVICE,
                    &input,
                )
                .await
            }

            /// As [`send`](Self::send), but waits for the result on this
            /// thread, without an async runtime (with the `https` feature's
            /// transport, or any transport whose futures need no runtime).
            ///
            /// Do not call it from inside an async runtime's worker thread
            /// (an `async fn`, a spawned task): it blocks that thread until
            /// the call is done, retries included. Use `send().await` there.
            pub fn send_blocking(
                self,
            ) -> ::std::result::Result<
                crate::operation::#module::#output,
                ::sdk_runtime::SdkError<crate::operation::#module::#error>,
            > {
                ::sdk_runtime::block_on::block_on(self.send())
            }

            #into_paginator

            #(#setters)*
        }
    }
}

/// The setters of an operation's input, on a type with an `input` field
/// holding its builder (fluent builders, waiters).
pub(super) fn input_setters(service: &Service, op: &Operation) -> Vec<TokenStream> {
    op.input
        .structure
        .members
        .iter()
        .map(|member| {
            let field = member_ident(member);
            let set = ident(&derived::setter(&member.rust_name));
            let required = required_docs(member, "send");
            let docs = member_docs(member);
            let docs = quote!(#docs #required);
            let value_ty = rust_type(service, member.target);
            let one = match value_kind(service, member.target) {
                ValueKind::List(item) => {
                    let (param, _) = setter_param(service, item);
                    let doc = format!("Appends an item to `{}`.", member.rust_name);
                    let doc_attr = doc_line(&doc);
                    quote! {
                        #doc_attr
                        #required
                        pub fn #field(mut self, item: #param) -> Self {
                            self.input = self.input.#field(item);
                            self
                        }
                    }
                }
                ValueKind::Map(value) => {
                    let (param, _) = setter_param(service, value);
                    let doc = format!("Inserts a key and value into `{}`.", member.rust_name);
                    let doc_attr = doc_line(&doc);
                    quote! {
                        #doc_attr
                        #required
                        pub fn #field(
                            mut self,
                            key: impl ::std::convert::Into<::std::string::String>,
                            value: #param,
                        ) -> Self {
                            self.input = self.input.#field(key, value);
                            self
                        }
                    }
                }
                _ => {
                    let (param, _) = setter_param(service, member.target);
                    quote! {
                        #docs
                        pub fn #field(mut self, input: #param) -> Self {
                            self.input = self.input.#field(input);
                            self
                        }
                    }
                }
            };
            let set_doc = format!("Sets or clears `{}`.", member.rust_name);
            let set_doc_attr = doc_line(&set_doc);
            quote! {
                #one

                #set_doc_attr
                pub fn #set(mut self, input: ::std::option::Option<#value_ty>) -> Self {
                    self.input = self.input.#set(input);
                    self
                }
            }
        })
        .collect()
}
