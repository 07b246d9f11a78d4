//! Limits and refusals on the command line (issue 15): flags that go anywhere, files read only
//! up to their cap, keys and timeouts that cannot work refused before anything is recorded,
//! invisible characters and numbers that would change on the way refused on every surface.

mod common;

use std::time::Duration;

use assert_cmd::Command;
use phonely_outcomes::api::update::{Field, UpdateInput, validate};
use predicates::prelude::*;

const KEY: &str = "limits-key-4c1d";

type Env = common::cli_env::CliEnv;

fn env() -> Env {
    common::cli_env::start(KEY)
}

const SEND: &[&str] = &[
    "send",
    "--agent",
    "agent123",
    "--call",
    "call456",
    "--outcome",
    "Sold",
];

impl Env {
    /// The binary without `$PHONELY_OUTCOMES_DATA`, so only `--data-dir` says where the
    /// history is.
    fn bare(&self) -> Command {
        let mut c = self.cmd();
        c.env_remove("PHONELY_OUTCOMES_DATA");
        c
    }
}

fn stderr_of(c: &mut Command) -> (Option<i32>, String) {
    let out = c.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// `--data-dir`, `--config`, `--profile` and `--log-level` work before the command's name and
/// after it, down to `history show` and `config show`.
#[test]
fn global_flags_work_before_and_after_the_command() {
    let e = env();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "confirm_before_send = false\n").unwrap();
    let c = config.to_str().unwrap();
    // send: after, then before.
    e.bare()
        .args(SEND)
        .args(["--data-dir", d, "--config", c, "--log-level", "warn"])
        .assert()
        .code(0);
    e.bare()
        .args(["--data-dir", d, "--config", c])
        .args(SEND)
        .assert()
        .code(0);
    // history show: after `show`, and between.
    for args in [
        &["history", "show", "2", "--data-dir", d][..],
        &["history", "--data-dir", d, "show", "2"],
        &["--data-dir", d, "history", "show", "2"],
        &["history", "show", "2", "--data-dir", d, "--config", c],
    ] {
        e.bare()
            .args(args)
            .assert()
            .code(0)
            .stdout(predicate::str::contains("Update #2"));
    }
    e.bare()
        .args(["history", "--data-dir", d, "--json"])
        .assert()
        .code(0)
        .stdout(predicate::function(|s: &str| s.lines().count() == 2));
    // batch: after the file, and before the command.
    let file = dir.path().join("rows.csv");
    std::fs::write(&file, "agent_id,call_id,outcome\nagent123,call456,Sold\n").unwrap();
    let f = file.to_str().unwrap();
    for args in [
        &[
            "batch",
            f,
            "--dry-run",
            "--data-dir",
            d,
            "--profile",
            "default",
        ][..],
        &["--data-dir", d, "batch", f, "--dry-run"],
    ] {
        e.bare()
            .args(args)
            .assert()
            .code(0)
            .stderr(predicate::str::contains("1 row, all valid"));
    }
    // config show: the flags after `show`.
    e.bare()
        .args(["config", "show", "--config", c, "--data-dir", d])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(c))
        .stdout(predicate::str::contains("confirm_before_send   false"));
    e.bare()
        .args(["config", "path", "--data-dir", d])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(format!("data    {d}")));
    // The workbench's own flags before a command are still refused.
    e.bare()
        .args(["--sandbox", "history"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--sandbox before `history`"));
}

/// A key with a control character cannot go in a header: that is the configuration's fault,
/// found before anything is recorded or sent (exit 2, no history row), and the key is never
/// printed.
#[test]
fn a_key_that_cannot_go_in_a_header_is_refused_as_configuration() {
    let e = env();
    let bad_key = "limits\u{7}key-9x8y";
    let (code, stderr) = stderr_of(e.cmd().args(SEND).env("PHONELY_API_KEY", bad_key));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("control character (U+0007) at position 7"),
        "{stderr}"
    );
    assert!(stderr.contains("PHONELY_API_KEY"), "{stderr}");
    assert!(stderr.contains("Nothing was sent"), "{stderr}");
    assert!(
        !stderr.contains("9x8y") && !stderr.contains("network"),
        "{stderr}"
    );
    let file = e.data.path().join("rows.csv");
    std::fs::write(&file, "agent_id,call_id,outcome\nagent123,call456,Sold\n").unwrap();
    let (code, stderr) = stderr_of(
        e.cmd()
            .arg("batch")
            .arg(&file)
            .arg("--yes")
            .env("PHONELY_API_KEY", bad_key),
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("control character"), "{stderr}");
    assert!(!stderr.contains("9x8y"), "{stderr}");
    assert!(e.sandbox.sandbox.received().is_empty());
    let history = e.cmd().args(["history", "--json"]).output().unwrap();
    assert!(history.stdout.is_empty(), "no history row: {history:?}");
}

