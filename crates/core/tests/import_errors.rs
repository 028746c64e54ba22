//! What an import says when it cannot go through: a wrong password, a
//! damaged or truncated file (naming the damaged part), and one corrupt entry
//! among good ones (reported with its position while the rest import). The
//! damaged files are made here, in memory, from the real fixtures.

use serde_json::Value;
use watchword_core::import::{detect_and_read, Conversion, EntryError, Format, ImportError, Read};

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/fixtures/importers/"
);

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{DIR}{name}");
    std::fs::read(&path).unwrap_or_else(|error| panic!("cannot read {path}: {error}"))
}

fn json_fixture(name: &str) -> Value {
    serde_json::from_slice(&fixture(name)).expect("the fixture is JSON")
}

/// Reads and, when encrypted, decrypts.
fn import(bytes: &[u8], password: &str) -> Result<Conversion, ImportError> {
    let (_, read) = detect_and_read(bytes)?;
    let entries = match read {
        Read::Plain(entries) => entries,
        Read::Encrypted(backup) => backup.decrypt(password)?,
    };
    Ok(entries.convert())
}

fn damaged(result: Result<Conversion, ImportError>) -> (Format, String, String) {
    match result {
        Err(ImportError::Damaged {
            format,
            part,
            reason,
        }) => (format, part, reason),
        other => panic!("expected a damaged file, got {other:?}"),
    }
}

// ----- Wrong password -------------------------------------------------------

#[test]
fn wrong_password_says_exactly_that() {
    for file in [
        "aegis_encrypted.json",
        "2fas_authenticator_encrypted.2fas",
        "2fas_authenticator_encrypted_v3.2fas",
        "2fas_authenticator_encrypted_v4.2fas",
        "andotp_encrypted.bin",
        "andotp_encrypted_old.bin",
        "freeotp_v2_api34.xml",
        "stratum_encrypted.bin",
        "stratum_encrypted_legacy.bin",
        "authy_encrypted.xml",
    ] {
        let error = import(&fixture(file), "not the password").expect_err(file);
        assert_eq!(error, ImportError::WrongPassword, "{file}");
        assert_eq!(error.to_string(), "Wrong password", "{file}");
        assert_eq!(error.code(), "wrong_password");
    }
}

// ----- Damaged and truncated files -----------------------------------------

#[test]
fn truncated_json_files_say_they_are_truncated() {
    for (file, format) in [
        ("aegis_plain.json", Format::Aegis),
        ("aegis_encrypted.json", Format::Aegis),
        ("2fas_authenticator_plain_v4.2fas", Format::TwoFas),
        ("2fas_authenticator_encrypted.2fas", Format::TwoFas),
        ("andotp_plain.json", Format::AndOtp),
        ("bitwarden.json", Format::Bitwarden),
        ("proton_authenticator.json", Format::Proton),
        ("freeotp_plus.json", Format::FreeOtpPlus),
        ("stratum_plain.json", Format::Stratum),
        ("steam.json", Format::Steam),
    ] {
        let bytes = fixture(file);
        let cut = &bytes[..bytes.len() * 2 / 3];
        let (detected, part, reason) = damaged(import(cut, "test"));
        assert_eq!(detected, format, "{file}");
        assert_eq!(part, "the file", "{file}");
        assert!(reason.contains("truncated"), "{file}: {reason}");
        let message = ImportError::Damaged {
            format,
            part,
            reason,
        }
        .to_string();
        assert!(
            message.starts_with(&format!("this {format} file is damaged: the file: ")),
            "{message}"
        );
    }
}

#[test]
fn truncated_xml_files_say_they_are_damaged() {
    for (file, format) in [
        ("authy_plain.xml", Format::Authy),
        ("freeotp.xml", Format::FreeOtp),
    ] {
        let bytes = fixture(file);
        let (detected, part, _) = damaged(import(&bytes[..bytes.len() / 2], "test"));
        assert_eq!((detected, part.as_str()), (format, "the file"), "{file}");
    }
}

