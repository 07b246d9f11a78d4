//! Profiles end to end: switching accounts inside the workbench changes where requests go, which
//! key is sent and what the history records; a production profile sends only after its name is
//! typed; and a distinctive key is found nowhere the tool writes (history, logs, screens,
//! stdout/stderr of every command), across sends that succeed, are refused, time out and are
//! cancelled.

mod common;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures::channel::mpsc::{UnboundedSender, unbounded};
use phonely_outcomes::api::client::State;
use phonely_outcomes::api::request::BaseUrl;
use phonely_outcomes::config::{self, Profile};
use phonely_outcomes::history::{Record, Store};
use phonely_outcomes::sandbox::{self, Fault};
use phonely_outcomes::tui::app::App;
use phonely_outcomes::tui::profiles::Switcher;
use phonely_outcomes::tui::runtime::{Services, run};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use tokio::sync::watch;

const WAIT: Duration = Duration::from_secs(20);
/// Distinctive enough that finding it anywhere means it leaked.
const SECRET: &str = "pk_live_Q7xZ-LEAKCANARY-5b1e9f";

struct Harness {
    keys: UnboundedSender<std::io::Result<Event>>,
    screen: watch::Receiver<String>,
}

impl Harness {
    fn key(&self, code: KeyCode) {
        self.keys
            .unbounded_send(Ok(Event::Key(KeyEvent::new(code, KeyModifiers::NONE))))
            .unwrap();
    }

    fn ctrl(&self, c: char) {
        self.keys
            .unbounded_send(Ok(Event::Key(KeyEvent::new(
                KeyCode::Char(c),
                KeyModifiers::CONTROL,
            ))))
            .unwrap();
    }

    fn text(&self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    async fn wait_for(&mut self, needle: &str) -> String {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            {
                let screen = self.screen.borrow_and_update();
                if screen.contains(needle) {
                    return screen.clone();
                }
            }
            let changed = tokio::time::timeout_at(deadline, self.screen.changed()).await;
            assert!(
                matches!(changed, Ok(Ok(()))),
                "timed out waiting for {needle:?}; screen:\n{}",
                *self.screen.borrow()
            );
        }
    }

    /// Agent, call, outcome; focus ends on Value.
    fn fill(&self, call: &str) {
        self.text("agent123");
        self.key(KeyCode::Tab);
        self.text(call);
        self.key(KeyCode::Tab);
        self.text("Sold");
        self.key(KeyCode::Tab);
    }
}

fn profile(name: &str, base: &str, production: bool, key: config::KeySpec) -> Profile {
    Profile {
        name: name.into(),
        base_url: BaseUrl::parse(base).unwrap(),
        production,
        key,
        builtin: false,
    }
}

