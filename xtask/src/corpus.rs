//! `cargo xtask corpus DIR [--compile [SERVICES...] | --bench [RUNS]]`: the generator on every
//! rest-json model of a botocore `data` folder.
//!
//! Crates go to a scratch workspace under `target/corpus` (never
//! `generated/`). A model the generator cannot handle is a failure of that
//! service only; models of other protocols are counted as unsupported.

use std::collections::BTreeMap;
use std::fs;
use std::io::{IsTerminal, Read, Write};
use std::panic;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::codegen::Failure;

const USAGE: &str = "usage: cargo xtask corpus DIR [--compile [SERVICES...] | --bench [RUNS]]";

/// One service's model: its folder name and the newest version's file.
#[derive(Debug, Clone)]
pub struct ServiceModel {
    pub service: String,
    pub path: PathBuf,
}

/// What happened to one service.
#[derive(Debug)]
enum Outcome {
    Generated {
        crate_name: String,
        left_out: Vec<(String, String)>,
        /// Paginators and waiters generated.
        helpers: Helpers,
    },
    Failed {
        stage: String,
        reason: String,
        /// Paginators and waiters the service defines.
        helpers: Helpers,
    },
    Unsupported {
        protocol: String,
        /// Paginators and waiters the service defines.
        helpers: Helpers,
    },
}

/// How many paginators and waiters.
#[derive(Debug, Default, Clone, Copy)]
struct Helpers {
    paginators: usize,
    waiters: usize,
    /// `*.sdk-extras.json` files merged into them.
    extras: usize,
}

impl std::ops::AddAssign for Helpers {
    fn add_assign(&mut self, other: Self) {
        self.paginators += other.paginators;
        self.waiters += other.waiters;
        self.extras += other.extras;
    }
}

/// The texts of a service's helper files beside its model, those it has.
#[derive(Default)]
struct HelperFiles {
    paginators: Option<String>,
    waiters: Option<String>,
    /// The `*.sdk-extras.json` beside them, merged in by the generator.
    paginators_extras: Option<String>,
    waiters_extras: Option<String>,
}

/// A service's `paginators-1.json` and `waiters-2.json` (with their
/// `sdk-extras`) beside its model, when it has them, and how many
/// definitions each holds.
fn helper_files(model: &Path) -> Result<(HelperFiles, Helpers), String> {
    let dir = model.parent().unwrap_or(Path::new("."));
    let read = |name: &str| -> Result<Option<String>, String> {
        let path = dir.join(name);
        if !path.exists() {
            return Ok(None);
        }
        read_model(&path)
            .map(Some)
            .map_err(|e| format!("{name}: {e}"))
    };
    let files = HelperFiles {
        paginators: read(crate::codegen::PAGINATORS_FILE)?,
        waiters: read(crate::codegen::WAITERS_FILE)?,
        paginators_extras: read(crate::codegen::PAGINATORS_EXTRAS_FILE)?,
        waiters_extras: read(crate::codegen::WAITERS_EXTRAS_FILE)?,
    };
    let count = |text: &Option<String>, key: &str| -> usize {
        text.as_deref()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
            .and_then(|v| v.get(key).and_then(|m| m.as_object()).map(|m| m.len()))
            .unwrap_or(0)
    };
    let helpers = Helpers {
        paginators: count(&files.paginators, "pagination"),
        waiters: count(&files.waiters, "waiters"),
        extras: [&files.paginators_extras, &files.waiters_extras]
            .iter()
            .filter(|extras| extras.is_some())
            .count(),
    };
    Ok((files, helpers))
}

