//! End-to-end: the main window people live in (issue 4): finding, copying,
//! arranging. Run through scripts/test.sh.

use watchword_e2e::{
    assert_copied_totp, clipboard_text, unix_now, Copied, Profile, Totp, KEY_ALT, KEY_DOWN,
    KEY_ENTER, KEY_ESCAPE, KEY_UP,
};

const AMAZON: &str = "JBSWY3DPEHPK3PXP";
const SELLER: &str = "GEZDGNBVGY3TQOJQGEZDGNBV";
const GITHUB: &str = "MFRGGZDFMZTWQ2LKNNWG23TP";
const BANK: &str = "ONSWG4TFOQYTEMZUGU3DOOBZ";

/// Four accounts, stored through the CLI on the profile.
fn seed(profile: &Profile) {
    for (issuer, account, key) in [
        ("Amazon", "buyer@example.com", AMAZON),
        ("Amazon Seller Central", "seller@example.com", SELLER),
        ("GitHub", "octocat", GITHUB),
        ("Société Générale", "moi", BANK),
    ] {
        profile.cli_add(&["--issuer", issuer, "--account", account], key);
    }
}

fn visible_issuers(app: &watchword_e2e::App<'_>) -> Vec<String> {
    let value = app.execute(
        "return Array.from(document.querySelectorAll('#accounts li.account:not([hidden]) .issuer'))
           .map((e) => e.textContent);",
        serde_json::json!([]),
    );
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Presses Enter where the focus is; the clipboard must then hold the code
/// of `key` for the time step of the copy.
fn assert_enter_copies(app: &watchword_e2e::App<'_>, key: &str) {
    let before = unix_now();
    app.press_keys(&KEY_ENTER.to_string());
    app.wait_toast("Copied");
    let after = unix_now();
    let code = clipboard_text().unwrap_or_else(|e| panic!("{e}"));
    let copied = Copied {
        code,
        before,
        after,
    };
    assert_copied_totp(&copied, &Totp::default_for(key), 0);
}

fn wait_visible(app: &watchword_e2e::App<'_>, expected: &[&str]) {
    app.wait_until(&format!("the list to show {expected:?}"), || {
        let shown = visible_issuers(app);
        if shown == expected {
            Ok(())
        } else {
            Err(format!("it shows {shown:?}"))
        }
    });
}

#[test]
fn type_to_find_then_copy_with_the_keyboard() {
    let profile = Profile::new("find");
    seed(&profile);
    let app = profile.launch();
    app.wait_loaded();
    app.wait_rows(4);
    let all = [
        "Amazon",
        "Amazon Seller Central",
        "GitHub",
        "Société Générale",
    ];
    wait_visible(&app, &all);

    // Icons: GitHub's own, Amazon's colour on a monogram (Simple Icons has
    // no Amazon icon), and a monogram for an unknown bank.
    let icons = app.execute(
        "return Array.from(document.querySelectorAll('#accounts li.account .monogram')).map((m) => {
           const brand = m.querySelector('.brand');
           return [brand ? brand.dataset.slug : m.textContent, getComputedStyle(m).backgroundColor];
         });",
        serde_json::json!([]),
    );
    assert_eq!(
        icons[0],
        serde_json::json!(["A", "rgb(255, 153, 0)"]),
        "{icons}"
    );
    assert_eq!(
        icons[1],
        serde_json::json!(["A", "rgb(255, 153, 0)"]),
        "{icons}"
    );
    assert_eq!(
        icons[2],
        serde_json::json!(["github", "rgb(24, 23, 23)"]),
        "{icons}"
    );
    assert_eq!(icons[3][0], "S", "{icons}");

    // Typing anywhere searches, loosely: "amzn" finds both Amazons.
    app.execute(
        "document.activeElement && document.activeElement.blur();",
        serde_json::json!([]),
    );
    app.press_keys("amzn");
    assert_eq!(app.property("#search", "value"), "amzn");
    wait_visible(&app, &["Amazon", "Amazon Seller Central"]);

    // Enter copies the first match.
    assert_enter_copies(&app, AMAZON);

    // Esc clears the search.
    app.press_keys(&KEY_ESCAPE.to_string());
    wait_visible(&app, &all);
    assert_eq!(app.property("#search", "value"), "");

    // Accents do not matter, and the best match comes first.
    app.execute(
        "document.activeElement && document.activeElement.blur();",
        serde_json::json!([]),
    );
    app.press_keys("societe");
    wait_visible(&app, &["Société Générale"]);
    app.press_keys(&KEY_ESCAPE.to_string());
    app.press_keys("seller");
    wait_visible(&app, &["Amazon Seller Central"]);
    app.press_keys(&KEY_ESCAPE.to_string());
    app.press_keys("hub");
    wait_visible(&app, &["GitHub"]);

    // Nothing matches: the list says so.
    app.press_keys("zzz");
    app.wait_until("the no-match notice", || {
        match app.try_displayed("#no-match") {
            Ok(true) => Ok(()),
            other => Err(format!("#no-match displayed = {other:?}")),
        }
    });
    assert_eq!(app.text("#no-match"), "No account matches “hubzzz”.");
    app.press_keys(&KEY_ESCAPE.to_string());
    wait_visible(&app, &all);

    // Arrows move from the search to the codes and between them; Enter on
    // a code copies it; Ctrl+F comes back to the search.
    app.click("#search");
    app.press_keys(&format!("{KEY_DOWN}{KEY_DOWN}"));
    let focused = app.focused();
    assert!(focused.starts_with("button.code in "), "{focused}");
    let second = app.rows_now()[1].id.clone();
    assert!(
        focused.ends_with(&second),
        "the second row has the focus: {focused}"
    );
    app.press_keys(&KEY_UP.to_string());
    app.press_keys(&KEY_UP.to_string());
    assert_eq!(app.focused(), "input#search");
    app.press_keys(&format!("{KEY_DOWN}{KEY_DOWN}{KEY_DOWN}"));
    // The third row is GitHub.
    assert_enter_copies(&app, GITHUB);
    app.press_ctrl('f');
    assert_eq!(app.focused(), "input#search");

    // "?" away from the search lists the shortcuts; Esc closes it.
    app.press_keys(&KEY_ESCAPE.to_string());
    app.execute(
        "document.activeElement && document.activeElement.blur();",
        serde_json::json!([]),
    );
    app.press_keys("?");
    app.wait_until("the shortcuts", || {
        match app.try_property("#help-dialog", "open") {
            Ok(serde_json::Value::Bool(true)) => Ok(()),
            other => Err(format!("#help-dialog open = {other:?}")),
        }
    });
    assert!(app.text("#help-dialog").contains("Undo a deletion"));
    assert_eq!(
        app.property("#search", "value"),
        "",
        "not typed into the search"
    );
    app.press_keys(&KEY_ESCAPE.to_string());
    app.wait_until("the shortcuts to close", || {
        match app.try_property("#help-dialog", "open") {
            Ok(serde_json::Value::Bool(false)) => Ok(()),
            other => Err(format!("#help-dialog open = {other:?}")),
        }
    });
    app.quit();
}

