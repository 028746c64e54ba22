//! `watchword-cli`: the same store and code engine as the desktop app, from a
//! terminal. Data goes to stdout, messages to stderr; a failure exits non-zero
//! and changes nothing.
//!
//! This file only dispatches: the arguments are defined in `cli`, each
//! command group is a module of `commands`, and what a failure says is in
//! `error`.

/// `println!` through [`terminal::shown`]: no control character from an
/// account name, a note or a QR code reaches the terminal as a command.
/// A reader that has gone (`| head`) is no failure ([`terminal::write_out`]).
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::terminal::write_out(&::std::format!(
            "{}\n",
            $crate::terminal::shown(&::std::format!($($arg)*))
        ))
    };
}

/// `eprintln!` through [`terminal::shown`].
macro_rules! err {
    ($($arg:tt)*) => {
        ::std::eprintln!("{}", $crate::terminal::shown(&::std::format!($($arg)*)))
    };
}

/// `print!` through [`terminal::shown`].
macro_rules! out_part {
    ($($arg:tt)*) => {
        $crate::terminal::write_out(&$crate::terminal::shown(&::std::format!($($arg)*)))
    };
}

/// `eprint!` through [`terminal::shown`].
macro_rules! err_part {
    ($($arg:tt)*) => {
        ::std::eprint!("{}", $crate::terminal::shown(&::std::format!($($arg)*)))
    };
}

mod cli;
mod commands;
mod error;
mod input;
mod terminal;

use clap::Parser;
use cli::{Cli, Command};
use commands::{accounts, autobackup, backup, decode, lock};
use error::CliError;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Before anything holds a key: a crash must not write one to disk.
    if let Err(message) = watchword_core::hardening::disable_core_dumps() {
        err!("watchword-cli: warning: {message}");
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return refuse_arguments(error),
    };
    // First, so that it is the first line whatever the command reads next.
    if cli.lock_password_stdin {
        if let Err(error) = lock::take_password_from_stdin() {
            err!("watchword-cli: {error}");
            return error.exit_code();
        }
    }
    match run(cli.command) {
        // Done, but what it printed did not all get out (a full disk
        // behind a redirection): said already, and not a success.
        Ok(()) if terminal::output_failed() => ExitCode::FAILURE,
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            err!("watchword-cli: {error}");
            error.exit_code()
        }
    }
}

fn run(command: Command) -> Result<(), CliError> {
    match command {
        Command::Code(args) => accounts::code(args),
        Command::List { json, group } => accounts::list(json, group.as_deref()),
        Command::Note { query, set } => accounts::note(&query, set),
        Command::Group { query, add, remove } => {
            accounts::group(&query, add.as_deref(), remove.as_deref())
        }
        Command::Add(args) => accounts::add(args),
        Command::Decode { images, json } => decode::decode(&images, json),
        Command::Import {
            file,
            password_stdin,
            dry_run,
        } => backup::import(&file, password_stdin, dry_run),
        Command::Export {
            format,
            out,
            password_stdin,
            paper,
        } => backup::export(format, out.as_deref(), password_stdin, paper.into()),
        Command::Rename {
            query,
            issuer,
            account,
        } => accounts::rename(&query, issuer, account),
        Command::Remove { query } => accounts::remove(&query),
        Command::Missing { forget } => accounts::missing(forget),
        Command::Backup { action } => autobackup::run(action),
        Command::Lock { action } => lock::run(action),
    }
}

/// clap's own message and exit, except for a stray word that is not an
/// option's name (`note GitHub --set 1234-5678`, `lock on hunter2`): clap
/// would repeat it, and it may well be a note, a key or a password.
fn refuse_arguments(error: clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let word = |kind| match error.get(kind) {
        Some(ContextValue::String(word)) => Some(word.clone()),
        _ => None,
    };
    let stray = match error.kind() {
        // A word where none is taken; an option's name is no secret.
        ErrorKind::UnknownArgument => {
            word(ContextKind::InvalidArg).is_some_and(|arg| !arg.starts_with('-'))
        }
        // A value given to a flag that takes none (`--set=1234-5678`).
        ErrorKind::TooManyValues => true,
        // A word where a command's action belongs (`lock hunter2`); a
        // misspelt command of its own (`watchword-cli lst`) keeps clap's
        // tip.
        ErrorKind::InvalidSubcommand => word(ContextKind::InvalidSubcommand).is_some_and(|word| {
            let command = std::env::args_os()
                .skip(1)
                .find(|arg| !arg.as_encoded_bytes().starts_with(b"-"));
            command != Some(word.into())
        }),
        _ => false,
    };
    if stray {
        err!(
            "watchword-cli: an unexpected word after the command, not repeated here: keys, \
             notes and passwords are never taken as arguments (they would stay in the \
             shell's history); give them on standard input (see --help)"
        );
        return ExitCode::from(2);
    }
    error.exit()
}
