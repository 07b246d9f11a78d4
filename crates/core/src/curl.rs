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
    let _ = write!(out, " \\\n  --data-raw {}", shell_quote(&request.body));
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
