//! Entry points for the fuzz targets in `fuzz/` (issue 9), compiled only with
//! the `fuzzing` feature: parsers that are private to the crate, and a way to
//! build inputs only the crate knows how to seal. Not an API; the app and the
//! CLI never enable it.

use crate::crypto;

/// The FreeOTP v2 Java-serialisation reader: the entries of a serialised
/// `HashMap<String, String>`, or why the stream is unreadable.
pub fn freeotp_java_map(bytes: &[u8]) -> Result<Vec<(String, String)>, String> {
    crate::import::freeotp::java_string_map(bytes)
}

/// An encrypted andOTP backup (new format) holding `plaintext`, sealed under
/// `password` with one PBKDF2 iteration, so that a fuzz target reaches the
/// code behind a right password without paying for a real key derivation.
pub fn andotp_sealed(plaintext: &[u8], password: &str) -> Vec<u8> {
    const ITERATIONS: u32 = 1;
    let salt = [7u8; 12];
    let nonce = [9u8; 12];
    let key = crypto::pbkdf2_sha1(password.as_bytes(), &salt, ITERATIONS);
    let mut file = ITERATIONS.to_be_bytes().to_vec();
    file.extend_from_slice(&salt);
    file.extend_from_slice(&nonce);
    file.extend_from_slice(&crypto::aes_gcm_encrypt(key.as_ref(), &nonce, plaintext));
    file
}

/// What the store reads back from places other programs can write: a
/// keychain item's text (an account, or the lock's record) and the
/// metadata file's bytes. Each only parses; nothing is derived or stored.
pub fn store_records(item: &str, metadata: &[u8]) {
    let _ = crate::store::item::decode(item);
    let _ = crate::vault::VaultRecord::parse(item);
    if let Ok(meta) = serde_json::from_slice::<crate::store::metadata::Metadata>(metadata) {
        let _ = meta.accounts.len();
    }
}
