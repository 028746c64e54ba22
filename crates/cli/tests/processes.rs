//! Two `watchword-cli` processes at once on one store, against the real
//! Secret Service (scripts/test.sh): one writer at a time (issue 9).

mod common;

use common::Scratch;
use watchword_core::{otp, uri};

/// RFC 4226's key, "12345678901234567890".
const RFC_KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

#[test]
fn two_processes_never_hand_out_the_same_hotp_code() {
    let store = Scratch::new("cli-processes", "hotp");
    let link = format!("otpauth://hotp/Bank:me?secret={RFC_KEY}&issuer=Bank&counter=0");
    let added = store.run_with(&["add", "-"], &link);
    assert!(added.status.success(), "{added:?}");

    const EACH: usize = 20;
    let run = || {
        (0..EACH)
            .map(|_| {
                let out = store.run(&["code", "bank"]);
                assert!(out.status.success(), "{out:?}");
                String::from_utf8_lossy(&out.stdout).trim().to_owned()
            })
            .collect::<Vec<String>>()
    };
    let mut codes: Vec<String> = std::thread::scope(|scope| {
        let (first, second) = (scope.spawn(run), scope.spawn(run));
        let mut codes = first.join().expect("first process");
        codes.extend(second.join().expect("second process"));
        codes
    });

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

    let removed = store.run(&["remove", "bank"]);
    assert!(removed.status.success(), "{removed:?}");
}
