//! Opening what should be a regular file (a backup, an export, the
//! metadata file) without ever waiting: a named pipe in its place would
//! otherwise block the open until some writer came, and a device like
//! `/dev/zero` never ends. What is checked is the file opened, not the
//! name, so nothing can be swapped in between.

use std::fs::File;
use std::path::Path;

/// Why a file was not opened.
#[derive(Debug)]
pub enum OpenError {
    /// A folder, a device, a named pipe or a socket.
    NotAFile,
    /// The open itself failed (not there, no permission…).
    Io(std::io::Error),
}

impl From<OpenError> for std::io::Error {
    fn from(error: OpenError) -> Self {
        match error {
            OpenError::NotAFile => std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a regular file (a folder, a device or a pipe)",
            ),
            OpenError::Io(error) => error,
        }
    }
}

/// Opens `path` for reading if it is a regular file.
pub fn open_regular(path: &Path) -> Result<File, OpenError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        // The flag's bits fit an i32 on every Unix.
        #[allow(clippy::cast_possible_wrap)]
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    let file = options.open(path).map_err(OpenError::Io)?;
    match file.metadata() {
        Ok(metadata) if metadata.is_file() => Ok(file),
        Ok(_) => Err(OpenError::NotAFile),
        Err(error) => Err(OpenError::Io(error)),
    }
}
