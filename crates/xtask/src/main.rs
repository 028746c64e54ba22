//! Build-time helpers for the packages (issue 12). `xtask package BIN_DIR`
//! makes the .deb and .rpm (see package.rs). `xtask docs OUT` writes
//! the man pages of `watchword` and `watchword-cli` and the CLI's
//! completions for bash, zsh and fish under OUT:
//!
//! - `man/man1/*.1`: one page for each program and each CLI subcommand;
//! - `completions/watchword-cli.bash`, `_watchword-cli` (zsh),
//!   `watchword-cli.fish`.
//!
//! The CLI's pages come from its own clap definition, compiled in here
//! from `crates/cli/src/cli.rs`, so they cannot drift from what it parses.
//! The app reads its few options by hand (`src-tauri/src/links.rs`); its
//! definition is here, and a test holds it to the options links.rs knows.

// The CLI's definition, as the CLI compiles it; only its clap side is used.
#[allow(dead_code)]
#[path = "../../cli/src/cli.rs"]
mod cli;
mod package;

use clap::{Arg, ArgAction, Command, CommandFactory};
use clap_complete::Shell;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The desktop app's command line.
fn app_command() -> Command {
    // The app answers no --help or --version (it reads its options by
    // hand): the page names none.
    Command::new("watchword")
        .version(env!("CARGO_PKG_VERSION"))
        .disable_help_flag(true)
        .disable_version_flag(true)
        .about("Two-step verification codes from your keychain, in a window")
        .long_about(
            "Watchword shows the codes of your two-step verification accounts, kept in the \
             system keychain, and copies one with a click. Started again while running, it \
             hands what it was given to the running window.",
        )
        .arg(
            Arg::new("quick")
                .long("quick")
                .action(ArgAction::SetTrue)
                .help(
                    "Open the quick-copy palette (or close it, when open). Bind this to a key \
                     in your desktop's keyboard settings where apps cannot take keys (Wayland)",
                ),
        )
        .arg(
            Arg::new("tray")
                .long("tray")
                .action(ArgAction::SetTrue)
                .help(
                    "Start in the tray, the window hidden until asked for (as the login entry \
                     does); without a tray, the window shows",
                ),
        )
        .arg(
            Arg::new("open")
                // clap_mangen marks no positional as repeatable: the name does.
                .value_name("LINK_OR_FILE...")
                .action(ArgAction::Append)
                .num_args(0..)
                .help(
                    "An otpauth:// or otpauth-migration:// link, a QR code image or another \
                     authenticator's backup, shown in the preview: nothing is added before \
                     you confirm",
                ),
        )
}

/// Writes the man pages and completions under `out`; returns the files.
fn write_docs(out: &Path) -> std::io::Result<Vec<PathBuf>> {
    let man = out.join("man").join("man1");
    std::fs::create_dir_all(&man)?;
    let mut written = Vec::new();
    for command in [cli::Cli::command(), app_command()] {
        clap_mangen::generate_to(command, &man)?;
    }
    for entry in std::fs::read_dir(&man)? {
        written.push(entry?.path());
    }
    let completions = out.join("completions");
    std::fs::create_dir_all(&completions)?;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        written.push(clap_complete::generate_to(
            shell,
            &mut cli::Cli::command(),
            "watchword-cli",
            &completions,
        )?);
    }
    written.sort();
    Ok(written)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [task, out] if task == "docs" => match write_docs(Path::new(out)) {
            Ok(files) => {
                for file in files {
                    println!("{}", file.display());
                }
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("xtask: cannot write the docs to {out}: {error}");
                ExitCode::FAILURE
            }
        },
        [task, bin_dir, kinds @ ..] if task == "package" => {
            let mut types = Vec::new();
            for kind in kinds {
                match kind.as_str() {
                    "deb" => types.push(tauri_bundler::PackageType::Deb),
                    "rpm" => types.push(tauri_bundler::PackageType::Rpm),
                    other => {
                        eprintln!("xtask: no package kind {other:?} (deb, rpm)");
                        return ExitCode::from(2);
                    }
                }
            }
            if types.is_empty() {
                types = vec![
                    tauri_bundler::PackageType::Deb,
                    tauri_bundler::PackageType::Rpm,
                ];
            }
            match package::package(Path::new(bin_dir), &types) {
                Ok(paths) => {
                    for path in paths {
                        println!("{}", path.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(failure) => {
                    eprintln!("xtask: no package: {failure}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => {
            eprintln!(
                "usage: xtask docs OUT_DIR              man pages and shell completions\n       \
                 xtask package BIN_DIR [deb] [rpm]  packages of the binaries built in BIN_DIR"
            );
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command as Run;

    /// A man page as `man` shows it (groff, plain text).
    fn rendered(page: &Path) -> String {
        let output = Run::new("groff")
            .args(["-man", "-Tutf8", "-P", "-cbou"])
            .arg(page)
            .output()
            .expect("groff runs");
        assert!(output.status.success(), "groff refused {}", page.display());
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    #[test]
    fn the_pages_and_completions_describe_both_programs() {
        let out = tempfile::tempdir().expect("a folder");
        let files = write_docs(out.path()).expect("written");
        let names: Vec<String> = files
            .iter()
            .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        for expected in [
            "watchword.1",
            "watchword-cli.1",
            "watchword-cli-code.1",
            "watchword-cli-lock.1",
            "watchword-cli.bash",
            "_watchword-cli",
            "watchword-cli.fish",
        ] {
            assert!(
                names.iter().any(|n| n == expected),
                "{expected} in {names:?}"
            );
        }
        let man = out.path().join("man").join("man1");
        let cli = rendered(&man.join("watchword-cli.1"));
        assert!(
            cli.contains("Two-step verification codes from your keychain"),
            "{cli}"
        );
        assert!(cli.contains("--lock-password-stdin"), "{cli}");
        let app = rendered(&man.join("watchword.1"));
        // Any number of links and files: the synopsis says so.
        for option in ["--quick", "--tray", "[LINK_OR_FILE...]"] {
            assert!(app.contains(option), "{option} in {app}");
        }
        // bash takes the completion in, and it completes watchword-cli.
        let bash = out.path().join("completions").join("watchword-cli.bash");
        let loaded = Run::new("bash")
            .arg("-c")
            .arg(format!(
                "source '{}' && complete -p watchword-cli",
                bash.display()
            ))
            .output()
            .expect("bash runs");
        assert!(
            loaded.status.success(),
            "{}",
            String::from_utf8_lossy(&loaded.stderr)
        );
    }

    /// Every option the app reads (`pub const NAME: &str = "--name";` in
    /// links.rs) is on its man page's definition, and no other.
    #[test]
    fn the_apps_page_names_the_options_it_reads() {
        let links = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../src-tauri/src/links.rs"),
        )
        .expect("links.rs");
        let mut read: Vec<String> = links
            .lines()
            .filter_map(|line| {
                let value = line
                    .trim()
                    .strip_prefix("pub const ")?
                    .split_once("= \"")?
                    .1;
                let option = value.strip_suffix("\";")?;
                option.starts_with("--").then(|| option.to_owned())
            })
            .collect();
        read.sort();
        let mut documented: Vec<String> = app_command()
            .get_arguments()
            .filter_map(|arg| arg.get_long().map(|long| format!("--{long}")))
            .collect();
        documented.sort();
        assert_eq!(read, documented);
        assert!(!read.is_empty());
    }
}
