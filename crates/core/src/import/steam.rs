//! Steam Guard files: a Steam Desktop Authenticator `.maFile` (one account)
//! or a file holding several under `accounts`.
//!
//! Format: the `SteamGuardAccount` JSON of SteamAuth / Steam Desktop
//! Authenticator (<https://github.com/Jessecar96/SteamDesktopAuthenticator>)
//! and Aegis' `SteamImporter`: `shared_secret` is the base64 key, and
//! `account_name` the login.
//!
//! What the conversion loses: everything but the code generator (identity
//! secret, revocation code, serial and session data, which confirm trades and
//! recover the account). Files carry no issuer: it is set to "Steam".
//! Encrypted `.maFile`s (base64 text, not JSON) are not read: turn off
//! encryption in Steam Desktop Authenticator and export again.

use super::{
    display_name, field_str, opt_str, Entries, Format, ImportError, Importer, Probe, Read,
};
use crate::account::{Account, Algorithm, OtpKind, STEAM_LENGTH};
use crate::secret::Secret;
use serde_json::Value;

/// The Steam Guard importer.
#[derive(Debug, Clone, Copy)]
pub struct Steam;

impl Importer for Steam {
    const FORMAT: Format = Format::Steam;

    fn detect(probe: &Probe<'_>) -> bool {
        ["shared_secret", "accounts"]
            .iter()
            .any(|key| probe.json_has(key) || probe.damaged_json_has(key))
    }

    fn read(bytes: &[u8]) -> Result<Read, ImportError> {
        let doc = super::parse_json(bytes, Self::FORMAT)?;
        let mut entries = Entries::new(Self::FORMAT, convert);
        let mut push = |account: &Value| {
            let name = account
                .get("account_name")
                .and_then(Value::as_str)
                .unwrap_or("");
            entries.push(display_name("Steam", name), account.clone());
        };
        if doc.get("shared_secret").is_some() {
            push(&doc);
        } else {
            match doc.get("accounts") {
                Some(Value::Object(accounts)) => accounts.values().for_each(&mut push),
                Some(Value::Array(accounts)) => accounts.iter().for_each(&mut push),
                _ => {
                    return Err(ImportError::damaged(
                        Self::FORMAT,
                        "the file",
                        "it holds neither a shared_secret nor a list of accounts",
                    ))
                }
            }
        }
        Ok(Read::Plain(entries))
    }
}

fn convert(account: &Value) -> Result<Account, String> {
    let secret = super::base64_decode(field_str(account, "shared_secret")?)
        .ok_or("field \"shared_secret\" is not valid base64")?;
    let name = opt_str(account, "account_name")?.unwrap_or("");
    super::account(
        "Steam",
        name,
        Secret::from_bytes(secret),
        Algorithm::Sha1,
        u64::from(STEAM_LENGTH),
        OtpKind::Steam,
    )
}
