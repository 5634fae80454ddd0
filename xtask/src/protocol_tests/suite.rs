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
        /// The error's message (`errorMessage`), if the case gives one.
        error_message: Option<String>,
        error: Option<Value>,
    },
}

/// One case.
#[derive(Debug, Clone)]
pub struct Case {
    /// The case's id, or `<suite description> #<position>` when it has none.
    pub id: String,
    /// Whether the case has an id of its own.
    pub has_id: bool,
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
    /// The endpoint requests are sent to: the suite's `clientEndpoint`, else
    /// `https://example.com`.
    pub endpoint: String,
    pub cases: Vec<Case>,
}

/// Reads every suite of one file.
pub fn parse_file(file: &str, file_index: usize, text: &str) -> Result<Vec<Suite>, Failure> {
    let suites: Vec<Value> = serde_json::from_str(text)
        .map_err(|e| Failure(format!("{file}: not a list of suites: {e}")))?;
    let mut all = Vec::new();
    for (index, suite) in suites.iter().enumerate() {
        all.extend(
            split_by_given(suite)
                .iter()
                .enumerate()
                .map(|(part, (suite, positions))| {
                    parse_suite(file, file_index, index, (part, positions), suite)
                }),
        );
    }
    all.into_iter().collect()
}

/// A suite whose cases give one operation name different `given`
/// definitions (a method, a request URI, an input) is several models: the
/// cases are split, in order, into as few suites as keep every operation
/// name to one definition. Each part comes with its cases' positions in
/// the suite (which name cases without an id).
fn split_by_given(suite: &Value) -> Vec<(Value, Vec<usize>)> {
    let Some(cases) = suite["cases"].as_array() else {
        return vec![(suite.clone(), Vec::new())];
    };
    // Per part: its operations' definitions, its cases and their positions.
    type Part = (Map<String, Value>, Vec<Value>, Vec<usize>);
    let mut parts: Vec<Part> = Vec::new();
    for (position, case) in cases.iter().enumerate() {
        let given = &case["given"];
        let name = given["name"].as_str().unwrap_or_default();
        let fits = |ops: &Map<String, Value>| ops.get(name).is_none_or(|g| g == given);
        match parts.iter_mut().find(|(ops, _, _)| fits(ops)) {
            Some((ops, part, positions)) => {
                ops.insert(name.to_owned(), given.clone());
                part.push(case.clone());
                positions.push(position);
            }
            None => {
                let mut ops = Map::new();
                ops.insert(name.to_owned(), given.clone());
                parts.push((ops, vec![case.clone()], vec![position]));
            }
        }
    }
    if parts.is_empty() {
        return vec![(suite.clone(), Vec::new())];
    }
    parts
        .into_iter()
        .map(|(_, cases, positions)| {
            let mut part = suite.clone();
            part["cases"] = Value::Array(cases);
            (part, positions)
        })
        .collect()
}

fn parse_suite(
    file: &str,
    file_index: usize,
    index: usize,
    (part, positions): (usize, &[usize]),
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
    let (service_id, crate_name) = if part == 0 {
        (
            format!("pt {file_index} {index:03}"),
            format!("pt-{file_index}-{index:03}"),
        )
    } else {
        (
            format!("pt {file_index} {index:03} {part}"),
            format!("pt-{file_index}-{index:03}-{part}"),
        )
    };
    let mut metadata = suite["metadata"].as_object().cloned().unwrap_or_default();
    metadata.insert("serviceId".into(), json!(service_id));
    metadata
        .entry("endpointPrefix")
        .or_insert(json!("protocoltests"));
    metadata.entry("apiVersion").or_insert(json!("2020-01-01"));
    // Suites of output cases may leave out what every real awsJson model has
    // but only requests use; placeholders let the generator accept them.
    if metadata.get("protocol") == Some(&json!("json")) {
        metadata.entry("jsonVersion").or_insert(json!("1.0"));
        metadata
            .entry("targetPrefix")
            .or_insert(json!("ProtocolTests"));
    }
    let mut operations = Map::new();
    let mut cases = Vec::new();
    for (i, case) in cases_json.iter().enumerate() {
        let position = positions.get(i).copied().unwrap_or(i);
        let given = &case["given"];
        let operation = given["name"]
            .as_str()
            .ok_or_else(|| at("a case's `given` has no `name`"))?
            .to_owned();
        let mut given = given.clone();
        // Output cases of REST protocols may leave out the HTTP binding,
        // which only requests use; a placeholder lets the generator accept it.
        let rest = matches!(
            metadata.get("protocol").and_then(Value::as_str),
            Some("rest-json" | "rest-xml")
        );
        if rest && case.get("response").is_some() && given.get("http").is_none() {
            if let Some(given) = given.as_object_mut() {
                given.insert("http".into(), json!({"method": "POST", "requestUri": "/"}));
            }
        }
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
                error_message: case
                    .get("errorMessage")
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
            has_id: case["id"].is_string(),
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
        endpoint: suite["clientEndpoint"]
            .as_str()
            .unwrap_or("https://example.com")
            .to_owned(),
        cases,
    })
}

