//! Google Authenticator export payloads as raw protobuf: the bytes are
//! wrapped in a well-formed `otpauth-migration://offline?data=` link (in
//! both base64 alphabets the decoder accepts) so that every execution reaches
//! the protobuf reader, and `migration::decode` never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use watchword_core::migration;

fuzz_target!(|data: &[u8]| {
    let standard = data_encoding::BASE64.encode(data).replace('+', "%2B");
    let _ = migration::decode(&format!("otpauth-migration://offline?data={standard}"));
    let url_safe = data_encoding::BASE64URL_NOPAD.encode(data);
    let _ = migration::decode(&format!("otpauth-migration://offline?data={url_safe}"));
});
