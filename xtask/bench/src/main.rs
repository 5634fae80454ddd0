//! The in-process rows of `cargo xtask bench`: per call and bulk parse, for
//! our generated client, aws-sdk-iotjobsdataplane and a serde_json floor,
//! measured in one process, interleaved (see [`timing`]).
//!
//! ```sh
//! cargo run --release --manifest-path xtask/bench/Cargo.toml [-- ROUNDS]
//! # one subject, untimed, for a profiler:
//! valgrind --tool=callgrind target/bench/runner/release/bench profile describe.ours 10000
//! ```
//!
//! Prints one measurement per line, `name value`: seconds per call or per
//! parse (median over the rounds), and the bulk body's size in bytes.
//! `cargo xtask bench` turns them into the table. Every peer's results are
//! checked first (signed requests, whole responses), so nothing is timed
//! that does less than the real work.

mod aws;
mod fixtures;
mod floor;
mod ours;
mod timing;

use std::hint::black_box;
use std::process::ExitCode;

use timing::Subject;

/// Rounds unless the command line says otherwise.
const DEFAULT_ROUNDS: usize = 31;

const USAGE: &str = "usage: bench [ROUNDS] | bench profile SUBJECT ITERATIONS";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rounds = match args.as_slice() {
        [] => DEFAULT_ROUNDS,
        [n] => match n.parse() {
            Ok(n) if n > 0 => n,
            _ => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        },
        [profile, subject, n] if profile == "profile" => {
            return match n.parse() {
                Ok(n) => profile_one(subject, n),
                Err(_) => {
                    eprintln!("{USAGE}");
                    ExitCode::from(2)
                }
            };
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    ours::check();
    aws::check();
    floor::check();

    let rt = aws::runtime();
    let signed = floor::Signed::new();
    println!("rounds {rounds}");

    let body = fixtures::describe_body();
    let (our_client, aws_client) = (ours::canned(body.clone()), aws::canned(body.clone()));
    let mut subjects = [
        Subject::new("describe.ours", || {
            drop(black_box(ours::describe(&our_client)))
        }),
        Subject::new("describe.aws", || {
            drop(black_box(aws::describe(&rt, &aws_client)))
        }),
        Subject::new("describe.floor", || {
            drop(black_box(floor::describe(black_box(&body))))
        }),
        Subject::new("describe.floor_signed", || {
            drop(black_box(signed.describe(black_box(&body))))
        }),
    ];
    report(&mut subjects, rounds);

    let body = fixtures::update_body();
    let (our_client, aws_client) = (ours::canned(body.clone()), aws::canned(body.clone()));
    let mut subjects = [
        Subject::new("update.ours", || drop(black_box(ours::update(&our_client)))),
        Subject::new("update.aws", || {
            drop(black_box(aws::update(&rt, &aws_client)))
        }),
        Subject::new("update.floor", || {
            drop(black_box(floor::update(black_box(&body))))
        }),
        Subject::new("update.floor_signed", || {
            drop(black_box(signed.update(black_box(&body))))
        }),
    ];
    report(&mut subjects, rounds);

    let body = fixtures::pending_body();
    println!("pending.bytes {}", body.len());
    let (our_client, aws_client) = (ours::canned(body.clone()), aws::canned(body.clone()));
    let mut subjects = [
        Subject::new("pending.ours", || {
            drop(black_box(ours::pending(&our_client)))
        }),
        Subject::new("pending.aws", || {
            drop(black_box(aws::pending(&rt, &aws_client)))
        }),
        Subject::new("pending.floor", || {
            drop(black_box(floor::pending(black_box(&body))))
        }),
    ];
    report(&mut subjects, rounds);
    ExitCode::SUCCESS
}

/// Times `subjects` against each other and prints their medians.
fn report(subjects: &mut [Subject<'_>], rounds: usize) {
    let medians = timing::compare(subjects, rounds);
    for (subject, median) in subjects.iter().zip(medians) {
        println!("{} {median:e}", subject.name);
    }
}

/// Runs one subject `iterations` times, untimed, for a profiler
/// (`valgrind --tool=callgrind` counts its instructions).
fn profile_one(subject: &str, iterations: u32) -> ExitCode {
    let rt = aws::runtime();
    let signed = floor::Signed::new();
    let (operation, peer) = subject.split_once('.').unwrap_or((subject, ""));
    let body = match operation {
        "describe" => fixtures::describe_body(),
        "update" => fixtures::update_body(),
        "pending" => fixtures::pending_body(),
        _ => {
            eprintln!("unknown subject `{subject}`");
            return ExitCode::from(2);
        }
    };
    let (our_client, aws_client) = (ours::canned(body.clone()), aws::canned(body.clone()));
    let mut run: Box<dyn FnMut()> = match (operation, peer) {
        ("describe", "ours") => Box::new(|| drop(black_box(ours::describe(&our_client)))),
        ("describe", "aws") => Box::new(|| drop(black_box(aws::describe(&rt, &aws_client)))),
        ("describe", "floor") => Box::new(|| drop(black_box(floor::describe(&body)))),
        ("describe", "floor_signed") => Box::new(|| drop(black_box(signed.describe(&body)))),
        ("update", "ours") => Box::new(|| drop(black_box(ours::update(&our_client)))),
        ("update", "aws") => Box::new(|| drop(black_box(aws::update(&rt, &aws_client)))),
        ("update", "floor") => Box::new(|| drop(black_box(floor::update(&body)))),
        ("update", "floor_signed") => Box::new(|| drop(black_box(signed.update(&body)))),
        ("pending", "ours") => Box::new(|| drop(black_box(ours::pending(&our_client)))),
        ("pending", "aws") => Box::new(|| drop(black_box(aws::pending(&rt, &aws_client)))),
        ("pending", "floor") => Box::new(|| drop(black_box(floor::pending(&body)))),
        _ => {
            eprintln!("unknown subject `{subject}`");
            return ExitCode::from(2);
        }
    };
    for _ in 0..iterations {
        run();
    }
    ExitCode::SUCCESS
}
