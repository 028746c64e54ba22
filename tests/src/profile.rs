//! Profile: an isolated data folder and keychain service, one app on the
//! display at a time.

use crate::app::App;
use crate::env::{app_binary, cli_binary, require_program, require_test_environment};
use crate::tools::{run_bounded, tool_with_input};
use crate::{DATA_DIR_VAR, SERVICE_VAR, TIMEOUT, TOOL_TIMEOUT};
use std::cell::Cell;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    // A failed test poisons the lock; the next one still runs.
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One isolated user of the app: a data folder and a keychain service name
/// of its own. Dropping it removes the keychain items (even when the test
/// failed) and the folder. Holds the lock that runs end-to-end tests one at a
/// time.
pub struct Profile {
    pub(crate) name: String,
    pub(crate) root: tempfile::TempDir,
    pub(crate) data_dir: PathBuf,
    pub(crate) service: String,
    launches: Cell<u32>,
    /// Extra environment for the app's launches (`GTK_THEME`, …).
    pub(crate) env: std::cell::RefCell<Vec<(String, String)>>,
    /// Variables taken out of the environment of the app's launches.
    pub(crate) unset: std::cell::RefCell<Vec<String>>,
    _serial: MutexGuard<'static, ()>,
}

impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Profile")
            .field("name", &self.name)
            .field("data_dir", &self.data_dir)
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

