//! What the quick-copy palette costs (issue 12): with Watchword running
//! (50 accounts), the time from running `watchword --quick` (what a
//! desktop's own shortcut runs) to the palette's window mapped on the
//! display, the first time (the window is made) and after (it is only
//! shown); the same from a press of Watchword's global shortcut (X11); and
//! what having it, hidden, costs the whole process tree in memory and CPU.
//! Real parts: a release build, gnome-keyring, Xvfb. Prints figures;
//! asserts nothing about time. Run through `scripts/bench_palette.sh`.

use std::process::{Child, Command};
use std::time::{Duration, Instant};
use watchword_e2e::{
    app_binary, clock_ticks_per_second, cpu_ticks, median, pss_kib, seed_accounts, wait_first_code,
    Profile, DATA_DIR_VAR, SERVICE_VAR,
};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    AtomEnum, ChangeWindowAttributesAux, ConnectionExt as _, EventMask, Window,
};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;

const TITLE: &str = "Watchword: quick copy";

/// `watchword --quick` with the profile's environment, not waited for.
fn quick(profile: &Profile) -> Child {
    Command::new(app_binary())
        .arg("--quick")
        .env(DATA_DIR_VAR, profile.data_dir())
        .env(SERVICE_VAR, profile.service())
        .spawn()
        .expect("the second launch starts")
}

/// A press of the default global shortcut (Ctrl+Alt+W), through xdotool
/// as in the palette's tests; not waited for.
fn press(_profile: &Profile) -> Child {
    Command::new("xdotool")
        .args(["key", "ctrl+alt+w"])
        .spawn()
        .expect("xdotool runs")
}

/// Opens and closes the palette `times` times with `how`; the times to on
/// screen, in ms.
fn openings(
    conn: &RustConnection,
    profile: &Profile,
    how: fn(&Profile) -> Child,
    times: usize,
) -> Vec<f64> {
    let mut opens = Vec::new();
    for _ in 0..times {
        let started = Instant::now();
        let mut opener = how(profile);
        let shown = wait_mapped(conn, true);
        opens.push(shown.duration_since(started).as_secs_f64() * 1000.0);
        let _ = opener.wait();
        // Settled before it goes again: the page had its moment.
        std::thread::sleep(Duration::from_millis(500));
        let mut closer = how(profile);
        wait_mapped(conn, false);
        let _ = closer.wait();
        std::thread::sleep(Duration::from_millis(300));
    }
    opens
}

/// The window's title, as the window manager reads it.
fn title(conn: &RustConnection, window: Window) -> String {
    let name = conn
        .intern_atom(false, b"_NET_WM_NAME")
        .ok()
        .and_then(|c| c.reply().ok())
        .map_or(u32::from(AtomEnum::WM_NAME), |r| r.atom);
    conn.get_property(false, window, name, AtomEnum::ANY, 0, 256)
        .ok()
        .and_then(|c| c.reply().ok())
        .map(|r| String::from_utf8_lossy(&r.value).into_owned())
        .unwrap_or_default()
}

/// Waits for the palette to be mapped (`true`) or unmapped; returns when.
fn wait_mapped(conn: &RustConnection, mapped: bool) -> Instant {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        assert!(Instant::now() < deadline, "the palette never changed");
        let Some(event) = conn.poll_for_event().expect("the X connection") else {
            std::thread::sleep(Duration::from_micros(200));
            continue;
        };
        let at = Instant::now();
        let window = match (&event, mapped) {
            (Event::MapNotify(e), true) => e.window,
            (Event::UnmapNotify(e), false) => e.window,
            _ => continue,
        };
        if title(conn, window) == TITLE {
            return at;
        }
    }
}

/// Percent of one core the processes used over the next 30 s.
fn idle_cpu(pids: &[u32]) -> f64 {
    let tick = clock_ticks_per_second();
    let before: u64 = cpu_ticks(pids).iter().map(|(_, t)| t).sum();
    let window = Duration::from_secs(30);
    std::thread::sleep(window);
    let after: u64 = cpu_ticks(pids).iter().map(|(_, t)| t).sum();
    (after - before) as f64 / tick / window.as_secs_f64() * 100.0
}

fn main() {
    println!("Watchword's quick-copy palette (release build, Xvfb, gnome-keyring, 50 accounts)");
    let profile = Profile::new("bench_palette");
    seed_accounts(&profile, 50);
    let app = profile.launch();
    wait_first_code(&app);
    std::thread::sleep(Duration::from_secs(3));
    let pss_before = pss_kib(&app.app_processes());
    let idle_before = idle_cpu(&app.app_processes());

    let (conn, screen) = x11rb::connect(None).expect("the X display");
    let root = conn.setup().roots[screen].root;
    conn.change_window_attributes(
        root,
        &ChangeWindowAttributesAux::new().event_mask(EventMask::SUBSTRUCTURE_NOTIFY),
    )
    .expect("listen on the root window");
    conn.flush().expect("flush");

    let webs_before = app.web_processes().len();
    let mut opens = openings(&conn, &profile, quick, 8);
    let first = opens.remove(0);
    println!(
        "`watchword --quick` to the palette on screen: first {first:.0} ms (its window made), \
         then median {:.0} ms, worst {:.0} ms of {} openings",
        median(&mut opens),
        opens.iter().copied().fold(0.0, f64::max),
        opens.len()
    );
    // The shortcut is held once the store is open, long before this.
    let mut pressed = openings(&conn, &profile, press, 7);
    println!(
        "a press of Ctrl+Alt+W (xdotool) to the palette on screen: median {:.0} ms, worst {:.0} ms of {} openings",
        median(&mut pressed),
        pressed.iter().copied().fold(0.0, f64::max),
        pressed.len()
    );

    std::thread::sleep(Duration::from_secs(3));
    let pids = app.app_processes();
    println!(
        "memory (PSS, whole process tree): {:.0} MB before the first opening, {:.0} MB with the palette made and hidden; \
         WebKit web processes: {webs_before} before, {} after",
        pss_before as f64 / 1024.0,
        pss_kib(&pids) as f64 / 1024.0,
        app.web_processes().len()
    );
    println!(
        "idle CPU over 30 s (whole process tree): {idle_before:.2} % of one core before the first opening, \
         {:.2} % with the palette made and hidden",
        idle_cpu(&pids)
    );
    app.quit();
}
