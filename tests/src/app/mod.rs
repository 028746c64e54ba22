//! The running app as a test sees it: a WebDriver session on the window
//! (here: launching, raw and failing commands, the report of a failure), the
//! rows and dialogs it shows ([`window`]), and its codes and the clipboard's
//! timing ([`codes`]).

mod codes;
mod window;

pub use codes::*;

use crate::driver::{live_group_members, signal_group, Driver};
use crate::env::require_program;
use crate::profile::Profile;
use crate::tools::tool;
use crate::webdriver::{agent, command, element_id, Method, WebDriverError};
use crate::{wait_until, REQUEST_TIMEOUT, TIMEOUT};
use serde_json::{json, Value};
use std::fmt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// WebDriver's key for Enter.
pub const KEY_ENTER: char = '\u{E007}';
/// WebDriver's key for Escape.
pub const KEY_ESCAPE: char = '\u{E00C}';
/// WebDriver's key for the down arrow.
pub const KEY_DOWN: char = '\u{E015}';
/// WebDriver's key for the up arrow.
pub const KEY_UP: char = '\u{E013}';
/// WebDriver's key for Ctrl.
pub const KEY_CONTROL: char = '\u{E009}';
/// WebDriver's key for Alt.
pub const KEY_ALT: char = '\u{E00A}';

/// One account in the "accounts found" preview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub issuer: String,
    pub name: String,
    pub details: String,
    pub picked: bool,
    pub duplicate: bool,
}

/// One account row as the list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub id: String,
    /// `totp`, `hotp` or `steam` (the row's data-kind).
    pub kind: String,
    pub issuer: String,
    pub name: String,
    /// The code button's text as shown ("123 456").
    pub code: String,
}

impl Row {
    /// CSS selector of this row, or of `inner` within it.
    pub fn css(&self, inner: &str) -> String {
        format!("li.account[data-id=\"{}\"] {inner}", self.id)
            .trim()
            .to_owned()
    }
}

/// The running app: a WebDriver session on a fresh tauri-driver. Dropping it
/// ends the session (which closes the app) and stops the driver; when the
/// test is failing it first saves a screenshot and prints the driver's log.
pub struct App<'p> {
    profile: &'p Profile,
    launch: u32,
    agent: ureq::Agent,
    session_url: String,
    session: bool,
    driver: Driver,
}

impl fmt::Debug for App<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("App")
            .field("profile", &self.profile.name)
            .field("launch", &self.launch)
            .field("session", &self.session_url)
            .finish_non_exhaustive()
    }
}

