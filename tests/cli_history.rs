//! `phonely-outcomes history` on the command line: filters, table / jsonl / csv, `show`.

mod common;

use assert_cmd::Command;
use predicates::prelude::*;

type Env = common::cli_env::CliEnv;

fn env() -> Env {
    common::cli_env::start("k")
}

impl Env {
    fn run(&self, args: &[&str]) -> Command {
        let mut c = self.cmd();
        c.args(args);
        c
    }

    fn stdout(&self, args: &[&str]) -> String {
        let out = self
            .run(args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).unwrap()
    }

    /// The rows of the table (without its header row, which is checked to be there when
    /// there are rows).
    fn table(&self, args: &[&str]) -> Vec<String> {
        let text = self.stdout(args);
        let mut lines = text.lines().map(String::from);
        match lines.next() {
            None => Vec::new(),
            Some(header) => {
                assert!(header.starts_with("ID "), "header row: {text}");
                lines.collect()
            }
        }
    }
}

/// Four updates: call456 twice (Sold, then No Sale), a phone, and a refused one.
fn filled() -> Env {
    let e = env();
    for (target, flag, outcome, code) in [
        ("call456", "--call", "Sold", 0),
        ("+14155551234", "--phone", "Sold", 0),
        ("nope", "--call", "Sold", 1),
        ("call456", "--call", "No Sale", 0),
    ] {
        e.run(&[
            "send",
            "--agent",
            "agent123",
            flag,
            target,
            "--outcome",
            outcome,
        ])
        .assert()
        .code(code);
    }
    e
}

#[test]
fn filters_pick_the_right_updates() {
    let e = filled();
    let all = e.table(&["history"]);
    assert_eq!(all.len(), 4, "{all:?}");
    let call = e.table(&["history", "--call", "call456"]);
    assert_eq!(call.len(), 2, "{call:?}");
    assert!(call[0].contains("No Sale"), "newest first: {call:?}");
    // A phone update is found by the call Phonely resolved it to.
    let resolved = e.table(&["history", "--call", "call-last-415"]);
    assert_eq!(resolved.len(), 1, "{resolved:?}");
    assert!(resolved[0].contains("+14155551234"), "{resolved:?}");
    let failed = e.table(&["history", "--state", "failed"]);
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(failed[0].contains("nope"), "{failed:?}");
    assert_eq!(e.table(&["history", "--outcome", "Sold"]).len(), 3);
    assert_eq!(e.table(&["history", "--text", "sale 456"]).len(), 1);
    assert_eq!(e.table(&["history", "--target", "+14155551234"]).len(), 1);
    assert_eq!(e.table(&["history", "--since", "1h"]).len(), 4);
    assert_eq!(e.table(&["history", "--until", "2000-01-01"]).len(), 0);
    assert_eq!(e.table(&["history", "--profile", "default"]).len(), 4);
    assert_eq!(e.table(&["history", "--limit", "1"]).len(), 1);
}

/// The table starts with a header row whose columns line up with the rows under it.
#[test]
fn the_table_has_an_aligned_header() {
    let e = filled();
    let text = e.stdout(&["history"]);
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("ID "), "{text}");
    // Columns by character, not byte: the state's mark (✓) is one character wide.
    let at = |line: &str, word: &str| {
        let byte = line
            .find(word)
            .unwrap_or_else(|| panic!("{word:?} in {line:?}"));
        line[..byte].chars().count()
    };
    for row in lines {
        assert_eq!(at(header, "Recorded"), at(row, "20"), "{header}\n{row}");
        let state = row.find(['✓', '✗']).map(|b| row[..b].chars().count());
        assert_eq!(Some(at(header, "State")), state, "{header}\n{row}");
        assert_eq!(
            at(header, "Agent/target"),
            at(row, "agent123/"),
            "{header}\n{row}"
        );
    }
}

