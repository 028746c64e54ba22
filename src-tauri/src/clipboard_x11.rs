//! Reads the X11 clipboard as the bytes its owner sends, so the budgets of
//! `watchword_core::limits` apply as they arrive: a PNG's size before
//! anything is decoded, and text's length before more of it is taken.
//! arboard decodes the clipboard's PNG to RGBA itself, before any check of
//! ours could run (a small PNG claiming a huge picture would cost up to the
//! image crate's own allocation limit, 512 MiB), and reads text whole,
//! however long.
//!
//! The protocol is ICCCM's: ask the owner to convert the CLIPBOARD selection
//! to `TARGETS`, then to `image/png` or text, into a property of a window of
//! ours; a large transfer comes in `INCR` chunks. Every wait is bounded.

use std::time::{Duration, Instant};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    Atom, AtomEnum, ConnectionExt as _, CreateWindowAux, EventMask, Property, Window, WindowClass,
};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;

/// How long the clipboard's owner may take to answer; real ones answer in
/// milliseconds.
const WAIT: Duration = Duration::from_secs(5);

/// What the X11 clipboard holds.
#[derive(Debug)]
pub enum X11Paste {
    /// No X display to ask (Wayland without Xwayland, or none at all).
    NoDisplay,
    /// Neither a PNG nor text.
    Nothing,
    /// The PNG's bytes, at most the image limit given.
    Png(Vec<u8>),
    /// The text, at most the text limit given.
    Text(String),
}

/// Whether the clipboard holds exactly `expected` as text, read no further
/// than its length; `None` when there is no X display to ask. An image
/// alone, a longer text or an owner that does not answer within `wait` is
/// not it.
pub fn holds_text(expected: &str, wait: Duration) -> Option<bool> {
    let limits = Limits {
        image: 0,
        text: expected.len() as u64,
    };
    match read_within(limits, wait) {
        Ok(X11Paste::NoDisplay) => None,
        Ok(X11Paste::Text(text)) => Some(text == expected),
        Ok(X11Paste::Nothing | X11Paste::Png(_)) | Err(_) => Some(false),
    }
}

/// Budgets for one read, in bytes (an image budget of 0 reads no image,
/// only text).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub image: u64,
    pub text: u64,
}

/// The clipboard's PNG if it offers one (not decoded), else its text.
/// `Err` says why, never with clipboard content.
pub fn read(limits: Limits) -> Result<X11Paste, String> {
    read_within(limits, WAIT)
}

/// [`read`], its owner given `wait` to answer.
fn read_within(limits: Limits, wait: Duration) -> Result<X11Paste, String> {
    if std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty()) {
        return Ok(X11Paste::NoDisplay);
    }
    let Ok((conn, screen)) = x11rb::connect(None) else {
        return Ok(X11Paste::NoDisplay);
    };
    let reader = Reader::new(conn, screen).map_err(failed)?;
    let deadline = Instant::now() + wait;
    let atom = |name: &[u8]| reader.atom(name).map_err(failed);
    let (png, targets) = (atom(b"image/png")?, atom(b"TARGETS")?);
    // The text targets arboard asked for, in its order; TEXT and plain
    // text/plain read as UTF-8, as it reads them.
    let texts = [
        (atom(b"UTF8_STRING")?, Encoding::Utf8),
        (atom(b"text/plain;charset=utf-8")?, Encoding::Utf8),
        (atom(b"text/plain;charset=UTF-8")?, Encoding::Utf8),
        (u32::from(AtomEnum::STRING), Encoding::Latin1),
        (atom(b"TEXT")?, Encoding::Utf8),
        (atom(b"text/plain")?, Encoding::Utf8),
    ];
    // An owner that does not list its targets may still give text.
    let offered: Option<Vec<Atom>> = reader
        .convert(targets, 64 * 1024, deadline)
        .map_err(|f| f.say(None, 64 * 1024))?
        .map(|list| {
            list.chunks_exact(4)
                .filter_map(|atom| atom.try_into().ok().map(u32::from_ne_bytes))
                .collect()
        });
    let offers = |atom: Atom| offered.as_ref().is_none_or(|list| list.contains(&atom));
    if limits.image > 0 && offered.as_ref().is_some_and(|list| list.contains(&png)) {
        match reader.convert(png, limits.image, deadline) {
            Ok(Some(bytes)) if !bytes.is_empty() => return Ok(X11Paste::Png(bytes)),
            // Refused or empty: whatever text there is, then.
            Ok(_) => {}
            Err(failure) => return Err(failure.say(Some(What::Image), limits.image)),
        }
    }
    // Each text target offered in turn, until one gives text.
    for (target, encoding) in texts.into_iter().filter(|(atom, _)| offers(*atom)) {
        match reader.convert(target, limits.text, deadline) {
            Ok(Some(bytes)) if !bytes.is_empty() => {
                return Ok(X11Paste::Text(encoding.decode(bytes)));
            }
            Ok(_) => {}
            Err(failure) => return Err(failure.say(Some(What::Text), limits.text)),
        }
    }
    Ok(X11Paste::Nothing)
}

