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
    /// A config file with `text`, in the test's own folder.
    fn config(&self, text: &str) -> std::path::PathBuf {
        let path = self.data.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

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
    // Each row points back to its batch and line: in the JSON, with --batch, and in `show`.
    // One update sent by hand, which the batch filter leaves out.
    e.cmd()
        .args([
            "send",
            "--agent",
            "agent123",
            "--call",
            "call456",
            "--outcome",
            "Sold",
        ])
        .assert()
        .code(0);
    let out = e
        .cmd()
        .args(["history", "--format", "jsonl", "--batch", "1"])
        .output()
        .unwrap();
    let rows: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut lines: Vec<i64> = rows
        .iter()
        .map(|r| {
            assert_eq!(r["batch_id"], 1);
            r["batch_line"].as_i64().unwrap()
        })
        .collect();
    lines.sort_unstable();
    assert_eq!(lines, [2, 3, 4], "only the batch's rows");
    let id = rows[0]["id"].to_string();
    e.cmd()
        .args(["history", "show", &id])
        .assert()
        .stdout(predicate::str::contains("Batch      #1, line "));
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
        .stdout(predicate::str::contains(KEY).not())
        .stderr(predicate::str::contains("Would send to http://"))
        .stderr(predicate::str::contains("Sends to").not())
        .stderr(predicate::str::contains("Dry run: nothing was sent."));
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
            b"agent_id,phone,outcome\nagent123,415 5555,Sold\n",
            "line 2, column phone: Phone is too short for US",
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
            "batch_id"
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
    assert!(rows.iter().all(|r| &r[6] == "1"), "batch #1, the first");
}

