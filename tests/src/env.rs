//! Environment and build: the test environment's checks, and the app, CLI and
//! tauri-driver binaries the tests run.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// Fails (never skips) when the private session made by scripts/test.sh is
/// not there: without it the app would touch the user's own keychain, or
/// have no display at all.
pub fn require_test_environment() {
    let missing: Vec<&str> = ["DISPLAY", "DBUS_SESSION_BUS_ADDRESS"]
        .into_iter()
        .filter(|name| std::env::var_os(name).is_none_or(|v| v.is_empty()))
        .collect();
    assert!(
        missing.is_empty(),
        "{} not set: the end-to-end tests need the private D-Bus session (with an unlocked \
         gnome-keyring) and the Xvfb display that scripts/test.sh sets up. Run them with \
         `scripts/test.sh` (only these: `scripts/test.sh --test e2e`).",
        missing.join(" and ")
    );
}

/// The workspace root (the folder above this crate).
pub fn workspace_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .expect("the e2e crate lives in a folder of the workspace")
        .to_path_buf()
}

/// Environment variable that makes the harness build and run release
/// binaries (`WATCHWORD_APP_PROFILE=release`), as the benchmarks do.
pub const PROFILE_VAR: &str = "WATCHWORD_APP_PROFILE";

fn release() -> bool {
    std::env::var(PROFILE_VAR).is_ok_and(|p| p == "release")
}

/// The app binary, built on first use so that `cargo test -p
/// watchword-e2e` alone tests the current source, with the CLI beside it.
///
/// Built as the scripts build them, so nothing is built twice: `cargo build
/// --workspace --bins` (scripts/checks.sh, scripts/package.sh) in debug,
/// `cargo build --release -p watchword -p watchword-cli` (the benchmarks'
/// scripts) in release. Another selection of packages (`-p watchword`
/// alone) unifies the dependencies' features differently, and cargo would
/// rebuild and relink both binaries, back and forth, a minute each time.
pub fn app_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let workspace = workspace_dir();
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let selection: &[&str] = if release() {
            &["--release", "-p", "watchword", "-p", "watchword-cli"]
        } else {
            &["--workspace", "--bins"]
        };
        let status = Command::new(&cargo)
            .current_dir(&workspace)
            .args(["build", "--quiet", "--manifest-path"])
            .arg(workspace.join("Cargo.toml"))
            .args(selection)
            .stdin(Stdio::null())
            .status()
            .unwrap_or_else(|e| panic!("cannot run {} build: {e}", cargo.to_string_lossy()));
        assert!(
            status.success(),
            "`cargo build {}` failed ({status})",
            selection.join(" ")
        );
        let target = match std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
            Some(dir) => workspace.join(dir), // an absolute path replaces the base
            None => workspace.join("target"),
        };
        let binary = target
            .join(if release() { "release" } else { "debug" })
            .join(format!("watchword{}", std::env::consts::EXE_SUFFIX));
        assert!(
            binary.is_file(),
            "cargo built watchword but {} does not exist",
            binary.display()
        );
        binary
    })
}

/// The CLI binary, built with the app by [`app_binary`].
pub fn cli_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let binary =
            app_binary().with_file_name(format!("watchword-cli{}", std::env::consts::EXE_SUFFIX));
        assert!(
            binary.is_file(),
            "cargo built watchword-cli but {} does not exist",
            binary.display()
        );
        binary
    })
}

pub(crate) fn tauri_driver() -> PathBuf {
    if let Some(found) = find_in_path("tauri-driver") {
        return found;
    }
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let candidate = cargo_home.map(|h| h.join("bin").join("tauri-driver"));
    match candidate {
        Some(path) if path.is_file() => path,
        _ => panic!(
            "tauri-driver not found in PATH nor in $CARGO_HOME/bin: run scripts/test.sh, \
             which installs it (scripts/setup.sh test)"
        ),
    }
}

fn find_in_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

pub(crate) fn require_program(program: &str) {
    assert!(
        find_in_path(program).is_some(),
        "{program} is not in PATH; scripts/test.sh (scripts/setup.sh test) installs it"
    );
}
