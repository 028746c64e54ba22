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

use crate::account::{Account, Algorithm, OtpKind, DIGITS_RANGE};
use crate::limits::{self, Cancel};
use crate::otp::steam as steam_otp;
use crate::secret::Secret;
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::fmt;
use thiserror::Error;
use zeroize::Zeroize;

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
    /// Occurs when the work was stopped with a [`Cancel`] token before it
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

/// One entry of a backup that could not become an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryError {
    /// Position of the entry in the file, from 0, in the order the file lists
    /// its entries (for line-based formats: among the non-blank lines).
    pub index: usize,
    /// "Issuer (name)" when the file says, never anything secret.
    pub name: Option<String>,
    /// Why it was not imported.
    pub reason: String,
}

impl fmt::Display for EntryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "entry {} ({name}): {}", self.index + 1, self.reason),
            None => write!(f, "entry {}: {}", self.index + 1, self.reason),
        }
    }
}

/// What [`Entries::convert`] produced: the accounts, and the entries that
/// could not be imported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conversion {
    /// The accounts, in the order of the file.
    pub accounts: Vec<Account>,
    /// One error per entry that was left out.
    pub errors: Vec<EntryError>,
}

impl Conversion {
    /// The first [`limits::MAX_REPORTED_ENTRY_ERRORS`] entry errors, to show
    /// one by one, and how many more there are, to show as a count: a file of
    /// thousands of broken entries is summarised, not listed.
    pub fn error_summary(&self) -> (&[EntryError], usize) {
        let shown = self.errors.len().min(limits::MAX_REPORTED_ENTRY_ERRORS);
        (&self.errors[..shown], self.errors.len() - shown)
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

/// Converts one raw entry (a JSON value built by the read phase) into an
/// account; the error is the reason, without the secret.
pub(crate) type ConvertFn = fn(&Value) -> Result<Account, String>;

/// The entries of a readable (or decrypted) backup, not yet converted.
///
/// Holds secrets: `Debug` shows only the format and the count, and the raw
/// values are wiped from memory on drop.
pub struct Entries {
    format: Format,
    items: Vec<Pending>,
    convert: ConvertFn,
    /// Entries left out because the file holds more than
    /// [`limits::MAX_ENTRIES`]: a file with any is refused.
    over_limit: usize,
}

/// One entry as the read phase left it.
struct Pending {
    /// "Issuer (name)" when the container tells it.
    name: Option<String>,
    /// The raw entry, or why the read phase could not extract it (a secret
    /// that did not decrypt, a line that is not a URI).
    value: Result<Value, String>,
}

impl Entries {
    /// Starts an empty list for `format`, converted by `convert`.
    pub(crate) fn new(format: Format, convert: ConvertFn) -> Self {
        Self {
            format,
            items: Vec::new(),
            convert,
            over_limit: 0,
        }
    }

    /// Adds a raw entry (or counts it, past [`limits::MAX_ENTRIES`]).
    pub(crate) fn push(&mut self, name: Option<String>, mut value: Value) {
        if self.items.len() >= limits::MAX_ENTRIES {
            wipe(&mut value);
            self.over_limit += 1;
            return;
        }
        self.items.push(Pending {
            name,
            value: Ok(value),
        });
    }

    /// Adds an entry the read phase already knows is broken.
    pub(crate) fn push_error(&mut self, name: Option<String>, reason: impl Into<String>) {
        if self.items.len() >= limits::MAX_ENTRIES {
            self.over_limit += 1;
            return;
        }
        self.items.push(Pending {
            name,
            value: Err(reason.into()),
        });
    }

    /// The entries, or [`ImportError::TooLarge`] when the file holds more
    /// than [`limits::MAX_ENTRIES`].
    pub(crate) fn within_limits(self) -> Result<Self, ImportError> {
        if self.over_limit == 0 {
            return Ok(self);
        }
        Err(ImportError::too_large(format!(
            "it holds {} entries, more than the {} Watchword reads from one file (real {} exports hold a few hundred)",
            self.items.len() + self.over_limit,
            limits::MAX_ENTRIES,
            self.format
        )))
    }

    /// The format of the backup.
    pub fn format(&self) -> Format {
        self.format
    }

    /// How many entries the file holds (converted or not).
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when the file holds no entries.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Phase two: every entry that can become an account does; the others are
    /// reported with their position and the reason.
    pub fn convert(&self) -> Conversion {
        self.convert_cancellable(&Cancel::new())
            .expect("a fresh token is never cancelled")
    }

    /// [`Entries::convert`], stopping with [`ImportError::Cancelled`] when
    /// `cancel` is set (checked between entries).
    pub fn convert_cancellable(&self, cancel: &Cancel) -> Result<Conversion, ImportError> {
        let mut conversion = Conversion::default();
        for (index, item) in self.items.iter().enumerate() {
            if cancel.is_cancelled() {
                return Err(ImportError::Cancelled);
            }
            let result = match &item.value {
                Ok(value) => (self.convert)(value),
                Err(reason) => Err(reason.clone()),
            };
            match result {
                Ok(account) => conversion.accounts.push(account),
                Err(reason) => conversion.errors.push(EntryError {
                    index,
                    name: item.name.clone().filter(|name| !name.is_empty()),
                    reason,
                }),
            }
        }
        Ok(conversion)
    }
}

impl fmt::Debug for Entries {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entries")
            .field("format", &self.format)
            .field("len", &self.items.len())
            .finish_non_exhaustive()
    }
}

impl Drop for Entries {
    fn drop(&mut self) {
        for item in &mut self.items {
            if let Ok(value) = &mut item.value {
                wipe(value);
            }
        }
    }
}

/// Overwrites every string and number of a JSON value in place: raw entries
/// hold keys.
pub(crate) fn wipe(value: &mut Value) {
    match value {
        Value::String(text) => text.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe),
        Value::Object(map) => map.values_mut().for_each(wipe),
        // Overwrites the number's payload in place (same variant and layout).
        Value::Number(_) => *value = Value::from(0u8),
        Value::Null | Value::Bool(_) => {}
    }
}

