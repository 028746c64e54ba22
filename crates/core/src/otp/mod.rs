//! One-time codes: TOTP (RFC 6238), HOTP (RFC 4226) and Steam Guard, built on
//! totp-rs. Each kind has its own file; this one dispatches on the account and
//! holds the RFC 4226 truncation the three share.

pub mod hotp;
pub mod steam;
pub mod totp;

use crate::account::{Account, Algorithm, OtpKind, DIGITS_RANGE, STEAM_PERIOD};

/// The code of an account at a moment, with what the UI needs around it.
/// Serialised in camelCase (`validUntil`), as the web UI reads it.
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Code {
    /// The code to type.
    pub current: String,
    /// The code of the next period (time-based kinds only).
    pub next: Option<String>,
    /// Seconds the current code has left (time-based kinds only), 1..=period.
    pub remaining: Option<u32>,
    /// The period in seconds (time-based kinds only).
    pub period: Option<u32>,
    /// Unix time at which the current code stops being valid (time-based only).
    pub valid_until: Option<u64>,
}

impl std::fmt::Debug for Code {
    // Codes are short-lived secrets: keep them out of logs too.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Code")
            .field("remaining", &self.remaining)
            .field("period", &self.period)
            .field("valid_until", &self.valid_until)
            .finish_non_exhaustive()
    }
}

/// In its last this-many seconds a code is not worth copying: by the time
/// it is pasted and sent it has expired, the commonest failure people
/// report. The next code is copied instead.
pub const TOO_LATE_SECONDS: u32 = 2;

impl Code {
    /// The code to put on the clipboard now, and whether it is the next one
    /// because the current one is in its last [`TOO_LATE_SECONDS`].
    pub fn to_copy(&self) -> (&str, bool) {
        match (self.remaining, self.next.as_deref()) {
            (Some(remaining), Some(next)) if remaining <= TOO_LATE_SECONDS => (next, true),
            _ => (&self.current, false),
        }
    }
}

/// The code of `account` at Unix time `unix_seconds`. For HOTP the counter
/// stored in the account is used (the store advances it).
///
/// Never panics: a period of 0 (which the URI parser rejects, but a
/// hand-built account could carry) is treated as 1 second, and digits outside
/// 4..=10 are clamped into that range.
pub fn code_at(account: &Account, unix_seconds: u64) -> Code {
    let secret = account.secret.expose();
    match account.kind {
        OtpKind::Totp { period } => time_based(period, unix_seconds, |t| {
            totp::totp(secret, account.algorithm, account.digits, period, t)
        }),
        OtpKind::Steam => time_based(STEAM_PERIOD, unix_seconds, |t| steam::steam(secret, t)),
        OtpKind::Hotp { counter } => Code {
            current: hotp::hotp(secret, account.algorithm, account.digits, counter),
            next: None,
            remaining: None,
            period: None,
            valid_until: None,
        },
    }
}

/// Fills a [`Code`] for a time-based kind whose code at a given second is
/// `code_at_time`.
fn time_based(period: u32, unix_seconds: u64, code_at_time: impl Fn(u64) -> String) -> Code {
    let period = period.max(1);
    // `unix_seconds % period < period`, so this is in 1..=period and fits u32.
    let remaining = period - (unix_seconds % u64::from(period)) as u32;
    // Saturating: at the very end of u64 time the "next" code is the current
    // one rather than a panic; nobody will be around to notice.
    let valid_until = unix_seconds.saturating_add(u64::from(remaining));
    Code {
        current: code_at_time(unix_seconds),
        next: Some(code_at_time(valid_until)),
        remaining: Some(remaining),
        period: Some(period),
        valid_until: Some(valid_until),
    }
}

/// The totp-rs algorithm that signs for ours.
fn totp_rs_algorithm(algorithm: Algorithm) -> totp_rs::Algorithm {
    match algorithm {
        Algorithm::Sha1 => totp_rs::Algorithm::SHA1,
        Algorithm::Sha256 => totp_rs::Algorithm::SHA256,
        Algorithm::Sha512 => totp_rs::Algorithm::SHA512,
    }
}

