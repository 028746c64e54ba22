//! What every CLI test file shares: a scratch store (its own data folder and
//! keychain service name, in the real Secret Service of scripts/session.sh)
//! and the real `watchword-cli` run against it. Each file adds its own
//! helpers on top; this holds only what they all did alike.

// Each test file is its own crate and uses a part of this.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

/// A data folder and a keychain service name no other test shares. Its
/// keychain items go with it, whatever the test left behind.
pub struct Scratch {
    pub dir: tempfile::TempDir,
    pub service: String,
}

impl Scratch {
    /// A new store; `kind` and `tag` name its service, so an item a crashed
    /// run left behind says which test made it.
    pub fn new(kind: &str, tag: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock after 1970")
            .as_nanos();
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
            service: format!("watchword-{kind}-{tag}-{}-{nanos}", std::process::id()),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `watchword-cli ARGS` on this store, with nothing on standard input
    /// and both outputs captured.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_watchword-cli"));
        command
            .args(args)
            .env("WATCHWORD_DATA_DIR", self.dir.path())
            .env("WATCHWORD_KEYCHAIN_SERVICE", &self.service)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// Runs to the end; its output, whatever the outcome.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("watchword-cli runs")
    }

    /// Starts with `input` written to standard input, which is then closed.
    pub fn spawn_with(&self, args: &[&str], input: &str) -> Child {
        spawn_fed(self.command(args), input)
    }

    /// [`Scratch::run`] with `input` on standard input.
    pub fn run_with(&self, args: &[&str], input: &str) -> Output {
        self.spawn_with(args, input)
            .wait_with_output()
            .expect("watchword-cli finishes")
    }

    /// Every item of the service, its id and content, as the Secret
    /// Service itself lists them (through secret-tool, not our code).
    pub fn keychain(&self) -> Vec<(String, String)> {
        let out = Command::new("secret-tool")
            .args(["search", "--all", "--unlock", "service", &self.service])
            .stdin(Stdio::null())
            .output()
            .expect("secret-tool runs");
        // secret-tool prints each item's secret on stdout and its
        // attributes on stderr, item by item in the same order.
        let field = |bytes: &[u8], prefix: &str| -> Vec<String> {
            String::from_utf8_lossy(bytes)
                .lines()
                .filter_map(|line| line.strip_prefix(prefix).map(str::to_owned))
                .collect()
        };
        let users = field(&out.stderr, "attribute.username = ");
        let secrets = field(&out.stdout, "secret = ");
        assert_eq!(users.len(), secrets.len(), "secret-tool's listing");
        users.into_iter().zip(secrets).collect()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // Whatever a failed test left in the keychain.
        let _ = Command::new("secret-tool")
            .args(["clear", "service", &self.service])
            .status();
    }
}

/// Starts `command` with `input` written to its standard input, which is
/// then closed.
pub fn spawn_fed(mut command: Command, input: &str) -> Child {
    let mut child = command
        .stdin(Stdio::piped())
        .spawn()
        .expect("watchword-cli runs");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(input.as_bytes())
        // A command refused before it reads its input may be gone.
        .or_else(|err| match err.kind() {
            std::io::ErrorKind::BrokenPipe => Ok(()),
            _ => Err(err),
        })
        .expect("stdin written");
    child
}

/// What a run printed on standard output, as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What a run printed on standard error, as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// What the pseudo-terminal `master` shows up to `mark` (not included),
/// read byte by byte until the mark.
pub fn shown_until(master: &mut std::fs::File, mark: &str) -> String {
    use std::io::Read;
    let mut shown = Vec::new();
    let mut byte = [0u8; 1];
    while !shown.ends_with(mark.as_bytes()) {
        let n = master.read(&mut byte).expect("read the terminal");
        assert_eq!(n, 1, "the terminal closed before {mark:?}: {shown:?}");
        shown.push(byte[0]);
    }
    shown.truncate(shown.len() - mark.len());
    String::from_utf8_lossy(&shown).into_owned()
}
