//! Hostile input through the window (issue 9): a pasted image that claims
//! an enormous size is refused from its header, before anything is
//! decoded, and text far longer than anything a paste can use is refused
//! once past its budget, before the rest is read; the window goes on
//! working. Run through scripts/test.sh.

use watchword_e2e::{
    png_claiming, put_clipboard_image, put_clipboard_text, put_clipboard_text_as, qr_page_png,
    Profile,
};

#[test]
fn a_pasted_image_claiming_an_enormous_size_is_refused_and_the_window_goes_on() {
    let profile = Profile::new("hostile_paste");
    let app = profile.launch();
    app.wait_loaded();
    let dir = tempfile::tempdir().expect("temp dir");

    let bomb = dir.path().join("bomb.png");
    std::fs::write(&bomb, png_claiming(100_000)).expect("write");
    put_clipboard_image(&bomb);
    app.press_ctrl_v();
    app.wait_toast("100000×100000 pixels, larger than");
    assert!(!app.displayed("#enrol-dialog"));

    // Still working: a real code pasted next is found.
    let uri = "otpauth://totp/Shop:me?secret=JBSWY3DPEHPK3PXP&issuer=Shop";
    let shot = dir.path().join("shot.png");
    std::fs::write(&shot, qr_page_png(&[uri], 4)).expect("write");
    put_clipboard_image(&shot);
    app.press_ctrl_v();
    let found = app.wait_found(1);
    assert_eq!(found[0].issuer, "Shop");
}

#[test]
fn pasted_text_longer_than_any_link_is_refused_and_the_window_goes_on() {
    let profile = Profile::new("hostile_paste_text");
    let app = profile.launch();
    app.wait_loaded();
    let dir = tempfile::tempdir().expect("temp dir");

    // 8 MB, sent in chunks (INCR): the read stops past 1 MB. Read whole,
    // it was "The clipboard holds text, not a QR code…".
    let long = "otpauth://totp/Shop:me?secret=JBSWY3DPEHPK3PXP&issuer=".to_owned()
        + &"x".repeat(8_000_000);
    put_clipboard_text(dir.path(), &long);
    app.press_ctrl_v();
    let notice = app.wait_toast("longer than 1 MB");
    assert!(!notice.contains("JBSW"), "{notice:?}");
    assert!(!app.displayed("#add-dialog"));

    // Still working: a link pasted next fills the add form, offered as
    // plain text/plain only too (the first text target asked for,
    // UTF8_STRING, is refused, and the next ones are tried).
    let uri = "otpauth://totp/Shop:me?secret=JBSWY3DPEHPK3PXP&issuer=Shop";
    put_clipboard_text_as(dir.path(), uri, "text/plain");
    app.press_ctrl_v();
    app.wait_add_valid("Shop · me");
}
