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
