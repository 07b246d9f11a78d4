//! `calls`: an agent's calls as Phonely lists them (`GET /api/calls/{agent}`), newest first, as
//! a table or one JSON object per line; and `pinned_call`, the look-up behind `send --pin`.

use std::io::Write as _;
use std::process::ExitCode;

use clap::Args;
use time::{OffsetDateTime, UtcOffset};

use super::args::{BaseUrlArg, GlobalArgs};
use super::common::{Sender, account, exit, fail, request_timeout, sender};
use crate::api::calls::{
    CallPage, CallStatus, CallSummary, ListQuery, duration_text, parse_when, pick, short_time,
    sort_newest_first,
};
use crate::api::inert::{inert, inert_json};
use crate::api::list::{ListError, list, list_all};
use crate::api::outcome::one_line;
use crate::api::phone::{E164, Region};
use crate::api::request::BaseUrl;
use crate::api::update::{AgentId, CallId, OutcomeUpdate, Preference, Target};
use crate::config::Config;

pub const EXAMPLES: &str = "\
Examples:
  phonely-outcomes calls --agent agent123 --phone +14155551234     the calls from one number
  phonely-outcomes calls --agent agent123 --since 7d --status failed --status ended
  phonely-outcomes calls --agent agent123 --phone \"(415) 555-1234\" --json | jq .id
  phonely-outcomes send --agent agent123 --phone +14155551234 --pin --outcome Sold

Exit codes as send: 0 listed (also when nothing matches), 1 refused by Phonely, 2 invalid
input (nothing asked), 3 no answer.";

#[derive(Debug, Args)]
pub struct CallsArgs {
    /// The agent's ID (from the agent's settings page).
    #[arg(long, value_name = "ID")]
    pub agent: String,
    /// Only calls from this number: +14155551234, or a national number of the config's
    /// default_region (US unless set), e.g. "(415) 555-1234".
    #[arg(long, value_name = "NUMBER", allow_hyphen_values = true)]
    pub phone: Option<String>,
    /// Calls that started from this time: 2026-11-25 (local midnight), 2026-11-25T10:30:00Z,
    /// or a span back from now (30m, 24h, 7d).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Calls that started before this time (same forms as --since).
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
    /// Only calls with this status: completed, failed, ended or in_progress. Repeatable.
    #[arg(long = "status", value_name = "STATUS")]
    pub statuses: Vec<String>,
    /// How many calls to ask for, 1 to 100 (Phonely's page) [default: 100]
    #[arg(long, value_name = "N")]
    pub limit: Option<String>,
    /// Print each call as Phonely returned it, one JSON object per line, newest first.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub target: BaseUrlArg,
    /// Seconds to wait for the answer [default: request_timeout_secs from the config, else 15]
    #[arg(long, value_name = "SECS", allow_negative_numbers = true)]
    pub timeout: Option<f64>,
}

