//! `history --team` and `--operator` against a real PostgreSQL (a throwaway cluster; skipped
//! with one line when PostgreSQL is not installed, required with PHONELY_REQUIRE_POSTGRES=1):
//! the history's filters and its three formats, pages that go on past rows recorded at the same
//! millisecond, server text made inert, and local numbers (`--batch`, `show`) refused.

mod common;

use assert_cmd::Command;
use common::cli_env;
use phonely_team::testing::{self, pending_row};
use phonely_team::{Target, TeamLog, TeamRow, TeamUrl};

/// 2026-11-25 10:00:00 UTC.
const T0: i64 = 1_795_600_800_000;

fn cmd(home: &std::path::Path, url: &str) -> Command {
    let mut c = Command::cargo_bin("phonely-outcomes").unwrap();
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("USER", "tester")
        .env("TZ", "UTC")
        .env("PHONELY_OUTCOMES_DATA", home.join("data"))
        .env("PHONELY_TEAM_DATABASE_URL", url);
    c
}

fn done(mut r: TeamRow, state: &str) -> TeamRow {
    r.state = state.to_string();
    r.completed_ms = Some(r.created_ms + 40);
    r.http_status = Some(if state == "ok" { 200 } else { 422 });
    r.verified = state == "ok";
    r.latency_ms = Some(40);
    r
}

/// Ana: 3 rows on call-a (ok, refused, ok at 299/499); Ben: one phone row resolved to call-b,
/// and a row whose outcome carries an escape sequence.
async fn fill(url: &str) {
    let mut log = TeamLog::open(&Target::new(TeamUrl::new(url.to_string())))
        .await
        .unwrap();
    let mut rows = vec![
        done(pending_row("Ana", "agent1", "call-a", T0), "ok"),
        done(
            pending_row("Ana", "agent1", "call-a", T0 + 60_000),
            "refused",
        ),
        {
            let mut r = done(pending_row("Ana", "agent1", "call-a", T0 + 120_000), "ok");
            r.value = Some("499".into());
            r
        },
        {
            let mut r = done(
                pending_row("Ben", "agent2", "+14155551234", T0 + 180_000),
                "ok",
            );
            r.target_kind = "phone".into();
            r.preference = Some("last".into());
            r.resolved_call_id = Some("call-b".into());
            r
        },
        {
            let mut r = done(pending_row("Ben", "agent2", "call-c", T0 + 240_000), "ok");
            r.outcome = Some("Sold\u{1b}[2J".into());
            r
        },
    ];
    // 2,100 rows of Cy's at a few repeated milliseconds, a day earlier: pages (of 200) must
    // go on past rows that share a time.
    for i in 0..2100 {
        rows.push(done(
            pending_row(
                "Cy",
                "agent3",
                &format!("bulk-{i}"),
                T0 - 86_400_000 + i % 3,
            ),
            "ok",
        ));
    }
    assert_eq!(log.insert_many(&rows).await.unwrap(), 2105);
}

fn lines(out: &std::process::Output) -> Vec<String> {
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn team_history_takes_the_history_filters_and_formats() {
    let Some(pg) = testing::shared() else { return };
    let (rt, url) = cli_env::team_database(pg);
    let home = tempfile::tempdir().unwrap();
    let migrate = cmd(home.path(), &url)
        .args(["team", "migrate"])
        .output()
        .unwrap();
    assert!(migrate.status.success(), "{migrate:?}");
    rt.block_on(fill(&url));
    let run = |args: &[&str]| {
        cmd(home.path(), &url)
            .arg("history")
            .args(args)
            .output()
            .unwrap()
    };

    // The table: newest first, an Operator column, 20 rows by default, no raw escape.
    let out = run(&["--team"]);
    let table = lines(&out);
    assert!(
        table[0].starts_with("Recorded") && table[0].contains("Operator"),
        "{table:?}"
    );
    assert_eq!(table.len(), 21, "header + 20");
    assert!(
        table[1].contains(" Ben ") && table[1].contains("call-c"),
        "{table:?}"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));

    // The history's filters.
    let count = |args: &[&str]| lines(&run(args)).len();
    assert_eq!(count(&["--operator", "Ana", "--json"]), 3);
    assert_eq!(count(&["--team", "--state", "failed", "--json"]), 1);
    assert_eq!(
        count(&[
            "--team",
            "--outcome",
            "sold",
            "--agent",
            "agent1",
            "--state",
            "ok",
            "--json"
        ]),
        2
    );
    assert_eq!(count(&["--team", "--value", "499.0", "--json"]), 1);
    assert_eq!(
        count(&["--team", "--call", "call-b", "--json"]),
        1,
        "a resolved call"
    );
    assert_eq!(
        count(&["--team", "--target", "(415) 555-1234", "--json"]),
        1
    );
    assert_eq!(count(&["--team", "--target", "555-1234", "--json"]), 1);
    assert_eq!(count(&["--team", "--text", "call-a", "--json"]), 3);
    assert_eq!(
        count(&[
            "--team",
            "--since",
            "2026-11-25T10:01:00Z",
            "--until",
            "2026-11-25T10:04:00Z",
            "--json"
        ]),
        3
    );
    assert_eq!(
        count(&[
            "--operator",
            "Ana",
            "--state",
            "ok",
            "--limit",
            "1",
            "--json"
        ]),
        1
    );

    // JSON: the local history's fields, `id` null, `operator` and `uuid`; newest first.
    let json: Vec<serde_json::Value> = lines(&run(&["--operator", "Ana", "--json"]))
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for key in [
        "id",
        "session",
        "operator",
        "profile",
        "base_url",
        "agent",
        "target",
        "target_kind",
        "outcome",
        "value",
        "state",
        "created_ms",
        "completed_ms",
        "http_status",
        "verified",
        "resolved_call_id",
        "batch_id",
        "batch_line",
        "uuid",
    ] {
        assert!(json[0].get(key).is_some(), "{key}: {}", json[0]);
    }
    assert!(json[0]["id"].is_null());
    assert_eq!(json[0]["value"], "499");
    assert_eq!(json[1]["state"], "refused");

    // Every row once across pages (of 200), even where 700 rows share a millisecond.
    let all = lines(&run(&["--operator", "Cy", "--json"]));
    assert_eq!(all.len(), 2100);
    let uuids: std::collections::HashSet<String> = all
        .iter()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["uuid"].to_string())
        .collect();
    assert_eq!(uuids.len(), 2100);

    // CSV: the local header plus uuid, one record per row, made inert.
    let out = run(&["--team", "--format", "csv", "--agent", "agent2"]);
    let csv = lines(&out);
    assert!(
        csv[0].starts_with("id,created_at,") && csv[0].ends_with(",uuid"),
        "{}",
        csv[0]
    );
    assert_eq!(csv.len(), 3);
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));

    // Nothing matches: said on stderr, success.
    let out = run(&["--team", "--agent", "nobody"]);
    assert!(out.status.success() && out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("No updates match in the team log"));

    // Local numbers are refused with a reason.
    for args in [&["--team", "--batch", "1"][..], &["--team", "show", "1"]] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("this laptop's history"),
            "{out:?}"
        );
    }
    let out = run(&["--team", "--state", "sideways"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--state sideways is not a state"));
}
