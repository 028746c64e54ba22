use super::*;

/// RFC 4226's secret "12345678901234567890" in base32.
const RFC_B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const RFC_BYTES: &[u8] = b"12345678901234567890";

fn ok(uri: &str) -> Account {
    match parse(uri) {
        Ok(account) => account,
        Err(error) => panic!("{uri}: {error}"),
    }
}

fn err(uri: &str) -> UriError {
    match parse(uri) {
        Ok(account) => panic!("{uri} parsed as {account:?}"),
        Err(error) => error,
    }
}

#[test]
fn google_example_with_all_parameters() {
    // The second example of Google's Key Uri Format page.
    let account = ok("otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30");
    assert_eq!(account.issuer, "ACME Co");
    assert_eq!(account.name, "john.doe@email.com");
    assert_eq!(
        account.secret.to_base32(),
        "HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ"
    );
    assert_eq!(account.algorithm, Algorithm::Sha1);
    assert_eq!(account.digits, 6);
    assert_eq!(account.kind, OtpKind::Totp { period: 30 });
}

#[test]
fn defaults_are_sha1_six_digits_thirty_seconds() {
    let account = ok(&format!("otpauth://totp/alice?secret={RFC_B32}"));
    assert_eq!(account.secret.expose(), RFC_BYTES);
    assert_eq!(account.issuer, "");
    assert_eq!(account.name, "alice");
    assert_eq!(account.algorithm, Algorithm::Sha1);
    assert_eq!(account.digits, 6);
    assert_eq!(account.kind, OtpKind::Totp { period: 30 });
}

#[test]
fn label_forms() {
    let cases = [
        ("Example:alice@google.com", "Example", "alice@google.com"),
        ("Example:%20alice", "Example", "alice"),
        ("Example: alice", "Example", "alice"),
        ("Provider1:Alice%20Smith", "Provider1", "Alice Smith"),
        // Google's third example: the separator itself escaped.
        (
            "Big%20Corporation%3A%20alice@bigco.com",
            "Big Corporation",
            "alice@bigco.com",
        ),
        ("Big%20Corp%3aalice", "Big Corp", "alice"),
        ("alice", "", "alice"),
        ("/Example:alice", "Example", "alice"),
        ("", "", ""),
        ("Example:", "Example", ""),
        // A literal colon is the separator, so an escaped one is content.
        ("a%3Ab:c%3Ad", "a:b", "c:d"),
        // `+` in the label is a plus sign (plus-addressed e-mail).
        ("GitHub:me+gh@example.com", "GitHub", "me+gh@example.com"),
        ("%E2%9C%93%20Caf%C3%A9:%C3%A9l%C3%A8ve", "✓ Café", "élève"),
    ];
    for (label, issuer, name) in cases {
        let account = ok(&format!("otpauth://totp/{label}?secret={RFC_B32}"));
        assert_eq!(
            (account.issuer.as_str(), account.name.as_str()),
            (issuer, name),
            "{label}"
        );
    }
}

#[test]
fn label_without_slash_or_query_parts() {
    let account = ok(&format!("otpauth://totp?secret={RFC_B32}"));
    assert_eq!((account.issuer.as_str(), account.name.as_str()), ("", ""));
}

#[test]
fn issuer_parameter_wins_over_label_prefix() {
    let account = ok(&format!(
        "otpauth://totp/Old%20Name:alice?secret={RFC_B32}&issuer=New%20Name"
    ));
    assert_eq!(account.issuer, "New Name");
    assert_eq!(account.name, "alice");
    let account = ok(&format!(
        "otpauth://totp/Label:alice?secret={RFC_B32}&issuer=%20"
    ));
    assert_eq!(account.issuer, "Label");
    let account = ok(&format!(
        "otpauth://totp/alice?issuer=ACME&secret={RFC_B32}"
    ));
    assert_eq!(account.issuer, "ACME");
    assert_eq!(account.name, "alice");
}

#[test]
fn plus_in_query_values_is_a_space() {
    let account = ok(&format!("otpauth://totp/a?secret={RFC_B32}&issuer=ACME+Co"));
    assert_eq!(account.issuer, "ACME Co");
    let account = ok(&format!("otpauth://totp/a?secret={RFC_B32}&issuer=C%2B%2B"));
    assert_eq!(account.issuer, "C++");
}

