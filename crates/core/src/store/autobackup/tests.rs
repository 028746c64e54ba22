use super::files::write_new;
use super::versions::{parse_name, prune};
use super::*;
use crate::account::{AccountId, Algorithm, OtpKind};
use crate::secret::Secret;
use crate::store::keychain::{Keychain, MemoryKeychain};

/// The tag of the installation the tests back up as.
const TAG: &str = "0a1b2c3d";

fn account(n: u32) -> Account {
    let key = format!("key of account number {n:05}");
    Account::new(
        &format!("Issuer {n}"),
        "me@example.com",
        Secret::from_bytes(key.into_bytes()),
        Algorithm::Sha256,
        8,
        OtpKind::Totp { period: 60 },
    )
    .expect("a valid account")
}

/// A store on an in-memory keychain with automatic backups set up
/// (password "pw", keeping `keep`), and what it stands on.
struct Backed {
    data: tempfile::TempDir,
    folder: tempfile::TempDir,
    keychain: MemoryKeychain,
    store: Store,
}

impl Backed {
    fn new(keep: u32) -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let folder = tempfile::tempdir().expect("temp dir");
        let keychain = MemoryKeychain::default();
        let mut store = reopen(&data, &keychain);
        store
            .set_up_auto_backup(folder.path(), keep, "pw", 1_796_164_200)
            .expect("setup");
        Self {
            data,
            folder,
            keychain,
            store,
        }
    }
}

/// The store of `data` opened again on `keychain`, as the next process
/// (or one that came meanwhile) opens it.
fn reopen(data: &tempfile::TempDir, keychain: &MemoryKeychain) -> Store {
    Store::with_keychain(data.path(), Box::new(keychain.clone())).expect("store")
}

/// The ids of the store's accounts, in the list's order.
fn ids_of(store: &Store) -> Vec<AccountId> {
    store
        .summaries()
        .iter()
        .filter_map(|s| AccountId::parse(&s.id))
        .collect()
}

