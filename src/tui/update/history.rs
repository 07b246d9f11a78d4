//! The history pane: moving and paging, the filter line, a row's detail, and a row put in the
//! form, sent again or copied.

use super::common::{
    can_send, editor_holding, forget_queue_row, form_changed, one_line, set_focus,
};
use crate::api::request::build;
use crate::api::update::{UpdateInput, validate};
use crate::history::{Filter, Record};
use crate::tui::action::HistoryAction;
use crate::tui::app::{App, Focus, HISTORY_PAGE, Modal, Ready, Tone};
use crate::tui::effect::Effect;
use ratatui::style::Style;
use ratatui_textarea::{Input, Key, TextArea};

pub(super) fn apply(app: &mut App, action: HistoryAction) -> Vec<Effect> {
    match action {
        HistoryAction::Move(delta) => return history_move(app, delta),
        HistoryAction::Home => app.history.selected = 0,
        HistoryAction::End => {
            app.history.selected = app.history.rows.len().saturating_sub(1);
            return more_history(app);
        }
        HistoryAction::OpenDetail => {
            if let Some(record) = app.history.selected_record() {
                app.modal = Some(Modal::Detail {
                    record_id: record.id,
                    scroll: 0,
                });
            }
        }
        HistoryAction::OpenFilter => set_focus(app, Focus::Filter),
        HistoryAction::KeepFilter => set_focus(app, Focus::History),
        HistoryAction::ClearFilter => {
            app.history.filter_input.select_all();
            app.history.filter_input.cut();
            set_focus(app, Focus::History);
            return apply_filter(app);
        }
        HistoryAction::FilterToCall => return filter_to_call(app),
        HistoryAction::LoadIntoForm => return load_into_form(app),
        HistoryAction::Resend => return resend(app),
        HistoryAction::CopyCurl => return copy_curl(app),
        HistoryAction::Loaded {
            generation,
            first,
            rows,
            exhausted,
        } => {
            let h = &mut app.history;
            if generation != h.generation {
                return Vec::new();
            }
            h.loading = false;
            h.exhausted = exhausted;
            h.error = None;
            if first {
                h.rows.clear();
                h.selected = 0;
            }
            for row in rows {
                h.upsert(row);
            }
            return labels_after_the_first_page(app);
        }
        HistoryAction::Failed {
            generation,
            message,
        } => {
            if generation == app.history.generation {
                app.history.loading = false;
                app.history.error = Some(message);
            }
            return labels_after_the_first_page(app);
        }
        HistoryAction::CopyResponse => return copy_response(app),
        HistoryAction::CopyCallId => return copy_call_id(app),
        // The Team view's (`team_view.rs`); the dispatcher never sends them here.
        HistoryAction::ToggleTeam
        | HistoryAction::TeamLoaded { .. }
        | HistoryAction::TeamFailed { .. } => {}
    }
    Vec::new()
}

/// How close to the end of the loaded rows the selection may come before the next page loads.
const PAGE_AHEAD: usize = 20;

/// The Outcome pick-list's labels sent before, asked for once the first page of history is in
/// (or could not be read): counting them reads every row's outcome (about 0.1 s at a million
/// rows), and asked first it held the first page up behind it on the reading connection.
fn labels_after_the_first_page(app: &mut App) -> Vec<Effect> {
    if std::mem::replace(&mut app.outcome_labels_asked, true) {
        Vec::new()
    } else {
        vec![Effect::LoadOutcomeLabels]
    }
}

fn history_move(app: &mut App, delta: isize) -> Vec<Effect> {
    let len = app.history.rows.len();
    if len == 0 {
        return Vec::new();
    }
    let next = app
        .history
        .selected
        .saturating_add_signed(delta)
        .min(len - 1);
    app.history.selected = next;
    more_history(app)
}

/// Asks for the next page when the selection nears the end of what is loaded.
fn more_history(app: &mut App) -> Vec<Effect> {
    let h = &mut app.history;
    if h.loading || h.exhausted || h.selected + PAGE_AHEAD < h.rows.len() {
        return Vec::new();
    }
    h.loading = true;
    vec![Effect::LoadHistory {
        generation: h.generation,
        filter: h.filter.clone(),
        before: h.rows.last().map(|r| r.id),
        limit: HISTORY_PAGE,
    }]
}

/// Re-reads the filter line; a changed filter starts a new query (the old one's results are
/// dropped when they arrive).
fn apply_filter(app: &mut App) -> Vec<Effect> {
    let h = &mut app.history;
    let text = h.filter_input.lines().join(" ");
    match Filter::parse_query_in(&text, app.settings.prefs.region) {
        Err(message) => {
            h.filter_error = Some(message);
            Vec::new()
        }
        Ok(filter) => {
            h.filter_error = None;
            if filter == h.filter {
                return Vec::new();
            }
            h.filter = filter.clone();
            h.generation += 1;
            h.loading = true;
            h.exhausted = false;
            vec![Effect::LoadHistory {
                generation: h.generation,
                filter,
                before: None,
                limit: HISTORY_PAGE,
            }]
        }
    }
}

