#!/usr/bin/python3
"""Reports the state of a GTK dialog through AT-SPI, the accessibility tree.

Usage: dialog_state.py TITLE

The end-to-end helpers (tests/src/lib.rs) type into GTK's file chooser with
real key events. There is no window manager under Xvfb, so the X focus says
nothing about whether the dialog is ready for keys; the accessibility tree
does: GTK marks its toplevel ACTIVE once it has taken the focus, and the
widget that will get the keys FOCUSED. This script looks once and prints:

    absent                  no showing window titled TITLE
    open active=0|1         the window, and whether GTK made it active
    entry TEXT              (after "open") the focused editable text field
                            and what it holds, if one is focused

It exits 0 whenever it could look, 2 when AT-SPI is not there.
"""

import sys

try:
    import gi

    gi.require_version("Atspi", "2.0")
    from gi.repository import Atspi, GLib
except (ImportError, ValueError) as e:
    print(f"AT-SPI is not available (python3-gi, gir1.2-atspi-2.0): {e}", file=sys.stderr)
    sys.exit(2)

# Deep enough for GTK 3's file chooser (its entries sit about 12 levels
# down); a bound so a strange tree cannot make the walk run away.
MAX_DEPTH = 40


def has(accessible, state):
    return accessible.get_state_set().contains(state)


def focused_entry(accessible, depth):
    """The focused editable text under `accessible`, looking only into
    showing widgets (a focused one is always showing)."""
    if depth > MAX_DEPTH:
        return None
    if has(accessible, Atspi.StateType.FOCUSED) and has(accessible, Atspi.StateType.EDITABLE):
        return accessible
    for i in range(accessible.get_child_count()):
        child = accessible.get_child_at_index(i)
        if child is None or not has(child, Atspi.StateType.SHOWING):
            continue
        found = focused_entry(child, depth + 1)
        if found is not None:
            return found
    return None


def find_window(title):
    desktop = Atspi.get_desktop(0)
    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        if app is None:
            continue
        for j in range(app.get_child_count()):
            window = app.get_child_at_index(j)
            if (
                window is not None
                and window.get_name() == title
                and has(window, Atspi.StateType.SHOWING)
            ):
                return window
    return None


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 64
    window = find_window(sys.argv[1])
    if window is None:
        print("absent")
        return 0
    print(f"open active={int(has(window, Atspi.StateType.ACTIVE))}")
    entry = focused_entry(window, 0)
    if entry is not None:
        count = Atspi.Text.get_character_count(entry)
        print("entry " + Atspi.Text.get_text(entry, 0, count))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except GLib.Error as e:
        # The app went away or answered badly mid-walk: the caller looks again.
        print(f"AT-SPI error: {e}", file=sys.stderr)
        sys.exit(1)
