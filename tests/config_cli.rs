//! The binary's configuration: the config file's errors and warnings, `config init|show|path`,
//! profiles on `send`, `--help` examples and shell completions. Every run gets its own temporary
//! home, config, data and log folders.

use assert_cmd::Command;
use phonely_outcomes::sandbox::{self, RunningSandbox};
use predicates::prelude::*;

const KEY: &str = "cfg-test-key-77c1";

struct Env {
    home: tempfile::TempDir,
    sandbox: Option<RunningSandbox>,
    _rt: tokio::runtime::Runtime,
}

fn env() -> Env {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let sandbox = rt.block_on(sandbox::start("127.0.0.1:0", KEY)).unwrap();
    Env {
        home: tempfile::tempdir().unwrap(),
        sandbox: Some(sandbox),
        _rt: rt,
    }
}

impl Env {
    fn config(&self) -> std::path::PathBuf {
        self.home.path().join("config.toml")
    }

    fn write_config(&self, text: &str) {
        std::fs::write(self.config(), text).unwrap();
    }

    fn url(&self) -> String {
        self.sandbox.as_ref().unwrap().base_url()
    }

    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("phonely-outcomes").unwrap();
        c.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("PHONELY_OUTCOMES_CONFIG", self.config())
            .env("PHONELY_OUTCOMES_DATA", self.home.path().join("data"))
            .env("PHONELY_OUTCOMES_LOGS", self.home.path().join("logs"));
        c
    }

    fn received(&self) -> usize {
        self.sandbox.as_ref().unwrap().sandbox.received().len()
    }
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

#[test]
fn a_broken_config_is_explained_with_line_column_and_key_and_send_refuses() {
    let e = env();
    e.write_config("confirm_before_send = true\nrequest_timeout_secs = \"soon\"\n");
    e.cmd()
        .env("PHONELY_API_KEY", KEY)
        .env("PHONELY_BASE_URL", e.url())
        .args(SEND)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "config.toml line 2, column 24 (`request_timeout_secs`): invalid type: string \
             \"soon\", expected f64",
        ))
        .stderr(predicate::str::contains("Nothing was sent"));
    assert_eq!(e.received(), 0);
    e.cmd()
        .args(["config", "show"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("HAS ERRORS"))
        .stdout(predicate::str::contains("line 2, column 24"));
}

#[test]
fn unknown_settings_are_warned_about_by_name() {
    let e = env();
    e.write_config(&format!(
        "confirm_before_sending = false\n[profiles.staging]\nbase_url = \"{}\"\n\
         api_key_env = \"STAGING_KEY\"\n",
        e.url()
    ));
    e.cmd()
        .env("STAGING_KEY", KEY)
        .args(SEND)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "unknown setting `confirm_before_sending`",
        ));
    assert_eq!(e.received(), 1);
}

#[test]
fn profiles_choose_the_url_and_key_and_are_recorded() {
    let e = env();
    e.write_config(&format!(
        "[profiles.staging]\nbase_url = \"{url}\"\napi_key_env = \"STAGING_KEY\"\n\n\
         [profiles.other]\nbase_url = \"http://127.0.0.1:9\"\n",
        url = e.url()
    ));
    // Two profiles, no default: send does not guess.
    e.cmd()
        .env("STAGING_KEY", KEY)
        .args(SEND)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pass --profile NAME"));
    // The env var names the profile; the curl text names the profile's variable.
    e.cmd()
        .env("PHONELY_PROFILE", "staging")
        .args(SEND)
        .arg("--dry-run")
        .assert()
        .success()
        .stdout(predicate::str::contains("$STAGING_KEY"))
        .stdout(predicate::str::contains(e.url()));
    e.cmd()
        .env("STAGING_KEY", KEY)
        .args(SEND)
        .args(["--profile", "staging"])
        .assert()
        .success();
    // A flag may not send a profile's key somewhere else.
    e.cmd()
        .env("STAGING_KEY", KEY)
        .args(SEND)
        .args(["--profile", "staging", "--base-url", "http://127.0.0.1:9"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--base-url cannot change where profile staging",
        ));
    let out = e.cmd().args(["history", "--json"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\"profile\":\"staging\""), "{text}");
    assert!(
        text.contains(&format!("\"base_url\":\"{}\"", e.url())),
        "{text}"
    );
    assert_eq!(e.received(), 1);
}