/// The decryption step of one encrypted format.
pub(crate) trait Decrypt: Send + Sync {
    /// Opens the backup with `password`: [`ImportError::WrongPassword`] when it
    /// does not fit, [`ImportError::Cancelled`] when `cancel` is set before a
    /// key derivation.
    fn decrypt(&self, password: &str, cancel: &Cancel) -> Result<Entries, ImportError>;
}

/// An encrypted backup, read but not yet opened.
pub struct EncryptedBackup {
    format: Format,
    inner: Box<dyn Decrypt>,
}

impl EncryptedBackup {
    pub(crate) fn new(format: Format, inner: impl Decrypt + 'static) -> Self {
        Self {
            format,
            inner: Box::new(inner),
        }
    }

    /// The format of the backup.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Opens the backup. A password that does not fit gives exactly
    /// [`ImportError::WrongPassword`] ("Wrong password"). Key derivation is
    /// deliberately slow (up to a second or so): call this off the UI thread.
    pub fn decrypt(&self, password: &str) -> Result<Entries, ImportError> {
        self.decrypt_cancellable(password, &Cancel::new())
    }

    /// [`EncryptedBackup::decrypt`] that stops with [`ImportError::Cancelled`]
    /// when `cancel` is set (checked before each key derivation).
    pub fn decrypt_cancellable(
        &self,
        password: &str,
        cancel: &Cancel,
    ) -> Result<Entries, ImportError> {
        if cancel.is_cancelled() {
            return Err(ImportError::Cancelled);
        }
        self.inner.decrypt(password, cancel)?.within_limits()
    }
}

impl fmt::Debug for EncryptedBackup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptedBackup")
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
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

