//! Accounts that left the keychain without Watchword removing them: an
//! item deleted with another tool (Seahorse, `secret-tool clear`), by
//! another app, or lost with a keychain that was reset. The list cannot
//! keep naming them (there is no key to give a code with), but it keeps
//! what it showed of them, and automatic backups never prune those made
//! before they went: those may be all that still holds their keys, and
//! without this every later backup, none of which holds them, would push
//! one more out. The user then restores them from a backup, or forgets
//! them.

use super::autobackup::BackupMark;
use super::metadata::{MetaEntry, MissingEntry};
use super::{unix_now, Store};
use crate::account::AccountId;
use crate::error::Result;
use std::collections::HashSet;
use std::path::PathBuf;

impl Store {
    /// Remembers `dropped`, entries of the list as the file had it, taken
    /// off because their item is gone, as missing since now.
    pub(super) fn note_missing(&mut self, dropped: &[MetaEntry]) {
        let since = unix_now();
        // The newest backup made before now is the last that may hold them.
        let config = self.meta.auto_backup.as_ref();
        let backed_up = config.and_then(|b| b.last_good);
        let backed_up_suffix = config.and_then(|b| b.last_suffix);
        for entry in dropped {
            // Not an account of ours (a hand edit): nothing to bring back.
            if AccountId::parse(&entry.id).is_none()
                || self.meta.missing.iter().any(|m| m.id == entry.id)
            {
                continue;
            }
            self.meta.missing.push(MissingEntry {
                id: entry.id.clone(),
                issuer: entry.issuer.clone(),
                name: entry.name.clone(),
                since,
                backed_up,
                backed_up_suffix,
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

    /// Automatic backups dated at or before this are never pruned: the
    /// newest of them may hold a missing account (the newest made before
    /// any of them went, and those before it).
    pub(super) fn protect_until(&self) -> Option<BackupMark> {
        self.backed_up_marks().max_by_key(|mark| mark.order())
    }

    /// The last backup before each missing account went.
    fn backed_up_marks(&self) -> impl Iterator<Item = BackupMark> + '_ {
        self.meta.missing.iter().filter_map(|m| {
            m.backed_up.map(|at| BackupMark {
                at,
                suffix: m.backed_up_suffix,
            })
        })
    }

    /// The automatic backups that hold every missing account, if any does:
    /// made at or before the last backup before the first of them went,
    /// this installation's newest first. Empty with nothing missing, no
    /// backup from before, or backups off.
    pub fn backups_before_missing(&self) -> Vec<PathBuf> {
        let (Some(until), Some(config)) = (self.missing_mark(), self.meta.auto_backup.as_ref())
        else {
            return Vec::new();
        };
        super::autobackup::versions_before(&config.folder, config.tag.as_deref(), until)
            .unwrap_or_default()
    }

    /// The last automatic backup made before the first missing account
    /// went: it and older ones may hold every one of them. None with
    /// nothing missing or no backup from before.
    pub fn missing_mark(&self) -> Option<BackupMark> {
        self.backed_up_marks().min_by_key(|mark| mark.order())
    }

    /// Forgets the missing accounts found gone at or before `found_by`
    /// (the newest `since` the user was shown; `None`: all of them), so
    /// that one found meanwhile, which nobody saw, is not forgotten with
    /// them. Older backups can then be pruned again. Refused while the
    /// lock is locked. Returns those forgotten.
    pub fn forget_missing(&mut self, found_by: Option<u64>) -> Result<Vec<MissingEntry>> {
        self.locked_listed(|store| {
            store.current_keys()?;
            let before = store.meta.clone();
            let (kept, forgotten): (Vec<_>, Vec<_>) = std::mem::take(&mut store.meta.missing)
                .into_iter()
                .partition(|m| found_by.is_some_and(|until| m.since > until));
            store.meta.missing = kept;
            if !forgotten.is_empty() {
                if let Err(error) = store.save_meta() {
                    store.meta = before;
                    return Err(error);
                }
            }
            Ok(forgotten)
        })
    }
}
