//! Batched reads from the Secret Service (Linux), spoken over D-Bus with
//! zbus. keyring-core reads one item per call, and each call is a search
//! plus a read: with hundreds of accounts a start or a full load spent
//! seconds in round trips. Here a listing is one `SearchItems` and the
//! items' attributes asked for all at once (pipelined on one connection),
//! and the secrets of every item come in one `GetSecrets`.
//!
//! A listing can also skip the attribute reads of items it has seen
//! before ([`Batch::search_known`]): the paths a search returns are matched
//! with those an earlier listing saw, and only paths it has not seen are
//! read. That is trusted only where a path cannot come back naming another
//! item: one run of gnome-keyring, whose item numbers only grow while it
//! runs (a restart may hand out a deleted item's number again, so a
//! restart, seen as a new owner of the bus name, means reading them all).
//! Two things stay unseen until the next restart: an item whose attributes
//! another program rewrites in place, and a keyring deleted and made again
//! under the same name (its numbering starts over). Both take a program
//! that edits items by hand, and the store's listing still compares the
//! ids with its own list, so most such changes show as a difference and
//! make it read everything.
//!
//! Secrets travel encrypted on the bus, in a session of the same
//! "dh-ietf1024-sha256-aes128-cbc-pkcs7" kind the keyring store opens.
//! A search that finds locked items is not handled here: the caller steps
//! aside to keyring-core's path, which asks the Secret Service to unlock
//! and reports a dismissed or failed unlock as it always has.
//! Spec: <https://specifications.freedesktop.org/secret-service-spec/latest/>

use crate::error::{Error, Result};
use futures_util::future::try_join_all;
use num_bigint::BigUint;
use std::collections::HashMap;
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};
use zeroize::Zeroizing;

/// How long one Secret Service call may take before it is an error: the
/// same as the keyring store's connection (vendor/README.md).
const METHOD_TIMEOUT: std::time::Duration = zbus_secret_service_keyring_store::METHOD_TIMEOUT;

const DESTINATION: &str = "org.freedesktop.secrets";
const SERVICE_PATH: &str = "/org/freedesktop/secrets";
const SERVICE_INTERFACE: &str = "org.freedesktop.Secret.Service";
const ITEM_INTERFACE: &str = "org.freedesktop.Secret.Item";
/// An interface only gnome-keyring's daemon offers on [`SERVICE_PATH`].
const GNOME_KEYRING_INTERFACE: &str = "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface";
const ALGORITHM: &str = "dh-ietf1024-sha256-aes128-cbc-pkcs7";
/// Attribute reads in flight at once: far under the session bus's limit of
/// pending replies, and enough to hide the round trips.
const IN_FLIGHT: usize = 64;

/// RFC 2409's second Oakley group, the prime the specification names.
const PRIME: [u8; 128] = [
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xC9, 0x0F, 0xDA, 0xA2, 0x21, 0x68, 0xC2, 0x34,
    0xC4, 0xC6, 0x62, 0x8B, 0x80, 0xDC, 0x1C, 0xD1, 0x29, 0x02, 0x4E, 0x08, 0x8A, 0x67, 0xCC, 0x74,
    0x02, 0x0B, 0xBE, 0xA6, 0x3B, 0x13, 0x9B, 0x22, 0x51, 0x4A, 0x08, 0x79, 0x8E, 0x34, 0x04, 0xDD,
    0xEF, 0x95, 0x19, 0xB3, 0xCD, 0x3A, 0x43, 0x1B, 0x30, 0x2B, 0x0A, 0x6D, 0xF2, 0x5F, 0x14, 0x37,
    0x4F, 0xE1, 0x35, 0x6D, 0x6D, 0x51, 0xC2, 0x45, 0xE4, 0x85, 0xB5, 0x76, 0x62, 0x5E, 0x7E, 0xC6,
    0xF4, 0x4C, 0x42, 0xE9, 0xA6, 0x37, 0xED, 0x6B, 0x0B, 0xFF, 0x5C, 0xB6, 0xF4, 0x06, 0xB7, 0xED,
    0xEE, 0x38, 0x6B, 0xFB, 0x5A, 0x89, 0x9F, 0xA5, 0xAE, 0x9F, 0x24, 0x11, 0x7C, 0x4B, 0x1F, 0xE6,
    0x49, 0x28, 0x66, 0x51, 0xEC, 0xE6, 0x53, 0x81, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
];

/// What a search under one service name found.
pub(crate) enum Found {
    /// Every item is unlocked: each one's account id (user name) and path.
    Unlocked(Vec<(String, OwnedObjectPath)>),
    /// Some item is locked: unlocking (and its prompt) is keyring-core's.
    Locked,
}

