//! The printable recovery sheet: every account as a QR code of its otpauth
//! URI and its key in Base32, with issuer, name and type details, as a PDF
//! for A4 or Letter paper.
//!
//! The content is laid out once for the area common to both papers
//! (210 × 279.4 mm) less [`MARGIN`] on every side, and centred on the paper
//! chosen, so any printer's unprintable edge stays clear. Accounts are stacked
//! one under the other, never split across pages. QR codes are vector
//! rectangles, about 42 mm wide with their quiet zone and never under 0.5 mm a
//! module, which phones and webcams read from paper.
//!
//! Text uses three of the PDF base-14 fonts (Helvetica, Helvetica-Bold,
//! Courier) in WinAnsiEncoding, so no font file is embedded. Those fonts
//! cannot show what lies beyond WinAnsi (Latin-1 plus a few signs): CJK,
//! Cyrillic, emoji, … print as `?` and the account's printed names end with
//! "(see QR)": the QR code carries the exact URI, in UTF-8. Names too long
//! for two lines are cut the same way. The key is always printed whole.
//!
//! Page contents are deflated (FlateDecode): QR codes drawn as rectangles
//! are repetitive, and 300 accounts shrink from about 8 MB to a fraction.
//!
//! The result holds every key in the clear. The bytes returned are wiped when
//! dropped; the PDF writer's intermediate buffers are not (they grow by
//! reallocation), which matters little next to a sheet meant to be printed.

use super::ExportError;
use crate::account::{Account, OtpKind, STEAM_LENGTH, STEAM_PERIOD};
use std::time::SystemTime;
use zeroize::Zeroizing;

mod pdf;
mod text;

use pdf::{utc_day, write_pdf};
use text::{fit, key_lines, win_ansi, Font};

/// Points (1/72 inch, the PDF unit) in a millimetre.
const MM: f32 = 72.0 / 25.4;
/// The area every sheet is laid out in: A4's width and Letter's height.
const COMMON_WIDTH: f32 = 210.0 * MM;
const COMMON_HEIGHT: f32 = 279.4 * MM;
/// Blank border inside the common area; more on the paper's longer side.
/// Printers need about 5 mm; 15 leaves room for a punched or trimmed edge.
const MARGIN: f32 = 15.0 * MM;
const BOX_WIDTH: f32 = COMMON_WIDTH - 2.0 * MARGIN;
const BOX_HEIGHT: f32 = COMMON_HEIGHT - 2.0 * MARGIN;

/// Width of a QR code with its quiet zone, when modules stay above
/// [`MIN_MODULE`]; longer URIs get wider codes instead of finer modules.
const QR_WIDTH: f32 = 42.0 * MM;
/// The finest module drawn: a phone camera at arm's length still resolves it.
const MIN_MODULE: f32 = 0.5 * MM;
/// Light modules around the code, as ISO/IEC 18004 asks.
const QUIET: usize = 4;
/// Between a QR code and its text.
const GUTTER: f32 = 6.0 * MM;
/// Between two accounts.
const GAP: f32 = 6.0 * MM;

/// Courier sizes of the key: the usual, and for keys too long for a page
/// at the usual size.
const KEY_SIZE: f32 = 10.5;
const SMALL_KEY_SIZE: f32 = 8.0;

/// Paper size of the sheet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    /// 210 × 297 mm.
    #[default]
    A4,
    /// US Letter, 8.5 × 11 inches.
    Letter,
}

impl Paper {
    /// Width and height in points.
    fn size(self) -> (f32, f32) {
        match self {
            Paper::A4 => (210.0 * MM, 297.0 * MM),
            Paper::Letter => (612.0, 792.0),
        }
    }
}

/// One line of text in a block: font, size and WinAnsi bytes (wiped when
/// dropped: key lines hold the key).
struct Line {
    font: Font,
    size: f32,
    text: Zeroizing<Vec<u8>>,
}

impl Line {
    fn new(font: Font, size: f32, text: Vec<u8>) -> Self {
        Line {
            font,
            size,
            text: Zeroizing::new(text),
        }
    }

    fn leading(&self) -> f32 {
        self.size * 1.3
    }
}

/// One account laid out: its QR code and its lines of text.
struct Block {
    /// Modules across, without the quiet zone.
    modules: usize,
    /// Dark or light, row by row from the top.
    dark: Zeroizing<Vec<bool>>,
    /// Side of one module, in points.
    module: f32,
    lines: Vec<Line>,
}

impl Block {
    fn qr_width(&self) -> f32 {
        (self.modules + 2 * QUIET) as f32 * self.module
    }

    fn height(&self) -> f32 {
        let text: f32 = self.lines.iter().map(Line::leading).sum();
        self.qr_width().max(text)
    }
}

