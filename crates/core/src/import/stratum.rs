//! Authenticator Pro / Stratum backups: plain JSON, encrypted, and the
//! legacy encrypted format.
//!
//! Format: Stratum's `Backup` model and `BackupEncryption`
//! (<https://github.com/stratumauth/app>), as Aegis' `StratumImporter` reads
//! it. Plain: `{"Authenticators": [{Type, Issuer, Username, Secret, Algorithm,
//! Digits, Period, Counter, …}], "Categories", …}` with `Type` 1 HOTP, 2 TOTP,
//! 3 mOTP, 4 Steam, 5 Yandex and `Algorithm` 0 SHA1, 1 SHA256, 2 SHA512.
//! Encrypted: `"AUTHENTICATORPRO"`, a 16-byte salt, a 12-byte IV, then
//! AES-256-GCM ciphertext‖tag under Argon2id(password, salt, t = 3,
//! m = 64 MiB, p = 4, 32 bytes). Legacy: `"AuthenticatorPro"`, a 20-byte salt,
//! a 16-byte IV, then AES-256-CBC (PKCS#7) under PBKDF2-HMAC-SHA1(password,
//! salt, 64000, 32 bytes).
//!
//! Categories are kept as groups: `Categories` (`{Id, Name, …}`) names them
//! and `AuthenticatorCategories` (`{CategoryId, AuthenticatorSecret, …}`)
//! puts each authenticator, known by its secret, in them. The app has no
//! notes.
//!
//! What the conversion loses: icons (custom ones, `CustomIcons`, are said
//! once in the preview), ranking, and mOTP and Yandex entries (reported as
//! entry errors: Watchword does not compute them).

use super::{
    as_object, base32_secret, display_name, field_str, field_u64, group_table, opt_str, opt_u64,
    totp_kind, Decrypt, EncryptedBackup, Entries, Extras, Format, Groups, ImportError, Importer,
    Probe, Read,
};
use crate::account::{Account, Algorithm, OtpKind};
use crate::crypto;
use serde_json::Value;
use std::collections::HashMap;
use zeroize::Zeroizing;

/// Header of the current encrypted format.
pub(crate) const HEADER: &[u8] = b"AUTHENTICATORPRO";
/// Header of the legacy encrypted format.
pub(crate) const HEADER_LEGACY: &[u8] = b"AuthenticatorPro";

const SALT_LEN: usize = 16;
const IV_LEN: usize = 12;
const LEGACY_SALT_LEN: usize = 20;
const LEGACY_IV_LEN: usize = 16;
const LEGACY_ITERATIONS: u32 = 64_000;

/// The Authenticator Pro / Stratum importer.
#[derive(Debug, Clone, Copy)]
pub struct Stratum;

impl Importer for Stratum {
    const FORMAT: Format = Format::Stratum;

    fn detect(probe: &Probe<'_>) -> bool {
        matches!(probe, Probe::Signature(bytes) if bytes.starts_with(HEADER) || bytes.starts_with(HEADER_LEGACY))
            || probe.json_has("Authenticators")
            || probe.damaged_json_has("Authenticators")
    }

    fn read(bytes: &[u8]) -> Result<Read, ImportError> {
        let damaged = |part: &str, reason: &str| ImportError::damaged(Self::FORMAT, part, reason);
        if let Some(rest) = bytes.strip_prefix(HEADER) {
            if rest.len() < SALT_LEN + IV_LEN + 16 {
                return Err(damaged(
                    "the header",
                    "the file ends inside it: it is truncated",
                ));
            }
            let (salt, rest) = rest.split_at(SALT_LEN);
            let (iv, sealed) = rest.split_at(IV_LEN);
            return Ok(Read::Encrypted(EncryptedBackup::new(
                Self::FORMAT,
                Encrypted {
                    legacy: false,
                    salt: salt.to_vec(),
                    iv: iv.to_vec(),
                    data: sealed.to_vec(),
                },
            )));
        }
        if let Some(rest) = bytes.strip_prefix(HEADER_LEGACY) {
            if rest.len() < LEGACY_SALT_LEN + LEGACY_IV_LEN + 16 {
                return Err(damaged(
                    "the header",
                    "the file ends inside it: it is truncated",
                ));
            }
            let (salt, rest) = rest.split_at(LEGACY_SALT_LEN);
            let (iv, data) = rest.split_at(LEGACY_IV_LEN);
            if data.len() % 16 != 0 {
                return Err(damaged(
                    "the encrypted data",
                    "its length is not a whole number of AES blocks: it is truncated",
                ));
            }
            return Ok(Read::Encrypted(EncryptedBackup::new(
                Self::FORMAT,
                Encrypted {
                    legacy: true,
                    salt: salt.to_vec(),
                    iv: iv.to_vec(),
                    data: data.to_vec(),
                },
            )));
        }
        let doc = super::parse_json(bytes, Self::FORMAT)?;
        entries_from(&doc, "the file").map(Read::Plain)
    }
}

