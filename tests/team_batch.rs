//! `batch` with the team log on, against the sandbox and a real PostgreSQL (a throwaway cluster
//! of its own, stopped and restarted; skipped with one line when PostgreSQL is not installed,
//! required with PHONELY_REQUIRE_POSTGRES=1): a run's rows reach the team log together, each
//! once; with the server stopped during a run they wait in the outbox and `team push` sends
//! them, each exactly once, after it is restarted.

#[allow(dead_code)] // std_cmd is for tests that kill the process
#[path = "common/cli_env.rs"]
mod cli_env;

use std::collections::HashSet;

use phonely_team::testing;
use phonely_team::{Target, TeamLog, TeamRow, TeamUrl};

const KEY: &str = "team-batch-key-Hw27";

async fn rows(url: &str) -> Vec<TeamRow> {
    let log = TeamLog::open(&Target::new(TeamUrl::new(url)))
        .await
        .unwrap();
    log.page(None, i64::MAX, 100_000).await.unwrap()
}

fn csv(dir: &std::path::Path, name: &str, n: usize, outcome: &str) -> std::path::PathBuf {
    let text: String = std::iter::once("agent_id,target,outcome,value\n".to_string())
        .chain((1..=n).map(|i| format!("agent123,call456,{outcome},{i}\n")))
        .collect();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_batch_reaches_the_team_log_once_even_with_the_server_stopped_during_it() {
    let Some(pg) = testing::own() else { return };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let rows = |url: &str| rt.block_on(rows(url));
    let db = rt.block_on(pg.create_database());
    let url = pg.superuser_url(&db);
    let env = cli_env::start(KEY);
    let files = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        env.cmd()
            .env("PHONELY_TEAM_DATABASE_URL", &url)
            .env("USER", "ana")
            .args(args)
            .output()
            .unwrap()
    };
    let migrate = run(&["team", "migrate"]);
    assert!(migrate.status.success(), "{migrate:?}");

    // Online: 1,200 rows (three transactions of up to 500), each once, completed.
    let first = csv(files.path(), "first.csv", 1200, "Sold");
    let out = run(&[
        "batch",
        first.to_str().unwrap(),
        "--yes",
        "--concurrency",
        "16",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("1200 rows recorded"), "{stderr}");
    let logged = rows(&url);
    assert_eq!(logged.len(), 1200);
    assert!(
        logged
            .iter()
            .all(|r| r.state == "ok" && r.operator == "ana")
    );
    let lines: HashSet<i64> = logged.iter().filter_map(|r| r.batch_line).collect();
    assert_eq!(lines.len(), 1200, "each row once");

    // Stopped during the run: the sends go on, the rows wait, nothing lost.
    pg.stop();
    let second = csv(files.path(), "second.csv", 700, "Callback");
    let out = run(&[
        "batch",
        second.to_str().unwrap(),
        "--yes",
        "--concurrency",
        "16",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("team log offline: 700 waiting"), "{stderr}");
    assert!(!stderr.contains("phonely-test-superuser"), "{stderr}");

    // Restarted: `team push` sends them, each exactly once; a second push has nothing to do.
    pg.restart();
    for expect in ["Pushed 700", "Nothing was waiting"] {
        let out = run(&["team", "push"]);
        let all = format!("{out:?}");
        assert!(all.contains(expect), "{all}");
    }
    let logged = rows(&url);
    assert_eq!(logged.len(), 1900, "every row once");
    let uuids: HashSet<_> = logged.iter().map(|r| r.uuid).collect();
    assert_eq!(uuids.len(), 1900);
    let callbacks: HashSet<i64> = logged
        .iter()
        .filter(|r| r.outcome.as_deref() == Some("Callback"))
        .filter_map(|r| r.batch_line)
        .collect();
    assert_eq!(callbacks.len(), 700, "each of the second run's rows once");
    assert!(logged.iter().all(|r| r.state == "ok"));
}
