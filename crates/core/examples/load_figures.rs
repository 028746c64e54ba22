//! Prints how long a full read of N accounts takes from the Secret Service:
//! batched (one search, one GetSecrets) against one item at a time
//! (issue 13). Run by scripts/bench_cli.sh inside a private session:
//! `load_figures N RUNS`. Figures only; the items are removed at the end.

use std::time::{Duration, Instant};
use watchword_core::account::{Account, AccountId};
use watchword_core::store::keychain::{read_one_by_one, Keychain, SystemKeychain};
use watchword_core::{uri, Secret};

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(500);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5).max(1);
    let service = format!("watchword-load-figures-{}", std::process::id());
    let keychain = SystemKeychain::connect(&service).expect("a Secret Service answers");
    for i in 0..n {
        let mut key = vec![0u8; 20];
        getrandom::fill(&mut key).expect("the OS random source is available");
        let account = Account::totp(&format!("Bench{i}"), "me", Secret::from_bytes(key));
        let text = uri::format(&account);
        keychain
            .set(&AccountId::random().to_string(), &text, "Watchword: bench")
            .expect("item stored");
    }
    let mut batched = Vec::new();
    let mut single = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let items = keychain.get_all().expect("batched read");
        batched.push(start.elapsed());
        assert_eq!(items.len(), n, "every item read");
        let start = Instant::now();
        let items = read_one_by_one(&keychain).expect("read one by one");
        single.push(start.elapsed());
        assert_eq!(items.len(), n, "every item read");
    }
    println!(
        "full read of {n} items, median of {runs}: batched {} ms, one at a time {} ms",
        median(batched).as_millis(),
        median(single).as_millis()
    );
    for id in keychain.list().expect("list") {
        keychain.delete(&id).expect("item removed");
    }
}
