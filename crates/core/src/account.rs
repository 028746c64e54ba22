//! The account model: everything needed to compute an account's codes.

use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use std::fmt;

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
    /// The period of a time-based kind, `None` for HOTP.
    pub fn period(self) -> Option<u32> {
        match self {
            OtpKind::Totp { period } => Some(period),
            OtpKind::Steam => Some(crate::otp::steam::PERIOD),
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
pub const DIGITS_RANGE: std::ops::RangeInclusive<u8> = 4..=10;

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
    /// A TOTP account with the usual parameters (SHA1, 6 digits, 30 s).
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
