//! Project tasks, run as `cargo xtask <task>`.

mod bench;
mod codegen;
mod corpus;
mod endpoint_tests;
mod protocol_tests;
mod readme;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  bench [--compile] [--build-runs N] [--rounds N] [DIR]
                    our client against aws-sdk and a serde_json floor: per call, bulk
                    parse, codegen (DIR: a botocore data folder adds the whole corpus);
                    --compile adds cold builds and binary sizes (minutes)
  codegen           regenerate every crate in generated/ from every model in model/
  codegen --check   exit non-zero, with a diff, if generated/ is not what the models generate
  fuzz [SECONDS] [--from SEED] [--case-limit SECONDS] | fuzz --seed SEED
                    seeded structural mutation of models through the generator (in
                    worker subprocesses: crashes and hangs are counted), and the
                    generated and runtime parsers; default 60 s; prints each finding's
                    seed and `N cases, P panics, H hangs, U unparsable`, exits non-zero
                    on any finding; --seed SEED reruns one generator case
  corpus DIR [--compile [SERVICES...] | --bench [RUNS]]
                    generate (and check, or time) every rest-json model of a botocore data folder
  endpoint-tests MODELS_DIR TESTS_DIR
                    every service's endpoint rule set (MODELS_DIR: a botocore data folder)
                    against its endpoint-tests-1.json cases (TESTS_DIR: botocore's
                    tests/functional/endpoint-rules); prints each failure and
                    `N passed, M failed, K skipped`
  protocol-tests FILE...
                    run protocol-test suites (botocore's format) against the generator
  readme            build the README's examples as pasted (also a step of `test`)
  test              the project's test command: formatting, clippy (generated crates
                    included), every test, rustdoc of the generated crates, drift check
";

/// One step of `cargo xtask test`: a cargo command and extra environment.
struct Step {
    name: &'static str,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
}

/// The steps of `cargo xtask test`, in order: cheap checks first.
const TEST_STEPS: &[Step] = &[
    Step {
        name: "formatting",
        args: &["fmt", "--all", "--check"],
        env: &[],
    },
    Step {
        name: "clippy",
        args: &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ],
        env: &[],
    },
    // The workspace build turns on every feature some member asks for; the
    // runtime's core-only build (no transport) is checked on its own.
    Step {
        name: "clippy (runtime without features)",
        args: &[
            "clippy",
            "-p",
            "sdk-runtime",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        env: &[],
    },
    Step {
        name: "clippy (runtime with https only)",
        args: &[
            "clippy",
            "-p",
            "sdk-runtime",
            "--all-targets",
            "--features",
            "https",
            "--",
            "-D",
            "warnings",
        ],
        env: &[],
    },
    Step {
        name: "tests",
        args: &["test", "--workspace"],
        env: &[],
    },
    Step {
        name: "tests (runtime without features)",
        args: &["test", "-p", "sdk-runtime", "--lib"],
        env: &[],
    },
    // With `https` alone, ureq is the default transport: its own build.
    Step {
        name: "tests (runtime with https only)",
        args: &["test", "-p", "sdk-runtime", "--lib", "--features", "https"],
        env: &[],
    },
    Step {
        name: "rustdoc",
        args: &["doc", "--workspace", "--no-deps", "--all-features"],
        env: &[("RUSTDOCFLAGS", "-D warnings")],
    },
];

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
        ["test"] => run_tests(),
        ["fuzz", args @ ..] => run_fuzz(args),
        ["readme"] => run_readme(),
        ["bench", args @ ..] => {
            let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
            match bench::run(&project_root(), &args) {
                Ok(()) => ExitCode::SUCCESS,
                Err(failure) => {
                    eprintln!("error: {}", failure.0);
                    ExitCode::FAILURE
                }
            }
        }
        ["corpus", args @ ..] => {
            let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
            match corpus::run(&project_root(), &args) {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => ExitCode::FAILURE,
                Err(failure) => {
                    eprintln!("error: {}", failure.0);
                    ExitCode::FAILURE
                }
            }
        }
        ["endpoint-tests", models, tests] => {
            match endpoint_tests::run(Path::new(models), Path::new(tests)) {
                Ok(summary) => {
                    println!(
                        "{} passed, {} failed, {} skipped",
                        summary.passed, summary.failed, summary.skipped
                    );
                    if summary.failed == 0 {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::FAILURE
                    }
                }
                Err(failure) => {
                    eprintln!("error: {failure}");
                    ExitCode::FAILURE
                }
            }
        }
        ["protocol-tests", files @ ..] => {
            let files: Vec<String> = files.iter().map(|f| (*f).to_owned()).collect();
            match protocol_tests::run(&project_root(), &files) {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => ExitCode::FAILURE,
                Err(failure) => {
                    eprintln!("error: {}", failure.0);
                    ExitCode::FAILURE
                }
            }
        }
        ["help" | "--help" | "-h"] => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        other => {
            eprint!("error: {}\n\n{USAGE}", usage_error(other));
            ExitCode::from(2)
        }
    }
}

