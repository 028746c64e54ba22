//! Faults of the keychain (locked, missing, refusing, damaged items): named,
//! and nothing is lost.

use super::*;

#[test]
fn secrets_live_only_in_the_keychain_and_the_list_comes_back_without_metadata() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut store = open(dir.path(), &keychain);
    let amazon = account("Amazon", b"amazon-secret-0001");
    let github = account("GitHub", b"github-secret-0002");
    store.add(amazon.clone()).expect("add amazon");
    store.add(github.clone()).expect("add github");

    let meta = std::fs::read_to_string(dir.path().join("accounts.json")).expect("metadata");
    for a in [&amazon, &github] {
        assert!(
            !meta.contains(&a.secret.to_base32()),
            "a secret reached the metadata file"
        );
    }
    let stored: Vec<String> = keychain.with(|s| s.items.values().cloned().collect());
    assert_eq!(stored.len(), 2);
    assert!(
        stored.iter().all(|item| uri::parse(item).is_ok()),
        "items are self-describing"
    );

    std::fs::remove_dir_all(dir.path()).expect("delete the data folder");
    let mut again = open(dir.path(), &keychain);
    assert!(again.summaries().is_empty());
    let report = again.load().expect("load");
    assert_eq!((report.accounts, report.recovered), (2, 2));
    let issuers: Vec<String> = again.summaries().into_iter().map(|s| s.issuer).collect();
    assert_eq!(issuers, ["Amazon", "GitHub"]);
}

#[test]
fn a_damaged_metadata_file_is_moved_aside_and_rebuilt() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    open(dir.path(), &keychain)
        .add(account("Amazon", b"k1k1k1k1k1"))
        .expect("add");
    std::fs::write(dir.path().join("accounts.json"), "{\"accounts\": [").expect("damage");
    let mut store = open(dir.path(), &keychain);
    let report = store.load().expect("load");
    assert!(report.metadata_was_damaged);
    assert_eq!(store.summaries().len(), 1);
    assert!(
        dir.path().join("accounts.json.damaged").exists(),
        "the damaged file is kept"
    );
}

#[test]
fn a_locked_keychain_is_reported_and_nothing_is_lost() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut store = open(dir.path(), &keychain);
    store.add(account("Amazon", b"k1k1k1k1k1")).expect("add");
    let meta_before = std::fs::read(dir.path().join("accounts.json")).expect("metadata");

    keychain.with(|s| s.locked = true);
    let mut fresh = open(dir.path(), &keychain);
    assert_eq!(fresh.summaries().len(), 1, "the list renders from metadata");
    let err = fresh.load().expect_err("locked");
    assert_eq!(err.code(), "keychain_locked");
    let err = fresh
        .add(account("GitHub", b"k2k2k2k2k2"))
        .expect_err("locked");
    assert_eq!(err.code(), "keychain_locked");
    assert_eq!(
        std::fs::read(dir.path().join("accounts.json")).expect("metadata"),
        meta_before
    );

    keychain.with(|s| s.locked = false);
    assert_eq!(fresh.load().expect("unlocked").accounts, 1);
    assert_eq!(keychain.with(|s| s.items.len()), 1);
}

#[test]
fn a_missing_or_refusing_keychain_is_named_and_nothing_is_lost() {
    for (problem, code) in [
        (KeychainProblem::Unavailable, "keychain_unavailable"),
        (KeychainProblem::Denied, "keychain_denied"),
        (KeychainProblem::Failed, "keychain_failed"),
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        let keychain = FaultyKeychain::default();
        let id = open(dir.path(), &keychain)
            .add(account("Amazon", b"k1k1k1k1k1"))
            .expect("add");
        let meta_before = std::fs::read(dir.path().join("accounts.json")).expect("metadata");
        keychain.with(|s| {
            s.locked = true;
            s.problem = Some(problem);
        });
        let mut store = open(dir.path(), &keychain);
        assert_eq!(store.load().expect_err("fails").code(), code);
        let add = store.add(account("GitHub", b"k2k2k2k2k2"));
        assert_eq!(add.expect_err("fails").code(), code);
        assert_eq!(store.remove(&id).expect_err("fails").code(), code);
        assert_eq!(
            std::fs::read(dir.path().join("accounts.json")).expect("metadata"),
            meta_before,
            "{problem:?} changed the list"
        );
        keychain.with(|s| s.locked = false);
        assert_eq!(
            keychain.with(|s| s.items.len()),
            1,
            "{problem:?} lost an item"
        );
        assert_eq!(store.load().expect("works again").accounts, 1);
    }
}

