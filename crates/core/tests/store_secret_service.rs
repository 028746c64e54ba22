//! The store against the real OS keychain: on Linux a Secret Service
//! (scripts/test.sh provides a private, unlocked gnome-keyring). Each test uses
//! its own service name and removes its items when done.

use watchword_core::account::{Account, OtpKind};
use watchword_core::store::keychain::{Keychain, SystemKeychain};
use watchword_core::store::Store;
use watchword_core::Secret;

mod common;
use common::Scratch;

#[test]
fn accounts_survive_a_restart_and_the_loss_of_the_data_folder() {
    let scratch = Scratch::new("store", "restart");
    let mut store = scratch.open();
    let mut amazon = Account::totp(
        "Amazon",
        "seller@example.com",
        Secret::from_bytes(b"\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a".to_vec()), // 80-bit
    );
    amazon.digits = 8;
    amazon.kind = OtpKind::Totp { period: 60 };
    let id = store
        .add(amazon.clone())
        .expect("add to the Secret Service");
    let code = store.code(&id, 1_700_000_000).expect("code").current;
    drop(store);

    let mut reopened = scratch.open();
    reopened.load().expect("load");
    assert_eq!(reopened.account(&id).expect("still there"), &amazon);
    assert_eq!(
        reopened.code(&id, 1_700_000_000).expect("code").current,
        code
    );

    std::fs::remove_dir_all(&scratch.config.data_dir).expect("delete the data folder");
    let mut rebuilt = scratch.open();
    let report = rebuilt.load().expect("load");
    assert_eq!(report.recovered, 1);
    assert_eq!(
        rebuilt.account(&id).expect("recovered from the keychain"),
        &amazon
    );

    rebuilt.remove(&id).expect("remove");
    let keychain = SystemKeychain::connect(&scratch.config.service).expect("connect");
    assert!(
        keychain.list().expect("list").is_empty(),
        "the item is gone from the keychain"
    );
}

#[test]
fn hotp_counter_is_durable_in_the_keychain() {
    let scratch = Scratch::new("store", "hotp");
    let mut store = scratch.open();
    let mut bank = Account::totp(
        "Bank",
        "",
        Secret::from_bytes(b"12345678901234567890".to_vec()),
    );
    bank.kind = OtpKind::Hotp { counter: 3 };
    let id = store.add(bank).expect("add");
    // RFC 4226 Appendix D, counters 3 and 4.
    assert_eq!(store.next_code(&id, 0).expect("code").current, "969429");
    drop(store);
    let mut reopened = scratch.open();
    assert_eq!(reopened.next_code(&id, 0).expect("code").current, "338314");

    // The same key again, from an older backup under another name, into a
    // store that has read nothing yet (a command line) and into one that
    // has read everything: refused, so no second row counts again from 3.
    let mut older = Account::totp(
        "Bank (old phone)",
        "me",
        Secret::from_bytes(b"12345678901234567890".to_vec()),
    );
    older.kind = OtpKind::Hotp { counter: 3 };
    let mut fresh = scratch.open();
    assert!(matches!(
        fresh.add(older.clone()),
        Err(watchword_core::Error::Duplicate(_))
    ));
    reopened.load().expect("load");
    assert!(matches!(
        reopened.add(older),
        Err(watchword_core::Error::Duplicate(_))
    ));
    assert_eq!(reopened.next_code(&id, 0).expect("code").current, "254676");

    // Two with one key from before that made them one (planted here, as
    // another program would): each may still be renamed.
    let planted = "0123456789abcdef0123456789abcdef";
    store_item(
        &scratch.config.service,
        planted,
        b"otpauth://hotp/Copy:me?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Copy&counter=3",
    );
    assert_eq!(reopened.load().expect("load").recovered, 1);
    let planted = watchword_core::account::AccountId::parse(planted).expect("an id");
    reopened
        .rename(&planted, "Bank (copy)", "me")
        .expect("the copy renamed");
    reopened
        .rename(&id, "Bank", "main")
        .expect("the first renamed");
}

