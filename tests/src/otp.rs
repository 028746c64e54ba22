//! Expected codes (oathtool): what the app must show, computed by an
//! independent implementation.

use crate::app::sleep_until;
use crate::tools::tool;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, with fractions.
pub fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs_f64()
}

/// A time-based account's parameters, for computing expected codes.
#[derive(Clone, Copy, Debug)]
pub struct Totp<'a> {
    /// Base32 key, as oathtool takes it.
    pub key: &'a str,
    /// `SHA1`, `SHA256` or `SHA512`.
    pub algorithm: &'a str,
    pub digits: u32,
    /// Seconds per code.
    pub period: u64,
}

impl Totp<'_> {
    /// The default kind: SHA1, 6 digits, 30 s.
    pub fn default_for(key: &str) -> Totp<'_> {
        Totp {
            key,
            algorithm: "SHA1",
            digits: 6,
            period: 30,
        }
    }

    /// `oathtool --totp` at `unix` seconds.
    pub fn code_at(&self, unix: u64) -> String {
        let out = tool(Command::new("oathtool").args([
            format!("--totp={}", self.algorithm),
            "--base32".into(),
            format!("--digits={}", self.digits),
            format!("--time-step-size={}s", self.period),
            format!("--now=@{unix}"),
            self.key.into(),
        ]));
        let code = out.trim().to_owned();
        assert!(
            code.len() == self.digits as usize && code.bytes().all(|b| b.is_ascii_digit()),
            "oathtool printed {out:?}"
        );
        code
    }

    /// The time step `unix` falls in.
    pub fn step(&self, unix: f64) -> u64 {
        (unix / self.period as f64).floor() as u64
    }

    /// Sleeps, if need be, until the clock corrected by `offset` seconds is
    /// `earliest` seconds or more into a step and at most `latest`: for
    /// steps that must not straddle a boundary. Returns the uncorrected
    /// time then.
    pub fn sleep_into_step(&self, offset: i64, earliest: f64, latest: f64) -> f64 {
        let period = self.period as f64;
        assert!(0.0 <= earliest && earliest < latest && latest < period);
        let now = unix_now() + offset as f64;
        let into = now % period;
        if !(earliest..=latest).contains(&into) {
            let start = now - into + if into < earliest { 0.0 } else { period };
            sleep_until(start + earliest - offset as f64);
        }
        unix_now()
    }
}

/// Steam Guard's code at `unix`, computed apart from Watchword (Python's
/// hmac): HMAC-SHA1 TOTP over 30 s, the 31-bit value written as 5 characters
/// of Steam's alphabet, least significant first.
pub fn steam_code(key: &str, unix: u64) -> String {
    const STEAM_PY: &str = r#"
import base64, hashlib, hmac, struct, sys
key = base64.b32decode(sys.argv[1] + "=" * (-len(sys.argv[1]) % 8))
mac = hmac.new(key, struct.pack(">Q", int(sys.argv[2]) // 30), hashlib.sha1).digest()
offset = mac[-1] & 15
value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
code = ""
for _ in range(5):
    code += "23456789BCDFGHJKMNPQRTVWXY"[value % 26]
    value //= 26
print(code)
"#;
    let out = tool(Command::new("python3").args(["-c", STEAM_PY, key, &unix.to_string()]));
    out.trim().to_owned()
}

/// `oathtool --hotp` for `counter`.
pub fn hotp_code(key: &str, digits: u32, counter: u64) -> String {
    let out = tool(Command::new("oathtool").args([
        "--hotp".into(),
        "--base32".into(),
        format!("--digits={digits}"),
        format!("--counter={counter}"),
        key.to_owned(),
    ]));
    out.trim().to_owned()
}

/// How the UI groups a code: "123 456", "1234 5678"; 9 digits in threes.
pub fn grouped(code: &str) -> String {
    if code.len() < 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return code.to_owned();
    }
    if code.len() == 9 {
        return format!("{} {} {}", &code[..3], &code[3..6], &code[6..]);
    }
    let half = code.len() / 2;
    format!("{} {}", &code[..half], &code[half..])
}

/// `text` without whitespace.
pub fn digits_of(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}
