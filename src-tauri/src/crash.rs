//! A page whose web process ends (WebKit crashed, or the system killed it
//! for memory) would leave its window blank and deaf until Watchword
//! restarts: WebKitGTK does not load it again by itself, and neither does
//! Tauri. Both windows' pages share one web process (palette.rs), so one
//! crash would blank both. Each page is loaded again instead, as a browser
//! offers to. Nothing is lost: what the page shows comes from the store,
//! the lock is the store's, and a dialog's unsaved text is all that goes.
//!
//! A page that ends again within a minute of being loaded again is left
//! as it is, with a line on standard error: a page that crashes as it loads
//! must not loop.

use std::cell::Cell;
use std::time::{Duration, Instant};
use tauri::WebviewWindow;
use webkit2gtk::WebViewExt;

/// A second end within this long of the last reload is not reloaded.
const AGAIN_WITHIN: Duration = Duration::from_secs(60);

/// Loads `window`'s page again whenever its web process ends.
pub fn reload_after_a_crash(window: &WebviewWindow) {
    let label = window.label().to_owned();
    let _ = window.with_webview(move |webview| {
        let reloaded: Cell<Option<Instant>> = Cell::new(None);
        webview
            .inner()
            .connect_web_process_terminated(move |view, reason| {
                if reloaded.get().is_some_and(|at| at.elapsed() < AGAIN_WITHIN) {
                    eprintln!(
                        "watchword: the {label} window's page stopped again ({reason:?}); \
                         restart Watchword"
                    );
                    return;
                }
                eprintln!(
                    "watchword: the {label} window's page stopped ({reason:?}); loading it again"
                );
                reloaded.set(Some(Instant::now()));
                view.reload();
            });
    });
}
