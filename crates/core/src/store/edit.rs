//! Changes to the accounts and what the list keeps about them: adding
//! (one or a whole import), removing, pins and order, names, notes, groups,
//! settings and the time of the last backup. Each runs under the store's
//! lock after taking in what other processes wrote.

use super::metadata::MetaEntry;
use super::{lock, meta_entry, unix_now, Added, BackupStatus, Settings, Store};
use crate::account::{Account, AccountId, FieldError, Group, Note};
use crate::error::{Error, Result};
use std::collections::HashSet;

impl Store {
    /// Adds an account: the keychain item first, then the metadata, so a crash
    /// in between loses nothing. An account with the same key and issuer is
    /// refused with [`Error::Duplicate`].
    ///
    /// A store that has not loaded everything reads only the items that
    /// could be the same account: those the list names with the same issuer
    /// (for a counter-based one, every counter-based one too).
    /// An item of ours the list does not know could be anything, and makes
    /// it a full load.
    pub fn add(&mut self, account: Account) -> Result<AccountId> {
        let account = account.labelled();
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
    /// into the cache every item that may be the same account as `account`
    /// ([`Account::same_as`]), so that [`Store::add_locked`]'s test sees
    /// them all. Only
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
        // A list written before names were cut may hold one longer.
        let issuer = account.issuer.trim();
        let hotp = account.is_hotp();
        let same_issuer: Vec<AccountId> = self
            .meta
            .accounts
            .iter()
            .filter(|e| {
                crate::account::label(&e.issuer).eq_ignore_ascii_case(issuer)
                    || (hotp && e.kind == "hotp")
            })
            .filter_map(|e| AccountId::parse(&e.id))
            .collect();
        // One of them gone behind Watchword's back: the account may be it,
        // brought back, which must find it missing (to settle it, and to
        // go on from its counter). A full load records it, with its
        // guards against a keychain that only seems empty.
        let present: HashSet<&str> = ids.iter().map(String::as_str).collect();
        if same_issuer.iter().any(|id| !present.contains(id.as_str())) {
            return self.load_locked().map(|_| ());
        }
        for id in &same_issuer {
            self.reread(id)?;
        }
        Ok(())
    }

    fn add_locked(&mut self, account: Account) -> Result<AccountId> {
        self.add_locked_as(account, false).map(|(id, _)| id)
    }

    /// Adds `account`; with `fit`, as an import does, a note that does not
    /// fit the keychain item is cut to the longest beginning that does
    /// (true is returned then) instead of refusing the account.
    fn add_locked_as(&mut self, account: Account, fit: bool) -> Result<(AccountId, bool)> {
        // Whatever built it, the item and the list get one bounded line.
        let mut account = self.resumed(account.labelled());
        if self.accounts.values().any(|a| a.same_as(&account)) {
            return Err(Error::Duplicate(account.display_name()));
        }
        let id = AccountId::random();
        let mut cut = false;
        if fit {
            (account, cut) = self.fitted(&id, account)?;
        }
        self.write_item(&id, &account)?;
        self.meta
            .accounts
            .push(meta_entry(&id, &account, Some(unix_now())));
        self.accounts.insert(id.clone(), account);
        self.note_change();
        self.save_meta()?;
        Ok((id, cut))
    }

