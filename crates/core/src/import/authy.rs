//! Authy's Android token store, plain or encrypted.
//!
//! Format: Authy publishes none; this follows Aegis' `AuthyImporter`
//! (<https://github.com/beemdevelopment/Aegis/blob/master/app/src/main/java/com/beemdevelopment/aegis/importers/AuthyImporter.java>).
//! The shared preferences file `com.authy.storage.tokens.authenticator.xml`
//! (and `…tokens.authy.xml`) of Authy for Android is a `<map>` whose
//! string `com.authy.storage.tokens.authenticator.key` holds a JSON array of
//! tokens `{accountType, digits, decryptedSecret | encryptedSecret + salt,
//! originalIssuer, originalName, name, …}`. An encrypted token's secret is the
//! base32 key encrypted with AES-256-CBC (PKCS#7, zero IV) under
//! PBKDF2-HMAC-SHA1(backup password, salt as UTF-8, 1000, 32 bytes). Authy's
//! own accounts (`secretSeed`, hex) are 7-digit 10 s TOTP.
//!
//! What the conversion loses: Authy stores neither the algorithm nor the
//! period, so every account becomes SHA1 with a 30 s period (10 s for Authy's
//! own tokens); logos and upload state are dropped. The issuer comes from
//! `originalIssuer`, else the part of `originalName` before ":", else the
//! part of `name` before " - ", else the account type; it is removed from the
//! front of `name`.

use super::{
    as_object, base32_secret, display_name, opt_str, opt_u64, Decrypt, EncryptedBackup, Entries,
    Format, ImportError, Importer, Probe, Read,
};
use crate::account::{Account, Algorithm, OtpKind};
use crate::crypto;
use crate::secret::Secret;
use serde_json::Value;

/// The preference keys that hold token lists.
const TOKEN_KEYS: [&str; 2] = [
    "com.authy.storage.tokens.authenticator.key",
    "com.authy.storage.tokens.authy.key",
];
const ITERATIONS: u32 = 1000;
const IV: [u8; 16] = [0; 16];

/// The Authy importer.
#[derive(Debug, Clone, Copy)]
pub struct Authy;

impl Importer for Authy {
    const FORMAT: Format = Format::Authy;

    fn detect(probe: &Probe<'_>) -> bool {
        matches!(probe, Probe::Xml(text) if looks_like(text))
    }

    fn read(bytes: &[u8]) -> Result<Read, ImportError> {
        let text = super::text_of(bytes).ok_or_else(|| {
            ImportError::damaged(Self::FORMAT, "the file", "it is not UTF-8 text")
        })?;
        let strings = super::android_prefs_strings(text, Self::FORMAT)?;
        let (key, list) = strings
            .iter()
            .find(|(name, _)| TOKEN_KEYS.contains(&name.as_str()))
            .ok_or_else(|| {
                ImportError::damaged(Self::FORMAT, "the file", "it holds no Authy token list")
            })?;
        let tokens = super::json_from_str(list, Self::FORMAT, key)?;
        let tokens = match tokens {
            Value::Array(tokens) => tokens,
            _ => {
                return Err(ImportError::damaged(
                    Self::FORMAT,
                    key.as_str(),
                    "it is not a list",
                ))
            }
        };
        // Only a secret to decrypt makes the file an encrypted one. A file
        // of clear tokens (one of them with no secret at all) taken for
        // encrypted would open with any password, and so pass for a backup
        // made with that password: Watchword's automatic-backup restore
        // trusts exactly that. Read as plain, it is refused there, and a
        // token without a secret is an entry error here.
        let sealed = tokens.iter().filter(|t| is_sealed(t)).count() as u64;
        if sealed == 0 {
            return Ok(Read::Plain(entries_from(tokens)));
        }
        // A key is derived per token: their number bounds the work.
        if sealed * u64::from(ITERATIONS) > crate::limits::MAX_TOTAL_PBKDF2_ITERATIONS {
            return Err(ImportError::unsupported(
                Self::FORMAT,
                format!(
                    "its key derivation asks for more work than any real Authy backup \
                     ({sealed} encrypted tokens, {} at most)",
                    crate::limits::MAX_TOTAL_PBKDF2_ITERATIONS / u64::from(ITERATIONS)
                ),
            ));
        }
        Ok(Read::Encrypted(EncryptedBackup::new(
            Self::FORMAT,
            EncryptedTokens { tokens },
        )))
    }
}

/// True for a token whose secret is there only encrypted: the ones the
/// password has to open.
fn is_sealed(token: &Value) -> bool {
    token.get("encryptedSecret").is_some()
        && token.get("decryptedSecret").is_none()
        && token.get("secretSeed").is_none()
}

