//! The rule set's tree and its evaluator.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{functions, EndpointError, Params, ResolvedEndpoint, RuleSetError};

/// A parameter's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParameterType {
    /// `String`.
    String,
    /// `Boolean`.
    Boolean,
    /// `StringArray`.
    StringArray,
}

/// A parameter of a rule set.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Its name (`Region`).
    pub name: String,
    /// Its type.
    pub kind: ParameterType,
    /// The built-in value it takes, if any (`AWS::Region`, `AWS::UseFIPS`, `SDK::Endpoint`, ...).
    pub built_in: Option<String>,
    /// Whether a value is required (after the default).
    pub required: bool,
    /// Its default value.
    pub default: Option<Value>,
}

/// A rule set, read and checked.
#[derive(Debug, Clone)]
pub struct RuleSet {
    parameters: Vec<Parameter>,
    rules: Vec<Rule>,
}

#[derive(Debug, Clone)]
struct Rule {
    conditions: Vec<Condition>,
    kind: RuleKind,
}

#[derive(Debug, Clone)]
enum RuleKind {
    Endpoint {
        url: Expr,
        headers: Vec<(String, Vec<Expr>)>,
        properties: Vec<(String, Literal)>,
    },
    Error(Expr),
    Tree(Vec<Rule>),
}

#[derive(Debug, Clone)]
struct Condition {
    call: Call,
    assign: Option<String>,
}

#[derive(Debug, Clone)]
enum Expr {
    Value(Value),
    Template(Vec<Part>),
    Ref(String),
    Call(Box<Call>),
}

/// A property value: JSON whose strings are templates.
#[derive(Debug, Clone)]
enum Literal {
    Expr(Expr),
    Array(Vec<Literal>),
    Object(Vec<(String, Literal)>),
}

#[derive(Debug, Clone)]
enum Part {
    Text(String),
    Var(String, Vec<Step>),
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Function {
    IsSet,
    Not,
    BooleanEquals,
    StringEquals,
    GetAttr,
    Substring,
    UriEncode,
    ParseUrl,
    IsValidHostLabel,
    Partition,
    ParseArn,
    IsVirtualHostableS3Bucket,
}

impl Function {
    fn named(name: &str) -> Option<(Self, usize)> {
        Some(match name {
            "isSet" => (Self::IsSet, 1),
            "not" => (Self::Not, 1),
            "booleanEquals" => (Self::BooleanEquals, 2),
            "stringEquals" => (Self::StringEquals, 2),
            "getAttr" => (Self::GetAttr, 2),
            "substring" => (Self::Substring, 4),
            "uriEncode" => (Self::UriEncode, 1),
            "parseURL" => (Self::ParseUrl, 1),
            "isValidHostLabel" => (Self::IsValidHostLabel, 2),
            "aws.partition" => (Self::Partition, 1),
            "aws.parseArn" => (Self::ParseArn, 1),
            "aws.isVirtualHostableS3Bucket" => (Self::IsVirtualHostableS3Bucket, 2),
            _ => return None,
        })
    }
}

#[derive(Debug, Clone)]
struct Call {
    function: Function,
    args: Vec<Expr>,
    /// `getAttr`'s path, read when the rule set is.
    path: Vec<Step>,
}

/// Reads a rule set; `scope` is the names visible (parameters, then assigned).
struct Reader {
    scope: Vec<String>,
}

fn problem(at: &str, message: impl Into<String>) -> RuleSetError {
    RuleSetError {
        at: at.to_owned(),
        message: message.into(),
    }
}

fn parse_path(text: &str, at: &str) -> Result<Vec<Step>, RuleSetError> {
    let mut steps = Vec::new();
    for segment in text.split('.') {
        let (key, mut rest) = match segment.find('[') {
            Some(i) => (&segment[..i], &segment[i..]),
            None => (segment, ""),
        };
        if !key.is_empty() {
            steps.push(Step::Key(key.to_owned()));
        } else if rest.is_empty() {
            return Err(problem(at, format!("path `{text}` has an empty segment")));
        }
        while let Some(inner) = rest.strip_prefix('[') {
            let close = inner
                .find(']')
                .ok_or_else(|| problem(at, format!("path `{text}` has an unclosed `[`")))?;
            let index = inner[..close]
                .parse()
                .map_err(|_| problem(at, format!("path `{text}` has a bad index")))?;
            steps.push(Step::Index(index));
            rest = &inner[close + 1..];
        }
        if !rest.is_empty() {
            return Err(problem(at, format!("path `{text}` is malformed")));
        }
    }
    Ok(steps)
}

impl Reader {
    fn known(&self, name: &str, at: &str) -> Result<(), RuleSetError> {
        if self.scope.iter().any(|n| n == name) {
            Ok(())
        } else {
            Err(problem(
                at,
                format!("`{name}` is neither a parameter nor assigned before"),
            ))
        }
    }

