//! Figures for the benchmarks (tests/benches): accounts to measure with,
//! the first code on screen, CPU time and memory of a process tree. They
//! print what they measure; nothing here asserts a time.

use crate::{App, Profile};

/// `count` accounts in the keychain and the list, through the CLI's import
/// (one process, one keychain read).
pub fn seed_accounts(profile: &Profile, count: usize) {
    let list: String = (0..count)
        .map(|i| {
            let key: Vec<u8> = (0..20u8).map(|b| b.wrapping_mul(31) ^ (i as u8) ^ (i >> 8) as u8).collect();
            format!(
                "otpauth://totp/Service%20{i}:user{i}%40example.com?secret={}&issuer=Service%20{i}\n",
                data_encoding::BASE32_NOPAD.encode(&key)
            )
        })
        .collect();
    let file = profile
        .data_dir()
        .parent()
        .expect("the profile's folder")
        .join("accounts.txt");
    std::fs::write(&file, list).expect("write the list");
    profile.cli(&["import", file.to_str().expect("a UTF-8 path")]);
}

/// Waits until a row shows a code of digits.
pub fn wait_first_code(app: &App<'_>) {
    app.wait_until("the first code", || {
        let shown = app
            .try_execute(
                "const b = document.querySelector('#accounts li.account button.code');
                 return b ? b.textContent : '';",
                serde_json::json!([]),
            )
            .map_err(|e| e.to_string())?;
        match shown.as_str() {
            Some(text) if text.chars().any(|c| c.is_ascii_digit()) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
}

/// Clock ticks a second, as /proc counts CPU time.
pub fn clock_ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// CPU time (user + system, in clock ticks) of each process, by name.
pub fn cpu_ticks(pids: &[u32]) -> Vec<(String, u64)> {
    pids.iter()
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let name = stat[stat.find('(')? + 1..stat.rfind(')')?].to_owned();
            let fields: Vec<&str> = stat[stat.rfind(')')? + 2..].split_whitespace().collect();
            // utime and stime: fields 14 and 15 of stat, 12 and 13 here.
            let ticks =
                fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
            Some((format!("{name}[{pid}]"), ticks))
        })
        .collect()
}

/// Proportional set size of the processes, in KiB: each process's share of
/// the memory it uses, so shared libraries count once in all.
pub fn pss_kib(pids: &[u32]) -> u64 {
    pids.iter()
        .filter_map(|pid| {
            let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
            rollup
                .lines()
                .find(|line| line.starts_with("Pss:"))?
                .split_whitespace()
                .nth(1)?
                .parse::<u64>()
                .ok()
        })
        .sum()
}

/// The middle value (sorts `values`).
pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
