//! The optional lock (issue 11) in the store, against the real OS keychain
//! (on Linux a Secret Service: run inside scripts/session.sh). Each test
//! uses its own service name and removes its items when done.

use watchword_core::account::{Account, AccountId, Group, Note, OtpKind};
use watchword_core::error::Error;
use watchword_core::store::keychain::{Keychain, VAULT_ID};
use watchword_core::store::{BackupError, LockState, Store};
use watchword_core::vault::{KdfParams, SEALED_PREFIX};
use watchword_core::Secret;

mod common;
use common::Scratch;

/// Cheap Argon2 for tests: the cost is not what is tested here.
const FAST: KdfParams = KdfParams {
    m_kib: 64,
    t: 1,
    p: 1,
};

const KEY: &[u8] = b"12345678901234567890";
/// KEY in base32, as an otpauth URI carries it.
const KEY_B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

/// Three accounts, one with a note, one counter-based.
fn seed(store: &mut Store) -> Vec<AccountId> {
    let mut hotp = Account::totp("Bank", "me", Secret::from_bytes(KEY.to_vec()));
    hotp.kind = OtpKind::Hotp { counter: 3 };
    let noted = Account::totp("Shop", "me", Secret::from_bytes(KEY.to_vec()))
        .with_note(Note::new("recovery: 7F3K-22QX").expect("fits"));
    [
        Account::totp("Mail", "me", Secret::from_bytes(vec![5; 20])),
        noted,
        hotp,
    ]
    .into_iter()
    .map(|account| store.add(account).expect("added"))
    .collect()
}

/// Every item of the service, raw, as any program of the user could read it.
fn raw_items(scratch: &Scratch) -> Vec<(String, String)> {
    let keychain = scratch.keychain();
    let mut items: Vec<(String, String)> = keychain
        .list()
        .expect("list")
        .into_iter()
        .map(|id| {
            let text = keychain.get(&id).expect("read").expect("there");
            (id, text)
        })
        .collect();
    items.sort();
    items
}

fn codes(store: &mut Store, ids: &[AccountId]) -> Vec<String> {
    ids.iter()
        .map(|id| store.code(id, 1_000_000_000).expect("a code").current)
        .collect()
}

