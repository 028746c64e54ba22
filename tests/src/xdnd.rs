//! Drops files on a window the way a file manager does: the X drag-and-drop
//! protocol (XDND, <https://freedesktop.org/wiki/Specifications/XDND/>)
//! spoken from a window of our own, offering the files as `text/uri-list`.
//! The receiving side is the app's real GTK drop handling.

use std::time::{Duration, Instant};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    Atom, AtomEnum, ClientMessageEvent, ConnectionExt, CreateWindowAux, EventMask, PropMode,
    SelectionNotifyEvent, Window, WindowClass,
};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;
use x11rb::{COPY_DEPTH_FROM_PARENT, CURRENT_TIME, NONE};

type Failure = String;

fn fail(what: &str) -> impl Fn(&dyn std::fmt::Display) -> Failure + '_ {
    move |e| format!("{what}: {e}")
}

struct Atoms {
    aware: Atom,
    enter: Atom,
    position: Atom,
    status: Atom,
    drop: Atom,
    finished: Atom,
    leave: Atom,
    selection: Atom,
    action_copy: Atom,
    uri_list: Atom,
    targets: Atom,
    wm_name: Atom,
    utf8: Atom,
}

impl Atoms {
    fn new(conn: &RustConnection) -> Result<Self, Failure> {
        let atom = |name: &str| -> Result<Atom, Failure> {
            Ok(conn
                .intern_atom(false, name.as_bytes())
                .map_err(|e| fail("intern_atom")(&e))?
                .reply()
                .map_err(|e| fail("intern_atom")(&e))?
                .atom)
        };
        Ok(Self {
            aware: atom("XdndAware")?,
            enter: atom("XdndEnter")?,
            position: atom("XdndPosition")?,
            status: atom("XdndStatus")?,
            drop: atom("XdndDrop")?,
            finished: atom("XdndFinished")?,
            leave: atom("XdndLeave")?,
            selection: atom("XdndSelection")?,
            action_copy: atom("XdndActionCopy")?,
            uri_list: atom("text/uri-list")?,
            targets: atom("TARGETS")?,
            wm_name: atom("_NET_WM_NAME")?,
            utf8: atom("UTF8_STRING")?,
        })
    }
}

/// `file://` URIs for `paths`, percent-encoding what a URI may not hold.
fn uri_list(paths: &[&std::path::Path]) -> String {
    let mut list = String::new();
    for path in paths {
        list.push_str("file://");
        for byte in path.to_string_lossy().bytes() {
            if byte.is_ascii_alphanumeric() || b"/-_.~".contains(&byte) {
                list.push(byte as char);
            } else {
                list.push_str(&format!("%{byte:02X}"));
            }
        }
        list.push_str("\r\n");
    }
    list
}

/// The top-level window titled `title` that accepts drops, and its XDND
/// protocol version.
fn find_target(
    conn: &RustConnection,
    atoms: &Atoms,
    title: &str,
) -> Result<(Window, u32), Failure> {
    let root = conn.setup().roots[0].root;
    let mut queue = vec![root];
    while let Some(window) = queue.pop() {
        let tree = conn
            .query_tree(window)
            .map_err(|e| fail("query_tree")(&e))?
            .reply()
            .map_err(|e| fail("query_tree")(&e))?;
        queue.extend(tree.children);
        let name = conn
            .get_property(false, window, atoms.wm_name, atoms.utf8, 0, 256)
            .map_err(|e| fail("get_property")(&e))?
            .reply()
            .map_err(|e| fail("get_property")(&e))?;
        if name.value != title.as_bytes() {
            continue;
        }
        let aware = conn
            .get_property(false, window, atoms.aware, AtomEnum::ATOM, 0, 1)
            .map_err(|e| fail("get_property")(&e))?
            .reply()
            .map_err(|e| fail("get_property")(&e))?;
        if let Some(version) = aware.value32().and_then(|mut v| v.next()) {
            return Ok((window, version.min(5)));
        }
    }
    Err(format!(
        "no window titled {title:?} accepts drops (XdndAware)"
    ))
}

/// Drops `paths` in the middle of the window titled `title`, waiting (up to
/// `limit`) until it says it has finished with them.
pub fn drop_files(title: &str, paths: &[&std::path::Path], limit: Duration) -> Result<(), Failure> {
    drag_and_drop(title, paths, limit, || {})
}

