//! Finding and copying: type to find, the keyboard, and the list's order
//! once a search is cleared.

use super::*;

/// Presses Enter where the focus is; the clipboard must then hold the code
/// of `key` for the time step of the copy.
fn assert_enter_copies(app: &watchword_e2e::App<'_>, key: &str) {
    let before = unix_now();
    app.press_keys(&KEY_ENTER.to_string());
    app.wait_toast("Copied");
    let after = unix_now();
    let code = clipboard_text().unwrap_or_else(|e| panic!("{e}"));
    let copied = Copied {
        code,
        before,
        after,
    };
    assert_copied_totp(&copied, &Totp::default_for(key), 0);
}

#[test]
fn type_to_find_then_copy_with_the_keyboard() {
    let profile = Profile::new("find");
    seed(&profile);
    let app = profile.launch();
    app.wait_loaded();
    app.wait_rows(4);
    let all = [
        "Amazon",
        "Amazon Seller Central",
        "GitHub",
        "Société Générale",
    ];
    wait_visible(&app, &all);

    // Icons: GitHub's own, Amazon's colour on a monogram (Simple Icons has
    // no Amazon icon), and a monogram for an unknown bank.
    let icons = app.execute(
        "return Array.from(document.querySelectorAll('#accounts li.account .monogram')).map((m) => {
           const brand = m.querySelector('.brand');
           return [brand ? brand.dataset.slug : m.textContent, getComputedStyle(m).backgroundColor];
         });",
        serde_json::json!([]),
    );
    assert_eq!(
        icons[0],
        serde_json::json!(["A", "rgb(255, 153, 0)"]),
        "{icons}"
    );
    assert_eq!(
        icons[1],
        serde_json::json!(["A", "rgb(255, 153, 0)"]),
        "{icons}"
    );
    assert_eq!(
        icons[2],
        serde_json::json!(["github", "rgb(24, 23, 23)"]),
        "{icons}"
    );
    assert_eq!(icons[3][0], "S", "{icons}");

    // Typing anywhere searches, loosely: "amzn" finds both Amazons.
    app.execute(
        "document.activeElement && document.activeElement.blur();",
        serde_json::json!([]),
    );
    app.press_keys("amzn");
    assert_eq!(app.property("#search", "value"), "amzn");
    wait_visible(&app, &["Amazon", "Amazon Seller Central"]);

    // Enter copies the first match.
    assert_enter_copies(&app, AMAZON);

    // Esc clears the search.
    app.press_keys(&KEY_ESCAPE.to_string());
    wait_visible(&app, &all);
    assert_eq!(app.property("#search", "value"), "");

    // Accents do not matter, and the best match comes first.
    app.execute(
        "document.activeElement && document.activeElement.blur();",
        serde_json::json!([]),
    );
    app.press_keys("societe");
    wait_visible(&app, &["Société Générale"]);
    app.press_keys(&KEY_ESCAPE.to_string());
    app.press_keys("seller");
    wait_visible(&app, &["Amazon Seller Central"]);
    app.press_keys(&KEY_ESCAPE.to_string());
    app.press_keys("hub");
    wait_visible(&app, &["GitHub"]);

    // Nothing matches: the list says so.
    app.press_keys("zzz");
    app.wait_until("the no-match notice", || {
        match app.try_displayed("#no-match") {
            Ok(true) => Ok(()),
            other => Err(format!("#no-match displayed = {other:?}")),
        }
    });
    assert_eq!(app.text("#no-match"), "No account matches “hubzzz”.");
    app.press_keys(&KEY_ESCAPE.to_string());
    wait_visible(&app, &all);

    // Arrows move from the search to the codes and between them; Enter on
    // a code copies it; Ctrl+F comes back to the search.
    app.click("#search");
    app.press_keys(&format!("{KEY_DOWN}{KEY_DOWN}"));
    let focused = app.focused();
    assert!(focused.starts_with("button.code in "), "{focused}");
    let second = app.rows_now()[1].id.clone();
    assert!(
        focused.ends_with(&second),
        "the second row has the focus: {focused}"
    );
    app.press_keys(&KEY_UP.to_string());
    app.press_keys(&KEY_UP.to_string());
    assert_eq!(app.focused(), "input#search");
    app.press_keys(&format!("{KEY_DOWN}{KEY_DOWN}{KEY_DOWN}"));
    // The third row is GitHub.
    assert_enter_copies(&app, GITHUB);
    app.press_ctrl('f');
    assert_eq!(app.focused(), "input#search");

    // "?" away from the search lists the shortcuts; Esc closes it.
    app.press_keys(&KEY_ESCAPE.to_string());
    app.execute(
        "document.activeElement && document.activeElement.blur();",
        serde_json::json!([]),
    );
    app.press_keys("?");
    app.wait_until("the shortcuts", || {
        match app.try_property("#help-dialog", "open") {
            Ok(serde_json::Value::Bool(true)) => Ok(()),
            other => Err(format!("#help-dialog open = {other:?}")),
        }
    });
    assert!(app.text("#help-dialog").contains("Undo a deletion"));
    assert_eq!(
        app.property("#search", "value"),
        "",
        "not typed into the search"
    );
    app.press_keys(&KEY_ESCAPE.to_string());
    app.wait_until("the shortcuts to close", || {
        match app.try_property("#help-dialog", "open") {
            Ok(serde_json::Value::Bool(false)) => Ok(()),
            other => Err(format!("#help-dialog open = {other:?}")),
        }
    });
    app.quit();
}

/// With a group chosen, a search that shows the group's accounts in
/// another order, once cleared, leaves every row in the store's order, the
/// other groups' hidden rows too: a drag saves the order it finds.
#[test]
fn a_cleared_search_puts_every_row_back_in_order() {
    let profile = Profile::new("search_order");
    for (issuer, key) in [
        ("Service Alpha", AMAZON),
        ("GitHub", GITHUB),
        ("Alpha", BANK),
        ("Seller Central", SELLER),
    ] {
        profile.cli_add(&["--issuer", issuer, "--account", "me"], key);
    }
    profile.cli(&["group", "Service Alpha", "--add", "Money"]);
    profile.cli(&["group", "Alpha", "--add", "Money"]);
    let store_order = ["Service Alpha", "GitHub", "Alpha", "Seller Central"];

    let app = profile.launch();
    app.wait_loaded();
    app.wait_rows(4);
    choose_group(&app, "Money");
    let search = |text: &str| {
        app.execute(
            "const field = document.getElementById('search');
             field.value = arguments[0];
             field.dispatchEvent(new Event('input'));",
            serde_json::json!([text]),
        );
    };
    let shown = || -> Vec<String> { app.rows_now().into_iter().map(|row| row.issuer).collect() };
    // The best match first: the whole name before the start of a word.
    search("alpha");
    let visible = app.execute(
        "return Array.from(document.querySelectorAll('#accounts li.account:not([hidden]) .issuer'))
           .map((e) => e.textContent);",
        serde_json::json!([]),
    );
    assert_eq!(visible, serde_json::json!(["Alpha", "Service Alpha"]));
    search("");
    assert_eq!(shown(), store_order, "every row, hidden or not");
    choose_group(&app, "");
    assert_eq!(shown(), store_order);
    app.quit();
}
