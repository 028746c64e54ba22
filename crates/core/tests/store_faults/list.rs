//! The list's own data: finding, the backup reminder, pins, order, names and
//! settings, adding many at once.

use super::*;

#[test]
fn find_matches_issuer_and_name_ignoring_case() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut store = open(dir.path(), &keychain);
    store.add(account("Amazon", b"k1k1k1k1k1")).expect("add");
    store
        .add(account("Amazon Seller Central", b"k2k2k2k2k2"))
        .expect("add");
    store.add(account("GitHub", b"k3k3k3k3k3")).expect("add");
    assert_eq!(store.find("github").len(), 1);
    assert_eq!(store.find("AMAZON").len(), 1, "an exact issuer match wins");
    assert_eq!(store.find("amaz").len(), 2);
    assert_eq!(store.find("me@example").len(), 3);
    assert!(store.find("gitlab").is_empty());
}

#[test]
fn the_backup_reminder_counts_accounts_added_since_the_last_export() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut store = open(dir.path(), &keychain);
    assert_eq!(store.backup_status().added_since, 0);
    store.add(account("Amazon", b"k1k1k1k1k1")).expect("add");
    store.add(account("GitHub", b"k2k2k2k2k2")).expect("add");
    let status = store.backup_status();
    assert_eq!((status.last_backup, status.added_since), (None, 2));

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    store.record_backup(now).expect("recorded");
    assert_eq!(store.backup_status().added_since, 0);
    // Remembered across a restart, in the metadata file.
    let mut reopened = open(dir.path(), &keychain);
    assert_eq!(reopened.backup_status().last_backup, Some(now));
    // Added a second later: after the backup.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    reopened.add(account("Bank", b"k3k3k3k3k3")).expect("add");
    assert_eq!(reopened.backup_status().added_since, 1);
}

/// The store keeps an issuer and a name as one bounded line, whatever
/// built the account (an importer that set a name itself, a program using
/// the library) and in a rename: the keychain item and the list alike.
#[test]
fn the_store_keeps_names_as_one_bounded_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut store = open(dir.path(), &keychain);
    let mut crafted = account("Bank\n\u{202e}evil", b"k1k1k1k1k1");
    crafted.name = "x".repeat(5_000);
    let id = store.add(crafted).expect("add");
    let kept = item(&keychain, &id);
    assert_eq!(kept.issuer, "Bank  evil");
    assert_eq!(
        kept.name,
        "x".repeat(watchword_core::limits::MAX_LABEL_CHARS)
    );
    let listed = open(dir.path(), &keychain)
        .summaries()
        .into_iter()
        .find(|s| s.id == id.as_str())
        .expect("listed");
    assert_eq!(
        (listed.issuer.as_str(), listed.name.as_str()),
        (kept.issuer.as_str(), kept.name.as_str())
    );

    store
        .rename(&id, "\u{1b}[2JBank", "me\r\u{2028}you")
        .expect("rename");
    let renamed = item(&keychain, &id);
    assert_eq!(
        (renamed.issuer.as_str(), renamed.name.as_str()),
        ("[2JBank", "me  you")
    );
}

