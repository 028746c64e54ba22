//! Every budget Watchword gives untrusted input, in one place.
//!
//! Backups, export links, pasted text and images come from outside: a file
//! from another app, a QR code on a web page, whatever is on the clipboard.
//! Each reader takes its limits from here, so the desktop app and the CLI
//! (which both go through the core's readers) can never differ, and a hostile
//! input ends in a specific error within about a second and well under
//! 100 MB, instead of hours or gigabytes.
//!
//! Every number is far above what a real export holds (the largest real
//! backups seen are a few hundred kilobytes with a few hundred entries) and
//! far below what hurts the machine. The comment on each says why that
//! number.
//!
//! Long work that a real input does need (a vault's key derivation, a big
//! import) can be stopped with a [`Cancel`] token.

use std::sync::atomic::{AtomicBool, Ordering};

// ----- Files ---------------------------------------------------------------

/// Largest backup or export file read, in bytes. Real backups are a few
/// hundred kilobytes; an Aegis vault with an icon on each of 500 entries is
/// about 5 MB. Parsing costs a few times the file's size in memory, so
/// 8 MiB keeps the worst case under 100 MB.
pub const MAX_BACKUP_BYTES: u64 = 8 * 1024 * 1024;

/// Most entries (accounts, lines, tokens) one backup may hold. People with
/// the most accounts have a few hundred; 10 000 is far beyond, and keeps
/// conversion, de-duplication and the preview quick.
pub const MAX_ENTRIES: usize = 10_000;

/// Most accounts one preview (the accounts shown before they are added)
/// holds, whatever it was brought in from: 32 export links at once could
/// otherwise hold hundreds of thousands. The same bound as one backup.
pub const MAX_PREVIEW_ACCOUNTS: usize = MAX_ENTRIES;

/// How many entry errors are spelt out one by one; the rest are counted. A
/// file of thousands of broken lines gives a count and the first few, not
/// thousands of messages.
pub const MAX_REPORTED_ENTRY_ERRORS: usize = 5;

/// Longest secret key an imported entry may carry, in bytes. Real keys are
/// 10 to 64 bytes (80 to 512 bits); a megabyte "key" in a base64 field is
/// an attack on the keychain, not an account.
pub const MAX_SECRET_BYTES: usize = 1024;

// ----- Accounts ------------------------------------------------------------

/// Longest note an account may carry, in UTF-8 bytes. The note lives in the
/// account's keychain item, and Windows' Credential Manager holds at most
/// 2560 bytes per item, written as UTF-16 (two bytes a unit): 1024 bytes of
/// note leave room for the otpauth URI of any real account beside it. The
/// store checks the whole item as well ([`MAX_ITEM_UTF16_UNITS`]).
pub const MAX_NOTE_BYTES: usize = 1024;

/// Longest keychain item a note may be written into, in UTF-16 units: the
/// 2560-byte blob of Windows' Credential Manager (`CRED_MAX_CREDENTIAL_BLOB_SIZE`),
/// which keyring's Windows store fills with UTF-16. The same bound holds on
/// every system, so an item written on Linux moves to Windows whole.
pub const MAX_ITEM_UTF16_UNITS: usize = 2560 / 2;

/// Most groups one account may be in. Aegis, 2FAS and Authenticator Pro put
/// an account in one group or a few; 16 leaves room without letting a file
/// fill the list with thousands.
pub const MAX_GROUPS_PER_ACCOUNT: usize = 16;

/// Longest issuer, and longest account name, in characters; the rest is
/// cut. E-mail addresses, the longest real names, stop at 254; a name of
/// megabytes from a crafted backup would otherwise fill the list, the
/// keychain item and the metadata file.
pub const MAX_LABEL_CHARS: usize = 256;

/// Longest group name, in characters: a label in a filter menu, not text.
pub const MAX_GROUP_CHARS: usize = 64;

// ----- Containers ----------------------------------------------------------

/// Most bytes decoded out of one container: strings of a Java serialisation
/// stream (back-references count again each time they are used, since each
/// use is a copy), base64 fields, decrypted payloads. Real containers decode
/// to less than their file size; twice the largest file read leaves room and
/// still bounds memory.
pub const MAX_DECODED_BYTES: usize = 2 * MAX_BACKUP_BYTES as usize;

/// Most JSON values (objects, arrays, strings, numbers, literals) one JSON
/// document may hold. A parsed value costs tens of bytes however short its
/// text (`[]` is two bytes and a 32-byte value), so this, not the file size,
/// bounds a document's memory. A real backup holds about twenty values per
/// entry: 10 000 entries are 200 000 values.
pub const MAX_JSON_VALUES: usize = 500_000;

/// Deepest nesting of a JSON document. Real backups nest four or five
/// levels; serde_json itself stops at 128, which this stays under.
pub const MAX_JSON_DEPTH: usize = 64;

