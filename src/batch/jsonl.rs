//! JSON Lines batch files: one object a line, its members read in the order written.

use std::fmt;

use crate::api::phone::shorten;

use super::columns::{ColumnMap, check_columns};
use super::rows::{Cells, Record, Row, RowError, cell, check, file_error, line_error};

/// A JSON object's members in the order written, a key given twice kept twice (a map would
/// keep only the last), each value as its text: a number or an object reaches the checks as
/// written (read into a `Value` first, `1e-400` became `0.0` and a key twice in the metadata
/// one key).
pub(super) struct Members(Vec<(String, Box<serde_json::value::RawValue>)>);

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
pub(super) fn json_text(value: &serde_json::value::RawValue) -> Option<String> {
    match value.get() {
        "null" => None,
        text if text.starts_with('"') => serde_json::from_str::<String>(text).ok(),
        // Metadata is an object; a value may be a number: keep their JSON text.
        text => Some(text.to_string()),
    }
}

pub(super) fn parse_jsonl(
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
