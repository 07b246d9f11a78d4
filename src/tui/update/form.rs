//! The form: typing and pasting into its fields, the Outcome pick-list, metadata formatting and
//! templates, Ctrl+N / Ctrl+Z, the draft, the call's context and the request preview.

use super::common::{
    forget_queue_row, form_changed, move_focus, one_line, pasted_lines, set_focus,
};
use crate::tui::action::FormAction;
use crate::tui::app::{App, Context, Focus, ItemStatus, Modal, Tone};
use crate::tui::effect::Effect;
use ratatui_textarea::{Input, Key};

pub(super) fn apply(app: &mut App, action: FormAction) -> Vec<Effect> {
    match action {
        FormAction::TogglePreference => {
            app.form.preference = app.form.preference.toggled();
            app.recheck();
        }
        FormAction::PreviewScroll(lines) => scroll_preview(app, lines),
        FormAction::ContextLoaded {
            agent,
            target,
            records,
            loaded_at_ms,
        } => {
            if app.context_key.as_ref() == Some(&(agent.clone(), target.clone())) {
                app.context = Some(Context {
                    agent,
                    target,
                    records,
                    loaded_at_ms,
                });
            }
        }
        FormAction::TeamLastSet {
            agent,
            target,
            line,
        } => {
            app.team_last_set = line
                .filter(|_| app.context_key.as_ref() == Some(&(agent.clone(), target.clone())))
                .map(|l| (agent, target, l));
        }
        FormAction::ClearField => {
            let focus = app.focus;
            if focus != Focus::Metadata
                && let Some(editor) = app.form.editor_mut(focus)
            {
                editor.select_all();
                if editor.cut() {
                    return form_changed(app);
                }
            }
        }
        FormAction::NewForm => new_form(app),
        FormAction::UndoNewForm => return undo_new_form(app),
        FormAction::DraftLoaded(Ok(Some(draft))) => {
            return restore_draft(app, &draft);
        }
        FormAction::DraftLoaded(Ok(None)) => {}
        FormAction::DraftLoaded(Err(message)) | FormAction::DraftNotSaved(message) => {
            app.say(
                Tone::Warning,
                format!("The form could not be kept as a draft: {message}"),
            );
        }
        FormAction::FormatMetadata => format_metadata(app),
        FormAction::InsertTemplate => return insert_template(app, None),
        FormAction::TemplateMove(delta) => {
            if let Some(Modal::Templates { selected }) = &mut app.modal {
                let last = app
                    .settings
                    .prefs
                    .metadata_templates
                    .len()
                    .saturating_sub(1);
                *selected = selected.saturating_add_signed(delta).min(last);
            }
        }
        FormAction::ChooseTemplate => {
            if let Some(Modal::Templates { selected }) = app.modal.take() {
                return insert_template(app, Some(selected));
            }
        }
        FormAction::OutcomeMove(delta) => {
            let n = app.outcome_suggestions().len();
            if n > 0 {
                app.outcome_menu_closed = false;
                app.outcome_pick = Some(match app.outcome_pick {
                    None if delta < 0 => n - 1,
                    None => 0,
                    Some(i) => i.saturating_add_signed(delta).min(n - 1),
                });
            }
        }
        FormAction::OutcomeAccept => return accept_outcome(app),
        FormAction::OutcomeClose => {
            app.outcome_menu_closed = true;
            app.outcome_pick = None;
        }
        FormAction::OutcomeLabels(labels) => {
            app.outcome_labels = labels;
            app.recheck();
        }
    }
    Vec::new()
}

