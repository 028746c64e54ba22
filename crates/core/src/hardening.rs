//! Process hardening done once at start by the app and the CLI: no core
//! dumps, so a crash cannot write the keys in memory to disk (as KeePassXC
//! does at start).

/// Turns core dumps off for this process and its children.
///
/// - Linux: the core size limit goes to 0 (soft and hard, so it cannot be
///   raised again) and the process is marked not dumpable
///   (`PR_SET_DUMPABLE` 0), which also covers `core_pattern` pipes to a crash
///   handler (systemd-coredump, apport) that ignore the limit. Side effect,
///   wanted: other processes of the same user can no longer ptrace it or read
///   its `/proc/<pid>/mem`, `environ` or `smaps`; only root can.
/// - macOS and other Unix systems: the core size limit goes to 0.
/// - Windows: nothing. Windows writes no core files; Windows Error Reporting
///   minidumps are a system policy outside the process's reach.
///
/// Returns what could not be done, for the caller to mention; a failure
/// weakens nothing else, so callers go on.
pub fn disable_core_dumps() -> Result<(), String> {
    imp::disable_core_dumps()
}

#[cfg(unix)]
mod imp {
    use rustix::process::{setrlimit, Resource, Rlimit};

    pub fn disable_core_dumps() -> Result<(), String> {
        let none = Rlimit {
            current: Some(0),
            maximum: Some(0),
        };
        // Both are tried: one failing must not skip the other.
        let limit =
            setrlimit(Resource::Core, none).map_err(|e| format!("cannot turn core dumps off: {e}"));
        #[cfg(any(target_os = "linux", target_os = "android"))]
        let dumpable =
            rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable)
                .map_err(|e| format!("cannot mark the process not dumpable: {e}"));
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        let dumpable: Result<(), String> = Ok(());
        match (limit, dumpable) {
            (Ok(()), Ok(())) => Ok(()),
            (Err(e), Ok(())) | (Ok(()), Err(e)) => Err(e),
            (Err(a), Err(b)) => Err(format!("{a}; {b}")),
        }
    }
}

#[cfg(not(unix))]
mod imp {
    pub fn disable_core_dumps() -> Result<(), String> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    // The effect is tested on a real process (the CLI) in
    // crates/cli/tests/cli/input.rs: a unit test here would leave the whole test
    // binary undumpable.
}
