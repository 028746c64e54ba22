//! The keychain behind the store: a tiny trait over "one text item per
//! account", implemented for the OS keychain through the keyring ecosystem
//! (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows).
//! The trait exists so tests can inject faults a real keychain cannot produce
//! on demand.

use crate::account::AccountId;
use crate::error::{Error, KeychainProblem, Result};
use keyring_core::{CredentialStore, Entry};
use std::collections::HashMap;
use std::sync::Arc;

/// The keychain item (user name) of the automatic backups' password, under
/// the store's service. It never parses as an [`AccountId`] (those are hex),
/// so every place that lists, loads or counts accounts skips it as it skips
/// other tools' items: it is never listed, loaded, found or removed as an
/// account, and never reported as damaged.
pub const BACKUP_PASSWORD_ID: &str = "watchword-backup-password";
/// The lock's keychain item: its [`crate::vault::VaultRecord`]. Like the
/// backup password's, its id is not hex, so it is never taken for an account.
pub const VAULT_ID: &str = "watchword-vault";

/// Every item under one service name, each with its content or, for an
/// item that cannot be read as text, its [`Error::DamagedItem`].
pub type Items = Vec<(String, Result<String>)>;

/// Where a listing found each item: not secret, kept beside the list so
/// the next listing can skip what it already knows. Only the keychain that
/// made it reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Locations {
    /// Which run of which keychain service the places are good for; `None`
    /// when the keychain cannot promise that a place keeps naming one item.
    pub instance: Option<String>,
    /// Each id with its item's place (a D-Bus object path).
    pub places: Vec<(String, String)>,
}

/// A keychain in memory, for tests of the store and of what uses it (the
/// app's own): it keeps what it is given, fails nothing and is gone with
/// the process. Never a place for real keys.
#[doc(hidden)]
#[derive(Clone, Default)]
pub struct MemoryKeychain(
    std::sync::Arc<std::sync::Mutex<std::collections::BTreeMap<String, String>>>,
);

impl std::fmt::Debug for MemoryKeychain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Its items may be keys: not shown.
        f.write_str("MemoryKeychain")
    }
}

impl MemoryKeychain {
    fn items(&self) -> std::sync::MutexGuard<'_, std::collections::BTreeMap<String, String>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Keychain for MemoryKeychain {
    fn get(&self, id: &str) -> Result<Option<String>> {
        Ok(self.items().get(id).cloned())
    }
    fn set(&self, id: &str, value: &str, _label: &str) -> Result<()> {
        self.items().insert(id.to_owned(), value.to_owned());
        Ok(())
    }
    fn delete(&self, id: &str) -> Result<()> {
        self.items().remove(id);
        Ok(())
    }
    fn list(&self) -> Result<Vec<String>> {
        Ok(self.items().keys().cloned().collect())
    }
    fn name(&self) -> &'static str {
        "memory"
    }
}

/// Where account items live. Items are addressed by account id (the keychain
/// item's user name) under one service name.
pub trait Keychain: Send + Sync {
    /// The item's content, `None` when there is no such item.
    fn get(&self, id: &str) -> Result<Option<String>>;
    /// Creates or replaces the item; `label` is what keychain managers show.
    fn set(&self, id: &str, value: &str, label: &str) -> Result<()>;
    /// Removes the item; removing a missing item is not an error.
    fn delete(&self, id: &str) -> Result<()>;
    /// The ids of every item under our service name.
    fn list(&self) -> Result<Vec<String>>;
    /// [`Keychain::list`], helped by `known` (what an earlier call
    /// answered), and where each item is now, for the next call. The
    /// answer is the same as `list`'s: `known` only saves work, and a
    /// keychain that cannot tell whether it still holds answers without it.
    /// The default is `list`, knowing no places.
    fn list_located(&self, known: &Locations) -> Result<(Vec<String>, Locations)> {
        let _ = known;
        Ok((self.list()?, Locations::default()))
    }
    /// A short human name for messages ("Secret Service", …).
    fn name(&self) -> &'static str;
    /// Every item under our service name with its content, sorted by id: what
    /// [`Keychain::list`] then [`Keychain::get`] on each id would answer, in
    /// as few round trips as the keychain allows. An item that cannot be
    /// read as text is there with its [`Error::DamagedItem`]; any other
    /// failure fails the whole read. The default reads one item at a time.
    fn get_all(&self) -> Result<Items> {
        read_one_by_one(self)
    }
    /// [`Keychain::get_all`], and where each item is, as
    /// [`Keychain::list_located`] answers it. The default knows no places.
    fn get_all_located(&self) -> Result<(Items, Locations)> {
        Ok((self.get_all()?, Locations::default()))
    }
}

