//! The optional lock's cryptography (issue 11), with no keychain in sight.
//!
//! - A random 256-bit **vault key** encrypts each keychain item with
//!   AES-256-GCM ([`VaultKey::seal`]). The item's id and the vault key's id
//!   are bound in as associated data, so an item copied over another, or
//!   sealed under another key, does not open.
//! - The vault key is kept **wrapped**: encrypted under a key derived from
//!   the password with Argon2id ([`Wrap`]), whose cost goes with it so it can
//!   be raised later. The [`VaultRecord`] holds a list of wraps: a later
//!   unlock method (Windows Hello, Touch ID) adds its own wrap of the same
//!   key, and nothing else changes.
//! - A password change makes a **new** vault key and keeps the old one
//!   wrapped under it ([`VaultRecord::previous`]) until every item is sealed
//!   under the new one: so an item still under the old key opens with the
//!   new password, whenever the rewrite was interrupted.
//!
//! A record read from the keychain is untrusted: its Argon2 cost is capped
//! ([`KdfParams::check`]) so a crafted one cannot take minutes or gigabytes
//! to refuse.

use crate::{crypto, limits};
use data_encoding::BASE64;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// The form of a record this version writes and reads.
const RECORD_VERSION: u32 = 1;
/// What a sealed item starts with; neither an otpauth URI nor a record
/// (`{`) does, so the three forms never collide.
pub const SEALED_PREFIX: &str = "watchword-sealed:1:";
/// Associated data of a sealed item: domain, then the item and key ids.
const ITEM_DOMAIN: &[u8] = b"watchword item\0";
/// Associated data of a wrapped vault key.
const WRAP_DOMAIN: &[u8] = b"watchword vault key\0";
const NONCE_BYTES: usize = 12;
const TAG_BYTES: usize = 16;
const SALT_BYTES: usize = 16;

/// Argon2id's cost, as kept with a wrap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes over it.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl KdfParams {
    /// 64 MiB in one lane, passes set by [`KdfParams::calibrate`]: what
    /// OWASP and RFC 9106 suggest for an interactive unlock.
    pub const MEMORY_KIB: u32 = 64 * 1024;
    /// Most memory a record may ask for ([`limits::VAULT_MAX_KDF_MEMORY_KIB`]).
    pub const MAX_MEMORY_KIB: u32 = limits::VAULT_MAX_KDF_MEMORY_KIB;
    /// Most passes a record may ask for ([`limits::VAULT_MAX_KDF_PASSES`]).
    pub const MAX_PASSES: u32 = limits::VAULT_MAX_KDF_PASSES;
    /// Most lanes a record may ask for ([`limits::VAULT_MAX_KDF_LANES`]).
    pub const MAX_LANES: u32 = limits::VAULT_MAX_KDF_LANES;
    /// Most work a record may ask for, memory × passes in KiB
    /// ([`limits::VAULT_MAX_KDF_WORK_KIB`]).
    pub const MAX_WORK_KIB: u64 = limits::VAULT_MAX_KDF_WORK_KIB;

    /// Passes over [`KdfParams::MEMORY_KIB`] that take about `target` here
    /// (at least 2): one derivation is timed and the passes scaled from it.
    pub fn calibrate(target: Duration) -> Self {
        let probe = Self {
            m_kib: Self::MEMORY_KIB,
            t: 1,
            p: 1,
        };
        let started = Instant::now();
        let _ = probe.derive(b"calibration", &[0u8; SALT_BYTES]);
        let one = started.elapsed().max(Duration::from_millis(1));
        let passes = (target.as_secs_f64() / one.as_secs_f64()).round() as u32;
        Self {
            t: passes.clamp(2, Self::MAX_PASSES / 2),
            ..probe
        }
    }

    /// Refuses a cost outside what Watchword ever writes, with room to grow.
    pub fn check(&self) -> Result<(), VaultError> {
        let within = (8..=Self::MAX_MEMORY_KIB).contains(&self.m_kib)
            && (1..=Self::MAX_PASSES).contains(&self.t)
            && (1..=Self::MAX_LANES).contains(&self.p)
            && self.m_kib >= 8 * self.p
            && u64::from(self.m_kib) * u64::from(self.t) <= Self::MAX_WORK_KIB;
        if within {
            Ok(())
        } else {
            Err(VaultError::Damaged(
                "its key derivation cost is out of range",
            ))
        }
    }

    fn derive(&self, password: &[u8], salt: &[u8]) -> Result<Zeroizing<[u8; 32]>, VaultError> {
        let params = argon2::Params::new(self.m_kib, self.t, self.p, Some(32))
            .map_err(|_| VaultError::Damaged("its key derivation cost is out of range"))?;
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut key = Zeroizing::new([0u8; 32]);
        argon
            .hash_password_into(password, salt, key.as_mut())
            .map_err(|_| VaultError::Damaged("its salt is out of range"))?;
        Ok(key)
    }
}

