//! What a hostile trial broke (issue 15): a server's escape sequences reaching the terminal
//! through every command that prints its words, an answer that did not confirm what was sent
//! recorded as a success, and files holding customers' data readable by everyone.

mod common;

use std::process::Output;

use phonely_outcomes::sandbox::{ESCAPES, Fault};

const KEY: &str = "hostile-key-7c1";

type Env = common::cli_env::CliEnv;

fn env() -> Env {
    common::cli_env::start(KEY)
}

/// The sandbox's `escapes` fault message, as it must be shown: escaped, inert.
const SHOWN: &str = r"\u{1b}]0;PWNED\u{7}\u{1b}]52;c;ZXZpbA==\u{7}\u{9b}2J\u{202e}DENWP";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The position of the first character a terminal would act on: ESC, BEL, CR, DEL, a C1
/// control (U+0080–U+009F, such as the CSI U+009B) or a bidirectional embedding, override or
/// isolate (U+202A–U+202E, U+2066–U+2069), all as UTF-8.
fn live_byte(bytes: &[u8]) -> Option<usize> {
    bytes
        .iter()
        .position(|b| matches!(b, 0x1b | 0x07 | 0x0d | 0x7f))
        .or_else(|| {
            bytes.windows(3).position(|w| {
                (w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1]))
                    || (w[0] == 0xe2 && w[1] == 0x80 && (0xaa..=0xae).contains(&w[2]))
                    || (w[0] == 0xe2 && w[1] == 0x81 && (0xa6..=0xa9).contains(&w[2]))
            })
        })
}

/// No byte that a terminal would act on ([`live_byte`]) on either stream.
fn assert_inert(what: &str, out: &Output) {
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let live = live_byte(bytes);
        assert!(
            live.is_none(),
            "{what}: {stream} has a control byte at {live:?}: {:?}",
            text(bytes)
        );
    }
}

impl Env {
    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    fn send(&self, target: &str) -> Output {
        self.run(&[
            "send",
            "--agent",
            "agent123",
            "--call",
            target,
            "--outcome",
            "Sold",
            "--value",
            "5",
        ])
    }

    fn file(&self, name: &str, content: &str) -> String {
        let path = self.data.path().join(name);
        std::fs::write(&path, content).unwrap();
        path.display().to_string()
    }
}

const TWO_ROWS: &str =
    "agent_id,call_id,outcome,value\nagent123,call456,Sold,5\nagent123,call1003,Sold,7\n";

