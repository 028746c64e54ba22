//! The shared secret of an account: raw key bytes that redact themselves in
//! `Debug`, refuse to serialise and are wiped from memory on drop.

use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Raw key bytes of an account. Never printed, never serialised implicitly.
///
/// Getting the bytes out is a visible call: [`Secret::expose`] or
/// [`Secret::to_base32`].
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Wraps raw key bytes.
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The raw key bytes, for computing codes or exporting on request.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Canonical form: uppercase RFC 4648 base32 without padding.
    pub fn to_base32(&self) -> String {
        data_encoding::BASE32_NOPAD.encode(&self.0)
    }

    /// Length of the key in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True for an empty key (never valid for an account).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(<redacted {} bytes>)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_bytes() {
        let secret = Secret::from_bytes(b"12345678901234567890".to_vec());
        let shown = format!("{secret:?}");
        assert_eq!(shown, "Secret(<redacted 20 bytes>)");
        assert!(!shown.contains("GEZDGNBV"));
    }

    #[test]
    fn base32_is_uppercase_unpadded() {
        let secret = Secret::from_bytes(b"12345678901234567890".to_vec());
        assert_eq!(secret.to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(Secret::from_bytes(vec![0xff]).to_base32(), "74");
    }
}
