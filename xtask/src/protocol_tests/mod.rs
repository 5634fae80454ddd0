//! `cargo xtask protocol-tests FILE...`: runs protocol-test suites (the
//! botocore format: suites of a model and cases) against the real generator.
//!
//! For each suite the generator makes a crate from the suite's model, exactly
//! as `codegen` does; every case becomes a Rust test that goes through the
//! generated public API (builders in, `serialize_request` out; a response in,
//! `parse_response` out); all tests run in one scratch workspace under
//! `target/protocol-tests`. The report names each failing case and ends with
//! `N passed, M failed, K skipped`.

mod emit;
mod run;
mod suite;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::codegen::Failure;

/// The committed list of skipped cases and suites, each with its reason.
const SKIPS_FILE: &str = "xtask/protocol-test-skips.json";

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

/// Runs the suites in `files`; returns whether every case passed or was skipped.
pub fn run(root: &Path, files: &[String]) -> Result<bool, Failure> {
    if files.is_empty() {
        return Err(Failure(
            "usage: cargo xtask protocol-tests FILE...".to_owned(),
        ));
    }
    let skips = suite::Skips::load(&root.join(SKIPS_FILE))?;
    let mut suites = Vec::new();
    for (file_index, file) in files.iter().enumerate() {
        let text = fs::read_to_string(file).map_err(|e| Failure(format!("{file}: {e}")))?;
        suites.extend(suite::parse_file(file, file_index, &text)?);
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
