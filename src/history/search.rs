//! Finding updates: a `Filter` (`api/filter.rs`: free text, states, profile, exact business keys,
//! a time range) turned into one SQL query that walks newest first and stops at the page size. Free text of
//! three characters or more goes through the trigram full-text index, so a rare word in a
//! million rows is found without reading them all.

use rusqlite::types::Value;

use super::COLUMNS;
use crate::api::filter::Filter;

/// The WHERE clause (after `WHERE`), the FTS match expression if any, and the parameters.
/// Columns are those of `updates` aliased `u`.
pub(super) fn to_sql(filter: &Filter, before_id: Option<i64>) -> Query {
    let mut conds: Vec<String> = Vec::new();
    let mut params: Vec<Value> = Vec::new();
    let bind = |v: Value, params: &mut Vec<Value>| {
        params.push(v);
        format!("?{}", params.len())
    };
    let fts = filter.words.iter().any(|w| w.chars().count() >= 3);
    if let Some(before) = before_id {
        let p = bind(Value::Integer(before), &mut params);
        // Constrain the table the query walks, so the bound is used, not checked per row.
        let id = if fts { "f.rowid" } else { "u.id" };
        conds.push(format!("{id} < {p}"));
    }
    let mut fts_terms = Vec::new();
    for word in &filter.words {
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
    if !filter.states.is_empty() {
        let list: Vec<String> = filter
            .states
            .iter()
            .map(|s| bind(Value::Text(s.as_str().to_string()), &mut params))
            .collect();
        conds.push(format!("u.state IN ({})", list.join(", ")));
    }
    for (column, value) in [
        ("profile", &filter.profile),
        ("agent", &filter.agent),
        ("target", &filter.target),
    ] {
        if let Some(v) = value {
            let p = bind(Value::Text(v.clone()), &mut params);
            conds.push(format!("u.{column} = {p}"));
        }
    }
    if let Some(outcome) = &filter.outcome {
        let p = bind(Value::Text(outcome.clone()), &mut params);
        conds.push(format!("u.outcome = {p} COLLATE NOCASE"));
    }
    if let Some(digits) = &filter.target_digits {
        let p = bind(Value::Text(like_pattern(digits)), &mut params);
        conds.push(format!("u.target LIKE {p} ESCAPE '\\'"));
    }
    if let Some(value) = filter.value.as_deref().and_then(|v| v.parse::<f64>().ok()) {
        let p = bind(Value::Real(value), &mut params);
        conds.push(format!("CAST(u.value AS REAL) = {p}"));
    }
    for number in &filter.numbers {
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
    if let Some(call) = &filter.call {
        let p = bind(Value::Text(call.clone()), &mut params);
        conds.push(format!(
            "(u.resolved_call_id = {p} OR (u.target_kind = 'call' AND u.target = {p}) \
             OR u.pinned_call = {p})"
        ));
    }
    if let Some(since) = filter.since_ms {
        let p = bind(Value::Integer(since), &mut params);
        conds.push(format!("u.created_ms >= {p}"));
    }
    if let Some(until) = filter.until_ms {
        let p = bind(Value::Integer(until), &mut params);
        conds.push(format!("u.created_ms < {p}"));
    }
    if let Some(batch) = filter.batch {
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
    use crate::api::filter::FAILED;
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
        let q = to_sql(&Filter::parse_query("ab sold").unwrap(), Some(10));
        assert!(q.fts);
        assert!(q.where_clause.contains("LIKE"));
        assert!(q.where_clause.contains("MATCH"));
        assert!(q.where_clause.starts_with("f.rowid < ?1"));
        let q = to_sql(&Filter::parse_query("ab").unwrap(), Some(10));
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
        let q = to_sql(&Filter::default(), None);
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

    /// `history --call ID` (and Ctrl+F) finds the updates pinned to the call as well as those
    /// that named it or resolved to it, pending ones included, through indexes (no scan);
    /// `Filter::matches` agrees with the query.
    #[test]
    fn a_call_finds_the_updates_pinned_to_it_pending_ones_too() {
        use crate::api::client::State;
        use crate::api::update::{CallId, OutcomeUpdate, Target};
        let store = Store::open_in_memory("s").unwrap();
        let who = crate::history::tests::who();
        let by_phone = validate(&UpdateInput {
            agent: "agent123",
            target: "+14155551234",
            preference: Some("last"),
            outcome: "Sold",
            ..UpdateInput::default()
        })
        .unwrap();
        let to_call = OutcomeUpdate {
            target: Target::CallId(CallId::parse("call-mid-415").unwrap()),
            ..by_phone.clone()
        };
        let request = build(&to_call, &BaseUrl::default());
        let pending = store
            .insert_pending_pinned(&who, &by_phone, &request, "call-mid-415")
            .unwrap();
        let by_id = add(&store, "call-mid-415", "Sold", "");
        let other = store
            .insert_pending_pinned(&who, &by_phone, &request, "call-last-415")
            .unwrap();
        let f = Filter {
            call: Some("call-mid-415".into()),
            ..Filter::default()
        };
        let found = store.search(&f, None, 10).unwrap();
        let mut ids: Vec<i64> = found.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        assert_eq!(ids, [pending.id, by_id]);
        assert_eq!(
            found.iter().find(|r| r.id == pending.id).unwrap().state,
            State::Pending
        );
        assert!(found.iter().all(|r| f.matches(r)));
        assert!(!f.matches(&store.get(other.id).unwrap().unwrap()));
        let q = to_sql(&f, None);
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
        assert!(plan.contains("updates_pinned"), "{plan}");
        assert!(
            !plan.contains("SCAN u\n") && !plan.ends_with("SCAN u"),
            "{plan}"
        );
    }

    #[test]
    fn like_wildcards_are_literal() {
        assert_eq!(like_pattern("5%_\\"), "%5\\%\\_\\\\%");
    }
}
