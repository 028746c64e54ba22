//! Image bytes or raw pixels → every QR payload in them, in reading order.
//!
//! Screenshots are hostile to QR readers: smooth scaling blurs module edges,
//! fractional display scaling makes modules 2.5 pixels wide, JPEG rings,
//! dark mode inverts the code, a 4K screen makes it tiny, a tight crop leaves
//! no quiet zone, a logo hides its middle. No single decoder reads all of
//! that, and trying everything on every image is too slow, so [`decode_luma`]
//! runs a short list of [`Stage`]s, cheapest and most likely first, and stops
//! as soon as the codes the image shows are all read.
//!
//! Bad input fails fast: the header is read first and anything over
//! [`MAX_PIXELS`] is refused before a pixel is decoded.
//!
//! Everything here is a pure function of its input (`Send`, no global
//! state), meant to run on a worker thread.

mod decoders;
mod luma;

pub use decoders::{Binarizer, Found};
pub use luma::Luma;

use crate::codes::ErrorCode;
use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use std::io::Cursor;
use thiserror::Error;

/// Largest image decoded, in pixels (see [`crate::limits::MAX_PIXELS`]).
pub use crate::limits::MAX_PIXELS;

/// Largest image file read, in bytes (see [`crate::limits::MAX_IMAGE_BYTES`]).
pub use crate::limits::MAX_IMAGE_BYTES as MAX_FILE_BYTES;

use crate::limits::MAX_IMAGE_ALLOC as MAX_ALLOC;

/// Why an image gave no payload.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QrError {
    /// Occurs when the file or buffer holds no bytes at all.
    #[error("The file is empty")]
    Empty,
    /// Occurs when the bytes are not in any image format Watchword knows.
    #[error("This file is not an image (Watchword reads PNG, JPEG, WebP, GIF and BMP)")]
    NotAnImage,
    /// Occurs when the bytes are an image format Watchword does not read
    /// (TIFF, AVIF, …).
    #[error("{0} images are not supported: use PNG, JPEG, WebP, GIF or BMP")]
    UnsupportedFormat(String),
    /// Occurs when the image is larger than [`MAX_PIXELS`] (its header is
    /// read, its pixels are not).
    #[error("The image is {width}×{height} pixels, larger than the {} megapixels Watchword reads", MAX_PIXELS / 1_000_000)]
    TooLarge {
        /// Width from the header.
        width: u64,
        /// Height from the header.
        height: u64,
    },
    /// Occurs when the file starts like an image but cannot be decoded:
    /// truncated, corrupted, or a zero-sized image.
    #[error("The image file is damaged or incomplete ({0})")]
    Damaged(String),
    /// Occurs when raw pixels do not match the size given with them.
    #[error(
        "The screen capture is {width}×{height} pixels but holds {len} bytes instead of {expected}"
    )]
    BadPixelBuffer {
        /// Width given.
        width: u32,
        /// Height given.
        height: u32,
        /// Bytes given.
        len: usize,
        /// Bytes expected (4 per pixel).
        expected: u64,
    },
    /// Occurs when the image decodes but no QR code in it could be read.
    #[error("No QR code found in this image")]
    NoCode,
    /// Occurs when an image file cannot be opened or read (missing, a
    /// folder, no permission).
    #[error("Cannot read the file: {0}")]
    Unreadable(String),
    /// Occurs when a file is larger than [`MAX_FILE_BYTES`]: no screenshot
    /// is, so it is refused before it is read.
    #[error("The file is {} MB, larger than any screenshot Watchword reads ({} MB at most)", .0 / 1_000_000, MAX_FILE_BYTES / 1_000_000)]
    FileTooLarge(u64),
}

impl QrError {
    /// A stable machine-readable code for the UI to branch on.
    pub fn code(&self) -> ErrorCode {
        match self {
            QrError::Empty => ErrorCode::Empty,
            QrError::NotAnImage => ErrorCode::NotAnImage,
            QrError::UnsupportedFormat(_) => ErrorCode::UnsupportedFormat,
            QrError::TooLarge { .. } => ErrorCode::ImageTooLarge,
            QrError::Damaged(_) => ErrorCode::DamagedImage,
            QrError::BadPixelBuffer { .. } => ErrorCode::BadPixelBuffer,
            QrError::NoCode => ErrorCode::NoQrCode,
            QrError::Unreadable(_) => ErrorCode::UnreadableFile,
            QrError::FileTooLarge(_) => ErrorCode::FileTooLarge,
        }
    }
}