    fn template(&self, text: &str, at: &str) -> Result<Expr, RuleSetError> {
        if !text.contains(['{', '}']) {
            return Ok(Expr::Value(Value::String(text.to_owned())));
        }
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' if chars.peek().is_some_and(|&(_, n)| n == '{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek().is_some_and(|&(_, n)| n == '}') => {
                    chars.next();
                    literal.push('}');
                }
                '{' => {
                    let end = text[i..].find('}').ok_or_else(|| {
                        problem(at, format!("template `{text}` has an unclosed `{{`"))
                    })?;
                    let inner = &text[i + 1..i + end];
                    while chars.peek().is_some_and(|&(j, _)| j <= i + end) {
                        chars.next();
                    }
                    if !literal.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut literal)));
                    }
                    let (name, path) = match inner.split_once('#') {
                        Some((name, path)) => (name, parse_path(path, at)?),
                        None => (inner, Vec::new()),
                    };
                    self.known(name, at)?;
                    parts.push(Part::Var(name.to_owned(), path));
                }
                '}' => return Err(problem(at, format!("template `{text}` has a lone `}}`"))),
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Text(literal));
        }
        Ok(Expr::Template(parts))
    }

    fn expr(&self, value: &Value, at: &str) -> Result<Expr, RuleSetError> {
        match value {
            Value::String(text) => self.template(text, at),
            Value::Bool(_) | Value::Number(_) => Ok(Expr::Value(value.clone())),
            Value::Object(object) if object.contains_key("ref") => {
                let name = object["ref"]
                    .as_str()
                    .ok_or_else(|| problem(at, "`ref` is not a string"))?;
                self.known(name, at)?;
                Ok(Expr::Ref(name.to_owned()))
            }
            Value::Object(object) if object.contains_key("fn") => {
                Ok(Expr::Call(Box::new(self.call(object, at)?)))
            }
            Value::Array(items) => {
                // A literal array (a StringArray parameter's value).
                let mut values = Vec::new();
                for item in items {
                    match item {
                        Value::String(_) | Value::Bool(_) => values.push(item.clone()),
                        _ => return Err(problem(at, "an array argument holds other than strings")),
                    }
                }
                Ok(Expr::Value(Value::Array(values)))
            }
            _ => Err(problem(at, format!("`{value}` is not an argument"))),
        }
    }

    fn call(&self, object: &Map<String, Value>, at: &str) -> Result<Call, RuleSetError> {
        let name = object
            .get("fn")
            .and_then(Value::as_str)
            .ok_or_else(|| problem(at, "`fn` is missing or not a string"))?;
        let (function, arity) = Function::named(name)
            .ok_or_else(|| problem(&format!("{at}.fn"), format!("unknown function `{name}`")))?;
        let argv = object
            .get("argv")
            .and_then(Value::as_array)
            .ok_or_else(|| problem(at, format!("`{name}` has no `argv` array")))?;
        if argv.len() != arity {
            return Err(problem(
                &format!("{at}.argv"),
                format!("`{name}` takes {arity} arguments, not {}", argv.len()),
            ));
        }
        let args = argv
            .iter()
            .enumerate()
            .map(|(i, a)| self.expr(a, &format!("{at}.argv[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        let mut path = Vec::new();
        if function == Function::GetAttr {
            let text = argv[1].as_str().ok_or_else(|| {
                problem(&format!("{at}.argv[1]"), "`getAttr`'s path is not a string")
            })?;
            path = parse_path(text, &format!("{at}.argv[1]"))?;
        }
        Ok(Call {
            function,
            args,
            path,
        })
    }

    fn literal(&self, value: &Value, at: &str) -> Result<Literal, RuleSetError> {
        Ok(match value {
            Value::Array(items) => Literal::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| self.literal(v, &format!("{at}[{i}]")))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(o) if !o.contains_key("ref") && !o.contains_key("fn") => Literal::Object(
                o.iter()
                    .map(|(k, v)| Ok((k.clone(), self.literal(v, &format!("{at}.{k}"))?)))
                    .collect::<Result<_, RuleSetError>>()?,
            ),
            other => Literal::Expr(self.expr(other, at)?),
        })
    }

    fn rules(&mut self, value: Option<&Value>, at: &str) -> Result<Vec<Rule>, RuleSetError> {
        let items = value
            .and_then(Value::as_array)
            .ok_or_else(|| problem(at, "`rules` is missing or not an array"))?;
        let mut rules = Vec::new();
        for (i, item) in items.iter().enumerate() {
            rules.push(self.rule(item, &format!("{at}[{i}]"))?);
        }
        Ok(rules)
    }

    fn rule(&mut self, value: &Value, at: &str) -> Result<Rule, RuleSetError> {
        let object = value
            .as_object()
            .ok_or_else(|| problem(at, "a rule is not an object"))?;
        let depth = self.scope.len();
        let mut conditions = Vec::new();
        let empty = Vec::new();
        let listed = match object.get("conditions") {
            None => &empty,
            Some(Value::Array(listed)) => listed,
            Some(_) => return Err(problem(at, "`conditions` is not an array")),
        };
        for (i, condition) in listed.iter().enumerate() {
            let cat = format!("{at}.conditions[{i}]");
            let cobject = condition
                .as_object()
                .ok_or_else(|| problem(&cat, "a condition is not an object"))?;
            let call = self.call(cobject, &cat)?;
            let assign = match cobject.get("assign") {
                None => None,
                Some(Value::String(name)) => {
                    self.scope.push(name.clone());
                    Some(name.clone())
                }
                Some(_) => return Err(problem(&cat, "`assign` is not a string")),
            };
            conditions.push(Condition { call, assign });
        }
        let kind = match object.get("type").and_then(Value::as_str) {
            Some("endpoint") => {
                let eat = format!("{at}.endpoint");
                let endpoint = object
                    .get("endpoint")
                    .and_then(Value::as_object)
                    .ok_or_else(|| problem(&eat, "an endpoint rule has no `endpoint` object"))?;
                let url = self.expr(
                    endpoint
                        .get("url")
                        .ok_or_else(|| problem(&eat, "the endpoint has no `url`"))?,
                    &format!("{eat}.url"),
                )?;
                let mut headers = Vec::new();
                if let Some(listed) = endpoint.get("headers") {
                    let listed = listed
                        .as_object()
                        .ok_or_else(|| problem(&eat, "`headers` is not an object"))?;
                    for (name, values) in listed {
                        let hat = format!("{eat}.headers.{name}");
                        let values = values
                            .as_array()
                            .ok_or_else(|| problem(&hat, "a header's values are not an array"))?;
                        let values = values
                            .iter()
                            .map(|v| self.expr(v, &hat))
                            .collect::<Result<_, _>>()?;
                        headers.push((name.clone(), values));
                    }
                }
                let mut properties = Vec::new();
                if let Some(listed) = endpoint.get("properties") {
                    let listed = listed
                        .as_object()
                        .ok_or_else(|| problem(&eat, "`properties` is not an object"))?;
                    for (name, value) in listed {
                        let literal = self.literal(value, &format!("{eat}.properties.{name}"))?;
                        properties.push((name.clone(), literal));
                    }
                }
                RuleKind::Endpoint {
                    url,
                    headers,
                    properties,
                }
            }
            Some("error") => RuleKind::Error(
                self.expr(
                    object
                        .get("error")
                        .ok_or_else(|| problem(at, "an error rule has no `error`"))?,
                    &format!("{at}.error"),
                )?,
            ),
            Some("tree") => {
                RuleKind::Tree(self.rules(object.get("rules"), &format!("{at}.rules"))?)
            }
            other => {
                return Err(problem(
                    &format!("{at}.type"),
                    format!("unknown rule type {other:?} (endpoint, error or tree)"),
                ))
            }
        };
        self.scope.truncate(depth);
        Ok(Rule { conditions, kind })
    }
}

impl RuleSet {
    /// Reads and checks a rule set (`endpoint-rule-set-1.json`'s text):
    /// every function known with its number of arguments, every reference
    /// to a parameter or to a name assigned before it, every template and
    /// `getAttr` path well formed.
    pub fn parse(text: &str) -> Result<Self, RuleSetError> {
        let document: Value =
            serde_json::from_str(text).map_err(|e| problem("", format!("not JSON: {e}")))?;
        Self::from_value(&document)
    }

    /// [`RuleSet::parse`] of an already parsed document.
    pub fn from_value(document: &Value) -> Result<Self, RuleSetError> {
        let listed = document
            .get("parameters")
            .and_then(Value::as_object)
            .ok_or_else(|| problem("parameters", "missing or not an object"))?;
        let mut parameters = Vec::new();
        for (name, definition) in listed {
            let at = format!("parameters.{name}");
            let kind = match definition.get("type").and_then(Value::as_str) {
                Some(t) if t.eq_ignore_ascii_case("string") => ParameterType::String,
                Some(t) if t.eq_ignore_ascii_case("boolean") => ParameterType::Boolean,
                Some(t) if t.eq_ignore_ascii_case("stringarray") => ParameterType::StringArray,
                other => {
                    return Err(problem(
                        &format!("{at}.type"),
                        format!("unknown parameter type {other:?}"),
                    ))
                }
            };
            parameters.push(Parameter {
                name: name.clone(),
                kind,
                built_in: definition
                    .get("builtIn")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                required: definition
                    .get("required")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                default: definition.get("default").cloned(),
            });
        }
        let mut reader = Reader {
            scope: parameters.iter().map(|p| p.name.clone()).collect(),
        };
        let rules = reader.rules(document.get("rules"), "rules")?;
        Ok(Self { parameters, rules })
    }

    /// The rule set's parameters, in name order.
    pub fn parameters(&self) -> &[Parameter] {
        &self.parameters
    }

    /// The parameter taking built-in `built_in` (`AWS::Region`), if any.
    pub fn built_in(&self, built_in: &str) -> Option<&Parameter> {
        self.parameters
            .iter()
            .find(|p| p.built_in.as_deref() == Some(built_in))
    }

    /// Resolves the endpoint for `params` (unset parameters take their defaults).
    pub fn resolve(&self, params: &Params) -> Result<ResolvedEndpoint, EndpointError> {
        let mut scope: Vec<(&str, Value)> = Vec::with_capacity(self.parameters.len() + 8);
        for parameter in &self.parameters {
            match params.get(&parameter.name).or(parameter.default.as_ref()) {
                Some(value) => {
                    let fits = match parameter.kind {
                        ParameterType::String => value.is_string(),
                        ParameterType::Boolean => value.is_boolean(),
                        ParameterType::StringArray => value
                            .as_array()
                            .is_some_and(|a| a.iter().all(Value::is_string)),
                    };
                    if !fits {
                        return Err(EndpointError::new(format!(
                            "endpoint parameter `{}` is `{value}`, not a {:?}",
                            parameter.name, parameter.kind
                        )));
                    }
                    scope.push((&parameter.name, value.clone()));
                }
                None if parameter.required => {
                    return Err(EndpointError::new(format!(
                        "endpoint parameter `{}` is required and not set",
                        parameter.name
                    )))
                }
                None => {}
            }
        }
        match eval_rules(&self.rules, &mut scope)? {
            Some(endpoint) => Ok(endpoint),
            None => Err(EndpointError::new(
                "no endpoint rule matched the parameters",
            )),
        }
    }
}

type Scope<'a> = Vec<(&'a str, Value)>;

