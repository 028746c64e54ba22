//! Enrolment: everything the user brought in at once (dropped screenshots, a
//! pasted image, a screen scan, a pasted export link) gathered into one list
//! of accounts to preview and confirm.
//!
//! A Google Authenticator export often spans several QR codes; the user adds
//! them one screenshot at a time, so an [`Enrolment`] lives until it is
//! confirmed or discarded and says which parts are still missing. The same
//! account read twice (two screenshots of one code) appears once. Sources
//! that hold no authenticator code become [`Note`]s, never errors that stop
//! the rest. Files are told apart by content ([`Input::from_file`]): a
//! screenshot is decoded, anything else is read as another app's backup, and
//! an encrypted backup waits in the enrolment ([`LockedBackup`]) for its
//! password.

mod input;

pub use input::{pasted_text, Input, LockedBackup, PastedText, Proposal};

use crate::account::Account;
use crate::codes::ErrorCode;
use crate::import::{Conversion, Entries, ImportError};
use crate::limits;
use crate::payload::{self, join_words, BatchTracker, QrPayload};
use crate::qr::QrError;
use input::sentence;
use std::collections::hash_map::RandomState;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};

/// Why what the user brought in adds nothing: one sentence, or one line a
/// source. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct NothingToAdd {
    /// The one source's reason code, or `nothing_found` for several.
    pub code: ErrorCode,
    /// For people; never holds a secret or a payload.
    pub message: String,
}

/// Something the preview should tell the user about one source.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Note {
    /// Where it came from ("screenshot.png", "the clipboard", "screen 1").
    pub source: String,
    /// A stable machine-readable reason for the UI to branch on.
    pub code: ErrorCode,
    /// The sentence for people; never holds a secret or a payload.
    pub message: String,
}

/// Which enrolment a preview shows: each new one (after adding,
/// discarding, a lock) has its own, never reused while the program runs.
/// A choice made on a preview of one enrolment is never applied to
/// another, whose accounts may sit at the same positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EnrolmentId(u64);

impl EnrolmentId {
    /// The number the UI sends back with its choices.
    pub fn get(self) -> u64 {
        self.0
    }
}

