//! The commands on the store's accounts: `list`, `code`, `add`, `remove` and
//! `rename`.

use super::{back_up_pending, find_one, now, open_store};
use crate::cli::{AddArgs, CodeArgs};
use crate::error::CliError;
use crate::input;
use watchword_core::account::Account;
use watchword_core::manual::ManualEntry;
use watchword_core::store::AccountSummary;
use watchword_core::{otp, uri, Code};

pub fn code(args: CodeArgs) -> Result<(), CliError> {
    match args {
        CodeArgs {
            uri: Some(text),
            at,
            json,
            ..
        } => {
            if text != "-" {
                return Err(CliError::UriArgument);
            }
            let text =
                input::secret_text("otpauth URI:", "otpauth URI").map_err(CliError::Input)?;
            let account = uri::parse(&text)?;
            print_code(&otp::code_at(&account, at.unwrap_or_else(now)), json);
            Ok(())
        }
        CodeArgs {
            query: Some(query),
            at,
            json,
            ..
        } => {
            let mut store = open_store()?;
            let (id, _) = find_one(&mut store, &query, false)?;
            let code = store.next_code(&id, at.unwrap_or_else(now))?;
            print_code(&code, json);
            // An HOTP counter step is a change.
            back_up_pending(&mut store);
            Ok(())
        }
        _ => Err(CliError::NoCodeTarget),
    }
}

pub fn list(json: bool) -> Result<(), CliError> {
    let mut store = open_store()?;
    // Ids only: no secret is read unless the keychain and the list
    // disagree.
    let list = store.list_accounts()?;
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

pub fn add(args: AddArgs) -> Result<(), CliError> {
    let account = account_from_args(args)?;
    let name = account.display_name();
    let mut store = open_store()?;
    store.add(account)?;
    eprintln!("Added {name}.");
    back_up_pending(&mut store);
    Ok(())
}

pub fn rename(
    query: &str,
    issuer: Option<String>,
    account: Option<String>,
) -> Result<(), CliError> {
    if issuer.is_none() && account.is_none() {
        return Err(CliError::NoNewName);
    }
    let mut store = open_store()?;
    let (id, _) = find_one(&mut store, query, false)?;
    let old = store.account(&id)?;
    let issuer = issuer.unwrap_or_else(|| old.issuer.clone());
    let name = account.unwrap_or_else(|| old.name.clone());
    let before = old.display_name();
    store.rename(&id, &issuer, &name)?;
    let after = store.account(&id)?.display_name();
    eprintln!("Renamed {before} to {after}.");
    back_up_pending(&mut store);
    Ok(())
}

pub fn remove(query: &str) -> Result<(), CliError> {
    let mut store = open_store()?;
    let (id, found) = find_one(&mut store, query, true)?;
    store.remove(&id)?;
    let name = found.display_name();
    eprintln!("Removed {name}.");
    back_up_pending(&mut store);
    Ok(())
}

/// The account `add` stores, from the key or URI on standard input. One
/// given as an argument is refused, whatever it holds: it is already in the
/// process list and the shell's history.
fn account_from_args(args: AddArgs) -> Result<Account, CliError> {
    if args.secret.is_some() || args.uri.as_deref().is_some_and(|text| text != "-") {
        return Err(CliError::KeyArgument);
    }
    let text =
        input::secret_text("Setup key:", "setup key or otpauth URI").map_err(CliError::Input)?;
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
    let account = entry.to_account().map_err(CliError::from);
    zeroize::Zeroize::zeroize(&mut entry.input);
    account
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
