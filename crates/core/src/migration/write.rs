//! Accounts written as an export: which ones the format can carry, one
//! code's URI, a list split into codes, and the protobuf writers.

use super::{EncodeError, CODE_URI_BUDGET, CODE_URI_LIMIT, MAX_ACCOUNTS_PER_CODE, PREFIX};
use crate::account::{Account, Algorithm, OtpKind};
use zeroize::Zeroize;

/// Whether `account` can travel in a Google Authenticator export unchanged.
pub fn check_exportable(account: &Account) -> Result<(), &'static str> {
    match account.kind {
        OtpKind::Steam => Err("Steam accounts are not supported by Google Authenticator"),
        OtpKind::Totp { period } if period != 30 => {
            Err("its period is not 30 seconds, and the format has no period")
        }
        _ if !matches!(account.digits, 6 | 8) => {
            Err("it has neither 6 nor 8 digits, the only counts the format has")
        }
        _ if account.secret.is_empty() => Err("it has no secret key"),
        _ => Ok(()),
    }
}

/// Writes one export code's URI for up to [`MAX_ACCOUNTS_PER_CODE`] accounts,
/// as Google Authenticator does (data percent-escaped, version 1).
///
/// `batch_index` is 0-based and below `batch_size`; every code of one export
/// shares `batch_id`. Accounts the format cannot carry are refused, not
/// changed. The result holds the secrets: treat it like them.
pub fn encode(
    accounts: &[Account],
    batch_index: u32,
    batch_size: u32,
    batch_id: i32,
) -> Result<String, EncodeError> {
    if accounts.is_empty()
        || accounts.len() > MAX_ACCOUNTS_PER_CODE
        || batch_size == 0
        || batch_index >= batch_size
    {
        return Err(EncodeError::BadBatch {
            count: accounts.len(),
            batch_index,
            batch_size,
        });
    }
    let mut payload = Vec::new();
    for (index, account) in accounts.iter().enumerate() {
        check_exportable(account).map_err(|reason| EncodeError::Unrepresentable {
            index,
            label: account.display_name(),
            reason,
        })?;
        let mut entry = Vec::new();
        put_bytes(&mut entry, 1, account.secret.expose());
        // Google writes the label it would show, `Issuer:name`, as the name.
        let name = if account.issuer.is_empty() {
            account.name.clone()
        } else {
            format!("{}:{}", account.issuer, account.name)
        };
        put_bytes(&mut entry, 2, name.as_bytes());
        put_bytes(&mut entry, 3, account.issuer.as_bytes());
        let algorithm = match account.algorithm {
            Algorithm::Sha1 => 1,
            Algorithm::Sha256 => 2,
            Algorithm::Sha512 => 3,
        };
        put_int(&mut entry, 4, algorithm);
        put_int(&mut entry, 5, if account.digits == 8 { 2 } else { 1 });
        match account.kind {
            OtpKind::Hotp { counter } => {
                put_int(&mut entry, 6, 1);
                put_int(&mut entry, 7, counter);
            }
            _ => put_int(&mut entry, 6, 2),
        }
        put_bytes(&mut payload, 1, &entry);
        entry.zeroize();
    }
    put_int(&mut payload, 2, 1);
    put_int(&mut payload, 3, u64::from(batch_size));
    put_int(&mut payload, 4, u64::from(batch_index));
    // int32 fields are sign-extended to 64 bits on the wire.
    put_int(&mut payload, 5, i64::from(batch_id) as u64);
    let mut data = data_encoding::BASE64.encode(&payload);
    payload.zeroize();
    let escaped = data
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    data.zeroize();
    Ok(format!("{PREFIX}?data={escaped}"))
}

/// What the batch numbers of a code may add to its URI beyond what
/// [`encode`] gives with index 0 of 1: each is at most five bytes as a
/// varint, seven characters once base64 and escaped.
const BATCH_SLACK: usize = 16;

/// Why an account whose code alone is over [`CODE_URI_LIMIT`] is left out.
const TOO_LONG: &str = "its name and key are too long to fit in a QR code";

