//! Timed batches, interleaved between subjects, and their medians.
//!
//! Each subject runs in batches long enough for the clock (about
//! [`BATCH`]); a round runs one batch of every subject, starting with a
//! different subject each round, so a burst of load from elsewhere on the
//! machine falls on all of them alike. The result per subject is the median,
//! over the rounds, of the mean time per iteration of a batch.
//!
//! With `BENCH_CLOCK=cpu` in the environment, batches are timed by the
//! thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`) instead of the wall clock:
//! on a machine that other work keeps busy, time spent descheduled is then
//! not counted. Every subject runs on the calling thread (aws-sdk's on a
//! current-thread runtime), so its CPU time is all of its work.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A point in time of the clock in use.
#[derive(Clone, Copy)]
enum Stamp {
    Wall(Instant),
    Cpu(f64),
}

fn cpu_clock() -> bool {
    static CPU: OnceLock<bool> = OnceLock::new();
    *CPU.get_or_init(|| std::env::var("BENCH_CLOCK").is_ok_and(|v| v == "cpu"))
}

/// The calling thread's CPU time in seconds.
fn thread_cpu_secs() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into a valid local timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
}

impl Stamp {
    fn now() -> Self {
        if cpu_clock() {
            Stamp::Cpu(thread_cpu_secs())
        } else {
            Stamp::Wall(Instant::now())
        }
    }

    /// Seconds since this stamp.
    fn elapsed(self) -> f64 {
        match self {
            Stamp::Wall(start) => start.elapsed().as_secs_f64(),
            Stamp::Cpu(start) => thread_cpu_secs() - start,
        }
    }
}

/// How long one batch should take.
pub const BATCH: Duration = Duration::from_millis(20);

/// Something to time: a name and one iteration.
pub struct Subject<'a> {
    /// The name the result is printed under.
    pub name: String,
    run: Box<dyn FnMut() + 'a>,
}

impl<'a> Subject<'a> {
    /// A subject whose iteration is `run`.
    pub fn new(name: impl Into<String>, run: impl FnMut() + 'a) -> Self {
        Self {
            name: name.into(),
            run: Box::new(run),
        }
    }

    /// One iteration.
    pub fn run(&mut self) {
        (self.run)();
    }
}

/// Iterations of `run` that take about [`BATCH`], after a warm-up.
fn calibrate(run: &mut dyn FnMut()) -> u32 {
    let mut iterations = 1u32;
    loop {
        let start = Stamp::now();
        for _ in 0..iterations {
            run();
        }
        let elapsed = start.elapsed();
        if elapsed >= BATCH.as_secs_f64() / 4.0 || iterations >= 1 << 24 {
            let per = elapsed / f64::from(iterations);
            return ((BATCH.as_secs_f64() / per) as u32).max(1);
        }
        iterations *= 2;
    }
}

/// The median over `rounds` rounds of each subject's time per iteration, in
/// seconds, in the order of `subjects`.
pub fn compare(subjects: &mut [Subject<'_>], rounds: usize) -> Vec<f64> {
    let iterations: Vec<u32> = subjects.iter_mut().map(|s| calibrate(&mut s.run)).collect();
    let mut samples = vec![Vec::with_capacity(rounds); subjects.len()];
    for round in 0..rounds {
        for k in 0..subjects.len() {
            let i = (round + k) % subjects.len();
            let run = &mut subjects[i].run;
            let start = Stamp::now();
            for _ in 0..iterations[i] {
                run();
            }
            samples[i].push(start.elapsed() / f64::from(iterations[i]));
        }
    }
    samples.iter_mut().map(|s| median(s)).collect()
}

/// The median of `values` (sorted in place); 0 for none.
pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}
