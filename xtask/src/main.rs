//! Project tasks, run as `cargo xtask <task>`.

mod codegen;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  codegen           regenerate every crate in generated/ from every model in model/
  codegen --check   exit non-zero, with a diff, if generated/ is not what the models generate
";

fn project_root() -> PathBuf {
    // xtask/ sits directly in the project root.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["codegen"] => run_codegen(false),
        ["codegen", "--check"] => run_codegen(true),
        ["help" | "--help" | "-h"] => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprint!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run_codegen(check: bool) -> ExitCode {
    let root = project_root();
    let plan = match codegen::plan(&root) {
        Ok(plan) => plan,
        Err(failure) => {
            eprintln!("{}", failure.0);
            eprintln!("error: nothing was written");
            return ExitCode::FAILURE;
        }
    };
    if check {
        if plan.is_fresh() {
            println!("generated/ is fresh");
            return ExitCode::SUCCESS;
        }
        print!("{}", codegen::diffs(&plan));
        eprintln!("error: generated/ is stale; run `cargo xtask codegen` and commit the result");
        return ExitCode::FAILURE;
    }
    match codegen::apply(&root, &plan) {
        Ok(report) => {
            for line in &report {
                println!("{line}");
            }
            if report.is_empty() {
                println!("generated/ is already fresh");
            }
            for name in &plan.missing_members {
                eprintln!("warning: add \"generated/{name}\" to `members` in Cargo.toml");
            }
            ExitCode::SUCCESS
        }
        Err(failure) => {
            eprintln!("error: {}", failure.0);
            ExitCode::FAILURE
        }
    }
}
