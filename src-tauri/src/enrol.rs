//! Adding accounts from QR codes: dropped or picked image files, a pasted
//! image or export link, a capture of the screen. Every input feeds one
//! pending [`Enrolment`] that the UI previews (never with secrets) and the
//! user confirms or discards.

use crate::capture::{self, Capture};
use crate::clipboard::Pasted;
use crate::state::{lock, AppState, IpcError};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use tauri::{AppHandle, Emitter, Manager};
use watchword_core::account::OtpKind;
use watchword_core::enrol::Enrolment;
use watchword_core::payload::{self, QrPayload};
use watchword_core::qr::{self, QrError};
use watchword_core::uri;

/// What one input gave: where it came from and its payloads, or why none.
type Decoded = (String, Result<Vec<String>, QrError>);

/// One account found, as the preview shows it: never its secret.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FoundView {
    index: usize,
    issuer: String,
    name: String,
    kind: &'static str,
    algorithm: &'static str,
    digits: u8,
    period: Option<u32>,
    counter: Option<u64>,
    /// Already in the store (same key and issuer): not added again.
    duplicate: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteView {
    source: String,
    code: &'static str,
    message: String,
}

/// The pending enrolment.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrolView {
    found: Vec<FoundView>,
    notes: Vec<NoteView>,
    /// Google Authenticator export parts not added yet, as sentences.
    missing: Vec<String>,
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
}

/// Feeds `inputs` into the pending enrolment, or, when none of them holds
/// an authenticator code, leaves it alone and says why in one message.
pub fn enrol(state: &AppState, inputs: Vec<Decoded>) -> Result<EnrolView, IpcError> {
    let mut trial = Enrolment::new();
    for (source, decoded) in &inputs {
        trial.add_decoded(source, decoded.clone());
    }
    if trial.accounts().is_empty() && trial.missing_parts().is_empty() {
        let message = match trial.notes() {
            [] => "Nothing to add was found".to_owned(),
            [one] => one.message.clone(),
            many => many
                .iter()
                .map(|note| format!("{}: {}", note.source, note.message))
                .collect::<Vec<_>>()
                .join("\n"),
        };
        let code = match trial.notes() {
            [one] => one.code,
            _ => "nothing_found",
        };
        return Err(IpcError::new(code, message));
    }
    let mut pending = lock(&state.enrolment)?;
    for (source, decoded) in inputs {
        pending.add_decoded(&source, decoded);
    }
    Ok(view(state, &pending))
}

fn view(state: &AppState, enrolment: &Enrolment) -> EnrolView {
    let found = enrolment
        .accounts()
        .iter()
        .enumerate()
        .map(|(index, account)| FoundView {
            index,
            issuer: account.issuer.clone(),
            name: account.name.clone(),
            kind: account.kind.name(),
            algorithm: account.algorithm.as_str(),
            digits: account.digits,
            period: account.kind.period(),
            counter: match account.kind {
                OtpKind::Hotp { counter } => Some(counter),
                _ => None,
            },
            // A keychain problem must not hide the preview; adding reports it.
            duplicate: state
                .with_store(|store| Ok(store.contains(account)?))
                .unwrap_or(false),
        })
        .collect();
    EnrolView {
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
    }
}

/// Decodes image files, each on its own; a bad file is a note, not a stop.
pub fn decode_files(paths: &[PathBuf]) -> Vec<Decoded> {
    paths
        .iter()
        .map(|path| {
            let source = path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into(),
            );
            (source, qr::decode_file(path))
        })
        .collect()
}

/// Handles files dropped on the window: decodes them off the UI thread and
/// tells the UI (`enrol-result`: `{ok: EnrolView}` or `{error: IpcError}`).
pub fn files_dropped(app: &AppHandle, paths: Vec<PathBuf>) {
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let result = enrol(&app.state::<AppState>(), decode_files(&paths));
        let payload = match result {
            Ok(view) => serde_json::json!({ "ok": view }),
            Err(error) => serde_json::json!({ "error": error }),
        };
        // The window may have closed meanwhile: nothing left to tell.
        let _ = app.emit_to("main", "enrol-result", payload);
    });
}

async fn blocking<T: Send + 'static>(
    app: AppHandle,
    f: impl FnOnce(&AppHandle, &AppState) -> Result<T, IpcError> + Send + 'static,
) -> Result<T, IpcError> {
    tauri::async_runtime::spawn_blocking(move || f(&app, &app.state::<AppState>()))
        .await
        .map_err(|_| IpcError::new("internal", "A background task stopped unexpectedly"))?
}