fn names(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn names_are_utc_and_parse_back_in_order() {
    // 2026-12-01 22:30:15 UTC; 2000-02-29 (a leap day) 00:00:00.
    assert_eq!(
        file_name(1_796_164_215, 1, Some(TAG)),
        "watchword-backup-20261201-223015.0a1b2c3d.json"
    );
    assert_eq!(
        file_name(951_782_400, 3, Some(TAG)),
        "watchword-backup-20000229-000000-3.0a1b2c3d.json"
    );
    // Names from before tags.
    assert_eq!(
        file_name(0, 1, None),
        "watchword-backup-19700101-000000.json"
    );
    assert_eq!(format_utc(1_796_164_215), "2026-12-01 22:30:15 UTC");
    let a = parse_name(&file_name(1_796_164_215, 1, None)).expect("ours");
    let b = parse_name(&file_name(1_796_164_215, 2, Some(TAG))).expect("ours");
    let c = parse_name(&file_name(1_796_164_215, 10, Some("ffffffff"))).expect("ours");
    let d = parse_name(&file_name(1_796_164_216, 1, Some(TAG))).expect("ours");
    assert!(a < b && b < c && c < d);
    for other in [
        "watchword-backup-20261201-223015.json.tmp",
        "watchword-backup-20261201-22301.json",
        "watchword-backup-20261201-223015-1.json",
        "watchword-backup-20261201-223015-02.json",
        "watchword-backup-2026120a-223015.json",
        "watchword-backup-20261201-223015.0A1B2C3D.json",
        "watchword-backup-20261201-223015.0a1b2c3.json",
        "watchword-backup-20261201-223015.0a1b2c3d.x.json",
        "watchword-backup-20261201-223015-2-0a1b2c3d.json",
        "watchword-backup-latest.json",
        "notes.json",
    ] {
        assert_eq!(parse_name(other), None, "{other}");
    }
}

#[test]
fn names_taken_within_one_second_get_a_suffix() {
    let folder = tempfile::tempdir().expect("temp dir");
    for _ in 0..3 {
        write_new(folder.path(), TAG, "{}", 1_796_164_215).expect("written");
    }
    assert_eq!(
        names(folder.path()),
        [
            "watchword-backup-20261201-223015-2.0a1b2c3d.json",
            "watchword-backup-20261201-223015-3.0a1b2c3d.json",
            "watchword-backup-20261201-223015.0a1b2c3d.json",
        ]
    );
    // The first pruned: the next of that second still sorts as the newest
    // (it once took the freed name, and sorted as the oldest).
    std::fs::remove_file(
        folder
            .path()
            .join("watchword-backup-20261201-223015.0a1b2c3d.json"),
    )
    .expect("pruned");
    let newest = write_new(folder.path(), TAG, "{}", 1_796_164_215).expect("written");
    assert_eq!(
        newest.file_name().and_then(|n| n.to_str()),
        Some("watchword-backup-20261201-223015-4.0a1b2c3d.json")
    );
    assert_eq!(
        versions_newest_first(folder.path(), Some(TAG)).expect("listed")[0],
        newest
    );
}

#[test]
fn pruning_keeps_the_newest_and_never_touches_other_files() {
    let folder = tempfile::tempdir().expect("temp dir");
    let accounts = [account(1)];
    for second in 0..5 {
        back_up(
            folder.path(),
            TAG,
            3,
            &accounts,
            "pw",
            1_796_164_200 + second,
        )
        .expect("backup");
    }
    std::fs::write(folder.path().join("notes.json"), "mine").expect("other file");
    std::fs::write(folder.path().join("watchword-backup-old.json"), "mine").expect("other");
    back_up(folder.path(), TAG, 3, &accounts, "pw", 1_796_164_209).expect("backup");
    assert_eq!(
        names(folder.path()),
        [
            "notes.json",
            "watchword-backup-20261201-223003.0a1b2c3d.json",
            "watchword-backup-20261201-223004.0a1b2c3d.json",
            "watchword-backup-20261201-223009.0a1b2c3d.json",
            "watchword-backup-old.json",
        ]
    );
}

/// A restore from a folder another computer shares, under its own
/// password, with more and newer backups than the tries allowed for a
/// wrong password: each installation's backups have their own tries, so
/// this one's are still found; a name dated far ahead is tried last.
#[test]
fn a_restore_finds_this_password_among_another_computers_newer_backups() {
    let folder = tempfile::tempdir().expect("temp dir");
    let mine = back_up(folder.path(), TAG, 20, &[account(1)], "pw", 1_796_164_100).expect("backup");
    for second in 0..6 {
        back_up(
            folder.path(),
            "ffffffff",
            20,
            &[account(2)],
            "theirs",
            1_796_164_200 + second,
        )
        .expect("backup");
    }
    back_up(
        folder.path(),
        "eeeeeeee",
        20,
        &[account(3)],
        "planted",
        4_000_000_000,
    )
    .expect("backup");
    let found = find_restorable(folder.path(), "pw", None).expect("this computer's backup");
    assert_eq!(found.file, mine);
    assert_eq!(found.accounts, [account(1)]);
    // The far-future one comes last, after this computer's was found: it
    // was not tried at all.
    assert!(
        found
            .skipped
            .iter()
            .all(|s| !s.file.to_string_lossy().contains("eeeeeeee")),
        "{:?}",
        found.skipped
    );
}

/// Told which installation it is, a restore (and "Restore the newest")
/// tries that one's backups first: another computer's newer ones in a
/// shared folder are not even tried, nor offered first.
#[test]
fn a_restore_tries_this_installations_backups_first() {
    let folder = tempfile::tempdir().expect("temp dir");
    let mine = back_up(folder.path(), TAG, 20, &[account(1)], "pw", 1_796_164_100).expect("backup");
    let theirs = back_up(
        folder.path(),
        "ffffffff",
        20,
        &[account(2)],
        "theirs",
        1_796_164_200,
    )
    .expect("backup");
    let found = find_restorable(folder.path(), "pw", Some(TAG)).expect("this computer's backup");
    assert_eq!(found.file, mine);
    assert!(found.skipped.is_empty(), "{:?}", found.skipped);
    assert_eq!(
        versions_newest_first(folder.path(), Some(TAG)).expect("listed"),
        [mine.clone(), theirs.clone()]
    );
    // Not told (a new computer restoring): the newest there first.
    assert_eq!(
        versions_newest_first(folder.path(), None).expect("listed"),
        [theirs, mine]
    );
}

/// Two computers backing up to one synced folder each prune only their
/// own backups (and those from before names carried a tag): once, one
/// that changed often pruned the other's only copies. Names dated more
/// than a day ahead are neither counted nor removed, so files put there
/// (or a clock once ahead) cannot push the real backups out.
#[test]
fn pruning_leaves_another_installations_backups_and_far_future_names_alone() {
    let folder = tempfile::tempdir().expect("temp dir");
    let accounts = [account(1)];
    let at = |tag, keep, unix_seconds| {
        back_up(folder.path(), tag, keep, &accounts, "pw", unix_seconds).expect("backup")
    };
    for second in 0..3 {
        at("ffffffff", 2, 1_796_164_100 + second);
    }
    // From before tags (this computer's, or another's still on an older
    // Watchword): kept to their own newest two.
    for second in 0..3 {
        std::fs::write(
            folder
                .path()
                .join(file_name(1_796_164_150 + second, 1, None)),
            "{}",
        )
        .expect("a backup from before tags");
    }
    at(TAG, 2, 1_900_000_000);
    for second in 0..4 {
        at(TAG, 2, 1_796_164_200 + second);
    }
    assert_eq!(
        names(folder.path()),
        [
            "watchword-backup-20261201-222821.ffffffff.json",
            "watchword-backup-20261201-222822.ffffffff.json",
            "watchword-backup-20261201-222911.json",
            "watchword-backup-20261201-222912.json",
            "watchword-backup-20261201-223002.0a1b2c3d.json",
            "watchword-backup-20261201-223003.0a1b2c3d.json",
            "watchword-backup-20300317-174640.0a1b2c3d.json",
        ]
    );
}

#[test]
fn a_restore_passes_over_plain_files_and_ones_that_do_not_open() {
    let folder = tempfile::tempdir().expect("temp dir");
    let good = back_up(folder.path(), TAG, 5, &[account(1)], "pw", 1_796_164_200).expect("backup");
    // Newer: one that does not open with "pw" (as a damaged key slot
    // would not), and a plain list someone put there.
    back_up(folder.path(), TAG, 5, &[account(2)], "other", 1_796_164_201).expect("backup");
    std::fs::write(
        folder.path().join(file_name(1_796_164_202, 1, Some(TAG))),
        "otpauth://totp/Planted?secret=JBSWY3DPEHPK3PXP\n",
    )
    .expect("plant");
    let found = find_restorable(folder.path(), "pw", None).expect("the good one");
    assert_eq!(found.file, good);
    assert_eq!(found.accounts, [account(1)]);
    let reasons: Vec<&str> = found.skipped.iter().map(|s| s.reason.as_str()).collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[0].contains("not encrypted"), "{reasons:?}");
    assert!(reasons[1].contains("does not open"), "{reasons:?}");
    // A password none opens is the problem, not the files.
    assert!(matches!(
        find_restorable(folder.path(), "neither", None),
        Err(BackupError::WrongPassword(_))
    ));
    // The window's "Restore the newest" passes the planted list over as
    // well (it once previewed its accounts, no password asked), and takes
    // the encrypted ones to the preview.
    let planted = folder.path().join(file_name(1_796_164_202, 1, Some(TAG)));
    let passed_over = restorable_input(&planted).expect_err("a plain list");
    assert!(passed_over.contains("not encrypted"), "{passed_over}");
    assert!(matches!(
        restorable_input(&good),
        Ok(crate::enrol::Input::Locked(_))
    ));
}

