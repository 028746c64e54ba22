use super::*;
use crate::migration;
use crate::secret::Secret;

fn account(issuer: &str, name: &str, key: &[u8]) -> Account {
    Account::totp(issuer, name, Secret::from_bytes(key.to_vec()))
}

#[test]
fn one_uri_gives_one_account_and_a_repeat_is_ignored() {
    let mut enrolment = Enrolment::new();
    let uri = "otpauth://totp/GitHub:me?secret=JBSWY3DPEHPK3PXP&issuer=GitHub";
    assert_eq!(enrolment.add_payload("a.png", uri), 1);
    assert_eq!(enrolment.add_payload("b.png", uri), 0);
    assert_eq!(enrolment.accounts().len(), 1);
    assert_eq!(enrolment.accounts()[0].issuer, "GitHub");
    assert!(enrolment.notes().is_empty());
}

#[test]
fn other_payloads_become_notes_that_name_the_kind_not_the_content() {
    let mut enrolment = Enrolment::new();
    enrolment.add_payload("wifi.png", "WIFI:S:home;T:WPA;P:hunter2;;");
    enrolment.add_decoded("cat.png", Err(QrError::NoCode));
    let notes = enrolment.notes();
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0].code, "wifi");
    assert!(notes[0].message.contains("Wi-Fi"), "{}", notes[0].message);
    assert!(!notes[0].message.contains("hunter2"));
    assert_eq!(notes[1].source, "cat.png");
    assert_eq!(notes[1].message, "No QR code found in this image");
    assert!(enrolment.accounts().is_empty());
}

#[test]
fn a_bad_otpauth_uri_is_a_note_without_the_secret() {
    let mut enrolment = Enrolment::new();
    enrolment.add_payload("x", "otpauth://totp/A?secret=AB1CDEFG");
    let note = &enrolment.notes()[0];
    assert_eq!(note.code, "invalid_otpauth");
    assert!(note.message.contains("position 3"), "{}", note.message);
    assert!(!note.message.contains("AB1CDEFG"));
}

#[test]
fn an_export_in_three_parts_reports_what_is_missing_until_complete() {
    let accounts: Vec<Account> = (0..25u8)
        .map(|i| account("Shop", &format!("user{i}"), &[i + 1; 10]))
        .collect();
    let parts = migration::encode_batches(&accounts, 7).expect("encodable");
    assert_eq!(parts.len(), 3, "25 accounts at 10 per code");

    let mut enrolment = Enrolment::new();
    assert_eq!(enrolment.add_payload("p2", &parts[1]), 10);
    assert_eq!(
        enrolment.missing_parts(),
        [
            "Parts 1 and 3 of 3 of a Google Authenticator export have not been added yet: \
              add the other QR codes it showed."
        ]
    );
    // The same screenshot again adds nothing.
    assert_eq!(enrolment.add_payload("p2 again", &parts[1]), 0);
    assert_eq!(enrolment.add_payload("p1", &parts[0]), 10);
    assert_eq!(
        enrolment.missing_parts(),
        [
            "Part 3 of 3 of a Google Authenticator export has not been added yet: \
              add the other QR codes it showed."
        ]
    );
    assert_eq!(enrolment.add_payload("p3", &parts[2]), 5);
    assert!(enrolment.missing_parts().is_empty());
    let names: Vec<&str> = enrolment
        .accounts()
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names.len(), 25);
    assert!(names.contains(&"user0") && names.contains(&"user24"));
}

