//! Automatic backups from the window: setting them up, where they stand,
//! and when they run. What a backup is (the vault, its check, which
//! versions stay, what a failure records) is the core store's policy; the
//! shell only decides when: once the user has stopped changing things for
//! [`QUIET`] (an import or a burst of renames writes one backup), again
//! after a failure once the folder is back (a USB stick plugged in again),
//! and before the app exits.

use crate::state::{blocking, lock, AppState, IpcError};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tauri::{AppHandle, Emitter, Manager};
use watchword_core::store::autobackup::{self as policy, AutoBackupStatus, BackupError};
use watchword_core::store::Store;
use watchword_core::strength::{self, Strength};
use watchword_core::ErrorCode;

/// How long the store must stay unchanged before a backup is written.
const QUIET: Duration = Duration::from_secs(2);
/// How often a missing folder is looked for after a failed backup (a
/// `stat`, nothing more while it is away).
const LOOK_EVERY: Duration = Duration::from_secs(10);
/// After a failure with the folder there (a full disk, say), the first
/// retry waits this long, and each further one twice as long as the last,
/// up to [`RETRY_AT_MOST`]: a backup costs two key derivations.
const RETRY_FIRST: Duration = Duration::from_secs(30);
const RETRY_AT_MOST: Duration = Duration::from_secs(600);

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl From<BackupError> for IpcError {
    fn from(err: BackupError) -> Self {
        IpcError::new(err.code(), sentence(&err.to_string()))
    }
}

/// The core's messages start in lower case, to follow a colon; the page
/// shows them as sentences.
fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
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
    /// The newest backup in the folder, for "Restore from backup…".
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
    /// When it was written (the file's modification time).
    at: u64,
}

/// `path` with the home folder shown as "~".
fn shown(path: &Path) -> String {
    match std::env::var_os("HOME").map(PathBuf::from) {
        Some(home) if home.is_absolute() => match path.strip_prefix(&home) {
            Ok(rest) if rest.as_os_str().is_empty() => "~".to_owned(),
            Ok(rest) => format!("~/{}", rest.display()),
            Err(_) => path.display().to_string(),
        },
        _ => path.display().to_string(),
    }
}

/// The backup "Restore the newest" offers: this installation's (tagged
/// `own`) newest, or the newest there.
fn newest_in(folder: &Path, own: Option<&str>) -> Option<NewestView> {
    let newest = policy::versions_newest_first(folder, own)
        .ok()?
        .into_iter()
        .next()?;
    let at = std::fs::metadata(&newest)
        .and_then(|info| info.modified())
        .ok()
        .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |since| since.as_secs());
    Some(NewestView {
        file: newest.file_name()?.to_string_lossy().into_owned(),
        at,
    })
}

fn view(status: AutoBackupStatus) -> StatusView {
    let folder = status.folder.as_deref();
    StatusView {
        enabled: status.enabled,
        folder: folder.map(shown),
        folder_path: folder.map(|f| f.display().to_string()),
        keep: status.keep,
        last_good: status.last_good,
        last_error: status.last_error.map(|failure| FailureView {
            at: failure.at,
            code: failure.code,
            message: sentence(&failure.message),
        }),
        versions: status.versions,
        pending: status.pending,
        newest: folder.and_then(|folder| newest_in(folder, status.tag.as_deref())),
    }
}

fn status_of(store: &mut Store) -> Result<StatusView, IpcError> {
    Ok(view(store.auto_backup_status()?))
}

/// Where automatic backups stand.
#[tauri::command]
pub async fn auto_backup_status(app: AppHandle) -> Result<StatusView, IpcError> {
    blocking(app, |_, state| state.with_store(status_of)).await
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
        let path = picked
            .into_path()
            .map_err(|_| IpcError::new(ErrorCode::Io, "That folder cannot be used for backups"))?;
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

/// Turns automatic backups on (or changes the folder, the number kept and
/// the password) and writes the first backup at once: nothing is saved
/// unless that backup was written and read back.
#[tauri::command]
pub async fn setup_auto_backup(
    app: AppHandle,
    folder: String,
    password: String,
    keep: u32,
) -> Result<StatusView, IpcError> {
    blocking(app, move |_, state| {
        let password = zeroize::Zeroizing::new(password);
        state.with_store(|store| {
            store.set_up_auto_backup(Path::new(&folder), keep, &password, now())?;
            status_of(store)
        })
    })
    .await
}

/// "Back up now" and "Try again": one backup, at once. A failure is in
/// the status returned, which the page shows.
#[tauri::command]
pub async fn auto_backup_now(app: AppHandle) -> Result<StatusView, IpcError> {
    blocking(app, |_, state| {
        state.with_store(|store| {
            let outcome = store.back_up_now(now());
            let status = status_of(store)?;
            match outcome {
                // A failure the store recorded shows in the status.
                Err(err) if status.last_error.is_none() => Err(err.into()),
                _ => Ok(status),
            }
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
            status_of(store)
        })
    })
    .await
}

/// The thread that writes backups, told of each change.
#[derive(Debug, Default)]
pub struct Runner {
    wake: std::sync::Mutex<Option<Sender<()>>>,
}

/// The store changed (a command of this window): a backup is due once
/// things are quiet. Cheap; the backups' thread decides.
pub fn changed(state: &AppState) {
    if let Ok(wake) = lock(&state.backups.wake) {
        if let Some(wake) = wake.as_ref() {
            // The thread gone means the app is exiting; [`flush`] takes over.
            let _ = wake.send(());
        }
    }
}

/// What the last attempt left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum After {
    /// Nothing is pending (or backups are off).
    Done,
    /// The folder is away: look for it now and then.
    FolderAway,
    /// It failed with the folder there: retry later, less and less often.
    Failed,
}

