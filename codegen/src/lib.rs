//! Generates Rust crates from AWS JSON service models (rest-json).
//!
//! The pipeline, one module per stage:
//!
//! 1. [`model`] — load: serde types mirroring the JSON format;
//! 2. [`resolve`] — check every reference, decide every Rust name (with
//!    [`naming`]), box recursion, convert docs (with [`docs`]), giving the [`ir`];
//! 3. [`emit`] — the IR becomes tokens, one module per concern;
//! 4. [`mod@format`] — tokens become formatted source with a generated-file header.
//!
//! The library is pure: model text in, file contents out. Writing files and
//! checking for drift is `xtask`'s job.

pub mod docs;
pub mod emit;
pub mod endpoints;
pub mod error;
pub mod format;
pub mod helpers;
pub mod ir;
pub mod jmespath;
pub mod model;
pub mod naming;
pub mod resolve;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

pub use emit::Options;
pub use error::{Error, Stage};

/// A generated crate: its directory name and its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedCrate {
    /// The crate's package name, which is also its directory name.
    pub name: String,
    /// File contents by path relative to the crate's directory, `/`-separated.
    pub files: BTreeMap<String, String>,
    /// Operations of the model the crate leaves out, with the reason (also in the crate's docs).
    pub left_out: Vec<(String, String)>,
    /// How many paginators the crate has.
    pub paginators: usize,
    /// How many waiters the crate has.
    pub waiters: usize,
}

/// Time spent in each stage of one [`generate_timed`] run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StageTimes {
    pub load: Duration,
    pub resolve: Duration,
    pub emit: Duration,
    pub format: Duration,
}

/// The texts of a service's model set (a `model/<service>/` folder, or a
/// botocore data folder) besides the service model itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct ModelSet<'a> {
    /// `paginators-1.json`, with the path errors name it by.
    pub paginators: Option<(&'a str, &'a str)>,
    /// `paginators-1.sdk-extras.json` (botocore's additions to the
    /// paginators, merged in as botocore's loader does), with its path.
    pub paginators_extras: Option<(&'a str, &'a str)>,
    /// `waiters-2.json`, with the path errors name it by.
    pub waiters: Option<(&'a str, &'a str)>,
    /// `waiters-2.sdk-extras.json`, with its path.
    pub waiters_extras: Option<(&'a str, &'a str)>,
    /// `endpoint-rule-set-1.json`, with the path errors name it by: checked
    /// here ([`endpoints::convert`]), the crate then resolves its endpoints by it.
    pub endpoint_rules: Option<(&'a str, &'a str)>,
}

/// Generates the crate for the model at `path` (as named in headers and
/// errors, e.g. `model/iot-jobs-data-plane/service-2.json`) whose text is `text`.
pub fn generate(path: &str, text: &str, options: &Options) -> Result<GeneratedCrate, Error> {
    generate_timed(path, text, &ModelSet::default(), options).map(|(generated, _)| generated)
}

/// [`generate`] with the rest of the service's model set (paginators, waiters).
pub fn generate_set(
    path: &str,
    text: &str,
    set: &ModelSet<'_>,
    options: &Options,
) -> Result<GeneratedCrate, Error> {
    generate_timed(path, text, set, options).map(|(generated, _)| generated)
}

/// [`generate_set`], also reporting the time spent in each stage.
pub fn generate_timed(
    path: &str,
    text: &str,
    set: &ModelSet<'_>,
    options: &Options,
) -> Result<(GeneratedCrate, StageTimes), Error> {
    let mut times = StageTimes::default();
    let mut clock = Instant::now();
    let mut lap = |slot: &mut Duration| {
        let now = Instant::now();
        *slot = now - clock;
        clock = now;
    };
    let mut model = model::parse(path, text)?;
    let unselected = match &options.operations {
        Some(selected) => select_operations(path, &mut model, selected)?,
        None => Vec::new(),
    };
    lap(&mut times.load);
    let mut service = resolve::resolve(path, &model)?;
    if !unselected.is_empty() {
        service.left_out.extend(unselected);
        service.left_out.sort();
    }
    if let Some((file, text)) = set.paginators {
        helpers::resolve_paginators(&mut service, file, text, set.paginators_extras)?;
    }
    if let Some((file, text)) = set.waiters {
        helpers::resolve_waiters(&mut service, file, text, set.waiters_extras)?;
    }
    if let Some((file, text)) = set.endpoint_rules {
        let compact = endpoints::convert(file, text)?;
        let problems = endpoints::check_context(&service, &compact);
        if !problems.is_empty() {
            return Err(Error::resolve(path, problems));
        }
        service.endpoint_rules = Some(compact);
    } else {
        // Without a rule set the endpoint is the template, which takes no parameters.
        for op in &mut service.operations {
            op.endpoint_context.clear();
        }
        service.client_context_params.clear();
    }
    lap(&mut times.resolve);
    let share = emit_and_format(path, &service, options)?;
    times.emit = share.emit;
    times.format = share.format;
    let generated = GeneratedCrate {
        paginators: service.paginators.len(),
        waiters: service.waiters.len(),
        name: service.crate_name,
        files: share.files.into_iter().collect(),
        left_out: service.left_out,
    };
    Ok((generated, times))
}

