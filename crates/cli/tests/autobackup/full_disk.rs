//! A disk that takes nothing more: codes still come. The fault is made
//! for the command alone, as any user can: `ulimit -f 1` in a shell that
//! ignores SIGXFSZ, so that writing a file past 1 KiB fails (EFBIG) as
//! writing on a full disk fails (ENOSPC).

use super::*;
use std::process::Stdio;

/// Runs the CLI as [`Scratch::run`] does, with no file over 1 KiB
/// writable.
fn run_on_a_full_disk(env: &Env, args: &[&str]) -> std::process::Output {
    run_with_room(env, args, 1)
}

/// Runs the CLI with no file over `kib` KiB writable (0: none at all).
fn run_with_room(env: &Env, args: &[&str], kib: u32) -> std::process::Output {
    let cli = env.command(args);
    let mut wrapped = Command::new("bash");
    wrapped
        .arg("-c")
        .arg(format!("trap '' XFSZ; ulimit -f {kib} && exec \"$@\""))
        .arg("bash")
        .arg(cli.get_program())
        .args(cli.get_args())
        .stdin(Stdio::null());
    for (name, value) in cli.get_envs() {
        if let Some(value) = value {
            wrapped.env(name, value);
        }
    }
    wrapped.output().expect("bash runs")
}

// Found by a second reader: the list saved what it only remembers (where
// the keychain keeps each item, which changes with each login) before
// any command went on, and a failed save stopped the command; an HOTP
// code's "back up pending" mark failing to save withheld the code after
// its counter had stepped, so each try used one up.
#[test]
fn a_full_disk_stops_no_code_and_uses_up_no_counter() {
    let env = Env::new("full-disk");
    env.set_up(env.folder(), "5");
    for n in 1..=4 {
        env.add(
            &key(n),
            &[
                "--issuer",
                &format!("Shop {n}"),
                "--account",
                "someone@example.com",
            ],
        );
    }
    let bank = key(9);
    env.add(
        &bank,
        &["--issuer", "Bank", "--account", "me", "--type", "hotp"],
    );
    let list = env.dir.path().join("accounts.json");
    let size = std::fs::metadata(&list).expect("the list").len();
    assert!(
        size > 1024,
        "the list ({size} bytes) must be too big to write"
    );

    // As after a login: the keychain runs anew, so the places the list
    // remembers are stale and worth saving again.
    let mut saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&list).expect("read")).expect("JSON");
    assert!(
        saved["keychain_instance"].is_string(),
        "the list remembers the keychain's run: {saved}"
    );
    saved["keychain_instance"] = serde_json::Value::String("/a/run/before/this/login".into());
    std::fs::write(&list, serde_json::to_vec_pretty(&saved).expect("JSON")).expect("written");
    let before = std::fs::read(&list).expect("read");

    let out = run_on_a_full_disk(&env, &["code", "Shop 1"]);
    assert!(out.status.success(), "a TOTP code: {}", stderr(&out));
    assert_eq!(stdout(&out).trim().len(), 6, "{}", stdout(&out));
    let out = run_on_a_full_disk(&env, &["list"]);
    assert!(out.status.success(), "the list: {}", stderr(&out));
    assert!(stdout(&out).contains("Shop 4"), "{}", stdout(&out));

    // Two HOTP codes: the first two of the counter, each given once.
    let expected: Vec<String> = (0..2)
        .map(|counter| {
            let uri = format!("otpauth://hotp/Bank:me?secret={bank}&counter={counter}");
            let out = env.run_with(&["code", "--uri", "-"], &uri);
            assert!(out.status.success(), "{}", stderr(&out));
            stdout(&out)
        })
        .collect();
    for (n, code) in expected.iter().enumerate() {
        let out = run_on_a_full_disk(&env, &["code", "Bank"]);
        assert!(out.status.success(), "HOTP code {n}: {}", stderr(&out));
        assert_eq!(&stdout(&out), code, "HOTP code {n}");
        // Its backup was tried, and could not be written either: said.
        assert!(
            stderr(&out).contains("the automatic backup failed"),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(
        std::fs::read(&list).expect("read"),
        before,
        "the list was left as it was: nothing half written"
    );

    // With room again, the counter is where the codes left it.
    let out = env.run(&["code", "Bank"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let uri = format!("otpauth://hotp/Bank:me?secret={bank}&counter=2");
    assert_eq!(
        stdout(&out),
        stdout(&env.run_with(&["code", "--uri", "-"], &uri))
    );
}

// Found by a second reader: removing an account deleted its keychain item
// before saving the list, so a save that failed (a full disk, a kill)
// left a list naming an item that was gone; with the last account, every
// later start took it for a keychain holding none of the accounts.
#[test]
fn a_removal_the_disk_refuses_leaves_the_account_whole() {
    let env = Env::new("full-disk-remove");
    env.add(&key(1), &["--issuer", "Only", "--account", "me"]);
    let out = run_with_room(&env, &["remove", "Only"], 0);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot write"), "{}", stderr(&out));
    // With room again: still there, whole, and removable.
    let out = env.run(&["code", "Only"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = env.run(&["remove", "Only"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = env.run(&["list", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "[]");
}