// ----- Helpers shared by the format modules --------------------------------

/// `bytes` as text when it is UTF-8, without a byte-order mark.
pub(crate) fn text_of(bytes: &[u8]) -> Option<&str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).ok()
}

/// Parses a whole file as JSON, saying where it is damaged when it is not.
pub(crate) fn parse_json(bytes: &[u8], format: Format) -> Result<Value, ImportError> {
    let text = text_of(bytes)
        .ok_or_else(|| ImportError::damaged(format, "the file", "it is not UTF-8 text"))?;
    json_from_str(text, format, "the file")
}

/// Parses `text` (a file or a decrypted part of one) as JSON, within
/// [`limits::MAX_JSON_VALUES`] and [`limits::MAX_JSON_DEPTH`].
pub(crate) fn json_from_str(text: &str, format: Format, part: &str) -> Result<Value, ImportError> {
    json_values(text)?;
    serde_json::from_str(text).map_err(|error| json_damage(&error, format, part))
}

/// At most how many values parsing `text` as JSON makes, checked against
/// the budgets before anything is allocated. Every value but the first
/// follows a `[`, `{`, `,` or `:` outside strings, so counting those bounds
/// the values (and the keys); brackets give the depth.
pub(crate) fn json_values(text: &str) -> Result<usize, ImportError> {
    let (mut values, mut depth, mut in_string, mut escaped) = (1usize, 0usize, false, false);
    for &byte in text.as_bytes() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                values += 1;
                depth += 1;
                if depth > limits::MAX_JSON_DEPTH {
                    return Err(ImportError::too_large(format!(
                        "its JSON nests deeper than {} levels (real backups nest five)",
                        limits::MAX_JSON_DEPTH
                    )));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' | b':' => values += 1,
            _ => {}
        }
        if values > limits::MAX_JSON_VALUES {
            return Err(ImportError::too_large(format!(
                "its JSON holds more than {} values, more than any real backup",
                limits::MAX_JSON_VALUES
            )));
        }
    }
    Ok(values)
}

/// Parses decrypted bytes as JSON and wipes them.
pub(crate) fn json_from_plaintext(
    mut plaintext: Vec<u8>,
    format: Format,
    part: &str,
) -> Result<Value, ImportError> {
    let result = match std::str::from_utf8(&plaintext) {
        Ok(text) => json_from_str(text, format, part),
        Err(_) => Err(ImportError::damaged(
            format,
            part,
            "it does not decrypt to UTF-8 text",
        )),
    };
    plaintext.zeroize();
    result
}

/// A JSON syntax error as a [`ImportError::Damaged`]. serde_json's syntax
/// messages name a position, never the content.
fn json_damage(error: &serde_json::Error, format: Format, part: &str) -> ImportError {
    let reason = match error.classify() {
        serde_json::error::Category::Eof => format!(
            "it ends too early (line {}, column {}): the file is truncated",
            error.line(),
            error.column()
        ),
        _ => format!(
            "it is not valid JSON (line {}, column {})",
            error.line(),
            error.column()
        ),
    };
    ImportError::damaged(format, part, reason)
}

