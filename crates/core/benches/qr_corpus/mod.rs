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

// ---------------------------------------------------------------- payloads

const ISSUERS: &[&str] = &[
    "GitHub",
    "Amazon",
    "Amazon Seller Central",
    "Google",
    "Microsoft",
    "Dropbox",
    "Slack",
    "Discord",
    "AWS",
    "GitLab",
    "Bitwarden",
    "Proton",
    "Cloudflare",
    "DigitalOcean",
    "Stripe",
    "PayPal",
    "Coinbase",
    "Kraken",
    "Reddit",
    "Facebook",
    "LinkedIn",
    "Atlassian",
    "Okta",
    "Namecheap",
    "Heroku",
    "npm",
    "PyPI",
    "Docker Hub",
    "Fastmail",
    "Epic Games",
    "Nintendo",
    "Zoho",
    "Salesforce",
    "Shopify",
    "Crédit Agricole",
    "ING",
    "N26",
    "Revolut",
    "Tuta",
    "Hetzner",
    "OVHcloud",
    "Mastodon",
    "Twitch",
    "Ubiquiti",
    "Synology",
];
const FIRST: &[&str] = &[
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
    "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "zoé", "jürgen",
];
const DOMAINS: &[&str] = &[
    "example.com",
    "gmail.com",
    "outlook.com",
    "proton.me",
    "company.co.uk",
    "mail.de",
];

fn account_name(rng: &mut Rng) -> String {
    let first = rng.pick(FIRST);
    match rng.below(4) {
        0 => format!("{first}@{}", rng.pick(DOMAINS)),
        1 => format!(
            "{first}.{}{}@{}",
            rng.pick(FIRST),
            rng.below(100),
            rng.pick(DOMAINS)
        ),
        2 => format!("{first}+2fa@{}", rng.pick(DOMAINS)),
        _ => format!("{first}{}", rng.below(10_000)),
    }
}

fn random_account(rng: &mut Rng) -> Account {
    // Secret lengths real sites use: 80 bits (16 base32 characters),
    // 160 bits, 256 bits (Amazon's 52 characters).
    let length = *rng.pick(&[10, 10, 16, 20, 20, 32]);
    let secret = Secret::from_bytes(rng.bytes(length));
    let issuer = ISSUERS[rng.below(ISSUERS.len())];
    let mut account = Account::totp(issuer, &account_name(rng), secret);
    match rng.below(10) {
        0 => {
            account.kind = OtpKind::Hotp {
                counter: rng.below(5000) as u64,
            }
        }
        1 => {
            account.algorithm = Algorithm::Sha256;
            account.digits = 8;
        }
        2 => account.algorithm = Algorithm::Sha512,
        _ => {}
    }
    account
}

