//! Codes: every time-based account's, an HOTP account's next, and copying
//! one to the clipboard.

use super::{clock, now, parse_id};
use crate::state::{blocking, lock, AppState, IpcError, ShownHotp};
use serde::Serialize;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tauri::{AppHandle, Emitter};
use watchword_core::account::{AccountId, OtpKind};
use watchword_core::store::Store;
use watchword_core::Code;
use watchword_core::ErrorCode;
use zeroize::Zeroizing;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeView {
    id: String,
    #[serde(flatten)]
    code: Code,
}

/// Current and next codes of every time-based account.
pub(super) fn codes_of(store: &mut Store) -> Result<Vec<CodeView>, IpcError> {
    let now = clock(store);
    let mut codes = Vec::new();
    for summary in store.summaries() {
        let id = parse_id(&summary.id)?;
        // Damaged items have no code; the list says so separately.
        match store.account(&id) {
            Ok(account) if !matches!(account.kind, OtpKind::Hotp { .. }) => {}
            _ => continue,
        }
        codes.push(CodeView {
            id: summary.id,
            code: store.code(&id, now)?,
        });
    }
    Ok(codes)
}

/// Current and next codes of every time-based account.
#[tauri::command]
pub async fn get_codes(app: AppHandle) -> Result<Vec<CodeView>, IpcError> {
    blocking(app, |_, state| state.with_store(codes_of)).await
}

/// Advances an HOTP account's counter (saved first) and returns its code.
#[tauri::command]
pub async fn generate_hotp(app: AppHandle, id: String) -> Result<CodeView, IpcError> {
    blocking(app, move |_, state| {
        let account_id = parse_id(&id)?;
        // Kept under the store's lock: a lock that comes after it clears
        // it, one that comes before refuses the code.
        let code = state.with_store(|store| next_hotp(state, store, &account_id))?;
        crate::autobackup::changed(state);
        Ok(CodeView { id, code })
    })
    .await
}

/// Generates `id`'s next HOTP code and keeps it as the one shown, with
/// the counter the keychain holds after it. Under the store's lock.
fn next_hotp(state: &AppState, store: &mut Store, id: &AccountId) -> Result<Code, IpcError> {
    let (code, stored) = store.next_code_stored(id, now())?;
    if let Some(stored) = stored {
        let shown = ShownHotp {
            code: code.current.clone(),
            stored,
        };
        lock(&state.hotp_codes)?.insert(id.to_string(), shown);
    }
    Ok(code)
}

/// What [`shown_hotp`] finds.
enum Shown {
    /// The code shown, and no code came after it.
    Current(String),
    /// None was shown.
    None,
    /// One was, and a later code was made since (it is forgotten).
    Overtaken,
}

/// The HOTP code shown for `id`, if no code came after it: another
/// process (`watchword-cli code`, a second window) may have moved the
/// counter on since, and the code shown is then most likely used, and
/// refused by the site.
fn shown_hotp(state: &AppState, store: &mut Store, id: &AccountId) -> Result<Shown, IpcError> {
    let Some(shown) = lock(&state.hotp_codes)?.get(id.as_str()).cloned() else {
        return Ok(Shown::None);
    };
    match store.current_account(id)?.kind {
        OtpKind::Hotp { counter } if counter == shown.stored => Ok(Shown::Current(shown.code)),
        _ => {
            lock(&state.hotp_codes)?.remove(id.as_str());
            Ok(Shown::Overtaken)
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CopyView {
    /// Seconds until the clipboard is cleared; `None` when it is not.
    clears_in: Option<u32>,
    /// The current code was about to expire: the next one was copied.
    next: bool,
}

/// Copies an account's current code to the clipboard. An HOTP account
/// with no code shown gets one with `generate` (the palette, as the tray:
/// the code goes to the clipboard and the main window, never to the
/// caller); without it, that is `no_code`.
#[tauri::command]
pub async fn copy_code(
    app: AppHandle,
    id: String,
    generate: Option<bool>,
) -> Result<CopyView, IpcError> {
    let generate = generate.unwrap_or(false);
    blocking(app, move |app, state| {
        copy_account(app, state, &id, generate)
    })
    .await
}

/// Copies an account's code (the next one in the last seconds of the
/// current one), to be cleared as the settings say, and remembers the
/// account as used (the tray lists those). An HOTP account copies the code
/// shown; with none shown, `generate` makes one (the tray shows none),
/// otherwise the user is asked to.
pub fn copy_account(
    app: &AppHandle,
    state: &AppState,
    id: &str,
    generate: bool,
) -> Result<CopyView, IpcError> {
    let account_id = parse_id(id)?;
    let (text, next, clear_after, locks) = state.with_store(|store| {
        let clear_after = store.settings().clear_clipboard_after;
        // Read with the code: a lock after this point counts.
        let locks = state.locks.load(Ordering::SeqCst);
        let hotp = matches!(store.account(&account_id)?.kind, OtpKind::Hotp { .. });
        if !hotp {
            let code = store.code(&account_id, clock(store))?;
            let (text, next) = code.to_copy();
            return Ok((Zeroizing::new(text.to_owned()), next, clear_after, locks));
        }
        let text = match shown_hotp(state, store, &account_id)? {
            Shown::Current(text) => text,
            Shown::None | Shown::Overtaken if generate => {
                let code = next_hotp(state, store, &account_id)?;
                crate::autobackup::changed(state);
                // The window shows it too, as if generated there.
                let _ = app.emit_to(
                    "main",
                    "hotp-generated",
                    CodeView {
                        id: id.to_owned(),
                        code: code.clone(),
                    },
                );
                code.current
            }
            Shown::None => {
                return Err(IpcError::new(
                    ErrorCode::NoCode,
                    "Generate a code for this account first",
                ))
            }
            Shown::Overtaken => {
                return Err(IpcError::new(
                    ErrorCode::NoCode,
                    "A newer code of this account was made elsewhere (the command line?), so this one was not copied: generate a new one",
                ))
            }
        };
        Ok((Zeroizing::new(text), false, clear_after, locks))
    })?;
    // Not under the store's lock: a copy may wait for the main thread
    // (Wayland), which may be waiting for the store.
    let copied = state.clipboard.copy(
        &text,
        clear_after.map(|s| Duration::from_secs(u64::from(s))),
    );
    // Even a copy reported as failed (the main thread too slow to answer)
    // may land: the count is looked at either way.
    if state.locks.load(Ordering::SeqCst) != locks {
        // Locked while the code was on its way: it does not stay.
        state.clipboard.forget_ours();
        return Err(IpcError::new(
            ErrorCode::VaultLocked,
            "Watchword locked before the code was copied",
        ));
    }
    copied.map_err(|message| IpcError::new(ErrorCode::Clipboard, message))?;
    remember_used(state, id);
    // A copy from the tray or the palette is use too: the wait for the
    // automatic lock starts again, as after a click in the window.
    state.idle.used();
    Ok(CopyView {
        clears_in: clear_after,
        next,
    })
}

/// Puts `id` first among the accounts used last (memory only).
fn remember_used(state: &AppState, id: &str) {
    if let Ok(mut recent) = state.recent.lock() {
        recent.retain(|other| other != id);
        recent.insert(0, id.to_owned());
        recent.truncate(crate::state::RECENT_KEPT);
    }
}
