//! The sandbox's `GET /api/calls/{agent}`: an agent's calls from the same seeded data as the
//! PATCH endpoint, as Phonely's docs describe them (items with `agentId`, upper-case `status`,
//! `type`, `c_outcome` …, in no particular order), with the documented filters, paging and
//! refusals: 400 for a malformed parameter, 401 for a wrong key, 403 for the agent this key has
//! no access to ([`NO_ACCESS_AGENT`]), 404 for an unknown agent.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Call, Fault, Sandbox, error, fault, is_e164, json_response};

/// The seeded agent the sandbox's key may not read or update (403).
pub const NO_ACCESS_AGENT: &str = "agent-other-team";

const STATUSES: [&str; 4] = ["COMPLETED", "FAILED", "ENDED", "IN_PROGRESS"];
const CALL_TYPES: [&str; 4] = [
    "inboundPhoneCall",
    "outboundPhoneCall",
    "webCall",
    "dailyCall",
];
const SENTIMENTS: [&str; 3] = ["Positive", "Negative", "Neutral"];
const AI_OUTCOMES: [&str; 4] = [
    "Appointment Booked",
    "Question Answered",
    "Transferred",
    "Voicemail",
];

/// What the list endpoint keeps: the requests it received (path and query as sent) and the
/// fault every look-up gets while one is set.
#[derive(Debug, Default)]
pub(super) struct Lookups {
    received: Vec<String>,
    fault: Option<Fault>,
}

impl Sandbox {
    /// Every look-up received so far, as `/api/calls/agent123?customer_phone_number=%2B1…`.
    pub fn lookups(&self) -> Vec<String> {
        self.lock().lookups.received.clone()
    }

    /// Makes every look-up misbehave (`hang`, `delay:MS`, `status:CODE`, `malformed-json`,
    /// `html`, `huge-body`, `escapes`), or behave again with `None`. Update requests are not
    /// affected.
    pub fn set_lookup_fault(&self, fault: Option<Fault>) {
        self.lock().lookups.fault = fault;
    }
}

/// A call as the list shows it. The fields Phonely's docs name, derived from the stored call.
pub fn item(call: &Call) -> Value {
    let n = call.id.bytes().map(usize::from).sum::<usize>();
    let ended_at = OffsetDateTime::parse(&call.started_at, &Rfc3339)
        .ok()
        .and_then(|t| t.checked_add(time::Duration::seconds(i64::from(call.duration))))
        .and_then(|t| t.format(&Rfc3339).ok());
    let status = call.status.to_ascii_uppercase();
    json!({
        "id": call.id,
        "agentId": call.agent_id,
        "business_phone_number": "+14155550000",
        "customer_phone_number": call.customer_phone_number,
        "started_at": call.started_at,
        "ended_at": if status == "IN_PROGRESS" { None } else { ended_at },
        "duration": call.duration,
        "status": status,
        "recording_url": format!("https://sandbox.invalid/recordings/{}.mp3", call.id),
        "ended_reason": if status == "FAILED" { "pipeline-error" } else { "customer-ended-call" },
        "type": CALL_TYPES[n % 2],
        "mode": "live",
        "read": n % 3 == 0,
        "c_sentiment": SENTIMENTS[n % SENTIMENTS.len()],
        "c_outcome": AI_OUTCOMES[n % AI_OUTCOMES.len()],
        "c_topic": null,
        "campaign_id": null,
        "workflow_path_history": [],
    })
}

/// The query, checked: every documented parameter, as Phonely would refuse it.
struct Filters {
    limit: usize,
    offset: usize,
    phone: Option<String>,
    campaign: Option<String>,
    start: Option<OffsetDateTime>,
    end: Option<OffsetDateTime>,
    min_duration: Option<f64>,
    max_duration: Option<f64>,
    repeated: Vec<(&'static str, Vec<String>)>,
}

fn bad(message: String) -> Response {
    error(StatusCode::BAD_REQUEST, "invalid_parameter", message)
}

fn filters(query: &[(String, String)]) -> Result<Filters, String> {
    let one = |key: &str| -> Result<Option<&str>, String> {
        let mut values = query
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(format!("{key} may be given once"));
        }
        Ok(first)
    };
    let number = |key: &str, max: usize| -> Result<Option<usize>, String> {
        match one(key)? {
            None => Ok(None),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if n <= max => Ok(Some(n)),
                _ => Err(format!(
                    "{key} must be a whole number from 0 to {max}, got {v}"
                )),
            },
        }
    };
    let date = |key: &str| -> Result<Option<OffsetDateTime>, String> {
        one(key)?
            .map(|v| {
                OffsetDateTime::parse(v, &Rfc3339).map_err(|_| {
                    format!(
                        "{key} must be an ISO 8601 date-time, e.g. 2026-11-20T16:03:00Z, got {v}"
                    )
                })
            })
            .transpose()
    };
    let seconds = |key: &str| -> Result<Option<f64>, String> {
        one(key)?
            .map(|v| {
                v.parse::<f64>()
                    .ok()
                    .filter(|d| d.is_finite() && *d >= 0.0)
                    .ok_or_else(|| format!("{key} must be a number of seconds, got {v}"))
            })
            .transpose()
    };
    let limit = number("limit", 100)?.unwrap_or(100);
    if limit == 0 {
        return Err("limit must be from 1 to 100, got 0".into());
    }
    let phone = one("customer_phone_number")?.map(str::to_string);
    if let Some(p) = &phone
        && !is_e164(p)
    {
        return Err(format!(
            "customer_phone_number must be in E.164 format, e.g. +14155551234 (with the + \
             encoded as %2B), got {p}"
        ));
    }
    let mut repeated = Vec::new();
    for (key, allowed) in [
        ("status", &STATUSES[..]),
        ("call_type", &CALL_TYPES[..]),
        ("sentiment", &SENTIMENTS[..]),
        ("outcome", &[][..]),
        ("ended_reason", &[][..]),
        ("mode", &[][..]),
    ] {
        let values: Vec<String> = query
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect();
        if let Some(v) = values
            .iter()
            .find(|v| !allowed.is_empty() && !allowed.contains(&v.as_str()))
        {
            return Err(format!(
                "{key} must be one of {}, got {v}",
                allowed.join(", ")
            ));
        }
        if !values.is_empty() {
            repeated.push((key, values));
        }
    }
    Ok(Filters {
        limit,
        offset: number("offset", usize::MAX)?.unwrap_or(0),
        phone,
        campaign: one("campaign_id")?.map(str::to_string),
        start: date("start_date")?,
        end: date("end_date")?,
        min_duration: seconds("min_duration")?,
        max_duration: seconds("max_duration")?,
        repeated,
    })
}

