//! A backup folder that fails: moved away, a file in its place, read-only,
//! or full.

use super::*;

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

/// Says that the running test could not make its fault here and checks
/// nothing: on stderr, and in the list scripts/checks.sh prints after the
/// tests (`WATCHWORD_SKIPPED`), so a machine that cannot is seen.
fn skipped(reason: &str) {
    let test = std::thread::current().name().unwrap_or("a test").to_owned();
    eprintln!("SKIPPED: {reason}");
    if let Some(list) = std::env::var_os("WATCHWORD_SKIPPED") {
        let line = format!("autobackup::{test}: {reason}\n");
        let _ = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(list)
            .and_then(|mut file| file.write_all(line.as_bytes()));
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
                skipped(&format!(
                    "running as root and no tmpfs to make read-only ({reason})"
                ));
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
            skipped(&format!("no small tmpfs to fill ({reason}); needs root"));
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
