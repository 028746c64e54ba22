//! End-to-end test harness: drives the real Watchword window under Xvfb
//! through tauri-driver and WebKitWebDriver, against a real Secret Service.
//!
//! Run the tests through `scripts/test.sh` (it makes a private D-Bus session
//! with an unlocked gnome-keyring and an Xvfb display). Each test makes a
//! [`Profile`] (a fresh data folder and a unique keychain service name, both
//! cleaned up on drop) and launches the app from it with [`Profile::launch`];
//! dropping the [`App`] closes the session and stops tauri-driver, so a second
//! `launch` of the same profile is a restart.
//!
//! Tests are serialised by the profile (one app on the display and the
//! clipboard at a time) and every wait is bounded.

pub mod xdnd;

use image::ImageEncoder;
use serde_json::{json, Value};
use std::cell::Cell;
use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long a wait for the UI may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(15);
/// How often waits look again.
const POLL: Duration = Duration::from_millis(100);
/// Bound on one HTTP request; creating a session starts the app, which is the
/// slowest of them.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Bound on helper programs (cargo build excepted).
const TOOL_TIMEOUT: Duration = Duration::from_secs(20);
/// The W3C key of an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Environment variable that overrides the app's data folder.
pub const DATA_DIR_VAR: &str = "WATCHWORD_DATA_DIR";
/// Environment variable that overrides the app's keychain service name.
pub const SERVICE_VAR: &str = "WATCHWORD_KEYCHAIN_SERVICE";

// ---------------------------------------------------------------------------
// Environment and build
// ---------------------------------------------------------------------------

/// Fails (never skips) when the private session made by scripts/test.sh is
/// not there: without it the app would touch the user's own keychain, or
/// have no display at all.
pub fn require_test_environment() {
    let missing: Vec<&str> = ["DISPLAY", "DBUS_SESSION_BUS_ADDRESS"]
        .into_iter()
        .filter(|name| std::env::var_os(name).is_none_or(|v| v.is_empty()))
        .collect();
    assert!(
        missing.is_empty(),
        "{} not set: the end-to-end tests need the private D-Bus session (with an unlocked \
         gnome-keyring) and the Xvfb display that scripts/test.sh sets up. Run them with \
         `scripts/test.sh` (only these: `scripts/test.sh --test e2e`).",
        missing.join(" and ")
    );
}

/// The workspace root (the folder above this crate).
pub fn workspace_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .expect("the e2e crate lives in a folder of the workspace")
        .to_path_buf()
}

/// Environment variable that makes the harness build and run release
/// binaries (`WATCHWORD_APP_PROFILE=release`), as the benchmarks do.
pub const PROFILE_VAR: &str = "WATCHWORD_APP_PROFILE";

fn release() -> bool {
    std::env::var(PROFILE_VAR).is_ok_and(|p| p == "release")
}

/// The app binary, built on first use (`cargo build -p watchword`) so that
/// `cargo test -p watchword-e2e` alone tests the current source.
pub fn app_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let workspace = workspace_dir();
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(&cargo)
            .current_dir(&workspace)
            .args(["build", "-p", "watchword", "--quiet", "--manifest-path"])
            .arg(workspace.join("Cargo.toml"))
            .args(release().then_some("--release"))
            .stdin(Stdio::null())
            .status()
            .unwrap_or_else(|e| panic!("cannot run {} build: {e}", cargo.to_string_lossy()));
        assert!(
            status.success(),
            "`cargo build -p watchword` failed ({status})"
        );
        let target = match std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
            Some(dir) => workspace.join(dir), // an absolute path replaces the base
            None => workspace.join("target"),
        };
        let binary = target
            .join(if release() { "release" } else { "debug" })
            .join(format!("watchword{}", std::env::consts::EXE_SUFFIX));
        assert!(
            binary.is_file(),
            "cargo built watchword but {} does not exist",
            binary.display()
        );
        binary
    })
}

/// The CLI binary, built on first use like [`app_binary`].
pub fn cli_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let binary =
            app_binary().with_file_name(format!("watchword-cli{}", std::env::consts::EXE_SUFFIX));
        let workspace = workspace_dir();
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(&cargo)
            .current_dir(&workspace)
            .args(["build", "-p", "watchword-cli", "--quiet"])
            .args(release().then_some("--release"))
            .stdin(Stdio::null())
            .status()
            .unwrap_or_else(|e| panic!("cannot run {} build: {e}", cargo.to_string_lossy()));
        assert!(status.success(), "`cargo build -p watchword-cli` failed");
        binary
    })
}

fn tauri_driver() -> PathBuf {
    if let Some(found) = find_in_path("tauri-driver") {
        return found;
    }
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let candidate = cargo_home.map(|h| h.join("bin").join("tauri-driver"));
    match candidate {
        Some(path) if path.is_file() => path,
        _ => panic!(
            "tauri-driver not found in PATH nor in $CARGO_HOME/bin: run scripts/test.sh, \
             which installs it (scripts/setup.sh test)"
        ),
    }
}

fn find_in_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

fn require_program(program: &str) {
    assert!(
        find_in_path(program).is_some(),
        "{program} is not in PATH; scripts/test.sh (scripts/setup.sh test) installs it"
    );
}

// ---------------------------------------------------------------------------
// Helper programs, bounded
// ---------------------------------------------------------------------------

/// What a helper program printed.
#[derive(Debug)]
pub struct ToolOutput {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `command` to completion, killing it after `limit`.
pub fn run_bounded(command: &mut Command, limit: Duration) -> Result<ToolOutput, String> {
    run_bounded_with_input(command, None, limit)
}

/// [`run_bounded`] with `input` written to the command's standard input
/// (how keys reach `watchword-cli`, which refuses them as arguments).
pub fn run_bounded_with_input(
    command: &mut Command,
    input: Option<&str>,
    limit: Duration,
) -> Result<ToolOutput, String> {
    let what = format!("{command:?}");
    let mut child = command
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        // Small (a key or a URI): fits the pipe, so this does not block.
        let _ = stdin.write_all(input.as_bytes());
    }
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let deadline = Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{what} did not finish within {limit:?}"));
            }
            Err(e) => return Err(format!("cannot wait for {what}: {e}")),
        }
    };
    Ok(ToolOutput {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

/// Runs a helper program that must succeed; returns its stdout.
fn tool(command: &mut Command) -> String {
    tool_with_input(command, None)
}

/// [`tool`] with `input` on its standard input.
fn tool_with_input(command: &mut Command, input: Option<&str>) -> String {
    let what = format!("{command:?}");
    let output =
        run_bounded_with_input(command, input, TOOL_TIMEOUT).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        output.status.success(),
        "{what} failed ({}): {}",
        output.status,
        output.stderr.trim()
    );
    output.stdout
}

/// The text on the X clipboard (`xclip -selection clipboard -o`), exactly.
pub fn clipboard_text() -> Result<String, String> {
    let output = run_bounded(
        Command::new("xclip").args(["-selection", "clipboard", "-o"]),
        TOOL_TIMEOUT,
    )?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(format!(
            "xclip could not read the clipboard: {}",
            output.stderr.trim()
        ))
    }
}

/// What the X clipboard offers as text: `None` when no program offers text
/// (nobody owns the clipboard, as after Watchword clears it; xclip then says
/// "target … not available"). Any other failure of xclip is an error, never
/// taken for an empty clipboard.
pub fn clipboard_holds() -> Result<Option<String>, String> {
    let output = run_bounded(
        Command::new("xclip").args(["-selection", "clipboard", "-o"]),
        TOOL_TIMEOUT,
    )?;
    if output.status.success() {
        return Ok(Some(output.stdout));
    }
    let said = output.stderr.trim();
    if said.starts_with("Error: target ") && said.ends_with(" not available") {
        Ok(None)
    } else {
        Err(format!("xclip could not read the clipboard: {said}"))
    }
}

// ---------------------------------------------------------------------------
// QR codes: drawn, put on the clipboard, shown on the screen
// ---------------------------------------------------------------------------

/// A PNG of a light page with each payload's QR code side by side, `scale`
/// pixels a module, as a screenshot of a web page shows them.
pub fn qr_page_png(payloads: &[&str], scale: usize) -> Vec<u8> {
    let codes: Vec<qrcode::QrCode> = payloads
        .iter()
        .map(|text| qrcode::QrCode::new(text.as_bytes()).expect("the payload fits a QR code"))
        .collect();
    let margin = 40;
    let side = |code: &qrcode::QrCode| code.width() * scale;
    let width = codes.iter().map(|c| side(c) + margin).sum::<usize>() + margin;
    let height = codes.iter().map(side).max().unwrap_or(0) + 2 * margin;
    let mut pixels = vec![250u8; width * height];
    let mut left = margin;
    for code in &codes {
        let modules = code.width();
        for (i, color) in code.to_colors().into_iter().enumerate() {
            if color == qrcode::Color::Dark {
                let (x, y) = (left + (i % modules) * scale, margin + (i / modules) * scale);
                for row in y..y + scale {
                    pixels[row * width + x..row * width + x + scale].fill(20);
                }
            }
        }
        left += side(code) + margin;
    }
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(
            &pixels,
            width as u32,
            height as u32,
            image::ExtendedColorType::L8,
        )
        .expect("a PNG in memory");
    png
}