#[test]
fn with_the_lock_on_the_keychain_holds_no_key_and_nothing_reads_without_the_password() {
    let scratch = Scratch::new("lock", "on");
    let mut store = scratch.open();
    let ids = seed(&mut store);
    let before = codes(&mut store, &ids);
    assert_eq!(store.lock_state().expect("state"), LockState::Off);
    assert!(!store.holds_vault_key());
    // The check below can fail: before the lock, the keys are there.
    assert!(raw_items(&scratch)
        .iter()
        .any(|(_, text)| text.contains(KEY_B32)));

    store.turn_lock_on("correct horse", FAST).expect("on");
    assert_eq!(store.lock_state().expect("state"), LockState::Unlocked);
    // What the screen locking asks, without the keychain.
    assert!(store.holds_vault_key());
    let items = raw_items(&scratch);
    assert_eq!(items.len(), 4, "three accounts and the lock's item");
    for (id, text) in &items {
        assert!(!text.contains(KEY_B32) && !text.contains("otpauth"), "{id}");
        assert!(!text.contains("7F3K"), "{id}");
        if id != VAULT_ID {
            assert!(text.starts_with(SEALED_PREFIX), "{id}");
        }
    }
    let status = store.lock_status().expect("status");
    assert_eq!(
        (status.items, status.sealed, status.rekeying),
        (3, 3, false)
    );
    assert_eq!(status.kdf, Some(FAST));
    // This process holds the key: codes as before.
    assert_eq!(codes(&mut store, &ids), before);

    // Another process: the list's names, and nothing else.
    let meta_before =
        std::fs::read_to_string(scratch.config.data_dir.join("accounts.json")).expect("metadata");
    let mut other = scratch.open();
    assert_eq!(other.lock_state().expect("state"), LockState::Locked);
    assert!(!other.holds_vault_key());
    assert!(matches!(other.load(), Err(Error::VaultLocked)));
    assert!(matches!(other.code(&ids[0], 0), Err(Error::VaultLocked)));
    assert!(matches!(
        other.next_code(&ids[2], 0),
        Err(Error::VaultLocked)
    ));
    assert!(matches!(other.note(&ids[1]), Err(Error::VaultLocked)));
    assert!(matches!(
        other.change_groups(&ids[0], |mut groups| {
            groups.push(Group::new("Work").expect("a group"));
            groups
        }),
        Err(Error::VaultLocked)
    ));
    assert!(matches!(other.remove(&ids[1]), Err(Error::VaultLocked)));
    assert_eq!(other.summaries().len(), 3);
    assert!(matches!(
        other.turn_off_auto_backup(),
        Err(BackupError::Store(Error::VaultLocked))
    ));
    let meta_after =
        std::fs::read_to_string(scratch.config.data_dir.join("accounts.json")).expect("metadata");
    assert_eq!(meta_before, meta_after, "a locked store changes nothing");

    assert!(matches!(
        other.unlock("wrong horse"),
        Err(Error::WrongLockPassword)
    ));
    other.unlock("correct horse").expect("unlocks");
    assert_eq!(codes(&mut other, &ids), before);
    assert_eq!(
        other
            .note(&ids[1])
            .expect("read")
            .as_ref()
            .map(Note::expose),
        Some("recovery: 7F3K-22QX")
    );
    // Written while unlocked: sealed too.
    let added = other
        .add(Account::totp("New", "me", Secret::from_bytes(vec![9; 20])))
        .expect("added");
    let text = scratch
        .keychain()
        .get(added.as_str())
        .expect("read")
        .expect("there");
    assert!(text.starts_with(SEALED_PREFIX), "{text}");
    // Locked again: the keys and the accounts are gone from the store.
    assert!(other.holds_vault_key());
    other.lock_now();
    assert!(!other.holds_vault_key());
    assert!(matches!(other.code(&ids[0], 0), Err(Error::VaultLocked)));

    // Off again: plain items that any version reads, and no lock item.
    assert!(matches!(
        store.turn_lock_off("wrong"),
        Err(Error::WrongLockPassword)
    ));
    store.turn_lock_off("correct horse").expect("off");
    let items = raw_items(&scratch);
    assert!(items.iter().all(|(id, _)| id != VAULT_ID));
    assert!(items
        .iter()
        .all(|(_, text)| text.starts_with("otpauth://") || text.starts_with("{\"v\":1")));
    let mut fresh = scratch.open();
    assert_eq!(fresh.lock_state().expect("state"), LockState::Off);
    assert_eq!(codes(&mut fresh, &ids), before);
    assert!(matches!(fresh.turn_lock_off("x"), Err(Error::LockOff)));
}

#[test]
fn a_password_change_reseals_everything_and_a_stale_key_is_refused() {
    let scratch = Scratch::new("lock", "password");
    let mut store = scratch.open();
    let ids = seed(&mut store);
    let before = codes(&mut store, &ids);
    store.turn_lock_on("first", FAST).expect("on");
    assert!(matches!(
        store.turn_lock_on("again", FAST),
        Err(Error::LockAlreadyOn)
    ));
    // A window unlocked with the first password...
    let mut window = scratch.open();
    window.unlock("first").expect("unlocks");
    window.load().expect("loads");
    let key_before: Vec<String> = raw_items(&scratch)
        .into_iter()
        .filter(|(id, _)| id != VAULT_ID)
        .map(|(_, text)| {
            text[SEALED_PREFIX.len()..]
                .split(':')
                .next()
                .expect("key id")
                .to_owned()
        })
        .collect();

    assert!(matches!(
        store.change_lock_password("wrong", "second", FAST),
        Err(Error::WrongLockPassword)
    ));
    store
        .change_lock_password("first", "second", FAST)
        .expect("changed");
    let status = store.lock_status().expect("status");
    assert_eq!(
        (status.items, status.sealed, status.rekeying),
        (3, 3, false)
    );
    // Every item under a new key.
    for (id, text) in raw_items(&scratch) {
        if id != VAULT_ID {
            let key = text[SEALED_PREFIX.len()..]
                .split(':')
                .next()
                .expect("key id");
            assert!(
                !key_before.iter().any(|old| old == key),
                "{id} still under the old key"
            );
        }
    }
    let mut fresh = scratch.open();
    assert!(matches!(
        fresh.unlock("first"),
        Err(Error::WrongLockPassword)
    ));
    fresh.unlock("second").expect("unlocks");
    assert_eq!(codes(&mut fresh, &ids), before);

    // ...holds a key the lock no longer names: it may not read or write.
    assert!(matches!(
        window.next_code(&ids[2], 0),
        Err(Error::VaultLocked)
    ));
    assert!(matches!(
        window.rename(&ids[0], "Mail", "x"),
        Err(Error::VaultLocked)
    ));
    assert_eq!(window.lock_state().expect("state"), LockState::Locked);
    window.unlock("second").expect("unlocks again");
    window.rename(&ids[0], "Mail", "x").expect("renamed");
}

