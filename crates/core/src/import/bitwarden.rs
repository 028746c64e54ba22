//! Bitwarden's unencrypted exports, JSON and CSV.
//!
//! Format: <https://bitwarden.com/help/export-your-data/> and
//! <https://bitwarden.com/help/condition-bitwarden-import/>. Each login item
//! may carry a `totp` (CSV: `login_totp`): an `otpauth://` URI, a
//! `steam://KEY` or a bare base32 key (TOTP, SHA1, 6 digits, 30 s). Items
//! without one are not accounts and are passed over.
//!
//! The item's notes (`notes`) and folder are kept as the account's note and
//! group: JSON names folders in its top-level `folders` list
//! (`{"id", "name"}`) by each item's `folderId`; CSV gives the name in its
//! `folder` column.
//!
//! What the conversion loses: everything else that is not the one-time
//! code (passwords, URIs, custom fields), and favourites (said once in the
//! preview). A URI without issuer or account name takes the item's name
//! and the login's username. Steam keys become Steam
//! accounts with the issuer "Steam". Password-protected (encrypted) exports
//! are refused with a message: export again unencrypted.

use super::{
    display_name, field_str, group_table, opt_str, Entries, Extras, Format, Groups, ImportError,
    Importer, Probe, Read,
};
use crate::account::{Account, Algorithm, OtpKind, STEAM_LENGTH};
use serde_json::{json, Value};

/// The Bitwarden importer (JSON or CSV, told apart by content).
#[derive(Debug, Clone, Copy)]
pub struct Bitwarden;

impl Importer for Bitwarden {
    const FORMAT: Format = Format::Bitwarden;

    fn detect(probe: &Probe<'_>) -> bool {
        let json = |key| probe.json_has(key);
        // The JSON export, or a password-protected one.
        (json("items") && (json("encrypted") || json("folders")))
            || (json("encrypted") && json("passwordProtected"))
            || (probe.damaged_json_has("items") && probe.damaged_json_has("encrypted"))
            || probe.lines().next().is_some_and(is_csv_header)
    }

    fn read(bytes: &[u8]) -> Result<Read, ImportError> {
        let text = super::text_of(bytes).ok_or_else(|| {
            ImportError::damaged(Self::FORMAT, "the file", "it is not UTF-8 text")
        })?;
        if text.trim_start().starts_with('{') {
            read_json(bytes)
        } else {
            read_csv(text)
        }
        .map(Read::Plain)
    }
}

/// True for the header line of a Bitwarden CSV export.
pub(crate) fn is_csv_header(line: &str) -> bool {
    line.split(',').any(|column| column.trim() == "login_totp")
}

fn read_json(bytes: &[u8]) -> Result<Entries, ImportError> {
    let doc = super::parse_json(bytes, Format::Bitwarden)?;
    if doc.get("encrypted").and_then(Value::as_bool) == Some(true) {
        return Err(ImportError::unsupported(
            Format::Bitwarden,
            "password-protected Bitwarden exports are not supported; export the vault again as unencrypted .json or .csv",
        ));
    }
    let items = doc.get("items").and_then(Value::as_array).ok_or_else(|| {
        ImportError::damaged(Format::Bitwarden, "items", "it is missing or not a list")
    })?;
    let folders = group_table(
        doc.get("folders")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|folder| {
                Some((folder.get("id")?.as_str()?, folder.get("name")?.as_str()?))
            }),
    );
    let mut entries = Entries::new(Format::Bitwarden, convert);
    for item in items {
        let login = item.get("login");
        let totp = login.and_then(|l| l.get("totp")).and_then(Value::as_str);
        let Some(totp) = totp.filter(|t| !t.trim().is_empty()) else {
            continue;
        };
        let name = item.get("name").and_then(Value::as_str).unwrap_or("");
        let username = login
            .and_then(|l| l.get("username"))
            .and_then(Value::as_str)
            .unwrap_or("");
        if item.get("favorite").and_then(Value::as_bool) == Some(true) {
            entries.not_kept("favourites");
        }
        let folder = item
            .get("folderId")
            .and_then(Value::as_str)
            .and_then(|id| folders.get(id));
        let extras = Extras {
            note: item.get("notes").and_then(Value::as_str).map(str::to_owned),
            groups: Groups::of(folder),
        };
        entries.push_with(
            display_name(name, username),
            json!({"totp": totp, "name": name, "username": username}),
            extras,
        );
    }
    Ok(entries)
}

fn read_csv(text: &str) -> Result<Entries, ImportError> {
    let damaged =
        |part: String, reason: String| ImportError::damaged(Format::Bitwarden, part, reason);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|_| damaged("the header line".into(), "it is not valid CSV".into()))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let totp_column = column("login_totp").ok_or_else(|| {
        damaged(
            "the header line".into(),
            "it has no login_totp column".into(),
        )
    })?;
    let name_column = column("name");
    let username_column = column("login_username");
    let (notes_column, folder_column) = (column("notes"), column("folder"));
    let favourite_column = column("favorite");
    let mut entries = Entries::new(Format::Bitwarden, convert);
    for (row, record) in reader.records().enumerate() {
        // Row 1 is the header line.
        let line = row + 2;
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let reason = match error.kind() {
                    csv::ErrorKind::Utf8 { .. } => "it is not UTF-8 text",
                    _ => "it is not valid CSV (an unclosed quote?)",
                };
                return Err(damaged(format!("row {line}"), reason.into()));
            }
        };
        let get = |index: Option<usize>| index.and_then(|i| record.get(i)).unwrap_or("");
        let totp = get(Some(totp_column));
        if totp.trim().is_empty() {
            continue;
        }
        let (name, username) = (get(name_column), get(username_column));
        if get(favourite_column).trim() == "1" {
            entries.not_kept("favourites");
        }
        let notes = get(notes_column);
        let folder = get(folder_column);
        let extras = Extras {
            note: (!notes.is_empty()).then(|| notes.to_owned()),
            groups: Groups::named([folder]),
        };
        entries.push_with(
            display_name(name, username),
            json!({"totp": totp, "name": name, "username": username}),
            extras,
        );
    }
    Ok(entries)
}

fn convert(entry: &Value) -> Result<Account, String> {
    let totp = field_str(entry, "totp")?.trim();
    let item_name = opt_str(entry, "name")?.unwrap_or("");
    let username = opt_str(entry, "username")?.unwrap_or("");
    let head = totp.get(..8).unwrap_or("").to_ascii_lowercase();
    if head == "steam://" {
        let secret = super::base32_secret(&totp[8..])?;
        let name = if username.is_empty() {
            item_name
        } else {
            username
        };
        let (algorithm, digits) = (Algorithm::Sha1, u64::from(STEAM_LENGTH));
        return super::account("Steam", name, secret, algorithm, digits, OtpKind::Steam);
    }
    if super::uri_list::is_otpauth_uri(totp) {
        let mut account = crate::uri::parse(totp).map_err(|error| error.to_string())?;
        if account.issuer.is_empty() {
            account.issuer = crate::account::label(item_name);
        }
        if account.name.is_empty() {
            account.name = crate::account::label(username);
        }
        return Ok(account);
    }
    let secret = super::base32_secret(totp)?;
    let (algorithm, kind) = (Algorithm::Sha1, OtpKind::Totp { period: 30 });
    super::account(item_name, username, secret, algorithm, 6, kind)
}
