//! The optional lock in the store (issue 11): the cryptography is in
//! [`crate::vault`]; this is which form each keychain item is in, unlocking,
//! and turning the lock on or off or changing its password.
//!
//! The rule: the lock is on exactly while its own keychain item
//! ([`VAULT_ID`]) exists. While it is on, no item is read or written
//! without the vault key, even an item still in plain form: a store that
//! holds no key (or a key the item no longer names, after another process
//! changed the password) gets [`Error::VaultLocked`] and changes nothing.
//!
//! Every transition rewrites the items one at a time, each rewrite a
//! single keychain write, in an order that leaves every account readable
//! whenever it is interrupted:
//! - **on**: the lock's item first, then each item sealed. Items still in
//!   plain form read as they are; the next unlock seals them.
//! - **off**: each item opened and written in plain form, then the lock's
//!   item removed. Until then the password still opens what is sealed;
//!   `lock off` again finishes.
//! - **password**: whatever is not under the current key is sealed under it
//!   first, then a new key is wrapped under the new password with the old
//!   key wrapped under the new one; each item is resealed, then the old key
//!   dropped. An item under the old key opens with the new password.
//!
//! The backup password's item ([`BACKUP_PASSWORD_ID`]) is sealed the same
//! way as the accounts'.

use super::item;
use super::keychain::{BACKUP_PASSWORD_ID, VAULT_ID};
use super::lock;
use super::Store;
use crate::account::{AccountId, FieldError};
use crate::error::{Error, Result};
use crate::vault::{self, KdfParams, Keys, VaultError, VaultKey, VaultRecord};
use serde::Serialize;
use zeroize::Zeroizing;

/// What the lock's item is called in keychain managers.
const VAULT_LABEL: &str = "Watchword: lock (the wrapped vault key)";

/// Where the lock stands for this process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LockState {
    /// No lock: items are in plain form.
    Off,
    /// On, and this process holds no key.
    Locked,
    /// On, and this process holds the key.
    Unlocked,
}

/// What `watchword-cli lock status` tells.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LockStatus {
    /// Off, locked or unlocked.
    pub state: LockState,
    /// Argon2id's cost of the password's wrap, while on.
    pub kdf: Option<KdfParams>,
    /// Items of ours (accounts and the backup password).
    pub items: usize,
    /// Of those, the ones sealed under the current key: all of them once a
    /// transition is complete.
    pub sealed: usize,
    /// A password change not finished yet (some items under the old key).
    pub rekeying: bool,
}

/// The core's error for the vault's.
fn vault_error(error: VaultError) -> Error {
    match error {
        VaultError::WrongPassword => Error::WrongLockPassword,
        other => Error::VaultDamaged(other.to_string()),
    }
}

/// Whether `id` names an item the lock seals: an account's or the backup
/// password's.
fn sealable(id: &str) -> bool {
    id == BACKUP_PASSWORD_ID || AccountId::parse(id).is_some()
}

/// An item's text in the form its reader expects: opened when sealed.
/// `Err` is the reason it is damaged (never its content).
pub(super) fn open_item(
    keys: Option<&Keys>,
    id: &str,
    text: &str,
) -> std::result::Result<Zeroizing<String>, String> {
    if !vault::is_sealed(text) {
        return Ok(Zeroizing::new(text.to_owned()));
    }
    let Some(keys) = keys else {
        return Err("it is sealed by Watchword's lock, which is off".to_owned());
    };
    keys.open(id, text).map_err(|error| match error {
        VaultError::OtherKey(_) => {
            "it is sealed under a vault key the lock no longer has".to_owned()
        }
        other => other.to_string(),
    })
}

impl Store {
    /// Every item the lock seals, with its text (or why it cannot be read
    /// as text): the accounts' and the backup password's. (A keychain's
    /// batched read may leave out items whose id is not an account's.)
    fn sealable_items(&self) -> Result<Vec<(String, Result<String>)>> {
        let (mut items, _) = self.keychain.get_all_located()?;
        items.retain(|(id, _)| sealable(id));
        if !items.iter().any(|(id, _)| id == BACKUP_PASSWORD_ID) {
            if let Some(text) = self.keychain.get(BACKUP_PASSWORD_ID)? {
                items.push((BACKUP_PASSWORD_ID.to_owned(), Ok(text)));
            }
        }
        Ok(items)
    }