/// Waits until the `<dialog>` at `css` is open (or closed).
fn wait_dialog(app: &watchword_e2e::App<'_>, css: &str, open: bool) {
    app.wait_until(&format!("{css} open = {open}"), || {
        match app.try_property(css, "open") {
            Ok(serde_json::Value::Bool(now)) if now == open => Ok(()),
            other => Err(format!("{css} open = {other:?}")),
        }
    });
}

/// The key is nowhere in the page: not in its text, its markup and
/// attributes, nor any form field's value (which neither shows in).
fn assert_no_key_in_page(app: &watchword_e2e::App<'_>) {
    let everywhere = app.execute(
        "return [document.documentElement.outerHTML, document.body.innerText,
                 ...Array.from(document.querySelectorAll('input, textarea, select'))
                   .map((e) => e.value)].join('\\n');",
        serde_json::json!([]),
    );
    let text = everywhere.as_str().expect("a string");
    for form in ["MFRGGZDFMZTWQ2LKNNWG23TP", "MFRG GZDF MZTW Q2LK NNWG 23TP"] {
        assert!(!text.contains(form), "the page holds the key");
    }
}

fn issuers_in_order(app: &watchword_e2e::App<'_>) -> Vec<String> {
    app.rows_now().into_iter().map(|r| r.issuer).collect()
}

fn wait_order(app: &watchword_e2e::App<'_>, expected: &[&str]) {
    app.wait_until(&format!("the list in the order {expected:?}"), || {
        let shown = issuers_in_order(app);
        if shown == expected {
            Ok(())
        } else {
            Err(format!("it shows {shown:?}"))
        }
    });
}

#[test]
fn delete_with_undo_loses_nothing() {
    let profile = Profile::new("delete_undo");
    seed(&profile);
    let app = profile.launch();
    app.wait_loaded();
    app.wait_rows(4);

    // Delete, then Undo: nothing changes in the keychain.
    app.row_action("GitHub", "#row-delete");
    app.click("#confirm-delete");
    app.wait_rows(3);
    assert!(app.displayed("#undo-bar"));
    assert_eq!(app.text("#undo-text"), "Deleted GitHub");
    app.click("#undo-button");
    app.wait_rows(4);
    app.wait_toast("Restored GitHub");
    assert_eq!(profile.keychain_items(), 4);

    // Delete and close the app within the 10 seconds: still there after.
    app.row_action("GitHub", "#row-delete");
    app.click("#confirm-delete");
    app.wait_rows(3);
    app.quit();
    assert_eq!(
        profile.keychain_items(),
        4,
        "closing during Undo loses nothing"
    );
    let app = profile.launch();
    app.wait_loaded();
    app.wait_rows(4);

    // Delete and let the 10 seconds pass: gone from the keychain too.
    app.row_action("GitHub", "#row-delete");
    app.click("#confirm-delete");
    app.wait_rows(3);
    assert_eq!(
        profile.keychain_items(),
        4,
        "not before the Undo window ends"
    );
    watchword_e2e::wait_until(
        "the deletion to reach the keychain after 10 s",
        std::time::Duration::from_secs(20),
        || match profile.keychain_items() {
            3 => Ok(()),
            n => Err(format!("{n} items")),
        },
    );
    assert!(!app.displayed("#undo-bar"));
    app.quit();
    let app = profile.launch();
    app.wait_loaded();
    // The other three are there first, so the list has loaded.
    app.wait_rows(3);
    assert!(!issuers_in_order(&app).contains(&"GitHub".to_owned()));
    app.quit();
}

