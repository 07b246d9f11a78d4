//! The team log's reads at scale, against a database `fill_team` filled (BENCHMARKS.md, "Team
//! log at ten million rows"): the duplicate check, the Team view's first page and the next one,
//! a filter by call id (`history --team --call`, and the same id typed in the pane's `/`), an
//! operator's first page. Each is the median of N runs on different calls; then each query's
//! EXPLAIN (ANALYZE, BUFFERS) plan, to show which index it uses.
//!
//!   cargo run --release -p phonely-team --example team_scale -- URL [N]

use std::future::Future;
use std::time::{Duration, Instant};

use phonely_core::filter::Filter;
use phonely_team::search::Cursor;
use phonely_team::{Target, TeamLog, TeamUrl};

/// The Team view's page (the workbench asks for this many rows at a time).
const PAGE: i64 = 100;

async fn time<F, Fut, T>(what: &str, goal_ms: f64, n: usize, mut f: F)
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = T>,
{
    let mut times: Vec<Duration> = Vec::with_capacity(n);
    // One untimed run: the first touch of a cold page is the disk's time, not the query's.
    f(n).await;
    for i in 0..n {
        let t = Instant::now();
        f(i).await;
        times.push(t.elapsed());
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = ms(times[n / 2]);
    println!(
        "{what:<44} median {median:>8.3} ms   p90 {:>8.3} ms   max {:>8.3} ms   goal ≤ {goal_ms} ms {}",
        ms(times[n * 9 / 10]),
        ms(times[n - 1]),
        if median <= goal_ms { "✓" } else { "✗" }
    );
}

fn abbreviated(plan: &str) -> String {
    plan.lines()
        .filter(|l| !l.trim_start().starts_with("Buffers:") || l.starts_with("Planning"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(url) = args.first() else {
        eprintln!("usage: team_scale URL [N]");
        std::process::exit(2);
    };
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(51);
    let log = TeamLog::open(&Target::new(TeamUrl::new(url.clone())))
        .await
        .unwrap_or_else(|e| {
            eprintln!("{e}");
            std::process::exit(1);
        });
    println!("rows in the team log: {}", log.count().await.unwrap());
    // Calls spread over the three years (fill_team's call ids), and their agents.
    let calls: Vec<(String, String)> = (0..=n)
        .map(|i| {
            let c = (i * 38_917) % 2_000_000;
            (format!("agent{}", c % 20), format!("call{c}"))
        })
        .collect();
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis(),
    )
    .unwrap_or(i64::MAX);
    // The duplicate window the workbench asks for: rows of the agent + target in the last day;
    // since = 0 is the worst case (every update the call ever had).
    time("duplicate check (agent + target, 24 h)", 5.0, n, |i| {
        let (agent, target) = &calls[i];
        log.recent(agent, target, now - 86_400_000, 50)
    })
    .await;
    time("duplicate check (agent + target, all time)", 5.0, n, |i| {
        let (agent, target) = &calls[i];
        log.recent(agent, target, 0, 50)
    })
    .await;
    let empty = Filter::default();
    time("Team view: first page (100 rows)", 50.0, n, |_| {
        log.find(&empty, None, None, PAGE)
    })
    .await;
    let first = log.find(&empty, None, None, PAGE).await.unwrap();
    let last = first.last().unwrap();
    let cursor = Cursor {
        created_ms: last.created_ms,
        uuid: last.uuid,
    };
    time("Team view: the next page (cursor)", 50.0, n, |_| {
        log.find(&empty, None, Some(cursor), PAGE)
    })
    .await;
    let by_call: Vec<Filter> = calls
        .iter()
        .map(|(_, call)| Filter {
            call: Some(call.clone()),
            ..Filter::default()
        })
        .collect();
    time("filter by call id (--call)", 50.0, n, |i| {
        log.find(&by_call[i], None, None, PAGE)
    })
    .await;
    let typed: Vec<Filter> = calls
        .iter()
        .map(|(_, call)| Filter::parse_query(call).unwrap())
        .collect();
    time("filter by call id typed in / (a word)", 50.0, n, |i| {
        log.find(&typed[i], None, None, PAGE)
    })
    .await;
    let exact: Vec<Filter> = calls
        .iter()
        .map(|(_, call)| Filter::parse_query(&format!("call:{call}")).unwrap())
        .collect();
    time(
        "call:ID typed in / (Ctrl+F in the Team view)",
        50.0,
        n,
        |i| log.find(&exact[i], None, None, PAGE),
    )
    .await;
    let ops: Vec<String> = (0..=n).map(|i| format!("operator{:02}", i % 100)).collect();
    time("an operator's first page (--operator)", 50.0, n, |i| {
        log.find(&empty, Some(&ops[i]), None, PAGE)
    })
    .await;

    let (agent, target) = &calls[0];
    let plans = [
        (
            "duplicate check",
            log.explain(
                "EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM phonely.updates WHERE agent = $1 AND \
                 target = $2 AND created_ms >= $3 ORDER BY created_ms DESC LIMIT 50",
                &[agent, target, &0_i64],
            )
            .await,
        ),
        (
            "Team view: first page",
            log.explain_find(&empty, None, PAGE).await,
        ),
        (
            "filter by call id (--call)",
            log.explain_find(&by_call[0], None, PAGE).await,
        ),
        (
            "filter by call id typed in /",
            log.explain_find(&typed[0], None, PAGE).await,
        ),
        (
            "an operator's first page",
            log.explain_find(&empty, Some(&ops[0]), PAGE).await,
        ),
    ];
    for (what, plan) in plans {
        println!("\n-- {what}\n{}", abbreviated(&plan.unwrap()));
    }
}
