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
//! applies before anything is decoded, as on X11. One difference remains:
//! GTK reads the whole transfer before handing it over, so the size check
//! comes after the bytes are in memory rather than part-way through.

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

/// Whether the clipboard must go through GTK: a Wayland display and no X
/// one. With Xwayland (`DISPLAY` set) the X11 clipboard, which the
/// compositor keeps in step with its own, is used as before.
pub fn needed() -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|value| !value.is_empty());
    set("WAYLAND_DISPLAY") && !set("DISPLAY")
}

/// Runs `work` on the main thread and waits for what it sends back.
fn on_main<T: Send + 'static>(
    work: impl FnOnce(mpsc::Sender<T>) + Send + 'static,
) -> Result<T, String> {
    let (answer, answered) = mpsc::channel();
    glib::MainContext::default().invoke(move || work(answer));
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
/// it offers one, else its text.
pub fn read(limit: u64) -> Result<Pasted, String> {
    on_main(move |answer| {
        let png = gdk::Atom::intern("image/png");
        clipboard().request_contents(&gdk::Atom::intern("TARGETS"), move |clipboard, offered| {
            let offers_png = offered.targets().unwrap_or_default().contains(&png);
            if offers_png {
                clipboard.request_contents(&png, move |_, data| {
                    let bytes = data.data();
                    let _ = answer.send(match bytes.len() {
                        0 => Ok(Pasted::Nothing),
                        n if u64::try_from(n).unwrap_or(u64::MAX) > limit => {
                            Err(crate::clipboard_x11::too_large(limit))
                        }
                        _ => Ok(Pasted::Png(bytes)),
                    });
                });
            } else {
                clipboard.request_text(move |_, text| {
                    let _ = answer.send(Ok(match text {
                        Some(text) if !text.trim().is_empty() => Pasted::Text(text.to_owned()),
                        _ => Pasted::Nothing,
                    }));
                });
            }
        });
    })?
}

/// Set while the copy it was made for is still the clipboard's: GTK drops
/// the copy's data (and with it this guard) when another program takes
/// the clipboard or Watchword clears it.
#[derive(Clone, Debug)]
pub struct Owned(Arc<AtomicBool>);

struct OwnedGuard(Arc<AtomicBool>);

impl Drop for OwnedGuard {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// Offers `text` as the clipboard's content, with the password hint that
/// keeps it out of clipboard history. The text lives (wiped when dropped)
/// as long as Watchword owns the clipboard.
pub fn copy(text: &str) -> Result<Owned, String> {
    let text = Zeroizing::new(text.to_owned());
    on_main(move |answer| {
        let _ = answer.send(match offer(text) {
            Some(owned) => Ok(Owned(owned)),
            None => Err("The clipboard refused the code: try again".to_owned()),
        });
    })?
}

/// Empties the clipboard if it still holds the copy `owned` was made for:
/// by offering an empty text in its place rather than by giving the
/// clipboard up. A clipboard manager that ignores the password hint (as
/// weston's own does) keeps a copy of the last text offered and puts it
/// back when the clipboard is given up; an empty text replaces that copy.
pub fn clear(owned: &Owned) {
    let owned = Arc::clone(&owned.0);
    // Nothing to report if the main thread is slow to answer: the copy is
    // then most likely gone anyway, and the timer has no one to tell.
    let _ = on_main(move |answer: mpsc::Sender<()>| {
        if owned.load(Ordering::SeqCst) {
            let _ = offer(Zeroizing::new(String::new()));
        }
        let _ = answer.send(());
    });
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
