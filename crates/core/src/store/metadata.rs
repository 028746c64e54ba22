//! The metadata file: what is not secret (order, pinned, a copy of issuer and
//! name so the list renders before the keychain answers). Written atomically;
//! losing it loses order, never an account.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// File name of the metadata file inside the data folder.
pub const FILE_NAME: &str = "accounts.json";

/// One account as the list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaEntry {
    /// The account id (keychain item user name).
    pub id: String,
    /// Copy of the issuer, for display before the keychain answers.
    pub issuer: String,
    /// Copy of the account name.
    pub name: String,
    /// `totp`, `hotp` or `steam`.
    pub kind: String,
    /// Pinned accounts come first.
    #[serde(default)]
    pub pinned: bool,
    /// Unix time the account was added in Watchword; `None` when not known
    /// (rebuilt from the keychain, or listed before this was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added: Option<u64>,
}

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
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            clear_clipboard_after: Some(30),
            hide_codes: false,
            theme: Theme::System,
            time_offset: 0,
            always_show_next: false,
        }
    }
}

/// Range of [`Settings::clear_clipboard_after`], in seconds.
pub const CLEAR_AFTER_RANGE: std::ops::RangeInclusive<u32> = 10..=300;
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
        if self.time_offset.abs() > MAX_TIME_OFFSET {
            return Err(format!(
                "The clock offset can be at most a day ({MAX_TIME_OFFSET} seconds) either way"
            ));
        }
        Ok(())
    }
}

/// The whole metadata file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// Format version, for later migrations.
    pub version: u32,
    /// Accounts in the user's order.
    pub accounts: Vec<MetaEntry>,
    /// Unix time of the last export the user made (a backup), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_backup: Option<u64>,
    /// The user's preferences.
    #[serde(default)]
    pub settings: Settings,
}

/// What reading the metadata file found.
#[derive(Debug)]
pub enum Loaded {
    /// The file was read.
    Read(Metadata),
    /// There was no file (first run, or it was deleted).
    Missing,
    /// The file could not be parsed; it was moved aside to the given path.
    Damaged(PathBuf),
}

/// Reads the metadata file; a damaged one is moved aside, never deleted.
pub fn read(path: &Path) -> Result<Loaded> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Loaded::Missing),
        Err(source) => {
            return Err(Error::Io {
                action: "read",
                path: path.to_owned(),
                source,
            })
        }
    };
    match serde_json::from_slice(&bytes) {
        Ok(meta) => Ok(Loaded::Read(meta)),
        Err(_) => {
            let aside = path.with_extension("json.damaged");
            std::fs::rename(path, &aside).map_err(|source| Error::Io {
                action: "move aside",
                path: path.to_owned(),
                source,
            })?;
            Ok(Loaded::Damaged(aside))
        }
    }
}

/// Writes the metadata file atomically: a temporary file in the same folder,
/// flushed to disk, then renamed over the old one.
pub fn write(path: &Path, meta: &Metadata) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let io = |action, source| Error::Io {
        action,
        path: path.to_owned(),
        source,
    };
    let mut file =
        tempfile::NamedTempFile::new_in(dir).map_err(|e| io("create a file beside", e))?;
    let json = serde_json::to_vec_pretty(meta).expect("metadata is plain data and serialises");
    file.write_all(&json).map_err(|e| io("write", e))?;
    file.as_file().sync_all().map_err(|e| io("flush", e))?;
    file.persist(path).map_err(|e| io("replace", e.error))?;
    // Make the rename itself durable where the platform allows it.
    #[cfg(unix)]
    if let Ok(dir) = std::fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_damaged_file_is_moved_aside() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(FILE_NAME);
        assert!(matches!(read(&path).expect("read"), Loaded::Missing));
        let meta = Metadata {
            version: 1,
            accounts: vec![MetaEntry {
                id: "0123456789abcdef".into(),
                issuer: "Amazon".into(),
                name: "me@example.com".into(),
                kind: "totp".into(),
                pinned: true,
                added: Some(1_700_000_000),
            }],
            last_backup: Some(1_700_000_100),
            settings: Settings {
                hide_codes: true,
                theme: Theme::Dark,
                time_offset: -90,
                ..Settings::default()
            },
        };
        write(&path, &meta).expect("write");
        match read(&path).expect("read") {
            Loaded::Read(back) => assert_eq!(back, meta),
            other => panic!("expected the file back, got {other:?}"),
        }
        std::fs::write(&path, b"{\"version\": 1, \"accounts\": [").expect("truncate");
        match read(&path).expect("read") {
            Loaded::Damaged(aside) => {
                assert!(aside.exists());
                assert!(!path.exists());
            }
            other => panic!("expected damaged, got {other:?}"),
        }
    }
}
