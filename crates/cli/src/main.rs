//! `watchword-cli`: the same store and code engine as the desktop app, from a
//! terminal. Data goes to stdout, messages to stderr; a failure exits non-zero
//! and changes nothing.

mod input;

use clap::{Args, Parser, Subcommand};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};
use watchword_core::account::{Account, AccountId};
use watchword_core::manual::ManualEntry;
use watchword_core::payload::{self, QrPayload};
use watchword_core::store::{AccountSummary, Config, Store};
use watchword_core::{otp, qr, uri, Code, Error};

// No `Debug`: a refused argument may still hold a key (`--secret`, `--uri`).
#[derive(Parser)]
#[command(
    name = "watchword-cli",
    version,
    about = "Two-step verification codes from your keychain"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List stored accounts (issuer, account, type; never secrets).
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
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
    /// and Steam Guard files. Accounts already stored are skipped.
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
    /// Export every account: an encrypted Aegis vault, or in the clear.
    Export {
        /// aegis: an encrypted vault that Aegis and Watchword restore (needs
        /// --password-stdin); uris: otpauth URIs, one a line, NOT encrypted;
        /// google: Google Authenticator export URIs, NOT encrypted.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Write to this file (created readable by you alone) instead of
        /// standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<std::path::PathBuf>,
        /// Read the vault's password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
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

#[derive(Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    Aegis,
    Uris,
    Google,
}

#[derive(Args)]
struct CodeArgs {
    /// Issuer or account name (case-insensitive).
    #[arg(required_unless_present = "uri", conflicts_with = "uri")]
    query: Option<String>,
    /// "-": compute the code for the otpauth URI on standard input (or typed
    /// at a hidden prompt), storing nothing. The URI itself is refused as an
    /// argument: it holds the key.
    #[arg(long, value_name = "-")]
    uri: Option<String>,
    /// Compute the code at this Unix time instead of now.
    #[arg(long, value_name = "UNIX_SECONDS")]
    at: Option<u64>,
    /// Print {"code","next","remaining","period"} as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct AddArgs {
    /// "-" (the default): read the setup key or otpauth URI from standard
    /// input. A URI or key given here is refused.
    #[arg(value_name = "-")]
    uri: Option<String>,
    /// Issuer (for a key, or to override the URI's).
    #[arg(long)]
    issuer: Option<String>,
    /// Account name (for a key, or to override the URI's).
    #[arg(long)]
    account: Option<String>,
    /// Refused: the key would show in the process list and the shell's
    /// history. Kept only to say so.
    #[arg(long, hide = true)]
    secret: Option<String>,
    /// totp, hotp or steam (for a key).
    #[arg(long = "type", default_value = "totp")]
    kind: String,
    /// SHA1, SHA256 or SHA512 (for a key).
    #[arg(long, default_value = "SHA1")]
    algorithm: String,
    /// Number of digits, 4 to 10 (for a key).
    #[arg(long, default_value_t = 6)]
    digits: u8,
    /// Seconds per code (for a TOTP key).
    #[arg(long, default_value_t = 30)]
    period: u32,
    /// Initial counter (for an HOTP key).
    #[arg(long, default_value_t = 0)]
    counter: u64,
}

