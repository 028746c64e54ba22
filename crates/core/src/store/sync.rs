//! Catching up: the first full read of the keychain, and taking in what
//! other processes changed since (the metadata file re-read, the items it
//! names afresh read again), always under the store's lock.

use super::metadata::{self, Loaded};
use super::{item, meta_entry, vaulted, with_groups_of, LoadReport, Store, META_VERSION};
use crate::account::{Account, AccountId, OtpKind};
use crate::error::{Error, Result};
use std::collections::{HashMap, HashSet};
use std::time::Duration;

impl Store {
    /// With the lock held, for a store that has not read everything (a
    /// command line): adopts the metadata file as it is now. The keychain
    /// items are not read, so the cache of accounts stays partial and the
    /// store stays unloaded; each change then reads, under the lock, the
    /// items it touches. A missing or damaged file means a full load, which
    /// rebuilds the list from the keychain.
    pub(super) fn catch_up_listed(&mut self) -> Result<()> {
        if self.loaded {
            return self.sync_locked().map(|_| ());
        }
        let stamp = metadata::stamp(&self.meta_path);
        match metadata::read(&self.meta_path)? {
            Loaded::Read(meta) => {
                self.meta = *meta;
                self.keep_unsaved_backup_mark();
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
    pub(super) fn catch_up(&mut self) -> Result<()> {
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
    ///
    /// [`Error::VaultLocked`] says that another process turned the lock on
    /// or changed its password: this store has locked (and dropped what it
    /// read), whether this look found it or a change made here since the
    /// last look did, so that the window locks too.
    pub fn refresh(&mut self) -> Result<bool> {
        if std::mem::take(&mut self.locked_elsewhere) {
            return Err(Error::VaultLocked);
        }
        if !self.loaded || metadata::stamp(&self.meta_path) == self.seen {
            // Found by a change made here since the last look.
            return Ok(std::mem::take(&mut self.unlocked_elsewhere));
        }
        let _lock = match self.lock(Duration::ZERO) {
            Ok(held) => held,
            Err(Error::Busy(_)) => return Ok(false),
            Err(err) => return Err(err),
        };
        let outcome = self
            .sync_locked()
            .map(|changed| std::mem::take(&mut self.unlocked_elsewhere) || changed);
        if matches!(outcome, Err(Error::VaultLocked)) {
            // Said now, not again at the next look.
            self.locked_elsewhere = false;
        }
        outcome.inspect_err(|_| {
            // A locked keychain would otherwise be asked (a prompt) at every
            // look; the next change to the file, or the next change made
            // here, tries again.
            self.seen = metadata::stamp(&self.meta_path);
        })
    }

    /// With the lock held: adopts the metadata file as it is now, reading
    /// from the keychain only the accounts that are new or renamed there.
    /// Another process that turned the lock on or changed its password
    /// meanwhile (both under the store's lock) leaves this store locked,
    /// [`Error::VaultLocked`]: it holds accounts it may no longer hold.
    pub(super) fn sync_locked(&mut self) -> Result<bool> {
        // Asked whatever the list says: a change of ours that needs no key
        // (a pin, the order) must not go on as if nothing had happened,
        // nor leave the window showing codes it may no longer show.
        let record = self.vault_record_kept()?;
        if matches!(self.keys_for(record.as_ref()), Err(Error::VaultLocked)) {
            self.lock_now();
            self.locked_elsewhere = true;
            self.seen = metadata::stamp(&self.meta_path);
            return Err(Error::VaultLocked);
        }
        // Turned off by another process: the keys held here open nothing
        // now, and kept they would have this window ask, at its next lock,
        // for a password that no longer exists. Told as a change.
        let turned_off = record.is_none() && self.keys.take().is_some();
        if turned_off {
            self.held_record = None;
            // Told by the next refresh, whoever looked first.
            self.unlocked_elsewhere = true;
        }
        // Always read under the lock: a stamp can match a different file
        // (a coarse mtime, a reused inode, the same length).
        let stamp = metadata::stamp(&self.meta_path);
        let disk = match metadata::read(&self.meta_path)? {
            Loaded::Read(disk) if *disk == self.meta => {
                self.seen = stamp;
                return Ok(turned_off);
            }
            Loaded::Read(disk) => *disk,
            // Deleted or damaged (and moved aside) by someone else: what this
            // store holds is the latest good list; it is written back.
            Loaded::Missing | Loaded::Damaged(_) => {
                self.save_meta()?;
                return Ok(turned_off);
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
        if gone.len() == disk.accounts.len() {
            self.refuse_to_drop_every_entry(gone.len(), 0)?;
        }
        self.meta = disk;
        self.keep_unsaved_backup_mark();
        self.apply_groups();
        if gone.is_empty() {
            self.seen = stamp;
        } else {
            // Listed, but the item is gone: removed with another tool (a
            // removal in Watchword takes it off the list first).
            let dropped: Vec<_> = self
                .meta
                .accounts
                .iter()
                .filter(|e| gone.contains(&e.id))
                .cloned()
                .collect();
            self.meta.accounts.retain(|e| !gone.contains(&e.id));
            self.note_missing(&dropped);
            self.save_meta()?;
        }
        Ok(true)
    }

    /// Reads one account's item from the keychain again, into the cache.
    /// `None` when the item is gone; a damaged item is remembered as such.
    pub(super) fn reread(&mut self, id: &AccountId) -> Result<Option<()>> {
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
                        let mut account = with_groups_of(account, entry);
                        let sibling = |other: &str| self.sibling_counter(other, &account);
                        if let Some(known) = self.known_counter(id.as_str(), &account, sibling) {
                            account.kind = OtpKind::Hotp { counter: known };
                        }
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

    /// The counter `other`'s item holds if its key is `account`'s: read
    /// for [`Store::known_counter`] when another account of the same name
    /// and key check is listed. Whatever cannot be read is not counted.
    fn sibling_counter(&self, other: &str, account: &Account) -> Option<u64> {
        let text = zeroize::Zeroizing::new(self.keychain.get(other).ok()??);
        let opened = vaulted::open_item(self.current_keys().ok()?, other, &text).ok()?;
        let held = item::decode(&opened).ok()?;
        held.hotp_counter()
            .filter(|_| held.secret == account.secret)
    }

    /// The account as the keychain holds it now, for a change that rewrites
    /// its item. An item another process removed is dropped from the list
    /// and reported as not found: it is never written back.
    pub(super) fn fresh_account(&mut self, id: &AccountId) -> Result<Account> {
        self.reread_listed(id)?;
        self.cached(id).cloned()
    }

    /// Reads one account's item again, for a change to it. An item another
    /// process removed is dropped from the list and reported as not found.
    pub(super) fn reread_listed(&mut self, id: &AccountId) -> Result<()> {
        if self.reread(id)?.is_none() {
            let dropped: Vec<_> = self
                .meta
                .accounts
                .iter()
                .filter(|e| e.id == id.as_str())
                .cloned()
                .collect();
            if !dropped.is_empty() {
                self.meta.accounts.retain(|e| e.id != id.as_str());
                self.note_missing(&dropped);
                self.save_meta()?;
            }
            return Err(Error::NotFound(id.to_string()));
        }
        Ok(())
    }

    /// Refuses, before the list changes, a reading of the keychain that
    /// found `found` items of ours (readable or not) when the list names
    /// `listed` accounts and none of them is there: more likely a keychain
    /// closed or mistaken than every item removed, and the list's groups,
    /// pins and order live nowhere else.
    fn refuse_to_drop_every_entry(&self, listed: usize, found: usize) -> Result<()> {
        if found > 0 || listed == 0 {
            return Ok(());
        }
        Err(Error::KeychainHoldsNone {
            keychain: self.keychain.name(),
            listed,
            list: self.meta_path.clone(),
        })
    }

    pub(super) fn load_locked(&mut self) -> Result<LoadReport> {
        // Another process may have written the file since this store opened.
        // Whether the list is still there to be refused for: only one
        // removed (to start afresh, as the refusal says) is not.
        let (from_file, read_now) = match metadata::read(&self.meta_path)? {
            Loaded::Read(meta) => {
                self.meta = *meta;
                self.keep_unsaved_backup_mark();
                (true, true)
            }
            Loaded::Missing => {
                // Removed to start afresh: what went missing before goes.
                self.meta.missing.clear();
                (false, false)
            }
            Loaded::Damaged(_) => {
                self.metadata_was_damaged = true;
                (true, false)
            }
        };
        // A record kept from keys held before (locked since) that seals
        // nothing now (the lock turned off elsewhere): forgotten, so that
        // looking at the lock reads only its item again.
        if self.keys.is_none()
            && self.held_record.is_some()
            && self.vault_record()?.is_none()
            && !self.held_record_seals_items()?
        {
            self.held_record = None;
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
        // Only a list the file holds now: one removed to start afresh, as
        // the refusal says, is not refused again from memory.
        if from_file {
            self.refuse_to_drop_every_entry(
                self.meta.accounts.len(),
                accounts.len() + report.damaged.len(),
            )?;
        }
        let before = self.meta.clone();
        let damaged: HashMap<String, String> = report.damaged.iter().cloned().collect();
        // Keep entries whose item exists, readable or not; the rest left
        // the keychain behind Watchword's back, and are remembered.
        let (kept, dropped): (Vec<_>, Vec<_>) = std::mem::take(&mut self.meta.accounts)
            .into_iter()
            .partition(|e| {
                damaged.contains_key(&e.id)
                    || AccountId::parse(&e.id).is_some_and(|id| accounts.contains_key(&id))
            });
        self.meta.accounts = kept;
        // Only entries of the list the file holds now: one that was removed
        // or damaged leaves a list in memory that may be long out of date.
        if read_now {
            self.note_missing(&dropped);
        }
        // No counter behind what the list knows for its key: an item put
        // back from an older copy of the keychain, under its own id or one
        // the list no longer knows.
        let caught_up: Vec<(AccountId, u64)> = accounts
            .iter()
            .filter_map(|(id, account)| {
                let sibling = |other: &str| {
                    let other = accounts.get(&AccountId::parse(other)?)?;
                    other
                        .hotp_counter()
                        .filter(|_| other.secret == account.secret)
                };
                let known = self.known_counter(id.as_str(), account, sibling)?;
                Some((id.clone(), known))
            })
            .collect();
        for (id, known) in caught_up {
            if let Some(account) = accounts.get_mut(&id) {
                account.kind = OtpKind::Hotp { counter: known };
            }
        }
        for entry in &mut self.meta.accounts {
            if let Some(account) = AccountId::parse(&entry.id).and_then(|id| accounts.get_mut(&id))
            {
                entry.issuer.clone_from(&account.issuer);
                entry.name.clone_from(&account.name);
                entry.kind = account.kind.name().to_owned();
                entry.has_note = account.note.is_some();
                entry.counter = account.hotp_counter();
                entry.key_check = Some(account.key_check());
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
            // All of it is worked out from the keychain and the file again
            // at the next load if it cannot be saved now.
            self.meta.version = META_VERSION;
            if self.save_meta_if_possible() {
                self.metadata_was_damaged = false;
            }
        } else {
            self.seen = metadata::stamp(&self.meta_path);
        }
        Ok(report)
    }

    pub(super) fn ensure_loaded(&mut self) -> Result<()> {
        if !self.loaded {
            self.load()?;
        }
        Ok(())
    }
}
