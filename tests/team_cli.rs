//! `team init-sql | migrate | status | push` and `config show`'s team lines, against a real
//! PostgreSQL (a throwaway cluster; skipped with one line when PostgreSQL is not installed,
//! required with PHONELY_REQUIRE_POSTGRES=1).

use assert_cmd::Command;
use phonely_team::outbox::{Kind, Outbox};
use phonely_team::testing;
use phonely_team::{TeamRow, Uuid};

fn cmd(home: &std::path::Path, url: Option<&str>) -> Command {
    let mut c = Command::cargo_bin("phonely-outcomes").unwrap();
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("USER", "tester")
        .env("PHONELY_OUTCOMES_DATA", home.join("data"));
    if let Some(u) = url {
        c.env("PHONELY_TEAM_DATABASE_URL", u);
    }
    c
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn row(target: &str) -> TeamRow {
    serde_json::from_value(serde_json::json!({
        "uuid": Uuid::new_v4(), "operator": "tester", "session": "s", "profile": "default",
        "base_url": "http://127.0.0.1:1", "agent": "ag-1", "target": target,
        "target_kind": "call", "preference": null, "outcome": "Sold", "value": "299",
        "metadata": null, "method": "PATCH", "url": "http://127.0.0.1:1/x", "body": "{}",
        "state": "pending", "created_ms": 1, "sent_ms": null, "completed_ms": null,
        "http_status": null, "latency_ms": null, "verified": false, "resolved_call_id": null,
        "message": null, "response_body": null, "response_truncated": false,
        "response_cap": null, "batch_line": null
    }))
    .unwrap()
}

#[test]
fn init_sql_needs_no_configuration() {
    let home = tempfile::tempdir().unwrap();
    let out = cmd(home.path(), None)
        .args(["team", "init-sql"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let sql = String::from_utf8(out.stdout).unwrap();
    assert!(sql.contains("CREATE ROLE phonely_writer NOLOGIN"), "{sql}");
    assert!(
        sql.contains("GRANT SELECT, INSERT ON phonely.updates"),
        "{sql}"
    );
    assert!(!sql.to_uppercase().contains("GRANT DELETE"), "{sql}");
}

#[test]
fn without_configuration_team_commands_say_how_to_set_it_up() {
    let home = tempfile::tempdir().unwrap();
    let out = cmd(home.path(), None)
        .args(["team", "status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("PHONELY_TEAM_DATABASE_URL"),
        "{}",
        text(&out)
    );
    let out = cmd(home.path(), None)
        .args(["config", "show"])
        .output()
        .unwrap();
    assert!(
        text(&out).contains("team log\n  not configured"),
        "{}",
        text(&out)
    );
}

#[tokio::test]
async fn migrate_status_push_and_config_show_with_the_url_alone() {
    let Some(pg) = testing::shared() else { return };
    let db = pg.create_database().await;
    let url = pg.superuser_url(&db);
    let password = "phonely-test-superuser";
    assert!(url.contains(password));
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| cmd(home.path(), Some(&url)).args(args).output().unwrap();

    let out = run(&["team", "status"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("no team log yet"), "{}", text(&out));
    // The first command made the data folder (for the outbox) private, as every command
    // does: the next one has nothing to tighten (and no note to print about it).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(home.path().join("data"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700, "{mode:o}");
    }

    let out = run(&["team", "migrate"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("from schema 0 to 6"), "{}", text(&out));
    let out = run(&["team", "migrate"]);
    assert!(
        text(&out).contains("up to date (schema 6)"),
        "{}",
        text(&out)
    );

    // Two updates made while the server was away wait in the outbox; `team push` sends them.
    let data = home.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    {
        let outbox = Outbox::open_in(&data).unwrap();
        outbox.add(Kind::Insert, &row("c-1")).unwrap();
        outbox.add(Kind::Insert, &row("c-2")).unwrap();
    }
    let out = run(&["team", "status"]);
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(
        t.contains("connection ✓ reachable") && t.contains("schema     6"),
        "{t}"
    );
    assert!(t.contains("waiting    2 to push"), "{t}");
    assert!(t.contains("operator   tester"), "{t}");
    let out = run(&["team", "push"]);
    assert!(
        text(&out).contains("Pushed 2 to the team log; 0 waiting."),
        "{}",
        text(&out)
    );
    let out = run(&["team", "status"]);
    assert!(text(&out).contains("rows       2") && text(&out).contains("waiting    none"));

    let out = run(&["config", "show"]);
    let t = text(&out);
    assert!(t.contains("✓ reachable, schema 6"), "{t}");
    assert!(t.contains("url from  $PHONELY_TEAM_DATABASE_URL"), "{t}");
    assert!(t.contains("postgres:••••••••@127.0.0.1"), "{t}");

    let out = run(&["team", "push"]);
    assert!(text(&out).contains("Nothing was waiting"), "{}", text(&out));

    // A wrong password: a clear error, and the password in no output; nothing waiting is lost.
    Outbox::open_in(&data)
        .unwrap()
        .add(Kind::Insert, &row("c-3"))
        .unwrap();
    let wrong = url.replace(password, "Not-The-Pa55word");
    for args in [
        &["team", "status"][..],
        &["config", "show"],
        &["team", "push"],
    ] {
        let out = cmd(home.path(), Some(&wrong)).args(args).output().unwrap();
        let t = text(&out);
        assert!(t.contains("refused the login"), "{args:?}: {t}");
        assert!(
            !t.contains("Not-The-Pa55word") && !t.contains(password),
            "{args:?}: {t}"
        );
    }
    assert_eq!(Outbox::open_in(&data).unwrap().waiting().unwrap(), 1);
    let out = run(&["team", "push"]);
    assert!(text(&out).contains("Pushed 1"), "{}", text(&out));
}

/// The URL of a server on this computer through its socket (Debian's usual local set-up): the
/// commands reach it with no `sslmode` written, say that no TLS is used and why, and never print
/// the password, also in the shape (`user:password@/db?host=/folder`) other parsers cannot read.
#[tokio::test]
async fn a_socket_url_is_reached_without_tls_and_its_password_never_shows() {
    let Some(pg) = testing::shared() else { return };
    let db = pg.create_database().await;
    let password = pg.superuser_password();
    for url in [
        pg.socket_param_url("postgres", password, &db),
        pg.socket_url("postgres", password, &db),
    ] {
        let home = tempfile::tempdir().unwrap();
        let run = |args: &[&str]| cmd(home.path(), Some(&url)).args(args).output().unwrap();
        let out = run(&["team", "migrate"]);
        assert!(out.status.success(), "{url}: {}", text(&out));
        let out = run(&["team", "status"]);
        let t = text(&out);
        assert!(out.status.success(), "{url}: {t}");
        assert!(t.contains("connection ✓ reachable"), "{t}");
        assert!(
            t.contains("sslmode    none: a socket on this computer"),
            "{t}"
        );
        assert!(t.contains("postgres:••••••••@"), "{t}");
        let out = run(&["config", "show"]);
        let t = text(&out);
        assert!(t.contains("✓ reachable"), "{t}");
        for out in [&run(&["team", "status"]), &out] {
            assert!(!text(out).contains(password), "{}", text(out));
        }
    }
}

/// URLs pasted in shapes the tool cannot read (a JDBC or SQLAlchemy URL, a `.env` line) or with
/// an `@` left in the user name: `team status` and `config show` say what is wrong and never
/// print the password (no server needed: none of them gets that far).
#[test]
fn an_unreadable_url_is_never_printed() {
    let home = tempfile::tempdir().unwrap();
    for url in [
        "jdbc:postgresql://127.0.0.1:1/team?user=ana&password=Hunter2Pw",
        "postgresql+psycopg2://ana:Hunter2Pw@127.0.0.1:1/team",
        "DATABASE_URL=postgres://ana:Hunter2Pw@127.0.0.1:1/team",
        "postgres://ana@myserver:Hunter2Pw@127.0.0.1:1/team?sslmode=disable",
    ] {
        for args in [&["team", "status"][..], &["config", "show"]] {
            let out = cmd(home.path(), Some(url)).args(args).output().unwrap();
            let t = text(&out);
            assert!(!t.contains("Hunter2Pw"), "{args:?} {url}: {t}");
            assert!(
                t.contains('✗') || t.contains("cannot"),
                "{args:?} {url}: {t}"
            );
        }
    }
    let out = cmd(
        home.path(),
        Some("jdbc:postgresql://h/team?password=Hunter2Pw"),
    )
    .args(["team", "status"])
    .output()
    .unwrap();
    assert!(
        text(&out).contains("not a postgres:// URL or key=value settings"),
        "{}",
        text(&out)
    );
}
