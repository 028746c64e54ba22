//! Drawing: an RGB canvas with the few operations screenshots need, and QR
//! codes drawn at a whole number of pixels per module then resampled to their
//! displayed size, as browsers show them.

use super::*;

pub type Rgb = [u8; 3];
pub const WHITE: Rgb = [255, 255, 255];
pub const BLACK: Rgb = [0, 0, 0];

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
