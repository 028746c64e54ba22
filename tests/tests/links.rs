//! End-to-end: what the desktop asks Watchword to open (issue 12). Links
//! and files are opened with `gio open`, as a browser, a chat or a file
//! manager does: GLib finds Watchword through the desktop entry the
//! package installs (packaging/watchword.desktop, its Exec pointed at the
//! build) and the defaults set with `gio mime`, starts it, and the second
//! launch hands the link to the running window. Run through scripts/test.sh.

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use watchword_core::account::Account;
use watchword_core::Secret;
use watchword_e2e::{app_binary, qr_page_png, Profile, Totp, DATA_DIR_VAR, SERVICE_VAR};

const LINKED: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const SHOWN: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

/// A desktop of its own: the folders GLib reads desktop entries and
/// default applications from.
struct Desktop {
    dir: tempfile::TempDir,
}

impl Desktop {
    /// Installs the package's desktop entry, started with `profile`'s data
    /// folder and keychain service, and makes it the default for links,
    /// PNG images and JSON files.
    fn new(profile: &Profile) -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let entry = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../packaging/watchword.desktop"),
        )
        .expect("packaging/watchword.desktop");
        let exec = format!(
            "Exec=env {DATA_DIR_VAR}={} {SERVICE_VAR}={} {} %U",
            profile.data_dir().display(),
            profile.service(),
            app_binary().display()
        );
        let entry: String = entry
            .lines()
            .map(|line| {
                if line.starts_with("Exec=") {
                    exec.as_str()
                } else {
                    line
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let applications = dir.path().join("data/applications");
        std::fs::create_dir_all(&applications).expect("applications folder");
        std::fs::create_dir_all(dir.path().join("config")).expect("config folder");
        std::fs::write(applications.join("watchword-e2e.desktop"), entry).expect("entry written");
        let desktop = Self { dir };
        for mime in [
            "x-scheme-handler/otpauth",
            "x-scheme-handler/otpauth-migration",
            "image/png",
        ] {
            desktop.gio(&["mime", mime, "watchword-e2e.desktop"]);
        }
        desktop
    }

    /// Runs `gio ARGS` on this desktop; fails the test when it fails.
    fn gio(&self, args: &[&str]) {
        let output = Command::new("gio")
            .args(args)
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            // The MIME database (a PNG is known by its content); the
            // defaults set above win over any other entry installed there.
            .env("XDG_DATA_DIRS", "/usr/share")
            .output()
            .expect("gio runs");
        assert!(
            output.status.success(),
            "gio {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Opens `what` (a link or a file) as a browser or a file manager would.
    fn open(&self, what: &str) {
        self.gio(&["open", what]);
    }
}

fn dir_of(profile: &Profile) -> PathBuf {
    profile
        .data_dir()
        .parent()
        .expect("the profile's folder")
        .to_owned()
}

#[test]
fn links_and_files_the_desktop_opens_reach_the_preview() {
    // The entry as packaged: valid, without even a hint.
    let checked = Command::new("desktop-file-validate")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../packaging/watchword.desktop"))
        .output()
        .expect("desktop-file-validate runs (desktop-file-utils)");
    assert!(
        checked.status.success() && checked.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );
    let profile = Profile::new("links");
    let desktop = Desktop::new(&profile);
    let app = profile.launch();
    app.wait_loaded();

    // A link clicked in a browser: the preview, and nothing added before.
    desktop.open(&format!(
        "otpauth://totp/Linked:me@example.com?secret={LINKED}&issuer=Linked"
    ));
    let found = app.wait_found(1);
    assert_eq!(
        (found[0].issuer.as_str(), found[0].name.as_str()),
        ("Linked", "me@example.com")
    );
    assert_eq!(
        app.count("#accounts li.account"),
        0,
        "added before the preview"
    );
    // Another link opened from outside while the preview is open (another
    // program, a web page): it joins unticked, so Add stores only what
    // the user chose.
    desktop.open("otpauth://totp/Joined:me?secret=KRUGS4ZANFZSA5DIMUQGC3DMEBWW63TF&issuer=Joined");
    let found = app.wait_found(2);
    let picked = |issuer: &str| {
        found
            .iter()
            .find(|f| f.issuer == issuer)
            .unwrap_or_else(|| panic!("{issuer} in {found:?}"))
            .picked
    };
    assert!(picked("Linked") && !picked("Joined"), "{found:?}");
    let rows = app.confirm_found(1);
    app.assert_shown_totp(&rows[0], &Totp::default_for(LINKED));

    // A Google Authenticator export link.
    let exported = [Account::totp(
        "Moved",
        "old phone",
        Secret::from_bytes(b"12345678901234567890".to_vec()),
    )];
    let batches = watchword_core::migration::encode_batches(&exported, 7).expect("an export link");
    desktop.open(&batches[0]);
    let found = app.wait_found(1);
    assert_eq!(
        (found[0].issuer.as_str(), found[0].name.as_str()),
        ("Moved", "old phone")
    );
    let rows = app.confirm_found(2);
    let moved = rows.iter().find(|r| r.issuer == "Moved").expect("Moved");
    app.assert_shown_totp(moved, &Totp::default_for(SHOWN));

    // An image opened with Watchword (a file manager's "Open With").
    let image = dir_of(&profile).join("qr code.png");
    std::fs::write(
        &image,
        qr_page_png(&["otpauth://totp/Pictured:me?secret=MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U&issuer=Pictured"], 4),
    )
    .expect("image written");
    desktop.open(&image.display().to_string());
    let found = app.wait_found(1);
    assert_eq!(found[0].issuer, "Pictured");
    app.confirm_found(3);

    // A link that joins just as the user closes the preview, after the
    // view they closed (played here by closing, through the page's own
    // call, a view of the first row only): the Cancel takes what they
    // saw, and the late account waits, unticked, in a preview of its own.
    desktop.open("otpauth://totp/Early:me?secret=NBSWY3DPEB3W64TM&issuer=Early");
    app.wait_found(1);
    desktop.open("otpauth://totp/Late:me?secret=ORUGS4ZANFZSA5DI&issuer=Late");
    app.wait_found(2);
    app.execute(
        "const invoke = window.__TAURI__.core.invoke;
         return invoke('pending_enrolment')
           .then((view) => invoke('discard_enrolment', { preview: view.id, seen: 1 }));",
        serde_json::json!([]),
    );
    app.click("#enrol-cancel");
    let found = app.wait_found(1);
    assert_eq!(
        (found[0].issuer.as_str(), found[0].picked),
        ("Late", false),
        "{found:?}"
    );
    app.click("#enrol-cancel");
    app.wait_until("the preview to close", || {
        match app.try_displayed("#enrol-dialog") {
            Ok(false) => Ok(()),
            other => Err(format!("#enrol-dialog displayed: {other:?}")),
        }
    });
    assert_eq!(app.count("#accounts li.account"), 3);

    // A malformed link: a clear error that does not repeat the key.
    desktop.open("otpauth://totp/Broken:me?secret=0189ZZ!&issuer=Broken");
    let said = app.wait_toast("invalid character");
    assert!(!said.contains("0189ZZ"), "the key repeated: {said:?}");
    assert!(!app.displayed("#enrol-dialog"));

    // An option this version does not know: a notice, and nothing else.
    let status = Command::new(app_binary())
        .arg("--frobnicate")
        .env(DATA_DIR_VAR, profile.data_dir())
        .env(SERVICE_VAR, profile.service())
        .status()
        .expect("the second launch runs");
    assert!(status.success(), "{status}");
    app.wait_toast("ignored an option it does not know");
    assert_eq!(app.count("#accounts li.account"), 3);

    // A named pipe: refused at once (reading it would wait for ever).
    let fifo = dir_of(&profile).join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let status = profile.launch_again_with(&[fifo.to_str().expect("UTF-8")]);
    assert!(status.success(), "{status}");
    app.wait_toast("a pipe");
    // A name that is not UTF-8: no crash, and a notice that names no file.
    let status = Command::new(app_binary())
        .arg(std::ffi::OsStr::from_bytes(b"/nowhere/\xff.png"))
        .env(DATA_DIR_VAR, profile.data_dir())
        .env(SERVICE_VAR, profile.service())
        .status()
        .expect("the second launch runs");
    assert!(status.success(), "{status}");
    app.wait_toast("no such file");
    assert_eq!(app.count("#accounts li.account"), 3);
    app.quit();

    // Not running yet: the link is in the preview once the window is up.
    let app = profile.launch_with_args(&[&format!(
        "otpauth://totp/Started:me?secret={LINKED}&issuer=Started"
    )]);
    let found = app.wait_found(1);
    assert_eq!(found[0].issuer, "Started");
    // The link's key left the command line, which every user can read.
    let command_lines = app.command_lines();
    assert!(!command_lines.is_empty());
    for line in &command_lines {
        assert!(!line.contains(LINKED), "the key in a command line: {line}");
    }
    app.confirm_found(4);

    // Locked, Watchword takes in no key: it says so and reads nothing.
    profile.cli_with_input(&["lock", "on", "--password-stdin"], Some("pw\n"));
    app.wait_locked(true);
    desktop.open(&format!(
        "otpauth://totp/WhileLocked:me?secret={LINKED}&issuer=WhileLocked"
    ));
    app.wait_toast("Watchword is locked: unlock it, then open the link");
    assert!(!app.displayed("#enrol-dialog"));
    app.quit();
}

/// The Secret Service stopped (SIGSTOP) until dropped: what waits on the
/// keychain (an adding) waits as long as the test needs it to.
struct KeychainStopped(rustix::process::Pid);

impl KeychainStopped {
    fn now() -> Self {
        let output = Command::new("dbus-send")
            .args([
                "--session",
                "--print-reply=literal",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.GetConnectionUnixProcessID",
                "string:org.freedesktop.secrets",
            ])
            .output()
            .expect("dbus-send runs");
        let reply = String::from_utf8_lossy(&output.stdout);
        let pid = reply
            .split_whitespace()
            .last()
            .and_then(|pid| pid.parse::<i32>().ok())
            .and_then(rustix::process::Pid::from_raw)
            .unwrap_or_else(|| panic!("the Secret Service's pid: {reply:?}"));
        rustix::process::kill_process(pid, rustix::process::Signal::STOP)
            .expect("the Secret Service stopped");
        Self(pid)
    }
}

impl Drop for KeychainStopped {
    fn drop(&mut self) {
        let _ = rustix::process::kill_process(self.0, rustix::process::Signal::CONT);
    }
}

/// A link opened while the preview's Add runs is not in what was added:
/// it waits, unticked, in a preview of its own, under its own name, and
/// the user hears why. A choice made on another preview adds nothing.
#[test]
fn a_link_that_arrives_while_adding_waits_unticked() {
    let profile = Profile::new("links-adding");
    let desktop = Desktop::new(&profile);
    let app = profile.launch();
    app.wait_loaded();
    desktop.open(&format!(
        "otpauth://totp/First:me@example.com?secret={LINKED}&issuer=First"
    ));
    let found = app.wait_found(1);
    assert!(
        found[0].picked,
        "a link opening a preview is its own: {found:?}"
    );
    {
        // The adding waits on the keychain until the link is in.
        let _stopped = KeychainStopped::now();
        app.click("#enrol-confirm");
        app.wait_until("the adding to begin", || {
            let label = app.try_text("#enrol-confirm").map_err(|e| e.to_string())?;
            if label == "Adding…" {
                Ok(())
            } else {
                Err(format!("the button says {label:?}"))
            }
        });
        desktop.open(&format!(
            "otpauth://totp/Second:you@example.com?secret={SHOWN}&issuer=Second"
        ));
        app.wait_toast("A link arrived while adding");
    }
    app.wait_toast("Added 1 account");
    let found = app.wait_found(1);
    assert_eq!(
        (
            found[0].issuer.as_str(),
            found[0].name.as_str(),
            found[0].picked
        ),
        ("Second", "you@example.com", false),
        "the link's account, under its own name and not ticked"
    );
    let rows = app.wait_rows(1);
    assert_eq!(rows[0].issuer, "First");

    // A choice sent for a preview other than the one pending adds nothing.
    let said = app.execute(
        "return window.__TAURI__.core
           .invoke('confirm_enrolment', {
             choices: [{ index: 0, issuer: 'First', name: 'renamed' }],
             attempt: 1, preview: 0, seen: 1 })
           .then(() => 'added', (error) => error.message);",
        serde_json::json!([]),
    );
    assert_eq!(said, "The preview changed: look at it again and confirm");
    assert_eq!(app.count("#accounts li.account"), 1);

    // Ticked by the user, it is added as itself.
    app.click("#enrol-list .pick");
    let rows = app.confirm_found(2);
    let second = rows.iter().find(|r| r.issuer == "Second").expect("Second");
    app.assert_shown_totp(second, &Totp::default_for(SHOWN));
    app.quit();
}

/// The command line is wiped for an ordinary user too. Root may write any
/// process's memory whatever its state, so the other tests (run as root)
/// would not see a wipe that only root can make: here the app runs as
/// nobody, and the key must leave its command line.
#[test]
fn the_command_line_is_wiped_for_a_user_who_is_not_root() {
    let uid = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("Uid:"))
                .and_then(|ids| ids.split_whitespace().next().map(str::to_owned))
        })
        .expect("this process's uid");
    if uid != "0" {
        eprintln!("not root: the launches of the other tests are an ordinary user's already");
        return;
    }
    let home = tempfile::tempdir().expect("a home folder");
    std::fs::set_permissions(
        home.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o777),
    )
    .expect("a folder nobody may write");
    // A long link (over 256 bytes) with its key past the first 256: a wipe
    // that stopped short of the end of the arguments (a buffer of a fixed
    // size) would leave the key in the command line. Only the command line
    // is checked: the app rightly keeps the link, key and all, in its
    // memory until its page takes it in to show the account to add, so a
    // search of its memory could not tell a stray copy from that one.
    let link = format!(
        "otpauth://totp/{issuer}:someone%40example.com?issuer={issuer}\
         &algorithm=SHA1&digits=6&period=30&image=https%3A%2F%2Fexample.com%2F{padding}\
         &secret={LINKED}",
        issuer = "A%20rather%20long%20issuer%20name",
        padding = "x".repeat(160)
    );
    assert!(link.find(LINKED).is_some_and(|at| at > 256), "{link}");
    let mut child = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(app_binary())
        .arg(&link)
        .env("HOME", home.path())
        .env(DATA_DIR_VAR, home.path().join("data"))
        .env(SERVICE_VAR, "watchword-e2e-nobody")
        // Not root's session bus: nobody may not use it.
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("setpriv runs the app as nobody");
    let pid = child.id();
    let outcome = std::panic::catch_unwind(|| {
        watchword_e2e::wait_until(
            "the key to leave the command line",
            watchword_e2e::TIMEOUT,
            || {
                let line = std::fs::read(format!("/proc/{pid}/cmdline"))
                    .map_err(|e| format!("the app is gone: {e}"))?;
                if line.is_empty() {
                    return Err("the app is gone (no command line)".to_owned());
                }
                if String::from_utf8_lossy(&line).contains(LINKED) {
                    Err("the key is still in the command line".to_owned())
                } else {
                    Ok(())
                }
            },
        )
    });
    let _ = child.kill();
    let _ = child.wait();
    if let Err(failure) = outcome {
        std::panic::resume_unwind(failure);
    }
}

