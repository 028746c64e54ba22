//! The commands the web UI calls (through ui/ipc.js). Each deserialises its
//! input, calls the core on a worker thread and returns a small DTO. Secrets
//! never leave Rust; codes do.

use crate::state::{blocking, lock, AppState, IpcError};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tauri::{AppHandle, Emitter, Manager};
use watchword_core::account::{Account, AccountId, Group, Note, OtpKind};
use watchword_core::manual::ManualEntry;
use watchword_core::qr::{self, EncodedQr};
use watchword_core::store::{AccountSummary, LoadReport, Settings, Store};
use watchword_core::ErrorCode;
use watchword_core::{uri, Code};
use zeroize::Zeroizing;

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

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeView {
    id: String,
    #[serde(flatten)]
    code: Code,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadView {
    accounts: Vec<AccountSummary>,
    damaged: Vec<String>,
    recovered: usize,
}

/// Everything the page shows first, in one call: the settings, the list as
/// the keychain has it, and the codes. The keychain read began as the app
/// started; this waits for it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StartView {
    settings: Settings,
    #[serde(flatten)]
    load: LoadView,
    codes: Vec<CodeView>,
}

#[tauri::command]
pub async fn start_view(app: AppHandle) -> Result<StartView, IpcError> {
    blocking(app, |_, state| {
        state.with_store(|store| {
            let LoadReport {
                damaged, recovered, ..
            } = state.load_for_view(store)?;
            Ok(StartView {
                settings: store.settings().clone(),
                load: LoadView {
                    accounts: store.summaries(),
                    damaged: damaged.into_iter().map(|(_, reason)| reason).collect(),
                    recovered,
                },
                codes: codes_of(store)?,
            })
        })
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
            if store.lock_state()? == watchword_core::store::LockState::Locked {
                return Err(watchword_core::Error::VaultLocked.into());
            }
            Ok(store.summaries())
        })
    })
    .await
}

/// Current and next codes of every time-based account.
fn codes_of(store: &mut Store) -> Result<Vec<CodeView>, IpcError> {
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
        let code = state.with_store(|store| Ok(store.next_code(&account_id, now())?))?;
        crate::autobackup::changed(state);
        lock(&state.hotp_codes)?.insert(id.clone(), code.current.clone());
        Ok(CodeView { id, code })
    })
    .await
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CopyView {
    /// Seconds until the clipboard is cleared; `None` when it is not.
    clears_in: Option<u32>,
    /// The current code was about to expire: the next one was copied.
    next: bool,
}