/// Finds the newest version of every service in a botocore `data` folder.
pub fn find_models(dir: &Path) -> Result<Vec<ServiceModel>, Failure> {
    let read = |dir: &Path| -> Result<Vec<PathBuf>, Failure> {
        let mut entries: Vec<PathBuf> = fs::read_dir(dir)
            .map_err(|e| Failure(format!("{}: {e}", dir.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        entries.sort();
        Ok(entries)
    };
    let mut models = Vec::new();
    for service_dir in read(dir)? {
        // Versions are dates (`2017-09-29`): the last in order is the newest.
        for version in read(&service_dir)?.iter().rev() {
            let plain = version.join("service-2.json");
            let gzipped = version.join("service-2.json.gz");
            let path = if plain.exists() {
                plain
            } else if gzipped.exists() {
                gzipped
            } else {
                continue;
            };
            let service = service_dir
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            models.push(ServiceModel { service, path });
            break;
        }
    }
    if models.is_empty() {
        return Err(Failure(format!(
            "{}: no service-2.json models found",
            dir.display()
        )));
    }
    Ok(models)
}

/// Reads a model file, gunzipping `.gz` files.
pub fn read_model(path: &Path) -> Result<String, String> {
    let bytes = fs::read(path).map_err(|e| e.to_string())?;
    if path.extension().is_some_and(|e| e == "gz") {
        let mut text = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut text)
            .map_err(|e| format!("gunzip: {e}"))?;
        Ok(text)
    } else {
        String::from_utf8(bytes).map_err(|_| "not UTF-8".to_owned())
    }
}

/// The protocol the generator would speak for a model (its choice among
/// `metadata.protocols`, else `metadata.protocol`), or `Err` with the
/// declared protocol when it supports none; read without the rest of the
/// model. `None` when the model has no readable `metadata.protocol`.
fn protocol(text: &str) -> Option<Result<&'static str, String>> {
    #[derive(Deserialize)]
    struct Head {
        metadata: Meta,
    }
    #[derive(Deserialize)]
    struct Meta {
        protocol: String,
        #[serde(default)]
        protocols: Vec<String>,
    }
    let meta = serde_json::from_str::<Head>(text).ok()?.metadata;
    Some(
        codegen::resolve::choose_protocol(&meta.protocol, &meta.protocols)
            .map_err(|_| meta.protocol),
    )
}

/// Accumulated time per stage.
#[derive(Debug, Default)]
struct Times {
    read: Duration,
    stages: codegen::StageTimes,
    write: Duration,
}

/// Runs the corpus; returns whether every supported service generated (and, with `compile`, compiled cleanly).
pub fn run(root: &Path, args: &[String]) -> Result<bool, Failure> {
    let (dir, compile, only) = match args {
        [dir] => (dir, false, Vec::new()),
        [dir, flag, rest @ ..] if flag == "--compile" => (dir, true, rest.to_vec()),
        [dir, flag, rest @ ..] if flag == "--bench" => {
            let runs = match rest {
                [] => 5,
                [runs] => runs.parse().map_err(|_| {
                    Failure(format!("--bench takes a number of runs, not `{runs}`"))
                })?,
                _ => return Err(Failure(USAGE.to_owned())),
            };
            let report = bench(root, Path::new(dir), runs)?;
            println!("{}", report.table());
            return Ok(true);
        }
        _ => return Err(Failure(USAGE.to_owned())),
    };
    let models = find_models(Path::new(dir))?;
    let work = root.join("target/corpus");
    let runtime = root.join("codegen/runtime");
    let options = codegen::Options {
        runtime_path: runtime.display().to_string(),
        credentials_path: None,
        ..Default::default()
    };

    let mut times = Times::default();
    let mut outcomes: BTreeMap<String, Outcome> = BTreeMap::new();
    let progress = std::io::stderr().is_terminal();
    let started = Instant::now();
    for (i, model) in models.iter().enumerate() {
        if progress {
            eprint!("\r\x1b[K[{}/{}] {}", i + 1, models.len(), model.service);
        } else if i % 50 == 0 {
            eprintln!("[{}/{}] {}", i + 1, models.len(), model.service);
        }
        let outcome = generate_one(model, &work, &options, &mut times);
        outcomes.insert(model.service.clone(), outcome);
    }
    if progress {
        eprintln!();
    }
    let total = started.elapsed();

    let mut generated = Vec::new();
    let (mut failed, mut unsupported, mut left_out_count, mut left_out_services) = (0, 0, 0, 0);
    let (mut helpers_generated, mut helpers_failed, mut helpers_unsupported) =
        (Helpers::default(), Helpers::default(), Helpers::default());
    for (service, outcome) in &outcomes {
        match outcome {
            Outcome::Generated {
                crate_name,
                left_out,
                helpers,
            } => {
                helpers_generated += *helpers;
                generated.push((service.clone(), crate_name.clone()));
                if !left_out.is_empty() {
                    left_out_services += 1;
                    left_out_count += left_out.len();
                    for (operation, reason) in left_out {
                        println!("left out {service}::{operation}: {reason}");
                    }
                }
            }
            Outcome::Failed {
                stage,
                reason,
                helpers,
            } => {
                helpers_failed += *helpers;
                failed += 1;
                let reason = reason.lines().take(3).collect::<Vec<_>>().join(" | ");
                println!("FAILED {service} [{stage}]: {reason}");
            }
            Outcome::Unsupported { helpers, .. } => {
                helpers_unsupported += *helpers;
                unsupported += 1;
            }
        }
    }
    let mut protocols: BTreeMap<&str, usize> = BTreeMap::new();
    for outcome in outcomes.values() {
        if let Outcome::Unsupported { protocol, .. } = outcome {
            *protocols.entry(protocol.as_str()).or_default() += 1;
        }
    }
    if left_out_count > 0 {
        println!(
            "left out: {left_out_count} operations in {left_out_services} services (each listed in its crate's docs)"
        );
    }
    for (protocol, count) in &protocols {
        println!("unsupported: {count} services use protocol {protocol}, not supported yet");
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "time: read {:.0} ms, load {:.0} ms, resolve {:.0} ms, emit {:.0} ms, format {:.0} ms, write {:.0} ms (total {:.1} s)",
        ms(times.read),
        ms(times.stages.load),
        ms(times.stages.resolve),
        ms(times.stages.emit),
        ms(times.stages.format),
        ms(times.write),
        total.as_secs_f64()
    );
    write_workspace(&work, &generated)?;
    println!(
        "paginators: {} generated, {} failed, {} unsupported",
        helpers_generated.paginators, helpers_failed.paginators, helpers_unsupported.paginators
    );
    println!(
        "waiters: {} generated, {} failed, {} unsupported",
        helpers_generated.waiters, helpers_failed.waiters, helpers_unsupported.waiters
    );
    println!(
        "sdk-extras (paginators-1.sdk-extras.json, waiters-2.sdk-extras.json): {} merged, {} in failed services, {} in unsupported ones",
        helpers_generated.extras, helpers_failed.extras, helpers_unsupported.extras
    );
    println!(
        "{} generated, {failed} failed, {unsupported} unsupported",
        generated.len()
    );
    if !compile {
        return Ok(failed == 0);
    }
    let chosen: Vec<(String, String)> = if only.is_empty() {
        generated
    } else {
        let mut chosen = Vec::new();
        for name in &only {
            match generated.iter().find(|(service, _)| service == name) {
                Some(found) => chosen.push(found.clone()),
                None => return Err(Failure(format!("service `{name}` was not generated"))),
            }
        }
        chosen
    };
    let compiled_ok = check_crates(&work, &chosen)?;
    Ok(failed == 0 && compiled_ok)
}

/// Medians of whole-corpus generation and of parsing the same files.
pub struct BenchReport {
    pub services: usize,
    pub bytes: usize,
    pub runs: usize,
    /// Per run: parsing every model with `serde_json` into a `Value`.
    pub parse: Vec<Duration>,
    /// Per run: load, resolve, emit, format and write every model's crate.
    pub generate: Vec<Duration>,
}

/// The median of `times` (sorted in place).
pub fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    match times.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => times[n / 2],
        n => (times[n / 2 - 1] + times[n / 2]) / 2,
    }
}