/// One item's content as the batch read it.
pub(crate) enum Content {
    /// Its secret, as bytes.
    Bytes(Zeroizing<Vec<u8>>),
    /// The batch did not return it (deleted or locked since the search):
    /// the caller reads it the ordinary way.
    Missing,
}

/// A connection to the session bus's Secret Service.
pub(crate) struct Batch {
    conn: zbus::Connection,
}

impl std::fmt::Debug for Batch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch").finish_non_exhaustive()
    }
}

impl Batch {
    pub(crate) fn connect() -> Result<Self> {
        // None of these calls can prompt, so none may wait forever on a
        // service that never answers (the store's lock is held meanwhile).
        let conn = zbus::block_on(
            zbus::connection::Builder::session()
                .map_err(|err| failure(&err))?
                .method_timeout(METHOD_TIMEOUT)
                .build(),
        )
        .map_err(|err| failure(&err))?;
        // gnome-keyring registers a caller only after its first message,
        // and a call that needs it (OpenSession, a search) can come first:
        // the daemon then aborts. A property read first, answered, avoids
        // that (vendor/README.md). Its answer does not matter, unless the
        // bus failed (no such service, it could not start, no answer):
        // what follows would wait for that again.
        let warm_up = zbus::block_on(conn.call_method(
            Some(DESTINATION),
            SERVICE_PATH,
            Some("org.freedesktop.DBus.Properties"),
            "Get",
            &(SERVICE_INTERFACE, "Collections"),
        ));
        match warm_up {
            Err(err) if bus_failure(&err) => Err(failure(&err)),
            _ => Ok(Self { conn }),
        }
    }

    /// The items whose `service` attribute is `service`, with their ids.
    pub(crate) fn search(&self, service: &str) -> Result<Found> {
        zbus::block_on(self.search_async(service)).map_err(|err| failure(&err))
    }

    async fn search_async(&self, service: &str) -> zbus::Result<Found> {
        match self.search_paths(service).await? {
            Some(paths) => self.identify(service, &paths, &HashMap::new()).await,
            None => Ok(Found::Locked),
        }
    }

    /// [`Batch::search`], reading the attributes only of items whose path
    /// `known` does not hold (path to id, as an earlier call answered it in
    /// the run of the service it names as `instance`). Also answers the
    /// run that answered this search, to keep with the paths, or `None`
    /// when paths of this service cannot be trusted to keep naming one item.
    pub(crate) fn search_known(
        &self,
        service: &str,
        instance: Option<&str>,
        known: &HashMap<String, String>,
    ) -> Result<(Found, Option<String>)> {
        zbus::block_on(async {
            let before = self.instance().await?;
            let Some(paths) = self.search_paths(service).await? else {
                return Ok((Found::Locked, None));
            };
            // Asked again after the search: a restart in between would
            // have answered the search from a run `before` does not name.
            let now = match before {
                Some(before) if self.owner().await.as_deref() == Some(owner_of(&before)) => {
                    Some(before)
                }
                _ => None,
            };
            let empty = HashMap::new();
            let known = if now.is_some() && now.as_deref() == instance {
                known
            } else {
                &empty
            };
            Ok((self.identify(service, &paths, known).await?, now))
        })
        .map_err(|err: zbus::Error| failure(&err))
    }

    /// The paths of the items whose `service` attribute is `service`, or
    /// `None` when some are locked.
    async fn search_paths(&self, service: &str) -> zbus::Result<Option<Vec<OwnedObjectPath>>> {
        let attributes = HashMap::from([("service", service)]);
        let reply = self
            .conn
            .call_method(
                Some(DESTINATION),
                SERVICE_PATH,
                Some(SERVICE_INTERFACE),
                "SearchItems",
                &(attributes,),
            )
            .await?;
        let (unlocked, locked): (Vec<OwnedObjectPath>, Vec<OwnedObjectPath>) =
            reply.body().deserialize()?;
        Ok(locked.is_empty().then_some(unlocked))
    }

    /// Each item's id: from `known` when it holds the path, else read from
    /// the item's attributes, many reads in flight at once.
    async fn identify(
        &self,
        service: &str,
        paths: &[OwnedObjectPath],
        known: &HashMap<String, String>,
    ) -> zbus::Result<Found> {
        let mut found = Vec::with_capacity(paths.len());
        let mut unknown = Vec::new();
        for path in paths {
            match known.get(path.as_str()) {
                Some(id) => found.push((id.clone(), path.clone())),
                None => unknown.push(path.clone()),
            }
        }
        for chunk in unknown.chunks(IN_FLIGHT) {
            let attributes = try_join_all(chunk.iter().map(|path| self.attributes(path))).await?;
            for (path, attributes) in chunk.iter().zip(attributes) {
                // The search matched on `service`; `username` is the id.
                if attributes.get("service").map(String::as_str) == Some(service) {
                    if let Some(user) = attributes.get("username") {
                        found.push((user.clone(), path.clone()));
                    }
                }
            }
        }
        Ok(Found::Unlocked(found))
    }

