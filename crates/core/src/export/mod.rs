//! Exporting accounts: an encrypted Aegis vault, a plain otpauth URI list,
//! Google Authenticator export codes, and a printable recovery sheet (PDF,
//! [`sheet`]).
//!
//! Every function takes the accounts and returns text (bytes for the sheet);
//! writing it anywhere is the caller's business. Each result holds the
//! secrets: the Aegis vault encrypted, the others in the clear (warn before
//! offering them).
//!
//! The Aegis vault follows
//! <https://github.com/beemdevelopment/Aegis/blob/master/docs/vault.md>: one
//! password slot (scrypt N = 2^15, r = 8, p = 1, 32-byte key) wrapping a random
//! 256-bit master key with AES-256-GCM, and the db (version 3) encrypted with
//! AES-256-GCM under the master key. Aegis for Android restores it, and so
//! does [`crate::import::aegis`]. Each account's note goes in its entry's
//! `note` and its groups in the db's `groups` list, each group with a UUID
//! derived from its name (the same name gives the same UUID in every
//! export, so a vault restored twice does not double Aegis' groups), so
//! Aegis → Watchword → Aegis keeps everything Watchword holds.

use crate::account::{Account, OtpKind};
use crate::codes::ErrorCode;
use crate::crypto;
use crate::migration;
use serde_json::{json, Value};
use thiserror::Error;
use zeroize::{Zeroize, Zeroizing};

mod save;
pub mod sheet;

pub use save::save_bytes;
pub use sheet::{recovery_sheet, Paper};

/// scrypt cost of the password slot: N = 2^15, as Aegis writes it.
const SCRYPT_LOG_N: u8 = 15;
const SCRYPT_R: u32 = 8;
const SCRYPT_P: u32 = 1;
/// db version written: the one current Aegis writes (groups by UUID).
const DB_VERSION: u64 = 3;

/// Why an export could not be made.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ExportError {
    /// Occurs when an encrypted backup is asked for with an empty password.
    #[error("choose a password for the encrypted backup")]
    EmptyPassword,
    /// Occurs when there is nothing to export.
    #[error("there are no accounts to export")]
    NoAccounts,
    /// Occurs when an account cannot be carried by Google Authenticator's
    /// format (another period than 30 s, other digits than 6 or 8, Steam).
    #[error("{label} cannot be exported to Google Authenticator: {reason}")]
    NotForGoogle {
        /// 0-based position of the account in the list given.
        index: usize,
        /// "Issuer (name)" of the account.
        label: String,
        /// What the format cannot carry.
        reason: String,
    },
    /// Occurs when a Google Authenticator export would take more codes
    /// than an import reads (thousands of accounts with long names).
    #[error("these accounts would take {codes} Google Authenticator codes, more than the {} an import reads", crate::limits::MAX_BATCH_PARTS)]
    TooManyForGoogle {
        /// How many codes they would take.
        codes: usize,
    },
    /// Occurs when an account is too long to print on a recovery sheet: its
    /// URI does not fit in a QR code, or its block does not fit on a page.
    #[error("{label} is too long to print on a recovery sheet")]
    TooLongToPrint {
        /// 0-based position of the account in the list given.
        index: usize,
        /// "Issuer (name)" of the account.
        label: String,
    },
}

impl ExportError {
    /// A stable machine-readable code for the UI to branch on.
    pub fn code(&self) -> ErrorCode {
        match self {
            ExportError::EmptyPassword => ErrorCode::EmptyPassword,
            ExportError::NoAccounts => ErrorCode::NoAccounts,
            ExportError::NotForGoogle { .. } | ExportError::TooManyForGoogle { .. } => {
                ErrorCode::NotForGoogle
            }
            ExportError::TooLongToPrint { .. } => ErrorCode::TooLongToPrint,
        }
    }
}

