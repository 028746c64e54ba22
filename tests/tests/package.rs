//! The .deb, installed on this machine as a user would install it (issue
//! 12): `apt-get install ./watchword_*.deb`, then the installed CLI and
//! the installed app are used, the desktop entry and the metainfo are
//! checked by their validators, and the package is purged leaving nothing
//! of its own behind.
//!
//! It changes the machine, so it runs only when asked:
//! `scripts/package.sh --test` (root, or sudo) builds the package and runs
//! it with `WATCHWORD_DEB` naming the file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use watchword_e2e::{assert_copied_totp, Profile, Totp};

const KEY: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// `args` as a command run as root (through sudo when not root).
fn root_command(args: &[&str]) -> Command {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let mut command = if root {
        Command::new(args[0])
    } else {
        let mut sudo = Command::new("sudo");
        sudo.args(["-n", args[0]]);
        sudo
    };
    command
        .args(&args[1..])
        .env("DEBIAN_FRONTEND", "noninteractive");
    command
}

/// Runs a command as root; it must succeed.
fn as_root(args: &[&str]) -> Output {
    let output = root_command(args)
        .output()
        .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    assert!(
        output.status.success(),
        "{args:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"))
}

/// Whether dpkg holds the package as installed.
fn installed() -> bool {
    run("dpkg-query", &["-W", "-f=${Status}", "watchword"])
        .stdout
        .starts_with(b"install ok installed")
}

/// Purges the package however the test ends: a failed test must not
/// leave it on the machine.
struct Purge;

impl Drop for Purge {
    fn drop(&mut self) {
        if installed() {
            let _ = root_command(&["apt-get", "purge", "-y", "-qq", "watchword"]).status();
        }
    }
}

#[test]
#[ignore = "installs a package on this machine: run by scripts/package.sh --test"]
fn the_deb_installs_works_and_leaves_nothing_behind() {
    let deb = PathBuf::from(std::env::var("WATCHWORD_DEB").expect("WATCHWORD_DEB names the .deb"));
    assert!(deb.is_absolute() && deb.is_file(), "{}", deb.display());
    assert!(
        !installed(),
        "watchword is installed already: remove it first"
    );
    let profile = Profile::new("package");

    // apt resolves what the package declares (dpkg-shlibdeps' list).
    let _purge = Purge;
    as_root(&["apt-get", "install", "-y", "-qq", &deb.to_string_lossy()]);
    assert!(installed());
    let listed = String::from_utf8_lossy(&run("dpkg-query", &["-L", "watchword"]).stdout)
        .lines()
        .map(PathBuf::from)
        .collect::<Vec<_>>();
    let files: Vec<&PathBuf> = listed.iter().filter(|p| p.is_file()).collect();
    for expected in [
        "/usr/bin/watchword",
        "/usr/bin/watchword-cli",
        "/usr/share/man/man1/watchword.1.gz",
        "/usr/share/man/man1/watchword-cli.1.gz",
        "/usr/share/man/man1/watchword-cli-add.1.gz",
        "/usr/share/bash-completion/completions/watchword-cli",
        "/usr/share/zsh/vendor-completions/_watchword-cli",
        "/usr/share/fish/vendor_completions.d/watchword-cli.fish",
        "/usr/share/applications/watchword.desktop",
        "/usr/share/metainfo/org.watchword.desktop.metainfo.xml",
        "/usr/share/icons/hicolor/16x16/apps/watchword.png",
        "/usr/share/icons/hicolor/48x48/apps/watchword.png",
        "/usr/share/icons/hicolor/256x256/apps/watchword.png",
        "/usr/share/icons/hicolor/512x512/apps/watchword.png",
        "/usr/share/icons/hicolor/scalable/apps/watchword.svg",
        "/usr/share/doc/watchword/copyright",
    ] {
        assert!(
            files.iter().any(|f| f.as_path() == Path::new(expected)),
            "{expected} in {files:?}"
        );
    }

    // The desktop entry and the metainfo pass their validators; the
    // desktop's database now sends otpauth links to Watchword.
    let checked = run(
        "desktop-file-validate",
        &["/usr/share/applications/watchword.desktop"],
    );
    assert!(
        checked.status.success() && checked.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );
    let checked = run(
        "appstreamcli",
        &[
            "validate",
            "--no-net",
            "/usr/share/metainfo/org.watchword.desktop.metainfo.xml",
        ],
    );
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );
    let handlers = std::fs::read_to_string("/usr/share/applications/mimeinfo.cache")
        .expect("the desktop database (desktop-file-utils' trigger)");
    for scheme in ["otpauth", "otpauth-migration"] {
        assert!(
            handlers
                .lines()
                .any(|l| l.starts_with(&format!("x-scheme-handler/{scheme}="))
                    && l.contains("watchword.desktop")),
            "{scheme} in {handlers}"
        );
    }
    // man finds the pages; bash takes the completion in.
    let page = run("man", &["-w", "watchword-cli"]);
    assert_eq!(
        String::from_utf8_lossy(&page.stdout).trim(),
        "/usr/share/man/man1/watchword-cli.1.gz"
    );
    let completion = run(
        "bash",
        &[
            "-c",
            "source /usr/share/bash-completion/completions/watchword-cli && complete -p watchword-cli",
        ],
    );
    assert!(completion.status.success(), "{completion:?}");

    // The installed CLI adds an account; the installed app shows it, and
    // its code copies.
    let mut add = Command::new("/usr/bin/watchword-cli");
    add.args(["add", "--issuer", "Installed", "--account", "me"])
        .env(watchword_e2e::DATA_DIR_VAR, profile.data_dir())
        .env(watchword_e2e::SERVICE_VAR, profile.service())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = add.spawn().expect("the installed CLI runs");
    {
        use std::io::Write;
        let mut input = child.stdin.take().expect("its standard input");
        input.write_all(KEY.as_bytes()).expect("the key written");
    }
    let added = child.wait_with_output().expect("the installed CLI ends");
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let app = profile.launch_through(Path::new("/usr/bin/watchword"));
    let row = app.wait_row("Installed", "me");
    assert_copied_totp(&app.copy_code(&row), &Totp::default_for(KEY), 0);
    app.quit();

    // Purged, nothing of the package stays: every file it installed is
    // gone, and dpkg no longer knows it.
    as_root(&["apt-get", "purge", "-y", "-qq", "watchword"]);
    assert!(!installed());
    let left: Vec<&&PathBuf> = files.iter().filter(|f| f.exists()).collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    let folders: Vec<&PathBuf> = listed
        .iter()
        .filter(|p| p.starts_with("/usr/share/doc/watchword") && p.exists())
        .collect();
    assert!(folders.is_empty(), "left behind: {folders:?}");
}
