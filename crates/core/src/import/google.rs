//! Google Authenticator's "Transfer accounts" export: `otpauth-migration://`
//! URIs, one a line (as QR decoders and tools such as `otp_export` print
//! them). The URIs themselves are decoded by [`crate::migration`]; the
//! payload is the protobuf `MigrationPayload` recovered from the app
//! (<https://github.com/qistoph/otp_export/blob/master/OtpMigration.proto>).
//!
//! What the conversion loses: the format has no period, so TOTP accounts are
//! 30-second ones, and no Steam type; MD5 or unknown-type entries are
//! reported as entry errors. `otpauth://` lines mixed in are read too. An
//! export whose parts are not all in the file is an entry error as well,
//! naming the missing parts, as the same links pasted or scanned say.

use super::{Entries, Format, ImportError, Importer, Probe, Read};
use crate::migration;
use crate::payload::BatchTracker;
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
        let mut parts = BatchTracker::new();
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
                    parts.add(&batch);
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
        // The accounts of a part not in the file are not imported: said
        // like an entry that could not be read, so that the import is
        // known to be partial (the CLI exits non-zero on it).
        for export in parts.incomplete() {
            let (missing, count) = export.missing_in_words();
            let (noun, verb, whose, links) = if count == 1 {
                ("part", "is", "its", "the link of that part")
            } else {
                ("parts", "are", "their", "the links of those parts")
            };
            entries.push_error(
                None,
                format!(
                    "{noun} {missing} of {} of a Google Authenticator export {verb} not in \
                     this file, so {whose} accounts are missing: add {links} to it",
                    export.batch_size
                ),
            );
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::Account;
    use crate::secret::Secret;

    /// The links of an export of `accounts` accounts, one a part.
    fn export_links(accounts: u8) -> Vec<String> {
        (0..accounts)
            .map(|i| {
                let account = Account::totp(
                    "Shop",
                    &format!("user{i}"),
                    Secret::from_bytes(vec![i + 1; 10]),
                );
                migration::encode(&[account], i.into(), accounts.into(), 7).expect("exportable")
            })
            .collect()
    }

    fn read(text: &str) -> crate::import::Conversion {
        match GoogleAuthenticator::read(text.as_bytes()).expect("readable") {
            Read::Plain(entries) => entries.convert(),
            Read::Encrypted(_) => panic!("taken for encrypted"),
        }
    }

    // See: review of the importers, "a file of export links missing a part
    // imports without a word".
    #[test]
    fn parts_missing_from_the_file_are_said_as_an_entry_error() {
        let links = export_links(5);
        let conversion = read(&format!("{}\n{}\n{}\n", links[0], links[2], links[4]));
        assert_eq!(conversion.accounts.len(), 3);
        let reasons: Vec<&str> = conversion
            .errors
            .iter()
            .map(|e| e.reason.as_str())
            .collect();
        assert_eq!(
            reasons,
            [
                "parts 2 and 4 of 5 of a Google Authenticator export are not in this file, \
              so their accounts are missing: add the links of those parts to it"
            ]
        );
        let conversion = read(&format!("{}\n{}\n", links[0], links[1]));
        let reasons: Vec<&str> = conversion
            .errors
            .iter()
            .map(|e| e.reason.as_str())
            .collect();
        assert_eq!(
            reasons,
            [
                "parts 3–5 of 5 of a Google Authenticator export are not in this file, \
              so their accounts are missing: add the links of those parts to it"
            ]
        );
        // One part missing, among otpauth lines; and every part there,
        // in any order, is no error.
        let conversion = read(&format!(
            "otpauth://totp/A:me?secret=JBSWY3DPEHPK3PXP\n{}\n{}\n{}\n{}\n",
            links[4], links[3], links[1], links[0]
        ));
        assert_eq!(conversion.accounts.len(), 5);
        assert_eq!(conversion.errors.len(), 1);
        assert_eq!(
            conversion.errors[0].reason,
            "part 3 of 5 of a Google Authenticator export is not in this file, so its \
             accounts are missing: add the link of that part to it"
        );
        let conversion = read(&links.join("\n"));
        assert_eq!((conversion.accounts.len(), conversion.errors.len()), (5, 0));
    }
}
