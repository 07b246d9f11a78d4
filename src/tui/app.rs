//! `App`: the whole screen's state as plain data (no handles, no clock). Only `update` changes
//! it; views borrow it.

use std::time::Duration;

use ratatui::style::{Color, Modifier, Style};
use ratatui_textarea::{TextArea, WrapMode};
use time::UtcOffset;

use super::profiles::{ProfileTag, fallback_tag};
use crate::api::key::Credentials;
use crate::api::phone::{Region, read_as_call_id, reads_as_phone};
use crate::api::request::{BaseUrl, WireRequest, build};
use crate::api::update::{
    Field, FieldError, OutcomeUpdate, Preference, Rules, TargetKind, UpdateInput, parse_metadata,
    parse_target, parse_value_lenient, validate,
};
use crate::config::{DOCUMENTED_OUTCOMES, Theme};
use crate::history::{Filter, Record};

/// How many history rows one page load brings in.
pub const HISTORY_PAGE: usize = 100;

/// Where keys go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Focus {
    Agent,
    Target,
    Preference,
    Outcome,
    Value,
    Metadata,
    History,
    /// The history pane's filter line.
    Filter,
    /// The batch queue pane (a file opened with Ctrl+B).
    Queue,
}

impl Focus {
    /// The form field this focus edits, if any.
    pub fn field(self) -> Option<Field> {
        Some(match self {
            Focus::Agent => Field::Agent,
            Focus::Target => Field::Target,
            Focus::Preference => Field::Preference,
            Focus::Outcome => Field::Outcome,
            Focus::Value => Field::Value,
            Focus::Metadata => Field::Metadata,
            Focus::History | Focus::Filter | Focus::Queue => return None,
        })
    }

    pub fn of_field(field: Field) -> Self {
        match field {
            Field::Agent => Focus::Agent,
            Field::Target => Focus::Target,
            Field::Preference => Focus::Preference,
            Field::Outcome => Focus::Outcome,
            Field::Value => Focus::Value,
            Field::Metadata => Focus::Metadata,
        }
    }

    /// True where typed characters go into a text field.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            Focus::Agent
                | Focus::Target
                | Focus::Outcome
                | Focus::Value
                | Focus::Metadata
                | Focus::Filter
        )
    }
}

/// Where requests go and with which key: set at start and changed only by a profile switch.
#[derive(Clone, Debug)]
pub struct Settings {
    pub base_url: BaseUrl,
    pub sandbox: bool,
    pub credentials: Credentials,
    /// Local time offset, read once at start-up (reading it later is unsound on some systems).
    pub utc_offset: UtcOffset,
    /// Sending what was already sent successfully to the same call within this window asks
    /// twice.
    pub duplicate_window_ms: i64,
    /// The everyday-ergonomics settings from the config.
    pub prefs: Prefs,
}

/// How the form helps: the region for national phone numbers, the Outcome pick-list, the
/// metadata templates, what survives a send, and the colours.
#[derive(Clone, Debug, PartialEq)]
pub struct Prefs {
    pub region: Region,
    pub outcome_presets: Vec<String>,
    /// (name, JSON object text), in name order.
    pub metadata_templates: Vec<(String, String)>,
    pub keep_metadata_after_send: bool,
    pub theme: Theme,
    /// `NO_COLOR` is set: no colour, only bold/reverse/underline.
    pub no_color: bool,
}

impl Default for Prefs {
    fn default() -> Self {
        Self {
            region: Region::default(),
            outcome_presets: DOCUMENTED_OUTCOMES
                .iter()
                .map(|s| (*s).to_string())
                .collect(),
            metadata_templates: Vec::new(),
            keep_metadata_after_send: false,
            theme: Theme::default(),
            no_color: false,
        }
    }
}

/// The duplicate guard's window unless configured otherwise: 24 hours.
pub const DEFAULT_DUPLICATE_WINDOW_MS: i64 = 24 * 3600 * 1000;

/// The form's editors. Single-line fields are one-line `TextArea`s for their editing keys.
#[derive(Clone, Debug)]
pub struct Form {
    pub agent: TextArea<'static>,
    pub target: TextArea<'static>,
    pub preference: Preference,
    pub outcome: TextArea<'static>,
    pub value: TextArea<'static>,
    pub metadata: TextArea<'static>,
    /// What the target field holds when a file's column said so (`call_id`, `phone`);
    /// otherwise read by its look.
    pub target_kind: TargetKind,
}

