//! Published one-time-code vectors, run end to end: an otpauth URI is parsed
//! and the account's code computed, as the app and the CLI do.

use watchword_core::otp::{code_at, hotp::hotp, steam::steam, totp::totp};
use watchword_core::{uri, Account, Algorithm, OtpKind};

/// RFC 4226 Appendix D secret, and RFC 6238 Appendix B's per-hash seeds
/// (the same digits repeated to 20, 32 and 64 bytes).
const SEED_SHA1: &[u8] = b"12345678901234567890";
const SEED_SHA256: &[u8] = b"12345678901234567890123456789012";
const SEED_SHA512: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";

fn b32(bytes: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(bytes)
}

fn account(uri: &str) -> Account {
    uri::parse(uri).unwrap_or_else(|error| panic!("{uri}: {error}"))
}

/// RFC 4226 Appendix D: (count, "Decimal" truncated value, 6-digit HOTP).
const RFC_4226_APPENDIX_D: [(u64, u32, &str); 10] = [
    (0, 1284755224, "755224"),
    (1, 1094287082, "287082"),
    (2, 137359152, "359152"),
    (3, 1726969429, "969429"),
    (4, 1640338314, "338314"),
    (5, 868254676, "254676"),
    (6, 1918287922, "287922"),
    (7, 82162583, "162583"),
    (8, 673399871, "399871"),
    (9, 645520489, "520489"),
];

#[test]
fn rfc_4226_appendix_d_through_hotp_uris() {
    for (count, _, code) in RFC_4226_APPENDIX_D {
        let uri = format!(
            "otpauth://hotp/RFC:4226?secret={}&counter={count}",
            b32(SEED_SHA1)
        );
        let account = account(&uri);
        assert_eq!(account.kind, OtpKind::Hotp { counter: count });
        assert_eq!(code_at(&account, 0).current, code, "count {count}");
    }
}

#[test]
fn rfc_6238_appendix_b_through_totp_uris() {
    // RFC 6238 Appendix B, all 18 rows verbatim (T0 = 0, X = 30, 8 digits).
    let rows: [(u64, &str, &str); 18] = [
        (59, "94287082", "SHA1"),
        (59, "46119246", "SHA256"),
        (59, "90693936", "SHA512"),
        (1111111109, "07081804", "SHA1"),
        (1111111109, "68084774", "SHA256"),
        (1111111109, "25091201", "SHA512"),
        (1111111111, "14050471", "SHA1"),
        (1111111111, "67062674", "SHA256"),
        (1111111111, "99943326", "SHA512"),
        (1234567890, "89005924", "SHA1"),
        (1234567890, "91819424", "SHA256"),
        (1234567890, "93441116", "SHA512"),
        (2000000000, "69279037", "SHA1"),
        (2000000000, "90698825", "SHA256"),
        (2000000000, "38618901", "SHA512"),
        (20000000000, "65353130", "SHA1"),
        (20000000000, "77737706", "SHA256"),
        (20000000000, "47863826", "SHA512"),
    ];
    for (time, code, mode) in rows {
        let seed = match mode {
            "SHA1" => SEED_SHA1,
            "SHA256" => SEED_SHA256,
            _ => SEED_SHA512,
        };
        let uri = format!(
            "otpauth://totp/RFC:6238?secret={}&algorithm={mode}&digits=8",
            b32(seed)
        );
        assert_eq!(
            code_at(&account(&uri), time).current,
            code,
            "T={time} {mode}"
        );
    }
}

#[test]
fn four_five_nine_and_ten_digits() {
    // Derived from RFC 4226 Appendix D: a d-digit code is the "Decimal"
    // column mod 10^d, zero-padded; 10 digits is the 31-bit value itself.
    for (count, decimal, _) in RFC_4226_APPENDIX_D {
        for digits in [4u8, 5, 9, 10] {
            let expected = format!(
                "{:0width$}",
                u64::from(decimal) % 10u64.pow(u32::from(digits)),
                width = usize::from(digits)
            );
            assert_eq!(
                hotp(SEED_SHA1, Algorithm::Sha1, digits, count),
                expected,
                "count {count}, {digits} digits"
            );
        }
        assert_eq!(
            hotp(SEED_SHA1, Algorithm::Sha1, 10, count),
            format!("{decimal:010}")
        );
    }
    // Counts 2 and 7 have 9- and 8-digit values: padding is visible.
    assert_eq!(hotp(SEED_SHA1, Algorithm::Sha1, 10, 2), "0137359152");
    assert_eq!(hotp(SEED_SHA1, Algorithm::Sha1, 10, 7), "0082162583");
    assert_eq!(hotp(SEED_SHA1, Algorithm::Sha1, 9, 7), "082162583");

    // The same through a TOTP URI: T=59 with X=30 is counter 1.
    let base = format!("otpauth://totp/a?secret={}", b32(SEED_SHA1));
    for (digits, code) in [
        (4, "7082"),
        (5, "87082"),
        (9, "094287082"),
        (10, "1094287082"),
    ] {
        let account = account(&format!("{base}&digits={digits}"));
        assert_eq!(code_at(&account, 59).current, code, "{digits} digits");
    }
}

