//! Hostile models: each reproduces a way the generator once hung, crashed,
//! panicked, overwrote a file or returned code that does not parse. Each must
//! now give a crate whose every file parses, or an error that names the
//! shape, member or operation at fault.

use codegen::{generate, Error, GeneratedCrate, Options, Stage};
use serde_json::{json, Value};

fn options() -> Options {
    Options {
        runtime_path: "../../codegen/runtime".to_owned(),
        credentials_path: None,
        ..Default::default()
    }
}

/// A valid model with one operation whose output holds `Thing`, to which
/// tests add members (and whose input is `In`).
fn model() -> Value {
    json!({
        "version": "2.0",
        "metadata": {
            "apiVersion": "2020-01-01",
            "endpointPrefix": "things",
            "protocol": "rest-json",
            "serviceId": "Things",
            "signatureVersion": "v4"
        },
        "operations": {
            "GetThing": {
                "name": "GetThing",
                "http": {"method": "POST", "requestUri": "/thing"},
                "input": {"shape": "In"},
                "output": {"shape": "Out"},
                "errors": [{"shape": "Oops"}]
            }
        },
        "shapes": {
            "In": {"type": "structure", "members": {"thing": {"shape": "Thing"}}},
            "Out": {"type": "structure", "members": {"thing": {"shape": "Thing"}}},
            "Thing": {"type": "structure", "members": {"name": {"shape": "Text"}}},
            "Text": {"type": "string"},
            "Oops": {
                "type": "structure",
                "members": {"message": {"shape": "Text"}},
                "exception": true
            }
        }
    })
}

fn run(model: &Value) -> Result<GeneratedCrate, Error> {
    let generated = generate("model/things.json", &model.to_string(), &options());
    if let Ok(generated) = &generated {
        for (path, text) in &generated.files {
            if path.ends_with(".rs") {
                syn::parse_file(text).unwrap_or_else(|e| panic!("{path} does not parse: {e}"));
            }
        }
    }
    generated
}

/// The model's error: a model error (never an internal one), as text.
fn model_error(model: &Value) -> String {
    let err = run(model).expect_err("the model is broken");
    assert_ne!(err.stage(), Stage::Format, "internal error: {err}");
    err.to_string()
}

fn add_shape(model: &mut Value, name: &str, shape: Value) {
    model["shapes"][name] = shape;
}

fn add_member(model: &mut Value, shape: &str, member: &str, target: &str) {
    model["shapes"][shape]["members"][member] = json!({"shape": target});
}

fn rename_key(object: &mut Value, from: &str, to: &str) {
    let object = object.as_object_mut().unwrap();
    let value = object.remove(from).unwrap();
    object.insert(to.to_owned(), value);
}

#[test]
fn a_list_of_itself_is_an_error_not_a_hang() {
    let mut m = model();
    add_shape(
        &mut m,
        "Loop",
        json!({"type": "list", "member": {"shape": "Loop"}}),
    );
    add_member(&mut m, "Thing", "loop", "Loop");
    let shown = model_error(&m);
    assert!(
        shown.contains("shape `Loop`: holds itself through lists and maps only"),
        "{shown}"
    );
}

#[test]
fn a_map_of_itself_is_an_error_not_a_hang() {
    let mut m = model();
    add_shape(
        &mut m,
        "Loop",
        json!({"type": "map", "key": {"shape": "Text"}, "value": {"shape": "Loop"}}),
    );
    add_member(&mut m, "Thing", "loop", "Loop");
    let shown = model_error(&m);
    assert!(shown.contains("shape `Loop`: holds itself"), "{shown}");
}

#[test]
fn a_list_map_cycle_is_an_error_not_a_hang() {
    let mut m = model();
    add_shape(
        &mut m,
        "L",
        json!({"type": "list", "member": {"shape": "M"}}),
    );
    add_shape(
        &mut m,
        "M",
        json!({"type": "map", "key": {"shape": "Text"}, "value": {"shape": "L"}}),
    );
    add_shape(&mut m, "Ts", json!({"type": "timestamp"}));
    add_member(&mut m, "Thing", "l", "L");
    add_member(&mut m, "Thing", "at", "Ts");
    let shown = model_error(&m);
    assert!(
        shown.contains("shape `L`: holds itself through lists and maps only (L -> M -> L)"),
        "{shown}"
    );
    assert!(shown.contains("shape `M`: holds itself"), "{shown}");
}

