//! What the user brought in and how it is told apart: an image's decoded
//! payloads, another app's backup (readable or [`LockedBackup`], waiting for
//! its password) or a file of no use, and pasted text sorted by what it is for.

use super::{Note, NothingToAdd};
use crate::codes::ErrorCode;
use crate::import::{self, Conversion, EncryptedBackup, Entries, Format, ImportError};
use crate::open::{open_regular, OpenError};
use crate::payload::{self, QrPayload};
use crate::qr::{self, QrError};
use std::path::Path;

/// One thing the user brought in, named by where it came from.
#[derive(Debug)]
pub enum Input {
    /// What decoding an image (or a pasted link) gave.
    Image {
        /// "screenshot.png", "The pasted image", "The screen".
        source: String,
        /// Its payloads, or why it has none.
        decoded: Result<Vec<String>, QrError>,
    },
    /// The accounts of a readable backup.
    Backup {
        /// The file's name.
        source: String,
        /// Its accounts and unreadable entries.
        conversion: Conversion,
    },
    /// An encrypted backup, waiting for its password.
    Locked(LockedBackup),
    /// A file that is neither an image nor a backup, and why.
    Unusable(Note),
}

impl Input {
    /// An encrypted backup opened to bring back the accounts `proposal`
    /// names, those that left the keychain: once it is open, only they
    /// are proposed, ticked, and the rest of it is offered unticked
    /// (unless none of it is named so: a rename since, say). Those whose
    /// key `proposal` says was replaced are offered unticked in any case.
    /// Other inputs are returned as they are.
    pub fn proposing(self, proposal: Proposal) -> Self {
        match self {
            Input::Locked(mut locked) => {
                locked.proposing = Some(proposal);
                Input::Locked(locked)
            }
            other => other,
        }
    }

    /// What decoding an image gave.
    pub fn image(source: impl Into<String>, decoded: Result<Vec<String>, QrError>) -> Self {
        Input::Image {
            source: source.into(),
            decoded,
        }
    }

    /// A file, named by its file name: a screenshot is decoded, anything
    /// else is read as a backup. Never fails: a bad file is [`Input::Unusable`]
    /// or an image error.
    pub fn from_file(path: &Path) -> Self {
        let source = path.file_name().map_or_else(
            || path.display().to_string(),
            |name| name.to_string_lossy().into_owned(),
        );
        let unusable = |source, message: String| {
            Input::Unusable(Note {
                source,
                code: ErrorCode::UnreadableFile,
                message,
            })
        };
        let mut file = match open_regular(path) {
            Ok(file) => file,
            Err(OpenError::NotAFile) => {
                return unusable(
                    source,
                    "This is not a file Watchword can read (a folder, a device or a pipe)".into(),
                )
            }
            Err(OpenError::Io(error)) => {
                return Self::image(source, Err(QrError::Unreadable(error.to_string())))
            }
        };
        // An image may be large (a BMP screenshot), a backup may not: the
        // first bytes say which limit applies before the rest is read.
        let image = looks_like_image(&mut file);
        if let Err(error) = std::io::Seek::rewind(&mut file) {
            return Self::image(source, Err(QrError::Unreadable(error.to_string())));
        }
        if image {
            return match qr::read_open(file) {
                Ok(bytes) => Self::from_bytes(source, &bytes),
                Err(error) => Self::image(source, Err(error)),
            };
        }
        match import::read_open(file) {
            // A plain backup holds every key: wiped once read.
            Ok(bytes) => Self::from_bytes(source, &zeroize::Zeroizing::new(bytes)),
            Err(error) => Input::Unusable(Note {
                source,
                code: error.code(),
                message: sentence(&error.to_string()),
            }),
        }
    }

    /// A file's content, by what it is.
    pub fn from_bytes(source: String, bytes: &[u8]) -> Self {
        match qr::decode_image(bytes) {
            Err(QrError::NotAnImage) => {}
            decoded => return Self::image(source, decoded),
        }
        match import::detect_and_read(bytes) {
            Ok((_, import::Read::Plain(entries))) => Input::Backup {
                source,
                conversion: entries.convert(),
            },
            Ok((_, import::Read::Encrypted(backup))) => Input::Locked(LockedBackup {
                source,
                backup,
                proposing: None,
            }),
            Err(ImportError::UnknownFormat) => Input::Unusable(Note {
                source,
                code: ErrorCode::UnknownFile,
                message: "This file is neither an image nor a backup Watchword can read".into(),
            }),
            Err(error) => Input::Unusable(Note {
                source,
                code: error.code(),
                message: sentence(&error.to_string()),
            }),
        }
    }
}