impl Filters {
    fn keeps(&self, call: &Call, item: &Value) -> bool {
        let started = OffsetDateTime::parse(&call.started_at, &Rfc3339).ok();
        let field = |k: &str| {
            item.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        self.phone
            .as_ref()
            .is_none_or(|p| *p == call.customer_phone_number)
            && self
                .campaign
                .as_ref()
                .is_none_or(|c| *c == field("campaign_id"))
            && self.start.is_none_or(|s| started.is_some_and(|t| t >= s))
            && self.end.is_none_or(|e| started.is_some_and(|t| t <= e))
            && self
                .min_duration
                .is_none_or(|m| f64::from(call.duration) >= m)
            && self
                .max_duration
                .is_none_or(|m| f64::from(call.duration) <= m)
            && self.repeated.iter().all(|(key, values)| {
                let name = match *key {
                    "call_type" => "type",
                    "sentiment" => "c_sentiment",
                    "outcome" => "c_outcome",
                    other => other,
                };
                values.contains(&field(name))
            })
    }
}

pub(super) async fn list_calls(
    State(sandbox): State<Sandbox>,
    Path(agent): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let fault = match headers.get(fault::FAULT_HEADER) {
        Some(v) => match v
            .to_str()
            .map_err(|_| "not text".to_string())
            .and_then(str::parse)
        {
            Ok(f) => Some(f),
            Err(m) => return error(StatusCode::BAD_REQUEST, "invalid_fault", m),
        },
        None => sandbox.lock().lookups.fault.clone(),
    };
    sandbox.lock().lookups.received.push(
        uri.path_and_query()
            .map_or_else(|| uri.path().to_string(), ToString::to_string),
    );
    let key_ok = sandbox.key_ok(&headers);
    let answer = || answer(&sandbox, &agent, &query, key_ok);
    match fault {
        Some(Fault::Delay { ms }) => {
            // The delay is the behaviour asked for.
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            answer()
        }
        Some(Fault::Hang) => std::future::pending::<Response>().await,
        Some(Fault::Status { code }) => error(
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            "injected",
            format!("Sandbox fault: status {code}"),
        ),
        Some(Fault::Escapes) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "injected",
            fault::ESCAPES,
        ),
        Some(Fault::EchoHeaders) => error(
            StatusCode::BAD_REQUEST,
            "request_rejected",
            format!("Request rejected: {}", super::echoed(&headers)),
        ),
        Some(Fault::MalformedJson) => json_response(StatusCode::OK, "{\"items\": [{\"id\": \"call"),
        Some(Fault::Html) => (
            StatusCode::OK,
            [("content-type", "text/html")],
            "<html><body>Sign in</body></html>",
        )
            .into_response(),
        Some(Fault::HugeBody) => json_response(
            StatusCode::OK,
            format!(
                "{{\"items\":[],\"padding\":\"{}\"}}",
                "x".repeat(fault::HUGE_BODY_BYTES)
            ),
        ),
        // The other faults are about updates (or connections): a look-up answers.
        None | Some(_) => answer(),
    }
}

fn answer(sandbox: &Sandbox, agent: &str, query: &[(String, String)], key_ok: bool) -> Response {
    if !key_ok {
        return error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Invalid or missing API key, or insufficient permissions",
        );
    }
    let filters = match filters(query) {
        Ok(f) => f,
        Err(m) => return bad(m),
    };
    if agent == NO_ACCESS_AGENT {
        return error(
            StatusCode::FORBIDDEN,
            "forbidden",
            "You do not have access to this agent",
        );
    }
    let inner = sandbox.lock();
    if !inner.agents.iter().any(|a| a.id == agent) {
        return error(
            StatusCode::NOT_FOUND,
            "agent_not_found",
            format!("Agent {agent} not found"),
        );
    }
    let matching: Vec<Value> = inner
        .calls
        .iter()
        .filter(|c| c.agent_id == agent)
        .map(|c| (c, item(c)))
        .filter(|(c, i)| filters.keeps(c, i))
        .map(|(_, i)| i)
        .collect();
    let total = matching.len();
    let items: Vec<Value> = matching
        .into_iter()
        .skip(filters.offset)
        .take(filters.limit)
        .collect();
    axum::Json(json!({
        "items": items,
        "total": total,
        "limit": filters.limit,
        "offset": filters.offset,
    }))
    .into_response()
}
