//! Watchword's domain logic: one-time codes, otpauth URIs and the keychain-backed
//! account store. Pure Rust; the desktop shell and the CLI are thin layers on top.

pub mod account;
pub(crate) mod calendar;
pub mod codes;
pub(crate) mod crypto;
pub mod enrol;
pub mod error;
pub mod export;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod hardening;
pub mod import;
pub mod limits;
pub mod manual;
pub mod migration;
pub mod open;
pub mod otp;
pub mod payload;
pub mod qr;
pub mod secret;
pub mod store;
pub mod strength;
pub mod tries;
pub mod uri;
pub mod vault;

pub use account::{Account, AccountId, Algorithm, OtpKind};
pub use codes::ErrorCode;
pub use error::{Error, UriError};
pub use otp::Code;
pub use secret::Secret;
pub use store::{AccountSummary, Store};