/// An unlock derives its key without the store's lock held (half a second
/// of Argon2 in the app): a password changed by another process in that
/// time must not let the old password through, and the new one must work.
#[test]
fn an_unlock_racing_a_password_change_is_judged_by_the_lock_as_it_ends() {
    let scratch = Scratch::new("lock", "race");
    let mut store = scratch.open();
    let ids = seed(&mut store);
    let before = codes(&mut store, &ids);
    store.turn_lock_on("first", FAST).expect("on");

    let mut window = scratch.open();
    let outcome = window.unlock_racing("first", |try_| {
        if try_ > 0 {
            return;
        }
        let mut cli = scratch.open();
        cli.change_lock_password("first", "second", FAST)
            .expect("changed meanwhile");
    });
    assert!(
        matches!(outcome, Err(Error::WrongLockPassword)),
        "the old password unlocked a lock whose password had changed: {outcome:?}"
    );
    assert_eq!(window.lock_state().expect("state"), LockState::Locked);

    // The new password, changed again meanwhile: the third is asked for.
    let outcome = window.unlock_racing("second", |try_| {
        if try_ > 0 {
            return;
        }
        let mut cli = scratch.open();
        cli.change_lock_password("second", "third", FAST)
            .expect("changed meanwhile");
    });
    assert!(matches!(outcome, Err(Error::WrongLockPassword)));

    // Changed meanwhile to the password being tried: it unlocks, with the
    // lock's keys as they are now.
    let outcome = window.unlock_racing("third", |try_| {
        if try_ > 0 {
            return;
        }
        let mut cli = scratch.open();
        cli.change_lock_password("third", "third", FAST)
            .expect("rekeyed meanwhile");
    });
    outcome.expect("unlocks");
    assert_eq!(window.lock_state().expect("state"), LockState::Unlocked);
    assert_eq!(codes(&mut window, &ids), before);

    // Turned off meanwhile: said so, nothing held.
    let mut other = scratch.open();
    let outcome = window.unlock_racing("third", |try_| {
        if try_ > 0 {
            return;
        }
        other.turn_lock_off("third").expect("off meanwhile");
    });
    assert!(matches!(outcome, Err(Error::LockOff)), "{outcome:?}");
    assert_eq!(codes(&mut window, &ids), before);

    // Rekeyed again at every try: the unlock stops, and says why.
    let mut store = scratch.open();
    store.turn_lock_on("fourth", FAST).expect("on");
    let mut tries = 0;
    let outcome = window.unlock_racing("fourth", |_| {
        tries += 1;
        let mut cli = scratch.open();
        cli.change_lock_password("fourth", "fourth", FAST)
            .expect("rekeyed meanwhile");
    });
    assert!(
        matches!(outcome, Err(Error::LockKeptChanging)),
        "{outcome:?}"
    );
    assert_eq!(tries, 4, "a bounded number of tries");
    assert_eq!(window.lock_state().expect("state"), LockState::Locked);
    window.unlock("fourth").expect("unlocks once left alone");
}

