//! The README's quick start is code that compiles: the marked lines of
//! `codegen/examples/quick_start.rs`, word for word.

use std::fs;
use std::path::Path;

const BEGIN: &str = "// quick start: begin\n";
const END: &str = "// quick start: end";

/// The text between `start` and the next `end` after it, if both are there.
fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(&text[from..from + len])
}

#[test]
fn readme_quick_start_is_the_compiled_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen/ has a parent");
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    let example = fs::read_to_string(root.join("codegen/examples/quick_start.rs")).unwrap();

    let marked = between(&example, BEGIN, END).expect("quick_start.rs has the markers");
    // The example's lines sit in `main`, four spaces in.
    let code: String = marked
        .trim_end()
        .lines()
        .map(|line| format!("{}\n", line.strip_prefix("    ").unwrap_or(line)))
        .collect();

    let section = between(&readme, "## Quick start\n", "\n## ").expect("README has a Quick start");
    let block = between(section, "```rust\n", "```").expect("Quick start has a rust block");
    assert_eq!(
        block, code,
        "README's quick start differs from examples/quick_start.rs"
    );
}
