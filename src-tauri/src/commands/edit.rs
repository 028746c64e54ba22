//! Adding, removing and arranging accounts; their names, notes and groups.

use super::{parse_id, summary_of};
use crate::state::{blocking, lock, IpcError};
use serde::Serialize;
use tauri::AppHandle;
use watchword_core::account::{Account, Group, Note, OtpKind};
use watchword_core::manual::ManualEntry;
use watchword_core::store::AccountSummary;
use watchword_core::ErrorCode;

/// What the page may see of an account before it is added: everything but
/// the key.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewView {
    issuer: String,
    name: String,
    kind: &'static str,
    algorithm: &'static str,
    digits: u8,
    period: Option<u32>,
    counter: Option<u64>,
    /// Already in the store (same key and issuer).
    duplicate: bool,
    /// The groups it comes in (from another app's backup).
    groups: Vec<String>,
    /// Whether it comes with a note; the note itself stays in Rust.
    has_note: bool,
}

impl PreviewView {
    pub fn of(account: &Account, duplicate: bool) -> Self {
        Self {
            issuer: account.issuer.clone(),
            name: account.name.clone(),
            kind: account.kind.name(),
            algorithm: account.algorithm.as_str(),
            digits: account.digits,
            period: account.kind.period(),
            counter: match account.kind {
                OtpKind::Hotp { counter } => Some(counter),
                _ => None,
            },
            duplicate,
            groups: account
                .groups
                .iter()
                .map(|g| g.as_str().to_owned())
                .collect(),
            has_note: account.note.is_some(),
        }
    }
}

/// Validates the add form as the user types; says what would be added.
#[tauri::command]
pub async fn preview_account(app: AppHandle, entry: ManualEntry) -> Result<PreviewView, IpcError> {
    blocking(app, move |_, state| {
        // Locked: nothing of what was typed is parsed or shown. (A keychain
        // that cannot say must not block typing; the add reports it.)
        let locked = state.with_store(|store| Ok(store.lock_state()?));
        if matches!(locked, Ok(watchword_core::store::LockState::Locked)) {
            return Err(crate::enrol::locked());
        }
        let account = entry.to_account()?;
        // A keychain problem must not block typing; the add itself reports it.
        let duplicate = state
            .with_store(|store| Ok(store.contains(&account)?))
            .unwrap_or(false);
        Ok(PreviewView::of(&account, duplicate))
    })
    .await
}

/// Stores a new account from the add form.
#[tauri::command]
pub async fn add_account(app: AppHandle, entry: ManualEntry) -> Result<AccountSummary, IpcError> {
    blocking(app, move |_, state| {
        let account = entry.to_account()?;
        state.with_store(|store| {
            let id = store.add(account)?;
            crate::autobackup::changed(state);
            store
                .summaries()
                .into_iter()
                .find(|s| s.id == id.as_str())
                .ok_or_else(|| {
                    IpcError::new(
                        ErrorCode::Internal,
                        "The new account is missing from the list",
                    )
                })
        })
    })
    .await
}

/// Deletes an account from the keychain and the list.
#[tauri::command]
pub async fn remove_account(app: AppHandle, id: String) -> Result<(), IpcError> {
    blocking(app, move |_, state| {
        let account_id = parse_id(&id)?;
        state.with_store(|store| Ok(store.remove(&account_id)?))?;
        crate::autobackup::changed(state);
        lock(&state.hotp_codes)?.remove(&id);
        Ok(())
    })
    .await
}

/// Pins an account to the top of the list, or unpins it.
#[tauri::command]
pub async fn set_pinned(app: AppHandle, id: String, pinned: bool) -> Result<(), IpcError> {
    blocking(app, move |_, state| {
        let id = parse_id(&id)?;
        state.with_store(|store| Ok(store.set_pinned(&id, pinned)?))
    })
    .await
}

/// Saves the order the user arranged the list in.
#[tauri::command]
pub async fn reorder_accounts(app: AppHandle, ids: Vec<String>) -> Result<(), IpcError> {
    blocking(app, move |_, state| {
        let ids = ids
            .iter()
            .map(|id| parse_id(id))
            .collect::<Result<Vec<_>, _>>()?;
        state.with_store(|store| Ok(store.reorder(&ids)?))
    })
    .await
}

/// Changes an account's issuer, its name or both; `None` keeps what the
/// keychain holds (another process may have changed it since the page
/// showed it).
#[tauri::command]
pub async fn rename_account(
    app: AppHandle,
    id: String,
    issuer: Option<String>,
    name: Option<String>,
) -> Result<AccountSummary, IpcError> {
    blocking(app, move |_, state| {
        let account_id = parse_id(&id)?;
        state.with_store(|store| {
            store.rename_parts(&account_id, issuer.as_deref(), name.as_deref())?;
            crate::autobackup::changed(state);
            summary_of(store, &id)
        })
    })
    .await
}

/// An account's note, read from its keychain item now. Notes may hold
/// recovery codes: the page asks for it only when the user says to show it,
/// and forgets it when the dialog closes.
#[tauri::command]
pub async fn reveal_note(app: AppHandle, id: String) -> Result<String, IpcError> {
    blocking(app, move |_, state| {
        let id = parse_id(&id)?;
        state.with_store(|store| {
            Ok(store
                .note(&id)?
                .map(|note| note.expose().to_owned())
                .unwrap_or_default())
        })
    })
    .await
}

/// Sets an account's note; an empty one (or only spaces) removes it.
/// `before` is the note as the dialog showed it (empty: none): if another
/// process changed it meanwhile, nothing is overwritten.
#[tauri::command]
pub async fn set_note(
    app: AppHandle,
    id: String,
    before: String,
    text: String,
) -> Result<AccountSummary, IpcError> {
    let before = zeroize::Zeroizing::new(before);
    let text = zeroize::Zeroizing::new(text);
    blocking(app, move |_, state| {
        let account_id = parse_id(&id)?;
        let note = Note::new(&text).map_err(watchword_core::Error::from)?;
        state.with_store(|store| {
            store.change_note(&account_id, &before, note)?;
            crate::autobackup::changed(state);
            summary_of(store, &id)
        })
    })
    .await
}

/// Puts an account in the groups `add` and takes it out of `remove`,
/// leaving its other groups as they are now (another process may have
/// changed them while the dialog was open).
#[tauri::command]
pub async fn change_groups(
    app: AppHandle,
    id: String,
    add: Vec<String>,
    remove: Vec<String>,
) -> Result<AccountSummary, IpcError> {
    blocking(app, move |_, state| {
        let account_id = parse_id(&id)?;
        let checked = |names: &[String]| {
            names
                .iter()
                .map(|name| Group::new(name))
                .collect::<Result<Vec<_>, _>>()
                .map_err(watchword_core::Error::from)
        };
        let (add, remove) = (checked(&add)?, checked(&remove)?);
        state.with_store(|store| {
            store.change_groups(&account_id, |mut groups| {
                groups.retain(|g| !remove.contains(g));
                groups.extend(add);
                groups
            })?;
            crate::autobackup::changed(state);
            summary_of(store, &id)
        })
    })
    .await
}