/// A 256-bit vault key, wiped from memory when dropped; `Debug` shows only
/// its id.
pub struct VaultKey {
    id: String,
    bytes: Zeroizing<[u8; 32]>,
}

impl fmt::Debug for VaultKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VaultKey({}, <redacted>)", self.id)
    }
}

impl VaultKey {
    /// A new random key with a new random id.
    pub fn random() -> Self {
        Self {
            id: data_encoding::HEXLOWER.encode(&crypto::random::<8>()),
            bytes: Zeroizing::new(crypto::random::<32>()),
        }
    }

    /// Its id (not secret): which key an item is sealed under.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `plaintext` (an item's text) sealed for the item `item_id`.
    pub fn seal(&self, item_id: &str, plaintext: &str) -> String {
        let nonce = crypto::random::<NONCE_BYTES>();
        let sealed = crypto::aes_gcm_seal(
            self.bytes.as_ref(),
            &nonce,
            plaintext.as_bytes(),
            &item_aad(item_id, &self.id),
        );
        let mut blob = Vec::with_capacity(NONCE_BYTES + sealed.len());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&sealed);
        format!("{SEALED_PREFIX}{}:{}", self.id, BASE64.encode(&blob))
    }

    /// The text of an item sealed by [`VaultKey::seal`] for `item_id`.
    /// [`VaultError::OtherKey`] when it is sealed under another key;
    /// [`VaultError::Damaged`] when it does not open.
    pub fn open(&self, item_id: &str, sealed: &str) -> Result<Zeroizing<String>, VaultError> {
        let (key_id, blob) = split_sealed(sealed)?;
        if key_id != self.id {
            return Err(VaultError::OtherKey(key_id.to_owned()));
        }
        let (nonce, ciphertext) = blob.split_at(NONCE_BYTES);
        let plain = crypto::aes_gcm_decrypt(
            self.bytes.as_ref(),
            nonce,
            ciphertext,
            &item_aad(item_id, &self.id),
        )
        .ok_or(VaultError::Damaged("it does not open with the vault key"))?;
        // Checked in place: a copy made first would be dropped unwiped
        // when it is not text.
        std::str::from_utf8(&plain)
            .map(|text| Zeroizing::new(text.to_owned()))
            .map_err(|_| VaultError::Damaged("its text is not UTF-8"))
    }
}

/// The id of the key an item is sealed under, `None` for an item that is
/// not sealed (a plain URI or record).
pub fn sealed_key_id(text: &str) -> Option<&str> {
    let rest = text.strip_prefix(SEALED_PREFIX)?;
    rest.split_once(':').map(|(id, _)| id)
}

/// Whether an item's text is sealed.
pub fn is_sealed(text: &str) -> bool {
    text.starts_with(SEALED_PREFIX)
}

fn split_sealed(sealed: &str) -> Result<(&str, Vec<u8>), VaultError> {
    let rest = sealed
        .strip_prefix(SEALED_PREFIX)
        .ok_or(VaultError::Damaged("it is not sealed"))?;
    let (key_id, encoded) = rest
        .split_once(':')
        .ok_or(VaultError::Damaged("its sealed form is cut short"))?;
    let blob = BASE64
        .decode(encoded.as_bytes())
        .map_err(|_| VaultError::Damaged("its sealed form is not base64"))?;
    if blob.len() < NONCE_BYTES + TAG_BYTES {
        return Err(VaultError::Damaged("its sealed form is cut short"));
    }
    Ok((key_id, blob))
}

fn item_aad(item_id: &str, key_id: &str) -> Vec<u8> {
    [ITEM_DOMAIN, item_id.as_bytes(), b"\0", key_id.as_bytes()].concat()
}

/// One way to recover the vault key. Only a password today; another unlock
/// method adds its own kind beside it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Wrap {
    /// The vault key under a key derived from the password.
    Password {
        /// Argon2id's cost.
        kdf: KdfParams,
        /// Argon2's salt, base64.
        salt: String,
        /// AES-GCM nonce, base64.
        nonce: String,
        /// The vault key, encrypted, base64.
        key: String,
        /// A checksum of the fields above, so a record damaged on disk
        /// says so instead of passing for a wrong password (AES-GCM cannot
        /// tell the two apart). Not a defence against tampering: the tag
        /// is.
        check: String,
    },
    /// A way to unlock that a newer Watchword added (Windows Hello, Touch
    /// ID): kept in the record, never tried here.
    #[serde(other)]
    Unknown,
}

