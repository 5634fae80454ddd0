//! Crate files: `Cargo.toml`, `lib.rs`, and the module lists.

use proc_macro2::TokenStream;
use quote::quote;

use super::{doc_attrs, example_setters, example_types_import, inner_doc_attrs, Options};
use crate::ir::{Operation, Service};
use crate::naming::{self, ident};

/// A TOML basic string: JSON string escapes are valid TOML escapes.
fn toml_string(value: &str) -> String {
    // JSON's escapes are TOML's, but JSON leaves DEL (U+007F) raw, which a
    // TOML basic string may not hold.
    serde_json::Value::String(value.to_owned())
        .to_string()
        .replace('\u{7f}', "\\u007F")
}

/// Whether the crate gets the `credentials` feature: when the options say
/// where `sdk-credentials` is, for every service but the credential
/// services themselves, which it is built on.
pub fn has_credentials_feature(service: &Service, options: &Options) -> bool {
    options.credentials_path.is_some() && !naming::is_credentials_service(&service.service_id)
}

/// The crate's `Cargo.toml`.
pub fn cargo_toml(service: &Service, options: &Options) -> String {
    let description = format!(
        "Client for {} (API version {}), generated from its service model.",
        service.full_name, service.api_version
    );
    // The runtime's MD5 code only for models that need a Content-MD5 header,
    // its XML codec (quick-xml) only for the protocols that speak XML, its
    // CBOR codec only for services that speak CBOR.
    let mut features = Vec::new();
    if service.operations.iter().any(|op| op.checksum_required) {
        features.push("\"content-md5\"");
    }
    if service.protocol.is_query() || service.protocol == crate::ir::Protocol::RestXml {
        features.push("\"xml\"");
    }
    if matches!(service.protocol, crate::ir::Protocol::RpcV2Cbor(_)) {
        features.push("\"cbor\"");
    }
    // The event-stream message format only for services with an operation
    // whose output is an event stream.
    if service
        .operations
        .iter()
        .any(|op| service.event_stream_member(&op.output.structure).is_some())
    {
        features.push("\"event-stream\"");
    }
    let runtime_features = if features.is_empty() {
        String::new()
    } else {
        format!(", features = [{}]", features.join(", "))
    };
    let (credentials_dep, credentials_default, credentials_feature) =
        match options.credentials_path.as_deref() {
            Some(path) if has_credentials_feature(service, options) => (
                format!(
                    "sdk-credentials = {{ path = {}, optional = true }}\n",
                    toml_string(path)
                ),
                "\"credentials\", ",
                "# Profiles with `role_arn` or SSO, and web identity (EKS): their STS and\n\
                 # SSO calls, through this project's generated `sts` and `sso` clients.\n\
                 credentials = [\"dep:sdk-credentials\"]\n",
            ),
            _ => (String::new(), "", ""),
        };
    format!(
        r#"[package]
name = {name}
version = "0.1.0"
edition = "2021"
rust-version = "1.85"
description = {description}
license = "MIT"
publish = false

[dependencies]
{credentials_dep}sdk-runtime = {{ path = {runtime}{runtime_features} }}
serde = {{ version = "1", features = ["derive"], optional = true }}

[features]
default = [{credentials_default}"rt-tokio"]
{credentials_feature}# The default transport on tokio (hyper, rustls): non-blocking for
# `send().await`, with retries on tokio's timer; `send_blocking` runs it on
# a runtime of its own.
rt-tokio = ["sdk-runtime/rt-tokio"]
# Without `rt-tokio`: a blocking transport (ureq, rustls), for
# `send_blocking` or any executor that may block, and no tokio in the build.
https = ["sdk-runtime/https"]
# Serialize/Deserialize on the data types, with their wire names.
serde = ["dep:serde", "sdk-runtime/serde"]
# Spans per call and attempt and events for retries, clock corrections and
# credentials, through the `tracing` crate.
tracing = ["sdk-runtime/tracing"]
"#,
        name = toml_string(&service.crate_name),
        description = toml_string(&description),
        runtime = toml_string(&options.runtime_path),
    )
}

/// The crate's `rustfmt.toml`: the code is laid out by the generator
/// (prettyplease, pinned by `Cargo.lock`), so `cargo fmt` leaves it alone and
/// the drift check never depends on the installed rustfmt.
pub fn rustfmt_toml() -> String {
    "disable_all_formatting = true\n".to_owned()
}

/// The crate root's example: a whole program calling one operation with
/// its required members set, blocking and async. The operation is the first
/// (by name) whose required members all have a one-token example, preferring
/// one that has required members, so the example shows them.
fn usage_example(service: &Service) -> String {
    let lib = ident(&naming::lib_name(&service.crate_name));
    let candidates: Vec<(&Operation, Vec<TokenStream>)> = service
        .operations
        .iter()
        .filter_map(|op| example_setters(service, op).map(|s| (op, s)))
        .collect();
    let chosen = match candidates.iter().position(|(_, s)| !s.is_empty()) {
        Some(index) => candidates.into_iter().nth(index),
        None => candidates.into_iter().next(),
    };
    let chosen = chosen.or_else(|| {
        // Every operation needs a structure or list: show the call, which
        // fails at `build` naming the first missing member.
        service.operations.first().map(|op| (op, Vec::new()))
    });
    let program = match chosen {
        None => quote! {
            use #lib::{Client, Config};

            fn main() {
                let _client = Client::from_conf(Config::from_env().build());
            }
        },
        Some((op, setters)) => {
            let method = ident(&op.module);
            let types = example_types_import(service, op);
            quote! {
                use #lib::{#types Client, Config};

                /// Region and credentials from the environment (`AWS_REGION`,
                /// `AWS_ACCESS_KEY_ID`, ... or a profile); blocking, so no async
                /// runtime is needed.
                fn main() -> Result<(), Box<dyn std::error::Error>> {
                    let client = Client::from_conf(Config::from_env().build());
                    let output = client.#method() #(#setters)* .send_blocking()?;
                    println!("{output:?}");
                    Ok(())
                }

                /// The same call in async code (with the default `rt-tokio` feature, on tokio).
                pub async fn call(client: &Client) -> Result<(), Box<dyn std::error::Error>> {
                    let output = client.#method() #(#setters)* .send().await?;
                    println!("{output:?}");
                    Ok(())
                }
            }
        }
    };
    crate::format::snippet(program)
}

