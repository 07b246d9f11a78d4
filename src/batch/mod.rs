//! Batch files: CSV (header row, RFC 4180, a leading BOM tolerated; separated by commas, or by
//! semicolons or tabs as some spreadsheets export them) or JSON Lines, one update a row, checked
//! with the same rules as the form before anything is sent. Every bad row is reported with its
//! line, its column and the problem.

pub mod engine;
mod file;
pub mod plan;
mod retry;

use std::fmt;
use std::rc::Rc;

pub use file::{MAX_FILE_BYTES, MAX_LINE_BYTES, ReadError, excerpt, read_file};

use crate::api::phone::{looks_like_national_phone, shorten};
use crate::api::update::{
    Field, OutcomeUpdate, Rules, TargetKind, UpdateInput, parse_value_lenient, validate,
};

/// The columns a file may have.
pub const COLUMNS: &[&str] = &[
    "agent_id",
    "target",
    "call_id",
    "phone",
    "preference",
    "outcome",
    "value",
    "metadata",
];

/// The form's field a column fills, by the column's own name (one of [`COLUMNS`]).
fn field_of(column: &str) -> Option<Field> {
    Some(match column {
        "agent_id" => Field::Agent,
        "target" | "call_id" | "phone" => Field::Target,
        "preference" => Field::Preference,
        "outcome" => Field::Outcome,
        "value" => Field::Value,
        "metadata" => Field::Metadata,
        _ => return None,
    })
}

/// The columns that name the call; a row fills one of them.
const TARGETS: [&str; 3] = ["target", "call_id", "phone"];

/// `--column NAME=field` flags: the file's column NAME holds `field` (one of [`COLUMNS`]).
/// Columns not mapped keep their own name, which must then be one of [`COLUMNS`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnMap {
    /// `(column in the file, field)`, in the order given.
    pairs: Vec<(String, &'static str)>,
    /// How cells are read: the region of national phone numbers, lenient values.
    pub rules: Rules,
}

impl ColumnMap {
    /// Reads `NAME=field` specs (split at the last `=`, so a column name may hold one). Any
    /// mistake is refused with what would be right: a missing `=`, an empty name, a field that
    /// does not exist, a name given twice, two columns onto one field.
    pub fn parse(specs: &[String]) -> Result<Self, String> {
        let mut pairs: Vec<(String, &'static str)> = Vec::new();
        for spec in specs {
            let Some((name, field)) = spec.rsplit_once('=') else {
                return Err(format!(
                    "--column {spec}: write it as NAME=field, the file's column and the field \
                     it holds, e.g. --column \"Phone Number=phone\""
                ));
            };
            let (name, field) = (name.trim(), field.trim());
            if name.is_empty() {
                return Err(format!(
                    "--column {spec}: the column name before = is empty, e.g. --column crm_id=call_id"
                ));
            }
            let Some(field) = COLUMNS.iter().copied().find(|c| *c == field) else {
                return Err(format!(
                    "--column {spec}: {field:?} is not a field; the fields are {}",
                    COLUMNS.join(", ")
                ));
            };
            if let Some((_, before)) = pairs.iter().find(|(n, _)| n == name) {
                return Err(format!(
                    "--column {name} is given twice (={before} and ={field}): a column can hold \
                     one field"
                ));
            }
            if let Some((other, _)) = pairs.iter().find(|(_, f)| *f == field) {
                return Err(format!(
                    "--column {other}={field} and --column {name}={field} both fill {field}: \
                     map one column to each field"
                ));
            }
            pairs.push((name.to_string(), field));
        }
        Ok(Self {
            pairs,
            rules: Rules::default(),
        })
    }

    /// The same columns, with cells read by `rules`.
    #[must_use]
    pub fn with_rules(mut self, rules: Rules) -> Self {
        self.rules = rules;
        self
    }

    /// No mapping and the default reading rules: the file is read as it always was.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty() && self.rules == Rules::default()
    }

    /// The mapping as text with a stable order, e.g. `Phone Number=phone;crm=call_id` (for a
    /// batch's fingerprint: a resume must read the file the same way).
    pub fn canonical(&self) -> String {
        let mut pairs: Vec<String> = self.pairs.iter().map(|(n, f)| format!("{n}={f}")).collect();
        pairs.sort();
        if self.rules.region != Rules::default().region {
            pairs.push(format!("region={}", self.rules.region));
        }
        if self.rules.lenient_value {
            pairs.push("lenient".to_string());
        }
        pairs.join(";")
    }