impl Default for EnrolmentId {
    fn default() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Self(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// Accounts found so far, with what could not be used.
#[derive(Debug, Default)]
pub struct Enrolment {
    id: EnrolmentId,
    accounts: Vec<Account>,
    /// Positions in `accounts` of those that joined a preview the user was
    /// already looking at, from outside (a link another program opened):
    /// offered, not proposed, so never ticked for the user.
    unasked: HashSet<usize>,
    /// Positions in `accounts` of those a backup opened to bring others
    /// back held beside them ([`Input::proposing`]): offered unticked.
    unproposed: HashSet<usize>,
    /// A view of it went to the user ([`Enrolment::shown`]).
    shown: bool,
    /// Positions in `accounts` by a hash of what makes two accounts the
    /// same (see [`Enrolment::push`]): finding a repeat is a lookup, not a
    /// scan, so thousands of accounts stay quick under the app's lock.
    account_index: HashMap<u64, Vec<usize>>,
    /// Keys the hashes of `account_index` (random per enrolment).
    hasher: RandomState,
    notes: Vec<Note>,
    /// The notes already said, for the same reason.
    note_index: HashSet<Note>,
    batches: BatchTracker,
    /// Encrypted backups, the first brought in asked for first.
    locked: Vec<LockedBackup>,
}

impl Enrolment {
    /// An empty enrolment.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes in everything the user brought in at once, or, when none of it
    /// holds an account, an export part or an encrypted backup, nothing at
    /// all: the enrolment stays as it was and the error says why, in one
    /// sentence rather than a dialog for each file.
    pub fn take_in(&mut self, inputs: Vec<Input>) -> Result<(), NothingToAdd> {
        let mut batch = Enrolment::new();
        for input in inputs {
            batch.add(input);
        }
        if batch.accounts.is_empty() && batch.missing_parts().is_empty() && batch.locked.is_empty()
        {
            return Err(match batch.notes.as_slice() {
                [] => NothingToAdd {
                    code: ErrorCode::NothingFound,
                    message: "Nothing to add was found".into(),
                },
                [one] => NothingToAdd {
                    code: one.code,
                    message: one.message.clone(),
                },
                many => NothingToAdd {
                    code: ErrorCode::NothingFound,
                    message: many
                        .iter()
                        .map(|note| format!("{}: {}", note.source, note.message))
                        .collect::<Vec<_>>()
                        .join("\n"),
                },
            });
        }
        for account in batch.accounts {
            // What the preview held already comes first.
            self.push("This preview", account);
        }
        for note in batch.notes {
            self.note(&note.source, note.code, note.message);
        }
        self.batches.absorb(batch.batches);
        self.locked.extend(batch.locked);
        Ok(())
    }

    fn add(&mut self, input: Input) {
        match input {
            Input::Image { source, decoded } => {
                self.add_decoded(&source, decoded);
            }
            Input::Backup { source, conversion } => {
                self.add_conversion(&source, &conversion);
            }
            Input::Locked(locked) => self.locked.push(locked),
            Input::Unusable(note) => self.note(&note.source, note.code, note.message),
        }
    }

    /// Takes in, as [`Enrolment::take_in`] does, what arrived without the
    /// user asking for it here: a link or file another program opened.
    /// When the preview already holds something, was shown, or `joining`
    /// says one is on screen all the same (an adding under way), its
    /// accounts join unasked ([`Enrolment::asked`]). Into an enrolment
    /// nobody has seen they are the preview's own: opening a link is how
    /// the user brings one in.
    pub fn take_in_unasked(
        &mut self,
        inputs: Vec<Input>,
        joining: bool,
    ) -> Result<(), NothingToAdd> {
        let held = joining
            || self.shown
            || !self.accounts.is_empty()
            || !self.locked.is_empty()
            || !self.batches.is_complete();
        let before = self.accounts.len();
        self.take_in(inputs)?;
        if held {
            self.unasked.extend(before..self.accounts.len());
        }
        Ok(())
    }

    /// False for an account that joined a preview from outside, unasked:
    /// the preview shows it unticked, and keeps it so in every later view
    /// of this enrolment.
    pub fn asked(&self, index: usize) -> bool {
        !self.unasked.contains(&index)
    }

    /// Whether the preview ticks this account for the user: asked for
    /// ([`Enrolment::asked`]), and not one a backup opened to bring others
    /// back held beside them ([`Input::proposing`]).
    pub fn proposed(&self, index: usize) -> bool {
        self.asked(index) && !self.unproposed.contains(&index)
    }

    /// What is left once the first `seen` accounts were dealt with (the
    /// preview's Add or Cancel, which chose among those): a new enrolment
    /// of the accounts that joined after them, unasked, and of what no
    /// choice was made about: encrypted backups waiting for a password, and
    /// which parts of an export are still missing (so that the next part
    /// is not taken for the first). Notes, already read, are dropped.
    pub fn arrived_after(mut self, seen: usize) -> Enrolment {
        let locked = std::mem::take(&mut self.locked);
        let batches = std::mem::take(&mut self.batches);
        let mut rest = self.closed_after(seen);
        rest.locked = locked;
        rest.batches = batches;
        rest
    }

    /// What is left once the user closed the preview after seeing its
    /// first `seen` accounts: only the accounts that joined after them,
    /// unasked. The rest went with the preview.
    pub fn closed_after(self, seen: usize) -> Enrolment {
        let mut rest = Enrolment::new();
        for account in self.accounts.into_iter().skip(seen) {
            if rest.push("This preview", account) {
                rest.unasked.insert(rest.accounts.len() - 1);
            }
        }
        rest
    }

    /// Notes that a view of this enrolment went to the user, so that it
    /// is on screen even while it holds no account (its backup's password
    /// asked for and being tried, or only notes to read): what arrives
    /// from outside then joins unasked.
    pub fn shown(&mut self) {
        self.shown = true;
    }

    /// Nothing at all to show: no account, note, export part or
    /// encrypted backup.
    pub fn is_blank(&self) -> bool {
        self.is_empty() && self.locked.is_empty() && self.batches.is_complete()
    }

    /// This enrolment's own number, which no other has.
    pub fn id(&self) -> EnrolmentId {
        self.id
    }

    /// Encrypted backups waiting for a password, the one to ask for first.
    pub fn locked(&self) -> &[LockedBackup] {
        &self.locked
    }

    /// Takes out the first encrypted backup, to decrypt it without holding
    /// the enrolment; hand the outcome to [`Enrolment::opened`].
    pub fn take_locked(&mut self) -> Option<LockedBackup> {
        (!self.locked.is_empty()).then(|| self.locked.remove(0))
    }

    /// What decrypting `locked` gave: its accounts join the enrolment; a
    /// wrong password or a cancel puts it back first in line and is
    /// returned; any other failure becomes a note about the file.
    pub fn opened(
        &mut self,
        locked: LockedBackup,
        result: Result<Entries, ImportError>,
    ) -> Result<(), ImportError> {
        self.opened_beside(locked, result, |_| false)
    }

    /// [`Enrolment::opened`], where `stored` says which accounts are
    /// stored already (the preview marks them, and they cannot be ticked):
    /// a backup opened to bring some back ([`Input::proposing`]) says how
    /// many others it offers, unticked, not counting those.
    pub fn opened_beside(
        &mut self,
        locked: LockedBackup,
        result: Result<Entries, ImportError>,
        stored: impl Fn(&Account) -> bool,
    ) -> Result<(), ImportError> {
        match result {
            Ok(entries) => {
                let before = self.accounts.len();
                self.add_conversion(&locked.source, &entries.convert());
                if let Some(proposal) = &locked.proposing {
                    self.propose_only(&locked.source, before, proposal, stored);
                }
                Ok(())
            }
            Err(error @ (ImportError::WrongPassword | ImportError::Cancelled)) => {
                self.locked.insert(0, locked);
                Err(error)
            }
            Err(error) => {
                self.note(&locked.source, error.code(), sentence(&error.to_string()));
                Ok(())
            }
        }
    }

    /// Of the accounts from `from` on, just added from `source`, proposes
    /// only those `proposal` names, and none whose key it says was
    /// replaced; the others are offered unticked, and said so when any can
    /// be ticked. None of them named or replaced (renamed since): all
    /// proposed, rather than nothing ticked.
    fn propose_only(
        &mut self,
        source: &str,
        from: usize,
        proposal: &Proposal,
        stored: impl Fn(&Account) -> bool,
    ) {
        let added = from..self.accounts.len();
        let replaced: Vec<usize> = added
            .clone()
            .filter(|&index| {
                let account = &self.accounts[index];
                proposal.replaced(account) && !stored(account)
            })
            .collect();
        let others: Vec<usize> = added
            .clone()
            .filter(|&index| !proposal.names(&self.accounts[index]) && !replaced.contains(&index))
            .collect();
        if others.len() < added.len() {
            let to_tick = others
                .iter()
                .filter(|&&index| !stored(&self.accounts[index]))
                .count();
            if to_tick > 0 {
                let (more, are) = (to_tick, if to_tick == 1 { "is" } else { "are" });
                self.note(
                    source,
                    ErrorCode::OthersNotTicked,
                    if replaced.is_empty() {
                        format!(
                            "Only the accounts that left the keychain are ticked; {more} more \
                             from this backup {are} there to tick."
                        )
                    } else {
                        format!(
                            "Besides the accounts that left the keychain, {more} more from this \
                             backup {are} there to tick."
                        )
                    },
                );
            }
            self.unproposed.extend(others);
        }
        if !replaced.is_empty() {
            let named: Vec<String> = replaced
                .iter()
                .map(|&index| self.accounts[index].display_name())
                .collect();
            let message = if let [one] = named.as_slice() {
                format!(
                    "{one} is not ticked: listed again since with another key. If its service \
                     gave you that new key, the old one no longer works."
                )
            } else {
                format!(
                    "{} are not ticked: listed again since with other keys. If their services \
                     gave you those new keys, the old ones no longer work.",
                    join_words(&named)
                )
            };
            self.note(source, ErrorCode::OthersNotTicked, message);
            self.unproposed.extend(replaced);
        }
    }

    /// Adds what decoding one image gave: its payloads, or why it had none.
    /// Returns how many new accounts it contributed.
    pub fn add_decoded(&mut self, source: &str, decoded: Result<Vec<String>, QrError>) -> usize {
        match decoded {
            Ok(mut payloads) => {
                let added = payloads
                    .iter()
                    .map(|text| self.add_payload(source, text))
                    .sum();
                // A code's text holds its key (a link, a whole export).
                zeroize::Zeroize::zeroize(&mut payloads);
                added
            }
            Err(error) => {
                self.note(source, error.code(), error.to_string());
                0
            }
        }
    }

    /// Adds one payload (a QR code's text or pasted text). Returns how many
    /// new accounts it contributed.
    pub fn add_payload(&mut self, source: &str, text: &str) -> usize {
        match payload::classify(text) {
            QrPayload::Account(Ok(account)) => usize::from(self.push(source, account)),
            QrPayload::Account(Err(error)) => {
                self.note(
                    source,
                    ErrorCode::InvalidOtpauth,
                    format!("This authenticator code cannot be used: {error}."),
                );
                0
            }
            QrPayload::Migration(Ok(batch)) => {
                // A part seen already is not passed over: two different
                // links may claim the same part (hand-made ones that leave
                // out the batch id, or give part 1 of 1 each). Its accounts
                // go through `push`, which keeps one of each, so the same
                // screenshot dropped twice still adds nothing.
                self.batches.add(&batch);
                // A count and the first few, as for a backup: a crafted link
                // of thousands of empty entries must not bury the preview.
                let shown = batch.skipped.len().min(limits::MAX_REPORTED_ENTRY_ERRORS);
                for skipped in &batch.skipped[..shown] {
                    self.note(
                        source,
                        ErrorCode::SkippedEntry,
                        format!("In this export, {skipped}."),
                    );
                }
                let more = batch.skipped.len() - shown;
                if more > 0 {
                    self.note(
                        source,
                        ErrorCode::SkippedEntries,
                        format!(
                            "In this export, {more} more {} skipped ({} of {} entries in all).",
                            if more == 1 {
                                "entry was"
                            } else {
                                "entries were"
                            },
                            batch.skipped.len(),
                            batch.skipped.len() + batch.accounts.len()
                        ),
                    );
                }
                batch
                    .accounts
                    .into_iter()
                    .map(|account| usize::from(self.push(source, account)))
                    .sum()
            }
            QrPayload::Migration(Err(error)) => {
                self.note(
                    source,
                    ErrorCode::InvalidMigration,
                    format!("This Google Authenticator export cannot be read: {error}."),
                );
                0
            }
            QrPayload::NotOtp(kind) => {
                self.note(source, kind.code(), kind.message());
                0
            }
        }
    }

    /// Adds what a backup file held: its accounts, and a note for each
    /// entry that could not be read. Returns how many new accounts it
    /// contributed.
    pub fn add_conversion(&mut self, source: &str, conversion: &Conversion) -> usize {
        // A count and the first few: thousands of broken entries must not
        // bury the preview.
        let (shown, more) = conversion.error_summary();
        for error in shown {
            let entry = match &error.name {
                Some(name) => format!("Entry {} ({name})", error.index + 1),
                None => format!("Entry {}", error.index + 1),
            };
            self.note(
                source,
                ErrorCode::SkippedEntry,
                format!("{entry} was not imported: {}", error.reason),
            );
        }
        if more > 0 {
            self.note(
                source,
                ErrorCode::SkippedEntries,
                format!(
                    "{more} more {} not imported ({} of {} entries in all).",
                    if more == 1 {
                        "entry was"
                    } else {
                        "entries were"
                    },
                    conversion.errors.len(),
                    conversion.errors.len() + conversion.accounts.len()
                ),
            );
        }
        if !conversion.not_kept.is_empty() {
            // One note per file, however many entries hold these.
            self.note(
                source,
                ErrorCode::NotKept,
                format!(
                    "This file also holds {}, which Watchword does not keep.",
                    join_words(&conversion.not_kept)
                ),
            );
        }
        conversion
            .accounts
            .iter()
            .map(|account| usize::from(self.push(source, account.clone())))
            .sum()
    }

    /// Adds a note about a whole source ("this file is damaged: …").
    pub fn add_note(&mut self, source: &str, code: ErrorCode, message: String) {
        self.note(source, code, message);
    }

    /// The accounts found, in the order they were found.
    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    /// Names the account at `index` as the user edited it in the preview:
    /// what it is added as, and what it is compared with from then on.
    /// False when there is no such account.
    pub fn rename(&mut self, index: usize, issuer: &str, name: &str) -> bool {
        let Some(account) = self.accounts.get_mut(index) else {
            return false;
        };
        account.issuer = crate::account::label(issuer);
        account.name = crate::account::label(name);
        true
    }

    /// What could not be used, source by source.
    pub fn notes(&self) -> &[Note] {
        &self.notes
    }

    /// One sentence per Google Authenticator export with parts not seen yet,
    /// counting parts from 1: "Part 2 of 3 of a Google Authenticator export
    /// has not been added yet."
    pub fn missing_parts(&self) -> Vec<String> {
        self.batches
            .incomplete()
            .into_iter()
            .map(|batch| {
                let (missing, count) = batch.missing_in_words();
                let (noun, verb) = if count == 1 {
                    ("Part", "has")
                } else {
                    ("Parts", "have")
                };
                format!(
                    "{noun} {missing} of {} of a Google Authenticator export {verb} not been \
                     added yet: add the other QR codes it showed.",
                    batch.batch_size
                )
            })
            .collect()
    }

    /// Nothing found and nothing to say.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty() && self.notes.is_empty()
    }

    /// Adds `account` unless one with the same key, issuer and name is there
    /// already (the first is kept), or the preview is full
    /// ([`limits::MAX_PREVIEW_ACCOUNTS`]: a note for `source` says so); true
    /// when it was added.
    fn push(&mut self, source: &str, account: Account) -> bool {
        let (secret, issuer, name) = (
            account.secret.expose(),
            account.issuer.trim().to_ascii_lowercase(),
            account.name.trim().to_ascii_lowercase(),
        );
        // The hash covers exactly what the comparison below folds together.
        let hash = self.hasher.hash_one((secret, issuer, name));
        let seen = self.account_index.get(&hash).is_some_and(|positions| {
            positions.iter().any(|&i| {
                let a = &self.accounts[i];
                a.same_as(&account) && a.name.trim().eq_ignore_ascii_case(account.name.trim())
            })
        });
        if seen {
            return false;
        }
        if self.accounts.len() >= limits::MAX_PREVIEW_ACCOUNTS {
            self.note(
                source,
                ErrorCode::PreviewFull,
                format!(
                    "A preview holds {} accounts at most, so the rest were left out: add these, \
                     then bring in what is missing again.",
                    limits::MAX_PREVIEW_ACCOUNTS
                ),
            );
            return false;
        }
        self.account_index
            .entry(hash)
            .or_default()
            .push(self.accounts.len());
        self.accounts.push(account);
        true
    }

    fn note(&mut self, source: &str, code: ErrorCode, message: String) {
        let note = Note {
            source: source.to_owned(),
            code,
            message,
        };
        // The same file dropped twice says the same thing once.
        if self.note_index.insert(note.clone()) {
            self.notes.push(note);
        }
    }
}

#[cfg(test)]
mod tests;
