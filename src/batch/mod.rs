//! Batch files: CSV (header row, RFC 4180, a leading BOM tolerated; separated by commas, or by
//! semicolons or tabs as some spreadsheets export them) or JSON Lines, one update a row, checked
//! with the same rules as the form before anything is sent. Every bad row is reported with its
//! line, its column and the problem.

//!
//! Reading a file: `columns.rs` (the names a file may use, `--column`), `rows.rs` (a row through
//! the form's checks), `csv_file.rs` and `jsonl.rs` (the two formats), `file.rs` (reading it
//! with bounded memory). Before sending: `notes.rs` (what to point out about its rows). Sending
//! one: `plan.rs` (lanes, shared with the workbench's queue), `retry.rs` and `engine.rs`.
//! `factory.rs`: rows and results for tests, without a file.

mod columns;
mod csv_file;
pub mod engine;
pub mod factory;
mod file;
mod jsonl;
pub mod notes;
pub mod plan;
mod retry;
mod rows;

pub use columns::{COLUMNS, ColumnMap};
pub use file::{MAX_FILE_BYTES, MAX_LINE_BYTES, ReadError, excerpt, read_file};
pub use rows::{Cells, Entry, Row, RowError};

use csv_file::{bytecount_lines, parse_csv};
use jsonl::parse_jsonl;
use rows::{Record, check};

/// Reads a whole file: JSON Lines when its name ends in `.jsonl` or `.ndjson`, CSV otherwise.
/// Returns every valid row, and every problem found (not just the first).
pub fn parse(name: &str, bytes: &[u8]) -> (Vec<Row>, Vec<RowError>) {
    parse_with(name, bytes, &ColumnMap::default())
}

/// `parse`, with some of the file's columns mapped to fields (`--column NAME=field`).
pub fn parse_with(name: &str, bytes: &[u8], columns: &ColumnMap) -> (Vec<Row>, Vec<RowError>) {
    read(name, bytes, columns, &mut |_| {})
}

/// Every row the file holds, valid or not (for the queue, where bad rows are fixed in the
/// form), and the problems that belong to no readable row (the header, broken quoting).
pub fn entries(name: &str, bytes: &[u8], columns: &ColumnMap) -> (Vec<Entry>, Vec<RowError>) {
    let mut raw: Vec<Record> = Vec::new();
    let (_, errors) = read(name, bytes, columns, &mut |record| raw.push(record.clone()));
    let lines: std::collections::HashSet<usize> = raw.iter().map(|r| r.line).collect();
    // A line that could not be read as a row (a cell too many, a broken JSON line) is listed
    // too, with its problem and nothing to send, so no line of the file goes unseen.
    let (file_errors, unreadable): (Vec<RowError>, Vec<RowError>) = errors
        .into_iter()
        .filter(|e| e.line.is_none_or(|l| !lines.contains(&l)))
        .partition(|e| e.line.is_none());
    let mut entries: Vec<Entry> = raw
        .into_iter()
        .map(|record| {
            // The queue sends by phone as the form does; it has no look-up to pin a row with,
            // so a row asking for one is not sent by phone unpinned behind its back.
            let checked = check(&record, columns.rules).and_then(|r| {
                if r.pin {
                    Err(vec![rows::line_error(
                        r.line,
                        Some("pin"),
                        "the workbench's queue cannot pin a row to a call yet: send this file \
                         with `phonely-outcomes batch`, or leave pin empty"
                            .to_string(),
                    )])
                } else {
                    Ok(r.update)
                }
            });
            Entry {
                line: record.line,
                cells: record.cells,
                checked,
            }
        })
        .collect();
    for e in unreadable {
        entries.push(Entry {
            line: e.line.unwrap_or_default(),
            cells: Cells::new(),
            checked: Err(vec![e]),
        });
    }
    entries.sort_by_key(|e| e.line);
    (entries, file_errors)
}

