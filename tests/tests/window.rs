//! End-to-end: the main window people live in (issue 4): finding, copying,
//! arranging. Run through scripts/test.sh.

use watchword_e2e::{clipboard_text, Profile, Totp, KEY_DOWN, KEY_ENTER, KEY_ESCAPE, KEY_UP};

const AMAZON: &str = "JBSWY3DPEHPK3PXP";
const SELLER: &str = "GEZDGNBVGY3TQOJQGEZDGNBV";
const GITHUB: &str = "MFRGGZDFMZTWQ2LKNNWG23TP";
const BANK: &str = "ONSWG4TFOQYTEMZUGU3DOOBZ";

/// Four accounts, stored through the CLI on the profile.
fn seed(profile: &Profile) {
    for (issuer, account, key) in [
        ("Amazon", "buyer@example.com", AMAZON),
        ("Amazon Seller Central", "seller@example.com", SELLER),
        ("GitHub", "octocat", GITHUB),
        ("Société Générale", "moi", BANK),
    ] {
        profile.cli(&[
            "add",
            "--issuer",
            issuer,
            "--account",
            account,
            "--secret",
            key,
        ]);
    }
}

fn visible_issuers(app: &watchword_e2e::App<'_>) -> Vec<String> {
    let value = app.execute(
        "return Array.from(document.querySelectorAll('#accounts li.account:not([hidden]) .issuer'))
           .map((e) => e.textContent);",
        serde_json::json!([]),
    );
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn wait_visible(app: &watchword_e2e::App<'_>, expected: &[&str]) {
    app.wait_until(&format!("the list to show {expected:?}"), || {
        let shown = visible_issuers(app);
        if shown == expected {
            Ok(())
        } else {
            Err(format!("it shows {shown:?}"))
        }
    });
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

    // Typing anywhere searches, loosely: "amzn" finds both Amazons.
    app.execute(
        "document.activeElement && document.activeElement.blur();",
        serde_json::json!([]),
    );
    app.press_keys("amzn");
    assert_eq!(app.property("#search", "value"), "amzn");
    wait_visible(&app, &["Amazon", "Amazon Seller Central"]);

    // Enter copies the first match.
    app.press_keys(&KEY_ENTER.to_string());
    app.wait_toast("Copied");
    let copied = clipboard_text().unwrap_or_else(|e| panic!("{e}"));
    let amazon = Totp::default_for(AMAZON);
    let now = watchword_e2e::unix_now();
    let allowed: Vec<String> = (amazon.step(now - 3.0)..=amazon.step(now + 2.0))
        .map(|s| amazon.code_at(s * 30))
        .collect();
    assert!(allowed.contains(&copied), "{copied:?} not in {allowed:?}");

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
    app.press_keys(&KEY_ENTER.to_string());
    app.wait_toast("Copied");
    let github = Totp::default_for(GITHUB);
    let copied = clipboard_text().unwrap_or_else(|e| panic!("{e}"));
    let now = watchword_e2e::unix_now();
    let allowed: Vec<String> = (github.step(now - 3.0)..=github.step(now + 2.0))
        .map(|s| github.code_at(s * 30))
        .collect();
    assert!(
        allowed.contains(&copied),
        "the third row is GitHub: {copied:?}"
    );
    app.press_ctrl('f');
    assert_eq!(app.focused(), "input#search");
    app.quit();
}