impl Wrap {
    /// `key` wrapped under `password` at the cost `kdf`.
    pub fn password(key: &VaultKey, password: &str, kdf: KdfParams) -> Result<Self, VaultError> {
        kdf.check()?;
        let salt = crypto::random::<SALT_BYTES>();
        let nonce = crypto::random::<NONCE_BYTES>();
        let kek = kdf.derive(password.as_bytes(), &salt)?;
        let wrapped =
            crypto::aes_gcm_seal(kek.as_ref(), &nonce, key.bytes.as_ref(), &wrap_aad(&key.id));
        let id = key.id.clone();
        let (salt, nonce, key) = (
            BASE64.encode(&salt),
            BASE64.encode(&nonce),
            BASE64.encode(&wrapped),
        );
        Ok(Self::Password {
            check: checksum(&id, &kdf, &salt, &nonce, &key),
            kdf,
            salt,
            nonce,
            key,
        })
    }

    /// The vault key `id`, if `password` is the one it was wrapped with.
    fn unwrap_with(&self, id: &str, password: &str) -> Result<VaultKey, VaultError> {
        let Self::Password {
            kdf,
            salt,
            nonce,
            key,
            check,
        } = self
        else {
            return Err(VaultError::WrongPassword);
        };
        if *check != checksum(id, kdf, salt, nonce, key) {
            return Err(VaultError::Damaged(
                "its wrapped key does not match its checksum",
            ));
        }
        kdf.check()?;
        let decode = |text: &str, what| {
            BASE64
                .decode(text.as_bytes())
                .map_err(|_| VaultError::Damaged(what))
        };
        let salt = decode(salt, "its salt is not base64")?;
        let nonce = decode(nonce, "its nonce is not base64")?;
        let wrapped = decode(key, "its wrapped key is not base64")?;
        if !(8..=64).contains(&salt.len()) || nonce.len() != NONCE_BYTES {
            return Err(VaultError::Damaged(
                "its salt or nonce has the wrong length",
            ));
        }
        let kek = kdf.derive(password.as_bytes(), &salt)?;
        let bytes = crypto::aes_gcm_decrypt(kek.as_ref(), &nonce, &wrapped, &wrap_aad(id))
            .ok_or(VaultError::WrongPassword)?;
        key_from(id, &bytes)
    }
}

/// The first 8 bytes of SHA-256 over a wrap's fields and the key's id
/// (bound into the wrap), in hex.
fn checksum(id: &str, kdf: &KdfParams, salt: &str, nonce: &str, key: &str) -> String {
    use sha2::Digest;
    let mut hash = sha2::Sha256::new();
    hash.update(b"watchword wrap check\0");
    hash.update(RECORD_VERSION.to_le_bytes());
    for number in [kdf.m_kib, kdf.t, kdf.p] {
        hash.update(number.to_le_bytes());
    }
    for field in [id, salt, nonce, key] {
        hash.update(field.as_bytes());
        hash.update(b"\0");
    }
    data_encoding::HEXLOWER.encode(&hash.finalize()[..8])
}

fn wrap_aad(key_id: &str) -> Vec<u8> {
    [WRAP_DOMAIN, key_id.as_bytes()].concat()
}

fn key_from(id: &str, bytes: &[u8]) -> Result<VaultKey, VaultError> {
    if bytes.len() != 32 {
        return Err(VaultError::Damaged("its vault key has the wrong length"));
    }
    // Copied straight into wiped memory: no stray copy on the stack.
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(bytes);
    Ok(VaultKey {
        id: id.to_owned(),
        bytes: key,
    })
}

/// The key before a password change, wrapped under the new vault key, so
/// items not yet sealed anew still open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Previous {
    /// Its id.
    pub id: String,
    /// AES-GCM nonce, base64.
    pub nonce: String,
    /// The old key under the new one, base64.
    pub key: String,
}

/// What the lock keeps in its own keychain item: the vault key's id, its
/// wraps, and the previous key while a password change is under way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VaultRecord {
    /// Form of the record.
    pub v: u32,
    /// The vault key's id.
    pub id: String,
    /// Ways to recover it (at least one).
    pub wraps: Vec<Wrap>,
    /// The key items may still be sealed under after a password change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Previous>,
}

/// Both keys of an unlocked vault: the current one, and the previous one
/// while items may still be sealed under it.
#[derive(Debug)]
pub struct Keys {
    /// Seals everything written.
    pub current: VaultKey,
    /// Opens what a password change has not resealed yet.
    pub previous: Option<VaultKey>,
}

impl Keys {
    /// Opens an item sealed under either key.
    pub fn open(&self, item_id: &str, sealed: &str) -> Result<Zeroizing<String>, VaultError> {
        match self.current.open(item_id, sealed) {
            Err(VaultError::OtherKey(id)) => match &self.previous {
                Some(previous) if previous.id == id => previous.open(item_id, sealed),
                _ => Err(VaultError::OtherKey(id)),
            },
            other => other,
        }
    }
}

