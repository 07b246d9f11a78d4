//! The runtime's side of the calls list and the browse modal (issue 14): one page of calls with
//! `api::list` (`page`); for the list, turned into the outcome `tui::calls::CallsLookup::answered`
//! consumes. A look-up changes nothing on Phonely; a failure is only "no list" (a message for
//! people).

use super::calls::{Fetched, LookupKey, LookupOutcome};
use crate::api::calls::{CallPage, ListQuery};
use crate::api::client::Client;
use crate::api::key::Credentials;
use crate::api::list::list;
use crate::api::phone::E164;
use crate::api::request::BaseUrl;

/// Looks up the first page (at most 100) of `key`'s calls on `base` with `credentials`' key.
/// Never panics; every failure (no key, 401, 403, no answer in time, an unreadable answer) is
/// a message that names what went wrong.
pub(crate) async fn run(
    client: &Client,
    base: &BaseUrl,
    credentials: &Credentials,
    key: &LookupKey,
) -> LookupOutcome {
    page(client, base, credentials, &key.query())
        .await
        .map(|page| from_page(page, &key.phone))
}

/// One page of calls for `query` (the calls list's and the browse modal's look-up alike), or
/// a message for people: no key, 401, 403, no answer in time, an unreadable answer.
pub(crate) async fn page(
    client: &Client,
    base: &BaseUrl,
    credentials: &Credentials,
    query: &ListQuery,
) -> Result<CallPage, String> {
    let Some(api_key) = credentials.key.as_ref() else {
        return Err(format!(
            "The calls could not be looked up: {}",
            credentials.missing_key_help()
        ));
    };
    list(client, base, query, api_key)
        .await
        .map_err(|e| e.message().to_string())
}

