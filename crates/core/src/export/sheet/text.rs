//! Text for the base-14 fonts: their widths, WinAnsi bytes, names fitted
//! to two lines and keys in groups of four.

use pdf_writer::Name;

/// Lines of issuer or account name printed before cutting.
pub(super) const MAX_NAME_LINES: usize = 2;
/// What marks a name printed differently from the account's.
const SEE_QR: &[u8] = b" (see QR)";
/// WinAnsi's horizontal ellipsis.
const ELLIPSIS: u8 = 0x85;

/// The base-14 fonts used, by their resource name on each page.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Font {
    Regular,
    Bold,
    Mono,
}

impl Font {
    pub(super) const ALL: [Font; 3] = [Font::Regular, Font::Bold, Font::Mono];

    pub(super) fn resource(self) -> Name<'static> {
        match self {
            Font::Regular => Name(b"F1"),
            Font::Bold => Name(b"F2"),
            Font::Mono => Name(b"F3"),
        }
    }

    pub(super) fn base_font(self) -> Name<'static> {
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

    pub(super) fn measure(self, text: &[u8], size: f32) -> f32 {
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

/// `key` in groups of four, as many groups a line as fit in `width`.
pub(super) fn key_lines(key: &str, size: f32, width: f32) -> Vec<Vec<u8>> {
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
pub(super) fn win_ansi(text: &str) -> (Vec<u8>, bool) {
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
pub(super) fn fit(text: &str, font: Font, size: f32, width: f32) -> Vec<Vec<u8>> {
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
pub(super) fn wrap(text: &[u8], font: Font, size: f32, width: f32) -> Vec<Vec<u8>> {
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
