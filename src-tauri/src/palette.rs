//! The quick-copy palette (issue 12): a small, centred, undecorated window
//! with a search field. Type a few letters, Enter copies the code and the
//! palette hides; Esc hides it. `watchword --quick` opens it (any desktop's
//! own shortcut settings can bind that, the way on Wayland) and a second
//! `--quick` while it is open closes it.
//!
//! It is made the first time it is asked for and then only hidden and
//! shown: a launch that never uses it pays nothing for it, and every later
//! opening is a `show`. Hidden, its page runs nothing (no timer; it
//! shows names, not codes).
//!
//! On Linux its page runs in the main window's web process (a WebKit
//! "related view"): WebKit would otherwise launch a web process of its own
//! for it, which is most of the first opening's time and of its memory.
//! What that gives up: both pages are Watchword's own, loading nothing
//! from outside, so a page that could take over its web process (and
//! speak for the other page's window) is already a page that could harm
//! the main window alone; and a crash of that process now blanks both
//! windows, not one. Each page still gets its own IPC handler, scripts and
//! capabilities (by window label).
//!
//! It does not hide when it loses the focus, as some launchers do: without
//! a window manager (or with some) the focus leaves a window just mapped,
//! and a palette that vanished as it appeared would be worse than one
//! that waits for Esc.

use crate::state::{AppState, IpcError};
use tauri::{AppHandle, Emitter, Manager, WebviewUrl, WebviewWindow, WebviewWindowBuilder};
use watchword_core::ErrorCode;

/// The palette window's label (its capability names it too).
pub const LABEL: &str = "palette";

/// Opens the palette, or closes it when it is on screen.
pub fn toggle(app: &AppHandle) {
    // On the main thread, one at a time: the palette is made there (from
    // the main window's webview) and two quick launches must not both
    // make it.
    #[cfg(target_os = "linux")]
    {
        let here = app.clone();
        let _ = app.run_on_main_thread(move || toggle_here(&here));
    }
    #[cfg(not(target_os = "linux"))]
    toggle_here(app);
}

fn toggle_here(app: &AppHandle) {
    match app.get_webview_window(LABEL) {
        Some(window) if window.is_visible().unwrap_or(false) => hide(app),
        Some(window) => show(app, &window),
        None => build(app),
    }
}

/// Opens the palette (on screen already: brought forward).
fn show(app: &AppHandle, window: &WebviewWindow) {
    let _ = window.center();
    let _ = window.show();
    let _ = window.set_focus();
    // The page starts over: an empty search, the list as it is now.
    let _ = app.emit_to(LABEL, "palette-shown", ());
}

fn build(app: &AppHandle) {
    // In the main window's web process (the module's comment says why);
    // on the main thread, so `with_webview` runs at once.
    #[cfg(target_os = "linux")]
    if let Some(main) = app.get_webview_window("main") {
        let here = app.clone();
        let sent = main
            .with_webview(move |webview| made(builder(&here).with_related_view(webview.inner())));
        if sent.is_ok() {
            return;
        }
    }
    made(builder(app));
}

fn builder(app: &AppHandle) -> WebviewWindowBuilder<'_, tauri::Wry, AppHandle> {
    WebviewWindowBuilder::new(app, LABEL, WebviewUrl::App("palette.html".into()))
        .title("Watchword: quick copy")
        .inner_size(420.0, 320.0)
        .resizable(false)
        .decorations(false)
        .always_on_top(true)
        .skip_taskbar(true)
        .center()
        .focused(true)
        .content_protected(crate::commands::windows_protected())
}

fn made(builder: WebviewWindowBuilder<'_, tauri::Wry, AppHandle>) {
    match builder.build() {
        #[cfg(target_os = "linux")]
        Ok(window) => crate::crash::reload_after_a_crash(&window),
        #[cfg(not(target_os = "linux"))]
        Ok(_) => {}
        Err(error) => eprintln!("watchword: cannot open the quick-copy palette: {error}"),
    }
}

/// Hides the palette, if it is there.
pub fn hide(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(LABEL) {
        let _ = window.hide();
        // What was typed ahead of its list goes with it.
        let _ = app.emit_to(LABEL, "palette-hidden", ());
    }
}

/// The page's Esc, and its Enter once the code is copied.
#[tauri::command]
pub fn hide_palette(app: AppHandle) {
    hide(&app);
}

/// "Show Watchword" from the palette (e.g. to unlock): the main window
/// comes forward and the palette goes.
#[tauri::command]
pub fn show_main_window(app: AppHandle) -> Result<(), IpcError> {
    hide(&app);
    let window = app
        .get_webview_window("main")
        .ok_or_else(|| IpcError::new(ErrorCode::Internal, "The main window is gone"))?;
    let _ = window.unminimize();
    let _ = window.show();
    let _ = window.set_focus();
    Ok(())
}

/// Holds `wanted` as the global shortcut instead of the one held now
/// (`None`: none). When the desktop refuses it (another program holds it,
/// or apps cannot grab keys, as on Wayland) the one held before stays and
/// the error says so.
pub fn hold(app: &AppHandle, wanted: Option<&str>) -> Result<(), IpcError> {
    #[cfg(all(unix, not(target_os = "macos")))]
    let held = crate::hotkey_x11::hold(app, wanted);
    #[cfg(any(target_os = "macos", windows))]
    let held = crate::hotkey_plugin::hold(app, wanted);
    held.map_err(|reason| {
        IpcError::new(
            ErrorCode::InvalidSetting,
            format!(
                "{} cannot be used ({reason}): another program may have it, or this desktop lets \
                 no app take keys (then bind watchword --quick in its keyboard settings)",
                wanted.unwrap_or("The shortcut")
            ),
        )
    })
}

/// Takes the shortcut the settings name, once the store is open (off the
/// UI thread; the codes come first), and keeps the windows out of screen
/// capture if codes are hidden. A refused shortcut is only printed: the
/// palette still opens with `watchword --quick`.
pub fn hold_from_settings(app: AppHandle) {
    std::thread::Builder::new()
        .name("palette-shortcut".into())
        .spawn(move || {
            let state = app.state::<AppState>();
            let Ok(settings) = state.with_store(|store| Ok(store.settings().clone())) else {
                return;
            };
            crate::commands::protect_windows(&app, settings.hide_codes);
            if let Err(error) = hold(&app, settings.quick_shortcut.as_deref()) {
                eprintln!("watchword: {}", error.message);
            }
        })
        .expect("the OS starts a thread");
}
