//! Helpers shared by the format modules: text, JSON and Android-preferences
//! parsing within the budgets of [`crate::limits`], typed access to JSON
//! fields with messages that name the field (never its value), the decoders
//! (base32, base64, hex) keys come in, and the account rules of
//! [`crate::account`] with their errors as an entry's reason.

use super::{Format, ImportError};
use crate::account::{Account, Algorithm, OtpKind};
use crate::limits;
use crate::secret::Secret;
use serde_json::{Map, Value};
use zeroize::Zeroize;

/// `bytes` as text when it is UTF-8, without a byte-order mark.
pub(crate) fn text_of(bytes: &[u8]) -> Option<&str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).ok()
}

/// Parses a whole file as JSON, saying where it is damaged when it is not.
pub(crate) fn parse_json(bytes: &[u8], format: Format) -> Result<Value, ImportError> {
    let text = text_of(bytes)
        .ok_or_else(|| ImportError::damaged(format, "the file", "it is not UTF-8 text"))?;
    json_from_str(text, format, "the file")
}

/// Parses `text` (a file or a decrypted part of one) as JSON, within
/// [`limits::MAX_JSON_VALUES`] and [`limits::MAX_JSON_DEPTH`].
pub(crate) fn json_from_str(text: &str, format: Format, part: &str) -> Result<Value, ImportError> {
    json_values(text)?;
    serde_json::from_str(text).map_err(|error| json_damage(&error, format, part))
}

/// At most how many values parsing `text` as JSON makes, checked against
/// the budgets before anything is allocated. Every value but the first
/// follows a `[`, `{`, `,` or `:` outside strings, so counting those bounds
/// the values (and the keys); brackets give the depth.
pub(crate) fn json_values(text: &str) -> Result<usize, ImportError> {
    let (mut values, mut depth, mut in_string, mut escaped) = (1usize, 0usize, false, false);
    for &byte in text.as_bytes() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                values += 1;
                depth += 1;
                if depth > limits::MAX_JSON_DEPTH {
                    return Err(ImportError::too_large(format!(
                        "its JSON nests deeper than {} levels (real backups nest five)",
                        limits::MAX_JSON_DEPTH
                    )));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' | b':' => values += 1,
            _ => {}
        }
        if values > limits::MAX_JSON_VALUES {
            return Err(ImportError::too_large(format!(
                "its JSON holds more than {} values, more than any real backup",
                limits::MAX_JSON_VALUES
            )));
        }
    }
    Ok(values)
}

/// Parses decrypted bytes as JSON and wipes them.
pub(crate) fn json_from_plaintext(
    mut plaintext: Vec<u8>,
    format: Format,
    part: &str,
) -> Result<Value, ImportError> {
    let result = match std::str::from_utf8(&plaintext) {
        Ok(text) => json_from_str(text, format, part),
        Err(_) => Err(ImportError::damaged(
            format,
            part,
            "it does not decrypt to UTF-8 text",
        )),
    };
    plaintext.zeroize();
    result
}

/// A JSON syntax error as a [`ImportError::Damaged`]. serde_json's syntax
/// messages name a position, never the content.
fn json_damage(error: &serde_json::Error, format: Format, part: &str) -> ImportError {
    let reason = match error.classify() {
        serde_json::error::Category::Eof => format!(
            "it ends too early (line {}, column {}): the file is truncated",
            error.line(),
            error.column()
        ),
        _ => format!(
            "it is not valid JSON (line {}, column {})",
            error.line(),
            error.column()
        ),
    };
    ImportError::damaged(format, part, reason)
}

/// The `<string name="…">value</string>` children of an Android shared
/// preferences file (`<map>…</map>`), in document order.
pub(crate) fn android_prefs_strings(
    text: &str,
    format: Format,
) -> Result<Vec<(String, String)>, ImportError> {
    let options = roxmltree::ParsingOptions {
        // No entity can expand: a DTD is refused (roxmltree's default, kept
        // explicit), and the node count is bounded.
        allow_dtd: false,
        nodes_limit: limits::MAX_XML_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    let document = roxmltree::Document::parse_with_options(text, options).map_err(|error| {
        let reason = match error {
            roxmltree::Error::NodesLimitReached => {
                return ImportError::too_large(format!(
                    "its XML holds more than {} nodes, more than any real backup",
                    limits::MAX_XML_NODES
                ))
            }
            roxmltree::Error::DtdDetected => {
                "it declares a DTD (entities), which no Android preferences file has".to_owned()
            }
            roxmltree::Error::UnexpectedEndOfStream => {
                "it ends too early: the file is truncated".to_owned()
            }
            _ => {
                let pos = error.pos();
                format!("it is not valid XML (line {}, column {})", pos.row, pos.col)
            }
        };
        ImportError::damaged(format, "the file", reason)
    })?;
    let root = document.root_element();
    if !root.has_tag_name("map") {
        return Err(ImportError::damaged(
            format,
            "the file",
            "it is not an Android preferences file (no <map> element)",
        ));
    }
    Ok(root
        .children()
        .filter(|node| node.has_tag_name("string"))
        .map(|node| {
            let name = node.attribute("name").unwrap_or("").to_owned();
            let value: String = node.children().filter_map(|child| child.text()).collect();
            (name, value)
        })
        .collect())
}

/// The object `value` is, or a reason naming `what`.
pub(crate) fn as_object<'a>(
    value: &'a Value,
    what: &str,
) -> Result<&'a Map<String, Value>, String> {
    value
        .as_object()
        .ok_or_else(|| format!("{what} is not a JSON object"))
}

