//! End-to-end: accounts enrolled from QR codes (issue 3). A screenshot on
//! the X clipboard pasted with Ctrl+V, a code shown on the screen found by
//! "Scan screen", and a Google Authenticator export spread over two codes,
//! each ending with the accounts in the list and oathtool's codes shown.
//! Run through scripts/test.sh.

use watchword_core::account::{Account, Algorithm, OtpKind};
use watchword_core::{migration, Secret};
use watchword_e2e::{
    choose_in_file_dialog, put_clipboard_image, put_clipboard_text, qr_page_png, show_image, xdnd,
    Profile, Totp, TIMEOUT,
};

#[test]
fn paste_a_screenshot_with_ctrl_v() {
    let profile = Profile::new("paste_screenshot");
    const KEY: &str = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U";
    let uri = format!(
        "otpauth://totp/Seller%20Central:seller@example.com?secret={KEY}&issuer=Seller%20Central"
    );
    let dir = profile.data_dir().parent().expect("the profile's folder");
    let app = profile.launch();
    app.wait_loaded();

    // An image with no code: a notice, no dialog.
    let blank = dir.join("blank.png");
    std::fs::write(&blank, qr_page_png(&[], 4)).expect("write the image");
    put_clipboard_image(&blank);
    app.press_ctrl_v();
    app.wait_toast("No QR code found in the pasted image");
    assert!(!app.displayed("#enrol-dialog"));

    // A screenshot of a page with the code.
    let shot = dir.join("screenshot.png");
    std::fs::write(&shot, qr_page_png(&[&uri], 4)).expect("write the screenshot");
    put_clipboard_image(&shot);
    app.press_ctrl_v();
    let found = app.wait_found(1);
    assert_eq!(
        (found[0].issuer.as_str(), found[0].name.as_str()),
        ("Seller Central", "seller@example.com")
    );
    assert_eq!(found[0].details, "6 digits every 30 s, SHA1");
    assert!(found[0].picked && !found[0].duplicate);
    // Not in the text, the markup and attributes, nor any field's value
    // (WebDriver's element text leaves out what an <input> holds).
    let everywhere = app.execute(
        "return [document.documentElement.outerHTML, document.body.innerText,
                 ...Array.from(document.querySelectorAll('input, textarea, select'))
                   .map((e) => e.value)].join('\\n');",
        serde_json::json!([]),
    );
    let everywhere = everywhere.as_str().expect("a string");
    assert!(
        everywhere.contains("seller@example.com"),
        "the page was read with the preview in it"
    );
    assert!(!everywhere.contains(KEY), "the preview never shows the key");
    let rows = app.confirm_found(1);
    app.wait_toast("Added 1 account");
    assert_eq!(
        (rows[0].issuer.as_str(), rows[0].name.as_str()),
        ("Seller Central", "seller@example.com")
    );
    app.assert_shown_totp(&rows[0], &Totp::default_for(KEY));

    // The same code again is marked as already there and cannot be added.
    put_clipboard_image(&shot);
    app.press_ctrl_v();
    let found = app.wait_found(1);
    assert!(found[0].duplicate && !found[0].picked, "{found:?}");
    assert!(!app.enabled("#enrol-confirm"));
    app.click("#enrol-cancel");

    // An otpauth link as text opens the add form, filled in.
    let text_uri = format!("otpauth://totp/GitHub:octo?secret={KEY}&issuer=GitHub");
    put_clipboard_text(dir, &text_uri);
    app.press_ctrl_v();
    app.wait_add_valid("GitHub · octo");
    assert_eq!(app.property("#add-input", "value"), text_uri.as_str());
    let rows = app.submit_add(2);
    assert!(rows
        .iter()
        .any(|r| r.issuer == "GitHub" && r.name == "octo"));

    // Text that is neither a link nor a key is named, never repeated.
    put_clipboard_text(dir, "https://example.com/login?token=s3cr3t");
    app.press_ctrl_v();
    let notice = app.wait_toast("holds a web link");
    assert!(!notice.contains("s3cr3t"), "{notice:?}");
    app.quit();
}