/// Puts the PNG file at `path` on the X clipboard as `image/png`, as a
/// screenshot tool does. xclip keeps serving it in the background until
/// something else takes the clipboard.
pub fn put_clipboard_image(path: &Path) {
    require_program("xclip");
    let mut command = Command::new("xclip");
    command
        .args(["-selection", "clipboard", "-t", "image/png", "-i"])
        .arg(path);
    run_detaching(&mut command);
}

/// Puts `text` on the X clipboard.
pub fn put_clipboard_text(dir: &Path, text: &str) {
    let file = dir.join("clipboard.txt");
    std::fs::write(&file, text).expect("write the clipboard text");
    let mut command = Command::new("xclip");
    command.args(["-selection", "clipboard", "-i"]).arg(&file);
    run_detaching(&mut command);
}

/// Runs a program that forks a server into the background (xclip): its
/// output goes nowhere, so nothing waits on the server's pipes.
fn run_detaching(command: &mut Command) {
    let what = format!("{command:?}");
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    let deadline = Instant::now() + TOOL_TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                assert!(status.success(), "{what} failed ({status})");
                return;
            }
            Ok(None) if Instant::now() < deadline => std::thread::sleep(POLL),
            _ => {
                let _ = child.kill();
                panic!("{what} did not finish within {TOOL_TIMEOUT:?}");
            }
        }
    }
}

/// The QR payloads in a PNG as zbarimg (ZBar, a decoder independent of
/// Watchword's) reads them, one per code.
pub fn zbar_read(png: &[u8]) -> Vec<String> {
    require_program("zbarimg");
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("shot.png");
    std::fs::write(&path, png).expect("write the image");
    let out = run_bounded(
        Command::new("zbarimg")
            .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
            .arg(&path),
        TOOL_TIMEOUT,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "zbarimg found no QR code: {}",
        out.stderr.trim()
    );
    out.stdout.lines().map(str::to_owned).collect()
}

/// Of the viewable top-level windows titled exactly `names`, the one highest
/// in the X stacking order (no window manager runs under Xvfb, so stacking
/// is what "in front" means there).
pub fn topmost_of(names: &[&str]) -> Result<String, String> {
    let tree = run_bounded(
        Command::new("xwininfo").args(["-root", "-children"]),
        TOOL_TIMEOUT,
    )?;
    // xwininfo lists the root's children top-most first (seen on Xvfb: a
    // window raised with xdotool moves to the head of the list).
    for line in tree.stdout.lines() {
        let line = line.trim_start();
        let Some(id) = line.strip_prefix("0x").and_then(|l| l.split(' ').next()) else {
            continue;
        };
        let Some(name) = names.iter().find(|n| line.contains(&format!(" \"{n}\":"))) else {
            continue;
        };
        let info = run_bounded(
            Command::new("xwininfo").args(["-id", &format!("0x{id}")]),
            TOOL_TIMEOUT,
        )?;
        if info.stdout.contains("Map State: IsViewable") {
            return Ok((*name).to_owned());
        }
    }
    Err(format!("none of {names:?} is viewable"))
}

/// Raises every viewable window titled exactly `name` to the top of the
/// stacking order (xdotool, as a window manager would on a click).
pub fn raise_window(name: &str) {
    require_program("xdotool");
    let ids = tool(Command::new("xdotool").args([
        "search",
        "--onlyvisible",
        "--name",
        &format!("^{name}$"),
    ]));
    for id in ids.lines() {
        tool(Command::new("xdotool").args(["windowraise", id]));
    }
}

/// An image shown in its own window on the display (feh), closed on drop.
#[derive(Debug)]
pub struct ShownImage(Child);

/// Shows the image at `path` with its top-left corner at (`x`, `y`).
pub fn show_image(path: &Path, x: u32, y: u32) -> ShownImage {
    require_program("feh");
    let child = Command::new("feh")
        .args(["--no-menus", "--borderless", "--title", "QR code"])
        .arg(format!("--geometry=+{x}+{y}"))
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run feh: {e}"));
    let shown = ShownImage(child);
    // Mapped and viewable: feh paints on the first expose, and a scan that
    // still finds nothing is retried by the caller on that state.
    wait_until("feh's window to be viewable", TIMEOUT, || {
        let info = run_bounded(
            Command::new("xwininfo").args(["-name", "QR code"]),
            TOOL_TIMEOUT,
        )?;
        if info.stdout.contains("Map State: IsViewable") {
            Ok(())
        } else {
            Err(format!(
                "no viewable window named \"QR code\" yet: {}",
                info.stderr.trim()
            ))
        }
    });
    shown
}

impl Drop for ShownImage {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// In the native file dialog titled `title` (GTK's file chooser), types
/// `path` into its location bar and presses Enter, with real key events
/// (xdotool, through XTEST) as a person would.
pub fn choose_in_file_dialog(title: &str, path: &Path) {
    type_path_into_dialog(title, "ctrl+l", path);
}

/// In the native save dialog titled `title`, replaces the file name with
/// `path` (GTK takes a whole path there) and presses Enter.
pub fn save_in_file_dialog(title: &str, path: &Path) {
    type_path_into_dialog(title, "ctrl+a", path);
}

/// Focuses the dialog, presses `first` (to reach the field for a path),
/// types `path` and presses Enter, each step once GTK is in the state that
/// takes it, as the accessibility tree shows ([`dialog_state`]): keys sent
/// to a dialog still setting itself up are lost, and without a window
/// manager the X focus says nothing about that.
fn type_path_into_dialog(title: &str, first: &str, path: &Path) {
    let window = wait_for_window(title);
    tool(Command::new("xdotool").args(["windowfocus", "--sync", &window]));
    wait_for_dialog(title, "to be active", |active, _| active);
    tool(Command::new("xdotool").args(["key", "--clearmodifiers", first]));
    wait_for_dialog(title, "to focus a text field", |_, entry| entry.is_some());
    // Select what the field holds, so the path replaces it; keys reach the
    // focused field in the order they were sent.
    tool(Command::new("xdotool").args(["key", "--clearmodifiers", "ctrl+a"]));
    tool(
        Command::new("xdotool")
            .args(["type", "--delay", "15", "--clearmodifiers", "--"])
            .arg(path),
    );
    let typed = path.to_string_lossy();
    wait_for_dialog(title, &format!("to hold {typed:?}"), |_, entry| {
        entry == Some(typed.as_ref())
    });
    // Enter is sometimes lost (seen once under load: the dialog stayed
    // open, its field holding the path). While the dialog is still
    // active with that path in its focused field, Enter can only go there,
    // so it is pressed again, at most three times.
    let mut state = DialogState::Absent;
    for _ in 0..3 {
        tool(Command::new("xdotool").args(["key", "--clearmodifiers", "Return"]));
        let deadline = Instant::now() + TIMEOUT / 3;
        state = loop {
            match dialog_state(title) {
                Ok(DialogState::Absent) => return,
                Ok(open) if Instant::now() >= deadline => break open,
                Err(e) if Instant::now() >= deadline => {
                    panic!("cannot see whether {title:?} closed: {e}")
                }
                _ => std::thread::sleep(POLL),
            }
        };
        let still_typed = DialogState::Open {
            active: true,
            entry: Some(typed.clone().into_owned()),
        };
        assert_eq!(
            state, still_typed,
            "the dialog {title:?} did not close after Enter and is no longer as typed"
        );
        eprintln!("the dialog {title:?} is still open after Enter; pressing it again");
    }
    panic!("the dialog {title:?} is still open after Enter three times: {state:?}");
}

/// What the accessibility tree (AT-SPI) says of a dialog.
#[derive(Debug, PartialEq, Eq)]
enum DialogState {
    /// No showing window with that title.
    Absent,
    Open {
        /// GTK made it the active window (it has taken the focus).
        active: bool,
        /// What the focused editable text field holds, if one is focused.
        entry: Option<String>,
    },
}

/// The state of the window titled `title`, read by tests/dialog_state.py
/// through AT-SPI (GTK exposes its widgets on the accessibility bus, which
/// the private D-Bus session starts on demand).
fn dialog_state(title: &str) -> Result<DialogState, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("dialog_state.py");
    // The system Python: python3-gi and gir1.2-atspi-2.0 are Debian
    // packages, which another python3 earlier in PATH may not see.
    let output = run_bounded(
        Command::new("/usr/bin/python3").arg(script).arg(title),
        TOOL_TIMEOUT,
    )?;
    if !output.status.success() {
        return Err(format!(
            "dialog_state.py failed ({}): {}",
            output.status,
            output.stderr.trim()
        ));
    }
    let mut lines = output.stdout.lines();
    match lines.next() {
        Some("absent") => Ok(DialogState::Absent),
        Some(open) if open.starts_with("open active=") => Ok(DialogState::Open {
            active: open == "open active=1",
            entry: lines
                .next()
                .and_then(|line| line.strip_prefix("entry "))
                .map(str::to_owned),
        }),
        _ => Err(format!("dialog_state.py printed {:?}", output.stdout)),
    }
}

