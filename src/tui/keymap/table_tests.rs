//! The tables' own checks, over every context and representative states of each: one key, one
//! row, per context; the global table shadows no context's key by accident; every footer hint
//! acts in the state it shows in (and its key reaches it); every row that only tells a key is
//! bound; every palette command has a key or a help line. Each check returns its problems, and
//! a test plants a fault to see it caught.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use ratatui_textarea::{Input, Key};

use super::pane_tests::queue_of_two;
use super::tests::{app, focused, history_row, ready, sending};
use super::*;
use crate::config::Kind;
use crate::tui::action::{CallsAction, FormAction, HistoryAction, PaletteAction, QueueAction};
use crate::tui::app::{Confirm, PathPrompt, QueueRun};
use crate::tui::effect::Effect;
use crate::tui::update::update;

fn typed(a: &mut App, text: &str) -> Vec<Effect> {
    let mut last = Vec::new();
    for c in text.chars() {
        last = update(
            a,
            Action::Edit(Input {
                key: Key::Char(c),
                ..Input::default()
            }),
        );
    }
    last
}

/// Agent and a phone number typed, and the number's calls listed; the list focused.
fn with_calls() -> App {
    let mut a = app();
    typed(&mut a, "agent123");
    update(&mut a, Action::FocusNext);
    let last = typed(&mut a, "+14155551234");
    let generation = last
        .iter()
        .find_map(|e| match e {
            Effect::Calls(crate::tui::calls::LookupEffect::Debounce { generation, .. }) => {
                Some(*generation)
            }
            _ => None,
        })
        .expect("a valid number asks for its calls");
    update(&mut a, Action::Calls(CallsAction::Due(generation)));
    update(
        &mut a,
        Action::Calls(CallsAction::Answered {
            generation,
            outcome: Ok(crate::tui::calls::tests::three_calls()),
            at: time::macros::datetime!(2026-12-03 12:45 UTC),
        }),
    );
    update(&mut a, Action::Focus(Focus::Calls));
    a
}

fn with_modal(mut a: App, modal: Modal) -> App {
    a.modal = Some(modal);
    a
}

fn production(mut a: App) -> App {
    a.profile.kind = Kind::Production;
    a
}

fn in_flight(mut a: App) -> App {
    a.in_flight = Some(sending());
    a
}

