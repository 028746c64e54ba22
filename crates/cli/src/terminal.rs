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
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        // A Windows line end (a note from a Windows app) is a line end.
        if c == '\r' && chars.peek() == Some(&'\n') {
            out.push(c);
        } else if obeyed(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Writes `text` to standard output. A reader that has gone (`watchword-cli
/// list | head -1`) is not a failure: the rest goes nowhere, and the command
/// still finishes what it began (a counter moved on, a backup due). Any
/// other failure to write (a full disk behind a redirection) is said, and
/// the command exits with an error, as the output is not whole.
pub fn write_out(text: &str) {
    use std::io::Write as _;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {}
        // Said once; the command goes on to its end (a backup due is
        // written), then exits with an error ([`output_failed`]).
        Err(error) => {
            if !OUTPUT_FAILED.swap(true, std::sync::atomic::Ordering::SeqCst) {
                eprintln!("watchword-cli: cannot write to standard output: {error}");
            }
        }
    }
}

static OUTPUT_FAILED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// True once writing to standard output failed other than by its reader
/// going away.
pub fn output_failed() -> bool {
    OUTPUT_FAILED.load(std::sync::atomic::Ordering::SeqCst)
}

/// `value` as JSON on standard output (pretty, or on one line), through
/// [`shown_json`].
pub fn print_json(value: &impl serde::Serialize, pretty: bool) {
    let json = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    }
    .expect("plain data");
    write_out(&format!("{}\n", shown_json(&json)));
}

/// JSON as serde_json wrote it, made as safe for a terminal as [`shown`]
/// makes text, and still JSON: it escapes the control characters below
/// U+0020 in strings itself, and these (DEL and the C1 controls, which a
/// terminal may obey) become `\u` escapes too: they can only stand inside
/// strings.
pub fn shown_json(json: &str) -> Cow<'_, str> {
    // Line breaks outside strings are the pretty form's own (serde_json
    // escapes those inside).
    let obeyed = |c: char| c.is_control() && c != '\n';
    if !json.contains(obeyed) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 8);
    for c in json.chars() {
        if obeyed(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
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
        assert_eq!(shown("a1\r\nb2\r\n"), "a1\r\nb2\r\n");
        assert_eq!(shown("a\rb\r"), "a\\u{d}b\\u{d}");
    }

    #[test]
    fn json_stays_json_with_nothing_a_terminal_obeys() {
        use super::shown_json;
        let written = serde_json::to_string(&serde_json::json!({
            "path": "/tmp/b\u{7f}k\u{9b}31m\u{1b}x"
        }))
        .expect("JSON");
        let safe = shown_json(&written);
        assert!(!safe.contains(|c: char| c.is_control()), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).expect("still JSON");
        assert_eq!(back["path"], "/tmp/b\u{7f}k\u{9b}31m\u{1b}x");
    }
}
