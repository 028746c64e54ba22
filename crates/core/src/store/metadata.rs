//! The metadata file: what is not secret (order, pinned, a copy of issuer and
//! name so the list renders before the keychain answers, a counter-based
//! account's counter). Written atomically; losing it loses order, never an
//! account.

use crate::account::Group;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

use settings::lenient_settings;
pub use settings::{
    valid_shortcut, Settings, Theme, AUTO_LOCK_RANGE, CLEAR_AFTER_RANGE, DEFAULT_QUICK_SHORTCUT,
    MAX_TIME_OFFSET,
};

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
    #[serde(default, deserialize_with = "lenient")]
    pub pinned: bool,
    /// Unix time the account was added in Watchword; `None` when not known
    /// (rebuilt from the keychain, or listed before this was kept).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient"
    )]
    pub added: Option<u64>,
    /// Where the keychain held the account's item when it was last listed
    /// (a D-Bus object path), so the next listing need not ask the item
    /// its id; good only for [`Metadata::keychain_instance`].
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient"
    )]
    pub item_path: Option<String>,
    /// The groups the account is in. Read leniently: a name that breaks
    /// the rules is dropped, not the whole file.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "lenient_groups"
    )]
    pub groups: Vec<Group>,
    /// Whether the account's keychain item holds a note (never the note).
    #[serde(
        default,
        skip_serializing_if = "std::ops::Not::not",
        deserialize_with = "lenient"
    )]
    pub has_note: bool,
    /// A counter-based account's counter as its item last held it (the
    /// next code's), not secret: kept so that an account whose item goes
    /// and is brought back from an older backup ([`MissingEntry::counter`]),
    /// or whose item an older copy of the keychain put back
    /// ([`super::Store::known_counter`]), does not give again the codes
    /// made since.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient"
    )]
    pub counter: Option<u64>,
    /// [`crate::account::Account::key_check`]: 16 bits that tell its key
    /// from another's, no more. Kept so that only the same key brought back
    /// settles a missing entry or takes on its counter.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_key_check"
    )]
    pub key_check: Option<String>,
}

/// A value the list only keeps to save work or to show (a pin, a date, a
/// place): one of the wrong type (`null`, a string for a number), from a
/// hand-edited file, reads as the default, not as damage that costs the
/// whole list.
fn lenient<'de, D, T>(deserializer: D) -> std::result::Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned + Default,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(serde_json::from_value(value).unwrap_or_default())
}

/// A key check as [`crate::account::Account::key_check`] writes it, four
/// lowercase hex digits; anything else (a hand edit) reads as not known,
/// which matches by issuer and name as before checks were kept, rather
/// than as one no key could match, which would keep a missing entry for
/// good.
fn lenient_key_check<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<String>, D::Error> {
    let check: Option<String> = lenient(deserializer)?;
    Ok(check.filter(|check| {
        check.len() == 4
            && check
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    }))
}

/// A list read entry by entry: one that does not read is left out, not
/// the whole list with it (nor the file).
fn lenient_each<'de, D, T>(deserializer: D) -> std::result::Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    Ok(match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Array(entries) => entries
            .into_iter()
            .filter_map(|entry| serde_json::from_value(entry).ok())
            .collect(),
        _ => Vec::new(),
    })
}

/// The groups of an entry as the file has them, each checked: names that
/// break [`Group::new`]'s rules, repeats and those past the limit are left
/// out (a hand-edited file must not cost the list).
fn lenient_groups<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Vec<Group>, D::Error> {
    // Not a list at all (`null`): no groups, not a damaged file.
    let names = match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Array(names) => names,
        _ => Vec::new(),
    };
    let mut groups: Vec<Group> = Vec::new();
    for name in names.iter().filter_map(serde_json::Value::as_str) {
        match Group::new(name) {
            Ok(group) if !groups.contains(&group) => groups.push(group),
            _ => {}
        }
    }
    groups.truncate(crate::limits::MAX_GROUPS_PER_ACCOUNT);
    Ok(groups)
}