/// Representative states of every context: with and without what its rows act on, a send in
/// flight, each dialog in each of its modes.
#[allow(clippy::too_many_lines)] // a list
fn states() -> Vec<(&'static str, App)> {
    let mut out = vec![("agent, empty form", app())];
    let mut agent = app();
    typed(&mut agent, "agent123");
    out.push(("agent, typed", agent.clone()));
    let mut new_form = agent.clone();
    update(&mut new_form, Action::Form(FormAction::NewForm));
    out.push(("right after Ctrl+N", new_form));
    out.push(("agent, typed, sending", in_flight(agent.clone())));
    let mut armed = in_flight(agent.clone());
    armed.quit_armed = true;
    out.push(("quit asked once while sending", armed));
    for (name, focus) in [
        ("target", Focus::Target),
        ("value", Focus::Value),
        ("preference", Focus::Preference),
        ("metadata", Focus::Metadata),
    ] {
        out.push((name, focused(focus)));
    }
    let open = focused(Focus::Outcome);
    assert!(open.outcome_menu_open());
    out.push(("outcome, list open", open.clone()));
    out.push(("outcome, list open, sending", in_flight(open.clone())));
    let mut picked = open.clone();
    update(&mut picked, Action::Form(FormAction::OutcomeMove(1)));
    out.push(("outcome, a label highlighted", picked));
    let mut closed = open;
    closed.outcome_menu_closed = true;
    out.push(("outcome, list closed", closed));

    let mut history = focused(Focus::History);
    history.history.loading = false;
    out.push(("history, empty", history.clone()));
    out.push(("history, empty, sending", in_flight(history.clone())));
    let mut rows = history.clone();
    rows.history.rows = vec![history_row(2), history_row(1)];
    rows.history.selected = 1;
    out.push(("history, two rows", rows.clone()));
    let mut filtered = rows.clone();
    filtered.history.filter.words = vec!["sold".into()];
    out.push(("history, filtered", filtered.clone()));
    out.push(("history, filtered, sending", in_flight(filtered)));
    let mut hidden = history.clone();
    hidden.history.filter.words = vec!["nothing".into()];
    out.push(("history, a filter hides every row", hidden));
    let mut filter = rows.clone();
    update(&mut filter, Action::History(HistoryAction::OpenFilter));
    typed(&mut filter, "so");
    assert_eq!(filter.focus, Focus::Filter);
    out.push(("filter line, typed", filter.clone()));
    out.push(("filter line, sending", in_flight(filter)));
    out.push((
        "detail",
        with_modal(
            rows.clone(),
            Modal::Detail {
                record_id: 2,
                scroll: 0,
            },
        ),
    ));

    let idle = queue_of_two();
    out.push(("queue, idle", idle.clone()));
    out.push((
        "queue, idle, a form send in flight",
        in_flight(idle.clone()),
    ));
    for (name, run) in [
        ("queue, sending", QueueRun::Sending),
        ("queue, paused", QueueRun::Paused),
    ] {
        let mut q = idle.clone();
        q.queue.as_mut().unwrap().run = run;
        out.push((name, q));
    }
    let mut asked = idle.clone();
    asked.queue.as_mut().unwrap().run = QueueRun::Sending;
    asked.queue.as_mut().unwrap().closing = Some(2);
    out.push(("queue, asked once to close", asked));

    let mut calls = with_calls();
    // Mid-list, as for the history: ↑ and ↓ both move.
    calls.calls.selected = 1;
    out.push(("calls, listed", calls.clone()));
    let mut pinned = calls;
    update(&mut pinned, Action::Calls(CallsAction::TogglePin));
    out.push(("calls, one pinned", pinned));

    // Browsing an agent's calls: a first page of 100 of 250, then the second.
    let mut browsing = with_modal(app(), Modal::Browse);
    let effects = browsing.browse.open(
        "sandbox",
        crate::api::update::AgentId::parse("agent123").unwrap(),
        time::UtcOffset::UTC,
    );
    let Some(crate::tui::browse::BrowseEffect::Fetch { generation, .. }) = effects.last() else {
        panic!("{effects:?}");
    };
    browsing.browse.answered(
        *generation,
        Ok(crate::tui::browse::tests::page(100, Some(250))),
        crate::tui::browse::tests::AT,
        crate::tui::browse::tests::AT,
    );
    browsing.browse.move_by(1);
    out.push(("browse, first page", browsing.clone()));
    let mut second = browsing;
    update(
        &mut second,
        Action::Browse(crate::tui::action::BrowseAction::NextPage),
    );
    out.push(("browse, second page", second));

    out.push(("help", with_modal(app(), Modal::Help { scroll: 0 })));
    let mut two_profiles = app();
    two_profiles.profiles = vec![
        crate::tui::profiles::fallback_tag(true, &two_profiles.settings.base_url),
        crate::tui::profiles::fallback_tag(false, &two_profiles.settings.base_url),
    ];
    two_profiles.profiles[1].name = "live".into();
    out.push((
        "profile picker",
        with_modal(two_profiles, Modal::Profiles { selected: 0 }),
    ));
    let mut palette = agent.clone();
    update(&mut palette, Action::Palette(PaletteAction::Open));
    out.push(("palette", palette));
    let mut templates = focused(Focus::Metadata);
    templates.settings.prefs.metadata_templates =
        vec![("a".into(), "{}".into()), ("b".into(), "{}".into())];
    out.push((
        "templates",
        with_modal(templates, Modal::Templates { selected: 0 }),
    ));
    let mut path = with_modal(app(), Modal::OpenFile(PathPrompt::default()));
    for c in "q.csv".chars() {
        update(&mut path, Action::Queue(QueueAction::PathType(c)));
    }
    out.push(("path prompt, typed", path));

    let once = Confirm::new(ready(), None, None);
    let mut twice = Confirm::new(ready(), Some(history_row(1)), None);
    let confirms = [
        ("confirmation", once),
        ("confirmation, sent before", twice.clone()),
        ("confirmation, sent before, acknowledged", {
            twice.acknowledged = true;
            twice
        }),
    ];
    for (name, c) in confirms {
        let a = with_modal(agent.clone(), Modal::Confirm(c));
        out.push((name, a.clone()));
        out.push((name, production(a)));
    }
    for (name, duplicates, acknowledged) in [
        ("queue confirmation", vec![], false),
        ("queue confirmation, rows sent before", vec![0], false),
        (
            "queue confirmation, rows sent before, acknowledged",
            vec![0],
            true,
        ),
    ] {
        let a = with_modal(
            queue_of_two(),
            Modal::ConfirmQueue {
                rows: 2,
                duplicates,
                acknowledged,
            },
        );
        out.push((name, a.clone()));
        out.push((name, production(a)));
    }
    out
}

