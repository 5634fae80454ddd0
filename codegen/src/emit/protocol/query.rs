//! awsQuery (`aws.protocols#awsQuery`) and EC2 query
//! (`aws.protocols#ec2Query`): the query codec on the RPC binding.
//!
//! Every request is `POST /` with `Content-Type:
//! application/x-www-form-urlencoded` and the body
//! `Action={Operation}&Version={apiVersion}&...` (the input's members under
//! the codec's keys). A successful response is XML: awsQuery's output is the
//! `<{Operation}Result>` element (or the model's `resultWrapper`), EC2's the
//! root; the request id comes from the body (`ResponseMetadata/RequestId`,
//! `requestId`). Errors are `ErrorResponse/Error` or `Response/Errors/Error`
//! with `Code`, `Message` and a request id; error shapes answer to their
//! `awsQueryError` code (`error.code`) and to their name.

use proc_macro2::TokenStream;
use quote::quote;

use super::Emitter;
use crate::emit::binding::{checksum, finish_request, host_prefix, parse_error};
use crate::emit::codec::{query::Query as QueryCodec, Codec};
use crate::emit::{doc_attrs, doc_line};
use crate::ir::{Operation, Service};
use crate::naming::{derived, ident, wire};

pub struct Query<'a> {
    codec: QueryCodec<'a>,
}

impl<'a> Query<'a> {
    pub fn new(service: &'a Service, ec2: bool) -> Self {
        Self {
            codec: QueryCodec { service, ec2 },
        }
    }

    fn serialize_request(&self, service: &Service, op: &Operation) -> TokenStream {
        let input = ident(&op.input.rust_name);
        let input_binding = if op.input.structure.members.is_empty() && op.host_prefix.is_none() {
            quote!(_input)
        } else {
            quote!(input)
        };
        let write = (!op.input.structure.members.is_empty()).then(|| {
            let write = self.codec.write_body(quote!(input));
            quote!(#write;)
        });
        let action = &op.name;
        let version = &service.api_version;
        let host_prefix = host_prefix(op);
        let checksum = checksum(op);
        let finish = finish_request();
        let media_type = self.codec.media_type();
        let doc = doc_attrs(&[
            format!("Builds the HTTP request of `{}` for `input`.", op.name),
            String::new(),
            "The URI holds the path only; the client prefixes the endpoint.".to_owned(),
        ]);
        let writer = if write.is_some() {
            quote!(mut writer)
        } else {
            quote!(writer)
        };
        quote! {
            #doc
            pub fn serialize_request(#input_binding: &#input) -> Result<HttpRequest, BuildError> {
                let mut request = HttpRequest::new(::sdk_runtime::__private::bytes::Bytes::new());
                *request.method_mut() = ::sdk_runtime::__private::http::Method::POST;
                *request.uri_mut() = ::sdk_runtime::__private::http::Uri::from_static("/");
                #host_prefix
                request.headers_mut().insert(
                    ::sdk_runtime::__private::http::header::CONTENT_TYPE,
                    ::sdk_runtime::__private::http::HeaderValue::from_static(#media_type),
                );
                let #writer = ::sdk_runtime::__private::query::QueryWriter::new(#action, #version);
                #write
                let body = writer.finish();
                #checksum
                #finish
            }
        }
    }

    fn parse_response(&self, service: &Service, op: &Operation) -> TokenStream {
        let output = ident(&op.output.rust_name);
        let error = ident(&derived::operation_error(&op.rust_name));
        let wrapper = if self.codec.ec2 {
            quote!(None)
        } else {
            let name = op
                .result_wrapper
                .clone()
                .unwrap_or_else(|| wire::query_result(&op.name));
            quote!(Some(#name))
        };
        let value = if op.output.structure.members.is_empty() {
            // Nothing to read; the request id if the body is XML.
            quote! {
                let mut output = #output::default();
                let request_id = ::sdk_runtime::__private::query::body(response)
                    .ok()
                    .and_then(|root| ::sdk_runtime::__private::query::request_id(&root));
            }
        } else {
            quote! {
                let root = ::sdk_runtime::__private::query::body(response).map_err(ResponseFailure::malformed)?;
                let mut output: #output = ::sdk_runtime::__private::query::output(&root, #wrapper)
                    .map_err(ResponseFailure::malformed)?;
                let request_id = ::sdk_runtime::__private::query::request_id(&root);
            }
        };
        let parse_error = parse_error(service, op, &self.error_metadata());
        let doc = doc_line(&format!(
            "Parses a response to `{}` into its output or its error.",
            op.name
        ));
        quote! {
            #doc
            pub fn parse_response(response: &HttpResponse) -> Result<#output, ResponseFailure<#error>> {
                if !response.status().is_success() {
                    return Err(parse_error(response));
                }
                #value
                ::sdk_runtime::operation::SetRequestId::set_request_id(&mut output, request_id);
                Ok(output)
            }

            #parse_error
        }
    }
}

impl Emitter for Query<'_> {
    fn name(&self) -> String {
        if self.codec.ec2 {
            "EC2 query".to_owned()
        } else {
            "awsQuery".to_owned()
        }
    }

    fn codec(&self) -> &dyn Codec {
        &self.codec
    }

    fn error_metadata(&self) -> TokenStream {
        quote!(::sdk_runtime::__private::query::error_metadata(response))
    }

    fn operation(&self, service: &Service, op: &Operation) -> TokenStream {
        let serialize = self.serialize_request(service, op);
        let parse = self.parse_response(service, op);
        let input = ident(&op.input.rust_name);
        let output = ident(&op.output.rust_name);
        let input_body = (!op.input.structure.members.is_empty()).then(|| {
            let members: Vec<_> = op.input.structure.members.iter().collect();
            self.codec.input_body(&quote!(#input), &members)
        });
        let output_body = (!op.output.structure.members.is_empty()).then(|| {
            let members: Vec<_> = op.output.structure.members.iter().collect();
            self.codec
                .output_body(&quote!(#output), &op.output.rust_name, &members)
        });
        quote!(#serialize #parse #input_body #output_body)
    }
}
