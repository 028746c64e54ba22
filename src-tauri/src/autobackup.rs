//! Automatic backups from the window: setting them up, where they stand,
//! and when they run. What a backup is (the vault, its checks, which
//! versions stay) is the core store's policy; the shell only decides when:
//! after a change, once the user has stopped changing things for
//! [`QUIET`], so an import or a burst of renames writes one backup; again
//! every [`RETRY_EVERY`] while the last one failed and the folder is back
//! (a USB stick plugged in again); and before the app exits.

use crate::state::{blocking, lock, AppState, IpcError};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tauri::{AppHandle, Emitter, Manager};
use watchword_core::store::{AutoBackupStatus, Store};
use watchword_core::strength::{self, Strength};
use watchword_core::ErrorCode;

/// How long the store must stay unchanged before a backup is written.
const QUIET: Duration = Duration::from_secs(2);
/// How often a failed backup is tried again, if its folder is there.
const RETRY_EVERY: Duration = Duration::from_secs(30);

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Where automatic backups stand, for the page.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusView {
    enabled: bool,
    /// The folder as people read it ("~/Sync/watchword").
    folder: Option<String>,
    /// The folder's full path, for the setup dialog.
    folder_path: Option<String>,
    keep: u32,
    last_good: Option<u64>,
    last_error: Option<FailureView>,
    versions: usize,
    pending: bool,
    newest: Option<NewestView>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct FailureView {
    at: u64,
    code: String,
    message: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct NewestView {
    file: String,
    at: u64,
}

/// `path` with the home folder shown as "~".
fn shown(path: &Path) -> String {
    match std::env::var_os("HOME").map(PathBuf::from) {
        Some(home) if !home.as_os_str().is_empty() => match path.strip_prefix(&home) {
            Ok(rest) if rest.as_os_str().is_empty() => "~".to_owned(),
            Ok(rest) => format!("~/{}", rest.display()),
            Err(_) => path.display().to_string(),
        },
        _ => path.display().to_string(),
    }
}

fn view(status: AutoBackupStatus) -> StatusView {
    let Some(on) = status else {
        return StatusView {
            enabled: false,
            folder: None,
            folder_path: None,
            keep: watchword_core::store::DEFAULT_KEEP,
            last_good: None,
            last_error: None,
            versions: 0,
            pending: false,
            newest: None,
        };
    };
    StatusView {
        enabled: true,
        folder: Some(shown(&on.folder)),
        folder_path: Some(on.folder.display().to_string()),
        keep: on.keep,
        last_good: on.last_good,
        last_error: on.last_error.map(|failure| FailureView {
            at: failure.at,
            code: failure.code,
            message: failure.message,
        }),
        versions: on.versions,
        pending: on.pending,
        newest: on.newest.map(|newest| NewestView {
            file: newest.file_name,
            at: newest.at,
        }),
    }
}

fn status_of(store: &mut Store) -> StatusView {
    view(store.auto_backup_status())
}

/// Where automatic backups stand.
#[tauri::command]
pub async fn auto_backup_status(app: AppHandle) -> Result<StatusView, IpcError> {
    blocking(app, |_, state| state.with_store_quietly(|store| Ok(status_of(store)))).await
}

/// A native folder chooser; `None` when the user cancels.
#[tauri::command]
pub async fn pick_backup_folder(app: AppHandle) -> Result<Option<String>, IpcError> {
    use tauri_plugin_dialog::DialogExt;
    blocking(app, |app, _| {
        let Some(picked) = app
            .dialog()
            .file()
            .set_title("Choose a folder for backups")
            .blocking_pick_folder()
        else {
            return Ok(None);
        };
        let path = picked.into_path().map_err(|_| {
            IpcError::new(ErrorCode::Io, "That folder cannot be used for backups")
        })?;
        Ok(Some(path.display().to_string()))
    })
    .await
}

/// How hard the typed backup password is to guess. The password is the
/// user's own typing, already in the page; it is not kept.
#[tauri::command]
pub fn password_strength(password: String) -> Strength {
    let password = zeroize::Zeroizing::new(password);
    strength::rate(&password, &[])
}

/// Turns automatic backups on (or changes the folder, the number kept or,
/// when given, the password) and writes the first backup at once.
#[tauri::command]
pub async fn setup_auto_backup(
    app: AppHandle,
    folder: String,
    password: Option<String>,
    keep: u32,
) -> Result<StatusView, IpcError> {
    blocking(app, move |_, state| {
        let password = password.map(zeroize::Zeroizing::new);
        state.with_store(|store| {
            store.set_up_auto_backup(
                Path::new(&folder),
                password.as_deref().map(String::as_str),
                keep,
                now(),
            )?;
            Ok(status_of(store))
        })
    })
    .await
}

/// "Back up now" and "Try again": one backup, at once.
#[tauri::command]
pub async fn auto_backup_now(app: AppHandle) -> Result<StatusView, IpcError> {
    blocking(app, |_, state| {
        state.with_store_quietly(|store| {
            // A failure is recorded in the status, which the page shows.
            let _ = store.back_up_now(now());
            Ok(status_of(store))
        })
    })
    .await
}

/// Turns automatic backups off; the backups written stay where they are.
#[tauri::command]
pub async fn auto_backup_off(app: AppHandle) -> Result<StatusView, IpcError> {
    blocking(app, |_, state| {
        state.with_store(|store| {
            store.turn_off_auto_backup()?;
            Ok(status_of(store))
        })
    })
    .await
}

/// The thread that writes backups, told of each change.
#[derive(Debug, Default)]
pub struct Runner {
    wake: std::sync::Mutex<Option<Sender<()>>>,
}

/// Something changed in the store: a backup is due once things are quiet.
pub fn changed(state: &AppState) {
    if let Ok(wake) = lock(&state.backups.wake) {
        if let Some(wake) = wake.as_ref() {
            // The runner gone means the app is exiting; [`flush`] takes over.
            let _ = wake.send(());
        }
    }
}

/// Runs the backup a change made due, if any, and tells the page.
fn run_pending(app: &AppHandle) -> Option<StatusView> {
    let state = app.state::<AppState>();
    let outcome = state.with_store_quietly(|store| {
        if !store.auto_backup_due() {
            return Ok(None);
        }
        // A failure is recorded in the status, which the page shows.
        let _ = store.run_pending_backup(now());
        Ok(Some(status_of(store)))
    });
    let status = outcome.ok().flatten()?;
    let _ = app.emit("autobackup-status", &status);
    Some(status)
}

/// Whether the last backup failed and its folder is there again.
fn worth_retrying(app: &AppHandle) -> bool {
    let state = app.state::<AppState>();
    state
        .with_store_quietly(|store| {
            Ok(match store.auto_backup_status() {
                Some(on) => on.last_error.is_some() && on.folder.is_dir(),
                None => false,
            })
        })
        .unwrap_or(false)
}

/// Starts the runner: a backup left due by an earlier run (the app or the
/// CLI killed before writing it) is written first.
pub fn start(app: AppHandle) {
    let (wake, woken) = mpsc::channel::<()>();
    if let Ok(mut slot) = lock(&app.state::<AppState>().backups.wake) {
        *slot = Some(wake);
    }
    std::thread::Builder::new()
        .name("auto-backup".into())
        .spawn(move || {
            let mut failing = run_pending(&app).is_some_and(|s| s.last_error.is_some());
            loop {
                let waited = if failing {
                    woken.recv_timeout(RETRY_EVERY)
                } else {
                    woken.recv().map_err(|_| RecvTimeoutError::Disconnected)
                };
                match waited {
                    Ok(()) => {
                        // Wait for the burst to end.
                        while woken.recv_timeout(QUIET).is_ok() {}
                    }
                    Err(RecvTimeoutError::Timeout) => {
                        if !worth_retrying(&app) {
                            continue;
                        }
                    }
                    Err(RecvTimeoutError::Disconnected) => return,
                }
                if let Some(status) = run_pending(&app) {
                    failing = status.last_error.is_some();
                }
            }
        })
        .expect("the OS starts a thread");
}

/// Before the app exits: the backup still waiting for a quiet moment is
/// written now, so no change is left out of the backups.
pub fn flush(app: &AppHandle) {
    run_pending(app);
}
