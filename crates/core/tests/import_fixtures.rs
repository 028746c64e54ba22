//! Every real export in `../shared/fixtures/importers` (Aegis' importer test
//! resources, see its README) imports to the canonical vectors of `plain.txt`,
//! after the README's fix-ups for what each source app cannot store, and no
//! account of a file is missing.

use std::collections::BTreeSet;
use watchword_core::import::{detect_and_read, Format, Read};
use watchword_core::{Account, Algorithm, OtpKind};

/// The fixtures live beside the repository, in the shared folder.
const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/fixtures/importers/"
);

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{DIR}{name}");
    std::fs::read(&path).unwrap_or_else(|error| panic!("cannot read {path}: {error}"))
}

/// The 7 canonical accounts, read straight from `plain.txt` with the URI
/// parser (not through the importers under test).
fn vectors() -> Vec<Account> {
    let text = String::from_utf8(fixture("plain.txt")).expect("plain.txt is UTF-8");
    let vectors: Vec<Account> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| watchword_core::uri::parse(line).expect("plain.txt holds valid URIs"))
        .collect();
    assert_eq!(vectors.len(), 7);
    vectors
}

/// What a source app cannot store (the README's table), applied to a vector
/// before comparing.
#[derive(Clone, Copy, Debug)]
enum Fix {
    /// Nothing is lost.
    None,
    /// 2FAS schema 1: everything becomes TOTP SHA1/6/30.
    TwoFasSchema1,
    /// 2FAS schema 2: HOTP becomes TOTP (30 s), algorithm and digits kept.
    TwoFasSchema2,
    /// andOTP's old format: the name comes out as "Issuer:Name".
    IssuerInName,
    /// FreeOTP(+): the HOTP counter is one less.
    CounterMinusOne,
    /// Authy: SHA1, and the period is not stored (ignored).
    Authy,
    /// Bitwarden: a `steam://KEY` entry stores neither issuer nor account
    /// name, so it becomes issuer "Steam" with the item's name; kind, digits,
    /// algorithm and key must still match the vector.
    BitwardenSteam,
    /// Steam Guard files: the issuer is "Steam".
    SteamIssuer,
}

impl Fix {
    fn apply(self, mut expected: Account, actual: &Account) -> Account {
        match self {
            Fix::None => {}
            Fix::TwoFasSchema1 => {
                expected.algorithm = Algorithm::Sha1;
                expected.digits = 6;
                expected.kind = OtpKind::Totp { period: 30 };
            }
            Fix::TwoFasSchema2 => {
                if let OtpKind::Hotp { .. } = expected.kind {
                    expected.kind = OtpKind::Totp { period: 30 };
                }
            }
            Fix::IssuerInName => expected.name = format!("{}:{}", expected.issuer, expected.name),
            Fix::CounterMinusOne => {
                if let OtpKind::Hotp { counter } = expected.kind {
                    expected.kind = OtpKind::Hotp {
                        counter: counter - 1,
                    };
                }
            }
            Fix::Authy => {
                expected.algorithm = Algorithm::Sha1;
                if let (OtpKind::Totp { .. }, OtpKind::Totp { period }) =
                    (expected.kind, actual.kind)
                {
                    expected.kind = OtpKind::Totp { period };
                }
            }
            Fix::BitwardenSteam => {
                if expected.kind == OtpKind::Steam {
                    // The name is the Bitwarden item's, which the vector cannot
                    // know; everything else is checked against the vector.
                    assert!(!actual.name.is_empty(), "a Steam entry keeps a name");
                    expected.issuer = "Steam".to_owned();
                    expected.name = actual.name.clone();
                }
            }
            Fix::SteamIssuer => expected.issuer = "Steam".to_owned(),
        }
        expected
    }
}