#[test]
fn config_init_writes_the_template_once() {
    let e = env();
    e.cmd()
        .args(["config", "init"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Wrote"));
    let written = std::fs::read_to_string(e.config()).unwrap();
    assert!(written.contains("request_timeout_secs"));
    std::fs::write(e.config(), "# mine\n").unwrap();
    e.cmd()
        .args(["config", "init"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    assert_eq!(std::fs::read_to_string(e.config()).unwrap(), "# mine\n");
    e.cmd()
        .args(["config", "init", "--force"])
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(e.config()).unwrap(), written);
    e.cmd()
        .args(["config", "show"])
        .assert()
        .success()
        .stdout(predicate::str::contains("sandbox [SANDBOX]"));
}

#[test]
fn config_path_lists_config_data_and_logs() {
    let e = env();
    e.cmd()
        .args(["config", "path"])
        .assert()
        .success()
        .stdout(predicate::str::contains(e.config().display().to_string()))
        .stdout(predicate::str::contains(
            e.home.path().join("data").display().to_string(),
        ))
        .stdout(predicate::str::contains(
            e.home.path().join("logs").display().to_string(),
        ));
}

#[test]
fn config_show_says_where_each_key_comes_from_never_the_key() {
    let e = env();
    let key_file = e.home.path().join("k");
    std::fs::write(&key_file, KEY).unwrap();
    e.write_config(&format!(
        "default_profile = \"prod\"\n[profiles.prod]\nbase_url = \"https://app.phonely.ai\"\n\
         production = true\napi_key_command = [\"cat\", \"{}\"]\n\
         [profiles.loose]\nbase_url = \"https://x.example\"\napi_key_file = \"{}\"\n",
        key_file.display(),
        key_file.display()
    ));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    let out = e.cmd().args(["config", "show"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{text}");
    assert!(text.contains("prod [PRODUCTION]"), "{text}");
    assert!(
        text.contains(&format!("from `cat {}`: ✓ found", key_file.display())),
        "{text}"
    );
    #[cfg(unix)]
    assert!(
        text.contains(&format!("chmod 600 {}", key_file.display())),
        "{text}"
    );
    assert!(!text.contains(KEY), "{text}");
}

#[test]
fn a_wrong_log_level_is_explained() {
    let e = env();
    e.cmd()
        .args(["--log-level", "loud", "history"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("\"loud\" is not a level"));
}

#[test]
fn key_commands_need_a_profile() {
    let e = env();
    e.cmd()
        .args(["key", "set"])
        .write_stdin("x\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--profile NAME"));
    e.cmd()
        .args(["key", "delete", "--profile", "sandbox"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("needs no key"));
}

#[test]
fn completions_for_each_shell() {
    let e = env();
    for shell in ["bash", "zsh", "fish"] {
        e.cmd()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("phonely-outcomes"))
            .stdout(predicate::str::contains("--profile"));
    }
}

#[test]
fn a_manual_page() {
    let e = env();
    e.cmd()
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::contains(".TH phonely-outcomes"))
        .stdout(predicate::str::contains("profile"));
}

#[test]
fn every_command_has_examples_in_its_help() {
    let e = env();
    for command in [
        "send",
        "history",
        "sandbox",
        "config",
        "key",
        "completions",
        "man",
    ] {
        e.cmd()
            .args([command, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Examples:"));
    }
}

#[test]
fn workbench_flags_before_a_command_are_refused() {
    let e = env();
    e.cmd()
        .args(["--sandbox", "history"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--sandbox before `history`"));
    // Before a command that sends, the way to send to the sandbox is named.
    for (command, args) in [
        ("send", &["--agent", "agent123", "--call", "call456"][..]),
        ("batch", &["rows.csv"]),
    ] {
        e.cmd()
            .args(["--sandbox", command])
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "--sandbox before `{command}`"
            )))
            .stderr(predicate::str::contains(format!(
                "`phonely-outcomes {command} --profile sandbox …`"
            )));
    }
}
