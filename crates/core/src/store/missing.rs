//! Accounts that left the keychain without Watchword removing them: an
//! item deleted with another tool (Seahorse, `secret-tool clear`), by
//! another app, or lost with a keychain that was reset. The list cannot
//! keep naming them (there is no key to give a code with), but it keeps
//! what it showed of them, and automatic backups prune nothing while any
//! is missing: the older backups may be all that still holds its key, and
//! without this every later backup, none of which holds it, would push
//! them out one by one. The user then restores them from a backup, or
//! forgets them.

use super::metadata::{MetaEntry, MissingEntry};
use super::{unix_now, Store};
use crate::error::Result;
use std::collections::HashSet;
use std::path::PathBuf;

impl Store {
    /// Remembers `dropped`, entries taken off the list because their item
    /// is gone, as missing since now.
    pub(super) fn note_missing(&mut self, dropped: &[MetaEntry]) {
        let since = unix_now();
        for entry in dropped {
            if self.meta.missing.iter().any(|m| m.id == entry.id) {
                continue;
            }
            self.meta.missing.push(MissingEntry {
                id: entry.id.clone(),
                issuer: entry.issuer.clone(),
                name: entry.name.clone(),
                since,
            });
        }
        // Bounded like the list: the oldest go first.
        let over = self
            .meta
            .missing
            .len()
            .saturating_sub(crate::limits::MAX_ENTRIES);
        self.meta.missing.drain(..over);
    }

    /// Drops what is missing no longer: an account listed again under its
    /// id (its item came back), or added again since it went (restored
    /// from a backup or imported: a new id, the same issuer and name).
    pub(super) fn settle_missing(&mut self) {
        if self.meta.missing.is_empty() {
            return;
        }
        let listed: HashSet<&str> = self.meta.accounts.iter().map(|e| e.id.as_str()).collect();
        let accounts = &self.meta.accounts;
        self.meta.missing.retain(|gone| {
            !listed.contains(gone.id.as_str())
                && !accounts.iter().any(|e| {
                    e.added.is_some_and(|added| added >= gone.since)
                        && e.issuer.to_lowercase() == gone.issuer.to_lowercase()
                        && e.name.to_lowercase() == gone.name.to_lowercase()
                })
        });
    }

    /// The accounts that left the keychain without Watchword removing
    /// them, oldest first, as the list last read them.
    pub fn missing(&self) -> &[MissingEntry] {
        &self.meta.missing
    }

    /// The automatic backups made before the first missing account was
    /// found gone, this installation's newest first: the ones to restore
    /// it from. Empty with nothing missing, or backups off.
    pub fn backups_before_missing(&self) -> Vec<PathBuf> {
        let (Some(since), Some(config)) = (
            self.meta.missing.iter().map(|m| m.since).min(),
            self.meta.auto_backup.as_ref(),
        ) else {
            return Vec::new();
        };
        super::autobackup::versions_before(&config.folder, config.tag.as_deref(), since)
            .unwrap_or_default()
    }

    /// Forgets every missing account: older backups, the only ones that
    /// may hold them, can be pruned again. Refused while the lock is
    /// locked. Returns how many were forgotten.
    pub fn forget_missing(&mut self) -> Result<usize> {
        self.locked_listed(|store| {
            store.current_keys()?;
            let forgotten = store.meta.missing.len();
            if forgotten > 0 {
                let before = store.meta.clone();
                store.meta.missing.clear();
                if let Err(error) = store.save_meta() {
                    store.meta = before;
                    return Err(error);
                }
            }
            Ok(forgotten)
        })
    }
}
