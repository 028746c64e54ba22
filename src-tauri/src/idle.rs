//! The lock after a while without use (Settings → Lock → "Lock after N
//! minutes without use"). Its clock is kept here, not in the page: a page
//! whose web process ends is loaded again and would count from nought (a
//! page ended every few minutes, by the out-of-memory killer say, would
//! never lock), a page that hangs counts nothing at all, and a hidden
//! page's timers may be slowed; the tray and the palette copy codes all
//! the while.
//!
//! Use is a key, a click or a wheel in the window (the page says so, at
//! most every 5 s, and the last of a burst too: `note_use`; a page that
//! hangs may not have said its last few seconds), a code copied from
//! anywhere, and an unlock. Time is the boot clock on Linux, which counts a suspended
//! computer's sleep too and does not jump with the wall clock. The thread
//! sleeps until the lock would be due (a minute at most at a time, as a
//! sleep's own clock stops with the computer), and not at all while there
//! are no keys to lock or no minutes set.

use crate::state::AppState;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;
use tauri::{AppHandle, Manager};

/// The longest sleep between two looks at the clock.
const LOOK_AT_MOST: Duration = Duration::from_secs(60);

/// The last use, and a count of stirs that the thread waits on.
#[derive(Debug)]
pub struct IdleClock {
    clock: Mutex<Clock>,
    stirred: Condvar,
}

#[derive(Debug, Clone, Copy)]
struct Clock {
    /// The boot clock's reading at the last use.
    last_use: Duration,
    /// Bumped whenever the thread should ask the store again now (an
    /// unlock, a change of the settings or of the lock).
    stirs: u64,
}

impl Default for IdleClock {
    fn default() -> Self {
        Self {
            clock: Mutex::new(Clock {
                last_use: now(),
                stirs: 0,
            }),
            stirred: Condvar::new(),
        }
    }
}

impl IdleClock {
    fn clock(&self) -> MutexGuard<'_, Clock> {
        self.clock.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Someone used Watchword now.
    pub fn used(&self) {
        self.clock().last_use = now();
    }

    /// What the thread decided from may have changed (the lock opened,
    /// the minutes changed): it asks the store again at once.
    pub fn look_again(&self) {
        let mut clock = self.clock();
        clock.stirs = clock.stirs.wrapping_add(1);
        self.stirred.notify_all();
    }

    /// Waits until stirred after `stirs`, or for `at_most` (`None`: no
    /// end).
    fn wait(&self, stirs: u64, at_most: Option<Duration>) {
        let clock = self.clock();
        let unstirred = |clock: &mut Clock| clock.stirs == stirs;
        match at_most {
            Some(after) => drop(self.stirred.wait_timeout_while(clock, after, unstirred)),
            None => drop(self.stirred.wait_while(clock, unstirred)),
        }
    }
}

/// What the idle lock does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    /// Lock now.
    Lock,
    /// Look again after this long (or when stirred).
    Look(Duration),
    /// Nothing to lock, or no minutes set: wait until stirred.
    Wait,
}

/// Decides from the minutes without use that lock (`None`: never), whether
/// keys are held, and the boot clock's readings at the last use and now.
fn next(minutes: Option<u32>, open: bool, last_use: Duration, now: Duration) -> Next {
    let Some(minutes) = minutes.filter(|m| *m > 0) else {
        return Next::Wait;
    };
    if !open {
        return Next::Wait;
    }
    let due = last_use.saturating_add(Duration::from_secs(u64::from(minutes) * 60));
    match due.checked_sub(now) {
        Some(left) if !left.is_zero() => Next::Look(left.min(LOOK_AT_MOST)),
        _ => Next::Lock,
    }
}

/// The page says the user pressed a key, clicked or scrolled.
#[tauri::command]
pub fn note_use(state: tauri::State<'_, AppState>) {
    state.idle.used();
}

/// Starts the idle lock's thread.
pub fn start(app: AppHandle) {
    let spawned = std::thread::Builder::new()
        .name("idle-lock".into())
        .spawn(move || run(&app));
    if let Err(error) = spawned {
        eprintln!("watchword: the lock after a while without use cannot run: {error}");
    }
}

