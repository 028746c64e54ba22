//! The system clipboard: copy a code, then forget it after a delay, but only
//! if the clipboard still holds that code (the user may have copied something
//! else since).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zeroize::Zeroizing;

/// Owns the clipboard connection. On X11 the connection must stay open for
/// other programs to paste what we copied, so it lives as long as the app.
#[derive(Default, Clone)]
pub struct ClipboardKeeper {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    clipboard: Mutex<Option<arboard::Clipboard>>,
    generation: AtomicU64,
    /// The code copied last, to tell whether the clipboard still holds it
    /// ([`ClipboardKeeper::forget_ours`]), and whether a clear is due for
    /// it; wiped when replaced.
    last: Mutex<Option<Last>>,
}

struct Last {
    code: Zeroizing<String>,
    clears: bool,
}

impl Inner {
    /// The clipboard's connection. A panic elsewhere while it was held
    /// (in arboard) leaves the lock poisoned; the connection is still the
    /// one that owns the code, and its clear must still come, so the lock
    /// is taken back rather than refused for the rest of the run.
    fn clipboard(&self) -> std::sync::MutexGuard<'_, Option<arboard::Clipboard>> {
        self.clipboard.lock().unwrap_or_else(|poisoned| {
            self.clipboard.clear_poison();
            poisoned.into_inner()
        })
    }

    /// The code copied last, taken back after a panic as
    /// [`Inner::clipboard`] is.
    fn last(&self) -> std::sync::MutexGuard<'_, Option<Last>> {
        self.last.lock().unwrap_or_else(|poisoned| {
            self.last.clear_poison();
            poisoned.into_inner()
        })
    }
}

impl std::fmt::Debug for ClipboardKeeper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClipboardKeeper")
    }
}

impl ClipboardKeeper {
    /// Puts `text` on the clipboard, marked to stay out of clipboard history
    /// where the platform allows, and clears it after `clear_after` (if any)
    /// unless it was replaced in the meantime.
    pub fn copy(&self, text: &str, clear_after: Option<Duration>) -> Result<(), String> {
        #[cfg(target_os = "linux")]
        if crate::clipboard_gtk::needed() {
            // Cleared on GTK's own loop, once no longer anyone else's.
            return crate::clipboard_gtk::copy(text, clear_after);
        }
        let generation = {
            let mut slot = self.inner.clipboard();
            if slot.is_none() {
                *slot = Some(arboard::Clipboard::new().map_err(|e| describe(&e))?);
            }
            let clipboard = slot.as_mut().expect("set just above");
            set_private_text(clipboard, text).map_err(|e| describe(&e))?;
            *self.inner.last() = Some(Last {
                code: Zeroizing::new(text.to_owned()),
                clears: clear_after.is_some(),
            });
            // Under the clipboard's lock: two copies at once number their
            // timers in the order of their codes, so the later code's timer
            // is the one left to clear it.
            self.inner.generation.fetch_add(1, Ordering::SeqCst) + 1
        };
        let Some(clear_after) = clear_after else {
            return Ok(());
        };
        let inner = Arc::clone(&self.inner);
        let copied = Zeroizing::new(text.to_owned());
        std::thread::spawn(move || {
            std::thread::sleep(clear_after);
            if inner.generation.load(Ordering::SeqCst) != generation {
                return; // A later copy owns the clipboard and its own timer.
            }
            if let Some(clipboard) = inner.clipboard().as_mut() {
                clear_if_held(clipboard, &copied, ASK_OWNER);
            }
        });
        Ok(())
    }

    /// Empties the clipboard now if it still holds the code copied last
    /// (as the app locks); anything copied since by another program stays.
    /// Never waits for the main thread.
    pub fn forget_ours(&self) {
        #[cfg(target_os = "linux")]
        if crate::clipboard_gtk::needed() {
            crate::clipboard_gtk::forget_ours();
            return;
        }
        // The clipboard's lock first, then the last copy's, as `copy`
        // takes them.
        let mut slot = self.inner.clipboard();
        let Some(copied) = self.inner.last().take() else {
            return;
        };
        // No timer of an earlier copy may clear what comes next.
        self.inner.generation.fetch_add(1, Ordering::SeqCst);
        if let Some(clipboard) = slot.as_mut() {
            clear_if_held(clipboard, &copied.code, ASK_OWNER);
        }
    }

