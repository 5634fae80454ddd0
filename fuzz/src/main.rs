//! `cargo xtask fuzz [SECONDS]`: fuzzes the generator and the parsers.
//!
//! - Generator: seeded structural mutations of models ([`mutate`]) run
//!   through `codegen::generate` in a worker subprocess, so a stack overflow
//!   or an abort is a finding, not the end of the run; a case that takes
//!   longer than the per-case limit is a hang (the worker is killed and
//!   replaced). Every Rust file of every crate generated is parsed with syn,
//!   every `Cargo.toml` with toml_edit.
//!
//! - Parsers: the generated crates' `parse_response` and the runtime's
//!   parsers (timestamps, headers, error metadata, profile files) on seeded
//!   hostile input ([`parsers`]), in batches in a worker subprocess: a panic
//!   is caught with `catch_unwind`, a case slower than the per-case limit is
//!   a hang, and a batch whose worker crashes or stops answering is rerun a
//!   case at a time to name the seed.
//!
//! Prints each finding with its seed, then `N cases, P panics, H hangs, U
//! unparsable`, and exits non-zero on any finding.
//!
//! ```text
//! usage: fuzz [SECONDS] [--from SEED] [--case-limit SECONDS]
//!        fuzz --seed SEED    (one generator case, in this process; writes its model
//!                             to target/fuzz-cases/SEED.json)
//!        fuzz --parser-seed TARGET SEED  (one parser case)
//!        fuzz --self-test    (a panic, an abort, a stack overflow, a hang and an
//!                             unparsable output on purpose: each must be counted)
//!        fuzz --worker       (reads cases on stdin, one outcome line each on stdout)
//! ```

mod mutate;
mod parsers;

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitCode, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const USAGE: &str =
    "usage: fuzz [SECONDS] [--from SEED] [--case-limit SECONDS] | --seed SEED | --worker";

pub fn options() -> codegen::Options {
    codegen::Options {
        runtime_path: "../../codegen/runtime".to_owned(),
        credentials_path: None,
        operations: None,
        deny_warnings: false,
    }
}

/// What one generator case gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A crate, every file of which parses.
    Generated,
    /// A model error (load or resolve): what bad input should give.
    ModelError,
    /// The generator panicked (caught) or the worker died (a crash).
    Panic(String),
    /// A generated file does not parse, or another internal error.
    Unparsable(String),
}

impl Outcome {
    fn line(&self) -> String {
        let (kind, message) = match self {
            Outcome::Generated => ("generated", ""),
            Outcome::ModelError => ("model-error", ""),
            Outcome::Panic(m) => ("panic", m.as_str()),
            Outcome::Unparsable(m) => ("unparsable", m.as_str()),
        };
        format!("{kind}\t{}", message.escape_debug())
    }

    fn from_line(line: &str) -> Outcome {
        let (kind, message) = line.split_once('\t').unwrap_or((line, ""));
        match kind {
            "generated" => Outcome::Generated,
            "model-error" => Outcome::ModelError,
            "panic" => Outcome::Panic(message.to_owned()),
            _ => Outcome::Unparsable(message.to_owned()),
        }
    }
}

/// The message of the last panic, recorded by the hook [`quiet_panics`] installs.
static LAST_PANIC: Mutex<String> = Mutex::new(String::new());

/// Records panic messages (with their location) instead of printing them.
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = format!("{message}{at}");
        }
    }));
}

