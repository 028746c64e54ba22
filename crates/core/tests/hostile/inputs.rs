//! Hostile inputs, built in code: the attacks of issue 9 and their
//! neighbours in each class. Shared by `tests/hostile_inputs.rs` (which checks
//! each ends in its specific error) and `examples/hostile.rs` (which writes
//! them to files so scripts/hostile.sh can time both CLIs on them).

#![allow(dead_code)]

/// A protobuf varint.
fn varint(mut n: u64, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// A length-delimited protobuf field.
fn bytes_field(number: u64, bytes: &[u8], out: &mut Vec<u8>) {
    varint(number << 3 | 2, out);
    varint(bytes.len() as u64, out);
    out.extend_from_slice(bytes);
}

/// A varint protobuf field.
fn int_field(number: u64, value: u64, out: &mut Vec<u8>) {
    varint(number << 3, out);
    varint(value, out);
}

/// A Google Authenticator export link with one real account that claims to
/// be part `index + 1` of `parts`.
pub fn google_link(parts: u64, index: u64) -> String {
    let mut entry = Vec::new();
    bytes_field(1, b"12345678901234567890", &mut entry);
    bytes_field(2, b"alice", &mut entry);
    bytes_field(3, b"Example", &mut entry);
    int_field(6, 2, &mut entry);
    let mut payload = Vec::new();
    bytes_field(1, &entry, &mut payload);
    int_field(2, 1, &mut payload);
    int_field(3, parts, &mut payload);
    int_field(4, index, &mut payload);
    int_field(5, 42, &mut payload);
    format!(
        "otpauth-migration://offline?data={}",
        data_encoding::BASE64.encode(&payload)
    )
}

/// Issue 9's link: 2^31 − 1 parts.
pub fn google_max_parts() -> String {
    google_link((1 << 31) - 1, 0)
}

/// The start of a FreeOTP 2 backup: a Java-serialised HashMap of `size`
/// pairs (handles: 0x7E0000 its class, 0x7E0001 the map).
fn freeotp_map_header(size: u32) -> Vec<u8> {
    let mut out = vec![0xAC, 0xED, 0x00, 0x05, 0x73, 0x72];
    let class = b"java.util.HashMap";
    out.extend_from_slice(&(class.len() as u16).to_be_bytes());
    out.extend_from_slice(class);
    out.extend_from_slice(&[0x05, 0x07, 0xDA, 0xC1, 0xC3, 0x16, 0x60, 0xD1]); // serialVersionUID
    out.push(0x03); // SC_WRITE_METHOD | SC_SERIALIZABLE
    out.extend_from_slice(&2u16.to_be_bytes());
    for (code, name) in [(b'F', &b"loadFactor"[..]), (b'I', &b"threshold"[..])] {
        out.push(code);
        out.extend_from_slice(&(name.len() as u16).to_be_bytes());
        out.extend_from_slice(name);
    }
    out.push(0x78); // TC_ENDBLOCKDATA
    out.push(0x70); // no superclass
    out.extend_from_slice(&[0x3F, 0x40, 0, 0, 0, 0, 0, 0x0C]); // loadFactor, threshold
    out.extend_from_slice(&[0x77, 0x08]); // block of 8 bytes
    out.extend_from_slice(&16u32.to_be_bytes()); // capacity
    out.extend_from_slice(&size.to_be_bytes());
    // "masterKey" (handle 0x7E0002), its value next.
    out.push(0x74);
    out.extend_from_slice(&9u16.to_be_bytes());
    out.extend_from_slice(b"masterKey");
    out
}

/// A FreeOTP 2 backup (Java-serialised HashMap) of about `file_bytes`: one
/// big string, then as many entries as fit whose key and value are both
/// back-references to it. Each reference is 5 bytes of file and a copy of
/// the whole string in memory.
pub fn freeotp_back_references(string_bytes: usize, file_bytes: usize) -> Vec<u8> {
    let pairs = (file_bytes.saturating_sub(string_bytes) / 10).max(1) as u32;
    let mut out = freeotp_map_header(pairs + 1);
    // "masterKey" → the big string.
    out.push(0x7C); // TC_LONGSTRING, handle 0x7E0003
    out.extend_from_slice(&(string_bytes as u64).to_be_bytes());
    out.extend(std::iter::repeat_n(b'a', string_bytes));
    for _ in 0..pairs {
        for _ in 0..2 {
            out.push(0x71); // TC_REFERENCE
            out.extend_from_slice(&0x7E_0003u32.to_be_bytes());
        }
    }
    out.push(0x78);
    out
}

/// A FreeOTP 2 backup whose only pair is its `masterKey`, holding `text`.
pub fn freeotp_master_key(text: &str) -> Vec<u8> {
    let mut out = freeotp_map_header(1);
    out.push(0x7C); // TC_LONGSTRING
    out.extend_from_slice(&(text.len() as u64).to_be_bytes());
    out.extend_from_slice(text.as_bytes());
    out.push(0x78);
    out
}

/// An encrypted Aegis vault with `slots` password slots at scrypt
/// (n, r, p). The wrapped keys are random: no password opens it.
pub fn aegis_slots(slots: usize, n: u64, r: u64, p: u64) -> String {
    let hex = |len: usize| "ab".repeat(len);
    let slot = format!(
        r#"{{"type":1,"uuid":"00000000-0000-0000-0000-000000000000","key":"{}","key_params":{{"nonce":"{}","tag":"{}"}},"n":{n},"r":{r},"p":{p},"salt":"{}","repaired":true}}"#,
        hex(32),
        hex(12),
        hex(16),
        hex(32)
    );
    let slots = vec![slot; slots].join(",");
    format!(
        r#"{{"version":1,"header":{{"slots":[{slots}],"params":{{"nonce":"{}","tag":"{}"}}}},"db":"AAAAAAAAAAAAAAAA"}}"#,
        hex(12),
        hex(16)
    )
}

/// Issue 9's vault: many slots, each at the highest cost the old reader
/// accepted (N × r = 2^21, p = 16: 256 MiB and ~10 s each).
pub fn aegis_max_cost_slots() -> String {
    aegis_slots(100, 1 << 16, 32, 16)
}

/// `lines` otpauth lines whose key is not base32.
pub fn broken_lines(lines: usize) -> String {
    "otpauth://totp/x?secret=!!\n".repeat(lines)
}

/// `lines` good otpauth lines, all different.
pub fn good_lines(lines: usize) -> String {
    (0..lines)
        .map(|i| {
            format!(
                "otpauth://totp/Site{i}:me?secret={}&issuer=Site{i}\n",
                data_encoding::BASE32_NOPAD.encode(format!("key-{i:016}").as_bytes())
            )
        })
        .collect()
}

/// An Aegis-looking JSON document nested `depth` arrays deep.
pub fn json_deep(depth: usize) -> String {
    format!(
        r#"{{"version":1,"header":{{"slots":null}},"db":{{"version":3,"entries":{}{}}}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    )
}

/// An Aegis-looking JSON document of `count` empty arrays: two bytes of
/// file, a 32-byte value each.
pub fn json_wide(count: usize) -> String {
    let mut items = "[],".repeat(count);
    items.pop();
    format!(r#"{{"version":1,"header":{{"slots":null}},"db":{{"version":3,"entries":[{items}]}}}}"#)
}

/// A FreeOTP 1 token file with a billion-laughs entity expansion.
pub fn xml_billion_laughs() -> String {
    let mut dtd = String::from(r#"<!ENTITY lol0 "lolololololololololo">"#);
    for i in 1..10 {
        let prev = format!("&lol{};", i - 1);
        dtd.push_str(&format!(r#"<!ENTITY lol{i} "{}">"#, prev.repeat(10)));
    }
    format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE map [{dtd}]>\n<map><string name=\"tokenOrder\">&lol9;</string></map>\n"
    )
}

/// A FreeOTP 1 token file with `count` empty nodes.
pub fn xml_many_nodes(count: usize) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<map><string name=\"tokenOrder\">[]</string>{}</map>\n",
        "<a/>".repeat(count)
    )
}

/// A PNG header claiming `width` × `height` pixels, and nothing else.
pub fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    png.extend_from_slice(&width.to_be_bytes());
    png.extend_from_slice(&height.to_be_bytes());
    png.extend_from_slice(&[8, 6, 0, 0, 0]);
    png.extend_from_slice(&[0, 0, 0, 0]); // CRC (not checked before the size)
    png
}

/// A Steam Guard file whose key is `bytes` long (base64).
pub fn steam_huge_key(bytes: usize) -> String {
    format!(
        r#"{{"shared_secret":"{}","account_name":"me"}}"#,
        data_encoding::BASE64.encode(&vec![7u8; bytes])
    )
}
