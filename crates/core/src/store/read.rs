//! Reading: codes (an HOTP counter steps under the lock, never handing a
//! code out twice), the list checked against the keychain, and search.

use super::keychain::Locations;
use super::metadata::MissingEntry;
use super::{AccountSummary, Store};
use crate::account::{AccountId, OtpKind};
use crate::error::{Error, Result};
use crate::otp::{self, Code};
use std::collections::HashSet;

impl Store {
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
        self.next_code_stored(id, unix_seconds)
            .map(|(code, _)| code)
    }

    /// [`Store::next_code`], with the counter it saved for an HOTP account
    /// (`None` for a time-based one): while the keychain still holds that
    /// counter, no code came after this one.
    pub fn next_code_stored(
        &mut self,
        id: &AccountId,
        unix_seconds: u64,
    ) -> Result<(Code, Option<u64>)> {
        if !self.loaded {
            return self.locked_listed(|store| store.next_code_locked(id, unix_seconds));
        }
        if !matches!(self.account(id)?.kind, OtpKind::Hotp { .. }) {
            return Ok((self.code(id, unix_seconds)?, None));
        }
        self.locked(|store| store.next_code_locked(id, unix_seconds))
    }

    fn next_code_locked(
        &mut self,
        id: &AccountId,
        unix_seconds: u64,
    ) -> Result<(Code, Option<u64>)> {
        let account = self.fresh_account(id)?;
        let OtpKind::Hotp { counter } = account.kind else {
            return Ok((otp::code_at(&account, unix_seconds), None));
        };
        let next = counter
            .checked_add(1)
            .ok_or_else(|| Error::CounterExhausted(account.display_name()))?;
        let mut advanced = account.clone();
        advanced.kind = OtpKind::Hotp { counter: next };
        self.write_counter(id, &advanced)?;
        self.accounts.insert(id.clone(), advanced);
        // The counter is in the backups: a restore must not go back to
        // codes already used. And in the list, for an item that goes
        // before the next backup ([`MissingEntry::counter`]). The counter
        // has stepped in the keychain, so the code is given even if the
        // list cannot be saved (a full disk): refused, each try would use
        // up a code. The backup mark is kept in memory meanwhile.
        if let Some(entry) = self.meta.entry_mut(id.as_str()) {
            entry.counter = Some(next);
        }
        let marked = self.note_change();
        if !self.save_meta_if_possible() && marked {
            self.backup_mark_unsaved = true;
        }
        Ok((otp::code_at(&account, unix_seconds), Some(next)))
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
                store.save_meta_if_possible();
            }
            Ok(())
        })?;
        Ok(self.summaries())
    }

    /// Accounts whose issuer or name contains `query`, ignoring case; an exact
    /// match of the whole issuer, name or "issuer:name" wins over partial ones.
    pub fn find(&self, query: &str) -> Vec<AccountSummary> {
        self.find_matching(query).0
    }

    /// [`Store::find`], and whether they match exactly (not in part).
    pub fn find_matching(&self, query: &str) -> (Vec<AccountSummary>, bool) {
        matching(self.summaries(), query, |s| (&s.issuer, &s.name, &s.id))
    }

    /// The missing accounts ([`Store::missing`]) that `query` names, as
    /// [`Store::find`] matches listed ones, and whether exactly: to say why
    /// a name that was listed finds nothing, or another account in part.
    pub fn find_missing(&self, query: &str) -> (Vec<MissingEntry>, bool) {
        matching(self.missing().to_vec(), query, |m| {
            (&m.issuer, &m.name, &m.id)
        })
    }
}

/// Those of `all` that `query` names, by `fields` (issuer, name, id): an
/// exact issuer, name, "issuer:name" or id if any (true), else every one
/// whose issuer or name holds it (false); none for a blank query.
fn matching<T>(
    all: Vec<T>,
    query: &str,
    fields: impl Fn(&T) -> (&str, &str, &str),
) -> (Vec<T>, bool) {
    let q = query.trim().to_lowercase();
    // Nothing asked, nothing found: a blank query (an unset variable)
    // is not a match for every account, nor for one without a name.
    if q.is_empty() {
        return (Vec::new(), false);
    }
    // "Issuer:name" as typed, or as a list or a message shows it
    // ("Issuer: name"), split at any colon (an issuer or a name may
    // hold one: "Acme:eu:bob" is both Acme:eu's bob and Acme's eu:bob).
    let parts: Vec<(&str, &str)> = q
        .match_indices(':')
        .map(|(at, _)| (q[..at].trim(), q[at + 1..].trim()))
        .collect();
    let lower = |item: &T| {
        let (issuer, name, id) = fields(item);
        (issuer.to_lowercase(), name.to_lowercase(), id == q)
    };
    let exact = |item: &T| {
        let (i, n, id) = lower(item);
        i == q || n == q || parts.contains(&(i.trim(), n.trim())) || id
    };
    if all.iter().any(exact) {
        return (all.into_iter().filter(exact).collect(), true);
    }
    let partly = all
        .into_iter()
        .filter(|item| {
            let (i, n, _) = lower(item);
            i.contains(&q) || n.contains(&q)
        })
        .collect();
    (partly, false)
}