/// Every QR payload in an image file (PNG, JPEG, WebP, GIF, BMP),
/// deduplicated, in reading order (top to bottom, then left to right).
///
/// Transparent pixels count as white, as an image viewer shows them. Only
/// the first frame of an animation is read.
pub fn decode_image(bytes: &[u8]) -> Result<Vec<String>, QrError> {
    decode_luma(&load_luma(bytes)?)
}

/// A QR code drawn as one SVG path, in module units, quiet zone included.
///
/// Holds whatever the payload holds (an export code holds secrets), so
/// `Debug` shows only its size.
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
pub struct EncodedQr {
    /// Width and height in modules, with a 4-module quiet zone each side.
    pub size: usize,
    /// SVG path data (`M x y h1v1h-1z` a dark module) for a `0 0 size size`
    /// view box.
    pub path: String,
}

impl std::fmt::Debug for EncodedQr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EncodedQr({}×{})", self.size, self.size)
    }
}

/// Draws `text` as a QR code (error correction M, as Google Authenticator's
/// exports use). `None` when it is too long for any QR code.
pub fn encode(text: &str) -> Option<EncodedQr> {
    const QUIET: usize = 4;
    let (modules, dark) = modules(text)?;
    let mut path = String::new();
    for (i, is_dark) in dark.into_iter().enumerate() {
        if is_dark {
            let (x, y) = (i % modules + QUIET, i / modules + QUIET);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    Some(EncodedQr {
        size: modules + 2 * QUIET,
        path,
    })
}

/// The modules of `text`'s QR code (error correction M), without a quiet
/// zone: its width in modules and, row by row from the top, whether each is
/// dark. `None` when `text` is too long for any QR code. For drawers that
/// are not SVG (the printed recovery sheet).
pub fn modules(text: &str) -> Option<(usize, Vec<bool>)> {
    let code =
        qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    let dark = code
        .to_colors()
        .into_iter()
        .map(|color| color == qrcode::Color::Dark)
        .collect();
    Some((code.width(), dark))
}

/// [`decode_image`] on a file, refusing files over [`MAX_FILE_BYTES`]
/// before reading them.
pub fn decode_file(path: &std::path::Path) -> Result<Vec<String>, QrError> {
    decode_image(&read_file(path)?)
}

/// A file's bytes, refusing files over [`MAX_FILE_BYTES`] before reading.
pub fn read_file(path: &std::path::Path) -> Result<Vec<u8>, QrError> {
    use std::io::Read;
    let unreadable = |error: std::io::Error| QrError::Unreadable(error.to_string());
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let metadata = file.metadata().map_err(unreadable)?;
    if metadata.is_dir() {
        return Err(QrError::Unreadable("it is a folder".into()));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(QrError::FileTooLarge(metadata.len()));
    }
    // Sized to the file so that reading never reallocates: a backup read
    // here holds keys, and a reallocation would leave an unwiped copy.
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).map_or(0, |n| n + 1));
    // The length may change under us: read at most one byte past the limit.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(QrError::FileTooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Every QR payload in raw RGBA pixels (a clipboard image or a screen
/// capture: `width * height * 4` bytes, row-major, no padding).
pub fn decode_rgba(width: u32, height: u32, rgba: &[u8]) -> Result<Vec<String>, QrError> {
    decode_luma(&rgba_to_luma(width, height, rgba)?)
}

/// Every QR payload in a grayscale image.
pub fn decode_luma(luma: &Luma) -> Result<Vec<String>, QrError> {
    let found = find_codes(luma, PIPELINE, &mut |_, _| {});
    if found.is_empty() {
        Err(QrError::NoCode)
    } else {
        Ok(found.into_iter().map(|f| f.text).collect())
    }
}

/// [`decode_luma`] reporting each stage it ran and how many new codes that
/// stage found, for benchmarks and diagnostics.
pub fn decode_luma_traced(luma: &Luma, trace: &mut dyn FnMut(Stage, usize)) -> Vec<Found> {
    find_codes(luma, PIPELINE, trace)
}

/// Reads an image file's header, refuses what is too big, then decodes it
/// to grayscale.
pub fn load_luma(bytes: &[u8]) -> Result<Luma, QrError> {
    let image = load_image(bytes)?;
    Ok(image_to_luma(image))
}

fn load_image(bytes: &[u8]) -> Result<DynamicImage, QrError> {
    if bytes.is_empty() {
        return Err(QrError::Empty);
    }
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|error| QrError::Damaged(error.to_string()))?;
    let format = reader.format().ok_or(QrError::NotAnImage)?;
    // A PNG states its size in the first chunk: refuse a bomb even when the
    // rest of the file is missing, before any decoder reads further.
    if format == ImageFormat::Png && bytes.get(12..16) == Some(b"IHDR") {
        if let (Some(w), Some(h)) = (bytes.get(16..20), bytes.get(20..24)) {
            let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
            check_size(be(w), be(h))?;
        }
    }
    if !matches!(
        format,
        ImageFormat::Png
            | ImageFormat::Jpeg
            | ImageFormat::WebP
            | ImageFormat::Gif
            | ImageFormat::Bmp
    ) {
        return Err(QrError::UnsupportedFormat(
            format
                .extensions_str()
                .first()
                .map_or_else(|| format!("{format:?}"), |ext| ext.to_ascii_uppercase()),
        ));
    }
    let (width, height) = reader.into_dimensions().map_err(damaged)?;
    check_size(width, height)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    reader.decode().map_err(|error| match error {
        image::ImageError::Limits(_) => QrError::TooLarge {
            width: width.into(),
            height: height.into(),
        },
        other => damaged(other),
    })
}

