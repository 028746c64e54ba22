//! The payloads: otpauth URIs of made-up accounts and Google Authenticator
//! exports, from the seeded generator.

use super::*;

const ISSUERS: &[&str] = &[
    "GitHub",
    "Amazon",
    "Amazon Seller Central",
    "Google",
    "Microsoft",
    "Dropbox",
    "Slack",
    "Discord",
    "AWS",
    "GitLab",
    "Bitwarden",
    "Proton",
    "Cloudflare",
    "DigitalOcean",
    "Stripe",
    "PayPal",
    "Coinbase",
    "Kraken",
    "Reddit",
    "Facebook",
    "LinkedIn",
    "Atlassian",
    "Okta",
    "Namecheap",
    "Heroku",
    "npm",
    "PyPI",
    "Docker Hub",
    "Fastmail",
    "Epic Games",
    "Nintendo",
    "Zoho",
    "Salesforce",
    "Shopify",
    "Crédit Agricole",
    "ING",
    "N26",
    "Revolut",
    "Tuta",
    "Hetzner",
    "OVHcloud",
    "Mastodon",
    "Twitch",
    "Ubiquiti",
    "Synology",
];
const FIRST: &[&str] = &[
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
    "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "zoé", "jürgen",
];
const DOMAINS: &[&str] = &[
    "example.com",
    "gmail.com",
    "outlook.com",
    "proton.me",
    "company.co.uk",
    "mail.de",
];

fn account_name(rng: &mut Rng) -> String {
    let first = rng.pick(FIRST);
    match rng.below(4) {
        0 => format!("{first}@{}", rng.pick(DOMAINS)),
        1 => format!(
            "{first}.{}{}@{}",
            rng.pick(FIRST),
            rng.below(100),
            rng.pick(DOMAINS)
        ),
        2 => format!("{first}+2fa@{}", rng.pick(DOMAINS)),
        _ => format!("{first}{}", rng.below(10_000)),
    }
}

fn random_account(rng: &mut Rng) -> Account {
    // Secret lengths real sites use: 80 bits (16 base32 characters),
    // 160 bits, 256 bits (Amazon's 52 characters).
    let length = *rng.pick(&[10, 10, 16, 20, 20, 32]);
    let secret = Secret::from_bytes(rng.bytes(length));
    let issuer = ISSUERS[rng.below(ISSUERS.len())];
    let mut account = Account::totp(issuer, &account_name(rng), secret);
    match rng.below(10) {
        0 => {
            account.kind = OtpKind::Hotp {
                counter: rng.below(5000) as u64,
            }
        }
        1 => {
            account.algorithm = Algorithm::Sha256;
            account.digits = 8;
        }
        2 => account.algorithm = Algorithm::Sha512,
        _ => {}
    }
    account
}

fn escape(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// An otpauth URI as one of the many generators out there writes it.
pub fn otpauth_uri(rng: &mut Rng) -> String {
    let mut account = random_account(rng);
    if matches!(account.kind, OtpKind::Totp { .. }) && rng.chance(0.1) {
        account.kind = OtpKind::Totp { period: 60 };
    }
    let secret = account.secret.to_base32();
    let (issuer, name) = (escape(&account.issuer), escape(&account.name));
    let kind = account.kind.name();
    let extras = match account.kind {
        OtpKind::Hotp { counter } => format!("&counter={counter}"),
        OtpKind::Totp { period } if period != 30 => format!("&period={period}"),
        _ => String::new(),
    };
    let params = if account.algorithm != Algorithm::Sha1 || account.digits != 6 {
        format!(
            "&algorithm={}&digits={}",
            account.algorithm.as_str(),
            account.digits
        )
    } else {
        String::new()
    };
    match rng.below(6) {
        // The canonical form Watchword itself writes.
        0 => watchword_core::uri::format(&account),
        // Google's documented example shape.
        1 => format!("otpauth://{kind}/{issuer}:{name}?secret={secret}&issuer={issuer}{params}{extras}"),
        // Label with an escaped colon, parameters in another order.
        2 => format!("otpauth://{kind}/{issuer}%3A{name}?issuer={issuer}&secret={secret}{params}{extras}"),
        // Bare label, lowercase key.
        3 => format!(
            "otpauth://{kind}/{name}?secret={}{params}{extras}&issuer={issuer}",
            secret.to_ascii_lowercase()
        ),
        // A logo URL makes the code denser.
        4 => format!(
            "otpauth://{kind}/{issuer}:{name}?secret={secret}&issuer={issuer}{params}{extras}&image=https%3A%2F%2Fstatic.{}.example%2Fbrand%2Flogo-256.png",
            account.issuer.to_ascii_lowercase().replace(' ', "")
        ),
        _ => format!("otpauth://{kind}/{issuer}:{name}?secret={secret}{params}{extras}"),
    }
}

/// A Google Authenticator export code of `count` accounts.
pub fn migration_uri(rng: &mut Rng, count: usize, index: u32, size: u32, id: i32) -> String {
    let accounts: Vec<Account> = (0..count).map(|_| random_account(rng)).collect();
    watchword_core::migration::encode(&accounts, index, size, id)
        .expect("random accounts are all exportable")
}