/// `src/lib.rs`: crate docs, modules, re-exports and the service's metadata.
pub fn lib_rs(service: &Service, options: &Options) -> TokenStream {
    let mut docs = vec![
        format!("A client for {}.", service.full_name),
        String::new(),
    ];
    if !service.docs.is_empty() {
        docs.extend(service.docs.iter().cloned());
        docs.push(String::new());
    }
    let usage = format!(
        "# Usage

```no_run
{}```

# Layout

- [`Client`]: one method per operation, returning a fluent builder;
- [`operation`]: per operation, its input, output, error enum and builders;
- [`types`]: the data types, and in [`types::error`] the error shapes;
- [`Error`]: any error of any operation;
- [`protocol`]: the {protocol} wire mapping as sans-IO functions.",
        usage_example(service),
        protocol = super::protocol::name(service),
    );
    docs.extend(usage.lines().map(str::to_owned));
    if !service.left_out.is_empty() {
        docs.extend([
            String::new(),
            "# Operations not generated".to_owned(),
            String::new(),
        ]);
        docs.extend(
            service
                .left_out
                .iter()
                .map(|(name, reason)| format!("- `{name}`: {reason}.")),
        );
    }
    let docs = inner_doc_attrs(&docs);
    let service_id = &service.service_id;
    let endpoint_prefix = &service.endpoint_prefix;
    let signing_name = &service.signing_name;
    let api_version = &service.api_version;
    let endpoint_rules = match &service.endpoint_rules {
        Some(_) => quote!(Some(ENDPOINT_RULES)),
        None => quote!(None),
    };
    let client_context_params = &service.client_context_params;
    let rules_const = match &service.endpoint_rules {
        Some(rules) => {
            // A raw string reads as the JSON it is (unless the JSON holds `"#`).
            let literal: proc_macro2::Literal = if rules.contains("\"#") {
                proc_macro2::Literal::string(rules)
            } else {
                format!("r#\"{rules}\"#")
                    .parse()
                    .unwrap_or_else(|_| proc_macro2::Literal::string(rules))
            };
            quote! {
                /// The service's endpoint rule set (`endpoint-rule-set-1.json`, documentation left out),
                /// which the runtime evaluates once per configuration (per call, for the operations
                /// that bind endpoint parameters from their input).
                const ENDPOINT_RULES: &str = #literal;
            }
        }
        None => quote!(),
    };
    let waiters = (!service.waiters.is_empty()).then(|| {
        quote!(
            pub mod waiters;
        )
    });
    let deny = if options.deny_warnings {
        quote!(#![deny(warnings)])
    } else {
        quote!()
    };
    quote! {
        #docs
        #deny
        #![warn(missing_docs)]
        #![forbid(unsafe_code)]

        pub mod client;
        pub mod error;
        pub mod operation;
        pub mod protocol;
        pub mod types;
        #waiters

        pub use client::Client;
        pub use error::Error;
        pub use ::sdk_runtime::{Config, ConfigBuilder, ConfigOverride, Credentials, Region, RequestId, SdkError};

        /// Value types the data types are made of.
        pub mod primitives {
            pub use ::sdk_runtime::Blob;
        }

        /// What the client knows about the service, from the model's metadata.
        pub(crate) const SERVICE: ::sdk_runtime::operation::ServiceInfo = ::sdk_runtime::operation::ServiceInfo {
            service_id: #service_id,
            endpoint_prefix: #endpoint_prefix,
            signing_name: #signing_name,
            api_version: #api_version,
            crate_version: env!("CARGO_PKG_VERSION"),
            endpoint_rules: #endpoint_rules,
            client_context_params: &[#(#client_context_params),*],
        };

        #rules_const
    }
}

/// `src/operation.rs`: one module per operation.
pub fn operation_rs(service: &Service) -> TokenStream {
    let modules = service.operations.iter().map(|op| {
        let module = ident(&op.module);
        let docs = doc_attrs(&[format!("The `{}` operation.", op.name)]);
        quote!(#docs pub mod #module;)
    });
    let docs = inner_doc_attrs(&[
        "The operations: per operation, its input, output, error enum and builders.".to_owned(),
    ]);
    quote! {
        #docs
        #(#modules)*
    }
}

/// `src/protocol.rs`: one module per operation, and the shapes' JSON impls.
pub fn protocol_rs(service: &Service) -> TokenStream {
    let modules = service.operations.iter().map(|op| {
        let module = ident(&op.module);
        let docs = doc_attrs(&[format!("The wire mapping of `{}`.", op.name)]);
        quote!(#docs pub mod #module;)
    });
    let docs = inner_doc_attrs(&[
        format!(
            "The {} wire mapping, as sans-IO functions: per operation, `serialize_request`",
            super::protocol::name(service)
        ),
        "turns an input into an `http::Request` and `parse_response` turns an `http::Response`"
            .to_owned(),
        "into the output or the operation's error. Use them to send requests your own way."
            .to_owned(),
    ]);
    quote! {
        #docs
        mod shapes;
        #(#modules)*
    }
}