fn damaged(error: image::ImageError) -> QrError {
    let text = match &error {
        image::ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            "the file ends too early".to_owned()
        }
        _ => error.to_string(),
    };
    QrError::Damaged(text)
}

fn check_size(width: u32, height: u32) -> Result<(), QrError> {
    if width == 0 || height == 0 {
        return Err(QrError::Damaged(format!(
            "its size is {width}×{height} pixels"
        )));
    }
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(QrError::TooLarge {
            width: width.into(),
            height: height.into(),
        });
    }
    Ok(())
}

fn image_to_luma(image: DynamicImage) -> Luma {
    let (width, height) = (image.width() as usize, image.height() as usize);
    let data = if image.color().has_alpha() {
        let rgba = image.into_rgba8();
        rgba_pixels_to_luma(rgba.as_raw())
    } else {
        image.into_luma8().into_raw()
    };
    Luma::new(width, height, data).expect("the decoder returns width × height pixels")
}

fn rgba_to_luma(width: u32, height: u32, rgba: &[u8]) -> Result<Luma, QrError> {
    let expected = (u64::from(width) * u64::from(height)).saturating_mul(4);
    if rgba.len() as u64 != expected {
        return Err(QrError::BadPixelBuffer {
            width,
            height,
            len: rgba.len(),
            expected,
        });
    }
    if rgba.is_empty() {
        return Err(QrError::Empty);
    }
    check_size(width, height)?;
    Luma::new(width as usize, height as usize, rgba_pixels_to_luma(rgba))
        .ok_or(QrError::Damaged("the pixel count overflows".to_owned()))
}

/// Rec. 601 luma over a white background: a transparent PNG of black
/// modules would otherwise read as all black.
fn rgba_pixels_to_luma(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .map(|p| {
            let (r, g, b, a) = (
                u32::from(p[0]),
                u32::from(p[1]),
                u32::from(p[2]),
                u32::from(p[3]),
            );
            let luma = (r * 299 + g * 587 + b * 114 + 500) / 1000;
            ((luma * a + 255 * (255 - a) + 127) / 255) as u8
        })
        .collect()
}

/// One attempt of the pipeline: a transform of the image and a decoder.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// rxing (hybrid binariser, every row scanned) on the image as it is.
    Rxing,
    /// rxing on the inverted image (light-on-dark codes).
    RxingInverted,
    /// rxing on the image cut at Otsu's threshold, then at the thresholds
    /// within each half (grey codes on grey plates on white pages).
    RxingOtsu,
    /// rxing on the image halved (big screenshots, JPEG noise).
    RxingHalf,
    /// rxing on the contrast-stretched image.
    RxingStretched,
    /// rxing on the image doubled (tiny modules).
    RxingDouble,
    /// rqrr on the image as it is.
    Rqrr,
    /// rqrr on the inverted image.
    RqrrInverted,
    /// rqrr on the image doubled.
    RqrrDouble,
    /// rxing and rqrr on crops around finder patterns no code accounted
    /// for, doubled when the modules are small.
    Crops,
}

