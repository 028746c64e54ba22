//! One writer at a time across processes. The desktop app and any number of
//! `watchword-cli` runs share one keychain and one metadata file; every
//! read-modify-write of either happens while holding an advisory lock on a
//! file in the data folder, and re-reads what it changes under that lock.
//!
//! The lock is the operating system's (`flock` on Unix, `LockFileEx` on
//! Windows, through `std::fs::File::lock`): it is released when the holder
//! exits or is killed, so a crash never leaves the store locked.

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// File name of the lock file inside the data folder. It holds nothing.
pub const FILE_NAME: &str = "accounts.lock";

/// How long a change waits for another process's change to finish before
/// giving up with [`Error::Busy`]. The longest legitimate holder is a large
/// import or a first read of hundreds of keychain items: seconds, not tens.
pub const WAIT: Duration = Duration::from_secs(30);

/// How often a waiting process tries again.
const RETRY: Duration = Duration::from_millis(15);

/// A lock of Watchword asked for from outside the store's calls (the
/// screen locking, Lock now): shared between the store and whoever asks,
/// so that asking needs neither the store nor its lock. While it is asked
/// and the store holds the lock's keys, a change waiting for another
/// process's change gives up at once ([`Error::VaultLocked`]) instead of
/// keeping the keys in memory for up to [`WAIT`]; the lock that follows
/// answers it ([`crate::store::Store::lock_now`]), as does taking keys
/// afresh (an unlock, turning the lock on).
#[derive(Debug, Clone, Default)]
pub struct LockCall(Arc<AtomicBool>);

impl LockCall {
    /// Asks for the lock.
    pub fn ask(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether a lock was asked for and not answered yet.
    pub fn asked(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    pub(crate) fn answer(&self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// The held lock; dropping it releases the lock.
#[derive(Debug)]
pub(crate) struct StoreLock {
    _file: File,
}

/// Takes the lock, waiting up to `wait` for another process to release it,
/// or until `give_up()` says to (then [`Error::VaultLocked`]).
pub(crate) fn acquire(
    path: &Path,
    wait: Duration,
    give_up: impl Fn() -> bool,
) -> Result<StoreLock> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path).map_err(|source| Error::Io {
        action: "open",
        path: path.to_owned(),
        source,
    })?;
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(StoreLock { _file: file }),
            Err(TryLockError::WouldBlock) if give_up() => return Err(Error::VaultLocked),
            Err(TryLockError::WouldBlock) if start.elapsed() < wait => {
                std::thread::sleep(RETRY);
            }
            Err(TryLockError::WouldBlock) => return Err(Error::Busy(wait.as_secs())),
            Err(TryLockError::Error(source)) => {
                return Err(Error::Io {
                    action: "lock",
                    path: path.to_owned(),
                    source,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_then_gets_a_busy_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(FILE_NAME);
        let first = acquire(&path, Duration::ZERO, || false).expect("the first takes it");
        // Another open file description conflicts even in this process.
        match acquire(&path, Duration::from_millis(50), || false) {
            Err(Error::Busy(_)) => {}
            other => panic!("expected Busy, got {other:?}"),
        }
        drop(first);
        acquire(&path, Duration::ZERO, || true).expect("free again once released");
    }

    #[test]
    fn a_waiter_told_to_give_up_says_locked_and_one_that_need_not_wait_is_not_told() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(FILE_NAME);
        let call = LockCall::default();
        call.ask();
        // Free: taken, whatever was asked.
        let first = acquire(&path, Duration::ZERO, || call.asked()).expect("free");
        // Held elsewhere: a whole WAIT without the call, none with it.
        match acquire(&path, WAIT, || call.asked()) {
            Err(Error::VaultLocked) => {}
            other => panic!("expected VaultLocked, got {other:?}"),
        }
        call.answer();
        match acquire(&path, Duration::from_millis(50), || call.asked()) {
            Err(Error::Busy(_)) => {}
            other => panic!("expected Busy once answered, got {other:?}"),
        }
        drop(first);
    }
}
