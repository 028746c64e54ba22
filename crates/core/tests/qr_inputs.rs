//! QR decoding at its edges (issue 3): bad input fails fast with a specific
//! message and never panics; raw pixels, transparency, several codes and
//! reading order behave.

#[path = "../benches/qr_corpus/mod.rs"]
mod qr_corpus;

use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder};
use qr_corpus::{render_code, Canvas, CodeStyle, Rng};
use watchword_core::qr::{self, QrError};

const URI: &str =
    "otpauth://totp/ACME%20Co:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co";

fn png(canvas: &Canvas) -> Vec<u8> {
    canvas.png()
}

/// A white page with `codes` pasted at the given positions.
fn page(width: usize, height: usize, codes: &[(&str, i64, i64)]) -> Canvas {
    let mut canvas = Canvas::new(width, height, [255, 255, 255]);
    for (payload, x, y) in codes {
        canvas.paste(&render_code(payload, &CodeStyle::plain(3.0)), *x, *y);
    }
    canvas
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG signature and IHDR chunk declaring `width`×`height` RGB, with a
/// valid CRC, and nothing after it.
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(&13u32.to_be_bytes());
    bytes.extend_from_slice(&ihdr);
    bytes.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    bytes
}

/// A BMP file header and BITMAPINFOHEADER declaring `width`×`height` at 24
/// bits, with no pixels.
fn bmp_header(width: i32, height: i32) -> Vec<u8> {
    let mut bytes = b"BM".to_vec();
    bytes.extend_from_slice(&1000u32.to_le_bytes());
    bytes.extend_from_slice(&[0; 4]);
    bytes.extend_from_slice(&54u32.to_le_bytes());
    bytes.extend_from_slice(&40u32.to_le_bytes());
    bytes.extend_from_slice(&width.to_le_bytes());
    bytes.extend_from_slice(&height.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes());
    bytes.extend_from_slice(&24u16.to_le_bytes());
    bytes.extend_from_slice(&[0; 24]);
    bytes
}

/// A GIF header whose screen and first frame are `width`×`height`.
fn gif_header(width: u16, height: u16) -> Vec<u8> {
    let mut bytes = b"GIF89a".to_vec();
    bytes.extend_from_slice(&width.to_le_bytes());
    bytes.extend_from_slice(&height.to_le_bytes());
    bytes.extend_from_slice(&[0, 0, 0]);
    // Image descriptor, no colour table, then LZW minimum code size.
    bytes.push(0x2c);
    bytes.extend_from_slice(&[0, 0, 0, 0]);
    bytes.extend_from_slice(&width.to_le_bytes());
    bytes.extend_from_slice(&height.to_le_bytes());
    bytes.extend_from_slice(&[0, 2]);
    bytes
}

/// Decodes input that must fail. How fast it fails is printed by
/// `qr_bench` (tests never assert on wall-clock time): every case here is
/// refused from its header or its first bytes.
fn fast_error(bytes: &[u8]) -> QrError {
    qr::decode_image(bytes).expect_err("bad input is an error")
}

#[test]
fn empty_input() {
    let error = fast_error(&[]);
    assert_eq!(error, QrError::Empty);
    assert_eq!(error.to_string(), "The file is empty");
    assert_eq!(error.code(), "empty");
}

#[test]
fn not_an_image() {
    for bytes in [
        &b"otpauth://totp/a?secret=JBSWY3DPEHPK3PXP"[..],
        b"%PDF-1.7\n",
        &[0u8; 64],
        b"x",
    ] {
        let error = fast_error(bytes);
        assert_eq!(error, QrError::NotAnImage, "{bytes:?}");
        assert_eq!(
            error.to_string(),
            "This file is not an image (Watchword reads PNG, JPEG, WebP, GIF and BMP)"
        );
    }
}

#[test]
fn formats_we_do_not_read_are_named() {
    let error = fast_error(b"II*\x00\x08\x00\x00\x00\x00\x00\x00\x00");
    assert_eq!(error, QrError::UnsupportedFormat("TIFF".to_owned()));
    assert_eq!(
        error.to_string(),
        "TIFF images are not supported: use PNG, JPEG, WebP, GIF or BMP"
    );
}

