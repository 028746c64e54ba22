//! Our backups in a folder: their names (the UTC time, then a suffix when
//! the name is taken, then the tag of the installation that wrote it),
//! listing them newest first, and pruning to the newest N without touching
//! any other file, nor another installation's backups in a shared or
//! synced folder.

use super::FILE_PREFIX;
use crate::calendar::utc;
use std::path::{Path, PathBuf};

/// One of our backups in a folder, as its name orders it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Version {
    /// `YYYYMMDDHHMMSS` as a number, then the suffix (1 without one).
    pub(super) key: (u64, u32),
    pub(super) path: PathBuf,
    /// The writing installation's tag; none in names from before tags.
    pub(super) tag: Option<String>,
}

/// Hex digits in an installation's tag.
const TAG_CHARS: usize = 8;

/// Whether `tag` is one [`new_tag`] makes (8 lowercase hex digits): any
/// other, from a hand-edited file, would make names nothing reads back.
pub(crate) fn is_tag(tag: &str) -> bool {
    let hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
    tag.len() == TAG_CHARS && tag.bytes().all(hex)
}

/// A new installation's tag: random, so that two computers backing up to
/// one synced folder each prune only their own backups.
pub(super) fn new_tag() -> String {
    crate::crypto::random::<4>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The file name of a backup made at `unix_seconds`, with suffix `n` (none
/// for 1), by the installation tagged `tag` (none: a name from before
/// tags): `watchword-backup-20261201-223015.1f3a9c0e.json`,
/// `…-223015-2.1f3a9c0e.json`, `…-223015.json`.
pub fn file_name(unix_seconds: u64, n: u32, tag: Option<&str>) -> String {
    let (y, mo, d, h, mi, s) = utc(unix_seconds);
    let suffix = if n > 1 {
        format!("-{n}")
    } else {
        String::new()
    };
    let tag = tag.map(|t| format!(".{t}")).unwrap_or_default();
    format!("{FILE_PREFIX}{y:04}{mo:02}{d:02}-{h:02}{mi:02}{s:02}{suffix}{tag}.json")
}

/// `unix_seconds` as names order it: `YYYYMMDDHHMMSS` as a number.
fn stamp(unix_seconds: u64) -> u64 {
    let (y, mo, d, h, mi, s) = utc(unix_seconds);
    [
        (y, 10_000_000_000),
        (mo, 100_000_000),
        (d, 1_000_000),
        (h, 10_000),
        (mi, 100),
        (s, 1),
    ]
    .iter()
    .map(|(part, scale)| part * scale)
    .sum()
}

/// A Unix time as people read it in UTC: `2026-12-01 22:30:15 UTC`.
pub fn format_utc(unix_seconds: u64) -> String {
    let (y, mo, d, h, mi, s) = utc(unix_seconds);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02} UTC")
}

/// The order key of a name [`file_name`] makes; `None` for any other name,
/// which is never pruned or read as ours.
#[cfg(test)]
pub(super) fn parse_name(name: &str) -> Option<(u64, u32)> {
    parse_tagged(name).map(|(key, _)| key)
}

/// The order key and the tag of a name [`file_name`] makes.
fn parse_tagged(name: &str) -> Option<((u64, u32), Option<&str>)> {
    let rest = name.strip_prefix(FILE_PREFIX)?.strip_suffix(".json")?;
    let (rest, tag) = match rest.split_once('.') {
        None => (rest, None),
        Some((rest, tag)) => {
            if !is_tag(tag) {
                return None;
            }
            (rest, Some(tag))
        }
    };
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
    Some(((stamp, n), tag))
}

/// Our backups in `folder`, newest first. Other files are not listed.
pub(super) fn versions(folder: &Path) -> std::io::Result<Vec<Version>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some((key, tag)) = name.to_str().and_then(parse_tagged) else {
            continue;
        };
        // A folder someone named like a backup is not one.
        if entry.file_type().is_ok_and(|t| t.is_file()) {
            found.push(Version {
                key,
                path: entry.path(),
                tag: tag.map(str::to_owned),
            });
        }
    }
    found.sort_by(|a, b| b.cmp(a));
    Ok(found)
}

/// Our backups in `folder` in the order a restore tries them: this
/// installation's (tagged `own`, when known) newest first, then the others
/// newest first by the time in their names, and names dated more than a
/// day after `unix_seconds` last (a clock once ahead, or files put there
/// to be taken first). In a folder two computers share, each restores its
/// own first, under its own password. Other files are not listed.
pub(super) fn restore_order(
    folder: &Path,
    unix_seconds: u64,
    own: Option<&str>,
) -> std::io::Result<Vec<Version>> {
    let horizon = stamp(unix_seconds.saturating_add(FUTURE_SLACK_SECONDS));
    let (mut order, rest): (Vec<Version>, Vec<Version>) = versions(folder)?
        .into_iter()
        .partition(|v| own.is_some() && v.tag.as_deref() == own && v.key.0 <= horizon);
    let (now, later): (Vec<Version>, Vec<Version>) =
        rest.into_iter().partition(|v| v.key.0 <= horizon);
    order.extend(now);
    order.extend(later);
    Ok(order)
}

