//! The lock in the window (issue 11): where it stands, unlocking with a
//! growing delay after wrong passwords, locking now, and turning it on or
//! off or changing its password. The lock itself is the core's
//! (`watchword_core::store`, `watchword_core::vault`).

use crate::state::{blocking, lock, AppState, IpcError};
use serde::Serialize;
use std::time::{Duration, Instant};
use tauri::{AppHandle, Emitter, Manager};
use watchword_core::store::{LockState, LockStatus, Store};
use watchword_core::vault::KdfParams;
use watchword_core::ErrorCode;
use zeroize::Zeroizing;

/// About half a second of Argon2id here, per unlock.
const UNLOCK_TIME: Duration = Duration::from_millis(500);

/// Where the lock stands, and whether the store is free to say.
#[tauri::command]
pub async fn lock_status(app: AppHandle) -> Result<LockStatus, IpcError> {
    blocking(app, |_, state| {
        state.with_store(|store| Ok(store.lock_status()?))
    })
    .await
}

/// An account as the unlock screen may list it: names only.
#[derive(Debug, Serialize)]
pub struct LockedName {
    issuer: String,
    name: String,
}

/// The accounts' issuers and names for the unlock screen, in the list's
/// order, when the user chose to see them there (Settings → Lock); none
/// otherwise. They come from the metadata file, which holds no secret.
#[tauri::command]
pub async fn locked_names(app: AppHandle) -> Result<Vec<LockedName>, IpcError> {
    blocking(app, |_, state| {
        state.with_store(|store| {
            if !store.settings().names_while_locked {
                return Ok(Vec::new());
            }
            Ok(store
                .summaries()
                .into_iter()
                .map(|account| LockedName {
                    issuer: account.issuer,
                    name: account.name,
                })
                .collect())
        })
    })
    .await
}

/// Unlocks with the password. After three wrong ones in a row each try
/// must wait (1 s, then twice as long each time, up to a minute): a try
/// too soon is refused with the seconds left, and the password is not
/// even tried (the rule: [`watchword_core::tries`]).
#[tauri::command]
pub async fn unlock(app: AppHandle, password: String) -> Result<(), IpcError> {
    let password = Zeroizing::new(password);
    blocking(app, move |app, state| {
        let outcome = with_tries(state, || {
            state.with_store(|store| match store.unlock(&password) {
                // Another program turned the lock off while this window was
                // locked: nothing is left to unlock, and the window opens
                // (the keychain is plain again for anyone who reads it).
                Err(watchword_core::Error::LockOff) => Ok(()),
                other => Ok(other?),
            })
        });
        if outcome.is_ok() {
            // The minutes without use count from the unlock.
            state.idle.used();
            state.idle.look_again();
            // A backup that waited for the unlock goes now.
            crate::autobackup::changed(state);
            // The tray lists the accounts again.
            let _ = app.emit("vault-unlocked", ());
        }
        outcome
    })
    .await
}

/// Runs `attempt`, which tries the lock's password, under the rule for
/// wrong passwords ([`watchword_core::tries`]): refused with the seconds
/// left when it comes too soon, and counted. Held through the try: tries
/// at once (two windows, a script) wait for each other, and each is
/// counted before the next is allowed. Every command that tries the
/// password goes through here, so none is a way around the wait.
fn with_tries<T>(
    state: &AppState,
    attempt: impl FnOnce() -> Result<T, IpcError>,
) -> Result<T, IpcError> {
    let mut tries = lock(&state.unlock_tries)?;
    if let Err(seconds) = tries.may_try(Instant::now()) {
        return Err(IpcError::new(
            ErrorCode::TooSoon,
            format!("Too many wrong passwords: wait {seconds} s before the next try"),
        ));
    }
    let outcome = attempt();
    match &outcome {
        Ok(_) => tries.record(true, Instant::now()),
        Err(error) if error.code == ErrorCode::WrongPassword => {
            tries.record(false, Instant::now());
        }
        Err(_) => {}
    }
    outcome
}

/// Locks now: the keys and every account read leave memory, and so do
/// the HOTP codes shown.
#[tauri::command]
pub async fn lock_now(app: AppHandle) -> Result<(), IpcError> {
    blocking(app, |app, _| lock_app(app)).await
}

/// Locks, and tells every window and the tray. Locked from the palette
/// (or the tray): the window locks too, and the palette forgets the names
/// it lists.
pub fn lock_app(app: &AppHandle) -> Result<(), IpcError> {
    let state = app.state::<AppState>();
    lock_state(&state)?;
    let _ = app.emit("vault-locked", ());
    // A page that cannot show the lock has its codes covered.
    crate::lock_cover::cover_unless_the_lock_shows(
        app,
        state.locks.load(std::sync::atomic::Ordering::SeqCst),
    );
    Ok(())
}

/// Locks when the lock is on and open, for a trigger of the shell's own
/// (the screen locking, the minutes without use, a page given up on);
/// `why` ends the log's line. As the screen lock does: asked before
/// waiting for the store, so that a change waiting on another process
/// gives way, and judged by the keys held, not by the keychain, which may
/// be busy or locked itself (a poisoned store says nothing either way:
/// lock). False when it should have locked and could not.
pub fn lock_if_open(app: &AppHandle, why: &str) -> bool {
    let state = app.state::<AppState>();
    state.lock_call.ask();
    let open = state
        .with_store(|store| Ok(store.holds_vault_key()))
        .unwrap_or(true);
    if !open {
        return true;
    }
    match lock_app(app) {
        Ok(()) => {
            eprintln!("watchword: locked {why}");
            true
        }
        Err(error) => {
            eprintln!("watchword: could not lock: {}", error.message);
            false
        }
    }
}

