//! Phonely's list-calls endpoint as plain data: the look-up (`ListQuery` → the exact path and
//! query, `request`), an answer read leniently (`parse_page` → `CallPage` of `CallSummary`),
//! newest first, and `pick`: the call `?preference=first|last` would hit. No IO: the client
//! (`api::list`), the sandbox and the command line share it.

use std::cmp::Ordering;
use std::fmt::Write as _;

use ::time::format_description::well_known::Rfc3339;
use ::time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::outcome::one_line;
use crate::phone::E164;
use crate::request::{BaseUrl, WireRequest, encode_segment, user_agent};
use crate::update::{AgentId, Preference};

/// The most calls Phonely returns in one page (and its default).
pub const MAX_LIMIT: u32 = 100;

/// A query value keeps RFC 3986's unreserved characters and `:` (so a date reads as ISO 8601);
/// everything else is escaped, `+` as `%2B` (a literal `+` in a query reads as a space).
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b':');

/// A call's status as the list filters by it (`status=`, repeatable).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CallStatus {
    Completed,
    Failed,
    Ended,
    InProgress,
}

impl CallStatus {
    pub const ALL: [CallStatus; 4] = [
        CallStatus::Completed,
        CallStatus::Failed,
        CallStatus::Ended,
        CallStatus::InProgress,
    ];

    /// As the query sends it (the documented enum, upper case).
    pub fn as_str(self) -> &'static str {
        match self {
            CallStatus::Completed => "COMPLETED",
            CallStatus::Failed => "FAILED",
            CallStatus::Ended => "ENDED",
            CallStatus::InProgress => "IN_PROGRESS",
        }
    }

    /// Whatever the capitals; `in-progress` and `in progress` read as `IN_PROGRESS`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let wanted = text.trim().to_ascii_uppercase().replace(['-', ' '], "_");
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == wanted)
            .ok_or_else(|| {
                format!(
                    "Status must be one of completed, failed, ended, in_progress (got {})",
                    crate::phone::shorten(text.trim())
                )
            })
    }
}

/// One look-up of an agent's calls. Build it with [`ListQuery::new`]; `limit` is kept within
/// 1..=100 by [`ListQuery::set_limit`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListQuery {
    pub agent: AgentId,
    pub phone: Option<E164>,
    /// Calls that started at or after this time (`start_date`).
    pub since: Option<OffsetDateTime>,
    /// Calls that started before this time (`end_date`).
    pub until: Option<OffsetDateTime>,
    pub statuses: Vec<CallStatus>,
    limit: u32,
    pub offset: u64,
}

