//! A batch file's rows: a readable row's cells (`Record`), one checked through the form's
//! validation (`Row`, or every `RowError`), and a row as the queue shows it (`Entry`).

use std::fmt;
use std::rc::Rc;

use super::columns::{TARGETS, field_of, named};
use super::csv_file::unclosed_quote;
use crate::api::phone::looks_like_national_phone;
use crate::api::update::{
    CallId, Field, OutcomeUpdate, Rules, Target, TargetKind, UpdateInput, parse_value_lenient,
    validate,
};

/// One valid row: where it came from and what it sends.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// 1-based line in the file where the row starts.
    pub line: usize,
    pub update: OutcomeUpdate,
    /// Which column named the call: `Either` for `target`, read by its look (short digits
    /// are a call ID, see `api::notes`).
    pub kind: TargetKind,
    /// The row's `pin` column (or `batch --pin` for a phone row): look the number's calls up
    /// and send to the one `first`/`last` picks, by its ID.
    pub pin: bool,
    /// The call the look-up picked (set before sending): the request goes to it, with no
    /// preference, and the history keeps it beside the phone typed.
    pub pinned: Option<CallId>,
}

impl Row {
    /// What is sent: the update itself, or the update addressed to its pinned call.
    pub fn sent(&self) -> std::borrow::Cow<'_, OutcomeUpdate> {
        match &self.pinned {
            Some(call) => std::borrow::Cow::Owned(OutcomeUpdate {
                target: Target::CallId(call.clone()),
                ..self.update.clone()
            }),
            None => std::borrow::Cow::Borrowed(&self.update),
        }
    }
}

/// A `pin` cell: true/false, yes/no, 1/0 (any capitals); empty is off.
pub(super) fn read_pin(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" | "false" | "no" | "0" => Ok(false),
        "true" | "yes" | "1" => Ok(true),
        _ => Err(format!(
            "pin must be true or false (or yes/no, 1/0; empty is false), got {}",
            crate::api::client::one_line(text, 40)
        )),
    }
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

pub(super) fn file_error(message: impl Into<String>) -> RowError {
    RowError {
        line: None,
        column: None,
        field: None,
        message: message.into(),
    }
}

pub(super) fn line_error(line: usize, column: Option<&str>, message: String) -> RowError {
    RowError {
        line: Some(line),
        column: column.map(str::to_string),
        field: column.and_then(field_of),
        message,
    }
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

/// One readable row before its checks.
#[derive(Clone, Debug)]
pub(super) struct Record {
    /// 1-based line where the row starts.
    pub(super) line: usize,
    pub(super) cells: Cells,
    /// The file's own name for each field it has (a mapped column, or `Agent_ID` for
    /// agent_id), so that errors name the column as the file writes it.
    pub(super) names: Rc<[(&'static str, String)]>,
    /// A cell (not metadata) that runs over several lines, and the line its opening quote is
    /// on: a quote that was probably never closed (CSV only).
    pub(super) unclosed: Option<(&'static str, usize)>,
}

/// The cells of one row by field name; empty cells are left out (not sent).
pub type Cells = Vec<(String, String)>;

/// A cell as it is read: surrounding spaces trimmed, nothing when that leaves it empty, and a
/// preference in small letters (`LAST`, `First`).
pub(super) fn cell(field: &str, raw: &str) -> Option<String> {
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

/// One row through the form's validation, its errors named by the file's columns.
pub(super) fn check(record: &Record, rules: Rules) -> Result<Row, Vec<RowError>> {
    row(record, rules).map_err(|errors| {
        errors
            .into_iter()
            .map(|e| named(e, &record.names))
            .collect()
    })
}

/// One row's cells through the form's validation; errors name the field's column.
pub(super) fn row(record: &Record, rules: Rules) -> Result<Row, Vec<RowError>> {
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
    let pin = match read_pin(get("pin").unwrap_or("")) {
        Ok(pin) => pin,
        Err(message) => {
            errors.push(err("pin", message));
            false
        }
    };
    let checked = validate(&input);
    if pin
        && let Ok(update) = &checked
        && let Target::CallId(id) = &update.target
    {
        errors.push(err(
            "pin",
            format!(
                "pin needs a phone number, and {} is a call ID (already one call): leave pin \
                 empty on this row, or give the phone number",
                crate::api::client::one_line(id.as_str(), 40)
            ),
        ));
    }
    match checked {
        Ok(update) if errors.is_empty() => Ok(Row {
            line,
            update,
            kind: input.kind,
            pin,
            pinned: None,
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
