//! Browsing an agent's recent calls (issue 14): opening the modal for the form's agent, its
//! keys (move, pages, filters, refresh), the look-up's answers, and Enter: the call's ID into
//! the Target field. The state and its rules are `tui::browse::Browse`; this file only routes.

use super::common::{editor_holding, forget_queue_row, form_changed, set_focus};
use crate::api::outcome::one_line;
use crate::api::update::{AgentId, CallId, Field, TargetKind};
use crate::tui::action::BrowseAction;
use crate::tui::app::{App, Focus, Modal, Tone};
use crate::tui::calls::day_time;
use crate::tui::effect::Effect;

pub(super) fn apply(app: &mut App, action: BrowseAction) -> Vec<Effect> {
    let effects = match action {
        BrowseAction::Open => return open(app),
        BrowseAction::Use => return use_call(app),
        BrowseAction::Answered {
            generation,
            outcome,
            reference,
            at,
        } => {
            app.browse.answered(generation, outcome, reference, at);
            Vec::new()
        }
        // Keys of the modal: nothing to do once it is closed.
        _ if app.modal != Some(Modal::Browse) => Vec::new(),
        BrowseAction::Move(delta) => {
            app.browse.move_by(delta);
            Vec::new()
        }
        BrowseAction::NextPage => app.browse.next_page().unwrap_or_else(|why| {
            app.say(Tone::Info, why);
            Vec::new()
        }),
        BrowseAction::PreviousPage => app.browse.previous_page().unwrap_or_else(|why| {
            app.say(Tone::Info, why);
            Vec::new()
        }),
        BrowseAction::CycleRange => app.browse.cycle_range(),
        BrowseAction::CycleStatus => app.browse.cycle_status(),
        BrowseAction::Refresh => app.browse.refresh(),
        BrowseAction::Close => {
            app.modal = None;
            app.browse.close()
        }
    };
    effects.into_iter().map(Effect::Browse).collect()
}

/// Opens the modal on the first page of the form's agent's calls; without a valid agent, says
/// what to type first.
fn open(app: &mut App) -> Vec<Effect> {
    if app.modal.is_some() {
        return Vec::new();
    }
    let typed = app.form.text(Field::Agent);
    if typed.trim().is_empty() {
        app.say(
            Tone::Info,
            "Type the agent's ID first: Ctrl+L lists that agent's recent calls",
        );
        return Vec::new();
    }
    let agent = match AgentId::parse(typed.trim()) {
        Ok(agent) => agent,
        Err(e) => {
            app.say(Tone::Error, format!("Cannot list the agent's calls: {e}"));
            return Vec::new();
        }
    };
    app.modal = Some(Modal::Browse);
    app.browse
        .open(&app.profile.name, agent, app.settings.utc_offset)
        .into_iter()
        .map(Effect::Browse)
        .collect()
}

