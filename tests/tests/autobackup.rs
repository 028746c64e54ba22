//! End-to-end: automatic backups from the window (issue 10). Turned on from
//! the backup reminder through the real folder chooser, a backup after a
//! change once things are quiet, the problem bar while the folder is gone
//! and Try again once it is back, and "Restore from backup…" passing over a
//! damaged newest file. Every wait is for a state (a file count, a text),
//! never for a time. Run through scripts/test.sh.

use std::path::{Path, PathBuf};
use watchword_e2e::{choose_in_file_dialog, App, Found, Profile, Totp};

const GITHUB_KEY: &str = "JBSWY3DPEHPK3PXP";
const BANK_KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const NEW_KEY: &str = "KRUGS4ZANFZSA5DIMUQGC3DMEBWW63TF";
/// zxcvbn rates it 4 ("Very strong").
const PASSWORD: &str = "lantern orbit gusty cedar 71";

/// The backups in `folder`, oldest first.
fn backups(folder: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|path| {
                    let name = path.file_name().unwrap_or_default().to_string_lossy();
                    name.starts_with("watchword-backup-") && name.ends_with(".json")
                })
                .collect()
        })
        .unwrap_or_default();
    // "…-HHMMSS.TAG.json" before "…-HHMMSS-2.TAG.json": the suffix counts
    // up within one second.
    found.sort_by_key(|path| {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let stem = name.split('.').next().unwrap_or_default().to_owned();
        let mut parts = stem.rsplitn(2, '-');
        let last = parts.next().unwrap_or_default().to_owned();
        let rest = parts.next().unwrap_or_default().to_owned();
        if last.len() < 6 {
            (rest, last.parse::<u32>().unwrap_or(0))
        } else {
            (stem, 1)
        }
    });
    found
}

/// Waits until `folder` holds `count` backups.
fn wait_backups(app: &App<'_>, folder: &Path, count: usize) -> Vec<PathBuf> {
    app.wait_until(&format!("{count} backups in {}", folder.display()), || {
        let found = backups(folder);
        if found.len() == count {
            Ok(found)
        } else {
            Err(format!("{} backups: {found:?}", found.len()))
        }
    })
}

/// The issuers in a backup, read back by the CLI with the password.
fn issuers_in(profile: &Profile, vault: &Path) -> Vec<String> {
    let uris = profile.cli_with_input(
        &[
            "import",
            &vault.display().to_string(),
            "--dry-run",
            "--password-stdin",
        ],
        Some(PASSWORD),
    );
    let mut issuers: Vec<String> = uris
        .lines()
        .filter_map(|uri| uri.split("issuer=").nth(1))
        .map(|rest| rest.split('&').next().unwrap_or_default().to_owned())
        .collect();
    issuers.sort();
    issuers
}

fn wait_text(app: &App<'_>, css: &str, wanted: &str) {
    app.wait_until(&format!("{css} to say {wanted:?}"), || {
        let text = app.try_text(css).map_err(|e| e.to_string())?;
        if text == wanted {
            Ok(())
        } else {
            Err(format!("{css} = {text:?}"))
        }
    });
}

fn wait_open(app: &App<'_>, dialog: &str, open: bool) {
    app.wait_until(&format!("{dialog} open = {open}"), || {
        match app.try_property(dialog, "open") {
            Ok(serde_json::Value::Bool(now)) if now == open => Ok(()),
            other => Err(format!("{dialog} open = {other:?}")),
        }
    });
}

