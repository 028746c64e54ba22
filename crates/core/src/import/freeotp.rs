//! FreeOTP's token stores: v1 `tokens.xml` and the v2 encrypted backup.
//!
//! Formats, from FreeOTP's source (<https://github.com/freeotp/freeotp-android>)
//! and Aegis' `FreeOtpImporter`:
//!
//! - **v1** (FreeOTP before 2.0): Android shared preferences, `<map>` of
//!   `<string name="issuer:label">{token JSON}</string>` plus a `tokenOrder`.
//!   A token is `{algo, counter, digits, issuerExt, issuerInt, label, period,
//!   secret: [signed bytes], type}`.
//! - **v2** (`externalBackup.xml`, despite the name not XML): a Java-serialised
//!   `java.util.HashMap<String, String>`. `masterKey` holds
//!   `{mAlgorithm: "PBKDF2withHmacSHA512" | "PBKDF2withHmacSHA1", mIterations,
//!   mSalt, mEncryptedKey}`; the master key is AES-256-GCM-encrypted under
//!   PBKDF2(password, mSalt, mIterations, 32 bytes) with `mToken` as the
//!   associated data and the nonce in `mParameters` (DER `SEQUENCE { OCTET
//!   STRING nonce, INTEGER tagLength }`). Each token has two keys: `UUID`
//!   (`{"key": "{encrypted secret, same shape}"}`, encrypted under the master
//!   key) and `UUID-token` (the token JSON without its secret).
//!
//! What the conversion loses: icons, colours and the token order. FreeOTP v1
//! saves an HOTP token's counter *before* the code it last showed, so it comes
//! out one less than the account had when exported (v2 saves it as is). A TOTP
//! token whose issuer is "Steam" becomes a Steam account, as FreeOTP computes
//! those.

use super::{
    as_object, byte_array, display_name, field_str, opt_str, opt_u64, parse_algorithm, totp_kind,
    Decrypt, EncryptedBackup, Entries, Format, ImportError, Importer, Probe, Read,
};
use crate::account::{Account, OtpKind};
use crate::crypto;
use crate::limits::{self, Cancel};
use crate::secret::Secret;
use serde_json::Value;
use std::collections::HashMap;
use zeroize::Zeroizing;

/// The first bytes of a Java object serialisation stream.
pub(crate) const JAVA_SERIALIZATION_MAGIC: [u8; 2] = [0xAC, 0xED];

/// The FreeOTP importer (v1 XML and v2 encrypted backups, told apart by
/// content).
#[derive(Debug, Clone, Copy)]
pub struct FreeOtp;

impl Importer for FreeOtp {
    const FORMAT: Format = Format::FreeOtp;

    fn detect(probe: &Probe<'_>) -> bool {
        match probe {
            Probe::Signature(bytes) => bytes.starts_with(&JAVA_SERIALIZATION_MAGIC),
            Probe::Xml(text) => looks_like_v1(text),
            _ => false,
        }
    }

    fn read(bytes: &[u8]) -> Result<Read, ImportError> {
        if bytes.starts_with(&JAVA_SERIALIZATION_MAGIC) {
            return read_v2(bytes);
        }
        let text = super::text_of(bytes).ok_or_else(|| {
            ImportError::damaged(
                Self::FORMAT,
                "the file",
                "it is neither XML nor a FreeOTP 2 backup",
            )
        })?;
        let mut entries = Entries::new(Self::FORMAT, convert_token);
        // Every token is its own JSON document: their values share one
        // budget, as one document's would.
        let mut values = 0usize;
        for (key, value) in super::android_prefs_strings(text, Self::FORMAT)? {
            if key == "tokenOrder" {
                continue;
            }
            values += super::json_values(&value)?;
            if values > limits::MAX_JSON_VALUES {
                return Err(too_many_values());
            }
            match serde_json::from_str::<Value>(&value) {
                Ok(token) => {
                    let shown = token_name(&token).or_else(|| display_name("", &key));
                    entries.push(shown, token);
                }
                Err(_) => entries.push_error(display_name("", &key), "the token is not valid JSON"),
            }
        }
        Ok(Read::Plain(entries))
    }
}

/// The tokens' JSON, together, holds more values than one backup may.
fn too_many_values() -> ImportError {
    ImportError::too_large(format!(
        "its tokens hold more than {} JSON values, more than any real backup",
        limits::MAX_JSON_VALUES
    ))
}