#[test]
fn an_interrupted_lock_on_reads_in_both_forms_and_the_next_unlock_finishes_it() {
    let scratch = Scratch::new("lock", "interrupted");
    let mut store = scratch.open();
    let ids = seed(&mut store);
    let before = codes(&mut store, &ids);
    // Plain items kept aside, then the lock turned on...
    let plain = raw_items(&scratch);
    store.turn_lock_on("pw", FAST).expect("on");
    // ...and one item put back as a `lock on` killed half-way leaves it.
    let (id, text) = &plain[0];
    scratch
        .keychain()
        .set(id, text, "Watchword: Mail (me)")
        .expect("write");
    let status = store.lock_status().expect("status");
    assert_eq!((status.items, status.sealed), (3, 2));
    // The lock is on: even the plain item waits for the password.
    let mut other = scratch.open();
    assert!(matches!(other.load(), Err(Error::VaultLocked)));
    other.unlock("pw").expect("unlocks");
    assert_eq!(codes(&mut other, &ids), before);
    // The unlock sealed what was left.
    let status = other.lock_status().expect("status");
    assert_eq!((status.items, status.sealed), (3, 3));
    assert!(!raw_items(&scratch)
        .iter()
        .any(|(_, text)| text.contains(KEY_B32)));
}

#[test]
fn a_damaged_lock_item_is_named_and_nothing_is_overwritten() {
    let scratch = Scratch::new("lock", "damaged");
    let mut store = scratch.open();
    let ids = seed(&mut store);
    store.turn_lock_on("pw", FAST).expect("on");
    let sealed = raw_items(&scratch);
    let record = scratch
        .keychain()
        .get(VAULT_ID)
        .expect("read")
        .expect("there");
    for damage in [
        "not json",
        &record.replacen("\"key\":\"", "\"key\":\"AAAA", 1),
    ] {
        scratch
            .keychain()
            .set(VAULT_ID, damage, "lock")
            .expect("damaged");
        let mut other = scratch.open();
        let refused = other.unlock("pw").expect_err("damaged");
        assert!(matches!(refused, Error::VaultDamaged(_)), "{refused:?}");
        assert!(refused.to_string().contains("damaged"), "{refused}");
        assert!(matches!(
            other.load(),
            Err(Error::VaultDamaged(_)) | Err(Error::VaultLocked)
        ));
        assert!(other.code(&ids[0], 0).is_err());
        // Every item as it was.
        let now: Vec<_> = raw_items(&scratch)
            .into_iter()
            .filter(|(id, _)| id != VAULT_ID)
            .collect();
        let was: Vec<_> = sealed
            .iter()
            .filter(|(id, _)| id != VAULT_ID)
            .cloned()
            .collect();
        assert_eq!(now, was);
    }
    // Put back, all reads again.
    scratch
        .keychain()
        .set(VAULT_ID, &record, "lock")
        .expect("restored");
    let mut other = scratch.open();
    other.unlock("pw").expect("unlocks");
    other.load().expect("loads");
}

#[test]
fn an_item_that_would_not_fit_once_sealed_is_named_before_anything_changes() {
    let scratch = Scratch::new("lock", "long");
    let mut store = scratch.open();
    let ids = seed(&mut store);
    // Fits in plain form (1 KiB of note), not sealed (a third longer).
    let long = "n".repeat(1000);
    store
        .set_note(&ids[0], Note::new(&long).expect("fits"))
        .expect("saved");
    let before = raw_items(&scratch);
    let refused = store
        .turn_lock_on("pw", FAST)
        .expect_err("too long once sealed");
    assert!(
        refused
            .to_string()
            .starts_with("the note of Mail (me) does not fit"),
        "{refused}"
    );
    assert_eq!(raw_items(&scratch), before, "nothing changed");
    assert_eq!(store.lock_state().expect("state"), LockState::Off);
    // Shortened, it goes on; a note written while on must fit sealed too.
    store
        .set_note(&ids[0], Note::new("short").expect("fits"))
        .expect("saved");
    store.turn_lock_on("pw", FAST).expect("on");
    let refused = store
        .set_note(&ids[0], Note::new(&long).expect("fits"))
        .expect_err("too long once sealed");
    assert!(refused.to_string().contains("does not fit"), "{refused}");
    assert_eq!(
        store
            .note(&ids[0])
            .expect("read")
            .as_ref()
            .map(Note::expose),
        Some("short")
    );
}

