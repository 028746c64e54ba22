//! Automatic encrypted backups: a policy of the store, so that a change made
//! anywhere (the window, `watchword-cli`) is backed up the same way.
//!
//! Once set up (a folder, how many to keep, a password kept as its own
//! keychain item, [`BACKUP_PASSWORD_ID`]), every change through the
//! [`Store`] marks a backup pending in the metadata file. The pending mark
//! is written with the change, so a process that dies before backing up
//! leaves the work to the next one. [`Store::run_pending_backup`] then
//! writes one backup for everything pending: the CLI calls it once at the
//! end of a command (an import of 300 accounts writes one file), the window
//! after a quiet period.
//!
//! A backup is an encrypted Aegis vault ([`export::aegis_encrypted`]) named
//! `watchword-backup-YYYYMMDD-HHMMSS.TAG.json` in UTC (`-2`, `-3`, … after
//! the time when the name is taken; TAG is this installation's, random,
//! kept with the settings), written to a temporary file in the folder,
//! flushed and renamed (never over another file), mode 0600. It is then
//! read back and decrypted as an import would ([`crate::import`]) and
//! compared with the accounts written; only then are this installation's
//! files beyond the newest N removed (another's, in a shared folder, stay).
//! A failure leaves no partial file, removes nothing and is recorded in the
//! metadata until a backup succeeds.

mod files;
pub(crate) mod versions;

pub use files::{
    check_folder, find_restorable, find_restorable_before, read_backup, restorable_input,
};
use files::{folder_there, write_verify_prune};
pub use versions::{
    count_versions, file_name, format_utc, versions_before, versions_newest_first, BackupMark,
};

use super::keychain::BACKUP_PASSWORD_ID;
use super::metadata::{AutoBackup, BackupFailure};
use super::{lock, Added, Store};
use crate::account::Account;
use crate::codes::ErrorCode;
use crate::error::Error;
use crate::export;
use crate::import::ImportError;
use serde::Serialize;
use std::path::{Path, PathBuf};
use thiserror::Error;
use zeroize::Zeroizing;

/// Backups kept unless the user says otherwise.
pub const DEFAULT_KEEP: u32 = 20;
/// Most backups one can ask to keep: enough for years of weekly changes,
/// and a bound on what a listing of the folder sorts.
pub const MAX_KEEP: u32 = 1000;
/// What every backup's file name starts with; only files named
/// `PREFIX` + `YYYYMMDD-HHMMSS` (+ `-N`) + `.json` are ever pruned.
pub const FILE_PREFIX: &str = "watchword-backup-";
/// Most suffixes tried for names taken within one second.
const MAX_SUFFIX: u32 = 999;
/// The keychain label of the password item.
pub(super) const PASSWORD_LABEL: &str = "Watchword: automatic backup password";

