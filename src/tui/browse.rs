//! Browsing an agent's recent calls (issue 14), as plain state: no IO, no clock.
//!
//! Opened from the Agent or Target field (Ctrl+L) or the palette, for the form's agent on the
//! current profile. One page (at most 100) of the agent's calls at a time, newest first (sorted
//! here: Phonely does not document its order), with a date range and a status filter. Every
//! change (open, a page, a filter, a refresh) starts a new generation and asks for one look-up
//! (`BrowseEffect::Fetch`), stopping the one in flight (`Cancel`): at most one runs, and an
//! answer of an older generation is dropped. A failure is shown in the modal.
//!
//! The date range is counted back from a reference time, taken by the runtime when the first
//! page is asked for and kept for the next pages (`end_date` too), so paging does not shift as
//! new calls arrive; a filter change or a refresh takes a new one.

use ::time::{Duration, OffsetDateTime, Time, UtcOffset};

use crate::api::calls::{CallStatus, CallSummary, ListQuery, MAX_LIMIT, sort_newest_first};
use crate::api::update::AgentId;

/// Which calls by when they started, counted back from the reference time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Range {
    #[default]
    All,
    /// Since local midnight.
    Today,
    Week,
    Month,
}

impl Range {
    /// The next one for the `d` key: all → today → last 7 days → last 30 days → all.
    pub(crate) fn next(self) -> Self {
        match self {
            Range::All => Range::Today,
            Range::Today => Range::Week,
            Range::Week => Range::Month,
            Range::Month => Range::All,
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Range::All => "any date",
            Range::Today => "today",
            Range::Week => "last 7 days",
            Range::Month => "last 30 days",
        }
    }

    /// The earliest start kept (`start_date`), for `reference` in local time (`offset`).
    pub(crate) fn since(
        self,
        reference: OffsetDateTime,
        offset: UtcOffset,
    ) -> Option<OffsetDateTime> {
        match self {
            Range::All => None,
            Range::Today => Some(reference.to_offset(offset).replace_time(Time::MIDNIGHT)),
            Range::Week => Some(reference - Duration::days(7)),
            Range::Month => Some(reference - Duration::days(30)),
        }
    }
}

/// The next status filter for the `s` key: any → COMPLETED → FAILED → ENDED → IN_PROGRESS →
/// any.
pub(crate) fn next_status(status: Option<CallStatus>) -> Option<CallStatus> {
    let all = CallStatus::ALL;
    match status {
        None => all.first().copied(),
        Some(s) => all
            .iter()
            .position(|x| *x == s)
            .and_then(|i| all.get(i + 1))
            .copied(),
    }
}

/// One page asked for: whose, which filters, which page, and the reference time of the pages
/// before it (`None`: the runtime takes its clock's now).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrowseQuery {
    pub profile: String,
    pub agent: AgentId,
    pub range: Range,
    pub status: Option<CallStatus>,
    pub offset: u64,
    pub limit: u32,
    pub reference: Option<OffsetDateTime>,
    /// Local time, for "today".
    pub utc_offset: UtcOffset,
}

impl BrowseQuery {
    /// The look-up as sent (`now`: the runtime's clock, used when there is no reference yet),
    /// and the reference time it was counted from. Calls that started after the reference are
    /// left out (`end_date`), so the pages stay put while new calls arrive.
    pub(crate) fn list_query(&self, now: OffsetDateTime) -> (ListQuery, OffsetDateTime) {
        let reference = self.reference.unwrap_or(now);
        let mut q = ListQuery::new(self.agent.clone());
        q.since = self.range.since(reference, self.utc_offset);
        q.until = Some(reference);
        q.statuses = self.status.into_iter().collect();
        q.offset = self.offset;
        // Within 1..=100 by construction (`Browse::page_size`).
        let _ = q.set_limit(u64::from(self.limit));
        (q, reference)
    }
}

/// What the runtime is asked to do. `generation` comes back with the answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BrowseEffect {
    /// Run the look-up and hand its outcome to `answered(generation, …)`.
    Fetch { generation: u64, query: BrowseQuery },
    /// Stop the look-up of this generation (its answer would be dropped anyway).
    Cancel { generation: u64 },
}