fn main() -> ExitCode {
    // Before anything holds a key: a crash must not write one to disk.
    if let Err(message) = watchword_core::hardening::disable_core_dumps() {
        eprintln!("watchword-cli: warning: {message}");
    }
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("watchword-cli: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Code(CodeArgs {
            uri: Some(text),
            at,
            json,
            ..
        }) => {
            if text != "-" {
                return Err(
                    "--uri takes \"-\" and reads the URI from standard input: a URI on the \
                     command line shows its key in the process list and the shell's history \
                     (e.g. `watchword-cli code --uri - < uri.txt`)"
                        .into(),
                );
            }
            let text = input::secret_text("otpauth URI:", "otpauth URI")?;
            let account = uri::parse(&text).map_err(|e| e.to_string())?;
            print_code(&otp::code_at(&account, at.unwrap_or_else(now)), json);
            Ok(())
        }
        Command::Code(CodeArgs {
            query: Some(query),
            at,
            json,
            ..
        }) => {
            let mut store = open_store()?;
            let (id, _) = find_one(&mut store, &query)?;
            let code = store
                .next_code(&id, at.unwrap_or_else(now))
                .map_err(describe)?;
            print_code(&code, json);
            Ok(())
        }
        Command::Code(_) => Err("give an account to look for, or --uri -".into()),
        Command::List { json } => {
            let mut store = open_store()?;
            // Ids only: no secret is read unless the keychain and the list
            // disagree.
            let list = store.list_accounts().map_err(describe)?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&list).expect("plain data")
                );
            } else if list.is_empty() {
                eprintln!("No accounts yet: add one with `watchword-cli add`.");
            } else {
                print_table(&list);
            }
            Ok(())
        }
        Command::Add(args) => {
            let account = account_from_args(args)?;
            let name = account.display_name();
            let mut store = open_store()?;
            store.add(account).map_err(describe)?;
            eprintln!("Added {name}.");
            Ok(())
        }
        Command::Decode { images, json } => decode(&images, json),
        Command::Import {
            file,
            password_stdin,
            dry_run,
        } => import(&file, password_stdin, dry_run),
        Command::Export {
            format,
            out,
            password_stdin,
        } => export(format, out.as_deref(), password_stdin),
        Command::Rename {
            query,
            issuer,
            account,
        } => {
            if issuer.is_none() && account.is_none() {
                return Err("give the new name with --issuer, --account or both".into());
            }
            let mut store = open_store()?;
            let (id, _) = find_one(&mut store, &query)?;
            let old = store.account(&id).map_err(describe)?;
            let issuer = issuer.unwrap_or_else(|| old.issuer.clone());
            let name = account.unwrap_or_else(|| old.name.clone());
            let before = old.display_name();
            store.rename(&id, &issuer, &name).map_err(describe)?;
            let after = store.account(&id).map_err(describe)?.display_name();
            eprintln!("Renamed {before} to {after}.");
            Ok(())
        }
        Command::Remove { query } => {
            let mut store = open_store()?;
            let (id, found) = find_one(&mut store, &query)?;
            store.remove(&id).map_err(describe)?;
            let name = found.display_name();
            eprintln!("Removed {name}.");
            Ok(())
        }
    }
}

/// Reads a backup and stores its accounts.
///
/// Ctrl+C keeps the default SIGINT action, which ends the process at once:
/// before `add_all` nothing has been stored, and during it each account is
/// written whole under the store's lock (keychain item, then metadata; an
/// item without its metadata is taken back in by the next start), so a stop
/// leaves whole accounts or none: crates/cli/tests/crash_safety.rs kills an
/// import with SIGKILL, harsher than Ctrl+C, at random moments.
fn import(file: &std::path::Path, password_stdin: bool, dry_run: bool) -> Result<(), String> {
    use watchword_core::import::{self, Read as Backup};
    let shown = file.display();
    // The same size limit as the app, applied before the file is read.
    let bytes =
        zeroize::Zeroizing::new(import::read_file(file).map_err(|e| format!("{shown}: {e}"))?);
    let (format, read) = import::detect_and_read(&bytes).map_err(|e| format!("{shown}: {e}"))?;
    let (entries, encrypted) = match read {
        Backup::Plain(entries) => (entries, false),
        Backup::Encrypted(backup) => {
            if !password_stdin {
                return Err(format!(
                    "{shown} is an encrypted {} backup: give its password on standard input \
                     with --password-stdin",
                    format.name()
                ));
            }
            let password = zeroize::Zeroizing::new(read_password()?);
            (
                backup
                    .decrypt(&password)
                    .map_err(|e| format!("{shown}: {e}"))?,
                true,
            )
        }
    };
    let conversion = entries.convert();
    // A count and the first few: thousands of broken entries must not flood
    // the terminal.
    let (first, more) = conversion.error_summary();
    for error in first {
        eprintln!("watchword-cli: {shown}: {error}");
    }
    if more > 0 {
        eprintln!(
            "watchword-cli: {shown}: {} more {} could not be read",
            more,
            if more == 1 { "entry" } else { "entries" }
        );
    }
    if conversion.accounts.is_empty() {
        return Err(if conversion.errors.is_empty() {
            format!("{shown}: this {} file holds no accounts", format.name())
        } else if conversion.errors.len() == 1 {
            format!("{shown}: its only entry could not be read as an account; nothing was imported")
        } else {
            format!(
                "{shown}: none of its {} entries could be read as an account; nothing was imported",
                conversion.errors.len()
            )
        });
    }
    let read_from = format!(
        "{} from {}{}",
        count(conversion.accounts.len(), "account"),
        format.name(),
        if encrypted { " (encrypted)" } else { "" }
    );
    if dry_run {
        for account in &conversion.accounts {
            println!("{}", *zeroize::Zeroizing::new(uri::format(account)));
        }
        eprintln!(
            "Read {read_from}{}; nothing was stored (--dry-run).",
            skipped_entries(conversion.errors.len())
        );
        return Ok(());
    }
    let mut store = open_store()?;
    let done = store
        .add_all(conversion.accounts)
        .map_err(|(done, error)| {
            format!(
                "{} of {read_from} were imported, then: {}",
                done.added,
                describe(error)
            )
        })?;
    let (added, present) = (done.added, done.already_there);
    eprintln!(
        "Imported {} of {read_from}{}{}.",
        added,
        if present > 0 {
            format!("; {} already in Watchword", count(present, "was"))
        } else {
            String::new()
        },
        skipped_entries(conversion.errors.len())
    );
    Ok(())
}