/// The draft kept when the workbench last closed goes into the form, unless something was typed
/// already.
fn restore_draft(app: &mut App, draft: &crate::tui::draft::Draft) -> Vec<Effect> {
    if !app.form_is_empty() {
        return Vec::new();
    }
    draft.fill(&mut app.form);
    let restored = "Restored the form you had not sent when the workbench last closed";
    // Typed for another account: say so before it is sent there.
    let elsewhere = !draft.profile.is_empty() && draft.profile != app.profile.name;
    let note = if elsewhere {
        format!(
            "{restored}, typed on profile {}: it now goes to {} (F2 switches the profile, Ctrl+N \
             clears the form)",
            draft.profile, app.profile.name
        )
    } else {
        format!("{restored} (Ctrl+N clears it)")
    };
    let (tone, text) = match app.status.take() {
        // A warning from start-up (the config, the key) stays first.
        Some(s) if matches!(s.tone, Tone::Warning | Tone::Error) => {
            (s.tone, format!("{} · {note}", s.text))
        }
        _ => (if elsewhere { Tone::Warning } else { Tone::Info }, note),
    };
    app.say(tone, text);
    set_focus(app, app.focus);
    form_changed(app)
}

/// Ctrl+Z right after Ctrl+N: the form as it was.
fn undo_new_form(app: &mut App) -> Vec<Effect> {
    let Some(cleared) = app.before_new_form.take() else {
        return Vec::new();
    };
    let crate::tui::app::ClearedForm {
        form,
        focus,
        show_required,
        queue_row,
    } = *cleared;
    app.form = form;
    app.show_required = show_required;
    if let (Some(q), Some((index, loaded))) = (&mut app.queue, queue_row)
        && q.items
            .get(index)
            .is_some_and(|i| i.status == ItemStatus::Waiting)
    {
        q.in_form = Some(index);
        q.loaded_form = loaded;
    }
    set_focus(app, focus);
    app.say(Tone::Info, "The form is back as it was before Ctrl+N");
    form_changed(app)
}

/// What Ctrl+N says while Ctrl+Z can still bring the form back; it goes once that chance ends.
pub(super) const NEW_FORM_UNDO: &str =
    "New form: every field is empty (Ctrl+Z brings back what was there)";

fn new_form(app: &mut App) {
    // What is cleared can come back with Ctrl+Z until the form changes again.
    app.before_new_form = (!app.form_is_empty()).then(|| {
        Box::new(crate::tui::app::ClearedForm {
            form: app.form.clone(),
            focus: app.focus,
            show_required: app.show_required,
            queue_row: app
                .queue
                .as_ref()
                .and_then(|q| q.in_form.map(|i| (i, q.loaded_form.clone()))),
        })
    });
    app.form = crate::tui::app::Form::default();
    app.form.preference = crate::api::update::Preference::Last;
    forget_queue_row(app);
    app.show_required = false;
    app.outcome_pick = None;
    app.outcome_menu_closed = false;
    app.context = None;
    app.context_key = None;
    set_focus(app, Focus::Agent);
    app.recheck();
    app.say(
        Tone::Info,
        if app.before_new_form.is_some() {
            NEW_FORM_UNDO.to_string()
        } else {
            "New form: every field is empty".to_string()
        },
    );
}

fn format_metadata(app: &mut App) {
    let text = app.form.text(crate::api::update::Field::Metadata);
    match crate::tui::json::format(&text) {
        Ok(pretty) => {
            let end = pretty.lines().count().saturating_sub(1);
            let converted = crate::tui::json::has_key_value_lines(&text);
            app.form.set_metadata(&pretty, (end, usize::MAX));
            set_focus(app, Focus::Metadata);
            app.recheck();
            app.say(
                Tone::Info,
                if converted {
                    "key=value lines turned into JSON (Ctrl+Z twice brings the old text back)"
                        .to_string()
                } else {
                    "Metadata formatted (Ctrl+Z twice brings the old text back)".to_string()
                },
            );
        }
        Err(message) => {
            app.status_about = Some((crate::api::update::Field::Metadata, message.clone()));
            app.say(Tone::Warning, message);
        }
    }
}