/// The recovery sheet for `accounts`, dated `printed` (shown as its UTC
/// day), for `paper`: a PDF with a title and how to restore on the first
/// page, then every account in the order given. HOTP accounts print the
/// counter they hold, so pass them as the store has them now.
///
/// Fails with [`ExportError::NoAccounts`] when there are none, and
/// [`ExportError::TooLongToPrint`] when an account's URI is too long for a
/// QR code or its block for a page (names and keys far beyond what sites
/// use). Errors name the account, never its key.
pub fn recovery_sheet(
    accounts: &[Account],
    printed: SystemTime,
    paper: Paper,
) -> Result<Zeroizing<Vec<u8>>, ExportError> {
    if accounts.is_empty() {
        return Err(ExportError::NoAccounts);
    }
    let too_long = |index: usize, account: &Account| ExportError::TooLongToPrint {
        index,
        label: account.display_name(),
    };
    let blocks = accounts
        .iter()
        .enumerate()
        .map(|(index, account)| block(account).ok_or_else(|| too_long(index, account)))
        .collect::<Result<Vec<_>, _>>()?;
    let pages = paginate(&blocks).map_err(|index| too_long(index, &accounts[index]))?;
    Ok(write_pdf(&blocks, &pages, &utc_day(printed), paper))
}

/// Sizes of the page furniture.
const TITLE_SIZE: f32 = 18.0;
const HELP_SIZE: f32 = 10.0;
const CONTINUED_SIZE: f32 = 11.0;
const FOOTER_SIZE: f32 = 9.0;
/// Below the header, before the first account.
const HEADER_GAP: f32 = 5.0 * MM;
const FOOTER_HEIGHT: f32 = FOOTER_SIZE + 5.0 * MM;

/// The three lines on how to restore, first page only. Plain WinAnsi: no
/// arrow or other sign the base-14 fonts lack.
const HELP: [&str; 3] = [
    "To restore an account in Watchword: choose Add, then scan its QR code, or type its key.",
    "Any authenticator app (Google Authenticator, Aegis, 2FAS, \u{2026}) can scan these codes too.",
    "Keep this sheet somewhere safe and private: anyone who holds it can open every account on it.",
];

fn header_height(first: bool) -> f32 {
    if first {
        TITLE_SIZE * 1.3 + HELP.len() as f32 * HELP_SIZE * 1.4 + HEADER_GAP
    } else {
        CONTINUED_SIZE * 1.3 + HEADER_GAP
    }
}

/// Room for accounts on a page.
fn room(first: bool) -> f32 {
    BOX_HEIGHT - header_height(first) - FOOTER_HEIGHT
}

/// `account` laid out, or `None` when its URI is too long for a QR code.
fn block(account: &Account) -> Option<Block> {
    let uri = Zeroizing::new(crate::uri::format(account));
    let (modules, dark) = crate::qr::modules(&uri)?;
    let module = (QR_WIDTH / (modules + 2 * QUIET) as f32).max(MIN_MODULE);
    let qr_width = (modules + 2 * QUIET) as f32 * module;
    let width = BOX_WIDTH - qr_width - GUTTER;

    let mut lines = Vec::new();
    let issuer = if account.issuer.is_empty() {
        "(no issuer)"
    } else {
        &account.issuer
    };
    for text in fit(issuer, Font::Bold, 12.0, width) {
        lines.push(Line::new(Font::Bold, 12.0, text));
    }
    let name = if account.name.is_empty() {
        "(no account name)".to_owned()
    } else {
        format!("Account: {}", account.name)
    };
    for text in fit(&name, Font::Regular, 10.0, width) {
        lines.push(Line::new(Font::Regular, 10.0, text));
    }
    let (details, _) = win_ansi(&details(account));
    lines.push(Line::new(Font::Regular, 9.0, details));
    lines.push(Line::new(
        Font::Regular,
        8.0,
        b"Key (Base32, letters A-Z and digits 2-7):".to_vec(),
    ));
    // Keys far longer than sites use (up to 1024 bytes) get a smaller size,
    // so that their block still fits on a page.
    let key = Zeroizing::new(account.secret.to_base32());
    let above: f32 = lines.iter().map(Line::leading).sum();
    let mut size = KEY_SIZE;
    let mut key_text = key_lines(&key, size, width);
    if above + key_text.len() as f32 * size * 1.3 > room(false) {
        size = SMALL_KEY_SIZE;
        key_text = key_lines(&key, size, width);
    }
    for text in key_text {
        lines.push(Line::new(Font::Mono, size, text));
    }
    Some(Block {
        modules,
        dark: Zeroizing::new(dark),
        module,
        lines,
    })
}

/// Type, algorithm, digits and period or counter, in words.
fn details(account: &Account) -> String {
    match account.kind {
        OtpKind::Totp { period } => format!(
            "TOTP (time-based) \u{b7} {} \u{b7} {} digits \u{b7} every {period} s",
            account.algorithm.as_str(),
            account.digits
        ),
        OtpKind::Hotp { counter } => format!(
            "HOTP (counter-based) \u{b7} {} \u{b7} {} digits \u{b7} counter {counter}",
            account.algorithm.as_str(),
            account.digits
        ),
        OtpKind::Steam => format!(
            "Steam Guard \u{b7} SHA1 \u{b7} {STEAM_LENGTH} characters \u{b7} every {STEAM_PERIOD} s"
        ),
    }
}