#[test]
fn the_backup_just_made_stays_whatever_the_folder_holds() {
    let folder = tempfile::tempdir().expect("temp dir");
    let accounts = [account(1)];
    // Named later than now: a clock once ahead, or another computer.
    for second in 0..3 {
        back_up(
            folder.path(),
            TAG,
            3,
            &accounts,
            "pw",
            1_900_000_000 + second,
        )
        .expect("backup");
    }
    let made = back_up(folder.path(), TAG, 3, &accounts, "pw", 1_796_164_200).expect("backup");
    assert!(made.exists(), "the verified backup was pruned");
    // A keep of 0 (a hand-edited file) still keeps the new one.
    let made = back_up(folder.path(), TAG, 0, &accounts, "pw", 1_796_164_201).expect("backup");
    assert!(made.exists(), "keep 0 pruned everything");
}

#[test]
fn a_backup_that_does_not_verify_is_removed_and_nothing_is_pruned() {
    let folder = tempfile::tempdir().expect("temp dir");
    let accounts = [account(1), account(2)];
    for second in 0..2 {
        back_up(
            folder.path(),
            TAG,
            1,
            &accounts,
            "pw",
            1_796_164_200 + second,
        )
        .expect("backup");
    }
    let before = names(folder.path());
    assert_eq!(before.len(), 1);
    // A vault that holds one account fewer than the store does.
    let vault = export::aegis_encrypted(&accounts[..1], "pw").expect("vault");
    let err = write_verify_prune(
        folder.path(),
        TAG,
        (1, None),
        &vault,
        &accounts,
        "pw",
        1_796_164_300,
    )
    .expect_err("a mismatch");
    assert_eq!(err.code(), ErrorCode::BackupVerifyFailed);
    assert!(err.to_string().contains("1 accounts instead of 2"), "{err}");
    assert_eq!(names(folder.path()), before);
    // Garbage, and a vault under another password, fail the same way.
    for (vault, password) in [("not a vault", "pw"), (vault.as_str(), "other")] {
        let err = write_verify_prune(
            folder.path(),
            TAG,
            (1, None),
            vault,
            &accounts,
            password,
            1_796_164_400,
        )
        .expect_err("unreadable");
        assert_eq!(err.code(), ErrorCode::BackupVerifyFailed);
        assert_eq!(names(folder.path()), before);
    }
}

