//! What reading a hostile backup costs in memory, counted by this test
//! binary's own allocator (exact and repeatable, unlike the process's
//! resident size): a file of a few megabytes stays within a small multiple
//! of its size however often its entries name one long group.
//!
//! The tests take turns ([`counting`]), so that nothing else allocates
//! while one counts.

use peakmem_alloc::{PeakMemAlloc, PeakMemAllocTrait, INSTRUMENTED_SYSTEM};
use serde_json::{json, Value};
use std::alloc::System;
use watchword_core::import::{detect_and_read, Read};
use watchword_core::limits;

#[global_allocator]
static ALLOCATOR: &PeakMemAlloc<System> = &INSTRUMENTED_SYSTEM;

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/fixtures/importers/"
);

fn fixture(name: &str) -> Value {
    let path = format!("{DIR}{name}");
    let bytes = std::fs::read(&path).unwrap_or_else(|error| panic!("cannot read {path}: {error}"));
    serde_json::from_slice(&bytes).expect("the fixture is JSON")
}

/// One test counts at a time.
fn counting() -> std::sync::MutexGuard<'static, ()> {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    TURN.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The most bytes held at once while `bytes` is read and converted, above
/// what was held before; and the groups of the first account.
fn peak_of_reading(bytes: &[u8]) -> (usize, Vec<String>) {
    ALLOCATOR.reset_peak_memory();
    let (_, read) = detect_and_read(bytes).expect("readable");
    let Read::Plain(entries) = read else {
        panic!("a plain file")
    };
    let conversion = entries.convert();
    let peak = ALLOCATOR.get_peak_memory();
    let groups = conversion.accounts[0]
        .groups
        .iter()
        .map(|group| group.as_str().to_owned())
        .collect();
    (peak, groups)
}

#[test]
fn a_long_group_named_many_times_is_copied_once_cut() {
    let _turn = counting();
    // One group with a 1 MiB name, named 2 000 times: each copy of the
    // whole name would hold 2 GB.
    let long = "g".repeat(1 << 20);
    const TIMES: usize = 2_000;

    let mut aegis = fixture("aegis_plain.json");
    aegis["db"]["groups"] = json!([{"uuid": "g", "name": long}]);
    aegis["db"]["entries"][0]["groups"] = json!(vec!["g"; TIMES]);

    let mut twofas = fixture("2fas_authenticator_plain.2fas");
    twofas["groups"] = json!([{"id": "g", "name": long}]);
    let service = {
        let mut service = twofas["services"][0].clone();
        service["groupId"] = json!("g");
        service
    };
    twofas["services"] = json!(vec![service; TIMES]);

    let mut bitwarden = fixture("bitwarden.json");
    bitwarden["folders"] = json!([{"id": "g", "name": long}]);
    let item = {
        let mut item = bitwarden["items"][0].clone();
        item["folderId"] = json!("g");
        item
    };
    bitwarden["items"] = json!(vec![item; TIMES]);

    let mut stratum = fixture("stratum_plain.json");
    stratum["Categories"] = json!([{"Id": "g", "Name": long}]);
    let secret = stratum["Authenticators"][0]["Secret"].clone();
    stratum["AuthenticatorCategories"] = json!(vec![
        json!({"AuthenticatorSecret": secret, "CategoryId": "g"});
        TIMES
    ]);

    let cut = "g".repeat(limits::MAX_GROUP_CHARS);
    for (format, file) in [
        ("Aegis", aegis),
        ("2FAS", twofas),
        ("Bitwarden", bitwarden),
        ("Stratum", stratum),
    ] {
        let bytes = file.to_string().into_bytes();
        let (peak, groups) = peak_of_reading(&bytes);
        println!("{format}: {} bytes read, {peak} held at most", bytes.len());
        assert_eq!(groups, [cut.as_str()], "{format}");
        // The file, its parsed form and its entries: a few times its size.
        assert!(
            peak < 8 * bytes.len(),
            "{format}: reading {} bytes held {peak} at once",
            bytes.len()
        );
    }
}

/// Ente's `codeDisplay` parameter is JSON inside a URI: a huge one is held
/// to the JSON budgets (and then left aside) rather than parsed.
#[test]
fn a_uri_s_code_display_is_within_the_json_budgets() {
    let _turn = counting();
    let values = limits::MAX_JSON_VALUES + 1;
    let line = format!(
        "otpauth://totp/Ente:me?secret=JBSWY3DPEHPK3PXP&issuer=Ente&codeDisplay=%5B{}0%5D\n",
        "0%2C".repeat(values - 1)
    );
    let (peak, groups) = peak_of_reading(line.as_bytes());
    println!(
        "codeDisplay: {} bytes read, {peak} held at most",
        line.len()
    );
    assert!(groups.is_empty());
    assert!(
        peak < 4 * line.len(),
        "reading {} bytes held {peak} at once",
        line.len()
    );
}

/// A screenshot saved with 16 bits a channel and alpha is turned to grey
/// straight from its decoded pixels: no 8-bit copy of the whole image
/// (half its decoded size again) is held beside them.
#[test]
fn a_16_bit_rgba_image_is_read_without_an_8_bit_copy() {
    let _turn = counting();
    const URI: &str = "otpauth://totp/Deep:me?secret=JBSWY3DPEHPK3PXP&issuer=Deep";
    let code = qrcode::QrCode::new(URI.as_bytes()).expect("encodable");
    let (side, scale) = (2000u32, 12u32);
    let modules = code.width() as u32;
    let colors = code.to_colors();
    let page = image::ImageBuffer::from_fn(side, side, |x, y| {
        let (mx, my) = ((x / scale).wrapping_sub(4), (y / scale).wrapping_sub(4));
        let dark = mx < modules
            && my < modules
            && colors[(my * modules + mx) as usize] == qrcode::Color::Dark;
        // Dark modules opaque; the light page half transparent, as over
        // white it reads as light.
        if dark {
            image::Rgba([0u16, 0, 0, u16::MAX])
        } else {
            image::Rgba([u16::MAX, u16::MAX, u16::MAX, u16::MAX / 2])
        }
    });
    let mut png = Vec::new();
    image::DynamicImage::ImageRgba16(page)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("PNG written");

    ALLOCATOR.reset_peak_memory();
    let found = watchword_core::qr::decode_image(&png).expect("decodes");
    let peak = ALLOCATOR.get_peak_memory();
    assert_eq!(found, [URI]);
    let decoded = (side * side * 8) as usize;
    println!("16-bit RGBA: {decoded} bytes decoded, {peak} held at most");
    // The decoded pixels, one grey byte a pixel and the decoder's own
    // buffers; an 8-bit RGBA copy would add half of `decoded`.
    assert!(peak < decoded + decoded / 3, "{peak} held at once");
}
