//! Settings, the window's size and the themes.

use super::*;

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
    // Not even kept in the page, where a hidden element's text is still
    // text (a copy of the page, a script).
    assert_eq!(
        app.execute(
            "return document.querySelector(arguments[0]).textContent;",
            serde_json::json!([row.css(".next-code")]),
        ),
        serde_json::json!(""),
        "a hidden code's next one is in the page"
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

/// Hide codes covers counter-based codes as it covers timed ones: a code
/// generated before the setting went on is hidden by it, one generated
/// after comes hidden (in its button's name too), a click shows it, and a
/// repaint of the list (a pin) keeps it rather than dropping it, which
/// would make the user generate again and spend a counter value. Once
/// these were shown in plain digits, and lost at every repaint.
#[test]
fn hidden_codes_cover_counter_based_ones_and_a_repaint_keeps_them() {
    let profile = Profile::new("hide_hotp");
    profile.cli_add(
        &["--issuer", "Bank", "--account", "me", "--type", "hotp"],
        BANK,
    );
    let codes: Vec<String> = (0..2)
        .map(|counter| watchword_e2e::hotp_code(BANK, 6, counter))
        .collect();
    let app = profile.launch();
    app.wait_loaded();
    let bank = app.wait_rows(1).remove(0);
    let button = bank.css("button.code");
    // The button's text and name, once they are `text` and start `name`.
    let shows = |text: &str, name: &str| {
        app.wait_until(&format!("the Bank row to show {text:?}"), || {
            let read = app
                .try_execute(
                    "const b = document.querySelector(arguments[0]);
                     return [b.textContent, b.getAttribute('aria-label') || '', b.disabled];",
                    serde_json::json!([button]),
                )
                .map_err(|e| e.to_string())?;
            let (shown, named) = (read[0].as_str(), read[1].as_str().unwrap_or_default());
            if shown == Some(text) && named.starts_with(name) && read[2] == false {
                Ok(())
            } else {
                Err(format!("{read}"))
            }
        });
    };
    let hidden = "Hidden code, Bank, show and copy";

    // Generated with the setting off: shown; turned on: hidden at once.
    app.click(&bank.css("button.generate"));
    let first = watchword_e2e::grouped(&codes[0]);
    shows(&first, &first);
    app.open_settings();
    app.click("#set-hide");
    app.click("#settings-done");
    shows("••• •••", hidden);

    // The list made again around it: the code is still there, hidden.
    app.row_action("Bank", "#row-pin");
    app.wait_toast("Pinned Bank to the top");
    assert!(
        app.attribute(&bank.css(""), "class")
            .is_some_and(|class| class.contains("pinned")),
        "the row was made again, pinned"
    );
    shows("••• •••", hidden);

    // A click copies the code shown (the counter does not move) and shows it.
    let copied = app.copy_code(&bank);
    assert_eq!(copied.code, codes[0]);
    shows(&first, &first);

    // The next one comes hidden, as the focus lands on it and in what is
    // said: none of its digits on the page.
    app.click(&bank.css("button.generate"));
    shows("••• •••", hidden);
    let page = app.execute(
        "return document.body.innerText + document.getElementById('live').textContent
           + [...document.querySelectorAll('[aria-label]')].map((e) => e.getAttribute('aria-label')).join(' ');",
        serde_json::json!([]),
    );
    assert!(
        !watchword_e2e::digits_of(page.as_str().unwrap_or_default()).contains(&codes[1]),
        "the hidden code is readable: {page}"
    );
    let copied = app.copy_code(&bank);
    assert_eq!(copied.code, codes[1]);
    let second = watchword_e2e::grouped(&codes[1]);
    shows(&second, &second);
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
    // must already be on disk. tauri-plugin-window-state writes a map from
    // each window's label to its state, the size as `width` and `height`
    // (the inner size, in pixels): the main window's must be the new one.
    watchword_e2e::wait_until(
        "the window state to be saved",
        std::time::Duration::from_secs(5),
        || {
            let text = std::fs::read_to_string(profile.data_dir().join("window-state.json"))
                .map_err(|e| e.to_string())?;
            let state: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))?;
            let size = (
                state
                    .pointer("/main/width")
                    .and_then(serde_json::Value::as_u64),
                state
                    .pointer("/main/height")
                    .and_then(serde_json::Value::as_u64),
            );
            if size == (Some(520), Some(700)) {
                Ok(())
            } else {
                Err(format!("saved {size:?}: {text}"))
            }
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
        // One account: its countdown is the list's.
        "#list-countdown .seconds",
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
