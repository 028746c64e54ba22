//! End-to-end: the lock in the window (issue 11). The lock is turned on
//! with the real CLI on the profile; the window shows nothing of the
//! accounts until the password is given. Run through scripts/test.sh.

use watchword_e2e::{Profile, Totp};

const GITHUB: &str = "MFRGGZDFMZTWQ2LKNNWG23TP";

/// Turns the lock on in `profile` with the CLI; its password is "open
/// sesame".
fn lock_on(profile: &Profile) {
    profile.cli_with_input(&["lock", "on", "--password-stdin"], Some("open sesame\n"));
}

/// A profile holding GitHub (octocat), with the lock on.
fn github_locked(name: &str) -> Profile {
    let profile = Profile::new(name);
    profile.cli_add(&["--issuer", "GitHub", "--account", "octocat"], GITHUB);
    lock_on(&profile);
    profile
}

/// The window on `profile`, once its lock showed and was unlocked.
fn launch_and_unlock(profile: &Profile) -> watchword_e2e::App<'_> {
    let app = profile.launch();
    app.wait_locked(true);
    app.unlock("open sesame");
    app
}

/// Nothing of the account is on the page: no row, no name, no code (in
/// the markup or in a field's value, which the markup does not show).
fn assert_nothing_shown(app: &watchword_e2e::App<'_>) {
    let page = app.execute(
        "return [document.querySelectorAll('#accounts li').length,
                 document.documentElement.outerHTML + Array.from(
                   document.querySelectorAll('input, textarea'), (f) => f.value).join(' ')];",
        serde_json::json!([]),
    );
    assert_eq!(page[0], 0, "rows on the page while locked");
    let html = page[1].as_str().expect("markup");
    if let Some(at) = html.find("octocat") {
        let around = &html[at.saturating_sub(120)..(at + 40).min(html.len())];
        panic!("a name on the page while locked: …{around}…");
    }
}

fn lock_state(profile: &Profile) -> String {
    let status: serde_json::Value =
        serde_json::from_str(&profile.cli(&["lock", "status", "--json"])).expect("JSON");
    status["state"].as_str().expect("a state").to_owned()
}

/// Sends what a desktop says when its screen locks (`send`), until
/// Watchword shows its unlock form. Sent again on each look, so that the
/// moment the app began listening does not matter.
fn lock_by(app: &watchword_e2e::App<'_>, what: &str, mut send: impl FnMut()) {
    app.wait_until(&format!("locked by {what}"), || {
        if matches!(app.try_displayed("#unlock-password"), Ok(true)) {
            return Ok(());
        }
        send();
        Err("not locked yet".into())
    });
}

/// A screen saver's ActiveChanged(true) on the session bus, as `interface`
/// sends it from `path`.
fn screen_saver_on(interface: &str, path: &str) {
    let sent = std::process::Command::new("dbus-send")
        .args([
            "--session",
            "--type=signal",
            path,
            &format!("{interface}.ActiveChanged"),
            "boolean:true",
        ])
        .status()
        .unwrap_or_else(|e| panic!("dbus-send: {e}"));
    assert!(sent.success(), "dbus-send: {sent}");
}

/// Locks the screen as the freedesktop screen saver says it.
fn lock_with_the_screen(app: &watchword_e2e::App<'_>) {
    lock_by(app, "the screen saver", || {
        screen_saver_on(
            "org.freedesktop.ScreenSaver",
            "/org/freedesktop/ScreenSaver",
        );
    });
}

/// The values of the page's fields that can hold a key or a password
/// (`id=value`), those not empty.
fn secrets_left_in_fields(app: &watchword_e2e::App<'_>) -> Vec<String> {
    let left = app.execute(
        "return Array.from(document.querySelectorAll('input[type=password], #add-input'))
            .filter((field) => field.value !== '')
            .map((field) => `${field.id}=${field.value}`);",
        serde_json::json!([]),
    );
    serde_json::from_value(left).expect("a list")
}