/// Runs the generator case `seed` in this process.
pub fn run_case(seed: u64) -> Outcome {
    let Ok((base, text)) = std::panic::catch_unwind(|| mutate::case(seed)) else {
        let message = LAST_PANIC.lock().map(|m| m.clone()).unwrap_or_default();
        return Outcome::Panic(format!("the mutator panicked (a fuzz bug): {message}"));
    };
    let result = std::panic::catch_unwind(|| {
        let options = codegen::Options {
            operations: mutate::operations(seed, &text),
            ..options()
        };
        codegen::generate(&format!("model/{base}.json"), &text, &options)
    });
    match result {
        Err(_) => Outcome::Panic(LAST_PANIC.lock().map(|m| m.clone()).unwrap_or_default()),
        Ok(Ok(generated)) => {
            for (path, file) in &generated.files {
                if path.ends_with(".rs") {
                    if let Err(e) = syn::parse_file(file) {
                        return Outcome::Unparsable(format!("{path}: {e}"));
                    }
                } else if path.ends_with(".toml") {
                    if let Err(e) = file.parse::<toml_edit::DocumentMut>() {
                        return Outcome::Unparsable(format!("{path}: {e}"));
                    }
                }
            }
            Outcome::Generated
        }
        Ok(Err(e)) if e.stage() == codegen::Stage::Format => {
            let shown = e.to_string();
            if shown.contains("the generator panicked") {
                Outcome::Panic(shown)
            } else {
                Outcome::Unparsable(shown)
            }
        }
        Ok(Err(_)) => Outcome::ModelError,
    }
}

/// `--worker`: a seed per line in, an outcome line out.
fn worker() -> ExitCode {
    quiet_panics();
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        if let Some(batch) = line.strip_prefix("parsers ") {
            if parser_batch_in_worker(batch, &mut stdout).is_err() {
                break;
            }
            continue;
        }
        let outcome = match (line.trim().parse::<u64>(), line.strip_prefix("probe:")) {
            (Ok(seed), _) => run_case(seed),
            (_, Some(probe)) => run_probe(probe),
            _ => continue,
        };
        if writeln!(stdout, "{}", outcome.line())
            .and_then(|()| stdout.flush())
            .is_err()
        {
            break;
        }
    }
    parsers::clean_up();
    ExitCode::SUCCESS
}

/// A failure of each kind on purpose, for `--self-test`: the harness must
/// count each, survive the crashes and hangs, and go on.
fn run_probe(probe: &str) -> Outcome {
    #[allow(unconditional_recursion, reason = "a stack overflow on purpose")]
    fn overflow(depth: u64) -> u64 {
        std::hint::black_box(overflow(depth + 1)) + depth
    }
    match probe {
        "panic" => match std::panic::catch_unwind(|| panic!("a probe panic")) {
            Ok(()) => Outcome::Generated,
            Err(_) => Outcome::Panic(LAST_PANIC.lock().map(|m| m.clone()).unwrap_or_default()),
        },
        "abort" => std::process::abort(),
        "overflow" => Outcome::Panic(overflow(0).to_string()),
        "hang" => loop {
            std::thread::sleep(Duration::from_secs(1));
        },
        "unparsable" => Outcome::Unparsable("a probe".to_owned()),
        _ => Outcome::Generated,
    }
}

/// `--self-test`: each kind of failure once, through the real worker
/// machinery, then a real case: the summary must count every one.
fn self_test() -> ExitCode {
    let probes = ["panic", "abort", "overflow", "hang", "unparsable", "fine"];
    let mut cases = probes
        .iter()
        .map(|p| format!("probe:{p}"))
        .chain(["0".to_owned()]);
    let mut tally = Tally::default();
    let far = Instant::now() + Duration::from_secs(3600);
    if let Err(e) = drive(&mut cases, far, Duration::from_secs(2), &mut tally) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    print_summary(&tally);
    // A parser batch whose worker dies is lost, and the next batch runs.
    let limit = Duration::from_secs(2);
    let batches = Worker::start()
        .map_err(|e| e.to_string())
        .and_then(|mut worker| {
            let lost = parser_batch(
                &mut worker,
                &format!("0 1 2000 {ABORT_PROBE}"),
                limit,
                &mut tally,
            )?;
            let next = parser_batch(&mut worker, "0 2 2000", limit, &mut tally)?;
            worker.finish();
            Ok((lost, next))
        });
    match batches {
        Ok((Batch::Lost(kind, how), Batch::Done)) => println!("parser batch probe: {kind}: {how}"),
        Ok(_) => println!("parser batch probe: not lost"),
        Err(e) => println!("parser batch probe: {e}"),
    }
    ExitCode::SUCCESS
}

