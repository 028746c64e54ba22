//! What format detection shows each importer: the file's content, looked at
//! once and in a fixed order of [`Probe`]s, so that every format decides
//! "is this mine?" in its own file ([`super::Importer::detect`]) and none of
//! them re-parses the file.
//!
//! Detection looks at the content only, never the file name: first binary
//! signatures (FreeOTP v2's Java serialisation, Stratum's header), then the
//! one shape the content has (binary, XML, JSON that parses, JSON that does
//! not, or lines of text). Within a probe the registry's order decides.

use super::{fields, wipe, Format};
use serde_json::Value;
use std::fmt;

/// How far into a damaged JSON document detection looks for keys.
const DAMAGED_JSON_HEAD_CHARS: usize = 4096;

/// One view of a file's content that detection offers every format, in
/// order: [`Probe::Signature`] first, then exactly one of the others.
///
/// The content is a backup's, keys and all: `Debug` shows the kind of
/// probe and its size, never the content.
#[non_exhaustive]
#[derive(Clone, Copy)]
pub enum Probe<'a> {
    /// The raw bytes, offered first to every format: for binary signatures.
    Signature(&'a [u8]),
    /// Bytes that are not UTF-8 text (and matched no signature).
    Binary(&'a [u8]),
    /// Text starting with `<`, leading whitespace removed.
    Xml(&'a str),
    /// A JSON document that parsed, within the JSON budgets.
    Json(&'a Value),
    /// Text starting with `{` or `[` that is not valid JSON (or is over a
    /// budget): a format may claim it from its keys, so that the error can
    /// say which format's file is damaged.
    DamagedJson(&'a str),
    /// Any other text, leading whitespace removed.
    Lines(&'a str),
}

impl<'a> Probe<'a> {
    /// True when this is a parsed JSON object with `key` at its top level.
    pub fn json_has(&self, key: &str) -> bool {
        matches!(self, Probe::Json(Value::Object(map)) if map.contains_key(key))
    }

    /// True when this is damaged JSON whose first 4096 characters mention
    /// `"key"`.
    pub fn damaged_json_has(&self, key: &str) -> bool {
        let Probe::DamagedJson(text) = self else {
            return false;
        };
        let head = text
            .char_indices()
            .nth(DAMAGED_JSON_HEAD_CHARS)
            .map_or(*text, |(end, _)| &text[..end]);
        head.contains(&format!("\"{key}\""))
    }

    /// The non-blank lines of a [`Probe::Lines`], trimmed; none otherwise.
    pub fn lines(&self) -> impl Iterator<Item = &'a str> + Clone {
        let text = match self {
            Probe::Lines(text) => *text,
            _ => "",
        };
        text.lines().map(str::trim).filter(|line| !line.is_empty())
    }
}

impl fmt::Debug for Probe<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, unit, size) = match self {
            Probe::Signature(bytes) => ("Signature", "bytes", bytes.len()),
            Probe::Binary(bytes) => ("Binary", "bytes", bytes.len()),
            Probe::Xml(text) => ("Xml", "bytes", text.len()),
            Probe::Json(Value::Array(items)) => ("Json", "items", items.len()),
            Probe::Json(Value::Object(map)) => ("Json", "keys", map.len()),
            Probe::Json(_) => ("Json", "items", 1),
            Probe::DamagedJson(text) => ("DamagedJson", "bytes", text.len()),
            Probe::Lines(text) => ("Lines", "bytes", text.len()),
        };
        f.debug_struct(kind).field(unit, &size).finish()
    }
}

/// Offers `bytes` to `claim` probe by probe and returns the first format
/// claimed. Parsed JSON is wiped once looked at: it may hold keys.
pub(crate) fn detect(bytes: &[u8], claim: impl Fn(&Probe<'_>) -> Option<Format>) -> Option<Format> {
    if let Some(format) = claim(&Probe::Signature(bytes)) {
        return Some(format);
    }
    let Some(text) = fields::text_of(bytes) else {
        return claim(&Probe::Binary(bytes));
    };
    let trimmed = text.trim_start();
    if trimmed.starts_with('<') {
        return claim(&Probe::Xml(trimmed));
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return match fields::json_from_str(trimmed, Format::OtpauthUris, "the file") {
            Ok(mut value) => {
                let format = claim(&Probe::Json(&value));
                wipe(&mut value);
                format
            }
            Err(_) => claim(&Probe::DamagedJson(trimmed)),
        };
    }
    claim(&Probe::Lines(trimmed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damaged_json_keys_are_looked_for_in_the_head_only() {
        let far = format!("{{{}\"header\"", " ".repeat(DAMAGED_JSON_HEAD_CHARS));
        assert!(!Probe::DamagedJson(&far).damaged_json_has("header"));
        assert!(Probe::DamagedJson("{\"header\": [").damaged_json_has("header"));
        assert!(!Probe::Lines("{\"header\": [").damaged_json_has("header"));
    }

    // See: review of the importers, "`{:?}` of a Probe prints the backup".
    #[test]
    fn debug_shows_the_kind_and_size_never_the_content() {
        const KEY: &str = "JBSWY3DPEHPK3PXP";
        let uri = format!("otpauth://totp/Shop:me?secret={KEY}");
        let json: Value = serde_json::json!({ "db": { "entries": [{ "secret": KEY }] } });
        let shown = [
            format!("{:?}", Probe::Lines(&uri)),
            format!("{:?}", Probe::Json(&json)),
            format!("{:?}", Probe::Signature(uri.as_bytes())),
            format!("{:?}", Probe::DamagedJson(&uri)),
        ];
        for shown in &shown {
            assert!(!shown.contains(KEY) && !shown.contains("Shop"), "{shown}");
        }
        assert_eq!(shown[0], format!("Lines {{ bytes: {} }}", uri.len()));
        assert_eq!(shown[1], "Json { keys: 1 }");
    }

    #[test]
    fn lines_are_trimmed_and_blank_ones_skipped() {
        let probe = Probe::Lines(" a \n\n  \n b");
        assert_eq!(probe.lines().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(Probe::Xml("<a/>").lines().count(), 0);
    }
}
