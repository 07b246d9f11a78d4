//! Criterion benches for the workbench's hot paths: drawing a full 160×48 frame with a long
//! history, `update` for one keystroke, and building a request (validate + build). Results and
//! the command that reproduces them are in BENCHMARKS.md.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use phonely_outcomes::api::client::{Completion, HttpResponse};
use phonely_outcomes::api::key::Credentials;
use phonely_outcomes::api::request::{BaseUrl, build};
use phonely_outcomes::api::update::{UpdateInput, validate};
use phonely_outcomes::history::{Provenance, Store};
use phonely_outcomes::tui::action::Action;
use phonely_outcomes::tui::app::{App, Settings};
use phonely_outcomes::tui::update::update;
use phonely_outcomes::tui::view::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui_textarea::{Input, Key};

/// Rows in the history pane: far more than fit, as after months of use.
const HISTORY_ROWS: usize = 5_000;

const METADATA: &str =
    r#"{"campaign":"spring_2026","rep_id":"12345","notes":"Customer was very interested"}"#;

fn example1() -> UpdateInput<'static> {
    UpdateInput {
        agent: "agent123",
        target: "call456",
        preference: None,
        outcome: "Sold",
        value: "299",
        metadata: METADATA,
        ..UpdateInput::default()
    }
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        update(
            app,
            Action::Edit(Input {
                key: Key::Char(c),
                ..Input::default()
            }),
        );
    }
}

/// The docs' example 1 in the form, focus on the metadata editor, and a long history.
fn busy_app() -> App {
    let mut app = App::new(Settings {
        base_url: BaseUrl::parse("http://127.0.0.1:8787").unwrap(),
        sandbox: true,
        credentials: Credentials::sandbox("sandbox-key"),
        utc_offset: time::UtcOffset::UTC,
        duplicate_window_ms: phonely_outcomes::tui::app::DEFAULT_DUPLICATE_WINDOW_MS,
        prefs: phonely_outcomes::tui::app::Prefs::default(),
    });
    for (i, text) in ["agent123", "call456", "Sold", "299", METADATA]
        .iter()
        .enumerate()
    {
        if i > 0 {
            update(&mut app, Action::FocusNext);
        }
        type_text(&mut app, text);
    }
    assert!(app.checked.is_ok(), "the form is valid");
    let store = Store::open_in_memory("bench").unwrap();
    let who = Provenance {
        operator: "sam".into(),
        profile: "sandbox".into(),
        base_url: "http://127.0.0.1:8787".into(),
    };
    let ready = app.checked.clone().unwrap();
    let mut rows = Vec::with_capacity(HISTORY_ROWS);
    for i in 0..HISTORY_ROWS {
        let r = store
            .insert_pending(&who, &ready.update, &ready.request)
            .unwrap();
        let completion = Completion::Answered(HttpResponse {
            status: if i % 7 == 0 { 404 } else { 200 },
            body: r#"{"success":true,"call_id":"call456","updated_fields":["custom_call_outcome","custom_call_outcome_value","custom_call_metadata"]}"#.into(),
            truncated: false,
            retry_after: None,
        });
        rows.push(
            store
                .complete(r.id, &completion, Duration::from_millis(40))
                .unwrap(),
        );
    }
    rows.reverse();
    app.history.loading = false;
    app.history.exhausted = true;
    for row in rows {
        app.history.upsert(row);
    }
    app
}

fn frame(c: &mut Criterion) {
    let app = busy_app();
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    c.bench_function("full frame 160x48, 5000 history rows", |b| {
        b.iter(|| {
            terminal.draw(|f| view(black_box(&app), f)).unwrap();
        });
    });
}

/// Yardsticks from the same run: the same frame with an empty history, and ratatui alone
/// filling the screen with one bordered paragraph of text (so a busy machine shows as a ratio).
fn yardsticks(c: &mut Criterion) {
    let mut app = busy_app();
    app.history.rows.clear();
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    c.bench_function("full frame 160x48, empty history", |b| {
        b.iter(|| {
            terminal.draw(|f| view(black_box(&app), f)).unwrap();
        });
    });
    let text: Vec<ratatui::text::Line<'static>> = (0..46)
        .map(|i| ratatui::text::Line::raw(format!("{i:>3} {}", "lorem ipsum ".repeat(13))))
        .collect();
    let paragraph = ratatui::widgets::Paragraph::new(text)
        .block(ratatui::widgets::Block::bordered().title("yardstick"));
    c.bench_function("yardstick: one bordered paragraph 160x48", |b| {
        b.iter(|| {
            terminal
                .draw(|f| f.render_widget(black_box(&paragraph), f.area()))
                .unwrap();
        });
    });
}

fn keystroke(c: &mut Criterion) {
    let mut app = busy_app();
    let key = |k| {
        Action::Edit(Input {
            key: k,
            ..Input::default()
        })
    };
    // A character typed into the metadata editor and taken back: two keystrokes, each one
    // re-validating the form and rebuilding the request, as in the workbench.
    c.bench_function("update: 2 keystrokes in the metadata editor", |b| {
        b.iter(|| {
            black_box(update(&mut app, key(Key::Char(' '))));
            black_box(update(&mut app, key(Key::Backspace)));
        });
    });
}

fn request(c: &mut Criterion) {
    let base = BaseUrl::default();
    c.bench_function("validate + build, docs' example 1", |b| {
        b.iter(|| {
            let update = validate(black_box(&example1())).unwrap();
            black_box(build(&update, &base))
        });
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(50)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = frame, yardsticks, keystroke, request
}
criterion_main!(benches);
