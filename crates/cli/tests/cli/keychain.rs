//! Accounts through the keychain: add, list, code and remove, HOTP counters,
//! Steam's codes, items only in the keychain, no Secret Service at all.

use super::*;

#[test]
fn add_list_code_remove_through_the_keychain() {
    let env = env("flow");
    let out = env.run_with(
        &[
            "add",
            "--issuer",
            "Amazon",
            "--account",
            "seller@example.com",
        ],
        "gezd gnbv gy3t qojq gezd gnbv gy3t qojq\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "Added Amazon (seller@example.com).\n");
    let uri = format!("otpauth://totp/Amazon%20Seller:me?secret={RFC_SHA1}&issuer=Amazon%20Seller");
    assert!(env.run_with(&["add", "-"], &uri).status.success());
    let out = env.run_with(&["add"], &uri);
    assert_eq!(out.status.code(), Some(1), "a duplicate is refused");
    assert_eq!(
        stderr(&out),
        "watchword-cli: Amazon Seller (me) is already in Watchword\n"
    );
    // A malformed URI stores nothing.
    let out = env.run_with(
        &["add"],
        "otpauth://totp/Broken?secret=JBSW0Y3DP&issuer=Broken",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("invalid character at position 5"));

    let out = env.run(&["list"]);
    assert_eq!(
        stdout(&out),
        "ISSUER         TYPE   ACCOUNT\nAmazon         totp   seller@example.com\nAmazon Seller  totp   me\n"
    );
    // The JSON list names both accounts and never their key: no field for
    // it, and the key in none of its spellings (base32 as added, either
    // case, or its bytes as text).
    let out = env.run(&["list", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let listed: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("list --json is JSON");
    let entries = listed.as_array().expect("a JSON array");
    let names: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| {
            (
                e["issuer"].as_str().unwrap_or_default(),
                e["name"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [("Amazon", "seller@example.com"), ("Amazon Seller", "me")],
        "{listed:#}"
    );
    fn fields_named_like_a_key(value: &serde_json::Value, found: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (name, inner) in map {
                    let lower = name.to_ascii_lowercase();
                    if lower.contains("secret") || lower.contains("key") {
                        found.push(name.clone());
                    }
                    fields_named_like_a_key(inner, found);
                }
            }
            serde_json::Value::Array(items) => {
                for inner in items {
                    fields_named_like_a_key(inner, found);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    fields_named_like_a_key(&listed, &mut found);
    assert!(found.is_empty(), "fields {found:?} in {listed:#}");
    let text = stdout(&out);
    for spelling in [
        RFC_SHA1.to_owned(),
        RFC_SHA1.to_ascii_lowercase(),
        "gezd gnbv gy3t qojq".to_owned(),
        "12345678901234567890".to_owned(),
    ] {
        assert!(
            !text.contains(&spelling),
            "list shows the key as {spelling:?}"
        );
    }

    // "amazon" is exactly one issuer; "ama" is ambiguous and lists both.
    let out = env.run(&["code", "amazon", "--at", "59"]);
    assert_eq!(stdout(&out), "287082\n");
    let out = env.run(&["code", "ama"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "watchword-cli: \"ama\" matches 2 accounts; be more specific:\n  Amazon: seller@example.com\n  Amazon Seller: me\n"
    );
    // A name as that list shows it is taken as it is shown.
    let out = env.run(&["code", "Amazon: seller@example.com", "--at", "59"]);
    assert_eq!(stdout(&out), "287082\n", "{}", stderr(&out));
    // A blank query (an unset variable) matches nothing, not everything.
    for blank in ["", " "] {
        let out = env.run(&["code", blank]);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr(&out).contains("name the account"),
            "{}",
            stderr(&out)
        );
    }
    // A colon in an issuer: "Acme:eu:bob" names Acme:eu's bob, however the
    // colons are spaced, and once Acme's eu:bob exists too, both.
    let added = env.run_with(
        &["add", "--issuer", "Acme:eu", "--account", "bob"],
        "JBSWY3DPEHPK3PXP\n",
    );
    assert!(added.status.success(), "{}", stderr(&added));
    for query in ["Acme:eu:bob", "acme:eu: bob"] {
        let out = env.run(&["code", query]);
        assert!(out.status.success(), "{query}: {}", stderr(&out));
    }
    let added = env.run_with(
        &["add", "--issuer", "Acme", "--account", "eu:bob"],
        "KRSXG5CTMVRXEZLU\n",
    );
    assert!(added.status.success(), "{}", stderr(&added));
    let out = env.run(&["code", "Acme:eu:bob"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("matches 2 accounts"),
        "{}",
        stderr(&out)
    );
    for one in ["eu:bob", "Acme:eu"] {
        let out = env.run(&["remove", one]);
        assert!(out.status.success(), "{one}: {}", stderr(&out));
    }
    let out = env.run(&["code", "nothing-like-it"]);
    assert_eq!(out.status.code(), Some(1));
    // A key or URI given where a name belongs (`--uri -` forgotten) is not
    // repeated: it is already in the shell's history, not also on stderr.
    for query in [
        "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP",
        "OTPAUTH://TOTP/A:B",
        "JBSWY3DPEHPK3PXP",
        "jbsw y3dp ehpk 3pxp",
        "jbsw-y3dp-ehpk-3pxp-jbsw-y3dp-ehpk-3pxp",
    ] {
        for command in ["code", "remove", "note"] {
            let out = env.run(&[command, query]);
            assert_eq!(out.status.code(), Some(1), "{command} {query}");
            let said = stderr(&out);
            assert!(
                said.starts_with(
                    "watchword-cli: no account matches, and what was given looks like a setup key"
                ),
                "{command} {query}: {said}"
            );
            assert!(!said.to_ascii_uppercase().contains("JBSW"), "{said}");
        }
    }
    // Names that only look long are still repeated.
    for name in ["nothing-like-it", "Amazon Seller Central"] {
        let out = env.run(&["code", name]);
        assert_eq!(
            stderr(&out),
            format!("watchword-cli: no account matches \"{name}\"; `watchword-cli list` shows them all\n")
        );
    }

    // Removing needs exactly one match; otherwise nothing is removed.
    let out = env.run(&["remove", "ama"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("matches 2 accounts"),
        "{}",
        stderr(&out)
    );
    let out = env.run(&["remove", "nothing-like-it"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "watchword-cli: no account matches \"nothing-like-it\"; `watchword-cli list` shows them all\n"
    );
    assert_eq!(
        stdout(&env.run(&["list"])).lines().count(),
        3,
        "nothing removed"
    );

    assert!(env.run(&["remove", "amazon seller"]).status.success());
    let out = env.run(&["list"]);
    assert_eq!(
        stdout(&out),
        "ISSUER  TYPE   ACCOUNT\nAmazon  totp   seller@example.com\n"
    );
}

#[test]
fn hotp_codes_advance_and_the_counter_persists() {
    let env = env("hotp");
    let out = env.run_with(
        &[
            "add",
            "--issuer",
            "Bank",
            "--type",
            "hotp",
            "--counter",
            "0",
        ],
        RFC_SHA1,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // RFC 4226 Appendix D, counters 0, 1, 2.
    for expected in ["755224\n", "287082\n", "359152\n"] {
        assert_eq!(stdout(&env.run(&["code", "bank"])), expected);
    }
}

#[test]
fn no_secret_service_is_named_and_nothing_is_created() {
    let env = env("no-service");
    let data = env.dir.path().join("never-made");
    let mut command = env.command(&["add", "--issuer", "X"]);
    command.env("WATCHWORD_DATA_DIR", &data).env(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/watchword-test-bus",
    );
    let out = spawn_fed(command, "JBSWY3DPEHPK3PXP\n")
        .wait_with_output()
        .expect("watchword-cli finishes");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "watchword-cli: No Secret Service is running: start gnome-keyring or KWallet \
         (or log in to a desktop session that provides one) and try again\n"
    );
    assert!(!data.exists(), "nothing was written");
}

/// Steam Guard's code, computed apart from Watchword: HMAC-SHA1 TOTP over
/// 30 s, the 31-bit value written as 5 characters of Steam's alphabet, least
/// significant first. Python's own hmac module, not our code.
const STEAM_PY: &str = r#"
import base64, hashlib, hmac, struct, sys
key = base64.b32decode(sys.argv[1] + "=" * (-len(sys.argv[1]) % 8))
mac = hmac.new(key, struct.pack(">Q", int(sys.argv[2]) // 30), hashlib.sha1).digest()
offset = mac[-1] & 15
value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
code = ""
for _ in range(5):
    code += "23456789BCDFGHJKMNPQRTVWXY"[value % 26]
    value //= 26
print(code)
"#;

fn steam_code(key: &str, unix: u64) -> String {
    let out = Command::new("python3")
        .args(["-c", STEAM_PY, key, &unix.to_string()])
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out).trim().to_owned()
}

#[test]
fn steam_codes_are_printed_as_steam_computes_them() {
    const KEY: &str = "JRZCL47CMXVOQMNPZR2F7J4RGI";
    let env = env("steam");
    let out = env.run_with(
        &["add", "-"],
        &format!("otpauth://steam/Boeing:Sophia?secret={KEY}&issuer=Boeing\n"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // Python's answer at 1700000000 is "747JR": pinned too, so that a broken
    // python3 cannot make both sides agree on nothing.
    assert_eq!(steam_code(KEY, 1_700_000_000), "747JR");
    for at in [59u64, 1_111_111_109, 1_700_000_000, 2_000_000_000] {
        let out = env.run(&["code", "Boeing", "--at", &at.to_string()]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(
            stdout(&out),
            format!("{}\n", steam_code(KEY, at)),
            "at {at}"
        );
    }
    let out = env.run(&["code", "Boeing", "--at", "1700000000", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["code"], steam_code(KEY, 1_700_000_000));
    assert_eq!(json["next"], steam_code(KEY, 1_700_000_010));
    assert_eq!(json["period"], 30);
}

/// Issue 13: the commands answer from the list in the data folder and read
/// only their own account's item, but the keychain stays the source of
/// truth: an item the list does not know (here added through a second data
/// folder on the same keychain) is still found by `code`, shown by `list`
/// and refused by `add` as a duplicate. Each of them meets a new such item.
#[test]
fn items_only_in_the_keychain_are_listed_found_and_not_added_twice() {
    let env = env("keychain-only");
    let out = env.run_with(&["add", "--issuer", "Amazon"], "JBSWY3DPEHPK3PXP");
    assert!(out.status.success(), "{}", stderr(&out));
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let add_elsewhere = |issuer: &str, kind: &str, key: &str| {
        let mut command = env.command(&["add", "--issuer", issuer, "--type", kind]);
        command.env("WATCHWORD_DATA_DIR", elsewhere.path());
        let out = spawn_fed(command, key).wait_with_output().expect("it ends");
        assert!(out.status.success(), "{}", stderr(&out));
    };

    add_elsewhere("ACME", "hotp", RFC_SHA1);
    // RFC 4226 Appendix D, counters 0 and 1: found, and stepped durably.
    assert_eq!(stdout(&env.run(&["code", "acme"])), "755224\n");
    assert_eq!(stdout(&env.run(&["code", "acme"])), "287082\n");
    add_elsewhere("Gitea", "totp", "JBSWY3DPEHPK3PXQ");
    let list = stdout(&env.run(&["list"]));
    assert!(list.contains("Gitea"), "list left out the item:\n{list}");
    add_elsewhere("Zed", "totp", "JBSWY3DPEHPK3PXR");
    let again = env.run_with(&["add", "--issuer", "zed"], "JBSWY3DPEHPK3PXR");
    assert!(!again.status.success(), "a duplicate was added");
    assert!(stderr(&again).contains("already"), "{}", stderr(&again));
    let out = env.run(&["remove", "acme"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "Removed ACME.\n");

    // The list knows "GitHub Enterprise"; "GitHub" is only in the keychain.
    // "github" is the latter (an exact match): the list alone must not
    // decide, or the wrong key would be removed for good.
    let out = env.run_with(&["add", "--issuer", "GitHub Enterprise"], RFC_SHA1);
    assert!(out.status.success(), "{}", stderr(&out));
    add_elsewhere("GitHub", "totp", "JBSWY3DPEHPK3PXS");
    let out = env.run(&["remove", "github"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "Removed GitHub.\n");
    let list = stdout(&env.run(&["list"]));
    assert!(
        list.contains("GitHub Enterprise"),
        "the wrong account went:\n{list}"
    );
}
