//! Aegis Authenticator's vault file, plain or encrypted.
//!
//! Format: <https://github.com/beemdevelopment/Aegis/blob/master/docs/vault.md>.
//! `{"version": 1, "header": {"slots": [...], "params": {"nonce", "tag"}}, "db": ...}`;
//! in an encrypted vault each password slot wraps the master key with
//! AES-256-GCM under scrypt(password, salt, n, r, p) and `db` is the base64 of
//! the AES-256-GCM-encrypted db JSON (`{"version", "entries": [...]}`).
//!
//! Notes (`note`) and groups are kept: db version 3 lists groups at the top
//! (`"groups": [{"uuid", "name"}]`) and each entry names its own by UUID
//! (`"groups": [uuid, …]`); version 2 gives each entry one group name
//! (`"group"`). A UUID the list does not name is passed over.
//!
//! What the conversion loses: custom icons and favourites (said once in the
//! preview when the file has any), usage counts (kept by Aegis outside the
//! vault) and entry UUIDs. Entry types Watchword does not compute (`motp`,
//! `yandex`) are reported as entry errors. Only password slots can open an
//! encrypted vault (biometric slots are bound to the phone that made them).

use super::{
    as_object, base32_secret, display_name, field_str, group_table, opt_str, opt_u64,
    parse_algorithm, totp_kind, Decrypt, EncryptedBackup, Entries, Extras, Format, GroupName,
    Groups, ImportError, Importer, Probe, Read,
};
use crate::account::{Account, OtpKind};
use crate::crypto;
use crate::limits::{self, Cancel};
use serde_json::Value;
use zeroize::Zeroizing;

/// Newest vault file version (`version` at the top) this importer reads.
const MAX_FILE_VERSION: u64 = 1;
/// Newest db version (`db.version`) this importer reads.
const MAX_DB_VERSION: u64 = 3;
/// Slot type of a password slot.
const SLOT_PASSWORD: u64 = 1;

/// The Aegis vault importer.
#[derive(Debug, Clone, Copy)]
pub struct Aegis;

impl Importer for Aegis {
    const FORMAT: Format = Format::Aegis;

    fn detect(probe: &Probe<'_>) -> bool {
        (probe.json_has("header") && probe.json_has("db"))
            || probe.damaged_json_has("header")
            || (probe.damaged_json_has("db") && probe.damaged_json_has("version"))
    }

    fn read(bytes: &[u8]) -> Result<Read, ImportError> {
        let doc = super::parse_json(bytes, Self::FORMAT)?;
        let damaged = |part: &str, reason: &str| ImportError::damaged(Self::FORMAT, part, reason);
        if !doc.is_object() {
            return Err(damaged("the file", "it is not a JSON object"));
        }
        match doc.get("version").and_then(Value::as_u64) {
            Some(version) if version <= MAX_FILE_VERSION => {}
            Some(version) => {
                return Err(ImportError::unsupported(
                    Self::FORMAT,
                    format!(
                    "vault file version {version} is newer than Watchword reads; update Watchword"
                ),
                ))
            }
            None => return Err(damaged("version", "it is missing or not a number")),
        }
        let header = doc
            .get("header")
            .filter(|h| h.is_object())
            .ok_or_else(|| damaged("header", "it is missing"))?;
        let db = doc
            .get("db")
            .ok_or_else(|| damaged("db", "it is missing"))?;
        match header.get("slots") {
            None | Some(Value::Null) => Ok(Read::Plain(entries_from_db(db)?)),
            Some(Value::Array(slots)) => {
                let vault = EncryptedVault::parse(slots, header, db)?;
                Ok(Read::Encrypted(EncryptedBackup::new(Self::FORMAT, vault)))
            }
            Some(_) => Err(damaged("header.slots", "it is not a list")),
        }
    }
}

