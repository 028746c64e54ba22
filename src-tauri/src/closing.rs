//! Closing the window (issue 12): into the tray, as the user chose when
//! asked the first time, or quitting; and starting at login, in the tray.

use crate::state::{AppState, IpcError};
use std::sync::atomic::{AtomicBool, Ordering};
use tauri::{AppHandle, Emitter, Manager};

#[cfg(target_os = "linux")]
use crate::tray::shown as tray_shown;

/// Whether a tray shows Watchword's icon now: there is no tray here yet.
#[cfg(not(target_os = "linux"))]
fn tray_shown() -> bool {
    false
}

/// What closing the window does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnClose {
    /// Hide it: Watchword stays in the tray.
    Hide,
    /// Ask the user, once (the page asks).
    Ask,
    /// Quit Watchword.
    Quit,
}

/// What closing the window does, given the user's choice so far and
/// whether the tray shows the icon (with none, a hidden window could not
/// be found again: closing quits).
pub fn on_close(close_to_tray: Option<bool>, tray_shown: bool) -> OnClose {
    match (tray_shown, close_to_tray) {
        (false, _) | (true, Some(false)) => OnClose::Quit,
        (true, Some(true)) => OnClose::Hide,
        (true, None) => OnClose::Ask,
    }
}

/// The window's close button (or Alt+F4): hides the window into the tray,
/// asks once, or quits, as the user chose. Off the UI thread (the store
/// may be busy).
pub fn window_closed(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        let chosen = state
            .with_store(|store| Ok(store.settings().close_to_tray))
            .unwrap_or(Some(false));
        match on_close(chosen, tray_shown()) {
            OnClose::Hide => hide_windows(&app),
            // Closed again while asking (the page does not answer, or the
            // user means it): quit.
            OnClose::Ask if ASKING.swap(true, Ordering::SeqCst) => app.exit(0),
            OnClose::Ask => {
                let _ = app.emit_to("main", "ask-close-to-tray", ());
            }
            OnClose::Quit => app.exit(0),
        }
    });
}

/// The page is asking whether to keep Watchword in the tray.
static ASKING: AtomicBool = AtomicBool::new(false);

/// The page's question was answered with Cancel: the next close asks again.
#[tauri::command]
pub fn close_question_cancelled() {
    ASKING.store(false, Ordering::SeqCst);
}

fn hide_windows(app: &AppHandle) {
    for window in app.webview_windows().values() {
        let _ = window.hide();
    }
}

/// The answer to "keep Watchword in the tray when its window is closed?":
/// saved, then done (hidden, or quit).
#[tauri::command]
pub async fn answer_close_to_tray(app: AppHandle, keep: bool) -> Result<(), IpcError> {
    crate::state::blocking(app, move |app, state| {
        // Kept for next time when it can be (not while locked, nor with the
        // keychain refusing): the question comes again then, but the
        // answer given is carried out now: "Quit" quits.
        let saved = state.with_store(|store| {
            let mut settings = store.settings().clone();
            settings.close_to_tray = Some(keep);
            Ok(store.set_settings(settings)?)
        });
        if let Err(error) = &saved {
            eprintln!("watchword: the answer was not kept: {}", error.message);
        }
        ASKING.store(false, Ordering::SeqCst);
        // Hidden only into a tray still on screen: a window hidden with
        // none could not be found again.
        if keep && tray_shown() {
            hide_windows(app);
        } else if !keep {
            app.exit(0);
        }
        Ok(())
    })
    .await
}

/// The login entry that starts Watchword in the tray, under the XDG
/// autostart folder (`$XDG_CONFIG_HOME/autostart`, `~/.config/autostart`).
fn autostart_file() -> Option<std::path::PathBuf> {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|dir| !dir.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| std::path::Path::new(&home).join(".config"))
        })?;
    Some(config.join("autostart").join("watchword.desktop"))
}

