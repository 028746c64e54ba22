//! The running app as a test sees it: a WebDriver session on the window, the
//! rows and dialogs it shows, and the clipboard's timing.

use crate::driver::{live_group_members, signal_group, Driver};
use crate::env::require_program;
use crate::otp::{digits_of, grouped, unix_now, Totp};
use crate::profile::Profile;
use crate::tools::{clipboard_holds, clipboard_text, tool};
use crate::webdriver::{agent, command, element_id, Method, WebDriverError};
use crate::{wait_until, POLL, REQUEST_TIMEOUT, TIMEOUT};
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

/// After a step boundary, how long the app may still show the old code
/// (it repaints about once a second).
const GRACE: f64 = 3.0;

/// Sleeps until Unix time `unix` (at most five minutes, to stay bounded).
pub(crate) fn sleep_until(unix: f64) {
    let wait = (unix - unix_now()).clamp(0.0, 300.0);
    std::thread::sleep(Duration::from_secs_f64(wait));
}

/// A code the app copied, and when.
#[derive(Clone, Debug)]
pub struct Copied {
    /// What the clipboard held.
    pub code: String,
    /// Unix time just before the click.
    pub before: f64,
    /// Unix time once the app confirmed the copy.
    pub after: f64,
}

/// Checks the clipboard is cleared `delay` seconds after the copy: it must
/// still hold the code until `delay` after the click and offer nothing
/// (nobody owns it) within `delay` + 10 s after the app confirmed the copy.
/// Called right after the copy, so that the lower bound is checked.
pub fn assert_clipboard_clears_after(copied: &Copied, delay: f64) {
    assert_cleared_after(copied, delay, clipboard_holds);
}

/// [`assert_clipboard_clears_after`] for the clipboard `holds` reads:
/// `Ok(None)` when nobody owns it, `Err` when it could not be read.
pub fn assert_cleared_after(
    copied: &Copied,
    delay: f64,
    holds: impl Fn() -> Result<Option<String>, String>,
) {
    assert!(
        unix_now() < copied.before + delay - 1.0,
        "called {:.1} s after the copy: too late to see the clipboard held the code",
        unix_now() - copied.before
    );
    let deadline = copied.after + delay + 10.0;
    let limit = Duration::from_secs_f64((deadline - unix_now()).max(1.0));
    let cleared_at = wait_until(
        &format!("the clipboard to be cleared {delay} s after the copy"),
        limit,
        || {
            let asked = unix_now();
            match holds() {
                Ok(None) => Ok(asked),
                Ok(Some(text)) if text == copied.code => Err(format!(
                    "it still holds the code {:.1} s after the copy",
                    unix_now() - copied.before
                )),
                Ok(Some(other)) => panic!(
                    "the clipboard holds {other:?}, neither the code nor nothing, \
                     {:.1} s after the copy",
                    unix_now() - copied.before
                ),
                // An xclip failure is not a cleared clipboard: ask again, and
                // fail at the deadline with what xclip said.
                Err(error) => Err(error),
            }
        },
    );
    assert!(
        cleared_at >= copied.before + delay,
        "the clipboard was cleared {:.1} s after the click, before the {delay} s announced",
        cleared_at - copied.before
    );
}

/// Waits until `delay` + `margin` seconds after the copy (longer than the app
/// may take to clear it), checking all along that the clipboard holds
/// `expected`: for copies that must *not* be cleared.
pub fn assert_clipboard_keeps(copied: &Copied, delay: f64, margin: f64, expected: &str) {
    assert_kept(copied, delay, margin, expected, clipboard_holds);
}

