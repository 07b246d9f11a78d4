//! `Action`: every user intent and every async result, one vocabulary for `update`.

use std::time::Duration;

use ratatui_textarea::Input;

pub use super::app::RequestId;
use super::app::{Confirm, Focus};
use super::profiles::Active;
use crate::history::Record;

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    // From the keyboard.
    Quit,
    FocusNext,
    FocusPrev,
    Focus(Focus),
    /// A key for the focused text field.
    Edit(Input),
    Paste(String),
    TogglePreference,
    RequestSend,
    ConfirmSend,
    CloseModal,
    CancelSend,
    OpenHelp,
    HistoryMove(isize),
    HistoryHome,
    HistoryEnd,
    OpenDetail,
    ModalScroll(i32),
    /// Alt+↑/↓ (PgUp/PgDn in a one-line field): scroll the request preview by lines.
    PreviewScroll(i32),
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
    /// Opens the profile picker.
    OpenProfiles,
    /// Moves the picker's highlight.
    ProfileMove(isize),
    /// Switches to the highlighted profile.
    ChooseProfile,
    /// A character typed into a production profile's confirmation.
    ConfirmType(char),
    ConfirmBackspace,
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
    /// Ctrl+P or `:`: the command palette.
    OpenPalette,
    PaletteType(char),
    PaletteBackspace,
    PaletteMove(isize),
    RunPalette,
    /// The Outcome pick-list: move the highlight, take it, or close the list.
    OutcomeMove(isize),
    OutcomeAccept,
    OutcomeClose,
    /// The terminal's size (at start and on each resize).
    Resized {
        width: u16,
        height: u16,
    },
    /// A left click at a screen cell.
    Click {
        column: u16,
        row: u16,
    },
    /// The wheel over a screen cell: positive is down.
    Wheel {
        column: u16,
        row: u16,
        lines: i32,
    },
    /// F12: give the mouse to the terminal (to select text) or take it back.
    ToggleMouse,
    /// Copy the selected history row's response body, or its call id.
    CopyResponse,
    CopyCallId,
    /// Ctrl+B: ask for a batch file's path.
    OpenBatchPrompt,
    PathType(char),
    PathBackspace,
    /// Ctrl+U in the path prompt: empty it.
    PathClear,
    /// Tab in the path prompt: complete the path from the folder's names.
    CompletePath,
    /// What the folder holds for the typed path (also the folder itself, when the prompt opens).
    PathListed(Box<super::paths::PathListing>),
    /// Enter in the path prompt: read the file into the queue.
    OpenBatchFile,
    QueueMove(isize),
    /// Enter on a queue row: put it in the form to fix (or look at) it.
    QueueLoadRow,
    /// `x` or Space: leave the row out of the send, or put it back.
    QueueToggleExclude,
    /// `s` in the queue's confirmation: leave out the rows that already went through as they
    /// are, and send the others.
    QueueSkipSent,
    /// `p`: stop taking new rows (those in flight finish), or go on.
    QueuePause,
    /// Esc or `q` on the queue while nothing is sending: close it.
    QueueClose,

    // From the runtime.
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
    SendFailed {
        id: RequestId,
        message: String,
    },
    /// A page of history for the filter of `generation`; `first` replaces the rows.
    HistoryLoaded {
        generation: u64,
        first: bool,
        rows: Vec<Record>,
        exhausted: bool,
    },
    HistoryFailed {
        generation: u64,
        message: String,
    },
    /// Earlier updates of a call, read at `loaded_at_ms`.
    ContextLoaded {
        agent: String,
        target: String,
        records: Vec<Record>,
        loaded_at_ms: i64,
    },
    /// The duplicate check is done: open the confirmation.
    ConfirmReady(Box<Confirm>),
    /// The clipboard took the text (`what` says what it was), or did not.
    Copied(String),
    CopyFailed(String),
    /// Outcome labels sent before, most used first.
    OutcomeLabels(Vec<(String, i64)>),
    /// A batch file was read: its rows (valid or not) and the problems of no row.
    QueueLoaded {
        file: String,
        entries: Vec<crate::batch::Entry>,
        errors: Vec<String>,
    },
    QueueFailed(String),
    /// The queue's duplicate check is done: these rows already went through as they are.
    QueueReady {
        rows: usize,
        duplicates: Vec<usize>,
    },
    /// The draft kept in the data folder at start-up (none, or why it could not be read).
    DraftLoaded(Result<Option<super::draft::Draft>, String>),
    /// The form could not be kept as a draft (the data folder refused the file).
    DraftNotSaved(String),
    /// The profile is ready: its key was read (or why not) and where it sends is known.
    ProfileSwitched(Box<Active>),
    /// The switch failed (e.g. the sandbox could not start); the previous profile stays.
    ProfileSwitchFailed {
        name: String,
        message: String,
    },
}
