//! The commands on the store's accounts: `list`, `code`, `add`, `remove`,
//! `rename`, `note` and `group`.

use super::{
    back_up_pending, find_one, now, open_store, open_store_finding_missing, open_store_locked,
};
use crate::cli::{AddArgs, CodeArgs};
use crate::error::CliError;
use crate::input;
use watchword_core::account::{display_name, Account, Group, Note};
use watchword_core::manual::ManualEntry;
use watchword_core::store::{AccountSummary, MissingEntry};
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

pub fn list(json: bool, group: Option<&str>) -> Result<(), CliError> {
    let mut store = open_store_locked()?;
    // Ids only: no secret is read unless the keychain and the list
    // disagree.
    let mut list = match store.list_accounts() {
        // Locked, with a list the keychain's ids disagree with: the list's
        // names as they are (reading the items needs the password).
        Err(watchword_core::Error::VaultLocked) => store.summaries(),
        other => other?,
    };
    if let Some(group) = group {
        let wanted = group.trim().to_lowercase();
        list.retain(|s| s.groups.iter().any(|g| g.to_lowercase() == wanted));
        if list.is_empty() && !json {
            return Err(CliError::NoSuchGroup {
                group: group.to_owned(),
                known: store.groups().iter().map(ToString::to_string).collect(),
            });
        }
    }
    if json {
        crate::terminal::print_json(&list, true);
    } else if list.is_empty() && store.missing().is_empty() {
        err!("No accounts yet: add one with `watchword-cli add`.");
    } else {
        print_table(&list);
    }
    if !store.missing().is_empty() {
        err!("{}", missing_summary(store.missing()));
    }
    Ok(())
}

/// One line on accounts that left the keychain behind Watchword's back.
fn missing_summary(missing: &[MissingEntry]) -> String {
    let names: Vec<String> = missing
        .iter()
        .take(3)
        .map(|m| display_name(&m.issuer, &m.name))
        .collect();
    let more = missing.len().saturating_sub(names.len());
    format!(
        "{}{} left the keychain without Watchword removing {}: see `watchword-cli missing`.",
        names.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        },
        if missing.len() == 1 { "it" } else { "them" },
    )
}

/// Lists the accounts that left the keychain behind Watchword's back, and
/// the backups from before that, or forgets them.
pub fn missing(forget: bool) -> Result<(), CliError> {
    if forget {
        let mut store = open_store()?;
        let forgotten = store.forget_missing(None)?;
        // Named: another process may have found one since it was listed.
        for gone in &forgotten {
            out!("{}", display_name(&gone.issuer, &gone.name));
        }
        err!(
            "Forgot {}; older backups can be pruned again.",
            super::backup::count(forgotten.len(), "missing account")
        );
        return Ok(());
    }
    let store = open_store_finding_missing()?;
    if store.missing().is_empty() {
        err!("No account has left the keychain without Watchword removing it.");
        return Ok(());
    }
    let mut again = 0;
    for gone in store.missing() {
        let listed_again = store.listed_again(gone);
        again += usize::from(listed_again);
        out!(
            "{}\tgone since {}{}",
            display_name(&gone.issuer, &gone.name),
            watchword_core::store::autobackup::format_utc(gone.since),
            if listed_again {
                "\tlisted again with another key"
            } else {
                ""
            }
        );
    }
    match again {
        0 => {}
        1 => err!(
            "One is listed again since it went, with another key. If its service gave you that \
             new key, the old one no longer works."
        ),
        _ => err!(
            "{again} are listed again since they went, with other keys. If their services gave \
             you those new keys, the old ones no longer work."
        ),
    }
    let (these, them) = if store.missing().len() == 1 {
        ("it is", "it")
    } else {
        ("these are", "them")
    };
    let backups = store.backups_before_missing();
    match backups.first() {
        Some(newest) => err!(
            "Backups are kept until {these} restored or forgotten. The newest from before \
             then is {}: `watchword-cli backup restore --missing` restores {them} from that \
             backup, and `watchword-cli missing --forget` forgets {them}.",
            newest.display()
        ),
        None => err!(
            "Automatic backups are kept until {these} restored or forgotten: restore {them} \
             from a backup (`watchword-cli backup restore --missing --file VAULT`) or forget \
             {them} with `watchword-cli missing --forget`."
        ),
    }
    Ok(())
}

pub fn add(args: AddArgs) -> Result<(), CliError> {
    let account = account_from_args(args)?;
    let name = account.display_name();
    let mut store = open_store()?;
    store.add(account)?;
    err!("Added {name}.");
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
    let before = store.account(&id)?.display_name();
    // Only what was given: the other part stays as the keychain holds it
    // then, not as this command read it before.
    store.rename_parts(&id, issuer.as_deref(), account.as_deref())?;
    let after = store.account(&id)?.display_name();
    err!("Renamed {before} to {after}.");
    back_up_pending(&mut store);
    Ok(())
}

