//! Reading exports: the known example, every field, damaged entries skipped
//! alone, the spellings in the wild, and the errors that stop a whole export.

use super::*;

#[test]
fn the_known_export_decodes() {
    assert_eq!(export_of(KNOWN_EXPORT_BYTES), KNOWN_EXPORT);
    let batch = decode(KNOWN_EXPORT);
    assert_eq!(
        batch.accounts,
        vec![Account::totp(
            "Example",
            "alice@google.com",
            secret("JBSWY3DPEHPK3PXP")
        )]
    );
    assert!(batch.skipped.is_empty());
    assert_eq!(
        (batch.batch_size, batch.batch_index, batch.batch_id),
        (1, 0, 0)
    );
}

#[test]
fn every_field_of_a_hand_built_export() {
    let hotp = [
        bytes_field(1, b"12345678901234567890"),
        bytes_field(2, b"bob@example.com"),
        bytes_field(3, b"ACME"),
        int_field(4, 2), // SHA256
        int_field(5, 2), // eight digits
        int_field(6, 1), // HOTP
        int_field(7, 300),
        // Fields a newer app might add: skipped.
        int_field(15, 9),
        [varint(16 << 3 | 5), vec![1, 2, 3, 4]].concat(),
        [varint(17 << 3 | 1), vec![0; 8]].concat(),
        bytes_field(18, b"future"),
    ]
    .concat();
    let totp = [
        bytes_field(1, &[0xff; 32]),
        bytes_field(2, b"GitHub:alice"),
        bytes_field(3, b"GitHub"),
        int_field(4, 3), // SHA512
        int_field(5, 1),
        int_field(6, 2),
    ]
    .concat();
    let md5 = [
        bytes_field(1, b"abc"),
        bytes_field(2, b"old@example.com"),
        bytes_field(3, b"Legacy"),
        int_field(4, 4),
    ]
    .concat();
    let odd_type = [
        bytes_field(1, b"abc"),
        bytes_field(2, b"x"),
        int_field(6, 7),
    ]
    .concat();
    let payload = [
        bytes_field(1, &hotp),
        bytes_field(1, &md5),
        bytes_field(1, &totp),
        bytes_field(1, &odd_type),
        int_field(2, 1),
        int_field(3, 3),
        int_field(4, 2),
        // batch_id -5, an int32 sign-extended to ten bytes.
        int_field(5, (-5i64) as u64),
        int_field(99, 1),
    ]
    .concat();
    let batch = decode(&export_of(&payload));
    assert_eq!(batch.accounts.len(), 2);
    assert_eq!(
        batch.accounts[0],
        Account {
            issuer: "ACME".into(),
            name: "bob@example.com".into(),
            secret: Secret::from_bytes(b"12345678901234567890".to_vec()),
            algorithm: Algorithm::Sha256,
            digits: 8,
            kind: OtpKind::Hotp { counter: 300 },
            note: None,
            groups: Vec::new(),
        }
    );
    let github = &batch.accounts[1];
    assert_eq!(
        (github.issuer.as_str(), github.name.as_str()),
        ("GitHub", "alice")
    );
    assert_eq!(github.algorithm, Algorithm::Sha512);
    assert_eq!(github.kind, OtpKind::Totp { period: 30 });
    assert_eq!(
        (
            batch.version,
            batch.batch_size,
            batch.batch_index,
            batch.batch_id
        ),
        (1, 3, 2, -5)
    );

    // One bad entry never sinks the others; each says why.
    assert_eq!(batch.skipped.len(), 2);
    assert_eq!(batch.skipped[0].index, 1);
    assert_eq!(
        batch.skipped[0].problem,
        EntryProblem::UnsupportedAlgorithm("MD5".into())
    );
    assert_eq!(
        batch.skipped[0].to_string(),
        "account 2 (Legacy (old@example.com)) was skipped: it uses the MD5 algorithm, which Watchword does not support"
    );
    assert_eq!(batch.skipped[1].problem, EntryProblem::UnsupportedType(7));
    assert_eq!(
        batch.skipped[1].to_string(),
        "account 4 (x) was skipped: its type (code 7) is neither TOTP nor HOTP"
    );
}

