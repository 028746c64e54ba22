//! Automatic backups end to end (issue 10): the real binary, a real Secret
//! Service (scripts/session.sh), real folders. Faults are made for real
//! where the machine allows: a folder moved away, a file in its place, and,
//! as root (where permissions do not stop writes), a tmpfs remounted
//! read-only or filled up; a test that cannot make its fault says so on
//! stderr and checks nothing rather than pretend.

mod contents;
mod folders;
mod full_disk;
mod missing;
mod refusals;

#[path = "../common/mod.rs"]
mod common;

use common::{stderr, stdout, Scratch};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A scratch store and a folder for its backups.
struct Env {
    store: Scratch,
    backups: tempfile::TempDir,
}

impl std::ops::Deref for Env {
    type Target = Scratch;

    fn deref(&self) -> &Scratch {
        &self.store
    }
}

impl Env {
    fn new(tag: &str) -> Self {
        Self {
            store: Scratch::new("backup-test", tag),
            backups: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn folder(&self) -> &Path {
        self.backups.path()
    }

    /// Runs and insists it succeeded; answers stderr.
    fn ok(&self, args: &[&str], input: &str) -> String {
        let out = self.run_with(args, input);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stderr(&out)
    }

    fn set_up(&self, folder: &Path, keep: &str) {
        let folder = folder.to_str().expect("UTF-8 path");
        self.ok(
            &[
                "backup",
                "setup",
                "--dir",
                folder,
                "--keep",
                keep,
                "--password-stdin",
            ],
            "backup pw\n",
        );
    }

    fn add(&self, key: &str, args: &[&str]) -> String {
        let mut all = vec!["add"];
        all.extend_from_slice(args);
        self.ok(&all, key)
    }

    fn status(&self) -> serde_json::Value {
        let out = self.run(&["backup", "status", "--json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).expect("status JSON")
    }

    /// Every account as our canonical URIs, sorted: issuer, name, key,
    /// type, algorithm, digits, period and counter, all of them.
    fn uris(&self) -> Vec<String> {
        let out = self.run(&["export", "--format", "uris"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let mut lines: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
        lines.sort();
        lines
    }

    /// What a lost keychain leaves: no item of the service (the backup
    /// password's included) and no accounts.json.
    fn wipe(&self) {
        let status = Command::new("secret-tool")
            .args(["clear", "service", &self.service])
            .status()
            .expect("secret-tool runs");
        assert!(status.success());
        std::fs::remove_file(self.dir.path().join("accounts.json")).expect("remove list");
        let out = self.run(&["list", "--json"]);
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "[]");
    }

    fn password_item(&self) -> Option<String> {
        let out = Command::new("secret-tool")
            .args([
                "lookup",
                "service",
                &self.service,
                "username",
                "watchword-backup-password",
            ])
            .output()
            .expect("secret-tool runs");
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

/// The files in `folder`, by name.
fn files(folder: &Path) -> BTreeSet<String> {
    std::fs::read_dir(folder)
        .expect("list folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect()
}

/// A distinct 16-character base32 key for each `n`.
fn key(n: u32) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let tail: String = (0..4)
        .rev()
        .map(|i| ALPHABET[((n >> (5 * i)) & 31) as usize] as char)
        .collect();
    format!("JBSWY3DPEHPK{tail}")
}

/// Each account's issuer, its groups (sorted) and its note, sorted by
/// issuer: what the URIs do not carry.
fn extras(env: &Env) -> Vec<(String, Vec<String>, Option<String>)> {
    let out = env.run(&["list", "--json"]);
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    let mut all: Vec<_> = list
        .iter()
        .map(|a| {
            let issuer = a["issuer"].as_str().expect("issuer").to_owned();
            let mut groups: Vec<String> = a["groups"]
                .as_array()
                .expect("groups")
                .iter()
                .map(|g| g.as_str().expect("a name").to_owned())
                .collect();
            groups.sort();
            let note = (a["has_note"] == true).then(|| {
                let query = if issuer.is_empty() {
                    "no issuer"
                } else {
                    issuer.as_str()
                };
                let out = env.run(&["note", query]);
                assert!(out.status.success(), "{}", stderr(&out));
                String::from_utf8_lossy(&out.stdout).into_owned()
            });
            (issuer, groups, note)
        })
        .collect();
    all.sort();
    all
}
