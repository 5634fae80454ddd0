//! Turns `SIGV4_TEST_SUITE` into `cfg(sigv4_suite)`, so the official SigV4
//! suite's test (tests/sigv4_suite.rs) shows as ignored, with its reason,
//! when the suite is not there, rather than passing without running.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(sigv4_suite)");
    println!("cargo::rerun-if-env-changed=SIGV4_TEST_SUITE");
    if std::env::var_os("SIGV4_TEST_SUITE").is_some_and(|v| !v.is_empty()) {
        println!("cargo::rustc-cfg=sigv4_suite");
    }
}
