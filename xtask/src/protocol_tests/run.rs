//! Generating the scratch workspace, running its tests, reading the results.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::process::Command;

use proc_macro2::TokenStream;
use quote::quote;

use codegen::naming::{ident, lib_name};

use super::emit::suite_tests;
use super::suite::{IgnoreLists, Suite};
use super::{CaseResult, Outcome};
use crate::codegen::Failure;

/// Where a test's result goes: suite index and case index.
type Slot = (usize, usize);

/// Generates, builds and runs every suite; returns one result per case.
pub fn run_suites(
    root: &Path,
    work: &Path,
    suites: &[Suite],
    skips: &IgnoreLists,
) -> Result<Vec<CaseResult>, Failure> {
    let mut outcomes: BTreeMap<Slot, Outcome> = BTreeMap::new();
    let mut tests: BTreeMap<String, Slot> = BTreeMap::new();
    let mut modules: BTreeMap<usize, TokenStream> = BTreeMap::new();
    let runtime = root.join("codegen/runtime");
    let options = codegen::Options {
        runtime_path: runtime.display().to_string(),
        credentials_path: None,
        ..Default::default()
    };
    if work.exists() {
        // Crates of an earlier run must not linger; the build cache stays.
        let _ = fs::remove_dir_all(work.join("crates"));
        let _ = fs::remove_dir_all(work.join("runner"));
    }

    for (s, suite) in suites.iter().enumerate() {
        let fail_all = |reason: String, outcomes: &mut BTreeMap<Slot, Outcome>| {
            for c in 0..suite.cases.len() {
                outcomes
                    .entry((s, c))
                    .or_insert_with(|| Outcome::Failed(reason.clone()));
            }
        };
        let mut runnable = Vec::new();
        for (c, case) in suite.cases.iter().enumerate() {
            match skips.reason(suite, case) {
                Some(reason) => {
                    outcomes.insert((s, c), Outcome::Skipped(reason));
                }
                None => runnable.push((c, case)),
            }
        }
        if runnable.is_empty() {
            continue;
        }
        let model_name = format!("{}#{}", suite.file, suite.description);
        let text = suite.model.to_string();
        // The same entry point as `cargo xtask codegen`.
        let generated = match codegen::generate(&model_name, &text, &options) {
            Ok(generated) => generated,
            Err(e) => {
                fail_all(format!("generation failed: {e}"), &mut outcomes);
                continue;
            }
        };
        let model =
            codegen::model::parse(&model_name, &text).map_err(|e| Failure(e.to_string()))?;
        let service =
            codegen::resolve::resolve(&model_name, &model).map_err(|e| Failure(e.to_string()))?;
        let crate_dir = work.join("crates").join(&suite.crate_name);
        for (path, content) in &generated.files {
            write(&crate_dir.join(path), content)?;
        }
        let lib = ident(&lib_name(&generated.name));
        let emitted = suite_tests(&service, &lib, &suite.endpoint, &runnable);
        for (c, reason) in emitted.errors {
            outcomes.insert(
                (s, c),
                Outcome::Failed(format!("test not emitted: {reason}")),
            );
        }
        let module = ident(&format!("s{s:03}"));
        for (c, name) in emitted.names {
            tests.insert(format!("{module}::{name}"), (s, c));
        }
        modules.insert(s, emitted.tokens);
    }

    let mut excluded: BTreeSet<usize> = BTreeSet::new();
    loop {
        write_workspace(root, work, suites, &modules, &excluded)?;
        let output = cargo_test(work)?;
        let broken = broken_suites(&output, suites, &excluded);
        if broken.is_empty() {
            if !output.contains("running ") {
                let tail: Vec<&str> = output.lines().rev().take(30).collect();
                let tail: Vec<&str> = tail.into_iter().rev().collect();
                return Err(Failure(format!(
                    "the protocol tests did not build:\n{}",
                    tail.join("\n")
                )));
            }
            read_results(&output, &tests, &mut outcomes);
            break;
        }
        // A suite whose crate or tests do not compile fails as a whole; the rest still run.
        for (s, error) in broken {
            for slot in tests.values().filter(|slot| slot.0 == s) {
                outcomes.insert(*slot, Outcome::Failed(format!("does not compile: {error}")));
            }
            excluded.insert(s);
        }
    }

    let mut results = Vec::new();
    for (s, suite) in suites.iter().enumerate() {
        for (c, case) in suite.cases.iter().enumerate() {
            let outcome = outcomes
                .get(&(s, c))
                .cloned()
                .unwrap_or_else(|| Outcome::Failed("the test did not run".to_owned()));
            results.push(CaseResult {
                file: suite.file.clone(),
                id: case.id.clone(),
                outcome,
            });
        }
    }
    Ok(results)
}

