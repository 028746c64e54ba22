//! Notes and groups survive the way in and out (issue 10, part 6).
//!
//! The real fixtures in `../shared/fixtures/importers` hold no note, group,
//! tag, folder or category (their apps were used with defaults);
//! `import_fixtures.rs` checks each imports with none. Here each real file
//! is given what its format can hold, the way its app writes it (Aegis db
//! version 3 groups by UUID and version 2's group name, 2FAS `groups` with
//! `groupId`, Stratum categories with their authenticator mapping,
//! Bitwarden folders and notes in JSON and CSV, Ente tags and notes in
//! `codeDisplay`, Proton notes, andOTP tags), and the importer must return
//! exactly those. Then Aegis → Watchword → Aegis → Watchword keeps them.

use serde_json::{json, Value};
use watchword_core::import::{detect_and_read, Conversion, Format, Read};

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/fixtures/importers/"
);

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{DIR}{name}");
    std::fs::read(&path).unwrap_or_else(|error| panic!("cannot read {path}: {error}"))
}

fn fixture_json(name: &str) -> Value {
    serde_json::from_slice(&fixture(name)).expect("a JSON fixture")
}

fn convert(bytes: &[u8], format: Format, password: Option<&str>) -> Conversion {
    let (detected, read) = detect_and_read(bytes).expect("readable");
    assert_eq!(detected, format);
    let entries = match (read, password) {
        (Read::Plain(entries), None) => entries,
        (Read::Encrypted(backup), Some(password)) => backup.decrypt(password).expect("opens"),
        _ => panic!("plain/encrypted as expected"),
    };
    let conversion = entries.convert();
    assert!(conversion.errors.is_empty(), "{:?}", conversion.errors);
    conversion
}

/// (issuer, note, groups) of every account, in file order.
fn extras(conversion: &Conversion) -> Vec<(String, Option<String>, Vec<String>)> {
    conversion
        .accounts
        .iter()
        .map(|a| {
            (
                a.issuer.clone(),
                a.note.as_ref().map(|n| n.expose().to_owned()),
                a.groups.iter().map(|g| g.as_str().to_owned()).collect(),
            )
        })
        .collect()
}

fn row(issuer: &str, note: Option<&str>, groups: &[&str]) -> (String, Option<String>, Vec<String>) {
    (
        issuer.to_owned(),
        note.map(str::to_owned),
        groups.iter().map(|g| (*g).to_owned()).collect(),
    )
}

const WORK: &str = "4f7d1c8e-0000-4000-8000-000000000001";
const BANKS: &str = "4f7d1c8e-0000-4000-8000-000000000002";

/// aegis_plain.json as Aegis 3 writes it with two groups, notes, an icon
/// and a favourite.
fn aegis_v3_with_extras() -> Value {
    let mut vault = fixture_json("aegis_plain.json");
    let db = &mut vault["db"];
    db["version"] = json!(3);
    db["groups"] = json!([{"uuid": WORK, "name": "Work"}, {"uuid": BANKS, "name": "Banks"}]);
    let entries = db["entries"].as_array_mut().expect("entries");
    entries[0]["note"] = json!("recovery: 1111-2222\nsecond line");
    entries[0]["groups"] = json!([WORK, BANKS]);
    entries[1]["groups"] = json!([BANKS, "a-uuid-no-group-has"]);
    entries[2]["note"] = json!("");
    entries[2]["icon"] = json!("iVBORw0KGgo=");
    entries[3]["favorite"] = json!(true);
    vault
}

#[test]
fn aegis_v3_groups_by_uuid_and_notes() {
    let bytes = serde_json::to_vec(&aegis_v3_with_extras()).expect("serialises");
    let conversion = convert(&bytes, Format::Aegis, None);
    let got = extras(&conversion);
    assert_eq!(
        got[0],
        row(
            "Deno",
            Some("recovery: 1111-2222\nsecond line"),
            &["Work", "Banks"]
        )
    );
    assert_eq!(got[1], row("SPDX", None, &["Banks"]));
    assert_eq!(got[2], row("Airbnb", None, &[]));
    assert!(got[3..].iter().all(|r| r.1.is_none() && r.2.is_empty()));
    assert_eq!(conversion.not_kept, ["custom icons", "favourites"]);
}

