//! The history pane's Team view (`t`): everyone's updates from the team log, with who sent them,
//! the same `/` filter as this laptop's rows, paged in as the selection moves down. Moving and
//! paging are here; the filter line is `history`'s (the dispatcher calls [`follow_filter`] after
//! it, so a changed filter asks the team log again). Rows are for reading: what is done with a
//! row (details, edit, resend, copy) is for this laptop's history.

use crate::history::Filter;
use crate::tui::action::HistoryAction;
use crate::tui::app::{App, HISTORY_PAGE, TeamView, Tone};
use crate::tui::effect::Effect;

/// How close to the end of the loaded rows the selection may come before the next page loads.
const PAGE_AHEAD: usize = 20;

/// Whether this history action is the Team view's to handle now.
pub(super) fn handles(app: &App, action: &HistoryAction) -> bool {
    use HistoryAction as H;
    match action {
        H::ToggleTeam | H::TeamLoaded { .. } | H::TeamFailed { .. } => true,
        H::Move(_)
        | H::Home
        | H::End
        | H::OpenDetail
        | H::LoadIntoForm
        | H::Resend
        | H::CopyCurl
        | H::CopyResponse
        | H::CopyCallId => app.history.team.is_some(),
        _ => false,
    }
}

pub(super) fn apply(app: &mut App, action: HistoryAction) -> Vec<Effect> {
    use HistoryAction as H;
    match action {
        H::ToggleTeam => {
            if app.history.team.take().is_some() {
                app.history.team_generation += 1;
                return Vec::new();
            }
            app.history.team = Some(TeamView::default());
            return reload(app);
        }
        H::TeamLoaded {
            generation,
            first,
            rows,
            exhausted,
        } => {
            if generation != app.history.team_generation {
                return Vec::new();
            }
            if let Some(t) = app.history.team.as_mut() {
                t.loading = false;
                t.exhausted = exhausted;
                t.error = None;
                if first {
                    t.rows.clear();
                    t.selected = 0;
                }
                for row in rows {
                    // A row written between two pages is not shown twice.
                    if !t.rows.iter().any(|r| r.uuid == row.uuid) {
                        t.rows.push(row);
                    }
                }
            }
        }
        H::TeamFailed {
            generation,
            message,
        } => {
            if generation == app.history.team_generation
                && let Some(t) = app.history.team.as_mut()
            {
                t.loading = false;
                t.error = Some(message);
            }
        }
        H::Move(delta) => {
            if let Some(t) = app.history.team.as_mut()
                && !t.rows.is_empty()
            {
                t.selected = t
                    .selected
                    .saturating_add_signed(delta)
                    .min(t.rows.len() - 1);
            }
            return more(app);
        }
        H::Home => {
            if let Some(t) = app.history.team.as_mut() {
                t.selected = 0;
            }
        }
        H::End => {
            if let Some(t) = app.history.team.as_mut() {
                t.selected = t.rows.len().saturating_sub(1);
            }
            return more(app);
        }
        _ => app.say(
            Tone::Info,
            "The Team view is for reading: press t for this laptop's history to open, edit, \
             resend or copy an update",
        ),
    }
    Vec::new()
}

/// Ctrl+F in the Team view: the selected row's call as `call:ID` (the team log finds it through
/// its indexes), for the dispatcher to put in the filter line. `None` outside the Team view's
/// rows or without a selected row.
pub(super) fn selected_call(app: &App) -> Option<String> {
    use crate::tui::app::Focus;
    if !matches!(app.focus, Focus::History | Focus::Filter) {
        return None;
    }
    let t = app.history.team.as_ref()?;
    let r = t.rows.get(t.selected)?;
    let call = r
        .resolved_call_id
        .clone()
        .unwrap_or_else(|| r.target.clone());
    Some(format!("call:{call}"))
}

/// After the filter line changed: the Team view asks the team log again for the new filter.
pub(super) fn follow_filter(app: &mut App) -> Vec<Effect> {
    match &app.history.team {
        Some(t) if t.filter != app.history.filter => reload(app),
        _ => Vec::new(),
    }
}

/// The first page for the current filter (older answers are dropped by their generation).
fn reload(app: &mut App) -> Vec<Effect> {
    let h = &mut app.history;
    h.team_generation += 1;
    let filter: Filter = h.filter.clone();
    let Some(t) = h.team.as_mut() else {
        return Vec::new();
    };
    t.filter = filter.clone();
    t.loading = true;
    t.exhausted = false;
    vec![Effect::LoadTeam {
        generation: h.team_generation,
        filter,
        after: None,
        limit: HISTORY_PAGE,
    }]
}

