//! Screen capture for "Scan screen": every monitor's pixels, in memory only
//! (a capture is never written to disk).
//!
//! On X11 the root window spans every monitor, so one `GetImage` reads them
//! all; x11rb is already in the app through arboard. macOS and Windows go
//! through xcap, which wraps their capture APIs.

/// One captured screen: `width * height` RGBA pixels.
pub struct Capture {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

impl std::fmt::Debug for Capture {
    // The pixels may show anything on the screen: keep them out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Capture({}×{})", self.width, self.height)
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
        if std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty()) {
            return Err(no_x11());
        }
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
        Ok(vec![Capture {
            width: u32::from(width),
            height: u32::from(height),
            rgba,
        }])
    }

    fn no_x11() -> String {
        if std::env::var_os("WAYLAND_DISPLAY").is_some() {
            "Scan screen needs X11 access, which this Wayland session does not give: take a \
             screenshot (Print Screen) and paste it here with Ctrl+V"
                .into()
        } else {
            "No X display to capture: take a screenshot and paste it here with Ctrl+V".into()
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
            captures.push(Capture {
                width: image.width(),
                height: image.height(),
                rgba: image.into_raw(),
            });
        }
        Ok(captures)
    }
}