/// Waits until the dialog titled `title` is open and `ready` holds for it
/// (whether it is active, what its focused text field holds).
fn wait_for_dialog(title: &str, what: &str, ready: impl Fn(bool, Option<&str>) -> bool) {
    wait_until(
        &format!("the dialog {title:?} {what}"),
        TIMEOUT,
        || match dialog_state(title)? {
            DialogState::Open { active, entry } if ready(active, entry.as_deref()) => Ok(()),
            state => Err(format!("{state:?}")),
        },
    );
}

/// The X window id of a visible window titled `title`, once it is there.
fn wait_for_window(title: &str) -> String {
    require_program("xdotool");
    wait_until(&format!("a dialog titled {title:?}"), TIMEOUT, || {
        let found = run_bounded(
            Command::new("xdotool").args(["search", "--onlyvisible", "--name", title]),
            TOOL_TIMEOUT,
        )?;
        found
            .stdout
            .lines()
            .next()
            .map(str::to_owned)
            .ok_or_else(|| "no such window yet".to_owned())
    })
}

/// WebDriver's key for Enter.
pub const KEY_ENTER: char = '\u{E007}';
/// WebDriver's key for Escape.
pub const KEY_ESCAPE: char = '\u{E00C}';
/// WebDriver's key for the down arrow.
pub const KEY_DOWN: char = '\u{E015}';
/// WebDriver's key for the up arrow.
pub const KEY_UP: char = '\u{E013}';
/// WebDriver's key for Ctrl.
pub const KEY_CONTROL: char = '\u{E009}';
/// WebDriver's key for Alt.
pub const KEY_ALT: char = '\u{E00A}';

/// One account in the "accounts found" preview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub issuer: String,
    pub name: String,
    pub details: String,
    pub picked: bool,
    pub duplicate: bool,
}

/// The formats the X clipboard's owner offers (`xclip -o -t TARGETS`).
pub fn clipboard_targets() -> Result<Vec<String>, String> {
    let output = run_bounded(
        Command::new("xclip").args(["-selection", "clipboard", "-o", "-t", "TARGETS"]),
        TOOL_TIMEOUT,
    )?;
    Ok(output.stdout.lines().map(str::to_owned).collect())
}

// ---------------------------------------------------------------------------
// Expected codes (oathtool)
// ---------------------------------------------------------------------------

/// Seconds since the Unix epoch, with fractions.
pub fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs_f64()
}

/// A time-based account's parameters, for computing expected codes.
#[derive(Clone, Copy, Debug)]
pub struct Totp<'a> {
    /// Base32 key, as oathtool takes it.
    pub key: &'a str,
    /// `SHA1`, `SHA256` or `SHA512`.
    pub algorithm: &'a str,
    pub digits: u32,
    /// Seconds per code.
    pub period: u64,
}

impl Totp<'_> {
    /// The default kind: SHA1, 6 digits, 30 s.
    pub fn default_for(key: &str) -> Totp<'_> {
        Totp {
            key,
            algorithm: "SHA1",
            digits: 6,
            period: 30,
        }
    }

    /// `oathtool --totp` at `unix` seconds.
    pub fn code_at(&self, unix: u64) -> String {
        let out = tool(Command::new("oathtool").args([
            format!("--totp={}", self.algorithm),
            "--base32".into(),
            format!("--digits={}", self.digits),
            format!("--time-step-size={}s", self.period),
            format!("--now=@{unix}"),
            self.key.into(),
        ]));
        let code = out.trim().to_owned();
        assert!(
            code.len() == self.digits as usize && code.bytes().all(|b| b.is_ascii_digit()),
            "oathtool printed {out:?}"
        );
        code
    }

    /// The time step `unix` falls in.
    pub fn step(&self, unix: f64) -> u64 {
        (unix / self.period as f64).floor() as u64
    }

    /// Sleeps, if need be, until the clock corrected by `offset` seconds is
    /// `earliest` seconds or more into a step and at most `latest`: for
    /// steps that must not straddle a boundary. Returns the uncorrected
    /// time then.
    pub fn sleep_into_step(&self, offset: i64, earliest: f64, latest: f64) -> f64 {
        let period = self.period as f64;
        assert!(0.0 <= earliest && earliest < latest && latest < period);
        let now = unix_now() + offset as f64;
        let into = now % period;
        if !(earliest..=latest).contains(&into) {
            let start = now - into + if into < earliest { 0.0 } else { period };
            sleep_until(start + earliest - offset as f64);
        }
        unix_now()
    }
}

