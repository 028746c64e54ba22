//! What a screen reader hears as things change under the focus: said once
//! typing settles rather than at each pause between keys, and not said
//! again when nothing changed. Everything is said through the one live
//! region, `#live`; each test records what it was given to say.

use super::*;

/// Starts recording every text `#live` is given, in order.
fn record_said(app: &App<'_>) {
    app.execute(
        "window.__said = [];
         const live = document.getElementById('live');
         new MutationObserver(() => {
           if (live.textContent !== '') window.__said.push(live.textContent);
         }).observe(live, { childList: true, characterData: true, subtree: true });",
        json!([]),
    );
}

/// What `#live` was given to say since [`record_said`].
fn said(app: &App<'_>) -> Vec<String> {
    serde_json::from_value(app.execute("return window.__said;", json!([])))
        .expect("a list of texts")
}

/// Waits until the last thing said is `expected`; returns all said.
fn wait_said(app: &App<'_>, expected: &str) -> Vec<String> {
    app.wait_until(&format!("{expected:?} said"), || {
        let all = said(app);
        if all.last().is_some_and(|last| last == expected) {
            Ok(all)
        } else {
            Err(format!("said: {all:?}"))
        }
    })
}

/// Whether `css` is, or is inside, a live region of its own.
fn in_live_region(app: &App<'_>, css: &str) -> bool {
    app.execute(
        "return document.querySelector(arguments[0])
           .closest('[aria-live], [role=status], [role=alert], [role=log]') !== null;",
        json!([css]),
    ) == Value::Bool(true)
}

/// The add form checks a key as it is typed and shows the verdict at once,
/// but says it once typing settles, or as the field is left. Its error
/// and preview were live regions rewritten 120 ms after each key, so a
/// screen reader spoke at nearly every pause in a key being typed.
#[test]
fn the_add_form_speaks_once_typing_settles() {
    let profile = Profile::new("said_add");
    let app = profile.launch();
    app.wait_loaded();
    app.open_add_form();
    for css in ["#add-error", "#add-preview"] {
        assert!(!in_live_region(&app, css), "{css} is spoken at each change");
    }
    record_said(&app);

    let typed = "not a key!";
    app.type_text("#add-input", typed);
    let error = app.wait_until("the add form's error", || {
        match app.try_text("#add-error") {
            Ok(text) if !text.is_empty() => Ok(text),
            other => Err(format!("#add-error = {other:?}")),
        }
    });
    let all = wait_said(&app, &error);
    assert!(
        all.len() < typed.len(),
        "said at each key rather than once: {all:?}"
    );

    // A valid key: its preview is said as the field is left, at once.
    app.fill("#add-input", "JBSWY3DPEHPK3PXP");
    let preview = app.wait_add_valid("6 digits every 30 s");
    app.press_keys(&KEY_TAB.to_string());
    wait_said(&app, &preview);
    app.quit();
}

/// A search says how many accounts it shows, once typing settles. Rows
/// came and went with nothing said, so a screen reader user typing in the
/// search heard nothing of what was found.
#[test]
fn a_search_says_how_many_accounts_match() {
    let profile = Profile::new("said_search");
    seed(&profile);
    let app = profile.launch();
    app.wait_loaded();
    app.wait_rows(4);
    record_said(&app);

    app.type_text("#search", "git");
    let all = wait_said(&app, "1 account matches");
    assert!(all.len() < 3, "said at each key: {all:?}");
    app.type_text("#search", "zzz");
    wait_said(&app, "No account matches “gitzzz”.");
    app.fill("#search", "");
    app.type_text("#search", "a");
    let found = app.execute(
        "return document.querySelectorAll('#accounts li.account:not([hidden])').length;",
        json!([]),
    );
    let count = found.as_u64().expect("a count");
    assert!(count > 1, "{count} rows for “a”");
    wait_said(&app, &format!("{count} accounts match"));
    app.quit();
}

/// The backup reminder is a status region: written at each change of the
/// list (a pin, a move, a rename), it was said again each time though its
/// words were the same. It changes only when its words do.
#[test]
fn the_backup_reminder_is_said_again_only_when_it_changes() {
    let profile = Profile::new("said_reminder");
    seed(&profile);
    let app = profile.launch();
    app.wait_loaded();
    app.wait_rows(4);
    app.wait_until("the backup reminder", || {
        match (
            app.try_displayed("#backup-reminder"),
            app.try_text("#backup-reminder-text"),
        ) {
            (Ok(true), Ok(text)) if text == "Your 4 accounts are not backed up yet." => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    app.execute(
        "window.__reminderChanges = [];
         new MutationObserver((records) => {
           for (const r of records) {
             window.__reminderChanges.push(`${r.type} ${r.attributeName || ''} on ${r.target.id || r.target.nodeName}`);
           }
         }).observe(document.getElementById('backup-reminder'),
           // (Inert comes and goes with every open menu: not what is said.)
           { childList: true, characterData: true, attributeFilter: ['hidden'], subtree: true });",
        json!([]),
    );

    // The list changes three times; what the reminder says does not.
    app.row_action("GitHub", "#row-pin");
    app.wait_toast("Pinned GitHub to the top");
    app.row_action("GitHub", "#row-pin");
    app.wait_toast("Unpinned GitHub");
    app.row_action("Steam", "#row-rename");
    app.fill("#rename-issuer", "Steam Guard");
    app.click("#rename-save");
    app.wait_toast("Renamed to Steam Guard");
    // Then an account more, which changes it: the reminder's refreshes
    // for the changes above came before this one's.
    profile.cli_add(
        &["--issuer", "Shop", "--account", "me"],
        "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TF",
    );
    app.wait_until("the reminder to count 5", || {
        match app.try_text("#backup-reminder-text") {
            Ok(text) if text == "Your 5 accounts are not backed up yet." => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    let changes = app.execute("return window.__reminderChanges;", json!([]));
    assert_eq!(
        changes,
        json!(["childList  on backup-reminder-text"]),
        "the reminder was written where its words stayed"
    );
    app.quit();
}