#[test]
fn aegis_v2_group_names() {
    let mut vault = fixture_json("aegis_plain.json");
    vault["db"]["version"] = json!(2);
    vault["db"]["entries"][4]["group"] = json!("Travel");
    vault["db"]["entries"][4]["note"] = json!("seat 12A");
    let conversion = convert(
        &serde_json::to_vec(&vault).expect("json"),
        Format::Aegis,
        None,
    );
    assert_eq!(
        extras(&conversion)[4],
        row("Air Canada", Some("seat 12A"), &["Travel"])
    );
    assert!(conversion.not_kept.is_empty());
}

#[test]
fn twofas_groups() {
    let mut backup = fixture_json("2fas_authenticator_plain_v4.2fas");
    backup["groups"] = json!([
        {"id": "g-1", "name": "Personal", "isExpanded": true, "updatedAt": 1702934567518u64},
        {"id": "g-2", "name": "Work", "isExpanded": false, "updatedAt": 1702934567518u64},
    ]);
    backup["services"][0]["groupId"] = json!("g-2");
    backup["services"][1]["groupId"] = json!("g-1");
    backup["services"][2]["groupId"] = json!("g-gone");
    backup["services"][3]["badge"] = json!({"color": "Orange"});
    let conversion = convert(
        &serde_json::to_vec(&backup).expect("json"),
        Format::TwoFas,
        None,
    );
    let got = extras(&conversion);
    assert_eq!(got[0], row("Deno", None, &["Work"]));
    assert_eq!(got[1], row("Issuu", None, &["Personal"]));
    assert_eq!(got[2], row("Air Canada", None, &[]));
    assert_eq!(conversion.not_kept, ["badge colours"]);
}

/// A 2FAS `servicesEncrypted` value (`base64(ciphertext‖tag):base64(salt):
/// base64(iv)`, AES-256-GCM under PBKDF2-HMAC-SHA256 of `password` with
/// 10 000 rounds) opened, its services list changed by `change`, and sealed
/// again under the same salt and iv, as the fixture's `reference` is: the
/// password still opens both. Written here from the format's notes in the
/// fixtures' README, not with the importer's code.
fn reseal_twofas_services(sealed: &str, password: &str, change: impl FnOnce(&mut Value)) -> String {
    use aes_gcm::aead::{Aead, KeyInit};
    use aes_gcm::{Aes256Gcm, Nonce};
    use data_encoding::BASE64;
    let parts: Vec<&str> = sealed.split(':').collect();
    let [data, salt, iv] = parts.as_slice() else {
        panic!("three parts in {sealed:?}");
    };
    let decode = |text: &str| BASE64.decode(text.as_bytes()).expect("base64");
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password.as_bytes(), &decode(salt), 10_000, &mut key);
    let cipher = Aes256Gcm::new_from_slice(&key).expect("a 32-byte key");
    let nonce = Nonce::try_from(decode(iv).as_slice()).expect("a 12-byte iv");
    let plain = cipher
        .decrypt(&nonce, decode(data).as_slice())
        .expect("the fixture opens with its password");
    let mut services: Value = serde_json::from_slice(&plain).expect("the services are JSON");
    change(&mut services);
    let plain = serde_json::to_vec(&services).expect("json");
    let data = cipher.encrypt(&nonce, plain.as_slice()).expect("sealed");
    format!("{}:{salt}:{iv}", BASE64.encode(&data))
}

