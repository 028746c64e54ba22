//! Two processes at once (issue 9). Two stores on one data folder and one
//! keychain stand for two processes (the app and watchword-cli): each takes the
//! lock through its own open file, which conflicts as another process's would.

use super::*;

#[test]
fn an_account_removed_by_another_process_is_never_written_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut window = open(dir.path(), &keychain);
    let id = window.add(account("GitHub", b"gh-key")).expect("add");
    let mut cli = open(dir.path(), &keychain);
    cli.remove(&id).expect("the CLI removes it");

    // The window still has it in memory; a rename must not resurrect it.
    let err = window
        .rename(&id, "GitHub", "renamed")
        .expect_err("it is gone");
    assert_eq!(err.code(), "not_found");
    assert!(keychain.with(|s| s.items.is_empty()), "written back");
    assert!(window.summaries().is_empty());
    assert!(!std::fs::read_to_string(dir.path().join("accounts.json"))
        .expect("list")
        .contains(id.as_str()));

    // Removed by another tool (the list file still names it): the same.
    let other = window.add(account("Bank", b"bank-key")).expect("add");
    keychain.with(|s| s.items.remove(other.as_str()));
    let err = window.rename(&other, "Bank", "x").expect_err("it is gone");
    assert_eq!(err.code(), "not_found");
    assert!(keychain.with(|s| s.items.is_empty()), "written back");
    assert!(window.summaries().is_empty(), "dropped from the list");
}

#[test]
fn changes_merge_instead_of_the_last_writer_winning() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut window = open(dir.path(), &keychain);
    let a = window.add(account("Amazon", b"a")).expect("add");
    let b = window.add(account("Bank", b"b")).expect("add");
    let mut cli = open(dir.path(), &keychain);
    let c = cli.add(account("Cloud", b"c")).expect("the CLI adds");
    cli.set_pinned(&b, true).expect("the CLI pins");

    // The window, not knowing either change, reorders and renames.
    window.reorder(&[a.clone(), b.clone()]).expect("reorder");
    window.rename(&a, "Amazon", "seller").expect("rename");
    let mut settings = window.settings().clone();
    settings.hide_codes = true;
    window.set_settings(settings).expect("settings");

    let mut fresh = open(dir.path(), &keychain);
    fresh.load().expect("load");
    let list: Vec<(String, String, bool)> = fresh
        .summaries()
        .into_iter()
        .map(|s| (s.issuer, s.name, s.pinned))
        .collect();
    assert_eq!(
        list,
        [
            ("Bank".into(), "me@example.com".into(), true),
            ("Amazon".into(), "seller".into(), false),
            ("Cloud".into(), "me@example.com".into(), false),
        ]
    );
    assert!(fresh.settings().hide_codes);
    assert!(fresh.account(&c).is_ok());
}

#[test]
fn refresh_takes_in_what_another_process_changed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut window = open(dir.path(), &keychain);
    let a = window.add(account("Amazon", b"a")).expect("add");
    window.load().expect("load");
    assert!(!window.refresh().expect("refresh"), "nothing changed yet");

    let mut cli = open(dir.path(), &keychain);
    let b = cli.add(account("Bank", b"b")).expect("add");
    cli.rename(&a, "Amazon EU", "me").expect("rename");
    assert!(window.refresh().expect("refresh"), "the change is seen");
    let names: Vec<String> = window.summaries().into_iter().map(|s| s.issuer).collect();
    assert_eq!(names, ["Amazon EU", "Bank"]);
    assert_eq!(window.account(&a).expect("renamed").issuer, "Amazon EU");
    assert_eq!(window.account(&b).expect("added").issuer, "Bank");

    cli.remove(&b).expect("remove");
    assert!(window.refresh().expect("refresh"));
    assert_eq!(window.account(&b).expect_err("gone").code(), "not_found");
    assert!(!window.refresh().expect("refresh"), "seen once only");
}

#[test]
fn hotp_codes_are_never_handed_out_twice_across_processes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut first = open(dir.path(), &keychain);
    let mut hotp = account("Bank", b"12345678901234567890");
    hotp.kind = OtpKind::Hotp { counter: 0 };
    let id = first.add(hotp).expect("add");
    let mut second = open(dir.path(), &keychain);
    second.load().expect("load");
    // Each holds counter 0 in memory; the keychain decides.
    // RFC 4226 Appendix D: counters 0 to 3.
    assert_eq!(first.next_code(&id, 0).expect("code").current, "755224");
    assert_eq!(second.next_code(&id, 0).expect("code").current, "287082");
    assert_eq!(first.next_code(&id, 0).expect("code").current, "359152");
    assert_eq!(second.next_code(&id, 0).expect("code").current, "969429");
}