/// The entries of a decrypted (or plain) db object.
pub(crate) fn entries_from_db(db: &Value) -> Result<Entries, ImportError> {
    let damaged = |part: &str, reason: &str| ImportError::damaged(Format::Aegis, part, reason);
    if !db.is_object() {
        return Err(damaged("db", "it is not a JSON object"));
    }
    if let Some(version) = db.get("version").and_then(Value::as_u64) {
        if version > MAX_DB_VERSION {
            return Err(ImportError::unsupported(
                Format::Aegis,
                format!("db version {version} is newer than Watchword reads; update Watchword"),
            ));
        }
    }
    let list = match db.get("entries") {
        Some(Value::Array(list)) => list,
        Some(_) => return Err(damaged("db.entries", "it is not a list")),
        None => return Err(damaged("db.entries", "it is missing")),
    };
    // Version 3's table of groups: UUID to name.
    let group_names = group_table(
        db.get("groups")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|group| Some((group.get("uuid")?.as_str()?, group.get("name")?.as_str()?))),
    );
    let mut entries = Entries::new(Format::Aegis, convert);
    for entry in list {
        let issuer = entry.get("issuer").and_then(Value::as_str).unwrap_or("");
        let name = entry.get("name").and_then(Value::as_str).unwrap_or("");
        if entry.get("icon").is_some_and(|icon| !icon.is_null()) {
            entries.not_kept("custom icons");
        }
        if entry.get("favorite").and_then(Value::as_bool) == Some(true) {
            entries.not_kept("favourites");
        }
        let mut groups = Groups::of(
            entry
                .get("groups")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|uuid| group_names.get(uuid.as_str()?)),
        );
        // Before version 3, one group, named in the entry.
        if let Some(name) = entry
            .get("group")
            .and_then(Value::as_str)
            .and_then(GroupName::read)
        {
            groups.add(&name);
        }
        let extras = Extras {
            note: entry.get("note").and_then(Value::as_str).map(str::to_owned),
            groups,
        };
        entries.push_with(display_name(issuer, name), entry.clone(), extras);
    }
    Ok(entries)
}

/// One Aegis db entry to an account.
fn convert(entry: &Value) -> Result<Account, String> {
    as_object(entry, "the entry")?;
    let kind_name = field_str(entry, "type")?.to_ascii_lowercase();
    let issuer = opt_str(entry, "issuer")?.unwrap_or("");
    let name = opt_str(entry, "name")?.unwrap_or("");
    let info = entry.get("info").ok_or("field \"info\" is missing")?;
    as_object(info, "field \"info\"")?;
    let secret = base32_secret(field_str(info, "secret")?)?;
    let algorithm = parse_algorithm(opt_str(info, "algo")?.unwrap_or("SHA1"))?;
    let digits = opt_u64(info, "digits")?.unwrap_or(6);
    let kind = match kind_name.as_str() {
        "totp" => totp_kind(opt_u64(info, "period")?.unwrap_or(30))?,
        "hotp" => OtpKind::Hotp {
            counter: opt_u64(info, "counter")?.unwrap_or(0),
        },
        "steam" => OtpKind::Steam,
        other => {
            return Err(format!(
                "{} entries are not supported",
                crate::error::Excerpt::of(other)
            ))
        }
    };
    super::account(issuer, name, secret, algorithm, digits, kind)
}

/// An encrypted vault, its slots and db parsed and checked.
struct EncryptedVault {
    slots: Vec<PasswordSlot>,
    nonce: Vec<u8>,
    /// The db ciphertext followed by its tag.
    sealed_db: Vec<u8>,
}

/// A password slot: the master key wrapped under a scrypt-derived key.
struct PasswordSlot {
    salt: Vec<u8>,
    log_n: u8,
    r: u32,
    p: u32,
    nonce: Vec<u8>,
    /// The wrapped key followed by its tag.
    sealed_key: Vec<u8>,
    /// False for slots made by Aegis before 0.6.3, which derived the key from
    /// a mis-encoded password (see [`legacy_password_bytes`]).
    repaired: bool,
}