#[test]
fn scan_screen_finds_a_code_shown_on_the_display() {
    let profile = Profile::new("scan_screen");
    const KEY: &str = "ONSWG4TFOQYTEMZUGU3DOOBZGAYTEMZU";
    let spec = Totp {
        key: KEY,
        algorithm: "SHA256",
        digits: 8,
        period: 60,
    };
    let uri = format!(
        "otpauth://totp/Amazon:buyer@example.com?secret={KEY}&issuer=Amazon&algorithm=SHA256&digits=8&period=60"
    );
    let dir = profile.data_dir().parent().expect("the profile's folder");
    let app = profile.launch();
    app.wait_loaded();

    // Nothing on the screen yet.
    app.click("#scan-button");
    app.wait_toast("No QR code found on the screen");

    let page = dir.join("page.png");
    std::fs::write(&page, qr_page_png(&[&uri], 3)).expect("write the image");
    // Under the app window, which covers it whole: only a window that steps
    // aside for the capture lets the code be seen.
    let [x, y, width, height] = app.window_rect();
    assert!(width >= 300 && height >= 300, "{width}×{height}");
    let _shown = show_image(&page, (x + 20) as u32, (y + 60) as u32);
    app.execute("window.focus();", serde_json::json!([]));
    watchword_e2e::raise_window("Watchword");
    assert_eq!(
        watchword_e2e::topmost_of(&["Watchword", "QR code"]).unwrap_or_else(|e| panic!("{e}")),
        "Watchword",
        "the app window is above the code"
    );
    scan_until_found(&app);
    let found = app.wait_found(1);
    assert_eq!(
        (found[0].issuer.as_str(), found[0].name.as_str()),
        ("Amazon", "buyer@example.com")
    );
    assert_eq!(found[0].details, "8 digits every 60 s, SHA256");
    // The window is back on the display after the capture (mapped and
    // viewable for X, not only shown by the page's CSS), and in front of
    // the code again.
    app.wait_until(
        "the window back in front after the capture",
        || match watchword_e2e::topmost_of(&["Watchword", "QR code"]) {
            Ok(top) if top == "Watchword" => Ok(()),
            other => Err(format!("topmost: {other:?}")),
        },
    );
    assert!(app.displayed("#enrol-dialog"), "the preview is shown");
    let rows = app.confirm_found(1);
    app.assert_shown_totp(&rows[0], &spec);
    app.quit();
}

#[test]
fn drop_image_files_on_the_window() {
    let profile = Profile::new("drop_files");
    const GITHUB: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    const BANK: &str = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U";
    let dir = profile.data_dir().parent().expect("the profile's folder");
    let github = dir.join("github qr.png");
    std::fs::write(
        &github,
        qr_page_png(
            &[&format!(
                "otpauth://totp/GitHub:octo?secret={GITHUB}&issuer=GitHub"
            )],
            4,
        ),
    )
    .expect("write the image");
    let bank = dir.join("bank.png");
    std::fs::write(
        &bank,
        qr_page_png(
            &[&format!("otpauth://totp/Bank:me?secret={BANK}&issuer=Bank")],
            3,
        ),
    )
    .expect("write the image");
    let notes = dir.join("notes.txt");
    std::fs::write(&notes, "not an image").expect("write the file");

    let app = profile.launch();
    app.wait_loaded();
    xdnd::drag_and_drop("Watchword", &[&github, &notes, &bank], TIMEOUT, || {
        app.wait_until("the drop target to show while dragging", || {
            match app.try_displayed("#drop-target") {
                Ok(true) => Ok(()),
                other => Err(format!("#drop-target displayed = {other:?}")),
            }
        });
    })
    .unwrap_or_else(|e| panic!("dropping the files: {e}"));
    let found = app.wait_found(2);
    let names: Vec<(&str, &str)> = found
        .iter()
        .map(|f| (f.issuer.as_str(), f.name.as_str()))
        .collect();
    assert_eq!(names, [("GitHub", "octo"), ("Bank", "me")]);
    let notes_shown = app.text("#enrol-notes");
    assert!(
        notes_shown.contains("notes.txt: This file is neither an image nor a backup"),
        "the bad file is named with its reason: {notes_shown:?}"
    );
    assert!(
        !app.displayed("#drop-target"),
        "the drop target hides after the drop"
    );
    let rows = app.confirm_found(2);
    let row = rows.iter().find(|r| r.issuer == "GitHub").expect("GitHub");
    app.assert_shown_totp(row, &Totp::default_for(GITHUB));

    // A drop with nothing usable is one notice, not a dialog.
    xdnd::drop_files("Watchword", &[&notes], TIMEOUT)
        .unwrap_or_else(|e| panic!("dropping the file: {e}"));
    app.wait_toast("This file is neither an image nor a backup Watchword can read");
    assert!(!app.displayed("#enrol-dialog"));
    app.quit();
}