/// An item whose content is not text once made `load` fail, hiding every
/// other account.
#[test]
fn an_item_that_is_not_text_is_reported_and_the_rest_load() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut store = open(dir.path(), &keychain);
    store.add(account("Amazon", b"k1k1k1k1k1")).expect("add");
    let bad = AccountId::random();
    keychain.with(|s| {
        s.items.insert(bad.to_string(), String::new());
        s.binary.push(bad.to_string());
    });
    let mut fresh = open(dir.path(), &keychain);
    let report = fresh.load().expect("the other accounts load");
    assert_eq!(report.accounts, 1);
    assert_eq!(
        report.damaged,
        [(bad.to_string(), "its content is not text".to_owned())]
    );
    assert_eq!(keychain.with(|s| s.items.len()), 2, "nothing was deleted");
}

#[test]
fn hotp_counter_is_saved_before_the_code_is_returned() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut store = open(dir.path(), &keychain);
    let mut hotp = account("Bank", b"12345678901234567890");
    hotp.kind = OtpKind::Hotp { counter: 0 };
    let id = store.add(hotp).expect("add");
    // RFC 4226 Appendix D: counters 0 and 1.
    assert_eq!(store.next_code(&id, 0).expect("code").current, "755224");
    assert_eq!(store.next_code(&id, 0).expect("code").current, "287082");

    keychain.with(|s| s.refuse_writes = true);
    let err = store.next_code(&id, 0).expect_err("write refused");
    assert_eq!(err.code(), "keychain_locked");
    keychain.with(|s| s.refuse_writes = false);
    // The refused attempt must not have used up counter 2.
    assert_eq!(store.next_code(&id, 0).expect("code").current, "359152");

    let mut reopened = open(dir.path(), &keychain);
    assert_eq!(reopened.next_code(&id, 0).expect("code").current, "969429");
}

#[test]
fn damaged_items_are_reported_and_left_untouched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut store = open(dir.path(), &keychain);
    let good = store.add(account("Amazon", b"k1k1k1k1k1")).expect("add");
    let bad = AccountId::random();
    keychain.with(|s| s.items.insert(bad.to_string(), "not a uri at all".into()));
    // Items that are not ours (ids we did not make) are ignored entirely.
    keychain.with(|s| s.items.insert("someone-else".into(), "whatever".into()));

    let mut fresh = open(dir.path(), &keychain);
    let report = fresh.load().expect("load");
    assert_eq!(report.accounts, 1);
    assert_eq!(report.damaged.len(), 1);
    assert_eq!(report.damaged[0].0, bad.to_string());
    assert!(
        !report.damaged[0].1.contains("not a uri"),
        "reasons never echo item content"
    );
    assert_eq!(
        fresh.account(&bad).expect_err("damaged").code(),
        "damaged_item"
    );
    assert!(fresh.account(&good).is_ok());
    assert_eq!(keychain.with(|s| s.items.len()), 3, "nothing was deleted");
}

#[test]
fn duplicates_are_refused_and_removal_is_complete() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut store = open(dir.path(), &keychain);
    let id = store.add(account("Amazon", b"k1k1k1k1k1")).expect("add");
    let err = store
        .add(account(" amazon ", b"k1k1k1k1k1"))
        .expect_err("duplicate");
    assert_eq!(err.code(), "duplicate");
    // Same key under another issuer is a different account.
    store
        .add(account("Amazon Seller", b"k1k1k1k1k1"))
        .expect("other issuer");
    store.remove(&id).expect("remove");
    assert_eq!(store.summaries().len(), 1);
    assert_eq!(keychain.with(|s| s.items.len()), 1);
    assert_eq!(store.remove(&id).expect_err("gone").code(), "not_found");
}

