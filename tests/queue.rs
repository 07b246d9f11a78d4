//! The batch queue in the workbench, through the whole loop against the sandbox: open a file
//! with Ctrl+B, see which rows are ready and which need fixing, send the ready ones with the
//! usual confirmation, fix a bad row in the form and send it from there.

mod common;

use common::harness::workbench;
use crossterm::event::KeyCode;
use phonely_outcomes::api::client::DEFAULT_TIMEOUT;
use phonely_outcomes::history::Store;
use phonely_outcomes::sandbox;

const FILE: &str = "agent_id,target,outcome,value
agent123,call456,Sold,299
agent123,call1003,Sold,150
agent123,415 5555,Sold,10
agent123,call456,Follow-Up Required,
";

/// A sandbox, and in a temporary folder the batch file and a data folder.
struct Setup {
    sb: sandbox::RunningSandbox,
    /// Kept so the folder lives as long as the test.
    _dir: tempfile::TempDir,
    file: std::path::PathBuf,
    data: std::path::PathBuf,
}

async fn setup() -> Setup {
    let sb = sandbox::start("127.0.0.1:0", sandbox::DEFAULT_KEY)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fixes.csv");
    std::fs::write(&file, FILE).unwrap();
    let data = dir.path().join("data");
    Setup {
        sb,
        _dir: dir,
        file,
        data,
    }
}

#[tokio::test]
async fn open_send_fix_and_finish_a_batch_file() {
    let s = setup().await;
    let (app, mut h) = workbench(&s.sb.base_url(), &s.data, DEFAULT_TIMEOUT);
    let script = async {
        h.wait_for("No updates yet").await;
        h.ctrl('b');
        h.wait_for("Open a batch file into the queue").await;
        h.text(&s.file.display().to_string());
        h.key(KeyCode::Enter);
        let screen = h.wait_for("3 rows ready, 1 to fix").await;
        assert!(screen.contains("Phone is too short"), "{screen}");
        // Leave nothing out; send the ready rows.
        h.ctrl('s');
        let screen = h.wait_for("Send the queue?").await;
        assert!(screen.contains("3 ready rows"), "{screen}");
        h.key(KeyCode::Enter);
        h.wait_for("Queue done: 3 updated, 0 not, 1 left to fix")
            .await;
        // The bad row into the form: focus lands on its problem; fix it and send it.
        h.key(KeyCode::Down);
        h.key(KeyCode::Down);
        h.key(KeyCode::Enter);
        h.wait_for("Line 4 is in the form").await;
        h.ctrl('u');
        h.text("+14155551234");
        h.wait_for("agent123/+14155551234").await;
        h.send_ok().await;
        h.wait_until("the fixed row done", |s| {
            s.contains("sent from the form") && s.contains("✓ 4  ✗ 0")
        })
        .await;
        h.ctrl('q');
    };
    let (app, ()) = tokio::join!(app, script);
    let q = app.queue.expect("the queue stays open");
    assert_eq!(q.counts().ok, 4);
    let received = s.sb.sandbox.received();
    assert_eq!(received.len(), 4);
    // One call's rows land in file order.
    let call456: Vec<&str> = received
        .iter()
        .filter(|r| r.target == "call456")
        .map(|r| r.body.as_str())
        .collect();
    assert_eq!(
        call456,
        [
            r#"{"custom_call_outcome":"Sold","custom_call_outcome_value":299}"#,
            r#"{"custom_call_outcome":"Follow-Up Required"}"#
        ]
    );
    let rows = Store::open(&s.data, "reader")
        .unwrap()
        .page(None, 10)
        .unwrap();
    assert_eq!(rows.len(), 4, "every row is in the history");
}

#[tokio::test]
async fn excluded_rows_stay_and_a_missing_file_is_explained() {
    let s = setup().await;
    let (app, mut h) = workbench(&s.sb.base_url(), &s.data, DEFAULT_TIMEOUT);
    let script = async {
        h.ctrl('b');
        h.text("/no/such/file.csv");
        h.key(KeyCode::Enter);
        h.wait_for("There is no file at /no/such/file.csv").await;
        // The prompt stays open with the path in it: Ctrl+U clears it for another.
        h.ctrl('u');
        h.text(&s.file.display().to_string());
        h.key(KeyCode::Enter);
        h.wait_for("3 rows ready").await;
        // Leave out the first two rows.
        h.key(KeyCode::Char('x'));
        h.key(KeyCode::Down);
        h.key(KeyCode::Char('x'));
        h.wait_for("excluded 2").await;
        h.ctrl('s');
        h.wait_for("1 ready row").await;
        // Esc on the confirmation sends nothing.
        h.key(KeyCode::Esc);
        h.wait_until("the confirmation to close", |s| {
            !s.contains("Send the queue?")
        })
        .await;
        h.ctrl('s');
        h.wait_for("Send the queue?").await;
        h.key(KeyCode::Enter);
        h.wait_for("Queue done: 1 updated").await;
        h.ctrl('q');
    };
    tokio::join!(app, script);
    let received = s.sb.sandbox.received();
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0].body,
        r#"{"custom_call_outcome":"Follow-Up Required"}"#
    );
}

