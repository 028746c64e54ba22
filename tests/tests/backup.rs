//! End-to-end: moving in from another authenticator (issue 5). Real exports
//! from ../shared/fixtures/importers are dropped on the window over X
//! drag-and-drop; codes are checked against oathtool. Run through
//! scripts/test.sh.

use watchword_e2e::{workspace_dir, xdnd, Profile, Totp, KEY_ENTER, TIMEOUT};

/// A real export from another app (see the fixtures' README).
fn fixture(name: &str) -> std::path::PathBuf {
    workspace_dir()
        .parent()
        .expect("the workspace has a parent folder")
        .join("shared/fixtures/importers")
        .join(name)
}

#[test]
fn drop_an_encrypted_aegis_backup_and_enter_its_password() {
    let profile = Profile::new("drop_aegis");
    let vault = fixture("aegis_encrypted.json");
    let app = profile.launch();
    app.wait_loaded();

    xdnd::drop_files("Watchword", &[&vault], TIMEOUT)
        .unwrap_or_else(|e| panic!("dropping the backup: {e}"));
    app.wait_until("the password prompt", || {
        match app.try_displayed("#enrol-password") {
            Ok(true) => Ok(()),
            other => Err(format!("#enrol-password displayed = {other:?}")),
        }
    });
    assert_eq!(
        app.text("#enrol-locked-label"),
        "“aegis_encrypted.json” is an encrypted Aegis backup. Enter its password:"
    );
    assert_eq!(app.text("#enrol-title"), "Encrypted backup");
    assert!(!app.enabled("#enrol-confirm"), "nothing to add yet");

    app.fill("#enrol-password", "not the password");
    app.click("#enrol-unlock");
    app.wait_until("“Wrong password”", || {
        let error = app
            .try_text("#enrol-password-error")
            .map_err(|e| e.to_string())?;
        if error == "Wrong password" {
            Ok(())
        } else {
            Err(format!("#enrol-password-error = {error:?}"))
        }
    });
    assert!(
        app.displayed("#enrol-password"),
        "the prompt stays for another try"
    );

    // Issue 9: Cancel stops the key derivation. Unlock and Cancel are
    // clicked in one go, faster than a hand could: the Cancel names the
    // unlock it stops, so it wins whether it reaches the shell before the
    // work begins or while it runs, and the right password opens nothing.
    app.fill("#enrol-password", "test");
    app.execute(
        "document.querySelector('#enrol-unlock').click();
         document.querySelector('#enrol-unlock-cancel').click();",
        serde_json::json!([]),
    );
    wait_for_text(
        &app,
        "#enrol-password-error",
        "Cancelled: enter the password again to unlock it.",
    );
    assert!(app.displayed("#enrol-password"), "the prompt stays");
    assert!(!app.displayed("#enrol-unlock-cancel"));
    assert_eq!(app.count("#enrol-list li"), 0, "nothing was opened");

    app.fill("#enrol-password", "test");
    app.click("#enrol-unlock");
    let found = app.wait_found(7);
    assert!(
        !app.displayed("#enrol-locked"),
        "the prompt is gone once unlocked"
    );
    // The focus was in the prompt, gone: the title takes it, and says what
    // the preview now holds. It once fell to the page behind the dialog.
    app.wait_until("the focus on the preview's title", || {
        let focused = app.focused();
        if focused == "h2#enrol-title" {
            Ok(())
        } else {
            Err(focused)
        }
    });
    assert_eq!(app.text("#enrol-title"), "7 accounts found");
    let details = |issuer: &str| {
        found
            .iter()
            .find(|f| f.issuer == issuer)
            .unwrap_or_else(|| panic!("{issuer} in {found:?}"))
            .details
            .clone()
    };
    assert_eq!(details("SPDX"), "7 digits every 20 s, SHA256");
    assert_eq!(details("Airbnb"), "8 digits every 50 s, SHA512");
    assert_eq!(details("WWE"), "Counter-based, 8 digits, counter 10300");
    assert_eq!(details("Boeing"), "Steam Guard");
    assert!(found.iter().all(|f| f.picked && !f.duplicate));

    let rows = app.confirm_found(7);
    app.wait_toast("Added 7 accounts");
    assert_eq!(profile.keychain_items(), 7);
    for (issuer, spec) in [
        ("Deno", Totp::default_for("4SJHB4GSD43FZBAI7C2HLRJGPQ")),
        (
            "Airbnb",
            Totp {
                key: "7ELGJSGXNCCTV3O6LKJWYFV2RA",
                algorithm: "SHA512",
                digits: 8,
                period: 50,
            },
        ),
    ] {
        let row = rows
            .iter()
            .find(|r| r.issuer == issuer)
            .unwrap_or_else(|| panic!("{issuer} in {rows:?}"));
        app.assert_shown_totp(row, &spec);
    }

    // The same accounts from the plain vault are all there already.
    xdnd::drop_files("Watchword", &[&fixture("aegis_plain.json")], TIMEOUT)
        .unwrap_or_else(|e| panic!("dropping the backup: {e}"));
    let found = app.wait_found(7);
    assert!(found.iter().all(|f| f.duplicate && !f.picked), "{found:?}");
    assert_eq!(
        app.text("#enrol-title"),
        "7 accounts found, 7 already in Watchword"
    );
    assert!(!app.enabled("#enrol-confirm"));

    // More dropped while a name is being edited: the rows are made again,
    // and the focus stays in the same field, the caret where it was.
    app.execute(
        "const field = document.querySelector('#enrol-list li.found:nth-child(2) .found-issuer');
         field.focus();
         field.setSelectionRange(2, 2);
         window.__rowBefore = field.closest('li');",
        serde_json::json!([]),
    );
    xdnd::drop_files("Watchword", &[&fixture("steam.json")], TIMEOUT)
        .unwrap_or_else(|e| panic!("dropping the backup: {e}"));
    app.wait_until("the preview's rows made again", || {
        match app.try_execute(
            "return window.__rowBefore.isConnected;",
            serde_json::json!([]),
        ) {
            Ok(serde_json::Value::Bool(false)) => Ok(()),
            other => Err(format!("the old row still in the page: {other:?}")),
        }
    });
    let focus = app.execute(
        "const e = document.activeElement;
         const li = e.closest('#enrol-list li.found');
         return [e.className, li ? li.dataset.index : null, e.selectionStart,
                 window.__rowBefore.dataset.index];",
        serde_json::json!([]),
    );
    assert_eq!(focus[0], "found-issuer", "{focus}");
    assert_eq!(focus[1], focus[3], "the same row's field: {focus}");
    assert_eq!(focus[2], 2, "the caret: {focus}");
    app.click("#enrol-cancel");
    app.quit();
}

