//! `cargo xtask endpoint-tests MODELS_DIR TESTS_DIR`: every service's
//! endpoint rule set, converted as the generator converts it for a crate
//! (`codegen::endpoints::convert`), run by the runtime's evaluator (the code
//! generated crates run) against the service's `endpoint-tests-1.json`.
//!
//! A case passes when its `params` resolve to the expected URL, headers and
//! properties (or error message), and, if it has `operationInputs`, each of
//! them, bound to parameters as an operation binds its input (built-ins,
//! `staticContextParams`, `contextParam` members, `operationContextParams`),
//! resolves to the same.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use sdk_runtime::endpoint::{Params, RuleSet};
use serde_json::{Map, Value};

/// Totals of a run.
#[derive(Debug, Default)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

/// A file of a model folder, plain or gzipped (`name` or `name.gz`).
fn read_model_file(dir: &Path, name: &str) -> Result<Option<String>, String> {
    let plain = dir.join(name);
    if plain.is_file() {
        return fs::read_to_string(&plain)
            .map(Some)
            .map_err(|e| format!("{}: {e}", plain.display()));
    }
    let gz = dir.join(format!("{name}.gz"));
    if gz.is_file() {
        let bytes = fs::read(&gz).map_err(|e| format!("{}: {e}", gz.display()))?;
        let mut text = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut text)
            .map_err(|e| format!("{}: {e}", gz.display()))?;
        return Ok(Some(text));
    }
    Ok(None)
}

/// The newest API version folder of `service` (versions are dates).
fn latest_version(models: &Path, service: &str) -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = fs::read_dir(models.join(service))
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    versions.sort();
    versions.pop()
}

/// How one operation binds its input to endpoint parameters.
#[derive(Default)]
struct Binding {
    /// `staticContextParams`: parameter, value.
    statics: Vec<(String, Value)>,
    /// `contextParam` members of the input: parameter, member.
    members: Vec<(String, String)>,
    /// `operationContextParams`: parameter, path.
    paths: Vec<(String, String)>,
}

fn binding(model: &Value, operation: &str) -> Option<Binding> {
    let op = model.get("operations")?.get(operation)?;
    let mut binding = Binding::default();
    for (name, v) in op
        .get("staticContextParams")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        binding
            .statics
            .push((name.clone(), v.get("value")?.clone()));
    }
    for (name, v) in op
        .get("operationContextParams")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        binding
            .paths
            .push((name.clone(), v.get("path")?.as_str()?.to_owned()));
    }
    if let Some(input) = op
        .get("input")
        .and_then(|i| i.get("shape"))
        .and_then(Value::as_str)
    {
        let members = model["shapes"][input]["members"].as_object();
        for (member, m) in members.into_iter().flatten() {
            if let Some(name) = m
                .get("contextParam")
                .and_then(|c| c.get("name"))
                .and_then(Value::as_str)
            {
                binding.members.push((name.to_owned(), member.clone()));
            }
        }
    }
    Some(binding)
}