/// A required string field.
pub(crate) fn field_str<'a>(value: &'a Value, key: &str) -> Result<&'a str, String> {
    match value.get(key) {
        Some(Value::String(text)) => Ok(text),
        Some(_) => Err(format!("field \"{key}\" is not text")),
        None => Err(format!("field \"{key}\" is missing")),
    }
}

/// An optional string field; `null` and absent are `None`.
pub(crate) fn opt_str<'a>(value: &'a Value, key: &str) -> Result<Option<&'a str>, String> {
    match value.get(key) {
        Some(Value::String(text)) => Ok(Some(text)),
        Some(Value::Null) | None => Ok(None),
        Some(_) => Err(format!("field \"{key}\" is not text")),
    }
}

/// A required whole-number field (also accepted when written as a string of
/// digits, as some apps do).
pub(crate) fn field_u64(value: &Value, key: &str) -> Result<u64, String> {
    opt_u64(value, key)?.ok_or_else(|| format!("field \"{key}\" is missing"))
}

/// An optional whole-number field.
pub(crate) fn opt_u64(value: &Value, key: &str) -> Result<Option<u64>, String> {
    match value.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .map(Some)
            .ok_or_else(|| format!("field \"{key}\" is not a whole number of 0 or more")),
        Some(Value::String(text)) => text
            .trim()
            .parse::<u64>()
            .map(Some)
            .map_err(|_| format!("field \"{key}\" is not a whole number of 0 or more")),
        Some(_) => Err(format!("field \"{key}\" is not a number")),
    }
}

/// A byte array stored as JSON numbers (Java's signed bytes, -128..=255).
pub(crate) fn byte_array(value: &Value, key: &str) -> Result<Vec<u8>, String> {
    let items = match value.get(key) {
        Some(Value::Array(items)) => items,
        Some(_) => return Err(format!("field \"{key}\" is not a list of bytes")),
        None => return Err(format!("field \"{key}\" is missing")),
    };
    items
        .iter()
        .map(|item| {
            item.as_i64()
                .filter(|n| (-128..=255).contains(n))
                // Two's complement: Java's -1 is 0xff.
                .map(|n| n as u8)
                .ok_or_else(|| format!("field \"{key}\" holds something that is not a byte"))
        })
        .collect()
}

/// "Issuer (name)", "Issuer" or "name" for error messages; `None` when both
/// are empty.
pub(crate) fn display_name(issuer: &str, name: &str) -> Option<String> {
    let (issuer, name) = (issuer.trim(), name.trim());
    (!issuer.is_empty() || !name.is_empty()).then(|| crate::account::display_name(issuer, name))
}

/// [`Algorithm::parse`], its error as an entry's reason.
pub(crate) fn parse_algorithm(text: &str) -> Result<Algorithm, String> {
    Algorithm::parse(text).map_err(|error| error.to_string())
}

/// A base32 key as apps store it (any case, padding, spaces).
pub(crate) fn base32_secret(text: &str) -> Result<Secret, String> {
    crate::uri::parse_secret(text).map_err(|error| error.to_string())
}

/// Standard base64 (with or without padding, ignoring whitespace); `None`
/// too for text that would decode to more than [`limits::MAX_DECODED_BYTES`].
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    if text.len() / 4 * 3 > limits::MAX_DECODED_BYTES {
        return None;
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let unpadded = compact.trim_end_matches('=');
    data_encoding::BASE64_NOPAD.decode(unpadded.as_bytes()).ok()
}

/// Hex, either case.
pub(crate) fn hex_decode(text: &str) -> Option<Vec<u8>> {
    data_encoding::HEXLOWER_PERMISSIVE
        .decode(text.trim().as_bytes())
        .ok()
}

/// [`OtpKind::totp`], its error as an entry's reason.
pub(crate) fn totp_kind(period: u64) -> Result<OtpKind, String> {
    OtpKind::totp(period).map_err(|error| error.to_string())
}

/// [`Account::new`] (the rules every account follows), its error as an
/// entry's reason.
pub(crate) fn account(
    issuer: &str,
    name: &str,
    secret: Secret,
    algorithm: Algorithm,
    digits: u64,
    kind: OtpKind,
) -> Result<Account, String> {
    Account::new(issuer, name, secret, algorithm, digits, kind).map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_spellings() {
        assert_eq!(parse_algorithm("HmacSHA256"), Ok(Algorithm::Sha256));
        assert_eq!(parse_algorithm("sha-512"), Ok(Algorithm::Sha512));
        assert!(parse_algorithm("MD5").is_err());
    }

    #[test]
    fn java_signed_bytes() {
        let value = serde_json::json!({"secret": [-1, 0, 127, -128]});
        assert_eq!(byte_array(&value, "secret"), Ok(vec![0xff, 0, 0x7f, 0x80]));
        let value = serde_json::json!({"secret": [1.5]});
        assert!(byte_array(&value, "secret").is_err());
    }
}
