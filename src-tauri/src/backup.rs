//! Moving out: an encrypted backup file (Aegis's vault format), a plain
//! otpauth URI list or a printable recovery sheet (PDF) after a warning, and
//! Google Authenticator export codes drawn for a phone to scan. Also whether
//! a backup is due.
//!
//! These are the only commands that send secrets to the page (the export
//! codes), and only when the user asks for them.

use crate::state::{blocking, AppState, IpcError};
use serde::{Deserialize, Serialize};
use std::time::{SystemTime, UNIX_EPOCH};
use tauri::{AppHandle, Emitter};
use watchword_core::export;
use watchword_core::qr::{self, EncodedQr};
use watchword_core::store::{BackupStatus, LockState};
use watchword_core::ErrorCode;

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Whether accounts were added since the last backup.
#[tauri::command]
pub async fn backup_status(app: AppHandle) -> Result<BackupStatus, IpcError> {
    blocking(app, |_, state| {
        state.with_store(|store| Ok(store.backup_status()))
    })
    .await
}

/// Which file to write.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum FileKind {
    /// An encrypted Aegis vault.
    Aegis,
    /// otpauth URIs, one a line, not encrypted.
    Uris,
    /// The recovery sheet to print (PDF), not encrypted.
    Sheet,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedView {
    /// Where the file went, for the notice.
    path: String,
    accounts: usize,
    /// Accounts the keychain cannot read now (damaged, or written by a
    /// newer Watchword), so not in the file: the user keeps an older
    /// backup that holds them.
    left_out: Vec<String>,
    /// Notes the file has no place for (a plain list, the sheet).
    notes_left_out: usize,
}