/// The path forms `operationContextParams` use (a JMESPath subset):
/// `a.b`, `a[*].b`, `keys(a)`, a multiselect list `[x, y]` and the flatten `[]`.
fn select(value: &Value, path: &str) -> Result<Option<Value>, String> {
    let path = path.trim();
    if let Some(inner) = path.strip_prefix("keys(").and_then(|p| p.strip_suffix(')')) {
        return Ok(select(value, inner)?.and_then(|v| {
            v.as_object()
                .map(|o| Value::Array(o.keys().map(|k| Value::String(k.clone())).collect()))
        }));
    }
    if let Some(inner) = path.strip_suffix("[]") {
        return Ok(select(value, inner)?.map(|v| match v {
            Value::Array(items) => Value::Array(
                items
                    .into_iter()
                    .flat_map(|i| match i {
                        Value::Array(inner) => inner.into_iter().filter(|v| !v.is_null()).collect(),
                        Value::Null => Vec::new(),
                        other => vec![other],
                    })
                    .collect(),
            ),
            other => other,
        }));
    }
    if let Some((head, rest)) = path.split_once("[*].") {
        let Some(Value::Array(items)) = select(value, head)? else {
            return Ok(None);
        };
        let mut out = Vec::new();
        for item in &items {
            if let Some(v) = select(item, rest)? {
                if !v.is_null() {
                    out.push(v);
                }
            }
        }
        return Ok(Some(Value::Array(out)));
    }
    if let Some(list) = path.strip_prefix('[').and_then(|p| p.strip_suffix(']')) {
        let mut out = Vec::new();
        for part in list.split(',') {
            out.push(select(value, part)?.unwrap_or(Value::Null));
        }
        return Ok(Some(Value::Array(out)));
    }
    if path.contains(['[', ']', '(', ')', '*', '|', '?']) {
        return Err(format!(
            "operationContextParams path `{path}` is beyond the supported forms"
        ));
    }
    let mut current = value;
    for key in path.split('.') {
        match current.get(key) {
            Some(next) => current = next,
            None => return Ok(None),
        }
    }
    Ok(Some(current.clone()))
}

fn params_from(object: &Map<String, Value>) -> Params {
    let mut params = Params::new();
    for (name, value) in object {
        params.set(name.clone(), value.clone());
    }
    params
}

/// What the case expects, compared with what `params` resolve to.
fn check(rules: &RuleSet, params: &Params, expect: &Value) -> Result<(), String> {
    let outcome = rules.resolve(params);
    if let Some(message) = expect.get("error").and_then(Value::as_str) {
        return match outcome {
            Err(err) if err.message() == message => Ok(()),
            Err(err) => Err(format!("expected error `{message}`, got error `{err}`")),
            Ok(endpoint) => Err(format!(
                "expected error `{message}`, got endpoint {}",
                endpoint.url
            )),
        };
    }
    let Some(want) = expect.get("endpoint") else {
        return Err("the case expects neither an endpoint nor an error".to_owned());
    };
    let endpoint = outcome.map_err(|e| format!("expected endpoint, got error `{e}`"))?;
    let url = want.get("url").and_then(Value::as_str).unwrap_or_default();
    if endpoint.url != url {
        return Err(format!("expected URL {url}, got {}", endpoint.url));
    }
    let empty = Value::Object(Map::new());
    let want_headers = want.get("headers").unwrap_or(&empty);
    let got_headers = serde_json::to_value(&endpoint.headers).map_err(|e| e.to_string())?;
    if *want_headers != got_headers {
        return Err(format!(
            "expected headers {want_headers}, got {got_headers}"
        ));
    }
    let want_properties = want.get("properties").unwrap_or(&empty);
    let got_properties = Value::Object(endpoint.properties.clone());
    if *want_properties != got_properties {
        return Err(format!(
            "expected properties {want_properties}, got {got_properties}"
        ));
    }
    Ok(())
}

/// Binds one `operationInputs` entry as the operation's generated binding does.
fn bound_params(rules: &RuleSet, model: &Value, input: &Value) -> Result<Params, String> {
    let mut params = Params::new();
    for (built_in, value) in input
        .get("builtInParams")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        match rules.built_in(built_in) {
            Some(parameter) => {
                params.set(parameter.name.clone(), value.clone());
            }
            None => {
                return Err(format!(
                    "built-in `{built_in}` is no parameter of the rule set"
                ))
            }
        }
    }
    let operation = input
        .get("operationName")
        .and_then(Value::as_str)
        .ok_or("an operation input without `operationName`")?;
    let binding = binding(model, operation)
        .ok_or_else(|| format!("no operation `{operation}` in the model"))?;
    for (name, value) in &binding.statics {
        params.set(name.clone(), value.clone());
    }
    let empty = Value::Object(Map::new());
    let input_params = input.get("operationParams").unwrap_or(&empty);
    for (name, member) in &binding.members {
        if let Some(value) = input_params.get(member) {
            params.set(name.clone(), value.clone());
        }
    }
    for (name, path) in &binding.paths {
        if let Some(value) = select(input_params, path)? {
            params.set(name.clone(), value);
        }
    }
    Ok(params)
}

