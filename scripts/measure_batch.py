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
       [--repeat 5] [--skip-curl]
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
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="phonely-batch-")
    sandbox = subprocess.Popen([BIN, "sandbox", "--addr", "127.0.0.1:0"], stdout=subprocess.PIPE)
    url = sandbox.stdout.readline().decode().split()[-1]
    calls = json.load(urllib.request.urlopen(url + "/sandbox/calls"))["calls"]
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

    def env():
        return dict(os.environ, PHONELY_OUTCOMES_DATA=os.path.join(work, "data"),
                    PHONELY_OUTCOMES_CONFIG=os.path.join(work, "config.toml"),
                    PHONELY_OUTCOMES_LOGS=os.path.join(work, "logs"), PHONELY_API_KEY=KEY)
    def cpu():
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime
    batch, bare, pairs, imports, batch_cpu, bare_cpu = [], [], [], [], [], []
    # One history for every run, as a user has: it grows by N rows a run. It exists before the
    # first (creating the database is a one-time cost of about 10 ms, four fsyncs): a one-row
    # batch creates it, and `history` imports that batch's journal.
    subprocess.run([BIN, "batch", one_path, "--yes", "--base-url", url], env=env(),
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run([BIN, "history", "--limit", "1"], env=env(), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(args.repeat):
        t, c = time.perf_counter(), cpu()
        subprocess.run([BIN, "batch", csv_path, "--yes", "--concurrency", "16", "--base-url", url],
                       env=env(), check=True, stderr=subprocess.DEVNULL)
        batch.append(time.perf_counter() - t)
        batch_cpu.append(cpu() - c)
        t, c = time.perf_counter(), cpu()
        subprocess.run([BARE, csv_path, url, KEY, "16"], check=True, stderr=subprocess.DEVNULL)
        bare.append(time.perf_counter() - t)
        bare_cpu.append(cpu() - c)
        pairs.append(bare[-1] / batch[-1])
        # The next look at the history imports the journal (one row, so printing costs nothing).
        t = time.perf_counter()
        subprocess.run([BIN, "history", "--limit", "1"], env=env(), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        imports.append(time.perf_counter() - t)
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
    out["rows"] = n
    out["repeat"] = args.repeat
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
