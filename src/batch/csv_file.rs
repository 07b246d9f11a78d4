//! CSV batch files (RFC 4180; separated by commas, or by semicolons or tabs told from the
//! header): records to `Row`s with each problem's line (from the record's byte offset) and
//! column.

use std::rc::Rc;

use super::columns::{COLUMNS, ColumnMap, check_columns, names_of};
use super::rows::{Cells, Record, Row, RowError, cell, check, file_error, line_error};

/// Line breaks in `bytes`.
#[allow(clippy::naive_bytecount)] // a file read once; no crate needed for this
pub(super) fn bytecount_lines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| **b == b'\n').count()
}

/// Line numbers of CSV records from their byte offsets (the csv crate's own line count is off
/// after a `\r\n` and after blank lines), counted on from the offset asked about last, as
/// records come in order.
pub(super) struct Lines<'a> {
    bytes: &'a [u8],
    at: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            bytes: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    /// The line a record starts on. The csv crate's offset is where it started reading: at
    /// the line break that ended the record before, or at blank lines it skipped.
    fn of(&mut self, position: Option<&csv::Position>) -> usize {
        let Some(position) = position else {
            return self.line;
        };
        let mut start = usize::try_from(position.byte())
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        while matches!(self.bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        if start < self.at {
            (self.at, self.line) = (0, 1);
        }
        self.line += bytecount_lines(&self.bytes[self.at..start]);
        self.at = start;
        self.line
    }
}

/// The separator of a CSV file: a comma, unless the header line has none but has semicolons
/// (or tabs) between names that are columns (or mapped with `--column`).
pub(super) fn separator(text: &str, columns: &ColumnMap) -> u8 {
    let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if header.contains(',') {
        return b',';
    }
    let known = |sep: char| {
        header
            .split(sep)
            .filter(|name| columns.field(name.trim().trim_matches('"')).is_some())
            .count()
    };
    [b';', b'\t']
        .into_iter()
        .filter(|s| header.contains(char::from(*s)))
        .map(|s| (known(char::from(s)), s))
        .filter(|(n, _)| *n > 0)
        .max_by_key(|(n, _)| *n)
        .map_or(b',', |(_, s)| s)
}

pub(super) fn separator_name(separator: u8) -> &'static str {
    match separator {
        b';' => "semicolon",
        b'\t' => "tab",
        _ => "comma",
    }
}

pub(super) fn parse_csv(
    text: &str,
    columns: &ColumnMap,
    seen: &mut dyn FnMut(&Record),
) -> (Vec<Row>, Vec<RowError>) {
    let separator = separator(text, columns);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .delimiter(separator)
        .from_reader(text.as_bytes());
    let mut lines = Lines::new(text);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_string()).collect(),
        Err(e) => return (Vec::new(), vec![csv_error(&e, &mut lines)]),
    };
    if headers.iter().all(String::is_empty) {
        return (
            Vec::new(),
            vec![file_error(format!(
                "the file is empty: the first line must name the columns, e.g. {}",
                "agent_id,target,outcome,value"
            ))],
        );
    }
    // Columns with no name (a header ending in a comma) are left out while they stay empty.
    let given: Vec<String> = headers.iter().filter(|h| !h.is_empty()).cloned().collect();
    if let Some((name, field)) = columns
        .pairs
        .iter()
        .find(|(n, _)| !given.iter().any(|h| h == n))
    {
        return (
            Vec::new(),
            vec![file_error(format!(
                "--column {name}={field}: the file has no column {name:?}; its columns are {}",
                names_of(&given.iter().map(String::as_str).collect::<Vec<_>>())
            ))],
        );
    }
    let fields = match check_columns(&given, columns) {
        Ok(f) => f,
        Err(e) => return (Vec::new(), vec![e]),
    };
    let names: Rc<[(&'static str, String)]> = fields.iter().copied().zip(given).collect();
    // The field of each of the header's columns, None for a column with no name.
    let mut by_index: Vec<Option<&'static str>> = Vec::with_capacity(headers.len());
    let mut next = fields.iter().copied();
    for h in &headers {
        by_index.push(if h.is_empty() { None } else { next.next() });
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    // The first cell with something in it under a column with no name: (column, line, text).
    let mut unnamed_used: Option<(usize, usize, String)> = None;
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(csv_error(&e, &mut lines));
                continue;
            }
        };
        let line = lines.of(record.position());
        // A row of empty cells (`,,,`) is skipped like a blank line.
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        // Cells missing at the end are fine when their columns have no name.
        let short_of_unnamed =
            record.len() < headers.len() && headers[record.len()..].iter().all(String::is_empty);
        if record.len() != headers.len() && !short_of_unnamed {
            errors.push(ragged(&record, line, &headers, &by_index, separator));
            continue;
        }
        let mut cells = Cells::new();
        let mut unclosed = None;
        for (i, raw) in record.iter().enumerate() {
            match by_index[i] {
                None => {
                    if unnamed_used.is_none() && !raw.trim().is_empty() {
                        unnamed_used = Some((i + 1, line, raw.trim().to_string()));
                    }
                }
                Some(field) => {
                    if unclosed.is_none() && field != "metadata" && raw.contains('\n') {
                        unclosed = Some((field, opens_on(&record, line, i)));
                    }
                    if let Some(value) = cell(field, raw) {
                        cells.push((field.to_string(), value));
                    }
                }
            }
        }
        let record = Record {
            line,
            cells,
            names: Rc::clone(&names),
            unclosed,
        };
        seen(&record);
        match check(&record, columns.rules) {
            Ok(r) => rows.push(r),
            Err(e) => errors.extend(e),
        }
    }
    if let Some((column, line, text)) = unnamed_used {
        errors.insert(
            0,
            file_error(format!(
                "the header gives column {column} no name (an extra {} in the first line?), \
                 but line {line} has something in it ({}): name the column in the first line \
                 (one of {}, or any name mapped with --column NAME=FIELD), or remove the column",
                separator_name(separator),
                crate::api::client::one_line(&text, 40),
                COLUMNS.join(", ")
            )),
        );
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(file_error("the file has a header but no rows"));
    }
    (rows, errors)
}

