//! A backup on disk: the folder checked, the file written safely (a
//! temporary file, flushed, renamed, never over another), read back and
//! compared with what was written, and found again for a restore.

use super::versions::{file_name, is_ahead, prune, restore_order, Version};
use super::{BackupError, Restorable, Skipped, MAX_SUFFIX};
use crate::account::Account;
use crate::import::{self, ImportError, Read};
use crate::store::unix_now;
use std::io::Write;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Refuses a folder that is missing, not a folder, or inside `data_dir`;
/// answers the folder canonicalised.
pub fn check_folder(folder: &Path, data_dir: &Path) -> Result<PathBuf, BackupError> {
    let info = match std::fs::metadata(folder) {
        Ok(info) => info,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(BackupError::FolderMissing(folder.to_owned()))
        }
        Err(source) => {
            return Err(BackupError::Write {
                action: "look",
                folder: folder.to_owned(),
                source,
            })
        }
    };
    if !info.is_dir() {
        return Err(BackupError::NotAFolder(folder.to_owned()));
    }
    let canonical = |path: &Path| {
        std::fs::canonicalize(path).map_err(|source| BackupError::Write {
            action: "look",
            folder: path.to_owned(),
            source,
        })
    };
    let folder = canonical(folder)?;
    let data_dir = canonical(data_dir)?;
    if folder.starts_with(&data_dir) {
        return Err(BackupError::InsideDataFolder { folder, data_dir });
    }
    Ok(folder)
}

/// Makes sure `folder` is there and a folder, for a backup.
pub(super) fn folder_there(folder: &Path) -> Result<(), BackupError> {
    match std::fs::metadata(folder) {
        Ok(info) if info.is_dir() => Ok(()),
        Ok(_) => Err(BackupError::NotAFolder(folder.to_owned())),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            Err(BackupError::FolderMissing(folder.to_owned()))
        }
        Err(source) => Err(BackupError::Write {
            action: "look",
            folder: folder.to_owned(),
            source,
        }),
    }
}

