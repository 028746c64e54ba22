//! Auto-lock when the screen locks or the computer goes to sleep (issue
//! 11). Desktops say so in different ways, and Watchword listens for each:
//!
//! - on the session bus, a screen saver's ActiveChanged(true): the
//!   freedesktop name (KDE, light-locker and others), GNOME's, Cinnamon's,
//!   MATE's and Xfce's own;
//! - on the system bus, logind: this session's Lock (`loginctl
//!   lock-session`), this session's LockedHint turning true (set by the
//!   screen lockers that do not use a screen-saver name), and the
//!   manager's PrepareForSleep(true).
//!
//! Each locks Watchword when its lock is on, and the page shows the unlock
//! screen. "This session" is the one logind names for `auto` (the caller's,
//! or the user's graphical one); if logind cannot say, every session's
//! signals are taken, which can only lock more often. A bus that is not
//! there (no system bus in a container) is passed over.

use crate::state::AppState;
use futures_util::StreamExt;
use std::collections::HashMap;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager};
use zbus::message::Type;
use zbus::zvariant::{ObjectPath, OwnedObjectPath, OwnedValue};
use zbus::{Connection, MatchRule, Message, MessageStream};

/// The interfaces of the screen savers that say ActiveChanged.
const SCREEN_SAVERS: [&str; 5] = [
    "org.freedesktop.ScreenSaver",
    "org.gnome.ScreenSaver",
    "org.cinnamon.ScreenSaver",
    "org.mate.ScreenSaver",
    "org.xfce.ScreenSaver",
];
const LOGIND: &str = "org.freedesktop.login1";
const LOGIND_PATH: &str = "/org/freedesktop/login1";
const LOGIND_MANAGER: &str = "org.freedesktop.login1.Manager";
const LOGIND_SESSION: &str = "org.freedesktop.login1.Session";
const PROPERTIES: &str = "org.freedesktop.DBus.Properties";
/// How long logind may take to name this session before every session's
/// signals are taken instead.
const ASK_LOGIND_FOR: Duration = Duration::from_secs(5);

/// Listens on both buses for as long as the app runs.
pub fn watch(app: AppHandle) {
    let session = app.clone();
    spawn("screen-lock", move || {
        zbus::block_on(async {
            if let Ok(conn) = Connection::session().await {
                listen(&conn, session_bus_rules(), &session).await;
            }
        });
    });
    spawn("logind-lock", move || {
        zbus::block_on(async {
            let Ok(builder) = zbus::connection::Builder::system() else {
                return;
            };
            if let Ok(conn) = builder.method_timeout(ASK_LOGIND_FOR).build().await {
                let own = own_session(&conn).await;
                let path = own.as_ref().map(|p| p.as_ref());
                listen(&conn, system_bus_rules(path), &app).await;
            }
        });
    });
}

fn spawn(name: &str, work: impl FnOnce() + Send + 'static) {
    // A thread that cannot start only costs this convenience.
    let _ = std::thread::Builder::new().name(name.into()).spawn(work);
}

/// The path of this session's object in logind, when logind can say.
async fn own_session(conn: &Connection) -> Option<OwnedObjectPath> {
    let reply = conn
        .call_method(
            Some(LOGIND),
            LOGIND_PATH,
            Some(LOGIND_MANAGER),
            "GetSession",
            &("auto",),
        )
        .await
        .ok()?;
    reply.body().deserialize::<OwnedObjectPath>().ok()
}

/// What to hear on the session bus: every screen saver's ActiveChanged.
fn session_bus_rules() -> Vec<MatchRule<'static>> {
    SCREEN_SAVERS
        .iter()
        .filter_map(|interface| rule(interface, "ActiveChanged", None, None))
        .collect()
}

