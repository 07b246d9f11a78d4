//! Hostile input, table-driven: every case is refused with a message that names the problem, on
//! both surfaces (the validator behind the form, and `send`'s flags), and nothing reaches the
//! sandbox. Hostile-looking ids that are legal are sent percent-encoded and arrive intact.

mod common;

use assert_cmd::Command;
use phonely_outcomes::api::update::{Field, UpdateInput, validate};

const KEY: &str = "hostile-key-77";

/// One hostile form: (what it is, the input, the field blamed, what the message must say).
struct Case {
    name: &'static str,
    agent: String,
    target: String,
    preference: Option<&'static str>,
    outcome: String,
    value: String,
    metadata: String,
    field: Field,
    says: &'static str,
}

/// A case on an otherwise valid form (agent123 / call456 / outcome Sold).
fn case(name: &'static str, field: Field, says: &'static str) -> Case {
    Case {
        name,
        agent: "agent123".into(),
        target: "call456".into(),
        preference: None,
        outcome: "Sold".into(),
        value: String::new(),
        metadata: String::new(),
        field,
        says,
    }
}

fn agent(name: &'static str, text: impl Into<String>, says: &'static str) -> Case {
    Case {
        agent: text.into(),
        ..case(name, Field::Agent, says)
    }
}

fn target(name: &'static str, text: impl Into<String>, says: &'static str) -> Case {
    Case {
        target: text.into(),
        ..case(name, Field::Target, says)
    }
}

fn value(name: &'static str, text: &str, says: &'static str) -> Case {
    Case {
        value: text.into(),
        ..case(name, Field::Value, says)
    }
}

fn metadata(name: &'static str, text: impl Into<String>, says: &'static str) -> Case {
    Case {
        metadata: text.into(),
        ..case(name, Field::Metadata, says)
    }
}

fn outcome(name: &'static str, text: &str, says: &'static str) -> Case {
    Case {
        outcome: text.into(),
        ..case(name, Field::Outcome, says)
    }
}

fn nested(depth: usize) -> String {
    format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth))
}

