//! `Action`: every user intent and every async result, one vocabulary for `update`. The
//! workbench-wide ones sit at the top; each concern's are nested (`Action::Queue(QueueAction)`
//! …), so a concern's actions and its transitions (`update/<concern>.rs`) sit together.

use std::time::Duration;

use ratatui_textarea::Input;

pub use super::app::RequestId;
use super::app::{Confirm, Focus};
use super::profiles::Active;
use crate::history::Record;

// As big as a `Record` (a send's result), as it was before the nesting: actions are moved
// once each, and boxing the send's would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Quit,
    FocusNext,
    FocusPrev,
    Focus(Focus),
    /// A key for the focused text field (a form field or the history filter).
    Edit(Input),
    Paste(String),
    CloseModal,
    OpenHelp,
    /// Scroll the open detail or help by lines.
    ModalScroll(i32),
    /// The terminal's size (at start and on each resize).
    Resized {
        width: u16,
        height: u16,
    },
    /// The clipboard took the text (`what` says what it was), or did not.
    Copied(String),
    CopyFailed(String),
    /// The team log's state for the status bar: "team log offline: N waiting", or `None`.
    TeamLog(Option<String>),
    Form(FormAction),
    Send(SendAction),
    History(HistoryAction),
    Queue(QueueAction),
    Profiles(ProfileAction),
    Pointer(PointerAction),
    Palette(PaletteAction),
    Calls(CallsAction),
    Browse(BrowseAction),
}

/// The form: its fields, the Outcome pick-list, templates, the draft and the preview.
#[derive(Clone, Debug, PartialEq)]
pub enum FormAction {
    TogglePreference,
    /// Alt+↑/↓ (PgUp/PgDn in a one-line field): scroll the request preview by lines.
    PreviewScroll(i32),
    /// Ctrl+U in a one-line field: empty it.
    ClearField,
    /// Ctrl+N: an empty form.
    NewForm,
    /// Ctrl+Z right after Ctrl+N: the cleared form comes back.
    UndoNewForm,
    /// Ctrl+O: lay the metadata out (and turn `key=value` lines into JSON).
    FormatMetadata,
    /// Ctrl+T: insert a metadata template (asks which when there are several).
    InsertTemplate,
    TemplateMove(isize),
    ChooseTemplate,
    /// The Outcome pick-list: move the highlight, take it, or close the list.
    OutcomeMove(isize),
    OutcomeAccept,
    OutcomeClose,
    /// Outcome labels sent before, most used first.
    OutcomeLabels(Vec<(String, i64)>),
    /// Earlier updates of a call, read at `loaded_at_ms`.
    ContextLoaded {
        agent: String,
        target: String,
        records: Vec<Record>,
        loaded_at_ms: i64,
    },
    /// The draft kept in the data folder at start-up (none, or why it could not be read).
    DraftLoaded(Result<Option<super::draft::Draft>, String>),
    /// The form could not be kept as a draft (the data folder refused the file).
    DraftNotSaved(String),
    /// The team log's newest ✓ by a colleague on the form's call (`None`: none).
    TeamLastSet {
        agent: String,
        target: String,
        line: Option<String>,
    },
}

/// Sending the form's update: the confirmation, the request in flight and its result (the
/// queue's rows report back through these too; the dispatcher hands those to the queue).
#[derive(Clone, Debug, PartialEq)]
pub enum SendAction {
    /// Ctrl+S.
    Request,
    /// The duplicate check is done: open the confirmation.
    ConfirmReady(Box<Confirm>),
    /// Enter (or `y`) on a confirmation.
    Confirm,
    /// A character typed into a production profile's confirmation.
    ConfirmType(char),
    ConfirmBackspace,
    /// Esc while a send is in flight.
    Cancel,
    /// Time since the in-flight request was confirmed (drives the spinner).
    Tick {
        id: RequestId,
        elapsed: Duration,
    },
    /// The update is in the history database as `pending`; the request is leaving now.
    Recorded {
        id: RequestId,
        record: Record,
    },
    /// The request is over (answered, failed, cancelled) and its record completed.
    Finished {
        id: RequestId,
        record: Record,
    },
    /// Nothing was sent (it could not be recorded first, or there is no key), or the result
    /// could not be recorded.
    Failed {
        id: RequestId,
        message: String,
    },
}

