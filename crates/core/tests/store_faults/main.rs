//! Store behaviour under keychain faults a real keychain cannot produce on
//! demand (locked mid-session, refusing writes, damaged items). The happy path
//! against a real Secret Service is in store_secret_service.rs.

mod keychain;
mod list;
mod processes;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use watchword_core::account::{Account, AccountId, OtpKind};
use watchword_core::error::{Error, KeychainProblem};
use watchword_core::store::keychain::Keychain;
use watchword_core::store::Store;
use watchword_core::{uri, Secret};

#[derive(Default)]
struct Shared {
    items: BTreeMap<String, String>,
    /// Every call fails as a keychain in this state would.
    locked: bool,
    /// Writes fail the same way; reads work.
    refuse_writes: bool,
    /// When set, this many more writes succeed, and then they fail as
    /// `refuse_writes` makes them (a process stopped partway).
    writes_left: Option<usize>,
    /// A delete that is done but answered with a failure (a reply lost).
    delete_answers_failure: bool,
    /// How a failing call fails (locked unless set).
    problem: Option<KeychainProblem>,
    /// Items whose content is not text (what the keyring reports as a bad
    /// encoding).
    binary: Vec<String>,
    /// Items read one at a time so far (not counting the lock's item,
    /// which every read and write of an item asks for: it says whether
    /// the lock is on).
    gets: usize,
}

/// An in-memory keychain whose faults the test switches on and off.
#[derive(Clone, Default)]
struct FaultyKeychain(Arc<Mutex<Shared>>);

impl FaultyKeychain {
    fn with<T>(&self, f: impl FnOnce(&mut Shared) -> T) -> T {
        f(&mut self.0.lock().expect("test keychain lock"))
    }
}

fn failure(s: &Shared) -> Error {
    let problem = s.problem.unwrap_or(KeychainProblem::Locked);
    Error::Keychain {
        problem,
        message: format!("The keychain fails: {problem:?}"),
    }
}

impl Keychain for FaultyKeychain {
    fn get(&self, id: &str) -> watchword_core::error::Result<Option<String>> {
        self.with(|s| {
            if id != watchword_core::store::keychain::VAULT_ID {
                s.gets += 1;
            }
            if s.locked {
                Err(failure(s))
            } else if s.binary.iter().any(|b| b == id) {
                Err(Error::DamagedItem {
                    id: id.to_owned(),
                    reason: "its content is not text".into(),
                })
            } else {
                Ok(s.items.get(id).cloned())
            }
        })
    }
    fn set(&self, id: &str, value: &str, _label: &str) -> watchword_core::error::Result<()> {
        self.with(|s| {
            if s.locked || s.refuse_writes || s.writes_left == Some(0) {
                return Err(failure(s));
            }
            if let Some(left) = s.writes_left.as_mut() {
                *left -= 1;
            }
            s.items.insert(id.to_owned(), value.to_owned());
            Ok(())
        })
    }
    fn delete(&self, id: &str) -> watchword_core::error::Result<()> {
        self.with(|s| {
            if s.locked {
                return Err(failure(s));
            }
            s.items.remove(id);
            if s.delete_answers_failure {
                return Err(failure(s));
            }
            Ok(())
        })
    }
    fn list(&self) -> watchword_core::error::Result<Vec<String>> {
        self.with(|s| {
            if s.locked {
                Err(failure(s))
            } else {
                Ok(s.items.keys().cloned().collect())
            }
        })
    }
    fn name(&self) -> &'static str {
        "test keychain"
    }
}

/// Cheap Argon2 for the lock's tests: the cost is not what is tested.
const FAST: watchword_core::vault::KdfParams = watchword_core::vault::KdfParams {
    m_kib: 64,
    t: 1,
    p: 1,
};

fn account(issuer: &str, key: &[u8]) -> Account {
    Account::totp(issuer, "me@example.com", Secret::from_bytes(key.to_vec()))
}

fn open(dir: &std::path::Path, keychain: &FaultyKeychain) -> Store {
    Store::with_keychain(dir, Box::new(keychain.clone())).expect("store opens")
}

/// The item of `id` as the keychain holds it now.
fn item(keychain: &FaultyKeychain, id: &AccountId) -> Account {
    let text = keychain
        .with(|s| s.items.get(id.as_str()).cloned())
        .expect("the item is there");
    uri::parse(&text).expect("a canonical URI")
}

/// Items read one at a time since the last call.
fn gets(keychain: &FaultyKeychain) -> usize {
    keychain.with(|s| std::mem::take(&mut s.gets))
}
