//! The printable recovery sheet read back the way a person would: each page
//! rendered to an image by poppler's `pdftoppm` at 150 dpi (a modest printer
//! or scanner) and every QR code decoded by Watchword's own reader, which must
//! give back exactly the accounts printed; and `pdftotext` must find each key
//! in groups of four.
//!
//! Needs poppler-utils (`pdftoppm`, `pdftotext`, `pdfinfo`), which
//! `scripts/setup.sh test` installs. Without them these tests fail: a sheet
//! nobody checked is not a backup.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};
use watchword_core::export::{recovery_sheet, Paper};
use watchword_core::{qr, uri, Account, Algorithm, OtpKind, Secret};

/// 2026-12-01 12:00 UTC.
fn printed() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_126_400)
}

fn key(seed: u8, len: usize) -> Secret {
    Secret::from_bytes(
        (0..len)
            .map(|i| seed.wrapping_mul(31).wrapping_add(i as u8))
            .collect(),
    )
}

fn account(
    issuer: &str,
    name: &str,
    secret: Secret,
    algorithm: Algorithm,
    digits: u8,
    kind: OtpKind,
) -> Account {
    Account::new(issuer, name, secret, algorithm, digits.into(), kind)
        .expect("a valid test account")
}

/// Twelve accounts of every kind, enough for several pages on either paper,
/// with names the base-14 fonts cannot show.
fn accounts() -> Vec<Account> {
    use Algorithm::*;
    let totp = |period| OtpKind::Totp { period };
    vec![
        account(
            "Amazon",
            "seller@example.com",
            key(1, 20),
            Sha1,
            6,
            totp(30),
        ),
        account("GitHub", "octo-cat", key(2, 10), Sha1, 6, totp(30)),
        account("銀行 Bank", "山田 太郎", key(3, 20), Sha1, 6, totp(30)),
        account(
            "Café Crème",
            "zoë@example.fr",
            key(4, 32),
            Sha256,
            8,
            totp(60),
        ),
        account("Big Bank", "me", key(5, 64), Sha512, 8, totp(30)),
        account("Steam", "gamer", key(6, 20), Sha1, 5, OtpKind::Steam),
        account(
            "Counter Co",
            "hotp user",
            key(7, 20),
            Sha1,
            6,
            OtpKind::Hotp { counter: 42 },
        ),
        account("", "no issuer: a:b&c=d", key(8, 16), Sha1, 7, totp(15)),
        account(
            "Emoji 🔐 Shop",
            "me+test@example.com",
            key(9, 20),
            Sha256,
            6,
            totp(30),
        ),
        account(
            "HOTP Big",
            "far along",
            key(10, 20),
            Sha512,
            8,
            OtpKind::Hotp {
                counter: 18_446_744_073_709_551_000,
            },
        ),
        account(
            "A very long issuer name that needs more than one line to be printed in full",
            "someone.with.a.long.address@a-rather-long-domain.example.com",
            key(11, 20),
            Sha1,
            6,
            totp(30),
        ),
        account("Proton", "Ünïcødé Nämé", key(12, 20), Sha1, 6, totp(30)),
    ]
}

fn run(program: &str, args: &[&std::ffi::OsStr]) -> std::process::Output {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|error| {
            panic!(
                "cannot run {program} ({error}): install poppler-utils with scripts/setup.sh test"
            )
        });
    assert!(
        output.status.success(),
        "{program} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn write_sheet(dir: &Path, paper: Paper) -> std::path::PathBuf {
    let pdf = recovery_sheet(&accounts(), printed(), paper).expect("the sheet is made");
    let path = dir.join("sheet.pdf");
    std::fs::write(&path, &*pdf).expect("write the PDF");
    path
}

