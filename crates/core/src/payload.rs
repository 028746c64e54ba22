//! What a decoded QR payload is: one account (`otpauth://`), a Google
//! Authenticator export (`otpauth-migration://`), or something else, named in
//! words so the UI can say "This QR code holds a web link, not an
//! authenticator code" instead of a parse error.
//!
//! [`BatchTracker`] follows an export spread over several codes and says which
//! parts are still missing.

use crate::account::Account;
use crate::codes::ErrorCode;
use crate::error::UriError;
use crate::migration::{self, MigrationBatch, MigrationError};
use std::collections::{BTreeMap, BTreeSet};

/// What one QR code holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QrPayload {
    /// An `otpauth://` URI: one account, or why it could not be read.
    Account(Result<Account, UriError>),
    /// A Google Authenticator export code, or why it could not be read.
    Migration(Result<MigrationBatch, MigrationError>),
    /// Anything else.
    NotOtp(NotOtpKind),
}

/// What a QR code that is not an authenticator code holds.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotOtpKind {
    /// `http://` or `https://`.
    WebLink,
    /// `WIFI:` network credentials.
    WifiNetwork,
    /// `BEGIN:VCARD` or `MECARD:`.
    Contact,
    /// `mailto:` or `MATMSG:`.
    Email,
    /// `tel:`.
    PhoneNumber,
    /// `sms:` / `smsto:`.
    TextMessage,
    /// `geo:`.
    Location,
    /// `BEGIN:VEVENT` / `BEGIN:VCALENDAR`.
    CalendarEvent,
    /// A cryptocurrency payment address (`bitcoin:`, `ethereum:`, …).
    Payment,
    /// Some other `scheme:` URI.
    OtherLink,
    /// Anything without a recognisable prefix.
    PlainText,
}

impl NotOtpKind {
    /// The kind in a few words, with an article: "a web link".
    pub fn description(self) -> &'static str {
        match self {
            NotOtpKind::WebLink => "a web link",
            NotOtpKind::WifiNetwork => "Wi-Fi network credentials",
            NotOtpKind::Contact => "a contact card",
            NotOtpKind::Email => "an e-mail address",
            NotOtpKind::PhoneNumber => "a phone number",
            NotOtpKind::TextMessage => "a text message",
            NotOtpKind::Location => "a map location",
            NotOtpKind::CalendarEvent => "a calendar event",
            NotOtpKind::Payment => "a payment address",
            NotOtpKind::OtherLink => "a link for another app",
            NotOtpKind::PlainText => "plain text",
        }
    }

    /// A stable machine-readable name for the UI to branch on.
    pub fn code(self) -> ErrorCode {
        match self {
            NotOtpKind::WebLink => ErrorCode::WebLink,
            NotOtpKind::WifiNetwork => ErrorCode::Wifi,
            NotOtpKind::Contact => ErrorCode::Contact,
            NotOtpKind::Email => ErrorCode::Email,
            NotOtpKind::PhoneNumber => ErrorCode::Phone,
            NotOtpKind::TextMessage => ErrorCode::Sms,
            NotOtpKind::Location => ErrorCode::Location,
            NotOtpKind::CalendarEvent => ErrorCode::CalendarEvent,
            NotOtpKind::Payment => ErrorCode::Payment,
            NotOtpKind::OtherLink => ErrorCode::OtherLink,
            NotOtpKind::PlainText => ErrorCode::PlainText,
        }
    }

    /// The sentence for people: "This QR code holds a web link, not an
    /// authenticator code."
    pub fn message(self) -> String {
        format!(
            "This QR code holds {}, not an authenticator code.",
            self.description()
        )
    }
}

