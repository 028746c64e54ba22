//! The image decode path: `qr::decode_image` on any bytes (PNG, JPEG, WebP,
//! GIF, BMP headers, the pixel limit, every decoder stage) never panics.
//!
//! Seeds: with `WATCHWORD_FUZZ_WRITE_SEEDS=DIR` set, the binary writes a few
//! small QR code PNGs to DIR and exits (scripts/fuzz.sh does this before a
//! run), so no image needs to be committed.
#![no_main]

use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder};
use libfuzzer_sys::fuzz_target;
use qrcode::{Color, QrCode};
use watchword_core::qr;

fuzz_target!(init: write_seeds(), |data: &[u8]| {
    let _ = qr::decode_image(data);
});

fn write_seeds() {
    let Some(dir) = std::env::var_os("WATCHWORD_FUZZ_WRITE_SEEDS") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).expect("the seed directory can be created");
    let payloads = [
        "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
        "otpauth://hotp/bank?secret=GEZDGNBVGY3TQOJQ&counter=7&digits=8",
        "otpauth-migration://offline?data=Ci4KCkhlbGxvId6tvu8SEWFsaWNlQGV4YW1wbGUuY29tGgdFeGFtcGxlIAEoATACEAEYAyABKGM%3D",
        "not an authenticator code",
    ];
    for (index, payload) in payloads.iter().enumerate() {
        // 2 pixels a module keeps the seeds small and the executions fast.
        let png = render(payload, 2);
        std::fs::write(dir.join(format!("qr-{index}.png")), png).expect("a seed can be written");
    }
    std::process::exit(0);
}

/// `text` as a black-on-white QR code PNG with a 4-module quiet zone.
fn render(text: &str, scale: usize) -> Vec<u8> {
    let code = QrCode::new(text.as_bytes()).expect("the seed payloads fit in a QR code");
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 8) * scale;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color == Color::Dark {
            let (mx, my) = ((i % modules + 4) * scale, (i / modules + 4) * scale);
            for y in my..my + scale {
                pixels[y * side + mx..y * side + mx + scale].fill(0);
            }
        }
    }
    let mut png = Vec::new();
    let side = u32::try_from(side).expect("a seed image is small");
    PngEncoder::new(&mut png)
        .write_image(&pixels, side, side, ExtendedColorType::L8)
        .expect("a PNG encodes into memory");
    png
}