#[test]
fn changes_coalesce_into_one_backup_and_the_mark_survives_the_process() {
    let Backed {
        data,
        folder,
        keychain,
        mut store,
    } = Backed::new(20);
    assert_eq!(count_versions(folder.path()), 1);
    assert!(!store.backup_pending());
    store.add_all((0..300).map(account)).expect("imported");
    assert!(store.backup_pending());
    // Another process (a new store) sees the mark: written with the change.
    let mut other = reopen(&data, &keychain);
    assert!(other.backup_pending());
    let file = other
        .run_pending_backup(1_796_164_210)
        .expect("backup")
        .expect("one was pending");
    assert_eq!(count_versions(folder.path()), 2);
    // The setup's backup and the other process's carry one tag: this
    // installation's, kept with the settings.
    let tags: Vec<String> = names(folder.path())
        .iter()
        .filter_map(|name| name.rsplit('.').nth(1).map(str::to_owned))
        .collect();
    assert_eq!(tags.len(), 2, "{tags:?}");
    assert!(tags[0].len() == 8 && tags[0] == tags[1], "{tags:?}");
    assert_eq!(read_backup(&file, "pw").expect("reads").accounts.len(), 300);
    // Nothing pending any more, in either store.
    assert_eq!(store.run_pending_backup(1_796_164_220).expect("ok"), None);
    assert_eq!(count_versions(folder.path()), 2);
    let status = store.auto_backup_status().expect("status");
    assert!(!status.pending);
    assert_eq!(status.last_good, Some(1_796_164_210));
    assert_eq!(store.backup_status().last_backup, Some(1_796_164_210));
    // A rename, a removal and an HOTP step are changes too.
    let ids = ids_of(&store);
    store.rename(&ids[0], "Renamed", "me").expect("renamed");
    assert!(store.backup_pending());
    store.run_pending_backup(1_796_164_230).expect("backup");
    store.remove(&ids[1]).expect("removed");
    assert!(store.backup_pending());
    store.run_pending_backup(1_796_164_240).expect("backup");
    let hotp = Account::new(
        "Counter",
        "",
        Secret::from_bytes(b"an hotp key".to_vec()),
        Algorithm::Sha1,
        6,
        OtpKind::Hotp { counter: 4 },
    )
    .expect("valid");
    let id = store.add(hotp).expect("added");
    store.run_pending_backup(1_796_164_250).expect("backup");
    assert!(!store.backup_pending());
    store.next_code(&id, 0).expect("a code");
    assert!(store.backup_pending());
    let file = store
        .run_pending_backup(1_796_164_260)
        .expect("backup")
        .expect("pending");
    let backed_up = read_backup(&file, "pw").expect("reads").accounts;
    assert_eq!(backed_up.len(), 300);
    assert!(backed_up.iter().any(|a| a.issuer == "Renamed"));
    assert!(backed_up
        .iter()
        .any(|a| a.kind == OtpKind::Hotp { counter: 5 }));
    // A note and a group are changes too, and the backup carries them.
    let note = crate::account::Note::new("recovery 7F3K-22QX").expect("fits");
    store.set_note(&ids[2], note).expect("noted");
    assert!(store.backup_pending(), "a note is backed up");
    store.run_pending_backup(1_796_164_270).expect("backup");
    let work = crate::account::Group::new("Work").expect("a name");
    store
        .change_groups(&ids[3], |_| vec![work.clone()])
        .expect("grouped");
    assert!(store.backup_pending(), "a group is backed up");
    let file = store
        .run_pending_backup(1_796_164_280)
        .expect("backup")
        .expect("pending");
    let backed_up = read_backup(&file, "pw").expect("reads").accounts;
    assert!(backed_up.iter().any(|a| a
        .note
        .as_ref()
        .is_some_and(|n| n.expose() == "recovery 7F3K-22QX")));
    assert!(backed_up.iter().any(|a| a.groups == [work.clone()]));
    // The password item is no account.
    assert_eq!(store.list_accounts().expect("list").len(), 300);
    assert!(store.load().expect("load").damaged.is_empty());
}

