//! Auto-lock when the screen locks or the computer goes to sleep (issue
//! 11): the desktop's screen saver says so on the session bus
//! (org.freedesktop.ScreenSaver, and GNOME's own name for it), logind on
//! the system bus (a session's Lock, the manager's PrepareForSleep). Each
//! locks Watchword when its lock is on, and the page shows the unlock
//! screen. A bus that is not there (no system bus in a container) is
//! passed over.

use crate::state::AppState;
use futures_util::StreamExt;
use tauri::{AppHandle, Emitter, Manager};
use zbus::message::Type;
use zbus::{Connection, MatchRule, MessageStream};

/// Listens on both buses for as long as the app runs.
pub fn watch(app: AppHandle) {
    let session = app.clone();
    spawn("screen-lock", move || {
        zbus::block_on(async {
            if let Ok(conn) = Connection::session().await {
                let rules = [
                    ("org.freedesktop.ScreenSaver", "ActiveChanged"),
                    ("org.gnome.ScreenSaver", "ActiveChanged"),
                ];
                listen(&conn, &rules, &session).await;
            }
        });
    });
    spawn("logind-lock", move || {
        zbus::block_on(async {
            if let Ok(conn) = Connection::system().await {
                let rules = [
                    ("org.freedesktop.login1.Session", "Lock"),
                    ("org.freedesktop.login1.Manager", "PrepareForSleep"),
                ];
                listen(&conn, &rules, &app).await;
            }
        });
    });
}

fn spawn(name: &str, work: impl FnOnce() + Send + 'static) {
    // A thread that cannot start only costs this convenience.
    let _ = std::thread::Builder::new().name(name.into()).spawn(work);
}

/// Locks on every signal of `rules` that means "locking now": a screen
/// saver turning on, a session's Lock, sleep about to begin.
async fn listen(conn: &Connection, rules: &[(&str, &str)], app: &AppHandle) {
    let mut streams = Vec::new();
    for (interface, member) in rules {
        let Ok(builder) = MatchRule::builder()
            .msg_type(Type::Signal)
            .interface(*interface)
        else {
            continue;
        };
        let Ok(builder) = builder.member(*member) else {
            continue;
        };
        if let Ok(stream) = MessageStream::for_match_rule(builder.build(), conn, Some(8)).await {
            streams.push(stream);
        }
    }
    let mut all = futures_util::stream::select_all(streams);
    while let Some(message) = all.next().await {
        let Ok(message) = message else { continue };
        let member = message.header().member().map(|m| m.to_string());
        // Lock takes no argument; the others say whether it is starting.
        let starting = match member.as_deref() {
            Some("Lock") => true,
            _ => message.body().deserialize::<bool>().unwrap_or(false),
        };
        if starting {
            lock(app);
        }
    }
}

/// Locks Watchword if it holds the vault key, and tells the page. What it
/// holds is known without the keychain: one that is busy, or locks with
/// the screen, must not leave the key in memory (a failed look-up once
/// counted as "not unlocked").
fn lock(app: &AppHandle) {
    let state = app.state::<AppState>();
    // A poisoned store lock says nothing either way: lock.
    let unlocked = state
        .with_store(|store| Ok(store.holds_vault_key()))
        .unwrap_or(true);
    if unlocked && crate::lock::lock_state(&state).is_ok() {
        let _ = app.emit("vault-locked", ());
    }
}
