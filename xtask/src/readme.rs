//! The README's examples, built as a user would paste them: a step of
//! `cargo xtask test`.
//!
//! The README's one ```` ```toml ```` block is a program's `[dependencies]`;
//! every ```` ```rust ```` block is a whole program (`src/main.rs`). They
//! go, word for word, into a scratch package under `target/readme-examples/app`,
//! one binary per block, beside a link named [`CLONE_NAME`] to this project
//! (the README tells users to clone it beside their program under that
//! name), and the package is built. Nothing is rewritten: what fails here
//! fails for a user.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::codegen::Failure;

/// The folder name the README gives the clone of this repository.
pub const CLONE_NAME: &str = "aws-sdk-gen";

/// A fenced code block of the README: its info string, first line and text.
#[derive(Debug, PartialEq, Eq)]
pub struct Block {
    /// The info string after the fence (`rust`, `toml`, `sh`, ...).
    pub info: String,
    /// The README line the block's text starts on (1-based).
    pub line: usize,
    /// The text between the fences.
    pub text: String,
}

/// Every fenced block of `markdown`, in order; an unclosed fence is an error.
pub fn blocks(markdown: &str) -> Result<Vec<Block>, String> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for (number, line) in markdown.lines().enumerate() {
        let fence = line.trim_start().starts_with("```");
        match (&mut open, fence) {
            (None, true) => {
                open = Some(Block {
                    info: line.trim_start().trim_start_matches('`').trim().to_owned(),
                    line: number + 2,
                    text: String::new(),
                });
            }
            (Some(_), true) => blocks.extend(open.take()),
            (Some(block), false) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
            (None, false) => {}
        }
    }
    match open {
        Some(block) => Err(format!(
            "README.md: the code block opened before line {} is never closed",
            block.line
        )),
        None => Ok(blocks),
    }
}

/// The scratch package's manifest: the README's dependencies under a package
/// of its own, outside this project's workspace.
fn manifest(dependencies: &str, bins: usize) -> String {
    let mut text = String::from(
        "[package]\nname = \"readme-examples\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n# Not part of the project's workspace.\n[workspace]\n\n",
    );
    for bin in 1..=bins {
        text.push_str(&format!(
            "[[bin]]\nname = \"readme-{bin}\"\npath = \"src/bin/readme_{bin}.rs\"\n\n"
        ));
    }
    text.push_str(dependencies);
    text
}

/// Builds the README's examples; `Ok` when every one compiles warning-free.
pub fn check(root: &Path) -> Result<(), Failure> {
    let readme = fs::read_to_string(root.join("README.md"))
        .map_err(|e| Failure(format!("README.md: {e}")))?;
    let blocks = blocks(&readme).map_err(Failure)?;
    let tomls: Vec<&Block> = blocks.iter().filter(|b| b.info == "toml").collect();
    let [dependencies] = tomls.as_slice() else {
        return Err(Failure(format!(
            "README.md: expected one ```toml block (the examples' dependencies), found {}",
            tomls.len()
        )));
    };
    if !dependencies.text.starts_with("[dependencies]\n") {
        return Err(Failure(format!(
            "README.md line {}: the ```toml block must start with `[dependencies]`",
            dependencies.line
        )));
    }
    let programs: Vec<&Block> = blocks
        .iter()
        .filter(|b| b.info.split(',').next() == Some("rust"))
        .collect();
    if let Some(block) = programs.iter().find(|b| b.info != "rust") {
        return Err(Failure(format!(
            "README.md line {}: ```{} — every Rust block is a whole program that the test command builds; no attributes",
            block.line, block.info
        )));
    }

    let scratch = root.join("target/readme-examples");
    let app = scratch.join("app");
    let _ = fs::remove_dir_all(app.join("src"));
    fs::create_dir_all(app.join("src/bin"))?;
    let clone = scratch.join(CLONE_NAME);
    if fs::symlink_metadata(&clone).is_err() {
        link_dir(root, &clone)?;
    }
    fs::write(
        app.join("Cargo.toml"),
        manifest(&dependencies.text, programs.len()),
    )?;
    // The project's lock file, so the examples build with the versions the
    // project is tested with (and reuse its compiled dependencies).
    fs::copy(root.join("Cargo.lock"), app.join("Cargo.lock"))?;
    for (index, block) in programs.iter().enumerate() {
        fs::write(
            app.join(format!("src/bin/readme_{}.rs", index + 1)),
            &block.text,
        )?;
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(["build", "--bins", "--message-format=short"])
        .arg("--manifest-path")
        .arg(app.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", root.join("target"))
        .output()
        .map_err(|e| Failure(format!("could not run cargo: {e}")))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Warnings of the examples themselves (their paths are under src/bin).
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("src/bin/") && l.contains("warning"))
        .collect();
    if !output.status.success() || !warnings.is_empty() {
        let which: Vec<String> = programs
            .iter()
            .enumerate()
            .map(|(i, b)| {
                format!(
                    "src/bin/readme_{}.rs = the ```rust block at README.md line {}",
                    i + 1,
                    b.line
                )
            })
            .collect();
        return Err(Failure(format!(
            "the README's examples do not build as pasted ({}):\n{stderr}",
            which.join("; ")
        )));
    }
    println!(
        "README: {} examples built with the README's dependencies",
        programs.len()
    );
    Ok(())
}

#[cfg(unix)]
fn link_dir(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn link_dir(_target: &Path, link: &Path) -> std::io::Result<()> {
    Err(std::io::Error::other(format!(
        "{}: linking the project needs a unix system",
        link.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_found_with_info_and_line() {
        let text = "# T\n\n```toml\n[dependencies]\n```\n\ntext\n```rust\nfn main() {}\n```\n";
        let found = blocks(text).unwrap();
        assert_eq!(
            found,
            [
                Block {
                    info: "toml".into(),
                    line: 4,
                    text: "[dependencies]\n".into()
                },
                Block {
                    info: "rust".into(),
                    line: 9,
                    text: "fn main() {}\n".into()
                },
            ]
        );
        assert!(blocks("```rust\nfn main() {}\n")
            .unwrap_err()
            .contains("never closed"));
    }

    #[test]
    fn every_readme_block_is_checked() {
        let readme = fs::read_to_string(crate::project_root().join("README.md")).unwrap();
        let found = blocks(&readme).unwrap();
        assert_eq!(found.iter().filter(|b| b.info == "toml").count(), 1);
        assert!(found.iter().filter(|b| b.info == "rust").count() >= 2);
        assert!(
            found.iter().all(|b| !b.info.starts_with("rust,")),
            "a README Rust block is marked to be skipped"
        );
    }

    #[test]
    fn the_manifest_names_one_bin_per_block() {
        let text = manifest("[dependencies]\nx = \"1\"\n", 2);
        assert!(text.contains("[workspace]\n"));
        assert!(text.contains("name = \"readme-2\"\npath = \"src/bin/readme_2.rs\""));
        assert!(text.ends_with("[dependencies]\nx = \"1\"\n"));
    }
}