/// [`drop_files`], calling `while_dragging` once the window has accepted
/// the drag and before the files are let go.
pub fn drag_and_drop(
    title: &str,
    paths: &[&std::path::Path],
    limit: Duration,
    while_dragging: impl FnOnce(),
) -> Result<(), Failure> {
    let mut while_dragging = Some(while_dragging);
    let (conn, screen_num) = x11rb::connect(None).map_err(|e| fail("connect to X")(&e))?;
    let atoms = Atoms::new(&conn)?;
    let screen = &conn.setup().roots[screen_num];
    let source = conn.generate_id().map_err(|e| fail("generate_id")(&e))?;
    conn.create_window(
        COPY_DEPTH_FROM_PARENT,
        source,
        screen.root,
        -10,
        -10,
        1,
        1,
        0,
        WindowClass::INPUT_OUTPUT,
        0,
        &CreateWindowAux::new(),
    )
    .map_err(|e| fail("create_window")(&e))?;
    conn.set_selection_owner(source, atoms.selection, CURRENT_TIME)
        .map_err(|e| fail("set_selection_owner")(&e))?;
    let (target, version) = find_target(&conn, &atoms, title)?;
    let geometry = conn
        .get_geometry(target)
        .map_err(|e| fail("get_geometry")(&e))?
        .reply()
        .map_err(|e| fail("get_geometry")(&e))?;
    let middle = conn
        .translate_coordinates(
            target,
            screen.root,
            (geometry.width / 2) as i16,
            (geometry.height / 2) as i16,
        )
        .map_err(|e| fail("translate_coordinates")(&e))?
        .reply()
        .map_err(|e| fail("translate_coordinates")(&e))?;
    let position = (u32::from(middle.dst_x as u16) << 16) | u32::from(middle.dst_y as u16);
    let data = uri_list(paths);

    let send = |kind: Atom, body: [u32; 5]| -> Result<(), Failure> {
        let event = ClientMessageEvent::new(32, target, kind, body);
        conn.send_event(false, target, EventMask::NO_EVENT, event)
            .map_err(|e| fail("send_event")(&e))?;
        conn.flush().map_err(|e| fail("flush")(&e))
    };
    send(atoms.enter, [source, version << 24, atoms.uri_list, 0, 0])?;
    send(
        atoms.position,
        [source, 0, position, CURRENT_TIME, atoms.action_copy],
    )?;

    let deadline = Instant::now() + limit;
    let mut dropped = false;
    loop {
        if Instant::now() > deadline {
            let _ = send(atoms.leave, [source, 0, 0, 0, 0]);
            return Err(format!(
                "the window did not {} within {limit:?}",
                if dropped {
                    "finish the drop"
                } else {
                    "accept the drag"
                }
            ));
        }
        let Some(event) = conn
            .poll_for_event()
            .map_err(|e| fail("poll_for_event")(&e))?
        else {
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        match event {
            Event::ClientMessage(message) if message.type_ == atoms.status && !dropped => {
                let body = message.data.as_data32();
                if body[1] & 1 == 0 {
                    let _ = send(atoms.leave, [source, 0, 0, 0, 0]);
                    return Err("the window refused the drop (XdndStatus without accept)".into());
                }
                if let Some(hook) = while_dragging.take() {
                    hook();
                }
                send(atoms.drop, [source, 0, CURRENT_TIME, 0, 0])?;
                dropped = true;
            }
            Event::ClientMessage(message) if message.type_ == atoms.finished => return Ok(()),
            Event::SelectionRequest(request) => {
                let property = if request.target == atoms.uri_list {
                    conn.change_property8(
                        PropMode::REPLACE,
                        request.requestor,
                        request.property,
                        atoms.uri_list,
                        data.as_bytes(),
                    )
                    .map_err(|e| fail("change_property")(&e))?;
                    request.property
                } else if request.target == atoms.targets {
                    conn.change_property32(
                        PropMode::REPLACE,
                        request.requestor,
                        request.property,
                        AtomEnum::ATOM,
                        &[atoms.targets, atoms.uri_list],
                    )
                    .map_err(|e| fail("change_property")(&e))?;
                    request.property
                } else {
                    NONE
                };
                let notify = SelectionNotifyEvent {
                    response_type: x11rb::protocol::xproto::SELECTION_NOTIFY_EVENT,
                    sequence: 0,
                    time: request.time,
                    requestor: request.requestor,
                    selection: request.selection,
                    target: request.target,
                    property,
                };
                conn.send_event(false, request.requestor, EventMask::NO_EVENT, notify)
                    .map_err(|e| fail("send_event")(&e))?;
                conn.flush().map_err(|e| fail("flush")(&e))?;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn uri_lists_escape_what_uris_cannot_hold() {
        let list = super::uri_list(&[
            std::path::Path::new("/tmp/a b/qr#1.png"),
            std::path::Path::new("/tmp/é.png"),
        ]);
        assert_eq!(
            list,
            "file:///tmp/a%20b/qr%231.png\r\nfile:///tmp/%C3%A9.png\r\n"
        );
    }
}