impl EncryptedVault {
    fn parse(slots: &[Value], header: &Value, db: &Value) -> Result<Self, ImportError> {
        let damaged =
            |part: String, reason: &str| ImportError::damaged(Format::Aegis, part, reason);
        let mut password_slots = Vec::new();
        for (index, slot) in slots.iter().enumerate() {
            let part = format!("header.slots[{index}]");
            if slot.get("type").and_then(Value::as_u64) != Some(SLOT_PASSWORD) {
                continue;
            }
            password_slots.push(PasswordSlot::parse(slot, &part)?);
        }
        if password_slots.is_empty() {
            return Err(ImportError::unsupported(
                Format::Aegis,
                "the vault has no password slot (only a fingerprint unlock); export it from Aegis with a password",
            ));
        }
        // Every slot is tried before "Wrong password": the sum is what a
        // wrong password costs, so it is capped before a password is asked.
        let total = password_slots
            .iter()
            .fold(0u64, |sum, slot| sum.saturating_add(slot.cost()));
        if total > limits::AEGIS_MAX_TOTAL_SCRYPT_COST {
            return Err(kdf_too_costly(format!(
                "{} password slots, {} times the work of a real vault",
                password_slots.len(),
                total.div_ceil(REAL_SCRYPT_COST)
            )));
        }
        let params = header
            .get("params")
            .ok_or_else(|| damaged("header.params".into(), "it is missing"))?;
        let nonce = hex_field(params, "nonce", "header.params")?;
        let tag = hex_field(params, "tag", "header.params")?;
        if nonce.len() != 12 || tag.len() != 16 {
            return Err(damaged(
                "header.params".into(),
                "the nonce or tag has the wrong length",
            ));
        }
        let text = db
            .as_str()
            .ok_or_else(|| damaged("db".into(), "it is not base64 text"))?;
        let mut sealed_db = super::base64_decode(text)
            .ok_or_else(|| damaged("db".into(), "it is not valid base64"))?;
        sealed_db.extend_from_slice(&tag);
        Ok(Self {
            slots: password_slots,
            nonce,
            sealed_db,
        })
    }
}

impl PasswordSlot {
    fn parse(slot: &Value, part: &str) -> Result<Self, ImportError> {
        let damaged = |reason: &str| ImportError::damaged(Format::Aegis, part, reason);
        let number = |key: &str| {
            slot.get(key)
                .and_then(Value::as_u64)
                .ok_or_else(|| damaged(&format!("\"{key}\" is missing or not a number")))
        };
        let (n, r, p) = (number("n")?, number("r")?, number("p")?);
        if !n.is_power_of_two() || n < 2 || r == 0 || p == 0 {
            return Err(damaged(
                "its scrypt parameters are not valid scrypt parameters",
            ));
        }
        // The budgets keep a hostile file from asking for gigabytes or
        // hours (see crate::limits).
        let memory = r.saturating_mul(n.saturating_add(p).saturating_add(1));
        let cost = limits::scrypt_cost(n, r, p);
        if memory > limits::AEGIS_MAX_SCRYPT_MEMORY || cost > limits::AEGIS_MAX_SCRYPT_COST {
            return Err(kdf_too_costly(format!(
                "{part} asks for scrypt N = {n}, r = {r}, p = {p}, {} times the work of Aegis' own",
                cost.div_ceil(REAL_SCRYPT_COST)
            )));
        }
        let key_params = slot
            .get("key_params")
            .ok_or_else(|| damaged("\"key_params\" is missing"))?;
        let nonce = hex_field(key_params, "nonce", part)?;
        let tag = hex_field(key_params, "tag", part)?;
        let mut sealed_key = hex_field(slot, "key", part)?;
        if nonce.len() != 12 || tag.len() != 16 || sealed_key.len() != 32 {
            return Err(damaged(
                "the wrapped key, its nonce or its tag has the wrong length",
            ));
        }
        sealed_key.extend_from_slice(&tag);
        let salt = hex_field(slot, "salt", part)?;
        if salt.len() > limits::AEGIS_MAX_SALT_BYTES {
            return Err(kdf_too_costly(format!(
                "{part} has a salt of {} bytes; Aegis writes 32",
                salt.len()
            )));
        }
        Ok(Self {
            salt,
            log_n: n.trailing_zeros() as u8,
            r: r as u32,
            p: p as u32,
            nonce,
            sealed_key,
            repaired: slot
                .get("repaired")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        })
    }

