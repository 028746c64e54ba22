//! Differential test against `oathtool` (OATH Toolkit), an independent C
//! implementation of RFC 4226/6238: random secrets, times, algorithms, digits
//! and periods must give the same codes.
//!
//! Needs `/usr/bin/oathtool` (Debian package `oathtool`). The seed is printed;
//! set `WATCHWORD_OATHTOOL_SEED` to replay a failing run.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::process::Command;
use watchword_core::otp::{hotp::hotp, totp::totp};
use watchword_core::Algorithm;

/// Each oathtool call prints the code of its step and of `WINDOW` more, so
/// one process checks `WINDOW + 1` distinct cases.
const WINDOW: u64 = 4;
const TOTP_CALLS: usize = 900;
const HOTP_CALLS: usize = 200;
// Issue 2: at least 1,000 random cases, each a fresh secret and moment.
const _: () = assert!(TOTP_CALLS + HOTP_CALLS >= 1000);

/// Runs oathtool and returns its codes, one per line.
fn oathtool(args: &[String]) -> Vec<String> {
    let output = match Command::new("oathtool").args(args).output() {
        Ok(output) => output,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => panic!(
            "oathtool is not installed; this differential test needs it: \
             install the Debian package `oathtool` (apt-get install oathtool)"
        ),
        Err(error) => panic!("cannot run oathtool: {error}"),
    };
    assert!(
        output.status.success(),
        "oathtool {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

fn seed() -> u64 {
    match std::env::var("WATCHWORD_OATHTOOL_SEED") {
        Ok(text) => text
            .trim()
            .parse()
            .expect("WATCHWORD_OATHTOOL_SEED is a u64"),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("the clock is after 1970")
            .as_nanos() as u64,
    }
}

fn random_secret(rng: &mut StdRng) -> Vec<u8> {
    let mut secret = vec![0u8; rng.random_range(10..=64)];
    rng.fill(&mut secret[..]);
    secret
}

#[test]
fn codes_match_oathtool() {
    let seed = seed();
    println!("seed {seed} (replay with WATCHWORD_OATHTOOL_SEED={seed})");
    let mut rng = StdRng::seed_from_u64(seed);
    let mut compared = 0usize;
    let mut mismatches = Vec::new();

    for _ in 0..TOTP_CALLS {
        let secret = random_secret(&mut rng);
        let (algorithm, mode) = match rng.random_range(0..3) {
            0 => (Algorithm::Sha1, "SHA1"),
            1 => (Algorithm::Sha256, "SHA256"),
            _ => (Algorithm::Sha512, "SHA512"),
        };
        let digits: u8 = rng.random_range(6..=8);
        // Any period a site might use, the common 30 and 60 s included.
        let period: u32 = rng.random_range(1..=300);
        let time: u64 = rng.random_range(0..=4_000_000_000);
        let codes = oathtool(&[
            format!("--totp={mode}"),
            format!("--digits={digits}"),
            format!("--time-step-size={period}s"),
            format!("--now=@{time}"),
            format!("--window={WINDOW}"),
            data_encoding::HEXLOWER.encode(&secret),
        ]);
        assert_eq!(codes.len() as u64, WINDOW + 1, "oathtool printed {codes:?}");
        for (step, theirs) in (0..).zip(&codes) {
            let at = time + step * u64::from(period);
            let ours = totp(&secret, algorithm, digits, period, at);
            compared += 1;
            if &ours != theirs {
                mismatches.push(format!(
                    "TOTP {mode} digits={digits} period={period} time={at} \
                     secret_len={}: ours {ours}, oathtool {theirs}",
                    secret.len()
                ));
            }
        }
    }

    for call in 0..HOTP_CALLS {
        let secret = random_secret(&mut rng);
        let digits: u8 = rng.random_range(6..=8);
        // Small counters (what real tokens use) and the whole u64 range.
        let counter: u64 = if call % 2 == 0 {
            rng.random_range(0..1_000)
        } else {
            rng.random_range(0..=u64::MAX - WINDOW)
        };
        let codes = oathtool(&[
            "--hotp".to_owned(),
            format!("--digits={digits}"),
            format!("--counter={counter}"),
            format!("--window={WINDOW}"),
            data_encoding::HEXLOWER.encode(&secret),
        ]);
        assert_eq!(codes.len() as u64, WINDOW + 1, "oathtool printed {codes:?}");
        for (step, theirs) in (0..).zip(&codes) {
            // oathtool's HOTP is SHA1 only, as RFC 4226 defines it.
            let ours = hotp(&secret, Algorithm::Sha1, digits, counter + step);
            compared += 1;
            if &ours != theirs {
                mismatches.push(format!(
                    "HOTP digits={digits} counter={} secret_len={}: ours {ours}, oathtool {theirs}",
                    counter + step,
                    secret.len()
                ));
            }
        }
    }

    println!(
        "compared {compared} codes with oathtool, {} mismatches",
        mismatches.len()
    );
    assert_eq!(compared, (TOTP_CALLS + HOTP_CALLS) * (WINDOW as usize + 1));
    assert!(
        mismatches.is_empty(),
        "seed {seed}: {} of {compared} codes differ from oathtool:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