    /// Which run of which Secret Service owns the bus name now, as
    /// "bus id/unique name" (a unique name is never given twice on one
    /// bus), or `None` when it is not gnome-keyring or cannot be told: then
    /// nothing is trusted from an earlier listing. An error only when the
    /// owner did not answer at all (stopped or stuck: the search after it
    /// would wait as long again) or the connection was lost.
    async fn instance(&self) -> zbus::Result<Option<String>> {
        let Some(owner) = self.owner().await else {
            return Ok(None);
        };
        let bus = self
            .conn
            .call_method(
                Some("org.freedesktop.DBus"),
                "/org/freedesktop/DBus",
                Some("org.freedesktop.DBus"),
                "GetId",
                &(),
            )
            .await
            .ok()
            .and_then(|reply| reply.body().deserialize::<String>().ok());
        let Some(bus) = bus else {
            return Ok(None);
        };
        let xml = match self
            .conn
            .call_method(
                Some(owner.as_str()),
                SERVICE_PATH,
                Some("org.freedesktop.DBus.Introspectable"),
                "Introspect",
                &(),
            )
            .await
        {
            Ok(reply) => reply.body().deserialize::<String>().ok(),
            // No answer in the method timeout, or the connection lost.
            Err(err @ zbus::Error::InputOutput(_)) => return Err(err),
            Err(_) => None,
        };
        Ok(xml
            .filter(|xml| xml.contains(GNOME_KEYRING_INTERFACE))
            .map(|_| format!("{bus}/{owner}")))
    }

    /// The unique name of the Secret Service's owner, `None` when the name
    /// has none (not started yet) or the bus does not say.
    async fn owner(&self) -> Option<String> {
        let reply = self
            .conn
            .call_method(
                Some("org.freedesktop.DBus"),
                "/org/freedesktop/DBus",
                Some("org.freedesktop.DBus"),
                "GetNameOwner",
                &(DESTINATION,),
            )
            .await
            .ok()?;
        reply.body().deserialize().ok()
    }

    async fn attributes(&self, path: &OwnedObjectPath) -> zbus::Result<HashMap<String, String>> {
        let reply = self
            .conn
            .call_method(
                Some(DESTINATION),
                path.as_str(),
                Some("org.freedesktop.DBus.Properties"),
                "Get",
                &(ITEM_INTERFACE, "Attributes"),
            )
            .await?;
        let value: OwnedValue = reply.body().deserialize()?;
        Ok(HashMap::<String, String>::try_from(value)?)
    }

    /// The secrets of `paths`, in their order, through one encrypted
    /// session and one `GetSecrets`.
    pub(crate) fn secrets(&self, paths: &[OwnedObjectPath]) -> Result<Vec<Content>> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        zbus::block_on(self.secrets_async(paths))
    }

    async fn secrets_async(&self, paths: &[OwnedObjectPath]) -> Result<Vec<Content>> {
        let session = Session::open(&self.conn).await?;
        let result = self
            .conn
            .call_method(
                Some(DESTINATION),
                SERVICE_PATH,
                Some(SERVICE_INTERFACE),
                "GetSecrets",
                &(paths, &session.path),
            )
            .await
            .and_then(|reply| {
                reply
                    .body()
                    .deserialize::<HashMap<OwnedObjectPath, Secret>>()
            });
        session.close(&self.conn).await;
        let mut secrets = result.map_err(|err| failure(&err))?;
        paths
            .iter()
            .map(|path| match secrets.remove(path) {
                Some(secret) => session.decrypt(&secret).map(Content::Bytes),
                None => Ok(Content::Missing),
            })
            .collect()
    }
}

/// The unique name part of an instance made by [`Batch::instance`].
fn owner_of(instance: &str) -> &str {
    instance
        .rsplit_once('/')
        .map_or(instance, |(_, owner)| owner)
}

/// A secret as the bus carries it: session, parameters (the AES IV),
/// encrypted value, content type.
type Secret = (OwnedObjectPath, Vec<u8>, Vec<u8>, String);

/// An open encrypted session and the AES key both ends derived.
struct Session {
    path: OwnedObjectPath,
    key: Zeroizing<[u8; 16]>,
}

