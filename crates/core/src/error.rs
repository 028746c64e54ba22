//! Error types. Every message is specific, says what to do where there is
//! something to do, and never contains a secret or a code.

use crate::account::{FieldError, RuleError};
use crate::codes::ErrorCode;
use std::fmt;
use std::path::PathBuf;
use thiserror::Error;

/// Most characters of a wrong value an error message repeats. Enough for
/// `-30`, `MD5`, `sha-256` or a 20-digit counter; a key is longer.
const EXCERPT_MAX_CHARS: usize = 20;

/// Shortest run of base32/base64 characters that may be a key (or a piece of
/// one) and is never quoted. Real keys are 16 or more characters; 12 leaves
/// room for a cut-off piece while `HmacSHA512` (10) is still quoted.
const EXCERPT_KEY_RUN: usize = 12;

/// A wrong value as an error message may show it: quoted when short and
/// key-free, otherwise only its length.
///
/// Input that failed to parse may hold a key (`digits=6;secret=JBSW…`, a
/// mistyped `?`) or be a megabyte long, so errors never carry the raw text:
/// they carry this, and only [`Excerpt::of`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt(Shown);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Shown {
    Quoted(String),
    Hidden { chars: usize },
}

impl Excerpt {
    /// The excerpt of `text`: the text itself when it has at most 20
    /// characters, does not mention `secret` and holds no run of 12 or more
    /// base32/base64 characters (digits alone excepted: a long number is not
    /// a key); otherwise only its length.
    pub fn of(text: &str) -> Self {
        let chars = text.chars().count();
        let quotable = chars <= EXCERPT_MAX_CHARS && !may_hold_key(text);
        Self(if quotable {
            Shown::Quoted(text.to_owned())
        } else {
            Shown::Hidden { chars }
        })
    }

    /// True when nothing was given (an empty value).
    pub fn is_empty(&self) -> bool {
        matches!(&self.0, Shown::Quoted(text) if text.is_empty())
    }
}

impl From<&str> for Excerpt {
    fn from(text: &str) -> Self {
        Self::of(text)
    }
}

/// `"six"` (quoted, control characters escaped) or
/// `(1048576 characters, not shown)`.
impl fmt::Display for Excerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Shown::Quoted(text) => write!(f, "{text:?}"),
            Shown::Hidden { chars: 1 } => f.write_str("(1 character, not shown)"),
            Shown::Hidden { chars } => write!(f, "({chars} characters, not shown)"),
        }
    }
}

/// True when `text` may hold a key, so that no message repeats it: it
/// mentions `secret` (an otpauth URI's parameter) or holds a run of 12 or
/// more base32/base64 characters, not digits alone. [`Excerpt::of`] hides
/// such text whatever its length.
pub fn may_hold_key(text: &str) -> bool {
    text.to_ascii_lowercase().contains("secret") || has_key_like_run(text)
}

/// A run of base32/base64 characters (letters, digits, `+`, `/`) long
/// enough to be a key; a run of decimal digits alone does not count. Spaces
/// and dashes do not end a run: sites show keys in groups ("jbsw y3dp …").
fn has_key_like_run(text: &str) -> bool {
    let mut run = 0usize;
    let mut digits_only = true;
    for c in text.chars() {
        if c == ' ' || c == '-' {
            continue;
        }
        if c.is_ascii_alphanumeric() || c == '+' || c == '/' {
            run += 1;
            digits_only &= c.is_ascii_digit();
            if run >= EXCERPT_KEY_RUN && !digits_only {
                return true;
            }
        } else {
            run = 0;
            digits_only = true;
        }
    }
    false
}

