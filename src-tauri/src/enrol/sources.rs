//! Where the preview's inputs come from: files dropped or picked, the
//! clipboard, a capture of the screen, and the newest automatic backup.
//! Each is refused while Watchword is locked, before anything is read.

use super::{enrol, refuse_while_locked, EnrolView};
use crate::capture::{self, Capture};
use crate::clipboard::Pasted;
use crate::state::{blocking, AppState, IpcError};
use serde::Serialize;
use std::path::PathBuf;
use tauri::{AppHandle, Emitter, Manager};
use watchword_core::enrol::{pasted_text, Input, PastedText, Proposal};
use watchword_core::qr::{self, QrError};
use watchword_core::ErrorCode;

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
            Pasted::Png(bytes) => pasted_image(state, qr::decode_image(&bytes)),
            Pasted::Image {
                width,
                height,
                rgba,
            } => pasted_image(state, qr::decode_rgba(width, height, &rgba)),
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

/// A pasted image's codes in the preview; one with none is refused.
fn pasted_image(
    state: &AppState,
    decoded: Result<Vec<String>, QrError>,
) -> Result<PasteView, IpcError> {
    let decoded = decoded.map_err(|e| match e {
        QrError::NoCode => IpcError::new(e.code(), "No QR code found in the pasted image"),
        other => IpcError::new(other.code(), other.to_string()),
    })?;
    let view = enrol(state, vec![Input::image("The pasted image", Ok(decoded))])?;
    Ok(PasteView::Preview(view))
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
        first_readable(state, &versions, None)
    })
    .await
}

/// "Restore…" beside accounts that left the keychain behind Watchword's
/// back: the newest automatic backup made before they went, through the
/// preview, where only they are ticked (the rest of the backup is offered
/// unticked, and accounts already here are marked). One listed again since
/// with another key is not ticked either: if its service gave that new
/// key, the old one no longer works. A damaged backup is named and the one
/// before it offered.
#[tauri::command]
pub async fn restore_missing(app: AppHandle) -> Result<RestoreView, IpcError> {
    blocking(app, |_, state| {
        refuse_while_locked(state)?;
        let (versions, proposal) = state.with_store(|store| {
            let mut proposal = Proposal::default();
            for gone in store.missing() {
                proposal
                    .names
                    .push((gone.issuer.clone(), gone.name.clone()));
                if let Some(check) = gone.key_check.as_ref().filter(|_| store.listed_again(gone)) {
                    proposal.replaced_keys.push(check.clone());
                }
            }
            Ok((store.backups_before_missing(), proposal))
        })?;
        if versions.is_empty() {
            return Err(IpcError::new(
                ErrorCode::NotFound,
                "No automatic backup was made before they went: choose a backup file instead",
            ));
        }
        first_readable(state, &versions, Some(&proposal))
    })
    .await
}

/// The first of `versions` that reads as a backup, in the preview (only
/// the accounts `proposing` names ticked, when given), and the ones before
/// it that did not, with why.
fn first_readable(
    state: &crate::state::AppState,
    versions: &[std::path::PathBuf],
    proposing: Option<&Proposal>,
) -> Result<RestoreView, IpcError> {
    {
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
            let input = match proposing {
                Some(proposal) => input.proposing(proposal.clone()),
                None => input,
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
    }
}
