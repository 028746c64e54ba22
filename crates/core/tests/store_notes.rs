//! Notes and groups in the store, against the real OS keychain (on Linux a
//! Secret Service: run inside scripts/session.sh). Each test uses its own
//! service name and removes its items when done.

use watchword_core::account::{Account, AccountId, FieldError, Group, Note, OtpKind};
use watchword_core::error::Error;
use watchword_core::store::keychain::Keychain;
use watchword_core::store::Store;
use watchword_core::Secret;

mod common;
use common::Scratch;

const URI: &str = "otpauth://totp/Shop:me?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Shop&algorithm=SHA1&digits=6&period=30";

fn group(name: &str) -> Group {
    Group::new(name).expect("a valid group")
}

fn note(text: &str) -> Option<Note> {
    Note::new(text).expect("fits")
}

#[test]
fn an_old_plain_item_reads_and_takes_a_note_and_gives_it_back() {
    let scratch = Scratch::new("notes", "old");
    // An item as every earlier version wrote it: the plain URI.
    let id = AccountId::random();
    scratch
        .keychain()
        .set(id.as_str(), URI, "Watchword: Shop (me)")
        .expect("write");
    let mut store = scratch.open();
    store.load().expect("loads");
    assert_eq!(store.account(&id).expect("read").note, None);
    assert!(!store.summaries()[0].has_note);

    let words = "recovery: 7F3K-22QX\nline two";
    store.set_note(&id, note(words)).expect("saved");
    let item = scratch
        .keychain()
        .get(id.as_str())
        .expect("read")
        .expect("there");
    assert!(item.starts_with("{\"v\":1,"), "a record now");
    // The metadata says there is a note, never what it says.
    let meta =
        std::fs::read_to_string(scratch.config.data_dir.join("accounts.json")).expect("metadata");
    assert!(meta.contains("\"has_note\": true"), "{meta}");
    assert!(!meta.contains("7F3K"), "{meta}");

    // Another process (a fresh store) sees it, through the explicit call only.
    let mut other = scratch.open();
    let summary = &other.list_accounts().expect("list")[0];
    assert!(summary.has_note);
    let json = serde_json::to_string(summary).expect("serialises");
    assert!(!json.contains("7F3K"), "{json}");
    let read = other.note(&id).expect("read").expect("a note");
    assert_eq!(read.expose(), words);
    assert!(!format!("{other:?} {read:?}").contains("7F3K"));

    // Cleared: the item is the plain URI again, readable by old versions.
    store.set_note(&id, None).expect("cleared");
    assert_eq!(
        scratch
            .keychain()
            .get(id.as_str())
            .expect("read")
            .as_deref(),
        Some(URI)
    );
    assert!(!store.summaries()[0].has_note);
}

#[test]
fn setting_a_note_keeps_a_counter_another_process_stepped() {
    let scratch = Scratch::new("notes", "hotp");
    let mut hotp = Account::totp("Bank", "me", Secret::from_bytes(vec![9; 20]));
    hotp.kind = OtpKind::Hotp { counter: 5 };
    let mut store = scratch.open();
    let id = store.add(hotp).expect("added");
    store.load().expect("loaded: the cache holds counter 5");
    let mut other = scratch.open();
    other.next_code(&id, 0).expect("steps to 6");
    store.set_note(&id, note("pin 1234")).expect("saved");
    let mut fresh = scratch.open();
    let account = fresh.current_account(&id).expect("read");
    assert_eq!(account.kind, OtpKind::Hotp { counter: 6 }, "not rewound");
    assert_eq!(account.note.as_ref().map(Note::expose), Some("pin 1234"));
    // A rename keeps the note too.
    fresh.rename(&id, "Bank", "me2").expect("renamed");
    assert_eq!(
        scratch
            .open()
            .note(&id)
            .expect("read")
            .as_ref()
            .map(Note::expose),
        Some("pin 1234")
    );
}

#[test]
fn a_note_changed_elsewhere_is_never_overwritten_from_what_was_seen() {
    let scratch = Scratch::new("notes", "changed");
    let mut store = scratch.open();
    let id = store
        .add(Account::totp("Shop", "me", Secret::from_bytes(vec![7; 20])))
        .expect("added");
    // Seen without a note; another process adds one meanwhile.
    scratch
        .open()
        .set_note(&id, note("codes: 1111"))
        .expect("the other process's note");
    let refused = store
        .change_note(&id, "", note("mine"))
        .expect_err("a note written over one never seen");
    assert!(
        matches!(refused, Error::Field(FieldError::NoteChanged { .. })),
        "{refused:?}"
    );
    assert!(!refused.to_string().contains("1111"), "{refused}");
    let kept = |store: &mut Store| {
        store
            .note(&id)
            .expect("read")
            .map(|n| n.expose().to_owned())
    };
    assert_eq!(kept(&mut scratch.open()).as_deref(), Some("codes: 1111"));
    // Changed from what is there now, it is saved; and it can be removed.
    store
        .change_note(&id, "codes: 1111", note("codes: 2222"))
        .expect("saved");
    assert_eq!(kept(&mut scratch.open()).as_deref(), Some("codes: 2222"));
    store
        .change_note(&id, "codes: 2222", None)
        .expect("removed");
    assert_eq!(kept(&mut scratch.open()), None);
}

