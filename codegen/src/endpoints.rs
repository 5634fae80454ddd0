//! A service's endpoint rule set (`endpoint-rule-set-1.json`), checked and
//! converted to the compact form a generated crate embeds.
//!
//! The check is the runtime's own reader ([`sdk_runtime::endpoint::RuleSet`]):
//! what passes here is exactly what the crate's evaluator accepts, so a bad
//! rule set fails at generation time, naming the file and the place in it,
//! never in a user's program.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;
use sdk_runtime::endpoint::{ParameterType, RuleSet};
use serde_json::Value;

use crate::error::{Error, Problem};
use crate::ir::{ContextParam, ContextSource, Operation, Service};
use crate::jmespath::{self, Base};

/// Checks the rule set `text` (of the file `path`) and returns its compact
/// form: the same JSON without documentation and whitespace.
pub fn convert(path: &str, text: &str) -> Result<String, Error> {
    let mut document: Value = serde_json::from_str(text).map_err(|e| {
        Error::resolve(
            path,
            vec![Problem {
                at: "the endpoint rule set".to_owned(),
                message: format!("not JSON: {e}"),
            }],
        )
    })?;
    strip_documentation(&mut document);
    sdk_runtime::endpoint::RuleSet::from_value(&document).map_err(|e| {
        Error::resolve(
            path,
            vec![Problem {
                at: if e.at.is_empty() {
                    "the endpoint rule set".to_owned()
                } else {
                    format!("endpoint rule set, at `{}`", e.at)
                },
                message: e.message,
            }],
        )
    })?;
    Ok(document.to_string())
}

/// Checks what the model binds to endpoint parameters against the rule
/// set (`compact`, as [`convert`] made it): every parameter an operation
/// binds (`staticContextParams`, `contextParam`, `operationContextParams`)
/// and every `clientContextParams` entry is a parameter of the rule set,
/// every path compiles over the operation's input ([`crate::jmespath`]),
/// and each value has the parameter's type. Problems name the operation.
pub fn check_context(service: &Service, compact: &str) -> Vec<Problem> {
    let rules = match RuleSet::parse(compact) {
        Ok(rules) => rules,
        Err(e) => {
            return vec![Problem {
                at: "the endpoint rule set".to_owned(),
                message: e.to_string(),
            }]
        }
    };
    let mut problems = Vec::new();
    for name in &service.client_context_params {
        if !rules.parameters().iter().any(|p| &p.name == name) {
            problems.push(Problem {
                at: format!("clientContextParams `{}`", name.escape_debug()),
                message: "is not a parameter of the endpoint rule set".to_owned(),
            });
        }
    }
    for op in &service.operations {
        for param in &op.endpoint_context {
            let at = format!(
                "operation `{}`, endpoint parameter `{}`",
                op.name.escape_debug(),
                param.name.escape_debug()
            );
            let Some(declared) = rules.parameters().iter().find(|p| p.name == param.name) else {
                problems.push(Problem {
                    at,
                    message: "is not a parameter of the endpoint rule set".to_owned(),
                });
                continue;
            };
            match context_binding(service, op, param) {
                Ok((_, kind)) if kind == declared.kind => {}
                Ok((_, kind)) => problems.push(Problem {
                    at,
                    message: format!(
                        "the rule set declares a {:?}, the model binds a {kind:?}",
                        declared.kind
                    ),
                }),
                Err(message) => problems.push(Problem { at, message }),
            }
        }
    }
    problems
}

/// The endpoint parameters each operation of the model binds, by operation
/// name, as its generated crate binds them: the model at `path` (its text
/// `text`) resolved and checked against the rule set `compact` as
/// [`crate::generate_set`] does. `cargo xtask endpoint-tests` binds the
/// test cases' operation inputs by it.
pub fn bindings(
    path: &str,
    text: &str,
    compact: &str,
) -> Result<BTreeMap<String, Vec<ContextParam>>, Error> {
    let model = crate::model::parse(path, text)?;
    let service = crate::resolve::resolve(path, &model)?;
    let problems = check_context(&service, compact);
    if !problems.is_empty() {
        return Err(Error::resolve(path, problems));
    }
    Ok(service
        .operations
        .into_iter()
        .map(|op| (op.name, op.endpoint_context))
        .collect())
}