impl Profile {
    /// Call just before the click or key press that copies a default TOTP
    /// code of `key`: puts a marker text on the clipboard (and waits until
    /// it is there), so that [`TotpCopy::wait`] knows the copy when it comes.
    pub fn expect_totp_copy<'k>(&self, key: &'k str) -> crate::TotpCopy<'k> {
        let marker = format!("before the copy, in {}", self.name);
        crate::put_clipboard_text(self.root.path(), &marker);
        crate::wait_until("the marker on the clipboard", crate::TIMEOUT, || {
            match crate::clipboard_holds()? {
                Some(text) if text == marker => Ok(()),
                held => Err(format!("the clipboard holds {held:?}")),
            }
        });
        crate::TotpCopy::new(key, crate::unix_now(), marker)
    }

    /// A fresh profile for the test called `name`.
    pub fn new(name: &str) -> Self {
        require_test_environment();
        for program in ["WebKitWebDriver", "oathtool", "xclip", "secret-tool"] {
            require_program(program);
        }
        let serial = serial();
        let root = tempfile::Builder::new()
            .prefix(&format!("watchword-e2e-{name}-"))
            .tempdir()
            .expect("create a temporary folder for the test");
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("the clock is after 1970")
            .as_nanos();
        Self {
            name: name.to_owned(),
            data_dir: root.path().join("data"),
            root,
            service: format!("watchword-e2e-{}-{nanos}", std::process::id()),
            launches: Cell::new(0),
            env: std::cell::RefCell::new(Vec::new()),
            unset: std::cell::RefCell::new(Vec::new()),
            _serial: serial,
        }
    }

    /// Sets `key` to `value` in the environment of the app's next launches.
    pub fn set_env(&self, key: &str, value: &str) {
        self.env
            .borrow_mut()
            .push((key.to_owned(), value.to_owned()));
    }

    /// Takes `key` out of the environment of the app's next launches (a
    /// Wayland-only session has no `DISPLAY`).
    pub fn unset_env(&self, key: &str) {
        self.unset.borrow_mut().push(key.to_owned());
    }

    /// The app's data folder (it does not exist until the app makes it).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The keychain service name the app stores items under.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// Deletes the app's data folder and everything in it.
    pub fn delete_data_dir(&self) {
        std::fs::remove_dir_all(&self.data_dir)
            .unwrap_or_else(|e| panic!("delete {}: {e}", self.data_dir.display()));
    }

    /// Stores `content` as the keychain item `id` of this profile's
    /// service, as another program (or a newer Watchword) could.
    pub fn plant_item(&self, id: &str, content: &str) {
        let output = crate::tools::run_bounded_with_input(
            Command::new("secret-tool").args([
                "store",
                "--label=planted by a test",
                "service",
                &self.service,
                "username",
                id,
            ]),
            Some(content),
            TOOL_TIMEOUT,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            output.status.success(),
            "secret-tool store: {}",
            output.stderr
        );
    }

    /// How many Secret Service items carry this profile's service name.
    pub fn keychain_items(&self) -> usize {
        let output = run_bounded(
            Command::new("secret-tool").args(["search", "--all", "service", &self.service]),
            TOOL_TIMEOUT,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        // secret-tool prints one "[/org/freedesktop/secrets/...]" header per
        // item (on stdout or stderr depending on its version), and exits 1
        // when nothing matched.
        format!("{}\n{}", output.stdout, output.stderr)
            .lines()
            .filter(|line| line.starts_with("[/"))
            .count()
    }

    /// Runs `watchword-cli` on this profile's data folder and keychain
    /// (to set up accounts faster than the form); it must succeed.
    pub fn cli(&self, args: &[&str]) -> String {
        self.cli_with_input(args, None)
    }

    /// [`Profile::cli`] with `input` on standard input: `add` reads the key
    /// or URI there (never from its arguments).
    pub fn cli_with_input(&self, args: &[&str], input: Option<&str>) -> String {
        let mut command = Command::new(cli_binary());
        command
            .args(args)
            .env(DATA_DIR_VAR, &self.data_dir)
            .env(SERVICE_VAR, &self.service);
        tool_with_input(&mut command, input)
    }

    /// Adds an account through `watchword-cli add ARGS`, `key_or_uri` on
    /// its standard input.
    pub fn cli_add(&self, args: &[&str], key_or_uri: &str) -> String {
        let mut all = vec!["add"];
        all.extend_from_slice(args);
        self.cli_with_input(&all, Some(key_or_uri))
    }

    /// Starts the app binary directly (no driver), with this profile's
    /// environment, and waits for it to exit; as a user launching it again.
    pub fn launch_again_directly(&self) -> ExitStatus {
        self.launch_again_with(&[])
    }

    /// [`Profile::launch_again_directly`] with `args` (`--quick`, a link).
    pub fn launch_again_with(&self, args: &[&str]) -> ExitStatus {
        let mut command = Command::new(app_binary());
        command
            .args(args)
            .env(DATA_DIR_VAR, &self.data_dir)
            .env(SERVICE_VAR, &self.service);
        let output = run_bounded(&mut command, TIMEOUT).unwrap_or_else(|e| panic!("{e}"));
        output.status
    }

    /// Starts tauri-driver and the app, with this profile's environment.
    pub fn launch(&self) -> App<'_> {
        self.launch_through(app_binary())
    }

    /// Like [`Profile::launch`], but the driver starts `program` in the
    /// app's place: a wrapper (e.g. a script running the app under strace)
    /// that must exec [`app_binary`] with its arguments and environment.
    pub fn launch_through(&self, program: &Path) -> App<'_> {
        let launch = self.launches.get() + 1;
        self.launches.set(launch);
        App::launch(self, launch, program, &[])
    }

    /// Like [`Profile::launch`], with `args` on the app's command line (as
    /// the desktop starts it to open a link or a file).
    pub fn launch_with_args(&self, args: &[&str]) -> App<'_> {
        let launch = self.launches.get() + 1;
        self.launches.set(launch);
        App::launch(self, launch, app_binary(), args)
    }

    fn clean_keychain(&self) -> Result<(), String> {
        let output = run_bounded(
            Command::new("secret-tool").args(["clear", "service", &self.service]),
            TOOL_TIMEOUT,
        )?;
        // secret-tool exits 1, silently, when no item matched.
        if output.status.success() || output.stderr.trim().is_empty() {
            Ok(())
        } else {
            Err(format!(
                "secret-tool clear failed ({}): {}",
                output.status,
                output.stderr.trim()
            ))
        }
    }
}

impl Drop for Profile {
    fn drop(&mut self) {
        if let Err(e) = self.clean_keychain() {
            eprintln!(
                "warning: could not remove the keychain items of service {}: {e}",
                self.service
            );
        }
        // The folder goes with `root`.
    }
}