impl Stage {
    /// Every stage, for benchmarks that try each one alone.
    pub const ALL: &'static [Stage] = &[
        Stage::Rxing,
        Stage::RxingInverted,
        Stage::RxingOtsu,
        Stage::RxingHalf,
        Stage::RxingStretched,
        Stage::RxingDouble,
        Stage::Rqrr,
        Stage::RqrrInverted,
        Stage::RqrrDouble,
        Stage::Crops,
    ];

    /// Runs this stage alone on `luma`.
    pub fn run(self, luma: &Luma) -> Vec<Found> {
        let mut evidence = Evidence::default();
        self.run_with(luma, &mut evidence)
    }

    /// Runs this stage, adding the finder patterns it could not explain to
    /// `evidence` (rxing stages) or using them (crops).
    fn run_with(self, luma: &Luma, evidence: &mut Evidence) -> Vec<Found> {
        let scan = |image: &Luma, evidence: &mut Evidence| {
            let (found, leftovers) = decoders::rxing_scan(image);
            evidence.candidates.extend(leftovers);
            found
        };
        match self {
            Stage::Rxing => scan(luma, evidence),
            Stage::RxingInverted => scan(&luma.inverted(), evidence),
            Stage::RxingOtsu => {
                // Binary input: the hybrid binariser's flat-block rule
                // (a uniform block is white unless clearly dark) can no
                // longer turn grey modules into holes.
                for level in luma.otsu_levels() {
                    let found = decoders::rxing(&luma.thresholded(level), Binarizer::Global, true);
                    if !found.is_empty() {
                        return found;
                    }
                }
                Vec::new()
            }
            Stage::RxingHalf => scan(&luma.downscaled(2), evidence),
            Stage::RxingStretched => scan(&luma.stretched(), evidence),
            Stage::RxingDouble if luma.width() * luma.height() <= MAX_DOUBLED_PIXELS => {
                scan(&luma.upscaled2(), evidence)
            }
            Stage::RxingDouble => Vec::new(),
            Stage::Rqrr | Stage::RqrrInverted if luma.width() * luma.height() > MAX_RQRR_PIXELS => {
                Vec::new()
            }
            Stage::Rqrr => decoders::rqrr(luma),
            Stage::RqrrInverted => decoders::rqrr(&luma.inverted()),
            Stage::RqrrDouble if luma.width() * luma.height() <= MAX_DOUBLED_PIXELS => {
                decoders::rqrr(&luma.upscaled2())
            }
            Stage::RqrrDouble => Vec::new(),
            Stage::Crops => {
                let mut found = Vec::new();
                for crop in evidence.crops(luma) {
                    let image = luma.cropped(crop.0, crop.1, crop.2, crop.3);
                    let image = if crop.4 { image.upscaled2() } else { image };
                    found.extend(decoders::rxing(&image, Binarizer::Hybrid, true));
                    found.extend(decoders::rqrr(&image));
                    found.extend(decoders::rxing(&image.inverted(), Binarizer::Hybrid, true));
                }
                found
            }
        }
    }
}

/// The stages [`decode_luma`] tries, in order, until at least one code is
/// read and every finder pattern seen belongs to a decoded code.
///
/// Measured alone on the 240-case corpus (`qr_bench -- --stages`, release
/// build, pixels already decoded): rxing reads 199 cases in a median 3.8 ms,
/// rqrr 87 in 19 ms, so rxing leads. Inversion adds the 31 light-on-dark
/// cases; the Otsu cuts add grey-on-grey codes that the hybrid binariser
/// punches holes in; crops around unexplained finder patterns catch a second
/// code in another polarity. The rest never completed a corpus case but are
/// cheap insurance, run only when everything before failed.
const PIPELINE: &[Stage] = &[
    Stage::Rxing,
    Stage::RxingInverted,
    Stage::RxingOtsu,
    Stage::Crops,
    Stage::RxingStretched,
    Stage::RxingHalf,
    Stage::Rqrr,
    Stage::RqrrInverted,
    Stage::RxingDouble,
];

/// Largest image rqrr is given (a 4K screen): it copies the whole image for
/// every candidate group of finder patterns, which on an 8K screenshot full
/// of UI costs seconds for a decoder that has never read a corpus case
/// rxing missed.
const MAX_RQRR_PIXELS: usize = 3840 * 2160;

/// Largest image [`Stage::RxingDouble`] enlarges: beyond this the modules
/// of any readable code are already big enough, and a 4K screen doubled
/// would cost 130 MB and half a second.
const MAX_DOUBLED_PIXELS: usize = 4_000_000;