/// What a generated binding of a member or a path sets for the value
/// JMESPath gives (as JSON): nothing for null or an empty list, a list
/// without its nulls, any other value as it is. (A static value is set as
/// it is.)
pub fn bound_value(value: Value) -> Option<Value> {
    match value {
        Value::Null => None,
        Value::Array(items) => {
            let items: Vec<Value> = items.into_iter().filter(|v| !v.is_null()).collect();
            (!items.is_empty()).then_some(Value::Array(items))
        }
        other => Some(other),
    }
}

/// The statement binding `param` of `op`: it reads `input` (an `&Input`)
/// and sets the value on `params` (an `&mut sdk_runtime::endpoint::Params`),
/// or leaves the parameter unset when the input has no value (an empty list
/// counts as none); with the type of the value it sets.
pub fn context_binding(
    service: &Service,
    op: &Operation,
    param: &ContextParam,
) -> Result<(TokenStream, ParameterType), String> {
    let name = &param.name;
    let compiled = match &param.source {
        ContextSource::Static(value) => {
            let (value, kind) = match value {
                Value::Bool(b) => (quote!(#b), ParameterType::Boolean),
                Value::String(s) => (quote!(#s), ParameterType::String),
                Value::Array(items) => {
                    let items = items
                        .iter()
                        .map(|item| item.as_str().ok_or(()))
                        .collect::<Result<Vec<_>, ()>>()
                        .map_err(|()| {
                            format!("the static value {value} is not a list of strings")
                        })?;
                    (quote!(::std::vec![#(#items),*]), ParameterType::StringArray)
                }
                other => {
                    return Err(format!(
                        "the static value {other} is not a string, a boolean or a list of strings"
                    ))
                }
            };
            return Ok((quote!(params.set(#name, #value);), kind));
        }
        ContextSource::Member(member) => jmespath::input_member(service, op, member)
            .map_err(|e| format!("`contextParam` member: {e}"))?,
        ContextSource::Path(path) => jmespath::compile_input(service, op, path)
            .map_err(|e| format!("`operationContextParams` path {e}"))?,
    };
    let value = jmespath::scalar(service, op, compiled)?;
    let t = value.tokens;
    let read = quote! {
        let cur = ::std::option::Option::Some(input);
        #t
    };
    match (value.ty.base, value.ty.many) {
        (Base::Str, false) | (Base::Bool, false) => Ok((
            quote! {
                if let ::std::option::Option::Some(value) = { #read } {
                    params.set(#name, value);
                }
            },
            if value.ty.base == Base::Str {
                ParameterType::String
            } else {
                ParameterType::Boolean
            },
        )),
        (Base::Str, true) => Ok((
            quote! {
                let value = { #read };
                if !value.is_empty() {
                    params.set(#name, value);
                }
            },
            ParameterType::StringArray,
        )),
        _ => Err("its value is not a string, a boolean or a list of strings".to_owned()),
    }
}

/// Removes `documentation` (and `deprecated`) entries of objects that are
/// parameters or rules: the evaluator reads neither.
fn strip_documentation(value: &mut Value) {
    match value {
        Value::Object(object) => {
            let is_code = object.contains_key("fn") || object.contains_key("ref");
            if !is_code {
                object.remove("documentation");
                object.remove("deprecated");
            }
            for (key, child) in object.iter_mut() {
                // Endpoint properties and headers are data: kept whole.
                if key != "properties" && key != "headers" {
                    strip_documentation(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_documentation),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_rule_set_names_file_and_place() {
        let err = convert(
            "model/x/endpoint-rule-set-1.json",
            r#"{"parameters":{},"rules":[{"type":"endpoint","conditions":[],"endpoint":{"url":"https://{Region}"}}]}"#,
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("model/x/endpoint-rule-set-1.json"), "{text}");
        assert!(text.contains("rules[0].endpoint.url"), "{text}");
        assert!(text.contains("`Region` is neither a parameter"), "{text}");
    }

    #[test]
    fn the_compact_form_drops_documentation_only() {
        let compact = convert(
            "x",
            r#"{"version":"1.0","parameters":{"Region":{"type":"String","documentation":"The region"}},
               "rules":[{"documentation":"d","type":"error","conditions":[],"error":"e"}]}"#,
        )
        .unwrap();
        assert_eq!(
            compact,
            r#"{"parameters":{"Region":{"type":"String"}},"rules":[{"conditions":[],"error":"e","type":"error"}],"version":"1.0"}"#
        );
    }
}