impl ListQuery {
    /// Every call of the agent, the first page of 100.
    pub fn new(agent: AgentId) -> Self {
        Self {
            agent,
            phone: None,
            since: None,
            until: None,
            statuses: Vec::new(),
            limit: MAX_LIMIT,
            offset: 0,
        }
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// At most 100 calls a page, at least 1.
    pub fn set_limit(&mut self, limit: u64) -> Result<(), String> {
        match u32::try_from(limit) {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => {
                self.limit = n;
                Ok(())
            }
            _ => Err(format!(
                "Limit must be 1 to {MAX_LIMIT} calls (Phonely sends at most {MAX_LIMIT} a \
                 page) (got {limit})"
            )),
        }
    }

    /// The path and query exactly as sent: `/api/calls/{agent}?customer_phone_number=%2B1…&
    /// start_date=…&end_date=…&status=…&status=…&limit=…&offset=…` (absent filters left out,
    /// each status once, in the order given).
    pub fn path_and_query(&self) -> String {
        let mut out = format!("/api/calls/{}", encode_segment(self.agent.as_str()));
        let mut sep = '?';
        let mut push = |out: &mut String, key: &str, value: &str| {
            out.push(sep);
            sep = '&';
            out.push_str(key);
            out.push('=');
            out.push_str(&utf8_percent_encode(value, QUERY_VALUE).to_string());
        };
        if let Some(phone) = &self.phone {
            push(&mut out, "customer_phone_number", phone.as_str());
        }
        if let Some(t) = self.since {
            push(&mut out, "start_date", &iso(t));
        }
        if let Some(t) = self.until {
            push(&mut out, "end_date", &iso(t));
        }
        let mut seen = Vec::with_capacity(self.statuses.len());
        for s in &self.statuses {
            if !seen.contains(s) {
                seen.push(*s);
                push(&mut out, "status", s.as_str());
            }
        }
        push(&mut out, "limit", &self.limit.to_string());
        push(&mut out, "offset", &self.offset.to_string());
        out
    }

    /// The request as it goes on the wire (the key is added by the client).
    pub fn request(&self, base: &BaseUrl) -> WireRequest {
        WireRequest {
            method: "GET",
            url: format!("{}{}", base.as_str(), self.path_and_query()),
            headers: vec![
                ("Accept", "application/json".to_string()),
                ("User-Agent", user_agent()),
            ],
            body: String::new(),
        }
    }
}

/// A time as the query sends it: UTC, whole seconds, `2026-11-20T16:03:00Z`.
pub fn iso(t: OffsetDateTime) -> String {
    let t = t
        .to_offset(UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(t);
    t.format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

pub use crate::time::parse_when;

/// One call as the list shows it, read leniently: unknown fields are ignored, documented ones
/// may be missing, null or of another type (then `None`). The id is kept as text exactly as it
/// came (a numeric id keeps its digits).
#[derive(Clone, Debug, PartialEq)]
pub struct CallSummary {
    pub id: Option<String>,
    pub agent_id: Option<String>,
    pub customer_phone_number: Option<String>,
    pub business_phone_number: Option<String>,
    /// `started_at` as it came.
    pub started_at: Option<String>,
    /// `started_at` read as a time, when it is one.
    pub started: Option<OffsetDateTime>,
    pub ended_at: Option<String>,
    /// Seconds.
    pub duration: Option<f64>,
    pub status: Option<String>,
    pub call_type: Option<String>,
    pub ended_reason: Option<String>,
    /// The AI's classification (not the custom outcome, which no item carries).
    pub c_outcome: Option<String>,
    pub c_sentiment: Option<String>,
    pub c_topic: Option<String>,
    pub campaign_id: Option<String>,
    /// The item as Phonely sent it, on one line (whitespace between tokens removed, nothing
    /// else changed): what `calls --json` prints.
    pub raw: String,
}

impl CallSummary {
    /// Reads one item of `items`. Anything but a JSON object is refused.
    pub fn from_item(raw: &RawValue) -> Result<Self, String> {
        #[derive(serde::Deserialize)]
        struct Id<'a> {
            #[serde(borrow, default)]
            id: Option<&'a RawValue>,
        }
        let map: Map<String, Value> = serde_json::from_str(raw.get())
            .map_err(|_| "a call in the answer is not a JSON object".to_string())?;
        let id = serde_json::from_str::<Id>(raw.get())
            .ok()
            .and_then(|i| i.id)
            .and_then(|r| id_text(r.get()));
        let text = |key: &str| match map.get(key) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::Bool(b)) => Some(b.to_string()),
            _ => None,
        };
        let started_at = text("started_at");
        let started = map.get("started_at").and_then(read_time);
        let duration = match map.get("duration") {
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
            _ => None,
        }
        .filter(|d| d.is_finite() && *d >= 0.0);
        Ok(Self {
            id,
            agent_id: text("agentId").or_else(|| text("agent_id")),
            customer_phone_number: text("customer_phone_number"),
            business_phone_number: text("business_phone_number"),
            started_at,
            started,
            ended_at: text("ended_at"),
            duration,
            status: text("status"),
            call_type: text("type"),
            ended_reason: text("ended_reason"),
            c_outcome: text("c_outcome"),
            c_sentiment: text("c_sentiment"),
            c_topic: text("c_topic"),
            campaign_id: text("campaign_id"),
            raw: compact_json(raw.get()),
        })
    }

