//! Notes stay hidden until asked for; groups filter the list.

use super::*;

/// The text of every tag under the row for `issuer` ("note" for a note).
fn tags_of(app: &watchword_e2e::App<'_>, issuer: &str) -> Vec<String> {
    let row = app
        .rows_now()
        .into_iter()
        .find(|r| r.issuer == issuer)
        .unwrap_or_else(|| panic!("a row for {issuer}"));
    let value = app.execute(
        "return Array.from(document.querySelectorAll(arguments[0]))
           .filter((e) => !e.hidden && !e.closest('[hidden]')).map((e) => e.textContent);",
        serde_json::json!([row.css(".tags .tag")]),
    );
    serde_json::from_value(value).expect("a list of strings")
}

fn wait_tags(app: &watchword_e2e::App<'_>, issuer: &str, expected: &[&str]) {
    app.wait_until(&format!("{issuer} tagged {expected:?}"), || {
        let shown = tags_of(app, issuer);
        if shown == expected {
            Ok(())
        } else {
            Err(format!("it shows {shown:?}"))
        }
    });
}

/// The note is nowhere in the page.
fn assert_not_in_page(app: &watchword_e2e::App<'_>, secret: &str) {
    let everywhere = app.execute(
        "return [document.documentElement.outerHTML, document.body.innerText,
                 ...Array.from(document.querySelectorAll('input, textarea, select'))
                   .map((e) => e.value)].join('\\n');",
        serde_json::json!([]),
    );
    assert!(
        !everywhere.as_str().expect("a string").contains(secret),
        "the page holds {secret:?}"
    );
}