#[test]
fn automatic_backups_from_the_window() {
    let profile = Profile::new("autobackup");
    let place = tempfile::tempdir().expect("a temporary folder");
    let folder = place.path().join("Sync").join("watchword");
    std::fs::create_dir_all(&folder).expect("create the backup folder");
    let unplugged = place.path().join("unplugged");
    profile.cli_add(&["--issuer", "GitHub", "--account", "me"], GITHUB_KEY);
    profile.cli_add(
        &["--issuer", "Bank", "--account", "me", "--type", "hotp"],
        BANK_KEY,
    );

    let app = profile.launch();
    app.wait_loaded();
    app.wait_rows(2);

    // The reminder offers automatic backups. The folder is typed (the
    // Choose… button's GTK folder chooser keeps its Open button disabled
    // under Xvfb whatever is typed, so it is not driven here).
    app.wait_until("the backup reminder", || {
        match app.try_displayed("#backup-auto") {
            Ok(true) => Ok(()),
            other => Err(format!("#backup-auto displayed = {other:?}")),
        }
    });
    app.click("#backup-auto");
    wait_open(&app, "#autobackup-dialog", true);
    assert_eq!(
        app.focused(),
        "input#autobackup-dir",
        "the folder comes first"
    );
    // A folder inside the data folder is refused with the reason.
    app.fill("#autobackup-dir", &profile.data_dir().display().to_string());
    app.fill("#autobackup-password", PASSWORD);
    app.fill("#autobackup-repeat", PASSWORD);
    app.click("#autobackup-go");
    app.wait_until("the refusal", || {
        let error = app
            .try_text("#autobackup-error")
            .map_err(|e| e.to_string())?;
        if error.contains("inside Watchword's data folder") {
            Ok(())
        } else {
            Err(format!("#autobackup-error = {error:?}"))
        }
    });
    assert_eq!(app.property("#autobackup-dir", "ariaInvalid"), "true");
    app.fill("#autobackup-dir", &folder.display().to_string());

    // The strength follows the typing.
    app.fill("#autobackup-password", "password");
    app.wait_until("a weak rating", || {
        let said = app
            .try_text("#autobackup-strength")
            .map_err(|e| e.to_string())?;
        if said.starts_with("Very weak") {
            Ok(())
        } else {
            Err(format!("#autobackup-strength = {said:?}"))
        }
    });
    app.fill("#autobackup-password", PASSWORD);
    wait_text(&app, "#autobackup-strength", "Very strong");
    assert_eq!(app.property("#autobackup-meter", "value"), 4);

    app.fill("#autobackup-repeat", "something else");
    app.click("#autobackup-go");
    wait_text(&app, "#autobackup-error", "The two passwords differ.");
    assert_eq!(backups(&folder).len(), 0, "nothing written yet");

    app.fill("#autobackup-repeat", PASSWORD);
    app.click("#autobackup-go");
    app.wait_toast(&format!("Backing up automatically to {}", folder.display()));
    wait_open(&app, "#autobackup-dialog", false);
    let first = wait_backups(&app, &folder, 1);
    wait_text(
        &app,
        "#autobackup-line",
        &format!("Backed up just now to {}", folder.display()),
    );
    assert!(
        !app.displayed("#backup-reminder"),
        "the reminder is needless now"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&first[0])
        .expect("the backup")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "{}", first[0].display());
    assert_eq!(issuers_in(&profile, &first[0]), ["Bank", "GitHub"]);

    // A change in the window: one more backup once things are quiet.
    app.open_add_form();
    app.fill("#add-input", NEW_KEY);
    app.fill("#add-issuer", "Shop");
    app.fill("#add-name", "me");
    app.submit_add(3);
    let second = wait_backups(&app, &folder, 2);
    assert_eq!(issuers_in(&profile, &second[1]), ["Bank", "GitHub", "Shop"]);

    // The folder goes away (an unplugged stick): an HOTP step cannot be
    // backed up, and the window says so until it can.
    std::fs::rename(&folder, &unplugged).expect("unplug");
    let bank = app.wait_row("Bank", "me");
    app.click(&bank.css("button.generate"));
    app.wait_until("the backup problem", || {
        let shown = app
            .try_displayed("#autobackup-problem")
            .map_err(|e| e.to_string())?;
        let text = app
            .try_text("#autobackup-problem-text")
            .map_err(|e| e.to_string())?;
        if shown && text.starts_with("Automatic backup failed: ") {
            Ok(())
        } else {
            Err(format!("shown = {shown}, text = {text:?}"))
        }
    });
    assert!(!folder.exists(), "a failed backup makes no folder");
    std::fs::rename(&unplugged, &folder).expect("plug back in");
    app.click("#autobackup-retry");
    app.wait_until("the problem to go", || {
        match app.try_displayed("#autobackup-problem") {
            Ok(false) => Ok(()),
            other => Err(format!("#autobackup-problem displayed = {other:?}")),
        }
    });
    wait_backups(&app, &folder, 3);

    // A change made with the CLI is backed up too: the newest backup no
    // longer holds GitHub.
    profile.cli(&["remove", "GitHub"]);
    app.wait_rows(2);
    let fourth = wait_backups(&app, &folder, 4);
    assert_eq!(issuers_in(&profile, &fourth[3]), ["Bank", "Shop"]);

    // Restore the newest: a damaged newer file is named and passed over;
    // what is already here is marked, nothing new is offered.
    // Named an hour ahead: newest, and within the day's slack that names
    // dated further ahead are put last for.
    let in_an_hour = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
        + 3600;
    // This installation's own (its tag, as in its other backups' names):
    // a restore tries those first.
    let tag = fourth[3]
        .file_name()
        .and_then(|name| name.to_str())
        .and_then(|name| name.split('.').nth(1))
        .expect("a tagged backup name")
        .to_owned();
    let damaged_name = watchword_core::store::autobackup::file_name(in_an_hour, 1, Some(&tag));
    let damaged = folder.join(&damaged_name);
    std::fs::write(&damaged, "{\"version\": 1, \"header\": ").expect("write a damaged backup");
    let open_restore = || {
        app.click("#more-button");
        app.click("#restore-button");
        wait_open(&app, "#restore-dialog", true);
    };
    open_restore();
    let offered = app.text("#restore-newest");
    assert!(
        offered.contains(&damaged_name) && offered.contains("your 5 backups"),
        "{offered:?}"
    );
    app.click("#restore-newest-go");
    app.wait_toast(&format!("Could not read {damaged_name}"));
    unlock(&app);
    let found = app.wait_found(2);
    assert!(found.iter().all(|f| f.duplicate && !f.picked), "{found:?}");
    app.click("#enrol-cancel");
    wait_open(&app, "#enrol-dialog", false);

    // An older backup, picked in the real file chooser, brings GitHub back.
    open_restore();
    app.click("#restore-pick");
    choose_in_file_dialog("Restore from a backup", &fourth[2]);
    unlock(&app);
    let found = app.wait_found(3);
    let github = found
        .iter()
        .find(|f| f.issuer == "GitHub")
        .unwrap_or_else(|| panic!("GitHub in {found:?}"));
    assert!(!github.duplicate && github.picked, "{found:?}");
    assert_eq!(found.iter().filter(|f| f.duplicate).count(), 2, "{found:?}");
    app.confirm_found(3);
    let row = app.wait_row("GitHub", "me");
    app.assert_shown_totp(&row, &Totp::default_for(GITHUB_KEY));
}

