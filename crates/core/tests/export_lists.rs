//! The plain exports: the otpauth URI list and Google Authenticator's export
//! codes, each read back through the importers.

use watchword_core::export::{self, ExportError};
use watchword_core::import::{detect_and_read, Format, Read};
use watchword_core::{migration, Account, Algorithm, OtpKind, Secret};

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/fixtures/importers/"
);

fn vectors() -> Vec<Account> {
    let text = std::fs::read_to_string(format!("{FIXTURES}plain.txt")).expect("plain.txt");
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| watchword_core::uri::parse(line).expect("a valid URI"))
        .collect()
}

fn import_plain(text: &str) -> (Format, Vec<Account>) {
    let (format, read) = detect_and_read(text.as_bytes()).expect("readable");
    let Read::Plain(entries) = read else {
        panic!("a plain export")
    };
    let conversion = entries.convert();
    assert!(conversion.errors.is_empty(), "{:?}", conversion.errors);
    (format, conversion.accounts)
}

#[test]
fn uri_list_round_trips() {
    let mut accounts = vectors();
    accounts.push(Account::totp(
        "A:B&C=D?E#F/G%H+I J",
        "x:y é",
        Secret::from_bytes(vec![1, 2, 3, 4, 5]),
    ));
    let text = export::uri_list(&accounts);
    // Written by hand, not by `uri::format`: plain.txt's lines (with the space
    // in "Air Canada" as `%20` in the query too), then every reserved
    // character percent-encoded, the non-ASCII name as UTF-8, and the key
    // 01 02 03 04 05 as base32 without padding.
    let expected = "\
otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&issuer=Deno&algorithm=SHA1&digits=6&period=30
otpauth://totp/SPDX:James?secret=5OM4WOOGPLQEF6UGN3CPEOOLWU&issuer=SPDX&algorithm=SHA256&digits=7&period=20
otpauth://totp/Airbnb:Elijah?secret=7ELGJSGXNCCTV3O6LKJWYFV2RA&issuer=Airbnb&algorithm=SHA512&digits=8&period=50
otpauth://hotp/Issuu:James?secret=YOOMIXWS5GN6RTBPUFFWKTW5M4&issuer=Issuu&algorithm=SHA1&digits=6&counter=1
otpauth://hotp/Air%20Canada:Benjamin?secret=KUVJJOM753IHTNDSZVCNKL7GII&issuer=Air%20Canada&algorithm=SHA256&digits=7&counter=50
otpauth://hotp/WWE:Mason?secret=5VAML3X35THCEBVRLV24CGBKOY&issuer=WWE&algorithm=SHA512&digits=8&counter=10300
otpauth://steam/Boeing:Sophia?secret=JRZCL47CMXVOQMNPZR2F7J4RGI&issuer=Boeing&algorithm=SHA1&digits=5&period=30
otpauth://totp/A%3AB%26C%3DD%3FE%23F%2FG%25H%2BI%20J:x%3Ay%20%C3%A9?secret=AEBAGBAF\
&issuer=A%3AB%26C%3DD%3FE%23F%2FG%25H%2BI%20J&algorithm=SHA1&digits=6&period=30
";
    assert_eq!(text, expected);
    assert_eq!(import_plain(&text), (Format::OtpauthUris, accounts));
}

/// `count` accounts Google Authenticator's format can carry.
fn google_accounts(count: usize) -> Vec<Account> {
    (0..count)
        .map(|i| {
            let secret = Secret::from_bytes((0..20).map(|b| (b * 7 + i) as u8).collect());
            let mut account = Account::totp(
                &format!("Issuer {i}"),
                &format!("user{i}@example.com"),
                secret,
            );
            match i % 3 {
                0 => {}
                1 => {
                    account.algorithm = Algorithm::Sha256;
                    account.digits = 8;
                }
                _ => {
                    account.algorithm = Algorithm::Sha512;
                    account.kind = OtpKind::Hotp {
                        counter: i as u64 * 1000,
                    };
                }
            }
            account
        })
        .collect()
}

#[test]
fn google_export_comes_in_batches_of_ten_and_round_trips() {
    let accounts = google_accounts(23);
    let uris = export::google_migration(&accounts).expect("exportable");
    assert_eq!(uris.len(), 3);
    let batches: Vec<_> = uris
        .iter()
        .map(|uri| migration::decode(uri).expect("decodes"))
        .collect();
    assert_eq!(
        batches.iter().map(|b| b.accounts.len()).collect::<Vec<_>>(),
        vec![10, 10, 3]
    );
    for (index, batch) in batches.iter().enumerate() {
        assert_eq!(batch.batch_index as usize, index);
        assert_eq!(batch.batch_size, 3);
        assert_eq!(batch.batch_id, batches[0].batch_id);
    }
    let text = uris.join("\n");
    assert_eq!(import_plain(&text), (Format::GoogleAuthenticator, accounts));
}

