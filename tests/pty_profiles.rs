//! The issue's "done" scenario with the real binary in a pseudo-terminal: a config with
//! `production` (key from a command, typed confirmation) and `staging` (key from an env var);
//! the person sees which account each send goes to, switches in the workbench, sends to both,
//! and finds the profile in the history. And a broken config still opens the workbench, on the
//! sandbox, with the error on screen.

mod common;

use std::path::Path;

use common::tty::Tty;
use phonely_outcomes::sandbox;
use portable_pty::CommandBuilder;

const KEY: &str = "pty-profile-key-3c9d";

/// The workbench with everything in `home`: config, data and logs.
fn start(home: &Path) -> Tty {
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_phonely-outcomes"));
    cmd.env_clear();
    cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd.env("HOME", home);
    cmd.env("PHONELY_OUTCOMES_CONFIG", home.join("config.toml"));
    cmd.env("PHONELY_OUTCOMES_DATA", home.join("data"));
    cmd.env("PHONELY_OUTCOMES_LOGS", home.join("logs"));
    cmd.env("STAGING_KEY", KEY);
    Tty::launch(cmd)
}

const TAB: &str = "\t";
const ENTER: &str = "\r";
const CTRL_S: &str = "\x13";
const F2: &str = "\x1bOQ";
const UP: &str = "\x1b[A";

#[test]
fn two_accounts_switched_in_the_workbench_and_found_in_the_history() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let sb = rt.block_on(sandbox::start("127.0.0.1:0", KEY)).unwrap();
    let home = tempfile::tempdir().unwrap();
    let key_file = home.path().join("prod.key");
    std::fs::write(&key_file, KEY).unwrap();
    std::fs::write(
        home.path().join("config.toml"),
        format!(
            "default_profile = \"staging\"\n\n[profiles.production]\nbase_url = \"{url}\"\n\
             production = true\napi_key_command = [\"cat\", \"{key}\"]\n\n\
             [profiles.staging]\nbase_url = \"{url}\"\napi_key_env = \"STAGING_KEY\"\n",
            url = sb.base_url(),
            key = key_file.display()
        ),
    )
    .unwrap();

    let mut tty = start(home.path());
    tty.wait_for("profile staging");
    tty.wait_for("key ✓ (from $STAGING_KEY)");
    tty.keys("agent123");
    tty.keys(TAB);
    tty.keys("call456");
    tty.keys(TAB);
    tty.keys("Sold");
    tty.keys(CTRL_S);
    tty.wait_for("Send this update?");
    tty.keys(ENTER);
    tty.wait_for("✓ Updated call456");
    // Switch to production: the form is kept, the confirmation wants the name.
    tty.keys(F2);
    tty.wait_for("Profile (account)");
    tty.keys(UP);
    tty.keys(ENTER);
    tty.wait_for("Now on profile production");
    // The send cleared the call for the next one: the same call again.
    tty.keys("call456");
    tty.wait_for(&format!("key ✓ (from `cat {}`)", key_file.display()));
    tty.keys(CTRL_S);
    tty.wait_for("Type production and press Enter");
    tty.keys("production");
    tty.keys(ENTER);
    tty.wait_for("✓ Updated call456");
    let screen = tty.screen();
    assert!(screen.contains("PRODUCTION"), "{screen}");
    assert!(!screen.contains(KEY), "{screen}");
    tty.quit();

    assert_eq!(sb.sandbox.received().len(), 2);
    let out = assert_cmd::Command::cargo_bin("phonely-outcomes")
        .unwrap()
        .env("PHONELY_OUTCOMES_DATA", home.path().join("data"))
        .env("PHONELY_OUTCOMES_CONFIG", home.path().join("config.toml"))
        .env("PHONELY_OUTCOMES_LOGS", home.path().join("logs"))
        .args(["history", "--json"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let profiles: Vec<String> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["profile"].to_string())
        .collect();
    assert_eq!(profiles, ["\"production\"", "\"staging\""], "{text}");
}

#[test]
fn a_broken_config_still_opens_the_workbench_on_the_sandbox() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("config.toml"),
        "[profiles.production]\nbase_url = \"https://app.phonely.ai\"\nproduction = yes\n",
    )
    .unwrap();
    let tty = start(home.path());
    tty.wait_for("SANDBOX");
    tty.wait_for("The config file has errors");
    let screen = tty.screen();
    tty.quit();
    // The message wraps; read it as one line.
    let flat = screen.replace('\n', " ");
    assert!(
        flat.contains("line 3, column 14 (`production`)"),
        "{screen}"
    );
}
