//! axe-core in the page: every state of the window, in both themes.

use super::*;

/// Every state of the window, in both themes, with nothing serious or
/// critical found by axe-core.
#[test]
fn axe_finds_nothing_serious_in_any_state() {
    let axe = axe_source();
    let profile = Profile::new("axe");
    seed(&profile);
    // A group and a note: the list's group filter and its tags are judged.
    profile.cli(&["group", "GitHub", "--add", "Work"]);
    profile.cli_with_input(&["note", "GitHub", "--set"], Some("recovery: 1234"));
    // A panel with a tray: closing the window asks whether to keep
    // Watchword there.
    let _panel = watchword_e2e::TrayHost::start();
    let app = profile.launch();
    app.wait_loaded();
    app.wait_rows(4);
    let mut found = Vec::new();

    check(&app, &axe, "the list", &mut found);

    // The code button is named by the code it shows (WCAG 2.5.3).
    let github = row_css(&app, "GitHub", "button.code");
    let named = app.execute(
        "const b = document.querySelector(arguments[0]);
         return [b.textContent, b.getAttribute('aria-label')];",
        json!([github]),
    );
    let (text, label) = (
        named[0].as_str().unwrap_or_default(),
        named[1].as_str().unwrap_or_default(),
    );
    assert!(
        !text.is_empty() && label.starts_with(text) && label.contains("GitHub"),
        "the code button's name {label:?} must start with its visible code {text:?}"
    );

    // What Orca hears: the accessibility tree WebKitGTK gives AT-SPI names
    // the button by its code first, too.
    // The code may turn over while the tree is read, so each attempt
    // compares with the code the page shows just before and just after.
    let shown = || -> Result<String, String> {
        match app.try_execute(
            "return document.querySelector(arguments[0]).textContent;",
            json!([github]),
        ) {
            Ok(Value::String(code)) if !code.is_empty() => Ok(code),
            other => Err(format!("the code button shows {other:?}")),
        }
    };
    let heard = app.wait_until("the code button in the accessibility tree", || {
        let before = shown()?;
        let output = run_bounded(
            Command::new("/usr/bin/python3")
                .arg(workspace_dir().join("tests/a11y_names.py"))
                .arg("watchword"),
            Duration::from_secs(20),
        )?;
        let after = shown()?;
        let wanted = [before, after].map(|code| format!("{code}, GitHub, copy"));
        output
            .stdout
            .lines()
            .find(|line| wanted.iter().any(|name| line.ends_with(name.as_str())))
            .map(str::to_owned)
            .ok_or_else(|| {
                format!(
                    "no button named {:?} in:\n{}{}",
                    wanted[1], output.stdout, output.stderr
                )
            })
    });
    assert!(heard.starts_with("push button\t"), "{heard}");

    // An HOTP code, once generated, has the focus, whose name (read as
    // the focus lands) is the code; it is not said a second time in the
    // live region.
    app.click(&row_css(&app, "Bank", "button.generate"));
    wait_focus(&app, "code of Bank");
    let bank = row_css(&app, "Bank", "button.code");
    let (code, label) = (
        app.text(&bank),
        app.attribute(&bank, "aria-label").unwrap_or_default(),
    );
    assert!(
        !code.is_empty() && label == format!("{code}, Bank, copy"),
        "the focused button is named by its new code: {label:?}"
    );
    let live = app.execute(
        "return document.querySelector('#live').textContent;",
        json!([]),
    );
    assert!(
        !live
            .as_str()
            .unwrap_or_default()
            .contains("New code for Bank"),
        "said twice: #live = {live:?}"
    );

    // Menus.
    app.click("#more-button");
    wait_shown(&app, "#more-menu");
    check(&app, &axe, "the ⋮ menu", &mut found);
    app.press_keys(&KEY_ESCAPE.to_string());
    app.click(&row_css(&app, "GitHub", "button.row-menu"));
    wait_shown(&app, "#row-actions");
    check(&app, &axe, "a row's ⋯ menu", &mut found);
    app.press_keys(&KEY_ESCAPE.to_string());

    // Each dialog.
    app.click("#add-button");
    wait_open(&app, "#add-dialog", true);
    app.fill("#add-input", "not a key!");
    app.wait_until("the add form's error", || {
        let invalid = app
            .try_execute(
                "return document.querySelector('#add-input').getAttribute('aria-invalid');",
                json!([]),
            )
            .map_err(|e| e.to_string())?;
        if invalid == "true" {
            Ok(())
        } else {
            Err(format!("aria-invalid = {invalid}"))
        }
    });
    app.click("#add-advanced summary");
    check(&app, &axe, "the add dialog with an error", &mut found);
    // axe-core does not judge non-text contrast: a text field's border must
    // stand 3:1 against what surrounds it (WCAG 1.4.11), in both themes.
    for theme in ["light", "dark"] {
        let ratios = app.execute(
            "document.documentElement.dataset.theme = arguments[0];
             const lum = (rgb) => {
               const [r, g, b] = rgb.match(/[\\d.]+/g).slice(0, 3).map(Number).map((c) => {
                 c /= 255;
                 return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
               });
               return 0.2126 * r + 0.7152 * g + 0.0722 * b;
             };
             const ratio = (a, b) => (Math.max(lum(a), lum(b)) + 0.05) / (Math.min(lum(a), lum(b)) + 0.05);
             const dialog = getComputedStyle(document.querySelector('#add-dialog')).backgroundColor;
             return ['#add-issuer', '#add-name'].map((css) => {
               const s = getComputedStyle(document.querySelector(css));
               return [css, Math.min(ratio(s.borderTopColor, dialog), ratio(s.borderTopColor, s.backgroundColor))];
             });",
            json!([theme]),
        );
        for pair in ratios.as_array().expect("a list") {
            let ratio = pair[1].as_f64().unwrap_or(0.0);
            assert!(
                ratio >= 3.0,
                "{}'s border has {ratio:.2}:1 in the {theme} theme, below 3:1",
                pair[0]
            );
        }
    }
    app.press_keys(&KEY_ESCAPE.to_string());
    wait_open(&app, "#add-dialog", false);

    for (item, dialog) in [
        ("#export-button", "#export-dialog"),
        ("#sheet-button", "#sheet-dialog"),
        ("#restore-button", "#restore-dialog"),
        ("#settings-button", "#settings-dialog"),
    ] {
        app.click("#more-button");
        app.click(item);
        wait_open(&app, dialog, true);
        check(&app, &axe, dialog, &mut found);
        app.press_keys(&KEY_ESCAPE.to_string());
        wait_open(&app, dialog, false);
    }

    // Settings → Automatic backups → Set up…, over the settings.
    app.click("#more-button");
    app.click("#settings-button");
    wait_open(&app, "#settings-dialog", true);
    app.click("#set-autobackup-setup");
    wait_open(&app, "#autobackup-dialog", true);
    app.fill("#autobackup-password", "password");
    check(&app, &axe, "#autobackup-dialog", &mut found);
    app.press_keys(&KEY_ESCAPE.to_string());
    wait_open(&app, "#autobackup-dialog", false);
    wait_focus(&app, "#set-autobackup-setup");
    // Settings → Lock → Turn on…, over the settings.
    app.wait_until("the lock's state", || {
        match app.try_displayed("#set-lock-on") {
            Ok(true) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    app.click("#set-lock-on");
    wait_open(&app, "#lock-dialog", true);
    check(&app, &axe, "#lock-dialog", &mut found);
    app.press_keys(&KEY_ESCAPE.to_string());
    wait_open(&app, "#lock-dialog", false);
    wait_focus(&app, "#set-lock-on");
    app.press_keys(&KEY_ESCAPE.to_string());
    wait_open(&app, "#settings-dialog", false);

    app.click("#more-button");
    app.click("#export-button");
    wait_open(&app, "#export-dialog", true);
    app.click("input[name=\"export-kind\"][value=\"google\"]");
    app.click("#export-go");
    wait_open(&app, "#google-dialog", true);
    check(&app, &axe, "the Google QR codes", &mut found);
    app.click("#google-done");
    wait_open(&app, "#google-dialog", false);

    app.click("#help-button");
    wait_open(&app, "#help-dialog", true);
    check(&app, &axe, "the shortcuts", &mut found);
    app.press_keys(&KEY_ESCAPE.to_string());

    // The window's close button, the first time: the question. Esc keeps
    // the window (and the question for next time).
    wait_open(&app, "#help-dialog", false);
    watchword_e2e::close_window("Watchword");
    wait_open(&app, "#close-dialog", true);
    check(&app, &axe, "keep in the tray, asking", &mut found);
    app.press_keys(&KEY_ESCAPE.to_string());
    wait_open(&app, "#close-dialog", false);

    for (item, dialog, state) in [
        ("#row-rename", "#rename-dialog", "rename"),
        ("#row-note", "#note-dialog", "a note, asking"),
        ("#row-groups", "#groups-dialog", "groups"),
        ("#row-key", "#secret-dialog", "reveal key, asking"),
        ("#row-delete", "#confirm-dialog", "delete, asking"),
    ] {
        app.click(&row_css(&app, "GitHub", "button.row-menu"));
        app.click(item);
        wait_open(&app, dialog, true);
        check(&app, &axe, state, &mut found);
        app.press_keys(&KEY_ESCAPE.to_string());
        wait_open(&app, dialog, false);
    }
    app.click(&row_css(&app, "GitHub", "button.row-menu"));
    app.click("#row-qr");
    wait_open(&app, "#secret-dialog", true);
    app.click("#secret-show");
    wait_shown(&app, "#secret-qr-frame");
    check(&app, &axe, "an account's QR code", &mut found);
    app.click("#secret-done");
    wait_open(&app, "#secret-dialog", false);
    app.click(&row_css(&app, "GitHub", "button.row-menu"));
    app.click("#row-note");
    wait_open(&app, "#note-dialog", true);
    app.click("#note-show");
    wait_shown(&app, "#note-text");
    check(&app, &axe, "a note, shown", &mut found);
    app.click("#note-cancel");
    wait_open(&app, "#note-dialog", false);

    // The preview of a pasted QR code image, one account already there.
    let png = qr_page_png(
        &[
            &format!("otpauth://totp/GitHub:octocat?secret={GITHUB}&issuer=GitHub"),
            "otpauth://totp/Example:new?secret=KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TF&issuer=Example",
        ],
        6,
    );
    let image = profile.data_dir().join("codes.png");
    std::fs::write(&image, png).expect("write the image");
    put_clipboard_image(&image);
    app.press_ctrl_v();
    wait_open(&app, "#enrol-dialog", true);
    app.wait_until("two accounts in the preview", || {
        match app.try_count("#enrol-list li") {
            Ok(2) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    check(&app, &axe, "the preview", &mut found);
    app.click("#enrol-cancel");
    wait_open(&app, "#enrol-dialog", false);

    // A toast and the undo bar, after a delete.
    app.click(&row_css(&app, "Steam", "button.row-menu"));
    app.click("#row-delete");
    wait_open(&app, "#confirm-dialog", true);
    app.click("#confirm-delete");
    wait_shown(&app, "#undo-bar");
    app.wait_until("the deletion and its undo to be said", || {
        let live = app
            .try_execute(
                "return document.querySelector('#live').textContent;",
                json!([]),
            )
            .map_err(|e| e.to_string())?;
        let live = live.as_str().unwrap_or_default();
        if live.starts_with("Deleted Steam.") && live.contains("Undo") {
            Ok(())
        } else {
            Err(format!("#live = {live:?}"))
        }
    });
    app.execute(
        "const t = document.querySelector('#toast'); t.textContent = 'Copied, clears in 30 s'; t.hidden = false;",
        json!([]),
    );
    check(&app, &axe, "the toast and the undo bar", &mut found);
    app.click("#undo-button");
    app.wait_rows(4);

    // Hidden codes.
    app.open_settings();
    app.click("#set-hide");
    app.click("#settings-done");
    wait_open(&app, "#settings-dialog", false);
    app.wait_until("the codes to be hidden", || {
        match app.try_count("#accounts button.code.masked") {
            Ok(n) if n >= 2 => Ok(()),
            other => Err(format!("masked codes: {other:?}")),
        }
    });
    let label = app.execute(
        "return document.querySelector('#accounts button.code.masked').getAttribute('aria-label');",
        json!([]),
    );
    assert!(
        label
            .as_str()
            .unwrap_or_default()
            .starts_with("Hidden code,"),
        "a hidden code says so: {label}"
    );
    check(&app, &axe, "hidden codes", &mut found);
    app.open_settings();
    app.click("#set-hide");
    app.click("#set-next");
    app.click("#settings-done");
    wait_open(&app, "#settings-dialog", false);

    // Expiring codes with the next code shown. The check is repeated if a
    // new period began while axe ran: the boundary cannot decide the result.
    let mut checked = false;
    for _ in 0..3 {
        watchword_e2e::wait_until(
            "a code in its last seconds",
            Duration::from_secs(45),
            || match app.try_count("#accounts li.account.expiring .next-code:not([hidden])") {
                Ok(n) if n > 0 => Ok(()),
                other => Err(format!("expiring rows with the next code: {other:?}")),
            },
        );
        app.execute(
            "window.__stayed = true;
             const rows = [...document.querySelectorAll('#accounts li.account.expiring')];
             window.__watch = new MutationObserver(() => {
               if (rows.some((r) => !r.classList.contains('expiring') || !r.isConnected)) window.__stayed = false;
             });
             for (const r of rows) window.__watch.observe(r, { attributes: true });
             window.__watch.observe(document.querySelector('#accounts'), { childList: true });
             return true;",
            json!([]),
        );
        let light = serious_violations(&app, &axe, "expiring codes", "light");
        let dark = serious_violations(&app, &axe, "expiring codes", "dark");
        let stayed = app.execute(
            "window.__watch.disconnect(); return window.__stayed;",
            json!([]),
        );
        if stayed == Value::Bool(true) {
            found.extend(light);
            found.extend(dark);
            checked = true;
            break;
        }
    }
    assert!(checked, "the expiring state never lasted through a check");

    // An account whose keychain item another tool removed: the bar that
    // names it (found by the CLI's listing; the window takes it in).
    let list: Vec<serde_json::Value> =
        serde_json::from_str(&profile.cli(&["list", "--json"])).expect("JSON");
    let steam = list
        .iter()
        .find(|a| a["issuer"] == "Steam")
        .and_then(|a| a["id"].as_str())
        .expect("Steam is listed");
    let cleared = std::process::Command::new("secret-tool")
        .args(["clear", "service", profile.service(), "username", steam])
        .status()
        .expect("secret-tool runs");
    assert!(cleared.success());
    profile.cli(&["list"]);
    app.wait_rows(3);
    wait_shown(&app, "#missing-bar");
    check(&app, &axe, "the missing-accounts bar", &mut found);

    assert_none_serious(&found);
    app.quit();
}
