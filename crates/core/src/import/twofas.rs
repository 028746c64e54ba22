//! 2FAS Authenticator's `.2fas` backup, schemas 1 to 4, plain or encrypted.
//!
//! Format: the app's backup model
//! (<https://github.com/twofas/2fas-android>, `BackupContent`); Aegis'
//! `TwoFASImporter` reads it the same way. `services` lists the accounts; an
//! encrypted backup holds instead `servicesEncrypted =
//! base64(ciphertext‖tag):base64(salt):base64(iv)`, AES-256-GCM under
//! PBKDF2-HMAC-SHA256(password, salt, 10000, 32 bytes), and `reference`, a
//! known text encrypted the same way that tells a wrong password from a
//! damaged file.
//!
//! Groups are kept: the top-level `groups` list (`{"id", "name"}`, in the
//! clear even in an encrypted backup) names each service's `groupId`. 2FAS
//! has no notes.
//!
//! What the conversion loses: icons, order and badge colours (said once in
//! the preview when a service has a colour of its own).
//! Schema 1 stores no algorithm, digits or period: every entry becomes TOTP
//! SHA1, 6 digits, 30 s. Schema 2 stores no token type: HOTP entries come out
//! as TOTP with a 30 s period (the algorithm and digits are kept). Schemas 3
//! and 4 lose nothing Watchword uses.

use super::{
    as_object, base32_secret, display_name, field_str, group_table, opt_str, opt_u64,
    parse_algorithm, totp_kind, Decrypt, EncryptedBackup, Entries, Extras, Format, GroupName,
    Groups, ImportError, Importer, Probe, Read,
};
use crate::account::{Account, OtpKind};
use crate::crypto;
use serde_json::Value;
use std::collections::HashMap;

/// Newest schema this importer reads.
const MAX_SCHEMA: u64 = 4;
/// PBKDF2 iterations of encrypted backups.
const ITERATIONS: u32 = 10_000;

/// The 2FAS importer.
#[derive(Debug, Clone, Copy)]
pub struct TwoFas;

impl Importer for TwoFas {
    const FORMAT: Format = Format::TwoFas;

    fn detect(probe: &Probe<'_>) -> bool {
        let json = |key| probe.json_has(key);
        let damaged = |key| probe.damaged_json_has(key);
        (json("schemaVersion")
            && (json("services") || json("servicesEncrypted") || json("appOrigin")))
            || damaged("schemaVersion")
            || damaged("servicesEncrypted")
            || damaged("services")
    }

    fn read(bytes: &[u8]) -> Result<Read, ImportError> {
        let doc = super::parse_json(bytes, Self::FORMAT)?;
        let damaged = |part: &str, reason: &str| ImportError::damaged(Self::FORMAT, part, reason);
        if !doc.is_object() {
            return Err(damaged("the file", "it is not a JSON object"));
        }
        match doc.get("schemaVersion").and_then(Value::as_u64) {
            Some(version) if version <= MAX_SCHEMA => {}
            Some(version) => {
                return Err(ImportError::unsupported(
                    Self::FORMAT,
                    format!(
                        "schema version {version} is newer than Watchword reads; update Watchword"
                    ),
                ))
            }
            None => return Err(damaged("schemaVersion", "it is missing or not a number")),
        }
        match doc.get("servicesEncrypted") {
            Some(Value::String(sealed)) => {
                let services = Sealed::parse(sealed, "servicesEncrypted")?;
                let reference = match doc.get("reference") {
                    Some(Value::String(text)) => Some(Sealed::parse(text, "reference")?),
                    _ => None,
                };
                Ok(Read::Encrypted(EncryptedBackup::new(
                    Self::FORMAT,
                    EncryptedServices {
                        services,
                        reference,
                        groups: group_names(&doc),
                    },
                )))
            }
            None | Some(Value::Null) => match doc.get("services") {
                Some(services) => entries_from(services, "services", &group_names(&doc)),
                None => Err(damaged("services", "it is missing")),
            }
            .map(Read::Plain),
            Some(_) => Err(damaged("servicesEncrypted", "it is not text")),
        }
    }
}

/// The backup's groups: id to name.
fn group_names(doc: &Value) -> HashMap<String, GroupName> {
    group_table(
        doc.get("groups")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|group| {
                let id = group.get("id")?.as_str()?;
                Some((id.to_owned(), group.get("name")?.as_str()?))
            }),
    )
}

/// The entries of a `services` list, each with its group's name.
fn entries_from(
    services: &Value,
    part: &str,
    groups: &HashMap<String, GroupName>,
) -> Result<Entries, ImportError> {
    let list = services
        .as_array()
        .ok_or_else(|| ImportError::damaged(Format::TwoFas, part, "it is not a list"))?;
    let mut entries = Entries::new(Format::TwoFas, convert);
    for service in list {
        let (issuer, name) = names(service);
        let colour = service
            .get("badge")
            .and_then(|badge| badge.get("color"))
            .and_then(Value::as_str);
        if colour.is_some_and(|colour| colour != "Default") {
            entries.not_kept("badge colours");
        }
        let extras = Extras {
            note: None,
            groups: Groups::of(
                service
                    .get("groupId")
                    .and_then(Value::as_str)
                    .and_then(|id| groups.get(id)),
            ),
        };
        entries.push_with(display_name(issuer, name), service.clone(), extras);
    }
    Ok(entries)
}

