//! Hostile inputs end in their specific error, without a panic, an abort or a
//! long wait (issue 9). Each input is built here (tests/hostile/inputs.rs);
//! times and memory are measured by `examples/hostile.rs` through
//! scripts/hostile.sh, never asserted.

#[path = "hostile/inputs.rs"]
mod inputs;

use watchword_core::enrol::{Enrolment, Input};
use watchword_core::import::{self, ImportError, Read};
use watchword_core::limits::{self, Cancel};
use watchword_core::migration::{self, MigrationError};
use watchword_core::qr::{self, QrError};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../../shared/fixtures/importers/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read_error(bytes: &[u8]) -> ImportError {
    match import::detect_and_read(bytes) {
        Ok((format, _)) => panic!("read as {format} instead of refused"),
        Err(error) => error,
    }
}

fn too_large_reason(error: ImportError) -> String {
    match error {
        ImportError::TooLarge { reason } => reason,
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

// See: issue 9, "One pasted link takes the app down".
#[test]
fn a_link_claiming_two_billion_parts_is_refused() {
    let link = inputs::google_max_parts();
    assert_eq!(
        migration::decode(&link),
        Err(MigrationError::TooManyParts {
            parts: (1 << 31) - 1,
            index: 0
        })
    );
    // The same link pasted into the preview: one note, nothing enumerated.
    let mut enrolment = Enrolment::new();
    let error = enrolment
        .take_in(vec![Input::image(
            "The pasted link",
            Ok(vec![link.clone()]),
        )])
        .expect_err("nothing to add");
    assert!(
        error
            .message
            .contains("more parts than any real export has (1000 at most)"),
        "{}",
        error.message
    );
    // And in a file of links: an entry error, as any damaged line.
    let (_, read) = import::detect_and_read(format!("{link}\n").as_bytes()).expect("reads");
    let Read::Plain(entries) = read else {
        panic!("plain")
    };
    let conversion = entries.convert();
    assert!(conversion.accounts.is_empty());
    assert!(
        conversion.errors[0]
            .reason
            .contains("more parts than any real export has"),
        "{:?}",
        conversion.errors
    );
    let index_too_high = inputs::google_link(3, u64::from(limits::MAX_BATCH_PARTS));
    assert!(matches!(
        migration::decode(&index_too_high),
        Err(MigrationError::TooManyParts { .. })
    ));
}

#[test]
fn missing_parts_are_described_as_ranges_not_listed() {
    // The largest export allowed with every other part seen: 500 gaps.
    let mut enrolment = Enrolment::new();
    let parts = limits::MAX_BATCH_PARTS;
    let links: Vec<String> = (0..parts)
        .step_by(2)
        .map(|i| inputs::google_link(u64::from(parts), u64::from(i)))
        .collect();
    enrolment
        .take_in(vec![Input::image("codes", Ok(links))])
        .expect("accounts");
    let missing = enrolment.missing_parts();
    assert_eq!(missing.len(), 1);
    assert!(
        missing[0].starts_with("Parts 2, 4, 6, 8, 10, 12, 14, 16, 18, 20 and 490 more of 1000"),
        "{}",
        missing[0]
    );
    // Contiguous gaps are ranges.
    let mut enrolment = Enrolment::new();
    enrolment
        .take_in(vec![Input::image(
            "codes",
            Ok(vec![inputs::google_link(900, 4)]),
        )])
        .expect("an account");
    assert!(
        enrolment.missing_parts()[0].starts_with("Parts 1–4 and 6–900 of 900"),
        "{:?}",
        enrolment.missing_parts()
    );
}

// See: issue 9, "A 2 MB FreeOTP backup aborts the CLI".
#[test]
fn freeotp_back_references_are_bounded_by_what_they_copy() {
    let file = inputs::freeotp_back_references(1 << 20, 2 << 20);
    let reason = too_large_reason(read_error(&file));
    assert!(
        reason.contains("decode to more than 16 MB") && reason.contains("back-reference"),
        "{reason}"
    );
    // A few references to a small string are fine (and then need a password).
    let small = inputs::freeotp_back_references(10, 1000);
    assert!(!matches!(
        import::detect_and_read(&small),
        Err(ImportError::TooLarge { .. })
    ));
}

/// FreeOTP 2 keeps its master key's parameters as JSON inside the file:
/// that JSON is held to the same budgets as a file of JSON.
#[test]
fn freeotp_master_key_json_is_within_the_json_budgets() {
    let values = limits::MAX_JSON_VALUES + 1;
    let array = format!("[{}0]", "0,".repeat(values - 1));
    let reason = too_large_reason(read_error(&inputs::freeotp_master_key(&array)));
    assert!(reason.contains("values"), "{reason}");
    // Within them, it is read, and found not to be a master key.
    match read_error(&inputs::freeotp_master_key("[0,0]")) {
        ImportError::Damaged { part, .. } => assert_eq!(part, "masterKey"),
        other => panic!("expected a damaged master key, got {other:?}"),
    }
}

// See: issue 9, "A crafted Aegis vault hangs for hours".
#[test]
fn aegis_key_derivation_over_budget_is_refused_before_any_password() {
    let expect_refused = |vault: String, detail: &str| match read_error(vault.as_bytes()) {
        ImportError::Unsupported { reason, .. } => {
            assert!(
                reason
                    .starts_with("its key derivation asks for more work than any real Aegis vault")
                    && reason.contains(detail),
                "{reason}"
            );
        }
        other => panic!("expected Unsupported, got {other:?}"),
    };
    expect_refused(
        inputs::aegis_max_cost_slots(),
        "header.slots[0] asks for scrypt N = 65536, r = 32, p = 16",
    );
    // Each slot at Aegis' own cost is fine; ten of them are not.
    expect_refused(
        inputs::aegis_slots(10, 1 << 15, 8, 1),
        "10 password slots, 10 times",
    );
    // One slot at four times Aegis' cost still opens (real vaults vary).
    let (_, read) = import::detect_and_read(inputs::aegis_slots(1, 1 << 16, 4, 4).as_bytes())
        .expect("within budget");
    assert!(matches!(read, Read::Encrypted(_)));
    // p alone may not multiply the work.
    expect_refused(inputs::aegis_slots(1, 1 << 15, 8, 16), "p = 16");
    // Nor the memory: N × r over 64 MiB.
    expect_refused(inputs::aegis_slots(1, 1 << 17, 8, 1), "N = 131072, r = 8");
    // Nor the working block beside it: N × r and N × r × p within their
    // budgets, r × p another 64 MiB (and r alone 32 MiB more).
    expect_refused(
        inputs::aegis_slots(1, 2, 1 << 18, 2),
        "N = 2, r = 262144, p = 2",
    );
    // Twice Aegis' N with its r and p is within.
    let (_, read) = import::detect_and_read(inputs::aegis_slots(1, 1 << 16, 8, 1).as_bytes())
        .expect("within budget");
    assert!(matches!(read, Read::Encrypted(_)));
    // Nor a long salt, which scrypt hashes 4 × r × p times: within the
    // cost and memory budgets (N = 2, p = 2^15), a 1 MiB salt would take
    // hours.
    let salt = |bytes: usize| {
        inputs::aegis_slots(1, 2, 1, 1 << 15).replace(
            &format!(r#""salt":"{}""#, "ab".repeat(32)),
            &format!(r#""salt":"{}""#, "ab".repeat(bytes)),
        )
    };
    expect_refused(
        salt(1 << 20),
        "header.slots[0] has a salt of 1048576 bytes; Aegis writes 32",
    );
    expect_refused(salt(65), "a salt of 65 bytes");
    let (_, read) = import::detect_and_read(salt(64).as_bytes()).expect("within budget");
    assert!(matches!(read, Read::Encrypted(_)));
}

#[test]
fn a_wrong_password_on_a_vault_within_budget_is_wrong_password() {
    let (_, read) = import::detect_and_read(inputs::aegis_slots(2, 1 << 10, 8, 1).as_bytes())
        .expect("within budget");
    let Read::Encrypted(backup) = read else {
        panic!("encrypted")
    };
    assert_eq!(
        backup.decrypt("guess").map(|_| ()),
        Err(ImportError::WrongPassword)
    );
}

#[test]
fn key_derivation_and_conversion_can_be_cancelled() {
    let (_, read) = import::detect_and_read(&fixture("aegis_encrypted.json")).expect("fixture");
    let Read::Encrypted(backup) = read else {
        panic!("encrypted")
    };
    let cancel = Cancel::new();
    cancel.cancel();
    assert_eq!(
        backup.decrypt_cancellable("test", &cancel).map(|_| ()),
        Err(ImportError::Cancelled)
    );
    cancel.reset();
    let entries = backup.decrypt_cancellable("test", &cancel).expect("opens");
    cancel.cancel();
    assert_eq!(
        entries.convert_cancellable(&cancel).map(|_| ()),
        Err(ImportError::Cancelled)
    );
    assert_eq!(ImportError::Cancelled.code(), "cancelled");
}

/// A Cancel that comes while the last key derivation runs is obeyed too:
/// the answer is "cancelled", not what the derivation found ("Wrong
/// password" here). The slot takes the largest cost allowed (a few tenths
/// of a second); the Cancel comes 50 ms in, and any moment before the
/// answer gives the same outcome.
#[test]
fn a_cancel_during_the_last_key_derivation_is_obeyed() {
    let vault = inputs::aegis_slots(1, 1 << 16, 8, 2);
    let (_, read) = import::detect_and_read(vault.as_bytes()).expect("within budget");
    let Read::Encrypted(backup) = read else {
        panic!("encrypted")
    };
    let cancel = Cancel::new();
    let outcome = std::thread::scope(|scope| {
        scope.spawn(|| {
            std::thread::sleep(std::time::Duration::from_millis(50));
            cancel.cancel();
        });
        backup.decrypt_cancellable("guess", &cancel).map(|_| ())
    });
    assert_eq!(outcome, Err(ImportError::Cancelled));
}

#[test]
fn other_formats_key_derivation_is_capped() {
    // FreeOTP 2: a master key asking for ten million PBKDF2 iterations.
    let master = r#"{"mAlgorithm":"PBKDF2withHmacSHA512","mIterations":10000000,"mSalt":[1,2],"mEncryptedKey":{}}"#;
    let mut file = inputs::freeotp_back_references(0, 0);
    // Rebuild with a real masterKey value: a TC_STRING in place of the long one.
    file.truncate(file.len() - 1 - 10 - 8 - 1);
    file.push(0x74);
    file.extend_from_slice(&(master.len() as u16).to_be_bytes());
    file.extend_from_slice(master.as_bytes());
    file.push(0x78);
    // size was pairs + 1 = 2: patch it to 1.
    let at = file
        .windows(2)
        .position(|w| w == [0x77, 0x08])
        .expect("size block")
        + 6;
    file[at..at + 4].copy_from_slice(&1u32.to_be_bytes());
    match read_error(&file) {
        ImportError::Unsupported { reason, .. } => assert!(
            reason.contains("more work than any real FreeOTP backup (10000000 PBKDF2 iterations"),
            "{reason}"
        ),
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

// See: issue 9, "Many bad entries flood the output".
#[test]
fn many_broken_entries_are_summarised() {
    let (_, read) = import::detect_and_read(inputs::broken_lines(5_000).as_bytes()).expect("reads");
    let Read::Plain(entries) = read else {
        panic!("plain")
    };
    let conversion = entries.convert();
    assert_eq!(conversion.errors.len(), 5_000);
    let (first, more) = conversion.error_summary();
    assert_eq!(
        (first.len(), more),
        (limits::MAX_REPORTED_ENTRY_ERRORS, 4_995)
    );
    // The preview says the first five and a count.
    let mut enrolment = Enrolment::new();
    enrolment.add_conversion("broken.txt", &conversion);
    let notes = enrolment.notes();
    assert_eq!(notes.len(), 6, "{notes:?}");
    assert_eq!(
        notes[5].message,
        "4995 more entries were not imported (5000 of 5000 entries in all)."
    );
}

#[test]
fn more_entries_than_the_budget_are_refused() {
    for text in [
        inputs::broken_lines(200_000),
        inputs::good_lines(limits::MAX_ENTRIES + 1),
    ] {
        let reason = too_large_reason(read_error(text.as_bytes()));
        assert!(
            reason.contains("more than the 10000 Watchword reads from one file"),
            "{reason}"
        );
    }
    // Exactly the budget reads.
    assert!(import::detect_and_read(inputs::good_lines(limits::MAX_ENTRIES).as_bytes()).is_ok());
    // A Google export stops decoding at the first entry over (each of its
    // lines may hold thousands): the count it names is a lower bound.
    let export = format!(
        "{}\n{}",
        inputs::google_link(1, 0),
        inputs::good_lines(limits::MAX_ENTRIES + 50)
    );
    let reason = too_large_reason(read_error(export.as_bytes()));
    assert!(
        reason.contains("it holds at least 10001 entries, more than the 10000"),
        "{reason}"
    );
}

#[test]
fn de_duplication_keeps_the_first_of_each_account() {
    // Ten thousand accounts twice over: linear, and the first kept.
    let (_, read) = import::detect_and_read(inputs::good_lines(5_000).as_bytes()).expect("reads");
    let Read::Plain(entries) = read else {
        panic!("plain")
    };
    let accounts = entries.convert().accounts;
    let mut twice = accounts.clone();
    twice.extend(accounts.iter().cloned().map(|mut a| {
        a.issuer = a.issuer.to_uppercase();
        a
    }));
    let (new, skipped) = import::partition_new(twice.clone(), &accounts[..10]);
    assert_eq!((new.len(), skipped), (4_990, 5_010));
    assert_eq!(new[0].issuer, "Site10", "the first one is kept, in order");
    let mut enrolment = Enrolment::new();
    for account in twice {
        enrolment.add_payload("x", &watchword_core::uri::format(&account));
    }
    assert_eq!(enrolment.accounts().len(), 5_000);
    assert_eq!(enrolment.accounts()[0].issuer, "Site0");
}

#[test]
fn json_nesting_and_width_are_bounded() {
    let reason = too_large_reason(read_error(inputs::json_deep(100_000).as_bytes()));
    assert!(reason.contains("nests deeper than 64 levels"), "{reason}");
    let reason = too_large_reason(read_error(inputs::json_wide(1_000_000).as_bytes()));
    assert!(reason.contains("more than 500000 values"), "{reason}");
}

#[test]
fn xml_entities_and_node_floods_are_refused() {
    match read_error(inputs::xml_billion_laughs().as_bytes()) {
        ImportError::Damaged { reason, .. } => {
            assert!(reason.contains("declares a DTD"), "{reason}")
        }
        other => panic!("expected Damaged, got {other:?}"),
    }
    let reason = too_large_reason(read_error(inputs::xml_many_nodes(300_000).as_bytes()));
    assert!(reason.contains("more than 200000 nodes"), "{reason}");
}

#[test]
fn an_image_header_claiming_ten_gigapixels_is_refused_unread() {
    let png = inputs::png_header(100_000, 100_000);
    assert_eq!(
        qr::decode_image(&png),
        Err(QrError::TooLarge {
            width: 100_000,
            height: 100_000
        })
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bomb.png");
    std::fs::write(&path, &png).expect("written");
    let mut enrolment = Enrolment::new();
    let error = enrolment
        .take_in(vec![Input::from_file(&path)])
        .expect_err("nothing");
    assert_eq!(error.code, "image_too_large");
}

#[test]
fn a_huge_key_field_is_an_entry_error() {
    let (_, read) =
        import::detect_and_read(inputs::steam_huge_key(3 << 20).as_bytes()).expect("reads");
    let Read::Plain(entries) = read else {
        panic!("plain")
    };
    let conversion = entries.convert();
    assert!(conversion.accounts.is_empty());
    assert_eq!(
        conversion.errors[0].reason,
        "the secret key is 3145728 bytes long, longer than any real key (1024 at most)"
    );
}

#[test]
fn backup_files_over_the_size_limit_are_refused_before_reading() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("big.txt");
    let file = std::fs::File::create(&path).expect("created");
    file.set_len(limits::MAX_BACKUP_BYTES + 1)
        .expect("sparse file");
    let reason = too_large_reason(import::read_file(&path).expect_err("refused"));
    assert!(
        reason.starts_with("it is 8.4 MB, larger than any authenticator backup (8 MB at most"),
        "{reason}"
    );
    // The preview says the same about a dropped file.
    let mut enrolment = Enrolment::new();
    let error = enrolment
        .take_in(vec![Input::from_file(&path)])
        .expect_err("nothing");
    assert_eq!(error.code, "too_large");
    // In memory too.
    assert!(matches!(
        import::detect_and_read(&vec![b' '; limits::MAX_BACKUP_BYTES as usize + 1]),
        Err(ImportError::TooLarge { .. })
    ));
}