/// Why an automatic backup, its setup or a restore did not happen. No
/// variant holds a password or a key.
#[non_exhaustive]
#[derive(Debug, Error)]
pub enum BackupError {
    /// Occurs when a backup or the folder's backups are asked for before
    /// automatic backups were set up (or after they were turned off).
    #[error("automatic backups are not set up")]
    NotSetUp,
    /// Occurs when the backup folder is not there (an unplugged drive, a
    /// sync folder removed); nothing is created in its place.
    #[error(
        "the backup folder {} is not there (an unplugged drive?); nothing was written",
        .0.display()
    )]
    FolderMissing(PathBuf),
    /// Occurs when the backup folder given is a file or anything else that
    /// is not a folder.
    #[error("{} is not a folder", .0.display())]
    NotAFolder(PathBuf),
    /// Occurs when the backup folder is Watchword's data folder or inside
    /// it: a backup there is lost with what it backs up.
    #[error(
        "the backup folder {} is inside Watchword's data folder {}, where a backup is lost \
         with the accounts; choose a folder elsewhere (a synced folder, a USB drive)",
        folder.display(),
        data_dir.display()
    )]
    InsideDataFolder {
        /// The folder given, canonicalised.
        folder: PathBuf,
        /// The data folder, canonicalised.
        data_dir: PathBuf,
    },
    /// Occurs when the backup password is empty.
    #[error("choose a password for the backups")]
    EmptyPassword,
    /// Occurs when the number of backups to keep is 0 or over [`MAX_KEEP`].
    #[error("keep 1 to {MAX_KEEP} backups, not {0}")]
    KeepOutOfRange(u64),
    /// Occurs when backups are on but the password's keychain item is gone
    /// (removed with another tool, or a keychain reset).
    #[error("the backup password is no longer in the keychain: set it again")]
    PasswordMissing,
    /// Occurs when the backup cannot be written: a read-only folder, a full
    /// disk, no permission. Nothing partial is left and nothing older is
    /// removed.
    #[error("cannot {action} in the backup folder {}: {source}", folder.display())]
    Write {
        /// What was being done ("create a file", "write", "flush", …).
        action: &'static str,
        /// The backup folder.
        folder: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// Occurs when a backup just written does not read back, decrypt, or
    /// hold the accounts written. It is removed, and nothing older is.
    #[error(
        "the backup {} did not read back as written ({reason}); it was removed and no older \
         backup was touched",
        file.display()
    )]
    Verify {
        /// The file that was written.
        file: PathBuf,
        /// What was wrong with it.
        reason: String,
    },
    /// Occurs when the password does not open a backup; nothing is changed.
    #[error("wrong password for {}; nothing was changed", .0.display())]
    WrongPassword(PathBuf),
    /// Occurs when a backup file chosen for a restore cannot be read as one.
    #[error("{}: {source}", file.display())]
    Unreadable {
        /// The file.
        file: PathBuf,
        /// Why it cannot be read.
        source: ImportError,
    },
    /// Occurs when a folder holds no backup of ours, or none that reads;
    /// `skipped` says what was wrong with each.
    #[error("no readable backup in {}{}", folder.display(), list_skipped(skipped))]
    NoneReadable {
        /// The folder looked in.
        folder: PathBuf,
        /// Every backup tried, newest first, with what was wrong with it.
        skipped: Vec<Skipped>,
    },
    /// Occurs when the store or the keychain refuses (locked, busy, …).
    #[error(transparent)]
    Store(#[from] Error),
}

fn list_skipped(skipped: &[Skipped]) -> String {
    skipped
        .iter()
        .map(|s| format!("\n  {}: {}", s.file.display(), s.reason))
        .collect()
}

impl BackupError {
    /// A stable machine-readable code for the UI to branch on.
    pub fn code(&self) -> ErrorCode {
        match self {
            BackupError::NotSetUp => ErrorCode::BackupNotSetUp,
            BackupError::FolderMissing(_) => ErrorCode::BackupFolderMissing,
            BackupError::NotAFolder(_) => ErrorCode::BackupNotAFolder,
            BackupError::InsideDataFolder { .. } => ErrorCode::BackupFolderInsideData,
            BackupError::EmptyPassword => ErrorCode::EmptyPassword,
            BackupError::KeepOutOfRange(_) => ErrorCode::BackupKeepOutOfRange,
            BackupError::PasswordMissing => ErrorCode::BackupPasswordMissing,
            BackupError::Write { source, .. } => match source.kind() {
                std::io::ErrorKind::StorageFull => ErrorCode::BackupDiskFull,
                std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied => {
                    ErrorCode::BackupFolderReadOnly
                }
                _ => ErrorCode::BackupWriteFailed,
            },
            BackupError::Verify { .. } => ErrorCode::BackupVerifyFailed,
            BackupError::WrongPassword(_) => ErrorCode::WrongPassword,
            BackupError::Unreadable { source, .. } => source.code(),
            BackupError::NoneReadable { .. } => ErrorCode::NoBackupFound,
            BackupError::Store(err) => err.code(),
        }
    }
}

/// A backup passed over when looking for one to restore.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The file.
    pub file: PathBuf,
    /// What is wrong with it (damaged, unreadable; never its content).
    pub reason: String,
}

/// Where automatic backups stand, for the window and `backup status`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoBackupStatus {
    /// Backups are set up.
    pub enabled: bool,
    /// The folder they go to.
    pub folder: Option<PathBuf>,
    /// How many are kept.
    pub keep: u32,
    /// Unix time of the last backup written and verified.
    pub last_good: Option<u64>,
    /// The last failure, until a backup succeeds.
    pub last_error: Option<BackupFailure>,
    /// Our backups in the folder now (0 when it is not there).
    pub versions: usize,
    /// The folder is there now.
    pub folder_present: bool,
    /// A change waits for a backup.
    pub pending: bool,
    /// This installation's tag in its backups' names (none before its
    /// first tagged backup).
    pub tag: Option<String>,
}

