//! The lock from the command line (issue 11): the real binary, a real
//! Secret Service (scripts/session.sh). What the keychain holds is read
//! back with secret-tool, as any program of the user could.

mod common;

use common::{shown_until, stderr, stdout, Scratch};
use std::io::{Read, Write};
use std::process::{Command, Stdio};

/// RFC 6238's SHA1 key, "12345678901234567890".
const RFC_SHA1: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const NOTE: &str = "recovery: 7F3K-22QX";

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
            store: Scratch::new("lock-test", tag),
            backups: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Runs and insists it succeeded; answers stdout.
    fn ok(&self, args: &[&str], input: &str) -> String {
        let out = self.run_with(args, input);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out)
    }

    /// Runs and insists it failed; answers stderr.
    fn refused(&self, args: &[&str], input: &str) -> String {
        let out = self.run_with(args, input);
        assert!(!out.status.success(), "{args:?} succeeded");
        stderr(&out)
    }

    fn status(&self) -> serde_json::Value {
        serde_json::from_str(&self.ok(&["lock", "status", "--json"], "")).expect("JSON")
    }
}

/// Nothing a program of the user could read gives a key, a URI, the note
/// or the backup password away.
fn assert_all_sealed(env: &Env, after: &str) {
    let items = env.keychain();
    assert!(!items.is_empty());
    for (id, text) in &items {
        for secret in [RFC_SHA1, "otpauth", NOTE, "backup pw"] {
            assert!(
                !text.contains(secret),
                "after {after}, {id} holds {secret:?}"
            );
        }
        if id != "watchword-vault" {
            assert!(
                text.starts_with("watchword-sealed:1:"),
                "after {after}, {id} is not sealed"
            );
        }
    }
}

#[test]
fn with_the_lock_on_every_command_that_reads_a_key_asks_for_the_password() {
    let env = Env::new("commands");
    env.ok(&["add", "--issuer", "ACME", "--account", "me"], RFC_SHA1);
    env.ok(
        &["add", "--issuer", "Mail", "--account", "me"],
        "JBSWY3DPEHPK3PXP",
    );
    env.ok(&["note", "ACME", "--set"], NOTE);
    let folder = env.backups.path().to_str().expect("UTF-8").to_owned();
    env.ok(
        &["backup", "setup", "--dir", &folder, "--password-stdin"],
        "backup pw\n",
    );
    assert_eq!(env.status()["state"], "off");
    // Before: the key is there to find (so the check below can fail).
    assert!(env
        .keychain()
        .iter()
        .any(|(_, text)| text.contains(RFC_SHA1)));

    let out = env.run_with(&["lock", "on", "--password-stdin"], "lock pw\n");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("A forgotten lock password cannot be recovered"),
        "{said}"
    );
    assert!(said.contains("3 of 3 keychain items are sealed"), "{said}");
    assert_all_sealed(&env, "lock on");
    let status = env.status();
    assert_eq!(status["state"], "locked", "{status}");
    assert_eq!(
        (status["items"].as_u64(), status["sealed"].as_u64()),
        (Some(3), Some(3))
    );
    assert!(env
        .refused(&["lock", "on", "--password-stdin"], "again\n")
        .contains("the lock is on already"));

    // The list needs no password.
    assert!(env.ok(&["list"], "").contains("ACME"));
    // A code does, and no terminal here can ask for it.
    let said = env.refused(&["code", "ACME", "--at", "59"], "");
    assert!(said.contains("--lock-password-stdin"), "{said}");
    let said = env.refused(
        &["--lock-password-stdin", "code", "ACME", "--at", "59"],
        "wrong\n",
    );
    assert!(said.contains("wrong password"), "{said}");
    assert_eq!(
        env.ok(
            &["--lock-password-stdin", "code", "ACME", "--at", "59"],
            "lock pw\n"
        ),
        "287082\n"
    );
    assert_eq!(
        env.ok(&["note", "ACME", "--lock-password-stdin"], "lock pw\n")
            .trim_end(),
        NOTE
    );
    // The lock's password first, then what the command reads: a new key.
    env.ok(
        &[
            "--lock-password-stdin",
            "add",
            "--issuer",
            "Shop",
            "--account",
            "me",
        ],
        "lock pw\nKRUGKIDROVUWG2ZAMJZG653OEBTG66BA",
    );
    assert_all_sealed(&env, "add");
    // ...and the automatic backup it made, readable with the backup's own
    // password, as Aegis would.
    let backup = env.ok(&["backup", "status", "--json"], "");
    let backup: serde_json::Value = serde_json::from_str(&backup).expect("JSON");
    assert!(backup["lastError"].is_null(), "{backup}");
    let newest = std::fs::read_dir(env.backups.path())
        .expect("folder")
        .flatten()
        .map(|e| e.path())
        .max()
        .expect("a backup");
    let restored = env.ok(
        &[
            "import",
            newest.to_str().expect("UTF-8"),
            "--dry-run",
            "--password-stdin",
        ],
        "backup pw\n",
    );
    assert_eq!(restored.lines().count(), 3, "{restored}");

    // A new password: the old one no longer opens anything.
    env.ok(
        &["lock", "password", "--password-stdin"],
        "lock pw\nnew pw\n",
    );
    assert_all_sealed(&env, "a password change");
    assert!(env
        .refused(&["--lock-password-stdin", "code", "ACME"], "lock pw\n")
        .contains("wrong password"));
    env.ok(&["--lock-password-stdin", "code", "ACME"], "new pw\n");

    // Off: plain items again, and no password asked.
    assert!(env
        .refused(&["lock", "off", "--password-stdin"], "lock pw\n")
        .contains("wrong password"));
    env.ok(&["lock", "off", "--password-stdin"], "new pw\n");
    assert_eq!(env.status()["state"], "off");
    assert!(env
        .keychain()
        .iter()
        .all(
            |(id, text)| (id == "watchword-backup-password" && text == "backup pw")
                || text.starts_with("otpauth://")
                || text.starts_with("{\"v\":1")
        ));
    assert_eq!(env.ok(&["code", "ACME", "--at", "59"], ""), "287082\n");
    assert!(env
        .refused(&["lock", "off", "--password-stdin"], "new pw\n")
        .contains("the lock is off"));
}

