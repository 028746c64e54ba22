//! The QR pipeline over the rendered screenshot corpus (issue 3): every case
//! must decode to exactly its payloads, in reading order. The corpus is
//! drawn by `benches/qr_corpus`, which `qr_bench` also times.

#[path = "../benches/qr_corpus/mod.rs"]
mod qr_corpus;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use watchword_core::payload::{self, QrPayload};
use watchword_core::qr;

/// Renders and decodes every case on all cores; returns the failures.
fn failures(count: usize) -> Vec<String> {
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= count {
                    break;
                }
                let case = qr_corpus::case(index);
                let got = qr::decode_image(&case.bytes);
                if got.as_ref() != Ok(&case.expected) {
                    let shown = match &got {
                        Ok(found) => format!(
                            "{} payload(s), {} expected",
                            found.len(),
                            case.expected.len()
                        ),
                        Err(error) => error.to_string(),
                    };
                    failures
                        .lock()
                        .expect("no thread panics holding the lock")
                        .push(format!("{}: {shown}", case.name));
                }
            });
        }
    });
    let mut failures = failures.into_inner().expect("no thread panicked");
    failures.sort();
    failures
}

#[test]
fn every_corpus_case_decodes_to_exactly_its_payloads() {
    let failures = failures(qr_corpus::DEFAULT_COUNT);
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        qr_corpus::DEFAULT_COUNT,
        failures.join("\n")
    );
}

/// Raw RGBA (clipboard, screen capture) goes through the same pipeline.
#[test]
fn raw_rgba_decodes_like_the_file() {
    for index in [1, 2, 9, 10] {
        let case = qr_corpus::case(index);
        let rgba = image::load_from_memory(&case.bytes)
            .expect("corpus images decode")
            .to_rgba8();
        assert_eq!(
            qr::decode_rgba(rgba.width(), rgba.height(), rgba.as_raw()),
            Ok(case.expected.clone()),
            "{}",
            case.name
        );
    }
}

/// A dense export code (10 accounts) read from a screenshot yields all ten.
#[test]
fn a_dense_google_export_screenshot_yields_ten_accounts() {
    let case = (0..qr_corpus::DEFAULT_COUNT)
        .map(qr_corpus::case)
        .find(|case| case.name.contains("google-export"))
        .expect("the corpus has Google export cases");
    let payloads = qr::decode_image(&case.bytes).expect("the export decodes");
    assert_eq!(payloads.len(), 1);
    match payload::classify(&payloads[0]) {
        QrPayload::Migration(Ok(batch)) => {
            assert_eq!(batch.accounts.len(), 10);
            assert!(batch.skipped.is_empty());
        }
        other => panic!("{}: {other:?}", case.name),
    }
}
