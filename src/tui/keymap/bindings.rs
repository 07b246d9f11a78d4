//! Key bindings as data: a pane's table (keys, action, footer hint, F1 line, when it acts), from
//! which its keymap, footer and help section are read; and the help screen's sections.

use crossterm::event::{KeyCode, KeyEvent};

use crate::tui::action::{
    Action, CallsAction, HistoryAction, PaletteAction, QueueAction, SendAction,
};
use crate::tui::app::{App, QueueRun};

/// One key binding of a pane: its keys, what it does, and how the footer and F1 name it. The
/// pane's keymap, its footer hints and its help section are all read from one table, so they
/// cannot disagree.
pub struct Binding {
    pub keys: &'static [KeyCode],
    pub action: Action,
    /// The footer's (key, label); `None`: not in the footer.
    pub hint: Option<(&'static str, &'static str)>,
    /// The footer's label when it follows the state (e.g. "pause" / "go on").
    pub relabel: Option<fn(&App) -> &'static str>,
    /// F1's (keys, what it does); `None`: told on another binding's line (e.g. `b / c`).
    pub help: Option<(&'static str, &'static str)>,
    /// Whether it does something now: its hint shows only then.
    pub live: fn(&App) -> bool,
}

/// The history pane's bindings, in the order of the footer and of F1's section.
pub fn history_bindings() -> Vec<Binding> {
    use HistoryAction as H;
    let always = |_: &App| true;
    // Moving works on the rows shown (this laptop's or the Team view's); what is done with a
    // row (details, edit, resend, copy) on this laptop's only.
    let rows = |a: &App| match &a.history.team {
        Some(team) => !team.rows.is_empty(),
        None => !a.history.rows.is_empty(),
    };
    let local_rows = |a: &App| a.history.team.is_none() && !a.history.rows.is_empty();
    let filtered = |a: &App| !a.history.filter.is_empty();
    let b = |keys, action, hint, help, live| Binding {
        keys,
        action,
        hint,
        relabel: None,
        help,
        live,
    };
    vec![
        b(
            &[KeyCode::Up, KeyCode::Char('k')],
            Action::History(H::Move(-1)),
            Some(("↑↓", "move")),
            Some(("↑ ↓ / k j", "move")),
            rows,
        ),
        b(
            &[KeyCode::Down, KeyCode::Char('j')],
            Action::History(H::Move(1)),
            None,
            None,
            rows,
        ),
        b(
            &[KeyCode::PageUp],
            Action::History(H::Move(-10)),
            None,
            Some(("PgUp / PgDn, Home / End", "jump")),
            rows,
        ),
        b(
            &[KeyCode::PageDown],
            Action::History(H::Move(10)),
            None,
            None,
            rows,
        ),
        b(
            &[KeyCode::Home, KeyCode::Char('g')],
            Action::History(H::Home),
            None,
            None,
            rows,
        ),
        b(
            &[KeyCode::End, KeyCode::Char('G')],
            Action::History(H::End),
            None,
            None,
            rows,
        ),
        b(
            &[KeyCode::Enter],
            Action::History(H::OpenDetail),
            Some(("Enter", "details")),
            Some(("Enter", "full request and response")),
            local_rows,
        ),
        b(
            &[KeyCode::Char('/')],
            Action::History(H::OpenFilter),
            Some(("/", "filter")),
            Some((
                "/",
                "filter: words, a phone as typed, a number (a value too), value:N, \
                 state:failed, state:unknown, profile:NAME, call:ID",
            )),
            always,
        ),
        b(
            &[KeyCode::Char('e')],
            Action::History(H::LoadIntoForm),
            Some(("e", "edit")),
            Some(("e", "put the update in the form to change and send again")),
            local_rows,
        ),
        b(
            &[KeyCode::Char('r')],
            Action::History(H::Resend),
            Some(("r", "resend")),
            Some(("r", "send it again as it was (asks first)")),
            local_rows,
        ),
        b(
            &[KeyCode::Char('y')],
            Action::History(H::CopyCurl),
            Some(("y", "copy curl")),
            Some((
                "y",
                "copy it as a curl command (the key stays $PHONELY_API_KEY)",
            )),
            local_rows,
        ),
        b(
            &[KeyCode::Char('b')],
            Action::History(H::CopyResponse),
            Some(("b", "copy response")),
            Some(("b / c", "copy its response body / the call id")),
            local_rows,
        ),
        b(
            &[KeyCode::Char('c')],
            Action::History(H::CopyCallId),
            Some(("c", "copy call id")),
            None,
            local_rows,
        ),
        Binding {
            keys: &[KeyCode::Char('t')],
            action: Action::History(H::ToggleTeam),
            hint: Some(("t", "team")),
            relabel: Some(|a| {
                if a.history.team.is_some() {
                    "this laptop"
                } else {
                    "team"
                }
            }),
            help: Some((
                "t",
                "switch between this laptop's history and the Team view (everyone's updates, \
                 from the team log, with who sent them)",
            )),
            live: always,
        },
        // Rows found by a filter: Esc shows everything again.
        b(
            &[KeyCode::Esc],
            Action::History(H::ClearFilter),
            Some(("Esc", "clear filter")),
            Some(("Esc", "clear the filter")),
            filtered,
        ),
        b(
            &[KeyCode::Char(':')],
            Action::Palette(PaletteAction::Open),
            None,
            Some((":", "command palette")),
            always,
        ),
        // Told under "Anywhere" (F1, also ? outside text fields).
        b(&[KeyCode::Char('?')], Action::OpenHelp, None, None, always),
    ]
}

