//! The workbench with the team log on, against the sandbox and a real PostgreSQL (a throwaway
//! cluster; skipped with one line when PostgreSQL is not installed, required with
//! PHONELY_REQUIRE_POSTGRES=1): a send is in the team log once, completed, under the operator's
//! name; with the server stopped the send goes on, the status bar counts the rows waiting, and
//! they are pushed once the server is back.

mod common;

use std::time::Duration;

use crossterm::event::KeyCode;

use common::harness::workbench_with_team;
use phonely_outcomes::api::client::DEFAULT_TIMEOUT;
use phonely_outcomes::sandbox;
use phonely_outcomes::teamlog::TeamSession;
use phonely_outcomes::tui::team::TeamLink;
use phonely_team::testing::{self, Cluster};
use phonely_team::{Target, TeamLog, TeamRow, TeamUrl};

async fn migrated(pg: &Cluster) -> String {
    let db = pg.create_database().await;
    let url = pg.superuser_url(&db);
    let mut c = phonely_team::connect::connect(&target(&url)).await.unwrap();
    phonely_team::migrations::migrate(&mut c).await.unwrap();
    url
}

fn target(url: &str) -> Target {
    Target::new(TeamUrl::new(url))
}

fn link(url: &str, operator: &str, dir: &std::path::Path) -> TeamLink {
    TeamLink::new(
        TeamSession::with_target(target(url), operator, dir),
        Duration::from_millis(200),
    )
}

/// The team log's rows once `done` holds for them, or a panic after 20 s.
async fn rows_when(url: &str, what: &str, done: impl Fn(&[TeamRow]) -> bool) -> Vec<TeamRow> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut ticks = tokio::time::interval(Duration::from_millis(50));
    loop {
        ticks.tick().await;
        if let Ok(log) = TeamLog::open(&target(url)).await {
            let rows = log.page(None, i64::MAX, 100).await.unwrap();
            if done(&rows) {
                return rows;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {what}: {rows:?}"
            );
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workbench_send_reaches_the_team_log_and_waits_while_it_is_stopped() {
    let Some(pg) = testing::own() else { return };
    let url = migrated(&pg).await;
    let sb = sandbox::start("127.0.0.1:0", sandbox::DEFAULT_KEY)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (app, mut h) = workbench_with_team(
        &sb.base_url(),
        dir.path(),
        DEFAULT_TIMEOUT,
        Some(link(&url, "ana", dir.path())),
    );
    let script = async {
        // Online: pending, then ok, once, under ana's name.
        h.fill("agent123", "call456", "Sold", "299", "");
        h.send_ok().await;
        let rows = rows_when(&url, "the first send, completed", |r| {
            r.len() == 1 && r[0].state == "ok"
        })
        .await;
        assert_eq!(rows[0].operator, "ana");
        assert_eq!(
            (rows[0].agent.as_str(), rows[0].target.as_str()),
            ("agent123", "call456")
        );
        assert_eq!(rows[0].outcome.as_deref(), Some("Sold"));
        assert_eq!(rows[0].http_status, Some(200));

        // Stopped: the send goes on; its update waits (pending and result count once) and the status bar says so.
        pg.stop();
        h.ctrl('n');
        h.fill("agent123", "call456", "Callback", "", "");
        h.send_ok().await;
        h.wait_for("team log offline: 1 waiting").await;

        // Back: pushed in order, in the log once, completed; the status bar clears.
        pg.restart();
        h.wait_until("the status bar to clear", |s| {
            !s.contains("team log offline")
        })
        .await;
        let rows = rows_when(&url, "the second send, pushed", |r| r.len() == 2).await;
        let second = rows
            .iter()
            .find(|r| r.outcome.as_deref() == Some("Callback"))
            .unwrap();
        assert_eq!(second.state, "ok", "{second:?}");
        assert_eq!(second.operator, "ana");
        assert_eq!(
            rows.iter()
                .filter(|r| r.outcome.as_deref() == Some("Sold"))
                .count(),
            1
        );
        h.ctrl('q');
    };
    let (app, ()) = tokio::join!(app, script);
    assert!(app.should_quit);
}

/// Two workbenches on two data folders, one team log: the second sees the first's ✓ in its
/// duplicate guard, by name, and is asked twice before sending it again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_colleagues_send_is_named_by_the_duplicate_guard() {
    let Some(pg) = testing::shared() else { return };
    let url = migrated(pg).await;
    let sb = sandbox::start("127.0.0.1:0", sandbox::DEFAULT_KEY)
        .await
        .unwrap();
    let (ana_dir, bo_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (ana, mut a) = workbench_with_team(
        &sb.base_url(),
        ana_dir.path(),
        DEFAULT_TIMEOUT,
        Some(link(&url, "ana", ana_dir.path())),
    );
    let script = async {
        a.fill("agent123", "call456", "Sold", "299", "");
        a.send_ok().await;
        rows_when(&url, "ana's send, completed", |r| {
            r.len() == 1 && r[0].state == "ok"
        })
        .await;
        a.ctrl('q');
    };
    let (_, ()) = tokio::join!(ana, script);

    let (bo, mut b) = workbench_with_team(
        &sb.base_url(),
        bo_dir.path(),
        DEFAULT_TIMEOUT,
        Some(link(&url, "bo", bo_dir.path())),
    );
    let script = async {
        b.fill("agent123", "call456", "Sold", "299", "");
        // The "last set here" line names the colleague, from the team log.
        b.wait_for("Team: ana set Sold · 299 on this call just now")
            .await;
        b.ctrl('s');
        b.wait_for("ana set Sold · 299 on this call just now (team log)")
            .await;
        // Asked twice: the first Enter only acknowledges it.
        b.key(KeyCode::Enter);
        b.wait_for("Press Enter again to send it once more.").await;
        b.key(KeyCode::Enter);
        b.wait_for("✓ Updated").await;
        let rows = rows_when(&url, "bo's send, completed", |r| {
            r.len() == 2 && r.iter().all(|r| r.state == "ok")
        })
        .await;
        assert_eq!(rows.iter().filter(|r| r.operator == "bo").count(), 1);
        // A different update to the same call is not a duplicate.
        b.ctrl('n');
        b.fill("agent123", "call456", "Callback", "", "");
        b.ctrl('s');
        let screen = b.wait_for("Send this update?").await;
        assert!(!screen.contains("team log"), "{screen}");
        b.key(KeyCode::Esc);
        b.ctrl('q');
    };
    let (app, ()) = tokio::join!(bo, script);
    assert!(app.should_quit);
}

/// Rows an earlier session left waiting are counted in the status bar at start and pushed once
/// the team log is reachable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_left_waiting_are_counted_at_start_and_pushed() {
    let Some(pg) = testing::shared() else { return };
    let url = migrated(pg).await;
    let sb = sandbox::start("127.0.0.1:0", sandbox::DEFAULT_KEY)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // An earlier session: the team log at a closed port, so its send waits in the outbox.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let away = url.replace(
        &pg.port().to_string(),
        &closed.local_addr().unwrap().port().to_string(),
    );
    drop(closed);
    let (first, mut a) = workbench_with_team(
        &sb.base_url(),
        dir.path(),
        DEFAULT_TIMEOUT,
        Some(TeamLink::new(
            TeamSession::with_target(target(&away), "ana", dir.path()),
            Duration::from_secs(3600),
        )),
    );
    let script = async {
        a.fill("agent123", "call456", "Sold", "299", "");
        a.send_ok().await;
        a.wait_for("team log offline: 1 waiting").await;
        a.ctrl('q');
    };
    let (_, ()) = tokio::join!(first, script);
    assert!(
        rows_when(&url, "nothing yet", <[TeamRow]>::is_empty)
            .await
            .is_empty()
    );

    // The next session, with the team log there: counted, then pushed (a second later, so the
    // count is on screen long enough to be seen), with no send.
    let (second, mut b) = workbench_with_team(
        &sb.base_url(),
        dir.path(),
        DEFAULT_TIMEOUT,
        Some(TeamLink::new(
            TeamSession::with_target(target(&url), "ana", dir.path()),
            Duration::from_secs(1),
        )),
    );
    let script = async {
        b.wait_for("team log offline: 1 waiting").await;
        b.wait_until("the status bar to clear", |s| {
            !s.contains("team log offline")
        })
        .await;
        let rows = rows_when(&url, "the earlier send, pushed", |r| r.len() == 1).await;
        assert_eq!(
            (rows[0].state.as_str(), rows[0].operator.as_str()),
            ("ok", "ana")
        );
        b.ctrl('q');
    };
    let (_, ()) = tokio::join!(second, script);
}

