//! Google Authenticator exports (`otpauth-migration://`) and the
//! classification of decoded QR payloads (issue 3).

use watchword_core::account::{Account, Algorithm, OtpKind};
use watchword_core::migration::{self, EncodeError, EntryProblem, MigrationBatch, MigrationError};
use watchword_core::payload::{self, BatchAdded, BatchTracker, NotOtpKind, QrPayload};
use watchword_core::secret::Secret;
use watchword_core::uri;

/// The export example used throughout public write-ups of the format: one
/// TOTP account "Example:alice@google.com" whose secret is the bytes
/// `Hello!\xde\xad\xbe\xef` (base32 `JBSWY3DPEHPK3PXP`), no algorithm or
/// digits fields (so SHA1 and 6), no batch fields.
const KNOWN_EXPORT: &str =
    "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC";

/// The same payload byte by byte.
const KNOWN_EXPORT_BYTES: &[u8] = &[
    0x0a, 0x31, // field 1 (otp_parameters), 49 bytes
    0x0a, 0x0a, b'H', b'e', b'l', b'l', b'o', b'!', 0xde, 0xad, 0xbe, 0xef, // secret
    0x12, 0x18, b'E', b'x', b'a', b'm', b'p', b'l', b'e', b':', b'a', b'l', b'i', b'c', b'e', b'@',
    b'g', b'o', b'o', b'g', b'l', b'e', b'.', b'c', b'o', b'm', // name
    0x1a, 0x07, b'E', b'x', b'a', b'm', b'p', b'l', b'e', // issuer
    0x30, 0x02, // type = TOTP
];

fn b64(bytes: &[u8]) -> String {
    data_encoding::BASE64.encode(bytes)
}

fn export_of(bytes: &[u8]) -> String {
    format!("otpauth-migration://offline?data={}", b64(bytes))
}

fn decode(uri: &str) -> MigrationBatch {
    match migration::decode(uri) {
        Ok(batch) => batch,
        Err(error) => panic!("{uri}: {error}"),
    }
}

fn secret(b32: &str) -> Secret {
    uri::parse_secret(b32).expect("a valid key")
}