/// The flags as a look-up, or every problem with them.
fn query(args: &CallsArgs, region: Region, offset: UtcOffset) -> Result<ListQuery, Vec<String>> {
    let mut errors = Vec::new();
    let agent = AgentId::parse(&args.agent)
        .map_err(|m| errors.push(format!("--agent: {m}")))
        .ok();
    let phone = args.phone.as_deref().and_then(|p| {
        E164::normalise(p, region)
            .map_err(|m| errors.push(format!("--phone: {m}")))
            .ok()
    });
    let now = OffsetDateTime::now_utc();
    let mut when = |flag: &str, text: Option<&str>| {
        text.and_then(|t| {
            parse_when(t, offset, now)
                .map_err(|m| errors.push(format!("{flag}: {m}")))
                .ok()
        })
    };
    let since = when("--since", args.since.as_deref());
    let until = when("--until", args.until.as_deref());
    if let (Some(s), Some(u)) = (since, until)
        && s >= u
    {
        errors.push("--since must be before --until".to_string());
    }
    let mut statuses = Vec::new();
    for s in &args.statuses {
        match CallStatus::parse(s) {
            Ok(s) => statuses.push(s),
            Err(m) => errors.push(format!("--status: {m}")),
        }
    }
    let limit = args.limit.as_deref().map(str::trim).and_then(|text| {
        text.parse::<u64>()
            .map_err(|_| {
                errors.push(format!(
                    "--limit: Limit must be a whole number from 1 to 100 (got {})",
                    one_line(text, 40)
                ));
            })
            .ok()
    });
    let Some(agent) = agent else {
        return Err(errors);
    };
    let mut query = ListQuery::new(agent);
    if let Some(n) = limit
        && let Err(m) = query.set_limit(n)
    {
        errors.push(format!("--limit: {m}"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    query.phone = phone;
    query.since = since;
    query.until = until;
    query.statuses = statuses;
    Ok(query)
}

/// The exit code for a look-up that gave no list: refused 1, no answer or unreadable 3, a key
/// that cannot be sent 2.
pub(super) fn exit_code(e: &ListError) -> u8 {
    match e {
        ListError::Refused { .. } => exit::REFUSED,
        ListError::NoAnswer(_) | ListError::Unreadable(_) => exit::UNKNOWN,
        ListError::NotSent(_) => exit::INVALID,
    }
}

pub async fn run(
    args: CallsArgs,
    global: &GlobalArgs,
    config: &Config,
    offset: UtcOffset,
) -> ExitCode {
    let query = match query(&args, config.region, offset) {
        Ok(q) => q,
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {}", inert(e));
            }
            eprintln!("Nothing was asked.");
            return ExitCode::from(exit::INVALID);
        }
    };
    let (profile, base) = match account(
        global.profile.as_deref(),
        config,
        args.target.base_url.as_deref(),
    ) {
        Ok(x) => x,
        Err(code) => return code,
    };
    if let Err(code) = request_timeout(args.timeout, config) {
        return code;
    }
    let Sender { key, client, .. } = match sender(profile, &base, args.timeout, config).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let page = match list(&client, &base, &query, &key).await {
        Ok(p) => p,
        Err(e) => return fail(exit_code(&e), e.message()),
    };
    print_page(page, &query, args.json, offset);
    ExitCode::from(exit::UPDATED)
}

fn print_page(mut page: CallPage, query: &ListQuery, json: bool, offset: UtcOffset) {
    sort_newest_first(&mut page.items);
    let mut out = std::io::stdout().lock();
    if json {
        for call in &page.items {
            // JSON as it came (on one line), with what JSON leaves raw escaped the JSON way.
            let _ = writeln!(out, "{}", inert_json(&call.raw));
        }
    } else {
        // The first and last call are marked only when the page holds every match.
        let complete = page
            .total
            .is_none_or(|t| t <= page.items.len() as u64 && page.offset.unwrap_or(0) == 0);
        let marks = query.phone.as_ref().filter(|_| complete).map(|_| {
            (
                pick(&page.items, Preference::First).and_then(|c| c.id.clone()),
                pick(&page.items, Preference::Last).and_then(|c| c.id.clone()),
            )
        });
        if !page.items.is_empty() {
            let _ = writeln!(
                out,
                "{}",
                row([
                    "STARTED",
                    "DURATION",
                    "STATUS",
                    "TYPE",
                    "AI OUTCOME",
                    "PHONE",
                    "CALL ID",
                    ""
                ])
            );
        }
        for call in &page.items {
            let mark = marks.as_ref().map_or("", |(first, last)| {
                match (
                    call.id.is_some() && *first == call.id,
                    call.id.is_some() && *last == call.id,
                ) {
                    (true, true) => "first = last",
                    (true, false) => "← first",
                    (false, true) => "← last",
                    (false, false) => "",
                }
            });
            let _ = writeln!(out, "{}", table_line(call, offset, mark));
        }
    }
    drop(out);
    let shown = page.items.len();
    let whose = match &query.phone {
        Some(p) => format!("from {p} for agent {}", one_line(query.agent.as_str(), 80)),
        None => format!("for agent {}", one_line(query.agent.as_str(), 80)),
    };
    let calls = if shown == 1 { "call" } else { "calls" };
    match page.total {
        Some(total) if total > shown as u64 => eprintln!(
            "{shown} of {total} {calls} {whose}, newest first (--limit {} of at most {}: \
             narrow with --since, --until or --status)",
            query.limit(),
            crate::api::calls::MAX_LIMIT
        ),
        _ if shown == 0 => eprintln!("No calls {whose} match"),
        _ => eprintln!("{shown} {calls} {whose}, newest first"),
    }
}

fn row(cells: [&str; 8]) -> String {
    let [started, duration, status, kind, outcome, phone, id, mark] = cells;
    format!(
        "{started:<16}  {duration:>12}  {status:<11}  {kind:<17}  {outcome:<22}  {phone:<16}  \
         {id}  {mark}"
    )
    .trim_end()
    .to_string()
}

/// One call on one line, every server text made inert and cut to its column.
fn table_line(call: &CallSummary, offset: UtcOffset, mark: &str) -> String {
    let text = |v: &Option<String>, max: usize| {
        v.as_deref()
            .map_or_else(|| "-".to_string(), |s| one_line(s, max))
    };
    let started = call
        .started
        .map_or_else(|| text(&call.started_at, 16), |t| short_time(t, offset));
    let duration = call.duration.map_or_else(|| "-".to_string(), duration_text);
    row([
        &started,
        &duration,
        &text(&call.status, 11),
        &text(&call.call_type, 17),
        &text(&call.c_outcome, 22),
        &text(&call.customer_phone_number, 16),
        &text(&call.id, 80),
        mark,
    ])
}

/// The call `send --pin` updates: every call from `phone` for `agent`, and the earliest
/// (`first`) or latest (`last`) by `started_at`. `Ok(None)` when the number has no call.
async fn pinned_call(
    sender: &Sender,
    base: &BaseUrl,
    agent: &AgentId,
    phone: &E164,
    preference: Preference,
) -> Result<Option<CallSummary>, ListError> {
    let mut query = ListQuery::new(agent.clone());
    query.phone = Some(phone.clone());
    let mut calls = list_all(&sender.client, base, &query, &sender.key).await?;
    // Only calls that say they are from this number: a server that ignored the filter must not
    // have another number's call picked.
    calls.retain(|c| c.is_from(phone));
    Ok(pick(&calls, preference).cloned())
}

/// `send --pin`: looks up the calls from the update's phone, picks the first or last, says
/// which on stderr, and returns the update sent to that call's ID, and the call's ID. No call,
/// or no list: the reason and the exit code (nothing is sent).
pub(super) async fn pin(
    sender: &Sender,
    base: &BaseUrl,
    update: &OutcomeUpdate,
    offset: UtcOffset,
) -> Result<(OutcomeUpdate, String), ExitCode> {
    let Target::Phone { phone, preference } = &update.target else {
        return Err(fail(
            exit::INVALID,
            "--pin needs --phone: a call ID is already one call. Nothing was sent.",
        ));
    };
    let agent = one_line(update.agent.as_str(), 80);
    let call = match pinned_call(sender, base, &update.agent, phone, *preference).await {
        Ok(Some(call)) => call,
        Ok(None) => {
            return Err(fail(
                exit::REFUSED,
                &format!(
                    "Phonely lists no call from {phone} for agent {agent}, so there is no call \
                     to pin. Nothing was sent."
                ),
            ));
        }
        Err(e) => {
            return Err(fail(
                exit_code(&e),
                &format!(
                    "Could not look up the calls from {phone} to pin one: {}. Nothing was sent.",
                    e.message().trim_end_matches('.')
                ),
            ));
        }
    };
    let id = call.id.clone().unwrap_or_default();
    let call_id = CallId::parse(&id).map_err(|m| {
        fail(
            exit::REFUSED,
            &format!(
                "Phonely listed the {} call from {phone} with an ID that cannot be sent ({m}). \
                 Nothing was sent.",
                preference.as_str()
            ),
        )
    })?;
    eprintln!(
        "Pinned: the {} call from {phone} for agent {agent} is {} (local time); sending to \
         that call's ID",
        preference.as_str(),
        call.describe(offset)
    );
    Ok((
        OutcomeUpdate {
            target: Target::CallId(call_id),
            ..update.clone()
        },
        id,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::calls::parse_page;

    /// A hostile answer: escapes, bidi overrides and C1 controls in every text a row shows.
    const HOSTILE: &str = "{\"items\":[{\"id\":\"call\\u001b]52;c;eA==\\u0007x\",\
        \"started_at\":\"2026-11-20T16:03:00Z\",\"status\":\"\\u009b31mDONE\",\
        \"type\":\"in\\u202ebound\",\"c_outcome\":\"Sold\\r\\nFAKE ROW\",\
        \"customer_phone_number\":\"+1\\u001b[2J\"}],\"total\":1}";

    #[test]
    fn a_row_shows_server_text_inert() {
        let page = parse_page(HOSTILE).unwrap();
        let line = table_line(&page.items[0], UtcOffset::UTC, "← last");
        assert!(!line.chars().any(crate::api::inert::is_live), "{line:?}");
        assert!(
            line.contains("\\u{1b}]52;c;eA==") && line.contains("Sold FAKE ROW"),
            "{line}"
        );
        assert!(
            line.starts_with("2026-11-20 16:03") && line.ends_with("← last"),
            "{line}"
        );
    }

    #[test]
    fn json_lines_stay_json_and_inert() {
        let page = parse_page(HOSTILE).unwrap();
        // What `--json` prints: the item as sent (JSON escapes kept), made inert the JSON way.
        let raw = page.items[0]
            .raw
            .replace("\\u009b", "\u{9b}")
            .replace("\\u202e", "\u{202e}");
        let shown = inert_json(&raw);
        assert!(!shown.chars().any(crate::api::inert::is_live), "{shown:?}");
        let back: serde_json::Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(back["status"], "\u{9b}31mDONE");
        assert_eq!(back["type"], "in\u{202e}bound");
    }

    #[test]
    fn every_flag_problem_is_named_at_once() {
        let args = CallsArgs {
            agent: "agent123".into(),
            phone: Some("12".into()),
            since: Some("soon".into()),
            until: None,
            statuses: vec!["done".into()],
            limit: Some("500".into()),
            json: false,
            target: BaseUrlArg { base_url: None },
            timeout: None,
        };
        let errors = query(&args, Region::default(), UtcOffset::UTC).unwrap_err();
        let flags: Vec<&str> = errors
            .iter()
            .map(|e| e.split(':').next().unwrap())
            .collect();
        assert_eq!(
            flags,
            ["--phone", "--since", "--status", "--limit"],
            "{errors:?}"
        );
    }
}