#[test]
fn items_removed_elsewhere_leave_the_list() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut store = open(dir.path(), &keychain);
    let id = store.add(account("Amazon", b"k1k1k1k1k1")).expect("add");
    let other = store.add(account("Bank", b"k2k2k2k2k2")).expect("add");
    keychain.with(|s| s.items.remove(id.as_str()));
    let mut fresh = open(dir.path(), &keychain);
    assert_eq!(fresh.summaries().len(), 2);
    fresh.load().expect("load");
    assert_eq!(fresh.summaries().len(), 1);
    assert_eq!(fresh.summaries()[0].issuer, "Bank");

    // Every item gone at once reads as a keychain closed or mistaken (a
    // password manager's database, another keychain), not as every account
    // removed: the list, whose groups, pins and order live nowhere else,
    // is left as it is, and the message says what to do.
    store.set_pinned(&other, true).expect("pinned");
    keychain.with(|s| s.items.clear());
    let list = dir.path().join("accounts.json");
    let before = std::fs::read(&list).expect("the list");
    let refusals = [
        open(dir.path(), &keychain)
            .load()
            .expect_err("a load refused"),
        open(dir.path(), &keychain)
            .list_accounts()
            .expect_err("a listing refused"),
    ];
    for error in refusals {
        assert_eq!(error.code(), "keychain_holds_none", "{error}");
        let said = error.to_string();
        assert!(
            said.contains("holds none of your 1 account") && said.contains("accounts.json"),
            "{said}"
        );
    }
    assert_eq!(std::fs::read(&list).expect("the list"), before, "untouched");
    // A window that has the accounts, told of a change to the list (here
    // a rename by hand), finds the item gone too: refused the same way.
    let renamed = String::from_utf8(before.clone())
        .expect("UTF-8")
        .replace("\"Bank\"", "\"Bank of Mars\"");
    std::fs::write(&list, &renamed).expect("written");
    let error = store.refresh().expect_err("refused");
    assert_eq!(error.code(), "keychain_holds_none", "{error}");
    assert_eq!(std::fs::read_to_string(&list).expect("the list"), renamed);
    // Emptied on purpose: without the list, Watchword starts afresh, also
    // a store that was refused before the file went (the app's "Try
    // again").
    let mut refused = open(dir.path(), &keychain);
    assert!(refused.load().is_err());
    std::fs::remove_file(&list).expect("removed");
    refused.load().expect("an empty keychain and no list");
    assert!(refused.summaries().is_empty());
    let mut fresh = open(dir.path(), &keychain);
    fresh.load().expect("an empty keychain and no list");
    assert!(fresh.summaries().is_empty());
}

// Found by a second reader: a new password the keychain would not take
// left the store without its keys but with every account read, so the
// screen lock and the idle lock (which lock only a store holding keys)
// passed it by while its codes were still given.
#[test]
fn a_password_change_the_keychain_refuses_leaves_the_store_lockable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut store = open(dir.path(), &keychain);
    let id = store
        .add(account("Bank", b"12345678901234567890"))
        .expect("added");
    store.turn_lock_on("first", FAST).expect("on");
    assert!(store.holds_vault_key());
    keychain.with(|s| {
        s.refuse_writes = true;
        s.problem = Some(KeychainProblem::Failed);
    });
    assert!(store.change_lock_password("first", "second", FAST).is_err());
    assert!(
        store.holds_vault_key(),
        "the keys are held while the accounts are"
    );
    store.lock_now();
    assert!(matches!(store.code(&id, 0), Err(Error::VaultLocked)));
    keychain.with(|s| s.refuse_writes = false);
    store
        .unlock("first")
        .expect("the old password still opens it");
    store.code(&id, 0).expect("a code once unlocked");
}