/// Steam Guard's code at `unix`, computed apart from Watchword (Python's
/// hmac): HMAC-SHA1 TOTP over 30 s, the 31-bit value written as 5 characters
/// of Steam's alphabet, least significant first.
pub fn steam_code(key: &str, unix: u64) -> String {
    const STEAM_PY: &str = r#"
import base64, hashlib, hmac, struct, sys
key = base64.b32decode(sys.argv[1] + "=" * (-len(sys.argv[1]) % 8))
mac = hmac.new(key, struct.pack(">Q", int(sys.argv[2]) // 30), hashlib.sha1).digest()
offset = mac[-1] & 15
value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
code = ""
for _ in range(5):
    code += "23456789BCDFGHJKMNPQRTVWXY"[value % 26]
    value //= 26
print(code)
"#;
    let out = tool(Command::new("python3").args(["-c", STEAM_PY, key, &unix.to_string()]));
    out.trim().to_owned()
}

/// `oathtool --hotp` for `counter`.
pub fn hotp_code(key: &str, digits: u32, counter: u64) -> String {
    let out = tool(Command::new("oathtool").args([
        "--hotp".into(),
        "--base32".into(),
        format!("--digits={digits}"),
        format!("--counter={counter}"),
        key.to_owned(),
    ]));
    out.trim().to_owned()
}

/// How the UI groups a code: "123 456", "1234 5678"; 9 digits in threes.
pub fn grouped(code: &str) -> String {
    if code.len() < 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return code.to_owned();
    }
    if code.len() == 9 {
        return format!("{} {} {}", &code[..3], &code[3..6], &code[6..]);
    }
    let half = code.len() / 2;
    format!("{} {}", &code[..half], &code[half..])
}

/// `text` without whitespace.
pub fn digits_of(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

// ---------------------------------------------------------------------------
// Profile: an isolated data folder and keychain service
// ---------------------------------------------------------------------------

fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    // A failed test poisons the lock; the next one still runs.
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One isolated user of the app: a data folder and a keychain service name
/// of its own. Dropping it removes the keychain items (even when the test
/// failed) and the folder. Holds the lock that runs end-to-end tests one at a
/// time.
pub struct Profile {
    name: String,
    root: tempfile::TempDir,
    data_dir: PathBuf,
    service: String,
    launches: Cell<u32>,
    /// Extra environment for the app's launches (`GTK_THEME`, …).
    env: std::cell::RefCell<Vec<(String, String)>>,
    _serial: MutexGuard<'static, ()>,
}

impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Profile")
            .field("name", &self.name)
            .field("data_dir", &self.data_dir)
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

impl Profile {
    /// A fresh profile for the test called `name`.
    pub fn new(name: &str) -> Self {
        require_test_environment();
        for program in ["WebKitWebDriver", "oathtool", "xclip", "secret-tool"] {
            require_program(program);
        }
        let serial = serial();
        let root = tempfile::Builder::new()
            .prefix(&format!("watchword-e2e-{name}-"))
            .tempdir()
            .expect("create a temporary folder for the test");
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("the clock is after 1970")
            .as_nanos();
        Self {
            name: name.to_owned(),
            data_dir: root.path().join("data"),
            root,
            service: format!("watchword-e2e-{}-{nanos}", std::process::id()),
            launches: Cell::new(0),
            env: std::cell::RefCell::new(Vec::new()),
            _serial: serial,
        }
    }

    /// Sets `key` to `value` in the environment of the app's next launches.
    pub fn set_env(&self, key: &str, value: &str) {
        self.env
            .borrow_mut()
            .push((key.to_owned(), value.to_owned()));
    }

    /// The app's data folder (it does not exist until the app makes it).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The keychain service name the app stores items under.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// Deletes the app's data folder and everything in it.
    pub fn delete_data_dir(&self) {
        std::fs::remove_dir_all(&self.data_dir)
            .unwrap_or_else(|e| panic!("delete {}: {e}", self.data_dir.display()));
    }

    /// How many Secret Service items carry this profile's service name.
    pub fn keychain_items(&self) -> usize {
        let output = run_bounded(
            Command::new("secret-tool").args(["search", "--all", "service", &self.service]),
            TOOL_TIMEOUT,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        // secret-tool prints one "[/org/freedesktop/secrets/...]" header per
        // item (on stdout or stderr depending on its version), and exits 1
        // when nothing matched.
        format!("{}\n{}", output.stdout, output.stderr)
            .lines()
            .filter(|line| line.starts_with("[/"))
            .count()
    }

    /// Runs `watchword-cli` on this profile's data folder and keychain
    /// (to set up accounts faster than the form); it must succeed.
    pub fn cli(&self, args: &[&str]) -> String {
        self.cli_with_input(args, None)
    }

    /// [`Profile::cli`] with `input` on standard input: `add` reads the key
    /// or URI there (never from its arguments).
    pub fn cli_with_input(&self, args: &[&str], input: Option<&str>) -> String {
        let mut command = Command::new(cli_binary());
        command
            .args(args)
            .env(DATA_DIR_VAR, &self.data_dir)
            .env(SERVICE_VAR, &self.service);
        tool_with_input(&mut command, input)
    }

    /// Adds an account through `watchword-cli add ARGS`, `key_or_uri` on
    /// its standard input.
    pub fn cli_add(&self, args: &[&str], key_or_uri: &str) -> String {
        let mut all = vec!["add"];
        all.extend_from_slice(args);
        self.cli_with_input(&all, Some(key_or_uri))
    }

    /// Starts the app binary directly (no driver), with this profile's
    /// environment, and waits for it to exit; as a user launching it again.
    pub fn launch_again_directly(&self) -> ExitStatus {
        let mut command = Command::new(app_binary());
        command
            .env(DATA_DIR_VAR, &self.data_dir)
            .env(SERVICE_VAR, &self.service);
        let output = run_bounded(&mut command, TIMEOUT).unwrap_or_else(|e| panic!("{e}"));
        output.status
    }

    /// Starts tauri-driver and the app, with this profile's environment.
    pub fn launch(&self) -> App<'_> {
        self.launch_through(app_binary())
    }

    /// Like [`Profile::launch`], but the driver starts `program` in the
    /// app's place: a wrapper (e.g. a script running the app under strace)
    /// that must exec [`app_binary`] with its arguments and environment.
    pub fn launch_through(&self, program: &Path) -> App<'_> {
        let launch = self.launches.get() + 1;
        self.launches.set(launch);
        App::launch(self, launch, program)
    }

    fn clean_keychain(&self) -> Result<(), String> {
        let output = run_bounded(
            Command::new("secret-tool").args(["clear", "service", &self.service]),
            TOOL_TIMEOUT,
        )?;
        // secret-tool exits 1, silently, when no item matched.
        if output.status.success() || output.stderr.trim().is_empty() {
            Ok(())
        } else {
            Err(format!(
                "secret-tool clear failed ({}): {}",
                output.status,
                output.stderr.trim()
            ))
        }
    }
}

impl Drop for Profile {
    fn drop(&mut self) {
        if let Err(e) = self.clean_keychain() {
            eprintln!(
                "warning: could not remove the keychain items of service {}: {e}",
                self.service
            );
        }
        // The folder goes with `root`.
    }
}

// ---------------------------------------------------------------------------
// tauri-driver
// ---------------------------------------------------------------------------

fn free_ports() -> (u16, u16) {
    // Both bound at once so they differ; released just before use.
    let a = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let b = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let ports = (
        a.local_addr().expect("local address").port(),
        b.local_addr().expect("local address").port(),
    );
    drop((a, b));
    ports
}

/// tauri-driver, in a process group of its own so that it, WebKitWebDriver
/// and the app can be stopped together.
struct Driver {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Driver {
    fn start(profile: &Profile, launch: u32) -> Self {
        use std::os::unix::process::CommandExt;
        let (port, native_port) = free_ports();
        let log = profile.root.path().join(format!("driver-{launch}.log"));
        let log_file = std::fs::File::create(&log).expect("create the driver log");
        let child = Command::new(tauri_driver())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env(DATA_DIR_VAR, &profile.data_dir)
            .env(SERVICE_VAR, &profile.service)
            .envs(profile.env.borrow().iter().cloned())
            .env("RUST_BACKTRACE", "1")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("clone the log handle"))
            .stderr(log_file)
            .process_group(0)
            .spawn()
            .expect("start tauri-driver");
        let mut driver = Self { child, port, log };
        driver.wait_ready();
        driver
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn wait_ready(&mut self) {
        let agent = agent(Duration::from_secs(2));
        let deadline = Instant::now() + TIMEOUT;
        let status_url = format!("{}/status", self.url());
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "tauri-driver exited ({status}) before answering:\n{}",
                    self.log_tail()
                );
            }
            if let Ok(mut response) = agent.get(&status_url).call() {
                let ready = response
                    .body_mut()
                    .read_json::<Value>()
                    .ok()
                    .and_then(|v| v.pointer("/value/ready").and_then(Value::as_bool))
                    .unwrap_or(false);
                if response.status().is_success() && ready {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "tauri-driver did not answer {status_url} within {TIMEOUT:?}:\n{}",
                self.log_tail()
            );
            std::thread::sleep(POLL);
        }
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let start = lines.len().saturating_sub(40);
        format!(
            "--- last lines of {} ---\n{}",
            self.log.display(),
            lines[start..].join("\n")
        )
    }

    /// Stops tauri-driver and everything in its process group (the native
    /// driver and the app): SIGTERM, then SIGKILL after a grace period.
    fn stop(&mut self) {
        let group = self.child.id();
        signal_group(group, "TERM");
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut killed = false;
        loop {
            let _ = self.child.try_wait(); // reap tauri-driver itself
            if live_group_members(group).is_empty() {
                break;
            }
            if Instant::now() >= deadline {
                if killed {
                    eprintln!("warning: processes of group {group} outlived SIGKILL");
                    break;
                }
                signal_group(group, "KILL");
                killed = true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.stop();
    }
}

fn signal_group(group: u32, signal: &str) {
    let _ = run_bounded(
        Command::new("kill").args([format!("-{signal}"), "--".into(), format!("-{group}")]),
        Duration::from_secs(5),
    );
}

/// Pids of the processes of `group` that are still running (not zombies).
fn live_group_members(group: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| {
            let pid: u32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // "pid (comm) state ppid pgrp ...": comm may hold spaces or ')'.
            let rest = &stat[stat.rfind(')')? + 1..];
            let mut fields = rest.split_whitespace();
            let state = fields.next()?;
            let _ppid = fields.next()?;
            let pgrp: u32 = fields.next()?.parse().ok()?;
            (pgrp == group && state != "Z" && state != "X").then_some(pid)
        })
        .collect()
}

// ---------------------------------------------------------------------------
// WebDriver client
// ---------------------------------------------------------------------------

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .build()
        .into()
}

/// A failed WebDriver command.
#[derive(Clone, Debug)]
pub struct WebDriverError {
    /// The command, e.g. "POST /element".
    pub command: String,
    /// HTTP status; 0 when the request did not get an answer.
    pub status: u16,
    /// The W3C error code ("no such element", "stale element reference", …).
    pub error: String,
    pub message: String,
}

impl fmt::Display for WebDriverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed: {} ({}): {}",
            self.command, self.error, self.status, self.message
        )
    }
}

impl std::error::Error for WebDriverError {}

#[derive(Clone, Copy, Debug)]
enum Method {
    Get,
    Post,
    Delete,
}

/// Sends one WebDriver command and returns its `value`.
fn command(
    agent: &ureq::Agent,
    url: &str,
    method: Method,
    name: &str,
    body: Option<Value>,
) -> Result<Value, WebDriverError> {
    let fail = |status: u16, error: &str, message: String| WebDriverError {
        command: name.to_owned(),
        status,
        error: error.to_owned(),
        message,
    };
    let response = match method {
        Method::Get => agent.get(url).call(),
        Method::Delete => agent.delete(url).call(),
        Method::Post => agent.post(url).send_json(body.unwrap_or_else(|| json!({}))),
    };
    let mut response = response.map_err(|e| fail(0, "no answer", e.to_string()))?;
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .map_err(|e| fail(status, "unreadable answer", e.to_string()))?;
    let json: Value = serde_json::from_str(&text)
        .map_err(|e| fail(status, "answer is not JSON", format!("{e}: {text:.300}")))?;
    let value = json.get("value").cloned().unwrap_or(Value::Null);
    if (200..300).contains(&status) {
        return Ok(value);
    }
    let error = value
        .get("error")
        .and_then(Value::as_str)
        .unwrap_or("unknown error");
    let message = value
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    Err(fail(status, error, message))
}

/// After a step boundary, how long the app may still show the old code
/// (it repaints about once a second).
const GRACE: f64 = 3.0;

