//! End-to-end test harness: drives the real Watchword window under Xvfb
//! through tauri-driver and WebKitWebDriver, against a real Secret Service.
//!
//! Run the tests through `scripts/test.sh` (it makes a private D-Bus session
//! with an unlocked gnome-keyring and an Xvfb display). Each test makes a
//! [`Profile`] (a fresh data folder and a unique keychain service name, both
//! cleaned up on drop) and launches the app from it with [`Profile::launch`];
//! dropping the [`App`] closes the session and stops tauri-driver, so a second
//! `launch` of the same profile is a restart.
//!
//! Tests are serialised by the profile (one app on the display and the
//! clipboard at a time) and every wait is bounded.

pub mod xdnd;

mod app;
mod desktop;
mod driver;
mod env;
mod images;
mod logind;
mod measure;
mod memory;
mod otp;
mod profile;
mod tools;
mod tray;
mod wayland;
mod webdriver;

// Flat, as when all of this was one file: every `use watchword_e2e::{…}`
// in the tests names items at the crate root.
pub use app::*;
pub use desktop::*;
pub use env::*;
pub use images::*;
pub use logind::*;
pub use measure::*;
pub use memory::*;
pub use otp::*;
pub use profile::*;
pub use tools::*;
pub use tray::*;
pub use wayland::*;
pub use webdriver::*;

use std::time::{Duration, Instant};

/// How long a wait for the UI may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(15);
/// How often waits look again.
pub(crate) const POLL: Duration = Duration::from_millis(100);
/// Bound on one HTTP request; creating a session starts the app, which is the
/// slowest of them.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Bound on helper programs (cargo build excepted).
pub(crate) const TOOL_TIMEOUT: Duration = Duration::from_secs(20);
/// The W3C key of an element reference.
pub(crate) const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Environment variable that overrides the app's data folder.
pub const DATA_DIR_VAR: &str = "WATCHWORD_DATA_DIR";
/// Environment variable that overrides the app's keychain service name.
pub const SERVICE_VAR: &str = "WATCHWORD_KEYCHAIN_SERVICE";

/// Polls `probe` every 100 ms until it returns `Ok`, for at most `timeout`;
/// then fails naming `what` and the probe's last `Err` explanation.
pub fn wait_until<T>(
    what: &str,
    timeout: Duration,
    mut probe: impl FnMut() -> Result<T, String>,
) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        match probe() {
            Ok(value) => return value,
            Err(last) => {
                assert!(
                    Instant::now() < deadline,
                    "timed out after {timeout:?} waiting for {what}; last seen: {last}"
                );
            }
        }
        std::thread::sleep(POLL);
    }
}
