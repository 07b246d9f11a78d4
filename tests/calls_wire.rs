//! The look-up of an agent's calls on the wire (issue 14): `calls::ListQuery` through
//! `api::list` to the sandbox's `GET /api/calls/{agent}` on 127.0.0.1, and back. The sandbox
//! refuses a literal `+` in `customer_phone_number` (it reads as a space), so a passing look-up
//! by phone is also the proof of the `%2B`.

use std::time::{Duration, Instant};

use phonely_outcomes::api::calls::{CallStatus, ListQuery, parse_when, pick, sort_newest_first};
use phonely_outcomes::api::client::Client;
use phonely_outcomes::api::key::ApiKey;
use phonely_outcomes::api::list::{ListError, list};
use phonely_outcomes::api::phone::E164;
use phonely_outcomes::api::request::BaseUrl;
use phonely_outcomes::api::update::{AgentId, Preference};
use phonely_outcomes::sandbox::{self, DEFAULT_KEY, Fault, NO_ACCESS_AGENT, RunningSandbox};
use time::UtcOffset;
use time::macros::datetime;

async fn start() -> (RunningSandbox, BaseUrl, Client) {
    let sb = sandbox::start("127.0.0.1:0", DEFAULT_KEY).await.unwrap();
    let base = BaseUrl::parse(&sb.base_url()).unwrap();
    (sb, base, Client::new(Duration::from_secs(5)).unwrap())
}

fn query(agent: &str, phone: Option<&str>) -> ListQuery {
    let mut q = ListQuery::new(AgentId::parse(agent).unwrap());
    q.phone = phone.map(|p| E164::parse(p).unwrap());
    q
}

fn key() -> ApiKey {
    ApiKey::new(DEFAULT_KEY)
}

fn ids(calls: &[phonely_outcomes::api::calls::CallSummary]) -> Vec<String> {
    calls.iter().map(|c| c.id.clone().unwrap()).collect()
}

#[tokio::test]
async fn a_phone_look_up_sends_percent_2b_and_finds_the_numbers_calls() {
    let (sb, base, client) = start().await;
    let q = query("agent123", Some("+14155551234"));
    let mut page = list(&client, &base, &q, &key()).await.unwrap();
    assert_eq!(
        sb.sandbox.lookups(),
        ["/api/calls/agent123?customer_phone_number=%2B14155551234&limit=100&offset=0"]
    );
    assert_eq!(
        (page.total, page.limit, page.offset),
        (Some(3), Some(100), Some(0))
    );
    sort_newest_first(&mut page.items);
    assert_eq!(
        ids(&page.items),
        ["call-last-415", "call-mid-415", "call-first-415"]
    );
    let first = pick(&page.items, Preference::First).unwrap();
    let last = pick(&page.items, Preference::Last).unwrap();
    assert_eq!(first.id.as_deref(), Some("call-first-415"));
    assert_eq!(last.id.as_deref(), Some("call-last-415"));
    assert_eq!(last.status.as_deref(), Some("COMPLETED"));
    assert_eq!(last.agent_id.as_deref(), Some("agent123"));
    assert!(
        last.raw
            .starts_with(r#"{"id":"call-last-415","agentId":"agent123""#),
        "{}",
        last.raw
    );
}

#[tokio::test]
async fn the_sandbox_refuses_a_literal_plus() {
    let (sb, _base, _client) = start().await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let r = reqwest::Client::new()
        .get(format!(
            "{}/api/calls/agent123?customer_phone_number=+14155551234",
            sb.base_url()
        ))
        .header("X-Authorization", DEFAULT_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap().contains("%2B"));
}

#[tokio::test]
async fn dates_and_repeated_statuses_filter_on_the_server() {
    let (sb, base, client) = start().await;
    let mut q = query("agent123", Some("+16175550123"));
    let all = list(&client, &base, &q, &key()).await.unwrap();
    assert_eq!(all.total, Some(4));
    q.statuses = vec![CallStatus::Completed, CallStatus::Failed];
    let page = list(&client, &base, &q, &key()).await.unwrap();
    let mut got = ids(&page.items);
    got.sort();
    assert_eq!(got, ["call-617-b", "call-617-c", "call1054"]);
    q.since =
        Some(parse_when("2026-11-10", UtcOffset::UTC, datetime!(2026-12-01 0:00 UTC)).unwrap());
    q.until = Some(datetime!(2026-11-23 00:00 UTC));
    let page = list(&client, &base, &q, &key()).await.unwrap();
    let mut got = ids(&page.items);
    got.sort();
    assert_eq!(got, ["call-617-b", "call-617-c"]);
    assert_eq!(
        sb.sandbox.lookups().last().unwrap(),
        "/api/calls/agent123?customer_phone_number=%2B16175550123&start_date=2026-11-10T00:00:00Z\
         &end_date=2026-11-23T00:00:00Z&status=COMPLETED&status=FAILED&limit=100&offset=0"
    );
    q.statuses = vec![CallStatus::InProgress];
    q.since = None;
    q.until = None;
    let page = list(&client, &base, &q, &key()).await.unwrap();
    assert_eq!(ids(&page.items), ["call-617-d"]);
    assert_eq!(
        page.items[0].ended_at, None,
        "a call in progress has not ended"
    );
}

#[tokio::test]
async fn pages_cover_every_call_once_and_total_counts_them_all() {
    let (_sb, base, client) = start().await;
    let mut q = query("agent123", None);
    q.set_limit(7).unwrap();
    let mut seen = Vec::new();
    let mut total = None;
    loop {
        let page = list(&client, &base, &q, &key()).await.unwrap();
        assert!(page.items.len() <= 7);
        total = total.or(page.total);
        assert_eq!(page.total, total, "total is the same on every page");
        if page.items.is_empty() {
            break;
        }
        seen.extend(ids(&page.items));
        q.offset += 7;
    }
    let total = usize::try_from(total.unwrap()).unwrap();
    assert!(total > 14, "agent123 has {total} calls: several pages");
    assert_eq!(seen.len(), total);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), total, "no call twice");
}

