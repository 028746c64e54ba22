//! Encrypted backups opened with a wrong password: detection, parsing, the
//! key derivation the file asks for and the refusal. Slow on purpose where
//! the file asks for a costly KDF; scripts/fuzz.sh gives each input a time
//! limit, which is what this target is about (issue 9: bounded time).
#![no_main]

use libfuzzer_sys::fuzz_target;
use watchword_core::import::{self, Read};

fuzz_target!(|data: &[u8]| {
    if let Ok((_, Read::Encrypted(backup))) = import::detect_and_read(data) {
        if let Ok(entries) = backup.decrypt("not the password") {
            let _ = entries.convert();
        }
    }
});