#[test]
fn scheme_type_keys_and_values_are_case_insensitive() {
    let account = ok(&format!(
        "  OTPAUTH://TOTP/ACME:bob?SECRET={}&Algorithm=sha-256&DIGITS=8\n",
        RFC_B32.to_lowercase()
    ));
    assert_eq!(account.secret.expose(), RFC_BYTES);
    assert_eq!(account.algorithm, Algorithm::Sha256);
    assert_eq!(account.digits, 8);
    assert_eq!(
        ok(&format!("otpauth://Hotp/x?secret={RFC_B32}")).kind,
        OtpKind::Hotp { counter: 0 }
    );
}

#[test]
fn algorithm_spellings() {
    for (text, algorithm) in [
        ("SHA1", Algorithm::Sha1),
        ("sha1", Algorithm::Sha1),
        ("SHA-1", Algorithm::Sha1),
        ("SHA256", Algorithm::Sha256),
        ("SHA-256", Algorithm::Sha256),
        ("sha_512", Algorithm::Sha512),
        ("HmacSHA512", Algorithm::Sha512),
    ] {
        let account = ok(&format!(
            "otpauth://totp/a?secret={RFC_B32}&algorithm={text}"
        ));
        assert_eq!(account.algorithm, algorithm, "{text}");
    }
}

#[test]
fn lenient_secrets() {
    for text in [
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
        "gezdgnbvgy3tqojqgezdgnbvgy3tqojq",
        "gezd gnbv gy3t qojq gezd gnbv gy3t qojq",
        "GEZD-GNBV-GY3T-QOJQ-GEZD-GNBV-GY3T-QOJQ",
        " gezdgnbvgy3tqojq\tgezdgnbvgy3tqojq\n",
    ] {
        assert_eq!(
            parse_secret(text).map(|s| s.expose().to_vec()),
            Ok(RFC_BYTES.to_vec()),
            "{text:?}"
        );
    }
    // Padding, as RFC 4648 writes it.
    assert_eq!(
        parse_secret("MZXW6===").map(|s| s.expose().to_vec()),
        Ok(b"foo".to_vec())
    );
    assert_eq!(parse_secret("mzxw 6==="), parse_secret("MZXW6"));
    // In a URI: `+` became a space, and `%20` too; both are dropped.
    let account = ok("otpauth://totp/a?secret=mzxw+6%3D%3D%3D%20");
    assert_eq!(account.secret.expose(), b"foo");
}

#[test]
fn secrets_with_unused_trailing_bits_are_accepted() {
    // "74" is the canonical encoding of 0xff; "77" has the same byte with
    // its two spare bits set, which strict decoders reject.
    assert_eq!(
        parse_secret("77").map(|s| s.expose().to_vec()),
        Ok(vec![0xff])
    );
    // An 80-bit (16-character) key, as many sites issue.
    assert_eq!(parse_secret("JBSWY3DPEHPK3PXP").map(|s| s.len()), Ok(10));
}

#[test]
fn a_key_longer_than_any_real_one_is_refused() {
    // Bare keys and URIs follow the importers' key-length rule (1025
    // bytes are 205 groups of 8 base32 characters).
    let bytes = crate::limits::MAX_SECRET_BYTES + 1;
    let huge = "A".repeat(bytes / 5 * 8);
    assert_eq!(
        err(&format!("otpauth://totp/a?secret={huge}")),
        UriError::SecretTooLong { bytes }
    );
    assert_eq!(
        parse_input(&huge, "", ""),
        Err(UriError::SecretTooLong { bytes })
    );
}