/// A backup that decrypted, ready to restore (or to preview first).
#[derive(Debug)]
pub struct Restorable {
    /// The file it was read from.
    pub file: PathBuf,
    /// Its accounts, in the file's order.
    pub accounts: Vec<Account>,
    /// Entries of the file that could not be read as accounts.
    pub entry_errors: usize,
    /// Newer backups passed over, newest first, with what was wrong.
    pub skipped: Vec<Skipped>,
}

/// One backup of `accounts` to `folder`: encrypt, write, verify, prune.
#[cfg(test)]
fn back_up(
    folder: &Path,
    tag: &str,
    keep: u32,
    accounts: &[Account],
    password: &str,
    unix_seconds: u64,
) -> Result<PathBuf, BackupError> {
    back_up_protecting(folder, tag, keep, None, accounts, password, unix_seconds)
}

/// [`back_up`], pruning none at or before `protect_until` (the backups
/// that may hold an account gone missing: `store::missing`).
fn back_up_protecting(
    folder: &Path,
    tag: &str,
    keep: u32,
    protect_until: Option<BackupMark>,
    accounts: &[Account],
    password: &str,
    unix_seconds: u64,
) -> Result<PathBuf, BackupError> {
    folder_there(folder)?;
    let vault = Zeroizing::new(export::aegis_encrypted(accounts, password).map_err(
        |err| match err {
            export::ExportError::EmptyPassword => BackupError::EmptyPassword,
            other => BackupError::Verify {
                file: folder.to_owned(),
                reason: other.to_string(),
            },
        },
    )?);
    write_verify_prune(
        folder,
        tag,
        (keep, protect_until),
        &vault,
        accounts,
        password,
        unix_seconds,
    )
}

fn check_keep(keep: u32) -> Result<(), BackupError> {
    if (1..=MAX_KEEP).contains(&keep) {
        Ok(())
    } else {
        Err(BackupError::KeepOutOfRange(u64::from(keep)))
    }
}

impl Store {
    /// Turns automatic backups on (or changes their folder, number kept and
    /// password): refuses a folder that is missing, not a folder, or inside
    /// the data folder, an empty password and a `keep` out of 1 to
    /// [`MAX_KEEP`]; then writes a first backup at once, and only when that
    /// succeeded saves the password (as its own keychain item) and the
    /// settings. Returns the backup's path. Slow (scrypt twice): call it
    /// off the UI thread.
    pub fn set_up_auto_backup(
        &mut self,
        folder: &Path,
        keep: u32,
        password: &str,
        unix_seconds: u64,
    ) -> Result<PathBuf, BackupError> {
        if password.is_empty() {
            return Err(BackupError::EmptyPassword);
        }
        check_keep(keep)?;
        let folder = check_folder(folder, self.data_dir())?;
        let _lock = self.lock(lock::WAIT)?;
        self.catch_up()?;
        self.set_up_held(folder, keep, password, unix_seconds)
    }

    /// [`Store::set_up_auto_backup`] with the store's lock held and the
    /// arguments checked.
    fn set_up_held(
        &mut self,
        folder: PathBuf,
        keep: u32,
        password: &str,
        unix_seconds: u64,
    ) -> Result<PathBuf, BackupError> {
        let accounts = self.fresh_accounts()?;
        // Set up again (another folder, a new password): the same tag.
        let tag = self
            .meta
            .auto_backup
            .as_ref()
            .and_then(|on| on.tag.clone())
            .unwrap_or_else(versions::new_tag);
        let kept = self.kept(keep, &accounts);
        let file = back_up_protecting(
            &folder,
            &tag,
            kept,
            self.protect_until(),
            &accounts,
            password,
            unix_seconds,
        )?;
        self.write_secret_item(BACKUP_PASSWORD_ID, password, PASSWORD_LABEL)?;
        self.meta.auto_backup = Some(AutoBackup {
            folder,
            keep,
            pending: false,
            last_good: Some(unix_seconds),
            last_suffix: versions::suffix_of(&file),
            last_error: None,
            tag: Some(tag),
        });
        self.meta.last_backup = Some(unix_seconds);
        self.save_meta()?;
        Ok(file)
    }