    /// True when the call's `customer_phone_number` is `phone` (its digits; a number written
    /// with spaces or dashes still matches). A call without one never matches.
    pub fn is_from(&self, phone: &E164) -> bool {
        self.customer_phone_number.as_deref().is_some_and(|n| {
            let digits: String = n.chars().filter(char::is_ascii_digit).collect();
            n.trim_start().starts_with('+') && digits == phone.as_str()[1..]
        })
    }

    /// `call-last-415, 2026-11-20 16:03 (local), 11 min 46 s`: which call, for a person.
    /// Server text made inert.
    pub fn describe(&self, offset: UtcOffset) -> String {
        let mut out = format!("call {}", one_line(self.id.as_deref().unwrap_or("?"), 80));
        if let Some(t) = self.started {
            let _ = write!(out, ", started {}", short_time(t, offset));
        }
        if let Some(d) = self.duration {
            let _ = write!(out, ", {}", duration_text(d));
        }
        if let Some(s) = &self.status {
            let _ = write!(out, ", {}", one_line(s, 20).to_ascii_lowercase());
        }
        out
    }
}

/// `2026-11-20 16:03` in the given offset.
pub fn short_time(t: OffsetDateTime, offset: UtcOffset) -> String {
    let t = t.to_offset(offset);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// `11 min 46 s`, `45 s`, `1 h 02 min`.
pub fn duration_text(seconds: f64) -> String {
    // Saturating and non-negative: the value was checked finite and >= 0.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let s = seconds.round().min(1e12) as u64;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min {:02} s", s / 60, s % 60),
        _ => format!("{} h {:02} min", s / 3600, (s % 3600) / 60),
    }
}

/// An id as text: a JSON string's value, or a number's digits exactly as written.
fn id_text(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.starts_with('"') {
        serde_json::from_str::<String>(raw).ok()
    } else if raw.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        Some(raw.to_string())
    } else {
        None
    }
}

/// A time field: RFC 3339, the same without an offset (read as UTC), or a number of seconds
/// (milliseconds when it is past the year 5138) since the epoch.
fn read_time(value: &Value) -> Option<OffsetDateTime> {
    match value {
        Value::String(s) => {
            let s = s.trim();
            OffsetDateTime::parse(s, &Rfc3339).ok().or_else(|| {
                let f = ::time::macros::format_description!(
                    "[year]-[month]-[day][first [T][ ]][hour]:[minute]:[second][optional [.[subsecond]]]"
                );
                PrimitiveDateTime::parse(s, &f).ok().map(PrimitiveDateTime::assume_utc)
            })
        }
        Value::Number(n) => {
            let n = n.as_i64()?;
            let secs = if n.abs() >= 100_000_000_000 {
                n / 1000
            } else {
                n
            };
            OffsetDateTime::from_unix_timestamp(secs).ok()
        }
        _ => None,
    }
}

/// JSON text on one line: whitespace between tokens removed, strings left exactly as they are.
pub fn compact_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !matches!(c, ' ' | '\n' | '\r' | '\t') {
            out.push(c);
        }
    }
    out
}