fn corpus() -> Vec<Case> {
    let ten_kb = "x".repeat(10 * 1024);
    vec![
        agent("empty agent", "", "Agent is required, e.g. agent123"),
        agent(
            "space in agent",
            "agent 123",
            "Agent cannot contain a space character (U+0020)",
        ),
        agent(
            "tab in agent",
            "agent\t1",
            "Agent cannot contain a control character (U+0009)",
        ),
        agent(
            "NUL in agent",
            "a\0b",
            "Agent cannot contain a control character (U+0000)",
        ),
        agent(
            "escape sequence in agent",
            "a\x1b[31m",
            "control character (U+001B)",
        ),
        agent(
            "no-break space in agent",
            "agent\u{a0}1",
            "space character (U+00A0)",
        ),
        agent(
            "line separator in agent",
            "agent\u{2028}",
            "space character (U+2028)",
        ),
        agent("agent .", ".", "Agent cannot be \".\""),
        agent("agent ..", "..", "Agent cannot be \"..\""),
        agent(
            "10 KB agent",
            ten_kb.clone(),
            "at most 128 characters (got 10240)",
        ),
        target("empty target", "", "is required, e.g. call456"),
        target(
            "space in call id",
            "call 456",
            "Call ID cannot contain a space character",
        ),
        target(
            "newline in call id",
            "call\n456",
            "control character (U+000A)",
        ),
        target("DEL in call id", "call\u{7f}", "control character (U+007F)"),
        target("call id ..", "..", "Call ID cannot be \"..\""),
        target(
            "10 KB call id",
            ten_kb,
            "Call ID is too long: at most 128 characters",
        ),
        target("phone too short", "+1415", "Phone is too short"),
        target("phone too long", "+1415555123456789", "Phone is too long"),
        target("letters in phone", "+1415555CALL", "'C' is not allowed"),
        target("double + phone", "++14155551234", "more than one +"),
        target("second + in phone", "+1 415 555 1234 +1", "more than one +"),
        target(
            "national phone too short",
            "415 5555",
            "Phone is too short for US",
        ),
        target(
            "national phone of another country",
            "06 12 34 56 78",
            "not a valid US number",
        ),
        target(
            "country code that does not exist",
            "+999 123 456 789",
            "country code that does not exist",
        ),
        target(
            "phone with country code 0",
            "+04155551234",
            "cannot start with 0",
        ),
        target("only a +", "+", "no digits after the +"),
        target(
            "arabic digits in phone",
            "+١٤١٥٥٥٥١٢٣٤",
            "only contain digits",
        ),
        Case {
            preference: Some("middle"),
            target: "+14155551234".into(),
            ..case("bad preference", Field::Preference, "first or last")
        },
        Case {
            preference: Some("first"),
            ..case(
                "preference with a call id",
                Field::Preference,
                "only applies",
            )
        },
        outcome("NUL in outcome", "So\0ld", "control character (U+0000)"),
        outcome("only spaces outcome", "   ", "only spaces"),
        outcome("padded outcome", " Sold", "spaces at the start or end"),
        value("NaN", "NaN", "not a finite number"),
        value("inf", "inf", "not a finite number"),
        value("-Infinity", "-Infinity", "not a finite number"),
        value("1e400", "1e400", "too large"),
        value("-1e400", "-1e400", "too large"),
        value("hexadecimal", "0x10", "decimal number, not hexadecimal"),
        value("currency", "$299", "without currency signs"),
        value("thousands separator", "1,299", "thousands separators"),
        value("trailing letters", "12abc", "Value is not a number"),
        value("only a space", " ", "only spaces"),
        value("arabic digit", "٣", "Value is not a number"),
        value("two dots", "1.2.3", "Value is not a number"),
        metadata("metadata array", "[1,2]", "(got a list [...])"),
        metadata("metadata string", "\"text\"", "(got a string)"),
        metadata("metadata number", "42", "(got a number)"),
        metadata("metadata null", "null", "(got null)"),
        metadata(
            "1 MB metadata",
            format!(r#"{{"notes":"{}"}}"#, "x".repeat(1024 * 1024)),
            "Metadata is too large: at most 64 KiB",
        ),
        metadata(
            "metadata nested 10,000 deep",
            nested(10_000),
            "nested too deeply",
        ),
        metadata("trailing comma", r#"{"a":1,}"#, "line 1, column 8"),
        metadata("single quotes", "{'a':1}", "keys must be in double quotes"),
        metadata("cut-off metadata", r#"{"a":"#, "ends too early"),
        metadata(
            "NaN in metadata",
            r#"{"a":NaN}"#,
            "Metadata is not valid JSON at line 1",
        ),
        Case {
            outcome: String::new(),
            ..case("nothing to set", Field::Outcome, "Nothing to set")
        },
    ]
}

#[test]
fn every_hostile_form_input_gets_a_specific_error() {
    let corpus = corpus();
    assert!(corpus.len() >= 40, "{} cases", corpus.len());
    for c in &corpus {
        let errors = validate(&UpdateInput {
            agent: &c.agent,
            target: &c.target,
            preference: c.preference,
            outcome: &c.outcome,
            value: &c.value,
            metadata: &c.metadata,
            ..UpdateInput::default()
        })
        .expect_err(c.name);
        assert_eq!(errors.len(), 1, "{}: {errors:?}", c.name);
        assert_eq!(errors[0].field, c.field, "{}: {errors:?}", c.name);
        assert!(
            errors[0].message.contains(c.says),
            "{}: expected {:?} in {:?}",
            c.name,
            c.says,
            errors[0].message
        );
        assert!(
            errors[0].message.chars().count() < 300,
            "{}: the message stays short (input is echoed shortened)",
            c.name
        );
        assert!(
            !errors[0].message.chars().any(char::is_control),
            "{}: no control characters are echoed",
            c.name
        );
    }
}

type Env = common::cli_env::CliEnv;

fn env() -> Env {
    common::cli_env::start(KEY)
}

impl Env {
    fn send(&self) -> Command {
        let mut c = self.cmd();
        c.arg("send");
        c
    }
}

/// The same corpus as `send` flags: big metadata goes through `@FILE` (argv has limits), and
/// cases with NUL are left out (argv cannot carry NUL).
#[test]
fn every_hostile_flag_is_refused_with_exit_2_and_nothing_leaves() {
    let e = env();
    let files = tempfile::tempdir().unwrap();
    let mut ran = 0;
    for (i, c) in corpus().iter().enumerate() {
        let fields = [&c.agent, &c.target, &c.outcome, &c.value, &c.metadata];
        if fields.iter().any(|f| f.contains('\0')) {
            continue;
        }
        let mut cmd = e.send();
        cmd.arg("--agent").arg(&c.agent);
        let phone = c.target.starts_with('+')
            || phonely_outcomes::api::phone::looks_like_national_phone(&c.target);
        cmd.arg(if phone { "--phone" } else { "--call" })
            .arg(&c.target);
        if let Some(p) = c.preference {
            cmd.args(["--preference", p]);
        }
        if !c.outcome.is_empty() {
            cmd.arg("--outcome").arg(&c.outcome);
        }
        if !c.value.is_empty() {
            cmd.arg("--value").arg(&c.value);
        }
        if c.metadata.len() > 32 * 1024 {
            let file = files.path().join(format!("meta-{i}.json"));
            std::fs::write(&file, &c.metadata).unwrap();
            cmd.arg("--metadata").arg(format!("@{}", file.display()));
        } else if !c.metadata.is_empty() {
            cmd.arg("--metadata").arg(&c.metadata);
        }
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {stderr}", c.name);
        assert!(
            stderr.contains(c.says),
            "{}: expected {:?} in {stderr}",
            c.name,
            c.says
        );
        assert!(stderr.contains("Nothing was sent."), "{}: {stderr}", c.name);
        ran += 1;
    }
    assert!(ran >= 40, "{ran} flag cases");
    assert!(e.sandbox.sandbox.received().is_empty(), "no request left");
    assert!(
        !e.data.path().join("history.sqlite3").exists(),
        "nothing was recorded either"
    );
}

#[test]
fn hostile_flags_only_the_command_line_can_get_wrong() {
    let e = env();
    let files = tempfile::tempdir().unwrap();
    let not_utf8 = files.path().join("latin1.json");
    std::fs::write(&not_utf8, b"{\"n\":\"caf\xe9\"}").unwrap();
    let not_utf8 = format!("@{}", not_utf8.display());
    let folder = format!("@{}", files.path().display());
    let base = [
        "--agent",
        "agent123",
        "--call",
        "call456",
        "--outcome",
        "Sold",
    ];
    let cases: &[(&[&str], &str)] = &[
        (&["--value", ""], "--value is empty"),
        (&["--metadata", ""], "--metadata is empty"),
        (
            &["--metadata", "@/no/such/file.json"],
            "Could not read metadata file",
        ),
        (
            &["--metadata", &not_utf8],
            "is not UTF-8 text (bad byte at offset 9)",
        ),
        (&["--metadata", &folder], "Could not read metadata file"),
        (
            &["--base-url", "ftp://example.com"],
            "must start with https:// or http://",
        ),
        (
            &["--base-url", "http://example.com/?a=1"],
            "cannot have a ? query",
        ),
        (
            &["--base-url", "http://user:pw@example.com"],
            "user name or password",
        ),
        (&["--base-url", "not a url"], "Base URL is not a valid URL"),
        (
            &["--timeout", "NaN"],
            "--timeout must be a number of seconds",
        ),
        (&["--timeout", "0"], "--timeout must be a number of seconds"),
        (
            &["--timeout", "inf"],
            "--timeout must be a number of seconds",
        ),
        (
            &["--timeout", "1e9"],
            "--timeout must be a number of seconds",
        ),
        (
            &["--timeout", "soon"],
            "invalid value 'soon' for '--timeout",
        ),
        (&["--phone", "+14155551234"], "cannot be used with"),
    ];
    for (extra, says) in cases {
        let out = e.send().args(base).args(*extra).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(
            stderr.contains(says),
            "{extra:?}: expected {says:?} in {stderr}"
        );
    }
    let out = e
        .send()
        .args([
            "--agent",
            "agent123",
            "--call",
            "+14155551234",
            "--outcome",
            "Sold",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("use --phone for numbers"));
    let out = e
        .send()
        .args([
            "--agent",
            "agent123",
            "--phone",
            "call456",
            "--outcome",
            "Sold",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("--phone must be a phone number"));
    assert!(e.sandbox.sandbox.received().is_empty(), "no request left");
}

/// Ids that look dangerous in a URL but are legal: each stays one path segment on the wire and
/// arrives at the server exactly as typed.
#[test]
fn legal_hostile_ids_are_encoded_and_arrive_intact() {
    let e = env();
    let ids: &[(&str, &str)] = &[
        ("a/b", "x?y"),
        ("..a", "c/../../admin"),
        ("agent#1", "100%"),
        ("ü-ñ", "日本語"),
        ("a\u{5d0}b", "semi;colon&amp=1"),
        ("~tilde", "%2F"),
        ("a+b", "c+d"),
    ];
    for (agent, call) in ids {
        let dry = e
            .send()
            .args([
                "--agent",
                agent,
                "--call",
                call,
                "--outcome",
                "Sold",
                "--dry-run",
            ])
            .output()
            .unwrap();
        assert_eq!(dry.status.code(), Some(0), "{agent} {call}: {dry:?}");
        let text = String::from_utf8(dry.stdout).unwrap();
        let url = text.split('\'').nth(1).unwrap();
        let path = url.split_once("/api/calls/").unwrap().1;
        assert!(!path.contains(['?', '#']), "{url}");
        assert_eq!(path.split('/').count(), 2, "exactly two segments: {url}");
        let out = e
            .send()
            .args(["--agent", agent, "--call", call, "--outcome", "Sold"])
            .output()
            .unwrap();
        // Unknown to the sandbox, so refused: what matters is what arrived.
        assert_eq!(out.status.code(), Some(1), "{agent} {call}: {out:?}");
    }
    let received = e.sandbox.sandbox.received();
    assert_eq!(received.len(), ids.len());
    for (r, (agent, call)) in received.iter().zip(ids) {
        assert_eq!((r.agent.as_str(), r.target.as_str()), (*agent, *call));
        assert_eq!(r.query, None, "no id leaked into the query");
    }
}

/// The form reads values leniently (`$299`, `1,299`); every other hostile value is still
/// refused there, for the same reason as on the command line.
#[test]
fn the_forms_lenient_values_accept_only_what_people_paste() {
    let lenient = phonely_outcomes::api::update::Rules {
        lenient_value: true,
        ..Default::default()
    };
    let mut accepted = Vec::new();
    for c in corpus().iter().filter(|c| c.field == Field::Value) {
        let result = validate(&UpdateInput {
            agent: &c.agent,
            target: &c.target,
            outcome: &c.outcome,
            value: &c.value,
            rules: lenient,
            ..UpdateInput::default()
        });
        match result {
            Ok(u) => accepted.push((c.value.clone(), u.value.unwrap().to_string())),
            Err(errors) => {
                assert_eq!(errors.len(), 1, "{}: {errors:?}", c.name);
                assert_eq!(errors[0].field, Field::Value, "{}", c.name);
            }
        }
    }
    assert_eq!(
        accepted,
        vec![
            ("$299".to_string(), "299".to_string()),
            ("1,299".to_string(), "1299".to_string())
        ]
    );
}