    /// Turns automatic backups off: the settings go and so does the
    /// password's keychain item; the backups written stay where they are.
    /// While the lock is on, only with the key: that item is sealed, and a
    /// locked store writes no sealed item, nor removes one.
    pub fn turn_off_auto_backup(&mut self) -> Result<(), BackupError> {
        self.locked_listed(|store| {
            store.current_keys()?;
            store.keychain.delete(BACKUP_PASSWORD_ID)?;
            store.meta.auto_backup = None;
            store.save_meta()
        })?;
        Ok(())
    }

    /// Writes a backup with a new password at once, and only when that
    /// succeeded keeps the password for the next ones (older backups keep
    /// the old one): a change that failed (the drive unplugged) leaves the
    /// old password in use, as the user was told. Returns the new backup's
    /// path.
    pub fn set_auto_backup_password(
        &mut self,
        password: &str,
        unix_seconds: u64,
    ) -> Result<PathBuf, BackupError> {
        if password.is_empty() {
            return Err(BackupError::EmptyPassword);
        }
        // The folder and number kept as they are under the lock: another
        // process may have changed them, or turned backups off.
        let _lock = self.lock(lock::WAIT)?;
        self.catch_up()?;
        let config = self.meta.auto_backup.clone().ok_or(BackupError::NotSetUp)?;
        self.set_up_held(config.folder, config.keep, password, unix_seconds)
    }

    /// Where automatic backups stand. Takes in what other processes wrote
    /// to the metadata file, and counts the backups in the folder.
    pub fn auto_backup_status(&mut self) -> Result<AutoBackupStatus, BackupError> {
        self.locked_listed(|_| Ok(()))?;
        Ok(match &self.meta.auto_backup {
            None => AutoBackupStatus {
                enabled: false,
                folder: None,
                keep: DEFAULT_KEEP,
                last_good: None,
                last_error: None,
                versions: 0,
                folder_present: false,
                pending: false,
                tag: None,
            },
            Some(config) => AutoBackupStatus {
                enabled: true,
                folder: Some(config.folder.clone()),
                keep: config.keep,
                last_good: config.last_good,
                last_error: config.last_error.clone(),
                versions: count_versions(&config.folder),
                folder_present: config.folder.is_dir(),
                pending: config.pending,
                tag: config.tag.clone(),
            },
        })
    }

    /// Whether automatic backups look set up but their settings are gone:
    /// their password is still in the keychain while the metadata file
    /// (rebuilt after damage, or replaced) says they are off. Backups then
    /// stop, so the window says so rather than let them end unseen.
    pub fn auto_backup_settings_lost(&self) -> bool {
        self.meta.auto_backup.is_none()
            && self
                .keychain
                .get(BACKUP_PASSWORD_ID)
                .is_ok_and(|item| item.is_some())
    }

    /// The backup folder, when backups are on (as this store last read
    /// the metadata file).
    pub fn auto_backup_folder(&self) -> Option<PathBuf> {
        self.meta.auto_backup.as_ref().map(|c| c.folder.clone())
    }

    /// This installation's tag in its backups' names, when backups are on
    /// and one was written since tags (as this store last read the
    /// metadata file): a restore tries these first.
    pub fn auto_backup_tag(&self) -> Option<String> {
        self.meta.auto_backup.as_ref().and_then(|c| c.tag.clone())
    }

    /// True when a change waits for a backup, as this store last read or
    /// wrote the metadata file: cheap, for deciding whether to call
    /// [`Store::run_pending_backup`].
    pub fn backup_pending(&self) -> bool {
        self.meta.auto_backup.as_ref().is_some_and(|c| c.pending)
    }

    /// Writes one backup of every account if a change is pending (this
    /// process's or any other's), under the store's lock: encrypted with
    /// the password's keychain item, verified, then older ones pruned.
    /// `Ok(None)` when backups are off or nothing is pending. A failure is
    /// recorded (time and message) for [`Store::auto_backup_status`] and
    /// returned; the change stays pending, so the next call tries again.
    /// Slow (scrypt twice, ~the lock held meanwhile): off the UI thread.
    pub fn run_pending_backup(
        &mut self,
        unix_seconds: u64,
    ) -> Result<Option<PathBuf>, BackupError> {
        let _lock = self.lock(lock::WAIT)?;
        self.catch_up_listed()?;
        self.run_pending_backup_held(unix_seconds)
    }

