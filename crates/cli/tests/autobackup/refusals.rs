//! A wrong password, a damaged newest backup, and places and passwords
//! refused before anything is written.

use super::*;

#[test]
fn a_wrong_password_changes_nothing_and_a_damaged_newest_backup_falls_back() {
    let env = Env::new("damaged");
    env.set_up(env.folder(), "20");
    env.add(&key(1), &["--issuer", "A"]);
    let older = files(env.folder());
    env.add(&key(2), &["--issuer", "B"]);
    let newest = files(env.folder())
        .difference(&older)
        .next()
        .expect("a new backup")
        .clone();
    env.wipe();
    let folder = env.folder().to_str().expect("UTF-8");

    let out = env.run_with(
        &["backup", "restore", "--dir", folder, "--password-stdin"],
        "not the password\n",
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("wrong password for") && stderr(&out).contains(&newest),
        "{}",
        stderr(&out)
    );
    let out = env.run(&["list", "--json"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "[]",
        "nothing restored"
    );

    // One character of the newest's encrypted db changed (the file still
    // parses): it is skipped, and the one before restored.
    let path = env.folder().join(&newest);
    let mut text = std::fs::read_to_string(&path).expect("read");
    let at = text.find("\"db\": \"").expect("a db") + 20;
    let flipped = if &text[at..=at] == "A" { "B" } else { "A" };
    text.replace_range(at..=at, flipped);
    std::fs::write(&path, text).expect("damage");
    let said = env.ok(
        &["backup", "restore", "--dir", folder, "--password-stdin"],
        "backup pw\n",
    );
    assert!(
        said.contains(&format!("skipped {}", path.display())),
        "{said}"
    );
    assert!(said.contains("damaged"), "{said}");
    assert!(said.contains("Restored 1 of 1 account from "), "{said}");
    let uris = env.uris();
    assert_eq!(uris.len(), 1);
    assert!(uris[0].contains("issuer=A"), "{uris:?}");

    // Named with --file, the damaged one is refused as such.
    let out = env.run_with(
        &[
            "backup",
            "restore",
            "--file",
            path.to_str().expect("UTF-8"),
            "--password-stdin",
        ],
        "backup pw\n",
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("damaged"), "{}", stderr(&out));
}

#[test]
fn folders_inside_the_data_folder_files_and_empty_passwords_are_refused() {
    let env = Env::new("refused");
    let inside = env.dir.path().join("backups");
    std::fs::create_dir(&inside).expect("folder");
    let file = env.folder().join("a file");
    std::fs::write(&file, "x").expect("file");
    let missing = env.folder().join("missing");
    let folder = env.folder().to_str().expect("UTF-8").to_owned();
    let cases: [(&Path, &str, &str); 5] = [
        (&inside, "pw\n", "is inside Watchword's data folder"),
        (env.dir.path(), "pw\n", "is inside Watchword's data folder"),
        (&file, "pw\n", "is not a folder"),
        (&missing, "pw\n", "is not there"),
        (
            Path::new(&folder),
            "\n",
            "the password on standard input is empty",
        ),
    ];
    for (dir, password, says) in cases {
        let out = env.run_with(
            &[
                "backup",
                "setup",
                "--dir",
                dir.to_str().expect("UTF-8"),
                "--password-stdin",
            ],
            password,
        );
        assert!(!out.status.success(), "{dir:?}");
        assert!(stderr(&out).contains(says), "{dir:?}: {}", stderr(&out));
        assert_eq!(env.status()["enabled"], false);
        assert_eq!(env.password_item(), None);
    }
    assert!(files(&inside).is_empty());
    let out = env.run(&["backup", "setup", "--dir", &folder]);
    assert!(
        stderr(&out).contains("--password-stdin"),
        "{}",
        stderr(&out)
    );
    let out = env.run_with(
        &[
            "backup",
            "setup",
            "--dir",
            &folder,
            "--keep",
            "0",
            "--password-stdin",
        ],
        "pw\n",
    );
    assert!(
        stderr(&out).contains("keep 1 to 1000 backups, not 0"),
        "{}",
        stderr(&out)
    );

    // On, then off: the backups stay, the password item goes.
    env.set_up(env.folder(), "20");
    assert!(env.password_item().is_some());
    env.ok(&["backup", "off"], "");
    assert_eq!(env.password_item(), None);
    assert_eq!(env.status()["enabled"], false);
    assert_eq!(files(env.folder()).len(), 2, "the backup and the file stay");
}
