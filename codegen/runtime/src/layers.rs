//! Holds the modules to the layer order of the crate docs: a module may name
//! (`crate::…`) only modules of its own layer or of layers before it, so an
//! import cycle between layers fails here.
//!
//! The sources are read from disk (this test runs in the crate's directory);
//! comments (doc links may point anywhere) and `#[cfg(test)] mod tests`
//! blocks (tests may use anything) are skipped.

use std::fs;
use std::path::{Path, PathBuf};

/// The layers, first to last, and the top-level modules (files or folders
/// under `src/`) of each.
const LAYERS: &[(&str, &[&str])] = &[
    ("value", &["value"]),
    ("environment", &["env", "executor"]),
    ("endpoint", &["endpoint"]),
    ("transport", &["transport"]),
    ("credentials", &["credentials"]),
    ("sigv4", &["sigv4"]),
    (
        "core",
        &[
            "block_on",
            "clock",
            "config",
            "error",
            "event_receiver",
            "operation",
            "paginator",
            "retry",
            "sleep",
            "token",
            "user_agent",
            "waiter",
        ],
    ),
    ("protocol", &["protocol"]),
    ("testing", &["testing"]),
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of `source` without comments and without its unit tests.
fn code(source: &str) -> String {
    let source = match source.find("#[cfg(test)]\nmod tests {") {
        Some(at) => &source[..at],
        None => source,
    };
    source
        .lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first segment of every `crate::` path in `code`, expanding
/// `crate::{a, b::c}` groups.
fn crate_paths(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        // `sdk_runtime::crate::` cannot occur; `$crate::` and `foo_crate::` are not ours.
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                found.push(first_segment(item.trim()));
            }
        } else {
            found.push(first_segment(rest));
        }
    }
    found.retain(|s| !s.is_empty());
    found
}

fn first_segment(path: &str) -> String {
    path.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

#[test]
fn layers_have_no_cycles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut problems = Vec::new();
    let mut seen_modules = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let top = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_str()
            .unwrap()
            .trim_end_matches(".rs")
            .to_owned();
        if matches!(top.as_str(), "lib" | "layers" | "hostile_input") {
            // The crate root re-exports every layer; these two test modules
            // (compiled for tests only) read or call them all.
            continue;
        }
        let Some(own) = layer_of(&top) else {
            problems.push(format!(
                "{}: module `{top}` is in no layer; add it to LAYERS and the crate docs",
                relative.display()
            ));
            continue;
        };
        seen_modules.push(top.clone());
        let text = fs::read_to_string(file).unwrap();
        for target in crate_paths(&code(&text)) {
            match layer_of(&target) {
                Some(layer) if layer <= own => {}
                Some(layer) => problems.push(format!(
                    "{}: `crate::{target}` is in layer `{}`, above `{}`",
                    relative.display(),
                    LAYERS[layer].0,
                    LAYERS[own].0
                )),
                None => problems.push(format!(
                    "{}: `crate::{target}` is not a module of a layer; name items by their \
                     module's path (`crate::value::Blob`, not `crate::Blob`)",
                    relative.display()
                )),
            }
        }
    }
    // Every layer's modules exist, so the list says what the crate is.
    for (layer, modules) in LAYERS {
        for module in *modules {
            if !seen_modules.iter().any(|m| m == module) {
                problems.push(format!(
                    "layer `{layer}` lists `{module}`, which has no file"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_scan_sees_paths_and_groups() {
    let code = code(
        "use crate::value::Blob;\n\
         use crate::{error::BuildError, transport};\n\
         // crate::protocol in a comment\n\
         fn f() { crate::retry::classify(); $crate::x(); }\n\
         #[cfg(test)]\nmod tests {\n use crate::testing::response;\n}",
    );
    assert_eq!(crate_paths(&code), ["value", "error", "transport", "retry"]);
}