fn write(path: &Path, content: &str) -> Result<(), Failure> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| Failure(format!("{}: {e}", parent.display())))?;
    }
    if fs::read_to_string(path).ok().as_deref() == Some(content) {
        return Ok(());
    }
    fs::write(path, content).map_err(|e| Failure(format!("{}: {e}", path.display())))
}

/// The scratch workspace: the suite crates and a runner crate holding every test.
fn write_workspace(
    root: &Path,
    work: &Path,
    suites: &[Suite],
    modules: &BTreeMap<usize, TokenStream>,
    excluded: &BTreeSet<usize>,
) -> Result<(), Failure> {
    let included: Vec<usize> = modules
        .keys()
        .copied()
        .filter(|s| !excluded.contains(s))
        .collect();
    let mut members = vec!["\"runner\"".to_owned()];
    let mut deps = String::new();
    for s in &included {
        let name = &suites[*s].crate_name;
        members.push(format!("\"crates/{name}\""));
        deps.push_str(&format!("{name} = {{ path = \"../crates/{name}\" }}\n"));
    }
    write(
        &work.join("Cargo.toml"),
        &format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )?;
    // Pin dependency versions to the project's lockfile.
    if !work.join("Cargo.lock").exists() {
        if let Ok(lock) = fs::read_to_string(root.join("Cargo.lock")) {
            write(&work.join("Cargo.lock"), &lock)?;
        }
    }
    let runtime = root.join("codegen/runtime");
    write(
        &work.join("runner/Cargo.toml"),
        &format!(
            "[package]\nname = \"runner\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\nsdk-runtime = {{ path = {:?} }}\nserde_json = \"1\"\n{deps}",
            runtime.display().to_string()
        ),
    )?;
    for s in &included {
        let tests = &modules[s];
        let description = format!(
            " Suite `{}` of {}.",
            suites[*s].description, suites[*s].file
        );
        write_rust(
            &work.join(format!("runner/src/s{s:03}.rs")),
            quote! {
                #![doc = #description]
                #tests
            },
        )?;
    }
    let mods = included.iter().map(|s| ident(&format!("s{s:03}")));
    write_rust(
        &work.join("runner/src/lib.rs"),
        quote! {
            //! Protocol-test cases, one module per suite (generated by `cargo xtask protocol-tests`).
            #![cfg(test)]
            #![allow(clippy::all, unused)]
            #(mod #mods;)*
        },
    )
}

fn write_rust(path: &Path, tokens: TokenStream) -> Result<(), Failure> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| {
        Failure(format!(
            "{}: the emitted tests do not parse: {e}",
            path.display()
        ))
    })?;
    write(path, &prettyplease::unparse(&file))
}

fn cargo_test(work: &Path) -> Result<String, Failure> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .current_dir(work)
        .args([
            "test",
            "-p",
            "runner",
            "--no-fail-fast",
            "--",
            "--test-threads=2",
        ])
        .env("CARGO_TARGET_DIR", work.join("target"))
        .env("CARGO_TERM_COLOR", "never")
        .env("RUSTFLAGS", "--cap-lints=allow")
        .env("RUST_BACKTRACE", "0")
        .output()
        .map_err(|e| Failure(format!("running cargo test: {e}")))?;
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    Ok(text)
}

/// Suites whose crate or tests failed to compile, with the first error of each.
///
/// Errors point at `crates/<suite crate>/...` or `runner/src/sNNN.rs`; both name the suite.
fn broken_suites(
    output: &str,
    suites: &[Suite],
    excluded: &BTreeSet<usize>,
) -> Vec<(usize, String)> {
    let mut broken: BTreeMap<usize, String> = BTreeMap::new();
    let mut last_error: Option<&str> = None;
    for line in output.lines() {
        if line.starts_with("error") {
            last_error = Some(line);
        }
        let Some(location) = line.trim_start().strip_prefix("--> ") else {
            continue;
        };
        let suite = if let Some(rest) = location.split("crates/").nth(1) {
            let name = rest.split('/').next().unwrap_or_default();
            suites.iter().position(|s| s.crate_name == name)
        } else {
            location
                .split("runner/src/s")
                .nth(1)
                .and_then(|rest| rest.get(..3))
                .and_then(|n| n.parse().ok())
        };
        if let (Some(s), Some(error)) = (suite, last_error) {
            broken.entry(s).or_insert_with(|| error.to_owned());
        }
    }
    broken
        .into_iter()
        .filter(|(s, _)| !excluded.contains(s))
        .collect()
}

