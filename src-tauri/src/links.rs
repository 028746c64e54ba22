//! What the desktop asks Watchword to open (issue 12): an `otpauth://` or
//! `otpauth-migration://` link clicked in a browser or a chat, or an image
//! or a backup file opened with Watchword. The desktop entry declares the
//! link types and files; the desktop starts `watchword ARGS`, and when
//! Watchword is running already, single-instance hands ARGS to it.
//!
//! Whatever arrives goes through the same preview as a pasted image or a
//! dropped file: nothing is added without the user's say. An argument that
//! is neither is ignored with a notice that never repeats it (a mistyped
//! link may hold a key).

use crate::enrol::{take_in, Origin};
use crate::state::AppState;
use std::path::{Path, PathBuf};
use tauri::{AppHandle, Emitter, Manager};
use watchword_core::enrol::{Input, Note};
use watchword_core::store::LockState;
use watchword_core::ErrorCode;
use zeroize::Zeroizing;

mod launch;
#[cfg(target_os = "linux")]
pub use launch::{hand_over, HandOver};
pub use launch::{take_command_line, NOT_ANSWERING};

/// Arguments to open: a link among them holds a key, wiped when dropped.
pub type Args = Zeroizing<Vec<String>>;

/// More than anyone opens at once; the rest are ignored, with a notice.
const MOST_AT_ONCE: usize = 32;

/// The option that opens (or closes) the quick-copy palette.
pub const QUICK: &str = "--quick";

/// The option that starts Watchword in the tray, its window hidden (as the
/// login entry does).
pub const TRAY: &str = "--tray";

/// What a launch asks to be shown.
#[derive(Debug, PartialEq, Eq)]
pub enum Launch {
    /// The quick-copy palette alone (`--quick`).
    Quick,
    /// Nothing: the tray alone (`--tray`, at login).
    Tray,
    /// The window, with whatever the arguments hold.
    Window,
}

/// What the arguments ask to be shown. A link, a file or anything else
/// given beside `--quick` or `--tray` wins: the window shows it, as
/// nothing given is left out unseen.
pub fn launch_of(args: &[String]) -> Launch {
    if args.iter().any(|arg| arg != QUICK && arg != TRAY) {
        Launch::Window
    } else if args.iter().any(|arg| arg == QUICK) {
        Launch::Quick
    } else if args.iter().any(|arg| arg == TRAY) {
        Launch::Tray
    } else {
        Launch::Window
    }
}

/// What one argument asks for.
#[derive(PartialEq, Eq)]
pub enum Opened {
    /// A link (its scheme is the preview's to judge: an `https:` one gets
    /// "a web link, not a code's").
    Link(String),
    /// A file, by its absolute path.
    File(PathBuf),
    /// `--quick`: the palette (handled before anything is opened).
    Quick,
    /// `--tray`: start in the tray (handled at start).
    Tray,
    /// An option this version does not know (`--something`).
    UnknownOption,
}

/// A link may hold a key: Debug says which kind, never the text.
impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Opened::Link(link) => write!(f, "Link({} bytes)", link.len()),
            Opened::File(_) => f.write_str("File(…)"),
            Opened::Quick => f.write_str("Quick"),
            Opened::Tray => f.write_str("Tray"),
            Opened::UnknownOption => f.write_str("UnknownOption"),
        }
    }
}

/// Whether `arg` starts with a URI scheme (`otpauth:`, `https:`), as
/// RFC 3986 spells one; a single letter is a Windows drive, not a scheme.
fn has_scheme(arg: &str) -> bool {
    let Some((scheme, _)) = arg.split_once(':') else {
        return false;
    };
    scheme.len() > 1
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Reads one argument as the desktop means it; relative paths are taken
/// from `cwd` (the second launch's folder, not the running one's).
pub fn classify(arg: &str, cwd: &Path) -> Opened {
    if arg == QUICK {
        return Opened::Quick;
    }
    if arg == TRAY {
        return Opened::Tray;
    }
    if arg.starts_with('-') {
        return Opened::UnknownOption;
    }
    if arg
        .get(..7)
        .is_some_and(|start| start.eq_ignore_ascii_case("file://"))
    {
        if let Some(path) = url::Url::parse(arg)
            .ok()
            .and_then(|url| url.to_file_path().ok())
        {
            return Opened::File(path);
        }
    }
    // An otpauth link holds a key: it is not made into a path, nor handed to
    // the system to look for such a file (copies nobody would wipe).
    if ["otpauth:", "otpauth-migration:"].iter().any(|scheme| {
        arg.get(..scheme.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(scheme))
    }) {
        return Opened::Link(arg.to_owned());
    }
    // A mistyped link (a space before it, a colon lost) is still a link:
    // its text must never become a file name shown in the preview. One
    // that names a key is not even looked for as a file: the system's
    // look-up would see the key (and audit rules or strace with it).
    if arg
        .as_bytes()
        .windows(b"secret=".len())
        .any(|part| part.eq_ignore_ascii_case(b"secret="))
    {
        return Opened::Link(arg.to_owned());
    }
    let path = cwd.join(arg);
    let link_like = has_scheme(arg) || arg.contains("://");
    if link_like && !path.exists() {
        return Opened::Link(arg.to_owned());
    }
    Opened::File(path)
}

/// A file named on the command line. Only a regular file is read: a named
/// pipe would block the read for ever, and a device or a folder is no
/// backup. One that is not there is named by a fixed phrase, not its
/// name (a mistyped link would be its name).
fn file_input(path: &Path) -> Input {
    let unusable = |source: String, message: &str| {
        Input::Unusable(Note {
            source,
            code: ErrorCode::UnreadableFile,
            message: message.to_owned(),
        })
    };
    // Named from a folder that could not be told (it was removed, or a
    // launch handed it over without one): read from Watchword's own
    // folder it would be another file, or none.
    if path.is_relative() {
        return unusable(
            "A file given to Watchword".to_owned(),
            "The folder it was named from is not known (it may be gone): give the file's full path.",
        );
    }
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => Input::from_file(path),
        Ok(_) => unusable(
            path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            "This is not a file Watchword can read (a folder, a device or a pipe).",
        ),
        Err(_) => unusable(
            "A file given to Watchword".to_owned(),
            "There is no such file, or it cannot be opened.",
        ),
    }
}

