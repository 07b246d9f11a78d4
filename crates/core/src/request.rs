//! One builder for the wire: an `OutcomeUpdate` becomes the exact request (method, URL, headers,
//! body). The preview, the curl text, the history record and the HTTP call all come from here.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

pub use super::shell::shell_quote;
use super::update::{OutcomeUpdate, Target};

/// Phonely's production address.
pub const DEFAULT_BASE_URL: &str = "https://app.phonely.ai";
/// The header that carries the raw key (no "Bearer").
pub const AUTH_HEADER: &str = "X-Authorization";

/// Everything but RFC 3986's unreserved characters is escaped, so an id can never add a path
/// segment, a query or a fragment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Where requests go: an http(s) URL, kept without a trailing slash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    pub fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.trim().trim_end_matches('/');
        // reqwest would percent-encode these, so requests would go to another URL than the one
        // shown, and shown raw they would act on the terminal.
        if let Some(c) = trimmed.chars().find(|c| super::inert::is_live(*c)) {
            return Err(format!(
                "Base URL cannot contain {} (got {})",
                super::phone::describe_char(c),
                super::phone::shorten(trimmed)
            ));
        }
        if let Some((at, c)) = super::invisible::find(trimmed) {
            return Err(format!(
                "Base URL has an invisible character ({}) at position {at}: type it again \
                 instead of pasting it",
                super::invisible::describe(c)
            ));
        }
        let url = url::Url::parse(trimmed).map_err(|e| {
            format!("Base URL is not a valid URL ({e}), e.g. {DEFAULT_BASE_URL} (got {trimmed})")
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "Base URL must start with https:// or http:// (got {trimmed})"
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!(
                "Base URL cannot have a ? query or # fragment (got {trimmed})"
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("Base URL cannot contain a user name or password".to_string());
        }
        // The key travels in a header: over plain http:// anyone on the way could read it. Only
        // this computer (the sandbox, a local stand-in) may be reached without TLS.
        if url.scheme() == "http" && !loopback(&url) {
            return Err(format!(
                "Base URL must start with https:// for a server other than this computer: over \
                 http:// the API key would cross the network unencrypted (got {trimmed})"
            ));
        }
        Ok(Self(trimmed.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for loopback addresses (the sandbox, or a local stand-in).
    pub fn is_loopback(&self) -> bool {
        url::Url::parse(&self.0).is_ok_and(|u| loopback(&u))
    }
}

/// Whether `url` names this computer: `localhost` (or a name under it), 127.0.0.0/8 or ::1.
fn loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => {
            let d = d.to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

impl Default for BaseUrl {
    fn default() -> Self {
        Self(DEFAULT_BASE_URL.to_string())
    }
}

/// The request exactly as it goes on the wire, except the key: the auth header is added by the
/// client at the last moment, so nothing built here can leak it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireRequest {
    pub method: &'static str,
    pub url: String,
    /// All headers but [`AUTH_HEADER`], in the order they are sent.
    pub headers: Vec<(&'static str, String)>,
    /// Compact JSON.
    pub body: String,
}

pub fn user_agent() -> String {
    format!("phonely-outcomes/{}", env!("CARGO_PKG_VERSION"))
}

/// Percent-encodes one path segment.
pub fn encode_segment(text: &str) -> String {
    utf8_percent_encode(text, SEGMENT).to_string()
}

/// Builds the request for an update.
pub fn build(update: &OutcomeUpdate, base: &BaseUrl) -> WireRequest {
    let target = match &update.target {
        // E.164 is `+` and digits only; Phonely's docs show the `+` literally in the path.
        Target::Phone { phone, .. } => phone.as_str().to_string(),
        Target::CallId(id) => encode_segment(id.as_str()),
    };
    let mut url = format!(
        "{}/api/calls/{}/{}",
        base.as_str(),
        encode_segment(update.agent.as_str()),
        target
    );
    if let Some(preference) = update.target.preference() {
        url.push_str("?preference=");
        url.push_str(preference.as_str());
    }
    WireRequest {
        method: "PATCH",
        url,
        headers: headers(),
        body: update.body().to_string(),
    }
}

/// The headers every request carries, in order (the key is added by the client).
pub fn headers() -> Vec<(&'static str, String)> {
    vec![
        ("Content-Type", "application/json".to_string()),
        ("Accept", "application/json".to_string()),
        ("User-Agent", user_agent()),
    ]
}

impl WireRequest {
    /// The body pretty-printed for people (the wire carries the compact form), with what JSON
    /// leaves raw (DEL, C1 controls, bidi overrides) escaped the JSON way: the same value.
    pub fn pretty_body(&self) -> String {
        serde_json::from_str::<serde_json::Value>(&self.body)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .map_or_else(
                |_| super::inert::inert_lines(&self.body).into_owned(),
                |pretty| super::inert::inert_json(&pretty).into_owned(),
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::update::{UpdateInput, validate};

    fn update(
        agent: &str,
        target: &str,
        pref: Option<&str>,
        o: &str,
        v: &str,
        m: &str,
    ) -> OutcomeUpdate {
        validate(&UpdateInput {
            agent,
            target,
            preference: pref,
            outcome: o,
            value: v,
            metadata: m,
            ..UpdateInput::default()
        })
        .unwrap()
    }

    fn base() -> BaseUrl {
        BaseUrl::default()
    }

    #[test]
    fn documented_example_1_by_call_id() {
        let r = build(
            &update(
                "agent123",
                "call456",
                None,
                "Sold",
                "299",
                r#"{"campaign":"spring_2026","rep_id":"12345","notes":"Customer was very interested"}"#,
            ),
            &base(),
        );
        assert_eq!(r.method, "PATCH");
        assert_eq!(r.url, "https://app.phonely.ai/api/calls/agent123/call456");
        assert_eq!(
            r.body,
            r#"{"custom_call_outcome":"Sold","custom_call_outcome_value":299,"custom_call_metadata":{"campaign":"spring_2026","rep_id":"12345","notes":"Customer was very interested"}}"#
        );
    }

    #[test]
    fn documented_example_2_by_phone_last() {
        let r = build(
            &update(
                "agent123",
                "+14155551234",
                None,
                "No Sale",
                "0",
                r#"{"reason":"Price too high","follow_up":true}"#,
            ),
            &base(),
        );
        assert_eq!(
            r.url,
            "https://app.phonely.ai/api/calls/agent123/+14155551234?preference=last"
        );
        assert_eq!(
            r.body,
            r#"{"custom_call_outcome":"No Sale","custom_call_outcome_value":0,"custom_call_metadata":{"reason":"Price too high","follow_up":true}}"#
        );
    }

    #[test]
    fn documented_example_3_by_phone_first() {
        let r = build(
            &update(
                "agent123",
                "+14155551234",
                Some("first"),
                "Sold",
                "499",
                r#"{"attribution":"first_touch","campaign":"spring_2026"}"#,
            ),
            &base(),
        );
        assert_eq!(
            r.url,
            "https://app.phonely.ai/api/calls/agent123/+14155551234?preference=first"
        );
        assert_eq!(
            r.body,
            r#"{"custom_call_outcome":"Sold","custom_call_outcome_value":499,"custom_call_metadata":{"attribution":"first_touch","campaign":"spring_2026"}}"#
        );
    }

    #[test]
    fn documented_example_4_partial() {
        let r = build(
            &update("agent123", "call456", None, "Follow Up Required", "", ""),
            &base(),
        );
        assert_eq!(r.url, "https://app.phonely.ai/api/calls/agent123/call456");
        assert_eq!(r.body, r#"{"custom_call_outcome":"Follow Up Required"}"#);
    }

    #[test]
    fn headers_are_exact_and_keyless() {
        let r = build(&update("a", "c", None, "Sold", "", ""), &base());
        let names: Vec<&str> = r.headers.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["Content-Type", "Accept", "User-Agent"]);
        assert!(r.headers[2].1.starts_with("phonely-outcomes/"));
    }

    #[test]
    fn hostile_ids_stay_in_their_segment() {
        assert_eq!(encode_segment("a/b c"), "a%2Fb%20c");
        let r = build(&update("a/b", "x?y#z%..", None, "Sold", "", ""), &base());
        assert_eq!(
            r.url,
            "https://app.phonely.ai/api/calls/a%2Fb/x%3Fy%23z%25.."
        );
        let r = build(&update("ag", "ünï", None, "Sold", "", ""), &base());
        assert_eq!(r.url, "https://app.phonely.ai/api/calls/ag/%C3%BCn%C3%AF");
    }

    #[test]
    fn value_keeps_integer_or_float() {
        let r = build(&update("a", "c", None, "", "299.5", ""), &base());
        assert_eq!(r.body, r#"{"custom_call_outcome_value":299.5}"#);
        let r = build(&update("a", "c", None, "", "-5", ""), &base());
        assert_eq!(r.body, r#"{"custom_call_outcome_value":-5}"#);
    }

    #[test]
    fn base_url_rules() {
        assert_eq!(
            BaseUrl::parse("http://127.0.0.1:8787/").unwrap().as_str(),
            "http://127.0.0.1:8787"
        );
        assert!(
            BaseUrl::parse("http://127.0.0.1:8787")
                .unwrap()
                .is_loopback()
        );
        assert!(!BaseUrl::default().is_loopback());
        assert!(BaseUrl::parse("ftp://x").unwrap_err().contains("https://"));
        assert!(BaseUrl::parse("not a url").is_err());
        assert!(BaseUrl::parse("https://x/?a=1").is_err());
        // The key never crosses the network in clear: http:// only to this computer.
        for remote in [
            "http://app.phonely.ai",
            "http://10.0.0.5:8787",
            "http://[2001:db8::1]",
        ] {
            let e = BaseUrl::parse(remote).unwrap_err();
            assert!(
                e.contains("https://") && e.contains("unencrypted"),
                "{remote}: {e}"
            );
        }
        for local in [
            "http://localhost:8787",
            "http://127.0.0.2",
            "http://[::1]:8787",
            "https://x",
        ] {
            assert!(BaseUrl::parse(local).is_ok(), "{local}");
        }
        assert!(BaseUrl::parse("http://[::1]:8787").unwrap().is_loopback());
    }
}