#[test]
fn a_hostile_answer_never_reaches_the_terminal() {
    let e = env();
    e.sandbox.sandbox.set_standing_fault(Fault::Escapes, None);

    let sent = e.send("call456");
    assert_eq!(sent.status.code(), Some(1), "{sent:?}");
    assert_inert("send", &sent);
    assert!(
        text(&sent.stderr).contains(SHOWN),
        "send: {}",
        text(&sent.stderr)
    );
    // The JSON answer on stdout: JSON still, its message the very one the server sent, with
    // what JSON leaves raw (the C1 CSI, the override) escaped the JSON way.
    let answer: serde_json::Value = serde_json::from_slice(&sent.stdout).unwrap();
    assert_eq!(answer["message"], ESCAPES, "{}", text(&sent.stdout));

    // A 500 is tried again: each try's line and the final ✗ line are inert.
    let batch_file = e.file(
        "rows.csv",
        "agent_id,call_id,outcome\nagent123,call456,Sold\n",
    );
    let report = e.data.path().join("report.csv");
    let batch = e.run(&[
        "batch",
        &batch_file,
        "--yes",
        "--report",
        &report.display().to_string(),
    ]);
    assert_eq!(batch.status.code(), Some(1), "{batch:?}");
    assert_inert("batch", &batch);
    let stderr = text(&batch.stderr);
    assert!(
        stderr.contains("✗ line 2 agent123 call456: HTTP 500"),
        "{stderr}"
    );
    assert!(
        stderr.matches(SHOWN).count() >= 2,
        "retries and the ✗ line: {stderr}"
    );
    let report = std::fs::read(&report).unwrap();
    assert!(!report.contains(&0x1b), "report: {}", text(&report));
    assert!(text(&report).contains(SHOWN), "report: {}", text(&report));

    // A 200 that is not JSON, printed on stdout by `send`.
    e.sandbox
        .sandbox
        .set_standing_fault(Fault::EscapesText, None);
    let plain = e.send("call1003");
    assert_eq!(plain.status.code(), Some(3), "{plain:?}");
    assert_inert("send, a text answer", &plain);
    assert!(
        text(&plain.stdout).contains(SHOWN),
        "{}",
        text(&plain.stdout)
    );

    for args in [
        &["history"][..],
        &["history", "--format", "csv"],
        &["history", "show", "1"],
        &["history", "show", "3"],
        &["batch", "--list"],
    ] {
        let out = e.run(args);
        assert!(out.status.success(), "{args:?}: {out:?}");
        assert_inert(&args.join(" "), &out);
        if args[0] == "history" {
            assert!(
                text(&out.stdout).contains(r"\u{1b}]0;PWNED"),
                "{args:?}: {}",
                text(&out.stdout)
            );
        }
    }
    // JSON stays JSON: escaped as JSON escapes it, and read back to the very message.
    let jsonl = e.run(&["history", "--json"]);
    assert_inert("history --json", &jsonl);
    let first: serde_json::Value =
        serde_json::from_str(text(&jsonl.stdout).lines().last().unwrap()).unwrap();
    assert_eq!(
        first["message"],
        format!("HTTP 500 Internal Server Error: {ESCAPES}")
    );

    // Text from a file: the config's presets and names, as `config show` prints them.
    let config = e.file(
        "config.toml",
        "outcome_presets = [\"Sold\\u001b]0;PWNED\\u0007\"]\n",
    );
    let shown = e
        .cmd()
        .env("PHONELY_OUTCOMES_CONFIG", &config)
        .args(["config", "show"])
        .output()
        .unwrap();
    assert_inert("config show", &shown);
    assert!(
        text(&shown.stdout).contains(r"Sold\u{1b}]0;PWNED\u{7}"),
        "{}",
        text(&shown.stdout)
    );
}

/// A C1 control sequence introducer ("clear the screen"), a right-to-left override and DEL:
/// JSON carries them raw, so they reach the terminal unless made inert.
const RAW: &str = "v\u{9b}2J\u{202e}DENWP\u{7f}";

