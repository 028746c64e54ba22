//! Pages around the codes: a web page, a phone screen or a snippet, in light
//! or dark mode, with UI clutter that keeps clear of the codes.

use super::*;

/// Draws UI-like clutter: a header bar, a sidebar, cards, buttons and lines
/// of "text" (word-sized dark blocks), keeping clear of `keep` rectangles.
pub fn draw_page(
    canvas: &mut Canvas,
    rng: &mut Rng,
    dark_mode: bool,
    scale: f32,
    keep: &[(i64, i64, i64, i64)],
) {
    let px = |v: f32| (v * scale).round() as i64;
    let (bg, panel, ink, accent) = if dark_mode {
        ([18, 18, 20], [34, 36, 40], [200, 200, 205], [88, 130, 255])
    } else {
        (
            [255, 255, 255],
            [244, 245, 247],
            [40, 42, 48],
            [26, 115, 232],
        )
    };
    canvas.fill(0, 0, canvas.width as i64, canvas.height as i64, bg);
    let (w, h) = (canvas.width as i64, canvas.height as i64);
    let header = px(56.0);
    canvas.fill(
        0,
        0,
        w,
        header,
        if rng.chance(0.5) { accent } else { panel },
    );
    let overlaps = |x: i64, y: i64, bw: i64, bh: i64| {
        keep.iter().any(|&(kx, ky, kw, kh)| {
            x < kx + kw + px(12.0)
                && kx < x + bw + px(12.0)
                && y < ky + kh + px(12.0)
                && ky < y + bh + px(12.0)
        })
    };
    // Sidebar.
    if rng.chance(0.6) {
        let sw = px(rng.float(180.0, 260.0));
        if !overlaps(0, header, sw, h - header) {
            canvas.fill(0, header, sw, h - header, panel);
        }
    }
    // Cards and buttons.
    for _ in 0..rng.range(3, 8) {
        let (bw, bh) = (px(rng.float(80.0, 420.0)), px(rng.float(30.0, 200.0)));
        let (x, y) = (
            rng.below(w.max(1) as usize) as i64,
            header + rng.below((h - header).max(1) as usize) as i64,
        );
        if !overlaps(x, y, bw, bh) {
            let color = if rng.chance(0.3) { accent } else { panel };
            canvas.fill(x, y, bw, bh, color);
        }
    }
    // Lines of text.
    let line_height = px(rng.float(20.0, 28.0));
    let glyph = (line_height as f32 * 0.5) as i64;
    let blocks = rng.range(2, 5);
    for _ in 0..blocks {
        let x0 = rng.below((w / 2).max(1) as usize) as i64 + px(20.0);
        let y0 = header + px(20.0) + rng.below((h - header).max(1) as usize) as i64;
        let width = px(rng.float(200.0, 700.0));
        for line in 0..rng.range(2, 12) as i64 {
            let y = y0 + line * line_height;
            let mut x = x0;
            while x < x0 + width {
                let word = px(rng.float(12.0, 80.0));
                if !overlaps(x, y, word, glyph) {
                    canvas.fill(x, y, word, glyph, ink);
                }
                x += word + px(6.0);
            }
        }
    }
}

/// Picks a spot for a `size`-pixel code below `top`, inside the canvas.
pub fn place(rng: &mut Rng, canvas: &Canvas, size: usize, top: usize) -> (i64, i64) {
    let max_x = canvas.width.saturating_sub(size + 20).max(21);
    let max_y = canvas.height.saturating_sub(size + 20).max(top + 1);
    let x = rng.range(20, max_x);
    let y = rng.range(top.min(max_y), max_y);
    (x as i64, y as i64)
}