/// Every QR payload on every page, page by page, in reading order.
fn decode_pages(dir: &Path, pdf: &Path) -> Vec<Vec<String>> {
    run(
        "pdftoppm",
        &[
            "-r".as_ref(),
            "150".as_ref(),
            "-gray".as_ref(),
            "-png".as_ref(),
            pdf.as_os_str(),
            dir.join("page").as_os_str(),
        ],
    );
    let mut pages: Vec<_> = std::fs::read_dir(dir)
        .expect("read the folder")
        .map(|entry| entry.expect("a folder entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "png"))
        .collect();
    // pdftoppm pads page numbers to one width, so names sort as pages do.
    pages.sort();
    pages
        .iter()
        .map(|page| qr::decode_file(page).unwrap_or_else(|e| panic!("{}: {e}", page.display())))
        .collect()
}

fn check_paper(paper: Paper, page_size: &str) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let pdf = write_sheet(dir.path(), paper);

    let info = String::from_utf8(run("pdfinfo", &[pdf.as_os_str()]).stdout).expect("UTF-8");
    assert!(info.contains(page_size), "{paper:?}: {info}");
    let pages = decode_pages(dir.path(), &pdf);
    assert!(pages.len() >= 3, "{paper:?}: {} pages", pages.len());
    let decoded: Vec<Account> = pages
        .iter()
        .flatten()
        .map(|payload| uri::parse(payload).expect("each QR code holds an otpauth URI"))
        .collect();
    let expected = accounts();
    assert_eq!(
        decoded.len(),
        expected.len(),
        "{paper:?}: every code read, once"
    );
    for (n, (got, want)) in decoded.iter().zip(&expected).enumerate() {
        // Account's Debug hides the key; compare field by field to say which.
        assert_eq!(got.issuer, want.issuer, "{paper:?} #{n}");
        assert_eq!(got.name, want.name, "{paper:?} #{n}");
        assert!(
            got.secret.expose() == want.secret.expose(),
            "{paper:?} #{n}: key differs"
        );
        assert_eq!(got.algorithm, want.algorithm, "{paper:?} #{n}");
        assert_eq!(got.digits, want.digits, "{paper:?} #{n}");
        assert_eq!(got.kind, want.kind, "{paper:?} #{n}");
        assert!(got == want, "{paper:?} #{n}");
    }
}

#[test]
fn every_qr_code_on_an_a4_sheet_reads_back_to_its_account() {
    check_paper(Paper::A4, "595.276 x 841.89 pts (A4)");
}

#[test]
fn every_qr_code_on_a_letter_sheet_reads_back_to_its_account() {
    check_paper(Paper::Letter, "612 x 792 pts (letter)");
}

#[test]
fn the_text_shows_each_key_in_groups_of_four_and_marks_what_it_cannot_show() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let pdf = write_sheet(dir.path(), Paper::A4);
    let text = String::from_utf8(
        run(
            "pdftotext",
            &["-raw".as_ref(), pdf.as_os_str(), "-".as_ref()],
        )
        .stdout,
    )
    .expect("pdftotext writes UTF-8");
    let words: Vec<&str> = text.split_whitespace().collect();
    for (n, account) in accounts().iter().enumerate() {
        let key = account.secret.to_base32();
        let groups: Vec<&str> = key
            .as_bytes()
            .chunks(4)
            .map(|group| std::str::from_utf8(group).expect("Base32 is ASCII"))
            .collect();
        assert!(
            words.windows(groups.len()).any(|window| window == groups),
            "account #{n}: its key is not printed in groups of four"
        );
    }
    for expected in [
        "Watchword recovery sheet",
        "Printed 2026-12-01 (UTC)",
        "Page 1 of ",
        "Café Crème",
        "?? Bank (see QR)",
        "Emoji ? Shop (see QR)",
        "counter 42",
        "counter 18446744073709551000",
        "Steam Guard",
        "SHA512",
        "every 15 s",
    ] {
        assert!(text.contains(expected), "{expected:?} not in the text");
    }
}

/// Every word poppler places (with the fonts' real metrics) lies inside the
/// paper less 12 mm on every side, on both papers, even for names made of
/// the widest letters, which the layout's width estimate must not
/// underrate.
#[test]
fn all_text_stays_12_mm_inside_the_paper() {
    const MARGIN: f64 = 12.0 * 72.0 / 25.4;
    let wide = |c: &str, n| c.repeat(n);
    let mut sheet = accounts();
    sheet.push(account(
        &wide("W", 90),
        &wide("M", 90),
        key(13, 20),
        Algorithm::Sha1,
        6,
        OtpKind::Totp { period: 30 },
    ));
    sheet.push(account(
        &wide("Æ", 60),
        &format!("{}@{}", wide("w", 40), wide("m", 40)),
        key(14, 20),
        Algorithm::Sha1,
        6,
        OtpKind::Totp { period: 30 },
    ));
    sheet.push(account(
        &wide("Wm", 8),
        &wide("%@", 60),
        key(15, 20),
        Algorithm::Sha1,
        6,
        OtpKind::Totp { period: 30 },
    ));
    for paper in [Paper::A4, Paper::Letter] {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let pdf = recovery_sheet(&sheet, printed(), paper).expect("the sheet is made");
        let path = dir.path().join("sheet.pdf");
        std::fs::write(&path, &*pdf).expect("write the PDF");
        let html = String::from_utf8(
            run(
                "pdftotext",
                &["-bbox".as_ref(), path.as_os_str(), "-".as_ref()],
            )
            .stdout,
        )
        .expect("pdftotext writes UTF-8");
        let number = |text: &str, name: &str| -> f64 {
            let start = text
                .find(&format!("{name}=\""))
                .unwrap_or_else(|| panic!("{name} in {text}"))
                + name.len()
                + 2;
            let end = start + text[start..].find('"').expect("a closing quote");
            text[start..end].parse().expect("a number")
        };
        let mut words = 0;
        for page in html.split("<page ").skip(1) {
            let (width, height) = (number(page, "width"), number(page, "height"));
            for word in page.split("<word ").skip(1) {
                words += 1;
                let (x0, y0, x1, y1) = (
                    number(word, "xMin"),
                    number(word, "yMin"),
                    number(word, "xMax"),
                    number(word, "yMax"),
                );
                assert!(
                    x0 >= MARGIN && y0 >= MARGIN && x1 <= width - MARGIN && y1 <= height - MARGIN,
                    "{paper:?}: a word at ({x0:.0}, {y0:.0})-({x1:.0}, {y1:.0}) on a {width:.0} x {height:.0} page"
                );
            }
        }
        assert!(words > 300, "{paper:?}: only {words} words found");
    }
}
