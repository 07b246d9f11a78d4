//! `App`: the whole screen's state as plain data (no handles, no clock). Only `update` changes
//! it; views borrow it.

use std::time::Duration;

use ratatui::style::{Color, Style};
use ratatui_textarea::TextArea;
use time::UtcOffset;

use super::profiles::{ProfileTag, fallback_tag};
use crate::api::key::Credentials;
use crate::api::phone::{Region, read_as_call_id};
use crate::api::request::{BaseUrl, WireRequest, build};
use crate::api::update::{
    Field, FieldError, OutcomeUpdate, Rules, TargetKind, UpdateInput, parse_target,
    parse_value_lenient, validate,
};
use crate::config::{DOCUMENTED_OUTCOMES, Theme};
use crate::history::{Filter, Record};

mod form;
mod queue;
pub use form::{Form, MetadataCheck};
pub use queue::{
    ItemStatus, PathPrompt, QUEUE_CONCURRENCY, Queue, QueueCounts, QueueItem, QueueRun,
};

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
    /// The calls from the form's phone number (issue 14), while they are listed.
    Calls,
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
            Focus::History | Focus::Filter | Focus::Queue | Focus::Calls => return None,
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

/// A valid form turned into what would be sent.
#[derive(Clone, Debug, PartialEq)]
pub struct Ready {
    pub update: OutcomeUpdate,
    pub request: WireRequest,
    /// The call of the calls list the request is pinned to (`request` goes to its id, no
    /// preference; `update` keeps the phone typed, for the history).
    pub pinned_call: Option<String>,
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
    /// A send by phone while the calls list named the call it would hit: checked against the
    /// call Phonely answered with.
    pub expected: Option<super::calls::Expected>,
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
    /// The team log's answer to the same question, naming the colleague ("ana set Sold · 299
    /// on this call 3 minutes ago (team log); …"); set by the runtime.
    pub team_duplicate: Option<String>,
}

impl Confirm {
    /// The confirmation for a ready request, not yet acknowledged.
    pub fn new(ready: Ready, duplicate: Option<Record>, resend_of: Option<Record>) -> Box<Self> {
        Box::new(Self {
            ready,
            duplicate,
            acknowledged: false,
            resend_of,
            team_duplicate: None,
        })
    }

    /// Sent before, here or by the team: the first "yes" only acknowledges it.
    pub fn warns(&self) -> bool {
        self.duplicate.is_some() || self.team_duplicate.is_some()
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
    /// Browsing the agent's recent calls (its state is `App::browse`).
    Browse,
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
    /// The Team view (`t`), when it is shown instead of this laptop's rows.
    pub team: Option<TeamView>,
    /// Bumped for each Team view query (a new filter, the view opened again).
    pub team_generation: u64,
}

/// The history pane's Team view: everyone's updates from the team log, newest first, paged in
/// as the selection moves down (by cursor: the last row's time and UUID).
#[derive(Clone, Debug, Default)]
pub struct TeamView {
    pub rows: Vec<phonely_team::TeamRow>,
    pub selected: usize,
    pub loading: bool,
    pub exhausted: bool,
    /// Why the team log could not be read (not set up, offline), for the pane.
    pub error: Option<String>,
    /// The filter the rows were loaded with.
    pub filter: Filter,
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
    /// The calls from the form's phone number (looked up in the background).
    pub calls: super::calls::CallsLookup,
    /// When the calls list's answer came (the list's "2 h ago" counts from it: no clock here).
    pub calls_now: time::OffsetDateTime,
    /// The agent's recent calls, for the browse modal (kept between openings).
    pub browse: super::browse::Browse,
    /// The team log's newest ✓ by a colleague on the call (agent, target, "ana set Sold · 299
    /// on this call 3 minutes ago"), shown beside "Last set here".
    pub team_last_set: Option<(String, String, String)>,
    /// "team log offline: N waiting" while rows wait for the team log.
    pub team_status: Option<String>,
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
            calls: super::calls::CallsLookup::default(),
            calls_now: time::OffsetDateTime::UNIX_EPOCH,
            browse: super::browse::Browse::default(),
            team_status: None,
            team_last_set: None,
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
            // A call pinned in the calls list: the request goes to it by id (no preference),
            // the update keeps the phone typed.
            if let Some(pinned) = self.calls.pinned_update(&self.profile.name, &update) {
                let request = build(&pinned, &self.settings.base_url);
                let pinned_call = self.calls.pinned_target().map(|c| c.as_str().to_string());
                return Ready {
                    update,
                    request,
                    pinned_call,
                };
            }
            let request = build(&update, &self.settings.base_url);
            Ready {
                update,
                request,
                pinned_call: None,
            }
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
        order.extend([Focus::Outcome, Focus::Value, Focus::Metadata]);
        if self.calls.state != super::calls::LookupState::Idle {
            order.push(Focus::Calls);
        }
        order.push(Focus::History);
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
