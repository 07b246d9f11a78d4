//! The sandbox answers as the API contract says: the documented 200 shape, realistic refusals,
//! phone + preference resolution, metadata replacement, and the read-back endpoint.

use phonely_outcomes::sandbox::{self, DEFAULT_KEY};
use serde_json::{Value, json};

/// method, path, key, body, expected status, expected error code
type Case<'a> = (&'a str, &'a str, Option<&'a str>, &'a str, u16, &'a str);

struct Reply {
    status: u16,
    allow: Option<String>,
    body: Value,
}

async fn call(method: &str, url: &str, key: Option<&str>, body: &str) -> Reply {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let mut req = client
        .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url)
        .header("Content-Type", "application/json")
        .body(body.to_string());
    if let Some(key) = key {
        req = req.header("X-Authorization", key);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let allow = resp
        .headers()
        .get("allow")
        .map(|v| v.to_str().unwrap().to_string());
    let body = serde_json::from_str(&resp.text().await.unwrap()).unwrap_or(Value::Null);
    Reply {
        status,
        allow,
        body,
    }
}

#[tokio::test]
async fn documented_examples_and_refusals() {
    let sb = sandbox::start("127.0.0.1:0", DEFAULT_KEY).await.unwrap();
    let base = sb.base_url();
    let url = |path: &str| format!("{base}{path}");
    let key = Some(DEFAULT_KEY);

    // Example 1.
    let r = call(
        "PATCH",
        &url("/api/calls/agent123/call456"),
        key,
        r#"{"custom_call_outcome":"Sold","custom_call_outcome_value":299,"custom_call_metadata":{"campaign":"spring_2026"}}"#,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["success"], true);
    assert_eq!(r.body["call_id"], "call456");
    assert_eq!(
        r.body["updated_fields"],
        json!([
            "custom_call_outcome",
            "custom_call_outcome_value",
            "custom_call_metadata"
        ])
    );
    // Metadata replaces; untouched fields stay.
    let r = call(
        "PATCH",
        &url("/api/calls/agent123/call456"),
        key,
        r#"{"custom_call_metadata":{"notes":"x"}}"#,
    )
    .await;
    assert_eq!(r.body["updated_fields"], json!(["custom_call_metadata"]));
    let now = call("GET", &url("/sandbox/calls/agent123/call456"), None, "").await;
    assert_eq!(now.body["custom_call_metadata"], json!({"notes": "x"}));
    assert_eq!(now.body["custom_call_outcome"], "Sold");

    // Phone + preference: first and last land on different calls; the + may be encoded.
    let last = call(
        "PATCH",
        &url("/api/calls/agent123/+14155551234"),
        key,
        r#"{"custom_call_outcome":"No Sale"}"#,
    )
    .await;
    let first = call(
        "PATCH",
        &url("/api/calls/agent123/%2B14155551234?preference=first"),
        key,
        r#"{"custom_call_outcome":"Sold"}"#,
    )
    .await;
    assert_eq!(last.body["call_id"], "call-last-415");
    assert_eq!(last.body["preference"], "last");
    assert_eq!(first.body["call_id"], "call-first-415");

    let refusals: &[Case] = &[
        (
            "PATCH",
            "/api/calls/agent123/call456",
            None,
            r#"{"custom_call_outcome":"x"}"#,
            401,
            "unauthorized",
        ),
        (
            "PATCH",
            "/api/calls/agent123/call456",
            Some("nope"),
            r#"{"custom_call_outcome":"x"}"#,
            401,
            "unauthorized",
        ),
        (
            "PATCH",
            "/api/calls/nobody/call456",
            key,
            r#"{"custom_call_outcome":"x"}"#,
            404,
            "agent_not_found",
        ),
        (
            "PATCH",
            "/api/calls/agent123/zzz",
            key,
            r#"{"custom_call_outcome":"x"}"#,
            404,
            "call_not_found",
        ),
        (
            "PATCH",
            "/api/calls/agent123/+19999999999",
            key,
            r#"{"custom_call_outcome":"x"}"#,
            404,
            "call_not_found",
        ),
        (
            "PATCH",
            "/api/calls/agent123/call456",
            key,
            "[1]",
            400,
            "invalid_body",
        ),
        (
            "PATCH",
            "/api/calls/agent123/call456",
            key,
            "not json",
            400,
            "invalid_body",
        ),
        (
            "PATCH",
            "/api/calls/agent123/call456",
            key,
            r#"{"custom_call_outcome":5}"#,
            400,
            "invalid_body",
        ),
        (
            "PATCH",
            "/api/calls/agent123/call456",
            key,
            r#"{"custom_call_outcome_value":"299"}"#,
            400,
            "invalid_body",
        ),
        (
            "PATCH",
            "/api/calls/agent123/call456",
            key,
            r#"{"custom_call_metadata":[]}"#,
            400,
            "invalid_body",
        ),
        (
            "PATCH",
            "/api/calls/agent123/call456",
            key,
            r#"{"other":1}"#,
            400,
            "invalid_body",
        ),
        (
            "PATCH",
            "/api/calls/agent123/+14155551234?preference=middle",
            key,
            r#"{"custom_call_outcome":"x"}"#,
            400,
            "invalid_preference",
        ),
        (
            "PATCH",
            "/api/calls/agent123/+1415",
            key,
            r#"{"custom_call_outcome":"x"}"#,
            400,
            "invalid_phone",
        ),
        (
            "POST",
            "/api/calls/agent123/call456",
            key,
            r#"{"custom_call_outcome":"x"}"#,
            405,
            "method_not_allowed",
        ),
        (
            "GET",
            "/api/calls/agent123/call456",
            key,
            "",
            405,
            "method_not_allowed",
        ),
    ];
    for (method, path, k, body, status, code) in refusals {
        let r = call(method, &url(path), *k, body).await;
        assert_eq!(r.status, *status, "{method} {path} {body}: {:?}", r.body);
        assert_eq!(r.body["error"], *code, "{method} {path} {body}");
        assert!(r.body["message"].as_str().is_some_and(|m| !m.is_empty()));
        if *status == 405 {
            assert_eq!(r.allow.as_deref(), Some("PATCH"));
        }
    }
    // The log never keeps the key, only whether it matched.
    let log = serde_json::to_string(&sb.sandbox.received()).unwrap();
    assert!(!log.contains(DEFAULT_KEY));
}

#[tokio::test]
async fn faults_by_header_by_queue_and_standing() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sb = sandbox::start("127.0.0.1:0", DEFAULT_KEY).await.unwrap();
    let url = format!("{}/api/calls/agent123/call456", sb.base_url());
    let body = r#"{"custom_call_outcome":"Sold"}"#;
    let client = reqwest::Client::new();
    let patch = |fault: Option<&str>| {
        let mut r = client
            .patch(&url)
            .header("X-Authorization", DEFAULT_KEY)
            .body(body);
        if let Some(f) = fault {
            r = r.header("X-Sandbox-Fault", f);
        }
        r.send()
    };
    // One request picks its own fault with the header.
    let r = patch(Some("status:418")).await.unwrap();
    assert_eq!(r.status().as_u16(), 418);
    let r = patch(Some("429:9")).await.unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert_eq!(r.headers()["retry-after"], "9");
    let r = patch(Some("nonsense")).await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap().contains("use one of"));
    // The control endpoint queues faults (JSON or text form) for the next requests.
    let control = format!("{}/sandbox/faults", sb.base_url());
    let r = client.post(&control).body("html").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let r = patch(None).await.unwrap();
    assert_eq!(r.status().as_u16(), 502);
    assert!(r.text().await.unwrap().starts_with("<html>"));
    // A standing fault, for the next 2 requests only.
    sb.sandbox
        .set_standing_fault(sandbox::Fault::Status { code: 500 }, Some(2));
    for expected in [500, 500, 200] {
        assert_eq!(patch(None).await.unwrap().status().as_u16(), expected);
    }
    // A reset: no answer at all, and the call is untouched.
    let err = patch(Some("reset-before")).await.unwrap_err();
    assert!(!err.is_connect(), "{err:?}");
    let log = sb.sandbox.received();
    let faults: Vec<Option<&str>> = log.iter().map(|r| r.fault.as_deref()).collect();
    assert_eq!(
        faults,
        [
            Some("status:418"),
            Some("429:9"),
            Some("html"),
            Some("status:500"),
            Some("status:500"),
            None,
            Some("reset-before")
        ]
    );
    assert_eq!(log.last().unwrap().status, None);
    assert_eq!(
        sb.sandbox
            .call("agent123", "call456")
            .unwrap()
            .updates_applied,
        1
    );
}
