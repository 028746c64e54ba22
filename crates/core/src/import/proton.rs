//! Proton Authenticator's JSON export.
//!
//! Format: `{"version": 1, "entries": [{"id", "content": {"uri", "entry_type",
//! "name"}, "note"}]}`, as written by Proton Authenticator
//! (<https://github.com/protonpass/proton-authenticator>) and read by Aegis'
//! `ProtonAuthenticatorImporter`. `uri` is an `otpauth://` URI, or
//! `steam://KEY` for Steam entries.
//!
//! The entry's `note` is kept. What the conversion loses: entry ids. A URI without an account
//! name takes the entry's `name`. Password-protected exports are refused with
//! a message: export again without a password.

use super::{
    as_object, display_name, field_str, opt_str, Entries, Extras, Format, ImportError, Importer,
    Probe, Read,
};
use crate::account::{Account, Algorithm, OtpKind, STEAM_LENGTH};
use serde_json::{json, Value};

/// Newest export version this importer reads.
const MAX_VERSION: u64 = 1;

/// The Proton Authenticator importer.
#[derive(Debug, Clone, Copy)]
pub struct Proton;

impl Importer for Proton {
    const FORMAT: Format = Format::Proton;

    fn detect(probe: &Probe<'_>) -> bool {
        (probe.json_has("entries") && probe.json_has("version"))
            || probe.damaged_json_has("entries")
    }

    fn read(bytes: &[u8]) -> Result<Read, ImportError> {
        let doc = super::parse_json(bytes, Self::FORMAT)?;
        let damaged = |part: &str, reason: &str| ImportError::damaged(Self::FORMAT, part, reason);
        if doc.get("salt").is_some() || doc.get("encrypted").is_some() {
            return Err(ImportError::unsupported(
                Self::FORMAT,
                "password-protected Proton Authenticator exports are not supported; export again without a password",
            ));
        }
        match doc.get("version").and_then(Value::as_u64) {
            Some(version) if version <= MAX_VERSION => {}
            Some(version) => {
                return Err(ImportError::unsupported(
                    Self::FORMAT,
                    format!(
                        "export version {version} is newer than Watchword reads; update Watchword"
                    ),
                ))
            }
            None => return Err(damaged("version", "it is missing or not a number")),
        }
        let list = doc
            .get("entries")
            .and_then(Value::as_array)
            .ok_or_else(|| damaged("entries", "it is missing or not a list"))?;
        let mut entries = Entries::new(Self::FORMAT, convert);
        for entry in list {
            let content = entry.get("content").unwrap_or(&Value::Null);
            let name = content.get("name").and_then(Value::as_str).unwrap_or("");
            let label = content
                .get("uri")
                .and_then(Value::as_str)
                .and_then(super::uri_list::label_of);
            let shown = label.or_else(|| display_name("", name));
            let extras = Extras {
                note: entry.get("note").and_then(Value::as_str).map(str::to_owned),
                groups: Default::default(),
            };
            entries.push_with(shown, json!({"content": content}), extras);
        }
        Ok(Read::Plain(entries))
    }
}

fn convert(entry: &Value) -> Result<Account, String> {
    let content = entry.get("content").ok_or("field \"content\" is missing")?;
    as_object(content, "field \"content\"")?;
    let uri = field_str(content, "uri")?.trim();
    let name = opt_str(content, "name")?.unwrap_or("");
    if uri
        .get(..8)
        .is_some_and(|head| head.eq_ignore_ascii_case("steam://"))
    {
        let secret = super::base32_secret(&uri[8..])?;
        let (algorithm, digits) = (Algorithm::Sha1, u64::from(STEAM_LENGTH));
        return super::account("Steam", name, secret, algorithm, digits, OtpKind::Steam);
    }
    let mut account = crate::uri::parse(uri).map_err(|error| error.to_string())?;
    if account.name.is_empty() {
        account.name = crate::account::label(name);
    }
    Ok(account)
}
