//! Fills a team log with N made-up updates for the scale measurements (BENCHMARKS.md, "Team log
//! at ten million rows"): 100 operators, 20 agents, three years ending now, about five updates
//! per call, one in five sent to a phone, 85 % confirmed. The server makes the rows itself
//! (`INSERT … SELECT … FROM generate_series`, a million rows per statement), so nothing crosses
//! the network but the SQL.
//!
//!   cargo run --release -p phonely-team --example fill_team -- URL 10000000
//!
//! URL is a database you own (the schema is migrated first). A throwaway one: the rows are
//! fiction, and the team log never deletes them. It refuses a log that already holds rows
//! unless `--append` follows N.

use std::time::Instant;

use phonely_team::migrations::migrate;

/// Rows per statement (one transaction each, so progress shows and a stop keeps what is done).
const CHUNK: i64 = 1_000_000;
/// Three years, in milliseconds.
const SPAN_MS: i64 = 3 * 365 * 86_400_000;

/// The rows `from..to` (0-based) of `n`, spread evenly over the three years before `end_ms`.
fn chunk_sql(from: i64, to: i64, n: i64, end_ms: i64) -> String {
    let step = (SPAN_MS / n.max(1)).max(1);
    let start = end_ms - SPAN_MS;
    // i: the row; c: its call (about five updates per call, spread over the years); p: a phone
    // target for one in five.
    format!(
        r#"INSERT INTO phonely.updates (uuid, operator, session, profile, base_url, agent, target,
    target_kind, preference, outcome, value, metadata, method, url, body, state, created_ms,
    sent_ms, completed_ms, http_status, latency_ms, verified, resolved_call_id, message,
    response_body, response_truncated, response_cap, batch_line, pinned_call)
SELECT md5('fill' || i)::uuid,
    'operator' || lpad((i % 100)::text, 2, '0'),
    's-' || (i / 500),
    'default',
    'https://api.phonely.ai',
    'agent' || (c % 20),
    CASE WHEN phone THEN '+1415' || lpad((c % 10000000)::text, 7, '0') ELSE 'call' || c END,
    CASE WHEN phone THEN 'phone' ELSE 'call' END,
    CASE WHEN phone THEN 'last' END,
    (ARRAY['Sold', 'No Sale', 'Callback', 'Voicemail', 'Wrong Number'])[1 + i % 5],
    CASE WHEN i % 5 = 0 THEN ((i % 50) * 10)::text END,
    CASE WHEN i % 7 = 0 THEN '{{"ticket":"T-' || (i % 100000) || '"}}' END,
    'PATCH',
    'https://api.phonely.ai/v1/agents/agent' || (c % 20) || '/calls/'
        || CASE WHEN phone THEN '+1415' || lpad((c % 10000000)::text, 7, '0') ELSE 'call' || c END
        || '/outcome',
    '{{"outcome":"' || (ARRAY['Sold', 'No Sale', 'Callback', 'Voicemail', 'Wrong Number'])[1 + i % 5] || '"}}',
    CASE WHEN i % 100 < 85 THEN 'ok' WHEN i % 100 < 95 THEN 'refused' ELSE 'network_error' END,
    {start} + i * {step},
    {start} + i * {step} + 2,
    {start} + i * {step} + 40 + i % 200,
    CASE WHEN i % 100 < 85 THEN 200 WHEN i % 100 < 95 THEN 422 END,
    38 + i % 200,
    i % 100 < 85,
    CASE WHEN i % 100 < 85 THEN 'call' || c END,
    CASE WHEN i % 100 >= 85 AND i % 100 < 95 THEN 'Unknown outcome label' END,
    CASE WHEN i % 100 < 85 THEN '{{"ok":true}}' END,
    false,
    CASE WHEN i % 100 < 95 THEN 1048576 END,
    NULL,
    NULL
FROM (SELECT i, (i / 5 + (i % 5) * 1000003) % {calls} AS c, i % 5 = 4 AS phone
      FROM generate_series({from}::bigint, {last}::bigint) AS i) AS g"#,
        calls = (n / 5).max(1),
        last = to - 1,
    )
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(url), Some(n)) = (
        args.first(),
        args.get(1).and_then(|n| n.parse::<i64>().ok()),
    ) else {
        eprintln!("usage: fill_team URL N [--append]   (URL: a throwaway database you own)");
        std::process::exit(2);
    };
    let append = args.get(2).is_some_and(|a| a == "--append");
    let (mut client, conn) = match tokio_postgres::connect(url, tokio_postgres::NoTls).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("could not connect: {e}");
            std::process::exit(1);
        }
    };
    tokio::spawn(conn);
    if let Err(e) = migrate(&mut client).await {
        eprintln!("could not migrate: {e}");
        std::process::exit(1);
    }
    let had: i64 = client
        .query_one("SELECT count(*) FROM phonely.updates", &[])
        .await
        .expect("count")
        .get(0);
    if had > 0 && !append {
        eprintln!("the team log holds {had} rows already; add --append to add {n} more");
        std::process::exit(1);
    }
    let end_ms = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis(),
    )
    .unwrap_or(i64::MAX);
    client
        .batch_execute("SET synchronous_commit = off")
        .await
        .expect("set");
    let all = Instant::now();
    let mut from = had;
    while from < had + n {
        let to = (from + CHUNK).min(had + n);
        let t = Instant::now();
        let sql = chunk_sql(from - had, to - had, n, end_ms)
            .replace("md5('fill' || i)", &format!("md5('fill{had}-' || i)"));
        let added = client.execute(&sql, &[]).await.unwrap_or_else(|e| {
            eprintln!("insert failed: {e}");
            std::process::exit(1);
        });
        println!(
            "{:>10} rows  (+{added} in {:.1} s)",
            to,
            t.elapsed().as_secs_f64()
        );
        from = to;
    }
    let t = Instant::now();
    client
        .batch_execute("VACUUM ANALYZE phonely.updates")
        .await
        .expect("vacuum analyze");
    println!(
        "{n} rows in {:.1} s, then VACUUM ANALYZE in {:.1} s",
        all.elapsed().as_secs_f64() - t.elapsed().as_secs_f64(),
        t.elapsed().as_secs_f64()
    );
}
