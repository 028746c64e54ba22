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
mod item;
pub mod keychain;
pub mod lock;
pub mod metadata;
#[cfg(target_os = "linux")]
mod secret_service;
mod vaulted;

use crate::account::{Account, AccountId, Group, Note, OtpKind};
use crate::error::{Error, Result};
use crate::otp::{self, Code};
pub use autobackup::{AutoBackupStatus, BackupError, Restorable, Skipped};
use keychain::{Keychain, Locations, SystemKeychain};
pub use metadata::{BackupFailure, Settings, Theme};
use metadata::{Loaded, MetaEntry, Metadata};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
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
    /// The lock's keys while unlocked (store/vaulted.rs); wiped on drop.
    keys: Option<crate::vault::Keys>,
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
            keys: None,
        })
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
        let held = lock::acquire(&self.lock_path, wait)?;
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

    /// With the lock held, for a store that has not read everything (a
    /// command line): adopts the metadata file as it is now. The keychain
    /// items are not read, so the cache of accounts stays partial and the
    /// store stays unloaded; each change then reads, under the lock, the
    /// items it touches. A missing or damaged file means a full load, which
    /// rebuilds the list from the keychain.
    fn catch_up_listed(&mut self) -> Result<()> {
        if self.loaded {
            return self.sync_locked().map(|_| ());
        }
        let stamp = metadata::stamp(&self.meta_path);
        match metadata::read(&self.meta_path)? {
            Loaded::Read(meta) => {
                self.meta = *meta;
                self.seen = stamp;
                Ok(())
            }
            Loaded::Missing => self.load_locked().map(|_| ()),
            Loaded::Damaged(_) => {
                self.metadata_was_damaged = true;
                self.load_locked().map(|_| ())
            }
        }
    }

    /// With the lock held: everything on first use, else what changed.
    fn catch_up(&mut self) -> Result<()> {
        if self.loaded {
            self.sync_locked().map(|_| ())
        } else {
            self.load_locked().map(|_| ())
        }
    }

    /// Takes in what another process (`watchword-cli`, a second window)
    /// changed since this store last looked: accounts added, removed or
    /// renamed, pins, order, settings. Cheap when nothing changed (one
    /// `stat` of the metadata file), and it never reads every keychain item.
    /// Returns true when something changed. When another process is in the
    /// middle of a change this does nothing and says false: ask again later.
    pub fn refresh(&mut self) -> Result<bool> {
        if !self.loaded || metadata::stamp(&self.meta_path) == self.seen {
            return Ok(false);
        }
        let _lock = match self.lock(Duration::ZERO) {
            Ok(held) => held,
            Err(Error::Busy(_)) => return Ok(false),
            Err(err) => return Err(err),
        };
        // Another process turned the lock on (or changed its password):
        // this store holds accounts it may no longer hold.
        if matches!(self.current_keys(), Err(Error::VaultLocked)) {
            self.lock_now();
            self.seen = metadata::stamp(&self.meta_path);
            return Err(Error::VaultLocked);
        }
        self.sync_locked().inspect_err(|_| {
            // A locked keychain would otherwise be asked (a prompt) at every
            // look; the next change to the file, or the next change made
            // here, tries again.
            self.seen = metadata::stamp(&self.meta_path);
        })
    }

    /// With the lock held: adopts the metadata file as it is now, reading
    /// from the keychain only the accounts that are new or renamed there.
    fn sync_locked(&mut self) -> Result<bool> {
        // Always read under the lock: a stamp can match a different file
        // (a coarse mtime, a reused inode, the same length).
        let stamp = metadata::stamp(&self.meta_path);
        let disk = match metadata::read(&self.meta_path)? {
            Loaded::Read(disk) if *disk == self.meta => {
                self.seen = stamp;
                return Ok(false);
            }
            Loaded::Read(disk) => *disk,
            // Deleted or damaged (and moved aside) by someone else: what this
            // store holds is the latest good list; it is written back.
            Loaded::Missing | Loaded::Damaged(_) => {
                self.save_meta()?;
                return Ok(false);
            }
        };
        let listed: HashSet<&str> = disk.accounts.iter().map(|e| e.id.as_str()).collect();
        self.accounts.retain(|id, _| listed.contains(id.as_str()));
        self.damaged.retain(|id, _| listed.contains(id.as_str()));
        let mut gone = Vec::new();
        for entry in &disk.accounts {
            let Some(id) = AccountId::parse(&entry.id) else {
                continue;
            };
            let stale = match self.accounts.get(&id) {
                None => !self.damaged.contains_key(&entry.id),
                Some(account) => {
                    account.issuer != entry.issuer
                        || account.name != entry.name
                        || account.kind.name() != entry.kind
                }
            };
            if stale && self.reread(&id)?.is_none() {
                gone.push(entry.id.clone());
            }
        }
        self.meta = disk;
        self.apply_groups();
        if gone.is_empty() {
            self.seen = stamp;
        } else {
            // Listed, but the item is gone (removed with another tool, or a
            // process killed between the keychain and the file).
            self.meta.accounts.retain(|e| !gone.contains(&e.id));
            self.save_meta()?;
        }
        Ok(true)
    }

    /// Reads one account's item from the keychain again, into the cache.
    /// `None` when the item is gone; a damaged item is remembered as such.
    fn reread(&mut self, id: &AccountId) -> Result<Option<()>> {
        let reason = match self.keychain.get(id.as_str()) {
            Ok(None) => {
                self.accounts.remove(id);
                self.damaged.remove(id.as_str());
                return Ok(None);
            }
            Ok(Some(text)) => {
                let text = zeroize::Zeroizing::new(text);
                let opened = vaulted::open_item(self.current_keys()?, id.as_str(), &text);
                match opened.and_then(|text| item::decode(&text).map_err(|err| err.to_string())) {
                    Ok(account) => {
                        self.damaged.remove(id.as_str());
                        let entry = self.meta.accounts.iter().find(|e| e.id == id.as_str());
                        let account = with_groups_of(account, entry);
                        self.accounts.insert(id.clone(), account);
                        return Ok(Some(()));
                    }
                    Err(reason) => reason,
                }
            }
            Err(Error::DamagedItem { reason, .. }) => reason,
            Err(err) => return Err(err),
        };
        self.accounts.remove(id);
        self.damaged.insert(id.to_string(), reason);
        Ok(Some(()))
    }

    /// The account as the keychain holds it now, for a change that rewrites
    /// its item. An item another process removed is dropped from the list
    /// and reported as not found: it is never written back.
    fn fresh_account(&mut self, id: &AccountId) -> Result<Account> {
        self.reread_listed(id)?;
        self.cached(id).cloned()
    }

    /// Reads one account's item again, for a change to it. An item another
    /// process removed is dropped from the list and reported as not found.
    fn reread_listed(&mut self, id: &AccountId) -> Result<()> {
        if self.reread(id)?.is_none() {
            let before = self.meta.accounts.len();
            self.meta.accounts.retain(|e| e.id != id.as_str());
            if self.meta.accounts.len() != before {
                self.save_meta()?;
            }
            return Err(Error::NotFound(id.to_string()));
        }
        Ok(())
    }

    fn load_locked(&mut self) -> Result<LoadReport> {
        // Another process may have written the file since this store opened.
        match metadata::read(&self.meta_path)? {
            Loaded::Read(meta) => self.meta = *meta,
            Loaded::Missing => {}
            Loaded::Damaged(_) => self.metadata_was_damaged = true,
        }
        // Every item in as few round trips as the keychain allows.
        let (items, seen) = self.keychain.get_all_located()?;
        let mut report = LoadReport {
            metadata_was_damaged: self.metadata_was_damaged,
            ..LoadReport::default()
        };
        // The lock: while it is on, nothing is read without its key, and
        // nothing changes (not even the list) before that is known.
        let keys = self.current_keys()?;
        let mut accounts = HashMap::new();
        for (raw_id, read) in items {
            let Some(id) = AccountId::parse(&raw_id) else {
                continue; // Not an item Watchword created.
            };
            let text = match read {
                Ok(text) => zeroize::Zeroizing::new(text),
                // One unreadable item must not hide every other account.
                Err(Error::DamagedItem { reason, .. }) => {
                    report.damaged.push((raw_id, reason));
                    continue;
                }
                Err(err) => return Err(err),
            };
            let opened = vaulted::open_item(keys, &raw_id, &text);
            match opened.and_then(|text| item::decode(&text).map_err(|err| err.to_string())) {
                Ok(account) => {
                    accounts.insert(id, account);
                }
                Err(reason) => report.damaged.push((raw_id, reason)),
            }
        }
        let before = self.meta.clone();
        let damaged: HashMap<String, String> = report.damaged.iter().cloned().collect();
        // Keep entries whose item exists, readable or not; drop the rest.
        self.meta.accounts.retain(|e| {
            damaged.contains_key(&e.id)
                || AccountId::parse(&e.id).is_some_and(|id| accounts.contains_key(&id))
        });
        for entry in &mut self.meta.accounts {
            if let Some(account) = AccountId::parse(&entry.id).and_then(|id| accounts.get_mut(&id))
            {
                entry.issuer.clone_from(&account.issuer);
                entry.name.clone_from(&account.name);
                entry.kind = account.kind.name().to_owned();
                entry.has_note = account.note.is_some();
                account.groups.clone_from(&entry.groups);
            }
        }
        let mut recovered: Vec<(&AccountId, &Account)> = accounts
            .iter()
            .filter(|(id, _)| !self.meta.accounts.iter().any(|e| e.id == id.as_str()))
            .collect();
        recovered.sort_by(|a, b| {
            (a.1.issuer.to_lowercase(), a.1.name.to_lowercase(), a.0).cmp(&(
                b.1.issuer.to_lowercase(),
                b.1.name.to_lowercase(),
                b.0,
            ))
        });
        report.recovered = recovered.len();
        for (id, account) in recovered {
            self.meta.accounts.push(meta_entry(id, account, None));
        }
        // Kept for the next listing (the next command line).
        self.remember(&seen);
        report.accounts = accounts.len();
        self.accounts = accounts;
        self.damaged = damaged;
        self.loaded = true;
        if self.meta != before
            || self.meta.version != META_VERSION
            || self.metadata_was_damaged
            || self.seen.is_none()
        {
            self.meta.version = META_VERSION;
            self.save_meta()?;
            self.metadata_was_damaged = false;
        } else {
            self.seen = metadata::stamp(&self.meta_path);
        }
        Ok(report)
    }

    fn ensure_loaded(&mut self) -> Result<()> {
        if !self.loaded {
            self.load()?;
        }
        Ok(())
    }

    /// Adds an account: the keychain item first, then the metadata, so a crash
    /// in between loses nothing. An account with the same key and issuer is
    /// refused with [`Error::Duplicate`].
    ///
    /// A store that has not loaded everything reads only the items that
    /// could be the same account: those the list names with the same issuer.
    /// An item of ours the list does not know could be anything, and makes
    /// it a full load.
    pub fn add(&mut self, account: Account) -> Result<AccountId> {
        if self.loaded {
            return self.locked(|store| store.add_locked(account));
        }
        self.locked_listed(|store| {
            if !store.loaded {
                store.read_possible_duplicates(&account)?;
            }
            store.add_locked(account)
        })
    }

    /// With the lock held, in a store that has not loaded everything: reads
    /// into the cache every item that may hold the same key and issuer as
    /// `account`, so that [`Store::add_locked`]'s test sees them all. Only
    /// item ids are listed, no other secret is read, unless the keychain
    /// holds an item of ours the list does not know: then everything is.
    fn read_possible_duplicates(&mut self, account: &Account) -> Result<()> {
        let (ids, seen) = self.keychain.list_located(&self.locations())?;
        let listed: HashSet<&str> = self.meta.accounts.iter().map(|e| e.id.as_str()).collect();
        let unknown = ids
            .iter()
            .any(|id| AccountId::parse(id).is_some() && !listed.contains(id.as_str()));
        // Saved with the new account.
        self.remember(&seen);
        if unknown {
            return self.load_locked().map(|_| ());
        }
        let issuer = account.issuer.trim();
        let same_issuer: Vec<AccountId> = self
            .meta
            .accounts
            .iter()
            .filter(|e| e.issuer.trim().eq_ignore_ascii_case(issuer))
            .filter_map(|e| AccountId::parse(&e.id))
            .collect();
        for id in &same_issuer {
            self.reread(id)?;
        }
        Ok(())
    }

    fn add_locked(&mut self, account: Account) -> Result<AccountId> {
        if self.accounts.values().any(|a| a.same_as(&account)) {
            return Err(Error::Duplicate(account.display_name()));
        }
        let id = AccountId::random();
        self.write_item(&id, &account)?;
        self.meta
            .accounts
            .push(meta_entry(&id, &account, Some(unix_now())));
        self.accounts.insert(id.clone(), account);
        self.note_change();
        self.save_meta()?;
        Ok(id)
    }

    /// Adds accounts one by one, counting those already stored (same key
    /// and issuer) instead of refusing them. On a keychain or disk failure
    /// it stops there and says how many went in before; adding the same
    /// list again then adds only the rest.
    pub fn add_all(
        &mut self,
        accounts: impl IntoIterator<Item = Account>,
    ) -> std::result::Result<Added, (Added, Error)> {
        self.add_all_cancellable(accounts, &crate::limits::Cancel::new())
    }

    /// [`Store::add_all`] that stops before the next account once `cancel`
    /// is set: each account is stored whole or not at all, what went in
    /// stays, and [`Added::stopped`] says the rest were not looked at.
    pub fn add_all_cancellable(
        &mut self,
        accounts: impl IntoIterator<Item = Account>,
        cancel: &crate::limits::Cancel,
    ) -> std::result::Result<Added, (Added, Error)> {
        let mut done = Added::default();
        // One lock for the whole batch: an import is one change.
        let held = self.lock(lock::WAIT).and_then(|held| {
            self.catch_up()?;
            Ok(held)
        });
        let _lock = match held {
            Ok(held) => held,
            Err(error) => return Err((done, error)),
        };
        for account in accounts {
            if cancel.is_cancelled() {
                done.stopped = true;
                break;
            }
            match self.add_locked(account) {
                Ok(_) => done.added += 1,
                Err(Error::Duplicate(_)) => done.already_there += 1,
                Err(error) => return Err((done, error)),
            }
        }
        Ok(done)
    }

    /// True when an account with the same key and issuer is stored.
    pub fn contains(&mut self, account: &Account) -> Result<bool> {
        self.ensure_loaded()?;
        Ok(self.accounts.values().any(|a| a.same_as(account)))
    }

    /// Removes an account: the keychain item, then its metadata. A store
    /// that has not loaded everything reads only this account's item first.
    pub fn remove(&mut self, id: &AccountId) -> Result<()> {
        if self.loaded {
            return self.locked(|store| store.remove_locked(id));
        }
        self.locked_listed(|store| {
            if !store.loaded {
                store.reread_listed(id)?;
            }
            store.remove_locked(id)
        })
    }

    fn remove_locked(&mut self, id: &AccountId) -> Result<()> {
        if !self.accounts.contains_key(id) && !self.damaged.contains_key(id.as_str()) {
            return Err(Error::NotFound(id.to_string()));
        }
        self.keychain.delete(id.as_str())?;
        self.accounts.remove(id);
        self.damaged.remove(id.as_str());
        self.meta.accounts.retain(|e| e.id != id.as_str());
        self.note_change();
        self.save_meta()
    }

    /// The account with this id.
    pub fn account(&mut self, id: &AccountId) -> Result<&Account> {
        self.ensure_loaded()?;
        self.cached(id)
    }

    /// The account with this id as this store last read it.
    fn cached(&self, id: &AccountId) -> Result<&Account> {
        if let Some(reason) = self.damaged.get(id.as_str()) {
            return Err(Error::DamagedItem {
                id: id.to_string(),
                reason: reason.clone(),
            });
        }
        self.accounts
            .get(id)
            .ok_or_else(|| Error::NotFound(id.to_string()))
    }

    /// Every readable account, in the list's order (pinned first), e.g. for
    /// a backup. Items that cannot be read are left out; [`Store::load`]
    /// reports them.
    pub fn all_accounts(&mut self) -> Result<Vec<Account>> {
        self.locked(Self::fresh_accounts)
    }

    /// With the lock held and everything loaded: [`Store::all_accounts`].
    fn fresh_accounts(&mut self) -> Result<Vec<Account>> {
        // Another process may have stepped an HOTP counter: only the
        // keychain item says so, and a backup must not hold an old one.
        let hotp: Vec<AccountId> = self
            .accounts
            .iter()
            .filter(|(_, a)| matches!(a.kind, OtpKind::Hotp { .. }))
            .map(|(id, _)| id.clone())
            .collect();
        for id in &hotp {
            self.reread(id)?;
        }
        Ok(self
            .summaries()
            .iter()
            .filter_map(|s| AccountId::parse(&s.id))
            .filter_map(|id| self.accounts.get(&id).cloned())
            .collect())
    }

    /// The account as the keychain holds it now (an HOTP counter another
    /// process stepped included), for showing it as a QR code.
    pub fn current_account(&mut self, id: &AccountId) -> Result<Account> {
        self.locked(|store| store.fresh_account(id))
    }

    /// Pins an account to the top of the list, or unpins it.
    pub fn set_pinned(&mut self, id: &AccountId, pinned: bool) -> Result<()> {
        self.locked(|store| {
            let entry = store
                .meta
                .accounts
                .iter_mut()
                .find(|e| e.id == id.as_str())
                .ok_or_else(|| Error::NotFound(id.to_string()))?;
            entry.pinned = pinned;
            store.save_meta()
        })
    }

    /// Puts the accounts in the order of `ids` (the list as the user
    /// arranged it); accounts `ids` leaves out keep their relative order
    /// after them. Pinned accounts still come first in [`Store::summaries`].
    pub fn reorder(&mut self, ids: &[AccountId]) -> Result<()> {
        let position = |entry: &MetaEntry| {
            ids.iter()
                .position(|id| id.as_str() == entry.id)
                .unwrap_or(usize::MAX)
        };
        self.locked(|store| {
            // A stable sort keeps the unnamed ones in their order.
            store.meta.accounts.sort_by_key(position);
            store.save_meta()
        })
    }

    /// Changes an account's issuer and name: the keychain item (whose URI
    /// carries them) first, then the list. Refused with
    /// [`Error::Duplicate`] when another account has the same key and the
    /// new issuer.
    pub fn rename(&mut self, id: &AccountId, issuer: &str, name: &str) -> Result<()> {
        self.locked(|store| store.rename_locked(id, issuer, name))
    }

    fn rename_locked(&mut self, id: &AccountId, issuer: &str, name: &str) -> Result<()> {
        let mut account = self.fresh_account(id)?;
        account.issuer = issuer.trim().to_owned();
        account.name = name.trim().to_owned();
        if self
            .accounts
            .iter()
            .any(|(other, a)| other != id && a.same_as(&account))
        {
            return Err(Error::Duplicate(account.display_name()));
        }
        self.write_item(id, &account)?;
        if let Some(entry) = self.meta.accounts.iter_mut().find(|e| e.id == id.as_str()) {
            entry.issuer.clone_from(&account.issuer);
            entry.name.clone_from(&account.name);
        }
        self.accounts.insert(id.clone(), account);
        self.note_change();
        self.save_meta()
    }

    /// An account's note, read from its keychain item now: the explicit
    /// way to see it (the list only says whether there is one).
    pub fn note(&mut self, id: &AccountId) -> Result<Option<Note>> {
        self.locked_listed(|store| Ok(store.fresh_account(id)?.note))
    }

    /// Sets an account's note (`None` clears it): its keychain item is read
    /// again under the lock and rewritten with the note, as a rename does,
    /// so a counter another process stepped is kept. A note that would not
    /// fit the item is refused with [`crate::account::FieldError::NoteDoesNotFit`]
    /// and nothing changes.
    pub fn set_note(&mut self, id: &AccountId, note: Option<Note>) -> Result<()> {
        self.replace_note(id, None, note)
    }

    /// Sets an account's note as [`Store::set_note`] does, but only if the
    /// note is still `before` (empty: there was none) when read under the
    /// lock: an edit made from what the user saw never overwrites a note
    /// another process wrote meanwhile. Otherwise
    /// [`crate::account::FieldError::NoteChanged`], and nothing changes.
    pub fn change_note(&mut self, id: &AccountId, before: &str, note: Option<Note>) -> Result<()> {
        self.replace_note(id, Some(before), note)
    }

    fn replace_note(
        &mut self,
        id: &AccountId,
        before: Option<&str>,
        note: Option<Note>,
    ) -> Result<()> {
        self.locked_listed(|store| {
            let fresh = store.fresh_account(id)?;
            if let Some(before) = before {
                if fresh.note.as_ref().map_or("", Note::expose) != before {
                    return Err(crate::account::FieldError::NoteChanged {
                        account: fresh.display_name(),
                    }
                    .into());
                }
            }
            let account = fresh.with_note(note);
            store.write_item(id, &account)?;
            if let Some(entry) = store.meta.accounts.iter_mut().find(|e| e.id == id.as_str()) {
                entry.has_note = account.note.is_some();
            }
            store.accounts.insert(id.clone(), account);
            // Notes hold recovery codes: a backup must carry the new one.
            store.note_change();
            store.save_meta()
        })
    }

    /// Puts an account in exactly `groups` (none to take it out of all):
    /// repeats dropped, at most [`crate::limits::MAX_GROUPS_PER_ACCOUNT`].
    /// Only the metadata changes; the keychain is not asked.
    pub fn set_groups(&mut self, id: &AccountId, groups: Vec<Group>) -> Result<()> {
        self.change_groups(id, |_| groups).map(|_| ())
    }

    /// Changes an account's groups from what they are now, under the lock
    /// (so adding one group never undoes another process's change to the
    /// others): `change` gets the current groups and returns the new ones,
    /// checked as [`Store::set_groups`] checks them. Returns the groups saved.
    pub fn change_groups(
        &mut self,
        id: &AccountId,
        change: impl FnOnce(Vec<Group>) -> Vec<Group>,
    ) -> Result<Vec<Group>> {
        self.locked_listed(|store| {
            let entry = store
                .meta
                .accounts
                .iter_mut()
                .find(|e| e.id == id.as_str())
                .ok_or_else(|| Error::NotFound(id.to_string()))?;
            let groups = crate::account::checked_groups(change(entry.groups.clone()))?;
            if groups == entry.groups {
                return Ok(groups);
            }
            entry.groups.clone_from(&groups);
            if let Some(account) = store.accounts.get_mut(id) {
                account.groups.clone_from(&groups);
            }
            // Backups carry groups too.
            store.note_change();
            store.save_meta()?;
            Ok(groups)
        })
    }

    /// Every group some account is in, sorted, each once: for a filter.
    pub fn groups(&self) -> Vec<Group> {
        let mut all: Vec<Group> = self
            .meta
            .accounts
            .iter()
            .flat_map(|e| e.groups.iter().cloned())
            .collect();
        all.sort_by_key(|g| (g.as_str().to_lowercase(), g.clone()));
        all.dedup();
        all
    }

    /// Gives every cached account the groups the list has for it.
    fn apply_groups(&mut self) {
        for entry in &self.meta.accounts {
            if let Some(account) =
                AccountId::parse(&entry.id).and_then(|id| self.accounts.get_mut(&id))
            {
                account.groups.clone_from(&entry.groups);
            }
        }
    }

    /// The user's preferences.
    pub fn settings(&self) -> &Settings {
        &self.meta.settings
    }

    /// Saves the user's preferences; out-of-range values are refused with
    /// [`Error::InvalidSetting`] and nothing changes.
    pub fn set_settings(&mut self, settings: Settings) -> Result<()> {
        settings.validate().map_err(Error::InvalidSetting)?;
        self.locked(|store| {
            let before = std::mem::replace(&mut store.meta.settings, settings);
            store.save_meta().inspect_err(|_| {
                // Not saved: keep what the file still says.
                store.meta.settings = before;
            })
        })
    }

    /// Notes that the user exported every account at `unix_seconds` (a
    /// backup), for [`Store::backup_status`].
    pub fn record_backup(&mut self, unix_seconds: u64) -> Result<()> {
        self.locked(|store| {
            store.meta.last_backup = Some(unix_seconds);
            store.save_meta()
        })
    }

    /// How many accounts a backup made now would add to the last one: all
    /// of them before the first backup, then those added after it.
    pub fn backup_status(&self) -> BackupStatus {
        let last_backup = self.meta.last_backup;
        let added_since = self
            .meta
            .accounts
            .iter()
            .filter(|entry| match (last_backup, entry.added) {
                (None, _) => true,
                (Some(last), Some(added)) => added > last,
                (Some(_), None) => false,
            })
            .count();
        BackupStatus {
            last_backup,
            added_since,
        }
    }

    /// The current code of a time-based account, or the code for the stored
    /// counter of an HOTP account (without advancing it).
    pub fn code(&mut self, id: &AccountId, unix_seconds: u64) -> Result<Code> {
        Ok(otp::code_at(self.account(id)?, unix_seconds))
    }

    /// Generates the next HOTP code: the counter is read from the keychain
    /// and the advanced one saved there, under the store's lock, before the
    /// code is returned, so a code is never handed out twice, by this
    /// process or any other. A counter at its largest value is
    /// [`Error::CounterExhausted`]. For time-based accounts this is the same
    /// as [`Store::code`].
    ///
    /// A store that has not loaded everything (a command line) reads only
    /// this account's item, under the lock.
    pub fn next_code(&mut self, id: &AccountId, unix_seconds: u64) -> Result<Code> {
        if !self.loaded {
            return self.locked_listed(|store| store.next_code_locked(id, unix_seconds));
        }
        if !matches!(self.account(id)?.kind, OtpKind::Hotp { .. }) {
            return self.code(id, unix_seconds);
        }
        self.locked(|store| store.next_code_locked(id, unix_seconds))
    }

    fn next_code_locked(&mut self, id: &AccountId, unix_seconds: u64) -> Result<Code> {
        let account = self.fresh_account(id)?;
        let OtpKind::Hotp { counter } = account.kind else {
            return Ok(otp::code_at(&account, unix_seconds));
        };
        let next = counter
            .checked_add(1)
            .ok_or_else(|| Error::CounterExhausted(account.display_name()))?;
        let mut advanced = account.clone();
        advanced.kind = OtpKind::Hotp { counter: next };
        self.write_item(id, &advanced)?;
        self.accounts.insert(id.clone(), advanced);
        // The counter is in the backups: a restore must not go back to
        // codes already used. Saved only when the mark is new.
        if self.note_change() {
            self.save_meta()?;
        }
        Ok(otp::code_at(&account, unix_seconds))
    }

    /// The list, checked against the keychain without reading a secret:
    /// the ids of the keychain's items are compared with the list's, and
    /// only when they differ (an item the list does not know, an entry whose
    /// item is gone) is everything read and the list rebuilt, as
    /// [`Store::load`] does. Pinned first, then the user's order.
    pub fn list_accounts(&mut self) -> Result<Vec<AccountSummary>> {
        self.list_accounts_trusting(true)
    }

    /// [`Store::list_accounts`] without the item places the list remembers:
    /// every item's id is read from the keychain. For a change that cannot
    /// be undone (a removal): a keyring file restored while gnome-keyring
    /// runs can put another item at a remembered place, and an account the
    /// list does not know could then go unseen and a worse match be removed.
    pub fn list_accounts_checked(&mut self) -> Result<Vec<AccountSummary>> {
        self.list_accounts_trusting(false)
    }

    fn list_accounts_trusting(&mut self, trust_places: bool) -> Result<Vec<AccountSummary>> {
        if self.loaded {
            self.locked(|_| Ok(()))?;
            return Ok(self.summaries());
        }
        self.locked_listed(|store| {
            if store.loaded {
                return Ok(()); // The file was missing or damaged: rebuilt.
            }
            let known = if trust_places {
                store.locations()
            } else {
                Locations::default()
            };
            let (ids, seen) = store.keychain.list_located(&known)?;
            let listed: HashSet<&str> = store.meta.accounts.iter().map(|e| e.id.as_str()).collect();
            let ours: HashSet<String> = ids
                .into_iter()
                .filter(|id| AccountId::parse(id).is_some())
                .collect();
            let same = listed.len() == store.meta.accounts.len()
                && listed.len() == ours.len()
                && ours.iter().all(|id| listed.contains(id.as_str()));
            if !same {
                // The load saves the places it found itself; this listing's
                // may be the stale ones that disagreed.
                store.load_locked()?;
            } else if store.remember(&seen) {
                store.save_meta()?;
            }
            Ok(())
        })?;
        Ok(self.summaries())
    }

    /// Accounts whose issuer or name contains `query`, ignoring case; an exact
    /// match of the whole issuer, name or "issuer:name" wins over partial ones.
    pub fn find(&self, query: &str) -> Vec<AccountSummary> {
        let q = query.trim().to_lowercase();
        let all = self.summaries();
        let exact: Vec<AccountSummary> = all
            .iter()
            .filter(|s| {
                let (i, n) = (s.issuer.to_lowercase(), s.name.to_lowercase());
                i == q || n == q || format!("{i}:{n}") == q || s.id == q
            })
            .cloned()
            .collect();
        if !exact.is_empty() {
            return exact;
        }
        all.into_iter()
            .filter(|s| s.issuer.to_lowercase().contains(&q) || s.name.to_lowercase().contains(&q))
            .collect()
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
        self.keychain.set(id.as_str(), &form, &item_label(account))
    }

    fn save_meta(&mut self) -> Result<()> {
        metadata::write(&self.meta_path, &self.meta)?;
        self.seen = metadata::stamp(&self.meta_path);
        Ok(())
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
    }
}

/// `account` with the groups the list gives it (none when it is not listed).
fn with_groups_of(mut account: Account, entry: Option<&MetaEntry>) -> Account {
    account.groups = entry.map(|e| e.groups.clone()).unwrap_or_default();
    account
}

fn unix_now() -> u64 {
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