/// Locks `state`'s store (also for the window's own triggers).
pub fn lock_state(state: &AppState) -> Result<(), IpcError> {
    // Asked before waiting for the store: a change of ours waiting on
    // another process's gives way instead of keeping the keys meanwhile.
    state.lock_call.ask();
    {
        // Taken back if an earlier operation panicked holding them: every
        // other command then asks for a restart, but a lock must still
        // drop the keys and say so.
        // Accounts waiting in the preview hold their keys: gone too. Held
        // while the store locks (enrolment before the store, as
        // everywhere), so that none arrives in between.
        let mut pending = state
            .enrolment
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *pending = watchword_core::enrol::Enrolment::new();
        // Not opened to be locked: a store not open holds no key.
        let mut slot = state.store_slot();
        if let Some(store) = slot.as_mut() {
            store.lock_now();
        }
        // Under the store's lock, as every HOTP code is kept: none made
        // before the lock lands here after it.
        state
            .hotp_codes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
        state
            .locks
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        drop(slot);
    }
    // With no lock of ours held: a code of ours still on the clipboard goes
    // with the keys (its clearing may be off, or minutes away). A copy
    // under way sees the count above change and does the same
    // (`copy_account`).
    state.clipboard.forget_ours();
    Ok(())
}

/// Turns the lock on (the password once; the page asks it twice).
#[tauri::command]
pub async fn turn_lock_on(app: AppHandle, password: String) -> Result<LockStatus, IpcError> {
    let password = Zeroizing::new(password);
    blocking(app, move |_, state| {
        let kdf = KdfParams::calibrate(UNLOCK_TIME);
        let outcome = state.with_store(|store| {
            store.turn_lock_on(&password, kdf)?;
            Ok(store.lock_status()?)
        });
        // Open with the new keys, the minutes without use count; also
        // after a failure, which may come after the keys were taken.
        state.idle.used();
        state.idle.look_again();
        outcome
    })
    .await
}

/// Turns the lock off, with its password.
#[tauri::command]
pub async fn turn_lock_off(app: AppHandle, password: String) -> Result<LockStatus, IpcError> {
    let password = Zeroizing::new(password);
    blocking(app, move |_, state| {
        let outcome = with_tries(state, || {
            state.with_store(|store| {
                // From the settings, which a locked window does not show:
                // unlock first.
                refuse_locked(store)?;
                store.turn_lock_off(&password)?;
                Ok(store.lock_status()?)
            })
        });
        // Off, nothing is left to lock; a failure may have come after
        // the store took keys again (the list needed them).
        state.idle.look_again();
        outcome
    })
    .await
}

/// Refuses while locked: what only an unlocked window offers.
fn refuse_locked(store: &Store) -> Result<(), IpcError> {
    if store.lock_state()? == LockState::Locked {
        return Err(crate::enrol::locked());
    }
    Ok(())
}

/// Changes the lock's password.
#[tauri::command]
pub async fn change_lock_password(
    app: AppHandle,
    old: String,
    new: String,
) -> Result<LockStatus, IpcError> {
    let (old, new) = (Zeroizing::new(old), Zeroizing::new(new));
    blocking(app, move |_, state| {
        let kdf = KdfParams::calibrate(UNLOCK_TIME);
        with_tries(state, || {
            state.with_store(|store: &mut Store| {
                // Changed while locked, the store would hold the key again
                // with the window still on its unlock screen.
                refuse_locked(store)?;
                store.change_lock_password(&old, &new, kdf)?;
                Ok(store.lock_status()?)
            })
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use watchword_core::store::keychain::MemoryKeychain;

    // Found by a second reader: a panic with the store held left every
    // lock unable to take it, so the keys stayed in memory, the page kept
    // its codes and the clipboard its code.
    #[test]
    fn a_store_left_by_a_panic_still_locks() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = Store::with_keychain(dir.path(), Box::new(MemoryKeychain::default()))
            .expect("store opens");
        let id = store
            .add(watchword_core::Account::totp(
                "Bank",
                "me",
                watchword_core::Secret::from_bytes(vec![1; 20]),
            ))
            .expect("added");
        let fast = KdfParams {
            m_kib: 64,
            t: 1,
            p: 1,
        };
        store.turn_lock_on("pw", fast).expect("on");
        assert!(store.holds_vault_key());
        let state = AppState::default();
        *state.store_slot() = Some(store);
        let poisoner = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let _held = state.store_slot();
                    panic!("an operation fails midway");
                })
                .join()
        });
        assert!(poisoner.is_err());
        lock_state(&state).expect("locked all the same");
        let mut slot = state.store_slot();
        let store = slot.as_mut().expect("the store");
        assert!(!store.holds_vault_key(), "the keys are gone");
        assert!(matches!(
            store.code(&id, 0),
            Err(watchword_core::Error::VaultLocked)
        ));
    }
}
