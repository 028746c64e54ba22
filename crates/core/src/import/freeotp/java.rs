//! Just enough of Java's object serialisation protocol
//! (<https://docs.oracle.com/javase/8/docs/platform/serialization/spec/protocol.html>)
//! to read a `java.util.HashMap<String, String>`: the container of FreeOTP v2
//! backups (see [`super`]).

const STREAM_VERSION: u16 = 5;
const TC_NULL: u8 = 0x70;
const TC_REFERENCE: u8 = 0x71;
const TC_CLASSDESC: u8 = 0x72;
const TC_OBJECT: u8 = 0x73;
const TC_STRING: u8 = 0x74;
const TC_BLOCKDATA: u8 = 0x77;
const TC_ENDBLOCKDATA: u8 = 0x78;
const TC_LONGSTRING: u8 = 0x7C;
/// The first handle assigned in a stream.
const BASE_HANDLE: u32 = 0x7E_0000;

use crate::limits::MAX_DECODED_BYTES;

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    /// Objects by handle: strings, `None` for everything else.
    handles: Vec<Option<String>>,
    /// Bytes of strings handed out so far, copies made by back-references
    /// included: a reference is a few bytes of file and a whole string
    /// of memory, so this, not the file size, bounds the output.
    decoded: usize,
}

/// Why a stream could not be read.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Error {
    /// Truncated or malformed, and where.
    Damaged(String),
    /// Its strings decode to more than [`MAX_DECODED_BYTES`].
    TooLarge,
}

impl From<String> for Error {
    fn from(reason: String) -> Self {
        Error::Damaged(reason)
    }
}

impl From<&str> for Error {
    fn from(reason: &str) -> Self {
        Error::Damaged(reason.to_owned())
    }
}

type Result<T> = std::result::Result<T, Error>;

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len());
        let Some(end) = end else {
            return Err("it ends too early: the file is truncated".into());
        };
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<()> {
        let at = self.at;
        let found = self.u8()?;
        if found == byte {
            Ok(())
        } else {
            Err(format!("expected {what} at byte {at}, found 0x{found:02x}").into())
        }
    }

    /// A `writeUTF` string: u16 length and modified UTF-8.
    fn utf(&mut self) -> Result<String> {
        let length = usize::from(self.u16()?);
        Ok(decode_modified_utf8(self.take(length)?)?)
    }

    /// Counts `len` more bytes handed out, within the budget.
    fn produce(&mut self, len: usize) -> Result<()> {
        self.decoded = self.decoded.saturating_add(len);
        if self.decoded > MAX_DECODED_BYTES {
            return Err(Error::TooLarge);
        }
        Ok(())
    }

    /// A string object (new or back-referenced), or `None` for null.
    fn string_object(&mut self) -> Result<Option<String>> {
        let at = self.at;
        match self.u8()? {
            TC_STRING => {
                let text = self.utf()?;
                self.produce(2 * text.len())?;
                self.handles.push(Some(text.clone()));
                Ok(Some(text))
            }
            TC_LONGSTRING => {
                let b = self.take(8)?;
                let length = u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
                let length = usize::try_from(length)
                    .map_err(|_| "a string is longer than the file".to_owned())?;
                let text = decode_modified_utf8(self.take(length)?)?;
                self.produce(2 * text.len())?;
                self.handles.push(Some(text.clone()));
                Ok(Some(text))
            }
            TC_REFERENCE => {
                let handle = self.u32()?;
                let index = handle.checked_sub(BASE_HANDLE).map(|i| i as usize);
                let len = match index.and_then(|i| self.handles.get(i)) {
                    Some(Some(text)) => text.len(),
                    _ => {
                        return Err(
                            format!("a reference at byte {at} does not name a string").into()
                        )
                    }
                };
                // Counted before the copy is made.
                self.produce(len)?;
                let text = index
                    .and_then(|i| self.handles.get(i).cloned().flatten())
                    .expect("looked up just above");
                Ok(Some(text))
            }
            TC_NULL => Ok(None),
            other => Err(format!("expected a string at byte {at}, found 0x{other:02x}").into()),
        }
    }
}

