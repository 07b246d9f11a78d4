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
    // The calls list shares the request's column: the metadata is in once it is read.
    tty.wait_for("✓ JSON object, 2 keys");
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

/// Docs example 1 from an empty form, the fewest keys: `So` + Tab takes "Sold" from the
/// pick-list, and the metadata is typed as key=value lines that Ctrl+O turns into JSON.
const EXAMPLE_1_KEYS: &[&str] = &[
    "agent123",
    TAB,
    "call456",
    TAB,
    "So",
    TAB,
    "299",
    TAB,
    "campaign=spring_2026",
    ENTER,
    "rep_id=12345",
    ENTER,
    "notes=Customer was very interested",
    CTRL_O,
];

const CTRL_O: &str = "\x0f";
const F12: &str = "\x1b[24~";

/// Keys pressed: a character, or one escape/control sequence.
fn keystrokes(keys: &[&str]) -> usize {
    keys.iter()
        .map(|k| {
            if k.starts_with('\x1b') || k.chars().all(char::is_control) {
                1
            } else {
                k.chars().count()
            }
        })
        .sum()
}

/// A left click at a screen cell (0-based), as an xterm SGR mouse report: press and release.
fn click(tty: &mut Tty, column: usize, row: usize) {
    let (x, y) = (column + 1, row + 1);
    tty.keys(&format!("\x1b[<0;{x};{y}M\x1b[<0;{x};{y}m"));
}

/// Where `needle` is on the screen: (column, row).
fn find(tty: &Tty, needle: &str) -> (usize, usize) {
    let screen = tty.screen();
    screen
        .lines()
        .enumerate()
        .find_map(|(row, line)| {
            line.find(needle)
                .map(|byte| (line[..byte].chars().count(), row))
        })
        .unwrap_or_else(|| panic!("{needle:?} not on screen:\n{screen}"))
}

#[test]
fn fewest_keys_then_mouse_clicks_and_copies_in_a_real_terminal() {
    use base64::Engine as _;
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
    let data = tempfile::tempdir().unwrap();
    let mut tty = spawn(
        data.path(),
        &["--base-url", &sb.base_url()],
        &[("PHONELY_API_KEY", phonely_outcomes::sandbox::DEFAULT_KEY)],
    );
    tty.wait_for("No updates yet");
    let bytes = tty.raw.clone();
    let raw = move || String::from_utf8_lossy(&bytes.lock().unwrap()).into_owned();
    assert!(raw().contains("\x1b[?1000h"), "mouse reporting is on");

    // The docs' first example, byte for byte, in few keystrokes.
    for k in EXAMPLE_1_KEYS {
        tty.keys(k);
    }
    tty.wait_for("key=value lines turned into JSON");
    tty.keys(CTRL_S);
    tty.wait_for("Send this update?");
    tty.keys(ENTER);
    tty.wait_for("✓ Updated call456");
    assert_eq!(
        sb.sandbox.received()[0].body,
        r#"{"custom_call_outcome":"Sold","custom_call_outcome_value":299,"custom_call_metadata":{"campaign":"spring_2026","rep_id":"12345","notes":"Customer was very interested"}}"#
    );
    // 109 keys before the pick-list and key=value entry (closing note of issue 6).
    let pressed = keystrokes(EXAMPLE_1_KEYS) + 2;
    assert!(pressed <= 96, "{pressed} keystrokes");

    // The next call for the same agent and outcome: the call, Tab, Tab, the value, send
    // (15 keys here, with an 8-character call ID).
    let next: &[&str] = &["call1003", TAB, TAB, "199", CTRL_S, ENTER];
    tty.wait_for("next call: type its ID or phone");
    tty.keys(next[0]);
    tty.wait_for("agent123/call1003");
    for k in &next[1..4] {
        tty.keys(k);
    }
    tty.wait_for("\"custom_call_outcome_value\": 199");
    tty.keys(CTRL_S);
    tty.wait_for("Send this update?");
    tty.keys(ENTER);
    tty.wait_for("✓ Updated call1003");
    assert_eq!(
        sb.sandbox.received()[1].body,
        r#"{"custom_call_outcome":"Sold","custom_call_outcome_value":199}"#
    );

    // A click on the history row selects it; `c` and `b` copy through OSC 52.
    let (col, row) = find(&tty, "agent123/call456");
    click(&mut tty, col, row);
    tty.wait_for("Enter details");
    tty.keys("c");
    tty.wait_for("Copied call id call456");
    let call = base64::engine::general_purpose::STANDARD.encode("call456");
    assert!(
        raw().contains(&format!("\x1b]52;c;{call}\x1b\\")),
        "OSC 52 with the call id"
    );
    tty.keys("b");
    tty.wait_for("Copied the response body of update #1");
    let body =
        base64::engine::general_purpose::STANDARD.encode(r#"{"success":true,"call_id":"call456""#);
    let body = &body[..body.len() - 4];
    assert!(
        raw().contains(&format!("\x1b]52;c;{body}")),
        "the body, base64"
    );
    // A click on a field focuses it.
    let (col, row) = find(&tty, "Value");
    click(&mut tty, col + 14, row);
    tty.wait_for("▸Value");

    // F12 gives the mouse back to the terminal, for selecting text.
    tty.keys(F12);
    tty.wait_for("Mouse off");
    assert!(raw().contains("\x1b[?1000l"), "mouse reporting is off");
    tty.keys(CTRL_Q);
    assert!(tty.wait_exit().success());
    assert!(!raw().contains(phonely_outcomes::sandbox::DEFAULT_KEY));
}
