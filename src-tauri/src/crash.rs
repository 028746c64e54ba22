//! A page whose web process ends (WebKit crashed, or the system killed it
//! for memory) would leave its window blank and deaf until Watchword
//! restarts: WebKitGTK does not load it again by itself, and neither does
//! Tauri. Both windows' pages share one web process (palette.rs), so one
//! crash would blank both. Each page is loaded again instead, as a browser
//! offers to. Nothing is lost: what the page shows comes from the store,
//! the lock is the store's, and a dialog's unsaved text is all that goes.
//!
//! A page that ends again within a minute of being loaded again is not
//! loaded again: a page that crashes as it loads must not loop. Its window
//! then shows a line saying so instead of the page: the page's last frame
//! (its codes) would otherwise stay on screen, past the auto-lock, which
//! only a live page can show. With the lock on, Watchword locks then:
//! no window is left to unlock it in, and the tray and the palette would
//! otherwise copy codes until the minutes without use are up (idle.rs,
//! whose count a page loaded again does not restart).

use gtk::prelude::*;
use std::cell::Cell;
use std::time::{Duration, Instant};
use tauri::{Manager, WebviewWindow};
use webkit2gtk::{WebProcessTerminationReason, WebViewExt};

/// A second end within this long of the last reload is not reloaded.
const AGAIN_WITHIN: Duration = Duration::from_secs(60);

/// What the window says when its page is given up on.
pub const GIVEN_UP: &str = "This window stopped working twice in a minute, so its codes \
     were taken off the screen. Quit Watchword and start it again; your accounts are \
     safe in the keychain.";

/// Loads `window`'s page again whenever its web process ends.
pub fn reload_after_a_crash(window: &WebviewWindow) {
    let label = window.label().to_owned();
    let app = window.app_handle().clone();
    let _ = window.with_webview(move |webview| {
        let reloaded: Cell<Option<Instant>> = Cell::new(None);
        webview
            .inner()
            .connect_web_process_terminated(move |view, reason| {
                if reason == WebProcessTerminationReason::TerminatedByApi {
                    // Ended on purpose, by whoever called the API for it.
                    return;
                }
                if reloaded.get().is_some_and(|at| at.elapsed() < AGAIN_WITHIN) {
                    eprintln!(
                        "watchword: the {label} window's page stopped again ({reason:?}); \
                         restart Watchword"
                    );
                    give_up(view);
                    if label == "main" {
                        crate::links::page_ended(&app, true);
                    }
                    let app = app.clone();
                    // Off the main thread: the keychain may take a while.
                    std::thread::spawn(move || {
                        crate::lock::lock_if_open(&app, "as its page was given up on")
                    });
                    return;
                }
                eprintln!(
                    "watchword: the {label} window's page stopped ({reason:?}); loading it again"
                );
                reloaded.set(Some(Instant::now()));
                if label == "main" {
                    // What a second launch hands over meanwhile waits for
                    // the page loaded again to ask.
                    crate::links::page_ended(&app, false);
                }
                view.reload();
            });
    });
}

/// Takes the page's last frame off the screen and says why, in a GTK
/// label where the page was (no web process needed).
fn give_up(view: &webkit2gtk::WebView) {
    if view.is_no_show_all() {
        return; // given up (or covered) already: a message is there
    }
    say_in_place_of(view, GIVEN_UP, "watchword-given-up");
}

/// Hides `view` (also from the window's show_all: tao's show(), which a
/// second launch, a link, the tray and the palette's toggle call) and
/// shows `text` where it was, in a label named `name`.
pub(crate) fn say_in_place_of(view: &webkit2gtk::WebView, text: &str, name: &str) {
    view.set_no_show_all(true);
    view.hide();
    let Some(parent) = view
        .parent()
        .and_then(|parent| parent.downcast::<gtk::Container>().ok())
    else {
        return;
    };
    let said = gtk::Label::new(Some(text));
    said.set_widget_name(name);
    said.set_line_wrap(true);
    said.set_max_width_chars(60);
    said.set_margin_start(24);
    said.set_margin_end(24);
    match parent.downcast_ref::<gtk::Box>() {
        Some(column) => column.pack_start(&said, true, true, 0),
        None => parent.add(&said),
    }
    said.show();
}
