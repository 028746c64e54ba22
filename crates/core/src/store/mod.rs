//! The account store. The OS keychain is the source of truth: one item per
//! account holding its canonical otpauth URI, or that URI and the account's
//! note (see [`item`](mod@item)). A metadata file beside it keeps order,
//! pins, groups and a display copy of each name; it is rebuilt from the
//! keychain whenever it is missing or out of date (groups are then lost:
//! they are only there).
//!
//! Several processes share the store (the app, any number of `watchword-cli`
//! runs). Every change happens under the store's lock ([`lock`]) and starts
//! by taking in what the others wrote: the metadata file is re-read and the
//! keychain items it names afresh are read again, and an item about to be
//! rewritten (a rename, an HOTP counter step) is read from the keychain
//! first. So no HOTP code is handed out twice, an account another process
//! removed is never written back, and each change to the metadata applies to
//! the latest file instead of replacing it.

pub mod autobackup;
mod edit;
pub(crate) mod item;
pub mod keychain;
pub mod lock;
pub mod metadata;
mod missing;
mod read;
#[cfg(target_os = "linux")]
mod secret_service;
mod sync;
mod vaulted;

use crate::account::{Account, AccountId, OtpKind};
use crate::error::{Error, Result};
pub use autobackup::{AutoBackupStatus, BackupError, Restorable, Skipped};
use keychain::{Keychain, Locations, SystemKeychain};
pub use metadata::{BackupFailure, MissingEntry, Settings, Theme};
use metadata::{Loaded, MetaEntry, Metadata};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
pub use vaulted::{LockState, LockStatus};

/// Environment variable that overrides the data folder.
pub const DATA_DIR_VAR: &str = "WATCHWORD_DATA_DIR";
/// Environment variable that overrides the keychain service name.
pub const SERVICE_VAR: &str = "WATCHWORD_KEYCHAIN_SERVICE";
/// Keychain service name used unless overridden.
pub const DEFAULT_SERVICE: &str = "watchword";
const META_VERSION: u32 = 1;

/// Where the store keeps things.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Folder of the metadata file.
    pub data_dir: PathBuf,
    /// Keychain service name of every item.
    pub service: String,
}

impl Config {
    /// The platform's data folder (`~/.local/share/watchword` on Linux) and the
    /// `watchword` service, each overridable by its environment variable.
    pub fn from_env() -> Result<Self> {
        let data_dir = match std::env::var_os(DATA_DIR_VAR).filter(|v| !v.is_empty()) {
            Some(dir) => PathBuf::from(dir),
            None => default_data_dir().ok_or_else(|| Error::Io {
                action: "find",
                path: PathBuf::from("the user's data folder"),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("set {DATA_DIR_VAR} or HOME"),
                ),
            })?,
        };
        let service = std::env::var(SERVICE_VAR)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_SERVICE.to_owned());
        Ok(Self { data_dir, service })
    }
}

fn default_data_dir() -> Option<PathBuf> {
    let home = || {
        std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
    };
    if cfg!(target_os = "windows") {
        std::env::var_os("APPDATA").map(|d| PathBuf::from(d).join("Watchword"))
    } else if cfg!(target_os = "macos") {
        home().map(|h| h.join("Library/Application Support/Watchword"))
    } else {
        std::env::var_os("XDG_DATA_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| home().map(|h| h.join(".local/share")))
            .map(|d| d.join("watchword"))
    }
}

/// What the list shows of an account: never its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountSummary {
    /// Stable id.
    pub id: String,
    /// Issuer ("Amazon"), may be empty.
    pub issuer: String,
    /// Account name, may be empty.
    pub name: String,
    /// `totp`, `hotp` or `steam`.
    pub kind: String,
    /// Pinned to the top.
    pub pinned: bool,
    /// The groups it is in (possibly none).
    pub groups: Vec<String>,
    /// Whether it has a note; the note itself only comes from
    /// [`Store::note`].
    pub has_note: bool,
}

impl AccountSummary {
    /// "Issuer (name)", as [`Account::display_name`] says it.
    pub fn display_name(&self) -> String {
        crate::account::display_name(&self.issuer, &self.name)
    }
}