// See: review of the importers, "a second export link that claims the
// same part (no batch id, part 1 of 1) gives 0 accounts and no note".
#[test]
fn different_links_claiming_the_same_part_all_add_their_accounts() {
    let link = |issuer: &str, key: u8| {
        migration::encode(&[account(issuer, "me", &[key; 10])], 0, 1, 0).expect("exportable")
    };
    let mut enrolment = Enrolment::new();
    assert_eq!(enrolment.add_payload("shop.png", &link("Shop", 1)), 1);
    assert_eq!(enrolment.add_payload("bank.png", &link("Bank", 2)), 1);
    // The same code again still adds nothing.
    assert_eq!(enrolment.add_payload("bank again.png", &link("Bank", 2)), 0);
    let issuers: Vec<&str> = enrolment
        .accounts()
        .iter()
        .map(|a| a.issuer.as_str())
        .collect();
    assert_eq!(issuers, ["Shop", "Bank"]);
    assert!(enrolment.missing_parts().is_empty());
    assert!(enrolment.notes().is_empty(), "{:?}", enrolment.notes());

    // Dropped together, as the window takes them.
    let mut enrolment = Enrolment::new();
    enrolment
        .take_in(vec![
            Input::image("shop.png", Ok(vec![link("Shop", 1)])),
            Input::image("bank.png", Ok(vec![link("Bank", 2)])),
        ])
        .expect("accounts");
    assert_eq!(enrolment.accounts().len(), 2);
}

#[test]
fn a_backup_adds_its_accounts_and_a_note_per_unreadable_entry() {
    use crate::import::EntryError;
    let conversion = Conversion {
        accounts: vec![
            account("Shop", "me", &[7; 10]),
            account("Bank", "me", &[8; 10]),
        ],
        errors: vec![EntryError {
            index: 2,
            name: Some("Forum (me)".into()),
            reason: "the secret is empty".into(),
        }],
        not_kept: vec!["custom icons".into(), "favourites".into()],
    };
    let mut enrolment = Enrolment::new();
    assert_eq!(enrolment.add_conversion("backup.json", &conversion), 2);
    assert_eq!(
        enrolment.add_conversion("backup.json", &conversion),
        0,
        "no repeats"
    );
    assert_eq!(enrolment.accounts().len(), 2);
    assert_eq!(enrolment.notes().len(), 2, "the notes are not repeated");
    let note = &enrolment.notes()[0];
    assert_eq!(note.code, "skipped_entry");
    assert_eq!(
        note.message,
        "Entry 3 (Forum (me)) was not imported: the secret is empty"
    );
    let not_kept = &enrolment.notes()[1];
    assert_eq!(not_kept.code, "not_kept");
    assert_eq!(
        not_kept.message,
        "This file also holds custom icons and favourites, which Watchword does not keep."
    );
}

#[test]
fn same_key_and_issuer_under_two_names_are_two_accounts() {
    let mut enrolment = Enrolment::new();
    let a = "otpauth://totp/Shop:alice?secret=JBSWY3DPEHPK3PXP&issuer=Shop";
    let b = "otpauth://totp/Shop:bob?secret=JBSWY3DPEHPK3PXP&issuer=Shop";
    enrolment.add_payload("x", a);
    enrolment.add_payload("x", b);
    assert_eq!(enrolment.accounts().len(), 2);
}

/// A Google export link of `empty` entries that hold nothing, then one
/// account if `and_one`.
fn link_of_empty_entries(empty: usize, and_one: bool) -> String {
    let mut data = [0x0a, 0x00].repeat(empty);
    if and_one {
        // Entry: secret "Hello!" (field 1), name "Shop:me" (field 2), TOTP.
        let entry = [
            &[0x0a, 0x06][..],
            b"Hello!",
            &[0x12, 0x07],
            b"Shop:me",
            &[0x30, 0x02],
        ]
        .concat();
        data.extend([0x0a, u8::try_from(entry.len()).expect("short")]);
        data.extend(entry);
    }
    let data = data_encoding::BASE64.encode(&data);
    let data = percent_encoding::utf8_percent_encode(&data, percent_encoding::NON_ALPHANUMERIC);
    format!("otpauth-migration://offline?data={data}")
}