#[test]
fn a_note_that_does_not_fit_the_item_is_refused_and_nothing_changes() {
    let scratch = Scratch::new("notes", "big");
    let mut store = scratch.open();
    let id = store
        .add(Account::totp("Shop", "me", Secret::from_bytes(vec![1; 10])))
        .expect("added");
    store.set_note(&id, note("kept")).expect("saved");
    // 1024 bytes of line breaks are 2048 units once escaped in the record.
    let breaks = format!("x{}", "\n".repeat(1023));
    let error = store.set_note(&id, note(&breaks)).expect_err("too big");
    assert!(
        matches!(error, Error::Field(FieldError::NoteDoesNotFit { .. })),
        "{error:?}"
    );
    assert_eq!(error.code(), "note_too_long");
    assert_eq!(
        scratch
            .open()
            .note(&id)
            .expect("read")
            .as_ref()
            .map(Note::expose),
        Some("kept")
    );
}

/// An import (`add_all`) does not refuse an account whose note fits the
/// note's limit but not the keychain item once escaped: the note keeps its
/// longest beginning that fits, the accounts after it are added too, and
/// the count says so. Adding one account still refuses (above).
#[test]
fn an_imported_note_too_long_for_the_item_keeps_what_fits() {
    let scratch = Scratch::new("notes", "import-fit");
    let mut store = scratch.open();
    // 1024 bytes of line breaks are 2048 units once escaped; "é" is two
    // bytes and fits as one unit, so 500 of them fit whole.
    let breaks = format!("codes:{}", "\n".repeat(1018));
    let accented = "é".repeat(500);
    let key = |byte: u8| Secret::from_bytes(vec![byte; 10]);
    let done = store
        .add_all([
            Account::totp("Shop", "me", key(1)).with_note(note(&breaks)),
            Account::totp("Bank", "me", key(2)).with_note(note(&accented)),
            Account::totp("Mail", "me", key(3)),
        ])
        .expect("all added");
    assert_eq!((done.added, done.notes_cut), (3, 1));

    let mut again = scratch.open();
    let listed = again.list_accounts().expect("listed");
    let id_of = |issuer: &str| {
        let found = listed.iter().find(|s| s.issuer == issuer).expect(issuer);
        AccountId::parse(&found.id).expect("an id")
    };
    let mut note_of = |issuer: &str| {
        again
            .note(&id_of(issuer))
            .expect("read")
            .map(|n| n.expose().to_owned())
    };
    let kept = note_of("Shop").expect("a note is kept");
    assert!(breaks.starts_with(&kept), "a beginning of the note");
    assert!(
        kept.len() > 400 && kept.len() < breaks.len(),
        "{}",
        kept.len()
    );
    assert_eq!(note_of("Bank").as_deref(), Some(accented.as_str()));
    assert_eq!(note_of("Mail"), None);
    // One more line break would not have fitted.
    let error = scratch
        .open()
        .set_note(&id_of("Shop"), note(&breaks[..kept.len() + 1]))
        .expect_err("one more does not fit");
    assert!(
        matches!(error, Error::Field(FieldError::NoteDoesNotFit { .. })),
        "{error:?}"
    );
}

// Found by a second reader: an HOTP account's note was cut to fit beside
// the counter it had, so once the counter gained a digit no code could be
// stored (each was refused for the note).
#[test]
fn an_hotp_note_cut_to_fit_leaves_room_for_the_counter_to_grow() {
    let scratch = Scratch::new("notes", "hotp-room");
    let mut store = scratch.open();
    let breaks = format!("codes:{}", "\n".repeat(1018));
    let mut bank =
        Account::totp("Bank", "me", Secret::from_bytes(vec![4; 10])).with_note(note(&breaks));
    bank.kind = OtpKind::Hotp { counter: 9 };
    let done = store.add_all([bank]).expect("added");
    assert_eq!((done.added, done.notes_cut), (1, 1));
    let id = AccountId::parse(&store.list_accounts().expect("listed")[0].id).expect("an id");
    for counter in 10..=12 {
        store
            .next_code(&id, 0)
            .unwrap_or_else(|e| panic!("the code at {counter}: {e}"));
    }
    // A note set by hand is measured the same way.
    let kept = store.note(&id).expect("read").expect("a note is kept");
    let error = scratch
        .open()
        .set_note(&id, note(&breaks[..kept.expose().len() + 1]))
        .expect_err("one more does not fit");
    assert!(
        matches!(error, Error::Field(FieldError::NoteDoesNotFit { .. })),
        "{error:?}"
    );
}

