//! otpauth:// URIs and typed setup keys: lenient in, canonical out.
//!
//! The format is Google's "Key Uri Format"
//! (<https://github.com/google/google-authenticator/wiki/Key-Uri-Format>):
//! `otpauth://TYPE/LABEL?PARAMETERS`, where the label is `accountname` or
//! `issuer (":" / "%3A") *"%20" accountname`. [`parse`] also accepts what other
//! generators produce in practice (any case in the scheme, type and key, spaces
//! and padding in the key, `SHA-256`, Steam in either of its two spellings);
//! [`format`] always writes one canonical form that [`parse`] reads back to the
//! same [`Account`].

use crate::account::{Account, Algorithm, OtpKind, STEAM_LENGTH, STEAM_PERIOD};
use crate::error::{Excerpt, UriError};
use crate::secret::Secret;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::sync::LazyLock;

const SCHEME: &str = "otpauth://";

/// What [`format`] percent-encodes in label parts and query values: everything
/// but RFC 3986 unreserved characters and `@` (legal in both places and common
/// in account names). So `:` (the label separator), `&`, `=`, `?`, `#`, `/`,
/// `%`, `+` and spaces (as `%20`) are always escaped, which keeps the label
/// split and the query split unambiguous.
const ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@');

/// Base32 without padding that accepts non-zero trailing bits: some
/// generators emit keys whose last character carries unused bits, and every
/// authenticator app decodes those anyway.
static BASE32_LENIENT: LazyLock<data_encoding::Encoding> = LazyLock::new(|| {
    let mut spec = data_encoding::BASE32_NOPAD.specification();
    spec.check_trailing_bits = false;
    spec.encoding()
        .expect("BASE32_NOPAD's own specification stays valid without the trailing-bit check")
});

/// Parses an `otpauth://totp/…`, `otpauth://hotp/…` or `otpauth://steam/…`
/// URI (also `otpauth://totp/…?encoder=steam`).
///
/// Issuer and name are percent-decoded and trimmed; when the `issuer`
/// parameter and the label's prefix differ, the parameter wins. Unknown
/// parameters (`image`, `icon`, `color`, …) are ignored. Steam accounts always
/// get SHA1, 5 characters and 30 seconds whatever the URI says, because that
/// is what Steam computes.
pub fn parse(uri: &str) -> Result<Account, UriError> {
    let uri = uri.trim();
    let rest = strip_prefix_ignore_case(uri, SCHEME).ok_or(UriError::NotOtpauth)?;
    // RFC 3986: a `#` starts a fragment, which is not part of the URI's data.
    // Android's `Uri` (Google Authenticator, Aegis) drops it the same way; a
    // literal `#` in a name or issuer must be sent as `%23`.
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (kind_text, label) = path.split_once('/').unwrap_or((path, ""));

    let params = Params::parse(query);
    let kind_name = kind_text.to_ascii_lowercase();
    let steam = match kind_name.as_str() {
        "steam" => true,
        "totp" => params
            .get("encoder")
            .is_some_and(|encoder| encoder.trim().eq_ignore_ascii_case("steam")),
        "hotp" => false,
        // The excerpt hides `otpauth://totp&secret=…` (a mistyped `?`),
        // which would otherwise put the key in the message.
        _ => return Err(UriError::UnknownType(Excerpt::of(&kind_name))),
    };

    let (label_issuer, name) = parse_label(label)?;
    // An empty `issuer=` says nothing, so the label's prefix still counts.
    let issuer = match params.decoded("issuer")? {
        Some(issuer) if !issuer.trim().is_empty() => issuer.trim().to_owned(),
        _ => label_issuer,
    };

    let secret = match params.decoded("secret")? {
        Some(mut text) => {
            let secret = parse_secret(&text);
            // The decoded copy is as secret as the key.
            zeroize::Zeroize::zeroize(&mut text);
            secret?
        }
        None => return Err(UriError::MissingSecret),
    };

    if steam {
        let steam = Account::new(
            &issuer,
            &name,
            secret,
            Algorithm::Sha1,
            u64::from(STEAM_LENGTH),
            OtpKind::Steam,
        );
        return Ok(steam?);
    }

    let algorithm = match params.decoded("algorithm")? {
        Some(text) => Algorithm::parse(&text)?,
        None => Algorithm::Sha1,
    };
    let digits = match params.decoded("digits")? {
        Some(text) => {
            number(&text).ok_or_else(|| UriError::DigitsOutOfRange(Excerpt::of(&text)))?
        }
        None => 6,
    };
    let kind = if kind_name == "hotp" {
        let counter = match params.decoded("counter")? {
            Some(text) => {
                number(&text).ok_or_else(|| UriError::InvalidCounter(Excerpt::of(&text)))?
            }
            // Google's format makes `counter` required for HOTP; starting at 0
            // is what every app does when a generator forgets it.
            None => 0,
        };
        OtpKind::Hotp { counter }
    } else {
        match params.decoded("period")? {
            Some(text) => OtpKind::totp(
                number(&text).ok_or_else(|| UriError::PeriodOutOfRange(Excerpt::of(&text)))?,
            )?,
            None => OtpKind::Totp { period: 30 },
        }
    };

    Ok(Account::new(
        &issuer, &name, secret, algorithm, digits, kind,
    )?)
}