fn run(app: &AppHandle) {
    let state = app.state::<AppState>();
    // Nothing to lock before an unlock (or the lock turned on), which
    // stirs: Watchword starts locked or with the lock off.
    state.idle.wait(0, None);
    // The store's last answer: the minutes, and whether keys are held.
    let mut known: (Option<u32>, bool) = (None, false);
    loop {
        let stirs = state.idle.clock().stirs;
        let last_use = state.idle.clock().last_use;
        // Due by the last answer: locked with no wait for the store (a
        // change of ours may hold it, waiting on another process), as
        // `lock_if_open` asks it to give way first.
        let due = next(known.0, known.1, last_use, now()) == Next::Lock;
        // Otherwise asked each time: the settings and the lock change
        // under it (this window's, another process's).
        let asked = if due {
            Ok(known)
        } else {
            state.with_store(|store| {
                Ok((store.settings().auto_lock_minutes, store.holds_vault_key()))
            })
        };
        let (minutes, open) = match asked {
            Ok(answer) => answer,
            // Not to be asked now (the keychain away): again in a while.
            Err(_) => (None, true),
        };
        known = (minutes, open);
        let wait = match next(minutes, open, last_use, now()) {
            Next::Lock if lock_if_still_idle(app, minutes) => {
                known.1 = false;
                continue;
            }
            // Not locked (the keychain refused?): again in a while, not in
            // a spin.
            Next::Lock => Some(LOOK_AT_MOST),
            Next::Look(after) => Some(after),
            Next::Wait if asked.is_err() => Some(LOOK_AT_MOST),
            Next::Wait => None,
        };
        state.idle.wait(stirs, wait);
    }
}

/// Locks unless a use came after the decision, as the screen lock does
/// (asked first, judged by the keys held: [`crate::lock::lock_if_open`]).
/// False when it should have locked and could not.
fn lock_if_still_idle(app: &AppHandle, minutes: Option<u32>) -> bool {
    let last_use = app.state::<AppState>().idle.clock().last_use;
    if next(minutes, true, last_use, now()) != Next::Lock {
        return true;
    }
    crate::lock::lock_if_open(app, "after a while without use")
}

/// The boot clock: counts a suspended computer's sleep, never jumps.
#[cfg(target_os = "linux")]
fn now() -> Duration {
    let time = rustix::time::clock_gettime(rustix::time::ClockId::Boottime);
    Duration::new(
        u64::try_from(time.tv_sec).unwrap_or(0),
        u32::try_from(time.tv_nsec).unwrap_or(0),
    )
}

/// Elsewhere, a monotonic clock from the first reading.
#[cfg(not(target_os = "linux"))]
fn now() -> Duration {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn nothing_is_watched_without_minutes_or_keys() {
        let then = Duration::from_secs(1000);
        let much_later = then + MINUTE * 600;
        assert_eq!(next(None, true, then, much_later), Next::Wait);
        assert_eq!(next(Some(0), true, then, much_later), Next::Wait);
        assert_eq!(next(Some(5), false, then, much_later), Next::Wait);
    }

    #[test]
    fn the_lock_comes_when_the_minutes_are_up_and_not_before() {
        let then = Duration::from_secs(1000);
        assert_eq!(
            next(
                Some(5),
                true,
                then,
                then + MINUTE * 5 - Duration::from_secs(1)
            ),
            Next::Look(Duration::from_secs(1))
        );
        assert_eq!(next(Some(5), true, then, then + MINUTE * 5), Next::Lock);
        assert_eq!(next(Some(5), true, then, then + MINUTE * 50), Next::Lock);
    }

    #[test]
    fn a_long_wait_is_looked_at_every_minute() {
        let then = Duration::from_secs(1000);
        assert_eq!(
            next(Some(30), true, then, then + Duration::from_secs(10)),
            Next::Look(LOOK_AT_MOST)
        );
        // A use read after "now" (another thread's, just then) is no lock.
        assert_eq!(
            next(Some(1), true, then + Duration::from_secs(1), then),
            Next::Look(MINUTE.min(LOOK_AT_MOST))
        );
    }

    #[test]
    fn a_use_moves_the_lock_and_a_look_again_wakes_the_thread() {
        let idle = IdleClock::default();
        let before = idle.clock().last_use;
        std::thread::sleep(Duration::from_millis(5));
        idle.used();
        let used = *idle.clock();
        assert!(used.last_use > before);
        assert_eq!(used.stirs, 0, "a use alone does not wake the thread");
        idle.look_again();
        let stirred = *idle.clock();
        assert_eq!(stirred.stirs, 1);
        assert_eq!(stirred.last_use, used.last_use, "a stir is no use");
    }

    #[test]
    fn the_boot_clock_goes_forward() {
        let first = now();
        std::thread::sleep(Duration::from_millis(5));
        assert!(now() > first);
    }
}