/// Keeps only the `selected` operations of `model`; returns the others as
/// left out. A selected name the model does not have is an error.
fn select_operations(
    path: &str,
    model: &mut model::Model,
    selected: &[String],
) -> Result<Vec<(String, String)>, Error> {
    let unknown: Vec<error::Problem> = selected
        .iter()
        .filter(|name| !model.operations.contains_key(*name))
        .map(|name| error::Problem {
            at: "the operations to generate".to_owned(),
            message: format!("`{name}` is not an operation of the model"),
        })
        .collect();
    if !unknown.is_empty() {
        return Err(Error::resolve(path, unknown));
    }
    let mut left_out = Vec::new();
    model.operations.retain(|name, _| {
        let keep = selected.contains(name);
        if !keep {
            left_out.push((
                name.clone(),
                "not among the operations this crate is generated with".to_owned(),
            ));
        }
        keep
    });
    Ok(left_out)
}

/// What one worker of [`emit_and_format`] produced, and the time it spent.
#[derive(Default)]
struct Share {
    files: Vec<(String, String)>,
    emit: Duration,
    format: Duration,
}

/// Emits and formats every file, spread over the machine's cores (files are
/// independent; formatting dominates generation time). The files are
/// collected in a sorted map, so the result does not depend on which thread
/// did what; the times are summed over threads.
///
/// A panic while emitting or formatting a file (a generator bug) becomes an
/// internal error naming the file; two files with one path are an error too.
fn emit_and_format(path: &str, service: &ir::Service, options: &Options) -> Result<Share, Error> {
    let files = emit::files(service);
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len());
    let work = |worker: usize| -> Result<Share, Error> {
        let mut share = Share::default();
        // Round-robin, so large and small files mix across workers.
        for file in files.iter().skip(worker).step_by(workers) {
            let name = file.path(service);
            let one = || -> Result<(String, Duration, Duration), Error> {
                let clock = Instant::now();
                let output = emit::emit_file(service, options, *file);
                let emit = clock.elapsed();
                let clock = Instant::now();
                let text = match output {
                    emit::Output::Rust(tokens) => format::rust_file(path, &name, tokens)?,
                    emit::Output::Text(text) => format::text_file(path, &text),
                };
                Ok((text, emit, clock.elapsed()))
            };
            let (text, emit, format) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(one))
                .unwrap_or_else(|panic| {
                    Err(Error::internal(path, &name, panic_message(&*panic)))
                })?;
            share.emit += emit;
            share.format += format;
            share.files.push((name, text));
        }
        Ok(share)
    };
    let results: Vec<Result<Share, Error>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|worker| {
                std::thread::Builder::new()
                    // Formatting recurses over the syntax tree; resolve bounds its depth
                    // (`resolve::MAX_NESTING`), this leaves a wide margin in debug builds.
                    .stack_size(WORKER_STACK)
                    .spawn_scoped(scope, move || work(worker))
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| match handle {
                Ok(handle) => handle.join().unwrap_or_else(|panic| {
                    Err(Error::internal(path, "(a worker)", panic_message(&*panic)))
                }),
                Err(e) => Err(Error::internal(
                    path,
                    "(a worker)",
                    format!("could not start a generator thread: {e}"),
                )),
            })
            .collect()
    });
    let mut all = Share::default();
    for result in results {
        let share = result?;
        all.files.extend(share.files);
        all.emit += share.emit;
        all.format += share.format;
    }
    all.files.sort_by(|a, b| a.0.cmp(&b.0));
    check_unique_paths(path, &all.files)?;
    Ok(all)
}

/// Two files with one path would silently lose one when written: an error.
/// `files` is sorted by path.
fn check_unique_paths(path: &str, files: &[(String, String)]) -> Result<(), Error> {
    match files.windows(2).find(|pair| pair[0].0 == pair[1].0) {
        Some(pair) => Err(Error::internal(
            path,
            &pair[0].0,
            "two files of the crate have this path".to_owned(),
        )),
        None => Ok(()),
    }
}

/// Stack of each generator thread.
const WORKER_STACK: usize = 16 << 20;

/// What a caught panic said.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    format!("the generator panicked: {text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_files_with_one_path_are_an_error() {
        let file = |path: &str| (path.to_owned(), String::new());
        let files = [file("src/a.rs"), file("src/b.rs"), file("src/b.rs")];
        let err = check_unique_paths("model/x.json", &files).unwrap_err();
        assert_eq!(
            err.to_string(),
            "model/x.json: generating `src/b.rs`: internal error, please report: two files of the crate have this path"
        );
        assert!(check_unique_paths("model/x.json", &files[..2]).is_ok());
    }

    #[test]
    fn a_panic_names_its_message() {
        let panic = std::panic::catch_unwind(|| panic!("at {}", "shape `X`")).unwrap_err();
        assert_eq!(
            panic_message(&*panic),
            "the generator panicked: at shape `X`"
        );
    }
}
