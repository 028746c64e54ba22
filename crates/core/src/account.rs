//! The account model: everything needed to compute an account's codes, and
//! the rules its parameters follow (digits, period, Steam's constants, key
//! length), checked in one place: [`Account::new`].

use crate::error::Excerpt;
use crate::limits;
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::RangeInclusive;
use thiserror::Error;

/// Stable identifier of an account: the keychain item's user name and the key
/// of its metadata. Lowercase hex, derived once at creation and never changed.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountId(String);

impl AccountId {
    /// A fresh random identifier (128 bits from the OS random source).
    pub fn random() -> Self {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).expect("the OS random source is available");
        Self(data_encoding::HEXLOWER.encode(&bytes))
    }

    /// Accepts an identifier read back from the keychain or the metadata file;
    /// `None` when it is not one of ours.
    pub fn parse(text: &str) -> Option<Self> {
        let ok = (8..=64).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        ok.then(|| Self(text.to_owned()))
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountId({})", self.0)
    }
}

/// HMAC hash function of an account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Algorithm {
    /// HMAC-SHA1, the default everywhere.
    #[default]
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

impl Algorithm {
    /// Reads an algorithm name as apps write it (`SHA1`, `sha-256`,
    /// `HmacSHA512`): letters and digits only, any case, an optional `Hmac`.
    pub fn parse(text: &str) -> Result<Self, RuleError> {
        let normalised: String = text
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_uppercase();
        match normalised.strip_prefix("HMAC").unwrap_or(&normalised) {
            "SHA1" => Ok(Algorithm::Sha1),
            "SHA256" => Ok(Algorithm::Sha256),
            "SHA512" => Ok(Algorithm::Sha512),
            _ => Err(RuleError::UnknownAlgorithm(Excerpt::of(text))),
        }
    }

    /// The name used in otpauth URIs (`SHA1`, `SHA256`, `SHA512`).
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Sha1 => "SHA1",
            Algorithm::Sha256 => "SHA256",
            Algorithm::Sha512 => "SHA512",
        }
    }
}

/// How an account's codes advance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum OtpKind {
    /// Time-based (RFC 6238): a new code every `period` seconds.
    Totp {
        /// Seconds each code lives, at least 1.
        period: u32,
    },
    /// Counter-based (RFC 4226): a new code each time the counter moves.
    Hotp {
        /// The counter of the next code to generate.
        counter: u64,
    },
    /// Steam Guard: TOTP/SHA1 over 30 s rendered as 5 characters.
    Steam,
}

impl OtpKind {
    /// A TOTP kind whose period is checked against [`PERIOD_RANGE`]; for
    /// sources that store the period in a wider number than the account.
    pub fn totp(period: u64) -> Result<Self, RuleError> {
        u32::try_from(period)
            .ok()
            .filter(|period| PERIOD_RANGE.contains(period))
            .map(|period| OtpKind::Totp { period })
            .ok_or(RuleError::PeriodOutOfRange(period))
    }

    /// The period of a time-based kind, `None` for HOTP.
    pub fn period(self) -> Option<u32> {
        match self {
            OtpKind::Totp { period } => Some(period),
            OtpKind::Steam => Some(STEAM_PERIOD),
            OtpKind::Hotp { .. } => None,
        }
    }

    /// `totp`, `hotp` or `steam`.
    pub fn name(self) -> &'static str {
        match self {
            OtpKind::Totp { .. } => "totp",
            OtpKind::Hotp { .. } => "hotp",
            OtpKind::Steam => "steam",
        }
    }
}

/// Smallest and largest number of digits a code may have.
pub const DIGITS_RANGE: RangeInclusive<u8> = 4..=10;

/// Shortest and longest life of a TOTP code, in seconds: at least one, at
/// most a day (a longer period is a typo, not a policy).
pub const PERIOD_RANGE: RangeInclusive<u32> = 1..=86_400;

/// Steam codes always live 30 seconds, whatever a file says.
pub const STEAM_PERIOD: u32 = 30;

/// Number of characters in a Steam code, whatever a file says.
pub const STEAM_LENGTH: u8 = 5;

