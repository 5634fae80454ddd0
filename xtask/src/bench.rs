//! `cargo xtask bench [--compile] [--build-runs N] [--rounds N] [DIR]`: our
//! client against aws-sdk-iotjobsdataplane and a serde_json floor, printed
//! as one markdown table whose rows are all measured in this run; and
//! `cargo xtask bench --concurrency [--runs N]`, the scale benchmark alone.
//!
//! - per call and bulk parse: `xtask/bench`, a crate outside the workspace
//!   (so the test command never builds aws-sdk), run in release; with it,
//!   one call per other protocol family (DynamoDB `GetItem`, STS
//!   `AssumeRole`, S3 `GetObject`) against aws-sdk-dynamodb, aws-sdk-sts
//!   and aws-sdk-s3;
//! - with `--concurrency`, `xtask/bench/concurrency` (a member of the bench
//!   crate's workspace), which prints its own table: our client and aws-sdk
//!   against a loopback server that answers after a set delay;
//! - codegen: [`codegen::generate_timed`] on the IoT Jobs model, in process,
//!   and with `DIR` (a botocore `data` folder) the whole corpus
//!   ([`corpus::bench`]);
//! - with `--compile`, cold builds of the hello worlds in `xtask/bench/hello`,
//!   each in a fresh target directory under `target/bench`, and the size of
//!   their stripped release binaries.
//!
//! Timings are only meaningful from an optimized xtask, so a debug build
//! runs itself again with `cargo run --release`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::codegen::Failure;
use crate::corpus;

const USAGE: &str = "usage: cargo xtask bench [--compile] [--lean] [--build-runs N] [--rounds N] [BOTOCORE_DATA_DIR]\n       cargo xtask bench --concurrency [--runs N]";

/// Runs of the IoT Jobs model through the generator.
const CODEGEN_RUNS: usize = 21;
/// Runs of whole-corpus generation.
const CORPUS_RUNS: usize = 3;

/// What the command line asks for.
#[derive(Debug, PartialEq)]
pub struct Args {
    /// Cold builds and binary sizes too.
    pub compile: bool,
    /// Cold builds of a DescribeEndpoint program on the lean `iot` crate,
    /// on the whole IoT model (from the botocore folder) and on aws-sdk-iot.
    pub lean: bool,
    /// Cold debug builds of each hello world (the median is reported).
    pub build_runs: usize,
    /// Rounds of the in-process benchmarks, if not their default.
    pub rounds: Option<usize>,
    /// The scale benchmark (`xtask/bench/concurrency`) instead of the rest.
    pub concurrency: bool,
    /// Runs of each scale measurement, if not its default (3).
    pub runs: Option<usize>,
    /// A botocore `data` folder for the whole-corpus row.
    pub corpus: Option<PathBuf>,
}

impl Args {
    /// Parses the arguments after `bench`.
    pub fn parse(args: &[String]) -> Result<Self, Failure> {
        let mut parsed = Args {
            compile: false,
            lean: false,
            build_runs: 3,
            rounds: None,
            concurrency: false,
            runs: None,
            corpus: None,
        };
        let mut args = args.iter();
        let number = |value: Option<&String>, flag: &str| -> Result<usize, Failure> {
            value
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| Failure(format!("{flag} takes a positive number\n{USAGE}")))
        };
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--compile" => parsed.compile = true,
                "--lean" => parsed.lean = true,
                "--build-runs" => parsed.build_runs = number(args.next(), arg)?,
                "--rounds" => parsed.rounds = Some(number(args.next(), arg)?),
                "--concurrency" => parsed.concurrency = true,
                "--runs" => parsed.runs = Some(number(args.next(), arg)?),
                flag if flag.starts_with('-') => {
                    return Err(Failure(format!("unknown option `{flag}`\n{USAGE}")))
                }
                dir if parsed.corpus.is_none() => parsed.corpus = Some(PathBuf::from(dir)),
                extra => return Err(Failure(format!("unexpected `{extra}`\n{USAGE}"))),
            }
        }
        let others =
            parsed.compile || parsed.lean || parsed.rounds.is_some() || parsed.corpus.is_some();
        if parsed.concurrency && others {
            return Err(Failure(format!(
                "--concurrency runs alone (with --runs N at most)\n{USAGE}"
            )));
        }
        if parsed.runs.is_some() && !parsed.concurrency {
            return Err(Failure(format!("--runs goes with --concurrency\n{USAGE}")));
        }
        Ok(parsed)
    }
}

