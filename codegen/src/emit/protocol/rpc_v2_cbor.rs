//! Smithy RPC v2 CBOR (`smithy.protocols#rpcv2Cbor`): the CBOR codec on the
//! RPC binding. Requests are
//! `POST /service/{ServiceName}/operation/{OperationName}` with
//! `smithy-protocol: rpc-v2-cbor` and `Accept: application/cbor`; a body
//! (`Content-Type: application/cbor`) only when the operation has an input.
//! `awsQueryCompatible` services also send `x-amzn-query-mode: true` and
//! take error codes from `x-amzn-query-error`.

use proc_macro2::TokenStream;
use quote::quote;

use super::Emitter;
use crate::emit::binding::rpc::{self, Rpc};
use crate::emit::codec::{cbor::Cbor, Codec};
use crate::ir::{self, Operation, Service};

pub struct RpcV2Cbor<'a>(pub &'a ir::RpcV2Cbor);

/// `text` as one URI path segment: unreserved characters as they are, every
/// other byte percent-encoded.
fn path_segment(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl Emitter for RpcV2Cbor<'_> {
    fn name(&self) -> String {
        "Smithy RPC v2 CBOR".to_owned()
    }

    fn codec(&self) -> &dyn Codec {
        &Cbor
    }

    fn error_metadata(&self) -> TokenStream {
        if self.0.query_compatible {
            quote!(::sdk_runtime::__private::rpc_v2_cbor::query_compatible_error_metadata(response))
        } else {
            quote!(::sdk_runtime::__private::rpc_v2_cbor::error_metadata(
                response
            ))
        }
    }

    fn operation(&self, service: &Service, op: &Operation) -> TokenStream {
        let settings = self.0;
        let mut headers = vec![
            ("smithy-protocol".to_owned(), "rpc-v2-cbor".to_owned()),
            ("accept".to_owned(), "application/cbor".to_owned()),
        ];
        if settings.query_compatible {
            headers.push(("x-amzn-query-mode".to_owned(), "true".to_owned()));
        }
        let rpc = Rpc {
            path: format!(
                "/service/{}/operation/{}",
                path_segment(&settings.service_name),
                path_segment(&op.name)
            ),
            body_headers: vec![("content-type".to_owned(), "application/cbor".to_owned())],
            headers,
            // An empty map.
            empty_body: quote!(::std::vec![0xa0]),
            no_input_no_body: true,
            error_metadata: self.error_metadata(),
        };
        let serialize = rpc::serialize_request(&Cbor, &rpc, op);
        let parse = rpc::parse_response(service, &Cbor, &rpc, op);
        let bodies = rpc::body_impls(service, &Cbor, op);
        quote!(#serialize #parse #bodies)
    }
}
