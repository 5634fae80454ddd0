//! Reading protocol-test files: suites, cases, and the model of each suite.

use std::fs;
use std::path::Path;

use serde_json::{json, Map, Value};

use crate::codegen::Failure;

/// What a case checks.
#[derive(Debug, Clone)]
pub enum CaseKind {
    /// Serializing `params` must give `serialized`.
    Input { params: Value, serialized: Value },
    /// Parsing `response` must give `result`, or the error `error_code` with `error`.
    Output {
        response: Value,
        result: Option<Value>,
        error_code: Option<String>,
        error: Option<Value>,
    },
}

/// One case.
#[derive(Debug, Clone)]
pub struct Case {
    /// The case's id, or `<suite description> #<position>` when it has none.
    pub id: String,
    /// The operation it calls, as the model names it.
    pub operation: String,
    /// Its HTTP method (for inputs whose `serialized` leaves it out).
    pub method: String,
    pub kind: CaseKind,
}

/// One suite: a model and its cases.
#[derive(Debug, Clone)]
pub struct Suite {
    /// The file it came from.
    pub file: String,
    pub description: String,
    /// A crate name unique across the run (`pt-0-007`).
    pub crate_name: String,
    /// The suite's model in the AWS JSON service-model format.
    pub model: Value,
    pub cases: Vec<Case>,
}

/// Reads every suite of one file.
pub fn parse_file(file: &str, file_index: usize, text: &str) -> Result<Vec<Suite>, Failure> {
    let suites: Vec<Value> = serde_json::from_str(text)
        .map_err(|e| Failure(format!("{file}: not a list of suites: {e}")))?;
    suites
        .iter()
        .enumerate()
        .map(|(index, suite)| parse_suite(file, file_index, index, suite))
        .collect()
}

fn parse_suite(
    file: &str,
    file_index: usize,
    index: usize,
    suite: &Value,
) -> Result<Suite, Failure> {
    let at = |what: &str| Failure(format!("{file}: suite #{index}: {what}"));
    let description = suite["description"]
        .as_str()
        .unwrap_or("(no description)")
        .to_owned();
    let cases_json = suite["cases"]
        .as_array()
        .ok_or_else(|| at("no `cases` list"))?;
    // The generator names the crate after the service id; make it unique per suite.
    let service_id = format!("pt {file_index} {index:03}");
    let crate_name = format!("pt-{file_index}-{index:03}");
    let mut metadata = suite["metadata"].as_object().cloned().unwrap_or_default();
    metadata.insert("serviceId".into(), json!(service_id));
    metadata
        .entry("endpointPrefix")
        .or_insert(json!("protocoltests"));
    metadata.entry("apiVersion").or_insert(json!("2020-01-01"));
    let mut operations = Map::new();
    let mut cases = Vec::new();
    for (position, case) in cases_json.iter().enumerate() {
        let given = &case["given"];
        let operation = given["name"]
            .as_str()
            .ok_or_else(|| at("a case's `given` has no `name`"))?
            .to_owned();
        operations.insert(operation.clone(), given.clone());
        let id = case["id"]
            .as_str()
            .map_or_else(|| format!("{description} #{position}"), str::to_owned);
        let method = given["http"]["method"]
            .as_str()
            .unwrap_or("POST")
            .to_owned();
        let kind = if case.get("serialized").is_some() {
            CaseKind::Input {
                params: case.get("params").cloned().unwrap_or_else(|| json!({})),
                serialized: case["serialized"].clone(),
            }
        } else if case.get("response").is_some() {
            CaseKind::Output {
                response: case["response"].clone(),
                result: case.get("result").cloned(),
                error_code: case
                    .get("errorCode")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                error: case.get("error").cloned(),
            }
        } else {
            return Err(at(&format!(
                "case `{id}` has neither `serialized` nor `response`"
            )));
        };
        cases.push(Case {
            id,
            operation,
            method,
            kind,
        });
    }
    let model = json!({
        "version": "2.0",
        "metadata": metadata,
        "operations": operations,
        "shapes": suite["shapes"],
    });
    Ok(Suite {
        file: file.to_owned(),
        description,
        crate_name,
        model,
        cases,
    })
}

/// The committed skip list.
#[derive(Debug, Default)]
pub struct Skips {
    entries: Vec<Skip>,
}

#[derive(Debug)]
struct Skip {
    /// A case id, or a suite description.
    name: String,
    reason: String,
}

impl Skips {
    /// Reads the skip list: `[{"case" | "suite": ..., "reason": ...}]`.
    pub fn load(path: &Path) -> Result<Self, Failure> {
        let shown = path.display();
        let text = fs::read_to_string(path).map_err(|e| Failure(format!("{shown}: {e}")))?;
        let list: Vec<Value> =
            serde_json::from_str(&text).map_err(|e| Failure(format!("{shown}: {e}")))?;
        let mut entries = Vec::new();
        for entry in list {
            let name = entry["case"].as_str().or_else(|| entry["suite"].as_str());
            let reason = entry["reason"].as_str().filter(|r| !r.trim().is_empty());
            match (name, reason) {
                (Some(name), Some(reason)) => entries.push(Skip {
                    name: name.to_owned(),
                    reason: reason.to_owned(),
                }),
                _ => {
                    return Err(Failure(format!(
                        "{shown}: every entry needs `case` or `suite`, and a `reason`: {entry}"
                    )))
                }
            }
        }
        Ok(Self { entries })
    }

    /// Why `case` of `suite` is skipped, if it is.
    pub fn reason(&self, suite: &Suite, case: &Case) -> Option<&str> {
        self.entries
            .iter()
            .find(|skip| skip.name == case.id || skip.name == suite.description)
            .map(|skip| skip.reason.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_id_params_and_method_are_filled_in() {
        let text = r#"[{
            "description": "Suite",
            "metadata": {"protocol": "rest-json"},
            "shapes": {},
            "cases": [
                {"given": {"name": "Op", "http": {"method": "PUT", "requestUri": "/"}}, "serialized": {"uri": "/"}},
                {"id": "Out", "given": {"name": "Op", "http": {"method": "PUT", "requestUri": "/"}},
                 "response": {"status_code": 200}, "result": {}}
            ]
        }]"#;
        let suites = parse_file("f.json", 3, text).unwrap();
        let suite = &suites[0];
        assert_eq!(suite.crate_name, "pt-3-000");
        assert_eq!(suite.model["metadata"]["serviceId"], "pt 3 000");
        assert_eq!(suite.cases[0].id, "Suite #0");
        assert_eq!(suite.cases[0].method, "PUT");
        assert!(
            matches!(&suite.cases[0].kind, CaseKind::Input { params, .. } if params == &json!({}))
        );
        assert!(matches!(suite.cases[1].kind, CaseKind::Output { .. }));
    }

    #[test]
    fn a_case_without_expectations_is_an_error() {
        let text = r#"[{"description": "S", "metadata": {}, "shapes": {}, "cases": [{"id": "X", "given": {"name": "Op"}}]}]"#;
        let err = parse_file("f.json", 0, text).unwrap_err();
        assert!(err.0.contains("case `X` has neither"), "{}", err.0);
    }
}
