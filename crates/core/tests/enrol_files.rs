//! Files the user drops or picks, told apart by content and gathered into
//! one enrolment: screenshots, readable and encrypted backups (the real
//! exports in ../shared/fixtures/importers), and files that are neither.

#[path = "../benches/qr_corpus/mod.rs"]
mod qr_corpus;

use std::path::PathBuf;
use watchword_core::enrol::{pasted_text, Enrolment, Input, PastedText};
use watchword_core::import::{Format, ImportError};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/fixtures/importers/"
    ))
    .join(name)
}

fn issuers(enrolment: &Enrolment) -> Vec<&str> {
    let mut issuers: Vec<&str> = enrolment
        .accounts()
        .iter()
        .map(|a| a.issuer.as_str())
        .collect();
    issuers.sort_unstable();
    issuers
}

const SEVEN: [&str; 7] = [
    "Air Canada",
    "Airbnb",
    "Boeing",
    "Deno",
    "Issuu",
    "SPDX",
    "WWE",
];

#[test]
fn a_screenshot_a_backup_and_a_stray_file_in_one_drop() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let shot = dir.path().join("shot.png");
    let uri = "otpauth://totp/Shop:me?secret=JBSWY3DPEHPK3PXP&issuer=Shop";
    let mut canvas = qr_corpus::Canvas::new(300, 300, [255, 255, 255]);
    canvas.paste(
        &qr_corpus::render_code(uri, &qr_corpus::CodeStyle::plain(3.0)),
        40,
        40,
    );
    std::fs::write(&shot, canvas.png()).expect("written");
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "groceries: milk, eggs").expect("written");

    let inputs = [shot, fixture("plain.txt"), notes]
        .iter()
        .map(|p| Input::from_file(p))
        .collect();
    let mut enrolment = Enrolment::new();
    enrolment.take_in(inputs).expect("something to add");
    let mut expected = SEVEN.to_vec();
    expected.push("Shop");
    expected.sort_unstable();
    assert_eq!(issuers(&enrolment), expected);
    let note = &enrolment.notes()[0];
    assert_eq!(
        (note.source.as_str(), note.code.as_str()),
        ("notes.txt", "unknown_file")
    );
    assert_eq!(
        note.message,
        "This file is neither an image nor a backup Watchword can read"
    );
}

#[test]
fn nothing_usable_changes_nothing_and_says_why_once() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "groceries").expect("written");
    let mut enrolment = Enrolment::new();
    enrolment
        .take_in(vec![Input::from_file(&fixture("plain.txt"))])
        .expect("seven accounts");

    let one = enrolment
        .take_in(vec![Input::from_file(&notes)])
        .expect_err("nothing to add");
    assert_eq!(one.code, "unknown_file");
    assert_eq!(
        one.message,
        "This file is neither an image nor a backup Watchword can read"
    );

    let two = enrolment
        .take_in(vec![
            Input::from_file(&notes),
            Input::from_file(&dir.path().join("gone.png")),
        ])
        .expect_err("nothing to add");
    assert_eq!(two.code, "nothing_found");
    let lines: Vec<&str> = two.message.lines().collect();
    assert_eq!(lines.len(), 2, "{two}");
    assert!(lines[0].starts_with("notes.txt: This file is neither"));
    assert!(lines[1].starts_with("gone.png: Cannot read the file"));
    assert!(
        enrolment.notes().is_empty(),
        "the failed drops left nothing behind"
    );
    assert_eq!(enrolment.accounts().len(), 7);
}

#[test]
fn an_encrypted_backup_waits_for_its_password() {
    let mut enrolment = Enrolment::new();
    enrolment
        .take_in(vec![Input::from_file(&fixture("aegis_encrypted.json"))])
        .expect("an encrypted backup is something to add");
    assert!(enrolment.accounts().is_empty());
    let locked = &enrolment.locked()[0];
    assert_eq!(
        (locked.source(), locked.format()),
        ("aegis_encrypted.json", Format::Aegis)
    );

    // A wrong password: still waiting, first in line.
    let locked = enrolment.take_locked().expect("waiting");
    let tried = locked.decrypt("not it");
    assert_eq!(
        enrolment.opened(locked, tried),
        Err(ImportError::WrongPassword)
    );
    assert_eq!(enrolment.locked().len(), 1);

    let locked = enrolment.take_locked().expect("still waiting");
    let opened = locked.decrypt("test");
    enrolment.opened(locked, opened).expect("opened");
    assert!(enrolment.locked().is_empty());
    assert_eq!(issuers(&enrolment), SEVEN);
    assert!(enrolment.take_locked().is_none());
}