/// Sleeps until Unix time `unix` (at most five minutes, to stay bounded).
fn sleep_until(unix: f64) {
    let wait = (unix - unix_now()).clamp(0.0, 300.0);
    std::thread::sleep(Duration::from_secs_f64(wait));
}

/// A code the app copied, and when.
#[derive(Clone, Debug)]
pub struct Copied {
    /// What the clipboard held.
    pub code: String,
    /// Unix time just before the click.
    pub before: f64,
    /// Unix time once the app confirmed the copy.
    pub after: f64,
}

/// Checks the clipboard is cleared `delay` seconds after the copy: it must
/// still hold the code until `delay` after the click and offer nothing
/// (nobody owns it) within `delay` + 10 s after the app confirmed the copy.
/// Called right after the copy, so that the lower bound is checked.
pub fn assert_clipboard_clears_after(copied: &Copied, delay: f64) {
    assert!(
        unix_now() < copied.before + delay - 1.0,
        "called {:.1} s after the copy: too late to see the clipboard held the code",
        unix_now() - copied.before
    );
    let deadline = copied.after + delay + 10.0;
    let limit = Duration::from_secs_f64((deadline - unix_now()).max(1.0));
    let cleared_at = wait_until(
        &format!("the clipboard to be cleared {delay} s after the copy"),
        limit,
        || {
            let asked = unix_now();
            match clipboard_holds() {
                Ok(None) => Ok(asked),
                Ok(Some(text)) if text == copied.code => Err(format!(
                    "it still holds the code {:.1} s after the copy",
                    unix_now() - copied.before
                )),
                Ok(Some(other)) => panic!(
                    "the clipboard holds {other:?}, neither the code nor nothing, \
                     {:.1} s after the copy",
                    unix_now() - copied.before
                ),
                // An xclip failure is not a cleared clipboard: ask again, and
                // fail at the deadline with what xclip said.
                Err(error) => Err(error),
            }
        },
    );
    assert!(
        cleared_at >= copied.before + delay,
        "the clipboard was cleared {:.1} s after the click, before the {delay} s announced",
        cleared_at - copied.before
    );
}

/// Waits until `delay` + `margin` seconds after the copy (longer than the app
/// may take to clear it), checking all along that the clipboard holds
/// `expected`: for copies that must *not* be cleared.
pub fn assert_clipboard_keeps(copied: &Copied, delay: f64, margin: f64, expected: &str) {
    let until = copied.after + delay + margin;
    loop {
        let now = unix_now();
        let held = clipboard_holds().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            held.as_deref(),
            Some(expected),
            "the clipboard {:.1} s after the copy",
            now - copied.before
        );
        if now > until {
            return;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// One account row as the list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub id: String,
    /// `totp`, `hotp` or `steam` (the row's data-kind).
    pub kind: String,
    pub issuer: String,
    pub name: String,
    /// The code button's text as shown ("123 456").
    pub code: String,
}

impl Row {
    /// CSS selector of this row, or of `inner` within it.
    pub fn css(&self, inner: &str) -> String {
        format!("li.account[data-id=\"{}\"] {inner}", self.id)
            .trim()
            .to_owned()
    }
}

/// The running app: a WebDriver session on a fresh tauri-driver. Dropping it
/// ends the session (which closes the app) and stops the driver; when the
/// test is failing it first saves a screenshot and prints the driver's log.
pub struct App<'p> {
    profile: &'p Profile,
    launch: u32,
    agent: ureq::Agent,
    session_url: String,
    session: bool,
    driver: Driver,
}

impl fmt::Debug for App<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("App")
            .field("profile", &self.profile.name)
            .field("launch", &self.launch)
            .field("session", &self.session_url)
            .finish_non_exhaustive()
    }
}

