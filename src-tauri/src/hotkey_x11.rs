//! The palette's global shortcut on X11 (issue 12), held with a passive key
//! grab on the root window. A thread waits on the X connection and wakes
//! only when the shortcut is pressed: the window must cost nothing between
//! its once-a-second updates, and the general plugin (global-hotkey) looks
//! for X events twenty times a second whether or not a key is held.
//!
//! Under Wayland there is no X server to grab from, and under XWayland a
//! grab is granted but fires only while an X11 window has the focus:
//! holding fails in both, and the settings say to bind `watchword --quick`
//! in the desktop's settings.

use std::sync::{Arc, Mutex};
use tauri::AppHandle;
use x11rb::connection::Connection;
use x11rb::protocol::xkb::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{ConnectionExt as _, GrabMode, Keycode, Mapping, ModMask, Window};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;

/// A shortcut as X sees it: a key and the modifiers held with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Grab {
    keycode: Keycode,
    modifiers: ModMask,
}

/// Caps Lock and Num Lock change the modifier state X reports: the grab
/// is made with every mix of them, so the shortcut works with either on.
fn locks() -> [ModMask; 4] {
    [
        ModMask::from(0u16),
        ModMask::LOCK,
        ModMask::M2,
        ModMask::LOCK | ModMask::M2,
    ]
}

struct Grabber {
    conn: Arc<RustConnection>,
    root: Window,
    held: Mutex<Option<Grab>>,
    /// The shortcut as the settings spell it, while one is held: looked up
    /// again when the keyboard's mapping changes. Locked after `held`.
    held_text: Mutex<Option<String>>,
}

/// Connected on the first shortcut held (a failed connection is tried
/// again at the next); its thread lives as long as the app.
static GRABBER: Mutex<Option<Arc<Grabber>>> = Mutex::new(None);

/// Why keys cannot be taken in this session, given `$WAYLAND_DISPLAY`: a
/// Wayland compositor gives X clients (XWayland) only the keys pressed
/// over their own windows, so a grab there would seem to work and never
/// fire from any other app.
fn refused_by_session(wayland_display: Option<&std::ffi::OsStr>) -> Option<&'static str> {
    wayland_display
        .filter(|name| !name.is_empty())
        .map(|_| "a Wayland session lets no app take keys from the others")
}

/// The X keysym of a key as the settings spell it.
fn keysym(key: &str) -> Option<u32> {
    let mut chars = key.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return match c {
            'A'..='Z' => Some(u32::from(c.to_ascii_lowercase())),
            '0'..='9' => Some(u32::from(c)),
            _ => None,
        };
    }
    if let Some(n) = key.strip_prefix('F').and_then(|n| n.parse::<u32>().ok()) {
        return (1..=24).contains(&n).then(|| 0xffbd + n);
    }
    Some(match key {
        "Space" => 0x20,
        "Enter" => 0xff0d,
        "Tab" => 0xff09,
        "Backspace" => 0xff08,
        "Delete" => 0xffff,
        "Insert" => 0xff63,
        "Home" => 0xff50,
        "End" => 0xff57,
        "PageUp" => 0xff55,
        "PageDown" => 0xff56,
        "Left" => 0xff51,
        "Up" => 0xff52,
        "Right" => 0xff53,
        "Down" => 0xff54,
        _ => return None,
    })
}

/// "Ctrl+Alt+W" as a key code and modifiers on this display.
fn parse(conn: &RustConnection, text: &str) -> Result<Grab, String> {
    let not_one = || format!("{text} is not a shortcut");
    let parts: Vec<&str> = text.split('+').collect();
    let (key, held) = parts.split_last().ok_or_else(not_one)?;
    let mut modifiers = ModMask::from(0u16);
    for part in held {
        modifiers |= match *part {
            "Ctrl" => ModMask::CONTROL,
            "Alt" => ModMask::M1,
            "Shift" => ModMask::SHIFT,
            "Super" => ModMask::M4,
            _ => return Err(not_one()),
        };
    }
    let wanted = keysym(key).ok_or_else(not_one)?;
    let setup = conn.setup();
    let (first, last) = (setup.min_keycode, setup.max_keycode);
    let map = conn
        .get_keyboard_mapping(first, last - first + 1)
        .map_err(|e| e.to_string())?
        .reply()
        .map_err(|e| e.to_string())?;
    let keycode = keycode_of(&map.keysyms, map.keysyms_per_keycode, wanted)
        .ok_or_else(|| format!("This keyboard has no key for {text}"))?;
    Ok(Grab {
        keycode: first + u8::try_from(keycode).map_err(|_| not_one())?,
        modifiers,
    })
}