/// "YYYY-MM-DD" of a Unix time (UTC), for the suggested file name.
fn date(unix: u64) -> String {
    // Howard Hinnant's days-to-civil algorithm.
    let days = (unix / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Every account, read afresh from the keychain as an export must. An item
/// found gone or new meanwhile (another tool, another process) changes the
/// list, and the page is told to look again: the rows, and the bar naming
/// an account that left the keychain, follow at once.
fn all_accounts(
    app: &AppHandle,
    store: &mut watchword_core::Store,
) -> Result<Vec<watchword_core::account::Account>, IpcError> {
    let ids = |store: &watchword_core::Store| -> Vec<String> {
        store.summaries().into_iter().map(|s| s.id).collect()
    };
    let before = (ids(store), store.missing().len());
    let accounts = store.all_accounts()?;
    if (ids(store), store.missing().len()) != before {
        let _ = app.emit("accounts-changed", ());
    }
    Ok(accounts)
}

/// Asks where to save, then writes every account there: an encrypted
/// vault (`password` required), a plain URI list, or the recovery sheet on
/// `paper` (A4 when not given). Only the file picked is written (through a
/// temporary file beside it, renamed over it). `None` when the user
/// cancels the dialog. A file written counts as a backup.
#[tauri::command]
pub async fn save_backup(
    app: AppHandle,
    kind: FileKind,
    password: Option<String>,
    paper: Option<export::Paper>,
) -> Result<Option<SavedView>, IpcError> {
    use tauri_plugin_dialog::DialogExt;
    blocking(app, move |app, state| {
        let password = zeroize::Zeroizing::new(password.unwrap_or_default());
        if kind == FileKind::Aegis && password.is_empty() {
            return Err(IpcError::new(
                ErrorCode::EmptyPassword,
                "Choose a password for the encrypted backup",
            ));
        }
        // Nothing is held while the save dialog is open: it may outlast the
        // automatic lock, and the keys must not outlive it in memory nor be
        // written after it. Checked here only so that a locked or empty list
        // opens no dialog (the lock's record and the list; every item only
        // when the list is empty, as another process may have added some);
        // read in full, and refused if locked by then, once a place is
        // picked.
        let no_accounts =
            || IpcError::new(ErrorCode::NoAccounts, "There are no accounts to export");
        let empty = state.with_store(|store| {
            if store.lock_state()? == LockState::Locked {
                return Err(watchword_core::Error::VaultLocked.into());
            }
            Ok(store.summaries().is_empty() && all_accounts(app, store)?.is_empty())
        })?;
        if empty {
            return Err(no_accounts());
        }
        let (name, filter, title) = match kind {
            FileKind::Aegis => (
                format!("watchword-backup-{}.json", date(now())),
                "json",
                "Save the backup",
            ),
            FileKind::Uris => (
                format!("watchword-accounts-{}.txt", date(now())),
                "txt",
                "Save the backup",
            ),
            FileKind::Sheet => (
                format!("watchword-recovery-sheet-{}.pdf", date(now())),
                "pdf",
                "Save the recovery sheet",
            ),
        };
        let Some(picked) = app
            .dialog()
            .file()
            .set_title(title)
            .set_file_name(&name)
            .add_filter(filter, &[filter])
            .blocking_save_file()
        else {
            return Ok(None);
        };
        let path = picked
            .into_path()
            .map_err(|_| IpcError::new(ErrorCode::Io, "That place cannot be written to"))?;
        // The lock's count read with the accounts (under the store, where
        // a lock counts): a lock while the file is made stops it.
        let (accounts, left_out, locks) = state.with_store(|store| {
            Ok((
                all_accounts(app, store)?,
                store.unreadable(),
                locks_now(state),
            ))
        })?;
        if accounts.is_empty() {
            return Err(no_accounts());
        }
        // Slow on purpose (scrypt): this runs on a worker thread.
        let failed = |e: export::ExportError| IpcError::new(e.code(), e.to_string());
        let bytes = match kind {
            FileKind::Aegis => zeroize::Zeroizing::new(
                export::aegis_encrypted(&accounts, &password)
                    .map_err(failed)?
                    .into_bytes(),
            ),
            FileKind::Uris => zeroize::Zeroizing::new(export::uri_list(&accounts).into_bytes()),
            FileKind::Sheet => {
                export::recovery_sheet(&accounts, SystemTime::now(), paper.unwrap_or_default())
                    .map_err(failed)?
            }
        };
        if locks_now(state) != locks {
            return Err(locked_meanwhile());
        }
        export::save_bytes(&path, &bytes).map_err(|e| {
            IpcError::new(
                ErrorCode::Io,
                format!("Cannot write {}: {e}", path.display()),
            )
        })?;
        state.with_store(|store| Ok(store.record_backup(now())?))?;
        Ok(Some(SavedView {
            path: path.display().to_string(),
            accounts: accounts.len(),
            left_out,
            notes_left_out: match kind {
                FileKind::Uris | FileKind::Sheet => export::notes_left_out(&accounts),
                FileKind::Aegis => 0,
            },
        }))
    })
    .await
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GoogleView {
    /// One QR code per export part, to scan in order.
    codes: Vec<EncodedQr>,
    /// Accounts the format cannot carry, each with the reason.
    left_out: Vec<String>,
    /// Accounts in the codes.
    accounts: usize,
}

/// Google Authenticator export codes of every account the format can
/// carry, drawn for the page to show. Holds the secrets: only on request.
#[tauri::command]
pub async fn google_export(app: AppHandle) -> Result<GoogleView, IpcError> {
    blocking(app, |app, state| {
        let (accounts, locks) =
            state.with_store(|store| Ok((all_accounts(app, store)?, locks_now(state))))?;
        let (fit, left_out) = export::google_exportable(&accounts);
        let mut left_out: Vec<String> = left_out.iter().map(ToString::to_string).collect();
        if fit.is_empty() {
            return Err(IpcError::new(
                ErrorCode::NotForGoogle,
                if accounts.is_empty() {
                    "There are no accounts to export".to_owned()
                } else {
                    format!(
                        "None of your accounts can be moved to Google Authenticator: {}",
                        left_out.join("; ")
                    )
                },
            ));
        }
        let uris = zeroize::Zeroizing::new(
            export::google_migration(&fit).map_err(|e| IpcError::new(e.code(), e.to_string()))?,
        );
        // Notes often hold recovery codes: their absence is said, as the
        // plain list's is.
        match export::notes_left_out(&fit) {
            0 => {}
            notes => {
                left_out.push(format!(
                "{} (Google Authenticator has no place for notes; the encrypted backup keeps them)",
                if notes == 1 { "1 note".to_owned() } else { format!("{notes} notes") }
            ))
            }
        }
        let codes = uris
            .iter()
            .map(|uri| {
                qr::encode(uri).ok_or_else(|| {
                    IpcError::new(ErrorCode::Internal, "An export code is too long to draw")
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if locks_now(state) != locks {
            return Err(locked_meanwhile());
        }
        Ok(GoogleView {
            codes,
            left_out,
            accounts: fit.len(),
        })
    })
    .await
}

/// How many times Watchword has locked ([`AppState::locks`]).
fn locks_now(state: &AppState) -> u64 {
    state.locks.load(std::sync::atomic::Ordering::SeqCst)
}

/// An export the lock came in the middle of: nothing of it goes out.
fn locked_meanwhile() -> IpcError {
    IpcError::new(
        ErrorCode::VaultLocked,
        "Watchword locked while the export was being made: nothing was written",
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_are_civil_utc() {
        assert_eq!(super::date(0), "1970-01-01");
        assert_eq!(super::date(951_782_400), "2000-02-29");
        assert_eq!(super::date(1_700_000_000), "2023-11-14");
        assert_eq!(super::date(1_795_000_000), "2026-11-18");
    }
}