/// Finder patterns seen but not explained by a decoded code.
#[derive(Debug, Default)]
struct Evidence {
    candidates: Vec<decoders::Candidate>,
    /// Bounding boxes of the codes decoded so far.
    decoded: Vec<(f32, f32, f32, f32)>,
}

impl Evidence {
    /// Candidates outside every found code (a pattern inside a code is a
    /// piece of that code, or the code itself seen again).
    fn unexplained(&self) -> Vec<decoders::Candidate> {
        let mut out: Vec<decoders::Candidate> = Vec::new();
        for c in &self.candidates {
            let inside = self.decoded.iter().any(|&(x0, y0, x1, y1)| {
                let margin = c.size;
                c.x >= x0 - margin && c.x <= x1 + margin && c.y >= y0 - margin && c.y <= y1 + margin
            });
            // The same pattern seen by several stages counts once.
            let seen = out
                .iter()
                .any(|o| (o.x - c.x).abs() < o.size / 2.0 && (o.y - c.y).abs() < o.size / 2.0);
            if !inside && !seen {
                out.push(*c);
            }
        }
        out
    }

    /// Regions to crop: around each unexplained pattern, a square large
    /// enough for a version 20 code whichever corner the pattern is
    /// (x, y, width, height, upscale?). At most four.
    fn crops(&self, luma: &Luma) -> Vec<(usize, usize, usize, usize, bool)> {
        let mut crops: Vec<(usize, usize, usize, usize, bool)> = Vec::new();
        for c in self.unexplained() {
            let module = (c.size / 7.0).max(1.0);
            let reach = module * 100.0;
            let (x0, y0) = ((c.x - reach).max(0.0), (c.y - reach).max(0.0));
            let (x1, y1) = (
                (c.x + reach).min(luma.width() as f32),
                (c.y + reach).min(luma.height() as f32),
            );
            let crop = (
                x0 as usize,
                y0 as usize,
                (x1 - x0) as usize,
                (y1 - y0) as usize,
                module < 3.0,
            );
            // Patterns of one code share a crop.
            if crops.iter().any(|o| {
                let (ox, oy) = (o.0 as f32, o.1 as f32);
                c.x >= ox && c.y >= oy && c.x <= ox + o.2 as f32 && c.y <= oy + o.3 as f32
            }) {
                continue;
            }
            crops.push(crop);
            if crops.len() == 4 {
                break;
            }
        }
        crops
    }
}

fn find_codes(luma: &Luma, stages: &[Stage], trace: &mut dyn FnMut(Stage, usize)) -> Vec<Found> {
    let mut found: Vec<Found> = Vec::new();
    let mut evidence = Evidence::default();
    for &stage in stages {
        let before = found.len();
        for code in stage.run_with(luma, &mut evidence) {
            if !found.iter().any(|f| f.text == code.text) {
                found.push(code);
            }
        }
        trace(stage, found.len() - before);
        evidence.decoded = found.iter().map(Found::bounds).collect();
        // Two unexplained finder patterns are a code not read yet; one is
        // usually a square of UI that happens to look like one.
        if !found.is_empty() && evidence.unexplained().len() < 2 {
            break;
        }
    }
    reading_order(&mut found);
    found
}

/// Sorts codes top to bottom, then left to right. Codes are grouped into
/// rows first (a code joins the row above when their vertical extents overlap
/// by half the smaller height): comparing pairs directly would not be a total
/// order, which `sort_by` may panic on.
fn reading_order(found: &mut Vec<Found>) {
    found.sort_by(|a, b| a.bounds().1.total_cmp(&b.bounds().1));
    let mut rows: Vec<(f32, f32, Vec<Found>)> = Vec::new();
    for code in found.drain(..) {
        let (_, y0, _, y1) = code.bounds();
        match rows.last_mut() {
            Some((row_y0, row_y1, members))
                if (*row_y1).min(y1) - (*row_y0).max(y0)
                    >= ((*row_y1 - *row_y0).min(y1 - y0) / 2.0).max(0.0) =>
            {
                *row_y1 = row_y1.max(y1);
                members.push(code);
            }
            _ => rows.push((y0, y1, vec![code])),
        }
    }
    for (_, _, mut members) in rows {
        members.sort_by(|a, b| a.bounds().0.total_cmp(&b.bounds().0));
        found.extend(members);
    }
}