/// One page of the answer.
#[derive(Clone, Debug, PartialEq)]
pub struct CallPage {
    pub items: Vec<CallSummary>,
    /// Every match, not just this page (when the answer says).
    pub total: Option<u64>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

/// Reads a 200 answer: `{"items": [...], "total", "limit", "offset"}`. `items` null is an empty
/// page; a missing `items`, or an item that is not an object, is an answer that cannot be read.
pub fn parse_page(body: &str) -> Result<CallPage, String> {
    let bad = || {
        format!(
            "Phonely's answer could not be read as a list of calls: {}",
            one_line(body, 120)
        )
    };
    if !body.trim_start().starts_with('{') {
        return Err(bad());
    }
    let page: std::collections::HashMap<String, &RawValue> =
        serde_json::from_str(body).map_err(|_| bad())?;
    let Some(items) = page.get("items") else {
        return Err(format!(
            "Phonely's answer has no list of calls (no \"items\"): {}",
            one_line(body, 120)
        ));
    };
    let items: Vec<&RawValue> = if items.get() == "null" {
        Vec::new()
    } else {
        serde_json::from_str(items.get()).map_err(|_| bad())?
    };
    let items = items
        .into_iter()
        .map(CallSummary::from_item)
        .collect::<Result<Vec<_>, _>>()?;
    let count = |k: &str| {
        page.get(k)
            .and_then(|v| serde_json::from_str::<u64>(v.get()).ok())
    };
    Ok(CallPage {
        items,
        total: count("total"),
        limit: count("limit"),
        offset: count("offset"),
    })
}

/// Newest first by `started_at`; calls whose start cannot be read go last, in the order they
/// came.
pub fn sort_newest_first(calls: &mut [CallSummary]) {
    calls.sort_by(|a, b| match (a.started, b.started) {
        (Some(x), Some(y)) => y.cmp(&x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    });
}

/// The call `?preference=first|last` would hit: the earliest or latest `started_at`. Calls
/// without an id or a readable start are never picked; two calls that started at the same
/// moment are told apart by id, so the answer does not depend on the order of `calls`.
pub fn pick(calls: &[CallSummary], preference: Preference) -> Option<&CallSummary> {
    let candidates = calls
        .iter()
        .filter_map(|c| Some((c.started?, c.id.as_deref()?, c)));
    let best = match preference {
        Preference::First => candidates.min_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1))),
        Preference::Last => candidates.max_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1))),
    };
    best.map(|(_, _, c)| c)
}

