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
use crate::account::{Account, AccountId, OtpKind};
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
                counter: entry.counter,
                key_check: entry.key_check.clone(),
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
                        && same_as(gone, &e.issuer, &e.name, e.key_check.as_deref())
                })
        });
    }

    /// `account` as it is added: a counter-based account brought back
    /// after its item went, from a backup made before its last codes, goes
    /// on from the counter the list last knew, not from the backup's,
    /// which would give again codes the service has seen (and refuses).
    /// Only the same key: a new one from the service under the same name
    /// starts where the service says, and a counter ahead of the
    /// service's could not be undone (one behind can, by making codes).
    pub(super) fn resumed(&self, mut account: Account) -> Account {
        let OtpKind::Hotp { counter } = account.kind else {
            return account;
        };
        let check = account.key_check();
        let known = self
            .meta
            .missing
            .iter()
            .filter(|gone| gone.key_check.as_deref() == Some(check.as_str()))
            .filter(|gone| same_as(gone, &account.issuer, &account.name, Some(&check)))
            .filter_map(|gone| gone.counter)
            .filter(|&known| believably_ahead(known, counter))
            .max();
        if let Some(known) = known {
            account.kind = OtpKind::Hotp { counter: known };
        }
        account
    }

    /// The highest counter known for the key of `account`, a counter-based
    /// account read from `id`'s item, where that is ahead of its own
    /// (within [`MAX_COUNTER_CATCH_UP`]); else None. Known: in `id`'s
    /// entry, listed or missing, and in missing entries of its name, by
    /// their key check; and in other listed accounts of its name whose
    /// items hold the very same key (`sibling` reads one: its counter if
    /// its key is `account`'s), and their entries.
    ///
    /// An item goes back behind the list when the keychain is restored
    /// from an older copy, or an item that went comes back so, under its
    /// own id or one the list no longer knows: its counter would then give
    /// again codes the service has seen, and refuses. Two items of one key
    /// under one name (one brought back beside a restore of it) share one
    /// counter, as the service does. The item is raised by the next code
    /// or change that writes it, not by a read. A list written before key
    /// checks were kept moves no counter.
    pub(super) fn known_counter(
        &self,
        id: &str,
        account: &Account,
        sibling: impl Fn(&str) -> Option<u64>,
    ) -> Option<u64> {
        let OtpKind::Hotp { counter } = account.kind else {
            return None;
        };
        let check = account.key_check();
        let of_key = |known: Option<u64>, known_check: Option<&str>| {
            known.filter(|_| known_check == Some(check.as_str()))
        };
        // Read for every item of a full read: no string made per entry.
        let named = |issuer: &str, name: &str| {
            same_ignoring_case(issuer, &account.issuer) && same_ignoring_case(name, &account.name)
        };
        let own = self
            .meta
            .accounts
            .iter()
            .filter(|e| e.id == id)
            .map(|e| of_key(e.counter, e.key_check.as_deref()));
        // Another item is read only where its entry's check is this key's:
        // two keys share a check once in 65,536, so the keys are compared.
        let siblings = self
            .meta
            .accounts
            .iter()
            .filter(|e| e.id != id && named(&e.issuer, &e.name))
            .filter(|e| e.key_check.as_deref() == Some(check.as_str()))
            .flat_map(|e| match sibling(&e.id) {
                Some(held) => [Some(held), e.counter],
                None => [None, None],
            });
        let gone = self
            .meta
            .missing
            .iter()
            .filter(|gone| gone.id == id || named(&gone.issuer, &gone.name))
            .map(|gone| of_key(gone.counter, gone.key_check.as_deref()));
        own.chain(siblings)
            .chain(gone)
            .flatten()
            .filter(|&known| believably_ahead(known, counter))
            .max()
    }

    /// Whether an account of `gone`'s issuer and name was added since it
    /// went, with another key (the same one would have settled it): the
    /// service most likely gave a new key, as when two-step verification
    /// is set up again, and the one that went no longer works. Not one
    /// listed all along (two accounts may share a name), nor where a key
    /// check is not known (a list written before they were kept).
    pub fn listed_again(&self, gone: &MissingEntry) -> bool {
        let Some(gone_check) = gone.key_check.as_deref() else {
            return false;
        };
        self.meta.accounts.iter().any(|e| {
            e.added.is_some_and(|added| added >= gone.since)
                && e.key_check
                    .as_deref()
                    .is_some_and(|check| check != gone_check)
                && same_as(gone, &e.issuer, &e.name, None)
        })
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

/// Whether a counter the list knew, `known`, is ahead of an item's,
/// `counter`, by no more than [`MAX_COUNTER_CATCH_UP`].
fn believably_ahead(known: u64, counter: u64) -> bool {
    known > counter && known - counter <= MAX_COUNTER_CATCH_UP
}

/// How far past an item's own counter what the list knows may take it
/// (on a restore from a backup, on every read): people make a few codes
/// between two backups, not thousands. A larger gap comes from a list
/// edited by hand or by another program, and is not followed: a counter
/// far ahead of the service's would make every code wrong.
const MAX_COUNTER_CATCH_UP: u64 = 1_000;

/// Whether a missing account is the one named `issuer` and `name` with the
/// key whose [`Account::key_check`] is `key_check`: the issuer and name the
/// same whatever their case, and the key the same where both checks are
/// known (a list written before they were kept has none).
fn same_as(gone: &MissingEntry, issuer: &str, name: &str, key_check: Option<&str>) -> bool {
    same_ignoring_case(&gone.issuer, issuer)
        && same_ignoring_case(&gone.name, name)
        && match (gone.key_check.as_deref(), key_check) {
            (Some(gone), Some(this)) => gone == this,
            _ => true,
        }
}

/// Whether `a` and `b` are the same whatever their case, folded character
/// by character (so without making either; a little looser than comparing
/// `to_lowercase`, which writes a word-final capital sigma as ς).
fn same_ignoring_case(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

#[cfg(test)]
mod tests {
    use crate::account::{Account, AccountId, Algorithm, OtpKind};
    use crate::otp;
    use crate::secret::Secret;
    use crate::store::keychain::{Keychain, MemoryKeychain};
    use crate::store::metadata::{self, Loaded, Metadata};
    use crate::store::Store;
    use std::path::Path;

    /// A counter-based account of `issuer` whose next code is `counter`'s
    /// (its key is the issuer's, whatever its case).
    fn hotp(issuer: &str, counter: u64) -> Account {
        let key = format!("the key of {:>16}", issuer.to_lowercase());
        Account::new(
            issuer,
            "me@example.com",
            Secret::from_bytes(key.into_bytes()),
            Algorithm::Sha1,
            6,
            OtpKind::Hotp { counter },
        )
        .expect("a valid account")
    }

    fn open(data: &Path, keychain: &MemoryKeychain) -> Store {
        Store::with_keychain(data, Box::new(keychain.clone())).expect("store")
    }

    /// Changes the list file in `data` as a hand or another program would.
    fn edit_list(data: &Path, edit: impl FnOnce(&mut Metadata)) {
        let path = data.join(metadata::FILE_NAME);
        let Loaded::Read(mut meta) = metadata::read(&path).expect("read") else {
            panic!("the list is there");
        };
        edit(&mut meta);
        metadata::write(&path, &meta).expect("written");
    }

    /// Adds `backed_up` as a backup holds it (and a time-based account,
    /// which stays), makes three codes, deletes its item behind the
    /// store's back and returns the store that found it gone, with the
    /// codes made.
    fn made_three_then_lost(
        data: &Path,
        keychain: &MemoryKeychain,
        backed_up: &Account,
    ) -> (Store, Vec<String>) {
        let mut store = open(data, keychain);
        let mut mail = hotp("Mail", 0);
        mail.kind = OtpKind::Totp { period: 30 };
        store.add(mail).expect("added");
        let id = store.add(backed_up.clone()).expect("added");
        let made: Vec<String> = (0..3)
            .map(|_| store.next_code(&id, 0).expect("a code").current)
            .collect();
        keychain.delete(id.as_str()).expect("deleted elsewhere");
        let mut store = open(data, keychain);
        store.load().expect("load");
        (store, made)
    }

    #[test]
    fn a_counter_based_account_brought_back_from_an_older_backup_goes_on_from_its_last_code() {
        let data = tempfile::tempdir().expect("temp dir");
        let keychain = MemoryKeychain::default();
        let backed_up = hotp("Bank", 5);
        let (mut store, made) = made_three_then_lost(data.path(), &keychain, &backed_up);
        assert_eq!(store.missing().len(), 1);
        assert!(
            !store.listed_again(&store.missing()[0]),
            "no other Bank listed"
        );
        assert_eq!(store.missing()[0].counter, Some(8));
        // Brought back from the backup, which still says 5.
        let restored = store.add(backed_up.clone()).expect("restored");
        assert!(store.missing().is_empty(), "settled");
        let next = store.next_code(&restored, 0).expect("a code").current;
        assert!(!made.contains(&next), "{next} was given before: {made:?}");
        assert_eq!(next, otp::code_at(&hotp("Bank", 8), 0).current);
        // The keychain holds it, for the next process.
        let mut reopened = open(data.path(), &keychain);
        reopened.load().expect("load");
        let summary = reopened
            .summaries()
            .into_iter()
            .find(|s| s.issuer == "Bank");
        let id = AccountId::parse(&summary.expect("listed").id).expect("an id");
        assert_eq!(
            reopened.account(&id).expect("read").kind,
            OtpKind::Hotp { counter: 9 }
        );
    }

    #[test]
    fn only_the_same_key_and_a_believable_counter_are_followed() {
        let data = tempfile::tempdir().expect("temp dir");
        let keychain = MemoryKeychain::default();
        let (mut store, _) = made_three_then_lost(data.path(), &keychain, &hotp("Bank", 5));
        // A new key from the service under the same name starts where the
        // service says, and is not taken for the one that went.
        let mut new_key = hotp("Bank", 0);
        new_key.secret = Secret::from_bytes(b"a new key the bank sent".to_vec());
        let new_key = store.add(new_key).expect("added");
        assert_eq!(
            store.account(&new_key).expect("read").kind,
            OtpKind::Hotp { counter: 0 }
        );
        assert_eq!(store.missing().len(), 1, "not settled by another key");
        assert!(store.listed_again(&store.missing()[0]));
        // Another account of the same kind keeps its own counter.
        let other = store.add(hotp("Shop", 2)).expect("added");
        assert_eq!(
            store.account(&other).expect("read").kind,
            OtpKind::Hotp { counter: 2 }
        );
        // A backup ahead of the list is ahead: its counter stands.
        let ahead = store.add(hotp("BANK", 20)).expect("restored");
        assert_eq!(
            store.account(&ahead).expect("read").kind,
            OtpKind::Hotp { counter: 20 }
        );
        assert!(store.missing().is_empty(), "settled by its own key");

        // What the list says is followed only within reason: a counter
        // up to 1,000 codes ahead, and only with the key's check.
        for (counter, check, resumed_at) in [
            (5 + 1_000, Some("same"), 5 + 1_000),
            // Thousands of codes ahead: a list edited by hand or by
            // another program; every code would then be wrong.
            (5 + 1_001, Some("same"), 5),
            // No check known (a list written before they were kept).
            (8, None, 5),
            // One that is no check at all: read as not known.
            (8, Some("ZZZZ"), 5),
        ] {
            let data = tempfile::tempdir().expect("temp dir");
            let keychain = MemoryKeychain::default();
            let (store, _) = made_three_then_lost(data.path(), &keychain, &hotp("Bank", 5));
            drop(store);
            edit_list(data.path(), |meta| {
                meta.missing[0].counter = Some(counter);
                if check != Some("same") {
                    meta.missing[0].key_check = check.map(str::to_owned);
                }
            });
            let mut store = open(data.path(), &keychain);
            let restored = store.add(hotp("Bank", 5)).expect("restored");
            assert_eq!(
                store.account(&restored).expect("read").kind,
                OtpKind::Hotp {
                    counter: resumed_at
                },
                "{counter} {check:?}"
            );
            // Settled all the same: the same name, and no other key known.
            assert!(store.missing().is_empty(), "{counter} {check:?}");
        }
    }

    /// `add` in a process that has read nothing yet (as `watchword-cli
    /// add` runs) finds the account that went among those it reads, rather
    /// than taking it for there still, and goes on from its counter.
    #[test]
    fn an_add_before_any_read_finds_the_account_that_went() {
        let data = tempfile::tempdir().expect("temp dir");
        let keychain = MemoryKeychain::default();
        let backed_up = hotp("Bank", 5);
        let mut store = open(data.path(), &keychain);
        store.add(hotp("Mail", 0)).expect("added");
        let id = store.add(backed_up.clone()).expect("added");
        let made: Vec<String> = (0..3)
            .map(|_| store.next_code(&id, 0).expect("a code").current)
            .collect();
        keychain.delete(id.as_str()).expect("deleted elsewhere");

        let mut store = open(data.path(), &keychain);
        let restored = store.add(backed_up).expect("restored");
        let next = store.next_code(&restored, 0).expect("a code").current;
        assert!(!made.contains(&next), "{next} was given before: {made:?}");
        assert!(store.missing().is_empty(), "{:?}", store.missing());
        let ids: Vec<String> = store.summaries().into_iter().map(|s| s.id).collect();
        assert!(
            !ids.contains(&id.to_string()),
            "the entry that went is gone"
        );
    }

    /// The keychain restored from an older copy (the same items, lower
    /// counters): each process goes on from the counter the list knew,
    /// whether it reads every item (the window) or only the one it needs
    /// (a command line); a gap past what is believable, or another key
    /// under the id, is not followed.
    #[test]
    fn a_keychain_restored_from_an_older_copy_does_not_take_a_counter_back() {
        let data = tempfile::tempdir().expect("temp dir");
        let keychain = MemoryKeychain::default();
        let mut store = open(data.path(), &keychain);
        let id = store.add(hotp("Bank", 5)).expect("added");
        let older = keychain.get(id.as_str()).expect("read").expect("an item");
        let mut made: Vec<String> = (0..3)
            .map(|_| store.next_code(&id, 0).expect("a code").current)
            .collect();
        let restore = || keychain.set(id.as_str(), &older, "Bank").expect("restored");
        restore();

        // Read whole.
        let mut store = open(data.path(), &keychain);
        store.load().expect("load");
        assert_eq!(
            store.account(&id).expect("read").kind,
            OtpKind::Hotp { counter: 8 }
        );
        let next = store.next_code(&id, 0).expect("a code").current;
        assert!(!made.contains(&next), "{next} was given before: {made:?}");
        assert_eq!(next, otp::code_at(&hotp("Bank", 8), 0).current);
        made.push(next);

        // Only its own item read; restored again meanwhile.
        restore();
        let mut store = open(data.path(), &keychain);
        let next = store.next_code(&id, 0).expect("a code").current;
        assert!(!made.contains(&next), "{next} was given before: {made:?}");
        assert_eq!(next, otp::code_at(&hotp("Bank", 9), 0).current);

        // The item was raised by the code: the next process reads it so
        // even without the list.
        std::fs::remove_file(data.path().join(metadata::FILE_NAME)).expect("removed");
        let mut store = open(data.path(), &keychain);
        store.load().expect("load");
        assert_eq!(
            store.account(&id).expect("read").kind,
            OtpKind::Hotp { counter: 10 }
        );

        // Not followed: a list thousands of codes ahead, or another key
        // written under the id by another program.
        for (ahead, other_key) in [(1_001, false), (3, true)] {
            let data = tempfile::tempdir().expect("temp dir");
            let keychain = MemoryKeychain::default();
            let mut store = open(data.path(), &keychain);
            let mut account = hotp("Bank", 5);
            let id = store.add(account.clone()).expect("added");
            drop(store);
            edit_list(data.path(), |meta| {
                meta.accounts[0].counter = Some(5 + ahead)
            });
            if other_key {
                account.secret = Secret::from_bytes(b"another program's key".to_vec());
                let text = crate::store::item::encode(&account).expect("encoded");
                keychain.set(id.as_str(), &text, "Bank").expect("written");
            }
            let mut store = open(data.path(), &keychain);
            store.load().expect("load");
            assert_eq!(
                store.account(&id).expect("read").kind,
                OtpKind::Hotp { counter: 5 },
                "{ahead} {other_key}"
            );
        }
    }

    /// An item that went comes back under its own id from an older copy
    /// of the keychain: it goes on from the counter it had when it went.
    #[test]
    fn an_item_back_from_an_older_copy_goes_on_from_its_last_code() {
        let data = tempfile::tempdir().expect("temp dir");
        let keychain = MemoryKeychain::default();
        let mut store = open(data.path(), &keychain);
        // Not the only one: a keychain holding none is refused, not read.
        store.add(hotp("Mail", 0)).expect("added");
        let id = store.add(hotp("Bank", 5)).expect("added");
        let older = keychain.get(id.as_str()).expect("read").expect("an item");
        let made: Vec<String> = (0..3)
            .map(|_| store.next_code(&id, 0).expect("a code").current)
            .collect();
        keychain.delete(id.as_str()).expect("deleted elsewhere");
        let mut store = open(data.path(), &keychain);
        store.load().expect("load");
        assert_eq!(store.missing().len(), 1);

        keychain.set(id.as_str(), &older, "Bank").expect("back");
        let mut store = open(data.path(), &keychain);
        store.load().expect("load");
        assert!(store.missing().is_empty(), "settled");
        let next = store.next_code(&id, 0).expect("a code").current;
        assert!(!made.contains(&next), "{next} was given before: {made:?}");
        assert_eq!(next, otp::code_at(&hotp("Bank", 8), 0).current);
    }

    /// Two accounts under one name (work and personal, say), one of them
    /// gone: the other, listed all along, is not taken for its new key.
    #[test]
    fn an_account_of_the_same_name_listed_all_along_is_not_listed_again() {
        let data = tempfile::tempdir().expect("temp dir");
        let keychain = MemoryKeychain::default();
        let mut store = open(data.path(), &keychain);
        let mut personal = hotp("Bank", 0);
        personal.secret = Secret::from_bytes(b"the personal account's key".to_vec());
        store.add(personal).expect("added");
        let (store, _) = made_three_then_lost(data.path(), &keychain, &hotp("Bank", 5));
        assert_eq!(store.missing().len(), 1);
        drop(store);
        // Added a while before the other went, or since (a test runs
        // within a second).
        for added_since in [false, true] {
            edit_list(data.path(), |meta| {
                let since = meta.missing[0].since;
                let entry = meta.accounts.iter_mut().find(|e| e.issuer == "Bank");
                entry.expect("the personal one").added =
                    Some(since - 60 + 60 * u64::from(added_since));
            });
            let store = open(data.path(), &keychain);
            assert_eq!(store.listed_again(&store.missing()[0]), added_since);
        }
    }

    /// An older copy of the keychain put back after the account was
    /// brought back under a new id: the old item, under an id the list no
    /// longer knows, goes on from the counter the list knows for its key,
    /// whether that account is missing now or still listed.
    #[test]
    fn an_old_item_back_beside_its_restored_account_goes_on_from_its_counter() {
        for keep_restored in [false, true] {
            let data = tempfile::tempdir().expect("temp dir");
            let keychain = MemoryKeychain::default();
            let mut store = open(data.path(), &keychain);
            store.add(hotp("Mail", 0)).expect("added");
            let old = store.add(hotp("Bank", 5)).expect("added");
            let older = keychain.get(old.as_str()).expect("read").expect("an item");
            let mut made: Vec<String> = (0..3)
                .map(|_| store.next_code(&old, 0).expect("a code").current)
                .collect();
            keychain.delete(old.as_str()).expect("deleted elsewhere");
            let mut store = open(data.path(), &keychain);
            store.load().expect("load");
            let restored = store.add(hotp("Bank", 5)).expect("restored");
            made.push(store.next_code(&restored, 0).expect("a code").current);

            // The older copy: the old item back, the restored one gone
            // (or, put back by another tool, beside it).
            if !keep_restored {
                keychain
                    .delete(restored.as_str())
                    .expect("gone with the copy");
            }
            keychain.set(old.as_str(), &older, "Bank").expect("back");
            let mut store = open(data.path(), &keychain);
            store.load().expect("load");
            assert_eq!(
                store.account(&old).expect("recovered").kind,
                OtpKind::Hotp { counter: 9 },
                "{keep_restored}"
            );
            let next = store.next_code(&old, 0).expect("a code").current;
            assert!(!made.contains(&next), "{next} was given before: {made:?}");
            made.push(next);
            // Both listed: one key, one counter, whichever makes the code,
            // in this process or the next.
            if keep_restored {
                let next = store.next_code(&restored, 0).expect("a code").current;
                assert!(!made.contains(&next), "{next} was given before: {made:?}");
                made.push(next);
                let mut store = open(data.path(), &keychain);
                let next = store.next_code(&old, 0).expect("a code").current;
                assert!(!made.contains(&next), "{next} was given before: {made:?}");
            }
        }
    }

    /// An older copy of an item that was renamed since: found by its id,
    /// whatever name the list now gives it, listed or missing.
    #[test]
    fn an_older_copy_of_a_renamed_item_goes_on_from_its_counter() {
        for gone_meanwhile in [false, true] {
            let data = tempfile::tempdir().expect("temp dir");
            let keychain = MemoryKeychain::default();
            let mut store = open(data.path(), &keychain);
            store.add(hotp("Mail", 0)).expect("added");
            let id = store.add(hotp("Bank", 5)).expect("added");
            let older = keychain.get(id.as_str()).expect("read").expect("an item");
            store
                .rename_parts(&id, Some("Savings"), None)
                .expect("renamed");
            let made: Vec<String> = (0..3)
                .map(|_| store.next_code(&id, 0).expect("a code").current)
                .collect();
            if gone_meanwhile {
                keychain.delete(id.as_str()).expect("deleted elsewhere");
                let mut store = open(data.path(), &keychain);
                store.load().expect("load");
                assert_eq!(store.missing().len(), 1);
            }
            keychain.set(id.as_str(), &older, "Bank").expect("back");
            let mut store = open(data.path(), &keychain);
            store.load().expect("load");
            let next = store.next_code(&id, 0).expect("a code").current;
            assert!(
                !made.contains(&next),
                "{gone_meanwhile}: {next} was given before: {made:?}"
            );
        }
    }

    /// Two accounts under one name whose keys share a key check (once in
    /// 65,536): each keeps its own counter, as their keys differ.
    #[test]
    fn a_key_check_shared_by_another_key_moves_no_counter() {
        let first = hotp("Bank", 0);
        let check = first.key_check();
        let mut second = hotp("Bank", 0);
        second.secret = (0u32..)
            .map(|n| Secret::from_bytes(format!("another key {n:>10}").into_bytes()))
            .find(|key| {
                let mut candidate = hotp("Bank", 0);
                candidate.secret = key.clone();
                candidate.key_check() == check
            })
            .expect("one in 65,536 keys");
        let data = tempfile::tempdir().expect("temp dir");
        let keychain = MemoryKeychain::default();
        let mut store = open(data.path(), &keychain);
        let first = store.add(first).expect("added");
        let second_id = store.add(second.clone()).expect("added");
        for _ in 0..3 {
            store.next_code(&first, 0).expect("a code");
        }
        // Read whole, and one item alone (as a command line reads).
        let mut store = open(data.path(), &keychain);
        store.load().expect("load");
        assert_eq!(
            store.account(&second_id).expect("read").kind,
            OtpKind::Hotp { counter: 0 }
        );
        let mut store = open(data.path(), &keychain);
        assert_eq!(
            store.next_code(&second_id, 0).expect("a code").current,
            otp::code_at(&second, 0).current
        );
    }
}