/// A parameter's whole number; the rules' ranges are checked by
/// [`Account::new`].
fn number(text: &str) -> Option<u64> {
    text.trim().parse::<u64>().ok()
}

/// Writes the canonical URI of `account`:
/// `otpauth://totp/ISSUER:NAME?secret=…&issuer=ISSUER&algorithm=SHA1&digits=6&period=30`
/// (HOTP: `counter=N` instead of `period`). Steam uses Aegis' export form,
/// `otpauth://steam/Steam:NAME?secret=…&issuer=Steam&algorithm=SHA1&digits=5&period=30`,
/// which Aegis, 2FAS and others import.
///
/// With an empty issuer the label is just the name and there is no `issuer`
/// parameter. The result holds the secret: treat it like the secret.
pub fn format(account: &Account) -> String {
    // Room for the type, `&issuer=`, and the algorithm, digits and
    // period/counter parameters (a 20-digit counter included).
    const FORMAT_SLACK: usize = 128;
    let issuer = encode(&account.issuer);
    let name = encode(&account.name);
    let label = if !account.issuer.is_empty() {
        format!("{issuer}:{name}")
    } else if name.contains("%3A") {
        // Without a literal `:`, `parse` would take an encoded colon in the
        // name for the separator (Google's grammar allows `%3A` there). An
        // empty issuer before a literal `:` keeps the name whole.
        format!(":{name}")
    } else {
        name
    };

    // The key's text and the URI are as secret as the key: the first is
    // wiped when dropped, and the second is sized up front so that no
    // reallocation leaves a copy behind (callers wrap it in `Zeroizing`).
    let secret = zeroize::Zeroizing::new(account.secret.to_base32());
    let mut uri = String::with_capacity(
        SCHEME.len() + label.len() + secret.len() + issuer.len() + FORMAT_SLACK,
    );
    uri.push_str(SCHEME);
    uri.push_str(account.kind.name());
    uri.push('/');
    uri.push_str(&label);
    uri.push_str("?secret=");
    uri.push_str(&secret);
    if !account.issuer.is_empty() {
        uri.push_str("&issuer=");
        uri.push_str(&issuer);
    }
    let (algorithm, digits) = match account.kind {
        OtpKind::Steam => (Algorithm::Sha1, STEAM_LENGTH),
        _ => (account.algorithm, account.digits),
    };
    uri.push_str(&format!(
        "&algorithm={}&digits={digits}",
        algorithm.as_str()
    ));
    match account.kind {
        OtpKind::Totp { period } => uri.push_str(&format!("&period={period}")),
        OtpKind::Steam => uri.push_str(&format!("&period={STEAM_PERIOD}")),
        OtpKind::Hotp { counter } => uri.push_str(&format!("&counter={counter}")),
    }
    uri
}

/// Reads a base32 key as people copy it from a "Can't scan the barcode?" page:
/// any case, with spaces, hyphens and trailing `=` padding.
///
/// Errors name the 1-based position of a bad character in `text` and never
/// repeat the key itself.
pub fn parse_secret(text: &str) -> Result<Secret, UriError> {
    let mut symbols = String::with_capacity(text.len());
    // Position of the first `=` seen: padding is fine only at the end.
    let mut padding_at = None;
    for (index, c) in text.chars().enumerate() {
        let position = index + 1;
        match c {
            c if c.is_whitespace() || c == '-' => {}
            '=' => {
                padding_at.get_or_insert(position);
            }
            'A'..='Z' | 'a'..='z' | '2'..='7' => {
                if let Some(position) = padding_at {
                    return Err(UriError::InvalidSecretCharacter { position });
                }
                symbols.push(c.to_ascii_uppercase());
            }
            _ => return Err(UriError::InvalidSecretCharacter { position }),
        }
    }
    if symbols.is_empty() {
        return Err(UriError::EmptySecret);
    }
    let length = symbols.len();
    // 8 base32 characters carry 5 bytes; a final group of 1, 3 or 6
    // characters ends in the middle of a byte, so the key was cut short.
    if matches!(length % 8, 1 | 3 | 6) {
        return Err(UriError::InvalidSecretLength { length });
    }
    let bytes = BASE32_LENIENT
        .decode(symbols.as_bytes())
        .map_err(|_| UriError::InvalidSecretLength { length });
    // The normalised copy is as secret as the key.
    zeroize::Zeroize::zeroize(&mut symbols);
    Ok(Secret::from_bytes(bytes?))
}

