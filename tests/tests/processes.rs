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