/// Imports `file` (with `password` when encrypted) and checks it against the
/// vectors whose issuers are `holds`.
fn check(file: &str, password: Option<&str>, format: Format, holds: &[&str], fix: Fix) {
    let (detected, read) =
        detect_and_read(&fixture(file)).unwrap_or_else(|error| panic!("{file}: {error}"));
    assert_eq!(detected, format, "{file}: detected format");
    let entries = match (read, password) {
        (Read::Plain(entries), None) => entries,
        (Read::Encrypted(backup), Some(password)) => {
            assert_eq!(backup.format(), format);
            backup
                .decrypt(password)
                .unwrap_or_else(|error| panic!("{file}: {error}"))
        }
        (Read::Plain(_), Some(_)) => panic!("{file}: expected an encrypted backup"),
        (Read::Encrypted(_), None) => panic!("{file}: expected a plain file"),
    };
    let conversion = entries.convert();
    assert!(
        conversion.errors.is_empty(),
        "{file}: entry errors {:?}",
        conversion.errors
    );

    // The fixtures hold no note, group, tag, folder or category, and nothing
    // Watchword drops (custom icons, favourites, usage counts): the
    // accounts must come with none and the preview must say nothing.
    // (`Account` equality below covers notes and groups too; this says it.)
    for account in &conversion.accounts {
        assert!(account.note.is_none(), "{file}: a note from nowhere");
        assert!(account.groups.is_empty(), "{file}: groups from nowhere");
    }
    assert!(
        conversion.not_kept.is_empty(),
        "{file}: {:?}",
        conversion.not_kept
    );

    let vectors = vectors();
    for account in &conversion.accounts {
        let vector = vectors
            .iter()
            .find(|v| v.secret == account.secret)
            .unwrap_or_else(|| panic!("{file}: {} matches no vector", account.display_name()));
        let expected = fix.apply(vector.clone(), account);
        assert_eq!(account, &expected, "{file}: {}", vector.display_name());
    }

    // None missing, none extra, none twice.
    let imported: Vec<String> = conversion
        .accounts
        .iter()
        .map(|a| a.secret.to_base32())
        .collect();
    let imported_set: BTreeSet<&String> = imported.iter().collect();
    assert_eq!(
        imported_set.len(),
        imported.len(),
        "{file}: an account came twice"
    );
    let expected: BTreeSet<String> = holds
        .iter()
        .map(|issuer| {
            vectors
                .iter()
                .find(|v| v.issuer == *issuer)
                .unwrap_or_else(|| panic!("no vector for {issuer}"))
                .secret
                .to_base32()
        })
        .collect();
    assert_eq!(
        imported_set,
        expected.iter().collect::<BTreeSet<_>>(),
        "{file}: the set of accounts"
    );
}

const ALL: &[&str] = &[
    "Deno",
    "SPDX",
    "Airbnb",
    "Issuu",
    "Air Canada",
    "WWE",
    "Boeing",
];
const NO_STEAM: &[&str] = &["Deno", "SPDX", "Airbnb", "Issuu", "Air Canada", "WWE"];
const TOTP_ONLY: &[&str] = &["Deno", "SPDX", "Airbnb"];

/// Every fixture with what it holds; `every_fixture_is_covered` keeps this
/// list complete.
/// (file, password, format, issuers of the vectors it holds, fix-up).
type Case = (
    &'static str,
    Option<&'static str>,
    Format,
    &'static [&'static str],
    Fix,
);

const CASES: &[Case] = &[
    ("plain.txt", None, Format::OtpauthUris, ALL, Fix::None),
    ("ente_auth.txt", None, Format::OtpauthUris, ALL, Fix::None),
    ("aegis_plain.json", None, Format::Aegis, ALL, Fix::None),
    (
        "aegis_encrypted.json",
        Some("test"),
        Format::Aegis,
        ALL,
        Fix::None,
    ),
    (
        "2fas_authenticator.json",
        None,
        Format::TwoFas,
        NO_STEAM,
        Fix::TwoFasSchema1,
    ),
    (
        "2fas_authenticator_plain.2fas",
        None,
        Format::TwoFas,
        &["Deno", "Airbnb", "Issuu", "WWE"],
        Fix::TwoFasSchema2,
    ),
    (
        "2fas_authenticator_encrypted.2fas",
        Some("test"),
        Format::TwoFas,
        &["Deno", "Airbnb", "Issuu", "WWE"],
        Fix::TwoFasSchema2,
    ),
    (
        "2fas_authenticator_plain_v3.2fas",
        None,
        Format::TwoFas,
        NO_STEAM,
        Fix::None,
    ),
    (
        "2fas_authenticator_encrypted_v3.2fas",
        Some("test"),
        Format::TwoFas,
        NO_STEAM,
        Fix::None,
    ),
    (
        "2fas_authenticator_plain_v4.2fas",
        None,
        Format::TwoFas,
        &["Deno", "Issuu", "Air Canada", "WWE", "Boeing"],
        Fix::None,
    ),
    (
        "2fas_authenticator_encrypted_v4.2fas",
        Some("test"),
        Format::TwoFas,
        &["Deno", "Issuu", "Air Canada", "WWE", "Boeing"],
        Fix::None,
    ),
    ("andotp_plain.json", None, Format::AndOtp, ALL, Fix::None),
    (
        "andotp_encrypted.bin",
        Some("test"),
        Format::AndOtp,
        ALL,
        Fix::None,
    ),
    (
        "andotp_encrypted_old.bin",
        Some("test"),
        Format::AndOtp,
        NO_STEAM,
        Fix::IssuerInName,
    ),
    (
        "bitwarden.json",
        None,
        Format::Bitwarden,
        &["Deno", "SPDX", "Airbnb", "Boeing"],
        Fix::BitwardenSteam,
    ),
    (
        "bitwarden.csv",
        None,
        Format::Bitwarden,
        &["Deno", "SPDX", "Airbnb", "Boeing"],
        Fix::BitwardenSteam,
    ),
    (
        "proton_authenticator.json",
        None,
        Format::Proton,
        TOTP_ONLY,
        Fix::None,
    ),
    (
        "freeotp_plus.json",
        None,
        Format::FreeOtpPlus,
        NO_STEAM,
        Fix::CounterMinusOne,
    ),
    (
        "freeotp.xml",
        None,
        Format::FreeOtp,
        &["WWE", "Airbnb", "Deno", "Issuu"],
        Fix::CounterMinusOne,
    ),
    (
        "freeotp_v2_api34.xml",
        Some("test"),
        Format::FreeOtp,
        NO_STEAM,
        Fix::None,
    ),
    ("stratum_plain.json", None, Format::Stratum, ALL, Fix::None),
    (
        "stratum_encrypted.bin",
        Some("test"),
        Format::Stratum,
        ALL,
        Fix::None,
    ),
    (
        "stratum_encrypted_legacy.bin",
        Some("test"),
        Format::Stratum,
        ALL,
        Fix::None,
    ),
    (
        "authy_plain.xml",
        None,
        Format::Authy,
        TOTP_ONLY,
        Fix::Authy,
    ),
    (
        "authy_encrypted.xml",
        Some("testtest"),
        Format::Authy,
        TOTP_ONLY,
        Fix::Authy,
    ),
    (
        "steam.json",
        None,
        Format::Steam,
        &["Boeing"],
        Fix::SteamIssuer,
    ),
    (
        "steam_old.json",
        None,
        Format::Steam,
        &["Boeing"],
        Fix::SteamIssuer,
    ),
];

