//! `batch --pin` and a file's `pin` column (issue 14): the real binary against the sandbox on
//! 127.0.0.1. Pinned rows go to the call ids `first`/`last` pick, one look-up per (agent,
//! phone), a number without a call is not sent, the history keeps the phone and the call.

mod common;

use assert_cmd::Command;
use phonely_outcomes::sandbox::{Fault, NO_ACCESS_AGENT};
use predicates::prelude::*;

const KEY: &str = "batch-pin-key-4Kq";

type Env = common::cli_env::CliEnv;

fn env() -> Env {
    common::cli_env::start(KEY)
}

fn batch(env: &Env, name: &str, content: &str, args: &[&str]) -> Command {
    let file = env.data.path().join(name);
    std::fs::write(&file, content).unwrap();
    let mut c = env.cmd();
    c.arg("batch").arg(&file).args(args);
    c
}

/// The history's records, oldest first, as JSON.
fn history(env: &Env) -> Vec<serde_json::Value> {
    let out = env
        .cmd()
        .args(["history", "--format", "jsonl"])
        .output()
        .unwrap();
    let mut records: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    records.sort_by_key(|r| r["batch_line"].as_i64());
    records
}

const PINNED: &str = "agent_id,phone,preference,outcome,pin\n\
agent123,+14155551234,first,Sold,yes\n\
agent123,(415) 555-1234,last,No Sale,TRUE\n\
agent123,+16175550123,,Sold,1\n\
agent123,+442079460000,,Sold,true\n\
agent123,+14155551234,last,Callback,\n";