/// Issue 9: adding many accounts can be stopped from the preview. What went
/// in stays (each account whole, in the keychain and the list) and is
/// marked as added in the preview, even where its name was edited there;
/// the rest wait, and adding again brings in exactly those.
#[test]
fn a_big_import_can_be_stopped_and_the_rest_added_later() {
    const MANY: usize = 150;
    let profile = Profile::new("stop_import");
    let file = profile
        .data_dir()
        .parent()
        .expect("the profile's folder")
        .join("many.txt");
    let uris: Vec<String> = (0..MANY)
        .map(|n| {
            let key = watchword_core::Secret::from_bytes(format!("key-{n:06}").into_bytes());
            format!(
                "otpauth://totp/Service%20{n:03}:me?secret={}&issuer=Service%20{n:03}",
                key.to_base32()
            )
        })
        .collect();
    std::fs::write(&file, uris.join("\n")).expect("the list is written");
    let app = profile.launch();
    app.wait_loaded();

    xdnd::drop_files("Watchword", &[&file], TIMEOUT)
        .unwrap_or_else(|e| panic!("dropping the list: {e}"));
    wait_for_text(&app, "#enrol-title", &format!("{MANY} accounts found"));
    assert_eq!(app.text("#enrol-confirm"), format!("Add {MANY} accounts"));

    // The first is renamed in the preview: added so, and then marked.
    app.fill(
        "#enrol-list li.found:first-child .found-issuer",
        "Renamed 000",
    );
    // Add, and Cancel once a few accounts are in: it stops before the
    // next one (the rest would take seconds more).
    app.click("#enrol-confirm");
    app.wait_until("a few accounts to be in the keychain", || {
        match profile.keychain_items() {
            n if n >= 5 => Ok(()),
            n => Err(format!("{n} in the keychain")),
        }
    });
    app.click("#enrol-cancel");
    let said = app.wait_toast("Stopped");
    let kept = profile.keychain_items();
    eprintln!("stopped with {kept} of {MANY} added: {said}");
    assert!(
        (5..MANY).contains(&kept),
        "{kept} of {MANY} were added: {said}"
    );
    assert_eq!(
        said,
        format!("Stopped after adding {kept} accounts of {MANY}; the rest are still here to add")
    );
    assert_eq!(
        app.wait_rows(kept).len(),
        kept,
        "the list shows what went in"
    );
    let found = app.wait_found(MANY);
    assert_eq!(
        (found[0].issuer.as_str(), found[0].duplicate),
        ("Renamed 000", true)
    );
    assert_eq!(found.iter().filter(|f| f.duplicate).count(), kept);
    assert!(found.iter().all(|f| f.picked != f.duplicate), "{found:?}");
    let left = MANY - kept;
    assert_eq!(
        app.text("#enrol-confirm"),
        if left == 1 {
            "Add 1 account".to_owned()
        } else {
            format!("Add {left} accounts")
        }
    );

    // The rest, and nothing twice.
    let rows = app.confirm_found(MANY);
    app.wait_toast(&format!("Added {left} account"));
    assert_eq!(profile.keychain_items(), MANY);
    let mut issuers: Vec<String> = rows.into_iter().map(|r| r.issuer).collect();
    issuers.sort();
    issuers.dedup();
    assert_eq!(issuers.len(), MANY, "each account once");
    assert!(issuers.contains(&"Renamed 000".to_owned()), "{issuers:?}");
    assert!(!issuers.contains(&"Service 000".to_owned()), "{issuers:?}");
    app.quit();
}

