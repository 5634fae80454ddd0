//! The compiler's version, for the `lang/rust/<version>` part of the
//! user agent (src/user_agent.rs): `rustc --version` of the compiler that
//! builds this crate, or `unknown`.

use std::process::Command;

fn main() {
    println!("cargo::rerun-if-env-changed=RUSTC");
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let version = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        // `rustc 1.95.0 (59807616e 2026-04-14)` -> `1.95.0`
        .and_then(|text| text.split_whitespace().nth(1).map(str::to_owned))
        .filter(|v| {
            !v.is_empty()
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        })
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo::rustc-env=SDK_RUNTIME_RUSTC_VERSION={version}");
}