#[test]
fn truncated_binary_backups_name_the_damaged_part() {
    let stratum = fixture("stratum_encrypted.bin");
    let (_, part, reason) = damaged(import(&stratum[..30], "test"));
    assert_eq!(part, "the header");
    assert!(reason.contains("truncated"), "{reason}");

    let legacy = fixture("stratum_encrypted_legacy.bin");
    let (_, part, reason) = damaged(import(&legacy[..legacy.len() - 5], "test"));
    assert_eq!(part, "the encrypted data");
    assert!(reason.contains("truncated"), "{reason}");

    let freeotp = fixture("freeotp_v2_api34.xml");
    for end in [10, 100, freeotp.len() / 2, freeotp.len() - 1] {
        let (format, part, reason) = damaged(import(&freeotp[..end], "test"));
        assert_eq!(
            (format, part.as_str()),
            (Format::FreeOtp, "the serialised map")
        );
        assert!(reason.contains("truncated"), "{end}: {reason}");
    }
}

#[test]
fn a_cut_aegis_db_is_damaged_not_a_wrong_password() {
    let mut vault = json_fixture("aegis_encrypted.json");
    let db = vault["db"].as_str().expect("db is text").to_owned();
    // Whole base64 quanta, so only the missing bytes can be the problem.
    vault["db"] = Value::String(db[..db.len() / 8 * 4].to_owned());
    let (_, part, reason) = damaged(import(vault.to_string().as_bytes(), "test"));
    assert_eq!(part, "db");
    assert!(reason.contains("truncated"), "{reason}");

    let mut vault = json_fixture("aegis_encrypted.json");
    vault["header"]["params"]
        .as_object_mut()
        .expect("params")
        .remove("nonce");
    let (_, part, _) = damaged(import(vault.to_string().as_bytes(), "test"));
    assert_eq!(part, "header.params");

    let mut vault = json_fixture("aegis_encrypted.json");
    vault["header"]["slots"][0]["salt"] = Value::String("not hex".into());
    let (_, part, _) = damaged(import(vault.to_string().as_bytes(), "test"));
    assert_eq!(part, "header.slots[0]");
}

#[test]
fn a_cut_2fas_payload_is_damaged_when_the_reference_proves_the_password() {
    let mut backup = json_fixture("2fas_authenticator_encrypted_v3.2fas");
    let sealed = backup["servicesEncrypted"]
        .as_str()
        .expect("text")
        .to_owned();
    let (data, rest) = sealed.split_once(':').expect("three parts");
    let cut = format!("{}:{rest}", &data[..data.len() / 8 * 4]);
    backup["servicesEncrypted"] = Value::String(cut);
    let (_, part, _) = damaged(import(backup.to_string().as_bytes(), "test"));
    assert_eq!(part, "servicesEncrypted");
}

#[test]
fn damaged_json_structure_names_the_part() {
    let mut aegis = json_fixture("aegis_plain.json");
    aegis["db"]["entries"] = Value::String("oops".into());
    let (_, part, _) = damaged(import(aegis.to_string().as_bytes(), ""));
    assert_eq!(part, "db.entries");

    let mut twofas = json_fixture("2fas_authenticator_plain_v4.2fas");
    twofas.as_object_mut().expect("object").remove("services");
    let (_, part, _) = damaged(import(twofas.to_string().as_bytes(), ""));
    assert_eq!(part, "services");
}

#[test]
fn newer_versions_are_refused_with_a_reason() {
    let mut aegis = json_fixture("aegis_plain.json");
    aegis["db"]["version"] = Value::from(99);
    let error = import(aegis.to_string().as_bytes(), "").expect_err("db version 99");
    assert!(
        matches!(
            error,
            ImportError::Unsupported {
                format: Format::Aegis,
                ..
            }
        ),
        "{error:?}"
    );

    let mut twofas = json_fixture("2fas_authenticator_plain_v4.2fas");
    twofas["schemaVersion"] = Value::from(5);
    let error = import(twofas.to_string().as_bytes(), "").expect_err("schema 5");
    assert!(error.to_string().contains("schema version 5"), "{error}");

    let mut bitwarden = json_fixture("bitwarden.json");
    bitwarden["encrypted"] = Value::Bool(true);
    let error = import(bitwarden.to_string().as_bytes(), "").expect_err("encrypted Bitwarden");
    assert_eq!(error.code(), "unsupported_file");
}

