//! What the store reads back from places any program of the session can
//! write: a keychain item's text (an account's record or URI, or the lock's
//! vault record) and the metadata file. The same bytes are tried as each.
#![no_main]

use libfuzzer_sys::fuzz_target;
use watchword_core::fuzzing;

fuzz_target!(|data: &[u8]| {
    fuzzing::store_records(std::str::from_utf8(data).unwrap_or(""), data);
});
