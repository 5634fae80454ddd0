//! Helpers of operations: resolve a service's paginators (`paginators-1.json`) and waiters
//! (`waiters-2.json`) against its resolved operations.
//!
//! Every name is checked: input tokens and limit keys are input members of
//! the right type, output tokens, result keys, `more_results`,
//! `non_aggregate_keys` and acceptor paths compile over the output (see
//! [`crate::jmespath`]) to values of the right type. A problem names the
//! file, the paginator or waiter, the operation and the key. Definitions of
//! operations the crate leaves out are skipped.

use crate::error::{Error, Problem};
use crate::ir::{
    Acceptor, AcceptorState, Expected, Matcher, Paginator, Service, ShapeKind, Waiter,
};
use crate::jmespath::{self, Base, Ty};
use crate::model;
use crate::naming::{self, derived, Case};

/// The operation named `name`: `Ok(Some(index))`, `Ok(None)` when the crate
/// leaves it out, or an error.
fn operation(service: &Service, name: &str) -> Result<Option<usize>, String> {
    if let Some(index) = service.operations.iter().position(|op| op.name == name) {
        return Ok(Some(index));
    }
    if service.left_out.iter().any(|(left, _)| left == name) {
        return Ok(None);
    }
    Err(format!("`{name}` is not an operation of the model"))
}

/// Fills `service.paginators` from the text of `paginators-1.json` (named `file`).
/// `extras` is the `*.sdk-extras.json` beside it, if any (path and text).
pub fn resolve_paginators(
    service: &mut Service,
    file: &str,
    text: &str,
    extras: Option<(&str, &str)>,
) -> Result<(), Error> {
    let definitions: model::Paginators = model::parse_extra(file, text, extras)?;
    let mut problems = Vec::new();
    let mut paginators = Vec::new();
    for (name, definition) in &definitions.pagination {
        let at = format!("paginator of operation `{}`", name.escape_debug());
        let mut fail = |message: String| {
            problems.push(Problem {
                at: at.clone(),
                message,
            })
        };
        match operation(service, name) {
            Ok(Some(op)) => match paginator(service, op, definition) {
                Ok(paginator) => paginators.push(paginator),
                Err(messages) => messages.into_iter().for_each(&mut fail),
            },
            Ok(None) => {}
            Err(message) => fail(message),
        }
    }
    if !problems.is_empty() {
        return Err(Error::resolve(
            &model::extended_name(file, extras),
            problems,
        ));
    }
    paginators.sort_by_key(|p| p.operation);
    service.paginators = paginators;
    Ok(())
}

