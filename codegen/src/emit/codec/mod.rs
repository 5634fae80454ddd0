//! Shape codecs: how values of the model's shapes are written and read in a
//! message body. One module per format (JSON; XML and the form-encoded query of awsQuery and EC2); bindings and protocols
//! call them through [`Codec`].

pub mod cbor;
pub mod json;
pub mod query;
pub mod xml;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Member, Service, Shape};
use crate::naming::ident;

/// A body format, as the bindings see it.
pub trait Codec {
    /// The format's name in docs (`JSON`).
    fn name(&self) -> &'static str;

    /// Impls of the emitted `shape` (in `src/protocol/shapes.rs`), in the
    /// directions it travels.
    fn shape_impls(&self, service: &Service, shape: &Shape) -> TokenStream;

    /// Impls that write `members` of the operation input `ty` as a body.
    fn input_body(&self, ty: &TokenStream, members: &[&Member]) -> TokenStream;

    /// Impls that read `members` of the operation output `ty` (named
    /// `name` in messages) from a body.
    fn output_body(&self, ty: &TokenStream, name: &str, members: &[&Member]) -> TokenStream;

    /// The runtime's module of the format, under `sdk_runtime::__private`
    /// (`json`): the default methods below call its `CONTENT_TYPE`,
    /// `to_vec`, `body` and `from_slice`.
    fn runtime_module(&self) -> &'static str;

    /// The media type of a body (`Content-Type` in REST bindings): an
    /// expression of type `&'static str`.
    fn media_type(&self) -> TokenStream {
        let module = ident(self.runtime_module());
        quote!(::sdk_runtime::__private::#module::CONTENT_TYPE)
    }

    /// An expression: the body bytes (`Vec<u8>`) of `value`, a reference to
    /// an input or shape with [`Codec::input_body`] or shape impls; fails
    /// with `BuildError`.
    fn write_body(&self, value: TokenStream) -> TokenStream {
        let module = ident(self.runtime_module());
        quote!(::sdk_runtime::__private::#module::to_vec(#value).map_err(BuildError::serialization)?)
    }

    /// An expression: the body bytes (`Vec<u8>`) of a structure payload
    /// `payload` of the input, whose value is `value` (a reference).
    fn write_payload(&self, _service: &Service, _payload: &Member) -> TokenStream {
        self.write_body(quote!(value))
    }

    /// An expression: the body (`Vec<u8>`) of an unset structure payload,
    /// sent with the media type; `None` when it is sent as no body.
    fn unset_structure_payload(&self) -> Option<TokenStream> {
        Some(quote!(b"{}".to_vec()))
    }

    /// An expression: `Result<T, E>` parsed from `response`'s body, where an
    /// empty body reads as `T::default()`; `E` converts into a `BoxError`.
    fn read_body(&self, ty: Option<TokenStream>) -> TokenStream {
        let module = ident(self.runtime_module());
        match ty {
            Some(ty) => quote!(::sdk_runtime::__private::#module::body::<#ty>(response)),
            None => quote!(::sdk_runtime::__private::#module::body(response)),
        }
    }

    /// An expression: `Result<T, E>` parsed from the (non-empty) bytes of
    /// `response.body()`, for a payload member.
    fn read_value(&self) -> TokenStream {
        let module = ident(self.runtime_module());
        quote!(::sdk_runtime::__private::#module::from_slice(response.body()))
    }
}
