//! An account whose keychain item is removed with another tool: the list
//! says so, `missing` names it and the backup to restore it from, and no
//! backup is pruned until it is restored or forgotten.

use super::*;

/// The id of the account whose issuer is `issuer`, from `list --json`.
fn id_of(env: &Env, issuer: &str) -> String {
    let out = env.run(&["list", "--json"]);
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    list.iter()
        .find(|a| a["issuer"] == issuer)
        .and_then(|a| a["id"].as_str())
        .unwrap_or_else(|| panic!("{issuer} is listed: {list:?}"))
        .to_owned()
}

/// `backup restore --missing` with the backup password.
fn try_restore_missing(env: &Env) -> std::process::Output {
    env.run_with(
        &["backup", "restore", "--missing", "--password-stdin"],
        "backup pw\n",
    )
}

/// [`try_restore_missing`], which must succeed: what it said on stderr.
fn restore_missing(env: &Env) -> String {
    let out = try_restore_missing(env);
    assert!(out.status.success(), "{}", stderr(&out));
    stderr(&out)
}

/// Removes the item with another tool, as Seahorse would.
fn clear_item(env: &Env, id: &str) {
    let status = Command::new("secret-tool")
        .args(["clear", "service", &env.service, "username", id])
        .status()
        .expect("secret-tool runs");
    assert!(status.success());
}