/// An account whose item cannot be read is in no new backup: while it
/// stays so, no older backup (which may be its only copy) is pruned; once
/// it reads again, pruning resumes.
#[test]
fn while_an_account_cannot_be_read_no_older_backup_is_pruned() {
    let Backed {
        data,
        folder,
        keychain,
        mut store,
    } = Backed::new(2);
    store.add_all((0..3).map(account)).expect("added");
    let holding_all = store
        .run_pending_backup(1_796_164_210)
        .expect("backup")
        .expect("pending");
    let ids = ids_of(&store);
    // Its item damaged (as a newer Watchword's record would read here).
    let item = keychain.get(ids[0].as_str()).expect("get").expect("held");
    keychain
        .set(ids[0].as_str(), "{\"v\":9}", "damaged")
        .expect("set");
    let mut store = reopen(&data, &keychain);
    assert_eq!(store.load().expect("load").damaged.len(), 1);
    for (n, at) in [1_796_164_220, 1_796_164_230, 1_796_164_240]
        .into_iter()
        .enumerate()
    {
        store
            .rename(&ids[1], &format!("Renamed {n}"), "me")
            .expect("renamed");
        let file = store
            .run_pending_backup(at)
            .expect("backup")
            .expect("pending");
        assert_eq!(read_backup(&file, "pw").expect("reads").accounts.len(), 2);
    }
    assert_eq!(
        count_versions(folder.path()),
        5,
        "{:?}",
        names(folder.path())
    );
    // Set up again (the window's dialog does so for any change, a new
    // password too): nothing pruned either.
    store
        .set_up_auto_backup(folder.path(), 2, "pw", 1_796_164_245)
        .expect("set up again");
    store
        .set_auto_backup_password("pw", 1_796_164_246)
        .expect("the password again");
    assert_eq!(
        count_versions(folder.path()),
        7,
        "{:?}",
        names(folder.path())
    );
    assert_eq!(
        read_backup(&holding_all, "pw")
            .expect("kept")
            .accounts
            .len(),
        3
    );
    // Readable again: the next backup holds all three, and prunes to 2.
    keychain.set(ids[0].as_str(), &item, "mended").expect("set");
    let mut store = reopen(&data, &keychain);
    assert!(store.load().expect("load").damaged.is_empty());
    store.rename(&ids[1], "Mended", "me").expect("renamed");
    let file = store
        .run_pending_backup(1_796_164_250)
        .expect("backup")
        .expect("pending");
    assert_eq!(read_backup(&file, "pw").expect("reads").accounts.len(), 3);
    assert_eq!(
        count_versions(folder.path()),
        2,
        "{:?}",
        names(folder.path())
    );
}

/// `backup now` from a process that holds no key while the lock is on says
/// so (it once said backups were not set up), and the backup stays
/// pending for the next unlock, which writes it.
#[test]
fn backing_up_now_while_locked_says_locked_and_stays_pending() {
    let Backed {
        data,
        folder,
        keychain,
        mut store,
    } = Backed::new(20);
    store.add_all((0..2).map(account)).expect("added");
    let fast = crate::vault::KdfParams {
        m_kib: 64,
        t: 1,
        p: 1,
    };
    store.turn_lock_on("lock pw", fast).expect("lock on");
    store
        .run_pending_backup(1_796_164_210)
        .expect("backup")
        .expect("pending");
    let written = count_versions(folder.path());

    let mut locked = reopen(&data, &keychain);
    let refused = locked.back_up_now(1_796_164_220).expect_err("locked");
    assert!(
        matches!(refused, BackupError::Store(Error::VaultLocked)),
        "{refused:?}"
    );
    assert_eq!(count_versions(folder.path()), written);
    assert!(locked.backup_pending());
    locked.unlock("lock pw").expect("unlocked");
    let file = locked
        .run_pending_backup(1_796_164_230)
        .expect("backup")
        .expect("still pending");
    assert_eq!(read_backup(&file, "pw").expect("reads").accounts.len(), 2);
}

/// A new backup password is kept only once a backup with it is written:
/// with the folder gone (a drive unplugged), the change fails and the old
/// password goes on being used, as the user was told.
#[test]
fn a_password_change_that_could_not_back_up_keeps_the_old_password() {
    let Backed {
        data: _data,
        folder,
        keychain: _keychain,
        mut store,
    } = Backed::new(5);
    store.add_all((0..2).map(account)).expect("added");
    let moved = folder.path().with_extension("unplugged");
    std::fs::rename(folder.path(), &moved).expect("unplugged");
    assert!(store
        .set_auto_backup_password("new pw", 1_796_164_210)
        .is_err());
    std::fs::rename(&moved, folder.path()).expect("plugged in again");
    let file = store
        .run_pending_backup(1_796_164_220)
        .expect("backup")
        .expect("pending");
    assert_eq!(
        read_backup(&file, "pw")
            .expect("the old password")
            .accounts
            .len(),
        2
    );
    assert!(read_backup(&file, "new pw").is_err());
    // Once it can be written, the new one is kept.
    let file = store
        .set_auto_backup_password("new pw", 1_796_164_230)
        .expect("changed");
    assert!(read_backup(&file, "new pw").is_ok());
}

