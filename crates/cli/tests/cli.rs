//! `watchword-cli` as a user runs it: the real binary, a real Secret Service
//! (scripts/test.sh), output and messages pinned.

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

#[test]
fn code_for_a_uri_matches_rfc_6238_without_storing_anything() {
    let env = env("uri");
    let uri = format!("otpauth://totp/ACME:me?secret={RFC_SHA1}&digits=8");
    let out = env.run_with(&["code", "--uri", "-", "--at", "59"], &uri);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "94287082\n");

    let out = env.run_with(
        &["code", "--uri", "-", "--at", "1111111109", "--json"],
        &format!("{uri}\n"),
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut keys: Vec<&String> = json.as_object().expect("an object").keys().collect();
    keys.sort();
    assert_eq!(keys, ["code", "next", "period", "remaining"]);
    assert_eq!(json["code"], "07081804");
    assert_eq!(json["remaining"], 1);
    assert_eq!(json["period"], 30);
    // The next period starts at 1111111110, the step of RFC 6238 Appendix B's
    // row "1111111111 | 00000000023523EC | 14050471 | SHA1".
    assert_eq!(json["next"], "14050471");
    assert!(
        !env.dir.path().join("accounts.json").exists(),
        "nothing was stored"
    );
}

#[test]
fn bad_input_is_refused_on_stderr_with_a_non_zero_exit() {
    let env = env("bad");
    let code_uri: &[&str] = &["code", "--uri", "-"];
    let cases: [(&[&str], &str, &str); 7] = [
        (
            code_uri,
            "otpauth://totp/x?secret=JBSW1Y3DP",
            "watchword-cli: the secret key has an invalid character at position 5: only letters A-Z and digits 2-7 are allowed\n",
        ),
        (
            code_uri,
            "otpauth://motp/x?secret=JBSWY3DP",
            "watchword-cli: unknown OTP type \"motp\": expected totp, hotp or steam\n",
        ),
        (
            code_uri,
            "otpauth://totp/x?digits=6",
            "watchword-cli: the URI has no secret parameter\n",
        ),
        // Issue 9: a `;` for a `&` once put the key in the message.
        (
            code_uri,
            "otpauth://totp/x?digits=6;secret=JBSWY3DPEHPK3PXP&secret=JBSWY3DPEHPK3PXP",
            "watchword-cli: digits must be a number from 4 to 10, not (25 characters, not shown)\n",
        ),
        (
            code_uri,
            "",
            "watchword-cli: no otpauth URI was given on standard input\n",
        ),
        (
            &["add", "--issuer", "X", "--digits", "12"],
            "JBSWY3DPEHPK3PXP",
            "watchword-cli: digits must be a number from 4 to 10, not \"12\"\n",
        ),
        (
            &["add", "--issuer", "X"],
            "  \n",
            "watchword-cli: no setup key or otpauth URI was given on standard input\n",
        ),
    ];
    for (args, input, message) in cases {
        let out = env.run_with(args, input);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(stderr(&out), message, "{args:?}");
        assert_eq!(stdout(&out), "", "{args:?}");
    }
    let out = env.run(&["list"]);
    assert_eq!(
        stderr(&out),
        "No accounts yet: add one with `watchword-cli add`.\n"
    );
}

/// Issue 9: `add --secret KEY`, `add URI` and `code --uri URI` put the key in
/// the process list and the shell's history. They are refused, with the
/// form to use instead, and the key is not repeated.
#[test]
fn keys_given_as_arguments_are_refused_and_point_to_standard_input() {
    let env = env("key-args");
    let key = "JBSWY3DPEHPK3PXP";
    let uri = format!("otpauth://totp/x?secret={key}");
    let refused_add = "watchword-cli: keys and otpauth URIs are not taken as arguments, where \
        the process list and the shell's history would show them: run `watchword-cli add` and \
        paste the key or URI at the prompt, or pipe it in (`watchword-cli add < uri.txt`)\n";
    let refused_code = "watchword-cli: --uri takes \"-\" and reads the URI from standard input: \
        a URI on the command line shows its key in the process list and the shell's history \
        (e.g. `watchword-cli code --uri - < uri.txt`)\n";
    for (args, message) in [
        (vec!["add", "--issuer", "X", "--secret", key], refused_add),
        (vec!["add", &uri], refused_add),
        (vec!["add", key], refused_add),
        (vec!["code", "--uri", &uri], refused_code),
    ] {
        // A key on standard input too: refusing must not depend on it.
        let out = env.run_with(&args, key);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(stderr(&out), message, "{args:?}");
        assert_eq!(stdout(&out), "", "{args:?}");
    }
    assert!(
        !env.dir.path().join("accounts.json").exists(),
        "nothing was stored"
    );
}

