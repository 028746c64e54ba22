//! Properties of otpauth URIs: whatever account we format parses back to the
//! same account, and no input makes the parser panic.

use proptest::prelude::*;
use watchword_core::{uri, Account, Algorithm, OtpKind, Secret};

/// Issuer and account names with everything that could break the label or
/// query split, non-ASCII text, and now and then anything at all. The parser
/// trims names, so generated ones are trimmed too.
fn label_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z0-9 :&%+?#/=@._~\\-éü中✓😀\t]{0,24}",
        1 => any::<String>(),
    ]
    .prop_map(|text| text.trim().to_owned())
}

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop_oneof![
        Just(Algorithm::Sha1),
        Just(Algorithm::Sha256),
        Just(Algorithm::Sha512)
    ]
}

fn kind() -> impl Strategy<Value = OtpKind> {
    prop_oneof![
        (1u32..=300).prop_map(|period| OtpKind::Totp { period }),
        any::<u64>().prop_map(|counter| OtpKind::Hotp { counter }),
        Just(OtpKind::Steam),
    ]
}

prop_compose! {
    fn account()(
        issuer in label_text(),
        name in label_text(),
        secret in proptest::collection::vec(any::<u8>(), 1..64),
        algorithm in algorithm(),
        digits in 4u8..=10,
        kind in kind(),
    ) -> Account {
        Account { issuer, name, secret: Secret::from_bytes(secret), algorithm, digits, kind, note: None, groups: Vec::new() }
    }
}

proptest! {
    // No failure-persistence file: the workspace layout hides lib.rs from
    // proptest's lookup, and a failure prints its minimal input anyway.
    #![proptest_config(ProptestConfig {
        cases: 2000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn format_then_parse_is_identity(account in account()) {
        let mut expected = account.clone();
        if expected.kind == OtpKind::Steam {
            // Steam is always SHA1 with 5 characters; `parse` says so.
            expected.algorithm = Algorithm::Sha1;
            expected.digits = 5;
        }
        let formatted = uri::format(&account);
        prop_assert_eq!(uri::parse(&formatted), Ok(expected), "{}", formatted);
    }

    #[test]
    fn formatted_uris_have_one_query_and_no_raw_separators_in_values(account in account()) {
        let formatted = uri::format(&account);
        prop_assert!(formatted.starts_with("otpauth://"));
        prop_assert_eq!(formatted.matches('?').count(), 1);
        prop_assert!(!formatted.contains('#'));
        prop_assert!(!formatted.contains(' '));
        prop_assert!(!formatted.contains('+'));
    }

    #[test]
    fn parse_never_panics(text in any::<String>()) {
        let _ = uri::parse(&text);
        let _ = uri::parse(&format!("otpauth://{text}"));
        let _ = uri::parse(&format!("otpauth://totp/{text}"));
        let _ = uri::parse(&format!("otpauth://hotp/a?secret=AE&{text}"));
        let _ = uri::parse_secret(&text);
        let _ = uri::parse_input(&text, "", "");
    }

    #[test]
    fn whatever_parses_is_canonicalised_into_a_fixed_point(
        text in concat!(
            "(?i)otpauth://(totp|hotp|steam|x)/[a-z0-9:%+&=#/ @-]{0,30}",
            "\\?secret=[a-z2-7 =+-]{0,12}",
            "(&(issuer|digits|period|counter|algorithm|encoder|x)=[a-z0-9%+:#= -]{0,10}){0,5}",
        )
    ) {
        if let Ok(account) = uri::parse(&text) {
            prop_assert_eq!(uri::parse(&uri::format(&account)), Ok(account), "{}", text);
        }
    }

    #[test]
    fn keys_are_read_however_they_are_typed(
        bytes in proptest::collection::vec(any::<u8>(), 1..64),
        lowercase in any::<bool>(),
        group in 1usize..9,
        separator in prop_oneof![Just(" "), Just("-"), Just("  "), Just("\t")],
        padded in any::<bool>(),
    ) {
        let canonical = if padded {
            data_encoding::BASE32.encode(&bytes)
        } else {
            data_encoding::BASE32_NOPAD.encode(&bytes)
        };
        let canonical = if lowercase { canonical.to_lowercase() } else { canonical };
        let chars: Vec<char> = canonical.chars().collect();
        let typed = chars
            .chunks(group)
            .map(|chunk| chunk.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(separator);
        let secret = uri::parse_secret(&typed);
        prop_assert_eq!(secret.as_ref().map(Secret::expose), Ok(&bytes[..]), "{}", typed);
    }
}