#[test]
fn damaged_entries_and_empty_secrets_are_skipped_alone() {
    let good = [bytes_field(1, b"abcdefghij"), bytes_field(2, b"ok")].concat();
    // An entry whose inner string claims more bytes than the entry holds.
    let damaged = [bytes_field(2, b"broken"), vec![0x1a, 0x40, b'x']].concat();
    let empty = [bytes_field(2, b"empty"), int_field(5, 2)].concat();
    let eight_digits_unknown = [bytes_field(1, b"k"), int_field(5, 3)].concat();
    let payload = [
        bytes_field(1, &damaged),
        bytes_field(1, &good),
        bytes_field(1, &empty),
        bytes_field(1, &eight_digits_unknown),
    ]
    .concat();
    let batch = decode(&export_of(&payload));
    assert_eq!(batch.accounts.len(), 1);
    assert_eq!(batch.accounts[0].name, "ok");
    let problems: Vec<_> = batch
        .skipped
        .iter()
        .map(|s| (s.index, s.problem.clone()))
        .collect();
    assert_eq!(
        problems,
        vec![
            (
                0,
                EntryProblem::Malformed {
                    offset: 8,
                    reason: "a field runs past the end of the data (truncated)"
                }
            ),
            (2, EntryProblem::EmptySecret),
            (3, EntryProblem::UnsupportedDigits(3)),
        ]
    );
}

#[test]
fn data_in_every_spelling_people_and_tools_produce() {
    // Bytes whose base64 holds `+`, `/` and padding.
    let secret = [0x0f, 0xbf, 0xff, 0xfb, 0xef, 0xbf];
    let payload = bytes_field(
        1,
        &[bytes_field(1, &secret), bytes_field(2, b"me")].concat(),
    );
    let standard = b64(&payload);
    assert!(
        standard.contains('+') && standard.contains('/') && standard.ends_with('='),
        "{standard}"
    );
    let expected = decode(&format!("otpauth-migration://offline?data={standard}"));
    assert_eq!(expected.accounts[0].secret.expose(), &secret);
    let spellings = [
        standard
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D"),
        standard.replace('+', "%2b").replace('/', "%2f"),
        standard.trim_end_matches('=').to_owned(),
        standard.replace('+', " "),
        standard
            .replace('+', "-")
            .replace('/', "_")
            .trim_end_matches('=')
            .to_owned(),
    ];
    for data in spellings {
        for prefix in [
            "otpauth-migration://offline?data=",
            "OTPAUTH-MIGRATION://offline/?DATA=",
            "otpauth-migration://offline?x=1&data=",
        ] {
            let uri = format!("{prefix}{data}");
            assert_eq!(decode(&uri), expected, "{uri}");
        }
    }
}

#[test]
fn errors_that_stop_the_whole_export() {
    let cases: Vec<(&str, MigrationError, &str)> = vec![
        ("otpauth://totp/a?secret=AAAA", MigrationError::NotMigration, "not a Google Authenticator export (otpauth-migration://offline)"),
        ("otpauth-migration://online?data=CjE", MigrationError::NotMigration, "not a Google Authenticator export (otpauth-migration://offline)"),
        ("otpauth-migration://offline", MigrationError::MissingData, "the Google Authenticator export has no data"),
        ("otpauth-migration://offline?data=", MigrationError::MissingData, "the Google Authenticator export has no data"),
        ("otpauth-migration://offline?dat=CjE", MigrationError::MissingData, "the Google Authenticator export has no data"),
        ("otpauth-migration://offline?data=CjEK!gh", MigrationError::BadBase64 { position: 5 }, "the Google Authenticator export data is not valid base64 (bad character at position 5); the QR code may have been copied incompletely"),
        ("otpauth-migration://offline?data=C", MigrationError::BadBase64 { position: 1 }, "the Google Authenticator export data is not valid base64 (bad character at position 1); the QR code may have been copied incompletely"),
    ];
    for (uri, error, message) in cases {
        assert_eq!(migration::decode(uri), Err(error.clone()), "{uri}");
        assert_eq!(error.to_string(), message);
    }
    // Truncated: the first entry says 49 bytes, 20 are left.
    let truncated = export_of(&KNOWN_EXPORT_BYTES[..22]);
    let error = migration::decode(&truncated).expect_err("truncated");
    assert_eq!(
        error,
        MigrationError::Malformed {
            offset: 0,
            reason: "a field runs past the end of the data (truncated)"
        }
    );
    assert_eq!(
        error.to_string(),
        "the Google Authenticator export data is damaged at byte 0: a field runs past the end of the data (truncated)"
    );
    // A group (wire type 3) is not part of this schema.
    let error = migration::decode(&export_of(&[0x0b, 0x00])).expect_err("bad wire type");
    assert_eq!(
        error,
        MigrationError::Malformed {
            offset: 0,
            reason: "a field has an unknown encoding"
        }
    );
    // Garbage that happens to be base64 never panics.
    for data in ["AAAA", "////", "gICAgICAgICAgIAB", "CP////////////8B"] {
        let _ = migration::decode(&format!("otpauth-migration://offline?data={data}"));
    }
}
