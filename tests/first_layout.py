#!/usr/bin/env python3
"""The first layout of Watchword's list, in a bare WebKitGTK window (issue 13).

Most of the time between the page receiving its first view and the first
frame with codes is WebKit laying the rows out for the first time, and most
of that is font look-ups. This loads ui/index.html and ui/style.css as they
are (the page's modules replaced by a script that builds ROWS rows from the
page's own row template), then prints how long building, laying out and
painting took, RUNS times, each in a fresh WebKitGTK window (compositing off,
as Watchword runs it).

BODY_FONT and MONO_FONT, when set, replace the two font stacks in style.css
(the `font-family` of :root and `--mono`), to compare stacks; EXTRA_CSS is
appended to it, to try other rules.

Run by scripts/bench_first_layout.sh inside scripts/session.sh (Xvfb, a
private D-Bus), with the system's Python (PyGObject, WebKit2 4.1).
"""

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

UI = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ui")

HARNESS = """
const marks = {};
function mark(label) { marks[label] = performance.now(); }
// Well after the page's first paint, as the real start is.
setTimeout(() => {
  mark('start');
  const list = document.getElementById('accounts');
  const template = document.getElementById('account-template');
  for (let i = 0; i < ROWS; i++) {
    const li = template.content.firstElementChild.cloneNode(true);
    li.querySelector('.issuer').textContent = 'Service ' + i;
    li.querySelector('.name').textContent = 'user' + i + '@example.com';
    li.querySelector('.monogram').textContent = 'S';
    li.querySelector('.code').textContent = '123 456';
    li.querySelector('.seconds').textContent = '17';
    list.appendChild(li);
  }
  document.getElementById('loading').hidden = true;
  mark('built');
  void list.getBoundingClientRect();
  mark('laid out');
  // Figures only for rows that were really laid out.
  if (list.children.length < ROWS || list.getBoundingClientRect().height <= 0) {
    console.log('FIRST-LAYOUT-BROKEN the rows were not laid out: ' + list.children.length + ' rows, '
      + list.getBoundingClientRect().height + ' px');
    return;
  }
  requestAnimationFrame(() => setTimeout(() => {
    mark('painted');
    console.log('FIRST-LAYOUT ' + JSON.stringify(marks));
  }, 0));
}, 700);
"""

WINDOW = """
import sys, gi
gi.require_version("Gtk", "3.0"); gi.require_version("WebKit2", "4.1")
from gi.repository import Gtk, WebKit2, GLib
win = Gtk.Window(); win.set_default_size(440, 640)
view = WebKit2.WebView()
view.get_settings().set_enable_write_console_messages_to_stdout(True)
win.add(view); win.show_all()
view.load_uri(sys.argv[1])
GLib.timeout_add(6000, Gtk.main_quit)
Gtk.main()
"""


def page(folder, rows):
    shutil.copytree(UI, folder)
    html_path = os.path.join(folder, "index.html")
    with open(html_path) as f:
        html = f.read()
    html = re.sub(r'<link rel="modulepreload"[^>]*>\n?', "", html)
    script = '<script type="module" src="main.js"></script>'
    if script not in html:
        sys.exit("first_layout: ui/index.html no longer loads main.js as expected")
    html = html.replace(script, '<script src="first-layout.js" defer></script>')
    with open(html_path, "w") as f:
        f.write(html)
    with open(os.path.join(folder, "first-layout.js"), "w") as f:
        f.write(HARNESS.replace("ROWS", str(rows)))
    css_path = os.path.join(folder, "style.css")
    with open(css_path) as f:
        css = f.read()
    for name, pattern in (("BODY_FONT", r"(:root \{[^}]*?font-family: )[^;]*;"),
                          ("MONO_FONT", r"(--mono: )[^;]*;")):
        value = os.environ.get(name)
        if value:
            css, count = re.subn(pattern, lambda m: m.group(1) + value + ";", css, count=1)
            if count != 1:
                sys.exit(f"first_layout: no font stack for {name} in style.css")
    with open(css_path, "w") as f:
        f.write(css + os.environ.get("EXTRA_CSS", ""))
    return "file://" + html_path


def main():
    rows = int(os.environ.get("ROWS", "50"))
    runs = int(os.environ.get("RUNS", "5"))
    env = dict(os.environ, WEBKIT_DISABLE_COMPOSITING_MODE="1")
    results = {"build": [], "layout": [], "paint": []}
    for run in range(runs):
        scratch = tempfile.mkdtemp(prefix="first-layout-")
        try:
            uri = page(os.path.join(scratch, "ui"), rows)
            out = subprocess.run(["/usr/bin/python3", "-c", WINDOW, uri], env=env,
                                 capture_output=True, text=True, timeout=60)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        found = re.search(r"FIRST-LAYOUT (\{.*\})", out.stdout + out.stderr)
        if not found:
            sys.exit(f"first_layout: run {run + 1} printed no figures:\n"
                     f"{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
        marks = json.loads(found.group(1))
        results["build"].append(marks["built"] - marks["start"])
        results["layout"].append(marks["laid out"] - marks["built"])
        results["paint"].append(marks["painted"] - marks["laid out"])
    print(f"First layout of {rows} rows, bare WebKitGTK, {runs} runs, medians (all runs):")
    for part, values in results.items():
        listed = ", ".join(f"{v:.0f}" for v in values)
        print(f"  {part:6} {statistics.median(values):5.0f} ms ({listed})")


if __name__ == "__main__":
    main()
