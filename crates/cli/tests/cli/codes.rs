//! Codes without storing anything, and QR images decoded.

use super::*;

#[test]
fn code_for_a_uri_matches_rfc_6238_without_storing_anything() {
    let env = env("uri");
    let uri = format!("otpauth://totp/ACME:me?secret={RFC_SHA1}&digits=8");
    let out = env.run_with(&["code", "--uri", "-", "--at", "59"], &uri);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "94287082\n");

    let out = env.run_with(
        &["code", "--uri", "-", "--at", "1111111109", "--json"],
        &format!("{uri}\n"),
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut keys: Vec<&String> = json.as_object().expect("an object").keys().collect();
    keys.sort();
    assert_eq!(keys, ["code", "next", "period", "remaining"]);
    assert_eq!(json["code"], "07081804");
    assert_eq!(json["remaining"], 1);
    assert_eq!(json["period"], 30);
    // The next period starts at 1111111110, the step of RFC 6238 Appendix B's
    // row "1111111111 | 00000000023523EC | 14050471 | SHA1".
    assert_eq!(json["next"], "14050471");
    assert!(
        !env.dir.path().join("accounts.json").exists(),
        "nothing was stored"
    );
}

/// A PNG of `payloads` drawn side by side, 4 pixels a module, quiet zones
/// included; no payload gives a blank page.
fn qr_png(path: &std::path::Path, payloads: &[&str]) {
    const SCALE: usize = 4;
    let codes: Vec<qrcode::QrCode> = payloads
        .iter()
        .map(|text| qrcode::QrCode::new(text.as_bytes()).expect("encodable"))
        .collect();
    let side = |code: &qrcode::QrCode| (code.width() + 8) * SCALE;
    let width = codes.iter().map(side).sum::<usize>().max(200);
    let height = codes.iter().map(side).max().unwrap_or(200);
    let mut pixels = vec![255u8; width * height];
    let mut left = 0;
    for code in &codes {
        let modules = code.width();
        for (i, color) in code.to_colors().into_iter().enumerate() {
            if color == qrcode::Color::Dark {
                let (mx, my) = (i % modules + 4, i / modules + 4);
                for y in my * SCALE..(my + 1) * SCALE {
                    let row = y * width + left;
                    pixels[row + mx * SCALE..row + (mx + 1) * SCALE].fill(0);
                }
            }
        }
        left += side(code);
    }
    image::GrayImage::from_raw(width as u32, height as u32, pixels)
        .expect("sized to fit")
        .save(path)
        .expect("PNG written");
}

#[test]
fn decode_prints_each_payload_and_fails_on_images_without_one() {
    let env = env("decode");
    let uri = format!("otpauth://totp/ACME:me?secret={RFC_SHA1}&issuer=ACME");
    let two = env.dir.path().join("two.png");
    qr_png(&two, &[&uri, "https://example.com/"]);
    let blank = env.dir.path().join("blank.png");
    qr_png(&blank, &[]);
    let two_arg = two.to_str().expect("UTF-8 path");
    let blank_arg = blank.to_str().expect("UTF-8 path");

    let out = env.run(&["decode", two_arg]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("{uri}\nhttps://example.com/\n"));

    let out = env.run(&["decode", "--json", two_arg]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json[0]["file"], two_arg);
    assert_eq!(json[0]["payloads"][0]["text"], uri);
    assert_eq!(json[0]["payloads"][0]["kind"], "otpauth");
    assert_eq!(json[0]["payloads"][1]["kind"], "web_link");
    assert!(json[0]["error"].is_null());

    let out = env.run(&["decode", blank_arg]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        format!("watchword-cli: {blank_arg}: No QR code found in this image\n")
    );

    // One good image and one bad: the payloads still print, the bad one is
    // named, and the exit status says not everything was read.
    let missing = env.dir.path().join("missing.png");
    let out = env.run(&["decode", two_arg, missing.to_str().expect("UTF-8")]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out).lines().count(), 2);
    let err = stderr(&out);
    assert!(
        err.contains("missing.png: Cannot read the file")
            && err.ends_with("no QR code was read from 1 of 2 images\n"),
        "{err}"
    );

    let out = env.run(&["decode", "--json", blank_arg]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json[0]["error"]["code"], "no_qr_code");
}
