#[test]
fn shortcuts_are_modifiers_then_one_key() {
    for good in [
        "Ctrl+Alt+W",
        "Super+Shift+F12",
        "Alt+1",
        "Ctrl+Space",
        "Shift+Ctrl+PageDown",
    ] {
        assert!(valid_shortcut(good), "{good}");
    }
    for bad in [
        "",
        "W",
        "Shift+W",
        "Ctrl+Ctrl+W",
        "Ctrl+w",
        "Ctrl+F0",
        "Ctrl+F25",
        "Ctrl+F01",
        "Ctrl+",
        "+W",
        "Hyper+W",
        "Ctrl+Alt+WW",
        "Ctrl+Alt+É",
    ] {
        assert!(!valid_shortcut(bad), "{bad}");
    }
}

use super::*;

#[test]
fn round_trip_and_damaged_file_is_moved_aside() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(FILE_NAME);
    assert!(matches!(read(&path).expect("read"), Loaded::Missing));
    let meta = Metadata {
        version: 1,
        accounts: vec![MetaEntry {
            id: "0123456789abcdef".into(),
            issuer: "Amazon".into(),
            name: "me@example.com".into(),
            kind: "totp".into(),
            pinned: true,
            added: Some(1_700_000_000),
            item_path: Some("/org/freedesktop/secrets/collection/login/7".into()),
            groups: vec![Group::new("Work").expect("valid")],
            has_note: true,
            counter: Some(12),
            key_check: Some("3fa0".into()),
        }],
        last_backup: Some(1_700_000_100),
        keychain_instance: Some("0123/:1.5".into()),
        settings: Settings {
            hide_codes: true,
            theme: Theme::Dark,
            time_offset: -90,
            ..Settings::default()
        },
        auto_backup: Some(AutoBackup {
            folder: PathBuf::from("/media/stick/watchword"),
            keep: 20,
            pending: true,
            last_good: Some(1_700_000_200),
            last_suffix: Some(2),
            last_error: Some(BackupFailure {
                at: 1_700_000_300,
                code: "backup_folder_missing".into(),
                message: "the backup folder is missing".into(),
            }),
            tag: Some("0a1b2c3d".into()),
        }),
        missing: vec![MissingEntry {
            id: "fedcba9876543210".into(),
            issuer: "GitHub".into(),
            name: "me".into(),
            since: 1_700_000_400,
            backed_up: Some(1_700_000_200),
            backed_up_suffix: Some(2),
            counter: Some(7),
            key_check: Some("c01d".into()),
        }],
    };
    write(&path, &meta).expect("write");
    match read(&path).expect("read") {
        Loaded::Read(back) => assert_eq!(*back, meta),
        other => panic!("expected the file back, got {other:?}"),
    }
    // A backup part that does not read costs the backups' settings, not
    // the list.
    let mut value = serde_json::to_value(&meta).expect("a value");
    // So do values setup refuses: a keep of 0 would prune every backup,
    // a relative folder would follow the working folder.
    for part in [
        serde_json::json!({"folder": 5, "keep": "many"}),
        serde_json::json!({"folder": "/media/stick", "keep": 0}),
        serde_json::json!({"folder": "/media/stick", "keep": 1001}),
        serde_json::json!({"folder": "stick", "keep": 20}),
    ] {
        value["auto_backup"] = part.clone();
        std::fs::write(&path, value.to_string()).expect("write");
        match read(&path).expect("read") {
            Loaded::Read(back) => {
                assert_eq!(back.auto_backup, None, "{part}");
                assert_eq!(back.accounts, meta.accounts);
            }
            other => panic!("expected the file back, got {other:?}"),
        }
    }
    // A tag Watchword would not make (hand-edited) is dropped, the rest
    // kept: names under it would be read back by nothing.
    for (tag, kept) in [("0a1b2c3d", true), ("0A1B2C3D", false), ("../x", false)] {
        value["auto_backup"] =
            serde_json::json!({"folder": "/media/stick", "keep": 20, "tag": tag});
        std::fs::write(&path, value.to_string()).expect("write");
        match read(&path).expect("read") {
            Loaded::Read(back) => {
                let on = back.auto_backup.expect("backups still on");
                assert_eq!(on.tag.is_some(), kept, "{tag}");
            }
            other => panic!("expected the file back, got {other:?}"),
        }
    }
    std::fs::write(&path, b"{\"version\": 1, \"accounts\": [").expect("truncate");
    match read(&path).expect("read") {
        Loaded::Damaged(aside) => {
            assert!(aside.exists());
            assert!(!path.exists());
        }
        other => panic!("expected damaged, got {other:?}"),
    }
}

// Found by a second reader: a hand edit leaving `"groups": null`, or a
// pin or date of the wrong type, made the whole file damaged: it was
// moved aside and every group was lost with it.
#[test]
fn a_value_of_the_wrong_type_costs_that_value_not_the_list() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(FILE_NAME);
    std::fs::write(
        &path,
        r#"{"version": 1, "last_backup": "yesterday", "keychain_instance": 7,
            "accounts": [
              {"id": "0123456789abcdef", "issuer": "Amazon", "name": "me", "kind": "totp",
               "pinned": "yes", "added": null, "item_path": 12, "groups": null, "has_note": 1},
              {"id": "fedcba9876543210", "issuer": "Bank", "name": "me", "kind": "hotp",
               "pinned": true, "added": 1700000000, "groups": ["Money"]}
            ]}"#,
    )
    .expect("written");
    let Loaded::Read(meta) = read(&path).expect("read") else {
        panic!("the file was taken for damaged");
    };
    assert_eq!(meta.last_backup, None);
    assert_eq!(meta.keychain_instance, None);
    let first = &meta.accounts[0];
    assert_eq!(
        (first.pinned, first.added, first.item_path.as_deref()),
        (false, None, None)
    );
    assert!(first.groups.is_empty() && !first.has_note);
    let second = &meta.accounts[1];
    assert!(second.pinned);
    assert_eq!(second.added, Some(1_700_000_000));
    assert_eq!(second.groups, vec![Group::new("Money").expect("valid")]);
    assert!(path.exists(), "not moved aside");
}

/// Found by a second reader: one `missing` entry broken by a hand edit
/// emptied the whole list of missing accounts, and with it the mark that
/// keeps the backups holding their keys from being pruned.
#[test]
fn a_broken_missing_entry_costs_only_what_is_broken() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(FILE_NAME);
    std::fs::write(
        &path,
        r#"{"version": 1, "accounts": [],
            "missing": [
              {"id": "0123456789abcdef", "issuer": "Bank", "name": "me",
               "since": "2024-01-01", "backedUp": 1796164210, "backedUpSuffix": 2,
               "counter": "many"},
              "not an entry",
              {"id": "fedcba9876543210", "issuer": "Shop", "name": "me",
               "since": 1796164300, "backedUp": "yesterday", "counter": 9}
            ]}"#,
    )
    .expect("written");
    let Loaded::Read(meta) = read(&path).expect("read") else {
        panic!("the file was taken for damaged");
    };
    let missing: Vec<_> = meta
        .missing
        .iter()
        .map(|m| {
            (
                m.issuer.as_str(),
                m.since,
                m.backed_up,
                m.backed_up_suffix,
                m.counter,
            )
        })
        .collect();
    assert_eq!(
        missing,
        [
            ("Bank", 0, Some(1_796_164_210), Some(2), None),
            ("Shop", 1_796_164_300, None, None, Some(9))
        ]
    );
}
