//! Adding accounts from QR codes and backups: dropped or picked files
//! (screenshots, or other authenticators' backups), a pasted image or export
//! link, a capture of the screen. Every input feeds the one pending
//! [`Enrolment`] (crates/core decides what each input is) that the UI
//! previews, never with secrets, and the user confirms or discards.
//! Where the inputs come from is `sources`; the preview's own commands
//! (a backup's password, Cancel, Add, discard) are here.

pub mod sources;

use crate::commands::PreviewView;
use crate::state::{blocking, lock, AppState, IpcError};
use serde::{Deserialize, Serialize};
use tauri::AppHandle;
use watchword_core::enrol::{Enrolment, Input, NothingToAdd};
use watchword_core::ErrorCode;

impl From<NothingToAdd> for IpcError {
    fn from(nothing: NothingToAdd) -> Self {
        IpcError::new(nothing.code, nothing.message)
    }
}

/// One account found, as the preview shows it: never its secret.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FoundView {
    index: usize,
    /// False when it joined from outside a preview the user was already
    /// looking at: shown unticked ([`Enrolment::asked`]).
    asked: bool,
    /// Ticked for the user: asked for, and not held beside the accounts a
    /// backup was opened to bring back ([`Enrolment::proposed`]).
    proposed: bool,
    #[serde(flatten)]
    account: PreviewView,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteView {
    source: String,
    code: ErrorCode,
    message: String,
}

/// An encrypted backup waiting for its password.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LockedView {
    source: String,
    format: &'static str,
}

/// The pending enrolment.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrolView {
    /// Which enrolment this is: the preview sends it back with its
    /// choices, and keeps the ticks and names edited only within one.
    id: u64,
    found: Vec<FoundView>,
    notes: Vec<NoteView>,
    /// Google Authenticator export parts not added yet, as sentences.
    missing: Vec<String>,
    /// Encrypted backups waiting for a password, the one asked for first.
    locked: Vec<LockedView>,
}

/// The user's decision on one found account, with the names as edited.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Choice {
    index: usize,
    issuer: String,
    name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmView {
    added: usize,
    duplicates: usize,
    /// Cancelled part-way: what was not added waits in the preview.
    stopped: bool,
    /// Accounts whose notes were cut to fit the keychain item.
    notes_cut: usize,
}

/// Feeds `inputs` into the pending enrolment; when none of them holds
/// anything to add, nothing changes and the error says why.
pub fn enrol(state: &AppState, inputs: Vec<Input>) -> Result<EnrolView, IpcError> {
    take_in(state, inputs, Origin::User)
}

/// Who brought accounts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The user, in this window: a drop, a paste, a scan, a file picked.
    User,
    /// Another program: a link or file the desktop handed over, as it
    /// arrived. Into a preview already on screen its accounts join
    /// unticked, and so they do when an adding was under way as they
    /// arrived or began before they got in: they join the preview that
    /// adding leaves.
    Outside(Arrival),
}

/// What was under way as something arrived from outside ([`arrival`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arrival {
    /// An adding was under way.
    pub adding: bool,
    /// Addings begun so far.
    begun: u64,
}

/// Taken as a link arrives, before it waits for anything (the store or
/// the preview, which an adding holds).
pub fn arrival(state: &AppState) -> Arrival {
    use std::sync::atomic::Ordering::SeqCst;
    Arrival {
        begun: state.adds_begun.load(SeqCst),
        adding: state.adding.load(SeqCst) > 0,
    }
}

/// Feeds `inputs` from `origin` into the pending enrolment, as [`enrol`].
pub fn take_in(
    state: &AppState,
    inputs: Vec<Input>,
    origin: Origin,
) -> Result<EnrolView, IpcError> {
    // Held across the check, as locking holds it: no account lands in the
    // preview between the check and a lock.
    let mut pending = lock(&state.enrolment)?;
    // A locked Watchword holds no key: not even one found in a QR code
    // dropped on the lock screen.
    refuse_while_locked(state)?;
    match origin {
        Origin::User => pending.take_in(inputs)?,
        Origin::Outside(arrival) => {
            // An adding under way as it arrived, or begun since: the
            // preview it took from is the one on screen.
            let joining = arrival.adding
                || state.adds_begun.load(std::sync::atomic::Ordering::SeqCst) != arrival.begun;
            pending.take_in_unasked(inputs, joining)?;
        }
    }
    Ok(view(state, &mut pending))
}

