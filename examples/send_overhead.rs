//! What the team log adds to one `send`, end to end: the release binary is run against the
//! in-process sandbox (loopback) with and without `PHONELY_TEAM_DATABASE_URL` pointing at a
//! throwaway local PostgreSQL (the test harness's cluster: TCP, SCRAM login), interleaved,
//! each on a data folder of its own. Prints the median and 90th percentile wall time of a whole
//! `send` process and the team log's cost (median with − median without, same run).
//!
//!   cargo build --release && cargo run --release --example send_overhead -- [ROUNDS] [NAME=BINARY]...
//!
//! `NAME=BINARY` adds another build (e.g. an older one) to the same rounds, with the team log on
//! (and through the pooler too, when one is named).
//!
//! With a connection pooler (issue 18: what the README's "For a team" advises for scripted
//! `send`s): `SEND_OVERHEAD_URL` is the team database to use instead of a throwaway cluster, and
//! `SEND_OVERHEAD_POOLED_URL` the same database through the pooler (e.g. PgBouncer, session
//! mode); this build then also runs with the team log through the pooler, in the same rounds.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KEY: &str = "send-overhead-key";

fn median(mut xs: Vec<Duration>) -> (f64, f64) {
    xs.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (
        ms(xs[xs.len() / 2]),
        ms(xs[(xs.len() * 9 / 10).min(xs.len() - 1)]),
    )
}

fn main() {
    let mut args = std::env::args().skip(1);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(40);
    let own = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/phonely-outcomes");
    let pooled = std::env::var("SEND_OVERHEAD_POOLED_URL").ok();
    // (name, binary, the team log's URL when on)
    let mut runs: Vec<(String, PathBuf, Option<usize>)> = vec![
        ("without team log".into(), own.clone(), None),
        ("with team log".into(), own.clone(), Some(0)),
    ];
    let through_pooler = pooled.is_some();
    if through_pooler {
        runs.push(("with team log, through the pooler".into(), own, Some(1)));
    }
    for extra in args {
        if let Some((name, path)) = extra.split_once('=') {
            runs.push((
                format!("{name}, with team log"),
                PathBuf::from(path),
                Some(0),
            ));
            if through_pooler {
                runs.push((format!("{name}, pooler"), PathBuf::from(path), Some(1)));
            }
        }
    }
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    // The cluster (when it is ours) lives until the end.
    let mut cluster = None;
    let url = if let Ok(url) = std::env::var("SEND_OVERHEAD_URL") {
        url
    } else {
        let Some(pg) = phonely_team::testing::own() else {
            eprintln!("PostgreSQL 15 is needed (Debian: apt install postgresql-15)");
            return;
        };
        let db = rt.block_on(pg.create_database());
        let url = pg.superuser_url(&db);
        cluster = Some(pg);
        url
    };
    let urls = [Some(url.clone()), pooled];
    let sandbox = rt
        .block_on(phonely_outcomes::sandbox::start("127.0.0.1:0", KEY))
        .expect("the sandbox listens");
    let base = sandbox.base_url();
    let work = tempfile::tempdir().expect("a temporary folder");
    let home = work.path().join("home");
    std::fs::create_dir_all(&home).expect("a home");

    // A person corrects many calls, each a few times at most: the rounds go through the demo
    // agent's calls in turn (the duplicate question's cost grows with one call's updates in
    // the window; one call sent to thousands of times is not what a desk does).
    let demo: serde_json::Value =
        serde_json::from_str(include_str!("../assets/sandbox-calls.json")).expect("demo data");
    let calls: Vec<String> = demo["calls"]
        .as_array()
        .expect("a calls list")
        .iter()
        .filter(|c| c["agent_id"] == "agent123")
        .filter_map(|c| c["id"].as_str().map(str::to_string))
        .collect();
    let send = |binary: &PathBuf, data: &PathBuf, team: Option<usize>, i: usize| {
        let mut cmd = Command::new(binary);
        cmd.env_clear()
            .env("HOME", &home)
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("PHONELY_API_KEY", KEY)
            .env("USER", "bench")
            .args(["--data-dir"])
            .arg(data)
            .args([
                "send",
                "--base-url",
                &base,
                "--agent",
                "agent123",
                "--call",
                &calls[i % calls.len()],
            ])
            .args(["--outcome", "Sold", "--value"])
            .arg(format!("{}", 100 + i))
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(Some(url)) = team.map(|k| &urls[k]) {
            cmd.env("PHONELY_TEAM_DATABASE_URL", url);
        }
        let t = Instant::now();
        let out = cmd.output().expect("the binary runs");
        let took = t.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && !stderr.contains("offline"),
            "{stderr}"
        );
        took
    };
    // The schema, once, by the tool itself.
    let migrated = Command::new(&runs[0].1)
        .env("PHONELY_TEAM_DATABASE_URL", &url)
        .env("HOME", &home)
        .args(["team", "migrate"])
        .output()
        .expect("team migrate runs");
    assert!(migrated.status.success(), "{migrated:?}");

    let dirs: Vec<PathBuf> = (0..runs.len())
        .map(|k| work.path().join(format!("data{k}")))
        .collect();
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); runs.len()];
    for round in 0..=rounds {
        // Round 0 warms the caches and is not counted; the order turns each round.
        for k in 0..runs.len() {
            let k = (k + round) % runs.len();
            let (_, binary, team) = &runs[k];
            let took = send(binary, &dirs[k], *team, round);
            if round > 0 {
                times[k].push(took);
            }
        }
    }
    let base_median = median(times[0].clone()).0;
    println!("{rounds} rounds, `send` end to end (process start to exit), ms:");
    println!(
        "{:<34} {:>8} {:>8} {:>10}",
        "", "median", "p90", "− without"
    );
    for ((name, _, _), t) in runs.iter().zip(times) {
        let (m, p) = median(t);
        println!("{name:<34} {m:>8.2} {p:>8.2} {:>+10.2}", m - base_median);
    }
    drop(sandbox);
    drop(cluster);
}