fn escape(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// An otpauth URI as one of the many generators out there writes it.
pub fn otpauth_uri(rng: &mut Rng) -> String {
    let mut account = random_account(rng);
    if matches!(account.kind, OtpKind::Totp { .. }) && rng.chance(0.1) {
        account.kind = OtpKind::Totp { period: 60 };
    }
    let secret = account.secret.to_base32();
    let (issuer, name) = (escape(&account.issuer), escape(&account.name));
    let kind = account.kind.name();
    let extras = match account.kind {
        OtpKind::Hotp { counter } => format!("&counter={counter}"),
        OtpKind::Totp { period } if period != 30 => format!("&period={period}"),
        _ => String::new(),
    };
    let params = if account.algorithm != Algorithm::Sha1 || account.digits != 6 {
        format!(
            "&algorithm={}&digits={}",
            account.algorithm.as_str(),
            account.digits
        )
    } else {
        String::new()
    };
    match rng.below(6) {
        // The canonical form Watchword itself writes.
        0 => watchword_core::uri::format(&account),
        // Google's documented example shape.
        1 => format!("otpauth://{kind}/{issuer}:{name}?secret={secret}&issuer={issuer}{params}{extras}"),
        // Label with an escaped colon, parameters in another order.
        2 => format!("otpauth://{kind}/{issuer}%3A{name}?issuer={issuer}&secret={secret}{params}{extras}"),
        // Bare label, lowercase key.
        3 => format!(
            "otpauth://{kind}/{name}?secret={}{params}{extras}&issuer={issuer}",
            secret.to_ascii_lowercase()
        ),
        // A logo URL makes the code denser.
        4 => format!(
            "otpauth://{kind}/{issuer}:{name}?secret={secret}&issuer={issuer}{params}{extras}&image=https%3A%2F%2Fstatic.{}.example%2Fbrand%2Flogo-256.png",
            account.issuer.to_ascii_lowercase().replace(' ', "")
        ),
        _ => format!("otpauth://{kind}/{issuer}:{name}?secret={secret}{params}{extras}"),
    }
}

/// A Google Authenticator export code of `count` accounts.
pub fn migration_uri(rng: &mut Rng, count: usize, index: u32, size: u32, id: i32) -> String {
    let accounts: Vec<Account> = (0..count).map(|_| random_account(rng)).collect();
    watchword_core::migration::encode(&accounts, index, size, id)
        .expect("random accounts are all exportable")
}

// --------------------------------------------------------------- rendering

type Rgb = [u8; 3];
const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];

/// An RGB image being drawn.
pub struct Canvas {
    pub width: usize,
    pub height: usize,
    pub data: Vec<u8>,
}

impl Canvas {
    pub fn new(width: usize, height: usize, color: Rgb) -> Self {
        // `repeat` runs std's optimised code even in unoptimised test builds.
        Self {
            width,
            height,
            data: color.repeat(width * height),
        }
    }

    pub fn fill(&mut self, x: i64, y: i64, w: i64, h: i64, color: Rgb) {
        let x0 = x.clamp(0, self.width as i64) as usize;
        let y0 = y.clamp(0, self.height as i64) as usize;
        let x1 = (x + w).clamp(0, self.width as i64) as usize;
        let y1 = (y + h).clamp(0, self.height as i64) as usize;
        if x0 >= x1 {
            return;
        }
        let line = color.repeat(x1 - x0);
        for row in y0..y1 {
            let start = (row * self.width + x0) * 3;
            self.data[start..start + line.len()].copy_from_slice(&line);
        }
    }

    /// Copies `other` with its top-left corner at (x, y), clipped.
    pub fn paste(&mut self, other: &Canvas, x: i64, y: i64) {
        for row in 0..other.height {
            let ty = y + row as i64;
            if ty < 0 || ty >= self.height as i64 {
                continue;
            }
            let sx0 = (-x).max(0) as usize;
            let tx0 = x.max(0) as usize;
            if sx0 >= other.width || tx0 >= self.width {
                continue;
            }
            let n = (other.width - sx0).min(self.width - tx0);
            let src = (row * other.width + sx0) * 3;
            let dst = (ty as usize * self.width + tx0) * 3;
            self.data[dst..dst + n * 3].copy_from_slice(&other.data[src..src + n * 3]);
        }
    }

    /// Every 2×2 block averaged: a HiDPI screenshot shrunk by half.
    pub fn halved(&self) -> Canvas {
        let (w, h) = (self.width / 2, self.height / 2);
        let mut data = vec![0u8; w * h * 3];
        for y in 0..h {
            let r0 = &self.data[(2 * y * self.width) * 3..(2 * y + 1) * self.width * 3];
            let r1 = &self.data[((2 * y + 1) * self.width) * 3..(2 * y + 2) * self.width * 3];
            let out = &mut data[y * w * 3..(y + 1) * w * 3];
            for (i, value) in out.iter_mut().enumerate() {
                let (x, c) = (i / 3, i % 3);
                let a = 6 * x + c;
                let sum = u32::from(r0[a])
                    + u32::from(r0[a + 3])
                    + u32::from(r1[a])
                    + u32::from(r1[a + 3]);
                *value = ((sum + 2) / 4) as u8;
            }
        }
        Canvas {
            width: w,
            height: h,
            data,
        }
    }