/// True for an Authy token store.
pub(crate) fn looks_like(text: &str) -> bool {
    text.contains("<map") && text.contains("com.authy.storage.tokens.")
}

fn entries_from(tokens: Vec<Value>) -> Entries {
    let mut entries = Entries::new(Format::Authy, convert);
    for token in tokens {
        let (issuer, name) = names(&token);
        entries.push(display_name(&issuer, &name), token);
    }
    entries
}

/// (issuer, name) as Aegis derives them from Authy's fields.
fn names(token: &Value) -> (String, String) {
    let text = |key: &str| token.get(key).and_then(Value::as_str);
    let mut name = text("name").unwrap_or("").to_owned();
    if token.get("secretSeed").is_some() {
        // Authy's own accounts: the name is the service.
        return (name, String::new());
    }
    let (issuer, separator) = if let Some(issuer) = text("originalIssuer") {
        (issuer.to_owned(), "")
    } else if let Some((issuer, _)) = text("originalName").and_then(|n| n.split_once(':')) {
        (issuer.to_owned(), ":")
    } else if let Some((issuer, _)) = name.split_once(" - ") {
        (issuer.to_owned(), " - ")
    } else {
        let kind = text("accountType").unwrap_or("");
        let mut chars = kind.chars();
        let capitalised = chars
            .next()
            .map(|first| first.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
        (capitalised, "")
    };
    let prefix = format!("{issuer}{separator}");
    if !prefix.is_empty() {
        name = name.replace(&prefix, "");
    }
    let name = name.strip_prefix(": ").unwrap_or(&name).to_owned();
    (issuer, name)
}

fn convert(token: &Value) -> Result<Account, String> {
    as_object(token, "the token")?;
    let (issuer, name) = names(token);
    let digits = opt_u64(token, "digits")?.unwrap_or(6);
    if let Some(seed) = opt_str(token, "secretSeed")? {
        let bytes = super::hex_decode(seed).ok_or("field \"secretSeed\" is not hex")?;
        return super::account(
            &issuer,
            &name,
            Secret::from_bytes(bytes),
            Algorithm::Sha1,
            digits,
            OtpKind::Totp { period: 10 },
        );
    }
    let secret = match opt_str(token, "decryptedSecret")? {
        Some(text) => base32_secret(text)?,
        None => return Err("the token has no secret".into()),
    };
    super::account(
        &issuer,
        &name,
        secret,
        Algorithm::Sha1,
        digits,
        OtpKind::Totp { period: 30 },
    )
}

struct EncryptedTokens {
    tokens: Vec<Value>,
}

/// The base32 secret of one encrypted token, or `None` when the password
/// does not open it.
fn decrypt_token(token: &Value, password: &str) -> Option<String> {
    let sealed = token.get("encryptedSecret")?.as_str()?;
    let salt = token.get("salt")?.as_str()?;
    let ciphertext = super::base64_decode(sealed)?;
    let key = crypto::pbkdf2_sha1(password.as_bytes(), salt.as_bytes(), ITERATIONS);
    let plaintext = crypto::aes_cbc_decrypt(key.as_ref(), &IV, &ciphertext)?;
    let text = std::str::from_utf8(&plaintext).ok()?.to_owned();
    // A wrong key passes the padding check now and then; its noise is not
    // base32.
    base32_secret(&text).ok()?;
    Some(text)
}

impl Decrypt for EncryptedTokens {
    fn decrypt(
        &self,
        password: &str,
        cancel: &crate::limits::Cancel,
    ) -> Result<Entries, ImportError> {
        let mut tokens = self.tokens.clone();
        let mut opened = 0;
        let mut failed = std::collections::HashSet::new();
        for (index, token) in tokens.iter_mut().enumerate() {
            if !is_sealed(token) {
                continue;
            }
            if cancel.is_cancelled() {
                break;
            }
            match decrypt_token(token, password) {
                Some(secret) => {
                    opened += 1;
                    if let Some(object) = token.as_object_mut() {
                        object.remove("encryptedSecret");
                        object.remove("salt");
                        object.insert("decryptedSecret".into(), Value::String(secret));
                    }
                }
                None => {
                    failed.insert(index);
                }
            }
        }
        if cancel.is_cancelled() {
            // Secrets opened so far are wiped, not left for the allocator.
            tokens.iter_mut().for_each(super::wipe);
            return Err(ImportError::Cancelled);
        }
        // Only a secret that opened shows the password right: a backup
        // nothing of which decrypts does not open, whatever else it holds.
        if opened == 0 {
            return Err(ImportError::WrongPassword);
        }
        // The password opened other tokens, so these are damaged.
        let mut entries = Entries::new(Format::Authy, convert);
        for (index, token) in tokens.into_iter().enumerate() {
            let (issuer, name) = names(&token);
            if failed.contains(&index) {
                entries.push_error(
                    display_name(&issuer, &name),
                    "its secret does not decrypt although the password opened other tokens (damaged)",
                );
            } else {
                entries.push(display_name(&issuer, &name), token);
            }
        }
        Ok(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Cancel;

    /// An Authy token store holding `tokens` (a JSON array) as Authy
    /// writes it: escaped into one string of the preferences file.
    fn token_store(tokens: &str) -> Vec<u8> {
        let escaped = tokens.replace('&', "&amp;").replace('"', "&quot;");
        format!(
            "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n    \
             <string name=\"com.authy.storage.tokens.authenticator.key\">{escaped}</string>\n</map>\n"
        )
        .into_bytes()
    }

    /// One clear token, and one with no secret at all: nothing to decrypt.
    const CLEAR_AND_NO_SECRET: &str = r#"[
        {"accountType":"authenticator","decryptedSecret":"JBSWY3DPEHPK3PXP","digits":6,"originalIssuer":"Shop","name":"Shop: me"},
        {"accountType":"authenticator","digits":6,"originalIssuer":"Forum","name":"Forum: me"}
    ]"#;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/../../../shared/fixtures/importers/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    // See: review of the importers, "an Authy file of clear tokens opens
    // with any password" (HIGH).
    #[test]
    fn a_store_with_nothing_to_decrypt_is_plain_whatever_its_tokens_lack() {
        let read = Authy::read(&token_store(CLEAR_AND_NO_SECRET)).expect("readable");
        let Read::Plain(entries) = read else {
            panic!("taken for encrypted: it would open with any password");
        };
        let conversion = entries.convert();
        assert_eq!(conversion.accounts.len(), 1);
        assert_eq!(conversion.accounts[0].issuer, "Shop");
        assert_eq!(conversion.errors.len(), 1, "{:?}", conversion.errors);
        assert_eq!(conversion.errors[0].name.as_deref(), Some("Forum (me)"));
        assert_eq!(conversion.errors[0].reason, "the token has no secret");
    }

    /// Whatever a list of tokens holds, a password that opens none of
    /// them is a wrong one.
    #[test]
    fn a_password_that_opens_nothing_is_wrong() {
        let tokens: Vec<Value> = serde_json::from_str(CLEAR_AND_NO_SECRET).expect("JSON");
        let backup = EncryptedTokens { tokens };
        assert_eq!(
            backup.decrypt("any password", &Cancel::new()).map(|_| ()),
            Err(ImportError::WrongPassword)
        );
    }

    /// The automatic-backup restore takes a file that opens with the
    /// password for one Watchword wrote: a planted store of clear tokens
    /// must not pass for one.
    #[test]
    fn a_planted_store_of_clear_tokens_is_passed_over_by_a_restore() {
        use crate::store::autobackup::{file_name, find_restorable, restorable_input, BackupError};
        let folder = tempfile::tempdir().expect("temp dir");
        let planted = folder
            .path()
            .join(file_name(1_796_164_202, 1, Some("0a1b2c3d")));
        std::fs::write(&planted, token_store(CLEAR_AND_NO_SECRET)).expect("plant");
        let refused = restorable_input(&planted).expect_err("not encrypted");
        assert!(refused.contains("not encrypted"), "{refused}");
        match find_restorable(folder.path(), "any password", None) {
            Err(BackupError::NoneReadable { skipped, .. }) => {
                assert_eq!(skipped.len(), 1);
                assert!(skipped[0].reason.contains("not encrypted"), "{skipped:?}");
            }
            Err(other) => panic!("refused otherwise: {other}"),
            Ok(found) => panic!("restored {} accounts from it", found.accounts.len()),
        }
    }

    #[test]
    fn real_stores_still_read() {
        let Read::Plain(entries) = Authy::read(&fixture("authy_plain.xml")).expect("plain") else {
            panic!("the plain fixture taken for encrypted");
        };
        assert_eq!(entries.convert().accounts.len(), 3);
        let Read::Encrypted(backup) = Authy::read(&fixture("authy_encrypted.xml")).expect("read")
        else {
            panic!("the encrypted fixture taken for plain");
        };
        assert_eq!(
            backup.decrypt("wrong").map(|_| ()),
            Err(ImportError::WrongPassword)
        );
        let conversion = backup.decrypt("testtest").expect("opens").convert();
        assert_eq!((conversion.accounts.len(), conversion.errors.len()), (3, 0));
    }
}
