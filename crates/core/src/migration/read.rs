//! The protobuf wire reader: fields of one message, then the export's
//! `MigrationPayload` and each `OtpParameters` read into accounts.

use super::{EntryProblem, MigrationBatch, MigrationError, SkippedEntry};
use crate::account::{Account, Algorithm, OtpKind, RuleError};
use crate::secret::Secret;
use zeroize::Zeroize;

/// Protobuf wire types this schema can meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wire {
    Varint,
    Fixed64,
    Bytes,
    Fixed32,
}

/// A field as read from the wire.
#[derive(Debug)]
enum Value<'a> {
    Int(u64),
    Bytes(&'a [u8]),
    Fixed,
}

/// A protobuf reader over one message's bytes.
#[derive(Debug)]
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

type Damage = (usize, &'static str);

impl<'a> Reader<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, at: 0 }
    }

    pub(super) fn varint(&mut self) -> Result<u64, Damage> {
        let start = self.at;
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self
                .bytes
                .get(self.at)
                .ok_or((start, "the data ends inside a number (truncated)"))?;
            self.at += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err((start, "a number is longer than 10 bytes"))
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], Damage> {
        let start = self.at;
        let end = start
            .checked_add(len)
            .filter(|end| *end <= self.bytes.len())
            .ok_or((start, "a field runs past the end of the data (truncated)"))?;
        self.at = end;
        Ok(&self.bytes[start..end])
    }

    /// The next field as (number, value), `None` at the end.
    fn field(&mut self) -> Result<Option<(u64, Value<'a>)>, Damage> {
        if self.at >= self.bytes.len() {
            return Ok(None);
        }
        let start = self.at;
        let key = self.varint()?;
        let number = key >> 3;
        let wire = match key & 7 {
            0 => Wire::Varint,
            1 => Wire::Fixed64,
            2 => Wire::Bytes,
            5 => Wire::Fixed32,
            _ => return Err((start, "a field has an unknown encoding")),
        };
        if number == 0 {
            return Err((start, "a field has number 0"));
        }
        // Errors point at the start of the field they occur in.
        let at_field = |(_, reason): Damage| (start, reason);
        let value = match wire {
            Wire::Varint => Value::Int(self.varint().map_err(at_field)?),
            Wire::Fixed64 => {
                self.take(8).map_err(at_field)?;
                Value::Fixed
            }
            Wire::Fixed32 => {
                self.take(4).map_err(at_field)?;
                Value::Fixed
            }
            Wire::Bytes => {
                let len = usize::try_from(self.varint().map_err(at_field)?)
                    .map_err(|_| (start, "a field length is impossibly large"))?;
                Value::Bytes(self.take(len).map_err(at_field)?)
            }
        };
        Ok(Some((number, value)))
    }
}

/// `int32` fields travel as 64-bit two's complement varints; keep the low
/// 32 bits as protobuf does.
fn int32(value: u64) -> i32 {
    value as u32 as i32
}

pub(super) fn read_payload(bytes: &[u8]) -> Result<MigrationBatch, MigrationError> {
    let damaged = |(offset, reason): Damage| MigrationError::Malformed { offset, reason };
    let mut reader = Reader::new(bytes);
    let mut batch = MigrationBatch {
        accounts: Vec::new(),
        skipped: Vec::new(),
        version: 0,
        batch_size: 1,
        batch_index: 0,
        batch_id: 0,
    };
    let mut index = 0;
    while let Some((number, value)) = reader.field().map_err(damaged)? {
        match (number, value) {
            (1, Value::Bytes(entry)) => {
                match read_entry(entry) {
                    Ok(account) => batch.accounts.push(account),
                    Err((label, problem)) => batch.skipped.push(SkippedEntry {
                        index,
                        label,
                        problem,
                    }),
                }
                index += 1;
            }
            (2, Value::Int(v)) => batch.version = int32(v),
            // Old exports write 0 for "one code".
            (3, Value::Int(v)) => batch.batch_size = int32(v).max(1) as u32,
            (4, Value::Int(v)) => batch.batch_index = int32(v).max(0) as u32,
            (5, Value::Int(v)) => batch.batch_id = int32(v),
            // Unknown fields (and known numbers with a surprising encoding)
            // are skipped, as protobuf readers do.
            _ => {}
        }
    }
    // Checked once all fields are read, whatever their order: a hostile
    // part count would otherwise make "which parts are missing" list
    // billions of numbers.
    if batch.batch_size > crate::limits::MAX_BATCH_PARTS
        || batch.batch_index >= crate::limits::MAX_BATCH_PARTS
    {
        batch.accounts.clear();
        return Err(MigrationError::TooManyParts {
            parts: batch.batch_size,
            index: batch.batch_index,
        });
    }
    Ok(batch)
}