/// [`Keychain::get_all`] one item at a time: the default, and the measure
/// batched implementations are held to.
pub fn read_one_by_one<K: Keychain + ?Sized>(keychain: &K) -> Result<Items> {
    let mut items = Vec::new();
    for id in keychain.list()? {
        // Not an account's item (another tool's, under our service name).
        if AccountId::parse(&id).is_none() {
            continue;
        }
        match keychain.get(&id) {
            Ok(Some(text)) => items.push((id, Ok(text))),
            Ok(None) => {} // Deleted between the listing and the read.
            Err(err @ Error::DamagedItem { .. }) => items.push((id, Err(err))),
            Err(err) => return Err(err),
        }
    }
    Ok(items)
}

/// The operating system's keychain.
pub struct SystemKeychain {
    store: Arc<CredentialStore>,
    service: String,
    /// The batched reader, connected on first use: most commands read one
    /// item, through keyring-core, and never need it.
    #[cfg(target_os = "linux")]
    batch: std::sync::OnceLock<super::secret_service::Batch>,
}

impl std::fmt::Debug for SystemKeychain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SystemKeychain")
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

#[cfg(target_os = "linux")]
const NAME: &str = "Secret Service";
#[cfg(target_os = "macos")]
const NAME: &str = "macOS Keychain";
#[cfg(target_os = "windows")]
const NAME: &str = "Windows Credential Manager";
#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
const NAME: &str = "keychain";

impl SystemKeychain {
    /// Connects to the platform keychain; items go under `service`.
    pub fn connect(service: &str) -> Result<Self> {
        let store = platform_store().map_err(|err| match map_error(&err) {
            // There, but not answering (the connection's first call timed
            // out): said so, as restarting it is what mends it.
            stuck @ Error::Keychain {
                problem: KeychainProblem::NoAnswer,
                ..
            } => stuck,
            _ => unavailable(&err),
        })?;
        Ok(Self {
            store,
            service: service.to_owned(),
            #[cfg(target_os = "linux")]
            batch: std::sync::OnceLock::new(),
        })
    }

    #[cfg(target_os = "linux")]
    fn batch(&self) -> Result<&super::secret_service::Batch> {
        if let Some(batch) = self.batch.get() {
            return Ok(batch);
        }
        let batch = super::secret_service::Batch::connect()?;
        Ok(self.batch.get_or_init(|| batch))
    }

    /// [`Keychain::get_all`] in one search and one `GetSecrets`, or `None`
    /// when the search finds locked items (or two items with one id): those
    /// are left to the one-at-a-time path, which asks to unlock and reports
    /// a refusal as it always has. Public so tests can hold it to [`read_one_by_one`].
    #[cfg(target_os = "linux")]
    pub fn get_all_batched(&self) -> Result<Option<Items>> {
        Ok(self.get_all_located_batched()?.map(|(items, _)| items))
    }

