//! A Wayland session with no X server for the app: weston, nested in an
//! Xvfb of its own (weston's headless backend has no seat, so no
//! clipboard; its X11 backend has one), and wl-clipboard to copy and paste
//! in it as another program would. The app is started there with no
//! `DISPLAY` at all, as on a desktop without Xwayland.

use crate::app::App;
use crate::env::require_program;
use crate::profile::Profile;
use crate::tools::run_bounded;
use crate::{POLL, TIMEOUT, TOOL_TIMEOUT};
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

/// weston on an Xvfb of its own; both stopped on drop.
pub struct Weston {
    // Stopped in this order: the clients, the compositor, its X server.
    /// wl-copy servers, each serving its copy until another replaces it.
    copies: std::cell::RefCell<Vec<Stopped>>,
    weston: Stopped,
    _xvfb: Stopped,
    runtime: tempfile::TempDir,
    socket: PathBuf,
}

/// A child process, stopped (SIGTERM, then SIGKILL) when dropped, so that
/// a panic part-way through leaves nothing running (and Xvfb no lock file).
struct Stopped(Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + std::time::Duration::from_secs(5);
        while Instant::now() < deadline {
            if !matches!(self.0.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl std::fmt::Debug for Weston {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Weston")
            .field("socket", &self.socket)
            .finish_non_exhaustive()
    }
}

impl Weston {
    /// Starts Xvfb and weston, and waits for weston's socket.
    pub fn start() -> Self {
        for program in ["Xvfb", "weston", "wl-copy", "wl-paste"] {
            require_program(program);
        }
        let runtime = tempfile::Builder::new()
            .prefix("watchword-wayland-")
            .tempdir()
            .expect("create a runtime folder");
        // Wayland refuses a runtime folder others could enter.
        std::fs::set_permissions(runtime.path(), std::fs::Permissions::from_mode(0o700))
            .expect("make the runtime folder private");
        let mut xvfb = Stopped(
            Command::new("Xvfb")
                .args([
                    "-displayfd",
                    "1",
                    "-screen",
                    "0",
                    "1280x800x24",
                    "-nolisten",
                    "tcp",
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("start Xvfb"),
        );
        let display = read_display_number(&mut xvfb.0);
        let log = std::fs::File::create(runtime.path().join("weston.log")).expect("weston log");
        let weston = Stopped(
            Command::new("weston")
                .args([
                    "--backend=x11-backend.so",
                    "--use-pixman",
                    "--no-config",
                    "--idle-time=0",
                    "--width=1024",
                    "--height=768",
                    "--socket=wayland-watchword",
                ])
                .env("DISPLAY", format!(":{display}"))
                .env("XDG_RUNTIME_DIR", runtime.path())
                .env_remove("WAYLAND_DISPLAY")
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("clone the log handle"))
                .stderr(log)
                .spawn()
                .expect("start weston"),
        );
        let socket = runtime.path().join("wayland-watchword");
        let mut session = Self {
            copies: std::cell::RefCell::new(Vec::new()),
            weston,
            _xvfb: xvfb,
            runtime,
            socket,
        };
        session.wait_ready();
        session
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.weston.0.try_wait() {
                panic!("weston exited ({status}):\n{}", self.log());
            }
            // The socket appears once weston listens; then a client that
            // connects is told nothing is copied yet.
            let answers = match self.paste(&["--list-types"]) {
                Ok(_) => true,
                Err(said) => nothing_copied(&said),
            };
            if self.socket.exists() && answers {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "weston did not start within {TIMEOUT:?}:\n{}",
                self.log()
            );
            std::thread::sleep(POLL);
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.runtime.path().join("weston.log")).unwrap_or_default()
    }

    /// The environment of a client of this session: the Wayland socket,
    /// and no X display.
    fn client(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command
            .env("WAYLAND_DISPLAY", &self.socket)
            .env("XDG_RUNTIME_DIR", self.runtime.path())
            .env_remove("DISPLAY");
        command
    }

    /// Makes `profile`'s launches of the app clients of this session, with
    /// no X display to fall back on.
    pub fn host(&self, profile: &Profile) {
        profile.set_env("WAYLAND_DISPLAY", &self.socket.to_string_lossy());
        profile.set_env("XDG_RUNTIME_DIR", &self.runtime.path().to_string_lossy());
        profile.set_env("GDK_BACKEND", "wayland");
        // The protocol trace tells when the window was offered a new
        // clipboard (see `Weston::copy_file`).
        profile.set_env("WAYLAND_DEBUG", "client");
        profile.unset_env("DISPLAY");
    }

    /// Puts the file at `path` on the clipboard as `mime`, as a program
    /// copying it would, and waits until `app`'s window has it. wl-copy
    /// takes the keyboard focus for a moment to copy; a Wayland client hears
    /// of a new clipboard only when it gets the focus back (as after a
    /// user's click).
    pub fn copy_file(&self, app: &App<'_>, path: &Path, mime: &str) {
        let trace = app.output();
        let offers_before = clipboard_offers(&trace);
        let entered_before = focus_changes(&trace).0;
        let input = std::fs::File::open(path).expect("open the file to copy");
        // In the foreground, so that it is stopped with the session; it
        // exits by itself once another copy replaces its own.
        let server = self
            .client("wl-copy")
            .args(["--foreground", "--type", mime])
            .stdin(input)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("run wl-copy");
        self.copies.borrow_mut().push(Stopped(server));
        // The focus back (GTK has handled it once the trace shows it:
        // libwayland writes the trace as it dispatches each event), and the
        // new clipboard with it.
        app.wait_until("the window to get the focus and the new clipboard", || {
            let trace = app.output();
            let (entered, has_focus) = focus_changes(&trace);
            let offers = clipboard_offers(&trace);
            if entered > entered_before && has_focus && offers > offers_before {
                Ok(())
            } else {
                Err(format!(
                    "since the copy the window got the focus {} times (has it: \
                     {has_focus}) and {} new clipboards",
                    entered - entered_before,
                    offers - offers_before
                ))
            }
        });
    }

    /// Gives `app`'s window a fresh input serial, as a user's click on it
    /// would: WebDriver's clicks are made up inside WebKit, and the
    /// compositor never sees them, and a copy made with the serial of an
    /// older copy is ignored (weston keeps the newer selection). wl-copy
    /// takes the focus for a moment and gives it back with a new serial;
    /// what it copies (`text`) is replaced by the app's next copy.
    pub fn refocus(&self, app: &App<'_>, text: &str) {
        let file = self.runtime.path().join("refocus.txt");
        std::fs::write(&file, text).expect("write the text to copy");
        self.copy_file(app, &file, "text/plain;charset=utf-8");
    }

    /// The MIME types the clipboard offers; `Err` when nothing is copied.
    pub fn paste_types(&self) -> Result<Vec<String>, String> {
        let output = self.paste(&["--list-types"])?;
        Ok(output.lines().map(str::to_owned).collect())
    }

    /// What the clipboard holds as `mime`, exactly; `Ok(None)` when nothing
    /// is copied (nobody owns the clipboard).
    pub fn paste_as(&self, mime: &str) -> Result<Option<String>, String> {
        match self.paste(&["--no-newline", "--type", mime]) {
            Ok(text) => Ok(Some(text)),
            Err(said) if nothing_copied(&said) => Ok(None),
            Err(said) => Err(said),
        }
    }

    fn paste(&self, args: &[&str]) -> Result<String, String> {
        let output = run_bounded(self.client("wl-paste").args(args), TOOL_TIMEOUT)?;
        if output.status.success() {
            Ok(output.stdout)
        } else {
            Err(format!("wl-paste {args:?}: {}", output.stderr.trim()))
        }
    }
}

/// How many times the window was told of a new clipboard content, in its
/// protocol trace: "wl_data_device@15.selection(wl_data_offer@…)" (libwayland
/// 1.23 and later write `#` for `@`).
fn clipboard_offers(trace: &str) -> usize {
    trace
        .lines()
        .filter(|line| line.contains(".selection(wl_data_offer"))
        .count()
}

/// How many times the window got the keyboard focus, and whether it has it
/// now, from its protocol trace: "wl_keyboard@7.enter(…)" and
/// "wl_keyboard@7.leave(…)".
fn focus_changes(trace: &str) -> (usize, bool) {
    let mut entered = 0;
    let mut has_focus = false;
    for line in trace.lines().filter(|line| line.contains("wl_keyboard")) {
        if line.contains(".enter(") {
            entered += 1;
            has_focus = true;
        } else if line.contains(".leave(") {
            has_focus = false;
        }
    }
    (entered, has_focus)
}

/// Whether wl-paste said that nobody owns the clipboard (wl-clipboard 2.1
/// says "No selection", later ones "Nothing is copied").
fn nothing_copied(said: &str) -> bool {
    said.ends_with("No selection") || said.ends_with("Nothing is copied")
}

/// Xvfb writes the display it chose, then a newline, to `-displayfd`.
fn read_display_number(xvfb: &mut Child) -> u32 {
    let stdout = xvfb.stdout.take().expect("Xvfb's stdout");
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(line);
    });
    let line = receiver
        .recv_timeout(TIMEOUT)
        .expect("Xvfb did not say which display it took");
    line.trim()
        .parse()
        .unwrap_or_else(|_| panic!("Xvfb said {line:?}, not a display number"))
}