/// What the test's stand-in for a running Watchword saw on the bus.
enum Seen {
    /// A hand-over, from this unique name.
    HandOver(String),
    /// This unique name left the bus: everything it sent came before.
    Left(String),
}

/// Reads what reaches `connection` (which answers nothing) on a thread of
/// its own: each hand-over, and each client that leaves the bus.
fn watch_hand_overs(connection: &zbus::blocking::Connection) -> std::sync::mpsc::Receiver<Seen> {
    let rule = zbus::MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .interface("org.freedesktop.DBus")
        .and_then(|rule| rule.member("NameOwnerChanged"))
        .expect("a match rule")
        .build();
    zbus::blocking::fdo::DBusProxy::new(connection)
        .and_then(|bus| Ok(bus.add_match_rule(rule)?))
        .expect("told when a client leaves");
    let messages = zbus::blocking::MessageIterator::from(connection);
    let (tell, seen) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for message in messages.flatten() {
            let header = message.header();
            let member = header.member().map(|m| m.as_str().to_owned());
            let seen = match member.as_deref() {
                Some("ExecuteCallback") => header
                    .sender()
                    .map(|sender| Seen::HandOver(sender.to_string())),
                Some("NameOwnerChanged") => message
                    .body()
                    .deserialize::<(String, String, String)>()
                    .ok()
                    .filter(|(name, _, new)| name.starts_with(':') && new.is_empty())
                    .map(|(name, _, _)| Seen::Left(name)),
                _ => None,
            };
            if let Some(seen) = seen {
                if tell.send(seen).is_err() {
                    return;
                }
            }
        }
    });
    seen
}

