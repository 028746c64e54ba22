//! What the app keeps between commands: the store (opened and read from the
//! keychain as the app starts, in parallel with the webview, off the UI
//! thread), the clipboard, and the HOTP codes generated this session.

use crate::clipboard::ClipboardKeeper;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};
use watchword_core::limits::Cancel;
use watchword_core::store::lock::LockCall;
use watchword_core::store::{Config, LoadReport, Store};
use watchword_core::ErrorCode;

/// The error every command returns: a `code` from the one enum of codes
/// ([`ErrorCode`]: the core's and the shell's own) for the UI to branch on,
/// and a human `message`. Never holds a secret.
#[derive(Debug, Clone, Serialize)]
pub struct IpcError {
    pub code: ErrorCode,
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
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
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
    pub hotp_codes: Mutex<HashMap<String, ShownHotp>>,
    /// Accounts found in QR codes, waiting for the user to confirm them.
    /// Lock it before the store when both are needed.
    pub enrolment: Mutex<watchword_core::enrol::Enrolment>,
    /// Addings from the preview under way, and begun so far (see
    /// `enrol::arrival`).
    pub adding: std::sync::atomic::AtomicU32,
    pub adds_begun: std::sync::atomic::AtomicU64,
    /// Stops the preview's long work (a backup's key derivation, adding
    /// many accounts) when the user presses Cancel.
    pub preview_work: PreviewWork,
    /// The keychain read begun at launch ([`preload`]): its outcome waits
    /// here for the page's first `start_view`.
    first_load: Mutex<Option<Result<LoadReport, IpcError>>>,
    /// The page asked for its first view: a preload not begun by then is
    /// not needed.
    view_started: AtomicBool,
    /// Tells the automatic backups' thread of each change.
    pub backups: crate::autobackup::Runner,
    /// Wrong lock passwords in a row, for the growing wait between tries.
    pub unlock_tries: Mutex<watchword_core::tries::Tries>,
    /// The arguments the app was started with (a link, a file), those a
    /// second launch handed over meanwhile, and notices, until the page is
    /// ready for them (`links::open_start_args`).
    pub for_page: Mutex<crate::links::ForPage>,
    /// Ids of the accounts copied last, the latest first (at most
    /// [`RECENT_KEPT`]); the tray lists them. Memory only: which accounts
    /// a user reaches for is nobody else's business.
    pub recent: Mutex<Vec<String>>,
    /// How many times the app has locked. A copy that a lock overtook
    /// (the code made before it, put on the clipboard after it) sees the
    /// count change and takes the code off the clipboard again.
    pub locks: std::sync::atomic::AtomicU64,
    /// The page's word that it shows the lock screen (crash.rs covers the
    /// window when it does not come).
    pub lock_shown: crate::lock_cover::LockShown,
    /// Asks the store to lock without waiting for it (see
    /// [`LockCall`]): a change waiting on another process gives way.
    pub lock_call: LockCall,
    /// The last use, for the lock after a while without it (idle.rs).
    pub idle: crate::idle::IdleClock,
}

/// An HOTP code generated here, and the counter the keychain held once it
/// was: while it still holds that one, no code came after it (another
/// process's `code`, say), and the code is the one to copy.
#[derive(Debug, Clone)]
pub struct ShownHotp {
    pub code: String,
    pub stored: u64,
}

/// The preview's long work and its Cancel. The page numbers each piece of
/// work it starts and names that number when it cancels, so the two may
/// reach the shell in either order: a Cancel that arrives before its work
/// has begun still stops it, and one that arrives after its work ended
/// stops nothing else. Each piece of work has a token of its own, so one
/// never resets another's.
#[derive(Debug, Default)]
pub struct PreviewWork {
    attempts: Mutex<Attempts>,
}

#[derive(Debug, Default)]
struct Attempts {
    /// The work under way, each with its token.
    running: Vec<(u32, Arc<Cancel>)>,
    /// A Cancel that came before its work began.
    early: Option<u32>,
}

impl PreviewWork {
    fn attempts(&self) -> MutexGuard<'_, Attempts> {
        self.attempts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Begins work number `attempt`; its token is already set when its
    /// Cancel came first. The work counts as under way until the answer
    /// is dropped.
    pub fn start(&self, attempt: u32) -> Working<'_> {
        let token = Arc::new(Cancel::new());
        let mut attempts = self.attempts();
        if attempts.early == Some(attempt) {
            attempts.early = None;
            token.cancel();
        }
        attempts.running.push((attempt, Arc::clone(&token)));
        Working {
            work: self,
            attempt,
            token,
        }
    }

    /// Stops work number `attempt`, now or as it begins.
    pub fn cancel(&self, attempt: u32) {
        let mut attempts = self.attempts();
        match attempts.running.iter().find(|(n, _)| *n == attempt) {
            Some((_, token)) => token.cancel(),
            None => attempts.early = Some(attempt),
        }
    }
}

