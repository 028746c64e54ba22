//! End-to-end: the app never goes on the Internet (issue 9, part 8). The app
//! runs under `strace -f` from its first instruction, so every process it
//! starts (WebKit's web and network processes) is traced too, through
//! start-up, a QR paste, a copy and an import; then every network system call
//! in the log is read, and any that names an Internet address other than
//! loopback, or DNS, fails the test. Loopback TCP is allowed: it is how
//! WebKitWebDriver drives the window (WebKit's remote inspector), not
//! something the app does for itself; loopback to any port the app did not
//! bind itself fails too (a local proxy could forward it anywhere).
//!
//! What a run sees (about 5,900 calls in 20 processes and threads): Unix
//! sockets (X11, the D-Bus session and accessibility buses, WebKit's own
//! socketpairs, glibc's nscd probe), netlink route reads by WebKit's network
//! process, and loopback TCP to the inspector port the app listens on. An
//! `<img src="https://…">` in the page is stopped by the CSP (`img-src 'self'
//! data:`); with `https:` allowed, WebKit's network process asks DNS and this
//! test fails. Run through scripts/test.sh.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use watchword_e2e::{app_binary, put_clipboard_image, qr_page_png, workspace_dir, xdnd, Profile};
use watchword_e2e::{Totp, TIMEOUT};

/// A real export from another app (see the fixtures' README).
fn fixture(name: &str) -> PathBuf {
    workspace_dir()
        .parent()
        .expect("the workspace has a parent folder")
        .join("shared/fixtures/importers")
        .join(name)
}

/// Writes, in `dir`, a script that runs the app under strace, logging to
/// `log`, and returns its path. `--seccomp-bpf` stops the tracees only at
/// the traced calls, so the app runs at nearly full speed; `-yy` names the
/// endpoints of every socket a call uses (so a `sendto` on a connected
/// socket shows where it goes); `execve` is traced to show which processes
/// were followed.
fn strace_wrapper(dir: &Path, log: &Path) -> PathBuf {
    let status = Command::new("strace")
        .arg("-V")
        .stdout(Stdio::null())
        .status();
    assert!(
        status.is_ok_and(|s| s.success()),
        "strace is not installed; scripts/test.sh (scripts/setup.sh test) installs it"
    );
    let quoted = |path: &Path| {
        let text = path.to_str().expect("a UTF-8 path");
        assert!(!text.contains('\''), "no quote in {text}");
        format!("'{text}'")
    };
    let script = dir.join("traced-watchword");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\n# The app, as the driver starts it, under strace.\n\
             exec strace -f -qq --seccomp-bpf -yy -e trace=%network,execve -e signal=none \
             -o {} -- {} \"$@\"\n",
            quoted(log),
            quoted(app_binary()),
        ),
    )
    .expect("write the wrapper script");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
        .expect("make the wrapper executable");
    script
}

/// What one traced call talked to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// Unix-domain sockets: X11, D-Bus, WebKit's own process pipes.
    Unix,
    /// Netlink (the kernel's interface and route tables).
    Netlink,
    /// Internet addresses, all on loopback (127.0.0.0/8, ::1), to or from
    /// a port the app's processes serve themselves (WebKit's inspector
    /// server, which WebKitWebDriver drives the window through).
    Loopback,
    /// Loopback to a port the app does not serve: another program on this
    /// machine (a proxy could forward it anywhere). The test fails.
    LocalService,
    /// An Internet address off this machine, or DNS: the test fails.
    Internet,
    /// A call that names no address (e.g. `socket(AF_INET, …)` itself, a
    /// `setsockopt` on a socket strace could not name).
    Unnamed,
}