#[test]
fn pin_reorder_and_rename_survive_a_restart() {
    let profile = Profile::new("arrange");
    seed(&profile);
    let app = profile.launch();
    app.wait_loaded();
    wait_order(
        &app,
        &[
            "Amazon",
            "Amazon Seller Central",
            "GitHub",
            "Société Générale",
        ],
    );

    // Pin the bank: it goes first and says so.
    app.row_action("Société Générale", "#row-pin");
    wait_order(
        &app,
        &[
            "Société Générale",
            "Amazon",
            "Amazon Seller Central",
            "GitHub",
        ],
    );
    app.wait_toast("Pinned Société Générale to the top");

    // Alt+↓ on Amazon moves it below Seller Central.
    let amazon = app
        .rows_now()
        .into_iter()
        .find(|r| r.issuer == "Amazon")
        .expect("Amazon");
    app.execute(
        "document.querySelector(arguments[0]).focus();",
        serde_json::json!([amazon.css("button.code")]),
    );
    app.press_chord(KEY_ALT, KEY_DOWN);
    wait_order(
        &app,
        &[
            "Société Générale",
            "Amazon Seller Central",
            "Amazon",
            "GitHub",
        ],
    );

    // Drag GitHub by its grip above Seller Central. The backup reminder
    // comes in above the list once the page has its backup status (4
    // accounts, none backed up): a drag aimed before it came would land a
    // row low, so the layout is first let settle on it.
    app.wait_until("the backup reminder above the list", || {
        let shown = app.execute(
            "return !document.getElementById('backup-reminder').hidden;",
            serde_json::json!([]),
        );
        if shown.as_bool() == Some(true) {
            Ok(())
        } else {
            Err("it is not shown".to_owned())
        }
    });
    let rows = app.rows_now();
    let github = rows.iter().find(|r| r.issuer == "GitHub").expect("GitHub");
    let seller = rows
        .iter()
        .find(|r| r.issuer == "Amazon Seller Central")
        .expect("Seller Central");
    app.drag(&github.css(".grip"), &seller.css(".names"), -8);
    wait_order(
        &app,
        &[
            "Société Générale",
            "GitHub",
            "Amazon Seller Central",
            "Amazon",
        ],
    );

    // Rename Amazon.
    app.row_action("Amazon", "#row-rename");
    app.fill("#rename-issuer", "Amazon.de");
    app.fill("#rename-name", "käufer@example.com");
    app.click("#rename-save");
    app.wait_toast("Renamed to Amazon.de (käufer@example.com)");

    app.quit();
    let app = profile.launch();
    app.wait_loaded();
    wait_order(
        &app,
        &[
            "Société Générale",
            "GitHub",
            "Amazon Seller Central",
            "Amazon.de",
        ],
    );
    let rows = app.rows_now();
    assert_eq!(rows[3].name, "käufer@example.com");
    // The keychain item carries the new name: the CLI reads it from there.
    let listed = profile.cli(&["list"]);
    assert!(
        listed.contains("Amazon.de") && listed.contains("käufer@example.com"),
        "{listed}"
    );
    app.quit();
}