/// Asks for the next page when the selection nears the end of what is loaded.
fn more(app: &mut App) -> Vec<Effect> {
    let generation = app.history.team_generation;
    let Some(t) = app.history.team.as_mut() else {
        return Vec::new();
    };
    if t.loading || t.exhausted || t.error.is_some() || t.selected + PAGE_AHEAD < t.rows.len() {
        return Vec::new();
    }
    let Some(last) = t.rows.last() else {
        return Vec::new();
    };
    t.loading = true;
    vec![Effect::LoadTeam {
        generation,
        filter: t.filter.clone(),
        after: Some(phonely_team::search::Cursor {
            created_ms: last.created_ms,
            uuid: last.uuid,
        }),
        limit: HISTORY_PAGE,
    }]
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::tui::action::{Action, HistoryAction};
    use crate::tui::app::HISTORY_PAGE;
    use crate::tui::effect::Effect;
    use crate::tui::update::update;

    fn team_rows(n: usize, newest_ms: i64) -> Vec<phonely_team::TeamRow> {
        (0..n)
            .map(|i| {
                let ms = newest_ms - i64::try_from(i).unwrap();
                phonely_team::testing::pending_row("Ana", "agent1", &format!("call{i}"), ms)
            })
            .collect()
    }

    fn loads(effects: &[Effect]) -> Vec<(u64, String, bool)> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::LoadTeam {
                    generation,
                    filter,
                    after,
                    ..
                } => Some((*generation, filter.words.join(" "), after.is_some())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn t_opens_the_team_view_with_the_filter_and_closes_it() {
        let mut a = filled();
        press_filter(&mut a, "call7");
        update(&mut a, Action::History(HistoryAction::KeepFilter));
        let effects = update(&mut a, Action::History(HistoryAction::ToggleTeam));
        let asked = loads(&effects);
        assert_eq!(asked.len(), 1, "{effects:?}");
        assert_eq!(asked[0].1, "call7", "the same filter");
        assert!(!asked[0].2, "the first page");
        assert!(a.history.team.as_ref().unwrap().loading);
        let generation = asked[0].0;
        update(
            &mut a,
            Action::History(HistoryAction::TeamLoaded {
                generation,
                first: true,
                rows: team_rows(3, 1000),
                exhausted: true,
            }),
        );
        let team = a.history.team.as_ref().unwrap();
        assert_eq!(team.rows.len(), 3);
        assert!(!team.loading);
        // t again: this laptop's rows, and a late answer for the Team view is dropped.
        assert!(update(&mut a, Action::History(HistoryAction::ToggleTeam)).is_empty());
        assert!(a.history.team.is_none());
        update(
            &mut a,
            Action::History(HistoryAction::TeamLoaded {
                generation,
                first: true,
                rows: team_rows(1, 5),
                exhausted: true,
            }),
        );
        assert!(a.history.team.is_none());
    }

    #[test]
    fn the_team_view_pages_in_by_cursor_and_follows_the_filter() {
        let mut a = filled();
        let effects = update(&mut a, Action::History(HistoryAction::ToggleTeam));
        let generation = loads(&effects)[0].0;
        let page = team_rows(HISTORY_PAGE, 1_000_000);
        let last = page.last().unwrap().clone();
        update(
            &mut a,
            Action::History(HistoryAction::TeamLoaded {
                generation,
                first: true,
                rows: page,
                exhausted: false,
            }),
        );
        // Far from the end: nothing asked; near it: the next page, after the last row.
        assert!(loads(&update(&mut a, Action::History(HistoryAction::Move(10)))).is_empty());
        let effects = update(&mut a, Action::History(HistoryAction::End));
        let Some(Effect::LoadTeam { after, .. }) = effects.first() else {
            panic!("{effects:?}");
        };
        assert_eq!(after.unwrap().uuid, last.uuid);
        assert_eq!(after.unwrap().created_ms, last.created_ms);
        assert_eq!(a.history.team.as_ref().unwrap().selected, HISTORY_PAGE - 1);
        // Typing a filter asks the team log again, from the first page, for the new filter.
        let effects = press_filter(&mut a, "x");
        let asked = loads(&effects);
        assert_eq!(asked.len(), 1, "{effects:?}");
        assert_eq!(asked[0].1, "x");
        assert!(!asked[0].2);
        assert!(asked[0].0 > generation);
        // The older page's answer is dropped.
        update(
            &mut a,
            Action::History(HistoryAction::TeamLoaded {
                generation,
                first: false,
                rows: team_rows(5, 10),
                exhausted: true,
            }),
        );
        assert_eq!(a.history.team.as_ref().unwrap().rows.len(), HISTORY_PAGE);
    }

    #[test]
    fn ctrl_f_in_the_team_view_filters_to_the_selected_rows_call() {
        let mut a = filled();
        update(&mut a, Action::Focus(crate::tui::app::Focus::History));
        let effects = update(&mut a, Action::History(HistoryAction::ToggleTeam));
        let generation = loads(&effects)[0].0;
        update(
            &mut a,
            Action::History(HistoryAction::TeamLoaded {
                generation,
                first: true,
                rows: team_rows(3, 1000),
                exhausted: true,
            }),
        );
        update(&mut a, Action::History(HistoryAction::Move(1)));
        let effects = update(&mut a, Action::History(HistoryAction::FilterToCall));
        assert_eq!(a.history.filter.call.as_deref(), Some("call1"));
        assert_eq!(a.history.filter_input.lines().join(""), "call:call1");
        let asked: Vec<_> = effects
            .iter()
            .filter_map(|e| match e {
                Effect::LoadTeam { filter, .. } => Some(filter.call.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(asked, [Some("call1".to_string())], "{effects:?}");
        assert!(a.history.team.is_some(), "still the Team view");
    }

    #[test]
    fn a_team_log_that_cannot_be_read_says_so_and_rows_are_for_reading() {
        let mut a = filled();
        let effects = update(&mut a, Action::History(HistoryAction::ToggleTeam));
        let generation = loads(&effects)[0].0;
        update(
            &mut a,
            Action::History(HistoryAction::TeamFailed {
                generation,
                message: "The team log could not be read: offline".into(),
            }),
        );
        let team = a.history.team.as_ref().unwrap();
        assert!(!team.loading);
        assert!(team.error.as_deref().unwrap().contains("offline"));
        // No page is asked for while it cannot be read.
        assert!(loads(&update(&mut a, Action::History(HistoryAction::End))).is_empty());
        let effects = update(&mut a, Action::History(HistoryAction::Resend));
        assert!(effects.is_empty(), "nothing is sent from the Team view");
        assert!(a.status.as_ref().unwrap().text.contains("press t"));
    }
}