/// True when the file starts like an image (or cannot be read, so that the
/// image reader says why). Leaves the file wherever the reading stopped.
fn looks_like_image(file: &mut std::fs::File) -> bool {
    use std::io::Read as _;
    let mut head = [0u8; 32];
    let mut read = 0;
    let mut take = file.take(head.len() as u64);
    while read < head.len() {
        match take.read(&mut head[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(_) => return true,
        }
    }
    read == 0 || image::guess_format(&head[..read]).is_ok()
}

/// An encrypted backup the user brought in, waiting for its password.
#[derive(Debug)]
pub struct LockedBackup {
    pub(super) source: String,
    backup: EncryptedBackup,
    /// Opened to bring some accounts back, these: only they are proposed
    /// ([`super::Enrolment::proposed`]).
    pub(super) proposing: Option<Proposal>,
}

/// The accounts a backup is opened to bring back.
#[derive(Debug, Clone, Default)]
pub struct Proposal {
    /// Those that left the keychain, by (issuer, name): proposed, ticked.
    pub names: Vec<(String, String)>,
    /// The key checks ([`crate::account::Account::key_check`]) of those of
    /// them listed again since under their name with another key: offered
    /// unticked, whatever their name in the backup, as their services may
    /// have given those new keys, and the old ones would then no longer
    /// work.
    pub replaced_keys: Vec<String>,
}

impl Proposal {
    /// Whether `account` is one of [`Proposal::names`].
    pub(super) fn names(&self, account: &crate::account::Account) -> bool {
        self.names
            .iter()
            .any(|(issuer, name)| *issuer == account.issuer && *name == account.name)
    }

    /// Whether `account`'s key is one [`Proposal::replaced_keys`] names.
    pub(super) fn replaced(&self, account: &crate::account::Account) -> bool {
        !self.replaced_keys.is_empty() && self.replaced_keys.contains(&account.key_check())
    }
}

impl LockedBackup {
    /// Where it came from (its file name).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Which app's backup it is.
    pub fn format(&self) -> Format {
        self.backup.format()
    }

    /// Opens it (slow on purpose: off the UI thread, and without holding a
    /// lock others wait on).
    pub fn decrypt(&self, password: &str) -> Result<Entries, ImportError> {
        self.backup.decrypt(password)
    }

    /// [`LockedBackup::decrypt`] that stops with [`ImportError::Cancelled`]
    /// once `cancel` is set (between key derivations and entries).
    pub fn decrypt_cancellable(
        &self,
        password: &str,
        cancel: &crate::limits::Cancel,
    ) -> Result<Entries, ImportError> {
        self.backup.decrypt_cancellable(password, cancel)
    }
}

/// What pasted text is for.
#[derive(Debug)]
pub enum PastedText {
    /// A Google Authenticator export link: its accounts, to preview.
    ExportLink(Input),
    /// An otpauth link or a setup key: for the add form, as pasted.
    ForTheForm(String),
    /// Something else, named (never repeated).
    NotForUs(NothingToAdd),
}

/// Sorts pasted text: an export link goes to the preview, an otpauth link
/// or a bare key to the add form, anything else is named.
pub fn pasted_text(text: &str) -> PastedText {
    let trimmed = text.trim();
    match payload::classify(trimmed) {
        QrPayload::Migration(_) => PastedText::ExportLink(Input::image(
            "The pasted link",
            Ok(vec![trimmed.to_owned()]),
        )),
        QrPayload::Account(_) => PastedText::ForTheForm(trimmed.to_owned()),
        QrPayload::NotOtp(_) if crate::uri::parse_secret(trimmed).is_ok() => {
            PastedText::ForTheForm(trimmed.to_owned())
        }
        QrPayload::NotOtp(kind) => PastedText::NotForUs(NothingToAdd {
            code: ErrorCode::NotOtp,
            message: format!(
                "The clipboard holds {}, not a QR code, an otpauth:// link or a setup key.",
                kind.description()
            ),
        }),
    }
}

/// `text` with its first letter in capitals, as a sentence starts.
pub(super) fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}