/// A problem with an otpauth URI or a typed setup key.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UriError {
    /// Occurs when the text is neither an `otpauth://` URI nor a setup key.
    #[error("not an otpauth:// URI")]
    NotOtpauth,
    /// Occurs when the type after `otpauth://` is not totp, hotp or steam.
    #[error("{}", unknown_type(.0))]
    UnknownType(Excerpt),
    /// Occurs when the URI has no `secret` parameter.
    #[error("the URI has no secret parameter")]
    MissingSecret,
    /// Occurs when the secret (or the typed key) is empty.
    #[error("the secret key is empty")]
    EmptySecret,
    /// Occurs when the key holds a character that is not base32; `position`
    /// counts characters from 1 in the key as given (the key is never echoed).
    #[error("the secret key has an invalid character at position {position}: only letters A-Z and digits 2-7 are allowed")]
    InvalidSecretCharacter {
        /// 1-based position of the offending character.
        position: usize,
    },
    /// Occurs when the key decodes to more than
    /// [`crate::limits::MAX_SECRET_BYTES`] bytes.
    #[error(
        "the secret key is {bytes} bytes long, longer than any real key ({} at most)",
        crate::limits::MAX_SECRET_BYTES
    )]
    SecretTooLong {
        /// Length of the decoded key in bytes.
        bytes: usize,
    },
    /// Occurs when the number of base32 characters cannot encode whole bytes.
    #[error("the secret key has {length} characters, which is not a valid base32 length; check that it was copied completely")]
    InvalidSecretLength {
        /// Number of base32 characters after removing spaces and padding.
        length: usize,
    },
    /// Occurs when `algorithm` is not SHA1, SHA256 or SHA512.
    #[error("unsupported algorithm {0}: expected SHA1, SHA256 or SHA512")]
    UnknownAlgorithm(Excerpt),
    /// Occurs when `digits` is not a number from 4 to 10.
    #[error("digits must be a number from 4 to 10, not {0}")]
    DigitsOutOfRange(Excerpt),
    /// Occurs when `period` is not a whole number of seconds of at least 1.
    #[error("period must be a whole number of seconds from 1 to 86400, not {0}")]
    PeriodOutOfRange(Excerpt),
    /// Occurs when `counter` is not a non-negative whole number.
    #[error("counter must be a whole number of 0 or more, not {0}")]
    InvalidCounter(Excerpt),
    /// Occurs when a `%` escape in the URI is not followed by two hex digits
    /// or decodes to invalid UTF-8.
    #[error("the URI has a malformed percent-escape in its {0}")]
    BadEscape(&'static str),
}

/// A broken account rule as a URI or manual-entry error, with the wrong
/// number quoted as the URI's other values are.
impl From<RuleError> for UriError {
    fn from(error: RuleError) -> Self {
        match error {
            RuleError::EmptySecret => UriError::EmptySecret,
            RuleError::SecretTooLong { bytes } => UriError::SecretTooLong { bytes },
            RuleError::UnknownAlgorithm(name) => UriError::UnknownAlgorithm(name),
            RuleError::DigitsOutOfRange(digits) => {
                UriError::DigitsOutOfRange(Excerpt::of(&digits.to_string()))
            }
            RuleError::PeriodOutOfRange(period) => {
                UriError::PeriodOutOfRange(Excerpt::of(&period.to_string()))
            }
        }
    }
}

fn unknown_type(name: &Excerpt) -> String {
    if name.is_empty() {
        "unknown OTP type: expected totp, hotp or steam".to_owned()
    } else {
        format!("unknown OTP type {name}: expected totp, hotp or steam")
    }
}

/// Why the keychain could not be used.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeychainProblem {
    /// No keychain service answers (no Secret Service on the session bus).
    Unavailable,
    /// The keychain is locked and was not unlocked.
    Locked,
    /// The keychain refused access (the user dismissed a prompt, or policy).
    Denied,
    /// The keychain answered with an error of its own.
    Failed,
    /// The keychain service is there but did not answer in time (stopped
    /// or stuck), or went away before it answered.
    NoAnswer,
}

