//! The store against the real OS keychain: on Linux a Secret Service
//! (scripts/test.sh provides a private, unlocked gnome-keyring). Each test uses
//! its own service name and removes its items when done.

use watchword_core::account::{Account, OtpKind};
use watchword_core::store::keychain::{Keychain, SystemKeychain};
use watchword_core::store::{Config, Store};
use watchword_core::Secret;

/// A unique service name whose items are removed on drop, pass or fail.
struct Scratch {
    config: Config,
    _dir: tempfile::TempDir,
}

impl Scratch {
    fn new(tag: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock after 1970")
            .as_nanos();
        let config = Config {
            data_dir: dir.path().join("data"),
            service: format!("watchword-test-{tag}-{}-{nanos}", std::process::id()),
        };
        Self { config, _dir: dir }
    }

    fn open(&self) -> Store {
        Store::open(&self.config).unwrap_or_else(|err| {
            panic!("no usable Secret Service ({err}); run the tests through scripts/test.sh")
        })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Ok(keychain) = SystemKeychain::connect(&self.config.service) {
            for id in keychain.list().unwrap_or_default() {
                let _ = keychain.delete(&id);
            }
        }
    }
}

#[test]
fn accounts_survive_a_restart_and_the_loss_of_the_data_folder() {
    let scratch = Scratch::new("restart");
    let mut store = scratch.open();
    let mut amazon = Account::totp(
        "Amazon",
        "seller@example.com",
        Secret::from_bytes(b"\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a".to_vec()), // 80-bit
    );
    amazon.digits = 8;
    amazon.kind = OtpKind::Totp { period: 60 };
    let id = store
        .add(amazon.clone())
        .expect("add to the Secret Service");
    let code = store.code(&id, 1_700_000_000).expect("code").current;
    drop(store);

    let mut reopened = scratch.open();
    reopened.load().expect("load");
    assert_eq!(reopened.account(&id).expect("still there"), &amazon);
    assert_eq!(
        reopened.code(&id, 1_700_000_000).expect("code").current,
        code
    );

    std::fs::remove_dir_all(&scratch.config.data_dir).expect("delete the data folder");
    let mut rebuilt = scratch.open();
    let report = rebuilt.load().expect("load");
    assert_eq!(report.recovered, 1);
    assert_eq!(
        rebuilt.account(&id).expect("recovered from the keychain"),
        &amazon
    );

    rebuilt.remove(&id).expect("remove");
    let keychain = SystemKeychain::connect(&scratch.config.service).expect("connect");
    assert!(
        keychain.list().expect("list").is_empty(),
        "the item is gone from the keychain"
    );
}

#[test]
fn hotp_counter_is_durable_in_the_keychain() {
    let scratch = Scratch::new("hotp");
    let mut store = scratch.open();
    let mut bank = Account::totp(
        "Bank",
        "",
        Secret::from_bytes(b"12345678901234567890".to_vec()),
    );
    bank.kind = OtpKind::Hotp { counter: 3 };
    let id = store.add(bank).expect("add");
    // RFC 4226 Appendix D, counters 3 and 4.
    assert_eq!(store.next_code(&id, 0).expect("code").current, "969429");
    drop(store);
    let mut reopened = scratch.open();
    assert_eq!(reopened.next_code(&id, 0).expect("code").current, "338314");
}

#[test]
fn keychain_items_are_not_shared_between_service_names() {
    let first = Scratch::new("iso-a");
    let second = Scratch::new("iso-b");
    let mut a = first.open();
    a.add(Account::totp("A", "", Secret::from_bytes(vec![7; 16])))
        .expect("add");
    let mut b = second.open();
    assert_eq!(b.load().expect("load").accounts, 0);
}
