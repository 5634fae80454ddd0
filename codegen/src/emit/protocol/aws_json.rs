//! awsJson 1.0 and 1.1 (`aws.protocols#awsJson1_0` / `awsJson1_1`): the JSON
//! codec on the RPC binding. Requests are `POST /` with
//! `X-Amz-Target: {targetPrefix}.{operation}` and
//! `Content-Type: application/x-amz-json-1.x`; `awsQueryCompatible`
//! services also send `x-amzn-query-mode: true` and take error codes from
//! `x-amzn-query-error`.

use proc_macro2::TokenStream;
use quote::quote;

use super::Emitter;
use crate::emit::binding::rpc::{self, Rpc};
use crate::emit::codec::{json::Json, Codec};
use crate::ir::{self, JsonVersion, Operation, Service};

pub struct AwsJson<'a>(pub &'a ir::AwsJson);

impl Emitter for AwsJson<'_> {
    fn name(&self) -> String {
        match self.0.version {
            JsonVersion::V1_0 => "awsJson 1.0".to_owned(),
            JsonVersion::V1_1 => "awsJson 1.1".to_owned(),
        }
    }

    fn codec(&self) -> &dyn Codec {
        &Json
    }

    fn error_metadata(&self) -> TokenStream {
        if self.0.query_compatible {
            quote!(::sdk_runtime::__private::aws_json::query_compatible_error_metadata(response))
        } else {
            quote!(::sdk_runtime::__private::aws_json::error_metadata(response))
        }
    }

    fn operation(&self, service: &Service, op: &Operation) -> TokenStream {
        let settings = self.0;
        let body_headers = vec![(
            "content-type".to_owned(),
            settings.version.content_type().to_owned(),
        )];
        let mut headers = vec![(
            "x-amz-target".to_owned(),
            format!("{}.{}", settings.target_prefix, op.name),
        )];
        if settings.query_compatible {
            headers.push(("x-amzn-query-mode".to_owned(), "true".to_owned()));
        }
        let error_metadata = self.error_metadata();
        let rpc = Rpc {
            path: "/".to_owned(),
            body_headers,
            headers,
            empty_body: quote!(b"{}".to_vec()),
            no_input_no_body: false,
            error_metadata,
        };
        let serialize = rpc::serialize_request(&Json, &rpc, op);
        let parse = rpc::parse_response(service, &Json, &rpc, op);
        let bodies = rpc::body_impls(service, &Json, op);
        quote!(#serialize #parse #bodies)
    }
}
