//! The first call on each of Watchword's connections to the Secret Service,
//! as the session bus sees it. A binary of its own: the bus monitor would
//! see other tests' connections too (`secret-tool`'s among them).

mod common;
use common::Scratch;
use watchword_core::store::keychain::Keychain;

/// Each connection Watchword opens to the Secret Service reads a property
/// before anything else. gnome-keyring registers a caller only in an idle
/// callback after its first message, and aborts (a fatal GLib error, every
/// unlocked keyring gone) on an OpenSession handled before that
/// (gnome-keyring issues 190, 194; vendor/README.md). The keyring store's
/// connection sent OpenSession first.
#[test]
fn every_connection_reads_a_property_before_it_asks_for_anything() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let scratch = Scratch::new("store", "first-call");
    let owner = bus_call("GetNameOwner", "org.freedesktop.secrets");
    let mut monitor = Command::new("dbus-monitor")
        .args(["--session", "--monitor", "type='method_call'"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("dbus-monitor runs");
    let mut lines = BufReader::new(monitor.stdout.take().expect("its output")).lines();
    let mut next = || lines.next().expect("dbus-monitor goes on").expect("a line");
    // It says it has become a monitor (NameLost of its own name) first.
    while !next().contains("member=NameLost") {}

    let keychain = scratch.keychain();
    keychain.get("no-such-item").expect("a read");
    keychain.get_all_batched().expect("a batched read");
    // A call of the test's own, to know that the monitor has seen the rest.
    let mark = bus_call("GetId", "");
    let mut first: std::collections::BTreeMap<String, String> = Default::default();
    loop {
        let line = next();
        if line.contains("member=GetId") {
            break;
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
    let _ = monitor.kill();
    let _ = monitor.wait();
    assert!(!mark.is_empty());
    assert_eq!(
        first.values().collect::<Vec<_>>(),
        ["org.freedesktop.DBus.Properties.Get"; 2],
        "the keyring store's connection and the batched reader's, each first: {first:?}"
    );
}

/// A call to the bus itself (`GetNameOwner NAME`, `GetId`), its answer.
fn bus_call(member: &str, name: &str) -> String {
    let mut args = vec![
        "--session".to_owned(),
        "--print-reply=literal".to_owned(),
        "--dest=org.freedesktop.DBus".to_owned(),
        "/org/freedesktop/DBus".to_owned(),
        format!("org.freedesktop.DBus.{member}"),
    ];
    if !name.is_empty() {
        args.push(format!("string:{name}"));
    }
    let out = std::process::Command::new("dbus-send")
        .args(&args)
        .output()
        .expect("dbus-send runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}
