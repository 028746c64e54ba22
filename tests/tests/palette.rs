//! End-to-end: the quick-copy palette (issue 12). `watchword --quick`, as a
//! desktop's own shortcut runs it, opens the palette beside the running
//! window; typing and Enter copy a code to the real clipboard; Esc and a
//! second `--quick` close it; locked, it offers only to show the window.
//! Run through scripts/test.sh.

use std::process::Command;
use watchword_e2e::{hotp_code, wait_clipboard, App, Profile, KEY_ENTER, KEY_ESCAPE};

const GITHUB: &str = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U";
const GITLAB: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const BANK: &str = "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TF";
const TITLE: &str = "Watchword: quick copy";

/// Whether a window titled `title` is mapped on the display.
fn on_screen(title: &str) -> Result<bool, String> {
    let output = Command::new("xdotool")
        .args(["search", "--onlyvisible", "--name", &format!("^{title}$")])
        .output()
        .map_err(|e| format!("xdotool: {e}"))?;
    Ok(!String::from_utf8_lossy(&output.stdout).trim().is_empty())
}

fn wait_palette(app: &App<'_>, shown: bool) {
    app.wait_until(
        &format!("the palette on screen = {shown}"),
        || match on_screen(TITLE) {
            Ok(now) if now == shown => Ok(()),
            other => Err(format!("{other:?}")),
        },
    );
}

/// `watchword --quick`, as the desktop's shortcut runs it.
fn quick(profile: &Profile) {
    let status = profile.launch_again_with(&["--quick"]);
    assert!(status.success(), "the second launch hands over: {status}");
}

/// The palette's list as shown, once it reads `expected`.
fn wait_listed(app: &App<'_>, expected: &[&str]) {
    app.wait_until(&format!("the palette to list {expected:?}"), || {
        let shown = app
            .try_execute(
                "return Array.from(document.querySelectorAll('#quick-list li'), (li) => li.textContent);",
                serde_json::json!([]),
            )
            .map_err(|e| e.to_string())?;
        let shown: Vec<String> = serde_json::from_value(shown).map_err(|e| e.to_string())?;
        if shown == expected {
            Ok(())
        } else {
            Err(format!("{shown:?}"))
        }
    });
}

