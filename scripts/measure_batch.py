#!/usr/bin/env python3
"""Batch throughput on loopback, side by side in one run, against one sandbox:
  1. a shell loop: `xargs -P16 curl`, one process per row (what teams do today);
  2. `phonely-outcomes batch --yes --concurrency 16` (recorded, ordered per call, retries);
  3. examples/bare_batch.rs: same parse, build and client, no history (the client-side limit).
Each sends the same N rows (spread over every call the sandbox knows). The curl loop runs once
(it is slow); the tool and the bare loop run --repeat times each, alternately, the tool always
with the same history, which grows by N rows a run (as a user's does). Prints rows/s (medians)
and the ratios batch/curl and batch/bare, the ratio of each alternate pair, the ratio of the
fastest runs and of the clients' CPU time (the two clients are one-threaded and CPU-bound
here), and how long the next opening of the history took to import the run's journal into the
indexed history (a cost the batch run leaves to it).

Usage: cargo build --release --bins --examples && python3 scripts/measure_batch.py [--rows 2000]
       [--repeat 5] [--skip-curl] [--bin PATH] [--also NAME=PATH ...] [--team URL]

--also NAME=PATH adds another build of the tool (e.g. before=/tmp/po-before) to every round, with
a history of its own: each round runs the builds (in an order that turns round by round) and
then the bare client, so every build's ratio to the bare client, and to the first build, comes
from the same run.

--team URL adds the same build with the team log on (PHONELY_TEAM_DATABASE_URL=URL, a PostgreSQL
the caller started; `team migrate` is run on it first) as the build named "team", so its ratio to
the bare client (issue 18: >= 0.7x) and to the build without the team log come from the same run.
"""
import argparse, json, os, resource, statistics, subprocess, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target/release/phonely-outcomes")
BARE = os.path.join(ROOT, "target/release/examples/bare_batch")
KEY = "sandbox-key"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--skip-curl", action="store_true",
                    help="only the tool and the bare client (the curl loop takes minutes and "
                         "leaves the machine loaded for the pairs after it)")
    ap.add_argument("--bin", default=BIN, help="the build to measure (default: this tree's)")
    ap.add_argument("--also", action="append", default=[], metavar="NAME=PATH",
                    help="another build, interleaved round by round (its own history)")
    ap.add_argument("--team", metavar="URL",
                    help="also run this build with the team log on this PostgreSQL URL")
    args = ap.parse_args()
    tools = [("batch", args.bin)] + [tuple(a.split("=", 1)) for a in args.also]
    if args.team:
        tools.append(("team", args.bin))
    work = tempfile.mkdtemp(prefix="phonely-batch-")
    sandbox = subprocess.Popen([args.bin, "sandbox", "--addr", "127.0.0.1:0"], stdout=subprocess.PIPE)
    url = sandbox.stdout.readline().decode().split()[-1]
    # Not the sandbox's call of `agent-other-team`: the key may not update it (403), and a 403
    # stops a batch (every further row would be refused the same way).
    calls = [c for c in json.load(urllib.request.urlopen(url + "/sandbox/calls"))["calls"]
             if c["agent_id"] != "agent-other-team"]
    rows = [(calls[i % len(calls)]["agent_id"], calls[i % len(calls)]["id"], i + 1)
            for i in range(args.rows)]
    csv_path = os.path.join(work, "rows.csv")
    with open(csv_path, "w") as f:
        f.write("agent_id,target,outcome,value\n")
        for agent, call, v in rows:
            f.write(f"{agent},{call},Sold,{v}\n")
    one_path = os.path.join(work, "one.csv")
    with open(one_path, "w") as f:
        f.write("agent_id,target,outcome,value\n")
        f.write(f"{rows[0][0]},{rows[0][1]},Sold,0\n")
    jobs = os.path.join(work, "jobs.txt")
    with open(jobs, "w") as f:
        for i, (agent, call, v) in enumerate(rows):
            body = os.path.join(work, f"b{i}.json")
            with open(body, "w") as b:
                b.write(json.dumps({"custom_call_outcome": "Sold", "custom_call_outcome_value": v}))
            f.write(f"{url}/api/calls/{agent}/{call} {body}\n")
    results = {}

    if not args.skip_curl:
        t = time.perf_counter()
        subprocess.run(
            ["xargs", "-P16", "-L1", "sh", "-c",
             'curl -s -o /dev/null -X PATCH "$0" -H "Content-Type: application/json" '
             f'-H "X-Authorization: {KEY}" --data-binary @"$1"'],
            stdin=open(jobs), check=True)
        results["curl_xargs_P16"] = time.perf_counter() - t

    def env(name="batch"):
        data = "data" if name == "batch" else f"data-{name}"
        e = dict(os.environ, PHONELY_OUTCOMES_DATA=os.path.join(work, data),
                 PHONELY_OUTCOMES_CONFIG=os.path.join(work, "config.toml"),
                 PHONELY_OUTCOMES_LOGS=os.path.join(work, "logs"), PHONELY_API_KEY=KEY)
        e.pop("PHONELY_TEAM_DATABASE_URL", None)
        if name == "team":
            e["PHONELY_TEAM_DATABASE_URL"] = args.team
        return e
    def cpu():
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime
    runs = {name: [] for name, _ in tools}
    runs_cpu = {name: [] for name, _ in tools}
    pairs_of = {name: [] for name, _ in tools}
    imports_of = {name: [] for name, _ in tools}
    bare, bare_cpu = [], []
    # One history for every run, as a user has: it grows by N rows a run. It exists before the
    # first (creating the database is a one-time cost of about 10 ms, four fsyncs): a one-row
    # batch creates it, and `history` imports that batch's journal.
    if args.team:
        subprocess.run([args.bin, "team", "migrate"], env=env("team"), check=True,
                       stdout=subprocess.DEVNULL)
    for name, path in tools:
        subprocess.run([path, "batch", one_path, "--yes", "--base-url", url], env=env(name),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([path, "history", "--limit", "1"], env=env(name), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for round_ in range(args.repeat):
        # The builds' order turns each round: none always runs first (or right after curl).
        turn = round_ % len(tools)
        for name, path in tools[turn:] + tools[:turn]:
            t, c = time.perf_counter(), cpu()
            subprocess.run([path, "batch", csv_path, "--yes", "--concurrency", "16",
                            "--base-url", url], env=env(name), check=True,
                           stderr=subprocess.DEVNULL)
            runs[name].append(time.perf_counter() - t)
            runs_cpu[name].append(cpu() - c)
        t, c = time.perf_counter(), cpu()
        subprocess.run([BARE, csv_path, url, KEY, "16"], check=True, stderr=subprocess.DEVNULL)
        bare.append(time.perf_counter() - t)
        bare_cpu.append(cpu() - c)
        for name, path in tools:
            pairs_of[name].append(bare[-1] / runs[name][-1])
            # The next look at the history imports the journal (one row, so printing costs
            # nothing).
            t = time.perf_counter()
            subprocess.run([path, "history", "--limit", "1"], env=env(name), check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            imports_of[name].append(time.perf_counter() - t)
    batch, batch_cpu, pairs, imports = (runs["batch"], runs_cpu["batch"], pairs_of["batch"],
                                        imports_of["batch"])
    results["phonely_outcomes_batch"] = statistics.median(batch)
    results["bare_client"] = statistics.median(bare)

    sandbox.terminate()
    sandbox.wait()
    n = args.rows
    out = {k: {"seconds": round(v, 3), "rows_per_s": round(n / v)} for k, v in results.items()}
    if not args.skip_curl:
        out["batch_vs_curl"] = round(
            results["curl_xargs_P16"] / results["phonely_outcomes_batch"], 2)
    out["batch_vs_bare"] = round(results["bare_client"] / results["phonely_outcomes_batch"], 2)
    out["batch_vs_bare_per_pair"] = [round(p, 2) for p in pairs]
    out["batch_vs_bare_per_pair_median"] = round(statistics.median(pairs), 2)
    if len(pairs) >= 4:
        out["batch_vs_bare_per_pair_quartiles"] = [
            round(q, 2) for q in statistics.quantiles(pairs, n=4)]
    # The fastest of each: the runs least disturbed by whatever else the machine was doing.
    out["batch_vs_bare_fastest"] = round(min(bare) / min(batch), 2)
    # The client's own CPU (both are one-threaded and CPU-bound here, so this is their speed
    # without the waits other processes cause).
    out["batch_vs_bare_cpu"] = round(statistics.median(bare_cpu) / statistics.median(batch_cpu), 2)
    out["next_history_open_seconds"] = round(statistics.median(imports), 3)
    for name, _ in tools[1:]:
        other = runs[name]
        out[name] = {
            "rows_per_s": round(n / statistics.median(other)),
            "vs_bare": round(results["bare_client"] / statistics.median(other), 2),
            "vs_bare_per_pair_median": round(statistics.median(pairs_of[name]), 2),
            "vs_bare_per_pair": [round(p, 2) for p in pairs_of[name]],
            "vs_bare_cpu": round(statistics.median(bare_cpu) / statistics.median(runs_cpu[name]), 2),
            # Above 1: the first build (--bin) is faster than this one, round by round.
            "batch_speed_over_this_per_round_median": round(
                statistics.median(o / b for o, b in zip(other, batch)), 2),
            "batch_speed_over_this_per_round": [round(o / b, 2) for o, b in zip(other, batch)],
            "next_history_open_seconds": round(statistics.median(imports_of[name]), 3),
        }
    out["rows"] = n
    out["repeat"] = args.repeat
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
