//! Error types. Every message is specific, says what to do where there is
//! something to do, and never contains a secret or a code.

use std::path::PathBuf;
use thiserror::Error;

/// A problem with an otpauth URI or a typed setup key.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UriError {
    /// Occurs when the text is neither an `otpauth://` URI nor a setup key.
    #[error("not an otpauth:// URI")]
    NotOtpauth,
    /// Occurs when the type after `otpauth://` is not totp, hotp or steam.
    #[error("{}", unknown_type(.0))]
    UnknownType(String),
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
    /// Occurs when the number of base32 characters cannot encode whole bytes.
    #[error("the secret key has {length} characters, which is not a valid base32 length; check that it was copied completely")]
    InvalidSecretLength {
        /// Number of base32 characters after removing spaces and padding.
        length: usize,
    },
    /// Occurs when `algorithm` is not SHA1, SHA256 or SHA512.
    #[error("unsupported algorithm \"{0}\": expected SHA1, SHA256 or SHA512")]
    UnknownAlgorithm(String),
    /// Occurs when `digits` is not a number from 4 to 10.
    #[error("digits must be a number from 4 to 10, not \"{0}\"")]
    DigitsOutOfRange(String),
    /// Occurs when `period` is not a whole number of seconds of at least 1.
    #[error("period must be a whole number of seconds from 1 to 86400, not \"{0}\"")]
    PeriodOutOfRange(String),
    /// Occurs when `counter` is not a non-negative whole number.
    #[error("counter must be a whole number of 0 or more, not \"{0}\"")]
    InvalidCounter(String),
    /// Occurs when a `%` escape in the URI is not followed by two hex digits
    /// or decodes to invalid UTF-8.
    #[error("the URI has a malformed percent-escape in its {0}")]
    BadEscape(&'static str),
}

fn unknown_type(name: &str) -> String {
    if name.is_empty() {
        "unknown OTP type: expected totp, hotp or steam".to_owned()
    } else {
        format!("unknown OTP type \"{name}\": expected totp, hotp or steam")
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
    /// Occurs when an HOTP account's counter is at its largest value, so no
    /// further code exists; the account is left as it is.
    #[error("the counter of {0} is at its largest value, so no further code can be generated; set the account up again with a new key")]
    CounterExhausted(String),
}

impl Error {
    /// A stable machine-readable code for the UI to branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Uri(_) => "invalid_input",
            Error::Keychain { problem, .. } => match problem {
                KeychainProblem::Unavailable => "keychain_unavailable",
                KeychainProblem::Locked => "keychain_locked",
                KeychainProblem::Denied => "keychain_denied",
                KeychainProblem::Failed => "keychain_failed",
            },
            Error::NotFound(_) => "not_found",
            Error::DamagedItem { .. } => "damaged_item",
            Error::Io { .. } => "io",
            Error::Duplicate(_) => "duplicate",
            Error::InvalidSetting(_) => "invalid_setting",
            Error::Busy(_) => "busy",
            Error::CounterExhausted(_) => "counter_exhausted",
        }
    }
}

/// Result with the core's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