/// A row with more or fewer cells than the header: a quote never closed when a cell swallowed
/// line breaks (and with them the rows after it), a stray or missing separator otherwise.
pub(super) fn ragged(
    record: &csv::StringRecord,
    line: usize,
    headers: &[String],
    by_index: &[Option<&'static str>],
    separator: u8,
) -> RowError {
    let field = |i: usize| by_index.get(i).copied().flatten();
    let multi_line = |i: &usize| record[*i].contains('\n');
    let swallowed = (0..record.len())
        .filter(multi_line)
        .find(|i| field(*i) != Some("metadata"))
        .or_else(|| {
            (record.len() < headers.len())
                .then(|| (0..record.len()).rev().find(multi_line))
                .flatten()
        });
    if let Some(i) = swallowed {
        let column = headers.get(i).filter(|h| !h.is_empty()).map(String::as_str);
        return line_error(
            line,
            column,
            unclosed_quote(opens_on(record, line, i), &record[i]),
        );
    }
    let sep = separator_name(separator);
    line_error(
        line,
        None,
        format!(
            "this row has {} cells but the header has {}: check for a missing or extra {sep}, \
             or a {sep} inside a value that is not in \"double quotes\"",
            record.len(),
            headers.len()
        ),
    )
}

/// The line cell `i` of a record starting on `line` begins on: any line break inside a record
/// is inside a quoted cell before it.
pub(super) fn opens_on(record: &csv::StringRecord, line: usize, i: usize) -> usize {
    line + record
        .iter()
        .take(i)
        .map(|cell| bytecount_lines(cell.as_bytes()))
        .sum::<usize>()
}

/// What to say about a cell that runs over several lines from the quote that opens it.
pub(super) fn unclosed_quote(opened: usize, cell: &str) -> String {
    let start = cell.trim_start().lines().next().unwrap_or("");
    format!(
        "this cell runs over several lines: a \" quote is probably not closed, so the rows after \
         it were read into this cell; the quote opened on line {opened} (before {}) is not \
         closed on that line: add the closing \" there, or remove the opening one",
        crate::api::client::one_line(start, 30)
    )
}

pub(super) fn csv_error(e: &csv::Error, lines: &mut Lines<'_>) -> RowError {
    let line = e.position().map(|p| lines.of(Some(p)));
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!(
            "this row has {len} cells but the header has {expected_len}: check for a missing \
             or extra comma, or a comma inside a value that is not in \"double quotes\""
        ),
        csv::ErrorKind::Utf8 { .. } => "this row is not UTF-8 text".to_string(),
        other => format!("the CSV cannot be read here ({other:?}): check the quoting"),
    };
    RowError {
        line,
        column: None,
        field: None,
        message,
    }
}