/// One piece of the preview's work under way ([`PreviewWork::start`]).
#[derive(Debug)]
pub struct Working<'a> {
    work: &'a PreviewWork,
    attempt: u32,
    token: Arc<Cancel>,
}

impl Working<'_> {
    /// The token the work checks between its steps.
    pub fn token(&self) -> &Cancel {
        &self.token
    }
}

impl Drop for Working<'_> {
    fn drop(&mut self) {
        let mut attempts = self.work.attempts();
        if let Some(at) = attempts
            .running
            .iter()
            .position(|(n, token)| *n == self.attempt && Arc::ptr_eq(token, &self.token))
        {
            attempts.running.remove(at);
        }
    }
}

/// How many accounts [`AppState::recent`] keeps.
pub const RECENT_KEPT: usize = 16;

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AppState")
    }
}

impl AppState {
    /// The store's slot as it is, taken back if an earlier operation
    /// panicked holding it: for a lock, which must drop the keys whatever
    /// else failed ([`crate::lock::lock_state`]). Blocking.
    pub fn store_slot(&self) -> MutexGuard<'_, Option<Store>> {
        self.store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs `f` with the store, opening it first if needed. Blocking: call
    /// from a worker thread.
    pub fn with_store<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, IpcError>,
    ) -> Result<T, IpcError> {
        let mut slot = lock(&self.store)?;
        in_slot(&mut slot, &self.lock_call, f)
    }

    /// As [`Self::with_store`], but `None` at once while another operation
    /// holds the store (an import, an unlock's key derivation): for the
    /// tray, which must answer the desktop now and can keep what it showed.
    pub fn try_with_store<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, IpcError>,
    ) -> Option<Result<T, IpcError>> {
        match self.store.try_lock() {
            Ok(mut slot) => Some(in_slot(&mut slot, &self.lock_call, f)),
            Err(TryLockError::WouldBlock) => None,
            Err(TryLockError::Poisoned(_)) => Some(Err(poisoned())),
        }
    }
}

impl AppState {
    /// Reads every account from the keychain, or takes the read the launch
    /// already made. The page's start (and its "Try again") comes here.
    pub fn load_for_view(&self, store: &mut Store) -> Result<LoadReport, IpcError> {
        self.view_started.store(true, Ordering::SeqCst);
        match lock(&self.first_load)?.take() {
            Some(report) => report,
            None => Ok(store.load()?),
        }
    }
}

/// Opens the store and reads the keychain as soon as the app starts, while
/// the webview is still loading the page: the page's first view then only
/// has to be handed over, and the codes are in its first paint.
pub fn preload(app: tauri::AppHandle) {
    use tauri::Manager;
    std::thread::Builder::new()
        .name("preload-store".into())
        .spawn(move || {
            let state = app.state::<AppState>();
            if state.view_started.load(Ordering::SeqCst) {
                return;
            }
            let outcome = state.with_store(|store| {
                // The page may have come first and read it already.
                if state.view_started.load(Ordering::SeqCst) {
                    return Ok(None);
                }
                Ok(Some(store.load().map_err(IpcError::from)))
            });
            let report = match outcome {
                Ok(None) => return,
                Ok(Some(report)) => report,
                // The store could not even be opened: the page says why.
                Err(err) => Err(err),
            };
            let slot = lock(&state.first_load);
            if let Ok(mut slot) = slot {
                *slot = Some(report);
            }
        })
        .expect("the OS starts a thread");
}

/// How often the window looks for changes made by another process (the CLI,
/// an import elsewhere): a `stat` of the metadata file, nothing more unless
/// it changed.
const WATCH_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// Takes in what another process changed and tells the page, which reloads
/// its list. Does nothing before the store is open or while another process
/// is in the middle of a change (the next look catches it).
pub fn refresh_from_disk(app: &tauri::AppHandle) {
    use tauri::{Emitter, Manager};
    let state = app.state::<AppState>();
    let mut locked_elsewhere = false;
    let changed = match state.store.try_lock() {
        Ok(mut slot) => match slot.as_mut().map(Store::refresh) {
            Some(Ok(changed)) => changed,
            // Another process turned the lock on: the page locks too.
            Some(Err(watchword_core::Error::VaultLocked)) => {
                locked_elsewhere = true;
                false
            }
            _ => false,
        },
        // Busy with a command of this window: it sees the latest already.
        Err(_) => false,
    };
    if locked_elsewhere {
        // Locked as this window locks: the preview, the HOTP codes and a
        // code of ours on the clipboard go too.
        let _ = crate::lock::lock_state(&state);
        let _ = app.emit("vault-locked", ());
        crate::lock_cover::cover_unless_the_lock_shows(
            app,
            state.locks.load(std::sync::atomic::Ordering::SeqCst),
        );
    }
    if changed {
        let _ = app.emit("accounts-changed", ());
        // The settings may be among the changes (the list rebuilt).
        state.idle.look_again();
        // A backup another process left pending (its own failed) is
        // written here once things are quiet.
        crate::autobackup::changed(&state);
    }
}

