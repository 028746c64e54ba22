//! Writing the PDF: pages with their header, accounts and footer, QR codes
//! as filled rectangles, and the UTC day printed on the sheet.

use super::text::{win_ansi, Font};
use super::{
    Block, Paper, BOX_HEIGHT, BOX_WIDTH, CONTINUED_SIZE, FOOTER_HEIGHT, FOOTER_SIZE, GAP, GUTTER,
    HEADER_GAP, HELP, HELP_SIZE, MM, QUIET, TITLE_SIZE,
};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use std::time::SystemTime;
use zeroize::Zeroizing;

/// The PDF: catalog, page tree, three fonts, one content stream a page.
pub(super) fn write_pdf(
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
pub(super) fn utc_day(time: SystemTime) -> String {
    let seconds = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let (year, month, day, ..) = crate::calendar::utc(seconds);
    format!("{year:04}-{month:02}-{day:02}")
}