/// Refuses while the lock is on and locked. Called with the preview's
/// mutex held, as locking holds it: no key lands in the preview between
/// the check and a lock; and first, without it, by what would otherwise
/// open a dialog, capture the screen or read files before that. When the keychain cannot say whether the lock is
/// on, its error is the answer: nothing is taken in.
pub(crate) fn refuse_while_locked(state: &AppState) -> Result<(), IpcError> {
    let lock_state = state.with_store(|store| Ok(store.lock_state()?))?;
    if lock_state == watchword_core::store::LockState::Locked {
        return Err(locked());
    }
    Ok(())
}

/// What a call refused while locked says.
pub(crate) fn locked() -> IpcError {
    IpcError::new(
        watchword_core::ErrorCode::VaultLocked,
        "Watchword is locked: unlock it first",
    )
}

/// The view of `enrolment` for the page, which shows it when it holds
/// anything ([`Enrolment::shown`]).
fn view(state: &AppState, enrolment: &mut Enrolment) -> EnrolView {
    if !enrolment.is_blank() {
        enrolment.shown();
    }
    let found = enrolment
        .accounts()
        .iter()
        .enumerate()
        .map(|(index, account)| FoundView {
            index,
            asked: enrolment.asked(index),
            proposed: enrolment.proposed(index),
            // A keychain problem must not hide the preview; adding reports it.
            account: PreviewView::of(
                account,
                state
                    .with_store(|store| Ok(store.contains(account)?))
                    .unwrap_or(false),
            ),
        })
        .collect();
    EnrolView {
        id: enrolment.id().get(),
        found,
        notes: enrolment
            .notes()
            .iter()
            .map(|note| NoteView {
                source: note.source.clone(),
                code: note.code,
                message: note.message.clone(),
            })
            .collect(),
        missing: enrolment.missing_parts(),
        locked: enrolment
            .locked()
            .iter()
            .map(|locked| LockedView {
                source: locked.source().to_owned(),
                format: locked.format().name(),
            })
            .collect(),
    }
}

/// Opens the first encrypted backup waiting for a password. A wrong
/// password leaves it waiting ("Wrong password"); any other failure
/// becomes a note and the backup is set aside.
#[tauri::command]
pub async fn unlock_backup(
    app: AppHandle,
    password: String,
    attempt: u32,
) -> Result<EnrolView, IpcError> {
    blocking(app, move |_, state| {
        let password = zeroize::Zeroizing::new(password);
        // Decryption is slow on purpose; the lock is not held meanwhile.
        let locked = lock(&state.enrolment)?.take_locked().ok_or_else(|| {
            IpcError::new(
                ErrorCode::NotFound,
                "No encrypted backup is waiting for a password",
            )
        })?;
        let work = state.preview_work.start(attempt);
        let opened = locked.decrypt_cancellable(&password, work.token());
        drop(work);
        let mut pending = lock(&state.enrolment)?;
        // Watchword may have locked during the decryption (the screen
        // locked, "Lock now", another process) after the last look for a
        // Cancel: the accounts it opened are dropped, not put in the
        // preview. The backup file is untouched; open it again once
        // unlocked.
        refuse_while_locked(state)?;
        // A keychain problem must not hide the preview; adding reports it.
        let stored = |account: &watchword_core::account::Account| {
            state
                .with_store(|store| Ok(store.contains(account)?))
                .unwrap_or(false)
        };
        pending
            .opened_beside(locked, opened, stored)
            .map_err(|error| IpcError::new(error.code(), error.to_string()))?;
        Ok(view(state, &mut pending))
    })
    .await
}

/// The preview's Cancel during its work number `attempt`: an unlock ends
/// with `cancelled` and the backup waits for a password again; adding
/// stops before the next account (what went in stays, the rest wait in
/// the preview).
#[tauri::command]
pub fn cancel_preview_work(state: tauri::State<'_, AppState>, attempt: u32) {
    state.preview_work.cancel(attempt);
}

