//! The commands on the store's accounts: `list`, `code`, `add`, `remove` and
//! `rename`.

use super::{describe, find_one, now, open_store};
use crate::cli::{AddArgs, CodeArgs};
use crate::input;
use watchword_core::account::Account;
use watchword_core::manual::ManualEntry;
use watchword_core::store::AccountSummary;
use watchword_core::{otp, uri, Code};

pub fn code(args: CodeArgs) -> Result<(), String> {
    match args {
        CodeArgs {
            uri: Some(text),
            at,
            json,
            ..
        } => {
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
        CodeArgs {
            query: Some(query),
            at,
            json,
            ..
        } => {
            let mut store = open_store()?;
            let (id, _) = find_one(&mut store, &query)?;
            let code = store
                .next_code(&id, at.unwrap_or_else(now))
                .map_err(describe)?;
            print_code(&code, json);
            Ok(())
        }
        _ => Err("give an account to look for, or --uri -".into()),
    }
}

pub fn list(json: bool) -> Result<(), String> {
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

pub fn add(args: AddArgs) -> Result<(), String> {
    let account = account_from_args(args)?;
    let name = account.display_name();
    let mut store = open_store()?;
    store.add(account).map_err(describe)?;
    eprintln!("Added {name}.");
    Ok(())
}

pub fn rename(query: &str, issuer: Option<String>, account: Option<String>) -> Result<(), String> {
    if issuer.is_none() && account.is_none() {
        return Err("give the new name with --issuer, --account or both".into());
    }
    let mut store = open_store()?;
    let (id, _) = find_one(&mut store, query)?;
    let old = store.account(&id).map_err(describe)?;
    let issuer = issuer.unwrap_or_else(|| old.issuer.clone());
    let name = account.unwrap_or_else(|| old.name.clone());
    let before = old.display_name();
    store.rename(&id, &issuer, &name).map_err(describe)?;
    let after = store.account(&id).map_err(describe)?.display_name();
    eprintln!("Renamed {before} to {after}.");
    Ok(())
}

pub fn remove(query: &str) -> Result<(), String> {
    let mut store = open_store()?;
    let (id, found) = find_one(&mut store, query)?;
    store.remove(&id).map_err(describe)?;
    let name = found.display_name();
    eprintln!("Removed {name}.");
    Ok(())
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
