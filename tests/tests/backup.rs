//! End-to-end: moving in from another authenticator (issue 5). Real exports
//! from ../shared/fixtures/importers are dropped on the window over X
//! drag-and-drop; codes are checked against oathtool. Run through
//! scripts/test.sh.

use watchword_e2e::{workspace_dir, xdnd, Profile, Totp, TIMEOUT};

/// A real export from another app (see the fixtures' README).
fn fixture(name: &str) -> std::path::PathBuf {
    workspace_dir()
        .parent()
        .expect("the workspace has a parent folder")
        .join("shared/fixtures/importers")
        .join(name)
}

#[test]
fn drop_an_encrypted_aegis_backup_and_enter_its_password() {
    let profile = Profile::new("drop_aegis");
    let vault = fixture("aegis_encrypted.json");
    let app = profile.launch();
    app.wait_loaded();

    xdnd::drop_files("Watchword", &[&vault], TIMEOUT)
        .unwrap_or_else(|e| panic!("dropping the backup: {e}"));
    app.wait_until("the password prompt", || {
        match app.try_displayed("#enrol-password") {
            Ok(true) => Ok(()),
            other => Err(format!("#enrol-password displayed = {other:?}")),
        }
    });
    assert_eq!(
        app.text("#enrol-locked-label"),
        "“aegis_encrypted.json” is an encrypted Aegis backup. Enter its password:"
    );
    assert_eq!(app.text("#enrol-title"), "Encrypted backup");
    assert!(!app.enabled("#enrol-confirm"), "nothing to add yet");

    app.fill("#enrol-password", "not the password");
    app.click("#enrol-unlock");
    app.wait_until("“Wrong password”", || {
        let error = app
            .try_text("#enrol-password-error")
            .map_err(|e| e.to_string())?;
        if error == "Wrong password" {
            Ok(())
        } else {
            Err(format!("#enrol-password-error = {error:?}"))
        }
    });
    assert!(
        app.displayed("#enrol-password"),
        "the prompt stays for another try"
    );

    app.fill("#enrol-password", "test");
    app.click("#enrol-unlock");
    let found = app.wait_found(7);
    assert!(
        !app.displayed("#enrol-locked"),
        "the prompt is gone once unlocked"
    );
    let details = |issuer: &str| {
        found
            .iter()
            .find(|f| f.issuer == issuer)
            .unwrap_or_else(|| panic!("{issuer} in {found:?}"))
            .details
            .clone()
    };
    assert_eq!(details("SPDX"), "7 digits every 20 s, SHA256");
    assert_eq!(details("Airbnb"), "8 digits every 50 s, SHA512");
    assert_eq!(details("WWE"), "Counter-based, 8 digits, counter 10300");
    assert_eq!(details("Boeing"), "Steam Guard");
    assert!(found.iter().all(|f| f.picked && !f.duplicate));

    let rows = app.confirm_found(7);
    app.wait_toast("Added 7 accounts");
    assert_eq!(profile.keychain_items(), 7);
    for (issuer, spec) in [
        ("Deno", Totp::default_for("4SJHB4GSD43FZBAI7C2HLRJGPQ")),
        (
            "Airbnb",
            Totp {
                key: "7ELGJSGXNCCTV3O6LKJWYFV2RA",
                algorithm: "SHA512",
                digits: 8,
                period: 50,
            },
        ),
    ] {
        let row = rows
            .iter()
            .find(|r| r.issuer == issuer)
            .unwrap_or_else(|| panic!("{issuer} in {rows:?}"));
        app.assert_shown_totp(row, &spec);
    }

    // The same accounts from the plain vault are all there already.
    xdnd::drop_files("Watchword", &[&fixture("aegis_plain.json")], TIMEOUT)
        .unwrap_or_else(|e| panic!("dropping the backup: {e}"));
    let found = app.wait_found(7);
    assert!(found.iter().all(|f| f.duplicate && !f.picked), "{found:?}");
    assert!(!app.enabled("#enrol-confirm"));
    app.click("#enrol-cancel");
    app.quit();
}