/// A worker subprocess and the lines it writes.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
}

impl Worker {
    fn start() -> std::io::Result<Worker> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg("--worker")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdin = child.stdin.take().expect("piped");
        let stdout = child.stdout.take().expect("piped");
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Worker {
            child,
            stdin,
            lines,
        })
    }

    /// Ends the worker after its last case: it cleans up and exits when its
    /// input ends (killed if it does not within a second).
    fn finish(self) {
        let Worker {
            mut child, stdin, ..
        } = self;
        drop(stdin);
        let deadline = Instant::now() + Duration::from_secs(1);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Kills the worker (after a hang) and reaps it.
    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Reaps a worker that died; says how.
    fn died(mut self) -> String {
        match self.child.wait() {
            Ok(status) => format!("the worker died ({status}): a stack overflow or an abort"),
            Err(e) => format!("the worker died: {e}"),
        }
    }
}

/// Counts of a run.
#[derive(Default)]
struct Tally {
    /// Findings by kind and message (without seeds), with how many cases gave each.
    seen: std::collections::BTreeMap<(String, String), u64>,
    cases: u64,
    panics: u64,
    hangs: u64,
    unparsable: u64,
    generated: u64,
    model_errors: u64,
}

impl Tally {
    fn findings(&self) -> u64 {
        self.panics + self.hangs + self.unparsable
    }

    /// Prints a finding: every one the first few times its message is seen,
    /// then only counted (the summary lists each message once).
    fn report(&mut self, kind: &str, what: &str, message: &str, reproduce: &str) {
        let count = self
            .seen
            .entry((kind.to_owned(), message.to_owned()))
            .or_default();
        *count += 1;
        if *count <= FINDINGS_SHOWN {
            println!("{kind}: {what}: {message}");
            println!("  reproduce: {reproduce}");
        }
    }
}

/// How many findings with one message are printed with their seeds.
const FINDINGS_SHOWN: u64 = 3;

/// The generator fuzz: cases from seed `from` on until `deadline`.
fn fuzz_generator(
    from: u64,
    deadline: Instant,
    limit: Duration,
    tally: &mut Tally,
) -> Result<(), String> {
    let mut seeds = (0..).map(|i: u64| from.wrapping_add(i).to_string());
    drive(&mut seeds, deadline, limit, tally)
}

/// Sends `cases` (seeds, or `probe:` lines) to a worker one at a time until
/// `deadline`, counting outcomes, crashes and hangs in `tally`.
fn drive(
    cases: &mut dyn Iterator<Item = String>,
    deadline: Instant,
    limit: Duration,
    tally: &mut Tally,
) -> Result<(), String> {
    let start = |e: std::io::Error| format!("could not start a worker: {e}");
    let mut worker = Worker::start().map_err(start)?;
    let mut next = cases.next();
    while let Some(case) = next.clone() {
        if Instant::now() >= deadline {
            break;
        }
        if writeln!(worker.stdin, "{case}")
            .and_then(|()| worker.stdin.flush())
            .is_err()
        {
            // The worker died between cases; start another and retry the seed.
            let _ = worker.died();
            worker = Worker::start().map_err(start)?;
            continue;
        }
        tally.cases += 1;
        let finding = match worker.lines.recv_timeout(limit) {
            Ok(line) => match Outcome::from_line(&line) {
                Outcome::Generated => {
                    tally.generated += 1;
                    None
                }
                Outcome::ModelError => {
                    tally.model_errors += 1;
                    None
                }
                Outcome::Panic(message) => {
                    tally.panics += 1;
                    Some(("panic", message))
                }
                Outcome::Unparsable(message) => {
                    tally.unparsable += 1;
                    Some(("unparsable", message))
                }
            },
            Err(RecvTimeoutError::Timeout) => {
                worker.kill();
                worker = Worker::start().map_err(start)?;
                tally.hangs += 1;
                Some(("hang", format!("no result within {limit:?}")))
            }
            Err(RecvTimeoutError::Disconnected) => {
                let how = worker.died();
                worker = Worker::start().map_err(start)?;
                tally.panics += 1;
                Some(("crash", how))
            }
        };
        if let Some((kind, message)) = finding {
            match case.parse::<u64>() {
                Ok(seed) => tally.report(
                    kind,
                    &format!("generator seed {seed} (from {})", mutate::base(seed)),
                    &message,
                    &format!("cargo xtask fuzz --seed {seed}"),
                ),
                Err(_) => tally.report(kind, &case, &message, "cargo xtask fuzz --self-test"),
            }
        }
        next = cases.next();
    }
    worker.finish();
    Ok(())
}

