//! End-to-end: usable without a mouse and without sight (issue 15), checked
//! in the real window (WebKitGTK through WebDriver). axe-core, installed by
//! `scripts/setup.sh test` from npm, is injected into the page and run in
//! every state of the window in both themes; a keyboard walk checks where
//! the focus goes; zoom and a narrow window must lose nothing.

mod axe;
mod keyboard;
mod palette;
mod said;
mod zoom;

use serde_json::{json, Value};
use std::process::Command;
use std::time::Duration;
use watchword_e2e::{
    put_clipboard_image, qr_page_png, run_bounded, workspace_dir, App, Profile, KEY_CONTROL,
    KEY_DOWN, KEY_ENTER, KEY_ESCAPE,
};

const GITHUB: &str = "MFRGGZDFMZTWQ2LKNNWG23TP";
const AMAZON: &str = "JBSWY3DPEHPK3PXP";
const BANK: &str = "ONSWG4TFOQYTEMZUGU3DOOBZ";
const STEAM: &str = "GEZDGNBVGY3TQOJQGEZDGNBV";
const KEY_TAB: char = '\u{E004}';

/// GitHub and Amazon (TOTP), a bank (HOTP) and Steam.
fn seed(profile: &Profile) {
    profile.cli_add(&["--issuer", "GitHub", "--account", "octocat"], GITHUB);
    profile.cli_add(
        &[
            "--issuer",
            "Amazon Seller Central Europe",
            "--account",
            "a-rather-long-address@example.com",
        ],
        AMAZON,
    );
    profile.cli_add(
        &["--issuer", "Bank", "--account", "me", "--type", "hotp"],
        BANK,
    );
    profile.cli_add(
        &["--issuer", "Steam", "--account", "gamer", "--type", "steam"],
        STEAM,
    );
}

// ---------------------------------------------------------------------------
// axe-core in the page
// ---------------------------------------------------------------------------

/// axe-core's source, as `scripts/setup.sh test` installs it.
fn axe_source() -> String {
    let path = workspace_dir().join("tests/a11y/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}): run scripts/setup.sh test",
            path.display()
        )
    })
}

/// The axe-core rules whose verdict depends on colours: the only ones run
/// again in the dark theme. The themes differ in colours alone (the same
/// markup, the same sizes), so every other rule would repeat the light
/// theme's verdict; skipping them takes minutes off the suite.
const COLOUR_RULES: [&str; 2] = ["color-contrast", "link-in-text-block"];

/// Runs axe-core over the whole page in the theme `theme` and returns every
/// serious or critical violation, one line each, naming `state`: every rule
/// in the light theme, the colour rules in the dark one.
fn serious_violations(app: &App<'_>, axe: &str, state: &str, theme: &str) -> Vec<String> {
    if app.execute("return typeof window.axe;", json!([])) != "object" {
        app.execute(&format!("{axe}\n;return true;"), json!([]));
    }
    let colours_only = if theme == "dark" {
        json!(COLOUR_RULES)
    } else {
        Value::Null
    };
    app.execute(
        "document.documentElement.dataset.theme = arguments[0];
         window.__axeResult = null;
         window.axe.run(document, {
           runOnly: arguments[1]
             ? { type: 'rule', values: arguments[1] }
             : { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
           // WCAG 2.5.3 (the code button's name starts with the visible code)
           // is checked by an experimental rule: turn it on.
           rules: arguments[1] ? {} : { 'label-content-name-mismatch': { enabled: true } },
           resultTypes: ['violations'],
         }).then((result) => {
           window.__axeResult = JSON.stringify(result.violations
             .filter((v) => v.impact === 'serious' || v.impact === 'critical')
             .map((v) => `${v.id} (${v.impact}): ${v.help} at ` +
               v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(', ')));
         }, (error) => { window.__axeResult = JSON.stringify([`axe failed: ${error}`]); });
         return true;",
        json!([theme, colours_only]),
    );
    let found = app.wait_until(&format!("axe-core's verdict on {state}"), || {
        match app.try_execute("return window.__axeResult;", json!([])) {
            Ok(Value::String(text)) => Ok(text),
            other => Err(format!("{other:?}")),
        }
    });
    let list: Vec<String> = serde_json::from_str(&found).expect("axe's summary is JSON");
    list.into_iter()
        .map(|line| format!("{state}, {theme} theme: {line}"))
        .collect()
}

/// Fails with every problem axe-core found, one a line.
fn assert_none_serious(found: &[String]) {
    assert!(
        found.is_empty(),
        "axe-core found {} serious or critical problem(s):\n{}",
        found.len(),
        found.join("\n")
    );
}

/// Checks `state` as it is now in both themes, adding what is wrong to `all`.
fn check(app: &App<'_>, axe: &str, state: &str, all: &mut Vec<String>) {
    for theme in ["light", "dark"] {
        all.extend(serious_violations(app, axe, state, theme));
    }
}

fn wait_open(app: &App<'_>, css: &str, open: bool) {
    app.wait_until(&format!("{css} open = {open}"), || {
        match app.try_property(css, "open") {
            Ok(Value::Bool(now)) if now == open => Ok(()),
            other => Err(format!("{css} open = {other:?}")),
        }
    });
}

fn wait_shown(app: &App<'_>, css: &str) {
    app.wait_until(&format!("{css} to show"), || {
        if app.try_displayed(css).map_err(|e| e.to_string())? {
            Ok(())
        } else {
            Err(format!("{css} is hidden"))
        }
    });
}

fn row_css(app: &App<'_>, issuer: &str, inner: &str) -> String {
    app.rows_now()
        .into_iter()
        .find(|r| r.issuer == issuer)
        .unwrap_or_else(|| panic!("a row for {issuer}"))
        .css(inner)
}

/// What has the focus: "#id", or "code/menu/… of ISSUER" in a row.
fn focus_of(app: &App<'_>) -> String {
    app.execute(
        "const e = document.activeElement;
         if (!e || e === document.body) return 'body';
         const li = e.closest('li.account');
         if (li) return `${e.classList[0]} of ${li.querySelector('.issuer').textContent}`;
         return e.id ? `#${e.id}` : e.tagName.toLowerCase();",
        json!([]),
    )
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

fn wait_focus(app: &App<'_>, expected: &str) {
    app.wait_until(&format!("the focus on {expected}"), || {
        let now = focus_of(app);
        if now == expected {
            Ok(())
        } else {
            Err(format!("it is on {now}"))
        }
    });
}
