//! Accounts that left the keychain without Watchword removing them (see
//! `watchword_core::store::missing`): the window names them, offers the
//! backup from before they went, and lets the user forget them. Names
//! only, never a key; and nothing while the lock is locked.

use crate::enrol::refuse_while_locked;
use crate::state::{blocking, IpcError};
use serde::Serialize;
use tauri::AppHandle;

/// One missing account as the window names it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MissingView {
    issuer: String,
    name: String,
    /// Unix time it was found gone.
    since: u64,
    /// An account of the same name is listed again with another key.
    listed_again: bool,
}

/// What the window's bar shows.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MissingList {
    accounts: Vec<MissingView>,
    /// The file name of the newest automatic backup made before they went
    /// (the one "Restore" opens), if there is one.
    backup: Option<String>,
}

/// The accounts that left the keychain behind Watchword's back.
#[tauri::command]
pub async fn missing_accounts(app: AppHandle) -> Result<MissingList, IpcError> {
    blocking(app, |_, state| {
        refuse_while_locked(state)?;
        state.with_store(|store| {
            let accounts = store
                .missing()
                .iter()
                .map(|m| MissingView {
                    issuer: m.issuer.clone(),
                    name: m.name.clone(),
                    since: m.since,
                    listed_again: store.listed_again(m),
                })
                .collect();
            let backup = store.backups_before_missing().first().and_then(|path| {
                path.file_name()
                    .map(|name| name.to_string_lossy().into_owned())
            });
            Ok(MissingList { accounts, backup })
        })
    })
    .await
}

/// Forgets those found gone by `found_by` (the newest `since` the bar
/// showed: one found since, which the user has not seen, stays), so that
/// older backups can be pruned again. How many went.
#[tauri::command]
pub async fn forget_missing(app: AppHandle, found_by: u64) -> Result<usize, IpcError> {
    blocking(app, move |_, state| {
        state.with_store(|store| Ok(store.forget_missing(Some(found_by))?.len()))
    })
    .await
}