#[test]
fn pasted_text_goes_where_it_belongs() {
    assert!(matches!(
        pasted_text(" otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP "),
        PastedText::ForTheForm(text) if text == "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP"
    ));
    assert!(matches!(
        pasted_text("jbsw y3dp ehpk 3pxp"),
        PastedText::ForTheForm(_)
    ));
    let export = watchword_core::migration::encode_batches(
        &[watchword_core::Account::totp(
            "Shop",
            "me",
            watchword_core::Secret::from_bytes(vec![7; 10]),
        )],
        1,
    )
    .expect("encodable");
    let PastedText::ExportLink(input) = pasted_text(&export[0]) else {
        panic!("an export link is previewed");
    };
    let mut enrolment = Enrolment::new();
    enrolment.take_in(vec![input]).expect("one account");
    assert_eq!(issuers(&enrolment), ["Shop"]);
    let PastedText::NotForUs(why) = pasted_text("https://example.com/?token=s3cr3t") else {
        panic!("a web link is not for us");
    };
    assert_eq!(
        why.message,
        "The clipboard holds a web link, not a QR code, an otpauth:// link or a setup key."
    );
}

/// What `Input::from_file` made of `path`, or `None` if it was still at it
/// after a minute (a named pipe's open waits for a writer that never
/// comes).
#[cfg(unix)]
fn from_file_in_bounded_time(path: PathBuf) -> Option<Input> {
    in_bounded_time(path, Input::from_file)
}

/// A named pipe, a device or a folder dropped or picked: refused at once
/// by what the open file is, never read (a pipe would block for ever, a
/// device like /dev/zero never ends).
#[cfg(unix)]
#[test]
fn pipes_devices_and_folders_are_refused_without_waiting() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("backup.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo: {made}");
    for path in [fifo, PathBuf::from("/dev/zero"), dir.path().to_owned()] {
        let shown = path.display().to_string();
        let input = from_file_in_bounded_time(path)
            .unwrap_or_else(|| panic!("{shown}: still reading after a minute"));
        let error = Enrolment::new()
            .take_in(vec![input])
            .expect_err("nothing to add");
        assert_eq!(error.code, "unreadable_file", "{shown}: {error}");
        assert_eq!(
            error.message, "This is not a file Watchword can read (a folder, a device or a pipe)",
            "{shown}"
        );
    }
}

/// `f(path)` on a thread, or `None` if it was still at it after a minute
/// (the minute is a bound for a hang, not a speed).
#[cfg(unix)]
fn in_bounded_time<T: Send + 'static>(
    path: PathBuf,
    f: impl FnOnce(&std::path::Path) -> T + Send + 'static,
) -> Option<T> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(f(&path));
    });
    receiver
        .recv_timeout(std::time::Duration::from_secs(60))
        .ok()
}

/// What the CLI imports and restores from (`import::read_file`) and the
/// store's metadata file are refused the same way when a named pipe, a
/// device or a folder stands in their place: once, a pipe named
/// accounts.json hung every start of the app and every CLI command.
#[cfg(unix)]
#[test]
fn a_pipe_for_an_import_or_the_metadata_file_is_refused_without_waiting() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("accounts.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo: {made}");
    for path in [
        fifo.clone(),
        PathBuf::from("/dev/zero"),
        dir.path().to_owned(),
    ] {
        let shown = path.display().to_string();
        let read = in_bounded_time(path, watchword_core::import::read_file)
            .unwrap_or_else(|| panic!("{shown}: still reading after a minute"));
        let error = read.expect_err("not a file to import");
        assert!(
            error.to_string().contains("not a regular file"),
            "{shown}: {error}"
        );
    }
    let read = in_bounded_time(fifo, |p| {
        watchword_core::store::metadata::read(p).map(|_| ())
    })
    .expect("the metadata file's read still waiting after a minute");
    let error = read.expect_err("a pipe is no metadata file");
    assert!(error.to_string().contains("not a regular file"), "{error}");
}
