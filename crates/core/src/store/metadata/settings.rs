//! The user's preferences as the metadata file keeps them, each read
//! leniently: a value out of range or of the wrong type reads as its
//! default, not as damage that costs the file.

use serde::{Deserialize, Serialize};

/// How the window looks: following the system, or always light or dark.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Theme {
    /// Light or dark as the system says.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

/// The user's preferences. Nothing secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Settings {
    /// Seconds after which a copied code is cleared from the clipboard
    /// (10 to 300), or `None` to leave it there.
    pub clear_clipboard_after: Option<u32>,
    /// Codes show as dots until clicked (for screen sharing).
    pub hide_codes: bool,
    /// Light, dark, or as the system says.
    pub theme: Theme,
    /// Seconds added to this computer's clock when computing codes, for a
    /// clock that is wrong and cannot be fixed (-86400 to 86400).
    pub time_offset: i64,
    /// The next code shows beside the current one all the time, not just
    /// in its last seconds.
    pub always_show_next: bool,
    /// Letters alone are shortcuts in the window (typing searches, "?"
    /// shows help). Off for speech input and accidental key presses
    /// (WCAG 2.1.4); Ctrl+F and F1 work either way.
    pub single_key_shortcuts: bool,
    /// While the lock is on, the window locks after this many minutes
    /// without use (1 to 1440), or never (`None`).
    pub auto_lock_minutes: Option<u32>,
    /// The unlock screen lists the accounts' issuers and names (never a
    /// code), for a user who wants to see what is behind the lock. Off: a
    /// locked window says nothing about what it holds.
    pub names_while_locked: bool,
    /// The global shortcut that opens the quick-copy palette, as
    /// "Ctrl+Alt+W" (modifiers, then one key), or `None` for none. Where
    /// apps cannot grab keys (Wayland), the desktop's own shortcut settings
    /// run `watchword --quick` instead.
    pub quick_shortcut: Option<String>,
    /// Closing the window keeps Watchword running in the tray (`true`) or
    /// quits it (`false`); `None` until the user is asked, the first time
    /// the window is closed while a tray shows its icon.
    pub close_to_tray: Option<bool>,
    /// Watchword starts when the user logs in, in the tray, its window
    /// hidden until asked for.
    pub start_in_tray: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            clear_clipboard_after: Some(30),
            hide_codes: false,
            theme: Theme::System,
            time_offset: 0,
            always_show_next: false,
            single_key_shortcuts: true,
            auto_lock_minutes: Some(5),
            names_while_locked: false,
            quick_shortcut: Some(DEFAULT_QUICK_SHORTCUT.to_owned()),
            close_to_tray: None,
            start_in_tray: false,
        }
    }
}

/// Range of [`Settings::clear_clipboard_after`], in seconds.
pub const CLEAR_AFTER_RANGE: std::ops::RangeInclusive<u32> = 10..=300;
/// Range of [`Settings::auto_lock_minutes`]: a minute to a day.
pub const AUTO_LOCK_RANGE: std::ops::RangeInclusive<u32> = 1..=1440;
/// The palette's shortcut until the user picks another: W for Watchword,
/// with two modifiers, which no common desktop or app binds.
pub const DEFAULT_QUICK_SHORTCUT: &str = "Ctrl+Alt+W";
/// Modifiers a shortcut may hold, as the settings spell them.
const MODIFIERS: [&str; 4] = ["Ctrl", "Alt", "Shift", "Super"];

/// Whether `shortcut` is spelt as the settings keep one: distinct
/// modifiers from [`MODIFIERS`], at least one of them not Shift, then one
/// key (a letter, a digit, F1 to F24, or a named key such as Space).
/// Whether the desktop lets Watchword have it is the app's to find out.
pub fn valid_shortcut(shortcut: &str) -> bool {
    let parts: Vec<&str> = shortcut.split('+').collect();
    let Some((key, modifiers)) = parts.split_last() else {
        return false;
    };
    let mut seen = Vec::new();
    for modifier in modifiers {
        if !MODIFIERS.contains(modifier) || seen.contains(modifier) {
            return false;
        }
        seen.push(*modifier);
    }
    let key_ok = match key.len() {
        1 => key
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()),
        2 | 3 if key.starts_with('F') => key[1..]
            .parse::<u8>()
            .is_ok_and(|n| (1..=24).contains(&n) && !key[1..].starts_with('0')),
        _ => [
            "Space",
            "Enter",
            "Tab",
            "Backspace",
            "Delete",
            "Insert",
            "Home",
            "End",
            "PageUp",
            "PageDown",
            "Up",
            "Down",
            "Left",
            "Right",
        ]
        .contains(key),
    };
    key_ok && seen.iter().any(|m| *m != "Shift")
}