/// Runs the benchmarks and prints the table.
pub fn run(root: &Path, raw_args: &[String]) -> Result<(), Failure> {
    let args = Args::parse(raw_args)?;
    if cfg!(debug_assertions) {
        eprintln!("==> timings need an optimized xtask: cargo run --release -p xtask -- bench");
        let status = Command::new(cargo())
            .args([
                "run",
                "--release",
                "--quiet",
                "--package",
                "xtask",
                "--",
                "bench",
            ])
            .args(raw_args)
            .current_dir(root)
            .status()
            .map_err(|e| Failure(format!("running cargo: {e}")))?;
        return if status.success() {
            Ok(())
        } else {
            Err(Failure(format!("the release xtask failed ({status})")))
        };
    }
    if let Some(dir) = &args.corpus {
        if !dir.is_dir() {
            return Err(Failure(format!("{}: not a folder", dir.display())));
        }
    }
    let lean_model = match (&args.corpus, args.lean) {
        (Some(dir), true) => Some(newest_model(dir, "iot")?),
        (None, true) => {
            return Err(Failure(format!(
                "--lean builds the whole IoT model too: give the botocore data folder\n{USAGE}"
            )))
        }
        (_, false) => None,
    };

    if args.concurrency {
        return run_concurrency(root, args.runs);
    }

    let load_before = load_average();
    let started = Instant::now();
    let mut table = Table::default();

    eprintln!("==> per call and bulk parse: xtask/bench (release)");
    let runtime = run_bench_crate(root, args.rounds)?;
    runtime.rows(&mut table)?;

    eprintln!("==> codegen: the IoT Jobs model, {CODEGEN_RUNS} runs");
    codegen_rows(root, &mut table)?;
    if let Some(dir) = &args.corpus {
        eprintln!(
            "==> codegen: the whole corpus in {}, {CORPUS_RUNS} runs",
            dir.display()
        );
        let report = corpus::bench(root, dir, CORPUS_RUNS)?;
        corpus_row(&report, &mut table);
    }
    if args.compile {
        build_rows(root, args.build_runs, &mut table)?;
    }
    if let Some(model) = &lean_model {
        lean_rows(root, model, &mut table)?;
    }

    let load_after = load_average();
    println!("{}", table.markdown());
    println!();
    println!(
        "Measured {} on {}; rustc {}. Load average (1 min) {} at the start, {} at the end; \
         the run took {:.0} s.",
        today(),
        machine(),
        rustc_version(),
        load_before.as_deref().unwrap_or("n/a"),
        load_after.as_deref().unwrap_or("n/a"),
        started.elapsed().as_secs_f64(),
    );
    Ok(())
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

// ----- the table -----

/// How a row compares with a target.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Verdict {
    Met,
    Missed,
}

/// One row: what was measured, the three peers, the ratios, the target.
#[derive(Debug, Default)]
struct Row {
    what: String,
    ours: String,
    aws: String,
    floor: String,
    vs_aws: String,
    vs_floor: String,
    target: String,
    verdict: Option<Verdict>,
}

#[derive(Debug, Default)]
struct Table {
    rows: Vec<Row>,
}

impl Table {
    fn markdown(&self) -> String {
        let mut out = String::from(
            "| measurement | ours | aws-sdk | floor | ours / aws-sdk | ours / floor | target | |\n\
             | --- | --- | --- | --- | --- | --- | --- | --- |\n",
        );
        for row in &self.rows {
            let verdict = match row.verdict {
                Some(Verdict::Met) => "met",
                Some(Verdict::Missed) => "**missed**",
                None => "",
            };
            let cells = [
                &row.what,
                &row.ours,
                &row.aws,
                &row.floor,
                &row.vs_aws,
                &row.vs_floor,
                &row.target,
            ];
            out.push('|');
            for cell in cells {
                let cell = if cell.is_empty() {
                    "—"
                } else {
                    cell.as_str()
                };
                let _ = write!(out, " {cell} |");
            }
            if verdict.is_empty() {
                out.push_str(" |\n");
            } else {
                let _ = writeln!(out, " {verdict} |");
            }
        }
        out.trim_end().to_owned()
    }
}

/// A ratio as `0.12x`, with three significant digits below 1.
fn ratio(value: f64) -> String {
    if value < 0.1 {
        format!("{value:.3}x")
    } else if value < 10.0 {
        format!("{value:.2}x")
    } else {
        format!("{value:.0}x")
    }
}

/// A duration in the unit that suits it.
fn duration(secs: f64) -> String {
    if secs < 1e-5 {
        format!("{:.2} µs", secs * 1e6)
    } else if secs < 1e-3 {
        format!("{:.0} µs", secs * 1e6)
    } else if secs < 1.0 {
        format!("{:.1} ms", secs * 1e3)
    } else {
        format!("{secs:.1} s")
    }
}

/// Bytes in MB (10^6).
fn megabytes(bytes: u64) -> String {
    format!("{:.2} MB", bytes as f64 / 1e6)
}

fn verdict(met: bool) -> Option<Verdict> {
    Some(if met { Verdict::Met } else { Verdict::Missed })
}

// ----- per call and bulk parse -----

/// The medians `xtask/bench` printed, by name.
#[derive(Debug, Default)]
struct Measurements(BTreeMap<String, f64>);

