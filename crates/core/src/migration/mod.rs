//! Google Authenticator's export format, `otpauth-migration://offline?data=…`:
//! decode it into accounts and encode accounts back into it.
//!
//! The data parameter is base64 of a protobuf `MigrationPayload`. Google has
//! never published the schema; the one everybody uses was recovered from the
//! app (see `../shared/fixtures/importers/README.md` and
//! <https://github.com/qistoph/otp_export/blob/master/OtpMigration.proto>):
//!
//! ```text
//! MigrationPayload { repeated OtpParameters otp_parameters = 1; int32 version = 2;
//!                    int32 batch_size = 3; int32 batch_index = 4; int32 batch_id = 5; }
//! OtpParameters    { bytes secret = 1; string name = 2; string issuer = 3;
//!                    Algorithm algorithm = 4;  // 0 unspecified, 1 SHA1, 2 SHA256, 3 SHA512, 4 MD5
//!                    DigitCount digits = 5;    // 0 unspecified, 1 six, 2 eight
//!                    OtpType type = 6;         // 0 unspecified, 1 HOTP, 2 TOTP
//!                    int64 counter = 7; }
//! ```
//!
//! What the conversion loses: the format has no period, so every TOTP account
//! it carries is a 30-second one, and only 6 or 8 digits; [`encode`] refuses
//! accounts it cannot carry (other periods, other digit counts, Steam) rather
//! than change them silently. A label `Issuer:name` in `name` is split the way
//! the app shows it. Unknown fields are skipped, so newer exports still read.
//!
//! The protobuf reader is written here (about a hundred lines) rather than
//! pulled in with a code generator: the schema is seven fields, and a
//! hand-written reader can report *where* the data is damaged and keep going
//! past one bad entry.

use crate::account::{Account, RuleError};
use percent_encoding::percent_decode_str;
use std::sync::LazyLock;
use thiserror::Error;
use zeroize::Zeroize;

mod read;
mod write;

use read::read_payload;
pub use write::{check_exportable, encode, encode_batches, fits_one_code};

/// Scheme and host of every export URI.
const PREFIX: &str = "otpauth-migration://offline";

/// Most accounts Google Authenticator puts in one export code; [`encode_batches`]
/// splits larger exports the same way.
pub const MAX_ACCOUNTS_PER_CODE: usize = 10;

/// Characters an export code's URI is kept within when it holds more than
/// one account: ten accounts with ordinary names take about 1,100 (as
/// Google Authenticator's own codes do), and a QR code of this much (about
/// version 30) is still read from a screen at the size the window draws
/// it. Long names make codes of fewer accounts.
pub const CODE_URI_BUDGET: usize = 1_400;

/// The most one export code's URI can be: what a QR code holds at the
/// error correction Watchword draws with (version 40, level M: 2,331
/// bytes). An account whose code alone would be longer (names and a key
/// near their limits) cannot be exported this way.
pub const CODE_URI_LIMIT: usize = 2_331;

/// Base64 without padding that also accepts non-zero trailing bits: the data
/// is normalised to the standard alphabet first (see [`decode_data`]).
static BASE64_LENIENT: LazyLock<data_encoding::Encoding> = LazyLock::new(|| {
    let mut spec = data_encoding::BASE64_NOPAD.specification();
    spec.check_trailing_bits = false;
    spec.encoding()
        .expect("BASE64_NOPAD's own specification stays valid without the trailing-bit check")
});

/// Why an export could not be read at all.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MigrationError {
    /// Occurs when the text does not start with `otpauth-migration://offline`.
    #[error("not a Google Authenticator export (otpauth-migration://offline)")]
    NotMigration,
    /// Occurs when the URI has no `data` parameter, or an empty one.
    #[error("the Google Authenticator export has no data")]
    MissingData,
    /// Occurs when the `data` parameter is not base64 (after undoing URL
    /// escapes); `position` counts characters from 1.
    #[error("the Google Authenticator export data is not valid base64 (bad character at position {position}); the QR code may have been copied incompletely")]
    BadBase64 {
        /// 1-based position of the first character that is not base64, or
        /// the length when the data stops in the middle of a byte.
        position: usize,
    },
    /// Occurs when the link is longer than any QR code holds
    /// ([`crate::limits::MAX_MIGRATION_DATA_CHARS`] characters of data).
    #[error("the Google Authenticator export data is {chars} characters long, more than any QR code holds ({} at most)", crate::limits::MAX_MIGRATION_DATA_CHARS)]
    TooLong {
        /// Characters in the data parameter.
        chars: usize,
    },
    /// Occurs when the export claims more parts (or a part number higher)
    /// than any real export has ([`crate::limits::MAX_BATCH_PARTS`]).
    #[error("the Google Authenticator export claims to be part {} of {parts}, more parts than any real export has ({} at most)", .index.saturating_add(1), crate::limits::MAX_BATCH_PARTS)]
    TooManyParts {
        /// The batch size the data claims.
        parts: u32,
        /// The 0-based part index it claims.
        index: u32,
    },
    /// Occurs when the decoded bytes are not a well-formed export: a field
    /// runs past the end (truncated data) or has an impossible encoding.
    #[error("the Google Authenticator export data is damaged at byte {offset}: {reason}")]
    Malformed {
        /// Offset in the decoded bytes where reading failed.
        offset: usize,
        /// What was wrong there.
        reason: &'static str,
    },
}

