//! `phonely-outcomes history`: the audit log on the command line. Filters, a table for people,
//! JSON Lines and RFC 4180 CSV for tools (streamed: a million rows never sit in memory), and
//! `history show ID`.

use std::fmt::Write as _;
use std::io::Write;
use std::process::ExitCode;

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use super::args::{GlobalArgs, HistoryArgs, HistoryCommand, HistoryFormat};
use super::common::{data_dir, exit, fail, open_for_reading};
use crate::api::client::State;
use crate::api::inert::{inert, inert_lines};
use crate::api::time::format_time;
use crate::history::{FAILED, Filter, Record, now_ms};

/// The CSV columns, in their fixed order.
pub const CSV_HEADER: &[&str] = &[
    "id",
    "created_at",
    "sent_at",
    "completed_at",
    "state",
    "verified",
    "http_status",
    "latency_ms",
    "profile",
    "base_url",
    "operator",
    "agent",
    "target",
    "target_kind",
    "preference",
    "resolved_call_id",
    "outcome",
    "value",
    "metadata",
    "message",
    "method",
    "url",
    "body",
    "response_truncated",
    "response_body",
    "batch_id",
    "batch_line",
    "pinned_call",
    "listed_call",
];

/// `global.profile` (`--profile`, or `PHONELY_PROFILE`) narrows the list to that profile;
/// `--target` is read in `region` as the form reads a phone.
pub fn run(
    args: &HistoryArgs,
    global: &GlobalArgs,
    offset: UtcOffset,
    region: crate::api::phone::Region,
) -> ExitCode {
    let mut filter = match filter(args, global.profile.clone(), offset, now_ms()) {
        Ok(f) => f,
        Err(m) => return fail(exit::INVALID, &m),
    };
    read_target(&mut filter, region);
    let data_dir = match data_dir(global.data_dir.clone()) {
        Ok(d) => d,
        Err(m) => return fail(exit::INVALID, &m),
    };
    let format = if args.json {
        HistoryFormat::Jsonl
    } else {
        args.format.unwrap_or(HistoryFormat::Table)
    };
    if !data_dir.join(crate::history::DB_FILE).exists() {
        if let Some(HistoryCommand::Show { id }) = args.command {
            return fail(1, &format!("there is no update #{id}: no history yet"));
        }
        if format == HistoryFormat::Csv {
            let mut out = std::io::stdout();
            let _ = writeln!(out, "{}", CSV_HEADER.join(","));
        } else if format == HistoryFormat::Table {
            eprintln!("No history yet in {}", data_dir.display());
        }
        return ExitCode::SUCCESS;
    }
    let store = match open_for_reading(&data_dir) {
        Ok(s) => s,
        Err(m) => return fail(1, &m),
    };
    if let Some(HistoryCommand::Show { id }) = args.command {
        return match store.get(id) {
            Ok(Some(r)) => {
                let mut out = std::io::stdout();
                let _ = out.write_all(inert_lines(&show(&r, offset)).as_bytes());
                ExitCode::SUCCESS
            }
            Ok(None) => fail(1, &format!("there is no update #{id}")),
            Err(e) => fail(1, &e.to_string()),
        };
    }
    let limit = args.limit.or(match format {
        HistoryFormat::Table => Some(20),
        HistoryFormat::Jsonl | HistoryFormat::Csv => None,
    });
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut found = 0_usize;
    let result = match format {
        HistoryFormat::Table => {
            // The header comes with the first row: no rows, no table.
            let mut header = Some(table_header());
            store.for_each_matching(&filter, None, limit, |r| {
                found += 1;
                if let Some(h) = header.take() {
                    writeln!(out, "{h}")?;
                }
                writeln!(out, "{}", inert(&table_line(r, offset)))
            })
        }
        HistoryFormat::Jsonl => store.for_each_matching(&filter, None, limit, |r| {
            found += 1;
            // JSON escapes control characters but leaves DEL, C1 and bidi overrides raw.
            let line = serde_json::to_string(r).map_err(std::io::Error::other)?;
            writeln!(out, "{}", crate::api::inert::inert_json(&line))
        }),
        HistoryFormat::Csv => {
            let mut csv = csv::Writer::from_writer(&mut out);
            let header = csv.write_record(CSV_HEADER).map_err(std::io::Error::other);
            match header {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => return fail(1, &e.to_string()),
                Ok(()) => store.for_each_matching(&filter, None, limit, |r| {
                    found += 1;
                    // Made inert field by field (line breaks stay: CSV quotes them).
                    csv.write_record(csv_row(r).iter().map(|f| inert_lines(f).into_owned()))
                        .map_err(|e| match e.into_kind() {
                            csv::ErrorKind::Io(io) => io,
                            other => std::io::Error::other(format!("{other:?}")),
                        })
                }),
            }
        }
    };
    let _ = out.flush();
    if result.is_ok() && found == 0 && limit != Some(0) {
        eprintln!("No updates match");
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(1, &e.to_string()),
    }
}

