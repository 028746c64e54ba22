//! The containers of the two import phases: the raw [`Entries`] a read (or a
//! decryption) leaves, what converting them gives ([`Conversion`],
//! [`EntryError`]), and an [`EncryptedBackup`] waiting for its password. Raw
//! entries hold keys: they are wiped on drop and never shown by `Debug`.
//!
//! Beside each raw entry the read phase may leave its [`Extras`] (a note,
//! group names resolved from the file's own tables) and, for the whole
//! file, what it holds that Watchword does not keep ([`Entries::not_kept`]).
//! Conversion applies the extras leniently: a note longer than
//! [`limits::MAX_NOTE_BYTES`] keeps its beginning and a group name its
//! first [`limits::MAX_GROUP_CHARS`] characters, and the preview says so
//! (through [`Conversion::not_kept`]), rather than losing the account.

use super::{Format, ImportError};
use crate::account::{Account, Group, Note};
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
    /// What the file holds that the accounts do not carry, once per file
    /// ("custom icons", "favourites"): for one note in the preview.
    pub not_kept: Vec<String>,
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
    /// What the file holds that Watchword does not keep, each once.
    not_kept: Vec<&'static str>,
    /// The reader stopped past the limit ([`Self::stop_reading`]).
    stopped: bool,
}

/// One entry as the read phase left it.
struct Pending {
    /// "Issuer (name)" when the container tells it.
    name: Option<String>,
    /// The raw entry, or why the read phase could not extract it (a secret
    /// that did not decrypt, a line that is not a URI).
    value: Result<Value, String>,
    /// Its note and groups, as the file has them.
    extras: Extras,
}

/// What an entry carries beside its account, as the read phase found it
/// (group names already looked up in the file's tables). The note is
/// wiped on drop: notes hold recovery codes.
#[derive(Default, Zeroize, zeroize::ZeroizeOnDrop)]
pub(crate) struct Extras {
    /// The entry's note, whole.
    pub(crate) note: Option<String>,
    /// Its groups, as far as an account can hold them.
    #[zeroize(skip)]
    pub(crate) groups: Groups,
}

/// A group name as a file gives it, cleaned once ([`Group::lenient`]), and
/// whether cleaning cut it. A file's table of groups is read into these
/// ([`group_table`]), so that an entry naming a group, however long its
/// name and however many times, copies at most
/// [`limits::MAX_GROUP_CHARS`] characters of it.
#[derive(Clone)]
pub(crate) struct GroupName {
    group: Group,
    cut: bool,
}

impl GroupName {
    /// `None` for a name with nothing left once cleaned.
    pub(crate) fn read(raw: &str) -> Option<Self> {
        let group = Group::lenient(raw)?;
        let cut = group.as_str() != raw.trim();
        Some(Self { group, cut })
    }
}

/// A file's table of groups (its own id for each group, to the group),
/// each name cleaned once as the table is read.
pub(crate) fn group_table<'a, K: Eq + std::hash::Hash>(
    pairs: impl IntoIterator<Item = (K, &'a str)>,
) -> std::collections::HashMap<K, GroupName> {
    pairs
        .into_iter()
        .filter_map(|(id, name)| Some((id, GroupName::read(name)?)))
        .collect()
}

/// The groups an entry names, kept as an account can hold them while the
/// file is read: without repeats, at most
/// [`limits::MAX_GROUPS_PER_ACCOUNT`], and counted where cut (for the
/// preview's note). Bounded whatever the file repeats.
#[derive(Clone, Default)]
pub(crate) struct Groups {
    kept: Vec<Group>,
    /// Kept groups whose names were cut.
    cut_names: usize,
    /// Groups named past the limit.
    past_limit: usize,
}

