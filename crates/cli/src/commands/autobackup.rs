//! `backup`: automatic encrypted backups (setup, status, now, off, password)
//! and restoring from them. The policy is the core store's
//! (`watchword_core::store::autobackup`); this only parses and prints.

use super::backup::{
    count, left_out, notes_cut, read_new_password, read_password, skipped_entries,
};
use super::{back_up_pending, now, open_store, open_store_finding_missing, open_store_locked};
use crate::cli::BackupAction;
use crate::error::CliError;
use watchword_core::store::autobackup::{self, format_utc};

pub fn run(action: BackupAction) -> Result<(), CliError> {
    match action {
        BackupAction::Setup {
            dir,
            keep,
            password_stdin,
        } => {
            let password = password(password_stdin, true)?;
            let mut store = open_store()?;
            let file = store.set_up_auto_backup(&dir, keep, &password, now())?;
            err!(
                "Automatic backups are on: the newest {keep} are kept; the first is {}.",
                file.display()
            );
            Ok(())
        }
        BackupAction::Status { json } => status(json),
        BackupAction::Now => {
            let mut store = open_store()?;
            let file = store.back_up_now(now())?;
            err!("Backed up to {}.", file.display());
            Ok(())
        }
        BackupAction::Off => {
            let mut store = open_store()?;
            store.turn_off_auto_backup()?;
            err!("Automatic backups are off; the backups written were left where they are.");
            Ok(())
        }
        BackupAction::Password { password_stdin } => {
            let password = password(password_stdin, true)?;
            let mut store = open_store()?;
            let file = store.set_auto_backup_password(&password, now())?;
            err!(
                "The backup password was changed; {} uses it (older backups keep the old one).",
                file.display()
            );
            Ok(())
        }
        BackupAction::Restore {
            file,
            dir,
            missing,
            password_stdin,
        } => restore(file, dir, missing, password_stdin),
    }
}

/// The backup password from standard input: a `new` one (setting up,
/// changing it) typed twice at a terminal.
fn password(password_stdin: bool, new: bool) -> Result<zeroize::Zeroizing<String>, CliError> {
    if !password_stdin {
        return Err(CliError::BackupNeedsPassword);
    }
    Ok(zeroize::Zeroizing::new(if new {
        read_new_password()?
    } else {
        read_password()?
    }))
}

fn status(json: bool) -> Result<(), CliError> {
    let mut store = open_store_locked()?;
    let status = store.auto_backup_status()?;
    if json {
        crate::terminal::print_json(&status, true);
        return Ok(());
    }
    let Some(folder) = &status.folder else {
        out!("Automatic backups: off");
        return Ok(());
    };
    out!("Automatic backups: on");
    out!(
        "Folder: {}{}",
        folder.display(),
        if status.folder_present {
            ""
        } else {
            " (not there now)"
        }
    );
    out!("Keep: the newest {}", status.keep);
    out!(
        "Last good backup: {}",
        status.last_good.map_or("never".to_owned(), format_utc)
    );
    match &status.last_error {
        None => out!("Last error: none"),
        Some(failure) => out!(
            "Last error: {} ({}): {}",
            format_utc(failure.at),
            failure.code,
            failure.message
        ),
    }
    out!("Backups in the folder: {}", status.versions);
    out!("Pending: {}", if status.pending { "yes" } else { "no" });
    Ok(())
}

fn restore(
    file: Option<std::path::PathBuf>,
    dir: Option<std::path::PathBuf>,
    missing: bool,
    password_stdin: bool,
) -> Result<(), CliError> {
    if missing {
        return restore_missing(file, password_stdin);
    }
    let password = password(password_stdin, false)?;
    let mut store = open_store()?;
    let restorable = match (file, dir) {
        (Some(file), _) => autobackup::read_backup(&file, &password)?,
        (None, dir) => {
            let folder = dir
                .or_else(|| store.auto_backup_folder())
                .ok_or(CliError::NoBackupFolder)?;
            let own = store.auto_backup_tag();
            autobackup::find_restorable(&folder, &password, own.as_deref())?
        }
    };
    restore_from(&mut store, restorable)
}