/// The whole metadata file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// Format version, for later migrations.
    pub version: u32,
    /// Accounts in the user's order.
    pub accounts: Vec<MetaEntry>,
    /// Unix time of the last export the user made (a backup), if any.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient"
    )]
    pub last_backup: Option<u64>,
    /// Which run of the keychain service the entries' `item_path` were
    /// seen in; a path is trusted only while that run lasts.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient"
    )]
    pub keychain_instance: Option<String>,
    /// The user's preferences; out-of-range or mistyped values read as the
    /// defaults.
    #[serde(default, deserialize_with = "lenient_settings")]
    pub settings: Settings,
    /// Automatic backups, when they are on (see `store::autobackup`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_auto_backup"
    )]
    pub auto_backup: Option<AutoBackup>,
    /// Accounts whose keychain item went away without Watchword removing
    /// it (another tool, another app), kept until the user restores or
    /// forgets them: while any is here, no backup is pruned, since the
    /// older ones may be all that holds its key. Read leniently, entry by
    /// entry, and its dates field by field: one entry broken by a hand edit
    /// must not cost the others their backups. (Not its id, issuer or name:
    /// emptied, they would match accounts that are not it, and settle it.)
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "lenient_each"
    )]
    pub missing: Vec<MissingEntry>,
}

/// An account that left the keychain behind Watchword's back: what the
/// list showed of it (never its key), and since when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MissingEntry {
    /// The account's id, as the list had it.
    pub id: String,
    /// Its issuer, as the list showed it.
    pub issuer: String,
    /// Its account name, as the list showed it.
    pub name: String,
    /// Unix time it was found gone.
    #[serde(default, deserialize_with = "lenient")]
    pub since: u64,
    /// When the last automatic backup before that was made (the time its
    /// name carries), if there was one: that backup and older ones may
    /// hold the account, newer ones do not.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient"
    )]
    pub backed_up: Option<u64>,
    /// That backup's name suffix ([`AutoBackup::last_suffix`]): a backup
    /// made in the same second after it, which may not hold the account,
    /// is not taken for one from before. None: any of that second.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient"
    )]
    pub backed_up_suffix: Option<u32>,
    /// A counter-based account's counter when it went, if the list knew
    /// it: the same account brought back with a lower counter (from a
    /// backup made before its last codes) resumes from this one.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient"
    )]
    pub counter: Option<u64>,
    /// Its [`MetaEntry::key_check`], if the list knew it: an account with
    /// the same issuer and name but another key (a new one from the
    /// service, a stale one from an old export) is not this one.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_key_check"
    )]
    pub key_check: Option<String>,
}

impl Metadata {
    /// The list's entry for the account `id`, to change.
    pub fn entry_mut(&mut self, id: &str) -> Option<&mut MetaEntry> {
        self.accounts.iter_mut().find(|e| e.id == id)
    }
}

/// Automatic backups' settings and state. Nothing secret: the password is
/// a keychain item of its own ([`super::keychain::BACKUP_PASSWORD_ID`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoBackup {
    /// The folder the backups go to (canonical when it was set up).
    pub folder: PathBuf,
    /// How many backups to keep; older ones are removed.
    pub keep: u32,
    /// A change was made that no backup holds yet. Kept in the file so
    /// that a process which dies before writing its backup leaves the
    /// work to the next one.
    #[serde(default)]
    pub pending: bool,
    /// Unix time of the last backup written and verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_good: Option<u64>,
    /// The suffix in that backup's name (1 for none), which tells it from
    /// others made in the same second. None when written by a Watchword
    /// that did not keep it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_suffix: Option<u32>,
    /// The last attempt's failure, until a backup succeeds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<BackupFailure>,
    /// This installation's tag in its backups' names: only those are
    /// pruned. None when set up before tags, until the next backup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

/// Why the last automatic backup failed, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupFailure {
    /// Unix time of the attempt.
    pub at: u64,
    /// The error's code (an [`crate::ErrorCode`] name), for the window to
    /// branch on. Text, so that a code this version does not know (written
    /// by a newer one) cannot make the file unreadable.
    pub code: String,
    /// What went wrong, for people. Never holds a secret.
    pub message: String,
}