/// The page's calls from `phone` only: a server that ignored the filter must not make
/// another number's call look like the one `first`/`last` would hit.
fn from_page(page: CallPage, phone: &E164) -> Fetched {
    Fetched {
        calls: page
            .items
            .into_iter()
            .filter(|c| c.is_from(phone))
            .collect(),
        total: page.total,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::api::update::AgentId;
    use crate::sandbox::{self, DEFAULT_KEY, Fault, NO_ACCESS_AGENT};

    fn key(agent: &str, phone: &str) -> LookupKey {
        LookupKey {
            profile: "sandbox".into(),
            agent: AgentId::parse(agent).unwrap(),
            phone: E164::parse(phone).unwrap(),
        }
    }

    fn ids(f: &Fetched) -> Vec<&str> {
        let mut ids: Vec<&str> = f.calls.iter().filter_map(|c| c.id.as_deref()).collect();
        ids.sort_unstable();
        ids
    }

    #[tokio::test]
    async fn a_look_up_against_the_sandbox_and_its_failures() {
        let sb = sandbox::start("127.0.0.1:0", DEFAULT_KEY).await.unwrap();
        let base = BaseUrl::parse(&sb.base_url()).unwrap();
        let client = Client::new(Duration::from_millis(500)).unwrap();
        let good = Credentials::sandbox(DEFAULT_KEY);

        let fetched = run(&client, &base, &good, &key("agent123", "+14155551234"))
            .await
            .unwrap();
        assert_eq!(
            ids(&fetched),
            ["call-first-415", "call-last-415", "call-mid-415"]
        );
        assert_eq!(fetched.total, Some(3));
        assert_eq!(
            sb.sandbox.lookups(),
            ["/api/calls/agent123?customer_phone_number=%2B14155551234&limit=100&offset=0"]
        );

        let e = run(&client, &base, &good, &key(NO_ACCESS_AGENT, "+14155551234"))
            .await
            .unwrap_err();
        assert!(
            e.contains("no access to this agent") && e.contains("403"),
            "{e}"
        );

        let wrong = Credentials::sandbox("wrong");
        let e = run(&client, &base, &wrong, &key("agent123", "+14155551234"))
            .await
            .unwrap_err();
        assert!(
            e.contains("refused the API key") && e.contains("401"),
            "{e}"
        );

        sb.sandbox.set_lookup_fault(Some(Fault::Hang));
        let e = run(&client, &base, &good, &key("agent123", "+14155551234"))
            .await
            .unwrap_err();
        assert!(e.contains("No list of calls within 0.5 s"), "{e}");

        sb.sandbox.set_lookup_fault(Some(Fault::Html));
        let e = run(&client, &base, &good, &key("agent123", "+14155551234"))
            .await
            .unwrap_err();
        assert!(e.contains("could not be read as a list of calls"), "{e}");

        sb.sandbox.set_lookup_fault(Some(Fault::Escapes));
        let e = run(&client, &base, &good, &key("agent123", "+14155551234"))
            .await
            .unwrap_err();
        assert!(!e.chars().any(char::is_control), "{e:?}");
    }

    #[tokio::test]
    async fn without_a_key_nothing_is_asked() {
        let sb = sandbox::start("127.0.0.1:0", DEFAULT_KEY).await.unwrap();
        let base = BaseUrl::parse(&sb.base_url()).unwrap();
        let client = Client::new(Duration::from_secs(2)).unwrap();
        let mut none = Credentials::sandbox(DEFAULT_KEY);
        none.key = None;
        let e = run(&client, &base, &none, &key("agent123", "+14155551234"))
            .await
            .unwrap_err();
        assert!(e.contains("No API key"), "{e}");
        assert!(sb.sandbox.lookups().is_empty());
    }

    /// The browse modal's pages, through the same look-up, against the sandbox's 27 calls of
    /// agent123: pages of 10 (100 in the workbench), the status filter, and the 403.
    #[tokio::test]
    async fn browse_pages_through_the_sandbox() {
        use crate::tui::browse::{Browse, BrowseEffect, BrowsePage};
        let sb = sandbox::start("127.0.0.1:0", DEFAULT_KEY).await.unwrap();
        let base = BaseUrl::parse(&sb.base_url()).unwrap();
        let client = Client::new(Duration::from_secs(2)).unwrap();
        let good = Credentials::sandbox(DEFAULT_KEY);
        let now = ::time::macros::datetime!(2026-12-03 12:45 UTC);
        // Runs what the browse asks for, as the runtime does, and hands the answer back.
        let run = async |b: &mut Browse, effects: Vec<BrowseEffect>| {
            let Some(BrowseEffect::Fetch { generation, query }) = effects.last() else {
                panic!("{effects:?}");
            };
            let (q, reference) = query.list_query(now);
            let outcome = page(&client, &base, &good, &q).await.map(|p| BrowsePage {
                calls: p.items,
                total: p.total,
            });
            assert!(b.answered(*generation, outcome, reference, now));
        };
        let mut b = Browse::default();
        b.set_page_size(10);
        let effects = b.open(
            "sandbox",
            AgentId::parse("agent123").unwrap(),
            ::time::UtcOffset::UTC,
        );
        run(&mut b, effects).await;
        assert_eq!(b.range_line().unwrap(), "calls 1–10 of 27");
        // Newest first, whatever order the server sent.
        let starts: Vec<_> = b.calls().iter().map(|c| c.started.unwrap()).collect();
        assert!(starts.windows(2).all(|w| w[0] >= w[1]), "{starts:?}");
        let mut seen: Vec<String> = b.calls().iter().filter_map(|c| c.id.clone()).collect();
        let effects = b.next_page().unwrap();
        run(&mut b, effects).await;
        let effects = b.next_page().unwrap();
        run(&mut b, effects).await;
        assert_eq!(b.range_line().unwrap(), "calls 21–27 of 27");
        assert!(!b.has_next());
        seen.extend(b.calls().iter().filter_map(|c| c.id.clone()));
        let effects = b.previous_page().unwrap();
        run(&mut b, effects).await;
        seen.extend(b.calls().iter().filter_map(|c| c.id.clone()));
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 27, "every call once across the pages");
        // The status filter: the one failed call.
        b.cycle_status();
        let effects = b.cycle_status();
        run(&mut b, effects).await;
        assert_eq!(b.range_line().unwrap(), "calls 1–1 of 1");
        assert_eq!(b.calls()[0].status.as_deref(), Some("FAILED"));
        let asked = sb.sandbox.lookups();
        assert!(
            asked
                .last()
                .unwrap()
                .contains("&status=FAILED&limit=10&offset=0"),
            "{asked:?}"
        );
        assert!(asked[1].ends_with("&limit=10&offset=10"), "{asked:?}");
        // Another team's agent: the 403, in words.
        let effects = b.open(
            "sandbox",
            AgentId::parse(NO_ACCESS_AGENT).unwrap(),
            ::time::UtcOffset::UTC,
        );
        run(&mut b, effects).await;
        let crate::tui::browse::BrowseState::Failed(message) = &b.state else {
            panic!("{:?}", b.state);
        };
        assert!(message.contains("no access to this agent"), "{message}");
    }

    #[test]
    fn calls_from_another_number_are_left_out() {
        let body = r#"{"items":[
            {"id":"a","customer_phone_number":"+14155551234","started_at":"2026-11-02T09:12:00Z"},
            {"id":"b","customer_phone_number":"+16175550123","started_at":"2026-11-03T09:12:00Z"},
            {"id":"c","started_at":"2026-11-04T09:12:00Z"}
        ],"total":3}"#;
        let page = crate::api::calls::parse_page(body).unwrap();
        let fetched = from_page(page, &E164::parse("+14155551234").unwrap());
        assert_eq!(ids(&fetched), ["a"]);
        assert_eq!(fetched.total, Some(3));
    }
}
