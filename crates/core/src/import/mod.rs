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
//! [`detect_and_read`] picks the format from the content (never the file
//! name). [`partition_new`] drops accounts the store already holds.
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

mod entries;
mod fields;

pub(crate) use entries::{wipe, Decrypt};
pub use entries::{Conversion, EncryptedBackup, Entries, EntryError};
pub(crate) use fields::{
    account, android_prefs_strings, as_object, base32_secret, base64_decode, byte_array,
    display_name, field_str, field_u64, hex_decode, json_from_plaintext, json_from_str,
    json_values, opt_str, opt_u64, parse_algorithm, parse_json, text_of, totp_kind,
};

use crate::account::Account;
use crate::limits;
use serde_json::Value;
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
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::UnknownFormat => "unknown_format",
            ImportError::WrongPassword => "wrong_password",
            ImportError::Damaged { .. } => "damaged_file",
            ImportError::Unsupported { .. } => "unsupported_file",
            ImportError::TooLarge { .. } => "too_large",
            ImportError::Unreadable { .. } => "unreadable_file",
            ImportError::Cancelled => "cancelled",
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

/// One importer per foreign format: phase one of an import.
///
/// Phase two is format-independent: [`Entries::convert`].
pub trait Importer {
    /// The format this importer reads.
    const FORMAT: Format;

    /// Parses `bytes` as this format: plain entries, or an encrypted backup
    /// that asks for a password.
    fn read(bytes: &[u8]) -> Result<Read, ImportError>;
}

/// Reads `bytes` as whichever format its content is, and says which.
///
/// Detection looks at the content only: binary signatures (FreeOTP v2's Java
/// serialisation, Stratum's header), then the shape of a JSON document or an
/// XML map, then lines of URIs or a Bitwarden CSV header. Binary data with no
/// signature is taken for an encrypted andOTP backup, which has none: a
/// password is asked and a wrong one (or a file that is not one) says "Wrong
/// password".
pub fn detect_and_read(bytes: &[u8]) -> Result<(Format, Read), ImportError> {
    check_backup_size(bytes.len() as u64)?;
    let format = detect(bytes)?;
    let read = match format {
        Format::OtpauthUris => uri_list::UriList::read(bytes)?,
        Format::GoogleAuthenticator => google::GoogleAuthenticator::read(bytes)?,
        Format::Aegis => aegis::Aegis::read(bytes)?,
        Format::TwoFas => twofas::TwoFas::read(bytes)?,
        Format::AndOtp => andotp::AndOtp::read(bytes)?,
        Format::Bitwarden => bitwarden::Bitwarden::read(bytes)?,
        Format::Proton => proton::Proton::read(bytes)?,
        Format::FreeOtpPlus => freeotp_plus::FreeOtpPlus::read(bytes)?,
        Format::FreeOtp => freeotp::FreeOtp::read(bytes)?,
        Format::Stratum => stratum::Stratum::read(bytes)?,
        Format::Authy => authy::Authy::read(bytes)?,
        Format::Steam => steam::Steam::read(bytes)?,
    };
    let read = match read {
        Read::Plain(entries) => Read::Plain(entries.within_limits()?),
        encrypted => encrypted,
    };
    Ok((format, read))
}

