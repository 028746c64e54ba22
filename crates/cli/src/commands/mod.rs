//! What each command does, one module per group: the store's accounts,
//! backups in and out, and QR images. The helpers here are the ones the
//! groups share: opening the store and finding one account in it.

pub mod accounts;
pub mod autobackup;
pub mod backup;
pub mod decode;
pub mod lock;

use crate::error::CliError;
use std::time::{SystemTime, UNIX_EPOCH};
use watchword_core::account::AccountId;
use watchword_core::store::{AccountSummary, Config, Store};

/// The store, unlocked when the lock is on (the password asked for, or
/// taken from standard input): for a command that reads or changes an
/// account.
pub fn open_store() -> Result<Store, CliError> {
    let mut store = open_store_locked()?;
    lock::unlock_if_locked(&mut store)?;
    Ok(store)
}

/// The store as it is, without asking for the lock's password: for what
/// needs no secret (the list, where things stand).
pub fn open_store_locked() -> Result<Store, CliError> {
    let config = Config::from_env()?;
    Ok(Store::open(&config)?)
}

/// [`open_store_locked`], having found what left the keychain since the
/// list was last read (no secret is read unless the keychain and the list
/// disagree): for naming or restoring missing accounts, which a locked
/// lock does not stop.
pub fn open_store_finding_missing() -> Result<Store, CliError> {
    let mut store = open_store_locked()?;
    match store.list_accounts() {
        Err(watchword_core::Error::VaultLocked) => {}
        other => {
            other?;
        }
    }
    Ok(store)
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
///
/// `check` lists without the item places the list remembers (see
/// [`Store::list_accounts_checked`]): for a removal, which cannot be undone.
pub fn find_one(
    store: &mut Store,
    query: &str,
    check: bool,
) -> Result<(AccountId, AccountSummary), CliError> {
    // An unset variable, say: it would match every account by part.
    if query.trim().is_empty() {
        return Err(CliError::Input(
            "name the account: part of its issuer or name, \"issuer:name\", or its id".into(),
        ));
    }
    if check {
        store.list_accounts_checked()?;
    } else {
        store.list_accounts()?;
    }
    let (mut found, mut exact) = store.find_matching(query);
    if found.is_empty() {
        store.load()?;
        (found, exact) = store.find_matching(query);
    }
    if found.is_empty() && is_key_or_uri(query) {
        return Err(CliError::KeyQuery);
    }
    // Named once and gone since: say so, rather than "no account", or
    // rather than act on another that holds the name in part ("Bank" gone,
    // "Bank 2" here).
    let (missing, missing_exact) = store.find_missing(query);
    if let [first, more @ ..] = missing.as_slice() {
        if found.is_empty() || (missing_exact && !exact) {
            let first = watchword_core::account::display_name(&first.issuer, &first.name);
            return Err(CliError::MatchesMissing {
                gone: match more.len() {
                    0 => first,
                    more => format!("{first} and {more} more"),
                },
                count: more.len() + 1,
            });
        }
    }
    match found.as_slice() {
        [] => Err(CliError::NoMatch {
            query: query.to_owned(),
        }),
        [one] => AccountId::parse(&one.id)
            .map(|id| (id, one.clone()))
            .ok_or_else(|| CliError::InvalidId { id: one.id.clone() }),
        many => {
            // Two that read the same are told apart by their ids.
            let labels: Vec<String> = many.iter().map(label).collect();
            let names = many
                .iter()
                .zip(&labels)
                .map(
                    |(s, shown)| match labels.iter().filter(|l| *l == shown).count() {
                        1 => format!("  {shown}"),
                        _ => format!("  {shown} (id {})", s.id),
                    },
                )
                .collect();
            Err(CliError::Ambiguous {
                query: query.to_owned(),
                names,
            })
        }
    }
}

/// True for a query that is an otpauth URI or a setup key (16 or more
/// base32 characters, as `add` would take it), not a name: "nothing-like-it"
/// and "Amazon Seller Central" are names.
fn is_key_or_uri(query: &str) -> bool {
    let lower = query.trim().to_ascii_lowercase();
    lower.starts_with("otpauth")
        || lower.contains("secret=")
        || (query.chars().filter(char::is_ascii_alphanumeric).count() >= 16
            && watchword_core::uri::parse_secret(query).is_ok())
}

fn label(s: &AccountSummary) -> String {
    match (s.issuer.is_empty(), s.name.is_empty()) {
        (false, false) => format!("{}: {}", s.issuer, s.name),
        (false, true) => s.issuer.clone(),
        _ => s.name.clone(),
    }
}

/// Writes the automatic backup a change left pending (this command's, or
/// an earlier one's whose process died first): one for the whole command,
/// at its end. A failure is a warning, not the command's failure: the
/// change itself was saved, and the store keeps the backup pending.
pub fn back_up_pending(store: &mut Store) {
    if !store.backup_pending() {
        return;
    }
    if let Err(err) = store.run_pending_backup(now()) {
        err!(
            "watchword-cli: warning: the change was saved but the automatic backup failed: {err}; \
             it is tried again after the next change, or run `watchword-cli backup now`"
        );
    }
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