/// One page that came back: its calls (newest first once answered) and how many match in all.
#[derive(Clone, Debug, PartialEq)]
pub struct BrowsePage {
    pub calls: Vec<CallSummary>,
    pub total: Option<u64>,
}

/// What a look-up gives: a page, or a message for people (401, 403, no answer, garbage).
pub type BrowseOutcome = Result<BrowsePage, String>;

#[derive(Clone, Debug, PartialEq)]
pub enum BrowseState {
    /// Nothing asked yet (no agent).
    Idle,
    Waiting,
    Loaded(BrowsePage),
    Failed(String),
}

/// The browse modal's state. Kept while the workbench runs, so a second opening for the same
/// agent keeps the filters.
#[derive(Clone, Debug)]
pub struct Browse {
    /// Raised on every look-up asked for; an answer of an older one is dropped.
    pub generation: u64,
    in_flight: Option<u64>,
    pub profile: String,
    pub agent: Option<AgentId>,
    pub range: Range,
    pub status: Option<CallStatus>,
    /// The first call of the page asked for (0, 100, 200 …).
    pub offset: u64,
    page_size: u32,
    reference: Option<OffsetDateTime>,
    pub state: BrowseState,
    /// Index into the page's calls.
    pub selected: usize,
    /// When the page on screen came (its "2 h ago" counts from it: no clock in the view).
    pub answered_at: OffsetDateTime,
    utc_offset: UtcOffset,
}

impl Default for Browse {
    fn default() -> Self {
        Self {
            generation: 0,
            in_flight: None,
            profile: String::new(),
            agent: None,
            range: Range::default(),
            status: None,
            offset: 0,
            page_size: MAX_LIMIT,
            reference: None,
            state: BrowseState::Idle,
            selected: 0,
            answered_at: OffsetDateTime::UNIX_EPOCH,
            utc_offset: UtcOffset::UTC,
        }
    }
}

impl Browse {
    /// Calls a page (at most 100, Phonely's most; tests use fewer to page the sandbox's calls).
    #[cfg(test)]
    pub(crate) fn set_page_size(&mut self, size: u32) {
        self.page_size = size.clamp(1, MAX_LIMIT);
    }

    pub(crate) fn page_size(&self) -> u32 {
        self.page_size
    }

    /// Opens on the first page of `agent`'s calls on `profile`: the filters stay when it is the
    /// agent and profile of last time.
    pub(crate) fn open(
        &mut self,
        profile: &str,
        agent: AgentId,
        utc_offset: UtcOffset,
    ) -> Vec<BrowseEffect> {
        if self.agent.as_ref() != Some(&agent) || self.profile != profile {
            self.range = Range::default();
            self.status = None;
        }
        self.profile = profile.to_string();
        self.agent = Some(agent);
        self.utc_offset = utc_offset;
        self.offset = 0;
        self.reference = None;
        self.ask()
    }

    /// Esc: the look-up in flight is stopped, and its answer would be dropped.
    pub(crate) fn close(&mut self) -> Vec<BrowseEffect> {
        self.start_generation()
    }

    /// Whether the page on screen has a page after it.
    pub(crate) fn has_next(&self) -> bool {
        let BrowseState::Loaded(page) = &self.state else {
            return false;
        };
        let shown = page.calls.len() as u64;
        shown > 0
            && match page.total {
                Some(total) => self.offset + shown < total,
                // Phonely did not say: a full page may have a next one.
                None => shown >= u64::from(self.page_size),
            }
    }

    /// Whether there is a page before the one asked for.
    pub(crate) fn has_previous(&self) -> bool {
        self.offset > 0
    }

