//! An update pinned to one call after a look-up of the phone (`send --pin`): recorded as the
//! phone typed (`target`, `preference`) with the call the look-up picked (`pinned_call`,
//! migration 6), and the request that goes to that call's ID.

use rusqlite::params;

use super::{HistoryError, Provenance, Record, Result, Store};
use crate::api::request::WireRequest;
use crate::api::update::OutcomeUpdate;

/// Which call a pending row names besides its target, and the column that keeps it. Fixed
/// statements: no column name is ever built from data.
pub(super) enum CallNote<'a> {
    /// `send --pin`: the call the look-up picked (schema 6).
    Pinned(&'a str),
    /// The workbench's calls list: the call it showed (schema 7, `listed.rs`).
    Listed(&'a str),
}

impl Store {
    /// As [`Store::insert_pending`], for `update` (by phone) sent as `request` to `call`. Both
    /// are written in one transaction, before anything is sent.
    pub fn insert_pending_pinned(
        &self,
        who: &Provenance,
        update: &OutcomeUpdate,
        request: &WireRequest,
        call: &str,
    ) -> Result<Record> {
        self.insert_pending_noting(who, update, request, &CallNote::Pinned(call))
    }

    /// The pending row and the call `note` names, in one transaction.
    pub(super) fn insert_pending_noting(
        &self,
        who: &Provenance,
        update: &OutcomeUpdate,
        request: &WireRequest,
        note: &CallNote<'_>,
    ) -> Result<Record> {
        let (sql, call) = match note {
            CallNote::Pinned(call) => ("UPDATE updates SET pinned_call = ?1 WHERE id = ?2", call),
            CallNote::Listed(call) => ("UPDATE updates SET listed_call = ?1 WHERE id = ?2", call),
        };
        let tx = self.conn.unchecked_transaction()?;
        let id = self.insert_pending_id(who, update, request, None)?;
        tx.execute(sql, params![call, id])?;
        tx.commit()?;
        self.get(id)?
            .ok_or(HistoryError::Sqlite(rusqlite::Error::QueryReturnedNoRows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::request::{BaseUrl, build};
    use crate::api::update::{CallId, Target, UpdateInput, validate};

    #[test]
    fn a_pinned_update_keeps_the_phone_typed_and_the_call() {
        let store = Store::open_in_memory("s1").unwrap();
        let by_phone = validate(&UpdateInput {
            agent: "agent123",
            target: "+14155551234",
            preference: Some("first"),
            outcome: "Sold",
            ..UpdateInput::default()
        })
        .unwrap();
        let pinned = OutcomeUpdate {
            target: Target::CallId(CallId::parse("call-first-415").unwrap()),
            ..by_phone.clone()
        };
        let request = build(&pinned, &BaseUrl::default());
        let who = super::super::tests::who();
        let rec = store
            .insert_pending_pinned(&who, &by_phone, &request, "call-first-415")
            .unwrap();
        assert_eq!(
            (rec.target.as_str(), rec.target_kind.as_str()),
            ("+14155551234", "phone")
        );
        assert_eq!(rec.preference.as_deref(), Some("first"));
        assert_eq!(rec.pinned_call.as_deref(), Some("call-first-415"));
        assert_eq!(
            rec.url,
            "https://app.phonely.ai/api/calls/agent123/call-first-415"
        );
        assert_eq!(
            rec.target_text(),
            "agent123/+14155551234 (first → call call-first-415)"
        );
        let plain = store
            .insert_pending(&who, &by_phone, &build(&by_phone, &BaseUrl::default()))
            .unwrap();
        assert_eq!(plain.pinned_call, None);
        assert_eq!(
            store.get(rec.id).unwrap().unwrap().pinned_call.as_deref(),
            Some("call-first-415")
        );
    }
}