/// The seven canonical accounts, as canonical otpauth URIs, sorted.
fn canonical_uris() -> Vec<String> {
    let bytes = std::fs::read(fixture("plain.txt")).expect("the fixture");
    uris_of(&bytes, None)
}

/// The accounts a backup holds, as canonical otpauth URIs, sorted.
fn uris_of(bytes: &[u8], password: Option<&str>) -> Vec<String> {
    use watchword_core::import::{detect_and_read, Read};
    let entries = match detect_and_read(bytes).expect("a backup").1 {
        Read::Plain(entries) => entries,
        Read::Encrypted(backup) => backup
            .decrypt(password.expect("a password for an encrypted backup"))
            .expect("the password opens it"),
    };
    let conversion = entries.convert();
    assert!(conversion.errors.is_empty(), "{:?}", conversion.errors);
    let mut uris: Vec<String> = conversion
        .accounts
        .iter()
        .map(watchword_core::uri::format)
        .collect();
    uris.sort();
    uris
}

fn wait_for_text(app: &watchword_e2e::App<'_>, css: &str, expected: &str) {
    app.wait_until(&format!("{css} to say {expected:?}"), || {
        let text = app.try_text(css).map_err(|e| e.to_string())?;
        if text == expected {
            Ok(())
        } else {
            Err(format!("{css} = {text:?}"))
        }
    });
}

fn open_export(app: &watchword_e2e::App<'_>) {
    app.click("#more-button");
    app.click("#export-button");
    app.wait_until("the export dialog", || {
        match app.try_property("#export-dialog", "open") {
            Ok(serde_json::Value::Bool(true)) => Ok(()),
            other => Err(format!("#export-dialog open = {other:?}")),
        }
    });
}