/// (issuer, account name) of a service: the service's name, else the OTP
/// issuer; the OTP account.
fn names(service: &Value) -> (&str, &str) {
    let otp = service.get("otp");
    let issuer = service
        .get("name")
        .and_then(Value::as_str)
        .filter(|name| !name.trim().is_empty())
        .or_else(|| {
            otp.and_then(|otp| otp.get("issuer"))
                .and_then(Value::as_str)
        })
        .unwrap_or("");
    let name = otp
        .and_then(|otp| otp.get("account"))
        .and_then(Value::as_str)
        .unwrap_or("");
    (issuer, name)
}

/// One service to an account.
fn convert(service: &Value) -> Result<Account, String> {
    as_object(service, "the entry")?;
    let secret = base32_secret(field_str(service, "secret")?)?;
    let otp = service.get("otp").ok_or("field \"otp\" is missing")?;
    as_object(otp, "field \"otp\"")?;
    let (issuer, name) = names(service);
    let digits = opt_u64(otp, "digits")?.unwrap_or(6);
    let algorithm = parse_algorithm(opt_str(otp, "algorithm")?.unwrap_or("SHA1"))?;
    let kind = match opt_str(otp, "tokenType")? {
        None => totp_kind(opt_u64(otp, "period")?.unwrap_or(30))?,
        Some(kind) => match kind.to_ascii_uppercase().as_str() {
            "TOTP" => totp_kind(opt_u64(otp, "period")?.unwrap_or(30))?,
            "HOTP" => OtpKind::Hotp {
                counter: opt_u64(otp, "counter")?.unwrap_or(0),
            },
            "STEAM" => OtpKind::Steam,
            _ => {
                return Err(format!(
                    "unsupported token type {}",
                    crate::error::Excerpt::of(kind)
                ))
            }
        },
    };
    super::account(issuer, name, secret, algorithm, digits, kind)
}

/// `base64(ciphertext‖tag):base64(salt):base64(iv)`.
struct Sealed {
    ciphertext: Vec<u8>,
    salt: Vec<u8>,
    iv: Vec<u8>,
}

impl Sealed {
    fn parse(text: &str, part: &str) -> Result<Self, ImportError> {
        let damaged = |reason: &str| ImportError::damaged(Format::TwoFas, part, reason);
        let parts: Vec<&str> = text.split(':').collect();
        let [ciphertext, salt, iv, ..] = parts.as_slice() else {
            return Err(damaged("it does not have its three parts (data:salt:iv)"));
        };
        let decode = |text: &str, what: &str| {
            super::base64_decode(text)
                .ok_or_else(|| damaged(&format!("its {what} is not valid base64")))
        };
        let sealed = Self {
            ciphertext: decode(ciphertext, "data")?,
            salt: decode(salt, "salt")?,
            iv: decode(iv, "iv")?,
        };
        if sealed.iv.len() != 12 || sealed.ciphertext.len() < 16 {
            return Err(damaged("its iv or data is too short"));
        }
        Ok(sealed)
    }

    fn open(&self, password: &str) -> Option<zeroize::Zeroizing<Vec<u8>>> {
        let key = crypto::pbkdf2_sha256(password.as_bytes(), &self.salt, ITERATIONS);
        crypto::aes_gcm_decrypt(key.as_ref(), &self.iv, &self.ciphertext, &[])
    }
}

struct EncryptedServices {
    services: Sealed,
    reference: Option<Sealed>,
    /// The groups, read from the clear part of the file.
    groups: HashMap<String, GroupName>,
}

impl Decrypt for EncryptedServices {
    fn decrypt(
        &self,
        password: &str,
        _cancel: &crate::limits::Cancel,
    ) -> Result<Entries, ImportError> {
        // The reference proves the password; without it a failure is taken
        // for a wrong password, the likelier cause.
        if let Some(reference) = &self.reference {
            reference.open(password).ok_or(ImportError::WrongPassword)?;
        }
        let plaintext = match self.services.open(password) {
            Some(plaintext) => plaintext,
            None if self.reference.is_some() => {
                return Err(ImportError::damaged(
                    Format::TwoFas,
                    "servicesEncrypted",
                    "it does not decrypt although the password is right (altered or truncated)",
                ))
            }
            None => return Err(ImportError::WrongPassword),
        };
        let mut services =
            super::json_from_plaintext(plaintext.to_vec(), Format::TwoFas, "servicesEncrypted")?;
        let entries = entries_from(&services, "servicesEncrypted", &self.groups);
        super::wipe(&mut services);
        entries
    }
}
