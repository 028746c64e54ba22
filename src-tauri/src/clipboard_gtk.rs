//! The clipboard through GTK, for a Wayland session with no X server at all
//! (no Xwayland). arboard speaks X11 here (it is built without its Wayland
//! data-control protocol, which GNOME's compositor does not offer), and a
//! Wayland client reaches the clipboard only through its own connection to
//! the compositor, with a window in focus: the connection GTK already holds
//! for the window.
//!
//! GTK is not thread-safe. Every call is handed to the main thread through
//! GLib's default main context (the loop Tauri's event loop runs), and the
//! answer comes back over a channel, waited for at most [`WAIT`]. Callers
//! must not be on the main thread: a read's answer needs that loop to turn.
//!
//! A pasted PNG arrives as the bytes its owner sent, and the size budget
//! applies before anything is decoded, as on X11; pasted text has its own
//! budget. One difference remains: GTK reads the whole transfer before
//! handing it over, so each size check comes after the bytes are in memory
//! rather than part-way through.

use crate::clipboard::Pasted;
use gtk::{gdk, glib};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;
use zeroize::Zeroizing;

/// How long the clipboard's owner may take to answer; real ones answer in
/// milliseconds.
const WAIT: Duration = Duration::from_secs(5);

/// The MIME type KDE's clipboard history (and the managers that follow it)
/// honours: a copy offering it with the value `secret` is not kept.
const PASSWORD_HINT: &str = "x-kde-passwordManagerHint";

/// `info` of the password hint among the copy's targets; text is 0.
const HINT_INFO: u32 = 1;

/// Whether the clipboard must go through GTK: no X display. The window
/// exists, so GTK has a display, and without an X one it is Wayland's.
/// With Xwayland (`DISPLAY` set) the X11 clipboard, which the compositor
/// keeps in step with its own, is used as before.
pub fn needed() -> bool {
    std::env::var_os("DISPLAY").is_none_or(|display| display.is_empty())
}

/// Runs `work` on the main thread and waits for what it sends back. The
/// work is always queued (at the default priority, as GTK's own events),
/// never run on the calling thread, even when no loop runs yet or any more.
fn on_main<T: Send + 'static>(
    work: impl FnOnce(mpsc::Sender<T>) + Send + 'static,
) -> Result<T, String> {
    let (answer, answered) = mpsc::channel();
    glib::timeout_add_once(Duration::ZERO, move || work(answer));
    answered.recv_timeout(WAIT).map_err(|_| {
        format!(
            "The clipboard did not answer within {} seconds: try again",
            WAIT.as_secs()
        )
    })
}

fn clipboard() -> gtk::Clipboard {
    gtk::Clipboard::get(&gdk::SELECTION_CLIPBOARD)
}

/// What the clipboard holds: its PNG as bytes (at most `limit` of them) if
/// it offers one, else its text (at most `text_limit` bytes of it).
pub fn read(limit: u64, text_limit: u64) -> Result<Pasted, String> {
    on_main(move |answer| {
        let png = gdk::Atom::intern("image/png");
        clipboard().request_contents(&gdk::Atom::intern("TARGETS"), move |clipboard, offered| {
            let offers_png = offered.targets().unwrap_or_default().contains(&png);
            if !offers_png {
                return read_text(clipboard, text_limit, answer);
            }
            clipboard.request_contents(&png, move |clipboard, data| {
                let bytes = data.data();
                match bytes.len() {
                    // The transfer failed: whatever text there is, then.
                    0 => read_text(clipboard, text_limit, answer),
                    n if u64::try_from(n).unwrap_or(u64::MAX) > limit => {
                        let _ = answer.send(Err(crate::clipboard_x11::too_large(limit)));
                    }
                    _ => {
                        let _ = answer.send(Ok(Pasted::Png(bytes)));
                    }
                }
            });
        });
    })?
}

/// The clipboard's text, if any, refused past `limit` bytes. (GTK's own
/// copies of it cannot be wiped; ours is, once the paste is handled.)
fn read_text(clipboard: &gtk::Clipboard, limit: u64, answer: mpsc::Sender<Result<Pasted, String>>) {
    clipboard.request_text(move |_, text| {
        let _ = answer.send(match text {
            Some(text) if u64::try_from(text.len()).unwrap_or(u64::MAX) > limit => {
                Err(crate::clipboard_x11::text_too_long(limit))
            }
            Some(text) if !text.trim().is_empty() => Ok(Pasted::Text(text.to_owned())),
            _ => Ok(Pasted::Nothing),
        });
    });
}

/// Set while the copy it was made for is still the clipboard's: GTK drops
/// the copy's data (and with it this guard) when another program takes
/// the clipboard, the compositor refuses the copy, or Watchword replaces
/// it. Dropping the guard touches nothing but the flag.
struct OwnedGuard(Arc<AtomicBool>);