/// Classifies a decoded payload. The payload itself is never copied into a
/// [`NotOtpKind`]: a Wi-Fi code's password has no business in a message.
pub fn classify(text: &str) -> QrPayload {
    let trimmed = text.trim();
    if starts_with_ignore_case(trimmed, "otpauth-migration:") {
        return QrPayload::Migration(migration::decode(trimmed));
    }
    if starts_with_ignore_case(trimmed, "otpauth:") {
        return QrPayload::Account(crate::uri::parse(trimmed));
    }
    QrPayload::NotOtp(kind_of(trimmed))
}

fn kind_of(text: &str) -> NotOtpKind {
    const PREFIXES: &[(&str, NotOtpKind)] = &[
        ("http://", NotOtpKind::WebLink),
        ("https://", NotOtpKind::WebLink),
        ("www.", NotOtpKind::WebLink),
        ("wifi:", NotOtpKind::WifiNetwork),
        ("begin:vcard", NotOtpKind::Contact),
        ("mecard:", NotOtpKind::Contact),
        ("mailto:", NotOtpKind::Email),
        ("matmsg:", NotOtpKind::Email),
        ("tel:", NotOtpKind::PhoneNumber),
        ("sms:", NotOtpKind::TextMessage),
        ("smsto:", NotOtpKind::TextMessage),
        ("mmsto:", NotOtpKind::TextMessage),
        ("geo:", NotOtpKind::Location),
        ("begin:vevent", NotOtpKind::CalendarEvent),
        ("begin:vcalendar", NotOtpKind::CalendarEvent),
        ("bitcoin:", NotOtpKind::Payment),
        ("ethereum:", NotOtpKind::Payment),
        ("litecoin:", NotOtpKind::Payment),
        ("monero:", NotOtpKind::Payment),
    ];
    if let Some((_, kind)) = PREFIXES
        .iter()
        .find(|(prefix, _)| starts_with_ignore_case(text, prefix))
    {
        return *kind;
    }
    if looks_like_uri(text) {
        NotOtpKind::OtherLink
    } else {
        NotOtpKind::PlainText
    }
}

/// `scheme://…` with an RFC 3986 scheme: letters first, then letters,
/// digits, `+`, `-`, `.`.
fn looks_like_uri(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once("://") else {
        return false;
    };
    !rest.is_empty()
        && scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// An export spread over several codes: which parts are still missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchProgress {
    /// The export's id, shared by all its codes.
    pub batch_id: i32,
    /// How many codes the export has.
    pub batch_size: u32,
    /// 0-based indexes seen so far.
    pub seen: BTreeSet<u32>,
}

impl BatchProgress {
    /// 0-based indexes of the codes not seen yet, in order. People count
    /// from 1: show `index + 1` ("part 2 of 3 is missing").
    ///
    /// Lists every index: for a description, use [`BatchProgress::missing_ranges`],
    /// which stays small whatever the batch size claims.
    pub fn missing(&self) -> Vec<u32> {
        self.missing_ranges()
            .into_iter()
            .flat_map(|(first, last)| first..=last)
            .collect()
    }

    /// The missing indexes as inclusive ranges (`(1, 1)`, `(3, 6)`), in
    /// order: at most one more range than parts seen, so its size follows
    /// what was added, not what a code claims.
    pub fn missing_ranges(&self) -> Vec<(u32, u32)> {
        let mut ranges = Vec::new();
        let mut next = 0u32;
        for &seen in self.seen.range(..self.batch_size) {
            if seen > next {
                ranges.push((next, seen - 1));
            }
            next = seen + 1;
        }
        if next < self.batch_size {
            ranges.push((next, self.batch_size - 1));
        }
        ranges
    }