/// The `<string name="…">value</string>` children of an Android shared
/// preferences file (`<map>…</map>`), in document order.
pub(crate) fn android_prefs_strings(
    text: &str,
    format: Format,
) -> Result<Vec<(String, String)>, ImportError> {
    let options = roxmltree::ParsingOptions {
        // No entity can expand: a DTD is refused (roxmltree's default, kept
        // explicit), and the node count is bounded.
        allow_dtd: false,
        nodes_limit: limits::MAX_XML_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    let document = roxmltree::Document::parse_with_options(text, options).map_err(|error| {
        let reason = match error {
            roxmltree::Error::NodesLimitReached => {
                return ImportError::too_large(format!(
                    "its XML holds more than {} nodes, more than any real backup",
                    limits::MAX_XML_NODES
                ))
            }
            roxmltree::Error::DtdDetected => {
                "it declares a DTD (entities), which no Android preferences file has".to_owned()
            }
            roxmltree::Error::UnexpectedEndOfStream => {
                "it ends too early: the file is truncated".to_owned()
            }
            _ => {
                let pos = error.pos();
                format!("it is not valid XML (line {}, column {})", pos.row, pos.col)
            }
        };
        ImportError::damaged(format, "the file", reason)
    })?;
    let root = document.root_element();
    if !root.has_tag_name("map") {
        return Err(ImportError::damaged(
            format,
            "the file",
            "it is not an Android preferences file (no <map> element)",
        ));
    }
    Ok(root
        .children()
        .filter(|node| node.has_tag_name("string"))
        .map(|node| {
            let name = node.attribute("name").unwrap_or("").to_owned();
            let value: String = node.children().filter_map(|child| child.text()).collect();
            (name, value)
        })
        .collect())
}

/// The object `value` is, or a reason naming `what`.
pub(crate) fn as_object<'a>(
    value: &'a Value,
    what: &str,
) -> Result<&'a Map<String, Value>, String> {
    value
        .as_object()
        .ok_or_else(|| format!("{what} is not a JSON object"))
}

/// A required string field.
pub(crate) fn field_str<'a>(value: &'a Value, key: &str) -> Result<&'a str, String> {
    match value.get(key) {
        Some(Value::String(text)) => Ok(text),
        Some(_) => Err(format!("field \"{key}\" is not text")),
        None => Err(format!("field \"{key}\" is missing")),
    }
}

/// An optional string field; `null` and absent are `None`.
pub(crate) fn opt_str<'a>(value: &'a Value, key: &str) -> Result<Option<&'a str>, String> {
    match value.get(key) {
        Some(Value::String(text)) => Ok(Some(text)),
        Some(Value::Null) | None => Ok(None),
        Some(_) => Err(format!("field \"{key}\" is not text")),
    }
}

/// A required whole-number field (also accepted when written as a string of
/// digits, as some apps do).
pub(crate) fn field_u64(value: &Value, key: &str) -> Result<u64, String> {
    opt_u64(value, key)?.ok_or_else(|| format!("field \"{key}\" is missing"))
}

/// An optional whole-number field.
pub(crate) fn opt_u64(value: &Value, key: &str) -> Result<Option<u64>, String> {
    match value.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .map(Some)
            .ok_or_else(|| format!("field \"{key}\" is not a whole number of 0 or more")),
        Some(Value::String(text)) => text
            .trim()
            .parse::<u64>()
            .map(Some)
            .map_err(|_| format!("field \"{key}\" is not a whole number of 0 or more")),
        Some(_) => Err(format!("field \"{key}\" is not a number")),
    }
}

/// A byte array stored as JSON numbers (Java's signed bytes, -128..=255).
pub(crate) fn byte_array(value: &Value, key: &str) -> Result<Vec<u8>, String> {
    let items = match value.get(key) {
        Some(Value::Array(items)) => items,
        Some(_) => return Err(format!("field \"{key}\" is not a list of bytes")),
        None => return Err(format!("field \"{key}\" is missing")),
    };
    items
        .iter()
        .map(|item| {
            item.as_i64()
                .filter(|n| (-128..=255).contains(n))
                // Two's complement: Java's -1 is 0xff.
                .map(|n| n as u8)
                .ok_or_else(|| format!("field \"{key}\" holds something that is not a byte"))
        })
        .collect()
}

/// "Issuer (name)", "Issuer" or "name" for error messages; `None` when both
/// are empty.
pub(crate) fn display_name(issuer: &str, name: &str) -> Option<String> {
    let (issuer, name) = (issuer.trim(), name.trim());
    match (issuer.is_empty(), name.is_empty()) {
        (false, false) => Some(format!("{issuer} ({name})")),
        (false, true) => Some(issuer.to_owned()),
        (true, false) => Some(name.to_owned()),
        (true, true) => None,
    }
}

