//! Paginator and waiter definitions the generator must refuse, with an
//! error naming the file, the paginator or waiter, the operation and the
//! key; and the JMESPath it compiles.

use codegen::{generate_set, ModelSet, Options};
use serde_json::json;

fn model() -> String {
    json!({
        "metadata": {
            "apiVersion": "2020-01-01", "endpointPrefix": "things", "protocol": "json",
            "jsonVersion": "1.1", "targetPrefix": "Things", "serviceId": "Things",
            "signatureVersion": "v4"
        },
        "operations": {
            "ListThings": {
                "name": "ListThings", "http": {"method": "POST", "requestUri": "/"},
                "input": {"shape": "ListThingsRequest"}, "output": {"shape": "ListThingsResponse"}
            }
        },
        "shapes": {
            "ListThingsRequest": {"type": "structure", "members": {
                "NextToken": {"shape": "Token"}, "MaxResults": {"shape": "Count"},
                "Name": {"shape": "Token"}, "Flag": {"shape": "Flag"}
            }},
            "ListThingsResponse": {"type": "structure", "members": {
                "Things": {"shape": "Things"}, "NextToken": {"shape": "Token"},
                "Total": {"shape": "Count"}
            }},
            "Things": {"type": "list", "member": {"shape": "Thing"}},
            "Thing": {"type": "structure", "members": {
                "Name": {"shape": "Token"}, "Status": {"shape": "Status"}, "Size": {"shape": "Count"}
            }},
            "Status": {"type": "string", "enum": ["READY", "BROKEN"]},
            "Token": {"type": "string"},
            "Count": {"type": "integer"},
            "Flag": {"type": "boolean"}
        }
    })
    .to_string()
}

fn generate(
    paginators: Option<serde_json::Value>,
    waiters: Option<serde_json::Value>,
) -> Result<codegen::GeneratedCrate, String> {
    generate_with(paginators, waiters, None)
}

/// [`generate`] with the text of a `paginators-1.sdk-extras.json`.
fn generate_with(
    paginators: Option<serde_json::Value>,
    waiters: Option<serde_json::Value>,
    paginators_extras: Option<&str>,
) -> Result<codegen::GeneratedCrate, String> {
    let model = model();
    let paginators = paginators.map(|p| p.to_string());
    let waiters = waiters.map(|w| w.to_string());
    let set = ModelSet {
        paginators: paginators
            .as_deref()
            .map(|t| ("model/things/paginators-1.json", t)),
        waiters: waiters
            .as_deref()
            .map(|t| ("model/things/waiters-2.json", t)),
        paginators_extras: paginators_extras
            .map(|t| ("model/things/paginators-1.sdk-extras.json", t)),
        ..ModelSet::default()
    };
    generate_set(
        "model/things/service-2.json",
        &model,
        &set,
        &Options::default(),
    )
    .map_err(|e| e.to_string())
}

fn paginator(definition: serde_json::Value) -> Result<codegen::GeneratedCrate, String> {
    generate(
        Some(json!({"pagination": {"ListThings": definition}})),
        None,
    )
}

fn waiter(acceptors: serde_json::Value) -> Result<codegen::GeneratedCrate, String> {
    generate(
        None,
        Some(json!({"version": 2, "waiters": {"ThingReady": {
            "operation": "ListThings", "delay": 5, "maxAttempts": 3, "acceptors": acceptors
        }}})),
    )
}

const GOOD: &str = r#"{"input_token": "NextToken", "output_token": "NextToken", "limit_key": "MaxResults", "result_key": "Things"}"#;

#[test]
fn a_good_paginator_and_waiter_generate() {
    let good: serde_json::Value = serde_json::from_str(GOOD).unwrap();
    let generated = generate(
        Some(json!({"pagination": {"ListThings": good}})),
        Some(json!({"version": 2, "waiters": {"ThingReady": {
            "operation": "ListThings", "delay": 5, "maxAttempts": 3, "acceptors": [
                {"matcher": "pathAll", "argument": "Things[].Status", "expected": "READY", "state": "success"},
                {"matcher": "path", "argument": "length(Things[?Status == 'BROKEN' && Size > `3`]) > `0`", "expected": true, "state": "failure"},
                {"matcher": "path", "argument": "NextToken || Things[-1].Name", "expected": "x", "state": "retry"},
                {"matcher": "error", "expected": "ThrottledException", "state": "retry"},
                {"matcher": "status", "expected": 404, "state": "failure"}
            ]
        }}})),
    )
    .unwrap();
    assert_eq!((generated.paginators, generated.waiters), (1, 1));
    assert!(generated.files.contains_key("src/waiters.rs"));
    let op: String = generated.files["src/operation/list_things.rs"]
        .split_whitespace()
        .collect();
    assert!(op.contains("pubfninto_paginator("));
    assert!(op.contains("pubfnpage_size(mutself,size:i32"));
}

