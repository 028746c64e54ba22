//! What the store's tests against the real OS keychain share: a scratch
//! store of their own (on Linux a Secret Service: run inside
//! scripts/session.sh, as scripts/test.sh does).

use watchword_core::store::keychain::{Keychain, SystemKeychain};
use watchword_core::store::{Config, Store};

/// A data folder and a unique service name whose items are removed on
/// drop, pass or fail.
pub struct Scratch {
    pub config: Config,
    _dir: tempfile::TempDir,
}

impl Scratch {
    /// `suite` and `tag` name the service, so that an item left behind
    /// (a killed run) says which test made it.
    pub fn new(suite: &str, tag: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock after 1970")
            .as_nanos();
        let config = Config {
            data_dir: dir.path().join("data"),
            service: format!(
                "watchword-test-{suite}-{tag}-{}-{nanos}",
                std::process::id()
            ),
        };
        Self { config, _dir: dir }
    }

    #[allow(dead_code)] // Not every suite opens a store.
    pub fn open(&self) -> Store {
        Store::open(&self.config).unwrap_or_else(|err| {
            panic!("no usable Secret Service ({err}); run the tests through scripts/session.sh")
        })
    }

    /// The keychain under the store, as another program sees it.
    #[allow(dead_code)] // Not every suite looks under the store.
    pub fn keychain(&self) -> SystemKeychain {
        SystemKeychain::connect(&self.config.service).expect("Secret Service")
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
