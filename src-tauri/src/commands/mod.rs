//! The commands the web UI calls (through ui/ipc.js). Each deserialises its
//! input, calls the core on a worker thread and returns a small DTO. Secrets
//! never leave Rust; codes do.
//!
//! By concern: codes and copying (codes.rs), adding and arranging
//! accounts (edit.rs), settings (settings.rs), a key shown on request
//! (reveal.rs). Each command is registered by its own module path (main.rs):
//! Tauri finds a command's handler next to its definition.

use crate::state::{blocking, IpcError};
use codes::codes_of;
use serde::Serialize;
use std::time::{SystemTime, UNIX_EPOCH};
use tauri::AppHandle;
use watchword_core::account::AccountId;
use watchword_core::store::{AccountSummary, LoadReport, LockState, Settings, Store};
use watchword_core::ErrorCode;

pub(crate) mod codes;
pub(crate) mod edit;
pub(crate) mod reveal;
pub(crate) mod settings;

pub use codes::{copy_account, CodeView};
pub use edit::PreviewView;
pub use settings::{protect_windows, windows_protected};

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Now, by the user's clock offset (for a clock that is wrong and cannot
/// be fixed).
fn clock(store: &Store) -> u64 {
    now().saturating_add_signed(store.settings().time_offset)
}

fn parse_id(id: &str) -> Result<AccountId, IpcError> {
    AccountId::parse(id)
        .ok_or_else(|| IpcError::new(ErrorCode::NotFound, format!("no account with id {id}")))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadView {
    accounts: Vec<AccountSummary>,
    damaged: Vec<String>,
    recovered: usize,
    /// The metadata file was damaged: set aside, and the list rebuilt from
    /// the keychain (order, groups and settings as new).
    list_rebuilt: bool,
    /// Automatic backups' settings went with it (their password is still
    /// in the keychain): they have stopped. Said with the damage only.
    backups_lost: bool,
}

/// Everything the page shows first, in one call: the settings, the list as
/// the keychain has it, and the codes. The keychain read began as the app
/// started; this waits for it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StartView {
    settings: Settings,
    /// Where the lock stands, so that the page knows it even if the
    /// fuller `lock_status` that follows fails.
    lock: LockState,
    #[serde(flatten)]
    load: LoadView,
    codes: Vec<CodeView>,
}

#[tauri::command]
pub async fn start_view(app: AppHandle) -> Result<StartView, IpcError> {
    blocking(app, |_, state| {
        let view = state.with_store(|store| {
            let LoadReport {
                damaged,
                recovered,
                metadata_was_damaged,
                ..
            } = state.load_for_view(store)?;
            // As the keychain says now (one item): the read above may be
            // the one begun at start, and a key held may be one the lock,
            // turned off since by another process, no longer names.
            let lock = store.lock_state()?;
            if lock == LockState::Locked {
                return Ok(None);
            }
            Ok(Some(StartView {
                settings: store.settings().clone(),
                lock,
                load: LoadView {
                    accounts: store.summaries(),
                    damaged: damaged.into_iter().map(|(_, reason)| reason).collect(),
                    recovered,
                    list_rebuilt: metadata_was_damaged,
                    // Only when this read found the damage: a choice not
                    // to set them up again is not said at every start.
                    backups_lost: metadata_was_damaged && store.auto_backup_settings_lost(),
                },
                codes: codes_of(store)?,
            }))
        })?;
        // Turned on by another process since that read: what was read
        // goes, and the page shows the unlock screen.
        view.map_or_else(
            || {
                crate::lock::lock_state(state)?;
                Err(watchword_core::Error::VaultLocked.into())
            },
            Ok,
        )
    })
    .await
}

/// The list as last saved: instant, before the keychain answers.
#[tauri::command]
pub async fn list_accounts(app: AppHandle) -> Result<Vec<AccountSummary>, IpcError> {
    blocking(app, |_, state| {
        state.with_store(|store| {
            // Locked, the names reach only the unlock screen, and only by
            // the user's choice (`locked_names`).
            if store.lock_state()? == LockState::Locked {
                return Err(watchword_core::Error::VaultLocked.into());
            }
            Ok(store.summaries())
        })
    })
    .await
}

/// The summary of account `id` as the store has it now.
fn summary_of(store: &Store, id: &str) -> Result<AccountSummary, IpcError> {
    store
        .summaries()
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| IpcError::new(ErrorCode::NotFound, format!("no account with id {id}")))
}
