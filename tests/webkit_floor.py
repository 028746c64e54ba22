#!/usr/bin/env python3
"""What a WebKitGTK window costs at rest, whatever app it holds (issue 13).

Watchword's window is WebKitGTK. This measures bare pages in a bare
WebKitGTK window (no Tauri, no Watchword code) with the same engine, the
same settings (compositing off and the C library's allocator, as Watchword
runs it) and a list like Watchword's: the CPU the whole process tree (this
Python process, WebKit's web and network processes) uses over IDLE
seconds, for pages that do less and less each second:

  rows   the countdown (seconds and ring) of every row in view changes, as
         in Watchword's list (rows out of view are left alone)
  first  only the first row's countdown changes (seconds and ring): one
         countdown, as Watchword's list shows while every account has the
         same period (not in the default set)
  one    a single character changes once a second
  timer  a timer runs once a second and changes nothing
  none   nothing runs

The difference between "one" and "none" is what any repaint costs at all,
once a second, in this engine: the floor for a window whose countdown moves
every second.

Run by scripts/bench_webkit_floor.sh inside scripts/session.sh (Xvfb, a
private D-Bus). Environment: ROWS (12, about what a 1280x800 window shows),
IDLE (30), RUNS (3), VARIANTS ("rows one timer none"), SETTLE (8). With
ROWS=500 the same rows in view change as with 12: what more costs is the
size of the page alone.
CPU time is counted in clock ticks (10 ms): over 30 s a figure moves in
steps of 0.033 %.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time

ROW = (
    '<li><span class="names">Service {i}<br><small>user{i}@example.com</small></span>'
    '<button class="code">123 456</button><span class="countdown">'
    '<svg class="ring" viewBox="0 0 36 36"><circle class="track" cx="18" cy="18" r="15"/>'
    '<circle class="arc" cx="18" cy="18" r="15"/></svg><span class="seconds">30</span>'
    "</span></li>"
)
# Each wakes just after the next whole second, as Watchword's tick does.
TICK = "setTimeout(tick, 1000 - Date.now() % 1000 + 20);"
SCRIPTS = {
    "none": "",
    "timer": f"function tick() {{ {TICK} }} tick();",
    "one": (
        "const s = document.getElementById('one');"
        "function tick() { s.textContent = String(30 - Math.floor(Date.now() / 1000) % 30);"
        f" {TICK} }} tick();"
    ),
    # One countdown, seconds and ring (the first row's), as Watchword's
    # list shows one while every account has the same period.
    "first": (
        "const li = document.querySelector('li');"
        "const sec = li.querySelector('.seconds'), arc = li.querySelector('.arc');"
        "function tick() { const r = 30 - Math.floor(Date.now() / 1000) % 30;"
        " sec.textContent = String(r);"
        " arc.style.strokeDashoffset = String(94.25 * (1 - r / 30));"
        f" {TICK} }} tick();"
    ),
    "rows": (
        # Only the rows in view, as Watchword repaints them.
        "const shown = [...document.querySelectorAll('li')]"
        ".filter((li) => li.getBoundingClientRect().top < innerHeight);"
        "const secs = shown.map((li) => li.querySelector('.seconds'));"
        "const arcs = shown.map((li) => li.querySelector('.arc'));"
        "function tick() { const r = 30 - Math.floor(Date.now() / 1000) % 30;"
        " for (const s of secs) s.textContent = String(r);"
        " for (const a of arcs) a.style.strokeDashoffset = String(94.25 * (1 - r / 30));"
        f" {TICK} }} tick();"
    ),
}
STYLE = """
body { font-family: sans-serif; margin: 0; }
ul { list-style: none; padding: 0; margin: 0; }
li { display: grid; grid-template-columns: 1fr auto auto; align-items: center;
     gap: 1rem; padding: .6rem 1rem; border-bottom: 1px solid #ddd; }
.code { font-size: 1.6rem; font-variant-numeric: tabular-nums; border: 0; background: none; }
.countdown { position: relative; width: 2rem; height: 2rem; display: grid; place-items: center; }
.ring { position: absolute; inset: 0; transform: rotate(-90deg); }
.ring circle { fill: none; stroke-width: 3.5; }
.track { stroke: #ddd; } .arc { stroke: #36c; stroke-dasharray: 94.25; stroke-linecap: round; }
.seconds { font-size: .72rem; font-variant-numeric: tabular-nums; }
"""


def window(variant, rows):
    """The child: a GTK window holding one WebKitGTK view of the page."""
    import gi

    gi.require_version("Gtk", "3.0")
    gi.require_version("WebKit2", "4.1")
    from gi.repository import Gtk, WebKit2

    page = (
        f"<!doctype html><html><head><style>{STYLE}</style></head><body>"
        f'<span id="one">30</span><ul>{"".join(ROW.format(i=i) for i in range(rows))}</ul>'
        f"<script>{SCRIPTS[variant]}</script></body></html>"
    )
    win = Gtk.Window()
    win.set_default_size(1280, 800)
    view = WebKit2.WebView()
    win.add(view)
    view.load_html(page, "file:///")
    win.connect("destroy", Gtk.main_quit)
    win.show_all()
    Gtk.main()


def tree(pid):
    """pid and every process it started, recursively (children of any of
    its threads)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
            except OSError:
                pass
    return found


def cpu_seconds(pids):
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def measure(variant, rows, idle, settle):
    # Compositing off, as Watchword runs its window (src-tauri/src/main.rs).
    env = dict(os.environ, WEBKIT_DISABLE_COMPOSITING_MODE="1")
    # The C library's allocator, as Watchword's web processes have it
    # (src-tauri/src/main.rs); WebKitMallocForceEnabled=1 measures WebKit's own.
    env.setdefault("Malloc", "1")
    # A session of its own, so that WebKit's processes go with it; what it
    # says goes to a file (a pipe nobody reads could fill and stall it).
    said = tempfile.TemporaryFile()
    child = subprocess.Popen(
        [sys.executable, __file__, "--window", variant, str(rows)],
        env=env,
        stderr=said,
        start_new_session=True,
    )

    def running():
        # The window and at least WebKit's web process, still there.
        if child.poll() is not None:
            said.seek(0)
            sys.exit(f"the {variant} window ended: {said.read().decode(errors='replace')}")
        pids = tree(child.pid)
        if len(pids) < 2:
            sys.exit(f"the {variant} window started no web process")
        return pids

    try:
        time.sleep(settle)
        pids = running()
        before = cpu_seconds(pids)
        time.sleep(idle)
        used = cpu_seconds(pids) - before
        running()
        return used / idle * 100, len(pids)
    finally:
        try:
            os.killpg(child.pid, 15)
        except ProcessLookupError:
            pass
        child.wait()


def main():
    if sys.argv[1:2] == ["--window"]:
        window(sys.argv[2], int(sys.argv[3]))
        return
    rows = int(os.environ.get("ROWS", "12"))
    idle = float(os.environ.get("IDLE", "30"))
    runs = int(os.environ.get("RUNS", "3"))
    settle = float(os.environ.get("SETTLE", "8"))
    variants = os.environ.get("VARIANTS", "rows one timer none").split()
    print(
        f"A bare WebKitGTK window at rest: CPU of its whole process tree over {idle:.0f} s, "
        f"% of one core, median of {runs} (range); {rows} rows, 1280x800"
    )
    for variant in variants:
        figures = []
        for _ in range(runs):
            share, procs = measure(variant, rows, idle, settle)
            figures.append(share)
        print(
            f"{variant:>6}: {statistics.median(figures):.2f} % "
            f"({min(figures):.2f}-{max(figures):.2f}; {procs} processes)",
            flush=True,
        )


if __name__ == "__main__":
    main()
