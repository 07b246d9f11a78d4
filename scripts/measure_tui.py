#!/usr/bin/env python3
"""Whole-program timings in a pseudo-terminal, as a person's terminal would run them.

For the workbench and for a minimal ratatui app (examples/minimal_tui.rs), interleaved, N runs:
  - start-up to first frame: spawn -> the first frame has been written in full;
  - resident memory (VmRSS) once the first frame is up;
  - keystroke -> screen: write one key, time until the redraw's bytes arrive (workbench only),
    once idle and once while a request hangs in the sandbox (--hang).
Prints medians and the ratios workbench / minimal from the same run.

Usage: cargo build --release --bins --examples && python3 scripts/measure_tui.py [--runs 30] [--db DIR]

Issue 16's interleaved suite (160x48, round robin, medians, ratios to the minimal app):
  python3 scripts/measure_tui.py --suite --db DIR_WITH_1M_ROWS [--rounds 15] [--atac PATH]
For each round, in a shuffled order: the minimal app, ATAC (if given), the workbench on an empty
history and the workbench on DIR's history: time to the first complete frame, for the full history also the
time until its newest row is on screen (the first page), and resident memory once settled.
Then keystroke -> screen while a request hangs (p95). The history DIR is copied first, so the
runs never change it.

Issue 14's look-up (the calls behind the form's number, against the loopback sandbox):
  python3 scripts/measure_tui.py --lookup [--runs 20]
last digit of a valid number -> its calls on screen (the 60 ms pause included), and keystroke ->
screen while a look-up hangs. Needs only the workbench binary (cargo build --release).
"""
import argparse, os, pty, select, shutil, signal, statistics, subprocess, sys, tempfile, time, json
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# PHONELY_BENCH_BIN: another build of the workbench (e.g. a debug one, to try the script).
WORKBENCH = os.environ.get("PHONELY_BENCH_BIN") or os.path.join(ROOT, "target/release/phonely-outcomes")
MINIMAL = os.path.join(ROOT, "target/release/examples/minimal_tui")
# ratatui hides the cursor as the last step of a completed frame.
MARKER = b"\x1b[?25l"


SIZE = (32, 120)  # rows, columns: 120x32 like the tests; the suite uses 160x48


def spawn(argv, env):
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(argv[0], argv, env)
    import fcntl, termios, struct
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[0], SIZE[1], 0, 0))
    os.kill(pid, signal.SIGWINCH)
    return pid, fd


def read_until(fd, needle, timeout=10.0, buf=b""):
    deadline = time.monotonic() + timeout
    while needle not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"{needle!r} not seen; got {buf[-300:]!r}")
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
    return buf


def drain(fd, quiet=0.05):
    while True:
        r, _, _ = select.select([fd], [], [], quiet)
        if not r:
            return
        try:
            if not os.read(fd, 65536):
                return
        except OSError:
            return


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def finish(pid, fd):
    os.write(fd, b"\x11")  # Ctrl+Q
    drain(fd, 0.2)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    os.close(fd)


def keystroke_latency(fd, keys=40):
    times = []
    for i in range(keys):
        drain(fd, 0.02)
        t0 = time.perf_counter()
        os.write(fd, b"x")
        r, _, _ = select.select([fd], [], [], 5)
        if not r:
            raise TimeoutError("no redraw after a keystroke")
        os.read(fd, 65536)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, int(round(len(xs) * p)) - 1))]


def hung_keystrokes(data, env, keys=40):
    """Keystroke -> screen in the form while a send hangs in the sandbox."""
    sandbox = subprocess.Popen([WORKBENCH, "sandbox", "--addr", "127.0.0.1:0"], stdout=subprocess.PIPE, env=env)
    url = sandbox.stdout.readline().decode().split()[-1]
    req = urllib.request.Request(url + "/sandbox/faults", data=json.dumps({"kind": "hang"}).encode(), method="POST")
    urllib.request.urlopen(req).read()
    hang_env = dict(env, PHONELY_API_KEY="sandbox-key")
    pid, fd = spawn([WORKBENCH, "--data-dir", data, "--base-url", url], hang_env)
    read_until(fd, MARKER)
    drain(fd, 0.3)
    os.write(fd, b"agent123\tcall456\tSold")
    os.write(fd, b"\x13")
    read_until(fd, b"Send this update?")
    os.write(fd, b"\r")
    read_until(fd, b"Esc cancels")
    drain(fd, 0.2)
    os.write(fd, b"\x1b[Z")  # Shift+Tab back into a text field
    drain(fd, 0.1)
    hung = keystroke_latency(fd, keys)
    os.write(fd, b"\x1b")
    drain(fd, 0.2)
    finish(pid, fd)
    sandbox.terminate()
    sandbox.wait()
    return hung