/// Turns what someone pasted or typed while adding an account into one: an
/// `otpauth://` URI, or a bare key for a TOTP account with the usual
/// parameters. A non-empty `issuer` or `name` given beside the text replaces
/// the URI's.
pub fn parse_input(text: &str, issuer: &str, name: &str) -> Result<Account, UriError> {
    let text = text.trim();
    let (issuer, name) = (crate::account::label(issuer), crate::account::label(name));
    if strip_prefix_ignore_case(text, SCHEME).is_some() {
        let mut account = parse(text)?;
        if !issuer.is_empty() {
            account.issuer = issuer;
        }
        if !name.is_empty() {
            account.name = name;
        }
        return Ok(account);
    }
    // Some other URI (an `otpauth-migration://` export, a web link) is not a
    // key with a bad character in it; say what it is not.
    if text.contains("://") {
        return Err(UriError::NotOtpauth);
    }
    let (algorithm, digits, kind) = (Algorithm::Sha1, 6, OtpKind::Totp { period: 30 });
    Ok(Account::new(
        &issuer,
        &name,
        parse_secret(text)?,
        algorithm,
        digits,
        kind,
    )?)
}

/// `text` without `prefix`, compared ASCII-case-insensitively.
fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// Splits and decodes a label into (issuer prefix, account name), both
/// trimmed.
///
/// The separator is the first literal `:`; failing that, the first `%3A`
/// (Google's grammar allows both). Splitting before decoding is what lets an
/// escaped `:` live inside an issuer or a name.
///
/// `+` stays a plus sign here: RFC 3986 paths have no "`+` is a space" rule,
/// Android's `Uri.getPath()` (Google Authenticator, Aegis) keeps it, and
/// plus-addressed e-mails (`me+github@example.com`) are common account names.
fn parse_label(label: &str) -> Result<(String, String), UriError> {
    // Some generators write `otpauth://totp//Label`.
    let label = label.strip_prefix('/').unwrap_or(label);
    let split = label.split_once(':').or_else(|| {
        let at = label.to_ascii_uppercase().find("%3A")?;
        Some((&label[..at], &label[at + 3..]))
    });
    let decode = |raw: &str| percent_decode(raw, "label").map(|text| text.trim().to_owned());
    match split {
        Some((issuer, name)) => Ok((decode(issuer)?, decode(name)?)),
        None => Ok((String::new(), decode(label)?)),
    }
}

/// Decodes `%XX` escapes, refusing a `%` without two hex digits after it and
/// escapes that do not decode to UTF-8 (`percent_decode_str` would pass the
/// former through silently).
fn percent_decode(raw: &str, part: &'static str) -> Result<String, UriError> {
    let bytes = raw.as_bytes();
    let well_formed = bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || bytes
                .get(i + 1..i + 3)
                .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit))
    });
    if !well_formed {
        return Err(UriError::BadEscape(part));
    }
    percent_decode_str(raw)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| UriError::BadEscape(part))
}

fn encode(text: &str) -> String {
    utf8_percent_encode(text, ENCODE).to_string()
}

/// The raw `key=value` pairs of a query; values are decoded on demand so a
/// malformed escape in a parameter we ignore (an icon URL) cannot fail the
/// import. One value is the secret key: `Debug` shows the names only.
struct Params<'a>(Vec<(String, &'a str)>);

impl std::fmt::Debug for Params<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Params")
            .field(&self.0.iter().map(|(key, _)| key).collect::<Vec<_>>())
            .finish()
    }
}

impl<'a> Params<'a> {
    fn parse(query: &'a str) -> Self {
        let pairs = query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .filter_map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                // Keys are matched case-insensitively; one we cannot decode is
                // not one we know.
                let key = percent_decode(&key.replace('+', " "), "query").ok()?;
                Some((key.trim().to_ascii_lowercase(), value))
            })
            .collect();
        Self(pairs)
    }

    /// The raw value of the first `key` parameter (Android's
    /// `getQueryParameter` also takes the first).
    fn get(&self, key: &str) -> Option<&'a str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    /// The decoded value of `key`. In query values `+` means a space (HTML
    /// form encoding, which many generators use); a literal plus is `%2B`.
    fn decoded(&self, key: &str) -> Result<Option<String>, UriError> {
        self.get(key)
            .map(|raw| {
                // As secret as the value (for "secret", the key): wiped once
                // decoded.
                let spaced = zeroize::Zeroizing::new(raw.replace('+', " "));
                percent_decode(&spaced, "query")
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests;
