//! A system bus of the test's own (a real dbus-daemon, since the test
//! session has none), and on it what logind says about a session: its
//! name for "the caller's session", the session's Lock and LockedHint,
//! and the manager's PrepareForSleep. The app is pointed at it with
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

struct Manager {
    session: OwnedObjectPath,
    asked: Arc<Mutex<Vec<String>>>,
}

#[zbus::interface(name = "org.freedesktop.login1.Manager")]
impl Manager {
    /// logind's answer for "auto": the caller's session. Any other id is
    /// not a session here.
    fn get_session(&self, id: &str) -> zbus::fdo::Result<OwnedObjectPath> {
        if let Ok(mut asked) = self.asked.lock() {
            asked.push(id.to_owned());
        }
        if id == "auto" {
            Ok(self.session.clone())
        } else {
            Err(zbus::fdo::Error::Failed(format!("no session {id:?}")))
        }
    }
}

/// logind on the test's system bus, with one session.
#[derive(Debug)]
pub struct Logind {
    connection: Connection,
    session: OwnedObjectPath,
    asked: Arc<Mutex<Vec<String>>>,
}

impl Logind {
    /// Takes logind's name on `bus`, with `session` as the caller's.
    pub fn start(bus: &SystemBus, session: &str) -> Self {
        let session = OwnedObjectPath::try_from(session).expect("a session path");
        let asked = Arc::new(Mutex::new(Vec::new()));
        let manager = Manager {
            session: session.clone(),
            asked: Arc::clone(&asked),
        };
        let connection = zbus::blocking::connection::Builder::address(bus.address())
            .and_then(|b| b.serve_at(MANAGER_PATH, manager))
            .and_then(|b| b.name("org.freedesktop.login1"))
            .and_then(|b| b.build())
            .unwrap_or_else(|e| panic!("the test's logind on its system bus: {e}"));
        Self {
            connection,
            session,
            asked,
        }
    }

    /// Waits until a client has asked which session is its own.
    pub fn wait_asked_for_own_session(&self) {
        wait_until("the app to ask logind for its session", TIMEOUT, || {
            let asked = self.asked.lock().map(|a| a.clone()).unwrap_or_default();
            if asked.iter().any(|id| id == "auto") {
                Ok(())
            } else {
                Err(format!("asked for {asked:?}"))
            }
        });
    }

    /// The session's Lock, as `loginctl lock-session` makes logind send it.
    pub fn lock_session(&self) {
        let sent =
            self.connection
                .emit_signal(None::<&str>, self.session.as_str(), SESSION, "Lock", &());
        sent.unwrap_or_else(|e| panic!("Lock: {e}"));
    }

    /// The session's LockedHint changing, as a screen locker sets it.
    pub fn set_locked_hint(&self, locked: bool) {
        let changed = HashMap::from([("LockedHint", Value::from(locked))]);
        let body = (SESSION, changed, Vec::<&str>::new());
        let sent = self.connection.emit_signal(
            None::<&str>,
            self.session.as_str(),
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