/// `--target` as people type it: a phone the form would read becomes its E.164 form; one typed
/// in part (`555-1234`) matches targets with those digits; anything else is exact.
pub(super) fn read_target(filter: &mut Filter, region: crate::api::phone::Region) {
    let Some(typed) = filter.target.clone() else {
        return;
    };
    if !crate::api::phone::reads_as_phone(&typed, region) {
        return;
    }
    match crate::api::phone::E164::normalise(&typed, region) {
        Ok(phone) => filter.target = Some(phone.to_string()),
        Err(_) if typed.trim().chars().all(|c| !c.is_ascii_alphabetic()) => {
            filter.target = None;
            filter.target_digits = Some(typed.chars().filter(char::is_ascii_digit).collect());
        }
        Err(_) => {}
    }
}

pub(super) fn filter(
    args: &HistoryArgs,
    profile: Option<String>,
    offset: UtcOffset,
    now: i64,
) -> Result<Filter, String> {
    let mut f = Filter {
        agent: args.agent.clone(),
        target: args.target.clone(),
        call: args.call.clone(),
        outcome: args.outcome.clone(),
        batch: args.batch,
        profile,
        words: args
            .text
            .as_deref()
            .map(|t| t.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default(),
        ..Filter::default()
    };
    if let Some(states) = &args.state {
        for s in states.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match s {
                "failed" => f.states.extend_from_slice(FAILED),
                "network" => f.states.push(State::NetworkError),
                other => f.states.push(State::parse(other).ok_or_else(|| {
                    format!(
                        "--state {other} is not a state: use ok, failed, unconfirmed, \
                         refused, network, cancelled, unknown or pending"
                    )
                })?),
            }
        }
    }
    if let Some(v) = &args.value {
        f.value = Some(
            crate::api::update::parse_value(v)
                .ok()
                .flatten()
                .ok_or_else(|| format!("--value must be a number such as 499 or 299.5 (got {v})"))?
                .to_string(),
        );
    }
    if let Some(t) = &args.since {
        f.since_ms = Some(parse_when(t, offset, now).map_err(|m| format!("--since: {m}"))?);
    }
    if let Some(t) = &args.until {
        f.until_ms = Some(parse_when(t, offset, now).map_err(|m| format!("--until: {m}"))?);
    }
    Ok(f)
}

/// `2026-11-25` (local midnight), RFC 3339, or a span back from now (`30m`, `24h`, `7d`), as
/// milliseconds since the epoch: core's `parse_when`, which `calls` reads its dates with too.
pub fn parse_when(text: &str, offset: UtcOffset, now_ms: i64) -> Result<i64, String> {
    let now = OffsetDateTime::from_unix_timestamp_nanos(i128::from(now_ms) * 1_000_000)
        .map_err(|_| "the clock is out of range".to_string())?;
    let at = crate::api::time::parse_when(text, offset, now)?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).map_err(|_| {
        format!(
            "{} is out of range",
            crate::api::phone::shorten(text.trim())
        )
    })
}

/// The table's columns, padded to their widths (the header and every row go through it, so
/// they line up).
fn table_columns(cells: [&str; 9]) -> String {
    let [
        id,
        when,
        state,
        profile,
        target,
        set,
        status,
        latency,
        result,
    ] = cells;
    format!(
        "{id:<9} {when:<19}  {state:<15} {profile:<12} {target:<36} {set:<28} {status:>4} \
         {latency:>7}  {result}"
    )
}

/// The first line of the table, above the first row.
fn table_header() -> String {
    table_columns([
        "ID",
        "Recorded",
        "State",
        "Profile",
        "Agent/target",
        "Sets",
        "HTTP",
        "Latency",
        "Result",
    ])
}

