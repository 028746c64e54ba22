//! Writing exports: round trips, what the format cannot carry, batches of
//! ten, and no secret in errors or debug output.

use super::*;

fn sample_accounts() -> Vec<Account> {
    let mut hotp = Account::totp(
        "Bank",
        "me+2fa@example.com",
        secret("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
    );
    hotp.kind = OtpKind::Hotp { counter: 10_300 };
    hotp.algorithm = Algorithm::Sha256;
    hotp.digits = 8;
    let mut sha512 = Account::totp("", "no issuer: colon", secret("JBSWY3DPEHPK3PXP"));
    sha512.algorithm = Algorithm::Sha512;
    vec![
        Account::totp("Crédit Agricole", "zoé", secret("ORSXG5A")),
        hotp,
        sha512,
        Account::totp("GitHub", "alice", Secret::from_bytes((0..=255).collect())),
    ]
}

#[test]
fn encode_then_decode_round_trips() {
    let accounts = sample_accounts();
    let uri = migration::encode(&accounts, 1, 2, -123_456).expect("all exportable");
    assert!(uri.starts_with("otpauth-migration://offline?data="));
    assert!(
        !uri[33..].contains(['+', '/', '=']),
        "escaped like the app: {uri}"
    );
    let batch = decode(&uri);
    // An issuer-less name with a colon comes back split, as Google
    // Authenticator would show it.
    let mut expected = accounts.clone();
    expected[2].issuer = "no issuer".into();
    expected[2].name = "colon".into();
    assert_eq!(batch.accounts, expected);
    assert_eq!(
        (
            batch.version,
            batch.batch_index,
            batch.batch_size,
            batch.batch_id
        ),
        (1, 1, 2, -123_456)
    );
}

#[test]
fn encode_refuses_what_the_format_cannot_carry() {
    let mut accounts = sample_accounts();
    accounts[1].kind = OtpKind::Totp { period: 60 };
    assert_eq!(
        migration::encode(&accounts, 0, 1, 0),
        Err(EncodeError::Unrepresentable {
            index: 1,
            label: "Bank (me+2fa@example.com)".into(),
            reason: "its period is not 30 seconds, and the format has no period",
        })
    );
    let mut steam = accounts[0].clone();
    steam.kind = OtpKind::Steam;
    assert!(migration::check_exportable(&steam).is_err());
    let mut seven = accounts[0].clone();
    seven.digits = 7;
    let error = migration::encode(&[seven], 0, 1, 0).expect_err("7 digits");
    assert_eq!(
        error.to_string(),
        "Crédit Agricole (zoé) cannot be exported to Google Authenticator: it has neither 6 nor 8 digits, the only counts the format has"
    );
    let eleven = vec![accounts[0].clone(); 11];
    assert!(matches!(
        migration::encode(&eleven, 0, 1, 0),
        Err(EncodeError::BadBatch { count: 11, .. })
    ));
    assert!(matches!(
        migration::encode(&accounts[..1], 2, 2, 0),
        Err(EncodeError::BadBatch { .. })
    ));
    assert!(matches!(
        migration::encode(&[], 0, 1, 0),
        Err(EncodeError::BadBatch { .. })
    ));
}

#[test]
fn large_exports_split_into_batches_of_ten() {
    let accounts: Vec<Account> = (0..23)
        .map(|i| {
            Account::totp(
                "Site",
                &format!("user{i}"),
                Secret::from_bytes(vec![i as u8 + 1; 10]),
            )
        })
        .collect();
    let codes = migration::encode_batches(&accounts, 77).expect("exportable");
    assert_eq!(codes.len(), 3);
    let batches: Vec<MigrationBatch> = codes.iter().map(|c| decode(c)).collect();
    assert_eq!(
        batches.iter().map(|b| b.accounts.len()).collect::<Vec<_>>(),
        [10, 10, 3]
    );
    assert!(batches
        .iter()
        .enumerate()
        .all(|(i, b)| b.batch_index == i as u32 && b.batch_size == 3 && b.batch_id == 77));
    let all: Vec<Account> = batches.into_iter().flat_map(|b| b.accounts).collect();
    assert_eq!(all, accounts);

    let mut bad = accounts.clone();
    bad[14].digits = 7;
    assert!(matches!(
        migration::encode_batches(&bad, 1),
        Err(EncodeError::Unrepresentable { index: 14, .. })
    ));
}

#[test]
fn secrets_stay_out_of_errors_and_debug_output() {
    let uri = migration::encode(&sample_accounts(), 0, 1, 0).expect("exportable");
    let batch = decode(&uri);
    let shown = format!("{batch:?}");
    assert!(
        !shown.contains("JBSWY3DPEHPK3PXP") && !shown.contains("Hello"),
        "{shown}"
    );
    let md5 = [
        bytes_field(1, b"SECRETBYTES"),
        bytes_field(2, b"n"),
        int_field(4, 4),
    ]
    .concat();
    let batch = decode(&export_of(&bytes_field(1, &md5)));
    let shown = format!("{batch:?} {}", batch.skipped[0]);
    assert!(!shown.contains("SECRETBYTES"), "{shown}");
}