/// Which rule an account's parameters break, with the wrong number (never
/// the key). Every source of accounts (URIs, manual entry, Google's
/// migration export, the importers) checks through [`Account::new`], so the
/// same mistake gets the same message everywhere.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RuleError {
    /// Occurs when the secret key has no bytes.
    #[error("the secret key is empty")]
    EmptySecret,
    /// Occurs when the secret key is longer than
    /// [`limits::MAX_SECRET_BYTES`]: an attack on the keychain, not a key.
    #[error(
        "the secret key is {bytes} bytes long, longer than any real key ({} at most)",
        limits::MAX_SECRET_BYTES
    )]
    SecretTooLong {
        /// Length of the key in bytes.
        bytes: usize,
    },
    /// Occurs when the algorithm is not SHA1, SHA256 or SHA512 (MD5, say).
    #[error("unsupported algorithm {0}: expected SHA1, SHA256 or SHA512")]
    UnknownAlgorithm(Excerpt),
    /// Occurs when the number of digits is outside [`DIGITS_RANGE`].
    #[error("digits must be a number from 4 to 10, not {0}")]
    DigitsOutOfRange(u64),
    /// Occurs when a TOTP period is outside [`PERIOD_RANGE`].
    #[error("period must be a whole number of seconds from 1 to 86400, not {0}")]
    PeriodOutOfRange(u64),
}

/// One account: the issuer and name people see, and what computes its codes.
///
/// `Debug` never shows the secret (see [`Secret`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// Who issued it ("Amazon"); may be empty.
    pub issuer: String,
    /// The account name at the issuer ("me@example.com"); may be empty.
    pub name: String,
    /// The shared key.
    pub secret: Secret,
    /// HMAC hash function (ignored by Steam, which is always SHA1).
    pub algorithm: Algorithm,
    /// Number of digits (Steam: always 5 characters).
    pub digits: u8,
    /// TOTP, HOTP or Steam, with its period or counter.
    pub kind: OtpKind,
}

impl Account {
    /// The one checked way to build an account from what a source says:
    /// a key of 1 to [`limits::MAX_SECRET_BYTES`] bytes, digits in
    /// [`DIGITS_RANGE`] and a TOTP period in [`PERIOD_RANGE`]. A HOTP counter
    /// may be any `u64` (the store refuses to move past the last one). Steam
    /// accounts always get SHA1 and [`STEAM_LENGTH`] characters, whatever
    /// `algorithm` and `digits` say, because that is what Steam computes.
    /// Issuer and name are trimmed.
    ///
    /// The checks run in that order (key, digits, period), so a source with
    /// several mistakes reports the first.
    pub fn new(
        issuer: &str,
        name: &str,
        secret: Secret,
        algorithm: Algorithm,
        digits: u64,
        kind: OtpKind,
    ) -> Result<Self, RuleError> {
        if secret.is_empty() {
            return Err(RuleError::EmptySecret);
        }
        if secret.len() > limits::MAX_SECRET_BYTES {
            return Err(RuleError::SecretTooLong {
                bytes: secret.len(),
            });
        }
        let (algorithm, digits) = match kind {
            OtpKind::Steam => (Algorithm::Sha1, STEAM_LENGTH),
            OtpKind::Totp { .. } | OtpKind::Hotp { .. } => {
                let checked = u8::try_from(digits)
                    .ok()
                    .filter(|digits| DIGITS_RANGE.contains(digits))
                    .ok_or(RuleError::DigitsOutOfRange(digits))?;
                (algorithm, checked)
            }
        };
        if let OtpKind::Totp { period } = kind {
            OtpKind::totp(u64::from(period))?;
        }
        Ok(Self {
            issuer: issuer.trim().to_owned(),
            name: name.trim().to_owned(),
            secret,
            algorithm,
            digits,
            kind,
        })
    }

    /// A TOTP account with the usual parameters (SHA1, 6 digits, 30 s). The
    /// key is not checked: for keys already checked, and for tests; anything
    /// read from outside goes through [`Account::new`].
    pub fn totp(issuer: &str, name: &str, secret: Secret) -> Self {
        Self {
            issuer: issuer.to_owned(),
            name: name.to_owned(),
            secret,
            algorithm: Algorithm::Sha1,
            digits: 6,
            kind: OtpKind::Totp { period: 30 },
        }
    }

    /// "Issuer (name)", or whichever of the two is present, for messages.
    pub fn display_name(&self) -> String {
        match (self.issuer.is_empty(), self.name.is_empty()) {
            (false, false) => format!("{} ({})", self.issuer, self.name),
            (false, true) => self.issuer.clone(),
            (true, false) => self.name.clone(),
            (true, true) => "(unnamed)".to_owned(),
        }
    }

    /// Same key and same issuer: the test for "already in the store".
    pub fn same_as(&self, other: &Account) -> bool {
        self.secret == other.secret && self.issuer.trim().eq_ignore_ascii_case(other.issuer.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(bytes: usize) -> Secret {
        Secret::from_bytes(vec![7; bytes])
    }

    fn new(digits: u64, kind: OtpKind) -> Result<Account, RuleError> {
        Account::new(" Acme ", " me ", key(10), Algorithm::Sha256, digits, kind)
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
}
