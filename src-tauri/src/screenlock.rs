//! Auto-lock when the screen locks or the computer goes to sleep (issue
//! 11). Desktops say so in different ways, and Watchword listens for each:
//!
//! - on the session bus, a screen saver's ActiveChanged(true): the
//!   freedesktop name (KDE, light-locker and others), GNOME's, Cinnamon's,
//!   MATE's and Xfce's own;
//! - on the system bus, logind: a session's Lock (`loginctl lock-session`)
//!   or its LockedHint turning true (set by the screen lockers that use no
//!   screen-saver name), when the session is this user's, and the manager's
//!   PrepareForSleep(true).
//!
//! Each locks Watchword when its lock is on, and the page shows the unlock
//! screen. "This user's" rather than "this process's session": started
//! from a terminal logged in over SSH, the app's own session is not the
//! one whose screen locks. Whose a session is, is asked of logind as its
//! signal comes; if logind cannot say, the signal locks, which can only
//! lock more often. A bus that is not there (no system bus in a container)
//! is passed over.

use futures_util::StreamExt;
use std::collections::HashMap;
use std::time::Duration;
use tauri::AppHandle;
use zbus::message::Type;
use zbus::zvariant::{OwnedObjectPath, OwnedValue};
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
/// How long logind may take to say whose a session is before its signal
/// locks anyway.
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
                listen(&conn, system_bus_rules(), &app).await;
            }
        });
    });
}

fn spawn(name: &str, work: impl FnOnce() + Send + 'static) {
    // A thread that cannot start only costs this convenience.
    let _ = std::thread::Builder::new().name(name.into()).spawn(work);
}

/// What to hear on the session bus: every screen saver's ActiveChanged.
fn session_bus_rules() -> Vec<MatchRule<'static>> {
    SCREEN_SAVERS
        .iter()
        .filter_map(|interface| {
            let rule = MatchRule::builder()
                .msg_type(Type::Signal)
                .interface(*interface)
                .ok()?
                .member("ActiveChanged")
                .ok()?;
            Some(rule.build().into_owned())
        })
        .collect()
}

/// What to hear on the system bus: every signal of logind's objects, in
/// one stream so that they are taken in the order sent (the manager's,
/// and each session's Lock and PropertiesChanged; [`means_locking`] picks).
fn system_bus_rules() -> Vec<MatchRule<'static>> {
    let rule = MatchRule::builder()
        .msg_type(Type::Signal)
        .path_namespace(LOGIND_PATH)
        .map(|b| b.build().into_owned());
    rule.into_iter().collect()
}

/// Locks on every signal of `rules` that means "locking now", taken one
/// at a time in the order each stream has them.
async fn listen(conn: &Connection, rules: Vec<MatchRule<'static>>, app: &AppHandle) {
    let mut streams = Vec::new();
    for rule in rules {
        if let Ok(stream) = MessageStream::for_match_rule(rule, conn, Some(16)).await {
            streams.push(stream);
        }
    }
    let user = rustix::process::getuid().as_raw();
    let mut all = futures_util::stream::select_all(streams);
    while let Some(message) = all.next().await {
        let Ok(message) = message else { continue };
        if means_locking(&message) && of_this_user(conn, &message, user).await {
            crate::lock::lock_if_open(app, "with the screen");
        }
    }
}

/// Whether a session's signal is about one of this user's sessions, as
/// logind says (its `User` property); any other signal is everyone's. When
/// logind does not say, it is taken as this user's.
async fn of_this_user(conn: &Connection, message: &Message, user: u32) -> bool {
    let header = message.header();
    let session_signal = matches!(
        header.interface().map(|i| i.as_str()),
        Some(LOGIND_SESSION | PROPERTIES)
    );
    let Some(path) = header.path().filter(|_| session_signal) else {
        return true;
    };
    let asked = conn
        .call_method(
            Some(LOGIND),
            path,
            Some(PROPERTIES),
            "Get",
            &(LOGIND_SESSION, "User"),
        )
        .await;
    let owner = asked.ok().and_then(|reply| {
        let value = reply.body().deserialize::<OwnedValue>().ok()?;
        let (uid, _): (u32, OwnedObjectPath) = value.try_into().ok()?;
        Some(uid)
    });
    owner.is_none_or(|uid| uid == user)
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

#[cfg(test)]
mod tests {
    use super::*;
    use zbus::zvariant::Value;

    const SESSION_PATH: &str = "/org/freedesktop/login1/session/_32";

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
    /// as `listen` decides (whose the session is aside).
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
    fn logind_locks_on_a_session_locking_and_on_sleep_only() {
        let rules = system_bus_rules();
        assert!(locks(
            &rules,
            &signal(SESSION_PATH, LOGIND_SESSION, "Lock", &())
        ));
        assert!(!locks(
            &rules,
            &signal(SESSION_PATH, LOGIND_SESSION, "Unlock", &())
        ));
        assert!(locks(&rules, &hint(SESSION_PATH, LOGIND_SESSION, true)));
        assert!(!locks(&rules, &hint(SESSION_PATH, LOGIND_SESSION, false)));
        // The same property name on another interface says nothing.
        assert!(!locks(
            &rules,
            &hint(SESSION_PATH, "org.example.Other", true)
        ));
        let other_change = HashMap::from([("Active", Value::from(true))]);
        let active = (LOGIND_SESSION, other_change, Vec::<&str>::new());
        assert!(!locks(
            &rules,
            &signal(SESSION_PATH, PROPERTIES, "PropertiesChanged", &active)
        ));
        let sleep =
            |starting: bool| signal(LOGIND_PATH, LOGIND_MANAGER, "PrepareForSleep", &starting);
        assert!(locks(&rules, &sleep(true)));
        assert!(!locks(&rules, &sleep(false)));
        // Signals from outside logind's objects are not heard.
        let elsewhere = signal("/org/example/session", LOGIND_SESSION, "Lock", &());
        assert!(!locks(&rules, &elsewhere));
    }
}