def lookup_suite(args):
    """Issue 14: the calls list's look-up against the loopback sandbox.

    - last keystroke of a valid number -> that number's calls on screen (debounce included), a
      fresh workbench each run (so the first look-up of a process, client set-up and all), and
      a second number in the same process (a later look-up);
    - keystroke -> screen while a look-up hangs: the number's look-up goes to a loopback port
      that accepts and never answers; keys are typed into Outcome (a change of agent or number
      would cancel the look-up).
    """
    import socket, threading
    work = tempfile.mkdtemp(prefix="phonely-lookup-")
    env = dict(os.environ, TERM="xterm-256color", PHONELY_API_KEY="sandbox-key",
               PHONELY_OUTCOMES_CONFIG=os.path.join(work, "no-config.toml"),
               PHONELY_OUTCOMES_LOGS=os.path.join(work, "logs"))
    env.pop("PHONELY_PROFILE", None)
    sandbox = subprocess.Popen([WORKBENCH, "sandbox", "--addr", "127.0.0.1:0"],
                               stdout=subprocess.PIPE, env=env)
    url = sandbox.stdout.readline().decode().split()[-1]

    def until(fd, needle, t0):
        buf = b""
        while needle not in buf:
            left = 5 - (time.perf_counter() - t0)
            if left <= 0:
                raise TimeoutError(f"{needle!r} not on screen; got {buf[-300:]!r}")
            r, _, _ = select.select([fd], [], [], left)
            if r:
                buf += os.read(fd, 65536)
        return (time.perf_counter() - t0) * 1000

    first, later = [], []
    for i in range(args.runs):
        data = os.path.join(work, f"data{i}")
        pid, fd = spawn([WORKBENCH, "--data-dir", data, "--base-url", url], env)
        read_until(fd, MARKER)
        drain(fd, 0.3)
        os.write(fd, b"agent123\t+1415555123")
        drain(fd, 1.0)  # typed at a person's pace: everything drawn before the last digit
        t0 = time.perf_counter()
        os.write(fd, b"4")
        first.append(until(fd, b"call-last-415", t0))
        drain(fd, 0.2)
        os.write(fd, b"\x15+1617555012")  # Ctrl+U, another number of the agent
        drain(fd, 1.0)
        t0 = time.perf_counter()
        os.write(fd, b"3")
        later.append(until(fd, b"call-617-d", t0))
        drain(fd, 0.1)
        finish(pid, fd)
    sandbox.terminate()
    sandbox.wait()

    # A "Phonely" that takes the connection and never answers.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    held = []
    def hold():
        while True:
            try:
                held.append(silent.accept()[0])
            except OSError:
                return
    threading.Thread(target=hold, daemon=True).start()
    hang_url = "http://127.0.0.1:%d" % silent.getsockname()[1]
    # Within the default request timeout (15 s) the look-up is still on its way.
    pid, fd = spawn([WORKBENCH, "--data-dir", os.path.join(work, "hang"), "--base-url", hang_url], env)
    read_until(fd, MARKER)
    drain(fd, 0.3)
    os.write(fd, b"agent123\t+14155551234")
    read_until(fd, b"looking up the calls")
    drain(fd, 0.3)  # past the pause: the look-up is on its way, and hangs
    os.write(fd, b"\t\t")  # Preference, Outcome
    drain(fd, 0.1)
    hung = keystroke_latency(fd, 60)
    os.write(fd, b"\x15")
    drain(fd, 0.1)
    connections = len(held)
    finish(pid, fd)
    silent.close()
    shutil.rmtree(work, ignore_errors=True)
    med = statistics.median
    out = {
        "runs": args.runs,
        "size": "%dx%d" % (SIZE[1], SIZE[0]),
        "debounce_ms": 60,
        "last_digit_to_calls_on_screen_ms": {
            "first_lookup_of_the_process": {"median": round(med(first), 2), "p95": round(pct(first, 0.95), 2), "max": round(max(first), 2)},
            "later_lookup": {"median": round(med(later), 2), "p95": round(pct(later, 0.95), 2), "max": round(max(later), 2)},
        },
        "keystroke_ms_hung_lookup": {"median": round(med(hung), 3), "p95": round(pct(hung, 0.95), 3), "max": round(max(hung), 3)},
        "hung_lookup_connections": connections,
        "load_average": os.getloadavg(),
    }
    print(json.dumps(out, indent=2))


