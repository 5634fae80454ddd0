//! rest-xml (`aws.protocols#restXml`): the XML codec on the REST binding.
//!
//! A body is one XML document: the input's body members under a root named
//! by the input reference's `locationName` (else the input shape's name),
//! or a structure payload as the root named by the payload member's
//! `locationName` (else its shape's name), with the reference's
//! `xmlNamespace` declared on the root; blob and string payloads travel
//! raw. Error metadata comes from `ErrorResponse/Error` or a root `Error`
//! (`Code`, `Message`, `RequestId`), else from the status.

use proc_macro2::TokenStream;
use quote::quote;

use super::Emitter;
use crate::emit::binding::rest;
use crate::emit::codec::{xml::Xml, Codec};
use crate::ir::{Operation, Service};

pub struct RestXml<'a> {
    codec: Xml<'a>,
}

impl<'a> RestXml<'a> {
    pub fn new(service: &'a Service) -> Self {
        Self {
            codec: Xml {
                service,
                root: None,
            },
        }
    }
}

impl Emitter for RestXml<'_> {
    fn name(&self) -> String {
        "rest-xml".to_owned()
    }

    fn codec(&self) -> &dyn Codec {
        &self.codec
    }

    fn error_metadata(&self) -> TokenStream {
        quote!(::sdk_runtime::__private::rest_xml::error_metadata(response))
    }

    fn operation(&self, service: &Service, op: &Operation) -> TokenStream {
        let root_name = op.input.xml_name.clone().unwrap_or_else(|| {
            op.input
                .source
                .filter(|id| id.0 < service.shapes.len())
                .map_or_else(
                    || op.input.rust_name.clone(),
                    |id| service.shape(id).name.clone(),
                )
        });
        // The reference's namespace, else the input shape's.
        let namespace = op.input.xml_namespace.clone().or_else(|| {
            op.input
                .source
                .filter(|id| id.0 < service.shapes.len())
                .and_then(|id| service.shape(id).xml.namespace.clone())
        });
        let codec = Xml {
            service,
            root: Some((root_name, namespace)),
        };
        let error_metadata = self.error_metadata();
        let serialize = rest::serialize_request(service, &codec, op);
        let parse = rest::parse_response(service, &codec, op, &error_metadata);
        let bodies = rest::body_impls(&codec, op);
        quote!(#serialize #parse #bodies)
    }
}