/// The entries of a serialised `HashMap<String, String>`, in stream order;
/// null keys or values are left out (a token whose secret is null is then
/// one without its secret, which [`super`] reports).
pub(super) fn parse_string_map(bytes: &[u8]) -> Result<Vec<(String, String)>> {
    let mut r = Reader {
        bytes,
        at: 0,
        handles: Vec::new(),
        decoded: 0,
    };
    if r.u16()? != 0xACED || r.u16()? != STREAM_VERSION {
        return Err("it is not a Java serialisation stream of version 5".into());
    }
    r.expect(TC_OBJECT, "an object")?;
    r.expect(TC_CLASSDESC, "a class description")?;
    let class = r.utf()?;
    if class != "java.util.HashMap" {
        return Err(format!(
            "it holds an object of class {}, not a java.util.HashMap",
            crate::error::Excerpt::of(&class)
        )
        .into());
    }
    r.take(8)?; // serialVersionUID
    r.handles.push(None); // the class description
    r.u8()?; // flags
    let field_count = r.u16()?;
    let mut data_len = 0usize;
    for _ in 0..field_count {
        let code = r.u8()?;
        r.utf()?;
        data_len += match code {
            b'B' | b'Z' => 1,
            b'C' | b'S' => 2,
            b'F' | b'I' => 4,
            b'D' | b'J' => 8,
            _ => return Err("the map class has a field of an unexpected type".into()),
        };
    }
    r.expect(TC_ENDBLOCKDATA, "the end of the class annotation")?;
    r.expect(TC_NULL, "no superclass")?;
    r.handles.push(None); // the map itself
    r.take(data_len)?; // loadFactor, threshold
    r.expect(TC_BLOCKDATA, "the map's size block")?;
    let block_len = usize::from(r.u8()?);
    if block_len < 8 {
        return Err("the map's size block is too short".into());
    }
    r.u32()?; // capacity
    let size = r.u32()?;
    r.take(block_len - 8)?;
    let mut map = Vec::new();
    for _ in 0..size {
        let key = r.string_object()?;
        let value = r.string_object()?;
        if let (Some(key), Some(value)) = (key, value) {
            map.push((key, value));
        }
    }
    r.expect(TC_ENDBLOCKDATA, "the end of the map")?;
    Ok(map)
}

/// Java's modified UTF-8 (`DataInput.readUTF`): UTF-8 of UTF-16 units,
/// NUL as two bytes, surrogates encoded one by one.
fn decode_modified_utf8(bytes: &[u8]) -> std::result::Result<String, String> {
    let bad = || "a string is not valid modified UTF-8".to_owned();
    let mut units = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (unit, len) = if b < 0x80 {
            (u16::from(b), 1)
        } else if b & 0xE0 == 0xC0 {
            let b1 = *bytes.get(i + 1).ok_or_else(bad)?;
            if b1 & 0xC0 != 0x80 {
                return Err(bad());
            }
            ((u16::from(b & 0x1F) << 6) | u16::from(b1 & 0x3F), 2)
        } else if b & 0xF0 == 0xE0 {
            let (b1, b2) = match bytes.get(i + 1..i + 3) {
                Some(&[b1, b2]) if b1 & 0xC0 == 0x80 && b2 & 0xC0 == 0x80 => (b1, b2),
                _ => return Err(bad()),
            };
            (
                (u16::from(b & 0x0F) << 12) | (u16::from(b1 & 0x3F) << 6) | u16::from(b2 & 0x3F),
                3,
            )
        } else {
            return Err(bad());
        };
        units.push(unit);
        i += len;
    }
    String::from_utf16(&units).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modified_utf8() {
        assert_eq!(decode_modified_utf8(b"abc"), Ok("abc".to_owned()));
        assert_eq!(decode_modified_utf8(b"\xC0\x80"), Ok("\0".to_owned()));
        // U+1F600 as two 3-byte surrogates.
        assert_eq!(
            decode_modified_utf8(b"\xED\xA0\xBD\xED\xB8\x80"),
            Ok("\u{1F600}".to_owned())
        );
        assert!(decode_modified_utf8(b"\xFF").is_err());
        assert!(decode_modified_utf8(b"\xE0\x80").is_err());
    }

    #[test]
    fn truncated_streams_are_errors_not_panics() {
        let stream = b"\xAC\xED\x00\x05\x73\x72\x00\x11java.util.HashMap";
        for end in 0..stream.len() {
            assert!(parse_string_map(&stream[..end]).is_err());
        }
    }
}
