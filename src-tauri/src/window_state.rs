//! The window's size and place, kept by tauri-plugin-window-state. The
//! plugin writes them when the window closes; a killed or crashed app (a
//! forced logout, a power cut) never closes, so they are also written half
//! a second after the user stops moving or resizing the window.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tauri::AppHandle;
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

/// What is remembered: not visibility or decorations, which are the app's.
pub const FLAGS: StateFlags = StateFlags::SIZE
    .union(StateFlags::POSITION)
    .union(StateFlags::MAXIMIZED);

/// Bumped by every move or resize; a save runs only if none came after it.
static LATEST: AtomicU64 = AtomicU64::new(0);

/// Saves the window state once the window has been still for a moment.
pub fn save_soon(app: &AppHandle) {
    let mine = LATEST.fetch_add(1, Ordering::SeqCst) + 1;
    let app = app.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(500));
        if LATEST.load(Ordering::SeqCst) == mine {
            // On the main thread: the plugin holds its cache's lock while it
            // asks the main thread for the window's place, and the main
            // thread takes that lock for every move or resize. From another
            // thread the two waited on each other for ever (seen when a
            // second launch raised the window just as a save began).
            let saver = app.clone();
            // Not worth an error: the next move or the close saves again.
            let _ = app.run_on_main_thread(move || {
                let _ = saver.save_window_state(FLAGS);
            });
        }
    });
}

/// Where the state file lives: beside the account list, so
/// `WATCHWORD_DATA_DIR` moves it too (an absolute path replaces the
/// plugin's default folder).
pub fn file() -> String {
    watchword_core::store::Config::from_env()
        .map(|config| config.data_dir.join("window-state.json"))
        .map_or_else(
            |_| "window-state.json".into(),
            |path| path.display().to_string(),
        )
}