// Found by a second reader: a turn-on stopped after the lock's record was
// written (killed, or an item the keychain refused) did not touch the
// list, so a window that held the accounts in plain form (the lock was
// off) never looked again and went on giving codes.
#[test]
fn a_turn_on_stopped_partway_locks_the_windows_that_held_the_accounts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut window = open(dir.path(), &keychain);
    let id = window
        .add(account("Bank", b"12345678901234567890"))
        .expect("added");
    window
        .add(account("Shop", b"abcdefghijabcdefghij"))
        .expect("added");
    window.code(&id, 0).expect("a code, the lock off");
    let mut cli = open(dir.path(), &keychain);
    keychain.with(|s| {
        s.writes_left = Some(1);
        s.problem = Some(KeychainProblem::Failed);
    });
    assert!(
        cli.turn_lock_on("pw", FAST).is_err(),
        "stopped at the first item"
    );
    keychain.with(|s| s.writes_left = None);
    assert!(matches!(window.refresh(), Err(Error::VaultLocked)));
    assert!(matches!(window.code(&id, 0), Err(Error::VaultLocked)));
}

// Found by a second reader: a window that held the lock's keys when
// another process turned the lock off kept them, so at its next lock it
// asked for a password that no longer existed (and any text "opened" it).
#[test]
fn a_lock_turned_off_elsewhere_leaves_no_keys_behind() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut window = open(dir.path(), &keychain);
    let id = window
        .add(account("Bank", b"12345678901234567890"))
        .expect("added");
    window.turn_lock_on("pw", FAST).expect("on");
    assert!(window.holds_vault_key());
    open(dir.path(), &keychain)
        .turn_lock_off("pw")
        .expect("turned off by the CLI");
    assert!(window.refresh().expect("looked again"), "told as a change");
    assert!(!window.holds_vault_key(), "no keys for a lock that is off");
    assert!(!window.refresh().expect("looked again"), "told once");

    // Found first by a change made in the window (a pin), not by a look:
    // the next look still tells of it.
    window.turn_lock_on("pw", FAST).expect("on again");
    open(dir.path(), &keychain)
        .turn_lock_off("pw")
        .expect("turned off by the CLI");
    window.set_pinned(&id, true).expect("pinned");
    assert!(!window.holds_vault_key());
    assert!(window.refresh().expect("looked again"), "told as a change");
    assert!(!window.refresh().expect("looked again"), "told once");
    assert_eq!(
        window.lock_state().expect("the lock's state"),
        watchword_core::store::LockState::Off
    );
    window.code(&id, 0).expect("codes as before");
}