    /// The lock's record as the keychain holds it now; `None` while off.
    pub(super) fn vault_record(&self) -> Result<Option<VaultRecord>> {
        match self.keychain.get(VAULT_ID)? {
            None => Ok(None),
            Some(text) => VaultRecord::parse(&Zeroizing::new(text))
                .map(Some)
                .map_err(vault_error),
        }
    }

    /// The keys to read and write items with, given the record: `None`
    /// while the lock is off, [`Error::VaultLocked`] while it is on and this
    /// store holds no key or one the record does not name.
    pub(super) fn keys_for(&self, record: Option<&VaultRecord>) -> Result<Option<&Keys>> {
        match (record, &self.keys) {
            (None, _) => Ok(None),
            (Some(record), Some(keys)) if keys.current.id() == record.id => Ok(Some(keys)),
            (Some(_), _) => Err(Error::VaultLocked),
        }
    }

    /// The keys as the keychain stands now (one read of the lock's item).
    pub(super) fn current_keys(&self) -> Result<Option<&Keys>> {
        let record = self.vault_record_kept()?;
        self.keys_for(record.as_ref())
    }

    /// [`Store::vault_record`], with a record another tool deleted written
    /// back while this store holds its keys ([`Store::put_back_record`]).
    pub(super) fn vault_record_kept(&self) -> Result<Option<VaultRecord>> {
        let record = self.vault_record()?;
        match (&record, &self.keys) {
            (None, Some(keys)) => self.put_back_record(keys),
            _ => Ok(record),
        }
    }

    /// Whether items are sealed under the key of the record this store
    /// held keys from (locked since): with the lock's item gone, that is
    /// the item lost, not the lock turned off. Reads every item, only
    /// while there is such a record.
    pub(super) fn held_record_seals_items(&self) -> Result<bool> {
        let Some(held) = &self.held_record else {
            return Ok(false);
        };
        Ok(self.sealable_items()?.iter().any(|(_, read)| {
            read.as_ref()
                .is_ok_and(|text| vault::sealed_key_id(text) == Some(held.id.as_str()))
        }))
    }

    /// The lock's item gone, yet an item still opens with `keys`: that is
    /// not the lock turned off (which opens every item it can before it
    /// deletes the lock's item) but the item lost, to a keyring manager's
    /// clean-up say. Taken for a turn-off, the keys would be dropped and
    /// every sealed account, the backup password too, never read again. The
    /// record `keys` came from (kept since, even locked: it holds them only
    /// wrapped, as the item did) is written back, and the lock stays on
    /// with its password. `None` when there is nothing to put back.
    fn put_back_record(&self, keys: &Keys) -> Result<Option<VaultRecord>> {
        let Some(held) = self
            .held_record
            .as_ref()
            .filter(|held| held.id == keys.current.id())
        else {
            return Ok(None);
        };
        // Opened, not only marked with the key's id: an item that opens with
        // no key (damaged) stays sealed through a real turn-off.
        let still_sealed = self.sealable_items()?.iter().any(|(id, read)| {
            read.as_ref()
                .is_ok_and(|text| vault::is_sealed(text) && keys.open(id, text).is_ok())
        });
        if !still_sealed {
            return Ok(None);
        }
        self.keychain.set(VAULT_ID, &held.to_text(), VAULT_LABEL)?;
        Ok(Some(held.clone()))
    }

    /// `text` as an item `id` is written now: sealed while the lock is on.
    pub(super) fn item_form(&self, id: &str, text: &str) -> Result<Zeroizing<String>> {
        Ok(match self.current_keys()? {
            Some(keys) => Zeroizing::new(keys.current.seal(id, text)),
            None => Zeroizing::new(text.to_owned()),
        })
    }

    /// Reads an item of secrets that is not an account's (the backup
    /// password), opened when sealed.
    pub(super) fn read_secret_item(&self, id: &str) -> Result<Option<Zeroizing<String>>> {
        let keys = self.current_keys()?;
        let Some(text) = self.keychain.get(id)? else {
            return Ok(None);
        };
        let text = Zeroizing::new(text);
        open_item(keys, id, &text)
            .map(Some)
            .map_err(|reason| Error::DamagedItem {
                id: id.to_owned(),
                reason,
            })
    }

