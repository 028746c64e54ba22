use super::*;
use crate::secret::Secret;

fn account_with(issuer: &str, secret: &[u8]) -> Account {
    Account::totp(issuer, "me", Secret::from_bytes(secret.to_vec()))
}

#[test]
fn partition_new_skips_known_and_repeated_accounts() {
    let existing = vec![account_with("ACME", b"one")];
    let incoming = vec![
        account_with("acme ", b"one"),
        account_with("Other", b"one"),
        account_with("ACME", b"two"),
        account_with("ACME", b"two"),
    ];
    let (new, skipped) = partition_new(incoming, &existing);
    assert_eq!(skipped, 2);
    assert_eq!(
        new,
        vec![account_with("Other", b"one"), account_with("ACME", b"two")]
    );
}

/// A counter-based key is one account whatever it is called: a second
/// copy, from an older backup or under another issuer, would count from
/// its own older counter and give codes already used.
#[test]
fn a_counter_based_key_is_known_under_any_issuer() {
    let hotp = |issuer: &str, secret: &[u8], counter: u64| {
        let mut account = account_with(issuer, secret);
        account.kind = crate::account::OtpKind::Hotp { counter };
        account
    };
    let existing = vec![hotp("Acme Bank", b"one", 20)];
    let incoming = vec![
        hotp("Acme", b"one", 10),
        hotp("Other", b"two", 0),
        hotp("Third", b"two", 5),
        // Time-based with the same key: the same account under the same
        // issuer only, as before (an export that turned HOTP into TOTP).
        account_with("Acme", b"one"),
        account_with("Acme Bank", b"one"),
    ];
    assert!(existing[0].same_as(&incoming[0]));
    assert!(!existing[0].same_as(&incoming[3]));
    assert!(existing[0].same_as(&incoming[4]));
    let (new, skipped) = partition_new(incoming, &existing);
    assert_eq!(skipped, 3);
    assert_eq!(
        new,
        vec![hotp("Other", b"two", 0), account_with("Acme", b"one")]
    );
}

#[test]
fn every_format_has_one_row() {
    // A new `Format` variant must be added here and to the registry.
    let all = [
        Format::OtpauthUris,
        Format::GoogleAuthenticator,
        Format::Aegis,
        Format::TwoFas,
        Format::AndOtp,
        Format::Bitwarden,
        Format::Proton,
        Format::FreeOtpPlus,
        Format::FreeOtp,
        Format::Stratum,
        Format::Authy,
        Format::Steam,
    ];
    for format in all {
        let rows = REGISTRY.iter().filter(|row| row.format == format).count();
        assert_eq!(rows, 1, "{format}");
    }
    assert_eq!(REGISTRY.len(), all.len());
}

#[test]
fn the_registry_order_settles_what_two_formats_could_claim() {
    let cases: [(&[u8], Format); 6] = [
            // Aegis' keys beat Steam's `accounts`, parsed or damaged.
            (br#"{"header": {}, "db": {}, "accounts": []}"#, Format::Aegis),
            (br#"[{"header": 1, "secret": "#, Format::Aegis),
            (br#"[{"secret": "#, Format::AndOtp),
            // A Bitwarden CSV header beats the otpauth URIs below it.
            (
                b"folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\notpauth://totp/a?secret=JBSWY3DP",
                Format::Bitwarden,
            ),
            // One migration line makes the file Google's.
            (
                b"otpauth://totp/a?secret=JBSWY3DP\notpauth-migration://offline?data=CgA",
                Format::GoogleAuthenticator,
            ),
            (b"\n  otpauth://totp/a?secret=JBSWY3DP", Format::OtpauthUris),
        ];
    for (bytes, format) in cases {
        assert_eq!(
            detect(bytes),
            Ok(format),
            "{}",
            String::from_utf8_lossy(bytes)
        );
    }
}

#[test]
fn unknown_content_is_refused() {
    assert_eq!(detect(b"hello world"), Err(ImportError::UnknownFormat));
    assert_eq!(detect(b"{\"a\": 1}"), Err(ImportError::UnknownFormat));
    assert_eq!(
        detect(b"\x89PNG\r\n\x1a\n"),
        Err(ImportError::UnknownFormat)
    );
    assert_eq!(detect(b""), Err(ImportError::UnknownFormat));
}

#[test]
fn backups_can_be_opened_off_the_ui_thread() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Read>();
    send_sync::<Entries>();
    send_sync::<EncryptedBackup>();
}

#[test]
fn wrong_password_message_is_exact() {
    assert_eq!(ImportError::WrongPassword.to_string(), "Wrong password");
}