/// A refusal of the look-up for a person: the status, what it usually means, and the server's
/// `message`/`error` (made inert, on one line).
pub fn refusal_message(status: u16, body: &str) -> String {
    let said = serde_json::from_str::<Value>(body).ok().and_then(|v| {
        let field = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        match (field("error"), field("message")) {
            (Some(e), Some(m)) if e != m => Some(format!("{m} ({e})")),
            (e, m) => m.or(e),
        }
    });
    let meaning = match status {
        400 => "Phonely refused the look-up as malformed",
        401 => "Phonely refused the API key (missing, wrong or without permission)",
        403 => "This API key has no access to this agent",
        404 => "Phonely does not know this agent (or this address is not Phonely's API)",
        429 => "Phonely asks to slow down (too many requests)",
        500..=599 => "Phonely had an error answering the look-up",
        _ => "Phonely refused the look-up",
    };
    let reason = http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let mut out = format!("{meaning} (HTTP {status} {reason})");
    match said {
        Some(text) if !text.trim().is_empty() => {
            let _ = write!(out, ": {}", one_line(&text, 200));
        }
        _ if !body.trim().is_empty() && !body.trim_start().starts_with('{') => {
            let _ = write!(out, ": {}", one_line(body, 120));
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::time::macros::datetime;

    fn agent(a: &str) -> AgentId {
        AgentId::parse(a).unwrap()
    }

    fn call(id: &str, started: &str) -> CallSummary {
        let text = format!(r#"{{"id":"{id}","started_at":"{started}"}}"#);
        let raw: Box<RawValue> = serde_json::from_str(&text).unwrap();
        CallSummary::from_item(&raw).unwrap()
    }

    #[test]
    fn the_documented_example_query() {
        let mut q = ListQuery::new(agent("agent123"));
        q.phone = Some(E164::parse("+14155551234").unwrap());
        assert_eq!(
            q.path_and_query(),
            "/api/calls/agent123?customer_phone_number=%2B14155551234&limit=100&offset=0"
        );
        let r = q.request(&BaseUrl::default());
        assert_eq!(r.method, "GET");
        assert_eq!(
            r.url,
            "https://app.phonely.ai/api/calls/agent123?customer_phone_number=%2B14155551234&limit=100&offset=0"
        );
        assert!(r.body.is_empty());
        assert!(r.headers.iter().all(|(n, _)| *n != "Content-Type"));
    }

    #[test]
    fn dates_are_iso_8601_in_utc_and_statuses_repeat() {
        let mut q = ListQuery::new(agent("a/b"));
        q.since = Some(datetime!(2026-11-20 16:03:00.750 +01:00));
        q.until = Some(datetime!(2026-11-21 00:00 UTC));
        q.statuses = vec![
            CallStatus::Completed,
            CallStatus::InProgress,
            CallStatus::Completed,
        ];
        q.set_limit(5).unwrap();
        q.offset = 10;
        assert_eq!(
            q.path_and_query(),
            "/api/calls/a%2Fb?start_date=2026-11-20T15:03:00Z&end_date=2026-11-21T00:00:00Z\
             &status=COMPLETED&status=IN_PROGRESS&limit=5&offset=10"
        );
    }

    #[test]
    fn limits_outside_one_to_a_hundred_are_refused() {
        let mut q = ListQuery::new(agent("a"));
        assert!(q.set_limit(0).unwrap_err().contains("1 to 100"));
        assert!(q.set_limit(101).is_err());
        assert!(q.set_limit(u64::MAX).is_err());
        q.set_limit(100).unwrap();
        assert_eq!(q.limit(), 100);
    }

    #[test]
    fn statuses_read_whatever_their_capitals() {
        assert_eq!(CallStatus::parse("completed"), Ok(CallStatus::Completed));
        assert_eq!(
            CallStatus::parse(" In-Progress "),
            Ok(CallStatus::InProgress)
        );
        assert_eq!(CallStatus::parse("in_progress"), Ok(CallStatus::InProgress));
        let e = CallStatus::parse("done").unwrap_err();
        assert!(
            e.contains("completed, failed, ended, in_progress") && e.contains("done"),
            "{e}"
        );
    }

    #[test]
    fn when_reads_dates_times_and_spans() {
        let now = datetime!(2026-11-25 12:00 UTC);
        let utc = UtcOffset::UTC;
        assert_eq!(
            parse_when("24h", utc, now),
            Ok(datetime!(2026-11-24 12:00 UTC))
        );
        assert_eq!(
            parse_when("2w", utc, now),
            Ok(datetime!(2026-11-11 12:00 UTC))
        );
        let plus2 = UtcOffset::from_hms(2, 0, 0).unwrap();
        assert_eq!(
            parse_when("2026-11-20", plus2, now),
            Ok(datetime!(2026-11-20 00:00 +02:00))
        );
        assert_eq!(
            parse_when("2026-11-20T10:30:00Z", utc, now),
            Ok(datetime!(2026-11-20 10:30 UTC))
        );
        assert!(
            parse_when("yesterday", utc, now)
                .unwrap_err()
                .contains("not a time")
        );
        assert!(parse_when("99999999999999999d", utc, now).is_err());
    }

    #[test]
    fn a_page_is_read_leniently() {
        let body = r#"{
          "items": [
            {"id": 12345678901234567890123, "agentId": "agent123", "started_at": "2026-11-20T16:03:00Z",
             "duration": 706, "status": "COMPLETED", "c_outcome": null, "surprise": {"a": [1, 2]}},
            {"id": "call-x", "started_at": "2026-11-02 09:12:00", "duration": "194", "type": "inboundPhoneCall"},
            {"started_at": null, "duration": -5, "status": 7}
          ],
          "total": 240, "limit": 3, "offset": null, "extra": true
        }"#;
        let page = parse_page(body).unwrap();
        assert_eq!(page.items.len(), 3);
        assert_eq!(
            (page.total, page.limit, page.offset),
            (Some(240), Some(3), None)
        );
        let a = &page.items[0];
        assert_eq!(a.id.as_deref(), Some("12345678901234567890123"));
        assert_eq!(a.agent_id.as_deref(), Some("agent123"));
        assert_eq!(a.started, Some(datetime!(2026-11-20 16:03 UTC)));
        assert_eq!(a.c_outcome, None);
        assert_eq!(
            a.raw,
            r#"{"id":12345678901234567890123,"agentId":"agent123","started_at":"2026-11-20T16:03:00Z","duration":706,"status":"COMPLETED","c_outcome":null,"surprise":{"a":[1,2]}}"#
        );
        let b = &page.items[1];
        assert_eq!(b.started, Some(datetime!(2026-11-02 09:12 UTC)));
        assert_eq!(
            (b.duration, b.call_type.as_deref()),
            (Some(194.0), Some("inboundPhoneCall"))
        );
        let c = &page.items[2];
        assert_eq!((c.id.as_ref(), c.started, c.duration), (None, None, None));
        assert_eq!(c.status.as_deref(), Some("7"));
    }

    #[test]
    fn garbage_is_not_a_page() {
        assert!(parse_page("<html>").is_err());
        assert!(parse_page("[]").is_err());
        assert!(
            parse_page(r#"{"total": 3}"#)
                .unwrap_err()
                .contains("no list of calls")
        );
        assert!(
            parse_page(r#"{"items": [1]}"#)
                .unwrap_err()
                .contains("not a JSON object")
        );
        assert_eq!(parse_page(r#"{"items": null}"#).unwrap().items, vec![]);
        let e = parse_page("{\"items\": \u{1b}]").unwrap_err();
        assert!(!e.contains('\u{1b}'), "{e}");
    }

    #[test]
    fn compact_json_keeps_strings_exactly() {
        assert_eq!(
            compact_json("{ \"a b\" : [ 1 ,\n 2 ], \"c\\\" d\": \"x  y\" }"),
            "{\"a b\":[1,2],\"c\\\" d\":\"x  y\"}"
        );
    }

    #[test]
    fn sorting_puts_the_newest_first_and_unreadable_starts_last() {
        let mut calls = vec![
            call("a", "2026-11-02T09:12:00Z"),
            call("b", "garbage"),
            call("c", "2026-11-20T16:03:00Z"),
            call("d", "2026-11-09T14:40:00+01:00"),
        ];
        sort_newest_first(&mut calls);
        let ids: Vec<_> = calls.iter().map(|c| c.id.clone().unwrap()).collect();
        assert_eq!(ids, ["c", "d", "a", "b"]);
    }

    #[test]
    fn pick_is_the_earliest_or_latest_start() {
        let calls = vec![
            call("mid", "2026-11-09T14:40:00Z"),
            call("last", "2026-11-20T16:03:00Z"),
            call("unreadable", "soon"),
            call("first", "2026-11-02T09:12:00Z"),
        ];
        assert_eq!(
            pick(&calls, Preference::First).unwrap().id.as_deref(),
            Some("first")
        );
        assert_eq!(
            pick(&calls, Preference::Last).unwrap().id.as_deref(),
            Some("last")
        );
        assert!(pick(&[], Preference::Last).is_none());
        assert!(pick(&calls[2..3], Preference::Last).is_none());
    }

    #[test]
    fn a_call_is_from_a_number_by_its_digits() {
        let p = E164::parse("+14155551234").unwrap();
        let mut c = call("a", "2026-11-02T09:12:00Z");
        c.customer_phone_number = Some("+1 415-555-1234".into());
        assert!(c.is_from(&p));
        c.customer_phone_number = Some("14155551234".into());
        assert!(!c.is_from(&p));
        c.customer_phone_number = None;
        assert!(!c.is_from(&p));
    }

    #[test]
    fn refusals_name_the_status_and_quote_the_server_inertly() {
        let m = refusal_message(
            403,
            r#"{"error":"forbidden","message":"no access to this agent"}"#,
        );
        assert_eq!(
            m,
            "This API key has no access to this agent (HTTP 403 Forbidden): no access to this \
             agent (forbidden)"
        );
        let m = refusal_message(500, "{\"message\":\"boom\u{1b}]52;c;x\u{7}\"}");
        assert!(
            m.starts_with("Phonely had an error") && !m.contains('\u{1b}'),
            "{m}"
        );
        let m = refusal_message(401, "");
        assert_eq!(
            m,
            "Phonely refused the API key (missing, wrong or without permission) (HTTP 401 \
             Unauthorized)"
        );
    }

    #[test]
    fn describe_says_which_call() {
        let mut c = call("call-last-415", "2026-11-20T16:03:00Z");
        c.duration = Some(706.0);
        c.status = Some("COMPLETED".into());
        assert_eq!(
            c.describe(UtcOffset::UTC),
            "call call-last-415, started 2026-11-20 16:03, 11 min 46 s, completed"
        );
        assert_eq!(duration_text(45.0), "45 s");
        assert_eq!(duration_text(3720.0), "1 h 02 min");
    }

    proptest::proptest! {
        /// Whatever the phone and statuses, the query has exactly one `+`-free phone value
        /// (`%2B`), one `status=` per distinct status, and decodes back to what was asked.
        #[test]
        fn the_query_decodes_back(
            digits in "[1-9][0-9]{7,14}",
            statuses in proptest::collection::vec(0..4usize, 0..6),
            limit in 1..=100u64,
            offset in 0..1_000_000u64,
            secs in 0i64..4_000_000_000,
        ) {
            let mut q = ListQuery::new(agent("agent123"));
            q.phone = Some(E164::parse(&format!("+{digits}")).unwrap());
            q.statuses = statuses.iter().map(|i| CallStatus::ALL[*i]).collect();
            q.since = Some(OffsetDateTime::from_unix_timestamp(secs).unwrap());
            q.set_limit(limit).unwrap();
            q.offset = offset;
            let text = q.path_and_query();
            let (path, query) = text.split_once('?').unwrap();
            proptest::prop_assert_eq!(path, "/api/calls/agent123");
            proptest::prop_assert!(!query.contains('+'));
            let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            let get = |k: &str| pairs.iter().filter(|(n, _)| n == k).map(|(_, v)| v.clone()).collect::<Vec<_>>();
            proptest::prop_assert_eq!(get("customer_phone_number"), vec![format!("+{digits}")]);
            let since = OffsetDateTime::parse(&get("start_date")[0], &Rfc3339).unwrap();
            proptest::prop_assert_eq!(since.unix_timestamp(), secs);
            let mut wanted: Vec<&str> = Vec::new();
            for i in &statuses {
                let s = CallStatus::ALL[*i].as_str();
                if !wanted.contains(&s) { wanted.push(s); }
            }
            proptest::prop_assert_eq!(get("status"), wanted);
            proptest::prop_assert_eq!(get("limit"), vec![limit.to_string()]);
            proptest::prop_assert_eq!(get("offset"), vec![offset.to_string()]);
        }

        /// `pick` is the min or max start of the pickable calls, whatever their order.
        #[test]
        fn pick_is_order_free_and_extreme(
            starts in proptest::collection::vec(proptest::option::of(0i64..50), 0..12),
            seed in 0u64..1000,
        ) {
            let calls: Vec<CallSummary> = starts.iter().enumerate().map(|(i, s)| {
                let mut c = call(&format!("c{i:02}"), "x");
                c.started = s.map(|m| OffsetDateTime::from_unix_timestamp(m * 60).unwrap());
                c
            }).collect();
            let mut shuffled = calls.clone();
            // A deterministic shuffle from the seed.
            let len = shuffled.len();
            if len > 1 {
                for i in 0..len {
                    let j = usize::try_from((seed.wrapping_mul(31).wrapping_add(i as u64 * 17)) % len as u64).unwrap();
                    shuffled.swap(i, j);
                }
            }
            for pref in [Preference::First, Preference::Last] {
                let a = pick(&calls, pref).map(|c| c.id.clone());
                let b = pick(&shuffled, pref).map(|c| c.id.clone());
                proptest::prop_assert_eq!(&a, &b);
                let known: Vec<OffsetDateTime> = calls.iter().filter_map(|c| c.started).collect();
                let extreme = match pref {
                    Preference::First => known.iter().min(),
                    Preference::Last => known.iter().max(),
                };
                let picked = pick(&calls, pref).and_then(|c| c.started);
                proptest::prop_assert_eq!(picked.as_ref(), extreme);
            }
        }
    }
}