/// The network calls of one strace log, summed up.
#[derive(Debug, Default)]
struct Trace {
    /// How many calls of each (name, kind).
    calls: BTreeMap<(String, Kind), usize>,
    /// The calls that reached the Internet (or asked DNS) or a local
    /// service outside the app.
    internet: Vec<String>,
    /// Programs the traced processes executed.
    execs: BTreeSet<String>,
    /// Distinct pids seen in the log.
    pids: BTreeSet<u32>,
    /// `socket()` calls by address family.
    sockets: BTreeMap<String, usize>,
}

impl Trace {
    fn total(&self) -> usize {
        self.calls.values().sum()
    }

    fn of_kind(&self, kind: Kind) -> usize {
        self.calls
            .iter()
            .filter(|((_, k), _)| *k == kind)
            .map(|(_, n)| n)
            .sum()
    }
}

/// Reads an strace log written with `-f -yy`: each line is "PID call(…) =
/// …", or, when another process interrupted the output, "PID call(…
/// <unfinished ...>" then later "PID <... call resumed>…) = …"; the two
/// halves are read as one call.
fn read_trace(log: &str) -> Trace {
    let mut trace = Trace::default();
    let mut unfinished: BTreeMap<u32, String> = BTreeMap::new();
    let mut calls: Vec<(u32, String)> = Vec::new();
    for line in log.lines() {
        let Some((pid, rest)) = line.trim_start().split_once(' ') else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        trace.pids.insert(pid);
        let rest = rest.trim_start();
        if let Some(start) = rest.strip_suffix(" <unfinished ...>") {
            unfinished.insert(pid, start.to_owned());
            continue;
        }
        let joined;
        let rest = match rest.strip_prefix("<... ") {
            Some(resumed) => {
                let end = resumed.split_once("resumed>").map_or("", |(_, end)| end);
                // Without its start (strace lost it), the end alone.
                joined = unfinished.remove(&pid).unwrap_or_else(|| {
                    format!("{}(", resumed.split(' ').next().unwrap_or_default())
                }) + end;
                joined.as_str()
            }
            None => rest,
        };
        calls.push((pid, rest.to_owned()));
    }
    // Calls still unfinished when a process ended count as they began.
    calls.extend(unfinished);
    // The loopback ports the app's own processes bound.
    let served: BTreeSet<u16> = calls
        .iter()
        .filter(|(_, call)| call.starts_with("bind("))
        .flat_map(|(_, call)| internet_endpoints(call))
        .filter(|&(address, _)| is_loopback(address))
        .filter_map(|(_, port)| port.filter(|&p| p != 0))
        .collect();
    for (pid, call) in &calls {
        trace.record(*pid, call, &served);
    }
    trace
}

impl Trace {
    /// Adds one whole call ("name(arguments) = result") made by `pid`.
    fn record(&mut self, pid: u32, call: &str, served: &BTreeSet<u16>) {
        let name = call.split('(').next().unwrap_or_default();
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return; // "+++ exited +++" and the like
        }
        if name == "execve" || name == "execveat" {
            if let Some(program) = call.split('"').nth(1) {
                self.execs.insert(program.to_owned());
            }
            return;
        }
        if name == "socket" {
            let family = call["socket(".len()..]
                .split([',', ')'])
                .next()
                .unwrap_or_default();
            *self.sockets.entry(family.to_owned()).or_default() += 1;
        }
        let kind = classify(call, served);
        if matches!(kind, Kind::Internet | Kind::LocalService) {
            self.internet.push(format!("{pid} {call}"));
        }
        *self.calls.entry((name.to_owned(), kind)).or_default() += 1;
    }
}