impl Measurements {
    /// Reads `name value` lines.
    fn parse(text: &str) -> Result<Self, Failure> {
        let mut values = BTreeMap::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let parsed = line
                .split_once(' ')
                .and_then(|(name, value)| Some((name, value.trim().parse::<f64>().ok()?)));
            match parsed {
                Some((name, value)) => values.insert(name.to_owned(), value),
                None => return Err(Failure(format!("xtask/bench printed `{line}`"))),
            };
        }
        Ok(Self(values))
    }

    fn get(&self, name: &str) -> Result<f64, Failure> {
        self.0
            .get(name)
            .copied()
            .ok_or_else(|| Failure(format!("xtask/bench did not report `{name}`")))
    }

    fn rows(&self, table: &mut Table) -> Result<(), Failure> {
        let rounds = self.get("rounds")?;
        for (operation, what) in [
            (
                "describe",
                "`describe_job_execution` (3 status details, 1 KB job document)",
            ),
            (
                "update",
                "`update_job_execution` (status, 3 status details, expected version)",
            ),
        ] {
            let ours = self.get(&format!("{operation}.ours"))?;
            let aws = self.get(&format!("{operation}.aws"))?;
            let floor = self.get(&format!("{operation}.floor"))?;
            let signed = self.get(&format!("{operation}.floor_signed"))?;
            table.rows.push(Row {
                what: format!(
                    "{what}: per call, in memory, SigV4 on (floor unsigned); median of {rounds} rounds"
                ),
                ours: duration(ours),
                aws: duration(aws),
                floor: duration(floor),
                vs_aws: ratio(ours / aws),
                vs_floor: ratio(ours / floor),
                target: "≤ 0.10x aws-sdk, ≤ 3x floor".to_owned(),
                verdict: verdict(ours <= aws / 10.0 && ours <= 3.0 * floor),
            });
            table.rows.push(Row {
                what: format!("{operation}, for orientation: the floor plus our signer"),
                floor: duration(signed),
                vs_floor: ratio(ours / signed),
                ..Row::default()
            });
        }
        let bytes = self.get("pending.bytes")?;
        let rate = |secs: f64| bytes / secs / 1e6;
        let (ours, aws, floor) = (
            rate(self.get("pending.ours")?),
            rate(self.get("pending.aws")?),
            rate(self.get("pending.floor")?),
        );
        table.rows.push(Row {
            what: format!(
                "bulk parse: GetPendingJobExecutions, 1,000 queued + 1,000 in progress ({:.0} KB), \
                 whole call for ours and aws-sdk; median of {rounds} rounds",
                bytes / 1e3
            ),
            ours: format!("{ours:.0} MB/s"),
            aws: format!("{aws:.0} MB/s"),
            floor: format!("{floor:.0} MB/s"),
            vs_aws: ratio(ours / aws),
            vs_floor: ratio(ours / floor),
            target: "≥ 0.7x floor".to_owned(),
            verdict: verdict(ours >= 0.7 * floor),
        });
        for (operation, what) in [
            (
                "getitem",
                "awsJson 1.0: DynamoDB `get_item` (an item of 9 attributes: strings, numbers, \
                 a boolean, a string set, a list, a map), against aws-sdk-dynamodb",
            ),
            (
                "assumerole",
                "awsQuery: STS `assume_role` (XML credentials with an expiration), against \
                 aws-sdk-sts",
            ),
            (
                "getobject",
                "rest-xml: S3 `get_object` (a 1 KiB object, path style, the body read whole in \
                 the call), against aws-sdk-s3 with checksum validation and calculation \
                 `WhenRequired` and stalled-stream protection off (it still signs \
                 `x-amz-content-sha256`, which ours does not send yet)",
            ),
        ] {
            let ours = self.get(&format!("{operation}.ours"))?;
            let aws = self.get(&format!("{operation}.aws"))?;
            table.rows.push(Row {
                what: format!("{what}: per call, in memory, SigV4 on; median of {rounds} rounds"),
                ours: duration(ours),
                aws: duration(aws),
                vs_aws: ratio(ours / aws),
                target: "≤ 0.10x aws-sdk".to_owned(),
                verdict: verdict(ours <= aws / 10.0),
                ..Row::default()
            });
        }
        Ok(())
    }
}

/// Builds and runs `xtask/bench/concurrency` in release and prints its table.
fn run_concurrency(root: &Path, runs: Option<usize>) -> Result<(), Failure> {
    eprintln!("==> scale: xtask/bench/concurrency (release)");
    let mut command = Command::new(
        build_bench_crates(root)?.join(format!("concurrency{}", std::env::consts::EXE_SUFFIX)),
    );
    command.stderr(Stdio::inherit());
    if let Some(runs) = runs {
        command.arg(runs.to_string());
    }
    let output = command
        .output()
        .map_err(|e| Failure(format!("running xtask/bench/concurrency: {e}")))?;
    if !output.status.success() {
        return Err(Failure(format!(
            "xtask/bench/concurrency failed ({})",
            output.status
        )));
    }
    print!("{}", String::from_utf8_lossy(&output.stdout));
    println!();
    println!(
        "Measured {} on {}; rustc {}.",
        today(),
        machine(),
        rustc_version()
    );
    Ok(())
}