/// A backup that holds no account prunes nothing: however the list came to
/// be empty, it must not push out the last backups that held accounts.
#[test]
fn a_backup_of_no_account_prunes_nothing() {
    let Backed {
        data: _data,
        folder: _folder,
        keychain: _keychain,
        mut store,
    } = Backed::new(1);
    store.add_all((0..2).map(account)).expect("added");
    let holding = store
        .run_pending_backup(1_796_164_210)
        .expect("backup")
        .expect("pending");
    let ids = ids_of(&store);
    for id in &ids {
        store.remove(id).expect("removed");
    }
    let empty = store
        .run_pending_backup(1_796_164_220)
        .expect("backup")
        .expect("pending");
    assert_eq!(read_backup(&empty, "pw").expect("reads").accounts.len(), 0);
    assert_eq!(read_backup(&holding, "pw").expect("kept").accounts.len(), 2);
}

/// The backup password changed, and more backups came since than the tries
/// for a wrong password: the old password still finds the newest backup it
/// opens (the oldest is tried, then the newest that opens found by
/// halving), instead of being called wrong.
#[test]
fn an_older_password_finds_the_newest_backup_it_opens() {
    let folder = tempfile::tempdir().expect("temp dir");
    let mut last_old = None;
    for n in 0..4u32 {
        last_old = Some(
            back_up(
                folder.path(),
                TAG,
                50,
                &[account(n)],
                "old pw",
                1_796_164_100 + u64::from(n),
            )
            .expect("backup"),
        );
    }
    for n in 0..9u32 {
        back_up(
            folder.path(),
            TAG,
            50,
            &[account(10 + n)],
            "new pw",
            1_796_164_200 + u64::from(n),
        )
        .expect("backup");
    }
    let found = find_restorable(folder.path(), "old pw", Some(TAG)).expect("found");
    assert_eq!(Some(found.file), last_old);
    assert_eq!(found.accounts, [account(3)]);
    // Damaged files among them, and one dated ahead under the new password
    // (tried last of all): passed over, named, and the same one found.
    let damaged: Vec<PathBuf> = [1_796_164_105, 1_796_164_150, 1_796_164_199]
        .into_iter()
        .map(|at| {
            folder
                .path()
                .join(super::versions::file_name(at, 1, Some(TAG)))
        })
        .collect();
    for file in &damaged {
        std::fs::write(file, "{\"version\": 1, \"header\": ").expect("a damaged file");
    }
    back_up(
        folder.path(),
        TAG,
        50,
        &[account(40)],
        "new pw",
        4_000_000_000,
    )
    .expect("backup");
    let found = find_restorable(folder.path(), "old pw", Some(TAG)).expect("found");
    assert_eq!(Some(found.file), last_old);
    for file in &damaged {
        assert!(
            found.skipped.iter().any(|s| &s.file == file),
            "{} not named: {:?}",
            file.display(),
            found.skipped
        );
    }
    assert!(matches!(
        find_restorable(folder.path(), "neither", Some(TAG)),
        Err(BackupError::WrongPassword(_))
    ));
}