#[test]
fn pins_order_and_names_persist_and_only_names_touch_the_keychain() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut store = open(dir.path(), &keychain);
    let a = store.add(account("Amazon", b"k1k1k1k1k1")).expect("add");
    let b = store.add(account("Bank", b"k2k2k2k2k2")).expect("add");
    let c = store.add(account("Chat", b"k3k3k3k3k3")).expect("add");
    let issuers = |store: &Store| -> Vec<String> {
        store.summaries().into_iter().map(|s| s.issuer).collect()
    };

    store.reorder(&[c.clone(), a.clone()]).expect("reorder");
    assert_eq!(issuers(&store), ["Chat", "Amazon", "Bank"]);
    store.set_pinned(&b, true).expect("pin");
    assert_eq!(issuers(&store), ["Bank", "Chat", "Amazon"]);

    let items_before: Vec<String> = keychain.with(|s| s.items.values().cloned().collect());
    let reopened = open(dir.path(), &keychain);
    assert_eq!(
        issuers(&reopened),
        ["Bank", "Chat", "Amazon"],
        "kept in the metadata"
    );
    let items_after: Vec<String> = keychain.with(|s| s.items.values().cloned().collect());
    assert_eq!(
        items_before, items_after,
        "order and pins never touch the keychain"
    );

    store.rename(&a, " Amazon.de ", "seller").expect("rename");
    let item = keychain
        .with(|s| s.items.get(a.as_str()).cloned())
        .expect("the item");
    let renamed = uri::parse(&item).expect("a URI");
    assert_eq!(
        (renamed.issuer.as_str(), renamed.name.as_str()),
        ("Amazon.de", "seller")
    );
    let mut reopened = open(dir.path(), &keychain);
    reopened.load().expect("load");
    assert!(reopened
        .summaries()
        .iter()
        .any(|s| s.issuer == "Amazon.de" && s.name == "seller"));

    // Same key, and now the same issuer as another account: refused.
    let same_key = store
        .add(account("Other", b"k3k3k3k3k3"))
        .expect("another issuer");
    let err = store
        .rename(&same_key, "Chat", "x")
        .expect_err("a duplicate");
    assert_eq!(err.code(), "duplicate");
    assert_eq!(
        store
            .set_pinned(&AccountId::random(), true)
            .expect_err("no such account")
            .code(),
        "not_found"
    );
}

#[test]
fn settings_persist_and_out_of_range_values_change_nothing() {
    use watchword_core::store::{Settings, Theme};
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut store = open(dir.path(), &keychain);
    assert_eq!(store.settings(), &Settings::default());
    assert_eq!(store.settings().clear_clipboard_after, Some(30));
    let chosen = Settings {
        clear_clipboard_after: None,
        hide_codes: true,
        theme: Theme::Light,
        time_offset: 3600,
        always_show_next: true,
        single_key_shortcuts: false,
        auto_lock_minutes: Some(15),
        names_while_locked: true,
        quick_shortcut: Some("Super+Shift+F12".to_owned()),
        close_to_tray: Some(true),
        start_in_tray: true,
    };
    store.set_settings(chosen.clone()).expect("saved");
    assert_eq!(
        open(dir.path(), &keychain).settings(),
        &chosen,
        "kept in the file"
    );

    for (bad, says) in [
        (
            Settings {
                clear_clipboard_after: Some(5),
                ..chosen.clone()
            },
            "cleared after 10 to 300 seconds, not 5",
        ),
        (
            Settings {
                auto_lock_minutes: Some(0),
                ..chosen.clone()
            },
            "after 1 to 1440 minutes without use, not 0",
        ),
        (
            Settings {
                time_offset: -86_401,
                ..chosen.clone()
            },
            "at most a day",
        ),
        (
            Settings {
                quick_shortcut: Some("Shift+W".to_owned()),
                ..chosen.clone()
            },
            "not Shift alone",
        ),
    ] {
        let err = store.set_settings(bad).expect_err("out of range");
        assert_eq!(err.code(), "invalid_setting");
        assert!(err.to_string().contains(says), "{err}");
    }
    assert_eq!(
        open(dir.path(), &keychain).settings(),
        &chosen,
        "nothing changed"
    );
}

#[test]
fn add_all_counts_what_is_there_and_stops_at_a_failure() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut store = open(dir.path(), &keychain);
    store.add(account("Amazon", b"k1k1k1k1k1")).expect("add");
    let list = || {
        vec![
            account("Amazon", b"k1k1k1k1k1"),
            account("Bank", b"k2k2k2k2k2"),
            account("Chat", b"k3k3k3k3k3"),
        ]
    };
    keychain.with(|s| s.refuse_writes = true);
    let (done, error) = store.add_all(list()).expect_err("writes refused");
    assert_eq!((done.added, done.already_there), (0, 1));
    assert_eq!(error.code(), "keychain_locked");
    keychain.with(|s| s.refuse_writes = false);
    let done = store.add_all(list()).expect("added");
    assert_eq!((done.added, done.already_there), (2, 1));
    assert_eq!(store.summaries().len(), 3);
}
