//! Bad input refused, keys kept off the command line and off the screen, no
//! core dumps.

use super::common::shown_until;
use super::*;

#[test]
fn bad_input_is_refused_on_stderr_with_a_non_zero_exit() {
    let env = env("bad");
    let code_uri: &[&str] = &["code", "--uri", "-"];
    let cases: [(&[&str], &str, &str); 7] = [
        (
            code_uri,
            "otpauth://totp/x?secret=JBSW1Y3DP",
            "watchword-cli: the secret key has an invalid character at position 5: only letters A-Z and digits 2-7 are allowed\n",
        ),
        (
            code_uri,
            "otpauth://motp/x?secret=JBSWY3DP",
            "watchword-cli: unknown OTP type \"motp\": expected totp, hotp or steam\n",
        ),
        (
            code_uri,
            "otpauth://totp/x?digits=6",
            "watchword-cli: the URI has no secret parameter\n",
        ),
        // Issue 9: a `;` for a `&` once put the key in the message.
        (
            code_uri,
            "otpauth://totp/x?digits=6;secret=JBSWY3DPEHPK3PXP&secret=JBSWY3DPEHPK3PXP",
            "watchword-cli: digits must be a number from 4 to 10, not (25 characters, not shown)\n",
        ),
        (
            code_uri,
            "",
            "watchword-cli: no otpauth URI was given on standard input\n",
        ),
        (
            &["add", "--issuer", "X", "--digits", "12"],
            "JBSWY3DPEHPK3PXP",
            "watchword-cli: digits must be a number from 4 to 10, not \"12\"\n",
        ),
        (
            &["add", "--issuer", "X"],
            "  \n",
            "watchword-cli: no setup key or otpauth URI was given on standard input\n",
        ),
    ];
    for (args, input, message) in cases {
        let out = env.run_with(args, input);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(stderr(&out), message, "{args:?}");
        assert_eq!(stdout(&out), "", "{args:?}");
    }
    let out = env.run(&["list"]);
    assert_eq!(
        stderr(&out),
        "No accounts yet: add one with `watchword-cli add`.\n"
    );
}

/// Issue 9: `add --secret KEY`, `add URI` and `code --uri URI` put the key in
/// the process list and the shell's history. They are refused, with the
/// form to use instead, and the key is not repeated.
#[test]
fn keys_given_as_arguments_are_refused_and_point_to_standard_input() {
    let env = env("key-args");
    let key = "JBSWY3DPEHPK3PXP";
    let uri = format!("otpauth://totp/x?secret={key}");
    let refused_add = "watchword-cli: keys and otpauth URIs are not taken as arguments, where \
        the process list and the shell's history would show them: run `watchword-cli add` and \
        paste the key or URI at the prompt, or pipe it in (`watchword-cli add < uri.txt`)\n";
    let refused_code = "watchword-cli: --uri takes \"-\" and reads the URI from standard input: \
        a URI on the command line shows its key in the process list and the shell's history \
        (e.g. `watchword-cli code --uri - < uri.txt`)\n";
    for (args, message) in [
        (vec!["add", "--issuer", "X", "--secret", key], refused_add),
        (vec!["add", &uri], refused_add),
        (vec!["add", key], refused_add),
        (vec!["code", "--uri", &uri], refused_code),
    ] {
        // A key on standard input too: refusing must not depend on it.
        let out = env.run_with(&args, key);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(stderr(&out), message, "{args:?}");
        assert_eq!(stdout(&out), "", "{args:?}");
    }
    assert!(
        !env.dir.path().join("accounts.json").exists(),
        "nothing was stored"
    );
}

