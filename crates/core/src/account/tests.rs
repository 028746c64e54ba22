use super::*;

fn key(bytes: usize) -> Secret {
    Secret::from_bytes(vec![7; bytes])
}

fn new(digits: u64, kind: OtpKind) -> Result<Account, RuleError> {
    Account::new(" Acme ", " me ", key(10), Algorithm::Sha256, digits, kind)
}

#[test]
fn an_account_is_named_by_what_it_has() {
    assert_eq!(display_name("Acme", "me"), "Acme (me)");
    assert_eq!(display_name("Acme", ""), "Acme");
    assert_eq!(display_name("", "me"), "me");
    assert_eq!(display_name("", ""), "(unnamed)");
    let account = new(6, OtpKind::Totp { period: 30 }).expect("valid");
    assert_eq!(account.display_name(), "Acme (me)");
}

#[test]
fn a_valid_account_is_built_trimmed() {
    let account = new(8, OtpKind::Totp { period: 60 }).expect("valid");
    assert_eq!(
        (account.issuer.as_str(), account.name.as_str()),
        ("Acme", "me")
    );
    assert_eq!((account.algorithm, account.digits), (Algorithm::Sha256, 8));
    assert_eq!(account.kind, OtpKind::Totp { period: 60 });
}

/// Issuer and name from any source, and a rename: one line, bounded.
/// Control characters (a line break, an escape sequence) become spaces;
/// past [`limits::MAX_LABEL_CHARS`] characters the rest is cut, at a
/// character, never inside one.
#[test]
fn issuer_and_name_are_one_bounded_line() {
    let totp = OtpKind::Totp { period: 30 };
    let account = Account::new(
        "\u{1b}]52;c;aGk=\u{7}Bank\r",
        "me\nyou\tthem",
        key(10),
        Algorithm::Sha1,
        6,
        totp,
    )
    .expect("valid");
    assert_eq!(account.issuer, "]52;c;aGk= Bank");
    assert_eq!(account.name, "me you them");

    let long = "é".repeat(limits::MAX_LABEL_CHARS + 10);
    let account = Account::new(
        &long,
        &format!("  {long}"),
        key(10),
        Algorithm::Sha1,
        6,
        totp,
    )
    .expect("valid");
    assert_eq!(account.issuer.chars().count(), limits::MAX_LABEL_CHARS);
    assert_eq!(account.issuer, account.name);
    assert!(long.starts_with(&account.issuer));

    // Exactly at the limit, and plain names, stay as they are.
    let at_limit = "x".repeat(limits::MAX_LABEL_CHARS);
    assert_eq!(label(&at_limit), at_limit);
    assert_eq!(label(" GitHub "), "GitHub");
    assert_eq!(label("Ünïcödé · 名前"), "Ünïcödé · 名前");
    // Marks that would show the rest of a line reversed, or break it.
    assert_eq!(label("Bank\u{202e}moc.evil"), "Bank moc.evil");
    assert_eq!(label("a\u{2066}b\u{2069}c\u{2028}d"), "a b c d");
}

#[test]
fn key_length_is_checked() {
    let totp = OtpKind::Totp { period: 30 };
    let with_key = |bytes| Account::new("", "", key(bytes), Algorithm::Sha1, 6, totp);
    assert_eq!(with_key(0), Err(RuleError::EmptySecret));
    assert!(with_key(limits::MAX_SECRET_BYTES).is_ok());
    let too_long = with_key(limits::MAX_SECRET_BYTES + 1).expect_err("too long");
    assert_eq!(
        too_long.to_string(),
        "the secret key is 1025 bytes long, longer than any real key (1024 at most)"
    );
}

#[test]
fn digits_are_checked_at_both_ends() {
    let hotp = OtpKind::Hotp { counter: u64::MAX };
    for digits in [4, 10] {
        assert!(new(digits, hotp).is_ok(), "{digits}");
    }
    for digits in [0, 3, 11, 256, u64::MAX] {
        assert_eq!(new(digits, hotp), Err(RuleError::DigitsOutOfRange(digits)));
    }
    assert_eq!(
        RuleError::DigitsOutOfRange(99).to_string(),
        "digits must be a number from 4 to 10, not 99"
    );
}

#[test]
fn periods_are_checked_at_both_ends() {
    for period in [1, 86_400] {
        assert!(new(6, OtpKind::Totp { period }).is_ok(), "{period}");
        assert_eq!(
            OtpKind::totp(u64::from(period)),
            Ok(OtpKind::Totp { period })
        );
    }
    for period in [0, 86_401, u32::MAX] {
        let kind = OtpKind::Totp { period };
        assert_eq!(
            new(6, kind),
            Err(RuleError::PeriodOutOfRange(period.into()))
        );
    }
    // A period wider than the account's own type keeps its value.
    let wide = u64::from(u32::MAX) + 1;
    assert_eq!(OtpKind::totp(wide), Err(RuleError::PeriodOutOfRange(wide)));
}