impl From<&MetaEntry> for AccountSummary {
    fn from(entry: &MetaEntry) -> Self {
        Self {
            id: entry.id.clone(),
            issuer: entry.issuer.clone(),
            name: entry.name.clone(),
            kind: entry.kind.clone(),
            pinned: entry.pinned,
            groups: entry.groups.iter().map(|g| g.as_str().to_owned()).collect(),
            has_note: entry.has_note,
        }
    }
}

/// What [`Store::add_all`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Added {
    /// Accounts stored.
    pub added: usize,
    /// Accounts left out because the same key and issuer were stored.
    pub already_there: usize,
    /// The work was cancelled before every account was looked at
    /// ([`Store::add_all_cancellable`]); the rest were not added.
    pub stopped: bool,
    /// Accounts added with their notes cut to fit the keychain item: a
    /// note within [`crate::limits::MAX_NOTE_BYTES`] may still not fit once
    /// the item escapes it (line breaks, other scripts) or the lock seals
    /// it.
    pub notes_cut: usize,
}

/// Whether the accounts are backed up, for a gentle reminder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupStatus {
    /// Unix time of the last export, if any.
    pub last_backup: Option<u64>,
    /// Accounts added since then (all of them before the first backup).
    pub added_since: usize,
}

/// What [`Store::load`] found in the keychain.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// Accounts read.
    pub accounts: usize,
    /// Items of ours that could not be read, with the reason; left untouched.
    pub damaged: Vec<(String, String)>,
    /// Accounts found in the keychain that the metadata did not list.
    pub recovered: usize,
    /// True when the metadata file was unreadable and was moved aside.
    pub metadata_was_damaged: bool,
}

/// The account store.
pub struct Store {
    keychain: Box<dyn Keychain>,
    meta_path: PathBuf,
    lock_path: PathBuf,
    /// The metadata file as this store last read or wrote it.
    seen: Option<metadata::Stamp>,
    meta: Metadata,
    accounts: HashMap<AccountId, Account>,
    /// Items of ours that could not be parsed, with the reason.
    damaged: HashMap<String, String>,
    loaded: bool,
    metadata_was_damaged: bool,
    /// An HOTP code stepped its counter but the "backup pending" mark could
    /// not be saved (a full disk): kept here, and put back on the list
    /// each time it is read again from the file, until a save carries it.
    backup_mark_unsaved: bool,
    /// The lock's keys while unlocked (store/vaulted.rs); wiped on drop.
    keys: Option<crate::vault::Keys>,
    /// The lock's record those keys were taken from or written with (it
    /// holds them only wrapped): written back should another tool delete
    /// the lock's item while items are still sealed under them
    /// ([`Store::vault_record_kept`]).
    held_record: Option<crate::vault::VaultRecord>,
    /// A lock asked for from outside (see [`lock::LockCall`]).
    lock_call: lock::LockCall,
    /// Another process locked (turned the lock on, or changed its
    /// password) and a change made here found it: said by the next
    /// [`Store::refresh`].
    locked_elsewhere: bool,
    /// Another process turned the lock off, found by any look at the
    /// store: [`Store::refresh`] then tells of a change, once.
    unlocked_elsewhere: bool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("meta_path", &self.meta_path)
            .field("accounts", &self.meta.accounts.len())
            .field("loaded", &self.loaded)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the store on the OS keychain. Reads only the metadata file; the
    /// keychain is read by [`Store::load`].
    pub fn open(config: &Config) -> Result<Self> {
        let keychain = SystemKeychain::connect(&config.service)?;
        Self::with_keychain(&config.data_dir, Box::new(keychain))
    }