/// At a terminal the key is typed at a prompt that does not echo it: the
/// terminal (a pseudo-terminal here) never shows it.
#[cfg(unix)]
#[test]
fn the_key_prompt_does_not_echo() {
    use rustix::pty::{grantpt, openpt, ptsname, unlockpt, OpenptFlags};
    use std::io::{Read, Write};
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).expect("a pseudo-terminal");
    grantpt(&master).expect("grantpt");
    unlockpt(&master).expect("unlockpt");
    let name = ptsname(&master, Vec::new()).expect("ptsname");
    // The test keeps the terminal side open to its end: the terminal is
    // never hung up, so nothing echoed can be lost, and what it showed is
    // read from the master up to a mark the test writes on it itself.
    let terminal = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(name.to_str().expect("a UTF-8 path"))
        .expect("open the terminal side");
    let mut master = std::fs::File::from(master);
    // The control: echo is on at first, so a line typed does show. Without
    // it "the key does not show" below could pass for want of reading.
    master.write_all(b"echo is on\n").expect("type a line");
    let mut line = [0u8; 11];
    (&terminal).read_exact(&mut line).expect("the line typed");
    assert_eq!(&line, b"echo is on\n");
    (&terminal).write_all(b"<mark 1>").expect("write a mark");
    let shown = shown_until(&mut master, "<mark 1>");
    assert_eq!(shown.replace("\r\n", "\n"), "echo is on\n", "echo on");

    let mut child = Command::new(env!("CARGO_BIN_EXE_watchword-cli"))
        .args(["code", "--uri", "-", "--at", "59"])
        .stdin(terminal.try_clone().expect("the terminal"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("watchword-cli runs");
    // The prompt comes once echo is off; type only then.
    let mut prompt = Vec::new();
    let mut stderr_pipe = child.stderr.take().expect("piped");
    let mut byte = [0u8; 1];
    while !prompt.ends_with(b"otpauth URI: ") {
        let n = stderr_pipe.read(&mut byte).expect("read the prompt");
        assert_eq!(n, 1, "stderr ended before the prompt: {prompt:?}");
        prompt.push(byte[0]);
    }
    let uri = format!("otpauth://totp/ACME:me?secret={RFC_SHA1}&digits=8\n");
    master.write_all(uri.as_bytes()).expect("type the URI");
    let out = child.wait_with_output().expect("watchword-cli finishes");
    assert_eq!(stdout(&out), "94287082\n", "{}", stderr(&out));
    // The CLI read the line, so the terminal had echoed whatever it was to
    // echo of it: all of that comes before a mark written now.
    (&terminal).write_all(b"<mark 2>").expect("write a mark");
    let shown = shown_until(&mut master, "<mark 2>");
    assert!(!shown.contains(RFC_SHA1), "the terminal showed {shown:?}");
    // Only the newline shows (ECHONL), so the next message starts on a line
    // of its own.
    assert_eq!(
        shown.replace("\r\n", "\n"),
        "\n",
        "the terminal showed {shown:?}"
    );
}

/// Issue 9: a crash must not write keys to disk. The CLI turns core dumps
/// off at start: its core size limit is 0 and, on Linux, it is not dumpable,
/// which makes its /proc files root's. It is run as another user than the
/// test's (nobody, when the test runs as root) so that the owner tells.
#[cfg(target_os = "linux")]
#[test]
fn core_dumps_are_off() {
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(env!("CARGO_BIN_EXE_watchword-cli"));
    // `code --uri -` waits for its URI on standard input: time to look.
    command
        .args(["code", "--uri", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let test_uid = rustix::process::getuid().as_raw();
    let cli_uid = if test_uid == 0 { 65534 } else { test_uid };
    if test_uid == 0 {
        command.uid(cli_uid).gid(65534);
    }
    let mut child = command.spawn().expect("watchword-cli runs");
    let proc_dir = format!("/proc/{}", child.id());
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_watchword-cli"))
        .canonicalize()
        .expect("the binary's path");
    // (core size limits, owner of /proc/<pid>) once the CLI runs its own
    // code (before exec, the forked test runs; right after, main has not
    // started yet), or whatever they are after 20 s.
    let look = || {
        let limits = std::fs::read_to_string(format!("{proc_dir}/limits")).expect("limits");
        let core: Vec<String> = limits
            .lines()
            .find(|line| line.starts_with("Max core file size"))
            .expect("a core size line")
            .split_whitespace()
            .skip(4)
            .take(2)
            .map(str::to_owned)
            .collect();
        let owner = std::fs::metadata(format!("{proc_dir}/status"))
            .expect("status")
            .uid();
        let exe = std::fs::read_link(format!("{proc_dir}/exe")).unwrap_or_default();
        (exe == binary, core, owner)
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let (_, core, owner) = loop {
        let seen = look();
        if (seen.0 && seen.1 == ["0", "0"] && seen.2 == 0) || std::time::Instant::now() > deadline {
            break seen;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    drop(child.stdin.take());
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(core, ["0", "0"], "soft and hard core size limits");
    assert_eq!(owner, 0, "not dumpable: /proc/<pid> belongs to root");
    assert_ne!(cli_uid, 0, "the owner would tell nothing");
}

/// A name from a QR code or a file may carry escape sequences: OSC 52
/// (which sets the clipboard in terminals that allow it) and a carriage
/// return (which hides what came before it). A name is kept as one line,
/// its control characters made spaces. A note keeps its text as given (it
/// is the user's own, line breaks and all), so the CLI prints its other
/// control characters as visible escapes, never obeyed.
#[test]
fn escape_sequences_in_names_and_notes_are_not_obeyed() {
    let env = env("escapes");
    let uri = "otpauth://totp/%1B%5D52%3Bc%3BaGk%3D%07Evil:me%0Dyou?secret=JBSWY3DPEHPK3PXP";
    let obeyed = ['\u{1b}', '\u{7}', '\r'];
    let added = env.run_with(&["add"], uri);
    let said = stderr(&added);
    assert!(added.status.success(), "{said}");
    assert!(!said.contains(obeyed), "{said:?}");
    assert!(said.contains("]52;c;aGk= Evil"), "{said:?}");
    let list = env.run(&["list"]);
    let listed = stdout(&list);
    assert!(list.status.success(), "{}", stderr(&list));
    assert!(!listed.contains(obeyed), "{listed:?}");
    assert!(listed.contains("]52;c;aGk= Evil"), "{listed:?}");
    assert!(listed.contains("me you"), "{listed:?}");
    let json = env.run(&["list", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    assert_eq!(json[0]["issuer"], "]52;c;aGk= Evil", "{json}");

    let note = "codes:\n\u{1b}]52;c;aGk=\u{7}1234\rabcd\tefgh\n";
    let set = env.run_with(&["note", "Evil", "--set"], note);
    assert!(set.status.success(), "{}", stderr(&set));
    let shown = env.run(&["note", "Evil"]);
    let shown = stdout(&shown);
    assert!(!shown.contains(obeyed), "{shown:?}");
    assert!(
        shown.contains("codes:\n\\u{1b}]52;c;aGk=\\u{7}1234\\u{d}abcd\tefgh"),
        "{shown:?}"
    );
}

/// A password on standard input is one line of at most 1 KiB: a file piped
/// in by mistake, or an endless stream, is refused at once and changes
/// nothing; a password of exactly 1 KiB is taken.
#[test]
fn a_password_on_standard_input_is_one_bounded_line() {
    let env = env("password_line");
    let lock_on = ["lock", "on", "--password-stdin"];
    let too_long = env.run_with(&lock_on, &"a".repeat(1025));
    assert!(
        stderr(&too_long).ends_with(
            "\nwatchword-cli: the first line of standard input is longer than 1 KiB, far longer than any password\n"
        ),
        "{}",
        stderr(&too_long)
    );
    assert!(!too_long.status.success());
    let endless = env
        .command(&lock_on)
        .stdin(std::fs::File::open("/dev/zero").expect("/dev/zero"))
        .output()
        .expect("watchword-cli runs");
    assert!(!endless.status.success());
    assert!(
        stderr(&endless).contains("longer than 1 KiB"),
        "{}",
        stderr(&endless)
    );
    let status = env.run(&["lock", "status", "--json"]);
    let status: serde_json::Value = serde_json::from_str(&stdout(&status)).expect("JSON");
    assert_eq!(status["state"], "off", "{status}");
    let longest = "b".repeat(1024);
    let taken = env.run_with(&lock_on, &format!("{longest}\n"));
    assert!(taken.status.success(), "{}", stderr(&taken));
    let off = env.run_with(
        &["lock", "off", "--password-stdin"],
        &format!("{longest}\n"),
    );
    assert!(off.status.success(), "{}", stderr(&off));
}