/// Ctrl+V: an image is scanned, an export link previewed, an otpauth URI or
/// a key handed back for the add form.
#[tauri::command]
pub async fn paste_clipboard(app: AppHandle) -> Result<PasteView, IpcError> {
    blocking(app, |_, state| {
        match state.clipboard.read().map_err(|m| IpcError::new("clipboard", m))? {
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
                let view = enrol(state, vec![("The pasted image".into(), Ok(decoded?))])?;
                Ok(PasteView::Preview(view))
            }
            Pasted::Text(text) => {
                let trimmed = text.trim();
                match payload::classify(trimmed) {
                    QrPayload::Migration(_) => {
                        let inputs = vec![("The pasted link".into(), Ok(vec![trimmed.to_owned()]))];
                        Ok(PasteView::Preview(enrol(state, inputs)?))
                    }
                    QrPayload::Account(_) => Ok(PasteView::Text {
                        text: trimmed.to_owned(),
                    }),
                    QrPayload::NotOtp(_) if uri::parse_secret(trimmed).is_ok() => {
                        Ok(PasteView::Text {
                            text: trimmed.to_owned(),
                        })
                    }
                    QrPayload::NotOtp(kind) => Err(IpcError::new(
                        "not_otp",
                        format!(
                            "The clipboard holds {}, not a QR code, an otpauth:// link or a setup key.",
                            kind.description()
                        ),
                    )),
                }
            }
            Pasted::Nothing => Err(IpcError::new(
                "clipboard_empty",
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
        let captures = captures.map_err(|m| IpcError::new("capture_failed", m))?;
        let several = captures.len() > 1;
        let inputs: Vec<Decoded> = captures
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
                "no_qr_code",
                "No QR code found on the screen: show the whole code (not covered by another \
                 window) and scan again",
            ));
        }
        enrol(state, inputs)
    })
    .await
}

/// "Open image…": a native file dialog, then the same as a drop. `None`
/// when the user cancels.
#[tauri::command]
pub async fn open_images(app: AppHandle) -> Result<Option<EnrolView>, IpcError> {
    use tauri_plugin_dialog::DialogExt;
    blocking(app, |app, state| {
        let picked = app
            .dialog()
            .file()
            .set_title("Open QR code images")
            .add_filter("Images", &["png", "jpg", "jpeg", "webp", "gif", "bmp"])
            .blocking_pick_files();
        let Some(picked) = picked else {
            return Ok(None);
        };
        let paths: Vec<PathBuf> = picked
            .into_iter()
            .filter_map(|file| file.into_path().ok())
            .collect();
        enrol(state, decode_files(&paths)).map(Some)
    })
    .await
}

/// The pending enrolment, e.g. to show it again.
#[tauri::command]
pub async fn pending_enrolment(app: AppHandle) -> Result<EnrolView, IpcError> {
    blocking(app, |_, state| {
        let pending = lock(&state.enrolment)?;
        Ok(view(state, &pending))
    })
    .await
}

/// Adds the chosen accounts, with their edited names. Accounts already in
/// the store are counted, not added twice. On a keychain failure the pending
/// enrolment stays, so trying again adds only what is still missing.
#[tauri::command]
pub async fn confirm_enrolment(
    app: AppHandle,
    choices: Vec<Choice>,
) -> Result<ConfirmView, IpcError> {
    blocking(app, move |_, state| {
        let mut pending = lock(&state.enrolment)?;
        let mut result = ConfirmView {
            added: 0,
            duplicates: 0,
        };
        for choice in &choices {
            let mut account = pending
                .accounts()
                .get(choice.index)
                .cloned()
                .ok_or_else(|| {
                    IpcError::new(
                        "not_found",
                        "The preview changed: look at it again and confirm",
                    )
                })?;
            account.issuer = choice.issuer.trim().to_owned();
            account.name = choice.name.trim().to_owned();
            match state.with_store(|store| Ok(store.add(account)?)) {
                Ok(_) => result.added += 1,
                Err(error) if error.code == "duplicate" => result.duplicates += 1,
                Err(error) if result.added > 0 => {
                    return Err(IpcError::new(
                        error.code,
                        format!(
                            "{} of {} accounts were added, then: {}",
                            result.added,
                            choices.len(),
                            error.message
                        ),
                    ))
                }
                Err(error) => return Err(error),
            }
        }
        *pending = Enrolment::new();
        Ok(result)
    })
    .await
}

/// Forgets the pending enrolment.
#[tauri::command]
pub async fn discard_enrolment(app: AppHandle) -> Result<(), IpcError> {
    blocking(app, |_, state| {
        *lock(&state.enrolment)? = Enrolment::new();
        Ok(())
    })
    .await
}