    /// [`SystemKeychain::get_all_batched`], and where the items are.
    #[cfg(target_os = "linux")]
    fn get_all_located_batched(&self) -> Result<Option<(Items, Locations)>> {
        use super::secret_service::{Content, Found};
        let batch = self.batch()?;
        let (Found::Unlocked(mut found), instance) =
            batch.search_known(&self.service, None, &HashMap::new())?
        else {
            return Ok(None);
        };
        // Items another tool keeps under our service name are not ours: not
        // read, not decrypted, and never a reason for a load to fail.
        found.retain(|(id, _)| AccountId::parse(id).is_some());
        let places = found
            .iter()
            .map(|(id, path)| (id.clone(), path.to_string()))
            .collect();
        let located = Locations { instance, places };
        // Sorted by id, as `list` answers.
        found.sort_by(|a, b| a.0.cmp(&b.0));
        if found.windows(2).any(|pair| pair[0].0 == pair[1].0) {
            // Two items with one id (made by another tool): `get` refuses
            // such an id, and so the load; that path says it the same way.
            return Ok(None);
        }
        let paths: Vec<_> = found.iter().map(|(_, path)| path.clone()).collect();
        let contents = batch.secrets(&paths)?;
        let mut items = Vec::with_capacity(found.len());
        for ((id, _), content) in found.into_iter().zip(contents) {
            let text = match content {
                // No copy that an error would drop unwiped.
                Content::Bytes(bytes) => match std::str::from_utf8(&bytes) {
                    Ok(text) => Ok(text.to_owned()),
                    // The words keyring-core's `BadEncoding` gets in `get`.
                    Err(_) => Err(Error::DamagedItem {
                        id: id.clone(),
                        reason: "its content is not text".into(),
                    }),
                },
                // Gone or locked since the search: as `get` answers it.
                Content::Missing => match self.get(&id) {
                    Ok(Some(text)) => Ok(text),
                    Ok(None) => continue,
                    Err(err @ Error::DamagedItem { .. }) => Err(err),
                    Err(err) => return Err(err),
                },
            };
            items.push((id, text));
        }
        Ok(Some((items, located)))
    }

    fn entry(&self, id: &str, label: Option<&str>) -> Result<Entry> {
        // Only the Secret Service store takes a label for new items.
        let modifiers: Option<HashMap<&str, &str>> = if cfg!(target_os = "linux") {
            label.map(|label| HashMap::from([("label", label)]))
        } else {
            None
        };
        self.store
            .build(&self.service, id, modifiers.as_ref())
            .map_err(|err| map_error(&err))
    }
}

#[cfg(target_os = "linux")]
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(zbus_secret_service_keyring_store::Store::new()?)
}

#[cfg(target_os = "macos")]
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(apple_native_keyring_store::keychain::Store::new()?)
}

#[cfg(target_os = "windows")]
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(windows_native_keyring_store::Store::new()?)
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Err(keyring_core::Error::NotSupportedByStore(
        "no keychain is supported on this operating system".into(),
    ))
}

