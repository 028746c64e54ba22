//! The two QR decoders behind one shape: rqrr (a quirc port: fast, local
//! thresholding, dark-on-light only) and rxing's port of ZXing-C++'s QR
//! reader (slower, hybrid binariser, finds several codes and survives
//! blur, JPEG and missing quiet zones far better).
//!
//! Both are third-party code run on untrusted pixels: each call is wrapped in
//! `catch_unwind` so a panic inside a decoder is a miss, never a crash.

use super::luma::Luma;
use rxing::common::cpp_essentials::ConcentricPattern;
use rxing::common::{DetectorRXingResult, GlobalHistogramBinarizer, HybridBinarizer};
use rxing::multi::MultipleBarcodeReader;
use rxing::qrcode::cpp_port::decoder::Decode;
use rxing::qrcode::cpp_port::detector::{FindFinderPatterns, GenerateFinderPatternSets, SampleQR};
use rxing::qrcode::cpp_port::QrReader;
use rxing::Binarizer as _;
use rxing::{BarcodeFormat, BinaryBitmap, DecodeHints, Luma8Source};
use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A code found in an image: its text and its corners in the original
/// image's pixel coordinates.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The payload.
    pub text: String,
    /// Corner or finder points (at least one), original coordinates.
    pub points: Vec<(f32, f32)>,
}

impl Found {
    /// Centre of the points.
    pub fn centre(&self) -> (f32, f32) {
        let n = self.points.len().max(1) as f32;
        let (sx, sy) = self
            .points
            .iter()
            .fold((0.0, 0.0), |(sx, sy), (x, y)| (sx + x, sy + y));
        (sx / n, sy / n)
    }

    /// Bounding box (min x, min y, max x, max y).
    pub fn bounds(&self) -> (f32, f32, f32, f32) {
        self.points.iter().fold(
            (f32::MAX, f32::MAX, f32::MIN, f32::MIN),
            |(x0, y0, x1, y1), &(x, y)| (x0.min(x), y0.min(y), x1.max(x), y1.max(y)),
        )
    }
}

/// Which thresholding rxing runs before looking for finder patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binarizer {
    /// ZXing's local 8×8-block thresholds: the robust default.
    Hybrid,
    /// One threshold from the histogram (for already black-and-white input).
    Global,
}

/// rqrr on `luma`. Codes that rqrr locates but cannot read are dropped.
pub fn rqrr(luma: &Luma) -> Vec<Found> {
    let (w, h) = (luma.width(), luma.height());
    if w == 0 || h == 0 {
        return Vec::new();
    }
    let data = luma.data();
    catch_unwind(AssertUnwindSafe(|| {
        let mut prepared =
            rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| data[y * w + x]);
        prepared
            .detect_grids()
            .into_iter()
            .filter_map(|grid| {
                let (_, text) = grid.decode().ok()?;
                let points = grid
                    .bounds
                    .iter()
                    .map(|p| luma.to_original(p.x as f32, p.y as f32))
                    .collect();
                Some(Found { text, points })
            })
            .collect()
    }))
    .unwrap_or_default()
}

/// rxing's multi-code QR reader on `luma`.
pub fn rxing(luma: &Luma, binarizer: Binarizer, try_harder: bool) -> Vec<Found> {
    let (Ok(w), Ok(h)) = (u32::try_from(luma.width()), u32::try_from(luma.height())) else {
        return Vec::new();
    };
    if w == 0 || h == 0 {
        return Vec::new();
    }
    let hints = DecodeHints {
        // Plain QR only: Micro QR and rMQR readers cost time and invent
        // codes out of UI clutter.
        PossibleFormats: Some(HashSet::from([BarcodeFormat::QR_CODE])),
        TryHarder: Some(try_harder),
        ..DecodeHints::default()
    };
    let results = catch_unwind(AssertUnwindSafe(|| {
        let source = Luma8Source::new_with_slice(luma.data(), w, h).ok()?;
        let mut reader = QrReader;
        match binarizer {
            Binarizer::Hybrid => {
                let mut bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
                reader.decode_multiple_with_hints(&mut bitmap, &hints).ok()
            }
            Binarizer::Global => {
                let mut bitmap = BinaryBitmap::new(GlobalHistogramBinarizer::new(source));
                reader.decode_multiple_with_hints(&mut bitmap, &hints).ok()
            }
        }
    }))
    .ok()
    .flatten()
    .unwrap_or_default();
    results
        .into_iter()
        .map(|result| Found {
            text: result.getText().to_owned(),
            points: result
                .getPoints()
                .iter()
                .map(|p| luma.to_original(p.x, p.y))
                .collect(),
        })
        .collect()
}

/// A finder pattern no decoded code accounts for: where another code may be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// Centre, original coordinates.
    pub x: f32,
    /// Centre, original coordinates.
    pub y: f32,
    /// Width of the pattern (7 modules), original pixels.
    pub size: f32,
}

/// rxing's QR reader, unrolled so it also returns the finder patterns that
/// no decoded code used: the pipeline's evidence that a code is still
/// unread, and where to crop to read it. Same steps as rxing's `QrReader`
/// (find patterns, group them in threes, sample, decode), try-harder mode.
pub fn rxing_scan(luma: &Luma) -> (Vec<Found>, Vec<Candidate>) {
    let (Ok(w), Ok(h)) = (u32::try_from(luma.width()), u32::try_from(luma.height())) else {
        return (Vec::new(), Vec::new());
    };
    if w == 0 || h == 0 {
        return (Vec::new(), Vec::new());
    }
    let scanned = catch_unwind(AssertUnwindSafe(|| {
        let source = Luma8Source::new_with_slice(luma.data(), w, h).ok()?;
        let binarizer = HybridBinarizer::new(source);
        let matrix = binarizer.get_black_matrix().ok()?;
        let mut patterns = FindFinderPatterns(matrix, true, 0);
        let all: Vec<ConcentricPattern> = patterns.clone();
        let mut used: Vec<ConcentricPattern> = Vec::new();
        let mut found = Vec::new();
        for set in GenerateFinderPatternSets(&mut patterns) {
            if [set.bl, set.tl, set.tr].iter().any(|p| used.contains(p)) {
                continue;
            }
            let Ok(detected) = SampleQR(matrix, &set) else {
                continue;
            };
            let Ok(decoded) = Decode(detected.getBits()) else {
                continue;
            };
            if !decoded.isValid() {
                continue;
            }
            used.extend([set.bl, set.tl, set.tr]);
            found.push(Found {
                text: decoded.text(),
                points: detected
                    .getPoints()
                    .iter()
                    .map(|p| luma.to_original(p.x, p.y))
                    .collect(),
            });
        }
        let leftovers: Vec<Candidate> = all
            .iter()
            .filter(|p| !used.contains(p))
            .map(|p| {
                let (x, y) = luma.to_original(p.p.x, p.p.y);
                let (x1, _) = luma.to_original(p.p.x + p.size as f32, p.p.y);
                Candidate { x, y, size: x1 - x }
            })
            .collect();
        Some((found, leftovers))
    }));
    scanned.ok().flatten().unwrap_or_default()
}
