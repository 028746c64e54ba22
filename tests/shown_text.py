#!/usr/bin/python3
"""Prints the text a window shows, as the accessibility tree (AT-SPI) has
it: the name of every showing node under the showing window titled TITLE,
and the text of those that hold text (when it is not their name), one per line. GTK's widgets and
WebKit's page (while its web process lives) are both in that tree.

Usage: shown_text.py PID TITLE

Only the application whose process is PID is looked at: an app that ended
a moment ago, or another one with the same title, may still be listed on
the accessibility bus.

Prints "absent" when no showing window has that title. Exits 0 when it
could look, 2 when AT-SPI is not there.
"""

import sys

try:
    import gi

    gi.require_version("Atspi", "2.0")
    from gi.repository import Atspi, GLib
except (ImportError, ValueError) as e:
    print(f"AT-SPI is not available (python3-gi, gir1.2-atspi-2.0): {e}", file=sys.stderr)
    sys.exit(2)

# WebKit's tree under a window is deep; a bound so a strange tree cannot
# make the walk run away.
MAX_DEPTH = 60


def showing(node):
    return node.get_state_set().contains(Atspi.StateType.SHOWING)


def walk(node, depth):
    if depth > MAX_DEPTH or node is None:
        return
    try:
        # GTK's containers around WebKit's page say they are not showing
        # while the page in them is: every node is looked into.
        if showing(node):
            name = node.get_name()
            if name:
                print(name.replace("\n", " "))
            if node.get_text_iface() is not None:
                count = Atspi.Text.get_character_count(node)
                text = Atspi.Text.get_text(node, 0, count) if count else ""
                # A label's text is its name: said once.
                if text and text != name:
                    print(text.replace("\n", " "))
        for i in range(node.get_child_count()):
            walk(node.get_child_at_index(i), depth + 1)
    except GLib.Error:  # A node that went away while we looked.
        return


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 64
    pid, title = int(sys.argv[1]), sys.argv[2]
    desktop = Atspi.get_desktop(0)
    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        try:
            if app is None or app.get_process_id() != pid:
                continue
        except GLib.Error:  # gone while we looked
            continue
        for j in range(app.get_child_count()):
            window = app.get_child_at_index(j)
            if window is not None and window.get_name() == title and showing(window):
                walk(window, 0)
                return 0
    print("absent")
    return 0


sys.exit(main())