/// Why one account of an export was skipped; the others still import.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EntryProblem {
    /// Occurs when the account uses a hash Watchword cannot compute (MD5, or
    /// a value newer than this schema).
    #[error("it uses the {0} algorithm, which Watchword does not support")]
    UnsupportedAlgorithm(String),
    /// Occurs when the digit count is neither 6 nor 8 (values 1 and 2).
    #[error("its digit count (code {0}) is not one Watchword knows")]
    UnsupportedDigits(u64),
    /// Occurs when the type is neither HOTP nor TOTP.
    #[error("its type (code {0}) is neither TOTP nor HOTP")]
    UnsupportedType(u64),
    /// Occurs when the account has no secret key.
    #[error("it has no secret key")]
    EmptySecret,
    /// Occurs when the account breaks another of the rules every account
    /// follows (a key longer than any real one).
    #[error("{0}")]
    BrokenRule(RuleError),
    /// Occurs when the entry's own bytes are damaged (its neighbours are not).
    #[error("its data is damaged at byte {offset}: {reason}")]
    Malformed {
        /// Offset inside the entry.
        offset: usize,
        /// What was wrong there.
        reason: &'static str,
    },
}

/// One account of an export that could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("account {} ({label}) was skipped: {problem}", .index + 1)]
pub struct SkippedEntry {
    /// 0-based position of the entry in the export code.
    pub index: usize,
    /// "Issuer (name)" as far as it could be read, for the message; never the
    /// secret.
    pub label: String,
    /// Why it was skipped.
    pub problem: EntryProblem,
}

/// The content of one export QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationBatch {
    /// Accounts read, in the export's order.
    pub accounts: Vec<Account>,
    /// Entries that could not be read, with the reason for each.
    pub skipped: Vec<SkippedEntry>,
    /// Format version written by the app (1 today); informational.
    pub version: i32,
    /// How many codes the export was split into (at least 1).
    pub batch_size: u32,
    /// 0-based position of this code among them (`batch_index + 1` of
    /// `batch_size` for people).
    pub batch_index: u32,
    /// Identifies the export: every code of one export carries the same id.
    pub batch_id: i32,
}

/// Why accounts could not be written as a Google Authenticator export.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EncodeError {
    /// Occurs when an account has something the format cannot carry (a
    /// period other than 30 s, a digit count other than 6 or 8, Steam).
    #[error("{label} cannot be exported to Google Authenticator: {reason}")]
    Unrepresentable {
        /// 0-based position of the account in the list given.
        index: usize,
        /// "Issuer (name)" of the account.
        label: String,
        /// What the format cannot carry.
        reason: &'static str,
    },
    /// Occurs when an export would take more codes than an import reads
    /// ([`crate::limits::MAX_BATCH_PARTS`]): thousands of accounts with
    /// long names.
    #[error("these accounts would take {codes} Google Authenticator export codes, more than the {} an import reads", crate::limits::MAX_BATCH_PARTS)]
    TooManyCodes {
        /// How many codes they would take.
        codes: usize,
    },
    /// Occurs when one code is asked to hold more than
    /// [`MAX_ACCOUNTS_PER_CODE`] accounts, or the batch numbers do not fit
    /// (`batch_index` must be below `batch_size`).
    #[error("a Google Authenticator export code holds 1 to 10 accounts and batch {batch_index} must be below batch size {batch_size}; got {count} accounts")]
    BadBatch {
        /// Accounts given for the code.
        count: usize,
        /// Index asked for.
        batch_index: u32,
        /// Size asked for.
        batch_size: u32,
    },
}

