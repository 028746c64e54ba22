#!/usr/bin/env python3
"""Codes on screen: seconds from exec to the first frame in which a code can
be read, for Watchword and for numberstation (issue 13), with the same
harness for both.

Run by scripts/bench_first_frame.sh inside a private D-Bus session with an
unlocked gnome-keyring (scripts/session.sh). This script starts its own Xvfb
with its framebuffer in a file (-fbdir), launches the app directly (no
WebDriver), and copies every changed frame with its time while the app
starts. Afterwards tesseract reads the frames: the first one holding one of
the codes the seeded accounts show at that moment is "codes on screen".
Nothing about the app's insides is used, so the figure means the same for
any app.

It then measures each app at rest: started again and left alone for a few
seconds, the CPU time its whole process tree (the app and every process it
started: WebKit's web and network processes for Watchword) uses over IDLE
seconds, how many times the screen changed meanwhile, and then the memory
of that whole process tree (PSS).

Environment: WATCHWORD_BIN (the release app), WATCHWORD_CLI (the release
CLI), COUNTS ("50 500"), RUNS (3; 0 measures only at rest), APPS
("watchword numberstation"), IDLE (seconds at rest, 30; 0 skips it),
REST_RUNS (measurements at rest, 1; the median is printed), REST_COMPARE
("NAME=VALUE": as many again with that variable set, alternated with the
others, and printed beside them; WATCHWORD_BIN=PATH compares another build),
REST_SECONDS (1: also the CPU time of the whole tree in each second at rest,
in ms, from the kernel's per-thread run times, and how that splits into a
typical second and what the seconds above it add: the list's two larger
updates each period), REST_KIND ("hotp": Watchword's accounts seeded as
counter-based, so that nothing on the page changes at rest: what is left is
the cost of the app waiting; codes on screen are not measured then).
"""

import base64
import hashlib
import hmac
import json
import mmap
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

WIDTH, HEIGHT = 1280, 800
# How long a run records, by account count: well past either app's start.
RECORD = {50: 6.0, 500: 10.0}
# Between two looks at the framebuffer. Each look copies and compares 4 MB,
# so the figures have a resolution of about 10 ms, and the recorder takes a
# little of a core from the app it watches (the same for every app).
POLL = 0.008


def key_of(i):
    """The key of seeded account i, as tests/src/measure.rs seeds it."""
    return bytes(((b * 31) & 0xFF) ^ (i & 0xFF) ^ ((i >> 8) & 0xFF) for b in range(20))


def uri_of(i, kind="totp"):
    secret = base64.b32encode(key_of(i)).decode().rstrip("=")
    counter = "&counter=0" if kind == "hotp" else ""
    return (
        f"otpauth://{kind}/Service%20{i}:user{i}%40example.com"
        f"?secret={secret}&issuer=Service%20{i}{counter}"
    )