/// A Watchword that holds its name on the session bus but takes nothing
/// (it is quitting, or hung): a link opened then is not lost in silence, no
/// second Watchword starts, nothing crashes and the link's key is not
/// repeated. The test holds the name itself and answers nothing, so every
/// hand-over times out. It is sent once: a Watchword that is only slow
/// may still take it, and asked again it would open the link twice.
#[test]
fn a_running_watchword_that_does_not_answer_is_named() {
    let profile = Profile::new("links-silent");
    let name = zbus::blocking::connection::Builder::session()
        .and_then(|builder| builder.name("org.watchword.desktop.SingleInstance"))
        .and_then(|builder| builder.build())
        .expect("the single-instance name, held by the test");
    let seen = watch_hand_overs(&name);
    let link = format!("otpauth://totp/Silent:me%40example.com?secret={LINKED}&issuer=Silent");
    let output = watchword_e2e::run_bounded(
        Command::new(app_binary())
            .arg(&link)
            .env(DATA_DIR_VAR, profile.data_dir())
            .env(SERVICE_VAR, profile.service())
            .env("RUST_BACKTRACE", "0"),
        watchword_e2e::TIMEOUT,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        output.status.code(),
        Some(1),
        "a clean exit with a failure; said: {}",
        output.stderr
    );
    assert!(
        output
            .stderr
            .contains("Watchword is running but did not answer; open the link or file again"),
        "the user is told: {}",
        output.stderr
    );
    assert!(!output.stderr.contains("panicked"), "{}", output.stderr);
    assert!(!output.stderr.contains(LINKED), "the key is never repeated");
    assert!(
        !profile.cli(&["list"]).contains("Silent"),
        "nothing was added"
    );
    // The launch has ended, so the bus has had all it sent: it is counted
    // up to its leaving.
    let mut sender = None;
    let mut hand_overs = 0;
    loop {
        match seen.recv_timeout(watchword_e2e::TIMEOUT) {
            Ok(Seen::HandOver(from)) => {
                hand_overs += 1;
                sender = Some(from);
            }
            Ok(Seen::Left(who)) if sender.as_ref() == Some(&who) => break,
            Ok(Seen::Left(_)) => {}
            Err(e) => panic!("the launch never left the bus ({hand_overs} hand-overs seen): {e}"),
        }
    }
    assert_eq!(hand_overs, 1, "a hand-over not answered is not sent again");
}

/// Started with no display (over SSH, from a service): a sentence and a
/// failing exit, not the window library's panic and backtrace.
#[test]
fn without_a_display_it_says_so_instead_of_panicking() {
    let profile = Profile::new("links-no-display");
    let output = watchword_e2e::run_bounded(
        Command::new(app_binary())
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env(DATA_DIR_VAR, profile.data_dir())
            .env(SERVICE_VAR, profile.service())
            .env("RUST_BACKTRACE", "0"),
        watchword_e2e::TIMEOUT,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(1), "said: {}", output.stderr);
    assert!(
        output
            .stderr
            .contains("watchword: cannot start: no display could be opened"),
        "the user is told: {}",
        output.stderr
    );
    assert!(!output.stderr.contains("panicked"), "{}", output.stderr);
}