fn table_line(r: &Record, offset: UtcOffset) -> String {
    table_columns([
        &format!("#{}", r.id),
        &format_time(r.created_ms, offset),
        &format!("{} {}", r.mark(), r.state.as_str()),
        &r.profile,
        &r.target_text(),
        &r.set_text(),
        &r.http_status.map(|s| s.to_string()).unwrap_or_default(),
        &r.latency_ms.map(|l| format!("{l}ms")).unwrap_or_default(),
        &r.result_text(),
    ])
}

fn rfc3339(ms: Option<i64>) -> String {
    ms.and_then(|ms| OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok())
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

pub(super) fn csv_row(r: &Record) -> Vec<String> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    vec![
        r.id.to_string(),
        rfc3339(Some(r.created_ms)),
        rfc3339(r.sent_ms),
        rfc3339(r.completed_ms),
        r.state.as_str().to_string(),
        r.verified.to_string(),
        r.http_status.map(|s| s.to_string()).unwrap_or_default(),
        r.latency_ms.map(|l| l.to_string()).unwrap_or_default(),
        r.profile.clone(),
        r.base_url.clone(),
        r.operator.clone(),
        r.agent.clone(),
        r.target.clone(),
        r.target_kind.clone(),
        opt(&r.preference),
        opt(&r.resolved_call_id),
        opt(&r.outcome),
        opt(&r.value),
        opt(&r.metadata),
        opt(&r.message),
        r.method.clone(),
        r.url.clone(),
        r.body.clone(),
        r.response_truncated.to_string(),
        opt(&r.response_body),
        r.batch_id.map(|b| b.to_string()).unwrap_or_default(),
        r.batch_line.map(|l| l.to_string()).unwrap_or_default(),
        opt(&r.pinned_call),
        opt(&r.listed_call),
    ]
}

