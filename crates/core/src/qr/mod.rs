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
mod load;
mod luma;
mod pipeline;

pub use decoders::{Binarizer, Found};
pub use load::{load_luma, read_file, read_open};
pub use luma::Luma;
pub use pipeline::Stage;

use crate::codes::ErrorCode;
use load::rgba_to_luma;
use pipeline::{find_codes, PIPELINE};
use thiserror::Error;

/// Largest image decoded, in pixels (see [`crate::limits::MAX_PIXELS`]).
pub use crate::limits::MAX_PIXELS;

/// Largest image file read, in bytes (see [`crate::limits::MAX_IMAGE_BYTES`]).
pub use crate::limits::MAX_IMAGE_BYTES as MAX_FILE_BYTES;

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