/// Shows every update for one call: the selected row's (in the history) or the form's.
fn filter_to_call(app: &mut App) -> Vec<Effect> {
    let call = if app.focus == Focus::History || app.focus == Focus::Filter {
        app.history.selected_record().map(|r| {
            r.resolved_call_id
                .clone()
                .unwrap_or_else(|| r.target.clone())
        })
    } else {
        app.form_call().map(|(_, target, _)| target)
    };
    let Some(call) = call else {
        app.say(
            Tone::Info,
            "Type an agent and a call ID or phone first (or pick a history row), then \
                   Ctrl+F shows every update for that call",
        );
        return Vec::new();
    };
    let mut input = TextArea::from([call]);
    input.set_placeholder_text(app.history.filter_input.placeholder_text().to_string());
    input.set_cursor_line_style(Style::default());
    input.move_cursor(ratatui_textarea::CursorMove::End);
    app.history.filter_input = input;
    set_focus(app, Focus::History);
    apply_filter(app)
}

/// The selected row as an update that would be sent now (to the current address).
fn row_as_ready(app: &App, r: &Record) -> Result<Ready, String> {
    let metadata = r.metadata.clone().unwrap_or_default();
    let update = validate(&UpdateInput {
        agent: &r.agent,
        target: &r.target,
        preference: r.preference.as_deref(),
        outcome: r.outcome.as_deref().unwrap_or(""),
        value: r.value.as_deref().unwrap_or(""),
        metadata: &metadata,
        ..UpdateInput::default()
    })
    .map_err(|errors| {
        errors
            .first()
            .map_or_else(String::new, |e| e.message.clone())
    })?;
    let request = build(&update, &app.settings.base_url);
    Ok(Ready {
        update,
        request,
        pinned_call: None,
    })
}

fn load_into_form(app: &mut App) -> Vec<Effect> {
    let Some(r) = app.history.selected_record().cloned() else {
        return Vec::new();
    };
    forget_queue_row(app);
    let text = editor_holding;
    let placeholder = |old: &TextArea<'static>| old.placeholder_text().to_string();
    let form = &mut app.form;
    let fields = [
        (&mut form.agent, r.agent.clone()),
        (&mut form.target, r.target.clone()),
        (&mut form.outcome, r.outcome.clone().unwrap_or_default()),
        (&mut form.value, r.value.clone().unwrap_or_default()),
    ];
    for (editor, value) in fields {
        let p = placeholder(editor);
        *editor = text(&value);
        editor.set_placeholder_text(p);
    }
    let metadata = r
        .metadata
        .as_deref()
        .and_then(|m| serde_json::from_str::<serde_json::Value>(m).ok())
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_default();
    let p = placeholder(&form.metadata);
    let wrap = form.metadata.wrap_mode();
    form.metadata = text(&metadata);
    form.metadata.set_placeholder_text(p);
    form.metadata.set_wrap_mode(wrap);
    form.preference = match r.preference.as_deref() {
        Some("first") => crate::api::update::Preference::First,
        _ => crate::api::update::Preference::Last,
    };
    set_focus(app, Focus::Outcome);
    // The outcome is what people change most: selected, so typing replaces it (an arrow key
    // keeps it and moves into it).
    app.form.outcome.select_all();
    app.say(
        Tone::Info,
        format!(
            "Update #{} is in the form: typing replaces the selected outcome; change what needs \
             changing, then Ctrl+S to send it",
            r.id
        ),
    );
    form_changed(app)
}

fn resend(app: &mut App) -> Vec<Effect> {
    let Some(r) = app.history.selected_record().cloned() else {
        return Vec::new();
    };
    if app.modal.is_some() || !can_send(app) {
        return Vec::new();
    }
    match row_as_ready(app, &r) {
        Ok(ready) => vec![Effect::PrepareSend {
            ready: Box::new(ready),
            resend_of: Some(Box::new(r)),
            window_ms: app.settings.duplicate_window_ms,
            profile: app.profile.name.clone(),
        }],
        Err(message) => {
            app.say(
                Tone::Error,
                format!("Update #{} cannot be sent again as it was: {message}", r.id),
            );
            Vec::new()
        }
    }
}

fn copy_curl(app: &mut App) -> Vec<Effect> {
    let Some(r) = detail_or_selected(app) else {
        return Vec::new();
    };
    vec![Effect::Copy {
        text: crate::api::curl::curl(&r.request(), &app.settings.credentials.source),
        what: format!("update #{} as a curl command", r.id),
    }]
}