/// What one call (the text after the pid) talked to.
fn classify(call: &str, served: &BTreeSet<u16>) -> Kind {
    let endpoints = internet_endpoints(call);
    // DNS on any address, even a local resolver (127.0.0.53), is a look-up
    // of a name on the Internet; so is systemd-resolved's own socket.
    let dns = endpoints.iter().any(|&(_, port)| port == Some(53))
        || call.contains("/run/systemd/resolve/");
    if dns || endpoints.iter().any(|&(address, _)| !is_loopback(address)) {
        return Kind::Internet;
    }
    if !endpoints.is_empty() {
        let ours = endpoints
            .iter()
            .any(|&(_, port)| port.is_some_and(|p| served.contains(&p)));
        if ours {
            Kind::Loopback
        } else {
            Kind::LocalService
        }
    } else if call.contains("AF_UNIX") || call.contains("<UNIX") || call.contains("AF_LOCAL") {
        Kind::Unix
    } else if call.contains("AF_NETLINK") || call.contains("<NETLINK") {
        Kind::Netlink
    } else {
        Kind::Unnamed
    }
}

fn is_loopback(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// Every Internet address (with its port, when strace shows one) that a call
/// names: in a socket address (`sin_addr=inet_addr("…")`,
/// `inet_pton(AF_INET6, "…", …)`, with `sin_port=htons(N)`) or in the
/// endpoints `-yy` prints for a socket (`<TCP:[a:p->b:q]>`, `<UDPv6:[…]>`).
/// Data the call carries is quoted with its own quotes escaped, so it cannot
/// look like either.
fn internet_endpoints(call: &str) -> Vec<(IpAddr, Option<u16>)> {
    let mut found = Vec::new();
    let port = |text: &str, key: &str| -> Option<u16> {
        let start = text.find(key)? + key.len();
        text[start..].split(')').next()?.parse().ok()
    };
    // Socket addresses: one per "{sa_family=AF_INET…}" structure.
    for part in call.split("sa_family=").skip(1) {
        let structure = part.split('}').next().unwrap_or_default();
        if let Some(text) = quoted_after(structure, "inet_addr(\"") {
            let address = text.parse::<Ipv4Addr>().map_or(
                // An address strace could not print as one: suspect.
                IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                IpAddr::V4,
            );
            found.push((address, port(structure, "sin_port=htons(")));
        } else if let Some(text) = quoted_after(structure, "inet_pton(AF_INET6, \"") {
            let address = text
                .parse::<Ipv6Addr>()
                .map_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED), IpAddr::V6);
            found.push((address, port(structure, "sin6_port=htons(")));
        } else if structure.starts_with("AF_INET") {
            // An Internet address in a form not read above: never pass it.
            found.push((IpAddr::V4(Ipv4Addr::UNSPECIFIED), None));
        }
    }
    // Socket endpoints printed by -yy.
    for protocol in [
        "TCP",
        "UDP",
        "TCPv6",
        "UDPv6",
        "UDPLITE",
        "UDPLITEv6",
        "RAW",
        "RAWv6",
    ] {
        let marker = format!("<{protocol}:[");
        for part in call.split(marker.as_str()).skip(1) {
            let inside = part.split("]>").next().unwrap_or_default();
            // "[12345]" alone is the socket's inode: not connected yet.
            if inside.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            for endpoint in inside.split("->") {
                found.push(parse_endpoint(endpoint));
            }
        }
    }
    found
}

/// "127.0.0.1:4444", "[::1]:4444" or "::1:4444" (strace's forms) as an
/// address and port; anything else is reported as an unknown address.
fn parse_endpoint(endpoint: &str) -> (IpAddr, Option<u16>) {
    let unknown = (IpAddr::V4(Ipv4Addr::UNSPECIFIED), None);
    if let Ok(socket) = endpoint.parse::<std::net::SocketAddr>() {
        return (socket.ip(), Some(socket.port()));
    }
    let Some((address, port)) = endpoint.rsplit_once(':') else {
        return endpoint.parse().map_or(unknown, |a| (a, None));
    };
    let address = address.trim_start_matches('[').trim_end_matches(']');
    match address.parse::<IpAddr>() {
        Ok(address) => (address, port.parse().ok()),
        Err(_) => endpoint.parse().map_or(unknown, |a| (a, None)),
    }
}

/// The text between `prefix` and the next `"`.
fn quoted_after<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let start = text.find(prefix)? + prefix.len();
    text[start..].split('"').next()
}