#[test]
fn a_window_open_when_another_process_turns_the_lock_on_drops_what_it_read() {
    let scratch = Scratch::new("lock", "elsewhere");
    let mut window = scratch.open();
    let ids = seed(&mut window);
    window.load().expect("loads");
    assert!(window.code(&ids[0], 0).is_ok());
    scratch
        .open()
        .turn_lock_on("pw", FAST)
        .expect("on elsewhere");
    assert!(matches!(window.refresh(), Err(Error::VaultLocked)));
    assert!(matches!(window.code(&ids[0], 0), Err(Error::VaultLocked)));
    window.unlock("pw").expect("unlocks");
    assert!(window.code(&ids[0], 0).is_ok());

    // Found by a change of the window's that needs no key (a pin) before
    // its next look: the change is refused, the window's store locks, and
    // its next look says so, once.
    window.refresh().expect("nothing new");
    let mut elsewhere = scratch.open();
    elsewhere.unlock("pw").expect("unlocks elsewhere");
    elsewhere
        .change_lock_password("pw", "new pw", FAST)
        .expect("changed elsewhere");
    assert!(matches!(
        window.set_pinned(&ids[1], true),
        Err(Error::VaultLocked)
    ));
    assert!(matches!(window.code(&ids[0], 0), Err(Error::VaultLocked)));
    assert!(matches!(window.refresh(), Err(Error::VaultLocked)));
    assert!(matches!(window.refresh(), Ok(false)));
    assert!(window.summaries().iter().all(|summary| !summary.pinned));
    window
        .unlock("new pw")
        .expect("unlocks with the new password");
    assert!(window.code(&ids[0], 0).is_ok());
}

/// The screen locks while the window waits for another process's change
/// (an import, say, holding the store's lock for many seconds): the lock
/// must not wait behind it with the keys in memory. Asked for through the
/// store's `LockCall`, the waiting change gives up at once as locked, and
/// changes nothing; with the lock off the same call stops nothing.
#[test]
fn a_change_waiting_on_another_process_gives_way_to_a_lock() {
    use std::fs::OpenOptions;
    use watchword_core::store::lock::{LockCall, FILE_NAME};

    let scratch = Scratch::new("lock", "gives-way");
    let mut window = scratch.open();
    let call = LockCall::default();
    window.hear_lock_calls(call.clone());
    let ids = seed(&mut window);
    let hold = || {
        // Another process's change under way: the store's lock, held.
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(scratch.config.data_dir.join(FILE_NAME))
            .expect("the lock file");
        file.lock().expect("held");
        file
    };

    // Lock off: asked or not, the change waits its turn and is made.
    let held = hold();
    call.ask();
    std::thread::scope(|s| {
        let renaming = s.spawn(|| window.rename(&ids[0], "Mail", "first"));
        drop(held);
        renaming
            .join()
            .expect("no panic")
            .expect("renamed once free");
    });

    // Lock on and open: the waiting change gives way.
    window.turn_lock_on("pw", FAST).expect("on");
    assert!(!call.asked(), "keys taken afresh answer an older call");
    let held = hold();
    call.ask();
    let outcome = std::thread::scope(|s| {
        s.spawn(|| window.rename(&ids[0], "Mail", "second"))
            .join()
            .expect("no panic")
    });
    assert!(
        matches!(outcome, Err(Error::VaultLocked)),
        "expected VaultLocked at once, got {outcome:?}"
    );
    // The lock that follows answers the call, and the change was not made.
    window.lock_now();
    assert!(!call.asked());
    drop(held);
    window.unlock("pw").expect("unlocks");
    let names: Vec<String> = window
        .summaries()
        .into_iter()
        .map(|summary| summary.name)
        .collect();
    assert!(names.contains(&"first".to_owned()), "{names:?}");
    assert!(!names.contains(&"second".to_owned()), "{names:?}");
}
