//! The command line's definition: every subcommand, argument and help text
//! that clap parses and prints. What each command does is in `commands`.

use clap::{Args, Parser, Subcommand};

// No `Debug`: a refused argument may still hold a key (`--secret`, `--uri`).
#[derive(Parser)]
#[command(
    name = "watchword-cli",
    version,
    about = "Two-step verification codes from your keychain"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// While locked: read the lock's password from the first line of
    /// standard input, before anything else the command reads there
    #[arg(long, global = true)]
    pub lock_password_stdin: bool,
}

#[derive(Subcommand)]
pub enum Command {
    /// List stored accounts (issuer, account, type, groups; never secrets
    /// or notes).
    List {
        /// Print JSON instead of a table (with each account's groups and
        /// whether it has a note, never the note).
        #[arg(long)]
        json: bool,
        /// Only the accounts in this group (exact name, any case).
        #[arg(long, value_name = "NAME")]
        group: Option<String>,
    },
    /// Print the note of the account matching QUERY, or replace it with
    /// --set. Notes may hold recovery codes: they show only when asked for.
    Note {
        /// Issuer or account name (case-insensitive; must match one account).
        query: String,
        /// Read the new note from standard input (all of it; one final line
        /// break is dropped); an empty one removes the note.
        #[arg(long)]
        set: bool,
    },
    /// Put the account matching QUERY in a group or take it out of one;
    /// with neither option, print its groups, one a line.
    Group {
        /// Issuer or account name (case-insensitive; must match one account).
        query: String,
        /// Put the account in this group.
        #[arg(long, value_name = "NAME", conflicts_with = "remove")]
        add: Option<String>,
        /// Take the account out of this group.
        #[arg(long, value_name = "NAME")]
        remove: Option<String>,
    },
    /// Print the current code of the account matching QUERY, or of the
    /// otpauth URI on standard input (--uri -).
    Code(CodeArgs),
    /// Add an account. Its setup key or otpauth URI is read from standard
    /// input, or typed at a prompt that does not show it; never given as an
    /// argument, where the process list and the shell's history would keep it.
    ///
    /// Examples: `watchword-cli add --issuer Amazon --account me` (then type
    /// or paste the key at "Setup key:"); `watchword-cli add < uri.txt`.
    Add(AddArgs),
    /// List the accounts whose keychain item was removed outside Watchword
    /// (another tool, another app), or forget them with --forget.
    ///
    /// While any is listed, automatic backups keep every older backup,
    /// since they may be all that holds its key: restore it from the one
    /// this names (`watchword-cli backup restore --missing`) or forget it.
    Missing {
        /// Forget them: older backups can be pruned again.
        #[arg(long)]
        forget: bool,
    },
    /// Remove the account matching QUERY.
    Remove {
        /// Issuer or account name (case-insensitive; must match one account).
        query: String,
    },
    /// Rename the account matching QUERY (its issuer and account name).
    Rename {
        /// Issuer or account name (case-insensitive; must match one account).
        query: String,
        /// The new issuer ("Amazon"); unchanged when left out.
        #[arg(long)]
        issuer: Option<String>,
        /// The new account name ("me@example.com"); unchanged when left out.
        #[arg(long)]
        account: Option<String>,
    },
    /// Import the accounts of another authenticator's backup or export.
    ///
    /// The format is recognised from the content: otpauth URI lists, Google
    /// Authenticator exports, Aegis, 2FAS, andOTP, Bitwarden, Proton
    /// Authenticator, FreeOTP, FreeOTP+, Authenticator Pro / Stratum, Authy
    /// and Steam Guard files. Accounts already stored are skipped. Entries
    /// that cannot be read are named and left out: the rest are stored, and
    /// the command exits 1.
    Import {
        /// The backup or export file.
        file: std::path::PathBuf,
        /// Read the backup's password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        /// Store nothing: print each account as an otpauth URI, one a line.
        #[arg(long)]
        dry_run: bool,
    },
    /// Export every account: an encrypted Aegis vault, in the clear, or a
    /// sheet to print.
    Export {
        /// aegis: an encrypted vault that Aegis and Watchword restore (needs
        /// --password-stdin); uris: otpauth URIs, one a line, NOT encrypted;
        /// google: Google Authenticator export URIs, NOT encrypted; sheet: a
        /// PDF to print, each account's QR code and key, NOT encrypted (needs
        /// --out).
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Write to this file (created readable by you alone) instead of
        /// standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<std::path::PathBuf>,
        /// Read the vault's password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        /// Paper size of the recovery sheet.
        #[arg(long, value_enum, default_value_t = PaperArg::A4)]
        paper: PaperArg,
    },
    /// Automatic encrypted backups to a folder, and restoring from them.
    ///
    /// Once set up, every change (add, import, rename, remove, an HOTP code)
    /// writes an encrypted Aegis vault to the folder at the end of the
    /// command, checks that it reads back, and keeps the newest ones.
    Backup {
        #[command(subcommand)]
        action: BackupAction,
    },
    /// The lock: a password without which the keychain holds only
    /// ciphertext (on, off, password, status).
    ///
    /// While it is on, every command that reads or changes an account asks
    /// for the password at the terminal, without echo, or takes it from
    /// the first line of standard input with --lock-password-stdin (before
    /// a key or a backup's password there); it is never remembered. A
    /// forgotten password cannot be recovered: only a backup brings the
    /// accounts back.
    Lock {
        #[command(subcommand)]
        action: LockAction,
    },
    /// Print every QR code payload found in the images, one per line.
    ///
    /// Exits with status 1 when an image holds no QR code or cannot be read
    /// (each such image is named on stderr). Payloads are printed as they
    /// are: an otpauth:// link holds its account's secret key.
    Decode {
        /// Image files (PNG, JPEG, WebP, GIF, BMP).
        #[arg(required = true, value_name = "IMAGE")]
        images: Vec<std::path::PathBuf>,
        /// Print [{"file","payloads":[{"text","kind"}],"error"}] as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum LockAction {
    /// Turn the lock on: every keychain item is sealed under a key that
    /// only the password unlocks.
    On {
        /// Read the new password from the first line of standard input
        /// (otherwise it is typed twice at the terminal).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Turn the lock off: the items are written in plain form again.
    Off {
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Change the password: the current one, then the new one (two lines
    /// of standard input with --password-stdin).
    Password {
        /// Read both passwords from standard input, one a line.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Whether the lock is on, and how many items are sealed.
    Status {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum BackupAction {
    /// Turn automatic backups on: writes a first backup to DIR at once.
    Setup {
        /// The folder backups go to (a synced folder, a USB drive); not
        /// inside Watchword's data folder.
        #[arg(long, value_name = "DIR")]
        dir: std::path::PathBuf,
        /// How many backups to keep; older ones are removed.
        #[arg(long, value_name = "N", default_value_t = 20)]
        keep: u32,
        /// Read the backup password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Show the folder, how many are kept, the last good backup, the last
    /// error, the backups in the folder and whether one is pending.
    Status {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write a backup now (after fixing a failed one, say).
    Now,
    /// Turn automatic backups off. The backups written stay; the password
    /// is removed from the keychain.
    Off,
    /// Change the backup password; a backup with it is written at once.
    Password {
        /// Read the new password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Add the accounts of a backup that are not stored (an import).
    ///
    /// Takes the newest backup in the folder that reads; a damaged one is
    /// skipped for the one before it, and said so. A wrong password
    /// changes nothing. Entries that cannot be read are named and left
    /// out: the rest are restored, and the command exits 1.
    Restore {
        /// This backup file instead of the newest in the folder.
        #[arg(long, value_name = "VAULT", conflicts_with = "dir")]
        file: Option<std::path::PathBuf>,
        /// Look in this folder instead of the one set up.
        #[arg(long, value_name = "DIR")]
        dir: Option<std::path::PathBuf>,
        /// Only the accounts that left the keychain without Watchword
        /// removing them (`watchword-cli missing`), from the newest backup
        /// made before they went (or --file).
        #[arg(long, conflicts_with = "dir")]
        missing: bool,
        /// Read the backup password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ExportFormat {
    Aegis,
    Uris,
    Google,
    Sheet,
}

/// `--paper`: the core's [`watchword_core::export::Paper`] as clap reads it.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum PaperArg {
    A4,
    Letter,
}

impl From<PaperArg> for watchword_core::export::Paper {
    fn from(paper: PaperArg) -> Self {
        match paper {
            PaperArg::A4 => watchword_core::export::Paper::A4,
            PaperArg::Letter => watchword_core::export::Paper::Letter,
        }
    }
}

#[derive(Args)]
pub struct CodeArgs {
    /// Issuer or account name (case-insensitive).
    #[arg(required_unless_present = "uri", conflicts_with = "uri")]
    pub query: Option<String>,
    /// "-": compute the code for the otpauth URI on standard input (or typed
    /// at a hidden prompt), storing nothing. The URI itself is refused as an
    /// argument: it holds the key.
    #[arg(long, value_name = "-")]
    pub uri: Option<String>,
    /// Compute the code at this Unix time instead of now.
    #[arg(long, value_name = "UNIX_SECONDS")]
    pub at: Option<u64>,
    /// Print {"code","next","remaining","period"} as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct AddArgs {
    /// "-" (the default): read the setup key or otpauth URI from standard
    /// input. A URI or key given here is refused.
    #[arg(value_name = "-")]
    pub uri: Option<String>,
    /// Refused: the rest of a key typed in groups without quotes
    /// (`add jbsw y3dp …`), taken here so that clap's "unexpected argument"
    /// does not repeat it.
    #[arg(hide = true, num_args = 0..)]
    pub rest: Vec<String>,
    /// Issuer (for a key, or to override the URI's).
    #[arg(long)]
    pub issuer: Option<String>,
    /// Account name (for a key, or to override the URI's).
    #[arg(long)]
    pub account: Option<String>,
    /// Refused: the key would show in the process list and the shell's
    /// history. Kept only to say so.
    #[arg(long, hide = true)]
    pub secret: Option<String>,
    /// totp, hotp or steam (for a key).
    #[arg(long = "type", default_value = "totp")]
    pub kind: String,
    /// SHA1, SHA256 or SHA512 (for a key).
    #[arg(long, default_value = "SHA1")]
    pub algorithm: String,
    /// Number of digits, 4 to 10 (for a key).
    #[arg(long, default_value_t = 6)]
    pub digits: u8,
    /// Seconds per code (for a TOTP key).
    #[arg(long, default_value_t = 30)]
    pub period: u32,
    /// Initial counter (for an HOTP key).
    #[arg(long, default_value_t = 0)]
    pub counter: u64,
}
