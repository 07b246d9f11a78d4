//! How a request ended, as plain data: `State` (the one meaning of an ending), the HTTP
//! answer read so far (`HttpResponse`, `Completion`) and `classify`, which turns a completion into
//! a `Verdict`. No network here: the client (`phonely_outcomes::api::client`) produces completions.

use std::fmt::Write as _;

use serde_json::Value;

/// Response bodies are kept (for display and storage) up to this size.
pub const BODY_CAP: usize = 1024 * 1024;
/// What is known about an update once its request is over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum State {
    /// Recorded, request under way (or the process died: see `Unknown`).
    Pending,
    /// 2xx with `success: true`, and `updated_fields` names every field sent.
    Ok,
    /// 2xx with `success: true`, but `updated_fields` leaves out a field that was sent: the
    /// server did not confirm all of it, so it did not surely apply (counted apart, and with
    /// the failures).
    Unconfirmed,
    /// The API answered and did not apply it (non-2xx, or `success` not true).
    Refused,
    /// The request never reached the server (connection refused, DNS, TLS): nothing was applied.
    NetworkError,
    /// Stopped by the person before an answer came; it may or may not have been applied.
    Cancelled,
    /// No answer (timeout, broken connection, crash while pending): it may have been applied.
    Unknown,
}

/// How an ending counts, wherever endings are tallied (a batch's summary and progress, `batch
/// --list`, the workbench's queue): five piles, derived from the [`State`] alone, so that no
/// tally decides it again (or from the glyph it draws).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Settled {
    /// Applied and confirmed ([`State::Ok`]).
    Updated,
    /// The server said success but did not confirm every field sent.
    Unconfirmed,
    /// The API answered and did not apply it.
    Refused,
    /// It never reached the server: nothing was applied.
    NotSent,
    /// It may or may not have been applied: no answer, cancelled, or still pending (a row
    /// still pending when a run's tally is made never got its answer).
    Unknown,
}

impl State {
    /// Every state, in the order of the enum.
    pub const ALL: [State; 7] = [
        State::Pending,
        State::Ok,
        State::Unconfirmed,
        State::Refused,
        State::NetworkError,
        State::Cancelled,
        State::Unknown,
    ];

    /// How this ending counts in a tally.
    pub fn settled(self) -> Settled {
        match self {
            State::Ok => Settled::Updated,
            State::Unconfirmed => Settled::Unconfirmed,
            State::Refused => Settled::Refused,
            State::NetworkError => Settled::NotSent,
            State::Pending | State::Cancelled | State::Unknown => Settled::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Ok => "ok",
            State::Unconfirmed => "unconfirmed",
            State::Refused => "refused",
            State::NetworkError => "network_error",
            State::Cancelled => "cancelled",
            State::Unknown => "unknown",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "pending" => State::Pending,
            "ok" => State::Ok,
            "unconfirmed" => State::Unconfirmed,
            "refused" => State::Refused,
            "network_error" => State::NetworkError,
            "cancelled" => State::Cancelled,
            "unknown" => State::Unknown,
            _ => return None,
        })
    }

    /// One character for people: ✓ applied and confirmed, ✗ refused, not confirmed or not
    /// sent, … in flight, ⊘ cancelled, ? outcome unknown. The meaning is the state; this is only
    /// how it is drawn.
    pub fn mark(self) -> &'static str {
        match self {
            State::Ok => "✓",
            State::Unconfirmed | State::Refused | State::NetworkError => "✗",
            State::Pending => "…",
            State::Cancelled => "⊘",
            State::Unknown => "?",
        }
    }

    /// The answer was read as JSON that said `success: true` (confirmed or not).
    pub fn said_success(self) -> bool {
        matches!(self, State::Ok | State::Unconfirmed)
    }
}

/// An HTTP answer, body capped at [`BODY_CAP`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub body: String,
    /// True when the body was longer than the cap and the rest was dropped.
    pub truncated: bool,
    /// The `Retry-After` header, when the server sent one (e.g. with 429).
    pub retry_after: Option<String>,
}

/// How a request ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Completion {
    Answered(HttpResponse),
    /// The connection was never made: nothing reached the server.
    NotSent(String),
    /// The request may have reached the server, but no whole answer came back.
    NoAnswer(String),
    Cancelled,
}

