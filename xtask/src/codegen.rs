//! `cargo xtask codegen [--check]`: every model in `model/` becomes a crate in `generated/`.
//!
//! Everything is generated in memory first; if any model fails, nothing is
//! written. Then only files whose content changed are written (each through a
//! temporary file and a rename, so no file is ever half-written), and files
//! in `generated/` that no model produces are removed. `--check` writes
//! nothing and prints a unified diff of every drifted, missing and leftover file.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use similar::TextDiff;

/// Test models, not services: each generates a crate in `generated/` too,
/// built with `#![deny(warnings)]`, so every emitter branch is compiled and
/// linted by a plain `cargo test` and covered by the drift check.
pub const TEST_MODELS: &[&str] = &["codegen/tests/obstacle-course.json"];

/// Where `generated/` crates find the runtime crate.
const RUNTIME_FROM_CRATE: &str = "../../codegen/runtime";

/// What a run found: files to write and files to remove, relative to the project root.
#[derive(Debug, Default)]
pub struct Plan {
    /// Files whose content is missing or different: path, current content (if any), wanted content.
    pub writes: Vec<(PathBuf, Option<String>, String)>,
    /// Files under `generated/` that no model produces, with their content.
    pub removals: Vec<(PathBuf, String)>,
    /// Generated crates missing from the workspace's `members`.
    pub missing_members: Vec<String>,
}

impl Plan {
    /// Whether `generated/` matches the models.
    pub fn is_fresh(&self) -> bool {
        self.writes.is_empty() && self.removals.is_empty() && self.missing_members.is_empty()
    }
}

/// An error of a run, ready to print.
#[derive(Debug)]
pub struct Failure(pub String);

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure(e.to_string())
    }
}

fn read_dir_sorted(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut entries = fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<io::Result<Vec<_>>>()?;
    entries.sort();
    Ok(entries)
}

/// Every file below `dir`, relative to `root`, sorted.
fn files_below(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    for path in read_dir_sorted(dir)? {
        if path.is_dir() {
            files_below(root, &path, out)?;
        } else {
            out.push(path.strip_prefix(root).unwrap_or(&path).to_path_buf());
        }
    }
    Ok(())
}