/// Writes `vault` to a new file in `folder` named for `unix_seconds`:
/// a temporary file (mode 0600), flushed, then linked in under the first
/// free name, never over another file. A failure leaves nothing behind.
/// Temporary files of backups that a killed process left behind are
/// removed once they are this old: younger ones may be another
/// computer's backup being written to the same synced folder.
const STALE_TEMPORARY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Removes our own stale temporary files from `folder` (encrypted, but
/// clutter that would pile up in a synced folder). Best effort.
fn remove_stale_temporaries(folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let ours = name
            .to_str()
            .is_some_and(|n| n.starts_with(".watchword-backup.") && n.ends_with(".tmp"));
        let stale = entry
            .metadata()
            .ok()
            .filter(std::fs::Metadata::is_file)
            .and_then(|info| info.modified().ok())
            .and_then(|modified| modified.elapsed().ok())
            .is_some_and(|age| age > STALE_TEMPORARY);
        if ours && stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

pub(super) fn write_new(
    folder: &Path,
    tag: &str,
    vault: &str,
    unix_seconds: u64,
) -> Result<PathBuf, BackupError> {
    folder_there(folder)?;
    remove_stale_temporaries(folder);
    let io = |action| {
        move |source| BackupError::Write {
            action,
            folder: folder.to_owned(),
            source,
        }
    };
    // tempfile creates its files with mode 0600 on Unix, and removes the
    // file when dropped before it is persisted.
    let mut file = tempfile::Builder::new()
        .prefix(".watchword-backup.")
        .suffix(".tmp")
        .tempfile_in(folder)
        .map_err(io("create a file"))?;
    file.write_all(vault.as_bytes()).map_err(io("write"))?;
    file.as_file().sync_all().map_err(io("flush"))?;
    // After the last name of this second: one freed by pruning, taken
    // again, would sort a newer backup before older ones, and "restore the
    // newest" would take an older one.
    let mut n = super::versions::next_suffix(folder, unix_seconds);
    let path = loop {
        let path = folder.join(file_name(unix_seconds, n, Some(tag)));
        match file.persist_noclobber(&path) {
            Ok(_) => break path,
            Err(err) if err.error.kind() == std::io::ErrorKind::AlreadyExists && n < MAX_SUFFIX => {
                file = err.file;
                n += 1;
            }
            Err(err) => return Err(io("name")(err.error)),
        }
    };
    // Make the new name itself durable where the platform allows it.
    #[cfg(unix)]
    if let Ok(dir) = std::fs::File::open(folder) {
        let _ = dir.sync_all();
    }
    Ok(path)
}

/// Reads a backup file as a restore would: read, decrypt with `password`,
/// convert. A wrong password is [`BackupError::WrongPassword`]; anything
/// else that keeps the file from reading is [`BackupError::Unreadable`].
pub fn read_backup(file: &Path, password: &str) -> Result<Restorable, BackupError> {
    read_any_backup(file, password).map(|(restorable, _)| restorable)
}

/// [`read_backup`], and whether the file was encrypted.
fn read_any_backup(file: &Path, password: &str) -> Result<(Restorable, bool), BackupError> {
    let unreadable = |source| BackupError::Unreadable {
        file: file.to_owned(),
        source,
    };
    let bytes = Zeroizing::new(import::read_file(file).map_err(unreadable)?);
    let (_, read) = import::detect_and_read(&bytes).map_err(unreadable)?;
    let (entries, encrypted) = match read {
        Read::Encrypted(backup) => match backup.decrypt(password) {
            Ok(entries) => (entries, true),
            Err(ImportError::WrongPassword) => {
                return Err(BackupError::WrongPassword(file.to_owned()))
            }
            Err(err) => return Err(unreadable(err)),
        },
        // Ours are always encrypted; a plain one chosen by name still reads.
        Read::Plain(entries) => (entries, false),
    };
    let conversion = entries.convert();
    Ok((
        Restorable {
            file: file.to_owned(),
            accounts: conversion.accounts,
            entry_errors: conversion.errors.len(),
            skipped: Vec::new(),
        },
        encrypted,
    ))
}

/// A backup in the folder as the window's preview takes it: an encrypted
/// backup, waiting for its password, or why it is passed over. A plain
/// file named like ours was not written by Watchword, which encrypts every
/// backup: whoever can write to a synced folder must not be able to slip
/// accounts in (as [`find_restorable`] holds for the command line).
pub fn restorable_input(path: &Path) -> Result<crate::enrol::Input, String> {
    use crate::enrol::Input;
    match Input::from_file(path) {
        locked @ Input::Locked(_) => Ok(locked),
        Input::Unusable(note) => Err(note.message),
        // Not read at all (empty, or a sync service's placeholder): why.
        Input::Image {
            decoded: Err(error),
            ..
        } => Err(error.to_string()),
        Input::Image { .. } | Input::Backup { .. } => Err(NOT_ENCRYPTED.to_owned()),
    }
}

/// Why a plain file named like a backup is passed over.
const NOT_ENCRYPTED: &str = "it is not encrypted, so Watchword did not write it";

/// How many backups that do not open with the password are tried before
/// the password itself is blamed: a damaged key slot reads as a wrong
/// password, and each try costs a key derivation.
const WRONG_PASSWORD_TRIES: usize = 5;

/// The newest encrypted backup in `folder` that opens with `password`. A
/// damaged, unreadable or plain one is passed over for the one before it
/// (and named in [`Restorable::skipped`]), and so is one that does not
/// open (its key slot may be damaged); when none of the newest few opens,
/// the password may be an older one (the backup password changed since):
/// the oldest is tried, and when it opens, the newest that does is found
/// by halving ([`newest_opening`]); otherwise the password is the problem:
/// [`BackupError::WrongPassword`], nothing read. This installation's
/// backups (tagged `own`) are tried first.
pub fn find_restorable(
    folder: &Path,
    password: &str,
    own: Option<&str>,
) -> Result<Restorable, BackupError> {
    find_restorable_upto(folder, password, own, None)
}

/// [`find_restorable`] among the backups made at or before `mark`: the
/// last one before accounts went missing ([`crate::Store::missing_mark`]),
/// which may hold them.
pub fn find_restorable_before(
    folder: &Path,
    password: &str,
    own: Option<&str>,
    mark: super::BackupMark,
) -> Result<Restorable, BackupError> {
    find_restorable_upto(folder, password, own, Some(mark))
}

fn find_restorable_upto(
    folder: &Path,
    password: &str,
    own: Option<&str>,
    upto: Option<super::BackupMark>,
) -> Result<Restorable, BackupError> {
    folder_there(folder)?;
    let now = unix_now();
    let found: Vec<Version> = restore_order(folder, now, own)
        .map_err(|source| BackupError::Write {
            action: "list",
            folder: folder.to_owned(),
            source,
        })?
        .into_iter()
        .filter(|v| upto.is_none_or(|mark| v.key <= mark.order()))
        .collect();
    let mut skipped = Vec::new();
    let mut refused: Option<PathBuf> = None;
    // Counted for each installation's backups: another computer's in a
    // shared folder, under another password, must not hide this one's.
    let mut refusals: std::collections::HashMap<Option<String>, usize> =
        std::collections::HashMap::new();
    let mut tried_files: std::collections::HashSet<&Path> = std::collections::HashSet::new();
    // Installations whose newest few all refused, in the order met (this
    // one's first).
    let mut ran_out: Vec<Option<String>> = Vec::new();
    for version in &found {
        let tried = refusals.get(&version.tag).copied().unwrap_or(0);
        if tried >= WRONG_PASSWORD_TRIES {
            continue;
        }
        tried_files.insert(&version.path);
        match probe(version, password) {
            Probe::Opens(mut restorable) => {
                restorable.skipped = skipped;
                return Ok(restorable);
            }
            Probe::Unusable(passed_over) => skipped.push(passed_over),
            // The newest may be damaged where its key is kept: look at a
            // few older ones before blaming the password.
            Probe::Refuses => {
                refusals.insert(version.tag.clone(), tried + 1);
                skipped.push(refusal(&version.path));
                refused.get_or_insert(version.path.clone());
                if tried + 1 == WRONG_PASSWORD_TRIES {
                    ran_out.push(version.tag.clone());
                }
            }
            Probe::Failed(err) => return Err(err),
        }
    }
    // Nothing opened: the password may be one an installation had before
    // a change, which opens its older backups. Those not tried yet, and
    // not dated ahead, newest first.
    for tag in ran_out {
        let older: Vec<&Version> = found
            .iter()
            .filter(|v| v.tag == tag && !tried_files.contains(v.path.as_path()))
            .filter(|v| !is_ahead(v, now))
            .collect();
        if let Some(mut restorable) = newest_opening(older, password, &mut skipped)? {
            restorable.skipped = skipped;
            return Ok(restorable);
        }
    }
    if let Some(file) = refused {
        return Err(BackupError::WrongPassword(file));
    }
    Err(BackupError::NoneReadable {
        folder: folder.to_owned(),
        skipped,
    })
}

/// What trying one backup with a password came to.
enum Probe {
    Opens(Restorable),
    /// It does not open with it (a wrong password, or a damaged key slot).
    Refuses,
    /// Damaged, unreadable, or a plain file named like ours: passed over.
    Unusable(Skipped),
    /// Something that stops the restore (the folder gone, say).
    Failed(BackupError),
}

fn probe(version: &Version, password: &str) -> Probe {
    match read_any_backup(&version.path, password) {
        Ok((restorable, true)) => Probe::Opens(restorable),
        // A plain file named like ours was not written by Watchword,
        // which encrypts every backup: whoever can write to a synced
        // folder must not be able to slip accounts in.
        Ok((_, false)) => Probe::Unusable(Skipped {
            file: version.path.clone(),
            reason: NOT_ENCRYPTED.to_owned(),
        }),
        Err(BackupError::Unreadable { file, source }) => Probe::Unusable(Skipped {
            file,
            reason: source.to_string(),
        }),
        Err(BackupError::WrongPassword(_)) => Probe::Refuses,
        Err(err) => Probe::Failed(err),
    }
}

fn refusal(file: &Path) -> Skipped {
    Skipped {
        file: file.to_owned(),
        reason: "it does not open with this password (a wrong password, or damaged)".to_owned(),
    }
}

/// Among one installation's `older` backups (newest first), the newest that
/// opens with `password`, when the oldest usable one does: a password
/// changed since opens a run of the oldest ones. Found by halving, so a
/// few key derivations, not one a file; a damaged or plain file met on
/// the way is passed over (and named) without moving the bounds. None when
/// the oldest does not open.
fn newest_opening(
    mut older: Vec<&Version>,
    password: &str,
    skipped: &mut Vec<Skipped>,
) -> Result<Option<Restorable>, BackupError> {
    let mut found = loop {
        let Some(oldest) = older.last() else {
            return Ok(None);
        };
        match probe(oldest, password) {
            Probe::Opens(restorable) => break restorable,
            Probe::Refuses => return Ok(None),
            Probe::Unusable(passed_over) => {
                skipped.push(passed_over);
                older.pop();
            }
            Probe::Failed(err) => return Err(err),
        }
    };
    // older[high] opens; those before `low` were found not to.
    let (mut low, mut high) = (0, older.len() - 1);
    while low < high {
        let middle = low + (high - low) / 2;
        match probe(older[middle], password) {
            Probe::Opens(restorable) => {
                found = restorable;
                high = middle;
            }
            Probe::Refuses => {
                skipped.push(refusal(&older[middle].path));
                low = middle + 1;
            }
            Probe::Unusable(passed_over) => {
                skipped.push(passed_over);
                older.remove(middle);
                high -= 1;
            }
            Probe::Failed(err) => return Err(err),
        }
    }
    Ok(Some(found))
}

/// Checks that `file` decrypts with `password` to exactly `expected`.
fn verify(file: &Path, expected: &[Account], password: &str) -> Result<(), String> {
    let read = read_backup(file, password).map_err(|err| match err {
        BackupError::WrongPassword(_) => "it does not open with the backup password".to_owned(),
        BackupError::Unreadable { source, .. } => source.to_string(),
        other => other.to_string(),
    })?;
    if read.entry_errors > 0 {
        return Err(format!("{} entries do not read", read.entry_errors));
    }
    if read.accounts.len() != expected.len() {
        return Err(format!(
            "it holds {} accounts instead of {}",
            read.accounts.len(),
            expected.len()
        ));
    }
    if let Some(index) = read.accounts.iter().zip(expected).position(|(a, b)| a != b) {
        return Err(format!("account {} differs", index + 1));
    }
    Ok(())
}

/// Writes `vault` to `folder` under this installation's `tag`, verifies it
/// holds `expected`, and only then prunes this installation's backups to
/// `keep`. A file that fails verification is removed.
pub(super) fn write_verify_prune(
    folder: &Path,
    tag: &str,
    (keep, protect_until): (u32, Option<super::BackupMark>),
    vault: &str,
    expected: &[Account],
    password: &str,
    unix_seconds: u64,
) -> Result<PathBuf, BackupError> {
    let file = write_new(folder, tag, vault, unix_seconds)?;
    if let Err(reason) = verify(&file, expected, password) {
        let _ = std::fs::remove_file(&file);
        return Err(BackupError::Verify { file, reason });
    }
    prune(folder, (keep, protect_until), &file, tag, unix_seconds);
    Ok(file)
}