/// The automatic backups' part as read from a file anyone could edit: one
/// that does not read is no reason to move the whole list aside. Backups
/// then read as off; the password item stays, and setting them up again
/// brings them back.
fn lenient_auto_backup<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<AutoBackup>, D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    // What setup refuses is refused here too: a keep of 0 would prune
    // every backup, and a relative folder would follow the working folder.
    // A tag that is not one Watchword makes is dropped: the next backup
    // takes a new one.
    Ok(serde_json::from_value::<AutoBackup>(value)
        .ok()
        .filter(|on| {
            (1..=super::autobackup::MAX_KEEP).contains(&on.keep) && on.folder.is_absolute()
        })
        .map(|mut on| {
            on.tag = on
                .tag
                .filter(|tag| super::autobackup::versions::is_tag(tag));
            on
        }))
}

/// What reading the metadata file found.
#[derive(Debug)]
pub enum Loaded {
    /// The file was read (boxed: the settings made it many times the size
    /// of the other cases).
    Read(Box<Metadata>),
    /// There was no file (first run, or it was deleted).
    Missing,
    /// The file could not be parsed; it was moved aside to the given path.
    Damaged(PathBuf),
}

/// Reads the metadata file; a damaged one is moved aside, never deleted.
pub fn read(path: &Path) -> Result<Loaded> {
    read_as(path, true)
}

/// Reads the metadata file, leaving a damaged one where it is (reported as
/// [`Loaded::Damaged`] with its own path): for a reader that does not hold
/// the store's lock, which moving a file needs.
pub fn read_leaving_damage(path: &Path) -> Result<Loaded> {
    read_as(path, false)
}

/// The file's bytes, or `None` when it is larger than
/// [`crate::limits::MAX_METADATA_BYTES`] (read no further).
fn read_bounded(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    // A named pipe in its place must not hang every start.
    crate::open::open_regular(path)?
        .take(crate::limits::MAX_METADATA_BYTES + 1)
        .read_to_end(&mut bytes)?;
    let over = bytes.len() as u64 > crate::limits::MAX_METADATA_BYTES;
    Ok((!over).then_some(bytes))
}

fn read_as(path: &Path, move_damage: bool) -> Result<Loaded> {
    let bytes = match read_bounded(path) {
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
    // A file over the budget is damage like any other: the list is rebuilt
    // from the keychain.
    let parsed = bytes.and_then(|bytes| serde_json::from_slice(&bytes).ok());
    match parsed {
        Some(meta) => Ok(Loaded::Read(Box::new(meta))),
        None if !move_damage => Ok(Loaded::Damaged(path.to_owned())),
        None => {
            // An earlier damaged file is kept too: a name of its own.
            let first = path.with_extension("json.damaged");
            let aside = std::iter::once(first.clone())
                .chain((2..100).map(|n| path.with_extension(format!("json.damaged.{n}"))))
                .find(|candidate| !candidate.exists())
                .unwrap_or(first);
            std::fs::rename(path, &aside).map_err(|source| Error::Io {
                action: "move aside",
                path: path.to_owned(),
                source,
            })?;
            Ok(Loaded::Damaged(aside))
        }
    }
}

/// What identifies one version of the metadata file on disk, to tell
/// cheaply (one `stat`) whether another process has written it since.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    modified: Option<std::time::SystemTime>,
    len: u64,
    #[cfg(unix)]
    inode: u64,
}

/// The file's current [`Stamp`]; `None` when there is no file.
pub fn stamp(path: &Path) -> Option<Stamp> {
    let info = std::fs::metadata(path).ok()?;
    Some(Stamp {
        modified: info.modified().ok(),
        len: info.len(),
        #[cfg(unix)]
        inode: std::os::unix::fs::MetadataExt::ino(&info),
    })
}

/// Names of the temporary files [`write`] makes before its rename.
const TEMP_PREFIX: &str = ".accounts.json.";
const TEMP_SUFFIX: &str = ".tmp";

/// Removes temporary files left by a writer that was killed before its
/// rename. Call it holding the store's lock: every writer writes under it,
/// so any temporary file found then is a leftover.
pub fn remove_leftovers(dir: &Path) {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in listing.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX) {
            let _ = std::fs::remove_file(entry.path());
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
    let mut file = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)
        .map_err(|e| io("create a file beside", e))?;
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

mod settings;
#[cfg(test)]
mod tests;