/// A desktop entry's Exec argument, quoted as the specification asks:
/// in double quotes, with `"`, `` ` ``, `$` and `\` escaped and `%`
/// doubled; then every backslash doubled, as in any string value.
fn exec_quoted(path: &str) -> String {
    let mut quoted = String::from("\"");
    for c in path.chars() {
        match c {
            '"' | '`' | '$' | '\\' => {
                quoted.push('\\');
                quoted.push(c);
            }
            '%' => quoted.push_str("%%"),
            _ => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted.replace('\\', "\\\\")
}

/// Starts Watchword at login, in the tray (or no longer).
pub fn set_start_at_login(start: bool) -> Result<(), IpcError> {
    // The login entry and the tray are Linux's (XDG autostart) so far.
    if start && !cfg!(target_os = "linux") {
        return Err(IpcError::new(
            watchword_core::ErrorCode::InvalidSetting,
            "Starting at login, in the tray, is not available on this system yet",
        ));
    }
    let failed = |error: std::io::Error| {
        IpcError::new(
            watchword_core::ErrorCode::InvalidSetting,
            format!("Watchword could not change what starts at login: {error}"),
        )
    };
    let file = autostart_file().ok_or_else(|| {
        failed(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no home folder",
        ))
    })?;
    if !start {
        return match std::fs::remove_file(&file) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(failed(error)),
            _ => Ok(()),
        };
    }
    let program = login_program(
        std::env::current_exe().map_err(failed)?,
        std::env::var_os("APPIMAGE"),
    );
    // A line break in the path would end the entry's line: refused, as is
    // any other control character (no real installation has one).
    let program = program
        .to_str()
        .filter(|path| !path.chars().any(char::is_control))
        .ok_or_else(|| {
            failed(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "the program's path is not plain text",
            ))
        })?;
    let entry = format!(
        "[Desktop Entry]\nType=Application\nName=Watchword\n\
         Comment=Two-step verification codes, in the tray\n\
         Exec={} {}\nIcon=watchword\nTerminal=false\nX-GNOME-Autostart-enabled=true\n",
        exec_quoted(program),
        crate::links::TRAY
    );
    if let Some(folder) = file.parent() {
        std::fs::create_dir_all(folder).map_err(failed)?;
    }
    // Whole or not at all: a crash while writing in place would leave a
    // broken entry, and nothing would start at the next login.
    watchword_core::export::save_bytes(&file, entry.as_bytes()).map_err(failed)
}

/// The program the login entry starts: this one, unless it runs from an
/// AppImage, whose own path is gone once it quits (it is mounted under
/// /tmp while it runs); the AppImage itself is then started, as its
/// runtime names it in `APPIMAGE`.
fn login_program(
    exe: std::path::PathBuf,
    appimage: Option<std::ffi::OsString>,
) -> std::path::PathBuf {
    match appimage.map(std::path::PathBuf::from) {
        Some(image) if image.is_absolute() => image,
        _ => exe,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_hides_only_into_a_tray_on_screen_and_asks_once() {
        assert_eq!(on_close(None, true), OnClose::Ask);
        assert_eq!(on_close(Some(true), true), OnClose::Hide);
        assert_eq!(on_close(Some(false), true), OnClose::Quit);
        // No tray to come back from: closing quits whatever was chosen.
        assert_eq!(on_close(Some(true), false), OnClose::Quit);
        assert_eq!(on_close(None, false), OnClose::Quit);
    }

    // Found by a second reader: from an AppImage the entry named the
    // program inside its mount, which is gone once it quits.
    #[test]
    fn the_login_entry_starts_the_appimage_itself() {
        let inside = std::path::PathBuf::from("/tmp/.mount_WatchwXYZ/usr/bin/watchword");
        assert_eq!(
            login_program(
                inside.clone(),
                Some("/home/me/Apps/Watchword.AppImage".into())
            ),
            std::path::PathBuf::from("/home/me/Apps/Watchword.AppImage")
        );
        assert_eq!(login_program(inside.clone(), None), inside);
        assert_eq!(login_program(inside.clone(), Some("".into())), inside);
        assert_eq!(
            login_program(inside.clone(), Some("relative".into())),
            inside
        );
    }

    #[test]
    fn the_login_entry_quotes_the_program_path() {
        assert_eq!(exec_quoted("/usr/bin/watchword"), "\"/usr/bin/watchword\"");
        assert_eq!(
            exec_quoted("/home/a b/$x/100%/w\"q"),
            "\"/home/a b/\\\\$x/100%%/w\\\\\"q\""
        );
    }
}