/// A key file readable by its owner only.
fn key_file(dir: &Path, name: &str, key: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("{key}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    path
}

/// The workbench on `first` with `profiles` to switch to; every frame is kept in `frames`.
async fn workbench(
    profiles: Vec<Profile>,
    first: &str,
    data_dir: &Path,
    timeout: Duration,
    frames: Arc<Mutex<Vec<String>>>,
) -> (impl Future<Output = App> + use<>, Harness) {
    let (keys, key_stream) = unbounded();
    let (screen_tx, screen) = watch::channel(String::new());
    let switcher = Switcher::new(profiles);
    let active = switcher.activate(first).await.unwrap();
    let choices = switcher.tags();
    let services = Services {
        data_dir: data_dir.to_path_buf(),
        profile: active.tag.name.clone(),
        base_url: active.base_url.as_str().to_string(),
        credentials: active.credentials.clone(),
        timeout,
        clipboard: phonely_outcomes::tui::runtime::Clipboard::Memory(Arc::default()),
        real_terminal: false,
        profiles: Arc::new(switcher),
        team: None,
    };
    let mut settings = common::settings(active.base_url.as_str(), active.credentials.clone());
    settings.sandbox = false;
    let app = App::new(settings).with_profiles(active.tag, choices);
    let fut = async move {
        let mut terminal = Terminal::new(TestBackend::new(120, 32)).unwrap();
        let mut observe = |_: &App, buffer: &Buffer| {
            let text = common::buffer_text(buffer);
            frames.lock().unwrap().push(text.clone());
            let _ = screen_tx.send(text);
        };
        run(
            &mut terminal,
            key_stream,
            std::future::pending(),
            app,
            services,
            Some(&mut observe),
        )
        .await
        .unwrap()
    };
    (fut, Harness { keys, screen })
}

fn rows(data_dir: &Path) -> Vec<Record> {
    Store::open(data_dir, "reader")
        .unwrap()
        .page(None, 100)
        .unwrap()
}

#[tokio::test]
async fn switching_profile_changes_the_url_the_key_and_the_record() {
    let alpha = sandbox::start("127.0.0.1:0", "alpha-key").await.unwrap();
    let beta = sandbox::start("127.0.0.1:0", "beta-key").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let profiles = vec![
        profile(
            "alpha",
            &alpha.base_url(),
            false,
            config::KeySpec::File(key_file(dir.path(), "alpha.key", "alpha-key")),
        ),
        profile(
            "beta",
            &beta.base_url(),
            false,
            config::KeySpec::Command(vec![
                "cat".into(),
                key_file(dir.path(), "beta.key", "beta-key")
                    .display()
                    .to_string(),
            ]),
        ),
    ];
    let frames = Arc::default();
    let (app, mut h) = workbench(
        profiles,
        "alpha",
        dir.path(),
        Duration::from_secs(15),
        frames,
    )
    .await;
    let beta_url = beta.base_url();
    let script = async {
        h.wait_for("profile alpha").await;
        h.fill("call456");
        h.ctrl('s');
        h.wait_for("Send this update?").await;
        h.key(KeyCode::Enter);
        h.wait_for("✓ Updated call456").await;
        h.key(KeyCode::F(2));
        h.wait_for("Profile (account)").await;
        h.key(KeyCode::Down);
        h.key(KeyCode::Enter);
        h.wait_for("Now on profile beta").await;
        // After the send the form kept agent and outcome, ready for the next call; the same
        // call again, and the preview now shows beta's URL.
        h.text("call456");
        h.wait_for(&format!("PATCH {beta_url}/api/calls/agent123/call456"))
            .await;
        h.ctrl('s');
        let confirm = h.wait_for("Send this update?").await;
        assert!(confirm.contains("beta"), "{confirm}");
        h.key(KeyCode::Enter);
        h.wait_for("✓ Updated call456").await;
        let screen = h.wait_for("History (2").await;
        assert!(
            screen.contains(" beta "),
            "the history shows the profile:\n{screen}"
        );
        h.ctrl('q');
    };
    tokio::join!(app, script);
    let (a, b) = (alpha.sandbox.received(), beta.sandbox.received());
    assert_eq!((a.len(), b.len()), (1, 1), "one send to each account");
    assert!(a[0].key_ok && b[0].key_ok, "each account got its own key");
    let rows = rows(dir.path());
    assert_eq!(
        rows.iter()
            .map(|r| (r.profile.as_str(), r.base_url.as_str()))
            .collect::<Vec<_>>(),
        [
            ("beta", beta.base_url().as_str()),
            ("alpha", alpha.base_url().as_str())
        ]
    );
}

#[tokio::test]
async fn a_production_profile_sends_only_after_its_name_is_typed() {
    let sb = sandbox::start("127.0.0.1:0", "prod-key").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let profiles = vec![profile(
        "production",
        &sb.base_url(),
        true,
        config::KeySpec::File(key_file(dir.path(), "prod.key", "prod-key")),
    )];
    let frames = Arc::default();
    let (app, mut h) = workbench(
        profiles,
        "production",
        dir.path(),
        Duration::from_secs(15),
        frames,
    )
    .await;
    let script = async {
        h.wait_for("PRODUCTION").await;
        h.fill("call456");
        h.ctrl('s');
        h.wait_for("Type production and press Enter").await;
        h.text("y");
        h.key(KeyCode::Enter);
        h.wait_for("Not sent: type the profile name").await;
        h.key(KeyCode::Backspace);
        h.text("production");
        h.key(KeyCode::Enter);
        h.wait_for("✓ Updated call456").await;
        h.ctrl('q');
    };
    tokio::join!(app, script);
    assert_eq!(sb.sandbox.received().len(), 1, "sent once, after the name");
    assert_eq!(rows(dir.path())[0].profile, "production");
}

/// Everything under `dir`, as lossy text, with the file's name.
fn files_under(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push((path, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    out
}

/// The log of this test process: one subscriber for the whole binary, at `trace`.
fn test_log_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let filter = phonely_outcomes::cli::logging::filter(Some("trace")).unwrap();
        phonely_outcomes::cli::logging::init(Some(dir.path().to_path_buf()), filter).unwrap();
        phonely_outcomes::cli::logging::log_panics();
        dir
    })
    .path()
}

