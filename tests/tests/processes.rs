//! The window and `watchword-cli` at once (issue 9): what one process
//! changes, the other sees, and neither undoes the other's change. Run
//! through scripts/test.sh.

use watchword_e2e::Profile;

#[test]
fn the_window_follows_what_the_cli_changes_and_keeps_its_own_changes() {
    let profile = Profile::new("processes_follow");
    let app = profile.launch();
    app.wait_loaded();
    let bank = "otpauth://totp/Bank:me?secret=JBSWY3DPEHPK3PXP&issuer=Bank";
    profile.cli_add(&["-"], bank);
    app.wait_row("Bank", "me");

    // A change in the window, then one in the CLI: both stay.
    app.row_action("Bank", "#row-pin");
    app.wait_until("the pin saved", || {
        let list = profile.cli(&["list", "--json"]);
        if list.contains("\"pinned\": true") {
            Ok(())
        } else {
            Err(list)
        }
    });
    let shop = "otpauth://totp/Shop:me?secret=GEZDGNBVGY3TQOJQ&issuer=Shop";
    profile.cli_add(&["-"], shop);
    app.wait_row("Shop", "me");
    let list: serde_json::Value =
        serde_json::from_str(&profile.cli(&["list", "--json"])).expect("list is JSON");
    let pinned: Vec<(&str, bool)> = list
        .as_array()
        .expect("a list")
        .iter()
        .map(|a| (a["issuer"].as_str().unwrap_or(""), a["pinned"] == true))
        .collect();
    assert_eq!(pinned, [("Bank", true), ("Shop", false)]);

    // Removed from the terminal: gone from the window.
    profile.cli(&["remove", "bank"]);
    app.wait_until("Bank to leave the window", || {
        let rows = app.try_rows().map_err(|e| e.to_string())?;
        match rows.as_slice() {
            [only] if only.issuer == "Shop" => Ok(()),
            _ => Err(format!("rows: {rows:?}")),
        }
    });
    assert_eq!(profile.keychain_items(), 1);
}

/// `name`'s value in the environment process `pid` started with.
/// A row's ⋯ menu left open while another process changes the list: the
/// list is drawn again, and the menu follows its row's new ⋯ button,
/// naming the account as it is now; it closes when its row goes. It once
/// stayed where it was: its opener said it was closed, it named the
/// account as it had been, and it could hang over rows that had moved (a
/// test's click on a ⋯ button under it failed until the test timed out).
#[test]
fn an_open_row_menu_follows_its_row_when_another_process_changes_the_list() {
    let profile = Profile::new("processes_menu");
    let app = profile.launch();
    app.wait_loaded();
    profile.cli_add(
        &["-"],
        "otpauth://totp/Bank:me?secret=JBSWY3DPEHPK3PXP&issuer=Bank",
    );
    profile.cli_add(
        &["-"],
        "otpauth://totp/Shop:me?secret=GEZDGNBVGY3TQOJQ&issuer=Shop",
    );
    let shop = app.wait_row("Shop", "me");
    app.click(&shop.css("button.row-menu"));
    app.wait_until("Shop's menu open", || {
        if app
            .try_displayed("#row-actions")
            .map_err(|e| e.to_string())?
        {
            Ok(())
        } else {
            Err("#row-actions hidden".into())
        }
    });

    profile.cli(&["rename", "Shop", "--issuer", "Store"]);
    let store = app.wait_row("Store", "me");
    app.wait_until("the menu on the row drawn again", || {
        let menu = app
            .attribute("#row-actions", "aria-label")
            .unwrap_or_default();
        let expanded = app.attribute(&store.css("button.row-menu"), "aria-expanded");
        if app.displayed("#row-actions")
            && menu.contains("Store")
            && expanded.as_deref() == Some("true")
        {
            Ok(())
        } else {
            Err(format!(
                "menu {menu:?}, its opener aria-expanded {expanded:?}"
            ))
        }
    });
    // The focus stays in the menu, and its items act on the account.
    let focused_in_menu = app.execute(
        "return document.getElementById('row-actions').contains(document.activeElement);",
        serde_json::json!([]),
    );
    assert_eq!(focused_in_menu, serde_json::Value::Bool(true));

    profile.cli(&["remove", "Store"]);
    app.wait_until("the menu gone with its row", || {
        let rows = app.try_rows().map_err(|e| e.to_string())?;
        let shown = app
            .try_displayed("#row-actions")
            .map_err(|e| e.to_string())?;
        if rows.len() == 1 && !shown {
            Ok(())
        } else {
            Err(format!("rows {rows:?}, menu shown {shown}"))
        }
    });
}

