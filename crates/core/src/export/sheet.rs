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
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use std::time::SystemTime;
use zeroize::Zeroizing;

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

/// Lines of issuer or account name printed before cutting.
const MAX_NAME_LINES: usize = 2;
/// What marks a name printed differently from the account's.
const SEE_QR: &[u8] = b" (see QR)";
/// WinAnsi's horizontal ellipsis.
const ELLIPSIS: u8 = 0x85;

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

/// The base-14 fonts used, by their resource name on each page.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Font {
    Regular,
    Bold,
    Mono,
}

impl Font {
    const ALL: [Font; 3] = [Font::Regular, Font::Bold, Font::Mono];

    fn resource(self) -> Name<'static> {
        match self {
            Font::Regular => Name(b"F1"),
            Font::Bold => Name(b"F2"),
            Font::Mono => Name(b"F3"),
        }
    }

    fn base_font(self) -> Name<'static> {
        match self {
            Font::Regular => Name(b"Helvetica"),
            Font::Bold => Name(b"Helvetica-Bold"),
            Font::Mono => Name(b"Courier"),
        }
    }

    /// Advance width of a WinAnsi byte in 1/1000 em. Helvetica's come from
    /// its AFM for ASCII; above ASCII a bound wide enough for any letter
    /// there. Bold is bounded by Helvetica's widths plus 12 %: wrapping a
    /// little early is harmless, running off the paper is not.
    fn width(self, byte: u8) -> f32 {
        let regular = match byte {
            32..=126 => f32::from(HELVETICA[usize::from(byte - 32)]),
            0xC6 => 1000.0,
            _ => 889.0,
        };
        match self {
            Font::Regular => regular,
            Font::Bold => regular * 1.12,
            Font::Mono => 600.0,
        }
    }

    fn measure(self, text: &[u8], size: f32) -> f32 {
        text.iter().map(|&b| self.width(b)).sum::<f32>() * size / 1000.0
    }
}