#[test]
fn an_input_token_that_is_not_an_input_member_is_named() {
    let err = paginator(json!({"input_token": "Cursor", "output_token": "NextToken"})).unwrap_err();
    assert_eq!(
        err,
        "model/things/paginators-1.json: paginator of operation `ListThings`: input token `Cursor` is not a member of the input of `ListThings`"
    );
}

#[test]
fn an_output_token_of_another_type_is_named() {
    let err = paginator(json!({"input_token": "NextToken", "output_token": "Total"})).unwrap_err();
    assert!(
        err.contains("paginator of operation `ListThings`: output token `Total` is not of the type of input token `NextToken` (shape `Token`)"),
        "{err}"
    );
}

#[test]
fn a_missing_output_token_and_result_key_are_named() {
    let err = paginator(
        json!({"input_token": "NextToken", "output_token": "Next", "result_key": "Items.Name"}),
    )
    .unwrap_err();
    assert!(
        err.contains("output token `Next`: `Next` is not a member of the output of `ListThings`"),
        "{err}"
    );
    assert!(
        err.contains(
            "result key `Items.Name`: `Items` is not a member of the output of `ListThings`"
        ),
        "{err}"
    );
}

#[test]
fn a_limit_key_that_is_not_an_integer_is_named() {
    let err = paginator(
        json!({"input_token": "NextToken", "output_token": "NextToken", "limit_key": "Flag"}),
    )
    .unwrap_err();
    assert!(
        err.contains("limit key `Flag` is shape `Flag`, not an integer (or a string)"),
        "{err}"
    );
}

#[test]
fn a_paginator_of_an_unknown_operation_is_named() {
    let err = generate(
        Some(json!({"pagination": {"ListOthers": {"input_token": "A", "output_token": "B"}}})),
        None,
    )
    .unwrap_err();
    assert!(
        err.contains(
            "paginator of operation `ListOthers`: `ListOthers` is not an operation of the model"
        ),
        "{err}"
    );
}

#[test]
fn acceptor_paths_are_checked_against_the_output() {
    let err = waiter(json!([{"matcher": "path", "argument": "Thing.Status", "expected": "READY", "state": "success"}])).unwrap_err();
    assert_eq!(
        err,
        "model/things/waiters-2.json: waiter `ThingReady` (operation `ListThings`): acceptor 0 (path): `Thing.Status`: `Thing` is not a member of the output of `ListThings`"
    );
    let err = waiter(json!([{"matcher": "pathAll", "argument": "Things[].Nope", "expected": "READY", "state": "success"}])).unwrap_err();
    assert!(
        err.contains("`Nope` is not a member of shape `Thing`"),
        "{err}"
    );
    // A path that gives a list cannot equal a string; pathAll needs a list.
    let err = waiter(json!([{"matcher": "path", "argument": "Things[].Status", "expected": "READY", "state": "success"}])).unwrap_err();
    assert!(err.contains("does not give a string"), "{err}");
    let err = waiter(json!([{"matcher": "pathAny", "argument": "Things[].Size", "expected": "READY", "state": "success"}])).unwrap_err();
    assert!(
        err.contains("does not give a projection of strings"),
        "{err}"
    );
}

#[test]
fn unsupported_jmespath_is_named() {
    for (argument, message) in [
        ("sort_by(Things, &Name)[0].Name", "the function `sort_by`"),
        ("Things[0:2].Name", "slices are not supported"),
        ("Things[].[Name, Status]", "multi-select"),
        ("Things[?Status > 'A'].Name", "only numbers are ordered"),
        (
            "Things[?Status == `3`].Name",
            "compares a string with a number",
        ),
        ("Things[", "is not a JMESPath expression"),
    ] {
        let err = waiter(json!([{"matcher": "pathAny", "argument": argument, "expected": "x", "state": "success"}])).unwrap_err();
        assert!(err.contains(message), "{argument}: {err}");
        assert!(
            err.contains("waiter `ThingReady` (operation `ListThings`): acceptor 0 (pathAny)"),
            "{err}"
        );
    }
}

