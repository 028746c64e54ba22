//! The keyboard: where the focus goes, that it stays visible and comes back,
//! and the unlock screen with a screen reader.

use super::*;
use watchword_e2e::{grouped, unix_now, Totp};

/// The focused element is a control the user can see: on screen, not
/// hidden, not covered by an open menu.
fn assert_focus_visible(app: &App<'_>, step: &str) {
    let seen = app.execute(
        "const e = document.activeElement;
         if (!e || e === document.body) return 'nothing has the focus';
         const r = e.getBoundingClientRect();
         if (r.width === 0 || r.height === 0) return `${e.outerHTML.slice(0, 80)} has no size`;
         if (r.bottom < 0 || r.right < 0 || r.left > innerWidth) return `${e.outerHTML.slice(0, 80)} is off screen`;
         for (const menu of document.querySelectorAll('.menu:not([hidden])')) {
           if (menu.contains(e)) continue;
           const m = menu.getBoundingClientRect();
           const overlap = !(m.right <= r.left || m.left >= r.right || m.bottom <= r.top || m.top >= r.bottom);
           if (overlap) return `${e.outerHTML.slice(0, 80)} is covered by an open menu`;
         }
         return 'ok';",
        json!([]),
    );
    assert_eq!(seen, "ok", "after {step}");
}

fn tab(app: &App<'_>) {
    app.press_keys(&KEY_TAB.to_string());
}

/// Checks Ctrl+I's words for GitHub, said between the Unix times `pressed`
/// and `read`: "GitHub: CODE, N seconds left, next CODE", with oathtool's
/// codes for one time step and for the step after it, and the seconds that
/// step had left at some moment in between. The step is any step of that
/// span, or the one just before it, whose codes the app still holds after
/// a boundary until it has fetched new ones (it then says "1 second
/// left"): wherever the 30 s boundaries fall, the right words pass, and
/// only they do.
fn assert_time_left_said(spec: &Totp<'_>, said: &str, pressed: f64, read: f64) {
    let seconds: u64 = said
        .split(", ")
        .nth(1)
        .and_then(|left| {
            left.strip_suffix(" seconds left")
                .or_else(|| left.strip_suffix(" second left"))
        })
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("Ctrl+I said {said:?}: no seconds left in it"));
    assert!(
        (1..=spec.period).contains(&seconds),
        "Ctrl+I said {said:?}: {seconds} s left of a {} s code",
        spec.period
    );
    let period = spec.period;
    let mut allowed = Vec::new();
    for step in spec.step(pressed) - 1..=spec.step(read) {
        let (current, next) = (
            spec.code_at(step * period),
            spec.code_at((step + 1) * period),
        );
        // The app says ceil(end - now), kept within 1..=period; a second
        // of slack either side for the two clocks' resolution.
        let end = ((step + 1) * period) as f64;
        let left = |at: f64| (end - at).ceil().clamp(1.0, period as f64) as u64;
        let (fewest, most) = (left(read + 1.0), left(pressed - 1.0));
        let words = format!(
            "GitHub: {}, {seconds} second{} left, next {}",
            grouped(&current),
            if seconds == 1 { "" } else { "s" },
            grouped(&next)
        );
        if said == words && (fewest..=most).contains(&seconds) {
            return;
        }
        allowed.push(format!(
            "{} then {} with {fewest} to {most} s left",
            grouped(&current),
            grouped(&next)
        ));
    }
    panic!(
        "Ctrl+I said {said:?} between t={pressed:.3} and t={read:.3}; oathtool gives {}",
        allowed.join(", or ")
    );
}

/// Opens `item` of the ⋮ menu with the keyboard alone.
fn menu_item_by_keys(app: &App<'_>, opener: &str, item: &str) {
    app.execute(
        "document.querySelector(arguments[0]).focus();",
        json!([opener]),
    );
    app.press_keys(&KEY_ENTER.to_string());
    app.wait_until(&format!("{item} to have the focus in its menu"), || {
        let now = focus_of(app);
        if now == item {
            return Ok(());
        }
        app.press_keys(&KEY_DOWN.to_string());
        Err(format!("it is on {now}"))
    });
    app.press_keys(&KEY_ENTER.to_string());
}