#[test]
fn an_account_removed_with_another_tool_is_named_and_its_backups_are_kept() {
    let env = Env::new("gone");
    let folder = env.folder().to_path_buf();
    env.set_up(&folder, "2");
    for (n, issuer) in [(1, "Bank"), (2, "Shop"), (3, "Forum")] {
        env.add(&key(n), &["--issuer", issuer, "--account", "me"]);
    }
    let holding_all = files(&folder);
    assert_eq!(
        holding_all.len(),
        2,
        "pruned to 2 as usual: {holding_all:?}"
    );
    clear_item(&env, &id_of(&env, "Bank"));

    let out = env.run(&["list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "ISSUER  TYPE   ACCOUNT\nShop    totp   me\nForum   totp   me\n"
    );
    assert_eq!(
        stderr(&out),
        "Bank (me) left the keychain without Watchword removing it: see `watchword-cli missing`.\n"
    );
    let out = env.run(&["missing"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("Bank (me)\tgone since 20"),
        "{}",
        stdout(&out)
    );
    // It names one of the backups made before (restored below).
    let said = stderr(&out);
    let named = said
        .split("The newest from before then is ")
        .nth(1)
        .and_then(|rest| {
            rest.split(
                ": `watchword-cli backup restore --missing` restores it from that backup, and \
                 `watchword-cli missing --forget` forgets it.",
            )
            .next()
        })
        .unwrap_or_else(|| panic!("a backup named: {said}"));
    let newest_before = PathBuf::from(named);
    assert_eq!(newest_before.parent(), Some(folder.as_path()));
    let name = newest_before.file_name().expect("a file").to_string_lossy();
    assert!(holding_all.contains(name.as_ref()), "{said}");

    // Changes go on being backed up; none of those from before it went
    // goes (newer ones are pruned as usual: the store's unit test times
    // that; here several may share a second, which protects them too).
    let before = files(&folder);
    for n in 0..3 {
        env.ok(&["group", "Forum", "--add", &format!("Group {n}")], "");
    }
    let after = files(&folder);
    assert!(after.len() > before.len(), "{after:?}");
    assert!(
        after.is_superset(&before),
        "those from before kept: {after:?}"
    );

    // Restored from the backup it names, and only it: Forum, removed in
    // Watchword since, stays removed. No longer missing, and pruning goes
    // on.
    env.ok(&["remove", "Forum"], "");
    let said = restore_missing(&env);
    assert_eq!(
        said,
        format!(
            "Left in the backup: 2 accounts not missing (removed in Watchword, or still here).\n\
             Restored 1 of 1 account from {}.\n",
            newest_before.display()
        )
    );
    assert_eq!(
        stdout(&env.run(&["list"])),
        "ISSUER  TYPE   ACCOUNT\nShop    totp   me\nBank    totp   me\n"
    );
    let out = try_restore_missing(&env);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "watchword-cli: no account has left the keychain without Watchword removing it: \
         nothing to restore with --missing\n"
    );
    let said = env.ok(&["missing"], "");
    assert_eq!(
        said,
        "No account has left the keychain without Watchword removing it.\n"
    );
    env.ok(&["rename", "Shop", "--issuer", "Shop 1"], "");
    assert_eq!(files(&folder).len(), 2, "{:?}", files(&folder));

    // Another one gone, then forgotten: pruning goes on without it.
    clear_item(&env, &id_of(&env, "Shop 1"));
    env.ok(&["list"], "");
    let before = files(&folder);
    env.ok(&["rename", "Bank", "--issuer", "Bank 1"], "");
    assert!(files(&folder).is_superset(&before), "{:?}", files(&folder));
    let out = env.run(&["missing", "--forget"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "Shop 1 (me)\n");
    assert_eq!(
        stderr(&out),
        "Forgot 1 missing account; older backups can be pruned again.\n"
    );
    let out = env.run(&["list"]);
    assert_eq!(stderr(&out), "", "nothing missing is said");
    env.ok(&["rename", "Bank 1", "--issuer", "Bank 2"], "");
    assert_eq!(files(&folder).len(), 2, "{:?}", files(&folder));
}

/// A command naming an account that has since left the keychain says so,
/// and how to restore or forget it, rather than "no account matches"
/// (`remove` once said only that, and left the user puzzled).
#[test]
fn naming_an_account_that_left_the_keychain_says_where_it_went() {
    let env = Env::new("gone-named");
    env.add(&key(1), &["--issuer", "Bank", "--account", "me"]);
    env.add(&key(2), &["--issuer", "Shop", "--account", "me"]);
    env.add(&key(3), &["--issuer", "Bank 2", "--account", "me"]);
    clear_item(&env, &id_of(&env, "Bank"));
    for command in [
        &["remove", "Bank"][..],
        &["code", "bank"],
        &["rename", "Bank:me", "--issuer", "B"],
    ] {
        let out = env.run(command);
        assert_eq!(out.status.code(), Some(1), "{command:?}: {}", stderr(&out));
        assert_eq!(
            stderr(&out),
            "watchword-cli: Bank (me) left the keychain without Watchword removing it: \
             `watchword-cli backup restore --missing` restores it, and \
             `watchword-cli missing --forget` forgets every missing account\n",
            "{command:?}"
        );
    }
    // Named exactly, it is not taken for Bank 2, which holds the name in
    // part; Bank 2 by its own name is found as ever.
    assert_eq!(
        stdout(&env.run(&["list"])),
        "ISSUER  TYPE   ACCOUNT\nShop    totp   me\nBank 2  totp   me\n"
    );
    env.ok(&["rename", "Bank 2", "--issuer", "Bank Two"], "");
    // Forgotten: then it is just not there.
    env.ok(&["missing", "--forget"], "");
    let out = env.run(&["remove", "Bank:me"]);
    assert_eq!(
        stderr(&out),
        "watchword-cli: no account matches \"Bank:me\"; `watchword-cli list` shows them all\n"
    );
    assert_eq!(
        stdout(&env.run(&["list"])),
        "ISSUER    TYPE   ACCOUNT\nShop      totp   me\nBank Two  totp   me\n"
    );
}

/// A counter-based account brought back from a copy made before its last
/// codes goes on from the last code made here, not from the copy's
/// counter: a code the service has seen is refused there, and the user
/// would be left typing codes that cannot work.
#[test]
fn a_counter_based_account_brought_back_goes_on_from_its_last_code() {
    let env = Env::new("gone-hotp");
    env.add(&key(6), &["--issuer", "Shop", "--account", "me"]);
    env.add(
        &key(7),
        &["--issuer", "Bank", "--account", "me", "--type", "hotp"],
    );
    let copy = env.folder().join("copy.txt");
    let copy_arg = copy.to_str().expect("a UTF-8 path");
    env.ok(&["export", "--format", "uris", "--out", copy_arg], "");
    let code = || {
        let out = env.run(&["code", "Bank"]);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out).trim().to_owned()
    };
    let made: Vec<String> = (0..3).map(|_| code()).collect();
    clear_item(&env, &id_of(&env, "Bank"));
    let out = env.run(&["list"]);
    assert!(
        stderr(&out).starts_with("Bank (me) left the keychain"),
        "{}",
        stderr(&out)
    );

    env.ok(&["import", copy_arg], "");
    let next = code();
    assert!(!made.contains(&next), "{next} was given before: {made:?}");
    let fourth = Command::new("oathtool")
        .args(["--hotp", "--base32", "--counter=3", &key(7)])
        .output()
        .expect("oathtool runs");
    assert_eq!(next, String::from_utf8_lossy(&fourth.stdout).trim());
    let said = env.ok(&["missing"], "");
    assert_eq!(
        said,
        "No account has left the keychain without Watchword removing it.\n"
    );
}

/// The service gave a new key under the same name (two-step verification
/// set up again after the item went): `missing` says that one is listed
/// again, and `backup restore --missing` restores the old key all the same
/// (two accounts may share a name), saying so.
#[test]
fn one_listed_again_with_another_key_is_said_so() {
    let env = Env::new("gone-again");
    let folder = env.folder().to_path_buf();
    env.set_up(&folder, "5");
    for (n, issuer) in [(1, "Bank"), (2, "Shop"), (3, "Forum")] {
        env.add(&key(n), &["--issuer", issuer, "--account", "me"]);
    }
    clear_item(&env, &id_of(&env, "Bank"));
    clear_item(&env, &id_of(&env, "Shop"));
    env.ok(&["list"], "");
    env.add(&key(4), &["--issuer", "BANK", "--account", "Me"]);

    let out = env.run(&["missing"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].starts_with("Bank (me)\tgone since 20")
            && lines[0].ends_with(" UTC\tlisted again with another key"),
        "{lines:?}"
    );
    assert!(
        lines[1].starts_with("Shop (me)\tgone since 20") && lines[1].ends_with(" UTC"),
        "not listed again: {lines:?}"
    );
    assert!(
        stderr(&out).starts_with(
            "One is listed again since it went, with another key. If its service gave you that \
             new key, the old one no longer works.\n"
        ),
        "{}",
        stderr(&out)
    );

    // Restored all the same (two accounts can share a name), and said of.
    let said = restore_missing(&env);
    assert!(
        said.contains("Restored 2 of 2 accounts from ")
            && said.ends_with(
                "Bank (me) is listed again since it went, with another key. If its service gave \
                 you that new key, the old one restored now no longer works, and can be \
                 removed.\n"
            ),
        "{said}"
    );
    let listed = stdout(&env.run(&["list"]));
    assert!(
        listed.contains("\nBANK    totp   Me\n") && listed.contains("\nBank    totp   me\n"),
        "{listed}"
    );
    assert_eq!(
        env.ok(&["missing"], ""),
        "No account has left the keychain without Watchword removing it.\n"
    );
}