    /// [`Store::run_pending_backup`] with the store's lock held and the
    /// list caught up.
    fn run_pending_backup_held(
        &mut self,
        unix_seconds: u64,
    ) -> Result<Option<PathBuf>, BackupError> {
        let Some(config) = self.meta.auto_backup.clone() else {
            return Ok(None);
        };
        if !config.pending {
            return Ok(None);
        }
        // Locked: the backup waits, still pending, for the next unlock; it
        // is not a failure to show.
        if self.lock_state()? == super::LockState::Locked {
            return Ok(None);
        }
        // Set up before tags: this installation takes one now, kept with
        // the settings below whatever the backup's outcome.
        let tag = config.tag.clone().unwrap_or_else(versions::new_tag);
        let result = self.back_up_locked(&config, &tag, unix_seconds);
        let Some(state) = self.meta.auto_backup.as_mut() else {
            return result.map(Some);
        };
        state.tag = Some(tag);
        match &result {
            Ok(file) => {
                state.pending = false;
                state.last_good = Some(unix_seconds);
                state.last_suffix = versions::suffix_of(file);
                state.last_error = None;
                // The backup reminder counts this as a backup.
                self.meta.last_backup = Some(unix_seconds);
            }
            Err(err) => {
                state.last_error = Some(BackupFailure {
                    at: unix_seconds,
                    code: err.code().as_str().to_owned(),
                    message: err.to_string(),
                });
            }
        }
        self.save_meta()?;
        result.map(Some)
    }

    /// Marks a backup pending and writes it now (`backup now`, a retry),
    /// under the store's lock, held throughout so that another process's
    /// backup cannot take the pending mark between the two. `NotSetUp` when
    /// backups are off; `VaultLocked` when the lock is on and this store
    /// holds no key (the backup stays pending).
    pub fn back_up_now(&mut self, unix_seconds: u64) -> Result<PathBuf, BackupError> {
        let _lock = self.lock(lock::WAIT)?;
        self.catch_up_listed()?;
        if self.meta.auto_backup.is_none() {
            return Err(BackupError::NotSetUp);
        }
        self.note_change();
        self.save_meta()?;
        match self.run_pending_backup_held(unix_seconds)? {
            Some(path) => Ok(path),
            // Backups on and a change pending, under the lock: only a
            // locked vault leaves it unwritten.
            None => Err(Error::VaultLocked.into()),
        }
    }

    /// Adds a backup's accounts, skipping those already stored (as an
    /// import does); the change is then pending a backup like any other.
    pub fn restore(&mut self, restorable: Restorable) -> Result<Added, (Added, Error)> {
        self.add_all(restorable.accounts)
    }

    fn back_up_locked(
        &mut self,
        config: &AutoBackup,
        tag: &str,
        unix_seconds: u64,
    ) -> Result<PathBuf, BackupError> {
        // Before any secret is read: an unplugged drive is the common case.
        folder_there(&config.folder)?;
        let password = self
            .read_secret_item(BACKUP_PASSWORD_ID)?
            .ok_or(BackupError::PasswordMissing)?;
        if !self.loaded {
            self.load_locked()?;
        }
        let accounts = self.fresh_accounts()?;
        let keep = self.kept(config.keep, &accounts);
        back_up_protecting(
            &config.folder,
            tag,
            keep,
            self.protect_until(),
            &accounts,
            &password,
            unix_seconds,
        )
    }

    /// How many of this installation's backups a new one of `accounts`
    /// leaves: all of them while an account's keychain item cannot be read
    /// (damaged, or written by a newer Watchword), since it is in none of
    /// the new ones and the older ones may be its only copy; all of them
    /// too after a backup that holds no account (an empty list, however it
    /// came about, must not push out the last ones that held some). Those
    /// that may hold an account gone missing are kept apart from these
    /// (`store::missing`).
    fn kept(&self, keep: u32, accounts: &[crate::account::Account]) -> u32 {
        if self.damaged.is_empty() && !accounts.is_empty() {
            keep
        } else {
            u32::MAX
        }
    }

    /// Marks a backup pending when backups are on; true when that changed
    /// the metadata (then it is worth saving). Every change through the
    /// store calls this before it saves the metadata.
    pub(super) fn note_change(&mut self) -> bool {
        match self.meta.auto_backup.as_mut() {
            Some(config) if !config.pending => {
                config.pending = true;
                true
            }
            _ => false,
        }
    }

    fn data_dir(&self) -> &Path {
        self.meta_path.parent().unwrap_or(Path::new("."))
    }
}

#[cfg(test)]
mod tests;