#[test]
fn a_counter_at_its_maximum_is_an_error_and_the_item_is_unchanged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut store = open(dir.path(), &keychain);
    let mut hotp = account("Bank", b"12345678901234567890");
    hotp.kind = OtpKind::Hotp { counter: u64::MAX };
    let id = store.add(hotp).expect("add");
    let before = keychain.with(|s| s.items.clone());
    let err = store
        .next_code(&id, 0)
        .expect_err("no counter after the last");
    assert_eq!(err.code(), "counter_exhausted");
    assert!(err.to_string().contains("Bank"), "{err}");
    assert_eq!(keychain.with(|s| s.items.clone()), before);
}

#[test]
fn a_change_waits_for_another_process_and_gives_up_with_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut store = open(dir.path(), &keychain);
    store.add(account("Amazon", b"a")).expect("add");
    // Another process holds the lock (a flock of its own open file).
    let other = std::fs::File::open(dir.path().join("accounts.lock")).expect("lock file");
    other.lock().expect("held");
    let (tx, rx) = std::sync::mpsc::channel();
    let path = dir.path().to_owned();
    let waiter = std::thread::spawn({
        let keychain = keychain.clone();
        move || {
            let mut store = open(&path, &keychain);
            tx.send(()).expect("test alive");
            store.add(account("Bank", b"b")).map(|_| ())
        }
    });
    rx.recv().expect("waiter started");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(!waiter.is_finished(), "added while the lock was held");
    assert_eq!(keychain.with(|s| s.items.len()), 1);
    drop(other);
    waiter
        .join()
        .expect("no panic")
        .expect("added once released");
    assert_eq!(keychain.with(|s| s.items.len()), 2);
    // A window that cannot get the lock at once tries again later. Another
    // process, in the middle of a change, holds the lock and has written
    // the list: Amazon pinned (and Bank, added above, is new to `store`).
    let held = std::fs::File::open(dir.path().join("accounts.lock")).expect("lock file");
    held.lock().expect("held");
    let path = dir.path().join("accounts.json");
    let mut list: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read the list")).expect("json");
    let entries = list["accounts"].as_array_mut().expect("the accounts");
    let amazon = entries
        .iter_mut()
        .find(|e| e["issuer"] == "Amazon")
        .expect("Amazon listed");
    amazon["pinned"] = serde_json::json!(true);
    std::fs::write(&path, serde_json::to_vec(&list).expect("json")).expect("write the list");
    let shown = |store: &Store| -> Vec<(String, bool)> {
        store
            .summaries()
            .into_iter()
            .map(|s| (s.issuer, s.pinned))
            .collect()
    };
    assert!(!store.refresh().expect("busy is not an error"));
    assert_eq!(
        shown(&store),
        [("Amazon".to_owned(), false)],
        "nothing taken in"
    );
    // Released: the next look takes the change in.
    drop(held);
    assert!(
        store.refresh().expect("the lock is free"),
        "nothing changed"
    );
    assert_eq!(
        shown(&store),
        [("Amazon".to_owned(), true), ("Bank".to_owned(), false)]
    );
}

#[test]
fn out_of_range_settings_in_the_file_read_as_defaults_and_lose_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut store = open(dir.path(), &keychain);
    let id = store.add(account("Amazon", b"a")).expect("add");
    store.set_pinned(&id, true).expect("pin");
    let path = dir.path().join("accounts.json");
    let mut file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    file["settings"] = serde_json::json!({
        "timeOffset": i64::MIN,
        "clearClipboardAfter": 5,
        "theme": "neon",
        "hideCodes": true,
        "closeToTray": "sometimes",
        "startInTray": true,
    });
    std::fs::write(&path, serde_json::to_vec(&file).expect("json")).expect("write");

    let mut reopened = open(dir.path(), &keychain);
    let report = reopened.load().expect("load");
    assert!(!report.metadata_was_damaged);
    let settings = reopened.settings().clone();
    assert_eq!(settings.time_offset, 0);
    assert_eq!(settings.clear_clipboard_after, Some(30));
    assert_eq!(settings.theme, watchword_core::store::Theme::System);
    assert!(settings.hide_codes, "the valid value is kept");
    assert_eq!(settings.close_to_tray, None, "still to be asked");
    assert!(settings.start_in_tray, "the valid value is kept");
    assert!(reopened.summaries()[0].pinned, "the list is kept");

    // The extreme offsets are refused without overflowing.
    for offset in [i64::MIN, i64::MAX, 86_401, -86_401] {
        let mut bad = settings.clone();
        bad.time_offset = offset;
        let err = reopened.set_settings(bad).expect_err("out of range");
        assert_eq!(err.code(), "invalid_setting");
    }
}

