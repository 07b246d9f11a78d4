//! Finding updates: a `Filter` (free text, states, profile, exact business keys, a time range)
//! turned into one SQL query that walks newest first and stops at the page size. Free text of
//! three characters or more goes through the trigram full-text index, so a rare word in a
//! million rows is found without reading them all.

use rusqlite::types::Value;

use super::{COLUMNS, Record};
use crate::api::client::State;
use crate::api::phone::{E164, Region};

/// What to look for. Everything given must match (AND); an empty filter matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Words that must each appear (case-insensitive substring) in the agent, target, resolved
    /// call id, outcome or metadata.
    pub words: Vec<String>,
    /// Any of these states (empty: any state).
    pub states: Vec<State>,
    pub profile: Option<String>,
    pub agent: Option<String>,
    pub target: Option<String>,
    /// A call id: matches the target of a call-id update or the call a phone update resolved to.
    pub call: Option<String>,
    /// Outcome label, case ignored (ASCII, as SQLite's NOCASE).
    pub outcome: Option<String>,
    /// Numbers typed alone in the pane (`499`): each must be the value or appear in the text.
    pub numbers: Vec<String>,
    /// The value, compared as a number (`499` finds 499 and 499.0): `value:N`, `--value N`.
    pub value: Option<String>,
    /// Digits the target must contain: a phone typed in part (`--target 555-1234`).
    pub target_digits: Option<String>,
    /// Created at or after (ms since the epoch).
    pub since_ms: Option<i64>,
    /// Created before (ms since the epoch).
    pub until_ms: Option<i64>,
    /// Rows of this batch.
    pub batch: Option<i64>,
}

/// The states a person means by "failed": anything that did not surely apply.
pub const FAILED: &[State] = &[
    State::Unconfirmed,
    State::Refused,
    State::NetworkError,
    State::Cancelled,
    State::Unknown,
];

impl Filter {
    /// [`Filter::parse_query_in`] with national numbers read as US ones.
    pub fn parse_query(text: &str) -> Result<Self, String> {
        Self::parse_query_in(text, Region::default())
    }

    /// Parses what a person types in the history pane's filter: words, plus `state:ok`,
    /// `state:failed` (not confirmed, refused, network error, cancelled, unknown),
    /// `state:unknown`…,
    /// `profile:NAME` and `value:N`. A phone is read as the form reads it, whole or in part
    /// (`(415) 555-1234`, `555-1234` find +14155551234); a number typed alone (`499`) finds
    /// that value as well as text that contains it. Unknown `state:` values and a `value:` that
    /// is no number are reported so the person can fix them.
    pub fn parse_query_in(text: &str, region: Region) -> Result<Self, String> {
        let mut filter = Filter::default();
        let tokens: Vec<&str> = text.split_whitespace().collect();
        let mut i = 0;
        while i < tokens.len() {
            let token = tokens[i];
            i += 1;
            if is_phoneish(token) {
                let start = i - 1;
                while i < tokens.len() && is_phoneish(tokens[i]) {
                    i += 1;
                }
                read_numbers(&tokens[start..i], region, &mut filter);
            } else if let Some(value) = token.strip_prefix("value:") {
                filter.value = Some(exact_value(value).ok_or_else(|| {
                    format!(
                        "value: takes a number, e.g. value:499 or value:299.5 (got {})",
                        crate::api::phone::shorten(value)
                    )
                })?);
            } else if let Some(state) = token.strip_prefix("state:") {
                match state {
                    "failed" | "fail" | "failures" => filter.states.extend_from_slice(FAILED),
                    "network" => filter.states.push(State::NetworkError),
                    other => match State::parse(other) {
                        Some(s) => filter.states.push(s),
                        None => {
                            return Err(format!(
                                "Unknown state \"{other}\": use ok, failed, unconfirmed, \
                                 refused, network, cancelled, unknown or pending"
                            ));
                        }
                    },
                }
            } else if let Some(profile) = token.strip_prefix("profile:") {
                filter.profile = Some(profile.to_string());
            } else {
                filter.words.push(token.to_string());
            }
        }
        Ok(filter)
    }

    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    /// The same test as the query, on one record in memory (for rows that arrive while a
    /// filter is shown).
    pub fn matches(&self, r: &Record) -> bool {
        let text = [
            Some(r.agent.as_str()),
            Some(r.target.as_str()),
            r.resolved_call_id.as_deref(),
            r.outcome.as_deref(),
            r.metadata.as_deref(),
        ];
        let words_match = self.words.iter().all(|w| {
            let w = w.to_lowercase();
            text.iter().flatten().any(|t| t.to_lowercase().contains(&w))
        });
        let eq = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        let value = r.value.as_deref().and_then(|v| v.parse::<f64>().ok());
        let is_value = |n: &str| value.is_some() && n.parse::<f64>().ok() == value;
        let numbers_match = self.numbers.iter().all(|n| {
            is_value(n)
                || text
                    .iter()
                    .flatten()
                    .any(|t| t.to_lowercase().contains(n.as_str()))
        });
        words_match
            && numbers_match
            && self.value.as_deref().is_none_or(is_value)
            && self
                .target_digits
                .as_deref()
                .is_none_or(|d| r.target.contains(d))
            && (self.states.is_empty() || self.states.contains(&r.state))
            && eq(&self.profile, &r.profile)
            && eq(&self.agent, &r.agent)
            && eq(&self.target, &r.target)
            && self.outcome.as_deref().is_none_or(|o| {
                r.outcome
                    .as_deref()
                    .is_some_and(|h| h.eq_ignore_ascii_case(o))
            })
            && self.call.as_deref().is_none_or(|c| {
                r.resolved_call_id.as_deref() == Some(c)
                    || (r.target_kind == "call" && r.target == c)
            })
            && self.since_ms.is_none_or(|s| r.created_ms >= s)
            && self.until_ms.is_none_or(|u| r.created_ms < u)
            && self.batch.is_none_or(|b| r.batch_id == Some(b))
    }