/// Ctrl+T: with one template it goes straight in; with several, a picker asks which.
fn insert_template(app: &mut App, chosen: Option<usize>) -> Vec<Effect> {
    let templates = &app.settings.prefs.metadata_templates;
    let index = match (chosen, templates.len()) {
        (_, 0) => {
            app.say(
                Tone::Info,
                "No metadata templates yet: add them to the config under \
                       [metadata_templates], e.g. callback = '{\"rep_id\": \"\", \"notes\": \"\"}' \
                       (phonely-outcomes config path shows where it is)",
            );
            return Vec::new();
        }
        (Some(i), _) => i,
        (None, 1) => 0,
        (None, _) => {
            app.modal = Some(Modal::Templates { selected: 0 });
            return Vec::new();
        }
    };
    let Some((name, template)) = templates.get(index).cloned() else {
        return Vec::new();
    };
    let current = app.form.text(crate::api::update::Field::Metadata);
    match crate::tui::json::insert_template(&current, &template) {
        Ok((text, cursor)) => {
            app.form.set_metadata(&text, cursor);
            set_focus(app, Focus::Metadata);
            app.say(
                Tone::Info,
                format!("Template {name} inserted: type the first value"),
            );
            form_changed(app)
        }
        Err(message) => {
            app.say(Tone::Warning, message);
            Vec::new()
        }
    }
}

/// Tab or Enter on a highlighted suggestion: it becomes the outcome, and focus moves on.
fn accept_outcome(app: &mut App) -> Vec<Effect> {
    let picked = app
        .outcome_pick
        .and_then(|i| app.outcome_suggestions().get(i).map(|s| (*s).to_string()));
    let Some(label) = picked else {
        move_focus(app, 1);
        return Vec::new();
    };
    let mut t = crate::tui::app::Form::default().outcome;
    t.insert_str(&label);
    app.form.outcome = t;
    app.outcome_pick = None;
    let effects = form_changed(app);
    move_focus(app, 1);
    effects
}

/// The pick-list highlights the first label that starts with what is typed, so Tab takes it.
fn refresh_outcome_pick(app: &mut App) {
    let typed = app
        .form
        .text(crate::api::update::Field::Outcome)
        .to_lowercase();
    app.outcome_pick = (!typed.trim().is_empty())
        .then(|| app.outcome_suggestions().first().map(|s| s.to_lowercase()))
        .flatten()
        .filter(|top| top.starts_with(typed.trim()))
        .map(|_| 0);
}

/// A key for the focused form field (the dispatcher hands the filter line's to the history).
pub(super) fn edit(app: &mut App, input: Input) -> Vec<Effect> {
    let focus = app.focus;
    // One-line fields never take a newline (Enter moves on; see the keymap).
    if focus != Focus::Metadata && matches!(input.key, Key::Enter) {
        return Vec::new();
    }
    let Some(editor) = app.form.editor_mut(focus) else {
        return Vec::new();
    };
    if editor.input(input) {
        if focus == Focus::Outcome {
            app.outcome_menu_closed = false;
            let effects = form_changed(app);
            refresh_outcome_pick(app);
            return effects;
        }
        return form_changed(app);
    }
    Vec::new()
}

/// Pasted text for the focused form field (the dispatcher hands the filter line's to the
/// history).
pub(super) fn paste(app: &mut App, text: &str) -> Vec<Effect> {
    let focus = app.focus;
    let Some(editor) = app.form.editor_mut(focus) else {
        return Vec::new();
    };
    if focus == Focus::Metadata {
        // Tabs become spaces: the editor's columns then match the characters one to one.
        editor.insert_str(pasted_lines(text).replace('\t', "  "));
    } else {
        editor.insert_str(one_line(text));
    }
    form_changed(app)
}