#[test]
fn a_backup_holds_the_hotp_counter_another_process_stepped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut window = open(dir.path(), &keychain);
    let mut hotp = account("Bank", b"12345678901234567890");
    hotp.kind = OtpKind::Hotp { counter: 0 };
    let id = window.add(hotp).expect("add");
    let mut cli = open(dir.path(), &keychain);
    for _ in 0..3 {
        cli.next_code(&id, 0).expect("code");
    }
    // Only the keychain item changed; the window's backup and QR code must
    // not hand out counters 0 to 2 again.
    let backup = window.all_accounts().expect("accounts");
    assert_eq!(backup[0].kind, OtpKind::Hotp { counter: 3 });
    let shown = window.current_account(&id).expect("account");
    assert_eq!(shown.kind, OtpKind::Hotp { counter: 3 });
}

#[test]
fn a_damaged_list_is_moved_aside_only_under_the_lock_and_never_over_an_older_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let path = dir.path().join("accounts.json");
    std::fs::write(dir.path().join("accounts.json.damaged"), b"older").expect("write");
    std::fs::write(&path, b"{\"version\": 1, \"acc").expect("write");
    let mut store = open(dir.path(), &keychain);
    assert!(path.exists(), "moved aside by a store that holds no lock");
    store.load().expect("load");
    assert_eq!(
        std::fs::read(dir.path().join("accounts.json.damaged")).expect("kept"),
        b"older"
    );
    assert_eq!(
        std::fs::read(dir.path().join("accounts.json.damaged.2")).expect("moved"),
        b"{\"version\": 1, \"acc"
    );
}

/// Issue 13: a command line reads the item of its own account and no
/// other; `list` reads none, `add` only those of the same issuer.
#[test]
fn a_command_line_reads_only_the_items_it_touches() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut setup = open(dir.path(), &keychain);
    let ids: Vec<AccountId> = (0..20u8)
        .map(|n| {
            setup
                .add(account(&format!("Site{n}"), &[n; 10]))
                .expect("add")
        })
        .collect();
    drop(setup);
    gets(&keychain);

    let mut cli = open(dir.path(), &keychain);
    assert_eq!(cli.list_accounts().expect("list").len(), 20);
    assert_eq!(gets(&keychain), 0, "list read a secret");

    let mut cli = open(dir.path(), &keychain);
    let found = cli.find("site7");
    assert_eq!(found.len(), 1);
    let code = cli.next_code(&ids[7], 59).expect("code");
    assert_eq!(gets(&keychain), 1, "code read other items");
    let expected = watchword_core::otp::code_at(&account("Site7", &[7; 10]), 59);
    assert_eq!(code.current, expected.current);

    let mut cli = open(dir.path(), &keychain);
    cli.add(account("Elsewhere", b"new key")).expect("add");
    assert_eq!(gets(&keychain), 0, "add read items of other issuers");
    let mut cli = open(dir.path(), &keychain);
    // Same key, same issuer (any case): the one item of that issuer is read.
    match cli.add(account("site3", &[3; 10])) {
        Err(Error::Duplicate(_)) => {}
        other => panic!("expected Duplicate, got {other:?}"),
    }
    assert_eq!(gets(&keychain), 1);

    let mut cli = open(dir.path(), &keychain);
    cli.remove(&ids[3]).expect("remove");
    assert_eq!(gets(&keychain), 1, "remove read other items");
    let mut check = open(dir.path(), &keychain);
    check.load().expect("load");
    assert_eq!(check.summaries().len(), 20, "19 left and Elsewhere");
    assert!(check.find("site3").is_empty());
}