#[test]
fn steam_in_both_spellings() {
    for uri in [
            format!("otpauth://steam/Steam:gabe?secret={RFC_B32}&issuer=Steam"),
            format!("otpauth://totp/Steam:gabe?secret={RFC_B32}&issuer=Steam&encoder=steam"),
            format!("otpauth://totp/Steam:gabe?secret={RFC_B32}&issuer=Steam&encoder=Steam&digits=6&algorithm=SHA256&period=60"),
            format!("otpauth://STEAM/Steam:gabe?secret={RFC_B32}&digits=5&period=30"),
        ] {
            let account = ok(&uri);
            assert_eq!(account.kind, OtpKind::Steam, "{uri}");
            assert_eq!(account.digits, 5, "{uri}");
            assert_eq!(account.algorithm, Algorithm::Sha1, "{uri}");
            assert_eq!((account.issuer.as_str(), account.name.as_str()), ("Steam", "gabe"));
        }
}

#[test]
fn hotp_counter() {
    let account = ok(&format!(
        "otpauth://hotp/a?secret={RFC_B32}&counter=18446744073709551615"
    ));
    assert_eq!(account.kind, OtpKind::Hotp { counter: u64::MAX });
    // A period on an HOTP URI, or a counter on a TOTP one, is ignored.
    let account = ok(&format!(
        "otpauth://hotp/a?secret={RFC_B32}&counter=3&period=0"
    ));
    assert_eq!(account.kind, OtpKind::Hotp { counter: 3 });
    let account = ok(&format!("otpauth://totp/a?secret={RFC_B32}&counter=x"));
    assert_eq!(account.kind, OtpKind::Totp { period: 30 });
}

#[test]
fn unknown_parameters_and_fragments_are_ignored() {
    let account = ok(&format!(
            "otpauth://totp/ACME:a?secret={RFC_B32}&image=https%3A%2F%2Fexample.com%2Flogo.png&icon=%zz&color=ff0000&issuer=ACME&&flag#frag"
        ));
    assert_eq!(account.issuer, "ACME");
    assert_eq!(account.secret.expose(), RFC_BYTES);
}

#[test]
fn first_of_repeated_parameters_wins() {
    let account = ok(&format!(
        "otpauth://totp/a?secret={RFC_B32}&digits=8&digits=7"
    ));
    assert_eq!(account.digits, 8);
}

#[test]
fn boundaries_of_digits_and_period() {
    for digits in [4u8, 5, 9, 10] {
        assert_eq!(
            ok(&format!(
                "otpauth://totp/a?secret={RFC_B32}&digits={digits}"
            ))
            .digits,
            digits
        );
    }
    for period in [1u32, 15, 86_400] {
        let account = ok(&format!(
            "otpauth://totp/a?secret={RFC_B32}&period={period}"
        ));
        assert_eq!(account.kind, OtpKind::Totp { period });
    }
}

