//! The Watchword desktop shell: window, state and the commands the web UI
//! calls. Command bodies are a few lines each; the logic lives in
//! watchword-core.

// Release builds on Windows must not open a console next to the window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod clipboard;
mod commands;
mod state;

fn main() {
    tauri::Builder::default()
        .manage(state::AppState::default())
        .invoke_handler(tauri::generate_handler![
            commands::list_accounts,
            commands::load_accounts,
            commands::get_codes,
            commands::generate_hotp,
            commands::copy_code,
            commands::preview_account,
            commands::add_account,
            commands::remove_account,
        ])
        .run(tauri::generate_context!())
        .expect("the Tauri runtime starts (a display and WebKitGTK are available)");
}