    /// As Watchword quits (on the main thread): a code whose clear is
    /// still due goes now, as its timer dies with the process. Left to
    /// the process's end, the clipboard would be given up with the code
    /// on it, which a clipboard manager may keep. One copied with the
    /// clearing off stays the user's.
    pub fn forget_at_exit(&self) {
        #[cfg(target_os = "linux")]
        if crate::clipboard_gtk::needed() {
            crate::clipboard_gtk::forget_at_exit();
            return;
        }
        let mut slot = self.inner.clipboard();
        let due = self.inner.last().take_if(|last| last.clears);
        if let (Some(copied), Some(clipboard)) = (due, slot.as_mut()) {
            clear_if_held(clipboard, &copied.code, ASK_OWNER_AT_EXIT);
        }
    }
}

/// Empties the clipboard if it still holds `copied`: by offering an empty
/// text in its place (marked as the code was), not by giving the
/// clipboard up. A clipboard manager that ignores the password hint
/// (GNOME's own keeps the last text copied) puts its copy back when the
/// clipboard is given up; an empty text replaces that copy, and arboard's
/// own copy of the code.
fn clear_if_held(clipboard: &mut arboard::Clipboard, copied: &str, wait: Duration) {
    if holds(clipboard, copied, wait) {
        let _ = set_private_text(clipboard, "");
    }
}

/// Whether the clipboard still holds `copied`: on X11 read no further than
/// its length (another program's text may be of any size), elsewhere as
/// arboard reads it.
fn holds(clipboard: &mut arboard::Clipboard, copied: &str, wait: Duration) -> bool {
    #[cfg(all(unix, not(target_os = "macos")))]
    if let Some(held) = crate::clipboard_x11::holds_text(copied, wait) {
        return held;
    }
    let _ = wait;
    clipboard.get_text().ok().as_deref() == Some(copied)
}

/// How long the clipboard's owner may take to say what it holds; at quit
/// much less, as the owner may be our own main thread, busy quitting (a
/// text copied from the window's search field).
const ASK_OWNER: Duration = Duration::from_secs(5);
const ASK_OWNER_AT_EXIT: Duration = Duration::from_millis(300);

/// What a paste reads at most.
#[cfg(all(unix, not(target_os = "macos")))]
const LIMITS: crate::clipboard_x11::Limits = crate::clipboard_x11::Limits {
    image: watchword_core::limits::MAX_IMAGE_BYTES,
    text: watchword_core::limits::MAX_PASTED_TEXT_BYTES,
};

/// What the clipboard holds, as far as adding an account goes.
pub enum Pasted {
    /// An image: `width * height` RGBA pixels.
    Image {
        width: u32,
        height: u32,
        rgba: Vec<u8>,
    },
    /// An image as its owner sent it (a PNG), not decoded yet: the size and
    /// pixel budgets apply before decoding.
    Png(Vec<u8>),
    /// Text, which may be a key: never logged.
    Text(String),
    /// Neither an image nor text.
    Nothing,
}

impl ClipboardKeeper {
    /// Reads the clipboard: an image if it holds one, else its text.
    pub fn read(&self) -> Result<Pasted, String> {
        #[cfg(target_os = "linux")]
        if crate::clipboard_gtk::needed() {
            return crate::clipboard_gtk::read(LIMITS.image, LIMITS.text);
        }
        let mut slot = self.inner.clipboard();
        if slot.is_none() {
            *slot = Some(arboard::Clipboard::new().map_err(|e| describe(&e))?);
        }
        let clipboard = slot.as_mut().expect("set just above");
        // On X11 the PNG and the text are read as bytes, within their
        // budgets as they arrive; arboard's image read decodes first, and
        // its text read takes the whole text, however long.
        #[cfg(all(unix, not(target_os = "macos")))]
        match crate::clipboard_x11::read(LIMITS)? {
            crate::clipboard_x11::X11Paste::Png(bytes) => return Ok(Pasted::Png(bytes)),
            crate::clipboard_x11::X11Paste::Text(text) if !text.trim().is_empty() => {
                return Ok(Pasted::Text(text));
            }
            crate::clipboard_x11::X11Paste::Text(_) | crate::clipboard_x11::X11Paste::Nothing => {
                return Ok(Pasted::Nothing);
            }
            crate::clipboard_x11::X11Paste::NoDisplay => {}
        }
        // Some programs answer a request for an image with their text (xclip
        // does, and arboard then reports a type or conversion error), so a
        // failed image read falls through to the text and is reported only
        // when there is no text either.
        let image_error = match clipboard.get_image() {
            Ok(image) => {
                let (width, height) = (image.width, image.height);
                let too_big = || "The image on the clipboard is too large to scan".to_owned();
                return Ok(Pasted::Image {
                    width: u32::try_from(width).map_err(|_| too_big())?,
                    height: u32::try_from(height).map_err(|_| too_big())?,
                    rgba: image.bytes.into_owned(),
                });
            }
            Err(arboard::Error::ContentNotAvailable) => None,
            Err(other) => Some(other),
        };
        read_text(clipboard, image_error)
    }
}