/// The queue pane's bindings, in the order of the footer and of F1's section.
pub fn queue_bindings() -> Vec<Binding> {
    use QueueAction as Q;
    fn run(a: &App) -> Option<QueueRun> {
        a.queue.as_ref().map(|q| q.run)
    }

    let always = |_: &App| true;
    let b = |keys, action, hint, help| Binding {
        keys,
        action,
        hint,
        relabel: None,
        help,
        live: always,
    };
    vec![
        b(
            &[KeyCode::Up, KeyCode::Char('k')],
            Action::Queue(Q::Move(-1)),
            Some(("↑↓", "move")),
            Some(("↑ ↓ / k j", "move")),
        ),
        b(
            &[KeyCode::Down, KeyCode::Char('j')],
            Action::Queue(Q::Move(1)),
            None,
            None,
        ),
        b(&[KeyCode::PageUp], Action::Queue(Q::Move(-10)), None, None),
        b(&[KeyCode::PageDown], Action::Queue(Q::Move(10)), None, None),
        b(
            &[KeyCode::Enter],
            Action::Queue(Q::LoadRow),
            Some(("Enter", "to the form")),
            Some((
                "Enter",
                "put the row in the form to fix it; Ctrl+S there sends it",
            )),
        ),
        b(
            &[KeyCode::Char('x'), KeyCode::Char(' ')],
            Action::Queue(Q::ToggleExclude),
            Some(("x", "exclude")),
            Some(("x / Space", "leave the row out, or put it back")),
        ),
        // Bound everywhere (the keymap gives Ctrl+S to the send before any pane): no keys here.
        b(
            &[],
            Action::Send(SendAction::Request),
            Some(("^S", "send queue")),
            Some((
                "Ctrl+S",
                "send the ready rows (asks first, like one update)",
            )),
        ),
        Binding {
            relabel: Some(|a| {
                if run(a) == Some(QueueRun::Paused) {
                    "go on"
                } else {
                    "pause"
                }
            }),
            live: |a| run(a).is_some_and(QueueRun::started),
            ..b(
                &[KeyCode::Char('p')],
                Action::Queue(Q::Pause),
                Some(("p", "pause")),
                Some((
                    "p",
                    "pause: rows in flight finish, no new ones leave; p again goes on",
                )),
            )
        },
        Binding {
            relabel: Some(|a| {
                if a.queue.as_ref().is_some_and(|q| q.closing.is_some()) {
                    "close anyway"
                } else {
                    "close"
                }
            }),
            ..b(
                &[KeyCode::Esc, KeyCode::Char('q')],
                Action::Queue(Q::Close),
                Some(("q", "close")),
                Some(("q / Esc", "close the queue (when nothing is sending)")),
            )
        },
        b(&[KeyCode::Char('?')], Action::OpenHelp, None, None),
        b(
            &[KeyCode::Char(':')],
            Action::Palette(PaletteAction::Open),
            None,
            None,
        ),
    ]
}

/// The calls list's bindings (issue 14), in the order of the footer and of F1's section.
pub fn calls_bindings() -> Vec<Binding> {
    use CallsAction as C;
    let always = |_: &App| true;
    let calls = |a: &App| !a.calls.calls().is_empty();
    let pinned = |a: &App| a.calls.pinned().is_some();
    let b = |keys, action, hint, help, live| Binding {
        keys,
        action,
        hint,
        relabel: None,
        help,
        live,
    };
    vec![
        b(
            &[KeyCode::Up, KeyCode::Char('k')],
            Action::Calls(C::Move(-1)),
            Some(("↑↓", "move")),
            Some(("↑ ↓ / k j", "move")),
            calls,
        ),
        b(
            &[KeyCode::Down, KeyCode::Char('j')],
            Action::Calls(C::Move(1)),
            None,
            None,
            calls,
        ),
        b(
            &[KeyCode::Char('p'), KeyCode::Enter],
            Action::Calls(C::TogglePin),
            Some(("p", "pin call")),
            Some((
                "p / Enter",
                "pin the selected call: the update goes to it, not by preference (again: unpin)",
            )),
            calls,
        ),
        b(
            &[KeyCode::Char('u')],
            Action::Calls(C::Unpin),
            Some(("u", "unpin")),
            Some(("u", "unpin: the update goes by phone and preference again")),
            pinned,
        ),
        // Bound from the form's Agent, Target and Preference too (the keymap, before any pane).
        b(
            &[],
            Action::Calls(C::Refresh),
            Some(("^R", "refresh")),
            Some((
                "Ctrl+R",
                "look the calls up again (also from Agent, Target, Preference)",
            )),
            always,
        ),
        b(&[KeyCode::Char('?')], Action::OpenHelp, None, None, always),
        b(
            &[KeyCode::Char(':')],
            Action::Palette(PaletteAction::Open),
            None,
            None,
            always,
        ),
    ]
}

