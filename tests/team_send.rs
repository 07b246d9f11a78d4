//! `send` with the team log on, against the sandbox and a real PostgreSQL (a throwaway cluster;
//! skipped with one line when PostgreSQL is not installed, required with
//! PHONELY_REQUIRE_POSTGRES=1): the update is in the team log once, completed, under the
//! operator's name, never with the key; with the server unreachable the send goes on and the
//! update waits in the outbox until `team push`.

mod common;

use common::cli_env;

use phonely_team::testing;
use phonely_team::{Target, TeamLog, TeamUrl};

const KEY: &str = "team-send-key-Zq81";

fn send_args() -> [&'static str; 11] {
    [
        "send",
        "--agent",
        "agent123",
        "--call",
        "call456",
        "--outcome",
        "Sold",
        "--value",
        "299",
        "--yes",
        "--quiet",
    ]
}

/// A runtime for reading the team log, a fresh database on the shared throwaway cluster (its
/// URL), the sandbox and data folder, and the schema made by the tool itself. `None` when
/// PostgreSQL is not installed (the test then passes with the harness's one line).
fn team_env() -> Option<(tokio::runtime::Runtime, String, cli_env::CliEnv)> {
    testing::shared().map(|pg| cli_env::team_env(pg, KEY))
}

async fn rows(url: &str) -> Vec<phonely_team::TeamRow> {
    let log = TeamLog::open(&Target::new(TeamUrl::new(url)))
        .await
        .unwrap();
    log.page(None, i64::MAX, 100).await.unwrap()
}

#[test]
fn a_send_is_in_the_team_log_once_and_waits_while_it_is_offline() {
    let Some((rt, url, env)) = team_env() else {
        return;
    };
    let rows = |url: &str| rt.block_on(rows(url));

    let out = env
        .cmd()
        .env("PHONELY_TEAM_DATABASE_URL", &url)
        .env("USER", "ana")
        .args(&send_args()[..9])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("team log offline"), "{stderr}");
    let logged = rows(&url);
    assert_eq!(logged.len(), 1, "{logged:?}");
    let r = &logged[0];
    assert_eq!((r.operator.as_str(), r.state.as_str()), ("ana", "ok"));
    assert_eq!(
        (r.agent.as_str(), r.target.as_str()),
        ("agent123", "call456")
    );
    assert_eq!(r.outcome.as_deref(), Some("Sold"));
    assert_eq!(r.http_status, Some(200));
    let json = serde_json::to_string(r).unwrap();
    assert!(
        !json.contains(KEY),
        "the key is never in the team log: {json}"
    );

    // The server unreachable: the send goes on, the update waits, nothing lost.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let away = url.replace(
        &testing::shared().unwrap().port().to_string(),
        &port.to_string(),
    );
    let out = env
        .cmd()
        .env("PHONELY_TEAM_DATABASE_URL", &away)
        .env("USER", "ana")
        .args(&send_args()[..9])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the send goes on: {stderr}");
    assert!(stderr.contains("team log offline: 1 waiting"), "{stderr}");
    assert!(!stderr.contains("phonely-test-superuser"), "{stderr}");
    assert_eq!(rows(&url).len(), 1);

    // Back: `team push` sends it, once; a second push has nothing to do.
    for expect in ["Pushed 2", "Nothing was waiting"] {
        let out = env
            .cmd()
            .env("PHONELY_TEAM_DATABASE_URL", &url)
            .args(["team", "push"])
            .output()
            .unwrap();
        let all = format!("{out:?}");
        assert!(all.contains(expect), "{all}");
    }
    let logged = rows(&url);
    assert_eq!(logged.len(), 2, "{logged:?}");
    assert!(logged.iter().all(|r| r.state == "ok"), "{logged:?}");
    assert_ne!(logged[0].uuid, logged[1].uuid);

    // A wrong password: the send goes on, the error says so, and the password is in no output
    // and no file the tool wrote (history, outbox, logs: all under this HOME).
    let wrong_password = "Wr0ng-Team-Pa55";
    let wrong = url.replace("phonely-test-superuser", wrong_password);
    let out = env
        .cmd()
        .env("PHONELY_TEAM_DATABASE_URL", &wrong)
        .args(&send_args()[..9])
        .output()
        .unwrap();
    let all = format!("{out:?}");
    assert!(out.status.success(), "{all}");
    assert!(all.contains("refused the login"), "{all}");
    for secret in [wrong_password, "phonely-test-superuser", KEY] {
        assert!(!all.contains(secret), "{secret} in the output: {all}");
        for file in files(env.data.path()) {
            let bytes = std::fs::read(&file).unwrap_or_default();
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} in {}",
                file.display()
            );
        }
    }
}

