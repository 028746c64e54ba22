//! Prints how long one automatic backup of N accounts takes through the
//! store (issue 10): encrypt, write, flush, read back, decrypt, compare,
//! prune; the password read from the keychain, the accounts already loaded.
//! Run by scripts/bench_backup.sh inside a private session:
//! `backup_figures N RUNS`. Figures only.

use std::time::{Duration, Instant};
use watchword_core::account::Account;
use watchword_core::store::{Config, Store};
use watchword_core::Secret;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(500);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5).max(1);
    let data = tempfile::tempdir().expect("temp dir");
    let folder = tempfile::tempdir().expect("temp dir");
    let config = Config {
        data_dir: data.path().to_owned(),
        service: format!("watchword-backup-figures-{}-{n}", std::process::id()),
    };
    let mut store = Store::open(&config).expect("a Secret Service answers");
    let accounts = (0..n).map(|i| {
        let mut key = vec![0u8; 20];
        getrandom::fill(&mut key).expect("the OS random source is available");
        Account::totp(&format!("Bench{i}"), "me", Secret::from_bytes(key))
    });
    store.add_all(accounts).expect("accounts stored");
    store
        .set_up_auto_backup(folder.path(), 20, "bench password", 1)
        .expect("backups set up");
    let mut times = Vec::new();
    for run in 0..runs {
        let start = Instant::now();
        store
            .back_up_now(2 + run as u64)
            .expect("backup written and verified");
        times.push(start.elapsed());
    }
    let size = std::fs::read_dir(folder.path())
        .expect("folder")
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .max()
        .unwrap_or(0);
    println!(
        "one backup of {n:>4} accounts: {:>5} ms (median of {runs}), {size} bytes",
        median(times).as_millis()
    );
    store.turn_off_auto_backup().expect("off");
}