fn export(
    format: ExportFormat,
    out: Option<&std::path::Path>,
    password_stdin: bool,
) -> Result<(), String> {
    use watchword_core::export;
    if matches!(format, ExportFormat::Aegis) && !password_stdin {
        return Err(
            "an encrypted backup needs a password: give it on standard input with \
             --password-stdin"
                .into(),
        );
    }
    let password = if password_stdin {
        zeroize::Zeroizing::new(read_password()?)
    } else {
        zeroize::Zeroizing::new(String::new())
    };
    let mut store = open_store()?;
    let accounts = store.all_accounts().map_err(describe)?;
    if accounts.is_empty() {
        return Err("there are no accounts to export".into());
    }
    let text = zeroize::Zeroizing::new(match format {
        ExportFormat::Aegis => {
            export::aegis_encrypted(&accounts, &password).map_err(|e| e.to_string())?
        }
        ExportFormat::Uris => {
            eprintln!(
                "watchword-cli: warning: this export is NOT encrypted: anyone who reads it can \
                 make your codes"
            );
            export::uri_list(&accounts)
        }
        ExportFormat::Google => {
            let (fit, left_out) = export::google_exportable(&accounts);
            for error in &left_out {
                eprintln!("watchword-cli: {error}; left out");
            }
            eprintln!(
                "watchword-cli: warning: this export is NOT encrypted: anyone who reads it can \
                 make your codes"
            );
            let uris =
                zeroize::Zeroizing::new(export::google_migration(&fit).map_err(|e| e.to_string())?);
            // Sized up front: growing would leave unwiped copies.
            let mut text = String::with_capacity(uris.iter().map(|uri| uri.len() + 1).sum());
            for uri in uris.iter() {
                text.push_str(uri);
                text.push('\n');
            }
            text
        }
    });
    match out {
        None => print!("{}", *text),
        Some(path) => {
            export::save(path, &text)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            eprintln!(
                "Exported {} to {}.",
                count(accounts.len(), "account"),
                path.display()
            );
        }
    }
    // Written: the user now holds a copy, and the app's backup reminder
    // counts from here.
    store.record_backup(now()).map_err(describe)?;
    Ok(())
}

/// The first line of standard input, without its line ending.
fn read_password() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    zeroize::Zeroize::zeroize(&mut line);
    if password.is_empty() {
        return Err("the password on standard input is empty".into());
    }
    Ok(password)
}

fn count(n: usize, noun: &str) -> String {
    match (n, noun) {
        (1, _) => format!("1 {noun}"),
        (_, "was") => format!("{n} were"),
        (_, "entry") => format!("{n} entries"),
        _ => format!("{n} {noun}s"),
    }
}

fn skipped_entries(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => "; 1 entry could not be read".into(),
        n => format!("; {n} entries could not be read"),
    }
}

/// Decodes every image; each one's failure is reported and the rest go on.
fn decode(images: &[std::path::PathBuf], json: bool) -> Result<(), String> {
    let mut results = Vec::new();
    let mut failed = 0usize;
    for path in images {
        let shown = path.display().to_string();
        match qr::decode_file(path) {
            Ok(payloads) => {
                if !json {
                    for text in &payloads {
                        println!("{text}");
                    }
                }
                let payloads: Vec<_> = payloads
                    .iter()
                    .map(|text| serde_json::json!({"text": text, "kind": payload_kind(text)}))
                    .collect();
                results
                    .push(serde_json::json!({"file": shown, "payloads": payloads, "error": null}));
            }
            Err(error) => {
                failed += 1;
                if !json && images.len() > 1 {
                    eprintln!("watchword-cli: {shown}: {error}");
                }
                results.push(serde_json::json!({
                    "file": shown,
                    "payloads": [],
                    "error": {"code": error.code(), "message": error.to_string()},
                }));
            }
        }
    }
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&results).expect("plain data")
        );
    }
    match (failed, &results[..]) {
        (0, _) => Ok(()),
        // One image: its own error is the message.
        (_, [only]) => Err(format!(
            "{}: {}",
            only["file"].as_str().unwrap_or_default(),
            only["error"]["message"].as_str().unwrap_or_default()
        )),
        (failed, all) => Err(format!(
            "no QR code was read from {failed} of {} images",
            all.len()
        )),
    }
}