/// `backup restore --missing`: only the accounts that left the keychain
/// behind Watchword's back, by issuer and name, from `file` or the newest
/// automatic backup made before they went that opens (found as `backup
/// restore` finds the newest: damaged, plain and other computers' backups
/// passed over). Not one removed in Watchword since that backup.
fn restore_missing(file: Option<std::path::PathBuf>, password_stdin: bool) -> Result<(), CliError> {
    // What there is to restore, and from where, before any password is
    // asked for.
    let (names, replaced, from) = {
        let store = open_store_finding_missing()?;
        if store.missing().is_empty() {
            return Err(CliError::NothingMissing);
        }
        let names: Vec<(String, String)> = store
            .missing()
            .iter()
            .map(|gone| (gone.issuer.clone(), gone.name.clone()))
            .collect();
        // Those listed again since with another key: restored all the
        // same (two accounts can share a name), and said of.
        let replaced: Vec<String> = store
            .missing()
            .iter()
            .filter(|gone| store.listed_again(gone))
            .filter_map(|gone| gone.key_check.clone())
            .collect();
        let from = match file {
            Some(file) => Source::File(file),
            None => match (store.missing_mark(), store.auto_backup_folder()) {
                (Some(mark), Some(folder)) if !store.backups_before_missing().is_empty() => {
                    Source::Folder {
                        folder,
                        mark,
                        own: store.auto_backup_tag(),
                    }
                }
                _ => return Err(CliError::NoBackupBeforeMissing),
            },
        };
        (names, replaced, from)
    };
    let password = password(password_stdin, false)?;
    let mut store = open_store()?;
    let mut restorable = match from {
        Source::File(file) => autobackup::read_backup(&file, &password)?,
        Source::Folder { folder, mark, own } => {
            autobackup::find_restorable_before(&folder, &password, own.as_deref(), mark)?
        }
    };
    let before = restorable.accounts.len();
    restorable.accounts.retain(|account| {
        names
            .iter()
            .any(|(issuer, name)| *issuer == account.issuer && *name == account.name)
    });
    if restorable.accounts.is_empty() {
        return Err(CliError::MissingNotInBackup {
            file: restorable.file,
        });
    }
    let others = before - restorable.accounts.len();
    if others > 0 {
        err!(
            "Left in the backup: {} not missing (removed in Watchword, or still here).",
            count(others, "account")
        );
    }
    let replaced: Vec<String> = restorable
        .accounts
        .iter()
        .filter(|account| replaced.contains(&account.key_check()))
        .map(|account| account.display_name())
        .collect();
    restore_from(&mut store, restorable)?;
    for name in replaced {
        err!(
            "{name} is listed again since it went, with another key. If its service gave you \
             that new key, the old one restored now no longer works, and can be removed."
        );
    }
    Ok(())
}

/// Where `backup restore --missing` reads from.
enum Source {
    /// The file given.
    File(std::path::PathBuf),
    /// The newest backup in `folder` at or before `mark` that opens,
    /// this installation's (tagged `own`) first.
    Folder {
        folder: std::path::PathBuf,
        mark: autobackup::BackupMark,
        own: Option<String>,
    },
}

/// Restores what `restorable` holds that is not stored, and says so.
fn restore_from(
    store: &mut watchword_core::Store,
    restorable: autobackup::Restorable,
) -> Result<(), CliError> {
    for skipped in &restorable.skipped {
        err!(
            "watchword-cli: skipped {}: {}",
            skipped.file.display(),
            skipped.reason
        );
    }
    let file = restorable.file.clone();
    let from = file.display().to_string();
    let read = restorable.accounts.len();
    let entry_errors = restorable.entry_errors;
    let result = store.restore(restorable);
    back_up_pending(store);
    let done = result.map_err(|(done, source)| CliError::ImportStopped {
        added: done.added,
        read_from: format!("{} from {from}", count(read, "account")),
        source,
    })?;
    err!(
        "Restored {} of {} from {from}{}{}{}.",
        done.added,
        count(read, "account"),
        if done.already_there > 0 {
            format!(
                "; {} already in Watchword",
                count(done.already_there, "was")
            )
        } else {
            String::new()
        },
        notes_cut(done.notes_cut),
        skipped_entries(entry_errors)
    );
    left_out(&file, entry_errors, (false, false))
}