/// Two rows of one table for one key (and modifiers one press could hold for both), the
/// earlier taking it unconditionally: the later never acts, and its hint or help would lie.
fn duplicate_problems(name: &str, rows: &[Binding]) -> Vec<String> {
    let mut problems = Vec::new();
    for (i, first) in rows.iter().enumerate() {
        for later in &rows[i + 1..] {
            for key in first.keys {
                if first.when.is_none()
                    && later.keys.contains(key)
                    && first.mods.overlaps(later.mods)
                {
                    problems.push(format!(
                        "{name}: {key:?} is bound twice ({:?} and {:?})",
                        first.action, later.action
                    ));
                }
            }
        }
    }
    problems
}

/// A global row (or quit) without a condition that takes a context row's key as the row means
/// it (its code, with the modifiers it needs). A global row with a condition takes its key only
/// while that holds, by design (Esc cancels a send from any pane); the footer check below
/// makes sure no hint then promises the context's meaning.
fn shadow_problems(over: &[Binding], name: &str, rows: &[Binding]) -> Vec<String> {
    let mut problems = Vec::new();
    for g in over.iter().filter(|g| g.when.is_none()) {
        for row in rows {
            for key in row.keys {
                if g.keys.contains(key) && g.mods.accepts(row.mods.need) {
                    problems.push(format!(
                        "{name}: {key:?} for {:?} is taken first by the global {:?}",
                        row.action, g.action
                    ));
                }
            }
        }
    }
    problems
}

/// The footer in this state, row by row: each hint's action changes the App or asks the
/// runtime for something; its key (one of its row's, pressed as the row means it) reaches that
/// action here; no key is shown twice.
fn footer_problems(name: &str, app: &App, rows: &[Binding], probes: &[Event]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut keys_shown = Vec::new();
    for row in rows {
        let Some((key, label)) = row.shown(app) else {
            continue;
        };
        if keys_shown.contains(&key) {
            problems.push(format!("{name}: {key} is shown twice"));
        }
        keys_shown.push(key);
        let mut after = app.clone();
        let effects = update(&mut after, row.action.clone());
        if effects.is_empty() && format!("{after:?}") == format!("{app:?}") {
            problems.push(format!("{name}: \"{key} {label}\" does nothing"));
        }
        let press = |code: &KeyCode| Event::Key(KeyEvent::new(*code, row.mods.need));
        let reached = if row.keys.is_empty() {
            // Told here, bound elsewhere: some key does it here.
            probes
                .iter()
                .any(|e| map_event(app, e) == Some(row.action.clone()))
        } else {
            row.keys
                .iter()
                .any(|code| map_event(app, &press(code)) == Some(row.action.clone()))
        };
        if !reached {
            problems.push(format!(
                "{name}: \"{key} {label}\" is shown but its key does something else"
            ));
        }
    }
    problems
}

