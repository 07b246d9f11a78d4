//! What the team log adds to one `send`, against a throwaway local PostgreSQL: the connection
//! (TCP, SCRAM login, schema check: once per `send` process), the duplicate check, and the
//! pending insert plus the completion (per update). Prints medians and the 90th percentile.
//!
//!   cargo run --release -p phonely-team --example team_overhead [-- N]

use std::time::{Duration, Instant};

use phonely_team::migrations::migrate;
use phonely_team::{Target, TeamLog, TeamRow, TeamUrl};

fn row(i: i64) -> TeamRow {
    let target = format!("call{}", i % 500);
    phonely_team::testing::pending_row("bench", "agent123", &target, 1_700_000_000_000 + i)
}

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{what:<34} median {:>7.3} ms   p90 {:>7.3} ms   (n = {})",
        ms(times[times.len() / 2]),
        ms(times[times.len() * 9 / 10]),
        times.len()
    );
}

#[tokio::main]
async fn main() {
    let n: i64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(300);
    let Some(pg) = phonely_team::testing::own() else {
        return;
    };
    let db = pg.create_database().await;
    let url = pg.superuser_url(&db);
    let (mut c, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    migrate(&mut c).await.unwrap();
    let target = Target::new(TeamUrl::new(url));

    let mut connect = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let log = TeamLog::open(&target).await.unwrap();
        connect.push(t.elapsed());
        drop(log);
    }
    let log = TeamLog::open(&target).await.unwrap();
    let (mut dup, mut write) = (Vec::new(), Vec::new());
    for i in 0..n {
        let r = row(i);
        let t = Instant::now();
        log.recent(&r.agent, &r.target, 0, 50).await.unwrap();
        dup.push(t.elapsed());
        let t = Instant::now();
        log.insert(&r).await.unwrap();
        let done = TeamRow {
            state: "ok".into(),
            completed_ms: Some(r.created_ms + 5),
            http_status: Some(200),
            verified: true,
            ..r.clone()
        };
        log.complete(&done).await.unwrap();
        write.push(t.elapsed());
    }
    report("connect (login + schema check)", connect);
    report("duplicate check", dup);
    report("pending insert + completion", write);
}
