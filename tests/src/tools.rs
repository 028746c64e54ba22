//! Helper programs, bounded: every external tool the harness runs gets a time
//! limit, and the X clipboard is read through them.

use crate::TOOL_TIMEOUT;
use std::io::{Read, Write};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// What a helper program printed.
#[derive(Debug)]
pub struct ToolOutput {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `command` to completion, killing it after `limit`.
pub fn run_bounded(command: &mut Command, limit: Duration) -> Result<ToolOutput, String> {
    run_bounded_with_input(command, None, limit)
}

/// [`run_bounded`] with `input` written to the command's standard input
/// (how keys reach `watchword-cli`, which refuses them as arguments).
pub fn run_bounded_with_input(
    command: &mut Command,
    input: Option<&str>,
    limit: Duration,
) -> Result<ToolOutput, String> {
    let what = format!("{command:?}");
    let mut child = command
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        // Small (a key or a URI): fits the pipe, so this does not block.
        let _ = stdin.write_all(input.as_bytes());
    }
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let deadline = Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{what} did not finish within {limit:?}"));
            }
            Err(e) => return Err(format!("cannot wait for {what}: {e}")),
        }
    };
    Ok(ToolOutput {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

/// Runs a helper program that must succeed; returns its stdout.
pub(crate) fn tool(command: &mut Command) -> String {
    tool_with_input(command, None)
}

/// [`tool`] with `input` on its standard input.
pub(crate) fn tool_with_input(command: &mut Command, input: Option<&str>) -> String {
    let what = format!("{command:?}");
    let output =
        run_bounded_with_input(command, input, TOOL_TIMEOUT).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        output.status.success(),
        "{what} failed ({}): {}",
        output.status,
        output.stderr.trim()
    );
    output.stdout
}

/// The text on the X clipboard (`xclip -selection clipboard -o`), exactly.
pub fn clipboard_text() -> Result<String, String> {
    let output = run_bounded(
        Command::new("xclip").args(["-selection", "clipboard", "-o"]),
        TOOL_TIMEOUT,
    )?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(format!(
            "xclip could not read the clipboard: {}",
            output.stderr.trim()
        ))
    }
}

/// What the X clipboard offers as text: `None` when no program offers text
/// (nobody owns the clipboard, as after Watchword clears it; xclip then says
/// "target … not available"). Any other failure of xclip is an error, never
/// taken for an empty clipboard.
pub fn clipboard_holds() -> Result<Option<String>, String> {
    let output = run_bounded(
        Command::new("xclip").args(["-selection", "clipboard", "-o"]),
        TOOL_TIMEOUT,
    )?;
    if output.status.success() {
        return Ok(Some(output.stdout));
    }
    let said = output.stderr.trim();
    if said.starts_with("Error: target ") && said.ends_with(" not available") {
        Ok(None)
    } else {
        Err(format!("xclip could not read the clipboard: {said}"))
    }
}

/// A default TOTP code of `key` about to be copied, made by
/// [`Profile::expect_totp_copy`](crate::Profile::expect_totp_copy) just
/// before the click or key press that copies it.
#[derive(Debug)]
pub struct TotpCopy<'k> {
    key: &'k str,
    /// Unix time before the click.
    since: f64,
    /// What the clipboard held before the click: a text no code can be.
    marker: String,
}

impl<'k> TotpCopy<'k> {
    pub(crate) fn new(key: &'k str, since: f64, marker: String) -> Self {
        Self { key, since, marker }
    }

    /// Waits for the copy (the clipboard holding anything but the marker),
    /// then judges the first new text once: it must be the code of a step
    /// from the click to that reading (plus 2 s: in a code's last 2 seconds
    /// the app copies the next one). So no boundary between the click and
    /// the reading can fail it, and a wrong code cannot pass by waiting for
    /// the clock to reach its step. Returns the code.
    pub fn wait(self) -> String {
        let totp = crate::Totp::default_for(self.key);
        let (copied, at) =
            crate::wait_until(
                "the code on the clipboard",
                crate::TIMEOUT,
                || match clipboard_holds()? {
                    Some(text) if text != self.marker => Ok((text, crate::unix_now())),
                    held => Err(format!("the clipboard still holds {held:?}")),
                },
            );
        let allowed: Vec<String> = (totp.step(self.since)..=totp.step(at + 2.0))
            .map(|step| totp.code_at(step * totp.period))
            .collect();
        assert!(
            allowed.contains(&copied),
            "the clipboard holds {copied:?}, copied between t={:.3} and t={at:.3}, when \
             oathtool gives {allowed:?}",
            self.since
        );
        copied
    }
}

/// Waits until the clipboard holds one of `allowed`; returns it.
pub fn wait_clipboard(allowed: &[String]) -> String {
    crate::wait_until("the code on the clipboard", crate::TIMEOUT, || {
        let text = clipboard_text()?;
        if allowed.contains(&text) {
            Ok(text)
        } else {
            Err(format!(
                "the clipboard holds {text:?}, not one of {allowed:?}"
            ))
        }
    })
}