fn entries_from(doc: &Value, part: &str) -> Result<Entries, ImportError> {
    let list = doc
        .get("Authenticators")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            ImportError::damaged(Format::Stratum, part, "its Authenticators list is missing")
        })?;
    let array = |key: &str| doc.get(key).and_then(Value::as_array).into_iter().flatten();
    let category_names = group_table(array("Categories").filter_map(|category| {
        Some((
            category.get("Id")?.as_str()?,
            category.get("Name")?.as_str()?,
        ))
    }));
    // Secret (as the file writes it) to its categories, as an account
    // holds them however many links name them; keyed by the document's own
    // text, so no copy of a key is made.
    let mut categories: HashMap<&str, Groups> = HashMap::new();
    for link in array("AuthenticatorCategories") {
        let secret = link.get("AuthenticatorSecret").and_then(Value::as_str);
        let category = link.get("CategoryId").and_then(Value::as_str);
        if let (Some(secret), Some(name)) = (secret, category.and_then(|id| category_names.get(id)))
        {
            categories.entry(secret).or_default().add(name);
        }
    }
    let mut entries = Entries::new(Format::Stratum, convert);
    if array("CustomIcons").next().is_some() {
        entries.not_kept("custom icons");
    }
    for entry in list {
        let issuer = entry.get("Issuer").and_then(Value::as_str).unwrap_or("");
        let name = entry.get("Username").and_then(Value::as_str).unwrap_or("");
        let groups = entry
            .get("Secret")
            .and_then(Value::as_str)
            .and_then(|secret| categories.get(secret))
            .cloned()
            .unwrap_or_default();
        let extras = Extras { note: None, groups };
        entries.push_with(display_name(issuer, name), entry.clone(), extras);
    }
    Ok(entries)
}

fn convert(entry: &Value) -> Result<Account, String> {
    as_object(entry, "the entry")?;
    let issuer = opt_str(entry, "Issuer")?.unwrap_or("");
    let name = opt_str(entry, "Username")?.unwrap_or("");
    let secret = base32_secret(field_str(entry, "Secret")?)?;
    let algorithm = match opt_u64(entry, "Algorithm")?.unwrap_or(0) {
        0 => Algorithm::Sha1,
        1 => Algorithm::Sha256,
        2 => Algorithm::Sha512,
        other => return Err(format!("unknown algorithm number {other}")),
    };
    let digits = opt_u64(entry, "Digits")?.unwrap_or(6);
    let kind = match field_u64(entry, "Type")? {
        1 => OtpKind::Hotp {
            counter: opt_u64(entry, "Counter")?.unwrap_or(0),
        },
        2 => totp_kind(opt_u64(entry, "Period")?.unwrap_or(30))?,
        3 => return Err("mOTP entries are not supported".into()),
        4 => OtpKind::Steam,
        5 => return Err("Yandex entries are not supported".into()),
        other => return Err(format!("unknown entry type {other}")),
    };
    super::account(issuer, name, secret, algorithm, digits, kind)
}

struct Encrypted {
    legacy: bool,
    salt: Vec<u8>,
    iv: Vec<u8>,
    data: Vec<u8>,
}

impl Encrypted {
    fn open(&self, password: &str) -> Option<Zeroizing<Vec<u8>>> {
        if self.legacy {
            let key = crypto::pbkdf2_sha1(password.as_bytes(), &self.salt, LEGACY_ITERATIONS);
            crypto::aes_cbc_decrypt(key.as_ref(), &self.iv, &self.data)
        } else {
            let key = argon2_key(password.as_bytes(), &self.salt)?;
            crypto::aes_gcm_decrypt(key.as_ref(), &self.iv, &self.data, &[])
        }
    }
}

/// Stratum's Argon2id: 3 passes over 64 MiB in 4 lanes.
fn argon2_key(password: &[u8], salt: &[u8]) -> Option<Zeroizing<[u8; 32]>> {
    let params = argon2::Params::new(64 * 1024, 3, 4, Some(32)).ok()?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut key = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(password, salt, key.as_mut())
        .ok()?;
    Some(key)
}

impl Decrypt for Encrypted {
    fn decrypt(
        &self,
        password: &str,
        _cancel: &crate::limits::Cancel,
    ) -> Result<Entries, ImportError> {
        let plaintext = self.open(password).ok_or(ImportError::WrongPassword)?;
        // CBC has no tag: a wrong key passes the padding check about once in
        // 256 tries and then yields noise, which is not JSON text.
        let looks_like_json = plaintext
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|&b| b == b'{');
        if self.legacy && !looks_like_json {
            return Err(ImportError::WrongPassword);
        }
        let mut doc = super::json_from_plaintext(
            plaintext.to_vec(),
            Format::Stratum,
            "the decrypted backup",
        )?;
        let entries = entries_from(&doc, "the decrypted backup");
        super::wipe(&mut doc);
        entries
    }
}