fn environment_value(pid: u32, name: &str) -> Option<String> {
    let environ = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
    environ.split(|&b| b == 0).find_map(|entry| {
        let text = std::str::from_utf8(entry).ok()?;
        let (key, value) = text.split_once('=')?;
        (key == name).then(|| value.to_owned())
    })
}

/// WebKit's processes run on the C library's allocator: `Malloc` is set
/// before the window exists, so the web and network processes inherit it.
/// With WebKit's own allocator (libpas), a scavenger thread in each
/// process woke after every once-a-second repaint, about a quarter of the
/// CPU at rest (README). A value the user set is left as it is.
#[test]
fn webkit_processes_start_with_the_c_library_allocator_and_a_users_choice_is_kept() {
    let profile = Profile::new("processes_allocator");
    profile.cli_add(
        &["-"],
        "otpauth://totp/Bank:me?secret=JBSWY3DPEHPK3PXP&issuer=Bank",
    );
    for (set, expected) in [(None, "1"), (Some("keep-me"), "keep-me")] {
        if let Some(value) = set {
            profile.set_env("Malloc", value);
        }
        let app = profile.launch();
        app.wait_row("Bank", "me");
        // The web and network processes (the app's own environment block
        // is the one it was started with; it sets the variable after).
        let webkit: Vec<(u32, String)> = app
            .app_processes()
            .into_iter()
            .filter_map(|pid| {
                let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
                name.starts_with("WebKit")
                    .then(|| (pid, name.trim().to_owned()))
            })
            .collect();
        assert!(webkit.len() >= 2, "WebKit's processes: {webkit:?}");
        for (pid, name) in webkit {
            assert_eq!(
                environment_value(pid, "Malloc").as_deref(),
                Some(expected),
                "Malloc in {name} ({pid}), launched with {set:?}"
            );
        }
    }
}

/// A page whose web process ends (killed here, as the system's
/// out-of-memory killer would, or as a WebKit crash ends it) is loaded
/// again: the window shows its accounts and copies a code again, instead of
/// staying blank and deaf until Watchword restarts. WebKitWebDriver's
/// session ends with the process, so the page is reached as a person
/// would: the keyboard on the X display (type to search, Enter copies the
/// first match) and the real clipboard.
#[test]
fn a_page_whose_web_process_ends_is_loaded_again() {
    const KEY: &str = "JBSWY3DPEHPK3PXP";
    let profile = Profile::new("processes_web_crash");
    profile.cli_add(
        &["-"],
        &format!("otpauth://totp/Bank:me?secret={KEY}&issuer=Bank"),
    );
    let app = profile.launch();
    app.wait_row("Bank", "me");
    app.kill_web_process();

    // Until the page is back, keys go nowhere: each try clears the search
    // first. The copy is judged against oathtool by `copy.wait()`.
    let copy = profile.expect_totp_copy(KEY);
    app.type_until_a_code_is_copied(
        "Watchword",
        &[&["key", "Escape"], &["type", "bank"], &["key", "Return"]],
    );
    copy.wait();
}

/// Whether the page is off the main window's screen, read from the X
/// server: the top quarter of the window, where the title, the countdown
/// and the first rows are, is drawn in many colours while the page shows,
/// and is nothing but the window's background once a message (a GTK
/// label, which sits lower) is in its place.
fn page_off_screen() -> Result<(), String> {
    let (band, background) = watchword_e2e::window_band("Watchword", 0.0, 0.25)?;
    let colours: std::collections::HashSet<u32> = band.into_iter().collect();
    if colours.len() == 1 && colours.contains(&background) {
        Ok(())
    } else {
        Err(format!("{} colours in the top quarter", colours.len()))
    }
}

