//! Lists of `otpauth://` URIs, one a line: Ente Auth's plain export
//! (<https://github.com/ente-io/ente/tree/main/auth>), Aegis' and 2FAS' "export
//! as URIs", and hand-made lists.
//!
//! Each line is read by [`crate::uri::parse`] (Google's Key Uri Format,
//! <https://github.com/google/google-authenticator/wiki/Key-Uri-Format>).
//! Ente's `codeDisplay` parameter (percent-encoded JSON) is read for its
//! `tags`, kept as groups, and its `note`. What the conversion loses:
//! parameters Watchword has no use for, such as the rest of `codeDisplay`
//! (pins and usage counts are said once in the preview), `image` and `icon`.
//! Blank lines are skipped; any other line that is not a valid URI is an
//! entry error naming its line.

use super::{Entries, Extras, Format, Groups, ImportError, Importer, Probe, Read};
use serde_json::Value;

/// The otpauth URI list importer.
#[derive(Debug, Clone, Copy)]
pub struct UriList;

impl Importer for UriList {
    const FORMAT: Format = Format::OtpauthUris;

    fn detect(probe: &Probe<'_>) -> bool {
        probe.lines().any(is_otpauth_uri)
    }

    fn read(bytes: &[u8]) -> Result<Read, ImportError> {
        let text = super::text_of(bytes).ok_or_else(|| {
            ImportError::damaged(Self::FORMAT, "the file", "it is not UTF-8 text")
        })?;
        let mut entries = Entries::new(Self::FORMAT, convert);
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            if is_otpauth_uri(line) {
                let extras = match code_display(line) {
                    Some(display) => ente_extras(&display, &mut entries),
                    None => Extras::default(),
                };
                entries.push_with(label_of(line), Value::String(line.to_owned()), extras);
            } else {
                entries.push_error(
                    None,
                    format!("line {} is not an otpauth:// URI", number + 1),
                );
            }
        }
        if entries.is_empty() {
            return Err(ImportError::damaged(
                Self::FORMAT,
                "the file",
                "it holds no otpauth:// URI",
            ));
        }
        Ok(Read::Plain(entries))
    }
}

/// Ente's `codeDisplay` parameter of a URI, decoded, when there is one
/// that is JSON.
fn code_display(uri: &str) -> Option<Value> {
    let query = uri.split_once('?')?.1.split('#').next()?;
    let raw = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("codeDisplay="))?
        .replace('+', " ");
    let text = percent_encoding::percent_decode_str(&raw)
        .decode_utf8()
        .ok()?;
    // Within the JSON budgets, as a file of its own would be.
    super::fields::json_values(&text).ok()?;
    serde_json::from_str(&text).ok()
}

/// The note and tags of Ente's `codeDisplay`, noting on `entries` what it
/// holds that is not kept.
fn ente_extras(display: &Value, entries: &mut Entries) -> Extras {
    if display.get("pinned").and_then(Value::as_bool) == Some(true) {
        entries.not_kept("pins");
    }
    if display
        .get("tapCount")
        .and_then(Value::as_u64)
        .is_some_and(|n| n > 0)
    {
        entries.not_kept("usage counts");
    }
    Extras {
        note: display
            .get("note")
            .and_then(Value::as_str)
            .map(str::to_owned),
        groups: Groups::named(
            display
                .get("tags")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str),
        ),
    }
}

/// True for a line that starts like an otpauth URI.
pub(crate) fn is_otpauth_uri(line: &str) -> bool {
    line.get(..10)
        .is_some_and(|head| head.eq_ignore_ascii_case("otpauth://"))
}

/// The decoded label of an otpauth URI ("Issuer:name"), for error
/// messages about a URI that does not parse. The secret lives in the query,
/// but a URI that does not parse may have none: a `&` typed for the `?`
/// (`…/Example:alice&secret=JBSW…`) or a URI encoded twice (`%3Fsecret%3D`)
/// leaves the key in what reads as the label. A label that mentions
/// `secret` or holds a `=` is therefore not given at all (the entry is then
/// named by its place in the file).
pub(crate) fn label_of(uri: &str) -> Option<String> {
    let rest = uri.get(10..)?;
    let path = rest.split(['?', '#']).next()?;
    let label = path.split_once('/')?.1;
    let decoded = percent_encoding::percent_decode_str(label)
        .decode_utf8()
        .ok()?
        .trim()
        .to_owned();
    let may_hold_key = decoded.to_ascii_lowercase().contains("secret") || decoded.contains('=');
    (!decoded.is_empty() && !may_hold_key).then_some(decoded)
}

fn convert(value: &Value) -> Result<crate::Account, String> {
    let uri = value.as_str().ok_or("the entry is not text")?;
    crate::uri::parse(uri).map_err(|error| error.to_string())
}