/// Most XML nodes (elements, attributes, text) one document may hold. Real
/// Android preference files hold three nodes per token. Documents with a DTD
/// are refused outright, so no entity can expand.
pub const MAX_XML_NODES: u32 = 200_000;

// ----- Google Authenticator exports -----------------------------------------

/// Most parts (QR codes) one Google Authenticator export may claim. The app
/// puts 10 accounts in a code, so 1 000 parts is 10 000 accounts
/// ([`MAX_ENTRIES`]). A claim of 2^31−1 parts is a hostile link.
pub const MAX_BATCH_PARTS: u32 = 1_000;

/// Longest `data` parameter of one `otpauth-migration://` link, in
/// characters. A QR code holds at most 2 953 bytes, so no real link is
/// longer than about 4 000 characters of base64 (escaped: 6 000).
pub const MAX_MIGRATION_DATA_CHARS: usize = 64 * 1024;

/// Longest clipboard text a paste reads, in bytes. The longest text a
/// paste can use is one export link ([`MAX_MIGRATION_DATA_CHARS`] and its
/// prefix); beyond this the clipboard holds something else, and is not
/// read further.
pub const MAX_PASTED_TEXT_BYTES: u64 = 1024 * 1024;

/// How many missing parts of an export are named one by one ("parts 2, 5
/// and 7"); longer lists are shown as ranges, then cut with a count.
pub const MAX_NAMED_MISSING_PARTS: usize = 10;

// ----- Images ----------------------------------------------------------------

/// Largest image decoded, in pixels: a 8K screenshot is 33 megapixels, three
/// 4K monitors side by side 25. Beyond this a file is a decompression bomb
/// or a photo of something else. Checked from the header, before a pixel is
/// decoded.
pub const MAX_PIXELS: u64 = 50_000_000;

/// Largest image file read, in bytes. An uncompressed 8K BMP is 133 MB.
pub const MAX_IMAGE_BYTES: u64 = 200_000_000;

/// Most memory the image decoder may allocate: the pixels of a
/// [`MAX_PIXELS`] image at 16 bits per RGBA channel, with room to spare.
pub const MAX_IMAGE_ALLOC: u64 = 512 * 1024 * 1024;

// ----- Key derivation --------------------------------------------------------
//
// An encrypted backup names its own key-derivation cost; a hostile one names
// hours. Each format's cap is a few times what its app writes, so every real
// export opens, and a file over it is refused before a password is asked.

/// The work of one scrypt derivation with parameters N, r and p, in steps
/// of its memory-hard loop (N × r × p of them), plus the PBKDF2-HMAC-SHA256
/// that fills each of its r × p working blocks of 128 bytes and reads it
/// back. N × r × p alone leaves that part out, and it is the most of the
/// work when N is small: counted so, N = 2, r = 1, p = 2^19 came to 2^20
/// and passed every cap, yet took over a second a try.
pub const fn scrypt_cost(n: u64, r: u64, p: u64) -> u64 {
    n.saturating_add(SCRYPT_STEPS_PER_BLOCK)
        .saturating_mul(r)
        .saturating_mul(p)
}

/// What the PBKDF2 around one 128-byte working block of scrypt costs, in
/// steps of its loop: measured at about 4 on a machine with SHA
/// instructions; SHA-256 is about three times slower without them, and 16
/// leaves room.
const SCRYPT_STEPS_PER_BLOCK: u64 = 16;

/// The scrypt cost ([`scrypt_cost`]) of Aegis' own slots: N = 2^15, r = 8,
/// p = 1 (about 0.1 s and 32 MiB).
pub const AEGIS_REAL_SCRYPT_COST: u64 = scrypt_cost(1 << 15, 8, 1);

/// Largest scrypt cost ([`scrypt_cost`]) of one Aegis password slot: four
/// times Aegis' own.
pub const AEGIS_MAX_SCRYPT_COST: u64 = 4 * AEGIS_REAL_SCRYPT_COST;

/// Largest scrypt memory of one Aegis slot, in blocks of 128 bytes: scrypt
/// holds N × r of them, and r × p more as its working block (and r for a
/// scratch one) at the same time. 2^19 is 64 MiB, twice the N × r of
/// Aegis' own (whose working block is 8 of them); a little is added, so
/// that twice Aegis' N with its r and p is within.
pub const AEGIS_MAX_SCRYPT_MEMORY: u64 = (1 << 19) + (1 << 12);

/// Longest salt of an Aegis password slot, in bytes: Aegis writes 32.
/// scrypt hashes the whole salt once for every 32 bytes of its working
/// block (4 × r × p times), so a slot within the cost budget above with a
/// salt of megabytes asks for hours of hashing.
pub const AEGIS_MAX_SALT_BYTES: usize = 64;

/// Largest total scrypt cost of trying one password on every slot of an
/// Aegis vault (slots made before Aegis 0.6.3 are tried twice, with the old
/// password encoding too). A real vault has one password slot: eight times
/// its cost is under a second, and a "Wrong password" comes that fast.
pub const AEGIS_MAX_TOTAL_SCRYPT_COST: u64 = 8 * AEGIS_REAL_SCRYPT_COST;