    /// Resampled to `w`×`h` with a triangle filter whose support widens
    /// when shrinking (what `image`'s `Triangle` and browsers' bilinear
    /// smoothing do).
    pub fn resized(&self, w: usize, h: usize) -> Canvas {
        if (w, h) == (self.width, self.height) {
            return Canvas {
                width: w,
                height: h,
                data: self.data.clone(),
            };
        }
        let horizontal = weights(self.width, w);
        let vertical = weights(self.height, h);
        let mut tmp = vec![0f32; w * self.height * 3];
        for y in 0..self.height {
            for (x, taps) in horizontal.iter().enumerate() {
                for c in 0..3 {
                    let mut acc = 0.0;
                    for &(i, wt) in taps {
                        acc += wt * f32::from(self.data[(y * self.width + i) * 3 + c]);
                    }
                    tmp[(y * w + x) * 3 + c] = acc;
                }
            }
        }
        let mut data = vec![0u8; w * h * 3];
        for (y, taps) in vertical.iter().enumerate() {
            for x in 0..w {
                for c in 0..3 {
                    let mut acc = 0.0;
                    for &(i, wt) in taps {
                        acc += wt * tmp[(i * w + x) * 3 + c];
                    }
                    data[(y * w + x) * 3 + c] = acc.round().clamp(0.0, 255.0) as u8;
                }
            }
        }
        Canvas {
            width: w,
            height: h,
            data,
        }
    }

    /// Separable Gaussian blur of standard deviation `sigma` pixels.
    pub fn blurred(&self, sigma: f32) -> Canvas {
        let radius = (sigma * 3.0).ceil() as i64;
        let kernel: Vec<f32> = (-radius..=radius)
            .map(|i| (-(i * i) as f32 / (2.0 * sigma * sigma)).exp())
            .collect();
        let total: f32 = kernel.iter().sum();
        let kernel: Vec<f32> = kernel.iter().map(|k| k / total).collect();
        let pass = |src: &[u8], w: usize, h: usize, horizontal: bool| -> Vec<u8> {
            let mut out = vec![0u8; src.len()];
            for y in 0..h {
                for x in 0..w {
                    for c in 0..3 {
                        let mut acc = 0.0;
                        for (k, wt) in kernel.iter().enumerate() {
                            let d = k as i64 - radius;
                            let (sx, sy) = if horizontal {
                                ((x as i64 + d).clamp(0, w as i64 - 1) as usize, y)
                            } else {
                                (x, (y as i64 + d).clamp(0, h as i64 - 1) as usize)
                            };
                            acc += wt * f32::from(src[(sy * w + sx) * 3 + c]);
                        }
                        out[(y * w + x) * 3 + c] = acc.round().clamp(0.0, 255.0) as u8;
                    }
                }
            }
            out
        };
        let data = pass(&self.data, self.width, self.height, true);
        let data = pass(&data, self.width, self.height, false);
        Canvas {
            width: self.width,
            height: self.height,
            data,
        }
    }

    pub fn png(&self) -> Vec<u8> {
        let mut out = Vec::new();
        PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive)
            .write_image(
                &self.data,
                self.width as u32,
                self.height as u32,
                ExtendedColorType::Rgb8,
            )
            .expect("encoding to memory cannot fail");
        out
    }

    pub fn jpeg(&self, quality: u8) -> Vec<u8> {
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, quality)
            .write_image(
                &self.data,
                self.width as u32,
                self.height as u32,
                ExtendedColorType::Rgb8,
            )
            .expect("encoding to memory cannot fail");
        out
    }
}