/// A timeout below 0.1 s ends every request as "unknown"; above 600 s nobody is waiting any
/// more: both are refused, on `send`, `batch` (a dry run too) and in the config file.
#[test]
fn timeouts_outside_a_tenth_of_a_second_to_ten_minutes_are_refused() {
    let e = env();
    let file = e.data.path().join("rows.csv");
    std::fs::write(&file, "agent_id,call_id,outcome\nagent123,call456,Sold\n").unwrap();
    let f = file.to_str().unwrap();
    for timeout in ["1e-9", "0.05", "601", "-1"] {
        for extra in [&[][..], &["--dry-run"]] {
            let (code, stderr) =
                stderr_of(e.cmd().args(SEND).args(["--timeout", timeout]).args(extra));
            assert_eq!(code, Some(2), "send {timeout} {extra:?}: {stderr}");
            assert!(
                stderr.contains("--timeout must be a number of seconds from 0.1 to 600"),
                "{stderr}"
            );
            let (code, stderr) = stderr_of(
                e.cmd()
                    .args(["batch", f, "--yes", "--timeout", timeout])
                    .args(extra),
            );
            assert_eq!(code, Some(2), "batch {timeout} {extra:?}: {stderr}");
            assert!(stderr.contains("from 0.1 to 600"), "{stderr}");
        }
    }
    let config = e.data.path().join("config.toml");
    std::fs::write(&config, "request_timeout_secs = 0.001\n").unwrap();
    let (code, stderr) = stderr_of(e.cmd().args(SEND).arg("--config").arg(&config));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("request_timeout_secs must be a number of seconds from 0.1 to 600"),
        "{stderr}"
    );
    assert!(e.sandbox.sandbox.received().is_empty());
    // The edges are fine.
    for timeout in ["0.1", "600"] {
        e.cmd()
            .args(SEND)
            .args(["--timeout", timeout])
            .assert()
            .code(0);
    }
}

/// Runs `cmd` and waits at most `limit` for it: a command that would read forever fails the
/// test instead of hanging it.
fn run_within(cmd: &mut std::process::Command, limit: Duration) -> (Option<i32>, String) {
    let child = cmd
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    // The child's exit is waited for on a thread; this one waits for that answer, up to `limit`.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let Ok(output) = rx.recv_timeout(limit) else {
        let _ = std::process::Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status();
        panic!("still running after {limit:?}");
    };
    let output = output.unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// `--metadata @FILE` reads at most its cap plus one byte: `/dev/zero` is refused at once; a
/// file that cannot be read says only that; a BOM at the start is fine.
#[test]
fn metadata_files_are_read_up_to_their_cap_and_a_bom_is_fine() {
    let e = env();
    let (code, stderr) = run_within(
        e.std_cmd().args(SEND).args(["--metadata", "@/dev/zero"]),
        Duration::from_secs(20),
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("Metadata is too large: at most 64 KiB as sent (compact JSON), and the file /dev/zero is larger than 256 KiB"),
        "{stderr}"
    );
    assert!(stderr.len() < 1000, "{stderr}");
    // Unreadable: that, and nothing about the fields not given.
    for path in ["/no/such/file.json", "/"] {
        let (code, stderr) = stderr_of(e.cmd().args([
            "send",
            "--agent",
            "agent123",
            "--call",
            "call456",
            "--metadata",
            &format!("@{path}"),
        ]));
        assert_eq!(code, Some(2), "{stderr}");
        assert!(stderr.contains("Could not read metadata file"), "{stderr}");
        assert!(!stderr.contains("Nothing to set"), "{stderr}");
    }
    let file = e.data.path().join("bom.json");
    std::fs::write(&file, "\u{feff}{\"notes\":\"from Excel\"}\n").unwrap();
    e.cmd()
        .args([
            "send",
            "--agent",
            "agent123",
            "--call",
            "call456",
            "--metadata",
        ])
        .arg(format!("@{}", file.display()))
        .assert()
        .code(0);
    assert_eq!(
        e.sandbox.sandbox.received()[0].body,
        r#"{"custom_call_metadata":{"notes":"from Excel"}}"#
    );
}

