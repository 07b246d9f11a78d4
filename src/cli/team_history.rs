//! `history --team` and `history --operator NAME`: everyone's updates from the team log, newest
//! first, with the history's filters (`--agent`, `--target`, `--call`, `--outcome`, `--value`,
//! `--state`, `--since`, `--until`, `--text`, `--profile`) and formats: a table with an
//! Operator column, JSON Lines with the local history's fields (`id` is null: it is a local
//! number; `operator` names who sent it, `uuid` is the team log's key) and CSV with the local
//! header plus `uuid`. JSON and CSV are streamed a page at a time (`phonely_team::search`'s
//! cursor), so ten million rows never sit in memory. `--batch` and `show ID` are local numbers
//! and are refused here with a word on why.

use std::io::Write as _;
use std::process::ExitCode;

use phonely_team::search::Cursor;
use phonely_team::{TeamLog, TeamRow};
use time::UtcOffset;

use super::args::{GlobalArgs, HistoryArgs, HistoryFormat};
use super::common::{exit, fail};
use super::history::{CSV_HEADER, csv_row, filter, read_target};
use crate::api::inert::{inert, inert_json, inert_lines};
use crate::api::time::format_time;
use crate::config::Config;
use crate::history::{Record, now_ms};

/// Rows asked for per round trip when streaming JSON or CSV: a page's memory is bounded by the
/// team log's read caps (about 1.6 MiB a row at worst, `log::READ_COLUMNS`), so 200 rows.
const PAGE: i64 = 200;

pub async fn run(
    args: &HistoryArgs,
    global: &GlobalArgs,
    config: &Config,
    offset: UtcOffset,
) -> ExitCode {
    if args.command.is_some() {
        return fail(
            exit::INVALID,
            "history show takes a number of this laptop's history; the team log has no such \
             numbers: use --team --call ID --json to see a call's updates in full",
        );
    }
    if args.batch.is_some() {
        return fail(
            exit::INVALID,
            "--batch is a number of this laptop's history (batch --list); the team log has no \
             batch numbers: leave out --team, or filter the team log by --operator and --since",
        );
    }
    let mut filter = match filter(args, global.profile.clone(), offset, now_ms()) {
        Ok(f) => f,
        Err(m) => return fail(exit::INVALID, &m),
    };
    read_target(&mut filter, config.region);
    if !config.team.enabled() {
        return fail(
            exit::INVALID,
            "the team log is not configured: set PHONELY_TEAM_DATABASE_URL or add [team] \
             (README, \"For a team\")",
        );
    }
    let url = match config.team.resolve().await {
        Ok(u) => u,
        Err(e) => return fail(exit::INVALID, &e),
    };
    let target = config.team.target(url);
    let log = match TeamLog::open(&target).await {
        Ok(l) => l,
        Err(e) => return fail(exit::UNKNOWN, &e.to_string()),
    };
    let format = if args.json {
        HistoryFormat::Jsonl
    } else {
        args.format.unwrap_or(HistoryFormat::Table)
    };
    let limit = args.limit.map_or(
        if format == HistoryFormat::Table {
            20
        } else {
            i64::MAX
        },
        |n| i64::try_from(n).unwrap_or(i64::MAX),
    );
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if format == HistoryFormat::Csv {
        let mut header = CSV_HEADER.to_vec();
        header.push("uuid");
        let _ = out.write_all(&csv_line(&header));
    }
    let operator = args.operator.as_deref();
    let mut found: i64 = 0;
    let mut after: Option<Cursor> = None;
    while found < limit {
        let ask = (limit - found).min(PAGE);
        let rows = match log.find(&filter, operator, after, ask).await {
            Ok(r) => r,
            Err(e) => {
                let _ = out.flush();
                return fail(exit::UNKNOWN, &e.to_string());
            }
        };
        for row in &rows {
            let written = match format {
                HistoryFormat::Csv => out.write_all(&csv_line(&csv_fields(row))),
                HistoryFormat::Jsonl => writeln!(out, "{}", inert_json(&json_line(row))),
                HistoryFormat::Table => {
                    if found == 0 {
                        let _ = writeln!(out, "{}", table_header());
                    }
                    writeln!(out, "{}", inert(&table_line(&row.to_record(), offset)))
                }
            };
            if written.is_err() {
                // A closed pipe (`| head`): stop quietly.
                return ExitCode::SUCCESS;
            }
            found += 1;
        }
        match rows.last() {
            Some(last) if i64::try_from(rows.len()).unwrap_or(0) == ask => {
                after = Some(Cursor {
                    created_ms: last.created_ms,
                    uuid: last.uuid,
                });
            }
            _ => break,
        }
    }
    let _ = out.flush();
    if found == 0 && limit != 0 {
        eprintln!("No updates match in the team log");
    }
    ExitCode::SUCCESS
}

/// One RFC 4180 record (quoted where it needs to be), with its line end.
fn csv_line<T: AsRef<[u8]>>(fields: &[T]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(fields);
    w.into_inner().unwrap_or_default()
}

/// The local history's JSON for this row (`id` null: the team log has no local number), with
/// the team log's `uuid` at the end.
pub fn json_line(row: &TeamRow) -> String {
    let mut value = serde_json::to_value(row.to_record()).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        map.insert("id".to_string(), serde_json::Value::Null);
        map.insert(
            "uuid".to_string(),
            serde_json::Value::String(row.uuid.to_string()),
        );
    }
    value.to_string()
}

/// The local CSV's columns (an empty `id`), then the UUID; made inert field by field.
fn csv_fields(row: &TeamRow) -> Vec<String> {
    let mut fields = csv_row(&row.to_record());
    fields[0] = String::new();
    fields.push(row.uuid.to_string());
    fields.iter().map(|f| inert_lines(f).into_owned()).collect()
}

fn table_columns(cells: [&str; 9]) -> String {
    let [
        when,
        operator,
        state,
        profile,
        target,
        set,
        status,
        latency,
        result,
    ] = cells;
    format!(
        "{when:<19}  {operator:<12} {state:<15} {profile:<12} {target:<36} {set:<28} \
         {status:>4} {latency:>7}  {result}"
    )
}

fn table_header() -> String {
    table_columns([
        "Recorded",
        "Operator",
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
        &format_time(r.created_ms, offset),
        &r.operator,
        &format!("{} {}", r.mark(), r.state.as_str()),
        &r.profile,
        &r.target_text(),
        &r.set_text(),
        &r.http_status.map(|s| s.to_string()).unwrap_or_default(),
        &r.latency_ms.map(|l| format!("{l}ms")).unwrap_or_default(),
        &r.result_text(),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_has_the_local_fields_with_a_null_id_and_the_uuid() {
        let row = phonely_team::testing::pending_row("Ana", "agent1", "call1", 5);
        let v: serde_json::Value = serde_json::from_str(&json_line(&row)).unwrap();
        let local = serde_json::to_value(row.to_record()).unwrap();
        for key in local.as_object().unwrap().keys() {
            assert!(v.get(key).is_some(), "{key} missing");
        }
        assert!(v["id"].is_null());
        assert_eq!(v["operator"], "Ana");
        assert_eq!(v["uuid"], row.uuid.to_string());
        assert_eq!(csv_fields(&row).len(), CSV_HEADER.len() + 1);
    }
}