    /// Writes an item of secrets that is not an account's, sealed while the
    /// lock is on.
    pub(super) fn write_secret_item(&self, id: &str, text: &str, label: &str) -> Result<()> {
        let form = self.item_form(id, text)?;
        self.keychain.set(id, &form, label)
    }

    /// Where the lock stands; reads only the lock's item (and, in a window
    /// locked since its lock's item went, every item, to tell that).
    pub fn lock_state(&self) -> Result<LockState> {
        let record = self.vault_record()?;
        // Locked here since the lock's item was lost: still locked, so the
        // unlock screen stays and an unlock puts the item back.
        if record.is_none() && self.keys.is_none() && self.held_record_seals_items()? {
            return Ok(LockState::Locked);
        }
        Ok(match self.keys_for(record.as_ref()) {
            Ok(None) => LockState::Off,
            Ok(Some(_)) => LockState::Unlocked,
            Err(_) => LockState::Locked,
        })
    }

    /// Where the lock stands, and how many items are sealed under the
    /// current key (reads every item, never opening one).
    pub fn lock_status(&self) -> Result<LockStatus> {
        let record = self.vault_record()?;
        let state = self.lock_state()?;
        let ours = self.sealable_items()?;
        let sealed = match &record {
            None => 0,
            Some(record) => ours
                .iter()
                .filter(|(_, read)| {
                    read.as_ref()
                        .is_ok_and(|text| vault::sealed_key_id(text) == Some(record.id.as_str()))
                })
                .count(),
        };
        Ok(LockStatus {
            state,
            kdf: record.as_ref().and_then(|r| {
                r.wraps.iter().find_map(|wrap| match wrap {
                    vault::Wrap::Password { kdf, .. } => Some(*kdf),
                    vault::Wrap::Unknown => None,
                })
            }),
            items: ours.len(),
            sealed,
            rekeying: record.as_ref().is_some_and(|r| r.previous.is_some()),
        })
    }

    /// Unlocks with the lock's password: the keys stay in this store's
    /// memory (wiped by [`Store::lock_now`] or when it is dropped). Finishes
    /// what an interrupted `lock on` or password change left in plain form
    /// or under the old key, when the store is free to.
    pub fn unlock(&mut self, password: &str) -> Result<()> {
        self.unlock_racing(password, |_| {})
    }

    /// [`Store::unlock`], running `meanwhile(try)` between each key
    /// derivation and the check that the lock's item is still the one
    /// derived from (`try` counts them from 0), so that a test can change
    /// the password there, as another process may.
    #[doc(hidden)]
    pub fn unlock_racing(
        &mut self,
        password: &str,
        mut meanwhile: impl FnMut(usize),
    ) -> Result<()> {
        // The lock's item gone after this store held its keys (locked
        // since): the record they came from is tried, and put back below
        // if the password opens it and items are still sealed under it.
        let record = match self.vault_record()? {
            Some(record) => record,
            None => self.held_record.clone().ok_or(Error::LockOff)?,
        };
        // Half a second of Argon2, without the store's lock: another
        // process may change the password or turn the lock off meanwhile.
        // The keys are taken only if they are the lock's keys as it stands
        // after, checked under the store's lock (every change of the lock's
        // item holds it), so an old password never unlocks a new lock.
        let mut keys = record.unlock(password).map_err(vault_error)?;
        let mut changes = 0;
        loop {
            meanwhile(changes);
            let record = {
                let _lock = self.lock(lock::WAIT)?;
                let record = match self.vault_record()? {
                    Some(record) => record,
                    None => self.put_back_record(&keys)?.ok_or(Error::LockOff)?,
                };
                if record.id == keys.current.id() {
                    // Keys taken afresh: what was said before them is not
                    // about them.
                    self.lock_call.answer();
                    self.locked_elsewhere = false;
                    self.keys = Some(keys);
                    self.held_record = Some(record);
                    break;
                }
                record
            };
            changes += 1;
            if changes > 3 {
                // Changed again at each try: another process is busy with it.
                return Err(Error::LockKeptChanging);
            }
            keys = record.unlock(password).map_err(vault_error)?;
        }
        // Best effort: the next unlock tries again.
        let _ = self.locked_listed(|store| store.reseal_all());
        Ok(())
    }