/// The target number that makes a parser batch abort, for `--self-test`.
const ABORT_PROBE: usize = 1000;

/// Seeds a parser batch holds: a batch is one line to the worker and back.
const PARSER_BATCH: u64 = 64;

/// In the worker: `FROM COUNT LIMIT_MS [TARGET]`: runs every target (or
/// one) on seeds `FROM..FROM+COUNT`, writing a line per finding
/// (`finding\tTARGET\tSEED\tKIND\tMESSAGE`), then `done\tCASES`.
fn parser_batch_in_worker(batch: &str, out: &mut impl Write) -> std::io::Result<()> {
    let fields: Vec<u64> = batch
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    let (from, count, limit) = match fields[..] {
        [from, count, limit, ..] => (from, count, Duration::from_millis(limit)),
        _ => return Ok(()),
    };
    let only = fields.get(3).map(|t| *t as usize);
    if only == Some(ABORT_PROBE) {
        std::process::abort();
    }
    let mut cases = 0u64;
    for seed in (0..count).map(|i| from.wrapping_add(i)) {
        for (index, target) in parsers::TARGETS.iter().enumerate() {
            if only.is_some_and(|only| only != index) {
                continue;
            }
            cases += 1;
            let clock = Instant::now();
            let panic = parsers::run_case(target, seed);
            let took = clock.elapsed();
            let finding = match panic {
                Some(message) => Some(("panic", message)),
                None if took > limit => Some(("hang", format!("took {took:?}"))),
                None => None,
            };
            if let Some((kind, message)) = finding {
                writeln!(
                    out,
                    "finding\t{index}\t{seed}\t{kind}\t{}",
                    message.escape_debug()
                )?;
            }
        }
    }
    writeln!(out, "done\t{cases}")?;
    out.flush()
}