fn case(file: &str) {
    let (_, password, format, holds, fix) = CASES
        .iter()
        .find(|case| case.0 == file)
        .unwrap_or_else(|| panic!("no case for {file}"));
    check(file, *password, *format, holds, *fix);
}

/// One test per fixture, so a failure names its file and they run in parallel.
macro_rules! fixture_tests {
    ($($test:ident => $file:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                case($file);
            }
        )*
    };
}

fixture_tests! {
    plain_txt => "plain.txt",
    ente_auth => "ente_auth.txt",
    aegis_plain => "aegis_plain.json",
    aegis_encrypted => "aegis_encrypted.json",
    twofas_schema_1 => "2fas_authenticator.json",
    twofas_schema_2_plain => "2fas_authenticator_plain.2fas",
    twofas_schema_2_encrypted => "2fas_authenticator_encrypted.2fas",
    twofas_schema_3_plain => "2fas_authenticator_plain_v3.2fas",
    twofas_schema_3_encrypted => "2fas_authenticator_encrypted_v3.2fas",
    twofas_schema_4_plain => "2fas_authenticator_plain_v4.2fas",
    twofas_schema_4_encrypted => "2fas_authenticator_encrypted_v4.2fas",
    andotp_plain => "andotp_plain.json",
    andotp_encrypted => "andotp_encrypted.bin",
    andotp_encrypted_old => "andotp_encrypted_old.bin",
    bitwarden_json => "bitwarden.json",
    bitwarden_csv => "bitwarden.csv",
    proton => "proton_authenticator.json",
    freeotp_plus => "freeotp_plus.json",
    freeotp_v1 => "freeotp.xml",
    freeotp_v2 => "freeotp_v2_api34.xml",
    stratum_plain => "stratum_plain.json",
    stratum_encrypted => "stratum_encrypted.bin",
    stratum_encrypted_legacy => "stratum_encrypted_legacy.bin",
    authy_plain => "authy_plain.xml",
    authy_encrypted => "authy_encrypted.xml",
    steam => "steam.json",
    steam_old => "steam_old.json",
}

#[test]
fn every_fixture_is_covered() {
    let mut files: Vec<String> = std::fs::read_dir(DIR)
        .unwrap_or_else(|error| panic!("cannot list {DIR}: {error}"))
        .map(|entry| {
            entry
                .expect("a readable directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name != "README.md")
        .collect();
    files.sort();
    let mut covered: Vec<String> = CASES.iter().map(|case| case.0.to_owned()).collect();
    covered.sort();
    assert_eq!(
        files, covered,
        "every fixture has a case, and every case a fixture"
    );
}

#[test]
fn already_stored_accounts_are_skipped_and_counted() {
    let (_, read) = detect_and_read(&fixture("aegis_plain.json")).expect("readable");
    let Read::Plain(entries) = read else {
        panic!("aegis_plain.json is not encrypted")
    };
    let accounts = entries.convert().accounts;
    let existing = &vectors()[..3];
    let (new, skipped) = watchword_core::import::partition_new(accounts, existing);
    assert_eq!(skipped, 3);
    assert_eq!(new, vectors()[3..].to_vec());
}