/// Prints the figures the closing note quotes.
fn print_figures(trace: &Trace) {
    eprintln!(
        "network system calls: {} in {} processes ({} Unix, {} loopback, {} netlink, {} \
         naming no address, {} to other local services, {} Internet)",
        trace.total(),
        trace.pids.len(),
        trace.of_kind(Kind::Unix),
        trace.of_kind(Kind::Loopback),
        trace.of_kind(Kind::Netlink),
        trace.of_kind(Kind::Unnamed),
        trace.of_kind(Kind::LocalService),
        trace.of_kind(Kind::Internet),
    );
    for ((name, kind), count) in &trace.calls {
        eprintln!("  {name:<12} {kind:?}: {count}");
    }
    eprintln!("sockets created, by family: {:?}", trace.sockets);
    eprintln!("programs traced: {:?}", trace.execs);
}

#[test]
fn start_paste_copy_and_import_without_the_internet() {
    let profile = Profile::new("offline");
    let dir = profile.data_dir().parent().expect("the profile's folder");
    let log = dir.join("network.strace");
    let wrapper = strace_wrapper(dir, &log);
    const KEY: &str = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U";

    // Start-up.
    let app = profile.launch_through(&wrapper);
    app.wait_loaded();
    // Every process of the app is traced (strace followed each as it was
    // started), the app itself despite turning its own dumpable flag off.
    let processes = app.app_processes();
    assert!(processes.len() >= 2, "the app and WebKit's: {processes:?}");
    for pid in &processes {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let tracer = status
            .lines()
            .find_map(|line| line.strip_prefix("TracerPid:"))
            .map(str::trim);
        assert!(
            tracer.is_some_and(|t| t != "0"),
            "process {pid} is not traced: TracerPid {tracer:?}"
        );
    }

    // A QR code pasted from the clipboard.
    let shot = dir.join("screenshot.png");
    let uri = format!("otpauth://totp/Seller:me@example.com?secret={KEY}&issuer=Seller");
    std::fs::write(&shot, qr_page_png(&[&uri], 4)).expect("write the screenshot");
    put_clipboard_image(&shot);
    app.press_ctrl_v();
    app.wait_found(1);
    let rows = app.confirm_found(1);
    app.wait_toast("Added 1 account");

    // A copy.
    app.assert_copy_totp(&rows[0], &Totp::default_for(KEY));

    // An import: a backup dropped on the window.
    xdnd::drop_files("Watchword", &[&fixture("aegis_plain.json")], TIMEOUT)
        .unwrap_or_else(|e| panic!("dropping the backup: {e}"));
    app.wait_found(7);
    app.confirm_found(8);
    app.wait_toast("Added 7 accounts");
    // Closing ends strace too (it is in the driver's process group), so
    // the log is complete once quit returns.
    app.quit();

    let text = std::fs::read_to_string(&log)
        .unwrap_or_else(|e| panic!("read the strace log {}: {e}", log.display()));
    let trace = read_trace(&text);
    print_figures(&trace);
    // The trace saw what it should: the app and WebKit's processes, and
    // their connections to the X server and D-Bus.
    for program in ["WebKitWebProcess", "WebKitNetworkProcess"] {
        assert!(
            trace.execs.iter().any(|p| p.ends_with(program)),
            "strace did not follow {program}: {:?}",
            trace.execs
        );
    }
    assert!(
        trace
            .calls
            .contains_key(&("connect".to_owned(), Kind::Unix)),
        "no Unix connect seen: is the trace complete?"
    );
    assert!(
        trace.internet.is_empty(),
        "the app reached the Internet, or a program outside it ({} calls):\n{}",
        trace.internet.len(),
        trace.internet.join("\n")
    );
}