/// The response body of the selected history row (the open detail's, when there is one).
fn copy_response(app: &mut App) -> Vec<Effect> {
    let Some(r) = detail_or_selected(app) else {
        return Vec::new();
    };
    match &r.response_body {
        Some(body) if !body.is_empty() => vec![Effect::Copy {
            text: body.clone(),
            what: format!("the response body of update #{}", r.id),
        }],
        _ => {
            let id = r.id;
            app.say(
                Tone::Warning,
                format!("Nothing copied: update #{id} has no response body"),
            );
            Vec::new()
        }
    }
}

fn copy_call_id(app: &mut App) -> Vec<Effect> {
    let Some(r) = detail_or_selected(app) else {
        return Vec::new();
    };
    if let Some(call) = &r.resolved_call_id {
        return vec![Effect::Copy {
            text: call.clone(),
            what: format!("call id {call}"),
        }];
    }
    app.say(
        Tone::Warning,
        format!(
            "Nothing copied: Phonely's answer to update #{} named no call id",
            r.id
        ),
    );
    Vec::new()
}

fn detail_or_selected(app: &App) -> Option<Record> {
    match &app.modal {
        Some(Modal::Detail { record_id, .. }) => app.record(*record_id).cloned(),
        _ => app.history.selected_record().cloned(),
    }
}

/// A key for the filter line (Enter keeps the filter: see the keymap; it never adds a line).
pub(super) fn edit_filter(app: &mut App, input: Input) -> Vec<Effect> {
    if matches!(input.key, Key::Enter) || !app.history.filter_input.input(input) {
        return Vec::new();
    }
    apply_filter(app)
}