/// Reads libtest's `test name ... ok|FAILED|ignored` lines and failure output.
fn read_results(
    output: &str,
    tests: &BTreeMap<String, Slot>,
    outcomes: &mut BTreeMap<Slot, Outcome>,
) {
    let mut failures: BTreeMap<&str, String> = BTreeMap::new();
    let mut current: Option<&str> = None;
    for line in output.lines() {
        if let Some(name) = line
            .strip_prefix("---- ")
            .and_then(|l| l.strip_suffix(" stdout ----"))
        {
            current = Some(name);
            continue;
        }
        if let Some(name) = current {
            let reason = failures.entry(name).or_default();
            let line = line.trim();
            let informative = !line.is_empty()
                && !line.starts_with("note:")
                && !line.starts_with("stack backtrace")
                && !line.starts_with("thread '");
            if informative && reason.len() < 400 {
                if !reason.is_empty() {
                    reason.push(' ');
                }
                reason.push_str(line);
            }
            if line.starts_with("failures:") {
                current = None;
            }
        }
    }
    for (name, slot) in tests {
        let passed = output.contains(&format!("test {name} ... ok"));
        let outcome = if passed {
            Outcome::Passed
        } else if let Some(reason) = failures.get(name.as_str()) {
            Outcome::Failed(reason.trim_end_matches("failures:").trim().to_owned())
        } else {
            Outcome::Failed("the test did not run".to_owned())
        };
        outcomes.insert(*slot, outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_read_from_libtest_output() {
        let output = "\
running 3 tests
test s000::a ... ok
test s000::b ... FAILED
test s001::c ... ok

failures:

---- s000::b stdout ----

thread 's000::b' panicked at runner/src/s000.rs:9:5:
query: expected [(\"a\", \"1\")], got []
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace

failures:
    s000::b

test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out
";
        let tests: BTreeMap<String, Slot> = [
            ("s000::a".to_owned(), (0, 0)),
            ("s000::b".to_owned(), (0, 1)),
            ("s001::c".to_owned(), (1, 0)),
            ("s001::d".to_owned(), (1, 1)),
        ]
        .into_iter()
        .collect();
        let mut outcomes = BTreeMap::new();
        read_results(output, &tests, &mut outcomes);
        assert!(matches!(outcomes[&(0, 0)], Outcome::Passed));
        assert!(
            matches!(&outcomes[&(0, 1)], Outcome::Failed(r) if r == r#"query: expected [("a", "1")], got []"#),
            "{:?}",
            outcomes[&(0, 1)]
        );
        assert!(matches!(outcomes[&(1, 0)], Outcome::Passed));
        assert!(matches!(&outcomes[&(1, 1)], Outcome::Failed(r) if r.contains("did not run")));
    }

    #[test]
    fn compile_errors_are_attributed_to_their_suite() {
        let suites: Vec<Suite> = super::super::suite::parse_file(
            "f.json",
            0,
            r#"[{"description": "A", "metadata": {}, "shapes": {}, "cases": []},
                {"description": "B", "metadata": {}, "shapes": {}, "cases": []}]"#,
        )
        .unwrap();
        let output = "\
error[E0308]: mismatched types
  --> crates/pt-0-001/src/types.rs:10:5
error[E0425]: cannot find value
  --> runner/src/s000.rs:3:9
";
        let broken = broken_suites(output, &suites, &BTreeSet::new());
        assert_eq!(broken.len(), 2);
        assert_eq!(broken[0], (0, "error[E0425]: cannot find value".to_owned()));
        assert_eq!(broken[1], (1, "error[E0308]: mismatched types".to_owned()));
        assert!(broken_suites(output, &suites, &[0, 1].into_iter().collect()).is_empty());
    }
}