/// Enter: the selected call's ID goes into the Target field (by ID: no preference, no phone),
/// and the status line says which call of which number it is.
fn use_call(app: &mut App) -> Vec<Effect> {
    if app.modal != Some(Modal::Browse) {
        return Vec::new();
    }
    let Some(call) = app.browse.selected_call().cloned() else {
        app.say(
            Tone::Info,
            "No call selected: wait for the list, or change the filters",
        );
        return Vec::new();
    };
    let Some(id) = call.id.as_deref() else {
        app.say(
            Tone::Warning,
            "This call has no ID in Phonely's list, so an update cannot be sent to it",
        );
        return Vec::new();
    };
    let id = match CallId::parse(id) {
        Ok(id) => id,
        Err(e) => {
            app.say(
                Tone::Warning,
                format!("This call's ID cannot be used in an update: {e}"),
            );
            return Vec::new();
        }
    };
    let mut effects: Vec<Effect> = app.browse.close().into_iter().map(Effect::Browse).collect();
    app.modal = None;
    forget_queue_row(app);
    let placeholder = app.form.target.placeholder_text().to_string();
    app.form.target = editor_holding(id.as_str());
    app.form.target.set_placeholder_text(placeholder);
    app.form.target_kind = TargetKind::Either;
    set_focus(app, Focus::Target);
    let phone = call
        .customer_phone_number
        .as_deref()
        .map_or_else(|| "an unknown number".to_string(), |p| one_line(p, 40));
    let started = call
        .started
        .map(|t| {
            format!(
                ", {}",
                day_time(t, app.browse.answered_at, app.settings.utc_offset)
            )
        })
        .unwrap_or_default();
    let agent = app.browse.agent.as_ref().map_or("", AgentId::as_str);
    app.say(
        Tone::Info,
        format!(
            "Call {} (from {phone}{started}) is in the Target field: the update goes to this \
             call of {}",
            one_line(id.as_str(), 60),
            one_line(agent, 40)
        ),
    );
    effects.extend(form_changed(app));
    effects
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::api::calls::CallStatus;
    use crate::tui::browse::tests::{AT, page};
    use crate::tui::browse::{BrowseEffect, BrowsePage, BrowseQuery, BrowseState, Range};
    use crate::tui::calls::tests::call;

    fn browse_effects(effects: &[Effect]) -> Vec<BrowseEffect> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Browse(b) => Some(b.clone()),
                _ => None,
            })
            .collect()
    }

    fn fetched(effects: &[Effect]) -> (u64, BrowseQuery) {
        match browse_effects(effects).last() {
            Some(BrowseEffect::Fetch { generation, query }) => (*generation, query.clone()),
            other => panic!("no fetch: {other:?} in {effects:?}"),
        }
    }

    fn answer(a: &mut App, generation: u64, outcome: crate::tui::browse::BrowseOutcome) {
        update(
            a,
            Action::Browse(BrowseAction::Answered {
                generation,
                outcome,
                reference: AT,
                at: AT,
            }),
        );
    }

    /// The agent typed, the modal opened: the first page's generation.
    fn opened(a: &mut App) -> u64 {
        type_text(a, "agent123");
        let effects = update(a, Action::Browse(BrowseAction::Open));
        assert_eq!(a.modal, Some(Modal::Browse));
        let (g, q) = fetched(&effects);
        assert_eq!(
            (q.agent.as_str(), q.profile.as_str(), q.offset),
            ("agent123", "sandbox", 0)
        );
        g
    }

    #[test]
    fn without_an_agent_nothing_opens() {
        let mut a = app();
        assert!(update(&mut a, Action::Browse(BrowseAction::Open)).is_empty());
        assert_eq!(a.modal, None);
        assert!(a.status.unwrap().text.contains("Type the agent's ID first"));
        let mut a = app();
        type_text(&mut a, "agent 1 2");
        assert!(update(&mut a, Action::Browse(BrowseAction::Open)).is_empty());
        let text = a.status.unwrap().text;
        assert!(
            text.starts_with("Cannot list the agent's calls: Agent"),
            "{text}"
        );
    }

    #[test]
    fn pages_and_filters_ask_again_and_a_newer_request_supersedes() {
        let mut a = app();
        let g = opened(&mut a);
        answer(&mut a, g, Ok(page(100, Some(2_345))));
        assert_eq!(a.browse.range_line().unwrap(), "calls 1–100 of 2,345");
        let (g2, q) = fetched(&update(&mut a, Action::Browse(BrowseAction::NextPage)));
        assert_eq!((q.offset, q.reference), (100, Some(AT)));
        // `s` while page 2 is on its way: page 2 is stopped and its late answer dropped.
        let effects = update(&mut a, Action::Browse(BrowseAction::CycleStatus));
        assert_eq!(
            browse_effects(&effects)[0],
            BrowseEffect::Cancel { generation: g2 }
        );
        let (g3, q) = fetched(&effects);
        assert_eq!((q.offset, q.status), (0, Some(CallStatus::Completed)));
        answer(&mut a, g2, Ok(page(100, Some(2_345))));
        assert_eq!(a.browse.state, BrowseState::Waiting);
        let (g4, q) = fetched(&update(&mut a, Action::Browse(BrowseAction::CycleRange)));
        assert_eq!(q.range, Range::Today);
        answer(&mut a, g3, Ok(page(3, Some(3))));
        assert_eq!(a.browse.state, BrowseState::Waiting, "superseded by `d`");
        answer(&mut a, g4, Ok(page(3, Some(3))));
        assert_eq!(a.browse.calls().len(), 3);
        // The first page has no page before it: said, nothing asked.
        assert!(update(&mut a, Action::Browse(BrowseAction::PreviousPage)).is_empty());
        assert!(a.status.unwrap().text.contains("first page"));
    }

    #[test]
    fn a_failure_is_shown_in_the_modal_and_esc_stops_the_look_up() {
        let mut a = app();
        let g = opened(&mut a);
        answer(
            &mut a,
            g,
            Err("This API key has no access to this agent (HTTP 403 Forbidden)".into()),
        );
        assert!(matches!(&a.browse.state, BrowseState::Failed(m) if m.contains("403")));
        assert_eq!(
            a.modal,
            Some(Modal::Browse),
            "the failure is shown in the modal"
        );
        let (g, _) = fetched(&update(&mut a, Action::Browse(BrowseAction::Refresh)));
        let effects = update(&mut a, Action::Browse(BrowseAction::Close));
        assert_eq!(
            browse_effects(&effects),
            [BrowseEffect::Cancel { generation: g }]
        );
        assert_eq!(a.modal, None);
        answer(&mut a, g, Ok(page(3, Some(3))));
        assert!(a.browse.calls().is_empty(), "dropped after Esc");
        // The modal's keys do nothing once it is closed.
        assert!(update(&mut a, Action::Browse(BrowseAction::Refresh)).is_empty());
    }

    #[test]
    fn enter_puts_the_call_in_the_target_field_and_names_its_phone() {
        let mut a = app();
        update(&mut a, Action::Focus(Focus::Agent));
        let g = opened(&mut a);
        answer(&mut a, g, Ok(page(3, Some(3))));
        update(&mut a, Action::Browse(BrowseAction::Move(1)));
        let effects = update(&mut a, Action::Browse(BrowseAction::Use));
        assert_eq!(a.modal, None);
        assert_eq!(a.form.text(Field::Target), "call-001");
        assert_eq!(a.focus, Focus::Target);
        let text = a.status.clone().unwrap().text;
        assert_eq!(
            text,
            "Call call-001 (from +14155551234, 2026-11-02 09:01) is in the Target field: the \
             update goes to this call of agent123"
        );
        // The form reads it as a call ID: the earlier updates of that call are asked for.
        assert!(
            effects.iter().any(
                |e| matches!(e, Effect::LoadContext { target, kind: "call", .. }
                if target == "call-001")
            ),
            "{effects:?}"
        );
        let ready = a.checked.as_ref().err().map(|e| e[0].field);
        assert_ne!(ready, Some(Field::Target), "the target is valid");
    }

    #[test]
    fn a_call_without_a_usable_id_stays_out_of_the_form() {
        let mut a = app();
        let g = opened(&mut a);
        let mut no_id = call("x", "2026-11-02T09:12:00Z", 60.0, "COMPLETED");
        no_id.id = None;
        let mut hostile = call("x", "2026-11-01T09:12:00Z", 60.0, "COMPLETED");
        hostile.id = Some("bad id\u{1b}[2J".into());
        answer(
            &mut a,
            g,
            Ok(BrowsePage {
                calls: vec![no_id, hostile],
                total: Some(2),
            }),
        );
        update(&mut a, Action::Browse(BrowseAction::Use));
        assert!(a.status.clone().unwrap().text.contains("has no ID"));
        update(&mut a, Action::Browse(BrowseAction::Move(1)));
        update(&mut a, Action::Browse(BrowseAction::Use));
        let text = a.status.clone().unwrap().text;
        assert!(text.contains("cannot be used in an update"), "{text}");
        assert!(!text.contains('\u{1b}'), "{text:?}");
        assert_eq!(a.form.text(Field::Target), "");
        assert_eq!(a.modal, Some(Modal::Browse));
    }

    #[test]
    fn the_palette_opens_it() {
        let found = palette_matches("browse");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].action, Action::Browse(BrowseAction::Open));
        assert_eq!(found[0].key, "Ctrl+L");
    }
}