/// Pasted text for the filter line, made one line.
pub(super) fn paste_filter(app: &mut App, text: &str) -> Vec<Effect> {
    app.history.filter_input.insert_str(one_line(text));
    apply_filter(app)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    /// The labels sent before are counted over every row, so they are asked for only once the
    /// first page of history is in (or failed), never before it, and only once.
    #[test]
    fn outcome_labels_are_asked_for_after_the_first_page_only() {
        let mut a = filled();
        let page = |generation| {
            Action::History(HistoryAction::Loaded {
                generation,
                first: true,
                rows: Vec::new(),
                exhausted: true,
            })
        };
        assert!(!a.outcome_labels_asked);
        // A page for a filter that is no longer current asks for nothing.
        assert!(update(&mut a, page(7)).is_empty());
        assert_eq!(update(&mut a, page(0)), vec![Effect::LoadOutcomeLabels]);
        assert!(update(&mut a, page(0)).is_empty(), "asked once");
        let mut b = filled();
        let failed = Action::History(HistoryAction::Failed {
            generation: 0,
            message: "could not open".into(),
        });
        assert_eq!(update(&mut b, failed), vec![Effect::LoadOutcomeLabels]);
    }

    #[test]
    fn history_pages_in_as_the_selection_nears_the_end() {
        let mut a = filled();
        let template = record_for(&a, None);
        let rows: Vec<_> = (1..=i64::try_from(HISTORY_PAGE).unwrap())
            .rev()
            .map(|id| {
                let mut r = template.clone();
                r.id = id + 1000;
                r
            })
            .collect();
        update(
            &mut a,
            Action::History(HistoryAction::Loaded {
                generation: 0,
                first: true,
                rows,
                exhausted: false,
            }),
        );
        assert!(!a.history.loading);
        a.focus = Focus::History;
        assert!(update(&mut a, Action::History(HistoryAction::Move(10))).is_empty());
        let effects = update(&mut a, Action::History(HistoryAction::Move(75)));
        assert_eq!(
            effects,
            vec![Effect::LoadHistory {
                generation: 0,
                filter: Filter::default(),
                before: Some(1001),
                limit: HISTORY_PAGE
            }]
        );
        assert!(
            update(&mut a, Action::History(HistoryAction::Move(1))).is_empty(),
            "one load at a time"
        );
    }

    #[test]
    fn typing_a_filter_starts_a_new_query_and_drops_stale_results() {
        let mut a = filled();
        let old = record_for(&a, None);
        let effects = press_filter(&mut a, "state:bad");
        assert!(effects.is_empty(), "an unknown state is not searched");
        assert!(
            a.history
                .filter_error
                .as_deref()
                .unwrap()
                .contains("Unknown state")
        );
        update(&mut a, Action::History(HistoryAction::ClearFilter));
        update(&mut a, Action::History(HistoryAction::OpenFilter));
        let effects = update(&mut a, Action::Paste("state:failed".into()));
        let [
            Effect::LoadHistory {
                generation,
                filter,
                before: None,
                ..
            },
        ] = effects.as_slice()
        else {
            panic!("{effects:?}")
        };
        assert_eq!(filter.states, crate::history::FAILED);
        assert!(a.history.filter_error.is_none());
        let current = *generation;
        // A page for an older filter arrives late: ignored.
        update(
            &mut a,
            Action::History(HistoryAction::Loaded {
                generation: current - 1,
                first: true,
                rows: vec![old.clone()],
                exhausted: true,
            }),
        );
        assert!(a.history.rows.is_empty());
        update(
            &mut a,
            Action::History(HistoryAction::Loaded {
                generation: current,
                first: true,
                rows: vec![old],
                exhausted: true,
            }),
        );
        assert_eq!(a.history.rows.len(), 1);
        // Enter keeps the filter and goes back to the rows; Esc there clears it.
        update(&mut a, Action::History(HistoryAction::KeepFilter));
        assert_eq!(a.focus, Focus::History);
        let effects = update(&mut a, Action::History(HistoryAction::ClearFilter));
        assert!(matches!(
            effects.as_slice(),
            [Effect::LoadHistory { filter, .. }] if filter.is_empty()
        ));
    }

    #[test]
    fn ctrl_f_filters_to_the_call_in_the_form() {
        let mut a = filled();
        let effects = update(&mut a, Action::History(HistoryAction::FilterToCall));
        let [Effect::LoadHistory { filter, .. }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(filter.words, ["call456"]);
        assert_eq!(a.focus, Focus::History);
    }

    #[test]
    fn a_history_row_can_be_edited_resent_and_copied() {
        let mut a = filled();
        type_text(&mut a, "");
        let mut row = record_for(&a, None);
        row.id = 7;
        row.outcome = Some("No Sale".into());
        row.value = Some("0".into());
        row.metadata = Some(r#"{"b":1,"a":2}"#.into());
        row.body = r#"{"custom_call_outcome":"No Sale","custom_call_outcome_value":0,"custom_call_metadata":{"b":1,"a":2}}"#.into();
        update(
            &mut a,
            Action::History(HistoryAction::Loaded {
                generation: 0,
                first: true,
                rows: vec![row.clone()],
                exhausted: true,
            }),
        );
        a.focus = Focus::History;
        // y: curl text with the key left to the shell.
        let effects = update(&mut a, Action::History(HistoryAction::CopyCurl));
        let [Effect::Copy { text, what }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert!(text.contains("$PHONELY_API_KEY"), "{text}");
        assert!(text.contains("No Sale"), "{text}");
        assert_eq!(what, "update #7 as a curl command");
        // r: the same request, through the confirmation.
        let effects = update(&mut a, Action::History(HistoryAction::Resend));
        let [
            Effect::PrepareSend {
                ready,
                resend_of: Some(of),
                ..
            },
        ] = effects.as_slice()
        else {
            panic!("{effects:?}")
        };
        assert_eq!(of.id, 7);
        assert_eq!(ready.request.body, row.body);
        // e: into the form, metadata pretty and in its order.
        update(&mut a, Action::History(HistoryAction::LoadIntoForm));
        assert_eq!(a.focus, Focus::Outcome);
        assert_eq!(a.form.text(crate::api::update::Field::Outcome), "No Sale");
        assert_eq!(a.form.text(crate::api::update::Field::Value), "0");
        assert_eq!(
            a.form.text(crate::api::update::Field::Metadata),
            "{\n  \"b\": 1,\n  \"a\": 2\n}"
        );
        assert_eq!(a.checked.as_ref().unwrap().request.body, row.body);
        // The outcome is selected: what is typed replaces it ("349", not "No Sale349").
        type_text(&mut a, "Sold");
        assert_eq!(a.form.text(crate::api::update::Field::Outcome), "Sold");
    }

    #[test]
    fn copy_keys_take_the_response_body_and_the_call_id() {
        let mut a = filled();
        let mut r = record_for(&a, Some((200, "{\"success\":true,\"call_id\":\"c-9\"}")));
        r.resolved_call_id = Some("c-9".into());
        let generation = a.history.generation;
        update(
            &mut a,
            Action::History(HistoryAction::Loaded {
                generation,
                first: true,
                rows: vec![r],
                exhausted: true,
            }),
        );
        let effects = update(&mut a, Action::History(HistoryAction::CopyCallId));
        assert!(matches!(
            effects.as_slice(),
            [Effect::Copy { text, .. }] if text == "c-9"
        ));
        let effects = update(&mut a, Action::History(HistoryAction::CopyResponse));
        assert!(matches!(
            effects.as_slice(),
            [Effect::Copy { text, .. }] if text.contains("\"call_id\":\"c-9\"")
        ));
        update(&mut a, Action::CopyFailed("the terminal refused".into()));
        assert_eq!(a.status.as_ref().unwrap().tone, Tone::Error);
        assert!(a.status.as_ref().unwrap().text.starts_with("Copy failed"));
    }
}