/// Reads the file; `seen` gets each readable row before it is checked.
fn read(
    name: &str,
    bytes: &[u8],
    columns: &ColumnMap,
    seen: &mut dyn FnMut(&Record),
) -> (Vec<Row>, Vec<RowError>) {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let line = bytecount_lines(&bytes[..e.valid_up_to()]) + 1;
            return (
                Vec::new(),
                vec![RowError {
                    line: Some(line),
                    column: None,
                    field: None,
                    message: "the file is not UTF-8 text: save it as UTF-8 (CSV UTF-8 in \
                              spreadsheet programs)"
                        .to_string(),
                }],
            );
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let extension = std::path::Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if matches!(extension.as_deref(), Some("jsonl" | "ndjson")) {
        parse_jsonl(text, columns, seen)
    } else {
        parse_csv(text, columns, seen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::update::Rules;

    #[test]
    fn entries_keep_every_row_with_its_cells_and_problems() {
        let csv = "agent_id,phone,outcome\nagent123,+14155551234,Sold\na,b,c,d\n\
                   agent123,12,Sold\n\"bad,x\n";
        let (entries, errors) = entries("f.csv", csv.as_bytes(), &ColumnMap::default());
        assert!(errors.is_empty(), "{errors:?}");
        let lines: Vec<usize> = entries.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 3, 4, 5], "every line of the file, in order");
        assert!(entries[0].checked.is_ok());
        assert_eq!(entries[2].target(), "12");
        assert_eq!(entries[2].cell("outcome"), "Sold");
        let problem = &entries[2].checked.as_ref().unwrap_err()[0];
        assert_eq!(problem.column.as_deref(), Some("phone"));
        // The lines that could not be read as rows are listed with their problem.
        let ragged = &entries[1].checked.as_ref().unwrap_err()[0].message;
        assert!(
            ragged.contains("this row has 4 cells but the header has 3"),
            "{ragged}"
        );
        let unclosed = &entries[3].checked.as_ref().unwrap_err()[0].message;
        assert!(unclosed.contains("quote"), "{unclosed}");
    }

    fn csv(text: &str) -> (Vec<Row>, Vec<RowError>) {
        parse("corrections.csv", text.as_bytes())
    }

    #[test]
    fn a_good_csv_with_a_bom_and_quoted_metadata() {
        let (rows, errors) = csv(
            "\u{feff}agent_id,target,preference,outcome,value,metadata\n\
             agent123,call456,,Sold,299,\"{\"\"campaign\"\":\"\"spring_2026\"\"}\"\n\
             agent123,+14155551234,first,No Sale,0,\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[1].update.target.as_str(), "+14155551234");
        assert_eq!(
            rows[0].update.metadata.as_ref().unwrap()["campaign"],
            "spring_2026"
        );
    }

    #[test]
    fn every_bad_row_is_reported_with_line_and_column() {
        let (rows, errors) = csv("agent_id,call_id,phone,outcome,value\n\
             agent123,call456,,Sold,$299\n\
             agent123,,415 5555,Sold,\n\
             agent123,call1,,,\n");
        assert_eq!(rows.len(), 0);
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(
            shown[0].starts_with("line 2, column value: Value"),
            "{shown:?}"
        );
        assert!(
            shown[1].starts_with("line 3, column phone: Phone is too short for US"),
            "{shown:?}"
        );
        assert!(
            shown[2].starts_with("line 4, column outcome: Nothing to set"),
            "{shown:?}"
        );
    }

    #[test]
    fn file_level_problems() {
        let unknown = csv("agent,target,outcome\na,b,c\n").1;
        assert!(
            unknown[0].message.contains("unknown column agent"),
            "{unknown:?}"
        );
        let ragged = csv("agent_id,target,outcome\nagent123,call456,Sold,extra\n").1;
        assert_eq!(ragged[0].line, Some(2));
        assert!(
            ragged[0].message.contains("4 cells but the header has 3"),
            "{ragged:?}"
        );
        let quoting = csv("agent_id,target,outcome\nagent123,call456,\"Sold\n").1;
        assert!(!quoting.is_empty());
        let empty = csv("").1;
        assert!(empty[0].message.contains("the file is empty"), "{empty:?}");
        let bytes = b"agent_id,target,outcome\nagent123,call456,\xffSold\n";
        let not_utf8 = parse("x.csv", bytes).1;
        assert!(not_utf8[0].message.contains("not UTF-8"), "{not_utf8:?}");
        assert_eq!(not_utf8[0].line, Some(2));
        let twice = csv("agent_id,target,target\na,b,c\n").1;
        assert!(twice[0].message.contains("appears twice"), "{twice:?}");
    }

    #[test]
    fn json_lines() {
        let (rows, errors) = parse(
            "fixes.jsonl",
            br#"{"agent_id":"agent123","target":"call456","outcome":"Sold","value":299,"metadata":{"a":1}}
{"agent_id":"agent123","phone":"+14155551234","outcome":"No Sale"}

[1,2]
{"agent_id":"agent123","target":"call456","bogus":1}
"#,
        );
        assert_eq!(rows.len(), 2, "{errors:?}");
        assert_eq!(rows[0].update.value.as_ref().unwrap().to_string(), "299");
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].line, Some(4));
        assert!(errors[1].message.contains("unknown column bogus"));
    }

    fn map(specs: &[&str]) -> Result<ColumnMap, String> {
        ColumnMap::parse(&specs.iter().map(ToString::to_string).collect::<Vec<_>>())
    }

    #[test]
    fn mapped_columns_read_as_their_field_in_csv_and_json_lines() {
        let columns = map(&["Agent=agent_id", "Phone Number=phone", " Result = outcome"]).unwrap();
        let (rows, errors) = parse_with(
            "crm.csv",
            b"Agent,Phone Number,Result,value\nagent123,+14155551234,Sold,5\n",
            &columns,
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows[0].update.target.as_str(), "+14155551234");
        assert_eq!(rows[0].update.outcome.as_deref(), Some("Sold"));
        let (rows, errors) = parse_with(
            "crm.jsonl",
            br#"{"Agent":"agent123","Phone Number":"+14155551234","Result":"Sold"}
{"agent_id":"agent123","Phone Number":"+14155551234","outcome":"No Sale"}
"#,
            &columns,
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].update.outcome.as_deref(), Some("No Sale"));
    }

    #[test]
    fn errors_in_a_mapped_column_name_the_files_column() {
        let columns = map(&["Phone Number=phone"]).unwrap();
        let (_, errors) = parse_with(
            "crm.csv",
            b"agent_id,Phone Number,outcome\nagent123,415 5555,Sold\n",
            &columns,
        );
        assert!(
            errors[0]
                .to_string()
                .starts_with("line 2, column Phone Number: Phone is too short for US"),
            "{errors:?}"
        );
    }

    #[test]
    fn unmapped_unknown_columns_stay_an_error_that_points_to_column() {
        let columns = map(&["Result=outcome"]).unwrap();
        let (_, errors) = parse_with(
            "crm.csv",
            b"agent_id,target,Result,Notes\nagent123,call456,Sold,x\n",
            &columns,
        );
        assert!(
            errors[0].message.starts_with("unknown column Notes:"),
            "{errors:?}"
        );
        assert!(
            errors[0].message.contains("--column \"Notes=FIELD\""),
            "{errors:?}"
        );
        let (_, errors) = parse_with(
            "crm.jsonl",
            br#"{"agent_id":"agent123","target":"call456","Result":"Sold","Notes":"x"}"#,
            &columns,
        );
        assert_eq!(errors[0].line, Some(1));
        assert!(
            errors[0].message.contains("unknown column Notes"),
            "{errors:?}"
        );
    }

    #[test]
    fn bad_mappings_are_refused_with_what_would_be_right() {
        let e = map(&["Phone Number"]).unwrap_err();
        assert!(e.contains("write it as NAME=field"), "{e}");
        let e = map(&["=phone"]).unwrap_err();
        assert!(e.contains("the column name before = is empty"), "{e}");
        let e = map(&["Phone=telephone"]).unwrap_err();
        assert!(
            e.contains("\"telephone\" is not a field; the fields are agent_id"),
            "{e}"
        );
        let e = map(&["Phone=phone", "Mobile=phone"]).unwrap_err();
        assert!(
            e.contains("--column Phone=phone and --column Mobile=phone both fill phone"),
            "{e}"
        );
        let e = map(&["Phone=phone", "Phone=target"]).unwrap_err();
        assert!(e.contains("--column Phone is given twice"), "{e}");
        // A column that maps onto a field the file also has under its own name.
        let columns = map(&["Mobile=phone"]).unwrap();
        let (rows, errors) = parse_with(
            "x.csv",
            b"agent_id,phone,Mobile,outcome\nagent123,+14155551234,+14155551234,Sold\n",
            &columns,
        );
        assert!(rows.is_empty());
        assert!(
            errors[0]
                .message
                .contains("columns phone and Mobile both give phone"),
            "{errors:?}"
        );
        // A mapping for a column the file does not have is a typo, not silence.
        let columns = map(&["Phone Nmber=phone"]).unwrap();
        let (_, errors) = parse_with(
            "x.csv",
            b"agent_id,Phone Number,outcome\nagent123,+14155551234,Sold\n",
            &columns,
        );
        assert!(
            errors[0].message.contains(
                "--column Phone Nmber=phone: the file has no column \"Phone Nmber\"; its \
                 columns are agent_id, Phone Number, outcome"
            ),
            "{errors:?}"
        );
        let (_, errors) = parse_with(
            "x.jsonl",
            br#"{"agent_id":"agent123","phone":"+14155551234","outcome":"Sold"}"#,
            &columns,
        );
        assert!(
            errors[0]
                .message
                .contains("--column Phone Nmber=phone: no line of the file has the key"),
            "{errors:?}"
        );
        assert_eq!(
            map(&["b=phone", "a=outcome"]).unwrap().canonical(),
            "a=outcome;b=phone"
        );
    }

    fn lines(errors: &[RowError]) -> Vec<Option<usize>> {
        errors.iter().map(|e| e.line).collect()
    }

    #[test]
    fn line_numbers_are_right_with_crlf_multi_line_cells_and_blank_lines() {
        // CRLF: each row's errors on its own line.
        let (_, errors) = csv("agent_id,target,outcome,value\r\n\
             agent123,call456,Sold,a\r\n\
             agent123,call457,Sold,b\r\n\
             agent123,call458,Sold,c\r\n");
        assert_eq!(lines(&errors), [Some(2), Some(3), Some(4)], "{errors:?}");
        // CRLF with a quoted cell over two lines: the row after it starts on line 4.
        let (rows, errors) = csv("agent_id,target,metadata,value\r\n\
             agent123,call456,\"{\r\n\"\"a\"\": 1}\",x\r\n\
             agent123,call457,,y\r\n\
             agent123,call458,,5\r\n");
        assert_eq!(lines(&errors), [Some(2), Some(4)], "{errors:?}");
        assert_eq!(rows[0].line, 5);
        // Blank lines, LF and CRLF: rows, errors and the queue's entries all count them.
        for eol in ["\n", "\r\n"] {
            let text = format!(
                "agent_id,target,outcome,value{eol}{eol}agent123,call456,Sold,a{eol}{eol}{eol}\
                 agent123,call457,Sold,5{eol}agent123,call458,Sold,4,extra{eol}"
            );
            let (rows, errors) = csv(&text);
            assert_eq!(lines(&errors), [Some(3), Some(7)], "{eol:?} {errors:?}");
            assert_eq!(rows[0].line, 6, "{eol:?}");
            let (entries, _) = entries("q.csv", text.as_bytes(), &ColumnMap::default());
            let at: Vec<usize> = entries.iter().map(|e| e.line).collect();
            // Line 7 (a cell too many) is listed too, with its problem.
            assert_eq!(at, [3, 6, 7], "{eol:?}");
        }
    }

    #[test]
    fn a_header_with_a_trailing_comma_reads_and_an_unnamed_column_in_use_is_refused() {
        let (rows, errors) = csv("agent_id,target,outcome,value,\n\
             agent123,call456,Sold,5,\n\
             agent123,call457,Sold,6\n\
             agent123,call458,Sold,7, \n");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows.len(), 3);
        let (_, errors) = csv("agent_id,target,,outcome\n\
             agent123,call456,,Sold\n\
             agent123,call457,oops,Sold\n");
        assert_eq!(errors.len(), 1, "{errors:?}");
        let m = &errors[0].message;
        assert_eq!(errors[0].line, None, "{errors:?}");
        assert!(m.contains("column 3 no name"), "{m}");
        assert!(m.contains("line 3 has something in it (oops)"), "{m}");
        assert!(m.contains("name the column in the first line"), "{m}");
    }

    #[test]
    fn semicolon_and_tab_separated_files_are_read_by_their_separator() {
        for sep in [";", "\t"] {
            let text = format!(
                "agent_id{sep}target{sep}outcome{sep}value\nagent123{sep}call456{sep}Sold{sep}5\n"
            );
            let (rows, errors) = csv(&text);
            assert!(errors.is_empty(), "{sep:?} {errors:?}");
            assert_eq!(rows[0].update.outcome.as_deref(), Some("Sold"));
        }
        let columns = map(&["Agent=agent_id", "Call=target"]).unwrap();
        let (rows, errors) = parse_with(
            "crm.csv",
            b"Agent;Call;outcome\nagent123;call456;Sold, later\n",
            &columns,
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows[0].update.target.as_str(), "call456");
        assert_eq!(rows[0].update.outcome.as_deref(), Some("Sold, later"));
        // An unknown column is named on its own, not the whole header line.
        let (_, errors) = csv("agent_id;target;outcome;notes\nagent123;call456;Sold;x\n");
        assert!(
            errors[0].message.starts_with("unknown column notes:"),
            "{errors:?}"
        );
        // A comma header stays a comma file, whatever its cells hold.
        let (rows, errors) = csv("agent_id,target,outcome\nagent123,call456,Sold; later\n");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows[0].update.outcome.as_deref(), Some("Sold; later"));
        let (_, errors) = csv("agent_id;target;outcome\nagent123;call456\n");
        assert!(
            errors[0].message.contains("missing or extra semicolon"),
            "{errors:?}"
        );
    }

    /// The workbench's queue has no look-up: a row asking for a pin is listed with why it
    /// cannot go from there, never sent by phone unpinned.
    #[test]
    fn the_queue_refuses_a_pinned_row_rather_than_send_it_unpinned() {
        let (entries, errors) = entries(
            "f.csv",
            b"agent_id,phone,outcome,pin\nagent123,+14155551234,Sold,yes\nagent123,+14155551234,Sold,\n",
            &ColumnMap::default(),
        );
        assert!(errors.is_empty(), "{errors:?}");
        let problems = entries[0].checked.as_ref().unwrap_err();
        assert_eq!(problems[0].line, Some(2));
        assert_eq!(problems[0].column.as_deref(), Some("pin"));
        assert!(
            problems[0].message.contains("`phonely-outcomes batch`"),
            "{problems:?}"
        );
        assert!(entries[1].checked.is_ok());
    }

    #[test]
    fn unknown_column_suggestions_name_only_fields_the_file_lacks() {
        let (_, errors) = csv("agent_id,target,outcome,notes\nagent123,call456,Sold,x\n");
        let m = &errors[0].message;
        assert!(
            m.starts_with("unknown column notes: the columns are agent_id"),
            "{m}"
        );
        assert!(!m.contains("notes=agent_id"), "{m}");
        assert!(
            m.contains(
                "(preference, value, metadata or pin), map it with --column \"notes=FIELD\""
            ),
            "{m}"
        );
        assert!(m.contains("otherwise remove the column"), "{m}");
        let (_, errors) = csv(
            "agent_id,phone,preference,outcome,value,metadata,pin,notes,extra\n\
             agent123,+14155551234,last,Sold,5,,,x,y\n",
        );
        let m = &errors[0].message;
        assert!(m.starts_with("unknown columns notes, extra:"), "{m}");
        assert!(
            m.contains("every field already has a column in this file: remove them"),
            "{m}"
        );
    }

    #[test]
    fn header_names_are_read_whatever_their_capitals_and_spaces() {
        let (rows, errors) = csv("Agent_ID, Target ,OUTCOME\nagent123,call456,Sold\n");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows[0].update.target.as_str(), "call456");
        // Errors name the column as the file writes it.
        let (_, errors) = csv("Agent_ID,target,outcome\n,call456,Sold\n");
        assert!(
            errors[0]
                .to_string()
                .starts_with("line 2, column Agent_ID: Agent is required"),
            "{errors:?}"
        );
        let (_, errors) = csv("agent_id,target,AGENT_ID ,outcome\na,call456,b,Sold\n");
        assert!(
            errors[0]
                .message
                .contains("columns agent_id and AGENT_ID are the same column"),
            "{errors:?}"
        );
        let (rows, errors) = parse(
            "x.jsonl",
            br#"{"Agent_ID":"agent123","Target":"call456","outcome":"Sold"}"#,
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows[0].update.agent.as_str(), "agent123");
    }

    #[test]
    fn rows_of_empty_cells_are_skipped_like_blank_lines() {
        let (rows, errors) = csv("agent_id,target,outcome\n\
             agent123,call456,Sold\n\
             ,,\n \
             , ,\t\n\
             agent123,call457,Sold\n");
        assert!(errors.is_empty(), "{errors:?}");
        let at: Vec<usize> = rows.iter().map(|r| r.line).collect();
        assert_eq!(at, [2, 5]);
        let (_, errors) = csv("agent_id,target,outcome\n,,\n");
        assert!(
            errors[0].message.contains("a header but no rows"),
            "{errors:?}"
        );
    }

    #[test]
    fn cells_are_trimmed_and_a_preference_is_read_in_any_case() {
        let text = "agent_id,phone,call_id,preference,outcome,value\n \
             agent123 ,+14155551234 ,, LAST ,Sold,  \n\
             agent123,+14155551234,,First,Sold ,5\n\
             agent123,,call456 ,,Sold,\n";
        let (rows, errors) = csv(text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows[0].update.agent.as_str(), "agent123");
        assert_eq!(
            rows[0].update.target.preference(),
            Some(crate::api::update::Preference::Last)
        );
        assert_eq!(rows[0].update.value, None);
        assert_eq!(
            rows[1].update.target.preference(),
            Some(crate::api::update::Preference::First)
        );
        assert_eq!(rows[1].update.outcome.as_deref(), Some("Sold"));
        assert_eq!(rows[2].update.target.as_str(), "call456");
        // The queue gets the cells as they will be read.
        let (entries, _) = entries("q.csv", text.as_bytes(), &ColumnMap::default());
        assert_eq!(entries[1].cell("preference"), "first");
        assert_eq!(entries[2].target(), "call456");
    }

    #[test]
    fn a_key_twice_on_a_json_line_is_an_error_naming_line_and_key() {
        let (rows, errors) = parse(
            "fixes.jsonl",
            br#"{"agent_id":"agent123","target":"call456","outcome":"Sold"}
{"agent_id":"agent123","target":"call457","outcome":"Sold","outcome":"No Sale"}
"#,
        );
        assert_eq!(rows.len(), 1);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].line, Some(2));
        assert!(
            errors[0].to_string().starts_with(
                "line 2, column outcome: \"outcome\" appears twice on this line (Sold, then \
                 No Sale)"
            ),
            "{errors:?}"
        );
    }

    #[test]
    fn an_unclosed_quote_says_where_it_opened() {
        // The quote swallows the rest of the file: fewer cells than the header.
        let (_, errors) = csv("agent_id,target,outcome\n\
             agent123,\"call456,Sold\n\
             agent123,call457,Sold\n");
        assert_eq!(errors.len(), 1, "{errors:?}");
        let shown = errors[0].to_string();
        assert!(
            shown.starts_with(
                "line 2, column target: this cell runs over several lines: a \" quote is \
                 probably not closed"
            ),
            "{shown}"
        );
        assert!(
            shown.contains("the quote opened on line 2 (before call456,Sold) is not closed"),
            "{shown}"
        );
        // After a cell that rightly runs over two lines, the quote opens on the row's third.
        let (_, errors) = csv("agent_id,target,metadata,outcome\n\
             agent123,call456,\"{\n}\",\"Sold\n\
             agent123,call457,,Sold\n");
        let shown = errors[0].to_string();
        assert!(
            shown.starts_with("line 2, column outcome: this cell runs over several lines"),
            "{shown}"
        );
        assert!(
            shown.contains("the quote opened on line 3 (before Sold)"),
            "{shown}"
        );
    }

    #[test]
    fn a_value_that_lenient_reads_says_what_lenient_would_send() {
        let text = "agent_id,target,value\nagent123,call456,\"$1,299.00\"\nagent123,call456,abc\n";
        let (_, errors) = csv(text);
        assert!(
            errors[0]
                .message
                .ends_with("(got $1,299.00); with --lenient it is sent as 1299.0"),
            "{errors:?}"
        );
        assert!(!errors[1].message.contains("--lenient"), "{errors:?}");
        let lenient = ColumnMap::default().with_rules(Rules {
            lenient_value: true,
            ..Rules::default()
        });
        let (rows, errors) = parse_with("x.csv", text.as_bytes(), &lenient);
        assert_eq!(rows[0].update.value.as_ref().unwrap().to_string(), "1299.0");
        assert!(!errors[0].message.contains("--lenient"), "{errors:?}");
    }
}