impl Groups {
    /// The groups named `raw`, each cleaned.
    pub(crate) fn named<'a>(raw: impl IntoIterator<Item = &'a str>) -> Self {
        let mut groups = Self::default();
        for name in raw {
            if let Some(name) = GroupName::read(name) {
                groups.add(&name);
            }
        }
        groups
    }

    /// The groups of `names`, found in a file's table.
    pub(crate) fn of<'a>(names: impl IntoIterator<Item = &'a GroupName>) -> Self {
        let mut groups = Self::default();
        for name in names {
            groups.add(name);
        }
        groups
    }

    /// Adds `name`'s group, unless it is there or the limit is reached.
    pub(crate) fn add(&mut self, name: &GroupName) {
        if self.kept.contains(&name.group) {
            return;
        }
        if self.kept.len() == limits::MAX_GROUPS_PER_ACCOUNT {
            self.past_limit += 1;
            return;
        }
        self.cut_names += usize::from(name.cut);
        self.kept.push(name.group.clone());
    }
}

impl Entries {
    /// Starts an empty list for `format`, converted by `convert`.
    pub(crate) fn new(format: Format, convert: ConvertFn) -> Self {
        Self {
            format,
            items: Vec::new(),
            convert,
            over_limit: 0,
            not_kept: Vec::new(),
            stopped: false,
        }
    }

    /// Adds a raw entry (or counts it, past [`limits::MAX_ENTRIES`]).
    pub(crate) fn push(&mut self, name: Option<String>, value: Value) {
        self.push_with(name, value, Extras::default());
    }

    /// Adds a raw entry with its note and groups.
    pub(crate) fn push_with(&mut self, name: Option<String>, mut value: Value, extras: Extras) {
        if self.items.len() >= limits::MAX_ENTRIES {
            wipe(&mut value);
            self.over_limit += 1;
            return;
        }
        self.items.push(Pending {
            name,
            value: Ok(value),
            extras,
        });
    }

    /// Records that the file holds `what` ("custom icons"), which the
    /// accounts will not carry; said once per file however often it is
    /// recorded.
    pub(crate) fn not_kept(&mut self, what: &'static str) {
        if !self.not_kept.contains(&what) {
            self.not_kept.push(what);
        }
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
            extras: Extras::default(),
        });
    }

    /// True once an entry beyond [`limits::MAX_ENTRIES`] came: the file is
    /// refused, and a reader with more to decode may stop.
    pub(crate) fn past_limit(&self) -> bool {
        self.over_limit > 0
    }

    /// The entries, or [`ImportError::TooLarge`] when the file holds more
    /// than [`limits::MAX_ENTRIES`]; the count is a lower bound when the
    /// reader stopped at the first one over.
    pub(crate) fn within_limits(self) -> Result<Self, ImportError> {
        if self.over_limit == 0 {
            return Ok(self);
        }
        Err(ImportError::too_large(format!(
            "it holds {}{} entries, more than the {} Watchword reads from one file (real {} exports hold a few hundred)",
            if self.stopped { "at least " } else { "" },
            self.items.len() + self.over_limit,
            limits::MAX_ENTRIES,
            self.format
        )))
    }

    /// The reader stopped at the first entry over the limit: the rest of
    /// the file was not decoded.
    pub(crate) fn stop_reading(&mut self) {
        self.stopped = true;
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
        let mut conversion = Conversion {
            not_kept: self.not_kept.iter().map(|&what| what.to_owned()).collect(),
            ..Conversion::default()
        };
        let mut cut = Cut::default();
        for (index, item) in self.items.iter().enumerate() {
            if cancel.is_cancelled() {
                return Err(ImportError::Cancelled);
            }
            let result = match &item.value {
                Ok(value) => (self.convert)(value),
                Err(reason) => Err(reason.clone()),
            };
            match result {
                Ok(account) => conversion.accounts.push(cut.apply(account, &item.extras)),
                Err(reason) => conversion.errors.push(EntryError {
                    index,
                    name: item
                        .name
                        .as_deref()
                        .map(shown_name)
                        .filter(|name| !name.is_empty()),
                    reason,
                }),
            }
        }
        conversion.not_kept.extend(cut.said());
        Ok(conversion)
    }
}