impl Session {
    async fn open(conn: &zbus::Connection) -> Result<Self> {
        let prime = BigUint::from_bytes_be(&PRIME);
        let mut private = Zeroizing::new([0u8; 128]);
        getrandom::fill(private.as_mut_slice())
            .map_err(|_| crypto("the system's random source is not available"))?;
        // num-bigint neither wipes its digits nor works in constant time:
        // the private value and the shared one may stay in freed memory. It
        // is a per-session value on the local bus, where the service holds
        // the secrets anyway; libsecret and the secret-service crate do the
        // same.
        let private = BigUint::from_bytes_be(private.as_slice());
        let public = BigUint::from(2u8).modpow(&private, &prime);
        let reply = conn
            .call_method(
                Some(DESTINATION),
                SERVICE_PATH,
                Some(SERVICE_INTERFACE),
                "OpenSession",
                &(ALGORITHM, Value::from(public.to_bytes_be())),
            )
            .await
            .map_err(|err| failure(&err))?;
        let (output, path): (OwnedValue, OwnedObjectPath) =
            reply.body().deserialize().map_err(|err| failure(&err))?;
        let theirs = Vec::<u8>::try_from(output).map_err(|err| failure(&err))?;
        // 1 < y < p - 1: anything else makes the shared value guessable.
        let y = BigUint::from_bytes_be(&theirs);
        if y <= BigUint::from(1u8) || y >= &prime - BigUint::from(1u8) {
            return Err(crypto("the Secret Service offered an invalid session key"));
        }
        let shared = y.modpow(&private, &prime);
        // The shared value, left-padded to the prime's length, is HKDF's input.
        let shared = Zeroizing::new(shared.to_bytes_be());
        let mut padded = Zeroizing::new([0u8; 128]);
        let start = padded.len().saturating_sub(shared.len());
        padded[start..].copy_from_slice(&shared[shared.len().saturating_sub(128)..]);
        let mut key = Zeroizing::new([0u8; 16]);
        hkdf::Hkdf::<sha2::Sha256>::new(None, padded.as_slice())
            .expand(&[], key.as_mut_slice())
            .expect("16 bytes is a valid HKDF-SHA256 length");
        Ok(Self { path, key })
    }

    fn decrypt(&self, secret: &Secret) -> Result<Zeroizing<Vec<u8>>> {
        use aes::cipher::block_padding::Pkcs7;
        use aes::cipher::{BlockModeDecrypt, KeyIvInit};
        let (_, iv, value, _) = secret;
        let cipher = cbc::Decryptor::<aes::Aes128>::new_from_slices(self.key.as_slice(), iv)
            .map_err(|_| crypto("a secret came with an invalid initialization vector"))?;
        // In place, in a buffer wiped on drop, also when the padding is bad.
        let mut buffer = Zeroizing::new(value.clone());
        let plain = cipher
            .decrypt_padded::<Pkcs7>(buffer.as_mut_slice())
            .map_err(|_| crypto("a secret could not be decrypted"))?
            .len();
        buffer.truncate(plain);
        Ok(buffer)
    }

    /// Closes the session; the service also closes it when we disconnect,
    /// so a failure here changes nothing.
    async fn close(&self, conn: &zbus::Connection) {
        let _ = conn
            .call_method(
                Some(DESTINATION),
                self.path.as_str(),
                Some("org.freedesktop.Secret.Session"),
                "Close",
                &(),
            )
            .await;
    }
}

/// A D-Bus failure, named and mapped the way keyring-core's are, so the
/// user gets the same message ("No Secret Service is running…", …).
/// Whether `err` is the bus's or the connection's, not the service's
/// answer: the same list as the keyring store's (vendor/README.md).
fn bus_failure(err: &zbus::Error) -> bool {
    match err {
        zbus::Error::MethodError(name, _, _) => [
            "org.freedesktop.DBus.Error.ServiceUnknown",
            "org.freedesktop.DBus.Error.NameHasNoOwner",
            "org.freedesktop.DBus.Error.NoReply",
            "org.freedesktop.DBus.Error.TimedOut",
            "org.freedesktop.DBus.Error.Spawn.",
        ]
        .iter()
        .any(|failure| name.as_str().starts_with(failure)),
        zbus::Error::InputOutput(_) => true,
        _ => false,
    }
}

fn failure(err: &(impl std::error::Error + ?Sized)) -> Error {
    super::keychain::map_error(&keyring_core::Error::PlatformFailure(
        err.to_string().into(),
    ))
}

fn crypto(what: &'static str) -> Error {
    super::keychain::map_error(&keyring_core::Error::PlatformFailure(what.into()))
}