/// Enters the backup password in the preview's prompt.
fn unlock(app: &App<'_>) {
    app.wait_until("the password prompt", || {
        match app.try_displayed("#enrol-password") {
            Ok(true) => Ok(()),
            other => Err(format!("#enrol-password displayed = {other:?}")),
        }
    });
    app.fill("#enrol-password", PASSWORD);
    app.click("#enrol-unlock");
}

/// A damaged list file is set aside and the list rebuilt from the keychain;
/// the window says so, and that automatic backups, whose settings went with
/// the file (their password still in the keychain), have stopped.
#[test]
fn a_damaged_list_file_and_the_backups_it_stopped_are_said() {
    let profile = Profile::new("autobackup_damaged_list");
    profile.cli_add(&["--issuer", "GitHub", "--account", "octocat"], GITHUB_KEY);
    let folder = tempfile::tempdir().expect("temp dir");
    let dir = folder.path().to_str().expect("a UTF-8 path");
    profile.cli_with_input(
        &["backup", "setup", "--dir", dir, "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    );
    std::fs::write(profile.data_dir().join("accounts.json"), "{ damaged").expect("damage");

    let app = profile.launch();
    app.wait_rows(1);
    let status = app.wait_until("the status line", || match app.try_text("#status") {
        Ok(text) if text.contains("rebuilt") => Ok(text),
        other => Err(format!("{other:?}")),
    });
    assert!(
        status.contains("Automatic backups have stopped"),
        "{status:?}"
    );
    app.quit();
}

/// An account whose keychain item another tool removed (as Seahorse or
/// `secret-tool clear` would): the window names it in a bar that stays,
/// since older backups are kept meanwhile; "Restore…" opens the newest
/// backup from before it went, where it alone is new. One removed while
/// the window runs (found by its next backup) is named too, and forgotten.
#[test]
fn an_account_removed_with_another_tool_is_named_and_brought_back() {
    let profile = Profile::new("autobackup_missing");
    profile.cli_add(&["--issuer", "GitHub", "--account", "me"], GITHUB_KEY);
    profile.cli_add(&["--issuer", "Bank", "--account", "me"], BANK_KEY);
    let folder = tempfile::tempdir().expect("temp dir");
    let dir = folder.path().to_str().expect("a UTF-8 path");
    profile.cli_with_input(
        &["backup", "setup", "--dir", dir, "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    );
    let id_of = |issuer: &str| -> String {
        let list: Vec<serde_json::Value> =
            serde_json::from_str(&profile.cli(&["list", "--json"])).expect("JSON");
        list.iter()
            .find(|a| a["issuer"] == issuer)
            .and_then(|a| a["id"].as_str())
            .unwrap_or_else(|| panic!("{issuer} in {list:?}"))
            .to_owned()
    };
    let clear = |id: &str| {
        let status = std::process::Command::new("secret-tool")
            .args(["clear", "service", profile.service(), "username", id])
            .status()
            .expect("secret-tool runs");
        assert!(status.success());
    };
    profile.cli_add(&["--issuer", "Shop", "--account", "me"], NEW_KEY);
    let backed_up = unix_now();
    clear(&id_of("GitHub"));
    // Removed in Watchword after the backup that still holds it, in a
    // later second (backups are dated by the second): the backup Restore…
    // opens holds Shop too, and offers it unticked.
    while unix_now() <= backed_up {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    profile.cli(&["remove", "Shop"]);

    let app = profile.launch();
    app.wait_rows(1);
    wait_missing(&app, "GitHub (me)");
    app.click("#missing-restore");
    unlock(&app);
    let found = app.wait_found(3);
    let found_one = |issuer: &str| found_of(&found, issuer);
    assert!(
        !found_one("GitHub").duplicate && found_one("GitHub").picked,
        "{found:?}"
    );
    assert!(found_one("Bank").duplicate, "{found:?}");
    assert!(
        !found_one("Shop").duplicate && !found_one("Shop").picked,
        "removed in Watchword: offered, not ticked: {found:?}"
    );
    let notes = app.text("#enrol-notes");
    assert!(
        notes.ends_with(
            "Only the accounts that left the keychain are ticked; 1 more from this backup is \
             there to tick."
        ),
        "Bank, already here, is not counted: {notes:?}"
    );
    app.confirm_found(2);
    let row = app.wait_row("GitHub", "me");
    app.assert_shown_totp(&row, &Totp::default_for(GITHUB_KEY));
    wait_displayed(&app, "#missing-bar", false);

    // Removed while the window runs: the next backup, after a change made
    // in the window (a pin), reads every item and finds it gone; the
    // window then shows the list as it now is.
    clear(&id_of("Bank"));
    app.row_action("GitHub", "#row-pin");
    app.wait_rows(1);
    wait_missing(&app, "Bank (me)");
    app.click("#missing-forget");
    app.wait_toast("Forgot 1 account: older backups will be pruned again");
    wait_displayed(&app, "#missing-bar", false);
    assert_eq!(profile.cli(&["missing"]), "");

    // Found gone by an export, which reads every item afresh: the rows and
    // the bar follow at once (they once waited for the next backup).
    profile.cli_add(&["--issuer", "Bank", "--account", "me"], BANK_KEY);
    app.wait_rows(2);
    clear(&id_of("GitHub"));
    app.click("#more-button");
    app.click("#export-button");
    app.click("input[name=\"export-kind\"][value=\"google\"]");
    app.click("#export-go");
    app.wait_until("the Google export's codes", || {
        match app.try_property("#google-dialog", "open") {
            Ok(serde_json::Value::Bool(true)) => Ok(()),
            other => Err(format!("#google-dialog open = {other:?}")),
        }
    });
    app.wait_rows(1);
    wait_missing(&app, "GitHub (me)");

    app.click("#google-done");
    wait_open(&app, "#google-dialog", false);

    // The service gave a new key under the same name: the bar says so,
    // and that the old one is likely dead.
    profile.cli_add(&["--issuer", "GitHub", "--account", "me"], NEW_KEY);
    app.wait_rows(2);
    wait_text(
        &app,
        "#missing-text",
        "GitHub (me) is no longer in your keychain: something other than Watchword removed it. \
         Older backups are kept until you restore or forget it. It is listed again since with \
         another key. If its service gave you that new key, the old one no longer works.",
    );
    // Restore offers the old key, not ticked.
    app.click("#missing-restore");
    unlock(&app);
    let found = app.wait_found(2);
    let github = found_of(&found, "GitHub");
    assert!(!github.duplicate && !github.picked, "{found:?}");
    let notes = app.text("#enrol-notes");
    assert!(
        notes.contains(
            "GitHub (me) is not ticked: listed again since with another key. If its service \
             gave you that new key, the old one no longer works."
        ),
        "{notes:?}"
    );
    app.click("#enrol-cancel");
    app.quit();
}

/// What the preview found of `issuer`.
fn found_of<'a>(found: &'a [Found], issuer: &str) -> &'a Found {
    found
        .iter()
        .find(|f| f.issuer == issuer)
        .unwrap_or_else(|| panic!("{issuer} in {found:?}"))
}

/// Waits for the bar that names `who` as gone from the keychain.
fn wait_missing(app: &App<'_>, who: &str) {
    wait_text(
        app,
        "#missing-text",
        &format!(
            "{who} is no longer in your keychain: something other than Watchword removed it. \
             Older backups are kept until you restore or forget it."
        ),
    );
}

fn wait_displayed(app: &App<'_>, css: &str, shown: bool) {
    app.wait_until(&format!("{css} displayed = {shown}"), || {
        match app.try_displayed(css) {
            Ok(now) if now == shown => Ok(()),
            other => Err(format!("{css} displayed = {other:?}")),
        }
    });
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
}
