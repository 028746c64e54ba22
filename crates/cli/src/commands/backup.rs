//! `import` and `export`: other authenticators' backups in, and Watchword's
//! accounts out, with the password (when there is one) on standard input.

use super::{back_up_pending, now, open_store};
use crate::cli::ExportFormat;
use crate::error::CliError;
use watchword_core::uri;

/// Reads a backup and stores its accounts.
///
/// Ctrl+C keeps the default SIGINT action, which ends the process at once:
/// before `add_all` nothing has been stored, and during it each account is
/// written whole under the store's lock (keychain item, then metadata; an
/// item without its metadata is taken back in by the next start), so a stop
/// leaves whole accounts or none: crates/cli/tests/crash_safety.rs kills an
/// import with SIGKILL, harsher than Ctrl+C, at random moments.
pub fn import(file: &std::path::Path, password_stdin: bool, dry_run: bool) -> Result<(), CliError> {
    use watchword_core::import::{self, Read as Backup};
    let shown = file.display();
    let refused = |source| CliError::ImportFile {
        file: file.to_owned(),
        source,
    };
    // The same size limit as the app, applied before the file is read.
    let bytes = zeroize::Zeroizing::new(import::read_file(file).map_err(refused)?);
    let (format, read) = import::detect_and_read(&bytes).map_err(refused)?;
    let (entries, encrypted) = match read {
        Backup::Plain(entries) => (entries, false),
        Backup::Encrypted(backup) => {
            if !password_stdin {
                return Err(CliError::NeedsPassword {
                    file: file.to_owned(),
                    format: format.name(),
                });
            }
            let password = zeroize::Zeroizing::new(read_password()?);
            (backup.decrypt(&password).map_err(refused)?, true)
        }
    };
    let conversion = entries.convert();
    // A count and the first few: thousands of broken entries must not flood
    // the terminal.
    let (first, more) = conversion.error_summary();
    for error in first {
        err!("watchword-cli: {shown}: {error}");
    }
    if more > 0 {
        err!(
            "watchword-cli: {shown}: {} more {} could not be read",
            more,
            if more == 1 { "entry" } else { "entries" }
        );
    }
    if !conversion.not_kept.is_empty() {
        err!(
            "watchword-cli: {shown}: it also holds {}, which Watchword does not keep",
            conversion.not_kept.join(", ")
        );
    }
    if conversion.accounts.is_empty() {
        let file = file.to_owned();
        return Err(match conversion.errors.len() {
            0 => CliError::NoAccounts {
                file,
                format: format.name(),
            },
            1 => CliError::OnlyEntryUnreadable { file },
            entries => CliError::NoEntryReadable { file, entries },
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
            out!("{}", *zeroize::Zeroizing::new(uri::format(account)));
        }
        err!(
            "Read {read_from}{}; nothing was stored (--dry-run).",
            skipped_entries(conversion.errors.len())
        );
        return left_out(file, conversion.errors.len(), (true, true));
    }
    let mut store = open_store()?;
    let result = store.add_all(conversion.accounts);
    // One backup for the whole import, and for the part of a stopped one.
    back_up_pending(&mut store);
    let done = result.map_err(|(done, source)| CliError::ImportStopped {
        added: done.added,
        read_from: read_from.clone(),
        source,
    })?;
    let (added, present) = (done.added, done.already_there);
    err!(
        "Imported {} of {read_from}{}{}{}.",
        added,
        if present > 0 {
            format!("; {} already in Watchword", count(present, "was"))
        } else {
            String::new()
        },
        notes_cut(done.notes_cut),
        skipped_entries(conversion.errors.len())
    );
    left_out(file, conversion.errors.len(), (false, true))
}

/// The verdict of an import or a restore that stored all it could read
/// (or, `dry_run`, would have): a failure when `entries` of `file` could
/// not be read, saying to `keep` the file (another app's) or not.
pub fn left_out(
    file: &std::path::Path,
    entries: usize,
    (dry_run, keep): (bool, bool),
) -> Result<(), CliError> {
    match entries {
        0 => Ok(()),
        entries => Err(CliError::EntriesLeftOut {
            file: file.to_owned(),
            entries,
            dry_run,
            keep,
        }),
    }
}

pub fn export(
    format: ExportFormat,
    out: Option<&std::path::Path>,
    password_stdin: bool,
    paper: watchword_core::export::Paper,
) -> Result<(), CliError> {
    use watchword_core::export;
    if matches!(format, ExportFormat::Aegis) && !password_stdin {
        return Err(CliError::ExportNeedsPassword);
    }
    if matches!(format, ExportFormat::Sheet) && out.is_none() {
        return Err(CliError::SheetNeedsOut);
    }
    let password = if password_stdin {
        zeroize::Zeroizing::new(read_new_password()?)
    } else {
        zeroize::Zeroizing::new(String::new())
    };
    let mut store = open_store()?;
    let accounts = store.all_accounts()?;
    if accounts.is_empty() {
        return Err(CliError::NothingToExport);
    }
    let unreadable = store.unreadable();
    if !unreadable.is_empty() {
        err!(
            "watchword-cli: warning: not in this export, as the keychain cannot read {}: {}; \
             keep an older backup that holds {}",
            if unreadable.len() == 1 { "it" } else { "them" },
            unreadable.join(", "),
            if unreadable.len() == 1 { "it" } else { "them" },
        );
    }
    let warning = "watchword-cli: warning: this export is NOT encrypted: anyone who reads it can \
                   make your codes";
    let notes = export::notes_left_out(&accounts);
    if notes > 0 && !matches!(format, ExportFormat::Aegis) {
        err!(
            "watchword-cli: warning: {} not in this file, which has no place for notes; \
             the encrypted backup (--format aegis) keeps them",
            count(notes, "note")
        );
    }
    // What the file holds: every account, unless the format leaves some out.
    let mut exported = accounts.len();
    let bytes: zeroize::Zeroizing<Vec<u8>> = match format {
        ExportFormat::Aegis => text_bytes(export::aegis_encrypted(&accounts, &password)?),
        ExportFormat::Uris => {
            err!("{warning}");
            text_bytes(export::uri_list(&accounts))
        }
        ExportFormat::Google => {
            let (fit, left_out) = export::google_exportable(&accounts);
            for error in &left_out {
                err!("watchword-cli: {error}; left out");
            }
            if fit.is_empty() && !accounts.is_empty() {
                return Err(CliError::NothingForGoogle);
            }
            exported = fit.len();
            err!("{warning}");
            let uris = zeroize::Zeroizing::new(export::google_migration(&fit)?);
            // Sized up front: growing would leave unwiped copies.
            let mut text = String::with_capacity(uris.iter().map(|uri| uri.len() + 1).sum());
            for uri in uris.iter() {
                text.push_str(uri);
                text.push('\n');
            }
            text_bytes(text)
        }
        ExportFormat::Sheet => {
            err!(
                "watchword-cli: warning: the recovery sheet is NOT encrypted: it shows every key; \
                 print it, keep the paper somewhere safe and delete the file"
            );
            export::recovery_sheet(&accounts, std::time::SystemTime::now(), paper)?
        }
    };
    match out {
        None => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(&bytes)
                .and_then(|()| stdout.flush())
                .map_err(CliError::Stdout)?;
        }
        Some(path) => {
            export::save_bytes(path, &bytes).map_err(|source| CliError::Write {
                path: path.to_owned(),
                source,
            })?;
            err!(
                "Exported {} to {}.",
                count(exported, "account"),
                path.display()
            );
        }
    }
    // Written: the user now holds a copy, and the app's backup reminder
    // counts from here; not when accounts were left out of it.
    if exported == accounts.len() {
        store.record_backup(now())?;
    }
    Ok(())
}