/// What is wrong with arguments that no task takes as they are: the
/// unknown task or argument, by name.
fn usage_error(args: &[&str]) -> String {
    match args {
        [] => "no task given".to_owned(),
        ["codegen", rest @ ..] => {
            let unknown = rest.iter().find(|a| **a != "--check").unwrap_or(&"--check");
            format!("`codegen` takes only `--check` (once), not `{unknown}`")
        }
        [task @ ("test" | "readme"), extra, ..] => {
            format!("`{task}` takes no arguments, not `{extra}`")
        }
        ["endpoint-tests", ..] => {
            "`endpoint-tests` takes two folders: MODELS_DIR (a botocore data folder) and TESTS_DIR \
             (botocore's tests/functional/endpoint-rules)"
                .to_owned()
        }
        [task, ..] => format!("unknown task `{task}`"),
    }
}

fn run_tests() -> ExitCode {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    for Step { name, args, env } in TEST_STEPS {
        eprintln!("==> {name}: cargo {}", args.join(" "));
        let status = Command::new(&cargo)
            .args(*args)
            .envs(env.iter().copied())
            .current_dir(project_root())
            .status();
        match status {
            Ok(status) if status.success() => {}
            Ok(status) => {
                eprintln!("error: {name} failed ({status})");
                return ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("error: could not run cargo for {name}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    eprintln!("==> README examples, built as pasted");
    if run_readme() != ExitCode::SUCCESS {
        return ExitCode::FAILURE;
    }
    eprintln!("==> drift check: cargo xtask codegen --check");
    run_codegen(true)
}

/// `cargo xtask fuzz`: the `fuzz` crate, built with the `fuzz` profile
/// (optimized, overflow checks on), given the arguments.
fn run_fuzz(args: &[&str]) -> ExitCode {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(&cargo)
        .args([
            "run",
            "--quiet",
            "--profile",
            "fuzz",
            "--package",
            "fuzz",
            "--",
        ])
        .args(args)
        .current_dir(project_root())
        .status();
    match status {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: could not run cargo: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_readme() -> ExitCode {
    match readme::check(&project_root()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {}", failure.0);
            ExitCode::FAILURE
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
        eprintln!(
            "error: generated/ is out of step with model/: {}\nfix: run `cargo xtask codegen` (it also keeps `members` in Cargo.toml in step) and commit the result",
            plan.problems()
        );
        return ExitCode::FAILURE;
    }
    match codegen::apply(&root, &plan) {
        Ok(report) => {
            for line in &report {
                println!("{line}");
            }
            ExitCode::SUCCESS
        }
        Err(failure) => {
            eprintln!("error: {}", failure.0);
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::usage_error;

    #[test]
    fn unknown_tasks_and_arguments_are_named() {
        assert_eq!(usage_error(&[]), "no task given");
        assert_eq!(usage_error(&["frob"]), "unknown task `frob`");
        assert_eq!(
            usage_error(&["codegen", "--chek"]),
            "`codegen` takes only `--check` (once), not `--chek`"
        );
        assert_eq!(
            usage_error(&["codegen", "--check", "--check"]),
            "`codegen` takes only `--check` (once), not `--check`"
        );
        assert_eq!(
            usage_error(&["test", "--fast"]),
            "`test` takes no arguments, not `--fast`"
        );
        assert_eq!(
            usage_error(&["readme", "x"]),
            "`readme` takes no arguments, not `x`"
        );
    }
}
