//! The in-process rows of `cargo xtask bench`: per call and bulk parse, for
//! our generated client, aws-sdk-iotjobsdataplane and a serde_json floor,
//! measured in one process, interleaved (see [`timing`]).
//!
//! ```sh
//! cargo run --release --manifest-path xtask/bench/Cargo.toml [-- ROUNDS]
//! # one subject, untimed, for a profiler (any name the bench prints, such
//! # as describe.ours or getitem.aws):
//! valgrind --tool=callgrind target/bench/runner/release/bench profile describe.ours 10000
//! # our calls of the other families, stage by stage (see [`breakdown`]):
//! target/bench/runner/release/bench breakdown [ROUNDS]
//! ```
//!
//! Prints one measurement per line, `name value`: seconds per call or per
//! parse (median over the rounds), and the bulk body's size in bytes.
//! `cargo xtask bench` turns them into the table. Every peer's results are
//! checked first (signed requests, whole responses), so nothing is timed
//! that does less than the real work.

mod aws;
mod breakdown;
mod families;
mod fixtures;
mod floor;
mod ours;
mod timing;

use std::hint::black_box;
use std::process::ExitCode;

use bytes::Bytes;

use timing::Subject;

/// Rounds unless the command line says otherwise.
const DEFAULT_ROUNDS: usize = 31;

const USAGE: &str =
    "usage: bench [ROUNDS] | bench profile SUBJECT ITERATIONS | bench breakdown [ROUNDS]";

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
        [breakdown, rest @ ..] if breakdown == "breakdown" && rest.len() <= 1 => {
            let rounds = match rest.first().map(|n| n.parse()) {
                None => DEFAULT_ROUNDS,
                Some(Ok(n)) if n > 0 => n,
                _ => {
                    eprintln!("{USAGE}");
                    return ExitCode::from(2);
                }
            };
            families::check();
            breakdown::run(rounds);
            return ExitCode::SUCCESS;
        }
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
    families::check();
    println!("rounds {rounds}");
    for operation in OPERATIONS {
        let peers = Peers::new(operation);
        if operation == "pending" {
            println!("pending.bytes {}", peers.body.len());
        }
        let mut subjects = peers.subjects(operation);
        let medians = timing::compare(&mut subjects, rounds);
        for (subject, median) in subjects.iter().zip(medians) {
            println!("{} {median:e}", subject.name);
        }
    }
    let families = Families::new();
    let mut subjects = families.subjects();
    let medians = timing::compare(&mut subjects, rounds);
    for (subject, median) in subjects.iter().zip(medians) {
        println!("{} {median:e}", subject.name);
    }
    ExitCode::SUCCESS
}

/// The clients of the other protocol families (see [`families`]).
struct Families {
    our_dynamodb: dynamodb::Client,
    aws_dynamodb: aws_sdk_dynamodb::Client,
    our_sts: sts::Client,
    aws_sts: aws_sdk_sts::Client,
    our_s3: s3::Client,
    aws_s3: aws_sdk_s3::Client,
    rt: tokio::runtime::Runtime,
}

impl Families {
    fn new() -> Self {
        Self {
            our_dynamodb: families::our_dynamodb(),
            aws_dynamodb: families::aws_dynamodb(),
            our_sts: families::our_sts(),
            aws_sts: families::aws_sts(),
            our_s3: families::our_s3(),
            aws_s3: families::aws_s3(),
            rt: aws::runtime(),
        }
    }

