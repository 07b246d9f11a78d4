//! Finding updates in the team log: the history's [`Filter`] (core: words, states, profile,
//! exact keys, a time range; what the history pane's `/` and `history`'s flags make) plus an
//! operator, as one PostgreSQL query that walks newest first and stops at the page. Pages go on
//! from a [`Cursor`] (the last row's time and UUID), never an OFFSET, so page 500 costs what
//! page 1 does. The local history's SQL for the same filter is `src/history/search.rs`.

use phonely_core::filter::Filter;
use tokio_postgres::types::ToSql;
use uuid::Uuid;

/// Where a page ended: rows are ordered by time then UUID, newest first; the next page starts
/// after this one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub created_ms: i64,
    pub uuid: Uuid,
}

/// The text a filter's words are looked for in (agent, target, resolved call id, outcome,
/// metadata; one line each, so a word never spans two). Migration 5's trigram index is on this
/// very expression, which is how the planner finds it.
pub const TEXT: &str = "(agent || E'\\n' || target || E'\\n' || coalesce(resolved_call_id, '') \
     || E'\\n' || coalesce(outcome, '') || E'\\n' || coalesce(metadata, ''))";

/// The value as a number when it is one (values are JSON number text; anything else in the
/// column is no number rather than an error). As `numeric`, which holds any such text exactly:
/// a `float8` cast failed the whole query on one row of `1e400`.
const VALUE: &str = "(CASE WHEN value ~ '^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]{1,4})?$' \
     THEN value::numeric END)";

/// A query's WHERE clause and its parameters (`$1`…).
pub struct Sql {
    pub where_clause: String,
    pub params: Vec<Box<dyn ToSql + Sync + Send>>,
}

impl Sql {
    pub fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params
            .iter()
            .map(|p| p.as_ref() as &(dyn ToSql + Sync))
            .collect()
    }

    fn bind(&mut self, value: impl ToSql + Sync + Send + 'static) -> String {
        self.params.push(Box::new(value));
        format!("${}", self.params.len())
    }
}

/// The WHERE clause for `filter` (and `operator`), after `after` when paging on. A filter's
/// `batch` is a local number the team log does not have: callers refuse it before asking.
pub fn to_sql(filter: &Filter, operator: Option<&str>, after: Option<Cursor>) -> Sql {
    let mut sql = Sql {
        where_clause: String::new(),
        params: Vec::new(),
    };
    let mut conds: Vec<String> = Vec::new();
    if let Some(c) = after {
        let t = sql.bind(c.created_ms);
        let u = sql.bind(c.uuid);
        // The first half is what the time index walks; the second breaks ties.
        conds.push(format!(
            "created_ms <= {t} AND (created_ms < {t} OR uuid < {u})"
        ));
    }
    if let Some(op) = operator {
        let p = sql.bind(op.to_string());
        conds.push(format!("operator = {p}"));
    }
    for word in &filter.words {
        let p = sql.bind(like_pattern(word));
        conds.push(format!("{TEXT} ILIKE {p}"));
    }
    if !filter.states.is_empty() {
        let states: Vec<String> = filter
            .states
            .iter()
            .map(|s| s.as_str().to_string())
            .collect();
        let p = sql.bind(states);
        conds.push(format!("state = ANY({p})"));
    }
    for (column, value) in [
        ("profile", &filter.profile),
        ("agent", &filter.agent),
        ("target", &filter.target),
    ] {
        if let Some(v) = value {
            let p = sql.bind(v.clone());
            conds.push(format!("{column} = {p}"));
        }
    }
    if let Some(outcome) = &filter.outcome {
        let p = sql.bind(outcome.clone());
        conds.push(format!("lower(outcome) = lower({p})"));
    }
    if let Some(digits) = &filter.target_digits {
        let p = sql.bind(like_pattern(digits));
        conds.push(format!("target LIKE {p}"));
    }
    if let Some(value) = filter.value.as_deref().and_then(|v| v.parse::<f64>().ok()) {
        let p = sql.bind(value);
        conds.push(format!("{VALUE} = ({p}::float8)::numeric"));
    }
    for number in &filter.numbers {
        let v = sql.bind(number.parse::<f64>().unwrap_or(f64::NAN));
        let t = sql.bind(like_pattern(number));
        conds.push(format!(
            "({VALUE} = ({v}::float8)::numeric OR {TEXT} ILIKE {t})"
        ));
    }
    if let Some(call) = &filter.call {
        let p = sql.bind(call.clone());
        conds.push(format!(
            "(resolved_call_id = {p} OR (target_kind = 'call' AND target = {p}))"
        ));
    }
    if let Some(since) = filter.since_ms {
        let p = sql.bind(since);
        conds.push(format!("created_ms >= {p}"));
    }
    if let Some(until) = filter.until_ms {
        let p = sql.bind(until);
        conds.push(format!("created_ms < {p}"));
    }
    sql.where_clause = if conds.is_empty() {
        "true".to_string()
    } else {
        conds.join(" AND ")
    };
    sql
}

/// `%word%` for LIKE, with the word's own `%`, `_` and `\` taken literally.
pub fn like_pattern(word: &str) -> String {
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
    fn every_filter_field_becomes_a_condition_with_its_own_parameter() {
        let f = Filter {
            words: vec!["sold".into()],
            states: vec![phonely_core::outcome::State::Ok],
            profile: Some("prod".into()),
            call: Some("call1".into()),
            since_ms: Some(5),
            ..Filter::default()
        };
        let cursor = Cursor {
            created_ms: 9,
            uuid: Uuid::nil(),
        };
        let sql = to_sql(&f, Some("Ana"), Some(cursor));
        assert_eq!(sql.params.len(), 8, "{}", sql.where_clause);
        assert!(
            sql.where_clause
                .starts_with("created_ms <= $1 AND (created_ms < $1 OR uuid < $2)")
        );
        assert!(sql.where_clause.contains("operator = $3"));
        assert!(sql.where_clause.contains(&format!("{TEXT} ILIKE $4")));
        assert!(sql.where_clause.contains("state = ANY($5)"));
        assert!(sql.where_clause.contains("resolved_call_id = $7"));
        assert_eq!(to_sql(&Filter::default(), None, None).where_clause, "true");
    }

    #[test]
    fn like_wildcards_are_literal() {
        assert_eq!(like_pattern("5%_\\"), "%5\\%\\_\\\\%");
    }
}

#[cfg(test)]
mod index_tests {
    /// The planner uses migration 5's trigram index only for this very expression.
    #[test]
    fn the_trigram_index_is_on_the_text_words_are_looked_for_in() {
        let statements = crate::migrations::MIGRATIONS[4];
        assert!(
            statements[1].contains(&format!("({} gin_trgm_ops)", super::TEXT)),
            "{}",
            statements[1]
        );
    }
}