    /// The WHERE clause (after `WHERE`), the FTS match expression if any, and the parameters.
    /// Columns are those of `updates` aliased `u`.
    pub(super) fn to_sql(&self, before_id: Option<i64>) -> Query {
        let mut conds: Vec<String> = Vec::new();
        let mut params: Vec<Value> = Vec::new();
        let bind = |v: Value, params: &mut Vec<Value>| {
            params.push(v);
            format!("?{}", params.len())
        };
        let fts = self.words.iter().any(|w| w.chars().count() >= 3);
        if let Some(before) = before_id {
            let p = bind(Value::Integer(before), &mut params);
            // Constrain the table the query walks, so the bound is used, not checked per row.
            let id = if fts { "f.rowid" } else { "u.id" };
            conds.push(format!("{id} < {p}"));
        }
        let mut fts_terms = Vec::new();
        for word in &self.words {
            if word.chars().count() >= 3 {
                // A quoted FTS5 string; the trigram tokenizer makes it a substring match.
                fts_terms.push(format!("\"{}\"", word.replace('"', "\"\"")));
            } else {
                let p = bind(Value::Text(like_pattern(word)), &mut params);
                conds.push(format!(
                    "(u.agent LIKE {p} ESCAPE '\\' OR u.target LIKE {p} ESCAPE '\\' \
                     OR u.resolved_call_id LIKE {p} ESCAPE '\\' OR u.outcome LIKE {p} ESCAPE '\\' \
                     OR u.metadata LIKE {p} ESCAPE '\\')"
                ));
            }
        }
        if !self.states.is_empty() {
            let list: Vec<String> = self
                .states
                .iter()
                .map(|s| bind(Value::Text(s.as_str().to_string()), &mut params))
                .collect();
            conds.push(format!("u.state IN ({})", list.join(", ")));
        }
        for (column, value) in [
            ("profile", &self.profile),
            ("agent", &self.agent),
            ("target", &self.target),
        ] {
            if let Some(v) = value {
                let p = bind(Value::Text(v.clone()), &mut params);
                conds.push(format!("u.{column} = {p}"));
            }
        }
        if let Some(outcome) = &self.outcome {
            let p = bind(Value::Text(outcome.clone()), &mut params);
            conds.push(format!("u.outcome = {p} COLLATE NOCASE"));
        }
        if let Some(digits) = &self.target_digits {
            let p = bind(Value::Text(like_pattern(digits)), &mut params);
            conds.push(format!("u.target LIKE {p} ESCAPE '\\'"));
        }
        if let Some(value) = self.value.as_deref().and_then(|v| v.parse::<f64>().ok()) {
            let p = bind(Value::Real(value), &mut params);
            conds.push(format!("CAST(u.value AS REAL) = {p}"));
        }
        for number in &self.numbers {
            // The value, or the text: through the full-text index (once, as a set) when the
            // number is long enough for its trigrams, else LIKE.
            let v = bind(
                Value::Real(number.parse::<f64>().unwrap_or(f64::NAN)),
                &mut params,
            );
            let text = if number.chars().count() >= 3 {
                let p = bind(Value::Text(format!("\"{number}\"")), &mut params);
                format!("u.id IN (SELECT rowid FROM updates_fts WHERE updates_fts MATCH {p})")
            } else {
                let p = bind(Value::Text(like_pattern(number)), &mut params);
                format!(
                    "u.agent LIKE {p} ESCAPE '\\' OR u.target LIKE {p} ESCAPE '\\' \
                     OR u.resolved_call_id LIKE {p} ESCAPE '\\' OR u.outcome LIKE {p} ESCAPE '\\' \
                     OR u.metadata LIKE {p} ESCAPE '\\'"
                )
            };
            conds.push(format!("(CAST(u.value AS REAL) = {v} OR {text})"));
        }
        if let Some(call) = &self.call {
            let p = bind(Value::Text(call.clone()), &mut params);
            conds.push(format!(
                "(u.resolved_call_id = {p} OR (u.target_kind = 'call' AND u.target = {p}))"
            ));
        }
        if let Some(since) = self.since_ms {
            let p = bind(Value::Integer(since), &mut params);
            conds.push(format!("u.created_ms >= {p}"));
        }
        if let Some(until) = self.until_ms {
            let p = bind(Value::Integer(until), &mut params);
            conds.push(format!("u.created_ms < {p}"));
        }
        if let Some(batch) = self.batch {
            let p = bind(Value::Integer(batch), &mut params);
            conds.push(format!("u.batch_id = {p}"));
        }
        if fts {
            let p = bind(Value::Text(fts_terms.join(" AND ")), &mut params);
            conds.push(format!("f.updates_fts MATCH {p}"));
        }
        Query {
            fts,
            where_clause: if conds.is_empty() {
                "1".to_string()
            } else {
                conds.join(" AND ")
            },
            params,
        }
    }
}