/// At a terminal the key is typed at a prompt that does not echo it: the
/// terminal (a pseudo-terminal here) never shows it.
#[cfg(unix)]
#[test]
fn the_key_prompt_does_not_echo() {
    use rustix::pty::{grantpt, openpt, ptsname, unlockpt, OpenptFlags};
    use std::io::{Read, Write};
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).expect("a pseudo-terminal");
    grantpt(&master).expect("grantpt");
    unlockpt(&master).expect("unlockpt");
    let name = ptsname(&master, Vec::new()).expect("ptsname");
    let terminal = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(name.to_str().expect("a UTF-8 path"))
        .expect("open the terminal side");
    let mut child = Command::new(env!("CARGO_BIN_EXE_watchword-cli"))
        .args(["code", "--uri", "-", "--at", "59"])
        .stdin(terminal)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("watchword-cli runs");
    // The prompt comes once echo is off; type only then.
    let mut prompt = Vec::new();
    let mut stderr_pipe = child.stderr.take().expect("piped");
    let mut byte = [0u8; 1];
    while !prompt.ends_with(b"otpauth URI: ") {
        let n = stderr_pipe.read(&mut byte).expect("read the prompt");
        assert_eq!(n, 1, "stderr ended before the prompt: {prompt:?}");
        prompt.push(byte[0]);
    }
    let mut master = std::fs::File::from(master);
    let uri = format!("otpauth://totp/ACME:me?secret={RFC_SHA1}&digits=8\n");
    master.write_all(uri.as_bytes()).expect("type the URI");
    let out = child.wait_with_output().expect("watchword-cli finishes");
    assert_eq!(stdout(&out), "94287082\n", "{}", stderr(&out));
    // What the terminal shows: with every terminal side closed, reading
    // ends (EIO on Linux) after what was written to it.
    let mut shown = Vec::new();
    let _ = master.read_to_end(&mut shown);
    let shown = String::from_utf8_lossy(&shown);
    assert!(!shown.contains(RFC_SHA1), "the terminal showed {shown:?}");
}