/// Which key (counted from the lowest keycode) gives `wanted`, in the
/// keyboard mapping `keysyms` (`per` columns a key): one that gives it in
/// the first layout first, else one that gives it in any other layout
/// (`ru,us`: the Latin letters are in the second). A key is grabbed, not a
/// letter, so the shortcut then works whichever layout is in use.
fn keycode_of(keysyms: &[u32], per: u8, wanted: u32) -> Option<usize> {
    let keys: Vec<&[u32]> = keysyms.chunks(usize::from(per.max(1))).collect();
    keys.iter()
        .position(|syms| syms.iter().take(2).any(|&s| s == wanted))
        .or_else(|| keys.iter().position(|syms| syms.contains(&wanted)))
}

impl Grabber {
    fn connect(app: AppHandle) -> Result<Arc<Self>, String> {
        let (conn, screen) = x11rb::connect(None).map_err(|e| e.to_string())?;
        // Held down, a key repeats as presses alone (no release between),
        // so one press toggles the palette once.
        conn.xkb_use_extension(1, 0)
            .map_err(|e| e.to_string())?
            .reply()
            .map_err(|e| e.to_string())?;
        conn.xkb_per_client_flags(
            xkb::ID::USE_CORE_KBD.into(),
            xkb::PerClientFlag::DETECTABLE_AUTO_REPEAT,
            xkb::PerClientFlag::DETECTABLE_AUTO_REPEAT,
            Default::default(),
            Default::default(),
            Default::default(),
        )
        .map_err(|e| e.to_string())?
        .reply()
        .map_err(|e| e.to_string())?;
        // Told when the keyboard's mapping changes (another layout chosen,
        // xmodmap): the shortcut's letter may then be on another key.
        conn.xkb_select_events(
            xkb::ID::USE_CORE_KBD.into(),
            xkb::EventType::from(0u16),
            xkb::EventType::NEW_KEYBOARD_NOTIFY | xkb::EventType::MAP_NOTIFY,
            xkb::MapPart::KEY_SYMS,
            xkb::MapPart::KEY_SYMS,
            &xkb::SelectEventsAux::new(),
        )
        .map_err(|e| e.to_string())?
        .check()
        .map_err(|e| e.to_string())?;
        let root = conn.setup().roots[screen].root;
        let grabber = Arc::new(Self {
            conn: Arc::new(conn),
            root,
            held: Mutex::new(None),
            held_text: Mutex::new(None),
        });
        let listening = Arc::clone(&grabber);
        std::thread::Builder::new()
            .name("palette-key".into())
            .spawn(move || listening.listen(&app))
            .map_err(|e| e.to_string())?;
        Ok(grabber)
    }

    /// Waits for the X server's events (blocking: no polling) and opens or
    /// closes the palette at each press of the held shortcut.
    fn listen(&self, app: &AppHandle) {
        // The key pressed, until its release: a key that moved meanwhile
        // (another layout) is released where it was pressed.
        let mut down: Option<Keycode> = None;
        let relevant = ModMask::CONTROL | ModMask::M1 | ModMask::SHIFT | ModMask::M4;
        loop {
            let Ok(event) = self.conn.wait_for_event() else {
                return;
            };
            let held = self.held.lock().ok().and_then(|held| *held);
            let Some(grab) = held else { continue };
            match event {
                Event::KeyPress(press)
                    if down.is_none()
                        && press.detail == grab.keycode
                        && ModMask::from(u16::from(press.state)) & relevant == grab.modifiers =>
                {
                    down = Some(press.detail);
                    let app2 = app.clone();
                    let _ = app.run_on_main_thread(move || crate::palette::toggle(&app2));
                }
                Event::KeyRelease(release) if down == Some(release.detail) => down = None,
                Event::MappingNotify(notify) if notify.request == Mapping::KEYBOARD => {
                    self.follow_mapping();
                }
                Event::XkbMapNotify(_) | Event::XkbNewKeyboardNotify(_) => self.follow_mapping(),
                _ => {}
            }
        }
    }

    /// The keyboard's mapping changed: the held shortcut's key is looked up
    /// again and, if it moved, grabbed where it is now, then let go where
    /// it was. With no key for it any more (a layout without its letter),
    /// or its new key held by another program, the old grab stays.
    fn follow_mapping(&self) {
        let Ok(mut held) = self.held.lock() else {
            return;
        };
        let Some(old) = *held else { return };
        let text = match self.held_text.lock() {
            Ok(text) => text.clone(),
            Err(_) => return,
        };
        let Some(new) = text.and_then(|text| parse(&self.conn, &text).ok()) else {
            return;
        };
        // Another key (same modifiers): the two grabs do not clash, so the
        // old one goes only once the new one is held.
        if new.keycode == old.keycode || self.grab(new).is_err() {
            return;
        }
        self.ungrab(old);
        *held = Some(new);
    }

    fn grab(&self, grab: Grab) -> Result<(), String> {
        let all = locks();
        for (done, locks) in all.iter().enumerate() {
            let checked = self
                .conn
                .grab_key(
                    false,
                    self.root,
                    grab.modifiers | *locks,
                    grab.keycode,
                    GrabMode::ASYNC,
                    GrabMode::ASYNC,
                )
                .map_err(|e| e.to_string())
                .and_then(|cookie| cookie.check().map_err(|e| e.to_string()));
            if let Err(error) = checked {
                for locks in &all[..done] {
                    let _ = self
                        .conn
                        .ungrab_key(grab.keycode, self.root, grab.modifiers | *locks);
                }
                let _ = self.conn.flush();
                return Err(error);
            }
        }
        Ok(())
    }

