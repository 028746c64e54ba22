//! Google Authenticator export links as text: `migration::decode` never
//! panics, whatever the escaping, base64 or protobuf inside.
#![no_main]

use libfuzzer_sys::fuzz_target;
use watchword_core::migration;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = migration::decode(text);
    }
});
