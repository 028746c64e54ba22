//! End-to-end tests: the real Watchword window, driven like a user would,
//! against a real Secret Service, the real clipboard and oathtool's codes.
//! Run through scripts/test.sh.

use watchword_e2e::{hotp_code, Profile, Totp};

/// "Hello!\xde\xad\xbe\xef", the key of countless examples.
const AMAZON_KEY: &str = "JBSWY3DPEHPK3PXP";

#[test]
fn add_copy_restart() {
    let profile = Profile::new("add_copy_restart");
    let spec = Totp::default_for(AMAZON_KEY);

    let app = profile.launch();
    app.wait_loaded();
    // Issue 9: no core dumps, in the app and the WebKit processes it
    // started (they inherit the limit), so a crash writes no keys to disk.
    let processes = app.app_processes();
    assert!(!processes.is_empty(), "the app's processes");
    for pid in processes {
        let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap_or_default();
        let core = limits
            .lines()
            .find(|line| line.starts_with("Max core file size"))
            .unwrap_or_default();
        assert_eq!(
            core.split_whitespace().skip(4).take(2).collect::<Vec<_>>(),
            ["0", "0"],
            "process {pid}: {core:?}"
        );
    }
    assert!(
        app.x_window_names().iter().any(|name| name == "Watchword"),
        "a window titled Watchword: {:?}",
        app.x_window_names()
    );
    assert!(
        app.displayed("#empty-state"),
        "an empty store shows the empty state"
    );
    let empty = app.text("#empty-state").to_lowercase();
    assert!(
        empty.contains("add") && empty.contains("account"),
        "the empty state says how to add an account: {empty:?}"
    );
    assert_eq!(app.count("#accounts li.account"), 0);

    app.open_add_form();
    // A character outside base32 is named by its position.
    app.fill("#add-input", "abc1");
    let error = app.wait_add_error("position 4");
    assert!(
        !error.contains("abc1"),
        "the error repeats the key: {error:?}"
    );

    // A key as sites show it: lowercase, in groups of four.
    app.fill("#add-input", "jbsw y3dp ehpk 3pxp");
    app.fill("#add-issuer", "Amazon");
    app.fill("#add-name", "seller@example.com");
    app.wait_add_valid("Amazon · seller@example.com");
    let rows = app.submit_add(1);
    assert_eq!(
        (
            rows[0].issuer.as_str(),
            rows[0].name.as_str(),
            rows[0].kind.as_str()
        ),
        ("Amazon", "seller@example.com", "totp")
    );
    assert!(
        !app.displayed("#empty-state"),
        "the empty state hides once there is an account"
    );
    assert_eq!(profile.keychain_items(), 1, "one keychain item per account");

    let row = &rows[0];
    app.assert_shown_totp(row, &spec);
    let copied = app.assert_copy_totp(row, &spec);
    // Clipboard managers (KDE's Klipper and others that honour the hint)
    // keep the code out of their history.
    let targets = watchword_e2e::clipboard_targets().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        targets.iter().any(|t| t == "x-kde-passwordManagerHint"),
        "the copy is marked as a secret: {targets:?}"
    );
    // "Clears in 30 s": not before (checked from the copy on), nor long after.
    app.assert_clipboard_clears(&copied);
    // The countdown runs out, the next code is hinted, then it takes over.
    app.assert_expiry_and_rollover(row, &spec);

    // Restart on the same data folder and keychain.
    app.quit();
    let app = profile.launch();
    app.wait_loaded();
    let rows = app.wait_rows(1);
    assert_eq!(
        (rows[0].issuer.as_str(), rows[0].name.as_str()),
        ("Amazon", "seller@example.com")
    );
    assert_eq!(
        rows[0].id, row.id,
        "the account keeps its id across restarts"
    );
    app.assert_shown_totp(&rows[0], &spec);

    // Without the metadata file the keychain still has every account.
    app.quit();
    profile.delete_data_dir();
    let app = profile.launch();
    app.wait_loaded();
    let rows = app.wait_rows(1);
    assert_eq!(
        (rows[0].issuer.as_str(), rows[0].name.as_str()),
        ("Amazon", "seller@example.com")
    );
    app.assert_shown_totp(&rows[0], &spec);
    assert!(!app.displayed("#empty-state"));
    app.quit();
}

