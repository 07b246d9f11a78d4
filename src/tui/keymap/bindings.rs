//! Key bindings as data: the `Binding` row every context's table is made of (keys, action,
//! footer hint, F1 line, palette name, when it acts), reading a key or the footer from a table,
//! and the three list panes' tables (history, queue, calls).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::tui::action::{
    Action, CallsAction, HistoryAction, PaletteAction, QueueAction, SendAction,
};
use crate::tui::app::{App, QueueRun};

/// One key binding of a context (the global keys, a focused pane or field, a dialog): its
/// keys, what it does, and how the footer, F1 and the command palette name it. The context's
/// keymap, its footer hints, its help section and the palette are all read from its table, so
/// they cannot disagree.
///
/// A row with no keys is *told, not bound*: its key is bound in another table (the global one,
/// or the field next door) or taken by the context's fallback (a text editor's typing), and the
/// row only says so in this context's footer or F1 section. The tests check that such a row's
/// action is bound somewhere or that it stands for its context's fallback.
#[derive(Clone)]
#[must_use]
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
    /// The modifier keys it needs and refuses; [`Mods::ANY`] unless said.
    pub mods: Mods,
    /// The key is this row's only while this holds (otherwise it goes on to the next row, or
    /// from the global table on to the focused context); `None`: always. A global row with a
    /// condition takes its key from every pane while the condition holds (Esc cancels a send
    /// in flight wherever the focus is): that is the one way a global key may shadow a pane's.
    pub when: Option<fn(&App) -> bool>,
    /// The command palette's name for it; `None`: not in the palette.
    pub command: Option<&'static str>,
    /// Where the footer puts its hint among the global keys and the focused context's:
    /// negative before the context's hints, positive after, in rising order; 0 in table order.
    pub footer: i8,
}

/// Which modifier keys a binding needs, and which it refuses (others may be held or not).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mods {
    pub need: KeyModifiers,
    pub refuse: KeyModifiers,
}

impl Mods {
    /// Whatever is held (the panes' letters, F-keys, Esc, Tab).
    pub const ANY: Mods = Mods::new(KeyModifiers::NONE, KeyModifiers::NONE);
    /// Ctrl held (Alt or Shift may be too).
    pub const CTRL: Mods = Mods::new(KeyModifiers::CONTROL, KeyModifiers::NONE);
    /// Ctrl without Alt.
    pub const CTRL_NOT_ALT: Mods = Mods::new(KeyModifiers::CONTROL, KeyModifiers::ALT);
    /// Alt without Ctrl.
    pub const ALT_NOT_CTRL: Mods = Mods::new(KeyModifiers::ALT, KeyModifiers::CONTROL);
    /// Neither Ctrl nor Alt.
    pub const PLAIN: Mods = Mods::new(
        KeyModifiers::NONE,
        KeyModifiers::CONTROL.union(KeyModifiers::ALT),
    );

    const fn new(need: KeyModifiers, refuse: KeyModifiers) -> Self {
        Mods { need, refuse }
    }

    pub fn accepts(self, held: KeyModifiers) -> bool {
        held.contains(self.need) && !held.intersects(self.refuse)
    }

    /// Whether one press could match both.
    pub fn overlaps(self, other: Mods) -> bool {
        !(self.need | other.need).intersects(self.refuse | other.refuse)
    }
}

impl Binding {
    /// A row with its keys and action, and nothing else yet: no hint, no help, always live,
    /// any modifiers, no condition, not in the palette.
    pub fn new(keys: &'static [KeyCode], action: Action) -> Self {
        Binding {
            keys,
            action,
            hint: None,
            relabel: None,
            help: None,
            live: |_| true,
            mods: Mods::ANY,
            when: None,
            command: None,
            footer: 0,
        }
    }

    /// A row with no keys of its own: told here, bound elsewhere (see [`Binding`]).
    pub fn told(action: Action) -> Self {
        Binding::new(&[], action)
    }

    pub fn hint(self, key: &'static str, label: &'static str) -> Self {
        Binding {
            hint: Some((key, label)),
            ..self
        }
    }

    pub fn relabel(self, relabel: fn(&App) -> &'static str) -> Self {
        Binding {
            relabel: Some(relabel),
            ..self
        }
    }

    pub fn help(self, keys: &'static str, what: &'static str) -> Self {
        Binding {
            help: Some((keys, what)),
            ..self
        }
    }

    pub fn live(self, live: fn(&App) -> bool) -> Self {
        Binding { live, ..self }
    }

    pub fn mods(self, mods: Mods) -> Self {
        Binding { mods, ..self }
    }

    /// The key is this row's only while `when` holds; the hint shows only then too.
    pub fn when(self, when: fn(&App) -> bool) -> Self {
        Binding {
            when: Some(when),
            live: when,
            ..self
        }
    }

    pub fn command(self, name: &'static str) -> Self {
        Binding {
            command: Some(name),
            ..self
        }
    }

    pub fn footer(self, footer: i8) -> Self {
        Binding { footer, ..self }
    }

    /// Whether this row takes `key` in this state.
    pub fn takes(&self, app: &App, key: KeyEvent) -> bool {
        self.keys.contains(&key.code)
            && self.mods.accepts(key.modifiers)
            && self.when.is_none_or(|when| when(app))
    }

