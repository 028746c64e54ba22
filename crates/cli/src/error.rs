//! Every way a command can fail, and what the user is told. `main` prints
//! each as `watchword-cli: {message}` on stderr and exits with
//! [`CliError::exit_code`]; clap's own usage errors exit 2 before any of
//! these can happen.
//!
//! No variant holds a key, a URI or a password: the ones that carry the
//! core's errors rely on the core's promise that its messages never do.

use std::path::PathBuf;
use watchword_core::export::ExportError;
use watchword_core::import::ImportError;
use watchword_core::store::BackupError;
use watchword_core::{Error, UriError};

/// Refused, whatever it holds: a key or URI given as an argument is already
/// in the process list and the shell's history; the message says how to
/// give it instead (and never repeats it).
const KEY_ARGUMENT_REFUSED: &str = "keys and otpauth URIs are not taken as arguments, where the \
     process list and the shell's history would show them: run `watchword-cli add` and paste \
     the key or URI at the prompt, or pipe it in (`watchword-cli add < uri.txt`)";

/// What went wrong in a command; its `Display` is the message on stderr.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Occurs when `code --uri` is given anything but `-`: the URI itself on
    /// the command line, where its key would show.
    #[error(
        "--uri takes \"-\" and reads the URI from standard input: a URI on the \
         command line shows its key in the process list and the shell's history \
         (e.g. `watchword-cli code --uri - < uri.txt`)"
    )]
    UriArgument,
    /// Occurs when `add` is given a key or URI as an argument (or the hidden
    /// `--secret`); the message never repeats it.
    #[error("{KEY_ARGUMENT_REFUSED}")]
    KeyArgument,
    /// Occurs when `code` has neither an account to look for nor `--uri -`
    /// (clap's `required_unless_present` catches this first).
    #[error("give an account to look for, or --uri -")]
    NoCodeTarget,
    /// Occurs when the key or URI cannot be read from standard input or the
    /// hidden prompt (`input::secret_text` says how).
    #[error("{0}")]
    Input(String),
    /// Occurs when an otpauth URI or a typed key is malformed.
    #[error(transparent)]
    Uri(#[from] UriError),
    /// Occurs when the store or the keychain refuses (locked, missing,
    /// busy, a duplicate, …).
    #[error(transparent)]
    Store(#[from] Error),
    /// Occurs when `rename` is given neither `--issuer` nor `--account`.
    #[error("give the new name with --issuer, --account or both")]
    NoNewName,
    /// Occurs when no stored account matches the query.
    #[error("no account matches \"{query}\"; `watchword-cli list` shows them all")]
    NoMatch {
        /// What the user looked for.
        query: String,
    },
    /// Occurs when no stored account matches the query, but accounts that
    /// left the keychain without Watchword removing them do.
    #[error(
        "{gone} left the keychain without Watchword removing {}: \
         `watchword-cli backup restore --missing` restores {}, and \
         `watchword-cli missing --forget` forgets every missing account",
        it(*count), it(*count)
    )]
    MatchesMissing {
        /// The first of them, by name.
        gone: String,
        /// How many match.
        count: usize,
    },
    /// Occurs when the query is a setup key or an otpauth URI: given where a
    /// name belongs (as `code`'s `--uri -` forgotten), it matches nothing and
    /// is not repeated.
    #[error(
        "no account matches, and what was given looks like a setup key or an otpauth URI \
         (not repeated here): look accounts up by issuer or name (`watchword-cli list` \
         shows them all), or get a URI's code with `watchword-cli code --uri - < uri.txt`"
    )]
    KeyQuery,
    /// Occurs when the one matching account's id cannot be parsed.
    #[error("account id {id} is not valid")]
    InvalidId {
        /// The id as stored.
        id: String,
    },
    /// Occurs when `list --group` names a group no account is in.
    #[error(
        "no account is in the group \"{group}\"; {}",
        if known.is_empty() { "no account is in any group yet".to_owned() } else { format!("the groups are: {}", known.join(", ")) }
    )]
    NoSuchGroup {
        /// The group asked for.
        group: String,
        /// The groups in use.
        known: Vec<String>,
    },
    /// Occurs when the query matches several accounts; each is listed.
    #[error("\"{query}\" matches {} accounts; be more specific:\n{}", names.len(), names.join("\n"))]
    Ambiguous {
        /// What the user looked for (it is part of the names listed).
        query: String,
        /// The matching accounts, one line each, indented.
        names: Vec<String>,
    },
    /// Occurs when an import file cannot be read, recognised or decrypted.
    #[error("{}: {source}", file.display())]
    ImportFile {
        /// The file given to `import`.
        file: PathBuf,
        /// Why it was refused.
        source: ImportError,
    },
    /// Occurs when an import file is encrypted and `--password-stdin` was
    /// not given.
    #[error(
        "{} is an encrypted {format} backup: give its password on standard input \
         with --password-stdin",
        file.display()
    )]
    NeedsPassword {
        /// The file given to `import`.
        file: PathBuf,
        /// The backup's format, by name.
        format: &'static str,
    },
    /// Occurs when an import file of a known format holds no entry at all.
    #[error("{}: this {format} file holds no accounts", file.display())]
    NoAccounts {
        /// The file given to `import`.
        file: PathBuf,
        /// Its format, by name.
        format: &'static str,
    },
    /// Occurs when an import file's single entry cannot be read as an
    /// account.
    #[error(
        "{}: its only entry could not be read as an account; nothing was imported",
        file.display()
    )]
    OnlyEntryUnreadable {
        /// The file given to `import`.
        file: PathBuf,
    },
    /// Occurs when none of an import file's entries can be read as an
    /// account.
    #[error(
        "{}: none of its {entries} entries could be read as an account; nothing was imported",
        file.display()
    )]
    NoEntryReadable {
        /// The file given to `import`.
        file: PathBuf,
        /// How many entries it holds.
        entries: usize,
    },
    /// Occurs when `backup restore --missing` finds no account missing.
    #[error(
        "no account has left the keychain without Watchword removing it: nothing to restore \
         with --missing"
    )]
    NothingMissing,
    /// Occurs when `backup restore --missing` finds no automatic backup
    /// made before the missing accounts went, or none that reads.
    #[error(
        "no automatic backup made before they went could be read: restore from a backup file \
         with `watchword-cli backup restore --missing --file VAULT`"
    )]
    NoBackupBeforeMissing,
    /// Occurs when the backup `backup restore --missing` read holds none
    /// of the missing accounts under their names.
    #[error(
        "{} holds none of the missing accounts under their names (renamed since?): \
         restore it without --missing to add whatever it holds that is not stored",
        file.display()
    )]
    MissingNotInBackup {
        /// The backup read.
        file: PathBuf,
    },
    /// Occurs after an import or a restore that stored what it could read
    /// (or, with `--dry-run`, would have): some entries of `file` could not
    /// be read, and their keys are not in Watchword. A failure, so that a
    /// script does not take the file for fully imported and delete it.
    #[error(
        "{}: {} {} left out, as {} could not be read (above){}",
        file.display(),
        if *entries == 1 { "1 entry".to_owned() } else { format!("{entries} entries") },
        match (*entries == 1, dry_run) { (true, false) => "was", (false, false) => "were", (_, true) => "would be" },
        if *entries == 1 { "it" } else { "they" },
        if *keep { "; keep the file" } else { "" }
    )]
    EntriesLeftOut {
        /// The file read.
        file: PathBuf,
        /// How many of its entries could not be read.
        entries: usize,
        /// Whether nothing was stored (`import --dry-run`).
        dry_run: bool,
        /// Whether to say to keep the file: another app's export, which
        /// Watchword does not keep (its own backups it prunes itself).
        keep: bool,
    },
    /// Occurs when the store refuses partway through an import; the
    /// accounts added before stay.
    #[error("{added} of {read_from} were imported, then: {source}")]
    ImportStopped {
        /// How many accounts were stored.
        added: usize,
        /// "N accounts from FORMAT", as the success message says it.
        read_from: String,
        /// Why the store stopped.
        source: Error,
    },
    /// Occurs when `export --format aegis` is asked for without
    /// `--password-stdin`.
    #[error(
        "an encrypted backup needs a password: give it on standard input with \
         --password-stdin"
    )]
    ExportNeedsPassword,
    /// Occurs when a Google Authenticator export is asked for and the
    /// format can carry none of the accounts (each is named first).
    #[error("none of the accounts can be moved to Google Authenticator; nothing was written")]
    NothingForGoogle,
    /// Occurs when a `backup` command that needs the backup password is
    /// run without `--password-stdin`.
    #[error("give the backup password on standard input with --password-stdin")]
    BackupNeedsPassword,
    /// Occurs when `backup restore` has no folder to look in: backups are
    /// not set up here and neither --dir nor --file was given.
    #[error(
        "automatic backups are not set up here: say where the backups are with --dir DIR, \
         or give one with --file VAULT"
    )]
    NoBackupFolder,
    /// Occurs when automatic backups cannot be set up, written, or read
    /// back for a restore.
    #[error(transparent)]
    Backup(#[from] BackupError),
    /// Occurs when `export --format sheet` is asked for without `--out`: a
    /// PDF on a terminal is of no use.
    #[error("the recovery sheet is a PDF: name the file to write it to with --out FILE.pdf")]
    SheetNeedsOut,
    /// Occurs when standard input cannot be read for the password.
    #[error("cannot read the password from standard input: {0}")]
    PasswordRead(#[source] std::io::Error),
    /// Occurs when the first line of standard input is empty.
    #[error("the password on standard input is empty")]
    EmptyPassword,
    /// Occurs when the first line of standard input is longer than any
    /// password (a file piped in by mistake, say).
    #[error("the first line of standard input is longer than 1 KiB, far longer than any password")]
    PasswordTooLong,
    /// Occurs when the password on standard input is not UTF-8 text.
    #[error("the password on standard input is not UTF-8 text")]
    PasswordNotText,
    /// Occurs when `export` finds no account in the store.
    #[error("there are no accounts to export")]
    NothingToExport,
    /// Occurs when the accounts cannot be written in the chosen format.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// Occurs when an export cannot be written to standard output (a
    /// closed pipe, a full disk behind a redirection).
    #[error("cannot write to standard output: {0}")]
    Stdout(#[source] std::io::Error),
    /// Occurs when the export file cannot be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The `--out` file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// Occurs when the one image given to `decode` holds no QR code or
    /// cannot be read.
    #[error("{file}: {message}")]
    Decode {
        /// The image, as given.
        file: String,
        /// Why no QR code was read from it.
        message: String,
    },
    /// Occurs when some of several images given to `decode` gave no QR
    /// code (each is named on stderr first).
    #[error("no QR code was read from {failed} of {total} images")]
    DecodeSome {
        /// How many images failed.
        failed: usize,
        /// How many were given.
        total: usize,
    },
}

impl CliError {
    /// The process's exit status for this error: 1 for every failure of a
    /// command (2 is clap's, for a command line it cannot parse).
    pub fn exit_code(&self) -> std::process::ExitCode {
        std::process::ExitCode::FAILURE
    }
}

/// "it" or "them", for `count` accounts.
fn it(count: usize) -> &'static str {
    if count == 1 {
        "it"
    } else {
        "them"
    }
}