def totp(key, at):
    counter = struct.pack(">Q", int(at) // 30)
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


class Screen:
    """An Xvfb display whose framebuffer is a file this process maps."""

    def __init__(self, scratch):
        self.dir = os.path.join(scratch, "fb")
        os.mkdir(self.dir)
        self.display = f":{600 + os.getpid() % 300}"
        self.proc = subprocess.Popen(
            ["Xvfb", self.display, "-screen", "0", f"{WIDTH}x{HEIGHT}x24",
             "-fbdir", self.dir, "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        path = os.path.join(self.dir, "Xvfb_screen0")
        for _ in range(100):
            if os.path.exists(path) and os.path.getsize(path) > 0 and os.path.exists(
                f"/tmp/.X11-unix/X{self.display[1:]}"
            ):
                break
            time.sleep(0.05)
        else:
            raise SystemExit("Xvfb did not start")
        self.file = open(path, "rb")
        self.map = mmap.mmap(self.file.fileno(), 0, access=mmap.ACCESS_READ)
        # The XWD header: its size, then big-endian fields; the pixels follow
        # it and the colour map.
        header = self.map[:100]
        (size,) = struct.unpack(">I", header[0:4])
        fields = struct.unpack(">25I", header[:100])
        self.bpp, self.stride, ncolors = fields[11], fields[12], fields[19]
        self.start = size + 12 * ncolors
        assert self.bpp == 32 and self.stride == WIDTH * 4, "expected 32-bit rows, unpadded"

    def frame(self):
        return self.map[self.start : self.start + self.stride * HEIGHT]

    def close(self):
        self.map.close()
        self.file.close()
        self.proc.terminate()
        self.proc.wait()


def record(screen, argv, env, seconds):
    """Launches argv, watches for `seconds`, ends it, and returns the wall
    time of the exec and [(seconds since exec, frame)] for every frame that
    differs from the one before."""
    frames = []
    last = screen.frame()
    started = time.monotonic()
    wall = time.time()
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    while (now := time.monotonic() - started) < seconds:
        frame = screen.frame()
        if frame != last:
            frames.append((now, frame))
            last = frame
        time.sleep(POLL)
    stop(proc)
    return wall, frames


def stop(proc):
    """Ends the app and every process it started (its own session)."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def text_of(frame, scratch):
    """What tesseract reads in a frame (BGRX pixels)."""
    rgb = bytearray(WIDTH * HEIGHT * 3)
    rgb[0::3] = frame[2::4]
    rgb[1::3] = frame[1::4]
    rgb[2::3] = frame[0::4]
    path = os.path.join(scratch, "frame.ppm")
    with open(path, "wb") as out:
        out.write(f"P6 {WIDTH} {HEIGHT} 255\n".encode())
        out.write(rgb)
    out = subprocess.run(
        ["tesseract", path, "-", "--psm", "11"],
        capture_output=True, text=True, check=False,
    )
    return out.stdout


def readable(frame, at, count, scratch):
    """Whether the frame shows a code one of the first accounts has at
    `at` (or in the period before or after: a frame near a boundary)."""
    text = text_of(frame, scratch)
    # Each code as two groups of three, which tesseract may put on two
    # lines; overlapping, so "2 419 239 135" finds 239 135.
    pairs = re.findall(r"(?=(?<!\d)(\d{3})\s*(\d{3})(?!\d))", text)
    seen = {a + b for a, b in pairs}
    wanted = set()
    for i in range(min(count, 40)):
        for shift in (-30, 0, 30):
            wanted.add(totp(key_of(i), at + shift))
    return bool(seen & wanted)


def first_readable(wall, frames, count, scratch):
    """The time of the first frame with a readable code (binary search:
    once codes are on screen they stay), or None."""
    lo, hi = 0, len(frames)
    while lo < hi:
        mid = (lo + hi) // 2
        t, frame = frames[mid]
        if readable(frame, wall + t, count, scratch):
            hi = mid
        else:
            lo = mid + 1
    keep = os.environ.get("KEEP_FRAMES")
    if keep:
        # The frames either side of the verdict, to look at.
        for name, index in (("before", lo - 1), ("first", lo)):
            if 0 <= index < len(frames):
                text_of(frames[index][1], scratch)
                shutil.copy(os.path.join(scratch, "frame.ppm"),
                            os.path.join(keep, f"{count}-{name}-{frames[index][0]:.3f}.ppm"))
    if lo == len(frames):
        return None
    return frames[lo][0]


def tree_of(root):
    """{pid: (name, CPU seconds so far)} for root and its descendants."""
    parents, info = {}, {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # The name is in brackets and may hold spaces: fields after it.
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        pid = int(entry)
        parents[pid] = int(fields[1])
        info[pid] = (name, (int(fields[11]) + int(fields[12])) / tick)
    tree, grew = {root}, True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return {pid: info[pid] for pid in tree if pid in info}


def run_ns(pids):
    """{thread id: nanoseconds it has run so far} for the threads of these
    processes (the first field of each thread's schedstat)."""
    return {task: ns for task, (ns, _, _) in threads_of(pids).items()}


def threads_of(pids):
    """{thread id: (nanoseconds run so far, times it went to sleep of its
    own accord, "process/thread" names)} for the threads of these
    processes."""
    threads = {}
    for pid in pids:
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
            with open(f"/proc/{pid}/comm") as f:
                process = f.read().strip()
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                    ns = int(f.read().split()[0])
                with open(f"/proc/{pid}/task/{task}/comm") as f:
                    name = f.read().strip()
                with open(f"/proc/{pid}/task/{task}/status") as f:
                    sleeps = next(int(line.split()[1]) for line in f
                                  if line.startswith("voluntary_ctxt_switches"))
                threads[task] = (ns, sleeps, f"{process}/{name}")
            except (OSError, ValueError, IndexError, StopIteration):
                pass
    return threads


def by_thread(before, after, seconds):
    """'process/thread 3.1 ms, 31 wake-ups' lines, busiest first, for the
    threads that ran between two threads_of looks (added up by name)."""
    totals = {}
    for task, (ns, sleeps, name) in after.items():
        was_ns, was_sleeps, _ = before.get(task, (0, 0, name))
        ms, wakes = totals.get(name, (0.0, 0))
        totals[name] = (ms + (ns - was_ns) / 1e6, wakes + sleeps - was_sleeps)
    lines = [f"      {name}: {ms:.1f} ms, {wakes} wake-ups ({wakes / seconds:.1f} a second)"
             for name, (ms, wakes) in sorted(totals.items(), key=lambda kv: -kv[1][0])
             if ms >= 0.05 or wakes > 0]
    return "\n".join(lines)


def ran_since(before, now):
    """Milliseconds run between two run_ns looks: threads there at both by
    their difference, threads new since by all they ran (a thread that
    ended in between loses its last part)."""
    return sum(ns - before.get(task, 0) for task, ns in now.items()) / 1e6


def by_second(per_second):
    """'typical second 3.4 ms; the seconds above it add 31 ms per 30 s' and
    the series, from ms per second."""
    ordered = sorted(per_second)
    typical = ordered[len(ordered) // 2]
    # Above one and a half times the typical second: an update, not noise.
    extra = sum(ms - typical for ms in per_second if ms > 1.5 * typical)
    series = " ".join(f"{ms:.1f}" for ms in per_second)
    return (f"typical second {typical:.1f} ms; the seconds above it add "
            f"{30 * extra / len(per_second):.0f} ms per 30 s\n    ms each second: {series}")


def at_rest(screen, argv, env, settle, seconds):
    """Launches argv, leaves it `settle` seconds, then returns the share of
    one core its process tree used over `seconds`, by process name, how
    many times the screen changed meanwhile (looked at every 100 ms), the
    memory of the tree, and the tree's CPU time in each second (ms)."""
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        time.sleep(settle)
        before = tree_of(proc.pid)
        pids = list(before)
        started = time.monotonic()
        last, changes = screen.frame(), 0
        per_second, mark, ran = [], started, run_ns(pids)
        threads_before = threads_of(pids)
        while time.monotonic() - started < seconds:
            time.sleep(0.1)
            frame = screen.frame()
            if frame != last:
                changes += 1
                last = frame
            if time.monotonic() - mark >= 1.0:
                now = run_ns(pids)
                per_second.append(ran_since(ran, now))
                mark, ran = mark + 1.0, now
        threads = by_thread(threads_before, threads_of(pids), seconds)
        after = tree_of(proc.pid)
        elapsed = time.monotonic() - started
        memory = pss_mib(after)
    finally:
        stop(proc)
    shares = {}
    for pid, (name, cpu) in after.items():
        used = cpu - before.get(pid, (name, 0.0))[1]
        shares[name] = shares.get(name, 0.0) + 100 * used / elapsed
    return shares, changes / elapsed, memory, per_second, threads


def pss_mib(pids):
    """The proportional set size of these processes together, in MiB: each
    shared page counted once over all the processes sharing it."""
    total_kib = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total_kib += int(line.split()[1])
                        break
        except OSError:
            pass
    return total_kib / 1024


def summary(times):
    """'median 0.52 s (0.50, 0.52, 0.61)'."""
    good = sorted(t for t in times if t is not None)
    middle = f"{good[len(good) // 2]:.2f} s" if good else "never"
    runs = ", ".join("none" if t is None else f"{t:.2f}" for t in times)
    return f"median {middle} ({runs})"


def seed_watchword(count, scratch, env):
    data = os.path.join(scratch, f"watchword-{count}")
    os.mkdir(data)
    listing = os.path.join(scratch, f"accounts-{count}.txt")
    with open(listing, "w") as out:
        kind = os.environ.get("REST_KIND", "totp")
        out.write("".join(uri_of(i, kind) + "\n" for i in range(count)))
    env = dict(env, WATCHWORD_DATA_DIR=data, WATCHWORD_KEYCHAIN_SERVICE=f"watchword-ff-{count}")
    subprocess.run([os.environ["WATCHWORD_CLI"], "import", listing], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return [os.environ["WATCHWORD_BIN"]], env


def seed_numberstation(count, scratch, env):
    # numberstation keeps every URL in one item, a JSON list, through
    # Python's keyring (service "numberstation", user "totp"): stored here
    # the same way, with the Python numberstation runs on.
    urls = json.dumps([uri_of(i) for i in range(count)])
    subprocess.run(
        ["/usr/bin/python3", "-c",
         "import sys, keyring; keyring.set_password('numberstation', 'totp', sys.stdin.read())"],
        input=urls, text=True, env=env, check=True,
    )
    home = os.path.join(scratch, f"numberstation-{count}")
    os.mkdir(home)
    return ["numberstation"], dict(env, HOME=home)


def main():
    counts = [int(c) for c in os.environ.get("COUNTS", "50 500").split()]
    runs = int(os.environ.get("RUNS", "3"))
    if os.environ.get("REST_KIND", "totp") != "totp":
        runs = 0  # no code to read on screen
    idle = float(os.environ.get("IDLE", "30"))
    apps = os.environ.get("APPS", "watchword numberstation").split()
    rest_runs = int(os.environ.get("REST_RUNS", "1"))
    compare = os.environ.get("REST_COMPARE", "")
    scratch = tempfile.mkdtemp(prefix="first-frame-")
    screen = Screen(scratch)
    base = dict(os.environ, DISPLAY=screen.display)
    base.pop("WAYLAND_DISPLAY", None)
    print(f"Codes on screen: exec to the first frame with a code tesseract reads "
          f"(Xvfb {WIDTH}x{HEIGHT}, frames looked at every {POLL * 1000:.0f} ms; {runs} runs)")
    try:
        for count in counts:
            for app in apps:
                seed = seed_watchword if app == "watchword" else seed_numberstation
                argv, env = seed(count, scratch, base)
                if runs > 0:
                    times, painted = [], []
                    for _ in range(runs):
                        wall, frames = record(screen, argv, env, RECORD.get(count, 10.0))
                        times.append(first_readable(wall, frames, count, scratch))
                        painted.append(frames[0][0] if frames else None)
                        time.sleep(1)
                    print(f"{app:>13}, {count} accounts: codes on screen {summary(times)}; "
                          f"first frame of any kind {summary(painted)}", flush=True)
                if idle > 0:
                    rest(screen, app, count, argv, env, idle, rest_runs, compare)
    finally:
        screen.close()
        shutil.rmtree(scratch, ignore_errors=True)


def rest(screen, app, count, argv, env, idle, runs, compare):
    """Prints the app's CPU and memory at rest: the median of `runs`
    measurements, and with `compare` ("NAME=VALUE") as many again with that
    setting added, the two alternated so that a drift of the machine falls
    on both."""
    variants = [("", argv, env)]
    if compare:
        name, _, value = compare.partition("=")
        # WATCHWORD_BIN=PATH compares another build of the app.
        other = [value] if name == "WATCHWORD_BIN" and app == "watchword" else argv
        variants.append((f" with {compare}", other, dict(env, **{name: value})))
    measured = {label: [] for label, _, _ in variants}
    for _ in range(runs):
        for label, variant_argv, variant_env in variants:
            measured[label].append(
                at_rest(screen, variant_argv, variant_env, RECORD.get(count, 10.0), idle))
            time.sleep(1)
    for label, results in measured.items():
        totals = sorted(sum(shares.values()) for shares, _, _, _, _ in results)
        middle = sorted(results, key=lambda r: sum(r[0].values()))[len(results) // 2]
        shares, rate, memory, per_second, threads = middle
        parts = ", ".join(f"{name} {share:.2f}" for name, share in
                          sorted(shares.items(), key=lambda kv: -kv[1]) if share >= 0.005)
        spread = f" (median of {len(totals)}: {totals[0]:.2f}-{totals[-1]:.2f})" if len(totals) > 1 else ""
        memories = sorted(m for _, _, m, _, _ in results)
        print(f"{app:>13}, {count} accounts{label}: at rest over {idle:.0f} s "
              f"{sum(shares.values()):.2f} % of a core{spread} ({parts or 'nothing'}); "
              f"the screen changed {rate:.2f} times a second; memory (PSS, "
              f"whole process tree) {memories[len(memories) // 2]:.0f} MiB", flush=True)
        if os.environ.get("REST_SECONDS") == "1" and per_second:
            print(f"    that run by second: {by_second(per_second)}", flush=True)
        if os.environ.get("REST_THREADS") == "1":
            print(f"    that run by thread:\n{threads}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
