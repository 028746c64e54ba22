//! Writing an export to a file: readable by its owner alone (it holds
//! secrets, even encrypted), replacing the file whole or not at all, and,
//! on Linux, without a name until it is whole. A plain-text export killed
//! half-way (the out-of-memory killer, a power cut, Ctrl+C on the CLI)
//! then leaves nothing behind: no stray file of keys under a temporary
//! name that the user never asked for and does not know to delete.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` as described above.
pub fn save_bytes(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    #[cfg(target_os = "linux")]
    {
        // None: a file system without unnamed files (some network and FUSE
        // ones): the named way below.
        if let Some(file) = unnamed::Unnamed::create(dir)? {
            match file.written(bytes)?.name(dir, path) {
                Ok(()) => {
                    sync_dir(dir);
                    return Ok(());
                }
                // No /proc to name it through: the named way below.
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => return Err(error),
            }
        }
    }
    // tempfile creates its files with mode 0600 on Unix.
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    sync_dir(dir);
    Ok(())
}

/// Waits for the directory's new entry to reach the disk, so that a power
/// cut just after cannot lose the name. Best effort: some file systems
/// cannot sync a directory, and the file is whole either way.
fn sync_dir(dir: &Path) {
    if let Ok(dir) = std::fs::File::open(dir) {
        let _ = dir.sync_all();
    }
}

#[cfg(target_os = "linux")]
pub(super) mod unnamed {
    use rustix::fs::{AtFlags, Mode, OFlags, CWD};
    use rustix::io::Errno;
    use std::io::Write;
    use std::os::fd::AsRawFd;
    use std::path::{Path, PathBuf};

    /// A file in a directory that has no name there yet (`O_TMPFILE`): if
    /// the process ends before [`Unnamed::name`], the kernel frees it.
    pub struct Unnamed(std::fs::File);

    impl Unnamed {
        /// None when the directory's file system cannot hold one.
        pub fn create(dir: &Path) -> std::io::Result<Option<Self>> {
            let flags = OFlags::TMPFILE | OFlags::WRONLY | OFlags::CLOEXEC;
            match rustix::fs::openat(CWD, dir, flags, Mode::RUSR | Mode::WUSR) {
                Ok(fd) => Ok(Some(Self(std::fs::File::from(fd)))),
                // What open(2) gives when the kernel or the file system
                // lacks O_TMPFILE.
                Err(Errno::OPNOTSUPP | Errno::ISDIR | Errno::INVAL) => Ok(None),
                Err(error) => Err(error.into()),
            }
        }

        /// Writes `bytes` and waits for them to reach the disk.
        pub fn written(mut self, bytes: &[u8]) -> std::io::Result<Self> {
            self.0.write_all(bytes)?;
            self.0.sync_all()?;
            Ok(self)
        }

        /// Gives the file the name `path` (in `dir`), replacing a file
        /// there whole: linked under a name of its own beside it first, then
        /// renamed over it, so that only that last step has a name to leave.
        pub fn name(self, dir: &Path, path: &Path) -> std::io::Result<()> {
            let source = format!("/proc/self/fd/{}", self.0.as_raw_fd());
            let link =
                |to: &Path| rustix::fs::linkat(CWD, &source, CWD, to, AtFlags::SYMLINK_FOLLOW);
            match link(path) {
                Ok(()) => return Ok(()),
                Err(Errno::EXIST) => {}
                Err(error) => return Err(error.into()),
            }
            let stem = path.file_name().unwrap_or_default().to_string_lossy();
            let mut beside = None;
            for _ in 0..8 {
                let suffix = u64::from_le_bytes(crate::crypto::random::<8>());
                let candidate: PathBuf = dir.join(format!(".{stem}.{suffix:016x}.part"));
                match link(&candidate) {
                    Ok(()) => {
                        beside = Some(candidate);
                        break;
                    }
                    Err(Errno::EXIST) => continue,
                    Err(error) => return Err(error.into()),
                }
            }
            let beside =
                beside.ok_or_else(|| std::io::Error::from(std::io::ErrorKind::AlreadyExists))?;
            std::fs::rename(&beside, path).inspect_err(|_| {
                let _ = std::fs::remove_file(&beside);
            })
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("listed")
            .map(|entry| {
                entry
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }

    #[test]
    fn an_export_is_written_whole_for_its_owner_alone_and_replaces_a_file_whole() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("export.txt");
        save_bytes(&path, b"otpauth://first").expect("saved");
        save_bytes(&path, b"otpauth://second").expect("saved over");
        assert_eq!(std::fs::read(&path).expect("read"), b"otpauth://second");
        let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(names(dir.path()), ["export.txt"]);
        // A directory that is not there: an error, nothing made.
        let missing = dir.path().join("nowhere").join("export.txt");
        assert!(save_bytes(&missing, b"x").is_err());
        assert_eq!(names(dir.path()), ["export.txt"]);
    }

    /// While the bytes are written and synced (the slow part, where a kill
    /// lands) the directory holds no new name: a process ending there
    /// leaves nothing. With a named temporary file, as before, it would.
    #[cfg(target_os = "linux")]
    #[test]
    fn until_it_is_whole_an_export_has_no_name() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("export.txt"), "old").expect("an old export");
        let file = unnamed::Unnamed::create(dir.path())
            .expect("created")
            .expect("tmpfs and ext4 hold unnamed files");
        let file = file.written(b"otpauth://new").expect("written");
        assert_eq!(names(dir.path()), ["export.txt"]);
        assert_eq!(
            std::fs::read(dir.path().join("export.txt")).expect("read"),
            b"old"
        );
        drop(file);
        assert_eq!(
            names(dir.path()),
            ["export.txt"],
            "a dropped file leaves nothing"
        );

        let file = unnamed::Unnamed::create(dir.path())
            .expect("created")
            .expect("unnamed");
        let file = file.written(b"otpauth://new").expect("written");
        file.name(dir.path(), &dir.path().join("export.txt"))
            .expect("named over the old one");
        let file = unnamed::Unnamed::create(dir.path())
            .expect("created")
            .expect("unnamed");
        file.written(b"fresh")
            .expect("written")
            .name(dir.path(), &dir.path().join("new.txt"))
            .expect("named");
        assert_eq!(names(dir.path()), ["export.txt", "new.txt"]);
        assert_eq!(
            std::fs::read(dir.path().join("export.txt")).expect("read"),
            b"otpauth://new"
        );
        let mode = std::fs::metadata(dir.path().join("new.txt"))
            .expect("stat")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