/// On a production profile with rows sent before, the dialog holds two warnings and the place
/// to type the profile's name: at 80×24 as at full size, the name's line must be on screen (a
/// line that wrapped used to push it out of the dialog).
#[test]
fn a_production_queue_with_rows_sent_before_still_shows_where_to_type_the_name() {
    use phonely_outcomes::tui::action::{Action, QueueAction, SendAction};
    use phonely_outcomes::tui::update::update;
    let mut a = common::app();
    a.profile.kind = phonely_outcomes::config::Kind::Production;
    a.profile.name = "production-emea".into();
    let columns = phonely_outcomes::batch::ColumnMap::default();
    let (entries, errors) = phonely_outcomes::batch::entries("q.csv", FILE.as_bytes(), &columns);
    update(
        &mut a,
        Action::Queue(QueueAction::Loaded {
            file: "/home/someone/exports/a-rather-long-folder-name/fixes.csv".into(),
            entries,
            errors: errors.iter().map(ToString::to_string).collect(),
        }),
    );
    update(&mut a, Action::Send(SendAction::Request));
    update(
        &mut a,
        Action::Queue(QueueAction::Ready {
            rows: 3,
            duplicates: vec![0, 1],
        }),
    );
    update(&mut a, Action::Send(SendAction::Confirm)); // the rows sent before: asked twice
    for (w, h) in [(80, 24), (180, 50)] {
        let screen = common::screen(&a, w, h);
        assert!(
            screen.contains("Type production-emea and press"),
            "{screen}"
        );
        assert!(
            screen.contains("> "),
            "{w}×{h}: the name line is cut off:\n{screen}"
        );
    }
}

/// The issue's steps: line 4 of the bundled example goes into the form, Tab back, Ctrl+S.
/// The confirmation, the gauge and the end of the run all say line 4 is still to send.
#[tokio::test]
async fn a_row_left_in_the_form_is_named_in_the_confirmation_and_at_the_end() {
    let s = setup().await;
    let example =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/example-corrections.csv");
    let (app, mut h) = workbench(&s.sb.base_url(), &s.data, DEFAULT_TIMEOUT);
    let script = async {
        h.wait_for("No updates yet").await;
        h.ctrl('b');
        h.wait_for("Open a batch file into the queue").await;
        h.text(&example.display().to_string());
        h.key(KeyCode::Enter);
        h.wait_for("4 rows ready").await;
        h.key(KeyCode::Down);
        h.key(KeyCode::Down);
        h.key(KeyCode::Enter);
        h.wait_for("Line 4 is in the form").await;
        // Back to the queue (the palette's "Go to the queue").
        h.ctrl('p');
        h.text("go to the queue");
        h.key(KeyCode::Enter);
        h.wait_until("the queue focused", |s| s.contains("send queue"))
            .await;
        let screen = h.wait_for("excluded 0  ✎ 1").await;
        assert!(screen.contains("0/4"), "the gauge counts it: {screen}");
        h.ctrl('s');
        let screen = h.wait_for("Send the queue?").await;
        assert!(
            screen.contains("3 ready rows; line 4 is in the form: send it there"),
            "{screen}"
        );
        h.key(KeyCode::Enter);
        h.wait_for("line 4 is in the form, not sent").await;
        h.key(KeyCode::Char('q'));
        h.wait_for("q again").await;
        h.ctrl('q');
    };
    let (app, ()) = tokio::join!(app, script);
    assert!(app.queue.is_some(), "the first q only asked");
    assert_eq!(s.sb.sandbox.received().len(), 3);
}

/// The path prompt says which folder a relative path starts in, completes with Tab (a unique
/// match whole, several to what they share, listed), and keeps what was typed when the file
/// cannot be opened.
#[tokio::test]
async fn the_path_prompt_names_its_folder_completes_with_tab_and_keeps_the_text() {
    let s = setup().await;
    let (app, mut h) = workbench(&s.sb.base_url(), &s.data, DEFAULT_TIMEOUT);
    let cwd = std::env::current_dir().unwrap().display().to_string();
    let script = async {
        h.wait_for("No updates yet").await;
        h.ctrl('b');
        h.wait_for(&format!("Relative paths start in {cwd}")).await;
        h.text("assets/no-such-file.csv");
        h.key(KeyCode::Enter);
        let screen = h
            .wait_for("There is no file at assets/no-such-file.csv")
            .await;
        assert!(
            screen.contains("Open a batch file into the queue"),
            "the prompt stays open: {screen}"
        );
        assert!(screen.contains("Path: assets/no-such-file.csv"), "{screen}");
        assert!(
            !screen.contains("Ctrl+B to try again"),
            "the prompt is still open, nothing to press Ctrl+B for: {screen}"
        );
        for _ in 0.."no-such-file.csv".len() {
            h.key(KeyCode::Backspace);
        }
        h.text("example-corr");
        h.key(KeyCode::Tab);
        h.wait_for("Path: assets/example-corrections.csv").await;
        h.key(KeyCode::Enter);
        h.wait_for("4 rows ready").await;
        h.ctrl('q');
    };
    tokio::join!(app, script);
}

/// A file's cells reach the queue pane inert: a right-to-left override in an outcome (which
/// would make "So\u{202e}ld" show as "Sold") and a C1 control in a call ID are shown escaped,
/// and the outcome is a problem to fix, not a label that looks like another.
#[tokio::test]
async fn hostile_cells_are_shown_escaped_in_the_queue() {
    let s = setup().await;
    let file = s.data.with_file_name("hostile.csv");
    std::fs::write(
        &file,
        "agent_id,call_id,outcome,value\nagent123,call456,So\u{202e}ld,5\nagent123,c\u{9b}2J,Sold,5\n",
    )
    .unwrap();
    let (app, mut h) = workbench(&s.sb.base_url(), &s.data, DEFAULT_TIMEOUT);
    let script = async {
        h.ctrl('b');
        h.text(&file.display().to_string());
        h.key(KeyCode::Enter);
        let screen = h.wait_for("2 to fix").await;
        assert!(screen.contains(r"So\u{202e}ld"), "{screen}");
        assert!(screen.contains(r"c\u{9b}2J"), "{screen}");
        assert!(
            !screen.contains(['\u{202e}', '\u{9b}']),
            "nothing raw: {screen}"
        );
        h.ctrl('q');
    };
    tokio::join!(app, script);
}