    /// True while this store holds the vault key in memory (the lock is on
    /// and was opened here). Asks nothing of the keychain, so that what
    /// locks on a signal (the screen locking) cannot be stopped by a
    /// keychain that is busy or locked itself.
    pub fn holds_vault_key(&self) -> bool {
        self.keys.is_some()
    }

    /// Locks: forgets the keys and every account read (their keys and notes
    /// are wiped from memory as they are dropped). The list's names stay.
    pub fn lock_now(&mut self) {
        self.lock_call.answer();
        self.keys = None;
        // `held_record` stays: it holds the keys only wrapped under the
        // password, as the lock's item does, and an unlock puts it back
        // should the item be lost meanwhile.
        self.accounts.clear();
        self.loaded = false;
    }

    /// Turns the lock on with `password`, the vault key wrapped at the cost
    /// `kdf`, and seals every item. Slow (one key derivation and a write
    /// per item): call it off the UI thread.
    pub fn turn_lock_on(&mut self, password: &str, kdf: KdfParams) -> Result<()> {
        if password.is_empty() {
            return Err(Error::EmptyLockPassword);
        }
        self.locked_listed(|store| {
            if store.vault_record()?.is_some() {
                return Err(Error::LockAlreadyOn);
            }
            // Every item must still fit its keychain item once sealed
            // (a third longer): refused before anything changes.
            let probe = VaultKey::random();
            let items = store.sealable_items()?;
            // Sealed with no lock on: its item was deleted by another
            // program, and a new lock would leave them under a key no
            // record names, for good (and a window holding that key, which
            // would put the old lock back, would find a new one and drop it).
            let sealed = items
                .iter()
                .filter(|(_, read)| read.as_ref().is_ok_and(|text| vault::is_sealed(text)))
                .count();
            if sealed > 0 {
                return Err(Error::SealedByLostLock(sealed));
            }
            for (id, read) in items {
                let Ok(text) = read else { continue };
                let text = Zeroizing::new(text);
                let units = probe.seal(&id, &text).len();
                if !vault::is_sealed(&text) && units > crate::limits::MAX_ITEM_UTF16_UNITS {
                    let account = item::decode(&text).map_or(id, |a| a.display_name());
                    return Err(FieldError::NoteDoesNotFit { account, units }.into());
                }
            }
            let key = VaultKey::random();
            let record = VaultRecord::new(&key, password, kdf).map_err(vault_error)?;
            store
                .keychain
                .set(VAULT_ID, &record.to_text(), VAULT_LABEL)?;
            // Told at once, not only once every item is sealed: a window
            // holding the accounts in plain form (the lock was off) looks
            // at the record and locks, even if this process goes no further.
            store.save_meta_if_possible();
            // Keys taken afresh: a lock asked for before them is not theirs
            // (the asker locks after, if it still should).
            store.lock_call.answer();
            store.locked_elsewhere = false;
            store.keys = Some(Keys {
                current: key,
                previous: None,
            });
            store.held_record = Some(record);
            store.reseal_all()?;
            store.touch()
        })
    }

    /// Turns the lock off: every item is written in plain form again, then
    /// the lock's item goes. The password is asked even when unlocked.
    pub fn turn_lock_off(&mut self, password: &str) -> Result<()> {
        self.unlock_if_the_list_needs_it(password)?;
        self.locked_listed(|store| {
            let record = store.vault_record()?.ok_or(Error::LockOff)?;
            let keys = record.unlock(password).map_err(vault_error)?;
            let items = store.sealable_items()?;
            for (id, read) in items {
                let Ok(text) = read else { continue };
                let text = Zeroizing::new(text);
                if !sealable(&id) || !vault::is_sealed(&text) {
                    continue;
                }
                // One that does not open with either key could not be read
                // with the lock on either: it stays as it is.
                let Ok(plain) = keys.open(&id, &text) else {
                    continue;
                };
                store.keychain.set(&id, &plain, &label_of(&id, &plain))?;
            }
            store.keychain.delete(VAULT_ID)?;
            store.keys = None;
            store.held_record = None;
            store.touch()
        })
    }

