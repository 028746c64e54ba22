//! What reaches the terminal. Account names, notes and QR code texts come
//! from files and codes other people made: a control character among them
//! (an escape sequence) would be obeyed by the terminal, which can rewrite
//! the lines above, retitle the window, or set the clipboard (OSC 52). Every
//! line the CLI prints goes through [`shown`] (the `out!` and `err!` macros),
//! which writes such characters as visible escapes (`\u{1b}`). JSON output
//! escapes them already, and an export's bytes are written as they are.

use std::borrow::Cow;

/// `text` with every control character but line breaks and tabs written as
/// a Rust-style escape.
pub fn shown(text: &str) -> Cow<'_, str> {
    let obeyed = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.contains(obeyed) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if obeyed(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn escapes_are_shown_not_obeyed() {
        assert_eq!(shown("GitHub: me"), "GitHub: me");
        assert_eq!(
            shown("a\u{1b}]52;c;aGk=\u{7}b\rc\u{9b}d"),
            "a\\u{1b}]52;c;aGk=\\u{7}b\\u{d}c\\u{9b}d"
        );
        assert_eq!(shown("two\nlines\tand a tab"), "two\nlines\tand a tab");
    }
}
