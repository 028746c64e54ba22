//! Keys and otpauth URIs come in through standard input, never the command
//! line: arguments are visible to every user in the process list and stay in
//! the shell's history. At a terminal the key is typed at a prompt that does
//! not echo it; otherwise standard input is read whole (a pipe, a file).

use std::io::{BufRead, IsTerminal, Read};
use zeroize::Zeroizing;

/// Most bytes read from standard input for one key or URI. A URI with a long
/// `image=` link is a few hundred bytes; this leaves room and bounds memory.
const MAX_INPUT_BYTES: u64 = 64 * 1024;

/// The key or URI on standard input, trimmed: typed at `prompt` without echo
/// when standard input is a terminal, read to its end otherwise.
pub fn secret_text(prompt: &str, what: &str) -> Result<Zeroizing<String>, String> {
    let stdin = std::io::stdin();
    let text = if stdin.is_terminal() {
        hidden_line(prompt, what)?
    } else {
        // Sized up front so that a key never grows the buffer: each
        // reallocation would leave an unwiped copy behind.
        let mut text = Zeroizing::new(String::with_capacity(4096));
        stdin
            .lock()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read the {what} from standard input: {e}"))?;
        if text.len() as u64 > MAX_INPUT_BYTES {
            return Err(format!(
                "standard input holds more than {} KiB, far more than any {what}",
                MAX_INPUT_BYTES / 1024
            ));
        }
        text
    };
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(format!("no {what} was given on standard input"));
    }
    Ok(Zeroizing::new(trimmed.to_owned()))
}

/// One line typed at the terminal with echo off (ECHONL keeps the newline,
/// so the next message starts on its own line). The terminal's settings are
/// restored whatever the read gives.
#[cfg(unix)]
fn hidden_line(prompt: &str, what: &str) -> Result<Zeroizing<String>, String> {
    use rustix::termios::{self, LocalModes, OptionalActions};
    let stdin = std::io::stdin();
    let saved = termios::tcgetattr(&stdin)
        .map_err(|e| format!("cannot turn off the terminal's echo: {e}"))?;
    let mut quiet = saved.clone();
    quiet.local_modes.remove(LocalModes::ECHO);
    quiet.local_modes.insert(LocalModes::ECHONL);
    termios::tcsetattr(&stdin, OptionalActions::Flush, &quiet)
        .map_err(|e| format!("cannot turn off the terminal's echo: {e}"))?;
    // The prompt comes once echo is off: whoever sees it may type.
    err_part!("{prompt} ");
    let line = read_line(what);
    termios::tcsetattr(&stdin, OptionalActions::Now, &saved)
        .map_err(|e| format!("cannot restore the terminal's settings: {e}"))?;
    line
}

/// One line typed at the controlling terminal (`/dev/tty`, whatever
/// standard input is) with echo off; an error when there is none.
#[cfg(unix)]
pub fn tty_hidden_line(prompt: &str) -> Result<Zeroizing<String>, String> {
    use rustix::termios::{self, LocalModes, OptionalActions};
    use std::io::Write;
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|_| "there is no terminal to ask at".to_owned())?;
    let saved = termios::tcgetattr(&tty)
        .map_err(|e| format!("cannot turn off the terminal's echo: {e}"))?;
    let mut quiet = saved.clone();
    quiet.local_modes.remove(LocalModes::ECHO);
    quiet.local_modes.insert(LocalModes::ECHONL);
    // Flushing what was typed ahead: it showed as it was typed (the echo
    // was on), so it is no password.
    termios::tcsetattr(&tty, OptionalActions::Flush, &quiet)
        .map_err(|e| format!("cannot turn off the terminal's echo: {e}"))?;
    let mut writer = &tty;
    let _ = write!(writer, "{prompt} ");
    let _ = writer.flush();
    // Byte by byte into wiped memory: no reader's buffer keeps a copy.
    let mut bytes = Zeroizing::new(Vec::with_capacity(1024));
    let mut reader = &tty;
    let mut byte = Zeroizing::new([0u8; 1]);
    let read = loop {
        match reader.read(byte.as_mut()) {
            Ok(0) => break Ok(()),
            Ok(_) if byte[0] == b'\n' => break Ok(()),
            Ok(_) if bytes.len() < 1024 => bytes.push(byte[0]),
            Ok(_) => break Err("more than 1 KiB was typed".to_owned()),
            Err(e) => break Err(format!("cannot read the password: {e}")),
        }
    };
    drop(byte);
    termios::tcsetattr(&tty, OptionalActions::Now, &saved)
        .map_err(|e| format!("cannot restore the terminal's settings: {e}"))?;
    read?;
    let text =
        std::str::from_utf8(&bytes).map_err(|_| "the password is not UTF-8 text".to_owned())?;
    Ok(Zeroizing::new(text.to_owned()))
}

/// Elsewhere there is no `/dev/tty`: standard input at a terminal.
#[cfg(not(unix))]
pub fn tty_hidden_line(prompt: &str) -> Result<Zeroizing<String>, String> {
    if !std::io::stdin().is_terminal() {
        return Err("there is no terminal to ask at".to_owned());
    }
    hidden_line(prompt, "password")
}

/// Elsewhere (Windows) there is no termios: the line is read as typed, and
/// the user is told it shows.
#[cfg(not(unix))]
fn hidden_line(prompt: &str, what: &str) -> Result<Zeroizing<String>, String> {
    err_part!("{prompt} (it shows as you type; or pipe it in) ");
    read_line(what)
}

fn read_line(what: &str) -> Result<Zeroizing<String>, String> {
    let mut line = Zeroizing::new(String::with_capacity(4096));
    std::io::stdin()
        .lock()
        .take(MAX_INPUT_BYTES + 1)
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the {what}: {e}"))?;
    if line.len() as u64 > MAX_INPUT_BYTES {
        return Err(format!(
            "more than {} KiB were typed, far more than any {what}",
            MAX_INPUT_BYTES / 1024
        ));
    }
    Ok(line)
}

/// A note on standard input, read to its end (at a terminal: until Ctrl-D,
/// shown as typed, since the user is writing it), with one final line break
/// dropped (`echo` adds one). Empty text is an empty note, which clears it.
pub fn note_text() -> Result<Zeroizing<String>, String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        err!("Type the note, then press Ctrl-D on a line of its own:");
    }
    let mut text = Zeroizing::new(String::with_capacity(4096));
    stdin
        .lock()
        .take(MAX_INPUT_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read the note from standard input: {e}"))?;
    if text.len() as u64 > MAX_INPUT_BYTES {
        return Err(format!(
            "standard input holds more than {} KiB, far more than a note may hold",
            MAX_INPUT_BYTES / 1024
        ));
    }
    let end = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .map_or(text.len(), str::len);
    text.truncate(end);
    Ok(text)
}
