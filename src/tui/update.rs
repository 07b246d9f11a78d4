//! `update(&mut App, Action) -> Vec<Effect>`: the only place state changes. Pure: no IO, no
//! clock; everything it needs arrives in the action.

use ratatui::style::{Modifier, Style};
use ratatui_textarea::{Input, Key, TextArea};

use super::action::{
    Action, FormAction, HistoryAction, PaletteAction, PointerAction, ProfileAction, QueueAction,
    RequestId, SendAction,
};
use super::app::{
    App, Confirm, Context, Focus, HISTORY_PAGE, InFlight, ItemStatus, Modal, QUEUE_CONCURRENCY,
    Queue, QueueItem, Ready, Status, Tone,
};
use super::effect::Effect;
pub use super::keymap::palette_matches;
use crate::api::client::State;
use crate::api::request::build;
use crate::api::update::{Field, UpdateInput, validate};
use crate::history::{Filter, Record};

/// How close to the end of the loaded rows the selection may come before the next page loads.
const PAGE_AHEAD: usize = 20;

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let before = app.form.snapshot();
    // Ctrl+N's form stays to be brought back until the form changes some other way.
    let keeps_cleared = matches!(
        action,
        Action::Form(FormAction::NewForm | FormAction::UndoNewForm)
            | Action::Palette(PaletteAction::Run)
    );
    let mut effects = apply(app, action);
    if app.form.snapshot() != before {
        if !keeps_cleared {
            app.before_new_form = None;
        }
        settle_status(app);
        // Typed work is kept: the runtime writes it to the data folder (debounced).
        effects.push(Effect::SaveDraft(app.draft()));
    }
    effects
}

/// "Not sent: 3 things to fix. First: …" for the form's errors.
fn refusal(errors: &[crate::api::update::FieldError]) -> Option<Status> {
    let first = errors.first()?;
    Some(Status {
        tone: Tone::Error,
        text: if errors.len() == 1 {
            format!("Not sent. {}", first.message)
        } else {
            format!(
                "Not sent: {} things to fix. First: {}",
                errors.len(),
                first.message
            )
        },
    })
}

/// After an edit: a status line about a field that is now fixed goes, or says what is left.
fn settle_status(app: &mut App) {
    let Some((field, text)) = app.status_about.take() else {
        return;
    };
    if app.status.as_ref().is_none_or(|s| s.text != text) {
        return;
    }
    let errors = match &app.checked {
        Ok(_) => &[][..],
        Err(errors) => errors.as_slice(),
    };
    if errors.iter().any(|e| e.field == field) {
        app.status_about = Some((field, text));
        return;
    }
    // Said again only after a send was tried: before that, empty fields are not complained of.
    app.status = refusal(errors).filter(|_| app.show_required);
    app.status_about = app
        .status
        .as_ref()
        .zip(errors.first())
        .map(|(s, e)| (e.field, s.text.clone()));
}