/// An encrypted Aegis vault (`.json`) holding `accounts`, protected by
/// `password`. Slow on purpose (scrypt): call it off the UI thread.
pub fn aegis_encrypted(accounts: &[Account], password: &str) -> Result<String, ExportError> {
    if password.is_empty() {
        return Err(ExportError::EmptyPassword);
    }
    let master_key = Zeroizing::new(crypto::random::<32>());
    let salt = crypto::random::<32>();
    let slot_key = crypto::scrypt_key(password.as_bytes(), &salt, SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P)
        .expect("Aegis' own scrypt parameters are valid");

    let slot_nonce = crypto::random::<12>();
    let wrapped = crypto::aes_gcm_encrypt(slot_key.as_ref(), &slot_nonce, master_key.as_ref());
    let (wrapped_key, slot_tag) = split_tag(&wrapped);

    let mut db_value = aegis_db(accounts);
    let db = json_bytes(&db_value);
    wipe_json(&mut db_value);
    let db_nonce = crypto::random::<12>();
    let sealed_db = crypto::aes_gcm_encrypt(master_key.as_ref(), &db_nonce, &db);
    drop(db);
    let (db_ciphertext, db_tag) = split_tag(&sealed_db);

    let hex = |bytes: &[u8]| data_encoding::HEXLOWER.encode(bytes);
    let vault = json!({
        "version": 1,
        "header": {
            "slots": [{
                "type": 1,
                "uuid": uuid_v4(),
                "key": hex(wrapped_key),
                "key_params": {"nonce": hex(&slot_nonce), "tag": hex(slot_tag)},
                "n": 1u64 << SCRYPT_LOG_N,
                "r": SCRYPT_R,
                "p": SCRYPT_P,
                "salt": hex(&salt),
                "repaired": true,
                "is_backup": false,
            }],
            "params": {"nonce": hex(&db_nonce), "tag": hex(db_tag)},
        },
        "db": data_encoding::BASE64.encode(db_ciphertext),
    });
    Ok(serde_json::to_string_pretty(&vault).expect("a JSON value serialises"))
}

/// `value` as JSON bytes, in a buffer sized by a first pass so that it never
/// grows: each reallocation would leave an unwiped copy of the keys behind.
fn json_bytes(value: &Value) -> Zeroizing<Vec<u8>> {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    serde_json::to_writer(&mut count, value).expect("a JSON value serialises");
    let mut bytes = Zeroizing::new(Vec::with_capacity(count.0));
    serde_json::to_writer(&mut *bytes, value).expect("a JSON value serialises");
    bytes
}

/// Wipes every string in `value` (the keys of an Aegis db among them).
fn wipe_json(value: &mut Value) {
    match value {
        Value::String(text) => text.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe_json),
        Value::Object(map) => map.values_mut().for_each(wipe_json),
        _ => {}
    }
}

/// The db object of an Aegis vault (`{"version", "entries", "groups", …}`).
fn aegis_db(accounts: &[Account]) -> Value {
    let entries: Vec<Value> = accounts.iter().map(aegis_entry).collect();
    // Every group once, in the order first met.
    let mut groups: Vec<&str> = Vec::new();
    for group in accounts.iter().flat_map(|account| &account.groups) {
        if !groups.contains(&group.as_str()) {
            groups.push(group.as_str());
        }
    }
    let groups: Vec<Value> = groups
        .into_iter()
        .map(|name| json!({"uuid": group_uuid(name), "name": name}))
        .collect();
    json!({
        "version": DB_VERSION,
        "entries": entries,
        "groups": groups,
        "icons_optimized": true,
    })
}