/// Every error variant, with the message people will read.
#[test]
fn error_variants_and_messages() {
    let s = RFC_B32;
    let cases: Vec<(UriError, String, &str)> = vec![
            (err("https://example.com/?secret=ABC"), "not an otpauth:// URI".into(), "NotOtpauth"),
            (err(&format!("otpauth://MOTP/a?secret={s}")), "unknown OTP type \"motp\": expected totp, hotp or steam".into(), "UnknownType"),
            (err("otpauth://totp/a?issuer=ACME"), "the URI has no secret parameter".into(), "MissingSecret"),
            (err("otpauth://totp/a?secret="), "the secret key is empty".into(), "EmptySecret"),
            (err("otpauth://totp/a?secret=+-%20=="), "the secret key is empty".into(), "EmptySecret (only separators)"),
            (err("otpauth://totp/a?secret=ABCD%201EFG"), "the secret key has an invalid character at position 6: only letters A-Z and digits 2-7 are allowed".into(), "InvalidSecretCharacter"),
            (err("otpauth://totp/a?secret=ABCDEF"), "the secret key has 6 characters, which is not a valid base32 length; check that it was copied completely".into(), "InvalidSecretLength"),
            (err(&format!("otpauth://totp/a?secret={s}&algorithm=MD5")), "unsupported algorithm \"MD5\": expected SHA1, SHA256 or SHA512".into(), "UnknownAlgorithm"),
            (err(&format!("otpauth://totp/a?secret={s}&digits=3")), "digits must be a number from 4 to 10, not \"3\"".into(), "DigitsOutOfRange"),
            (err(&format!("otpauth://totp/a?secret={s}&digits=11")), "digits must be a number from 4 to 10, not \"11\"".into(), "DigitsOutOfRange (11)"),
            (err(&format!("otpauth://totp/a?secret={s}&digits=six")), "digits must be a number from 4 to 10, not \"six\"".into(), "DigitsOutOfRange (text)"),
            (err(&format!("otpauth://totp/a?secret={s}&period=0")), "period must be a whole number of seconds from 1 to 86400, not \"0\"".into(), "PeriodOutOfRange"),
            (err(&format!("otpauth://totp/a?secret={s}&period=86401")), "period must be a whole number of seconds from 1 to 86400, not \"86401\"".into(), "PeriodOutOfRange (too long)"),
            (err(&format!("otpauth://totp/a?secret={s}&period=-30")), "period must be a whole number of seconds from 1 to 86400, not \"-30\"".into(), "PeriodOutOfRange (negative)"),
            (err(&format!("otpauth://hotp/a?secret={s}&counter=-1")), "counter must be a whole number of 0 or more, not \"-1\"".into(), "InvalidCounter"),
            (err(&format!("otpauth://hotp/a?secret={s}&counter=18446744073709551616")), "counter must be a whole number of 0 or more, not \"18446744073709551616\"".into(), "InvalidCounter (overflow)"),
            (err(&format!("otpauth://totp/ACME%2:a?secret={s}")), "the URI has a malformed percent-escape in its label".into(), "BadEscape label"),
            (err(&format!("otpauth://totp/%FF?secret={s}")), "the URI has a malformed percent-escape in its label".into(), "BadEscape label (UTF-8)"),
            (err(&format!("otpauth://totp/a?secret={s}&issuer=100%")), "the URI has a malformed percent-escape in its query".into(), "BadEscape query"),
            (err(&format!("otpauth://totp/a?secret={s}&issuer=%C3%28")), "the URI has a malformed percent-escape in its query".into(), "BadEscape query (UTF-8)"),
        ];
    for (error, message, what) in cases {
        assert_eq!(error.to_string(), message, "{what}");
    }
    assert_eq!(
        err("otpauth://totp/a?secret=ABCD%201EFG"),
        UriError::InvalidSecretCharacter { position: 6 }
    );
    assert_eq!(
        err("otpauth://totp/a?secret=ABCDEF"),
        UriError::InvalidSecretLength { length: 6 }
    );
    assert_eq!(
        err("otpauth://totp/a?secret=%zz"),
        UriError::BadEscape("query")
    );
    assert_eq!(err("otpauth://"), UriError::UnknownType(Excerpt::of("")));
}

/// A `&` typed for the `?` once put the whole query, secret included,
/// into the "unknown OTP type" message.
#[test]
fn a_malformed_type_is_not_echoed() {
    let error = err("otpauth://totp&secret=JBSWY3DPEHPK3PXP/x");
    let message = error.to_string();
    assert!(!message.to_lowercase().contains("jbswy3dp"), "{message}");
    assert_eq!(
        message,
        "unknown OTP type (28 characters, not shown): expected totp, hotp or steam"
    );
}

/// Issue 9: a `;` typed for a `&` made `digits` swallow the secret, and
/// the "digits must be…" message repeated it.
#[test]
fn a_parameter_that_swallowed_the_key_is_not_echoed() {
    let key = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    for uri in [
        format!("otpauth://totp/a?digits=6;secret={key}&secret={key}"),
        format!("otpauth://totp/a?secret={key}&period=30;secret={key}"),
        format!("otpauth://totp/a?secret={key}&algorithm=SHA1;secret={key}"),
        format!("otpauth://hotp/a?secret={key}&counter=1;secret={key}"),
        format!("otpauth://totp/a?secret={key}&digits={key}"),
        // Short enough to quote, but it says "secret".
        "otpauth://totp/a?secret=JBSWY3DP&digits=secret=JBSW".to_owned(),
    ] {
        let error = parse(&uri).expect_err(&uri);
        for shown in [error.to_string(), format!("{error:?}")] {
            assert!(!shown.contains("JBSW"), "{shown}");
        }
        let message = error.to_string();
        assert!(message.contains("characters, not shown"), "{message}");
    }
    let error = parse(&format!(
        "otpauth://totp/a?digits=6;secret={key}&secret={key}"
    ))
    .expect_err("digits is not a number");
    assert_eq!(
        error.to_string(),
        "digits must be a number from 4 to 10, not (41 characters, not shown)"
    );
}

