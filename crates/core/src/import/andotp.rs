//! andOTP's backups: plain JSON, encrypted (`.json.aes`), and the old
//! encrypted format of andOTP before 0.6.3.
//!
//! Format: andOTP's `BackupHelper` and `EncryptionHelper`
//! (<https://github.com/andOTP/andOTP>), as Aegis' `AndOtpImporter` reads it.
//! Plain: a JSON array of entries `{secret, issuer, label, digits, type,
//! algorithm, period | counter, …}`. Encrypted: `[u32 BE iterations][12-byte
//! salt][12-byte nonce][ciphertext‖tag]` with AES-256-GCM under
//! PBKDF2-HMAC-SHA1(password, salt, iterations, 32 bytes). Old encrypted:
//! `[12-byte nonce][ciphertext‖tag]` with the key SHA-256(password).
//! Neither encrypted format has a signature, so the new layout is tried first
//! and the old one after it.
//!
//! Tags (`tags`) are kept as groups. What the conversion loses: thumbnails
//! and usage counts (said once in the preview when used). Entries without
//! an `issuer` field (the old format) have their label split at the first
//! " - " into issuer and name, as andOTP displayed them; the old format's
//! labels were "Issuer - Issuer:Name", so the name comes out as "Issuer:Name".

use super::{
    as_object, base32_secret, display_name, field_str, opt_str, opt_u64, parse_algorithm,
    totp_kind, Decrypt, EncryptedBackup, Entries, Extras, Format, Groups, ImportError, Importer,
    Probe, Read,
};
use crate::account::{Account, OtpKind};
use crate::crypto;
use serde_json::Value;
use sha2::Digest;

const SALT_LEN: usize = 12;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// Largest PBKDF2 iteration count accepted: andOTP picks 140 000 to 160 000;
/// more than this would be a damaged header, not a setting.
const MAX_ITERATIONS: u32 = crate::limits::ANDOTP_MAX_PBKDF2_ITERATIONS;

/// The andOTP importer.
#[derive(Debug, Clone, Copy)]
pub struct AndOtp;

impl Importer for AndOtp {
    const FORMAT: Format = Format::AndOtp;

    fn detect(probe: &Probe<'_>) -> bool {
        match probe {
            // The encrypted backup has no signature: binary data is taken
            // for one (a wrong password then says so).
            Probe::Binary(bytes) => could_be_encrypted(bytes),
            // The plain export is a bare array of entries.
            Probe::Json(Value::Array(items)) => items
                .iter()
                .all(|item| item.get("secret").is_some() && item.get("type").is_some()),
            Probe::DamagedJson(text) => text.starts_with('[') && probe.damaged_json_has("secret"),
            _ => false,
        }
    }

    fn read(bytes: &[u8]) -> Result<Read, ImportError> {
        let looks_like_json = super::text_of(bytes)
            .map(str::trim_start)
            .is_some_and(|text| text.starts_with('['));
        if looks_like_json {
            let doc = super::parse_json(bytes, Self::FORMAT)?;
            return entries_from(&doc, "the file").map(Read::Plain);
        }
        if !could_be_encrypted(bytes) {
            return Err(ImportError::damaged(
                Self::FORMAT,
                "the file",
                "it is too short to be an encrypted andOTP backup (truncated?)",
            ));
        }
        Ok(Read::Encrypted(EncryptedBackup::new(
            Self::FORMAT,
            EncryptedAndOtp {
                data: bytes.to_vec(),
            },
        )))
    }
}

/// True when `bytes` could be an encrypted andOTP backup: binary, and long
/// enough for a nonce, a tag and at least `[]`.
/// Files of other kinds that people drop by mistake (screenshots, documents,
/// archives) are recognised by their signatures and not taken for one.
pub(crate) fn could_be_encrypted(bytes: &[u8]) -> bool {
    /// Signatures of 3 bytes or more: an old-format backup starts with a
    /// random nonce, which matches one of these about once in 16 million.
    const OTHER_FILES: [&[u8]; 8] = [
        b"\x89PNG",
        b"\xFF\xD8\xFF",
        b"GIF8",
        b"%PDF",
        b"PK\x03\x04",
        b"RIFF",
        b"\x1F\x8B\x08",
        b"7z\xBC\xAF",
    ];
    bytes.len() >= NONCE_LEN + TAG_LEN + 2
        && super::text_of(bytes).is_none()
        && !OTHER_FILES.iter().any(|magic| bytes.starts_with(magic))
}