/// A chain of `depth` lists ending in a string, held by `Thing.deep`.
fn nested_lists(depth: usize) -> Value {
    let mut m = model();
    for level in 0..depth {
        let member = if level + 1 == depth {
            "Text".to_owned()
        } else {
            format!("L{}", level + 1)
        };
        add_shape(
            &mut m,
            &format!("L{level}"),
            json!({"type": "list", "member": {"shape": member}}),
        );
    }
    add_member(&mut m, "Thing", "deep", "L0");
    m
}

#[test]
fn lists_nested_to_the_documented_depth_generate() {
    let generated = run(&nested_lists(codegen::resolve::MAX_NESTING)).unwrap();
    let types = &generated.files["src/types.rs"];
    let field = types.split("pub(crate) deep:").nth(1).unwrap();
    let field = &field[..field.find(',').unwrap_or(field.len())];
    assert_eq!(
        field.matches("::std::vec::Vec<").count(),
        codegen::resolve::MAX_NESTING,
        "{field}"
    );
}

#[test]
fn lists_nested_hundreds_deep_are_an_error_not_a_stack_overflow() {
    let shown = model_error(&nested_lists(400));
    assert!(
        shown.contains(&format!(
            "shape `L0`: nests lists and maps more than {} deep (L0 -> L1 -> L2 -> L3 -> ...)",
            codegen::resolve::MAX_NESTING
        )),
        "{shown}"
    );
}

/// Names that are alphanumeric to `char::is_alphanumeric` but are not Rust
/// identifiers, or start one badly.
const NOT_QUITE_IDENTIFIERS: &[&str] = &["a²", "x¹", "①b", "٣abc"];

#[test]
fn members_with_non_identifier_characters_get_identifiers() {
    let mut m = model();
    for name in NOT_QUITE_IDENTIFIERS {
        add_member(&mut m, "Thing", name, "Text");
    }
    let generated = run(&m).unwrap();
    let types = &generated.files["src/types.rs"];
    for field in ["a:", "x:", "b:", "_٣abc:"] {
        assert!(types.contains(&format!("pub(crate) {field}")), "{field}");
    }
}

