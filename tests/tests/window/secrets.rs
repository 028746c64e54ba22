//! What the window shows of keys and keychain items: the QR code and the
//! key only after confirming, Steam's codes, items it cannot read.

use super::*;

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
