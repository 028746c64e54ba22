//! Watchword's window as a test drives it: the list and its rows, keys,
//! windows, toasts, the add form and the settings.

use super::{App, Found, Row, KEY_CONTROL};
use crate::webdriver::{Method, WebDriverError};
use serde_json::{json, Value};

impl App<'_> {
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
    /// Returns what the page saw of it (the pointer events that reached
    /// the document, and their targets), for a failure's message.
    pub fn drag(&self, from: &str, to: &str, dy: i64) -> String {
        self.execute(
            "window.__dragSeen = [];
             for (const type of ['pointerdown', 'pointermove', 'pointerup', 'pointercancel']) {
               document.addEventListener(type, (e) => {
                 const t = e.target instanceof Element
                   ? `${e.target.tagName.toLowerCase()}.${[...e.target.classList].join('.')}` : String(e.target);
                 window.__dragSeen.push(`${type} ${Math.round(e.clientX)},${Math.round(e.clientY)} ${t}`);
               }, { capture: true });
             }",
            json!([]),
        );
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
        let seen = self.execute("return (window.__dragSeen || []).join('; ');", json!([]));
        format!(
            "dragged from ({x0}, {y0}) to ({x1}, {y1}); the page saw: {}",
            seen.as_str().unwrap_or("nothing")
        )
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
}
