//! Reads a PNG from the X11 clipboard as the bytes its owner sends, so the
//! size and pixel budgets of `watchword_core::limits` apply before anything
//! is decoded. arboard decodes the clipboard's PNG to RGBA itself, before any
//! check of ours could run: a small PNG claiming a huge picture would cost
//! up to the image crate's own allocation limit (512 MiB).
//!
//! The protocol is ICCCM's: ask the owner to convert the CLIPBOARD selection
//! to `TARGETS`, then to `image/png`, into a property of a window of ours; a
//! large transfer comes in `INCR` chunks. Every wait is bounded.

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
pub enum X11Image {
    /// No X display to ask (Wayland without Xwayland, or none at all).
    NoDisplay,
    /// The owner offers no PNG (text, or nothing).
    None,
    /// The PNG's bytes, at most the limit given.
    Png(Vec<u8>),
}

/// The clipboard's PNG, read without decoding it. `Err` says why, never with
/// clipboard content.
pub fn read_png(limit: u64) -> Result<X11Image, String> {
    if std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty()) {
        return Ok(X11Image::NoDisplay);
    }
    let Ok((conn, screen)) = x11rb::connect(None) else {
        return Ok(X11Image::NoDisplay);
    };
    let reader = Reader::new(conn, screen).map_err(failed)?;
    let deadline = Instant::now() + WAIT;
    let png = reader.atom(b"image/png").map_err(failed)?;
    let targets = reader.atom(b"TARGETS").map_err(failed)?;
    let Some(offered) = reader.convert(targets, 64 * 1024, deadline)? else {
        return Ok(X11Image::None);
    };
    let offers_png = offered
        .chunks_exact(4)
        .any(|atom| atom.try_into().map(u32::from_ne_bytes).ok() == Some(png));
    if !offers_png {
        return Ok(X11Image::None);
    }
    match reader.convert(png, limit, deadline)? {
        Some(bytes) if !bytes.is_empty() => Ok(X11Image::Png(bytes)),
        _ => Ok(X11Image::None),
    }
}

fn failed(err: impl std::fmt::Display) -> String {
    format!("The clipboard is not available: {err}")
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
    ) -> Result<Option<Vec<u8>>, String> {
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
                return Err(too_large(limit));
            }
        }
    }

    /// Reads and deletes our property: its type and value, refused past
    /// `limit` bytes before they are fetched.
    fn take_property(&self, limit: u64) -> Result<(Atom, Vec<u8>), String> {
        let size = self
            .conn
            .get_property(false, self.window, self.property, AtomEnum::ANY, 0, 0)
            .map_err(failed)?
            .reply()
            .map_err(failed)?;
        if u64::from(size.bytes_after) > limit {
            let _ = self.conn.delete_property(self.window, self.property);
            let _ = self.conn.flush();
            return Err(too_large(limit));
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
            return Err(too_large(limit));
        }
        Ok((reply.type_, reply.value))
    }

    /// The first event `wanted` accepts, or a timeout error at `deadline`.
    fn wait_for<T>(
        &self,
        deadline: Instant,
        wanted: impl Fn(&Event) -> Option<T>,
    ) -> Result<T, String> {
        loop {
            // Checked on every pass: a flood of other events must not
            // keep us here past the deadline.
            if Instant::now() >= deadline {
                return Err(
                    "The program that holds the clipboard did not hand it over: copy the \
                     image again"
                        .into(),
                );
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