#[test]
fn open_an_image_through_the_file_dialog() {
    let profile = Profile::new("open_image");
    const KEY: &str = "ORSXG5DJNZTTEMZUGU3DOOBZGAYTEMZU";
    let dir = profile.data_dir().parent().expect("the profile's folder");
    let image = dir.join("steam code.png");
    std::fs::write(
        &image,
        qr_page_png(
            &[&format!(
                "otpauth://totp/Steam:gamer?secret={KEY}&issuer=Steam&encoder=steam"
            )],
            4,
        ),
    )
    .expect("write the image");
    let app = profile.launch();
    app.wait_loaded();
    app.click("#more-button");
    app.click("#open-button");
    choose_in_file_dialog("Open QR code images", &image);
    let found = app.wait_found(1);
    assert_eq!(
        (found[0].issuer.as_str(), found[0].name.as_str()),
        ("Steam", "gamer")
    );
    assert_eq!(found[0].details, "Steam Guard");
    let rows = app.confirm_found(1);
    assert_eq!(rows[0].kind, "steam");
    app.quit();
}

fn export_accounts() -> Vec<Account> {
    // Twelve accounts: more than one export code holds (ten).
    (0..12u8)
        .map(|i| {
            let mut account = Account::totp(
                &format!("Shop {i}"),
                &format!("user{i}@example.com"),
                Secret::from_bytes((0..20).map(|b| b ^ (i * 17 + 1)).collect()),
            );
            match i {
                3 => {
                    account.algorithm = Algorithm::Sha256;
                    account.digits = 8;
                }
                5 => account.algorithm = Algorithm::Sha512,
                7 => account.kind = OtpKind::Hotp { counter: 4 },
                _ => {}
            }
            account
        })
        .collect()
}