// Two workers: the sandbox keeps serving while the binary runs (a blocking wait) below.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_is_nowhere_the_tool_writes() {
    let log_dir = test_log_dir();
    let sb = sandbox::start("127.0.0.1:0", SECRET).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let frames: Arc<Mutex<Vec<String>>> = Arc::default();

    // 1. The workbench, in this process: a send that succeeds, one refused, one that times
    //    out, one cancelled.
    let staging = profile(
        "staging",
        &sb.base_url(),
        false,
        config::KeySpec::File(key_file(home.path(), "staging.key", SECRET)),
    );
    let (app, mut h) = workbench(
        vec![staging],
        "staging",
        &data,
        Duration::from_millis(400),
        frames.clone(),
    )
    .await;
    let script = async {
        h.fill("call456");
        h.ctrl('s');
        h.wait_for("Send this update?").await;
        h.key(KeyCode::Enter);
        h.wait_for("✓ Updated call456").await;
        // Refused: an unknown call. The send left the focus on the call, now empty.
        h.text("call456-nope");
        h.ctrl('s');
        h.wait_for("Send this update?").await;
        h.key(KeyCode::Enter);
        h.wait_for("✗ Refused").await;
        // Times out.
        sb.sandbox.push_fault(Fault::Hang);
        h.ctrl('s');
        h.wait_for("Send this update?").await;
        h.key(KeyCode::Enter);
        h.wait_for("✗ No response").await;
        // Cancelled, with a timeout long enough not to end it first.
        sb.sandbox.push_fault(Fault::Hang);
        h.ctrl('s');
        h.wait_for("Send this update?").await;
        h.key(KeyCode::Enter);
        h.wait_for("(Esc cancels)").await;
        h.key(KeyCode::Esc);
        h.wait_for("Cancelled").await;
        // Esc may come before the request reached the sandbox: its hang must not wait for
        // the next request (the binary's `send` below).
        sb.sandbox.clear_faults();
        // The detail view of a row, and the help.
        h.key(KeyCode::F(2));
        h.wait_for("Profile (account)").await;
        h.key(KeyCode::Esc);
        h.ctrl('q');
    };
    tokio::join!(app, script);
    let states: Vec<State> = rows(&data).iter().map(|r| r.state).collect();
    assert_eq!(
        states.len(),
        4,
        "succeeded, refused, timed out, cancelled: {states:?}"
    );

    // 2. The binary, on a config whose profile reads the key from a command.
    let config = home.path().join("config.toml");
    let key_path = key_file(home.path(), "cli.key", SECRET);
    std::fs::write(
        &config,
        format!(
            "default_profile = \"staging\"\n[profiles.staging]\nbase_url = \"{}\"\n\
             api_key_command = [\"cat\", \"{}\"]\n",
            sb.base_url(),
            key_path.display()
        ),
    )
    .unwrap();
    let mut outputs = Vec::new();
    let mut run = |args: &[&str]| {
        let out = assert_cmd::Command::cargo_bin("phonely-outcomes")
            .unwrap()
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("PHONELY_OUTCOMES_CONFIG", &config)
            .env("PHONELY_OUTCOMES_DATA", &data)
            .env("PHONELY_OUTCOMES_LOGS", home.path().join("logs"))
            .args(["--log-level", "trace"])
            .args(args)
            .output()
            .unwrap();
        outputs.push(format!(
            "{args:?}\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
        out.status.code()
    };
    let send = [
        "send",
        "--agent",
        "agent123",
        "--call",
        "call456",
        "--outcome",
        "Sold",
    ];
    assert_eq!(run(&send), Some(0), "{outputs:?}");
    assert_eq!(
        run(&[
            "send", "--agent", "agent123", "--call", "nope", "--value", "1"
        ]),
        Some(1)
    );
    sb.sandbox.push_fault(Fault::Hang);
    assert_eq!(run(&[&send[..], &["--timeout", "0.3"]].concat()), Some(3));
    assert_eq!(run(&[&send[..], &["--dry-run"]].concat()), Some(0));
    assert_eq!(run(&["history", "--json"]), Some(0));
    assert_eq!(run(&["history"]), Some(0));
    assert_eq!(run(&["config", "show"]), Some(0));
    assert_eq!(run(&["config", "path"]), Some(0));
    // A broken config and a wrong key file mode are explained without the key.
    std::fs::write(home.path().join("loose.key"), SECRET).unwrap();
    std::fs::write(
        &config,
        format!(
            "[profiles.staging]\nbase_url = \"{}\"\napi_key_file = \"{}\"\n",
            sb.base_url(),
            home.path().join("loose.key").display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let loose = std::fs::Permissions::from_mode(0o644);
        std::fs::set_permissions(home.path().join("loose.key"), loose).unwrap();
        assert_eq!(run(&send), Some(2), "a key file others can read is refused");
        assert!(outputs.last().unwrap().contains("chmod 600"), "{outputs:?}");
    }

    // 3. A panic while the key is at hand: its message goes to the log, through the same hook
    //    as the binary's, and must not carry the key.
    let credentials = phonely_outcomes::api::key::Credentials::found(
        phonely_outcomes::api::key::ApiKey::new(SECRET),
        phonely_outcomes::api::key::KeySource::Command("pass show phonely/prod".into()),
    );
    let panicked = std::thread::spawn(move || {
        panic!("forced panic holding {credentials:?}");
    })
    .join();
    assert!(panicked.is_err());

    // 4. Look everywhere.
    let mut written = files_under(&data);
    let db_files = written.len();
    written.extend(files_under(&home.path().join("logs")));
    written.extend(files_under(log_dir));
    assert!(db_files >= 1, "the history was written");
    let logs: String = written
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "log"))
        .map(|(_, t)| t.as_str())
        .collect();
    assert!(
        logs.contains("request answered") && logs.contains("status=200"),
        "requests are logged (so the search below means something):\n{logs}"
    );
    assert!(logs.contains("request got no answer"), "{logs}");
    assert!(
        logs.contains("panic: ") && logs.contains("forced panic holding"),
        "{logs}"
    );
    for (path, text) in &written {
        assert!(!text.contains(SECRET), "the key is in {}", path.display());
    }
    for out in &outputs {
        assert!(!out.contains(SECRET), "the key was printed:\n{out}");
    }
    let frames = frames.lock().unwrap();
    assert!(frames.len() > 10);
    for frame in frames.iter() {
        assert!(!frame.contains(SECRET), "the key was on screen:\n{frame}");
    }
    assert!(
        frames.iter().any(|f| f.contains("•••••••• (from")),
        "the preview shows the masked key"
    );
}
