//! Paste and copy on a Wayland desktop with no X server (issue 9): the
//! window is a pure Wayland client of weston, and wl-clipboard plays the
//! other programs. A pasted QR screenshot is found, an oversized one is
//! refused from its header, pasted text reaches the add form, and a copied
//! code is what other programs paste, kept out of clipboard history and
//! cleared on time, unless another program copied something since. Run
//! through scripts/test.sh.

use watchword_e2e::{
    assert_cleared_after, assert_copied_totp, assert_kept, qr_page_png, Profile, Totp, Weston,
};

const KEY: &str = "JBSWY3DPEHPK3PXP";

#[test]
fn on_wayland_without_x_the_window_pastes_and_copies_through_the_compositor() {
    let weston = Weston::start();
    let profile = Profile::new("wayland_clipboard");
    weston.host(&profile);
    let dir = tempfile::tempdir().expect("temp dir");
    let app = profile.launch();
    app.wait_loaded();

    // A screenshot with a code: found and added.
    let uri = format!("otpauth://totp/Shop:me@example.com?secret={KEY}&issuer=Shop");
    let shot = dir.path().join("shot.png");
    std::fs::write(&shot, qr_page_png(&[&uri], 4)).expect("write");
    weston.copy_file(&app, &shot, "image/png");
    app.press_ctrl_v();
    let found = app.wait_found(1);
    assert_eq!(
        (found[0].issuer.as_str(), found[0].name.as_str()),
        ("Shop", "me@example.com")
    );
    let rows = app.confirm_found(1);

    // A PNG claiming 100,000 × 100,000 pixels: refused from its header.
    let bomb = dir.path().join("bomb.png");
    std::fs::write(&bomb, watchword_e2e::png_claiming(100_000)).expect("write");
    weston.copy_file(&app, &bomb, "image/png");
    app.press_ctrl_v();
    app.wait_toast("100000×100000 pixels, larger than");
    assert!(!app.displayed("#enrol-dialog"));

    // Text: an otpauth link fills the add form.
    let text_uri = format!("otpauth://totp/GitHub:octo?secret={KEY}&issuer=GitHub");
    let text = dir.path().join("link.txt");
    std::fs::write(&text, &text_uri).expect("write");
    weston.copy_file(&app, &text, "text/plain;charset=utf-8");
    app.press_ctrl_v();
    app.wait_add_valid("GitHub · octo");
    assert_eq!(app.property("#add-input", "value"), text_uri.as_str());
    app.press_keys(&watchword_e2e::KEY_ESCAPE.to_string());

    // Copy: other programs paste exactly the code, and clipboard managers
    // are told it is a secret.
    app.open_settings();
    app.set_number("#set-clear", "10");
    app.click("#settings-done");
    let spec = Totp::default_for(KEY);
    let read = || {
        weston
            .paste_as("text/plain")?
            .ok_or_else(|| "nothing is copied".to_owned())
    };
    weston.refocus(&app, "before the first copy");
    let copied = app.copy_code_reading(&rows[0], "clears in 10 s", read);
    assert_copied_totp(&copied, &spec, 0);
    let types = weston.paste_types().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        types.iter().any(|t| t == "x-kde-passwordManagerHint"),
        "offered {types:?}"
    );
    assert_eq!(
        weston.paste_as("x-kde-passwordManagerHint"),
        Ok(Some("secret".to_owned()))
    );
    // And it is gone 10 s later. weston keeps a copy of the last text
    // copied (its clipboard manager ignores the password hint), so the
    // code is cleared by an empty text taking its place.
    let text_held = || {
        Ok(weston
            .paste_as("text/plain;charset=utf-8")?
            .filter(|text| !text.is_empty()))
    };
    assert_cleared_after(&copied, 10.0, text_held);

    // Something else copied since: it is not the code, so it stays.
    weston.refocus(&app, "before the second copy");
    let copied = app.copy_code_reading(&rows[0], "clears in 10 s", read);
    let list = dir.path().join("list.txt");
    std::fs::write(&list, "a shopping list").expect("write");
    weston.copy_file(&app, &list, "text/plain;charset=utf-8");
    assert_kept(&copied, 10.0, 5.0, "a shopping list", text_held);
    app.quit();
}
