//! A local Phonely stand-in (axum): the PATCH endpoint as documented, realistic refusals, demo
//! data from `assets/sandbox-calls.json`, a read-back endpoint, a log of what it received (never
//! the key) and faults on request (`fault.rs`), served by its own accept loop (`server.rs`) so
//! faults can reach down to the connection. State lives in memory.

mod fault;
mod list;
mod server;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

pub use fault::{ESCAPES, FAULT_HEADER, Fault, HUGE_BODY_BYTES};
pub use list::NO_ACCESS_AGENT;
pub use server::Cutter;

/// The sandbox's key, printed when it starts; it guards nothing real.
pub const DEFAULT_KEY: &str = "sandbox-key";
/// Where `phonely-outcomes sandbox` listens unless told otherwise.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8787";

const DEMO_DATA: &str = include_str!("../../assets/sandbox-calls.json");

/// A call as the sandbox stores it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Call {
    pub id: String,
    pub agent_id: String,
    pub customer_phone_number: String,
    pub started_at: String,
    #[serde(default)]
    pub duration: u32,
    #[serde(default)]
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_call_outcome: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_call_outcome_value: Option<serde_json::Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_call_metadata: Option<Map<String, Value>>,
    /// How many PATCH requests changed this call (a sandbox-only counter, for tests).
    #[serde(default)]
    pub updates_applied: u32,
}