/// What was left out of one opening, and why.
#[derive(Debug, Default, PartialEq, Eq)]
struct Ignored {
    /// Options this version does not know.
    unknown: usize,
    /// Links and files beyond [`MOST_AT_ONCE`].
    beyond: usize,
}

impl Ignored {
    /// The notice for the window, or `None` when nothing was left out. It
    /// never repeats an argument: a mistyped link may hold a key.
    fn notice(&self) -> Option<String> {
        let unknown = match self.unknown {
            0 => None,
            1 => Some("Watchword ignored an option it does not know.".to_owned()),
            n => Some(format!("Watchword ignored {n} options it does not know.")),
        };
        let beyond = match self.beyond {
            0 => None,
            n => Some(format!(
                "Watchword opens at most {MOST_AT_ONCE} links or files at once \
                 and left out {n} more."
            )),
        };
        match (unknown, beyond) {
            (Some(unknown), Some(beyond)) => Some(format!("{unknown} {beyond}")),
            (unknown, beyond) => unknown.or(beyond),
        }
    }
}

/// The inputs for the preview, and what was left out.
fn inputs_of(args: &[String], cwd: &Path) -> (Vec<Input>, Ignored) {
    let mut inputs = Vec::new();
    let mut ignored = Ignored::default();
    for arg in args {
        match classify(arg, cwd) {
            Opened::Quick | Opened::Tray => {}
            Opened::UnknownOption => ignored.unknown += 1,
            Opened::Link(_) | Opened::File(_) if inputs.len() == MOST_AT_ONCE => {
                ignored.beyond += 1;
            }
            Opened::Link(link) => inputs.push(Input::image("The link", Ok(vec![link]))),
            Opened::File(path) => inputs.push(file_input(&path)),
        }
    }
    (inputs, ignored)
}

/// What arrived before the page listened, in order: the launch's own
/// arguments, a second launch's (handed over while this one was still
/// starting), and notices. The page asks for them once it listens
/// ([`open_start_args`]); until then, what it would be told reaches no one.
#[derive(Default)]
pub struct ForPage {
    /// The page has asked: what comes now goes to it at once.
    listening: bool,
    /// The page was given up on (crash.rs): nothing will ask again.
    gone: bool,
    waiting: Vec<Waiting>,
}

enum Waiting {
    Open(Args, PathBuf),
    Notice(String),
}

/// Most kept for a page that has not asked yet (launches in a loop must
/// not grow memory): later ones are said on standard error and dropped.
const KEPT_AT_MOST: usize = 16;

impl std::fmt::Debug for ForPage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The arguments may hold keys.
        write!(f, "ForPage({} waiting)", self.waiting.len())
    }
}

impl ForPage {
    /// Keeps `what` if the page does not listen yet; gives it back when
    /// it does.
    fn keep(&mut self, what: Waiting) -> Option<Waiting> {
        if self.listening {
            return Some(what);
        }
        if self.gone {
            // No page to see it; a link's key is not kept for nobody.
            return None;
        }
        if self.waiting.len() < KEPT_AT_MOST {
            self.waiting.push(what);
        } else {
            eprintln!(
                "watchword: too many launches before the window was ready; this one is dropped"
            );
        }
        None
    }

    /// The page listens from now on: what waited, in the order it came.
    fn listen(&mut self) -> Vec<Waiting> {
        self.listening = true;
        std::mem::take(&mut self.waiting)
    }