fn apply(app: &mut App, action: Action) -> Vec<Effect> {
    // A second Ctrl+Q quits; anything the person does in between disarms it, results do not.
    if !matches!(
        action,
        Action::Quit
            | Action::Send(
                SendAction::Tick { .. }
                    | SendAction::Recorded { .. }
                    | SendAction::Finished { .. }
                    | SendAction::Failed { .. }
            )
            | Action::History(HistoryAction::Loaded { .. } | HistoryAction::Failed { .. })
            | Action::Form(
                FormAction::ContextLoaded { .. }
                    | FormAction::OutcomeLabels(_)
                    | FormAction::DraftNotSaved(_)
            )
            | Action::Copied(_)
            | Action::CopyFailed(_)
    ) {
        app.quit_armed = false;
    }
    match action {
        Action::Quit => quit(app),
        Action::FocusNext => move_focus(app, 1),
        Action::FocusPrev => move_focus(app, -1),
        Action::Focus(Focus::Queue) if app.queue.is_none() => {
            app.say(Tone::Info, "No queue open: Ctrl+B opens a batch file");
        }
        Action::Focus(focus) => set_focus(app, focus),
        Action::Edit(input) => return edit(app, input),
        Action::Paste(text) => return paste(app, &text),
        Action::Form(FormAction::TogglePreference) => {
            app.form.preference = app.form.preference.toggled();
            app.recheck();
        }
        Action::Send(SendAction::Request) => return request_send(app),
        Action::Send(SendAction::ConfirmReady(confirm)) => {
            if app.modal.is_none() && app.in_flight.is_none() {
                let ask = confirm.duplicate.is_some()
                    || app.confirm_before_send
                    || app.profile.production();
                app.modal = Some(Modal::Confirm(confirm));
                app.typed.clear();
                // Without confirmation (config), except for production profiles and
                // duplicates, which always ask.
                if !ask {
                    return confirm_send(app);
                }
            }
        }
        Action::Send(SendAction::Confirm) => return confirm_send(app),
        Action::CloseModal => {
            app.modal = None;
            app.typed.clear();
            app.metadata_converted = false;
        }
        Action::Send(SendAction::Cancel) => return cancel_send(app),
        Action::OpenHelp => app.modal = Some(Modal::Help { scroll: 0 }),
        Action::History(HistoryAction::Move(delta)) => return history_move(app, delta),
        Action::History(HistoryAction::Home) => app.history.selected = 0,
        Action::History(HistoryAction::End) => {
            app.history.selected = app.history.rows.len().saturating_sub(1);
            return more_history(app);
        }
        Action::History(HistoryAction::OpenDetail) => {
            if let Some(record) = app.history.selected_record() {
                app.modal = Some(Modal::Detail {
                    record_id: record.id,
                    scroll: 0,
                });
            }
        }
        Action::ModalScroll(delta) => {
            if let Some(Modal::Detail { scroll, .. } | Modal::Help { scroll }) = &mut app.modal {
                *scroll = scroll.saturating_add_signed(i16::try_from(delta).unwrap_or(0));
            }
        }
        Action::Form(FormAction::PreviewScroll(lines)) => scroll_preview(app, lines),
        Action::History(HistoryAction::OpenFilter) => set_focus(app, Focus::Filter),
        Action::History(HistoryAction::KeepFilter) => set_focus(app, Focus::History),
        Action::History(HistoryAction::ClearFilter) => {
            app.history.filter_input.select_all();
            app.history.filter_input.cut();
            set_focus(app, Focus::History);
            return apply_filter(app);
        }
        Action::History(HistoryAction::FilterToCall) => return filter_to_call(app),
        Action::History(HistoryAction::LoadIntoForm) => return load_into_form(app),
        Action::History(HistoryAction::Resend) => return resend(app),
        Action::History(HistoryAction::CopyCurl) => return copy_curl(app),
        Action::Send(SendAction::Tick { id, elapsed }) => {
            if let Some(f) = app.in_flight.as_mut().filter(|f| f.id == id) {
                f.elapsed = elapsed;
            }
        }
        Action::Send(SendAction::Recorded { id, record }) => {
            if let Some(q) = &mut app.queue
                && let Some(&(_, index)) = q.in_flight.iter().find(|(r, _)| *r == id)
                && let Some(item) = q.items.get_mut(index)
            {
                item.status = ItemStatus::Sending;
            }
            if let Some(f) = app.in_flight.as_mut().filter(|f| f.id == id) {
                f.record_id = Some(record.id);
            }
            app.history.offer(record);
        }
        Action::Send(SendAction::Finished { id, record }) if queue_owns(app, id) => {
            return queue_finished(app, id, record);
        }
        Action::Send(SendAction::Finished { id, record }) => return finished(app, id, record),
        Action::Send(SendAction::Failed { id, message }) if queue_owns(app, id) => {
            return queue_send_failed(app, id, &message);
        }
        Action::Send(SendAction::Failed { id, message }) => {
            if app.in_flight.as_ref().is_some_and(|f| f.id == id) {
                app.in_flight = None;
            }
            app.say(Tone::Error, message);
        }
        Action::History(HistoryAction::Loaded {
            generation,
            first,
            rows,
            exhausted,
        }) => {
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
        Action::History(HistoryAction::Failed {
            generation,
            message,
        }) => {
            if generation == app.history.generation {
                app.history.loading = false;
                app.history.error = Some(message);
            }
            return labels_after_the_first_page(app);
        }
        Action::Form(FormAction::ContextLoaded {
            agent,
            target,
            records,
            loaded_at_ms,
        }) => {
            if app.context_key.as_ref() == Some(&(agent.clone(), target.clone())) {
                app.context = Some(Context {
                    agent,
                    target,
                    records,
                    loaded_at_ms,
                });
            }
        }
        Action::Copied(what) => {
            app.say(Tone::Success, format!("Copied {what}"));
        }
        Action::CopyFailed(message) => {
            app.say(Tone::Error, format!("Copy failed: {message}"));
        }
        Action::Profiles(ProfileAction::Open) => {
            let selected = app
                .profiles
                .iter()
                .position(|p| p.name == app.profile.name)
                .unwrap_or(0);
            app.modal = Some(Modal::Profiles { selected });
        }
        Action::Profiles(ProfileAction::Move(delta)) => {
            if let Some(Modal::Profiles { selected }) = &mut app.modal {
                let last = app.profiles.len().saturating_sub(1);
                *selected = selected.saturating_add_signed(delta).min(last);
            }
        }
        Action::Profiles(ProfileAction::Choose) => return choose_profile(app),
        Action::Send(SendAction::ConfirmType(c)) => {
            if matches!(
                app.modal,
                Some(Modal::Confirm(_) | Modal::ConfirmQueue { .. })
            ) {
                app.typed.push(c);
            }
        }
        Action::Send(SendAction::ConfirmBackspace) => {
            app.typed.pop();
        }
        Action::Profiles(ProfileAction::Switched(active)) => profile_switched(app, *active),
        Action::Form(FormAction::ClearField) => {
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
        Action::Form(FormAction::NewForm) => new_form(app),
        Action::Form(FormAction::UndoNewForm) => return undo_new_form(app),
        Action::Form(FormAction::DraftLoaded(Ok(Some(draft)))) => {
            return restore_draft(app, &draft);
        }
        Action::Form(FormAction::DraftLoaded(Ok(None))) => {}
        Action::Form(
            FormAction::DraftLoaded(Err(message)) | FormAction::DraftNotSaved(message),
        ) => {
            app.say(
                Tone::Warning,
                format!("The form could not be kept as a draft: {message}"),
            );
        }
        Action::Form(FormAction::FormatMetadata) => format_metadata(app),
        Action::Form(FormAction::InsertTemplate) => return insert_template(app, None),
        Action::Form(FormAction::TemplateMove(delta)) => {
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
        Action::Form(FormAction::ChooseTemplate) => {
            if let Some(Modal::Templates { selected }) = app.modal.take() {
                return insert_template(app, Some(selected));
            }
        }
        Action::Palette(PaletteAction::Open) => {
            app.modal = Some(Modal::Palette {
                query: String::new(),
                selected: 0,
            });
        }
        Action::Palette(PaletteAction::Type(c)) => {
            if let Some(Modal::Palette { query, selected }) = &mut app.modal {
                query.push(c);
                *selected = 0;
            }
        }
        Action::Palette(PaletteAction::Backspace) => {
            if let Some(Modal::Palette { query, selected }) = &mut app.modal {
                query.pop();
                *selected = 0;
            }
        }
        Action::Palette(PaletteAction::Move(delta)) => {
            if let Some(Modal::Palette { query, selected }) = &mut app.modal {
                let last = palette_matches(query).len().saturating_sub(1);
                *selected = selected.saturating_add_signed(delta).min(last);
            }
        }
        Action::Palette(PaletteAction::Run) => {
            if let Some(Modal::Palette { query, selected }) = app.modal.take()
                && let Some(command) = palette_matches(&query).into_iter().nth(selected)
            {
                return update(app, command.action);
            }
        }
        Action::Form(FormAction::OutcomeMove(delta)) => {
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
        Action::Form(FormAction::OutcomeAccept) => return accept_outcome(app),
        Action::Form(FormAction::OutcomeClose) => {
            app.outcome_menu_closed = true;
            app.outcome_pick = None;
        }
        Action::Form(FormAction::OutcomeLabels(labels)) => {
            app.outcome_labels = labels;
            app.recheck();
        }
        Action::Resized { width, height } => {
            app.screen = ratatui::layout::Rect::new(0, 0, width, height);
        }
        Action::Pointer(PointerAction::Click { column, row }) => return click(app, column, row),
        Action::Pointer(PointerAction::Wheel { column, row, lines }) => {
            return wheel(app, column, row, lines);
        }
        Action::Pointer(PointerAction::ToggleMouse) => {
            app.mouse_capture = !app.mouse_capture;
            app.say(
                Tone::Info,
                if app.mouse_capture {
                    "Mouse on: click fields and panes, the wheel scrolls (F12 to select text)"
                        .to_string()
                } else {
                    "Mouse off: select text with the mouse as usual (F12 turns clicks back on)"
                        .to_string()
                },
            );
            return vec![Effect::SetMouseCapture(app.mouse_capture)];
        }
        Action::History(HistoryAction::CopyResponse) => return copy_response(app),
        Action::History(HistoryAction::CopyCallId) => return copy_call_id(app),
        Action::Queue(QueueAction::OpenPrompt) => {
            app.modal = Some(Modal::OpenFile(super::app::PathPrompt::default()));
            // The runtime says which folder relative paths start in.
            return vec![Effect::CompletePath {
                typed: String::new(),
                apply: false,
            }];
        }
        Action::Queue(
            QueueAction::PathType(_) | QueueAction::PathBackspace | QueueAction::PathClear,
        ) => {
            if let Some(Modal::OpenFile(prompt)) = &mut app.modal
                && !prompt.reading
            {
                match action {
                    Action::Queue(QueueAction::PathType(c)) => prompt.path.push(c),
                    Action::Queue(QueueAction::PathBackspace) => {
                        prompt.path.pop();
                    }
                    _ => prompt.path.clear(),
                }
                // What was said was about the old text.
                prompt.problem = None;
                prompt.choices.clear();
                prompt.matches = 0;
            }
        }
        Action::Queue(QueueAction::CompletePath) => {
            if let Some(Modal::OpenFile(prompt)) = &app.modal
                && !prompt.reading
            {
                return vec![Effect::CompletePath {
                    typed: prompt.path.clone(),
                    apply: true,
                }];
            }
        }
        Action::Queue(QueueAction::PathListed(listing)) => {
            if let Some(Modal::OpenFile(prompt)) = &mut app.modal {
                prompt.folder = Some(listing.folder.clone());
                // Only for the text it was asked about (typing went on meanwhile: dropped).
                if listing.apply && listing.typed == prompt.path && !prompt.reading {
                    if let Some(completed) = &listing.completed {
                        prompt.path.clone_from(completed);
                    }
                    prompt.choices.clone_from(&listing.choices);
                    prompt.matches = listing.matches;
                    prompt.problem.clone_from(&listing.note);
                }
            }
        }
        Action::Queue(QueueAction::OpenFile) => return open_batch_file(app),
        Action::Queue(QueueAction::Loaded {
            file,
            entries,
            errors,
        }) => queue_loaded(app, &file, entries, errors),
        Action::Queue(QueueAction::Failed(message)) => {
            // The prompt stays open with the path as typed, and says what was wrong.
            if let Some(Modal::OpenFile(prompt)) = &mut app.modal {
                prompt.reading = false;
                prompt.problem = Some(message.clone());
            }
            app.say(Tone::Error, message);
        }
        Action::Queue(QueueAction::Move(delta)) => {
            if let Some(q) = &mut app.queue {
                let last = q.items.len().saturating_sub(1);
                q.selected = q.selected.saturating_add_signed(delta).min(last);
                // The list has room for a few words: the status line says the whole of a
                // row's problem, or of what came back when it did not go through.
                let said = q.items.get(q.selected).and_then(|item| {
                    let text = match &item.status {
                        ItemStatus::Waiting => item.ready.as_ref().err().cloned(),
                        ItemStatus::Done {
                            ok: false, text, ..
                        } => Some(text.clone()),
                        _ => None,
                    }?;
                    Some(format!("Line {}: {text}", item.entry.line))
                });
                if let Some(text) = said {
                    app.say(Tone::Warning, text);
                }
            }
        }
        Action::Queue(QueueAction::LoadRow) => return queue_load_row(app),
        Action::Queue(QueueAction::ToggleExclude) => {
            if let Some(q) = &mut app.queue
                && let Some(item) = q.items.get_mut(q.selected)
            {
                let line = item.entry.line;
                if q.in_form == Some(q.selected) {
                    app.say(
                        Tone::Info,
                        format!(
                            "Line {line} is in the form: Ctrl+N there clears it, then x leaves \
                             the row out"
                        ),
                    );
                } else if item.status == ItemStatus::Waiting {
                    item.excluded = !item.excluded;
                } else {
                    app.say(
                        Tone::Info,
                        format!(
                            "Line {line} has been sent (or is being sent): only rows waiting can \
                             be left out"
                        ),
                    );
                }
            }
        }
        Action::Queue(QueueAction::Pause) => return queue_pause(app),
        Action::Queue(QueueAction::SkipSent) => queue_skip_sent(app),
        Action::Queue(QueueAction::Close) => return queue_close(app),
        Action::Queue(QueueAction::Ready { rows, duplicates }) => {
            // Only the answer to this Ctrl+S, and only while nothing else is asked.
            let asked = app.queue.as_mut().is_some_and(|q| {
                let asked = q.checking && !q.running;
                q.checking = false;
                asked
            });
            if asked && app.modal.is_none() {
                app.typed.clear();
                app.modal = Some(Modal::ConfirmQueue {
                    rows,
                    duplicates,
                    acknowledged: false,
                });
            }
        }
        Action::Profiles(ProfileAction::SwitchFailed { name, message }) => {
            if app.switching.as_deref() == Some(name.as_str()) {
                app.switching = None;
            }
            app.say(
                Tone::Error,
                format!("Still on profile {}: {message}", app.profile.name),
            );
        }
    }
    Vec::new()
}

/// The draft kept when the workbench last closed goes into the form, unless something was typed
/// already.
fn restore_draft(app: &mut App, draft: &super::draft::Draft) -> Vec<Effect> {
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
    app.status = Some(match app.status.take() {
        // A warning from start-up (the config, the key) stays first.
        Some(s) if matches!(s.tone, Tone::Warning | Tone::Error) => Status {
            tone: s.tone,
            text: format!("{} · {note}", s.text),
        },
        _ => Status {
            tone: if elsewhere { Tone::Warning } else { Tone::Info },
            text: note,
        },
    });
    set_focus(app, app.focus);
    form_changed(app)
}

/// Ctrl+Z right after Ctrl+N: the form as it was.
fn undo_new_form(app: &mut App) -> Vec<Effect> {
    let Some(cleared) = app.before_new_form.take() else {
        return Vec::new();
    };
    let super::app::ClearedForm {
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

fn new_form(app: &mut App) {
    // What is cleared can come back with Ctrl+Z until the form changes again.
    app.before_new_form = (!app.form_is_empty()).then(|| {
        Box::new(super::app::ClearedForm {
            form: app.form.clone(),
            focus: app.focus,
            show_required: app.show_required,
            queue_row: app
                .queue
                .as_ref()
                .and_then(|q| q.in_form.map(|i| (i, q.loaded_form.clone()))),
        })
    });
    app.form = super::app::Form::default();
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
            "New form: every field is empty (Ctrl+Z brings back what was there)".to_string()
        } else {
            "New form: every field is empty".to_string()
        },
    );
}

fn format_metadata(app: &mut App) {
    let text = app.form.text(crate::api::update::Field::Metadata);
    match super::json::format(&text) {
        Ok(pretty) => {
            let end = pretty.lines().count().saturating_sub(1);
            let converted = super::json::has_key_value_lines(&text);
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
    match super::json::insert_template(&current, &template) {
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
    let mut t = super::app::Form::default().outcome;
    t.insert_str(&label);
    app.form.outcome = t;
    app.outcome_pick = None;
    let effects = form_changed(app);
    move_focus(app, 1);
    effects
}

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

fn click(app: &mut App, column: u16, row: u16) -> Vec<Effect> {
    if app.modal.is_some() {
        return Vec::new();
    }
    let Some(hit) = super::view::hit(app, column, row) else {
        return Vec::new();
    };
    match hit {
        super::view::Hit::Focus(focus) => {
            if focus != app.focus {
                set_focus(app, focus);
            }
            Vec::new()
        }
        super::view::Hit::Preference => {
            set_focus(app, Focus::Preference);
            app.form.preference = app.form.preference.toggled();
            form_changed(app)
        }
        super::view::Hit::HistoryRow(index) => {
            set_focus(app, Focus::History);
            if index < app.history.rows.len() {
                let delta = index.cast_signed() - app.history.selected.cast_signed();
                return history_move(app, delta);
            }
            Vec::new()
        }
        super::view::Hit::QueueRow(index) => {
            set_focus(app, Focus::Queue);
            if let Some(q) = &mut app.queue
                && index < q.items.len()
            {
                q.selected = index;
            }
            Vec::new()
        }
        super::view::Hit::Suggestion(index) => {
            app.outcome_pick = Some(index);
            accept_outcome(app)
        }
        super::view::Hit::Preview => Vec::new(),
    }
}

fn wheel(app: &mut App, column: u16, row: u16, lines: i32) -> Vec<Effect> {
    if app.modal.is_some() {
        return update(app, Action::ModalScroll(lines));
    }
    match super::view::hit(app, column, row) {
        Some(super::view::Hit::HistoryRow(_)) => history_move(app, lines as isize),
        Some(super::view::Hit::QueueRow(_)) => {
            update(app, Action::Queue(QueueAction::Move(lines as isize)))
        }
        Some(super::view::Hit::Preview) => {
            app.preview_scroll = app.preview_scroll.saturating_add_signed(
                i16::try_from(lines).unwrap_or(if lines < 0 { i16::MIN } else { i16::MAX }),
            );
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Alt+↑/↓, PgUp/PgDn: scrolls the request preview by `lines`, never past its last line (when
/// the screen's size is known), so the way back up is as many presses as the way down.
fn scroll_preview(app: &mut App, lines: i32) {
    let by = i16::try_from(lines).unwrap_or(if lines < 0 { i16::MIN } else { i16::MAX });
    let scrolled = app.preview_scroll.saturating_add_signed(by);
    app.preview_scroll = match super::view::preview_max_scroll(app) {
        Some(max) => scrolled.min(max),
        None => scrolled,
    };
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

/// An editor holding `s`, the cursor at its end (a history or queue row put in the form).
fn editor_holding(s: &str) -> TextArea<'static> {
    let mut t = TextArea::from(s.lines().map(str::to_string).collect::<Vec<_>>());
    t.set_cursor_line_style(Style::default());
    t.move_cursor(ratatui_textarea::CursorMove::Bottom);
    t.move_cursor(ratatui_textarea::CursorMove::End);
    t
}

/// The form no longer holds a queue row: the queue may send that row again.
fn forget_queue_row(app: &mut App) {
    if let Some(q) = &mut app.queue {
        q.in_form = None;
    }
}

fn open_batch_file(app: &mut App) -> Vec<Effect> {
    let Some(Modal::OpenFile(prompt)) = &app.modal else {
        return Vec::new();
    };
    if prompt.reading {
        return Vec::new();
    }
    let path = prompt.path.trim().to_string();
    if path.is_empty() {
        app.modal = None;
        app.say(
            Tone::Warning,
            "No file given: Ctrl+B, then the path of a CSV or JSON Lines file",
        );
        return Vec::new();
    }
    if app.queue.as_ref().is_some_and(|q| q.running || q.checking) {
        app.modal = None;
        app.say(
            Tone::Warning,
            "The open queue has rows left to send: let it finish, or close it (q) before \
                   opening another file",
        );
        return Vec::new();
    }
    // The prompt stays open until the file is read: on a problem, the path is still there.
    if let Some(Modal::OpenFile(prompt)) = &mut app.modal {
        prompt.reading = true;
        prompt.problem = None;
        prompt.choices.clear();
    }
    app.say(Tone::Info, format!("Reading {path}…"));
    vec![Effect::LoadQueue {
        path,
        rules: app.rules(),
    }]
}

fn queue_loaded(app: &mut App, file: &str, entries: Vec<crate::batch::Entry>, errors: Vec<String>) {
    if app.queue.as_ref().is_some_and(|q| q.running || q.checking) {
        if matches!(app.modal, Some(Modal::OpenFile(_))) {
            app.modal = None;
        }
        app.say(
            Tone::Warning,
            format!(
                "{file} was not opened: the open queue is sending; open it again when that \
                 queue is done"
            ),
        );
        return;
    }
    if matches!(
        app.modal,
        Some(Modal::ConfirmQueue { .. } | Modal::OpenFile(_))
    ) {
        app.modal = None;
    }
    let base = app.settings.base_url.clone();
    let items: Vec<QueueItem> = entries
        .into_iter()
        .map(|entry| {
            let ready = match &entry.checked {
                Ok(update) => Ok(Ready {
                    request: build(update, &base),
                    update: update.clone(),
                }),
                Err(errors) => Err(errors
                    .first()
                    .map_or_else(String::new, |e| e.message.clone())),
            };
            QueueItem {
                entry,
                ready,
                excluded: false,
                status: ItemStatus::Waiting,
            }
        })
        .collect();
    let queue = Queue {
        file: file.to_string(),
        items,
        file_errors: errors,
        ..Queue::default()
    };
    let c = queue.counts();
    app.say(
        if c.to_fix > 0 || !queue.file_errors.is_empty() {
            Tone::Warning
        } else {
            Tone::Info
        },
        if let Some(first) = queue.file_errors.first() {
            format!("{file}: {first}")
        } else {
            format!(
                "{file}: {} rows ready, {} to fix (Enter puts a row in the form). Ctrl+S sends \
                 the ready ones",
                c.waiting, c.to_fix
            )
        },
    );
    app.queue = Some(queue);
    set_focus(app, Focus::Queue);
}

/// `q`: closes the queue. Not while rows are in flight; and a queue with rows it started and
/// did not send closes on a second `q`, after saying how many it leaves.
fn queue_close(app: &mut App) -> Vec<Effect> {
    let Some(q) = &mut app.queue else {
        return Vec::new();
    };
    if !q.in_flight.is_empty() {
        app.say(
            Tone::Warning,
            "Rows are still sending: p pauses the queue; close it when they are done",
        );
        return Vec::new();
    }
    let counts = q.counts();
    let left = counts.waiting;
    let rows = if left == 1 { "row" } else { "rows" };
    let were = if left == 1 { "was" } else { "were" };
    // A reviewed row in the form is unsent work too: ask once before closing over it.
    if let Some(line) = q.line_in_form()
        && q.closing.is_none()
    {
        q.closing = Some(left + 1);
        let also = if q.running && left > 0 {
            format!(" and {left} {rows} of this queue {were} not sent")
        } else {
            String::new()
        };
        app.say(
            Tone::Warning,
            format!(
                "Line {line} is in the form, not sent{also}: Ctrl+S in the form sends it. Press q \
                 again to close the queue anyway (the form keeps what it holds)"
            ),
        );
        return Vec::new();
    }
    if q.running && left > 0 && q.closing.is_none() {
        q.closing = Some(left);
        app.say(Tone::Warning, format!(
                "{left} {rows} of this queue {were} not sent. Press q again to close it anyway (they \
                 stay in the file; sending it again warns about the rows already sent), or p to \
                 go on"
            ));
        return Vec::new();
    }
    let text = if q.running && left > 0 {
        format!(
            "Queue closed: {left} {rows} {were} not sent ({} updated)",
            counts.ok
        )
    } else {
        format!("Queue {} closed", q.file)
    };
    app.queue = None;
    app.say(if left > 0 { Tone::Warning } else { Tone::Info }, text);
    set_focus(app, Focus::History);
    Vec::new()
}

fn queue_load_row(app: &mut App) -> Vec<Effect> {
    let Some(q) = &app.queue else {
        return Vec::new();
    };
    let Some(item) = q.items.get(q.selected) else {
        return Vec::new();
    };
    let index = q.selected;
    // A row in the form with changes made to it: putting another in its place would lose
    // them, so the first Enter says so and the second goes ahead.
    if let Some(held) = q.in_form
        && held != index
        && q.loaded_form
            .as_ref()
            .is_some_and(|t| *t != app.form.snapshot())
        && q.replace_asked != Some(index)
    {
        let held_line = q.items.get(held).map_or(0, |i| i.entry.line);
        let line = item.entry.line;
        if let Some(q) = &mut app.queue {
            q.replace_asked = Some(index);
        }
        app.say(
            Tone::Warning,
            format!(
                "Line {held_line} is in the form with your changes: Ctrl+S there sends it. Enter \
                 again puts line {line} in its place (the changes are lost)"
            ),
        );
        return Vec::new();
    }
    let e = item.entry.clone();
    let line = e.line;
    let came_back = match &item.status {
        ItemStatus::Done {
            ok: false, text, ..
        } => Some(text.clone()),
        _ => None,
    };
    let text = editor_holding;
    let fresh = super::app::Form::default();
    let pick = |field: &str, empty: TextArea<'static>| {
        let v = if field == "target" {
            e.target()
        } else {
            e.cell(field)
        };
        if v.is_empty() { empty } else { text(v) }
    };
    app.form.agent = pick("agent_id", fresh.agent);
    app.form.target = pick("target", fresh.target);
    app.form.outcome = pick("outcome", fresh.outcome);
    app.form.value = pick("value", fresh.value);
    let mut metadata = pick("metadata", fresh.metadata);
    metadata.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
    app.form.metadata = metadata;
    app.form.preference = match e.cell("preference").trim() {
        "first" => crate::api::update::Preference::First,
        _ => crate::api::update::Preference::Last,
    };
    // The file's column says what the call is: a call_id of digits stays a call ID.
    app.form.target_kind = if !e.cell("call_id").is_empty() {
        crate::api::update::TargetKind::CallId
    } else if !e.cell("phone").is_empty() {
        crate::api::update::TargetKind::Phone
    } else {
        crate::api::update::TargetKind::Either
    };
    let loaded = app.form.snapshot();
    if let Some(q) = &mut app.queue {
        q.in_form = Some(index);
        q.loaded_form = Some(loaded);
        q.replace_asked = None;
    }
    app.show_required = true;
    let effects = form_changed(app);
    // What the file's checks said, for a row the form reads differently: the form has no place
    // for a preference beside a call ID, so it leaves it out and the row could go as it is.
    let file_said = e.checked.as_ref().err().and_then(|errors| errors.first());
    // Straight to the first problem, or to the agent when there is none.
    let focus = match (&app.checked, file_said) {
        (Err(errors), _) => errors
            .first()
            .map_or(Focus::Agent, |e| Focus::of_field(e.field)),
        // A preference the form left out is fixed by making the target a phone number.
        (Ok(_), Some(said)) => match said.field {
            Some(Field::Preference) => Focus::Target,
            Some(field) => Focus::of_field(field),
            None => Focus::Agent,
        },
        (Ok(_), None) => Focus::Agent,
    };
    set_focus(app, focus);
    app.status = Some(match (&app.checked, file_said) {
        _ if came_back.is_some() => Status {
            tone: Tone::Warning,
            text: format!(
                "Line {line} is in the form. It did not go through: {}. Fix it, then Ctrl+S \
                 sends it from here",
                came_back.unwrap_or_default().trim_end_matches('.')
            ),
        },
        (Ok(_), Some(said)) => Status {
            tone: Tone::Warning,
            text: format!(
                "Line {line} is in the form. The file said: {}. The form reads it otherwise: \
                 check it, then Ctrl+S sends it from here (the queue row is then marked done)",
                said.message.trim_end_matches('.')
            ),
        },
        _ => Status {
            tone: Tone::Info,
            text: format!(
                "Line {line} is in the form: fix it and Ctrl+S sends it from here (the queue row \
                 is then marked done)"
            ),
        },
    });
    effects
}

fn queue_owns(app: &App, id: RequestId) -> bool {
    app.queue
        .as_ref()
        .is_some_and(|q| q.in_flight.iter().any(|(r, _)| *r == id))
}

/// Ctrl+S on the queue: check for rows already sent as they are, then confirm.
fn queue_request_send(app: &mut App) -> Vec<Effect> {
    let Some(q) = &app.queue else {
        return Vec::new();
    };
    if q.running {
        app.say(
            Tone::Info,
            if q.paused {
                "The queue is paused: p goes on".to_string()
            } else {
                "The queue is already sending: p pauses it".to_string()
            },
        );
        return Vec::new();
    }
    if q.checking {
        return Vec::new();
    }
    let rows = q.to_send();
    if rows.is_empty() {
        app.say(
            Tone::Warning,
            match q.line_in_form() {
                Some(line) => format!(
                    "Nothing else to send from the queue: line {line} is in the form, Ctrl+S \
                     there sends it"
                ),
                None => "Nothing to send: every row is done, excluded or needs fixing (Enter \
                         puts a row in the form)"
                    .to_string(),
            },
        );
        return Vec::new();
    }
    if !can_send(app) {
        return Vec::new();
    }
    let base = app.settings.base_url.clone();
    let Some(q) = &mut app.queue else {
        return Vec::new();
    };
    // Built for the profile in use now (it may have changed since the file was opened).
    for item in &mut q.items {
        if let Ok(ready) = &mut item.ready {
            ready.request = build(&ready.update, &base);
        }
    }
    q.checking = true;
    let items = rows
        .iter()
        .filter_map(|i| q.items[*i].ready.clone().ok().map(|r| (*i, r)))
        .collect();
    vec![Effect::PrepareQueue {
        items,
        window_ms: app.settings.duplicate_window_ms,
        profile: app.profile.name.clone(),
    }]
}

/// `s` on the queue's confirmation: the rows that already went through as they are are left
/// out (`x` puts one back), and the others are asked about as usual. After a run that stopped
/// part way, the file opened again sends only what it had not.
fn queue_skip_sent(app: &mut App) {
    let Some(Modal::ConfirmQueue {
        rows, duplicates, ..
    }) = &mut app.modal
    else {
        return;
    };
    let skipped = std::mem::take(duplicates);
    *rows = rows.saturating_sub(skipped.len());
    let left = *rows;
    if let Some(q) = &mut app.queue {
        for i in &skipped {
            if let Some(item) = q.items.get_mut(*i) {
                item.excluded = true;
            }
        }
    }
    let n = skipped.len();
    let (were, those) = if n == 1 {
        ("row that went through before was", "it")
    } else {
        ("rows that went through before were", "one")
    };
    if left == 0 {
        app.modal = None;
        app.say(
            Tone::Info,
            format!(
                "The {n} {were} left out, and nothing else is ready to send (x puts {those} back)"
            ),
        );
    } else {
        app.say(
            Tone::Info,
            format!("The {n} {were} left out (x puts {those} back)"),
        );
    }
}

/// Enter on the queue's confirmation.
fn queue_confirm(app: &mut App) -> Vec<Effect> {
    let Some(Modal::ConfirmQueue {
        duplicates,
        acknowledged,
        ..
    }) = &mut app.modal
    else {
        return Vec::new();
    };
    if !duplicates.is_empty() && !*acknowledged {
        *acknowledged = true;
        app.typed.clear();
        return Vec::new();
    }
    if app.profile.production() && app.typed.trim() != app.profile.name {
        app.say(
            Tone::Error,
            format!(
                "Not sent: type the profile name \"{}\" to send the queue to this production \
                 account (Esc goes back)",
                app.profile.name
            ),
        );
        // What was typed is wrong: start the name afresh (a `y` left there made `yprod`).
        app.typed.clear();
        return Vec::new();
    }
    app.typed.clear();
    app.modal = None;
    let profile = app.profile.name.clone();
    if let Some(q) = &mut app.queue {
        q.running = true;
        q.paused = false;
        q.profile = profile;
    }
    app.say(Tone::Info, "Sending the queue: p pauses it");
    queue_pump(app)
}

/// Starts rows until the concurrency is used up; rows for a call already in flight wait, so
/// one call's rows land in file order. Ends the run when nothing is left.
fn queue_pump(app: &mut App) -> Vec<Effect> {
    let mut effects = Vec::new();
    // The form's own send, if any: its call waits like one of the queue's.
    let form_call = app.in_flight.as_ref().and_then(|f| {
        f.sent
            .as_ref()
            .map(|u| (u.agent.as_str().to_string(), u.target.as_str().to_string()))
    });
    let Some(q) = &mut app.queue else {
        return effects;
    };
    let profile = q.profile.clone();
    if !q.running {
        return effects;
    }
    if !q.paused {
        let pending = q.to_send();
        for (k, &index) in pending.iter().enumerate() {
            if q.in_flight.len() >= QUEUE_CONCURRENCY {
                break;
            }
            let Ok(ready) = q.items[index].ready.clone() else {
                continue;
            };
            let call = q.items[index].call();
            // One call at a time, in file order: not while the call is in flight (from the
            // queue or the form), nor before an earlier row of it that is still to go.
            let same = |i: usize| q.items[i].call() == call;
            let busy = q.in_flight.iter().any(|(_, i)| same(*i))
                || form_call
                    .as_ref()
                    .is_some_and(|(a, t)| Some((a.as_str(), t.as_str())) == call)
                || pending[..k]
                    .iter()
                    .any(|&i| q.items[i].status == ItemStatus::Waiting && same(i));
            if busy {
                continue;
            }
            let id = RequestId(app.next_request);
            app.next_request += 1;
            q.items[index].status = ItemStatus::Sending;
            q.in_flight.push((id, index));
            effects.push(Effect::Send {
                id,
                update: ready.update,
                request: ready.request,
                profile: profile.clone(),
            });
        }
    }
    if q.in_flight.is_empty() && (q.paused || q.to_send().is_empty()) {
        let c = q.counts();
        let finished = !q.paused;
        if finished {
            q.running = false;
        }
        // The row in the form is not the queue's to send, but it is not sent either.
        let in_form = q.line_in_form().map_or_else(String::new, |line| {
            format!(" · line {line} is in the form, not sent: Ctrl+S there sends it")
        });
        app.say(
            if c.failed + c.unknown > 0 || !in_form.is_empty() {
                Tone::Warning
            } else {
                Tone::Success
            },
            format!(
                "Queue {}: {} updated, {} not{}{}, {} left to fix, {} excluded{}",
                if finished { "done" } else { "paused" },
                c.ok,
                c.failed,
                // Counted apart, as `batch` does: they may have been applied.
                if c.unconfirmed > 0 {
                    format!(
                        " ({} not confirmed: the server said success without confirming every \
                         field; check {})",
                        c.unconfirmed,
                        if c.unconfirmed == 1 { "it" } else { "them" }
                    )
                } else {
                    String::new()
                },
                if c.unknown > 0 {
                    format!(
                        ", {} outcome unknown (? rows: check them before sending again)",
                        c.unknown
                    )
                } else {
                    String::new()
                },
                c.to_fix,
                c.excluded,
                if finished {
                    in_form
                } else {
                    format!(" · {} still to send · p goes on{in_form}", c.waiting)
                }
            ),
        );
    }
    effects
}

fn queue_finished(app: &mut App, id: RequestId, record: Record) -> Vec<Effect> {
    let throttled = record.http_status == Some(429);
    if let Some(q) = &mut app.queue {
        // A 429 was refused before anything was applied: the row waits to go again.
        q.land(
            id,
            if throttled {
                ItemStatus::Waiting
            } else {
                ItemStatus::Done {
                    mark: record.mark(),
                    text: record.result_text(),
                    ok: record.state == State::Ok,
                    unconfirmed: record.state == State::Unconfirmed,
                }
            },
        );
        if throttled && !q.paused {
            q.paused = true;
        }
    }
    if let Some(label) = record.outcome.clone().filter(|_| record.state == State::Ok) {
        count_label(app, &label);
    }
    let wait = record
        .message
        .as_deref()
        .and_then(|m| m.find("Retry-After").map(|i| format!(" ({})", &m[i..])))
        .unwrap_or_default();
    app.history.offer(record);
    if throttled {
        app.say(
            Tone::Warning,
            format!(
                "Phonely asked to slow down (HTTP 429): the queue is paused and that row waits; \
                 p goes on{wait}"
            ),
        );
        return Vec::new();
    }
    queue_pump(app)
}

fn queue_send_failed(app: &mut App, id: RequestId, message: &str) -> Vec<Effect> {
    if let Some(q) = &mut app.queue {
        q.land(
            id,
            ItemStatus::Done {
                mark: "✗",
                text: message.to_string(),
                ok: false,
                unconfirmed: false,
            },
        );
        // Whatever stopped this row (no key, the history) stops the others too.
        q.paused = true;
    }
    // Nothing new leaves (paused); the reason stays on screen.
    app.say(Tone::Error, format!("Queue paused: {message}"));
    Vec::new()
}

fn queue_pause(app: &mut App) -> Vec<Effect> {
    let Some(q) = &mut app.queue else {
        return Vec::new();
    };
    if !q.running {
        app.say(
            Tone::Info,
            "The queue is not sending: Ctrl+S sends its ready rows",
        );
        return Vec::new();
    }
    q.closing = None;
    q.paused = !q.paused;
    if q.paused {
        let flying = q.in_flight.len();
        app.say(
            Tone::Info,
            format!("Queue paused: {flying} in flight finish; p goes on"),
        );
        return Vec::new();
    }
    app.say(Tone::Info, "Queue going on");
    queue_pump(app)
}

fn choose_profile(app: &mut App) -> Vec<Effect> {
    let Some(Modal::Profiles { selected }) = app.modal.take() else {
        return Vec::new();
    };
    let Some(chosen) = app.profiles.get(selected) else {
        return Vec::new();
    };
    if chosen.name == app.profile.name {
        return Vec::new();
    }
    if app.queue.as_ref().is_some_and(|q| q.running || q.checking) {
        app.say(
            Tone::Warning,
            format!(
                "Still on profile {}: the queue is sending there; switch when it is done",
                app.profile.name
            ),
        );
        return Vec::new();
    }
    let name = chosen.name.clone();
    app.switching = Some(name.clone());
    app.say(
        Tone::Info,
        format!("Switching to profile {name}: reading its key…"),
    );
    vec![Effect::SwitchProfile { name }]
}

fn profile_switched(app: &mut App, active: super::profiles::Active) {
    if app
        .switching
        .as_deref()
        .is_some_and(|n| n != active.tag.name)
    {
        // An older switch answered after a newer one was asked for.
        return;
    }
    app.switching = None;
    app.settings.sandbox = active.tag.kind == crate::config::Kind::Sandbox;
    app.settings.base_url = active.base_url;
    app.settings.credentials = active.credentials;
    app.profile = active.tag;
    // The form stays as typed; the preview now shows this profile's URL.
    app.recheck();
    let p = &app.profile;
    app.status = Some(match &app.settings.credentials.key {
        Some(_) => Status {
            tone: if p.kind == crate::config::Kind::Sandbox {
                Tone::Success
            } else {
                Tone::Warning
            },
            text: format!(
                "Now on profile {} ({}): sends go to {}",
                p.name,
                p.kind.label(),
                app.settings.base_url.as_str()
            ),
        },
        None => Status {
            tone: Tone::Error,
            text: format!(
                "Now on profile {}, but nothing can be sent: {}",
                p.name,
                app.settings.credentials.missing_key_help()
            ),
        },
    });
}

fn quit(app: &mut App) {
    let queue_sending = app.queue.as_ref().is_some_and(|q| !q.in_flight.is_empty());
    if queue_sending && app.in_flight.is_none() && !app.quit_armed {
        app.quit_armed = true;
        app.say(
            Tone::Warning,
            "Queue rows are in flight: p pauses the queue; Ctrl+Q again quits now and \
                   their outcome will show as unknown",
        );
        return;
    }
    if app.in_flight.is_some() && !app.quit_armed {
        app.quit_armed = true;
        app.say(
            Tone::Warning,
            "A send is in flight: Esc cancels it; Ctrl+Q again quits now and its outcome \
                   will show as unknown",
        );
        return;
    }
    app.should_quit = true;
}

/// One more use of an outcome label: the pick-list orders by use.
fn count_label(app: &mut App, label: &str) {
    match app.outcome_labels.iter_mut().find(|(l, _)| l == label) {
        Some((_, n)) => *n += 1,
        None => app.outcome_labels.push((label.to_string(), 1)),
    }
    app.outcome_labels
        .sort_by_key(|(_, n)| std::cmp::Reverse(*n));
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

fn set_focus(app: &mut App, focus: Focus) {
    if focus == Focus::Outcome && app.focus != Focus::Outcome {
        // Nothing is highlighted on arrival: Tab through the field keeps what it holds; typing
        // highlights a match.
        app.outcome_menu_closed = false;
        app.outcome_pick = None;
    }
    app.focus = focus;
    app.form.show_cursor_in(focus);
    let style = if focus == Focus::Filter {
        Style::default().add_modifier(Modifier::REVERSED)
    } else {
        Style::default()
    };
    app.history.filter_input.set_cursor_style(style);
}

fn move_focus(app: &mut App, step: isize) {
    let order = app.focus_order();
    // The filter line is not in the Tab order: Tab from it moves on from the history pane.
    let current = if app.focus == Focus::Filter {
        Focus::History
    } else {
        app.focus
    };
    let here = order.iter().position(|f| *f == current).unwrap_or(0);
    let n = order.len().cast_signed();
    let next = (here.cast_signed() + step).rem_euclid(n);
    set_focus(app, order[next.cast_unsigned()]);
}

fn edit(app: &mut App, input: Input) -> Vec<Effect> {
    let focus = app.focus;
    // One-line fields never take a newline (Enter moves on; see the keymap).
    if focus != Focus::Metadata && matches!(input.key, Key::Enter) {
        return Vec::new();
    }
    if focus == Focus::Filter {
        if app.history.filter_input.input(input) {
            return apply_filter(app);
        }
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

fn paste(app: &mut App, text: &str) -> Vec<Effect> {
    let focus = app.focus;
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    // A copied id often brings its line end along; inner line breaks become spaces, which
    // validation then points out.
    let one_line = text.trim_end_matches('\n').replace('\n', " ");
    if focus == Focus::Filter {
        app.history.filter_input.insert_str(&one_line);
        return apply_filter(app);
    }
    let Some(editor) = app.form.editor_mut(focus) else {
        return Vec::new();
    };
    if focus == Focus::Metadata {
        // Tabs become spaces: the editor's columns then match the characters one to one.
        editor.insert_str(text.replace('\t', "  "));
    } else {
        editor.insert_str(&one_line);
    }
    form_changed(app)
}

/// After any change to the form: re-check it, and ask for the call's earlier updates when the
/// agent or target changed to a valid pair.
fn form_changed(app: &mut App) -> Vec<Effect> {
    app.recheck();
    app.preview_scroll = 0;
    let now = app.form_call();
    let key = now.as_ref().map(|(a, t, _)| (a.clone(), t.clone()));
    if key == app.context_key {
        return Vec::new();
    }
    app.context_key = key;
    app.context = None;
    match now {
        Some((agent, target, kind)) => vec![Effect::LoadContext {
            agent,
            target,
            kind,
        }],
        None => Vec::new(),
    }
}

/// Checks that a send can start now; says why not otherwise.
fn can_send(app: &mut App) -> bool {
    if app.in_flight.is_some() {
        app.say(
            Tone::Warning,
            "A send is already in flight: wait for its result, or press Esc to cancel it",
        );
        return false;
    }
    if let Some(name) = &app.switching {
        app.say(
            Tone::Warning,
            format!("Not sent: still switching to profile {name}; try again in a moment"),
        );
        return false;
    }
    if app.settings.credentials.key.is_none() {
        app.say(
            Tone::Error,
            format!("Not sent. {}", app.settings.credentials.missing_key_help()),
        );
        return false;
    }
    true
}

fn request_send(app: &mut App) -> Vec<Effect> {
    if app.modal.is_some() {
        return Vec::new();
    }
    if app.focus == Focus::Queue {
        return queue_request_send(app);
    }
    app.metadata_converted = false;
    // `key=value` lines are sent as the JSON Ctrl+O makes of them (Ctrl+Z twice undoes it).
    let metadata = app.form.text(crate::api::update::Field::Metadata);
    if app.in_flight.is_none()
        && super::json::has_key_value_lines(&metadata)
        && let Ok(json) = super::json::format(&metadata)
    {
        let end = json.lines().count().saturating_sub(1);
        app.form.set_metadata(&json, (end, usize::MAX));
        app.recheck();
        app.metadata_converted = true;
        app.say(
            Tone::Info,
            "key=value lines turned into JSON (Ctrl+Z twice in Metadata brings the old \
                   text back)",
        );
    }
    match app.checked.clone() {
        Err(errors) => {
            if app.in_flight.is_some() {
                can_send(app);
                return Vec::new();
            }
            app.show_required = true;
            if let Some(first) = errors.first() {
                set_focus(app, Focus::of_field(first.field));
                app.status = refusal(&errors);
                app.status_about = app.status.as_ref().map(|s| (first.field, s.text.clone()));
            }
            Vec::new()
        }
        Ok(ready) => {
            if !can_send(app) {
                return Vec::new();
            }
            vec![Effect::PrepareSend {
                ready: Box::new(ready),
                resend_of: None,
                window_ms: app.settings.duplicate_window_ms,
                profile: app.profile.name.clone(),
            }]
        }
    }
}

fn confirm_send(app: &mut App) -> Vec<Effect> {
    if matches!(app.modal, Some(Modal::ConfirmQueue { .. })) {
        return queue_confirm(app);
    }
    let Some(Modal::Confirm(confirm)) = &mut app.modal else {
        return Vec::new();
    };
    if confirm.duplicate.is_some() && !confirm.acknowledged {
        // The same update already went through: ask a second time.
        confirm.acknowledged = true;
        return Vec::new();
    }
    if app.profile.production() && app.typed.trim() != app.profile.name {
        app.say(
            Tone::Error,
            format!(
                "Not sent: type the profile name \"{}\" to send to this production account \
                 (Esc goes back)",
                app.profile.name
            ),
        );
        // What was typed is wrong: start the name afresh (a `y` left there made `yprod`).
        app.typed.clear();
        return Vec::new();
    }
    app.typed.clear();
    app.metadata_converted = false;
    let Some(Modal::Confirm(confirm)) = app.modal.take() else {
        return Vec::new();
    };
    let Ready { update, request } = confirm.ready;
    let id = RequestId(app.next_request);
    app.next_request += 1;
    app.in_flight = Some(InFlight {
        id,
        summary: format!("{} → {}", update.target.as_str(), update.summary()),
        elapsed: std::time::Duration::ZERO,
        record_id: None,
        sent: Some(update.clone()),
    });
    app.status = None;
    vec![Effect::Send {
        id,
        update,
        request,
        profile: app.profile.name.clone(),
    }]
}

fn cancel_send(app: &mut App) -> Vec<Effect> {
    let Some(flight) = app.in_flight.take() else {
        return Vec::new();
    };
    app.say(
        Tone::Warning,
        "Cancelled. If the request had already reached Phonely it may have been applied; \
               the history row says what is known",
    );
    vec![Effect::CancelSend { id: flight.id }]
}

fn finished(app: &mut App, id: RequestId, record: Record) -> Vec<Effect> {
    let ours = app.in_flight.as_ref().is_some_and(|f| f.id == id);
    if ours {
        let sent = app.in_flight.take().and_then(|f| f.sent);
        // Typed on during the send? Then the form is the next update already: leave it.
        let form_unchanged =
            sent.is_some() && app.checked.as_ref().ok().map(|r| &r.update) == sent.as_ref();
        // The server's words, made inert as everywhere they are shown.
        let message = crate::api::inert::inert(record.message.as_deref().unwrap_or(""));
        let (tone, text) = match record.state {
            State::Ok => (
                Tone::Success,
                format!(
                    "✓ Updated {} (HTTP {}, {} ms)",
                    record.resolved_call_id.as_deref().unwrap_or(&record.target),
                    record.http_status.unwrap_or_default(),
                    record.latency_ms.unwrap_or_default()
                ),
            ),
            State::Unconfirmed => (Tone::Warning, format!("✗ Not confirmed: {message}")),
            State::Refused => (Tone::Error, format!("✗ Refused: {message}")),
            State::NetworkError | State::Unknown if record.http_status.is_none() => {
                (Tone::Error, format!("✗ No response: {message}"))
            }
            // An answer came but says nothing certain (e.g. a 200 that is not JSON).
            State::NetworkError | State::Unknown => {
                (Tone::Error, format!("? Outcome unknown: {message}"))
            }
            State::Cancelled | State::Pending => (Tone::Warning, message.into_owned()),
        };
        let sent_ok = record.state == State::Ok;
        let clear = sent_ok && form_unchanged;
        app.say(tone, text);
        if sent_ok
            && let Some(q) = app.queue.as_mut()
            && let Some(index) = q.in_form.take()
            && let Some(item) = q.items.get_mut(index)
        {
            item.status = ItemStatus::Done {
                mark: "✓",
                text: format!("sent from the form (#{})", record.id),
                ok: true,
                unconfirmed: false,
            };
        }
        if clear {
            // Ready for the next call: the agent stays, the call and what was set go.
            app.form
                .clear_for_next(app.settings.prefs.keep_metadata_after_send);
            app.show_required = false;
            set_focus(app, Focus::Target);
            app.recheck();
            // Sent: what is left for the next call is no draft to keep.
            app.sent_form = Some(app.form.snapshot());
            if let Some(status) = &mut app.status {
                status.text.push_str(" · next call: type its ID or phone");
            }
        }
        if let Some(label) = &record.outcome
            && sent_ok
        {
            count_label(app, label);
        }
    }
    app.history.offer(record);
    // The call's context has a new entry: read it again (or forget it: the form may have been
    // cleared for the next call).
    if let Some((agent, target, kind)) = app.form_call() {
        app.context_key = Some((agent.clone(), target.clone()));
        return vec![Effect::LoadContext {
            agent,
            target,
            kind,
        }];
    }
    app.context_key = None;
    app.context = None;
    Vec::new()
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
    Ok(Ready { update, request })
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

/// Builds the confirmation for a ready update (the runtime calls this after its duplicate
/// check, so the rules live here).
/// The confirmation for a ready request (kept here for callers of the old path).
pub fn confirmation(
    ready: Ready,
    duplicate: Option<Record>,
    resend_of: Option<Record>,
) -> Box<Confirm> {
    Confirm::new(ready, duplicate, resend_of)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::client::{Completion, HttpResponse};
    use crate::api::factory;
    use crate::api::key::Credentials;
    use crate::api::request::BaseUrl;
    use crate::api::update::Field;
    use crate::history::{Filter, Provenance};
    use crate::tui::app::Settings;

    fn app_with(credentials: Credentials) -> App {
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
    fn ctrl_s(app: &mut App) -> Vec<Effect> {
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

    fn app() -> App {
        app_with(Credentials::sandbox("sandbox-key"))
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

    /// Fills the form with the docs' first example, by call id.
    fn filled() -> App {
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
    fn record_for(app: &App, state: Option<(u16, &str)>) -> crate::history::Record {
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

    #[test]
    fn sending_an_invalid_form_sends_nothing_and_points_at_the_problem() {
        let mut a = app();
        type_text(&mut a, "agent123");
        update(&mut a, Action::FocusNext);
        type_text(&mut a, "415 5555");
        update(&mut a, Action::Focus(Focus::History));
        let effects = update(&mut a, Action::Send(SendAction::Request));
        assert!(effects.is_empty());
        assert!(a.modal.is_none());
        assert!(a.show_required);
        assert_eq!(a.focus, Focus::Target, "focus goes to the first problem");
        let status = a.status.unwrap();
        assert_eq!(status.tone, Tone::Error);
        assert!(
            status.text.contains("Phone is too short for US"),
            "{}",
            status.text
        );
    }

    #[test]
    fn required_errors_show_only_after_a_send_attempt() {
        let mut a = app();
        assert!(a.visible_errors(Field::Agent).is_empty());
        ctrl_s(&mut a);
        assert_eq!(a.visible_errors(Field::Agent).len(), 1);
    }

    #[test]
    fn no_key_means_no_send() {
        let mut a = app_with(Credentials {
            key: None,
            source: crate::api::key::KeySource::Env("PHONELY_API_KEY".into()),
            problem: None,
        });
        type_text(&mut a, "agent123");
        update(&mut a, Action::FocusNext);
        type_text(&mut a, "call456");
        update(&mut a, Action::FocusNext);
        type_text(&mut a, "Sold");
        let effects = update(&mut a, Action::Send(SendAction::Request));
        assert!(effects.is_empty());
        assert!(a.modal.is_none());
        assert!(a.status.unwrap().text.contains("set PHONELY_API_KEY"));
    }

    #[test]
    fn confirm_then_send_then_finish() {
        let mut a = filled();
        let asked = ctrl_s(&mut a);
        assert!(matches!(
            asked.as_slice(),
            [Effect::PrepareSend {
                resend_of: None,
                ..
            }]
        ));
        assert!(matches!(a.modal, Some(Modal::Confirm(_))));
        let effects = update(&mut a, Action::Send(SendAction::Confirm));
        let [Effect::Send { id, request, .. }] = effects.as_slice() else {
            panic!("expected one send, got {effects:?}");
        };
        assert_eq!(request, &a.checked.as_ref().unwrap().request);
        assert_eq!(a.in_flight.as_ref().unwrap().id, *id);
        assert!(a.modal.is_none());
        // A second Ctrl+S while in flight does nothing but say so.
        assert!(update(&mut a, Action::Send(SendAction::Request)).is_empty());
        assert!(a.modal.is_none());

        let pending = record_for(&a, None);
        update(
            &mut a,
            Action::Send(SendAction::Recorded {
                id: *id,
                record: pending.clone(),
            }),
        );
        assert_eq!(a.history.rows.len(), 1);
        assert_eq!(a.in_flight.as_ref().unwrap().record_id, Some(pending.id));

        let mut done = pending;
        done.state = State::Ok;
        done.verified = true;
        done.http_status = Some(200);
        update(
            &mut a,
            Action::Send(SendAction::Finished {
                id: *id,
                record: done,
            }),
        );
        assert!(a.in_flight.is_none());
        assert_eq!(
            a.history.rows.len(),
            1,
            "the pending row is completed, not duplicated"
        );
        assert_eq!(a.history.rows[0].state, State::Ok);
        assert_eq!(a.status.as_ref().unwrap().tone, Tone::Success);
    }

    #[test]
    fn esc_on_confirmation_sends_nothing() {
        let mut a = filled();
        ctrl_s(&mut a);
        assert!(update(&mut a, Action::CloseModal).is_empty());
        assert!(a.modal.is_none());
        assert!(a.in_flight.is_none());
        assert!(update(&mut a, Action::Send(SendAction::Confirm)).is_empty());
    }

    #[test]
    fn cancel_in_flight_and_late_results_only_update_history() {
        let mut a = filled();
        ctrl_s(&mut a);
        let effects = update(&mut a, Action::Send(SendAction::Confirm));
        let Effect::Send { id, .. } = effects[0].clone() else {
            panic!()
        };
        assert_eq!(
            update(&mut a, Action::Send(SendAction::Cancel)),
            vec![Effect::CancelSend { id }]
        );
        assert!(a.in_flight.is_none());
        let mut late = record_for(&a, None);
        late.state = State::Cancelled;
        update(
            &mut a,
            Action::Send(SendAction::Finished { id, record: late }),
        );
        assert_eq!(a.history.rows[0].state, State::Cancelled);
        assert!(a.status.unwrap().text.starts_with("Cancelled"));
    }

    #[test]
    fn refusal_shows_the_servers_message() {
        let mut a = filled();
        ctrl_s(&mut a);
        let Effect::Send { id, .. } = update(&mut a, Action::Send(SendAction::Confirm))[0].clone()
        else {
            panic!()
        };
        let refused = record_for(
            &a,
            Some((
                404,
                r#"{"error":"call_not_found","message":"Call call456 not found"}"#,
            )),
        );
        update(
            &mut a,
            Action::Send(SendAction::Finished {
                id,
                record: refused,
            }),
        );
        let status = a.status.unwrap();
        assert_eq!(status.tone, Tone::Error);
        assert!(
            status.text.contains("Call call456 not found"),
            "{}",
            status.text
        );
    }

    #[test]
    fn quitting_while_in_flight_asks_first() {
        let mut a = filled();
        ctrl_s(&mut a);
        update(&mut a, Action::Send(SendAction::Confirm));
        update(&mut a, Action::Quit);
        assert!(!a.should_quit);
        update(&mut a, Action::Quit);
        assert!(a.should_quit);
        let mut b = app();
        update(&mut b, Action::Quit);
        assert!(b.should_quit);
    }

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

    fn press_filter(a: &mut App, text: &str) -> Vec<Effect> {
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
    fn a_duplicate_asks_twice() {
        let mut a = filled();
        let Effect::PrepareSend { ready, .. } =
            update(&mut a, Action::Send(SendAction::Request)).remove(0)
        else {
            panic!()
        };
        let mut earlier = record_for(&a, None);
        earlier.state = State::Ok;
        earlier.verified = true;
        update(
            &mut a,
            Action::Send(SendAction::ConfirmReady(confirmation(
                *ready,
                Some(earlier),
                None,
            ))),
        );
        assert!(
            update(&mut a, Action::Send(SendAction::Confirm)).is_empty(),
            "first yes only acknowledges"
        );
        assert!(matches!(&a.modal, Some(Modal::Confirm(c)) if c.acknowledged));
        let effects = update(&mut a, Action::Send(SendAction::Confirm));
        assert!(matches!(effects.as_slice(), [Effect::Send { .. }]));
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

    /// `key=value` metadata without Ctrl+O: Ctrl+S converts it as Ctrl+O would and goes on to
    /// the confirmation with the JSON (not "not valid JSON at line 1").
    #[test]
    fn ctrl_s_turns_key_value_metadata_into_json() {
        let mut a = filled();
        update(&mut a, Action::Focus(Focus::Metadata));
        type_text(&mut a, "campaign=spring_2026");
        let effects = ctrl_s(&mut a);
        let [
            Effect::PrepareSend { ready, .. },
            Effect::SaveDraft(Some(_)),
        ] = effects.as_slice()
        else {
            panic!("{effects:?} {:?}", a.status)
        };
        assert!(
            ready
                .request
                .body
                .ends_with(r#""custom_call_metadata":{"campaign":"spring_2026"}}"#),
            "{}",
            ready.request.body
        );
        assert_eq!(
            a.form.text(Field::Metadata),
            "{\n  \"campaign\": \"spring_2026\"\n}"
        );
        assert!(a.metadata_converted, "the confirmation shows the JSON");
        assert!(matches!(a.modal, Some(Modal::Confirm(_))));
        update(&mut a, Action::CloseModal);
        assert!(!a.metadata_converted);
    }

    /// The path prompt: it asks the runtime for its folder, Tab asks for a listing that is
    /// applied only to the text it was for, and a file that does not open keeps the text.
    #[test]
    fn the_path_prompt_keeps_its_text_and_completes_through_the_runtime() {
        let mut a = app();
        assert_eq!(
            update(&mut a, Action::Queue(QueueAction::OpenPrompt)),
            vec![Effect::CompletePath {
                typed: String::new(),
                apply: false
            }]
        );
        for c in "ex".chars() {
            update(&mut a, Action::Queue(QueueAction::PathType(c)));
        }
        assert_eq!(
            update(&mut a, Action::Queue(QueueAction::CompletePath)),
            vec![Effect::CompletePath {
                typed: "ex".into(),
                apply: true
            }]
        );
        let listing = |typed: &str| {
            Action::Queue(QueueAction::PathListed(Box::new(
                crate::tui::paths::PathListing {
                    typed: typed.into(),
                    folder: "/home/sam".into(),
                    completed: Some(format!("{typed}ports/")),
                    apply: true,
                    ..Default::default()
                },
            )))
        };
        update(&mut a, listing("e"));
        let prompt = |a: &App| match &a.modal {
            Some(Modal::OpenFile(p)) => p.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(prompt(&a).path, "ex", "an answer for older text is dropped");
        assert_eq!(prompt(&a).folder.as_deref(), Some("/home/sam"));
        update(&mut a, listing("ex"));
        assert_eq!(prompt(&a).path, "exports/");
        let effects = update(&mut a, Action::Queue(QueueAction::OpenFile));
        assert!(
            matches!(effects.as_slice(), [Effect::LoadQueue { path, .. }] if path == "exports/")
        );
        assert!(prompt(&a).reading);
        update(
            &mut a,
            Action::Queue(QueueAction::Failed("exports/ is a folder".into())),
        );
        let p = prompt(&a);
        assert_eq!(p.path, "exports/", "the text stays");
        assert_eq!(p.problem.as_deref(), Some("exports/ is a folder"));
        assert!(!p.reading);
        update(&mut a, Action::Queue(QueueAction::PathClear));
        assert_eq!(prompt(&a).path, "");
        assert_eq!(prompt(&a).problem, None);
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

    fn tag(name: &str, kind: crate::config::Kind) -> crate::tui::profiles::ProfileTag {
        crate::tui::profiles::ProfileTag {
            name: name.into(),
            kind,
            target: format!("https://{name}.example"),
        }
    }

    fn with_two_profiles() -> App {
        let mut a = filled();
        let sandbox = a.profile.clone();
        a = a.with_profiles(
            sandbox.clone(),
            vec![tag("production", crate::config::Kind::Production), sandbox],
        );
        a
    }

    #[test]
    fn the_picker_switches_profile_through_an_effect_and_keeps_the_form() {
        let mut a = with_two_profiles();
        update(&mut a, Action::Profiles(ProfileAction::Open));
        assert_eq!(
            a.modal,
            Some(Modal::Profiles { selected: 1 }),
            "opens on the active one"
        );
        update(&mut a, Action::Profiles(ProfileAction::Move(-1)));
        let effects = update(&mut a, Action::Profiles(ProfileAction::Choose));
        assert_eq!(
            effects,
            vec![Effect::SwitchProfile {
                name: "production".into()
            }]
        );
        assert_eq!(a.switching.as_deref(), Some("production"));
        assert!(
            update(&mut a, Action::Send(SendAction::Request)).is_empty(),
            "no send while switching"
        );
        assert!(a.modal.is_none());
        update(
            &mut a,
            Action::Profiles(ProfileAction::Switched(Box::new(
                crate::tui::profiles::Active {
                    tag: tag("production", crate::config::Kind::Production),
                    base_url: crate::api::request::BaseUrl::parse("https://prod.example").unwrap(),
                    credentials: Credentials::found(
                        crate::api::key::ApiKey::new("k"),
                        crate::api::key::KeySource::Command("pass show p".into()),
                    ),
                },
            ))),
        );
        assert_eq!(a.profile.name, "production");
        assert!(a.switching.is_none());
        assert_eq!(a.form.text(Field::Agent), "agent123", "the form is kept");
        assert_eq!(
            a.checked.as_ref().unwrap().request.url,
            "https://prod.example/api/calls/agent123/call456",
            "the preview follows the profile"
        );
    }

    #[test]
    fn choosing_the_active_profile_changes_nothing() {
        let mut a = with_two_profiles();
        update(&mut a, Action::Profiles(ProfileAction::Open));
        assert!(update(&mut a, Action::Profiles(ProfileAction::Choose)).is_empty());
        assert!(a.switching.is_none());
    }

    #[test]
    fn a_production_send_needs_the_typed_profile_name() {
        let mut a = filled();
        a.profile = tag("production", crate::config::Kind::Production);
        a.confirm_before_send = false;
        ctrl_s(&mut a);
        assert!(
            matches!(a.modal, Some(Modal::Confirm(_))),
            "production always asks"
        );
        for c in "prod".chars() {
            update(&mut a, Action::Send(SendAction::ConfirmType(c)));
        }
        assert!(update(&mut a, Action::Send(SendAction::Confirm)).is_empty());
        assert!(
            a.status
                .as_ref()
                .unwrap()
                .text
                .contains("type the profile name")
        );
        assert!(matches!(a.modal, Some(Modal::Confirm(_))), "still asking");
        for c in "productionx".chars() {
            update(&mut a, Action::Send(SendAction::ConfirmType(c)));
        }
        update(&mut a, Action::Send(SendAction::ConfirmBackspace));
        let effects = update(&mut a, Action::Send(SendAction::Confirm));
        let [Effect::Send { profile, .. }] = effects.as_slice() else {
            panic!("{effects:?}");
        };
        assert_eq!(
            profile, "production",
            "the send carries the profile it was built for"
        );
    }

    #[test]
    fn without_confirmation_a_send_leaves_at_once() {
        let mut a = filled();
        a.confirm_before_send = false;
        let Effect::PrepareSend { ready, .. } =
            update(&mut a, Action::Send(SendAction::Request)).remove(0)
        else {
            panic!("the duplicate check comes first")
        };
        let effects = update(
            &mut a,
            Action::Send(SendAction::ConfirmReady(confirmation(*ready, None, None))),
        );
        assert!(
            matches!(effects.as_slice(), [Effect::Send { .. }]),
            "{effects:?}"
        );
        assert!(a.modal.is_none());
    }

    #[test]
    fn a_failed_switch_keeps_the_profile_and_says_why() {
        let mut a = with_two_profiles();
        a.switching = Some("production".into());
        update(
            &mut a,
            Action::Profiles(ProfileAction::SwitchFailed {
                name: "production".into(),
                message: "could not start".into(),
            }),
        );
        assert_eq!(a.profile.name, "sandbox");
        assert!(a.switching.is_none());
        assert!(a.status.unwrap().text.contains("Still on profile sandbox"));
    }

    /// Sends the filled form and finishes it with `state` (200 ✓ unless told otherwise).
    fn send_and_finish(a: &mut App, ok: bool) {
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

    #[test]
    fn a_success_leaves_the_form_ready_for_the_next_call() {
        let mut a = filled();
        update(&mut a, Action::FocusNext);
        type_text(&mut a, r#"{"notes":"x"}"#);
        send_and_finish(&mut a, true);
        assert_eq!(a.form.text(Field::Agent), "agent123");
        assert_eq!(a.form.text(Field::Outcome), "Sold");
        assert_eq!(a.form.text(Field::Target), "");
        assert_eq!(a.form.text(Field::Value), "");
        assert_eq!(
            a.form.text(Field::Metadata),
            "",
            "metadata goes unless kept"
        );
        assert_eq!(a.focus, Focus::Target);
        assert_eq!(
            a.context_key, None,
            "no call in the form, so no context line"
        );
        assert!(a.status.as_ref().unwrap().text.contains("next call"));
        assert_eq!(a.outcome_labels, vec![("Sold".to_string(), 1)]);

        // Kept when configured; a refusal keeps everything to fix and resend.
        let mut b = filled();
        b.settings.prefs.keep_metadata_after_send = true;
        update(&mut b, Action::FocusNext);
        type_text(&mut b, r#"{"notes":"x"}"#);
        send_and_finish(&mut b, true);
        assert_eq!(b.form.text(Field::Metadata), r#"{"notes":"x"}"#);
        let mut c = filled();
        send_and_finish(&mut c, false);
        assert_eq!(c.form.text(Field::Target), "call456");
        assert_eq!(c.form.text(Field::Value), "299");
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

    #[test]
    fn the_palette_finds_commands_by_words_and_runs_them() {
        let mut a = filled();
        update(&mut a, Action::Palette(PaletteAction::Open));
        for c in "new form".chars() {
            update(&mut a, Action::Palette(PaletteAction::Type(c)));
        }
        let found = palette_matches("new form");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].key, "Ctrl+N");
        update(&mut a, Action::Palette(PaletteAction::Run));
        assert!(a.modal.is_none());
        assert!(a.form_is_empty(), "the command ran");
        // Every command has a name; none is listed twice.
        let all = crate::tui::keymap::commands();
        let names: std::collections::HashSet<_> = all.iter().map(|c| c.name).collect();
        assert_eq!(names.len(), all.len());
        assert!(palette_matches("no such command at all").is_empty());
    }

    #[test]
    fn clicks_focus_fields_and_rows_and_the_wheel_scrolls_history() {
        let mut a = filled();
        update(
            &mut a,
            Action::Resized {
                width: 120,
                height: 32,
            },
        );
        update(&mut a, Action::Focus(Focus::Metadata));
        // The form pane starts at (0,0): its border, then Agent on row 1, Call/phone on row 2.
        update(
            &mut a,
            Action::Pointer(PointerAction::Click { column: 20, row: 2 }),
        );
        assert_eq!(a.focus, Focus::Target);
        update(
            &mut a,
            Action::Pointer(PointerAction::Click { column: 20, row: 4 }),
        );
        assert_eq!(a.focus, Focus::Outcome);
        // History rows: 20 loaded; the pane is the bottom 2/5 of the body.
        let rows: Vec<_> = (1..=20)
            .rev()
            .map(|id| {
                let mut r = record_for(&a, Some((200, "{\"success\":true}")));
                r.id = id;
                r
            })
            .collect();
        let generation = a.history.generation;
        update(
            &mut a,
            Action::History(HistoryAction::Loaded {
                generation,
                first: true,
                rows,
                exhausted: true,
            }),
        );
        let history = crate::tui::view::regions(&a, a.screen)
            .unwrap()
            .history
            .unwrap();
        // Border, header, then the rows: the third row.
        update(
            &mut a,
            Action::Pointer(PointerAction::Click {
                column: 10,
                row: history.y + 4,
            }),
        );
        assert_eq!(a.focus, Focus::History);
        assert_eq!(a.history.selected, 2);
        update(
            &mut a,
            Action::Pointer(PointerAction::Wheel {
                column: 10,
                row: history.y + 4,
                lines: 3,
            }),
        );
        assert_eq!(a.history.selected, 5);
        // Over the preview the wheel scrolls it instead.
        update(
            &mut a,
            Action::Pointer(PointerAction::Wheel {
                column: 100,
                row: 5,
                lines: 3,
            }),
        );
        assert_eq!(a.preview_scroll, 3);
        assert_eq!(a.history.selected, 5);
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

    #[test]
    fn f12_gives_the_mouse_to_the_terminal_and_back() {
        let mut a = app();
        assert!(a.mouse_capture);
        assert_eq!(
            update(&mut a, Action::Pointer(PointerAction::ToggleMouse)),
            vec![Effect::SetMouseCapture(false)]
        );
        assert!(a.status.as_ref().unwrap().text.contains("select text"));
        assert_eq!(
            update(&mut a, Action::Pointer(PointerAction::ToggleMouse)),
            vec![Effect::SetMouseCapture(true)]
        );
    }

    fn queue_app(csv: &str) -> App {
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

    fn sends(effects: &[Effect]) -> Vec<(RequestId, String)> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Send { id, update, .. } => Some((*id, update.target.as_str().to_string())),
                _ => None,
            })
            .collect()
    }

    /// Ctrl+S on the queue, no row sent before, and the confirmation: the rows that leave.
    fn send_queue(a: &mut App, rows: usize) -> Vec<(RequestId, String)> {
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

    fn finish(a: &mut App, id: RequestId, status: u16) -> Vec<Effect> {
        let mut r = record_for(&filled(), Some((status, "{\"success\":true}")));
        r.state = if status == 200 {
            State::Ok
        } else {
            State::Refused
        };
        r.verified = status == 200;
        r.http_status = Some(status);
        update(a, Action::Send(SendAction::Finished { id, record: r }))
    }

    fn drafts(effects: &[Effect]) -> Vec<Option<crate::tui::draft::Draft>> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::SaveDraft(d) => Some(d.clone()),
                _ => None,
            })
            .collect()
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
        assert!(update(&mut a, Action::Form(FormAction::UndoNewForm)).is_empty());
        assert_eq!(a.form.text(Field::Agent), "z");
    }

    /// A refusal that names a field goes once that field is fixed: it says what is left, or
    /// nothing when the form is ready. Cleared metadata takes its JSON complaint with it.
    #[test]
    fn a_refusal_goes_when_the_field_it_names_is_fixed() {
        let mut a = app();
        update(&mut a, Action::Send(SendAction::Request));
        let text = a.status.clone().unwrap().text;
        assert!(text.contains("First: Agent is required"), "{text}");
        update(&mut a, Action::Focus(Focus::Agent));
        type_text(&mut a, "agent123");
        let text = a.status.clone().map(|s| s.text).unwrap_or_default();
        assert!(!text.contains("Agent"), "stale: {text}");
        update(&mut a, Action::Focus(Focus::Target));
        type_text(&mut a, "call456");
        update(&mut a, Action::Focus(Focus::Outcome));
        type_text(&mut a, "Sold");
        assert_eq!(a.status, None, "nothing left to fix: nothing to say");

        update(&mut a, Action::Focus(Focus::Metadata));
        type_text(&mut a, "[1]");
        update(&mut a, Action::Send(SendAction::Request));
        let text = a.status.clone().unwrap().text;
        assert!(text.contains("Metadata must be a JSON object"), "{text}");
        for _ in 0..3 {
            update(
                &mut a,
                Action::Edit(Input {
                    key: Key::Backspace,
                    ..Input::default()
                }),
            );
        }
        assert_eq!(a.form.text(Field::Metadata), "");
        assert_eq!(a.status, None, "the metadata was cleared");
        // Another message is left alone.
        update(&mut a, Action::Pointer(PointerAction::ToggleMouse));
        type_text(&mut a, " ");
        assert!(a.status.is_some());
    }

    /// x on the row in the form changed a flag nothing showed (the row reads "in the form"), and
    /// the row came back "excluded" once another row went into the form. It leaves the row as
    /// it is and says why.
    #[test]
    fn x_on_the_row_in_the_form_says_so_and_leaves_it() {
        let mut a = queue_app("agent_id,target,outcome\na,c1,Sold\na,c2,Sold\n");
        update(&mut a, Action::Queue(QueueAction::Move(1)));
        update(&mut a, Action::Queue(QueueAction::LoadRow));
        update(&mut a, Action::Focus(Focus::Queue));
        update(&mut a, Action::Queue(QueueAction::ToggleExclude));
        let q = a.queue.as_ref().unwrap();
        assert!(!q.items[1].excluded, "nothing hidden is changed");
        let status = &a.status.as_ref().unwrap().text;
        assert!(status.starts_with("Line 3 is in the form"), "{status}");
        // Another row into the form: line 3 is ready again, not left out.
        update(&mut a, Action::Queue(QueueAction::Move(-1)));
        update(&mut a, Action::Queue(QueueAction::LoadRow));
        let c = a.queue.as_ref().unwrap().counts();
        assert_eq!((c.excluded, c.waiting, c.in_form), (0, 1, 1));
    }

    /// A reviewed row put in the form is a row still to send: the end of the run names it,
    /// and `q` asks before closing the queue over it.
    #[test]
    fn a_row_in_the_form_is_a_row_still_to_send() {
        let mut a = queue_app("agent_id,target,outcome\na,c1,Sold\na,c2,Sold\na,c3,Sold\n");
        update(&mut a, Action::Queue(QueueAction::Move(1)));
        update(&mut a, Action::Queue(QueueAction::LoadRow));
        update(&mut a, Action::Focus(Focus::Queue));
        let c = a.queue.as_ref().unwrap().counts();
        assert_eq!((c.waiting, c.in_form), (2, 1));
        let sent = send_queue(&mut a, 2);
        assert_eq!(sent.len(), 2, "the row in the form is the form's to send");
        for (id, _) in sent {
            finish(&mut a, id, 200);
        }
        let status = a.status.clone().unwrap();
        assert!(
            status.text.starts_with("Queue done: 2 updated"),
            "{status:?}"
        );
        assert!(
            status
                .text
                .contains("line 3 is in the form, not sent: Ctrl+S there sends it"),
            "{status:?}"
        );
        assert_ne!(status.tone, Tone::Success, "not everything went");
        update(&mut a, Action::Queue(QueueAction::Close));
        assert!(a.queue.is_some(), "q asks first");
        let asked = a.status.clone().unwrap().text;
        assert!(asked.contains("Line 3 is in the form, not sent"), "{asked}");
        assert!(asked.contains("q again"), "{asked}");
        update(&mut a, Action::Queue(QueueAction::Close));
        assert!(a.queue.is_none(), "the second q closes it");
        assert_eq!(a.form.text(Field::Target), "c2", "the form keeps the row");
    }

    /// The list has room for a few words of a row's problem: moving onto the row puts all of
    /// it in the status line, a line that could not be read is listed too, and a row that did
    /// not go through says what came back when it is put in the form.
    #[test]
    fn a_rows_whole_problem_is_said_when_it_is_selected_or_put_in_the_form() {
        let mut a = queue_app("agent_id,target,outcome\na,c1,Sold\na,c2,Sold,extra\na,c3,x\n");
        let lines: Vec<usize> = a
            .queue
            .as_ref()
            .unwrap()
            .items
            .iter()
            .map(|i| i.entry.line)
            .collect();
        assert_eq!(lines, [2, 3, 4], "the unreadable line 3 is listed");
        update(&mut a, Action::Queue(QueueAction::Move(1)));
        let status = &a.status.as_ref().unwrap().text;
        assert!(
            status.starts_with(
                "Line 3: this row has 4 cells but the header has 3: check for a \
                                missing or extra comma"
            ),
            "{status}"
        );
        update(&mut a, Action::Queue(QueueAction::Move(-1)));
        let started = send_queue(&mut a, 2);
        finish(&mut a, started[0].0, 404);
        update(&mut a, Action::Queue(QueueAction::ToggleExclude));
        assert!(
            a.status
                .as_ref()
                .unwrap()
                .text
                .starts_with("Line 2 has been sent"),
            "x on a sent row says why nothing happens"
        );
        update(&mut a, Action::Queue(QueueAction::LoadRow));
        let status = &a.status.as_ref().unwrap().text;
        assert!(
            status.starts_with("Line 2 is in the form. It did not go through: "),
            "{status}"
        );
    }

    /// After a run that stopped part way, the same file opened again: `s` leaves out the rows
    /// that already went through as they are, and only the others are sent.
    #[test]
    fn s_sends_only_the_rows_not_sent_before() {
        let mut a = queue_app("agent_id,target,outcome\na,c1,Sold\na,c2,Sold\na,c3,Sold\n");
        update(&mut a, Action::Send(SendAction::Request));
        update(
            &mut a,
            Action::Queue(QueueAction::Ready {
                rows: 3,
                duplicates: vec![0, 2],
            }),
        );
        update(&mut a, Action::Queue(QueueAction::SkipSent));
        assert!(
            matches!(&a.modal, Some(Modal::ConfirmQueue { rows: 1, duplicates, .. }) if duplicates.is_empty())
        );
        let status = &a.status.as_ref().unwrap().text;
        assert_eq!(
            status,
            "The 2 rows that went through before were left out (x puts one back)"
        );
        let started = sends(&update(&mut a, Action::Send(SendAction::Confirm)));
        assert_eq!(
            started.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>(),
            ["c2"]
        );
        assert_eq!(a.queue.as_ref().unwrap().counts().excluded, 2);
    }

    /// A row in the form with changes made to it is not replaced by another row at the first
    /// Enter: that would lose the changes. Without changes, Enter just puts the other row in.
    #[test]
    fn a_row_being_fixed_in_the_form_is_not_lost_to_another_without_asking() {
        let mut a =
            queue_app("agent_id,target,outcome,value\na,c1,Sold,x\na,c2,Sold,y\na,c3,Sold,z\n");
        update(&mut a, Action::Queue(QueueAction::LoadRow));
        // Unchanged: the next row takes its place at once.
        update(&mut a, Action::Focus(Focus::Queue));
        update(&mut a, Action::Queue(QueueAction::Move(1)));
        update(&mut a, Action::Queue(QueueAction::LoadRow));
        assert_eq!(a.queue.as_ref().unwrap().in_form, Some(1));
        // Changed: the first Enter on another row asks, the second replaces.
        set_focus(&mut a, Focus::Value);
        type_text(&mut a, "5");
        update(&mut a, Action::Focus(Focus::Queue));
        update(&mut a, Action::Queue(QueueAction::Move(1)));
        update(&mut a, Action::Queue(QueueAction::LoadRow));
        assert_eq!(
            a.queue.as_ref().unwrap().in_form,
            Some(1),
            "not replaced yet"
        );
        assert_eq!(a.form.text(Field::Value), "y5", "the change is kept");
        let status = &a.status.as_ref().unwrap().text;
        assert!(
            status.starts_with("Line 3 is in the form with your changes: Ctrl+S there sends it"),
            "{status}"
        );
        update(&mut a, Action::Queue(QueueAction::LoadRow));
        assert_eq!(a.queue.as_ref().unwrap().in_form, Some(2));
        assert_eq!(a.form.text(Field::Value), "z");
    }

    /// A row with no certain answer may have been applied: it is counted apart from the rows
    /// refused, in the gauge and in the summary, so nobody takes it for "not applied".
    #[test]
    fn rows_with_outcome_unknown_are_counted_apart_from_those_refused() {
        let mut a = queue_app("agent_id,target,outcome\na,c1,Sold\na,c2,Sold\n");
        let started = send_queue(&mut a, 2);
        let mut r = record_for(&filled(), None);
        r.state = State::Unknown;
        r.message = Some("Timed out waiting for an answer".into());
        update(
            &mut a,
            Action::Send(SendAction::Finished {
                id: started[0].0,
                record: r,
            }),
        );
        finish(&mut a, started[1].0, 404);
        let c = a.queue.as_ref().unwrap().counts();
        assert_eq!((c.ok, c.failed, c.unknown), (0, 1, 1));
        let status = &a.status.as_ref().unwrap().text;
        assert!(
            status.starts_with(
                "Queue done: 0 updated, 1 not, 1 outcome unknown (? rows: check them before \
                 sending again)"
            ),
            "{status}"
        );
    }

    /// A row the server said it took without confirming every field (`unconfirmed`) is named
    /// apart in the summary, as `batch` does: it may have been applied.
    #[test]
    fn rows_not_confirmed_are_named_apart_from_those_refused() {
        let mut a = queue_app("agent_id,target,outcome\na,c1,Sold\na,c2,Sold\n");
        let started = send_queue(&mut a, 2);
        let r = record_for(
            &filled(),
            Some((
                200,
                r#"{"success":true,"message":"ok","updated_fields":[]}"#,
            )),
        );
        assert_eq!(r.state, State::Unconfirmed);
        update(
            &mut a,
            Action::Send(SendAction::Finished {
                id: started[0].0,
                record: r,
            }),
        );
        finish(&mut a, started[1].0, 404);
        let c = a.queue.as_ref().unwrap().counts();
        assert_eq!((c.ok, c.failed, c.unconfirmed, c.unknown), (0, 2, 1, 0));
        let status = &a.status.as_ref().unwrap().text;
        assert!(
            status.starts_with(
                "Queue done: 0 updated, 2 not (1 not confirmed: the server said success without \
                 confirming every field; check it)"
            ),
            "{status}"
        );
    }

    #[test]
    fn the_queue_sends_ready_rows_a_few_at_a_time_and_one_calls_rows_in_order() {
        let csv = "agent_id,target,outcome\na,c1,Sold\na,c1,No Sale\na,c2,Sold\na,c3,Sold\n\
                   a,c4,Sold\na,c5,Sold\na,bad id,Sold\n";
        let mut a = queue_app(csv);
        assert_eq!(a.focus, Focus::Queue);
        let c = a.queue.as_ref().unwrap().counts();
        assert_eq!((c.waiting, c.to_fix), (6, 1));
        let prepare = update(&mut a, Action::Send(SendAction::Request));
        assert!(
            matches!(prepare.as_slice(), [Effect::PrepareQueue { items, .. }] if items.len() == 6)
        );
        update(
            &mut a,
            Action::Queue(QueueAction::Ready {
                rows: 6,
                duplicates: Vec::new(),
            }),
        );
        let first = sends(&update(&mut a, Action::Send(SendAction::Confirm)));
        // Four at a time; c1's second row waits for its first.
        let targets: Vec<&str> = first.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(targets, ["c1", "c2", "c3", "c4"]);
        let next = sends(&finish(&mut a, first[0].0, 200));
        // One slot came free: the call's next row takes it, before later calls.
        assert_eq!(
            next.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>(),
            ["c1"]
        );
        // Pause: what is in flight finishes, nothing new leaves.
        update(&mut a, Action::Queue(QueueAction::Pause));
        assert!(sends(&finish(&mut a, first[1].0, 200)).is_empty());
        let mut in_flight: Vec<RequestId> = a
            .queue
            .as_ref()
            .unwrap()
            .in_flight
            .iter()
            .map(|(r, _)| *r)
            .collect();
        for id in in_flight.drain(..) {
            finish(&mut a, id, 200);
        }
        assert!(a.status.as_ref().unwrap().text.contains("Queue paused"));
        let resumed = sends(&update(&mut a, Action::Queue(QueueAction::Pause)));
        assert_eq!(
            resumed.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>(),
            ["c5"],
            "p again goes on with what is left"
        );
        finish(&mut a, resumed[0].0, 200);
        let q = a.queue.as_ref().unwrap();
        assert!(!q.running);
        assert_eq!(q.counts().ok, 6);
        assert!(
            a.status
                .as_ref()
                .unwrap()
                .text
                .contains("Queue done: 6 updated")
        );
        assert_eq!(a.history.rows.len(), 1, "records share one id here");
    }

    #[test]
    fn a_429_pauses_the_queue_and_excluded_rows_are_not_sent() {
        let mut a = queue_app("agent_id,target,outcome\na,c1,Sold\na,c2,Sold\na,c3,Sold\n");
        update(&mut a, Action::Queue(QueueAction::Move(1)));
        update(&mut a, Action::Queue(QueueAction::ToggleExclude));
        update(&mut a, Action::Send(SendAction::Request));
        update(
            &mut a,
            Action::Queue(QueueAction::Ready {
                rows: 2,
                duplicates: vec![0],
            }),
        );
        // A row already sent as it is: asked twice.
        assert!(update(&mut a, Action::Send(SendAction::Confirm)).is_empty());
        let started = sends(&update(&mut a, Action::Send(SendAction::Confirm)));
        assert_eq!(
            started.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>(),
            ["c1", "c3"]
        );
        assert!(finish(&mut a, started[0].0, 429).is_empty());
        assert!(a.queue.as_ref().unwrap().paused);
        assert!(a.status.as_ref().unwrap().text.contains("HTTP 429"));
        // Closing while a row is in flight is refused.
        update(&mut a, Action::Queue(QueueAction::Close));
        assert!(a.queue.is_some());
        finish(&mut a, started[1].0, 200);
        // The 429 row waits to go again: closing asks first, and says what it leaves.
        update(&mut a, Action::Queue(QueueAction::Close));
        assert!(a.queue.is_some());
        let status = &a.status.as_ref().unwrap().text;
        assert!(
            status.starts_with("1 row of this queue was not sent. Press q again"),
            "{status}"
        );
        update(&mut a, Action::Queue(QueueAction::Close));
        assert!(a.queue.is_none());
        let status = &a.status.as_ref().unwrap().text;
        assert_eq!(status, "Queue closed: 1 row was not sent (1 updated)");
    }

    /// `y` Enter on a production confirmation is refused; the `y` must not stay in the field,
    /// or typing the name next gives `yprod` (refused again). One update and the queue alike.
    #[test]
    fn a_refused_production_answer_is_cleared() {
        let mut single = filled();
        single.profile = tag("prod", crate::config::Kind::Production);
        ctrl_s(&mut single);
        let mut queue = queue_app("agent_id,target,outcome\na,c1,Sold\n");
        queue.profile = tag("prod", crate::config::Kind::Production);
        update(&mut queue, Action::Send(SendAction::Request));
        update(
            &mut queue,
            Action::Queue(QueueAction::Ready {
                rows: 1,
                duplicates: Vec::new(),
            }),
        );
        for a in [&mut single, &mut queue] {
            update(a, Action::Send(SendAction::ConfirmType('y')));
            assert!(
                update(a, Action::Send(SendAction::Confirm)).is_empty(),
                "refused"
            );
            assert_eq!(a.typed, "", "the refused answer is cleared");
            for c in "prod".chars() {
                update(a, Action::Send(SendAction::ConfirmType(c)));
            }
            assert_eq!(
                sends(&update(a, Action::Send(SendAction::Confirm))).len(),
                1
            );
        }
    }

    #[test]
    fn a_production_queue_wants_the_profile_name() {
        let mut a = queue_app("agent_id,target,outcome\na,c1,Sold\n");
        a.profile.kind = crate::config::Kind::Production;
        a.profile.name = "production".into();
        update(&mut a, Action::Send(SendAction::Request));
        update(
            &mut a,
            Action::Queue(QueueAction::Ready {
                rows: 1,
                duplicates: Vec::new(),
            }),
        );
        assert!(update(&mut a, Action::Send(SendAction::Confirm)).is_empty());
        assert!(
            a.status
                .as_ref()
                .unwrap()
                .text
                .contains("type the profile name")
        );
        for c in "production".chars() {
            update(&mut a, Action::Send(SendAction::ConfirmType(c)));
        }
        assert_eq!(
            sends(&update(&mut a, Action::Send(SendAction::Confirm))).len(),
            1
        );
    }

    #[test]
    fn what_is_typed_during_a_send_survives_its_success() {
        let mut a = filled();
        ctrl_s(&mut a);
        let effects = update(&mut a, Action::Send(SendAction::Confirm));
        let [Effect::Send { id, .. }] = effects.as_slice() else {
            panic!("{effects:?}");
        };
        let id = *id;
        let mut done = record_for(&a, Some((200, "{\"success\":true}")));
        done.state = State::Ok;
        done.verified = true;
        // The next call is typed while the first is in flight.
        update(&mut a, Action::Focus(Focus::Target));
        type_text(&mut a, "-next");
        update(
            &mut a,
            Action::Send(SendAction::Finished { id, record: done }),
        );
        assert_eq!(a.form.text(Field::Target), "call456-next");
        assert_eq!(a.form.text(Field::Value), "299");
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
    fn a_click_on_the_pick_list_takes_that_label() {
        let mut a = app();
        update(
            &mut a,
            Action::Resized {
                width: 120,
                height: 32,
            },
        );
        update(&mut a, Action::Focus(Focus::Outcome));
        type_text(&mut a, "s");
        let suggestions: Vec<String> = a
            .outcome_suggestions()
            .iter()
            .map(|s| (*s).to_string())
            .collect();
        // Outcome is on row 4 (border, agent, call, preference); the list's border on row 5,
        // its first entry on row 6, the second on row 7.
        update(
            &mut a,
            Action::Pointer(PointerAction::Click { column: 16, row: 7 }),
        );
        assert_eq!(a.form.text(Field::Outcome), suggestions[1]);
        assert_eq!(a.focus, Focus::Value);
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

    #[test]
    fn a_call_id_of_digits_stays_a_call_id_where_it_says_so() {
        use crate::api::update::TargetKind;
        let u = validate(&UpdateInput {
            agent: "a",
            target: "4155551234",
            outcome: "Sold",
            kind: TargetKind::CallId,
            ..UpdateInput::default()
        })
        .unwrap();
        assert_eq!(u.target.kind(), "call");
        assert_eq!(u.target.as_str(), "4155551234");
        // In the form's one field, digits that look like a number are a phone.
        let mut a = app();
        type_text(&mut a, "a");
        update(&mut a, Action::FocusNext);
        type_text(&mut a, "4155551234");
        assert_eq!(a.form_call().unwrap().2, "phone");
    }

    /// A row the file's checks refused but the form reads as valid (a preference beside
    /// digits too short for a phone: the form reads a call ID and leaves the preference out)
    /// must not lose what the checks said.
    #[test]
    fn a_row_the_form_reads_otherwise_keeps_what_the_file_said() {
        let mut a = queue_app("agent_id,target,preference,outcome\na,4155,last,Sold\n");
        let problem = a.queue.as_ref().unwrap().items[0]
            .ready
            .clone()
            .unwrap_err();
        assert!(problem.contains("Preference"), "{problem}");
        update(&mut a, Action::Queue(QueueAction::LoadRow));
        assert!(a.checked.is_ok(), "the form reads 4155 as a call ID");
        assert_eq!(a.focus, Focus::Target, "the cursor goes where the fix is");
        let status = a.status.as_ref().unwrap();
        assert_eq!(status.tone, Tone::Warning);
        assert!(
            status.text.contains("The file said: Preference"),
            "{}",
            status.text
        );
        assert!(
            status.text.starts_with("Line 2 is in the form"),
            "{}",
            status.text
        );
        // The same whatever the file calls its columns (headers are read in any capitals).
        let mut a = queue_app("Agent_ID,Target,Preference,Outcome\na,4155,last,Sold\n");
        update(&mut a, Action::Queue(QueueAction::LoadRow));
        assert_eq!(a.focus, Focus::Target, "a column named Preference");
    }

    #[test]
    fn a_row_in_the_form_is_not_sent_by_the_queue_and_keeps_its_call_id() {
        let mut a = queue_app("agent_id,call_id,outcome\na,4155551234,Sold\na,c2,Sold\n");
        update(&mut a, Action::Queue(QueueAction::LoadRow));
        assert_eq!(a.focus, Focus::Agent);
        let c = a.queue.as_ref().unwrap().counts();
        assert_eq!((c.in_form, c.waiting), (1, 1), "the gauge counts it apart");
        // The call_id column said call ID: digits stay a call ID in the form too.
        let ready = a.checked.as_ref().unwrap();
        assert!(
            ready.request.url.ends_with("/a/4155551234"),
            "{}",
            ready.request.url
        );
        update(&mut a, Action::Focus(Focus::Queue));
        let started = send_queue(&mut a, 1);
        assert_eq!(
            started.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>(),
            ["c2"],
            "the row in the form is sent from the form, not twice"
        );
    }

    #[test]
    fn no_profile_switch_while_the_queue_sends_and_rows_go_to_the_run_s_profile() {
        let mut a = queue_app("agent_id,target,outcome\na,c1,Sold\na,c2,Sold\n");
        a.profiles.push(crate::tui::profiles::fallback_tag(
            false,
            &BaseUrl::parse("https://prod.example").unwrap(),
        ));
        update(&mut a, Action::Send(SendAction::Request));
        update(
            &mut a,
            Action::Queue(QueueAction::Ready {
                rows: 2,
                duplicates: Vec::new(),
            }),
        );
        let effects = update(&mut a, Action::Send(SendAction::Confirm));
        assert!(
            effects
                .iter()
                .all(|e| matches!(e, Effect::Send { profile, .. } if profile == "sandbox"))
        );
        a.modal = Some(Modal::Profiles { selected: 1 });
        assert!(update(&mut a, Action::Profiles(ProfileAction::Choose)).is_empty());
        assert!(a.switching.is_none());
        assert!(
            a.status
                .as_ref()
                .unwrap()
                .text
                .contains("the queue is sending")
        );
    }

    #[test]
    fn a_throttled_row_waits_and_results_do_not_disarm_quit() {
        let mut a = queue_app("agent_id,target,outcome\na,c1,Sold\na,c2,Sold\n");
        let started = send_queue(&mut a, 2);
        update(&mut a, Action::Quit);
        assert!(a.quit_armed);
        finish(&mut a, started[0].0, 429);
        assert!(a.quit_armed, "a result arriving does not disarm Ctrl+Q");
        let q = a.queue.as_ref().unwrap();
        assert_eq!(
            q.items[0].status,
            ItemStatus::Waiting,
            "a 429 row goes again"
        );
        assert!(q.paused);
        // A late duplicate-check answer is ignored during the run.
        update(
            &mut a,
            Action::Queue(QueueAction::Ready {
                rows: 2,
                duplicates: Vec::new(),
            }),
        );
        assert!(a.modal.is_none());
        finish(&mut a, started[1].0, 200);
        let again = sends(&update(&mut a, Action::Queue(QueueAction::Pause)));
        assert_eq!(
            again.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>(),
            ["c1"]
        );
    }

    #[test]
    fn a_row_left_in_the_form_does_not_hold_up_its_call_s_later_rows() {
        let mut a = queue_app("agent_id,target,outcome\na,c1,Sold\na,c1,No Sale\n");
        update(&mut a, Action::Queue(QueueAction::LoadRow));
        update(&mut a, Action::Focus(Focus::Queue));
        let started = send_queue(&mut a, 1);
        assert_eq!(started.len(), 1, "the second row goes");
        finish(&mut a, started[0].0, 200);
        assert!(!a.queue.as_ref().unwrap().running, "and the run ends");
    }
}