#[test]
fn the_palette_copies_a_code_in_a_few_keystrokes() {
    let profile = Profile::new("palette");
    profile.cli_add(&["--issuer", "GitHub", "--account", "octocat"], GITHUB);
    profile.cli_add(&["--issuer", "GitLab", "--account", "tanuki"], GITLAB);
    profile.cli_add(
        &["--issuer", "Bank", "--account", "me", "--type", "hotp"],
        BANK,
    );
    let app = profile.launch();
    app.wait_rows(3);
    let main = app.current_window();
    assert!(!on_screen(TITLE).expect("xdotool"), "no palette at start");

    quick(&profile);
    wait_palette(&app, true);
    let palette = app.wait_other_window(&main);
    app.switch_to_window(&palette);
    wait_listed(&app, &["GitHub · octocat", "GitLab · tanuki", "Bank · me"]);
    assert_eq!(app.focused(), "input#quick-search");
    // In the main window's web process: no second one (about 34 MB).
    assert_eq!(
        app.web_processes().len(),
        1,
        "the palette's page has a web process of its own"
    );
    let page = app.execute("return document.body.innerText;", serde_json::json!([]));
    assert!(
        !page
            .as_str()
            .unwrap_or_default()
            .chars()
            .any(|c| c.is_ascii_digit()),
        "a code in the palette: {page}"
    );

    // A few letters, the second match, Enter: copied, and the palette goes.
    app.press_keys("git");
    wait_listed(&app, &["GitHub · octocat", "GitLab · tanuki"]);
    let copy = profile.expect_totp_copy(GITLAB);
    app.press_keys(&format!("{}{KEY_ENTER}", watchword_e2e::KEY_DOWN));
    wait_palette(&app, false);
    copy.wait();

    // Again: the search starts empty; an HOTP account gets a new code.
    quick(&profile);
    wait_palette(&app, true);
    wait_listed(&app, &["GitHub · octocat", "GitLab · tanuki", "Bank · me"]);
    app.press_keys(&format!("bank{KEY_ENTER}"));
    wait_palette(&app, false);
    wait_clipboard(&[hotp_code(BANK, 6, 0)]);
    // The code went to the clipboard and the main window, never to the
    // palette's page, which may not even ask for one.
    let asked = app.execute(
        "return window.__TAURI__.core.invoke('generate_hotp', { id: 'any' })
           .then(() => 'allowed', (error) => String(error));",
        serde_json::json!([]),
    );
    assert!(
        asked
            .as_str()
            .is_some_and(|said| said.contains("not allowed")),
        "{asked}"
    );
    app.switch_to_window(&main);
    let bank = app.wait_row("Bank", "me");
    app.wait_until("the main window to show the palette's HOTP code", || {
        let shown = app
            .try_text(&bank.css("button.code"))
            .map_err(|e| e.to_string())?;
        if watchword_e2e::digits_of(&shown) == hotp_code(BANK, 6, 0) {
            Ok(())
        } else {
            Err(shown)
        }
    });
    app.switch_to_window(&palette);

    // Esc closes it; so does a second --quick while it is open.
    quick(&profile);
    wait_palette(&app, true);
    app.press_keys(&KEY_ESCAPE.to_string());
    wait_palette(&app, false);
    quick(&profile);
    wait_palette(&app, true);
    quick(&profile);
    wait_palette(&app, false);

    // "Lock now" from the palette (the lock on): the window locks too.
    profile.cli_with_input(&["lock", "on", "--password-stdin"], Some("pw\n"));
    app.switch_to_window(&main);
    app.wait_locked(true);
    app.unlock("pw");
    app.wait_rows(3);
    app.switch_to_window(&palette);
    let ready = readiness(&app);
    quick(&profile);
    wait_palette(&app, true);
    wait_ready(&app, ready);
    app.press_keys("lock");
    wait_listed(&app, &["Lock now"]);
    app.press_keys(&KEY_ENTER.to_string());
    wait_palette(&app, false);
    app.switch_to_window(&main);
    app.wait_locked(true);

    // Locked: no names in the palette, only the way to the window.
    quick(&profile);
    wait_palette(&app, true);
    app.switch_to_window(&palette);
    wait_listed(&app, &["Show Watchword to unlock it"]);
    // The list may come from the lock's event before the palette's own
    // look at the store: wait for what it says once that look is done.
    app.wait_until("“Watchword is locked.”", || {
        match app.try_text("#quick-status") {
            Ok(text) if text == "Watchword is locked." => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    wait_listed(&app, &["Show Watchword to unlock it"]);
    app.press_keys(&KEY_ENTER.to_string());
    wait_palette(&app, false);
    app.quit();
}

#[test]
fn quick_at_start_shows_the_palette_alone() {
    let profile = Profile::new("palette_start");
    profile.cli_add(&["--issuer", "GitHub", "--account", "octocat"], GITHUB);
    let app = profile.launch_with_args(&["--quick"]);
    wait_palette(&app, true);
    // The main window's page starts as it always does, hidden: once it has
    // loaded its list (nothing left of its start-up to show it later), the
    // window is still not on screen.
    let main = app.wait_until("the main window's page", || {
        let handles = app.try_window_handles().map_err(|e| e.to_string())?;
        for handle in &handles {
            app.switch_to_window(handle);
            if app.try_count("#accounts").map_err(|e| e.to_string())? == 1 {
                return Ok(handle.clone());
            }
        }
        Err(format!("no list in the windows {handles:?}"))
    });
    app.switch_to_window(&main);
    app.wait_loaded();
    app.wait_rows(1);
    assert_eq!(on_screen("Watchword"), Ok(false), "the main window shown");
    assert_eq!(on_screen(TITLE), Ok(true), "the palette gone");
    app.quit();
}

/// Presses `keys` (xdotool's spelling, "ctrl+alt+w") on the X display, as
/// a person would, wherever the focus is.
fn x_key(keys: &str) {
    let status = Command::new("xdotool")
        .args(["key", keys])
        .status()
        .expect("xdotool runs");
    assert!(status.success(), "xdotool key {keys}: {status}");
}

/// Presses `keys` until the palette is on screen. The app takes the
/// shortcut once its store is open: until then a press goes to the focused
/// window. A press is repeated only after a few seconds without the
/// palette, and the wait ends the moment it is seen.
fn open_with(app: &App<'_>, keys: &str) {
    let mut last: Option<std::time::Instant> = None;
    app.wait_until(&format!("the palette opened with {keys}"), || {
        if on_screen(TITLE)? {
            return Ok(());
        }
        if last.is_none_or(|at| at.elapsed() > std::time::Duration::from_secs(3)) {
            x_key(keys);
            last = Some(std::time::Instant::now());
        }
        Err("not on screen yet".to_owned())
    });
}

#[test]
fn a_global_shortcut_opens_the_palette_and_settings_change_it() {
    let profile = Profile::new("palette_shortcut");
    profile.cli_add(&["--issuer", "GitHub", "--account", "octocat"], GITHUB);
    let app = profile.launch();
    app.wait_rows(1);

    // The default, Ctrl+Alt+W: opens it, and closes it again.
    open_with(&app, "ctrl+alt+w");
    x_key("ctrl+alt+w");
    wait_palette(&app, false);

    // Settings: pressing Ctrl+Alt+K in the field makes it the shortcut.
    app.open_settings();
    assert_eq!(app.property("#set-quick", "value"), "Ctrl+Alt+W");
    app.click("#set-quick");
    app.press_combo(&[watchword_e2e::KEY_CONTROL, watchword_e2e::KEY_ALT], 'k');
    app.wait_saved_setting("quickShortcut", &serde_json::json!("Ctrl+Alt+K"));
    assert_eq!(app.property("#set-quick", "value"), "Ctrl+Alt+K");
    app.click("#settings-done");
    // Saved only once held: the new one opens it at the first press.
    x_key("ctrl+alt+k");
    wait_palette(&app, true);
    x_key("ctrl+alt+k");
    wait_palette(&app, false);
    // The old one is let go: the X server lets another client (this test)
    // grab it, while the new one is the app's and it refuses.
    let (conn, screen) = x11rb::connect(None).expect("the X display");
    wait_let_go(&app, &conn, screen, b'w');
    assert!(
        !can_grab_key(&conn, screen, b'k'),
        "Ctrl+Alt+K is not held, though it is the shortcut"
    );
    // And it reaches the window instead.
    x_key("ctrl+alt+w");
    x_key("ctrl+alt+k");
    wait_palette(&app, true);
    x_key("ctrl+alt+k");
    wait_palette(&app, false);

    // Another program holds Ctrl+Alt+J: refused, said, and Ctrl+Alt+K stays.
    let (other, other_screen) = x11rb::connect(None).expect("the X display");
    grab_key(&other, other_screen, b'j');
    app.open_settings();
    app.click("#set-quick");
    app.press_combo(&[watchword_e2e::KEY_CONTROL, watchword_e2e::KEY_ALT], 'j');
    let said = app.wait_until("the refusal", || match app.try_text("#settings-error") {
        Ok(text) if text.contains("cannot be used") => Ok(text),
        other => Err(format!("{other:?}")),
    });
    assert!(said.contains("Ctrl+Alt+J"), "{said}");
    app.click("#settings-done");
    app.wait_saved_setting("quickShortcut", &serde_json::json!("Ctrl+Alt+K"));
    x_key("ctrl+alt+k");
    wait_palette(&app, true);
    x_key("ctrl+alt+k");
    wait_palette(&app, false);
    assert!(
        !can_grab_key(&conn, screen, b'k'),
        "Ctrl+Alt+K let go after the refused change"
    );
    drop(other);

    // Turned off: nothing held, and the saved value says so.
    app.open_settings();
    app.click("#set-quick-on");
    app.wait_saved_setting("quickShortcut", &serde_json::Value::Null);
    assert!(!app.enabled("#set-quick"));
    wait_let_go(&app, &conn, screen, b'k');
    // Let go: the press reaches the window, and --quick opens the palette
    // (it would close it, were the press still the palette's).
    x_key("ctrl+alt+k");
    quick(&profile);
    wait_palette(&app, true);
    app.quit();
}

/// Grabs Ctrl+Alt+`letter` on the screen's root window through `conn`, as another program
/// holding that shortcut does, for as long as `conn` is open.
fn grab_key(conn: &x11rb::rust_connection::RustConnection, screen: usize, letter: u8) {
    try_grab_code(conn, screen, key_for(conn, letter)).expect("the grab");
}

/// Whether `conn` may grab Ctrl+Alt+`letter` (exactly those two modifiers,
/// no lock keys) on the screen's root window now, let go again at once:
/// false when the X server refuses it (BadAccess: another client holds it).
fn can_grab_key(conn: &x11rb::rust_connection::RustConnection, screen: usize, letter: u8) -> bool {
    can_grab_code(conn, screen, key_for(conn, letter))
}

/// The key code that types `letter` (its first keysym) on this display.
fn key_for(conn: &x11rb::rust_connection::RustConnection, letter: u8) -> u8 {
    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::ConnectionExt;
    let setup = conn.setup();
    let (first, last) = (setup.min_keycode, setup.max_keycode);
    let map = conn
        .get_keyboard_mapping(first, last - first + 1)
        .expect("request")
        .reply()
        .expect("the keyboard map");
    let per = usize::from(map.keysyms_per_keycode);
    let index = map
        .keysyms
        .chunks(per)
        .position(|syms| syms.first() == Some(&u32::from(letter)))
        .expect("a key for the letter");
    first + u8::try_from(index).expect("a key code")
}

/// Asks for a passive grab of Ctrl+Alt (exactly those two modifiers) on
/// `keycode` on the screen's root window through `conn`; the X server's
/// answer, BadAccess when another client holds that key.
fn try_grab_code(
    conn: &x11rb::rust_connection::RustConnection,
    screen: usize,
    keycode: u8,
) -> Result<(), x11rb::errors::ReplyError> {
    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::{ConnectionExt, GrabMode, ModMask};
    let root = conn.setup().roots[screen].root;
    let mods = ModMask::CONTROL | ModMask::M1;
    conn.grab_key(false, root, mods, keycode, GrabMode::ASYNC, GrabMode::ASYNC)
        .expect("request")
        .check()?;
    conn.flush().expect("flush");
    Ok(())
}

/// Waits until the app has let go of Ctrl+Alt+`letter`: this test's own
/// X connection `conn` may grab it (and lets go of it again).
fn wait_let_go(
    app: &App<'_>,
    conn: &x11rb::rust_connection::RustConnection,
    screen: usize,
    letter: u8,
) {
    let key = char::from(letter).to_ascii_uppercase();
    app.wait_until(&format!("the app to let go of Ctrl+Alt+{key}"), || {
        if can_grab_key(conn, screen, letter) {
            Ok(())
        } else {
            Err("still held (BadAccess)".to_owned())
        }
    });
}

/// The palette page's counter `name` (`ready`: made ready, emptied and
/// filled again; `shown`: emptied for a showing), 0 before its first.
fn counter(app: &App<'_>, name: &str) -> u64 {
    app.execute(
        "return Number(document.body.dataset[arguments[0]] ?? 0);",
        serde_json::json!([name]),
    )
    .as_u64()
    .unwrap_or(0)
}

/// How many times the palette's page has been made ready since it was
/// made.
fn readiness(app: &App<'_>) -> u64 {
    counter(app, "ready")
}

/// Waits until the palette was made ready again after `before`: what is
/// typed next goes into the new search, not the one it empties.
fn wait_ready(app: &App<'_>, before: u64) {
    app.wait_until("the palette ready again", || {
        let now = app
            .try_execute(
                "return Number(document.body.dataset.ready ?? 0);",
                serde_json::json!([]),
            )
            .map_err(|e| e.to_string())?;
        match now.as_u64() {
            Some(now) if now > before => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
}

/// How many times the palette's page has been emptied for a showing.
fn showings(app: &App<'_>) -> u64 {
    counter(app, "shown")
}

/// Starts Watchword while another process holds the store (its first
/// read of the keychain, and with it every list, waits until the file
/// returned is dropped) and opens the palette, switched to, once its page
/// has been emptied for its showing.
fn palette_with_the_store_held(profile: &Profile) -> (App<'_>, std::fs::File) {
    let held =
        std::fs::File::open(profile.data_dir().join("accounts.lock")).expect("the lock file");
    held.lock().expect("the store's lock, held by the test");
    let app = profile.launch();
    let main = app.current_window();
    quick(profile);
    wait_palette(&app, true);
    let palette = app.wait_other_window(&main);
    app.switch_to_window(&palette);
    app.wait_until("the palette emptied for its showing", || {
        match showings(&app) {
            0 => Err("not yet".to_owned()),
            _ => Ok(()),
        }
    });
    (app, held)
}

// Found by a second reader: an Enter typed ahead of the list and then
// cancelled (Esc) still copied once the list came, overwriting the
// clipboard, and for a counter-based account using a code up.
#[test]
fn an_enter_typed_ahead_and_cancelled_does_nothing() {
    let profile = Profile::new("palette_cancelled");
    profile.cli_add(
        &["--issuer", "Bank", "--account", "me", "--type", "hotp"],
        BANK,
    );
    let (app, held) = palette_with_the_store_held(&profile);
    app.press_keys(&format!("bank{KEY_ENTER}{KEY_ESCAPE}"));
    wait_palette(&app, false);
    assert_eq!(
        readiness(&app),
        0,
        "the list came before the store was let go"
    );
    drop(held);
    // Ready once the list has come: a queued Enter would have acted then.
    wait_ready(&app, 0);
    assert_eq!(counter(&app, "runs"), 0, "the cancelled Enter acted");
    assert!(
        profile
            .cli(&["export", "--format", "uris"])
            .contains("counter=0"),
        "no code was used up"
    );
    app.quit();
}

// Found by a second reader: the palette acted at once on the list it
// showed while the fresh one was still coming (the store busy: an import,
// a backup, or the keychain read at launch), so "gitl⏎" typed as it came
// did nothing or copied from an old list; an input method's Enter,
// confirming a word, copied too.
#[test]
fn what_is_typed_before_the_list_comes_acts_on_the_fresh_list() {
    let profile = Profile::new("palette_ahead");
    profile.cli_add(&["--issuer", "GitHub", "--account", "octocat"], GITHUB);
    profile.cli_add(&["--issuer", "GitLab", "--account", "tanuki"], GITLAB);
    let (app, held) = palette_with_the_store_held(&profile);
    let copy = profile.expect_totp_copy(GITLAB);
    app.press_keys(&format!("gitl{KEY_ENTER}"));
    assert_eq!(
        readiness(&app),
        0,
        "the list came before the store was let go: the test proves nothing"
    );
    drop(held);
    wait_palette(&app, false);
    copy.wait();

    // An input method composing a word keeps its Enter.
    let ready = readiness(&app);
    quick(&profile);
    wait_palette(&app, true);
    wait_ready(&app, ready);
    wait_listed(&app, &["GitHub · octocat", "GitLab · tanuki"]);
    let taken = app.execute(
        "const e = new KeyboardEvent('keydown',
           { key: 'Enter', keyCode: 229, isComposing: true, bubbles: true, cancelable: true });
         document.getElementById('quick-search').dispatchEvent(e);
         return e.defaultPrevented;",
        serde_json::json!([]),
    );
    assert_eq!(
        taken,
        serde_json::json!(false),
        "Enter taken from the input method"
    );
    app.press_keys(&KEY_ESCAPE.to_string());
    wait_palette(&app, false);
    app.quit();
}

/// The palette's page shares the main window's web process: when that
/// process ends (a crash, the out-of-memory killer), both pages are loaded
/// again, and the palette, still on screen, finds and copies a code.
/// WebDriver's session ends with the process, so the palette is typed into
/// on the X display and judged by the real clipboard.
#[test]
fn the_palette_works_again_after_its_web_process_ends() {
    let profile = Profile::new("palette_crash");
    // GitLab first: whatever part of a search arrives, Enter copies its code
    // or nothing.
    profile.cli_add(&["--issuer", "GitLab", "--account", "tanuki"], GITLAB);
    profile.cli_add(&["--issuer", "GitHub", "--account", "octocat"], GITHUB);
    let app = profile.launch();
    app.wait_rows(2);
    let main = app.current_window();
    quick(&profile);
    wait_palette(&app, true);
    let palette = app.wait_other_window(&main);
    app.switch_to_window(&palette);
    wait_listed(&app, &["GitLab · tanuki", "GitHub · octocat"]);

    app.kill_web_process();
    // Loaded again: it finds and copies a code, typed into on the X display
    // as a person would. Until the page is back keys go nowhere, so each
    // try selects what the search holds first (of "tanuk", only its end
    // can arrive, and its first match is GitLab); `copy.wait()` judges the
    // code against oathtool.
    let copy = profile.expect_totp_copy(GITLAB);
    app.type_until_a_code_is_copied(
        TITLE,
        &[&["key", "ctrl+a"], &["type", "tanuk"], &["key", "Return"]],
    );
    wait_palette(&app, false);
    copy.wait();
}

/// The display's keyboard layout, set with setxkbmap; the one before comes
/// back when dropped (the display is shared with the tests that follow).
struct Layout(String);

impl Layout {
    fn set(layout: &str) -> Self {
        let query = Command::new("setxkbmap")
            .arg("-query")
            .output()
            .expect("setxkbmap runs (package x11-xkb-utils)");
        let before = String::from_utf8_lossy(&query.stdout)
            .lines()
            .find_map(|line| line.strip_prefix("layout:").map(|l| l.trim().to_owned()))
            .unwrap_or_else(|| "us".to_owned());
        let status = Command::new("setxkbmap")
            .arg(layout)
            .status()
            .expect("setxkbmap runs");
        assert!(status.success(), "setxkbmap {layout}: {status}");
        Self(before)
    }
}

impl Drop for Layout {
    fn drop(&mut self) {
        // Said, not a panic: a second panic while a failed test unwinds
        // would abort every test left in this binary.
        match Command::new("setxkbmap").arg(&self.0).status() {
            Ok(status) if status.success() => {}
            other => eprintln!("could not put the layout {} back: {other:?}", self.0),
        }
    }
}

/// Whether this test's connection may grab Ctrl+Alt on `keycode` (and lets
/// go again): false while another client (the app) holds it.
fn can_grab_code(
    conn: &x11rb::rust_connection::RustConnection,
    screen: usize,
    keycode: u8,
) -> bool {
    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::{ConnectionExt, ModMask};
    match try_grab_code(conn, screen, keycode) {
        Ok(()) => {
            let root = conn.setup().roots[screen].root;
            conn.ungrab_key(keycode, root, ModMask::CONTROL | ModMask::M1)
                .expect("request")
                .check()
                .expect("the ungrab");
            conn.flush().expect("flush");
            true
        }
        Err(x11rb::errors::ReplyError::X11Error(error))
            if error.error_kind == x11rb::protocol::ErrorKind::Access =>
        {
            false
        }
        Err(other) => panic!("grabbing Ctrl+Alt on key {keycode}: {other}"),
    }
}

/// Another keyboard layout chosen while Watchword runs (Dvorak, where W is
/// on another key): the shortcut follows its letter, and comes back with
/// the layout. It once stayed on the old key, which then gave another
/// letter, and Ctrl+Alt+W did nothing.
#[test]
fn the_shortcut_follows_its_letter_to_another_layout() {
    let profile = Profile::new("palette_layout");
    profile.cli_add(&["--issuer", "GitHub", "--account", "octocat"], GITHUB);
    let app = profile.launch();
    app.wait_rows(1);
    open_with(&app, "ctrl+alt+w");
    x_key("ctrl+alt+w");
    wait_palette(&app, false);
    let (conn, screen) = x11rb::connect(None).expect("the X display");
    let qwerty = key_for(&conn, b'w');

    let layout = Layout::set("dvorak");
    let dvorak = key_for(&conn, b'w');
    assert_ne!(qwerty, dvorak, "W is on another key in Dvorak");
    // Pressed until it opens (the app moves its grab when the X server
    // tells it): never probed by grabbing the new key, which would race
    // the app's own grab of it.
    open_with(&app, "ctrl+alt+w");
    x_key("ctrl+alt+w");
    wait_palette(&app, false);
    // The old key let go (nobody grabs it now, so probing it races nothing).
    app.wait_until("the old key let go", || {
        if can_grab_code(&conn, screen, qwerty) {
            Ok(())
        } else {
            Err("still held".to_owned())
        }
    });

    drop(layout);
    assert_eq!(key_for(&conn, b'w'), qwerty);
    open_with(&app, "ctrl+alt+w");
    app.quit();
}

/// A counter-based code the palette makes goes to the main window too,
/// where Hide codes hides it as it hides every other: once it came there
/// in plain digits, in the row and in its button's name.
#[test]
fn a_code_the_palette_makes_comes_hidden_into_the_window() {
    let profile = Profile::new("palette_hidden");
    profile.cli_add(
        &["--issuer", "Bank", "--account", "me", "--type", "hotp"],
        BANK,
    );
    let app = profile.launch();
    let bank = app.wait_rows(1).remove(0);
    let main = app.current_window();
    app.open_settings();
    app.click("#set-hide");
    app.click("#settings-done");
    app.wait_saved_setting("hideCodes", &serde_json::json!(true));

    quick(&profile);
    wait_palette(&app, true);
    let palette = app.wait_other_window(&main);
    app.switch_to_window(&palette);
    wait_listed(&app, &["Bank · me"]);
    app.press_keys(&format!("bank{KEY_ENTER}"));
    wait_palette(&app, false);
    let code = hotp_code(BANK, 6, 0);
    wait_clipboard(std::slice::from_ref(&code));

    app.switch_to_window(&main);
    app.wait_until("the palette's code in the window, hidden", || {
        let read = app
            .try_execute(
                "const b = document.querySelector(arguments[0]);
                 return [b.textContent, b.getAttribute('aria-label') || '', b.disabled];",
                serde_json::json!([bank.css("button.code")]),
            )
            .map_err(|e| e.to_string())?;
        if read == serde_json::json!(["••• •••", "Hidden code, Bank, show and copy", false])
        {
            Ok(())
        } else {
            Err(format!("{read}"))
        }
    });
    let copied = app.copy_code(&bank);
    assert_eq!(copied.code, code, "the click copies the palette's code");
    app.quit();
}