#[derive(Clone, Copy)]
enum Encoding {
    Utf8,
    /// ICCCM's STRING: ISO 8859-1, one character a byte.
    Latin1,
}

impl Encoding {
    /// Text as a String, moved rather than copied when it is UTF-8 (it may
    /// be a key). What is not valid UTF-8 is replaced (U+FFFD), so such
    /// text is named as not a link or a key rather than as an error.
    fn decode(self, bytes: Vec<u8>) -> String {
        match self {
            Encoding::Utf8 => String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            Encoding::Latin1 => bytes.iter().map(|&b| char::from(b)).collect(),
        }
    }
}

/// What was being read, for messages.
#[derive(Clone, Copy)]
enum What {
    Image,
    Text,
}

/// Why a transfer stopped.
#[derive(Debug)]
enum Failure {
    /// More than the budget.
    TooLarge,
    /// The owner did not answer before the deadline.
    NoAnswer,
    /// The X connection failed; the message says how.
    Failed(String),
}

impl Failure {
    fn say(self, what: Option<What>, limit: u64) -> String {
        match (self, what) {
            (Failure::TooLarge, Some(What::Image)) => too_large(limit),
            (Failure::TooLarge, Some(What::Text)) => text_too_long(limit),
            (Failure::TooLarge, None) => {
                "The program that holds the clipboard offers too many kinds of content".into()
            }
            (Failure::NoAnswer, what) => format!(
                "The program that holds the clipboard did not hand it over: copy the {} again",
                match what {
                    Some(What::Image) => "image",
                    Some(What::Text) => "text",
                    None => "image or text",
                }
            ),
            (Failure::Failed(message), _) => message,
        }
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::Failed(message)
    }
}

fn failed(err: impl std::fmt::Display) -> String {
    format!("The clipboard is not available: {err}")
}

pub(crate) fn text_too_long(limit: u64) -> String {
    format!(
        "The text on the clipboard is longer than {} MB: too long to be a link or a setup key",
        limit / 1_000_000
    )
}

pub(crate) fn too_large(limit: u64) -> String {
    format!(
        "The image on the clipboard is larger than {} MB, too large to scan",
        limit / 1_000_000
    )
}

struct Reader {
    conn: RustConnection,
    window: Window,
    clipboard: Atom,
    property: Atom,
    incr: Atom,
}

impl Reader {
    fn new(conn: RustConnection, screen: usize) -> Result<Self, Box<dyn std::error::Error>> {
        let root = conn
            .setup()
            .roots
            .get(screen)
            .ok_or("the X server has no such screen")?
            .root;
        let window = conn.generate_id()?;
        conn.create_window(
            x11rb::COPY_DEPTH_FROM_PARENT,
            window,
            root,
            0,
            0,
            1,
            1,
            0,
            WindowClass::INPUT_ONLY,
            x11rb::COPY_FROM_PARENT,
            &CreateWindowAux::new().event_mask(EventMask::PROPERTY_CHANGE),
        )?;
        let atom = |name: &[u8]| -> Result<Atom, Box<dyn std::error::Error>> {
            Ok(conn.intern_atom(false, name)?.reply()?.atom)
        };
        let (clipboard, property, incr) = (
            atom(b"CLIPBOARD")?,
            atom(b"WATCHWORD_PASTE")?,
            atom(b"INCR")?,
        );
        Ok(Self {
            conn,
            window,
            clipboard,
            property,
            incr,
        })
    }