#[test]
fn add_by_uri_and_advanced() {
    let profile = Profile::new("add_by_uri_and_advanced");
    const URI_KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    const HOTP_KEY: &str = "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TF";
    let sha256 = Totp {
        key: URI_KEY,
        algorithm: "SHA256",
        digits: 8,
        period: 60,
    };
    let hotp: Vec<String> = (5..=9).map(|c| hotp_code(HOTP_KEY, 6, c)).collect();
    assert!(
        hotp.windows(2).all(|pair| pair[0] != pair[1]),
        "the test key must give distinct codes for counters 5 to 9: {hotp:?}"
    );

    let app = profile.launch();
    app.wait_loaded();

    // An otpauth URI whose issuer parameter differs from the label's prefix:
    // the parameter wins.
    app.open_add_form();
    app.fill(
        "#add-input",
        &format!(
            "otpauth://totp/Label%20Prefix:alice@example.com?secret={URI_KEY}\
             &issuer=Param%20Issuer&algorithm=SHA256&digits=8&period=60"
        ),
    );
    let preview = app.wait_add_valid("Param Issuer · alice@example.com");
    assert!(
        preview.contains("8 digits") && preview.contains("60 s") && preview.contains("SHA256"),
        "the preview describes the URI's parameters: {preview:?}"
    );
    let rows = app.submit_add(1);
    let uri_row = rows[0].clone();
    assert_eq!(
        (uri_row.issuer.as_str(), uri_row.name.as_str()),
        ("Param Issuer", "alice@example.com")
    );
    app.assert_shown_totp(&uri_row, &sha256);

    // A counter-based account through the advanced section.
    app.open_add_form();
    app.fill("#add-input", &HOTP_KEY.to_lowercase());
    app.fill("#add-issuer", "Counter Bank");
    app.fill("#add-name", "bob");
    app.click("#add-advanced summary");
    app.wait_until("the advanced section to open", || {
        match app.try_property("#add-advanced", "open") {
            Ok(serde_json::Value::Bool(true)) => Ok(()),
            other => Err(format!("#add-advanced open = {other:?}")),
        }
    });
    app.click("#add-kind option[value=\"hotp\"]");
    app.wait_until("the counter field to appear for HOTP", || {
        let kind = app
            .try_property("#add-kind", "value")
            .map_err(|e| e.to_string())?;
        let shown = app
            .try_displayed("#add-counter")
            .map_err(|e| e.to_string())?;
        if kind == "hotp" && shown {
            Ok(())
        } else {
            Err(format!(
                "#add-kind = {kind}, #add-counter displayed = {shown}"
            ))
        }
    });
    app.fill("#add-counter", "5");
    app.wait_add_valid("Counter Bank · bob: counter-based, 6 digits, counter 5");
    let rows = app.submit_add(2);
    let hotp_row = rows
        .iter()
        .find(|r| r.issuer == "Counter Bank")
        .cloned()
        .expect("the HOTP account is listed");
    assert_eq!(
        (hotp_row.name.as_str(), hotp_row.kind.as_str()),
        ("bob", "hotp")
    );
    assert!(
        app.displayed(&hotp_row.css("button.generate")),
        "an HOTP row offers Generate"
    );
    let shown_before = app.text(&hotp_row.css("button.code"));
    assert!(
        !shown_before.chars().any(|c| c.is_ascii_digit()),
        "no HOTP code before Generate: {shown_before:?}"
    );

    let generate = |app: &watchword_e2e::App<'_>, expected: &str, counter: u64| {
        let css = hotp_row.css("button.code");
        let before = app.text(&css);
        app.click(&hotp_row.css("button.generate"));
        let shown = app.wait_until(&format!("a new HOTP code (counter {counter})"), || {
            let text = app.try_text(&css).map_err(|e| e.to_string())?;
            if text != before && text.chars().any(|c| c.is_ascii_digit()) {
                Ok(text)
            } else {
                Err(format!("{css} shows {text:?}"))
            }
        });
        assert_eq!(
            shown,
            watchword_e2e::grouped(expected),
            "Generate shows the code for counter {counter}"
        );
    };
    generate(&app, &hotp[0], 5);
    // Copying takes the code shown and does not advance the counter.
    let copied = app.copy_code(&hotp_row);
    assert_eq!(
        copied.code, hotp[0],
        "the clipboard holds the HOTP code shown"
    );
    generate(&app, &hotp[1], 6);
    // The TOTP row is unaffected.
    app.assert_shown_totp(&uri_row, &sha256);

    // The counter survives a restart.
    app.quit();
    let app = profile.launch();
    app.wait_loaded();
    let rows = app.wait_rows(2);
    assert!(rows.iter().any(|r| r.id == hotp_row.id), "rows: {rows:?}");
    generate(&app, &hotp[2], 7);

    // Another process makes the next code (counter 8): the one shown is
    // behind the counter now, most likely used, so a click copies nothing
    // and says why, the row goes back to no code, and Generate goes on
    // from the counter as the keychain has it.
    let printed = profile.cli(&["code", "Counter Bank"]);
    assert_eq!(
        printed.trim(),
        hotp[3],
        "the command line's code, counter 8"
    );
    app.click(&hotp_row.css("button.code"));
    app.wait_toast("newer code");
    app.wait_until("the row to show no code", || {
        let text = app
            .try_text(&hotp_row.css("button.code"))
            .map_err(|e| e.to_string())?;
        if text.chars().any(|c| c.is_ascii_digit()) {
            Err(format!("still shows {text:?}"))
        } else {
            Ok(())
        }
    });
    assert_ne!(
        watchword_e2e::clipboard_holds().expect("the clipboard"),
        Some(hotp[2].clone()),
        "the code behind the counter was copied"
    );
    generate(&app, &hotp[4], 9);
    app.quit();
}

