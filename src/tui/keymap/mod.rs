//! `map_event(&App, &Event) -> Option<Action>`: keys to intents, pure and focus-aware, so every
//! binding has a one-line test.
//!
//! Every key is a row of one context's table ([`Binding`]): the global table
//! (`global.rs`, read first unless a dialog is open), one per focus (`bindings.rs` for the
//! panes, `form.rs` for the fields and the filter) and one per dialog (`modals.rs`). The
//! keymap, the footer ([`hints`]), F1 ([`help`]) and the command palette ([`commands`]) are all
//! read from those tables. What a table cannot say is a context's *fallback*, and there are
//! four: a text field gives every other key to its editor (`form::edit`), the palette's
//! characters are its search, the path prompt's are the path, and a production confirmation's
//! are the profile's typed name (`modals.rs`).

use crossterm::event::{Event, KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};

use super::action::{Action, PointerAction};
use super::app::{App, Focus, Modal};

/// Lines the request preview moves for Alt+↑/↓, and for PgUp/PgDn in a one-line field.
const PREVIEW_STEP: i32 = 3;
const PREVIEW_PAGE: i32 = 10;

mod bindings;
mod browse;
mod form;
mod global;
mod modals;
mod palette;
#[cfg(test)]
mod pane_tests;
#[cfg(test)]
mod table_tests;
#[cfg(test)]
mod tests;

pub use bindings::{Binding, Mods, calls_bindings, history_bindings, queue_bindings};
use bindings::{map_table, table_help, table_hints};
pub use browse::browse_bindings;
pub use form::{
    field_bindings, filter_bindings, metadata_bindings, outcome_menu_bindings, preference_bindings,
};
pub use global::{global_bindings, palette_only_bindings, quit_bindings};
pub use modals::{
    confirm_bindings, confirm_queue_bindings, detail_bindings, help_bindings, open_file_bindings,
    palette_bindings, profiles_bindings, templates_bindings, typed_confirm_bindings,
};
pub use palette::{Command, commands, palette_matches};

/// What a context does with a key no row of its table takes.
pub type Fallback = fn(&App, KeyEvent) -> Option<Action>;

/// The context that reads keys now, besides the global table: the open dialog's, or the
/// focused pane's or field's.
pub struct Context {
    /// Which context (its [`Table`]'s name).
    pub name: &'static str,
    pub table: Vec<Binding>,
    pub fallback: Option<Fallback>,
}

/// One context's table and where F1 tells it.
pub struct Table {
    /// Which context (for the tests' messages).
    pub name: &'static str,
    /// F1's section; tables with the same section follow each other. `None`: not in F1.
    pub section: Option<&'static str>,
    pub rows: Vec<Binding>,
}

/// Every context's table, in F1's order (and the palette's). The history's section stays
/// last: F1 scrolled to its end shows it.
pub fn tables() -> Vec<Table> {
    let t = |name, section, rows| Table {
        name,
        section,
        rows,
    };
    vec![
        t("global", Some("Anywhere"), global_bindings()),
        t("quit", Some("Anywhere"), quit_bindings()),
        t("form fields", Some("Form"), field_bindings()),
        t("preference", None, preference_bindings()),
        t(
            "outcome pick-list",
            Some("Outcome"),
            outcome_menu_bindings(),
        ),
        t("metadata", Some("Metadata"), metadata_bindings()),
        t("confirmation", Some("Confirmation"), confirm_bindings()),
        t(
            "production confirmation",
            Some("Confirmation"),
            typed_confirm_bindings(),
        ),
        t("queue confirmation", None, confirm_queue_bindings()),
        t(
            "profile picker",
            Some("Profile picker (F2)"),
            profiles_bindings(),
        ),
        t(
            "queue",
            Some("Queue (a batch file, Ctrl+B)"),
            queue_bindings(),
        ),
        t(
            "calls",
            Some("Calls from the number (Tab to the list)"),
            calls_bindings(),
        ),
        t(
            "browse",
            Some("Browse an agent's calls (Ctrl+L)"),
            browse_bindings(),
        ),
        t(
            "palette only",
            Some("Only in the palette (Ctrl+P or :)"),
            palette_only_bindings(),
        ),
        t("history", Some("History"), history_bindings()),
        t("filter", None, filter_bindings()),
        t("palette", None, palette_bindings()),
        t("path prompt", None, open_file_bindings()),
        t("templates", None, templates_bindings()),
        t("detail", None, detail_bindings()),
        t("help", None, help_bindings()),
    ]
}