/// Issue 9: a parameter of any length was repeated whole.
#[test]
fn a_huge_parameter_gives_a_short_message() {
    let huge = "9".repeat(1 << 20);
    for uri in [
        format!("otpauth://totp/a?secret={RFC_B32}&digits={huge}"),
        format!("otpauth://totp/a?secret={RFC_B32}&period={huge}"),
        format!("otpauth://hotp/a?secret={RFC_B32}&counter={huge}"),
        format!("otpauth://totp/a?secret={RFC_B32}&algorithm={huge}"),
        format!("otpauth://{huge}/a?secret={RFC_B32}"),
    ] {
        let error = parse(&uri).expect_err("too long");
        let message = error.to_string();
        assert!(message.len() < 120, "{} bytes", message.len());
        assert!(
            message.contains("(1048576 characters, not shown)"),
            "{message}"
        );
        assert!(format!("{error:?}").len() < 120);
    }
}

#[test]
fn invalid_character_positions_count_characters_of_the_key_as_given() {
    assert_eq!(
        parse_secret("0BCD"),
        Err(UriError::InvalidSecretCharacter { position: 1 })
    );
    assert_eq!(
        parse_secret("ab cd 8f"),
        Err(UriError::InvalidSecretCharacter { position: 7 })
    );
    // Characters, not bytes.
    assert_eq!(
        parse_secret("éé1"),
        Err(UriError::InvalidSecretCharacter { position: 1 })
    );
    assert_eq!(
        parse_secret("AB€"),
        Err(UriError::InvalidSecretCharacter { position: 3 })
    );
    // Padding only at the end.
    assert_eq!(
        parse_secret("MZ=XW6"),
        Err(UriError::InvalidSecretCharacter { position: 3 })
    );
}

#[test]
fn invalid_lengths() {
    for (text, length) in [("A", 1), ("ABC", 3), ("ABCDEF", 6), ("ABCDEFGH A", 9)] {
        assert_eq!(
            parse_secret(text),
            Err(UriError::InvalidSecretLength { length }),
            "{text}"
        );
    }
    for text in ["AB", "ABCD", "ABCDE", "ABCDEFG", "ABCDEFGH"] {
        assert!(parse_secret(text).is_ok(), "{text}");
    }
}

#[test]
fn canonical_format() {
    let mut account = Account::totp(
        "ACME Co",
        "john.doe@email.com",
        Secret::from_bytes(RFC_BYTES.to_vec()),
    );
    assert_eq!(
            format(&account),
            format!("otpauth://totp/ACME%20Co:john.doe@email.com?secret={RFC_B32}&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30")
        );
    account.kind = OtpKind::Hotp { counter: 42 };
    account.algorithm = Algorithm::Sha512;
    account.digits = 8;
    assert_eq!(
            format(&account),
            format!("otpauth://hotp/ACME%20Co:john.doe@email.com?secret={RFC_B32}&issuer=ACME%20Co&algorithm=SHA512&digits=8&counter=42")
        );
    let steam_account = Account {
        issuer: "Steam".into(),
        name: "gabe".into(),
        kind: OtpKind::Steam,
        ..account.clone()
    };
    assert_eq!(
            format(&steam_account),
            format!("otpauth://steam/Steam:gabe?secret={RFC_B32}&issuer=Steam&algorithm=SHA1&digits=5&period=30")
        );
}

#[test]
fn format_escapes_what_would_break_the_split() {
    let account = Account::totp("A:B&C=D?E#F/G%H+I J", "x:y", Secret::from_bytes(vec![1]));
    let uri = format(&account);
    assert_eq!(
            uri,
            "otpauth://totp/A%3AB%26C%3DD%3FE%23F%2FG%25H%2BI%20J:x%3Ay?secret=AE&issuer=A%3AB%26C%3DD%3FE%23F%2FG%25H%2BI%20J&algorithm=SHA1&digits=6&period=30"
        );
    assert_eq!(parse(&uri), Ok(account));
}