/// A page whose web process ends again within a minute of being loaded
/// again is not loaded again (a page that crashes as it loads must not
/// loop), and its last frame, codes and all, does not stay on screen past
/// the auto-lock, which only a live page could show: the window says why
/// instead, and with the lock on Watchword locks (its idle lock was the
/// page's; the tray would copy codes without it). Judged by the window's
/// pixels, read from the X server, for the message (a GTK label) the
/// accessibility tree, and for the lock the tray's own word.
#[test]
fn a_page_that_stops_twice_in_a_minute_leaves_the_screen_and_says_why() {
    let profile = Profile::new("processes_web_crash_twice");
    let host = watchword_e2e::TrayHost::start();
    profile.cli_add(
        &["-"],
        "otpauth://totp/Bank:me?secret=JBSWY3DPEHPK3PXP&issuer=Bank",
    );
    profile.cli_with_input(&["lock", "on", "--password-stdin"], Some("open sesame\n"));
    let app = profile.launch();
    // The unlock form once it is on screen, not before.
    app.wait_locked(true);
    app.unlock("open sesame");
    app.wait_row("Bank", "me");
    let item = host.wait_item();
    let tray_says = |expected: &str| match host.tool_tip(&item) {
        Ok(said) if said == expected => Ok(()),
        other => Err(format!("{other:?}")),
    };
    const OPEN: &str = "Two-step codes: pick an account to copy its code";
    app.wait_until("the tray to say Watchword is open", || tray_says(OPEN));
    let top = || watchword_e2e::window_band("Watchword", 0.0, 0.25);
    let page_gone = page_off_screen;
    assert!(page_gone().is_err(), "the probe sees the page's pixels");
    let says_so = |lines: &[String]| {
        lines
            .iter()
            .filter(|line| line.contains("stopped working twice in a minute"))
            .count()
    };

    // A process that ended by itself meanwhile is no matter: kill's
    // complaint about it is not one.
    let kill = |pid: u32| {
        std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .stderr(std::process::Stdio::null())
            .status()
            .expect("kill runs");
    };
    // Each web process is killed once its page has painted: the first at
    // once (its page is up), each later one when the top quarter changes
    // after the process was first seen (the dead page's frame stays until
    // the new one paints; a process killed as it starts makes WebKit abort
    // the whole program, a WebKit matter, not this test's). Until the
    // window gives up: after two, or sooner if a page also ended by itself.
    // The message is a GTK label, read through the accessibility tree.
    let mut killed: Vec<u32> = Vec::new();
    let mut watching: Option<(u32, Vec<u32>)> = None;
    app.wait_until("the window to give up on its page", || {
        let lines = app.shown_text("Watchword")?.unwrap_or_default();
        if says_so(&lines) > 0 {
            return Ok(());
        }
        let (now, _) = top()?;
        match watching.take() {
            Some((pid, then)) if then != now => {
                kill(pid);
                killed.push(pid);
            }
            Some(still) => watching = Some(still),
            None => {
                let fresh = app
                    .web_processes()
                    .into_iter()
                    .find(|pid| !killed.contains(pid));
                match fresh {
                    Some(pid) if killed.is_empty() => {
                        kill(pid);
                        killed.push(pid);
                    }
                    Some(pid) => watching = Some((pid, now)),
                    None => {}
                }
            }
        }
        Err(format!("killed {killed:?}; shown {lines:?}"))
    });
    assert!(
        (1..=2).contains(&killed.len()),
        "the window gave up after {} ends it was dealt",
        killed.len()
    );
    // Given up, not loaded again: no web process came after the second.
    let now = app.web_processes();
    assert!(
        now.is_empty(),
        "a web process after the second end: {now:?}"
    );
    // And the page's last frame is off the screen, also after the window
    // is shown again (GTK's show_all, as a second launch, a link or the
    // tray's "show" does): it must not bring the dead page back.
    app.wait_until("the page's pixels off the screen", page_gone);
    let status = profile.launch_again_with(&[]);
    assert!(status.success(), "the second launch hands over: {status}");
    app.wait_until("the page's pixels still off the screen", page_gone);
    let shown = app.shown_text("Watchword").expect("AT-SPI");
    assert_eq!(
        says_so(shown.as_deref().unwrap_or_default()),
        1,
        "the message once: {shown:?}"
    );
    app.wait_until("the tray to say Watchword locked", || tray_says("Locked"));
}