/// Writes the backup pending, if any, and tells the page.
fn run_pending(app: &AppHandle) -> After {
    let state = app.state::<AppState>();
    let outcome = state.with_store(|store| {
        // Locked: it waits for the unlock, which wakes this thread.
        if !store.backup_pending()
            || store.lock_state()? == watchword_core::store::LockState::Locked
        {
            return Ok(None);
        }
        // A failure is recorded in the store and shows in its status.
        // The backup reads every item again, and may find one gone behind
        // Watchword's back (`store::missing`): the page then looks again.
        let missing = store.missing().len();
        let _ = store.run_pending_backup(now());
        let found_gone = store.missing().len() > missing;
        status_of(store).map(|status| Some((status, found_gone)))
    });
    let status = match outcome {
        Ok(Some((status, found_gone))) => {
            if found_gone {
                let _ = app.emit("accounts-changed", ());
            }
            status
        }
        Ok(None) => return After::Done,
        // The store could not be asked (the keychain locked, another
        // process holding the lock): try again later.
        Err(_) => return After::Failed,
    };
    let after = match &status.last_error {
        None if !status.pending => After::Done,
        _ if status
            .folder_path
            .as_deref()
            .is_some_and(|folder| !Path::new(folder).is_dir()) =>
        {
            After::FolderAway
        }
        _ => After::Failed,
    };
    let _ = app.emit("autobackup-status", &status);
    after
}

/// Whether the backup folder is there (for a retry after a failure).
fn folder_back(app: &AppHandle) -> bool {
    app.state::<AppState>()
        .with_store(|store| Ok(store.auto_backup_folder()))
        .ok()
        .flatten()
        .is_some_and(|folder| folder.is_dir())
}

/// Starts the backups' thread. A backup left pending by an earlier run
/// (the app or the CLI stopped before writing it) is written first.
pub fn start(app: AppHandle) {
    let (wake, woken) = mpsc::channel::<()>();
    if let Ok(mut slot) = lock(&app.state::<AppState>().backups.wake) {
        *slot = Some(wake);
    }
    std::thread::Builder::new()
        .name("auto-backup".into())
        .spawn(move || {
            let mut after = run_pending(&app);
            let mut retry = RETRY_FIRST;
            loop {
                let waited = match after {
                    After::Done => woken.recv().map_err(|_| RecvTimeoutError::Disconnected),
                    After::FolderAway => woken.recv_timeout(LOOK_EVERY),
                    After::Failed => woken.recv_timeout(retry),
                };
                match waited {
                    // A change: wait until changes stop for a moment.
                    Ok(()) => while woken.recv_timeout(QUIET).is_ok() {},
                    Err(RecvTimeoutError::Timeout) => {
                        if after == After::FolderAway && !folder_back(&app) {
                            continue;
                        }
                    }
                    Err(RecvTimeoutError::Disconnected) => return,
                }
                let before = after;
                after = run_pending(&app);
                retry = match (before, after) {
                    (After::Failed, After::Failed) => (retry * 2).min(RETRY_AT_MOST),
                    _ => RETRY_FIRST,
                };
            }
        })
        .expect("the OS starts a thread");
}

/// Before the app exits: the backup still waiting for a quiet moment is
/// written now, so no change is left out of the backups.
pub fn flush(app: &AppHandle) {
    run_pending(app);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_become_sentences() {
        assert_eq!(
            sentence("the backup folder is gone"),
            "The backup folder is gone"
        );
        assert_eq!(sentence(""), "");
    }
}