/// The context that reads a key in this state (the global table aside).
pub fn context(app: &App) -> Context {
    let of = |name, table, fallback| Context {
        name,
        table,
        fallback,
    };
    if let Some(modal) = &app.modal {
        return match modal {
            // A production profile: the person types its name (one update's or the queue's).
            Modal::Confirm(_) | Modal::ConfirmQueue { .. } if app.profile.production() => of(
                "production confirmation",
                typed_confirm_bindings(),
                Some(modals::typed_name),
            ),
            Modal::Confirm(_) => of("confirmation", confirm_bindings(), None),
            Modal::ConfirmQueue { .. } => of("queue confirmation", confirm_queue_bindings(), None),
            Modal::Palette { .. } => {
                of("palette", palette_bindings(), Some(modals::palette_search))
            }
            Modal::OpenFile(_) => of(
                "path prompt",
                open_file_bindings(),
                Some(modals::path_typed),
            ),
            Modal::Templates { .. } => of("templates", templates_bindings(), None),
            Modal::Detail { .. } => of("detail", detail_bindings(), None),
            Modal::Profiles { .. } => of("profile picker", profiles_bindings(), None),
            Modal::Help { .. } => of("help", help_bindings(), None),
            Modal::Browse => of("browse", browse_bindings(), None),
        };
    }
    match app.focus {
        Focus::History => of("history", history_bindings(), None),
        Focus::Queue => of("queue", queue_bindings(), None),
        Focus::Calls => of("calls", calls_bindings(), None),
        Focus::Filter => of("filter", filter_bindings(), Some(form::edit)),
        Focus::Preference => of("preference", preference_bindings(), None),
        Focus::Metadata => of("metadata", metadata_bindings(), Some(form::edit)),
        Focus::Outcome if app.outcome_menu_open() => of(
            "outcome pick-list",
            outcome_menu_bindings(),
            Some(form::edit),
        ),
        Focus::Agent | Focus::Target | Focus::Outcome | Focus::Value => {
            of("form fields", field_bindings(), Some(form::edit))
        }
    }
}

pub fn map_event(app: &App, event: &Event) -> Option<Action> {
    match event {
        // Only presses: some platforms also report releases and repeats.
        Event::Key(key) if key.kind == KeyEventKind::Press => map_key(app, *key),
        Event::Paste(text) if app.modal.is_none() && app.focus.is_text() => {
            Some(Action::Paste(text.clone()))
        }
        Event::Mouse(mouse) => map_mouse(*mouse),
        Event::Resize(width, height) => Some(Action::Resized {
            width: *width,
            height: *height,
        }),
        _ => None,
    }
}

fn map_mouse(mouse: MouseEvent) -> Option<Action> {
    let (column, row) = (mouse.column, mouse.row);
    match mouse.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            Some(Action::Pointer(PointerAction::Click { column, row }))
        }
        MouseEventKind::ScrollDown => Some(Action::Pointer(PointerAction::Wheel {
            column,
            row,
            lines: 3,
        })),
        MouseEventKind::ScrollUp => Some(Action::Pointer(PointerAction::Wheel {
            column,
            row,
            lines: -3,
        })),
        _ => None,
    }
}

/// Quit first (even over a dialog), then the global table (unless a dialog is open), then the
/// context's table, then its fallback.
fn map_key(app: &App, key: KeyEvent) -> Option<Action> {
    if let Some(action) = map_table(&quit_bindings(), app, key) {
        return Some(action);
    }
    if app.modal.is_none()
        && let Some(action) = map_table(&global_bindings(), app, key)
    {
        return Some(action);
    }
    let context = context(app);
    map_table(&context.table, app, key).or_else(|| context.fallback.and_then(|f| f(app, key)))
}

/// The keys that work right now, for the footer (and the dialogs' own key lines): (key, what it
/// does).
pub fn hints(app: &App) -> Vec<(&'static str, &'static str)> {
    table_hints(&footer_rows(app), app)
}

/// The rows the footer reads now: a dialog's table, or the global hints around the context's
/// (by their `footer`) and quit last. A context's row whose every key a global row with a
/// condition takes now (Esc while a send is in flight) is left out: its hint would lie.
fn footer_rows(app: &App) -> Vec<Binding> {
    let rows = context(app).table;
    if app.modal.is_some() {
        return rows;
    }
    let global = global_bindings();
    let taken = |b: &Binding| {
        !b.keys.is_empty()
            && b.keys.iter().all(|code| {
                let key = KeyEvent::new(*code, b.mods.need);
                global.iter().any(|g| g.when.is_some() && g.takes(app, key))
            })
    };
    let rows: Vec<Binding> = rows.into_iter().filter(|b| !taken(b)).collect();
    let mut rows: Vec<Binding> = global
        .iter()
        .cloned()
        .chain(rows)
        .chain(quit_bindings())
        .collect();
    rows.sort_by_key(|b| b.footer);
    rows
}

/// A send (from the form or the queue) has not come back yet.
fn sends_in_flight(app: &App) -> bool {
    app.in_flight.is_some() || app.queue.as_ref().is_some_and(|q| !q.in_flight.is_empty())
}

/// Every binding, by context, for the help screen (F1): the tables' help lines, by section.
pub fn help() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    let mut sections: Vec<(&'static str, Vec<_>)> = Vec::new();
    for table in tables() {
        let Some(section) = table.section else {
            continue;
        };
        let lines = table_help(&table.rows);
        match sections.last_mut() {
            Some((last, keys)) if *last == section => keys.extend(lines),
            _ => sections.push((section, lines)),
        }
    }
    sections
}
