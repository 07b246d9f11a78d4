//! Batch files: CSV (header row, RFC 4180, a leading BOM tolerated) or JSON Lines, one update a
//! row, checked with the same rules as the form before anything is sent. Every bad row is
//! reported with its line, its column and the problem.

use std::fmt;

use crate::api::phone::looks_like_national_phone;
use crate::api::update::{Field, OutcomeUpdate, Rules, TargetKind, UpdateInput, validate};

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

    /// The field a column of the file holds, if it holds one.
    fn field(&self, column: &str) -> Option<&'static str> {
        match self.pairs.iter().find(|(n, _)| n == column) {
            Some((_, f)) => Some(f),
            None => COLUMNS.iter().copied().find(|c| *c == column),
        }
    }
}

/// One valid row: where it came from and what it sends.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// 1-based line in the file where the row starts.
    pub line: usize,
    pub update: OutcomeUpdate,
}

/// A problem with the file or with one row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// 1-based line, when the problem belongs to one.
    pub line: Option<usize>,
    /// The column named in the file, when the problem belongs to one.
    pub column: Option<String>,
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
        message: message.into(),
    }
}

/// Reads a whole file: JSON Lines when its name ends in `.jsonl` or `.ndjson`, CSV otherwise.
/// Returns every valid row, and every problem found (not just the first).
pub fn parse(name: &str, bytes: &[u8]) -> (Vec<Row>, Vec<RowError>) {
    parse_with(name, bytes, &ColumnMap::default())
}

/// `parse`, with some of the file's columns mapped to fields (`--column NAME=field`).
pub fn parse_with(name: &str, bytes: &[u8], columns: &ColumnMap) -> (Vec<Row>, Vec<RowError>) {
    read(name, bytes, columns, &mut |_, _| {})
}

/// One row of a file as the workbench's queue shows it: its cells as written (by field name,
/// empty cells left out) and what the form's checks make of them.
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
        ["target", "call_id", "phone"]
            .into_iter()
            .map(|f| self.cell(f))
            .find(|v| !v.is_empty())
            .unwrap_or("")
    }
}

/// Every row the file holds, valid or not (for the queue, where bad rows are fixed in the
/// form), and the problems that belong to no readable row (the header, broken quoting).
pub fn entries(name: &str, bytes: &[u8], columns: &ColumnMap) -> (Vec<Entry>, Vec<RowError>) {
    let mut raw: Vec<(usize, Cells)> = Vec::new();
    let (_, errors) = read(name, bytes, columns, &mut |line, cells| {
        raw.push((line, cells.clone()));
    });
    let lines: std::collections::HashSet<usize> = raw.iter().map(|(l, _)| *l).collect();
    let file_errors = errors
        .into_iter()
        .filter(|e| e.line.is_none_or(|l| !lines.contains(&l)))
        .collect();
    let entries = raw
        .into_iter()
        .map(|(line, cells)| {
            let checked = row(line, &cells, columns.rules)
                .map(|r| r.update)
                .map_err(|errs| errs.into_iter().map(|e| named(e, columns)).collect());
            Entry {
                line,
                cells,
                checked,
            }
        })
        .collect();
    (entries, file_errors)
}

/// Reads the file; `seen` gets each readable row's cells before they are checked.
fn read(
    name: &str,
    bytes: &[u8],
    columns: &ColumnMap,
    seen: &mut dyn FnMut(usize, &Cells),
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

/// The cells of one row by field name; empty cells are left out (not sent).
pub type Cells = Vec<(String, String)>;

fn parse_csv(
    text: &str,
    columns: &ColumnMap,
    seen: &mut dyn FnMut(usize, &Cells),
) -> (Vec<Row>, Vec<RowError>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_string()).collect(),
        Err(e) => return (Vec::new(), vec![csv_error(&e)]),
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
    if let Some((name, field)) = columns
        .pairs
        .iter()
        .find(|(n, _)| !headers.iter().any(|h| h == n))
    {
        return (
            Vec::new(),
            vec![file_error(format!(
                "--column {name}={field}: the file has no column {name:?}; its columns are {}",
                headers.join(", ")
            ))],
        );
    }
    let fields = match check_columns(&headers, columns) {
        Ok(f) => f,
        Err(e) => return (Vec::new(), vec![e]),
    };
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        match record {
            Err(e) => errors.push(csv_error(&e)),
            Ok(record) => {
                let line = record
                    .position()
                    .map_or(0, |p| usize::try_from(p.line()).unwrap_or(usize::MAX));
                let cells: Cells = fields
                    .iter()
                    .zip(record.iter())
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(f, v)| ((*f).to_string(), v.to_string()))
                    .collect();
                seen(line, &cells);
                match row(line, &cells, columns.rules) {
                    Ok(r) => rows.push(r),
                    Err(e) => errors.extend(e.into_iter().map(|e| named(e, columns))),
                }
            }
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(file_error("the file has a header but no rows"));
    }
    (rows, errors)
}