/// The classification of a completion, as stored in history and shown to people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub state: State,
    /// True when `success` is true and `updated_fields` covers every field sent (the state is
    /// then `Ok`); kept as the history's `verified` column.
    pub verified: bool,
    pub http_status: Option<u16>,
    /// One line for people: the server's message, or what went wrong.
    pub message: String,
    /// The call the server says it updated (useful for phone targets).
    pub call_id: Option<String>,
}

/// A 2xx answer's verdict when `success` is true and `updated_fields` lists what it updated.
fn success_verdict(
    sent_fields: &[&str],
    status: u16,
    updated: &[&str],
    call_id: Option<String>,
) -> Verdict {
    let (state, message) = if sent_fields.iter().all(|f| updated.contains(f)) {
        let mut message =
            String::with_capacity(8 + updated.iter().map(|f| f.len() + 2).sum::<usize>());
        message.push_str("Updated ");
        for (i, f) in updated.iter().enumerate() {
            if i > 0 {
                message.push_str(", ");
            }
            message.push_str(f);
        }
        (State::Ok, message)
    } else {
        let missing: Vec<&str> = sent_fields
            .iter()
            .copied()
            .filter(|f| !updated.contains(f))
            .collect();
        (
            State::Unconfirmed,
            format!(
                "The server said success but did not confirm {}",
                missing.join(", ")
            ),
        )
    };
    Verdict {
        state,
        verified: state == State::Ok,
        http_status: Some(status),
        message,
        call_id,
    }
}

/// The answer Phonely documents for an update that went through, read straight into its
/// fields: a batch classifies thousands of these, and building a `Value` tree for each cost
/// several times as much. Anything else (`success` not `true`, a field of another type, a
/// key twice) is `None`, and `classify` reads it the general way, with the same result.
fn typical_success(sent_fields: &[&str], status: u16, body: &str) -> Option<Verdict> {
    // Borrowed: a string with an escape in it fails here and goes the general way.
    #[derive(serde::Deserialize)]
    struct Typical<'a> {
        success: bool,
        #[serde(borrow, default)]
        call_id: Option<&'a str>,
        #[serde(borrow, default)]
        updated_fields: Vec<&'a str>,
    }
    // An object only: serde would also read `[true]` into the struct, field by field.
    if !body.trim_start().starts_with('{') {
        return None;
    }
    let typical: Typical = serde_json::from_str(body).ok()?;
    if !typical.success {
        return None;
    }
    let call_id = typical.call_id.map(clipped);
    Some(success_verdict(
        sent_fields,
        status,
        &typical.updated_fields,
        call_id,
    ))
}

/// A text field of an answer as a verdict keeps it: at most 300 characters.
fn clipped(text: &str) -> String {
    if text.len() <= 300 {
        text.to_string()
    } else {
        text.chars().take(300).collect()
    }
}

/// Classifies a completion against the fields that were sent.
pub fn classify(sent_fields: &[&str], completion: &Completion) -> Verdict {
    let failed = |state, message: &str| Verdict {
        state,
        verified: false,
        http_status: None,
        message: message.to_string(),
        call_id: None,
    };
    let response = match completion {
        Completion::Answered(r) => r,
        Completion::NotSent(m) => return failed(State::NetworkError, m),
        Completion::NoAnswer(m) => return failed(State::Unknown, m),
        Completion::Cancelled => {
            return failed(
                State::Cancelled,
                "Cancelled before an answer came: it may or may not have been applied",
            );
        }
    };
    if (200..300).contains(&response.status)
        && let Some(verdict) = typical_success(sent_fields, response.status, &response.body)
    {
        return verdict;
    }
    classify_answer(sent_fields, response)
}

