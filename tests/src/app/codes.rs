//! Codes as the window shows them and as the clipboard holds them, judged
//! against oathtool by the time step each reading was taken in, so that no
//! 30 s boundary can decide a test.

use super::{App, Row};
use crate::otp::{digits_of, grouped, unix_now, Totp};
use crate::tools::{clipboard_holds, clipboard_text, run_bounded};
use crate::{wait_until, POLL, TOOL_TIMEOUT};
use serde_json::json;
use std::process::Command;
use std::time::{Duration, Instant};

/// After a step boundary, how long the app may still show the old code
/// (it repaints about once a second).
const GRACE: f64 = 3.0;

/// Sleeps until Unix time `unix` (at most five minutes, to stay bounded).
pub(crate) fn sleep_until(unix: f64) {
    let wait = (unix - unix_now()).clamp(0.0, 300.0);
    std::thread::sleep(Duration::from_secs_f64(wait));
}

/// A code the app copied, and when.
#[derive(Clone, Debug)]
pub struct Copied {
    /// What the clipboard held.
    pub code: String,
    /// Unix time just before the click.
    pub before: f64,
    /// Unix time once the app confirmed the copy.
    pub after: f64,
}

/// Checks the clipboard is cleared `delay` seconds after the copy: it must
/// still hold the code until `delay` after the click and an empty text
/// within `delay` + 10 s after the app confirmed the copy. Overwritten,
/// not given up: a clipboard manager that keeps the last text copied
/// (GNOME's) would put the code back on a clipboard nobody owns.
/// Called right after the copy, so that the lower bound is checked.
pub fn assert_clipboard_clears_after(copied: &Copied, delay: f64) {
    assert_cleared_after(copied, delay, || match clipboard_holds()? {
        Some(text) if text.is_empty() => Ok(None),
        Some(text) => Ok(Some(text)),
        None => Err("nobody owns the clipboard: given up, not overwritten".to_owned()),
    });
}

/// [`assert_clipboard_clears_after`] for the clipboard `holds` reads:
/// `Ok(None)` when nobody owns it, `Err` when it could not be read.
pub fn assert_cleared_after(
    copied: &Copied,
    delay: f64,
    holds: impl Fn() -> Result<Option<String>, String>,
) {
    assert!(
        unix_now() < copied.before + delay - 1.0,
        "called {:.1} s after the copy: too late to see the clipboard held the code",
        unix_now() - copied.before
    );
    let deadline = copied.after + delay + 10.0;
    let limit = Duration::from_secs_f64((deadline - unix_now()).max(1.0));
    let cleared_at = wait_until(
        &format!("the clipboard to be cleared {delay} s after the copy"),
        limit,
        || {
            let asked = unix_now();
            match holds() {
                Ok(None) => Ok(asked),
                Ok(Some(text)) if text == copied.code => Err(format!(
                    "it still holds the code {:.1} s after the copy",
                    unix_now() - copied.before
                )),
                Ok(Some(other)) => panic!(
                    "the clipboard holds {other:?}, neither the code nor nothing, \
                     {:.1} s after the copy",
                    unix_now() - copied.before
                ),
                // An xclip failure is not a cleared clipboard: ask again, and
                // fail at the deadline with what xclip said.
                Err(error) => Err(error),
            }
        },
    );
    assert!(
        cleared_at >= copied.before + delay,
        "the clipboard was cleared {:.1} s after the click, before the {delay} s announced",
        cleared_at - copied.before
    );
}

/// Waits until `delay` + `margin` seconds after the copy (longer than the app
/// may take to clear it), checking all along that the clipboard holds
/// `expected`: for copies that must *not* be cleared.
pub fn assert_clipboard_keeps(copied: &Copied, delay: f64, margin: f64, expected: &str) {
    assert_kept(copied, delay, margin, expected, clipboard_holds);
}