    /// Opens the store on any keychain (tests use this for fault injection).
    pub fn with_keychain(data_dir: &Path, keychain: Box<dyn Keychain>) -> Result<Self> {
        create_private_dir(data_dir)?;
        let meta_path = data_dir.join(metadata::FILE_NAME);
        let seen = metadata::stamp(&meta_path);
        // No lock yet: a damaged file is moved aside later, under it.
        let (meta, metadata_was_damaged) = match metadata::read_leaving_damage(&meta_path)? {
            Loaded::Read(meta) => (*meta, false),
            Loaded::Missing => (Metadata::default(), false),
            Loaded::Damaged(_) => (Metadata::default(), true),
        };
        Ok(Self {
            keychain,
            lock_path: data_dir.join(lock::FILE_NAME),
            meta_path,
            seen,
            meta,
            accounts: HashMap::new(),
            damaged: HashMap::new(),
            loaded: false,
            metadata_was_damaged,
            backup_mark_unsaved: false,
            keys: None,
            held_record: None,
            lock_call: lock::LockCall::default(),
            locked_elsewhere: false,
            unlocked_elsewhere: false,
        })
    }

    /// Hears lock calls made through `call` (a clone of it): asked while
    /// this store holds the lock's keys, a change waiting for another
    /// process gives up at once, so that the lock need not wait for it.
    pub fn hear_lock_calls(&mut self, call: lock::LockCall) {
        self.lock_call = call;
    }

    /// The list as the metadata file has it: pinned first, then the user's
    /// order. Available before [`Store::load`].
    pub fn summaries(&self) -> Vec<AccountSummary> {
        let mut list: Vec<AccountSummary> = self.meta.accounts.iter().map(Into::into).collect();
        // A stable sort keeps the user's order inside each group.
        list.sort_by_key(|s| !s.pinned);
        list
    }

    /// Reads every account from the keychain and brings the metadata in line
    /// with it: accounts missing from the metadata are added back, entries
    /// whose item is gone are dropped. Unreadable items are reported and left
    /// as they are.
    pub fn load(&mut self) -> Result<LoadReport> {
        let _lock = self.lock(lock::WAIT)?;
        self.load_locked()
    }

    /// Takes the store's lock; every temporary file found then is a
    /// leftover of a writer that was killed, and goes.
    fn lock(&self, wait: Duration) -> Result<lock::StoreLock> {
        // Holding the keys, a lock asked for meanwhile goes first: the
        // change is refused as if locked, and nothing has changed yet.
        let held = lock::acquire(&self.lock_path, wait, || {
            self.keys.is_some() && self.lock_call.asked()
        })?;
        if let Some(dir) = self.meta_path.parent() {
            metadata::remove_leftovers(dir);
        }
        Ok(held)
    }

    /// Runs a change under the store's lock, after taking in what other
    /// processes changed.
    fn locked<T>(&mut self, change: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        let _lock = self.lock(lock::WAIT)?;
        self.catch_up()?;
        change(self)
    }

    /// Runs a change that touches only the accounts it names under the
    /// store's lock, after taking in the metadata file as it is now, without
    /// reading every keychain item (see [`Store::catch_up_listed`]).
    fn locked_listed<T>(&mut self, change: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        let _lock = self.lock(lock::WAIT)?;
        self.catch_up_listed()?;
        change(self)
    }