/// Reads one `OtpParameters`; on failure, the label read so far and why.
fn read_entry(bytes: &[u8]) -> Result<Account, (String, EntryProblem)> {
    let mut reader = Reader::new(bytes);
    let mut secret = Vec::new();
    let mut name = String::new();
    let mut issuer = String::new();
    let (mut algorithm, mut digits, mut kind, mut counter) = (0u64, 0u64, 0u64, 0u64);
    let mut damage = None;
    loop {
        match reader.field() {
            Ok(None) => break,
            Ok(Some((number, value))) => match (number, value) {
                (1, Value::Bytes(b)) => {
                    secret.zeroize();
                    secret = b.to_vec();
                }
                (2, Value::Bytes(b)) => name = String::from_utf8_lossy(b).into_owned(),
                (3, Value::Bytes(b)) => issuer = String::from_utf8_lossy(b).into_owned(),
                (4, Value::Int(v)) => algorithm = v,
                (5, Value::Int(v)) => digits = v,
                (6, Value::Int(v)) => kind = v,
                (7, Value::Int(v)) => counter = v,
                _ => {}
            },
            Err(error) => {
                damage = Some(error);
                break;
            }
        }
    }
    let (issuer, name) = split_label(issuer.trim(), name.trim());
    let secret = Secret::from_bytes(secret);
    let label = Account::totp(&issuer, &name, Secret::from_bytes(Vec::new())).display_name();
    let fail = |problem| Err((label.clone(), problem));
    if let Some((offset, reason)) = damage {
        return fail(EntryProblem::Malformed { offset, reason });
    }
    let algorithm = match algorithm {
        0 | 1 => Algorithm::Sha1,
        2 => Algorithm::Sha256,
        3 => Algorithm::Sha512,
        4 => return fail(EntryProblem::UnsupportedAlgorithm("MD5".to_owned())),
        other => {
            return fail(EntryProblem::UnsupportedAlgorithm(format!(
                "unknown ({other})"
            )))
        }
    };
    let digits = match digits {
        0 | 1 => 6,
        2 => 8,
        other => return fail(EntryProblem::UnsupportedDigits(other)),
    };
    let kind = match kind {
        0 | 2 => OtpKind::Totp { period: 30 },
        1 => OtpKind::Hotp { counter },
        other => return fail(EntryProblem::UnsupportedType(other)),
    };
    Account::new(&issuer, &name, secret, algorithm, digits, kind).or_else(|error| match error {
        RuleError::EmptySecret => fail(EntryProblem::EmptySecret),
        other => fail(EntryProblem::BrokenRule(other)),
    })
}

/// Google Authenticator stores the whole label it scanned as the name
/// (`GitHub:alice`) next to the issuer (`GitHub`); show what the app shows.
/// An issuer may hold a colon itself (`A:B`, written as `A:B:me`): the
/// issuer is taken off the front whole, not split at the first colon.
pub(super) fn split_label(issuer: &str, name: &str) -> (String, String) {
    if issuer.is_empty() {
        if let Some((prefix, rest)) = name.split_once(':') {
            return (prefix.trim().to_owned(), rest.trim().to_owned());
        }
        return (String::new(), name.to_owned());
    }
    let after_issuer = name
        .get(..issuer.len())
        .filter(|front| front.eq_ignore_ascii_case(issuer))
        .and_then(|_| name[issuer.len()..].trim_start().strip_prefix(':'));
    match after_issuer {
        Some(rest) => (issuer.to_owned(), rest.trim().to_owned()),
        None => (issuer.to_owned(), name.to_owned()),
    }
}