/// The pending enrolment, e.g. to show it again.
#[tauri::command]
pub async fn pending_enrolment(app: AppHandle) -> Result<EnrolView, IpcError> {
    blocking(app, |_, state| {
        let mut pending = lock(&state.enrolment)?;
        Ok(view(state, &mut pending))
    })
    .await
}

/// Adds the chosen accounts, with their edited names. Accounts already in
/// the store are counted, not added twice. On a keychain failure, or when
/// the user cancels (work number `attempt`), the pending enrolment stays,
/// so adding again adds only what is still missing. `preview` is the
/// enrolment the user chose from ([`EnrolView::id`]) and `seen` the
/// number of accounts it showed: when the pending one is another, nothing
/// is added; accounts that joined it after that view stay.
#[tauri::command]
pub async fn confirm_enrolment(
    app: AppHandle,
    choices: Vec<Choice>,
    attempt: u32,
    preview: u64,
    seen: usize,
) -> Result<ConfirmView, IpcError> {
    blocking(app, move |_, state| {
        // Counted before waiting for the preview, so that a link arriving
        // from then on joins unticked (see [`Origin::Outside`]).
        let _adding = Adding::begin(state);
        let mut pending = lock(&state.enrolment)?;
        if pending.id().get() != preview {
            return Err(changed());
        }
        // The names as edited: added so, and kept so in a preview that
        // stays (a stopped adding), where they are then marked as added.
        let accounts = choices
            .iter()
            .map(|choice| {
                let renamed =
                    pending.rename(choice.index, choice.issuer.trim(), choice.name.trim());
                let account = renamed
                    .then(|| pending.accounts().get(choice.index).cloned())
                    .flatten();
                account.ok_or_else(changed)
            })
            .collect::<Result<Vec<_>, IpcError>>()?;
        let done = state.with_store(|store| {
            let work = state.preview_work.start(attempt);
            let outcome = store.add_all_cancellable(accounts, work.token());
            // Even a partial import is a change to back up.
            crate::autobackup::changed(state);
            outcome.map_err(|(done, error)| {
                let error = IpcError::from(error);
                if done.added == 0 {
                    return error;
                }
                IpcError::new(
                    error.code,
                    format!(
                        "{} of {} accounts were added, then: {}",
                        done.added,
                        choices.len(),
                        error.message
                    ),
                )
            })
        })?;
        let result = ConfirmView {
            added: done.added,
            duplicates: done.already_there,
            stopped: done.stopped,
            notes_cut: done.notes_cut,
        };
        if !done.stopped {
            // Accounts a link brought in after the view the user chose
            // from wait, unticked, in a preview of their own.
            *pending = std::mem::take(&mut *pending).arrived_after(seen);
        }
        Ok(result)
    })
    .await
}

fn changed() -> IpcError {
    IpcError::new(
        ErrorCode::NotFound,
        "The preview changed: look at it again and confirm",
    )
}

/// One adding under way, counted in [`AppState::adding`] while it lasts.
struct Adding<'a>(&'a AppState);

impl<'a> Adding<'a> {
    fn begin(state: &'a AppState) -> Self {
        use std::sync::atomic::Ordering::SeqCst;
        state.adding.fetch_add(1, SeqCst);
        state.adds_begun.fetch_add(1, SeqCst);
        Self(state)
    }
}

impl Drop for Adding<'_> {
    fn drop(&mut self) {
        self.0
            .adding
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Forgets the preview the user closed: enrolment `preview`, of which
/// they saw `seen` accounts. What joined it after (a link opened
/// elsewhere meanwhile) stays, unticked, as after an Add; a pending
/// enrolment that is another one is not the user's to close.
#[tauri::command]
pub async fn discard_enrolment(app: AppHandle, preview: u64, seen: usize) -> Result<(), IpcError> {
    blocking(app, move |_, state| {
        let mut pending = lock(&state.enrolment)?;
        if pending.id().get() == preview {
            *pending = std::mem::take(&mut *pending).closed_after(seen);
        }
        Ok(())
    })
    .await
}