    /// Which keychain holds the accounts, for messages.
    pub fn keychain_name(&self) -> &'static str {
        self.keychain.name()
    }

    /// Where the list says the keychain keeps each item, for
    /// [`Keychain::list_located`].
    fn locations(&self) -> Locations {
        Locations {
            instance: self.meta.keychain_instance.clone(),
            places: self
                .meta
                .accounts
                .iter()
                .filter_map(|e| Some((e.id.clone(), e.item_path.clone()?)))
                .collect(),
        }
    }

    /// Keeps where a listing found each item beside its entry; true when
    /// that changed the list (then it is worth saving).
    fn remember(&mut self, seen: &Locations) -> bool {
        let mut places: HashMap<&str, Option<&str>> = HashMap::new();
        for (id, place) in &seen.places {
            // Two items with one id: neither place can stand for the id.
            places
                .entry(id.as_str())
                .and_modify(|p| *p = None)
                .or_insert(Some(place.as_str()));
        }
        let before = self.meta.clone();
        self.meta.keychain_instance.clone_from(&seen.instance);
        for entry in &mut self.meta.accounts {
            entry.item_path = seen
                .instance
                .as_ref()
                .and(places.get(entry.id.as_str()).copied().flatten())
                .map(str::to_owned);
        }
        self.meta != before
    }

    fn write_item(&self, id: &AccountId, account: &Account) -> Result<()> {
        let form = self.item_for(id, account)?;
        self.keychain.set(id.as_str(), &form, &item_label(account))
    }

    /// Writes an HOTP account whose counter alone changed. Its note was let
    /// in with room for the widest counter ([`Store::item_with_room`]);
    /// one let in before that rule is not measured again, as a code must
    /// never be refused for its note.
    fn write_counter(&self, id: &AccountId, account: &Account) -> Result<()> {
        let text = item::encode(account)?;
        let form = self.item_form(id.as_str(), &text)?;
        self.keychain.set(id.as_str(), &form, &item_label(account))
    }

    /// [`Store::item_for`] for an account whose note is being set: an HOTP
    /// item grows as its counter gains digits, so the note must fit beside
    /// the widest counter too, or a later code could not be stored.
    fn item_with_room(
        &self,
        id: &AccountId,
        account: &Account,
    ) -> Result<zeroize::Zeroizing<String>> {
        if account.note.is_some() && matches!(account.kind, OtpKind::Hotp { .. }) {
            let mut widest = account.clone();
            widest.kind = OtpKind::Hotp { counter: u64::MAX };
            self.item_for(id, &widest)?;
        }
        self.item_for(id, account)
    }

    /// The keychain item `account` is stored as under `id` (sealed while the
    /// lock is on), or [`crate::account::FieldError::NoteDoesNotFit`] when
    /// its note makes it longer than an item may be.
    fn item_for(&self, id: &AccountId, account: &Account) -> Result<zeroize::Zeroizing<String>> {
        // It holds the key (and the note): wiped once the keychain has it.
        let text = item::encode(account)?;
        // Sealed while the lock is on; a sealed note must fit as well.
        let form = self.item_form(id.as_str(), &text)?;
        let units = form.encode_utf16().count();
        if account.note.is_some() && units > crate::limits::MAX_ITEM_UTF16_UNITS {
            return Err(crate::account::FieldError::NoteDoesNotFit {
                account: account.display_name(),
                units,
            }
            .into());
        }
        Ok(form)
    }

    fn save_meta(&mut self) -> Result<()> {
        self.settle_missing();
        metadata::write(&self.meta_path, &self.meta)?;
        self.seen = metadata::stamp(&self.meta_path);
        // Whatever became of the mark, the file has it now.
        self.backup_mark_unsaved = false;
        Ok(())
    }

    /// After the list was read again from the file: a backup mark this
    /// store could not save is put back on it.
    fn keep_unsaved_backup_mark(&mut self) {
        if self.backup_mark_unsaved {
            if let Some(config) = self.meta.auto_backup.as_mut() {
                config.pending = true;
            }
        }
    }

    /// Saves what the list only remembers to save work later (where the
    /// keychain keeps each item, what a load worked out from the keychain
    /// again), where the disk allows: a full disk or a read-only folder
    /// must not stop a code, as what was not saved is worked out again
    /// next time. The file as it is counts as seen, so that the watch for
    /// other processes' changes does not take it for one.
    fn save_meta_if_possible(&mut self) -> bool {
        if self.save_meta().is_ok() {
            return true;
        }
        self.seen = metadata::stamp(&self.meta_path);
        false
    }
}

/// What keychain managers show for an account's item.
fn item_label(account: &Account) -> String {
    format!("Watchword: {}", account.display_name())
}

fn meta_entry(id: &AccountId, account: &Account, added: Option<u64>) -> MetaEntry {
    MetaEntry {
        id: id.to_string(),
        issuer: account.issuer.clone(),
        name: account.name.clone(),
        kind: account.kind.name().to_owned(),
        pinned: false,
        added,
        item_path: None,
        groups: account.groups.clone(),
        has_note: account.note.is_some(),
        counter: account.hotp_counter(),
        key_check: Some(account.key_check()),
    }
}

/// `account` with the groups the list gives it (none when it is not listed).
fn with_groups_of(mut account: Account, entry: Option<&MetaEntry>) -> Account {
    account.groups = entry.map(|e| e.groups.clone()).unwrap_or_default();
    account
}

pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|source| Error::Io {
        action: "create",
        path: dir.to_owned(),
        source,
    })
}
