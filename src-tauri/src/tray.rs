//! The tray (issue 12) on Linux: a StatusNotifierItem, which KDE, GNOME
//! (with its AppIndicator extension), Xfce, Cinnamon, MATE and wlroots'
//! bars show, on X11 and Wayland alike. Its menu lists the pinned accounts
//! and the few copied last: a click copies the code (the next one in the
//! last 2 seconds of the current one) as the window's copy does, with the
//! same clipboard clearing. Then "Show Watchword", "Lock now" (while the
//! lock is on and open) and "Quit".
//!
//! ksni speaks the protocol in Rust over the session bus (the zbus the
//! Secret Service already brings in): no C library to install, none that
//! aborts the app when missing, and nothing runs until the desktop asks.
//!
//! The menu is read from the store when the desktop is about to show it,
//! and again after each copy, lock and change seen from another process.

use crate::state::{lock, AppState, IpcError};
use ksni::blocking::{Handle, TrayMethods};
use ksni::menu::{MenuItem, StandardItem};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use tauri::{AppHandle, Listener, Manager};
use watchword_core::store::LockState;

/// Accounts copied last, listed after the pinned ones.
pub const RECENT: usize = 5;

/// How long a start in the tray (at login) waits for the desktop's panel.
const PANEL_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The running tray, once the session bus took it.
static TRAY: OnceLock<Handle<Tray>> = OnceLock::new();

/// Whether a tray host shows the icon now (a watcher took it and has not
/// gone). Closing the window hides it into the tray only then: with no
/// tray on screen, a hidden window could not be found again.
static SHOWN: AtomicBool = AtomicBool::new(false);

/// Whether the tray icon is on screen.
pub fn shown() -> bool {
    SHOWN.load(Ordering::SeqCst)
}

/// One account in the menu.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    id: String,
    label: String,
}

/// What the menu shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct View {
    entries: Vec<Entry>,
    /// The lock is on and locked: no code can be copied.
    locked: bool,
    /// The lock is on and open: "Lock now" is offered.
    lockable: bool,
}

struct Tray {
    app: AppHandle,
    view: View,
}

impl std::fmt::Debug for Tray {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tray").field("view", &self.view).finish()
    }
}

/// A label as the desktop's menu shows it: an underscore marks the next
/// letter as the access key there, so each one is doubled.
fn menu_label(text: &str) -> String {
    text.replace('_', "__")
}

/// The menu's accounts, and where the lock stands, as the store says now.
fn read_view(state: &AppState) -> Result<View, IpcError> {
    let recent = lock(&state.recent)?.clone();
    state.with_store(|store| view_of(store, &recent))
}

/// [`read_view`], or `None` at once while another operation holds the
/// store: the menu about to show keeps what it had (read after the last
/// change) rather than keep the desktop waiting.
fn try_read_view(state: &AppState) -> Option<Result<View, IpcError>> {
    let recent = match lock(&state.recent) {
        Ok(recent) => recent.clone(),
        Err(error) => return Some(Err(error)),
    };
    state.try_with_store(|store| view_of(store, &recent))
}

fn view_of(store: &mut watchword_core::store::Store, recent: &[String]) -> Result<View, IpcError> {
    let lock_state = store.lock_state()?;
    let locked = lock_state == LockState::Locked;
    let names = !locked || store.settings().names_while_locked;
    let summaries = if names { store.summaries() } else { Vec::new() };
    let pinned = summaries.iter().filter(|s| s.pinned);
    // Which accounts were copied last, in what order, is not a name the
    // lock screen shows: while locked, the pinned ones only.
    let recent = if locked { &[][..] } else { recent };
    let used = recent
        .iter()
        .filter_map(|id| summaries.iter().find(|s| &s.id == id && !s.pinned));
    let entries = pinned
        .chain(used.take(RECENT))
        .map(|s| Entry {
            id: s.id.clone(),
            label: s.display_name(),
        })
        .collect();
    Ok(View {
        entries,
        locked,
        lockable: lock_state == LockState::Unlocked,
    })
}

/// The view to show: when the store cannot say (the keychain refuses),
/// the menu names nothing, as when locked; never the names of before.
fn view_now(app: &AppHandle) -> View {
    read_view(&app.state::<AppState>()).unwrap_or_else(|_| nothing_named())
}