#[test]
fn csv_and_jsonl_exports() {
    let e = filled();
    let csv_text = e.stdout(&["history", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        &header[..5],
        ["id", "created_at", "sent_at", "completed_at", "state"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4);
    assert!(
        rows.iter().all(|r| r.len() == header.len()),
        "no ragged rows"
    );
    let body = header.iter().position(|h| h == "body").unwrap();
    assert!(rows[0][body].starts_with("{\"custom_call_outcome\":\"No Sale\""));
    assert!(
        rows[0][1].ends_with('Z'),
        "times in RFC 3339 UTC: {}",
        &rows[0][1]
    );
    let jsonl = e.stdout(&["history", "--format", "jsonl", "--state", "ok"]);
    let states: Vec<String> = jsonl
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["state"].to_string())
        .collect();
    assert_eq!(states, ["\"ok\""; 3]);
    assert_eq!(
        e.stdout(&["history", "--json"]),
        e.stdout(&["history", "--format", "jsonl"])
    );
}

#[test]
fn show_one_update_in_full() {
    let e = filled();
    let shown = e.stdout(&["history", "show", "1"]);
    for part in [
        "Update #1",
        "✓ ok",
        "PATCH ",
        "/api/calls/agent123/call456",
        "X-Authorization: ••••••••",
        "\"custom_call_outcome\": \"Sold\"",
        "HTTP 200",
        "\"success\": true",
    ] {
        assert!(shown.contains(part), "{part:?} in:\n{shown}");
    }
    e.run(&["history", "show", "99"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("there is no update #99"));
}

#[test]
fn bad_filters_are_refused_clearly() {
    let e = filled();
    e.run(&["history", "--state", "sideways"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--state sideways is not a state"));
    e.run(&["history", "--since", "yesterday"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--since: yesterday is not a time"));
    e.run(&["history", "--format", "xml"]).assert().code(2);
}

#[test]
fn an_empty_history_still_exports_a_header() {
    let e = env();
    assert_eq!(e.stdout(&["history", "--format", "csv"]).lines().count(), 1);
    assert_eq!(e.stdout(&["history", "--format", "jsonl"]), "");
}

/// Filters read what people type: a phone in any national form (whole or in part), a label in
/// any case, a value; and an empty result says so on stderr (exit 0).
#[test]
fn filters_read_phones_values_and_labels_as_people_type_them() {
    let e = env();
    for (flag, target, outcome, value) in [
        ("--call", "call456", "Sold", "499"),
        ("--phone", "+14155551234", "No Sale", "0"),
    ] {
        e.run(&[
            "send",
            "--agent",
            "agent123",
            flag,
            target,
            "--outcome",
            outcome,
            "--value",
            value,
        ])
        .assert()
        .code(0);
    }
    for target in ["(415) 555-1234", "415.555.1234", "555-1234", "+14155551234"] {
        let out = e.stdout(&["history", "--target", target]);
        assert!(out.contains("+14155551234"), "{target}: {out}");
        assert!(!out.contains("call456"), "{target}: {out}");
    }
    for outcome in ["sold", "SOLD", "Sold"] {
        let out = e.stdout(&["history", "--outcome", outcome]);
        assert!(out.contains("call456"), "{outcome}: {out}");
        assert!(!out.contains("+14155551234"), "{outcome}: {out}");
    }
    for value in ["499", "499.0"] {
        let out = e.stdout(&["history", "--value", value]);
        assert!(out.contains("call456"), "{value}: {out}");
        assert!(!out.contains("+14155551234"), "{value}: {out}");
    }
    e.run(&["history", "--value", "abc"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--value"));
    e.run(&["history", "--outcome", "Escalated Successfully"])
        .assert()
        .code(0)
        .stdout("")
        .stderr(predicate::str::contains("No updates match"));
}

/// `history --call ID` finds the updates pinned to that call (`send --pin`), as well as those
/// sent to it by ID, and a pinned update still pending too (its answer has not named the call
/// yet).
#[test]
fn a_call_finds_the_updates_pinned_to_it() {
    let e = env();
    e.run(&[
        "send",
        "--agent",
        "agent123",
        "--phone",
        "+14155551234",
        "--preference",
        "first",
        "--pin",
        "--outcome",
        "Sold",
    ])
    .assert()
    .success();
    e.run(&[
        "send",
        "--agent",
        "agent123",
        "--call",
        "call-mid-415",
        "--outcome",
        "Sold",
    ])
    .assert()
    .success();
    // A pinned send left pending (as a process that died mid-send leaves it), by hand.
    {
        use phonely_outcomes::api::request::{BaseUrl, build};
        use phonely_outcomes::api::update::{CallId, OutcomeUpdate, Target, UpdateInput, validate};
        let by_phone = validate(&UpdateInput {
            agent: "agent123",
            target: "+14155551234",
            preference: Some("last"),
            outcome: "Callback",
            ..UpdateInput::default()
        })
        .unwrap();
        let pinned = OutcomeUpdate {
            target: Target::CallId(CallId::parse("call-first-415").unwrap()),
            ..by_phone.clone()
        };
        let store = phonely_outcomes::history::Store::open(e.data.path(), "other").unwrap();
        let who = phonely_outcomes::history::Provenance {
            operator: "sam".into(),
            profile: "default".into(),
            base_url: e.sandbox.base_url(),
        };
        store
            .insert_pending_pinned(
                &who,
                &by_phone,
                &build(&pinned, &BaseUrl::default()),
                "call-first-415",
            )
            .unwrap();
    }
    let json = e.stdout(&["history", "--call", "call-first-415", "--json"]);
    let rows: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2, "{json}");
    for row in &rows {
        assert_eq!(row["pinned_call"], "call-first-415", "{row}");
        assert_eq!(row["target"], "+14155551234", "{row}");
    }
    let states: Vec<&str> = rows.iter().map(|r| r["state"].as_str().unwrap()).collect();
    assert!(states.contains(&"ok"), "{states:?}");
    assert!(
        states.contains(&"pending") || states.contains(&"unknown"),
        "the unfinished one too: {states:?}"
    );
    // By ID as before, and not the pinned ones of another call.
    let mid = e.table(&["history", "--call", "call-mid-415"]);
    assert_eq!(mid.len(), 1, "{mid:?}");
}
