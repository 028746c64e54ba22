//! tauri-driver: started on free ports in its own process group, and stopped
//! with everything it started.

use crate::env::tauri_driver;
use crate::profile::Profile;
use crate::tools::run_bounded;
use crate::webdriver::agent;
use crate::{DATA_DIR_VAR, POLL, SERVICE_VAR, TIMEOUT};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_ports() -> (u16, u16) {
    // Both bound at once so they differ; released just before use.
    let a = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let b = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let ports = (
        a.local_addr().expect("local address").port(),
        b.local_addr().expect("local address").port(),
    );
    drop((a, b));
    ports
}

/// tauri-driver, in a process group of its own so that it, WebKitWebDriver
/// and the app can be stopped together.
pub(crate) struct Driver {
    pub(crate) child: Child,
    port: u16,
    log: PathBuf,
}

impl Driver {
    pub(crate) fn start(profile: &Profile, launch: u32) -> Self {
        use std::os::unix::process::CommandExt;
        let (port, native_port) = free_ports();
        let log = profile.root.path().join(format!("driver-{launch}.log"));
        let log_file = std::fs::File::create(&log).expect("create the driver log");
        let mut command = Command::new(tauri_driver());
        for key in profile.unset.borrow().iter() {
            command.env_remove(key);
        }
        let child = command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env(DATA_DIR_VAR, &profile.data_dir)
            .env(SERVICE_VAR, &profile.service)
            .envs(profile.env.borrow().iter().cloned())
            .env("RUST_BACKTRACE", "1")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("clone the log handle"))
            .stderr(log_file)
            .process_group(0)
            .spawn()
            .expect("start tauri-driver");
        let mut driver = Self { child, port, log };
        driver.wait_ready();
        driver
    }

    pub(crate) fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn wait_ready(&mut self) {
        let agent = agent(Duration::from_secs(2));
        let deadline = Instant::now() + TIMEOUT;
        let status_url = format!("{}/status", self.url());
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "tauri-driver exited ({status}) before answering:\n{}",
                    self.log_tail()
                );
            }
            if let Ok(mut response) = agent.get(&status_url).call() {
                let ready = response
                    .body_mut()
                    .read_json::<Value>()
                    .ok()
                    .and_then(|v| v.pointer("/value/ready").and_then(Value::as_bool))
                    .unwrap_or(false);
                if response.status().is_success() && ready {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "tauri-driver did not answer {status_url} within {TIMEOUT:?}:\n{}",
                self.log_tail()
            );
            std::thread::sleep(POLL);
        }
    }

    /// Everything tauri-driver, WebKitWebDriver and the app printed so far.
    pub(crate) fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub(crate) fn log_tail(&self) -> String {
        let text = self.log_text();
        // Without the Wayland protocol trace (WAYLAND_DEBUG) some tests ask
        // for: what the app said is what explains a failure.
        let lines: Vec<&str> = text
            .lines()
            .filter(|line| !is_wayland_trace(line))
            .collect();
        let start = lines.len().saturating_sub(40);
        format!(
            "--- last lines of {} ---\n{}",
            self.log.display(),
            lines[start..].join("\n")
        )
    }

    /// Stops tauri-driver and everything in its process group (the native
    /// driver and the app): SIGTERM, then SIGKILL after a grace period.
    fn stop(&mut self) {
        let group = self.child.id();
        signal_group(group, "TERM");
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut killed = false;
        loop {
            let _ = self.child.try_wait(); // reap tauri-driver itself
            if live_group_members(group).is_empty() {
                break;
            }
            if Instant::now() >= deadline {
                if killed {
                    eprintln!("warning: processes of group {group} outlived SIGKILL");
                    break;
                }
                signal_group(group, "KILL");
                killed = true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A line of libwayland's protocol trace: "[12345.678] wl_…".
fn is_wayland_trace(line: &str) -> bool {
    line.strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .is_some_and(|(stamp, _)| stamp.trim().parse::<f64>().is_ok())
}

pub(crate) fn signal_group(group: u32, signal: &str) {
    let _ = run_bounded(
        Command::new("kill").args([format!("-{signal}"), "--".into(), format!("-{group}")]),
        Duration::from_secs(5),
    );
}

/// Pids of the processes of `group` that are still running (not zombies).
pub(crate) fn live_group_members(group: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| {
            let pid: u32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // "pid (comm) state ppid pgrp ...": comm may hold spaces or ')'.
            let rest = &stat[stat.rfind(')')? + 1..];
            let mut fields = rest.split_whitespace();
            let state = fields.next()?;
            let _ppid = fields.next()?;
            let pgrp: u32 = fields.next()?.parse().ok()?;
            (pgrp == group && state != "Z" && state != "X").then_some(pid)
        })
        .collect()
}