    /// `account` with its note cut, at a character, to the longest
    /// beginning whose item fits under `id`; true when it had to be cut.
    fn fitted(&self, id: &AccountId, account: Account) -> Result<(Account, bool)> {
        let too_long = |result: Result<_>| match result {
            Ok(_) => Ok(false),
            Err(Error::Field(FieldError::NoteDoesNotFit { .. })) => Ok(true),
            Err(error) => Err(error),
        };
        let Some(note) = account.note.clone() else {
            return Ok((account, false));
        };
        if !too_long(self.item_with_room(id, &account))? {
            return Ok((account, false));
        }
        let text = note.expose();
        // The ends of the note's characters: a beginning of `k` characters
        // ends at ends[k - 1]. The item grows with the note, so the
        // beginnings that fit come first: the longest is searched for
        // between none (no note always fits) and all (known not to).
        let ends: Vec<usize> = text
            .char_indices()
            .map(|(at, c)| at + c.len_utf8())
            .collect();
        let beginning = |chars: usize| -> Result<Option<Note>> {
            let end = chars.checked_sub(1).map_or(0, |last| ends[last]);
            Ok(Note::new(&text[..end])?)
        };
        let (mut fits, mut over) = (0, ends.len());
        while over - fits > 1 {
            let mid = fits + (over - fits) / 2;
            let probe = account.clone().with_note(beginning(mid)?);
            if too_long(self.item_with_room(id, &probe))? {
                over = mid;
            } else {
                fits = mid;
            }
        }
        let note = beginning(fits)?;
        Ok((account.with_note(note), true))
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
            match self.add_locked_as(account, true) {
                Ok((_, cut)) => {
                    done.added += 1;
                    done.notes_cut += usize::from(cut);
                }
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
            // Locked, nothing changes: not even an item that cannot be
            // opened (damaged), which reading it would not refuse.
            store.current_keys()?;
            if !store.loaded && store.reread(id)?.is_none() {
                return store.remove_gone(id);
            }
            store.remove_locked(id)
        })
    }

    /// Removes a listed account whose item is already gone (deleted with
    /// another tool): what was asked is done, and it is not missing, as it
    /// was meant to go. Not listed: not found.
    fn remove_gone(&mut self, id: &AccountId) -> Result<()> {
        if !self.meta.accounts.iter().any(|e| e.id == id.as_str()) {
            return Err(Error::NotFound(id.to_string()));
        }
        self.unlist(id).map(drop)
    }

    /// Takes `id` off the list and saves it, a backup to come; the list as
    /// it was when the save fails. Returns the list as it was.
    fn unlist(&mut self, id: &AccountId) -> Result<super::metadata::Metadata> {
        let before = self.meta.clone();
        self.meta.accounts.retain(|e| e.id != id.as_str());
        self.note_change();
        if let Err(error) = self.save_meta() {
            self.meta = before;
            return Err(error);
        }
        Ok(before)
    }

    fn remove_locked(&mut self, id: &AccountId) -> Result<()> {
        if !self.accounts.contains_key(id) && !self.damaged.contains_key(id.as_str()) {
            return Err(Error::NotFound(id.to_string()));
        }
        // The list first: stopped between the two (a full disk, a kill),
        // the item is left, and the next load finds it again; never a
        // list naming an item that is gone.
        let before = self.unlist(id)?;
        if let Err(error) = self.keychain.delete(id.as_str()) {
            match self.keychain.get(id.as_str()) {
                // Gone after all (the answer was lost): removed.
                Ok(None) => {}
                // Still there: listed again.
                Ok(Some(_)) => {
                    self.meta = before;
                    self.save_meta_if_possible();
                    return Err(error);
                }
                // Not known: left unlisted; the next load finds the item
                // again if it is there, and a list never names one gone.
                Err(_) => return Err(error),
            }
        }
        self.accounts.remove(id);
        self.damaged.remove(id.as_str());
        Ok(())
    }

    /// The account with this id.
    pub fn account(&mut self, id: &AccountId) -> Result<&Account> {
        self.ensure_loaded()?;
        self.cached(id)
    }

    /// The account with this id as this store last read it.
    pub(super) fn cached(&self, id: &AccountId) -> Result<&Account> {
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

    /// The accounts whose items could not be read when this store last
    /// read them (left out of [`Store::all_accounts`]), named as the list
    /// names them ("Issuer (name)"), or by id when the list does not.
    pub fn unreadable(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .damaged
            .keys()
            .map(|id| {
                self.meta.accounts.iter().find(|e| &e.id == id).map_or_else(
                    || id.clone(),
                    |e| crate::account::display_name(&e.issuer, &e.name),
                )
            })
            .collect();
        names.sort();
        names
    }

    /// With the lock held and everything loaded: [`Store::all_accounts`].
    pub(super) fn fresh_accounts(&mut self) -> Result<Vec<Account>> {
        // Every item read again: another process may have stepped an HOTP
        // counter or changed a note (a recovery code), which only the
        // keychain item says, and a backup or an export must not hold an
        // old one (a backup holding it would pass its check and outlive
        // the good ones). One batched read where the keychain allows.
        self.load_locked()?;
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
                .entry_mut(id.as_str())
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
        self.rename_parts(id, Some(issuer), Some(name))
    }

    /// [`Store::rename`] of only what is given: `None` keeps the issuer or
    /// the name as the keychain holds it when the change is made, so that
    /// renaming one does not put back the other as this process last saw
    /// it (another process may have changed it since).
    pub fn rename_parts(
        &mut self,
        id: &AccountId,
        issuer: Option<&str>,
        name: Option<&str>,
    ) -> Result<()> {
        self.locked(|store| store.rename_locked(id, issuer, name))
    }

    fn rename_locked(
        &mut self,
        id: &AccountId,
        issuer: Option<&str>,
        name: Option<&str>,
    ) -> Result<()> {
        let before = self.fresh_account(id)?;
        let mut account = before.clone();
        if let Some(issuer) = issuer {
            account.issuer = crate::account::label(issuer);
        }
        if let Some(name) = name {
            account.name = crate::account::label(name);
        }
        // Refused when the new name makes it the same as another; two that
        // were the same already (counter-based ones with one key, from
        // before they counted as one) may still be renamed.
        if self
            .accounts
            .iter()
            .any(|(other, a)| other != id && a.same_as(&account) && !a.same_as(&before))
        {
            return Err(Error::Duplicate(account.display_name()));
        }
        self.write_item(id, &account)?;
        if let Some(entry) = self.meta.entry_mut(id.as_str()) {
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
            store.item_with_room(id, &account)?;
            store.write_item(id, &account)?;
            if let Some(entry) = store.meta.entry_mut(id.as_str()) {
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
            // Locked, nothing changes (the list alone would allow it).
            store.current_keys()?;
            let entry = store
                .meta
                .entry_mut(id.as_str())
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
    pub(super) fn apply_groups(&mut self) {
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
}
