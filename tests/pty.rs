//! The real binary in a pseudo-terminal: keys in, screen parsed (vt100). Fill the form, send to
//! the bundled sandbox, see ✓, quit, reopen, and the history is still there; the terminal is
//! restored on the way out.

mod common;

use common::tty::{Tty, WAIT};
use portable_pty::CommandBuilder;

/// The workbench with `--sandbox` and its own data folder.
fn start(data_dir: &std::path::Path) -> Tty {
    spawn(data_dir, &["--sandbox"], &[])
}

/// The workbench with `args` (plus `--data-dir`) and extra environment variables; never the
/// developer's own key, profile, config or log folder.
fn spawn(data_dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Tty {
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_phonely-outcomes"));
    cmd.args(args);
    cmd.arg("--data-dir");
    cmd.arg(data_dir);
    cmd.env_remove("PHONELY_API_KEY");
    for (name, value) in env {
        cmd.env(name, value);
    }
    cmd.env_remove("PHONELY_PROFILE");
    cmd.env("PHONELY_OUTCOMES_CONFIG", data_dir.join("config.toml"));
    cmd.env("PHONELY_OUTCOMES_LOGS", data_dir.join("logs"));
    Tty::launch(cmd)
}

const TAB: &str = "\t";
const ENTER: &str = "\r";
const CTRL_S: &str = "\x13";
const CTRL_Q: &str = "\x11";
const RIGHT: &str = "\x1b[C";

#[test]
fn fill_send_see_tick_quit_reopen() {
    let data = tempfile::tempdir().unwrap();
    let mut tty = start(data.path());
    tty.wait_for("SANDBOX");
    tty.wait_for("No updates yet");
    tty.keys("agent123");
    tty.keys(TAB);
    tty.keys("+14155551234");
    tty.keys(TAB);
    tty.keys(RIGHT);
    tty.keys(TAB);
    tty.keys("Sold");
    tty.keys(TAB);
    tty.keys("499");
    tty.keys(TAB);
    tty.keys(r#"{"attribution":"first_touch","campaign":"spring_2026"}"#);
    tty.wait_for("\"attribution\": \"first_touch\",");
    tty.keys(CTRL_S);
    tty.wait_for("Send this update?");
    tty.keys(ENTER);
    tty.wait_for("✓ Updated call-first-415");
    let screen = tty.screen();
    assert!(screen.contains("agent123/+14155551234 (first)"), "{screen}");
    assert!(
        !screen.contains("sandbox-key"),
        "the key is never on screen"
    );
    tty.keys(CTRL_Q);
    assert!(tty.wait_exit().success());
    // The terminal was given back: alternate screen left, raw features turned off.
    let raw = String::from_utf8_lossy(&tty.raw.lock().unwrap()).into_owned();
    assert!(raw.contains("\x1b[?1049l"), "left the alternate screen");
    assert!(raw.contains("\x1b[?2004l"), "bracketed paste turned off");
    assert!(!tty.parser.lock().unwrap().screen().alternate_screen());

    let mut again = start(data.path());
    again.wait_for("History (1)");
    again.wait_for("Sold · 499");
    again.keys(CTRL_Q);
    assert!(again.wait_exit().success());
}

/// The pty's line discipline flags, e.g. `ICANON | ECHO` when not in raw mode.
fn local_flags(tty: &Tty) -> String {
    format!("{:?}", tty.master.get_termios().unwrap().local_flags)
}

#[test]
fn a_panic_in_the_loop_restores_the_terminal_and_shows_no_key() {
    const SECRET: &str = "live-key-8c1f55e0d2";
    let data = tempfile::tempdir().unwrap();
    let mut tty = spawn(
        data.path(),
        &["--base-url", "http://127.0.0.1:9"],
        &[
            ("PHONELY_API_KEY", SECRET),
            (phonely_outcomes::tui::runtime::TEST_PANIC_ENV, "~"),
            // A backtrace would scroll the message off the 32-row screen checked below.
            ("RUST_BACKTRACE", "0"),
        ],
    );
    tty.wait_for("key ✓");
    tty.keys("agent123");
    tty.wait_for("agent123");
    assert!(
        !local_flags(&tty).contains("ICANON"),
        "raw mode is on while the workbench runs: {}",
        local_flags(&tty)
    );
    tty.keys("~");
    let status = tty.wait_exit();
    assert!(!status.success(), "a panic is a failure exit");
    common::wait_until("the panic message", WAIT, || {
        String::from_utf8_lossy(&tty.raw.lock().unwrap()).contains("test-only panic")
    });
    let raw = String::from_utf8_lossy(&tty.raw.lock().unwrap()).into_owned();
    let left = raw.rfind("\x1b[?1049l").expect("left the alternate screen");
    let message = raw.find("test-only panic").unwrap();
    assert!(
        left < message,
        "the message is printed on the restored screen"
    );
    assert!(raw.contains("\x1b[?2004l"), "bracketed paste turned off");
    assert!(!tty.parser.lock().unwrap().screen().alternate_screen());
    assert!(tty.screen().contains("test-only panic"), "{}", tty.screen());
    let flags = local_flags(&tty);
    assert!(
        flags.contains("ICANON") && flags.contains("ECHO"),
        "raw mode is off again: {flags}"
    );
    assert!(!raw.contains(SECRET), "the key is never printed");
}

#[test]
fn a_hung_request_keeps_the_screen_live_and_esc_cancels_it() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let sb = rt
        .block_on(phonely_outcomes::sandbox::start(
            "127.0.0.1:0",
            phonely_outcomes::sandbox::DEFAULT_KEY,
        ))
        .unwrap();
    sb.sandbox
        .push_fault(phonely_outcomes::sandbox::Fault::Hang);
    let data = tempfile::tempdir().unwrap();
    let mut tty = spawn(
        data.path(),
        &["--base-url", &sb.base_url()],
        &[("PHONELY_API_KEY", phonely_outcomes::sandbox::DEFAULT_KEY)],
    );
    tty.wait_for("LOCAL");
    tty.keys("agent123");
    tty.keys(TAB);
    tty.keys("call456");
    tty.keys(TAB);
    tty.keys("Sold");
    tty.wait_for("\"custom_call_outcome\": \"Sold\"");
    tty.keys(CTRL_S);
    tty.wait_for("Send this update?");
    tty.keys(ENTER);
    tty.wait_for("(Esc cancels)");
    common::wait_until("the sandbox to hold the request", WAIT, || {
        !sb.sandbox.received().is_empty()
    });
    // Typing still reaches the screen while the request hangs.
    tty.keys(TAB);
    tty.keys("42");
    tty.wait_for("\"custom_call_outcome_value\": 42");
    tty.keys("\x1b");
    tty.wait_for("cancelled (may be applied)");
    tty.keys(CTRL_Q);
    assert!(tty.wait_exit().success());
}