impl BenchReport {
    /// A markdown table of the medians and their ratio.
    pub fn table(&self) -> String {
        let mut parse = self.parse.clone();
        let mut generate = self.generate.clone();
        let (parse, generate) = (median(&mut parse), median(&mut generate));
        let ratio = generate.as_secs_f64() / parse.as_secs_f64().max(1e-9);
        format!(
            "| corpus ({} rest-json models, {:.1} MB, median of {} runs) | time |\n| --- | --- |\n\
             | parse with serde_json into `Value` | {:.0} ms |\n\
             | generate: load, resolve, emit, format, write | {:.2} s |\n\
             | ratio generate / parse | {ratio:.0}x |",
            self.services,
            self.bytes as f64 / 1e6,
            self.runs,
            parse.as_secs_f64() * 1000.0,
            generate.as_secs_f64(),
        )
    }
}

/// Times whole-corpus generation (parse to write) against parsing the same
/// files with serde_json, `runs` times each. Files are read into memory first.
pub fn bench(root: &Path, dir: &Path, runs: usize) -> Result<BenchReport, Failure> {
    let mut texts = Vec::new();
    for model in find_models(dir)? {
        let text = read_model(&model.path)
            .map_err(|e| Failure(format!("{}: {e}", model.path.display())))?;
        if matches!(protocol(&text), Some(Ok(_))) {
            texts.push((model.service, text));
        }
    }
    let work = root.join("target/corpus-bench");
    let options = codegen::Options {
        runtime_path: root.join("codegen/runtime").display().to_string(),
        credentials_path: None,
        ..Default::default()
    };
    let mut report = BenchReport {
        services: texts.len(),
        bytes: texts.iter().map(|(_, t)| t.len()).sum(),
        runs,
        parse: Vec::new(),
        generate: Vec::new(),
    };
    for run in 0..runs {
        eprintln!("run {}/{runs}", run + 1);
        let clock = Instant::now();
        for (_, text) in &texts {
            let value: serde_json::Value =
                serde_json::from_str(text).map_err(|e| Failure(format!("parse: {e}")))?;
            std::hint::black_box(value);
        }
        report.parse.push(clock.elapsed());
        let clock = Instant::now();
        for (service, text) in &texts {
            let generated =
                codegen::generate(service, text, &options).map_err(|e| Failure(e.to_string()))?;
            for (file, content) in &generated.files {
                write_if_changed(&work.join(&generated.name).join(file), content)
                    .map_err(|e| Failure(format!("writing: {e}")))?;
            }
        }
        report.generate.push(clock.elapsed());
    }
    Ok(report)
}

