//! The first call on each of Watchword's connections to the Secret Service,
//! as the session bus sees it. A binary of its own: the bus monitor would
//! see other tests' connections too (`secret-tool`'s among them).

mod common;
use common::Scratch;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;
use watchword_core::store::keychain::Keychain;

/// Each connection Watchword opens to the Secret Service reads a property
/// before anything else. gnome-keyring registers a caller only in an idle
/// callback after its first message, and aborts (a fatal GLib error, every
/// unlocked keyring gone) on an OpenSession handled before that
/// (gnome-keyring issues 190, 194; vendor/README.md). The keyring store's
/// connection sent OpenSession first.
#[test]
fn every_connection_reads_a_property_before_it_asks_for_anything() {
    let scratch = Scratch::new("store", "first-call");
    let owner = bus_call("GetNameOwner", "org.freedesktop.secrets");
    let (monitor, lines) = Monitor::start();
    // It says it has become a monitor (its own name lost) first.
    while !lines
        .next_line("dbus-monitor to start")
        .contains("member=NameLost")
    {}

    let keychain = scratch.keychain();
    keychain.get("no-such-item").expect("a read");
    keychain.get_all_batched().expect("a batched read");
    // A call of the test's own, named so that nothing else sends it: once
    // the monitor shows it, it has shown the calls before it.
    let mark = format!("org.watchword.FirstCallMark{}", std::process::id());
    bus_call("NameHasOwner", &mark);
    let mut first: std::collections::BTreeMap<String, String> = Default::default();
    loop {
        let line = lines.next_line("the test's own mark");
        if line.contains("member=NameHasOwner") {
            let argument = lines.next_line("the mark's argument");
            if argument.contains(&mark) {
                break;
            }
            continue;
        }
        let field = |name: &str| {
            line.split([' ', ';'])
                .find_map(|part| part.strip_prefix(name))
                .map(str::to_owned)
        };
        let (Some(sender), Some(to), Some(interface), Some(member)) = (
            field("sender="),
            field("destination="),
            field("interface="),
            field("member="),
        ) else {
            continue;
        };
        if to == "org.freedesktop.secrets" || to == owner {
            first
                .entry(sender)
                .or_insert_with(|| format!("{interface}.{member}"));
        }
    }
    drop(monitor);
    // This process's connections only (both are still open): a desktop
    // session's own clients may be on the bus too.
    let ours = std::process::id().to_string();
    first.retain(|sender, _| bus_call("GetConnectionUnixProcessID", sender) == ours);
    assert_eq!(
        first.values().collect::<Vec<_>>(),
        ["org.freedesktop.DBus.Properties.Get"; 2],
        "the keyring store's connection and the batched reader's, each first: {first:?}"
    );
    drop(keychain);
}

/// `dbus-monitor` on the session bus, method calls only; stopped on drop,
/// pass or fail.
struct Monitor(Child);

/// Its output, line by line.
struct Lines(Receiver<String>);

impl Monitor {
    fn start() -> (Self, Lines) {
        let mut child = Command::new("dbus-monitor")
            .args(["--session", "--monitor", "type='method_call'"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-monitor runs");
        let out = child.stdout.take().expect("its output");
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        (Self(child), Lines(receiver))
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Lines {
    /// The next line, waiting at most 30 s for it (`what`: what it waits
    /// for, to say in the failure).
    fn next_line(&self, what: &str) -> String {
        match self.0.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => line,
            Err(RecvTimeoutError::Timeout) => panic!("dbus-monitor: 30 s waiting for {what}"),
            Err(RecvTimeoutError::Disconnected) => panic!("dbus-monitor ended before {what}"),
        }
    }
}

/// A call to the bus itself (`GetNameOwner NAME`, `NameHasOwner NAME`,
/// `GetConnectionUnixProcessID NAME`), its answer.
fn bus_call(member: &str, name: &str) -> String {
    let out = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply=literal",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            &format!("org.freedesktop.DBus.{member}"),
            &format!("string:{name}"),
        ])
        .output()
        .expect("dbus-send runs");
    assert!(
        out.status.success(),
        "{member} {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    // "uint32 1234" for a number, the bare text otherwise.
    said.split_whitespace()
        .last()
        .unwrap_or_default()
        .to_owned()
}