/// [`assert_clipboard_keeps`] for the clipboard `holds` reads.
pub fn assert_kept(
    copied: &Copied,
    delay: f64,
    margin: f64,
    expected: &str,
    holds: impl Fn() -> Result<Option<String>, String>,
) {
    let until = copied.after + delay + margin;
    loop {
        let now = unix_now();
        let held = holds().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            held.as_deref(),
            Some(expected),
            "the clipboard {:.1} s after the copy",
            now - copied.before
        );
        if now > until {
            return;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
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

    // ----- Watchword's window -----

    /// Waits until the start-up load from the keychain is over and checks
    /// that no error is shown.
    pub fn wait_loaded(&self) {
        self.wait_until(
            "the account list to finish loading (#loading hidden)",
            || match self.try_property("#loading", "hidden") {
                Ok(Value::Bool(true)) => Ok(()),
                Ok(other) => Err(format!("#loading hidden = {other}")),
                Err(e) => Err(e.to_string()),
            },
        );
        self.assert_no_status();
    }

    /// Fails if the error banner (#status) is showing.
    pub fn assert_no_status(&self) {
        if self.property("#status", "hidden") != Value::Bool(true) {
            panic!("#status shows an error: {:?}", self.text("#status"));
        }
    }

    /// The account rows as shown, read at one instant.
    pub fn try_rows(&self) -> Result<Vec<Row>, WebDriverError> {
        let value = self.try_execute(
            "return Array.from(document.querySelectorAll('#accounts li.account')).map((li) => ({
                id: li.dataset.id || '',
                kind: li.dataset.kind || '',
                issuer: li.querySelector('.issuer').textContent,
                name: li.querySelector('.name').textContent,
                code: li.querySelector('button.code').textContent,
            }));",
            json!([]),
        )?;
        let field = |row: &Value, key: &str| {
            row.get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        Ok(value
            .as_array()
            .map(|rows| {
                rows.iter()
                    .map(|row| Row {
                        id: field(row, "id"),
                        kind: field(row, "kind"),
                        issuer: field(row, "issuer"),
                        name: field(row, "name"),
                        code: field(row, "code"),
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The account rows as shown now, in the list's order.
    pub fn rows_now(&self) -> Vec<Row> {
        self.try_rows().unwrap_or_else(|e| panic!("{e}"))
    }

    /// Opens the ⋯ menu of the row for `issuer` and clicks `item`.
    ///
    /// A change another process made just before (the CLI) reaches the
    /// window within seconds and redraws the list, which closes a menu
    /// opened meanwhile: the menu is opened again, its row found afresh,
    /// until the item has been clicked in an open menu.
    pub fn row_action(&self, issuer: &str, item: &str) {
        self.wait_until(&format!("{item} clicked in {issuer}'s ⋯ menu"), || {
            let row = self
                .try_rows()
                .map_err(|e| e.to_string())?
                .into_iter()
                .find(|r| r.issuer == issuer)
                .ok_or_else(|| format!("no row for {issuer}"))?;
            let opener = row.css("button.row-menu");
            let open = self
                .try_execute(
                    "const b = document.querySelector(arguments[0]);
                     return b !== null && b.getAttribute('aria-expanded') === 'true';",
                    json!([opener]),
                )
                .map_err(|e| e.to_string())?;
            if open != Value::Bool(true) {
                self.try_click(&opener).map_err(|e| e.to_string())?;
                return Err("the menu was closed: opened it".into());
            }
            if !self.try_displayed(item).map_err(|e| e.to_string())? {
                return Err(format!("{item} not shown yet"));
            }
            self.try_click(item).map_err(|e| e.to_string())
        });
    }

    /// Waits until the list holds `count` accounts and returns them.
    pub fn wait_rows(&self, count: usize) -> Vec<Row> {
        self.wait_until(&format!("{count} account row(s)"), || {
            let rows = self.try_rows().map_err(|e| e.to_string())?;
            if rows.len() == count {
                Ok(rows)
            } else {
                Err(format!("rows: {rows:?}"))
            }
        })
    }

    /// Waits for the row of the account with this issuer and account name.
    pub fn wait_row(&self, issuer: &str, name: &str) -> Row {
        self.wait_until(&format!("a row for {issuer} / {name}"), || {
            let rows = self.try_rows().map_err(|e| e.to_string())?;
            rows.iter()
                .find(|r| r.issuer == issuer && r.name == name)
                .cloned()
                .ok_or_else(|| format!("rows: {rows:?}"))
        })
    }

    /// Presses Ctrl+V in the window (WebDriver key actions, as a keyboard
    /// would), with the focus on the page rather than a text field.
    pub fn press_ctrl_v(&self) {
        self.execute(
            "document.activeElement && document.activeElement.blur();",
            json!([]),
        );
        self.press_ctrl('v');
    }

    /// Types `keys` on the keyboard into whatever has the focus (WebDriver
    /// key actions: real key events). Use the `KEY_*` constants for keys
    /// that are not characters.
    pub fn press_keys(&self, keys: &str) {
        let mut actions = Vec::new();
        for key in keys.chars() {
            actions.push(json!({"type": "keyDown", "value": key.to_string()}));
            actions.push(json!({"type": "keyUp", "value": key.to_string()}));
        }
        let body = json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]});
        self.send(Method::Post, "/actions", Some(body))
            .unwrap_or_else(|e| panic!("cannot type {keys:?}: {e}"));
        let _ = self.send(Method::Delete, "/actions", None);
    }

    /// Drags the element at `from` with the mouse (real pointer events) to
    /// the centre of `to`, `dy` pixels up or down from it, and lets go.
    pub fn drag(&self, from: &str, to: &str, dy: i64) {
        let centre = |css: &str| -> (i64, i64) {
            let rect = self.execute(
                "const r = document.querySelector(arguments[0]).getBoundingClientRect();
                 return [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)];",
                json!([css]),
            );
            (rect[0].as_i64().unwrap_or(0), rect[1].as_i64().unwrap_or(0))
        };
        let (x0, y0) = centre(from);
        let (x1, y1) = centre(to);
        let y1 = y1 + dy;
        let mut steps = vec![
            json!({"type": "pointerMove", "duration": 0, "x": x0, "y": y0}),
            json!({"type": "pointerDown", "button": 0}),
        ];
        for i in 1..=8 {
            steps.push(json!({"type": "pointerMove", "duration": 30,
                "x": x0 + (x1 - x0) * i / 8, "y": y0 + (y1 - y0) * i / 8}));
        }
        steps.push(json!({"type": "pointerUp", "button": 0}));
        let body = json!({"actions": [{
            "type": "pointer",
            "id": "mouse",
            "parameters": {"pointerType": "mouse"},
            "actions": steps,
        }]});
        self.send(Method::Post, "/actions", Some(body))
            .unwrap_or_else(|e| panic!("cannot drag {from} to {to}: {e}"));
        let _ = self.send(Method::Delete, "/actions", None);
    }

    /// The handles of the app's windows (the main one, the palette once
    /// made), in the driver's order.
    pub fn try_window_handles(&self) -> Result<Vec<String>, WebDriverError> {
        let handles = self.send(Method::Get, "/window/handles", None)?;
        Ok(handles
            .as_array()
            .map(|all| {
                all.iter()
                    .filter_map(|h| h.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Waits for a window of the app other than `first` (the palette, once
    /// made) and returns its handle.
    pub fn wait_other_window(&self, first: &str) -> String {
        self.wait_until("a second window", || {
            let handles = self.try_window_handles().map_err(|e| e.to_string())?;
            handles
                .into_iter()
                .find(|h| h != first)
                .ok_or_else(|| "one window only".to_owned())
        })
    }

    /// Waits until the settings saved in accounts.json hold `expected` as
    /// `key` (its camelCase name there).
    pub fn wait_saved_setting(&self, key: &str, expected: &Value) {
        let file = self.profile.data_dir().join("accounts.json");
        self.wait_until(&format!("{key} = {expected} saved"), || {
            let saved = std::fs::read_to_string(&file).map_err(|e| e.to_string())?;
            let saved: Value = serde_json::from_str(&saved).map_err(|e| e.to_string())?;
            match saved.pointer(&format!("/settings/{key}")) {
                Some(value) if value == expected => Ok(()),
                other => Err(format!("{key} = {other:?}")),
            }
        });
    }

    /// The window the next commands go to.
    pub fn current_window(&self) -> String {
        self.send(Method::Get, "/window", None)
            .unwrap_or_else(|e| panic!("cannot read the current window: {e}"))
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Sends the next commands to the window `handle`.
    pub fn switch_to_window(&self, handle: &str) {
        self.send(Method::Post, "/window", Some(json!({ "handle": handle })))
            .unwrap_or_else(|e| panic!("cannot switch to window {handle}: {e}"));
    }

    /// The window's size and place, as `[x, y, width, height]`.
    pub fn window_rect(&self) -> [i64; 4] {
        let rect = self
            .send(Method::Get, "/window/rect", None)
            .unwrap_or_else(|e| panic!("cannot read the window's rectangle: {e}"));
        ["x", "y", "width", "height"].map(|k| rect[k].as_i64().unwrap_or(-1))
    }

    /// Resizes the window (as a window manager would on a user's drag).
    pub fn set_window_size(&self, width: i64, height: i64) {
        self.send(
            Method::Post,
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )
        .unwrap_or_else(|e| panic!("cannot resize the window: {e}"));
    }

    /// Presses `key` with Ctrl held.
    pub fn press_ctrl(&self, key: char) {
        self.press_chord(KEY_CONTROL, key);
    }

    /// Presses `key` while `modifier` (a `KEY_*` constant) is held.
    pub fn press_chord(&self, modifier: char, key: char) {
        self.press_combo(&[modifier], key);
    }

    /// Presses `key` with every one of `modifiers` held.
    pub fn press_combo(&self, modifiers: &[char], key: char) {
        let mut actions: Vec<Value> = modifiers
            .iter()
            .map(|m| json!({"type": "keyDown", "value": m.to_string()}))
            .collect();
        actions.push(json!({"type": "keyDown", "value": key.to_string()}));
        actions.push(json!({"type": "keyUp", "value": key.to_string()}));
        actions.extend(
            modifiers
                .iter()
                .rev()
                .map(|m| json!({"type": "keyUp", "value": m.to_string()})),
        );
        let keys = json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]});
        self.send(Method::Post, "/actions", Some(keys))
            .unwrap_or_else(|e| panic!("cannot press {modifiers:?}+{key:?}: {e}"));
        let _ = self.send(Method::Delete, "/actions", None);
    }

    /// The element that has the focus, as `tag#id.class` for messages.
    pub fn focused(&self) -> String {
        self.execute(
            "const e = document.activeElement;
             if (!e) return '';
             const li = e.closest('li.account');
             return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
               (e.className ? '.' + e.className : '') + (li ? ' in ' + li.dataset.id : '');",
            json!([]),
        )
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// The accounts the preview dialog lists, once it is open with `count`.
    pub fn wait_found(&self, count: usize) -> Vec<Found> {
        self.wait_until(&format!("the preview to list {count} account(s)"), || {
            let value = self
                .try_execute(
                    "const dialog = document.querySelector('#enrol-dialog');
                     if (!dialog.open) return null;
                     return Array.from(dialog.querySelectorAll('#enrol-list li.found')).map((li) => ({
                       issuer: li.querySelector('.found-issuer').value,
                       name: li.querySelector('.found-name').value,
                       details: li.querySelector('.found-details').textContent,
                       picked: li.querySelector('.pick').checked,
                       duplicate: li.classList.contains('duplicate'),
                     }));",
                    json!([]),
                )
                .map_err(|e| e.to_string())?;
            let Some(items) = value.as_array() else {
                return Err("the preview dialog is not open".into());
            };
            let text = |item: &Value, key: &str| {
                item[key].as_str().unwrap_or_default().to_owned()
            };
            let found: Vec<Found> = items
                .iter()
                .map(|item| Found {
                    issuer: text(item, "issuer"),
                    name: text(item, "name"),
                    details: text(item, "details"),
                    picked: item["picked"].as_bool().unwrap_or(false),
                    duplicate: item["duplicate"].as_bool().unwrap_or(false),
                })
                .collect();
            if found.len() == count {
                Ok(found)
            } else {
                Err(format!("the preview lists {found:?}"))
            }
        })
    }

    /// Opens the settings through the "More" menu.
    pub fn open_settings(&self) {
        self.click("#more-button");
        self.click("#settings-button");
        self.wait_until("the settings", || {
            match self.try_property("#settings-dialog", "open") {
                Ok(Value::Bool(true)) => Ok(()),
                other => Err(format!("#settings-dialog open = {other:?}")),
            }
        });
    }

    /// Sets a number field and lets the form save it, as leaving the field
    /// does.
    pub fn set_number(&self, css: &str, value: &str) {
        self.fill(css, value);
        self.execute(
            "document.querySelector(arguments[0]).dispatchEvent(new Event('change', { bubbles: true }));",
            json!([css]),
        );
    }

    /// Sets the clock correction to `offset` seconds in the settings and
    /// closes them. The codes follow once the save is through: wait for
    /// them (say, with [`App::assert_shown_totp_at`]).
    pub fn set_time_offset(&self, offset: i64) {
        self.open_settings();
        self.set_number("#set-offset", &offset.to_string());
        self.click("#settings-done");
    }

    /// Waits for a notice (toast) containing `containing`; returns it.
    ///
    /// The notice is taken down as it is read, in the same script, so a
    /// later wait can only be satisfied by a later notice, never by this one
    /// still on screen (a notice stays 3 s, longer than many steps take).
    pub fn wait_toast(&self, containing: &str) -> String {
        self.wait_until(&format!("a notice saying {containing:?}"), || {
            let (shown, text) = self.take_toast(containing)?;
            if shown && text.contains(containing) {
                Ok(text)
            } else {
                Err(format!("#toast shown={shown}, text={text:?}"))
            }
        })
    }

    /// Reads the notice in one script, so its text and visibility agree, and
    /// hides it when it is shown and contains `containing`.
    fn take_toast(&self, containing: &str) -> Result<(bool, String), String> {
        let read = self
            .try_execute(
                "const toast = document.querySelector('#toast');
                 const shown = !toast.hidden;
                 const text = toast.textContent;
                 if (shown && text.includes(arguments[0])) {
                   toast.hidden = true;
                   toast.textContent = '';
                 }
                 return [shown, text];",
                json!([containing]),
            )
            .map_err(|e| e.to_string())?;
        Ok((
            read[0].as_bool().unwrap_or(false),
            read[1].as_str().unwrap_or_default().to_owned(),
        ))
    }

    /// Takes down whatever notice is showing, so the next one is new.
    pub fn dismiss_toast(&self) {
        self.take_toast("").unwrap_or_else(|e| panic!("{e}"));
    }

    /// Clicks "Add" in the preview and waits for the list to hold `rows_after`.
    pub fn confirm_found(&self, rows_after: usize) -> Vec<Row> {
        self.click("#enrol-confirm");
        let rows = self.wait_rows(rows_after);
        self.wait_until("the preview to close", || {
            match self.try_property("#enrol-dialog", "open") {
                Ok(Value::Bool(false)) => Ok(()),
                other => Err(format!("#enrol-dialog open = {other:?}")),
            }
        });
        rows
    }

    /// Clicks "Add account" and waits for the dialog.
    pub fn open_add_form(&self) {
        self.click("#add-button");
        self.wait_until("the add dialog to open", || {
            match self.try_property("#add-dialog", "open") {
                Ok(Value::Bool(true)) => Ok(()),
                other => Err(format!("#add-dialog open = {other:?}")),
            }
        });
        assert!(
            !self.enabled("#add-submit"),
            "Add is enabled on an empty form"
        );
    }

    /// Waits until the add form shows an error, with Add disabled; returns
    /// the error text.
    pub fn wait_add_error(&self, containing: &str) -> String {
        self.wait_until(
            &format!("the add form to show an error with {containing:?}"),
            || {
                let error = self.try_text("#add-error").map_err(|e| e.to_string())?;
                let enabled = self.try_enabled("#add-submit").map_err(|e| e.to_string())?;
                if error.contains(containing) && !enabled {
                    Ok(error)
                } else {
                    Err(format!("#add-error = {error:?}, Add enabled = {enabled}"))
                }
            },
        )
    }

    /// Waits until the add form accepts its input: no error, a preview that
    /// contains `preview`, Add enabled. Returns the preview.
    pub fn wait_add_valid(&self, preview: &str) -> String {
        self.wait_until(
            &format!("the add form to accept its input (preview with {preview:?})"),
            || {
                let error = self.try_text("#add-error").map_err(|e| e.to_string())?;
                let shown = self.try_text("#add-preview").map_err(|e| e.to_string())?;
                let enabled = self.try_enabled("#add-submit").map_err(|e| e.to_string())?;
                if error.is_empty() && shown.contains(preview) && enabled {
                    Ok(shown)
                } else {
                    Err(format!(
                        "#add-error = {error:?}, #add-preview = {shown:?}, Add enabled = {enabled}"
                    ))
                }
            },
        )
    }

    /// Clicks Add and waits for the dialog to close and the list to hold
    /// `rows_after` accounts.
    pub fn submit_add(&self, rows_after: usize) -> Vec<Row> {
        self.click("#add-submit");
        self.wait_until("the add dialog to close", || {
            let open = self
                .try_property("#add-dialog", "open")
                .map_err(|e| e.to_string())?;
            if open == Value::Bool(false) {
                Ok(())
            } else {
                let error = self.try_text("#add-error").unwrap_or_default();
                Err(format!("still open; #add-error = {error:?}"))
            }
        });
        let rows = self.wait_rows(rows_after);
        self.assert_no_status();
        rows
    }

    /// Checks the TOTP code shown in `row` against oathtool. The app repaints
    /// within about a second of a step boundary, so a reading is judged only
    /// when it was taken wholly inside one step and at least [`GRACE`] after
    /// its start; otherwise it is taken again after the boundary. Returns the
    /// code.
    pub fn assert_shown_totp(&self, row: &Row, spec: &Totp<'_>) -> String {
        self.assert_shown_totp_at(row, spec, 0)
    }

    /// [`App::assert_shown_totp`] for a clock corrected by `offset` seconds
    /// (the app's clock correction setting).
    pub fn assert_shown_totp_at(&self, row: &Row, spec: &Totp<'_>, offset: i64) -> String {
        let unix_now = || unix_now() + offset as f64;
        let css = row.css("button.code");
        // Wait for a code to be painted at all.
        self.wait_until(&format!("a {}-digit code in {css}", spec.digits), || {
            let text = self.try_text(&css).map_err(|e| e.to_string())?;
            let digits = digits_of(&text);
            if digits.len() == spec.digits as usize && digits.bytes().all(|b| b.is_ascii_digit()) {
                Ok(())
            } else {
                Err(format!("{css} shows {text:?}"))
            }
        });
        // The code of the time step the reading ends in is right. The code of
        // the step before is accepted only while that step ended less than
        // [`GRACE`] before the reading began (the app repaints about once a
        // second): then the row is read again. Anything else fails at once,
        // so a repaint later than that after a rollover fails too.
        loop {
            let before = unix_now();
            let text = self.text(&css);
            let after = unix_now();
            let step = spec.step(after);
            let expected = spec.code_at(step * spec.period);
            if digits_of(&text) == expected {
                assert_eq!(
                    text,
                    grouped(&expected),
                    "the code is grouped as the UI promises"
                );
                return expected;
            }
            let just_rolled_over = spec.step(before - GRACE) != step;
            if just_rolled_over && digits_of(&text) == spec.code_at((step - 1) * spec.period) {
                std::thread::sleep(POLL);
                continue;
            }
            panic!(
                "{} / {} shows {text:?} between t={before:.3} and t={after:.3}; oathtool \
                 gives {expected} for that time step (the code before it is allowed only \
                 {GRACE} s past the boundary)",
                row.issuer, row.name
            );
        }
    }

    /// Waits for the last seconds of the current code of `row` and checks the
    /// countdown, the warning state and the hint with the next code; then,
    /// once the step is over, that the row shows the new code. Takes up to
    /// one period.
    pub fn assert_expiry_and_rollover(&self, row: &Row, spec: &Totp<'_>) {
        const SNAPSHOT: &str = "const li = document.querySelector(arguments[0]);
            if (!li) return null;
            const code = li.querySelector('button.code');
            const next = li.querySelector('.next-code');
            return [li.querySelector('.countdown .seconds').textContent, code.textContent,
                    code.title, li.classList.contains('expiring'),
                    next.hidden ? '' : next.textContent];";
        let limit = Duration::from_secs(spec.period + 10);
        let what = format!(
            "the last 5 seconds of the code of {} / {}",
            row.issuer, row.name
        );
        let (step, shown, title, expiring, next_shown) = wait_until(&what, limit, || {
            let before = unix_now();
            let snapshot = self
                .try_execute(SNAPSHOT, json!([row.css("")]))
                .map_err(|e| e.to_string())?;
            let after = unix_now();
            let text = |i: usize| snapshot[i].as_str().unwrap_or_default().to_owned();
            let seconds: u64 = text(0).parse().unwrap_or_else(|_| {
                panic!(
                    "the countdown of {} / {} shows {:?}, not a number of seconds",
                    row.issuer, row.name, snapshot[0]
                )
            });
            let step = spec.step(after);
            let end = ((step + 1) * spec.period) as f64;
            let settled = spec.step(before - GRACE) == step;
            // Painted at most a second ago, so never below what is left.
            assert!(
                (1..=spec.period).contains(&seconds)
                    && (!settled || seconds as f64 >= (end - after).ceil()),
                "the countdown shows {seconds} s at t={after:.3}, when {:.1} s are left",
                end - after
            );
            if seconds <= 5 && settled {
                Ok((
                    step,
                    text(1),
                    text(2),
                    snapshot[3].as_bool().unwrap_or(false),
                    text(4),
                ))
            } else {
                Err(format!("the countdown shows {seconds} s at t={after:.3}"))
            }
        });
        let current = spec.code_at(step * spec.period);
        let next = spec.code_at((step + 1) * spec.period);
        assert_eq!(shown, grouped(&current), "the code in its last seconds");
        assert!(
            expiring,
            "a code in its last 5 seconds is marked as expiring"
        );
        assert_eq!(
            title,
            format!("Next: {}", grouped(&next)),
            "an expiring code shows the next one"
        );
        assert_eq!(
            next_shown,
            format!("next {}", grouped(&next)),
            "the next code is shown beside the expiring one"
        );
        sleep_until(((step + 1) * spec.period) as f64 + GRACE);
        // The code of the step of the reading (the next one, unless the
        // machine stalled for a whole period), so no longer the old one.
        let now_shown = self.assert_shown_totp(row, spec);
        assert_ne!(now_shown, current, "the code rolled over");
    }

    /// Clicks the code of `row` and waits for the "Copied" toast; returns
    /// what the clipboard then holds (exactly, as pasting would give it),
    /// with the times just before the click and after the toast.
    pub fn copy_code(&self, row: &Row) -> Copied {
        self.copy_code_noting(row, "clears in 30 s")
    }

    /// [`App::copy_code`], for a notice that says `note` (in any case) about
    /// clearing, or says nothing about it when `note` is empty.
    pub fn copy_code_noting(&self, row: &Row, note: &str) -> Copied {
        self.copy_code_reading(row, note, clipboard_text)
    }

    /// [`App::copy_code_noting`], the clipboard read by `read` (another
    /// display server's clipboard).
    pub fn copy_code_reading(
        &self,
        row: &Row,
        note: &str,
        read: impl Fn() -> Result<String, String>,
    ) -> Copied {
        // A notice from an earlier copy would look the same: take it down.
        self.dismiss_toast();
        let before = unix_now();
        self.click(&row.css("button.code"));
        let toast = self.wait_toast("Copied");
        let after = unix_now();
        let lower = toast.to_lowercase();
        if note.is_empty() {
            assert!(!lower.contains("clears"), "toast says {toast:?}");
        } else {
            assert!(lower.contains(note), "toast says {toast:?}");
        }
        let code = read().unwrap_or_else(|e| panic!("{e}"));
        Copied {
            code,
            before,
            after,
        }
    }

    /// Copies the code of `row` (see [`App::copy_code`]) and checks the
    /// clipboard holds exactly the code (digits, no spaces) of the time step
    /// the copy happened in.
    pub fn assert_copy_totp(&self, row: &Row, spec: &Totp<'_>) -> Copied {
        let copied = self.copy_code(row);
        assert_copied_totp(&copied, spec, 0);
        copied
    }
}

/// Checks `copied` holds exactly oathtool's code (digits, no spaces) for the
/// time step the copy happened in, on a clock corrected by `offset` s.
pub fn assert_copied_totp(copied: &Copied, spec: &Totp<'_>, offset: i64) {
    {
        let Copied {
            code,
            before,
            after,
        } = copied;
        let (before, after) = (before + offset as f64, after + offset as f64);
        // The app read the clock somewhere between `before` and `after`; in
        // a code's last 2 seconds it copies the next one.
        let (first, last) = (spec.step(before), spec.step(after + 2.0));
        let allowed: Vec<String> = (first..=last)
            .map(|s| spec.code_at(s * spec.period))
            .collect();
        assert!(
            allowed.contains(code),
            "the clipboard holds {code:?}; the copy happened between t={before:.3} and \
             t={after:.3}, when oathtool gives {allowed:?}"
        );
    }
}

impl App<'_> {
    /// Waits until the clipboard no longer holds the copied code: the app
    /// promises to clear it 30 s after the copy (allowed 10 s of slack).
    pub fn assert_clipboard_clears(&self, copied: &Copied) {
        assert_clipboard_clears_after(copied, 30.0);
    }

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