/// The history pane: moving, the filter, a row's detail, and what can be done with a row.
#[derive(Clone, Debug, PartialEq)]
pub enum HistoryAction {
    Move(isize),
    Home,
    End,
    OpenDetail,
    /// `/`: edit the history filter.
    OpenFilter,
    /// Enter in the filter: keep it and go back to the rows.
    KeepFilter,
    /// Esc in the filter: clear it and show everything.
    ClearFilter,
    /// Ctrl+F: every update for the call in the form (or the selected row).
    FilterToCall,
    /// `e` on a row: put it in the form to edit and send again.
    LoadIntoForm,
    /// `r` on a row: send it again as it was (after the usual confirmation).
    Resend,
    /// `y` on a row: copy it as a curl command.
    CopyCurl,
    /// Copy the selected history row's response body, or its call id.
    CopyResponse,
    CopyCallId,
    /// A page of history for the filter of `generation`; `first` replaces the rows.
    Loaded {
        generation: u64,
        first: bool,
        rows: Vec<Record>,
        exhausted: bool,
    },
    Failed {
        generation: u64,
        message: String,
    },
    /// `t`: switch between this laptop's history and the Team view (the team log).
    ToggleTeam,
    /// A page of the Team view for its `generation`; `first` replaces the rows.
    TeamLoaded {
        generation: u64,
        first: bool,
        rows: Vec<phonely_team::TeamRow>,
        exhausted: bool,
    },
    TeamFailed {
        generation: u64,
        message: String,
    },
}

/// The queue: the batch file prompt, the rows, and a run of them.
#[derive(Clone, Debug, PartialEq)]
pub enum QueueAction {
    /// Ctrl+B: ask for a batch file's path.
    OpenPrompt,
    PathType(char),
    PathBackspace,
    /// Ctrl+U in the path prompt: empty it.
    PathClear,
    /// Tab in the path prompt: complete the path from the folder's names.
    CompletePath,
    /// What the folder holds for the typed path (also the folder itself, when the prompt opens).
    PathListed(Box<super::paths::PathListing>),
    /// Enter in the path prompt: read the file into the queue.
    OpenFile,
    /// A batch file was read: its rows (valid or not) and the problems of no row.
    Loaded {
        file: String,
        entries: Vec<crate::batch::Entry>,
        errors: Vec<String>,
    },
    Failed(String),
    Move(isize),
    /// Enter on a queue row: put it in the form to fix (or look at) it.
    LoadRow,
    /// `x` or Space: leave the row out of the send, or put it back.
    ToggleExclude,
    /// `s` in the queue's confirmation: leave out the rows that already went through as they
    /// are, and send the others.
    SkipSent,
    /// `p`: stop taking new rows (those in flight finish), or go on.
    Pause,
    /// Esc or `q` on the queue while nothing is sending: close it.
    Close,
    /// The queue's duplicate check is done: these rows already went through as they are.
    Ready {
        rows: usize,
        duplicates: Vec<usize>,
    },
}

/// The profile picker and the switch.
#[derive(Clone, Debug, PartialEq)]
pub enum ProfileAction {
    /// Opens the profile picker.
    Open,
    /// Moves the picker's highlight.
    Move(isize),
    /// Switches to the highlighted profile.
    Choose,
    /// The profile is ready: its key was read (or why not) and where it sends is known.
    Switched(Box<Active>),
    /// The switch failed (e.g. the sandbox could not start); the previous profile stays.
    SwitchFailed { name: String, message: String },
}

/// The mouse.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PointerAction {
    /// A left click at a screen cell.
    Click { column: u16, row: u16 },
    /// The wheel over a screen cell: positive is down.
    Wheel { column: u16, row: u16, lines: i32 },
    /// F12: give the mouse to the terminal (to select text) or take it back.
    ToggleMouse,
}

/// The command palette (Ctrl+P or `:`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PaletteAction {
    Open,
    Type(char),
    Backspace,
    Move(isize),
    Run,
}

/// The calls from the form's phone number (issue 14): the look-up's timer and answers, and
/// moving, pinning and refreshing in the list.
#[derive(Clone, Debug, PartialEq)]
pub enum CallsAction {
    /// The pause after typing is over for this generation: look the calls up.
    Due(u64),
    /// A look-up came back (`at`: when, for the list's "2 h ago").
    Answered {
        generation: u64,
        outcome: super::calls::LookupOutcome,
        at: time::OffsetDateTime,
    },
    /// What our history last set on the listed calls.
    LastSet {
        key: super::calls::LookupKey,
        entries: std::collections::HashMap<String, super::calls::LastSet>,
    },
    /// Ctrl+R: look the calls up again, past the cache.
    Refresh,
    Move(isize),
    /// `p` / Enter: pin the selected call (or unpin it).
    TogglePin,
    /// `u`: unpin.
    Unpin,
}

/// Browsing an agent's recent calls (issue 14): the modal's keys and its look-up's answers.
#[derive(Clone, Debug, PartialEq)]
pub enum BrowseAction {
    /// Ctrl+L from Agent or Target, or the palette: the form's agent's calls.
    Open,
    Move(isize),
    /// PgDn / `n`, PgUp / `p`.
    NextPage,
    PreviousPage,
    /// `d`: the next date range; `s`: the next status filter.
    CycleRange,
    CycleStatus,
    /// `r`: this page again.
    Refresh,
    /// Enter: the selected call's ID into the Target field.
    Use,
    /// Esc: close (the look-up in flight is stopped).
    Close,
    /// A look-up came back: `reference` is the time its dates were counted from, `at` when.
    Answered {
        generation: u64,
        outcome: super::browse::BrowseOutcome,
        reference: time::OffsetDateTime,
        at: time::OffsetDateTime,
    },
}