/// Builds and runs `xtask/bench` in release; returns what it measured.
fn run_bench_crate(root: &Path, rounds: Option<usize>) -> Result<Measurements, Failure> {
    let mut command = Command::new(
        build_bench_crates(root)?.join(format!("bench{}", std::env::consts::EXE_SUFFIX)),
    );
    command.stderr(Stdio::inherit());
    if let Some(rounds) = rounds {
        command.arg(rounds.to_string());
    }
    let output = command
        .output()
        .map_err(|e| Failure(format!("running xtask/bench: {e}")))?;
    if !output.status.success() {
        return Err(Failure(format!("xtask/bench failed ({})", output.status)));
    }
    Measurements::parse(&String::from_utf8_lossy(&output.stdout))
}

/// Builds both bench binaries in release, together, so that they share one
/// set of dependencies (one feature resolution, one build of aws-sdk's
/// crates); returns the folder they are in.
fn build_bench_crates(root: &Path) -> Result<PathBuf, Failure> {
    let target = root.join("target/bench/runner");
    let status = Command::new(cargo())
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(root.join("xtask/bench/Cargo.toml"))
        .args(["--package", "bench", "--package", "concurrency"])
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .map_err(|e| Failure(format!("running cargo: {e}")))?;
    if !status.success() {
        return Err(Failure(format!(
            "building xtask/bench and xtask/bench/concurrency failed ({status})"
        )));
    }
    Ok(target.join("release"))
}

// ----- codegen -----

fn codegen_rows(root: &Path, table: &mut Table) -> Result<(), Failure> {
    let path = "model/iot-jobs-data-plane/service-2.json";
    let text = fs::read_to_string(root.join(path)).map_err(|e| Failure(format!("{path}: {e}")))?;
    let options = codegen::Options {
        runtime_path: "../../codegen/runtime".to_owned(),
        credentials_path: None,
        ..Default::default()
    };
    let mut stages: [Vec<Duration>; 5] = Default::default();
    let mut parse = Vec::new();
    // One run first, untimed: the first touches cold caches and the allocator.
    for run in 0..=CODEGEN_RUNS {
        let clock = Instant::now();
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| Failure(format!("{path}: {e}")))?;
        std::hint::black_box(value);
        let parsed = clock.elapsed();
        let clock = Instant::now();
        let (generated, times) =
            codegen::generate_timed(path, &text, &codegen::ModelSet::default(), &options)
                .map_err(|e| Failure(e.to_string()))?;
        let total = clock.elapsed();
        std::hint::black_box(generated);
        if run > 0 {
            parse.push(parsed);
            for (slot, time) in
                stages
                    .iter_mut()
                    .zip([times.load, times.resolve, times.emit, times.format, total])
            {
                slot.push(time);
            }
        }
    }
    let [load, resolve, emit, format, total] = stages.map(|mut s| corpus::median(&mut s));
    let parse = corpus::median(&mut parse);
    let secs = |d: Duration| d.as_secs_f64();
    table.rows.push(Row {
        what: format!(
            "codegen, IoT Jobs model ({:.0} KB), in process: load / resolve / emit / format \
             (emit and format: time summed over the threads that share them); median of \
             {CODEGEN_RUNS} runs",
            text.len() as f64 / 1e3
        ),
        ours: [load, resolve, emit, format]
            .map(|d| duration(secs(d)))
            .join(" / "),
        ..Row::default()
    });
    table.rows.push(Row {
        what: "codegen, IoT Jobs model, all stages (floor: parsing the model with serde_json into \
               `Value`)"
            .to_owned(),
        ours: duration(secs(total)),
        floor: duration(secs(parse)),
        vs_floor: ratio(secs(total) / secs(parse)),
        ..Row::default()
    });
    Ok(())
}

fn corpus_row(report: &corpus::BenchReport, table: &mut Table) {
    let (mut parse, mut generate) = (report.parse.clone(), report.generate.clone());
    let (parse, generate) = (
        corpus::median(&mut parse).as_secs_f64(),
        corpus::median(&mut generate).as_secs_f64(),
    );
    table.rows.push(Row {
        what: format!(
            "codegen, whole corpus ({} rest-json models, {:.1} MB): load, resolve, emit, format, \
             write (floor: parsing them into `Value`); median of {} runs",
            report.services,
            report.bytes as f64 / 1e6,
            report.runs
        ),
        ours: duration(generate),
        floor: duration(parse),
        vs_floor: ratio(generate / parse),
        ..Row::default()
    });
}

// ----- cold builds and binary sizes -----

/// A hello world in `xtask/bench/hello`.
struct Hello {
    /// Its folder and binary name (`hello-<dir>`).
    dir: &'static str,
    /// How the table names it.
    what: &'static str,
}