#[test]
fn duplicate_is_refused() {
    let profile = Profile::new("duplicate_is_refused");
    let app = profile.launch();
    app.wait_loaded();

    app.open_add_form();
    app.fill("#add-input", AMAZON_KEY);
    app.fill("#add-issuer", "GitHub");
    app.fill("#add-name", "octocat");
    app.wait_add_valid("GitHub · octocat");
    app.submit_add(1);

    // The same key and issuer, typed differently, is already there.
    app.open_add_form();
    app.fill("#add-input", "jbsw-y3dp ehpk-3pxp");
    app.fill("#add-issuer", "GitHub");
    let error = app.wait_add_error("already");
    assert!(
        error.to_lowercase().contains("already"),
        "the duplicate is explained: {error:?}"
    );
    assert!(
        !app.enabled("#add-submit"),
        "Add stays disabled for a duplicate"
    );

    // The same key under another issuer is a different account.
    app.fill("#add-issuer", "GitLab");
    app.wait_add_valid("GitLab");
    app.fill("#add-issuer", "github");
    app.wait_add_error("already");

    app.click("#add-cancel");
    app.wait_until("the add dialog to close", || {
        match app.try_property("#add-dialog", "open") {
            Ok(serde_json::Value::Bool(false)) => Ok(()),
            other => Err(format!("#add-dialog open = {other:?}")),
        }
    });
    let rows = app.wait_rows(1);
    assert_eq!(rows[0].issuer, "GitHub");
    assert_eq!(
        profile.keychain_items(),
        1,
        "nothing was added to the keychain"
    );
    app.quit();
}

/// A TOTP account with a 10-second period, for tests about time.
fn ten_second(key: &str) -> Totp<'_> {
    Totp {
        key,
        algorithm: "SHA1",
        digits: 6,
        period: 10,
    }
}

/// Adds `issuer`'s 10-second account through the add form.
fn add_ten_second_account(
    app: &watchword_e2e::App<'_>,
    issuer: &str,
    key: &str,
) -> Vec<watchword_e2e::Row> {
    app.open_add_form();
    app.fill(
        "#add-input",
        &format!("otpauth://totp/{issuer}:me?secret={key}&issuer={issuer}&period=10"),
    );
    app.wait_add_valid(&format!("{issuer} · me"));
    app.submit_add(1)
}

