//! What the app keeps between commands: the store (opened on first use, off
//! the UI thread), the clipboard, and the HOTP codes generated this session.

use crate::clipboard::ClipboardKeeper;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use watchword_core::store::{Config, Store};

/// The error every command returns: a stable `code` for the UI to branch on
/// and a human `message`. Never holds a secret.
#[derive(Debug, Clone, Serialize)]
pub struct IpcError {
    pub code: &'static str,
    pub message: String,
}

impl From<watchword_core::Error> for IpcError {
    fn from(err: watchword_core::Error) -> Self {
        Self {
            code: err.code(),
            message: err.to_string(),
        }
    }
}

impl From<watchword_core::UriError> for IpcError {
    fn from(err: watchword_core::UriError) -> Self {
        watchword_core::Error::from(err).into()
    }
}

impl IpcError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

#[derive(Default)]
pub struct AppState {
    store: Mutex<Option<Store>>,
    pub clipboard: ClipboardKeeper,
    /// Last HOTP code generated per account id, so "copy" copies what is
    /// shown without advancing the counter again. Memory only.
    pub hotp_codes: Mutex<HashMap<String, String>>,
    /// Accounts found in QR codes, waiting for the user to confirm them.
    /// Lock it before the store when both are needed.
    pub enrolment: Mutex<watchword_core::enrol::Enrolment>,
    /// Stops the backup being unlocked (its key derivation) when the user
    /// presses Cancel in the preview.
    pub unlock_cancel: watchword_core::limits::Cancel,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AppState")
    }
}

impl AppState {
    /// Runs `f` with the store, opening it first if needed. Blocking: call
    /// from a worker thread.
    pub fn with_store<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, IpcError>,
    ) -> Result<T, IpcError> {
        let mut slot = lock(&self.store)?;
        if slot.is_none() {
            let config = Config::from_env()?;
            *slot = Some(Store::open(&config)?);
        }
        f(slot.as_mut().expect("opened just above"))
    }
}

/// Runs blocking work (the keychain, decoding, key derivation) on a worker
/// thread, off the UI thread, with the app and its state.
pub async fn blocking<T: Send + 'static>(
    app: tauri::AppHandle,
    f: impl FnOnce(&tauri::AppHandle, &AppState) -> Result<T, IpcError> + Send + 'static,
) -> Result<T, IpcError> {
    use tauri::Manager;
    tauri::async_runtime::spawn_blocking(move || f(&app, &app.state::<AppState>()))
        .await
        .map_err(|_| IpcError::new("internal", "A background task stopped unexpectedly"))?
}

pub fn lock<T>(mutex: &Mutex<T>) -> Result<MutexGuard<'_, T>, IpcError> {
    mutex.lock().map_err(|_| {
        IpcError::new(
            "internal",
            "An earlier operation failed midway; restart Watchword",
        )
    })
}
