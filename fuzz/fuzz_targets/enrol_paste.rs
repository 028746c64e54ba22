//! Pasted text, as the window takes it: `enrol::pasted_text` sorts it, an
//! export link goes through an enrolment (accounts, notes, missing parts of
//! a multi-part export) as the preview shows it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use watchword_core::enrol::{self, Enrolment, PastedText};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let PastedText::ExportLink(input) = enrol::pasted_text(text) {
        let mut enrolment = Enrolment::new();
        if enrolment.take_in(vec![input]).is_ok() {
            let _ = enrolment.missing_parts();
        }
    }
});
