//! The columns of a batch file: the names it may use (`COLUMNS`), `--column NAME=field`
//! (`ColumnMap`) and the check of a header against them.

use super::RowError;
use super::file;
use super::rows::file_error;
use crate::api::update::{Field, Rules};

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
    "pin",
];

/// The form's field a column fills, by the column's own name (one of [`COLUMNS`]).
pub(super) fn field_of(column: &str) -> Option<Field> {
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
pub(super) const TARGETS: [&str; 3] = ["target", "call_id", "phone"];

/// `--column NAME=field` flags: the file's column NAME holds `field` (one of [`COLUMNS`]).
/// Columns not mapped keep their own name, which must then be one of [`COLUMNS`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnMap {
    /// `(column in the file, field)`, in the order given.
    pub(super) pairs: Vec<(String, &'static str)>,
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
    pub(super) fn field(&self, column: &str) -> Option<&'static str> {
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

/// The field each column holds, or the problem: columns that hold no field (named, with the
/// way to map them), a name given twice, two columns holding one field.
pub(super) fn check_columns(
    headers: &[String],
    columns: &ColumnMap,
) -> Result<Vec<&'static str>, RowError> {
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
pub(super) fn names_of(names: &[&str]) -> String {
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
pub(super) fn named(mut e: RowError, names: &[(&'static str, String)]) -> RowError {
    if let Some(field) = &e.column
        && let Some((_, name)) = names.iter().find(|(f, _)| f == field)
    {
        e.column = Some(name.trim().to_string());
    }
    e
}