#[derive(Deserialize)]
struct DemoData {
    agents: Vec<Agent>,
    calls: Vec<Call>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Agent {
    id: String,
    name: String,
}

/// What the sandbox received on the Phonely endpoint (the key is never kept, only whether it
/// matched).
#[derive(Clone, Debug, Serialize)]
pub struct Received {
    pub method: String,
    pub agent: String,
    pub target: String,
    pub query: Option<String>,
    /// Empty when a fault cut the connection before the body was read.
    pub body: String,
    pub key_ok: bool,
    /// The status answered; `None` while there is no answer (or never will be).
    pub status: Option<u16>,
    /// The fault applied to this request, in its text form.
    pub fault: Option<String>,
}

/// A fault applied to every request on the Phonely endpoint (or the next `remaining` ones).
#[derive(Debug)]
struct Standing {
    fault: Fault,
    remaining: Option<u32>,
}

/// The fault chosen for a request before routing (or why the header's fault was not understood).
#[derive(Clone, Debug)]
struct Chosen(Result<Option<Fault>, String>);

#[derive(Debug)]
struct Inner {
    key: String,
    agents: Vec<Agent>,
    calls: Vec<Call>,
    faults: VecDeque<Fault>,
    standing: Option<Standing>,
    received: Vec<Received>,
    /// Update requests whose handler is still running (not yet answered, nor dropped).
    handling: usize,
    lookups: list::Lookups,
}

/// Counts an update request as being handled until it is dropped (answered, or abandoned with
/// its connection).
struct Handling(Sandbox);

impl Handling {
    fn start(sandbox: &Sandbox) -> Self {
        sandbox.lock().handling += 1;
        Self(sandbox.clone())
    }
}

impl Drop for Handling {
    fn drop(&mut self) {
        let mut inner = self.0.lock();
        inner.handling = inner.handling.saturating_sub(1);
    }
}

/// A handle on the sandbox's state, shared with its server.
#[derive(Clone, Debug)]
pub struct Sandbox {
    inner: Arc<Mutex<Inner>>,
}

impl Sandbox {
    /// A sandbox with the bundled demo data.
    pub fn new(key: &str) -> Self {
        let demo: DemoData =
            serde_json::from_str(DEMO_DATA).expect("bundled demo data is valid JSON");
        Self {
            inner: Arc::new(Mutex::new(Inner {
                key: key.to_string(),
                agents: demo.agents,
                calls: demo.calls,
                faults: VecDeque::new(),
                standing: None,
                received: Vec::new(),
                handling: 0,
                lookups: list::Lookups::default(),
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the data half-written in a way that
        // matters for a stand-in; keep serving.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Queues a fault for the next request to the Phonely endpoint.
    pub fn push_fault(&self, fault: Fault) {
        self.lock().faults.push_back(fault);
    }

    /// Drops the queued faults (a test's fault that no request took must not hit the next).
    pub fn clear_faults(&self) {
        self.lock().faults.clear();
    }

    /// Applies `fault` to every request on the Phonely endpoint, or only to the next `times`.
    /// Queued faults and the request header come first.
    pub fn set_standing_fault(&self, fault: Fault, times: Option<u32>) {
        self.lock().standing = (times != Some(0)).then_some(Standing {
            fault,
            remaining: times,
        });
    }

    /// The fault for one request: its `X-Sandbox-Fault` header, else the queue, else the
    /// standing fault.
    fn take_fault(&self, headers: &HeaderMap) -> Result<Option<Fault>, String> {
        if let Some(value) = headers.get(FAULT_HEADER) {
            let text = value
                .to_str()
                .map_err(|_| format!("{FAULT_HEADER} must be plain text"))?;
            return text.parse().map(Some);
        }
        let mut inner = self.lock();
        if let Some(fault) = inner.faults.pop_front() {
            return Ok(Some(fault));
        }
        let Some(standing) = inner.standing.as_mut() else {
            return Ok(None);
        };
        let fault = standing.fault.clone();
        match &mut standing.remaining {
            None => {}
            Some(0 | 1) => inner.standing = None,
            Some(n) => *n -= 1,
        }
        Ok(Some(fault))
    }

    fn key_ok(&self, headers: &HeaderMap) -> bool {
        let inner = self.lock();
        headers
            .get("x-authorization")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|k| k == inner.key)
    }

    /// Logs a request as it arrives; returns its index for [`Sandbox::answered`].
    fn log(&self, received: Received) -> usize {
        let mut inner = self.lock();
        inner.received.push(received);
        inner.received.len() - 1
    }

    fn answered(&self, index: usize, status: StatusCode) {
        if let Some(r) = self.lock().received.get_mut(index) {
            r.status = Some(status.as_u16());
        }
    }

    /// Runs before routing: picks the request's fault, and carries out a reset before the body
    /// is read. Returns true when the request was cut (there is no answer to give).
    fn intercept<B>(&self, request: &mut Request<B>, cutter: &Cutter) -> bool {
        let path = request.uri().path();
        let Some(ids) = path.strip_prefix("/api/calls/") else {
            return false;
        };
        if request.method() != Method::PATCH {
            return false;
        }
        let chosen = self.take_fault(request.headers());
        if let Ok(Some(Fault::ResetBeforeRead)) = chosen {
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            };
            let (agent, target) = ids.split_once('/').unwrap_or((ids, ""));
            self.log(Received {
                method: "PATCH".into(),
                agent: decode(agent),
                target: decode(target),
                query: request.uri().query().map(str::to_string),
                body: String::new(),
                key_ok: self.key_ok(request.headers()),
                status: None,
                fault: Some(Fault::ResetBeforeRead.to_string()),
            });
            cutter.reset();
            return true;
        }
        request.extensions_mut().insert(Chosen(chosen));
        false
    }

    /// How many update requests are being handled right now: a request from a client that is
    /// gone can still land (be applied) until this is 0.
    pub fn handling(&self) -> usize {
        self.lock().handling
    }

    /// Every request received on the Phonely endpoint so far.
    pub fn received(&self) -> Vec<Received> {
        self.lock().received.clone()
    }

    /// A call as it is now.
    pub fn call(&self, agent: &str, call: &str) -> Option<Call> {
        self.lock()
            .calls
            .iter()
            .find(|c| c.agent_id == agent && c.id == call)
            .cloned()
    }

    pub fn router(&self) -> Router {
        Router::new()
            .route(
                "/api/calls/{agent}/{target}",
                patch(set_outcome).fallback(method_not_allowed),
            )
            .route("/api/calls/{agent}", get(list::list_calls))
            .route("/sandbox/calls/{agent}/{call}", get(read_call))
            .route("/sandbox/calls", get(list_calls))
            .route(
                "/sandbox/faults",
                axum::routing::post(add_fault).delete(clear_faults),
            )
            .route("/sandbox/requests", get(list_received))
            .fallback(not_found)
            .with_state(self.clone())
    }
}

/// A sandbox serving on a loopback port, stopped when dropped.
#[derive(Debug)]
pub struct RunningSandbox {
    pub addr: SocketAddr,
    pub sandbox: Sandbox,
    task: tokio::task::JoinHandle<()>,
}

impl RunningSandbox {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts a sandbox on `addr` (port 0 for an ephemeral one) on the current tokio runtime.
pub async fn start(addr: &str, key: &str) -> std::io::Result<RunningSandbox> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let sandbox = Sandbox::new(key);
    let task = tokio::spawn(server::serve(listener, sandbox.clone()));
    Ok(RunningSandbox {
        addr,
        sandbox,
        task,
    })
}

/// A status and a JSON body: what `apply` decides, before a fault may garble it.
type Answer = (StatusCode, Value);

fn refusal(status: StatusCode, code: &str, message: impl Into<String>) -> Answer {
    (status, json!({ "error": code, "message": message.into() }))
}

fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    let (status, body) = refusal(status, code, message);
    (status, axum::Json(body)).into_response()
}

fn json_response(status: StatusCode, body: impl Into<Body>) -> Response {
    let mut r = Response::new(body.into());
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// The request's headers as a proxy that quotes them back writes them: `name: value | …`.
fn echoed(headers: &HeaderMap) -> String {
    headers
        .iter()
        .map(|(name, value)| format!("{name}: {}", String::from_utf8_lossy(value.as_bytes())))
        .collect::<Vec<_>>()
        .join(" | ")
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "not_found", "No such endpoint")
}

async fn method_not_allowed() -> Response {
    let mut r = error(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Use PATCH to set a post call outcome",
    );
    r.headers_mut()
        .insert("allow", axum::http::HeaderValue::from_static("PATCH"));
    r
}

async fn set_outcome(
    State(sandbox): State<Sandbox>,
    chosen: Option<Extension<Chosen>>,
    cutter: Option<Extension<Cutter>>,
    Path((agent, target)): Path<(String, String)>,
    Query(query): Query<Vec<(String, String)>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let _handling = Handling::start(&sandbox);
    let fault = match chosen {
        Some(Extension(Chosen(c))) => c,
        None => sandbox.take_fault(&headers),
    };
    let fault = match fault {
        Ok(f) => f,
        Err(m) => return error(StatusCode::BAD_REQUEST, "invalid_fault", m),
    };
    let key_ok = sandbox.key_ok(&headers);
    let query_text = (!query.is_empty()).then(|| {
        query
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    });
    let index = sandbox.log(Received {
        method: "PATCH".into(),
        agent: agent.clone(),
        target: target.clone(),
        query: query_text,
        body: String::from_utf8_lossy(&body).into_owned(),
        key_ok,
        status: None,
        fault: fault.as_ref().map(ToString::to_string),
    });
    let answer = || apply(&sandbox, &agent, &target, &query, key_ok, &body);
    let response = match fault {
        None => {
            let (status, body) = answer();
            (status, axum::Json(body)).into_response()
        }
        Some(Fault::Delay { ms }) => {
            // The delay is the behaviour asked for.
            tokio::time::sleep(Duration::from_millis(ms)).await;
            let (status, body) = answer();
            (status, axum::Json(body)).into_response()
        }
        Some(Fault::Status { code }) => error(
            StatusCode::from_u16(code)
                .ok()
                .filter(|s| (200..=599).contains(&s.as_u16()))
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            "injected",
            format!("Sandbox fault: status {code}"),
        ),
        Some(Fault::RateLimited { retry_after }) => {
            let mut r = error(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("Too many requests: try again in {retry_after} s"),
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            r
        }
        Some(Fault::Html) => (
            StatusCode::BAD_GATEWAY,
            [("content-type", "text/html")],
            "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>",
        )
            .into_response(),
        Some(Fault::Hang) => std::future::pending::<Response>().await,
        Some(fault @ (Fault::ResetBeforeRead | Fault::ResetAfterRead)) => {
            if fault == Fault::ResetAfterRead {
                let _ = answer();
            }
            // Without the sandbox's accept loop (a bare router) there is no cutter: hang.
            if let Some(Extension(cutter)) = cutter {
                cutter.reset();
            }
            std::future::pending::<Response>().await
        }
        Some(Fault::MalformedJson) => {
            let (status, body) = answer();
            let text = body.to_string();
            let cut: String = text.chars().take(text.chars().count() / 2).collect();
            json_response(status, cut)
        }
        Some(Fault::HugeBody) => {
            let (status, mut body) = answer();
            if let Value::Object(map) = &mut body {
                map.insert("padding".into(), Value::String("x".repeat(HUGE_BODY_BYTES)));
            }
            json_response(status, body.to_string())
        }
        Some(Fault::Escapes) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "injected",
            fault::ESCAPES,
        ),
        Some(Fault::EscapesText) => {
            let _ = answer();
            (
                StatusCode::OK,
                [("content-type", "text/plain")],
                format!("{} ok\n", fault::ESCAPES),
            )
                .into_response()
        }
        Some(Fault::EchoHeaders) => error(
            StatusCode::BAD_REQUEST,
            "request_rejected",
            format!("Request rejected: {}", echoed(&headers)),
        ),
        Some(Fault::Unconfirmed) => {
            let (status, mut body) = answer();
            if let Value::Object(map) = &mut body
                && status.is_success()
            {
                map.insert("updated_fields".into(), Value::Array(Vec::new()));
            }
            json_response(status, body.to_string())
        }
        Some(Fault::EndlessBody) => {
            let (status, body) = answer();
            let mut head = body.to_string();
            head.pop();
            head.push_str(",\"padding\":\"");
            let first = futures::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(head)) });
            let rest = futures::stream::unfold((), |()| async {
                // The trickle is the behaviour asked for.
                tokio::time::sleep(Duration::from_millis(100)).await;
                Some((Ok(Bytes::from_static(b"xxxxxxxxxxxxxxxx")), ()))
            });
            json_response(status, Body::from_stream(futures::StreamExt::chain(first, rest)))
        }
    };
    sandbox.answered(index, response.status());
    response
}