impl Keychain for SystemKeychain {
    fn get(&self, id: &str) -> Result<Option<String>> {
        match self.entry(id, None)?.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(keyring_core::Error::BadEncoding(_)) => Err(Error::DamagedItem {
                id: id.to_owned(),
                reason: "its content is not text".into(),
            }),
            Err(err) => Err(map_error(&err)),
        }
    }

    fn set(&self, id: &str, value: &str, label: &str) -> Result<()> {
        self.entry(id, Some(label))?
            .set_password(value)
            .map_err(|err| map_error(&err))
    }

    fn delete(&self, id: &str) -> Result<()> {
        match self.entry(id, None)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(err) => Err(map_error(&err)),
        }
    }

    fn list(&self) -> Result<Vec<String>> {
        // One search and the attributes asked for all at once; locked items
        // go the way below, which asks to unlock them.
        #[cfg(target_os = "linux")]
        if let super::secret_service::Found::Unlocked(found) =
            self.batch()?.search(&self.service)?
        {
            let mut ids: Vec<String> = found.into_iter().map(|(id, _)| id).collect();
            ids.sort();
            ids.dedup();
            return Ok(ids);
        }
        let mut spec = HashMap::new();
        // Each store names its search keys differently.
        #[cfg(target_os = "windows")]
        let pattern = format!(r"\.{}$", regex_escape(&self.service));
        #[cfg(target_os = "windows")]
        spec.insert("pattern", pattern.as_str());
        #[cfg(not(target_os = "windows"))]
        spec.insert("service", self.service.as_str());
        let entries = self.store.search(&spec).map_err(|err| map_error(&err))?;
        let mut ids = Vec::with_capacity(entries.len());
        for entry in &entries {
            if let Some((service, user)) = specifiers(entry)? {
                if service == self.service {
                    ids.push(user);
                }
            }
        }
        ids.sort();
        ids.dedup();
        Ok(ids)
    }

    fn list_located(&self, known: &Locations) -> Result<(Vec<String>, Locations)> {
        #[cfg(target_os = "linux")]
        {
            use super::secret_service::Found;
            let by_place: HashMap<String, String> = known
                .places
                .iter()
                .map(|(id, place)| (place.clone(), id.clone()))
                .collect();
            // Two ids at one place: the list was edited by hand; trust none.
            let by_place = if by_place.len() == known.places.len() {
                by_place
            } else {
                HashMap::new()
            };
            let (found, instance) =
                self.batch()?
                    .search_known(&self.service, known.instance.as_deref(), &by_place)?;
            if let Found::Unlocked(found) = found {
                let mut ids: Vec<String> = found.iter().map(|(id, _)| id.clone()).collect();
                ids.sort();
                ids.dedup();
                let places = found
                    .into_iter()
                    .map(|(id, path)| (id, path.to_string()))
                    .collect();
                return Ok((ids, Locations { instance, places }));
            }
        }
        let _ = known;
        Ok((self.list()?, Locations::default()))
    }

    fn name(&self) -> &'static str {
        NAME
    }

    fn get_all(&self) -> Result<Items> {
        Ok(self.get_all_located()?.0)
    }

    fn get_all_located(&self) -> Result<(Items, Locations)> {
        #[cfg(target_os = "linux")]
        if let Some(read) = self.get_all_located_batched()? {
            return Ok(read);
        }
        Ok((read_one_by_one(self)?, Locations::default()))
    }
}

/// An item's service and user name. An item whose attributes cannot be
/// read fails the whole listing: a partial list would look like accounts
/// removed, and the store would drop them from the list.
fn specifiers(entry: &Entry) -> Result<Option<(String, String)>> {
    match entry.get_attributes() {
        // Stores that keep no such attributes (macOS, Windows) answer an
        // empty map, and name the item by its specifiers instead.
        Ok(attributes) => Ok(attributes
            .get("service")
            .zip(attributes.get("username"))
            .map(|(service, user)| (service.clone(), user.clone()))
            .or_else(|| entry.get_specifiers())),
        Err(keyring_core::Error::NotSupportedByStore(_)) => Ok(entry.get_specifiers()),
        Err(err) => Err(map_error(&err)),
    }
}

#[cfg(target_os = "windows")]
fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = !c.is_ascii_alphanumeric() && c != '_' && c != '-';
            special
                .then_some('\\')
                .into_iter()
                .chain(std::iter::once(c))
        })
        .collect()
}

fn unavailable(err: &keyring_core::Error) -> Error {
    let message = if cfg!(target_os = "linux") {
        "No Secret Service is running: start gnome-keyring or KWallet (or log in to a desktop session that provides one) and try again".to_owned()
    } else {
        format!("The {NAME} cannot be opened: {err}")
    };
    Error::Keychain {
        problem: KeychainProblem::Unavailable,
        message,
    }
}

