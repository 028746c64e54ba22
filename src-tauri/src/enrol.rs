//! Adding accounts from QR codes and backups: dropped or picked files
//! (screenshots, or other authenticators' backups), a pasted image or export
//! link, a capture of the screen. Every input feeds the one pending
//! [`Enrolment`] (crates/core decides what each input is) that the UI
//! previews, never with secrets, and the user confirms or discards.

use crate::capture::{self, Capture};
use crate::clipboard::Pasted;
use crate::commands::PreviewView;
use crate::state::{blocking, lock, AppState, IpcError};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use tauri::{AppHandle, Emitter, Manager};
use watchword_core::enrol::{pasted_text, Enrolment, Input, NothingToAdd, PastedText};
use watchword_core::qr::{self, QrError};
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

/// What Ctrl+V found on the clipboard.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum PasteView {
    /// An image or an export link: the preview to confirm.
    Preview(EnrolView),
    /// An otpauth URI or a setup key the user pasted: the add form opens
    /// with it. It is the user's own paste, so it may cross to the webview.
    Text { text: String },
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

fn read_files(paths: &[PathBuf]) -> Vec<Input> {
    paths.iter().map(|path| Input::from_file(path)).collect()
}

/// Handles files dropped on the window: decodes them off the UI thread and
/// tells the UI (`enrol-result`: `{ok: EnrolView}` or `{error: IpcError}`).
pub fn files_dropped(app: &AppHandle, paths: Vec<PathBuf>) {
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        // Locked, the files are not even read.
        let result = refuse_while_locked(&state).and_then(|()| enrol(&state, read_files(&paths)));
        let payload = match result {
            Ok(view) => serde_json::json!({ "ok": view }),
            Err(error) => serde_json::json!({ "error": error }),
        };
        // The window may have closed meanwhile: nothing left to tell.
        let _ = app.emit_to("main", "enrol-result", payload);
    });
}

/// Ctrl+V: an image is scanned, an export link previewed, an otpauth URI or
/// a key handed back for the add form.
#[tauri::command]
pub async fn paste_clipboard(app: AppHandle) -> Result<PasteView, IpcError> {
    blocking(app, |_, state| {
        // Locked: the clipboard is not even read (its text may be a key,
        // which the add form would show over the unlock screen).
        refuse_while_locked(state)?;
        match state
            .clipboard
            .read()
            .map_err(|m| IpcError::new(ErrorCode::Clipboard, m))?
        {
            Pasted::Png(bytes) => {
                let decoded = qr::decode_image(&bytes).map_err(|e| match e {
                    QrError::NoCode => {
                        IpcError::new(e.code(), "No QR code found in the pasted image")
                    }
                    other => IpcError::new(other.code(), other.to_string()),
                });
                let view = enrol(state, vec![Input::image("The pasted image", Ok(decoded?))])?;
                Ok(PasteView::Preview(view))
            }
            Pasted::Image {
                width,
                height,
                rgba,
            } => {
                let decoded = qr::decode_rgba(width, height, &rgba).map_err(|e| match e {
                    QrError::NoCode => {
                        IpcError::new(e.code(), "No QR code found in the pasted image")
                    }
                    other => IpcError::new(other.code(), other.to_string()),
                });
                let view = enrol(state, vec![Input::image("The pasted image", Ok(decoded?))])?;
                Ok(PasteView::Preview(view))
            }
            // Pasted text may be a key or a URI: wiped once handled (the add
            // form gets its own copy).
            Pasted::Text(text) => match pasted_text(&zeroize::Zeroizing::new(text)) {
                PastedText::ExportLink(input) => Ok(PasteView::Preview(enrol(state, vec![input])?)),
                PastedText::ForTheForm(text) => Ok(PasteView::Text { text }),
                PastedText::NotForUs(why) => Err(why.into()),
            },
            Pasted::Nothing => Err(IpcError::new(
                ErrorCode::ClipboardEmpty,
                "The clipboard holds no image or text: copy a screenshot of the QR code first",
            )),
        }
    })
    .await
}

/// "Scan screen": captures every screen with Watchword's own window out of
/// the way, decodes in memory, and previews what it found.
#[tauri::command]
pub async fn scan_screen(app: AppHandle) -> Result<EnrolView, IpcError> {
    blocking(app, |app, state| {
        // Locked, the screen is not captured (nor the unlock screen hidden).
        refuse_while_locked(state)?;
        let window = app.get_webview_window("main");
        if let Some(window) = &window {
            let _ = window.hide();
            // Let the window server unmap it before the capture.
            std::thread::sleep(std::time::Duration::from_millis(300));
        }
        let captures = capture::capture_screens();
        if let Some(window) = &window {
            let _ = window.show();
            let _ = window.set_focus();
        }
        let captures = captures.map_err(|m| IpcError::new(ErrorCode::CaptureFailed, m))?;
        let several = captures.len() > 1;
        let inputs: Vec<(String, Result<Vec<String>, QrError>)> = captures
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let source = if several {
                    format!("Screen {}", i + 1)
                } else {
                    "The screen".to_owned()
                };
                let decoded = match c {
                    Capture::Pixels {
                        width,
                        height,
                        rgba,
                    } => qr::decode_rgba(*width, *height, rgba),
                    Capture::Encoded(bytes) => qr::decode_image(bytes),
                };
                (source, decoded)
            })
            .collect();
        if inputs
            .iter()
            .all(|(_, decoded)| decoded == &Err(QrError::NoCode))
        {
            return Err(IpcError::new(
                ErrorCode::NoQrCode,
                "No QR code found on the screen: show the whole code (not covered by another \
                 window) and scan again",
            ));
        }
        enrol(
            state,
            inputs
                .into_iter()
                .map(|(source, decoded)| Input::image(source, decoded))
                .collect(),
        )
    })
    .await
}

