//! The calls behind the form's phone number (issue 14), as plain state: no IO, no clock.
//!
//! `CallsLookup` follows the form's (profile, agent, phone). A change starts a new generation
//! and asks for a pause (`LookupEffect::Debounce`); when the pause is over (`due`) it asks for
//! the look-up (`LookupEffect::Fetch`); the answer (`answered`) is used only if it belongs to
//! the current generation, so a newer keystroke always wins over an older look-up. Answers are
//! cached per (profile, agent, number) while the workbench runs; `refresh` asks again. A failed
//! look-up is shown, never in the way: sending by phone works as before.
//!
//! The list also says which call `?preference=first|last` would hit (`would_hit`, with
//! `phonely_core::calls::pick`), keeps a selection and a pinned call (sent to by id, no
//! preference), and says which call a send by phone should hit (`Expected`): the send records
//! it as the row's `listed_call`, and `Record::mismatch` compares it with Phonely's answer.

use std::collections::HashMap;
use std::time::Duration;

use ::time::{OffsetDateTime, UtcOffset};

use crate::api::calls::{CallSummary, ListQuery, pick, sort_newest_first};
use crate::api::outcome::{State, one_line};
use crate::api::phone::{E164, Region};
use crate::api::record::Record;
use crate::api::update::{
    AgentId, CallId, OutcomeUpdate, Preference, Target, TargetKind, parse_target,
};

/// How long typing must pause on a valid number before the calls are looked up.
pub(crate) const DEBOUNCE: Duration = Duration::from_millis(60);

/// Whose calls: the profile (the key decides the account), the agent and the number.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LookupKey {
    pub profile: String,
    pub agent: AgentId,
    pub phone: E164,
}

impl LookupKey {
    /// The look-up as sent: the first page (100, Phonely's most) of the number's calls.
    pub(crate) fn query(&self) -> ListQuery {
        let mut q = ListQuery::new(self.agent.clone());
        q.phone = Some(self.phone.clone());
        q
    }
}

/// What the runtime is asked to do. `generation` comes back with the answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LookupEffect {
    /// Wait `after`, then call `due(generation)`. A newer `Debounce` replaces the older one.
    Debounce { generation: u64, after: Duration },
    /// Run the look-up (`tui::lookup::run`) and hand its outcome to `answered(generation, …)`.
    Fetch {
        generation: u64,
        key: LookupKey,
        query: ListQuery,
    },
    /// Stop the look-up of this generation (its answer would be dropped anyway): at most one
    /// look-up is in flight.
    Cancel { generation: u64 },
    /// Read what our history last set on these calls and hand it to `set_last_set`.
    LoadLastSet {
        generation: u64,
        key: LookupKey,
        call_ids: Vec<String>,
    },
}

/// A look-up that came back: the number's calls (those the server listed for another number
/// are left out and counted) and how many Phonely says match in all.
#[derive(Clone, Debug, PartialEq)]
pub struct Fetched {
    pub calls: Vec<CallSummary>,
    pub total: Option<u64>,
}

/// What a look-up gives: the calls, or a message for people (401, 403, no answer, garbage).
pub type LookupOutcome = Result<Fetched, String>;

/// What the list shows.
#[derive(Clone, Debug, PartialEq)]
pub enum LookupState {
    /// No agent or no valid phone number in the form: nothing to look up.
    Idle,
    /// Waiting for the typing to pause or for the answer.
    Waiting,
    Loaded(Fetched),
    /// The look-up failed; sending by phone is not affected.
    Failed(String),
}

/// What our history last set on a call (built by the caller from the newest record for it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastSet {
    /// `Resolved · 120` — from our own history, shown inert anyway.
    pub summary: String,
    /// When it was sent (ms since the epoch).
    pub at_ms: i64,
}

/// What the list said a send by phone would hit: recorded with it (`listed_call`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    pub preference: Preference,
    pub call_id: String,
}

/// The look-up state for the form's (profile, agent, phone).
#[derive(Clone, Debug)]
pub struct CallsLookup {
    /// Raised on every change of what is looked up; an answer for an older one is dropped.
    pub generation: u64,
    key: Option<LookupKey>,
    pub state: LookupState,
    /// The generation whose look-up is running, if any.
    in_flight: Option<u64>,
    cache: HashMap<LookupKey, Fetched>,
    /// Index into the loaded calls (newest first).
    pub selected: usize,
    /// The pinned call; it belongs to the current key (a change of key unpins).
    pinned: Option<CallSummary>,
    /// Call id → what our history last set on it, for the current key.
    last_set: HashMap<String, LastSet>,
}

impl Default for CallsLookup {
    fn default() -> Self {
        Self {
            generation: 0,
            key: None,
            state: LookupState::Idle,
            in_flight: None,
            cache: HashMap::new(),
            selected: 0,
            pinned: None,
            last_set: HashMap::new(),
        }
    }
}

impl CallsLookup {
    /// Whose calls are on the list, if anyone's.
    pub(crate) fn key(&self) -> Option<&LookupKey> {
        self.key.as_ref()
    }