const OURS_ASYNC: Hello = Hello {
    dir: "async",
    what: "async hello world, default features (tokio)",
};
const OURS_BLOCKING: Hello = Hello {
    dir: "blocking",
    what: "blocking hello world (`default-features = false, features = [\"https\"]`)",
};
const OURS_CORE: Hello = Hello {
    dir: "core",
    what: "core-only hello world (no default features, the program's own plain-HTTP transport)",
};
const AWS: Hello = Hello {
    dir: "aws-sdk",
    what: "aws-sdk-iotjobsdataplane + aws-config + tokio",
};
const IOT_LEAN: Hello = Hello {
    dir: "iot-lean",
    what: "DescribeEndpoint hello world on generated/iot (that operation only)",
};
const IOT_WHOLE: Hello = Hello {
    dir: "iot-whole",
    what: "the same on a crate of the whole IoT model",
};
const AWS_IOT: Hello = Hello {
    dir: "aws-sdk-iot",
    what: "aws-sdk-iot + aws-config + tokio",
};
const FLOOR: Hello = Hello {
    dir: "floor",
    what: "floor: serde + serde_json (derive) + http, the same plain-HTTP transport",
};

/// One cold build: wall time, crates compiled and, where measured, the
/// peak memory of its largest process (a rustc) and the CPU time of all its
/// processes (user plus system: what the build costs, whatever else the
/// machine was doing, where wall time depends on the load).
#[derive(Clone, Copy, Debug)]
struct Build {
    secs: f64,
    crates: usize,
    peak_kib: Option<u64>,
    cpu_secs: Option<f64>,
}

impl Build {
    fn cell(self) -> String {
        format!("{:.1} s, {} crates", self.secs, self.crates)
    }
}

/// The peak memory GNU time's `-v` report gives, in KiB.
fn peak_memory(stderr: &str) -> Option<u64> {
    stderr.lines().find_map(|l| {
        l.trim()
            .strip_prefix("Maximum resident set size (kbytes):")
            .and_then(|v| v.trim().parse().ok())
    })
}

/// The CPU time GNU time's `-v` report gives: user plus system seconds of
/// the build and every process it waited for.
fn cpu_time(stderr: &str) -> Option<f64> {
    let field = |name: &str| {
        stderr.lines().find_map(|l| {
            l.trim()
                .strip_prefix(name)
                .and_then(|v| v.trim().parse::<f64>().ok())
        })
    };
    Some(field("User time (seconds):")? + field("System time (seconds):")?)
}

/// The newest version folder's model of `service` in a botocore `data` folder.
fn newest_model(dir: &Path, service: &str) -> Result<PathBuf, Failure> {
    let models = corpus::find_models(dir)?;
    models
        .into_iter()
        .find(|m| m.service == service)
        .map(|m| m.path)
        .ok_or_else(|| Failure(format!("{}: no `{service}` model", dir.display())))
}

/// Cold debug builds of DescribeEndpoint programs: the lean `iot` crate, a
/// crate of the whole IoT model, and aws-sdk-iot; one build each (the
/// whole-model and aws-sdk builds take minutes).
fn lean_rows(root: &Path, model: &Path, table: &mut Table) -> Result<(), Failure> {
    eprintln!("==> generating the whole IoT model into target/bench/iot-whole");
    let text = corpus::read_model(model).map_err(Failure)?;
    let options = codegen::Options {
        runtime_path: root.join("codegen/runtime").display().to_string(),
        credentials_path: None,
        ..Default::default()
    };
    let generated = codegen::generate("iot/service-2.json", &text, &options)
        .map_err(|e| Failure(e.to_string()))?;
    let out = root.join("target/bench/iot-whole");
    if out.exists() {
        fs::remove_dir_all(&out).map_err(|e| Failure(format!("{}: {e}", out.display())))?;
    }
    let lines: usize = generated.files.values().map(|f| f.lines().count()).sum();
    let files = generated.files.len();
    for (path, content) in &generated.files {
        let path = out.join(path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| Failure(format!("{}: {e}", parent.display())))?;
        }
        fs::write(&path, content).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
    }
    let hellos = [IOT_LEAN, IOT_WHOLE, AWS_IOT];
    for hello in &hellos {
        let status = Command::new(cargo())
            .args(["fetch", "--quiet", "--manifest-path"])
            .arg(manifest(root, hello))
            .status()
            .map_err(|e| Failure(format!("running cargo: {e}")))?;
        if !status.success() {
            return Err(Failure(format!(
                "cargo fetch for hello/{} failed",
                hello.dir
            )));
        }
    }
    eprintln!(
        "==> cold debug builds: lean iot, whole iot ({files} files, {lines} lines), aws-sdk-iot"
    );
    let builds: Vec<Build> = hellos
        .iter()
        .map(|hello| cold_build(root, hello, false).map(|(build, _)| build))
        .collect::<Result<_, _>>()?;
    let cell = |b: &Build| {
        let mut cell = b.cell();
        if let Some(cpu) = b.cpu_secs {
            cell += &format!(", CPU {cpu:.0} s");
        }
        if let Some(kib) = b.peak_kib {
            cell += &format!(", peak {:.2} GB", kib as f64 / 1024.0 / 1024.0);
        }
        cell
    };
    let aws = builds[2];
    for (hello, build) in hellos.iter().zip(&builds).take(2) {
        let mut vs_aws = format!("{} wall", ratio(build.secs / aws.secs));
        if let Some((ours, theirs)) = build.cpu_secs.zip(aws.cpu_secs) {
            vs_aws += &format!(", {} CPU", ratio(ours / theirs));
        }
        table.rows.push(Row {
            what: format!("cold debug build, {}; one build", hello.what),
            ours: cell(build),
            aws: format!("{} ({})", cell(&aws), AWS_IOT.what),
            vs_aws,
            ..Row::default()
        });
    }
    Ok(())
}