#[test]
fn thousands_of_empty_entries_in_a_link_are_counted_not_listed() {
    let mut enrolment = Enrolment::new();
    let link = link_of_empty_entries(20_000, true);
    assert_eq!(enrolment.add_payload("link", &link), 1);
    assert_eq!(enrolment.accounts()[0].issuer, "Shop");
    let notes = enrolment.notes();
    assert_eq!(
        notes.len(),
        limits::MAX_REPORTED_ENTRY_ERRORS + 1,
        "{notes:?}"
    );
    assert!(notes[..5].iter().all(|note| note.code == "skipped_entry"));
    assert_eq!(notes[5].code, "skipped_entries");
    assert_eq!(
        notes[5].message,
        "In this export, 19995 more entries were skipped (20000 of 20001 entries in all)."
    );
    let mut one_more = Enrolment::new();
    one_more.add_payload("link", &link_of_empty_entries(6, true));
    assert_eq!(
        one_more.notes()[5].message,
        "In this export, 1 more entry was skipped (6 of 7 entries in all)."
    );
    // With nothing to add, the error that says why stays short (it was
    // one line an entry, megabytes of it).
    let error = Enrolment::new()
        .take_in(vec![Input::image(
            "link",
            Ok(vec![link_of_empty_entries(20_000, false)]),
        )])
        .expect_err("nothing to add");
    assert_eq!(error.message.lines().count(), 6, "{}", error.message);
}

/// Sources that hold more accounts together than a preview may (32 export
/// links at once, several big backups) fill it to the limit; the rest are
/// left out with one note per source, and a repeat is still only a repeat.
#[test]
fn a_preview_holds_a_bounded_number_of_accounts() {
    let many = |issuer: &str| Conversion {
        accounts: (0..6_000u32)
            .map(|i| account(issuer, &format!("user{i}"), &i.to_be_bytes().repeat(3)))
            .collect(),
        errors: Vec::new(),
        not_kept: Vec::new(),
    };
    let mut enrolment = Enrolment::new();
    assert_eq!(enrolment.add_conversion("a.json", &many("A")), 6_000);
    assert_eq!(enrolment.add_conversion("a.json", &many("A")), 0, "repeats");
    assert!(enrolment.notes().is_empty(), "{:?}", enrolment.notes());
    assert_eq!(
        enrolment.add_conversion("b.json", &many("B")),
        limits::MAX_PREVIEW_ACCOUNTS - 6_000
    );
    assert_eq!(enrolment.add_conversion("c.json", &many("C")), 0);
    assert_eq!(enrolment.accounts().len(), limits::MAX_PREVIEW_ACCOUNTS);
    let notes = enrolment.notes();
    assert_eq!(notes.len(), 2, "one note a source: {notes:?}");
    assert_eq!(
        (notes[0].source.as_str(), notes[0].code),
        ("b.json", ErrorCode::PreviewFull)
    );
    assert_eq!(notes[1].source, "c.json");
    assert_eq!(
        notes[0].message,
        "A preview holds 10000 accounts at most, so the rest were left out: add these, then \
         bring in what is missing again."
    );

    // Brought in at once (a drop of several files): the same bound.
    let mut at_once = Enrolment::new();
    let backup = |source: &str, issuer: &str| Input::Backup {
        source: source.into(),
        conversion: many(issuer),
    };
    at_once
        .take_in(vec![backup("a.json", "A"), backup("b.json", "B")])
        .expect("accounts found");
    at_once
        .take_in(vec![backup("c.json", "C")])
        .expect("accounts found");
    assert_eq!(at_once.accounts().len(), limits::MAX_PREVIEW_ACCOUNTS);
    let sources: Vec<&str> = at_once.notes().iter().map(|n| n.source.as_str()).collect();
    assert_eq!(sources, ["b.json", "This preview"]);
}

/// A link to a Shop account named `name`, as another program opens it.
fn link(source: &str, name: &str, key: &str) -> Input {
    Input::image(
        source,
        Ok(vec![format!(
            "otpauth://totp/Shop:{name}?secret={key}&issuer=Shop"
        )]),
    )
}

