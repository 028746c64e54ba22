use super::*;

/// Cheap parameters for tests: the cost is not what is tested.
const FAST: KdfParams = KdfParams {
    m_kib: 64,
    t: 1,
    p: 1,
};

#[test]
fn an_item_round_trips_and_is_bound_to_its_id_and_key() {
    let key = VaultKey::random();
    let uri = "otpauth://totp/Shop:me?secret=GEZDGNBVGY3TQOJQ&issuer=Shop";
    let sealed = key.seal("0a1b", uri);
    assert!(sealed.starts_with(SEALED_PREFIX), "{sealed}");
    assert!(!sealed.contains("GEZDGNBV"), "{sealed}");
    assert_eq!(sealed_key_id(&sealed), Some(key.id()));
    assert_eq!(key.open("0a1b", &sealed).expect("opens").as_str(), uri);
    // Another item's id: it does not open (an item copied over another).
    assert!(matches!(
        key.open("0a1c", &sealed),
        Err(VaultError::Damaged(_))
    ));
    // Another key.
    let other = VaultKey::random();
    assert!(matches!(
        other.open("0a1b", &sealed),
        Err(VaultError::OtherKey(_))
    ));
    // Two seals of one text differ (a fresh nonce each time).
    assert_ne!(key.seal("0a1b", uri), sealed);
    // One flipped character anywhere in the payload: refused.
    let mut bytes = sealed.clone().into_bytes();
    let at = bytes.len() - 5;
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(bytes).expect("ASCII");
    assert!(key.open("0a1b", &flipped).is_err());
    for broken in [
        SEALED_PREFIX,
        "watchword-sealed:1:abc",
        "watchword-sealed:1:abc:!!",
    ] {
        assert!(key.open("0a1b", broken).is_err(), "{broken}");
    }
    assert!(!is_sealed(uri) && is_sealed(&sealed));
}

#[test]
fn the_password_unwraps_the_key_and_a_wrong_one_says_so() {
    let key = VaultKey::random();
    let record = VaultRecord::new(&key, "correct horse", FAST).expect("wrapped");
    let text = record.to_text();
    assert!(!text.contains(&BASE64.encode(key.bytes.as_ref())));
    let back = VaultRecord::parse(&text).expect("parses");
    let keys = back.unlock("correct horse").expect("unlocks");
    assert_eq!(keys.current.bytes.as_ref(), key.bytes.as_ref());
    assert_eq!(keys.current.id(), key.id());
    assert_eq!(
        back.unlock("wrong horse").expect_err("refused"),
        VaultError::WrongPassword
    );
    assert_eq!(
        back.unlock("").expect_err("refused"),
        VaultError::WrongPassword
    );
}

#[test]
fn a_password_change_keeps_items_under_the_old_key_readable() {
    let old = VaultKey::random();
    let record = VaultRecord::new(&old, "first", FAST).expect("wrapped");
    let sealed_old = old.seal("01", "old item");
    let keys = record.unlock("first").expect("unlocks");
    let next = VaultKey::random();
    let rekeyed = VaultRecord::rekeyed(&keys, &next, "second", FAST).expect("rekeyed");
    let rekeyed = VaultRecord::parse(&rekeyed.to_text()).expect("parses");
    assert_eq!(
        rekeyed.unlock("first").expect_err("refused"),
        VaultError::WrongPassword
    );
    let keys = rekeyed.unlock("second").expect("unlocks");
    assert_eq!(keys.current.id(), next.id());
    // An item not resealed yet opens through the previous key...
    assert_eq!(
        keys.open("01", &sealed_old).expect("opens").as_str(),
        "old item"
    );
    // ...and one resealed opens through the current one.
    let sealed_new = keys.current.seal("01", "new item");
    assert_eq!(
        keys.open("01", &sealed_new).expect("opens").as_str(),
        "new item"
    );
    // A key older than the previous one is not kept.
    let unknown = VaultKey::random().seal("01", "x");
    assert!(matches!(
        keys.open("01", &unknown),
        Err(VaultError::OtherKey(_))
    ));
}