/// Reads an `otpauth-migration://offline?data=…` URI.
///
/// The data may be percent-escaped (`%2B`, `%2F`, `%3D`, as the app writes
/// it) or not, padded or not, standard or URL-safe base64, and may have had
/// its `+` turned into spaces by a form decoder. One unreadable entry (MD5,
/// an unknown type) is listed in [`MigrationBatch::skipped`]; only data that
/// cannot be read at all is an error.
pub fn decode(uri: &str) -> Result<MigrationBatch, MigrationError> {
    let uri = uri.trim();
    let rest = uri
        .get(..PREFIX.len())
        .filter(|head| head.eq_ignore_ascii_case(PREFIX))
        .map(|_| &uri[PREFIX.len()..])
        .ok_or(MigrationError::NotMigration)?;
    // `offline` must end there: `otpauth-migration://offlinex` is not ours.
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    let query = match rest.strip_prefix('?') {
        Some(query) => query,
        None if rest.is_empty() => return Err(MigrationError::MissingData),
        None => return Err(MigrationError::NotMigration),
    };
    let query = query.split_once('#').map_or(query, |(before, _)| before);
    let data = query
        .split('&')
        .find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            key.eq_ignore_ascii_case("data").then_some(value)
        })
        .filter(|data| !data.trim().is_empty())
        .ok_or(MigrationError::MissingData)?;
    if data.len() > crate::limits::MAX_MIGRATION_DATA_CHARS {
        return Err(MigrationError::TooLong { chars: data.len() });
    }
    let mut bytes = decode_data(data)?;
    let batch = read_payload(&bytes);
    bytes.zeroize();
    batch
}

/// Base64 text (escaped or not) to bytes. The decoded bytes hold secrets:
/// the caller wipes them.
fn decode_data(data: &str) -> Result<Vec<u8>, MigrationError> {
    // Percent escapes first: `%2B` must become `+`, not a space.
    let mut text: String = percent_decode_str(data)
        .decode_utf8()
        .map_err(|_| MigrationError::BadBase64 { position: 1 })?
        .into_owned();
    let mut symbols = String::with_capacity(text.len());
    let mut bad = None;
    for (index, c) in text.chars().enumerate() {
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '+' | '/' => symbols.push(c),
            // URL-safe alphabet.
            '-' => symbols.push('+'),
            '_' => symbols.push('/'),
            // A form decoder's `+`.
            ' ' => symbols.push('+'),
            '=' | '\n' | '\r' | '\t' => {}
            _ => {
                bad = Some(index + 1);
                break;
            }
        }
    }
    text.zeroize();
    let result =
        match bad {
            Some(position) => Err(MigrationError::BadBase64 { position }),
            None => BASE64_LENIENT.decode(symbols.as_bytes()).map_err(|error| {
                MigrationError::BadBase64 {
                    position: error.position + 1,
                }
            }),
        };
    symbols.zeroize();
    result
}

#[cfg(test)]
mod tests {
    use super::read::{split_label, Reader};
    use super::write::put_varint;
    use super::*;
    use crate::secret::Secret;

    #[test]
    fn a_key_longer_than_any_real_one_is_skipped() {
        let mut account = Account::totp("A", "a", Secret::from_bytes(vec![1; 10]));
        let uri_of = |account: &Account| encode(std::slice::from_ref(account), 0, 1, 1);
        account.secret = Secret::from_bytes(vec![1; crate::limits::MAX_SECRET_BYTES + 1]);
        let batch = decode(&uri_of(&account).expect("encodes")).expect("decodes");
        assert!(batch.accounts.is_empty());
        assert_eq!(
            batch.skipped[0].problem.to_string(),
            "the secret key is 1025 bytes long, longer than any real key (1024 at most)"
        );
    }

    #[test]
    fn varints_round_trip() {
        for value in [0u64, 1, 127, 128, 300, u32::MAX as u64, u64::MAX] {
            let mut out = Vec::new();
            put_varint(&mut out, value);
            assert_eq!(Reader::new(&out).varint(), Ok(value));
        }
        assert_eq!(
            Reader::new(&[0x80]).varint(),
            Err((0, "the data ends inside a number (truncated)"))
        );
        assert_eq!(
            Reader::new(&[0xff; 11]).varint(),
            Err((0, "a number is longer than 10 bytes"))
        );
    }

    #[test]
    fn labels_split_like_the_app_shows_them() {
        assert_eq!(
            split_label("GitHub", "GitHub:alice"),
            ("GitHub".into(), "alice".into())
        );
        assert_eq!(split_label("", "ACME: bob"), ("ACME".into(), "bob".into()));
        assert_eq!(
            split_label("Other", "ACME:bob"),
            ("Other".into(), "ACME:bob".into())
        );
        assert_eq!(split_label("X", "bob"), ("X".into(), "bob".into()));
        // An issuer with a colon of its own comes off whole (found by a
        // second reader: it was split at the first colon and kept whole).
        assert_eq!(split_label("A:B", "A:B:me"), ("A:B".into(), "me".into()));
        assert_eq!(
            split_label("Bank", "bank : me"),
            ("Bank".into(), "me".into())
        );
        assert_eq!(split_label("A", "AB:me"), ("A".into(), "AB:me".into()));
        assert_eq!(split_label("É", "É:me"), ("É".into(), "me".into()));
    }
}