fn nothing_named() -> View {
    View {
        locked: true,
        ..View::default()
    }
}

impl Tray {
    fn refresh(&mut self) {
        self.view = view_now(&self.app);
    }
}

impl ksni::Tray for Tray {
    fn id(&self) -> String {
        "watchword".into()
    }

    fn title(&self) -> String {
        "Watchword".into()
    }

    fn tool_tip(&self) -> ksni::ToolTip {
        ksni::ToolTip {
            title: "Watchword".into(),
            description: if self.view.locked {
                "Locked".into()
            } else {
                "Two-step codes: pick an account to copy its code".into()
            },
            ..Default::default()
        }
    }

    fn icon_pixmap(&self) -> Vec<ksni::Icon> {
        icons().to_vec()
    }

    /// A click on the icon (where the desktop sends one) shows the window.
    fn activate(&mut self, _x: i32, _y: i32) {
        show_window(&self.app);
    }

    fn menu_about_to_show(&mut self) {
        // Never waits on the store from the tray's loop: a busy store (an
        // import, an unlock) would leave the desktop's menu hanging.
        match try_read_view(&self.app.state::<AppState>()) {
            Some(Ok(view)) => self.view = view,
            Some(Err(_)) => self.view = nothing_named(),
            None => {}
        }
    }

    fn menu(&self) -> Vec<MenuItem<Self>> {
        let mut items: Vec<MenuItem<Self>> = Vec::new();
        for entry in &self.view.entries {
            let id = entry.id.clone();
            items.push(
                StandardItem {
                    label: menu_label(&entry.label),
                    activate: Box::new(move |tray: &mut Self| copy(&tray.app, &id)),
                    ..Default::default()
                }
                .into(),
            );
        }
        if self.view.entries.is_empty() && self.view.locked {
            // The names stay behind the lock unless the user chose to see
            // them there; this entry leads to the unlock screen.
            items.push(
                StandardItem {
                    label: "Locked: open Watchword to unlock".into(),
                    activate: Box::new(|tray: &mut Self| show_window(&tray.app)),
                    ..Default::default()
                }
                .into(),
            );
        } else if self.view.entries.is_empty() {
            items.push(
                StandardItem {
                    label: "Pin an account to list it here".into(),
                    enabled: false,
                    ..Default::default()
                }
                .into(),
            );
        }
        items.push(MenuItem::Separator);
        items.push(
            StandardItem {
                label: "Show Watchword".into(),
                activate: Box::new(|tray: &mut Self| show_window(&tray.app)),
                ..Default::default()
            }
            .into(),
        );
        if self.view.lockable {
            items.push(
                StandardItem {
                    label: "Lock now".into(),
                    activate: Box::new(|tray: &mut Self| lock_now(&tray.app)),
                    ..Default::default()
                }
                .into(),
            );
        }
        items.push(
            StandardItem {
                label: "Quit".into(),
                activate: Box::new(|tray: &mut Self| tray.app.exit(0)),
                ..Default::default()
            }
            .into(),
        );
        items
    }

    fn watcher_online(&self) {
        SHOWN.store(true, Ordering::SeqCst);
    }

    /// The tray stays ready for a watcher that comes (back) later: a panel
    /// restarted, or a session whose panel starts after Watchword.
    fn watcher_offline(&self, _reason: ksni::OfflineReason) -> bool {
        SHOWN.store(false, Ordering::SeqCst);
        true
    }
}

/// The icon in the sizes panels ask for, ARGB in network byte order.
fn icons() -> &'static [ksni::Icon] {
    static ICONS: OnceLock<Vec<ksni::Icon>> = OnceLock::new();
    ICONS.get_or_init(|| {
        [
            &include_bytes!("../../icons/32x32.png")[..],
            &include_bytes!("../../icons/128x128.png")[..],
        ]
        .iter()
        .filter_map(|png| image::load_from_memory(png).ok())
        .map(|image| {
            let rgba = image.to_rgba8();
            let (width, height) = rgba.dimensions();
            let data = rgba
                .pixels()
                .flat_map(|p| [p[3], p[0], p[1], p[2]])
                .collect();
            ksni::Icon {
                width: i32::try_from(width).unwrap_or(0),
                height: i32::try_from(height).unwrap_or(0),
                data,
            }
        })
        .collect()
    })
}

