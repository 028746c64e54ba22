//! The store against a real, locked Secret Service, and a real one that
//! stopped answering. Locking or stopping the keyring would break every
//! other test sharing the session, so each test re-runs itself inside a
//! private D-Bus session of its own (scripts/session.sh starts a fresh
//! gnome-keyring there). One locks that keyring over D-Bus and unlocks it
//! at the end the way a login does (`gnome-keyring-daemon --unlock` with
//! the password on standard input); the other stops the daemon with
//! SIGSTOP, so that it holds its name on the bus and answers nothing, as a
//! stuck service does, and lets it go on at the end. (One binary: the two
//! run side by side, each waiting in its own session.)

use std::path::Path;
use std::process::Command;
use watchword_core::account::{Account, AccountId};
use watchword_core::store::{Config, Store};
use watchword_core::Secret;

/// Set in the child run, which does the work inside the private session.
const INNER: &str = "WATCHWORD_LOCKED_KEYRING_INNER";
/// The password scripts/session.sh unlocks its throwaway keyring with.
const PASSWORD: &str = "watchword-test";

#[test]
fn a_locked_secret_service_is_reported_and_nothing_is_lost() {
    if std::env::var_os(INNER).is_some() {
        inside_a_private_session();
        return;
    }
    in_a_private_session("a_locked_secret_service_is_reported_and_nothing_is_lost");
}

#[test]
fn a_secret_service_that_stops_answering_is_reported_in_bounded_time_and_nothing_is_lost() {
    if std::env::var_os(INNER).is_some() {
        with_the_keyring_stopped();
        return;
    }
    in_a_private_session(
        "a_secret_service_that_stops_answering_is_reported_in_bounded_time_and_nothing_is_lost",
    );
}

/// Runs the test `name` of this binary again, inside a private D-Bus
/// session with a keyring of its own.
fn in_a_private_session(name: &str) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/session.sh");
    // Bounded: a call that waits forever (as the keyring store's did on a
    // stopped keyring before its connection had a method timeout) fails
    // the test instead of hanging the suite.
    let out = Command::new("timeout")
        .args(["--kill-after=10", "300", "dbus-run-session", "--"])
        .arg("bash")
        .arg(&script)
        .arg(std::env::current_exe().expect("the test binary's path"))
        .args(["--exact", name, "--nocapture", "--test-threads=1"])
        .env(INNER, "1")
        // A private session: not the one the other tests share.
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("dbus-run-session runs (package dbus-daemon)");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "the private run failed:\n{log}");
    assert!(
        log.contains("1 passed"),
        "the private run ran the test:\n{log}"
    );
}

