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
    xvfb: Child,
    weston: Child,
    runtime: tempfile::TempDir,
    socket: PathBuf,
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
        let mut xvfb = Command::new("Xvfb")
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
            .expect("start Xvfb");
        let display = read_display_number(&mut xvfb);
        let log = std::fs::File::create(runtime.path().join("weston.log")).expect("weston log");
        let weston = Command::new("weston")
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
            .expect("start weston");
        let socket = runtime.path().join("wayland-watchword");
        let mut session = Self {
            xvfb,
            weston,
            runtime,
            socket,
        };
        session.wait_ready();
        session
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.weston.try_wait() {
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
    /// copying it would (wl-copy serves it from the background), and waits
    /// until `app`'s window has it. wl-copy takes the keyboard focus for a
    /// moment to copy; a Wayland client hears of a new clipboard only when
    /// it gets the focus back (as after a user's click), and its page takes
    /// keys again only once it has seen that focus. So: wait for both the
    /// offer in the window's protocol trace and the page's focus event.
    pub fn copy_file(&self, app: &App<'_>, path: &Path, mime: &str) {
        let offers_before = clipboard_offers(&app.output());
        app.execute(
            "window.__focusSeen = [];
             if (!window.__focusWatched) {
               window.__focusWatched = true;
               addEventListener('blur', () => window.__focusSeen.push('blur'));
               addEventListener('focus', () => window.__focusSeen.push('focus'));
             }",
            serde_json::json!([]),
        );
        let input = std::fs::File::open(path).expect("open the file to copy");
        let status = self
            .client("wl-copy")
            .args(["--type", mime])
            .stdin(input)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run wl-copy");
        assert!(status.success(), "wl-copy failed ({status})");
        app.wait_until("the window to be offered the new clipboard", || {
            let offers = clipboard_offers(&app.output());
            if offers <= offers_before {
                return Err(format!("{offers} offers, as before the copy"));
            }
            let seen = app
                .try_execute(
                    "return window.__focusSeen.join(' ');",
                    serde_json::json!([]),
                )
                .map_err(|e| e.to_string())?;
            let seen = seen.as_str().unwrap_or_default().to_owned();
            if seen.contains("blur") && seen.ends_with("focus") {
                Ok(())
            } else {
                Err(format!("the page saw {seen:?}, not its focus back"))
            }
        });
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
/// protocol trace: "wl_data_device@15.selection(wl_data_offer@…)".
fn clipboard_offers(trace: &str) -> usize {
    trace
        .lines()
        .filter(|line| line.contains(".selection(wl_data_offer@"))
        .count()
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

impl Drop for Weston {
    fn drop(&mut self) {
        for child in [&mut self.weston, &mut self.xvfb] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