#[test]
fn text_from_files_and_the_config_never_reaches_the_terminal() {
    let e = env();
    // A metadata file under a hostile name, holding what JSON leaves raw.
    let name = "meta\u{1b}]0;FN\u{7}.json";
    let meta = e.file(name, &format!("{{\"k\":\"{RAW}\"}}"));
    let base = [
        "send",
        "--agent",
        "agent123",
        "--call",
        "call456",
        "--outcome",
        "sold",
    ];
    let dry = e.run(&[&base[..], &["--metadata", &format!("@{meta}"), "--dry-run"]].concat());
    assert_eq!(dry.status.code(), Some(0), "{dry:?}");
    assert_inert("send --dry-run", &dry);
    let curl = text(&dry.stdout);
    assert!(
        curl.contains(r#"{"k":"v\u009b2J\u202eDENWP\u007f"}"#),
        "the same JSON, escaped: {curl}"
    );
    // A file that is not there: its name is quoted in the error.
    let missing = format!(
        "@{}",
        e.data.path().join("gone\u{1b}]0;X\u{7}.json").display()
    );
    let refused = e.run(&[&base[..], &["--metadata", &missing]].concat());
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert_inert("send --metadata @missing", &refused);
    assert!(text(&refused.stderr).contains(r"gone\u{1b}]0;X\u{7}.json"));

    // A batch file under a hostile name: the dry run's notes, its summary and its curl.
    let rows = e.file(
        "rows\u{1b}]0;FN\u{7}.csv",
        &format!(
            "agent_id,call_id,outcome,metadata\nagent123,call456,sold,\"{{\"\"k\"\":\"\"{RAW}\"\"}}\"\n"
        ),
    );
    let batch = e.run(&["batch", &rows, "--dry-run"]);
    assert_eq!(batch.status.code(), Some(0), "{batch:?}");
    assert_inert("batch --dry-run", &batch);
    assert!(
        text(&batch.stderr).contains(r"rows\u{1b}]0;FN\u{7}.csv: line 2: outcome"),
        "{}",
        text(&batch.stderr)
    );
    assert!(
        text(&batch.stdout).contains(r"\u009b2J\u202e"),
        "{}",
        text(&batch.stdout)
    );

    // A config file's errors and warnings, as `send` and `batch` print them before refusing.
    let config = e.file(
        "broken.toml",
        "[profiles.\"p\\u001b]0;P\\u0007\"]\nbase_url = \"http://127.0.0.1:1\"\n",
    );
    for args in [&base[..], &["batch", &rows, "--dry-run"]] {
        let out = e
            .cmd()
            .env("PHONELY_OUTCOMES_CONFIG", &config)
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert_inert(&format!("{args:?} with a broken config"), &out);
        let stderr = text(&out.stderr);
        assert!(stderr.contains(r"p\u{1b}]0;P\u{7}"), "{stderr}");
    }
    // A variable name with escapes is refused (no variable is named so; it is not repeated);
    // an unknown setting's name is warned about, inert.
    let dry_run = |file: &str, head: &str, var: &str| {
        let config = e.file(
            file,
            &format!(
                "{head}default_profile = \"q\"\n[profiles.q]\nbase_url = \"{}\"\napi_key_env = \"{var}\"\n",
                e.sandbox.base_url()
            ),
        );
        e.cmd()
            .env("PHONELY_OUTCOMES_CONFIG", &config)
            .args([&base[..], &["--dry-run"]].concat())
            .output()
            .unwrap()
    };
    let out = dry_run("env.toml", "", "K\\u001b]0;E\\u0007");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_inert("send --dry-run, a hostile variable name", &out);
    assert!(
        text(&out.stderr).contains("api_key_env must name the environment variable"),
        "{out:?}"
    );
    let out = dry_run("odd.toml", "\"odd\\u001b]0;K\\u0007\" = 1\n", "K_ENV");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_inert("send --dry-run, an unknown setting", &out);
    assert!(text(&out.stdout).contains("$K_ENV"), "{out:?}");
    assert!(text(&out.stderr).contains(r"odd\u{1b}]0;K\u{7}"), "{out:?}");
    // A base URL with escapes is refused (reqwest would encode them: it is not the URL shown).
    let config = e.file(
        "url.toml",
        "default_profile = \"q\"\n[profiles.q]\nbase_url = \"http://127.0.0.1:1/\\u001b]0;U\\u0007\"\n",
    );
    let out = e
        .cmd()
        .env("PHONELY_OUTCOMES_CONFIG", &config)
        .args([&base[..], &["--dry-run"]].concat())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_inert("send, a hostile base URL", &out);
    assert!(
        text(&out.stderr).contains("Base URL cannot contain a control character (U+001B)"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn an_answer_that_does_not_confirm_what_was_sent_is_not_a_success() {
    let e = env();
    e.sandbox
        .sandbox
        .set_standing_fault(Fault::Unconfirmed, None);
    let sent = e.send("call456");
    assert_eq!(sent.status.code(), Some(1), "{sent:?}");
    assert!(
        text(&sent.stderr)
            .contains("✗ agent123 call456: The server said success but did not confirm")
    );

    let json = text(&e.run(&["history", "--json"]).stdout);
    let row: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(row["state"], "unconfirmed", "{row}");
    assert_eq!(row["verified"], false);

    let table = text(&e.run(&["history"]).stdout);
    assert!(table.contains("✗ unconfirmed"), "{table}");
    assert!(!table.contains("✗ ok"), "{table}");
    for state in ["failed", "unconfirmed"] {
        let found = text(&e.run(&["history", "--state", state]).stdout);
        assert!(found.contains("✗ unconfirmed"), "--state {state}: {found}");
    }
    let ok = text(&e.run(&["history", "--state", "ok"]).stdout);
    assert!(ok.is_empty(), "--state ok: {ok}");

    let rows = e.file("rows.csv", TWO_ROWS);
    let report = e.data.path().join("report.csv");
    let batch = e.run(&[
        "batch",
        &rows,
        "--yes",
        "--report",
        &report.display().to_string(),
    ]);
    let stderr = text(&batch.stderr);
    assert_eq!(batch.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("2 of 2 rows: 0 updated, 2 not confirmed"),
        "{stderr}"
    );
    assert!(
        stderr.contains("✗ line 3 agent123 call1003: The server said success"),
        "{stderr}"
    );
    let report = std::fs::read_to_string(&report).unwrap();
    assert_eq!(report.matches(",unconfirmed,").count(), 2, "{report}");

    let list = text(&e.run(&["batch", "--list"]).stdout);
    assert!(
        list.contains("2 rows: 0 updated, 2 not confirmed, 0 refused"),
        "{list}"
    );
    let failed = text(
        &e.run(&["history", "--state", "failed", "--batch", "1"])
            .stdout,
    );
    assert_eq!(failed.matches("✗ unconfirmed").count(), 2, "{failed}");
}

#[cfg(unix)]
mod modes {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;
    use std::path::Path;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .permissions()
            .mode()
            & 0o777
    }

    fn set(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    fn files_in(dir: &Path) -> Vec<std::path::PathBuf> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect()
    }

    #[test]
    fn history_journals_logs_and_reports_are_private_and_loose_ones_are_tightened_once() {
        let e = env();
        let root = e.data.path();
        let (data, logs) = (root.join("data"), root.join("logs"));
        let run = |args: &[&str]| {
            e.cmd()
                .env("PHONELY_OUTCOMES_DATA", &data)
                .env("PHONELY_OUTCOMES_LOGS", &logs)
                .args(args)
                .output()
                .unwrap()
        };
        let sent = run(&[
            "send",
            "--agent",
            "agent123",
            "--call",
            "call456",
            "--outcome",
            "Sold",
        ]);
        assert!(sent.status.success(), "{sent:?}");
        assert!(
            !text(&sent.stderr).contains("made private"),
            "nothing to tighten yet"
        );
        let rows = e.file("rows.csv", TWO_ROWS);
        let report = root.join("report.csv");
        let batch = run(&[
            "batch",
            &rows,
            "--yes",
            "--report",
            &report.display().to_string(),
        ]);
        assert!(batch.status.success(), "{batch:?}");

        let journals = data.join("journals");
        let journal = files_in(&journals)
            .pop()
            .expect("the run's journal, not imported yet");
        let db = data.join("history.sqlite3");
        let log = files_in(&logs).pop().expect("a log file");
        for (path, want) in [
            (&data, 0o700),
            (&db, 0o600),
            (&data.join("sessions"), 0o700),
            (&journals, 0o700),
            (&journal, 0o600),
            (&logs, 0o700),
            (&log, 0o600),
            (&report, 0o600),
        ] {
            assert_eq!(mode(path), want, "{}", path.display());
        }

        // Left as an earlier version made them: readable by everyone.
        for dir in [&data, &journals, &logs] {
            set(dir, 0o755);
        }
        for file in [&db, &journal, &log] {
            set(file, 0o644);
        }
        let listed = run(&["history"]);
        assert!(listed.status.success(), "{listed:?}");
        let stderr = text(&listed.stderr);
        assert_eq!(
            stderr.matches("made private").count(),
            1,
            "said once: {stderr}"
        );
        for (path, want) in [
            (&data, 0o700),
            (&db, 0o600),
            (&journals, 0o700),
            (&logs, 0o700),
            (&log, 0o600),
        ] {
            assert_eq!(mode(path), want, "{}", path.display());
        }
        for path in std::fs::read_dir(&data).unwrap().map(|e| e.unwrap().path()) {
            if path.is_file() {
                assert_eq!(mode(&path), 0o600, "{}", path.display());
            }
        }
        let again = run(&["history"]);
        assert!(
            !text(&again.stderr).contains("made private"),
            "{}",
            text(&again.stderr)
        );
    }
}
