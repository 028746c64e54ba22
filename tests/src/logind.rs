//! A system bus of the test's own (a real dbus-daemon, since the test
//! session has none), and on it what logind says about sessions: whose
//! each is, a session's Lock and LockedHint, and the manager's
//! PrepareForSleep. The app is pointed at it with
//! `DBUS_SYSTEM_BUS_ADDRESS`.

use crate::{wait_until, TIMEOUT};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use zbus::blocking::Connection;
use zbus::zvariant::{OwnedObjectPath, Value};

const MANAGER_PATH: &str = "/org/freedesktop/login1";
const MANAGER: &str = "org.freedesktop.login1.Manager";
const SESSION: &str = "org.freedesktop.login1.Session";

/// A dbus-daemon playing the system bus, stopped on drop.
#[derive(Debug)]
pub struct SystemBus {
    daemon: Child,
    address: String,
}

impl SystemBus {
    /// Starts the daemon and waits for it to say where it listens.
    pub fn start() -> Self {
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("dbus-daemon: {e}"));
        let mut address = String::new();
        if let Some(out) = daemon.stdout.take() {
            // The daemon prints its address once it is listening.
            let _ = BufReader::new(out).read_line(&mut address);
        }
        let address = address.trim().to_owned();
        assert!(!address.is_empty(), "dbus-daemon printed no address");
        Self { daemon, address }
    }

    /// What `DBUS_SYSTEM_BUS_ADDRESS` should say.
    pub fn address(&self) -> &str {
        &self.address
    }
}

impl Drop for SystemBus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// A session as logind shows it: whose it is. Records each time it is
/// asked, so that a test knows when a client has weighed its signal.
struct Session {
    uid: u32,
    path: String,
    asked: Arc<Mutex<Vec<String>>>,
}

#[zbus::interface(name = "org.freedesktop.login1.Session")]
impl Session {
    /// logind's `User`: the user's id and object.
    #[zbus(property)]
    fn user(&self) -> (u32, OwnedObjectPath) {
        if let Ok(mut asked) = self.asked.lock() {
            asked.push(self.path.clone());
        }
        let user = format!("/org/freedesktop/login1/user/_{}", self.uid);
        (
            self.uid,
            OwnedObjectPath::try_from(user).expect("a user path"),
        )
    }
}

/// logind on the test's system bus, with sessions of this user and of
/// another.
#[derive(Debug)]
pub struct Logind {
    connection: Connection,
    asked: Arc<Mutex<Vec<String>>>,
}

impl Logind {
    /// Takes logind's name on `bus`, with `sessions` (object path, and
    /// whether it is this user's or another's).
    pub fn start(bus: &SystemBus, sessions: &[(&str, bool)]) -> Self {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let me = rustix::process::getuid().as_raw();
        let mut builder = zbus::blocking::connection::Builder::address(bus.address())
            .and_then(|b| b.name("org.freedesktop.login1"));
        for (path, mine) in sessions {
            let session = Session {
                uid: if *mine { me } else { me + 1000 },
                path: (*path).to_owned(),
                asked: Arc::clone(&asked),
            };
            builder = builder.and_then(|b| b.serve_at(*path, session));
        }
        let connection = builder
            .and_then(|b| b.build())
            .unwrap_or_else(|e| panic!("the test's logind on its system bus: {e}"));
        Self { connection, asked }
    }

    /// Waits until a client has asked whose `session` is `times` times in
    /// all (once for each of its signals, when it weighs them).
    pub fn wait_asked_about(&self, session: &str, times: usize) {
        wait_until(
            &format!("a client to ask whose {session} is"),
            TIMEOUT,
            || {
                let asked = self.asked.lock().map(|a| a.clone()).unwrap_or_default();
                if asked.iter().filter(|path| *path == session).count() >= times {
                    Ok(())
                } else {
                    Err(format!("asked about {asked:?}"))
                }
            },
        );
    }

    /// A session's Lock, as `loginctl lock-session` makes logind send it.
    pub fn lock_session(&self, session: &str) {
        let sent = self
            .connection
            .emit_signal(None::<&str>, session, SESSION, "Lock", &());
        sent.unwrap_or_else(|e| panic!("Lock: {e}"));
    }

    /// A session's LockedHint changing, as a screen locker sets it.
    pub fn set_locked_hint(&self, session: &str, locked: bool) {
        let changed = HashMap::from([("LockedHint", Value::from(locked))]);
        let body = (SESSION, changed, Vec::<&str>::new());
        let sent = self.connection.emit_signal(
            None::<&str>,
            session,
            "org.freedesktop.DBus.Properties",
            "PropertiesChanged",
            &body,
        );
        sent.unwrap_or_else(|e| panic!("PropertiesChanged: {e}"));
    }

    /// The manager's PrepareForSleep, sent before sleep (true) and after.
    pub fn prepare_for_sleep(&self, starting: bool) {
        let sent = self.connection.emit_signal(
            None::<&str>,
            MANAGER_PATH,
            MANAGER,
            "PrepareForSleep",
            &starting,
        );
        sent.unwrap_or_else(|e| panic!("PrepareForSleep: {e}"));
    }
}