fn gdbus_lock() {
    let out = Command::new("gdbus")
        .args([
            "call",
            "--session",
            "--dest",
            "org.freedesktop.secrets",
            "--object-path",
            "/org/freedesktop/secrets",
            "--method",
            "org.freedesktop.Secret.Service.Lock",
            "['/org/freedesktop/secrets/collection/login']",
        ])
        .output()
        .expect("gdbus runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Lock returns the objects it locked (no prompt is needed to lock).
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("collection/login'], objectpath '/'"),
        "the login collection locked: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Unlocks the keyring as a login does. `--replace` because the running
/// daemon is already initialised; the replacement reads the keyring file
/// from disk, so this also proves the items were kept there.
fn unlock() {
    use std::io::Write;
    let mut child = Command::new("gnome-keyring-daemon")
        .args(["--replace", "--unlock", "--components=secrets"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("gnome-keyring-daemon runs");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(PASSWORD.as_bytes())
        .expect("password written");
    assert!(child.wait().expect("it finishes").success());
}

fn inside_a_private_session() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config {
        data_dir: dir.path().join("data"),
        service: "watchword-test-locked".to_owned(),
    };
    let mut store = Store::open(&config).expect("the private keyring answers");
    let amazon = Account::totp("Amazon", "me", Secret::from_bytes(vec![1; 20]));
    let id = store.add(amazon.clone()).expect("add while unlocked");
    let code = store.code(&id, 1_700_000_000).expect("code").current;
    drop(store);
    let meta = config.data_dir.join("accounts.json");
    let meta_before = std::fs::read(&meta).expect("metadata");

    gdbus_lock();
    let mut store = Store::open(&config).expect("opening needs no unlocked keyring");
    assert_eq!(store.summaries().len(), 1, "the list renders from metadata");
    // The keyring crate asks the Secret Service to unlock; with no prompter
    // able to show (no display here) the prompt ends dismissed, which is what
    // a user who closes the unlock dialog gets too.
    const DISMISSED: &str = "The Secret Service asked to be unlocked and the request was \
                             dismissed: unlock it and try again";
    let load = store.load().expect_err("locked");
    assert_eq!(
        (load.code().as_str(), load.to_string().as_str()),
        ("keychain_denied", DISMISSED)
    );
    let add = store
        .add(Account::totp("GitHub", "", Secret::from_bytes(vec![2; 20])))
        .expect_err("locked");
    assert_eq!(
        (add.code().as_str(), add.to_string().as_str()),
        ("keychain_denied", DISMISSED)
    );
    let remove = store.remove(&id).expect_err("locked");
    assert_eq!(remove.code(), "keychain_denied");
    let code_err = store.code(&id, 1_700_000_000).expect_err("locked");
    assert_eq!(code_err.code(), "keychain_denied");
    assert_eq!(
        std::fs::read(&meta).expect("metadata"),
        meta_before,
        "a locked keychain changed the list"
    );

    unlock();
    let mut store = Store::open(&config).expect("open");
    assert_eq!(store.load().expect("unlocked").accounts, 1);
    assert_eq!(store.account(&id).expect("kept"), &amazon);
    assert_eq!(store.code(&id, 1_700_000_000).expect("code").current, code);
    store.remove(&id).expect("clean up");
}

/// The process that owns `org.freedesktop.secrets` on this session's bus:
/// the gnome-keyring-daemon scripts/session.sh started (asked of the bus,
/// as other sessions on the machine have daemons of their own).
fn keyring_pid() -> String {
    let out = Command::new("gdbus")
        .args([
            "call",
            "--session",
            "--dest",
            "org.freedesktop.DBus",
            "--object-path",
            "/org/freedesktop/DBus",
            "--method",
            "org.freedesktop.DBus.GetConnectionUnixProcessID",
            "org.freedesktop.secrets",
        ])
        .output()
        .expect("gdbus runs");
    let text = String::from_utf8_lossy(&out.stdout);
    // "(uint32 1234,)"
    let pid = text
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .trim_end_matches([',', ')'])
        .to_owned();
    assert!(
        out.status.success() && pid.parse::<u32>().is_ok(),
        "the Secret Service's process: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    pid
}

fn signal(pid: &str, signal: &str) {
    let status = Command::new("kill")
        .args([signal, pid])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill {signal} {pid}");
}

fn with_the_keyring_stopped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config {
        data_dir: dir.path().join("data"),
        service: "watchword-test-stuck".to_owned(),
    };
    let mut store = Store::open(&config).expect("the private keyring answers");
    let amazon = Account::totp("Amazon", "me", Secret::from_bytes(vec![1; 20]));
    let id = store.add(amazon.clone()).expect("add while it answers");
    let meta = config.data_dir.join("accounts.json");
    let meta_before = std::fs::read(&meta).expect("metadata");

    let pid = keyring_pid();
    signal(&pid, "-STOP");
    // A store opened before the daemon stopped (its connections made) and
    // one opened after it: both get an answer, in the connections' method
    // timeout (25 s), that names what happened. Neither waits forever.
    const NO_ANSWER: &str = "The Secret Service did not answer in time. If it is waiting \
                             for you (a password manager asking to unlock its database), do \
                             that and try again; otherwise it may be stuck: restart it (log \
                             out and back in, or restart gnome-keyring or KWallet) and try \
                             again";
    let load = store.load().expect_err("no answer");
    assert_eq!(
        (load.code().as_str(), load.to_string().as_str()),
        ("keychain_no_answer", NO_ANSWER)
    );
    let open = Store::open(&config).expect_err("its connection's first call");
    assert_eq!(
        (open.code().as_str(), open.to_string().as_str()),
        ("keychain_no_answer", NO_ANSWER)
    );
    assert_eq!(
        std::fs::read(&meta).expect("metadata"),
        meta_before,
        "a stuck keychain changed the list"
    );

    signal(&pid, "-CONT");
    // The calls that timed out reach the daemon now; the add among them
    // may land, which the list would then take in as an item it did not
    // know of. Whatever they do, the account that was there is there.
    let mut store = Store::open(&config).expect("open");
    store.load().expect("it answers again");
    assert_eq!(store.account(&id).expect("kept"), &amazon);
    for summary in store.summaries() {
        let listed = AccountId::parse(&summary.id).expect("an id");
        store.remove(&listed).expect("clean up");
    }
}
