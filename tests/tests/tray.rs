//! End-to-end: the tray (issue 12). The test plays the desktop's panel
//! over the session bus (a StatusNotifierWatcher the app registers with,
//! opening its menu through com.canonical.dbusmenu as a panel does) and
//! its notification service; the clipboard is the real X one. Closing the
//! window is asked the way a window manager asks (WM_DELETE_WINDOW).
//! Run through scripts/test.sh.

use watchword_e2e::{
    close_window, digits_of, hotp_code, unix_now, wait_clipboard, window_viewable, App, Profile,
    Totp, TrayHost,
};

const PINNED: &str = "JBSWY3DPEHPK3PXP";
const USED: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const COUNTER: &str = "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TF";
const UNUSED: &str = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U";

fn wait_viewable(app: &App<'_>, viewable: bool) {
    app.wait_until(&format!("the window on screen = {viewable}"), || {
        if window_viewable("Watchword") == viewable {
            Ok(())
        } else {
            Err(format!("on screen = {}", !viewable))
        }
    });
}

const END: [&str; 3] = ["---", "Show Watchword", "Quit"];

#[test]
fn the_tray_copies_codes_and_keeps_watchword_when_the_window_closes() {
    // The profile first: it holds the tests' one-at-a-time lock, and the
    // panel's names on the bus are one test's at a time.
    let profile = Profile::new("tray");
    let host = TrayHost::start();
    profile.cli_add(&["--issuer", "Pinned", "--account", "me"], PINNED);
    // An underscore would mark an access key in a menu: shown as typed.
    profile.cli_add(&["--issuer", "Used", "--account", "me_too"], USED);
    profile.cli_add(
        &["--issuer", "Counter", "--account", "me", "--type", "hotp"],
        COUNTER,
    );
    profile.cli_add(&["--issuer", "Unused", "--account", "me"], UNUSED);
    let app = profile.launch();
    app.wait_rows(4);
    let item = host.wait_item();

    // Nothing pinned or used yet: the menu says how accounts get there.
    let mut expected = vec!["Pin an account to list it here"];
    expected.extend(END);
    host.wait_menu(&item, "a menu with no accounts", |l| l == expected);

    // Pinned ones, then the ones copied last (the pinned aside).
    app.row_action("Pinned", "#row-pin");
    app.wait_toast("Pinned Pinned to the top");
    app.row_action("Counter", "#row-pin");
    app.wait_toast("Pinned Counter to the top");
    let used = app.wait_row("Used", "me_too");
    app.copy_code(&used);
    let menu = host.wait_menu(&item, "pinned, then used", |l| {
        l.len() == 6
            && l[..2].contains(&"Pinned (me)".to_owned())
            && l[..2].contains(&"Counter (me)".to_owned())
            && l[2] == "Used (me__too)"
            && l[3..] == END
    });
    assert!(menu.iter().all(|e| e.enabled), "{menu:?}");

    // A click copies the code, as the window's copy does.
    let copy = profile.expect_totp_copy(PINNED);
    host.click(&item, "Pinned (me)");
    copy.wait();
    // An HOTP account with no code shown: the click makes one, and the
    // window shows it too.
    host.click(&item, "Counter (me)");
    let first = hotp_code(COUNTER, 6, 0);
    wait_clipboard(std::slice::from_ref(&first));
    let counter = app.wait_row("Counter", "me");
    app.wait_until("the window to show the tray's HOTP code", || {
        let shown = app
            .try_text(&counter.css("button.code"))
            .map_err(|e| e.to_string())?;
        if watchword_e2e::digits_of(&shown) == first {
            Ok(())
        } else {
            Err(shown)
        }
    });
    // Copied from the tray, a pinned account is not listed twice.
    host.wait_menu(&item, "no account twice", |l| {
        l.len() == 6 && l[2] == "Used (me__too)"
    });

    // Closing the window asks once; "Keep in the tray" hides it, and
    // Watchword goes on.
    close_window("Watchword");
    app.wait_until("the question", || {
        match app.try_displayed("#close-dialog") {
            Ok(true) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    app.click("#close-keep");
    wait_viewable(&app, false);
    app.wait_saved_setting("closeToTray", &serde_json::json!(true));
    assert!(!app.app_processes().is_empty(), "Watchword went on");
    host.click(&item, "Show Watchword");
    wait_viewable(&app, true);
    // Asked once: the next close hides at once.
    close_window("Watchword");
    wait_viewable(&app, false);
    assert!(!app.displayed("#close-dialog"));
    host.click(&item, "Show Watchword");
    wait_viewable(&app, true);

    // Locked: the menu names nothing, and its one entry shows the window.
    app.open_settings();
    app.click("#set-locked-names");
    app.wait_saved_setting("namesWhileLocked", &serde_json::json!(true));
    app.press_keys(&watchword_e2e::KEY_ESCAPE.to_string());
    profile.cli_with_input(&["lock", "on", "--password-stdin"], Some("open sesame\n"));
    app.wait_locked(true);
    // With names on the lock screen by choice, the pinned ones stay in the
    // menu, but not which were copied last (no lock screen shows that); a
    // click says in a notification why there is no code.
    app.wait_until("the tray to say it is locked", || {
        match host.tool_tip(&item) {
            Ok(said) if said == "Locked" => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    host.wait_menu(&item, "pinned names while locked", |l| {
        l.len() == 5 && !l.contains(&"Used (me__too)".to_owned())
    });
    host.click(&item, "Pinned (me)");
    let said = host.wait_notification("locked");
    assert_eq!(said.app, "Watchword");
    assert!(
        !said.body.contains(PINNED) && !said.summary.contains(PINNED),
        "{said:?}"
    );
    // Nor a code: not the account's (the one before, now or next, in case
    // a step ended between the click and here), however spaced, nor any
    // run of six digits at all.
    let spec = Totp::default_for(PINNED);
    let step = spec.step(unix_now());
    for text in [&said.summary, &said.body] {
        let packed = digits_of(text);
        for code in (step - 1..=step + 1).map(|step| spec.code_at(step * spec.period)) {
            assert!(!packed.contains(&code), "the code {code} in {said:?}");
        }
        let longest = text
            .split(|c: char| !c.is_ascii_digit())
            .map(str::len)
            .max()
            .unwrap_or(0);
        assert!(longest < 6, "a code in {said:?}");
    }

    // Unlocked from the window: "Lock now" in the tray locks it again.
    app.unlock("open sesame");
    app.wait_locked(false);
    host.wait_menu(&item, "Lock now", |l| l.contains(&"Lock now".to_owned()));
    host.click(&item, "Lock now");
    app.wait_locked(true);

    // Hidden in the tray, Watchword still locks after the minute without
    // use that Settings say (a hidden page's timers may be slowed).
    app.unlock("open sesame");
    app.wait_locked(false);
    app.open_settings();
    if !app.enabled("#set-autolock") {
        app.click("#set-autolock-on");
    }
    app.fill("#set-autolock", "1");
    app.click("#settings-done");
    // The last use in the window: the minute counts from here at the latest.
    let last_click = std::time::Instant::now();
    app.wait_saved_setting("autoLockMinutes", &serde_json::json!(1));
    close_window("Watchword");
    wait_viewable(&app, false);
    // A code copied from the tray is use too: 40 s in, it starts the
    // minute again, so 70 s in (10 s past the window's last use, 30 s
    // before the minute from the copy) Watchword is still open. This
    // test is about time: the margins are tens of seconds either way.
    let minute = std::time::Duration::from_secs(60);
    std::thread::sleep(
        (last_click + minute * 2 / 3).saturating_duration_since(std::time::Instant::now()),
    );
    let copy = profile.expect_totp_copy(USED);
    host.click(&item, "Used (me__too)");
    copy.wait();
    std::thread::sleep(
        (last_click + minute + minute / 6).saturating_duration_since(std::time::Instant::now()),
    );
    assert_eq!(
        host.tool_tip(&item).expect("the tray answers"),
        "Two-step codes: pick an account to copy its code",
        "locked a minute after the window's last use, as if the tray's copy were none"
    );
    watchword_e2e::wait_until(
        "locked after a minute without use, hidden in the tray",
        std::time::Duration::from_secs(90),
        || match host.tool_tip(&item) {
            Ok(said) if said == "Locked" => Ok(()),
            other => Err(format!("{other:?}")),
        },
    );
    app.wait_locked(true);

    // Quit ends Watchword, tray and all.
    host.click(&item, "Quit");
    app.wait_ended();
}

#[test]
fn starting_at_login_starts_in_the_tray_alone() {
    let profile = Profile::new("tray-login");
    let host = TrayHost::start();
    let config = tempfile::tempdir().expect("a config folder");
    profile.set_env("XDG_CONFIG_HOME", &config.path().to_string_lossy());
    profile.cli_add(&["--issuer", "Pinned", "--account", "me"], PINNED);
    let entry = config.path().join("autostart").join("watchword.desktop");

    // Settings → Tray → "Start Watchword at login, in the tray": a login
    // entry that a desktop accepts, running this build with --tray.
    let app = profile.launch();
    app.wait_rows(1);
    app.open_settings();
    app.click("#set-start-tray");
    app.wait_saved_setting("startInTray", &serde_json::json!(true));
    let text = std::fs::read_to_string(&entry).expect("the login entry");
    let program = watchword_e2e::app_binary().to_string_lossy().into_owned();
    assert!(
        text.lines()
            .any(|line| line == format!("Exec=\"{program}\" --tray")),
        "{text}"
    );
    let checked = std::process::Command::new("desktop-file-validate")
        .arg(&entry)
        .output()
        .expect("desktop-file-validate runs");
    assert!(
        checked.status.success() && checked.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );
    app.quit();

    // As at login: no window until the tray's "Show Watchword".
    let app = profile.launch_with_args(&["--tray"]);
    let item = host.wait_item();
    host.wait_menu(&item, "the tray at login", |l| {
        l.contains(&"Show Watchword".to_owned())
    });
    assert!(!window_viewable("Watchword"), "the window shows at login");
    host.click(&item, "Show Watchword");
    wait_viewable(&app, true);

    // Turned off: the entry is gone.
    app.open_settings();
    app.click("#set-start-tray");
    app.wait_saved_setting("startInTray", &serde_json::json!(false));
    assert!(!entry.exists(), "the login entry is still there");
}
