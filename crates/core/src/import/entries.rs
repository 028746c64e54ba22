//! The containers of the two import phases: the raw [`Entries`] a read (or a
//! decryption) leaves, what converting them gives ([`Conversion`],
//! [`EntryError`]), and an [`EncryptedBackup`] waiting for its password. Raw
//! entries hold keys: they are wiped on drop and never shown by `Debug`.

use super::{Format, ImportError};
use crate::account::Account;
use crate::limits::{self, Cancel};
use serde_json::Value;
use std::fmt;
use zeroize::Zeroize;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_debug_shows_no_content() {
        let mut entries = Entries::new(Format::Aegis, |_| Err("x".into()));
        entries.push(None, Value::String("JBSWY3DPEHPK3PXP".into()));
        let shown = format!("{entries:?}");
        assert!(!shown.contains("JBSWY3DPEHPK3PXP"), "{shown}");
    }
}