/// `otpauth`, `otpauth-migration`, or what else the payload holds
/// (`web_link`, `wifi`, …).
fn payload_kind(text: &str) -> &'static str {
    match payload::classify(text) {
        QrPayload::Account(_) => "otpauth",
        QrPayload::Migration(_) => "otpauth-migration",
        QrPayload::NotOtp(kind) => kind.code(),
    }
}

/// Refused, whatever it holds: a key or URI given as an argument is already
/// in the process list and the shell's history; the message says how to
/// give it instead (and never repeats it).
const KEY_ARGUMENT_REFUSED: &str = "keys and otpauth URIs are not taken as arguments, where the \
     process list and the shell's history would show them: run `watchword-cli add` and paste \
     the key or URI at the prompt, or pipe it in (`watchword-cli add < uri.txt`)";

fn account_from_args(args: AddArgs) -> Result<Account, String> {
    if args.secret.is_some() || args.uri.as_deref().is_some_and(|text| text != "-") {
        return Err(KEY_ARGUMENT_REFUSED.into());
    }
    let text = input::secret_text("Setup key:", "setup key or otpauth URI")?;
    let mut entry = ManualEntry {
        input: String::with_capacity(text.len()),
        issuer: args.issuer.unwrap_or_default(),
        name: args.account.unwrap_or_default(),
        kind: Some(args.kind),
        algorithm: Some(args.algorithm),
        digits: Some(args.digits),
        period: Some(args.period),
        counter: Some(args.counter),
    };
    // A key or a URI: ManualEntry tells them apart as the app's form does.
    entry.input.push_str(&text);
    let account = entry.to_account().map_err(|e| e.to_string());
    zeroize::Zeroize::zeroize(&mut entry.input);
    account
}

fn open_store() -> Result<Store, String> {
    let config = Config::from_env().map_err(describe)?;
    Store::open(&config).map_err(describe)
}

/// The one account matching `query`; several matches are listed and refused.
///
/// The list in the metadata file answers, so that a command reads the
/// keychain item of its own account and no other; but only once the
/// keychain's ids (no secrets) agree with the list's. An item the list does
/// not know (a crash between the item and the list, another data folder on
/// the same service) could be the better match: "github" must not find
/// "GitHub Enterprise" in the list and act on it while an account named
/// "GitHub" exists only in the keychain. Then every item is read and the
/// list rebuilt first.
fn find_one(store: &mut Store, query: &str) -> Result<(AccountId, AccountSummary), String> {
    store.list_accounts().map_err(describe)?;
    let mut found = store.find(query);
    if found.is_empty() {
        store.load().map_err(describe)?;
        found = store.find(query);
    }
    match found.as_slice() {
        [] => Err(format!(
            "no account matches \"{query}\"; `watchword-cli list` shows them all"
        )),
        [one] => AccountId::parse(&one.id)
            .map(|id| (id, one.clone()))
            .ok_or_else(|| format!("account id {} is not valid", one.id)),
        many => {
            let names: Vec<String> = many.iter().map(|s| format!("  {}", label(s))).collect();
            Err(format!(
                "\"{query}\" matches {} accounts; be more specific:\n{}",
                many.len(),
                names.join("\n")
            ))
        }
    }
}

fn label(s: &AccountSummary) -> String {
    match (s.issuer.is_empty(), s.name.is_empty()) {
        (false, false) => format!("{}: {}", s.issuer, s.name),
        (false, true) => s.issuer.clone(),
        _ => s.name.clone(),
    }
}

fn print_table(list: &[AccountSummary]) {
    let width = list
        .iter()
        .map(|s| s.issuer.chars().count())
        .max()
        .unwrap_or(0)
        .max(6);
    println!("{:<width$}  {:<5}  ACCOUNT", "ISSUER", "TYPE");
    for s in list {
        println!("{:<width$}  {:<5}  {}", s.issuer, s.kind, s.name);
    }
}

fn print_code(code: &Code, json: bool) {
    if json {
        let value = serde_json::json!({
            "code": code.current,
            "next": code.next,
            "remaining": code.remaining,
            "period": code.period,
        });
        println!("{value}");
    } else {
        println!("{}", code.current);
    }
}

fn describe(err: Error) -> String {
    err.to_string()
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