/// Triangle-filter taps (source index, weight) for each of `to` outputs
/// from `from` inputs.
fn weights(from: usize, to: usize) -> Vec<Vec<(usize, f32)>> {
    let ratio = from as f32 / to as f32;
    let support = ratio.max(1.0);
    (0..to)
        .map(|o| {
            let centre = (o as f32 + 0.5) * ratio - 0.5;
            let lo = (centre - support).floor().max(0.0) as usize;
            let hi = ((centre + support).ceil() as usize).min(from - 1);
            let mut taps: Vec<(usize, f32)> = (lo..=hi)
                .map(|i| (i, (1.0 - (i as f32 - centre).abs() / support).max(0.0)))
                .filter(|&(_, w)| w > 0.0)
                .collect();
            if taps.is_empty() {
                taps.push((centre.round().clamp(0.0, (from - 1) as f32) as usize, 1.0));
            }
            let total: f32 = taps.iter().map(|t| t.1).sum();
            taps.iter_mut().for_each(|t| t.1 /= total);
            taps
        })
        .collect()
}

/// How one code is drawn.
#[derive(Clone)]
pub struct CodeStyle {
    pub ec: EcLevel,
    /// Pixels per module of the QR image the site made.
    pub source_px: usize,
    /// Pixels per module on screen (after smooth scaling).
    pub display_px: f32,
    /// Quiet zone in modules (4 by the standard; 0 for a tight crop).
    pub quiet: usize,
    pub dark: Rgb,
    pub light: Rgb,
    pub logo: bool,
    /// Gaussian blur sigma in screen pixels (0: none).
    pub blur: f32,
}

impl CodeStyle {
    pub fn plain(display_px: f32) -> Self {
        Self {
            ec: EcLevel::M,
            source_px: 4,
            display_px,
            quiet: 4,
            dark: BLACK,
            light: WHITE,
            logo: false,
            blur: 0.0,
        }
    }
}

/// The code for `payload` drawn as `style` says.
pub fn render_code(payload: &str, style: &CodeStyle) -> Canvas {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), style.ec)
        .or_else(|_| QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::L))
        .expect("payloads fit in a version 40 code");
    let n = code.width();
    let colors = code.to_colors();
    let s = style.source_px.max(1);
    let total = n + 2 * style.quiet;
    let mut source = Canvas::new(total * s, total * s, style.light);
    for (i, color) in colors.iter().enumerate() {
        if *color == Color::Dark {
            let (mx, my) = (i % n + style.quiet, i / n + style.quiet);
            source.fill(
                (mx * s) as i64,
                (my * s) as i64,
                s as i64,
                s as i64,
                style.dark,
            );
        }
    }
    if style.logo {
        // A brand mark over the middle, as sites do with error correction H:
        // a white plate a quarter of the code wide, a coloured tile on it.
        let side = (n as f32 * 0.24).round() as i64 * s as i64;
        let centre = ((style.quiet * 2 + n) * s / 2) as i64;
        source.fill(centre - side / 2, centre - side / 2, side, side, WHITE);
        let inner = side * 3 / 4;
        source.fill(
            centre - inner / 2,
            centre - inner / 2,
            inner,
            inner,
            [226, 87, 76],
        );
        let mark = inner / 3;
        source.fill(
            centre - mark / 2,
            centre - inner / 3,
            mark,
            inner * 2 / 3,
            WHITE,
        );
    }
    let display = ((total as f32) * style.display_px).round().max(1.0) as usize;
    let mut shown = source.resized(display, display);
    if style.blur > 0.0 {
        shown = shown.blurred(style.blur);
    }
    shown
}

// ------------------------------------------------------------------- pages

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
fn place(rng: &mut Rng, canvas: &Canvas, size: usize, top: usize) -> (i64, i64) {
    let max_x = canvas.width.saturating_sub(size + 20).max(21);
    let max_y = canvas.height.saturating_sub(size + 20).max(top + 1);
    let x = rng.range(20, max_x);
    let y = rng.range(top.min(max_y), max_y);
    (x as i64, y as i64)
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
