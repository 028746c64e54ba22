//! Screen capture for "Scan screen": every monitor's pixels, in memory
//! only on X11, macOS and Windows.
//!
//! On X11 the root window spans every monitor, so one `GetImage` reads them
//! all; x11rb is already in the app through arboard. A Wayland session
//! lets no client read the screen, so there the xdg-desktop-portal's
//! Screenshot call does it (the desktop may ask the user once). That call
//! always writes a file (GNOME's under ~/Pictures): Watchword reads it,
//! within the image budget, and deletes it at once, but it was on disk for
//! that moment, and stays if Watchword is killed in between. macOS and
//! Windows go through xcap, which wraps their capture APIs.

/// One captured screen.
pub enum Capture {
    /// `width * height` RGBA pixels.
    Pixels {
        width: u32,
        height: u32,
        rgba: Vec<u8>,
    },
    /// An image file's bytes (what the portal hands over).
    Encoded(Vec<u8>),
}

impl std::fmt::Debug for Capture {
    // The pixels may show anything on the screen: keep them out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Capture::Pixels { width, height, .. } => write!(f, "Capture({width}×{height})"),
            Capture::Encoded(bytes) => write!(f, "Capture({} encoded bytes)", bytes.len()),
        }
    }
}

/// Captures every screen. The error is a sentence for people.
pub fn capture_screens() -> Result<Vec<Capture>, String> {
    platform::capture()
}

#[cfg(all(unix, not(target_os = "macos")))]
mod platform {
    use super::Capture;
    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::{ConnectionExt, ImageFormat, ImageOrder};

    pub fn capture() -> Result<Vec<Capture>, String> {
        let wayland = std::env::var("XDG_SESSION_TYPE").is_ok_and(|t| t == "wayland")
            || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty());
        let x11 = std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty());
        // Under Wayland an X11 capture shows only XWayland windows: the
        // portal sees everything, and X11 is the fallback when it is absent.
        if wayland || !x11 {
            match super::portal::screenshot() {
                Ok(bytes) => return Ok(vec![Capture::Encoded(bytes)]),
                Err(error) if !x11 => return Err(error),
                Err(_) => {}
            }
        }
        capture_x11()
    }

    fn capture_x11() -> Result<Vec<Capture>, String> {
        let (conn, screen_num) = x11rb::connect(None).map_err(|_| no_x11())?;
        let setup = conn.setup();
        let screen = setup
            .roots
            .get(screen_num)
            .ok_or_else(|| "The X display reports no screen to capture".to_owned())?;
        let bits_per_pixel = setup
            .pixmap_formats
            .iter()
            .find(|f| f.depth == screen.root_depth)
            .map(|f| f.bits_per_pixel);
        if bits_per_pixel != Some(32) {
            return Err(format!(
                "Scan screen does not support this display's colour depth ({} bits); \
                 take a screenshot and paste it with Ctrl+V instead",
                screen.root_depth
            ));
        }
        let visual = screen
            .allowed_depths
            .iter()
            .flat_map(|d| &d.visuals)
            .find(|v| v.visual_id == screen.root_visual)
            .ok_or_else(|| "The X display's colour format is unknown".to_owned())?;
        let (width, height) = (screen.width_in_pixels, screen.height_in_pixels);
        let failed = |e: &dyn std::fmt::Display| format!("The screen could not be captured: {e}");
        let reply = conn
            .get_image(ImageFormat::Z_PIXMAP, screen.root, 0, 0, width, height, !0)
            .map_err(|e| failed(&e))?
            .reply()
            .map_err(|e| failed(&e))?;
        let pixels = usize::from(width) * usize::from(height);
        if reply.data.len() < pixels * 4 {
            return Err("The screen capture came back incomplete".into());
        }
        let little_endian = setup.image_byte_order == ImageOrder::LSB_FIRST;
        let channel = |word: u32, mask: u32| -> u8 {
            if mask == 0 {
                return 0;
            }
            ((word & mask) >> mask.trailing_zeros()) as u8
        };
        let mut rgba = Vec::with_capacity(pixels * 4);
        for chunk in reply.data.chunks_exact(4).take(pixels) {
            let bytes = [chunk[0], chunk[1], chunk[2], chunk[3]];
            let word = if little_endian {
                u32::from_le_bytes(bytes)
            } else {
                u32::from_be_bytes(bytes)
            };
            rgba.extend_from_slice(&[
                channel(word, visual.red_mask),
                channel(word, visual.green_mask),
                channel(word, visual.blue_mask),
                255,
            ]);
        }
        Ok(vec![Capture::Pixels {
            width: u32::from(width),
            height: u32::from(height),
            rgba,
        }])
    }

    fn no_x11() -> String {
        "The screen cannot be captured here: take a screenshot (Print Screen) and paste it \
         with Ctrl+V"
            .into()
    }
}