    /// The field a column of the file holds, if it holds one: a mapped column by its name as
    /// given to `--column`, a field's own column whatever its capitals and surrounding spaces.
    fn field(&self, column: &str) -> Option<&'static str> {
        let column = column.trim();
        match self.pairs.iter().find(|(n, _)| n == column) {
            Some((_, f)) => Some(f),
            None => COLUMNS
                .iter()
                .copied()
                .find(|c| c.eq_ignore_ascii_case(column)),
        }
    }
}

/// One valid row: where it came from and what it sends.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// 1-based line in the file where the row starts.
    pub line: usize,
    pub update: OutcomeUpdate,
    /// Which column named the call: `Either` for `target`, read by its look (short digits
    /// are a call ID, see `api::notes`).
    pub kind: TargetKind,
}

/// A problem with the file or with one row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// 1-based line, when the problem belongs to one.
    pub line: Option<usize>,
    /// The column named in the file, when the problem belongs to one.
    pub column: Option<String>,
    /// The form's field that column fills (whatever the file calls it).
    pub field: Option<Field>,
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.line, &self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}, column {c}: {}", self.message),
            (Some(l), None) => write!(f, "line {l}: {}", self.message),
            (None, Some(c)) => write!(f, "column {c}: {}", self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

fn file_error(message: impl Into<String>) -> RowError {
    RowError {
        line: None,
        column: None,
        field: None,
        message: message.into(),
    }
}

fn line_error(line: usize, column: Option<&str>, message: String) -> RowError {
    RowError {
        line: Some(line),
        column: column.map(str::to_string),
        field: column.and_then(field_of),
        message,
    }
}

/// Reads a whole file: JSON Lines when its name ends in `.jsonl` or `.ndjson`, CSV otherwise.
/// Returns every valid row, and every problem found (not just the first).
pub fn parse(name: &str, bytes: &[u8]) -> (Vec<Row>, Vec<RowError>) {
    parse_with(name, bytes, &ColumnMap::default())
}

/// `parse`, with some of the file's columns mapped to fields (`--column NAME=field`).
pub fn parse_with(name: &str, bytes: &[u8], columns: &ColumnMap) -> (Vec<Row>, Vec<RowError>) {
    read(name, bytes, columns, &mut |_| {})
}

/// One row of a file as the workbench's queue shows it: its cells as they are read (by field
/// name, surrounding spaces trimmed, empty cells left out) and what the form's checks make of
/// them.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub line: usize,
    pub cells: Cells,
    pub checked: Result<OutcomeUpdate, Vec<RowError>>,
}