#[test]
fn content_that_is_no_backup_is_refused() {
    for bytes in [
        &b""[..],
        b"hello",
        b"{\"unrelated\": true}",
        b"<html><body>hi</body></html>",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
        b"https://example.com/\n",
    ] {
        assert_eq!(
            detect_and_read(bytes).map(|(format, _)| format),
            Err(ImportError::UnknownFormat),
            "{bytes:?}"
        );
    }
}

#[test]
fn images_and_documents_are_not_taken_for_andotp_backups() {
    // andOTP's encrypted backups have no signature: unknown binary data is
    // offered to it, but not a screenshot or a PDF dropped by mistake.
    for magic in [
        &b"\x89PNG\r\n\x1a\n"[..],
        b"\xFF\xD8\xFF\xE0",
        b"GIF89a",
        b"%PDF-1.7",
        b"PK\x03\x04",
    ] {
        let mut bytes = magic.to_vec();
        bytes.extend((0u8..200).map(|b| b.wrapping_mul(151) | 0x80));
        assert_eq!(
            detect_and_read(&bytes).map(|(format, _)| format),
            Err(ImportError::UnknownFormat),
            "{magic:?}"
        );
    }
    let opaque: Vec<u8> = (0u8..200).map(|b| b.wrapping_mul(151) | 0x80).collect();
    let (format, read) = detect_and_read(&opaque).expect("taken for andOTP");
    assert_eq!(format, Format::AndOtp);
    let Read::Encrypted(backup) = read else {
        panic!("encrypted")
    };
    assert_eq!(
        backup.decrypt("any").map(|_| ()),
        Err(ImportError::WrongPassword)
    );
}

#[test]
fn arbitrary_bytes_never_panic() {
    // Every prefix and a byte flipped at many places of every fixture.
    let files = std::fs::read_dir(DIR).expect("fixtures");
    for entry in files {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).expect("readable");
        let name = path.display().to_string();
        let encrypted_slow = name.contains("encrypted") || name.contains("freeotp_v2");
        let step = (bytes.len() / 24).max(1);
        for end in (0..bytes.len()).step_by(step) {
            if let Ok((_, Read::Plain(entries))) = detect_and_read(&bytes[..end]) {
                entries.convert();
            }
        }
        if encrypted_slow {
            continue;
        }
        for at in (0..bytes.len()).step_by(step) {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x5a;
            if let Ok((_, Read::Plain(entries))) = detect_and_read(&flipped) {
                entries.convert();
            }
        }
    }
}

// ----- One corrupt entry -----------------------------------------------------

/// `conversion` has `good` accounts and exactly one error, at `index`.
fn one_bad(conversion: &Conversion, good: usize, index: usize) -> &EntryError {
    assert_eq!(conversion.accounts.len(), good, "{:?}", conversion.errors);
    assert_eq!(conversion.errors.len(), 1, "{:?}", conversion.errors);
    let error = &conversion.errors[0];
    assert_eq!(error.index, index, "{error}");
    error
}

/// Neither the error's text nor its `Debug` holds `secret`.
fn no_secret(error: &EntryError, secret: &str) {
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(!shown.contains(secret), "{shown}");
    }
}

#[test]
fn one_bad_aegis_entry() {
    let mut vault = json_fixture("aegis_plain.json");
    vault["db"]["entries"][2]["info"]["secret"] =
        Value::String("7ELGJSGXNCCTV3O6LKJWYFV2R!".into());
    let conversion = import(vault.to_string().as_bytes(), "").expect("readable");
    let error = one_bad(&conversion, 6, 2);
    assert_eq!(error.name.as_deref(), Some("Airbnb (Elijah)"));
    assert!(
        error.reason.contains("invalid character at position 26"),
        "{error}"
    );
    assert_eq!(
        error.to_string(),
        "entry 3 (Airbnb (Elijah)): the secret key has an invalid character at position 26: only letters A-Z and digits 2-7 are allowed"
    );
    no_secret(error, "7ELGJSGXNCCTV3O6LKJWYFV2R");
}