/// A backup file's bytes, refusing a file over [`limits::MAX_BACKUP_BYTES`]
/// before reading it (and reading at most one byte past the limit, should
/// the file grow meanwhile). The app and the CLI both read backups here.
pub fn read_file(path: &std::path::Path) -> Result<Vec<u8>, ImportError> {
    use std::io::Read as _;
    let unreadable = |error: std::io::Error| ImportError::Unreadable {
        reason: error.to_string(),
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let metadata = file.metadata().map_err(unreadable)?;
    if metadata.is_dir() {
        return Err(ImportError::Unreadable {
            reason: "it is a folder".into(),
        });
    }
    check_backup_size(metadata.len())?;
    let mut bytes = Vec::new();
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

/// Which format `bytes` is, by content.
pub fn detect(bytes: &[u8]) -> Result<Format, ImportError> {
    if bytes.starts_with(&freeotp::JAVA_SERIALIZATION_MAGIC) {
        return Ok(Format::FreeOtp);
    }
    if bytes.starts_with(stratum::HEADER) || bytes.starts_with(stratum::HEADER_LEGACY) {
        return Ok(Format::Stratum);
    }
    let Some(text) = text_of(bytes) else {
        return if andotp::could_be_encrypted(bytes) {
            Ok(Format::AndOtp)
        } else {
            Err(ImportError::UnknownFormat)
        };
    };
    let trimmed = text.trim_start();
    if trimmed.starts_with('<') {
        return if authy::looks_like(trimmed) {
            Ok(Format::Authy)
        } else if freeotp::looks_like_v1(trimmed) {
            Ok(Format::FreeOtp)
        } else {
            Err(ImportError::UnknownFormat)
        };
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        if let Ok(mut value) = json_from_str(trimmed, Format::OtpauthUris, "the file") {
            let format = detect_json(&value);
            wipe(&mut value);
            return format.ok_or(ImportError::UnknownFormat);
        }
        // Damaged JSON: guess from the keys it starts with, so the error can
        // say which format's file is damaged.
        return detect_damaged_json(trimmed).ok_or(ImportError::UnknownFormat);
    }
    let mut lines = trimmed.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.clone().next().unwrap_or("");
    if bitwarden::is_csv_header(first) {
        return Ok(Format::Bitwarden);
    }
    if lines.clone().any(google::is_migration_uri) {
        return Ok(Format::GoogleAuthenticator);
    }
    if lines.any(uri_list::is_otpauth_uri) {
        return Ok(Format::OtpauthUris);
    }
    Err(ImportError::UnknownFormat)
}

/// The format of a parsed JSON document, by its keys.
fn detect_json(value: &Value) -> Option<Format> {
    match value {
        Value::Array(items) => {
            // andOTP's plain export is a bare array of entries.
            let entry_like = items
                .iter()
                .all(|item| item.get("secret").is_some() && item.get("type").is_some());
            entry_like.then_some(Format::AndOtp)
        }
        Value::Object(map) => {
            let has = |key: &str| map.contains_key(key);
            if has("header") && has("db") {
                Some(Format::Aegis)
            } else if has("schemaVersion")
                && (has("services") || has("servicesEncrypted") || has("appOrigin"))
            {
                Some(Format::TwoFas)
            } else if has("items") && (has("encrypted") || has("folders")) {
                Some(Format::Bitwarden)
            } else if has("encrypted") && has("passwordProtected") {
                // A Bitwarden password-protected export.
                Some(Format::Bitwarden)
            } else if has("tokens") && has("tokenOrder") {
                Some(Format::FreeOtpPlus)
            } else if has("Authenticators") {
                Some(Format::Stratum)
            } else if has("entries") && has("version") {
                Some(Format::Proton)
            } else if has("shared_secret") || has("accounts") {
                Some(Format::Steam)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Best guess at the format of a JSON document that does not parse, from the
/// first keys it holds.
fn detect_damaged_json(text: &str) -> Option<Format> {
    let head: String = text.chars().take(4096).collect();
    let has = |key: &str| head.contains(&format!("\"{key}\""));
    if has("header") || (has("db") && has("version")) {
        Some(Format::Aegis)
    } else if has("schemaVersion") || has("servicesEncrypted") || has("services") {
        Some(Format::TwoFas)
    } else if has("items") && has("encrypted") {
        Some(Format::Bitwarden)
    } else if has("tokenOrder") || has("tokens") {
        Some(Format::FreeOtpPlus)
    } else if has("Authenticators") {
        Some(Format::Stratum)
    } else if has("entries") {
        Some(Format::Proton)
    } else if has("shared_secret") || has("accounts") {
        Some(Format::Steam)
    } else if text.starts_with('[') && has("secret") {
        Some(Format::AndOtp)
    } else {
        None
    }
}

/// Drops from `accounts` those the store already holds and repeats within
/// `accounts` itself (same secret and issuer, [`Account::same_as`]), keeping
/// the first of each; returns the new accounts and how many were skipped.
pub fn partition_new(accounts: Vec<Account>, existing: &[Account]) -> (Vec<Account>, usize) {
    // Hashing the identity `same_as` compares keeps this linear: a
    // 10 000-entry import against a large store is instant.
    let mut known: HashSet<SameAs<'_>> = existing.iter().map(SameAs::of).collect();
    let mut keep = Vec::with_capacity(accounts.len());
    for account in &accounts {
        keep.push(known.insert(SameAs::of(account)));
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
#[derive(PartialEq, Eq, Hash)]
pub(crate) struct SameAs<'a> {
    secret: &'a [u8],
    issuer: String,
}

impl<'a> SameAs<'a> {
    pub(crate) fn of(account: &'a Account) -> Self {
        Self {
            secret: account.secret.expose(),
            issuer: fold_case(account.issuer.trim()),
        }
    }
}

/// ASCII case folding, as `eq_ignore_ascii_case` compares.
fn fold_case(text: &str) -> String {
    text.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    fn account_with(issuer: &str, secret: &[u8]) -> Account {
        Account::totp(issuer, "me", Secret::from_bytes(secret.to_vec()))
    }

    #[test]
    fn partition_new_skips_known_and_repeated_accounts() {
        let existing = vec![account_with("ACME", b"one")];
        let incoming = vec![
            account_with("acme ", b"one"),
            account_with("Other", b"one"),
            account_with("ACME", b"two"),
            account_with("ACME", b"two"),
        ];
        let (new, skipped) = partition_new(incoming, &existing);
        assert_eq!(skipped, 2);
        assert_eq!(
            new,
            vec![account_with("Other", b"one"), account_with("ACME", b"two")]
        );
    }

    #[test]
    fn unknown_content_is_refused() {
        assert_eq!(detect(b"hello world"), Err(ImportError::UnknownFormat));
        assert_eq!(detect(b"{\"a\": 1}"), Err(ImportError::UnknownFormat));
        assert_eq!(
            detect(b"\x89PNG\r\n\x1a\n"),
            Err(ImportError::UnknownFormat)
        );
        assert_eq!(detect(b""), Err(ImportError::UnknownFormat));
    }

    #[test]
    fn backups_can_be_opened_off_the_ui_thread() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Read>();
        send_sync::<Entries>();
        send_sync::<EncryptedBackup>();
    }

    #[test]
    fn wrong_password_message_is_exact() {
        assert_eq!(ImportError::WrongPassword.to_string(), "Wrong password");
    }
}
