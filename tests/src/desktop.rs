//! The X11 desktop around the window: stacking order, images shown on the
//! screen, the GTK file dialogs, and the clipboard's offered formats.

use crate::env::require_program;
use crate::tools::{run_bounded, tool};
use crate::{wait_until, POLL, TIMEOUT, TOOL_TIMEOUT};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

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

/// The ids of the viewable windows titled exactly `name`, one a line
/// (xdotool).
fn visible_windows(name: &str) -> String {
    require_program("xdotool");
    tool(Command::new("xdotool").args(["search", "--onlyvisible", "--name", &format!("^{name}$")]))
}

/// Raises every viewable window titled exactly `name` to the top of the
/// stacking order (xdotool, as a window manager would on a click).
pub fn raise_window(name: &str) {
    for id in visible_windows(name).lines() {
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
    let stdout = atspi_script("dialog_state.py", &[title])?;
    let mut lines = stdout.lines();
    match lines.next() {
        Some("absent") => Ok(DialogState::Absent),
        Some(open) if open.starts_with("open active=") => Ok(DialogState::Open {
            active: open == "open active=1",
            entry: lines
                .next()
                .and_then(|line| line.strip_prefix("entry "))
                .map(str::to_owned),
        }),
        _ => Err(format!("dialog_state.py printed {stdout:?}")),
    }
}

/// What the visible window titled `name` shows in a band across it, from
/// `from` to `to` (fractions of its height, from the top): the pixel values
/// there, row by row, and the value of the pixel at its bottom-right
/// corner (the window's own background). Read from the X server.
pub fn window_band(name: &str, from: f64, to: f64) -> Result<(Vec<u32>, u32), String> {
    use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat};
    let id: u32 = visible_windows(name)
        .lines()
        .next()
        .ok_or_else(|| format!("no visible window titled {name:?}"))?
        .trim()
        .parse()
        .map_err(|e| format!("a window id: {e}"))?;
    let (conn, _) = x11rb::connect(None).map_err(|e| format!("the X display: {e}"))?;
    let geometry = conn
        .get_geometry(id)
        .map_err(|e| e.to_string())?
        .reply()
        .map_err(|e| e.to_string())?;
    let (width, height) = (geometry.width, geometry.height);
    let image = |x: i16, y: i16, w: u16, h: u16| -> Result<Vec<u32>, String> {
        let reply = conn
            .get_image(ImageFormat::Z_PIXMAP, id, x, y, w, h, !0)
            .map_err(|e| e.to_string())?
            .reply()
            .map_err(|e| e.to_string())?;
        Ok(reply
            .data
            .chunks_exact(4)
            .map(|px| u32::from_le_bytes([px[0], px[1], px[2], 0]))
            .collect())
    };
    let top = (f64::from(height) * from) as i16;
    let rows = ((f64::from(height) * (to - from)) as u16).max(1);
    let band = image(0, top, width, rows)?;
    let corner = image(width as i16 - 2, height as i16 - 2, 1, 1)?
        .first()
        .copied()
        .ok_or("no corner pixel")?;
    Ok((band, corner))
}

/// The text the showing window titled `title` of the process `pid` shows,
/// one line per node, as the accessibility tree has it
/// (tests/shown_text.py): GTK's widgets, and WebKit's page while its web
/// process lives. None when no such window is showing.
pub fn shown_text(pid: u32, title: &str) -> Result<Option<Vec<String>>, String> {
    let stdout = atspi_script("shown_text.py", &[&pid.to_string(), title])?;
    if stdout.trim() == "absent" {
        return Ok(None);
    }
    Ok(Some(stdout.lines().map(str::to_owned).collect()))
}

/// Runs tests/`script` (an AT-SPI reader) with `args`: what it printed, or
/// why it failed.
fn atspi_script(script: &str, args: &[&str]) -> Result<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(script);
    // The system Python: python3-gi and gir1.2-atspi-2.0 are Debian
    // packages, which another python3 earlier in PATH may not see.
    let output = run_bounded(
        Command::new("/usr/bin/python3").arg(path).args(args),
        TOOL_TIMEOUT,
    )?;
    if !output.status.success() {
        return Err(format!(
            "{script} failed ({}): {}",
            output.status,
            output.stderr.trim()
        ));
    }
    Ok(output.stdout)
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
pub fn wait_for_window(title: &str) -> String {
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

/// The formats the X clipboard's owner offers (`xclip -o -t TARGETS`).
pub fn clipboard_targets() -> Result<Vec<String>, String> {
    let output = run_bounded(
        Command::new("xclip").args(["-selection", "clipboard", "-o", "-t", "TARGETS"]),
        TOOL_TIMEOUT,
    )?;
    Ok(output.stdout.lines().map(str::to_owned).collect())
}

/// Asks each viewable top-level window titled exactly `name` to close, as a
/// window manager does when its close button is clicked: the
/// WM_DELETE_WINDOW message of ICCCM (no window manager runs under Xvfb).
pub fn close_window(name: &str) {
    use x11rb::protocol::xproto::{ClientMessageEvent, ConnectionExt as _, EventMask};
    let ids = visible_windows(name);
    let (conn, _) = x11rb::connect(None).unwrap_or_else(|e| panic!("the X display: {e}"));
    let atom = |atom_name: &str| {
        conn.intern_atom(false, atom_name.as_bytes())
            .ok()
            .and_then(|cookie| cookie.reply().ok())
            .unwrap_or_else(|| panic!("the atom {atom_name}"))
            .atom
    };
    let (protocols, delete) = (atom("WM_PROTOCOLS"), atom("WM_DELETE_WINDOW"));
    let mut asked = 0;
    for id in ids.lines() {
        let Ok(window) = id.trim().parse::<u32>() else {
            continue;
        };
        let message = ClientMessageEvent::new(32, window, protocols, [delete, 0, 0, 0, 0]);
        conn.send_event(false, window, EventMask::NO_EVENT, message)
            .unwrap_or_else(|e| panic!("asking {name:?} to close: {e}"));
        asked += 1;
    }
    // A round trip: the server has handled the messages before the
    // connection closes (a message still unread then may be lost).
    conn.get_input_focus()
        .ok()
        .and_then(|cookie| cookie.reply().ok())
        .unwrap_or_else(|| panic!("the X display did not answer"));
    assert!(asked > 0, "no viewable window titled {name:?} to close");
}

/// Whether a top-level window titled exactly `name` is on screen.
pub fn window_viewable(name: &str) -> bool {
    topmost_of(&[name]).is_ok()
}
