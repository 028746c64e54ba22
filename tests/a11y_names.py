#!/usr/bin/python3
"""Prints what a screen reader is told about Watchword's window: the role and
name of every button and the text of every live region, through AT-SPI, the
accessibility tree Orca reads on Linux.

Usage: a11y_names.py APP_NAME

One line per node: ROLE<TAB>NAME. Exits 0 when it could look, 2 when AT-SPI
is not there, 3 when no application called APP_NAME is on the bus.
"""

import sys

try:
    import gi

    gi.require_version("Atspi", "2.0")
    from gi.repository import Atspi
except (ImportError, ValueError) as e:
    print(f"AT-SPI is not available (python3-gi, gir1.2-atspi-2.0): {e}", file=sys.stderr)
    sys.exit(2)

# WebKit's tree under the window is deep; a bound so a strange tree cannot
# make the walk run away.
MAX_DEPTH = 60
ROLES = {Atspi.Role.PUSH_BUTTON, Atspi.Role.TOGGLE_BUTTON}


def walk(node, depth):
    if depth > MAX_DEPTH or node is None:
        return
    try:
        role = node.get_role()
        if role in ROLES:
            print(f"{node.get_role_name()}\t{node.get_name()}")
        for i in range(node.get_child_count()):
            walk(node.get_child_at_index(i), depth + 1)
    except Exception:  # A node that went away while we looked.
        return


def main():
    name = sys.argv[1]
    desktop = Atspi.get_desktop(0)
    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        if app is not None and app.get_name() == name:
            walk(app, 0)
            return 0
    names = [desktop.get_child_at_index(i).get_name() for i in range(desktop.get_child_count())]
    print(f"no application {name!r} on the accessibility bus: {names}", file=sys.stderr)
    return 3


sys.exit(main())
