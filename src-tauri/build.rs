//! Generates the permission set for exactly the commands the app exposes, so
//! the capability file can grant them one by one.

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(&[
        "list_accounts",
        "start_view",
        "get_codes",
        "generate_hotp",
        "copy_code",
        "preview_account",
        "add_account",
        "remove_account",
        "set_pinned",
        "reorder_accounts",
        "rename_account",
        "reveal_note",
        "set_note",
        "change_groups",
        "get_settings",
        "account_qr",
        "reveal_key",
        "set_settings",
        "paste_clipboard",
        "scan_screen",
        "open_images",
        "import_files",
        "unlock_backup",
        "cancel_unlock",
        "pending_enrolment",
        "confirm_enrolment",
        "discard_enrolment",
        "backup_status",
        "save_backup",
        "google_export",
        "auto_backup_status",
        "pick_backup_folder",
        "password_strength",
        "setup_auto_backup",
        "auto_backup_now",
        "auto_backup_off",
        "restore_newest",
        "restore_pick",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri build configuration is valid");
}