#[test]
fn a_link_from_outside_opens_a_preview_asked_and_joins_one_unasked() {
    // Into an empty enrolment: the preview is the link's own.
    let mut enrolment = Enrolment::new();
    enrolment
        .take_in_unasked(vec![link("a link", "first", "JBSWY3DPEHPK3PXP")], false)
        .expect("one account");
    assert!(enrolment.asked(0));

    // Into one already holding an account: it joins unasked, the first
    // stays asked, and so they stay.
    enrolment
        .take_in_unasked(vec![link("a link", "second", "KRSXG5CTMVRXEZLU")], false)
        .expect("one account");
    assert_eq!(enrolment.accounts().len(), 2);
    assert!(enrolment.asked(0));
    assert!(!enrolment.asked(1));
    enrolment
        .take_in(vec![link("a drop", "third", "MFRGGZDFMZTWQ2LK")])
        .expect("one account");
    assert!(!enrolment.asked(1));
    assert!(enrolment.asked(2), "the user's own drop is asked for");

    // Into an empty one that was shown (its backup's password asked for,
    // the backup taken out to be tried): the preview is on screen.
    let mut opening = Enrolment::new();
    opening.shown();
    opening
        .take_in_unasked(
            vec![link("a link", "while opening", "JBSWY3DPEHPK3PXP")],
            false,
        )
        .expect("one account");
    assert!(!opening.asked(0));

    // Into an empty one while an adding holds the preview on screen.
    let mut after_adding = Enrolment::new();
    after_adding
        .take_in_unasked(vec![link("a link", "fourth", "JBSWY3DPEHPK3PXP")], true)
        .expect("one account");
    assert!(!after_adding.asked(0));

    // Added from a view of the first two: the third stays, unasked, in an
    // enrolment of its own.
    let id = enrolment.id();
    let rest = enrolment.arrived_after(2);
    assert_ne!(rest.id(), id);
    assert_eq!(rest.accounts().len(), 1);
    assert_eq!(rest.accounts()[0].name, "third");
    assert!(!rest.asked(0));
    assert!(Enrolment::new().arrived_after(0).accounts().is_empty());
}

/// What no choice was made about stays through an Add or a Cancel: an
/// encrypted backup still waiting for its password, and the parts of an
/// export still missing (so that the next part is known as such).
#[test]
fn a_backup_waiting_for_its_password_and_missing_parts_outlive_an_add() {
    let accounts: Vec<Account> = (0..25u8)
        .map(|i| account("Shop", &format!("user{i}"), &[i + 1; 10]))
        .collect();
    let parts = migration::encode_batches(&accounts, 7).expect("encodable");
    let aegis = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/fixtures/importers/aegis_encrypted.json"
    ))
    .expect("the encrypted Aegis fixture");

    let mut enrolment = Enrolment::new();
    assert_eq!(enrolment.add_payload("p1", &parts[0]), 10);
    enrolment
        .take_in(vec![Input::from_bytes("vault.json".into(), &aegis)])
        .expect("an encrypted backup");
    assert_eq!(enrolment.locked().len(), 1);

    let mut rest = enrolment.arrived_after(10);
    assert!(rest.accounts().is_empty());
    assert_eq!(rest.locked().len(), 1, "the backup still waits");
    assert_eq!(rest.locked()[0].source(), "vault.json");
    assert_eq!(rest.add_payload("p2", &parts[1]), 10);
    assert_eq!(
        rest.missing_parts(),
        [
            "Part 3 of 3 of a Google Authenticator export has not been added yet: \
              add the other QR codes it showed."
        ],
        "part 1 was seen before the add"
    );

    // Closed instead: only an account that joined after the view stays.
    let mut closing = Enrolment::new();
    assert_eq!(closing.add_payload("p1", &parts[0]), 10);
    closing
        .take_in(vec![Input::from_bytes("vault.json".into(), &aegis)])
        .expect("an encrypted backup");
    closing
        .take_in_unasked(vec![link("a link", "late", "JBSWY3DPEHPK3PXP")], false)
        .expect("one account");
    let left = closing.closed_after(10);
    assert!(left.locked().is_empty());
    assert_eq!(left.accounts().len(), 1);
    assert!(!left.asked(0));
    assert!(left.missing_parts().is_empty());
}

#[test]
fn every_enrolment_has_its_own_id() {
    let (a, b) = (Enrolment::new(), Enrolment::new());
    assert_ne!(a.id(), b.id());
    let mut a2 = a;
    let id = a2.id();
    a2.add_payload("x", "otpauth://totp/A?secret=JBSWY3DPEHPK3PXP");
    assert_eq!(a2.id(), id, "taking more in keeps the id");
}