#[test]
fn keychain_items_are_not_shared_between_service_names() {
    let first = Scratch::new("store", "iso-a");
    let second = Scratch::new("store", "iso-b");
    let mut a = first.open();
    a.add(Account::totp("A", "", Secret::from_bytes(vec![7; 16])))
        .expect("add");
    let mut b = second.open();
    assert_eq!(b.load().expect("load").accounts, 0);
}

/// Runs `secret-tool` (libsecret's own client, not our keyring crate) with
/// `input` on standard input; panics when it fails.
fn secret_tool(args: &[&str], input: &[u8]) -> Vec<u8> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("secret-tool")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("secret-tool runs (package libsecret-tools)");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(input)
        .expect("stdin written");
    let out = child.wait_with_output().expect("secret-tool finishes");
    assert!(
        out.status.success(),
        "secret-tool {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Stores `content` as an item under `service`, as another program would.
fn store_item(service: &str, user: &str, content: &[u8]) {
    secret_tool(
        &[
            "store",
            "--label=planted by a test",
            "service",
            service,
            "username",
            user,
        ],
        content,
    );
}

#[test]
fn a_damaged_metadata_file_is_moved_aside_and_rebuilt_from_the_keychain() {
    let scratch = Scratch::new("store", "damaged-meta");
    let mut store = scratch.open();
    let amazon = Account::totp("Amazon", "me", Secret::from_bytes(vec![3; 20]));
    let id = store.add(amazon.clone()).expect("add");
    drop(store);
    let meta = scratch.config.data_dir.join("accounts.json");
    std::fs::write(&meta, "{\"accounts\": [").expect("damage the metadata");

    let mut store = scratch.open();
    let report = store.load().expect("load");
    assert!(report.metadata_was_damaged);
    assert_eq!((report.accounts, report.recovered), (1, 1));
    assert_eq!(store.account(&id).expect("recovered"), &amazon);
    assert_eq!(
        std::fs::read_to_string(scratch.config.data_dir.join("accounts.json.damaged"))
            .expect("the damaged file is kept"),
        "{\"accounts\": ["
    );
    assert!(
        std::fs::read_to_string(&meta)
            .expect("a new metadata file")
            .contains(id.as_str()),
        "the metadata is rebuilt"
    );
}

/// Renaming only the name keeps the issuer as the keychain holds it when
/// the change is made: another process that renamed the issuer meanwhile
/// is not undone by what this one saw before.
#[test]
fn renaming_one_part_keeps_the_other_as_another_process_left_it() {
    let scratch = Scratch::new("store", "rename-parts");
    let mut window = scratch.open();
    let id = window
        .add(Account::totp("Shop", "me", Secret::from_bytes(vec![4; 20])))
        .expect("add");
    window.load().expect("everything loaded");

    let mut cli = scratch.open();
    cli.rename_parts(&id, Some("Shop Inc"), None)
        .expect("issuer renamed");
    window
        .rename_parts(&id, None, Some("me@shop.example"))
        .expect("name renamed");
    for mut store in [scratch.open(), window] {
        store.load().expect("read back");
        let account = store.account(&id).expect("there");
        assert_eq!(
            (account.issuer.as_str(), account.name.as_str()),
            ("Shop Inc", "me@shop.example")
        );
    }
}

/// A metadata file past its budget (here valid JSON, grown by another
/// program to 32 MiB of spaces) is not read whole: it is damage like any
/// other, kept aside, and the list is rebuilt from the keychain.
#[test]
fn a_metadata_file_over_its_budget_is_moved_aside_and_rebuilt() {
    let scratch = Scratch::new("store", "huge-meta");
    let mut store = scratch.open();
    let amazon = Account::totp("Amazon", "me", Secret::from_bytes(vec![3; 20]));
    let id = store.add(amazon.clone()).expect("add");
    drop(store);
    let meta = scratch.config.data_dir.join("accounts.json");
    let mut grown = std::fs::read(&meta).expect("the metadata");
    let budget = watchword_core::limits::MAX_METADATA_BYTES as usize;
    grown.resize(budget + 1, b' ');
    std::fs::write(&meta, &grown).expect("grown");

    let mut store = scratch.open();
    let report = store.load().expect("load");
    assert!(report.metadata_was_damaged);
    assert_eq!(store.account(&id).expect("recovered"), &amazon);
    let aside = scratch.config.data_dir.join("accounts.json.damaged");
    assert_eq!(
        std::fs::metadata(aside).expect("kept aside").len(),
        grown.len() as u64
    );
    assert!(std::fs::metadata(&meta).expect("rebuilt").len() < 4096);
}

/// Items planted with `secret-tool`: junk text and bytes that are not text
/// under an id like ours are reported and left alone; an item under a name we
/// never make is ignored; the real account still loads.
#[test]
fn keychain_items_that_are_not_accounts_are_reported_and_left_untouched() {
    let scratch = Scratch::new("store", "junk");
    let service = scratch.config.service.clone();
    let mut store = scratch.open();
    let good = store
        .add(Account::totp(
            "GitHub",
            "me",
            Secret::from_bytes(vec![5; 20]),
        ))
        .expect("add");
    let junk = "0123456789abcdef0123456789abcdef";
    let binary = "fedcba9876543210fedcba9876543210";
    store_item(&service, junk, b"hunter2 is not a uri");
    store_item(&service, binary, b"\xff\xfe\x00not text");
    store_item(&service, "someone-else", b"whatever");
    // Two items of another tool under one name of its own (they differ in
    // another attribute): not ours, so not a reason for the load to fail.
    for n in ["1", "2"] {
        secret_tool(
            &[
                "store",
                "--label=another tool's",
                "service",
                &service,
                "username",
                "notours",
                "other",
                n,
            ],
            b"not ours",
        );
    }

    let mut fresh = scratch.open();
    let report = fresh.load().expect("the good account loads");
    assert_eq!(report.accounts, 1);
    let mut damaged = report.damaged.clone();
    damaged.sort();
    assert_eq!(
        damaged
            .iter()
            .map(|(id, _)| id.as_str())
            .collect::<Vec<_>>(),
        [junk, binary]
    );
    assert_eq!(damaged[1].1, "its content is not text", "{damaged:?}");
    assert!(
        !damaged[0].1.is_empty() && !damaged[0].1.contains("hunter2"),
        "a reason, never the content: {damaged:?}"
    );
    assert!(fresh.account(&good).is_ok());
    assert_eq!(
        fresh
            .account(&watchword_core::account::AccountId::parse(junk).expect("an id"))
            .expect_err("damaged")
            .code(),
        "damaged_item"
    );
    // Nothing was deleted or changed: libsecret reads back what it stored.
    for (user, content) in [
        (junk, &b"hunter2 is not a uri"[..]),
        (binary, b"\xff\xfe\x00not text"),
        ("someone-else", b"whatever"),
    ] {
        let found = secret_tool(&["lookup", "service", &service, "username", user], b"");
        assert_eq!(found, content, "{user} is untouched");
    }
}

/// Items removed with `secret-tool clear` leave the list on the next load.
#[test]
fn items_removed_elsewhere_leave_the_list() {
    let scratch = Scratch::new("store", "cleared");
    let mut store = scratch.open();
    let gone = store
        .add(Account::totp("Gone", "", Secret::from_bytes(vec![8; 20])))
        .expect("add");
    let kept = store
        .add(Account::totp("Kept", "", Secret::from_bytes(vec![9; 20])))
        .expect("add");
    drop(store);
    secret_tool(
        &[
            "clear",
            "service",
            &scratch.config.service,
            "username",
            gone.as_str(),
        ],
        b"",
    );

    let mut fresh = scratch.open();
    assert_eq!(fresh.summaries().len(), 2, "the metadata still lists both");
    let report = fresh.load().expect("load");
    assert_eq!((report.accounts, report.damaged.len()), (1, 0));
    let issuers: Vec<String> = fresh.summaries().into_iter().map(|s| s.issuer).collect();
    assert_eq!(issuers, ["Kept"]);
    assert_eq!(fresh.account(&gone).expect_err("gone").code(), "not_found");
    assert!(fresh.account(&kept).is_ok());
    drop(fresh);
    // The metadata file itself no longer lists it.
    assert_eq!(scratch.open().summaries().len(), 1);
}

/// Issue 13: the batched read (one search, one GetSecrets) answers what
/// `list` and `get` one item at a time answer, a damaged item included,
/// and the store's full load reports the damaged item as it always did.
#[test]
fn the_batched_read_answers_what_reads_one_at_a_time_answer() {
    use watchword_core::account::AccountId;
    use watchword_core::store::keychain::read_one_by_one;
    let scratch = Scratch::new("store", "batched");
    let mut store = scratch.open();
    for n in 0..5u8 {
        store
            .add(Account::totp(
                &format!("Site{n}"),
                "me",
                Secret::from_bytes(vec![n + 1; 20]),
            ))
            .expect("add");
    }
    // An item of ours whose content is not text, as another tool could
    // leave it: secret-tool stores the bytes as they come.
    let damaged = AccountId::random().to_string();
    let mut child = std::process::Command::new("secret-tool")
        .args(["store", "--label=damaged", "service"])
        .arg(&scratch.config.service)
        .args(["username", &damaged])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("secret-tool runs (package libsecret-tools)");
    std::io::Write::write_all(
        &mut child.stdin.take().expect("piped"),
        b"\xff\xfe not text",
    )
    .expect("written");
    assert!(child.wait().expect("it ends").success());

    let keychain = SystemKeychain::connect(&scratch.config.service).expect("connect");
    let shown = |items: Vec<(String, watchword_core::error::Result<String>)>| {
        items
            .into_iter()
            .map(|(id, read)| (id, read.map_err(|err| (err.code(), err.to_string()))))
            .collect::<Vec<_>>()
    };
    let batched = shown(
        keychain
            .get_all_batched()
            .expect("batched read")
            .expect("nothing is locked: the batch answers itself"),
    );
    let one_by_one = shown(read_one_by_one(&keychain).expect("one by one"));
    assert_eq!(batched.len(), 6);
    assert_eq!(batched, one_by_one);
    assert!(batched.iter().any(|(id, read)| id == &damaged
        && read
            .as_ref()
            .is_err_and(|(code, _)| *code == "damaged_item")));

    let report = scratch.open().load().expect("load");
    assert_eq!(report.accounts, 5);
    assert_eq!(
        report.damaged,
        vec![(damaged, "its content is not text".to_owned())]
    );
}

/// The ids a listing answers, sorted.
fn listed_ids(store: &mut Store) -> Vec<String> {
    let mut ids: Vec<String> = store
        .list_accounts()
        .expect("list")
        .into_iter()
        .map(|s| s.id)
        .collect();
    ids.sort();
    ids
}

/// Issue 13: a listing skips reading the ids of items it saw before (by
/// their D-Bus paths, kept in the metadata), and still answers what the
/// keychain holds: items another program added, removed or re-created
/// between two commands, and paths that a restart of the keychain service
/// may hand to other items.
#[test]
fn a_listing_that_knows_item_paths_still_answers_what_the_keychain_holds() {
    use watchword_core::account::AccountId;
    use watchword_core::store::keychain::Locations;
    let scratch = Scratch::new("store", "paths");
    let service = scratch.config.service.clone();
    let planted = |issuer: &str| {
        let id = AccountId::random().to_string();
        let uri = format!("otpauth://totp/{issuer}:me?secret=JBSWY3DPEHPK3PXP&issuer={issuer}");
        store_item(&service, &id, uri.as_bytes());
        id
    };
    let mut store = scratch.open();
    let gone = store
        .add(Account::totp("Gone", "", Secret::from_bytes(vec![3; 20])))
        .expect("add")
        .to_string();
    let kept = store
        .add(Account::totp("Kept", "", Secret::from_bytes(vec![4; 20])))
        .expect("add")
        .to_string();
    drop(store);
    let mut ids = vec![gone.clone(), kept.clone()];
    ids.sort();
    assert_eq!(listed_ids(&mut scratch.open()), ids);
    // The listing kept where the items are: the next one relies on it.
    let meta =
        std::fs::read_to_string(scratch.config.data_dir.join("accounts.json")).expect("metadata");
    assert!(meta.contains("\"item_path\"") && meta.contains("\"keychain_instance\""));

    // Added by another program: its path is new, and read.
    let added = planted("Added");
    let mut ids = vec![gone.clone(), kept.clone(), added.clone()];
    ids.sort();
    assert_eq!(listed_ids(&mut scratch.open()), ids);

    // Removed by another program, and another item made in its place.
    secret_tool(&["clear", "service", &service, "username", &gone], b"");
    let remade = planted("Remade");
    let mut ids = vec![kept.clone(), added.clone(), remade.clone()];
    ids.sort();
    assert_eq!(listed_ids(&mut scratch.open()), ids);

    // A restart of the keychain service may give a removed item's path to
    // a new item. Played here by a metadata file whose run is another one
    // and whose entry for a removed item names a live item's path: that
    // path must be read, not taken for the removed item.
    let keychain = SystemKeychain::connect(&service).expect("connect");
    let (_, now) = keychain
        .list_located(&Locations::default())
        .expect("list located");
    assert!(now.instance.is_some(), "gnome-keyring's paths are trusted");
    secret_tool(&["clear", "service", &service, "username", &remade], b"");
    let newer = planted("Newer");
    let (_, later) = keychain
        .list_located(&Locations::default())
        .expect("list located");
    let newer_path = later
        .places
        .iter()
        .find(|(id, _)| *id == newer)
        .map(|(_, path)| path.clone())
        .expect("the new item is found");
    let path = scratch.config.data_dir.join("accounts.json");
    let mut meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("metadata")).expect("JSON");
    meta["keychain_instance"] = "another-bus/:1.999".into();
    for entry in meta["accounts"].as_array_mut().expect("accounts") {
        if entry["id"] == remade.as_str() {
            entry["item_path"] = newer_path.clone().into();
        }
    }
    std::fs::write(&path, serde_json::to_vec(&meta).expect("JSON")).expect("metadata written");
    let mut ids = vec![kept.clone(), added.clone(), newer.clone()];
    ids.sort();
    assert_eq!(listed_ids(&mut scratch.open()), ids);

    // The same holds for the keychain alone: places of another run are
    // not taken, whatever ids they name.
    let lying = Locations {
        instance: Some("another-bus/:1.999".into()),
        places: later
            .places
            .iter()
            .map(|(_, path)| (AccountId::random().to_string(), path.clone()))
            .collect(),
    };
    let (truth, _) = keychain.list_located(&lying).expect("list located");
    assert_eq!(truth, keychain.list().expect("list"));
}