#[test]
fn a_batch_still_sending_is_listed_as_such_cannot_be_resumed_and_joins_the_history_after() {
    use phonely_outcomes::sandbox::Fault;
    let e = env();
    e.sandbox
        .sandbox
        .set_standing_fault(Fault::Delay { ms: 20 }, None);
    let file = e.data.path().join("slow.csv");
    std::fs::write(&file, rows_of(300)).unwrap();
    let mut child = e
        .std_cmd()
        .arg("batch")
        .arg(&file)
        .args(["--yes", "--concurrency", "1"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    common::wait_until(
        "some rows to arrive",
        std::time::Duration::from_secs(60),
        || e.sandbox.sandbox.received().len() >= 5,
    );
    e.cmd()
        .args(["batch", "--list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("300 rows: being sent now ("));
    // Its rows are in its journal, not yet in the history: a resume now could send them twice.
    e.cmd()
        .args(["batch", "--resume", "1", "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "batch #1 is still being sent by another phonely-outcomes",
        ));
    child.kill().unwrap(); // SIGKILL
    let _ = child.wait();
    let arrived = e.sandbox.sandbox.received().len();
    assert!(arrived < 300, "stopped part way ({arrived} rows)");

    // The next look at the history brings the run in: each row that left is there once, the
    // one in flight at the kill (at most one, one at a time) as outcome unknown.
    let history = |e: &Env| -> Vec<serde_json::Value> {
        let out = e
            .cmd()
            .args(["history", "--format", "jsonl", "--limit", "1000"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let rows = history(&e);
    let ok = rows.iter().filter(|r| r["state"] == "ok").count();
    let unknown = rows.iter().filter(|r| r["state"] == "unknown").count();
    assert_eq!(ok + unknown, rows.len(), "only ok and unknown: {rows:?}");
    assert!(unknown <= 1, "{unknown} in flight with --concurrency 1");
    assert!(
        ok == arrived || ok + 1 == arrived,
        "{ok} ok for {arrived} arrived (the last may have arrived unrecorded)"
    );
    assert!(
        rows.len() >= arrived,
        "every row that left is in the history"
    );
    assert_eq!(history(&e).len(), rows.len(), "imported once");
    let journals = e.data.path().join("journals");
    let left: Vec<_> = std::fs::read_dir(&journals)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "imported journals are removed: {left:?}");
    e.sandbox.sandbox.clear_faults();
    e.cmd()
        .args(["batch", "--resume", "1", "--yes"])
        .assert()
        .stderr(predicate::str::contains("Resuming batch #1"));
}

/// 300 rows over the sandbox's calls of agent123, each with its own value, so every request
/// can be told apart on the sandbox's side.
fn many_rows() -> String {
    rows_of(300)
}

/// `n` such rows.
fn rows_of(n: usize) -> String {
    let calls = [
        "call456", "call1003", "call1006", "call1009", "call1012", "call1015",
    ];
    let mut file = String::from("agent_id,target,outcome,value\n");
    for i in 0..n {
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
    std::fs::write(&file, rows_of(1000)).unwrap();
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
        || e.sandbox.sandbox.received().len() >= 300,
    );
    child.kill().unwrap(); // SIGKILL
    let _ = child.wait();
    let before = e.sandbox.sandbox.received().len();
    assert!(
        before < 1000,
        "the batch was stopped part way ({before} rows)"
    );

    e.cmd()
        .args(["batch", "--list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("1000 rows"));
    // A request of the killed run that is still being handled can land after the resume's
    // later rows for its call (that is why such rows are "outcome unknown"): let those end.
    common::wait_until(
        "the killed run's requests to be handled",
        std::time::Duration::from_secs(60),
        || e.sandbox.sandbox.handling() == 0,
    );
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
    let missing: Vec<usize> = (1..=1000)
        .filter(|v| {
            !bodies.contains(&format!(
                r#"{{"custom_call_outcome":"Sold","custom_call_outcome_value":{v}}}"#
            ))
        })
        .collect();
    // The last value for each call is the file's last row for it: order held across the kill
    // (row 1000 goes to call1009: 999 % 6 = 3). Checked before any --resend-unknown below,
    // which sends an earlier row after it on purpose.
    let call = e.sandbox.sandbox.call("agent123", "call1009").unwrap();
    assert_eq!(call.custom_call_outcome_value.unwrap().to_string(), "1000");
    // A row recorded but killed before its request left is unknown too. --resend-unknown sends
    // those that are their call's last row in the file; the others are left alone, since the
    // later rows for their call went after them (sending one now would put back an older
    // value). Row v goes to the call of (v - 1) % 6, whose last row is one of 995..=1000.
    if !missing.is_empty() {
        let before = e.sandbox.sandbox.received().len();
        let (last, earlier): (Vec<usize>, Vec<usize>) = missing.iter().partition(|v| **v > 994);
        let resend = e
            .cmd()
            .args(["batch", "--resume", "1", "--yes", "--resend-unknown"])
            .assert()
            .code(0);
        // (Rows in flight at the kill that did arrive are unknown too, and left alone the same
        // way: the count said can be larger than those missing.)
        if !earlier.is_empty() {
            resend.stderr(predicate::str::contains(
                "left alone: a later row for the same call went through",
            ));
        }
        let bodies: Vec<String> = e
            .sandbox
            .sandbox
            .received()
            .iter()
            .map(|r| r.body.clone())
            .collect();
        assert_eq!(
            bodies.len(),
            before + last.len(),
            "only the calls' last rows"
        );
        for v in &last {
            assert!(bodies.contains(&format!(
                r#"{{"custom_call_outcome":"Sold","custom_call_outcome_value":{v}}}"#
            )));
        }
        let call = e.sandbox.sandbox.call("agent123", "call1009").unwrap();
        assert_eq!(call.custom_call_outcome_value.unwrap().to_string(), "1000");
    }
}

/// A resend after a timeout must not put back an older value: line 2 timed out (outcome
/// unknown) and lines 3 and 4 for the same call went through after it, so --resend-unknown
/// leaves line 2 alone, and the call keeps line 4's value.
#[test]
fn a_resume_never_sends_a_row_after_a_later_one_for_its_call_went_through() {
    use phonely_outcomes::sandbox::Fault;
    let e = env();
    e.sandbox.sandbox.set_standing_fault(Fault::Hang, Some(1));
    let seq = "agent_id,target,outcome,value\nagent123,call456,Sold,1\n\
               agent123,call456,Sold,2\nagent123,call456,Sold,3\n";
    e.batch("seq.csv", seq.as_bytes(), &["--yes", "--timeout", "1"])
        .assert()
        .code(3);
    let call = || e.sandbox.sandbox.call("agent123", "call456").unwrap();
    assert_eq!(call().custom_call_outcome_value.unwrap().to_string(), "3");
    let sent = e.sandbox.sandbox.received().len();
    e.cmd()
        .args(["batch", "--resume", "1", "--yes", "--resend-unknown"])
        .assert()
        .stderr(predicate::str::contains(
            "1 row left alone: a later row for the same call went through (or may have) after \
             it, so sending it now would put back an older value: line 2 (line 4 went after it).",
        ));
    assert_eq!(e.sandbox.sandbox.received().len(), sent, "nothing was sent");
    assert_eq!(call().custom_call_outcome_value.unwrap().to_string(), "3");
}

#[test]
fn skip_invalid_sends_the_good_rows_and_rate_limits() {
    let e = env();
    let file = b"agent_id,target,outcome,value\nagent123,call456,Sold,1\nagent123,call456,Sold,$2\nagent123,call1003,Sold,3\n";
    let report = e.data.path().join("report.csv");
    // Exit 1: not every row of the file was updated.
    e.batch(
        "some-bad.csv",
        file,
        &["--yes", "--skip-invalid", "--rate", "50", "--report"],
    )
    .arg(&report)
    .assert()
    .code(1)
    .stderr(predicate::str::contains("skipped: "))
    .stderr(predicate::str::contains(
        "1 row problem skipped (--skip-invalid); the 2 valid rows go on.",
    ))
    .stderr(predicate::str::contains("line 3, column value"))
    .stderr(predicate::str::contains("2 of 2 rows: 2 updated"))
    .stderr(predicate::str::contains(
        "1 row of the file was skipped as invalid (above); fix it and send it as a new file.",
    ));
    assert_eq!(e.sandbox.sandbox.received().len(), 2);
    // The report has a line for every row, the skipped one saying why.
    let report = std::fs::read_to_string(&report).unwrap();
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.len(), 4, "{report}");
    assert!(
        lines[1].starts_with("2,") && lines[1].contains(",ok,200,"),
        "{report}"
    );
    assert!(
        lines[2].starts_with("3,,invalid,,\"skipped as invalid: column value: Value "),
        "{report}"
    );
    assert!(
        lines[3].starts_with("4,") && lines[3].contains(",ok,200,"),
        "{report}"
    );
    // A resume of that batch skips the same rows, as the first run did (the file is the same),
    // rather than refusing the file.
    e.cmd()
        .args(["batch", "--resume", "1", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "1 row problem skipped (as when batch #1 was first sent); the 2 valid rows go on.",
        ))
        .stderr(predicate::str::contains("0 to send."));
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
    // One valid row: said in the singular.
    e.batch(
        "one-good.csv",
        b"agent_id,target,outcome,value\nagent123,call456,Sold,5\nagent123,call456,Sold,$6\n",
        &["--yes", "--skip-invalid"],
    )
    .assert()
    .code(1)
    .stderr(predicate::str::contains(
        "1 row problem skipped (--skip-invalid); the 1 valid row goes on.",
    ));
    assert_eq!(e.sandbox.sandbox.received().len(), 3);
}

/// The lines on standard error that start with `prefix`.
fn lines_starting<'a>(stderr: &'a str, prefix: &str) -> Vec<&'a str> {
    stderr.lines().filter(|l| l.starts_with(prefix)).collect()
}

#[test]
fn without_a_terminal_progress_is_a_plain_line_every_hundred_rows_and_failures_their_own() {
    let e = env();
    // 300 good rows and one refused: 301 rows, so a line at 100, 200 and 300 done.
    let mut file = many_rows();
    file.push_str("agent123,no-such-call,Sold,1\n");
    let out = e
        .batch(
            "progress.csv",
            file.as_bytes(),
            &["--yes", "--concurrency", "8"],
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let progress = lines_starting(&stderr, "progress: ");
    let done: Vec<&str> = progress
        .iter()
        .map(|l| l["progress: ".len()..].split(' ').next().unwrap())
        .collect();
    assert_eq!(done, ["100", "200", "300"], "{stderr}");
    for line in &progress {
        let (head, tail) = line.split_once("): ").unwrap();
        assert!(head.contains(" of 301 rows ("), "{line}");
        assert!(
            tail.contains(" updated, ") && tail.contains(" refused, "),
            "{line}"
        );
        assert!(tail.contains(" outcome unknown; "), "{line}");
        assert!(
            tail.contains(" rows/s, about ") && tail.ends_with(" left"),
            "{line}"
        );
    }
    // Rows that went through are counted, not listed; the one that did not is listed.
    assert!(lines_starting(&stderr, "✓").is_empty(), "{stderr}");
    assert_eq!(
        lines_starting(&stderr, "✗ line 302 agent123 no-such-call: ").len(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.ends_with("301 of 301 rows: 300 updated, 1 refused, 0 with no answer (outcome unknown), 0 not sent\n"),
        "{stderr}"
    );
    assert!(
        stderr.lines().count() <= 8,
        "a handful of lines, not one per row: {stderr}"
    );
}

/// Sends SIGINT, as Ctrl+C in a terminal does, with the system's `kill`.
fn interrupt(child: &std::process::Child) {
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Waits for a child to end, with a deadline; its exit code.
fn wait_for_exit(child: &mut std::process::Child, what: &str) -> Option<i32> {
    let mut code = None;
    common::wait_until(what, std::time::Duration::from_secs(60), || {
        match child.try_wait().unwrap() {
            Some(status) => {
                code = status.code();
                true
            }
            None => false,
        }
    });
    code
}

/// Standard error of a child, collected as it comes.
fn collect_stderr(child: &mut std::process::Child) -> std::sync::Arc<std::sync::Mutex<String>> {
    use std::io::Read as _;
    let text = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let mut pipe = child.stderr.take().unwrap();
    let sink = text.clone();
    std::thread::spawn(move || {
        let mut buf = [0_u8; 4096];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    text
}

/// `batch FILE --yes ARGS…` in the background, FILE (in the data folder) holding `rows`; its
/// standard error collected as it comes.
fn spawn_batch(
    e: &Env,
    name: &str,
    rows: &str,
    args: &[&str],
) -> (
    std::process::Child,
    std::sync::Arc<std::sync::Mutex<String>>,
) {
    let file = e.data.path().join(name);
    std::fs::write(&file, rows).unwrap();
    let mut child = e
        .std_cmd()
        .arg("batch")
        .arg(&file)
        .arg("--yes")
        .args(args)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = collect_stderr(&mut child);
    (child, stderr)
}

/// Waits for the run to end and for its summary: the exit code and all it wrote.
fn ended(
    child: &mut std::process::Child,
    stderr: &std::sync::Mutex<String>,
    what: &str,
) -> (Option<i32>, String) {
    let code = wait_for_exit(child, what);
    common::wait_until(
        "the summary on standard error",
        std::time::Duration::from_secs(10),
        || stderr.lock().unwrap().contains(" rows: "),
    );
    (code, stderr.lock().unwrap().clone())
}

/// Ctrl+C; once it is taken, the run is still waiting for its rows under way; then Ctrl+C
/// again. The exit code, all it wrote, and how long it took to end after the second.
fn stop_twice(
    child: &mut std::process::Child,
    stderr: &std::sync::Mutex<String>,
) -> (Option<i32>, String, std::time::Duration) {
    interrupt(child);
    common::wait_until(
        "the first Ctrl+C to be taken",
        std::time::Duration::from_secs(30),
        || stderr.lock().unwrap().contains("Stopping: "),
    );
    assert!(
        child.try_wait().unwrap().is_none(),
        "still waiting for the rows under way"
    );
    let second = std::time::Instant::now();
    interrupt(child);
    let (code, text) = ended(child, stderr, "the batch to stop after a second Ctrl+C");
    (code, text, second.elapsed())
}

#[test]
fn ctrl_c_stops_taking_rows_lets_those_under_way_finish_and_says_how_to_resume() {
    use phonely_outcomes::sandbox::Fault;
    let e = env();
    e.sandbox
        .sandbox
        .set_standing_fault(Fault::Delay { ms: 30 }, None);
    let (mut child, stderr) = spawn_batch(&e, "many.csv", &many_rows(), &["--concurrency", "3"]);
    common::wait_until(
        "some rows to arrive",
        std::time::Duration::from_secs(60),
        || e.sandbox.sandbox.received().len() >= 20,
    );
    interrupt(&child);
    let (code, stderr) = ended(&mut child, &stderr, "the batch to stop after Ctrl+C");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("Stopping: no more rows will be sent"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Batch #1 stopped (Ctrl+C): ")
            && stderr.contains("`phonely-outcomes batch --resume 1` sends them"),
        "{stderr}"
    );
    // The rows under way finished and were recorded: nothing is left pending or unknown, and
    // every row that reached the sandbox is recorded as updated.
    let arrived = e.sandbox.sandbox.received().len();
    assert!(arrived < 300, "it stopped part way ({arrived} rows)");
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
    let ok = states.iter().filter(|s| *s == "\"ok\"").count();
    assert_eq!(ok, arrived, "{states:?}");
    assert!(
        states
            .iter()
            .all(|s| s == "\"ok\"" || s == "\"network_error\""),
        "only updated, or recorded but never sent: {states:?}"
    );
    // The resume sends exactly the rest.
    // A request of the killed run that is still being handled can land after the resume's
    // later rows for its call (that is why such rows are "outcome unknown"): let those end.
    common::wait_until(
        "the killed run's requests to be handled",
        std::time::Duration::from_secs(60),
        || e.sandbox.sandbox.handling() == 0,
    );
    e.sandbox.sandbox.clear_faults();
    e.sandbox
        .sandbox
        .set_standing_fault(Fault::Delay { ms: 0 }, Some(0));
    e.cmd()
        .args(["batch", "--resume", "1", "--yes"])
        .assert()
        .code(0);
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
    assert_eq!(bodies.len(), 300, "every row once");
    assert_eq!(unique.len(), 300, "none twice");
}

#[test]
fn a_second_ctrl_c_stops_waiting_and_those_rows_are_outcome_unknown() {
    use phonely_outcomes::sandbox::Fault;
    let e = env();
    e.sandbox.sandbox.set_standing_fault(Fault::Hang, None);
    let (mut child, stderr) = spawn_batch(&e, "hang.csv", &many_rows(), &["--concurrency", "2"]);
    common::wait_until(
        "two requests hanging",
        std::time::Duration::from_secs(60),
        || e.sandbox.sandbox.received().len() >= 2,
    );
    let (code, stderr, _) = stop_twice(&mut child, &stderr);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains(
            "300 of 300 rows: 0 updated, 0 refused, 2 with no answer (outcome unknown), 298 not \
             sent"
        ),
        "{stderr}"
    );
    assert_eq!(lines_starting(&stderr, "⊘ line ").len(), 2, "{stderr}");
    assert_eq!(e.sandbox.sandbox.received().len(), 2);
}

#[test]
fn columns_under_other_names_are_mapped_with_column() {
    let e = env();
    let file = b"Agent,Call ID,Result,Amount\nagent123,call456,Sold,299\n";
    e.batch(
        "crm.csv",
        file,
        &[
            "--yes",
            "--column",
            "Agent=agent_id",
            "--column",
            "Call ID=call_id",
            "--column",
            "Result=outcome",
            "--column",
            "Amount=value",
        ],
    )
    .assert()
    .code(0)
    .stderr(predicate::str::contains("1 of 1 rows: 1 updated"));
    let received = e.sandbox.sandbox.received();
    assert_eq!(received[0].target, "call456");
    assert_eq!(
        received[0].body,
        r#"{"custom_call_outcome":"Sold","custom_call_outcome_value":299}"#
    );
    e.batch(
        "crm.jsonl",
        br#"{"agent_id":"agent123","Phone":"+14155551234","outcome":"No Sale"}"#,
        &["--yes", "--column", "Phone=phone"],
    )
    .assert()
    .code(0);
    assert_eq!(e.sandbox.sandbox.received()[1].target, "+14155551234");
}

#[test]
fn a_wrong_column_mapping_is_refused_and_nothing_is_sent() {
    let e = env();
    let file = b"Agent,Call ID,Result\nagent123,call456,Sold\n";
    let cases: &[(&[&str], &str)] = &[
        (
            &["--column", "Agent=agent", "--column", "Call ID=call_id"],
            "--column Agent=agent: \"agent\" is not a field; the fields are agent_id, target",
        ),
        (
            &[
                "--column",
                "Agent=agent_id",
                "--column",
                "Call ID=target",
                "--column",
                "Result=target",
            ],
            "--column Call ID=target and --column Result=target both fill target",
        ),
        (
            &["--column", "Agent=agent_id", "--column", "Call ID=call_id"],
            "unknown column Result: the columns are agent_id",
        ),
        (&["--column", "Result"], "write it as NAME=field"),
    ];
    for (args, says) in cases {
        e.batch("crm.csv", file, &[&["--yes"][..], args].concat())
            .assert()
            .code(2)
            .stderr(predicate::str::contains(*says))
            .stderr(predicate::str::contains("Nothing was sent"));
    }
    assert!(e.sandbox.sandbox.received().is_empty());
}

#[test]
fn a_resume_must_read_the_columns_as_the_first_run_did() {
    let e = env();
    let file = e.data.path().join("crm.csv");
    std::fs::write(
        &file,
        "Agent,target,outcome\nagent123,call456,Sold\nagent123,call1003,Sold\n",
    )
    .unwrap();
    e.cmd()
        .arg("batch")
        .arg(&file)
        .args(["--yes", "--column", "Agent=agent_id"])
        .assert()
        .code(0);
    e.cmd()
        .args(["batch", "--resume", "1", "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("batch #1 read"))
        .stderr(predicate::str::contains(
            "with other --column flags, --pin, --lenient or default_region than these \
             (no --column, no --pin)",
        ));
    e.cmd()
        .args([
            "batch",
            "--resume",
            "1",
            "--yes",
            "--column",
            "Agent=agent_id",
        ])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "Resuming batch #1: 2 already updated",
        ));
    assert_eq!(e.sandbox.sandbox.received().len(), 2, "nothing sent twice");
}

#[test]
fn phones_as_people_type_them_and_pasted_values_with_lenient() {
    let e = env();
    let file = b"agent_id,phone,outcome,value\nagent123,(415) 555-1234,Sold,\"$1,299.00\"\n";
    // Values stay strict unless --lenient, which says so.
    e.batch("crm.csv", file, &["--dry-run"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "line 2, column value: Value must be a plain number",
        ));
    e.batch("crm.csv", file, &["--dry-run", "--lenient"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "/api/calls/agent123/+14155551234?preference=last'",
        ))
        .stdout(predicate::str::contains(
            r#""custom_call_outcome_value":1299.0"#,
        ));
    assert!(e.sandbox.sandbox.received().is_empty());
}

#[test]
fn a_call_id_column_of_digits_stays_a_call_id() {
    let e = env();
    e.batch(
        "ids.csv",
        b"agent_id,call_id,outcome\nagent123,4155551234,Sold\n",
        &["--dry-run"],
    )
    .assert()
    .code(0)
    .stdout(predicate::str::contains("/api/calls/agent123/4155551234'"));
}

#[test]
fn a_second_ctrl_c_ends_a_retry_pause_and_the_row_keeps_its_answer() {
    use phonely_outcomes::sandbox::Fault;
    let e = env();
    // Every answer is 429 with Retry-After: 60: the row waits a minute before its next try.
    e.sandbox
        .sandbox
        .set_standing_fault(Fault::RateLimited { retry_after: 60 }, None);
    let (mut child, stderr) = spawn_batch(
        &e,
        "busy.csv",
        "agent_id,target,outcome\nagent123,call456,Sold\n",
        &[],
    );
    common::wait_until(
        "the row to pause before its next try",
        std::time::Duration::from_secs(60),
        || stderr.lock().unwrap().contains("trying again in 60.0 s"),
    );
    let (code, stderr, after_second) = stop_twice(&mut child, &stderr);
    assert!(
        after_second < std::time::Duration::from_secs(30),
        "the pause was cut short, not waited out ({after_second:?})"
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("1 of 1 rows: 0 updated, 1 refused"),
        "the row keeps the 429 it had: {stderr}"
    );
    assert_eq!(e.sandbox.sandbox.received().len(), 1, "no second try");
}

/// A resume goes to the account its batch went to: the batch's profile, not the default one
/// (a batch tried on one account must never go on in another), and another `--profile` is
/// refused with nothing sent.
#[test]
fn a_resume_sends_with_the_batchs_own_profile_and_refuses_another() {
    let e = env();
    let config = e.config(&format!(
        "default_profile = \"other\"\n\n[profiles.staging]\nbase_url = \"{}\"\n\
         api_key_env = \"PHONELY_API_KEY\"\n\n[profiles.other]\n\
         base_url = \"http://127.0.0.1:9\"\napi_key_env = \"PHONELY_API_KEY\"\n",
        e.sandbox.base_url()
    ));
    let config = config.display().to_string();
    e.batch("good.csv", GOOD.as_bytes(), &["--yes"])
        .args(["--config", &config, "--profile", "staging"])
        .assert()
        .code(0);
    let sent = e.sandbox.sandbox.received().len();
    e.cmd()
        .args(["batch", "--resume", "1", "--dry-run", "--config", &config])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("(profile staging)"));
    e.cmd()
        .args(["batch", "--resume", "1", "--yes", "--config", &config])
        .args(["--profile", "sandbox"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "batch #1 was sent with profile staging (",
        ))
        .stderr(predicate::str::contains(
            "not with profile sandbox. Leave out --profile (and PHONELY_PROFILE), or give \
             --profile staging. Nothing was sent.",
        ));
    assert_eq!(
        e.sandbox.sandbox.received().len(),
        sent,
        "nothing more was sent"
    );
}

/// A report that cannot be written stops the run before anything is sent, not after every row
/// went; and a run that sends nothing leaves no empty report behind.
#[test]
fn a_report_that_cannot_be_written_stops_the_run_before_anything_is_sent() {
    let e = env();
    let nowhere = e.data.path().join("no-such-folder").join("report.csv");
    e.batch("good.csv", GOOD.as_bytes(), &["--yes", "--report"])
        .arg(&nowhere)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the report cannot be written to"))
        .stderr(predicate::str::contains(
            "give --report a file in a folder that exists and can be written. Nothing was sent.",
        ));
    assert!(e.sandbox.sandbox.received().is_empty(), "nothing was sent");
    let report = e.data.path().join("report.csv");
    e.batch("good.csv", GOOD.as_bytes(), &["--yes", "--report"])
        .arg(&report)
        .env_remove("PHONELY_API_KEY")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("No API key"));
    assert!(e.sandbox.sandbox.received().is_empty(), "nothing was sent");
    assert!(!report.exists(), "no empty report is left behind");
}

/// Without `--yes`, a batch for a production profile sends only when the profile's name is
/// typed (as the workbench asks): a `y` out of habit sends nothing.
#[test]
fn a_production_profile_wants_its_name_typed_before_a_batch_is_sent() {
    let e = env();
    let config = e.config(&format!(
        "[profiles.live]\nbase_url = \"{}\"\nproduction = true\n\
         api_key_env = \"PHONELY_API_KEY\"\n",
        e.sandbox.base_url()
    ));
    let file = e.data.path().join("good.csv");
    std::fs::write(&file, GOOD).unwrap();
    let run = |answer: &str| {
        let mut cmd = portable_pty::CommandBuilder::new(env!("CARGO_BIN_EXE_phonely-outcomes"));
        cmd.env_clear();
        cmd.env("HOME", e.data.path());
        cmd.env("PHONELY_API_KEY", KEY);
        cmd.env("PHONELY_OUTCOMES_DATA", e.data.path());
        cmd.env("PHONELY_OUTCOMES_CONFIG", &config);
        cmd.env("PHONELY_OUTCOMES_LOGS", e.data.path().join("logs"));
        cmd.args(["batch", "--profile", "live"]);
        cmd.arg(&file);
        let mut tty = common::tty::Tty::launch(cmd);
        tty.wait_for("Profile live is PRODUCTION. Type its name to send 3 updates there");
        tty.keys(answer);
        let status = tty.wait_exit();
        (status, tty.screen())
    };
    let (status, screen) = run("y\r");
    assert!(status.success(), "{screen}");
    assert!(screen.contains("Nothing was sent."), "{screen}");
    assert!(e.sandbox.sandbox.received().is_empty(), "a y sends nothing");
    let (status, screen) = run("live\r");
    assert!(status.success(), "{screen}");
    assert_eq!(e.sandbox.sandbox.received().len(), 3, "{screen}");
}

/// A file sent before is named as such before the person decides (a dry run, or the question),
/// with the resume that sends only what did not go through.
#[test]
fn a_file_sent_before_is_noticed_before_sending_it_again() {
    let e = env();
    e.batch("good.csv", GOOD.as_bytes(), &["--dry-run"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("sent before").not());
    e.batch("good.csv", GOOD.as_bytes(), &["--yes"])
        .assert()
        .code(0);
    e.batch("good.csv", GOOD.as_bytes(), &["--dry-run"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "Note: this file was sent before, as batch #1 on ",
        ))
        .stderr(predicate::str::contains(
            "(3 rows, 3 updated). Sending it again sends every row again; `phonely-outcomes \
             batch --resume 1` sends only the rows that did not go through.",
        ));
    // Another file is not taken for it.
    let other = GOOD.replace("299", "300");
    e.batch("other.csv", other.as_bytes(), &["--dry-run"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("sent before").not());
}

/// A key Phonely refuses stops the run at the first 401 (every further row would be refused
/// the same way); the resume, with the right key, sends every row, the refused ones included
/// (a 401 was never applied).
#[test]
fn a_refused_key_stops_the_run_and_the_resume_sends_every_row() {
    let e = env();
    let file = e.data.path().join("many.csv");
    std::fs::write(&file, many_rows()).unwrap();
    let report = e.data.path().join("report.csv");
    let out = e
        .cmd()
        .env("PHONELY_API_KEY", "not-the-key-9f3a")
        .arg("batch")
        .arg(&file)
        .args(["--yes", "--report"])
        .arg(&report)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "Stopping: Phonely answered HTTP 401 to the key, so no more rows will be sent",
        ))
        .stderr(predicate::str::contains(
            "Batch #1 stopped (Phonely refused the API key: HTTP 401): ",
        ))
        .stderr(predicate::str::contains(
            "once the key is right (`phonely-outcomes config show` checks it)",
        ));
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(!stderr.contains("not-the-key-9f3a"), "{stderr}");
    let refused = e.sandbox.sandbox.received().len();
    assert!(refused <= 8, "it stopped at once ({refused} sent)");
    // The report has every row: the refused ones, and the rest as not sent.
    let report = std::fs::read_to_string(&report).unwrap();
    assert_eq!(report.lines().count(), 301, "{report}");
    assert_eq!(
        report.lines().filter(|l| l.contains(",not_sent,")).count(),
        300 - refused,
        "{report}"
    );
    e.cmd()
        .args(["batch", "--resume", "1", "--yes"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("300 to send."));
    assert_eq!(e.sandbox.sandbox.received().len(), refused + 300);
}

/// The report must not replace the file being sent, and it tells first from last calls apart.
#[test]
fn the_report_never_replaces_the_file_and_names_the_preference() {
    let e = env();
    let file = e.data.path().join("good.csv");
    std::fs::write(&file, GOOD).unwrap();
    e.cmd()
        .arg("batch")
        .arg(&file)
        .args(["--yes", "--report"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is the file being sent: the report would replace it. Give the report another \
             name. Nothing was sent.",
        ));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), GOOD);
    assert!(e.sandbox.sandbox.received().is_empty());
    let report = e.data.path().join("report.csv");
    e.cmd()
        .arg("batch")
        .arg(&file)
        .args(["--yes", "--report"])
        .arg(&report)
        .assert()
        .code(0);
    let report = std::fs::read_to_string(&report).unwrap();
    assert!(
        report.contains("agent123 +14155551234 (first) ←"),
        "{report}"
    );
    assert!(
        report.contains("agent123 +14155551234 (last) ←"),
        "{report}"
    );
}

/// A `target` of a few digits is a call ID; the dry run says how each such row is read, so a
/// phone typed short is caught before anything is sent.
#[test]
fn dry_run_says_how_rows_are_read() {
    let e = env();
    let file = "agent_id,target,outcome\nagent123,123,Sold\nagent123,call456,Sold\n\
                agent123,call456,sold\nagent123,call456,Follow Up Required\n";
    e.batch("short.csv", file.as_bytes(), &["--dry-run"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "line 2: target 123 is read as a call ID; a US phone has 10 digits",
        ))
        .stderr(predicate::str::contains("line 3").not())
        // The form's outcome rule too; the docs' own spelling is not flagged.
        .stderr(predicate::str::contains(
            "line 4: outcome \"sold\": did you mean Sold?",
        ))
        .stderr(predicate::str::contains("line 5").not());
    let file = "agent_id,call_id,outcome\nagent123,123,Sold\n";
    e.batch("ids.csv", file.as_bytes(), &["--dry-run"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("read as a call ID").not());
}