/// Prints the note (`set` false) or replaces it with standard input.
pub fn note(query: &str, set: bool) -> Result<(), CliError> {
    let mut store = open_store()?;
    let (id, found) = find_one(&mut store, query, false)?;
    let name = found.display_name();
    if !set {
        match store.note(&id)? {
            Some(note) => {
                let text = note.expose();
                if text.ends_with('\n') {
                    out_part!("{text}");
                } else {
                    out!("{text}");
                }
            }
            None => err!("{name} has no note."),
        }
        return Ok(());
    }
    let text = input::note_text().map_err(CliError::Input)?;
    let note = Note::new(&text).map_err(|error| CliError::Store(error.into()))?;
    let cleared = note.is_none();
    store.set_note(&id, note)?;
    if cleared {
        err!("Removed the note of {name}.");
    } else {
        err!("Saved the note of {name}.");
    }
    back_up_pending(&mut store);
    Ok(())
}

/// Adds the account to a group, takes it out of one, or prints its groups.
/// The change is made to the groups as they are under the store's lock.
pub fn group(query: &str, add: Option<&str>, remove: Option<&str>) -> Result<(), CliError> {
    let mut store = open_store()?;
    let (id, found) = find_one(&mut store, query, false)?;
    let name = found.display_name();
    match (add, remove) {
        (Some(add), _) => {
            let group = Group::new(add).map_err(|error| CliError::Store(error.into()))?;
            // "work" is the group "Work": names differ by case only by mistake.
            let same = |g: &Group| g.as_str().to_lowercase() == group.as_str().to_lowercase();
            let mut already: Option<Group> = None;
            store.change_groups(&id, |mut groups| {
                already = groups.iter().find(|g| same(g)).cloned();
                if already.is_none() {
                    groups.push(group.clone());
                }
                groups
            })?;
            match already {
                Some(existing) => err!("{name} is in {existing} already."),
                None => err!("Added {name} to {group}."),
            }
        }
        (None, Some(remove)) => {
            let remove = remove.trim();
            // As --add and `list --group` compare: "équipe" is "Équipe".
            let wanted = remove.to_lowercase();
            let mut was_there = false;
            store.change_groups(&id, |mut groups| {
                let before = groups.len();
                groups.retain(|g| g.as_str().to_lowercase() != wanted);
                was_there = groups.len() != before;
                groups
            })?;
            if was_there {
                err!("Took {name} out of {remove}.");
            } else {
                err!("{name} is not in {remove}.");
            }
        }
        (None, None) => {
            for group in &found.groups {
                out!("{group}");
            }
        }
    }
    back_up_pending(&mut store);
    Ok(())
}

pub fn remove(query: &str) -> Result<(), CliError> {
    let mut store = open_store()?;
    let (id, found) = find_one(&mut store, query, true)?;
    store.remove(&id)?;
    let name = found.display_name();
    err!("Removed {name}.");
    back_up_pending(&mut store);
    Ok(())
}

/// The account `add` stores, from the key or URI on standard input. One
/// given as an argument is refused, whatever it holds: it is already in the
/// process list and the shell's history.
fn account_from_args(args: AddArgs) -> Result<Account, CliError> {
    if args.secret.is_some()
        || !args.rest.is_empty()
        || args.uri.as_deref().is_some_and(|text| text != "-")
    {
        return Err(CliError::KeyArgument);
    }
    let text =
        input::secret_text("Setup key:", "setup key or otpauth URI").map_err(CliError::Input)?;
    let mut entry = ManualEntry {
        input: zeroize::Zeroizing::new(String::with_capacity(text.len())),
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
    // The entry wipes its input as it goes.
    entry.to_account().map_err(CliError::from)
}

fn print_table(list: &[AccountSummary]) {
    let width = |column: fn(&AccountSummary) -> &str, heading: &str| {
        list.iter()
            .map(|s| column(s).chars().count())
            .max()
            .unwrap_or(0)
            .max(heading.len())
    };
    let issuer = width(|s| &s.issuer, "ISSUER");
    // The groups column shows only once some account is in a group.
    if list.iter().all(|s| s.groups.is_empty()) {
        out!("{:<issuer$}  {:<5}  ACCOUNT", "ISSUER", "TYPE");
        for s in list {
            out!("{:<issuer$}  {:<5}  {}", s.issuer, s.kind, s.name);
        }
        return;
    }
    let name = width(|s| &s.name, "ACCOUNT");
    out!(
        "{:<issuer$}  {:<5}  {:<name$}  GROUPS",
        "ISSUER",
        "TYPE",
        "ACCOUNT"
    );
    for s in list {
        let line = format!(
            "{:<issuer$}  {:<5}  {:<name$}  {}",
            s.issuer,
            s.kind,
            s.name,
            s.groups.join(", ")
        );
        out!("{}", line.trim_end());
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
        crate::terminal::print_json(&value, false);
    } else {
        out!("{}", code.current);
    }
}
