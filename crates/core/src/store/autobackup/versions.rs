//! Our backups in a folder: their names (the UTC time, then a suffix when
//! the name is taken), listing them newest first, and pruning to the
//! newest N without touching any other file.

use super::FILE_PREFIX;
use crate::calendar::utc;
use std::path::{Path, PathBuf};

/// One of our backups in a folder, as its name orders it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Version {
    /// `YYYYMMDDHHMMSS` as a number, then the suffix (1 without one).
    pub(super) key: (u64, u32),
    pub(super) path: PathBuf,
}

/// The file name of a backup made at `unix_seconds`, with suffix `n` (none
/// for 1): `watchword-backup-20261201-223015.json`, `…-223015-2.json`.
pub fn file_name(unix_seconds: u64, n: u32) -> String {
    let (y, mo, d, h, mi, s) = utc(unix_seconds);
    let suffix = if n > 1 {
        format!("-{n}")
    } else {
        String::new()
    };
    format!("{FILE_PREFIX}{y:04}{mo:02}{d:02}-{h:02}{mi:02}{s:02}{suffix}.json")
}

/// A Unix time as people read it in UTC: `2026-12-01 22:30:15 UTC`.
pub fn format_utc(unix_seconds: u64) -> String {
    let (y, mo, d, h, mi, s) = utc(unix_seconds);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02} UTC")
}

/// The order key of a name [`file_name`] makes; `None` for any other name,
/// which is never pruned or read as ours.
pub(super) fn parse_name(name: &str) -> Option<(u64, u32)> {
    let rest = name.strip_prefix(FILE_PREFIX)?.strip_suffix(".json")?;
    let (date, rest) = rest.split_at_checked(8)?;
    let rest = rest.strip_prefix('-')?;
    let (time, suffix) = rest.split_at_checked(6)?;
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if !digits(date) || !digits(time) {
        return None;
    }
    let n = match suffix {
        "" => 1,
        s => {
            let n = s.strip_prefix('-')?;
            if n.is_empty() || !digits(n) || n.starts_with('0') || n.len() > 4 {
                return None;
            }
            n.parse().ok().filter(|n| *n >= 2)?
        }
    };
    let stamp: u64 = format!("{date}{time}").parse().ok()?;
    Some((stamp, n))
}

/// Our backups in `folder`, newest first. Other files are not listed.
pub(super) fn versions(folder: &Path) -> std::io::Result<Vec<Version>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(key) = name.to_str().and_then(parse_name) else {
            continue;
        };
        // A folder someone named like a backup is not one.
        if entry.file_type().is_ok_and(|t| t.is_file()) {
            found.push(Version {
                key,
                path: entry.path(),
            });
        }
    }
    found.sort_by(|a, b| b.cmp(a));
    Ok(found)
}

/// Our backups in `folder`, newest first (by the time in their names):
/// what "Restore the newest" offers, in order. Other files are not listed.
pub fn versions_newest_first(folder: &Path) -> std::io::Result<Vec<PathBuf>> {
    Ok(versions(folder)?.into_iter().map(|v| v.path).collect())
}

/// The number of our backups in `folder` (0 when it cannot be listed).
pub fn count_versions(folder: &Path) -> usize {
    versions(folder).map_or(0, |v| v.len())
}

/// Removes our backups beyond the newest `keep`, never another file, and
/// never `written`: the backup just made and verified stays even when the
/// folder holds files named later than it (a clock once set ahead, another
/// computer's backups in a synced folder), and `keep` is at least 1
/// whatever a hand-edited metadata file says. Returns how many went. A
/// file that cannot be removed is left (the next backup tries again).
pub(super) fn prune(folder: &Path, keep: u32, written: &Path) -> usize {
    let Ok(found) = versions(folder) else {
        return 0;
    };
    let keep = usize::try_from(keep.max(1)).unwrap_or(usize::MAX);
    found
        .iter()
        .skip(keep)
        .filter(|v| v.path != written)
        .filter(|v| std::fs::remove_file(&v.path).is_ok())
        .count()
}
