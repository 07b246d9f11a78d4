//! The runtime's side of the calls list (issue 14): one look-up of a number's calls with
//! `api::list`, turned into the outcome `tui::calls::CallsLookup::answered` consumes. The
//! look-up changes nothing on Phonely; a failure is only "no list" (a message for people).

use super::calls::{Fetched, LookupKey, LookupOutcome};
use crate::api::calls::CallPage;
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
    let Some(api_key) = credentials.key.as_ref() else {
        return Err(format!(
            "The calls could not be looked up: {}",
            credentials.missing_key_help()
        ));
    };
    match list(client, base, &key.query(), api_key).await {
        Ok(page) => Ok(from_page(page, &key.phone)),
        Err(e) => Err(e.message().to_string()),
    }
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