/// `text` as bytes, moved rather than copied, wiped when dropped.
fn text_bytes(text: String) -> zeroize::Zeroizing<Vec<u8>> {
    zeroize::Zeroizing::new(text.into_bytes())
}

/// Longest password read from standard input, in bytes.
const MAX_PASSWORD_BYTES: usize = 1024;

/// The first line of standard input, without its line ending: at most
/// [`MAX_PASSWORD_BYTES`] (`--password-stdin < /dev/zero` ends at once).
/// On Unix it is read byte by byte from the file descriptor into wiped
/// memory, so no reader's buffer keeps a copy and nothing past the line is
/// taken (the next line is the next command's, or the next password's).
/// Standard input at a terminal (the flag given, nothing piped): asked for
/// there with the echo off, not shown as it is typed.
pub fn read_password() -> Result<String, CliError> {
    use std::io::IsTerminal as _;
    if std::io::stdin().is_terminal() {
        return typed_password("Password (not shown): ");
    }
    let mut line = zeroize::Zeroizing::new(Vec::with_capacity(MAX_PASSWORD_BYTES + 1));
    read_first_line(&mut line)?;
    let text = std::str::from_utf8(&line).map_err(|_| CliError::PasswordNotText)?;
    let password = text.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        return Err(CliError::EmptyPassword);
    }
    Ok(password)
}