impl VaultRecord {
    /// A record for a new vault key wrapped under `password`.
    pub fn new(key: &VaultKey, password: &str, kdf: KdfParams) -> Result<Self, VaultError> {
        Ok(Self {
            v: RECORD_VERSION,
            id: key.id.clone(),
            wraps: vec![Wrap::password(key, password, kdf)?],
            previous: None,
        })
    }

    /// A record for `next`, a new key wrapped under `password`, that keeps
    /// `keys.current` (and nothing older) as the previous key.
    pub fn rekeyed(
        keys: &Keys,
        next: &VaultKey,
        password: &str,
        kdf: KdfParams,
    ) -> Result<Self, VaultError> {
        let nonce = crypto::random::<NONCE_BYTES>();
        let old = crypto::aes_gcm_seal(
            next.bytes.as_ref(),
            &nonce,
            keys.current.bytes.as_ref(),
            &wrap_aad(&keys.current.id),
        );
        Ok(Self {
            previous: Some(Previous {
                id: keys.current.id.clone(),
                nonce: BASE64.encode(&nonce),
                key: BASE64.encode(&old),
            }),
            ..Self::new(next, password, kdf)?
        })
    }

    /// The record as the keychain keeps it.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).expect("the record serialises")
    }

    /// Reads a record from the keychain's text; any shape but ours is
    /// [`VaultError::Damaged`] (never quoting it).
    pub fn parse(text: &str) -> Result<Self, VaultError> {
        if text.len() > limits::VAULT_MAX_RECORD_BYTES {
            return Err(VaultError::Damaged("it is far too long"));
        }
        let record: Self = serde_json::from_str(text)
            .map_err(|_| VaultError::Damaged("it is not a vault record"))?;
        if record.v != RECORD_VERSION {
            return Err(VaultError::NewerRecord(record.v));
        }
        if record.wraps.is_empty() || record.wraps.len() > limits::VAULT_MAX_WRAPS {
            return Err(VaultError::Damaged("it has no usable way to unlock"));
        }
        Ok(record)
    }

    /// The keys, if `password` opens one of the password wraps (at most
    /// [`VaultRecord::MAX_PASSWORD_WRAPS`] are tried, each capped).
    pub fn unlock(&self, password: &str) -> Result<Keys, VaultError> {
        let mut outcome = Err(VaultError::WrongPassword);
        // Password wraps only are counted: other ways to unlock a newer
        // Watchword listed first must not push the password's out.
        let passwords = self
            .wraps
            .iter()
            .filter(|wrap| matches!(wrap, Wrap::Password { .. }));
        for wrap in passwords.take(Self::MAX_PASSWORD_WRAPS) {
            match wrap.unwrap_with(&self.id, password) {
                Ok(current) => {
                    outcome = Ok(current);
                    break;
                }
                // A damaged wrap says so, unless another one opens.
                Err(error @ VaultError::Damaged(_)) => outcome = Err(error),
                Err(_) => {}
            }
        }
        let current = outcome?;
        let previous = match &self.previous {
            None => None,
            Some(previous) => {
                let decode = |text: &str| {
                    BASE64
                        .decode(text.as_bytes())
                        .map_err(|_| VaultError::Damaged("its previous key is not base64"))
                };
                let nonce = decode(&previous.nonce)?;
                if nonce.len() != NONCE_BYTES {
                    return Err(VaultError::Damaged("its previous key is cut short"));
                }
                let bytes = crypto::aes_gcm_decrypt(
                    current.bytes.as_ref(),
                    &nonce,
                    &decode(&previous.key)?,
                    &wrap_aad(&previous.id),
                )
                .ok_or(VaultError::Damaged("its previous key does not open"))?;
                Some(key_from(&previous.id, &bytes)?)
            }
        };
        Ok(Keys { current, previous })
    }

    /// At most this many password wraps are tried
    /// ([`limits::VAULT_MAX_PASSWORD_WRAPS`]).
    pub const MAX_PASSWORD_WRAPS: usize = limits::VAULT_MAX_PASSWORD_WRAPS;
}

/// What can go wrong with the lock's cryptography. Never holds a key, a
/// password or an item's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    /// The password does not open the vault key.
    #[error("wrong password")]
    WrongPassword,
    /// The record or an item is not what Watchword wrote.
    #[error("damaged: {0}")]
    Damaged(&'static str),
    /// An item is sealed under a key this vault does not have.
    #[error("sealed under another vault key ({0})")]
    OtherKey(String),
    /// A record of a newer form.
    #[error("the lock's record is of version {0}, written by a newer Watchword")]
    NewerRecord(u32),
}

#[cfg(test)]
mod tests;
