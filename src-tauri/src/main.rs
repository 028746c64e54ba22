//! The Watchword desktop shell: window, state and the commands the web UI
//! calls. Command bodies are a few lines each; the logic lives in
//! watchword-core.

// Release builds on Windows must not open a console next to the window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod autobackup;
mod backup;
mod capture;
mod clipboard;
#[cfg(target_os = "linux")]
mod clipboard_gtk;
#[cfg(all(unix, not(target_os = "macos")))]
mod clipboard_x11;
mod closing;
mod commands;
#[cfg(target_os = "linux")]
mod crash;
mod enrol;
#[cfg(any(target_os = "macos", windows))]
mod hotkey_plugin;
#[cfg(all(unix, not(target_os = "macos")))]
mod hotkey_x11;
mod idle;
mod links;
mod lock;
mod lock_cover;
mod missing;
mod palette;
#[cfg(all(unix, not(target_os = "macos")))]
mod screenlock;
mod state;
#[cfg(target_os = "linux")]
mod tray;
mod window_state;

use tauri::{DragDropEvent, Manager, WindowEvent};

fn main() {
    // Before anything reads the command line (a link on it holds a key),
    // and before core dumps are turned off: that makes the process
    // undumpable, and /proc/self/mem, through which the command line is
    // wiped, then belongs to root (a user could no longer write it).
    let start_args = links::take_command_line();
    // Before anything holds a key: a crash must not write one to disk. Web
    // processes WebKit starts inherit the zero core size limit.
    if let Err(message) = watchword_core::hardening::disable_core_dumps() {
        eprintln!("watchword: warning: {message}");
    }
    let context = tauri::generate_context!();
    #[cfg(target_os = "linux")]
    match links::hand_over(&context.config().identifier, &start_args) {
        links::HandOver::Taken => return,
        links::HandOver::NoneRunning => {}
        links::HandOver::NotAnswering => {
            // The arguments are never repeated: a link holds a key.
            eprintln!("watchword: {}", links::NOT_ANSWERING);
            std::process::exit(1);
        }
    }
    // WebKitGTK composites through OpenGL, in software where there is no
    // GPU (a VM, Xvfb, some remote desktops) and unreliably on some drivers.
    // A list that repaints a few numbers once a second gains nothing from
    // it; without it the idle app uses about half the CPU. A value the user
    // set is kept.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
        // With nothing drawn through GL, GTK need not set up GLX when it
        // starts: on X11 that loads the GL driver (Mesa: with LLVM) on the
        // main thread before the window exists, 85 ms here. WebKit loads the
        // driver again for its own EGL display, but only once the page has
        // begun loading, in parallel with its web process. A value the user
        // set is kept.
        if std::env::var_os("GDK_GL").is_none() {
            std::env::set_var("GDK_GL", "disable");
        }
    }
    // WebKit's own allocator (libpas) runs a scavenger thread in each of
    // its processes that wakes after every burst of allocation, so after
    // every once-a-second repaint: about a fifth of the idle CPU here.
    // Its hardening (Gigacage, type-isolated heaps) is for pages that run
    // hostile scripts; Watchword's pages are its own and load nothing from
    // outside (see the content security policy in tauri.conf.json), so its
    // web processes use the C library's allocator. WebKit reads this before
    // its first allocation in the web and network processes, which inherit
    // it. Any value of `Malloc` the user set is kept, and
    // `WebKitMallocForceEnabled=1` turns libpas back on.
    #[cfg(target_os = "linux")]
    if std::env::var_os("Malloc").is_none() {
        std::env::set_var("Malloc", "1");
    }
    // Without a display GTK cannot start, and the window library would
    // panic with a backtrace: said plainly instead. (The window library
    // finds GTK already started here.)
    #[cfg(target_os = "linux")]
    if gtk::init().is_err() {
        eprintln!(
            "watchword: cannot start: no display could be opened (neither DISPLAY nor \
             WAYLAND_DISPLAY names one that answers); watchword-cli works without one"
        );
        std::process::exit(1);
    }
    let builder = tauri::Builder::default()
        // First, so a second launch hands over before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, args, cwd| {
            // The first is the program's name.
            // Empty ones come from a launch whose command line was wiped
            // before it could hand them over itself (links::hand_over).
            let given = args.len().saturating_sub(1);
            let args = links::Args::new(
                args.into_iter()
                    .skip(1)
                    .filter(|arg| !arg.is_empty())
                    .collect(),
            );
            if given > 0 && args.is_empty() {
                // Two launches at once: this one's arguments were wiped
                // before it could see that Watchword was starting.
                links::show_window(app);
                links::say(app, "Watchword was starting: open the link or file again.");
                return;
            }
            match links::launch_of(&args) {
                // Started for the tray (at login) while running: nothing to do.
                links::Launch::Tray => return,
                links::Launch::Quick => {
                    // Not in this callback: building a window inside an
                    // event handler deadlocks on Windows (WebView2).
                    let app = app.clone();
                    tauri::async_runtime::spawn(async move { palette::toggle(&app) });
                    return;
                }
                links::Launch::Window => {}
            }
            links::show_window(app);
            links::open(app, args, cwd.into());
        }))
        .plugin(
            tauri_plugin_window_state::Builder::new()
                .with_state_flags(window_state::FLAGS)
                .with_filename(window_state::file())
                // The palette opens centred, wherever it was last.
                .with_denylist(&[palette::LABEL])
                .build(),
        )
        .plugin(tauri_plugin_dialog::init());
    // The palette's shortcut: X11 is grabbed directly (hotkey_x11.rs).
    #[cfg(any(target_os = "macos", windows))]
    let builder = builder
        .plugin(hotkey_plugin::plugin())
        .manage(hotkey_plugin::Held::default());
    // The launch's own link or file waits for the page first, before a
    // second launch can hand one over (the single-instance plugin listens
    // from the build on): the page opens them in that order.
    let app_state = state::AppState::default();
    links::keep_for_page(
        &app_state,
        start_args.clone(),
        std::env::current_dir().unwrap_or_default(),
    );
    let app = builder
        .manage(app_state)
        .setup(move |app| {
            state::preload(app.handle().clone());
            state::watch_other_processes(app.handle().clone());
            // Locks with the screen and before sleep, when the lock is on.
            #[cfg(all(unix, not(target_os = "macos")))]
            screenlock::watch(app.handle().clone());
            autobackup::start(app.handle().clone());
            idle::start(app.handle().clone());
            palette::hold_from_settings(app.handle().clone());
            // The window starts hidden (tauri.conf.json) so that
            // `watchword --quick` shows the palette alone.
            let args = start_args;
            // In the tray alone (at login): the window waits to be asked
            // for, or shows if no tray takes the icon.
            let launch = links::launch_of(&args);
            let tray_only = launch == links::Launch::Tray && cfg!(target_os = "linux");
            #[cfg(target_os = "linux")]
            tray::start(app.handle().clone(), tray_only);
            #[cfg(target_os = "linux")]
            if let Some(window) = app.get_webview_window("main") {
                crash::reload_after_a_crash(&window);
            }
            if launch == links::Launch::Quick {
                palette::toggle(app.handle());
            } else if !tray_only {
                if let Some(window) = app.get_webview_window("main") {
                    let _ = window.show();
                }
            }
            Ok(())
        })
        .on_window_event(|window, event| {
            if window.label() == palette::LABEL {
                return;
            }
            match event {
                // Files dropped on the window are read here, never by the page.
                WindowEvent::DragDrop(DragDropEvent::Drop { paths, .. }) if !paths.is_empty() => {
                    enrol::sources::files_dropped(window.app_handle(), paths.clone());
                }
                // Coming back to the window after using the CLI: show it now.
                WindowEvent::Focused(true) => {
                    let app = window.app_handle().clone();
                    tauri::async_runtime::spawn_blocking(move || state::refresh_from_disk(&app));
                }
                // Into the tray, asked once, or quit (closing.rs): never
                // left running with no window and no tray to reach it.
                WindowEvent::CloseRequested { api, .. } => {
                    api.prevent_close();
                    closing::window_closed(window.app_handle());
                }
                WindowEvent::Moved(_) | WindowEvent::Resized(_) => {
                    window_state::save_soon(window.app_handle());
                }
                _ => {}
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::start_view,
            commands::list_accounts,
            commands::codes::get_codes,
            commands::codes::generate_hotp,
            commands::codes::copy_code,
            commands::edit::preview_account,
            commands::edit::add_account,
            commands::edit::remove_account,
            commands::edit::set_pinned,
            commands::edit::reorder_accounts,
            commands::edit::rename_account,
            commands::edit::reveal_note,
            commands::edit::set_note,
            commands::edit::change_groups,
            commands::settings::get_settings,
            commands::reveal::account_qr,
            commands::reveal::reveal_key,
            commands::settings::set_settings,
            enrol::sources::paste_clipboard,
            enrol::sources::scan_screen,
            enrol::sources::open_images,
            enrol::sources::import_files,
            enrol::unlock_backup,
            enrol::sources::restore_newest,
            enrol::sources::restore_missing,
            missing::missing_accounts,
            missing::forget_missing,
            enrol::sources::restore_pick,
            enrol::cancel_preview_work,
            enrol::pending_enrolment,
            enrol::confirm_enrolment,
            enrol::discard_enrolment,
            backup::backup_status,
            backup::save_backup,
            backup::google_export,
            autobackup::auto_backup_status,
            autobackup::pick_backup_folder,
            autobackup::password_strength,
            autobackup::setup_auto_backup,
            autobackup::auto_backup_now,
            autobackup::auto_backup_off,
            lock::lock_status,
            links::open_start_args,
            palette::hide_palette,
            palette::show_main_window,
            lock::locked_names,
            lock::unlock,
            closing::answer_close_to_tray,
            closing::close_question_cancelled,
            lock::lock_now,
            idle::note_use,
            lock_cover::lock_shown,
            lock::turn_lock_on,
            lock::turn_lock_off,
            lock::change_lock_password,
        ])
        .build(context);
    let app = match app {
        Ok(app) => app,
        // Another Watchword took the name between the look in
        // links::hand_over and this launch's own claim, and would not take
        // the arguments (it is quitting): said in the same words, and its
        // error (which names no argument) is not needed.
        Err(tauri::Error::PluginInitialization(plugin, _)) if plugin == "single-instance" => {
            eprintln!("watchword: {}", links::NOT_ANSWERING);
            std::process::exit(1);
        }
        Err(error) => {
            eprintln!("watchword: cannot start: {error} (a display and WebKitGTK are needed)");
            std::process::exit(1);
        }
    };
    app.run(|app, event| {
        // A backup still waiting for a quiet moment is written first.
        if let tauri::RunEvent::Exit = event {
            // A code on the clipboard whose clear is still due goes now:
            // its timer dies with the process.
            app.state::<state::AppState>().clipboard.forget_at_exit();
            autobackup::flush(app);
        }
    });
}
