//! `cargo xtask protocol-tests FILE...`: runs protocol-test suites (the
//! botocore format: suites of a model and cases) against the real generator.
//!
//! For each suite the generator makes a crate from the suite's model, exactly
//! as `codegen` does; every case becomes a Rust test that goes through the
//! generated public API (builders in, `serialize_request` out; a response in,
//! `parse_response` out); all tests run in one scratch workspace under
//! `target/protocol-tests`. The report names each failing case and ends with
//! `N passed, M failed, K skipped`.
//!
//! Skipped are exactly the cases botocore's own runner skips: its ignore list
//! (`protocol-tests-ignore-list.json`, found beside the suites as in the
//! botocore sdist, or given with `--ignore-list FILE`) is read as botocore
//! reads it.

mod emit;
mod run;
mod suite;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::codegen::Failure;

/// Why a case did not pass.
#[derive(Debug, Clone)]
pub enum Outcome {
    Passed,
    Failed(String),
    Skipped(String),
}

/// One case's identity and result.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub file: String,
    pub id: String,
    pub outcome: Outcome,
}

const USAGE: &str = "usage: cargo xtask protocol-tests [--ignore-list FILE] FILE...";

/// Runs the suites in `args` (files, and `--ignore-list FILE`); returns
/// whether every case passed or was skipped.
pub fn run(root: &Path, args: &[String]) -> Result<bool, Failure> {
    let mut files = Vec::new();
    let mut given_list = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--ignore-list" {
            let path = args.next().ok_or_else(|| Failure(USAGE.to_owned()))?;
            given_list = Some(suite::Skips::load(Path::new(path))?);
        } else {
            files.push(arg.clone());
        }
    }
    if files.is_empty() {
        return Err(Failure(USAGE.to_owned()));
    }
    let mut skips = suite::IgnoreLists::default();
    let mut suites = Vec::new();
    for (file_index, file) in files.iter().enumerate() {
        let text = fs::read_to_string(file).map_err(|e| Failure(format!("{file}: {e}")))?;
        suites.extend(suite::parse_file(file, file_index, &text)?);
        let list = match &given_list {
            Some(list) => Some(list.clone()),
            None => suite::Skips::find(Path::new(file))
                .map(|path| suite::Skips::load(&path))
                .transpose()?,
        };
        match list {
            Some(list) => skips.insert(file, list),
            None => println!(
                "note: no ignore list ({}) beside {file}: no case of it is skipped",
                suite::IGNORE_LIST_NAMES.join(" or ")
            ),
        }
    }
    let work = root.join("target/protocol-tests");
    let results = run::run_suites(root, &work, &suites, &skips)?;
    Ok(report(&results))
}

/// Prints failures and the summary line; returns whether nothing failed.
fn report(results: &[CaseResult]) -> bool {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for result in results {
        let kind = match &result.outcome {
            Outcome::Passed => "passed",
            Outcome::Failed(reason) => {
                println!("FAILED {} ({}): {}", result.id, result.file, reason);
                "failed"
            }
            Outcome::Skipped(reason) => {
                println!("skipped {} ({}): {}", result.id, result.file, reason);
                "skipped"
            }
        };
        *counts.entry(kind).or_default() += 1;
    }
    let count = |kind| counts.get(kind).copied().unwrap_or(0);
    println!(
        "{} passed, {} failed, {} skipped",
        count("passed"),
        count("failed"),
        count("skipped")
    );
    count("failed") == 0
}
