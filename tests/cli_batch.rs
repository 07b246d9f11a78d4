//! `phonely-outcomes batch FILE` against the sandbox: a good file is checked, recorded and sent;
//! a hostile file (ragged rows, bad quoting, unknown columns, bad cells, not UTF-8, a BOM)
//! gets specific errors with line and column, and nothing leaves.

mod common;

use std::fmt::Write as _;

use assert_cmd::Command;
use predicates::prelude::*;

const KEY: &str = "batch-key-51e0";

type Env = common::cli_env::CliEnv;

fn env() -> Env {
    common::cli_env::start(KEY)
}

impl Env {
    fn batch(&self, name: &str, content: &[u8], args: &[&str]) -> Command {
        let file = self.data.path().join(name);
        std::fs::write(&file, content).unwrap();
        let mut c = self.cmd();
        c.arg("batch").arg(&file).args(args);
        c
    }
}

const GOOD: &str = "\u{feff}agent_id,target,preference,outcome,value,metadata\n\
agent123,call456,,Sold,299,\"{\"\"campaign\"\":\"\"spring_2026\"\"}\"\n\
agent123,+14155551234,first,Sold,499,\n\
agent123,+14155551234,,No Sale,0,\"{\"\"reason\"\":\"\"Price too high\"\"}\"\n";

