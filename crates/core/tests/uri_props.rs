//! Properties of otpauth URIs: whatever account we format parses back to the
//! same account, and no input makes the parser panic.

use proptest::prelude::*;
use watchword_core::{account, uri, Account, Algorithm, OtpKind, Secret};

/// Issuer and account names with everything that could break the label or
/// query split, non-ASCII text, and now and then anything at all. Every
/// source's names are kept as one trimmed, bounded line
/// ([`account::label`]), so generated ones are made so too.
fn label_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z0-9 :&%+?#/=@._~\\-éü中✓😀\t]{0,24}",
        1 => any::<String>(),
    ]
    .prop_map(|text| account::label(&text))
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

/// `text` with every byte but ASCII letters and digits percent-encoded,
/// in upper or lower case hex (both are read).
fn escaped(text: &str, lower_hex: bool) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else if lower_hex {
                format!("%{b:02x}")
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `text` with each ASCII letter in upper or lower case as `cases` says.
fn recased(text: &str, cases: &[bool]) -> String {
    text.chars()
        .zip(cases.iter().cycle())
        .map(|(c, &upper)| {
            if upper {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

/// The ways generators spell each algorithm, all of which `parse` reads.
fn algorithm_spelled() -> impl Strategy<Value = (Algorithm, String)> {
    let spellings = |algorithm: Algorithm, names: &'static [&'static str]| {
        proptest::sample::select(names).prop_map(move |name| (algorithm, name.to_owned()))
    };
    prop_oneof![
        spellings(Algorithm::Sha1, &["SHA1", "sha1", "SHA-1", "HmacSHA1"]),
        spellings(
            Algorithm::Sha256,
            &["SHA256", "sha256", "SHA-256", "HmacSHA256"]
        ),
        spellings(
            Algorithm::Sha512,
            &["SHA512", "sha512", "SHA-512", "HMACSHA512"]
        ),
    ]
}

/// What a valid URI says about the account's kind: the kind itself, the
/// URI's type as written, and its parameters (name, value), any of which
/// may be left out for its default. Digits, periods and counters cover
/// their whole accepted ranges ([`watchword_core::account::DIGITS_RANGE`],
/// [`watchword_core::account::PERIOD_RANGE`], any `u64`).
#[derive(Clone, Debug)]
struct ValidKind {
    kind: OtpKind,
    algorithm: Algorithm,
    digits: u8,
    scheme_type: String,
    params: Vec<(String, String)>,
}

fn valid_kind() -> impl Strategy<Value = ValidKind> {
    let algorithm = || proptest::option::of(algorithm_spelled());
    let digits = || proptest::option::of(4u8..=10);
    let totp = (
        algorithm(),
        digits(),
        proptest::option::of(prop_oneof![1u32..=120, 1u32..=86_400, Just(86_400u32)]),
    )
        .prop_map(|(algorithm, digits, period)| {
            let mut params = Vec::new();
            let (algorithm, digits) = spelled(algorithm, digits, &mut params);
            if let Some(period) = period {
                params.push(("period".to_owned(), period.to_string()));
            }
            ValidKind {
                kind: OtpKind::Totp {
                    period: period.unwrap_or(30),
                },
                algorithm,
                digits,
                scheme_type: "totp".to_owned(),
                params,
            }
        });
    let hotp = (
        algorithm(),
        digits(),
        proptest::option::of(prop_oneof![0u64..1000, any::<u64>(), Just(u64::MAX)]),
    )
        .prop_map(|(algorithm, digits, counter)| {
            let mut params = Vec::new();
            let (algorithm, digits) = spelled(algorithm, digits, &mut params);
            if let Some(counter) = counter {
                params.push(("counter".to_owned(), counter.to_string()));
            }
            ValidKind {
                kind: OtpKind::Hotp {
                    counter: counter.unwrap_or(0),
                },
                algorithm,
                digits,
                scheme_type: "hotp".to_owned(),
                params,
            }
        });
    // Steam: its own type, or TOTP with `encoder=steam`; whatever else the
    // URI says, SHA1 and 5 characters.
    let steam = (any::<bool>(), algorithm_spelled(), 4u8..=10).prop_map(
        |(encoder, (_, algorithm), digits)| {
            let mut params = vec![
                ("algorithm".to_owned(), algorithm),
                ("digits".to_owned(), digits.to_string()),
            ];
            if encoder {
                params.push(("encoder".to_owned(), "steam".to_owned()));
            }
            ValidKind {
                kind: OtpKind::Steam,
                algorithm: Algorithm::Sha1,
                digits: 5,
                scheme_type: if encoder { "totp" } else { "steam" }.to_owned(),
                params,
            }
        },
    );
    prop_oneof![3 => totp, 2 => hotp, 1 => steam]
}

/// The algorithm and digits parameters, pushed onto `params` when given;
/// returns what they mean (the defaults when left out).
fn spelled(
    algorithm: Option<(Algorithm, String)>,
    digits: Option<u8>,
    params: &mut Vec<(String, String)>,
) -> (Algorithm, u8) {
    let algorithm = match algorithm {
        Some((algorithm, name)) => {
            params.push(("algorithm".to_owned(), name));
            algorithm
        }
        None => Algorithm::Sha1,
    };
    let digits = match digits {
        Some(digits) => {
            params.push(("digits".to_owned(), digits.to_string()));
            digits
        }
        None => 6,
    };
    (algorithm, digits)
}

/// A URI that `parse` must accept, in the lenient forms it reads (any case
/// in the scheme, type and parameter names; the key in any case, grouped,
/// padded; parameters in any order, with unknown ones), and the account it
/// says.
#[derive(Clone, Debug)]
struct ValidUri {
    text: String,
    expected: Account,
}

prop_compose! {
    fn valid_uri()(
        kind in valid_kind(),
        issuer in "[a-zA-Z0-9 :&%+?#/=@._~éü中-]{0,16}",
        name in "[a-zA-Z0-9 :&%+?#/=@._~éü中-]{0,16}",
        issuer_in_query in any::<bool>(),
        lower_hex in any::<bool>(),
        secret in proptest::collection::vec(any::<u8>(), 1..64),
        secret_lowercase in any::<bool>(),
        secret_padded in any::<bool>(),
        secret_group in 0usize..9,
        cases in proptest::collection::vec(any::<bool>(), 1..8),
        unknown in any::<bool>(),
        fragment in any::<bool>(),
        order in Just((0..8).collect::<Vec<usize>>()).prop_shuffle(),
    ) -> ValidUri {
        let encoded_secret = if secret_padded {
            data_encoding::BASE32.encode(&secret)
        } else {
            data_encoding::BASE32_NOPAD.encode(&secret)
        };
        let encoded_secret = if secret_lowercase {
            encoded_secret.to_lowercase()
        } else {
            encoded_secret
        };
        // Grouped as people copy a key: `+` is a space in a query value.
        let encoded_secret = if secret_group == 0 {
            encoded_secret
        } else {
            encoded_secret
                .as_bytes()
                .chunks(secret_group)
                .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
                .collect::<Vec<_>>()
                .join("+")
        };
        let mut params = kind.params.clone();
        params.push(("secret".to_owned(), encoded_secret));
        if issuer_in_query {
            params.push(("issuer".to_owned(), escaped(&issuer, lower_hex)));
        }
        if unknown {
            params.push(("image".to_owned(), "https%3A%2F%2Fexample.com%2Fa.png".to_owned()));
        }
        // Parameters in any order (there are at most 8 of them).
        let mut keyed: Vec<(usize, (String, String))> = params
            .into_iter()
            .enumerate()
            .map(|(i, param)| (order[i], param))
            .collect();
        keyed.sort_by_key(|(position, _)| *position);
        let query = keyed
            .into_iter()
            .map(|(_, (key, value))| format!("{}={value}", recased(&key, &cases)))
            .collect::<Vec<_>>()
            .join("&");
        // The label's `:` is literal: every `:` in the names is escaped.
        let label = format!("{}:{}", escaped(&issuer, lower_hex), escaped(&name, lower_hex));
        let mut text = format!(
            "{}{}/{label}?{query}",
            recased("otpauth://", &cases),
            recased(&kind.scheme_type, &cases),
        );
        if fragment {
            text.push_str("#ignored");
        }
        let expected = Account {
            issuer: issuer.trim().to_owned(),
            name: name.trim().to_owned(),
            secret: Secret::from_bytes(secret),
            algorithm: kind.algorithm,
            digits: kind.digits,
            kind: kind.kind,
            note: None,
            groups: Vec::new(),
        };
        ValidUri { text, expected }
    }
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

    /// The fixed point on URIs that must parse: non-default digits,
    /// periods, counters, algorithms and kinds, in the lenient spellings,
    /// every case checked (the test above checks only what happens to parse).
    #[test]
    fn every_valid_uri_parses_to_its_account_and_a_fixed_point(uri in valid_uri()) {
        let account = uri::parse(&uri.text).map_err(|e| {
            TestCaseError::fail(format!("a valid URI refused ({e}): {}", uri.text))
        })?;
        prop_assert_eq!(&account, &uri.expected, "{}", uri.text);
        let formatted = uri::format(&account);
        prop_assert_eq!(uri::parse(&formatted), Ok(account), "{}", formatted);
        let again = uri::parse(&formatted).map(|account| uri::format(&account));
        prop_assert_eq!(again.as_deref(), Ok(formatted.as_str()));
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
