//! HOTP (RFC 4226): the code of a counter that moves each time a code is used.

use crate::account::Algorithm;

/// The HOTP code of `secret` for `counter`.
///
/// `digits` outside 4..=10 is clamped into that range so that no input panics.
pub fn hotp(secret: &[u8], algorithm: Algorithm, digits: u8, counter: u64) -> String {
    // totp-rs signs `time / step`; with a step of 1 the "time" is the counter.
    super::decimal(super::truncated(secret, algorithm, 1, counter), digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc_4226_appendix_d_test_values() {
        // RFC 4226 Appendix D ("HOTP Algorithm: Test Values"), verbatim:
        // Secret = 0x3132333435363738393031323334353637383930.
        //   Count    Hexadecimal    Decimal        HOTP
        let rows: [(u64, u32, u32, &str); 10] = [
            (0, 0x4c93cf18, 1284755224, "755224"),
            (1, 0x41397eea, 1094287082, "287082"),
            (2, 0x82fef30, 137359152, "359152"),
            (3, 0x66ef7655, 1726969429, "969429"),
            (4, 0x61c5938a, 1640338314, "338314"),
            (5, 0x33c083d4, 868254676, "254676"),
            (6, 0x7256c032, 1918287922, "287922"),
            (7, 0x4e5b397, 82162583, "162583"),
            (8, 0x2823443f, 673399871, "399871"),
            (9, 0x2679dc69, 645520489, "520489"),
        ];
        for (count, hex, decimal, code) in rows {
            assert_eq!(
                hotp(SECRET, Algorithm::Sha1, 6, count),
                code,
                "count {count}"
            );
            // Both middle columns are the 31-bit truncated value (RFC 4226
            // 5.3), so a 10-digit code is exactly that value zero-padded:
            // this checks the truncation itself, not just its last digits.
            let truncated: u32 = hotp(SECRET, Algorithm::Sha1, 10, count)
                .parse()
                .expect("a 10-digit code is a number");
            assert_eq!(truncated, hex, "count {count}");
            assert_eq!(truncated, decimal, "count {count}");
        }
    }

    #[test]
    fn counter_extremes_do_not_panic() {
        assert_eq!(hotp(SECRET, Algorithm::Sha256, 8, u64::MAX).len(), 8);
        assert_eq!(hotp(&[], Algorithm::Sha1, 3, 0).len(), 4);
    }
}
