//! Import and export: dry runs, counts, bad entries and budgets, round trips,
//! the recovery sheet, notes and groups.

use super::*;

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
    // The rest are stored, but a script must not take the file for done.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("entry 2") && err.contains("invalid character at position 5"),
        "{err}"
    );
    assert!(!err.contains("JBSW0Y3DP"), "the key is never echoed: {err}");
    assert!(
        err.contains(
            "Imported 2 of 2 accounts from otpauth URI list; 1 entry could not be read.\n\
             watchword-cli: "
        ) && err.ends_with(
            "mixed.txt: 1 entry was left out, as it could not be read (above); keep the file\n"
        ),
        "{err}"
    );
    let list = stdout(&env.run(&["list"]));
    assert_eq!(list.lines().count(), 3, "a header and the two read: {list}");

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
    let list = env.dir.path().join("accounts.json");
    let last_backup = || {
        let saved = std::fs::read(&list).expect("the list");
        serde_json::from_slice::<serde_json::Value>(&saved).expect("JSON")["last_backup"].clone()
    };
    assert!(last_backup().is_u64(), "the vault counted as a backup");
    // Dated long ago, so that a backup counted now would show.
    let mut saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&list).expect("the list")).expect("JSON");
    saved["last_backup"] = serde_json::json!(1_000_000_000);
    std::fs::write(&list, saved.to_string()).expect("written");
    let backed_up = last_backup();
    let out = env.run(&["export", "--format", "google", "--out", google_arg]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    // What the file holds, and no backup of all of them: the reminder
    // still counts from the vault.
    assert!(
        err.ends_with(&format!("Exported 3 accounts to {google_arg}.\n")),
        "{err}"
    );
    assert_eq!(last_backup(), backed_up, "accounts were left out");
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

    // A store of which the format can carry nothing: said, nothing written.
    let steam_only = super::env("export-steam-only");
    let out = steam_only.run_with(
        &[
            "add",
            "--issuer",
            "Steam",
            "--account",
            "gamer",
            "--type",
            "steam",
        ],
        "JBSWY3DPEHPK3PXP\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let nothing = steam_only.dir.path().join("google.txt");
    let out = steam_only.run(&[
        "export",
        "--format",
        "google",
        "--out",
        nothing.to_str().expect("UTF-8"),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).ends_with(
            "none of the accounts can be moved to Google Authenticator; nothing was written\n"
        ),
        "{}",
        stderr(&out)
    );
    assert!(!nothing.exists());
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

    // Some good among the bad: the good are read, still summarised, and
    // the verdict is the import's: some would be left out.
    let mut text = "otpauth://totp/x?secret=!!\n".repeat(10);
    text.push_str(&format!("otpauth://totp/A:me?secret={RFC_SHA1}&issuer=A\n"));
    std::fs::write(&file, text).expect("written");
    let out = env.run(&["import", "--dry-run", file.to_str().expect("UTF-8")]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("broken.txt: 5 more entries could not be read\n"),
        "{err}"
    );
    assert!(
        err.ends_with(
            "broken.txt: 10 entries would be left out, as they could not be read (above); keep the file\n"
        ) && err.contains(
            "Read 1 account from otpauth URI list; 10 entries could not be read; nothing was stored (--dry-run).\n\
             watchword-cli: "
        ),
        "{err}"
    );
}

// See: review of the importers, "a file of export links missing a part
// imports without a word". The same links pasted or scanned say which part
// is missing; from a file, it is an entry left out, and the import fails.
// Needs no keychain: --dry-run stores nothing.
#[test]
fn export_links_with_a_part_missing_are_a_partial_import() {
    let env = env("import-google-part");
    let links: Vec<String> = (0..3u8)
        .map(|i| {
            let account = watchword_core::Account::totp(
                "Shop",
                &format!("user{i}"),
                watchword_core::Secret::from_bytes(vec![i + 1; 10]),
            );
            watchword_core::migration::encode(&[account], i.into(), 3, 7).expect("exportable")
        })
        .collect();
    let file = env.dir.path().join("google.txt");
    let shown = file.to_str().expect("UTF-8");
    std::fs::write(&file, format!("{}\n{}\n", links[0], links[2])).expect("written");
    let out = env.run(&["import", "--dry-run", shown]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 2);
    assert_eq!(
        stderr(&out),
        format!(
            "watchword-cli: {shown}: entry 3: part 2 of 3 of a Google Authenticator export is \
             not in this file, so its accounts are missing: add the link of that part to it\n\
             Read 2 accounts from Google Authenticator export; 1 entry could not be read; \
             nothing was stored (--dry-run).\n\
             watchword-cli: {shown}: 1 entry would be left out, as it could not be read \
             (above); keep the file\n"
        )
    );
    std::fs::write(&file, links.join("\n")).expect("written");
    let out = env.run(&["import", "--dry-run", shown]);
    assert!(out.status.success(), "{}", stderr(&out));
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
/// A note within the note limit that does not fit the keychain item once
/// escaped (1018 line breaks) is cut to fit, the import goes on past it,
/// and the summary says so.
#[test]
fn an_imported_note_too_long_for_the_keychain_is_cut_and_said() {
    let env = env("notes-cut");
    let mut vault: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture("aegis_plain.json")).expect("fixture"))
            .expect("json");
    let note = format!("codes:{}", "\n".repeat(1018));
    vault["db"]["entries"][0]["note"] = serde_json::json!(note);
    let file = env.dir.path().join("aegis-long-note.json");
    std::fs::write(&file, serde_json::to_vec(&vault).expect("json")).expect("written");
    let out = env.run(&["import", file.to_str().expect("UTF-8 path")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .ends_with("Imported 7 of 7 accounts from Aegis; 1 note cut to fit the keychain.\n"),
        "{}",
        stderr(&out)
    );
    let kept = stdout(&env.run(&["note", "Deno"]));
    assert!(note.starts_with(kept.trim_end_matches('\n')), "{kept:?}");
    assert!(kept.starts_with("codes:\n") && kept.len() < note.len());
}

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

    // A plain list has no place for the note: said, not silently dropped.
    let out = env.run(&["export", "--format", "uris"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("1 note not in this file, which has no place for notes"),
        "{}",
        stderr(&out)
    );
    assert!(!stdout(&out).contains("7F3K"));

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
    // Beyond ASCII, --remove takes the case as --add does.
    let out = env.run(&["group", "WWE", "--add", "Équipe"]);
    assert_eq!(stderr(&out), "Added WWE (Mason) to Équipe.\n");
    let out = env.run(&["group", "WWE", "--remove", "équipe"]);
    assert_eq!(stderr(&out), "Took WWE (Mason) out of équipe.\n");
    assert_eq!(stdout(&env.run(&["group", "WWE"])), "Sport\n");
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
