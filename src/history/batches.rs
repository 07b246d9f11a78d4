//! Batches in the history: `batches` (a file about to be sent: its fingerprint, who, where)
//! and how each of its lines stands (the newest record per line).

use rusqlite::{OptionalExtension, Row, params};

use super::{Batch, HistoryError, Provenance, Result, Store, now_ms};
use crate::api::client::State;

impl Store {
    /// Records a batch file about to be sent; its rows then go through `insert_pending_in`.
    pub fn create_batch(
        &self,
        file: &str,
        file_hash: &str,
        rows: usize,
        who: &Provenance,
    ) -> Result<Batch> {
        self.conn.execute(
            "INSERT INTO batches (file, file_hash, rows, operator, profile, base_url, created_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                file,
                file_hash,
                i64::try_from(rows).unwrap_or(i64::MAX),
                who.operator,
                who.profile,
                who.base_url,
                now_ms()
            ],
        )?;
        self.batch(self.conn.last_insert_rowid())?
            .ok_or(HistoryError::Sqlite(rusqlite::Error::QueryReturnedNoRows))
    }

    pub fn batch(&self, id: i64) -> Result<Option<Batch>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, file, file_hash, rows, operator, profile, base_url, created_ms \
                 FROM batches WHERE id = ?1",
                [id],
                read_batch,
            )
            .optional()?)
    }

    /// Every batch, newest first.
    pub fn batches(&self) -> Result<Vec<Batch>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, file, file_hash, rows, operator, profile, base_url, created_ms \
             FROM batches ORDER BY id DESC",
        )?;
        let rows = stmt.query_map([], read_batch)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// For each line of a batch, the state of its newest record.
    pub fn batch_states(&self, batch_id: i64) -> Result<std::collections::HashMap<usize, State>> {
        Ok(self
            .batch_answers(batch_id)?
            .into_iter()
            .map(|(line, (state, _))| (line, state))
            .collect())
    }

    /// For each line of a batch, the state of its newest record and the HTTP status it got.
    pub fn batch_answers(
        &self,
        batch_id: i64,
    ) -> Result<std::collections::HashMap<usize, (State, Option<u16>)>> {
        let mut stmt = self.conn.prepare(
            "SELECT batch_line, state, http_status FROM updates WHERE id IN \
             (SELECT max(id) FROM updates WHERE batch_id = ?1 GROUP BY batch_line)",
        )?;
        let rows = stmt.query_map([batch_id], |r| {
            let line: i64 = r.get(0)?;
            let state: String = r.get(1)?;
            let status: Option<u16> = r.get(2)?;
            Ok((
                usize::try_from(line).unwrap_or(0),
                (State::parse(&state).unwrap_or(State::Unknown), status),
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

fn read_batch(r: &Row<'_>) -> rusqlite::Result<Batch> {
    Ok(Batch {
        id: r.get(0)?,
        file: r.get(1)?,
        file_hash: r.get(2)?,
        rows: r.get(3)?,
        operator: r.get(4)?,
        profile: r.get(5)?,
        base_url: r.get(6)?,
        created_ms: r.get(7)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    use crate::api::client::{Completion, HttpResponse};
    use crate::history::tests::{sample, who};

    #[test]
    fn batch_rows_point_back_to_their_batch() {
        let store = Store::open_in_memory("s").unwrap();
        let (u, r) = sample();
        let batch = store.create_batch("fixes.csv", "abc", 2, &who()).unwrap();
        let first = store
            .insert_pending_in(&who(), &u, &r, Some((batch.id, 2)))
            .unwrap();
        store
            .insert_pending_in(&who(), &u, &r, Some((batch.id, 3)))
            .unwrap();
        store
            .complete(first.id, &Completion::NotSent("x".into()), Duration::ZERO)
            .unwrap();
        // A resend of line 2 supersedes the first try.
        let again = store
            .insert_pending_in(&who(), &u, &r, Some((batch.id, 2)))
            .unwrap();
        store
            .complete(
                again.id,
                &Completion::Answered(HttpResponse {
                    status: 200,
                    body: r#"{"success":true,"updated_fields":["custom_call_outcome","custom_call_outcome_value","custom_call_metadata"]}"#.into(),
                    truncated: false,
                    retry_after: None,
                }),
                Duration::ZERO,
            )
            .unwrap();
        let states = store.batch_states(batch.id).unwrap();
        assert_eq!(states[&2], State::Ok);
        assert_eq!(states[&3], State::Pending);
        assert_eq!(store.batches().unwrap()[0].file, "fixes.csv");
    }
}