#[test]
fn a_good_file_is_sent_row_by_row_and_recorded() {
    let e = env();
    e.batch("good.csv", GOOD.as_bytes(), &["--yes"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("3 rows, all valid"))
        .stderr(predicate::str::contains(
            "3 of 3 rows: 3 updated, 0 refused",
        ));
    let received = e.sandbox.sandbox.received();
    assert_eq!(received.len(), 3);
    assert!(received.iter().any(|r| r.body
        == r#"{"custom_call_outcome":"Sold","custom_call_outcome_value":299,"custom_call_metadata":{"campaign":"spring_2026"}}"#));
    assert_eq!(
        e.sandbox
            .sandbox
            .call("agent123", "call-first-415")
            .unwrap()
            .custom_call_outcome
            .as_deref(),
        Some("Sold")
    );
    let out = e
        .cmd()
        .args(["history", "--format", "jsonl"])
        .output()
        .unwrap();
    let states: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["state"].to_string())
        .collect();
    assert_eq!(states, ["\"ok\""; 3]);
}

#[test]
fn dry_run_checks_and_shows_the_first_request() {
    let e = env();
    e.batch("good.csv", GOOD.as_bytes(), &["--dry-run"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("curl -X PATCH"))
        .stdout(predicate::str::contains("/api/calls/agent123/call456'"))
        .stdout(predicate::str::contains("$PHONELY_API_KEY"))
        .stdout(predicate::str::contains(KEY).not());
    assert!(e.sandbox.sandbox.received().is_empty());
}

#[test]
fn json_lines_and_a_refused_row() {
    let e = env();
    let file = br#"{"agent_id":"agent123","target":"call456","outcome":"Sold","value":299}
{"agent_id":"agent123","call_id":"no-such-call","outcome":"Sold"}
"#;
    e.batch("fixes.jsonl", file, &["--yes", "--concurrency", "1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("✗ line 2 agent123 no-such-call"))
        .stderr(predicate::str::contains("1 updated, 1 refused"));
}

#[test]
fn without_yes_and_without_a_terminal_nothing_is_sent() {
    let e = env();
    e.batch("good.csv", GOOD.as_bytes(), &[])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("add --yes"));
    assert!(e.sandbox.sandbox.received().is_empty());
}

#[test]
fn hostile_files_are_refused_with_line_and_column_and_nothing_leaves() {
    let e = env();
    let cases: &[(&str, &[u8], &str)] = &[
        (
            "ragged.csv",
            b"agent_id,target,outcome\nagent123,call456,Sold\nagent123,call456,Sold,extra\n",
            "line 3: this row has 4 cells but the header has 3",
        ),
        (
            "short.csv",
            b"agent_id,target,outcome\nagent123,call456\n",
            "line 2: this row has 2 cells but the header has 3",
        ),
        (
            "quotes.csv",
            b"agent_id,target,outcome\nagent123,call456,\"Sold\nagent123,call457,Sold\n",
            "line 2, column outcome: this cell runs over several lines: a \" quote is probably not closed",
        ),
        (
            "unknown.csv",
            b"agent_id,target,outcome,notes\nagent123,call456,Sold,x\n",
            "unknown column notes",
        ),
        ("empty.csv", b"", "the file is empty"),
        (
            "header-only.csv",
            b"agent_id,target,outcome\n",
            "a header but no rows",
        ),
        (
            "latin1.csv",
            b"agent_id,target,outcome\nagent123,call456,Caf\xe9\n",
            "line 2: the file is not UTF-8 text",
        ),
        (
            "national.csv",
            b"agent_id,phone,outcome\nagent123,4155551234,Sold\n",
            "line 2, column phone: Phone must be in international form",
        ),
        (
            "value.csv",
            b"agent_id,target,value\nagent123,call456,\"1,299\"\n",
            "line 2, column value: Value must be a plain number",
        ),
        (
            "metadata.csv",
            b"agent_id,target,metadata\nagent123,call456,[1]\n",
            "line 2, column metadata: Metadata must be a JSON object",
        ),
        (
            "nothing.csv",
            b"agent_id,target,outcome\nagent123,call456,\n",
            "line 2, column outcome: Nothing to set",
        ),
        (
            "two-targets.csv",
            b"agent_id,call_id,phone,outcome\nagent123,call456,+14155551234,Sold\n",
            "line 2, column phone: give the call in one column only",
        ),
        (
            "agent.csv",
            b"agent_id,target,outcome\nagent 123,call456,Sold\n",
            "line 2, column agent_id: Agent cannot contain",
        ),
        (
            "bad.jsonl",
            b"{\"agent_id\":\"agent123\",\"target\":\"call456\",\"outcome\":\"Sold\"}\n{oops\n",
            "line 2: not valid JSON",
        ),
        (
            "array.jsonl",
            b"[\"agent123\",\"call456\"]\n",
            "line 1: each line must be a JSON object",
        ),
    ];
    for (name, content, says) in cases {
        e.batch(name, content, &["--yes"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(*says))
            .stderr(predicate::str::contains("Nothing was sent"));
    }
    // One bad row stops the whole file, good rows included.
    let mixed = format!("{GOOD}agent123,call456,,Sold,$5,\n");
    e.batch("mixed.csv", mixed.as_bytes(), &["--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line 5, column value"))
        .stderr(predicate::str::contains("3 rows are fine"));
    assert!(
        e.sandbox.sandbox.received().is_empty(),
        "nothing reached the server"
    );
    assert!(
        !e.data.path().join("history.sqlite3").exists(),
        "nothing was recorded either"
    );
}

#[test]
fn rows_for_the_same_call_go_in_file_order() {
    let e = env();
    let mut file = String::from("agent_id,target,outcome,value\n");
    for v in 1..=6 {
        let _ = write!(
            file,
            "agent123,call456,Sold,{v}\nagent123,call100{v},Sold,{v}\n"
        );
    }
    e.batch(
        "order.csv",
        file.as_bytes(),
        &["--yes", "--concurrency", "8"],
    )
    .assert()
    .code(1); // some call100N belong to other agents: refused, which is fine here
    let values: Vec<String> = e
        .sandbox
        .sandbox
        .received()
        .iter()
        .filter(|r| r.target == "call456")
        .map(|r| r.body.clone())
        .collect();
    let expected: Vec<String> = (1..=6)
        .map(|v| format!(r#"{{"custom_call_outcome":"Sold","custom_call_outcome_value":{v}}}"#))
        .collect();
    assert_eq!(values, expected);
    let call = e.sandbox.sandbox.call("agent123", "call456").unwrap();
    assert_eq!(call.custom_call_outcome_value.unwrap().to_string(), "6");
}

#[test]
fn busy_answers_are_retried_politely_but_not_for_a_phones_last_call() {
    use phonely_outcomes::sandbox::Fault;
    let e = env();
    e.sandbox.sandbox.push_fault(Fault::Status { code: 503 });
    e.sandbox
        .sandbox
        .push_fault(Fault::RateLimited { retry_after: 1 });
    e.batch(
        "retry.csv",
        b"agent_id,target,outcome\nagent123,call456,Sold\n",
        &["--yes"],
    )
    .assert()
    .code(0)
    .stderr(predicate::str::contains("line 2: HTTP 503"))
    .stderr(predicate::str::contains("trying again in"))
    .stderr(predicate::str::contains("1 updated"));
    assert_eq!(
        e.sandbox.sandbox.received().len(),
        3,
        "503, 429, then the update"
    );
    let out = e
        .cmd()
        .args(["history", "--format", "jsonl"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().lines().count(),
        1,
        "one row, one record"
    );

    // A phone number with `last` may have reached Phonely and hit a newer call: no retry.
    e.sandbox.sandbox.push_fault(Fault::Status { code: 503 });
    e.batch(
        "phone.csv",
        b"agent_id,phone,outcome\nagent123,+14155551234,Sold\n",
        &["--yes"],
    )
    .assert()
    .code(1)
    .stderr(predicate::str::contains("trying again").not());
    assert_eq!(e.sandbox.sandbox.received().len(), 4);
}

#[test]
fn a_report_line_per_row_in_file_order() {
    let e = env();
    let report = e.data.path().join("report.csv");
    let file = b"agent_id,target,outcome\nagent123,call456,Sold\nagent123,no-such-call,Sold\nagent123,+14155551234,Sold\n";
    e.batch("r.csv", file, &["--yes", "--report"])
        .arg(&report)
        .assert()
        .code(1);
    let mut reader = csv::Reader::from_path(&report).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "line",
            "request",
            "state",
            "http_status",
            "message",
            "resolved_call_id",
            "history_id"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let lines: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(lines, ["2", "3", "4"]);
    assert_eq!(&rows[0][2], "ok");
    assert_eq!(&rows[1][2], "refused");
    assert_eq!(&rows[1][3], "404");
    assert_eq!(
        &rows[2][5], "call-last-415",
        "the call a phone number resolved to"
    );
}

/// 300 rows over the sandbox's calls of agent123, each with its own value, so every request
/// can be told apart on the sandbox's side.
fn many_rows() -> String {
    let calls = [
        "call456", "call1003", "call1006", "call1009", "call1012", "call1015",
    ];
    let mut file = String::from("agent_id,target,outcome,value\n");
    for i in 0..300 {
        let _ = writeln!(file, "agent123,{},Sold,{}", calls[i % calls.len()], i + 1);
    }
    file
}

#[test]
fn killed_mid_batch_then_resumed_every_row_is_applied_once() {
    use phonely_outcomes::sandbox::Fault;
    let e = env();
    // Slow answers, so the batch is surely still running when it is killed.
    e.sandbox
        .sandbox
        .set_standing_fault(Fault::Delay { ms: 20 }, None);
    let file = e.data.path().join("many.csv");
    std::fs::write(&file, many_rows()).unwrap();
    let mut child = e
        .std_cmd()
        .arg("batch")
        .arg(&file)
        .args(["--yes", "--concurrency", "4"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    common::wait_until(
        "a third of the rows to arrive",
        std::time::Duration::from_secs(60),
        || e.sandbox.sandbox.received().len() >= 100,
    );
    child.kill().unwrap(); // SIGKILL
    let _ = child.wait();
    let before = e.sandbox.sandbox.received().len();
    assert!(
        before < 300,
        "the batch was stopped part way ({before} rows)"
    );

    e.cmd()
        .args(["batch", "--list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("300 rows"));
    e.sandbox.sandbox.clear_faults();
    e.sandbox
        .sandbox
        .set_standing_fault(Fault::Delay { ms: 0 }, Some(0));
    e.cmd()
        .args(["batch", "--resume", "1", "--yes"])
        .assert()
        .stderr(predicate::str::contains("Resuming batch #1"))
        .stderr(predicate::str::contains(
            "left alone; --resend-unknown sends them",
        ));
    // Every row reached the sandbox, and none twice: the rows in flight at the kill are
    // "unknown" and were left alone, and they had arrived.
    let bodies: Vec<String> = e
        .sandbox
        .sandbox
        .received()
        .iter()
        .map(|r| r.body.clone())
        .collect();
    let mut unique = bodies.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), bodies.len(), "no row was sent twice");
    let missing: Vec<usize> = (1..=300)
        .filter(|v| {
            !bodies.contains(&format!(
                r#"{{"custom_call_outcome":"Sold","custom_call_outcome_value":{v}}}"#
            ))
        })
        .collect();
    // A row recorded but killed before its request left is unknown too: --resend-unknown
    // sends exactly those.
    if !missing.is_empty() {
        e.cmd()
            .args(["batch", "--resume", "1", "--yes", "--resend-unknown"])
            .assert()
            .code(0);
        let bodies: Vec<String> = e
            .sandbox
            .sandbox
            .received()
            .iter()
            .map(|r| r.body.clone())
            .collect();
        for v in &missing {
            assert!(bodies.contains(&format!(
                r#"{{"custom_call_outcome":"Sold","custom_call_outcome_value":{v}}}"#
            )));
        }
    }
    // The last value for each call is the file's last row for it: order held across the kill.
    let call = e.sandbox.sandbox.call("agent123", "call1015").unwrap();
    assert_eq!(call.custom_call_outcome_value.unwrap().to_string(), "300");
}

#[test]
fn skip_invalid_sends_the_good_rows_and_rate_limits() {
    let e = env();
    let file = b"agent_id,target,outcome,value\nagent123,call456,Sold,1\nagent123,call456,Sold,$2\nagent123,call1003,Sold,3\n";
    e.batch(
        "some-bad.csv",
        file,
        &["--yes", "--skip-invalid", "--rate", "50"],
    )
    .assert()
    .code(0)
    .stderr(predicate::str::contains("skipped: "))
    .stderr(predicate::str::contains("line 3, column value"))
    .stderr(predicate::str::contains("2 of 2 rows: 2 updated"));
    assert_eq!(e.sandbox.sandbox.received().len(), 2);
    // A file-level problem still stops everything.
    e.batch(
        "unknown.csv",
        b"agent,target\na,b\n",
        &["--yes", "--skip-invalid"],
    )
    .assert()
    .code(2);
    e.batch("good.csv", GOOD.as_bytes(), &["--yes", "--rate", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--rate must be"));
    assert_eq!(e.sandbox.sandbox.received().len(), 2);
}