/// A store that has everything loaded (the window) and makes a backup or
/// an export after another process (the CLI) changed a note: the note as
/// the keychain holds it now goes out, not the one the store saw. Only the
/// keychain item changes with a note, so nothing in the list tells.
#[test]
fn a_backup_holds_the_note_another_process_set() {
    let scratch = Scratch::new("notes", "backup-fresh");
    let mut window = scratch.open();
    let id = window
        .add(Account::totp("Shop", "me", Secret::from_bytes(vec![1; 10])))
        .expect("added");
    window.load().expect("everything loaded");

    let mut cli = scratch.open();
    cli.set_note(&id, note("recovery 7F3K")).expect("saved");
    let exported = window.all_accounts().expect("for a backup");
    assert_eq!(
        exported[0].note.as_ref().map(Note::expose),
        Some("recovery 7F3K")
    );

    cli.set_note(&id, None).expect("cleared");
    let exported = window.all_accounts().expect("for a backup");
    assert_eq!(exported[0].note, None);
}

#[test]
fn groups_live_in_the_list_and_come_with_the_accounts() {
    let scratch = Scratch::new("notes", "groups");
    let mut store = scratch.open();
    let shop = Account::totp("Shop", "me", Secret::from_bytes(vec![1; 10]))
        .with_groups([group("Work"), group("banks")])
        .expect("two groups")
        .with_note(note("codes"));
    let shop_id = store.add(shop.clone()).expect("added");
    let mail_id = store
        .add(Account::totp("Mail", "me", Secret::from_bytes(vec![2; 10])))
        .expect("added");
    store
        .set_groups(&mail_id, vec![group("Work")])
        .expect("set");

    // A fresh store (another process) lists them without reading a secret.
    let mut other = scratch.open();
    let list = other.list_accounts().expect("list");
    let groups_of = |id: &AccountId| {
        list.iter()
            .find(|s| s.id == id.as_str())
            .map(|s| s.groups.clone())
            .expect("listed")
    };
    assert_eq!(groups_of(&shop_id), ["Work", "banks"]);
    assert_eq!(groups_of(&mail_id), ["Work"]);
    assert_eq!(other.groups(), [group("banks"), group("Work")]);

    // Every account as a backup takes it: notes and groups included, so
    // what reads back from an Aegis vault compares equal.
    let all = other.all_accounts().expect("all");
    assert_eq!(all[0], shop);
    assert_eq!(all[1].groups, [group("Work")]);

    // Changes made elsewhere reach a loaded store.
    store.load().expect("loaded");
    other.set_groups(&shop_id, Vec::new()).expect("out of all");
    store.refresh().expect("refreshed");
    assert_eq!(store.account(&shop_id).expect("read").groups, []);
    assert_eq!(store.groups(), [group("Work")]);

    // Too many are refused, nothing changes.
    let many: Vec<Group> = (0..=16).map(|i| group(&format!("g{i}"))).collect();
    let error = store.set_groups(&mail_id, many).expect_err("too many");
    assert!(
        matches!(error, Error::Field(FieldError::TooManyGroups)),
        "{error:?}"
    );
    assert_eq!(scratch.open().summaries()[1].groups, ["Work"]);
}

#[test]
fn a_hand_edited_bad_group_costs_the_group_not_the_list() {
    let scratch = Scratch::new("notes", "lenient");
    let mut store = scratch.open();
    let id = store
        .add(Account::totp("Shop", "me", Secret::from_bytes(vec![1; 10])))
        .expect("added");
    store.set_groups(&id, vec![group("Work")]).expect("set");
    let path = scratch.config.data_dir.join("accounts.json");
    let text = std::fs::read_to_string(&path).expect("metadata");
    let edited = text.replace("\"Work\"", "\"Work\", \"\", 7, \"Home\"");
    assert_ne!(text, edited);
    std::fs::write(&path, edited).expect("edited");
    let reopened = scratch.open();
    assert_eq!(reopened.summaries()[0].groups, ["Work", "Home"]);
}