/// An item removed with another tool (not through Watchword) leaves the
/// list, but is remembered as missing, and the backups made before it went
/// are never pruned until it is restored or forgotten: otherwise each
/// later backup, none of which holds it, would push out one more of those
/// that do, until none did. Newer ones are pruned as usual.
#[test]
fn an_account_removed_behind_watchwords_back_keeps_the_backups_that_hold_it() {
    let Backed {
        data,
        folder,
        keychain,
        mut store,
    } = Backed::new(2);
    store.add_all((0..4).map(account)).expect("added");
    let holding_all = store
        .run_pending_backup(1_796_164_210)
        .expect("backup")
        .expect("pending");
    let ids = ids_of(&store);
    keychain.delete(ids[0].as_str()).expect("deleted elsewhere");
    keychain.delete(ids[1].as_str()).expect("deleted elsewhere");
    let mut store = reopen(&data, &keychain);
    assert_eq!(store.load().expect("load").accounts, 2);
    let missing: Vec<(&str, &str, Option<u64>)> = store
        .missing()
        .iter()
        .map(|m| (m.issuer.as_str(), m.name.as_str(), m.backed_up))
        .collect();
    assert_eq!(
        missing,
        [
            ("Issuer 0", "me@example.com", Some(1_796_164_210)),
            ("Issuer 1", "me@example.com", Some(1_796_164_210))
        ]
    );
    // Removed in Watchword: not missing.
    store.remove(&ids[3]).expect("removed");
    assert_eq!(store.missing().len(), 2);
    let before_it_went = names(folder.path());
    assert_eq!(before_it_went.len(), 2, "set-up's and the one holding all");
    for (n, at) in [1_796_164_220, 1_796_164_230, 1_796_164_240]
        .into_iter()
        .enumerate()
    {
        store
            .rename(&ids[2], &format!("Renamed {n}"), "me")
            .expect("renamed");
        store
            .run_pending_backup(at)
            .expect("backup")
            .expect("pending");
    }
    let now = names(folder.path());
    assert_eq!(now.len(), 4, "the newest 2 and the 2 from before: {now:?}");
    assert!(before_it_went.iter().all(|n| now.contains(n)), "{now:?}");
    assert_eq!(
        read_backup(&holding_all, "pw")
            .expect("kept")
            .accounts
            .len(),
        4
    );
    // The one to restore from: the newest from before.
    assert_eq!(store.backups_before_missing().first(), Some(&holding_all));
    // Kept in the file, for the next process.
    let reopened = reopen(&data, &keychain);
    assert_eq!(reopened.missing().len(), 2);
    // One restored (a new id, the same issuer and name): no longer missing.
    let restored = read_backup(&holding_all, "pw").expect("reads");
    let first = restored
        .accounts
        .into_iter()
        .find(|a| a.issuer == "Issuer 0")
        .expect("in the backup");
    store.add_all([first]).expect("restored");
    let missing: Vec<&str> = store.missing().iter().map(|m| m.issuer.as_str()).collect();
    assert_eq!(missing, ["Issuer 1"]);
    // Forgetting what was found by an earlier time forgets nothing found
    // later (found meanwhile by another process, say, and never shown).
    let found = store.missing()[0].since;
    assert!(store
        .forget_missing(Some(found - 1))
        .expect("none")
        .is_empty());
    assert_eq!(
        store.forget_missing(Some(found)).expect("forgotten").len(),
        1
    );
    assert!(store.missing().is_empty());
    store.rename(&ids[2], "Last", "me").expect("renamed");
    store
        .run_pending_backup(1_796_164_260)
        .expect("backup")
        .expect("pending");
    assert_eq!(
        count_versions(folder.path()),
        2,
        "{:?}",
        names(folder.path())
    );
    let reopened = reopen(&data, &keychain);
    assert!(reopened.missing().is_empty());
}

/// Removing an account whose item another tool deleted after the list was
/// read: done, as asked, and not missing (it was meant to go). It was
/// once refused as not found and recorded as missing.
#[test]
fn removing_an_account_whose_item_is_already_gone_does_not_make_it_missing() {
    let Backed {
        data,
        folder: _folder,
        keychain,
        mut store,
    } = Backed::new(2);
    store.add_all((0..2).map(account)).expect("added");
    let ids = ids_of(&store);
    let mut store = reopen(&data, &keychain);
    assert_eq!(store.list_accounts().expect("listed").len(), 2);
    keychain.delete(ids[0].as_str()).expect("deleted elsewhere");
    store.remove(&ids[0]).expect("removed");
    assert!(store.missing().is_empty(), "{:?}", store.missing());
    let reopened = reopen(&data, &keychain);
    assert!(reopened.missing().is_empty());
    let left: Vec<String> = reopened.summaries().iter().map(|s| s.id.clone()).collect();
    assert_eq!(left, [ids[1].to_string()]);
    // Not listed and not there: still not found.
    assert!(matches!(
        store.remove(&ids[0]),
        Err(crate::error::Error::NotFound(_))
    ));
}

