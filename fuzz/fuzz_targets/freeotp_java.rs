//! The Java-serialisation reader of FreeOTP v2 backups on its own (handles,
//! back-references, long strings, modified UTF-8): it never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use watchword_core::fuzzing;

fuzz_target!(|data: &[u8]| {
    let _ = fuzzing::freeotp_java_map(data);
});