    /// The form changed: `phone` is the target when it is a valid phone number (`None` for a
    /// call id or text that is not a number yet), `agent` when the agent is valid. Call it
    /// after every edit; nothing happens when the key stays the same.
    pub(crate) fn form_changed(
        &mut self,
        profile: &str,
        agent: Option<&AgentId>,
        phone: Option<&E164>,
    ) -> Vec<LookupEffect> {
        let key = match (agent, phone) {
            (Some(agent), Some(phone)) => Some(LookupKey {
                profile: profile.to_string(),
                agent: agent.clone(),
                phone: phone.clone(),
            }),
            _ => None,
        };
        if key == self.key {
            return Vec::new();
        }
        let mut effects = self.start_generation();
        self.key = key;
        self.selected = 0;
        self.last_set.clear();
        // A pin belongs to one number of one agent on one account: a change drops it.
        self.pinned = None;
        let cached = self.key.as_ref().map(|key| self.cache.get(key).cloned());
        match cached {
            None => self.state = LookupState::Idle,
            Some(Some(hit)) => {
                self.state = LookupState::Loaded(hit);
                effects.extend(self.last_set_effect());
            }
            Some(None) => {
                self.state = LookupState::Waiting;
                effects.push(LookupEffect::Debounce {
                    generation: self.generation,
                    after: DEBOUNCE,
                });
            }
        }
        effects
    }

    /// The pause asked for by `Debounce` is over: the look-up, if this is still the current
    /// generation and it has not started.
    pub(crate) fn due(&mut self, generation: u64) -> Vec<LookupEffect> {
        if generation != self.generation
            || self.state != LookupState::Waiting
            || self.in_flight.is_some()
        {
            return Vec::new();
        }
        self.fetch().into_iter().collect()
    }

    /// The refresh key: ask again, past the cache and without a pause.
    pub(crate) fn refresh(&mut self) -> Vec<LookupEffect> {
        let Some(key) = self.key.clone() else {
            return Vec::new();
        };
        self.cache.remove(&key);
        let mut effects = self.start_generation();
        self.state = LookupState::Waiting;
        effects.extend(self.fetch());
        effects
    }

    /// A look-up came back. Returns false when it was dropped (an older generation).
    pub(crate) fn answered(
        &mut self,
        generation: u64,
        outcome: LookupOutcome,
    ) -> (bool, Vec<LookupEffect>) {
        if generation != self.generation || self.in_flight != Some(generation) {
            return (false, Vec::new());
        }
        self.in_flight = None;
        let Some(key) = self.key.clone() else {
            return (false, Vec::new());
        };
        match outcome {
            Ok(mut fetched) => {
                sort_newest_first(&mut fetched.calls);
                self.cache.insert(key, fetched.clone());
                let len = fetched.calls.len();
                self.state = LookupState::Loaded(fetched);
                self.selected = self.selected.min(len.saturating_sub(1));
                (true, self.last_set_effect().into_iter().collect())
            }
            Err(message) => {
                self.state = LookupState::Failed(message);
                (true, Vec::new())
            }
        }
    }

    /// What our history last set on the listed calls, for `key` (dropped if the list has moved
    /// on to another number meanwhile).
    pub(crate) fn set_last_set(
        &mut self,
        key: &LookupKey,
        entries: HashMap<String, LastSet>,
    ) -> bool {
        if self.key.as_ref() != Some(key) {
            return false;
        }
        self.last_set = entries;
        true
    }

    pub(crate) fn last_set(&self, call_id: &str) -> Option<&LastSet> {
        self.last_set.get(call_id)
    }

    /// The loaded calls, newest first (empty unless loaded).
    pub(crate) fn calls(&self) -> &[CallSummary] {
        match &self.state {
            LookupState::Loaded(f) => &f.calls,
            _ => &[],
        }
    }

    /// The call `?preference=` would hit, as far as the list knows.
    pub(crate) fn would_hit(&self, preference: Preference) -> Option<&CallSummary> {
        pick(self.calls(), preference)
    }

    /// What to keep with a send by phone so its answer can be checked (`Record::mismatch`).
    /// `None` unless a list is on screen and names a call.
    pub(crate) fn expected(&self, preference: Preference) -> Option<Expected> {
        let call = self.would_hit(preference)?;
        Some(Expected {
            preference,
            call_id: call.id.clone()?,
        })
    }

    /// What to keep with a send of `update` by phone: the call the list says it would hit,
    /// when the list is of the update's own profile, agent and number (`None` otherwise).
    pub(crate) fn expected_for(&self, profile: &str, update: &OutcomeUpdate) -> Option<Expected> {
        let key = self.key.as_ref()?;
        let Target::Phone { phone, preference } = &update.target else {
            return None;
        };
        if key.profile != profile || key.agent != update.agent || key.phone != *phone {
            return None;
        }
        self.expected(*preference)
    }

