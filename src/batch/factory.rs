//! Batch rows and their results without a file (and without SQLite), for tests and benches:
//! `row` is the `Row` a file's line would give, `ended` a row's `RowResult` in a given state.

use super::Row;
use super::engine::RowResult;
use crate::api::client::State;
use crate::api::update::{TargetKind, UpdateInput};

/// The row line `line` of a file would give for these cells (through the form's checks, as
/// a file's cells go; the target read by its look, as a `target` column is). For tests: cells
/// the checks refuse are a mistake in the test, and panic.
pub fn row(line: usize, input: &UpdateInput) -> Row {
    Row {
        line,
        update: crate::api::factory::update(input),
        kind: TargetKind::Either,
        pin: false,
        pinned: None,
    }
}

/// `row` for the usual case: an agent, a target and an outcome.
pub fn row_of(line: usize, agent: &str, target: &str, outcome: &str) -> Row {
    row(
        line,
        &UpdateInput {
            agent,
            target,
            outcome,
            ..UpdateInput::default()
        },
    )
}

/// How line `line` ended in a run: `state`, with `message`, as row number `seq`.
pub fn ended(line: usize, seq: usize, state: State, message: &str) -> RowResult {
    RowResult {
        line,
        request: String::new(),
        state,
        http_status: None,
        message: message.to_string(),
        call_id: None,
        seq: Some(seq),
        untried: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row built here is the row a file with the same cells gives.
    #[test]
    fn a_built_row_is_the_row_a_file_gives() {
        let (rows, errors) = crate::batch::parse(
            "rows.csv",
            b"agent_id,target,outcome,metadata\nagent123,+14155551234,Sold,\"{\"\"a\"\":1}\"\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        let built = row(
            2,
            &UpdateInput {
                agent: "agent123",
                target: "+14155551234",
                outcome: "Sold",
                metadata: r#"{"a":1}"#,
                ..UpdateInput::default()
            },
        );
        assert_eq!(rows, [built]);
        let (rows, _) = crate::batch::parse("rows.csv", b"agent_id,target,outcome\na,call9,X\n");
        assert_eq!(rows, [row_of(2, "a", "call9", "X")]);
    }
}