/// True for a backup whose name is dated more than a day after
/// `unix_seconds` (see [`restore_order`]).
pub(super) fn is_ahead(version: &Version, unix_seconds: u64) -> bool {
    version.key.0 > stamp(unix_seconds.saturating_add(FUTURE_SLACK_SECONDS))
}

/// Our backups in `folder` as "Restore the newest" offers them, in order
/// ([`restore_order`] as of now, this installation's, tagged `own`,
/// first). Other files are not listed.
pub fn versions_newest_first(folder: &Path, own: Option<&str>) -> std::io::Result<Vec<PathBuf>> {
    Ok(restore_order(folder, crate::store::unix_now(), own)?
        .into_iter()
        .map(|v| v.path)
        .collect())
}

/// Our backups in `folder` made at or before `mark`, in the order
/// [`versions_newest_first`] gives: the ones made before an account went
/// missing, which may hold it.
pub fn versions_before(
    folder: &Path,
    own: Option<&str>,
    mark: BackupMark,
) -> std::io::Result<Vec<PathBuf>> {
    let limit = mark.order();
    Ok(restore_order(folder, mark.at, own)?
        .into_iter()
        .filter(|v| v.key <= limit)
        .map(|v| v.path)
        .collect())
}

/// One backup's place among the names of a folder: made at `at` (Unix
/// time), with the name `suffix` (1 for none) that tells it from others
/// of the same second, or None for any of that second.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackupMark {
    /// Unix time in its name.
    pub at: u64,
    /// Its name's suffix, when known.
    pub suffix: Option<u32>,
}

impl BackupMark {
    /// Where it sorts among [`Version`] keys: a mark without a suffix
    /// after every backup of its second.
    pub(crate) fn order(self) -> (u64, u32) {
        (stamp(self.at), self.suffix.unwrap_or(u32::MAX))
    }
}

/// The suffix in the name of the backup at `path` (1 for none), if it is
/// named as ours.
pub(super) fn suffix_of(path: &Path) -> Option<u32> {
    parse_tagged(path.file_name()?.to_str()?).map(|((_, suffix), _)| suffix)
}

/// The suffix a backup made at `unix_seconds` takes in `folder`: one past
/// the highest of that second's names (1, no suffix, when it has none).
pub(super) fn next_suffix(folder: &Path, unix_seconds: u64) -> u32 {
    let this = stamp(unix_seconds);
    versions(folder)
        .ok()
        .and_then(|found| {
            found
                .iter()
                .filter(|v| v.key.0 == this)
                .map(|v| v.key.1.saturating_add(1))
                .max()
        })
        .unwrap_or(1)
        // Past the last a name can hold, the write says the second is full.
        .min(super::MAX_SUFFIX)
}

/// The number of our backups in `folder` (0 when it cannot be listed).
pub fn count_versions(folder: &Path) -> usize {
    versions(folder).map_or(0, |v| v.len())
}

/// How far ahead of now a backup's name may be dated and still count:
/// clocks differ between computers, and a time zone set wrong is hours.
const FUTURE_SLACK_SECONDS: u64 = 24 * 60 * 60;

/// Removes this installation's backups (tagged `tag`) beyond the newest
/// `keep`, and those from before tags beyond their own newest `keep`,
/// never another file, and never `written`: the
/// backup just made and verified stays even when the folder holds files
/// named later than it, and `keep` is at least 1 whatever a hand-edited
/// metadata file says. Another installation's backups in a shared or
/// synced folder are neither counted nor removed, nor are names dated more
/// than a day after `unix_seconds` (a clock once set ahead, or files put
/// there to push the real ones out). Returns how many went. A file that
/// cannot be removed is left (the next backup tries again).
pub(super) fn prune(
    folder: &Path,
    (keep, protect_until): (u32, Option<BackupMark>),
    written: &Path,
    tag: &str,
    unix_seconds: u64,
) -> usize {
    let Ok(found) = versions(folder) else {
        return 0;
    };
    let keep = usize::try_from(keep.max(1)).unwrap_or(usize::MAX);
    let horizon = stamp(unix_seconds.saturating_add(FUTURE_SLACK_SECONDS));
    // Dated at or before it: they may hold an account gone missing since.
    let protected = protect_until.map(BackupMark::order);
    // This installation's, then those from before tags, each kept to the
    // newest `keep` on their own: untagged ones may be another computer's
    // that runs an older Watchword.
    [Some(tag), None]
        .into_iter()
        .map(|group| {
            found
                .iter()
                .filter(|v| v.tag.as_deref() == group)
                .filter(|v| v.key.0 <= horizon)
                .skip(keep)
                .filter(|v| v.path != written)
                .filter(|v| protected.is_none_or(|until| v.key > until))
                .filter(|v| std::fs::remove_file(&v.path).is_ok())
                .count()
        })
        .sum()
}