/// Whether `account` alone fits in one export code (see
/// [`CODE_URI_LIMIT`]); an account the format cannot carry does not.
pub fn fits_one_code(account: &Account) -> bool {
    // Measured with the longest batch id, as [`encode_batches`] may draw.
    // The trial URI holds the key: wiped as it goes.
    encode(std::slice::from_ref(account), 0, 1, i32::MAX)
        .map(zeroize::Zeroizing::new)
        .is_ok_and(|uri| uri.len() + BATCH_SLACK <= CODE_URI_LIMIT)
}

/// Splits `accounts` into export codes sharing `batch_id`, in order: each
/// holds as many accounts as keep its URI within [`CODE_URI_BUDGET`], and
/// at most [`MAX_ACCOUNTS_PER_CODE`]; an account over the budget alone
/// has a code of its own. One over [`CODE_URI_LIMIT`] alone is refused
/// ([`fits_one_code`] tells beforehand).
pub fn encode_batches(accounts: &[Account], batch_id: i32) -> Result<Vec<String>, EncodeError> {
    let mut chunks = split(accounts, batch_id, CODE_URI_BUDGET)?;
    // More codes than an import takes (long names): as full as a QR code
    // can be, rather than an export that does not read back.
    if chunks.len() > crate::limits::MAX_BATCH_PARTS as usize {
        chunks = split(accounts, batch_id, CODE_URI_LIMIT)?;
    }
    if chunks.len() > crate::limits::MAX_BATCH_PARTS as usize {
        return Err(EncodeError::TooManyCodes {
            codes: chunks.len(),
        });
    }
    let size = u32::try_from(chunks.len()).map_err(|_| EncodeError::BadBatch {
        count: accounts.len(),
        batch_index: 0,
        batch_size: u32::MAX,
    })?;
    chunks
        .iter()
        .enumerate()
        .map(|(index, (start, chunk))| {
            encode(chunk, index as u32, size, batch_id).map_err(at(*start))
        })
        .collect()
}

/// Positions in errors counted in the whole list, not in the code that
/// starts at `start`.
fn at(start: usize) -> impl Fn(EncodeError) -> EncodeError {
    move |error| match error {
        EncodeError::Unrepresentable {
            index,
            label,
            reason,
        } => EncodeError::Unrepresentable {
            index: start + index,
            label,
            reason,
        },
        other => other,
    }
}

/// `accounts` in runs for one code each, in order: as many as keep a code
/// within `budget` characters, ten at most; one over the budget alone is a
/// run of its own, one over [`CODE_URI_LIMIT`] alone is refused. The
/// trial URIs hold the keys: wiped as they go.
fn split(
    accounts: &[Account],
    batch_id: i32,
    budget: usize,
) -> Result<Vec<(usize, &[Account])>, EncodeError> {
    let length = |run: &[Account], start: usize| -> Result<usize, EncodeError> {
        let uri = zeroize::Zeroizing::new(encode(run, 0, 1, batch_id).map_err(at(start))?);
        Ok(uri.len() + BATCH_SLACK)
    };
    let mut runs = Vec::new();
    let mut start = 0;
    while start < accounts.len() {
        if length(&accounts[start..=start], start)? > CODE_URI_LIMIT {
            return Err(EncodeError::Unrepresentable {
                index: start,
                label: accounts[start].display_name(),
                reason: TOO_LONG,
            });
        }
        let mut end = start + 1;
        while end < accounts.len()
            && end - start < MAX_ACCOUNTS_PER_CODE
            && length(&accounts[start..=end], start)? <= budget
        {
            end += 1;
        }
        runs.push((start, &accounts[start..end]));
        start = end;
    }
    Ok(runs)
}

pub(super) fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn put_int(out: &mut Vec<u8>, number: u64, value: u64) {
    put_varint(out, number << 3);
    put_varint(out, value);
}

fn put_bytes(out: &mut Vec<u8>, number: u64, bytes: &[u8]) {
    put_varint(out, (number << 3) | 2);
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}