#[test]
fn steam_gets_its_own_constants_whatever_the_source_says() {
    let account = new(99, OtpKind::Steam).expect("Steam ignores the digits given");
    assert_eq!(
        (account.algorithm, account.digits),
        (Algorithm::Sha1, STEAM_LENGTH)
    );
    assert_eq!(account.kind.period(), Some(STEAM_PERIOD));
}

#[test]
fn algorithm_names_as_apps_write_them() {
    for (text, algorithm) in [
        ("SHA1", Algorithm::Sha1),
        ("sha-256", Algorithm::Sha256),
        ("HmacSHA512", Algorithm::Sha512),
    ] {
        assert_eq!(Algorithm::parse(text), Ok(algorithm), "{text}");
    }
    assert_eq!(
        Algorithm::parse("MD5").map_err(|error| error.to_string()),
        Err("unsupported algorithm \"MD5\": expected SHA1, SHA256 or SHA512".to_owned())
    );
}

#[test]
fn notes_are_bounded_and_blank_ones_clear() {
    assert_eq!(Note::new(""), Ok(None));
    assert_eq!(Note::new(" \n "), Ok(None));
    let kept = Note::new(" backup: 1234 5678\n")
        .expect("fits")
        .expect("a note");
    assert_eq!(kept.expose(), " backup: 1234 5678\n", "kept as given");
    assert!(Note::new(&"x".repeat(limits::MAX_NOTE_BYTES)).is_ok());
    let too_long = "x".repeat(limits::MAX_NOTE_BYTES + 1);
    assert_eq!(
        Note::new(&too_long),
        Err(FieldError::NoteTooLong { bytes: 1025 })
    );
    // Cut at a character boundary: "é" is two bytes.
    let (cut, was_cut) = Note::cut(&"é".repeat(600));
    assert!(was_cut);
    assert_eq!(cut.expect("a note").expose(), "é".repeat(512));
    let (whole, was_cut) = Note::cut("short");
    assert!(!was_cut);
    assert_eq!(whole.expect("a note").expose(), "short");
}

#[test]
fn debug_never_shows_a_note() {
    let account = Account::totp("Shop", "me", key(10))
        .with_note(Note::new("recovery 9F3K-22QX").expect("fits"));
    let shown = format!("{account:?}");
    assert!(!shown.contains("9F3K"), "{shown}");
    assert!(shown.contains("Note(<redacted 18 bytes>)"), "{shown}");
}

#[test]
fn group_names_are_checked() {
    assert_eq!(
        Group::new("  Work ").map(String::from),
        Ok("Work".to_owned())
    );
    assert_eq!(Group::new(" "), Err(FieldError::EmptyGroup));
    assert_eq!(Group::new("a\nb"), Err(FieldError::ControlInGroup));
    // Nor one that shows reversed ("Work" that reads "kroW").
    assert_eq!(Group::new("\u{202E}kroW"), Err(FieldError::ControlInGroup));
    assert!(Group::new(&"g".repeat(limits::MAX_GROUP_CHARS)).is_ok());
    assert_eq!(
        Group::new(&"g".repeat(65)),
        Err(FieldError::GroupTooLong { chars: 65 })
    );
    assert_eq!(
        Group::lenient("a\tb").map(String::from),
        Some("a b".to_owned())
    );
    assert_eq!(
        Group::lenient(&"g".repeat(100)).map(|g| g.as_str().len()),
        Some(limits::MAX_GROUP_CHARS)
    );
    assert_eq!(Group::lenient("\n"), None);
    assert_eq!(
        Group::lenient("Work\u{2066}s").map(String::from),
        Some("Work s".to_owned())
    );
    // The metadata file is read through the same check.
    assert!(serde_json::from_str::<Group>("\"\"").is_err());
    assert_eq!(
        serde_json::from_str::<Group>("\"Banks\"")
            .map(String::from)
            .ok(),
        Some("Banks".to_owned())
    );
}

#[test]
fn groups_are_deduplicated_and_bounded() {
    let group = |name: &str| Group::new(name).expect("valid");
    let account = Account::totp("Shop", "me", key(10))
        .with_groups([group("B"), group("A"), group("B")])
        .expect("two groups");
    assert_eq!(account.groups, [group("B"), group("A")]);
    let many = (0..=limits::MAX_GROUPS_PER_ACCOUNT).map(|i| group(&i.to_string()));
    assert_eq!(
        Account::totp("Shop", "me", key(10)).with_groups(many),
        Err(FieldError::TooManyGroups)
    );
}
