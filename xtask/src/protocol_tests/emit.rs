//! Emitting one Rust test per case, through the generated crate's public API.
//!
//! Values from the case's JSON become Rust expressions by the shapes of the
//! suite's resolved model: the same IR the generator emitted the crate from,
//! so setter names, types and paths agree with the crate by construction.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;
use serde_json::Value;

use codegen::ir::{
    Location, Member, Operation, Service, Shape, ShapeId, ShapeKind, Structure, Union,
};
use codegen::naming::{self, derived, ident, Case as NameCase, Namespace};

use super::suite::{Case, CaseKind};

/// The tests of one suite, and the test function name of each case.
pub struct SuiteTests {
    pub tokens: TokenStream,
    /// `(case index, test function name)` for every emitted case.
    pub names: Vec<(usize, String)>,
    /// `(case index, reason)` for cases that could not become a test.
    pub errors: Vec<(usize, String)>,
}

/// Emits the tests for `cases` (index, case) of a suite whose crate is `lib`
/// and whose requests go to `endpoint`.
pub fn suite_tests(
    service: &Service,
    lib: &Ident,
    endpoint: &str,
    cases: &[(usize, &Case)],
) -> SuiteTests {
    let mut names = Namespace::default();
    let mut out = SuiteTests {
        tokens: TokenStream::new(),
        names: Vec::new(),
        errors: Vec::new(),
    };
    for (index, case) in cases {
        let emitter = Emitter {
            service,
            lib,
            endpoint,
        };
        match emitter.case(case) {
            Ok(body) => {
                let plain = naming::sanitize(&case.id, NameCase::Snake)
                    .unwrap_or_else(|_| "case".to_owned());
                let name = names.claim(&plain, "_", |_| Vec::new());
                let func = ident(&name);
                out.tokens.extend(quote! {
                    #[test]
                    fn #func() {
                        #body
                    }
                });
                out.names.push((*index, name));
            }
            Err(reason) => out.errors.push((*index, reason)),
        }
    }
    out
}

struct Emitter<'a> {
    service: &'a Service,
    lib: &'a Ident,
    endpoint: &'a str,
}