/// At a terminal the password is asked on it, and what is typed does not
/// show.
#[test]
fn the_password_is_asked_at_the_terminal_without_echo() {
    use rustix::pty::{grantpt, openpt, ptsname, unlockpt, OpenptFlags};
    let env = Env::new("tty");
    env.ok(&["add", "--issuer", "ACME", "--account", "me"], RFC_SHA1);
    env.ok(&["lock", "on", "--password-stdin"], "typed secretly\n");

    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).expect("a pseudo-terminal");
    grantpt(&master).expect("grantpt");
    unlockpt(&master).expect("unlockpt");
    let name = ptsname(&master, Vec::new()).expect("ptsname");
    // The test keeps the terminal side open to its end: the terminal is
    // never hung up, so nothing echoed can be lost, and what it showed is
    // read from the master up to a mark the test writes on it itself.
    let terminal = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(name.to_str().expect("a UTF-8 path"))
        .expect("open the terminal side");
    let mut master = std::fs::File::from(master);
    // The control: echo is on at first, so a line typed does show. Without
    // it "the password does not show" below could pass for want of reading.
    master.write_all(b"echo is on\n").expect("type a line");
    let mut line = [0u8; 11];
    (&terminal).read_exact(&mut line).expect("the line typed");
    assert_eq!(&line, b"echo is on\n");
    (&terminal).write_all(b"<mark 1>").expect("write a mark");
    let shown = shown_until(&mut master, "<mark 1>");
    assert_eq!(shown.replace("\r\n", "\n"), "echo is on\n", "echo on");

    // setsid --ctty makes the terminal the CLI's controlling one, as a
    // shell's is; the CLI opens /dev/tty for the password.
    let child = Command::new("setsid")
        .args(["--ctty", "--wait", env!("CARGO_BIN_EXE_watchword-cli")])
        .args(["code", "ACME", "--at", "59"])
        .env("WATCHWORD_DATA_DIR", env.dir.path())
        .env("WATCHWORD_KEYCHAIN_SERVICE", &env.service)
        .stdin(terminal.try_clone().expect("the terminal"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("setsid runs");
    // The prompt comes on the terminal once its echo is off; type then.
    // Nothing else shows before it.
    let shown = shown_until(&mut master, "Watchword is locked. Its password: ");
    assert_eq!(shown, "", "the terminal showed before the prompt");
    master.write_all(b"typed secretly\n").expect("type");
    let out = child.wait_with_output().expect("finishes");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "287082\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The CLI read the line, so the terminal had echoed whatever it was to
    // echo of it: all of that comes before a mark written now.
    (&terminal).write_all(b"<mark 2>").expect("write a mark");
    let shown = shown_until(&mut master, "<mark 2>");
    assert!(
        !shown.contains("typed secretly"),
        "the terminal showed {shown:?}"
    );
    // Only the newline shows (ECHONL), so the next message starts on a line
    // of its own.
    assert_eq!(
        shown.replace("\r\n", "\n"),
        "\n",
        "the terminal showed {shown:?}"
    );
}

/// With `accounts.json` gone (deleted, or moved aside as damaged), the
/// list is rebuilt from the keychain, whose items are sealed: `lock
/// password` and `lock off`, which are given the password, unlock to
/// rebuild it instead of saying "Watchword is locked".
#[test]
fn password_change_and_lock_off_rebuild_a_lost_list() {
    let env = Env::new("lost_list");
    env.ok(&["add", "--issuer", "ACME", "--account", "me"], RFC_SHA1);
    env.ok(&["lock", "on", "--password-stdin"], "lock pw\n");
    let list = env.path().join("accounts.json");
    std::fs::remove_file(&list).expect("the list removed");
    env.ok(
        &["lock", "password", "--password-stdin"],
        "lock pw\nnew pw\n",
    );
    assert_all_sealed(&env, "a password change with the list lost");
    std::fs::remove_file(&list).expect("the list removed");
    let said = env.refused(&["lock", "off", "--password-stdin"], "lock pw\n");
    assert!(said.contains("wrong password"), "{said}");
    env.ok(&["lock", "off", "--password-stdin"], "new pw\n");
    assert_eq!(env.status()["state"], "off");
    let code = env.ok(&["code", "ACME", "--at", "59"], "");
    assert_eq!(code.trim(), "287082", "RFC 6238's SHA1 code at 59 s");
}