/// Issue 9: a big import can be stopped. Here the token is set as the
/// third account is reached (the iterator is lazy), so exactly two go in,
/// each whole; adding the same list again adds the rest.
#[test]
fn a_cancelled_import_keeps_what_went_in_and_adds_the_rest_the_next_time() {
    let scratch = Scratch::new("store", "cancel-import");
    let mut store = scratch.open();
    let list = || {
        (1u8..=5).map(|n| {
            Account::totp(
                &format!("Issuer {n}"),
                "me",
                Secret::from_bytes(vec![n; 10]),
            )
        })
    };
    let cancel = watchword_core::limits::Cancel::new();
    let stopping = list().enumerate().map(|(i, account)| {
        if i == 2 {
            cancel.cancel();
        }
        account
    });
    let done = store
        .add_all_cancellable(stopping, &cancel)
        .expect("no failure");
    assert_eq!((done.added, done.already_there, done.stopped), (2, 0, true));
    let mut reopened = scratch.open();
    reopened.load().expect("load");
    let issuers: Vec<String> = reopened.summaries().into_iter().map(|s| s.issuer).collect();
    assert_eq!(issuers, ["Issuer 1", "Issuer 2"]);

    let done = reopened.add_all(list()).expect("the rest");
    assert_eq!(
        (done.added, done.already_there, done.stopped),
        (3, 2, false)
    );
    assert_eq!(reopened.summaries().len(), 5);
}