impl Default for Form {
    fn default() -> Self {
        let field = |placeholder: &str| {
            let mut t = TextArea::default();
            t.set_placeholder_text(placeholder);
            t.set_cursor_line_style(Style::default());
            t
        };
        Self {
            agent: field("e.g. agent123"),
            target: field("call ID (call456) or phone (+14155551234)"),
            preference: Preference::Last,
            outcome: field("e.g. Sold (optional)"),
            value: field("e.g. 299 (optional)"),
            metadata: {
                let mut m = field("{\"campaign\": \"spring_2026\"}  (optional JSON object)");
                m.set_wrap_mode(WrapMode::WordOrGlyph);
                m
            },
            target_kind: TargetKind::Either,
        }
    }
}

impl Form {
    /// Ready for the next call after a successful send: the agent, preference and outcome
    /// label stay (and the metadata when configured); the call and the value, which belong to
    /// one call only, are cleared.
    pub fn clear_for_next(&mut self, keep_metadata: bool) {
        let fresh = Form::default();
        self.target = fresh.target;
        self.target_kind = TargetKind::Either;
        self.value = fresh.value;
        if !keep_metadata {
            self.metadata = fresh.metadata;
        }
    }

    /// Replaces the metadata text (format, template), cursor at (row, col). Two undos bring the
    /// previous text back (the editor records the removal and the insertion apart).
    pub fn set_metadata(&mut self, text: &str, cursor: (usize, usize)) {
        self.metadata.select_all();
        self.metadata.insert_str(text);
        self.metadata
            .move_cursor(ratatui_textarea::CursorMove::Jump(
                u16::try_from(cursor.0).unwrap_or(u16::MAX),
                u16::try_from(cursor.1).unwrap_or(u16::MAX),
            ));
    }

    /// Everything in the form, to tell whether it changed.
    pub fn snapshot(&self) -> String {
        [
            Field::Agent,
            Field::Target,
            Field::Preference,
            Field::Outcome,
            Field::Value,
            Field::Metadata,
        ]
        .map(|f| self.text(f))
        .join("\u{1f}")
    }

    pub fn text(&self, field: Field) -> String {
        match field {
            Field::Agent => self.agent.lines().join(""),
            Field::Target => self.target.lines().join(""),
            Field::Preference => self.preference.as_str().to_string(),
            Field::Outcome => self.outcome.lines().join(""),
            Field::Value => self.value.lines().join(""),
            Field::Metadata => self.metadata.lines().join("\n"),
        }
    }

    pub fn editor_mut(&mut self, focus: Focus) -> Option<&mut TextArea<'static>> {
        match focus {
            Focus::Agent => Some(&mut self.agent),
            Focus::Target => Some(&mut self.target),
            Focus::Outcome => Some(&mut self.outcome),
            Focus::Value => Some(&mut self.value),
            Focus::Metadata => Some(&mut self.metadata),
            Focus::Preference | Focus::History | Focus::Filter | Focus::Queue => None,
        }
    }

    /// Preference only means something for a phone number (read as `validate` reads it, with
    /// the form's `region`).
    pub fn target_is_phone(&self, region: Region) -> bool {
        match self.target_kind {
            TargetKind::CallId => false,
            TargetKind::Phone => true,
            TargetKind::Either => reads_as_phone(&self.text(Field::Target), region),
        }
    }

    /// Shows the cursor in the focused editor only.
    pub fn show_cursor_in(&mut self, focus: Focus) {
        for f in [
            Focus::Agent,
            Focus::Target,
            Focus::Outcome,
            Focus::Value,
            Focus::Metadata,
        ] {
            let style = if f == focus {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default()
            };
            if let Some(editor) = self.editor_mut(f) {
                editor.set_cursor_style(style);
            }
        }
        self.metadata.set_cursor_line_style(Style::default());
    }

    fn input(&self) -> (String, String, String, String, String) {
        (
            self.text(Field::Agent),
            self.text(Field::Target),
            self.text(Field::Outcome),
            self.text(Field::Value),
            self.text(Field::Metadata),
        )
    }
}

/// A valid form turned into what would be sent.
#[derive(Clone, Debug, PartialEq)]
pub struct Ready {
    pub update: OutcomeUpdate,
    pub request: WireRequest,
}