/// Every key any table binds (as it means it), letters with and without Ctrl, a paste and a
/// click: what a told row's action must be reached by.
fn probes() -> Vec<Event> {
    let mut keys: Vec<KeyEvent> = tables()
        .iter()
        .flat_map(|t| t.rows.iter())
        .flat_map(|b| b.keys.iter().map(|k| KeyEvent::new(*k, b.mods.need)))
        .collect();
    for c in 'a'..='z' {
        keys.push(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        keys.push(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    }
    keys.push(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    let mut events: Vec<Event> = keys.into_iter().map(Event::Key).collect();
    events.push(Event::Paste(String::new()));
    events.push(Event::Mouse(MouseEvent {
        kind: MouseEventKind::Down(crossterm::event::MouseButton::Left),
        column: 0,
        row: 0,
        modifiers: KeyModifiers::NONE,
    }));
    events
}

/// A row with no keys tells a key bound elsewhere (the footer check holds its hint to the state
/// it shows in): some key, the paste or a click does its action in some state. The palette-only
/// commands are the exception: they have no key by design.
fn told_problems(table: &Table, states: &[(&str, App)], probes: &[Event]) -> Vec<String> {
    table
        .rows
        .iter()
        .filter(|b| b.keys.is_empty() && table.name != "palette only")
        .filter(|b| {
            !states.iter().any(|(_, a)| {
                probes
                    .iter()
                    .any(|e| map_event(a, e) == Some(b.action.clone()))
            })
        })
        .map(|b| format!("{}: {:?} is told but no key does it", table.name, b.action))
        .collect()
}

/// A global row with a condition takes this key now: it wins over the context's row, by design.
fn global_takes(app: &App, event: &Event) -> bool {
    let Event::Key(key) = event else {
        return false;
    };
    app.modal.is_none()
        && global_bindings()
            .iter()
            .any(|g| g.when.is_some() && g.takes(app, *key))
}

#[test]
fn no_key_is_bound_twice_in_a_context() {
    let problems: Vec<String> = tables()
        .iter()
        .flat_map(|t| duplicate_problems(t.name, &t.rows))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
    // The check fails on a second row for a key, and not on a row taken only on a condition.
    let mut planted = history_bindings();
    planted.push(Binding::new(&[KeyCode::Char('e')], Action::Quit));
    assert_eq!(duplicate_problems("history", &planted).len(), 1);
    let guarded = outcome_menu_bindings();
    assert!(guarded.iter().filter(|b| b.keys == [KeyCode::Up]).count() == 2);
    assert!(duplicate_problems("outcome", &guarded).is_empty());
    // Ctrl+x and a plain x do not clash; Ctrl+x and any-modifier x do.
    let ctrl_x = Binding::new(&[KeyCode::Char('x')], Action::Quit).mods(Mods::CTRL);
    let plain_x = Binding::new(&[KeyCode::Char('x')], Action::OpenHelp).mods(Mods::PLAIN);
    let any_x = Binding::new(&[KeyCode::Char('x')], Action::OpenHelp);
    assert!(duplicate_problems("t", &[ctrl_x.clone(), plain_x]).is_empty());
    assert_eq!(duplicate_problems("t", &[ctrl_x, any_x]).len(), 1);
}

#[test]
fn the_global_keys_shadow_no_context_key_unless_on_a_condition() {
    let (global, quit, states) = (global_bindings(), quit_bindings(), states());
    let mut problems = Vec::new();
    for table in tables().iter().filter(|t| t.name != "quit") {
        problems.extend(shadow_problems(&quit, table.name, &table.rows));
        let dialog = states
            .iter()
            .any(|(_, a)| a.modal.is_some() && context(a).name == table.name);
        if !matches!(table.name, "global" | "quit") && !dialog {
            problems.extend(shadow_problems(&global, table.name, &table.rows));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    // The check fails on a pane key the global table takes first.
    let planted = [Binding::new(&[KeyCode::F(2)], Action::OpenHelp)];
    assert_eq!(shadow_problems(&global, "history", &planted).len(), 1);
}

/// Every context is the one that reads keys in some state below, so the checks reach it.
#[test]
fn the_states_cover_every_context() {
    let states = states();
    for table in tables() {
        if matches!(table.name, "global" | "quit" | "palette only") {
            continue;
        }
        assert!(
            states.iter().any(|(_, a)| context(a).name == table.name),
            "no state reads keys with the {} table",
            table.name
        );
    }
}

#[test]
fn every_footer_hint_acts_in_its_state_and_its_key_reaches_it() {
    let (mut problems, probes) = (Vec::new(), probes());
    for (name, app) in states() {
        problems.extend(footer_problems(name, &app, &footer_rows(&app), &probes));
    }
    assert!(problems.is_empty(), "{problems:#?}");
    // The check fails on a hint that does nothing here, and on one whose key does another
    // thing (the global Ctrl+S is "send" while a pane says its key is ^S for something else).
    let (name, app) = ("history, empty", focused(Focus::History));
    let mut rows = footer_rows(&app);
    rows.push(Binding::told(Action::ModalScroll(1)).hint("z", "scroll"));
    rows.push(
        Binding::new(&[KeyCode::Char('s')], Action::OpenHelp)
            .mods(Mods::CTRL)
            .hint("^H", "help"),
    );
    let planted = footer_problems(name, &app, &rows, &probes);
    assert!(
        planted
            .iter()
            .any(|p| p.contains("\"z scroll\" does nothing")),
        "{planted:?}"
    );
    assert!(
        planted
            .iter()
            .any(|p| p.contains("\"^H help\" is shown but its key")),
        "{planted:?}"
    );
}

#[test]
fn every_told_row_is_bound_somewhere() {
    let (states, probes) = (states(), probes());
    let problems: Vec<String> = tables()
        .iter()
        .flat_map(|t| told_problems(t, &states, &probes))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
    let planted = Table {
        name: "history",
        section: None,
        rows: vec![Binding::told(Action::ModalScroll(7)).hint("?", "nothing")],
    };
    assert_eq!(told_problems(&planted, &states, &probes).len(), 1);
}

/// A palette command is a row with a key, or (the palette-only ones) a row with an F1 line;
/// the palette lists every such row, by a name used once, with the key its row binds.
#[test]
fn every_palette_command_has_a_binding_or_a_help_line() {
    let rows: Vec<Binding> = tables().into_iter().flat_map(|t| t.rows).collect();
    for b in rows.iter().filter(|b| b.command.is_some()) {
        assert!(
            !b.keys.is_empty() || b.help.is_some(),
            "{:?} has no key and no help line",
            b.command
        );
    }
    let commands = commands();
    assert_eq!(
        commands.len(),
        rows.iter().filter(|b| b.command.is_some()).count()
    );
    let names: std::collections::HashSet<_> = commands.iter().map(|c| c.name).collect();
    assert_eq!(names.len(), commands.len(), "a name is used twice");
    let key = |name: &str| {
        commands
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.key.clone())
    };
    assert_eq!(key("Send the update").as_deref(), Some("Ctrl+S"));
    assert_eq!(key("Quit").as_deref(), Some("Ctrl+Q"));
    assert_eq!(key("Switch profile (account)").as_deref(), Some("F2"));
    assert_eq!(key("Resend the selected update").as_deref(), Some("r"));
    assert_eq!(key("Go to the queue").as_deref(), Some(""));
    // Each command with a key runs what its key does, in its context.
    let states = states();
    for table in tables() {
        let global = matches!(table.name, "global" | "quit");
        for row in table.rows.iter().filter(|b| b.command.is_some()) {
            let Some(code) = row.keys.first() else {
                continue;
            };
            let press = Event::Key(KeyEvent::new(*code, row.mods.need));
            for (name, app) in &states {
                let here = if global {
                    app.modal.is_none()
                } else {
                    context(app).name == table.name
                };
                let shadowed = !global && global_takes(app, &press);
                if here && row.when.is_none_or(|w| w(app)) && !shadowed {
                    assert_eq!(
                        map_event(app, &press),
                        Some(row.action.clone()),
                        "{name}: {:?}",
                        row.command
                    );
                }
            }
        }
    }
}

/// F1 is read from the tables: every help line of every table with a section, in order, and
/// the palette-only commands too.
#[test]
fn f1_is_the_tables_help_lines() {
    let sections = help();
    let lines: usize = sections.iter().map(|(_, keys)| keys.len()).sum();
    let expected: usize = tables()
        .iter()
        .filter(|t| t.section.is_some())
        .map(|t| t.rows.iter().filter(|b| b.help.is_some()).count())
        .sum();
    assert_eq!(lines, expected);
    let names: Vec<&str> = sections.iter().map(|(s, _)| *s).collect();
    assert_eq!(names.first(), Some(&"Anywhere"));
    assert_eq!(
        names.last(),
        Some(&"History"),
        "F1 scrolled to its end shows the history"
    );
    assert!(names.contains(&"Only in the palette (Ctrl+P or :)"));
    let anywhere = &sections[0].1;
    assert_eq!(anywhere.last(), Some(&("Ctrl+Q / Ctrl+C", "quit")));
    // A production confirmation's line sits with the other confirmation keys.
    let confirmation = sections
        .iter()
        .find(|(s, _)| *s == "Confirmation")
        .map(|(_, keys)| keys.clone())
        .unwrap_or_default();
    assert_eq!(
        confirmation.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        ["Enter / y", "Esc / n", "(production)"]
    );
}