fn show_window(app: &AppHandle) {
    crate::links::show_window(app);
}

/// Copies an account's code, off the tray's thread (which must answer the
/// desktop meanwhile). What goes wrong is said in a notification: the
/// menu has no other way to speak.
fn copy(app: &AppHandle, id: &str) {
    let app = app.clone();
    let id = id.to_owned();
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        if let Err(error) = crate::commands::copy_account(&app, &state, &id, true) {
            notify("Watchword could not copy the code", &error.message);
        }
        refresh(&app);
    });
}

fn lock_now(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        if let Err(error) = crate::lock::lock_app(&app) {
            notify("Watchword could not lock", &error.message);
        }
        refresh(&app);
    });
}

/// Reads the menu again (after a copy, a lock, a change elsewhere). Never
/// from a menu's callback, nor with the store held: the update waits for
/// the tray's loop, which may itself wait for the store.
pub fn refresh(app: &AppHandle) {
    let Some(handle) = TRAY.get() else { return };
    let view = view_now(app);
    handle.update(|tray| tray.view = view);
}

/// A desktop notification (org.freedesktop.Notifications), for what the
/// tray has to say. Printed when no notification service answers.
pub fn notify(summary: &str, body: &str) {
    let sent = zbus::blocking::Connection::session().and_then(|connection| {
        let hints: std::collections::HashMap<&str, zbus::zvariant::Value<'_>> =
            std::collections::HashMap::new();
        connection.call_method(
            Some("org.freedesktop.Notifications"),
            "/org/freedesktop/Notifications",
            Some("org.freedesktop.Notifications"),
            "Notify",
            &(
                "Watchword",
                0u32,
                "",
                summary,
                body,
                Vec::<&str>::new(),
                hints,
                -1i32,
            ),
        )
    });
    if sent.is_err() {
        eprintln!("watchword: {summary}: {body}");
    }
}

/// Puts the icon in the tray, off the UI thread. `hidden_start`: the app
/// was started for the tray alone (`--tray`, as at login); when no tray
/// takes the icon, the window is shown instead, or the user could not
/// reach Watchword at all.
pub fn start(app: AppHandle, hidden_start: bool) {
    let spawned = std::thread::Builder::new()
        .name("tray".into())
        .spawn(move || {
            let mut tray = Tray {
                app: app.clone(),
                view: View::default(),
            };
            tray.refresh();
            // Shown until a watcher says otherwise (it says so during
            // spawn when there is none).
            SHOWN.store(true, Ordering::SeqCst);
            match tray.assume_sni_available(true).spawn() {
                Ok(handle) => {
                    let _ = TRAY.set(handle);
                }
                Err(error) => {
                    SHOWN.store(false, Ordering::SeqCst);
                    eprintln!("watchword: no tray icon: {error}");
                }
            }
            if hidden_start {
                // At login the panel may come up after Watchword: its
                // tray is waited for (a few seconds) before the window
                // shows instead.
                let deadline = std::time::Instant::now() + PANEL_WAIT;
                while !shown() && std::time::Instant::now() < deadline {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                if !shown() {
                    show_window(&app);
                }
            }
            // Changes seen from elsewhere: the menu follows.
            for event in ["accounts-changed", "vault-locked", "vault-unlocked"] {
                let told = app.clone();
                app.listen_any(event, move |_| {
                    let told = told.clone();
                    std::thread::spawn(move || refresh(&told));
                });
            }
        });
    if let Err(error) = spawned {
        eprintln!("watchword: no tray icon: {error}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn underscores_are_shown_not_taken_as_access_keys() {
        assert_eq!(menu_label("my_name (a__b)"), "my__name (a____b)");
    }

    #[test]
    fn the_icon_is_argb_in_the_sizes_asked_for() {
        let icons = icons();
        assert_eq!(
            icons
                .iter()
                .map(|i| (i.width, i.height))
                .collect::<Vec<_>>(),
            [(32, 32), (128, 128)]
        );
        for icon in icons {
            assert_eq!(icon.data.len(), (icon.width * icon.height * 4) as usize);
        }
    }
}