#[test]
fn notes_stay_hidden_until_asked_and_groups_filter_the_list() {
    let profile = Profile::new("notes_groups");
    for (issuer, account, key) in [
        ("Amazon", "buyer@example.com", AMAZON),
        ("GitHub", "octocat", GITHUB),
        ("Société Générale", "moi", BANK),
    ] {
        profile.cli_add(&["--issuer", issuer, "--account", account], key);
    }
    let recovery = "Recovery codes: 1111-2222 3333-4444\nPIN hint: the cat";
    profile.cli_with_input(&["note", "Société", "--set"], Some(recovery));
    profile.cli(&["group", "Société", "--add", "Money"]);

    let app = profile.launch();
    app.wait_loaded();
    app.wait_rows(3);
    wait_tags(&app, "Société Générale", &["Money", "note"]);
    wait_tags(&app, "GitHub", &[]);
    // Only that there is a note reaches the page, not the note.
    assert_not_in_page(&app, "1111-2222");

    // Cancelled: nothing shown.
    app.row_action("Société Générale", "#row-note");
    wait_dialog(&app, "#note-dialog", true);
    assert_eq!(app.text("#note-title"), "Note of Société Générale (moi)");
    assert!(!app.displayed("#note-text"));
    app.click("#note-confirm-cancel");
    wait_dialog(&app, "#note-dialog", false);
    assert_not_in_page(&app, "1111-2222");

    // Shown when asked, edited, saved to the keychain item, forgotten.
    app.row_action("Société Générale", "#row-note");
    app.click("#note-show");
    app.wait_until("the note", || {
        match app.try_property("#note-text", "value") {
            Ok(serde_json::Value::String(text)) if text == recovery => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    app.fill("#note-text", "Recovery codes: 5555-6666");
    app.click("#note-save");
    app.wait_toast("Saved the note of Société Générale (moi)");
    wait_dialog(&app, "#note-dialog", false);
    assert_not_in_page(&app, "5555-6666");
    assert_eq!(
        profile.cli(&["note", "Société"]).trim_end(),
        "Recovery codes: 5555-6666"
    );

    // A note another process writes while the dialog is open is never
    // overwritten: the save is refused and says why.
    app.row_action("Amazon", "#row-note");
    wait_dialog(&app, "#note-dialog", true);
    profile.cli_with_input(&["note", "Amazon", "--set"], Some("from the terminal"));
    app.fill("#note-text", "from the window");
    app.click("#note-save");
    app.wait_until("the refusal", || match app.try_text("#note-error") {
        Ok(text) if text.contains("was changed elsewhere while it was open here") => Ok(()),
        other => Err(format!("{other:?}")),
    });
    app.press_keys(&KEY_ESCAPE.to_string());
    wait_dialog(&app, "#note-dialog", false);
    assert_eq!(
        profile.cli(&["note", "Amazon"]).trim_end(),
        "from the terminal"
    );

    // An account without a note opens on an empty one to write.
    app.row_action("GitHub", "#row-note");
    wait_dialog(&app, "#note-dialog", true);
    assert_eq!(app.text("#note-title"), "Add a note to GitHub (octocat)");
    assert!(app.displayed("#note-text"));
    app.fill("#note-text", "Signed up with the work phone");
    app.click("#note-save");
    app.wait_toast("Added a note to GitHub (octocat)");
    wait_tags(&app, "GitHub", &["note"]);
    // A note too long for a keychain item is refused in the dialog, and the
    // note it had stays.
    app.row_action("GitHub", "#row-note");
    app.click("#note-show");
    app.wait_until("the note", || {
        match app.try_property("#note-text", "value") {
            Ok(serde_json::Value::String(text)) if text == "Signed up with the work phone" => {
                Ok(())
            }
            other => Err(format!("{other:?}")),
        }
    });
    app.execute(
        "document.getElementById('note-text').value = 'x'.repeat(5000);",
        serde_json::json!([]),
    );
    app.click("#note-save");
    app.wait_until("the length error", || match app.try_text("#note-error") {
        Ok(text) if text.contains("5000 bytes") => Ok(()),
        other => Err(format!("{other:?}")),
    });
    app.click("#note-cancel");
    wait_dialog(&app, "#note-dialog", false);
    assert_eq!(
        profile.cli(&["note", "GitHub"]).trim_end(),
        "Signed up with the work phone"
    );

    // Groups: a new one, then an existing one ticked. A group another
    // process adds while the dialog is open stays.
    app.row_action("GitHub", "#row-groups");
    wait_dialog(&app, "#groups-dialog", true);
    profile.cli(&["group", "GitHub", "--add", "Travel"]);
    app.fill("#groups-new", "Work");
    app.click("#groups-add");
    app.click("#groups-save");
    app.wait_toast("GitHub (octocat) is in Travel, Work");
    wait_tags(&app, "GitHub", &["Travel", "Work", "note"]);
    app.row_action("Amazon", "#row-groups");
    wait_dialog(&app, "#groups-dialog", true);
    app.click("#groups-list input[value='Work']");
    app.click("#groups-save");
    app.wait_toast("Amazon (buyer@example.com) is in Work");

    // The list shows one group at a time, and search looks inside it.
    choose_group(&app, "Work");
    wait_visible(&app, &["Amazon", "GitHub"]);
    choose_group(&app, "Money");
    wait_visible(&app, &["Société Générale"]);
    app.fill("#search", "git");
    app.wait_until("no match in the group", || {
        match app.try_text("#no-match") {
            Ok(text) if text == "No account in “Money” matches “git”." => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    app.fill("#search", "");
    // Another process puts the bank in Work too: the window follows.
    choose_group(&app, "Work");
    profile.cli(&["group", "Société", "--add", "Work"]);
    wait_visible(&app, &["Amazon", "GitHub", "Société Générale"]);
    choose_group(&app, "");
    // The command line filters the same way: every account is in Work by
    // now, GitHub alone is in Travel.
    let listed = profile.cli(&["list", "--group", "Work"]);
    assert!(
        listed.contains("Amazon") && listed.contains("GitHub") && listed.contains("Société"),
        "{listed}"
    );
    let listed = profile.cli(&["list", "--group", "Travel"]);
    assert!(
        listed.contains("GitHub") && !listed.contains("Amazon") && !listed.contains("Société"),
        "{listed}"
    );

    // The note is removed by saving it empty.
    app.row_action("GitHub", "#row-note");
    app.click("#note-show");
    app.wait_until("the note", || {
        match app.try_property("#note-text", "value") {
            Ok(serde_json::Value::String(text)) if !text.is_empty() => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    app.fill("#note-text", "");
    app.click("#note-save");
    app.wait_toast("Removed the note of GitHub (octocat)");
    wait_tags(&app, "GitHub", &["Travel", "Work"]);
    app.quit();

    // Notes and groups travel in a backup, and its preview says so.
    let vault = profile
        .data_dir()
        .parent()
        .expect("the profile's folder")
        .join("notes-groups-backup.json");
    profile.cli_with_input(
        &[
            "export",
            "--format",
            "aegis",
            "--out",
            vault.to_str().expect("a UTF-8 path"),
            "--password-stdin",
        ],
        Some("backup password\n"),
    );
    let app = profile.launch();
    app.wait_loaded();
    app.wait_rows(3);
    wait_tags(&app, "Société Générale", &["Money", "Work", "note"]);
    watchword_e2e::xdnd::drop_files("Watchword", &[&vault], watchword_e2e::TIMEOUT)
        .unwrap_or_else(|e| panic!("dropping the backup: {e}"));
    app.wait_until("the password prompt", || {
        match app.try_displayed("#enrol-password") {
            Ok(true) => Ok(()),
            other => Err(format!("#enrol-password displayed = {other:?}")),
        }
    });
    app.fill("#enrol-password", "backup password");
    app.click("#enrol-unlock");
    let found = app.wait_found(3);
    let details = |issuer: &str| {
        found
            .iter()
            .find(|f| f.issuer == issuer)
            .unwrap_or_else(|| panic!("{issuer} in {found:?}"))
            .details
            .clone()
    };
    assert_eq!(
        details("Société Générale"),
        "Already in Watchword · 6 digits every 30 s, SHA1 · groups Money, Work · with a note"
    );
    assert_eq!(
        details("GitHub"),
        "Already in Watchword · 6 digits every 30 s, SHA1 · groups Travel, Work"
    );
    app.click("#enrol-cancel");
    app.quit();
}
