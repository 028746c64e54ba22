//! Manual entry: what a person types into the add form (or the CLI's flags)
//! turned into an account. The input is either an otpauth URI or a bare key as
//! shown under "Can't scan the barcode?"; the advanced fields apply to a key.

use crate::account::{Account, Algorithm, OtpKind};
use crate::error::{Excerpt, UriError};
use crate::uri;
use serde::Deserialize;

/// The add form's fields, all optional but `input`.
///
/// `input` may be a key: `Debug` leaves it out.
#[derive(Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ManualEntry {
    /// An otpauth URI or a setup key (spaces, hyphens and lowercase
    /// allowed); wiped when the entry goes (the IPC's and the JSON
    /// parser's own buffers are not Watchword's to wipe).
    pub input: zeroize::Zeroizing<String>,
    /// Issuer; overrides the URI's when not empty.
    pub issuer: String,
    /// Account name; overrides the URI's when not empty.
    pub name: String,
    /// `totp` (default), `hotp` or `steam`; for a bare key.
    pub kind: Option<String>,
    /// `SHA1` (default), `SHA256` or `SHA512`; for a bare key.
    pub algorithm: Option<String>,
    /// 4 to 10 (default 6); for a bare key.
    pub digits: Option<u8>,
    /// Seconds per code (default 30); for a bare TOTP key.
    pub period: Option<u32>,
    /// First counter value (default 0); for a bare HOTP key.
    pub counter: Option<u64>,
}

impl std::fmt::Debug for ManualEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManualEntry")
            .field("input", &"<redacted>")
            .field("issuer", &self.issuer)
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("algorithm", &self.algorithm)
            .field("digits", &self.digits)
            .field("period", &self.period)
            .field("counter", &self.counter)
            .finish()
    }
}

impl ManualEntry {
    /// Validates the entry and builds the account; the error says which field
    /// is wrong and never repeats the key.
    pub fn to_account(&self) -> Result<Account, UriError> {
        let text = self.input.trim();
        // No lowercased copy of the whole input: it may be a key.
        let scheme = "otpauth://";
        if text
            .get(..scheme.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(scheme))
        {
            return uri::parse_input(text, self.issuer.trim(), self.name.trim());
        }
        let secret = uri::parse_secret(text)?;
        let algorithm = match self.algorithm.as_deref().map(str::trim) {
            None | Some("") => Algorithm::Sha1,
            Some(name) => Algorithm::parse(name)?,
        };
        let period = self.period.unwrap_or(30);
        let kind = match self.kind.as_deref().map(|k| k.trim().to_ascii_lowercase()) {
            None => OtpKind::Totp { period },
            Some(k) if k.is_empty() || k == "totp" => OtpKind::Totp { period },
            Some(k) if k == "hotp" => OtpKind::Hotp {
                counter: self.counter.unwrap_or(0),
            },
            Some(k) if k == "steam" => OtpKind::Steam,
            Some(other) => return Err(UriError::UnknownType(Excerpt::of(&other))),
        };
        let digits = u64::from(self.digits.unwrap_or(6));
        let (issuer, name) = (&self.issuer, &self.name);
        Ok(Account::new(issuer, name, secret, algorithm, digits, kind)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(input: &str) -> ManualEntry {
        ManualEntry {
            input: zeroize::Zeroizing::new(input.into()),
            issuer: " Amazon ".into(),
            name: "me@example.com".into(),
            ..ManualEntry::default()
        }
    }

    #[test]
    fn debug_leaves_the_key_out() {
        let shown = format!("{:?}", key("jbsw y3dp ehpk 3pxp"));
        assert!(!shown.contains("jbsw"), "{shown}");
        assert!(
            shown.contains("<redacted>") && shown.contains("Amazon"),
            "{shown}"
        );
    }

    #[test]
    fn a_key_typed_from_a_web_page_is_accepted() {
        let account = key("jbsw y3dp ehpk 3pxp").to_account().expect("valid key");
        assert_eq!(account.issuer, "Amazon");
        assert_eq!(account.secret.expose(), b"Hello!\xde\xad\xbe\xef");
        assert_eq!(account.kind, OtpKind::Totp { period: 30 });
        assert_eq!((account.digits, account.algorithm), (6, Algorithm::Sha1));
    }

    #[test]
    fn advanced_fields_apply_to_a_key() {
        let mut entry = key("JBSWY3DPEHPK3PXP");
        entry.kind = Some("hotp".into());
        entry.counter = Some(7);
        entry.digits = Some(8);
        entry.algorithm = Some("sha-256".into());
        let account = entry.to_account().expect("valid");
        assert_eq!(account.kind, OtpKind::Hotp { counter: 7 });
        assert_eq!((account.digits, account.algorithm), (8, Algorithm::Sha256));
    }

    #[test]
    fn form_names_override_the_uri() {
        let mut entry = key("otpauth://totp/Old:old?secret=JBSWY3DPEHPK3PXP&issuer=Old");
        entry.name = "new".into();
        let account = entry.to_account().expect("valid");
        assert_eq!(
            (account.issuer.as_str(), account.name.as_str()),
            ("Amazon", "new")
        );
    }

    #[test]
    fn bad_fields_get_specific_errors() {
        let mut entry = key("JBSWY3DPEHPK3PXP");
        entry.digits = Some(11);
        assert_eq!(
            entry.to_account(),
            Err(UriError::DigitsOutOfRange("11".into()))
        );
        entry.digits = None;
        entry.period = Some(0);
        assert_eq!(
            entry.to_account(),
            Err(UriError::PeriodOutOfRange("0".into()))
        );
        entry.period = None;
        entry.algorithm = Some("MD5".into());
        assert_eq!(
            entry.to_account(),
            Err(UriError::UnknownAlgorithm("MD5".into()))
        );
        assert_eq!(key("").to_account(), Err(UriError::EmptySecret));
        let err = key("JBSW1Y3DP").to_account().expect_err("1 is not base32");
        assert_eq!(err, UriError::InvalidSecretCharacter { position: 5 });
    }

    #[test]
    fn steam_keeps_its_own_algorithm_and_length() {
        let mut entry = key("JBSWY3DPEHPK3PXP");
        entry.kind = Some("steam".into());
        entry.algorithm = Some("SHA512".into());
        entry.digits = Some(8);
        let account = entry.to_account().expect("valid");
        assert_eq!((account.algorithm, account.digits), (Algorithm::Sha1, 5));
    }
}