/// The ignore list of each suite file.
#[derive(Debug, Default)]
pub struct IgnoreLists {
    by_file: std::collections::BTreeMap<String, Skips>,
}

impl IgnoreLists {
    /// Uses `list` for `file`.
    pub fn insert(&mut self, file: &str, list: Skips) {
        self.by_file.insert(file.to_owned(), list);
    }

    /// Why `case` of `suite` is skipped, if its file's list says so.
    pub fn reason(&self, suite: &Suite, case: &Case) -> Option<String> {
        self.by_file.get(&suite.file)?.reason(suite, case)
    }
}

/// The name of botocore's list of the cases and suites its own runner skips.
pub const IGNORE_LIST_NAMES: &[&str] = &["protocol-tests-ignore-list.json", "ignore-list.json"];

/// botocore's ignore list (`protocol-tests-ignore-list.json`), read as its
/// runner (`tests/unit/protocols/test_protocols.py`) reads it:
/// `general.{input,output}.{suites,cases}` apply to every file,
/// `protocols.<protocol>.{input,output}.{suites,cases}` to the files named
/// `<protocol>.json`; suites match by description, cases by id.
#[derive(Debug, Default, Clone)]
pub struct Skips {
    /// The list's path, as shown in reasons.
    path: String,
    list: Value,
}

impl Skips {
    /// Reads the ignore list at `path`.
    pub fn load(path: &Path) -> Result<Self, Failure> {
        let shown = path.display().to_string();
        let text = fs::read_to_string(path).map_err(|e| Failure(format!("{shown}: {e}")))?;
        let list: Value =
            serde_json::from_str(&text).map_err(|e| Failure(format!("{shown}: {e}")))?;
        if !list.is_object() {
            return Err(Failure(format!(
                "{shown}: not an object of `general` and `protocols`"
            )));
        }
        Ok(Self { path: shown, list })
    }

    /// The ignore list for `file`: the first of [`IGNORE_LIST_NAMES`] in the
    /// file's folder or one above it (botocore's sdist keeps it in
    /// `tests/unit/protocols/`, above `input/`, `output/` and `legacy/*/`).
    pub fn find(file: &Path) -> Option<std::path::PathBuf> {
        file.ancestors()
            .skip(1)
            .take(4)
            .flat_map(|dir| IGNORE_LIST_NAMES.iter().map(move |name| dir.join(name)))
            .find(|path| path.is_file())
    }

