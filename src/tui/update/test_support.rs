//! What the tests of every concern share: an app on a sandbox profile, typing, Ctrl+S as the
//! runtime completes it, records made without a database, a queue read from CSV text.

pub(super) use super::{confirmation, update};
pub(super) use crate::api::client::{Completion, HttpResponse, State};
pub(super) use crate::api::factory;
pub(super) use crate::api::key::Credentials;
pub(super) use crate::api::request::BaseUrl;
pub(super) use crate::api::update::{Field, UpdateInput, validate};
pub(super) use crate::history::{Filter, Provenance};
pub(super) use crate::tui::action::*;
pub(super) use crate::tui::app::*;
pub(super) use crate::tui::effect::Effect;
pub(super) use crate::tui::keymap::palette_matches;
pub(super) use ratatui_textarea::{Input, Key};

pub(super) fn app_with(credentials: Credentials) -> App {
    App::new(Settings {
        base_url: BaseUrl::parse("http://127.0.0.1:8787").unwrap(),
        sandbox: true,
        credentials,
        utc_offset: time::UtcOffset::UTC,
        duplicate_window_ms: crate::tui::app::DEFAULT_DUPLICATE_WINDOW_MS,
        prefs: crate::tui::app::Prefs::default(),
    })
}

/// Ctrl+S as the runtime completes it: the duplicate check (here: none found) opens the
/// confirmation. Returns what Ctrl+S itself asked for.
pub(super) fn ctrl_s(app: &mut App) -> Vec<Effect> {
    let effects = update(app, Action::Send(SendAction::Request));
    // (Ctrl+S may also keep the form as a draft, when it turned key=value lines into JSON.)
    if let Some(Effect::PrepareSend {
        ready, resend_of, ..
    }) = effects
        .iter()
        .find(|e| matches!(e, Effect::PrepareSend { .. }))
    {
        let c = confirmation((**ready).clone(), None, resend_of.as_deref().cloned());
        update(app, Action::Send(SendAction::ConfirmReady(c)));
    }
    effects
}

pub(super) fn app() -> App {
    app_with(Credentials::sandbox("sandbox-key"))
}

pub(super) fn type_text(app: &mut App, text: &str) {
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

/// Fills the form with the docs' first example, by call id.
pub(super) fn filled() -> App {
    let mut a = app();
    type_text(&mut a, "agent123");
    update(&mut a, Action::FocusNext);
    type_text(&mut a, "call456");
    update(&mut a, Action::FocusNext);
    type_text(&mut a, "Sold");
    update(&mut a, Action::FocusNext);
    type_text(&mut a, "299");
    a
}

/// A record for the app's (valid) form, as the history would hold it: pending, or
/// completed with this answer (built by `api::factory`, no database).
pub(super) fn record_for(app: &App, state: Option<(u16, &str)>) -> crate::history::Record {
    let ready = app.checked.clone().unwrap();
    let who = Provenance {
        operator: "t".into(),
        profile: "sandbox".into(),
        base_url: "http://127.0.0.1:8787".into(),
    };
    let now = crate::history::now_ms();
    let r = factory::pending(1, "t", &who, &ready.update, &ready.request, now);
    match state {
        None => r,
        Some((status, body)) => factory::completed(
            r,
            &Completion::Answered(HttpResponse {
                status,
                body: body.into(),
                truncated: false,
                retry_after: None,
            }),
            std::time::Duration::from_millis(12),
            crate::history::now_ms(),
        ),
    }
}

pub(super) fn press_filter(a: &mut App, text: &str) -> Vec<Effect> {
    update(a, Action::History(HistoryAction::OpenFilter));
    let mut effects = Vec::new();
    for c in text.chars() {
        effects = update(
            a,
            Action::Edit(Input {
                key: Key::Char(c),
                ..Input::default()
            }),
        );
    }
    effects
}

pub(super) fn tag(name: &str, kind: crate::config::Kind) -> crate::tui::profiles::ProfileTag {
    crate::tui::profiles::ProfileTag {
        name: name.into(),
        kind,
        target: format!("https://{name}.example"),
    }
}

pub(super) fn with_two_profiles() -> App {
    let mut a = filled();
    let sandbox = a.profile.clone();
    a = a.with_profiles(
        sandbox.clone(),
        vec![tag("production", crate::config::Kind::Production), sandbox],
    );
    a
}

/// Sends the filled form and finishes it with `state` (200 ✓ unless told otherwise).
pub(super) fn send_and_finish(a: &mut App, ok: bool) {
    ctrl_s(a);
    let effects = update(a, Action::Send(SendAction::Confirm));
    let [Effect::Send { id, .. }] = effects.as_slice() else {
        panic!("expected one send, got {effects:?}");
    };
    let id = *id;
    let mut done = record_for(
        a,
        Some(if ok {
            (200, "{\"success\":true}")
        } else {
            (404, "{}")
        }),
    );
    done.state = if ok { State::Ok } else { State::Refused };
    done.verified = ok;
    update(a, Action::Send(SendAction::Finished { id, record: done }));
}

pub(super) fn queue_app(csv: &str) -> App {
    let mut a = app();
    let columns = crate::batch::ColumnMap::default();
    let (entries, errors) = crate::batch::entries("q.csv", csv.as_bytes(), &columns);
    update(
        &mut a,
        Action::Queue(QueueAction::Loaded {
            file: "q.csv".into(),
            entries,
            errors: errors.iter().map(ToString::to_string).collect(),
        }),
    );
    a
}

pub(super) fn sends(effects: &[Effect]) -> Vec<(RequestId, String)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send { id, update, .. } => Some((*id, update.target.as_str().to_string())),
            _ => None,
        })
        .collect()
}

/// Ctrl+S on the queue, no row sent before, and the confirmation: the rows that leave.
pub(super) fn send_queue(a: &mut App, rows: usize) -> Vec<(RequestId, String)> {
    update(a, Action::Send(SendAction::Request));
    update(
        a,
        Action::Queue(QueueAction::Ready {
            rows,
            duplicates: Vec::new(),
        }),
    );
    sends(&update(a, Action::Send(SendAction::Confirm)))
}

pub(super) fn finish(a: &mut App, id: RequestId, status: u16) -> Vec<Effect> {
    let mut r = record_for(&filled(), Some((status, "{\"success\":true}")));
    r.state = if status == 200 {
        State::Ok
    } else {
        State::Refused
    };
    r.verified = status == 200;
    r.http_status = Some(status);
    finish_with(a, id, r)
}

/// What the status line says.
pub(super) fn said(a: &App) -> &str {
    a.status.as_ref().map_or("", |s| s.text.as_str())
}

/// The queue's (or the form's) send `id` ended with `record`.
pub(super) fn finish_with(
    a: &mut App,
    id: RequestId,
    record: crate::history::Record,
) -> Vec<Effect> {
    update(a, Action::Send(SendAction::Finished { id, record }))
}

pub(super) fn drafts(effects: &[Effect]) -> Vec<Option<crate::tui::draft::Draft>> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::SaveDraft(d) => Some(d.clone()),
            _ => None,
        })
        .collect()
}
