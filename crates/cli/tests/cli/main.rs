//! `watchword-cli` as a user runs it: the real binary, a real Secret Service
//! (scripts/test.sh), output and messages pinned.

mod codes;
mod input;
mod keychain;
mod transfer;

#[path = "../common/mod.rs"]
mod common;

use common::{spawn_fed, stderr, stdout, Scratch as Env};
use std::process::Command;

const RFC_SHA1: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // "12345678901234567890"

/// A store of this file's own.
fn env(tag: &str) -> Env {
    Env::new("cli-test", tag)
}

/// A real export from another app, beside the repository (see its README).
fn fixture(name: &str) -> String {
    format!(
        "{}/../../../shared/fixtures/importers/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// The seven canonical accounts every fixture encodes, as our canonical URIs.
fn canonical_vectors(env: &Env) -> String {
    let out = env.run(&["import", "--dry-run", &fixture("plain.txt")]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

fn sorted(lines: &str) -> Vec<String> {
    let mut lines: Vec<String> = lines.lines().map(str::to_owned).collect();
    lines.sort();
    lines
}