/// Largest [`Settings::time_offset`] either way: a day.
pub const MAX_TIME_OFFSET: i64 = 86_400;

impl Settings {
    /// Checks every value is in range; the error names the setting.
    pub fn validate(&self) -> std::result::Result<(), String> {
        if let Some(seconds) = self.clear_clipboard_after {
            if !CLEAR_AFTER_RANGE.contains(&seconds) {
                return Err(format!(
                    "The clipboard can be cleared after {} to {} seconds, not {seconds}",
                    CLEAR_AFTER_RANGE.start(),
                    CLEAR_AFTER_RANGE.end()
                ));
            }
        }
        if let Some(minutes) = self.auto_lock_minutes {
            if !AUTO_LOCK_RANGE.contains(&minutes) {
                return Err(format!(
                    "Watchword can lock itself after {} to {} minutes without use, not {minutes}",
                    AUTO_LOCK_RANGE.start(),
                    AUTO_LOCK_RANGE.end()
                ));
            }
        }
        if let Some(shortcut) = &self.quick_shortcut {
            if !valid_shortcut(shortcut) {
                return Err(
                    "A shortcut is one or more of Ctrl, Alt, Super and Shift (not Shift alone), then a key, as in Ctrl+Alt+W"
                        .to_owned(),
                );
            }
        }
        // Not `abs()`: it overflows for i64::MIN.
        if !(-MAX_TIME_OFFSET..=MAX_TIME_OFFSET).contains(&self.time_offset) {
            return Err(format!(
                "The clock offset can be at most a day ({MAX_TIME_OFFSET} seconds) either way"
            ));
        }
        Ok(())
    }

    /// Settings as read from a file anyone could have edited: each value of
    /// the right type and in range is kept, every other one is the default.
    /// One bad value must not cost the user the list (a file that does not
    /// parse is moved aside) nor every code (a clock offset of -2^63).
    fn from_value_leniently(value: &serde_json::Value) -> Self {
        let defaults = Self::default();
        let field = |key: &str| value.get(key).cloned();
        fn pick<T: serde::de::DeserializeOwned>(value: &serde_json::Value, key: &str) -> Option<T> {
            value
                .get(key)
                .cloned()
                .and_then(|v| serde_json::from_value(v).ok())
        }
        let clear_clipboard_after = match field("clearClipboardAfter") {
            None => defaults.clear_clipboard_after,
            Some(v) => serde_json::from_value::<Option<u32>>(v)
                .ok()
                .filter(|s| s.is_none_or(|s| CLEAR_AFTER_RANGE.contains(&s)))
                .unwrap_or(defaults.clear_clipboard_after),
        };
        let auto_lock_minutes = match field("autoLockMinutes") {
            None => defaults.auto_lock_minutes,
            Some(v) => serde_json::from_value::<Option<u32>>(v)
                .ok()
                .filter(|m| m.is_none_or(|m| AUTO_LOCK_RANGE.contains(&m)))
                .unwrap_or(defaults.auto_lock_minutes),
        };
        let time_offset = pick(value, "timeOffset")
            .filter(|o: &i64| (-MAX_TIME_OFFSET..=MAX_TIME_OFFSET).contains(o))
            .unwrap_or(defaults.time_offset);
        Self {
            clear_clipboard_after,
            hide_codes: pick(value, "hideCodes").unwrap_or(defaults.hide_codes),
            theme: pick(value, "theme").unwrap_or(defaults.theme),
            time_offset,
            always_show_next: pick(value, "alwaysShowNext").unwrap_or(defaults.always_show_next),
            single_key_shortcuts: pick(value, "singleKeyShortcuts")
                .unwrap_or(defaults.single_key_shortcuts),
            auto_lock_minutes,
            names_while_locked: pick(value, "namesWhileLocked")
                .unwrap_or(defaults.names_while_locked),
            quick_shortcut: match field("quickShortcut") {
                None => defaults.quick_shortcut,
                Some(v) => serde_json::from_value::<Option<String>>(v)
                    .ok()
                    .filter(|s| s.as_deref().is_none_or(valid_shortcut))
                    .unwrap_or(defaults.quick_shortcut),
            },
            close_to_tray: pick(value, "closeToTray").unwrap_or(defaults.close_to_tray),
            start_in_tray: pick(value, "startInTray").unwrap_or(defaults.start_in_tray),
        }
    }
}

pub(super) fn lenient_settings<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Settings, D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(Settings::from_value_leniently(&value))
}