    /// The page is loaded again (its web process ended): what arrives
    /// meanwhile waits for it to listen again; given up on (`gone`),
    /// nothing waits any more.
    fn page_ended(&mut self, gone: bool) {
        self.listening = false;
        self.gone = gone;
        if gone {
            self.waiting.clear();
        }
    }
}

/// The main window's page ended: loaded again (`gone` false) or given up
/// on (crash.rs).
pub fn page_ended(app: &AppHandle, gone: bool) {
    if let Ok(mut page) = app.state::<AppState>().for_page.lock() {
        page.page_ended(gone);
    }
}

/// Keeps `what` for the page if it does not listen yet; gives it back
/// when it does.
fn keep_unless_listening(app: &AppHandle, what: Waiting) -> Option<Waiting> {
    match app.state::<AppState>().for_page.lock() {
        Ok(mut page) => page.keep(what),
        Err(_) => Some(what),
    }
}

/// What the app was started with: opened when the page asks
/// ([`open_start_args`]), so that what it says reaches a page that listens.
pub fn keep_for_page(state: &AppState, args: Args, cwd: PathBuf) {
    if let Ok(mut page) = state.for_page.lock() {
        let _ = page.keep(Waiting::Open(args, cwd));
    }
}

/// The page is listening: opens what arrived before, once and in order
/// (the launch's own link before one handed over by a second launch).
#[tauri::command]
pub fn open_start_args(app: AppHandle, state: tauri::State<'_, AppState>) {
    let waiting = match state.for_page.lock() {
        Ok(mut page) => page.listen(),
        Err(_) => return,
    };
    if waiting.is_empty() {
        return;
    }
    tauri::async_runtime::spawn_blocking(move || {
        for what in waiting {
            match what {
                Waiting::Open(args, cwd) => open_now(&app, args, &cwd),
                Waiting::Notice(message) => say(&app, &message),
            }
        }
    });
}

/// A notice for the window (shown as a toast), kept until the page
/// listens.
pub fn say(app: &AppHandle, message: &str) {
    if let Some(Waiting::Notice(message)) =
        keep_unless_listening(app, Waiting::Notice(message.to_owned()))
    {
        let _ = app.emit_to("main", "notice", message);
    }
}

/// Brings the window forward (a second launch means the user wants it).
pub fn show_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// True when `args` name no link and no file, only options (known or
/// not): what [`classify`] takes for an option starts with `-`.
fn options_only(args: &[String]) -> bool {
    args.iter().all(|arg| arg.starts_with('-'))
}

/// Opens what `args` name (the program's name left out) in the preview,
/// off the UI thread, and tells the window (`enrol-result`, as a drop
/// does); kept until the page listens. While the lock is on and locked,
/// nothing is read: a link holds a key, and a locked Watchword holds none.
pub fn open(app: &AppHandle, args: Args, cwd: PathBuf) {
    let Some(Waiting::Open(args, cwd)) = keep_unless_listening(app, Waiting::Open(args, cwd))
    else {
        return;
    };
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || open_now(&app, args, &cwd));
}

/// [`open`], on this (worker) thread.
fn open_now(app: &AppHandle, args: Args, cwd: &Path) {
    // Options only (`--tray` at login, `--quick`): nothing to open, and no
    // "locked" notice for a link nobody gave.
    if options_only(&args) {
        let (_, ignored) = inputs_of(&args, cwd);
        if let Some(notice) = ignored.notice() {
            eprintln!("watchword: {notice}");
            say(app, &notice);
        }
        return;
    }
    let state = app.state::<AppState>();
    // Before anything waits on the store or the preview, which an
    // adding holds: what arrives during one joins unticked the
    // preview it leaves.
    let arrival = crate::enrol::arrival(&state);
    if arrival.adding {
        // It waits for the adding (which holds the store): the user
        // hears why.
        say(
            app,
            "A link arrived while adding: it is looked at once adding is done",
        );
    }
    let locked = state
        .with_store(|store| Ok(store.lock_state()?))
        .is_ok_and(|lock| lock == LockState::Locked);
    if locked {
        say(
            app,
            "Watchword is locked: unlock it, then open the link or file again.",
        );
        return;
    }
    let (inputs, ignored) = inputs_of(&args, cwd);
    if let Some(notice) = ignored.notice() {
        eprintln!("watchword: {notice}");
        say(app, &notice);
    }
    if inputs.is_empty() {
        return;
    }

    // From outside: joining a preview already open, its accounts come
    // unticked (a drop is the user's own doing).
    let payload = match take_in(&state, inputs, Origin::Outside(arrival)) {
        Ok(view) => serde_json::json!({ "ok": view }),
        Err(error) => serde_json::json!({ "error": error }),
    };
    let _ = app.emit_to("main", "enrol-result", payload);
}

#[cfg(test)]
mod tests;