/// True for a FreeOTP v1 `tokens.xml`.
pub(crate) fn looks_like_v1(text: &str) -> bool {
    text.contains("<map") && (text.contains("tokenOrder") || text.contains("issuerExt"))
}

/// "Issuer (label)" of a token JSON.
pub(crate) fn token_name(token: &Value) -> Option<String> {
    let issuer = token
        .get("issuerExt")
        .and_then(Value::as_str)
        .filter(|issuer| !issuer.is_empty())
        .or_else(|| token.get("issuerInt").and_then(Value::as_str))
        .unwrap_or("");
    let label = token.get("label").and_then(Value::as_str).unwrap_or("");
    display_name(issuer, label)
}

/// One FreeOTP (or FreeOTP+) token to an account.
pub(crate) fn convert_token(token: &Value) -> Result<Account, String> {
    as_object(token, "the token")?;
    let issuer = match opt_str(token, "issuerExt")? {
        Some(issuer) if !issuer.is_empty() => issuer,
        _ => opt_str(token, "issuerInt")?.unwrap_or(""),
    };
    let name = opt_str(token, "label")?.unwrap_or("");
    let secret = Secret::from_bytes(byte_array(token, "secret")?);
    let algorithm = parse_algorithm(opt_str(token, "algo")?.unwrap_or("SHA1"))?;
    let digits = opt_u64(token, "digits")?.unwrap_or(6);
    let kind = match field_str(token, "type")?.to_ascii_uppercase().as_str() {
        "TOTP" if issuer == "Steam" => OtpKind::Steam,
        "TOTP" => totp_kind(opt_u64(token, "period")?.unwrap_or(30))?,
        "HOTP" => OtpKind::Hotp {
            counter: opt_u64(token, "counter")?.unwrap_or(0),
        },
        other => {
            return Err(format!(
                "unsupported token type {}",
                crate::error::Excerpt::of(other)
            ))
        }
    };
    super::account(issuer, name, secret, algorithm, digits, kind)
}

// ----- v2 ------------------------------------------------------------------

/// The Java-serialisation reader on its own, for the fuzz targets.
#[cfg(feature = "fuzzing")]
pub(crate) fn java_string_map(bytes: &[u8]) -> Result<Vec<(String, String)>, String> {
    java::parse_string_map(bytes).map_err(|error| match error {
        java::Error::Damaged(reason) => reason,
        java::Error::TooLarge => "its strings decode to more than the budget".to_owned(),
    })
}

fn read_v2(bytes: &[u8]) -> Result<Read, ImportError> {
    let map = java::parse_string_map(bytes).map_err(|error| match error {
        java::Error::Damaged(reason) => {
            ImportError::damaged(Format::FreeOtp, "the serialised map", reason)
        }
        java::Error::TooLarge => ImportError::too_large(format!(
            "its serialised strings decode to more than {} MB (counting each back-reference as the copy it makes); real backups are kilobytes",
            limits::MAX_DECODED_BYTES / (1024 * 1024)
        )),
    })?;
    if map.len() > 2 * limits::MAX_ENTRIES + 1 {
        return Err(ImportError::too_large(format!(
            "it holds {} tokens, more than the {} Watchword reads from one file",
            map.len() / 2,
            limits::MAX_ENTRIES
        )));
    }
    let master_text = map
        .iter()
        .find(|(key, _)| key == "masterKey")
        .map(|(_, value)| value.as_str())
        .ok_or_else(|| ImportError::damaged(Format::FreeOtp, "masterKey", "it is missing"))?;
    let master = MasterKey::parse(master_text)?;
    Ok(Read::Encrypted(EncryptedBackup::new(
        Format::FreeOtp,
        EncryptedTokens { master, map },
    )))
}

/// The password-wrapped master key of a v2 backup.
struct MasterKey {
    sha512: bool,
    iterations: u32,
    salt: Vec<u8>,
    sealed: SealedBytes,
}