    /// `getitem.ours`, `getitem.aws`, `assumerole.ours`, `assumerole.aws`,
    /// `getobject.ours`, `getobject.aws`.
    fn subjects(&self) -> Vec<Subject<'_>> {
        let Self {
            our_dynamodb,
            aws_dynamodb,
            our_sts,
            aws_sts,
            our_s3,
            aws_s3,
            rt,
        } = self;
        vec![
            Subject::new("getitem.ours", || {
                drop(black_box(families::our_get_item(our_dynamodb)))
            }),
            Subject::new("getitem.aws", || {
                drop(black_box(families::aws_get_item(rt, aws_dynamodb)))
            }),
            Subject::new("assumerole.ours", || {
                drop(black_box(families::our_assume_role(our_sts)))
            }),
            Subject::new("assumerole.aws", || {
                drop(black_box(families::aws_assume_role(rt, aws_sts)))
            }),
            Subject::new("getobject.ours", || {
                drop(black_box(families::our_get_object(our_s3)))
            }),
            Subject::new("getobject.aws", || {
                drop(black_box(families::aws_get_object(rt, aws_s3)))
            }),
        ]
    }
}

/// The operations timed, in the order printed.
const OPERATIONS: [&str; 3] = ["describe", "update", "pending"];

/// Everything the subjects of one operation share: the canned body and
/// each peer's client.
struct Peers {
    body: Bytes,
    our_client: iot_jobs_data_plane::Client,
    aws_client: aws_sdk_iotjobsdataplane::Client,
    rt: tokio::runtime::Runtime,
    signed: floor::Signed,
}

impl Peers {
    /// The peers, answering `operation` (one of [`OPERATIONS`]).
    fn new(operation: &str) -> Self {
        let body = match operation {
            "describe" => fixtures::describe_body(),
            "update" => fixtures::update_body(),
            _ => fixtures::pending_body(),
        };
        Self {
            our_client: ours::canned(body.clone()),
            aws_client: aws::canned(body.clone()),
            body,
            rt: aws::runtime(),
            signed: floor::Signed::new(),
        }
    }

    /// One subject per peer for `operation`, named `operation.peer`.
    fn subjects(&self, operation: &str) -> Vec<Subject<'_>> {
        let Self {
            body,
            our_client,
            aws_client,
            rt,
            signed,
        } = self;
        let name = |peer: &str| format!("{operation}.{peer}");
        match operation {
            "describe" => vec![
                Subject::new(name("ours"), || drop(black_box(ours::describe(our_client)))),
                Subject::new(name("aws"), || {
                    drop(black_box(aws::describe(rt, aws_client)))
                }),
                Subject::new(name("floor"), || {
                    drop(black_box(floor::describe(black_box(body))))
                }),
                Subject::new(name("floor_signed"), || {
                    drop(black_box(signed.describe(black_box(body))))
                }),
            ],
            "update" => vec![
                Subject::new(name("ours"), || drop(black_box(ours::update(our_client)))),
                Subject::new(name("aws"), || drop(black_box(aws::update(rt, aws_client)))),
                Subject::new(name("floor"), || {
                    drop(black_box(floor::update(black_box(body))))
                }),
                Subject::new(name("floor_signed"), || {
                    drop(black_box(signed.update(black_box(body))))
                }),
            ],
            _ => vec![
                Subject::new(name("ours"), || drop(black_box(ours::pending(our_client)))),
                Subject::new(name("aws"), || {
                    drop(black_box(aws::pending(rt, aws_client)))
                }),
                Subject::new(name("floor"), || {
                    drop(black_box(floor::pending(black_box(body))))
                }),
            ],
        }
    }
}

/// Runs one subject `iterations` times, untimed, for a profiler
/// (`valgrind --tool=callgrind` counts its instructions).
fn profile_one(subject: &str, iterations: u32) -> ExitCode {
    let operation = subject
        .split_once('.')
        .map_or(subject, |(operation, _)| operation);
    let run = |subjects: &mut [Subject<'_>]| {
        let Some(found) = subjects.iter_mut().find(|s| s.name == subject) else {
            eprintln!("unknown subject `{subject}`");
            return ExitCode::from(2);
        };
        for _ in 0..iterations {
            found.run();
        }
        ExitCode::SUCCESS
    };
    if OPERATIONS.contains(&operation) {
        let peers = Peers::new(operation);
        let mut subjects = peers.subjects(operation);
        run(&mut subjects)
    } else {
        let families = Families::new();
        let mut subjects = families.subjects();
        run(&mut subjects)
    }
}
