//! End-to-end: the main window people live in (issue 4): finding, copying,
//! arranging. Run through scripts/test.sh.

mod arrange;
mod countdown;
mod find;
mod notes;
mod secrets;
mod settings;

use watchword_e2e::{
    assert_copied_totp, clipboard_text, unix_now, Copied, Profile, Totp, KEY_ALT, KEY_DOWN,
    KEY_ENTER, KEY_ESCAPE, KEY_UP,
};

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
        profile.cli_add(&["--issuer", issuer, "--account", account], key);
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

/// Waits until the `<dialog>` at `css` is open (or closed).
fn wait_dialog(app: &watchword_e2e::App<'_>, css: &str, open: bool) {
    app.wait_until(&format!("{css} open = {open}"), || {
        match app.try_property(css, "open") {
            Ok(serde_json::Value::Bool(now)) if now == open => Ok(()),
            other => Err(format!("{css} open = {other:?}")),
        }
    });
}

/// Shows the accounts of `group` ("" for all), as choosing it in the list's
/// group menu does.
fn choose_group(app: &watchword_e2e::App<'_>, group: &str) {
    app.execute(
        "const select = document.getElementById('group-filter');
         if (![...select.options].some((o) => o.value === arguments[0])) throw new Error('no such group: ' + arguments[0]);
         select.value = arguments[0];
         select.dispatchEvent(new Event('change'));",
        serde_json::json!([group]),
    );
}