#[test]
fn google_export_refuses_what_the_format_cannot_carry() {
    let vectors = vectors();
    // SPDX: 7 digits and a 20 s period.
    match export::google_migration(&vectors) {
        Err(ExportError::NotForGoogle { index, label, .. }) => {
            assert_eq!((index, label.as_str()), (1, "SPDX (James)"));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let steam = vectors
        .iter()
        .find(|a| a.kind == OtpKind::Steam)
        .expect("a Steam vector")
        .clone();
    let mut accounts = google_accounts(12);
    accounts.push(steam);
    match export::google_migration(&accounts) {
        Err(ExportError::NotForGoogle { index, reason, .. }) => {
            assert_eq!(index, 12);
            assert!(reason.contains("Steam"), "{reason}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(export::google_migration(&[]), Err(ExportError::NoAccounts));
}

#[test]
fn google_export_lines_with_one_broken_code_import_the_rest() {
    let accounts = google_accounts(12);
    let uris = export::google_migration(&accounts).expect("exportable");
    let text = format!(
        "{}\notpauth-migration://offline?data=%%%\n",
        uris.join("\n")
    );
    let (_, read) = detect_and_read(text.as_bytes()).expect("readable");
    let Read::Plain(entries) = read else {
        panic!("plain")
    };
    let conversion = entries.convert();
    assert_eq!(conversion.accounts, accounts);
    assert_eq!(conversion.errors.len(), 1);
    assert_eq!(conversion.errors[0].index, 12);
    assert!(
        conversion.errors[0].reason.starts_with("line 3: "),
        "{}",
        conversion.errors[0]
    );
}

/// A PNG of a drawn QR code at `scale` pixels a module.
fn paint(drawn: &watchword_core::qr::EncodedQr, scale: u32) -> Vec<u8> {
    let side = drawn.size as u32 * scale;
    let mut image = image::GrayImage::from_pixel(side, side, image::Luma([255]));
    for square in drawn.path.split('M').filter(|s| !s.is_empty()) {
        let mut xy = square
            .trim_end_matches("h1v1h-1z")
            .split(' ')
            .map(|n| n.parse::<u32>().expect("a module coordinate"));
        let (x, y) = (xy.next().expect("x"), xy.next().expect("y"));
        for py in y * scale..(y + 1) * scale {
            for px in x * scale..(x + 1) * scale {
                image.put_pixel(px, py, image::Luma([0]));
            }
        }
    }
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("a PNG in memory");
    png
}

/// Issue 5: export to Google Authenticator, show the codes as QR images,
/// read the images back, import what they say: the same accounts.
#[test]
fn google_export_round_trips_through_qr_images() {
    let accounts = google_accounts(23);
    let uris = export::google_migration(&accounts).expect("exportable");
    let read_back: Vec<String> = uris
        .iter()
        .map(|uri| {
            let drawn = watchword_core::qr::encode(uri).expect("fits a QR code");
            let payloads =
                watchword_core::qr::decode_image(&paint(&drawn, 3)).expect("the image reads");
            assert_eq!(payloads.len(), 1);
            payloads.into_iter().next().expect("one payload")
        })
        .collect();
    assert_eq!(read_back, uris);
    assert_eq!(
        import_plain(&read_back.join("\n")),
        (Format::GoogleAuthenticator, accounts)
    );
}

// Found by a second reader: codes were cut at ten accounts whatever their
// size, so long names made a code too dense to scan from the screen, or
// too long for any QR code, and the whole export failed.
#[test]
fn long_names_make_codes_of_fewer_accounts_and_one_too_long_is_left_out() {
    let mut accounts = google_accounts(10);
    for account in &mut accounts {
        account.issuer = format!("Amazon Seller Central {}", account.issuer);
        account.name = format!("{}{}", "n".repeat(180), account.name);
        account.secret = Secret::from_bytes(vec![7; 32]);
    }
    let uris = export::google_migration(&accounts).expect("exportable");
    assert!(
        uris.len() > 1,
        "ten long accounts in {} code(s)",
        uris.len()
    );
    for uri in &uris {
        assert!(
            uri.len() <= migration::CODE_URI_BUDGET,
            "a code of {} characters",
            uri.len()
        );
        watchword_core::qr::encode(uri).expect("fits a QR code");
    }
    assert_eq!(
        import_plain(&uris.join("\n")),
        (Format::GoogleAuthenticator, accounts.clone())
    );

    // One whose code alone is over what a QR code holds (a name at its
    // limit in four-byte characters, a long key): left out and named, the
    // others exported.
    let mut huge = accounts[0].clone();
    huge.issuer = "Huge".into();
    huge.name = "𝔘".repeat(256);
    huge.secret = Secret::from_bytes(vec![9; 1024]);
    assert!(!migration::fits_one_code(&huge));
    let mut all = accounts.clone();
    all.insert(3, huge.clone());
    let (fit, left_out) = export::google_exportable(&all);
    assert_eq!(fit, accounts);
    assert_eq!(left_out.len(), 1, "{left_out:?}");
    assert!(
        left_out[0]
            .to_string()
            .contains("too long to fit in a QR code"),
        "{}",
        left_out[0]
    );
    // Given anyway, it is refused by name, not drawn.
    match export::google_migration(&[huge]) {
        Err(ExportError::NotForGoogle {
            index: 0, reason, ..
        }) => {
            assert!(reason.contains("too long"), "{reason}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

// Found by a second reader: with long names the budget made more codes
// than an import reads (1,000), so the export did not read back.
#[test]
fn an_export_of_many_long_names_stays_within_what_an_import_reads() {
    let accounts: Vec<Account> = (0..2_000u32)
        .map(|i| {
            let secret = Secret::from_bytes(i.to_be_bytes().repeat(5));
            Account::totp(&format!("Issuer {i}"), &"é".repeat(250), secret)
        })
        .collect();
    let uris = export::google_migration(&accounts).expect("exportable");
    assert!(
        uris.len() <= watchword_core::limits::MAX_BATCH_PARTS as usize,
        "{} codes",
        uris.len()
    );
    for uri in &uris {
        assert!(uri.len() <= migration::CODE_URI_LIMIT, "{}", uri.len());
    }
    assert_eq!(
        import_plain(&uris.join("\n")),
        (Format::GoogleAuthenticator, accounts)
    );
}