/// Blocks grouped into pages, first page first; `Err(index)` of a block
/// taller than a page's room.
fn paginate(blocks: &[Block]) -> Result<Vec<Vec<usize>>, usize> {
    let mut pages: Vec<Vec<usize>> = vec![Vec::new()];
    let mut used = 0.0;
    for (index, block) in blocks.iter().enumerate() {
        let height = block.height();
        if height > room(false) {
            return Err(index);
        }
        let page = pages.last().expect("starts with one page");
        let gap = if page.is_empty() { 0.0 } else { GAP };
        if used + gap + height > room(pages.len() == 1) {
            pages.push(vec![index]);
            used = height;
        } else {
            pages.last_mut().expect("starts with one page").push(index);
            used += gap + height;
        }
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::text::{wrap, MAX_NAME_LINES};
    use super::*;
    use crate::secret::Secret;
    use std::time::Duration;

    #[test]
    fn days_are_utc_calendar_days() {
        let at = |secs| utc_day(SystemTime::UNIX_EPOCH + Duration::from_secs(secs));
        assert_eq!(at(0), "1970-01-01");
        assert_eq!(at(951_782_400), "2000-02-29");
        // 2026-12-01 23:59:59 UTC.
        assert_eq!(at(1_796_169_599), "2026-12-01");
        assert_eq!(at(1_796_169_600), "2026-12-02");
    }

    #[test]
    fn characters_beyond_win_ansi_become_question_marks() {
        assert_eq!(win_ansi("Café €5"), (b"Caf\xe9 \x805".to_vec(), true));
        assert_eq!(win_ansi("銀行 bank"), (b"?? bank".to_vec(), false));
        assert_eq!(win_ansi("a\u{1F600}\n"), (b"a??".to_vec(), false));
    }

    #[test]
    fn names_that_cannot_print_exactly_say_see_qr() {
        let width = 100.0 * MM;
        assert_eq!(fit("Bank", Font::Bold, 12.0, width), vec![b"Bank".to_vec()]);
        assert_eq!(
            fit("銀行", Font::Bold, 12.0, width),
            vec![b"?? (see QR)".to_vec()]
        );
        let long = "word ".repeat(200);
        let lines = fit(&long, Font::Regular, 10.0, width);
        assert_eq!(lines.len(), MAX_NAME_LINES);
        assert!(lines[1].ends_with(b"\x85 (see QR)"), "{lines:?}");
        for line in &lines {
            assert!(Font::Regular.measure(line, 10.0) <= width);
        }
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_inside_long_words() {
        let width = Font::Regular.measure(b"aaaa", 10.0);
        assert_eq!(
            wrap(b"aa aa aaaaaa", Font::Regular, 10.0, width),
            vec![
                b"aa".to_vec(),
                b"aa".to_vec(),
                b"aaaa".to_vec(),
                b"aa".to_vec()
            ]
        );
    }

    #[test]
    fn keys_print_in_groups_of_four() {
        let key = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
        let lines = key_lines(key, 10.0, 1000.0);
        assert_eq!(
            lines,
            vec![b"JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP".to_vec()]
        );
        let narrow = key_lines(key, 10.0, Font::Mono.measure(b"JBSW Y3DP E", 10.0));
        assert_eq!(narrow.len(), 4);
        assert_eq!(narrow[0], b"JBSW Y3DP".to_vec());
    }

    #[test]
    fn no_accounts_and_overlong_accounts_are_refused_by_name() {
        assert_eq!(
            recovery_sheet(&[], SystemTime::now(), Paper::A4),
            Err(ExportError::NoAccounts)
        );
        let mut huge = Account::totp("Shop", "me", Secret::from_bytes(vec![7; 1024]));
        huge.name = "n".repeat(1500);
        let error = recovery_sheet(&[huge], SystemTime::now(), Paper::A4)
            .expect_err("a 1024-byte key and a 1500-character name fit no QR code");
        assert_eq!(
            error,
            ExportError::TooLongToPrint {
                index: 0,
                label: format!("Shop ({})", "n".repeat(1500)),
            }
        );
        assert!(!error.to_string().contains("AAAA"), "no key in {error}");
    }

    #[test]
    fn the_longest_key_still_prints() {
        let account = Account::totp("Shop", "me", Secret::from_bytes(vec![7; 1024]));
        let pdf = recovery_sheet(&[account], SystemTime::now(), Paper::Letter)
            .expect("a 1024-byte key fits a QR code and a page");
        assert!(pdf.starts_with(b"%PDF-"));
    }

    #[test]
    fn content_stays_inside_both_papers_with_margins() {
        for paper in [Paper::A4, Paper::Letter] {
            let (width, height) = paper.size();
            assert!((width - BOX_WIDTH) / 2.0 >= 12.0 * MM);
            assert!((height - BOX_HEIGHT) / 2.0 >= 12.0 * MM);
        }
    }
}