fn is_e164(text: &str) -> bool {
    text.strip_prefix('+').is_some_and(|d| {
        (8..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()) && !d.starts_with('0')
    })
}

fn apply(
    sandbox: &Sandbox,
    agent: &str,
    target: &str,
    query: &[(String, String)],
    key_ok: bool,
    body: &[u8],
) -> Answer {
    if !key_ok {
        return refusal(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Invalid or missing API key, or insufficient permissions",
        );
    }
    let fields = match parse_body(body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let preference = query
        .iter()
        .find(|(k, _)| k == "preference")
        .map(|(_, v)| v.as_str());
    if agent == NO_ACCESS_AGENT {
        return refusal(
            StatusCode::FORBIDDEN,
            "forbidden",
            "You do not have access to this agent",
        );
    }
    let mut inner = sandbox.lock();
    if !inner.agents.iter().any(|a| a.id == agent) {
        return refusal(
            StatusCode::NOT_FOUND,
            "agent_not_found",
            format!("Agent {agent} not found"),
        );
    }
    let (index, phone_pref) = if target.starts_with('+') {
        if !is_e164(target) {
            return refusal(
                StatusCode::BAD_REQUEST,
                "invalid_phone",
                "Phone number must be in E.164 format, e.g. +14155551234",
            );
        }
        let pref = match preference {
            None | Some("last") => "last",
            Some("first") => "first",
            Some(other) => {
                return refusal(
                    StatusCode::BAD_REQUEST,
                    "invalid_preference",
                    format!("preference must be first or last, got {other}"),
                );
            }
        };
        let mut matches: Vec<usize> = inner
            .calls
            .iter()
            .enumerate()
            .filter(|(_, c)| c.agent_id == agent && c.customer_phone_number == target)
            .map(|(i, _)| i)
            .collect();
        matches.sort_by(|a, b| inner.calls[*a].started_at.cmp(&inner.calls[*b].started_at));
        let chosen = if pref == "first" {
            matches.first()
        } else {
            matches.last()
        };
        match chosen {
            Some(i) => (*i, Some(pref)),
            None => {
                return refusal(
                    StatusCode::NOT_FOUND,
                    "call_not_found",
                    format!("No call from {target} for agent {agent}"),
                );
            }
        }
    } else {
        match inner
            .calls
            .iter()
            .position(|c| c.agent_id == agent && c.id == target)
        {
            Some(i) => (i, None),
            None => {
                return refusal(
                    StatusCode::NOT_FOUND,
                    "call_not_found",
                    format!("Call {target} not found for agent {agent}"),
                );
            }
        }
    };
    let call = &mut inner.calls[index];
    let mut updated = Vec::new();
    if let Some(outcome) = fields.outcome {
        call.custom_call_outcome = Some(outcome);
        updated.push("custom_call_outcome");
    }
    if let Some(value) = fields.value {
        call.custom_call_outcome_value = Some(value);
        updated.push("custom_call_outcome_value");
    }
    if let Some(metadata) = fields.metadata {
        // Assumed: metadata replaces the stored object (Phonely's docs do not say).
        call.custom_call_metadata = Some(metadata);
        updated.push("custom_call_metadata");
    }
    call.updates_applied += 1;
    (
        StatusCode::OK,
        json!({
            "success": true,
            "call_id": call.id,
            "agent_id": call.agent_id,
            "phone": call.customer_phone_number,
            "preference": phone_pref,
            "updated_fields": updated,
        }),
    )
}

struct Fields {
    outcome: Option<String>,
    value: Option<serde_json::Number>,
    metadata: Option<Map<String, Value>>,
}

fn parse_body(body: &[u8]) -> Result<Fields, Answer> {
    let bad = |m: &str| refusal(StatusCode::BAD_REQUEST, "invalid_body", m.to_string());
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        return Err(bad("Request body must be a JSON object"));
    };
    let outcome = match map.get("custom_call_outcome") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(bad("custom_call_outcome must be a string")),
    };
    let value = match map.get("custom_call_outcome_value") {
        None => None,
        Some(Value::Number(n)) => Some(n.clone()),
        Some(_) => return Err(bad("custom_call_outcome_value must be a number")),
    };
    let metadata = match map.get("custom_call_metadata") {
        None => None,
        Some(Value::Object(m)) => Some(m.clone()),
        Some(_) => return Err(bad("custom_call_metadata must be an object")),
    };
    if outcome.is_none() && value.is_none() && metadata.is_none() {
        return Err(bad(
            "Provide at least one of custom_call_outcome, custom_call_outcome_value, custom_call_metadata",
        ));
    }
    Ok(Fields {
        outcome,
        value,
        metadata,
    })
}

