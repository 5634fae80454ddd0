//! A service's endpoint rule set (`endpoint-rule-set-1.json`), checked and
//! converted to the compact form a generated crate embeds.
//!
//! The check is the runtime's own reader ([`sdk_runtime::endpoint::RuleSet`]):
//! what passes here is exactly what the crate's evaluator accepts, so a bad
//! rule set fails at generation time, naming the file and the place in it,
//! never in a user's program.

use serde_json::Value;

use crate::error::{Error, Problem};

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