#[test]
fn back_up_and_move_out() {
    use std::os::unix::fs::PermissionsExt;
    let profile = Profile::new("back_up");
    let dir = profile.data_dir().parent().expect("the profile's folder");
    let app = profile.launch();
    app.wait_loaded();
    // The reminder's refresh has run once its (hidden) text is written.
    app.wait_until("the backup reminder's first refresh", || {
        let text = app
            .try_execute(
                "return document.querySelector('#backup-reminder-text').textContent;",
                serde_json::json!([]),
            )
            .map_err(|e| e.to_string())?;
        if text.as_str().is_some_and(|t| !t.is_empty()) {
            Ok(())
        } else {
            Err(format!("#backup-reminder-text = {text}"))
        }
    });
    assert!(!app.displayed("#backup-reminder"), "nothing to back up yet");

    xdnd::drop_files("Watchword", &[&fixture("plain.txt")], TIMEOUT)
        .unwrap_or_else(|e| panic!("dropping the list: {e}"));
    app.wait_found(7);
    app.confirm_found(7);
    app.wait_until("the backup reminder", || {
        let text = app
            .try_text("#backup-reminder-text")
            .map_err(|e| e.to_string())?;
        match app.try_displayed("#backup-reminder") {
            Ok(true) if text == "Your 7 accounts are not backed up yet." => Ok(()),
            other => Err(format!("#backup-reminder displayed = {other:?}, {text:?}")),
        }
    });

    // An encrypted backup through the real save dialog.
    app.click("#backup-now");
    app.fill("#export-password", "correct horse");
    app.fill("#export-repeat", "correct hose");
    app.click("#export-go");
    wait_for_text(&app, "#export-error", "The two passwords differ.");
    app.fill("#export-repeat", "correct horse");
    app.click("#export-go");
    let vault = dir.join("my backup.json");
    watchword_e2e::save_in_file_dialog("Save the backup", &vault);
    app.wait_toast(&format!("Saved 7 accounts to {}", vault.display()));
    app.wait_until("the reminder to go once backed up", || {
        match app.try_displayed("#backup-reminder") {
            Ok(false) => Ok(()),
            other => Err(format!("#backup-reminder displayed = {other:?}")),
        }
    });
    let mode = std::fs::metadata(&vault)
        .expect("saved")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "only its owner may read the backup");
    let bytes = std::fs::read(&vault).expect("saved");
    assert!(
        !String::from_utf8_lossy(&bytes).contains("4SJHB4GSD43FZBAI7C2HLRJGPQ"),
        "the backup is encrypted"
    );
    assert_eq!(uris_of(&bytes, Some("correct horse")), canonical_uris());

    // A plain list only after saying so; a note it has no place for is
    // said, not silently dropped.
    profile.cli_with_input(&["note", "Deno", "--set"], Some("recovery 7F3K-22QX"));
    open_export(&app);
    app.click("input[name=\"export-kind\"][value=\"uris\"]");
    app.click("#export-go");
    wait_for_text(
        &app,
        "#export-error",
        "Tick “I understand” to save an unencrypted file.",
    );
    app.click("#export-understood");
    app.click("#export-go");
    let list = dir.join("accounts.txt");
    watchword_e2e::save_in_file_dialog("Save the backup", &list);
    app.wait_toast(&format!(
        "Saved 7 accounts to {}. 1 note is not in it, which has no place for notes: \
         the encrypted backup keeps them.",
        list.display()
    ));
    assert_eq!(
        uris_of(&std::fs::read(&list).expect("saved"), None),
        canonical_uris()
    );

    // Google Authenticator codes, read back from what the window shows.
    open_export(&app);
    app.click("input[name=\"export-kind\"][value=\"google\"]");
    assert_eq!(app.text("#export-go"), "Show codes");
    app.click("#export-go");
    app.wait_until("the export code", || {
        match app.try_displayed("#google-qr") {
            Ok(true) => Ok(()),
            other => Err(format!("#google-qr displayed = {other:?}")),
        }
    });
    assert!(app
        .text("#google-step")
        .starts_with("One code with 3 accounts"));
    let left_out = app.text("#google-left-out");
    for name in [
        "SPDX (James)",
        "Airbnb (Elijah)",
        "Air Canada (Benjamin)",
        "Boeing (Sophia)",
    ] {
        assert!(
            left_out.contains(name),
            "{name} is named as left out: {left_out:?}"
        );
    }
    // Deno's note goes with none of the codes: said, not dropped in silence.
    assert!(
        left_out.contains(
            "Not included: 1 note (Google Authenticator has no place for notes; \
             the encrypted backup keeps them)"
        ),
        "{left_out:?}"
    );
    let shot = app.screenshot().expect("a screenshot of the window");
    let payloads = watchword_core::qr::decode_image(&shot).expect("the code on the screen reads");
    assert_eq!(payloads.len(), 1, "{payloads:?}");
    // ZBar, which shares no code with Watchword, reads the same text.
    assert_eq!(watchword_e2e::zbar_read(&shot), payloads);
    let mut moved: Vec<String> = watchword_core::migration::decode(&payloads[0])
        .expect("a Google Authenticator export")
        .accounts
        .iter()
        .map(watchword_core::uri::format)
        .collect();
    moved.sort();
    let expected: Vec<String> = canonical_uris()
        .into_iter()
        .filter(|uri| {
            ["Deno", "Issuu", "WWE"]
                .iter()
                .any(|i| uri.contains(&format!("issuer={i}&")))
        })
        .collect();
    assert_eq!(moved, expected);
    app.click("#google-done");
    let drawn = app.execute(
        "return document.querySelector('#google-qr-path').getAttribute('d');",
        serde_json::json!([]),
    );
    assert_eq!(drawn, "", "the codes are forgotten once closed");
    app.quit();
}