def suite(args):
    """Issue 16: minimal app, ATAC, workbench empty, workbench with DIR's history, round robin."""
    global SIZE
    SIZE = (48, 160)
    import sqlite3
    work = tempfile.mkdtemp(prefix="phonely-suite-")
    full = os.path.join(work, "full")
    shutil.copytree(args.db, full, ignore=shutil.ignore_patterns("logs", "*.lock"))
    db = sqlite3.connect(os.path.join(full, "history.sqlite3"))
    rows, newest = db.execute(
        "SELECT (SELECT count(*) FROM updates), target FROM updates ORDER BY id DESC LIMIT 1").fetchone()
    db.close()
    needle = newest.encode()
    env = dict(os.environ, TERM="xterm-256color",
               PHONELY_OUTCOMES_CONFIG=os.path.join(work, "no-config.toml"),
               PHONELY_OUTCOMES_LOGS=os.path.join(work, "logs"))
    for k in ("PHONELY_API_KEY", "PHONELY_PROFILE"):
        env.pop(k, None)
    apps = [("minimal", [MINIMAL], None)]
    if args.atac:
        os.makedirs(os.path.join(work, "atac"), exist_ok=True)
        apps.append(("atac", [args.atac, "-d", os.path.join(work, "atac")], None))
    empty = os.path.join(work, "empty")
    apps.append(("workbench_empty", [WORKBENCH, "--data-dir", empty, "--base-url", "http://127.0.0.1:9"], None))
    apps.append(("workbench_full", [WORKBENCH, "--data-dir", full, "--base-url", "http://127.0.0.1:9"], needle))
    # Other builds of the workbench on the same history (a "before" binary, say), interleaved.
    # Each on a copy of its own: a newer build migrates the history, which an older one refuses.
    # NAME=PATH@DIR: that build on a copy of DIR instead (an older build refuses a history
    # migrated past the schema it knows: give it one at its own schema with the same rows).
    for spec in args.also or []:
        name, _, path = spec.partition("=")
        path, _, db = path.partition("@")
        own = os.path.join(work, "also-" + name)
        shutil.copytree(db or args.db, own, ignore=shutil.ignore_patterns("logs", "*.lock"))
        apps.append((name, [path, "--data-dir", own, "--base-url", "http://127.0.0.1:9"], needle))
    first = {a[0]: [] for a in apps}
    page = {a[0]: [] for a in apps if a[2] is not None}
    rss = {a[0]: [] for a in apps}
    import random
    for r in range(args.rounds + 1):  # round 0 warms the page cache and is not counted
        # A new order each round (seeded, so runs repeat): whatever runs first in a round
        # would otherwise always pay for the caches the others then find warm.
        order = list(apps)
        random.Random(r).shuffle(order)
        for name, argv, wait_for in order:
            t0 = time.perf_counter()
            pid, fd = spawn(argv, env)
            buf = read_until(fd, MARKER)
            t_first = (time.perf_counter() - t0) * 1000
            if wait_for is not None:
                read_until(fd, wait_for, buf=buf)
                t_page = (time.perf_counter() - t0) * 1000
            drain(fd, 0.3)
            kb = rss_kb(pid)
            if name == "atac":
                os.write(fd, b"\x03")  # ATAC quits on Ctrl+C
                drain(fd, 0.2)
                try:
                    os.kill(pid, signal.SIGTERM)
                    os.waitpid(pid, 0)
                except (ProcessLookupError, ChildProcessError):
                    pass
                os.close(fd)
            else:
                finish(pid, fd)
            if r == 0:
                continue
            first[name].append(t_first)
            rss[name].append(kb)
            if wait_for is not None:
                page[name].append(t_page)
    hung = hung_keystrokes(empty, env)
    shutil.rmtree(work, ignore_errors=True)
    med = statistics.median
    bare = med(first["minimal"])
    out = {
        "rounds": args.rounds,
        "size": "160x48",
        "history_rows": rows,
        "first_frame_ms": {k: round(med(v), 2) for k, v in first.items()},
        "first_frame_ratio": {k: round(med(v) / bare, 3) for k, v in first.items()},
        "first_page_ms": {k: round(med(v), 2) for k, v in page.items()},
        "first_page_ratio": {k: round(med(v) / bare, 3) for k, v in page.items()},
        "rss_mb": {k: round(med(v) / 1024, 1) for k, v in rss.items()},
        "keystroke_ms_hung_request": {"median": round(med(hung), 3), "p95": round(pct(hung, 0.95), 3)},
        "load_average": os.getloadavg(),
    }
    print(json.dumps(out, indent=2))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--db", help="data dir holding a history database to start with")
    ap.add_argument("--suite", action="store_true", help="issue 16's interleaved suite (needs --db)")
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--atac", help="path to an ATAC binary to include in the suite")
    ap.add_argument("--also", action="append", metavar="NAME=PATH[@DIR]",
                    help="another workbench binary to run on the same history, or on a copy of DIR (e.g. before=old/phonely-outcomes@/tmp/big6)")
    ap.add_argument("--lookup", action="store_true",
                    help="issue 14: the calls list's look-up against the loopback sandbox (--runs)")
    args = ap.parse_args()
    if args.lookup:
        return lookup_suite(args)
    if args.suite:
        if not args.db:
            sys.exit("--suite needs --db DIR (a history made by examples/fill_history)")
        return suite(args)
    data = args.db or tempfile.mkdtemp(prefix="phonely-bench-")
    # Never the developer's own config, profile or log folder; logging on, as in real use.
    env = dict(os.environ, TERM="xterm-256color",
               PHONELY_OUTCOMES_CONFIG=os.path.join(data, "no-config.toml"),
               PHONELY_OUTCOMES_LOGS=os.path.join(data, "logs"))
    env.pop("PHONELY_API_KEY", None)
    env.pop("PHONELY_PROFILE", None)
    wb_argv = [WORKBENCH, "--data-dir", data, "--base-url", "http://127.0.0.1:9"]
    startup = {"workbench": [], "minimal": []}
    rss = {"workbench": [], "minimal": []}
    settled = []
    for i in range(args.runs):
        for name, argv in (("minimal", [MINIMAL]), ("workbench", wb_argv)):
            t0 = time.perf_counter()
            pid, fd = spawn(argv, env)
            read_until(fd, MARKER)
            startup[name].append((time.perf_counter() - t0) * 1000)
            drain(fd, 0.05)
            rss[name].append(rss_kb(pid))
            if name == "workbench" and i < 5:
                # Once the history has loaded too (its page of rows is on screen).
                drain(fd, 0.5)
                settled.append(rss_kb(pid))
            finish(pid, fd)

    # Filter keystroke -> results on screen: type a rare target into the history filter; time
    # from its last character to the redraw that shows the matching rows.
    filter_ms = []
    probe = None
    if args.db:
        import sqlite3
        db = sqlite3.connect(os.path.join(data, "history.sqlite3"))
        total = db.execute("SELECT max(id) FROM updates").fetchone()[0] or 0
        for k in range(5):
            row = db.execute(
                "SELECT target FROM updates WHERE target_kind = 'call' AND id <= ? ORDER BY id DESC LIMIT 1",
                (total * (k + 1) // 7,)).fetchone()
            if row:
                n = db.execute("SELECT count(*) FROM updates_fts WHERE updates_fts MATCH ?",
                               ('"' + row[0] + '"',)).fetchone()[0]
                probe = (row[0], n)
                pid, fd = spawn(wb_argv, env)
                read_until(fd, MARKER)
                drain(fd, 1.0)  # the first page of history is on screen
                os.write(fd, b"\x1b[Z")  # Shift+Tab: to the history pane
                drain(fd, 0.1)
                os.write(fd, b"/" + row[0][:-1].encode())
                drain(fd, 0.5)
                # The key is echoed at once (with "loading…"); the matching rows come in a
                # second redraw when the query answers. Time to that second redraw.
                t0 = time.perf_counter()
                os.write(fd, row[0][-1:].encode())
                bursts = 0
                while bursts < 2:
                    r, _, _ = select.select([fd], [], [], 5)
                    if not r:
                        raise TimeoutError("no redraw with the filter's results")
                    os.read(fd, 65536)
                    bursts += 1
                    # Bytes of one redraw can arrive in pieces: a piece within 1 ms of the
                    # previous belongs to the same redraw.
                    while select.select([fd], [], [], 0.001)[0]:
                        os.read(fd, 65536)
                filter_ms.append((time.perf_counter() - t0) * 1000)
                finish(pid, fd)
        db.close()

    # Keystroke -> screen, idle.
    pid, fd = spawn(wb_argv, env)
    read_until(fd, MARKER)
    drain(fd, 0.2)
    idle = keystroke_latency(fd)
    finish(pid, fd)

    # Keystroke -> screen while a request hangs (sandbox told to never answer).
    hung = hung_keystrokes(data, env)
    if not args.db:
        shutil.rmtree(data, ignore_errors=True)

    med = lambda xs: statistics.median(xs)
    out = {
        "runs": args.runs,
        "startup_ms": {k: round(med(v), 2) for k, v in startup.items()},
        "startup_ratio": round(med(startup["workbench"]) / med(startup["minimal"]), 3),
        "rss_kb": {k: med(v) for k, v in rss.items()},
        "rss_ratio": round(med(rss["workbench"]) / med(rss["minimal"]), 3),
        "rss_kb_history_loaded": med(settled),
        "filter_keystroke_to_results_ms": (
            {"median": round(med(filter_ms), 2), "max": round(max(filter_ms), 2), "probe": probe}
            if filter_ms else None),
        "keystroke_ms_idle": {"median": round(med(idle), 3), "p95": round(sorted(idle)[int(len(idle) * 0.95) - 1], 3)},
        "keystroke_ms_hung_request": {"median": round(med(hung), 3), "p95": round(sorted(hung)[int(len(hung) * 0.95) - 1], 3)},
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