/// The number of `Compiling` lines in cargo's output: crates compiled.
fn count_compiled(stderr: &str) -> usize {
    stderr
        .lines()
        .filter(|l| l.trim_start().starts_with("Compiling "))
        .count()
}

/// Cold-builds `hello` in a fresh target directory.
fn cold_build(root: &Path, hello: &Hello, release: bool) -> Result<(Build, PathBuf), Failure> {
    let profile = if release { "release" } else { "debug" };
    let target = root.join(format!("target/bench/hello-{}-{profile}", hello.dir));
    if target.exists() {
        fs::remove_dir_all(&target).map_err(|e| Failure(format!("{}: {e}", target.display())))?;
    }
    // GNU time, where installed, reports the peak memory of the largest
    // process of the build (`Maximum resident set size`).
    let gnu_time = Path::new("/usr/bin/time");
    let mut command = if gnu_time.is_file() {
        let mut command = Command::new(gnu_time);
        command.arg("-v").arg(cargo());
        command
    } else {
        Command::new(cargo())
    };
    command
        .args(["build", "--offline", "--manifest-path"])
        .arg(manifest(root, hello))
        .env("CARGO_TARGET_DIR", &target)
        .env("CARGO_TERM_COLOR", "never")
        .env("CARGO_TERM_PROGRESS_WHEN", "never");
    if release {
        command.arg("--release");
    }
    let clock = Instant::now();
    let output = command
        .output()
        .map_err(|e| Failure(format!("running cargo: {e}")))?;
    let secs = clock.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(Failure(format!(
            "building xtask/bench/hello/{} failed:\n{stderr}",
            hello.dir
        )));
    }
    let binary = target.join(profile).join(format!(
        "hello-{}{}",
        hello.dir,
        std::env::consts::EXE_SUFFIX
    ));
    let crates = count_compiled(&stderr);
    let peak_kib = peak_memory(&stderr);
    let cpu_secs = cpu_time(&stderr);
    eprintln!("    {} {profile}: {secs:.1} s, {crates} crates", hello.dir);
    Ok((
        Build {
            secs,
            crates,
            peak_kib,
            cpu_secs,
        },
        binary,
    ))
}

fn manifest(root: &Path, hello: &Hello) -> PathBuf {
    root.join("xtask/bench/hello")
        .join(hello.dir)
        .join("Cargo.toml")
}

/// The median build of `runs` (by wall time).
fn median_build(runs: &mut [Build]) -> Build {
    runs.sort_by(|a, b| a.secs.total_cmp(&b.secs));
    let n = runs.len();
    if n % 2 == 1 {
        runs[n / 2]
    } else {
        let (a, b) = (runs[n / 2 - 1], runs[n / 2]);
        Build {
            secs: (a.secs + b.secs) / 2.0,
            crates: a.crates.max(b.crates),
            peak_kib: a.peak_kib.max(b.peak_kib),
            cpu_secs: a.cpu_secs.zip(b.cpu_secs).map(|(a, b)| (a + b) / 2.0),
        }
    }
}