/// The batch file too: a device that never ends, or a file with no line breaks, is refused
/// after its first line's cap, quickly.
#[test]
fn a_batch_file_that_never_ends_is_refused_quickly() {
    let e = env();
    for args in [
        &["batch", "/dev/zero", "--dry-run"][..],
        &["batch", "/dev/zero", "--yes"],
    ] {
        let (code, stderr) = run_within(e.std_cmd().args(args), Duration::from_secs(20));
        assert_eq!(code, Some(2), "{stderr}");
        assert!(stderr.contains("line 1 is longer than 1 MiB"), "{stderr}");
        assert!(stderr.len() < 1000, "{stderr}");
    }
    assert!(e.sandbox.sandbox.received().is_empty());
}

/// One refusal on an otherwise good form: (field, text, what the message says).
struct Refused {
    field: Field,
    text: String,
    says: &'static str,
}

fn refused(field: Field, text: impl Into<String>, says: &'static str) -> Refused {
    Refused {
        field,
        text: text.into(),
        says,
    }
}

/// Invisible characters in ids, an outcome past 200 characters, numbers that would arrive as
/// another number, metadata keys given twice or too long.
fn refusals() -> Vec<Refused> {
    vec![
        refused(
            Field::Target,
            "call\u{202e}654",
            "Call ID has an invisible character (U+202E RIGHT-TO-LEFT OVERRIDE) at position 5",
        ),
        refused(
            Field::Target,
            "call\u{200b}456",
            "Call ID has an invisible character (U+200B ZERO WIDTH SPACE) at position 5",
        ),
        refused(
            Field::Target,
            "call\u{feff}456",
            "(U+FEFF ZERO WIDTH NO-BREAK SPACE) at position 5",
        ),
        refused(
            Field::Target,
            "call\u{e0041}",
            "Call ID has an invisible character (U+E0041) at position 5",
        ),
        refused(
            Field::Agent,
            "agent\u{2066}123",
            "Agent has an invisible character (U+2066 LEFT-TO-RIGHT ISOLATE) at position 6",
        ),
        refused(
            Field::Agent,
            "a\u{ad}b",
            "Agent has an invisible character (U+00AD SOFT HYPHEN) at position 2",
        ),
        refused(
            Field::Outcome,
            "S".repeat(201),
            "Outcome is too long: at most 200 characters (got 201)",
        ),
        refused(
            Field::Value,
            "1e-400",
            "Value 1e-400 cannot be sent exactly: it is too close to zero and would arrive as 0.0",
        ),
        refused(
            Field::Value,
            "99999999999999999999999999",
            "cannot be sent exactly: it has more digits than a JSON number keeps (about 15) and \
             would arrive as 1e+26",
        ),
        refused(
            Field::Value,
            "-9223372036854775809",
            "would arrive as -9.223372036854776e+18",
        ),
        refused(
            Field::Metadata,
            r#"{"n": 123456789012345678901234567890}"#,
            "Metadata number 123456789012345678901234567890 (line 1, column 7) cannot be sent \
             exactly: it would arrive as 1.2345678901234568e+29; put it in double quotes to keep \
             it as text",
        ),
        refused(
            Field::Metadata,
            r#"{"n": [1, -0]}"#,
            "Metadata number -0 (line 1, column 11) cannot be sent exactly",
        ),
        refused(
            Field::Metadata,
            r#"{"a":1,"a":2}"#,
            "Metadata has the key \"a\" twice",
        ),
        refused(
            Field::Metadata,
            "{\"o\": {\"b\": 1,\n \"b\": 2}}",
            "Metadata has the key \"b\" twice (line 2",
        ),
        refused(
            Field::Metadata,
            format!(r#"{{"{}": 1}}"#, "k".repeat(129)),
            "Metadata key is too long: at most 128 characters (got 129)",
        ),
    ]
}

fn input_with(r: &Refused) -> UpdateInput<'_> {
    let mut input = UpdateInput {
        agent: "agent123",
        target: "call456",
        outcome: "Sold",
        ..UpdateInput::default()
    };
    match r.field {
        Field::Agent => input.agent = &r.text,
        Field::Target => input.target = &r.text,
        Field::Outcome => input.outcome = &r.text,
        Field::Value => input.value = &r.text,
        Field::Metadata => input.metadata = &r.text,
        Field::Preference => unreachable!(),
    }
    input
}

