//! What an encrypted backup holds once the right password opened it: the
//! input is sealed as an andOTP backup (one PBKDF2 iteration, so executions
//! stay fast), detected, decrypted with the right password and converted,
//! and refused with a wrong one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use watchword_core::fuzzing;
use watchword_core::import::{self, Read};

const PASSWORD: &str = "fuzz";

fuzz_target!(|data: &[u8]| {
    let file = fuzzing::andotp_sealed(data, PASSWORD);
    match import::detect_and_read(&file) {
        Ok((_, Read::Encrypted(backup))) => {
            if let Ok(entries) = backup.decrypt(PASSWORD) {
                let _ = entries.convert();
            }
            assert!(
                backup.decrypt("not the password").is_err(),
                "an andOTP backup opens with a password it was not sealed with"
            );
        }
        // A sealed file happens to look like another format: still a read.
        Ok((_, Read::Plain(entries))) => {
            let _ = entries.convert();
        }
        Err(_) => {}
    }
});