/// Issue 13: the keychain stays the source of truth. An item the metadata
/// does not list (written by a process killed before the file, or by a
/// second data folder) is listed, found, and counts as a duplicate.
#[test]
fn an_item_the_list_does_not_know_is_listed_found_and_refused_twice() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut store = open(dir.path(), &keychain);
    store.add(account("Amazon", b"a")).expect("add");
    let other = tempfile::tempdir().expect("temp dir");
    let stray = open(other.path(), &keychain)
        .add(account("GitHub", b"g"))
        .expect("add elsewhere");

    let mut cli = open(dir.path(), &keychain);
    let list = cli.list_accounts().expect("list");
    assert!(
        list.iter().any(|s| s.id == stray.as_str()),
        "list left out a keychain-only item: {list:?}"
    );

    let other2 = tempfile::tempdir().expect("temp dir");
    let stray2 = open(other2.path(), &keychain)
        .add(account("Gitlab", b"l"))
        .expect("add elsewhere");
    let mut cli = open(dir.path(), &keychain);
    match cli.add(account("GITLAB", b"l")) {
        Err(Error::Duplicate(_)) => {}
        other => panic!("a keychain-only duplicate was added: {other:?}"),
    }
    let other3 = tempfile::tempdir().expect("temp dir");
    let stray3 = open(other3.path(), &keychain)
        .add(account("Gitea", b"t"))
        .expect("add elsewhere");
    let mut cli = open(dir.path(), &keychain);
    assert!(cli.find("gitea").is_empty(), "not in the file yet");
    cli.load().expect("the fallback: a full load");
    let found = cli.find("gitea");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, stray3.as_str());
    cli.next_code(&stray3, 0).expect("code");
    cli.remove(&stray2).expect("remove");
}

/// Issue 13: a command line that reads one HOTP item reads it under the
/// lock: a counter another process steps while it waits is the one it uses,
/// and the stepped one is saved before the code is returned.
#[test]
fn a_command_line_hotp_code_rereads_the_counter_under_the_lock() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut setup = open(dir.path(), &keychain);
    let mut hotp = account("Bank", b"12345678901234567890");
    hotp.kind = OtpKind::Hotp { counter: 0 };
    let id = setup.add(hotp).expect("add");
    setup.add(account("Other", b"o")).expect("add");

    let held = std::fs::File::open(dir.path().join("accounts.lock")).expect("lock file");
    held.lock().expect("held");
    let (tx, rx) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn({
        let (keychain, path, id) = (keychain.clone(), dir.path().to_owned(), id.clone());
        move || {
            let mut cli = open(&path, &keychain);
            tx.send(()).expect("test alive");
            cli.next_code(&id, 0)
        }
    });
    rx.recv().expect("waiter started");
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(
        !waiter.is_finished(),
        "a code was made while the lock was held"
    );
    // Meanwhile the lock's holder hands out counter 0 and saves 1.
    let mut stepped = item(&keychain, &id);
    stepped.kind = OtpKind::Hotp { counter: 1 };
    keychain.with(|s| s.items.insert(id.to_string(), uri::format(&stepped)));
    drop(held);
    let code = waiter.join().expect("no panic").expect("code");
    // RFC 4226 Appendix D, counter 1: not 0, which it saw before waiting.
    assert_eq!(code.current, "287082");
    assert_eq!(item(&keychain, &id).kind, OtpKind::Hotp { counter: 2 });
    let mut cli = open(dir.path(), &keychain);
    assert_eq!(cli.next_code(&id, 0).expect("code").current, "359152");
    assert_eq!(item(&keychain, &id).kind, OtpKind::Hotp { counter: 3 });
}

/// The batched read answers what reads one at a time answer (the default
/// of the trait is the measure; a damaged item is reported the same way).
#[test]
fn a_full_load_reports_the_same_through_get_all() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut store = open(dir.path(), &keychain);
    let good = store.add(account("Amazon", b"a")).expect("add");
    let bad = store.add(account("Bank", b"b")).expect("add");
    keychain.with(|s| s.binary.push(bad.to_string()));
    let items = keychain.get_all().expect("get_all");
    let ids: Vec<&str> = items.iter().map(|(id, _)| id.as_str()).collect();
    let mut expected = vec![good.as_str(), bad.as_str()];
    expected.sort_unstable();
    assert_eq!(ids, expected);
    for (id, read) in &items {
        match read {
            Ok(text) => assert_eq!(uri::parse(text).expect("uri").issuer, "Amazon"),
            Err(Error::DamagedItem {
                id: damaged,
                reason,
            }) => {
                assert_eq!((damaged, reason.as_str()), (id, "its content is not text"));
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    let report = open(dir.path(), &keychain).load().expect("load");
    assert_eq!(report.accounts, 1);
    assert_eq!(
        report.damaged,
        vec![(bad.to_string(), "its content is not text".to_owned())]
    );
}