    /// The next page, when there is one; `Err` says why not.
    pub(crate) fn next_page(&mut self) -> Result<Vec<BrowseEffect>, &'static str> {
        if !matches!(self.state, BrowseState::Loaded(_)) {
            return Err("Wait for this page first");
        }
        if !self.has_next() {
            return Err("This is the last page of calls");
        }
        self.offset = self.offset.saturating_add(u64::from(self.page_size));
        Ok(self.ask())
    }

    /// The previous page, unless this is the first.
    pub(crate) fn previous_page(&mut self) -> Result<Vec<BrowseEffect>, &'static str> {
        if !self.has_previous() {
            return Err("This is the first page of calls");
        }
        self.offset = self.offset.saturating_sub(u64::from(self.page_size));
        Ok(self.ask())
    }

    /// `d`: the next date range, from the first page and a new reference time.
    pub(crate) fn cycle_range(&mut self) -> Vec<BrowseEffect> {
        self.range = self.range.next();
        self.restart()
    }

    /// `s`: the next status filter, from the first page and a new reference time.
    pub(crate) fn cycle_status(&mut self) -> Vec<BrowseEffect> {
        self.status = next_status(self.status);
        self.restart()
    }

    /// `r`: this page again, counted from now.
    pub(crate) fn refresh(&mut self) -> Vec<BrowseEffect> {
        self.reference = None;
        self.ask()
    }

    /// A look-up came back (`reference`: the time its range was counted from; `at`: when).
    /// Returns false when it was dropped (an older generation, or after Esc).
    pub(crate) fn answered(
        &mut self,
        generation: u64,
        outcome: BrowseOutcome,
        reference: OffsetDateTime,
        at: OffsetDateTime,
    ) -> bool {
        if generation != self.generation || self.in_flight != Some(generation) {
            return false;
        }
        self.in_flight = None;
        match outcome {
            Ok(mut page) => {
                sort_newest_first(&mut page.calls);
                self.reference = Some(reference);
                self.answered_at = at;
                self.selected = 0;
                self.state = BrowseState::Loaded(page);
            }
            Err(message) => self.state = BrowseState::Failed(message),
        }
        true
    }

    /// The page's calls, newest first (empty unless loaded).
    pub(crate) fn calls(&self) -> &[CallSummary] {
        match &self.state {
            BrowseState::Loaded(page) => &page.calls,
            _ => &[],
        }
    }

    pub(crate) fn move_by(&mut self, delta: isize) {
        let last = self.calls().len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    pub(crate) fn selected_call(&self) -> Option<&CallSummary> {
        self.calls().get(self.selected)
    }

    /// Whether a look-up is running (for the footer and tests).
    pub(crate) fn in_flight(&self) -> bool {
        self.in_flight.is_some()
    }

    /// `calls 1–100 of 2,345` for the page on screen; `None` unless loaded.
    pub(crate) fn range_line(&self) -> Option<String> {
        let BrowseState::Loaded(page) = &self.state else {
            return None;
        };
        let shown = page.calls.len() as u64;
        let of = page
            .total
            .map(|t| format!(" of {}", thousands(t)))
            .unwrap_or_default();
        Some(if shown == 0 {
            format!("no calls from {}{of}", thousands(self.offset + 1))
        } else {
            format!(
                "calls {}–{}{of}",
                thousands(self.offset + 1),
                thousands(self.offset + shown)
            )
        })
    }

    fn restart(&mut self) -> Vec<BrowseEffect> {
        self.offset = 0;
        self.reference = None;
        self.ask()
    }

    /// A new generation and its look-up (the older one stopped).
    fn ask(&mut self) -> Vec<BrowseEffect> {
        let mut effects = self.start_generation();
        let Some(agent) = self.agent.clone() else {
            self.state = BrowseState::Idle;
            return effects;
        };
        self.state = BrowseState::Waiting;
        self.selected = 0;
        self.in_flight = Some(self.generation);
        effects.push(BrowseEffect::Fetch {
            generation: self.generation,
            query: BrowseQuery {
                profile: self.profile.clone(),
                agent,
                range: self.range,
                status: self.status,
                offset: self.offset,
                limit: self.page_size,
                reference: self.reference,
                utc_offset: self.utc_offset,
            },
        });
        effects
    }

    fn start_generation(&mut self) -> Vec<BrowseEffect> {
        self.generation += 1;
        self.in_flight
            .take()
            .map(|generation| BrowseEffect::Cancel { generation })
            .into_iter()
            .collect()
    }
}