/// What to hear on the system bus: the session's Lock and its properties
/// changing (only this session's when its path is known), and the
/// manager's PrepareForSleep.
fn system_bus_rules(session: Option<ObjectPath<'_>>) -> Vec<MatchRule<'static>> {
    let session = session.as_ref();
    [
        rule(LOGIND_SESSION, "Lock", session, None),
        rule(
            PROPERTIES,
            "PropertiesChanged",
            session,
            Some(LOGIND_SESSION),
        ),
        rule(LOGIND_MANAGER, "PrepareForSleep", None, None),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A signal's rule: its interface and member, and if given the object
/// that sends it and its first argument.
fn rule(
    interface: &str,
    member: &str,
    path: Option<&ObjectPath<'_>>,
    arg0: Option<&str>,
) -> Option<MatchRule<'static>> {
    let mut builder = MatchRule::builder()
        .msg_type(Type::Signal)
        .interface(interface.to_owned())
        .ok()?
        .member(member.to_owned())
        .ok()?;
    if let Some(path) = path {
        builder = builder.path(path.to_owned()).ok()?;
    }
    if let Some(arg0) = arg0 {
        builder = builder.arg(0, arg0.to_owned()).ok()?;
    }
    Some(builder.build().into_owned())
}

/// Locks on every signal of `rules` that means "locking now".
async fn listen(conn: &Connection, rules: Vec<MatchRule<'static>>, app: &AppHandle) {
    let mut streams = Vec::new();
    for rule in rules {
        if let Ok(stream) = MessageStream::for_match_rule(rule, conn, Some(8)).await {
            streams.push(stream);
        }
    }
    let mut all = futures_util::stream::select_all(streams);
    while let Some(message) = all.next().await {
        if message.is_ok_and(|m| means_locking(&m)) {
            lock(app);
        }
    }
}

/// Whether a signal the rules let through says the screen is locking: a
/// screen saver turning on, a session's Lock, its LockedHint becoming
/// true, sleep about to begin. Anything malformed says nothing.
fn means_locking(message: &Message) -> bool {
    let header = message.header();
    let (Some(interface), Some(member)) = (header.interface(), header.member()) else {
        return false;
    };
    let body = message.body();
    match (interface.as_str(), member.as_str()) {
        (LOGIND_SESSION, "Lock") => true,
        (LOGIND_MANAGER, "PrepareForSleep") => body.deserialize::<bool>().unwrap_or(false),
        (PROPERTIES, "PropertiesChanged") => {
            let Ok((of, changed, _)) =
                body.deserialize::<(String, HashMap<String, OwnedValue>, Vec<String>)>()
            else {
                return false;
            };
            of == LOGIND_SESSION
                && changed
                    .get("LockedHint")
                    .and_then(|hint| bool::try_from(hint).ok())
                    .unwrap_or(false)
        }
        (saver, "ActiveChanged") if SCREEN_SAVERS.contains(&saver) => {
            body.deserialize::<bool>().unwrap_or(false)
        }
        _ => false,
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

#[cfg(test)]
mod tests {
    use super::*;
    use zbus::zvariant::Value;

    const OURS: &str = "/org/freedesktop/login1/session/_32";
    const THEIRS: &str = "/org/freedesktop/login1/session/c7";

    fn signal<B>(path: &str, interface: &str, member: &str, body: &B) -> Message
    where
        B: serde::Serialize + zbus::zvariant::DynamicType,
    {
        Message::signal(path, interface, member)
            .expect("a signal")
            .build(body)
            .expect("a body")
    }

    fn hint(path: &str, of: &str, locked: bool) -> Message {
        let changed = HashMap::from([("LockedHint", Value::from(locked))]);
        signal(
            path,
            PROPERTIES,
            "PropertiesChanged",
            &(of, changed, Vec::<&str>::new()),
        )
    }

    /// Whether the rules let the message through and it means locking,
    /// as `listen` decides.
    fn locks(rules: &[MatchRule<'_>], message: &Message) -> bool {
        rules.iter().any(|r| r.matches(message).expect("a rule")) && means_locking(message)
    }

    #[test]
    fn every_screen_saver_turning_on_locks_and_turning_off_does_not() {
        let rules = session_bus_rules();
        for saver in SCREEN_SAVERS {
            let path = format!("/{}", saver.replace('.', "/"));
            assert!(
                locks(&rules, &signal(&path, saver, "ActiveChanged", &true)),
                "{saver}"
            );
            assert!(
                !locks(&rules, &signal(&path, saver, "ActiveChanged", &false)),
                "{saver}"
            );
            // Another member, or a body that is not a boolean: nothing.
            assert!(
                !locks(&rules, &signal(&path, saver, "WakeUpScreen", &())),
                "{saver}"
            );
            assert!(
                !locks(&rules, &signal(&path, saver, "ActiveChanged", &"yes")),
                "{saver}"
            );
        }
        let other = signal("/org/kde/Other", "org.kde.Other", "ActiveChanged", &true);
        assert!(!locks(&rules, &other));
    }

    #[test]
    fn logind_locks_for_this_session_only_when_it_is_known() {
        let ours = ObjectPath::try_from(OURS).expect("a path");
        let rules = system_bus_rules(Some(ours));
        assert!(locks(&rules, &signal(OURS, LOGIND_SESSION, "Lock", &())));
        assert!(!locks(&rules, &signal(THEIRS, LOGIND_SESSION, "Lock", &())));
        assert!(!locks(&rules, &signal(OURS, LOGIND_SESSION, "Unlock", &())));
        assert!(locks(&rules, &hint(OURS, LOGIND_SESSION, true)));
        assert!(!locks(&rules, &hint(OURS, LOGIND_SESSION, false)));
        assert!(!locks(&rules, &hint(THEIRS, LOGIND_SESSION, true)));
        // The same property name on another interface says nothing.
        assert!(!locks(&rules, &hint(OURS, "org.example.Other", true)));
        let other_change = HashMap::from([("Active", Value::from(true))]);
        let active = (LOGIND_SESSION, other_change, Vec::<&str>::new());
        assert!(!locks(
            &rules,
            &signal(OURS, PROPERTIES, "PropertiesChanged", &active)
        ));
        let sleep =
            |starting: bool| signal(LOGIND_PATH, LOGIND_MANAGER, "PrepareForSleep", &starting);
        assert!(locks(&rules, &sleep(true)));
        assert!(!locks(&rules, &sleep(false)));

        // Without a session known, any session's lock locks.
        let rules = system_bus_rules(None);
        assert!(locks(&rules, &signal(THEIRS, LOGIND_SESSION, "Lock", &())));
        assert!(locks(&rules, &hint(THEIRS, LOGIND_SESSION, true)));
        assert!(locks(&rules, &sleep(true)));
    }
}