/// One update in full, for `history show`.
fn show(r: &Record, offset: UtcOffset) -> String {
    let time = |ms: Option<i64>| ms.map_or_else(|| "—".to_string(), |ms| format_time(ms, offset));
    let pretty = |text: &str| {
        serde_json::from_str::<serde_json::Value>(text)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or_else(|_| text.to_string())
    };
    let mut out = format!(
        "Update #{id}  {mark} {state}: {result}\n\
         Recorded   {created}\nSent       {sent}\nCompleted  {completed}\n\
         By         {operator} (profile {profile})\nSent to    {base}\n",
        id = r.id,
        mark = r.mark(),
        state = r.state.as_str(),
        result = r.result_text(),
        created = time(Some(r.created_ms)),
        sent = time(r.sent_ms),
        completed = time(r.completed_ms),
        operator = r.operator,
        profile = r.profile,
        base = r.base_url,
    );
    if let Some(call) = &r.resolved_call_id {
        let _ = writeln!(out, "Call       {call}");
    }
    // A send by phone that landed on another call than the workbench's calls list showed.
    if let Some(warning) = r.mismatch() {
        let _ = writeln!(out, "Mismatch   ⚠ {warning}");
    }
    if let Some(batch) = r.batch_id {
        let _ = writeln!(
            out,
            "Batch      #{batch}, line {} of its file (`batch --list`)",
            r.batch_line.unwrap_or_default()
        );
    }
    if let Some(m) = &r.message {
        let _ = writeln!(out, "Message    {m}");
    }
    let request = r.request();
    let _ = writeln!(out, "\nRequest\n{} {}", request.method, request.url);
    // The User-Agent was not recorded (it names the version that sent it): not shown.
    for (name, value) in request.headers.iter().filter(|(n, _)| *n != "User-Agent") {
        let _ = writeln!(out, "{name}: {value}");
    }
    let _ = writeln!(
        out,
        "{}: •••••••• (the key is never stored)\n\n{}",
        crate::api::request::AUTH_HEADER,
        pretty(&r.body)
    );
    out.push_str("\nResponse\n");
    match (r.http_status, &r.response_body) {
        (Some(status), body) => {
            let _ = write!(
                out,
                "HTTP {status}{}\n{}\n",
                r.latency_ms
                    .map(|l| format!(" in {l} ms"))
                    .unwrap_or_default(),
                pretty(body.as_deref().unwrap_or(""))
            );
            if r.response_truncated {
                let _ = writeln!(
                    out,
                    "(the body was longer than {} KiB; the rest was not kept)",
                    r.response_cap.unwrap_or(0) / 1024
                );
            }
        }
        (None, _) => out.push_str("No response\n"),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_602_720_000; // 2026-11-25 10:32:00 UTC

    #[test]
    fn times_people_write() {
        let utc = UtcOffset::UTC;
        assert_eq!(parse_when("24h", utc, NOW).unwrap(), NOW - 86_400_000);
        assert_eq!(parse_when("30m", utc, NOW).unwrap(), NOW - 1_800_000);
        assert_eq!(parse_when("7d", utc, NOW).unwrap(), NOW - 7 * 86_400_000);
        assert_eq!(parse_when("2026-11-25T10:32:00Z", utc, NOW).unwrap(), NOW);
        assert_eq!(
            parse_when("2026-11-25", utc, NOW).unwrap(),
            NOW - (10 * 3600 + 32 * 60) * 1000
        );
        let plus_two = UtcOffset::from_hms(2, 0, 0).unwrap();
        assert_eq!(
            parse_when("2026-11-25", plus_two, NOW).unwrap(),
            NOW - (12 * 3600 + 32 * 60) * 1000,
            "a date is local midnight"
        );
        for bad in ["yesterday", "24x", "h", "2026-13-01", ""] {
            assert!(
                parse_when(bad, utc, NOW)
                    .unwrap_err()
                    .contains("is not a time"),
                "{bad}"
            );
        }
    }

    /// The CSV names the call a send was pinned to and the call the calls list showed, each
    /// under its own header (the export matches the JSON).
    #[test]
    fn csv_carries_the_pinned_and_the_listed_call() {
        use crate::api::request::{BaseUrl, build};
        use crate::api::update::UpdateInput;
        let update = crate::api::factory::update(&UpdateInput {
            agent: "agent123",
            target: "+14155551234",
            preference: Some("last"),
            outcome: "Sold",
            ..UpdateInput::default()
        });
        let who = crate::api::factory::provenance();
        let request = build(&update, &BaseUrl::default());
        let mut r = crate::api::factory::pending(7, "s", &who, &update, &request, NOW);
        r.pinned_call = Some("call-mid-415".into());
        r.listed_call = Some("call-last-415".into());
        let row = csv_row(&r);
        assert_eq!(row.len(), CSV_HEADER.len());
        let at = |name: &str| row[CSV_HEADER.iter().position(|h| *h == name).unwrap()].clone();
        assert_eq!(at("pinned_call"), "call-mid-415");
        assert_eq!(at("listed_call"), "call-last-415");
        assert_eq!(at("target"), "+14155551234");
    }

    /// `history show` says when Phonely updated another call than the workbench's calls list
    /// showed for the preference (kept on the row as `listed_call`), ids made inert.
    #[test]
    fn show_flags_a_call_mismatch() {
        use crate::api::request::{BaseUrl, build};
        use crate::api::update::{UpdateInput, validate};
        let update = validate(&UpdateInput {
            agent: "agent123",
            target: "+14155551234",
            preference: Some("first"),
            outcome: "Sold",
            ..UpdateInput::default()
        })
        .unwrap();
        let who = crate::history::Provenance {
            operator: "t".into(),
            profile: "sandbox".into(),
            base_url: String::new(),
        };
        let request = build(&update, &BaseUrl::default());
        let mut r = crate::api::factory::pending(7, "s", &who, &update, &request, NOW);
        r.state = crate::api::client::State::Ok;
        r.resolved_call_id = Some("call-new".into());
        r.listed_call = Some("call-first-415".into());
        let shown = show(&r, UtcOffset::UTC);
        assert!(
            shown.contains(
                "Mismatch   ⚠ Phonely updated call call-new; the list showed call-first-415 as \
                 first\n"
            ),
            "{shown}"
        );
        r.resolved_call_id = Some("call-first-415".into());
        assert!(!show(&r, UtcOffset::UTC).contains("Mismatch"));
    }

    /// A history of a million rows has seven-digit ids: the columns still line up.
    #[test]
    fn seven_and_eight_digit_ids_keep_the_columns() {
        let header = table_header();
        for id in ["#1000000", "#12345678"] {
            let row = table_columns([id, "2026-12-02 18:43:56", "", "", "", "", "", "", ""]);
            assert_eq!(
                header.find("Recorded"),
                row.find("2026-"),
                "{header}\n{row}"
            );
        }
    }
}