/// Generates every model in memory: wanted file contents by path relative to `root`.
pub fn generate_all(root: &Path) -> Result<(BTreeMap<PathBuf, String>, Vec<String>), Failure> {
    let model_dir = root.join("model");
    let mut models: Vec<PathBuf> = read_dir_sorted(&model_dir)
        .map_err(|e| Failure(format!("reading {}: {e}", model_dir.display())))?
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    models.extend(TEST_MODELS.iter().map(|path| root.join(path)));
    let mut wanted = BTreeMap::new();
    let mut crates = Vec::new();
    let mut errors = Vec::new();
    for model in &models {
        let name = model
            .strip_prefix(root)
            .unwrap_or(model)
            .to_string_lossy()
            .replace('\\', "/");
        let options = codegen::Options {
            runtime_path: RUNTIME_FROM_CRATE.to_owned(),
            // Test crates fail the build on any warning.
            deny_warnings: TEST_MODELS.contains(&name.as_str()),
        };
        let text = match fs::read_to_string(model) {
            Ok(text) => text,
            Err(e) => {
                errors.push(format!("{name}: {e}"));
                continue;
            }
        };
        match codegen::generate(&name, &text, &options) {
            Ok(generated) => {
                if crates.contains(&generated.name) {
                    errors.push(format!(
                        "{name}: another model also generates crate `{}`",
                        generated.name
                    ));
                    continue;
                }
                for (file, content) in generated.files {
                    wanted.insert(
                        Path::new("generated").join(&generated.name).join(file),
                        content,
                    );
                }
                crates.push(generated.name);
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    if !errors.is_empty() {
        return Err(Failure(errors.join("\n")));
    }
    Ok((wanted, crates))
}

/// Compares what the models generate with what is in `generated/`.
pub fn plan(root: &Path) -> Result<Plan, Failure> {
    let (wanted, crates) = generate_all(root)?;
    let mut existing = Vec::new();
    files_below(root, &root.join("generated"), &mut existing)?;
    let mut plan = Plan::default();
    for (path, content) in &wanted {
        let current = fs::read_to_string(root.join(path)).ok();
        if current.as_deref() != Some(content.as_str()) {
            plan.writes.push((path.clone(), current, content.clone()));
        }
    }
    for path in existing {
        if !wanted.contains_key(&path) {
            let content =
                fs::read_to_string(root.join(&path)).unwrap_or_else(|_| "(not text)\n".to_owned());
            plan.removals.push((path, content));
        }
    }
    let workspace = fs::read_to_string(root.join("Cargo.toml")).unwrap_or_default();
    for name in crates {
        let member = format!("\"generated/{name}\"");
        if !workspace.contains(&member) {
            plan.missing_members.push(name);
        }
    }
    Ok(plan)
}

/// Writes `content` to `path` through a temporary file in the same directory.
fn write_atomic(path: &Path, content: &str) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let tmp = path.with_extension("xtask-tmp");
    fs::write(&tmp, content)?;
    fs::rename(&tmp, path)
}

/// Applies `plan` under `root`; returns the lines to print.
pub fn apply(root: &Path, plan: &Plan) -> Result<Vec<String>, Failure> {
    let mut report = Vec::new();
    for (path, current, content) in &plan.writes {
        write_atomic(&root.join(path), content)?;
        let verb = if current.is_some() {
            "updated"
        } else {
            "created"
        };
        report.push(format!("{verb} {}", path.display()));
    }
    for (path, _) in &plan.removals {
        fs::remove_file(root.join(path))?;
        report.push(format!("removed {}", path.display()));
        // Remove directories the removal left empty, up to `generated/`.
        let mut dir = root.join(path);
        while dir.pop() && dir != root.join("generated") {
            if fs::remove_dir(&dir).is_err() {
                break;
            }
        }
    }
    Ok(report)
}

/// The unified diffs `--check` prints.
pub fn diffs(plan: &Plan) -> String {
    let mut out = String::new();
    for (path, current, wanted) in &plan.writes {
        let shown = path.display().to_string();
        let (old, old_name) = match current {
            Some(current) => (current.as_str(), format!("a/{shown}")),
            None => ("", "/dev/null (missing)".to_owned()),
        };
        let diff = TextDiff::from_lines(old, wanted.as_str());
        out.push_str(
            &diff
                .unified_diff()
                .header(&old_name, &format!("b/{shown}"))
                .to_string(),
        );
    }
    for (path, content) in &plan.removals {
        let shown = path.display().to_string();
        // Written by hand: an empty file has no hunks, and the header must show all the same.
        out.push_str(&format!(
            "--- a/{shown}\n+++ /dev/null (no model generates this file)\n"
        ));
        let diff = TextDiff::from_lines(content.as_str(), "");
        for hunk in diff.unified_diff().iter_hunks() {
            out.push_str(&hunk.to_string());
        }
    }
    for name in &plan.missing_members {
        out.push_str(&format!(
            "Cargo.toml: workspace `members` lacks \"generated/{name}\"; add it so the crate is built and tested\n"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project_root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap()
            .to_path_buf()
    }

    /// The drift check, as a test: plain `cargo test` fails when `generated/` is stale.
    #[test]
    fn generated_crates_are_fresh() {
        let plan = plan(&project_root()).unwrap_or_else(|e| panic!("{}", e.0));
        assert!(
            plan.is_fresh(),
            "generated/ is stale; run `cargo xtask codegen`:\n{}",
            diffs(&plan)
        );
    }

    /// A scratch project: the real models and test models, their generated crates, and a workspace listing them.
    fn scratch_project() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = project_root();
        fs::create_dir(dir.path().join("model")).unwrap();
        for model in read_dir_sorted(&root.join("model")).unwrap() {
            fs::copy(
                &model,
                dir.path().join("model").join(model.file_name().unwrap()),
            )
            .unwrap();
        }
        for model in TEST_MODELS {
            let to = dir.path().join(model);
            fs::create_dir_all(to.parent().unwrap()).unwrap();
            fs::copy(root.join(model), to).unwrap();
        }
        let (_, crates) = generate_all(dir.path()).unwrap();
        let members: Vec<String> = crates
            .iter()
            .map(|c| format!("\"generated/{c}\""))
            .collect();
        fs::write(
            dir.path().join("Cargo.toml"),
            format!("[workspace]\nmembers = [{}]\n", members.join(", ")),
        )
        .unwrap();
        let plan = plan(dir.path()).unwrap();
        apply(dir.path(), &plan).unwrap();
        dir
    }

    #[test]
    fn codegen_twice_changes_nothing() {
        let dir = scratch_project();
        let again = plan(dir.path()).unwrap();
        assert!(again.is_fresh(), "{}", diffs(&again));
    }

    #[test]
    fn hand_edit_stray_and_missing_files_are_reported_by_name() {
        let dir = scratch_project();
        let lib = dir.path().join("generated/iot-jobs-data-plane/src/lib.rs");
        let edited = fs::read_to_string(&lib)
            .unwrap()
            .replace("pub mod client;", "pub mod client; // edited");
        fs::write(&lib, edited).unwrap();
        fs::write(
            dir.path()
                .join("generated/iot-jobs-data-plane/src/stray.rs"),
            "fn stray() {}\n",
        )
        .unwrap();
        fs::remove_file(
            dir.path()
                .join("generated/iot-jobs-data-plane/src/error.rs"),
        )
        .unwrap();

        let plan = plan(dir.path()).unwrap();
        assert!(!plan.is_fresh());
        let text = diffs(&plan);
        assert!(
            text.contains("b/generated/iot-jobs-data-plane/src/lib.rs"),
            "{text}"
        );
        assert!(text.contains("-pub mod client; // edited"), "{text}");
        assert!(
            text.contains("a/generated/iot-jobs-data-plane/src/stray.rs"),
            "{text}"
        );
        assert!(text.contains("/dev/null (missing)"), "{text}");

        apply(dir.path(), &plan).unwrap();
        assert!(super::plan(dir.path()).unwrap().is_fresh());
        assert!(!dir
            .path()
            .join("generated/iot-jobs-data-plane/src/stray.rs")
            .exists());
    }

    #[test]
    fn model_change_is_drift() {
        let dir = scratch_project();
        let model = dir.path().join("model/iot-jobs-data-plane.json");
        let text = fs::read_to_string(&model).unwrap().replace(
            "Gets details of a job execution.",
            "Describes one job execution.",
        );
        fs::write(&model, text).unwrap();
        let text = diffs(&plan(dir.path()).unwrap());
        assert!(
            text.contains("+++ b/generated/iot-jobs-data-plane/src/client.rs"),
            "{text}"
        );
        assert!(
            text.lines()
                .any(|l| l.starts_with('+') && l.ends_with("/// Describes one job execution.")),
            "{text}"
        );
    }

    #[test]
    fn broken_model_writes_nothing_and_names_the_shape() {
        let dir = scratch_project();
        let model = dir.path().join("model/iot-jobs-data-plane.json");
        let original = fs::read_to_string(&model).unwrap();
        let before = snapshot(dir.path());

        let dangling = original.replace(
            "\"shape\": \"JobExecution\"",
            "\"shape\": \"JobExecutionX\"",
        );
        fs::write(&model, dangling).unwrap();
        let err = plan(dir.path()).unwrap_err().0;
        assert!(
            err.contains("refers to unknown shape `JobExecutionX`"),
            "{err}"
        );
        assert!(
            err.contains("model/iot-jobs-data-plane.json: shape `"),
            "{err}"
        );

        fs::write(&model, &original[..original.len() / 2]).unwrap();
        let err = plan(dir.path()).unwrap_err().0;
        assert!(err.contains("model/iot-jobs-data-plane.json"), "{err}");
        assert!(err.contains("truncated"), "{err}");

        assert_eq!(
            before,
            snapshot(dir.path()),
            "generated/ changed after a failed run"
        );
    }

    fn snapshot(root: &Path) -> Vec<(PathBuf, String)> {
        let mut files = Vec::new();
        files_below(root, &root.join("generated"), &mut files).unwrap();
        files
            .into_iter()
            .map(|f| (f.clone(), fs::read_to_string(root.join(f)).unwrap()))
            .collect()
    }
}
