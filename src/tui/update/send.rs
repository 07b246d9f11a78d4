//! Sending the form's update: Ctrl+S, the confirmation (duplicates, production profiles), the
//! request in flight, cancelling it, and what its result does to the form and the status line.

use super::common::{can_send, count_label, refusal, set_focus};
use crate::api::client::State;
use crate::history::Record;
use crate::tui::action::{RequestId, SendAction};
use crate::tui::app::{App, Focus, InFlight, ItemStatus, Modal, Ready, Tone};
use crate::tui::effect::Effect;

pub(super) fn apply(app: &mut App, action: SendAction) -> Vec<Effect> {
    match action {
        SendAction::Request => return request_send(app),
        SendAction::ConfirmReady(confirm) => {
            if app.modal.is_none() && app.in_flight.is_none() {
                let ask = confirm.warns() || app.confirm_before_send || app.profile.production();
                app.modal = Some(Modal::Confirm(confirm));
                app.typed.clear();
                // Without confirmation (config), except for production profiles and
                // duplicates, which always ask.
                if !ask {
                    return confirm_send(app);
                }
            }
        }
        SendAction::Confirm => return confirm_send(app),
        SendAction::Cancel => return cancel_send(app),
        SendAction::Tick { id, elapsed } => {
            if let Some(f) = app.in_flight.as_mut().filter(|f| f.id == id) {
                f.elapsed = elapsed;
            }
        }
        SendAction::Recorded { id, record } => {
            if let Some(f) = app.in_flight.as_mut().filter(|f| f.id == id) {
                f.record_id = Some(record.id);
            }
            app.history.offer(record);
        }
        SendAction::Finished { id, record } => return finished(app, id, record),
        SendAction::Failed { id, message } => {
            if app.in_flight.as_ref().is_some_and(|f| f.id == id) {
                app.in_flight = None;
            }
            app.say(Tone::Error, message);
        }
        SendAction::ConfirmType(c) => {
            if matches!(
                app.modal,
                Some(Modal::Confirm(_) | Modal::ConfirmQueue { .. })
            ) {
                app.typed.push(c);
            }
        }
        SendAction::ConfirmBackspace => {
            app.typed.pop();
        }
    }
    Vec::new()
}

fn request_send(app: &mut App) -> Vec<Effect> {
    if app.modal.is_some() {
        return Vec::new();
    }
    app.metadata_converted = false;
    // `key=value` lines are sent as the JSON Ctrl+O makes of them (Ctrl+Z twice undoes it).
    let metadata = app.form.text(crate::api::update::Field::Metadata);
    if app.in_flight.is_none()
        && crate::tui::json::has_key_value_lines(&metadata)
        && let Ok(json) = crate::tui::json::format(&metadata)
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
    let Some(Modal::Confirm(confirm)) = &mut app.modal else {
        return Vec::new();
    };
    if confirm.warns() && !confirm.acknowledged {
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
    let Ready {
        update,
        request,
        pinned_call,
    } = confirm.ready;
    let id = RequestId(app.next_request);
    app.next_request += 1;
    // By phone with the calls list on screen: the call it said would be hit, to check the
    // answer against.
    let expected = if pinned_call.is_none() {
        app.calls.expected_for(&app.profile.name, &update)
    } else {
        None
    };
    let listed_call = expected.as_ref().map(|e| e.call_id.clone());
    app.in_flight = Some(InFlight {
        id,
        summary: format!("{} → {}", update.target.as_str(), update.summary()),
        elapsed: std::time::Duration::ZERO,
        record_id: None,
        sent: Some(update.clone()),
        expected,
    });
    app.status = None;
    vec![Effect::Send {
        id,
        update,
        request,
        profile: app.profile.name.clone(),
        pinned_call,
        listed_call,
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
        // Phonely picked another call than the calls list showed: said here, and kept on the
        // row (`listed_call`, recorded before the send).
        if let Some(warning) = record.mismatch()
            && let Some(status) = &mut app.status
        {
            status.tone = Tone::Warning;
            status.text.push_str(" · ⚠ ");
            status.text.push_str(&warning);
        }
        if sent_ok
            && let Some(q) = app.queue.as_mut()
            && let Some(index) = q.in_form.take()
            && let Some(item) = q.items.get_mut(index)
        {
            item.status = ItemStatus::Done {
                state: State::Ok,
                text: format!("sent from the form (#{})", record.id),
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

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

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
}