    /// The footer's hint now, if it shows.
    pub fn shown(&self, app: &App) -> Option<(&'static str, &'static str)> {
        let (key, label) = self.hint.filter(|_| (self.live)(app))?;
        Some((key, self.relabel.map_or(label, |f| f(app))))
    }
}

/// A pane row as the pane tables write it: keys, action, footer hint, F1 line, when it acts.
fn row(
    keys: &'static [KeyCode],
    action: Action,
    hint: Option<(&'static str, &'static str)>,
    help: Option<(&'static str, &'static str)>,
    live: fn(&App) -> bool,
) -> Binding {
    Binding {
        hint,
        help,
        live,
        ..Binding::new(keys, action)
    }
}

/// ↑/k and ↓/j in a list: "↑↓ move" in the footer, "↑ ↓ / k j" in F1.
fn up_down(step: fn(isize) -> Action, live: fn(&App) -> bool) -> [Binding; 2] {
    [
        row(
            &[KeyCode::Up, KeyCode::Char('k')],
            step(-1),
            Some(("↑↓", "move")),
            Some(("↑ ↓ / k j", "move")),
            live,
        ),
        row(
            &[KeyCode::Down, KeyCode::Char('j')],
            step(1),
            None,
            None,
            live,
        ),
    ]
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
    let b = row;
    let mut table = up_down(|n| Action::History(H::Move(n)), rows).to_vec();
    table.extend([
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
        )
        .command("Show the selected update in full"),
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
        )
        .command("Filter the history"),
        b(
            &[KeyCode::Char('e')],
            Action::History(H::LoadIntoForm),
            Some(("e", "edit")),
            Some(("e", "put the update in the form to change and send again")),
            local_rows,
        )
        .command("Edit the selected update in the form"),
        b(
            &[KeyCode::Char('r')],
            Action::History(H::Resend),
            Some(("r", "resend")),
            Some(("r", "send it again as it was (asks first)")),
            local_rows,
        )
        .command("Resend the selected update"),
        b(
            &[KeyCode::Char('y')],
            Action::History(H::CopyCurl),
            Some(("y", "copy curl")),
            Some((
                "y",
                "copy it as a curl command (the key stays $PHONELY_API_KEY)",
            )),
            local_rows,
        )
        .command("Copy the selected update as curl"),
        b(
            &[KeyCode::Char('b')],
            Action::History(H::CopyResponse),
            Some(("b", "copy response")),
            Some(("b / c", "copy its response body / the call id")),
            local_rows,
        )
        .command("Copy the selected update's response body"),
        b(
            &[KeyCode::Char('c')],
            Action::History(H::CopyCallId),
            Some(("c", "copy call id")),
            None,
            local_rows,
        )
        .command("Copy the selected update's call id"),
        b(
            &[KeyCode::Char('t')],
            Action::History(H::ToggleTeam),
            Some(("t", "team")),
            Some((
                "t",
                "switch between this laptop's history and the Team view (everyone's updates, \
                 from the team log, with who sent them)",
            )),
            always,
        )
        .relabel(|a| {
            if a.history.team.is_some() {
                "this laptop"
            } else {
                "team"
            }
        })
        .command("Switch between this laptop's history and the Team view"),
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
    ]);
    table
}

/// The queue pane's bindings, in the order of the footer and of F1's section.
pub fn queue_bindings() -> Vec<Binding> {
    use QueueAction as Q;
    fn run(a: &App) -> Option<QueueRun> {
        a.queue.as_ref().map(|q| q.run)
    }

    let b = |keys, action, hint, help| row(keys, action, hint, help, |_| true);
    let mut table = up_down(|n| Action::Queue(Q::Move(n)), |_| true).to_vec();
    table.extend([
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
            command: Some("Pause or go on sending the queue"),
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
    ]);
    table
}

/// The calls list's bindings (issue 14), in the order of the footer and of F1's section.
pub fn calls_bindings() -> Vec<Binding> {
    use CallsAction as C;
    let always = |_: &App| true;
    let calls = |a: &App| !a.calls.calls().is_empty();
    let pinned = |a: &App| a.calls.pinned().is_some();
    let b = row;
    let mut table = up_down(|n| Action::Calls(C::Move(n)), calls).to_vec();
    table.extend([
        b(
            &[KeyCode::Char('p'), KeyCode::Enter],
            Action::Calls(C::TogglePin),
            Some(("p", "pin call")),
            Some((
                "p / Enter",
                "pin the selected call: the update goes to it, not by preference (again: unpin)",
            )),
            calls,
        )
        .command("Pin the selected call (or unpin it)"),
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
    ]);
    table
}

/// A key in a context in this state: the first row that takes it. (Keys act whether or not
/// their hint shows: one that has nothing to act on says so, or does nothing.)
pub(super) fn map_table(table: &[Binding], app: &App, key: KeyEvent) -> Option<Action> {
    table
        .iter()
        .find(|b| b.takes(app, key))
        .map(|b| b.action.clone())
}

/// The footer hints of a context's table that act now, in table order.
pub(super) fn table_hints(table: &[Binding], app: &App) -> Vec<(&'static str, &'static str)> {
    table.iter().filter_map(|b| b.shown(app)).collect()
}

/// F1's lines for a context's table.
pub(super) fn table_help(table: &[Binding]) -> Vec<(&'static str, &'static str)> {
    table.iter().filter_map(|b| b.help).collect()
}
