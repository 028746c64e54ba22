//! What people name and write for an account: its issuer and name as kept
//! (one line, no control characters, nothing that reverses the text), its
//! groups and its note, and the errors their checks give.

use crate::limits;
use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// An issuer or account name as Watchword keeps it: line breaks, tabs,
/// other control characters and the invisible marks that reorder the text
/// after them (bidirectional overrides and isolates) made spaces, so a name
/// is one line that shows as it reads and a terminal cannot obey; trimmed,
/// and cut to [`limits::MAX_LABEL_CHARS`] characters. What every source's
/// issuer and name go through, a rename, and the store before it writes.
pub fn label(text: &str) -> String {
    let text = text.trim();
    if text.len() <= limits::MAX_LABEL_CHARS && !text.chars().any(not_in_a_label) {
        return text.to_owned();
    }
    let cleaned: String = text
        .chars()
        .map(|c| if not_in_a_label(c) { ' ' } else { c })
        .take(limits::MAX_LABEL_CHARS)
        .collect();
    cleaned.trim().to_owned()
}

/// Control characters, the line and paragraph separators, and the
/// bidirectional embeddings, overrides and isolates (U+202A–U+202E,
/// U+2066–U+2069), which can make the rest of a line show reversed.
fn not_in_a_label(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `groups` without repeats, in their order, or
/// [`FieldError::TooManyGroups`].
pub fn checked_groups(groups: impl IntoIterator<Item = Group>) -> Result<Vec<Group>, FieldError> {
    let mut kept: Vec<Group> = Vec::new();
    for group in groups {
        if kept.contains(&group) {
            continue;
        }
        if kept.len() == limits::MAX_GROUPS_PER_ACCOUNT {
            return Err(FieldError::TooManyGroups);
        }
        kept.push(group);
    }
    Ok(kept)
}

/// Which rule a note or a group name breaks. The note's text is never in
/// the message.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FieldError {
    /// Occurs when a note is longer than [`limits::MAX_NOTE_BYTES`].
    #[error(
        "the note is {bytes} bytes long; a note is kept in the keychain with the account and can hold {} bytes at most",
        limits::MAX_NOTE_BYTES
    )]
    NoteTooLong {
        /// Length of the note in UTF-8 bytes.
        bytes: usize,
    },
    /// Occurs when a note, with the account it belongs to, would make a
    /// keychain item longer than Windows' Credential Manager holds
    /// ([`limits::MAX_ITEM_UTF16_UNITS`]): a note of many line breaks or
    /// quotes beside a long name, say.
    #[error(
        "the note of {account} does not fit in its keychain item ({units} of {} units with the account); shorten the note",
        limits::MAX_ITEM_UTF16_UNITS
    )]
    NoteDoesNotFit {
        /// "Issuer (name)" of the account.
        account: String,
        /// UTF-16 units the item would take.
        units: usize,
    },
    /// Occurs when a group name is empty (or only spaces).
    #[error("a group name cannot be empty")]
    EmptyGroup,
    /// Occurs when a group name is longer than [`limits::MAX_GROUP_CHARS`].
    #[error(
        "the group name is {chars} characters long, more than the {} a group name may have",
        limits::MAX_GROUP_CHARS
    )]
    GroupTooLong {
        /// Length of the name in characters.
        chars: usize,
    },
    /// Occurs when a group name holds a line break, a tab, another
    /// control character or a mark that reverses the text after it.
    #[error(
        "a group name cannot hold line breaks, tabs, other control characters \
         or marks that reverse the text after them"
    )]
    ControlInGroup,
    /// Occurs when an account would be in more than
    /// [`limits::MAX_GROUPS_PER_ACCOUNT`] groups.
    #[error(
        "an account can be in {} groups at most",
        limits::MAX_GROUPS_PER_ACCOUNT
    )]
    TooManyGroups,
    /// Occurs when a note is saved over one it was not read from: another
    /// process changed the note since the user opened it. Nothing changes.
    #[error("the note of {account} was changed elsewhere while it was open here; open it again to see it, then make your change")]
    NoteChanged {
        /// "Issuer (name)" of the account.
        account: String,
    },
}

/// A note on an account: free text up to [`limits::MAX_NOTE_BYTES`], kept
/// as given (no trimming, so an import round-trips it exactly). Treated
/// like the key: `Debug` shows only its length, it does not serialise, and
/// it is wiped from memory on drop. The text comes out through
/// [`Note::expose`], a visible call.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Note(String);

impl Note {
    /// The note for `text`: `None` when it is empty or only white space (an
    /// empty note clears it), [`FieldError::NoteTooLong`] past
    /// [`limits::MAX_NOTE_BYTES`].
    pub fn new(text: &str) -> Result<Option<Self>, FieldError> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        if text.len() > limits::MAX_NOTE_BYTES {
            return Err(FieldError::NoteTooLong { bytes: text.len() });
        }
        Ok(Some(Self(text.to_owned())))
    }

    /// For importers: the note for `text`, cut to the longest beginning
    /// that fits [`limits::MAX_NOTE_BYTES`] (at a character boundary), and
    /// whether it was cut, so the preview can say so.
    pub fn cut(text: &str) -> (Option<Self>, bool) {
        let mut end = text.len().min(limits::MAX_NOTE_BYTES);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let note = Self::new(&text[..end]).expect("cut to the limit");
        (note, end < text.len())
    }

    /// The text, for showing it when the user asks, or for an export.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Note(<redacted {} bytes>)", self.0.len())
    }
}

/// The name of a group ("Work", "Banks"): trimmed, 1 to
/// [`limits::MAX_GROUP_CHARS`] characters, no control characters nor
/// marks that reverse the text after them (as in an account's name). Not
/// secret; kept in the metadata file, where reading it back checks it again.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Group(String);

impl Group {
    /// Checks a name the user typed.
    pub fn new(name: &str) -> Result<Self, FieldError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(FieldError::EmptyGroup);
        }
        if name.chars().any(not_in_a_label) {
            return Err(FieldError::ControlInGroup);
        }
        let chars = name.chars().count();
        if chars > limits::MAX_GROUP_CHARS {
            return Err(FieldError::GroupTooLong { chars });
        }
        Ok(Self(name.to_owned()))
    }

    /// For importers, which keep what they can of another app's group: a
    /// name with control characters and the marks that reverse the text
    /// after them turned into spaces, cut to
    /// [`limits::MAX_GROUP_CHARS`]; `None` when nothing is left.
    pub fn lenient(name: &str) -> Option<Self> {
        let cleaned: String = name
            .chars()
            .map(|c| if not_in_a_label(c) { ' ' } else { c })
            .collect();
        let cut: String = cleaned
            .trim()
            .chars()
            .take(limits::MAX_GROUP_CHARS)
            .collect();
        Self::new(&cut).ok()
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Group {
    type Error = FieldError;
    fn try_from(name: String) -> Result<Self, FieldError> {
        Self::new(&name)
    }
}

impl From<Group> for String {
    fn from(group: Group) -> Self {
        group.0
    }
}