/// Turns a keyring error into one that says which failure it is and what to
/// do. Keyring errors never carry the secret itself, only platform messages.
pub(crate) fn map_error(err: &keyring_core::Error) -> Error {
    use keyring_core::Error as K;
    let detail = err.to_string();
    let lower = detail.to_lowercase();
    let (problem, message) = match err {
        K::NoStorageAccess(_) if lower.contains("prompt") => (
            KeychainProblem::Denied,
            format!("The {NAME} asked to be unlocked and the request was dismissed: unlock it and try again"),
        ),
        K::NoStorageAccess(_) => (
            KeychainProblem::Locked,
            format!("The {NAME} is locked: unlock it (for example by logging in to your desktop session, or in Passwords and Keys) and try again"),
        ),
        K::PlatformFailure(_)
            if lower.contains("serviceunknown")
                || lower.contains("service unknown")
                || lower.contains("was not provided by any .service files")
                || lower.contains("no such file or directory")
                || lower.contains("connection refused") =>
        {
            return unavailable(err)
        }
        // A call that waited its whole time (the connections' method
        // timeout) or whose service left the bus before answering: the
        // service is there but stopped or stuck, which restarting it
        // mends; nothing was changed on our side.
        K::PlatformFailure(_)
            if lower.contains("timed out")
                || lower.contains("org.freedesktop.dbus.error.noreply")
                || lower.contains("org.freedesktop.dbus.error.timedout") =>
        {
            (
                KeychainProblem::NoAnswer,
                format!("The {NAME} did not answer in time. If it is waiting for you (a password manager asking to unlock its database), do that and try again; otherwise it may be stuck: restart it (log out and back in, or restart gnome-keyring or KWallet) and try again"),
            )
        }
        K::PlatformFailure(_) if lower.contains("denied") || lower.contains("not allowed") => (
            KeychainProblem::Denied,
            format!("The {NAME} refused access to Watchword's items: {detail}"),
        ),
        K::NoDefaultStore => return unavailable(err),
        _ => (
            KeychainProblem::Failed,
            format!("The {NAME} reported an error: {detail}"),
        ),
    };
    Error::Keychain { problem, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backup_password_item_is_never_an_account() {
        assert!(AccountId::parse(BACKUP_PASSWORD_ID).is_none());
        assert!(AccountId::parse(VAULT_ID).is_none());
    }

    #[test]
    fn locked_and_prompt_errors_are_told_apart() {
        // The texts of secret-service 5.2's `Error::Locked` and `Error::Prompt`,
        // which zbus-secret-service-keyring-store wraps in `NoStorageAccess`;
        // tests/store_locked.rs gets the prompt one from a real locked keyring.
        let locked = keyring_core::Error::NoStorageAccess("SS Error: object locked".into());
        assert!(matches!(
            map_error(&locked),
            Error::Keychain {
                problem: KeychainProblem::Locked,
                ..
            }
        ));
        let prompt = keyring_core::Error::NoStorageAccess("SS error: prompt dismissed".into());
        assert!(matches!(
            map_error(&prompt),
            Error::Keychain {
                problem: KeychainProblem::Denied,
                ..
            }
        ));
        let gone = keyring_core::Error::PlatformFailure(
            "org.freedesktop.DBus.Error.ServiceUnknown: The name is not activatable".into(),
        );
        let mapped = map_error(&gone);
        assert_eq!(mapped.code(), "keychain_unavailable");
        assert!(mapped.to_string().contains("gnome-keyring or KWallet"));
        // zbus's text for a call past the connection's method timeout, as
        // secret-service and keyring-core wrap it, and the bus's own for a
        // service that left without answering; tests/store_stuck.rs gets
        // the first from a stopped gnome-keyring.
        for stuck in [
            "zbus error: I/O error: timed out",
            "org.freedesktop.DBus.Error.NoReply: Message recipient disconnected from message bus without replying",
        ] {
            let mapped = map_error(&keyring_core::Error::PlatformFailure(stuck.into()));
            assert_eq!(mapped.code(), "keychain_no_answer", "{stuck}");
            assert!(mapped.to_string().contains("did not answer"), "{mapped}");
        }
    }
}