#[test]
fn a_closed_dialog_keeps_no_key_or_password() {
    const NEW_KEY: &str = "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TF";
    let profile = github_locked("lock_fields");
    let app = launch_and_unlock(&profile);
    app.wait_rows(1);

    // A key typed into Add, then Esc.
    app.open_add_form();
    app.fill("#add-input", NEW_KEY);
    app.press_keys(&watchword_e2e::KEY_ESCAPE.to_string());
    app.wait_until("the add dialog closed", || {
        match app.try_property("#add-dialog", "open") {
            Ok(serde_json::Value::Bool(false)) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    assert_eq!(secrets_left_in_fields(&app), Vec::<String>::new());

    // A key typed into Add when the screen locks.
    app.open_add_form();
    app.fill("#add-input", NEW_KEY);
    lock_with_the_screen(&app);
    assert_eq!(secrets_left_in_fields(&app), Vec::<String>::new());

    // A backup's password typed when the screen locks.
    app.unlock("open sesame");
    app.wait_rows(1);
    app.execute(
        "document.getElementById('export-button').click();",
        serde_json::json!([]),
    );
    app.fill("#export-password", "correct horse");
    app.fill("#export-repeat", "correct horse");
    lock_with_the_screen(&app);
    assert_eq!(secrets_left_in_fields(&app), Vec::<String>::new());

    // The lock's own new password, half typed, when the screen locks.
    app.unlock("open sesame");
    app.wait_rows(1);
    app.open_settings();
    app.click("#set-lock-change");
    app.fill("#lock-old", "open sesame");
    app.fill("#lock-new", "a new one");
    lock_with_the_screen(&app);
    assert_eq!(secrets_left_in_fields(&app), Vec::<String>::new());

    // Each dialog that names the account, open or closed before, when the
    // screen locks: no name is left on the page.
    for (item, dialog) in [
        ("#row-rename", "#rename-dialog"),
        ("#row-groups", "#groups-dialog"),
        ("#row-note", "#note-dialog"),
        ("#row-qr", "#secret-dialog"),
    ] {
        for close_first in [true, false] {
            app.unlock("open sesame");
            app.wait_rows(1);
            app.row_action("GitHub", item);
            app.wait_until(&format!("{dialog} open"), || {
                match app.try_property(dialog, "open") {
                    Ok(serde_json::Value::Bool(true)) => Ok(()),
                    other => Err(format!("{other:?}")),
                }
            });
            if close_first {
                app.press_keys(&watchword_e2e::KEY_ESCAPE.to_string());
                app.wait_until(&format!("{dialog} closed"), || {
                    match app.try_property(dialog, "open") {
                        Ok(serde_json::Value::Bool(false)) => Ok(()),
                        other => Err(format!("{other:?}")),
                    }
                });
            }
            lock_with_the_screen(&app);
            assert_nothing_shown(&app);
        }
    }
    app.quit();
}

#[test]
fn a_locked_window_shows_nothing_until_the_password_and_locks_again() {
    let profile = github_locked("lock");

    let app = profile.launch();
    app.wait_locked(true);
    assert_nothing_shown(&app);

    // A link on the clipboard: a paste on the locked page reads nothing
    // and shows nothing (the add form once opened over the unlock screen,
    // key and all), and what is typed into the add form is not parsed.
    let link = format!("otpauth://totp/Shop:me?secret={GITHUB}&issuer=Shop");
    let dir = profile.data_dir().parent().expect("the profile's folder");
    watchword_e2e::put_clipboard_text(dir, &link);
    let refused = app.execute(
        "const invoke = window.__TAURI__.core.invoke;
         const said = (call) => call.then(() => 'accepted', (error) => error.code);
         return Promise.all([
           said(invoke('paste_clipboard')),
           said(invoke('preview_account', { entry: { input: arguments[0] } })),
           said(invoke('open_images')),
           said(invoke('import_files')),
           said(invoke('restore_pick')),
           said(invoke('restore_newest')),
           said(invoke('scan_screen')),
         ]);",
        serde_json::json!([link]),
    );
    // Refused before anything: no file dialog over the unlock screen, no
    // capture of the screen, no “backup not set up”.
    assert_eq!(refused, serde_json::json!(vec!["vault_locked"; 7]));
    assert_nothing_shown(&app);
    assert!(!app.displayed("#add-dialog"));
    assert!(!app
        .execute(
            "return document.documentElement.outerHTML;",
            serde_json::json!([])
        )
        .as_str()
        .expect("markup")
        .contains(GITHUB));

    app.unlock("not it");
    app.wait_until("“Wrong password.”", || {
        match app.try_text("#unlock-error") {
            Ok(text) if text == "Wrong password." => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    assert_nothing_shown(&app);
    // The lock's password is tried only by Unlock while locked: turning
    // the lock off or changing its password is refused (the settings are
    // an unlocked window's), and after three wrong tries every way of
    // trying the password waits alike.
    let codes = app.execute(
        "const invoke = window.__TAURI__.core.invoke;
         const said = (call) => call.then(() => 'accepted', (error) => error.code);
         const off = () => said(invoke('turn_lock_off', { password: 'open sesame' }));
         const change = () => said(invoke('change_lock_password', { old: 'open sesame', new: 'x' }));
         const wrong = () => said(invoke('unlock', { password: 'not it either' }));
         return (async () => [
           await off(), await change(), await wrong(), await wrong(),
           await off(), await change(),
         ])();",
        serde_json::json!([]),
    );
    assert_eq!(
        codes,
        serde_json::json!([
            "vault_locked",
            "vault_locked",
            "wrong_password",
            "wrong_password",
            "too_soon",
            "too_soon"
        ]),
        "three wrong passwords in a row (one by the page above), then a wait"
    );
    assert_ne!(lock_state(&profile), "off");
    assert_nothing_shown(&app);
    // Once the wait is over, the right password opens it.
    app.wait_until("the right password to be taken after the wait", || {
        let said = app
            .try_execute(
                "return window.__TAURI__.core.invoke('unlock', { password: 'open sesame' })
                   .then(() => 'accepted', (error) => error.code);",
                serde_json::json!([]),
            )
            .map_err(|e| e.to_string())?;
        if said == "accepted" {
            Ok(())
        } else {
            Err(format!("{said}"))
        }
    });
    // The page, which did not make that call, opens with its own form.
    app.unlock("open sesame");
    app.wait_locked(false);
    let rows = app.wait_rows(1);
    app.assert_shown_totp(&rows[0], &Totp::default_for(GITHUB));

    // Ctrl+L: locked again, and the page forgets the accounts.
    app.press_ctrl('l');
    app.wait_locked(true);
    assert_nothing_shown(&app);
    app.unlock("open sesame");
    app.wait_rows(1);

    // Settings: off, then on again with a new password.
    app.open_settings();
    app.click("#set-lock-off");
    app.fill("#lock-old", "open sesame");
    app.click("#lock-go");
    app.wait_toast("The lock is off");
    assert_eq!(lock_state(&profile), "off");
    app.click("#set-lock-on");
    app.fill("#lock-new", "second one");
    app.fill("#lock-again", "second one");
    app.click("#lock-go");
    app.wait_toast("The lock is on");
    // Back in Settings, the focus on the button now in the place of the
    // one that opened the dialog (hidden, as the lock is on).
    app.wait_until("the focus back in Settings", || {
        let id = app.execute("return document.activeElement.id;", serde_json::json!([]));
        if id == "set-lock-now" {
            Ok(())
        } else {
            Err(format!("the focus on #{id}"))
        }
    });
    // The CLI, holding no key, finds it locked.
    assert_eq!(lock_state(&profile), "locked");
    app.click("#settings-done");

    // Another process changes the password: the window holds a key the
    // lock no longer names, and locks.
    profile.cli_with_input(
        &["lock", "password", "--password-stdin"],
        Some("second one\nthird one\n"),
    );
    app.wait_locked(true);
    assert_nothing_shown(&app);
    app.unlock("third one");
    let rows = app.wait_rows(1);
    app.assert_shown_totp(&rows[0], &Totp::default_for(GITHUB));

    // The screen locks (the screen saver says so on the session bus): so
    // does Watchword.
    lock_with_the_screen(&app);
    assert_nothing_shown(&app);

    // Left alone for the minute Settings say: locked again.
    app.unlock("third one");
    app.wait_rows(1);
    app.open_settings();
    app.click("#set-autolock-on");
    if !app.enabled("#set-autolock") {
        app.click("#set-autolock-on");
    }
    app.fill("#set-autolock", "1");
    app.click("#settings-done");
    app.wait_saved_setting("autoLockMinutes", &serde_json::json!(1));
    watchword_e2e::wait_until(
        "locked after a minute without use",
        std::time::Duration::from_secs(90),
        || match app.try_displayed("#unlock-password") {
            Ok(true) => Ok(()),
            other => Err(format!("{other:?}")),
        },
    );
    assert_nothing_shown(&app);

    // Names on the lock screen, when chosen: issuer and name, no code.
    app.unlock("third one");
    app.wait_rows(1);
    app.open_settings();
    app.click("#set-locked-names");
    app.click("#settings-done");
    app.wait_saved_setting("namesWhileLocked", &serde_json::json!(true));
    app.press_ctrl('l');
    app.wait_locked(true);
    let names = app.wait_until("the names under the form", || {
        match app.try_text("#unlock-names") {
            Ok(text) if !text.is_empty() => Ok(text),
            other => Err(format!("{other:?}")),
        }
    });
    assert_eq!(names, "GitHub · octocat");
    let page = app.execute(
        "return [document.querySelectorAll('#accounts li').length, document.body.innerText];",
        serde_json::json!([]),
    );
    assert_eq!(page[0], 0, "rows on the page while locked");
    let text = page[1].as_str().expect("text");
    assert!(
        !text.chars().any(|c| c.is_ascii_digit()),
        "a digit (a code?) on the lock screen: {text:?}"
    );
    // Unlocked, the names leave with the lock screen.
    app.unlock("third one");
    app.wait_rows(1);
    assert_eq!(app.count("#unlock-names li"), 0);

    // Locked, "Quit" in the close question still quits (the answer cannot
    // be kept while locked; it is asked again next time).
    app.press_ctrl('l');
    app.wait_locked(true);
    let _ = app.try_execute(
        "window.__TAURI__.core.invoke('answer_close_to_tray', { keep: false });",
        serde_json::json!([]),
    );
    app.wait_ended();
}

/// Turn off asks only the current password: an error it gets goes there,
/// with the focus. Once every error but "Wrong password" (the wait after
/// three wrong tries, a keychain failure) went to the new password's
/// field, hidden in this mode: marked invalid unseen, and the focus lost.
#[test]
fn turning_off_puts_every_error_on_the_field_it_shows() {
    let profile = github_locked("lock_off_errors");
    let app = launch_and_unlock(&profile);
    app.wait_rows(1);
    app.open_settings();
    app.wait_until("Turn off… offered", || {
        match app.try_displayed("#set-lock-off") {
            Ok(true) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    app.click("#set-lock-off");
    app.wait_until("the lock dialog", || {
        match app.try_property("#lock-dialog", "open") {
            Ok(serde_json::Value::Bool(true)) => Ok(()),
            other => Err(format!("#lock-dialog open = {other:?}")),
        }
    });
    assert!(!app.displayed("#lock-new"), "Turn off asks no new password");

    // Wrong passwords, each tried as soon as the last is refused, until
    // one comes too soon (after three: the wait is 1 s, then 2 s, …).
    let said = app.wait_until("a try refused as too soon", || {
        app.execute(
            "document.getElementById('lock-error').textContent = '';",
            serde_json::json!([]),
        );
        app.fill("#lock-old", "not it");
        app.click("#lock-go");
        let said = app.wait_until("the try's answer", || match app.try_text("#lock-error") {
            Ok(text) if !text.is_empty() => Ok(text),
            other => Err(format!("#lock-error = {other:?}")),
        });
        if said.starts_with("Too many wrong passwords") {
            Ok(said)
        } else {
            Err(said)
        }
    });
    let marks = app.execute(
        "return [document.activeElement.id,
                 document.getElementById('lock-old').getAttribute('aria-invalid'),
                 document.getElementById('lock-new').getAttribute('aria-invalid')];",
        serde_json::json!([]),
    );
    assert_eq!(
        marks,
        serde_json::json!(["lock-old", "true", null]),
        "after {said:?}: the focus, and the field marked invalid"
    );
    assert_ne!(lock_state(&profile), "off");
    app.quit();
}

/// Every way a desktop says its screen is locking locks the window: each
/// screen saver's own name on the session bus (GNOME, Cinnamon, MATE,
/// Xfce, and the freedesktop one KDE and others use), and on the system
/// bus logind's Lock and LockedHint for a session of this user's, and its
/// PrepareForSleep. Another user's session locking does not.
#[test]
fn every_way_a_desktop_says_the_screen_locks_locks_the_window() {
    const MINE: &str = "/org/freedesktop/login1/session/_32";
    const THEIRS: &str = "/org/freedesktop/login1/session/c7";
    const ALSO_THEIRS: &str = "/org/freedesktop/login1/session/c8";
    let system_bus = watchword_e2e::SystemBus::start();
    let logind = watchword_e2e::Logind::start(
        &system_bus,
        &[(MINE, true), (THEIRS, false), (ALSO_THEIRS, false)],
    );
    let profile = github_locked("lock_desktops");
    profile.set_env("DBUS_SYSTEM_BUS_ADDRESS", system_bus.address());

    let app = profile.launch();
    app.wait_locked(true);
    let unlock = || {
        app.unlock("open sesame");
        app.wait_locked(false);
        app.wait_rows(1);
    };
    unlock();
    for (interface, path) in [
        ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver"),
        ("org.cinnamon.ScreenSaver", "/org/cinnamon/ScreenSaver"),
        ("org.mate.ScreenSaver", "/org/mate/ScreenSaver"),
        ("org.xfce.ScreenSaver", "/org/xfce/ScreenSaver"),
        (
            "org.freedesktop.ScreenSaver",
            "/org/freedesktop/ScreenSaver",
        ),
    ] {
        lock_by(&app, interface, || screen_saver_on(interface, path));
        assert_nothing_shown(&app);
        unlock();
    }

    // Another user's session locks, in both ways; then a third session's
    // Lock, which the app weighs after those (logind's signals are taken
    // in order): once it has asked whose that one is, it has passed over
    // the first two, and is still unlocked.
    let sent = std::cell::Cell::new(0);
    lock_by(&app, "this user's session's Lock", || {
        logind.lock_session(MINE);
        sent.set(sent.get() + 1);
    });
    // Every Lock sent weighed, so that none left over locks after this.
    logind.wait_asked_about(MINE, sent.get());
    unlock();
    logind.lock_session(THEIRS);
    logind.set_locked_hint(THEIRS, true);
    logind.lock_session(ALSO_THEIRS);
    logind.wait_asked_about(ALSO_THEIRS, 1);
    let status = app.execute(
        "return window.__TAURI__.core.invoke('lock_status').then((status) => status.state);",
        serde_json::json!([]),
    );
    assert_eq!(status, "unlocked", "another user's session locked this app");
    assert_eq!(app.count("#accounts li"), 1);

    lock_by(&app, "this user's session's LockedHint", || {
        logind.set_locked_hint(MINE, true);
    });
    assert_nothing_shown(&app);
    logind.set_locked_hint(MINE, false);
    unlock();
    lock_by(&app, "going to sleep", || logind.prepare_for_sleep(true));
    assert_nothing_shown(&app);
    logind.prepare_for_sleep(false);
    unlock();
    app.quit();
}

/// What was under way when the lock came does not outlive it: a code on the
/// clipboard (its clearing turned off) leaves it; an export whose save
/// dialog was open writes nothing once the place is picked; a delete still
/// waiting for Undo stops, its row staying out of the locked page, and the
/// account is there after unlocking, with a word on why; a change waiting
/// on another process's gives way to the lock.
#[test]
fn what_was_under_way_when_the_lock_came_does_not_outlive_it() {
    let profile = github_locked("lock_under_way");
    let app = launch_and_unlock(&profile);
    let rows = app.wait_rows(1);

    // The clipboard: never cleared by the timer, so only the lock clears it.
    app.open_settings();
    app.click("#set-clear-on");
    app.click("#settings-done");
    app.wait_saved_setting("clearClipboardAfter", &serde_json::Value::Null);
    let copied = app.copy_code_noting(&rows[0], "");
    watchword_e2e::assert_copied_totp(&copied, &Totp::default_for(GITHUB), 0);
    app.press_ctrl('l');
    app.wait_locked(true);
    app.wait_until(
        "the code off the clipboard",
        || match watchword_e2e::clipboard_holds()? {
            Some(text) if text == copied.code => Err("still the code".to_owned()),
            _ => Ok(()),
        },
    );

    // An export whose save dialog is open when the screen locks.
    app.unlock("open sesame");
    app.wait_rows(1);
    app.click("#more-button");
    app.click("#export-button");
    app.click("input[name=\"export-kind\"][value=\"uris\"]");
    app.click("#export-understood");
    app.click("#export-go");
    let list = profile
        .data_dir()
        .parent()
        .expect("the profile's folder")
        .join("after the lock.txt");
    watchword_e2e::wait_for_window("Save the backup");
    lock_with_the_screen(&app);
    watchword_e2e::save_in_file_dialog("Save the backup", &list);
    let said = app.wait_until("the export's answer", || {
        match app.try_execute(
            "return document.querySelector('#export-error').textContent;",
            serde_json::json!([]),
        ) {
            Ok(serde_json::Value::String(text)) if !text.is_empty() => Ok(text),
            other => Err(format!("#export-error = {other:?}")),
        }
    });
    assert!(said.contains("locked"), "{said}");
    assert!(!list.exists(), "written after the lock: {}", list.display());
    assert_nothing_shown(&app);

    // A delete waiting for Undo when the lock comes.
    app.unlock("open sesame");
    app.wait_rows(1);
    app.row_action("GitHub", "#row-delete");
    app.click("#confirm-delete");
    assert!(app.displayed("#undo-bar"));
    app.press_ctrl('l');
    app.wait_locked(true);
    assert!(!app.displayed("#undo-bar"), "the delete still waits");
    assert_nothing_shown(&app);
    app.unlock("open sesame");
    app.wait_toast("Deleting GitHub");
    let rows = app.wait_rows(1);
    assert_eq!(rows[0].issuer, "GitHub");

    // A rename waiting on another process's change (the store's lock held,
    // as by a long import) when the screen locks: the lock does not wait
    // behind it with the keys in memory (up to 30 s); the rename gives way,
    // refused as locked, and changes nothing.
    let lock_file = profile.data_dir().join("accounts.lock");
    let held = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&lock_file)
        .expect("the store's lock file");
    held.lock()
        .expect("the store's lock, held as another process would");
    app.execute(
        "window.renaming = null;
         window.__TAURI__.core
           .invoke('rename_account', { id: arguments[0], issuer: 'Renamed' })
           .then(() => 'accepted', (error) => error.code)
           .then((said) => { window.renaming = said; });
         return null;",
        serde_json::json!([rows[0].id]),
    );
    // Waiting: the app has the lock file open (it opens it only to take it).
    let app_pid = app.app_processes()[0];
    app.wait_until("the rename waiting for the store's lock", || {
        let open = std::fs::read_dir(format!("/proc/{app_pid}/fd"))
            .map_err(|e| e.to_string())?
            .filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
            .any(|target| target == lock_file);
        if open {
            Ok(())
        } else {
            Err("accounts.lock not open".into())
        }
    });
    lock_with_the_screen(&app);
    let renaming = app.wait_until("the rename's answer", || {
        match app.try_execute("return window.renaming;", serde_json::json!([])) {
            Ok(serde_json::Value::String(code)) => Ok(code),
            other => Err(format!("{other:?}")),
        }
    });
    assert_eq!(renaming, "vault_locked", "the rename waited out the lock");
    drop(held);
    assert_nothing_shown(&app);
    app.unlock("open sesame");
    let rows = app.wait_rows(1);
    assert_eq!(rows[0].issuer, "GitHub");

    // Another program turns the lock off while the window is locked: the
    // window is not left asking for a password that opens nothing.
    app.press_ctrl('l');
    app.wait_locked(true);
    profile.cli_with_input(&["lock", "off", "--password-stdin"], Some("open sesame\n"));
    assert_eq!(lock_state(&profile), "off");
    app.unlock("open sesame");
    app.wait_locked(false);
    let rows = app.wait_rows(1);
    app.assert_shown_totp(&rows[0], &Totp::default_for(GITHUB));
    app.quit();
}

/// A fresh random key: no other copy of it exists anywhere.
fn random_key() -> Vec<u8> {
    let mut key = vec![0u8; 20];
    std::io::Read::read_exact(
        &mut std::fs::File::open("/dev/urandom").expect("/dev/urandom"),
        &mut key,
    )
    .expect("20 random bytes");
    key
}

/// Where the keys are in the app's memory (every process of it): raw
/// bytes or base32, upper or lower case.
fn keys_in_memory(app: &watchword_e2e::App<'_>, keys: &[Vec<u8>]) -> Vec<String> {
    let forms: Vec<Vec<u8>> = keys
        .iter()
        .flat_map(|key| {
            let base32 = data_encoding::BASE32_NOPAD.encode(key);
            [
                key.clone(),
                base32.clone().into_bytes(),
                base32.to_lowercase().into_bytes(),
            ]
        })
        .collect();
    let needles: Vec<&[u8]> = forms.iter().map(Vec::as_slice).collect();
    let pids = app.app_processes();
    assert!(!pids.is_empty(), "the app's processes");
    let began = std::time::Instant::now();
    let scan = watchword_e2e::search_memory(&pids, &needles).expect("the app's memory is readable");
    assert!(scan.bytes > 1 << 20, "read only {} bytes", scan.bytes);
    eprintln!(
        "searched {} MB of {} processes in {:.1} s",
        scan.bytes >> 20,
        pids.len(),
        began.elapsed().as_secs_f64()
    );
    scan.found
        .iter()
        .map(|f| {
            format!(
                "key {} as {} in pid {} at {:#x} ({})",
                f.needle / 3,
                ["bytes", "BASE32", "base32"][f.needle % 3],
                f.pid,
                f.address,
                if f.mapping.is_empty() {
                    "anonymous"
                } else {
                    &f.mapping
                }
            )
        })
        .collect()
}

#[test]
fn the_locked_app_holds_no_key_in_memory() {
    let profile = Profile::new("lock-memory");
    let totp = random_key();
    let hotp = random_key();
    let totp_base32 = data_encoding::BASE32_NOPAD.encode(&totp);
    profile.cli_add(&["--issuer", "Memory", "--account", "totp"], &totp_base32);
    profile.cli_add(
        &["--issuer", "Memory", "--account", "hotp", "--type", "hotp"],
        &data_encoding::BASE32_NOPAD.encode(&hotp),
    );
    lock_on(&profile);

    let app = profile.launch();
    app.wait_locked(true);
    let found = keys_in_memory(&app, &[totp.clone(), hotp.clone()]);
    assert!(
        found.is_empty(),
        "keys in memory before unlocking: {found:#?}"
    );

    // Unlocked and in use: codes shown, an HOTP code generated (a write
    // of its item), a code copied.
    app.unlock("open sesame");
    app.wait_locked(false);
    let rows = app.wait_rows(2);
    let totp_row = rows
        .iter()
        .find(|r| r.name == "totp")
        .expect("the TOTP row");
    app.assert_shown_totp(totp_row, &Totp::default_for(&totp_base32));
    let hotp_row = rows
        .iter()
        .find(|r| r.name == "hotp")
        .expect("the HOTP row");
    app.click(&hotp_row.css("button.generate"));
    app.wait_until("an HOTP code", || {
        let text = app
            .try_text(&hotp_row.css("button.code"))
            .map_err(|e| e.to_string())?;
        if text.chars().any(|c| c.is_ascii_digit()) {
            Ok(())
        } else {
            Err(text)
        }
    });
    // The search can find them: while unlocked, the keys are in memory.
    let found = keys_in_memory(&app, &[totp.clone(), hotp.clone()]);
    for key in ["key 0 as bytes", "key 1 as bytes"] {
        assert!(
            found.iter().any(|f| f.starts_with(key)),
            "{key} not found while unlocked (so the search cannot see them): {found:#?}"
        );
    }

    app.press_ctrl('l');
    app.wait_locked(true);
    let found = keys_in_memory(&app, &[totp, hotp]);
    assert!(
        found.is_empty(),
        "keys in the locked app's memory: {found:#?}"
    );
    app.quit();
}

/// A link that starts the locked app (the desktop runs `watchword LINK`):
/// refused, and its key is neither on the command line, which every user
/// of the machine can read, nor anywhere in the app's memory.
#[test]
fn a_link_that_starts_the_locked_app_leaves_no_key_behind() {
    let profile = Profile::new("lock-link");
    profile.cli_add(
        &["--issuer", "Before", "--account", "me"],
        "JBSWY3DPEHPK3PXP",
    );
    lock_on(&profile);
    let key = random_key();
    let base32 = data_encoding::BASE32_NOPAD.encode(&key);
    let link = format!("otpauth://totp/Linked:me?secret={base32}&issuer=Linked");

    let app = profile.launch_with_args(&[&link]);
    app.wait_locked(true);
    app.wait_toast("Watchword is locked: unlock it, then open the link");
    let command_lines = app.command_lines();
    assert!(!command_lines.is_empty());
    for line in &command_lines {
        assert!(!line.contains(&base32), "the key in a command line: {line}");
    }
    let found = keys_in_memory(&app, &[key]);
    assert!(found.is_empty(), "the link's key in memory: {found:#?}");
    app.quit();
}

/// A lock that comes while a menu is open, a code is clicked into view
/// and a code was read out leaves nothing of them behind: locked, the
/// screen reader's live region says the lock, not the code; unlocked, the
/// list is usable (not inert behind a menu that went with the lock), has
/// the focus, and the code clicked into view is hidden again.
#[test]
fn a_lock_leaves_nothing_behind_for_after_the_unlock() {
    const KEY: &str = "JBSWY3DPEHPK3PXP";
    let profile = Profile::new("lock_leaves_nothing");
    // A day-long period: the code clicked into view is still the code
    // after the unlock, unless a day's boundary passed, which is looked at.
    let spec = Totp {
        period: 86_400,
        ..Totp::default_for(KEY)
    };
    profile.cli_add(
        &["-"],
        &format!("otpauth://totp/Bank:me?secret={KEY}&issuer=Bank&period=86400"),
    );
    lock_on(&profile);
    let app = profile.launch();
    app.wait_locked(true);
    app.unlock("open sesame");
    let row = app.wait_row("Bank", "me");
    app.open_settings();
    app.click("#set-hide");
    app.click("#settings-done");
    app.wait_saved_setting("hideCodes", &serde_json::json!(true));
    let code = row.css("button.code");
    let masked = || {
        app.execute(
            "return document.querySelector(arguments[0]).classList.contains('masked');",
            serde_json::json!([code]),
        )
    };
    // What the live region holds for a screen reader (visually hidden).
    let said = || -> Result<String, String> {
        Ok(app
            .execute(
                "return document.getElementById('live').textContent;",
                serde_json::json!([]),
            )
            .as_str()
            .unwrap_or_default()
            .to_owned())
    };

    loop {
        let before = spec.step(watchword_e2e::unix_now());
        // Clicked into view, and read out (Ctrl+I on the focused code).
        app.click(&code);
        app.wait_until("the code clicked into view", || match masked() {
            serde_json::Value::Bool(false) => Ok(()),
            other => Err(format!("masked: {other}")),
        });
        app.press_ctrl('i');
        app.wait_until("the code read out", || {
            let said = said()?;
            if said.contains("Bank") {
                Ok(())
            } else {
                Err(said)
            }
        });
        // The ⋮ menu open, and the screen locks.
        app.click("#more-button");
        assert_eq!(app.property("main", "inert"), true, "behind the menu");
        lock_with_the_screen(&app);
        app.wait_until("the lock said in place of the code", || {
            let said = said()?;
            if said == "Watchword is locked" {
                Ok(())
            } else {
                Err(said)
            }
        });

        app.unlock("open sesame");
        app.wait_row("Bank", "me");
        assert_eq!(app.property("main", "inert"), false, "the list usable");
        assert_eq!(
            app.execute(
                "return document.getElementById('more-button').getAttribute('aria-expanded');",
                serde_json::json!([]),
            ),
            "false"
        );
        let focused = app.focused();
        assert!(
            focused.starts_with("button.code"),
            "the focus after the unlock: {focused:?}"
        );
        let hidden = masked();
        if spec.step(watchword_e2e::unix_now()) != before {
            continue; // A new code: hidden in any case; again.
        }
        assert_eq!(hidden, true, "the code clicked before the lock, in view");
        break;
    }
}

/// The lock's keychain item deleted by another program (a keyring
/// manager's clean-up) while the window runs, locked since it was last
/// unlocked: the window keeps its unlock screen, and the password puts the
/// item back. It once took the lock for turned off: the keys it had held
/// were gone, and every account, sealed under them, was unreadable for good.
#[test]
fn the_locks_item_deleted_by_another_program_is_put_back_by_the_window() {
    let profile = github_locked("lock_item_lost");
    let app = launch_and_unlock(&profile);
    app.wait_locked(false);
    app.wait_row("GitHub", "octocat");
    app.open_settings();
    app.click("#set-lock-now");
    app.wait_locked(true);

    let status = std::process::Command::new("secret-tool")
        .args([
            "clear",
            "service",
            profile.service(),
            "username",
            "watchword-vault",
        ])
        .status()
        .expect("secret-tool runs");
    assert!(status.success());
    // A process that never held the keys sees no lock.
    assert_eq!(lock_state(&profile), "off");

    app.unlock("open sesame");
    app.wait_locked(false);
    app.wait_until("GitHub's code, not an unreadable account", || {
        let rows = app.try_rows().map_err(|e| e.to_string())?;
        match rows.as_slice() {
            [row] if row.code.chars().filter(char::is_ascii_digit).count() == 6 => Ok(()),
            _ => Err(format!("rows: {rows:?}")),
        }
    });
    // Put back as it was: the CLI, holding no key, finds it locked again,
    // and the same password opens it.
    assert_eq!(lock_state(&profile), "locked");
    let code = profile.cli_with_input(
        &["code", "GitHub", "--lock-password-stdin"],
        Some("open sesame\n"),
    );
    assert_eq!(
        code.chars().filter(char::is_ascii_digit).count(),
        6,
        "{code}"
    );
}
