//! A send by phone from the workbench while its calls list was on screen: recorded with the
//! call the list said `first`/`last` would hit (`listed_call`, migration 7), so that when
//! Phonely updates another call the row says so for good (`Record::mismatch`), not only the
//! session that sent it.

use super::pinned::CallNote;
use super::{Provenance, Record, Result, Store};
use crate::api::request::WireRequest;
use crate::api::update::OutcomeUpdate;

impl Store {
    /// As [`Store::insert_pending`], with the call the list showed. Both are written in one
    /// transaction, before anything is sent.
    pub fn insert_pending_listed(
        &self,
        who: &Provenance,
        update: &OutcomeUpdate,
        request: &WireRequest,
        listed_call: &str,
    ) -> Result<Record> {
        self.insert_pending_noting(who, update, request, &CallNote::Listed(listed_call))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::api::client::{Completion, HttpResponse};
    use crate::api::request::{BaseUrl, build};
    use crate::api::update::{UpdateInput, validate};

    fn by_phone() -> (OutcomeUpdate, WireRequest) {
        let update = validate(&UpdateInput {
            agent: "agent123",
            target: "+14155551234",
            preference: Some("last"),
            outcome: "Sold",
            ..UpdateInput::default()
        })
        .unwrap();
        let request = build(&update, &BaseUrl::default());
        (update, request)
    }

    fn answered(call_id: &str) -> Completion {
        Completion::Answered(HttpResponse {
            status: 200,
            body: format!(
                "{{\"success\":true,\"call_id\":\"{call_id}\",\"updated_fields\":\
                 [\"custom_call_outcome\"],\"message\":\"ok\"}}"
            ),
            truncated: false,
            retry_after: None,
        })
    }

    #[test]
    fn a_mismatch_stays_on_the_row_after_the_session() {
        let dir = tempfile::tempdir().unwrap();
        let (update, request) = by_phone();
        let who = super::super::tests::who();
        let (other, same) = {
            let store = Store::open(dir.path(), "s1").unwrap();
            let other = store
                .insert_pending_listed(&who, &update, &request, "call-last-415")
                .unwrap();
            assert_eq!(other.listed_call.as_deref(), Some("call-last-415"));
            assert_eq!(other.mismatch(), None, "pending: no answer to compare yet");
            store
                .complete(other.id, &answered("call-newer"), Duration::from_millis(9))
                .unwrap();
            let same = store
                .insert_pending_listed(&who, &update, &request, "call-last-415")
                .unwrap();
            store
                .complete(
                    same.id,
                    &answered("call-last-415"),
                    Duration::from_millis(9),
                )
                .unwrap();
            (other.id, same.id)
        };
        // Another session, another process: the flag is read back from the row.
        let store = Store::open(dir.path(), "s2").unwrap();
        let other = store.get(other).unwrap().unwrap();
        assert_eq!(other.resolved_call_id.as_deref(), Some("call-newer"));
        assert_eq!(
            other.mismatch().as_deref(),
            Some("Phonely updated call call-newer; the list showed call-last-415 as last")
        );
        assert_eq!(store.get(same).unwrap().unwrap().mismatch(), None);
        let plain = store.insert_pending(&who, &update, &request).unwrap();
        assert_eq!(plain.listed_call, None);
        // In `history --json`, only when there is one.
        let json = serde_json::to_string(&other).unwrap();
        assert!(json.contains("\"listed_call\":\"call-last-415\""), "{json}");
        assert!(
            !serde_json::to_string(&plain)
                .unwrap()
                .contains("listed_call")
        );
    }
}