#[test]
fn bad_acceptors_are_named() {
    let err =
        waiter(json!([{"matcher": "status", "expected": "ok", "state": "success"}])).unwrap_err();
    assert!(
        err.contains("acceptor 0 (status): expects \"ok\", not an HTTP status"),
        "{err}"
    );
    let err = waiter(json!([{"matcher": "error", "expected": "X", "state": "done"}])).unwrap_err();
    assert!(err.contains("unknown state `done`"), "{err}");
    let err =
        waiter(json!([{"matcher": "regex", "expected": "X", "state": "success"}])).unwrap_err();
    assert!(err.contains("unknown matcher `regex`"), "{err}");
    let err = waiter(json!([])).unwrap_err();
    assert!(err.contains("no acceptors"), "{err}");
}

#[test]
fn a_file_that_is_not_a_definition_is_a_load_error() {
    let model = model();
    let set = ModelSet {
        paginators: Some((
            "model/things/paginators-1.json",
            r#"{"pagination": {"ListThings": {"input_token": 3}}}"#,
        )),
        waiters: None,
        endpoint_rules: None,
        ..ModelSet::default()
    };
    let err = generate_set(
        "model/things/service-2.json",
        &model,
        &set,
        &Options::default(),
    )
    .unwrap_err();
    assert_eq!(err.stage(), codegen::Stage::Load);
    assert!(
        err.to_string()
            .starts_with("model/things/paginators-1.json: at `pagination.ListThings"),
        "{err}"
    );
}

/// Generates with `paginators` and botocore's `paginators-1.sdk-extras.json` text `extras`.
fn with_extras(
    paginators: serde_json::Value,
    extras: &str,
) -> Result<codegen::GeneratedCrate, String> {
    generate_with(Some(paginators), None, Some(extras))
}

#[test]
fn sdk_extras_are_merged_into_the_paginators_as_botocore_does() {
    let good: serde_json::Value = serde_json::from_str(GOOD).unwrap();
    let paginators = json!({"pagination": {"ListThings": good}});
    let docs = |generated: &codegen::GeneratedCrate| -> String {
        generated.files["src/operation/list_things.rs"]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let plain = docs(&generate(Some(paginators.clone()), None).unwrap());
    assert!(!plain.contains("are the same on every page"));
    let merged = with_extras(
        paginators.clone(),
        r#"{"version": 1.0, "merge": {"pagination": {"ListThings": {"non_aggregate_keys": ["Total"]}}}}"#,
    )
    .unwrap();
    let merged = docs(&merged);
    assert!(merged.contains("`Total` are the same on every page"));
    // The base definition is kept: its limit key and result key.
    assert!(merged.contains("fn page_size(mut self, size: i32)"));
    assert!(merged.contains("Each page holds the results `Things`."));

    // A merged key is checked like any other, and the error names both files.
    let err = with_extras(
        paginators.clone(),
        r#"{"merge": {"pagination": {"ListThings": {"non_aggregate_keys": ["Missing"]}}}}"#,
    )
    .unwrap_err();
    assert!(
        err.starts_with("model/things/paginators-1.json (with model/things/paginators-1.sdk-extras.json): paginator of operation `ListThings`: non-aggregate key"),
        "{err}"
    );
    assert!(err.contains("Missing"), "{err}");
    let err = with_extras(
        paginators.clone(),
        r#"{"merge": {"pagination": {"ListThings": {"limit_key": 7}}}}"#,
    )
    .unwrap_err();
    assert!(
        err.contains("(with model/things/paginators-1.sdk-extras.json)"),
        "{err}"
    );
    assert!(err.contains("pagination.ListThings.limit_key"), "{err}");
    let err = with_extras(paginators, r#"{"merge": ["#).unwrap_err();
    assert!(
        err.starts_with("model/things/paginators-1.sdk-extras.json: "),
        "{err}"
    );
}
