//! `calls` and `send --pin` (issue 14): the real binary (assert_cmd) against the sandbox on
//! 127.0.0.1: the query it sends, the table and `--json`, each exit code, and the pinned send.

mod common;

use phonely_outcomes::sandbox::{Fault, NO_ACCESS_AGENT};
use predicates::prelude::*;

const KEY: &str = "test-key-calls-7Qx";

type Env = common::cli_env::CliEnv;

fn env() -> Env {
    common::cli_env::start(KEY)
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn calls_by_phone_lists_newest_first_and_marks_first_and_last() {
    let env = env();
    let out = env
        .cmd()
        .env("TZ", "UTC")
        .args(["calls", "--agent", "agent123", "--phone", "(415) 555-1234"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        env.sandbox.sandbox.lookups(),
        ["/api/calls/agent123?customer_phone_number=%2B14155551234&limit=100&offset=0"],
        "a national number read with default_region, + sent as %2B"
    );
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[0].starts_with("STARTED"), "{text}");
    assert!(
        lines[1].contains("call-last-415") && lines[1].ends_with("← last"),
        "{text}"
    );
    assert!(
        lines[2].contains("call-mid-415") && !lines[2].contains('←'),
        "{text}"
    );
    assert!(
        lines[3].contains("call-first-415") && lines[3].ends_with("← first"),
        "{text}"
    );
    assert!(
        lines[1].contains("2026-11-20") && lines[1].contains("11 min 46 s"),
        "{text}"
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("3 calls from +14155551234 for agent agent123, newest first"),
        "{err}"
    );
}

#[test]
fn calls_json_prints_each_call_as_phonely_sent_it_newest_first() {
    let env = env();
    let out = env
        .cmd()
        .args([
            "calls",
            "--agent",
            "agent123",
            "--phone",
            "+16175550123",
            "--json",
        ])
        .args([
            "--status",
            "completed",
            "--status",
            "FAILED",
            "--since",
            "2026-11-01T00:00:00Z",
        ])
        .args(["--until", "2026-11-30", "--limit", "50"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let lookups = env.sandbox.sandbox.lookups();
    assert!(
        lookups[0].starts_with(
            "/api/calls/agent123?customer_phone_number=%2B16175550123&start_date=2026-11-01T00:00:00Z&end_date=2026-11-"
        ) && lookups[0].ends_with("&status=COMPLETED&status=FAILED&limit=50&offset=0"),
        "{lookups:?}"
    );
    let values: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = values.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["call-617-c", "call-617-b", "call1054"]);
    // As Phonely sent it: every field, the documented names.
    assert_eq!(values[1]["status"], "FAILED");
    assert_eq!(values[1]["agentId"], "agent123");
    assert!(values[0].get("workflow_path_history").is_some());
}

#[test]
fn calls_exit_codes_are_those_of_send() {
    let env = env();
    // 2: invalid input, nothing asked.
    for args in [
        &["--agent", "agent123", "--limit", "101"][..],
        &["--agent", "agent123", "--limit", "0"],
        &["--agent", "agent123", "--status", "done"],
        &["--agent", "agent123", "--since", "yesterday"],
        &["--agent", "agent123", "--phone", "12"],
        &[
            "--agent",
            "agent123",
            "--since",
            "2026-11-20",
            "--until",
            "2026-11-10",
        ],
        &["--agent", "a b"],
    ] {
        env.cmd()
            .arg("calls")
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("Nothing was asked"));
    }
    assert!(env.sandbox.sandbox.lookups().is_empty());
    // 1: refused (403: no access to this agent).
    env.cmd()
        .args(["calls", "--agent", NO_ACCESS_AGENT])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no access to this agent"));
    // 1: refused (401), the key never printed.
    env.cmd()
        .env("PHONELY_API_KEY", "not-the-key")
        .args(["calls", "--agent", "agent123"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("refused the API key")
                .and(predicate::str::contains("not-the-key").not()),
        );
    // 3: no answer in time.
    env.sandbox.sandbox.set_lookup_fault(Some(Fault::Hang));
    env.cmd()
        .args(["calls", "--agent", "agent123", "--timeout", "0.5"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("No list of calls within 0.5 s"));
    // 1 with the server's words made inert.
    env.sandbox.sandbox.set_lookup_fault(Some(Fault::Escapes));
    let out = env
        .cmd()
        .args(["calls", "--agent", "agent123"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        !out.stderr.contains(&0x1b) && !out.stdout.contains(&0x1b),
        "{out:?}"
    );
    // 3: an answer that is not a list.
    env.sandbox.sandbox.set_lookup_fault(Some(Fault::Html));
    env.cmd()
        .args(["calls", "--agent", "agent123"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "could not be read as a list of calls",
        ));
    // 0 with nothing found.
    env.sandbox.sandbox.set_lookup_fault(None);
    env.cmd()
        .args(["calls", "--agent", "agent123", "--phone", "+442079460000"])
        .assert()
        .code(0)
        .stdout("")
        .stderr(predicate::str::contains("No calls from +442079460000"));
}

#[test]
fn calls_says_when_more_match_than_were_shown() {
    let env = env();
    env.cmd()
        .args(["calls", "--agent", "agent123", "--limit", "5"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("5 of ").and(predicate::str::contains("--limit 5")));
}

#[test]
fn send_pin_sends_to_the_last_call_by_id_and_the_history_keeps_both() {
    let env = env();
    // +16175550123's calls are listed oldest first but not in order of start: the last by
    // `started_at` is call-617-d.
    let out = env
        .cmd()
        .args([
            "send",
            "--agent",
            "agent123",
            "--phone",
            "+16175550123",
            "--pin",
        ])
        .args(["--outcome", "Sold"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("Pinned: the last call from +16175550123 for agent agent123 is call call-617-d, started 2026-11-25 08:30"),
        "{err}"
    );
    let received = env.sandbox.sandbox.received();
    assert_eq!(received.len(), 1);
    assert_eq!(
        (received[0].target.as_str(), received[0].query.as_deref()),
        ("call-617-d", None)
    );
    assert_eq!(
        env.sandbox
            .sandbox
            .call("agent123", "call-617-d")
            .unwrap()
            .custom_call_outcome
            .as_deref(),
        Some("Sold")
    );
    let out = env.cmd().args(["history", "--json"]).output().unwrap();
    let rec: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rec["target"], "+16175550123");
    assert_eq!(rec["target_kind"], "phone");
    assert_eq!(rec["preference"], "last");
    assert_eq!(rec["pinned_call"], "call-617-d");
    assert!(
        rec["url"]
            .as_str()
            .unwrap()
            .ends_with("/api/calls/agent123/call-617-d"),
        "{rec}"
    );
    assert_eq!(rec["resolved_call_id"], "call-617-d");
}

#[test]
fn send_pin_first_dry_run_looks_up_and_prints_the_pinned_request() {
    let env = env();
    let out = env
        .cmd()
        .args([
            "send",
            "--agent",
            "agent123",
            "--phone",
            "415-555-1234",
            "--preference",
            "first",
        ])
        .args(["--pin", "--outcome", "Sold", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let curl = stdout(&out);
    assert!(
        curl.contains("/api/calls/agent123/call-first-415'"),
        "{curl}"
    );
    assert!(!curl.contains("preference"), "{curl}");
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("the first call from +14155551234")
    );
    assert_eq!(env.sandbox.sandbox.lookups().len(), 1, "looked up");
    assert!(env.sandbox.sandbox.received().is_empty(), "nothing sent");
}

#[test]
fn send_pin_sends_nothing_without_a_call_or_a_list() {
    let env = env();
    let pin = |phone: &str, agent: &str| {
        let mut c = env.cmd();
        c.args([
            "send",
            "--agent",
            agent,
            "--phone",
            phone,
            "--pin",
            "--outcome",
            "Sold",
        ]);
        c
    };
    pin("+442079460000", "agent123").assert().code(1).stderr(
        predicate::str::contains("no call from +442079460000")
            .and(predicate::str::contains("Nothing was sent")),
    );
    pin("+14155551234", NO_ACCESS_AGENT)
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("no access to this agent")
                .and(predicate::str::contains("Nothing was sent")),
        );
    env.sandbox.sandbox.set_lookup_fault(Some(Fault::Hang));
    pin("+14155551234", "agent123")
        .arg("--timeout")
        .arg("0.5")
        .assert()
        .code(3)
        .stderr(predicate::str::contains("Nothing was sent"));
    env.sandbox.sandbox.set_lookup_fault(None);
    env.cmd()
        .args([
            "send",
            "--agent",
            "agent123",
            "--call",
            "call456",
            "--pin",
            "--outcome",
            "Sold",
        ])
        .assert()
        .code(2);
    assert!(
        env.sandbox.sandbox.received().is_empty(),
        "no update was sent"
    );
    let out = env.cmd().args(["history", "--json"]).output().unwrap();
    assert!(out.stdout.is_empty(), "nothing recorded: {out:?}");
}

/// Every file the tool wrote (history, logs) and everything `calls` and `send --pin` printed
/// is free of the key, for answers that succeed, are refused and never come.
#[test]
fn the_key_is_never_written_or_printed() {
    let env = env();
    let mut printed = Vec::new();
    let mut run = |args: &[&str]| {
        let out = env
            .cmd()
            .args(args)
            .args(["--log-level", "trace"])
            .output()
            .unwrap();
        printed.extend(out.stdout);
        printed.extend(out.stderr);
    };
    run(&[
        "calls",
        "--agent",
        "agent123",
        "--phone",
        "+14155551234",
        "--json",
    ]);
    run(&["calls", "--agent", NO_ACCESS_AGENT]);
    run(&[
        "send",
        "--agent",
        "agent123",
        "--phone",
        "+14155551234",
        "--pin",
        "--outcome",
        "Sold",
    ]);
    run(&[
        "send",
        "--agent",
        "agent123",
        "--phone",
        "+14155551234",
        "--pin",
        "--outcome",
        "Sold",
        "--dry-run",
    ]);
    env.sandbox.sandbox.set_lookup_fault(Some(Fault::Hang));
    run(&["calls", "--agent", "agent123", "--timeout", "0.3"]);
    assert!(!printed.is_empty());
    assert!(
        !String::from_utf8_lossy(&printed).contains(KEY),
        "the key was printed"
    );
    let mut files = 0;
    let mut stack = vec![env.data.path().to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files += 1;
                let bytes = std::fs::read(&path).unwrap();
                assert!(
                    !String::from_utf8_lossy(&bytes).contains(KEY),
                    "the key is in {}",
                    path.display()
                );
            }
        }
    }
    assert!(
        files >= 2,
        "the history and a log were written ({files} files)"
    );
}