fn lookup<'v>(scope: &'v Scope<'_>, name: &str) -> Option<&'v Value> {
    scope.iter().rev().find(|(n, _)| *n == name).map(|(_, v)| v)
}

fn eval_rules<'a>(
    rules: &'a [Rule],
    scope: &mut Scope<'a>,
) -> Result<Option<ResolvedEndpoint>, EndpointError> {
    for rule in rules {
        let depth = scope.len();
        let outcome = eval_rule(rule, scope);
        scope.truncate(depth);
        if let Some(result) = outcome? {
            return Ok(Some(result));
        }
    }
    Ok(None)
}

fn eval_rule<'a>(
    rule: &'a Rule,
    scope: &mut Scope<'a>,
) -> Result<Option<ResolvedEndpoint>, EndpointError> {
    for condition in &rule.conditions {
        let value = eval_call(&condition.call, scope)?;
        let holds = match &value {
            None | Some(Value::Bool(false)) => false,
            Some(_) => true,
        };
        if !holds {
            return Ok(None);
        }
        if let (Some(name), Some(value)) = (&condition.assign, value) {
            scope.push((name, value));
        }
    }
    match &rule.kind {
        RuleKind::Tree(rules) => {
            // A tree whose conditions hold is final: if none of its rules
            // match, resolution fails (the rule sets end trees with an error).
            match eval_rules(rules, scope)? {
                Some(endpoint) => Ok(Some(endpoint)),
                None => Err(EndpointError::new(
                    "no rule of a matching tree rule matched",
                )),
            }
        }
        RuleKind::Error(message) => Err(EndpointError::new(string(message, scope)?)),
        RuleKind::Endpoint {
            url,
            headers,
            properties,
        } => {
            let url = string(url, scope)?;
            let mut resolved_headers = BTreeMap::new();
            for (name, values) in headers {
                let values = values
                    .iter()
                    .map(|v| string(v, scope))
                    .collect::<Result<Vec<_>, _>>()?;
                resolved_headers.insert(name.clone(), values);
            }
            let mut resolved_properties = Map::new();
            for (name, literal) in properties {
                resolved_properties.insert(name.clone(), eval_literal(literal, scope)?);
            }
            Ok(Some(ResolvedEndpoint {
                url,
                headers: resolved_headers,
                properties: resolved_properties,
            }))
        }
    }
}