/// Alt+↑/↓, PgUp/PgDn: scrolls the request preview by `lines`, never past its last line (when
/// the screen's size is known), so the way back up is as many presses as the way down.
fn scroll_preview(app: &mut App, lines: i32) {
    let by = i16::try_from(lines).unwrap_or(if lines < 0 { i16::MIN } else { i16::MAX });
    let scrolled = app.preview_scroll.saturating_add_signed(by);
    app.preview_scroll = match crate::tui::view::preview_max_scroll(app) {
        Some(max) => scrolled.min(max),
        None => scrolled,
    };
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn typing_updates_the_preview() {
        let a = filled();
        let ready = a.checked.as_ref().unwrap();
        assert_eq!(
            ready.request.url,
            "http://127.0.0.1:8787/api/calls/agent123/call456"
        );
        assert_eq!(
            ready.request.body,
            r#"{"custom_call_outcome":"Sold","custom_call_outcome_value":299}"#
        );
    }

    #[test]
    fn tab_order_skips_preference_unless_phone() {
        let mut a = app();
        let mut seen = vec![a.focus];
        for _ in 0..6 {
            update(&mut a, Action::FocusNext);
            seen.push(a.focus);
        }
        assert_eq!(
            seen,
            [
                Focus::Agent,
                Focus::Target,
                Focus::Outcome,
                Focus::Value,
                Focus::Metadata,
                Focus::History,
                Focus::Agent
            ]
        );
        update(&mut a, Action::FocusNext);
        type_text(&mut a, "+14155551234");
        update(&mut a, Action::FocusNext);
        assert_eq!(a.focus, Focus::Preference);
        update(&mut a, Action::Form(FormAction::TogglePreference));
        update(&mut a, Action::FocusPrev);
        assert_eq!(a.focus, Focus::Target);
        update(&mut a, Action::FocusPrev);
        update(&mut a, Action::FocusPrev);
        assert_eq!(
            a.focus,
            Focus::History,
            "Shift+Tab wraps from Agent to History"
        );
    }

    #[test]
    fn preference_goes_into_the_url() {
        let mut a = app();
        type_text(&mut a, "agent123");
        update(&mut a, Action::FocusNext);
        type_text(&mut a, "+14155551234");
        update(&mut a, Action::FocusNext);
        update(&mut a, Action::Form(FormAction::TogglePreference));
        update(&mut a, Action::FocusNext);
        type_text(&mut a, "Sold");
        assert!(
            a.checked
                .as_ref()
                .unwrap()
                .request
                .url
                .ends_with("/agent123/+14155551234?preference=first")
        );
    }

    /// Ctrl+U clears a one-line field, wherever the cursor is.
    #[test]
    fn ctrl_u_clears_a_one_line_field() {
        let mut a = filled();
        update(&mut a, Action::Focus(Focus::Target));
        update(
            &mut a,
            Action::Edit(Input {
                key: Key::Left,
                ..Input::default()
            }),
        );
        update(&mut a, Action::Form(FormAction::ClearField));
        assert_eq!(a.form.text(Field::Target), "");
        assert_eq!(a.form.text(Field::Agent), "agent123", "only that field");
    }

    #[test]
    fn paste_into_a_one_line_field_drops_the_line_end() {
        let mut a = app();
        update(&mut a, Action::Paste("agent123\r\n".into()));
        assert_eq!(a.form.text(Field::Agent), "agent123");
        update(&mut a, Action::Focus(Focus::Metadata));
        update(&mut a, Action::Paste("{\n\"a\": 1\n}".into()));
        assert_eq!(a.form.text(Field::Metadata), "{\n\"a\": 1\n}");
    }

    #[test]
    fn enter_never_adds_a_line_to_one_line_fields() {
        let mut a = app();
        type_text(&mut a, "agent");
        update(
            &mut a,
            Action::Edit(Input {
                key: Key::Enter,
                ..Input::default()
            }),
        );
        assert_eq!(a.form.agent.lines().len(), 1);
    }

    #[test]
    fn ctrl_n_clears_every_field() {
        let mut a = filled();
        update(&mut a, Action::Form(FormAction::NewForm));
        assert!(a.form_is_empty());
        assert_eq!(a.focus, Focus::Agent);
        assert!(a.checked.is_err());
    }

    #[test]
    fn the_outcome_pick_list_offers_presets_then_labels_used_before() {
        let mut a = app();
        a.outcome_labels = vec![("Callback Booked".into(), 9), ("Sold".into(), 3)];
        update(&mut a, Action::Focus(Focus::Outcome));
        let all = a.outcome_suggestions();
        assert_eq!(all[0], "Sold", "presets first");
        assert!(a.outcome_menu_open());
        // Typing narrows it and highlights the first label that starts with the text.
        type_text(&mut a, "app");
        assert_eq!(
            a.outcome_suggestions(),
            vec!["Appointment Completed", "Appointment No-Show"]
        );
        assert_eq!(a.outcome_pick, Some(0));
        update(&mut a, Action::Form(FormAction::OutcomeMove(1)));
        assert_eq!(a.outcome_pick, Some(1));
        update(&mut a, Action::Form(FormAction::OutcomeAccept));
        assert_eq!(a.form.text(Field::Outcome), "Appointment No-Show");
        assert_eq!(a.focus, Focus::Value, "taking a label moves on");
        // A label used before is offered too; Esc keeps what is typed.
        update(&mut a, Action::FocusPrev);
        update(&mut a, Action::Form(FormAction::NewForm));
        update(&mut a, Action::Focus(Focus::Outcome));
        type_text(&mut a, "call");
        assert_eq!(a.outcome_suggestions(), vec!["Callback Booked"]);
        update(&mut a, Action::Form(FormAction::OutcomeClose));
        assert!(!a.outcome_menu_open());
        assert_eq!(a.form.text(Field::Outcome), "call");
        // Text that starts no label is not highlighted: Tab keeps it.
        update(&mut a, Action::Form(FormAction::NewForm));
        update(&mut a, Action::Focus(Focus::Outcome));
        type_text(&mut a, "booked");
        assert_eq!(a.outcome_suggestions(), vec!["Callback Booked"]);
        assert_eq!(a.outcome_pick, None);
        update(&mut a, Action::Form(FormAction::OutcomeAccept));
        assert_eq!(a.form.text(Field::Outcome), "booked");
    }

    #[test]
    fn a_label_that_differs_only_in_case_or_spacing_is_flagged() {
        let mut a = app();
        update(&mut a, Action::Focus(Focus::Outcome));
        type_text(&mut a, "follow up required");
        let (tone, text) = a.field_note(Field::Outcome).unwrap();
        assert_eq!(tone, Tone::Warning);
        assert!(text.contains("did you mean Follow-Up Required?"), "{text}");
        // Free text stays allowed: it is only a warning.
        update(&mut a, Action::Form(FormAction::NewForm));
        type_text(&mut a, "agent123");
        update(&mut a, Action::FocusNext);
        type_text(&mut a, "call456");
        update(&mut a, Action::Focus(Focus::Outcome));
        type_text(&mut a, "SOLD");
        assert!(
            a.field_note(Field::Outcome)
                .unwrap()
                .1
                .contains("did you mean Sold?")
        );
        assert!(a.checked.is_ok());
        update(&mut a, Action::Form(FormAction::NewForm));
        update(&mut a, Action::Focus(Focus::Outcome));
        type_text(&mut a, "Sold");
        assert_eq!(a.field_note(Field::Outcome), None);
    }

    #[test]
    fn phone_and_value_notes_show_what_will_be_sent() {
        let mut a = app();
        type_text(&mut a, "agent123");
        update(&mut a, Action::FocusNext);
        type_text(&mut a, "(415) 555-1234");
        assert_eq!(
            a.field_note(Field::Target).unwrap().1,
            "→ sent as +14155551234"
        );
        update(&mut a, Action::Focus(Focus::Value));
        type_text(&mut a, "$1,299.50");
        assert_eq!(a.field_note(Field::Value).unwrap().1, "→ sent as 1299.5");
        let body = &a.checked.as_ref().unwrap().request.body;
        assert_eq!(body, r#"{"custom_call_outcome_value":1299.5}"#);
    }

    #[test]
    fn format_turns_key_value_lines_into_json_and_undo_brings_them_back() {
        let mut a = app();
        update(&mut a, Action::Focus(Focus::Metadata));
        update(
            &mut a,
            Action::Paste("campaign=spring_2026\nnotes=Customer called back".into()),
        );
        update(&mut a, Action::Form(FormAction::FormatMetadata));
        let text = a.form.text(Field::Metadata);
        assert_eq!(
            text,
            "{\n  \"campaign\": \"spring_2026\",\n  \"notes\": \"Customer called back\"\n}"
        );
        assert!(a.status.as_ref().unwrap().text.contains("key=value lines"));
        // Broken JSON is left alone, with the reason.
        update(&mut a, Action::Form(FormAction::NewForm));
        update(&mut a, Action::Focus(Focus::Metadata));
        update(&mut a, Action::Paste("{\"a\":".into()));
        update(&mut a, Action::Form(FormAction::FormatMetadata));
        assert_eq!(a.form.text(Field::Metadata), "{\"a\":");
        assert_eq!(a.status.as_ref().unwrap().tone, Tone::Warning);
    }

    #[test]
    fn what_the_metadata_is_follows_each_change_of_its_text() {
        let mut a = app();
        assert_eq!(a.metadata_check.parsed, Ok(None));
        update(&mut a, Action::Focus(Focus::Metadata));
        update(&mut a, Action::Paste("campaign=spring".into()));
        let c = &a.metadata_check;
        assert_eq!(c.text, "campaign=spring");
        assert!(c.parsed.is_err() && c.key_values && c.convertible);
        update(&mut a, Action::Form(FormAction::FormatMetadata));
        let c = &a.metadata_check;
        assert_eq!(c.text, a.form.text(Field::Metadata));
        assert_eq!(
            (c.parsed.clone(), c.error_at, c.key_values),
            (Ok(Some(1)), None, false)
        );
        // Broken JSON: where the parser stopped, for the mark in the editor.
        update(&mut a, Action::Form(FormAction::NewForm));
        update(&mut a, Action::Focus(Focus::Metadata));
        type_text(&mut a, "{\"a\" 1}");
        let c = &a.metadata_check;
        assert!(c.parsed.is_err());
        assert_eq!(c.error_at, Some((0, 5)));
    }

    #[test]
    fn templates_insert_with_the_cursor_in_the_first_empty_value() {
        let mut a = app();
        update(&mut a, Action::Form(FormAction::InsertTemplate));
        assert!(
            a.status
                .as_ref()
                .unwrap()
                .text
                .contains("No metadata templates")
        );
        a.settings.prefs.metadata_templates = vec![
            ("callback".into(), r#"{"rep_id": "", "notes": ""}"#.into()),
            ("sale".into(), r#"{"campaign": "spring"}"#.into()),
        ];
        update(&mut a, Action::Form(FormAction::InsertTemplate));
        assert_eq!(a.modal, Some(Modal::Templates { selected: 0 }));
        update(&mut a, Action::Form(FormAction::ChooseTemplate));
        assert!(a.modal.is_none());
        assert_eq!(a.focus, Focus::Metadata);
        assert_eq!(a.form.metadata.cursor(), (1, 13));
        type_text(&mut a, "42");
        assert!(a.form.text(Field::Metadata).contains(r#""rep_id": "42""#));
    }

    /// The form is kept as a draft as it changes; emptied (Ctrl+N) or sent (✓), the draft goes.
    /// What is not the form (moving, the history) writes nothing.
    #[test]
    fn the_form_is_kept_as_a_draft_until_it_is_sent_or_emptied() {
        let mut a = app();
        let typed = update(
            &mut a,
            Action::Edit(Input {
                key: Key::Char('a'),
                ..Input::default()
            }),
        );
        let saved = drafts(&typed);
        let [Some(draft)] = saved.as_slice() else {
            panic!("{typed:?}")
        };
        assert_eq!(draft.agent, "a");
        assert!(drafts(&update(&mut a, Action::FocusNext)).is_empty());
        assert_eq!(
            drafts(&update(&mut a, Action::Form(FormAction::NewForm))),
            [None]
        );

        let mut a = filled();
        ctrl_s(&mut a);
        let [Effect::Send { id, .. }] = update(&mut a, Action::Send(SendAction::Confirm))[..]
        else {
            panic!()
        };
        let mut done = record_for(&a, Some((200, "{\"success\":true}")));
        done.state = State::Ok;
        done.verified = true;
        let effects = update(
            &mut a,
            Action::Send(SendAction::Finished { id, record: done }),
        );
        assert_eq!(drafts(&effects), [None], "sent: no draft");
        assert_eq!(
            a.form.text(Field::Agent),
            "agent123",
            "the agent stays for the next"
        );
        type_text(&mut a, "call457");
        assert_eq!(
            a.draft().unwrap().target,
            "call457",
            "the next call is a draft"
        );
    }

    /// The draft comes back at start into an empty form, with a line saying so.
    #[test]
    fn a_draft_is_restored_into_an_empty_form_and_said() {
        let draft = crate::tui::draft::Draft::of(&filled().form);
        let mut a = app();
        update(
            &mut a,
            Action::Form(FormAction::DraftLoaded(Ok(Some(draft.clone())))),
        );
        assert_eq!(a.form.text(Field::Target), "call456");
        assert!(a.checked.is_ok());
        assert!(
            a.status
                .as_ref()
                .unwrap()
                .text
                .starts_with("Restored the form"),
            "{:?}",
            a.status
        );
        // Something typed already is not replaced.
        let mut b = app();
        type_text(&mut b, "x");
        update(
            &mut b,
            Action::Form(FormAction::DraftLoaded(Ok(Some(draft)))),
        );
        assert_eq!(b.form.text(Field::Agent), "x");
    }

    /// A draft typed on one profile and restored on another says so: the form would now go to
    /// a different account than the one it was typed for.
    #[test]
    fn a_draft_from_another_profile_names_both() {
        let draft = filled().draft().unwrap();
        assert_eq!(draft.profile, "sandbox");
        let mut a = app();
        a.profile.name = "prod".into();
        update(
            &mut a,
            Action::Form(FormAction::DraftLoaded(Ok(Some(draft.clone())))),
        );
        assert_eq!(a.form.text(Field::Target), "call456");
        let text = &a.status.as_ref().unwrap().text;
        assert!(
            text.contains("typed on profile sandbox: it now goes to prod"),
            "{text}"
        );
        assert_eq!(a.status.as_ref().unwrap().tone, Tone::Warning);
        // On the same profile, nothing more is said.
        let mut b = app();
        update(
            &mut b,
            Action::Form(FormAction::DraftLoaded(Ok(Some(draft)))),
        );
        assert!(!b.status.as_ref().unwrap().text.contains("profile"));
    }

    /// Ctrl+N on a filled form can be undone with Ctrl+Z right after; once something is typed,
    /// Ctrl+Z is the field's own undo again.
    #[test]
    fn ctrl_z_right_after_ctrl_n_brings_the_form_back() {
        let mut a = filled();
        update(&mut a, Action::Form(FormAction::NewForm));
        assert!(a.form_is_empty());
        assert!(
            a.status
                .as_ref()
                .unwrap()
                .text
                .contains("Ctrl+Z brings back")
        );
        let effects = update(&mut a, Action::Form(FormAction::UndoNewForm));
        assert_eq!(a.form.text(Field::Value), "299");
        assert_eq!(a.form.text(Field::Target), "call456");
        assert!(a.checked.is_ok());
        assert_eq!(drafts(&effects).len(), 1, "the draft follows");
        assert!(a.before_new_form.is_none());
        update(&mut a, Action::Form(FormAction::NewForm));
        type_text(&mut a, "z");
        assert!(a.before_new_form.is_none(), "typing ends the chance");
        assert!(
            a.status
                .as_ref()
                .is_none_or(|s| !s.text.contains("Ctrl+Z brings back")),
            "and the line offering it goes: {:?}",
            a.status
        );
        assert!(update(&mut a, Action::Form(FormAction::UndoNewForm)).is_empty());
        assert_eq!(a.form.text(Field::Agent), "z");
    }

    #[test]
    fn the_form_asks_for_the_calls_context_once_per_change() {
        let last = record_for(&filled(), None);
        let mut a = app();
        type_text(&mut a, "agent123");
        update(&mut a, Action::FocusNext);
        let mut asked = Vec::new();
        for c in "call456".chars() {
            asked.extend(update(
                &mut a,
                Action::Edit(Input {
                    key: Key::Char(c),
                    ..Input::default()
                }),
            ));
        }
        // Every prefix is a valid call id, so each keystroke asks for its own context; the
        // answers for old prefixes are dropped. (Each also keeps the form as the draft.)
        asked.retain(|e| !matches!(e, Effect::SaveDraft(_)));
        assert_eq!(asked.len(), 7);
        assert!(
            asked
                .iter()
                .all(|e| matches!(e, Effect::LoadContext { .. }))
        );
        update(
            &mut a,
            Action::Form(FormAction::ContextLoaded {
                agent: "agent123".into(),
                target: "call45".into(),
                records: vec![last.clone()],
                loaded_at_ms: 0,
            }),
        );
        assert!(
            a.context.is_none(),
            "an answer for an older target is dropped"
        );
        update(
            &mut a,
            Action::Form(FormAction::ContextLoaded {
                agent: "agent123".into(),
                target: "call456".into(),
                records: vec![last],
                loaded_at_ms: 0,
            }),
        );
        assert_eq!(a.context.as_ref().unwrap().records.len(), 1);
        // Typing in the outcome does not ask again (it only keeps the draft).
        update(&mut a, Action::FocusNext);
        assert!(
            update(
                &mut a,
                Action::Edit(Input {
                    key: Key::Char('S'),
                    ..Input::default()
                })
            )
            .iter()
            .all(|e| matches!(e, Effect::SaveDraft(_)))
        );
    }

    #[test]
    fn tabbing_through_outcome_keeps_a_custom_label() {
        let mut a = app();
        update(&mut a, Action::Focus(Focus::Outcome));
        type_text(&mut a, "Appointment");
        assert_eq!(a.outcome_pick, Some(0), "typing highlights a match");
        update(&mut a, Action::Form(FormAction::OutcomeClose));
        update(&mut a, Action::FocusNext);
        update(&mut a, Action::FocusPrev);
        assert!(a.outcome_menu_open());
        assert_eq!(a.outcome_pick, None, "arriving highlights nothing");
        update(&mut a, Action::Form(FormAction::OutcomeAccept));
        assert_eq!(a.form.text(Field::Outcome), "Appointment");
    }

    #[test]
    fn a_loose_label_stays_flagged_after_it_was_sent() {
        let mut a = app();
        a.outcome_labels = vec![("sold".into(), 3)];
        update(&mut a, Action::Focus(Focus::Outcome));
        type_text(&mut a, "sold");
        assert!(
            a.field_note(Field::Outcome)
                .unwrap()
                .1
                .contains("did you mean Sold?")
        );
    }
}
