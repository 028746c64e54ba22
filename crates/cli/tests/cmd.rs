//! The CLI's output pinned in files, as rage does with trycmd: every help
//! text, `--version`, a code for a URI on standard input, `decode`, and the
//! messages and exit codes of refused command lines. Each case is a
//! `tests/cmd/NAME.toml` with its expected `NAME.stdout` and `NAME.stderr`
//! beside it; `TRYCMD=overwrite cargo test -p watchword-cli --test cmd`
//! rewrites them after a deliberate change (then read the diff).
//!
//! Only commands that touch no keychain are here, so these run anywhere;
//! the store's commands are pinned in tests/cli/, inside the private
//! session.

/// The otpauth URI `decode` reads back: RFC 6238's SHA1 key.
const ACME_URI: &str = "otpauth://totp/ACME:me?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME";

/// A PNG of `payload`'s QR code, 4 pixels a module with its quiet zone, or
/// a blank 200 px page when there is none.
fn qr_png(path: &std::path::Path, payload: Option<&str>) {
    const SCALE: usize = 4;
    let Some(text) = payload else {
        image::GrayImage::from_pixel(200, 200, image::Luma([255]))
            .save(path)
            .expect("PNG written");
        return;
    };
    let code = qrcode::QrCode::new(text.as_bytes()).expect("encodable");
    let modules = code.width();
    let side = (modules + 8) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in code.to_colors().into_iter().enumerate() {
        if color == qrcode::Color::Dark {
            let (mx, my) = (i % modules + 4, i / modules + 4);
            for y in my * SCALE..(my + 1) * SCALE {
                pixels[y * side + mx * SCALE..y * side + (mx + 1) * SCALE].fill(0);
            }
        }
    }
    image::GrayImage::from_raw(side as u32, side as u32, pixels)
        .expect("sized to fit")
        .save(path)
        .expect("PNG written");
}

#[test]
fn cli_output_is_as_pinned() {
    // Drawn here, not kept in the repository (the folder is ignored by git):
    // the `decode` cases run in it.
    let images = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cmd/images.in");
    std::fs::create_dir_all(&images).expect("tests/cmd/images.in created");
    qr_png(&images.join("acme.png"), Some(ACME_URI));
    qr_png(&images.join("blank.png"), None);

    trycmd::TestCases::new()
        .register_bin(
            "watchword-cli",
            std::path::PathBuf::from(env!("CARGO_BIN_EXE_watchword-cli")),
        )
        .case("tests/cmd/*.toml");
}

/// A reader that has gone before anything was written (`… | head -1`, or a
/// pager quit early) is no failure: no panic, and the command ends as it
/// would have.
#[test]
fn a_reader_that_has_gone_is_no_failure() {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_watchword-cli"))
        .args(["code", "--uri", "-", "--at", "59"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("watchword-cli runs");
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().expect("piped");
    stdin.write_all(ACME_URI.as_bytes()).expect("URI written");
    drop(stdin);
    let out = child.wait_with_output().expect("it ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{}: {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Output that cannot be written (a full disk behind a redirection) is
/// said once, and the command, finished, exits with an error.
#[test]
fn output_that_cannot_be_written_is_an_error() {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let mut child = Command::new(env!("CARGO_BIN_EXE_watchword-cli"))
        .args(["code", "--uri", "-", "--at", "59"])
        .stdin(Stdio::piped())
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .spawn()
        .expect("watchword-cli runs");
    let mut stdin = child.stdin.take().expect("piped");
    stdin.write_all(ACME_URI.as_bytes()).expect("URI written");
    drop(stdin);
    let out = child.wait_with_output().expect("it ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr,
        "watchword-cli: cannot write to standard output: No space left on device (os error 28)\n"
    );
}

/// A word that is not UTF-8 where a command belongs: refused, no panic.
#[test]
fn a_command_that_is_not_utf8_is_refused_without_a_panic() {
    use std::os::unix::ffi::OsStrExt as _;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_watchword-cli"))
        .arg(std::ffi::OsStr::from_bytes(b"\xff"))
        .output()
        .expect("watchword-cli runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