fn generate_one(
    model: &ServiceModel,
    work: &Path,
    options: &codegen::Options,
    times: &mut Times,
) -> Outcome {
    let mut defined = Helpers::default();
    let failed = |stage: &str, reason: String, helpers: Helpers| Outcome::Failed {
        stage: stage.to_owned(),
        reason,
        helpers,
    };
    let clock = Instant::now();
    let text = match read_model(&model.path) {
        Ok(text) => text,
        Err(reason) => return failed("read", reason, defined),
    };
    let (files, helpers) = match helper_files(&model.path) {
        Ok(found) => found,
        Err(reason) => return failed("read", reason, defined),
    };
    defined = helpers;
    times.read += clock.elapsed();
    match protocol(&text) {
        Some(Ok(_)) => {}
        Some(Err(protocol)) => {
            return Outcome::Unsupported {
                protocol,
                helpers: defined,
            }
        }
        None => return failed("load", "no metadata.protocol".to_owned(), defined),
    }
    let name = format!("{}/service-2.json", model.service);
    let names = [
        crate::codegen::PAGINATORS_FILE,
        crate::codegen::WAITERS_FILE,
        crate::codegen::PAGINATORS_EXTRAS_FILE,
        crate::codegen::WAITERS_EXTRAS_FILE,
    ]
    .map(|file| format!("{}/{file}", model.service));
    fn named<'a>(name: &'a str, text: &'a Option<String>) -> Option<(&'a str, &'a str)> {
        text.as_deref().map(|text| (name, text))
    }
    let set = codegen::ModelSet {
        paginators: named(&names[0], &files.paginators),
        waiters: named(&names[1], &files.waiters),
        paginators_extras: named(&names[2], &files.paginators_extras),
        waiters_extras: named(&names[3], &files.waiters_extras),
        endpoint_rules: None,
    };
    // A panic in the generator is a bug; it fails this service, not the run.
    let result = panic::catch_unwind(|| codegen::generate_timed(&name, &text, &set, options));
    let (generated, stage_times) = match result {
        Ok(Ok(done)) => done,
        Ok(Err(error)) => return failed(&error.stage().to_string(), error.to_string(), defined),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            return failed("panic", message, defined);
        }
    };
    times.stages.load += stage_times.load;
    times.stages.resolve += stage_times.resolve;
    times.stages.emit += stage_times.emit;
    times.stages.format += stage_times.format;
    let clock = Instant::now();
    let crate_dir = work.join(&generated.name);
    for (file, content) in &generated.files {
        if let Err(e) = write_if_changed(&crate_dir.join(file), content) {
            return failed("write", e.to_string(), defined);
        }
    }
    times.write += clock.elapsed();
    Outcome::Generated {
        crate_name: generated.name,
        left_out: generated.left_out,
        helpers: Helpers {
            paginators: generated.paginators,
            waiters: generated.waiters,
            extras: defined.extras,
        },
    }
}

