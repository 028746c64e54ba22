//! Importing accounts from other authenticators' backups and exports.
//!
//! One file per foreign format, one trait ([`Importer`]), two phases, as Aegis'
//! importers do:
//!
//! 1. **read**: the container is parsed; the result is either [`Read::Plain`]
//!    (the entries are readable) or [`Read::Encrypted`], whose
//!    [`EncryptedBackup::decrypt`] takes the password. A wrong password is
//!    [`ImportError::WrongPassword`]; a file that cannot be a backup of that
//!    format is [`ImportError::Damaged`], naming the damaged part.
//! 2. **convert**: [`Entries::convert`] turns every entry into an [`Account`].
//!    An entry that cannot be converted becomes an [`EntryError`] with its
//!    position and the reason, and the others are imported all the same.
//!
//! Each format's file also says how to recognise it ([`Importer::detect`]);
//! [`REGISTRY`] lists the formats, one row each, and [`detect_and_read`]
//! asks them in its order (see [`detect`](mod@detect) for what they are
//! shown), so a new format is a new file, a [`Format`] variant and one row.
//! [`partition_new`] drops accounts the store already holds.
//! [`read_file`] reads a backup from disk within [`limits::MAX_BACKUP_BYTES`].
//!
//! Every reader takes its budgets (file size, entries, decoded bytes, JSON
//! values, XML nodes, key-derivation cost) from [`crate::limits`]; a file
//! over one is [`ImportError::TooLarge`] or, for key derivation,
//! [`ImportError::Unsupported`], never a long wait or a huge allocation.
//!
//! Nothing here touches the disk or the keychain, and no error message or
//! `Debug` output contains a secret: messages name fields and positions, never
//! values that could be keys.

pub mod aegis;
pub mod andotp;
pub mod authy;
pub mod bitwarden;
pub mod freeotp;
pub mod freeotp_plus;
pub mod google;
pub mod proton;
pub mod steam;
pub mod stratum;
pub mod twofas;
pub mod uri_list;

pub mod detect;
mod entries;
mod fields;

pub use detect::Probe;
pub(crate) use entries::{group_table, wipe, Decrypt, Extras, GroupName, Groups};
pub use entries::{Conversion, EncryptedBackup, Entries, EntryError};
pub(crate) use fields::{
    account, android_prefs_strings, as_object, base32_secret, base64_decode, byte_array,
    display_name, field_str, field_u64, hex_decode, json_from_plaintext, json_from_str,
    json_values, opt_str, opt_u64, parse_algorithm, parse_json, text_of, totp_kind,
};

use crate::account::Account;
use crate::codes::ErrorCode;
use crate::limits;
use std::collections::HashSet;
use std::fmt;
use thiserror::Error;

/// The formats Watchword imports, each with the name people know it by.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// `otpauth://` URIs, one a line (Ente Auth's export, and many others).
    OtpauthUris,
    /// Google Authenticator's "Transfer accounts" export:
    /// `otpauth-migration://` URIs, one a line.
    GoogleAuthenticator,
    /// Aegis Authenticator's vault (plain or encrypted).
    Aegis,
    /// 2FAS Authenticator's `.2fas` backup (plain or encrypted).
    TwoFas,
    /// andOTP's backup (plain JSON, encrypted, or the old encrypted format).
    AndOtp,
    /// Bitwarden's unencrypted JSON or CSV export.
    Bitwarden,
    /// Proton Authenticator's JSON export.
    Proton,
    /// FreeOTP+'s JSON export.
    FreeOtpPlus,
    /// FreeOTP's `tokens.xml` (v1) or its encrypted backup (v2).
    FreeOtp,
    /// Authenticator Pro / Stratum backup (plain, encrypted or legacy encrypted).
    Stratum,
    /// Authy's Android token store (`com.authy.storage.tokens.authenticator.xml`).
    Authy,
    /// A Steam Guard file (`.maFile` or Steam Desktop Authenticator's JSON).
    Steam,
}

