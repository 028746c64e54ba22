//! Image bytes to grayscale: reading a file within the size limit, the
//! header checked before any pixel is decoded, and RGBA over white to luma.

use super::{Luma, QrError, MAX_FILE_BYTES, MAX_PIXELS};
use crate::limits::MAX_IMAGE_ALLOC as MAX_ALLOC;
use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// A file's bytes, refusing files over [`MAX_FILE_BYTES`] before reading.
pub fn read_file(path: &std::path::Path) -> Result<Vec<u8>, QrError> {
    let file = std::fs::File::open(path).map_err(unreadable)?;
    read_open(file)
}

fn unreadable(error: std::io::Error) -> QrError {
    QrError::Unreadable(error.to_string())
}

/// As [`read_file`], from a file already open (at its start).
pub fn read_open(file: std::fs::File) -> Result<Vec<u8>, QrError> {
    use std::io::Read;
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
    let data = match image {
        // From 16 bits a channel directly: an 8-bit copy first would add
        // half the decoded size again at the peak (a 50-megapixel RGBA
        // PNG: 400 MB decoded, 600 MB with the copy).
        DynamicImage::ImageRgba16(rgba) => rgba
            .as_raw()
            .chunks_exact(4)
            .map(|p| {
                let [r, g, b, a] = [p[0], p[1], p[2], p[3]].map(|c| u32::from(c >> 8));
                luma_over_white(r, g, b, a)
            })
            .collect(),
        image if image.color().has_alpha() => rgba_pixels_to_luma(image.into_rgba8().as_raw()),
        image => image.into_luma8().into_raw(),
    };
    Luma::new(width, height, data).expect("the decoder returns width × height pixels")
}

pub(super) fn rgba_to_luma(width: u32, height: u32, rgba: &[u8]) -> Result<Luma, QrError> {
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
            let [r, g, b, a] = [p[0], p[1], p[2], p[3]].map(u32::from);
            luma_over_white(r, g, b, a)
        })
        .collect()
}

/// One pixel's Rec. 601 luma over white, from 8-bit channels.
fn luma_over_white(r: u32, g: u32, b: u32, a: u32) -> u8 {
    let luma = (r * 299 + g * 587 + b * 114 + 500) / 1000;
    ((luma * a + 255 * (255 - a) + 127) / 255) as u8
}