    /// The parts not seen yet in words, counting from 1, and how many they
    /// are: ("2", 1), ("1 and 3", 2), ("2, 3 and 5–9", 7). Ranges,
    /// and only the first [`crate::limits::MAX_NAMED_MISSING_PARTS`] of
    /// them: the count a code claims never turns into a list that long.
    pub fn missing_in_words(&self) -> (String, u64) {
        let ranges = self.missing_ranges();
        let size = |&(first, last): &(u32, u32)| u64::from(last - first) + 1;
        let count = ranges.iter().map(size).sum();
        let mut named: Vec<String> = ranges
            .iter()
            .take(crate::limits::MAX_NAMED_MISSING_PARTS)
            .map(|&(first, last)| match last - first {
                0 => (first + 1).to_string(),
                1 => format!("{}, {}", first + 1, last + 1),
                _ => format!("{}–{}", first + 1, last + 1),
            })
            .collect();
        let unnamed: u64 = ranges
            .iter()
            .skip(crate::limits::MAX_NAMED_MISSING_PARTS)
            .map(size)
            .sum();
        if unnamed > 0 {
            named.push(format!("{unnamed} more"));
        }
        (join_words(&named), count)
    }

    /// Every code of the export was seen.
    pub fn is_complete(&self) -> bool {
        self.seen.range(..self.batch_size).count() as u64 >= u64::from(self.batch_size)
    }
}

/// What [`BatchTracker::add`] made of a code's place in its export.
///
/// Only the place (batch id and part number) is compared, not what the
/// code holds: two different links may claim the same place (hand-made
/// ones that leave out the batch id, or give part 1 of 1 each). Add the
/// accounts of either kind and drop repeats account by account, so that
/// none is lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchAdded {
    /// A part of its export not seen before.
    New,
    /// A code for this part of this export was seen already: the same
    /// screenshot dropped twice, or another code that claims its place.
    AlreadySeen,
}

/// Follows the Google Authenticator export codes seen in one import session,
/// grouped by batch id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchTracker {
    batches: BTreeMap<i32, BatchProgress>,
}

impl BatchTracker {
    /// An empty tracker.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `batch`. An index past the declared size (a damaged or
    /// hand-made code) widens the batch rather than being lost.
    pub fn add(&mut self, batch: &MigrationBatch) -> BatchAdded {
        let progress = self
            .batches
            .entry(batch.batch_id)
            .or_insert_with(|| BatchProgress {
                batch_id: batch.batch_id,
                batch_size: batch.batch_size.max(1),
                seen: BTreeSet::new(),
            });
        progress.batch_size = progress
            .batch_size
            .max(batch.batch_size)
            .max(batch.batch_index.saturating_add(1));
        if progress.seen.insert(batch.batch_index) {
            BatchAdded::New
        } else {
            BatchAdded::AlreadySeen
        }
    }

    /// Takes in what another tracker saw.
    pub fn absorb(&mut self, other: BatchTracker) {
        for (id, theirs) in other.batches {
            let ours = self.batches.entry(id).or_insert_with(|| BatchProgress {
                batch_id: id,
                batch_size: theirs.batch_size,
                seen: Default::default(),
            });
            ours.batch_size = ours.batch_size.max(theirs.batch_size);
            ours.seen.extend(theirs.seen);
        }
    }

    /// Every export seen, by batch id.
    pub fn batches(&self) -> impl Iterator<Item = &BatchProgress> {
        self.batches.values()
    }

    /// Exports with parts still missing.
    pub fn incomplete(&self) -> Vec<&BatchProgress> {
        self.batches.values().filter(|b| !b.is_complete()).collect()
    }

    /// No export has a part missing.
    pub fn is_complete(&self) -> bool {
        self.batches.values().all(BatchProgress::is_complete)
    }
}

/// Missing parts of the exports among `batches`, one entry per incomplete
/// export: a shortcut for a [`BatchTracker`] fed with all of them.
pub fn missing_batches<'a>(
    batches: impl IntoIterator<Item = &'a MigrationBatch>,
) -> Vec<BatchProgress> {
    let mut tracker = BatchTracker::new();
    for batch in batches {
        tracker.add(batch);
    }
    tracker.incomplete().into_iter().cloned().collect()
}

/// "1", "1 and 3", "1, 2 and 4".
pub(crate) fn join_words(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