#[test]
fn empty_issuer_formats_a_bare_name() {
    let account = Account::totp("", "alice", Secret::from_bytes(vec![1, 2, 3]));
    let uri = format(&account);
    assert_eq!(
        uri,
        "otpauth://totp/alice?secret=AEBAG&algorithm=SHA1&digits=6&period=30"
    );
    assert_eq!(parse(&uri), Ok(account));
    // A colon in the name must not turn its first half into an issuer.
    let account = Account::totp("", "a:b", Secret::from_bytes(vec![1, 2, 3]));
    assert_eq!(parse(&format(&account)), Ok(account));
}

#[test]
fn parse_input_takes_uris_and_bare_keys() {
    let account = parse_input("abcd efgh ijkl mnop", " ACME ", "me").expect("a bare key");
    assert_eq!(
        account,
        Account::totp(
            "ACME",
            "me",
            parse_secret("ABCDEFGHIJKLMNOP").expect("valid")
        )
    );

    let uri = format!("otpauth://hotp/Old:alice?secret={RFC_B32}&issuer=Old&counter=5&digits=8");
    let account = parse_input(&uri, "", "").expect("a URI");
    assert_eq!(
        (account.issuer.as_str(), account.name.as_str()),
        ("Old", "alice")
    );
    let account = parse_input(&format!("  Otpauth://{}", &uri[10..]), "New", "bob").expect("a URI");
    assert_eq!(
        (account.issuer.as_str(), account.name.as_str()),
        ("New", "bob")
    );
    assert_eq!(account.kind, OtpKind::Hotp { counter: 5 });
    assert_eq!(account.digits, 8);

    assert_eq!(
        parse_input("otpauth-migration://offline?data=abc", "", ""),
        Err(UriError::NotOtpauth)
    );
    assert_eq!(parse_input("   ", "", ""), Err(UriError::EmptySecret));
    assert_eq!(
        parse_input("otpauth://totp/a", "", ""),
        Err(UriError::MissingSecret)
    );
    assert_eq!(
        parse_input("abc!", "", ""),
        Err(UriError::InvalidSecretCharacter { position: 4 })
    );
}

#[test]
fn secrets_never_appear_in_errors_or_debug_output() {
    // Each input holds a recognisable key and fails after (or because of)
    // reading it; neither the key nor its decoded bytes may leak.
    let key = "JBSWY3DPEHPK3PXP";
    let inputs = [
        format!("otpauth://totp/a?secret={key}&digits=99"),
        format!("otpauth://totp/a?secret={key}&period=0"),
        format!("otpauth://totp/a?secret={key}&algorithm=MD4"),
        format!("otpauth://hotp/a?secret={key}&counter=x"),
        format!("otpauth://totp/a?secret={key}1"),
        format!("otpauth://totp/a?secret={key}A"),
        format!("otpauth://totp/a?secret={key}&issuer=%"),
        format!("otpauth://hotp/%zz?secret={key}"),
        format!("otpauth://x/a?secret={key}"),
        format!("{key}!"),
        format!("http://a/?secret={key}"),
    ];
    for input in &inputs {
        let error = parse_input(input, "", "").expect_err(input);
        for shown in [error.to_string(), format!("{error:?}")] {
            assert!(!shown.contains(key), "{shown}");
            assert!(!shown.contains("Hello"), "{shown}");
        }
    }
    let account = parse(&format!("otpauth://totp/a?secret={key}")).expect("valid");
    let shown = format!("{account:?}");
    assert!(!shown.contains(key) && !shown.contains("Hello"), "{shown}");
}

// See: review of the importers, "`{:?}` of a URI's parameters prints the key".
#[test]
fn params_debug_names_the_parameters_not_their_values() {
    let params = Params::parse("secret=JBSWY3DPEHPK3PXP&issuer=Shop");
    assert_eq!(format!("{params:?}"), r#"Params(["secret", "issuer"])"#);
}
