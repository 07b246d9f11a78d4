//! `batch` with the team log on, against the sandbox and a real PostgreSQL (a throwaway cluster
//! of its own, stopped and restarted; skipped with one line when PostgreSQL is not installed,
//! required with PHONELY_REQUIRE_POSTGRES=1): a run's rows reach the team log together, each
//! once; with the server stopped during a run they wait in the outbox and `team push` sends
//! them, each exactly once, after it is restarted. A run's rows reach the team log while it
//! goes on; a run killed part way and then resumed leaves every row in the team log once.

mod common;

use common::cli_env;

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

/// A command's `--json` output, one value a line (the command must have succeeded).
fn json_lines(out: &std::process::Output) -> Vec<serde_json::Value> {
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
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
    let (rt, url) = cli_env::team_database(&pg);
    let rows = |url: &str| rt.block_on(rows(url));
    let env = cli_env::start(KEY);
    let files = tempfile::tempdir().unwrap();
    let run_on = |url: &str, args: &[&str]| {
        env.cmd()
            .env("PHONELY_TEAM_DATABASE_URL", url)
            .env("USER", "ana")
            .args(args)
            .output()
            .unwrap()
    };
    let run = |args: &[&str]| run_on(&url, args);
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
    // The team log's rows are the local history's (taken from the run's journal before the
    // history imported it): the same times, answers and verdicts, row by row.
    let local = json_lines(&run(&["history", "--batch", "1", "--json"]));
    assert_eq!(local.len(), 1200);
    for l in &local {
        let line = l["batch_line"].as_i64().unwrap();
        let team = logged.iter().find(|r| r.batch_line == Some(line)).unwrap();
        let record = team.to_record();
        let team_json = serde_json::to_value(&record).unwrap();
        for field in [
            "session",
            "agent",
            "target",
            "body",
            "url",
            "state",
            "created_ms",
            "sent_ms",
            "completed_ms",
            "http_status",
            "latency_ms",
            "verified",
            "resolved_call_id",
            "message",
            "response_body",
            "response_cap",
        ] {
            assert_eq!(l[field], team_json[field], "{field} of line {line}");
        }
    }

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

    // A first run on a machine (its data folder not made yet) logs its rows too: the team
    // log's outbox is opened beside the history that makes the folder.
    let fresh = files.path().join("not-made-yet");
    let few = csv(files.path(), "few.csv", 3, "Sold");
    let db = rt.block_on(pg.create_database());
    let url = pg.superuser_url(&db);
    let migrate = run_on(&url, &["team", "migrate"]);
    assert!(migrate.status.success(), "{migrate:?}");
    let out = env
        .cmd()
        .env("PHONELY_TEAM_DATABASE_URL", &url)
        .env("PHONELY_OUTCOMES_DATA", &fresh)
        .env("USER", "ana")
        .args(["batch", few.to_str().unwrap(), "--yes"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("3 rows recorded"), "{stderr}");
    assert_eq!(rows(&url).len(), 3);
}

#[test]
fn rows_reach_the_team_log_during_the_run_and_a_killed_run_resumed_logs_each_row_once() {
    use phonely_outcomes::sandbox::Fault;
    let Some(pg) = testing::own() else { return };
    let (rt, url, env) = cli_env::team_env(&pg, KEY);
    let count = |url: &str| rt.block_on(rows(url)).len();
    let files = tempfile::tempdir().unwrap();
    // Slow answers, so the run is surely still going when the first groups are logged.
    env.sandbox
        .sandbox
        .set_standing_fault(Fault::Delay { ms: 20 }, None);
    let file = csv(files.path(), "many.csv", 1000, "Sold");
    let mut child = env
        .std_cmd()
        .env("PHONELY_TEAM_DATABASE_URL", &url)
        .args([
            "batch",
            file.to_str().unwrap(),
            "--yes",
            "--concurrency",
            "4",
        ])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    common::wait_until(
        "the first rows in the team log while the run goes on",
        std::time::Duration::from_secs(60),
        || count(&url) >= 300,
    );
    assert!(
        child.try_wait().unwrap().is_none(),
        "the run was still going"
    );
    child.kill().unwrap(); // SIGKILL
    let _ = child.wait();
    let during = count(&url);
    assert!(during < 1000, "killed part way ({during} rows logged)");

    // Resumed once the killed run's requests are handled: its rows not logged yet (those
    // after the last group, those in flight at the kill) and the rest of the file's.
    common::wait_until(
        "the killed run's requests to be handled",
        std::time::Duration::from_secs(60),
        || env.sandbox.sandbox.handling() == 0,
    );
    env.sandbox.sandbox.clear_faults();
    let out = env
        .cmd()
        .env("PHONELY_TEAM_DATABASE_URL", &url)
        .args(["batch", "--resume", "1", "--yes"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("rows recorded"), "{stderr}");
    let logged = rt.block_on(rows(&url));
    let lines: HashSet<i64> = logged.iter().filter_map(|r| r.batch_line).collect();
    assert_eq!(lines.len(), 1000, "every line of the file");
    assert_eq!(logged.len(), 1000, "each once");
    let sessions: HashSet<&str> = logged.iter().map(|r| r.session.as_str()).collect();
    assert_eq!(sessions.len(), 2, "the killed run's rows and the resume's");
    // The local history agrees, row for row.
    let local = json_lines(
        &env.cmd()
            .args(["history", "--batch", "1", "--json"])
            .output()
            .unwrap(),
    );
    assert_eq!(local.len(), 1000);
    for l in &local {
        let line = l["batch_line"].as_i64().unwrap();
        let team = logged.iter().find(|r| r.batch_line == Some(line)).unwrap();
        assert_eq!(
            l["session"].as_str(),
            Some(team.session.as_str()),
            "line {line}"
        );
        assert_eq!(
            l["state"].as_str(),
            Some(team.state.as_str()),
            "line {line}"
        );
    }
}