/// The 31-bit value of RFC 4226 section 5.3 ("dynamic truncation") for the
/// HMAC of `time / step` under `secret`, computed by totp-rs.
///
/// We only take the HMAC from totp-rs and truncate ourselves because its
/// `generate()` panics for 10 digits, which real issuers use.
fn truncated(secret: &[u8], algorithm: Algorithm, step: u64, time: u64) -> u32 {
    // `build_noncompliant`, not `build`: `build` refuses secrets shorter than
    // 128 bits, and 80-bit secrets are common in the wild.
    let signer = totp_rs::Builder::new()
        .with_secret(secret)
        .with_algorithm(totp_rs_algorithm(algorithm))
        .with_step_duration(step.max(1))
        .build_noncompliant();
    // A named binding: `sign`'s opaque return type borrows `signer`.
    let hmac = signer.sign(time);
    dynamic_truncation(hmac.as_ref())
}

/// RFC 4226 section 5.3: the low nibble of the last byte picks 4 bytes, of
/// which the top bit is dropped.
fn dynamic_truncation(hmac: &[u8]) -> u32 {
    let offset = hmac.last().map_or(0, |last| usize::from(last & 0x0f));
    // HMAC-SHA1/256/512 outputs are 20/32/64 bytes, and offset + 4 <= 19.
    let bytes: [u8; 4] = hmac
        .get(offset..offset + 4)
        .and_then(|b| b.try_into().ok())
        .expect("an HMAC-SHA output is at least 20 bytes long");
    u32::from_be_bytes(bytes) & 0x7fff_ffff
}

