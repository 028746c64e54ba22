//! Google Authenticator exports (`otpauth-migration://`) and the
//! classification of decoded QR payloads (issue 3).

mod decode;
mod encode;
mod payloads;

use watchword_core::account::{Account, Algorithm, OtpKind};
use watchword_core::migration::{self, EncodeError, EntryProblem, MigrationBatch, MigrationError};
use watchword_core::payload::{self, BatchAdded, BatchTracker, NotOtpKind, QrPayload};
use watchword_core::secret::Secret;
use watchword_core::uri;

/// The export example used throughout public write-ups of the format: one
/// TOTP account "Example:alice@google.com" whose secret is the bytes
/// `Hello!\xde\xad\xbe\xef` (base32 `JBSWY3DPEHPK3PXP`), no algorithm or
/// digits fields (so SHA1 and 6), no batch fields.
const KNOWN_EXPORT: &str =
    "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC";

/// The same payload byte by byte.
const KNOWN_EXPORT_BYTES: &[u8] = &[
    0x0a, 0x31, // field 1 (otp_parameters), 49 bytes
    0x0a, 0x0a, b'H', b'e', b'l', b'l', b'o', b'!', 0xde, 0xad, 0xbe, 0xef, // secret
    0x12, 0x18, b'E', b'x', b'a', b'm', b'p', b'l', b'e', b':', b'a', b'l', b'i', b'c', b'e', b'@',
    b'g', b'o', b'o', b'g', b'l', b'e', b'.', b'c', b'o', b'm', // name
    0x1a, 0x07, b'E', b'x', b'a', b'm', b'p', b'l', b'e', // issuer
    0x30, 0x02, // type = TOTP
];

fn b64(bytes: &[u8]) -> String {
    data_encoding::BASE64.encode(bytes)
}

fn export_of(bytes: &[u8]) -> String {
    format!("otpauth-migration://offline?data={}", b64(bytes))
}

fn decode(uri: &str) -> MigrationBatch {
    match migration::decode(uri) {
        Ok(batch) => batch,
        Err(error) => panic!("{uri}: {error}"),
    }
}

fn secret(b32: &str) -> Secret {
    uri::parse_secret(b32).expect("a valid key")
}

// Protobuf writers for hand-built payloads.
fn varint(mut value: u64) -> Vec<u8> {
    let mut out = Vec::new();
    while value >= 0x80 {
        out.push(value as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
    out
}
fn int_field(number: u64, value: u64) -> Vec<u8> {
    [varint(number << 3), varint(value)].concat()
}
fn bytes_field(number: u64, bytes: &[u8]) -> Vec<u8> {
    [
        varint(number << 3 | 2),
        varint(bytes.len() as u64),
        bytes.to_vec(),
    ]
    .concat()
}