    /// Changes the lock's password (the old one is asked even when
    /// unlocked): a new vault key, every item resealed under it.
    pub fn change_lock_password(&mut self, old: &str, new: &str, kdf: KdfParams) -> Result<()> {
        if new.is_empty() {
            return Err(Error::EmptyLockPassword);
        }
        self.unlock_if_the_list_needs_it(old)?;
        self.locked_listed(|store| {
            let record = store.vault_record()?.ok_or(Error::LockOff)?;
            store.keys = Some(record.unlock(old).map_err(vault_error)?);
            // Everything under the current key first, and nothing older
            // kept: the record below keeps one previous key only.
            store.reseal_all()?;
            let keys = store.keys.take().expect("unlocked above");
            let next = VaultKey::random();
            let written = VaultRecord::rekeyed(&keys, &next, new, kdf)
                .map_err(vault_error)
                .and_then(|rekeyed| {
                    store
                        .keychain
                        .set(VAULT_ID, &rekeyed.to_text(), VAULT_LABEL)?;
                    Ok(rekeyed)
                });
            let rekeyed = match written {
                Ok(rekeyed) => rekeyed,
                Err(err) => {
                    // The keys stay held, as the accounts are: without them the
                    // window would read as locked to the screen and idle locks,
                    // which would then not lock it. Should the record have been
                    // written after all, it still opens every item (it keeps
                    // these keys as the previous ones), and the next look at it
                    // finds it changed and locks.
                    store.keys = Some(keys);
                    return Err(err);
                }
            };
            store.keys = Some(Keys {
                current: next,
                previous: Some(keys.current),
            });
            store.held_record = Some(rekeyed);
            store.reseal_all()?;
            store.touch()
        })
    }

    /// Before a lock command that is given the password: when the list
    /// must be rebuilt from the keychain (`accounts.json` missing or
    /// damaged), reading the items needs the keys, so the store is unlocked
    /// with that password first. Otherwise nothing is derived here.
    fn unlock_if_the_list_needs_it(&mut self, password: &str) -> Result<()> {
        if self.keys.is_some() {
            return Ok(());
        }
        match self.locked_listed(|_| Ok(())) {
            Err(Error::VaultLocked) => self.unlock(password),
            other => other,
        }
    }

    /// Rewrites the metadata file as it is: other processes watching it
    /// (an open window) look again and find the lock changed.
    fn touch(&mut self) -> Result<()> {
        self.save_meta()
    }

    /// With the store's lock held and the keys in hand: seals every item
    /// that is in plain form or under the previous key with the current
    /// key, then drops the previous key from the record.
    fn reseal_all(&mut self) -> Result<()> {
        let record = self.vault_record()?.ok_or(Error::LockOff)?;
        let keys = self.keys_for(Some(&record))?.expect("the lock is on");
        let items = self.sealable_items()?;
        for (id, read) in items {
            let Ok(text) = read else { continue };
            let text = Zeroizing::new(text);
            if !sealable(&id) || vault::sealed_key_id(&text) == Some(keys.current.id()) {
                continue;
            }
            // One that does not open stays as it is: reported as damaged
            // when read, never overwritten.
            let Ok(plain) = open_item(Some(keys), &id, &text) else {
                continue;
            };
            let sealed = keys.current.seal(&id, &plain);
            self.keychain.set(&id, &sealed, &label_of(&id, &plain))?;
        }
        if record.previous.is_some() {
            let settled = VaultRecord {
                previous: None,
                ..record
            };
            self.keychain
                .set(VAULT_ID, &settled.to_text(), VAULT_LABEL)?;
            if let Some(keys) = &mut self.keys {
                keys.previous = None;
            }
        }
        Ok(())
    }
}

/// The keychain label an item is written with, as [`Store`] writes it.
fn label_of(id: &str, plain: &str) -> String {
    if id == BACKUP_PASSWORD_ID {
        return super::autobackup::PASSWORD_LABEL.to_owned();
    }
    match item::decode(plain) {
        Ok(account) => super::item_label(&account),
        Err(_) => "Watchword account".to_owned(),
    }
}