/// Copies an account's current code to the clipboard.
#[tauri::command]
pub async fn copy_code(app: AppHandle, id: String) -> Result<CopyView, IpcError> {
    blocking(app, move |app, state| copy_account(app, state, &id, false)).await
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
    let (text, next, clear_after) = state.with_store(|store| {
        let clear_after = store.settings().clear_clipboard_after;
        let hotp = matches!(store.account(&account_id)?.kind, OtpKind::Hotp { .. });
        if !hotp {
            let code = store.code(&account_id, clock(store))?;
            let (text, next) = code.to_copy();
            return Ok((Zeroizing::new(text.to_owned()), next, clear_after));
        }
        let shown = lock(&state.hotp_codes)?.get(id).cloned();
        let text = match shown {
            Some(text) => text,
            None if generate => {
                let code = store.next_code(&account_id, now())?;
                crate::autobackup::changed(state);
                lock(&state.hotp_codes)?.insert(id.to_owned(), code.current.clone());
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
            None => {
                return Err(IpcError::new(
                    ErrorCode::NoCode,
                    "Generate a code for this account first",
                ))
            }
        };
        Ok((Zeroizing::new(text), false, clear_after))
    })?;
    state
        .clipboard
        .copy(
            &text,
            clear_after.map(|s| Duration::from_secs(u64::from(s))),
        )
        .map_err(|message| IpcError::new(ErrorCode::Clipboard, message))?;
    remember_used(state, id);
    // A copy from the tray or the palette is use too: the window's wait
    // for the automatic lock starts again, as after a click there.
    let _ = app.emit_to("main", "account-used", ());
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

/// Changes an account's issuer and name.
#[tauri::command]
pub async fn rename_account(
    app: AppHandle,
    id: String,
    issuer: String,
    name: String,
) -> Result<AccountSummary, IpcError> {
    blocking(app, move |_, state| {
        let account_id = parse_id(&id)?;
        state.with_store(|store| {
            store.rename(&account_id, &issuer, &name)?;
            crate::autobackup::changed(state);
            summary_of(store, &id)
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

/// The user's preferences.
#[tauri::command]
pub async fn get_settings(app: AppHandle) -> Result<Settings, IpcError> {
    blocking(app, |_, state| {
        state.with_store(|store| Ok(store.settings().clone()))
    })
    .await
}

/// Whether the windows are kept out of screen capture now.
static PROTECTED: AtomicBool = AtomicBool::new(false);

/// While "Hide codes" is on (for screen sharing), every window is kept out
/// of screen capture and screen sharing where the system offers that
/// (Windows and macOS; X11 and Wayland have no such thing, and there the
/// hidden codes are the protection).
pub fn protect_windows(app: &AppHandle, protect: bool) {
    PROTECTED.store(protect, Ordering::SeqCst);
    for window in app.webview_windows().values() {
        let _ = window.set_content_protected(protect);
    }
}

/// Whether a window made now must be kept out of screen capture.
pub fn windows_protected() -> bool {
    PROTECTED.load(Ordering::SeqCst)
}

/// Saves the user's preferences; an out-of-range value changes nothing.
#[tauri::command]
pub async fn set_settings(app: AppHandle, settings: Settings) -> Result<Settings, IpcError> {
    blocking(app, move |app, state| {
        state.with_store(|store| {
            // Checked as the store checks it first: an invalid one must not
            // reach the desktop, and one the desktop refuses is not saved.
            settings
                .validate()
                .map_err(|message| IpcError::new(ErrorCode::InvalidSetting, message))?;
            // Only a changed shortcut is taken: one the desktop refused
            // at start (a Wayland session) must not stop other changes.
            let before = store.settings().quick_shortcut.clone();
            let changed = before != settings.quick_shortcut;
            if changed {
                crate::palette::hold(app, settings.quick_shortcut.as_deref())?;
            }
            let start_in_tray = settings.start_in_tray;
            let start_changed = store.settings().start_in_tray != start_in_tray;
            let undo_shortcut = || {
                if changed {
                    let _ = crate::palette::hold(app, before.as_deref());
                }
            };
            if start_changed {
                crate::closing::set_start_at_login(start_in_tray)
                    .inspect_err(|_| undo_shortcut())?;
            }
            if let Err(error) = store.set_settings(settings) {
                // Not saved: what is held and written is what is saved.
                undo_shortcut();
                if start_changed {
                    let _ = crate::closing::set_start_at_login(!start_in_tray);
                }
                return Err(error.into());
            }
            protect_windows(app, store.settings().hide_codes);
            Ok(store.settings().clone())
        })
    })
    .await
}

/// The account as a QR code (its otpauth URI), for a phone to scan. Holds
/// the secret: the page asks the user to confirm first.
#[tauri::command]
pub async fn account_qr(app: AppHandle, id: String) -> Result<EncodedQr, IpcError> {
    blocking(app, move |_, state| {
        let id = parse_id(&id)?;
        let uri = zeroize::Zeroizing::new(
            state.with_store(|store| Ok(uri::format(&store.current_account(&id)?)))?,
        );
        qr::encode(&uri).ok_or_else(|| {
            IpcError::new(
                ErrorCode::Internal,
                "This account is too long for a QR code",
            )
        })
    })
    .await
}

/// The account's key in base32, in groups of four as sites show it. Only
/// on the user's explicit request, after the page asked them to confirm.
#[tauri::command]
pub async fn reveal_key(app: AppHandle, id: String) -> Result<String, IpcError> {
    blocking(app, move |_, state| {
        let id = parse_id(&id)?;
        let key = zeroize::Zeroizing::new(
            state.with_store(|store| Ok(store.account(&id)?.secret.to_base32()))?,
        );
        let groups: Vec<&str> = key
            .as_bytes()
            .chunks(4)
            .map(|chunk| std::str::from_utf8(chunk).expect("base32 is ASCII"))
            .collect();
        Ok(groups.join(" "))
    })
    .await
}