    pub(crate) fn select_next(&mut self) {
        if self.selected + 1 < self.calls().len() {
            self.selected += 1;
        }
    }

    pub(crate) fn select_previous(&mut self) {
        self.selected = self.selected.saturating_sub(1);
    }

    pub(crate) fn selected_call(&self) -> Option<&CallSummary> {
        self.calls().get(self.selected)
    }

    /// Pins the selected call, or unpins it when it is the pinned one. A call without an id
    /// cannot be pinned. Returns whether anything changed.
    pub(crate) fn toggle_pin(&mut self) -> bool {
        let Some(call) = self.selected_call().cloned() else {
            return false;
        };
        if call.id.is_none() {
            return false;
        }
        if self.pinned.as_ref().is_some_and(|p| p.id == call.id) {
            self.pinned = None;
        } else {
            self.pinned = Some(call);
        }
        true
    }

    pub(crate) fn unpin(&mut self) -> bool {
        self.pinned.take().is_some()
    }

    /// The pinned call (it belongs to the current key: a change of key unpins).
    pub(crate) fn pinned(&self) -> Option<&CallSummary> {
        self.pinned.as_ref()
    }

    /// The pinned call's id as a target, when the id is one the request builder accepts.
    pub(crate) fn pinned_target(&self) -> Option<CallId> {
        CallId::parse(self.pinned()?.id.as_deref()?).ok()
    }

    /// The update as it goes to the pinned call: `update` re-targeted to the call's ID (no
    /// preference), when `update` is by phone for the pinned call's agent and number on
    /// `profile`; `None` otherwise (no pin, or the pin is for another number, agent or
    /// account, or the pinned id is not one the builder accepts). The history keeps the phone
    /// typed (`update`) and the call (`pinned_target`).
    pub(crate) fn pinned_update(
        &self,
        profile: &str,
        update: &OutcomeUpdate,
    ) -> Option<OutcomeUpdate> {
        let key = self.key.as_ref()?;
        let Target::Phone { phone, .. } = &update.target else {
            return None;
        };
        if key.profile != profile || key.agent != update.agent || key.phone != *phone {
            return None;
        }
        Some(OutcomeUpdate {
            target: Target::CallId(self.pinned_target()?),
            ..update.clone()
        })
    }

    /// The preference field's line: `last → call 7f3a, today 10:42, 3 min`. `None` when there
    /// is no look-up. Server text made inert.
    pub(crate) fn preference_line(
        &self,
        preference: Preference,
        now: OffsetDateTime,
        offset: UtcOffset,
    ) -> Option<String> {
        let pref = preference.as_str();
        if let Some(call) = self.pinned() {
            return Some(format!(
                "pinned → {} (sent to this call, no preference)",
                call_words(call, now, offset)
            ));
        }
        Some(match &self.state {
            LookupState::Idle => return None,
            LookupState::Waiting => format!("{pref} → looking up the calls from this number…"),
            LookupState::Failed(_) => {
                format!("{pref} → Phonely picks when the update arrives (the look-up failed)")
            }
            LookupState::Loaded(_) => match self.would_hit(preference) {
                Some(call) => format!("{pref} → {}", call_words(call, now, offset)),
                None => format!("{pref} → no call from this number in the list"),
            },
        })
    }

    /// A new generation: the older look-up, if running, is stopped.
    fn start_generation(&mut self) -> Vec<LookupEffect> {
        self.generation += 1;
        self.in_flight
            .take()
            .map(|generation| LookupEffect::Cancel { generation })
            .into_iter()
            .collect()
    }

    fn fetch(&mut self) -> Option<LookupEffect> {
        let key = self.key.clone()?;
        self.in_flight = Some(self.generation);
        Some(LookupEffect::Fetch {
            generation: self.generation,
            query: key.query(),
            key,
        })
    }

    fn last_set_effect(&self) -> Option<LookupEffect> {
        let key = self.key.clone()?;
        let call_ids: Vec<String> = self.calls().iter().filter_map(|c| c.id.clone()).collect();
        (!call_ids.is_empty()).then_some(LookupEffect::LoadLastSet {
            generation: self.generation,
            key,
            call_ids,
        })
    }
}

/// The form's agent and phone as the look-up wants them, each `None` unless valid on its own
/// (the rest of the form need not be): `target` is a phone when the form would read it as
/// one (`kind`, and for `Either` the same rule as `validate`).
pub(crate) fn form_parts(
    agent: &str,
    target: &str,
    kind: TargetKind,
    region: Region,
) -> (Option<AgentId>, Option<E164>) {
    let agent = AgentId::parse(agent).ok();
    let phone = match kind {
        TargetKind::CallId => None,
        TargetKind::Phone => E164::normalise(target.trim(), region).ok(),
        TargetKind::Either => match parse_target(target, region) {
            Ok(Target::Phone { phone, .. }) => Some(phone),
            _ => None,
        },
    };
    (agent, phone)
}

