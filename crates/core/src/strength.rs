//! How hard a chosen password is to guess: the backup password now, the
//! lock's later. zxcvbn's score (0 to 4, the scale Aegis and Bitwarden show)
//! and its one most useful piece of advice; never the password itself.

use serde::Serialize;

/// A password's rating, for a meter and a line of advice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Strength {
    /// 0 (guessed in under a thousand tries) to 4 (not within 10^10).
    pub score: u8,
    /// What makes it weak, or how to make it stronger; `None` for a strong
    /// password. Generic advice: it never quotes the password.
    pub hint: Option<String>,
}

/// Scores from here up are strong enough for a backup that may sit in a
/// synced folder for years: zxcvbn's "safely unguessable" (10^8 guesses)
/// and above.
pub const GOOD_SCORE: u8 = 3;

/// Rates `password`; `context` holds words an attacker would try first
/// (the app's name, the user's account names). zxcvbn looks at the first
/// 100 characters only, so the time is bounded whatever the input.
pub fn rate(password: &str, context: &[&str]) -> Strength {
    if password.is_empty() {
        return Strength {
            score: 0,
            hint: Some("Type a password".to_owned()),
        };
    }
    let mut words = vec!["watchword", "backup", "authenticator", "password"];
    words.extend_from_slice(context);
    let entropy = zxcvbn::zxcvbn(password, &words);
    let score = u8::from(entropy.score());
    let hint = entropy.feedback().and_then(|feedback| {
        feedback
            .warning()
            .map(|warning| warning.to_string())
            .or_else(|| feedback.suggestions().first().map(ToString::to_string))
    });
    Strength {
        score,
        hint: if score >= GOOD_SCORE && hint.is_none() {
            None
        } else {
            hint.or_else(|| Some("Add another word or two".to_owned()))
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_passwords_are_weak_and_say_why() {
        for weak in ["password", "123456", "qwertyuiop", "watchword1"] {
            let rating = rate(weak, &[]);
            assert!(rating.score < GOOD_SCORE, "{weak}: {rating:?}");
            assert!(rating.hint.is_some(), "{weak}: no advice");
        }
    }

    #[test]
    fn a_few_random_words_are_strong() {
        let rating = rate("correct gusty lantern orbit", &[]);
        assert!(rating.score >= GOOD_SCORE, "{rating:?}");
    }

    #[test]
    fn context_words_count_against_the_password() {
        let alone = rate("amazonseller2026", &[]);
        let known = rate("amazonseller2026", &["amazonseller"]);
        assert!(known.score <= alone.score, "{alone:?} vs {known:?}");
        assert!(known.score < GOOD_SCORE, "{known:?}");
    }

    #[test]
    fn the_hint_never_quotes_the_password() {
        for password in ["aaaaaaaaaa", "abcdefgh", "Tr0ub4dor", "1999-12-31"] {
            let hint = rate(password, &[]).hint.unwrap_or_default();
            assert!(!hint.contains(password), "{password}: {hint}");
        }
    }

    #[test]
    fn empty_and_very_long_passwords_are_rated() {
        assert_eq!(rate("", &[]).score, 0);
        let long = "x".repeat(100_000);
        assert!(rate(&long, &[]).score <= 4);
    }
}
