//! The user's preferences, and keeping windows out of screen capture while
//! codes are hidden.

use crate::state::{blocking, IpcError};
use std::sync::atomic::{AtomicBool, Ordering};
use tauri::{AppHandle, Manager};
use watchword_core::store::Settings;
use watchword_core::ErrorCode;

/// The user's preferences.
#[tauri::command]
pub async fn get_settings(app: AppHandle) -> Result<Settings, IpcError> {
    blocking(app, |_, state| {
        state.with_store(|store| Ok(store.settings().clone()))
    })
    .await
}

/// Whether the windows are kept out of screen capture now.
static PROTECTED: AtomicBool = AtomicBool::new(false);

/// While "Hide codes" is on (for screen sharing), every window is kept out
/// of screen capture and screen sharing where the system offers that
/// (Windows and macOS; X11 and Wayland have no such thing, and there the
/// hidden codes are the protection).
pub fn protect_windows(app: &AppHandle, protect: bool) {
    PROTECTED.store(protect, Ordering::SeqCst);
    for window in app.webview_windows().values() {
        let _ = window.set_content_protected(protect);
    }
}

/// Whether a window made now must be kept out of screen capture.
pub fn windows_protected() -> bool {
    PROTECTED.load(Ordering::SeqCst)
}

/// Saves the user's preferences; an out-of-range value changes nothing.
#[tauri::command]
pub async fn set_settings(app: AppHandle, settings: Settings) -> Result<Settings, IpcError> {
    blocking(app, move |app, state| {
        state.with_store(|store| {
            // Checked as the store checks it first: an invalid one must not
            // reach the desktop, and one the desktop refuses is not saved.
            settings
                .validate()
                .map_err(|message| IpcError::new(ErrorCode::InvalidSetting, message))?;
            // Only a changed shortcut is taken: one the desktop refused
            // at start (a Wayland session) must not stop other changes.
            let before = store.settings().quick_shortcut.clone();
            let changed = before != settings.quick_shortcut;
            if changed {
                crate::palette::hold(app, settings.quick_shortcut.as_deref())?;
            }
            let start_in_tray = settings.start_in_tray;
            let start_changed = store.settings().start_in_tray != start_in_tray;
            let undo_shortcut = || {
                if changed {
                    let _ = crate::palette::hold(app, before.as_deref());
                }
            };
            if start_changed {
                crate::closing::set_start_at_login(start_in_tray)
                    .inspect_err(|_| undo_shortcut())?;
            }
            if let Err(error) = store.set_settings(settings) {
                // Not saved: what is held and written is what is saved.
                undo_shortcut();
                if start_changed {
                    let _ = crate::closing::set_start_at_login(!start_in_tray);
                }
                return Err(error.into());
            }
            protect_windows(app, store.settings().hide_codes);
            // The minutes without use may have changed: looked at again.
            state.idle.look_again();
            Ok(store.settings().clone())
        })
    })
    .await
}