impl<'p> App<'p> {
    fn launch(profile: &'p Profile, launch: u32, application: &Path) -> Self {
        let driver = Driver::start(profile, launch);
        let agent = agent(REQUEST_TIMEOUT);
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "wry",
                    "tauri:options": { "application": application },
                }
            }
        });
        let created = command(
            &agent,
            &format!("{}/session", driver.url()),
            Method::Post,
            "POST /session",
            Some(capabilities),
        )
        .unwrap_or_else(|e| panic!("cannot start the app: {e}\n{}", driver.log_tail()));
        let id = created
            .get("sessionId")
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("new session answered without a sessionId: {created}"));
        let session_url = format!("{}/session/{id}", driver.url());
        Self {
            profile,
            launch,
            agent,
            session_url,
            session: true,
            driver,
        }
    }

    /// Freezes every process of the app for `duration`, as a laptop's sleep
    /// does (timers stop, the clock does not), then lets them run again.
    pub fn suspend_for(&self, duration: Duration) {
        let group = self.driver.child.id();
        signal_group(group, "STOP");
        std::thread::sleep(duration);
        signal_group(group, "CONT");
    }

    /// The pids of the app's own processes: the `watchword` process and
    /// everything it started (WebKit's web and network processes), not the
    /// driver that launched it.
    pub fn app_processes(&self) -> Vec<u32> {
        let group = self.driver.child.id();
        let members = live_group_members(group);
        let parent_of = |pid: u32| -> Option<u32> {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            stat[stat.rfind(')')? + 1..]
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()
        };
        let name_of =
            |pid: u32| std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        let Some(app) = members
            .iter()
            .copied()
            .find(|&pid| name_of(pid).trim() == "watchword")
        else {
            return Vec::new();
        };
        let mut tree = vec![app];
        // Children may live outside the driver's group: look at every process.
        let all: Vec<u32> = std::fs::read_dir("/proc")
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                    .collect()
            })
            .unwrap_or_default();
        let mut grew = true;
        while grew {
            grew = false;
            for &pid in &all {
                if !tree.contains(&pid) && parent_of(pid).is_some_and(|p| tree.contains(&p)) {
                    tree.push(pid);
                    grew = true;
                }
            }
        }
        tree
    }

    /// Closes the app and stops its driver (what dropping does), e.g. before
    /// launching the same profile again.
    pub fn quit(self) {
        drop(self);
    }

    fn end_session(&mut self) -> Result<(), WebDriverError> {
        if !std::mem::replace(&mut self.session, false) {
            return Ok(());
        }
        let agent = agent(Duration::from_secs(10));
        command(
            &agent,
            &self.session_url,
            Method::Delete,
            "DELETE /session",
            None,
        )
        .map(drop)
    }

    // ----- raw commands -----

    fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, WebDriverError> {
        let name = format!("{method:?} {path}").to_uppercase();
        command(
            &self.agent,
            &format!("{}{path}", self.session_url),
            method,
            &name,
            body,
        )
    }

    /// Runs `script` (a function body) in the page and returns its result.
    pub fn try_execute(&self, script: &str, args: Value) -> Result<Value, WebDriverError> {
        self.send(
            Method::Post,
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// Like [`App::try_execute`], failing the test on error.
    pub fn execute(&self, script: &str, args: Value) -> Value {
        self.try_execute(script, args)
            .unwrap_or_else(|e| panic!("script failed: {e}\nscript: {script}"))
    }

    fn element(&self, css: &str) -> Result<String, WebDriverError> {
        let found = self.send(
            Method::Post,
            "/element",
            Some(json!({ "using": "css selector", "value": css })),
        );
        let found = found.map_err(|mut e| {
            e.command = format!("find {css:?}");
            e
        })?;
        element_id(&found).ok_or_else(|| WebDriverError {
            command: format!("find {css:?}"),
            status: 200,
            error: "bad element reference".into(),
            message: found.to_string(),
        })
    }

    fn on_element(
        &self,
        css: &str,
        method: Method,
        action: &str,
        body: Option<Value>,
    ) -> Result<Value, WebDriverError> {
        let id = self.element(css)?;
        let path = if action.is_empty() {
            format!("/element/{id}")
        } else {
            format!("/element/{id}/{action}")
        };
        self.send(method, &path, body).map_err(|mut e| {
            e.command = format!("{action} on {css:?}");
            e
        })
    }

    /// How many elements match `css`.
    pub fn try_count(&self, css: &str) -> Result<usize, WebDriverError> {
        let found = self.send(
            Method::Post,
            "/elements",
            Some(json!({ "using": "css selector", "value": css })),
        )?;
        Ok(found.as_array().map_or(0, Vec::len))
    }

    /// The rendered text of the first element matching `css`.
    pub fn try_text(&self, css: &str) -> Result<String, WebDriverError> {
        let value = self.on_element(css, Method::Get, "text", None)?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// A DOM property (`value`, `hidden`, `disabled`, `open`, …).
    pub fn try_property(&self, css: &str, name: &str) -> Result<Value, WebDriverError> {
        self.on_element(css, Method::Get, &format!("property/{name}"), None)
    }

    /// Whether the element is displayed (WebDriver's notion of visible).
    pub fn try_displayed(&self, css: &str) -> Result<bool, WebDriverError> {
        Ok(self
            .on_element(css, Method::Get, "displayed", None)?
            .as_bool()
            .unwrap_or(false))
    }

    /// Whether a form control is enabled.
    pub fn try_enabled(&self, css: &str) -> Result<bool, WebDriverError> {
        Ok(self
            .on_element(css, Method::Get, "enabled", None)?
            .as_bool()
            .unwrap_or(false))
    }

    /// Clicks the element like a user would (scrolls it into view first).
    pub fn try_click(&self, css: &str) -> Result<(), WebDriverError> {
        self.on_element(css, Method::Post, "click", None).map(drop)
    }

    // ----- commands that fail the test -----

    fn must<T>(&self, result: Result<T, WebDriverError>) -> T {
        result.unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn count(&self, css: &str) -> usize {
        self.must(self.try_count(css))
    }

    pub fn text(&self, css: &str) -> String {
        self.must(self.try_text(css))
    }

    pub fn property(&self, css: &str, name: &str) -> Value {
        self.must(self.try_property(css, name))
    }

    pub fn displayed(&self, css: &str) -> bool {
        self.must(self.try_displayed(css))
    }

    pub fn enabled(&self, css: &str) -> bool {
        self.must(self.try_enabled(css))
    }

    pub fn click(&self, css: &str) {
        self.must(self.try_click(css));
    }

    /// Types `text` into a field, as key presses (each fires `input`).
    pub fn type_text(&self, css: &str, text: &str) {
        self.must(
            self.on_element(css, Method::Post, "value", Some(json!({ "text": text })))
                .map(drop),
        );
    }

    /// Empties a field.
    pub fn clear(&self, css: &str) {
        self.must(self.on_element(css, Method::Post, "clear", None).map(drop));
    }

    /// Empties a field, then types `text` into it.
    pub fn fill(&self, css: &str, text: &str) {
        self.clear(css);
        if !text.is_empty() {
            self.type_text(css, text);
        }
        let value = self.property(css, "value");
        assert_eq!(
            value.as_str(),
            Some(text),
            "{css} holds {value} after typing {text:?}"
        );
    }

    /// The names of the X windows on the display (`xwininfo -root -tree`):
    /// the native title bar, which the page's `<title>` does not set.
    pub fn x_window_names(&self) -> Vec<String> {
        require_program("xwininfo");
        let tree = tool(Command::new("xwininfo").args(["-root", "-tree"]));
        tree.lines()
            .filter_map(|line| {
                let start = line.find('"')? + 1;
                let end = start + line[start..].find('"')?;
                Some(line[start..end].to_owned())
            })
            .collect()
    }

    /// A PNG of the window.
    pub fn screenshot(&self) -> Result<Vec<u8>, WebDriverError> {
        let value = self.send(Method::Get, "/screenshot", None)?;
        let encoded = value.as_str().unwrap_or_default();
        data_encoding::BASE64
            .decode(encoded.as_bytes())
            .map_err(|e| WebDriverError {
                command: "GET /screenshot".into(),
                status: 200,
                error: "bad base64".into(),
                message: e.to_string(),
            })
    }

    /// Polls `probe` every 100 ms until it gives a value, failing the test
    /// after [`TIMEOUT`] with `what` and the probe's last explanation.
    pub fn wait_until<T>(&self, what: &str, probe: impl FnMut() -> Result<T, String>) -> T {
        wait_until(what, TIMEOUT, probe)
    }

    // ----- Watchword's window -----

    /// Waits until the start-up load from the keychain is over and checks
    /// that no error is shown.
    pub fn wait_loaded(&self) {
        self.wait_until(
            "the account list to finish loading (#loading hidden)",
            || match self.try_property("#loading", "hidden") {
                Ok(Value::Bool(true)) => Ok(()),
                Ok(other) => Err(format!("#loading hidden = {other}")),
                Err(e) => Err(e.to_string()),
            },
        );
        self.assert_no_status();
    }

    /// Fails if the error banner (#status) is showing.
    pub fn assert_no_status(&self) {
        if self.property("#status", "hidden") != Value::Bool(true) {
            panic!("#status shows an error: {:?}", self.text("#status"));
        }
    }

    /// The account rows as shown, read at one instant.
    pub fn try_rows(&self) -> Result<Vec<Row>, WebDriverError> {
        let value = self.try_execute(
            "return Array.from(document.querySelectorAll('#accounts li.account')).map((li) => ({
                id: li.dataset.id || '',
                kind: li.dataset.kind || '',
                issuer: li.querySelector('.issuer').textContent,
                name: li.querySelector('.name').textContent,
                code: li.querySelector('button.code').textContent,
            }));",
            json!([]),
        )?;
        let field = |row: &Value, key: &str| {
            row.get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        Ok(value
            .as_array()
            .map(|rows| {
                rows.iter()
                    .map(|row| Row {
                        id: field(row, "id"),
                        kind: field(row, "kind"),
                        issuer: field(row, "issuer"),
                        name: field(row, "name"),
                        code: field(row, "code"),
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The account rows as shown now, in the list's order.
    pub fn rows_now(&self) -> Vec<Row> {
        self.try_rows().unwrap_or_else(|e| panic!("{e}"))
    }

    /// Waits until the list holds `count` accounts and returns them.
    pub fn wait_rows(&self, count: usize) -> Vec<Row> {
        self.wait_until(&format!("{count} account row(s)"), || {
            let rows = self.try_rows().map_err(|e| e.to_string())?;
            if rows.len() == count {
                Ok(rows)
            } else {
                Err(format!("rows: {rows:?}"))
            }
        })
    }

    /// Waits for the row of the account with this issuer and account name.
    pub fn wait_row(&self, issuer: &str, name: &str) -> Row {
        self.wait_until(&format!("a row for {issuer} / {name}"), || {
            let rows = self.try_rows().map_err(|e| e.to_string())?;
            rows.iter()
                .find(|r| r.issuer == issuer && r.name == name)
                .cloned()
                .ok_or_else(|| format!("rows: {rows:?}"))
        })
    }

    /// Presses Ctrl+V in the window (WebDriver key actions, as a keyboard
    /// would), with the focus on the page rather than a text field.
    pub fn press_ctrl_v(&self) {
        self.execute(
            "document.activeElement && document.activeElement.blur();",
            json!([]),
        );
        self.press_ctrl('v');
    }

    /// Types `keys` on the keyboard into whatever has the focus (WebDriver
    /// key actions: real key events). Use the `KEY_*` constants for keys
    /// that are not characters.
    pub fn press_keys(&self, keys: &str) {
        let mut actions = Vec::new();
        for key in keys.chars() {
            actions.push(json!({"type": "keyDown", "value": key.to_string()}));
            actions.push(json!({"type": "keyUp", "value": key.to_string()}));
        }
        let body = json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]});
        self.send(Method::Post, "/actions", Some(body))
            .unwrap_or_else(|e| panic!("cannot type {keys:?}: {e}"));
        let _ = self.send(Method::Delete, "/actions", None);
    }

    /// Drags the element at `from` with the mouse (real pointer events) to
    /// the centre of `to`, `dy` pixels up or down from it, and lets go.
    pub fn drag(&self, from: &str, to: &str, dy: i64) {
        let centre = |css: &str| -> (i64, i64) {
            let rect = self.execute(
                "const r = document.querySelector(arguments[0]).getBoundingClientRect();
                 return [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)];",
                json!([css]),
            );
            (rect[0].as_i64().unwrap_or(0), rect[1].as_i64().unwrap_or(0))
        };
        let (x0, y0) = centre(from);
        let (x1, y1) = centre(to);
        let y1 = y1 + dy;
        let mut steps = vec![
            json!({"type": "pointerMove", "duration": 0, "x": x0, "y": y0}),
            json!({"type": "pointerDown", "button": 0}),
        ];
        for i in 1..=8 {
            steps.push(json!({"type": "pointerMove", "duration": 30,
                "x": x0 + (x1 - x0) * i / 8, "y": y0 + (y1 - y0) * i / 8}));
        }
        steps.push(json!({"type": "pointerUp", "button": 0}));
        let body = json!({"actions": [{
            "type": "pointer",
            "id": "mouse",
            "parameters": {"pointerType": "mouse"},
            "actions": steps,
        }]});
        self.send(Method::Post, "/actions", Some(body))
            .unwrap_or_else(|e| panic!("cannot drag {from} to {to}: {e}"));
        let _ = self.send(Method::Delete, "/actions", None);
    }

    /// The window's size and place, as `[x, y, width, height]`.
    pub fn window_rect(&self) -> [i64; 4] {
        let rect = self
            .send(Method::Get, "/window/rect", None)
            .unwrap_or_else(|e| panic!("cannot read the window's rectangle: {e}"));
        ["x", "y", "width", "height"].map(|k| rect[k].as_i64().unwrap_or(-1))
    }

    /// Resizes the window (as a window manager would on a user's drag).
    pub fn set_window_size(&self, width: i64, height: i64) {
        self.send(
            Method::Post,
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )
        .unwrap_or_else(|e| panic!("cannot resize the window: {e}"));
    }

    /// Presses `key` with Ctrl held.
    pub fn press_ctrl(&self, key: char) {
        self.press_chord(KEY_CONTROL, key);
    }

    /// Presses `key` while `modifier` (a `KEY_*` constant) is held.
    pub fn press_chord(&self, modifier: char, key: char) {
        let keys = json!({"actions": [{
            "type": "key",
            "id": "keyboard",
            "actions": [
                {"type": "keyDown", "value": modifier.to_string()},
                {"type": "keyDown", "value": key.to_string()},
                {"type": "keyUp", "value": key.to_string()},
                {"type": "keyUp", "value": modifier.to_string()},
            ],
        }]});
        self.send(Method::Post, "/actions", Some(keys))
            .unwrap_or_else(|e| panic!("cannot press {modifier:?}+{key:?}: {e}"));
        let _ = self.send(Method::Delete, "/actions", None);
    }

    /// The element that has the focus, as `tag#id.class` for messages.
    pub fn focused(&self) -> String {
        self.execute(
            "const e = document.activeElement;
             if (!e) return '';
             const li = e.closest('li.account');
             return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
               (e.className ? '.' + e.className : '') + (li ? ' in ' + li.dataset.id : '');",
            json!([]),
        )
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// The accounts the preview dialog lists, once it is open with `count`.
    pub fn wait_found(&self, count: usize) -> Vec<Found> {
        self.wait_until(&format!("the preview to list {count} account(s)"), || {
            let value = self
                .try_execute(
                    "const dialog = document.querySelector('#enrol-dialog');
                     if (!dialog.open) return null;
                     return Array.from(dialog.querySelectorAll('#enrol-list li.found')).map((li) => ({
                       issuer: li.querySelector('.found-issuer').value,
                       name: li.querySelector('.found-name').value,
                       details: li.querySelector('.found-details').textContent,
                       picked: li.querySelector('.pick').checked,
                       duplicate: li.classList.contains('duplicate'),
                     }));",
                    json!([]),
                )
                .map_err(|e| e.to_string())?;
            let Some(items) = value.as_array() else {
                return Err("the preview dialog is not open".into());
            };
            let text = |item: &Value, key: &str| {
                item[key].as_str().unwrap_or_default().to_owned()
            };
            let found: Vec<Found> = items
                .iter()
                .map(|item| Found {
                    issuer: text(item, "issuer"),
                    name: text(item, "name"),
                    details: text(item, "details"),
                    picked: item["picked"].as_bool().unwrap_or(false),
                    duplicate: item["duplicate"].as_bool().unwrap_or(false),
                })
                .collect();
            if found.len() == count {
                Ok(found)
            } else {
                Err(format!("the preview lists {found:?}"))
            }
        })
    }

    /// Opens the settings through the "More" menu.
    pub fn open_settings(&self) {
        self.click("#more-button");
        self.click("#settings-button");
        self.wait_until("the settings", || {
            match self.try_property("#settings-dialog", "open") {
                Ok(Value::Bool(true)) => Ok(()),
                other => Err(format!("#settings-dialog open = {other:?}")),
            }
        });
    }

    /// Sets a number field and lets the form save it, as leaving the field
    /// does.
    pub fn set_number(&self, css: &str, value: &str) {
        self.fill(css, value);
        self.execute(
            "document.querySelector(arguments[0]).dispatchEvent(new Event('change', { bubbles: true }));",
            json!([css]),
        );
    }

    /// Sets the clock correction to `offset` seconds in the settings and
    /// closes them. The codes follow once the save is through: wait for
    /// them (say, with [`App::assert_shown_totp_at`]).
    pub fn set_time_offset(&self, offset: i64) {
        self.open_settings();
        self.set_number("#set-offset", &offset.to_string());
        self.click("#settings-done");
    }

    /// Waits for a notice (toast) containing `containing`; returns it.
    ///
    /// The notice is taken down as it is read, in the same script, so a
    /// later wait can only be satisfied by a later notice, never by this one
    /// still on screen (a notice stays 3 s, longer than many steps take).
    pub fn wait_toast(&self, containing: &str) -> String {
        self.wait_until(&format!("a notice saying {containing:?}"), || {
            let (shown, text) = self.take_toast(containing)?;
            if shown && text.contains(containing) {
                Ok(text)
            } else {
                Err(format!("#toast shown={shown}, text={text:?}"))
            }
        })
    }

    /// Reads the notice in one script, so its text and visibility agree, and
    /// hides it when it is shown and contains `containing`.
    fn take_toast(&self, containing: &str) -> Result<(bool, String), String> {
        let read = self
            .try_execute(
                "const toast = document.querySelector('#toast');
                 const shown = !toast.hidden;
                 const text = toast.textContent;
                 if (shown && text.includes(arguments[0])) {
                   toast.hidden = true;
                   toast.textContent = '';
                 }
                 return [shown, text];",
                json!([containing]),
            )
            .map_err(|e| e.to_string())?;
        Ok((
            read[0].as_bool().unwrap_or(false),
            read[1].as_str().unwrap_or_default().to_owned(),
        ))
    }

    /// Takes down whatever notice is showing, so the next one is new.
    pub fn dismiss_toast(&self) {
        self.take_toast("").unwrap_or_else(|e| panic!("{e}"));
    }

    /// Clicks "Add" in the preview and waits for the list to hold `rows_after`.
    pub fn confirm_found(&self, rows_after: usize) -> Vec<Row> {
        self.click("#enrol-confirm");
        let rows = self.wait_rows(rows_after);
        self.wait_until("the preview to close", || {
            match self.try_property("#enrol-dialog", "open") {
                Ok(Value::Bool(false)) => Ok(()),
                other => Err(format!("#enrol-dialog open = {other:?}")),
            }
        });
        rows
    }

    /// Clicks "Add account" and waits for the dialog.
    pub fn open_add_form(&self) {
        self.click("#add-button");
        self.wait_until("the add dialog to open", || {
            match self.try_property("#add-dialog", "open") {
                Ok(Value::Bool(true)) => Ok(()),
                other => Err(format!("#add-dialog open = {other:?}")),
            }
        });
        assert!(
            !self.enabled("#add-submit"),
            "Add is enabled on an empty form"
        );
    }

    /// Waits until the add form shows an error, with Add disabled; returns
    /// the error text.
    pub fn wait_add_error(&self, containing: &str) -> String {
        self.wait_until(
            &format!("the add form to show an error with {containing:?}"),
            || {
                let error = self.try_text("#add-error").map_err(|e| e.to_string())?;
                let enabled = self.try_enabled("#add-submit").map_err(|e| e.to_string())?;
                if error.contains(containing) && !enabled {
                    Ok(error)
                } else {
                    Err(format!("#add-error = {error:?}, Add enabled = {enabled}"))
                }
            },
        )
    }

    /// Waits until the add form accepts its input: no error, a preview that
    /// contains `preview`, Add enabled. Returns the preview.
    pub fn wait_add_valid(&self, preview: &str) -> String {
        self.wait_until(
            &format!("the add form to accept its input (preview with {preview:?})"),
            || {
                let error = self.try_text("#add-error").map_err(|e| e.to_string())?;
                let shown = self.try_text("#add-preview").map_err(|e| e.to_string())?;
                let enabled = self.try_enabled("#add-submit").map_err(|e| e.to_string())?;
                if error.is_empty() && shown.contains(preview) && enabled {
                    Ok(shown)
                } else {
                    Err(format!(
                        "#add-error = {error:?}, #add-preview = {shown:?}, Add enabled = {enabled}"
                    ))
                }
            },
        )
    }

    /// Clicks Add and waits for the dialog to close and the list to hold
    /// `rows_after` accounts.
    pub fn submit_add(&self, rows_after: usize) -> Vec<Row> {
        self.click("#add-submit");
        self.wait_until("the add dialog to close", || {
            let open = self
                .try_property("#add-dialog", "open")
                .map_err(|e| e.to_string())?;
            if open == Value::Bool(false) {
                Ok(())
            } else {
                let error = self.try_text("#add-error").unwrap_or_default();
                Err(format!("still open; #add-error = {error:?}"))
            }
        });
        let rows = self.wait_rows(rows_after);
        self.assert_no_status();
        rows
    }

    /// Checks the TOTP code shown in `row` against oathtool. The app repaints
    /// within about a second of a step boundary, so a reading is judged only
    /// when it was taken wholly inside one step and at least [`GRACE`] after
    /// its start; otherwise it is taken again after the boundary. Returns the
    /// code.
    pub fn assert_shown_totp(&self, row: &Row, spec: &Totp<'_>) -> String {
        self.assert_shown_totp_at(row, spec, 0)
    }

    /// [`App::assert_shown_totp`] for a clock corrected by `offset` seconds
    /// (the app's clock correction setting).
    pub fn assert_shown_totp_at(&self, row: &Row, spec: &Totp<'_>, offset: i64) -> String {
        let unix_now = || unix_now() + offset as f64;
        let css = row.css("button.code");
        // Wait for a code to be painted at all.
        self.wait_until(&format!("a {}-digit code in {css}", spec.digits), || {
            let text = self.try_text(&css).map_err(|e| e.to_string())?;
            let digits = digits_of(&text);
            if digits.len() == spec.digits as usize && digits.bytes().all(|b| b.is_ascii_digit()) {
                Ok(())
            } else {
                Err(format!("{css} shows {text:?}"))
            }
        });
        // The code of the time step the reading ends in is right. The code of
        // the step before is accepted only while that step ended less than
        // [`GRACE`] before the reading began (the app repaints about once a
        // second): then the row is read again. Anything else fails at once,
        // so a repaint later than that after a rollover fails too.
        loop {
            let before = unix_now();
            let text = self.text(&css);
            let after = unix_now();
            let step = spec.step(after);
            let expected = spec.code_at(step * spec.period);
            if digits_of(&text) == expected {
                assert_eq!(
                    text,
                    grouped(&expected),
                    "the code is grouped as the UI promises"
                );
                return expected;
            }
            let just_rolled_over = spec.step(before - GRACE) != step;
            if just_rolled_over && digits_of(&text) == spec.code_at((step - 1) * spec.period) {
                std::thread::sleep(POLL);
                continue;
            }
            panic!(
                "{} / {} shows {text:?} between t={before:.3} and t={after:.3}; oathtool \
                 gives {expected} for that time step (the code before it is allowed only \
                 {GRACE} s past the boundary)",
                row.issuer, row.name
            );
        }
    }

    /// Waits for the last seconds of the current code of `row` and checks the
    /// countdown, the warning state and the hint with the next code; then,
    /// once the step is over, that the row shows the new code. Takes up to
    /// one period.
    pub fn assert_expiry_and_rollover(&self, row: &Row, spec: &Totp<'_>) {
        const SNAPSHOT: &str = "const li = document.querySelector(arguments[0]);
            if (!li) return null;
            const code = li.querySelector('button.code');
            const next = li.querySelector('.next-code');
            return [li.querySelector('.countdown .seconds').textContent, code.textContent,
                    code.title, li.classList.contains('expiring'),
                    next.hidden ? '' : next.textContent];";
        let limit = Duration::from_secs(spec.period + 10);
        let what = format!(
            "the last 5 seconds of the code of {} / {}",
            row.issuer, row.name
        );
        let (step, shown, title, expiring, next_shown) = wait_until(&what, limit, || {
            let before = unix_now();
            let snapshot = self
                .try_execute(SNAPSHOT, json!([row.css("")]))
                .map_err(|e| e.to_string())?;
            let after = unix_now();
            let text = |i: usize| snapshot[i].as_str().unwrap_or_default().to_owned();
            let seconds: u64 = text(0).parse().unwrap_or_else(|_| {
                panic!(
                    "the countdown of {} / {} shows {:?}, not a number of seconds",
                    row.issuer, row.name, snapshot[0]
                )
            });
            let step = spec.step(after);
            let end = ((step + 1) * spec.period) as f64;
            let settled = spec.step(before - GRACE) == step;
            // Painted at most a second ago, so never below what is left.
            assert!(
                (1..=spec.period).contains(&seconds)
                    && (!settled || seconds as f64 >= (end - after).ceil()),
                "the countdown shows {seconds} s at t={after:.3}, when {:.1} s are left",
                end - after
            );
            if seconds <= 5 && settled {
                Ok((
                    step,
                    text(1),
                    text(2),
                    snapshot[3].as_bool().unwrap_or(false),
                    text(4),
                ))
            } else {
                Err(format!("the countdown shows {seconds} s at t={after:.3}"))
            }
        });
        let current = spec.code_at(step * spec.period);
        let next = spec.code_at((step + 1) * spec.period);
        assert_eq!(shown, grouped(&current), "the code in its last seconds");
        assert!(
            expiring,
            "a code in its last 5 seconds is marked as expiring"
        );
        assert_eq!(
            title,
            format!("Next: {}", grouped(&next)),
            "an expiring code shows the next one"
        );
        assert_eq!(
            next_shown,
            format!("next {}", grouped(&next)),
            "the next code is shown beside the expiring one"
        );
        sleep_until(((step + 1) * spec.period) as f64 + GRACE);
        let now_shown = self.assert_shown_totp(row, spec);
        assert_eq!(now_shown, next, "the code rolled over to the next one");
    }

    /// Clicks the code of `row` and waits for the "Copied" toast; returns
    /// what the clipboard then holds (exactly, as pasting would give it),
    /// with the times just before the click and after the toast.
    pub fn copy_code(&self, row: &Row) -> Copied {
        self.copy_code_noting(row, "clears in 30 s")
    }

    /// [`App::copy_code`], for a notice that says `note` (in any case) about
    /// clearing, or says nothing about it when `note` is empty.
    pub fn copy_code_noting(&self, row: &Row, note: &str) -> Copied {
        // A notice from an earlier copy would look the same: take it down.
        self.dismiss_toast();
        let before = unix_now();
        self.click(&row.css("button.code"));
        let toast = self.wait_toast("Copied");
        let after = unix_now();
        let lower = toast.to_lowercase();
        if note.is_empty() {
            assert!(!lower.contains("clears"), "toast says {toast:?}");
        } else {
            assert!(lower.contains(note), "toast says {toast:?}");
        }
        let code = clipboard_text().unwrap_or_else(|e| panic!("{e}"));
        Copied {
            code,
            before,
            after,
        }
    }

    /// Copies the code of `row` (see [`App::copy_code`]) and checks the
    /// clipboard holds exactly the code (digits, no spaces) of the time step
    /// the copy happened in.
    pub fn assert_copy_totp(&self, row: &Row, spec: &Totp<'_>) -> Copied {
        let copied = self.copy_code(row);
        assert_copied_totp(&copied, spec, 0);
        copied
    }
}

/// Checks `copied` holds exactly oathtool's code (digits, no spaces) for the
/// time step the copy happened in, on a clock corrected by `offset` s.
pub fn assert_copied_totp(copied: &Copied, spec: &Totp<'_>, offset: i64) {
    {
        let Copied {
            code,
            before,
            after,
        } = copied;
        let (before, after) = (before + offset as f64, after + offset as f64);
        // The app read the clock somewhere between `before` and `after`; in
        // a code's last 2 seconds it copies the next one.
        let (first, last) = (spec.step(before), spec.step(after + 2.0));
        let allowed: Vec<String> = (first..=last)
            .map(|s| spec.code_at(s * spec.period))
            .collect();
        assert!(
            allowed.contains(code),
            "the clipboard holds {code:?}; the copy happened between t={before:.3} and \
             t={after:.3}, when oathtool gives {allowed:?}"
        );
    }
}

impl App<'_> {
    /// Waits until the clipboard no longer holds the copied code: the app
    /// promises to clear it 30 s after the copy (allowed 10 s of slack).
    pub fn assert_clipboard_clears(&self, copied: &Copied) {
        assert_clipboard_clears_after(copied, 30.0);
    }

    /// Saves a screenshot and prints what helps to understand a failure.
    fn report_failure(&self) {
        let path = std::env::temp_dir().join(format!(
            "watchword-e2e-{}-{}-launch{}.png",
            self.profile.name,
            std::process::id(),
            self.launch
        ));
        match self.screenshot() {
            Ok(png) => match std::fs::write(&path, png) {
                Ok(()) => eprintln!("screenshot of the failing window: {}", path.display()),
                Err(e) => eprintln!("could not save the screenshot to {}: {e}", path.display()),
            },
            Err(e) => eprintln!("could not take a screenshot: {e}"),
        }
        if let Ok(Value::String(text)) =
            self.try_execute("return document.body.innerText;", json!([]))
        {
            eprintln!("--- window text ---\n{text}");
        }
        eprintln!("{}", self.driver.log_tail());
    }
}

impl Drop for App<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() && self.session {
            self.report_failure();
        }
        if let Err(e) = self.end_session() {
            eprintln!("warning: could not end the WebDriver session: {e}");
        }
        // `driver` drops next and stops whatever is left.
    }
}

fn element_id(value: &Value) -> Option<String> {
    value
        .get(ELEMENT_KEY)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// Polls `probe` every 100 ms until it returns `Ok`, for at most `timeout`;
/// then fails naming `what` and the probe's last `Err` explanation.
pub fn wait_until<T>(
    what: &str,
    timeout: Duration,
    mut probe: impl FnMut() -> Result<T, String>,
) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        match probe() {
            Ok(value) => return value,
            Err(last) => {
                assert!(
                    Instant::now() < deadline,
                    "timed out after {timeout:?} waiting for {what}; last seen: {last}"
                );
            }
        }
        std::thread::sleep(POLL);
    }
}
