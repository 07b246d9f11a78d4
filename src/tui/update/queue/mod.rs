//! The queue (a batch file in the workbench): looking at and fixing its rows, and closing it.
//! Opening a file is `open.rs`; a run (the duplicate check, the confirmation, sending with the
//! batch engine's scheduler, pausing on a 429) is `run.rs`.

use super::common::{editor_holding, form_changed, set_focus};
use crate::api::update::Field;
use crate::tui::action::QueueAction;
use crate::tui::app::{App, Focus, ItemStatus, Tone};
use crate::tui::effect::Effect;
use ratatui_textarea::TextArea;

mod open;
mod run;

pub(super) use run::{confirm, finished, owns, recorded, request_send, send_failed};

pub(super) fn apply(app: &mut App, action: QueueAction) -> Vec<Effect> {
    match action {
        QueueAction::OpenPrompt
        | QueueAction::PathType(_)
        | QueueAction::PathBackspace
        | QueueAction::PathClear
        | QueueAction::CompletePath
        | QueueAction::PathListed(_)
        | QueueAction::OpenFile
        | QueueAction::Loaded { .. }
        | QueueAction::Failed(_) => return open::apply(app, action),
        QueueAction::Move(delta) => {
            if let Some(q) = &mut app.queue {
                let last = q.items.len().saturating_sub(1);
                q.selected = q.selected.saturating_add_signed(delta).min(last);
                // The list has room for a few words: the status line says the whole of a
                // row's problem, or of what came back when it did not go through.
                let said = q.items.get(q.selected).and_then(|item| {
                    let text = match &item.status {
                        ItemStatus::Waiting => item.ready.as_ref().err().cloned(),
                        status => status.came_back().map(str::to_string),
                    }?;
                    Some(format!("Line {}: {text}", item.entry.line))
                });
                if let Some(text) = said {
                    app.say(Tone::Warning, text);
                }
            }
        }
        QueueAction::LoadRow => return load_row(app),
        QueueAction::ToggleExclude => {
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
        QueueAction::Pause => return run::pause(app),
        QueueAction::SkipSent => run::skip_sent(app),
        QueueAction::Close => return close(app),
        QueueAction::Ready { rows, duplicates } => run::ready(app, rows, duplicates),
    }
    Vec::new()
}

/// `q`: closes the queue. Not while rows are in flight; and a queue with rows it started and
/// did not send closes on a second `q`, after saying how many it leaves.
fn close(app: &mut App) -> Vec<Effect> {
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
        let also = if q.run.started() && left > 0 {
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
    if q.run.started() && left > 0 && q.closing.is_none() {
        q.closing = Some(left);
        app.say(Tone::Warning, format!(
                "{left} {rows} of this queue {were} not sent. Press q again to close it anyway (they \
                 stay in the file; sending it again warns about the rows already sent), or p to \
                 go on"
            ));
        return Vec::new();
    }
    let text = if q.run.started() && left > 0 {
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

fn load_row(app: &mut App) -> Vec<Effect> {
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
    let came_back = item.status.came_back().map(str::to_string);
    let text = editor_holding;
    let fresh = crate::tui::app::Form::default();
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
    let (tone, text) = match (&app.checked, file_said) {
        _ if came_back.is_some() => (
            Tone::Warning,
            format!(
                "Line {line} is in the form. It did not go through: {}. Fix it, then Ctrl+S \
                 sends it from here",
                came_back.unwrap_or_default().trim_end_matches('.')
            ),
        ),
        (Ok(_), Some(said)) => (
            Tone::Warning,
            format!(
                "Line {line} is in the form. The file said: {}. The form reads it otherwise: \
                 check it, then Ctrl+S sends it from here (the queue row is then marked done)",
                said.message.trim_end_matches('.')
            ),
        ),
        _ => (
            Tone::Info,
            format!(
                "Line {line} is in the form: fix it and Ctrl+S sends it from here (the queue row \
                 is then marked done)"
            ),
        ),
    };
    app.say(tone, text);
    effects
}

#[cfg(test)]
mod tests {
    use super::super::common::set_focus;
    use super::super::test_support::*;

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
            said(&a).starts_with("Line 2 has been sent"),
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
        finish_with(&mut a, started[0].0, r);
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
        finish_with(&mut a, started[0].0, r);
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
        assert_eq!(q.run, QueueRun::Idle);
        assert_eq!(q.counts().ok, 6);
        assert!(said(&a).contains("Queue done: 6 updated"));
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
        assert_eq!(a.queue.as_ref().unwrap().run, QueueRun::Paused);
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
        assert!(said(&a).contains("type the profile name"));
        for c in "production".chars() {
            update(&mut a, Action::Send(SendAction::ConfirmType(c)));
        }
        assert_eq!(
            sends(&update(&mut a, Action::Send(SendAction::Confirm))).len(),
            1
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
        assert!(said(&a).contains("the queue is sending"));
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
        assert_eq!(q.run, QueueRun::Paused);
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
        assert_eq!(
            a.queue.as_ref().unwrap().run,
            QueueRun::Idle,
            "and the run ends"
        );
    }
}