#[test]
fn a_damaged_or_hostile_record_is_refused_quickly() {
    let key = VaultKey::random();
    let good = VaultRecord::new(&key, "pw", FAST).expect("wrapped");
    for text in [
        "",
        "{}",
        "[]",
        "{\"v\":1,\"id\":\"x\",\"wraps\":[]}",
        "not json",
    ] {
        assert!(
            matches!(VaultRecord::parse(text), Err(VaultError::Damaged(_))),
            "{text}"
        );
    }
    let mut newer = good.clone();
    newer.v = 2;
    assert_eq!(
        VaultRecord::parse(&newer.to_text()).expect_err("refused"),
        VaultError::NewerRecord(2)
    );
    // A cost far beyond what is ever written: refused before deriving.
    for kdf in [
        KdfParams {
            m_kib: 4 * 1024 * 1024,
            t: 1,
            p: 1,
        },
        // 1 GiB in two passes: within the work bound, past the memory one.
        KdfParams {
            m_kib: 1024 * 1024,
            t: 2,
            p: 1,
        },
        KdfParams {
            m_kib: 64 * 1024,
            t: 1000,
            p: 1,
        },
        KdfParams {
            m_kib: 512 * 1024,
            t: 64,
            p: 1,
        },
        KdfParams {
            m_kib: 64,
            t: 1,
            p: 0,
        },
    ] {
        let mut hostile = good.clone();
        let Wrap::Password {
            kdf: cost,
            salt,
            nonce,
            key,
            check,
        } = &mut hostile.wraps[0]
        else {
            panic!("a password wrap")
        };
        *cost = kdf;
        // Its checksum made to match: the cap is what refuses it,
        // before any derivation.
        *check = checksum(&good.id, cost, salt, nonce, key);
        assert_eq!(
            hostile.unlock("pw").expect_err("refused"),
            VaultError::Damaged("its key derivation cost is out of range"),
            "{kdf:?}"
        );
    }
    // A wrapped key damaged on disk says so, rather than "wrong
    // password"; one forged with a matching checksum still opens to
    // nothing.
    let mut damaged = good.clone();
    let Wrap::Password { key: wrapped, .. } = &mut damaged.wraps[0] else {
        panic!("a password wrap")
    };
    let mut bytes = BASE64.decode(wrapped.as_bytes()).expect("base64");
    bytes[0] ^= 1;
    *wrapped = BASE64.encode(&bytes);
    assert!(matches!(damaged.unlock("pw"), Err(VaultError::Damaged(_))));
    let Wrap::Password {
        key,
        kdf,
        salt,
        nonce,
        check,
    } = &mut damaged.wraps[0]
    else {
        panic!("a password wrap")
    };
    *check = checksum(&good.id, kdf, salt, nonce, key);
    assert_eq!(
        damaged.unlock("pw").expect_err("refused"),
        VaultError::WrongPassword
    );
    // Many wraps: a few are read, more are refused.
    let mut many = good.clone();
    many.wraps = vec![good.wraps[0].clone(); 8];
    assert!(VaultRecord::parse(&many.to_text()).is_ok());
    many.wraps = vec![good.wraps[0].clone(); 9];
    assert!(VaultRecord::parse(&many.to_text()).is_err());
}

#[test]
fn a_wrap_of_another_kind_is_kept_and_passed_over() {
    let key = VaultKey::random();
    let record = VaultRecord::new(&key, "pw", FAST).expect("wrapped");
    let mut value: serde_json::Value = serde_json::from_str(&record.to_text()).expect("JSON");
    value["wraps"]
        .as_array_mut()
        .expect("wraps")
        .insert(0, serde_json::json!({"kind": "hello", "blob": "…"}));
    let later = VaultRecord::parse(&value.to_string()).expect("still reads");
    assert_eq!(later.wraps[0], Wrap::Unknown);
    assert_eq!(later.unlock("pw").expect("unlocks").current.id(), key.id());
    // As many other kinds first as there are password wraps tried: the
    // password's is still reached (found by a second reader: every wrap
    // counted towards the password wraps tried).
    let wraps = value["wraps"].as_array_mut().expect("wraps");
    for _ in 0..VaultRecord::MAX_PASSWORD_WRAPS {
        wraps.insert(0, serde_json::json!({"kind": "touch-id", "blob": "…"}));
    }
    let later = VaultRecord::parse(&value.to_string()).expect("still reads");
    assert_eq!(later.unlock("pw").expect("unlocks").current.id(), key.id());
    // A changed key id reads as damage, not as a wrong password.
    let mut renamed = record.clone();
    renamed.id.replace_range(
        0..1,
        if renamed.id.starts_with('0') {
            "1"
        } else {
            "0"
        },
    );
    assert!(matches!(renamed.unlock("pw"), Err(VaultError::Damaged(_))));
}

#[test]
fn calibration_picks_a_cost_the_checks_accept() {
    let kdf = KdfParams::calibrate(Duration::from_millis(50));
    kdf.check().expect("within the caps");
    assert_eq!(kdf.m_kib, KdfParams::MEMORY_KIB);
    assert!(kdf.t >= 2);
}