impl MasterKey {
    fn parse(text: &str) -> Result<Self, ImportError> {
        let damaged = |reason: String| ImportError::damaged(Format::FreeOtp, "masterKey", reason);
        // Within the JSON budgets, as the file around it was.
        super::fields::json_values(text)?;
        let value: Value =
            serde_json::from_str(text).map_err(|_| damaged("it is not valid JSON".into()))?;
        let sha512 = match field_str(&value, "mAlgorithm").map_err(damaged)? {
            "PBKDF2withHmacSHA512" => true,
            "PBKDF2withHmacSHA1" => false,
            other => {
                return Err(ImportError::unsupported(
                    Format::FreeOtp,
                    format!(
                        "unknown key derivation {}",
                        crate::error::Excerpt::of(other)
                    ),
                ))
            }
        };
        let iterations = opt_u64(&value, "mIterations")
            .map_err(damaged)?
            .filter(|&n| n >= 1)
            .ok_or_else(|| damaged("mIterations is missing or not a positive number".into()))?;
        if iterations > u64::from(limits::FREEOTP_MAX_PBKDF2_ITERATIONS) {
            return Err(ImportError::unsupported(
                Format::FreeOtp,
                format!(
                    "its key derivation asks for more work than any real FreeOTP backup \
                     ({iterations} PBKDF2 iterations; FreeOTP uses 100000, Watchword reads up to {})",
                    limits::FREEOTP_MAX_PBKDF2_ITERATIONS
                ),
            ));
        }
        let encrypted = value
            .get("mEncryptedKey")
            .ok_or_else(|| damaged("mEncryptedKey is missing".into()))?;
        Ok(Self {
            sha512,
            iterations: iterations as u32,
            salt: byte_array(&value, "mSalt").map_err(damaged)?,
            sealed: SealedBytes::parse(encrypted).map_err(damaged)?,
        })
    }

    fn unwrap(&self, password: &str) -> Option<Zeroizing<Vec<u8>>> {
        let key = if self.sha512 {
            crypto::pbkdf2_sha512(password.as_bytes(), &self.salt, self.iterations)
        } else {
            crypto::pbkdf2_sha1(password.as_bytes(), &self.salt, self.iterations)
        };
        self.sealed.open(key.as_ref())
    }
}

/// FreeOTP's `EncryptedKey`: AES-GCM ciphertext with its nonce (inside DER
/// parameters) and the associated data (`mToken`).
struct SealedBytes {
    ciphertext: Vec<u8>,
    nonce: Vec<u8>,
    aad: Vec<u8>,
}

impl SealedBytes {
    fn parse(value: &Value) -> Result<Self, String> {
        let cipher = field_str(value, "mCipher")?;
        if cipher != "AES/GCM/NoPadding" {
            return Err(format!(
                "unknown cipher {}",
                crate::error::Excerpt::of(cipher)
            ));
        }
        let parameters = byte_array(value, "mParameters")?;
        let nonce = der_nonce(&parameters).ok_or("its mParameters hold no nonce")?;
        if nonce.len() != 12 {
            return Err("its nonce is not 12 bytes long".into());
        }
        Ok(Self {
            ciphertext: byte_array(value, "mCipherText")?,
            nonce,
            aad: field_str(value, "mToken")?.as_bytes().to_vec(),
        })
    }

    fn open(&self, key: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        crypto::aes_gcm_decrypt(key, &self.nonce, &self.ciphertext, &self.aad)
    }
}

/// The OCTET STRING of DER-encoded GCM parameters: either the octet string
/// itself or the first one inside a SEQUENCE.
fn der_nonce(der: &[u8]) -> Option<Vec<u8>> {
    /// (tag, content, rest) of the DER element at the start of `bytes`
    /// (short and long length forms).
    fn element(bytes: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let (&tag, rest) = bytes.split_first()?;
        let (&first, rest) = rest.split_first()?;
        let (length, rest) = if first < 0x80 {
            (usize::from(first), rest)
        } else {
            let count = usize::from(first & 0x7f);
            if count == 0 || count > 4 {
                return None;
            }
            let (digits, rest) = (rest.get(..count)?, rest.get(count..)?);
            let length = digits
                .iter()
                .fold(0usize, |n, &b| (n << 8) | usize::from(b));
            (length, rest)
        };
        Some((tag, rest.get(..length)?, rest.get(length..)?))
    }
    const OCTET_STRING: u8 = 0x04;
    const SEQUENCE: u8 = 0x30;
    let (tag, content, _) = element(der)?;
    match tag {
        OCTET_STRING => Some(content.to_vec()),
        SEQUENCE => {
            let mut rest = content;
            while !rest.is_empty() {
                let (tag, content, next) = element(rest)?;
                if tag == OCTET_STRING {
                    return Some(content.to_vec());
                }
                rest = next;
            }
            None
        }
        _ => None,
    }
}

struct EncryptedTokens {
    master: MasterKey,
    map: Vec<(String, String)>,
}