/// What our history last set on each of `call_ids`, from `records` (any order): the newest
/// update of `key`'s profile and agent that went through (✓, or "did not confirm" marked so)
/// on that call. The call an update landed on is the one it was pinned to, else the one
/// Phonely answered, else its target when that was a call ID. Refused, unanswered and pending
/// updates set nothing we know of, so they are left out.
pub(crate) fn last_set_from(
    records: &[Record],
    key: &LookupKey,
    call_ids: &[String],
) -> HashMap<String, LastSet> {
    let mut out: HashMap<String, LastSet> = HashMap::new();
    for r in records {
        if r.profile != key.profile || r.agent != key.agent.as_str() {
            continue;
        }
        let note = match r.state {
            State::Ok => "",
            State::Unconfirmed => " (not confirmed)",
            _ => continue,
        };
        let landed = r
            .pinned_call
            .as_deref()
            .or(r.resolved_call_id.as_deref())
            .or((r.target_kind == "call").then_some(r.target.as_str()));
        let Some(call) = landed.filter(|c| call_ids.iter().any(|id| id == c)) else {
            continue;
        };
        if out.get(call).is_some_and(|seen| seen.at_ms >= r.created_ms) {
            continue;
        }
        out.insert(
            call.to_string(),
            LastSet {
                summary: format!("{}{note}", r.set_text()),
                at_ms: r.created_ms,
            },
        );
    }
    out
}

/// `call 7f3a, today 10:42, 3 min`.
pub(crate) fn call_words(call: &CallSummary, now: OffsetDateTime, offset: UtcOffset) -> String {
    let mut out = format!("call {}", one_line(call.id.as_deref().unwrap_or("?"), 40));
    if let Some(t) = call.started {
        out.push_str(", ");
        out.push_str(&day_time(t, now, offset));
    }
    if let Some(d) = call.duration {
        out.push_str(", ");
        out.push_str(&short_duration(d));
    }
    out
}

/// `today 10:42`, `yesterday 18:05`, else `2026-11-20 16:03`, in local time.
pub(crate) fn day_time(t: OffsetDateTime, now: OffsetDateTime, offset: UtcOffset) -> String {
    let (t, now) = (t.to_offset(offset), now.to_offset(offset));
    let hm = format!("{:02}:{:02}", t.hour(), t.minute());
    if t.date() == now.date() {
        format!("today {hm}")
    } else if now.date().previous_day() == Some(t.date()) {
        format!("yesterday {hm}")
    } else {
        crate::api::calls::short_time(t, offset)
    }
}

/// `just now`, `5 min ago`, `2 h ago`, `3 d ago`; a start in the future says `in 5 min`.
pub(crate) fn ago(t: OffsetDateTime, now: OffsetDateTime) -> String {
    let secs = (now - t).whole_seconds();
    let (n, future) = (secs.unsigned_abs(), secs < 0);
    let span = match n {
        0..60 => return "just now".to_string(),
        60..3_600 => format!("{} min", n / 60),
        3_600..86_400 => format!("{} h", n / 3_600),
        _ => format!("{} d", n / 86_400),
    };
    if future {
        format!("in {span}")
    } else {
        format!("{span} ago")
    }
}