/// A laptop that sleeps through several periods wakes to the current code,
/// not the one it showed when it went to sleep.
#[test]
fn codes_are_current_after_a_sleep() {
    let profile = Profile::new("codes_after_sleep");
    const KEY: &str = "NBSWY3DPFQQHO33SNRSCCIJBEE";
    let spec = ten_second(KEY);
    let app = profile.launch();
    app.wait_loaded();
    let rows = add_ten_second_account(&app, "Sleepy", KEY);
    let before = app.assert_shown_totp(&rows[0], &spec);

    // Asleep for two and a half periods: the code shown then is long dead.
    app.suspend_for(std::time::Duration::from_secs(25));
    // Awake, the app repaints within a second or so (allowed 3 s, a third
    // of this account's period): the code moves on, to the current one.
    let code = rows[0].css("button.code");
    watchword_e2e::wait_until(
        "the code to move on after the sleep",
        std::time::Duration::from_secs(3),
        || {
            let shown = app.try_text(&code).map_err(|e| e.to_string())?;
            if watchword_e2e::digits_of(&shown) != before {
                Ok(())
            } else {
                Err(format!("still shows {shown:?}"))
            }
        },
    );
    app.assert_shown_totp(&rows[0], &spec);
    app.quit();
}

/// Copying a code in its last 2 seconds copies the next one, and says so:
/// a code that expires on the way is the commonest failure people report.
/// With a clock correction, which copying must follow: by the uncorrected
/// clock the click falls mid-period.
#[test]
fn copying_at_the_last_moment_copies_the_next_code() {
    let profile = Profile::new("copy_next");
    profile.cli_add(&["--issuer", "Late", "--account", "me"], AMAZON_KEY);
    let spec = Totp::default_for(AMAZON_KEY);
    let app = profile.launch();
    app.wait_loaded();
    let row = app.wait_rows(1).remove(0);

    // An hour and 15 s slow: when the corrected clock is in a code's last
    // 2 seconds, the uncorrected one is mid-period.
    let offset = 3615;
    app.set_time_offset(offset);
    app.assert_shown_totp_at(&row, &spec, offset);

    // Click 28.1 s into a period by the corrected clock. The app reads its
    // clock a moment later; on a busy machine that can fall after the
    // boundary, where it rightly copies the then current code: try again.
    for attempt in 1..=3 {
        let clicked = spec.sleep_into_step(offset, 28.1, 28.3) + offset as f64;
        app.click(&row.css("button.code"));
        let toast = app.wait_toast("Copied");
        let copied = watchword_e2e::clipboard_text().unwrap_or_else(|e| panic!("{e}"));
        let next_step = spec.step(clicked) + 1;
        assert_eq!(
            copied,
            spec.code_at(next_step * 30),
            "the next code was copied ({toast:?})"
        );
        if toast.starts_with("Copied the next code") {
            assert!(toast.ends_with(", clears in 30 s"), "{toast:?}");
            app.quit();
            return;
        }
        // A plain "Copied" of that same code is right only once the step
        // is over.
        assert!(
            watchword_e2e::unix_now() + offset as f64 >= (next_step * 30) as f64,
            "the copy before the boundary says {toast:?}"
        );
        eprintln!("attempt {attempt}: the copy landed after the boundary");
    }
    panic!("three copies in a code's last 2 seconds all landed after it");
}

/// A list longer than the window fills in whole: the rows one window can
/// show are laid out for the first frame and the others just after it
/// (ui/list/rows.js). Every account is there once, in the store's order,
/// and the last one, far below the first screenful, shows oathtool's code.
#[test]
fn a_long_list_fills_in_whole_and_in_order() {
    const COUNT: usize = 80;
    let profile = Profile::new("long_list");
    watchword_e2e::seed_accounts(&profile, COUNT);
    let app = profile.launch();
    app.wait_loaded();
    let rows = app.wait_rows(COUNT);
    let issuers: Vec<&str> = rows.iter().map(|r| r.issuer.as_str()).collect();
    let expected: Vec<String> = (0..COUNT).map(|i| format!("Service {i}")).collect();
    assert_eq!(
        issuers, expected,
        "every account once, in the store's order"
    );

    // seed_accounts' key for account i.
    let last = COUNT - 1;
    let key: Vec<u8> = (0..20u8)
        .map(|b| b.wrapping_mul(31) ^ (last as u8) ^ (last >> 8) as u8)
        .collect();
    let key = data_encoding::BASE32_NOPAD.encode(&key);
    let row = &rows[last];
    app.execute(
        "document.querySelector(arguments[0]).scrollIntoView();",
        serde_json::json!([row.css("button.code")]),
    );
    app.assert_shown_totp(row, &Totp::default_for(&key));
    app.quit();
}