fn paginator(
    service: &Service,
    op_index: usize,
    definition: &model::Paginator,
) -> Result<Paginator, Vec<String>> {
    let op = &service.operations[op_index];
    let mut problems = Vec::new();
    let input_member = |name: &str| {
        op.input
            .structure
            .members
            .iter()
            .position(|m| m.name == name)
    };
    let inputs = definition.input_token.items();
    let outputs = definition.output_token.items();
    if inputs.len() != outputs.len() {
        problems.push(format!(
            "{} input tokens but {} output tokens",
            inputs.len(),
            outputs.len()
        ));
    }
    let mut tokens = Vec::new();
    for (input, output) in inputs.iter().zip(&outputs) {
        let Some(member) = input_member(input) else {
            problems.push(format!(
                "input token `{input}` is not a member of the input of `{}`",
                op.name
            ));
            continue;
        };
        let target = op.input.structure.members[member].target;
        match jmespath::compile(service, op, output) {
            Err(e) => problems.push(format!("output token {e}")),
            Ok(compiled) => {
                let fits = match compiled.ty {
                    Ty {
                        many: false,
                        base: Base::Shape(id),
                    } => jmespath::same_type(service, id, target),
                    Ty {
                        many: false,
                        base: Base::Str,
                    } => matches!(service.shape(target).kind, ShapeKind::String),
                    _ => false,
                };
                if !fits {
                    problems.push(format!(
                        "output token `{output}` is not of the type of input token `{input}` (shape `{}`)",
                        service.shape(target).name
                    ));
                } else {
                    tokens.push((member, (*output).to_owned()));
                }
            }
        }
    }
    let limit = match &definition.limit_key {
        None => None,
        Some(key) => match input_member(key) {
            None => {
                problems.push(format!(
                    "limit key `{key}` is not a member of the input of `{}`",
                    op.name
                ));
                None
            }
            Some(member) => {
                let target = service.shape(op.input.structure.members[member].target);
                // A few REST services take the page size as a string
                // (API Gateway v2, Glacier, Greengrass): its decimal text.
                if matches!(
                    target.kind,
                    ShapeKind::Integer
                        | ShapeKind::Long
                        | ShapeKind::Short
                        | ShapeKind::Byte
                        | ShapeKind::String
                ) {
                    Some(member)
                } else {
                    problems.push(format!(
                        "limit key `{key}` is shape `{}`, not an integer (or a string)",
                        target.name
                    ));
                    None
                }
            }
        },
    };
    if let Some(expr) = &definition.more_results {
        match jmespath::compile(service, op, expr) {
            Err(e) => problems.push(format!("more_results {e}")),
            Ok(compiled) => {
                let ty = jmespath::scalar(service, op, compiled).map(|c| c.ty);
                if ty
                    != Ok(Ty {
                        base: Base::Bool,
                        many: false,
                    })
                {
                    problems.push(format!("more_results `{expr}` is not a boolean"));
                }
            }
        }
    }
    let result_keys: Vec<String> = definition
        .result_key
        .as_ref()
        .map(|keys| keys.items().into_iter().map(str::to_owned).collect())
        .unwrap_or_default();
    let mut items = None;
    for (i, key) in result_keys.iter().enumerate() {
        match jmespath::compile(service, op, key) {
            Err(e) => problems.push(format!("result key {e}")),
            Ok(compiled) => {
                if i == 0 {
                    items = match compiled.ty {
                        Ty {
                            many: false,
                            base: Base::Shape(id),
                        } => match service.shape(id).kind {
                            ShapeKind::List { member } => Some(member),
                            _ => None,
                        },
                        Ty {
                            many: true,
                            base: Base::Shape(id),
                        } => Some(id),
                        _ => None,
                    };
                }
            }
        }
    }
    for key in &definition.non_aggregate_keys {
        if let Err(e) = jmespath::compile(service, op, key) {
            problems.push(format!("non-aggregate key {e}"));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Paginator {
        operation: op_index,
        tokens,
        limit,
        more_results: definition.more_results.clone(),
        result_keys,
        items,
        non_aggregate_keys: definition.non_aggregate_keys.clone(),
    })
}

/// Fills `service.waiters` from the text of `waiters-2.json` (named `file`).
/// `extras` is the `*.sdk-extras.json` beside it, if any (path and text).
pub fn resolve_waiters(
    service: &mut Service,
    file: &str,
    text: &str,
    extras: Option<(&str, &str)>,
) -> Result<(), Error> {
    let definitions: model::Waiters = model::parse_extra(file, text, extras)?;
    let mut problems = Vec::new();
    let mut waiters = Vec::new();
    for (name, definition) in &definitions.waiters {
        let at = format!(
            "waiter `{}` (operation `{}`)",
            name.escape_debug(),
            definition.operation.escape_debug()
        );
        let mut fail = |message: String| {
            problems.push(Problem {
                at: at.clone(),
                message,
            })
        };
        match operation(service, &definition.operation) {
            Ok(Some(op)) => match waiter(service, op, name, definition) {
                Ok(waiter) => waiters.push(waiter),
                Err(messages) => messages.into_iter().for_each(&mut fail),
            },
            Ok(None) => {}
            Err(message) => fail(message),
        }
    }
    if !problems.is_empty() {
        return Err(Error::resolve(
            &model::extended_name(file, extras),
            problems,
        ));
    }
    service.waiters = waiters;
    Ok(())
}

fn waiter(
    service: &Service,
    op_index: usize,
    name: &str,
    definition: &model::Waiter,
) -> Result<Waiter, Vec<String>> {
    let op = &service.operations[op_index];
    let mut problems = Vec::new();
    let (rust_name, method) = match (
        naming::sanitize(name, Case::UpperCamel),
        naming::sanitize(name, Case::Snake),
    ) {
        (Ok(camel), Ok(snake)) => (derived::waiter(&camel), derived::waiter_method(&snake)),
        (Err(e), _) | (_, Err(e)) => return Err(vec![format!("the name: {e}")]),
    };
    if definition.max_attempts == 0 {
        problems.push("maxAttempts is 0".to_owned());
    }
    if definition.acceptors.is_empty() {
        problems.push("no acceptors".to_owned());
    }
    let mut acceptors = Vec::new();
    for (i, acceptor) in definition.acceptors.iter().enumerate() {
        let at = format!("acceptor {i} ({})", acceptor.matcher);
        match self::acceptor(service, op, acceptor) {
            Ok(acceptor) => acceptors.push(acceptor),
            Err(e) => problems.push(format!("{at}: {e}")),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let docs = match &definition.description {
        Some(text) => vec![text.clone()],
        None => vec![format!(
            "Waits for `{name}`: calls `{}` until an acceptor matches.",
            op.name
        )],
    };
    Ok(Waiter {
        name: name.to_owned(),
        rust_name,
        method,
        operation: op_index,
        docs,
        delay: definition.delay,
        max_attempts: definition.max_attempts,
        acceptors,
    })
}

fn acceptor(
    service: &Service,
    op: &crate::ir::Operation,
    acceptor: &model::Acceptor,
) -> Result<Acceptor, String> {
    let state = match acceptor.state.as_str() {
        "success" => AcceptorState::Success,
        "failure" => AcceptorState::Failure,
        "retry" => AcceptorState::Retry,
        other => return Err(format!("unknown state `{other}`")),
    };
    let expected = &acceptor.expected;
    let shown = serde_json::to_string(expected).unwrap_or_default();
    let path = |many: bool| -> Result<(String, Expected), String> {
        let expr = acceptor
            .argument
            .clone()
            .ok_or_else(|| "no argument".to_owned())?;
        let expected = match expected {
            serde_json::Value::String(s) => Expected::String(s.clone()),
            serde_json::Value::Bool(b) => Expected::Bool(*b),
            _ => {
                return Err(format!(
                    "expects {shown}: only strings and booleans are supported"
                ))
            }
        };
        let compiled = jmespath::compile(service, op, &expr)?;
        let compiled =
            jmespath::scalar(service, op, compiled).map_err(|e| format!("`{expr}`: {e}"))?;
        let base = match expected {
            Expected::String(_) => Base::Str,
            Expected::Bool(_) => Base::Bool,
        };
        if compiled.ty != (Ty { base, many }) {
            let wanted = match (many, &expected) {
                (false, Expected::String(_)) => "a string",
                (false, Expected::Bool(_)) => "a boolean",
                (true, Expected::String(_)) => "a projection of strings",
                (true, Expected::Bool(_)) => "a projection of booleans",
            };
            return Err(format!(
                "`{expr}` does not give {wanted}, as expected {shown} needs"
            ));
        }
        Ok((expr, expected))
    };
    let (matcher, description) = match acceptor.matcher.as_str() {
        "path" => {
            let (expr, expected) = path(false)?;
            let d = format!("path `{expr}` == {shown}");
            (Matcher::Path { expr, expected }, d)
        }
        "pathAll" => {
            let (expr, expected) = path(true)?;
            let d = format!("pathAll `{expr}` == {shown}");
            (Matcher::PathAll { expr, expected }, d)
        }
        "pathAny" => {
            let (expr, expected) = path(true)?;
            let d = format!("pathAny `{expr}` == {shown}");
            (Matcher::PathAny { expr, expected }, d)
        }
        "status" => {
            let status = expected
                .as_u64()
                .and_then(|s| u16::try_from(s).ok())
                .filter(|s| (100..600).contains(s))
                .ok_or_else(|| format!("expects {shown}, not an HTTP status"))?;
            (Matcher::Status(status), format!("status {status}"))
        }
        "error" => match expected {
            serde_json::Value::String(code) => {
                (Matcher::ErrorCode(code.clone()), format!("error `{code}`"))
            }
            serde_json::Value::Bool(b) => (
                Matcher::Failed(*b),
                if *b { "any error" } else { "no error" }.to_owned(),
            ),
            _ => return Err(format!("expects {shown}, not an error code or boolean")),
        },
        other => return Err(format!("unknown matcher `{other}`")),
    };
    Ok(Acceptor {
        matcher,
        state,
        description: format!("{} -> {}", description, acceptor.state),
    })
}