    fn atom(&self, name: &[u8]) -> Result<Atom, Box<dyn std::error::Error>> {
        Ok(self.conn.intern_atom(false, name)?.reply()?.atom)
    }

    /// Asks the owner for the clipboard as `target`; `None` when it refuses.
    fn convert(
        &self,
        target: Atom,
        limit: u64,
        deadline: Instant,
    ) -> Result<Option<Vec<u8>>, Failure> {
        self.conn
            .convert_selection(
                self.window,
                self.clipboard,
                target,
                self.property,
                x11rb::CURRENT_TIME,
            )
            .map_err(failed)?;
        self.conn.flush().map_err(failed)?;
        let notified = self.wait_for(deadline, |event| match event {
            Event::SelectionNotify(e)
                if e.requestor == self.window
                    && e.selection == self.clipboard
                    && e.target == target =>
            {
                Some(e.property)
            }
            _ => None,
        })?;
        if notified == u32::from(AtomEnum::NONE) {
            return Ok(None);
        }
        let (kind, first) = self.take_property(limit)?;
        if kind != self.incr {
            return Ok(Some(first));
        }
        // INCR: the owner sends chunks, each when the last was taken (the
        // property deleted); an empty one ends the transfer.
        let mut bytes = Vec::new();
        loop {
            self.wait_for(deadline, |event| match event {
                Event::PropertyNotify(e)
                    if e.window == self.window
                        && e.atom == self.property
                        && e.state == Property::NEW_VALUE =>
                {
                    Some(())
                }
                _ => None,
            })?;
            let left = limit.saturating_sub(bytes.len() as u64);
            let (_, chunk) = self.take_property(left)?;
            if chunk.is_empty() {
                return Ok(Some(bytes));
            }
            bytes.extend_from_slice(&chunk);
            if bytes.len() as u64 > limit {
                return Err(Failure::TooLarge);
            }
        }
    }

    /// Reads and deletes our property: its type and value, refused past
    /// `limit` bytes before they are fetched.
    fn take_property(&self, limit: u64) -> Result<(Atom, Vec<u8>), Failure> {
        let size = self
            .conn
            .get_property(false, self.window, self.property, AtomEnum::ANY, 0, 0)
            .map_err(failed)?
            .reply()
            .map_err(failed)?;
        if u64::from(size.bytes_after) > limit {
            let _ = self.conn.delete_property(self.window, self.property);
            let _ = self.conn.flush();
            return Err(Failure::TooLarge);
        }
        let words = size.bytes_after.div_ceil(4);
        let reply = self
            .conn
            .get_property(true, self.window, self.property, AtomEnum::ANY, 0, words)
            .map_err(failed)?
            .reply()
            .map_err(failed)?;
        self.conn.flush().map_err(failed)?;
        // Anyone may append to our property between the two requests.
        if reply.bytes_after != 0 || reply.value.len() as u64 > limit {
            return Err(Failure::TooLarge);
        }
        Ok((reply.type_, reply.value))
    }

    /// The first event `wanted` accepts, or a timeout error at `deadline`.
    fn wait_for<T>(
        &self,
        deadline: Instant,
        wanted: impl Fn(&Event) -> Option<T>,
    ) -> Result<T, Failure> {
        loop {
            // Checked on every pass: a flood of other events must not
            // keep us here past the deadline.
            if Instant::now() >= deadline {
                return Err(Failure::NoAnswer);
            }
            match self.conn.poll_for_event().map_err(failed)? {
                Some(event) => {
                    if let Some(found) = wanted(&event) {
                        return Ok(found);
                    }
                }
                None => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        let _ = self.conn.destroy_window(self.window);
        let _ = self.conn.flush();
    }
}