#[test]
fn settings_change_the_codes_and_persist() {
    let profile = Profile::new("settings");
    profile.cli_add(&["--issuer", "Amazon", "--account", "me"], AMAZON);
    let spec = Totp::default_for(AMAZON);
    let app = profile.launch();
    app.wait_loaded();
    let row = app.wait_rows(1).remove(0);

    // A clock an hour slow, corrected.
    app.open_settings();
    app.set_number("#set-offset", "100000");
    app.wait_until("the out-of-range offset to be refused", || {
        let error = app.try_text("#settings-error").map_err(|e| e.to_string())?;
        if error.contains("at most a day") {
            Ok(())
        } else {
            Err(format!("#settings-error = {error:?}"))
        }
    });
    app.set_number("#set-offset", "3600");
    app.wait_until("the error to go", || {
        match app.try_text("#settings-error") {
            Ok(text) if text.is_empty() => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    app.click("#settings-done");
    app.assert_shown_totp_at(&row, &spec, 3600);

    // Clear after 10 s.
    app.open_settings();
    app.set_number("#set-clear", "10");
    app.click("#settings-done");
    // At once: the copy waits for the save on its way. In the last 2 s of a
    // period the notice says the next code was copied; either way it names
    // the delay, and the clipboard holds oathtool's code for the corrected
    // clock.
    let copied = app.copy_code_noting(&row, "clears in 10 s");
    watchword_e2e::assert_copied_totp(&copied, &spec, 3600);
    watchword_e2e::assert_clipboard_clears_after(&copied, 10.0);

    // Something else copied since: the clipboard is cleared only if it still
    // holds the code, so the other text stays past the delay.
    let copied = app.copy_code_noting(&row, "clears in 10 s");
    let dir = profile.data_dir().parent().expect("the profile's folder");
    watchword_e2e::put_clipboard_text(dir, "a shopping list");
    watchword_e2e::assert_clipboard_keeps(&copied, 10.0, 5.0, "a shopping list");

    // Never clear the clipboard: the notice says nothing about clearing, and
    // the code is still there well past the 10 s set before.
    app.open_settings();
    app.click("#set-clear-on");
    app.click("#settings-done");
    let copied = app.copy_code_noting(&row, "");
    watchword_e2e::assert_copied_totp(&copied, &spec, 3600);
    watchword_e2e::assert_clipboard_keeps(&copied, 10.0, 5.0, &copied.code);
    // Back to 10 s, which the restart below must keep.
    app.open_settings();
    app.click("#set-clear-on");
    app.set_number("#set-clear", "10");
    app.click("#settings-done");

    // Always show the next code, hide codes until clicked, dark theme.
    app.open_settings();
    app.click("#set-next");
    app.click("#set-hide");
    app.execute(
        "const s = document.querySelector('#set-theme'); s.value = 'dark';
         s.dispatchEvent(new Event('change', { bubbles: true }));",
        serde_json::json!([]),
    );
    app.click("#settings-done");
    app.wait_until("the code to be hidden", || {
        let text = app
            .try_text(&row.css("button.code"))
            .map_err(|e| e.to_string())?;
        if text == "••• •••" {
            Ok(())
        } else {
            Err(format!("shows {text:?}"))
        }
    });
    assert!(
        !app.displayed(&row.css(".next-code")),
        "a hidden code hides its next one too"
    );
    // A click shows the code and, always, the next one, until the code
    // changes: then both are hidden again. The click is early in a period;
    // if a boundary still passes before the checks end (a stalled machine),
    // they are done again after a fresh click.
    let reveal = |clicked: f64| -> Result<(), String> {
        let step = spec.step(clicked + 3600.0);
        app.wait_until("the clicked code and the next one to show", || {
            let code = app
                .try_text(&row.css("button.code"))
                .map_err(|e| e.to_string())?;
            let next = app
                .try_displayed(&row.css(".next-code"))
                .map_err(|e| e.to_string())?;
            if spec.step(unix_now() + 3600.0) != step {
                return Ok(Err("a boundary passed".to_owned()));
            }
            let expected = spec.code_at(step * spec.period);
            match (code == watchword_e2e::grouped(&expected), next) {
                (true, true) => Ok(Ok(())),
                _ => Err(format!(
                    "shows {code:?} (oathtool: {expected}), next displayed: {next}"
                )),
            }
        })
    };
    for attempt in 1.. {
        assert!(attempt <= 3, "three reveals in a row straddled a boundary");
        let clicked = spec.sleep_into_step(3600, 1.0, 8.0);
        app.click(&row.css("button.code"));
        app.wait_toast("Copied");
        match reveal(clicked) {
            Ok(()) => break,
            Err(why) => eprintln!("reveal {attempt}: {why}; again"),
        }
    }
    let theme = app.execute(
        "return [document.documentElement.dataset.theme || '',
                 getComputedStyle(document.body).backgroundColor];",
        serde_json::json!([]),
    );
    assert_eq!(theme, serde_json::json!(["dark", "rgb(20, 22, 31)"]));

    // All of it is still so after a restart.
    app.quit();
    let app = profile.launch();
    app.wait_loaded();
    app.open_settings();
    assert_eq!(app.property("#set-offset", "value"), "3600");
    assert_eq!(app.property("#set-clear", "value"), "10");
    assert_eq!(app.property("#set-clear-on", "checked"), true);
    assert_eq!(app.property("#set-hide", "checked"), true);
    assert_eq!(app.property("#set-next", "checked"), true);
    assert_eq!(app.property("#set-theme", "value"), "dark");
    app.quit();
}

#[test]
fn one_window_that_remembers_its_size() {
    let profile = Profile::new("one_window");
    let app = profile.launch();
    app.wait_loaded();
    let windows = |app: &watchword_e2e::App<'_>| {
        app.x_window_names()
            .into_iter()
            .filter(|name| name == "Watchword")
            .count()
    };
    let before = windows(&app);
    assert!(before >= 1);

    // Launching again hands over to the running app and exits.
    let status = profile.launch_again_directly();
    assert!(
        status.success(),
        "the second launch exits cleanly: {status}"
    );
    assert_eq!(windows(&app), before, "no second window");
    assert!(
        app.displayed("#search") || app.displayed("#empty-state"),
        "the first is alive"
    );

    // Behind another window, launching again brings it forward (to the top
    // of the stacking order: there is no window manager under Xvfb).
    let dir = profile.data_dir().parent().expect("the profile's folder");
    let page = dir.join("cover.png");
    std::fs::write(&page, watchword_e2e::qr_page_png(&[], 4)).expect("write the image");
    let [x, y, _, _] = app.window_rect();
    let _cover = watchword_e2e::show_image(&page, x as u32, y as u32);
    let top = || watchword_e2e::topmost_of(&["Watchword", "QR code"]);
    assert_eq!(
        top().as_deref(),
        Ok("QR code"),
        "the app is behind at first"
    );
    let status = profile.launch_again_directly();
    assert!(status.success(), "{status}");
    app.wait_until("the window to come forward", || match top() {
        Ok(name) if name == "Watchword" => Ok(()),
        other => Err(format!("on top: {other:?}")),
    });

    // Resized, closed, opened: the same size.
    app.set_window_size(520, 700);
    app.wait_until("the window to take its new size", || {
        let [_, _, width, height] = app.window_rect();
        if (width, height) == (520, 700) {
            Ok(())
        } else {
            Err(format!("{width}×{height}"))
        }
    });
    // Killed (as the driver ends it) a moment later, never closed: the size
    // must already be on disk.
    watchword_e2e::wait_until(
        "the window state to be saved",
        std::time::Duration::from_secs(5),
        || {
            std::fs::read_to_string(profile.data_dir().join("window-state.json"))
                .map_err(|e| e.to_string())
                .and_then(|text| {
                    if text.contains("520") {
                        Ok(())
                    } else {
                        Err(text)
                    }
                })
        },
    );
    app.quit();
    let app = profile.launch();
    app.wait_loaded();
    let [_, _, width, height] = app.window_rect();
    assert_eq!((width, height), (520, 700), "the size is remembered");

    // At 360 px wide nothing spills over the edge: no sideways scrolling.
    profile.cli_add(
        &[
            "--issuer",
            "Amazon Seller Central Europe",
            "--account",
            "a-very-long-address@example.com",
            "--digits",
            "8",
        ],
        AMAZON,
    );
    app.quit();
    let app = profile.launch();
    app.wait_loaded();
    app.wait_rows(1);
    app.set_window_size(360, 600);
    app.wait_until("the page to fit 360 px", || {
        let fit = app
            .try_execute(
                "const d = document.documentElement;
                 return [d.clientWidth, d.scrollWidth];",
                serde_json::json!([]),
            )
            .map_err(|e| e.to_string())?;
        let (client, scroll) = (fit[0].as_i64().unwrap_or(0), fit[1].as_i64().unwrap_or(-1));
        if client <= 360 && scroll <= client {
            Ok(())
        } else {
            Err(format!("client width {client}, scroll width {scroll}"))
        }
    });
    app.quit();
}

#[test]
fn show_qr_and_reveal_key_only_after_confirming() {
    let profile = Profile::new("secrets");
    profile.cli_add(&[], "otpauth://totp/GitHub:octocat?secret=MFRGGZDFMZTWQ2LKNNWG23TP&issuer=GitHub&algorithm=SHA256&digits=8");
    let app = profile.launch();
    app.wait_loaded();
    app.wait_rows(1);

    // Cancelled: nothing shown. The dialog is open (its warning showing)
    // before anything is said about what it hides.
    app.row_action("GitHub", "#row-key");
    wait_dialog(&app, "#secret-dialog", true);
    app.wait_until("the warning", || match app.try_text("#secret-warning") {
        Ok(text) if text.contains("Anyone who sees this key") => Ok(()),
        other => Err(format!("{other:?}")),
    });
    assert!(!app.displayed("#secret-key"));
    assert_no_key_in_page(&app);
    app.click("#secret-cancel");
    wait_dialog(&app, "#secret-dialog", false);
    assert_no_key_in_page(&app);

    // Confirmed: the key, grouped as sites show it.
    app.row_action("GitHub", "#row-key");
    app.click("#secret-show");
    app.wait_until("the key", || match app.try_text("#secret-key") {
        Ok(text) if !text.is_empty() => Ok(()),
        other => Err(format!("{other:?}")),
    });
    assert_eq!(app.text("#secret-key"), "MFRG GZDF MZTW Q2LK NNWG 23TP");
    app.click("#secret-done");
    wait_dialog(&app, "#secret-dialog", false);
    // Forgotten once closed.
    assert_no_key_in_page(&app);

    // The QR code: a phone scanning the screen gets the same account.
    app.row_action("GitHub", "#row-qr");
    app.click("#secret-show");
    app.wait_until("the QR code", || match app.try_displayed("#secret-qr") {
        Ok(true) => Ok(()),
        other => Err(format!("{other:?}")),
    });
    let shot = app.screenshot().expect("a screenshot");
    let payloads = watchword_core::qr::decode_image(&shot).expect("the code on the screen reads");
    // ZBar, which shares no code with Watchword, reads the same text.
    assert_eq!(watchword_e2e::zbar_read(&shot), payloads);
    let account = watchword_core::uri::parse(&payloads[0]).expect("an otpauth URI");
    assert_eq!(
        (
            account.issuer.as_str(),
            account.name.as_str(),
            account.digits
        ),
        ("GitHub", "octocat", 8)
    );
    assert_eq!(account.secret.to_base32(), "MFRGGZDFMZTWQ2LKNNWG23TP");
    assert_eq!(account.algorithm, watchword_core::Algorithm::Sha256);
    app.click("#secret-done");
    wait_dialog(&app, "#secret-dialog", false);
    assert_no_key_in_page(&app);
    app.quit();
}

/// WCAG AA: 4.5:1 for text, in the light and the dark theme; a visible
/// focus ring for the keyboard.
#[test]
fn readable_in_both_themes_with_a_visible_focus() {
    const CONTRAST: &str = "
        const lum = (rgb) => {
          const [r, g, b] = rgb.match(/[\\d.]+/g).slice(0, 3).map(Number).map((c) => {
            c /= 255;
            return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
          });
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const background = (el) => {
          for (let e = el; e; e = e.parentElement) {
            const c = getComputedStyle(e).backgroundColor;
            if (c && c !== 'transparent' && !/rgba\\([^)]*, 0\\)$/.test(c)) return c;
          }
          return 'rgb(255, 255, 255)';
        };
        document.documentElement.dataset.theme = arguments[1];
        return arguments[0].map((css) => {
          const el = document.querySelector(css);
          if (!el) return [css, 0];
          const a = lum(getComputedStyle(el).color);
          const b = lum(background(el));
          return [css, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
        });";
    let profile = Profile::new("contrast");
    profile.cli_add(&["--issuer", "GitHub", "--account", "octocat"], GITHUB);
    let app = profile.launch();
    app.wait_loaded();
    app.wait_rows(1);
    let texts = [
        "#accounts li.account .issuer",
        "#accounts li.account .name",
        "#accounts li.account button.code",
        "#accounts li.account .seconds",
        "#accounts li.account button.row-menu",
        "#add-button",
        "#scan-button",
        "#search",
        "h1.title",
    ];
    for theme in ["light", "dark"] {
        let ratios = app.execute(CONTRAST, serde_json::json!([texts, theme]));
        for pair in ratios.as_array().expect("a list") {
            let ratio = pair[1].as_f64().unwrap_or(0.0);
            assert!(
                ratio >= 4.5,
                "{} has a contrast of {ratio:.2}:1 in the {theme} theme, below WCAG AA's 4.5:1",
                pair[0]
            );
        }
    }

    // Tab to the first control: a 3 px ring shows where the focus is.
    app.execute(
        "document.activeElement && document.activeElement.blur();",
        serde_json::json!([]),
    );
    app.press_keys("\u{E004}");
    let ring = app.execute(
        "const s = getComputedStyle(document.activeElement);
         return [document.activeElement.tagName, s.outlineStyle, s.outlineWidth];",
        serde_json::json!([]),
    );
    assert_eq!(ring[1], "solid", "{ring}");
    assert_eq!(ring[2], "3px", "{ring}");
    app.quit();
}

/// Steam Guard accounts show Steam's 5-character codes, as computed apart
/// from Watchword (Python's hmac, see `steam_code`).
#[test]
fn steam_codes_are_shown_as_steam_computes_them() {
    const KEY: &str = "JRZCL47CMXVOQMNPZR2F7J4RGI";
    let profile = Profile::new("steam");
    profile.cli_add(
        &["-"],
        &format!("otpauth://steam/Steam:gaben?secret={KEY}&issuer=Steam\n"),
    );
    let app = profile.launch();
    app.wait_loaded();
    let row = app.wait_rows(1).remove(0);
    assert_eq!((row.kind.as_str(), row.issuer.as_str()), ("steam", "Steam"));
    let css = row.css("button.code");
    let alphabet = "23456789BCDFGHJKMNPQRTVWXY";
    app.wait_until("a 5-character Steam code", || {
        let text = app.try_text(&css).map_err(|e| e.to_string())?;
        if text.len() == 5 && text.chars().all(|c| alphabet.contains(c)) {
            Ok(())
        } else {
            Err(format!("{css} shows {text:?}"))
        }
    });
    // Both codes a reading may rightly show are computed (the step it ends
    // in, and the one before while that ended under 3 s before it began,
    // for the repaint), so a step boundary cannot make this pass or fail.
    let step = |t: f64| (t / 30.0).floor() as u64;
    let before = watchword_e2e::unix_now();
    let text = app.text(&css);
    let after = watchword_e2e::unix_now();
    let allowed: Vec<String> = (step(before - 3.0)..=step(after))
        .map(|s| watchword_e2e::steam_code(KEY, s * 30))
        .collect();
    assert!(
        allowed.contains(&text),
        "the row shows {text:?} between t={before:.3} and t={after:.3}; Steam gives {allowed:?}"
    );
    app.quit();
}

/// A keychain item under our service that is not an account (planted with
/// secret-tool) is named in the status banner, without its content, and
/// left alone; the real account still shows.
#[test]
fn unreadable_keychain_items_are_named_in_a_banner() {
    let profile = Profile::new("damaged_banner");
    profile.cli_add(
        &["-"],
        &format!("otpauth://totp/GitHub:octocat?secret={GITHUB}&issuer=GitHub\n"),
    );
    let mut planted = std::process::Command::new("secret-tool")
        .args([
            "store",
            "--label=planted by a test",
            "service",
            profile.service(),
            "username",
            "0123456789abcdef0123456789abcdef",
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("secret-tool runs");
    {
        use std::io::Write;
        planted
            .stdin
            .take()
            .expect("piped")
            .write_all(b"hunter2 is not a uri")
            .expect("written");
    }
    assert!(planted.wait().expect("secret-tool finishes").success());

    let app = profile.launch();
    let rows = app.wait_rows(1);
    assert_eq!(rows[0].issuer, "GitHub");
    let banner = app.wait_until("the damaged-items banner", || {
        match (app.try_displayed("#status"), app.try_text("#status")) {
            (Ok(true), Ok(text)) if !text.is_empty() => Ok(text),
            other => Err(format!("#status = {other:?}")),
        }
    });
    assert!(
        banner.starts_with("1 keychain item(s) could not be read and were left untouched: "),
        "{banner:?}"
    );
    assert!(!banner.contains("hunter2"), "the banner repeats the item");
    assert_eq!(profile.keychain_items(), 2, "nothing was deleted");
    app.quit();
}

/// The "system" theme (the default) follows the desktop: the webview's
/// prefers-color-scheme, set here through GTK_THEME as a desktop would.
#[test]
fn the_system_theme_follows_the_desktop() {
    for (gtk_theme, dark, background) in [
        ("Adwaita", false, "rgb(246, 247, 251)"),
        ("Adwaita:dark", true, "rgb(20, 22, 31)"),
    ] {
        let profile = Profile::new("system_theme");
        profile.set_env("GTK_THEME", gtk_theme);
        let app = profile.launch();
        app.wait_loaded();
        app.open_settings();
        assert_eq!(app.property("#set-theme", "value"), "system");
        let seen = app.execute(
            "return [document.documentElement.dataset.theme || 'none',
                     matchMedia('(prefers-color-scheme: dark)').matches,
                     getComputedStyle(document.body).backgroundColor];",
            serde_json::json!([]),
        );
        assert_eq!(
            seen,
            serde_json::json!(["none", dark, background]),
            "GTK_THEME={gtk_theme}"
        );
        app.quit();
    }
}

/// The text of every tag under the row for `issuer` ("note" for a note).
fn tags_of(app: &watchword_e2e::App<'_>, issuer: &str) -> Vec<String> {
    let row = app
        .rows_now()
        .into_iter()
        .find(|r| r.issuer == issuer)
        .unwrap_or_else(|| panic!("a row for {issuer}"));
    let value = app.execute(
        "return Array.from(document.querySelectorAll(arguments[0]))
           .filter((e) => !e.hidden && !e.closest('[hidden]')).map((e) => e.textContent);",
        serde_json::json!([row.css(".tags .tag")]),
    );
    serde_json::from_value(value).expect("a list of strings")
}

fn wait_tags(app: &watchword_e2e::App<'_>, issuer: &str, expected: &[&str]) {
    app.wait_until(&format!("{issuer} tagged {expected:?}"), || {
        let shown = tags_of(app, issuer);
        if shown == expected {
            Ok(())
        } else {
            Err(format!("it shows {shown:?}"))
        }
    });
}

/// The note is nowhere in the page.
fn assert_not_in_page(app: &watchword_e2e::App<'_>, secret: &str) {
    let everywhere = app.execute(
        "return [document.documentElement.outerHTML, document.body.innerText,
                 ...Array.from(document.querySelectorAll('input, textarea, select'))
                   .map((e) => e.value)].join('\\n');",
        serde_json::json!([]),
    );
    assert!(
        !everywhere.as_str().expect("a string").contains(secret),
        "the page holds {secret:?}"
    );
}

/// Shows the accounts of `group` ("" for all), as choosing it in the list's
/// group menu does.
fn choose_group(app: &watchword_e2e::App<'_>, group: &str) {
    app.execute(
        "const select = document.getElementById('group-filter');
         if (![...select.options].some((o) => o.value === arguments[0])) throw new Error('no such group: ' + arguments[0]);
         select.value = arguments[0];
         select.dispatchEvent(new Event('change'));",
        serde_json::json!([group]),
    );
}

/// With a group chosen, a search that shows the group's accounts in
/// another order, once cleared, leaves every row in the store's order, the
/// other groups' hidden rows too: a drag saves the order it finds.
#[test]
fn a_cleared_search_puts_every_row_back_in_order() {
    let profile = Profile::new("search_order");
    for (issuer, key) in [
        ("Service Alpha", AMAZON),
        ("GitHub", GITHUB),
        ("Alpha", BANK),
        ("Seller Central", SELLER),
    ] {
        profile.cli_add(&["--issuer", issuer, "--account", "me"], key);
    }
    profile.cli(&["group", "Service Alpha", "--add", "Money"]);
    profile.cli(&["group", "Alpha", "--add", "Money"]);
    let store_order = ["Service Alpha", "GitHub", "Alpha", "Seller Central"];

    let app = profile.launch();
    app.wait_loaded();
    app.wait_rows(4);
    choose_group(&app, "Money");
    let search = |text: &str| {
        app.execute(
            "const field = document.getElementById('search');
             field.value = arguments[0];
             field.dispatchEvent(new Event('input'));",
            serde_json::json!([text]),
        );
    };
    let shown = || -> Vec<String> { app.rows_now().into_iter().map(|row| row.issuer).collect() };
    // The best match first: the whole name before the start of a word.
    search("alpha");
    let visible = app.execute(
        "return Array.from(document.querySelectorAll('#accounts li.account:not([hidden]) .issuer'))
           .map((e) => e.textContent);",
        serde_json::json!([]),
    );
    assert_eq!(visible, serde_json::json!(["Alpha", "Service Alpha"]));
    search("");
    assert_eq!(shown(), store_order, "every row, hidden or not");
    choose_group(&app, "");
    assert_eq!(shown(), store_order);
    app.quit();
}

#[test]
fn notes_stay_hidden_until_asked_and_groups_filter_the_list() {
    let profile = Profile::new("notes_groups");
    for (issuer, account, key) in [
        ("Amazon", "buyer@example.com", AMAZON),
        ("GitHub", "octocat", GITHUB),
        ("Société Générale", "moi", BANK),
    ] {
        profile.cli_add(&["--issuer", issuer, "--account", account], key);
    }
    let recovery = "Recovery codes: 1111-2222 3333-4444\nPIN hint: the cat";
    profile.cli_with_input(&["note", "Société", "--set"], Some(recovery));
    profile.cli(&["group", "Société", "--add", "Money"]);

    let app = profile.launch();
    app.wait_loaded();
    app.wait_rows(3);
    wait_tags(&app, "Société Générale", &["Money", "note"]);
    wait_tags(&app, "GitHub", &[]);
    // Only that there is a note reaches the page, not the note.
    assert_not_in_page(&app, "1111-2222");

    // Cancelled: nothing shown.
    app.row_action("Société Générale", "#row-note");
    wait_dialog(&app, "#note-dialog", true);
    assert_eq!(app.text("#note-title"), "Note of Société Générale (moi)");
    assert!(!app.displayed("#note-text"));
    app.click("#note-confirm-cancel");
    wait_dialog(&app, "#note-dialog", false);
    assert_not_in_page(&app, "1111-2222");

    // Shown when asked, edited, saved to the keychain item, forgotten.
    app.row_action("Société Générale", "#row-note");
    app.click("#note-show");
    app.wait_until("the note", || {
        match app.try_property("#note-text", "value") {
            Ok(serde_json::Value::String(text)) if text == recovery => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    app.fill("#note-text", "Recovery codes: 5555-6666");
    app.click("#note-save");
    app.wait_toast("Saved the note of Société Générale (moi)");
    wait_dialog(&app, "#note-dialog", false);
    assert_not_in_page(&app, "5555-6666");
    assert_eq!(
        profile.cli(&["note", "Société"]).trim_end(),
        "Recovery codes: 5555-6666"
    );

    // A note another process writes while the dialog is open is never
    // overwritten: the save is refused and says why.
    app.row_action("Amazon", "#row-note");
    wait_dialog(&app, "#note-dialog", true);
    profile.cli_with_input(&["note", "Amazon", "--set"], Some("from the terminal"));
    app.fill("#note-text", "from the window");
    app.click("#note-save");
    app.wait_until("the refusal", || match app.try_text("#note-error") {
        Ok(text) if text.contains("was changed elsewhere while it was open here") => Ok(()),
        other => Err(format!("{other:?}")),
    });
    app.press_keys(&KEY_ESCAPE.to_string());
    wait_dialog(&app, "#note-dialog", false);
    assert_eq!(
        profile.cli(&["note", "Amazon"]).trim_end(),
        "from the terminal"
    );

    // An account without a note opens on an empty one to write.
    app.row_action("GitHub", "#row-note");
    wait_dialog(&app, "#note-dialog", true);
    assert_eq!(app.text("#note-title"), "Add a note to GitHub (octocat)");
    assert!(app.displayed("#note-text"));
    app.fill("#note-text", "Signed up with the work phone");
    app.click("#note-save");
    app.wait_toast("Added a note to GitHub (octocat)");
    wait_tags(&app, "GitHub", &["note"]);
    // A note too long for a keychain item is refused in the dialog, and the
    // note it had stays.
    app.row_action("GitHub", "#row-note");
    app.click("#note-show");
    app.wait_until("the note", || {
        match app.try_property("#note-text", "value") {
            Ok(serde_json::Value::String(text)) if text == "Signed up with the work phone" => {
                Ok(())
            }
            other => Err(format!("{other:?}")),
        }
    });
    app.execute(
        "document.getElementById('note-text').value = 'x'.repeat(5000);",
        serde_json::json!([]),
    );
    app.click("#note-save");
    app.wait_until("the length error", || match app.try_text("#note-error") {
        Ok(text) if text.contains("5000 bytes") => Ok(()),
        other => Err(format!("{other:?}")),
    });
    app.click("#note-cancel");
    wait_dialog(&app, "#note-dialog", false);
    assert_eq!(
        profile.cli(&["note", "GitHub"]).trim_end(),
        "Signed up with the work phone"
    );

    // Groups: a new one, then an existing one ticked. A group another
    // process adds while the dialog is open stays.
    app.row_action("GitHub", "#row-groups");
    wait_dialog(&app, "#groups-dialog", true);
    profile.cli(&["group", "GitHub", "--add", "Travel"]);
    app.fill("#groups-new", "Work");
    app.click("#groups-add");
    app.click("#groups-save");
    app.wait_toast("GitHub (octocat) is in Travel, Work");
    wait_tags(&app, "GitHub", &["Travel", "Work", "note"]);
    app.row_action("Amazon", "#row-groups");
    wait_dialog(&app, "#groups-dialog", true);
    app.click("#groups-list input[value='Work']");
    app.click("#groups-save");
    app.wait_toast("Amazon (buyer@example.com) is in Work");

    // The list shows one group at a time, and search looks inside it.
    choose_group(&app, "Work");
    wait_visible(&app, &["Amazon", "GitHub"]);
    choose_group(&app, "Money");
    wait_visible(&app, &["Société Générale"]);
    app.fill("#search", "git");
    app.wait_until("no match in the group", || {
        match app.try_text("#no-match") {
            Ok(text) if text == "No account in “Money” matches “git”." => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    app.fill("#search", "");
    // Another process puts the bank in Work too: the window follows.
    choose_group(&app, "Work");
    profile.cli(&["group", "Société", "--add", "Work"]);
    wait_visible(&app, &["Amazon", "GitHub", "Société Générale"]);
    choose_group(&app, "");
    let listed = profile.cli(&["list", "--group", "Work"]);
    assert!(
        listed.contains("Amazon") && listed.contains("GitHub"),
        "{listed}"
    );

    // The note is removed by saving it empty.
    app.row_action("GitHub", "#row-note");
    app.click("#note-show");
    app.wait_until("the note", || {
        match app.try_property("#note-text", "value") {
            Ok(serde_json::Value::String(text)) if !text.is_empty() => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    app.fill("#note-text", "");
    app.click("#note-save");
    app.wait_toast("Removed the note of GitHub (octocat)");
    wait_tags(&app, "GitHub", &["Travel", "Work"]);
    app.quit();

    // Notes and groups travel in a backup, and its preview says so.
    let vault = profile
        .data_dir()
        .parent()
        .expect("the profile's folder")
        .join("notes-groups-backup.json");
    profile.cli_with_input(
        &[
            "export",
            "--format",
            "aegis",
            "--out",
            vault.to_str().expect("a UTF-8 path"),
            "--password-stdin",
        ],
        Some("backup password\n"),
    );
    let app = profile.launch();
    app.wait_loaded();
    app.wait_rows(3);
    wait_tags(&app, "Société Générale", &["Money", "Work", "note"]);
    watchword_e2e::xdnd::drop_files("Watchword", &[&vault], watchword_e2e::TIMEOUT)
        .unwrap_or_else(|e| panic!("dropping the backup: {e}"));
    app.wait_until("the password prompt", || {
        match app.try_displayed("#enrol-password") {
            Ok(true) => Ok(()),
            other => Err(format!("#enrol-password displayed = {other:?}")),
        }
    });
    app.fill("#enrol-password", "backup password");
    app.click("#enrol-unlock");
    let found = app.wait_found(3);
    let details = |issuer: &str| {
        found
            .iter()
            .find(|f| f.issuer == issuer)
            .unwrap_or_else(|| panic!("{issuer} in {found:?}"))
            .details
            .clone()
    };
    assert_eq!(
        details("Société Générale"),
        "Already in Watchword · 6 digits every 30 s, SHA1 · groups Money, Work · with a note"
    );
    assert_eq!(
        details("GitHub"),
        "Already in Watchword · 6 digits every 30 s, SHA1 · groups Travel, Work"
    );
    app.click("#enrol-cancel");
    app.quit();
}