/// A backup opened to bring back accounts that left the keychain: only
/// they are ticked, the rest of it offered unticked; a backup in which
/// none is named so proposes all it holds.
#[test]
fn a_backup_opened_to_bring_some_back_proposes_only_them() {
    let aegis = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/fixtures/importers/aegis_encrypted.json"
    ))
    .expect("the encrypted Aegis fixture");
    // `stored_issuer`: the issuer of the account stored already, if any.
    let open_replaced =
        |names: Vec<(String, String)>, replaced_keys: Vec<String>, stored_issuer: Option<&str>| {
            let mut enrolment = Enrolment::new();
            enrolment
                .take_in(vec![Input::from_bytes("vault.json".into(), &aegis)
                    .proposing(Proposal {
                        names,
                        replaced_keys,
                    })])
                .expect("an encrypted backup");
            let locked = enrolment.take_locked().expect("waiting for its password");
            let entries = locked.decrypt("test");
            enrolment
                .opened_beside(locked, entries, |account| {
                    Some(account.issuer.as_str()) == stored_issuer
                })
                .expect("opened");
            enrolment
        };
    let open = |names, stored_issuer| open_replaced(names, Vec::new(), stored_issuer);
    let all = open(Vec::new(), None);
    let held: Vec<(String, String)> = all
        .accounts()
        .iter()
        .map(|a| (a.issuer.clone(), a.name.clone()))
        .collect();
    assert!(held.len() > 2, "{held:?}");
    assert!(
        (0..held.len()).all(|i| all.proposed(i)),
        "no name matches: all proposed"
    );

    let some = open(
        vec![held[1].clone(), ("Elsewhere".into(), "me".into())],
        None,
    );
    let proposed: Vec<usize> = (0..held.len()).filter(|&i| some.proposed(i)).collect();
    assert_eq!(proposed, [1]);
    assert!(
        (0..held.len()).all(|i| some.asked(i)),
        "offered, not unasked"
    );
    let said: Vec<(&str, ErrorCode, &str)> = some
        .notes()
        .iter()
        .map(|n| (n.source.as_str(), n.code, n.message.as_str()))
        .collect();
    let expected = format!(
        "Only the accounts that left the keychain are ticked; {} more from this backup are \
         there to tick.",
        held.len() - 1
    );
    assert_eq!(
        said,
        [("vault.json", ErrorCode::OthersNotTicked, expected.as_str())]
    );
    assert!(all.notes().is_empty());

    // One of the others stored already (marked, not to tick): not counted.
    let beside = open(vec![held[1].clone()], Some(&held[0].0));
    let expected = format!(
        "Only the accounts that left the keychain are ticked; {} more from this backup are \
         there to tick.",
        held.len() - 2
    );
    assert_eq!(beside.notes()[0].message, expected);

    // One of those named listed again since with another key: offered
    // unticked too, and said why; known by its key, whatever its name in
    // the backup (a case changed since, say).
    let key = |i: usize| all.accounts()[i].key_check();
    let replaced = open_replaced(vec![held[1].clone(), held[2].clone()], vec![key(2)], None);
    let proposed: Vec<usize> = (0..held.len()).filter(|&i| replaced.proposed(i)).collect();
    assert_eq!(proposed, [1]);
    let said: Vec<&str> = replaced
        .notes()
        .iter()
        .map(|n| n.message.as_str())
        .collect();
    let name = |i: usize| all.accounts()[i].display_name();
    assert_eq!(
        said,
        [
            format!(
                "Besides the accounts that left the keychain, {} more from this backup are \
                 there to tick.",
                held.len() - 2
            ),
            format!(
                "{} is not ticked: listed again since with another key. If its service gave \
                 you that new key, the old one no longer works.",
                name(2)
            )
        ]
    );
    // The only one named replaced, and not under its name: nothing ticked.
    let only = open_replaced(vec![("GITHUB".into(), "ME".into())], vec![key(0)], None);
    assert!((0..held.len()).all(|i| !only.proposed(i)));
    assert_eq!(
        only.notes()[1].message,
        format!(
            "{} is not ticked: listed again since with another key. If its service gave you \
             that new key, the old one no longer works.",
            name(0)
        )
    );
}