    /// The most scrypt work trying a password on this slot takes
    /// ([`limits::scrypt_cost`], twice for a slot that also tries the
    /// pre-0.6.3 password encoding).
    fn cost(&self) -> u64 {
        let once = limits::scrypt_cost(1 << self.log_n, u64::from(self.r), u64::from(self.p));
        if self.repaired {
            once
        } else {
            2 * once
        }
    }

    /// The master key, when `password` opens this slot; `Err` when `cancel`
    /// was set before a derivation.
    fn unwrap(
        &self,
        password: &str,
        cancel: &Cancel,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, ImportError> {
        let mut candidates = vec![Zeroizing::new(password.as_bytes().to_vec())];
        if !self.repaired {
            let legacy = legacy_password_bytes(password);
            if *legacy != *candidates[0] {
                candidates.push(legacy);
            }
        }
        for bytes in &candidates {
            if cancel.is_cancelled() {
                return Err(ImportError::Cancelled);
            }
            let Some(key) = crypto::scrypt_key(bytes, &self.salt, self.log_n, self.r, self.p)
            else {
                continue;
            };
            if let Some(master) =
                crypto::aes_gcm_decrypt(key.as_ref(), &self.nonce, &self.sealed_key, &[])
            {
                return Ok(Some(master));
            }
        }
        Ok(None)
    }
}

impl Decrypt for EncryptedVault {
    fn decrypt(&self, password: &str, cancel: &Cancel) -> Result<Entries, ImportError> {
        let mut master = None;
        for slot in &self.slots {
            master = slot.unwrap(password, cancel)?;
            if master.is_some() {
                break;
            }
        }
        let master = master.ok_or(ImportError::WrongPassword)?;
        // The slot's tag proved the password right, so a db that fails its
        // own tag was altered or cut.
        let plaintext = crypto::aes_gcm_decrypt(&master, &self.nonce, &self.sealed_db, &[])
            .ok_or_else(|| {
                ImportError::damaged(
                    Format::Aegis,
                    "db",
                    "it does not decrypt with the vault's key (altered or truncated)",
                )
            })?;
        let db = super::json_from_plaintext(plaintext.to_vec(), Format::Aegis, "db")?;
        let entries = entries_from_db(&db);
        let mut db = db;
        super::wipe(&mut db);
        entries
    }
}

/// Aegis' own scrypt cost, the unit messages count in.
const REAL_SCRYPT_COST: u64 = limits::AEGIS_REAL_SCRYPT_COST;

/// The vault asks for more key-derivation work than [`crate::limits`] allows.
fn kdf_too_costly(detail: String) -> ImportError {
    ImportError::unsupported(
        Format::Aegis,
        format!("its key derivation asks for more work than any real Aegis vault ({detail})"),
    )
}

/// A hex field of `object`, or which part is damaged.
fn hex_field(object: &Value, key: &str, part: &str) -> Result<Vec<u8>, ImportError> {
    object
        .get(key)
        .and_then(Value::as_str)
        .and_then(super::hex_decode)
        .ok_or_else(|| {
            ImportError::damaged(
                Format::Aegis,
                part,
                format!("\"{key}\" is missing or not hex"),
            )
        })
}

/// The bytes Aegis before 0.6.3 derived slot keys from: Java's
/// `UTF_8.encode(CharBuffer).array()`, which is the UTF-8 encoding followed by
/// the zero bytes of the buffer's unused capacity (`floor(chars × 1.1)`,
/// doubled plus one until it fits). Vaults made then carry `"repaired": false`
/// until Aegis rewrites their slot.
fn legacy_password_bytes(password: &str) -> Zeroizing<Vec<u8>> {
    let utf16_units = password.encode_utf16().count();
    // Java computes `(int)(remaining * averageBytesPerChar)` in float.
    let mut capacity = (utf16_units as f32 * 1.1f32) as usize;
    let mut bytes = Zeroizing::new(password.as_bytes().to_vec());
    while bytes.len() > capacity {
        capacity = 2 * capacity + 1;
    }
    bytes.resize(capacity, 0);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_password_bytes_pad_like_java() {
        assert_eq!(legacy_password_bytes("test").as_slice(), b"test");
        assert_eq!(
            legacy_password_bytes("0123456789").as_slice(),
            b"0123456789\0"
        );
        // "é" is one UTF-16 unit and two UTF-8 bytes: capacity 1 grows to 3.
        assert_eq!(legacy_password_bytes("é").as_slice(), b"\xc3\xa9\0");
    }

    /// An encrypted vault with `slots` password slots at scrypt (n, r, p)
    /// and a 32-byte salt; no password opens it.
    fn vault(slots: usize, n: u64, r: u64, p: u64) -> String {
        let hex = |len: usize| "ab".repeat(len);
        let slot = format!(
            r#"{{"type":1,"key":"{}","key_params":{{"nonce":"{}","tag":"{}"}},"n":{n},"r":{r},"p":{p},"salt":"{}","repaired":true}}"#,
            hex(32),
            hex(12),
            hex(16),
            hex(32)
        );
        format!(
            r#"{{"version":1,"header":{{"slots":[{}],"params":{{"nonce":"{}","tag":"{}"}}}},"db":"AAAA"}}"#,
            vec![slot; slots].join(","),
            hex(12),
            hex(16)
        )
    }

    fn refusal(vault: &str) -> Option<String> {
        match Aegis::read(vault.as_bytes()) {
            Ok(Read::Encrypted(_)) => None,
            Err(ImportError::Unsupported { reason, .. }) => Some(reason),
            Ok(Read::Plain(_)) => panic!("read as plain"),
            Err(other) => panic!("refused otherwise: {other:?}"),
        }
    }

    // See: review of the importers, "the scrypt cap leaves out PBKDF2's
    // 128 × r × p bytes": N = 2, r = 1, p = 2^19 was within every cap and
    // took over a second a try.
    #[test]
    fn scrypt_work_in_its_working_blocks_is_counted_before_any_password() {
        let refused = refusal(&vault(1, 2, 1, 1 << 19)).expect("refused");
        assert!(
            refused.starts_with("its key derivation asks for more work than any real Aegis vault")
                && refused.contains("N = 2, r = 1, p = 524288"),
            "{refused}"
        );
        // Nor spread over slots: 64 of them were within the total.
        let refused = refusal(&vault(64, 2, 1, 1 << 14)).expect("refused");
        assert!(refused.contains("64 password slots"), "{refused}");
        // Aegis' own parameters, and four times their work, still open; so
        // does a small N with a working block the PBKDF2 of which takes
        // milliseconds.
        for (n, r, p) in [
            (1 << 15, 8, 1),
            (1 << 16, 4, 4),
            (1 << 16, 8, 1),
            (2, 1, 1 << 15),
        ] {
            assert_eq!(
                refusal(&vault(1, n, r, p)),
                None,
                "N = {n}, r = {r}, p = {p}"
            );
        }
        assert_eq!(refusal(&vault(8, 1 << 15, 8, 1)), None);
    }
}