fn build_rows(root: &Path, runs: usize, table: &mut Table) -> Result<(), Failure> {
    let hellos = [OURS_ASYNC, OURS_BLOCKING, OURS_CORE, AWS, FLOOR];
    eprintln!("==> fetching the hello worlds' dependencies (not timed)");
    for hello in &hellos {
        let status = Command::new(cargo())
            .args(["fetch", "--quiet", "--manifest-path"])
            .arg(manifest(root, hello))
            .status()
            .map_err(|e| Failure(format!("running cargo: {e}")))?;
        if !status.success() {
            return Err(Failure(format!(
                "cargo fetch for hello/{} failed",
                hello.dir
            )));
        }
    }
    // Rounds alternate the builds, so load from elsewhere falls on all alike.
    let mut debug: Vec<Vec<Build>> = vec![Vec::new(); hellos.len()];
    for round in 0..runs {
        eprintln!("==> cold debug builds, round {}/{runs}", round + 1);
        for (i, hello) in hellos.iter().enumerate() {
            debug[i].push(cold_build(root, hello, false)?.0);
        }
    }
    eprintln!("==> cold release builds (binary sizes)");
    let mut release = Vec::new();
    for hello in &hellos {
        let (build, binary) = cold_build(root, hello, true)?;
        let size = fs::metadata(&binary)
            .map_err(|e| Failure(format!("{}: {e}", binary.display())))?
            .len();
        release.push((build, size));
    }
    let debug: Vec<Build> = debug.iter_mut().map(|b| median_build(b)).collect();
    let [ours_async, ours_blocking, ours_core, aws, floor] = [0, 1, 2, 3, 4].map(|i| debug[i]);

    let what = |hello: &Hello| format!("cold debug build, {}; median of {runs}", hello.what);
    table.rows.push(Row {
        what: what(&OURS_ASYNC),
        ours: ours_async.cell(),
        aws: aws.cell(),
        vs_aws: ratio(ours_async.secs / aws.secs),
        target: "≤ 1/3 aws-sdk".to_owned(),
        verdict: verdict(ours_async.secs <= aws.secs / 3.0),
        ..Row::default()
    });
    table.rows.push(Row {
        what: what(&OURS_BLOCKING),
        ours: ours_blocking.cell(),
        aws: aws.cell(),
        vs_aws: ratio(ours_blocking.secs / aws.secs),
        target: "≤ 1/6 aws-sdk".to_owned(),
        verdict: verdict(ours_blocking.secs <= aws.secs / 6.0),
        ..Row::default()
    });
    table.rows.push(Row {
        what: what(&OURS_CORE),
        ours: ours_core.cell(),
        floor: floor.cell(),
        vs_floor: ratio(ours_core.secs / floor.secs),
        target: "≤ 1.5x floor".to_owned(),
        verdict: verdict(ours_core.secs <= 1.5 * floor.secs),
        ..Row::default()
    });

    let [(rel_async, size_async), (rel_blocking, size_blocking), (rel_core, size_core), (rel_aws, size_aws), (rel_floor, size_floor)] =
        [0, 1, 2, 3, 4].map(|i| release[i]);
    table.rows.push(Row {
        what: "cold release build, for orientation: async / blocking / core only (aws-sdk; floor)"
            .to_owned(),
        ours: [rel_async, rel_blocking, rel_core]
            .map(|b| format!("{:.1} s", b.secs))
            .join(" / "),
        aws: rel_aws.cell(),
        floor: rel_floor.cell(),
        vs_aws: ratio(rel_async.secs / rel_aws.secs),
        ..Row::default()
    });
    for (hello, size, target) in [
        (&OURS_ASYNC, size_async, true),
        (&OURS_BLOCKING, size_blocking, true),
        (&OURS_CORE, size_core, false),
    ] {
        let mut row = Row {
            what: format!("release binary, stripped: {}", hello.what),
            ours: megabytes(size),
            aws: megabytes(size_aws),
            vs_aws: ratio(size as f64 / size_aws as f64),
            ..Row::default()
        };
        if target {
            row.target = "with HTTPS: ≤ 1/5 aws-sdk".to_owned();
            row.verdict = verdict(size as f64 <= size_aws as f64 / 5.0);
        } else {
            row.floor = megabytes(size_floor);
            row.vs_floor = ratio(size as f64 / size_floor as f64);
        }
        table.rows.push(row);
    }
    Ok(())
}

// ----- the machine -----

/// The 1-minute load average (Linux), a sign of other work on the machine.
fn load_average() -> Option<String> {
    let text = fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next().map(str::to_owned)
}

/// The CPU model and the number of cores the process may use.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned());
    format!("{model}, {cores} cores, {}", std::env::consts::OS)
}