fn write_if_changed(path: &Path, content: &str) -> std::io::Result<()> {
    if fs::read(path).ok().as_deref() == Some(content.as_bytes()) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(path, content)
}

fn write_workspace(work: &Path, generated: &[(String, String)]) -> Result<(), Failure> {
    let members: Vec<String> = generated
        .iter()
        .map(|(_, name)| format!("{name:?}"))
        .collect();
    let manifest = format!(
        "[workspace]\nresolver = \"2\"\nmembers = [\n    {}\n]\n",
        members.join(",\n    ")
    );
    write_if_changed(&work.join("Cargo.toml"), &manifest)
        .map_err(|e| Failure(format!("{}: {e}", work.display())))
}

/// `cargo clippy` (cargo check plus lints) over the chosen crates, errors and warnings per service.
fn check_crates(work: &Path, chosen: &[(String, String)]) -> Result<bool, Failure> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command
        .current_dir(work)
        // Clippy runs cargo check and adds its lints: generated code is held
        // to both. All features: the optional `serde` derives must compile too.
        .args([
            "clippy",
            "--keep-going",
            "--all-features",
            "--message-format=json",
        ])
        .env("CARGO_TARGET_DIR", work.join("target"))
        // One check of each crate, never an edit-and-rebuild loop: the
        // incremental caches would only cost disk (20 GB for the corpus).
        .env("CARGO_INCREMENTAL", "0");
    for (_, crate_name) in chosen {
        command.args(["-p", crate_name]);
    }
    let started = Instant::now();
    let output = command
        .output()
        .map_err(|e| Failure(format!("running cargo clippy: {e}")))?;
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout);

    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut warnings: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in stdout.lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if message["reason"] != "compiler-message" {
            continue;
        }
        let package = package_name(message["package_id"].as_str().unwrap_or_default());
        let level = message["message"]["level"].as_str().unwrap_or_default();
        let rendered = message["message"]["rendered"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        match level {
            "error" => errors.entry(package).or_default().push(rendered),
            "warning" => warnings.entry(package).or_default().push(rendered),
            _ => {}
        }
    }
    let mut std_err = std::io::stderr();
    let (mut compiled, mut failed, mut warning_count) = (0, 0, 0);
    for (service, crate_name) in chosen {
        let service_errors = errors.get(crate_name).map_or(0, Vec::len);
        let service_warnings = warnings.get(crate_name).map_or(0, Vec::len);
        warning_count += service_warnings;
        if service_errors > 0 {
            failed += 1;
            let first = errors[crate_name][0]
                .lines()
                .take(6)
                .collect::<Vec<_>>()
                .join("\n    ");
            println!("FAILED {service}: {service_errors} errors, {service_warnings} warnings\n    {first}");
        } else {
            compiled += 1;
            if service_warnings > 0 {
                let first = warnings[crate_name][0]
                    .lines()
                    .take(6)
                    .collect::<Vec<_>>()
                    .join("\n    ");
                println!("WARNINGS {service}: {service_warnings}\n    {first}");
            }
        }
    }
    if !output.status.success() && failed == 0 {
        let _ = writeln!(std_err, "{}", String::from_utf8_lossy(&output.stderr));
        return Err(Failure(
            "cargo clippy failed outside the generated crates".to_owned(),
        ));
    }
    println!(
        "cargo clippy (check and lints) of {} crates took {:.1} s",
        chosen.len(),
        elapsed.as_secs_f64()
    );
    println!("{compiled} compiled, {failed} failed, {warning_count} warnings");
    Ok(failed == 0 && warning_count == 0)
}