impl Drop for OwnedGuard {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// Offers `text` as the clipboard's content, with the password hint that
/// keeps it out of clipboard history, and empties the clipboard
/// `clear_after` later if it still holds it. The clearing is set up on the
/// main thread together with the offer, so a copy never outlives its timer,
/// even one whose caller stopped waiting. The text lives (wiped when
/// dropped) as long as Watchword owns the clipboard.
///
/// A compositor may refuse a copy from an app without the keyboard focus
/// (GNOME's does): it cancels the offer, and GTK drops it once it handles
/// that. A round trip to the compositor brings any refusal in, and an idle
/// callback runs after GTK has handled it: only then is the copy reported.
pub fn copy(text: &str, clear_after: Option<Duration>) -> Result<(), String> {
    let text = Zeroizing::new(text.to_owned());
    let abandoned = Arc::new(AtomicBool::new(false));
    let late = Arc::clone(&abandoned);
    let copied = on_main(move |answer| {
        if late.load(Ordering::SeqCst) {
            return; // The caller reported a failure: copy nothing now.
        }
        let Some(owned) = offer(text) else {
            let _ = answer.send(Err("The clipboard refused the code: try again".to_owned()));
            return;
        };
        if let Some(display) = gdk::Display::default() {
            display.sync();
        }
        glib::idle_add_local_once(move || {
            if late.load(Ordering::SeqCst) {
                // Reported as failed meanwhile (and perhaps locked since,
                // its forget_ours run already): the code does not stay.
                clear(&owned);
                return;
            }
            if !owned.load(Ordering::SeqCst) {
                let _ = answer.send(Err(
                    "This desktop let Watchword copy only while its window has the focus: \
                     open the window and copy there"
                        .to_owned(),
                ));
                return;
            }
            LAST.with(|last| {
                *last.borrow_mut() = Some((Arc::clone(&owned), clear_after.is_some()));
            });
            if let Some(delay) = clear_after {
                glib::timeout_add_local_once(delay, move || clear(&owned));
            }
            let _ = answer.send(Ok(()));
        });
    });
    if copied.is_err() {
        abandoned.store(true, Ordering::SeqCst);
    }
    copied?
}

thread_local! {
    /// The flag of the copy made last (main thread only), for
    /// [`forget_ours`].
    static LAST: std::cell::RefCell<Option<(Arc<AtomicBool>, bool)>> =
        const { std::cell::RefCell::new(None) };
}

/// Empties the clipboard if it still holds the copy made last (queued on
/// the main thread; the caller does not wait).
pub fn forget_ours() {
    glib::timeout_add_once(Duration::ZERO, || {
        if let Some((owned, _)) = LAST.with(|last| last.borrow_mut().take()) {
            clear(&owned);
        }
    });
}

/// As Watchword quits (on the main thread, whose loop turns no more): the
/// copy made last is cleared now if its clear is still due.
pub fn forget_at_exit() {
    if let Some((owned, true)) = LAST.with(|last| last.borrow_mut().take()) {
        clear(&owned);
        // Sent now, as a copy is: the loop that would send it turns no
        // more. (A desktop that lets only the window in focus copy may
        // still refuse it, as it refuses a copy from the tray.)
        if let Some(display) = gdk::Display::default() {
            display.sync();
        }
    }
}

/// Empties the clipboard if it still holds the copy `owned` was made for
/// (on the main thread): by offering an empty text in its place rather than
/// by giving the clipboard up. A clipboard manager that ignores the
/// password hint (as weston's own does) keeps a copy of the last text
/// offered and puts it back when the clipboard is given up; an empty text
/// replaces that copy.
fn clear(owned: &AtomicBool) {
    if owned.load(Ordering::SeqCst) {
        let _ = offer(Zeroizing::new(String::new()));
    }
}

/// Makes `text` the clipboard's content (on the main thread); `None` if GTK
/// refused. The flag stays set while the clipboard is still ours.
fn offer(text: Zeroizing<String>) -> Option<Arc<AtomicBool>> {
    let owned = Arc::new(AtomicBool::new(true));
    let guard = OwnedGuard(Arc::clone(&owned));
    let targets: Vec<gtk::TargetEntry> = [
        "text/plain;charset=utf-8",
        "UTF8_STRING",
        "text/plain",
        "TEXT",
        "STRING",
    ]
    .iter()
    .map(|target| gtk::TargetEntry::new(target, gtk::TargetFlags::empty(), 0))
    .chain([gtk::TargetEntry::new(
        PASSWORD_HINT,
        gtk::TargetFlags::empty(),
        HINT_INFO,
    )])
    .collect();
    let offered = clipboard().set_with_data(&targets, move |_, selection, info| {
        let _ = &guard;
        if info == HINT_INFO {
            selection.set(&gdk::Atom::intern(PASSWORD_HINT), 8, b"secret");
        } else {
            selection.set_text(&text);
        }
    });
    offered.then_some(owned)
}
