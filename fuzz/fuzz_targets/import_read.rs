//! Every importer's detection and read phase, then the conversion phase of
//! what reads as plain entries: `import::detect_and_read` and
//! `Entries::convert` never panic. Encrypted backups stop after parsing
//! (no key derivation here: see import_decrypt).
#![no_main]

use libfuzzer_sys::fuzz_target;
use watchword_core::import::{self, Read};

fuzz_target!(|data: &[u8]| {
    if let Ok((_, Read::Plain(entries))) = import::detect_and_read(data) {
        let _ = entries.convert();
    }
});
