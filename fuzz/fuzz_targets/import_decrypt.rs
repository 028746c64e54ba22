//! Encrypted backups opened with a wrong password: detection, parsing, the
//! key derivation the file asks for and the refusal. Slow on purpose where
//! the file asks for a costly KDF; scripts/fuzz.sh gives each input a time
//! limit, which is what this target is about (issue 9: bounded time).
//!
//! And one rule: a file read as encrypted needs its password. A file that
//! opens with one wrong password may be a file sealed with that one (the
//! fuzzer can build one only by chance), but a file that opens with two
//! different passwords does not depend on its password at all, and would
//! pass for "encrypted, and it opens" (the Authy token store of clear
//! tokens once did).
#![no_main]

use libfuzzer_sys::fuzz_target;
use watchword_core::import::{self, Read};

fuzz_target!(|data: &[u8]| {
    if let Ok((format, Read::Encrypted(backup))) = import::detect_and_read(data) {
        if let Ok(entries) = backup.decrypt("not the password") {
            let _ = entries.convert();
            assert!(
                backup.decrypt("another wrong password").is_err(),
                "a file read as encrypted ({format:?}) opens with any password"
            );
        }
    }
});