/// A backup made in the same second as the last one before an account
/// went, after it went, does not hold it: it is not taken for one from
/// before (the CLI's test once restored from such a backup, which held
/// none of the missing accounts).
#[test]
fn a_backup_made_in_the_second_an_account_went_is_not_taken_for_one_from_before() {
    let Backed {
        data,
        folder: _folder,
        keychain,
        mut store,
    } = Backed::new(2);
    store.add_all((0..2).map(account)).expect("added");
    let holding_all = store
        .run_pending_backup(1_796_164_210)
        .expect("backup")
        .expect("pending");
    let ids = ids_of(&store);
    keychain.delete(ids[0].as_str()).expect("deleted elsewhere");
    let mut store = reopen(&data, &keychain);
    assert_eq!(store.load().expect("load").accounts, 1);
    store.rename(&ids[1], "Renamed", "me").expect("renamed");
    let after_it_went = store
        .run_pending_backup(1_796_164_210)
        .expect("backup")
        .expect("pending");
    assert_ne!(after_it_went, holding_all, "a suffix tells them apart");
    let before = store.backups_before_missing();
    assert_eq!(before.first(), Some(&holding_all), "{before:?}");
    assert!(!before.contains(&after_it_went), "{before:?}");
    assert_eq!(
        read_backup(&before[0], "pw").expect("read").accounts.len(),
        2,
        "it holds the one that went"
    );
}

/// The list file removed to start afresh (as the refusal of a keychain
/// holding none of the listed accounts says): the accounts it named are
/// not missing, and what was missing before goes with it.
#[test]
fn a_list_removed_to_start_afresh_leaves_nothing_missing() {
    let Backed {
        data,
        folder: _folder,
        keychain,
        mut store,
    } = Backed::new(2);
    store.add_all((0..2).map(account)).expect("added");
    let ids = ids_of(&store);
    keychain.delete(ids[0].as_str()).expect("deleted elsewhere");
    let mut store = reopen(&data, &keychain);
    store.load().expect("load");
    assert_eq!(store.missing().len(), 1);
    // Then the rest, as a closed password manager's database would.
    keychain.delete(ids[1].as_str()).expect("deleted elsewhere");
    let err = store.load().expect_err("refused");
    assert_eq!(err.code(), crate::ErrorCode::KeychainHoldsNone);
    std::fs::remove_file(data.path().join("accounts.json")).expect("start afresh");
    store.load().expect("afresh");
    assert!(store.missing().is_empty(), "{:?}", store.missing());
    assert!(store.summaries().is_empty());
}

/// Pruning keeps the backups at or before the mark of the last one before
/// an account went, to the suffix: a later one of the same second, which
/// does not hold it, is pruned as usual.
#[test]
fn pruning_keeps_what_is_at_or_before_the_mark_to_the_suffix() {
    let folder = tempfile::tempdir().expect("temp dir");
    let made = [(1_796_164_260, 1), (1_796_164_260, 2), (1_796_164_320, 1)];
    for (at, n) in made {
        std::fs::write(folder.path().join(file_name(at, n, Some(TAG))), "x").expect("write");
    }
    let written = folder.path().join(file_name(1_796_164_320, 1, Some(TAG)));
    let mark = BackupMark {
        at: 1_796_164_260,
        suffix: Some(1),
    };
    let gone = prune(folder.path(), (1, Some(mark)), &written, TAG, 1_796_164_320);
    assert_eq!(gone, 1);
    assert_eq!(
        names(folder.path()),
        [
            file_name(1_796_164_260, 1, Some(TAG)),
            file_name(1_796_164_320, 1, Some(TAG))
        ]
    );
}

#[test]
fn the_backups_before_a_time_are_the_ones_dated_at_or_before_it() {
    let folder = tempfile::tempdir().expect("temp dir");
    for (at, n) in [
        (1_796_164_200, 1),
        (1_796_164_260, 1),
        (1_796_164_260, 2),
        (1_796_164_260, 3),
        (1_796_164_320, 1),
    ] {
        std::fs::write(folder.path().join(file_name(at, n, Some(TAG))), "x").expect("write");
    }
    let before = |at, suffix| -> Vec<String> {
        versions_before(folder.path(), Some(TAG), BackupMark { at, suffix })
            .expect("listed")
            .iter()
            .filter_map(|p| p.file_name()?.to_str().map(str::to_owned))
            .collect()
    };
    // Any of that second, when the mark does not say which.
    assert_eq!(
        before(1_796_164_260, None),
        [
            file_name(1_796_164_260, 3, Some(TAG)),
            file_name(1_796_164_260, 2, Some(TAG)),
            file_name(1_796_164_260, 1, Some(TAG)),
            file_name(1_796_164_200, 1, Some(TAG))
        ]
    );
    // The second of that second, and not the third, made after it (which
    // may not hold an account that went between them).
    assert_eq!(
        before(1_796_164_260, Some(2)),
        [
            file_name(1_796_164_260, 2, Some(TAG)),
            file_name(1_796_164_260, 1, Some(TAG)),
            file_name(1_796_164_200, 1, Some(TAG))
        ]
    );
    assert!(before(1_796_164_199, None).is_empty());
}