// Found by a second reader: the lock's item deleted by another tool (a
// keyring manager's clean-up) was taken for the lock turned off elsewhere.
// The window dropped its keys, and every sealed account (and the backup
// password) could never be read again.
#[test]
fn the_locks_item_deleted_behind_its_back_is_put_back_from_the_window() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut window = open(dir.path(), &keychain);
    let id = window
        .add(account("Bank", b"12345678901234567890"))
        .expect("added");
    window.turn_lock_on("pw", FAST).expect("on");
    let code = window.code(&id, 0).expect("unlocked").current;
    // The window unlocked afresh, as after a restart, then the item goes.
    window.lock_now();
    window.unlock("pw").expect("unlocked");
    let record = keychain.with(|s| s.items.get("watchword-vault").cloned());
    assert!(record.is_some(), "the lock is on");
    keychain.with(|s| s.items.remove("watchword-vault"));

    // Found by the next change made in the window (a look at the list
    // alone reads only the list's file, which did not change).
    window.set_pinned(&id, true).expect("pinned");
    assert!(window.holds_vault_key(), "the keys are kept");
    assert_eq!(
        keychain.with(|s| s.items.get("watchword-vault").cloned()),
        record,
        "the record is back as it was"
    );
    assert_eq!(window.code(&id, 0).expect("reads").current, code);
    // Another process unlocks with the same password and reads it.
    let mut cli = open(dir.path(), &keychain);
    cli.unlock("pw").expect("the same password");
    assert_eq!(cli.code(&id, 0).expect("reads").current, code);

    // Lost again, found this time by a full load (a backup, an export).
    keychain.with(|s| s.items.remove("watchword-vault"));
    assert_eq!(window.load().expect("loads").accounts, 1);
    assert!(keychain.with(|s| s.items.contains_key("watchword-vault")));

    // Lost while the window is locked (a second reader found that the
    // window locking first, at idle say, dropped the keys before anything
    // looked): the unlock puts it back, with the password.
    window.lock_now();
    keychain.with(|s| s.items.remove("watchword-vault"));
    // Still locked to the window, which shows its unlock screen; off to a
    // process that never held the keys.
    assert_eq!(
        window.lock_state().expect("state"),
        watchword_core::store::LockState::Locked
    );
    assert_eq!(
        open(dir.path(), &keychain).lock_state().expect("state"),
        watchword_core::store::LockState::Off
    );
    assert_eq!(
        window.unlock("wrong").expect_err("still a password").code(),
        "wrong_password"
    );
    assert!(!keychain.with(|s| s.items.contains_key("watchword-vault")));
    window.unlock("pw").expect("unlocked with its password");
    assert_eq!(
        keychain.with(|s| s.items.get("watchword-vault").cloned()),
        record
    );
    assert_eq!(window.code(&id, 0).expect("reads").current, code);

    // An item that opens with no key (damaged) stays sealed through a real
    // turn-off: that does not make the lock's item lost.
    let other = window
        .add(account("Shop", b"09876543210987654321"))
        .expect("added");
    keychain.with(|s| {
        let item = s.items.get_mut(other.as_str()).expect("sealed");
        item.truncate(item.len() - 8);
    });
    open(dir.path(), &keychain)
        .turn_lock_off("pw")
        .expect("turned off by the CLI");
    assert!(window.refresh().expect("looked again"), "told as a change");
    assert!(!window.holds_vault_key(), "the keys go with the lock");
    assert!(!keychain.with(|s| s.items.contains_key("watchword-vault")));
    window.set_pinned(&id, false).expect("unpinned");
    assert!(!keychain.with(|s| s.items.contains_key("watchword-vault")));
    assert_eq!(window.code(&id, 0).expect("plain again").current, code);

    // A lock turned on over an item still sealed with no lock on would
    // leave it under a key nothing names: refused, saying why.
    let mut cli = open(dir.path(), &keychain);
    let refused = cli.turn_lock_on("new", FAST).expect_err("refused");
    assert_eq!(refused.code(), "sealed_by_lost_lock");
    assert!(refused
        .to_string()
        .starts_with("1 keychain item(s) are still sealed"));
    assert!(!keychain.with(|s| s.items.contains_key("watchword-vault")));
    window.remove(&other).expect("the unreadable one removed");
    cli.turn_lock_on("new", FAST).expect("then it turns on");
}

// Found by a second reader: a delete that was done but answered with a
// failure (a lost reply) put the account back in the list, which then
// named an item that was gone.
#[test]
fn a_removal_answered_with_a_failure_is_judged_by_the_keychain() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keychain = FaultyKeychain::default();
    let mut store = open(dir.path(), &keychain);
    let id = store
        .add(account("Only", b"12345678901234567890"))
        .expect("added");
    keychain.with(|s| {
        s.delete_answers_failure = true;
        s.problem = Some(KeychainProblem::Failed);
    });
    store.remove(&id).expect("gone from the keychain: removed");
    keychain.with(|s| s.delete_answers_failure = false);
    assert!(store.summaries().is_empty());
    let mut fresh = open(dir.path(), &keychain);
    fresh.load().expect("no list naming a gone item");
    assert!(fresh.summaries().is_empty());
}