/// A key in a pane, by its table. (Keys act whether or not their hint shows: one that has
/// nothing to act on says so, or does nothing.)
pub(super) fn map_table(table: &[Binding], key: KeyEvent) -> Option<Action> {
    table
        .iter()
        .find(|b| b.keys.contains(&key.code))
        .map(|b| b.action.clone())
}

/// The footer hints of a pane's table that act now.
pub(super) fn table_hints(table: &[Binding], app: &App) -> Vec<(&'static str, &'static str)> {
    table
        .iter()
        .filter(|b| (b.live)(app))
        .filter_map(|b| {
            let (key, label) = b.hint?;
            Some((key, b.relabel.map_or(label, |f| f(app))))
        })
        .collect()
}

/// F1's lines for a pane's table.
fn table_help(table: &[Binding]) -> Vec<(&'static str, &'static str)> {
    table.iter().filter_map(|b| b.help).collect()
}

/// The help screen's sections whose keys are not (yet) in a pane's table.
const HELP: &[(&str, &[(&str, &str)])] = &[
    (
        "Anywhere",
        &[
            ("Ctrl+S", "check the form and ask to send it"),
            ("Tab / Shift+Tab", "next / previous field or pane"),
            ("F1", "this help (also ? outside text fields)"),
            (
                "Ctrl+F",
                "every update for the call in the form (or the history row)",
            ),
            ("F2", "choose the profile (account); the form is kept"),
            (
                "Ctrl+B",
                "open a batch file (CSV or JSON Lines) into the queue",
            ),
            ("Ctrl+N", "new form (Ctrl+Z right after: undo)"),
            ("Ctrl+P / :", "command palette: every action by name"),
            ("F12", "mouse on/off (off: the terminal selects text)"),
            ("Mouse", "click a field or pane; the wheel scrolls"),
            ("Esc", "cancel the send in flight"),
            ("Ctrl+Q / Ctrl+C", "quit"),
        ],
    ),
    (
        "Form",
        &[
            ("Enter / ↓", "next field (in Metadata: new line)"),
            ("↑", "previous field"),
            (
                "← → / Space",
                "Preference: last or first call from the number",
            ),
            ("Ctrl+Z / Ctrl+Y", "undo / redo in a field"),
            ("Ctrl+A / Ctrl+E", "start / end of line"),
            (
                "Ctrl+U / Ctrl+K",
                "clear the field / delete to the end of the line",
            ),
            ("Ctrl+W", "delete the word before the cursor"),
            (
                "Alt+↑ / Alt+↓",
                "scroll the request preview; PgUp / PgDn in a field",
            ),
        ],
    ),
    (
        "Outcome",
        &[
            (
                "typing",
                "the pick-list shows presets and labels used before",
            ),
            ("↓ ↑", "choose in the pick-list"),
            ("Tab / Enter", "take the highlighted label and move on"),
            ("Esc", "close the list and keep what is typed"),
        ],
    ),
    (
        "Metadata",
        &[
            ("Enter", "new line"),
            ("Ctrl+O", "format the JSON; turns key=value lines into JSON"),
            ("Ctrl+U", "delete to the start of the line"),
            ("Ctrl+T", "insert a template from the config"),
            ("paste", "large JSON pastes as one edit (Ctrl+Z undoes it)"),
        ],
    ),
    (
        "Confirmation",
        &[
            ("Enter / y", "send it"),
            ("Esc / n", "go back without sending"),
            ("(production)", "type the profile's name, then Enter"),
        ],
    ),
    (
        "Profile picker (F2)",
        &[
            ("↑ ↓ / k j", "choose"),
            ("Enter", "switch"),
            ("Esc", "keep the current one"),
        ],
    ),
];

/// Every binding, by context, for the help screen (F1).
pub fn help() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    let mut sections: Vec<_> = HELP
        .iter()
        .map(|(context, keys)| (*context, keys.to_vec()))
        .collect();
    sections.push((
        "Queue (a batch file, Ctrl+B)",
        table_help(&queue_bindings()),
    ));
    sections.push((
        "Calls from the number (Tab to the list)",
        table_help(&calls_bindings()),
    ));
    sections.push(("History", table_help(&history_bindings())));
    sections
}