/// Runs every case of every service of `tests` (a folder of
/// `<service>/endpoint-tests-1.json`) with the rule sets of `models`.
pub fn run(models: &Path, tests: &Path) -> Result<Summary, String> {
    let mut services: Vec<String> = fs::read_dir(tests)
        .map_err(|e| format!("{}: {e}", tests.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("endpoint-tests-1.json").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    services.sort();
    if services.is_empty() {
        return Err(format!(
            "{}: no <service>/endpoint-tests-1.json",
            tests.display()
        ));
    }
    let mut summary = Summary::default();
    for service in &services {
        let file = tests.join(service).join("endpoint-tests-1.json");
        let text = fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let suite: Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        let cases = suite["testCases"].as_array().cloned().unwrap_or_default();
        let setup = (|| -> Result<(RuleSet, Value), String> {
            let dir = latest_version(models, service)
                .ok_or_else(|| format!("{service}: no model folder in {}", models.display()))?;
            let name = format!("{}/endpoint-rule-set-1.json", dir.display());
            let text = read_model_file(&dir, "endpoint-rule-set-1.json")?
                .ok_or_else(|| format!("{name}: missing"))?;
            let compact = codegen::endpoints::convert(&name, &text).map_err(|e| e.to_string())?;
            let rules =
                RuleSet::parse(&compact).map_err(|e| format!("{name}: converted rule set: {e}"))?;
            let model = match read_model_file(&dir, "service-2.json")? {
                Some(text) => serde_json::from_str(&text)
                    .map_err(|e| format!("{service}: service-2.json: {e}"))?,
                None => Value::Null,
            };
            Ok((rules, model))
        })();
        let (rules, model) = match setup {
            Ok(found) => found,
            Err(reason) => {
                println!("FAIL {service}: all {} cases: {reason}", cases.len());
                summary.failed += cases.len();
                continue;
            }
        };
        for (index, case) in cases.iter().enumerate() {
            let doc = case["documentation"].as_str().unwrap_or("");
            let empty = Map::new();
            let params = params_from(
                case.get("params")
                    .and_then(Value::as_object)
                    .unwrap_or(&empty),
            );
            let mut outcome = check(&rules, &params, &case["expect"]);
            for (i, input) in case
                .get("operationInputs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                if outcome.is_err() {
                    break;
                }
                outcome = bound_params(&rules, &model, input)
                    .and_then(|bound| check(&rules, &bound, &case["expect"]))
                    .map_err(|e| format!("operationInputs[{i}]: {e}"));
            }
            match outcome {
                Ok(()) => summary.passed += 1,
                Err(reason) => {
                    summary.failed += 1;
                    println!("FAIL {service} case {index} ({doc}): {reason}");
                }
            }
        }
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_paths() {
        let input = serde_json::json!({
            "RequestItems": {"a": 1, "b": 2},
            "T": {"N": "x"},
            "Items": [{"Get": {"N": "1"}}, {"Put": {"N": "2"}}]
        });
        assert_eq!(
            select(&input, "keys(RequestItems)").unwrap(),
            Some(serde_json::json!(["a", "b"]))
        );
        assert_eq!(select(&input, "T.N").unwrap(), Some(serde_json::json!("x")));
        assert_eq!(
            select(&input, "Items[*].Get.N").unwrap(),
            Some(serde_json::json!(["1"]))
        );
        assert_eq!(
            select(&input, "Items[*].[Get.N, Put.N][]").unwrap(),
            Some(serde_json::json!(["1", "2"]))
        );
        assert!(select(&input, "a | b").is_err());
    }
}
