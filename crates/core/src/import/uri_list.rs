//! Lists of `otpauth://` URIs, one a line: Ente Auth's plain export
//! (<https://github.com/ente-io/ente/tree/main/auth>), Aegis' and 2FAS' "export
//! as URIs", and hand-made lists.
//!
//! Each line is read by [`crate::uri::parse`] (Google's Key Uri Format,
//! <https://github.com/google/google-authenticator/wiki/Key-Uri-Format>).
//! What the conversion loses: parameters Watchword has no use for, such as
//! Ente's `codeDisplay` (pinned, tags, usage counts), `image` and `icon`.
//! Blank lines are skipped; any other line that is not a valid URI is an
//! entry error naming its line.

use super::{Entries, Format, ImportError, Importer, Probe, Read};
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
                entries.push(label_of(line), Value::String(line.to_owned()));
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

/// True for a line that starts like an otpauth URI.
pub(crate) fn is_otpauth_uri(line: &str) -> bool {
    line.get(..10)
        .is_some_and(|head| head.eq_ignore_ascii_case("otpauth://"))
}

/// The decoded label of an otpauth URI ("Issuer:name"), for error
/// messages about a URI that does not parse. Never holds the secret, which
/// lives in the query.
pub(crate) fn label_of(uri: &str) -> Option<String> {
    let rest = uri.get(10..)?;
    let path = rest.split(['?', '#']).next()?;
    let label = path.split_once('/')?.1;
    let decoded = percent_encoding::percent_decode_str(label)
        .decode_utf8()
        .ok()?
        .trim()
        .to_owned();
    (!decoded.is_empty()).then_some(decoded)
}

fn convert(value: &Value) -> Result<crate::Account, String> {
    let uri = value.as_str().ok_or("the entry is not text")?;
    crate::uri::parse(uri).map_err(|error| error.to_string())
}
