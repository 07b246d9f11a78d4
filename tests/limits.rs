//! Limits and refusals on the command line (issue 15): flags that go anywhere, files read only
//! up to their cap, keys and timeouts that cannot work refused before anything is recorded,
//! invisible characters and numbers that would change on the way refused on every surface.

mod common;

use std::time::{Duration, Instant};

use assert_cmd::Command;
use phonely_outcomes::api::update::{Field, UpdateInput, validate};
use predicates::prelude::*;

const KEY: &str = "limits-key-4c1d";

type Env = common::cli_env::CliEnv;

fn env() -> Env {
    common::cli_env::start(KEY)
}

const SEND: &[&str] = &[
    "send", "--agent", "agent123", "--call", "call456", "--outcome", "Sold",
];

impl Env {
    /// The binary without `$PHONELY_OUTCOMES_DATA`, so only `--data-dir` says where the
    /// history is.
    fn bare(&self) -> Command {
        let mut c = self.cmd();
        c.env_remove("PHONELY_OUTCOMES_DATA");
        c
    }

    fn stderr_of(&self, c: &mut Command) -> (Option<i32>, String) {
        let out = c.output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into())
    }
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
        &["batch", f, "--dry-run", "--data-dir", d, "--profile", "default"][..],
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
    let (code, stderr) = e.stderr_of(e.cmd().args(SEND).env("PHONELY_API_KEY", bad_key));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("control character (U+0007) at position 7"),
        "{stderr}"
    );
    assert!(stderr.contains("PHONELY_API_KEY"), "{stderr}");
    assert!(stderr.contains("Nothing was sent"), "{stderr}");
    assert!(!stderr.contains("9x8y") && !stderr.contains("network"), "{stderr}");
    let file = e.data.path().join("rows.csv");
    std::fs::write(&file, "agent_id,call_id,outcome\nagent123,call456,Sold\n").unwrap();
    let (code, stderr) = e.stderr_of(
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
                e.stderr_of(e.cmd().args(SEND).args(["--timeout", timeout]).args(extra));
            assert_eq!(code, Some(2), "send {timeout} {extra:?}: {stderr}");
            assert!(
                stderr.contains("--timeout must be a number of seconds from 0.1 to 600"),
                "{stderr}"
            );
            let (code, stderr) = e.stderr_of(
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
    let (code, stderr) = e.stderr_of(e.cmd().args(SEND).arg("--config").arg(&config));
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
    let mut child = cmd
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
            return (status.code(), stderr);
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            let _ = child.wait();
            panic!("still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
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
        stderr.contains("Metadata file /dev/zero is larger than 256 KiB"),
        "{stderr}"
    );
    assert!(stderr.len() < 1000, "{stderr}");
    // Unreadable: that, and nothing about the fields not given.
    for path in ["/no/such/file.json", "/"] {
        let (code, stderr) = e.stderr_of(e.cmd().args([
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
        .args(["send", "--agent", "agent123", "--call", "call456", "--metadata"])
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
        assert!(
            stderr.contains("line 1 is longer than 1 MiB"),
            "{stderr}"
        );
        assert!(stderr.len() < 1000, "{stderr}");
    }
    assert!(e.sandbox.sandbox.received().is_empty());
}