#[test]
fn periods_of_one_sixty_and_ninety_seconds() {
    // RFC 6238 section 4.2: T = floor(time / X), then HOTP(K, T); checked
    // against the RFC 4226 Appendix D codes for small T.
    let code = |period: u32, time: u64| totp(SEED_SHA1, Algorithm::Sha1, 6, period, time);
    let appendix_d = |count: usize| RFC_4226_APPENDIX_D[count].2;
    for t in 0..10u64 {
        assert_eq!(code(1, t), appendix_d(t as usize), "period 1, t={t}");
    }
    assert_eq!(code(60, 0), appendix_d(0));
    assert_eq!(code(60, 59), appendix_d(0));
    assert_eq!(code(60, 60), appendix_d(1));
    assert_eq!(code(60, 599), appendix_d(9));
    assert_eq!(code(90, 89), appendix_d(0));
    assert_eq!(code(90, 90), appendix_d(1));
    assert_eq!(code(90, 180), appendix_d(2));
    assert_eq!(code(90, 899), appendix_d(9));

    let account = account(&format!(
        "otpauth://totp/a?secret={}&period=90",
        b32(SEED_SHA1)
    ));
    let at_100 = code_at(&account, 100);
    assert_eq!(at_100.current, appendix_d(1));
    assert_eq!(at_100.next.as_deref(), Some(appendix_d(2)));
    assert_eq!(at_100.remaining, Some(80));
    assert_eq!(at_100.valid_until, Some(180));
    assert_eq!(at_100.period, Some(90));
}

#[test]
fn eighty_bit_secrets() {
    // Google's example key JBSWY3DPEHPK3PXP ("Hello!\xDE\xAD\xBE\xEF", 80
    // bits). Expected codes computed with oathtool 2.6.7 (OATH Toolkit), e.g.
    // `oathtool -b --totp -d 6 -N @59 JBSWY3DPEHPK3PXP`.
    let key = "JBSWY3DPEHPK3PXP";
    let cases = [
        ("algorithm=SHA1&digits=6", 59, "996554"),
        ("algorithm=SHA1&digits=6", 1111111109, "071271"),
        ("algorithm=SHA256&digits=8", 2000000000, "25916370"),
        ("algorithm=SHA512&digits=7&period=60", 1234567890, "6606127"),
    ];
    for (params, time, code) in cases {
        let account = account(&format!(
            "otpauth://totp/Example:alice?secret={key}&{params}"
        ));
        assert_eq!(account.secret.len(), 10);
        assert_eq!(code_at(&account, time).current, code, "{params} T={time}");
    }
    // `oathtool -b --hotp -c 0 -w 2 JBSWY3DPEHPK3PXP`.
    for (counter, code) in [(0, "282760"), (1, "996554"), (2, "602287")] {
        let account = account(&format!("otpauth://hotp/a?secret={key}&counter={counter}"));
        assert_eq!(code_at(&account, 0).current, code, "counter {counter}");
    }
}

#[test]
fn steam_guard_vector() {
    // From the `steam` Python package's test suite (ValvePython/steam,
    // tests/test_guard.py, test_generate_twofactor_code_for_time): shared
    // secret b'superdupersecret'; 3000029 and 3000030 straddle a step.
    assert_eq!(steam(b"superdupersecret", 3000030), "YRGQJ");
    assert_eq!(steam(b"superdupersecret", 3000029), "94R9D");

    let uri = format!(
        "otpauth://steam/Steam:gabe?secret={}&issuer=Steam",
        b32(b"superdupersecret")
    );
    let account = account(&uri);
    assert_eq!(account.kind, OtpKind::Steam);
    let code = code_at(&account, 3000029);
    assert_eq!(code.current, "94R9D");
    assert_eq!(code.next.as_deref(), Some("YRGQJ"));
    assert_eq!(code.remaining, Some(1));
    assert_eq!(code.valid_until, Some(3000030));
}
