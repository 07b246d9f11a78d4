//! What to look for in the history, as plain data: a `Filter` parsed from what a person types
//! (`parse_query`) or built from the CLI's flags, and `matches` for one record in memory. The
//! SQL for it is `history/search.rs`.

use super::outcome::State;
use super::phone::{E164, Region};
use super::record::Record;

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
    /// A call id: matches the target of a call-id update, the call a phone update resolved to,
    /// or the call it was pinned to (`pinned_call`: found while still pending, too).
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
    /// `profile:NAME`, `value:N` and `call:ID` (exactly that call: sent to its ID, or to a phone
    /// the server resolved to it; the team log finds it through its indexes). A phone is read as the form reads it, whole or in part
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
                        crate::phone::shorten(value)
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
            } else if let Some(call) = token.strip_prefix("call:") {
                if call.is_empty() {
                    return Err("call: takes a call ID, e.g. call:call456".to_string());
                }
                filter.call = Some(call.to_string());
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
                    || r.pinned_call.as_deref() == Some(c)
            })
            && self.since_ms.is_none_or(|s| r.created_ms >= s)
            && self.until_ms.is_none_or(|u| r.created_ms < u)
            && self.batch.is_none_or(|b| r.batch_id == Some(b))
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
    crate::update::parse_value(text)
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
    if run.len() == 1 && is_number(run[0]) && !crate::phone::reads_as_phone(run[0], region) {
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

#[cfg(test)]
mod call_token_tests {
    use super::*;

    #[test]
    fn call_token_is_an_exact_call() {
        let f = Filter::parse_query("call:call456 sold").unwrap();
        assert_eq!(f.call.as_deref(), Some("call456"));
        assert_eq!(f.words, ["sold"]);
        let e = Filter::parse_query("call:").unwrap_err();
        assert!(e.contains("call: takes a call ID"), "{e}");
    }
}
