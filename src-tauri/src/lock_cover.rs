//! A page that does not show the lock. One that hangs (its web process
//! stopped, or busy for good) keeps its last frame, codes and all, on
//! screen after a lock, which only a live page can take off. So after each
//! lock the page has a moment to say it shows the lock screen; if it does
//! not, its window is covered with a line saying so, until it does (a page
//! that recovers shows the lock screen, as it was told while it hung).

use crate::state::AppState;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;
use tauri::{AppHandle, Manager};

/// How long the page has to show the lock screen.
const LOCK_SHOWN_WITHIN: Duration = Duration::from_secs(3);

/// What the main window says while its page is covered.
pub const COVERED: &str = "Watchword is locked. This window stopped responding, so its codes \
     were taken off the screen; the lock screen comes back here if it recovers. If it does \
     not, quit Watchword and start it again.";

/// The cover's widget name.
const COVER: &str = "watchword-lock-cover";

/// The latest lock the page has said it shows (counted as
/// [`AppState::locks`] counts them).
#[derive(Debug, Default)]
pub struct LockShown {
    shown: Mutex<u64>,
    told: Condvar,
}

impl LockShown {
    /// Waits, at most `within`, for the page to show lock `lock` or a later
    /// one; true when it did.
    fn wait_for(&self, lock: u64, within: Duration) -> bool {
        let shown = self.shown.lock().unwrap_or_else(PoisonError::into_inner);
        let (shown, _) = self
            .told
            .wait_timeout_while(shown, within, |shown| *shown < lock)
            .unwrap_or_else(PoisonError::into_inner);
        *shown >= lock
    }

    /// Whether lock `lock` (or a later one) was said shown, now.
    fn was_shown(&self, lock: u64) -> bool {
        *self.shown.lock().unwrap_or_else(PoisonError::into_inner) >= lock
    }

    fn shown(&self, lock: u64) {
        let mut shown = self.shown.lock().unwrap_or_else(PoisonError::into_inner);
        *shown = (*shown).max(lock);
        self.told.notify_all();
    }
}

/// After lock number `lock`: covers the main window unless its page shows
/// the lock screen within [`LOCK_SHOWN_WITHIN`].
pub fn cover_unless_the_lock_shows(app: &AppHandle, lock: u64) {
    let app = app.clone();
    let spawned = std::thread::Builder::new()
        .name("lock-shown".into())
        .spawn(move || {
            if app
                .state::<AppState>()
                .lock_shown
                .wait_for(lock, LOCK_SHOWN_WITHIN)
            {
                return;
            }
            set_covered(&app, Some(lock));
        });
    if let Err(error) = spawned {
        eprintln!("watchword: cannot watch the window show the lock: {error}");
    }
}

/// The page shows the lock screen (said after each lock it is told of):
/// a cover put over it meanwhile goes.
#[tauri::command]
pub fn lock_shown(app: AppHandle, state: tauri::State<'_, AppState>) {
    state
        .lock_shown
        .shown(state.locks.load(std::sync::atomic::Ordering::SeqCst));
    set_covered(&app, None);
}

/// Covers the main window's page with [`COVERED`] for lock `cover` (unless
/// the page has said it shows it by the time the main thread gets to it),
/// or takes the cover away (`None`); a page given up on keeps its own
/// message. Both are decided on the main thread, in the order they come,
/// so a page's word that arrives as the wait runs out is never followed by
/// a cover nothing would take away.
#[cfg(target_os = "linux")]
fn set_covered(app: &AppHandle, cover: Option<u64>) {
    use gtk::prelude::*;
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    let here = app.clone();
    // On the main thread, where GTK is.
    let _ = window.with_webview(move |webview| {
        let covered = match cover {
            Some(lock) if here.state::<AppState>().lock_shown.was_shown(lock) => return,
            Some(_) => {
                eprintln!("watchword: the window did not show the lock; its codes were covered");
                true
            }
            None => false,
        };
        let view = webview.inner();
        let Some(parent) = view
            .parent()
            .and_then(|parent| parent.downcast::<gtk::Container>().ok())
        else {
            return;
        };
        let cover = parent
            .children()
            .into_iter()
            .find(|child| child.widget_name() == COVER);
        match (covered, cover) {
            // Covered already, or given up (its own message says more).
            (true, Some(_)) => {}
            (true, None) if view.is_no_show_all() => {}
            (true, None) => crate::crash::say_in_place_of(&view, COVERED, COVER),
            (false, Some(cover)) => {
                parent.remove(&cover);
                view.set_no_show_all(false);
                view.show();
            }
            (false, None) => {}
        }
    });
}

/// Elsewhere the window is not covered yet (issues 11 and 12).
#[cfg(not(target_os = "linux"))]
fn set_covered(_app: &AppHandle, _cover: Option<u64>) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_counts_as_shown_once_the_page_says_so_for_it_or_a_later_one() {
        let shown = LockShown::default();
        assert!(!shown.wait_for(1, Duration::from_millis(10)), "not said");
        shown.shown(2);
        assert!(shown.wait_for(1, Duration::ZERO), "a later one said");
        assert!(shown.wait_for(2, Duration::ZERO));
        assert!(!shown.wait_for(3, Duration::from_millis(10)));
        // Said after the wait ran out, before the cover is put on: the
        // cover's own look (on the main thread) sees it.
        assert!(!shown.was_shown(3));
        // Said while waited for: the wait ends then.
        std::thread::scope(|scope| {
            let waiting = scope.spawn(|| shown.wait_for(3, Duration::from_secs(60)));
            shown.shown(3);
            assert!(waiting.join().expect("the waiter"));
            assert!(shown.was_shown(3));
        });
    }
}