#[test]
fn operations_shapes_and_enum_values_with_non_identifier_characters() {
    for name in NOT_QUITE_IDENTIFIERS {
        let mut m = model();
        rename_key(&mut m["operations"], "GetThing", name);
        rename_key(&mut m["shapes"], "Thing", name);
        add_member(&mut m, "In", "thing", name);
        add_member(&mut m, "Out", "thing", name);
        add_shape(
            &mut m,
            "Kind",
            json!({"type": "string", "enum": [name, "plain"]}),
        );
        add_member(&mut m, name, "kind", "Kind");
        run(&m).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn empty_and_underscore_shape_names_are_errors_naming_the_shape() {
    for (name, expected) in [
        ("", "shape ``: the name is empty"),
        (
            "_",
            "shape `_`: `_` has no characters that can form a Rust identifier",
        ),
        ("①", "shape `①`: `①` has no characters"),
    ] {
        let mut m = model();
        rename_key(&mut m["shapes"], "Thing", name);
        add_member(&mut m, "In", "thing", name);
        add_member(&mut m, "Out", "thing", name);
        let shown = model_error(&m);
        assert!(shown.contains(expected), "{name:?}: {shown}");
    }
}

#[test]
fn an_empty_member_name_is_an_error_naming_the_member() {
    let mut m = model();
    add_member(&mut m, "Thing", "", "Text");
    let shown = model_error(&m);
    assert!(
        shown.contains("shape `Thing`, member ``: the name is empty"),
        "{shown}"
    );
}

/// Line breaks and control characters in every model string that reaches a
/// doc comment or a string literal.
#[test]
fn line_breaks_and_control_characters_in_names_and_metadata() {
    for text in [
        "\r",
        "\n",
        "\u{2028}",
        "\u{2029}",
        "\u{85}",
        "\u{0}",
        "\u{1b}[0m",
        "\t",
        "\"",
    ] {
        let mut m = model();
        let op = format!("Get{text}Thing");
        rename_key(&mut m["operations"], "GetThing", &op);
        let shape = format!("Th{text}ing");
        rename_key(&mut m["shapes"], "Thing", &shape);
        add_member(&mut m, "In", "thing", &shape);
        add_member(&mut m, "Out", "thing", &shape);
        add_member(&mut m, &shape, &format!("mem{text}ber"), "Kind");
        let value = format!("va{text}lue");
        add_shape(&mut m, "Kind", json!({"type": "string", "enum": [value]}));
        m["shapes"]["Kind"]["documentation"] = json!(format!("<p>docs{text}here</p>"));
        m["metadata"]["serviceFullName"] = json!(format!("Things{text}Service"));
        m["metadata"]["apiVersion"] = json!(format!("2020{text}01"));
        m["documentation"] = json!(format!("Service{text}docs"));
        let generated = run(&m).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        for (path, file) in &generated.files {
            assert!(!file.contains('\r'), "{text:?}: a CR in {path}");
            for line in file.lines().filter(|l| l.trim_start().starts_with("//")) {
                assert!(
                    !line.contains(['\u{2028}', '\u{2029}', '\u{85}', '\0', '\u{1b}']),
                    "{text:?}: {path}: {line:?}"
                );
            }
        }
        // The wire value is kept exactly, escaped in a string literal.
        let literal = proc_macro2::Literal::string(&value).to_string();
        assert!(
            generated.files["src/types.rs"].contains(&literal),
            "{text:?}: {literal}"
        );
    }
}

#[test]
fn an_operation_named_config_keeps_client_config() {
    let mut m = model();
    rename_key(&mut m["operations"], "GetThing", "Config");
    let generated = run(&m).unwrap();
    let client = &generated.files["src/client.rs"];
    assert!(
        client.contains("pub fn config(&self) -> &::sdk_runtime::Config"),
        "{client}"
    );
    assert!(client.contains("pub fn config_op("), "{client}");
    assert!(client.contains("`Config` in the model"), "{client}");
    assert!(generated.files.contains_key("src/operation/config_op.rs"));
}

#[test]
fn an_operation_named_shapes_does_not_replace_the_shapes_file() {
    let mut m = model();
    rename_key(&mut m["operations"], "GetThing", "Shapes");
    let generated = run(&m).unwrap();
    assert!(generated.files["src/protocol/shapes.rs"].contains("fn "));
    assert!(generated.files.contains_key("src/protocol/shapes_op.rs"));
    assert!(generated.files["src/protocol.rs"].contains("pub mod shapes_op;"));
}

#[test]
fn a_union_member_named_unknown_gets_its_own_methods() {
    let mut m = model();
    add_shape(
        &mut m,
        "Choice",
        json!({"type": "structure", "union": true, "members": {
            "unknown": {"shape": "Text"}, "known": {"shape": "Text"}
        }}),
    );
    add_member(&mut m, "Thing", "choice", "Choice");
    let generated = run(&m).unwrap();
    let types = &generated.files["src/types.rs"];
    assert_eq!(types.matches("pub fn is_unknown(").count(), 1, "{types}");
    assert!(types.contains("pub fn is_unknown_value(&self)"), "{types}");
    assert!(
        types.contains("UnknownValue(::std::string::String)"),
        "{types}"
    );
}

#[test]
fn members_named_like_builder_methods_are_renamed_with_a_note() {
    let mut m = model();
    for name in ["new", "build", "builder", "send", "config", "as_input"] {
        add_member(&mut m, "In", name, "Text");
    }
    let generated = run(&m).unwrap();
    let op = &generated.files["src/operation/get_thing.rs"];
    assert_eq!(op.matches("fn new(").count(), 1, "{op}");
    for name in ["new", "build", "builder", "send", "config", "as_input"] {
        assert!(op.contains(&format!("pub fn {name}_value(")), "{name}");
        assert!(op.contains(&format!("`{name}` in the model")), "{name}");
    }
}

#[test]
fn members_that_map_to_one_name_stay_distinct() {
    let mut m = model();
    let names = ["a_b", "aB", "A_B", "a-b", "a.b", "a b", "AB", "a__b"];
    for name in names {
        add_member(&mut m, "Thing", name, "Text");
    }
    let generated = run(&m).unwrap();
    let types = &generated.files["src/types.rs"];
    assert!(types.contains("pub(crate) a_b:"));
    assert!(types.contains("pub(crate) a_b_value:"));
    assert!(types.contains("pub(crate) a_b_value3:"));
}

/// Found by the obstacle course: `Self` became `Self_`, whose derived names
/// (`Self_Input`) are not camel case, and `self_` + `_value` doubled the `_`.
#[test]
fn self_names_derive_lint_clean_names() {
    let mut m = model();
    rename_key(&mut m["operations"], "GetThing", "Self");
    for name in ["self", "Self", "super"] {
        add_member(&mut m, "Thing", name, "Text");
    }
    add_shape(
        &mut m,
        "Kind",
        json!({"type": "string", "enum": ["Self", "self"]}),
    );
    add_member(&mut m, "Thing", "kind", "Kind");
    let generated = run(&m).unwrap();
    let op = &generated.files["src/operation/self_.rs"];
    assert!(op.contains("pub struct SelfValueInput"), "{op}");
    let types = &generated.files["src/types.rs"];
    assert!(types.contains("pub(crate) self_:"), "{types}");
    assert!(types.contains("pub(crate) self_value:"), "{types}");
    assert!(types.contains("pub(crate) super_:"), "{types}");
    assert!(
        types.contains("    SelfValue,") && types.contains("    SelfValueValue,"),
        "{types}"
    );
    for (path, text) in &generated.files {
        assert!(
            !text.contains("__value") && !text.contains("Self_"),
            "{path}"
        );
    }
}

#[test]
fn control_characters_in_the_service_name_stay_escaped_in_cargo_toml() {
    let mut m = model();
    m["metadata"]["serviceFullName"] = json!("Things\u{7f}\u{0}\r\n\"\\ Service");
    let generated = run(&m).unwrap();
    let manifest = &generated.files["Cargo.toml"];
    let description = manifest
        .lines()
        .find(|l| l.starts_with("description = "))
        .unwrap();
    assert_eq!(
        description,
        r#"description = "Client for Things\u007F\u0000\r\n\"\\ Service (API version 2020-01-01), generated from its service model.""#
    );
}

/// Found by `cargo xtask fuzz` (seed 2161): a service id `Self` made the
/// crate `self`, whose library name cannot be an identifier, raw or not.
#[test]
fn a_service_id_that_is_a_keyword_gets_a_crate_name_cargo_accepts() {
    for (id, name) in [
        ("Self", "aws-self"),
        ("type", "aws-type"),
        ("std", "aws-std"),
    ] {
        let mut m = model();
        m["metadata"]["serviceId"] = json!(id);
        let generated = run(&m).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(generated.name, name);
    }
}

/// A chain of `depth` structures, each holding the next, ending in a string,
/// held by `Thing.chain`.
fn chained_structures(depth: usize) -> Value {
    let mut m = model();
    for level in 0..depth {
        let next = if level + 1 == depth {
            "Text".to_owned()
        } else {
            format!("S{}", level + 1)
        };
        add_shape(
            &mut m,
            &format!("S{level}"),
            json!({"type": "structure", "members": {"next": {"shape": next}}}),
        );
    }
    add_member(&mut m, "Thing", "chain", "S0");
    m
}

#[test]
fn structures_chained_past_the_documented_depth_are_an_error_naming_the_chain() {
    // In -> Thing -> S0 -> ... -> Text: the chain plus three shapes.
    let at_limit = codegen::resolve::MAX_DEPTH - 3;
    run(&chained_structures(at_limit)).unwrap();
    let shown = model_error(&chained_structures(at_limit + 1));
    assert!(
        shown.contains(&format!(
            "shape `In`: its type reaches {} shapes deep (In -> Thing -> S0 -> S1 -> ...), more than {}",
            codegen::resolve::MAX_DEPTH + 1,
            codegen::resolve::MAX_DEPTH
        )),
        "{shown}"
    );
    // Thousands deep: still an error, found without deep recursion.
    let shown = model_error(&chained_structures(5_000));
    assert!(
        shown.contains("its type reaches 5003 shapes deep"),
        "{shown}"
    );
}
