//! The encrypted Aegis export, checked two ways: decrypted by an independent
//! implementation of Aegis' published format (PyCA `cryptography`, driven by
//! `tests/aegis_vault_decrypt.py`), and read back by our own Aegis importer.
//!
//! The Python check needs `python3` with `cryptography` installed
//! (`pip install cryptography`); without them this test fails and says so,
//! rather than passing untested.

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};
use watchword_core::export;
use watchword_core::import::{detect_and_read, Format, ImportError, Read};
use watchword_core::{Account, Algorithm, OtpKind, Secret};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/aegis_vault_decrypt.py");
const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/fixtures/importers/"
);
const PASSWORD: &str = "correct horse battery staple ✓";

/// The canonical vectors plus accounts that stress names and parameters.
fn accounts() -> Vec<Account> {
    let text = std::fs::read_to_string(format!("{FIXTURES}plain.txt")).expect("plain.txt");
    let mut accounts: Vec<Account> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| watchword_core::uri::parse(line).expect("a valid URI"))
        .collect();
    accounts.push(Account {
        issuer: String::new(),
        name: "no issuer: ünïcödé & \"quotes\"".into(),
        secret: Secret::from_bytes(b"12345678901234567890".to_vec()),
        algorithm: Algorithm::Sha256,
        digits: 10,
        kind: OtpKind::Totp { period: 60 },
        note: None,
        groups: Vec::new(),
    });
    accounts.push(Account {
        issuer: "Amazon Seller Central".into(),
        name: "me+seller@example.com".into(),
        // An 80-bit key, as many sites issue.
        secret: Secret::from_bytes(vec![
            0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x21, 0xde, 0xad, 0xbe, 0xef,
        ]),
        algorithm: Algorithm::Sha1,
        digits: 6,
        kind: OtpKind::Hotp {
            counter: u64::from(u32::MAX) + 7,
        },
        note: None,
        groups: Vec::new(),
    });
    accounts
}

/// Runs the independent decryption; the decrypted db JSON, or why not.
fn python_decrypt(vault: &str, password: &str) -> Result<Value, (i32, String)> {
    let mut child = match Command::new("python3")
        .arg(SCRIPT)
        .arg(password)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(error) => panic!(
            "cannot run python3 ({error}): the Aegis export is verified by an independent \
             implementation in Python; install Python 3 and `pip install cryptography`"
        ),
    };
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(vault.as_bytes())
        .expect("python3 reads the vault");
    let output = child.wait_with_output().expect("python3 runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    match output.status.code() {
        Some(0) => Ok(serde_json::from_slice(&output.stdout).expect("the db is JSON")),
        Some(3) => panic!(
            "the Python package `cryptography` is missing, so the Aegis export cannot be \
             verified independently: pip install cryptography ({stderr})"
        ),
        code => Err((code.unwrap_or(-1), stderr)),
    }
}

#[test]
fn an_independent_implementation_decrypts_the_export() {
    let accounts = accounts();
    let vault = export::aegis_encrypted(&accounts, PASSWORD).expect("exports");
    let db = python_decrypt(&vault, PASSWORD).unwrap_or_else(|(code, stderr)| {
        panic!("Python could not decrypt the export (exit {code}): {stderr}")
    });

    assert_eq!(db["version"], 3);
    let entries = db["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), accounts.len());
    for (entry, account) in entries.iter().zip(&accounts) {
        let what = account.display_name();
        assert_eq!(entry["issuer"], account.issuer.as_str(), "{what}");
        assert_eq!(entry["name"], account.name.as_str(), "{what}");
        assert_eq!(entry["uuid"].as_str().map(str::len), Some(36), "{what}");
        let info = &entry["info"];
        assert_eq!(
            info["secret"],
            account.secret.to_base32().as_str(),
            "{what}"
        );
        assert_eq!(info["algo"], account.algorithm.as_str(), "{what}");
        assert_eq!(info["digits"], account.digits, "{what}");
        match account.kind {
            OtpKind::Totp { period } => {
                assert_eq!(entry["type"], "totp", "{what}");
                assert_eq!(info["period"], period, "{what}");
            }
            OtpKind::Hotp { counter } => {
                assert_eq!(entry["type"], "hotp", "{what}");
                assert_eq!(info["counter"], counter, "{what}");
            }
            OtpKind::Steam => {
                assert_eq!(entry["type"], "steam", "{what}");
                assert_eq!(info["period"], 30, "{what}");
            }
        }
    }

    // What Python decrypted is a db our plain-vault importer reads back whole.
    let plain =
        serde_json::json!({"version": 1, "header": {"slots": null, "params": null}, "db": db});
    let (format, read) = detect_and_read(plain.to_string().as_bytes()).expect("a plain vault");
    assert_eq!(format, Format::Aegis);
    let Read::Plain(entries) = read else {
        panic!("a plain vault")
    };
    assert_eq!(entries.convert().accounts, accounts);
}

#[test]
fn the_independent_implementation_refuses_a_wrong_password() {
    let vault = export::aegis_encrypted(&accounts(), PASSWORD).expect("exports");
    let (code, stderr) = python_decrypt(&vault, "wrong").expect_err("a wrong password");
    assert_eq!(code, 4, "{stderr}");
}

#[test]
fn the_export_round_trips_through_our_importer() {
    let accounts = accounts();
    let vault = export::aegis_encrypted(&accounts, PASSWORD).expect("exports");
    let (format, read) = detect_and_read(vault.as_bytes()).expect("readable");
    assert_eq!(format, Format::Aegis);
    let Read::Encrypted(backup) = read else {
        panic!("the export is encrypted")
    };
    assert_eq!(
        backup.decrypt("wrong").map(|_| ()),
        Err(ImportError::WrongPassword)
    );
    let conversion = backup
        .decrypt(PASSWORD)
        .expect("the password opens it")
        .convert();
    assert!(conversion.errors.is_empty(), "{:?}", conversion.errors);
    assert_eq!(conversion.accounts, accounts);
}

#[test]
fn the_export_holds_no_secret_in_the_clear() {
    let accounts = accounts();
    let vault = export::aegis_encrypted(&accounts, PASSWORD).expect("exports");
    for account in &accounts {
        assert!(!vault.contains(&account.secret.to_base32()));
        assert!(!vault.contains(&account.name) || account.name.is_empty());
    }
    // Each export is freshly salted and keyed.
    let again = export::aegis_encrypted(&accounts, PASSWORD).expect("exports");
    assert_ne!(vault, again);
}

#[test]
fn the_aegis_fixture_reexports_unchanged() {
    let bytes = std::fs::read(format!("{FIXTURES}aegis_encrypted.json")).expect("fixture");
    let (_, read) = detect_and_read(&bytes).expect("readable");
    let Read::Encrypted(backup) = read else {
        panic!("encrypted")
    };
    let accounts = backup.decrypt("test").expect("opens").convert().accounts;
    let vault = export::aegis_encrypted(&accounts, "test").expect("exports");
    let (_, read) = detect_and_read(vault.as_bytes()).expect("readable");
    let Read::Encrypted(backup) = read else {
        panic!("encrypted")
    };
    assert_eq!(
        backup.decrypt("test").expect("opens").convert().accounts,
        accounts
    );
}