fn csv_error(e: &csv::Error) -> RowError {
    let line = e
        .position()
        .map(|p| usize::try_from(p.line()).unwrap_or(usize::MAX));
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
        return Err(file_error(format!(
            "unknown column{} {}: the columns are {}; a column under another name can be \
             mapped to one, e.g. --column \"{}={}\"",
            if unknown.len() == 1 { "" } else { "s" },
            unknown.join(", "),
            COLUMNS.join(", "),
            unknown[0],
            COLUMNS[0]
        )));
    }
    let mut fields: Vec<&'static str> = Vec::with_capacity(headers.len());
    for (i, h) in headers.iter().enumerate() {
        if headers[..i].contains(h) {
            return Err(file_error(format!("column {h} appears twice")));
        }
        let field = columns.field(h).unwrap_or_default();
        if let Some(j) = fields.iter().position(|f| *f == field) {
            return Err(file_error(format!(
                "columns {} and {h} both give {field}: keep one, or map one of them to another \
                 field with --column",
                headers[j]
            )));
        }
        fields.push(field);
    }
    Ok(fields)
}

/// An error about a field, named by the file's column for it (a mapped column's own name).
fn named(mut e: RowError, columns: &ColumnMap) -> RowError {
    if let Some(field) = &e.column
        && let Some((name, _)) = columns.pairs.iter().find(|(_, f)| f == field)
    {
        e.column = Some(name.clone());
    }
    e
}

fn parse_jsonl(
    text: &str,
    columns: &ColumnMap,
    seen: &mut dyn FnMut(usize, &Cells),
) -> (Vec<Row>, Vec<RowError>) {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut used = vec![false; columns.pairs.len()];
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let object = match serde_json::from_str::<serde_json::Value>(raw) {
            Ok(serde_json::Value::Object(o)) => o,
            Ok(_) => {
                errors.push(RowError {
                    line: Some(line),
                    column: None,
                    message: "each line must be a JSON object such as \
                              {\"agent_id\": \"agent123\", \"target\": \"call456\", \"outcome\": \"Sold\"}"
                        .to_string(),
                });
                continue;
            }
            Err(e) => {
                errors.push(RowError {
                    line: Some(line),
                    column: None,
                    message: format!("not valid JSON at column {}: {e}", e.column()),
                });
                continue;
            }
        };
        let keys: Vec<String> = object.keys().cloned().collect();
        let fields = match check_columns(&keys, columns) {
            Ok(f) => f,
            Err(mut e) => {
                e.line = Some(line);
                errors.push(e);
                continue;
            }
        };
        for (u, (name, _)) in used.iter_mut().zip(&columns.pairs) {
            *u |= object.contains_key(name);
        }
        let cells: Cells = fields
            .into_iter()
            .zip(object.into_iter().map(|(_, v)| v))
            .filter_map(|(k, v)| {
                let text = match v {
                    serde_json::Value::Null => return None,
                    serde_json::Value::String(s) => s,
                    // Metadata is an object; a value may be a number: keep their JSON text.
                    other => other.to_string(),
                };
                (!text.is_empty()).then_some((k.to_string(), text))
            })
            .collect();
        seen(line, &cells);
        match row(line, &cells, columns.rules) {
            Ok(r) => rows.push(r),
            Err(e) => errors.extend(e.into_iter().map(|e| named(e, columns))),
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

/// One row's cells through the form's validation; errors name the file's column.
fn row(line: usize, cells: &Cells, rules: Rules) -> Result<Row, Vec<RowError>> {
    let get = |name: &str| {
        cells
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let err = |column: &str, message: String| RowError {
        line: Some(line),
        column: Some(column.to_string()),
        message,
    };
    // A line break inside a one-line cell almost always means a quote that was never closed,
    // which swallowed the rows after it: say that, not "control character".
    if let Some((column, _)) = cells
        .iter()
        .find(|(k, v)| k != "metadata" && v.contains('\n'))
    {
        return Err(vec![err(
            column,
            "this cell runs over several lines: a \" quote is probably not closed, so the \
             rows after it were read into this cell"
                .to_string(),
        )]);
    }
    let targets: Vec<&str> = ["target", "call_id", "phone"]
        .into_iter()
        .filter(|c| get(c).is_some())
        .collect();
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
            format!("{target} is a phone number: put it in the phone column"),
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
        Ok(update) if errors.is_empty() => Ok(Row { line, update }),
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
                if !errors.iter().any(|x| x.column.as_deref() == Some(column)) {
                    errors.push(err(column, e.message));
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
        let csv = "agent_id,phone,outcome\nagent123,+14155551234,Sold\nagent123,12,Sold\n\"bad,x\n";
        let (entries, errors) = entries("f.csv", csv.as_bytes(), &ColumnMap::default());
        assert_eq!(entries.len(), 2);
        assert!(entries[0].checked.is_ok());
        assert_eq!(entries[1].target(), "12");
        assert_eq!(entries[1].cell("outcome"), "Sold");
        let problem = &entries[1].checked.as_ref().unwrap_err()[0];
        assert_eq!(problem.column.as_deref(), Some("phone"));
        // The unreadable last line belongs to no row.
        assert_eq!(errors.len(), 1, "{errors:?}");
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
            errors[0].message.contains("--column \"Notes=agent_id\""),
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
}