pub(super) struct Query {
    /// Join the full-text table (aliased `f`) and walk it newest first.
    pub fts: bool,
    pub where_clause: String,
    pub params: Vec<Value>,
}

impl Query {
    /// The statement: newest first, at most `limit` rows (-1: all).
    pub fn sql(&self, limit: i64) -> String {
        if self.fts {
            // Walk the full-text index newest first; it stops at the limit.
            format!(
                "SELECT {COLUMNS} FROM updates_fts f CROSS JOIN updates u ON u.id = f.rowid \
                 WHERE {} ORDER BY f.rowid DESC LIMIT {limit}",
                self.where_clause
            )
        } else {
            format!(
                "SELECT {COLUMNS} FROM updates u WHERE {} ORDER BY u.id DESC LIMIT {limit}",
                self.where_clause
            )
        }
    }
}

/// A token of a phone number or a number: digits, with a phone's separators or a `+`.
fn is_phoneish(token: &str) -> bool {
    token.chars().any(|c| c.is_ascii_digit())
        && token
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '(' | ')' | '-' | '.'))
}

/// A plain number: digits, with at most one decimal point between them.
fn is_number(token: &str) -> bool {
    let (whole, fraction) = token.split_once('.').unwrap_or((token, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.chars().all(|c| c.is_ascii_digit())
        && fraction.chars().all(|c| c.is_ascii_digit())
}

/// A number as the value filter compares it, or `None` when it is no number.
fn exact_value(text: &str) -> Option<String> {
    crate::api::update::parse_value(text)
        .ok()
        .flatten()
        .map(|n| n.to_string())
}

/// Tokens of digits in a row: a phone the form would read (its E.164 digits, found in a
/// target whatever the `+`), a phone typed in part (`555-1234`, `(415)`: its digits), or
/// numbers (each the value or text).
fn read_numbers(run: &[&str], region: Region, filter: &mut Filter) {
    let joined = run.join(" ");
    // Plain digits a phone reads as (`4155551234`) are that phone, through the index.
    if run.len() == 1 && is_number(run[0]) && !crate::api::phone::reads_as_phone(run[0], region) {
        filter.numbers.push(run[0].to_string());
    } else if let Ok(phone) = E164::normalise(&joined, region) {
        filter
            .words
            .push(phone.as_str().trim_start_matches('+').to_string());
    } else if run.iter().all(|t| is_number(t)) {
        filter.numbers.extend(run.iter().map(|t| (*t).to_string()));
    } else if run.iter().all(|t| typed_as_phone(t)) {
        filter
            .words
            .push(joined.chars().filter(char::is_ascii_digit).collect());
    } else {
        filter.words.extend(run.iter().map(|t| (*t).to_string()));
    }
}

/// Written as part of a phone: a `+`, brackets, or groups of digits whose last has four
/// (`555-1234`, `415.555`), not a date (`2026-11-25`) or a version.
fn typed_as_phone(token: &str) -> bool {
    if token.contains(['+', '(', ')']) || is_number(token) {
        return true;
    }
    let groups: Vec<&str> = token.split(['-', '.']).collect();
    groups.iter().all(|g| (2..=4).contains(&g.len()))
        && groups
            .last()
            .is_some_and(|g| g.len() == 4 || groups.len() == 2)
}

fn like_pattern(word: &str) -> String {
    let escaped = word
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::phone::Region;
    use crate::api::request::{BaseUrl, build};
    use crate::api::update::{UpdateInput, validate};
    use crate::history::Store;

    #[test]
    fn parses_words_states_and_profile() {
        let f = Filter::parse_query("call456  state:failed profile:prod Sold").unwrap();
        assert_eq!(f.words, ["call456", "Sold"]);
        assert_eq!(f.states, FAILED);
        assert_eq!(f.profile.as_deref(), Some("prod"));
        assert!(Filter::parse_query("").unwrap().is_empty());
        let err = Filter::parse_query("state:broken").unwrap_err();
        assert!(err.contains("Unknown state \"broken\""), "{err}");
    }

    #[test]
    fn short_words_use_like_and_long_words_use_the_index() {
        let q = Filter::parse_query("ab sold").unwrap().to_sql(Some(10));
        assert!(q.fts);
        assert!(q.where_clause.contains("LIKE"));
        assert!(q.where_clause.contains("MATCH"));
        assert!(q.where_clause.starts_with("f.rowid < ?1"));
        let q = Filter::parse_query("ab").unwrap().to_sql(Some(10));
        assert!(!q.fts);
        assert!(q.where_clause.starts_with("u.id < ?1"));
    }

    fn add(store: &Store, target: &str, outcome: &str, value: &str) -> i64 {
        let u = validate(&UpdateInput {
            agent: "agent123",
            target,
            outcome,
            value,
            ..UpdateInput::default()
        })
        .unwrap();
        store
            .insert_pending(
                &crate::history::tests::who(),
                &u,
                &build(&u, &BaseUrl::default()),
            )
            .unwrap()
            .id
    }

    /// The pane's filter reads a phone as the form does (whole or in part, any separators),
    /// and a bare number as a value too; `value:N` is an exact value.
    #[test]
    fn phones_and_values_are_found_as_people_type_them() {
        let store = Store::open_in_memory("s").unwrap();
        let sold = add(&store, "call456", "Sold", "499");
        let phone = add(&store, "+14155551234", "No Sale", "0");
        let other = add(&store, "call1003", "Sold", "1299.5");
        let us = Region::default();
        let search = |q: &str| -> Vec<i64> {
            let f = Filter::parse_query_in(q, us).unwrap();
            store
                .search(&f, None, 10)
                .unwrap()
                .iter()
                .map(|r| r.id)
                .collect()
        };
        for q in [
            "(415) 555-1234",
            "415.555.1234",
            "555-1234",
            "+1 415 555 1234",
            "(415)",
            "4155551234",
        ] {
            assert_eq!(search(q), [phone], "{q}");
        }
        // Digits a phone reads as are that phone, through the full-text index.
        let f = Filter::parse_query_in("4155551234", us).unwrap();
        assert_eq!(f.words, ["14155551234"]);
        assert!(f.numbers.is_empty());
        assert_eq!(search("499"), [sold]);
        assert_eq!(search("value:499"), [sold]);
        assert_eq!(search("value:1299.50"), [other]);
        assert_eq!(
            search("0"),
            [other, phone],
            "the value 0, and text with a 0"
        );
        assert_eq!(search("499 sold"), [sold]);
        assert!(search("value:5").is_empty());
        let e = Filter::parse_query_in("value:abc", us).unwrap_err();
        assert!(e.contains("value:"), "{e}");
        // The command line's exact keys: a phone as typed, an outcome in any case.
        let f = Filter {
            outcome: Some("sold".into()),
            ..Filter::default()
        };
        let found: Vec<i64> = store
            .search(&f, None, 10)
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(found, [other, sold]);
        assert!(
            store
                .search(&f, None, 10)
                .unwrap()
                .iter()
                .all(|r| f.matches(r))
        );
    }

    /// The first page of the unfiltered history walks the primary key newest first and stops
    /// at the page: no scan of the table, no sort.
    #[test]
    fn the_empty_filter_walks_the_key() {
        let store = Store::open_in_memory("s").unwrap();
        let q = Filter::default().to_sql(None);
        let sql = format!("EXPLAIN QUERY PLAN {}", q.sql(100));
        let mut stmt = store.conn.prepare(&sql).unwrap();
        let plan: Vec<String> = stmt
            .query_map(rusqlite::params_from_iter(q.params.iter()), |r| {
                r.get::<_, String>(3)
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let plan = plan.join("\n");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
        assert!(
            (plan.contains("SCAN u") && !plan.contains("USING INDEX"))
                || plan.contains("USING INTEGER PRIMARY KEY"),
            "{plan}"
        );
    }

    #[test]
    fn like_wildcards_are_literal() {
        assert_eq!(like_pattern("5%_\\"), "%5\\%\\_\\\\%");
    }
}