/// The entries of a decrypted (or plain) JSON array.
fn entries_from(doc: &Value, part: &str) -> Result<Entries, ImportError> {
    let list = doc
        .as_array()
        .ok_or_else(|| ImportError::damaged(Format::AndOtp, part, "it is not a list of entries"))?;
    let mut entries = Entries::new(Format::AndOtp, convert);
    for entry in list {
        let (issuer, name) = names(entry);
        if entry
            .get("used_frequency")
            .and_then(Value::as_u64)
            .is_some_and(|n| n > 0)
        {
            entries.not_kept("usage counts");
        }
        let extras = Extras {
            note: None,
            groups: Groups::named(
                entry
                    .get("tags")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str),
            ),
        };
        entries.push_with(display_name(&issuer, &name), entry.clone(), extras);
    }
    Ok(entries)
}

/// (issuer, name): the `issuer` field and the label, or the label split at
/// its first " - ".
fn names(entry: &Value) -> (String, String) {
    let label = entry.get("label").and_then(Value::as_str).unwrap_or("");
    match entry.get("issuer").and_then(Value::as_str) {
        Some(issuer) if !issuer.trim().is_empty() => (issuer.to_owned(), label.to_owned()),
        _ => match label.split_once(" - ") {
            Some((issuer, name)) => (issuer.to_owned(), name.to_owned()),
            None => (String::new(), label.to_owned()),
        },
    }
}

fn convert(entry: &Value) -> Result<Account, String> {
    as_object(entry, "the entry")?;
    let secret = base32_secret(field_str(entry, "secret")?)?;
    let (issuer, name) = names(entry);
    let algorithm = parse_algorithm(opt_str(entry, "algorithm")?.unwrap_or("SHA1"))?;
    let digits = opt_u64(entry, "digits")?.unwrap_or(6);
    let kind = match field_str(entry, "type")?.to_ascii_uppercase().as_str() {
        "TOTP" => totp_kind(opt_u64(entry, "period")?.unwrap_or(30))?,
        "HOTP" => OtpKind::Hotp {
            counter: opt_u64(entry, "counter")?.unwrap_or(0),
        },
        "STEAM" => OtpKind::Steam,
        other => {
            return Err(format!(
                "unsupported token type {}",
                crate::error::Excerpt::of(other)
            ))
        }
    };
    super::account(&issuer, &name, secret, algorithm, digits, kind)
}

struct EncryptedAndOtp {
    data: Vec<u8>,
}

impl EncryptedAndOtp {
    /// The new format: PBKDF2 with the iterations and salt of the header.
    fn open_new(&self, password: &str) -> Option<zeroize::Zeroizing<Vec<u8>>> {
        let iterations = u32::from_be_bytes(self.data.get(..4)?.try_into().ok()?);
        if !(1..=MAX_ITERATIONS).contains(&iterations) {
            return None;
        }
        let salt = self.data.get(4..4 + SALT_LEN)?;
        let nonce = self.data.get(4 + SALT_LEN..4 + SALT_LEN + NONCE_LEN)?;
        let sealed = self.data.get(4 + SALT_LEN + NONCE_LEN..)?;
        if sealed.len() < TAG_LEN {
            return None;
        }
        let key = crypto::pbkdf2_sha1(password.as_bytes(), salt, iterations);
        crypto::aes_gcm_decrypt(key.as_ref(), nonce, sealed, &[])
    }

    /// The old format: the key is the SHA-256 of the password.
    fn open_old(&self, password: &str) -> Option<zeroize::Zeroizing<Vec<u8>>> {
        let nonce = self.data.get(..NONCE_LEN)?;
        let sealed = self.data.get(NONCE_LEN..)?;
        let mut key = sha2::Sha256::digest(password.as_bytes());
        let plaintext = crypto::aes_gcm_decrypt(key.as_slice(), nonce, sealed, &[]);
        zeroize::Zeroize::zeroize(key.as_mut_slice());
        plaintext
    }
}

impl Decrypt for EncryptedAndOtp {
    fn decrypt(
        &self,
        password: &str,
        _cancel: &crate::limits::Cancel,
    ) -> Result<Entries, ImportError> {
        let plaintext = self
            .open_new(password)
            .or_else(|| self.open_old(password))
            .ok_or(ImportError::WrongPassword)?;
        let mut doc = super::json_from_plaintext(
            plaintext.to_vec(),
            Format::AndOtp,
            "the decrypted entries",
        )?;
        let entries = entries_from(&doc, "the decrypted entries");
        super::wipe(&mut doc);
        entries
    }
}
