//! rest-json (`aws.protocols#restJson1`): the JSON codec on the REST
//! binding; error metadata from `x-amzn-ErrorType`, else the body's
//! `__type` or `code`.

use proc_macro2::TokenStream;
use quote::quote;

use super::Emitter;
use crate::emit::binding::rest;
use crate::emit::codec::{json::Json, Codec};
use crate::ir::{Operation, Service};

pub struct RestJson;

impl Emitter for RestJson {
    fn name(&self) -> String {
        "rest-json".to_owned()
    }

    fn codec(&self) -> &dyn Codec {
        &Json
    }

    fn error_metadata(&self) -> TokenStream {
        quote!(::sdk_runtime::__private::rest_json::error_metadata(
            response
        ))
    }

    fn operation(&self, service: &Service, op: &Operation) -> TokenStream {
        let error_metadata = self.error_metadata();
        let serialize = rest::serialize_request(service, &Json, op);
        let parse = rest::parse_response(service, &Json, op, &error_metadata);
        let bodies = rest::body_impls(&Json, op);
        quote!(#serialize #parse #bodies)
    }
}