/// Looks for other processes' changes every [`WATCH_EVERY`], for as long as
/// the app runs.
pub fn watch_other_processes(app: tauri::AppHandle) {
    std::thread::Builder::new()
        .name("watch-store".into())
        .spawn(move || loop {
            std::thread::sleep(WATCH_EVERY);
            refresh_from_disk(&app);
        })
        .expect("the OS starts a thread");
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
        .map_err(|_| {
            IpcError::new(
                ErrorCode::Internal,
                "A background task stopped unexpectedly",
            )
        })?
}

pub fn lock<T>(mutex: &Mutex<T>) -> Result<MutexGuard<'_, T>, IpcError> {
    mutex.lock().map_err(|_| poisoned())
}

fn poisoned() -> IpcError {
    IpcError::new(
        ErrorCode::Internal,
        "An earlier operation failed midway; restart Watchword",
    )
}

/// Runs `f` with the store in `slot`, opening it first if needed (it
/// hears `call`).
fn in_slot<T>(
    slot: &mut Option<Store>,
    call: &LockCall,
    f: impl FnOnce(&mut Store) -> Result<T, IpcError>,
) -> Result<T, IpcError> {
    if slot.is_none() {
        let config = Config::from_env()?;
        let mut store = Store::open(&config)?;
        store.hear_lock_calls(call.clone());
        *slot = Some(store);
    }
    f(slot.as_mut().expect("opened just above"))
}

#[cfg(test)]
mod tests {
    use super::{AppState, IpcError, PreviewWork};
    use watchword_core::ErrorCode;

    /// A Cancel stops the work it names whichever reaches the shell first,
    /// never another piece of work, and never work begun after it ended.
    #[test]
    fn a_cancel_stops_its_own_work_in_either_order_and_no_other() {
        let work = PreviewWork::default();
        // Cancel, then its work begins.
        work.cancel(7);
        assert!(work.start(7).token().is_cancelled());
        // Work begins, then its Cancel.
        let eight = work.start(8);
        assert!(!eight.token().is_cancelled());
        work.cancel(8);
        assert!(eight.token().is_cancelled());
        // Other work begun meanwhile keeps going, and does not clear 8's.
        let nine = work.start(9);
        assert!(!nine.token().is_cancelled());
        assert!(eight.token().is_cancelled());
        drop(eight);
        // A Cancel for work that ended stops nothing under way or later.
        work.cancel(8);
        assert!(!nine.token().is_cancelled());
        drop(nine);
        assert!(!work.start(10).token().is_cancelled());
        work.cancel(3);
        assert!(!work.start(11).token().is_cancelled(), "a stale Cancel");
    }

    /// The tray's menu asks without waiting: a store held elsewhere (an
    /// import, an unlock) answers `None` at once, a store left broken by a
    /// panic answers the usual error; neither waits.
    #[test]
    fn a_busy_store_answers_at_once() {
        let state = AppState::default();
        {
            let _held = state.store.lock().expect("not poisoned");
            assert!(state.try_with_store(|_| Ok(())).is_none());
        }
        let poisoner = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let _held = state.store.lock();
                    panic!("an operation fails midway");
                })
                .join()
        });
        assert!(poisoner.is_err());
        match state.try_with_store(|_| Ok(())) {
            Some(Err(error)) => assert_eq!(error.code, ErrorCode::Internal),
            other => panic!("{:?}", other.map(|r| r.map_err(|e| e.message))),
        }
    }

    /// The page reads `code` as a plain string ("cancelled"): the enum must
    /// keep that wire form.
    #[test]
    fn an_error_reaches_the_page_as_a_code_and_a_message() {
        let json = serde_json::to_value(IpcError::new(ErrorCode::Cancelled, "Cancelled"))
            .expect("serialises");
        assert_eq!(
            json,
            serde_json::json!({"code": "cancelled", "message": "Cancelled"})
        );
        let from_core: IpcError = watchword_core::Error::Busy(30).into();
        assert_eq!(
            serde_json::to_value(from_core).expect("serialises")["code"],
            "busy"
        );
    }
}