/// A native file dialog (titled `title`, showing only images if asked),
/// then the same as a drop. `None` when the user cancels.
async fn pick_and_enrol(
    app: AppHandle,
    title: &'static str,
    images_only: bool,
) -> Result<Option<EnrolView>, IpcError> {
    use tauri_plugin_dialog::DialogExt;
    blocking(app, move |app, state| {
        // Locked, no dialog opens over the unlock screen and no file is
        // read (the preview would refuse what it holds anyway).
        refuse_while_locked(state)?;
        let mut dialog = app.dialog().file().set_title(title);
        if images_only {
            dialog = dialog.add_filter("Images", &["png", "jpg", "jpeg", "webp", "gif", "bmp"]);
        }
        let Some(picked) = dialog.blocking_pick_files() else {
            return Ok(None);
        };
        let paths: Vec<PathBuf> = picked
            .into_iter()
            .filter_map(|file| file.into_path().ok())
            .collect();
        enrol(state, read_files(&paths)).map(Some)
    })
    .await
}

/// "Open QR code image…".
#[tauri::command]
pub async fn open_images(app: AppHandle) -> Result<Option<EnrolView>, IpcError> {
    pick_and_enrol(app, "Open QR code images", true).await
}

/// "Import from another app…": backups, exports (or screenshots).
#[tauri::command]
pub async fn import_files(app: AppHandle) -> Result<Option<EnrolView>, IpcError> {
    pick_and_enrol(app, "Import from another authenticator", false).await
}

/// "Restore from backup… → Choose a file…": any backup, through the preview.
#[tauri::command]
pub async fn restore_pick(app: AppHandle) -> Result<Option<EnrolView>, IpcError> {
    pick_and_enrol(app, "Restore from a backup", false).await
}

/// The newest automatic backup in the preview, and the newer ones that
/// could not be read (damaged, cut short) with why.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreView {
    preview: EnrolView,
    skipped: Vec<String>,
}

/// How many damaged versions are passed over before giving up: more than
/// that is no accident, and the user can pick a file.
const SKIP_AT_MOST: usize = 5;

/// "Restore from backup… → Restore the newest": the newest automatic backup
/// that reads as a backup goes to the preview, where its password is asked
/// for. A damaged newest one is named and the one before it offered.
#[tauri::command]
pub async fn restore_newest(app: AppHandle) -> Result<RestoreView, IpcError> {
    blocking(app, |_, state| {
        // Locked: said so, not taken for a damaged backup below.
        refuse_while_locked(state)?;
        let (folder, own) =
            state.with_store(|store| Ok((store.auto_backup_folder(), store.auto_backup_tag())))?;
        let folder = folder.ok_or_else(|| {
            IpcError::new(
                ErrorCode::BackupNotSetUp,
                "Automatic backups are off: choose a backup file instead",
            )
        })?;
        let versions =
            watchword_core::store::autobackup::versions_newest_first(&folder, own.as_deref())
                .map_err(|e| {
                    IpcError::new(
                        ErrorCode::BackupFolderMissing,
                        format!("Cannot look in {}: {e}", folder.display()),
                    )
                })?;
        if versions.is_empty() {
            return Err(IpcError::new(
                ErrorCode::NotFound,
                "There is no automatic backup yet: choose a backup file instead",
            ));
        }
        let mut skipped = Vec::new();
        for path in versions.iter().take(SKIP_AT_MOST + 1) {
            let name = path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            let input = match watchword_core::store::autobackup::restorable_input(path) {
                Ok(input) => input,
                Err(why) => {
                    skipped.push(format!("{name}: {why}"));
                    continue;
                }
            };
            match enrol(state, vec![input]) {
                Ok(preview) => return Ok(RestoreView { preview, skipped }),
                Err(error) => skipped.push(format!("{name}: {}", error.message)),
            }
        }
        Err(IpcError::new(
            ErrorCode::DamagedFile,
            format!(
                "The newest backups cannot be read ({}); choose a backup file instead",
                skipped.join("; ")
            ),
        ))
    })
    .await
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
        pending
            .opened(locked, opened)
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