/// The xdg-desktop-portal Screenshot interface, over D-Bus:
/// <https://flatpak.github.io/xdg-desktop-portal/docs/doc-org.freedesktop.portal.Screenshot.html>
#[cfg(all(unix, not(target_os = "macos")))]
mod portal {
    use std::collections::HashMap;
    use std::time::Duration;
    use zbus::blocking::{Connection, Proxy};
    use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};

    const DESTINATION: &str = "org.freedesktop.portal.Desktop";
    /// The desktop may ask the user first; give them time to answer.
    const ANSWER_WITHIN: Duration = Duration::from_secs(120);

    /// A screenshot of every screen, as the image file's bytes. The file the
    /// portal wrote is deleted once read.
    pub fn screenshot() -> Result<Vec<u8>, String> {
        let (sender, receiver) = std::sync::mpsc::channel();
        // The D-Bus calls block; a thread keeps the wait bounded.
        std::thread::spawn(move || {
            let _ = sender.send(request());
        });
        receiver
            .recv_timeout(ANSWER_WITHIN)
            .map_err(|_| "The desktop did not answer the screenshot request".to_owned())?
    }

    fn request() -> Result<Vec<u8>, String> {
        let unavailable = |e: zbus::Error| {
            format!(
                "The screen cannot be captured: the desktop's screenshot service \
                 (xdg-desktop-portal) is not available ({e}). Take a screenshot (Print Screen) \
                 and paste it with Ctrl+V"
            )
        };
        let conn = Connection::session().map_err(unavailable)?;
        let unique = conn
            .unique_name()
            .ok_or_else(|| "The session bus gave no name to Watchword".to_owned())?
            .as_str()
            .trim_start_matches(':')
            .replace('.', "_");
        let token = format!("watchword_{}", std::process::id());
        // Subscribe to the answer before asking, at the path the portal will
        // use for this token, so the answer cannot be missed.
        let request_path = format!("/org/freedesktop/portal/desktop/request/{unique}/{token}");
        let request = Proxy::new(
            &conn,
            DESTINATION,
            request_path.as_str(),
            "org.freedesktop.portal.Request",
        )
        .map_err(unavailable)?;
        let mut answers = request.receive_signal("Response").map_err(unavailable)?;
        let portal = Proxy::new(
            &conn,
            DESTINATION,
            "/org/freedesktop/portal/desktop",
            "org.freedesktop.portal.Screenshot",
        )
        .map_err(unavailable)?;
        let mut options: HashMap<&str, Value<'_>> = HashMap::new();
        options.insert("handle_token", Value::from(token.as_str()));
        options.insert("interactive", Value::from(false));
        let _: OwnedObjectPath = portal
            .call("Screenshot", &("", options))
            .map_err(unavailable)?;
        let answer = answers
            .next()
            .ok_or_else(|| "The screenshot request ended without an answer".to_owned())?;
        let (code, results): (u32, HashMap<String, OwnedValue>) = answer
            .body()
            .deserialize()
            .map_err(|e| format!("The desktop's screenshot answer cannot be read: {e}"))?;
        match code {
            0 => {}
            1 => return Err("The screenshot was not allowed or was cancelled".into()),
            _ => return Err("The desktop could not take the screenshot".into()),
        }
        let uri: String = results
            .get("uri")
            .and_then(|value| String::try_from(value.clone()).ok())
            .ok_or_else(|| "The desktop's screenshot answer holds no file".to_owned())?;
        let path = file_path(&uri).ok_or_else(|| {
            "The desktop saved the screenshot somewhere Watchword cannot read".to_owned()
        })?;
        let bytes = read_bounded(&path);
        // Never keep the capture on disk, whether or not it could be read.
        let _ = std::fs::remove_file(&path);
        bytes.map_err(|e| format!("The screenshot file cannot be read: {e}"))
    }

    /// The screenshot's bytes: a regular file (never waiting on a pipe), at
    /// most the image budget.
    fn read_bounded(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
        use std::io::Read as _;
        let limit = watchword_core::limits::MAX_IMAGE_BYTES;
        let mut bytes = Vec::new();
        watchword_core::open::open_regular(path)?
            .take(limit + 1)
            .read_to_end(&mut bytes)?;
        if bytes.len() as u64 > limit {
            return Err(std::io::Error::other(format!(
                "larger than {} MB",
                limit / 1_000_000
            )));
        }
        Ok(bytes)
    }

    /// The local path of a `file://` URI, percent-decoded.
    pub(super) fn file_path(uri: &str) -> Option<std::path::PathBuf> {
        let rest = uri.strip_prefix("file://")?;
        let path = rest.strip_prefix("localhost").unwrap_or(rest);
        if !path.starts_with('/') {
            return None;
        }
        let decoded = percent_encoding::percent_decode_str(path).collect::<Vec<u8>>();
        use std::os::unix::ffi::OsStringExt;
        Some(std::ffi::OsString::from_vec(decoded).into())
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn file_uris_become_paths() {
            assert_eq!(
                super::file_path("file:///home/me/Pictures/Screenshot%20from%201.png"),
                Some("/home/me/Pictures/Screenshot from 1.png".into())
            );
            assert_eq!(
                super::file_path("file://localhost/tmp/a.png"),
                Some("/tmp/a.png".into())
            );
            assert_eq!(super::file_path("https://example.com/a.png"), None);
            assert_eq!(super::file_path("file://server/a.png"), None);
        }
    }
}

#[cfg(any(target_os = "macos", target_os = "windows"))]
mod platform {
    use super::Capture;

    pub fn capture() -> Result<Vec<Capture>, String> {
        let monitors =
            xcap::Monitor::all().map_err(|e| format!("The screens could not be listed: {e}"))?;
        let mut captures = Vec::new();
        for monitor in monitors {
            let image = monitor.capture_image().map_err(|e| {
                format!(
                    "The screen could not be captured ({e}); allow Watchword to record the \
                     screen in your system's privacy settings"
                )
            })?;
            captures.push(Capture::Pixels {
                width: image.width(),
                height: image.height(),
                rgba: image.into_raw(),
            });
        }
        Ok(captures)
    }
}
