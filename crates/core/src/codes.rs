//! Every machine-readable error code Watchword gives, in one enum: what the
//! store, the readers of images and backups, the exporters and enrolment
//! report, and what the desktop shell adds of its own. Front ends branch on
//! these, never on message text. On the wire (the window's IPC, the CLI's
//! JSON) each is its snake_case name: `keychain_locked`, `cancelled`, …

use serde::Serialize;
use std::fmt;

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, )*) => {
        /// A stable code for one kind of failure or note. See the module.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[$doc])* #[serde(rename = $name)] $variant, )*
        }

        impl ErrorCode {
            /// Every code, for tests and documentation.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// Its name on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( ErrorCode::$variant => $name, )*
                }
            }
        }
    };
}

codes! {
    // The store and the keychain.
    /// A URI, key or field that does not parse.
    InvalidInput = "invalid_input",
    /// No keychain service answers.
    KeychainUnavailable = "keychain_unavailable",
    /// The keychain is locked.
    KeychainLocked = "keychain_locked",
    /// The keychain refused (the user said no to a prompt).
    KeychainDenied = "keychain_denied",
    /// The keychain failed otherwise.
    KeychainFailed = "keychain_failed",
    /// The keychain service did not answer in time (stopped or stuck).
    KeychainNoAnswer = "keychain_no_answer",
    /// The keychain holds none of the accounts the list names (closed, or
    /// another keychain); the list is left as it is.
    KeychainHoldsNone = "keychain_holds_none",
    /// No such account (or other thing asked for).
    NotFound = "not_found",
    /// A keychain item that is not a readable account.
    DamagedItem = "damaged_item",
    /// A file could not be read or written.
    Io = "io",
    /// The account is there already.
    Duplicate = "duplicate",
    /// A setting out of range.
    InvalidSetting = "invalid_setting",
    /// Another process holds the store's lock.
    Busy = "busy",
    /// An HOTP counter at its last value.
    CounterExhausted = "counter_exhausted",
    /// A note too long for its account's keychain item.
    NoteTooLong = "note_too_long",
    // The lock (vault.rs, store/vaulted.rs).
    /// Watchword is locked: the password unlocks it.
    VaultLocked = "vault_locked",
    /// The lock's keychain item is damaged.
    VaultDamaged = "vault_damaged",
    /// The lock is on already.
    LockAlreadyOn = "lock_already_on",
    /// Items are sealed by a lock whose keychain item is gone.
    SealedByLostLock = "sealed_by_lost_lock",
    /// The lock is off.
    LockOff = "lock_off",
    /// Too many wrong passwords: the next try must wait.
    TooSoon = "too_soon",
    // Other apps' backups.
    /// A file in no format Watchword reads.
    UnknownFormat = "unknown_format",
    /// The backup's password is wrong.
    WrongPassword = "wrong_password",
    /// A backup that is damaged.
    DamagedFile = "damaged_file",
    /// A backup in a variant Watchword does not read.
    UnsupportedFile = "unsupported_file",
    /// Input over one of the budgets in `limits`.
    TooLarge = "too_large",
    /// A file that cannot be read at all.
    UnreadableFile = "unreadable_file",
    /// The user cancelled (a backup's key derivation).
    Cancelled = "cancelled",
    // Automatic backups (store::autobackup).
    /// Automatic backups were never set up.
    BackupNotSetUp = "backup_not_set_up",
    /// The backup folder is not there (an unplugged drive).
    BackupFolderMissing = "backup_folder_missing",
    /// The backup folder is a file, or something else that is not a folder.
    BackupNotAFolder = "backup_not_a_folder",
    /// The backup folder is inside Watchword's own data folder.
    BackupFolderInsideData = "backup_folder_inside_data",
    /// A number of backups to keep out of range.
    BackupKeepOutOfRange = "backup_keep_out_of_range",
    /// The backup password's keychain item is gone.
    BackupPasswordMissing = "backup_password_missing",
    /// The backup folder cannot be written to (read-only, no permission).
    BackupFolderReadOnly = "backup_folder_read_only",
    /// The disk holding the backup folder is full.
    BackupDiskFull = "backup_disk_full",
    /// A backup could not be written otherwise.
    BackupWriteFailed = "backup_write_failed",
    /// A backup did not read back as written.
    BackupVerifyFailed = "backup_verify_failed",
    /// No readable backup in the folder.
    NoBackupFound = "no_backup_found",
    // Images and QR codes.
    /// An empty file or clipboard image.
    Empty = "empty",
    /// Not an image.
    NotAnImage = "not_an_image",
    /// An image format Watchword does not decode.
    UnsupportedFormat = "unsupported_format",
    /// An image with too many pixels.
    ImageTooLarge = "image_too_large",
    /// A damaged image.
    DamagedImage = "damaged_image",
    /// Raw pixels that do not match their stated size.
    BadPixelBuffer = "bad_pixel_buffer",
    /// No QR code in the image.
    NoQrCode = "no_qr_code",
    /// An image file over the size limit.
    FileTooLarge = "file_too_large",
    // Exports.
    /// An encrypted export with no password.
    EmptyPassword = "empty_password",
    /// Nothing to export.
    NoAccounts = "no_accounts",
    /// An account Google Authenticator cannot take.
    NotForGoogle = "not_for_google",
    /// An account too long to print on a recovery sheet.
    TooLongToPrint = "too_long_to_print",
    // Enrolment: what a QR code or file held instead of accounts.
    /// A file that is neither an image nor a backup.
    UnknownFile = "unknown_file",
    /// Text that is no authenticator code.
    NotOtp = "not_otp",
    /// Nothing usable in what was given.
    NothingFound = "nothing_found",
    /// An otpauth:// link that does not parse.
    InvalidOtpauth = "invalid_otpauth",
    /// A Google export that does not parse.
    InvalidMigration = "invalid_migration",
    /// One entry of a backup left out.
    SkippedEntry = "skipped_entry",
    /// More entries of a backup left out.
    SkippedEntries = "skipped_entries",
    /// More accounts than one preview holds: the rest were left out.
    PreviewFull = "preview_full",
    /// What a backup holds that Watchword does not keep (custom icons, …).
    NotKept = "not_kept",
    /// A backup opened to bring some accounts back: only they are ticked.
    OthersNotTicked = "others_not_ticked",
    /// A QR code holding a web link.
    WebLink = "web_link",
    /// A QR code holding a Wi-Fi network.
    Wifi = "wifi",
    /// A QR code holding a contact.
    Contact = "contact",
    /// A QR code holding an e-mail address.
    Email = "email",
    /// A QR code holding a phone number.
    Phone = "phone",
    /// A QR code holding a text message.
    Sms = "sms",
    /// A QR code holding a map location.
    Location = "location",
    /// A QR code holding a calendar event.
    CalendarEvent = "calendar_event",
    /// A QR code holding a payment address.
    Payment = "payment",
    /// A QR code holding a link for another app.
    OtherLink = "other_link",
    /// A QR code holding plain text.
    PlainText = "plain_text",
    // The desktop shell's own.
    /// The clipboard could not be read or written.
    Clipboard = "clipboard",
    /// The clipboard holds nothing Watchword can use.
    ClipboardEmpty = "clipboard_empty",
    /// The screen could not be captured.
    CaptureFailed = "capture_failed",
    /// An HOTP account has no code generated yet.
    NoCode = "no_code",
    /// Something that should not happen (a stopped worker, a poisoned lock).
    Internal = "internal",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lets tests and callers compare with the wire name: `err.code() == "busy"`.
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;
    use std::collections::HashSet;

    #[test]
    fn every_code_has_its_own_snake_case_name_on_the_wire() {
        let mut seen = HashSet::new();
        for code in ErrorCode::ALL {
            let name = code.as_str();
            assert!(seen.insert(name), "{name} twice");
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{name}"
            );
            let json = serde_json::to_string(code).expect("serialises");
            assert_eq!(json, format!("\"{name}\""));
        }
    }
}
