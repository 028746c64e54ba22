//! What one account's keychain item holds, and how it is read back.
//!
//! - An account **without a note** is its canonical otpauth URI, exactly as
//!   every earlier version wrote it, so old items read unchanged and an item
//!   written now still reads in an older Watchword.
//! - An account **with a note** is a small JSON record,
//!   `{"v":1,"uri":"otpauth://…","note":"…"}`. It starts with `{`, which no
//!   otpauth URI does, so the two forms never collide. The URI inside is the
//!   same canonical one: QR codes and exports are made from the account,
//!   never from the item, and never carry the note. A record of another `v`
//!   (a newer Watchword) is reported as damaged and left untouched, never
//!   rewritten without what it added. An older Watchword reports a record as
//!   a damaged item and leaves it alone too.
//!
//! Groups are not here: they live in the metadata file (not secret).
//!
//! The whole item is bounded when it carries a note: at most
//! [`limits::MAX_ITEM_UTF16_UNITS`] UTF-16 units, what Windows' Credential
//! Manager holds ([`FieldError::NoteDoesNotFit`] otherwise). Items without a
//! note are written as before, unchecked.

use crate::account::{Account, FieldError, Note};
use crate::error::UriError;
use crate::limits;
use crate::uri;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Version of the record form.
const RECORD_VERSION: u32 = 1;

#[derive(Serialize)]
struct RecordOut<'a> {
    v: u32,
    uri: &'a str,
    note: &'a str,
}

#[derive(Deserialize, Zeroize, ZeroizeOnDrop)]
struct RecordIn {
    v: u32,
    uri: String,
    #[serde(default)]
    note: Option<String>,
}

/// Why an item could not be read as an account (never its content).
#[derive(Debug, thiserror::Error)]
pub(crate) enum ItemError {
    #[error(transparent)]
    Uri(#[from] UriError),
    #[error("its record is not valid JSON of an account")]
    Record,
    #[error("its record is of version {0}, written by a newer Watchword")]
    NewerRecord(u32),
    #[error(transparent)]
    Note(#[from] FieldError),
}

/// The item's text for `account`: its URI alone, or the record with its
/// note. Refused when the record would not fit a Windows keychain item.
pub(crate) fn encode(account: &Account) -> Result<Zeroizing<String>, FieldError> {
    let uri = Zeroizing::new(uri::format(account));
    let Some(note) = &account.note else {
        return Ok(uri);
    };
    let record = RecordOut {
        v: RECORD_VERSION,
        uri: &uri,
        note: note.expose(),
    };
    let text = Zeroizing::new(serde_json::to_string(&record).expect("strings serialise"));
    let units = text.encode_utf16().count();
    if units > limits::MAX_ITEM_UTF16_UNITS {
        return Err(FieldError::NoteDoesNotFit {
            account: account.display_name(),
            units,
        });
    }
    Ok(text)
}

/// The account an item holds, note included.
pub(crate) fn decode(text: &str) -> Result<Account, ItemError> {
    if !text.trim_start().starts_with('{') {
        return Ok(uri::parse(text)?);
    }
    let record: RecordIn = serde_json::from_str(text).map_err(|_| ItemError::Record)?;
    if record.v != RECORD_VERSION {
        return Err(ItemError::NewerRecord(record.v));
    }
    let account = uri::parse(&record.uri)?;
    let note = match &record.note {
        Some(note) => Note::new(note)?,
        None => None,
    };
    Ok(account.with_note(note))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    fn account() -> Account {
        Account::totp(
            "Shop",
            "me",
            Secret::from_bytes(b"12345678901234567890".to_vec()),
        )
    }

    const URI: &str = "otpauth://totp/Shop:me?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Shop&algorithm=SHA1&digits=6&period=30";

    #[test]
    fn an_account_without_a_note_is_its_plain_uri_as_before() {
        let text = encode(&account()).expect("fits");
        assert_eq!(text.as_str(), URI);
        // An item written by an earlier version reads as it always did.
        assert_eq!(decode(URI).expect("an old item"), account());
    }

    #[test]
    fn a_note_round_trips_in_a_record() {
        let note = "recovery codes:\n1234-5678 \"quoted\" ünïcödé\n";
        let with_note = account().with_note(Note::new(note).expect("fits"));
        let text = encode(&with_note).expect("fits");
        assert!(
            text.starts_with("{\"v\":1,\"uri\":\"otpauth://"),
            "{}",
            *text
        );
        let back = decode(&text).expect("reads back");
        assert_eq!(back, with_note);
        assert_eq!(back.note.as_ref().map(Note::expose), Some(note));
        // The URI inside is the one QR codes and exports use: no note.
        assert_eq!(uri::format(&back), URI);
    }

    #[test]
    fn the_item_is_bounded_by_what_windows_holds() {
        // A note at its own limit fits beside a usual account...
        let longest = "x".repeat(limits::MAX_NOTE_BYTES);
        let fits = account().with_note(Note::new(&longest).expect("fits"));
        let units = encode(&fits).expect("fits").encode_utf16().count();
        assert!(units <= limits::MAX_ITEM_UTF16_UNITS, "{units}");
        // ...but one whose escapes double it does not, and says so.
        let breaks = "\n".repeat(limits::MAX_NOTE_BYTES);
        let too_big = account().with_note(Note::new(&format!("a{breaks}")[..1024]).expect("fits"));
        let error = encode(&too_big).expect_err("too big");
        assert!(
            matches!(error, FieldError::NoteDoesNotFit { units, .. } if units > limits::MAX_ITEM_UTF16_UNITS),
            "{error:?}"
        );
        assert!(error
            .to_string()
            .starts_with("the note of Shop (me) does not fit"));
    }

    #[test]
    fn records_that_are_not_ours_are_refused_without_their_content() {
        let newer = format!("{{\"v\":2,\"uri\":\"{URI}\",\"note\":\"secret words\"}}");
        let error = decode(&newer).expect_err("newer");
        assert_eq!(
            error.to_string(),
            "its record is of version 2, written by a newer Watchword"
        );
        for broken in ["{", "{\"v\":1}", "{\"v\":1,\"uri\":5}"] {
            let error = decode(broken).expect_err(broken).to_string();
            assert_eq!(
                error, "its record is not valid JSON of an account",
                "{broken}"
            );
        }
        let bad_uri = "{\"v\":1,\"uri\":\"otpauth://totp/x?secret=\",\"note\":\"n\"}";
        assert!(decode(bad_uri).is_err());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 500,
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::default()
        })]

        /// Any note (control characters, quotes, any script) reads back
        /// exactly, and a blank one is no note.
        #[test]
        fn any_note_round_trips(text in "\\PC{0,200}|[\\x00-\\x1f\"\\\\]{0,50}") {
            let note = Note::new(&text).expect("short");
            let with_note = account().with_note(note.clone());
            let back = decode(&encode(&with_note).expect("fits")).expect("reads");
            proptest::prop_assert_eq!(back.note, note);
        }
    }
}
