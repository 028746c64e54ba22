//! `watchword-cli` as a user runs it: the real binary, a real Secret Service
//! (scripts/test.sh), output and messages pinned.

use std::process::{Command, Output};

const RFC_SHA1: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // "12345678901234567890"

struct Env {
    dir: tempfile::TempDir,
    service: String,
}

impl Env {
    fn new(tag: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock after 1970")
            .as_nanos();
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
            service: format!("watchword-cli-test-{tag}-{}-{nanos}", std::process::id()),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_watchword-cli"))
            .args(args)
            .env("WATCHWORD_DATA_DIR", self.dir.path())
            .env("WATCHWORD_KEYCHAIN_SERVICE", &self.service)
            .output()
            .expect("watchword-cli runs")
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        // Remove whatever a failed test left in the keychain.
        if let Ok(out) = Command::new(env!("CARGO_BIN_EXE_watchword-cli"))
            .args(["list", "--json"])
            .env("WATCHWORD_DATA_DIR", self.dir.path())
            .env("WATCHWORD_KEYCHAIN_SERVICE", &self.service)
            .output()
        {
            if let Ok(list) = serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout) {
                for item in list {
                    if let Some(id) = item["id"].as_str() {
                        let _ = self.run(&["remove", id]);
                    }
                }
            }
        }
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn code_for_a_uri_matches_rfc_6238_without_storing_anything() {
    let env = Env::new("uri");
    let uri = format!("otpauth://totp/ACME:me?secret={RFC_SHA1}&digits=8");
    let out = env.run(&["code", "--uri", &uri, "--at", "59"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "94287082\n");

    let out = env.run(&["code", "--uri", &uri, "--at", "1111111109", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["code"], "07081804");
    assert_eq!(json["remaining"], 1);
    assert_eq!(json["period"], 30);
    assert_eq!(json["next"].as_str().map(str::len), Some(8));
    assert!(
        !env.dir.path().join("accounts.json").exists(),
        "nothing was stored"
    );
}

#[test]
fn bad_input_is_refused_on_stderr_with_a_non_zero_exit() {
    let env = Env::new("bad");
    let cases: [(&[&str], &str); 4] = [
        (
            &["code", "--uri", "otpauth://totp/x?secret=JBSW1Y3DP"],
            "watchword-cli: the secret key has an invalid character at position 5: only letters A-Z and digits 2-7 are allowed\n",
        ),
        (
            &["code", "--uri", "otpauth://motp/x?secret=JBSWY3DP"],
            "watchword-cli: unknown OTP type \"motp\": expected totp, hotp or steam\n",
        ),
        (
            &["code", "--uri", "otpauth://totp/x?digits=6"],
            "watchword-cli: the URI has no secret parameter\n",
        ),
        (
            &["add", "--issuer", "X", "--secret", "JBSWY3DPEHPK3PXP", "--digits", "12"],
            "watchword-cli: digits must be a number from 4 to 10, not \"12\"\n",
        ),
    ];
    for (args, message) in cases {
        let out = env.run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(stderr(&out), message, "{args:?}");
        assert_eq!(stdout(&out), "", "{args:?}");
    }
    let out = env.run(&["list"]);
    assert_eq!(
        stderr(&out),
        "No accounts yet: add one with `watchword-cli add URI`.\n"
    );
}

#[test]
fn add_list_code_remove_through_the_keychain() {
    let env = Env::new("flow");
    let out = env.run(&[
        "add",
        "--issuer",
        "Amazon",
        "--account",
        "seller@example.com",
        "--secret",
        "gezd gnbv gy3t qojq gezd gnbv gy3t qojq",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "Added Amazon (seller@example.com).\n");
    let uri = format!("otpauth://totp/Amazon%20Seller:me?secret={RFC_SHA1}&issuer=Amazon%20Seller");
    assert!(env.run(&["add", &uri]).status.success());
    let out = env.run(&["add", &uri]);
    assert_eq!(
        stderr(&out),
        "watchword-cli: Amazon Seller (me) is already in Watchword\n"
    );

    let out = env.run(&["list"]);
    assert_eq!(
        stdout(&out),
        "ISSUER         TYPE   ACCOUNT\nAmazon         totp   seller@example.com\nAmazon Seller  totp   me\n"
    );
    assert!(
        !stdout(&env.run(&["list", "--json"])).contains(RFC_SHA1),
        "list never shows secrets"
    );

    // "amazon" is exactly one issuer; "ama" is ambiguous and lists both.
    let out = env.run(&["code", "amazon", "--at", "59"]);
    assert_eq!(stdout(&out), "287082\n");
    let out = env.run(&["code", "ama"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "watchword-cli: \"ama\" matches 2 accounts; be more specific:\n  Amazon: seller@example.com\n  Amazon Seller: me\n"
    );
    let out = env.run(&["code", "nothing-like-it"]);
    assert_eq!(out.status.code(), Some(1));

    assert!(env.run(&["remove", "amazon seller"]).status.success());
    let out = env.run(&["list"]);
    assert_eq!(
        stdout(&out),
        "ISSUER  TYPE   ACCOUNT\nAmazon  totp   seller@example.com\n"
    );
}

#[test]
fn hotp_codes_advance_and_the_counter_persists() {
    let env = Env::new("hotp");
    let out = env.run(&[
        "add",
        "--issuer",
        "Bank",
        "--secret",
        RFC_SHA1,
        "--type",
        "hotp",
        "--counter",
        "0",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // RFC 4226 Appendix D, counters 0, 1, 2.
    for expected in ["755224\n", "287082\n", "359152\n"] {
        assert_eq!(stdout(&env.run(&["code", "bank"])), expected);
    }
}
