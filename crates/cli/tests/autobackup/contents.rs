//! What a backup holds: every account back exactly after a restore, and one
//! backup an import, the newest kept.

use super::*;

#[test]
fn a_restore_into_an_empty_keychain_brings_back_every_account_exactly() {
    let env = Env::new("restore");
    env.set_up(env.folder(), "20");
    assert_eq!(env.password_item().as_deref(), Some("backup pw"));
    env.add(
        &key(1),
        &[
            "--issuer",
            "Sha",
            "--account",
            "me@example.com",
            "--algorithm",
            "SHA256",
            "--digits",
            "8",
            "--period",
            "60",
        ],
    );
    env.add(
        &key(2),
        &[
            "--issuer",
            "Hotp",
            "--account",
            "me",
            "--type",
            "hotp",
            "--counter",
            "4",
        ],
    );
    env.add(
        &key(3),
        &["--issuer", "Steam", "--account", "gamer", "--type", "steam"],
    );
    env.add(&key(4), &["--account", "no issuer"]);
    // A note (recovery codes: several lines, quotes, any script) and groups.
    let note = "recovery codes:\n1234-5678 \"quoted\" ünïcödé\n  indented";
    env.ok(&["note", "Sha", "--set"], note);
    env.ok(&["group", "Sha", "--add", "Work"], "");
    env.ok(&["group", "Sha", "--add", "Banks"], "");
    env.ok(&["group", "Steam", "--add", "Games"], "");
    // One step, last: the counter stored is 5, and only the step's own
    // backup can hold it.
    env.ok(&["code", "Hotp"], "");
    // The password item is no account: not listed, no warning.
    let out = env.run(&["list", "--json"]);
    assert_eq!(stderr(&out), "");
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(list.len(), 4);
    let before = env.uris();
    let extras_before = extras(&env);
    assert_eq!(
        extras_before
            .iter()
            .filter(|(_, groups, note)| !groups.is_empty() || note.is_some())
            .count(),
        2,
        "{extras_before:?}"
    );
    assert!(
        before
            .iter()
            .any(|u| u.starts_with("otpauth://hotp/") && u.contains("counter=5")),
        "{before:?}"
    );
    assert!(before.iter().any(|u| u.contains("algorithm=SHA256")
        && u.contains("digits=8")
        && u.contains("period=60")));
    assert!(before.iter().any(|u| u.starts_with("otpauth://steam/")));

    env.wipe();
    assert_eq!(env.password_item(), None);
    let folder = env.folder().to_str().expect("UTF-8");
    let said = env.ok(
        &["backup", "restore", "--dir", folder, "--password-stdin"],
        "backup pw\n",
    );
    assert!(said.starts_with("Restored 4 of 4 accounts from "), "{said}");
    assert_eq!(env.uris(), before);
    // The note, to the byte, and the groups came back too.
    assert_eq!(extras(&env), extras_before);
    let sha = extras(&env)
        .into_iter()
        .find(|(issuer, _, _)| issuer == "Sha");
    assert_eq!(
        sha,
        Some((
            "Sha".to_owned(),
            vec!["Banks".to_owned(), "Work".to_owned()],
            Some(format!("{note}\n"))
        ))
    );
    // A second restore adds nothing: every account is there.
    let said = env.ok(
        &["backup", "restore", "--dir", folder, "--password-stdin"],
        "backup pw\n",
    );
    assert!(said.contains("Restored 0 of 4 accounts"), "{said}");
    assert!(said.contains("4 were already in Watchword"), "{said}");
}

#[test]
fn an_import_writes_one_backup_and_only_the_newest_are_kept() {
    let env = Env::new("coalesce");
    env.set_up(env.folder(), "3");
    assert_eq!(files(env.folder()).len(), 1);
    let list = env.dir.path().join("bulk.txt");
    let uris: String = (0..300)
        .map(|n| {
            format!(
                "otpauth://totp/Bulk:user{n}?secret={}&issuer=Bulk\n",
                key(n)
            )
        })
        .collect();
    std::fs::write(&list, uris).expect("write list");
    let said = env.ok(&["import", list.to_str().expect("UTF-8")], "");
    assert!(said.contains("Imported 300 of 300 accounts"), "{said}");
    assert_eq!(files(env.folder()).len(), 2, "one backup for the import");

    // Five changes, five backups; the newest three stay.
    let mut made = Vec::new();
    for n in 0..5 {
        let before = files(env.folder());
        env.add(
            &key(1000 + n),
            &["--issuer", "More", "--account", &n.to_string()],
        );
        let after = files(env.folder());
        let new: Vec<&String> = after.difference(&before).collect();
        assert_eq!(new.len(), 1, "one backup per command: {new:?}");
        made.push(new[0].clone());
    }
    let kept = files(env.folder());
    assert_eq!(
        kept,
        made[2..].iter().cloned().collect::<BTreeSet<_>>(),
        "the three newest"
    );
    for name in &kept {
        assert!(name.starts_with("watchword-backup-") && name.ends_with(".json"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(env.folder().join(name))
                .expect("stat")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{name}");
        }
    }
    let status = env.status();
    assert_eq!(status["versions"], 3);
    assert_eq!(status["pending"], false);
    assert_eq!(status["keep"], 3);
}

/// An account whose keychain item cannot be read (damaged here with
/// secret-tool, as any program of the user could, or written by a newer
/// Watchword) is in no new backup: while it stays so, no older backup,
/// which may be its only copy, is pruned, and an export says who is
/// missing from it.
#[test]
fn while_an_account_cannot_be_read_older_backups_are_kept_and_exports_say_so() {
    let env = Env::new("unreadable");
    env.set_up(env.folder(), "2");
    env.add(&key(1), &["--issuer", "A"]);
    env.add(&key(2), &["--issuer", "B"]);
    let holding_a = files(env.folder());
    assert_eq!(holding_a.len(), 2, "{holding_a:?}");
    let list: Vec<serde_json::Value> =
        serde_json::from_str(&stdout(&env.run(&["list", "--json"]))).expect("JSON");
    let a = list
        .iter()
        .find(|account| account["issuer"] == "A")
        .expect("A listed");
    let id = a["id"].as_str().expect("an id");
    let mut damage = Command::new("secret-tool")
        .args([
            "store",
            "--label=damaged",
            "service",
            &env.service,
            "username",
            id,
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("secret-tool runs");
    damage
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"{\"v\":9}")
        .expect("written");
    assert!(damage.wait().expect("secret-tool ends").success());

    for n in 3..6 {
        env.add(&key(n), &["--issuer", &format!("Other {n}")]);
    }
    let now = files(env.folder());
    assert_eq!(now.len(), 5, "pruned while A cannot be read: {now:?}");
    assert!(now.is_superset(&holding_a));

    let out = env.run(&["export", "--format", "uris"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "warning: not in this export, as the keychain cannot read it: A; keep an older \
             backup that holds it"
        ),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out).lines().count(), 4);
}