/// An algorithm name as apps write it (`SHA1`, `sha256`, `HmacSHA512`,
/// `SHA-1`).
pub(crate) fn parse_algorithm(text: &str) -> Result<Algorithm, String> {
    let normalised: String = text
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_uppercase();
    match normalised.strip_prefix("HMAC").unwrap_or(&normalised) {
        "SHA1" => Ok(Algorithm::Sha1),
        "SHA256" => Ok(Algorithm::Sha256),
        "SHA512" => Ok(Algorithm::Sha512),
        "MD5" => Err("the MD5 algorithm is not supported".to_owned()),
        _ => Err(format!(
            "unsupported algorithm {}: expected SHA1, SHA256 or SHA512",
            crate::error::Excerpt::of(text)
        )),
    }
}

/// A base32 key as apps store it (any case, padding, spaces).
pub(crate) fn base32_secret(text: &str) -> Result<Secret, String> {
    crate::uri::parse_secret(text).map_err(|error| error.to_string())
}

/// Standard base64 (with or without padding, ignoring whitespace); `None`
/// too for text that would decode to more than [`limits::MAX_DECODED_BYTES`].
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    if text.len() / 4 * 3 > limits::MAX_DECODED_BYTES {
        return None;
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let unpadded = compact.trim_end_matches('=');
    data_encoding::BASE64_NOPAD.decode(unpadded.as_bytes()).ok()
}

/// Hex, either case.
pub(crate) fn hex_decode(text: &str) -> Option<Vec<u8>> {
    data_encoding::HEXLOWER_PERMISSIVE
        .decode(text.trim().as_bytes())
        .ok()
}

/// Longest period accepted, as for URIs: one day.
const MAX_PERIOD: u64 = 86_400;

/// The kind of an account, checked: a period of 1 s to a day.
pub(crate) fn totp_kind(period: u64) -> Result<OtpKind, String> {
    if (1..=MAX_PERIOD).contains(&period) {
        Ok(OtpKind::Totp {
            period: period as u32,
        })
    } else {
        Err(format!(
            "period must be a whole number of seconds from 1 to 86400, not {period}"
        ))
    }
}

/// Builds an account, checking what the store and the code generators need:
/// a non-empty key and 4 to 10 digits. Steam accounts always get SHA1 and 5
/// characters, because that is what Steam computes.
pub(crate) fn account(
    issuer: &str,
    name: &str,
    secret: Secret,
    algorithm: Algorithm,
    digits: u64,
    kind: OtpKind,
) -> Result<Account, String> {
    if secret.is_empty() {
        return Err("the secret key is empty".to_owned());
    }
    if secret.len() > limits::MAX_SECRET_BYTES {
        return Err(format!(
            "the secret key is {} bytes long, longer than any real key ({} at most)",
            secret.len(),
            limits::MAX_SECRET_BYTES
        ));
    }
    let (algorithm, digits) = match kind {
        OtpKind::Steam => (Algorithm::Sha1, steam_otp::LENGTH as u8),
        _ => {
            let digits = u8::try_from(digits)
                .ok()
                .filter(|d| DIGITS_RANGE.contains(d))
                .ok_or_else(|| format!("digits must be a number from 4 to 10, not {digits}"))?;
            (algorithm, digits)
        }
    };
    Ok(Account {
        issuer: issuer.trim().to_owned(),
        name: name.trim().to_owned(),
        secret,
        algorithm,
        digits,
        kind,
    })
}

/// Cryptographic building blocks of the encrypted formats. Every function
/// returns `None` when authentication or padding fails, which callers turn
/// into "Wrong password" or a damaged part as the format allows.
pub(crate) mod crypto {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    use aes_gcm::{Aes256Gcm, Nonce};
    use cbc::cipher::{block_padding::Pkcs7, BlockModeDecrypt, KeyIvInit};
    use zeroize::Zeroizing;

