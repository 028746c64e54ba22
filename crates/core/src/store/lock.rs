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
use std::time::{Duration, Instant};

/// File name of the lock file inside the data folder. It holds nothing.
pub const FILE_NAME: &str = "accounts.lock";

/// How long a change waits for another process's change to finish before
/// giving up with [`Error::Busy`]. The longest legitimate holder is a large
/// import or a first read of hundreds of keychain items: seconds, not tens.
pub const WAIT: Duration = Duration::from_secs(30);

/// How often a waiting process tries again.
const RETRY: Duration = Duration::from_millis(15);

/// The held lock; dropping it releases the lock.
#[derive(Debug)]
pub(crate) struct StoreLock {
    _file: File,
}

/// Takes the lock, waiting up to `wait` for another process to release it.
pub(crate) fn acquire(path: &Path, wait: Duration) -> Result<StoreLock> {
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
        let first = acquire(&path, Duration::ZERO).expect("the first takes it");
        // Another open file description conflicts even in this process.
        match acquire(&path, Duration::from_millis(50)) {
            Err(Error::Busy(_)) => {}
            other => panic!("expected Busy, got {other:?}"),
        }
        drop(first);
        acquire(&path, Duration::ZERO).expect("free again once released");
    }
}
