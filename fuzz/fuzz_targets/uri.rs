//! otpauth URIs and typed setup keys: `uri::parse`, `uri::parse_input`,
//! `uri::parse_secret` and the payload classifier never panic, and whatever
//! `parse` accepts, `format` writes in a form `parse` reads back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use watchword_core::{payload, uri};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(account) = uri::parse(text) {
        let canonical = uri::format(&account);
        let again = uri::parse(&canonical).expect("a formatted URI parses");
        assert!(again == account, "format then parse changed the account");
    }
    let _ = uri::parse_input(text, "", "");
    let _ = uri::parse_input(text, "Issuer", "name");
    let _ = uri::parse_secret(text);
    let _ = payload::classify(text);
});
