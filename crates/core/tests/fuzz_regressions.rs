//! What fuzzing found (issue 9, part 6), replayed as a test: each input kept
//! in fuzz/regressions/TARGET/ goes through the code its fuzz target runs
//! and must end in its specific refusal. Before the input budgets these ran
//! out of memory or time; scripts/fuzz.sh also replays them first, under
//! its limits. A new reproducer dropped into one of those folders is
//! picked up here.

use std::path::PathBuf;
use watchword_core::enrol::{self, Enrolment, PastedText};
use watchword_core::import::{self, ImportError};

/// Every reproducer kept for `target`, by name.
fn reproducers(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions")
        .join(target);
    let mut found: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("a folder entry").path();
            let name = path.file_name().expect("a name").to_string_lossy().into();
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (name, bytes)
        })
        .collect();
    found.sort();
    assert!(!found.is_empty(), "no reproducer in {}", dir.display());
    found
}

/// `enrol_paste`: pasted text as the window takes it. A link claiming more
/// parts than any export has is one note, and nothing is listed part by part.
#[test]
fn pasted_links_found_by_fuzzing_are_refused_with_one_note() {
    for (name, bytes) in reproducers("enrol_paste") {
        let text = std::str::from_utf8(&bytes).expect("pasted text is UTF-8");
        let PastedText::ExportLink(input) = enrol::pasted_text(text) else {
            panic!("{name}: not taken as an export link");
        };
        let mut enrolment = Enrolment::new();
        let refused = enrolment.take_in(vec![input]).expect_err("nothing to add");
        assert!(
            refused
                .message
                .contains("more parts than any real export has"),
            "{name}: {}",
            refused.message
        );
        assert!(enrolment.missing_parts().is_empty(), "{name}");
    }
}

/// `import_decrypt`: encrypted backups whose key derivation asks for more
/// work or memory than any real one are refused before any password is
/// tried.
#[test]
fn backups_found_by_fuzzing_are_refused_before_any_key_derivation() {
    for (name, bytes) in reproducers("import_decrypt") {
        match import::detect_and_read(&bytes) {
            Err(ImportError::Unsupported { reason, .. }) => assert!(
                reason.starts_with("its key derivation asks for more work than any real"),
                "{name}: {reason}"
            ),
            Err(other) => panic!("{name}: refused otherwise: {other:?}"),
            Ok((format, _)) => panic!("{name}: read as {format}"),
        }
    }
}
