//! Property tests (proptest) for the one request builder: ids always stay two path segments and
//! decode back to what was typed; the body always parses back to the fields that were given.

use percent_encoding::percent_decode_str;
use phonely_outcomes::api::request::{BaseUrl, build};
use phonely_outcomes::api::update::{OutcomeUpdate, Target, UpdateInput, validate};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Characters a URL cares about, mixed with any character at all.
fn id_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => any::<char>(),
        2 => proptest::sample::select(vec![
            '/', '?', '#', '%', '.', '+', '&', '=', ';', ':', '@', '~', '\\', '"', '\'', '<', '>',
            'é', '日', '\u{202e}', '\u{fffd}',
        ]),
        2 => proptest::char::range('a', 'z'),
    ]
}

fn id() -> impl Strategy<Value = String> {
    proptest::collection::vec(id_char(), 1..40).prop_map(|v| v.into_iter().collect())
}

fn valid(agent: &str, call: &str) -> Option<OutcomeUpdate> {
    validate(&UpdateInput {
        agent,
        target: call,
        outcome: "Sold",
        ..UpdateInput::default()
    })
    .ok()
    .filter(|u| matches!(u.target, Target::CallId(_)))
}

fn decode(segment: &str) -> String {
    percent_decode_str(segment)
        .decode_utf8()
        .expect("segments are UTF-8 percent-encoded")
        .into_owned()
}

/// A value as people type it: an integer or a finite float.
fn value_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|i| i.to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| f.to_string()),
        (-1_000_000i64..1_000_000, 0u32..100).prop_map(|(i, c)| format!("{i}.{c:02}")),
    ]
}

fn metadata_entries() -> impl Strategy<Value = Vec<(String, Value)>> {
    let value = prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        proptest::collection::vec(any::<char>(), 0..20)
            .prop_map(|v| Value::from(v.into_iter().collect::<String>())),
    ];
    proptest::collection::vec((proptest::collection::vec(id_char(), 1..12), value), 0..8).prop_map(
        |entries| {
            let mut seen = std::collections::HashSet::new();
            entries
                .into_iter()
                .map(|(k, v)| (k.into_iter().collect::<String>(), v))
                .filter(|(k, _)| seen.insert(k.clone()))
                .collect()
        },
    )
}

proptest! {
    #[test]
    fn ids_stay_two_segments_and_decode_back(agent in id(), call in id()) {
        let Some(update) = valid(&agent, &call) else {
            return Ok(());
        };
        let request = build(&update, &BaseUrl::default());
        let path = request
            .url
            .strip_prefix("https://app.phonely.ai/api/calls/")
            .expect("the base and the endpoint come first");
        let segments: Vec<&str> = path.split('/').collect();
        prop_assert_eq!(segments.len(), 2, "{}", request.url);
        prop_assert!(!path.contains(['?', '#']), "no query or fragment: {}", request.url);
        prop_assert_eq!(decode(segments[0]), agent);
        prop_assert_eq!(decode(segments[1]), call);
        // A URL parser agrees: the same two segments, nothing normalised away.
        let parsed = reqwest::Url::parse(&request.url).unwrap();
        let parts: Vec<&str> = parsed.path_segments().unwrap().collect();
        prop_assert_eq!(parts, ["api", "calls", segments[0], segments[1]]);
    }

    #[test]
    fn the_body_parses_back_to_the_fields_given(
        outcome in proptest::collection::vec(
            // Control characters and bidirectional overrides are refused in an outcome.
            any::<char>().prop_filter("printable", |c| !phonely_outcomes::api::inert::is_live(*c)),
            0..30,
        ),
        value in proptest::option::of(value_text()),
        entries in proptest::option::of(metadata_entries()),
    ) {
        let outcome: String = outcome.into_iter().collect::<String>().trim().to_string();
        let metadata = entries.as_ref().map(|e| {
            Value::Object(e.iter().cloned().collect::<Map<_, _>>()).to_string()
        });
        let input = UpdateInput {
            agent: "agent123",
            target: "call456",
            outcome: &outcome,
            value: value.as_deref().unwrap_or(""),
            metadata: metadata.as_deref().unwrap_or(""),
            ..UpdateInput::default()
        };
        let update = match validate(&input) {
            Ok(update) => update,
            Err(errors) => {
                // Only "nothing to set" may refuse these inputs, or a value JSON would write
                // differently from the text (a float whose two shortest forms tie: Rust prints
                // 1509476688663013.3, JSON 1509476688663013.2; never sent as another number).
                let inexact = |e: &phonely_outcomes::api::update::FieldError| {
                    e.to_string().contains("cannot be sent exactly")
                };
                prop_assert!(
                    (outcome.is_empty() && value.is_none() && metadata.is_none())
                        || (!errors.is_empty() && errors.iter().all(inexact)),
                    "{errors:?}"
                );
                return Ok(());
            }
        };
        let request = build(&update, &BaseUrl::default());
        let body: Map<String, Value> = serde_json::from_str(&request.body).unwrap();
        let mut keys = Vec::new();
        if !outcome.is_empty() {
            keys.push("custom_call_outcome");
            prop_assert_eq!(&body["custom_call_outcome"], &Value::from(outcome.clone()));
        }
        if let Some(text) = &value {
            keys.push("custom_call_outcome_value");
            let sent = &body["custom_call_outcome_value"];
            let typed: f64 = text.parse().unwrap();
            prop_assert_eq!(sent.as_f64(), Some(typed), "{} became {}", text, sent);
            if let Ok(i) = text.parse::<i64>() {
                prop_assert_eq!(sent.as_i64(), Some(i), "integers stay integers");
            }
        }
        if let Some(entries) = &entries {
            keys.push("custom_call_metadata");
            let sent = body["custom_call_metadata"].as_object().unwrap();
            let sent: Vec<(String, Value)> =
                sent.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            prop_assert_eq!(&sent, entries, "same keys, same values, same order");
        }
        prop_assert_eq!(body.keys().map(String::as_str).collect::<Vec<_>>(), keys);
    }
}