impl Decrypt for EncryptedTokens {
    fn decrypt(&self, password: &str, cancel: &Cancel) -> Result<Entries, ImportError> {
        let master = self
            .master
            .unwrap(password)
            .ok_or(ImportError::WrongPassword)?;
        // Looked up by key, not searched: thousands of tokens stay linear.
        // The first of a repeated key wins, as a search would find it.
        let mut by_key: HashMap<&str, &str> = HashMap::with_capacity(self.map.len());
        for (key, value) in &self.map {
            by_key.entry(key.as_str()).or_insert(value.as_str());
        }
        let mut entries = Entries::new(Format::FreeOtp, convert_token);
        let mut values = 0usize;
        for (key, value) in &self.map {
            if let Some(uuid) = key.strip_suffix("-token") {
                // A token is read with its secret, below. One whose secret
                // is not in the file (left out, or null, which the map
                // leaves out) would otherwise vanish without a word.
                if !(by_key.contains_key(uuid) && is_secret_key(uuid)) {
                    count_values(&mut values, value)?;
                    let token = serde_json::from_str::<Value>(value).ok();
                    entries.push_error(
                        token.as_ref().and_then(token_name),
                        "its secret is missing from the backup",
                    );
                }
                continue;
            }
            if !is_secret_key(key) {
                continue;
            }
            if cancel.is_cancelled() {
                return Err(ImportError::Cancelled);
            }
            let token_key = format!("{key}-token");
            let token_text = by_key.get(token_key.as_str()).copied();
            if let Some(text) = token_text {
                count_values(&mut values, text)?;
            }
            let token = token_text.and_then(|v| serde_json::from_str::<Value>(v).ok());
            let Some(mut token) = token.filter(Value::is_object) else {
                entries.push_error(None, "its token description is missing or not valid JSON");
                continue;
            };
            let shown = token_name(&token);
            match decrypt_secret(value, &master, &mut values)? {
                Ok(secret) => {
                    let bytes: Vec<Value> = secret.iter().map(|&b| Value::from(b)).collect();
                    if let Some(object) = token.as_object_mut() {
                        object.insert("secret".to_owned(), Value::Array(bytes));
                    }
                    entries.push(shown, token);
                }
                Err(reason) => entries.push_error(shown, reason),
            }
        }
        Ok(entries)
    }
}

/// True for a key of the map that holds a token's encrypted secret: one
/// neither the master key nor a token's description (`UUID-token`).
fn is_secret_key(key: &str) -> bool {
    key != "masterKey" && !key.ends_with("-token")
}

/// Adds the JSON values of `text` to the file's count: the tokens' JSON,
/// all of it, is held to the budget of a file of JSON.
fn count_values(values: &mut usize, text: &str) -> Result<(), ImportError> {
    *values = values.saturating_add(super::json_values(text)?);
    if *values > limits::MAX_JSON_VALUES {
        return Err(too_many_values());
    }
    Ok(())
}

/// The secret of one token: `{"key": "{EncryptedKey JSON}"}` opened with the
/// master key; the outer error is the whole file's (its JSON over budget,
/// counted in `values`), the inner one this token's.
fn decrypt_secret(
    value: &str,
    master: &[u8],
    values: &mut usize,
) -> Result<Result<Zeroizing<Vec<u8>>, String>, ImportError> {
    let not_json = || "its encrypted key is not valid JSON".to_owned();
    count_values(values, value)?;
    let Ok(outer) = serde_json::from_str::<Value>(value) else {
        return Ok(Err(not_json()));
    };
    let text = match field_str(&outer, "key") {
        Ok(text) => text,
        Err(reason) => return Ok(Err(reason)),
    };
    count_values(values, text)?;
    let Ok(inner) = serde_json::from_str::<Value>(text) else {
        return Ok(Err(not_json()));
    };
    Ok(SealedBytes::parse(&inner).and_then(|sealed| {
        sealed.open(master).ok_or_else(|| {
            "its secret does not decrypt with the backup's master key (damaged)".into()
        })
    }))
}

mod java;

#[cfg(test)]
mod tests {
    use super::*;