fn files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Two people on two data folders, one team log: the second sending exactly what the first sent
/// is warned, by the first's name; a different update is not.
#[test]
fn the_duplicate_guard_names_the_colleague() {
    let Some(pg) = testing::shared() else { return };
    let (rt, url) = cli_env::team_database(pg);
    let env = cli_env::start(KEY);
    let ben_home = tempfile::tempdir().unwrap();
    let as_user = |user: &str, args: &[&str]| {
        let mut c = env.cmd();
        c.env("PHONELY_TEAM_DATABASE_URL", &url).env("USER", user);
        if user == "Ben" {
            c.env("HOME", ben_home.path())
                .env("PHONELY_OUTCOMES_DATA", ben_home.path().join("data"));
        }
        let out = c.args(args).output().unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    as_user("Ana", &["team", "migrate"]);
    let first = as_user("Ana", &send_args()[..9]);
    assert!(!first.contains("warning: "), "{first}");
    let second = as_user("Ben", &send_args()[..9]);
    assert!(
        second.contains("warning: Ana set Sold · 299 on this call just now (team log)"),
        "{second}"
    );
    let mut other = send_args();
    other[8] = "300";
    let third = as_user("Ben", &other[..9]);
    assert!(
        !third.contains("team log)"),
        "a different value is no duplicate: {third}"
    );
    let logged = rt.block_on(rows(&url));
    assert_eq!(logged.len(), 3);
    // history --team: everyone's updates, either data folder.
    let history = |args: &[&str]| {
        env.cmd()
            .env("PHONELY_TEAM_DATABASE_URL", &url)
            .arg("history")
            .args(args)
            .output()
            .unwrap()
    };
    let out = history(&["--team"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(
        table.starts_with("Recorded") && table.contains("Operator"),
        "{table}"
    );
    assert_eq!(
        table.lines().filter(|l| l.contains(" Ben ")).count(),
        2,
        "{table}"
    );
    assert_eq!(
        table.lines().filter(|l| l.contains(" Ana ")).count(),
        1,
        "{table}"
    );
    assert!(
        table.contains("agent123/call456") && table.contains("Sold · 300"),
        "{table}"
    );
    let out = history(&["--operator", "Ben", "--json"]);
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(
        lines
            .iter()
            .all(|l| l["operator"] == "Ben" && l["state"] == "ok")
    );
    assert_eq!(lines[0]["value"], "300", "newest first");
    let out = history(&[
        "--team", "--call", "call456", "--agent", "agent123", "--limit", "1",
    ]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
    let out = history(&["--team", "--state", "ok", "--value", "300", "--json"]);
    let lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), 1, "{out:?}");
    assert!(lines[0].contains("\"operator\":\"Ben\""), "{}", lines[0]);
    // What the warning names comes from the body both sends share, not from the row's own
    // outcome and value columns, which a colleague's tool (or hand) could fill with anything.
    let db = url
        .rsplit('/')
        .next()
        .and_then(|d| d.split('?').next())
        .unwrap()
        .to_string();
    rt.block_on(pg.admin(
        &db,
        "ALTER TABLE phonely.updates DISABLE TRIGGER USER; \
         UPDATE phonely.updates SET value = '1', outcome = 'Lost' WHERE operator = 'Ana'; \
         ALTER TABLE phonely.updates ENABLE TRIGGER USER;",
    ));
    let fourth = as_user("Ben", &send_args()[..9]);
    assert!(
        fourth.contains("set Sold · 299 on this call") && !fourth.contains("Lost"),
        "{fourth}"
    );
}

/// While Phonely takes its time, the update is already in the team log as pending (written
/// beside the request); once the answer is in, the same row holds the result. (When the answer
/// comes before the pending row is written, the row goes in once with its result: the first
/// test's fast sandbox.)
#[test]
fn a_slow_answer_leaves_a_pending_row_until_it_comes() {
    let Some((rt, url, env)) = team_env() else {
        return;
    };
    let rows = |url: &str| rt.block_on(rows(url));

    env.sandbox
        .sandbox
        .push_fault(phonely_outcomes::sandbox::Fault::Delay { ms: 6000 });
    let mut child = env
        .std_cmd()
        .env("PHONELY_TEAM_DATABASE_URL", &url)
        .env("USER", "ana")
        .args(&send_args()[..9])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut seen = Vec::new();
    common::wait_until(
        "the pending row while the request waits",
        std::time::Duration::from_secs(5),
        || {
            seen = rows(&url);
            !seen.is_empty()
        },
    );
    let pending = seen[0].clone();
    assert_eq!(pending.state, "pending", "{pending:?}");
    assert_eq!(pending.http_status, None);
    assert!(child.wait().unwrap().success());
    let done = rows(&url);
    assert_eq!(done.len(), 1, "{done:?}");
    assert_eq!((done[0].uuid, done[0].state.as_str()), (pending.uuid, "ok"));
    assert_eq!(done[0].http_status, Some(200));
}
