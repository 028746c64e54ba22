//! Prints how well and how fast QR codes are read from the rendered corpus
//! (issue 3): Watchword's pipeline, plain rqrr and `zbarimg` (Debian
//! `zbar-tools`) side by side. It prints and never asserts on time.
//!
//! ```text
//! cargo bench -p watchword-core --bench qr_bench                 # the table
//! cargo bench -p watchword-core --bench qr_bench -- --stages     # each pipeline stage alone
//! cargo bench -p watchword-core --bench qr_bench -- --save DIR   # write the corpus images
//! ```
//!
//! Times are per image and include decoding the file (PNG/JPEG) to pixels,
//! since that is what a user waits for; `zbarimg` times include starting
//! the process. A case counts as decoded when exactly its payloads come out
//! (in reading order for Watchword; as a set for the others, which promise
//! no order).

#[path = "qr_corpus/mod.rs"]
mod qr_corpus;

use qr_corpus::Case;
use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, Instant};
use watchword_core::qr::{self, Stage};

struct Tally {
    name: &'static str,
    decoded: usize,
    total: usize,
    times: Vec<Duration>,
    times_1080p: Vec<Duration>,
    failures: Vec<String>,
}

impl Tally {
    fn new(name: &'static str) -> Self {
        Self {
            name,
            decoded: 0,
            total: 0,
            times: Vec::new(),
            times_1080p: Vec::new(),
            failures: Vec::new(),
        }
    }

    fn record(&mut self, case: &Case, ok: bool, time: Duration) {
        self.total += 1;
        self.times.push(time);
        if (case.width, case.height) == (1920, 1080) {
            self.times_1080p.push(time);
        }
        if ok {
            self.decoded += 1;
        } else {
            self.failures.push(case.name.clone());
        }
    }
}

fn median(times: &[Duration]) -> f64 {
    let mut sorted: Vec<f64> = times.iter().map(|t| t.as_secs_f64() * 1000.0).collect();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

fn worst(times: &[Duration]) -> f64 {
    times
        .iter()
        .map(|t| t.as_secs_f64() * 1000.0)
        .fold(f64::NAN, f64::max)
}

fn same_set(got: &[String], expected: &[String]) -> bool {
    let mut got = got.to_vec();
    let mut expected = expected.to_vec();
    got.sort();
    got.dedup();
    expected.sort();
    got == expected
}

fn plain_rqrr(bytes: &[u8]) -> Vec<String> {
    let Ok(image) = image::load_from_memory(bytes) else {
        return Vec::new();
    };
    let mut prepared = rqrr::PreparedImage::prepare(image.to_luma8());
    prepared
        .detect_grids()
        .iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, text)| text))
        .collect()
}