impl Format {
    /// The name people know the format by.
    pub fn name(self) -> &'static str {
        match self {
            Format::OtpauthUris => "otpauth URI list",
            Format::GoogleAuthenticator => "Google Authenticator export",
            Format::Aegis => "Aegis",
            Format::TwoFas => "2FAS",
            Format::AndOtp => "andOTP",
            Format::Bitwarden => "Bitwarden",
            Format::Proton => "Proton Authenticator",
            Format::FreeOtpPlus => "FreeOTP+",
            Format::FreeOtp => "FreeOTP",
            Format::Stratum => "Authenticator Pro / Stratum",
            Format::Authy => "Authy",
            Format::Steam => "Steam Guard",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a backup could not be read or decrypted as a whole.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ImportError {
    /// Occurs when the content matches none of the formats Watchword reads.
    #[error("this file is not a backup or export format Watchword can read")]
    UnknownFormat,
    /// Occurs when the password does not open an encrypted backup.
    #[error("Wrong password")]
    WrongPassword,
    /// Occurs when the file is truncated or malformed; `part` names where.
    #[error("this {format} file is damaged: {part}: {reason}")]
    Damaged {
        /// The format the file was read as.
        format: Format,
        /// Which part is damaged ("the file", "header.slots", "line 3", …).
        part: String,
        /// What is wrong with it (never its content).
        reason: String,
    },
    /// Occurs when the file is of a known format but a variant or version
    /// Watchword does not read (a newer schema, a password-protected export
    /// of an app whose encryption is not supported).
    #[error("this {format} file cannot be imported: {reason}")]
    Unsupported {
        /// The format the file was recognised as.
        format: Format,
        /// What is not supported and, where possible, what to do instead.
        reason: String,
    },
    /// Occurs when the file asks for more than any real export does: more
    /// bytes, entries, decoded data or nesting than [`crate::limits`]
    /// allows. `reason` says which limit, never the content.
    #[error("this file cannot be imported: {reason}")]
    TooLarge {
        /// Which budget the file goes over, and by how much where known.
        reason: String,
    },
    /// Occurs when the file cannot be opened or read (missing, a folder, no
    /// permission).
    #[error("cannot read the file: {reason}")]
    Unreadable {
        /// The system's reason.
        reason: String,
    },
    /// Occurs when the work was stopped with a [`limits::Cancel`] token before it
    /// finished; nothing was read.
    #[error("the import was cancelled")]
    Cancelled,
}

impl ImportError {
    /// A stable machine-readable code for the UI to branch on.
    pub fn code(&self) -> ErrorCode {
        match self {
            ImportError::UnknownFormat => ErrorCode::UnknownFormat,
            ImportError::WrongPassword => ErrorCode::WrongPassword,
            ImportError::Damaged { .. } => ErrorCode::DamagedFile,
            ImportError::Unsupported { .. } => ErrorCode::UnsupportedFile,
            ImportError::TooLarge { .. } => ErrorCode::TooLarge,
            ImportError::Unreadable { .. } => ErrorCode::UnreadableFile,
            ImportError::Cancelled => ErrorCode::Cancelled,
        }
    }

    pub(crate) fn too_large(reason: impl Into<String>) -> Self {
        ImportError::TooLarge {
            reason: reason.into(),
        }
    }

    pub(crate) fn damaged(
        format: Format,
        part: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        ImportError::Damaged {
            format,
            part: part.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn unsupported(format: Format, reason: impl Into<String>) -> Self {
        ImportError::Unsupported {
            format,
            reason: reason.into(),
        }
    }
}

/// The result of the read phase.
#[derive(Debug)]
pub enum Read {
    /// The entries are readable as they are.
    Plain(Entries),
    /// The backup is encrypted; [`EncryptedBackup::decrypt`] needs the password.
    Encrypted(EncryptedBackup),
}

impl Read {
    /// The format of the file.
    pub fn format(&self) -> Format {
        match self {
            Read::Plain(entries) => entries.format(),
            Read::Encrypted(backup) => backup.format(),
        }
    }
}

/// One importer per foreign format: how to recognise it, and phase one of
/// an import.
///
/// Phase two is format-independent: [`Entries::convert`].
pub trait Importer {
    /// The format this importer reads.
    const FORMAT: Format;

    /// True when `probe` shows a file of this format. Called with every
    /// [`Probe`] in turn; answer for the kinds of probe the format can be
    /// recognised by and `false` for the others.
    fn detect(probe: &Probe<'_>) -> bool;

    /// Parses `bytes` as this format: plain entries, or an encrypted backup
    /// that asks for a password.
    fn read(bytes: &[u8]) -> Result<Read, ImportError>;
}

/// One row of [`REGISTRY`]: a format, and its importer's detection and read
/// phase.
#[derive(Clone, Copy)]
pub struct Registered {
    /// The format.
    pub format: Format,
    /// [`Importer::detect`] of its importer.
    pub detect: fn(&Probe<'_>) -> bool,
    /// [`Importer::read`] of its importer.
    pub read: fn(&[u8]) -> Result<Read, ImportError>,
}

impl Registered {
    const fn of<I: Importer>() -> Self {
        Self {
            format: I::FORMAT,
            detect: I::detect,
            read: I::read,
        }
    }
}

impl fmt::Debug for Registered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registered")
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

/// Every format Watchword imports, in the order detection asks them: the
/// first to claim a probe wins. The order matters where two formats could
/// claim the same probe: the JSON formats with a telling key before Steam's
/// `accounts` and andOTP's bare array (a damaged file mentioning `"header"`
/// is Aegis'), Authy's XML before FreeOTP's, and a Bitwarden CSV header
/// before Google's migration lines before plain otpauth lines.
pub const REGISTRY: [Registered; 12] = [
    Registered::of::<aegis::Aegis>(),
    Registered::of::<twofas::TwoFas>(),
    Registered::of::<bitwarden::Bitwarden>(),
    Registered::of::<freeotp_plus::FreeOtpPlus>(),
    Registered::of::<stratum::Stratum>(),
    Registered::of::<proton::Proton>(),
    Registered::of::<steam::Steam>(),
    Registered::of::<andotp::AndOtp>(),
    Registered::of::<authy::Authy>(),
    Registered::of::<freeotp::FreeOtp>(),
    Registered::of::<google::GoogleAuthenticator>(),
    Registered::of::<uri_list::UriList>(),
];

/// Reads `bytes` as whichever format its content is, and says which.
///
/// Detection looks at the content only (see [`detect()`]). Binary data with no
/// signature is taken for an encrypted andOTP backup, which has none: a
/// password is asked and a wrong one (or a file that is not one) says "Wrong
/// password".
pub fn detect_and_read(bytes: &[u8]) -> Result<(Format, Read), ImportError> {
    check_backup_size(bytes.len() as u64)?;
    let format = detect(bytes)?;
    let registered = REGISTRY
        .iter()
        .find(|registered| registered.format == format)
        .expect("detection only names registered formats");
    let read = match (registered.read)(bytes)? {
        Read::Plain(entries) => Read::Plain(entries.within_limits()?),
        encrypted => encrypted,
    };
    Ok((format, read))
}

/// A backup file's bytes, refusing a file over [`limits::MAX_BACKUP_BYTES`]
/// before reading it (and reading at most one byte past the limit, should
/// the file grow meanwhile). The app and the CLI both read backups here.
pub fn read_file(path: &std::path::Path) -> Result<Vec<u8>, ImportError> {
    // Never waits: a named pipe is refused, not read.
    let file = crate::open::open_regular(path).map_err(|e| unreadable(e.into()))?;
    read_open(file)
}

fn unreadable(error: std::io::Error) -> ImportError {
    ImportError::Unreadable {
        reason: error.to_string(),
    }
}

/// As [`read_file`], from a file already open (at its start).
pub fn read_open(file: std::fs::File) -> Result<Vec<u8>, ImportError> {
    use std::io::Read as _;
    let metadata = file.metadata().map_err(unreadable)?;
    if metadata.is_dir() {
        return Err(ImportError::Unreadable {
            reason: "it is a folder".into(),
        });
    }
    check_backup_size(metadata.len())?;
    // Sized to the file so that reading never reallocates: a plain backup
    // holds every key, and a reallocation would leave an unwiped copy.
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).map_or(0, |n| n + 1));
    file.take(limits::MAX_BACKUP_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    check_backup_size(bytes.len() as u64)?;
    Ok(bytes)
}

/// [`ImportError::TooLarge`] for a backup of `len` bytes over the limit.
pub fn check_backup_size(len: u64) -> Result<(), ImportError> {
    if len <= limits::MAX_BACKUP_BYTES {
        return Ok(());
    }
    Err(ImportError::too_large(format!(
        "it is {:.1} MB, larger than any authenticator backup ({} MB at most; real ones are kilobytes)",
        len as f64 / 1e6,
        limits::MAX_BACKUP_BYTES / (1024 * 1024)
    )))
}

/// Which format `bytes` is, by content: the first row of [`REGISTRY`] to
/// claim one of its [`Probe`]s.
pub fn detect(bytes: &[u8]) -> Result<Format, ImportError> {
    detect::detect(bytes, |probe| {
        REGISTRY
            .iter()
            .find(|registered| (registered.detect)(probe))
            .map(|registered| registered.format)
    })
    .ok_or(ImportError::UnknownFormat)
}

/// Drops from `accounts` those the store already holds and repeats within
/// `accounts` itself (same secret and issuer, or for counter-based ones the
/// same secret, [`Account::same_as`]), keeping
/// the first of each; returns the new accounts and how many were skipped.
pub fn partition_new(accounts: Vec<Account>, existing: &[Account]) -> (Vec<Account>, usize) {
    // Hashing the identity `same_as` compares keeps this linear: a
    // 10 000-entry import against a large store is instant. Every account
    // is known by its key and issuer, a counter-based one also by its key
    // alone, which only another counter-based one looks for.
    fn know<'a>(known: &mut HashSet<SameAs<'a>>, account: &'a Account) {
        known.insert(SameAs::of(account, false));
        if account.is_hotp() {
            known.insert(SameAs::of(account, true));
        }
    }
    let mut known = HashSet::new();
    for account in existing {
        know(&mut known, account);
    }
    let mut keep = Vec::with_capacity(accounts.len());
    for account in &accounts {
        let repeat = known.contains(&SameAs::of(account, false))
            || (account.is_hotp() && known.contains(&SameAs::of(account, true)));
        if !repeat {
            know(&mut known, account);
        }
        keep.push(!repeat);
    }
    drop(known);
    let mut new = Vec::with_capacity(accounts.len());
    let mut skipped = 0;
    for (account, keep) in accounts.into_iter().zip(keep) {
        if keep {
            new.push(account);
        } else {
            skipped += 1;
        }
    }
    (new, skipped)
}

/// The identity [`Account::same_as`] compares (the key's bytes and the
/// issuer, trimmed, case-folded), as a hash key. Never printed.
/// With `key_alone`, a counter-based account's other identity: its key.
#[derive(PartialEq, Eq, Hash)]
pub(crate) struct SameAs<'a> {
    secret: &'a [u8],
    issuer: Option<String>,
}

impl<'a> SameAs<'a> {
    pub(crate) fn of(account: &'a Account, key_alone: bool) -> Self {
        Self {
            secret: account.secret.expose(),
            issuer: (!key_alone).then(|| fold_case(account.issuer.trim())),
        }
    }
}

/// ASCII case folding, as `eq_ignore_ascii_case` compares.
fn fold_case(text: &str) -> String {
    text.to_ascii_lowercase()
}

#[cfg(test)]
mod tests;