fn rustc_version() -> String {
    Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|v| v.split_whitespace().nth(1).map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Today's date (UTC), `YYYY-MM-DD`.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (year, month, day) = civil_date(secs / 86_400);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The proleptic Gregorian date of a day number since 1970-01-01.
fn civil_date(days: u64) -> (u64, u64, u64) {
    // Howard Hinnant's days-to-civil, for days after the epoch.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|a| (*a).to_owned()).collect()
    }

    #[test]
    fn arguments() {
        let args = Args::parse(&strings(&["--compile", "data", "--rounds", "5"])).unwrap();
        assert_eq!(
            args,
            Args {
                compile: true,
                lean: false,
                build_runs: 3,
                rounds: Some(5),
                concurrency: false,
                runs: None,
                corpus: Some(PathBuf::from("data")),
            }
        );
        let scale = Args::parse(&strings(&["--concurrency", "--runs", "5"])).unwrap();
        assert!(scale.concurrency);
        assert_eq!(scale.runs, Some(5));
        assert!(Args::parse(&strings(&["--concurrency", "--compile"])).is_err());
        assert!(Args::parse(&strings(&["--runs", "5"])).is_err());
        assert!(Args::parse(&strings(&["--build-runs", "0"])).is_err());
        assert!(Args::parse(&strings(&["--fast"])).is_err());
        assert!(Args::parse(&strings(&["a", "b"])).is_err());
    }

    #[test]
    fn peak_memory_is_read_from_gnu_time() {
        let stderr = "   Compiling iot v0.1.0\n\tCommand being timed: \"cargo build\"\n\
                      \tMaximum resident set size (kbytes): 1638400\n";
        assert_eq!(peak_memory(stderr), Some(1_638_400));
        assert_eq!(peak_memory("   Compiling iot v0.1.0\n"), None);
    }

    #[test]
    fn measurements_become_rows_with_verdicts() {
        let text = "rounds 31\n\
                    describe.ours 3e-6\ndescribe.aws 4e-5\ndescribe.floor 2e-6\ndescribe.floor_signed 3.5e-6\n\
                    update.ours 3e-6\nupdate.aws 3e-5\nupdate.floor 8e-7\nupdate.floor_signed 2.4e-6\n\
                    pending.bytes 250000\npending.ours 5e-4\npending.aws 1e-3\npending.floor 4e-4\n\
                    getitem.ours 2e-6\ngetitem.aws 3e-5\nassumerole.ours 4e-6\nassumerole.aws 3e-5\n\
                    getobject.ours 3e-6\ngetobject.aws 3e-5\n";
        let mut table = Table::default();
        Measurements::parse(text).unwrap().rows(&mut table).unwrap();
        let rows = &table.rows;
        assert_eq!(rows.len(), 8);
        // 3 µs is below a tenth of 40 µs and below 3 x 2 µs.
        assert_eq!(
            (rows[0].ours.as_str(), rows[0].vs_aws.as_str()),
            ("3.00 µs", "0.075x")
        );
        assert_eq!(rows[0].verdict, Some(Verdict::Met));
        // 3 µs is a tenth of 30 µs, but more than 3 x 0.8 µs.
        assert_eq!(rows[2].vs_floor, "3.75x");
        assert_eq!(rows[2].verdict, Some(Verdict::Missed));
        assert_eq!(rows[3].floor, "2.40 µs");
        // 250 kB in 0.5 ms is 500 MB/s, 0.8x the floor's 625 MB/s.
        assert_eq!(
            (rows[4].ours.as_str(), rows[4].vs_floor.as_str()),
            ("500 MB/s", "0.80x")
        );
        assert_eq!(rows[4].verdict, Some(Verdict::Met));
        // 2 µs against 30 µs is 0.067x; 4 µs against 30 µs is 0.13x.
        assert_eq!(
            (rows[5].vs_aws.as_str(), rows[5].verdict),
            ("0.067x", Some(Verdict::Met))
        );
        assert_eq!(
            (rows[6].vs_aws.as_str(), rows[6].verdict),
            ("0.13x", Some(Verdict::Missed))
        );
        // 3 µs against 30 µs is exactly the target: met.
        assert!(rows[7].what.starts_with("rest-xml: S3 `get_object`"));
        assert_eq!(
            (
                rows[7].ours.as_str(),
                rows[7].vs_aws.as_str(),
                rows[7].verdict
            ),
            ("3.00 µs", "0.10x", Some(Verdict::Met))
        );
        let markdown = table.markdown();
        assert_eq!(markdown.lines().count(), 10);
        assert!(markdown
            .lines()
            .nth(5)
            .unwrap()
            .ends_with("| — | — | 2.40 µs | — | 1.25x | — | |"));
        assert!(Measurements::parse("rounds x").is_err());
        assert!(Measurements::parse("rounds 3")
            .unwrap()
            .rows(&mut table)
            .is_err());
    }

    #[test]
    fn compiled_crates_are_counted_from_cargo_output() {
        let stderr = "   Compiling libc v0.2.180\n   Compiling hello v0.1.0 (/x)\n\
                      warning: unused\n    Finished `dev` profile\n";
        assert_eq!(count_compiled(stderr), 2);
    }

    #[test]
    fn median_build_is_by_time() {
        let build = |secs, crates| Build {
            secs,
            crates,
            peak_kib: None,
            cpu_secs: None,
        };
        let median = median_build(&mut [build(30.0, 40), build(10.0, 40), build(20.0, 40)]);
        assert_eq!((median.secs, median.crates), (20.0, 40));
        let median = median_build(&mut [build(30.0, 40), build(10.0, 41)]);
        assert_eq!((median.secs, median.crates), (20.0, 41));
    }

    #[test]
    fn units() {
        assert_eq!(duration(3.2e-6), "3.20 µs");
        assert_eq!(duration(0.0215), "21.5 ms");
        assert_eq!(duration(74.1e-6), "74 µs");
        assert_eq!(duration(75.04), "75.0 s");
        assert_eq!(megabytes(14_600_000), "14.60 MB");
        assert_eq!(ratio(0.0954), "0.095x");
        assert_eq!(ratio(145.2), "145x");
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), (1970, 1, 1));
        assert_eq!(civil_date(19_875), (2024, 6, 1));
        assert_eq!(civil_date(11_016), (2000, 2, 29));
    }
}