fn zbarimg(path: &std::path::Path) -> Vec<String> {
    match Command::new("zbarimg")
        .arg("--quiet")
        .arg("--raw")
        .arg(path)
        .output()
    {
        Ok(output) => String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect(),
        Err(_) => Vec::new(),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count = args
        .iter()
        .position(|a| a == "--count")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(qr_corpus::DEFAULT_COUNT);
    let save = args
        .iter()
        .position(|a| a == "--save")
        .and_then(|i| args.get(i + 1))
        .map(std::path::PathBuf::from);
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .cloned();

    println!("rendering {count} corpus cases…");
    let started = Instant::now();
    let cases: Vec<Case> = (0..count)
        .map(qr_corpus::case)
        .filter(|case| only.as_ref().is_none_or(|o| case.name.contains(o.as_str())))
        .collect();
    println!(
        "rendered {} in {:.1} s",
        cases.len(),
        started.elapsed().as_secs_f64()
    );

    if let Some(dir) = &save {
        std::fs::create_dir_all(dir).expect("the --save folder can be created");
        for case in &cases {
            let path = dir.join(format!("{}.{}", case.name, case.extension));
            std::fs::write(path, &case.bytes).expect("the --save folder is writable");
        }
        println!("saved to {}", dir.display());
    }

    if args.iter().any(|a| a == "--show") {
        for case in &cases {
            println!(
                "{}\n  expected {:?}\n  got      {:?}",
                case.name,
                case.expected,
                qr::decode_image(&case.bytes)
            );
        }
        return;
    }
    if args.iter().any(|a| a == "--stages") {
        stages(&cases);
        return;
    }

    let mut ours = Tally::new("watchword (pipeline)");
    let mut rqrr_only = Tally::new("rqrr alone");
    let mut zbar = Tally::new("zbarimg 0.23 (process)");
    let zbar_dir = tempfile::tempdir().expect("a temporary folder");
    let have_zbar = Command::new("zbarimg").arg("--version").output().is_ok();
    let mut finisher: BTreeMap<String, usize> = BTreeMap::new();

    for case in &cases {
        let start = Instant::now();
        let got = qr::decode_image(&case.bytes).unwrap_or_default();
        let time = start.elapsed();
        ours.record(case, got == case.expected, time);

        let start = Instant::now();
        let got = plain_rqrr(&case.bytes);
        let time = start.elapsed();
        rqrr_only.record(case, same_set(&got, &case.expected), time);

        if have_zbar {
            let path = zbar_dir
                .path()
                .join(format!("{}.{}", case.name, case.extension));
            std::fs::write(&path, &case.bytes).expect("the temporary folder is writable");
            let start = Instant::now();
            let got = zbarimg(&path);
            let time = start.elapsed();
            zbar.record(case, same_set(&got, &case.expected), time);
        }

        // Which stage completed the case (the last one that found a code).
        if let Ok(luma) = qr::load_luma(&case.bytes) {
            let mut last = None;
            qr::decode_luma_traced(&luma, &mut |stage, new| {
                if new > 0 {
                    last = Some(stage);
                }
            });
            *finisher
                .entry(last.map_or("(none)".to_owned(), |s| format!("{s:?}")))
                .or_default() += 1;
        }
    }

    println!();
    println!(
        "| decoder | decoded | rate | median ms/image | worst ms/image | median ms, 1920×1080 ({} images) |",
        ours.times_1080p.len()
    );
    println!("|---|---|---|---|---|---|");
    let tallies: Vec<&Tally> = if have_zbar {
        vec![&ours, &rqrr_only, &zbar]
    } else {
        vec![&ours, &rqrr_only]
    };
    for tally in &tallies {
        println!(
            "| {} | {}/{} | {:.1} % | {:.1} | {:.1} | {:.1} |",
            tally.name,
            tally.decoded,
            tally.total,
            100.0 * tally.decoded as f64 / tally.total.max(1) as f64,
            median(&tally.times),
            worst(&tally.times),
            median(&tally.times_1080p),
        );
    }
    if !have_zbar {
        println!("(zbarimg not found: apt-get install zbar-tools)");
    }
    println!();
    println!("stage that completed each case: {finisher:?}");
    let mut slowest: Vec<(Duration, &str)> = ours
        .times
        .iter()
        .zip(&cases)
        .map(|(t, c)| (*t, c.name.as_str()))
        .collect();
    slowest.sort();
    let slowest: Vec<String> = slowest
        .iter()
        .rev()
        .take(5)
        .map(|(t, name)| format!("{name} {:.1} ms", t.as_secs_f64() * 1000.0))
        .collect();
    println!("slowest for watchword: {}", slowest.join(", "));
    for tally in &tallies {
        if !tally.failures.is_empty() {
            println!("{} missed: {}", tally.name, tally.failures.join(", "));
        }
    }
    // Bad input must fail fast, from the header, whatever it claims.
    let mut bomb = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    bomb.extend_from_slice(&[0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0, 8, 2, 0, 0, 0]);
    let good = cases.first().map(|c| c.bytes.clone()).unwrap_or_default();
    let bad: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("text", b"otpauth://totp/a?secret=JBSWY3DPEHPK3PXP".to_vec()),
        ("PNG header claiming 100000×100000", bomb),
        ("truncated PNG", good[..good.len() / 2].to_vec()),
        ("random bytes", qr_corpus::Rng::new(3).bytes(1 << 20)),
    ];
    println!();
    for (what, bytes) in bad {
        let start = Instant::now();
        let result = qr::decode_image(&bytes);
        println!(
            "bad input, {what}: {} in {:.2} ms",
            result
                .err()
                .map_or("decoded?".to_owned(), |e| e.to_string()),
            start.elapsed().as_secs_f64() * 1000.0
        );
    }
    // The worst case: a screenshot with no code runs every stage.
    println!();
    for (width, height) in [(1920, 1080), (3840, 2160), (7680, 4320)] {
        let mut canvas = qr_corpus::Canvas::new(width, height, [255, 255, 255]);
        qr_corpus::draw_page(
            &mut canvas,
            &mut qr_corpus::Rng::new(1),
            false,
            width as f32 / 1920.0,
            &[],
        );
        let bytes = canvas.png();
        let start = Instant::now();
        let result = qr::decode_image(&bytes);
        println!(
            "no code, {width}×{height} page: {:?} in {:.0} ms",
            result.err(),
            start.elapsed().as_secs_f64() * 1000.0
        );
    }
    let per_scenario = |tally: &Tally| {
        let mut map: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for case in &cases {
            let scenario = case.name.split('-').nth(1).unwrap_or("?").to_owned();
            let entry = map.entry(scenario).or_default();
            entry.1 += 1;
            if !tally.failures.contains(&case.name) {
                entry.0 += 1;
            }
        }
        map.iter()
            .map(|(k, (ok, n))| format!("{k} {ok}/{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!();
    for tally in &tallies {
        println!("{} by scenario: {}", tally.name, per_scenario(tally));
    }
}

/// Each stage alone on every case: what it reads and what it costs.
fn stages(cases: &[Case]) {
    let lumas: Vec<_> = cases
        .iter()
        .map(|case| qr::load_luma(&case.bytes).expect("corpus images decode"))
        .collect();
    println!("| stage alone | decoded | median ms | worst ms |");
    println!("|---|---|---|---|");
    let mut solved_by: Vec<Vec<Stage>> = vec![Vec::new(); cases.len()];
    for &stage in Stage::ALL {
        let mut times = Vec::new();
        let mut decoded = 0;
        for (i, (case, luma)) in cases.iter().zip(&lumas).enumerate() {
            let start = Instant::now();
            let found = stage.run(luma);
            times.push(start.elapsed());
            let texts: Vec<String> = found.into_iter().map(|f| f.text).collect();
            if same_set(&texts, &case.expected) {
                decoded += 1;
                solved_by[i].push(stage);
            }
        }
        println!(
            "| {stage:?} | {decoded}/{} | {:.1} | {:.1} |",
            cases.len(),
            median(&times),
            worst(&times)
        );
    }
    println!();
    for (case, stages) in cases.iter().zip(&solved_by) {
        if stages.len() <= 2 {
            println!("{}: {stages:?}", case.name);
        }
    }
}
