//! Google Authenticator's "Transfer accounts" export: `otpauth-migration://`
//! URIs, one a line (as QR decoders and tools such as `otp_export` print
//! them). The URIs themselves are decoded by [`crate::migration`]; the
//! payload is the protobuf `MigrationPayload` recovered from the app
//! (<https://github.com/qistoph/otp_export/blob/master/OtpMigration.proto>).
//!
//! What the conversion loses: the format has no period, so TOTP accounts are
//! 30-second ones, and no Steam type; MD5 or unknown-type entries are
//! reported as entry errors. `otpauth://` lines mixed in are read too.

use super::{Entries, Format, ImportError, Importer, Probe, Read};
use crate::migration;
use serde_json::Value;

/// The Google Authenticator export importer.
#[derive(Debug, Clone, Copy)]
pub struct GoogleAuthenticator;

impl Importer for GoogleAuthenticator {
    const FORMAT: Format = Format::GoogleAuthenticator;

    fn detect(probe: &Probe<'_>) -> bool {
        probe.lines().any(is_migration_uri)
    }

    fn read(bytes: &[u8]) -> Result<Read, ImportError> {
        let text = super::text_of(bytes).ok_or_else(|| {
            ImportError::damaged(Self::FORMAT, "the file", "it is not UTF-8 text")
        })?;
        let mut entries = Entries::new(Self::FORMAT, convert);
        let mut codes = 0;
        for (number, line) in text.lines().enumerate() {
            // Refused already: the rest is not decoded (each line may
            // hold thousands of accounts).
            if entries.past_limit() {
                entries.stop_reading();
                break;
            }
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            if super::uri_list::is_otpauth_uri(line) {
                entries.push(
                    super::uri_list::label_of(line),
                    Value::String(line.to_owned()),
                );
                continue;
            }
            if !is_migration_uri(line) {
                entries.push_error(
                    None,
                    format!("line {} is not an otpauth-migration:// URI", number + 1),
                );
                continue;
            }
            codes += 1;
            match migration::decode(line) {
                Ok(batch) => {
                    // Canonical URIs carry every field the format has, and
                    // `uri::parse` reads them back to the same account.
                    for account in &batch.accounts {
                        let name = super::display_name(&account.issuer, &account.name);
                        entries.push(name, Value::String(crate::uri::format(account)));
                    }
                    for skipped in &batch.skipped {
                        let label = Some(skipped.label.clone()).filter(|l| !l.is_empty());
                        entries.push_error(label, skipped.problem.to_string());
                    }
                }
                Err(error) => entries.push_error(None, format!("line {}: {error}", number + 1)),
            }
        }
        if codes == 0 {
            return Err(ImportError::damaged(
                Self::FORMAT,
                "the file",
                "it holds no otpauth-migration:// URI",
            ));
        }
        Ok(Read::Plain(entries))
    }
}

/// True for a line that starts like a Google Authenticator export URI.
pub(crate) fn is_migration_uri(line: &str) -> bool {
    line.get(..20)
        .is_some_and(|head| head.eq_ignore_ascii_case("otpauth-migration://"))
}

fn convert(value: &Value) -> Result<crate::Account, String> {
    let uri = value.as_str().ok_or("the entry is not text")?;
    crate::uri::parse(uri).map_err(|error| error.to_string())
}