/// The clipboard's text, or why there is none to scan.
fn read_text(
    clipboard: &mut arboard::Clipboard,
    image_error: Option<arboard::Error>,
) -> Result<Pasted, String> {
    match (clipboard.get_text(), image_error) {
        (Ok(text), _) if !text.trim().is_empty() => Ok(Pasted::Text(text)),
        (_, Some(arboard::Error::ConversionFailure)) => Err(
            "The image on the clipboard could not be read: copy it again, or save it as a \
             PNG file and drop it here"
                .into(),
        ),
        (_, Some(other)) => Err(describe(&other)),
        (Ok(_) | Err(arboard::Error::ContentNotAvailable), None) => Ok(Pasted::Nothing),
        (Err(other), None) => Err(describe(&other)),
    }
}

#[cfg(target_os = "linux")]
fn set_private_text(clipboard: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    use arboard::SetExtLinux;
    clipboard.set().exclude_from_history().text(text)
}

#[cfg(target_os = "windows")]
fn set_private_text(clipboard: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    use arboard::SetExtWindows;
    clipboard.set().exclude_from_history().text(text)
}

#[cfg(target_os = "macos")]
fn set_private_text(clipboard: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    use arboard::SetExtApple;
    clipboard.set().exclude_from_history().text(text)
}

#[cfg(not(any(target_os = "linux", target_os = "windows", target_os = "macos")))]
fn set_private_text(clipboard: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    clipboard.set_text(text)
}

fn describe(err: &arboard::Error) -> String {
    format!("The clipboard is not available: {err}")
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    /// The X clipboard's text, as another program (xclip) pastes it.
    fn pasted() -> String {
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "needs an X display (run in scripts/session.sh)"
        );
        let output = std::process::Command::new("xclip")
            .args(["-selection", "clipboard", "-o"])
            .output()
            .expect("xclip runs");
        if output.status.success() {
            String::from_utf8(output.stdout).expect("UTF-8")
        } else {
            format!(
                "(xclip: {})",
                String::from_utf8_lossy(&output.stderr).trim()
            )
        }
    }

    /// Against the real X clipboard (Xvfb in scripts/session.sh), in one
    /// test as the clipboard is the whole display's.
    #[test]
    fn a_code_is_overwritten_not_given_up_and_goes_as_watchword_quits() {
        let keeper = ClipboardKeeper::default();

        // Forgotten (as at a lock): an empty text, owned, in its place.
        keeper.copy("123456", None).expect("copied");
        assert_eq!(pasted(), "123456");
        keeper.forget_ours();
        assert_eq!(pasted(), "", "overwritten with an empty text");

        // Quitting with its clear still due: cleared then.
        keeper
            .copy("234567", Some(Duration::from_secs(600)))
            .expect("copied");
        keeper.forget_at_exit();
        assert_eq!(pasted(), "", "cleared as Watchword quits");

        // Copied with the clearing off: the user's, kept.
        keeper.copy("345678", None).expect("copied");
        keeper.forget_at_exit();
        assert_eq!(pasted(), "345678", "kept: no clear was due");

        // Another program's text is never cleared.
        keeper
            .copy("456789", Some(Duration::from_secs(600)))
            .expect("copied");
        let mut other = arboard::Clipboard::new().expect("a second client");
        other.set_text("a shopping list").expect("set");
        assert_eq!(pasted(), "a shopping list");
        keeper.forget_at_exit();
        assert_eq!(pasted(), "a shopping list");

        // A panic while the clipboard was held (in arboard, say) does not
        // stop the next copy, nor its clear.
        let inner = Arc::clone(&keeper.inner);
        let _ = std::thread::spawn(move || {
            let _held = inner.clipboard.lock();
            panic!("a panic with the clipboard held");
        })
        .join();
        assert!(keeper.inner.clipboard.is_poisoned());
        keeper
            .copy("567890", Some(Duration::from_millis(200)))
            .expect("copied after the panic");
        assert_eq!(pasted(), "567890");
        let cleared = (0..100).any(|_| {
            std::thread::sleep(Duration::from_millis(50));
            pasted().is_empty()
        });
        assert!(cleared, "still {:?} after 5 s", pasted());
    }
}