#[test]
fn the_trace_reader_tells_internet_from_loopback_and_unix() {
    let log = r#"100 execve("/app/watchword", ["watchword"], 0x7ffc /* 30 vars */) = 0
100 socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0) = 3<UNIX:[1001]>
100 connect(3<UNIX:[1001]>, {sa_family=AF_UNIX, sun_path="/tmp/.X11-unix/X9"}, 20) = 0
100 bind(6<TCP:[2001]>, {sa_family=AF_INET, sin_port=htons(4444), sin_addr=inet_addr("127.0.0.1")}, 16) = 0
100 bind(6<TCPv6:[2001]>, {sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0
101 connect(7<TCP:[2002]>, {sa_family=AF_INET, sin_port=htons(4444), sin_addr=inet_addr("127.0.0.1")}, 16 <unfinished ...>
101 <... connect resumed>) = 0
101 sendto(7<TCP:[127.0.0.1:50000->127.0.0.1:4444]>, "GET 93.184.216.34", 17, 0, NULL, 0) = 17
102 connect(8<TCPv6:[3003]>, {sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0
102 sendmsg(9<NETLINK:[4004]>, {msg_name={sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}}, 0) = 20
102 +++ exited with 0 +++
"#;
    let trace = read_trace(log);
    assert!(trace.internet.is_empty(), "{:?}", trace.internet);
    assert_eq!(trace.of_kind(Kind::Unix), 2);
    assert_eq!(trace.of_kind(Kind::Loopback), 5);
    assert_eq!(
        trace.calls.get(&("connect".to_owned(), Kind::Loopback)),
        Some(&2)
    );
    assert_eq!(trace.of_kind(Kind::Netlink), 1);
    assert_eq!(
        trace.of_kind(Kind::Unnamed),
        0,
        "the resumed connect is read whole"
    );
    assert_eq!(trace.execs, BTreeSet::from(["/app/watchword".to_owned()]));
    assert_eq!(trace.sockets.get("AF_UNIX"), Some(&1));

    for bad in [
        // A connection off the machine, finished or not.
        r#"5 connect(9<TCP:[1]>, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("192.0.2.1")}, 16) = -1 EINPROGRESS"#,
        r#"5 connect(9<TCPv6:[1]>, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), sin6_scope_id=0}, 28 <unfinished ...>"#,
        // Data on a socket connected elsewhere.
        r#"5 sendto(9<TCP:[10.0.0.2:50000->93.184.216.34:443]>, "x", 1, 0, NULL, 0) = 1"#,
        r#"5 write(9<TCPv6:[[2001:db8::2]:50000->[2001:db8::1]:443]>, "x", 1) = 1"#,
        // DNS, even to a local resolver, and systemd-resolved's socket.
        r#"5 sendto(9<UDP:[2]>, "\x12", 30, MSG_NOSIGNAL, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.53")}, 16) = 30"#,
        r#"5 sendmmsg(9<UDP:[2]>, [{msg_hdr={msg_name={sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}}}], 2, MSG_NOSIGNAL) = 2"#,
        r#"5 connect(9<UNIX:[3]>, {sa_family=AF_UNIX, sun_path="/run/systemd/resolve/io.systemd.Resolve"}, 42) = 0"#,
        // Another program on this machine, e.g. a proxy.
        r#"5 connect(9<TCP:[1]>, {sa_family=AF_INET, sin_port=htons(3128), sin_addr=inet_addr("127.0.0.1")}, 16) = 0"#,
        // Listening on every interface.
        r#"5 bind(9<TCP:[4]>, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("0.0.0.0")}, 16) = 0"#,
        r#"5 bind(9<UDPv6:[4]>, {sa_family=AF_INET6, sin6_port=htons(0), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::", &sin6_addr), sin6_scope_id=0}, 28) = 0"#,
    ] {
        let trace = read_trace(bad);
        assert!(
            trace.internet.len() == 1 && bad.starts_with(trace.internet[0].as_str()),
            "{bad} gave {:?}",
            trace.internet
        );
    }
}