/// `45 s`, `3 min`, `1 h 02 min`: a call's length at a glance.
pub(crate) fn short_duration(seconds: f64) -> String {
    // Finite and non-negative (checked when the answer was read); saturating otherwise.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let s = seconds.round().clamp(0.0, 1e12) as u64;
    match s {
        0..60 => format!("{s} s"),
        60..3_600 => format!("{} min", (s + 30) / 60),
        _ => format!("{} h {:02} min", s / 3_600, (s % 3_600) / 60),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use ::time::macros::datetime;
    use serde_json::value::RawValue;

    /// A call as Phonely lists it.
    pub(crate) fn call(id: &str, started: &str, duration: f64, status: &str) -> CallSummary {
        let text = format!(
            r#"{{"id":"{id}","customer_phone_number":"+14155551234","started_at":"{started}",
                "duration":{duration},"status":"{status}","type":"inboundPhoneCall",
                "c_outcome":"Appointment booked"}}"#
        );
        let raw: Box<RawValue> = serde_json::from_str(&text).unwrap();
        CallSummary::from_item(&raw).unwrap()
    }

    pub(crate) fn three_calls() -> Fetched {
        Fetched {
            calls: vec![
                call("call-first", "2026-11-02T09:12:00Z", 194.0, "COMPLETED"),
                call("call-last", "2026-12-03T10:42:00Z", 185.0, "COMPLETED"),
                call("call-mid", "2026-12-02T18:05:00Z", 706.0, "FAILED"),
            ],
            total: Some(3),
        }
    }

    fn agent(a: &str) -> AgentId {
        AgentId::parse(a).unwrap()
    }

    fn phone(p: &str) -> E164 {
        E164::parse(p).unwrap()
    }

    const NOW: OffsetDateTime = datetime!(2026-12-03 12:45 UTC);

    /// Types the number and lets the pause pass: the state is waiting on generation `g`.
    fn fetching(l: &mut CallsLookup, number: &str) -> u64 {
        let effects = l.form_changed("sandbox", Some(&agent("agent123")), Some(&phone(number)));
        let Some(LookupEffect::Debounce { generation, after }) = effects.last().cloned() else {
            panic!("no debounce in {effects:?}");
        };
        assert_eq!(after, DEBOUNCE);
        let effects = l.due(generation);
        assert!(
            matches!(&effects[..], [LookupEffect::Fetch { generation: g, .. }] if *g == generation),
            "{effects:?}"
        );
        generation
    }

    #[test]
    fn a_valid_number_waits_for_the_pause_then_asks_once() {
        let mut l = CallsLookup::default();
        assert!(
            l.form_changed("sandbox", Some(&agent("agent123")), None)
                .is_empty()
        );
        assert_eq!(l.state, LookupState::Idle);
        let effects = l.form_changed(
            "sandbox",
            Some(&agent("agent123")),
            Some(&phone("+14155551234")),
        );
        let [LookupEffect::Debounce { generation, after }] = effects[..] else {
            panic!("{effects:?}");
        };
        assert_eq!(after, Duration::from_millis(60));
        assert_eq!(l.state, LookupState::Waiting);
        // Another field's keystroke: the same key, nothing new.
        assert!(
            l.form_changed(
                "sandbox",
                Some(&agent("agent123")),
                Some(&phone("+14155551234"))
            )
            .is_empty()
        );
        let effects = l.due(generation);
        let [
            LookupEffect::Fetch {
                generation: g,
                ref query,
                ..
            },
        ] = effects[..]
        else {
            panic!("{effects:?}");
        };
        assert_eq!(g, generation);
        assert_eq!(
            query.path_and_query(),
            "/api/calls/agent123?customer_phone_number=%2B14155551234&limit=100&offset=0"
        );
        // A second `due` (a timer that fired twice) starts nothing more.
        assert!(l.due(generation).is_empty());
    }

    #[test]
    fn a_keystroke_during_the_pause_moves_it() {
        let mut l = CallsLookup::default();
        let a = l.form_changed("p", Some(&agent("agent123")), Some(&phone("+1415555123")));
        let b = l.form_changed("p", Some(&agent("agent123")), Some(&phone("+14155551234")));
        let (
            LookupEffect::Debounce { generation: ga, .. },
            LookupEffect::Debounce { generation: gb, .. },
        ) = (&a[0], &b[0])
        else {
            panic!("{a:?} {b:?}");
        };
        assert!(gb > ga);
        assert!(l.due(*ga).is_empty(), "the older pause is moot");
        assert_eq!(l.due(*gb).len(), 1);
    }

    #[test]
    fn a_newer_keystroke_supersedes_a_running_look_up() {
        let mut l = CallsLookup::default();
        let old = fetching(&mut l, "+14155551234");
        let effects = l.form_changed(
            "sandbox",
            Some(&agent("agent123")),
            Some(&phone("+14155551235")),
        );
        assert_eq!(effects[0], LookupEffect::Cancel { generation: old });
        assert!(matches!(effects[1], LookupEffect::Debounce { .. }));
        // The old answer arrives anyway: dropped, the list stays waiting.
        let (used, more) = l.answered(old, Ok(three_calls()));
        assert!(!used && more.is_empty());
        assert_eq!(l.state, LookupState::Waiting);
        assert!(l.calls().is_empty());
        // …and it was not cached under the new number or the old one.
        l.form_changed(
            "sandbox",
            Some(&agent("agent123")),
            Some(&phone("+14155551234")),
        );
        assert_eq!(l.state, LookupState::Waiting);
    }

    #[test]
    fn clearing_the_number_cancels_and_goes_idle() {
        let mut l = CallsLookup::default();
        let g = fetching(&mut l, "+14155551234");
        let effects = l.form_changed("sandbox", Some(&agent("agent123")), None);
        assert_eq!(effects, [LookupEffect::Cancel { generation: g }]);
        assert_eq!(l.state, LookupState::Idle);
        assert!(!l.answered(g, Ok(three_calls())).0);
        assert_eq!(l.state, LookupState::Idle);
    }

    #[test]
    fn an_answer_is_listed_newest_first_and_cached() {
        let mut l = CallsLookup::default();
        let g = fetching(&mut l, "+14155551234");
        let (used, effects) = l.answered(g, Ok(three_calls()));
        assert!(used);
        let ids: Vec<_> = l.calls().iter().map(|c| c.id.clone().unwrap()).collect();
        assert_eq!(ids, ["call-last", "call-mid", "call-first"]);
        assert!(
            matches!(&effects[..], [LookupEffect::LoadLastSet { call_ids, .. }] if call_ids.len() == 3),
            "{effects:?}"
        );
        // Another number, then back: from the cache, no pause, no look-up.
        l.form_changed(
            "sandbox",
            Some(&agent("agent123")),
            Some(&phone("+16175550123")),
        );
        let effects = l.form_changed(
            "sandbox",
            Some(&agent("agent123")),
            Some(&phone("+14155551234")),
        );
        assert!(
            effects
                .iter()
                .all(|e| matches!(e, LookupEffect::LoadLastSet { .. })),
            "{effects:?}"
        );
        assert_eq!(l.calls().len(), 3);
        // The cache is per profile: the same number on another profile is looked up.
        let effects = l.form_changed(
            "production",
            Some(&agent("agent123")),
            Some(&phone("+14155551234")),
        );
        assert!(matches!(effects[..], [LookupEffect::Debounce { .. }]));
        assert_eq!(l.state, LookupState::Waiting);
    }

    #[test]
    fn refresh_bypasses_the_cache_at_once() {
        let mut l = CallsLookup::default();
        let g = fetching(&mut l, "+14155551234");
        l.answered(g, Ok(three_calls()));
        let effects = l.refresh();
        let [LookupEffect::Fetch { generation, .. }] = effects[..] else {
            panic!("{effects:?}");
        };
        assert!(generation > g);
        assert_eq!(l.state, LookupState::Waiting);
        // Refreshing again while it runs stops the running one.
        let effects = l.refresh();
        assert_eq!(effects[0], LookupEffect::Cancel { generation });
        assert!(matches!(effects[1], LookupEffect::Fetch { .. }));
        // Nothing to refresh without a number.
        let mut idle = CallsLookup::default();
        assert!(idle.refresh().is_empty());
    }

    #[test]
    fn a_failure_is_shown_not_cached_and_does_not_block() {
        let mut l = CallsLookup::default();
        let g = fetching(&mut l, "+14155551234");
        let message = "This API key has no access to this agent (HTTP 403 Forbidden)";
        assert!(l.answered(g, Err(message.to_string())).0);
        assert_eq!(l.state, LookupState::Failed(message.to_string()));
        assert!(l.would_hit(Preference::Last).is_none());
        assert!(l.expected(Preference::Last).is_none());
        assert!(!l.toggle_pin());
        assert_eq!(
            l.preference_line(Preference::Last, NOW, UtcOffset::UTC)
                .unwrap(),
            "last → Phonely picks when the update arrives (the look-up failed)"
        );
        // Leaving and coming back asks again (failures are not cached).
        l.form_changed("sandbox", Some(&agent("agent123")), None);
        let effects = l.form_changed(
            "sandbox",
            Some(&agent("agent123")),
            Some(&phone("+14155551234")),
        );
        assert!(matches!(effects[..], [LookupEffect::Debounce { .. }]));
    }

    #[test]
    fn first_and_last_and_the_preference_line() {
        let mut l = CallsLookup::default();
        assert_eq!(
            l.preference_line(Preference::Last, NOW, UtcOffset::UTC),
            None
        );
        let g = fetching(&mut l, "+14155551234");
        assert_eq!(
            l.preference_line(Preference::Last, NOW, UtcOffset::UTC)
                .unwrap(),
            "last → looking up the calls from this number…"
        );
        l.answered(g, Ok(three_calls()));
        assert_eq!(
            l.would_hit(Preference::First).unwrap().id.as_deref(),
            Some("call-first")
        );
        assert_eq!(
            l.preference_line(Preference::Last, NOW, UtcOffset::UTC)
                .unwrap(),
            "last → call call-last, today 10:42, 3 min"
        );
        let plus2 = UtcOffset::from_hms(2, 0, 0).unwrap();
        assert_eq!(
            l.preference_line(Preference::First, NOW, plus2).unwrap(),
            "first → call call-first, 2026-11-02 11:12, 3 min"
        );
        // No call from the number.
        let mut empty = CallsLookup::default();
        let g = fetching(&mut empty, "+14155551234");
        empty.answered(
            g,
            Ok(Fetched {
                calls: vec![],
                total: Some(0),
            }),
        );
        assert_eq!(
            empty
                .preference_line(Preference::Last, NOW, UtcOffset::UTC)
                .unwrap(),
            "last → no call from this number in the list"
        );
    }

    #[test]
    fn pin_unpin_and_a_change_of_number_drops_the_pin() {
        let mut l = CallsLookup::default();
        let g = fetching(&mut l, "+14155551234");
        l.answered(g, Ok(three_calls()));
        l.select_next();
        assert_eq!(l.selected_call().unwrap().id.as_deref(), Some("call-mid"));
        assert!(l.toggle_pin());
        assert_eq!(l.pinned().unwrap().id.as_deref(), Some("call-mid"));
        assert_eq!(l.pinned_target().unwrap().as_str(), "call-mid");
        assert_eq!(
            l.preference_line(Preference::Last, NOW, UtcOffset::UTC)
                .unwrap(),
            "pinned → call call-mid, yesterday 18:05, 12 min (sent to this call, no preference)"
        );
        // Another call selected: the pin moves to it; the same one again: unpinned.
        l.select_previous();
        assert!(l.toggle_pin());
        assert_eq!(l.pinned().unwrap().id.as_deref(), Some("call-last"));
        assert!(l.toggle_pin());
        assert!(l.pinned().is_none());
        assert!(l.toggle_pin());
        assert!(l.unpin());
        assert!(!l.unpin());
        // A pin survives a refresh of the same number, not a change of number or agent.
        l.toggle_pin();
        l.refresh();
        assert!(l.pinned().is_some());
        l.form_changed(
            "sandbox",
            Some(&agent("agent456")),
            Some(&phone("+14155551234")),
        );
        assert!(l.pinned().is_none());
        assert!(l.pinned_target().is_none());
    }

    #[test]
    fn selection_stays_within_the_list() {
        let mut l = CallsLookup::default();
        l.select_next();
        assert_eq!(l.selected, 0);
        let g = fetching(&mut l, "+14155551234");
        l.answered(g, Ok(three_calls()));
        for _ in 0..5 {
            l.select_next();
        }
        assert_eq!(l.selected, 2);
        for _ in 0..5 {
            l.select_previous();
        }
        assert_eq!(l.selected, 0);
    }

    #[test]
    fn a_mismatch_after_a_send_by_phone_is_named() {
        // The words `Record::mismatch` says once the row holds the listed call.
        let mismatch = |e: &Expected, answered: Option<&str>| {
            crate::api::record::call_mismatch(answered, &e.call_id, e.preference.as_str())
        };
        let mut l = CallsLookup::default();
        let g = fetching(&mut l, "+14155551234");
        l.answered(g, Ok(three_calls()));
        let expected = l.expected(Preference::Last).unwrap();
        assert_eq!(expected.call_id, "call-last");
        assert_eq!(mismatch(&expected, Some("call-last")), None);
        assert_eq!(mismatch(&expected, None), None);
        assert_eq!(mismatch(&expected, Some("  ")), None);
        assert_eq!(
            mismatch(&expected, Some("call-newer")).unwrap(),
            "Phonely updated call call-newer; the list showed call-last as last"
        );
        let hostile = mismatch(&expected, Some("x\u{1b}]52;c;AAAA\u{7}")).unwrap();
        assert!(
            !hostile.contains('\u{1b}') && !hostile.contains('\u{7}'),
            "{hostile}"
        );
        let first = l.expected(Preference::First).unwrap();
        assert_eq!(
            mismatch(&first, Some("call-mid")).unwrap(),
            "Phonely updated call call-mid; the list showed call-first as first"
        );
    }

    #[test]
    fn last_set_is_kept_only_for_the_current_number() {
        let mut l = CallsLookup::default();
        let g = fetching(&mut l, "+14155551234");
        let (_, effects) = l.answered(g, Ok(three_calls()));
        let Some(LookupEffect::LoadLastSet { key, .. }) = effects.first().cloned() else {
            panic!("{effects:?}");
        };
        let entry = LastSet {
            summary: "Resolved · 120".into(),
            at_ms: 1,
        };
        let entries = HashMap::from([("call-mid".to_string(), entry.clone())]);
        assert!(l.set_last_set(&key, entries.clone()));
        assert_eq!(l.last_set("call-mid"), Some(&entry));
        assert_eq!(l.last_set("call-last"), None);
        l.form_changed(
            "sandbox",
            Some(&agent("agent123")),
            Some(&phone("+16175550123")),
        );
        assert_eq!(l.last_set("call-mid"), None);
        assert!(
            !l.set_last_set(&key, entries),
            "an answer for another number"
        );
        assert_eq!(l.last_set("call-mid"), None);
    }

    #[test]
    fn last_set_comes_from_updates_that_went_through() {
        use crate::api::factory::pending;
        use crate::api::record::Provenance;
        use crate::api::request::{BaseUrl, build};
        use crate::api::update::{UpdateInput, validate};

        let record = |id: i64, profile: &str, target: &str, outcome: &str, at: i64| {
            let update = validate(&UpdateInput {
                agent: "agent123",
                target,
                outcome,
                value: "120",
                ..Default::default()
            })
            .unwrap();
            let request = build(&update, &BaseUrl::default());
            let who = Provenance {
                operator: "t".into(),
                profile: profile.into(),
                base_url: String::new(),
            };
            let mut r = pending(id, "s", &who, &update, &request, at);
            r.state = State::Ok;
            r
        };
        let key = LookupKey {
            profile: "sandbox".into(),
            agent: agent("agent123"),
            phone: phone("+14155551234"),
        };
        let ids: Vec<String> = ["call-last", "call-mid", "call-first"]
            .map(String::from)
            .to_vec();
        let by_id_old = record(1, "sandbox", "call-mid", "Callback", 10);
        let by_id_new = record(2, "sandbox", "call-mid", "Resolved", 20);
        let mut by_phone = record(3, "sandbox", "+14155551234", "Sold", 30);
        by_phone.resolved_call_id = Some("call-last".into());
        let mut pinned = record(4, "sandbox", "+14155551234", "Pinned", 40);
        pinned.pinned_call = Some("call-first".into());
        pinned.state = State::Unconfirmed;
        let mut refused = record(5, "sandbox", "call-mid", "Refused", 50);
        refused.state = State::Refused;
        let other_profile = record(6, "production", "call-mid", "Elsewhere", 60);
        let other_call = record(7, "sandbox", "call-zzz", "Other", 70);
        let records = [
            by_id_new,
            by_phone,
            by_id_old,
            pinned,
            refused,
            other_profile,
            other_call,
        ];
        let got = last_set_from(&records, &key, &ids);
        let text = |id: &str| got.get(id).map(|l| (l.summary.as_str(), l.at_ms));
        assert_eq!(text("call-mid"), Some(("Resolved · 120", 20)));
        assert_eq!(text("call-last"), Some(("Sold · 120", 30)));
        assert_eq!(
            text("call-first"),
            Some(("Pinned · 120 (not confirmed)", 40))
        );
        assert_eq!(got.len(), 3);
    }

    #[test]
    fn the_form_gives_an_agent_and_a_phone_only_when_each_is_valid() {
        let us = Region::parse("US").unwrap();
        let (a, p) = form_parts("agent123", "(415) 555-1234", TargetKind::Either, us);
        assert_eq!(a.unwrap().as_str(), "agent123");
        assert_eq!(p.unwrap().as_str(), "+14155551234");
        // A call ID, an unfinished number, or a call-ID column: no look-up.
        assert_eq!(form_parts("a", "call456", TargetKind::Either, us).1, None);
        assert_eq!(form_parts("a", "+1415", TargetKind::Either, us).1, None);
        assert_eq!(
            form_parts("a", "+14155551234", TargetKind::CallId, us).1,
            None
        );
        assert_eq!(
            form_parts("a", " +14155551234 ", TargetKind::Phone, us)
                .1
                .unwrap()
                .as_str(),
            "+14155551234"
        );
        assert_eq!(
            form_parts("", "+14155551234", TargetKind::Either, us).0,
            None
        );
    }

    #[test]
    fn a_pinned_update_goes_to_the_call_only_for_its_own_number() {
        use crate::api::request::{BaseUrl, build};
        use crate::api::update::{UpdateInput, validate};
        let by_phone = |agent: &str, target: &str| {
            validate(&UpdateInput {
                agent,
                target,
                preference: target.starts_with('+').then_some("last"),
                outcome: "Sold",
                ..Default::default()
            })
            .unwrap()
        };
        let mut l = CallsLookup::default();
        let g = fetching(&mut l, "+14155551234");
        l.answered(g, Ok(three_calls()));
        let update = by_phone("agent123", "+14155551234");
        assert_eq!(l.pinned_update("sandbox", &update), None, "nothing pinned");
        l.select_next();
        l.toggle_pin();
        let pinned = l.pinned_update("sandbox", &update).unwrap();
        assert_eq!(pinned.target.as_str(), "call-mid");
        assert_eq!(pinned.target.preference(), None);
        assert_eq!(pinned.outcome.as_deref(), Some("Sold"));
        let request = build(&pinned, &BaseUrl::default());
        assert!(
            request.url.ends_with("/api/calls/agent123/call-mid"),
            "{}",
            request.url
        );
        // Another number, agent or profile than the pin's: sent as typed.
        assert_eq!(
            l.pinned_update("sandbox", &by_phone("agent123", "+14155551235")),
            None
        );
        assert_eq!(
            l.pinned_update("sandbox", &by_phone("agent456", "+14155551234")),
            None
        );
        assert_eq!(l.pinned_update("production", &update), None);
        assert_eq!(
            l.pinned_update("sandbox", &by_phone("agent123", "call-last")),
            None
        );
    }

    #[test]
    fn times_and_lengths_for_people() {
        assert_eq!(ago(datetime!(2026-12-03 10:40 UTC), NOW), "2 h ago");
        assert_eq!(ago(datetime!(2026-12-03 12:44:30 UTC), NOW), "just now");
        assert_eq!(ago(datetime!(2026-12-03 12:30 UTC), NOW), "15 min ago");
        assert_eq!(ago(datetime!(2026-11-30 12:45 UTC), NOW), "3 d ago");
        assert_eq!(ago(datetime!(2026-12-03 12:50 UTC), NOW), "in 5 min");
        let minus5 = UtcOffset::from_hms(-5, 0, 0).unwrap();
        // 02:00 UTC on the 3rd is 21:00 on the 2nd in UTC-5, "yesterday" there.
        assert_eq!(
            day_time(datetime!(2026-12-03 02:00 UTC), NOW, minus5),
            "yesterday 21:00"
        );
        assert_eq!(short_duration(45.0), "45 s");
        assert_eq!(short_duration(185.0), "3 min");
        assert_eq!(short_duration(3720.0), "1 h 02 min");
        assert_eq!(short_duration(f64::INFINITY), "277777777 h 46 min");
    }
}
