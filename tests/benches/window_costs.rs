//! What the window costs (issue 4): start-up time to the first code shown
//! with 50 and 500 accounts, idle CPU of the whole app (the `watchword`
//! process and WebKit's processes) with 50 accounts over 60 s, and its
//! memory over several minutes. Real parts throughout: a release build,
//! gnome-keyring, Xvfb, tauri-driver. Prints figures; asserts nothing about
//! time. Run through `scripts/bench.sh` (`MINUTES=2` for a shorter watch).

use std::time::{Duration, Instant};
use watchword_e2e::{
    clock_ticks_per_second, cpu_ticks, median, pss_kib, seed_accounts, wait_first_code, App,
    Profile,
};

/// Milliseconds each keystroke of a search takes to show its result (the
/// filter, the reordered list and its layout), typed into the page.
fn search_keystrokes(app: &App<'_>) -> Vec<f64> {
    let times = app.execute(
        "const search = document.querySelector('#search');
         const times = [];
         let query = '';
         for (const ch of 'service 42') {
           query += ch;
           const started = performance.now();
           search.value = query;
           search.dispatchEvent(new Event('input'));
           document.body.offsetHeight;
           times.push(performance.now() - started);
         }
         search.value = '';
         search.dispatchEvent(new Event('input'));
         return times;",
        serde_json::json!([]),
    );
    times
        .as_array()
        .map(|t| t.iter().filter_map(serde_json::Value::as_f64).collect())
        .unwrap_or_default()
}

/// Seconds from asking for the app to its first code on screen, each run.
fn start_up(profile: &Profile, runs: usize) -> Vec<f64> {
    (0..runs)
        .map(|_| {
            let started = Instant::now();
            let app = profile.launch();
            wait_first_code(&app);
            let took = started.elapsed().as_secs_f64();
            app.quit();
            took
        })
        .collect()
}

fn main() {
    let minutes: u64 = std::env::var("MINUTES")
        .ok()
        .and_then(|m| m.parse().ok())
        .unwrap_or(10);

    println!("Watchword window costs (release build, Xvfb, gnome-keyring)");
    for count in [50usize, 500] {
        let profile = Profile::new(&format!("bench_start_{count}"));
        seed_accounts(&profile, count);
        let mut runs = start_up(&profile, 3);
        let app = profile.launch();
        wait_first_code(&app);
        let mut keys = search_keystrokes(&app);
        app.quit();
        let worst = keys.iter().copied().fold(0.0, f64::max);
        println!(
            "search as you type, {count} accounts: median {:.1} ms, worst {worst:.1} ms a keystroke",
            median(&mut keys)
        );
        println!(
            "start-up to the first code, {count} accounts: median {:.2} s of {:?} \
             (launch through tauri-driver and WebKitWebDriver included)",
            median(&mut runs),
            runs.iter()
                .map(|r| (r * 100.0).round() / 100.0)
                .collect::<Vec<_>>()
        );
    }

    let profile = Profile::new("bench_idle");
    seed_accounts(&profile, 50);
    let app = profile.launch();
    wait_first_code(&app);
    std::thread::sleep(Duration::from_secs(5));
    let pids = app.app_processes();
    let tick = clock_ticks_per_second();
    let before = cpu_ticks(&pids);
    let window = Duration::from_secs(60);
    std::thread::sleep(window);
    let after = cpu_ticks(&pids);
    let mut total = 0u64;
    let mut parts = Vec::new();
    for (name, end) in &after {
        let start = before
            .iter()
            .find(|(n, _)| n == name)
            .map_or(0, |(_, t)| *t);
        total += end - start;
        parts.push(format!(
            "{name} {:.2} %",
            (end - start) as f64 / tick / window.as_secs_f64() * 100.0
        ));
    }
    println!(
        "idle CPU, 50 accounts, over 60 s: {:.2} % of one core ({})",
        total as f64 / tick / window.as_secs_f64() * 100.0,
        parts.join(", ")
    );

    let mut samples = vec![pss_kib(&app.app_processes())];
    let every = Duration::from_secs(30);
    for _ in 0..minutes * 2 {
        std::thread::sleep(every);
        samples.push(pss_kib(&app.app_processes()));
    }
    let first = samples[0] as f64 / 1024.0;
    let last = samples[samples.len() - 1] as f64 / 1024.0;
    let peak = samples.iter().copied().max().unwrap_or(0) as f64 / 1024.0;
    println!(
        "memory (PSS of all the app's processes) over {minutes} min: {first:.1} MiB -> \
         {last:.1} MiB ({:+.1} MiB), peak {peak:.1} MiB, sampled every 30 s",
        last - first
    );
    app.quit();
}
