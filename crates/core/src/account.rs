//! The account model: everything needed to compute an account's codes, and
//! the rules its parameters follow (digits, period, Steam's constants, key
//! length), checked in one place: [`Account::new`]. An account may also
//! carry a [`Note`] (kept in its keychain item: people keep recovery codes
//! there, so it is treated like the key) and [`Group`]s (kept in the
//! metadata); each is a checked type, and [`Account::with_groups`] holds the
//! rule on how many.

use crate::error::Excerpt;
use crate::limits;
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::RangeInclusive;
use thiserror::Error;

pub use fields::{checked_groups, label, FieldError, Group, Note};

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
    /// What the user wrote about the account (recovery codes, say); kept in
    /// the keychain item, never in the otpauth URI, the list or a log.
    pub note: Option<Note>,
    /// The groups the account is in, in the order given, without repeats;
    /// at most [`limits::MAX_GROUPS_PER_ACCOUNT`] (see [`Account::with_groups`]).
    pub groups: Vec<Group>,
}

/// "Issuer (name)", or whichever of the two is present ("(unnamed)" when
/// neither is), for messages: one wording for accounts wherever they are
/// named.
pub fn display_name(issuer: &str, name: &str) -> String {
    match (issuer.is_empty(), name.is_empty()) {
        (false, false) => format!("{issuer} ({name})"),
        (false, true) => issuer.to_owned(),
        (true, false) => name.to_owned(),
        (true, true) => "(unnamed)".to_owned(),
    }
}

impl Account {
    /// The one checked way to build an account from what a source says:
    /// a key of 1 to [`limits::MAX_SECRET_BYTES`] bytes, digits in
    /// [`DIGITS_RANGE`] and a TOTP period in [`PERIOD_RANGE`]. A HOTP counter
    /// may be any `u64` (the store refuses to move past the last one). Steam
    /// accounts always get SHA1 and [`STEAM_LENGTH`] characters, whatever
    /// `algorithm` and `digits` say, because that is what Steam computes.
    /// Issuer and name are cleaned by [`label`].
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
            issuer: label(issuer),
            name: label(name),
            secret,
            algorithm,
            digits,
            kind,
            note: None,
            groups: Vec::new(),
        })
    }

    /// The account with its issuer and name made by [`label`]: what the
    /// store keeps, however the account was built.
    pub fn labelled(mut self) -> Self {
        self.issuer = label(&self.issuer);
        self.name = label(&self.name);
        self
    }

    /// The account with `note` (already checked by [`Note::new`]).
    pub fn with_note(mut self, note: Option<Note>) -> Self {
        self.note = note;
        self
    }

    /// The account in `groups`: repeats dropped, order kept, at most
    /// [`limits::MAX_GROUPS_PER_ACCOUNT`] ([`FieldError::TooManyGroups`]).
    pub fn with_groups(
        mut self,
        groups: impl IntoIterator<Item = Group>,
    ) -> Result<Self, FieldError> {
        self.groups = checked_groups(groups)?;
        Ok(self)
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
            note: None,
            groups: Vec::new(),
        }
    }

    /// "Issuer (name)", or whichever of the two is present, for messages.
    pub fn display_name(&self) -> String {
        display_name(&self.issuer, &self.name)
    }

    /// Same key and same issuer: the test for "already in the store". Two
    /// counter-based accounts with the same key are the same whatever
    /// their issuers: a second copy (restored from an older backup, or
    /// brought in under another name) would count from its own, older,
    /// counter, and hand out codes the first already gave.
    pub fn same_as(&self, other: &Account) -> bool {
        self.secret == other.secret
            && ((self.is_hotp() && other.is_hotp())
                || self.issuer.trim().eq_ignore_ascii_case(other.issuer.trim()))
    }

    /// Counter-based (HOTP).
    pub fn is_hotp(&self) -> bool {
        matches!(self.kind, OtpKind::Hotp { .. })
    }

    /// Four hex digits that tell this account's key from another's, to
    /// know an account brought back from a backup for the one that went
    /// ([`crate::store::MissingEntry`]): the first 16 bits of a SHA-256 of
    /// the key under a label of its own. Not secret: 16 bits cannot give
    /// the key back or make a code, and two keys share them once in 65,536.
    pub fn key_check(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        hash.update(b"watchword: which key (16 bits)\0");
        hash.update(self.secret.expose());
        let digest = hash.finalize();
        format!("{:02x}{:02x}", digest[0], digest[1])
    }

    /// The counter of a counter-based account (its next code's), else
    /// None.
    pub fn hotp_counter(&self) -> Option<u64> {
        match self.kind {
            OtpKind::Hotp { counter } => Some(counter),
            _ => None,
        }
    }
}

mod fields;
#[cfg(test)]
mod tests;