    fn ungrab(&self, grab: Grab) {
        for locks in locks() {
            let _ = self
                .conn
                .ungrab_key(grab.keycode, self.root, grab.modifiers | locks);
        }
        let _ = self.conn.flush();
    }
}

/// Holds `wanted` ("Ctrl+Alt+W") instead of the shortcut held now; `None`
/// lets go. When X refuses (another program grabbed it), the one held
/// before stays and `Err` says why; so it does without an X server.
pub fn hold(app: &AppHandle, wanted: Option<&str>) -> Result<(), String> {
    if wanted.is_some() {
        if let Some(reason) = refused_by_session(std::env::var_os("WAYLAND_DISPLAY").as_deref()) {
            return Err(reason.to_owned());
        }
    }
    let grabber = {
        let mut slot = GRABBER
            .lock()
            .map_err(|_| "the shortcut's state was lost".to_owned())?;
        match (wanted, slot.as_ref()) {
            (_, Some(grabber)) => Arc::clone(grabber),
            // Nothing to let go of, and nothing to take: no connection needed.
            (None, None) => return Ok(()),
            (Some(_), None) => {
                let grabber = Grabber::connect(app.clone())
                    .map_err(|e| format!("no X display to take keys from ({e})"))?;
                *slot = Some(Arc::clone(&grabber));
                grabber
            }
        }
    };
    let mut held = grabber
        .held
        .lock()
        .map_err(|_| "the shortcut's state was lost".to_owned())?;
    // Under the lock: a mapping change handled meanwhile by the listener
    // would otherwise leave this on a key from the old map.
    let new = wanted.map(|text| parse(&grabber.conn, text)).transpose()?;
    if *held == new {
        if let Ok(mut text) = grabber.held_text.lock() {
            *text = wanted.map(str::to_owned);
        }
        return Ok(());
    }
    if let Some(old) = *held {
        grabber.ungrab(old);
    }
    if let Some(grab) = new {
        if let Err(error) = grabber.grab(grab) {
            // The old one back, or none: `held` says what is grabbed.
            if let Some(old) = *held {
                if grabber.grab(old).is_err() {
                    *held = None;
                }
            }
            return Err(error);
        }
    }
    *held = new;
    if let Ok(mut text) = grabber.held_text.lock() {
        *text = wanted.map(str::to_owned);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Found by a second reader: with a first layout that has no Latin
    // letters (`ru,us`), only its columns were searched, and the shortcut
    // was refused as having no key.
    #[test]
    fn a_letter_of_the_second_layout_finds_its_key() {
        const W: u32 = 0x77;
        const CYRILLIC_TSE: u32 = 0x6c3;
        const CYRILLIC_SHORTI: u32 = 0x6ca;
        // Four columns a key: the first layout's two levels, then the
        // second's, as the X server lays out an XKB keymap.
        let keysyms = [
            0x31,
            0x21,
            0x31,
            0x21, // 1 !
            CYRILLIC_SHORTI,
            0x6ea,
            0x71,
            0x51, // й Й q Q
            CYRILLIC_TSE,
            0x6e3,
            W,
            0x57, // ц Ц w W
        ];
        assert_eq!(keycode_of(&keysyms, 4, W), Some(2));
        // A key that gives it in the first layout wins.
        let mut both = keysyms.to_vec();
        both.extend_from_slice(&[W, 0x57, 0, 0]);
        assert_eq!(keycode_of(&both, 4, W), Some(3));
        assert_eq!(keycode_of(&keysyms, 4, 0x7a), None);
        assert_eq!(keycode_of(&[], 0, W), None);
    }

    #[test]
    fn a_wayland_session_refuses_before_any_grab() {
        use std::ffi::OsStr;
        assert!(refused_by_session(Some(OsStr::new("wayland-0"))).is_some());
        // Set but empty, or not set: an X session.
        assert_eq!(refused_by_session(Some(OsStr::new(""))), None);
        assert_eq!(refused_by_session(None), None);
    }

    #[test]
    fn keys_are_the_keysyms_x_knows() {
        assert_eq!(keysym("W"), Some(u32::from(b'w')));
        assert_eq!(keysym("7"), Some(u32::from(b'7')));
        assert_eq!(keysym("F1"), Some(0xffbe));
        assert_eq!(keysym("F12"), Some(0xffc9));
        assert_eq!(keysym("F24"), Some(0xffd5));
        assert_eq!(keysym("F25"), None);
        assert_eq!(keysym("PageDown"), Some(0xff56));
        assert_eq!(keysym("w"), None);
        assert_eq!(keysym("Hyper"), None);
    }
}
