//! The harness itself: a panic, an abort, a stack overflow, a hang and an
//! unparsable output, each on purpose in a worker, must each be counted, and
//! the run must go on to the next case.

use std::process::Command;

#[test]
fn every_kind_of_failure_is_counted_and_survived() {
    let output = Command::new(env!("CARGO_BIN_EXE_fuzz"))
        .arg("--self-test")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    // 7 cases: 5 probes that fail, one that does not, and one real seed.
    // The panic, the abort and the overflow are panics; one hang; one unparsable.
    assert!(
        stdout.contains("\n7 cases, 3 panics, 1 hangs, 1 unparsable\n"),
        "{stdout}"
    );
    // A parser batch whose worker aborts is lost; the next one runs.
    assert!(
        stdout.contains("parser batch probe: crash: the worker died"),
        "{stdout}"
    );
    assert!(
        stdout.contains("panic: probe:panic: a probe panic"),
        "{stdout}"
    );
    assert!(
        stdout.contains("crash: probe:abort: the worker died"),
        "{stdout}"
    );
    assert!(
        stdout.contains("crash: probe:overflow: the worker died"),
        "{stdout}"
    );
    assert!(
        stdout.contains("hang: probe:hang: no result within 2s"),
        "{stdout}"
    );
}
