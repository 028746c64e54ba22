//! The Watchword desktop shell: window, state and the commands the web UI
//! calls. Command bodies are a few lines each; the logic lives in
//! watchword-core.

// Release builds on Windows must not open a console next to the window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod backup;
mod capture;
mod clipboard;
mod commands;
mod enrol;
mod state;

use tauri::{DragDropEvent, Manager, WindowEvent};

fn main() {
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(state::AppState::default())
        .on_window_event(|window, event| {
            // Files dropped on the window are read here, never by the page.
            if let WindowEvent::DragDrop(DragDropEvent::Drop { paths, .. }) = event {
                if !paths.is_empty() {
                    enrol::files_dropped(window.app_handle(), paths.clone());
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::list_accounts,
            commands::load_accounts,
            commands::get_codes,
            commands::generate_hotp,
            commands::copy_code,
            commands::preview_account,
            commands::add_account,
            commands::remove_account,
            commands::set_pinned,
            commands::reorder_accounts,
            commands::rename_account,
            commands::get_settings,
            commands::set_settings,
            enrol::paste_clipboard,
            enrol::scan_screen,
            enrol::open_images,
            enrol::import_files,
            enrol::unlock_backup,
            enrol::pending_enrolment,
            enrol::confirm_enrolment,
            enrol::discard_enrolment,
            backup::backup_status,
            backup::save_backup,
            backup::google_export,
        ])
        .run(tauri::generate_context!())
        .expect("the Tauri runtime starts (a display and WebKitGTK are available)");
}