/// The one validator refuses each: the form (and the queue) and `send`'s flags.
#[test]
fn invisible_characters_long_outcomes_and_changed_numbers_are_refused_everywhere() {
    for r in &refusals() {
        let errors = validate(&input_with(r)).expect_err(r.says);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, r.field, "{errors:?}");
        assert!(
            errors[0].message.contains(r.says),
            "expected {:?} in {:?}",
            r.says,
            errors[0].message
        );
        assert!(
            !errors[0]
                .message
                .chars()
                .any(|c| c.is_control() || c == '\u{202e}'),
            "{:?}",
            errors[0].message
        );
    }
    let e = env();
    for r in &refusals() {
        let i = input_with(r);
        let (code, stderr) = stderr_of(e.cmd().args([
            "send",
            "--agent",
            i.agent,
            "--call",
            i.target,
            "--outcome",
            i.outcome,
            "--value",
            if i.value.is_empty() { "1" } else { i.value },
            "--metadata",
            if i.metadata.is_empty() {
                "{}"
            } else {
                i.metadata
            },
        ]));
        assert_eq!(code, Some(2), "{stderr}");
        assert!(stderr.contains(r.says), "expected {:?} in {stderr}", r.says);
    }
    assert!(e.sandbox.sandbox.received().is_empty());
}

/// What is accepted goes out exactly as typed, or (a spelling only) as the form's note says.
#[test]
fn numbers_that_fit_go_out_with_the_same_value() {
    let e = env();
    for (value, metadata, body) in [
        (
            "12345678901234567890",
            r#"{"big":18446744073709551615,"neg":-9223372036854775808}"#,
            r#"{"custom_call_outcome_value":12345678901234567890,"custom_call_metadata":{"big":18446744073709551615,"neg":-9223372036854775808}}"#,
        ),
        (
            "0.1",
            r#"{"f":299.99,"e":1e3,"small":1e-300}"#,
            r#"{"custom_call_outcome_value":0.1,"custom_call_metadata":{"f":299.99,"e":1000.0,"small":1e-300}}"#,
        ),
    ] {
        e.cmd()
            .args(["send", "--agent", "agent123", "--call", "call456"])
            .args(["--value", value, "--metadata", metadata])
            .assert()
            .code(0);
        assert_eq!(e.sandbox.sandbox.received().last().unwrap().body, body);
    }
    // The form says when what goes out is spelt differently from what was typed.
    let mut app = common::app();
    app.focus = phonely_outcomes::tui::app::Focus::Value;
    common::type_text(&mut app, "1e3");
    assert_eq!(
        app.field_note(Field::Value).map(|(_, text)| text),
        Some("→ sent as 1000.0".to_string())
    );
}

/// Batch files go through the same checks: a duplicate metadata key in a CSV cell, and
/// numbers on a JSON line that would change (they were re-read before the checks saw them).
#[test]
fn batch_rows_with_duplicate_keys_or_changed_numbers_are_refused() {
    let e = env();
    let csv = e.data.path().join("rows.csv");
    std::fs::write(
        &csv,
        "agent_id,call_id,outcome,metadata\n\
         agent123,call456,Sold,\"{\"\"a\"\":1,\"\"a\"\":2}\"\n\
         agent123,call\u{200b}457,Sold,\n",
    )
    .unwrap();
    let jsonl = e.data.path().join("rows.jsonl");
    std::fs::write(
        &jsonl,
        "{\"agent_id\":\"agent123\",\"call_id\":\"call456\",\"value\":1e-400}\n\
         {\"agent_id\":\"agent123\",\"call_id\":\"call456\",\"metadata\":{\"n\":123456789012345678901234567890}}\n\
         {\"agent_id\":\"agent123\",\"call_id\":\"call456\",\"metadata\":{\"a\":1,\"a\":2}}\n\
         {\"agent_id\":\"agent123\",\"call_id\":\"call456\",\"value\":12345678901234567890}\n",
    )
    .unwrap();
    let (code, stderr) = stderr_of(e.cmd().arg("batch").arg(&csv).arg("--dry-run"));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("line 2, column metadata: Metadata has the key \"a\" twice"),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 3, column call_id: Call ID has an invisible character (U+200B"),
        "{stderr}"
    );
    let (code, stderr) = stderr_of(e.cmd().arg("batch").arg(&jsonl).arg("--dry-run"));
    assert_eq!(code, Some(2), "{stderr}");
    for says in [
        "line 1, column value: Value 1e-400 cannot be sent exactly",
        "line 2, column metadata: Metadata number 123456789012345678901234567890",
        "line 3, column metadata: Metadata has the key \"a\" twice",
    ] {
        assert!(stderr.contains(says), "{says}: {stderr}");
    }
    assert!(
        stderr.contains("3 problems above (1 row is fine)"),
        "{stderr}"
    );
}