/// Everything that can go wrong in the core.
#[non_exhaustive]
#[derive(Debug, Error)]
pub enum Error {
    /// Occurs when an otpauth URI or a typed key is malformed.
    #[error(transparent)]
    Uri(#[from] UriError),
    /// Occurs when the keychain cannot be reached, is locked or refuses.
    #[error("{message}")]
    Keychain {
        /// Which of the failure modes this is.
        problem: KeychainProblem,
        /// What happened and what to do about it.
        message: String,
    },
    /// Occurs when an account id names no keychain item.
    #[error("no account with id {0}")]
    NotFound(String),
    /// Occurs when a keychain item of ours holds something we cannot read;
    /// the item is left as it is.
    #[error("the keychain item for account {id} is damaged ({reason}); it was left untouched")]
    DamagedItem {
        /// The account id (the item's user name).
        id: String,
        /// What is wrong with it (never its content).
        reason: String,
    },
    /// Occurs when the metadata file or the data folder cannot be read or written.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What we were doing ("write", "read", "create").
        action: &'static str,
        /// The file or folder involved.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// Occurs when an account with the same key and issuer is already stored.
    #[error("{0} is already in Watchword")]
    Duplicate(String),
    /// Occurs when a setting is out of range; the message names it.
    #[error("{0}")]
    InvalidSetting(String),
    /// Occurs when another Watchword process (the app or `watchword-cli`)
    /// has held the store's lock for longer than the given seconds.
    #[error("another Watchword process (the app or watchword-cli) has been changing your accounts for over {0} seconds; try again when it has finished")]
    Busy(u64),
    /// Occurs when, while this process unlocked, another one changed the
    /// lock's password again each time this one had derived its key; the
    /// unlock stops rather than derive keys for ever.
    #[error("another Watchword process kept changing the lock's password while this one unlocked; try again when it has finished")]
    LockKeptChanging,
    /// Occurs when an HOTP account's counter is at its largest value, so no
    /// further code exists; the account is left as it is.
    #[error("the counter of {0} is at its largest value, so no further code can be generated; set the account up again with a new key")]
    CounterExhausted(String),
    /// Occurs when a note or a group breaks its rules (too long, too many),
    /// or a note does not fit in the account's keychain item.
    #[error(transparent)]
    Field(#[from] FieldError),
    /// Occurs when the lock is on and this process holds no key (locked),
    /// or holds one the lock's password has replaced since (changed by
    /// another process): unlock with the password.
    #[error("Watchword is locked: unlock it with its password")]
    VaultLocked,
    /// Occurs when the lock's password is wrong.
    #[error("wrong password: that is not the password Watchword is locked with")]
    WrongLockPassword,
    /// Occurs when the lock's own keychain item cannot be read as what
    /// Watchword wrote; nothing is changed.
    #[error("the lock's keychain item is damaged ({0}); nothing was changed. If it cannot be put right, restore your accounts from a backup")]
    VaultDamaged(String),
    /// Occurs when the lock is turned on, or its password changed, with an
    /// empty password.
    #[error("the lock's password cannot be empty")]
    EmptyLockPassword,
    /// Occurs when the lock is turned on while it is on already.
    #[error("the lock is on already; `watchword-cli lock password` changes its password")]
    LockAlreadyOn,
    /// Occurs when the lock is turned on while items are still sealed by a
    /// lock whose keychain item is gone (deleted by another program): a new
    /// lock would leave them under a key that nothing names.
    #[error(
        "{0} keychain item(s) are still sealed by a lock whose own keychain item is gone \
         (deleted by another program). A Watchword window that was unlocked before that, \
         if one is still running, puts it back when unlocked; otherwise restore those \
         accounts from a backup and remove the unreadable ones, then turn the lock on"
    )]
    SealedByLostLock(usize),
    /// Occurs when the lock is turned off or its password changed while it
    /// is off.
    #[error("the lock is off")]
    LockOff,
    /// Occurs when the keychain holds none of the accounts the list names:
    /// a keychain that is closed but answers (a password manager's
    /// database), or another one. The list is left as it is, as its groups,
    /// pins and order live nowhere else.
    #[error(
        "the keychain ({keychain}) holds none of your {listed} account(s): if it is closed \
         (a password manager's database) or another keychain answers, open the right one and \
         try again; if it was emptied on purpose, remove {} to start afresh",
        list.display()
    )]
    KeychainHoldsNone {
        /// The keychain's name.
        keychain: &'static str,
        /// How many accounts the list names.
        listed: usize,
        /// The list's file.
        list: PathBuf,
    },
}