#[test]
fn twofas_encrypted_backups_keep_their_clear_groups() {
    // The groups list of an encrypted backup is in the clear; services
    // are encrypted and name no group in this fixture: none is invented.
    let mut backup = fixture_json("2fas_authenticator_encrypted_v4.2fas");
    backup["groups"] = json!([
        {"id": "g-1", "name": "Personal"},
        {"id": "g-2", "name": "Work"},
    ]);
    let conversion = convert(
        &serde_json::to_vec(&backup).expect("json"),
        Format::TwoFas,
        Some("test"),
    );
    // Every account the fixture holds (five of the canonical seven, as
    // import_fixtures.rs pins), each with no group.
    assert_eq!(
        extras(&conversion),
        ["Deno", "Issuu", "Air Canada", "WWE", "Boeing"].map(|issuer| row(issuer, None, &[]))
    );

    // Services that name a group inside the encrypted part get that
    // group's name from the clear list; an unknown id gives none.
    let sealed = backup["servicesEncrypted"]
        .as_str()
        .expect("the fixture is encrypted")
        .to_owned();
    backup["servicesEncrypted"] = json!(reseal_twofas_services(&sealed, "test", |services| {
        services[0]["groupId"] = json!("g-2");
        services[1]["groupId"] = json!("g-1");
        services[2]["groupId"] = json!("g-gone");
    }));
    let conversion = convert(
        &serde_json::to_vec(&backup).expect("json"),
        Format::TwoFas,
        Some("test"),
    );
    assert_eq!(
        extras(&conversion),
        [
            row("Deno", None, &["Work"]),
            row("Issuu", None, &["Personal"]),
            row("Air Canada", None, &[]),
            row("WWE", None, &[]),
            row("Boeing", None, &[]),
        ]
    );
}

#[test]
fn stratum_categories() {
    let mut backup = fixture_json("stratum_plain.json");
    let secret = |i: usize| backup["Authenticators"][i]["Secret"].clone();
    let (first, second) = (secret(0), secret(1));
    backup["Categories"] = json!([
        {"Id": "c1", "Name": "Work", "Ranking": 0},
        {"Id": "c2", "Name": "Games", "Ranking": 1},
    ]);
    backup["AuthenticatorCategories"] = json!([
        {"CategoryId": "c1", "AuthenticatorSecret": first, "Ranking": 0},
        {"CategoryId": "c2", "AuthenticatorSecret": first, "Ranking": 0},
        {"CategoryId": "c2", "AuthenticatorSecret": second, "Ranking": 1},
    ]);
    backup["CustomIcons"] = json!([{"Id": "i1", "Data": "AAAA"}]);
    let conversion = convert(
        &serde_json::to_vec(&backup).expect("json"),
        Format::Stratum,
        None,
    );
    let got = extras(&conversion);
    assert_eq!(got[0].2, ["Work", "Games"]);
    assert_eq!(got[1].2, ["Games"]);
    assert!(got[2..].iter().all(|r| r.1.is_none() && r.2.is_empty()));
    assert_eq!(conversion.not_kept, ["custom icons"]);
}

#[test]
fn bitwarden_json_folders_and_notes() {
    let mut export = fixture_json("bitwarden.json");
    export["folders"] = json!([{"id": "f-1", "name": "2FA"}]);
    export["items"][0]["folderId"] = json!("f-1");
    export["items"][0]["notes"] = json!("backup codes: 1 2 3");
    export["items"][1]["favorite"] = json!(true);
    let conversion = convert(
        &serde_json::to_vec(&export).expect("json"),
        Format::Bitwarden,
        None,
    );
    let got = extras(&conversion);
    assert_eq!(got[0], row("Deno", Some("backup codes: 1 2 3"), &["2FA"]));
    assert_eq!(got[1], row("SPDX", None, &[]));
    assert_eq!(conversion.not_kept, ["favourites"]);
}

#[test]
fn bitwarden_csv_folders_and_notes() {
    let text = String::from_utf8(fixture("bitwarden.csv")).expect("UTF-8");
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    // folder,favorite,type,name,notes,… : fill the first row's folder and notes.
    lines[1] = lines[1].replacen(
        ",,login,Test 1,,",
        "2FA,,login,Test 1,\"codes, \"\"old\"\"\",",
        1,
    );
    let conversion = convert(lines.join("\n").as_bytes(), Format::Bitwarden, None);
    assert_eq!(
        extras(&conversion)[0],
        row("Deno", Some("codes, \"old\""), &["2FA"])
    );
    assert!(extras(&conversion)[1..]
        .iter()
        .all(|r| r.1.is_none() && r.2.is_empty()));
}