/// `classify` for an answer, read the general way (any JSON, or none).
fn classify_answer(sent_fields: &[&str], response: &HttpResponse) -> Verdict {
    let status = response.status;
    let json: Option<Value> = serde_json::from_str(&response.body).ok();
    let field = |name: &str| -> Option<String> { json.as_ref()?.get(name)?.as_str().map(clipped) };
    let call_id = field("call_id");
    let success = json
        .as_ref()
        .and_then(|j| j.get("success"))
        .and_then(Value::as_bool)
        == Some(true);
    if (200..300).contains(&status) && success {
        let updated: Vec<&str> = json
            .as_ref()
            .and_then(|j| j.get("updated_fields"))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        return success_verdict(sent_fields, status, &updated, call_id);
    }
    if (200..300).contains(&status) && json.is_none() {
        // A 2xx says the server took it, but without a readable body nothing confirms it.
        let why = if response.truncated {
            format!(
                "the answer was longer than {} MiB and was cut there",
                BODY_CAP / (1024 * 1024)
            )
        } else if response.body.trim().is_empty() {
            "the answer was empty".to_string()
        } else {
            format!(
                "the answer is not valid JSON ({})",
                one_line(&response.body, 80)
            )
        };
        return Verdict {
            state: State::Unknown,
            verified: false,
            http_status: Some(status),
            message: format!(
                "HTTP {status} {}, but {why}: it was probably applied, but that cannot be \
                 confirmed; check before resending",
                reason(status)
            ),
            call_id,
        };
    }
    let message = field("message")
        .or_else(|| field("error"))
        .unwrap_or_else(|| match &json {
            Some(_) if (200..300).contains(&status) => {
                "The server answered without \"success\": true".to_string()
            }
            Some(_) => "The server gave no message".to_string(),
            None if response.body.trim().is_empty() => "Empty response".to_string(),
            None => format!("Not a JSON response: {}", one_line(&response.body, 120)),
        });
    let mut message = format!("HTTP {status} {}: {message}", reason(status));
    if let Some(wait) = &response.retry_after {
        let _ = match wait.parse::<u64>() {
            Ok(secs) => write!(message, " (Retry-After: wait {secs} s before trying again)"),
            Err(_) => write!(
                message,
                " (Retry-After: wait until {wait} before trying again)"
            ),
        };
    }
    if response.truncated {
        let _ = write!(
            message,
            " (the answer was longer than {} MiB; only the first {} MiB was kept)",
            BODY_CAP / (1024 * 1024),
            BODY_CAP / (1024 * 1024)
        );
    }
    Verdict {
        state: State::Refused,
        verified: false,
        http_status: Some(status),
        message,
        call_id,
    }
}

fn reason(status: u16) -> &'static str {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