/// Stepping through Google Authenticator codes by keyboard: each step is
/// said (the picture says nothing, and the focus stays on the button),
/// and Enter pressed on from Next at the last code closes on Done. It once
/// went to Previous there, so the next Enter went back a code.
#[test]
fn the_google_codes_say_their_step_and_enter_never_goes_back() {
    let profile = Profile::new("google_steps");
    // Ten accounts a code: two codes.
    watchword_e2e::seed_accounts(&profile, 12);
    let app = profile.launch();
    app.wait_loaded();
    app.wait_rows(12);
    open_export(&app);
    app.click("input[name=\"export-kind\"][value=\"google\"]");
    app.click("#export-go");
    app.wait_until("the Google codes", || {
        match app.try_property("#google-dialog", "open") {
            Ok(serde_json::Value::Bool(true)) => Ok(()),
            other => Err(format!("#google-dialog open = {other:?}")),
        }
    });
    let first = "Code 1 of 2 (12 accounts in all): scan them in order.";
    let second = "Code 2 of 2 (12 accounts in all): scan them in order.";
    assert_eq!(app.text("#google-step"), first);
    let press_enter_on = |css: &str, step: &str, focus: &str| {
        app.execute(
            "document.querySelector(arguments[0]).focus();",
            serde_json::json!([css]),
        );
        app.press_keys(&KEY_ENTER.to_string());
        wait_for_text(&app, "#google-step", step);
        app.wait_until(&format!("{step:?} said"), || {
            match app.try_execute(
                "return document.getElementById('live').textContent;",
                serde_json::json!([]),
            ) {
                Ok(said) if said == step => Ok(()),
                other => Err(format!("#live = {other:?}")),
            }
        });
        app.wait_until(&format!("the focus on {focus}"), || {
            let now = app.focused();
            if now.starts_with(focus) {
                Ok(())
            } else {
                Err(now)
            }
        });
    };
    // At the last code Next goes off and Done takes the focus; back at
    // the first, Previous goes off and Next takes it.
    press_enter_on("#google-next", second, "button#google-done");
    press_enter_on("#google-prev", first, "button#google-next");
    // On to the last again, and Enter once more: done.
    press_enter_on("#google-next", second, "button#google-done");
    app.press_keys(&KEY_ENTER.to_string());
    app.wait_until("the Google codes to close", || {
        match app.try_property("#google-dialog", "open") {
            Ok(serde_json::Value::Bool(false)) => Ok(()),
            other => Err(format!("#google-dialog open = {other:?}")),
        }
    });
    app.quit();
}