/// The history pane's Team view against a real team log: `t` shows a colleague's update with
/// its operator, the `/` filter narrows it, and with the server stopped the pane says the team
/// log could not be read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_team_view_shows_colleagues_updates_with_the_filter() {
    let Some(pg) = testing::own() else { return };
    let url = migrated(&pg).await;
    {
        let mut log = TeamLog::open(&target(&url)).await.unwrap();
        let now = phonely_outcomes::history::now_ms();
        let mut ben = testing::pending_row("ben", "agent123", "call777", now - 60_000);
        ben.state = "ok".into();
        ben.http_status = Some(200);
        let mut cy = testing::pending_row("cy", "agent123", "call778", now - 30_000);
        cy.state = "ok".into();
        cy.http_status = Some(200);
        log.insert_many(&[ben, cy]).await.unwrap();
    }
    let sb = sandbox::start("127.0.0.1:0", sandbox::DEFAULT_KEY)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (app, mut h) = workbench_with_team(
        &sb.base_url(),
        dir.path(),
        DEFAULT_TIMEOUT,
        Some(link(&url, "ana", dir.path())),
    );
    let script = async {
        // Ctrl+F on the form's call: this laptop has none; the Team view has ben's.
        h.fill("agent123", "call777", "Sold", "299", "");
        h.ctrl('f');
        h.wait_for("Filter /").await;
        h.key(KeyCode::Char('t'));
        let screen = h.wait_for("Team history (1)").await;
        assert!(
            screen.contains("ben") && screen.contains("agent123/call777"),
            "{screen}"
        );
        assert!(!screen.contains("call778"), "{screen}");
        // Esc clears the filter: everyone's, newest first.
        h.key(KeyCode::Esc);
        let screen = h.wait_for("Team history (2)").await;
        assert!(
            screen.contains("cy") && screen.contains("call778"),
            "{screen}"
        );
        // Back to this laptop's rows, and again with the server stopped.
        h.key(KeyCode::Char('t'));
        h.wait_for("History (0)").await;
        pg.stop();
        h.key(KeyCode::Char('t'));
        h.wait_for("The team log could not be read").await;
        h.ctrl('q');
    };
    let (app, ()) = tokio::join!(app, script);
    assert!(app.should_quit);
}