/// A new password (one that will lock something): as [`read_password`],
/// but at a terminal typed twice, since a typo nobody saw would lock the
/// user out.
pub fn read_new_password() -> Result<String, CliError> {
    use std::io::IsTerminal as _;
    if !std::io::stdin().is_terminal() {
        return read_password();
    }
    let first = zeroize::Zeroizing::new(typed_password("New password (not shown): ")?);
    let again = zeroize::Zeroizing::new(typed_password("The same password again: ")?);
    if *first != *again {
        return Err(CliError::Input(
            "the two passwords differ; nothing was changed".to_owned(),
        ));
    }
    Ok(first.to_string())
}

/// One line typed at the terminal with the echo off, held to the same
/// rules as a password on standard input.
fn typed_password(prompt: &str) -> Result<String, CliError> {
    let typed = crate::input::tty_hidden_line(prompt).map_err(CliError::Input)?;
    let password = typed.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        return Err(CliError::EmptyPassword);
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(CliError::PasswordTooLong);
    }
    Ok(password.to_owned())
}

#[cfg(unix)]
fn read_first_line(line: &mut Vec<u8>) -> Result<(), CliError> {
    use std::io::Read as _;
    use std::os::fd::AsFd as _;
    let stdin = std::io::stdin();
    // A second handle on the same descriptor, unbuffered.
    let mut input = std::fs::File::from(
        stdin
            .as_fd()
            .try_clone_to_owned()
            .map_err(CliError::PasswordRead)?,
    );
    let mut byte = zeroize::Zeroizing::new([0u8; 1]);
    loop {
        match input.read(byte.as_mut()) {
            Ok(0) => return Ok(()),
            Ok(_) if byte[0] == b'\n' => return Ok(()),
            Ok(_) if line.len() < MAX_PASSWORD_BYTES => line.push(byte[0]),
            Ok(_) => return Err(CliError::PasswordTooLong),
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(CliError::PasswordRead(error)),
        }
    }
}

/// Elsewhere, through the standard reader, bounded all the same.
#[cfg(not(unix))]
fn read_first_line(line: &mut Vec<u8>) -> Result<(), CliError> {
    use std::io::{BufRead as _, Read as _};
    std::io::stdin()
        .lock()
        .take(MAX_PASSWORD_BYTES as u64 + 1)
        .read_until(b'\n', line)
        .map_err(CliError::PasswordRead)?;
    if line.last() == Some(&b'\n') {
        line.pop();
    }
    if line.len() > MAX_PASSWORD_BYTES {
        return Err(CliError::PasswordTooLong);
    }
    Ok(())
}

pub fn count(n: usize, noun: &str) -> String {
    match (n, noun) {
        (1, _) => format!("1 {noun}"),
        (_, "was") => format!("{n} were"),
        (_, "entry") => format!("{n} entries"),
        _ => format!("{n} {noun}s"),
    }
}

pub fn skipped_entries(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => "; 1 entry could not be read".into(),
        n => format!("; {n} entries could not be read"),
    }
}

/// What an import says of the notes it cut to fit the keychain item
/// ([`watchword_core::store::Added::notes_cut`]).
pub fn notes_cut(n: usize) -> String {
    match n {
        0 => String::new(),
        n => format!("; {} cut to fit the keychain", count(n, "note")),
    }
}