async fn read_call(
    State(sandbox): State<Sandbox>,
    Path((agent, call)): Path<(String, String)>,
) -> Response {
    match sandbox.call(&agent, &call) {
        Some(c) => axum::Json(c).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "call_not_found",
            format!("Call {call} not found for agent {agent}"),
        ),
    }
}

async fn list_calls(State(sandbox): State<Sandbox>) -> Response {
    let inner = sandbox.lock();
    axum::Json(json!({ "agents": inner.agents, "calls": inner.calls })).into_response()
}

async fn add_fault(State(sandbox): State<Sandbox>, body: Bytes) -> Response {
    // JSON (`{"kind":"hang"}`) or the text form (`hang`, `status:503`).
    let parsed = serde_json::from_slice::<Fault>(&body).or_else(|json_error| {
        match std::str::from_utf8(&body).map(str::trim) {
            Ok(text) if !text.starts_with('{') => text.parse::<Fault>(),
            _ => Err(format!("not a fault: {json_error}")),
        }
    });
    match parsed {
        Ok(f) => {
            sandbox.push_fault(f);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => error(StatusCode::BAD_REQUEST, "invalid_fault", e),
    }
}

async fn clear_faults(State(sandbox): State<Sandbox>) -> Response {
    sandbox.clear_faults();
    StatusCode::NO_CONTENT.into_response()
}

async fn list_received(State(sandbox): State<Sandbox>) -> Response {
    axum::Json(sandbox.received()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_data_covers_the_documented_examples() {
        let s = Sandbox::new(DEFAULT_KEY);
        let inner = s.lock();
        assert!(inner.agents.len() >= 3);
        assert!(inner.calls.len() >= 50);
        let phones: std::collections::HashSet<&str> = inner
            .calls
            .iter()
            .map(|c| c.customer_phone_number.as_str())
            .collect();
        assert!(phones.len() >= 20);
        assert!(
            inner
                .calls
                .iter()
                .any(|c| c.agent_id == "agent123" && c.id == "call456")
        );
        let from_415 = inner
            .calls
            .iter()
            .filter(|c| c.agent_id == "agent123" && c.customer_phone_number == "+14155551234")
            .count();
        assert!(from_415 >= 2);
    }

    #[test]
    fn e164_check() {
        assert!(is_e164("+14155551234"));
        assert!(!is_e164("+1415"));
        assert!(!is_e164("14155551234"));
        assert!(!is_e164("+1415555123a"));
    }
}