/// `2,345`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use ::time::macros::{datetime, offset};

    use super::*;
    use crate::tui::calls::tests::call;

    pub(crate) const AT: OffsetDateTime = datetime!(2026-12-03 12:45 UTC);

    fn agent(a: &str) -> AgentId {
        AgentId::parse(a).unwrap()
    }

    /// A page of `n` calls, a day apart, oldest first (as a server might send them).
    pub(crate) fn page(n: usize, total: Option<u64>) -> BrowsePage {
        BrowsePage {
            calls: (0..n)
                .map(|i| {
                    let day = 1 + i % 28;
                    call(
                        &format!("call-{i:03}"),
                        &format!("2026-11-{day:02}T09:{:02}:00Z", i % 60),
                        60.0,
                        "COMPLETED",
                    )
                })
                .collect(),
            total,
        }
    }

    fn fetch(effects: &[BrowseEffect]) -> (u64, BrowseQuery) {
        match effects.last() {
            Some(BrowseEffect::Fetch { generation, query }) => (*generation, query.clone()),
            other => panic!("no fetch: {other:?}"),
        }
    }

    #[test]
    fn opening_asks_for_the_first_page_and_an_answer_is_sorted_newest_first() {
        let mut b = Browse::default();
        let (g, q) = fetch(&b.open("sandbox", agent("agent123"), UtcOffset::UTC));
        assert_eq!(b.state, BrowseState::Waiting);
        assert!(b.in_flight());
        assert_eq!((q.offset, q.limit, q.reference), (0, 100, None));
        assert!(b.answered(g, Ok(page(3, Some(3))), AT, AT));
        let ids: Vec<_> = b.calls().iter().map(|c| c.id.clone().unwrap()).collect();
        assert_eq!(ids, ["call-002", "call-001", "call-000"]);
        assert_eq!(b.range_line().unwrap(), "calls 1–3 of 3");
        assert!(!b.in_flight());
    }

    #[test]
    fn pages_move_by_the_page_size_and_keep_the_reference_time() {
        let mut b = Browse::default();
        let (g, _) = fetch(&b.open("sandbox", agent("agent123"), UtcOffset::UTC));
        assert_eq!(b.previous_page(), Err("This is the first page of calls"));
        b.answered(g, Ok(page(100, Some(2_345))), AT, AT);
        assert_eq!(b.range_line().unwrap(), "calls 1–100 of 2,345");
        let (g, q) = fetch(&b.next_page().unwrap());
        assert_eq!((q.offset, q.reference), (100, Some(AT)));
        let (lq, reference) = q.list_query(datetime!(2026-12-03 13:00 UTC));
        assert_eq!(reference, AT, "the first page's time, not the clock's");
        assert!(
            lq.path_and_query()
                .ends_with("end_date=2026-12-03T12:45:00Z&limit=100&offset=100"),
            "{}",
            lq.path_and_query()
        );
        b.answered(g, Ok(page(100, Some(2_345))), AT, AT);
        assert_eq!(b.range_line().unwrap(), "calls 101–200 of 2,345");
        let (_, q) = fetch(&b.previous_page().unwrap());
        assert_eq!(q.offset, 0);
        // Waiting: no next page yet.
        assert!(b.next_page().is_err());
    }

    #[test]
    fn the_last_page_has_no_next_one() {
        let mut b = Browse::default();
        let (g, _) = fetch(&b.open("sandbox", agent("agent123"), UtcOffset::UTC));
        b.answered(g, Ok(page(40, Some(40))), AT, AT);
        assert_eq!(b.next_page(), Err("This is the last page of calls"));
        // No total: a full page may have another after it, a short one not.
        let (g, _) = fetch(&b.refresh());
        b.answered(g, Ok(page(100, None)), AT, AT);
        assert!(b.next_page().is_ok());
        let (g, _) = fetch(&b.refresh());
        b.answered(g, Ok(page(99, None)), AT, AT);
        assert!(b.next_page().is_err());
        assert_eq!(b.range_line().unwrap(), "calls 101–199");
    }

    #[test]
    fn filters_cycle_restart_at_the_first_page_and_supersede_the_look_up() {
        let mut b = Browse::default();
        let (g1, _) = fetch(&b.open("sandbox", agent("agent123"), UtcOffset::UTC));
        b.answered(g1, Ok(page(100, Some(300))), AT, AT);
        let (g2, _) = fetch(&b.next_page().unwrap());
        // A filter while page 2 is on its way: page 2 is stopped, the first page asked again.
        let effects = b.cycle_status();
        assert_eq!(effects[0], BrowseEffect::Cancel { generation: g2 });
        let (g3, q) = fetch(&effects);
        assert_eq!(
            (q.offset, q.status, q.reference),
            (0, Some(CallStatus::Completed), None)
        );
        // Page 2's answer comes late: dropped.
        assert!(!b.answered(g2, Ok(page(100, Some(300))), AT, AT));
        assert_eq!(b.state, BrowseState::Waiting);
        let (_, q) = fetch(&b.cycle_range());
        assert_eq!(q.range, Range::Today);
        assert!(!b.answered(g3, Ok(page(1, Some(1))), AT, AT), "superseded");
        // Round and round.
        let mut seen = vec![b.status];
        for _ in 0..4 {
            b.cycle_status();
            seen.push(b.status);
        }
        assert_eq!(
            seen,
            [
                Some(CallStatus::Completed),
                Some(CallStatus::Failed),
                Some(CallStatus::Ended),
                Some(CallStatus::InProgress),
                None
            ]
        );
        let mut ranges = vec![b.range];
        for _ in 0..3 {
            b.cycle_range();
            ranges.push(b.range);
        }
        assert_eq!(
            ranges,
            [Range::Today, Range::Week, Range::Month, Range::All]
        );
    }

    #[test]
    fn date_ranges_as_sent() {
        let reference = datetime!(2026-12-03 02:30 UTC);
        let minus5 = offset!(-5);
        // 02:30 UTC is 21:30 on the 2nd in UTC-5: "today" there began at 05:00 UTC on the 2nd.
        assert_eq!(
            Range::Today.since(reference, minus5),
            Some(datetime!(2026-12-02 00:00 -5))
        );
        assert_eq!(
            Range::Week.since(reference, minus5),
            Some(datetime!(2026-11-26 02:30 UTC))
        );
        assert_eq!(
            Range::Month.since(reference, UtcOffset::UTC),
            Some(datetime!(2026-11-03 02:30 UTC))
        );
        assert_eq!(Range::All.since(reference, UtcOffset::UTC), None);
        let q = BrowseQuery {
            profile: "sandbox".into(),
            agent: agent("agent123"),
            range: Range::Today,
            status: Some(CallStatus::InProgress),
            offset: 0,
            limit: 100,
            reference: None,
            utc_offset: minus5,
        };
        let (lq, used) = q.list_query(reference);
        assert_eq!(used, reference);
        assert_eq!(
            lq.path_and_query(),
            "/api/calls/agent123?start_date=2026-12-02T05:00:00Z&end_date=2026-12-03T02:30:00Z\
             &status=IN_PROGRESS&limit=100&offset=0"
        );
    }

    #[test]
    fn a_failure_is_kept_and_close_drops_the_late_answer() {
        let mut b = Browse::default();
        let (g, _) = fetch(&b.open("sandbox", agent("agent123"), UtcOffset::UTC));
        assert!(b.answered(g, Err("No list of calls within 5 s".into()), AT, AT));
        assert_eq!(
            b.state,
            BrowseState::Failed("No list of calls within 5 s".into())
        );
        assert!(b.range_line().is_none());
        let (g, _) = fetch(&b.refresh());
        assert_eq!(b.close(), [BrowseEffect::Cancel { generation: g }]);
        assert!(!b.answered(g, Ok(page(1, Some(1))), AT, AT));
        assert!(b.close().is_empty(), "nothing in flight any more");
    }

    #[test]
    fn filters_stay_for_the_same_agent_and_reset_for_another() {
        let mut b = Browse::default();
        b.open("sandbox", agent("agent123"), UtcOffset::UTC);
        b.cycle_range();
        b.cycle_status();
        b.open("sandbox", agent("agent123"), UtcOffset::UTC);
        assert_eq!(
            (b.range, b.status),
            (Range::Today, Some(CallStatus::Completed))
        );
        b.open("sandbox", agent("agent456"), UtcOffset::UTC);
        assert_eq!((b.range, b.status), (Range::All, None));
    }

    #[test]
    fn selection_stays_within_the_page() {
        let mut b = Browse::default();
        let (g, _) = fetch(&b.open("sandbox", agent("agent123"), UtcOffset::UTC));
        b.move_by(3);
        assert_eq!(b.selected, 0);
        b.answered(g, Ok(page(5, Some(5))), AT, AT);
        b.move_by(3);
        b.move_by(3);
        assert_eq!(b.selected, 4);
        b.move_by(-10);
        assert_eq!(b.selected, 0);
        assert_eq!(b.selected_call().unwrap().id.as_deref(), Some("call-004"));
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(2_345), "2,345");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
