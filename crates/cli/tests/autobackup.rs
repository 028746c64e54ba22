//! Automatic backups end to end (issue 10): the real binary, a real Secret
//! Service (scripts/session.sh), real folders. Faults are made for real
//! where the machine allows: a folder moved away, a file in its place, and,
//! as root (where permissions do not stop writes), a tmpfs remounted
//! read-only or filled up; a test that cannot make its fault says so on
//! stderr and checks nothing rather than pretend.

mod common;

use common::{stderr, stdout, Scratch};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A scratch store and a folder for its backups.
struct Env {
    store: Scratch,
    backups: tempfile::TempDir,
}

impl std::ops::Deref for Env {
    type Target = Scratch;

    fn deref(&self) -> &Scratch {
        &self.store
    }
}

impl Env {
    fn new(tag: &str) -> Self {
        Self {
            store: Scratch::new("backup-test", tag),
            backups: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn folder(&self) -> &Path {
        self.backups.path()
    }

    /// Runs and insists it succeeded; answers stderr.
    fn ok(&self, args: &[&str], input: &str) -> String {
        let out = self.run_with(args, input);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stderr(&out)
    }

    fn set_up(&self, folder: &Path, keep: &str) {
        let folder = folder.to_str().expect("UTF-8 path");
        self.ok(
            &[
                "backup",
                "setup",
                "--dir",
                folder,
                "--keep",
                keep,
                "--password-stdin",
            ],
            "backup pw\n",
        );
    }

    fn add(&self, key: &str, args: &[&str]) -> String {
        let mut all = vec!["add"];
        all.extend_from_slice(args);
        self.ok(&all, key)
    }

    fn status(&self) -> serde_json::Value {
        let out = self.run(&["backup", "status", "--json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).expect("status JSON")
    }

    /// Every account as our canonical URIs, sorted: issuer, name, key,
    /// type, algorithm, digits, period and counter, all of them.
    fn uris(&self) -> Vec<String> {
        let out = self.run(&["export", "--format", "uris"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let mut lines: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
        lines.sort();
        lines
    }

    /// What a lost keychain leaves: no item of the service (the backup
    /// password's included) and no accounts.json.
    fn wipe(&self) {
        let status = Command::new("secret-tool")
            .args(["clear", "service", &self.service])
            .status()
            .expect("secret-tool runs");
        assert!(status.success());
        std::fs::remove_file(self.dir.path().join("accounts.json")).expect("remove list");
        let out = self.run(&["list", "--json"]);
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "[]");
    }

    fn password_item(&self) -> Option<String> {
        let out = Command::new("secret-tool")
            .args([
                "lookup",
                "service",
                &self.service,
                "username",
                "watchword-backup-password",
            ])
            .output()
            .expect("secret-tool runs");
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

/// The files in `folder`, by name.
fn files(folder: &Path) -> BTreeSet<String> {
    std::fs::read_dir(folder)
        .expect("list folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect()
}

/// A distinct 16-character base32 key for each `n`.
fn key(n: u32) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let tail: String = (0..4)
        .rev()
        .map(|i| ALPHABET[((n >> (5 * i)) & 31) as usize] as char)
        .collect();
    format!("JBSWY3DPEHPK{tail}")
}

/// Each account's issuer, its groups (sorted) and its note, sorted by
/// issuer: what the URIs do not carry.
fn extras(env: &Env) -> Vec<(String, Vec<String>, Option<String>)> {
    let out = env.run(&["list", "--json"]);
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    let mut all: Vec<_> = list
        .iter()
        .map(|a| {
            let issuer = a["issuer"].as_str().expect("issuer").to_owned();
            let mut groups: Vec<String> = a["groups"]
                .as_array()
                .expect("groups")
                .iter()
                .map(|g| g.as_str().expect("a name").to_owned())
                .collect();
            groups.sort();
            let note = (a["has_note"] == true).then(|| {
                let query = if issuer.is_empty() {
                    "no issuer"
                } else {
                    issuer.as_str()
                };
                let out = env.run(&["note", query]);
                assert!(out.status.success(), "{}", stderr(&out));
                String::from_utf8_lossy(&out.stdout).into_owned()
            });
            (issuer, groups, note)
        })
        .collect();
    all.sort();
    all
}

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

#[test]
fn a_missing_folder_or_a_file_in_its_place_is_recorded_and_the_next_backup_clears_it() {
    let env = Env::new("missing");
    let folder = env.folder().join("stick");
    std::fs::create_dir(&folder).expect("folder");
    env.set_up(&folder, "20");
    let before = files(&folder);
    let away = env.folder().join("unplugged");
    std::fs::rename(&folder, &away).expect("unplug");

    let said = env.add(&key(1), &["--issuer", "A"]);
    assert!(said.contains("Added A."), "the change succeeds: {said}");
    assert!(said.contains("warning: the change was saved but the automatic backup failed"));
    assert!(
        said.contains("is not there (an unplugged drive?)"),
        "{said}"
    );
    let status = env.status();
    assert_eq!(status["lastError"]["code"], "backup_folder_missing");
    assert_eq!(status["pending"], true);
    assert_eq!(status["folderPresent"], false);
    let text = env.ok(&["backup", "status"], "");
    assert_eq!(text, "");
    let out = env.run(&["backup", "status"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Last error: "));

    // A file where the folder was.
    std::fs::write(&folder, "not a folder").expect("file");
    env.add(&key(2), &["--issuer", "B"]);
    assert_eq!(env.status()["lastError"]["code"], "backup_not_a_folder");
    std::fs::remove_file(&folder).expect("remove file");

    std::fs::rename(&away, &folder).expect("plug back");
    assert_eq!(files(&folder), before, "nothing was written meanwhile");
    let said = env.ok(&["backup", "now"], "");
    assert!(said.starts_with("Backed up to "), "{said}");
    let status = env.status();
    assert!(status["lastError"].is_null(), "{status}");
    assert_eq!(status["pending"], false);
    assert_eq!(status["versions"], 2);
}

/// A tmpfs mounted on a folder, unmounted when dropped.
struct Mount(PathBuf);

impl Mount {
    /// Mounts a tmpfs of `size` on `dir`, or says why it cannot.
    fn tmpfs(dir: &Path, size: &str) -> Result<Self, String> {
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(dir)
            .output()
            .map_err(|e| format!("mount cannot run: {e}"))?;
        if out.status.success() {
            Ok(Self(dir.to_owned()))
        } else {
            Err(format!("mount failed: {}", stderr(&out).trim()))
        }
    }

    fn remount(&self, option: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{option}")])
            .arg(&self.0)
            .status()
            .expect("mount runs");
        assert!(status.success(), "remount {option}");
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[cfg(unix)]
fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

#[test]
#[cfg(unix)]
fn a_read_only_folder_fails_the_backup_and_leaves_the_others() {
    let env = Env::new("readonly");
    let folder = env.folder().join("ro");
    std::fs::create_dir(&folder).expect("folder");
    // Root writes through permissions, so as root the folder is a tmpfs
    // remounted read-only (the kernel refuses root too); as anyone else
    // chmod 0500 is the real thing.
    let mount = if is_root() {
        match Mount::tmpfs(&folder, "1m") {
            Ok(mount) => Some(mount),
            Err(reason) => {
                eprintln!("SKIPPED: running as root and no tmpfs to make read-only ({reason})");
                return;
            }
        }
    } else {
        None
    };
    env.set_up(&folder, "20");
    let before = files(&folder);
    let read_only = || match &mount {
        Some(mount) => mount.remount("ro"),
        None => {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o500))
                .expect("chmod");
        }
    };
    read_only();
    let said = env.add(&key(1), &["--issuer", "A"]);
    assert!(said.contains("automatic backup failed"), "{said}");
    assert_eq!(env.status()["lastError"]["code"], "backup_folder_read_only");
    assert_eq!(files(&folder), before);
    match &mount {
        Some(mount) => mount.remount("rw"),
        None => {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o700))
                .expect("chmod");
        }
    }
    env.ok(&["backup", "now"], "");
    assert!(env.status()["lastError"].is_null());
}

#[test]
#[cfg(unix)]
fn a_full_disk_leaves_no_partial_file_and_the_older_backups_as_they_were() {
    let env = Env::new("full");
    let folder = env.folder().join("small");
    std::fs::create_dir(&folder).expect("folder");
    let _mount = match Mount::tmpfs(&folder, "256k") {
        Ok(mount) => mount,
        Err(reason) => {
            eprintln!("SKIPPED: no small tmpfs to fill ({reason}); needs root");
            return;
        }
    };
    env.set_up(&folder, "20");
    let before = files(&folder);
    let contents: Vec<Vec<u8>> = before
        .iter()
        .map(|n| std::fs::read(folder.join(n)).expect("read"))
        .collect();
    // Fill the rest of the disk.
    let filler = folder.join("filler");
    let mut file = std::fs::File::create(&filler).expect("filler");
    let block = vec![0u8; 4096];
    while file.write_all(&block).is_ok() {}
    drop(file);
    let mut with_filler = before.clone();
    with_filler.insert("filler".to_owned());

    let said = env.add(&key(1), &["--issuer", "A"]);
    assert!(said.contains("automatic backup failed"), "{said}");
    assert_eq!(env.status()["lastError"]["code"], "backup_disk_full");
    assert_eq!(files(&folder), with_filler, "no partial or temporary file");
    for (name, content) in before.iter().zip(&contents) {
        assert_eq!(&std::fs::read(folder.join(name)).expect("read"), content);
    }
    std::fs::remove_file(&filler).expect("make room");
    env.ok(&["backup", "now"], "");
    assert!(env.status()["lastError"].is_null());
    assert_eq!(files(&folder).len(), 2);
}

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