/// The package name in a cargo package id (`path+file:///.../name#0.1.0` or `name 0.1.0 (...)`).
fn package_name(id: &str) -> String {
    if let Some(rest) = id.strip_prefix("path+file://") {
        let path = rest.split('#').next().unwrap_or_default();
        return Path::new(path)
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
    }
    id.split(' ').next().unwrap_or_default().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_version_and_gzipped_models_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let make = |service: &str, version: &str, file: &str, bytes: &[u8]| {
            let path = dir.path().join(service).join(version);
            fs::create_dir_all(&path).unwrap();
            fs::write(path.join(file), bytes).unwrap();
        };
        make("alpha", "2015-01-01", "service-2.json", b"old");
        make("alpha", "2020-01-01", "service-2.json", b"{}");
        make("alpha", "2021-01-01", "paginators-1.json", b"{}");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(br#"{"metadata": {"protocol": "json"}}"#)
            .unwrap();
        make(
            "beta",
            "2019-01-01",
            "service-2.json.gz",
            &gz.finish().unwrap(),
        );
        let models = find_models(dir.path()).unwrap();
        assert_eq!(models.len(), 2);
        assert!(models[0].path.ends_with("alpha/2020-01-01/service-2.json"));
        let text = read_model(&models[1].path).unwrap();
        assert_eq!(protocol(&text), Some(Ok("json")));
        let offered = r#"{"metadata": {"protocol": "smithy-rpc-v2-cbor", "protocols": ["smithy-rpc-v2-cbor", "json"]}}"#;
        assert_eq!(protocol(offered), Some(Ok("json")));
        let offered =
            r#"{"metadata": {"protocol": "rest-xml", "protocols": ["rest-xml", "rest-json"]}}"#;
        assert_eq!(protocol(offered), Some(Ok("rest-json")));
        let query = r#"{"metadata": {"protocol": "ec2"}}"#;
        assert_eq!(protocol(query), Some(Ok("ec2")));
        let xml = r#"{"metadata": {"protocol": "rest-xml"}}"#;
        assert_eq!(protocol(xml), Some(Ok("rest-xml")));
        let unsupported = r#"{"metadata": {"protocol": "carrier-pigeon"}}"#;
        assert_eq!(
            protocol(unsupported),
            Some(Err("carrier-pigeon".to_owned()))
        );
    }

    #[test]
    fn medians() {
        let ms = Duration::from_millis;
        assert_eq!(median(&mut [ms(3), ms(1), ms(2)]), ms(2));
        assert_eq!(
            median(&mut [ms(4), ms(1), ms(2), ms(3)]),
            Duration::from_micros(2500)
        );
        assert_eq!(median(&mut []), Duration::ZERO);
    }

    #[test]
    fn package_names_from_ids() {
        assert_eq!(
            package_name("path+file:///work/target/corpus/s3-control#0.1.0"),
            "s3-control"
        );
        assert_eq!(
            package_name("s3-control 0.1.0 (path+file:///x)"),
            "s3-control"
        );
    }
}
