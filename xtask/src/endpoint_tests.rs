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
//!
//! The operations' bindings are the generator's: the model is resolved and
//! checked against the rule set by `codegen::endpoints::bindings`, exactly as
//! for a crate (so every path compiles to a typed accessor and every value has
//! its parameter's type), and a path's value is JMESPath's (the `jmespath`
//! crate, whose parser the generator compiles from), set as a generated
//! binding sets it (`codegen::endpoints::bound_value`). A model of a protocol
//! the generator does not support yet has its bindings read from the model
//! here, and the run says which.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use codegen::ir::{ContextParam, ContextSource};
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

/// The endpoint parameters each operation binds, by operation name.
type Bindings = std::collections::BTreeMap<String, Vec<ContextParam>>;

/// The bindings of a model whose protocol the generator does not support
/// (so it cannot resolve it): read from the model's JSON, in the order the
/// generator sets them (paths, members, statics).
fn model_bindings(model: &Value) -> Bindings {
    let mut bindings = Bindings::new();
    let operations = model.get("operations").and_then(Value::as_object);
    for (operation, op) in operations.into_iter().flatten() {
        let entries = |key: &str| op.get(key).and_then(Value::as_object).into_iter().flatten();
        let mut params: Vec<ContextParam> = entries("operationContextParams")
            .filter_map(|(name, v)| {
                Some(ContextParam {
                    name: name.clone(),
                    source: ContextSource::Path(v.get("path")?.as_str()?.to_owned()),
                })
            })
            .collect();
        let input = op
            .get("input")
            .and_then(|i| i.get("shape"))
            .and_then(Value::as_str);
        if let Some(input) = input {
            let members = model["shapes"][input]["members"].as_object();
            for (member, m) in members.into_iter().flatten() {
                if let Some(name) = m
                    .get("contextParam")
                    .and_then(|c| c.get("name"))
                    .and_then(Value::as_str)
                {
                    params.push(ContextParam {
                        name: name.to_owned(),
                        source: ContextSource::Member(member.clone()),
                    });
                }
            }
        }
        params.extend(entries("staticContextParams").filter_map(|(name, v)| {
            Some(ContextParam {
                name: name.clone(),
                source: ContextSource::Static(v.get("value")?.clone()),
            })
        }));
        bindings.insert(operation.clone(), params);
    }
    bindings
}

/// The bindings of the model `text` (`model`, parsed), by the generator if
/// it supports the model's protocol; `Ok(None)` when it does not.
fn generator_bindings(
    name: &str,
    text: &str,
    model: &Value,
    compact: &str,
) -> Result<Option<Bindings>, String> {
    let meta = &model["metadata"];
    let protocols: Vec<String> = meta["protocols"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p.as_str().map(str::to_owned))
        .collect();
    let protocol = meta["protocol"].as_str().unwrap_or_default();
    if codegen::resolve::choose_protocol(protocol, &protocols).is_err() {
        return Ok(None);
    }
    codegen::endpoints::bindings(name, text, compact)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// The value of the `operationContextParams` path `path` over `input`, as
/// JMESPath gives it.
fn select(input: &Value, path: &str) -> Result<Value, String> {
    let expression = jmespath::compile(path).map_err(|e| format!("path `{path}`: {e}"))?;
    let found = expression
        .search(input)
        .map_err(|e| format!("path `{path}`: {e}"))?;
    serde_json::to_value(&*found).map_err(|e| format!("path `{path}`: {e}"))
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
fn bound_params(rules: &RuleSet, bindings: &Bindings, input: &Value) -> Result<Params, String> {
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
    let binding = bindings
        .get(operation)
        .ok_or_else(|| format!("no operation `{operation}` in the model"))?;
    let empty = Value::Object(Map::new());
    let input_params = input.get("operationParams").unwrap_or(&empty);
    for param in binding {
        let value = match &param.source {
            ContextSource::Static(value) => Some(value.clone()),
            ContextSource::Member(member) => input_params
                .get(member)
                .cloned()
                .and_then(codegen::endpoints::bound_value),
            ContextSource::Path(path) => {
                codegen::endpoints::bound_value(select(input_params, path)?)
            }
        };
        if let Some(value) = value {
            params.set(param.name.clone(), value);
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
        let bind_inputs = cases.iter().any(|c| c.get("operationInputs").is_some());
        let setup = (|| -> Result<(RuleSet, Bindings), String> {
            let dir = latest_version(models, service)
                .ok_or_else(|| format!("{service}: no model folder in {}", models.display()))?;
            let name = format!("{}/endpoint-rule-set-1.json", dir.display());
            let text = read_model_file(&dir, "endpoint-rule-set-1.json")?
                .ok_or_else(|| format!("{name}: missing"))?;
            let compact = codegen::endpoints::convert(&name, &text).map_err(|e| e.to_string())?;
            let rules =
                RuleSet::parse(&compact).map_err(|e| format!("{name}: converted rule set: {e}"))?;
            if !bind_inputs {
                return Ok((rules, Bindings::new()));
            }
            let model_name = format!("{}/service-2.json", dir.display());
            let model_text = read_model_file(&dir, "service-2.json")?
                .ok_or_else(|| format!("{model_name}: missing"))?;
            let model: Value =
                serde_json::from_str(&model_text).map_err(|e| format!("{model_name}: {e}"))?;
            let bindings = match generator_bindings(&model_name, &model_text, &model, &compact)? {
                Some(bindings) => bindings,
                None => {
                    println!(
                        "NOTE {service}: operation bindings read from the model (the generator does not support its protocol yet)"
                    );
                    model_bindings(&model)
                }
            };
            Ok((rules, bindings))
        })();
        let (rules, bindings) = match setup {
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
                outcome = bound_params(&rules, &bindings, input)
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
    fn context_paths_are_bound_as_generated_bindings_bind_them() {
        let input = serde_json::json!({
            "RequestItems": {"b": 1, "a": 2},
            "T": {"N": "x"},
            "Items": [{"Get": {"N": "1"}}, {"Put": {"N": "2"}}, {}],
            "Empty": []
        });
        let bound = |path: &str| codegen::endpoints::bound_value(select(&input, path).unwrap());
        assert_eq!(
            bound("keys(RequestItems)"),
            Some(serde_json::json!(["a", "b"]))
        );
        assert_eq!(bound("T.N"), Some(serde_json::json!("x")));
        assert_eq!(bound("Items[*].Get.N"), Some(serde_json::json!(["1"])));
        assert_eq!(
            bound("Items[*].[Get.N, Put.N][]"),
            Some(serde_json::json!(["1", "2"]))
        );
        // Null and an empty list leave the parameter unset.
        assert_eq!(bound("Missing.N"), None);
        assert_eq!(bound("Empty[*].N"), None);
        assert!(select(&input, "a |").is_err());
    }
}
