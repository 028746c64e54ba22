//! Hostile input through the window (issue 9): a pasted image that claims
//! an enormous size is refused from its header, before anything is
//! decoded, and the window goes on working. Run through scripts/test.sh.

use watchword_e2e::{put_clipboard_image, qr_page_png, Profile};

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
fn claims_to_be(side: u32) -> Vec<u8> {
    let mut header = side.to_be_bytes().to_vec();
    header.extend_from_slice(&side.to_be_bytes());
    header.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &header));
    png.extend(chunk(b"IEND", &[]));
    png
}

#[test]
fn a_pasted_image_claiming_an_enormous_size_is_refused_and_the_window_goes_on() {
    let profile = Profile::new("hostile_paste");
    let app = profile.launch();
    app.wait_loaded();
    let dir = tempfile::tempdir().expect("temp dir");

    let bomb = dir.path().join("bomb.png");
    std::fs::write(&bomb, claims_to_be(100_000)).expect("write");
    put_clipboard_image(&bomb);
    app.press_ctrl_v();
    app.wait_toast("100000×100000 pixels, larger than");
    assert!(!app.displayed("#enrol-dialog"));

    // Still working: a real code pasted next is found.
    let uri = "otpauth://totp/Shop:me?secret=JBSWY3DPEHPK3PXP&issuer=Shop";
    let shot = dir.path().join("shot.png");
    std::fs::write(&shot, qr_page_png(&[uri], 4)).expect("write");
    put_clipboard_image(&shot);
    app.press_ctrl_v();
    let found = app.wait_found(1);
    assert_eq!(found[0].issuer, "Shop");
}