// Protobuf writers for hand-built payloads.
fn varint(mut value: u64) -> Vec<u8> {
    let mut out = Vec::new();
    while value >= 0x80 {
        out.push(value as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
    out
}
fn int_field(number: u64, value: u64) -> Vec<u8> {
    [varint(number << 3), varint(value)].concat()
}
fn bytes_field(number: u64, bytes: &[u8]) -> Vec<u8> {
    [
        varint(number << 3 | 2),
        varint(bytes.len() as u64),
        bytes.to_vec(),
    ]
    .concat()
}

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

fn sample_accounts() -> Vec<Account> {
    let mut hotp = Account::totp(
        "Bank",
        "me+2fa@example.com",
        secret("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
    );
    hotp.kind = OtpKind::Hotp { counter: 10_300 };
    hotp.algorithm = Algorithm::Sha256;
    hotp.digits = 8;
    let mut sha512 = Account::totp("", "no issuer: colon", secret("JBSWY3DPEHPK3PXP"));
    sha512.algorithm = Algorithm::Sha512;
    vec![
        Account::totp("Crédit Agricole", "zoé", secret("ORSXG5A")),
        hotp,
        sha512,
        Account::totp("GitHub", "alice", Secret::from_bytes((0..=255).collect())),
    ]
}

#[test]
fn encode_then_decode_round_trips() {
    let accounts = sample_accounts();
    let uri = migration::encode(&accounts, 1, 2, -123_456).expect("all exportable");
    assert!(uri.starts_with("otpauth-migration://offline?data="));
    assert!(
        !uri[33..].contains(['+', '/', '=']),
        "escaped like the app: {uri}"
    );
    let batch = decode(&uri);
    // An issuer-less name with a colon comes back split, as Google
    // Authenticator would show it.
    let mut expected = accounts.clone();
    expected[2].issuer = "no issuer".into();
    expected[2].name = "colon".into();
    assert_eq!(batch.accounts, expected);
    assert_eq!(
        (
            batch.version,
            batch.batch_index,
            batch.batch_size,
            batch.batch_id
        ),
        (1, 1, 2, -123_456)
    );
}

#[test]
fn encode_refuses_what_the_format_cannot_carry() {
    let mut accounts = sample_accounts();
    accounts[1].kind = OtpKind::Totp { period: 60 };
    assert_eq!(
        migration::encode(&accounts, 0, 1, 0),
        Err(EncodeError::Unrepresentable {
            index: 1,
            label: "Bank (me+2fa@example.com)".into(),
            reason: "its period is not 30 seconds, and the format has no period",
        })
    );
    let mut steam = accounts[0].clone();
    steam.kind = OtpKind::Steam;
    assert!(migration::check_exportable(&steam).is_err());
    let mut seven = accounts[0].clone();
    seven.digits = 7;
    let error = migration::encode(&[seven], 0, 1, 0).expect_err("7 digits");
    assert_eq!(
        error.to_string(),
        "Crédit Agricole (zoé) cannot be exported to Google Authenticator: it has neither 6 nor 8 digits, the only counts the format has"
    );
    let eleven = vec![accounts[0].clone(); 11];
    assert!(matches!(
        migration::encode(&eleven, 0, 1, 0),
        Err(EncodeError::BadBatch { count: 11, .. })
    ));
    assert!(matches!(
        migration::encode(&accounts[..1], 2, 2, 0),
        Err(EncodeError::BadBatch { .. })
    ));
    assert!(matches!(
        migration::encode(&[], 0, 1, 0),
        Err(EncodeError::BadBatch { .. })
    ));
}

#[test]
fn large_exports_split_into_batches_of_ten() {
    let accounts: Vec<Account> = (0..23)
        .map(|i| {
            Account::totp(
                "Site",
                &format!("user{i}"),
                Secret::from_bytes(vec![i as u8 + 1; 10]),
            )
        })
        .collect();
    let codes = migration::encode_batches(&accounts, 77).expect("exportable");
    assert_eq!(codes.len(), 3);
    let batches: Vec<MigrationBatch> = codes.iter().map(|c| decode(c)).collect();
    assert_eq!(
        batches.iter().map(|b| b.accounts.len()).collect::<Vec<_>>(),
        [10, 10, 3]
    );
    assert!(batches
        .iter()
        .enumerate()
        .all(|(i, b)| b.batch_index == i as u32 && b.batch_size == 3 && b.batch_id == 77));
    let all: Vec<Account> = batches.into_iter().flat_map(|b| b.accounts).collect();
    assert_eq!(all, accounts);

    let mut bad = accounts.clone();
    bad[14].digits = 7;
    assert!(matches!(
        migration::encode_batches(&bad, 1),
        Err(EncodeError::Unrepresentable { index: 14, .. })
    ));
}

#[test]
fn secrets_stay_out_of_errors_and_debug_output() {
    let uri = migration::encode(&sample_accounts(), 0, 1, 0).expect("exportable");
    let batch = decode(&uri);
    let shown = format!("{batch:?}");
    assert!(
        !shown.contains("JBSWY3DPEHPK3PXP") && !shown.contains("Hello"),
        "{shown}"
    );
    let md5 = [
        bytes_field(1, b"SECRETBYTES"),
        bytes_field(2, b"n"),
        int_field(4, 4),
    ]
    .concat();
    let batch = decode(&export_of(&bytes_field(1, &md5)));
    let shown = format!("{batch:?} {}", batch.skipped[0]);
    assert!(!shown.contains("SECRETBYTES"), "{shown}");
}

#[test]
fn payloads_are_classified() {
    match payload::classify("otpauth://totp/ACME:bob?secret=JBSWY3DPEHPK3PXP") {
        QrPayload::Account(Ok(account)) => assert_eq!(account.issuer, "ACME"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        payload::classify("OTPAUTH://totp/a?secret=JBSWY3DPEHPK3PXP&digits=12"),
        QrPayload::Account(Err(watchword_core::UriError::DigitsOutOfRange(_)))
    ));
    match payload::classify(KNOWN_EXPORT) {
        QrPayload::Migration(Ok(batch)) => assert_eq!(batch.accounts.len(), 1),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        payload::classify("otpauth-migration://offline?data=%%%"),
        QrPayload::Migration(Err(_))
    ));
    let cases = [
        (
            "https://example.com/login?next=/",
            NotOtpKind::WebLink,
            "This QR code holds a web link, not an authenticator code.",
        ),
        (
            "HTTP://EXAMPLE.COM",
            NotOtpKind::WebLink,
            "This QR code holds a web link, not an authenticator code.",
        ),
        (
            "WIFI:T:WPA;S:home;P:hunter2;;",
            NotOtpKind::WifiNetwork,
            "This QR code holds Wi-Fi network credentials, not an authenticator code.",
        ),
        (
            "BEGIN:VCARD\nVERSION:3.0\nFN:Alice\nEND:VCARD",
            NotOtpKind::Contact,
            "This QR code holds a contact card, not an authenticator code.",
        ),
        (
            "MECARD:N:Alice;TEL:123;;",
            NotOtpKind::Contact,
            "This QR code holds a contact card, not an authenticator code.",
        ),
        (
            "mailto:alice@example.com",
            NotOtpKind::Email,
            "This QR code holds an e-mail address, not an authenticator code.",
        ),
        (
            "tel:+441234567890",
            NotOtpKind::PhoneNumber,
            "This QR code holds a phone number, not an authenticator code.",
        ),
        (
            "geo:48.85,2.35",
            NotOtpKind::Location,
            "This QR code holds a map location, not an authenticator code.",
        ),
        (
            "SMSTO:+441234:hi",
            NotOtpKind::TextMessage,
            "This QR code holds a text message, not an authenticator code.",
        ),
        (
            "BEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT",
            NotOtpKind::CalendarEvent,
            "This QR code holds a calendar event, not an authenticator code.",
        ),
        (
            "bitcoin:bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh",
            NotOtpKind::Payment,
            "This QR code holds a payment address, not an authenticator code.",
        ),
        (
            "steam://open/games",
            NotOtpKind::OtherLink,
            "This QR code holds a link for another app, not an authenticator code.",
        ),
        (
            "JBSWY3DPEHPK3PXP",
            NotOtpKind::PlainText,
            "This QR code holds plain text, not an authenticator code.",
        ),
        (
            "",
            NotOtpKind::PlainText,
            "This QR code holds plain text, not an authenticator code.",
        ),
        (
            "é://ü",
            NotOtpKind::PlainText,
            "This QR code holds plain text, not an authenticator code.",
        ),
    ];
    for (text, kind, message) in cases {
        assert_eq!(payload::classify(text), QrPayload::NotOtp(kind), "{text}");
        assert_eq!(kind.message(), message);
    }
    // The Wi-Fi password is not repeated anywhere.
    assert!(
        !format!("{:?}", payload::classify("WIFI:T:WPA;S:home;P:hunter2;;")).contains("hunter2")
    );
}

fn part(id: i32, index: u32, size: u32) -> MigrationBatch {
    let account = Account::totp(
        "A",
        &format!("{id}-{index}"),
        Secret::from_bytes(vec![1; 10]),
    );
    decode(&migration::encode(&[account], index, size, id).expect("exportable"))
}

#[test]
fn batch_tracking_says_which_parts_are_missing() {
    let mut tracker = BatchTracker::new();
    assert!(tracker.is_complete());
    assert_eq!(tracker.add(&part(7, 0, 3)), BatchAdded::New);
    assert_eq!(tracker.add(&part(7, 2, 3)), BatchAdded::New);
    assert_eq!(tracker.add(&part(7, 2, 3)), BatchAdded::AlreadySeen);
    assert_eq!(tracker.add(&part(-9, 0, 1)), BatchAdded::New);
    let incomplete = tracker.incomplete();
    assert_eq!(incomplete.len(), 1);
    assert_eq!((incomplete[0].batch_id, incomplete[0].batch_size), (7, 3));
    assert_eq!(incomplete[0].missing(), vec![1]);
    assert!(!tracker.is_complete());
    tracker.add(&part(7, 1, 3));
    assert!(tracker.is_complete());
    assert_eq!(tracker.batches().count(), 2);

    let parts = [part(1, 0, 4), part(1, 3, 4), part(2, 1, 2)];
    let missing = payload::missing_batches(&parts);
    let summary: Vec<(i32, Vec<u32>)> = missing.iter().map(|m| (m.batch_id, m.missing())).collect();
    assert_eq!(summary, vec![(1, vec![1, 2]), (2, vec![0])]);
}