impl Entry {
    /// The cell for `field`, or "".
    pub fn cell(&self, field: &str) -> &str {
        self.cells
            .iter()
            .find(|(k, _)| k == field)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The call column, whichever of target, call_id and phone the file uses.
    pub fn target(&self) -> &str {
        TARGETS
            .into_iter()
            .map(|f| self.cell(f))
            .find(|v| !v.is_empty())
            .unwrap_or("")
    }
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
            let checked = check(&record, columns.rules).map(|r| r.update);
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

/// One readable row before its checks.
#[derive(Clone, Debug)]
struct Record {
    /// 1-based line where the row starts.
    line: usize,
    cells: Cells,
    /// The file's own name for each field it has (a mapped column, or `Agent_ID` for
    /// agent_id), so that errors name the column as the file writes it.
    names: Rc<[(&'static str, String)]>,
    /// A cell (not metadata) that runs over several lines, and the line its opening quote is
    /// on: a quote that was probably never closed (CSV only).
    unclosed: Option<(&'static str, usize)>,
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

/// Line breaks in `bytes`.
#[allow(clippy::naive_bytecount)] // a file read once; no crate needed for this
fn bytecount_lines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| **b == b'\n').count()
}

/// Line numbers of CSV records from their byte offsets (the csv crate's own line count is off
/// after a `\r\n` and after blank lines), counted on from the offset asked about last, as
/// records come in order.
struct Lines<'a> {
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

/// The cells of one row by field name; empty cells are left out (not sent).
pub type Cells = Vec<(String, String)>;

/// A cell as it is read: surrounding spaces trimmed, nothing when that leaves it empty, and a
/// preference in small letters (`LAST`, `First`).
fn cell(field: &str, raw: &str) -> Option<String> {
    let text = raw.trim();
    if text.is_empty() {
        return None;
    }
    if field == "preference"
        && let Some(p) = ["first", "last"]
            .into_iter()
            .find(|p| p.eq_ignore_ascii_case(text))
    {
        return Some(p.to_string());
    }
    Some(text.to_string())
}

/// The separator of a CSV file: a comma, unless the header line has none but has semicolons
/// (or tabs) between names that are columns (or mapped with `--column`).
fn separator(text: &str, columns: &ColumnMap) -> u8 {
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

fn separator_name(separator: u8) -> &'static str {
    match separator {
        b';' => "semicolon",
        b'\t' => "tab",
        _ => "comma",
    }
}

fn parse_csv(
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
fn ragged(
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
fn opens_on(record: &csv::StringRecord, line: usize, i: usize) -> usize {
    line + record
        .iter()
        .take(i)
        .map(|cell| bytecount_lines(cell.as_bytes()))
        .sum::<usize>()
}

/// What to say about a cell that runs over several lines from the quote that opens it.
fn unclosed_quote(opened: usize, cell: &str) -> String {
    let start = cell.trim_start().lines().next().unwrap_or("");
    format!(
        "this cell runs over several lines: a \" quote is probably not closed, so the rows after \
         it were read into this cell; the quote opened on line {opened} (before {}) is not \
         closed on that line: add the closing \" there, or remove the opening one",
        crate::api::client::one_line(start, 30)
    )
}

fn csv_error(e: &csv::Error, lines: &mut Lines<'_>) -> RowError {
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

/// The field each column holds, or the problem: columns that hold no field (named, with the
/// way to map them), a name given twice, two columns holding one field.
fn check_columns(headers: &[String], columns: &ColumnMap) -> Result<Vec<&'static str>, RowError> {
    let unknown: Vec<&str> = headers
        .iter()
        .map(String::as_str)
        .filter(|h| columns.field(h).is_none())
        .collect();
    if !unknown.is_empty() {
        // Only fields the file does not have yet are worth mapping to (one call column).
        let held: Vec<&str> = headers.iter().filter_map(|h| columns.field(h)).collect();
        let has_call = held.iter().any(|f| TARGETS.contains(f));
        let free: Vec<&str> = COLUMNS
            .iter()
            .copied()
            .filter(|c| !held.contains(c) && (!has_call || !TARGETS.contains(c)))
            .collect();
        let one = unknown.len() == 1;
        let how = match free.split_last() {
            None => format!(
                "every field already has a column in this file: remove {}",
                if one { "the column" } else { "them" }
            ),
            Some((last, rest)) => format!(
                "if {} holds a field this file does not have yet ({}), map it with \
                 --column \"{}=FIELD\"; otherwise remove the column{}",
                if one { "it" } else { "one of them" },
                if rest.is_empty() {
                    (*last).to_string()
                } else {
                    format!("{} or {last}", rest.join(", "))
                },
                crate::api::client::one_line(unknown[0], file::EXCERPT_CHARS),
                if one { "" } else { "s" }
            ),
        };
        return Err(file_error(format!(
            "unknown column{} {}: the columns are {}; {how}",
            if one { "" } else { "s" },
            names_of(&unknown),
            COLUMNS.join(", "),
        )));
    }
    let mut fields: Vec<&'static str> = Vec::with_capacity(headers.len());
    for (i, h) in headers.iter().enumerate() {
        if headers[..i].contains(h) {
            return Err(file_error(format!(
                "column {} appears twice: keep one",
                crate::api::client::one_line(h, file::EXCERPT_CHARS)
            )));
        }
        let field = columns.field(h).unwrap_or_default();
        if let Some(j) = fields.iter().position(|f| *f == field) {
            let earlier = &headers[j];
            let (earlier, h) = (
                crate::api::client::one_line(earlier, file::EXCERPT_CHARS),
                crate::api::client::one_line(h, file::EXCERPT_CHARS),
            );
            return Err(file_error(
                if earlier.trim().eq_ignore_ascii_case(h.trim()) {
                    format!(
                        "columns {earlier} and {} are the same column (capitals and spaces \
                         around a name do not count): keep one",
                        h.trim()
                    )
                } else {
                    format!(
                        "columns {earlier} and {h} both give {field}: keep one, or map one of \
                         them to another field with --column"
                    )
                },
            ));
        }
        fields.push(field);
    }
    Ok(fields)
}

/// Column names for a message: each cut to a short excerpt, at most ten of them.
fn names_of(names: &[&str]) -> String {
    let mut shown: Vec<String> = names
        .iter()
        .take(10)
        .map(|n| crate::api::client::one_line(n, file::EXCERPT_CHARS))
        .collect();
    if names.len() > 10 {
        shown.push(format!("and {} more", names.len() - 10));
    }
    shown.join(", ")
}

/// An error about a field, named by the file's column for it (a mapped column's own name, or
/// the name as the file writes it).
fn named(mut e: RowError, names: &[(&'static str, String)]) -> RowError {
    if let Some(field) = &e.column
        && let Some((_, name)) = names.iter().find(|(f, _)| f == field)
    {
        e.column = Some(name.trim().to_string());
    }
    e
}

/// A JSON object's members in the order written, a key given twice kept twice (a map would
/// keep only the last), each value as its text: a number or an object reaches the checks as
/// written (read into a `Value` first, `1e-400` became `0.0` and a key twice in the metadata
/// one key).
struct Members(Vec<(String, Box<serde_json::value::RawValue>)>);

impl<'de> serde::Deserialize<'de> for Members {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Members;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(member) =
                    map.next_entry::<String, Box<serde_json::value::RawValue>>()?
                {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// A JSON value as a cell's text: strings as they are, numbers and objects as their JSON
/// text, exactly as written.
fn json_text(value: &serde_json::value::RawValue) -> Option<String> {
    match value.get() {
        "null" => None,
        text if text.starts_with('"') => serde_json::from_str::<String>(text).ok(),
        // Metadata is an object; a value may be a number: keep their JSON text.
        text => Some(text.to_string()),
    }
}

fn parse_jsonl(
    text: &str,
    columns: &ColumnMap,
    seen: &mut dyn FnMut(&Record),
) -> (Vec<Row>, Vec<RowError>) {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut used = vec![false; columns.pairs.len()];
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let members = match serde_json::from_str::<Members>(raw) {
            Ok(Members(m)) => m,
            Err(e) if e.classify() == serde_json::error::Category::Data => {
                errors.push(line_error(
                    line,
                    None,
                    "each line must be a JSON object such as \
                     {\"agent_id\": \"agent123\", \"target\": \"call456\", \"outcome\": \"Sold\"}"
                        .to_string(),
                ));
                continue;
            }
            Err(e) => {
                errors.push(line_error(
                    line,
                    None,
                    format!("not valid JSON at column {}: {e}", e.column()),
                ));
                continue;
            }
        };
        if let Some((j, (key, value))) = members
            .iter()
            .enumerate()
            .find(|(j, (k, _))| members[..*j].iter().any(|(earlier, _)| earlier == k))
        {
            let first = members[..j]
                .iter()
                .find(|(k, _)| k == key)
                .and_then(|(_, v)| json_text(v))
                .unwrap_or_else(|| "null".to_string());
            let then = json_text(value).unwrap_or_else(|| "null".to_string());
            errors.push(line_error(
                line,
                Some(key),
                format!(
                    "{key:?} appears twice on this line ({}, then {}): keep the one to send and \
                     remove the other",
                    shorten(&first),
                    shorten(&then)
                ),
            ));
            continue;
        }
        let keys: Vec<String> = members.iter().map(|(k, _)| k.clone()).collect();
        let fields = match check_columns(&keys, columns) {
            Ok(f) => f,
            Err(mut e) => {
                e.line = Some(line);
                errors.push(e);
                continue;
            }
        };
        for (u, (name, _)) in used.iter_mut().zip(&columns.pairs) {
            *u |= keys.contains(name);
        }
        let cells: Cells = fields
            .iter()
            .zip(&members)
            .filter_map(|(field, (_, v))| {
                json_text(v)
                    .and_then(|text| cell(field, &text))
                    .map(|text| ((*field).to_string(), text))
            })
            .collect();
        let record = Record {
            line,
            cells,
            names: fields.into_iter().zip(keys).collect(),
            unclosed: None,
        };
        seen(&record);
        match check(&record, columns.rules) {
            Ok(r) => rows.push(r),
            Err(e) => errors.extend(e),
        }
    }
    if let Some((name, field)) = columns
        .pairs
        .iter()
        .zip(&used)
        .find_map(|(pair, used)| (!used).then_some(pair))
    {
        errors.push(file_error(format!(
            "--column {name}={field}: no line of the file has the key {name:?}"
        )));
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(file_error("the file has no rows"));
    }
    (rows, errors)
}

/// One row through the form's validation, its errors named by the file's columns.
fn check(record: &Record, rules: Rules) -> Result<Row, Vec<RowError>> {
    row(record, rules).map_err(|errors| {
        errors
            .into_iter()
            .map(|e| named(e, &record.names))
            .collect()
    })
}

/// One row's cells through the form's validation; errors name the field's column.
fn row(record: &Record, rules: Rules) -> Result<Row, Vec<RowError>> {
    let (line, cells) = (record.line, &record.cells);
    let get = |name: &str| {
        cells
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let err = |column: &str, message: String| line_error(line, Some(column), message);
    // A line break inside a one-line cell almost always means a quote that was never closed,
    // which swallowed the rows after it: say that, and where the quote opened, not "control
    // character".
    if let Some((field, opened)) = record.unclosed {
        return Err(vec![err(
            field,
            unclosed_quote(opened, get(field).unwrap_or("")),
        )]);
    }
    let targets: Vec<&str> = TARGETS.into_iter().filter(|c| get(c).is_some()).collect();
    if targets.len() > 1 {
        return Err(vec![err(
            targets[1],
            format!(
                "give the call in one column only (this row fills {})",
                targets.join(" and ")
            ),
        )]);
    }
    let target_column = targets.first().copied().unwrap_or("target");
    let target = get(target_column).unwrap_or("");
    let mut errors = Vec::new();
    if target_column == "phone"
        && !target.trim_start().starts_with('+')
        && !looks_like_national_phone(target)
    {
        errors.push(err(
            "phone",
            format!(
                "Phone must be a phone number, e.g. +14155551234, or (415) 555-1234 for a \
                 number in {} (got {}); for a call ID use the call_id column",
                rules.region,
                crate::api::client::one_line(target, 40)
            ),
        ));
    }
    if target_column == "call_id" && target.trim_start().starts_with('+') {
        errors.push(err(
            "call_id",
            format!(
                "{} is a phone number: put it in the phone column",
                crate::api::client::one_line(target, 40)
            ),
        ));
    }
    let input = UpdateInput {
        agent: get("agent_id").unwrap_or(""),
        target,
        preference: get("preference"),
        outcome: get("outcome").unwrap_or(""),
        value: get("value").unwrap_or(""),
        metadata: get("metadata").unwrap_or(""),
        rules,
        kind: match target_column {
            "call_id" => TargetKind::CallId,
            "phone" => TargetKind::Phone,
            _ => TargetKind::Either,
        },
    };
    match validate(&input) {
        Ok(update) if errors.is_empty() => Ok(Row {
            line,
            update,
            kind: input.kind,
        }),
        Ok(_) => Err(errors),
        Err(found) => {
            for e in found {
                let column = match e.field {
                    Field::Agent => "agent_id",
                    Field::Target => target_column,
                    Field::Preference => "preference",
                    Field::Outcome => "outcome",
                    Field::Value => "value",
                    Field::Metadata => "metadata",
                };
                let mut message = e.message;
                // A value pasted from a spreadsheet: say what --lenient would make of it.
                if e.field == Field::Value
                    && !rules.lenient_value
                    && let Ok(Some(n)) = parse_value_lenient(input.value)
                {
                    message = format!("{message}; with --lenient it is sent as {n}");
                }
                if !errors.iter().any(|x| x.column.as_deref() == Some(column)) {
                    errors.push(err(column, message));
                }
            }
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            m.contains("(preference, value or metadata), map it with --column \"notes=FIELD\""),
            "{m}"
        );
        assert!(m.contains("otherwise remove the column"), "{m}");
        let (_, errors) = csv(
            "agent_id,phone,preference,outcome,value,metadata,notes,extra\n\
             agent123,+14155551234,last,Sold,5,,x,y\n",
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