/// First `max` characters of text on one line, control characters shown escaped
/// ([`super::inert`]).
pub fn one_line(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let flat = super::inert::inert(&flat).into_owned();
    if flat.chars().count() > max {
        let mut cut: String = flat.chars().take(max).collect();
        cut.push('…');
        cut
    } else {
        flat
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_quick_reading_of_a_success_agrees_with_the_general_one() {
        let sent = ["custom_call_outcome", "custom_call_outcome_value"];
        let long = "c".repeat(400);
        let bodies = [
            r#"{"success":true,"call_id":"c1","updated_fields":["custom_call_outcome","custom_call_outcome_value"]}"#.to_string(),
            r#"{"success":true,"updated_fields":["custom_call_outcome"]}"#.to_string(),
            r#"{"success":true,"call_id":null,"updated_fields":null,"extra":{"a":[1]}}"#.to_string(),
            r#"{"success":true,"call_id":7,"updated_fields":["custom_call_outcome",3]}"#.to_string(),
            r#"{"success":true,"success":false}"#.to_string(),
            r#"{"success":"true","call_id":"c"}"#.to_string(),
            r#"{"success":false,"message":"no"}"#.to_string(),
            r#"{"call_id":"c"}"#.to_string(),
            "[true]".to_string(),
            "not json".to_string(),
            String::new(),
            format!(r#"{{"success":true,"call_id":"{long}","updated_fields":["custom_call_outcome","custom_call_outcome_value"]}}"#),
            r#"{"success":true,"call_id":"café "q"","updated_fields":["custom_call_outcome","custom_call_outcome_value"]}"#.to_string(),
            // Escapes: the quick reading borrows its strings, so these go the general way.
            r#"{"success":true,"call_id":"caf\u00e9 \"q\"","updated_fields":["custom_call_outcome","custom_call_outcome_value"]}"#.to_string(),
            r#"{"success":true,"call_id":"c2","updated_fields":["custom\u005fcall_outcome","custom_call_outcome_value"]}"#.to_string(),
        ];
        for body in bodies {
            for status in [200, 204, 404] {
                let response = HttpResponse {
                    status,
                    body: body.clone(),
                    truncated: false,
                    retry_after: None,
                };
                let general = classify_answer(&sent, &response);
                let quick = classify(&sent, &Completion::Answered(response));
                assert_eq!(quick, general, "{status} {body}");
            }
        }
    }

    use super::*;

    proptest::proptest! {
        /// Bodies made of pieces the quick reading takes and pieces it must leave to the
        /// general one (escapes, numbers, nesting, a field twice, broken JSON): whatever it
        /// says, the general reading says too.
        #[test]
        fn the_quick_reading_never_disagrees_with_the_general_one(
            members in proptest::collection::vec((0..KEYS.len(), 0..VALUES.len()), 0..6),
            space in proptest::sample::select(vec!["", " ", "\n\t", "\r\n "]),
            tail in proptest::sample::select(vec!["", " ", ",", "x", "}", "]"]),
            sent in proptest::sample::select(vec![
                vec!["custom_call_outcome"],
                vec!["custom_call_outcome", "custom_call_outcome_value"],
            ]),
        ) {
            let inner: Vec<String> = members
                .iter()
                .map(|&(k, v)| format!("{space}{}{space}:{space}{}{space}", KEYS[k], VALUES[v]))
                .collect();
            let body = format!("{space}{{{}}}{tail}", inner.join(","));
            let response = HttpResponse {
                status: 200,
                body: body.clone(),
                truncated: false,
                retry_after: None,
            };
            let general = classify_answer(&sent, &response);
            let quick = classify(&sent, &Completion::Answered(response));
            proptest::prop_assert_eq!(quick, general, "{}", body);
        }
    }

    #[test]
    fn the_quick_reading_takes_phonelys_usual_answer() {
        let body = r#"{"success": true, "call_id": "call456", "agent_id": "agent123",
            "phone": "+14155550100", "preference": null,
            "updated_fields": ["custom_call_outcome", "custom_call_outcome_value"]}"#;
        let verdict = typical_success(
            &["custom_call_outcome", "custom_call_outcome_value"],
            200,
            body,
        )
        .expect("read the quick way");
        assert!(verdict.verified);
        assert_eq!(verdict.call_id.as_deref(), Some("call456"));
        assert_eq!(
            verdict.message,
            "Updated custom_call_outcome, custom_call_outcome_value"
        );
    }

    const KEYS: &[&str] = &[
        r#""success""#,
        r#""call_id""#,
        r#""updated_fields""#,
        r#""agent_id""#,
        r#""succ\u0065ss""#,
        r#""é""#,
    ];

    const VALUES: &[&str] = &[
        "true",
        "false",
        "null",
        r#""c1""#,
        r#""caf\u00e9""#,
        r#""é 漢 😀""#,
        "1",
        "-0.5",
        "01",
        "[]",
        r#"["custom_call_outcome"]"#,
        r#"["custom_call_outcome","custom_call_outcome_value"]"#,
        r#"[ "custom_call_outcome" , "custom_call_outcome_value" ]"#,
        r#"["custom_call_outcome",1]"#,
        r#"["custom_call_outcome","a","b","c","d","e","f","g","h"]"#,
        r#"{"success":true}"#,
        "tru",
        r#""open"#,
        "[,]",
    ];

    fn answered(status: u16, body: &str) -> Completion {
        Completion::Answered(HttpResponse {
            status,
            body: body.to_string(),
            truncated: false,
            retry_after: None,
        })
    }

    #[test]
    fn success_covering_every_field_is_verified() {
        let v = classify(
            &["custom_call_outcome", "custom_call_outcome_value"],
            &answered(
                200,
                r#"{"success":true,"call_id":"call456","updated_fields":["custom_call_outcome","custom_call_outcome_value"]}"#,
            ),
        );
        assert_eq!(v.state, State::Ok);
        assert!(v.verified);
        assert_eq!(v.call_id.as_deref(), Some("call456"));
    }

    #[test]
    fn success_missing_a_field_is_unconfirmed_not_ok() {
        let v = classify(
            &["custom_call_outcome", "custom_call_metadata"],
            &answered(
                200,
                r#"{"success":true,"updated_fields":["custom_call_outcome"]}"#,
            ),
        );
        assert_eq!(v.state, State::Unconfirmed);
        assert_eq!(State::parse(v.state.as_str()), Some(State::Unconfirmed));
        assert!(!v.verified);
        assert!(v.message.contains("custom_call_metadata"), "{}", v.message);
    }

    #[test]
    fn refusals_lift_the_message() {
        let v = classify(
            &["custom_call_outcome"],
            &answered(404, r#"{"error":"not_found","message":"Call not found"}"#),
        );
        assert_eq!(v.state, State::Refused);
        assert_eq!(v.message, "HTTP 404 Not Found: Call not found");
        let v = classify(&[], &answered(401, r#"{"error":"unauthorized"}"#));
        assert!(v.message.ends_with(": unauthorized"), "{}", v.message);
        let v = classify(&[], &answered(502, "<html><body>Bad gateway</body></html>"));
        assert!(
            v.message.contains("Not a JSON response: <html>"),
            "{}",
            v.message
        );
        let v = classify(&[], &answered(200, r#"{"success":false}"#));
        assert_eq!(v.state, State::Refused);
        let v = classify(&[], &answered(429, r#"{"message":"Slow down"}"#));
        assert_eq!(v.message, "HTTP 429 Too Many Requests: Slow down");
    }

    #[test]
    fn a_2xx_that_cannot_be_read_is_unknown_not_refused() {
        let v = classify(&[], &answered(200, "not json"));
        assert_eq!(v.state, State::Unknown);
        assert_eq!(v.http_status, Some(200));
        assert!(
            v.message.contains("not valid JSON (not json)"),
            "{}",
            v.message
        );
        assert!(v.message.contains("cannot be confirmed"), "{}", v.message);
        let cut = Completion::Answered(HttpResponse {
            status: 200,
            body: r#"{"success":true,"padding":"xxx"#.into(),
            truncated: true,
            retry_after: None,
        });
        let v = classify(&[], &cut);
        assert_eq!(v.state, State::Unknown);
        assert!(v.message.contains("longer than 1 MiB"), "{}", v.message);
    }

    #[test]
    fn retry_after_and_the_cap_are_stated() {
        let r = |retry: &str, truncated| {
            classify(
                &[],
                &Completion::Answered(HttpResponse {
                    status: 429,
                    body: r#"{"message":"Too many requests"}"#.into(),
                    truncated,
                    retry_after: Some(retry.into()),
                }),
            )
            .message
        };
        assert_eq!(
            r("30", false),
            "HTTP 429 Too Many Requests: Too many requests (Retry-After: wait 30 s before trying \
             again)"
        );
        assert!(r("Wed, 21 Oct 2026 07:28:00 GMT", false).contains("wait until Wed"));
        assert!(r("5", true).ends_with("only the first 1 MiB was kept)"));
    }

    #[test]
    fn failures_map_to_states() {
        assert_eq!(
            classify(&[], &Completion::NotSent("x".into())).state,
            State::NetworkError
        );
        assert_eq!(
            classify(&[], &Completion::NoAnswer("x".into())).state,
            State::Unknown
        );
        assert_eq!(
            classify(&[], &Completion::Cancelled).state,
            State::Cancelled
        );
    }

    #[test]
    fn states_round_trip() {
        for s in State::ALL {
            assert_eq!(State::parse(s.as_str()), Some(s));
        }
    }

    /// One glyph per meaning: a request in flight is `…` everywhere (the history, the
    /// workbench, a batch row being tried again), never the `?` of an outcome unknown, which
    /// it becomes only once it is settled as such.
    #[test]
    fn pending_is_drawn_as_in_flight_not_as_unknown() {
        assert_eq!(State::Pending.mark(), "…");
        assert_eq!(State::Unknown.mark(), "?");
        assert_eq!(State::Pending.settled(), Settled::Unknown);
        // Each pile is drawn one way, except ✗, shared by every ending that did not apply.
        for s in State::ALL {
            let same_mark: Vec<Settled> = State::ALL
                .into_iter()
                .filter(|t| t.mark() == s.mark())
                .map(State::settled)
                .collect();
            assert!(
                s.mark() == "✗" || same_mark.iter().all(|p| *p == s.settled()),
                "{s:?}"
            );
        }
    }

    /// Every state falls in exactly the pile the tallies have always used.
    #[test]
    fn each_state_counts_in_one_pile() {
        let piles: Vec<(State, Settled)> =
            State::ALL.into_iter().map(|s| (s, s.settled())).collect();
        assert_eq!(
            piles,
            [
                (State::Pending, Settled::Unknown),
                (State::Ok, Settled::Updated),
                (State::Unconfirmed, Settled::Unconfirmed),
                (State::Refused, Settled::Refused),
                (State::NetworkError, Settled::NotSent),
                (State::Cancelled, Settled::Unknown),
                (State::Unknown, Settled::Unknown),
            ]
        );
        assert!(
            State::ALL
                .into_iter()
                .filter(|s| s.said_success())
                .all(|s| matches!(s.settled(), Settled::Updated | Settled::Unconfirmed))
        );
    }
}