/// Helvetica's advance widths for ASCII 32 (space) to 126 (`~`), from Adobe's
/// Core14 AFM file.
#[rustfmt::skip]
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // ␠ to /
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0 to ?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ to O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P to _
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` to o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,      // p to ~
];

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

/// `key` in groups of four, as many groups a line as fit in `width`.
fn key_lines(key: &str, size: f32, width: f32) -> Vec<Vec<u8>> {
    // Each group takes five characters with its space, bar the last.
    let chars = (width / (Font::Mono.width(b'A') * size / 1000.0)) as usize;
    let per_line = ((chars + 1) / 5).max(1);
    let groups: Vec<&[u8]> = key.as_bytes().chunks(4).collect();
    groups
        .chunks(per_line)
        .map(|line| {
            // Sized up front: growing would leave copies of the key behind.
            let mut text = Vec::with_capacity(line.len() * 5);
            for (i, group) in line.iter().enumerate() {
                if i > 0 {
                    text.push(b' ');
                }
                text.extend_from_slice(group);
            }
            text
        })
        .collect()
}

/// `text` in WinAnsi bytes, and whether every character could be shown.
/// Controls and characters the base-14 fonts lack become `?`.
fn win_ansi(text: &str) -> (Vec<u8>, bool) {
    let mut exact = true;
    let bytes = text
        .chars()
        .map(|c| {
            win_ansi_byte(c).unwrap_or_else(|| {
                exact = false;
                b'?'
            })
        })
        .collect();
    (bytes, exact)
}

fn win_ansi_byte(c: char) -> Option<u8> {
    let code = u32::from(c);
    if (0x20..=0x7E).contains(&code) || (0xA0..=0xFF).contains(&code) {
        return u8::try_from(code).ok();
    }
    // WinAnsi's 0x80–0x9F (cp1252); the five holes there are unused.
    const HIGH: [(char, u8); 27] = [
        ('€', 0x80),
        ('‚', 0x82),
        ('ƒ', 0x83),
        ('„', 0x84),
        ('…', 0x85),
        ('†', 0x86),
        ('‡', 0x87),
        ('ˆ', 0x88),
        ('‰', 0x89),
        ('Š', 0x8A),
        ('‹', 0x8B),
        ('Œ', 0x8C),
        ('Ž', 0x8E),
        ('‘', 0x91),
        ('’', 0x92),
        ('“', 0x93),
        ('”', 0x94),
        ('•', 0x95),
        ('–', 0x96),
        ('—', 0x97),
        ('˜', 0x98),
        ('™', 0x99),
        ('š', 0x9A),
        ('›', 0x9B),
        ('œ', 0x9C),
        ('ž', 0x9E),
        ('Ÿ', 0x9F),
    ];
    HIGH.iter().find(|(high, _)| *high == c).map(|&(_, b)| b)
}

/// `text` wrapped to `width` in at most [`MAX_NAME_LINES`] lines; ends in
/// "(see QR)" when a character had to be replaced or the text cut.
fn fit(text: &str, font: Font, size: f32, width: f32) -> Vec<Vec<u8>> {
    let (bytes, exact) = win_ansi(text);
    let lines = wrap(&bytes, font, size, width);
    if exact && lines.len() <= MAX_NAME_LINES {
        return lines;
    }
    let mut marked = bytes;
    marked.extend_from_slice(SEE_QR);
    let mut lines = wrap(&marked, font, size, width);
    if lines.len() > MAX_NAME_LINES {
        lines.truncate(MAX_NAME_LINES);
        let last = lines.last_mut().expect("MAX_NAME_LINES is above zero");
        let tail_width = font.measure(SEE_QR, size) + font.measure(&[ELLIPSIS], size);
        while !last.is_empty() && font.measure(last, size) + tail_width > width {
            last.pop();
        }
        last.push(ELLIPSIS);
        last.extend_from_slice(SEE_QR);
    }
    lines
}

/// Greedy wrap at spaces, or anywhere in a word wider than `width`.
fn wrap(text: &[u8], font: Font, size: f32, width: f32) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    for &byte in text {
        if byte == b' ' && line.is_empty() && !lines.is_empty() {
            continue;
        }
        if !line.is_empty() && font.measure(&line, size) + font.width(byte) * size / 1000.0 > width
        {
            let rest = match line.iter().rposition(|&b| b == b' ') {
                Some(space) => {
                    let rest = line.split_off(space + 1);
                    line.pop();
                    rest
                }
                None => Vec::new(),
            };
            lines.push(std::mem::replace(&mut line, rest));
            if byte == b' ' && line.is_empty() {
                continue;
            }
        }
        line.push(byte);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
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

/// The PDF: catalog, page tree, three fonts, one content stream a page.
fn write_pdf(
    blocks: &[Block],
    pages: &[Vec<usize>],
    day: &str,
    paper: Paper,
) -> Zeroizing<Vec<u8>> {
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let info = Ref::new(3);
    let font_ref = |font: Font| {
        Ref::new(match font {
            Font::Regular => 4,
            Font::Bold => 5,
            Font::Mono => 6,
        })
    };
    let page_ref = |i: usize| Ref::new(7 + 2 * i as i32);
    let content_ref = |i: usize| Ref::new(8 + 2 * i as i32);

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids((0..pages.len()).map(page_ref))
        .count(pages.len() as i32);
    pdf.document_info(info)
        .title(TextStr("Watchword recovery sheet"))
        .creator(TextStr("Watchword"));
    for font in Font::ALL {
        pdf.type1_font(font_ref(font))
            .base_font(font.base_font())
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }

    let (paper_width, paper_height) = paper.size();
    // The content box, centred on the paper.
    let left = (paper_width - BOX_WIDTH) / 2.0;
    let top = paper_height - (paper_height - BOX_HEIGHT) / 2.0;
    let bottom = top - BOX_HEIGHT;
    let count: usize = pages.iter().map(Vec::len).sum();
    for (i, page) in pages.iter().enumerate() {
        let mut content = Content::new();
        let mut y = top;
        if i == 0 {
            y -= TITLE_SIZE;
            text(
                &mut content,
                Font::Bold,
                TITLE_SIZE,
                left,
                y,
                b"Watchword recovery sheet",
            );
            y -= TITLE_SIZE * 0.3 + HELP_SIZE * 0.4;
            for help in HELP {
                y -= HELP_SIZE * 1.4;
                text(
                    &mut content,
                    Font::Regular,
                    HELP_SIZE,
                    left,
                    y,
                    &win_ansi(help).0,
                );
            }
        } else {
            y -= CONTINUED_SIZE;
            text(
                &mut content,
                Font::Bold,
                CONTINUED_SIZE,
                left,
                y,
                b"Watchword recovery sheet (continued)",
            );
            y -= CONTINUED_SIZE * 0.3;
        }
        y -= HEADER_GAP / 2.0;
        rule(&mut content, left, y);
        y -= HEADER_GAP / 2.0;

        for (n, &index) in page.iter().enumerate() {
            if n > 0 {
                y -= GAP / 2.0;
                rule(&mut content, left, y);
                y -= GAP / 2.0;
            }
            draw_block(&mut content, &blocks[index], left, y);
            y -= blocks[index].height();
        }

        let footer_y = bottom + FOOTER_SIZE * 0.3;
        rule(&mut content, left, bottom + FOOTER_HEIGHT - 2.5 * MM);
        let accounts = if count == 1 { "account" } else { "accounts" };
        let dated = format!("Printed {day} (UTC) \u{b7} {count} {accounts}");
        text(
            &mut content,
            Font::Regular,
            FOOTER_SIZE,
            left,
            footer_y,
            &win_ansi(&dated).0,
        );
        let numbered = format!("Page {} of {}", i + 1, pages.len());
        let width = Font::Regular.measure(numbered.as_bytes(), FOOTER_SIZE);
        text(
            &mut content,
            Font::Regular,
            FOOTER_SIZE,
            left + BOX_WIDTH - width,
            footer_y,
            numbered.as_bytes(),
        );

        let mut writer = pdf.page(page_ref(i));
        writer
            .parent(tree)
            .media_box(Rect::new(0.0, 0.0, paper_width, paper_height))
            .contents(content_ref(i));
        let mut resources = writer.resources();
        let mut fonts = resources.fonts();
        for font in Font::ALL {
            fonts.pair(font.resource(), font_ref(font));
        }
        fonts.finish();
        resources.finish();
        writer.finish();
        let stream = Zeroizing::new(content.finish().into_vec());
        let deflated = Zeroizing::new(miniz_oxide::deflate::compress_to_vec_zlib(&stream, 6));
        pdf.stream(content_ref(i), &deflated)
            .filter(Filter::FlateDecode);
    }
    Zeroizing::new(pdf.finish())
}

/// One line of text with its baseline at `y`.
fn text(content: &mut Content, font: Font, size: f32, x: f32, y: f32, bytes: &[u8]) {
    content
        .begin_text()
        .set_font(font.resource(), size)
        .next_line(x, y)
        .show(Str(bytes))
        .end_text();
}

/// A thin grey line across the content box at `y`.
fn rule(content: &mut Content, x: f32, y: f32) {
    content
        .save_state()
        .set_stroke_gray(0.6)
        .set_line_width(0.5)
        .move_to(x, y)
        .line_to(x + BOX_WIDTH, y)
        .stroke()
        .restore_state();
}

/// `block` with its top left corner at (`x`, `top`).
fn draw_block(content: &mut Content, block: &Block, x: f32, top: f32) {
    // Each row's runs of dark modules as rectangles, all in one path filled
    // once, so no hairline seams show between neighbours.
    let m = block.module;
    let origin_x = x + QUIET as f32 * m;
    let origin_y = top - QUIET as f32 * m;
    for (row, cells) in block.dark.chunks(block.modules).enumerate() {
        let y = origin_y - (row + 1) as f32 * m;
        let mut column = 0;
        while column < cells.len() {
            if !cells[column] {
                column += 1;
                continue;
            }
            let start = column;
            while column < cells.len() && cells[column] {
                column += 1;
            }
            content.rect(
                origin_x + start as f32 * m,
                y,
                (column - start) as f32 * m,
                m,
            );
        }
    }
    content.fill_nonzero();

    let text_x = x + block.qr_width() + GUTTER;
    let mut y = top;
    for line in &block.lines {
        // Baseline one font size below the line's top.
        text(
            content,
            line.font,
            line.size,
            text_x,
            y - line.size,
            &line.text,
        );
        y -= line.leading();
    }
}

/// `time` as a UTC calendar day, `YYYY-MM-DD` (times before 1970 print as
/// 1970-01-01: no clock is that wrong and still makes codes).
fn utc_day(time: SystemTime) -> String {
    let seconds = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let days = i64::try_from(seconds / 86_400).expect("u64 seconds / 86400 fits in i64");
    // Howard Hinnant's civil_from_days
    // (<https://howardhinnant.github.io/date_algorithms.html>).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
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