#[test]
fn pinned_rows_go_to_the_calls_first_and_last_pick_with_one_look_up_per_number() {
    let env = env();
    let out = batch(&env, "pinned.csv", PINNED, &["--yes"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr.clone()).unwrap();
    assert_eq!(out.status.code(), Some(1), "a row was not sent: {err}");
    // One look-up per (agent, phone) among the pinned rows: two rows share +14155551234.
    let mut lookups = env.sandbox.sandbox.lookups();
    lookups.sort();
    assert_eq!(
        lookups,
        [
            "/api/calls/agent123?customer_phone_number=%2B14155551234&limit=100&offset=0",
            "/api/calls/agent123?customer_phone_number=%2B16175550123&limit=100&offset=0",
            "/api/calls/agent123?customer_phone_number=%2B442079460000&limit=100&offset=0",
        ]
    );
    let mut received: Vec<(String, Option<String>, String)> = env
        .sandbox
        .sandbox
        .received()
        .into_iter()
        .map(|r| (r.target, r.query, r.body))
        .collect();
    received.sort();
    assert_eq!(received.len(), 4, "{received:?}");
    // Pinned: by call id, no query. Not pinned (line 6): by phone, as before.
    assert!(received.contains(&(
        "call-first-415".into(),
        None,
        r#"{"custom_call_outcome":"Sold"}"#.into()
    )));
    assert!(received.contains(&(
        "call-last-415".into(),
        None,
        r#"{"custom_call_outcome":"No Sale"}"#.into()
    )));
    assert!(received.contains(&(
        "call-617-d".into(),
        None,
        r#"{"custom_call_outcome":"Sold"}"#.into()
    )));
    assert!(
        received
            .iter()
            .any(|(t, q, _)| t == "+14155551234" && q.as_deref() == Some("preference=last")),
        "{received:?}"
    );
    assert!(
        err.contains("line 5 agent123 +442079460000: not sent: Phonely lists no call from +442079460000 for agent agent123, so there is no call to pin"),
        "{err}"
    );
    assert!(
        err.contains(
            "5 of 5 rows: 4 updated, 0 refused, 0 with no answer (outcome unknown), 1 not sent"
        ),
        "{err}"
    );
    // The history keeps the phone typed and the call pinned; the unpinned row has none.
    let records = history(&env);
    assert_eq!(records.len(), 4, "{records:?}");
    let line = |n: i64| records.iter().find(|r| r["batch_line"] == n).unwrap();
    assert_eq!(line(2)["target"], "+14155551234");
    assert_eq!(line(2)["preference"], "first");
    assert_eq!(line(2)["pinned_call"], "call-first-415");
    assert!(
        line(2)["url"]
            .as_str()
            .unwrap()
            .ends_with("/api/calls/agent123/call-first-415"),
        "{}",
        line(2)
    );
    assert_eq!(line(3)["pinned_call"], "call-last-415");
    assert_eq!(line(4)["target"], "+16175550123");
    assert_eq!(line(4)["pinned_call"], "call-617-d");
    assert_eq!(line(6)["pinned_call"], serde_json::Value::Null);
}

#[test]
fn pin_flag_pins_every_phone_row_and_a_pinned_last_row_is_retried() {
    let env = env();
    env.sandbox.sandbox.push_fault(Fault::Status { code: 503 });
    batch(
        &env,
        "flag.csv",
        "agent_id,target,outcome\nagent123,+16175550123,Sold\nagent123,call456,Sold\n",
        &["--yes", "--pin", "--concurrency", "1"],
    )
    .assert()
    .code(0)
    .stderr(predicate::str::contains("line 2: HTTP 503"))
    .stderr(predicate::str::contains("trying again in"))
    .stderr(predicate::str::contains("2 of 2 rows: 2 updated"));
    let received = env.sandbox.sandbox.received();
    assert_eq!(received.len(), 3, "503, the retry, and the call-id row");
    assert_eq!(
        received
            .iter()
            .filter(|r| r.target == "call-617-d" && r.query.is_none())
            .count(),
        2,
        "the pinned `last` row, tried again at the same call"
    );
    assert_eq!(
        env.sandbox.sandbox.lookups().len(),
        1,
        "the call-id row is not looked up"
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
    // A resume reads rows as the first run did: --pin must be given again.
    env.cmd()
        .args(["batch", "--resume", "1", "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--pin").and(predicate::str::contains("no --pin")));
    env.cmd()
        .args(["batch", "--resume", "1", "--yes", "--pin"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "Resuming batch #1: 2 already updated",
        ));
    assert_eq!(
        env.sandbox.sandbox.received().len(),
        3,
        "nothing sent again"
    );
}

#[test]
fn dry_run_with_pin_looks_up_and_prints_the_pinned_request() {
    let env = env();
    let out = batch(
        &env,
        "dry.csv",
        "agent_id,phone,preference,outcome\nagent123,415-555-1234,first,Sold\nagent123,+14155551234,last,Sold\n",
        &["--pin", "--dry-run"],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let curl = String::from_utf8(out.stdout).unwrap();
    assert!(
        curl.contains("/api/calls/agent123/call-first-415'"),
        "{curl}"
    );
    assert!(!curl.contains("preference"), "{curl}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("Pinned: line 2: the first call from +14155551234 for agent agent123 is call call-first-415"),
        "{err}"
    );
    assert_eq!(
        env.sandbox.sandbox.lookups().len(),
        1,
        "one look-up for the number"
    );
    assert!(env.sandbox.sandbox.received().is_empty(), "nothing sent");
}

#[test]
fn a_refused_look_up_sends_none_of_its_rows_and_says_so() {
    let env = env();
    batch(
        &env,
        "refused.csv",
        &format!(
            "agent_id,phone,outcome,pin\n{NO_ACCESS_AGENT},+14155551234,Sold,yes\nagent123,+16175550123,Sold,no\n"
        ),
        &["--yes"],
    )
    .assert()
    .code(1)
    .stderr(predicate::str::contains(
        "line 2 agent-other-team +14155551234: not sent: the calls from +14155551234 could not be looked up to pin one",
    ))
    .stderr(predicate::str::contains("no access to this agent"));
    let received = env.sandbox.sandbox.received();
    assert_eq!(received.len(), 1, "only the unpinned row");
    assert_eq!(received[0].target, "+16175550123");
}

#[test]
fn a_bad_pin_cell_or_a_pinned_call_id_is_refused_with_line_and_column() {
    let env = env();
    batch(
        &env,
        "bad.csv",
        "agent_id,target,outcome,pin\nagent123,+14155551234,Sold,maybe\nagent123,call456,Sold,yes\nagent123,call456,Sold,No\n",
        &["--yes"],
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains(
        "line 2, column pin: pin must be true or false (or yes/no, 1/0; empty is false), got maybe",
    ))
    .stderr(predicate::str::contains(
        "line 3, column pin: pin needs a phone number, and call456 is a call ID",
    ))
    .stderr(predicate::str::contains("line 4").not())
    .stderr(predicate::str::contains("Nothing was sent"));
    assert!(env.sandbox.sandbox.lookups().is_empty());
    assert!(env.sandbox.sandbox.received().is_empty());
}