#[test]
fn add_list_code_remove_through_the_keychain() {
    let env = env("flow");
    let out = env.run_with(
        &[
            "add",
            "--issuer",
            "Amazon",
            "--account",
            "seller@example.com",
        ],
        "gezd gnbv gy3t qojq gezd gnbv gy3t qojq\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "Added Amazon (seller@example.com).\n");
    let uri = format!("otpauth://totp/Amazon%20Seller:me?secret={RFC_SHA1}&issuer=Amazon%20Seller");
    assert!(env.run_with(&["add", "-"], &uri).status.success());
    let out = env.run_with(&["add"], &uri);
    assert_eq!(out.status.code(), Some(1), "a duplicate is refused");
    assert_eq!(
        stderr(&out),
        "watchword-cli: Amazon Seller (me) is already in Watchword\n"
    );
    // A malformed URI stores nothing.
    let out = env.run_with(
        &["add"],
        "otpauth://totp/Broken?secret=JBSW0Y3DP&issuer=Broken",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("invalid character at position 5"));

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

    // Removing needs exactly one match; otherwise nothing is removed.
    let out = env.run(&["remove", "ama"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("matches 2 accounts"),
        "{}",
        stderr(&out)
    );
    let out = env.run(&["remove", "nothing-like-it"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "watchword-cli: no account matches \"nothing-like-it\"; `watchword-cli list` shows them all\n"
    );
    assert_eq!(
        stdout(&env.run(&["list"])).lines().count(),
        3,
        "nothing removed"
    );

    assert!(env.run(&["remove", "amazon seller"]).status.success());
    let out = env.run(&["list"]);
    assert_eq!(
        stdout(&out),
        "ISSUER  TYPE   ACCOUNT\nAmazon  totp   seller@example.com\n"
    );
}

#[test]
fn hotp_codes_advance_and_the_counter_persists() {
    let env = env("hotp");
    let out = env.run_with(
        &[
            "add",
            "--issuer",
            "Bank",
            "--type",
            "hotp",
            "--counter",
            "0",
        ],
        RFC_SHA1,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // RFC 4226 Appendix D, counters 0, 1, 2.
    for expected in ["755224\n", "287082\n", "359152\n"] {
        assert_eq!(stdout(&env.run(&["code", "bank"])), expected);
    }
}

/// A PNG of `payloads` drawn side by side, 4 pixels a module, quiet zones
/// included; no payload gives a blank page.
fn qr_png(path: &std::path::Path, payloads: &[&str]) {
    const SCALE: usize = 4;
    let codes: Vec<qrcode::QrCode> = payloads
        .iter()
        .map(|text| qrcode::QrCode::new(text.as_bytes()).expect("encodable"))
        .collect();
    let side = |code: &qrcode::QrCode| (code.width() + 8) * SCALE;
    let width = codes.iter().map(side).sum::<usize>().max(200);
    let height = codes.iter().map(side).max().unwrap_or(200);
    let mut pixels = vec![255u8; width * height];
    let mut left = 0;
    for code in &codes {
        let modules = code.width();
        for (i, color) in code.to_colors().into_iter().enumerate() {
            if color == qrcode::Color::Dark {
                let (mx, my) = (i % modules + 4, i / modules + 4);
                for y in my * SCALE..(my + 1) * SCALE {
                    let row = y * width + left;
                    pixels[row + mx * SCALE..row + (mx + 1) * SCALE].fill(0);
                }
            }
        }
        left += side(code);
    }
    image::GrayImage::from_raw(width as u32, height as u32, pixels)
        .expect("sized to fit")
        .save(path)
        .expect("PNG written");
}

#[test]
fn decode_prints_each_payload_and_fails_on_images_without_one() {
    let env = env("decode");
    let uri = format!("otpauth://totp/ACME:me?secret={RFC_SHA1}&issuer=ACME");
    let two = env.dir.path().join("two.png");
    qr_png(&two, &[&uri, "https://example.com/"]);
    let blank = env.dir.path().join("blank.png");
    qr_png(&blank, &[]);
    let two_arg = two.to_str().expect("UTF-8 path");
    let blank_arg = blank.to_str().expect("UTF-8 path");

    let out = env.run(&["decode", two_arg]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("{uri}\nhttps://example.com/\n"));

    let out = env.run(&["decode", "--json", two_arg]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json[0]["file"], two_arg);
    assert_eq!(json[0]["payloads"][0]["text"], uri);
    assert_eq!(json[0]["payloads"][0]["kind"], "otpauth");
    assert_eq!(json[0]["payloads"][1]["kind"], "web_link");
    assert!(json[0]["error"].is_null());

    let out = env.run(&["decode", blank_arg]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        format!("watchword-cli: {blank_arg}: No QR code found in this image\n")
    );

    // One good image and one bad: the payloads still print, the bad one is
    // named, and the exit status says not everything was read.
    let missing = env.dir.path().join("missing.png");
    let out = env.run(&["decode", two_arg, missing.to_str().expect("UTF-8")]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out).lines().count(), 2);
    let err = stderr(&out);
    assert!(
        err.contains("missing.png: Cannot read the file")
            && err.ends_with("no QR code was read from 1 of 2 images\n"),
        "{err}"
    );

    let out = env.run(&["decode", "--json", blank_arg]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json[0]["error"]["code"], "no_qr_code");
}

#[test]
fn no_secret_service_is_named_and_nothing_is_created() {
    let env = env("no-service");
    let data = env.dir.path().join("never-made");
    let mut command = env.command(&["add", "--issuer", "X"]);
    command.env("WATCHWORD_DATA_DIR", &data).env(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/watchword-test-bus",
    );
    let out = spawn_fed(command, "JBSWY3DPEHPK3PXP\n")
        .wait_with_output()
        .expect("watchword-cli finishes");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "watchword-cli: No Secret Service is running: start gnome-keyring or KWallet \
         (or log in to a desktop session that provides one) and try again\n"
    );
    assert!(!data.exists(), "nothing was written");
}

#[test]
fn import_dry_run_prints_canonical_uris_and_stores_nothing() {
    let env = env("import-dry");
    let out = env.run(&["import", "--dry-run", &fixture("plain.txt")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let uris = stdout(&out);
    assert_eq!(uris.lines().count(), 7);
    assert!(
        uris.lines().all(|line| line.starts_with("otpauth://")),
        "{uris}"
    );
    assert!(uris.contains("otpauth://hotp/Air%20Canada:Benjamin?secret=KUVJJOM753IHTNDSZVCNKL7GII"));
    assert_eq!(
        stderr(&out),
        "Read 7 accounts from otpauth URI list; nothing was stored (--dry-run).\n"
    );
    assert!(
        !env.dir.path().join("accounts.json").exists(),
        "nothing stored"
    );

    // The encrypted Aegis vault yields exactly the same accounts.
    let out = env.run(&["import", "--dry-run", &fixture("aegis_encrypted.json")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is an encrypted Aegis backup: give its password on standard input with --password-stdin"),
        "{}",
        stderr(&out)
    );
    let out = env.run_with(
        &[
            "import",
            "--dry-run",
            "--password-stdin",
            &fixture("aegis_encrypted.json"),
        ],
        "not it\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).ends_with(": Wrong password\n"),
        "{}",
        stderr(&out)
    );
    let out = env.run_with(
        &[
            "import",
            "--dry-run",
            "--password-stdin",
            &fixture("aegis_encrypted.json"),
        ],
        "test\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), uris);
    assert_eq!(
        stderr(&out),
        "Read 7 accounts from Aegis (encrypted); nothing was stored (--dry-run).\n"
    );
}

#[test]
fn import_stores_new_accounts_and_counts_the_ones_already_there() {
    let env = env("import");
    let out = env.run_with(
        &[
            "import",
            "--password-stdin",
            &fixture("andotp_encrypted.bin"),
        ],
        "test",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "Imported 7 of 7 accounts from andOTP (encrypted).\n"
    );
    let list = stdout(&env.run(&["list"]));
    assert_eq!(
        list.lines().count(),
        8,
        "a header and seven accounts: {list}"
    );

    let out = env.run(&["import", &fixture("plain.txt")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "Imported 0 of 7 accounts from otpauth URI list; 7 were already in Watchword.\n"
    );
    assert_eq!(stdout(&env.run(&["list"])), list, "nothing added twice");
}

#[test]
fn import_reports_a_bad_entry_and_imports_the_rest() {
    let env = env("import-bad");
    let file = env.dir.path().join("mixed.txt");
    std::fs::write(
        &file,
        "otpauth://totp/A:one?secret=JBSWY3DPEHPK3PXP&issuer=A\n\
         otpauth://totp/B:two?secret=JBSW0Y3DPEHPK3PXP&issuer=B\n\
         otpauth://totp/C:three?secret=GEZDGNBVGY3TQOJQ&issuer=C\n",
    )
    .expect("written");
    let path = file.to_str().expect("UTF-8");
    let out = env.run(&["import", path]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("entry 2") && err.contains("invalid character at position 5"),
        "{err}"
    );
    assert!(!err.contains("JBSW0Y3DP"), "the key is never echoed: {err}");
    assert!(
        err.ends_with(
            "Imported 2 of 2 accounts from otpauth URI list; 1 entry could not be read.\n"
        ),
        "{err}"
    );

    // A truncated vault names the damaged part; nothing is stored.
    let vault = std::fs::read(fixture("aegis_plain.json")).expect("fixture");
    let cut = env.dir.path().join("cut.json");
    std::fs::write(&cut, &vault[..vault.len() / 2]).expect("written");
    let out = env.run(&["import", cut.to_str().expect("UTF-8")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("damaged"), "{}", stderr(&out));
    assert_eq!(
        stdout(&env.run(&["list"])).lines().count(),
        3,
        "still two accounts"
    );
}

#[test]
fn export_round_trips_through_import() {
    let env = env("export");
    let out = env.run(&["import", &fixture("plain.txt")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let vectors = canonical_vectors(&env);

    // An encrypted Aegis vault, written readable by its owner alone.
    let vault = env.dir.path().join("backup.json");
    let vault_arg = vault.to_str().expect("UTF-8");
    let out = env.run(&["export", "--format", "aegis", "--out", vault_arg]);
    assert_eq!(out.status.code(), Some(1), "no password, no vault");
    assert!(!vault.exists());
    let out = env.run_with(
        &[
            "export",
            "--format",
            "aegis",
            "--password-stdin",
            "--out",
            vault_arg,
        ],
        "correct horse\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!("Exported 7 accounts to {vault_arg}.\n")
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&vault)
        .expect("written")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let text = std::fs::read_to_string(&vault).expect("text");
    assert!(
        !text.contains("4SJHB4GSD43FZBAI7C2HLRJGPQ"),
        "the vault is encrypted"
    );
    let out = env.run_with(
        &["import", "--dry-run", "--password-stdin", vault_arg],
        "correct horse\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(sorted(&stdout(&out)), sorted(&vectors));

    // Plain URIs, with a warning.
    let out = env.run(&["export", "--format", "uris"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("NOT encrypted"));
    assert_eq!(sorted(&stdout(&out)), sorted(&vectors));

    // Google Authenticator: what the format cannot carry is named and left
    // out; the rest comes back unchanged.
    let google = env.dir.path().join("google.txt");
    let google_arg = google.to_str().expect("UTF-8");
    let out = env.run(&["export", "--format", "google", "--out", google_arg]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    // 7 digits, a 50 s period, 7 digits, Steam.
    for left_out in [
        "SPDX (James)",
        "Airbnb (Elijah)",
        "Air Canada (Benjamin)",
        "Boeing (Sophia)",
    ] {
        assert!(
            err.contains(&format!(
                "{left_out} cannot be exported to Google Authenticator"
            )),
            "{err}"
        );
    }
    let out = env.run(&["import", "--dry-run", google_arg]);
    assert!(out.status.success(), "{}", stderr(&out));
    let back = sorted(&stdout(&out));
    assert_eq!(back.len(), 3, "{back:?}");
    let expected: Vec<String> = sorted(&vectors)
        .into_iter()
        .filter(|uri| {
            ["Deno", "Issuu", "WWE"]
                .iter()
                .any(|i| uri.contains(&format!("issuer={i}")))
        })
        .collect();
    assert_eq!(back, expected);
}

fn sorted(lines: &str) -> Vec<String> {
    let mut lines: Vec<String> = lines.lines().map(str::to_owned).collect();
    lines.sort();
    lines
}

// See: issue 9, "Many bad entries flood the output": a count and the first
// five, and a file from which nothing could be read exits non-zero. Needs no
// keychain: --dry-run stores nothing.
#[test]
fn many_bad_entries_are_summarised_and_nothing_read_fails() {
    let env = env("import-flood");
    let file = env.dir.path().join("broken.txt");
    std::fs::write(&file, "otpauth://totp/x?secret=!!\n".repeat(5_000)).expect("written");
    let out = env.run(&["import", "--dry-run", file.to_str().expect("UTF-8")]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 7, "five entries, a count, the verdict: {err}");
    assert!(lines[0].contains("broken.txt: entry 1 (x): "), "{err}");
    assert!(lines[4].contains("entry 5"), "{err}");
    assert!(
        lines[5].ends_with("broken.txt: 4995 more entries could not be read"),
        "{err}"
    );
    assert!(
        lines[6].ends_with(
            "broken.txt: none of its 5000 entries could be read as an account; nothing was imported"
        ),
        "{err}"
    );
    assert!(stdout(&out).is_empty());

    // Some good among the bad: the good are read, exit 0, still summarised.
    let mut text = "otpauth://totp/x?secret=!!\n".repeat(10);
    text.push_str(&format!("otpauth://totp/A:me?secret={RFC_SHA1}&issuer=A\n"));
    std::fs::write(&file, text).expect("written");
    let out = env.run(&["import", "--dry-run", file.to_str().expect("UTF-8")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("broken.txt: 5 more entries could not be read\n"),
        "{err}"
    );
    assert!(
        err.ends_with(
            "Read 1 account from otpauth URI list; 10 entries could not be read; nothing was stored (--dry-run).\n"
        ),
        "{err}"
    );
}

// See: issue 9: the budgets of watchword_core::limits apply in the CLI.
#[test]
fn files_over_the_budgets_are_refused_with_the_limit_named() {
    let env = env("import-budget");
    let many = env.dir.path().join("many.txt");
    std::fs::write(&many, "otpauth://totp/x?secret=!!\n".repeat(200_000)).expect("written");
    let out = env.run(&["import", "--dry-run", many.to_str().expect("UTF-8")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "this file cannot be imported: it holds 200000 entries, more than the 10000 Watchword reads from one file"
        ),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).lines().count() == 1, "{}", stderr(&out));

    let big = env.dir.path().join("big.json");
    let file = std::fs::File::create(&big).expect("created");
    file.set_len(9 * 1024 * 1024).expect("sparse file");
    let out = env.run(&["import", "--dry-run", big.to_str().expect("UTF-8")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("this file cannot be imported: it is 9.4 MB, larger than any authenticator backup (8 MB at most"),
        "{}",
        stderr(&out)
    );
}

/// Issue 9: a crash must not write keys to disk. The CLI turns core dumps
/// off at start: its core size limit is 0 and, on Linux, it is not dumpable,
/// which makes its /proc files root's. It is run as another user than the
/// test's (nobody, when the test runs as root) so that the owner tells.
#[cfg(target_os = "linux")]
#[test]
fn core_dumps_are_off() {
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(env!("CARGO_BIN_EXE_watchword-cli"));
    // `code --uri -` waits for its URI on standard input: time to look.
    command
        .args(["code", "--uri", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let test_uid = rustix::process::getuid().as_raw();
    let cli_uid = if test_uid == 0 { 65534 } else { test_uid };
    if test_uid == 0 {
        command.uid(cli_uid).gid(65534);
    }
    let mut child = command.spawn().expect("watchword-cli runs");
    let proc_dir = format!("/proc/{}", child.id());
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_watchword-cli"))
        .canonicalize()
        .expect("the binary's path");
    // (core size limits, owner of /proc/<pid>) once the CLI runs its own
    // code (before exec, the forked test runs; right after, main has not
    // started yet), or whatever they are after 20 s.
    let look = || {
        let limits = std::fs::read_to_string(format!("{proc_dir}/limits")).expect("limits");
        let core: Vec<String> = limits
            .lines()
            .find(|line| line.starts_with("Max core file size"))
            .expect("a core size line")
            .split_whitespace()
            .skip(4)
            .take(2)
            .map(str::to_owned)
            .collect();
        let owner = std::fs::metadata(format!("{proc_dir}/status"))
            .expect("status")
            .uid();
        let exe = std::fs::read_link(format!("{proc_dir}/exe")).unwrap_or_default();
        (exe == binary, core, owner)
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let (_, core, owner) = loop {
        let seen = look();
        if (seen.0 && seen.1 == ["0", "0"] && seen.2 == 0) || std::time::Instant::now() > deadline {
            break seen;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    drop(child.stdin.take());
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(core, ["0", "0"], "soft and hard core size limits");
    assert_eq!(owner, 0, "not dumpable: /proc/<pid> belongs to root");
    assert_ne!(cli_uid, 0, "the owner would tell nothing");
}

/// Steam Guard's code, computed apart from Watchword: HMAC-SHA1 TOTP over
/// 30 s, the 31-bit value written as 5 characters of Steam's alphabet, least
/// significant first. Python's own hmac module, not our code.
const STEAM_PY: &str = r#"
import base64, hashlib, hmac, struct, sys
key = base64.b32decode(sys.argv[1] + "=" * (-len(sys.argv[1]) % 8))
mac = hmac.new(key, struct.pack(">Q", int(sys.argv[2]) // 30), hashlib.sha1).digest()
offset = mac[-1] & 15
value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
code = ""
for _ in range(5):
    code += "23456789BCDFGHJKMNPQRTVWXY"[value % 26]
    value //= 26
print(code)
"#;

fn steam_code(key: &str, unix: u64) -> String {
    let out = Command::new("python3")
        .args(["-c", STEAM_PY, key, &unix.to_string()])
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out).trim().to_owned()
}

#[test]
fn steam_codes_are_printed_as_steam_computes_them() {
    const KEY: &str = "JRZCL47CMXVOQMNPZR2F7J4RGI";
    let env = env("steam");
    let out = env.run_with(
        &["add", "-"],
        &format!("otpauth://steam/Boeing:Sophia?secret={KEY}&issuer=Boeing\n"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // Python's answer at 1700000000 is "747JR": pinned too, so that a broken
    // python3 cannot make both sides agree on nothing.
    assert_eq!(steam_code(KEY, 1_700_000_000), "747JR");
    for at in [59u64, 1_111_111_109, 1_700_000_000, 2_000_000_000] {
        let out = env.run(&["code", "Boeing", "--at", &at.to_string()]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(
            stdout(&out),
            format!("{}\n", steam_code(KEY, at)),
            "at {at}"
        );
    }
    let out = env.run(&["code", "Boeing", "--at", "1700000000", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["code"], steam_code(KEY, 1_700_000_000));
    assert_eq!(json["next"], steam_code(KEY, 1_700_000_010));
    assert_eq!(json["period"], 30);
}

/// Issue 13: the commands answer from the list in the data folder and read
/// only their own account's item, but the keychain stays the source of
/// truth: an item the list does not know (here added through a second data
/// folder on the same keychain) is still found by `code`, shown by `list`
/// and refused by `add` as a duplicate. Each of them meets a new such item.
#[test]
fn items_only_in_the_keychain_are_listed_found_and_not_added_twice() {
    let env = env("keychain-only");
    let out = env.run_with(&["add", "--issuer", "Amazon"], "JBSWY3DPEHPK3PXP");
    assert!(out.status.success(), "{}", stderr(&out));
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let add_elsewhere = |issuer: &str, kind: &str, key: &str| {
        let mut command = env.command(&["add", "--issuer", issuer, "--type", kind]);
        command.env("WATCHWORD_DATA_DIR", elsewhere.path());
        let out = spawn_fed(command, key).wait_with_output().expect("it ends");
        assert!(out.status.success(), "{}", stderr(&out));
    };

    add_elsewhere("ACME", "hotp", RFC_SHA1);
    // RFC 4226 Appendix D, counters 0 and 1: found, and stepped durably.
    assert_eq!(stdout(&env.run(&["code", "acme"])), "755224\n");
    assert_eq!(stdout(&env.run(&["code", "acme"])), "287082\n");
    add_elsewhere("Gitea", "totp", "JBSWY3DPEHPK3PXQ");
    let list = stdout(&env.run(&["list"]));
    assert!(list.contains("Gitea"), "list left out the item:\n{list}");
    add_elsewhere("Zed", "totp", "JBSWY3DPEHPK3PXR");
    let again = env.run_with(&["add", "--issuer", "zed"], "JBSWY3DPEHPK3PXR");
    assert!(!again.status.success(), "a duplicate was added");
    assert!(stderr(&again).contains("already"), "{}", stderr(&again));
    let out = env.run(&["remove", "acme"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "Removed ACME.\n");

    // The list knows "GitHub Enterprise"; "GitHub" is only in the keychain.
    // "github" is the latter (an exact match): the list alone must not
    // decide, or the wrong key would be removed for good.
    let out = env.run_with(&["add", "--issuer", "GitHub Enterprise"], RFC_SHA1);
    assert!(out.status.success(), "{}", stderr(&out));
    add_elsewhere("GitHub", "totp", "JBSWY3DPEHPK3PXS");
    let out = env.run(&["remove", "github"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "Removed GitHub.\n");
    let list = stdout(&env.run(&["list"]));
    assert!(
        list.contains("GitHub Enterprise"),
        "the wrong account went:\n{list}"
    );
}

/// Issue 10: `export --format sheet` writes a PDF readable by its owner
/// alone, warns that it holds every key, refuses a terminal, and every QR
/// code on it reads back to a stored account. Needs poppler-utils'
/// `pdftoppm` (scripts/setup.sh test).
#[test]
fn export_sheet_writes_a_private_pdf_whose_codes_read_back() {
    use std::os::unix::fs::PermissionsExt;
    let env = env("sheet");
    let out = env.run(&["import", &fixture("plain.txt")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let vectors = canonical_vectors(&env);

    let out = env.run(&["export", "--format", "sheet"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "no PDF on a terminal");
    assert!(stderr(&out).contains("--out FILE.pdf"), "{}", stderr(&out));

    let sheet = env.dir.path().join("sheet.pdf");
    let sheet_arg = sheet.to_str().expect("UTF-8");
    let out = env.run(&[
        "export", "--format", "sheet", "--paper", "letter", "--out", sheet_arg,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("NOT encrypted"), "{err}");
    assert!(
        err.contains(&format!("Exported 7 accounts to {sheet_arg}.")),
        "{err}"
    );
    let mode = std::fs::metadata(&sheet)
        .expect("written")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    let pages = env.dir.path().join("page");
    let rendered = Command::new("pdftoppm")
        .args(["-r", "150", "-gray", "-png", sheet_arg])
        .arg(&pages)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run pdftoppm ({e}): install poppler-utils with scripts/setup.sh test")
        });
    assert!(rendered.status.success(), "{}", stderr(&rendered));
    let mut payloads = Vec::new();
    for entry in std::fs::read_dir(env.dir.path()).expect("the folder") {
        let path = entry.expect("an entry").path();
        if path.extension().is_some_and(|ext| ext == "png") {
            payloads.extend(watchword_core::qr::decode_file(&path).expect("codes on the page"));
        }
    }
    assert_eq!(sorted(&payloads.join("\n")), sorted(&vectors));
}

/// Issue 10, part 6: notes and groups through the command line. A real
/// Aegis vault given two groups and a note, as Aegis 3 writes them.
#[test]
fn notes_and_groups_come_in_show_on_request_and_go_out_again() {
    let env = env("notes");
    let mut vault: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture("aegis_plain.json")).expect("fixture"))
            .expect("json");
    let db = &mut vault["db"];
    db["version"] = serde_json::json!(3);
    db["groups"] =
        serde_json::json!([{"uuid": "u-1", "name": "Work"}, {"uuid": "u-2", "name": "Travel"}]);
    db["entries"][0]["groups"] = serde_json::json!(["u-1"]);
    db["entries"][0]["note"] = serde_json::json!("recovery 7F3K-22QX");
    db["entries"][4]["groups"] = serde_json::json!(["u-2", "u-1"]);
    db["entries"][5]["icon"] = serde_json::json!("iVBORw0KGgo=");
    let file = env.dir.path().join("aegis-groups.json");
    std::fs::write(&file, serde_json::to_vec(&vault).expect("json")).expect("written");
    let out = env.run(&["import", file.to_str().expect("UTF-8 path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("it also holds custom icons, which Watchword does not keep"),
        "{}",
        stderr(&out)
    );

    // The table shows groups; JSON says whether there is a note, never it.
    let out = env.run(&["list"]);
    let table = stdout(&out);
    assert!(
        table.lines().next().expect("a heading").ends_with("GROUPS"),
        "{table}"
    );
    assert!(table.contains("Mason     Work\n"), "{table}");
    assert!(table.contains("Travel, Work\n"), "{table}");
    let out = env.run(&["list", "--json"]);
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("json");
    assert!(!stdout(&out).contains("7F3K"));
    let deno = list.iter().find(|a| a["issuer"] == "Deno").expect("Deno");
    assert_eq!(deno["groups"], serde_json::json!(["Work"]));
    assert_eq!(deno["has_note"], true);
    assert_eq!(list.iter().filter(|a| a["has_note"] == true).count(), 1);

    let out = env.run(&["list", "--group", "work"]);
    let table = stdout(&out);
    let issuers: Vec<&str> = table
        .lines()
        .skip(1)
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert_eq!(issuers, ["Deno", "Air"], "{}", stdout(&out));
    let out = env.run(&["list", "--group", "Games"]);
    assert!(!out.status.success());
    assert_eq!(
        stderr(&out),
        "watchword-cli: no account is in the group \"Games\"; the groups are: Travel, Work\n"
    );

    // The note only on request; replaced and cleared from standard input.
    let out = env.run(&["note", "Deno"]);
    assert_eq!(stdout(&out), "recovery 7F3K-22QX\n");
    let out = env.run_with(&["note", "SPDX", "--set"], "line 1\nline 2\n");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "Saved the note of SPDX (James).\n");
    assert_eq!(stdout(&env.run(&["note", "SPDX"])), "line 1\nline 2\n");
    let out = env.run_with(&["note", "SPDX", "--set"], "");
    assert_eq!(stderr(&out), "Removed the note of SPDX (James).\n");
    assert_eq!(
        stderr(&env.run(&["note", "SPDX"])),
        "SPDX (James) has no note.\n"
    );
    let out = env.run_with(&["note", "SPDX", "--set"], &"n".repeat(1025));
    assert!(!out.status.success());
    assert_eq!(
        stderr(&out),
        "watchword-cli: the note is 1025 bytes long; a note is kept in the keychain with the \
         account and can hold 1024 bytes at most\n"
    );

    // Groups by hand.
    let out = env.run(&["group", "WWE", "--add", "Sport"]);
    assert_eq!(stderr(&out), "Added WWE (Mason) to Sport.\n");
    let out = env.run(&["group", "WWE", "--add", "sport"]);
    assert_eq!(stderr(&out), "WWE (Mason) is in Sport already.\n");
    assert_eq!(stdout(&env.run(&["group", "WWE"])), "Sport\n", "once");
    let out = env.run(&["group", "Air Canada", "--remove", "work"]);
    assert_eq!(stderr(&out), "Took Air Canada (Benjamin) out of work.\n");
    assert_eq!(stdout(&env.run(&["group", "Air Canada"])), "Travel\n");
    let out = env.run(&["group", "WWE", "--add", "a\tb"]);
    assert!(!out.status.success());

    // Out through an Aegis vault and into an empty store: all of it back.
    let out = env.run_with(&["export", "--format", "aegis", "--password-stdin"], "pw\n");
    assert!(out.status.success(), "{}", stderr(&out));
    let exported = env.dir.path().join("out.json");
    std::fs::write(&exported, &out.stdout).expect("written");
    let other = Env::new("cli-test", "notes-restore");
    let out = other.run_with(
        &[
            "import",
            exported.to_str().expect("UTF-8"),
            "--password-stdin",
        ],
        "pw\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = |env: &Env| {
        let mut list: Vec<serde_json::Value> =
            serde_json::from_slice(&env.run(&["list", "--json"]).stdout).expect("json");
        for account in &mut list {
            account.as_object_mut().expect("object").remove("id");
        }
        list
    };
    assert_eq!(summary(&other), summary(&env));
    assert_eq!(
        stdout(&other.run(&["note", "Deno"])),
        "recovery 7F3K-22QX\n"
    );
}