#[test]
fn the_focus_stays_visible_and_comes_back() {
    let profile = Profile::new("keys");
    seed(&profile);
    let app = profile.launch();
    app.wait_loaded();
    app.wait_rows(4);

    // A walk through the window: every stop is a visible control.
    app.execute("document.activeElement.blur();", json!([]));
    for step in 0..16 {
        tab(&app);
        assert_focus_visible(&app, &format!("Tab #{}", step + 1));
    }

    // The time left, on request: Ctrl+I on a row says the code, the
    // seconds it has left and the next code, once (no per-second chatter).
    let code = row_css(&app, "GitHub", "button.code");
    app.execute(
        "document.querySelector(arguments[0]).focus();",
        json!([code]),
    );
    let pressed = unix_now();
    app.press_chord(KEY_CONTROL, 'i');
    let (said, read) = app.wait_until("the time left to be said", || {
        let said = app
            .try_execute(
                "return document.querySelector('#live').textContent;",
                json!([]),
            )
            .map_err(|e| e.to_string())?;
        let read = unix_now();
        let said = said.as_str().unwrap_or_default().to_owned();
        if said.starts_with("GitHub: ") {
            Ok((said, read))
        } else {
            Err(format!("#live = {said:?}"))
        }
    });
    assert_time_left_said(&Totp::default_for(GITHUB), &said, pressed, read);
    // Said once: the words stay while the countdown ticks on twice (a
    // second at least), where a per-second announcement would have
    // replaced them. Each snapshot reads both at once.
    // Every account has one period: the list's one countdown.
    let countdown = "#list-countdown .seconds";
    let mut ticks: Vec<String> = Vec::new();
    app.wait_until("the countdown to tick twice", || {
        let snapshot = app
            .try_execute(
                "return [document.querySelector(arguments[0]).textContent,
                         document.querySelector('#live').textContent];",
                json!([countdown]),
            )
            .map_err(|e| e.to_string())?;
        let text = |i: usize| snapshot[i].as_str().unwrap_or_default().to_owned();
        assert_eq!(
            text(1),
            said,
            "the live region changed after Ctrl+I, the countdown showing {ticks:?} then {:?}",
            text(0)
        );
        if ticks.last() != Some(&text(0)) {
            ticks.push(text(0));
        }
        if ticks.len() >= 3 {
            Ok(())
        } else {
            Err(format!("the countdown showed {ticks:?}"))
        }
    });

    // ⋮ → Settings, ⋮ → Back up and ⋮ → Print recovery sheet give the
    // focus back to ⋮.
    for (item, dialog) in [
        ("#settings-button", "#settings-dialog"),
        ("#export-button", "#export-dialog"),
        ("#sheet-button", "#sheet-dialog"),
        ("#restore-button", "#restore-dialog"),
    ] {
        menu_item_by_keys(&app, "#more-button", item);
        wait_open(&app, dialog, true);
        for step in 0..8 {
            tab(&app);
            assert_focus_visible(&app, &format!("Tab #{} in {dialog}", step + 1));
        }
        app.press_keys(&KEY_ESCAPE.to_string());
        wait_open(&app, dialog, false);
        wait_focus(&app, "#more-button");
    }

    // A row's ⋯ → Rename and → Reveal key give it back to that ⋯.
    let github_menu = row_css(&app, "GitHub", "button.row-menu");
    for (item, dialog) in [
        ("#row-rename", "#rename-dialog"),
        ("#row-note", "#note-dialog"),
        ("#row-groups", "#groups-dialog"),
        ("#row-key", "#secret-dialog"),
    ] {
        menu_item_by_keys(&app, &github_menu, item);
        wait_open(&app, dialog, true);
        app.press_keys(&KEY_ESCAPE.to_string());
        wait_open(&app, dialog, false);
        wait_focus(&app, "row-menu of GitHub");
    }

    // Pin: the row moves to the top and its ⋯ keeps the focus.
    let amazon_menu = row_css(&app, "Amazon Seller Central Europe", "button.row-menu");
    menu_item_by_keys(&app, &amazon_menu, "#row-pin");
    wait_focus(&app, "row-menu of Amazon Seller Central Europe");

    // Esc in a row's ⋯ menu gives the focus back to that ⋯ (the list is
    // inert only while the menu is open); Move down keeps it on the row.
    app.execute(
        "document.querySelector(arguments[0]).focus();",
        json!([github_menu]),
    );
    app.press_keys(&KEY_ENTER.to_string());
    wait_shown(&app, "#row-actions");
    app.press_keys(&KEY_ESCAPE.to_string());
    wait_focus(&app, "row-menu of GitHub");
    let before: Vec<String> = app.rows_now().into_iter().map(|r| r.issuer).collect();
    menu_item_by_keys(&app, &github_menu, "#row-down");
    wait_focus(&app, "code of GitHub");
    let after: Vec<String> = app.rows_now().into_iter().map(|r| r.issuer).collect();
    let at = |order: &[String]| order.iter().position(|i| i == "GitHub");
    assert_eq!(
        at(&after),
        at(&before).map(|i| i + 1),
        "{before:?} → {after:?}"
    );
    // And back up, where the rest of this walk expects it.
    menu_item_by_keys(&app, &github_menu, "#row-up");
    wait_focus(&app, "code of GitHub");
    let back: Vec<String> = app.rows_now().into_iter().map(|r| r.issuer).collect();
    assert_eq!(back, before);

    // An open menu closes when the focus moves on.
    menu_item_by_keys(&app, "#more-button", "#settings-button");
    wait_open(&app, "#settings-dialog", true);
    app.press_keys(&KEY_ESCAPE.to_string());
    wait_focus(&app, "#more-button");
    app.press_keys(&KEY_ENTER.to_string());
    wait_shown(&app, "#more-menu");
    // Behind an open menu the list is inert: a click there only closes it.
    let list_inert = || app.execute("return document.querySelector('main').inert;", json!([]));
    assert_eq!(list_inert(), json!(true));
    app.press_keys(&KEY_ESCAPE.to_string());
    wait_focus(&app, "#more-button");
    assert_eq!(list_inert(), json!(false));
    app.press_keys(&KEY_ENTER.to_string());
    wait_shown(&app, "#more-menu");
    app.press_keys(&format!("{KEY_TAB}"));
    app.wait_until("the ⋮ menu to close as the focus leaves", || {
        match app.try_displayed("#more-menu") {
            Ok(false) => Ok(()),
            other => Err(format!("shown: {other:?}")),
        }
    });
    assert_focus_visible(&app, "Tab out of the ⋮ menu");

    // A confirmed delete: the focus goes to the row that took its place;
    // Ctrl+Z brings the account back with the focus on it.
    let order: Vec<String> = app.rows_now().into_iter().map(|r| r.issuer).collect();
    let at = order.iter().position(|i| i == "GitHub").expect("GitHub");
    let after = order.get(at + 1).cloned().expect("a row after GitHub");
    // (An HOTP row without a code yet offers Generate instead.)
    let part = if after == "Bank" { "generate" } else { "code" };
    let delete_github = || {
        menu_item_by_keys(&app, &github_menu, "#row-delete");
        wait_open(&app, "#confirm-dialog", true);
        app.execute(
            "document.querySelector('#confirm-delete').focus();",
            json!([]),
        );
        app.press_keys(&KEY_ENTER.to_string());
        wait_shown(&app, "#undo-bar");
    };
    delete_github();
    wait_focus(&app, &format!("{part} of {after}"));
    app.press_ctrl('z');
    app.wait_rows(4);
    wait_focus(&app, "code of GitHub");

    // Undo by its button: the focus goes straight to the account put
    // back, with no stop on the way (a screen reader reads each one).
    delete_github();
    wait_focus(&app, &format!("{part} of {after}"));
    app.execute("document.querySelector('#undo-button').focus();", json!([]));
    wait_focus(&app, "#undo-button");
    app.execute(
        "window.__focusStops = [];
         document.addEventListener('focusin', (e) => {
           const li = e.target.closest('li.account');
           window.__focusStops.push(li
             ? `${e.target.classList[0]} of ${li.querySelector('.issuer').textContent}`
             : (e.target.id ? `#${e.target.id}` : e.target.tagName.toLowerCase()));
         });",
        json!([]),
    );
    app.press_keys(&KEY_ENTER.to_string());
    app.wait_rows(4);
    wait_focus(&app, "code of GitHub");
    let stops = app.execute("return window.__focusStops;", json!([]));
    assert_eq!(
        stops,
        json!(["code of GitHub"]),
        "the focus moved once, to the account put back"
    );

    // "Later" on the backup reminder leaves the focus on a visible control.
    wait_shown(&app, "#backup-later");
    app.execute(
        "document.querySelector('#backup-later').focus();",
        json!([]),
    );
    app.press_keys(&KEY_ENTER.to_string());
    app.wait_until("the reminder to go", || {
        match app.try_displayed("#backup-reminder") {
            Ok(false) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    assert_focus_visible(&app, "Later");
    assert_ne!(focus_of(&app), "body");

    // Help by "?" gives the focus back to where it was.
    app.execute(
        "document.querySelector(arguments[0]).focus();",
        json!([row_css(&app, "Bank", "button.generate")]),
    );
    app.press_keys("?");
    wait_open(&app, "#help-dialog", true);
    app.press_keys(&KEY_ESCAPE.to_string());
    wait_open(&app, "#help-dialog", false);
    wait_focus(&app, "generate of Bank");

    // Single-key shortcuts off: letters and "?" do nothing; Ctrl+F and the
    // arrows still work.
    app.open_settings();
    app.click("#set-single-keys");
    app.click("#settings-done");
    wait_open(&app, "#settings-dialog", false);
    app.wait_until("the setting to be saved", || {
        let saved = std::fs::read_to_string(profile.data_dir().join("accounts.json"))
            .map_err(|e| e.to_string())?;
        let saved: Value = serde_json::from_str(&saved).map_err(|e| e.to_string())?;
        match saved.pointer("/settings/singleKeyShortcuts") {
            Some(Value::Bool(false)) => Ok(()),
            other => Err(format!("settings.singleKeyShortcuts = {other:?}")),
        }
    });
    let code = row_css(&app, "GitHub", "button.code");
    app.execute(
        "document.querySelector(arguments[0]).focus();",
        json!([code]),
    );
    app.press_keys("g?");
    assert_eq!(
        app.property("#search", "value"),
        "",
        "a letter typed nowhere"
    );
    assert_eq!(app.property("#help-dialog", "open"), false);
    assert_eq!(focus_of(&app), "code of GitHub");
    app.press_keys(&KEY_DOWN.to_string());
    // The row below is the bank's, whose Generate stands in for its code.
    wait_focus(&app, "generate of Bank");
    app.press_chord(KEY_CONTROL, 'f');
    wait_focus(&app, "#search");

    // The Undo button holding the focus as its 10 s run out: the focus
    // goes to the list, not to <body> with the bar.
    delete_github();
    app.execute("document.querySelector('#undo-button').focus();", json!([]));
    wait_focus(&app, "#undo-button");
    watchword_e2e::wait_until(
        "the Undo bar to go after its 10 s",
        std::time::Duration::from_secs(40),
        || match app.try_displayed("#undo-bar") {
            Ok(false) => Ok(()),
            other => Err(format!("{other:?}")),
        },
    );
    app.wait_until("the focus on the list", || match focus_of(&app) {
        now if now.contains(" of ") => Ok(()),
        now => Err(now),
    });
    assert_focus_visible(&app, "after the Undo bar went");

    // Ctrl+V adds from the window, not over Settings (nor a revealed key
    // or a delete's question): there the keys are not taken at all. The
    // clipboard holds what reads as a setup key, for the add form.
    let dir = profile.data_dir().parent().expect("the profile's folder");
    watchword_e2e::put_clipboard_text(dir, "JBSWY3DPEHPK3PXP");
    let ctrl_v_taken = || {
        app.execute(
            "const press = new KeyboardEvent('keydown', { key: 'v', code: 'KeyV',
               ctrlKey: true, bubbles: true, cancelable: true });
             document.activeElement.dispatchEvent(press);
             return press.defaultPrevented;",
            json!([]),
        )
    };
    app.open_settings();
    app.execute(
        "document.querySelector('#settings-done').focus();",
        json!([]),
    );
    assert_eq!(ctrl_v_taken(), false, "Ctrl+V taken over Settings");
    app.click("#settings-done");
    wait_open(&app, "#settings-dialog", false);
    app.execute("document.querySelector('#add-button').focus();", json!([]));
    assert_eq!(ctrl_v_taken(), true, "Ctrl+V in the window");
    wait_open(&app, "#add-dialog", true);
    app.quit();
}

