//! FreeOTP+'s JSON export.
//!
//! Format: `{"tokenOrder": [...], "tokens": [token, …]}` as written by
//! FreeOTP+ (<https://github.com/helloworld1/FreeOTPPlus>); each token has
//! FreeOTP's shape (`{algo, counter, digits, issuerExt, label, period, secret:
//! [signed bytes], type}`, see [`super::freeotp`]), converted the same way.
//!
//! What the conversion loses: images and the token order. Like FreeOTP, an
//! HOTP token's counter is the one *before* the code it last showed, so it
//! comes out one less than the account had when exported.

use super::{Entries, Format, ImportError, Importer, Probe, Read};
use serde_json::Value;

/// The FreeOTP+ importer.
#[derive(Debug, Clone, Copy)]
pub struct FreeOtpPlus;

impl Importer for FreeOtpPlus {
    const FORMAT: Format = Format::FreeOtpPlus;

    fn detect(probe: &Probe<'_>) -> bool {
        (probe.json_has("tokens") && probe.json_has("tokenOrder"))
            || probe.damaged_json_has("tokenOrder")
            || probe.damaged_json_has("tokens")
    }

    fn read(bytes: &[u8]) -> Result<Read, ImportError> {
        let doc = super::parse_json(bytes, Self::FORMAT)?;
        let tokens = doc.get("tokens").and_then(Value::as_array).ok_or_else(|| {
            ImportError::damaged(Self::FORMAT, "tokens", "it is missing or not a list")
        })?;
        let mut entries = Entries::new(Self::FORMAT, super::freeotp::convert_token);
        for token in tokens {
            entries.push(super::freeotp::token_name(token), token.clone());
        }
        Ok(Read::Plain(entries))
    }
}