/// A broken entry's name is shown as the accounts' names are: line breaks,
/// control characters and the marks that reverse the text after them
/// become spaces, so a crafted file cannot make the preview or a terminal
/// show something else than what it holds.
#[test]
fn a_broken_entrys_name_cannot_reorder_or_break_the_line_it_is_shown_in() {
    let mut vault = json_fixture("aegis_plain.json");
    let entry = &mut vault["db"]["entries"][2];
    entry["issuer"] = Value::String("Air\u{202E}bnb\u{2066}".into());
    entry["name"] = Value::String("Eli\njah\u{1b}[2J".into());
    entry["info"]["secret"] = Value::String("7ELGJSGXNCCTV3O6LKJWYFV2R!".into());
    let conversion = import(vault.to_string().as_bytes(), "").expect("readable");
    let error = one_bad(&conversion, 6, 2);
    assert_eq!(error.name.as_deref(), Some("Air bnb (Eli jah [2J)"));
}

#[test]
fn one_unsupported_aegis_entry_type() {
    let mut vault = json_fixture("aegis_plain.json");
    vault["db"]["entries"][0]["type"] = Value::String("motp".into());
    let conversion = import(vault.to_string().as_bytes(), "").expect("readable");
    let error = one_bad(&conversion, 6, 0);
    assert_eq!(error.reason, "\"motp\" entries are not supported");
}

#[test]
fn one_bad_2fas_entry() {
    let mut backup = json_fixture("2fas_authenticator_plain_v4.2fas");
    backup["services"][1]["otp"]["digits"] = Value::from(99);
    let conversion = import(backup.to_string().as_bytes(), "").expect("readable");
    let error = one_bad(&conversion, 4, 1);
    assert_eq!(error.name.as_deref(), Some("Issuu (James)"));
    assert_eq!(error.reason, "digits must be a number from 4 to 10, not 99");
}

#[test]
fn one_bad_andotp_entry() {
    let mut entries = json_fixture("andotp_plain.json");
    entries[4]["type"] = Value::String("MOTP".into());
    let conversion = import(entries.to_string().as_bytes(), "").expect("readable");
    let error = one_bad(&conversion, 6, 4);
    assert_eq!(error.name.as_deref(), Some("Air Canada (Benjamin)"));
    assert!(error.reason.contains("MOTP"), "{error}");
}

#[test]
fn one_bad_stratum_entry() {
    let mut backup = json_fixture("stratum_plain.json");
    backup["Authenticators"][6]["Secret"] = Value::Null;
    let conversion = import(backup.to_string().as_bytes(), "").expect("readable");
    let error = one_bad(&conversion, 6, 6);
    assert_eq!(error.reason, "field \"Secret\" is not text");
}

#[test]
fn one_bad_uri_line() {
    let text = String::from_utf8(fixture("plain.txt")).expect("UTF-8");
    let broken = text.replacen("digits=7&period=20", "digits=7&period=0", 1);
    let conversion = import(broken.as_bytes(), "").expect("readable");
    let error = one_bad(&conversion, 6, 1);
    assert_eq!(error.name.as_deref(), Some("SPDX:James"));
    assert_eq!(
        error.reason,
        "period must be a whole number of seconds from 1 to 86400, not \"0\""
    );

    let with_junk = text.replacen('\n', "\nnot a uri at all\n", 1);
    let conversion = import(with_junk.as_bytes(), "").expect("readable");
    let error = one_bad(&conversion, 7, 1);
    assert_eq!(error.reason, "line 2 is not an otpauth:// URI");
}