    /// Why `case` of `suite` is skipped, if the list says so.
    pub fn reason(&self, suite: &Suite, case: &Case) -> Option<String> {
        let kind = match case.kind {
            CaseKind::Input { .. } => "input",
            CaseKind::Output { .. } => "output",
        };
        let protocol = Path::new(&suite.file)
            .file_stem()
            .and_then(|stem| stem.to_str())
            .unwrap_or_default();
        let scopes = [
            (format!("general.{kind}"), &self.list["general"][kind]),
            (
                format!("protocols.{protocol}.{kind}"),
                &self.list["protocols"][protocol][kind],
            ),
        ];
        let listed = |list: &Value, name: &str| {
            list.as_array()
                .is_some_and(|items| items.iter().any(|item| item.as_str() == Some(name)))
        };
        scopes.iter().find_map(|(at, scope)| {
            if listed(&scope["suites"], &suite.description) {
                Some(format!(
                    "botocore skips the suite ({}: {at}.suites)",
                    self.path
                ))
            } else if case.has_id && listed(&scope["cases"], &case.id) {
                Some(format!(
                    "botocore skips the case ({}: {at}.cases)",
                    self.path
                ))
            } else {
                None
            }
        })
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

    #[test]
    fn ignore_list_is_read_as_botocore_reads_it() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("protocol-tests-ignore-list.json");
        fs::write(
            &list,
            r#"{"general": {"input": {"suites": ["Skipped suite"]}},
                "protocols": {"json": {"output": {"cases": ["SkippedCase"]}}}}"#,
        )
        .unwrap();
        let suite_file = dir.path().join("output").join("json.json");
        fs::create_dir_all(suite_file.parent().unwrap()).unwrap();
        assert_eq!(Skips::find(&suite_file), Some(list.clone()));
        let skips = Skips::load(&list).unwrap();
        let text = r#"[
            {"description": "Skipped suite", "metadata": {"protocol": "json"}, "shapes": {}, "cases": [
                {"id": "A", "given": {"name": "Op"}, "params": {}, "serialized": {}},
                {"id": "SkippedCase", "given": {"name": "Op"}, "response": {}}
            ]},
            {"description": "Other", "metadata": {"protocol": "json"}, "shapes": {}, "cases": [
                {"id": "SkippedCase", "given": {"name": "Op"}, "response": {}},
                {"id": "SkippedCase", "given": {"name": "Op"}, "params": {}, "serialized": {}}
            ]}
        ]"#;
        let reasons = |file: &str| -> Vec<bool> {
            let suites = parse_file(file, 0, text).unwrap();
            suites
                .iter()
                .flat_map(|suite| suite.cases.iter().map(move |case| (suite, case)))
                .map(|(suite, case)| skips.reason(suite, case).is_some())
                .collect()
        };
        // Suites listed under general.input skip only their input cases; a
        // protocol's cases apply to files named after it, in their direction.
        assert_eq!(
            reasons(suite_file.to_str().unwrap()),
            [true, true, true, false]
        );
        assert_eq!(
            reasons("elsewhere/rest-json.json"),
            [true, false, false, false]
        );
        let suites = parse_file("json.json", 0, text).unwrap();
        let reason = skips.reason(&suites[1], &suites[1].cases[0]).unwrap();
        assert!(reason.contains("protocols.json.output.cases"), "{reason}");
    }

    #[test]
    fn cases_that_define_an_operation_differently_become_suites_of_their_own() {
        let text = r#"[{"description": "S", "metadata": {"protocol": "rest-xml"}, "shapes": {}, "cases": [
            {"given": {"name": "Op", "http": {"method": "POST", "requestUri": "/a"}}, "params": {}, "serialized": {"method": "POST", "uri": "/a"}},
            {"given": {"name": "Op", "http": {"method": "GET", "requestUri": "/b"}}, "params": {}, "serialized": {"method": "GET", "uri": "/b"}},
            {"given": {"name": "Op", "http": {"method": "POST", "requestUri": "/a"}}, "params": {}, "serialized": {"method": "POST", "uri": "/a"}},
            {"given": {"name": "Out"}, "response": {"status_code": 200, "headers": {}, "body": ""}, "result": {}}]}]"#;
        let suites = parse_file("f.json", 0, text).unwrap();
        assert_eq!(suites.len(), 2);
        let ids = |s: &Suite| s.cases.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&suites[0]), ["S #0", "S #2", "S #3"]);
        assert_eq!(ids(&suites[1]), ["S #1"]);
        assert_ne!(suites[0].crate_name, suites[1].crate_name);
        assert_eq!(
            suites[0].model["operations"]["Op"]["http"]["requestUri"],
            "/a"
        );
        assert_eq!(
            suites[1].model["operations"]["Op"]["http"]["requestUri"],
            "/b"
        );
        // An output case of a REST protocol without a binding gets a placeholder.
        assert_eq!(
            suites[0].model["operations"]["Out"]["http"]["requestUri"],
            "/"
        );
    }

    #[test]
    fn awsjson_suites_get_placeholder_metadata_and_client_endpoint() {
        let text = r#"[{"description": "S", "metadata": {"protocol": "json"}, "clientEndpoint": "https://svc.example.org", "shapes": {}, "cases": []},
                       {"description": "T", "metadata": {"protocol": "json", "targetPrefix": "Mine", "jsonVersion": "1.1"}, "shapes": {}, "cases": []}]"#;
        let suites = parse_file("f.json", 0, text).unwrap();
        assert_eq!(suites[0].endpoint, "https://svc.example.org");
        assert_eq!(suites[0].model["metadata"]["jsonVersion"], "1.0");
        assert_eq!(suites[1].endpoint, "https://example.com");
        assert_eq!(suites[1].model["metadata"]["targetPrefix"], "Mine");
        assert_eq!(suites[1].model["metadata"]["jsonVersion"], "1.1");
    }
}