impl<'p> App<'p> {
    pub(crate) fn launch(
        profile: &'p Profile,
        launch: u32,
        application: &Path,
        args: &[&str],
    ) -> Self {
        let driver = Driver::start(profile, launch);
        let agent = agent(REQUEST_TIMEOUT);
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "wry",
                    "tauri:options": { "application": application, "args": args },
                }
            }
        });
        let created = command(
            &agent,
            &format!("{}/session", driver.url()),
            Method::Post,
            "POST /session",
            Some(capabilities),
        )
        .unwrap_or_else(|e| panic!("cannot start the app: {e}\n{}", driver.log_tail()));
        let id = created
            .get("sessionId")
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("new session answered without a sessionId: {created}"));
        let session_url = format!("{}/session/{id}", driver.url());
        Self {
            profile,
            launch,
            agent,
            session_url,
            session: true,
            driver,
        }
    }

    /// Everything the app (and its drivers) printed so far.
    pub fn output(&self) -> String {
        self.driver.log_text()
    }

    /// Freezes every process of the app for `duration`, as a laptop's sleep
    /// does (timers stop, the clock does not), then lets them run again.
    pub fn suspend_for(&self, duration: Duration) {
        let group = self.driver.child.id();
        signal_group(group, "STOP");
        std::thread::sleep(duration);
        signal_group(group, "CONT");
    }

    /// The command lines of the app's processes, as any user of the
    /// machine can read them (`/proc/PID/cmdline`, arguments joined by
    /// spaces).
    pub fn command_lines(&self) -> Vec<String> {
        self.app_processes()
            .iter()
            .map(|pid| {
                let raw = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                String::from_utf8_lossy(&raw).replace('\0', " ")
            })
            .collect()
    }

    /// The pids of the app's own processes: the `watchword` process and
    /// everything it started (WebKit's web and network processes), not the
    /// driver that launched it.
    pub fn app_processes(&self) -> Vec<u32> {
        let group = self.driver.child.id();
        let members = live_group_members(group);
        let parent_of = |pid: u32| -> Option<u32> {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            stat[stat.rfind(')')? + 1..]
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()
        };
        let name_of =
            |pid: u32| std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        let Some(app) = members
            .iter()
            .copied()
            .find(|&pid| name_of(pid).trim() == "watchword")
        else {
            return Vec::new();
        };
        let mut tree = vec![app];
        // Children may live outside the driver's group: look at every process.
        let all: Vec<u32> = std::fs::read_dir("/proc")
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                    .collect()
            })
            .unwrap_or_default();
        let mut grew = true;
        while grew {
            grew = false;
            for &pid in &all {
                if !tree.contains(&pid) && parent_of(pid).is_some_and(|p| tree.contains(&p)) {
                    tree.push(pid);
                    grew = true;
                }
            }
        }
        tree
    }

    /// The WebKit web processes the app runs now (a page in one of its own
    /// is one more).
    pub fn web_processes(&self) -> Vec<u32> {
        self.app_processes()
            .into_iter()
            .filter(|pid| {
                // The name as the kernel keeps it: cut to 15 bytes.
                std::fs::read_to_string(format!("/proc/{pid}/comm"))
                    .is_ok_and(|comm| comm.trim() == "WebKitWebProces")
            })
            .collect()
    }

    /// The text the app's showing window titled `title` shows, as the
    /// accessibility tree has it ([`crate::shown_text`]); None when the
    /// app or that window is not there.
    pub fn shown_text(&self, title: &str) -> Result<Option<Vec<String>>, String> {
        match self.app_processes().first() {
            Some(&pid) => crate::shown_text(pid, title),
            None => Ok(None),
        }
    }

    /// Kills the app's one web process, as a crash or the out-of-memory
    /// killer would end it, and waits until a new one runs.
    pub fn kill_web_process(&self) {
        let before = self.web_processes();
        assert_eq!(before.len(), 1, "one web process: {before:?}");
        let killed = std::process::Command::new("kill")
            .args(["-KILL", &before[0].to_string()])
            .status()
            .expect("kill runs");
        assert!(killed.success(), "kill: {killed}");
        self.wait_until("a new web process", || {
            let now = self.web_processes();
            if now.iter().any(|pid| !before.contains(pid)) {
                Ok(())
            } else {
                Err(format!("{now:?}"))
            }
        });
    }

    /// Waits until the unlock screen is shown (or gone).
    pub fn wait_locked(&self, locked: bool) {
        self.wait_until(
            &format!("the unlock screen shown = {locked}"),
            || match self.try_displayed("#unlock-password") {
                Ok(shown) if shown == locked => Ok(()),
                other => Err(format!("{other:?}")),
            },
        );
    }

    /// Types the lock's password on the unlock screen and unlocks.
    pub fn unlock(&self, password: &str) {
        self.fill("#unlock-password", password);
        self.click("#unlock-button");
    }

    /// Waits until the app's processes are gone (it quit by itself: the
    /// tray's Quit, the close question's).
    pub fn wait_ended(&self) {
        self.wait_until("Watchword to end", || {
            let left = self.app_processes();
            if left.is_empty() {
                Ok(())
            } else {
                Err(format!("still running: {left:?}"))
            }
        });
    }

    /// Closes the app and stops its driver (what dropping does), e.g. before
    /// launching the same profile again.
    pub fn quit(self) {
        drop(self);
    }

    fn end_session(&mut self) -> Result<(), WebDriverError> {
        if !std::mem::replace(&mut self.session, false) {
            return Ok(());
        }
        let agent = agent(Duration::from_secs(10));
        command(
            &agent,
            &self.session_url,
            Method::Delete,
            "DELETE /session",
            None,
        )
        .map(drop)
    }

    // ----- raw commands -----

    fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, WebDriverError> {
        let name = format!("{method:?} {path}").to_uppercase();
        command(
            &self.agent,
            &format!("{}{path}", self.session_url),
            method,
            &name,
            body,
        )
    }

    /// Runs `script` (a function body) in the page and returns its result.
    pub fn try_execute(&self, script: &str, args: Value) -> Result<Value, WebDriverError> {
        self.send(
            Method::Post,
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// Like [`App::try_execute`], failing the test on error.
    pub fn execute(&self, script: &str, args: Value) -> Value {
        self.try_execute(script, args)
            .unwrap_or_else(|e| panic!("script failed: {e}\nscript: {script}"))
    }

    fn element(&self, css: &str) -> Result<String, WebDriverError> {
        let found = self.send(
            Method::Post,
            "/element",
            Some(json!({ "using": "css selector", "value": css })),
        );
        let found = found.map_err(|mut e| {
            e.command = format!("find {css:?}");
            e
        })?;
        element_id(&found).ok_or_else(|| WebDriverError {
            command: format!("find {css:?}"),
            status: 200,
            error: "bad element reference".into(),
            message: found.to_string(),
        })
    }

    fn on_element(
        &self,
        css: &str,
        method: Method,
        action: &str,
        body: Option<Value>,
    ) -> Result<Value, WebDriverError> {
        let id = self.element(css)?;
        let path = if action.is_empty() {
            format!("/element/{id}")
        } else {
            format!("/element/{id}/{action}")
        };
        self.send(method, &path, body).map_err(|mut e| {
            e.command = format!("{action} on {css:?}");
            e
        })
    }

    /// How many elements match `css`.
    pub fn try_count(&self, css: &str) -> Result<usize, WebDriverError> {
        let found = self.send(
            Method::Post,
            "/elements",
            Some(json!({ "using": "css selector", "value": css })),
        )?;
        Ok(found.as_array().map_or(0, Vec::len))
    }

    /// The rendered text of the first element matching `css`.
    pub fn try_text(&self, css: &str) -> Result<String, WebDriverError> {
        let value = self.on_element(css, Method::Get, "text", None)?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// A DOM property (`value`, `hidden`, `disabled`, `open`, …).
    pub fn try_property(&self, css: &str, name: &str) -> Result<Value, WebDriverError> {
        self.on_element(css, Method::Get, &format!("property/{name}"), None)
    }

    /// Whether the element is displayed (WebDriver's notion of visible).
    pub fn try_displayed(&self, css: &str) -> Result<bool, WebDriverError> {
        Ok(self
            .on_element(css, Method::Get, "displayed", None)?
            .as_bool()
            .unwrap_or(false))
    }

    /// Whether a form control is enabled.
    pub fn try_enabled(&self, css: &str) -> Result<bool, WebDriverError> {
        Ok(self
            .on_element(css, Method::Get, "enabled", None)?
            .as_bool()
            .unwrap_or(false))
    }

    /// Clicks the element like a user would (scrolls it into view first).
    pub fn try_click(&self, css: &str) -> Result<(), WebDriverError> {
        self.on_element(css, Method::Post, "click", None).map(drop)
    }

    // ----- commands that fail the test -----

    fn must<T>(&self, result: Result<T, WebDriverError>) -> T {
        result.unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn count(&self, css: &str) -> usize {
        self.must(self.try_count(css))
    }

    pub fn text(&self, css: &str) -> String {
        self.must(self.try_text(css))
    }

    pub fn property(&self, css: &str, name: &str) -> Value {
        self.must(self.try_property(css, name))
    }

    /// The attribute `name` of the element at `css`, as the markup holds
    /// it (`None` where it has none).
    pub fn attribute(&self, css: &str, name: &str) -> Option<String> {
        self.execute(
            "return document.querySelector(arguments[0]).getAttribute(arguments[1]);",
            json!([css, name]),
        )
        .as_str()
        .map(str::to_owned)
    }

    pub fn displayed(&self, css: &str) -> bool {
        self.must(self.try_displayed(css))
    }

    pub fn enabled(&self, css: &str) -> bool {
        self.must(self.try_enabled(css))
    }

    pub fn click(&self, css: &str) {
        self.must(self.try_click(css));
    }

    /// Types `text` into a field, as key presses (each fires `input`).
    pub fn type_text(&self, css: &str, text: &str) {
        self.must(
            self.on_element(css, Method::Post, "value", Some(json!({ "text": text })))
                .map(drop),
        );
    }

    /// Empties a field.
    pub fn clear(&self, css: &str) {
        self.must(self.on_element(css, Method::Post, "clear", None).map(drop));
    }

    /// Empties a field, then types `text` into it.
    pub fn fill(&self, css: &str, text: &str) {
        self.clear(css);
        if !text.is_empty() {
            self.type_text(css, text);
        }
        let value = self.property(css, "value");
        assert_eq!(
            value.as_str(),
            Some(text),
            "{css} holds {value} after typing {text:?}"
        );
    }

    /// The names of the X windows on the display (`xwininfo -root -tree`):
    /// the native title bar, which the page's `<title>` does not set.
    pub fn x_window_names(&self) -> Vec<String> {
        require_program("xwininfo");
        let tree = tool(Command::new("xwininfo").args(["-root", "-tree"]));
        tree.lines()
            .filter_map(|line| {
                let start = line.find('"')? + 1;
                let end = start + line[start..].find('"')?;
                Some(line[start..end].to_owned())
            })
            .collect()
    }

    /// A PNG of the window.
    pub fn screenshot(&self) -> Result<Vec<u8>, WebDriverError> {
        let value = self.send(Method::Get, "/screenshot", None)?;
        let encoded = value.as_str().unwrap_or_default();
        data_encoding::BASE64
            .decode(encoded.as_bytes())
            .map_err(|e| WebDriverError {
                command: "GET /screenshot".into(),
                status: 200,
                error: "bad base64".into(),
                message: e.to_string(),
            })
    }

    /// Polls `probe` every 100 ms until it gives a value, failing the test
    /// after [`TIMEOUT`] with `what` and the probe's last explanation.
    pub fn wait_until<T>(&self, what: &str, probe: impl FnMut() -> Result<T, String>) -> T {
        wait_until(what, TIMEOUT, probe)
    }
}

impl App<'_> {
    /// Saves a screenshot and prints what helps to understand a failure.
    fn report_failure(&self) {
        let path = std::env::temp_dir().join(format!(
            "watchword-e2e-{}-{}-launch{}.png",
            self.profile.name,
            std::process::id(),
            self.launch
        ));
        match self.screenshot() {
            Ok(png) => match std::fs::write(&path, png) {
                Ok(()) => eprintln!("screenshot of the failing window: {}", path.display()),
                Err(e) => eprintln!("could not save the screenshot to {}: {e}", path.display()),
            },
            Err(e) => eprintln!("could not take a screenshot: {e}"),
        }
        if let Ok(Value::String(text)) =
            self.try_execute("return document.body.innerText;", json!([]))
        {
            eprintln!("--- window text ---\n{text}");
        }
        eprintln!("{}", self.driver.log_tail());
    }
}

impl Drop for App<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() && self.session {
            self.report_failure();
        }
        if let Err(e) = self.end_session() {
            eprintln!("warning: could not end the WebDriver session: {e}");
        }
        // `driver` drops next and stops whatever is left.
    }
}
