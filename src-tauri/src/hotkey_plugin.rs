//! The palette's global shortcut on macOS and Windows (issue 12), through
//! Tauri's global-shortcut plugin. (On X11, hotkey_x11.rs grabs the key
//! itself: the plugin's thread polls twenty times a second.)

use std::sync::Mutex;
use tauri::{AppHandle, Manager};
use tauri_plugin_global_shortcut::{GlobalShortcutExt, Shortcut, ShortcutState};

/// The global shortcut held now, as the settings spell it.
#[derive(Debug, Default)]
pub struct Held(Mutex<Option<(String, Shortcut)>>);

/// The plugin, opening or closing the palette when the shortcut is pressed.
pub fn plugin() -> tauri::plugin::TauriPlugin<tauri::Wry> {
    tauri_plugin_global_shortcut::Builder::new()
        .with_handler(|app, _shortcut, event| {
            if event.state == ShortcutState::Pressed {
                crate::palette::toggle(app);
            }
        })
        .build()
}

/// Holds `wanted` instead of the shortcut held now (`None`: none); when
/// the system refuses it, the one held before stays.
pub fn hold(app: &AppHandle, wanted: Option<&str>) -> Result<(), String> {
    let state = app.state::<Held>();
    let mut held = state
        .0
        .lock()
        .map_err(|_| "the shortcut's state was lost".to_owned())?;
    if held.as_ref().map(|(text, _)| text.as_str()) == wanted {
        return Ok(());
    }
    let new = match wanted {
        None => None,
        Some(text) => Some((
            text.to_owned(),
            text.parse::<Shortcut>()
                .map_err(|_| format!("{text} is not a shortcut"))?,
        )),
    };
    let shortcuts = app.global_shortcut();
    if let Some((_, old)) = held.as_ref() {
        let _ = shortcuts.unregister(*old);
    }
    if let Some((_, shortcut)) = &new {
        if let Err(error) = shortcuts.register(*shortcut) {
            if let Some((_, old)) = held.as_ref() {
                let _ = shortcuts.register(*old);
            }
            return Err(error.to_string());
        }
    }
    *held = new;
    Ok(())
}
