//! QR codes: drawn, put on the clipboard, read back with zbarimg.

use crate::env::require_program;
use crate::tools::run_bounded;
use crate::{POLL, TOOL_TIMEOUT};
use image::ImageEncoder;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// A PNG of a light page with each payload's QR code side by side, `scale`
/// pixels a module, as a screenshot of a web page shows them.
pub fn qr_page_png(payloads: &[&str], scale: usize) -> Vec<u8> {
    let codes: Vec<qrcode::QrCode> = payloads
        .iter()
        .map(|text| qrcode::QrCode::new(text.as_bytes()).expect("the payload fits a QR code"))
        .collect();
    let margin = 40;
    let side = |code: &qrcode::QrCode| code.width() * scale;
    let width = codes.iter().map(|c| side(c) + margin).sum::<usize>() + margin;
    let height = codes.iter().map(side).max().unwrap_or(0) + 2 * margin;
    let mut pixels = vec![250u8; width * height];
    let mut left = margin;
    for code in &codes {
        let modules = code.width();
        for (i, color) in code.to_colors().into_iter().enumerate() {
            if color == qrcode::Color::Dark {
                let (x, y) = (left + (i % modules) * scale, margin + (i / modules) * scale);
                for row in y..y + scale {
                    pixels[row * width + x..row * width + x + scale].fill(20);
                }
            }
        }
        left += side(code) + margin;
    }
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(
            &pixels,
            width as u32,
            height as u32,
            image::ExtendedColorType::L8,
        )
        .expect("a PNG in memory");
    png
}

/// Puts the PNG file at `path` on the X clipboard as `image/png`, as a
/// screenshot tool does. xclip keeps serving it in the background until
/// something else takes the clipboard.
pub fn put_clipboard_image(path: &Path) {
    require_program("xclip");
    let mut command = Command::new("xclip");
    command
        .args(["-selection", "clipboard", "-t", "image/png", "-i"])
        .arg(path);
    run_detaching(&mut command);
}

/// Puts `text` on the X clipboard.
pub fn put_clipboard_text(dir: &Path, text: &str) {
    put_clipboard_text_as(dir, text, "UTF8_STRING");
}

/// Puts `text` on the X clipboard offered as `target` only (as some
/// programs offer text: `text/plain`, `STRING`).
pub fn put_clipboard_text_as(dir: &Path, text: &str, target: &str) {
    let file = dir.join("clipboard.txt");
    std::fs::write(&file, text).expect("write the clipboard text");
    let mut command = Command::new("xclip");
    command
        .args(["-selection", "clipboard", "-t", target, "-i"])
        .arg(&file);
    run_detaching(&mut command);
}

/// Runs a program that forks a server into the background (xclip): its
/// output goes nowhere, so nothing waits on the server's pipes.
fn run_detaching(command: &mut Command) {
    let what = format!("{command:?}");
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    let deadline = Instant::now() + TOOL_TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                assert!(status.success(), "{what} failed ({status})");
                return;
            }
            Ok(None) if Instant::now() < deadline => std::thread::sleep(POLL),
            _ => {
                let _ = child.kill();
                panic!("{what} did not finish within {TOOL_TIMEOUT:?}");
            }
        }
    }
}

/// The QR payloads in a PNG as zbarimg (ZBar, a decoder independent of
/// Watchword's) reads them, one per code.
pub fn zbar_read(png: &[u8]) -> Vec<String> {
    require_program("zbarimg");
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("shot.png");
    std::fs::write(&path, png).expect("write the image");
    let out = run_bounded(
        Command::new("zbarimg")
            .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
            .arg(&path),
        TOOL_TIMEOUT,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "zbarimg found no QR code: {}",
        out.stderr.trim()
    );
    out.stdout.lines().map(str::to_owned).collect()
}

/// CRC-32 (ISO-HDLC) as PNG chunks use it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = u32::try_from(data.len())
        .expect("small")
        .to_be_bytes()
        .to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

/// A valid PNG header for a `side`×`side` RGBA picture, with no pixels.
pub fn png_claiming(side: u32) -> Vec<u8> {
    let mut header = side.to_be_bytes().to_vec();
    header.extend_from_slice(&side.to_be_bytes());
    header.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &header));
    png.extend(chunk(b"IEND", &[]));
    png
}