/// The lock after a minute without use holds while the page cannot count:
/// its web process stopped (as a hung one is), Watchword still locks on
/// time, and the tray, which copies codes without the page, says so. The
/// count is the shell's; a page that counted it would never lock here.
#[test]
fn a_page_that_hangs_does_not_hold_the_lock_back() {
    let profile = Profile::new("processes_web_hangs");
    let host = watchword_e2e::TrayHost::start();
    profile.cli_add(
        &["-"],
        "otpauth://totp/Bank:me?secret=JBSWY3DPEHPK3PXP&issuer=Bank",
    );
    profile.cli_with_input(&["lock", "on", "--password-stdin"], Some("open sesame\n"));
    let app = profile.launch();
    app.wait_locked(true);
    // The unlock is use, counted by the shell itself: the lock comes no
    // sooner than a minute after this (later uses only move it on; the
    // page says them at most every 5 s, so a page that stops may not
    // have said its last ones).
    let unlocked = std::time::Instant::now();
    app.unlock("open sesame");
    app.wait_row("Bank", "me");
    let item = host.wait_item();
    // Open, as the tray says too (it said Locked until the unlock).
    app.wait_until("the tray to say Watchword is open", || {
        match host.tool_tip(&item) {
            Ok(said) if said != "Locked" => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    app.open_settings();
    if !app.enabled("#set-autolock") {
        app.click("#set-autolock-on");
    }
    app.fill("#set-autolock", "1");
    app.click("#settings-done");
    app.wait_saved_setting("autoLockMinutes", &serde_json::json!(1));

    // Stopped: the page runs nothing, timers and all, until continued
    // (also if the wait fails, so that the app can be ended).
    struct Stopped(Vec<u32>);
    impl Stopped {
        fn signal(&self, name: &str) {
            for pid in &self.0 {
                let _ = std::process::Command::new("kill")
                    .args([&format!("-{name}"), &pid.to_string()])
                    .status();
            }
        }
    }
    impl Drop for Stopped {
        fn drop(&mut self) {
            self.signal("CONT");
        }
    }
    let stopped = Stopped(app.web_processes());
    assert!(!stopped.0.is_empty(), "the window's web process");
    stopped.signal("STOP");
    watchword_e2e::wait_until(
        "locked a minute after the last use, the page stopped",
        std::time::Duration::from_secs(150),
        || match host.tool_tip(&item) {
            Ok(said) if said == "Locked" => Ok(()),
            other => Err(format!("{other:?}")),
        },
    );
    let after = unlocked.elapsed();
    assert!(
        after >= std::time::Duration::from_secs(60),
        "locked {after:?} after the unlock, before the minute was up"
    );
    // The stopped page cannot take its codes off the screen: the shell
    // covers them (found by a second reader: the last frame stayed).
    app.wait_until("the stopped page's codes covered", page_off_screen);
    let text = app.output();
    assert!(
        text.contains("the window did not show the lock; its codes were covered"),
        "{text}"
    );
    // Continued, the page shows the unlock form, as told while stopped,
    // and the cover goes.
    drop(stopped);
    app.wait_locked(true);
    app.wait_until("the page back on the screen", || match page_off_screen() {
        Ok(()) => Err("still covered".to_owned()),
        Err(_) => Ok(()),
    });
}
