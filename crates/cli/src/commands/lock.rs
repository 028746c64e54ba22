//! `lock`: turning the lock on and off, changing its password, where it
//! stands; and the password every other command asks for while it is on.
//! The lock itself is the core's (`watchword_core::store` and
//! `watchword_core::vault`); this only asks, parses and prints.
//!
//! The password is typed at the terminal (`/dev/tty`, so it works while
//! standard input carries a key), without echo, or read from standard
//! input: never an argument, never remembered.

use super::backup::{read_new_password, read_password};
use super::open_store_locked;
use crate::cli::LockAction;
use crate::error::CliError;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;
use watchword_core::store::{LockState, Store};
use watchword_core::vault::KdfParams;
use zeroize::Zeroizing;

/// About half a second of Argon2id on this machine, per unlock.
const UNLOCK_TIME: Duration = Duration::from_millis(500);

/// The password given with `--lock-password-stdin`, read before the
/// command ran; taken out (and so wiped) when used.
static FROM_STDIN: Mutex<Option<Zeroizing<String>>> = Mutex::new(None);

/// `--lock-password-stdin`: the first line of standard input (typed
/// without echo when that is a terminal).
pub fn take_password_from_stdin() -> Result<(), CliError> {
    let password = if std::io::stdin().is_terminal() {
        ask("Watchword is locked. Its password:")?
    } else {
        Zeroizing::new(read_password()?)
    };
    if let Ok(mut slot) = FROM_STDIN.lock() {
        *slot = Some(password);
    }
    Ok(())
}

/// Unlocks `store` when the lock is on: with the password from standard
/// input, or asked at the terminal. One try: a wrong password fails the
/// command and changes nothing.
pub fn unlock_if_locked(store: &mut Store) -> Result<(), CliError> {
    if store.lock_state()? != LockState::Locked {
        return Ok(());
    }
    let given = FROM_STDIN.lock().ok().and_then(|mut slot| slot.take());
    let password = match given {
        Some(password) => password,
        None => ask("Watchword is locked. Its password:")?,
    };
    store.unlock(&password)?;
    Ok(())
}

pub fn run(action: LockAction) -> Result<(), CliError> {
    match action {
        LockAction::On { password_stdin } => on(password_stdin),
        LockAction::Off { password_stdin } => {
            let mut store = open_store_locked()?;
            let password = given(password_stdin, "The lock's password:")?;
            store.turn_lock_off(&password)?;
            err!("The lock is off: the keychain items are in plain form again.");
            Ok(())
        }
        LockAction::Password { password_stdin } => {
            let mut store = open_store_locked()?;
            let old = given(password_stdin, "The lock's current password:")?;
            let new = new_password(password_stdin)?;
            let kdf = KdfParams::calibrate(UNLOCK_TIME);
            store.change_lock_password(&old, &new, kdf)?;
            err!("The lock's password was changed; every item is sealed under a new key.");
            Ok(())
        }
        LockAction::Status { json } => status(json),
    }
}

fn on(password_stdin: bool) -> Result<(), CliError> {
    let mut store = open_store_locked()?;
    if store.lock_state()? != LockState::Off {
        return Err(watchword_core::Error::LockAlreadyOn.into());
    }
    err!("A forgotten lock password cannot be recovered: only a backup brings your accounts back.");
    if !store.auto_backup_status()?.enabled {
        err!(
            "Automatic backups are off: `watchword-cli backup setup` first keeps an encrypted copy \
             of every account in a folder of your choice."
        );
    }
    let password = new_password(password_stdin)?;
    let kdf = KdfParams::calibrate(UNLOCK_TIME);
    store.turn_lock_on(&password, kdf)?;
    let status = store.lock_status()?;
    err!(
        "The lock is on: {} of {} keychain items are sealed (Argon2id, {} MiB, {} passes).",
        status.sealed,
        status.items,
        kdf.m_kib / 1024,
        kdf.t
    );
    Ok(())
}

fn status(json: bool) -> Result<(), CliError> {
    let store = open_store_locked()?;
    let status = store.lock_status()?;
    if json {
        crate::terminal::print_json(&status, true);
        return Ok(());
    }
    match status.state {
        LockState::Off => {
            out!("Lock: off");
            return Ok(());
        }
        LockState::Locked | LockState::Unlocked => out!("Lock: on"),
    }
    out!("Sealed items: {} of {}", status.sealed, status.items);
    if let Some(kdf) = status.kdf {
        out!(
            "Key derivation: Argon2id, {} MiB, {} passes, {} lane(s)",
            kdf.m_kib / 1024,
            kdf.t,
            kdf.p
        );
    }
    if status.sealed < status.items || status.rekeying {
        out!(
            "Unfinished: a lock change was interrupted; the next command that asks for the \
             password finishes it."
        );
    }
    Ok(())
}

/// A password from standard input's first line, or asked at the terminal.
fn given(password_stdin: bool, prompt: &str) -> Result<Zeroizing<String>, CliError> {
    if password_stdin {
        Ok(Zeroizing::new(read_password()?))
    } else {
        ask(prompt)
    }
}

/// A new password: one line of standard input, or typed twice.
fn new_password(password_stdin: bool) -> Result<Zeroizing<String>, CliError> {
    if password_stdin {
        return Ok(Zeroizing::new(read_new_password()?));
    }
    let first = ask("New lock password:")?;
    let again = ask("The same password again:")?;
    if *first != *again {
        return Err(CliError::Input(
            "the two passwords differ; nothing was changed".to_owned(),
        ));
    }
    Ok(first)
}

/// A line typed at the terminal without echo.
fn ask(prompt: &str) -> Result<Zeroizing<String>, CliError> {
    let line = crate::input::tty_hidden_line(prompt).map_err(|reason| {
        CliError::Input(format!(
            "{reason}; give the password on the first line of standard input instead \
             (--lock-password-stdin, or --password-stdin for `lock`)"
        ))
    })?;
    let password = Zeroizing::new(line.trim_end_matches(['\n', '\r']).to_owned());
    if password.is_empty() {
        return Err(CliError::EmptyPassword);
    }
    Ok(password)
}
