//! A request as a curl command people can copy: the key is left to the shell
//! (`$PHONELY_API_KEY`, or the expression its source names), never written out.

use std::fmt::Write as _;

use super::key::KeySource;
use super::request::{AUTH_HEADER, WireRequest};
use super::shell::shell_quote;

/// The request as a curl command, with the key left to the shell (`$PHONELY_API_KEY`).
pub fn curl(request: &WireRequest, key: &KeySource) -> String {
    let mut out = format!("curl -X {} {}", request.method, shell_quote(&request.url));
    for (name, value) in &request.headers {
        let _ = write!(
            out,
            " \\\n  -H {}",
            shell_quote(&format!("{name}: {value}"))
        );
    }
    let _ = write!(out, " \\\n  -H \"{AUTH_HEADER}: {}\"", key.shell_expr());
    // JSON leaves DEL, C1 and bidi overrides raw: escaped the JSON way (the same body).
    let body = super::inert::inert_json(&request.body);
    let _ = write!(out, " \\\n  --data-raw {}", shell_quote(&body));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{BaseUrl, build};
    use crate::update::{UpdateInput, validate};

    fn update(agent: &str, target: &str, o: &str) -> crate::update::OutcomeUpdate {
        validate(&UpdateInput {
            agent,
            target,
            outcome: o,
            ..UpdateInput::default()
        })
        .unwrap()
    }

    /// JSON carries DEL, C1 controls and bidi overrides raw: the preview and the curl text
    /// escape them the JSON way, so they show and paste as the same value, inert.
    #[test]
    fn the_preview_and_the_curl_text_escape_what_json_leaves_raw() {
        let r = build(
            &validate(&UpdateInput {
                agent: "a",
                target: "c",
                metadata: "{\"k\":\"v\u{9b}2J\u{202e}x\u{7f}\"}",
                ..UpdateInput::default()
            })
            .unwrap(),
            &BaseUrl::default(),
        );
        assert!(
            r.body.contains('\u{9b}'),
            "the wire carries the value as it is"
        );
        let curl = curl(&r, &KeySource::Env("PHONELY_API_KEY".into()));
        let pretty = r.pretty_body();
        for shown in [&curl, &pretty] {
            assert!(
                !shown
                    .chars()
                    .any(|c: char| crate::inert::is_live(c) && c != '\n'),
                "{shown:?}"
            );
            assert!(shown.contains(r"v\u009b2J\u202ex\u007f"), "{shown}");
        }
        let value = |t: &str| serde_json::from_str::<serde_json::Value>(t).unwrap();
        assert_eq!(value(&pretty), value(&r.body));
    }

    #[test]
    fn curl_leaves_the_key_to_the_shell() {
        let r = build(&update("a", "c", "It's sold"), &BaseUrl::default());
        let curl = curl(&r, &KeySource::Env("PHONELY_API_KEY".into()));
        assert!(
            curl.contains("-H \"X-Authorization: $PHONELY_API_KEY\""),
            "{curl}"
        );
        assert!(curl.contains(r"--data-raw '{"), "{curl}");
        assert!(curl.contains(r"It'\''s sold"), "{curl}");
        assert!(curl.starts_with("curl -X PATCH 'https://app.phonely.ai/api/calls/a/c'"));
    }
}
