//! Two `watchword-cli` processes at once on one store, against the real
//! Secret Service (scripts/test.sh): one writer at a time (issue 9).

use std::io::Write;
use std::process::{Command, Output, Stdio};
use watchword_core::{otp, uri};

/// RFC 4226's key, "12345678901234567890".
const RFC_KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

fn cli(dir: &std::path::Path, service: &str, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_watchword-cli"))
        .args(args)
        .env("WATCHWORD_DATA_DIR", dir)
        .env("WATCHWORD_KEYCHAIN_SERVICE", service)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("watchword-cli runs");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(input.as_bytes())
        .expect("stdin written");
    child.wait_with_output().expect("watchword-cli finishes")
}

#[test]
fn two_processes_never_hand_out_the_same_hotp_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    let service = format!("watchword-cli-processes-{}", std::process::id());
    let link = format!("otpauth://hotp/Bank:me?secret={RFC_KEY}&issuer=Bank&counter=0");
    let added = cli(dir.path(), &service, &["add", "-"], &link);
    assert!(added.status.success(), "{added:?}");

    const EACH: usize = 20;
    let run = |_: usize| {
        let dir = dir.path().to_owned();
        let service = service.clone();
        std::thread::spawn(move || {
            (0..EACH)
                .map(|_| {
                    let out = cli(&dir, &service, &["code", "bank"], "");
                    assert!(out.status.success(), "{out:?}");
                    String::from_utf8_lossy(&out.stdout).trim().to_owned()
                })
                .collect::<Vec<String>>()
        })
    };
    let (first, second) = (run(0), run(1));
    let mut codes: Vec<String> = first.join().expect("first process");
    codes.extend(second.join().expect("second process"));

    // Exactly the codes of counters 0 to 39, each once.
    let mut expected: Vec<String> = (0..2 * EACH)
        .map(|counter| {
            let at = format!("otpauth://hotp/x?secret={RFC_KEY}&counter={counter}");
            otp::code_at(&uri::parse(&at).expect("valid"), 0).current
        })
        .collect();
    codes.sort();
    expected.sort();
    assert_eq!(codes, expected);

    let removed = cli(dir.path(), &service, &["remove", "bank"], "");
    assert!(removed.status.success(), "{removed:?}");
}