impl Error {
    /// A stable machine-readable code for the UI to branch on.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Uri(_) => ErrorCode::InvalidInput,
            Error::Keychain { problem, .. } => match problem {
                KeychainProblem::Unavailable => ErrorCode::KeychainUnavailable,
                KeychainProblem::Locked => ErrorCode::KeychainLocked,
                KeychainProblem::Denied => ErrorCode::KeychainDenied,
                KeychainProblem::Failed => ErrorCode::KeychainFailed,
                KeychainProblem::NoAnswer => ErrorCode::KeychainNoAnswer,
            },
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::KeychainHoldsNone { .. } => ErrorCode::KeychainHoldsNone,
            Error::DamagedItem { .. } => ErrorCode::DamagedItem,
            Error::Io { .. } => ErrorCode::Io,
            Error::Duplicate(_) => ErrorCode::Duplicate,
            Error::InvalidSetting(_) => ErrorCode::InvalidSetting,
            Error::Busy(_) | Error::LockKeptChanging => ErrorCode::Busy,
            Error::CounterExhausted(_) => ErrorCode::CounterExhausted,
            Error::Field(FieldError::NoteTooLong { .. } | FieldError::NoteDoesNotFit { .. }) => {
                ErrorCode::NoteTooLong
            }
            Error::Field(_) => ErrorCode::InvalidInput,
            Error::VaultLocked => ErrorCode::VaultLocked,
            Error::WrongLockPassword => ErrorCode::WrongPassword,
            Error::VaultDamaged(_) => ErrorCode::VaultDamaged,
            Error::LockAlreadyOn => ErrorCode::LockAlreadyOn,
            Error::SealedByLostLock(_) => ErrorCode::SealedByLostLock,
            Error::LockOff => ErrorCode::LockOff,
            Error::EmptyLockPassword => ErrorCode::EmptyPassword,
        }
    }
}

/// Result with the core's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {

    #[test]
    fn a_key_in_groups_is_not_quoted() {
        let shown = Excerpt::of("jbsw y3dp ehpk 3pxp").to_string();
        assert!(!shown.contains("jbsw"), "{shown}");
        assert_eq!(Excerpt::of("SHA-512").to_string(), "\"SHA-512\"");
    }

    use super::*;

    #[test]
    fn short_plain_values_are_quoted() {
        for (text, shown) in [
            ("six", "\"six\""),
            ("-30", "\"-30\""),
            ("HmacSHA512", "\"HmacSHA512\""),
            ("hmac-sha-512", "\"hmac-sha-512\""),
            ("18446744073709551616", "\"18446744073709551616\""),
            ("a\nb", "\"a\\nb\""),
        ] {
            assert_eq!(Excerpt::of(text).to_string(), shown, "{text}");
        }
        assert!(Excerpt::of("").is_empty());
        assert!(!Excerpt::of("x").is_empty());
    }

    #[test]
    fn values_that_may_hold_a_key_or_are_long_are_not_quoted() {
        for (text, chars) in [
            // A whole 80-bit key, and a cut-off piece of one.
            ("JBSWY3DPEHPK3PXP", 16),
            ("6;JBSWY3DPEHPK", 14),
            // Any mention of the secret parameter.
            ("6;secret=AB", 11),
            ("SECRET", 6),
            // Base64 keys.
            ("q83vEjRWeJA+Zg==", 16),
            // Too long to be a value, whatever it holds.
            ("123456789-123456789-1", 21),
        ] {
            let shown = Excerpt::of(text).to_string();
            assert_eq!(shown, format!("({chars} characters, not shown)"), "{text}");
            assert!(!format!("{:?}", Excerpt::of(text)).contains(text));
        }
        let huge = "A".repeat(1 << 20);
        assert_eq!(
            Excerpt::of(&huge).to_string(),
            "(1048576 characters, not shown)"
        );
    }
}