fn eval_literal(literal: &Literal, scope: &Scope<'_>) -> Result<Value, EndpointError> {
    Ok(match literal {
        Literal::Expr(expr) => eval(expr, scope)?
            .ok_or_else(|| EndpointError::new("an endpoint property refers to an unset value"))?,
        Literal::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| eval_literal(i, scope))
                .collect::<Result<_, _>>()?,
        ),
        Literal::Object(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| Ok((k.clone(), eval_literal(v, scope)?)))
                .collect::<Result<_, EndpointError>>()?,
        ),
    })
}

fn string(expr: &Expr, scope: &Scope<'_>) -> Result<String, EndpointError> {
    match eval(expr, scope)? {
        Some(Value::String(s)) => Ok(s),
        other => Err(EndpointError::new(format!(
            "a rule's URL, header or message is not a string: {other:?}"
        ))),
    }
}

fn walk<'v>(mut value: &'v Value, path: &[Step]) -> Option<&'v Value> {
    for step in path {
        value = match step {
            Step::Key(key) => value.as_object()?.get(key)?,
            Step::Index(index) => value.as_array()?.get(*index)?,
        };
    }
    Some(value)
}

fn eval(expr: &Expr, scope: &Scope<'_>) -> Result<Option<Value>, EndpointError> {
    Ok(match expr {
        Expr::Value(value) => Some(value.clone()),
        Expr::Ref(name) => lookup(scope, name).cloned(),
        Expr::Call(call) => eval_call(call, scope)?,
        Expr::Template(parts) => {
            let mut out = String::new();
            for part in parts {
                match part {
                    Part::Text(text) => out.push_str(text),
                    Part::Var(name, path) => {
                        let value = lookup(scope, name).and_then(|v| walk(v, path));
                        match value {
                            Some(Value::String(s)) => out.push_str(s),
                            Some(Value::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
                            _ => {
                                return Err(EndpointError::new(format!(
                                    "a template refers to `{name}`, which is unset or not a string"
                                )))
                            }
                        }
                    }
                }
            }
            Some(Value::String(out))
        }
    })
}

fn eval_call(call: &Call, scope: &Scope<'_>) -> Result<Option<Value>, EndpointError> {
    let arg = |i: usize| eval(&call.args[i], scope);
    let text = |i: usize| -> Result<Option<String>, EndpointError> {
        Ok(match arg(i)? {
            Some(Value::String(s)) => Some(s),
            _ => None,
        })
    };
    let flag =
        |i: usize| -> Result<Option<bool>, EndpointError> { Ok(arg(i)?.and_then(|v| v.as_bool())) };
    Ok(match call.function {
        Function::IsSet => Some(Value::Bool(arg(0)?.is_some())),
        Function::Not => Some(Value::Bool(!matches!(arg(0)?, Some(Value::Bool(true))))),
        Function::BooleanEquals => {
            let (a, b) = (flag(0)?, flag(1)?);
            Some(Value::Bool(a.is_some() && a == b))
        }
        Function::StringEquals => {
            let (a, b) = (text(0)?, text(1)?);
            Some(Value::Bool(a.is_some() && a == b))
        }
        Function::GetAttr => arg(0)?.and_then(|v| walk(&v, &call.path).cloned()),
        Function::Substring => {
            let index = |i: usize| -> Result<Option<usize>, EndpointError> {
                Ok(arg(i)?
                    .and_then(|v| v.as_u64())
                    .and_then(|n| usize::try_from(n).ok()))
            };
            match (text(0)?, index(1)?, index(2)?, flag(3)?) {
                (Some(input), Some(start), Some(stop), Some(reverse)) => {
                    functions::substring(&input, start, stop, reverse).map(Value::String)
                }
                _ => None,
            }
        }
        Function::UriEncode => text(0)?.map(|s| Value::String(functions::uri_encode(&s))),
        Function::ParseUrl => text(0)?.and_then(|s| functions::parse_url(&s)),
        Function::IsValidHostLabel => match (text(0)?, flag(1)?) {
            (Some(value), Some(sub)) => {
                Some(Value::Bool(functions::is_valid_host_label(&value, sub)))
            }
            _ => Some(Value::Bool(false)),
        },
        Function::Partition => text(0)?.map(|s| functions::partition(&s)),
        Function::ParseArn => text(0)?.and_then(|s| functions::parse_arn(&s)),
        Function::IsVirtualHostableS3Bucket => match (text(0)?, flag(1)?) {
            (Some(value), Some(sub)) => Some(Value::Bool(
                functions::is_virtual_hostable_s3_bucket(&value, sub),
            )),
            _ => Some(Value::Bool(false)),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_rule_sets_name_where() {
        let err = RuleSet::parse(
            r#"{"parameters":{"Region":{"type":"String"}},"rules":[{"type":"endpoint","conditions":[{"fn":"nope","argv":[]}],"endpoint":{"url":"x"}}]}"#,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "at `rules[0].conditions[0].fn`: unknown function `nope`"
        );
        let err = RuleSet::parse(
            r#"{"parameters":{},"rules":[{"type":"endpoint","conditions":[],"endpoint":{"url":"https://{Missing}"}}]}"#,
        )
        .unwrap_err();
        assert_eq!(err.at, "rules[0].endpoint.url");
    }

    #[test]
    fn resolves_templates_assignments_and_errors() {
        let rules = RuleSet::parse(
            r#"{"parameters":{"Region":{"type":"String"},"UseFIPS":{"type":"Boolean","default":false,"required":true}},
            "rules":[
              {"type":"error","conditions":[{"fn":"not","argv":[{"fn":"isSet","argv":[{"ref":"Region"}]}]}],"error":"Missing Region"},
              {"type":"tree","conditions":[{"fn":"aws.partition","argv":[{"ref":"Region"}],"assign":"P"}],"rules":[
                {"type":"endpoint","conditions":[{"fn":"booleanEquals","argv":[{"ref":"UseFIPS"},true]}],
                 "endpoint":{"url":"https://svc-fips.{Region}.{P#dnsSuffix}","headers":{"x":["{{a}}"]},"properties":{"authSchemes":[{"name":"sigv4","signingRegion":"{Region}"}]}}},
                {"type":"endpoint","conditions":[],"endpoint":{"url":"https://svc.{Region}.{P#dnsSuffix}"}}
              ]}
            ]}"#,
        )
        .unwrap();
        let mut params = Params::new();
        assert_eq!(
            rules.resolve(&params).unwrap_err().message(),
            "Missing Region"
        );
        params.set("Region", "cn-north-1");
        assert_eq!(
            rules.resolve(&params).unwrap().url,
            "https://svc.cn-north-1.amazonaws.com.cn"
        );
        params.set("UseFIPS", true);
        let endpoint = rules.resolve(&params).unwrap();
        assert_eq!(endpoint.url, "https://svc-fips.cn-north-1.amazonaws.com.cn");
        assert_eq!(endpoint.headers["x"], ["{a}"]);
        let auth = endpoint.auth_override().unwrap();
        assert_eq!(auth.signing_region.as_deref(), Some("cn-north-1"));
    }
}
