//! A deterministic corpus of realistic screenshots holding QR codes, rendered
//! here (no fixtures to commit): the QR decoding tests and `qr_bench` both
//! read it.
//!
//! Every case is a web page, a phone screen or a screen snippet drawn from a
//! seeded generator, varied over the ways screenshots defeat QR readers
//! (issue 3): smooth (bilinear) scaling at 2–4 pixels per module, fractional
//! display scaling (125 %, 150 %), light-on-dark codes, JPEG at quality 60,
//! screenshots downscaled by half, a small code on a 4K screen, tight crops
//! with no quiet zone, a logo over the middle (error correction H), low
//! contrast with slight blur, dense Google Authenticator exports (10 accounts
//! in one code), two codes in one screenshot, and pages with UI clutter.
//!
//! Codes are drawn the way browsers show them: a QR image made at a whole
//! number of pixels per module, then resampled with a triangle (bilinear)
//! filter to its displayed size, then composited into the page.
//!
//! Include it with `#[path = "../benches/qr_corpus/mod.rs"] mod qr_corpus;`.

#![allow(dead_code)]

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ExtendedColorType, ImageEncoder};
use qrcode::{Color, EcLevel, QrCode};
use watchword_core::account::{Account, Algorithm, OtpKind};
use watchword_core::secret::Secret;

mod pages;
mod payloads;
mod render;

pub use pages::{draw_page, place};
pub use payloads::{migration_uri, otpauth_uri};
pub use render::{render_code, Canvas, CodeStyle, WHITE};

/// Number of cases in the committed corpus.
pub const DEFAULT_COUNT: usize = 240;
/// Seed of the committed corpus.
pub const DEFAULT_SEED: u64 = 0x5741_5443_4857_4f52; // "WATCHWOR"

/// One screenshot and what it must decode to.
pub struct Case {
    /// `NNN-scenario-details`, stable for a given seed.
    pub name: String,
    /// The encoded file, as a user would drop or paste it.
    pub bytes: Vec<u8>,
    /// `png` or `jpg`.
    pub extension: &'static str,
    /// Width of the image in pixels.
    pub width: u32,
    /// Height of the image in pixels.
    pub height: u32,
    /// Payloads in reading order (top to bottom, left to right).
    pub expected: Vec<String>,
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}×{} {})",
            self.name, self.width, self.height, self.extension
        )
    }
}

/// The committed corpus, case by case (each is rendered on demand, so a
/// caller can stream through it without holding 240 screenshots).
pub fn case(index: usize) -> Case {
    generate(index, DEFAULT_SEED)
}