impl Emitter<'_> {
    fn operation(&self, name: &str) -> Result<&Operation, String> {
        self.service
            .operations
            .iter()
            .find(|op| op.name == name)
            .ok_or_else(|| format!("operation `{name}` is not in the model"))
    }

    fn case(&self, case: &Case) -> Result<TokenStream, String> {
        let op = self.operation(&case.operation)?;
        match &case.kind {
            CaseKind::Input { params, serialized } => self.input_case(op, case, params, serialized),
            CaseKind::Output {
                response,
                result,
                error_code,
                error_message,
                error,
            } => match error_code {
                Some(code) => {
                    self.error_case(op, response, code, error_message.as_deref(), error.as_ref())
                }
                None => self.output_case(op, response, result.as_ref()),
            },
        }
    }

    fn input_case(
        &self,
        op: &Operation,
        case: &Case,
        params: &Value,
        serialized: &Value,
    ) -> Result<TokenStream, String> {
        let lib = self.lib;
        let module = ident(&op.module);
        let input = ident(&op.input.rust_name);
        let setters = self.setters(&op.input.structure, params)?;
        let method = serialized["method"].as_str().unwrap_or(&case.method);
        let uri = serialized["uri"].as_str().unwrap_or("/");
        let headers =
            serialized["headers"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(name, value)| {
                    let value = value.as_str().unwrap_or_default();
                    quote!((#name, #value),)
                });
        let strings = |key: &str| -> Vec<String> {
            serialized[key]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        };
        // As botocore's runner: list items may be joined with `,` or `, `.
        let list_headers = op.input.structure.members.iter().filter(|m| {
            m.location == Location::Header
                && matches!(self.service.shape(m.target).kind, ShapeKind::List { .. })
        });
        let list_headers = list_headers.map(|m| m.wire_name.as_str());
        let forbid = strings("forbidHeaders");
        let require = strings("requireHeaders");
        let body = match serialized.get("body").and_then(Value::as_str) {
            Some(body) => {
                let bytes = Literal::byte_string(&self.body_bytes(body)?);
                quote!(Some(#bytes))
            }
            None => quote!(None),
        };
        let cbor_body = self.binary_bodies();
        let host = match serialized.get("host").and_then(Value::as_str) {
            Some(host) => quote!(Some(#host)),
            None => quote!(None),
        };
        let endpoint = self.endpoint;
        Ok(quote! {
            let input = #lib::operation::#module::#input::builder()
                #(#setters)*
                .build()
                .expect("the input builds");
            let mut request = #lib::protocol::#module::serialize_request(&input).expect("the request serializes");
            ::sdk_runtime::operation::set_endpoint(&mut request, #endpoint).expect("the endpoint applies");
            let expected = ::sdk_runtime::testing::ExpectedRequest {
                method: #method,
                uri: #uri,
                headers: &[#(#headers)*],
                forbid_headers: &[#(#forbid),*],
                require_headers: &[#(#require),*],
                body: #body,
                host: #host,
                list_headers: &[#(#list_headers),*],
                cbor_body: #cbor_body,
            };
            if let Err(problems) = ::sdk_runtime::testing::check_request(&request, &expected) {
                panic!("{problems}");
            }
        })
    }

    /// Whether the protocol's bodies are binary (CBOR), which the suites
    /// write in base64, as botocore's runner reads them.
    fn binary_bodies(&self) -> bool {
        matches!(self.service.protocol, codegen::ir::Protocol::RpcV2Cbor(_))
    }

    /// The bytes of a body as a case writes it.
    fn body_bytes(&self, body: &str) -> Result<Vec<u8>, String> {
        if self.binary_bodies() {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(body)
                .map_err(|e| format!("the case's body is not base64: {e}"))
        } else {
            Ok(body.as_bytes().to_vec())
        }
    }

    fn response(&self, op: &Operation, response: &Value) -> Result<TokenStream, String> {
        let status = response["status_code"].as_u64().unwrap_or(200) as u16;
        let headers = response["headers"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, value)| {
                let value = value.as_str().unwrap_or_default();
                quote!(.header(#name, #value))
            });
        let text = response["body"].as_str().unwrap_or_default();
        // As botocore's runner: an event stream's bytes are written in base64.
        let body = if self
            .service
            .event_stream_member(&op.output.structure)
            .is_some()
        {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|e| format!("the case's event stream is not base64: {e}"))?
        } else {
            self.body_bytes(text)?
        };
        let body = Literal::byte_string(&body);
        Ok(quote! {
            let response = ::sdk_runtime::__private::http::Response::builder()
                .status(#status)
                #(#headers)*
                .body(::sdk_runtime::__private::bytes::Bytes::from_static(#body))
                .expect("the response builds");
        })
    }

    fn output_case(
        &self,
        op: &Operation,
        response: &Value,
        result: Option<&Value>,
    ) -> Result<TokenStream, String> {
        let lib = self.lib;
        let module = ident(&op.module);
        let output = ident(&op.output.rust_name);
        let response = self.response(op, response)?;
        let result = result
            .cloned()
            .unwrap_or_else(|| Value::Object(Default::default()));
        let path = quote!(#lib::operation::#module::#output);
        let expected = self.structure_value(&path, &op.output.structure, &result, false)?;
        let checks = self.member_checks(&op.output.structure, &result)?;
        let binding = if self
            .service
            .event_stream_member(&op.output.structure)
            .is_some()
        {
            quote!(mut expected)
        } else {
            quote!(expected)
        };
        // As botocore's runner, which drops `ResponseMetadata`: the request
        // id some protocols carry in the body is not part of the result.
        Ok(quote! {
            #response
            let mut actual = #lib::protocol::#module::parse_response(&response).expect("the response parses");
            ::sdk_runtime::operation::SetRequestId::set_request_id(&mut actual, None);
            let #binding = #expected;
            #checks
            let _ = expected;
        })
    }

    /// An error case: the error the operation lists under `code` (its wire
    /// code, else its name), built and compared like an output. An error the
    /// operation does not list is `Unhandled` in the generated API (botocore
    /// would type it from all the service's error shapes), so then the code
    /// and message it carries are compared.
    fn error_case(
        &self,
        op: &Operation,
        response: &Value,
        code: &str,
        message: Option<&str>,
        error: Option<&Value>,
    ) -> Result<TokenStream, String> {
        let lib = self.lib;
        let module = ident(&op.module);
        let error_enum = ident(&derived::operation_error(&op.rust_name));
        let listed = op
            .errors
            .iter()
            .map(|id| self.service.shape(*id))
            .find(|shape| {
                let wire = match &shape.kind {
                    ShapeKind::Structure(Structure {
                        error: Some(info), ..
                    }) => info.code.as_str(),
                    _ => shape.name.as_str(),
                };
                wire == code || shape.name == code
            });
        let Some(shape) = listed else {
            let response = self.response(op, response)?;
            // As botocore's runner: no `errorMessage` means an empty message.
            let message = message.unwrap_or_default();
            return Ok(quote! {
                #response
                let error = match #lib::protocol::#module::parse_response(&response) {
                    Err(::sdk_runtime::operation::ResponseFailure::Service(error)) => *error,
                    other => panic!("expected the error {}, got {other:?}", #code),
                };
                let #lib::operation::#module::#error_enum::Unhandled(unhandled) = error else {
                    panic!("expected an unhandled error {}, got {error:?}", #code);
                };
                assert_eq!(unhandled.meta().code(), Some(#code), "error code");
                assert_eq!(unhandled.meta().message().unwrap_or_default(), #message, "error message");
            });
        };
        let ShapeKind::Structure(structure) = &shape.kind else {
            return Err(format!("error `{code}` is not a structure"));
        };
        let variant = ident(&shape.rust_name);
        let error = error
            .cloned()
            .unwrap_or_else(|| Value::Object(Default::default()));
        let path = self.shape_path(shape);
        let expected = self.structure_value(&path, structure, &error, false)?;
        let checks = self.member_checks(structure, &error)?;
        let response = self.response(op, response)?;
        Ok(quote! {
            #response
            let error = match #lib::protocol::#module::parse_response(&response) {
                Err(::sdk_runtime::operation::ResponseFailure::Service(error)) => *error,
                other => panic!("expected the error {}, got {other:?}", #code),
            };
            let #lib::operation::#module::#error_enum::#variant(actual) = error else {
                panic!("expected the error {}, got {error:?}", #code);
            };
            let expected = #expected;
            #checks
            let _ = expected;
        })
    }

    /// Assertions that `actual` equals `expected`: member by member through
    /// the getters, and as a whole when no float in it is NaN (NaN is not
    /// equal to itself, so those members are checked with `is_nan`) and it
    /// holds no event stream (a receiver is compared by the events it gives,
    /// and the members the case does not name must be unset).
    fn member_checks(
        &self,
        structure: &Structure,
        expected: &Value,
    ) -> Result<TokenStream, String> {
        let object = expected
            .as_object()
            .ok_or("the expected value is not an object")?;
        let mut checks = Vec::new();
        let mut has_nan = false;
        for (name, value) in object {
            let member = find_member(structure, name)?;
            let getter = ident(&member.rust_name);
            let is_float = matches!(
                self.service.shape(member.target).kind,
                ShapeKind::Float | ShapeKind::Double
            );
            if self.service.is_event_stream(member.target) {
                checks.push(quote! {
                    assert_eq!(
                        actual.#getter().collect_blocking().expect("the events read"),
                        expected.#getter().collect_blocking().expect("the expected events"),
                        "events of {}", #name
                    );
                });
            } else if is_float && value.as_str() == Some("NaN") {
                has_nan = true;
                checks.push(quote! {
                    assert!(actual.#getter().is_some_and(|v| v.is_nan()), "{} is not NaN", #name);
                });
            } else {
                checks.push(
                    quote!(assert_eq!(actual.#getter(), expected.#getter(), "member {}", #name);),
                );
            }
        }
        if self.service.event_stream_member(structure).is_some() {
            for member in &structure.members {
                if !object.contains_key(&member.name)
                    && !self.service.is_event_stream(member.target)
                {
                    let getter = ident(&member.rust_name);
                    let name = &member.name;
                    checks.push(quote!(assert!(actual.#getter().is_none(), "{} is set", #name);));
                }
            }
        } else if !has_nan {
            checks.push(quote!(assert_eq!(actual, expected);));
        }
        Ok(quote!(#(#checks)*))
    }

    fn shape_path(&self, shape: &Shape) -> TokenStream {
        let lib = self.lib;
        let name = ident(&shape.rust_name);
        match &shape.kind {
            ShapeKind::Structure(s) if s.error.is_some() => quote!(#lib::types::error::#name),
            _ => quote!(#lib::types::#name),
        }
    }

    /// `.set_x(Some(value))` for each member of `object` (nulls leave it unset).
    fn setters(&self, structure: &Structure, object: &Value) -> Result<Vec<TokenStream>, String> {
        let object = object.as_object().ok_or("params is not an object")?;
        let mut setters = Vec::new();
        for (name, value) in object {
            if value.is_null() {
                continue;
            }
            let member = find_member(structure, name)?;
            let set = ident(&derived::setter(&member.rust_name));
            let text;
            let value = match value {
                // Header names have no case (the `http` crate's are lower case);
                // botocore keeps them as they came.
                Value::Object(map) if member.location == Location::Headers => {
                    text = Value::Object(
                        map.iter()
                            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                            .collect(),
                    );
                    &text
                }
                _ => value,
            };
            let value = self.value(member.target, value)?;
            setters.push(quote!(.#set(Some(#value))));
        }
        Ok(setters)
    }

    /// A structure built with its builder; `fallible` for operation inputs,
    /// otherwise when it has required members (the generator's rule).
    fn structure_value(
        &self,
        path: &TokenStream,
        structure: &Structure,
        object: &Value,
        fallible: bool,
    ) -> Result<TokenStream, String> {
        let setters = self.setters(structure, object)?;
        let build = if fallible || structure.has_required() {
            quote!(.build().expect("the value builds"))
        } else {
            quote!(.build())
        };
        Ok(quote!(#path::builder() #(#setters)* #build))
    }

    /// A Rust expression for `value` as a value of shape `id`.
    fn value(&self, id: ShapeId, value: &Value) -> Result<TokenStream, String> {
        let shape = self.service.shape(id);
        let mismatch = || format!("`{value}` is not a value of `{}`", shape.name);
        Ok(match &shape.kind {
            ShapeKind::String => {
                // A value that is not a string is its JSON text: a `jsonvalue`
                // member's (botocore's API takes and returns the decoded
                // value), or one a service sends where a string is declared.
                let text;
                let s = match value {
                    Value::String(s) => s.as_str(),
                    _ => {
                        text = value.to_string();
                        text.as_str()
                    }
                };
                quote!(::std::string::String::from(#s))
            }
            ShapeKind::Enum(_) => {
                let s = value.as_str().ok_or_else(mismatch)?;
                let path = self.shape_path(shape);
                quote!(#path::from(#s))
            }
            ShapeKind::Boolean => {
                let b = value.as_bool().ok_or_else(mismatch)?;
                quote!(#b)
            }
            ShapeKind::Byte => {
                integer(value, |n| Literal::i8_suffixed(n as i8)).ok_or_else(mismatch)?
            }
            ShapeKind::Short => {
                integer(value, |n| Literal::i16_suffixed(n as i16)).ok_or_else(mismatch)?
            }
            ShapeKind::Integer => {
                integer(value, |n| Literal::i32_suffixed(n as i32)).ok_or_else(mismatch)?
            }
            ShapeKind::Long => integer(value, Literal::i64_suffixed).ok_or_else(mismatch)?,
            ShapeKind::Float => float(value, quote!(f32), |f| Literal::f32_suffixed(f as f32))
                .ok_or_else(mismatch)?,
            ShapeKind::Double => {
                float(value, quote!(f64), Literal::f64_suffixed).ok_or_else(mismatch)?
            }
            ShapeKind::Blob => {
                let bytes = Literal::byte_string(value.as_str().ok_or_else(mismatch)?.as_bytes());
                quote!(::sdk_runtime::Blob::new(#bytes.to_vec()))
            }
            ShapeKind::StreamingBlob => {
                let bytes = Literal::byte_string(value.as_str().ok_or_else(mismatch)?.as_bytes());
                quote!(::sdk_runtime::ByteStream::new(#bytes.to_vec()))
            }
            ShapeKind::Timestamp { .. } => match (value.as_i64(), value.as_f64()) {
                (Some(seconds), _) => quote!(::sdk_runtime::DateTime::from_secs(#seconds)),
                (None, Some(seconds)) => {
                    quote!(::sdk_runtime::DateTime::from_secs_f64(#seconds).expect("a finite timestamp"))
                }
                _ => return Err(mismatch()),
            },
            ShapeKind::Document => {
                let text = value.to_string();
                quote!(::serde_json::from_str::<::serde_json::Value>(#text).expect("a JSON document"))
            }
            ShapeKind::List { member } => {
                let items = value.as_array().ok_or_else(mismatch)?;
                // The generated lists are dense: the parser drops `null` items.
                let items = items
                    .iter()
                    .filter(|item| !item.is_null())
                    .map(|item| self.value(*member, item))
                    .collect::<Result<Vec<_>, _>>()?;
                quote!(::std::vec![#(#items),*])
            }
            ShapeKind::Map {
                value: value_shape, ..
            } => {
                let entries = value.as_object().ok_or_else(mismatch)?;
                let mut pairs = Vec::new();
                for (key, item) in entries {
                    if item.is_null() {
                        continue;
                    }
                    let item = self.value(*value_shape, item)?;
                    pairs.push(quote!((::std::string::String::from(#key), #item)));
                }
                quote!([#(#pairs),*].into_iter().collect::<::std::collections::HashMap<_, _>>())
            }
            ShapeKind::Structure(structure) => {
                let path = self.shape_path(shape);
                self.structure_value(&path, structure, value, false)?
            }
            ShapeKind::Union(union) if union.event_stream.is_some() => {
                // The events, in order; each is a value of the union.
                let events = value
                    .as_array()
                    .ok_or_else(mismatch)?
                    .iter()
                    .map(|event| self.union_value(shape, union, event))
                    .collect::<Result<Vec<_>, _>>()?;
                quote!(::sdk_runtime::event_receiver::EventReceiver::from_events(
                    ::std::vec![#(#events),*]
                ))
            }
            ShapeKind::Union(union) => self.union_value(shape, union, value)?,
        })
    }

    /// A Rust expression for `value` as a value of the union `shape`.
    fn union_value(
        &self,
        shape: &Shape,
        union: &Union,
        value: &Value,
    ) -> Result<TokenStream, String> {
        let mismatch = || format!("`{value}` is not a value of `{}`", shape.name);
        let object = value.as_object().ok_or_else(mismatch)?;
        let path = self.shape_path(shape);
        // botocore's form of a member this client does not know.
        if let Some(unknown) = object.get("SDK_UNKNOWN_MEMBER") {
            let name = unknown["name"].as_str().ok_or_else(mismatch)?;
            return Ok(quote!(#path::Unknown(::std::string::String::from(#name))));
        }
        let (name, item) = object
            .iter()
            .find(|(_, v)| !v.is_null())
            .ok_or_else(|| format!("union `{}` has no member set", shape.name))?;
        let index = union
            .structure
            .members
            .iter()
            .position(|m| &m.name == name)
            .ok_or_else(|| format!("`{name}` is not a member of `{}`", shape.name))?;
        let member = &union.structure.members[index];
        let variant = ident(&union.variants[index]);
        let item = self.value(member.target, item)?;
        let item = if member.boxed {
            quote!(::std::boxed::Box::new(#item))
        } else {
            item
        };
        Ok(quote!(#path::#variant(#item)))
    }
}

fn find_member<'a>(structure: &'a Structure, name: &str) -> Result<&'a Member, String> {
    structure
        .members
        .iter()
        .find(|m| m.name == name)
        .ok_or_else(|| format!("`{name}` is not a member"))
}

fn integer(value: &Value, literal: impl Fn(i64) -> Literal) -> Option<TokenStream> {
    let n = value.as_i64()?;
    let lit = literal(n);
    Some(quote!(#lit))
}

/// A float literal, or the constant for `"NaN"`, `"Infinity"`, `"-Infinity"`.
fn float(value: &Value, ty: TokenStream, literal: impl Fn(f64) -> Literal) -> Option<TokenStream> {
    Some(match value {
        Value::String(s) => match s.as_str() {
            "NaN" => quote!(#ty::NAN),
            "Infinity" => quote!(#ty::INFINITY),
            "-Infinity" => quote!(#ty::NEG_INFINITY),
            _ => return None,
        },
        _ => {
            let lit = literal(value.as_f64()?);
            quote!(#lit)
        }
    })
}
