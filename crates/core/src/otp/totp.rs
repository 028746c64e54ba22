//! TOTP (RFC 6238): the HOTP code of the number of whole periods since the
//! Unix epoch.

use crate::account::Algorithm;

/// The TOTP code of `secret` at Unix time `unix_seconds`.
///
/// `digits` outside 4..=10 is clamped into that range and a `period` of 0 is
/// treated as 1 second, so that no input panics (the URI parser rejects both).
pub fn totp(
    secret: &[u8],
    algorithm: Algorithm,
    digits: u8,
    period: u32,
    unix_seconds: u64,
) -> String {
    let step = u64::from(period.max(1));
    super::decimal(
        super::truncated(secret, algorithm, step, unix_seconds),
        digits,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seeds of RFC 6238 Appendix B: the SHA1 seed repeated to the hash's
    /// output length (20, 32 and 64 bytes).
    const SEED_SHA1: &[u8] = b"12345678901234567890";
    const SEED_SHA256: &[u8] = b"12345678901234567890123456789012";
    const SEED_SHA512: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";

    fn seed(algorithm: Algorithm) -> &'static [u8] {
        match algorithm {
            Algorithm::Sha1 => SEED_SHA1,
            Algorithm::Sha256 => SEED_SHA256,
            Algorithm::Sha512 => SEED_SHA512,
        }
    }

    #[test]
    fn rfc_6238_appendix_b_test_vectors() {
        // RFC 6238 Appendix B ("Test Vectors"), all 18 rows verbatim:
        // T0 = 0, X = 30, 8 digits.
        //   |  Time (sec) |   UTC Time          | Value of T (hex) |   TOTP   |  Mode  |
        let rows: [(u64, &str, Algorithm); 18] = [
            (59, "94287082", Algorithm::Sha1),
            (59, "46119246", Algorithm::Sha256),
            (59, "90693936", Algorithm::Sha512),
            (1111111109, "07081804", Algorithm::Sha1),
            (1111111109, "68084774", Algorithm::Sha256),
            (1111111109, "25091201", Algorithm::Sha512),
            (1111111111, "14050471", Algorithm::Sha1),
            (1111111111, "67062674", Algorithm::Sha256),
            (1111111111, "99943326", Algorithm::Sha512),
            (1234567890, "89005924", Algorithm::Sha1),
            (1234567890, "91819424", Algorithm::Sha256),
            (1234567890, "93441116", Algorithm::Sha512),
            (2000000000, "69279037", Algorithm::Sha1),
            (2000000000, "90698825", Algorithm::Sha256),
            (2000000000, "38618901", Algorithm::Sha512),
            (20000000000, "65353130", Algorithm::Sha1),
            (20000000000, "77737706", Algorithm::Sha256),
            (20000000000, "47863826", Algorithm::Sha512),
        ];
        for (time, expected, algorithm) in rows {
            assert_eq!(
                totp(seed(algorithm), algorithm, 8, 30, time),
                expected,
                "T={time} {algorithm:?}"
            );
        }
    }

    #[test]
    fn code_changes_exactly_at_period_boundaries() {
        // RFC 6238 section 4.2: T = floor((Current Unix time - T0) / X).
        let at = |t| totp(SEED_SHA1, Algorithm::Sha1, 6, 30, t);
        assert_eq!(at(0), at(29));
        assert_ne!(at(29), at(30));
        assert_eq!(at(30), at(59));
    }

    #[test]
    fn period_zero_is_treated_as_one_second() {
        assert_eq!(
            totp(SEED_SHA1, Algorithm::Sha1, 6, 0, 9),
            totp(SEED_SHA1, Algorithm::Sha1, 6, 1, 9)
        );
    }

    #[test]
    fn short_and_empty_secrets_do_not_panic() {
        // 80-bit secrets are what many sites issue; totp-rs' `build()` would
        // refuse them, which is why we never call it.
        assert_eq!(totp(&[0u8; 10], Algorithm::Sha1, 6, 30, 0).len(), 6);
        assert_eq!(totp(&[], Algorithm::Sha512, 10, 30, u64::MAX).len(), 10);
    }
}