/// The decimal code of RFC 4226 section 5.3 step 3: `value mod 10^digits`,
/// zero-padded. For 10 digits the modulo is a no-op (the value has 31 bits,
/// less than 10^10), so the code is the value zero-padded; the arithmetic is in
/// u64 so that 10^10 does not overflow.
fn decimal(value: u32, digits: u8) -> String {
    let digits = digits.clamp(*DIGITS_RANGE.start(), *DIGITS_RANGE.end());
    let modulus = 10u64.pow(u32::from(digits));
    format!(
        "{:0width$}",
        u64::from(value) % modulus,
        width = usize::from(digits)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    fn rfc_account(kind: OtpKind) -> Account {
        let mut account = Account::totp(
            "ACME",
            "me",
            Secret::from_bytes(b"12345678901234567890".to_vec()),
        );
        account.kind = kind;
        account.digits = 8;
        account
    }

    #[test]
    fn totp_code_has_current_next_and_remaining() {
        let account = rfc_account(OtpKind::Totp { period: 30 });
        // RFC 6238 Appendix B: T=59 -> 94287082 (SHA1), and T=60 starts the
        // next step.
        let code = code_at(&account, 59);
        assert_eq!(code.current, "94287082");
        assert_eq!(code.remaining, Some(1));
        assert_eq!(code.period, Some(30));
        assert_eq!(code.valid_until, Some(60));
        let at_60 = code_at(&account, 60);
        assert_eq!(code.next.as_deref(), Some(at_60.current.as_str()));
        assert_eq!(at_60.remaining, Some(30));
        assert_eq!(at_60.valid_until, Some(90));
    }

    /// The web UI reads these names; `valid_until` once reached it as
    /// snake_case and every countdown showed "NaN" and never refreshed.
    #[test]
    fn serialises_with_the_names_the_ui_reads() {
        let code = code_at(&rfc_account(OtpKind::Totp { period: 30 }), 59);
        let json = serde_json::to_value(&code).expect("plain data");
        assert_eq!(json["validUntil"], 60);
        assert_eq!(json["remaining"], 1);
        assert_eq!(json["period"], 30);
        assert_eq!(json["current"], "94287082");
        assert!(json.get("valid_until").is_none(), "{json}");
    }

    #[test]
    fn the_last_two_seconds_copy_the_next_code() {
        let account = rfc_account(OtpKind::Totp { period: 30 });
        // RFC 6238 Appendix B, SHA1: T=59 is the last second of the step
        // whose successor starts at 60.
        for (t, copies_next) in [(57, false), (58, true), (59, true), (60, false)] {
            let code = code_at(&account, t);
            let (text, next) = code.to_copy();
            assert_eq!(next, copies_next, "t={t}");
            let expected = if copies_next {
                &code_at(&account, 60).current
            } else {
                &code.current
            };
            assert_eq!(text, expected, "t={t}");
        }
        let mut hotp = rfc_account(OtpKind::Hotp { counter: 0 });
        hotp.digits = 6;
        assert_eq!(
            code_at(&hotp, 59).to_copy(),
            ("755224", false),
            "HOTP has no next"
        );
    }

    #[test]
    fn remaining_is_always_within_one_to_period() {
        for period in [1u32, 7, 30, 60, 90] {
            let account = rfc_account(OtpKind::Totp { period });
            for t in 0..200u64 {
                let code = code_at(&account, t);
                let remaining = code.remaining.expect("time-based");
                assert!((1..=period).contains(&remaining), "t={t} period={period}");
                assert_eq!(code.valid_until, Some(t + u64::from(remaining)));
                assert_eq!(code.valid_until.map(|v| v % u64::from(period)), Some(0));
            }
        }
    }

    #[test]
    fn hotp_code_uses_the_stored_counter_and_has_no_timing() {
        let mut account = rfc_account(OtpKind::Hotp { counter: 9 });
        account.digits = 6;
        let code = code_at(&account, 1_700_000_000);
        // RFC 4226 Appendix D, count 9.
        assert_eq!(code.current, "520489");
        assert_eq!(code.next, None);
        assert_eq!(code.remaining, None);
        assert_eq!(code.period, None);
        assert_eq!(code.valid_until, None);
    }

    #[test]
    fn steam_code_is_five_characters_over_thirty_seconds() {
        let account = rfc_account(OtpKind::Steam);
        let code = code_at(&account, 1_000);
        assert_eq!(code.current.chars().count(), 5);
        assert_eq!(code.period, Some(30));
        assert_eq!(code.remaining, Some(20));
        assert_eq!(
            code.next.as_deref(),
            Some(steam::steam(account.secret.expose(), 1_020).as_str())
        );
    }

    #[test]
    fn degenerate_accounts_do_not_panic() {
        let mut account = rfc_account(OtpKind::Totp { period: 0 });
        account.digits = 0;
        let code = code_at(&account, u64::MAX);
        assert_eq!(code.period, Some(1));
        assert_eq!(code.remaining, Some(1));
        assert_eq!(code.valid_until, Some(u64::MAX));
        assert_eq!(code.current.len(), 4);

        account.digits = 255;
        account.secret = Secret::from_bytes(Vec::new());
        assert_eq!(code_at(&account, 0).current.len(), 10);

        account.kind = OtpKind::Hotp { counter: u64::MAX };
        assert_eq!(code_at(&account, 0).current.len(), 10);
        account.kind = OtpKind::Steam;
        assert_eq!(code_at(&account, u64::MAX).current.len(), 5);
    }

    #[test]
    fn debug_does_not_show_codes() {
        let code = code_at(&rfc_account(OtpKind::Totp { period: 30 }), 59);
        let shown = format!("{code:?}");
        assert!(!shown.contains("94287082"), "{shown}");
    }

    #[test]
    fn dynamic_truncation_matches_rfc_4226_section_5_4() {
        // RFC 4226 section 5.4 worked example.
        let hmac = [
            0x1f, 0x86, 0x98, 0x69, 0x0e, 0x02, 0xca, 0x16, 0x61, 0x85, 0x50, 0xef, 0x7f, 0x19,
            0xda, 0x8e, 0x94, 0x5b, 0x55, 0x5a,
        ];
        assert_eq!(dynamic_truncation(&hmac), 0x50ef_7f19);
        assert_eq!(decimal(0x50ef_7f19, 6), "872921");
    }

    #[test]
    fn ten_digits_is_the_zero_padded_31_bit_value() {
        assert_eq!(decimal(0x50ef_7f19, 10), format!("{:010}", 0x50ef_7f19u32));
        assert_eq!(decimal(0x7fff_ffff, 10), "2147483647");
        assert_eq!(decimal(42, 10), "0000000042");
        assert_eq!(decimal(42, 4), "0042");
    }
}
