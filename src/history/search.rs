//! Finding updates: a `Filter` (free text, states, profile, exact business keys, a time range)
//! turned into one SQL query that walks newest first and stops at the page size. Free text of
//! three characters or more goes through the trigram full-text index, so a rare word in a
//! million rows is found without reading them all.

use rusqlite::types::Value;

use super::Record;
use crate::api::client::State;

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
    /// Exact outcome label.
    pub outcome: Option<String>,
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
    /// Parses what a person types in the history pane's filter: words, plus `state:ok`,
    /// `state:failed` (not confirmed, refused, network error, cancelled, unknown),
    /// `state:unknown`…, and
    /// `profile:NAME`. Unknown `state:` values are reported so the person can fix them.
    pub fn parse_query(text: &str) -> Result<Self, String> {
        let mut filter = Filter::default();
        for token in text.split_whitespace() {
            if let Some(state) = token.strip_prefix("state:") {
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
        words_match
            && (self.states.is_empty() || self.states.contains(&r.state))
            && eq(&self.profile, &r.profile)
            && eq(&self.agent, &r.agent)
            && eq(&self.target, &r.target)
            && self
                .outcome
                .as_deref()
                .is_none_or(|o| r.outcome.as_deref() == Some(o))
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
            ("outcome", &self.outcome),
        ] {
            if let Some(v) = value {
                let p = bind(Value::Text(v.clone()), &mut params);
                conds.push(format!("u.{column} = {p}"));
            }
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

    #[test]
    fn like_wildcards_are_literal() {
        assert_eq!(like_pattern("5%_\\"), "%5\\%\\_\\\\%");
    }
}