/// Most PBKDF2 iterations of an andOTP backup: andOTP picks 140 000 to
/// 160 000 at random.
pub const ANDOTP_MAX_PBKDF2_ITERATIONS: u32 = 1_000_000;

/// Most PBKDF2 iterations of a FreeOTP 2 backup: FreeOTP uses 100 000.
pub const FREEOTP_MAX_PBKDF2_ITERATIONS: u32 = 1_000_000;

/// Most PBKDF2 iterations spent on one file in total, over all its tokens:
/// Authy derives a key per token (1 000 iterations each), so this allows
/// 2 000 encrypted tokens, ten times the most anyone has.
pub const MAX_TOTAL_PBKDF2_ITERATIONS: u64 = 2_000_000;

// Formats with a fixed cost need no cap: 2FAS (PBKDF2-SHA256, 10 000),
// Authenticator Pro / Stratum (Argon2id, 64 MiB × 3 passes; legacy PBKDF2,
// 64 000), Authy (1 000 per token, capped in total above).

// Real exports fit the budgets, checked when the crate compiles: Aegis' own
// scrypt (twice, for a pre-0.6.3 slot), andOTP's and FreeOTP's iterations,
// and as many export parts as entries allowed.
const _: () = assert!(8 * ((1 << 15) + 1 + 1) <= AEGIS_MAX_SCRYPT_MEMORY);
const _: () = assert!(AEGIS_REAL_SCRYPT_COST <= AEGIS_MAX_SCRYPT_COST);
const _: () = assert!(2 * AEGIS_REAL_SCRYPT_COST <= AEGIS_MAX_TOTAL_SCRYPT_COST);
const _: () = assert!(32 <= AEGIS_MAX_SALT_BYTES);
const _: () = assert!(160_000 <= ANDOTP_MAX_PBKDF2_ITERATIONS);
const _: () = assert!(100_000 <= FREEOTP_MAX_PBKDF2_ITERATIONS);
const _: () = assert!(MAX_BATCH_PARTS as usize * 10 >= MAX_ENTRIES);

// ----- The store's own records ---------------------------------------------
//
// The keychain is shared with every program of the user's session, and the
// data folder is a plain folder: what Watchword reads back from either is
// held to budgets too.

/// Largest metadata file read, in bytes: 10 000 accounts with long names
/// and many groups are about 5 MB. A larger one is treated as damaged
/// (moved aside and rebuilt from the keychain, which is the truth).
pub const MAX_METADATA_BYTES: u64 = 32 * 1024 * 1024;

/// Longest lock record read from the keychain, in bytes: a real one, with
/// its wraps, is under 2 KB.
pub const VAULT_MAX_RECORD_BYTES: usize = 64 * 1024;

/// Most wraps (ways to open the vault key) a lock record may hold; a real
/// one has one or two.
pub const VAULT_MAX_WRAPS: usize = 8;

/// Most wraps tried with a password: each costs an Argon2 derivation.
pub const VAULT_MAX_PASSWORD_WRAPS: usize = 2;

/// Most Argon2 memory a lock record may ask for, in KiB: 256 MiB, four
/// times what is written. An unlock allocates it all at once, so a record
/// altered to ask for more is refused before anything is allocated.
pub const VAULT_MAX_KDF_MEMORY_KIB: u32 = 4 * 64 * 1024;

/// Most Argon2 passes a lock record may ask for.
pub const VAULT_MAX_KDF_PASSES: u32 = 64;

/// Most Argon2 lanes a lock record may ask for.
pub const VAULT_MAX_KDF_LANES: u32 = 16;

/// Most Argon2 work a lock record may ask for, memory × passes (in KiB):
/// 32 passes over 64 MiB, many times what calibration picks on a slow
/// machine, and a few seconds at most on a 2-core one.
pub const VAULT_MAX_KDF_WORK_KIB: u64 = 32 * 64 * 1024;

// ----- Cancellation ------------------------------------------------------------

/// A flag that stops long work (key derivation, converting a big import)
/// between steps. Set it from another thread; the work returns
/// [`crate::import::ImportError::Cancelled`] at its next check.
#[derive(Debug, Default)]
pub struct Cancel(AtomicBool);

impl Cancel {
    /// A token not cancelled yet.
    pub const fn new() -> Self {
        Self(AtomicBool::new(false))
    }

    /// Asks the work to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Re-arms the token for the next piece of work.
    pub fn reset(&self) {
        self.0.store(false, Ordering::SeqCst);
    }

    /// True once [`Cancel::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancel_is_seen_and_reset() {
        let cancel = Cancel::new();
        assert!(!cancel.is_cancelled());
        cancel.cancel();
        assert!(cancel.is_cancelled());
        cancel.reset();
        assert!(!cancel.is_cancelled());
    }
}