/// [`assert_clipboard_keeps`] for the clipboard `holds` reads.
pub fn assert_kept(
    copied: &Copied,
    delay: f64,
    margin: f64,
    expected: &str,
    holds: impl Fn() -> Result<Option<String>, String>,
) {
    let until = copied.after + delay + margin;
    loop {
        let now = unix_now();
        let held = holds().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            held.as_deref(),
            Some(expected),
            "the clipboard {:.1} s after the copy",
            now - copied.before
        );
        if now > until {
            return;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

impl App<'_> {
    /// Checks the TOTP code shown in `row` against oathtool. The app repaints
    /// within about a second of a step boundary, so a reading is judged only
    /// when it was taken wholly inside one step and at least [`GRACE`] after
    /// its start; otherwise it is taken again after the boundary. Returns the
    /// code.
    pub fn assert_shown_totp(&self, row: &Row, spec: &Totp<'_>) -> String {
        self.assert_shown_totp_at(row, spec, 0)
    }

    /// [`App::assert_shown_totp`] for a clock corrected by `offset` seconds
    /// (the app's clock correction setting).
    pub fn assert_shown_totp_at(&self, row: &Row, spec: &Totp<'_>, offset: i64) -> String {
        let unix_now = || unix_now() + offset as f64;
        let css = row.css("button.code");
        // Wait for a code to be painted at all.
        self.wait_until(&format!("a {}-digit code in {css}", spec.digits), || {
            let text = self.try_text(&css).map_err(|e| e.to_string())?;
            let digits = digits_of(&text);
            if digits.len() == spec.digits as usize && digits.bytes().all(|b| b.is_ascii_digit()) {
                Ok(())
            } else {
                Err(format!("{css} shows {text:?}"))
            }
        });
        // The code of the time step the reading ends in is right. The code of
        // the step before is accepted only while that step ended less than
        // [`GRACE`] before the reading began (the app repaints about once a
        // second): then the row is read again. Anything else fails at once,
        // so a repaint later than that after a rollover fails too.
        loop {
            let before = unix_now();
            let text = self.text(&css);
            let after = unix_now();
            let step = spec.step(after);
            let expected = spec.code_at(step * spec.period);
            if digits_of(&text) == expected {
                assert_eq!(
                    text,
                    grouped(&expected),
                    "the code is grouped as the UI promises"
                );
                return expected;
            }
            let just_rolled_over = spec.step(before - GRACE) != step;
            if just_rolled_over && digits_of(&text) == spec.code_at((step - 1) * spec.period) {
                std::thread::sleep(POLL);
                continue;
            }
            panic!(
                "{} / {} shows {text:?} between t={before:.3} and t={after:.3}; oathtool \
                 gives {expected} for that time step (the code before it is allowed only \
                 {GRACE} s past the boundary)",
                row.issuer, row.name
            );
        }
    }

    /// Waits for the last seconds of the current code of `row` and checks the
    /// countdown, the warning state and the hint with the next code; then,
    /// once the step is over, that the row shows the new code. Takes up to
    /// one period.
    pub fn assert_expiry_and_rollover(&self, row: &Row, spec: &Totp<'_>) {
        const SNAPSHOT: &str = "const li = document.querySelector(arguments[0]);
            if (!li) return null;
            const code = li.querySelector('button.code');
            const next = li.querySelector('.next-code');
            // The row's own countdown, or the list's one when it stands for
            // every row: whichever is shown, and only one of them.
            const shown = [li.querySelector('.countdown'), document.getElementById('list-countdown')]
              .filter((el) => el.getClientRects().length > 0);
            const seconds = shown.length === 1
              ? shown[0].querySelector('.seconds').textContent : `${shown.length} countdowns shown`;
            return [seconds, code.textContent,
                    code.title, li.classList.contains('expiring'),
                    next.hidden ? '' : next.textContent];";
        let limit = Duration::from_secs(spec.period + 10);
        let what = format!(
            "the last 5 seconds of the code of {} / {}",
            row.issuer, row.name
        );
        let (step, shown, title, expiring, next_shown) = wait_until(&what, limit, || {
            let before = unix_now();
            let snapshot = self
                .try_execute(SNAPSHOT, json!([row.css("")]))
                .map_err(|e| e.to_string())?;
            let after = unix_now();
            let text = |i: usize| snapshot[i].as_str().unwrap_or_default().to_owned();
            let seconds: u64 = text(0).parse().unwrap_or_else(|_| {
                panic!(
                    "the countdown of {} / {} shows {:?}, not a number of seconds",
                    row.issuer, row.name, snapshot[0]
                )
            });
            let step = spec.step(after);
            let end = ((step + 1) * spec.period) as f64;
            let settled = spec.step(before - GRACE) == step;
            // Painted at most a second ago, so never below what is left.
            assert!(
                (1..=spec.period).contains(&seconds)
                    && (!settled || seconds as f64 >= (end - after).ceil()),
                "the countdown shows {seconds} s at t={after:.3}, when {:.1} s are left",
                end - after
            );
            if seconds <= 5 && settled {
                Ok((
                    step,
                    text(1),
                    text(2),
                    snapshot[3].as_bool().unwrap_or(false),
                    text(4),
                ))
            } else {
                Err(format!("the countdown shows {seconds} s at t={after:.3}"))
            }
        });
        let current = spec.code_at(step * spec.period);
        let next = spec.code_at((step + 1) * spec.period);
        assert_eq!(shown, grouped(&current), "the code in its last seconds");
        assert!(
            expiring,
            "a code in its last 5 seconds is marked as expiring"
        );
        assert_eq!(
            title,
            format!("Next: {}", grouped(&next)),
            "an expiring code shows the next one"
        );
        assert_eq!(
            next_shown,
            format!("next {}", grouped(&next)),
            "the next code is shown beside the expiring one"
        );
        sleep_until(((step + 1) * spec.period) as f64 + GRACE);
        // The code of the step of the reading: past the grace after the
        // boundary, the old one fails.
        self.assert_shown_totp(row, spec);
    }

    /// Clicks the code of `row` and waits for the "Copied" toast; returns
    /// what the clipboard then holds (exactly, as pasting would give it),
    /// with the times just before the click and after the toast.
    pub fn copy_code(&self, row: &Row) -> Copied {
        self.copy_code_noting(row, "clears in 30 s")
    }

    /// [`App::copy_code`], for a notice that says `note` (in any case) about
    /// clearing, or says nothing about it when `note` is empty.
    pub fn copy_code_noting(&self, row: &Row, note: &str) -> Copied {
        self.copy_code_reading(row, note, clipboard_text)
    }

    /// [`App::copy_code_noting`], the clipboard read by `read` (another
    /// display server's clipboard).
    pub fn copy_code_reading(
        &self,
        row: &Row,
        note: &str,
        read: impl Fn() -> Result<String, String>,
    ) -> Copied {
        // A notice from an earlier copy would look the same: take it down.
        self.dismiss_toast();
        let before = unix_now();
        self.click(&row.css("button.code"));
        let toast = self.wait_toast("Copied");
        let after = unix_now();
        let lower = toast.to_lowercase();
        if note.is_empty() {
            assert!(!lower.contains("clears"), "toast says {toast:?}");
        } else {
            assert!(lower.contains(note), "toast says {toast:?}");
        }
        let code = read().unwrap_or_else(|e| panic!("{e}"));
        Copied {
            code,
            before,
            after,
        }
    }

    /// Copies the code of `row` (see [`App::copy_code`]) and checks the
    /// clipboard holds exactly the code (digits, no spaces) of the time step
    /// the copy happened in.
    pub fn assert_copy_totp(&self, row: &Row, spec: &Totp<'_>) -> Copied {
        let copied = self.copy_code(row);
        assert_copied_totp(&copied, spec, 0);
        copied
    }
}

/// Checks `copied` holds exactly oathtool's code (digits, no spaces) for the
/// time step the copy happened in, on a clock corrected by `offset` s.
pub fn assert_copied_totp(copied: &Copied, spec: &Totp<'_>, offset: i64) {
    {
        let Copied {
            code,
            before,
            after,
        } = copied;
        let (before, after) = (before + offset as f64, after + offset as f64);
        // The app read the clock somewhere between `before` and `after`; in
        // a code's last 2 seconds it copies the next one.
        let (first, last) = (spec.step(before), spec.step(after + 2.0));
        let allowed: Vec<String> = (first..=last)
            .map(|s| spec.code_at(s * spec.period))
            .collect();
        assert!(
            allowed.contains(code),
            "the clipboard holds {code:?}; the copy happened between t={before:.3} and \
             t={after:.3}, when oathtool gives {allowed:?}"
        );
    }
}

impl App<'_> {
    /// Waits until the clipboard no longer holds the copied code: the app
    /// promises to clear it 30 s after the copy (allowed 10 s of slack).
    pub fn assert_clipboard_clears(&self, copied: &Copied) {
        assert_clipboard_clears_after(copied, 30.0);
    }

    /// Types into the window titled exactly `title` on the X display, as a
    /// person would (xdotool: each of `keys` is one command, such as
    /// `["key", "ctrl+a"]` or `["type", "bank"]`), until the clipboard holds
    /// a six-digit code. For a page that is being loaded again, where keys
    /// go nowhere until it is back: a try is repeated only after 3 s without
    /// a copy, so `keys` should first clear what an earlier try left. The
    /// code itself is for the caller to judge (`Profile::expect_totp_copy`).
    pub fn type_until_a_code_is_copied(&self, title: &str, keys: &[&[&str]]) {
        let name = format!("^{title}$");
        let focus: &[&str] = &[
            "search",
            "--onlyvisible",
            "--name",
            &name,
            "windowfocus",
            "--sync",
        ];
        let mut last: Option<Instant> = None;
        self.wait_until(&format!("a code copied from {title:?}"), || {
            if clipboard_holds()?
                .is_some_and(|text| text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit()))
            {
                return Ok(());
            }
            if last.is_none_or(|at| at.elapsed() > Duration::from_secs(3)) {
                for args in std::iter::once(focus).chain(keys.iter().copied()) {
                    let output = run_bounded(Command::new("xdotool").args(args), TOOL_TIMEOUT)?;
                    if !output.status.success() {
                        return Err(format!("xdotool {args:?}: {}", output.status));
                    }
                }
                last = Some(Instant::now());
            }
            Err("nothing copied yet".to_owned())
        });
    }
}