/// A send between confirmation and result.
#[derive(Clone, Debug, PartialEq)]
pub struct InFlight {
    pub id: RequestId,
    pub summary: String,
    pub elapsed: Duration,
    /// The history row, once it is written.
    pub record_id: Option<i64>,
    /// What was sent: after a ✓ the form is cleared for the next call only if it still holds
    /// this (what was typed during the send is kept).
    pub sent: Option<OutcomeUpdate>,
}

/// Identifies one send from the moment it is confirmed; results for an id that is no longer in
/// flight (cancelled) only update the history row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// The confirmation before a send.
#[derive(Clone, Debug, PartialEq)]
pub struct Confirm {
    pub ready: Ready,
    /// The same update, sent successfully to the same call within the duplicate window.
    pub duplicate: Option<Record>,
    /// Set by the first "yes" when `duplicate` is there; the second one sends.
    pub acknowledged: bool,
    /// Set when resending a history row: where it was sent before.
    pub resend_of: Option<Record>,
}

impl Confirm {
    /// The confirmation for a ready request, not yet acknowledged.
    pub fn new(ready: Ready, duplicate: Option<Record>, resend_of: Option<Record>) -> Box<Self> {
        Box::new(Self {
            ready,
            duplicate,
            acknowledged: false,
            resend_of,
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Modal {
    Confirm(Box<Confirm>),
    Help {
        scroll: u16,
    },
    Detail {
        record_id: i64,
        scroll: u16,
    },
    /// The profile picker, with the highlighted row.
    Profiles {
        selected: usize,
    },
    /// The command palette: every action by name, filtered by what is typed.
    Palette {
        query: String,
        selected: usize,
    },
    /// The metadata templates, to pick one.
    Templates {
        selected: usize,
    },
    /// Ctrl+B: the path of a batch file to open into the queue.
    OpenFile(PathPrompt),
    /// Before the queue is sent: how many rows, to which profile; rows whose exact update
    /// already went through ask a second time.
    ConfirmQueue {
        rows: usize,
        duplicates: Vec<usize>,
        acknowledged: bool,
    },
}

/// The batch path prompt: what is typed, where relative paths start, what Tab found, and why
/// the file did not open (the text stays to be corrected).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathPrompt {
    pub path: String,
    /// The workbench's working folder (the runtime says, once the prompt opens).
    pub folder: Option<String>,
    /// The names Tab found when several match, and how many matched in all.
    pub choices: Vec<String>,
    pub matches: usize,
    /// Why the file did not open, or why Tab found nothing.
    pub problem: Option<String>,
    /// Enter was pressed: the file is being read.
    pub reading: bool,
}

/// How many queue rows are in flight at once (rows for one call go one after another).
pub const QUEUE_CONCURRENCY: usize = 4;

/// A batch file in the workbench: every row, what is wrong with it, and how its send went.
#[derive(Clone, Debug, Default)]
pub struct Queue {
    pub file: String,
    pub items: Vec<QueueItem>,
    /// Problems that belong to no row (the header, broken quoting).
    pub file_errors: Vec<String>,
    pub selected: usize,
    /// Where its run is (idle, checking, sending, paused).
    pub run: QueueRun,
    /// Rows in flight: (request, item index).
    pub in_flight: Vec<(RequestId, usize)>,
    /// The profile the run was confirmed for: every row of the run goes there.
    pub profile: String,
    /// `q` was pressed once on a queue with this many rows left to send: a second `q` closes
    /// it.
    pub closing: Option<usize>,
    /// The form's text when a row was put in it: changed since, the form holds edits that
    /// putting another row in its place would lose.
    pub loaded_form: Option<String>,
    /// Enter was pressed once on this row while the form held such edits: again replaces them.
    pub replace_asked: Option<usize>,
    /// The row put in the form with Enter: it is sent from there, never by the queue; a ✓
    /// send from the form marks it done.
    pub in_form: Option<usize>,
}

/// Where a queue's run is: one state at a time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum QueueRun {
    /// Nothing is sending: rows can be looked at, fixed and left out; Ctrl+S starts a run.
    #[default]
    Idle,
    /// Ctrl+S was pressed: the duplicate check runs before the confirmation.
    Checking,
    /// Sending has started and not finished: rows leave a few at a time.
    Sending,
    /// `p`, a 429 or a row that could not be sent: no new rows leave; those in flight finish.
    Paused,
}

impl QueueRun {
    /// Sending has started and not finished (sending or paused).
    pub fn started(self) -> bool {
        matches!(self, Self::Sending | Self::Paused)
    }

    /// A run is under way or being asked for: no other file, and no profile switch.
    pub fn busy(self) -> bool {
        self != Self::Idle
    }
}

#[derive(Clone, Debug)]
pub struct QueueItem {
    pub entry: crate::batch::Entry,
    /// What it would send, or its first problem.
    pub ready: Result<Ready, String>,
    pub excluded: bool,
    pub status: ItemStatus,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ItemStatus {
    Waiting,
    Sending,
    /// The history row says the rest: ✓ / ✗ / ? and a short message.
    Done {
        mark: &'static str,
        text: String,
        ok: bool,
        /// The server said success without confirming every field sent (`unconfirmed`):
        /// counted with the ✗ rows, and named apart.
        unconfirmed: bool,
    },
}

impl QueueItem {
    /// The call this row updates (agent, target), when it is valid.
    pub fn call(&self) -> Option<(&str, &str)> {
        self.ready
            .as_ref()
            .ok()
            .map(|r| (r.update.agent.as_str(), r.update.target.as_str()))
    }
}

impl Queue {
    /// The request `id` is over: its row leaves the in-flight list and takes `status`.
    pub fn land(&mut self, id: RequestId, status: ItemStatus) {
        if let Some(pos) = self.in_flight.iter().position(|(r, _)| *r == id) {
            let (_, index) = self.in_flight.remove(pos);
            if let Some(item) = self.items.get_mut(index) {
                item.status = status;
            }
        }
    }

    /// Rows that would be sent: valid, not excluded, not done, not in the form.
    pub fn to_send(&self) -> Vec<usize> {
        self.items
            .iter()
            .enumerate()
            .filter(|(n, i)| {
                i.ready.is_ok()
                    && !i.excluded
                    && self.in_form != Some(*n)
                    && i.status == ItemStatus::Waiting
            })
            .map(|(n, _)| n)
            .collect()
    }

    /// The file line of the row put in the form and not sent from there yet: still to send.
    pub fn line_in_form(&self) -> Option<usize> {
        let item = self.items.get(self.in_form?)?;
        (item.status == ItemStatus::Waiting).then_some(item.entry.line)
    }

    /// (done ok, done not ok, in flight, still to send, to fix, excluded)
    pub fn counts(&self) -> QueueCounts {
        let mut c = QueueCounts::default();
        for (n, i) in self.items.iter().enumerate() {
            match &i.status {
                ItemStatus::Done { ok: true, .. } => c.ok += 1,
                // Outcome unknown (or cancelled): it may have been applied.
                ItemStatus::Done {
                    mark: "?" | "⊘", ..
                } => c.unknown += 1,
                ItemStatus::Done {
                    ok: false,
                    unconfirmed,
                    ..
                } => {
                    c.failed += 1;
                    c.unconfirmed += usize::from(*unconfirmed);
                }
                ItemStatus::Sending => c.sending += 1,
                ItemStatus::Waiting if self.in_form == Some(n) => c.in_form += 1,
                ItemStatus::Waiting if i.excluded => c.excluded += 1,
                ItemStatus::Waiting if i.ready.is_err() => c.to_fix += 1,
                ItemStatus::Waiting => c.waiting += 1,
            }
        }
        c
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueCounts {
    pub ok: usize,
    /// Refused, not sent, or not confirmed (✗).
    pub failed: usize,
    /// Of `failed`, those the server said it took without confirming every field: they may
    /// have been applied (`unconfirmed`).
    pub unconfirmed: usize,
    /// No answer that says: may or may not have been applied.
    pub unknown: usize,
    pub sending: usize,
    pub waiting: usize,
    pub to_fix: usize,
    pub excluded: usize,
    /// Put in the form with Enter: sent from there.
    pub in_form: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Info,
    Success,
    Warning,
    Error,
}

impl Tone {
    pub fn color(self) -> Color {
        match self {
            Tone::Info => Color::Cyan,
            Tone::Success => Color::Green,
            Tone::Warning => Color::Yellow,
            Tone::Error => Color::Red,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Status {
    pub tone: Tone,
    pub text: String,
}

/// The history pane: a window on the newest rows, paged in as the selection moves down.
#[derive(Clone, Debug, Default)]
pub struct HistoryPane {
    pub rows: Vec<Record>,
    pub selected: usize,
    pub loading: bool,
    pub exhausted: bool,
    pub error: Option<String>,
    /// What is typed in the filter line (`/`).
    pub filter_input: TextArea<'static>,
    /// The filter the rows were loaded with.
    pub filter: Filter,
    pub filter_error: Option<String>,
    /// Bumped for each new filter; results for an older one are dropped.
    pub generation: u64,
}

/// What this data folder knows about the call in the form: its updates, newest first.
#[derive(Clone, Debug, PartialEq)]
pub struct Context {
    pub agent: String,
    pub target: String,
    pub records: Vec<Record>,
    /// When the records were read; the duplicate guard counts its window back from here.
    pub loaded_at_ms: i64,
}

impl HistoryPane {
    pub fn selected_record(&self) -> Option<&Record> {
        self.rows.get(self.selected)
    }

    /// A record from this session's sends: replaces its row, or joins the list if the current
    /// filter would show it.
    pub fn offer(&mut self, record: Record) {
        if self.filter.is_empty()
            || self.filter.matches(&record)
            || self.rows.iter().any(|r| r.id == record.id)
        {
            self.upsert(record);
        }
    }

    /// Inserts or replaces a record, keeping the rows newest (highest id) first.
    pub fn upsert(&mut self, record: Record) {
        if let Some(existing) = self.rows.iter_mut().find(|r| r.id == record.id) {
            *existing = record;
            return;
        }
        let at = self
            .rows
            .iter()
            .position(|r| r.id < record.id)
            .unwrap_or(self.rows.len());
        self.rows.insert(at, record);
        // Keep the selected row selected, unless it is the top one: then the newest stays
        // selected, so a fresh result is what Enter opens.
        if at <= self.selected && self.selected > 0 {
            self.selected += 1;
        }
    }
}

// Independent flags of the screen's state; an enum would couple what is not related.
#[allow(clippy::struct_excessive_bools)]
#[derive(Clone, Debug)]
pub struct App {
    pub settings: Settings,
    pub form: Form,
    pub focus: Focus,
    pub modal: Option<Modal>,
    pub in_flight: Option<InFlight>,
    pub history: HistoryPane,
    pub status: Option<Status>,
    /// Show "required" errors for empty fields (after a first attempt to send).
    pub show_required: bool,
    /// The form checked: what would be sent, or what to fix. Recomputed on every edit.
    pub checked: Result<Ready, Vec<FieldError>>,
    /// Set by a first Ctrl+Q while a send is in flight; a second one quits.
    pub quit_armed: bool,
    pub should_quit: bool,
    pub next_request: u64,
    /// Earlier updates of the call in the form (loaded when agent and target are valid).
    pub context: Option<Context>,
    /// The (agent, target) the last context request was for, to ask once per change.
    pub context_key: Option<(String, String)>,
    /// The active profile: shown in the status bar and the confirmation, recorded with sends.
    pub profile: ProfileTag,
    /// Every profile the picker offers.
    pub profiles: Vec<ProfileTag>,
    /// Set while a switch waits for the profile's key.
    pub switching: Option<String>,
    /// From the config: ask before each send (a production profile always asks).
    pub confirm_before_send: bool,
    /// What has been typed into a production profile's confirmation.
    pub typed: String,
    /// The terminal's size, for mouse clicks (kept by `Action::Resized`).
    pub screen: ratatui::layout::Rect,
    /// Lines the request pane is scrolled by (mouse wheel).
    pub preview_scroll: u16,
    /// The mouse is captured (click and wheel work); off, the terminal selects text.
    pub mouse_capture: bool,
    /// Outcome labels sent before from this data folder, most used first.
    pub outcome_labels: Vec<(String, i64)>,
    /// The labels have been asked for: once, after the first page of history (counting them
    /// reads every row's outcome, so it must not hold up the rows the person came to see).
    pub outcome_labels_asked: bool,
    /// The highlighted entry of the Outcome pick-list.
    pub outcome_pick: Option<usize>,
    /// Esc closed the pick-list; typing opens it again.
    pub outcome_menu_closed: bool,
    /// The notes under the fields (what will be sent, warnings), computed once per edit: phone
    /// parsing is too slow to run for every frame.
    pub notes: Vec<(Field, (Tone, String))>,
    /// What the metadata text is, worked out when it changes (the views read it every frame).
    pub metadata_check: MetadataCheck,
    /// The batch file open in the queue pane.
    pub queue: Option<Queue>,
    /// The form as a ✓ send left it for the next call: nothing there to keep as a draft.
    pub sent_form: Option<String>,
    /// The status line names a problem of this field (Ctrl+S refused, Ctrl+O failed): it goes
    /// (or says what is left) once the field is fixed. With the text it was set with, so a
    /// newer message is never taken for it.
    pub status_about: Option<(Field, String)>,
    /// Ctrl+S turned `key=value` metadata into JSON: the confirmation shows the JSON.
    pub metadata_converted: bool,
    /// What Ctrl+N cleared, until the form changes again: Ctrl+Z brings it back.
    pub before_new_form: Option<Box<ClearedForm>>,
}

/// What the metadata text is, for the editor's error mark, its label and the preview: parsed
/// once per change of the text, not on every frame.
#[derive(Clone, Debug, PartialEq)]
pub struct MetadataCheck {
    /// The text this was worked out for.
    pub text: String,
    /// No metadata, a JSON object with this many keys, or why it is not one.
    pub parsed: Result<Option<usize>, String>,
    /// Where the JSON parser stopped (line, char), for the mark in the editor.
    pub error_at: Option<(usize, usize)>,
    /// `key=value` lines (people who do not write JSON): Ctrl+O or Ctrl+S make JSON of them.
    pub key_values: bool,
    /// … and the JSON made of them is sound.
    pub convertible: bool,
}

impl Default for MetadataCheck {
    fn default() -> Self {
        Self::of(String::new())
    }
}

impl MetadataCheck {
    pub fn of(text: String) -> Self {
        let parsed = parse_metadata(&text).map(|m| m.map(|map| map.len()));
        let error_at = super::json::error_position(&text);
        let key_values = super::json::has_key_value_lines(&text);
        let convertible = key_values && super::json::format(&text).is_ok();
        Self {
            text,
            parsed,
            error_at,
            key_values,
            convertible,
        }
    }
}

/// The form Ctrl+N cleared, with where the person was and the queue row it held.
#[derive(Clone, Debug)]
pub struct ClearedForm {
    pub form: Form,
    pub focus: Focus,
    pub show_required: bool,
    /// The queue row the form held, and its text when it was put there.
    pub queue_row: Option<(usize, Option<String>)>,
}

/// At most this many outcome suggestions are shown.
pub const MAX_SUGGESTIONS: usize = 6;

pub use crate::api::notes::label_key;

impl App {
    /// Puts `text` on the status line in `tone` (what was said before goes).
    pub fn say(&mut self, tone: Tone, text: impl Into<String>) {
        self.status = Some(Status {
            tone,
            text: text.into(),
        });
    }

    pub fn new(settings: Settings) -> Self {
        let profile = fallback_tag(settings.sandbox, &settings.base_url);
        let mut app = Self {
            settings,
            form: Form::default(),
            focus: Focus::Agent,
            modal: None,
            in_flight: None,
            history: HistoryPane {
                loading: true,
                ..HistoryPane::default()
            },
            status: None,
            show_required: false,
            checked: Err(Vec::new()),
            quit_armed: false,
            should_quit: false,
            next_request: 1,
            context: None,
            context_key: None,
            profiles: vec![profile.clone()],
            profile,
            switching: None,
            confirm_before_send: true,
            typed: String::new(),
            screen: ratatui::layout::Rect::default(),
            preview_scroll: 0,
            mouse_capture: true,
            outcome_labels: Vec::new(),
            outcome_labels_asked: false,
            outcome_pick: None,
            outcome_menu_closed: false,
            notes: Vec::new(),
            metadata_check: MetadataCheck::default(),
            queue: None,
            sent_form: None,
            status_about: None,
            metadata_converted: false,
            before_new_form: None,
        };
        app.history
            .filter_input
            .set_placeholder_text("words, a phone, 499, value:N, state:failed, profile:NAME");
        app.history
            .filter_input
            .set_cursor_line_style(Style::default());
        app.form.show_cursor_in(app.focus);
        app.recheck();
        app
    }

    /// Sets the active profile and the ones the picker offers (from the config).
    #[must_use]
    pub fn with_profiles(mut self, active: ProfileTag, choices: Vec<ProfileTag>) -> Self {
        self.profiles = choices;
        if !self.profiles.contains(&active) {
            self.profiles.push(active.clone());
        }
        self.profile = active;
        self
    }

    /// The form reads phone numbers in the configured region and values as people paste them.
    pub fn rules(&self) -> Rules {
        Rules {
            region: self.settings.prefs.region,
            lenient_value: true,
        }
    }

    /// Re-validates the form and rebuilds the request preview.
    pub fn recheck(&mut self) {
        let (agent, target, outcome, value, metadata) = self.form.input();
        let preference = self
            .form
            .target_is_phone(self.settings.prefs.region)
            .then(|| self.form.preference.as_str());
        let input = UpdateInput {
            agent: &agent,
            target: &target,
            preference,
            outcome: &outcome,
            value: &value,
            metadata: &metadata,
            rules: self.rules(),
            kind: self.form.target_kind,
        };
        self.checked = validate(&input).map(|update| {
            let request = build(&update, &self.settings.base_url);
            Ready { update, request }
        });
        if metadata != self.metadata_check.text {
            self.metadata_check = MetadataCheck::of(metadata.clone());
        }
        self.notes = [Field::Target, Field::Outcome, Field::Value]
            .into_iter()
            .filter_map(|f| self.field_note(f).map(|n| (f, n)))
            .collect();
    }

    /// The errors to show for a field right now: always for text that is there, and for empty
    /// required fields once the person has tried to send.
    pub fn visible_errors(&self, field: Field) -> Vec<&FieldError> {
        let Err(errors) = &self.checked else {
            return Vec::new();
        };
        let has_text = !self.form.text(field).trim().is_empty();
        errors
            .iter()
            .filter(|e| e.field == field && (has_text || self.show_required))
            .collect()
    }

    /// True when nothing has been typed yet.
    pub fn form_is_empty(&self) -> bool {
        [
            Field::Agent,
            Field::Target,
            Field::Outcome,
            Field::Value,
            Field::Metadata,
        ]
        .iter()
        .all(|f| self.form.text(*f).is_empty())
    }

    /// The form as a draft worth keeping: `None` when it is empty or holds only what a ✓ send
    /// left for the next call.
    pub fn draft(&self) -> Option<super::draft::Draft> {
        if self.form_is_empty() || self.sent_form.as_deref() == Some(&self.form.snapshot()) {
            return None;
        }
        Some(super::draft::Draft {
            profile: self.profile.name.clone(),
            ..super::draft::Draft::of(&self.form)
        })
    }

    /// Tab order; Preference only while the target is a phone number.
    pub fn focus_order(&self) -> Vec<Focus> {
        let mut order = vec![Focus::Agent, Focus::Target];
        if self.form.target_is_phone(self.settings.prefs.region) {
            order.push(Focus::Preference);
        }
        order.extend([
            Focus::Outcome,
            Focus::Value,
            Focus::Metadata,
            Focus::History,
        ]);
        if self.queue.is_some() {
            order.push(Focus::Queue);
        }
        order
    }

    /// The call the form names, once agent and target are valid: (agent, target, kind), with
    /// a phone number in its normalised form.
    pub fn form_call(&self) -> Option<(String, String, &'static str)> {
        if let Ok(ready) = &self.checked {
            let u = &ready.update;
            return Some((
                u.agent.as_str().to_string(),
                u.target.as_str().to_string(),
                u.target.kind(),
            ));
        }
        let agent = self.form.text(Field::Agent);
        let target = self.form.text(Field::Target);
        let probe = validate(&UpdateInput {
            agent: &agent,
            target: &target,
            outcome: "probe",
            rules: self.rules(),
            kind: self.form.target_kind,
            ..UpdateInput::default()
        })
        .ok()?;
        Some((
            probe.agent.as_str().to_string(),
            probe.target.as_str().to_string(),
            probe.target.kind(),
        ))
    }

    /// Every known outcome label: the presets, then labels sent before (most used first).
    pub fn known_labels(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let presets = self
            .settings
            .prefs
            .outcome_presets
            .iter()
            .map(String::as_str);
        let used = self.outcome_labels.iter().map(|(l, _)| l.as_str());
        for label in presets.chain(used) {
            if seen.insert(label) {
                out.push(label);
            }
        }
        out
    }

    /// The pick-list for what is typed in Outcome: labels starting with it first, then labels
    /// with a word starting with it (case ignored); everything when it is empty.
    pub fn outcome_suggestions(&self) -> Vec<&str> {
        let typed = self.form.text(Field::Outcome);
        let needle = typed.trim().to_lowercase();
        let labels = self.known_labels();
        if needle.is_empty() {
            return labels.into_iter().take(MAX_SUGGESTIONS).collect();
        }
        let (mut starts, mut contains): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
        for label in labels {
            let lower = label.to_lowercase();
            if label == typed {
                // Already exactly this: nothing to offer.
                return Vec::new();
            } else if lower.starts_with(&needle) {
                starts.push(label);
            } else if lower
                .split(|c: char| !c.is_alphanumeric())
                .any(|word| word.starts_with(&needle))
                || (needle.len() >= 3 && lower.contains(&needle))
            {
                contains.push(label);
            }
        }
        starts.extend(contains);
        starts.truncate(MAX_SUGGESTIONS);
        starts
    }

    /// True while the Outcome pick-list is on screen.
    pub fn outcome_menu_open(&self) -> bool {
        self.focus == Focus::Outcome
            && self.modal.is_none()
            && !self.outcome_menu_closed
            && !self.outcome_suggestions().is_empty()
    }

    /// A known label that the typed outcome matches only loosely ("sold " vs "Sold"): the
    /// team's reports would count them apart.
    pub fn outcome_near_miss(&self) -> Option<&str> {
        crate::api::notes::outcome_near_miss(&self.form.text(Field::Outcome), self.labels())
    }

    /// The labels an outcome is compared with (`api::notes`).
    pub fn labels(&self) -> crate::api::notes::Labels<'_> {
        crate::api::notes::Labels {
            presets: &self.settings.prefs.outcome_presets,
            used: &self.outcome_labels,
        }
    }

    /// The note under `field`, as computed at the last edit.
    pub fn note(&self, field: Field) -> Option<&(Tone, String)> {
        self.notes
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, note)| note)
    }

    /// A note under a field that is valid: what will be sent when it differs from what was
    /// typed, or a warning. (tone, text)
    pub fn field_note(&self, field: Field) -> Option<(Tone, String)> {
        match field {
            Field::Outcome => self
                .outcome_near_miss()
                .map(|label| (Tone::Warning, crate::api::notes::near_miss_warning(label))),
            Field::Target if self.form.target_kind == TargetKind::CallId => Some((
                Tone::Info,
                "a call ID (the file's call_id column)".to_string(),
            )),
            Field::Target => {
                let typed = self.form.text(Field::Target);
                if let Some(note) = read_as_call_id(&typed, self.settings.prefs.region) {
                    return Some((Tone::Warning, note));
                }
                let target = parse_target(&typed, self.settings.prefs.region).ok()?;
                let sent = target.as_str();
                (typed.trim() != sent).then(|| (Tone::Info, format!("→ sent as {sent}")))
            }
            Field::Value => {
                // Whenever what goes out is spelt differently from what was typed: `$299`,
                // `1,299.50`, `1e3` (sent as 1000.0).
                let typed = self.form.text(Field::Value);
                parse_value_lenient(&typed)
                    .ok()
                    .flatten()
                    .map(|n| n.to_string())
                    .filter(|sent| sent != typed.trim())
                    .map(|sent| (Tone::Info, format!("→ sent as {sent}")))
            }
            _ => None,
        }
    }

    /// What to know before `update` is sent (`api::notes::warnings` with the form's region):
    /// the same words in the form, the queue and the confirmation. `typed_target` as there.
    pub fn warnings(
        &self,
        update: &crate::api::update::OutcomeUpdate,
        typed_target: Option<&str>,
    ) -> Vec<String> {
        crate::api::notes::warnings(
            update,
            typed_target,
            self.settings.prefs.region,
            self.labels(),
        )
    }

    pub fn record(&self, id: i64) -> Option<&Record> {
        self.history.rows.iter().find(|r| r.id == id)
    }
}