#[test]
fn decompression_bombs_are_refused_from_the_header() {
    let cases: Vec<(&str, Vec<u8>, u64, u64)> = vec![
        ("png", png_header(100_000, 100_000), 100_000, 100_000),
        ("png just over", png_header(10_000, 5_001), 10_000, 5_001),
        ("bmp", bmp_header(60_000, 60_000), 60_000, 60_000),
        ("gif", gif_header(65_535, 65_535), 65_535, 65_535),
    ];
    for (what, bytes, width, height) in cases {
        let error = fast_error(&bytes);
        assert_eq!(error, QrError::TooLarge { width, height }, "{what}");
        assert_eq!(error.code(), "image_too_large");
    }
    assert_eq!(
        QrError::TooLarge {
            width: 100_000,
            height: 100_000
        }
        .to_string(),
        "The image is 100000×100000 pixels, larger than the 50 megapixels Watchword reads"
    );
}

/// A baseline JPEG of 8×8 grey pixels, complete (quantisation and Huffman
/// tables, frame header, scan), as image's own encoder writes it.
fn small_jpeg() -> Vec<u8> {
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut bytes)
        .write_image(&[128; 64], 8, 8, ExtendedColorType::L8)
        .expect("encode a JPEG");
    bytes
}

/// `jpeg` with its frame header (SOF0) made to claim `width`×`height`; every
/// other byte, the scan included, is left as it was.
fn claiming(mut jpeg: Vec<u8>, width: u16, height: u16) -> Vec<u8> {
    let sof = jpeg
        .windows(2)
        .position(|w| w == [0xff, 0xc0])
        .expect("a baseline frame header");
    // FF C0, length (2), precision (1), height (2), width (2).
    jpeg[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    jpeg[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    jpeg
}

/// A JPEG whose frame header claims 65500×65500 is refused as too large from
/// its header, never decoded; a header cut off before its scan is damaged.
#[test]
fn a_huge_jpeg_header_fails_fast() {
    // The same file with its true size decodes (and holds no code): the
    // size is the only thing wrong with the huge one.
    let small = small_jpeg();
    assert_eq!(qr::decode_image(&small), Err(QrError::NoCode));
    assert_eq!(
        claiming(small.clone(), 8, 8),
        small,
        "the frame header found"
    );

    let error = fast_error(&claiming(small, 65_500, 65_500));
    assert_eq!(
        error,
        QrError::TooLarge {
            width: 65_500,
            height: 65_500
        }
    );
    assert_eq!(error.code(), "image_too_large");

    // A frame header and the end of the image, nothing between: the decoder
    // never reaches a scan, so the size is not known and the file is damaged.
    let mut bytes = vec![0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08];
    bytes.extend_from_slice(&65_500u16.to_be_bytes());
    bytes.extend_from_slice(&65_500u16.to_be_bytes());
    bytes.extend_from_slice(&[3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]);
    bytes.extend_from_slice(&[0xff, 0xd9]);
    let error = fast_error(&bytes);
    assert!(matches!(error, QrError::Damaged(_)), "{error:?}");
}

#[test]
fn truncated_and_zero_sized_images_are_damaged() {
    let good = png(&page(300, 300, &[(URI, 20, 20)]));
    assert_eq!(qr::decode_image(&good), Ok(vec![URI.to_owned()]));

    for len in [8, 20, 33, 60, good.len() / 2, good.len() - 13] {
        let error = fast_error(&good[..len]);
        assert!(matches!(error, QrError::Damaged(_)), "{len}: {error:?}");
        assert!(
            error
                .to_string()
                .starts_with("The image file is damaged or incomplete ("),
            "{error}"
        );
        assert_eq!(error.code(), "damaged_image");
    }
    let error = fast_error(&png_header(0, 10));
    assert!(matches!(error, QrError::Damaged(_)), "{error:?}");
    let error = fast_error(&bmp_header(0, 0));
    assert!(matches!(error, QrError::Damaged(_)), "{error:?}");
}

#[test]
fn an_image_without_a_code() {
    let blank = png(&Canvas::new(640, 480, [240, 240, 240]));
    let error = qr::decode_image(&blank).expect_err("nothing to find");
    assert_eq!(error, QrError::NoCode);
    assert_eq!(error.to_string(), "No QR code found in this image");
    assert_eq!(error.code(), "no_qr_code");
    // A 1×1 image is an image, just without a code.
    assert_eq!(
        qr::decode_image(&png(&Canvas::new(1, 1, [0, 0, 0]))),
        Err(QrError::NoCode)
    );
}

#[test]
fn raw_pixel_buffers_must_match_their_size() {
    let error = qr::decode_rgba(10, 10, &[0; 399]).expect_err("one byte short");
    assert_eq!(
        error,
        QrError::BadPixelBuffer {
            width: 10,
            height: 10,
            len: 399,
            expected: 400
        }
    );
    assert_eq!(
        error.to_string(),
        "The screen capture is 10×10 pixels but holds 399 bytes instead of 400"
    );
    assert_eq!(qr::decode_rgba(0, 0, &[]), Err(QrError::Empty));
    assert!(matches!(
        qr::decode_rgba(u32::MAX, u32::MAX, &[]),
        Err(QrError::BadPixelBuffer { .. })
    ));
    assert_eq!(qr::decode_rgba(4, 4, &[255; 64]), Err(QrError::NoCode));
}

/// Random bytes, truncations and bit flips of real files in every format:
/// errors are fine, panics and hangs are not.
#[test]
fn garbage_never_panics() {
    let canvas = page(160, 160, &[("otpauth://totp/a?secret=JBSWY3DP", 10, 10)]);
    let image = image::RgbImage::from_raw(
        canvas.width as u32,
        canvas.height as u32,
        canvas.data.clone(),
    )
    .expect("sizes agree");
    let mut files = vec![png(&canvas), canvas.jpeg(80)];
    for format in [
        image::ImageFormat::Gif,
        image::ImageFormat::Bmp,
        image::ImageFormat::WebP,
    ] {
        let mut out = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(image.clone())
            .write_to(&mut out, format)
            .expect("encoding to memory cannot fail");
        files.push(out.into_inner());
    }
    let mut rng = Rng::new(7);
    for file in &files {
        // Undamaged, every format reads (GIF's 256-colour palette keeps a
        // black-and-white code intact).
        assert_eq!(
            qr::decode_image(file),
            Ok(vec!["otpauth://totp/a?secret=JBSWY3DP".to_owned()]),
            "format {:?}",
            &file[..4]
        );
        for cut in (0..file.len()).step_by((file.len() / 25).max(1)) {
            let _ = qr::decode_image(&file[..cut]);
        }
        for _ in 0..20 {
            let mut damaged = file.clone();
            for _ in 0..rng.range(1, 8) {
                let at = rng.below(damaged.len());
                damaged[at] ^= 1 << rng.below(8);
            }
            let _ = qr::decode_image(&damaged);
        }
    }
    for _ in 0..200 {
        let len = rng.below(2000);
        let _ = qr::decode_image(&rng.bytes(len));
        let (w, h) = (rng.range(1, 40) as u32, rng.range(1, 40) as u32);
        let _ = qr::decode_rgba(w, h, &rng.bytes((w * h * 4) as usize));
    }
}

#[test]
fn transparent_background_reads_as_white() {
    // Black modules on a transparent background, as some sites serve them:
    // ignoring alpha would turn the whole image black.
    let code = render_code(URI, &CodeStyle::plain(4.0));
    let mut rgba = Vec::with_capacity(code.width * code.height * 4);
    for pixel in code.data.chunks_exact(3) {
        let ink = 255 - pixel[0];
        rgba.extend_from_slice(&[0, 0, 0, ink]);
    }
    assert_eq!(
        qr::decode_rgba(code.width as u32, code.height as u32, &rgba),
        Ok(vec![URI.to_owned()])
    );
    let mut file = Vec::new();
    PngEncoder::new(&mut file)
        .write_image(
            &rgba,
            code.width as u32,
            code.height as u32,
            ExtendedColorType::Rgba8,
        )
        .expect("encoding to memory cannot fail");
    assert_eq!(qr::decode_image(&file), Ok(vec![URI.to_owned()]));
}

#[test]
fn codes_come_in_reading_order_without_duplicates() {
    let [a, b, c, d] = [
        "otpauth://totp/A?secret=AAAAAAAA",
        "otpauth://totp/B?secret=BBBBBBBB",
        "otpauth://totp/C?secret=CCCCCCCC",
        "otpauth://totp/D?secret=DDDDDDDD",
    ];
    // Rows slightly out of line, as hand-arranged screenshots are.
    let canvas = page(
        1000,
        700,
        &[(d, 560, 380), (b, 560, 30), (c, 40, 360), (a, 60, 50)],
    );
    assert_eq!(
        qr::decode_image(&png(&canvas)),
        Ok(vec![a.into(), b.into(), c.into(), d.into()])
    );
    // The same code twice is one payload.
    let canvas = page(900, 400, &[(a, 20, 20), (a, 500, 20)]);
    assert_eq!(qr::decode_image(&png(&canvas)), Ok(vec![a.to_owned()]));
}

/// The app decodes off the UI thread: this compiles only while the decoder
/// and its result can cross threads, and the answer is the same there.
#[test]
fn decoding_runs_on_a_worker_thread() {
    let bytes = png(&page(300, 300, &[(URI, 20, 20)]));
    let worker = std::thread::spawn(move || qr::decode_image(&bytes));
    assert_eq!(worker.join().expect("no panic"), Ok(vec![URI.to_owned()]));
}

#[test]
fn files_are_read_with_a_size_limit_and_specific_errors() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let good = dir.path().join("code.png");
    std::fs::write(&good, png(&page(300, 300, &[(URI, 40, 40)]))).expect("written");
    assert_eq!(qr::decode_file(&good), Ok(vec![URI.to_owned()]));

    let missing = qr::decode_file(&dir.path().join("nowhere.png")).expect_err("missing");
    assert!(matches!(missing, QrError::Unreadable(_)), "{missing:?}");
    assert_eq!(missing.code(), "unreadable_file");

    let folder = qr::decode_file(dir.path()).expect_err("a folder");
    assert_eq!(folder, QrError::Unreadable("it is a folder".into()));

    // A sparse file: refused from its length, never read into memory.
    let huge = dir.path().join("huge.png");
    let file = std::fs::File::create(&huge).expect("created");
    file.set_len(qr::MAX_FILE_BYTES + 1)
        .expect("sparse length set");
    let error = qr::decode_file(&huge).expect_err("too large");
    assert_eq!(error, QrError::FileTooLarge(qr::MAX_FILE_BYTES + 1));
    assert!(error.to_string().contains("200 MB at most"), "{error}");
}

/// What `qr::encode` draws reads back as the same text: the app shows
/// export codes drawn this way for a phone to scan.
#[test]
fn encoded_codes_read_back() {
    let text = format!("otpauth-migration://offline?data={}", "A".repeat(600));
    let drawn = qr::encode(&text).expect("fits a QR code");
    assert_eq!(drawn.size % 4, 1, "21 + 4k modules, plus 8 of quiet zone");
    assert!(
        format!("{drawn:?}").starts_with("EncodedQr("),
        "Debug hides the path"
    );
    // Paint the path's unit squares at 4 pixels a module.
    const SCALE: usize = 4;
    let side = drawn.size * SCALE;
    let mut canvas = Canvas::new(side, side, [255, 255, 255]);
    for square in drawn.path.split('M').filter(|s| !s.is_empty()) {
        let coords: Vec<usize> = square
            .trim_end_matches("h1v1h-1z")
            .split(' ')
            .map(|n| n.parse().expect("a module coordinate"))
            .collect();
        let (x, y, w) = (coords[0] * SCALE, coords[1] * SCALE, SCALE);
        canvas.fill(x as i64, y as i64, w as i64, w as i64, [0, 0, 0]);
    }
    assert_eq!(qr::decode_image(&canvas.png()), Ok(vec![text]));
    assert_eq!(
        qr::encode(&"x".repeat(8000)),
        None,
        "too long for a QR code"
    );
}