#[test]
fn import_through_the_file_dialog() {
    let profile = Profile::new("import_dialog");
    let app = profile.launch();
    app.wait_loaded();
    app.click("#more-button");
    app.click("#import-button");
    watchword_e2e::choose_in_file_dialog(
        "Import from another authenticator",
        &fixture("stratum_plain.json"),
    );
    let found = app.wait_found(7);
    let mut issuers: Vec<&str> = found.iter().map(|f| f.issuer.as_str()).collect();
    issuers.sort_unstable();
    assert_eq!(
        issuers,
        [
            "Air Canada",
            "Airbnb",
            "Boeing",
            "Deno",
            "Issuu",
            "SPDX",
            "WWE"
        ]
    );
    app.confirm_found(7);
    app.wait_toast("Added 7 accounts");
    app.quit();
}

/// Issue 10: ⋮ → Print recovery sheet… warns, takes the paper size, and
/// writes a PDF only where the user picked (nothing else in that folder),
/// readable by its owner alone, whose QR codes read back to the accounts.
/// Rendering needs poppler-utils' `pdftoppm` (scripts/setup.sh test).
#[test]
fn print_a_recovery_sheet() {
    use std::os::unix::fs::PermissionsExt;
    let profile = Profile::new("sheet");
    let dir = profile
        .data_dir()
        .parent()
        .expect("the profile's folder")
        .join("printed");
    std::fs::create_dir_all(&dir).expect("a folder for the sheet");
    let app = profile.launch();
    app.wait_loaded();
    xdnd::drop_files("Watchword", &[&fixture("plain.txt")], TIMEOUT)
        .unwrap_or_else(|e| panic!("dropping the list: {e}"));
    app.wait_found(7);
    app.confirm_found(7);

    app.click("#more-button");
    app.click("#sheet-button");
    app.wait_until("the recovery sheet dialog", || {
        match app.try_property("#sheet-dialog", "open") {
            Ok(serde_json::Value::Bool(true)) => Ok(()),
            other => Err(format!("#sheet-dialog open = {other:?}")),
        }
    });
    app.click("#sheet-go");
    wait_for_text(
        &app,
        "#sheet-error",
        "Tick “I understand” to save a sheet that shows your keys.",
    );
    app.click("#sheet-understood");
    app.click("input[name=\"sheet-paper\"][value=\"letter\"]");
    // An item the keychain holds but cannot read (as a newer Watchword's
    // record reads here): not on the sheet, and the notice says so.
    const UNREADABLE: &str = "00112233445566778899aabbccddeeff";
    profile.plant_item(UNREADABLE, "{\"v\":9}");
    app.click("#sheet-go");
    let sheet = dir.join("recovery sheet.pdf");
    watchword_e2e::save_in_file_dialog("Save the recovery sheet", &sheet);
    app.wait_toast(&format!(
        "Saved the recovery sheet (7 accounts) to {}: print it, then delete the file. \
         Not in it, as the keychain cannot read it: {UNREADABLE}; keep an older backup \
         that holds it.",
        sheet.display()
    ));

    let left: Vec<_> = std::fs::read_dir(&dir)
        .expect("the folder")
        .map(|entry| entry.expect("an entry").file_name())
        .collect();
    assert_eq!(left, ["recovery sheet.pdf"], "no other copy in the folder");
    let mode = std::fs::metadata(&sheet)
        .expect("saved")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "only its owner may read the sheet");

    let pages = tempfile::tempdir().expect("a folder for the pages");
    let rendered = std::process::Command::new("pdftoppm")
        .args(["-r", "150", "-gray", "-png"])
        .arg(&sheet)
        .arg(pages.path().join("page"))
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run pdftoppm ({e}): install poppler-utils with scripts/setup.sh test")
        });
    assert!(rendered.status.success(), "pdftoppm failed on the sheet");
    let info = std::process::Command::new("pdfinfo")
        .arg(&sheet)
        .output()
        .expect("pdfinfo runs");
    assert!(
        String::from_utf8_lossy(&info.stdout).contains("612 x 792 pts (letter)"),
        "Letter was chosen"
    );
    let mut uris: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(pages.path()).expect("the pages") {
        let page = entry.expect("a page").path();
        for payload in watchword_core::qr::decode_file(&page).expect("codes on the page") {
            let account = watchword_core::uri::parse(&payload).expect("an otpauth URI");
            uris.push(watchword_core::uri::format(&account));
        }
    }
    uris.sort();
    assert_eq!(uris, canonical_uris());
    app.quit();
}
