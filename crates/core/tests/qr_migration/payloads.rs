//! What a decoded QR payload is, and which parts of a batch are missing.

use super::*;

#[test]
fn payloads_are_classified() {
    match payload::classify("otpauth://totp/ACME:bob?secret=JBSWY3DPEHPK3PXP") {
        QrPayload::Account(Ok(account)) => assert_eq!(account.issuer, "ACME"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        payload::classify("OTPAUTH://totp/a?secret=JBSWY3DPEHPK3PXP&digits=12"),
        QrPayload::Account(Err(watchword_core::UriError::DigitsOutOfRange(_)))
    ));
    match payload::classify(KNOWN_EXPORT) {
        QrPayload::Migration(Ok(batch)) => assert_eq!(batch.accounts.len(), 1),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        payload::classify("otpauth-migration://offline?data=%%%"),
        QrPayload::Migration(Err(_))
    ));
    let cases = [
        (
            "https://example.com/login?next=/",
            NotOtpKind::WebLink,
            "This QR code holds a web link, not an authenticator code.",
        ),
        (
            "HTTP://EXAMPLE.COM",
            NotOtpKind::WebLink,
            "This QR code holds a web link, not an authenticator code.",
        ),
        (
            "WIFI:T:WPA;S:home;P:hunter2;;",
            NotOtpKind::WifiNetwork,
            "This QR code holds Wi-Fi network credentials, not an authenticator code.",
        ),
        (
            "BEGIN:VCARD\nVERSION:3.0\nFN:Alice\nEND:VCARD",
            NotOtpKind::Contact,
            "This QR code holds a contact card, not an authenticator code.",
        ),
        (
            "MECARD:N:Alice;TEL:123;;",
            NotOtpKind::Contact,
            "This QR code holds a contact card, not an authenticator code.",
        ),
        (
            "mailto:alice@example.com",
            NotOtpKind::Email,
            "This QR code holds an e-mail address, not an authenticator code.",
        ),
        (
            "tel:+441234567890",
            NotOtpKind::PhoneNumber,
            "This QR code holds a phone number, not an authenticator code.",
        ),
        (
            "geo:48.85,2.35",
            NotOtpKind::Location,
            "This QR code holds a map location, not an authenticator code.",
        ),
        (
            "SMSTO:+441234:hi",
            NotOtpKind::TextMessage,
            "This QR code holds a text message, not an authenticator code.",
        ),
        (
            "BEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT",
            NotOtpKind::CalendarEvent,
            "This QR code holds a calendar event, not an authenticator code.",
        ),
        (
            "bitcoin:bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh",
            NotOtpKind::Payment,
            "This QR code holds a payment address, not an authenticator code.",
        ),
        (
            "steam://open/games",
            NotOtpKind::OtherLink,
            "This QR code holds a link for another app, not an authenticator code.",
        ),
        (
            "JBSWY3DPEHPK3PXP",
            NotOtpKind::PlainText,
            "This QR code holds plain text, not an authenticator code.",
        ),
        (
            "",
            NotOtpKind::PlainText,
            "This QR code holds plain text, not an authenticator code.",
        ),
        (
            "é://ü",
            NotOtpKind::PlainText,
            "This QR code holds plain text, not an authenticator code.",
        ),
    ];
    for (text, kind, message) in cases {
        assert_eq!(payload::classify(text), QrPayload::NotOtp(kind), "{text}");
        assert_eq!(kind.message(), message);
    }
    // The Wi-Fi password is not repeated anywhere.
    assert!(
        !format!("{:?}", payload::classify("WIFI:T:WPA;S:home;P:hunter2;;")).contains("hunter2")
    );
}

fn part(id: i32, index: u32, size: u32) -> MigrationBatch {
    let account = Account::totp(
        "A",
        &format!("{id}-{index}"),
        Secret::from_bytes(vec![1; 10]),
    );
    decode(&migration::encode(&[account], index, size, id).expect("exportable"))
}

#[test]
fn batch_tracking_says_which_parts_are_missing() {
    let mut tracker = BatchTracker::new();
    assert!(tracker.is_complete());
    assert_eq!(tracker.add(&part(7, 0, 3)), BatchAdded::New);
    assert_eq!(tracker.add(&part(7, 2, 3)), BatchAdded::New);
    assert_eq!(tracker.add(&part(7, 2, 3)), BatchAdded::AlreadySeen);
    assert_eq!(tracker.add(&part(-9, 0, 1)), BatchAdded::New);
    let incomplete = tracker.incomplete();
    assert_eq!(incomplete.len(), 1);
    assert_eq!((incomplete[0].batch_id, incomplete[0].batch_size), (7, 3));
    assert_eq!(incomplete[0].missing(), vec![1]);
    assert!(!tracker.is_complete());
    tracker.add(&part(7, 1, 3));
    assert!(tracker.is_complete());
    assert_eq!(tracker.batches().count(), 2);

    let parts = [part(1, 0, 4), part(1, 3, 4), part(2, 1, 2)];
    let missing = payload::missing_batches(&parts);
    let summary: Vec<(i32, Vec<u32>)> = missing.iter().map(|m| (m.batch_id, m.missing())).collect();
    assert_eq!(summary, vec![(1, vec![1, 2]), (2, vec![0])]);
}