/// A URI whose `?` was typed as `&`, or that was encoded twice, has no
/// query: what reads as its label holds the key, so the entry that cannot
/// be read is named by its place alone.
#[test]
fn a_uri_with_its_key_in_the_label_is_not_named_by_it() {
    let text = String::from_utf8(fixture("plain.txt")).expect("UTF-8");
    for (typo, index, secret) in [
        (
            text.replacen("Deno:Mason?secret=", "Deno:Mason&secret=", 1),
            0,
            "4SJHB4GSD43FZBAI7C2HLRJGPQ",
        ),
        (
            text.replacen(
                "Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ",
                "Deno:Mason%3Fsecret%3D4SJHB4GSD43FZBAI7C2HLRJGPQ",
                1,
            ),
            0,
            "4SJHB4GSD43FZBAI7C2HLRJGPQ",
        ),
        (
            text.replacen("SPDX:James?secret=", "SPDX:James&SECRET=", 1),
            1,
            "5OM4WOOGPLQEF6UGN3CPEOOLWU",
        ),
    ] {
        let conversion = import(typo.as_bytes(), "").expect("readable");
        let error = one_bad(&conversion, 6, index);
        assert_eq!(error.name, None, "{error}");
        no_secret(error, secret);
    }
    // A label that only looks odd is still given.
    let odd = text.replacen("period=20", "period=0", 1).replacen(
        "SPDX:James",
        "SPDX:James%20%26%20Co",
        1,
    );
    let conversion = import(odd.as_bytes(), "").expect("readable");
    let error = one_bad(&conversion, 6, 1);
    assert_eq!(error.name.as_deref(), Some("SPDX:James & Co"));
}

#[test]
fn one_bad_bitwarden_csv_row() {
    let text = String::from_utf8(fixture("bitwarden.csv")).expect("UTF-8");
    let broken = text.replacen(
        "steam://JRZCL47CMXVOQMNPZR2F7J4RGI",
        "steam://JRZCL47CMXVOQ1NPZR2F7J4RGI",
        1,
    );
    let conversion = import(broken.as_bytes(), "").expect("readable");
    let error = one_bad(&conversion, 3, 3);
    assert_eq!(error.name.as_deref(), Some("Test 4"));
    no_secret(error, "JRZCL47CMXVOQ1NPZR2F7J4RGI");
}

#[test]
fn one_bad_freeotp_plus_token() {
    let mut backup = json_fixture("freeotp_plus.json");
    backup["tokens"][3]["secret"] = Value::String("oops".into());
    let conversion = import(backup.to_string().as_bytes(), "").expect("readable");
    let error = one_bad(&conversion, 5, 3);
    assert_eq!(error.reason, "field \"secret\" is not a list of bytes");
}

#[test]
fn one_bad_authy_token() {
    let text = String::from_utf8(fixture("authy_plain.xml")).expect("UTF-8");
    let broken = text.replacen("5OM4WOOGPLQEF6UGN3CPEOOLWU", "5OM4WOOGPLQEF6UGN3CPEOOLW", 1);
    let conversion = import(broken.as_bytes(), "").expect("readable");
    let error = one_bad(&conversion, 2, 1);
    assert_eq!(error.name.as_deref(), Some("SPDX (James)"));
    assert!(
        error.reason.contains("not a valid base32 length"),
        "{error}"
    );
}

#[test]
fn one_bad_encrypted_authy_token() {
    // One character of the second token's encrypted secret changed: the
    // password still opens the others.
    let text = String::from_utf8(fixture("authy_encrypted.xml")).expect("UTF-8");
    let broken = text.replacen("0fdhb8g0FBqj", "0fdhb8g0FBqk", 1);
    let conversion = import(broken.as_bytes(), "testtest").expect("decrypts");
    let error = one_bad(&conversion, 2, 1);
    assert_eq!(error.name.as_deref(), Some("SPDX (James)"));
    assert!(error.reason.contains("damaged"), "{error}");
}

#[test]
fn one_bad_encrypted_freeotp_token() {
    // A byte of one token's ciphertext, changed inside the serialised JSON
    // without changing its length: that token fails its GCM tag.
    let mut bytes = fixture("freeotp_v2_api34.xml");
    let needle = b"[78,21,10,";
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("the SPDX token's ciphertext");
    bytes[at + 2] = b'9';
    let conversion = import(&bytes, "test").expect("decrypts");
    assert_eq!(conversion.accounts.len(), 5);
    assert_eq!(conversion.errors.len(), 1, "{:?}", conversion.errors);
    let error = &conversion.errors[0];
    assert_eq!(error.name.as_deref(), Some("SPDX (James)"));
    assert!(error.reason.contains("does not decrypt"), "{error}");
}