/// The UUID of a group in an Aegis export: derived from its name
/// (SHA-256, as an RFC 9562 version 8 UUID), so it is the same in every
/// export.
fn group_uuid(name: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("watchword group\n{name}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    uuid_text(&b)
}

/// One account as an Aegis db entry.
fn aegis_entry(account: &Account) -> Value {
    // `json!` copies it; this one is wiped, the copy by `wipe_json`.
    let secret = Zeroizing::new(account.secret.to_base32());
    let secret: &str = &secret;
    let algo = account.algorithm.as_str();
    let (kind, info) = match account.kind {
        OtpKind::Totp { period } => (
            "totp",
            json!({"secret": secret, "algo": algo, "digits": account.digits, "period": period}),
        ),
        OtpKind::Hotp { counter } => (
            "hotp",
            json!({"secret": secret, "algo": algo, "digits": account.digits, "counter": counter}),
        ),
        // What Steam computes, whatever the account says.
        OtpKind::Steam => (
            "steam",
            json!({
                "secret": secret,
                "algo": "SHA1",
                "digits": crate::account::STEAM_LENGTH,
                "period": crate::account::STEAM_PERIOD,
            }),
        ),
    };
    json!({
        "type": kind,
        "uuid": uuid_v4(),
        "name": account.name,
        "issuer": account.issuer,
        "note": account.note.as_ref().map_or("", |note| note.expose()),
        "favorite": false,
        "icon": null,
        "info": info,
        "groups": account.groups.iter().map(|group| group_uuid(group.as_str())).collect::<Vec<_>>(),
    })
}

/// (ciphertext, tag) of AES-GCM output.
fn split_tag(sealed: &[u8]) -> (&[u8], &[u8]) {
    sealed.split_at(sealed.len().saturating_sub(16))
}

/// A random (version 4) UUID, as Aegis gives every slot and entry.
fn uuid_v4() -> String {
    let mut b = crypto::random::<16>();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    uuid_text(&b)
}

/// 16 bytes as a UUID's text.
fn uuid_text(b: &[u8; 16]) -> String {
    let hex = data_encoding::HEXLOWER.encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// How many of `accounts` hold a note, which a plain list of URIs,
/// Google's export and the recovery sheet have no place for (notes often hold recovery codes:
/// the user is told the file lacks them).
pub fn notes_left_out(accounts: &[Account]) -> usize {
    accounts.iter().filter(|a| a.note.is_some()).count()
}

/// One canonical `otpauth://` URI per line (each line ends with `\n`). Not
/// encrypted: the UI warns before offering it. Notes are not in it
/// ([`notes_left_out`]).
pub fn uri_list(accounts: &[Account]) -> String {
    // Each URI holds a key: wiped once copied into a list sized up front
    // (growing it would leave unwiped copies; callers wipe the list).
    let uris: Vec<Zeroizing<String>> = accounts
        .iter()
        .map(|account| Zeroizing::new(crate::uri::format(account)))
        .collect();
    let mut list = String::with_capacity(uris.iter().map(|uri| uri.len() + 1).sum());
    for uri in &uris {
        list.push_str(uri);
        list.push('\n');
    }
    list
}

/// Google Authenticator export URIs (`otpauth-migration://offline?data=…`),
/// at most [`migration::MAX_ACCOUNTS_PER_CODE`] accounts each (fewer where
/// long names would make a code too dense to scan from a screen), all
/// sharing one random batch id: show each as a QR code for the phone to
/// scan. Accounts
/// the format cannot carry are refused, never changed.
pub fn google_migration(accounts: &[Account]) -> Result<Vec<String>, ExportError> {
    if accounts.is_empty() {
        return Err(ExportError::NoAccounts);
    }
    let batch_id = i32::from_le_bytes(crypto::random::<4>()) & i32::MAX;
    migration::encode_batches(accounts, batch_id).map_err(|error| match error {
        migration::EncodeError::Unrepresentable {
            index,
            label,
            reason,
        } => ExportError::NotForGoogle {
            index,
            label,
            reason: reason.to_owned(),
        },
        migration::EncodeError::TooManyCodes { codes } => ExportError::TooManyForGoogle { codes },
        // encode_batches makes the chunks itself; a bad batch cannot happen,
        // but say something true if it ever does.
        other => ExportError::NotForGoogle {
            index: 0,
            label: String::new(),
            reason: other.to_string(),
        },
    })
}

/// Writes an export to `path` ([`save_bytes`]).
pub fn save(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    save_bytes(path, text.as_bytes())
}

/// Splits `accounts` into those a Google Authenticator export can carry
/// unchanged and, for the others, why not ([`ExportError::NotForGoogle`]),
/// so an export can go ahead with the first and name the rest.
pub fn google_exportable(accounts: &[Account]) -> (Vec<Account>, Vec<ExportError>) {
    let mut fit = Vec::new();
    let mut left_out = Vec::new();
    for (index, account) in accounts.iter().enumerate() {
        let fits = migration::check_exportable(account).and_then(|()| {
            if migration::fits_one_code(account) {
                Ok(())
            } else {
                Err("its name and key are too long to fit in a QR code")
            }
        });
        match fits {
            Ok(()) => fit.push(account.clone()),
            Err(reason) => left_out.push(ExportError::NotForGoogle {
                index,
                label: account.display_name(),
                reason: reason.to_owned(),
            }),
        }
    }
    (fit, left_out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    #[test]
    fn google_exportable_names_what_it_leaves_out() {
        let totp = Account::totp("Shop", "me", Secret::from_bytes(vec![1; 10]));
        let mut steam = totp.clone();
        steam.issuer = "Steam".into();
        steam.kind = OtpKind::Steam;
        let mut slow = totp.clone();
        slow.issuer = "Slow".into();
        slow.kind = OtpKind::Totp { period: 60 };
        let (fit, left_out) = google_exportable(&[totp.clone(), steam, slow]);
        assert_eq!(fit, [totp]);
        let messages: Vec<String> = left_out.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "Steam (me) cannot be exported to Google Authenticator: Steam accounts are not \
                 supported by Google Authenticator",
                "Slow (me) cannot be exported to Google Authenticator: its period is not 30 \
                 seconds, and the format has no period",
            ]
        );
    }

    #[test]
    fn uuids_are_version_4() {
        let uuid = uuid_v4();
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "4");
        assert!(matches!(&uuid[19..20], "8" | "9" | "a" | "b"), "{uuid}");
    }

    /// Issue 9: the vault's plaintext JSON is wiped. It is written into a
    /// buffer that never grew (no stray copies) and every string of the
    /// JSON tree, keys included, is wiped after.
    #[test]
    fn the_plaintext_db_leaves_no_copies() {
        let accounts: Vec<Account> = (0..50u8)
            .map(|i| Account::totp("Shop", &format!("user{i}"), Secret::from_bytes(vec![i; 20])))
            .collect();
        let key = accounts[7].secret.to_base32();
        let mut db = aegis_db(&accounts);
        let bytes = json_bytes(&db);
        assert_eq!(bytes.capacity(), bytes.len(), "sized up front");
        assert!(String::from_utf8_lossy(&bytes).contains(&key));
        wipe_json(&mut db);
        assert!(!db.to_string().contains(&key), "wiped");
        let list = uri_list(&accounts);
        assert_eq!(list.capacity(), list.len(), "sized up front");
    }

    #[test]
    fn empty_password_is_refused() {
        assert_eq!(aegis_encrypted(&[], ""), Err(ExportError::EmptyPassword));
    }

    #[test]
    fn notes_and_groups_are_written_with_stable_group_uuids() {
        use crate::account::{Group, Note};
        let account = |issuer: &str, groups: &[&str]| {
            Account::totp(issuer, "me", Secret::from_bytes(vec![3; 10]))
                .with_groups(groups.iter().map(|g| Group::new(g).expect("valid")))
                .expect("few groups")
        };
        let noted = account("A", &["Work"]).with_note(Note::new("codes 1 2").expect("fits"));
        let a = aegis_db(&[noted]);
        let b = aegis_db(&[account("B", &["Banks", "Work"]), account("C", &["Work"])]);
        assert_eq!(a["entries"][0]["note"], "codes 1 2");
        assert_eq!(b["entries"][0]["note"], "");
        let uuid_of = |db: &Value, name: &str| {
            db["groups"]
                .as_array()
                .expect("a list")
                .iter()
                .find(|g| g["name"] == name)
                .map(|g| g["uuid"].clone())
                .expect("listed")
        };
        // Each group once, with the UUID its name gives in any export.
        assert_eq!(b["groups"].as_array().map(Vec::len), Some(2));
        assert_eq!(uuid_of(&a, "Work"), uuid_of(&b, "Work"));
        assert_ne!(uuid_of(&b, "Banks"), uuid_of(&b, "Work"));
        assert_eq!(a["entries"][0]["groups"], json!([uuid_of(&a, "Work")]));
        assert_eq!(
            b["entries"][0]["groups"],
            json!([uuid_of(&b, "Banks"), uuid_of(&b, "Work")])
        );
        let uuid = uuid_of(&a, "Work");
        let uuid = uuid.as_str().expect("text");
        assert_eq!((uuid.len(), &uuid[14..15]), (36, "8"), "{uuid}");
    }
}