/// How a parser batch ended.
enum Batch {
    Done,
    /// The worker crashed or hung (and was replaced): which, and how.
    Lost(&'static str, String),
}

/// Sends one parser batch to `worker` and reads its findings into `tally`.
fn parser_batch(
    worker: &mut Worker,
    request: &str,
    limit: Duration,
    tally: &mut Tally,
) -> Result<Batch, String> {
    let start = |e: std::io::Error| format!("could not start a worker: {e}");
    if writeln!(worker.stdin, "parsers {request}")
        .and_then(|()| worker.stdin.flush())
        .is_err()
    {
        let how = std::mem::replace(worker, Worker::start().map_err(start)?).died();
        return Ok(Batch::Lost("crash", how));
    }
    loop {
        match worker.lines.recv_timeout(limit) {
            Ok(line) => {
                let fields: Vec<&str> = line.splitn(5, '\t').collect();
                match fields[..] {
                    ["done", cases] => {
                        tally.cases += cases.parse::<u64>().unwrap_or(0);
                        return Ok(Batch::Done);
                    }
                    ["finding", index, seed, kind, message] => {
                        let name = index
                            .parse::<usize>()
                            .ok()
                            .and_then(|i| parsers::TARGETS.get(i))
                            .map_or("?", |t| t.name);
                        match kind {
                            "hang" => tally.hangs += 1,
                            _ => tally.panics += 1,
                        }
                        tally.report(
                            kind,
                            &format!("parser `{name}` seed {seed}"),
                            message,
                            &format!("cargo xtask fuzz --parser-seed {index} {seed}"),
                        );
                    }
                    _ => {}
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                std::mem::replace(worker, Worker::start().map_err(start)?).kill();
                return Ok(Batch::Lost("hang", format!("no result within {limit:?}")));
            }
            Err(RecvTimeoutError::Disconnected) => {
                let how = std::mem::replace(worker, Worker::start().map_err(start)?).died();
                return Ok(Batch::Lost("crash", how));
            }
        }
    }
}

/// The parser fuzz: every target on seeds from `from` on, until
/// `deadline`, in batches in a worker subprocess; a batch whose worker
/// crashes or hangs is rerun a seed and a target at a time to name the case.
fn fuzz_parsers(
    from: u64,
    deadline: Instant,
    limit: Duration,
    tally: &mut Tally,
) -> Result<(), String> {
    let mut worker = Worker::start().map_err(|e| format!("could not start a worker: {e}"))?;
    let millis = limit.as_millis();
    let mut seed = from;
    while Instant::now() < deadline {
        let request = format!("{seed} {PARSER_BATCH} {millis}");
        if let Batch::Lost(..) = parser_batch(&mut worker, &request, limit, tally)? {
            for one in (0..PARSER_BATCH).map(|i| seed.wrapping_add(i)) {
                for (index, target) in parsers::TARGETS.iter().enumerate() {
                    let request = format!("{one} 1 {millis} {index}");
                    if let Batch::Lost(kind, how) =
                        parser_batch(&mut worker, &request, limit, tally)?
                    {
                        tally.cases += 1;
                        match kind {
                            "hang" => tally.hangs += 1,
                            _ => tally.panics += 1,
                        }
                        tally.report(
                            kind,
                            &format!("parser `{}` seed {one}", target.name),
                            &how,
                            &format!("cargo xtask fuzz --parser-seed {index} {one}"),
                        );
                    }
                }
            }
        }
        seed = seed.wrapping_add(PARSER_BATCH);
    }
    worker.finish();
    Ok(())
}

/// Each distinct finding with its count, then the summary line.
fn print_summary(tally: &Tally) {
    for ((kind, message), count) in &tally.seen {
        println!("{count} x {kind}: {message}");
    }
    println!(
        "{} cases, {} panics, {} hangs, {} unparsable",
        tally.cases, tally.panics, tally.hangs, tally.unparsable
    );
}

/// `--parser-seed TARGET SEED`: one parser case, panics shown in full.
fn reproduce_parser(target: usize, seed: u64) -> ExitCode {
    let Some(found) = parsers::TARGETS.get(target) else {
        eprintln!(
            "no parser target {target} (there are {})",
            parsers::TARGETS.len()
        );
        return ExitCode::from(2);
    };
    println!("parser `{}` seed {seed}", found.name);
    (found.run)(&mut mutate::Rng::new(seed));
    println!("no panic");
    ExitCode::SUCCESS
}

/// `--seed SEED`: one case in this process, its model written out.
fn reproduce(seed: u64) -> ExitCode {
    let (base, text) = mutate::case(seed);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/fuzz-cases");
    let path = dir.join(format!("{seed}.json"));
    match std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, &text)) {
        Ok(()) => println!(
            "seed {seed} (from {base}): model written to {}",
            path.display()
        ),
        Err(e) => eprintln!("could not write {}: {e}", path.display()),
    }
    // No quiet hook: a panic shows with its backtrace.
    let operations = mutate::operations(seed, &text);
    if let Some(operations) = &operations {
        println!("operations: {operations:?}");
    }
    let options = codegen::Options {
        operations,
        ..options()
    };
    match codegen::generate(&format!("model/{base}.json"), &text, &options) {
        Ok(generated) => {
            println!("generated {} files", generated.files.len());
            match run_case(seed) {
                Outcome::Generated => ExitCode::SUCCESS,
                other => {
                    println!("{other:?}");
                    ExitCode::FAILURE
                }
            }
        }
        Err(e) => {
            println!("{e}");
            if e.stage() == codegen::Stage::Format {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut seconds = 60u64;
    let mut from = None;
    let mut limit = Duration::from_secs(20);
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).and_then(|v| v.parse::<u64>().ok());
        match (args[i].as_str(), value) {
            ("--worker", _) => return worker(),
            ("--self-test", _) => return self_test(),
            ("--seed", Some(seed)) => return reproduce(seed),
            ("--parser-seed", Some(target)) => {
                let seed = args.get(i + 2).and_then(|v| v.parse().ok());
                return match seed {
                    Some(seed) => reproduce_parser(target as usize, seed),
                    None => {
                        eprintln!("{USAGE}");
                        ExitCode::from(2)
                    }
                };
            }
            ("--from", Some(seed)) => {
                from = Some(seed);
                i += 1;
            }
            ("--case-limit", Some(secs)) => {
                limit = Duration::from_secs(secs);
                i += 1;
            }
            ("-h" | "--help", _) => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            (arg, _) => match arg.parse() {
                Ok(n) => seconds = n,
                Err(_) => {
                    eprintln!("{USAGE}");
                    return ExitCode::from(2);
                }
            },
        }
        i += 1;
    }
    // A fresh start each run unless chosen, printed so the run can be repeated.
    let from = from.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
            .wrapping_mul(1_000_003)
    });
    println!(
        "fuzzing for {seconds} s, generator seeds from {from} (--from {from} repeats this run)"
    );
    let started = Instant::now();
    let mut tally = Tally::default();
    // Two thirds of the time for the generator, the rest for the parsers.
    let generator_deadline = started + Duration::from_secs(seconds) * 2 / 3;
    if let Err(e) = fuzz_generator(from, generator_deadline, limit, &mut tally) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    println!(
        "generator: {} cases, {} crates generated, {} model errors",
        tally.cases, tally.generated, tally.model_errors
    );
    let generator_cases = tally.cases;
    if let Err(e) = fuzz_parsers(
        from,
        started + Duration::from_secs(seconds),
        limit,
        &mut tally,
    ) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    println!(
        "parsers: {} cases over {} targets",
        tally.cases - generator_cases,
        parsers::TARGETS.len()
    );
    print_summary(&tally);
    if tally.findings() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first seeds, as a regression test (`cargo xtask fuzz` explores further).
    #[test]
    fn first_generator_seeds_give_a_crate_or_a_model_error() {
        let mut generated = 0;
        for seed in 0..40 {
            match run_case(seed) {
                Outcome::Generated => generated += 1,
                Outcome::ModelError => {}
                other => panic!("seed {seed}: {other:?}"),
            }
        }
        // Mutations do not break every model.
        assert!(generated > 0);
    }

    #[test]
    fn outcome_lines_round_trip() {
        for outcome in [
            Outcome::Generated,
            Outcome::ModelError,
            Outcome::Panic("at a\nb\tc".to_owned()),
            Outcome::Unparsable("x".to_owned()),
        ] {
            let line = outcome.line();
            assert!(!line.contains('\n'));
            let back = Outcome::from_line(&line);
            assert_eq!(
                std::mem::discriminant(&back),
                std::mem::discriminant(&outcome)
            );
        }
    }
}