/// A broken entry's name as the preview and the CLI show it: as an
/// account's name is kept ([`crate::account::label`]: one line, no control
/// characters, no marks that reverse the text after them), its spaces
/// runs of one. The file's text, which could otherwise make the line it is
/// shown in read as something else.
fn shown_name(name: &str) -> String {
    crate::account::label(name)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Counts what applying entries' extras had to cut, for the preview.
#[derive(Default)]
struct Cut {
    notes: usize,
    group_names: usize,
    groups: usize,
}

impl Cut {
    /// `account` with its note and groups, each kept as far as the rules
    /// allow (see the module).
    fn apply(&mut self, account: Account, extras: &Extras) -> Account {
        let note = extras.note.as_deref().and_then(|text| {
            let (note, was_cut) = Note::cut(text);
            self.notes += usize::from(was_cut);
            note
        });
        self.group_names += extras.groups.cut_names;
        self.groups += extras.groups.past_limit;
        account
            .with_note(note)
            .with_groups(extras.groups.kept.clone())
            .expect("at most the limit, without repeats")
    }

    /// One phrase for each kind of cut made.
    fn said(&self) -> Vec<String> {
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let mut said = Vec::new();
        if self.notes > 0 {
            said.push(format!(
                "the end of {} note{} longer than {} bytes",
                self.notes,
                plural(self.notes),
                limits::MAX_NOTE_BYTES
            ));
        }
        if self.group_names > 0 {
            said.push(format!(
                "the full form of {} group name{} (longer than {} characters, or with line breaks)",
                self.group_names,
                plural(self.group_names),
                limits::MAX_GROUP_CHARS
            ));
        }
        if self.groups > 0 {
            said.push(format!(
                "{} group{} past the {} an account can be in",
                self.groups,
                plural(self.groups),
                limits::MAX_GROUPS_PER_ACCOUNT
            ));
        }
        said
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
    /// when `cancel` is set: checked before each key derivation, and once
    /// more at the end, so a Cancel that came during the last one is obeyed
    /// too (the user asked to stop; what was opened is dropped).
    pub fn decrypt_cancellable(
        &self,
        password: &str,
        cancel: &Cancel,
    ) -> Result<Entries, ImportError> {
        if cancel.is_cancelled() {
            return Err(ImportError::Cancelled);
        }
        let opened = self
            .inner
            .decrypt(password, cancel)
            .and_then(Entries::within_limits);
        if cancel.is_cancelled() {
            return Err(ImportError::Cancelled);
        }
        opened
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

    #[test]
    fn extras_are_kept_and_what_is_cut_is_said_once() {
        fn totp(_: &Value) -> Result<Account, String> {
            Ok(Account::totp(
                "Shop",
                "me",
                crate::Secret::from_bytes(vec![1; 10]),
            ))
        }
        let mut entries = Entries::new(Format::Aegis, totp);
        entries.push_with(
            None,
            Value::Null,
            Extras {
                note: Some("codes: 1 2 3".into()),
                groups: Groups::named(["Work", " Work ", "Banks"]),
            },
        );
        let long = Extras {
            note: Some("n".repeat(limits::MAX_NOTE_BYTES + 5)),
            groups: Groups::named(
                (0..20)
                    .map(|i| format!("g{i}"))
                    .collect::<Vec<_>>()
                    .iter()
                    .map(String::as_str),
            ),
        };
        entries.push_with(None, Value::Null, long);
        entries.push(None, Value::Null);
        entries.not_kept("custom icons");
        entries.not_kept("custom icons");
        let conversion = entries.convert();
        let first = &conversion.accounts[0];
        assert_eq!(first.note.as_ref().map(Note::expose), Some("codes: 1 2 3"));
        let names: Vec<&str> = first.groups.iter().map(Group::as_str).collect();
        assert_eq!(names, ["Work", "Banks"]);
        let second = &conversion.accounts[1];
        assert_eq!(
            second.note.as_ref().map(|n| n.expose().len()),
            Some(limits::MAX_NOTE_BYTES)
        );
        assert_eq!(second.groups.len(), limits::MAX_GROUPS_PER_ACCOUNT);
        assert_eq!(
            (
                conversion.accounts[2].note.as_ref(),
                conversion.accounts[2].groups.len()
            ),
            (None, 0)
        );
        assert_eq!(
            conversion.not_kept,
            [
                "custom icons",
                "the end of 1 note longer than 1024 bytes",
                "4 groups past the 16 an account can be in",
            ]
        );
    }
}