    /// A token's encrypted key is JSON inside JSON: both count toward the
    /// file's budget, before either is parsed.
    #[test]
    fn a_tokens_key_json_counts_toward_the_budget() {
        let many = format!("[{}0]", "0,".repeat(limits::MAX_JSON_VALUES));
        let inner = serde_json::json!({ "mCipherText": serde_json::Value::String(String::new()) });
        let crafted = serde_json::json!({ "key": inner.to_string().replace("\"\"", &many) });
        let mut values = 0;
        match decrypt_secret(&crafted.to_string(), &[0; 32], &mut values) {
            Err(ImportError::TooLarge { .. }) => {}
            other => panic!("expected the budget to refuse it, got {other:?}"),
        }
        // Within the budget, a token of its own is only this token's
        // failure, counted.
        let mut values = 0;
        match decrypt_secret(r#"{"key":"[1,2]"}"#, &[0; 32], &mut values) {
            Ok(Err(_)) => assert!(values > 2, "only the outer JSON counted: {values}"),
            other => panic!("expected this token's failure, got {other:?}"),
        }
    }

    fn fixture_v2() -> Vec<u8> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/fixtures/importers/freeotp_v2_api34.xml"
        );
        std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// The first token of the map whose secret is there, by its UUID, and
    /// its "Issuer (label)".
    fn first_token(map: &[(String, String)]) -> (String, String) {
        let (uuid, _) = map
            .iter()
            .find(|(key, _)| key != "masterKey" && !key.ends_with("-token"))
            .expect("a token");
        let (_, description) = map
            .iter()
            .find(|(key, _)| *key == format!("{uuid}-token"))
            .expect("its description");
        let token: Value = serde_json::from_str(description).expect("JSON");
        (uuid.clone(), token_name(&token).expect("named"))
    }

    fn errors_opening(read: Read) -> (usize, Vec<crate::import::EntryError>) {
        let Read::Encrypted(backup) = read else {
            panic!("a v2 backup is encrypted")
        };
        let conversion = backup.decrypt("test").expect("opens").convert();
        (conversion.accounts.len(), conversion.errors)
    }

    // See: review of the importers, "a FreeOTP token without its secret
    // disappears silently".
    #[test]
    fn a_token_whose_secret_is_missing_or_null_is_reported_by_name() {
        let bytes = fixture_v2();
        let map = java::parse_string_map(&bytes).expect("the fixture's map");
        let (uuid, name) = first_token(&map);
        let (all, errors) = errors_opening(read_v2(&bytes).expect("read"));
        assert!(errors.is_empty(), "{errors:?}");

        // Its secret's entry left out of the map.
        let without: Vec<(String, String)> = map
            .iter()
            .filter(|(key, _)| *key != uuid)
            .cloned()
            .collect();
        let backup = EncryptedTokens {
            master: MasterKey::parse(
                &map.iter()
                    .find(|(key, _)| key == "masterKey")
                    .expect("masterKey")
                    .1,
            )
            .expect("the master key"),
            map: without,
        };
        let conversion = backup
            .decrypt("test", &Cancel::new())
            .expect("opens")
            .convert();
        assert_eq!(conversion.accounts.len(), all - 1);
        assert_eq!(conversion.errors.len(), 1, "{:?}", conversion.errors);
        assert_eq!(conversion.errors[0].name.as_deref(), Some(name.as_str()));
        assert_eq!(
            conversion.errors[0].reason,
            "its secret is missing from the backup"
        );

        // Its secret a Java null: the string after its key becomes
        // TC_NULL (the fixture holds no back-reference it would shift).
        let mut key = vec![0x74];
        key.extend_from_slice(&(uuid.len() as u16).to_be_bytes());
        key.extend_from_slice(uuid.as_bytes());
        let at = bytes
            .windows(key.len())
            .position(|window| window == key.as_slice())
            .expect("the key in the stream")
            + key.len();
        assert_eq!(bytes[at], 0x74, "a short string follows");
        let len = usize::from(u16::from_be_bytes([bytes[at + 1], bytes[at + 2]]));
        let nulled = [&bytes[..at], &[0x70][..], &bytes[at + 3 + len..]].concat();
        let (accounts, errors) = errors_opening(read_v2(&nulled).expect("read"));
        assert_eq!(accounts, all - 1);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].name.as_deref(), Some(name.as_str()));
    }

    #[test]
    fn der_nonce_from_gcm_parameters() {
        let der = [
            48, 17, 4, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 2, 1, 16,
        ];
        assert_eq!(der_nonce(&der), Some((1..=12).collect()));
        assert_eq!(der_nonce(&[4, 2, 9, 9]), Some(vec![9, 9]));
        assert_eq!(der_nonce(&[48, 3, 2, 1, 16]), None);
        assert_eq!(der_nonce(&[48, 20, 4]), None);
    }
}