#[tokio::test]
async fn refusals_are_told_apart() {
    let (_sb, base, client) = start().await;
    let e = list(&client, &base, &query(NO_ACCESS_AGENT, None), &key())
        .await
        .unwrap_err();
    assert!(matches!(e, ListError::Refused { status: 403, .. }), "{e:?}");
    assert!(e.message().contains("no access to this agent"), "{e}");
    let e = list(
        &client,
        &base,
        &query("agent123", None),
        &ApiKey::new("wrong"),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, ListError::Refused { status: 401, .. }), "{e:?}");
    assert!(e.message().contains("refused the API key"), "{e}");
    let e = list(&client, &base, &query("agent-nobody", None), &key())
        .await
        .unwrap_err();
    assert!(matches!(e, ListError::Refused { status: 404, .. }), "{e:?}");
}

#[tokio::test]
async fn faults_become_clear_errors_in_time() {
    let (sb, base, _) = start().await;
    let client = Client::new(Duration::from_millis(400)).unwrap();
    let q = query("agent123", Some("+14155551234"));

    sb.sandbox.set_lookup_fault(Some(Fault::Hang));
    let started = Instant::now();
    let e = list(&client, &base, &q, &key()).await.unwrap_err();
    assert!(matches!(e, ListError::NoAnswer(_)), "{e:?}");
    assert!(e.message().contains("No list of calls within 0.4 s"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(3));

    sb.sandbox.set_lookup_fault(Some(Fault::MalformedJson));
    let e = list(&client, &base, &q, &key()).await.unwrap_err();
    assert!(matches!(e, ListError::Unreadable(_)), "{e:?}");

    sb.sandbox.set_lookup_fault(Some(Fault::Html));
    let e = list(&client, &base, &q, &key()).await.unwrap_err();
    assert!(
        e.message().contains("could not be read as a list of calls"),
        "{e}"
    );

    sb.sandbox.set_lookup_fault(Some(Fault::Escapes));
    let e = list(&client, &base, &q, &key()).await.unwrap_err();
    assert!(matches!(e, ListError::Refused { status: 500, .. }), "{e:?}");
    assert!(!e.message().chars().any(char::is_control), "{e:?}");

    sb.sandbox.set_lookup_fault(Some(Fault::HugeBody));
    let e = list(&client, &base, &q, &key()).await.unwrap_err();
    assert!(e.message().contains("larger than 1024 KiB"), "{e}");

    sb.sandbox.set_lookup_fault(None);
    assert_eq!(
        list(&client, &base, &q, &key()).await.unwrap().items.len(),
        3
    );
}

#[tokio::test]
async fn nothing_can_be_found_without_connecting() {
    // A port nobody listens on: bound, then closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = BaseUrl::parse(&format!("http://127.0.0.1:{port}")).unwrap();
    let client = Client::new(Duration::from_secs(2)).unwrap();
    let e = list(&client, &base, &query("agent123", None), &key())
        .await
        .unwrap_err();
    assert!(e.message().starts_with("Could not connect"), "{e}");
}