#[test]
fn ente_tags_and_notes() {
    let text = String::from_utf8(fixture("ente_auth.txt")).expect("UTF-8");
    let empty = "%22tags%22%3A%5B%5D%7D";
    assert!(text.contains(empty), "the fixture's codeDisplay");
    // The first line gets two tags and a note, as Ente writes them.
    let tagged = "%22tags%22%3A%5B%22Travel%22%2C%22Air+lines%22%5D%2C%22note%22%3A%22PNR+X1%22%7D";
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[0] = lines[0].replace(empty, tagged);
    lines[1] = lines[1].replace("%22pinned%22%3Afalse", "%22pinned%22%3Atrue");
    let conversion = convert(lines.join("\n").as_bytes(), Format::OtpauthUris, None);
    let got = extras(&conversion);
    assert_eq!(
        got[0],
        row("Air Canada", Some("PNR X1"), &["Travel", "Air lines"])
    );
    assert!(got[1..].iter().all(|r| r.1.is_none() && r.2.is_empty()));
    assert_eq!(conversion.not_kept, ["pins"]);
}

#[test]
fn proton_notes() {
    let mut export = fixture_json("proton_authenticator.json");
    export["entries"][1]["note"] = json!("from the old phone");
    let conversion = convert(
        &serde_json::to_vec(&export).expect("json"),
        Format::Proton,
        None,
    );
    let notes: Vec<Option<String>> = extras(&conversion).into_iter().map(|r| r.1).collect();
    assert_eq!(notes, [None, Some("from the old phone".to_owned()), None]);
}

#[test]
fn andotp_tags() {
    let mut export = fixture_json("andotp_plain.json");
    export[0]["tags"] = json!(["Work", "Work", "Mail"]);
    export[1]["used_frequency"] = json!(12);
    let conversion = convert(
        &serde_json::to_vec(&export).expect("json"),
        Format::AndOtp,
        None,
    );
    assert_eq!(extras(&conversion)[0].2, ["Work", "Mail"]);
    assert_eq!(conversion.not_kept, ["usage counts"]);
}

#[test]
fn a_note_too_long_for_the_keychain_is_cut_and_said() {
    let mut vault = fixture_json("aegis_plain.json");
    let long = format!("{}END", "r".repeat(2000));
    vault["db"]["entries"][0]["note"] = json!(long);
    let conversion = convert(
        &serde_json::to_vec(&vault).expect("json"),
        Format::Aegis,
        None,
    );
    let note = conversion.accounts[0].note.as_ref().expect("kept");
    assert_eq!(note.expose(), "r".repeat(1024));
    assert_eq!(
        conversion.not_kept,
        ["the end of 1 note longer than 1024 bytes"]
    );
}

/// Aegis → Watchword → Aegis → Watchword: the accounts, notes and groups
/// come back the same. (That a group keeps its UUID from one export to
/// the next is a unit test of the exporter.)
#[test]
fn aegis_round_trip_keeps_notes_and_groups() {
    let with_extras = convert(
        &serde_json::to_vec(&aegis_v3_with_extras()).expect("json"),
        Format::Aegis,
        None,
    );
    assert_eq!(
        with_extras.accounts[0].groups.len(),
        2,
        "the test has groups to lose"
    );
    assert!(with_extras.accounts[0].note.is_some(), "and a note");
    let plain = convert(&fixture("aegis_plain.json"), Format::Aegis, None);
    let encrypted = convert(
        &fixture("aegis_encrypted.json"),
        Format::Aegis,
        Some("test"),
    );
    for first in [plain, encrypted, with_extras] {
        let exported =
            watchword_core::export::aegis_encrypted(&first.accounts, "pw").expect("exports");
        let again = convert(exported.as_bytes(), Format::Aegis, Some("pw"));
        assert_eq!(again.accounts, first.accounts);
        assert!(again.not_kept.is_empty(), "{:?}", again.not_kept);
    }
}