/// The unlock screen (issue 11), with a wrong password's error showing:
/// nothing serious, the field named and its error tied to it.
#[test]
fn the_unlock_screen_is_usable_with_a_screen_reader() {
    let axe = axe_source();
    let profile = Profile::new("axe_lock");
    seed(&profile);
    profile.cli_with_input(&["lock", "on", "--password-stdin"], Some("pw\n"));
    // The names listed under the form, as the user may choose.
    let meta = profile.data_dir().join("accounts.json");
    let mut saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&meta).expect("accounts.json"))
            .expect("JSON");
    saved["settings"]["namesWhileLocked"] = Value::Bool(true);
    std::fs::write(&meta, saved.to_string()).expect("written");
    let app = profile.launch();
    app.wait_until("the unlock screen and its names", || {
        match (
            app.try_displayed("#unlock-password"),
            app.try_count("#unlock-names li"),
        ) {
            (Ok(true), Ok(n)) if n > 0 => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    wait_focus(&app, "#unlock-password");
    app.fill("#unlock-password", "wrong");
    app.press_keys(&KEY_ENTER.to_string());
    app.wait_until("the error", || match app.try_text("#unlock-error") {
        Ok(text) if !text.is_empty() => Ok(()),
        other => Err(format!("{other:?}")),
    });
    assert_eq!(
        app.property("#unlock-password", "ariaInvalid"),
        Value::String("true".into())
    );
    // Still described by its error, for a visit later: the focus stayed.
    assert_eq!(
        app.attribute("#unlock-password", "aria-describedby"),
        Some("unlock-error".to_owned())
    );

    // Unlock pressed with the field empty: the focus moves to the field,
    // and the error is said once, by its live region, not again as the
    // description of the field the focus lands on.
    app.execute(
        "window.__describedAtFocus = 'no focus';
         const field = document.getElementById('unlock-password');
         field.value = '';
         field.addEventListener('focus', () => {
           window.__describedAtFocus = field.getAttribute('aria-describedby');
         }, { once: true });
         document.getElementById('unlock-button').focus();",
        json!([]),
    );
    wait_focus(&app, "#unlock-button");
    app.press_keys(&KEY_ENTER.to_string());
    wait_focus(&app, "#unlock-password");
    assert_eq!(app.text("#unlock-error"), "Enter the password.");
    assert_eq!(
        app.execute("return window.__describedAtFocus;", json!([])),
        Value::Null,
        "the field the focus moved to is not described by the error said"
    );
    tab(&app);
    assert_eq!(
        app.attribute("#unlock-password", "aria-describedby"),
        Some("unlock-error".to_owned()),
        "described again once the focus has left"
    );
    let mut found = Vec::new();
    check(&app, &axe, "the unlock screen", &mut found);
    assert_none_serious(&found);
    app.quit();
}