    /// AES-256-GCM with a 12-byte nonce and the 16-byte tag at the end of
    /// `ciphertext`.
    pub(crate) fn aes_gcm_decrypt(
        key: &[u8],
        nonce: &[u8],
        ciphertext: &[u8],
        aad: &[u8],
    ) -> Option<Zeroizing<Vec<u8>>> {
        let cipher = Aes256Gcm::new_from_slice(key).ok()?;
        let nonce = Nonce::try_from(nonce).ok()?;
        cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .ok()
            .map(Zeroizing::new)
    }

    /// AES-256-GCM encryption: ciphertext with the tag at its end.
    pub(crate) fn aes_gcm_encrypt(key: &[u8], nonce: &[u8; 12], plaintext: &[u8]) -> Vec<u8> {
        let cipher = Aes256Gcm::new_from_slice(key).expect("the key is 32 bytes");
        let nonce = Nonce::from(*nonce);
        cipher
            .encrypt(&nonce, plaintext)
            .expect("AES-GCM encrypts any message under 64 GiB")
    }

    /// AES-256-CBC with PKCS#7 padding.
    pub(crate) fn aes_cbc_decrypt(
        key: &[u8],
        iv: &[u8],
        ciphertext: &[u8],
    ) -> Option<Zeroizing<Vec<u8>>> {
        if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(16) {
            return None;
        }
        let decryptor = cbc::Decryptor::<aes::Aes256>::new_from_slices(key, iv).ok()?;
        decryptor
            .decrypt_padded_vec::<Pkcs7>(ciphertext)
            .ok()
            .map(Zeroizing::new)
    }

    /// PBKDF2-HMAC-SHA1.
    pub(crate) fn pbkdf2_sha1(password: &[u8], salt: &[u8], rounds: u32) -> Zeroizing<[u8; 32]> {
        let mut key = Zeroizing::new([0u8; 32]);
        pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, salt, rounds, key.as_mut());
        key
    }

    /// PBKDF2-HMAC-SHA256.
    pub(crate) fn pbkdf2_sha256(password: &[u8], salt: &[u8], rounds: u32) -> Zeroizing<[u8; 32]> {
        let mut key = Zeroizing::new([0u8; 32]);
        pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, rounds, key.as_mut());
        key
    }

    /// PBKDF2-HMAC-SHA512.
    pub(crate) fn pbkdf2_sha512(password: &[u8], salt: &[u8], rounds: u32) -> Zeroizing<[u8; 32]> {
        let mut key = Zeroizing::new([0u8; 32]);
        pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password, salt, rounds, key.as_mut());
        key
    }

    /// 32 random bytes from the OS.
    pub(crate) fn random<const N: usize>() -> [u8; N] {
        let mut bytes = [0u8; N];
        getrandom::fill(&mut bytes).expect("the OS random source is available");
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn algorithm_spellings() {
        assert_eq!(parse_algorithm("HmacSHA256"), Ok(Algorithm::Sha256));
        assert_eq!(parse_algorithm("sha-512"), Ok(Algorithm::Sha512));
        assert!(parse_algorithm("MD5").is_err());
    }

    #[test]
    fn java_signed_bytes() {
        let value = serde_json::json!({"secret": [-1, 0, 127, -128]});
        assert_eq!(byte_array(&value, "secret"), Ok(vec![0xff, 0, 0x7f, 0x80]));
        let value = serde_json::json!({"secret": [1.5]});
        assert!(byte_array(&value, "secret").is_err());
    }

    #[test]
    fn entries_debug_shows_no_content() {
        let mut entries = Entries::new(Format::Aegis, |_| Err("x".into()));
        entries.push(None, Value::String("JBSWY3DPEHPK3PXP".into()));
        let shown = format!("{entries:?}");
        assert!(!shown.contains("JBSWY3DPEHPK3PXP"), "{shown}");
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