/// splitmix64: tiny, seedable, and identical on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// Uniform in `[lo, hi)`.
    pub fn float(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * ((self.next_u64() >> 40) as f32 / (1u64 << 24) as f32)
    }

    pub fn chance(&mut self, p: f32) -> bool {
        self.float(0.0, 1.0) < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

// -------------------------------------------------------------- scenarios

/// The scenarios, each drawn in turn so every axis gets its share.
const SCENARIOS: &[&str] = &[
    "snip",
    "page",
    "page-dark",
    "fractional",
    "halved",
    "4k-small",
    "tight",
    "logo",
    "low-contrast",
    "google-export",
    "two-codes",
    "jpeg",
    "phone",
    "inverted",
];

/// Renders case `index` of the corpus seeded with `seed`.
pub fn generate(index: usize, seed: u64) -> Case {
    let mut rng = Rng::new(seed ^ (index as u64).wrapping_mul(0x2545_f491_4f6c_dd1d));
    let scenario = SCENARIOS[index % SCENARIOS.len()];
    let mut details = Vec::new();
    let mut jpeg = rng.chance(0.12);
    let mut expected = Vec::new();

    let canvas = match scenario {
        "snip" | "tight" | "logo" | "low-contrast" | "inverted" => {
            let payload = otpauth_uri(&mut rng);
            let mut style = CodeStyle::plain(rng.float(2.0, 5.0));
            style.source_px = rng.range(2, 6);
            match scenario {
                "tight" => {
                    style.quiet = rng.range(0, 1);
                    style.display_px = rng.float(2.2, 6.0);
                    details.push(format!("q{}", style.quiet));
                }
                "logo" => {
                    style.ec = EcLevel::H;
                    style.logo = true;
                    style.display_px = rng.float(2.5, 6.0);
                }
                "low-contrast" => {
                    let dark = rng.range(70, 120) as u8;
                    let light = rng.range(175, 215) as u8;
                    style.dark = [dark, dark, dark.saturating_add(8)];
                    style.light = [light, light, light];
                    style.blur = rng.float(0.5, 1.0);
                    style.display_px = rng.float(3.0, 6.0);
                    details.push(format!("c{}-b{:.1}", light - dark, style.blur));
                }
                "inverted" => {
                    style.dark = [rng.range(220, 255) as u8; 3];
                    style.light = [rng.range(15, 45) as u8; 3];
                }
                _ => {
                    style.ec = *rng.pick(&[EcLevel::L, EcLevel::M, EcLevel::Q]);
                    if rng.chance(0.3) {
                        style.dark = *rng.pick(&[[26, 61, 124], [20, 90, 50], [60, 20, 90]]);
                    }
                }
            }
            details.push(format!("m{:.1}", style.display_px));
            let code = render_code(&payload, &style);
            expected.push(payload);
            if scenario == "tight" {
                code
            } else {
                let margin = rng.range(8, 160);
                let dark_bg = scenario == "inverted";
                let mut canvas = Canvas::new(
                    code.width + margin * 2 + rng.below(200),
                    code.height + margin * 2 + rng.below(120),
                    if dark_bg { style.light } else { WHITE },
                );
                let keep = [(
                    margin as i64,
                    margin as i64,
                    code.width as i64,
                    code.height as i64,
                )];
                if rng.chance(0.5) {
                    draw_page(&mut canvas, &mut rng, dark_bg, 1.0, &keep);
                }
                canvas.paste(&code, margin as i64, margin as i64);
                canvas
            }
        }
        "page" | "page-dark" | "fractional" | "jpeg" | "4k-small" | "halved" => {
            let payload = otpauth_uri(&mut rng);
            let mut style = CodeStyle::plain(rng.float(2.0, 5.0));
            style.source_px = rng.range(2, 6);
            let (mut width, mut height, mut scale) = (1920, 1080, 1.0);
            match scenario {
                "fractional" => {
                    scale = *rng.pick(&[1.25, 1.5]);
                    style.source_px = rng.range(2, 4);
                    style.display_px = style.source_px as f32 * scale;
                    details.push(format!("{}pct", (scale * 100.0) as u32));
                }
                "jpeg" => {
                    jpeg = true;
                    style.display_px = rng.float(2.5, 5.0);
                }
                "4k-small" => {
                    (width, height) = (3840, 2160);
                    style.display_px = rng.float(2.0, 3.0);
                }
                "halved" => {
                    (width, height, scale) = (3840, 2160, 2.0);
                    style.display_px = rng.float(4.0, 8.0);
                    details.push("x0.5".to_owned());
                }
                _ => {}
            }
            let dark_mode = scenario == "page-dark" || rng.chance(0.15);
            if dark_mode && rng.chance(0.5) {
                // Light-on-dark code, as dark themes draw it.
                style.dark = [230, 230, 230];
                style.light = [18, 18, 20];
                details.push("lod".to_owned());
            }
            details.push(format!(
                "m{:.1}",
                style.display_px / if scenario == "halved" { 2.0 } else { 1.0 }
            ));
            let code = render_code(&payload, &style);
            let mut canvas = Canvas::new(width, height, WHITE);
            let (x, y) = place(&mut rng, &canvas, code.width, (80.0 * scale) as usize);
            draw_page(
                &mut canvas,
                &mut rng,
                dark_mode,
                scale,
                &[(x, y, code.width as i64, code.height as i64)],
            );
            canvas.paste(&code, x, y);
            expected.push(payload);
            if scenario == "halved" {
                canvas.halved()
            } else {
                canvas
            }
        }
        "google-export" | "phone" => {
            let accounts = if scenario == "google-export" {
                10
            } else {
                rng.range(1, 6)
            };
            let id = rng.next_u64() as i32;
            let payload = migration_uri(&mut rng, accounts, 0, 1, id);
            let mut style = CodeStyle::plain(rng.float(3.0, 5.0));
            style.ec = EcLevel::L;
            style.source_px = 1;
            details.push(format!("n{accounts}"));
            let code = render_code(&payload, &style);
            // A phone screenshot (Google Authenticator's export screen) or
            // the phone mirrored in a desktop window.
            let (w, h) = if rng.chance(0.5) {
                (1080, 2340)
            } else {
                (1920, 1080)
            };
            let mut canvas = Canvas::new(w, h, WHITE);
            let x = (w as i64 - code.width as i64) / 2;
            let y = ((h as i64 - code.height as i64) / 2).max(0);
            draw_page(
                &mut canvas,
                &mut rng,
                false,
                1.0,
                &[(x, y, code.width as i64, code.height as i64)],
            );
            canvas.paste(&code, x, y);
            details.push(format!("m{:.1}", style.display_px));
            expected.push(payload);
            canvas
        }
        _ => {
            // Two codes in one screenshot: an export in two parts, or two
            // enrolment codes, side by side or stacked.
            let id = rng.next_u64() as i32;
            let export = rng.chance(0.5);
            let payloads: Vec<String> = (0..2)
                .map(|i| {
                    if export {
                        migration_uri(&mut rng, 3, i, 2, id)
                    } else {
                        otpauth_uri(&mut rng)
                    }
                })
                .collect();
            let mut style = CodeStyle::plain(rng.float(2.5, 4.5));
            style.source_px = rng.range(2, 4);
            let codes: Vec<Canvas> = payloads.iter().map(|p| render_code(p, &style)).collect();
            let mut canvas = Canvas::new(1920, 1080, WHITE);
            let (a, b) = (&codes[0], &codes[1]);
            let side_by_side = rng.chance(0.6) || a.height + b.height + 160 > 1080;
            let ax = rng.range(40, 300) as i64;
            let ((ax, ay), (bx, by)) = if side_by_side {
                let ay = rng.range(90, 1080 - a.height.max(b.height) - 20) as i64;
                let bx = ax + a.width as i64 + rng.range(40, 400) as i64;
                ((ax, ay), (bx, ay + rng.range(0, 20) as i64 - 10))
            } else {
                let ay = rng.range(70, 1080 - a.height - b.height - 70) as i64;
                let by = ay + a.height as i64 + rng.range(30, 60) as i64;
                ((ax, ay), (ax + rng.range(0, 200) as i64, by))
            };
            let keep = [
                (ax, ay, a.width as i64, a.height as i64),
                (bx, by, b.width as i64, b.height as i64),
            ];
            draw_page(&mut canvas, &mut rng, false, 1.0, &keep);
            canvas.paste(a, ax, ay);
            canvas.paste(b, bx, by);
            details.push(if side_by_side { "row" } else { "column" }.to_owned());
            details.push(format!("m{:.1}", style.display_px));
            expected.extend(payloads);
            canvas
        }
    };

    let (bytes, extension) = if jpeg {
        details.push("q60".to_owned());
        (canvas.jpeg(60), "jpg")
    } else {
        (canvas.png(), "png")
    };
    Case {
        name: format!("{index:03}-{scenario}-{}", details.join("-")),
        bytes,
        extension,
        width: canvas.width as u32,
        height: canvas.height as u32,
        expected,
    }
}