#[test]
fn a_google_export_in_two_codes() {
    let profile = Profile::new("google_export");
    let accounts = export_accounts();
    let parts = migration::encode_batches(&accounts, 424_242).expect("encodable");
    assert_eq!(parts.len(), 2);
    let dir = profile.data_dir().parent().expect("the profile's folder");
    let app = profile.launch();
    app.wait_loaded();

    // Part 2 first: its accounts, and a warning that part 1 is missing.
    let second = dir.join("part2.png");
    std::fs::write(&second, qr_page_png(&[&parts[1]], 4)).expect("write the image");
    put_clipboard_image(&second);
    app.press_ctrl_v();
    app.wait_found(2);
    let missing = app.text("#enrol-missing");
    assert!(
        missing.contains("Part 1 of 2") && app.displayed("#enrol-missing"),
        "{missing:?}"
    );

    // Part 1, pasted while the preview is open, joins the same list.
    let first = dir.join("part1.png");
    std::fs::write(&first, qr_page_png(&[&parts[0]], 3)).expect("write the image");
    put_clipboard_image(&first);
    app.press_ctrl_v();
    let found = app.wait_found(12);
    assert!(!app.displayed("#enrol-missing"), "nothing is missing now");
    assert_eq!(found[0].issuer, "Shop 10", "part 2's accounts came first");
    let by_issuer = |issuer: &str| {
        found
            .iter()
            .find(|f| f.issuer == issuer)
            .unwrap_or_else(|| panic!("{issuer} in {found:?}"))
    };
    assert_eq!(by_issuer("Shop 3").details, "8 digits every 30 s, SHA256");
    assert_eq!(by_issuer("Shop 5").details, "6 digits every 30 s, SHA512");
    assert_eq!(
        by_issuer("Shop 7").details,
        "Counter-based, 6 digits, counter 4"
    );

    // Untick one, rename another, then add.
    app.execute(
        "const items = Array.from(document.querySelectorAll('#enrol-list li.found'));
         const item = (issuer) => items.find((li) => li.querySelector('.found-issuer').value === issuer);
         item('Shop 11').querySelector('.pick').click();
         const name = item('Shop 0').querySelector('.found-name');
         name.value = 'renamed@example.com';
         name.dispatchEvent(new Event('input', { bubbles: true }));",
        serde_json::json!([]),
    );
    assert_eq!(app.text("#enrol-confirm"), "Add 11 accounts");
    let rows = app.confirm_found(11);
    app.wait_toast("Added 11 accounts");
    assert!(!rows.iter().any(|r| r.issuer == "Shop 11"), "unticked");
    assert!(rows
        .iter()
        .any(|r| r.issuer == "Shop 0" && r.name == "renamed@example.com"));
    assert_eq!(profile.keychain_items(), 11);

    // Codes as oathtool computes them, for each kind of account.
    for (index, algorithm, digits) in [(0, "SHA1", 6), (3, "SHA256", 8), (5, "SHA512", 6)] {
        let key = accounts[index].secret.to_base32();
        let issuer = format!("Shop {index}");
        let row = rows
            .iter()
            .find(|r| r.issuer == issuer)
            .unwrap_or_else(|| panic!("{issuer} in {rows:?}"));
        let spec = Totp {
            key: &key,
            algorithm,
            digits,
            period: 30,
        };
        app.assert_shown_totp(row, &spec);
    }
    let hotp = rows
        .iter()
        .find(|r| r.issuer == "Shop 7")
        .expect("the HOTP account");
    assert_eq!(hotp.kind, "hotp");
    app.click(&hotp.css("button.generate"));
    let key = accounts[7].secret.to_base32();
    let expected = watchword_e2e::grouped(&watchword_e2e::hotp_code(&key, 6, 4));
    app.wait_until("the HOTP code for counter 4", || {
        let shown = app.text(&hotp.css("button.code"));
        if shown == expected {
            Ok(())
        } else {
            Err(format!("shows {shown:?}, expected {expected:?}"))
        }
    });
    app.quit();
}

/// Clicks "Scan screen" until the preview opens. A window only just mapped
/// may not have painted yet, which shows as "No QR code found on the
/// screen": then it scans again (the toast taken down first, so the next
/// answer is new), at most three times in all.
fn scan_until_found(app: &watchword_e2e::App<'_>) {
    for _ in 0..3 {
        app.dismiss_toast();
        app.click("#scan-button");
        let painted = app.wait_until("the scan to end", || {
            match app.try_property("#enrol-dialog", "open") {
                Ok(serde_json::Value::Bool(true)) => return Ok(true),
                Ok(_) => {}
                Err(e) => return Err(e.to_string()),
            }
            let toast = app.try_text("#toast").map_err(|e| e.to_string())?;
            if toast.contains("No QR code found on the screen") {
                Ok(false)
            } else {
                Err(format!("no preview yet; #toast = {toast:?}"))
            }
        });
        if painted {
            return;
        }
    }
    panic!("three scans of the screen found no QR code");
}
