//! The sandbox's misbehaviours: what each fault does, and the short text form (`hang`,
//! `status:503`, `429:30`, …) used by the `X-Sandbox-Fault` header and `sandbox --fault`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The request header that picks a fault for that one request (text form, e.g. `hang`).
pub const FAULT_HEADER: &str = "x-sandbox-fault";

/// The text [`Fault::Escapes`] and [`Fault::EscapesText`] answer with: terminal escape
/// sequences that set the window title (OSC 0) and put text on the clipboard (OSC 52), then a
/// C1 control sequence introducer (U+009B, "clear the screen") and a right-to-left override,
/// which JSON carries raw (it escapes only U+0000–U+001F).
pub const ESCAPES: &str = "\u{1b}]0;PWNED\u{7}\u{1b}]52;c;ZXZpbA==\u{7}\u{9b}2J\u{202e}DENWP";

/// Size of the body sent by [`Fault::HugeBody`].
pub const HUGE_BODY_BYTES: usize = 10 * 1024 * 1024;

/// A misbehaviour for a request on the Phonely endpoint, for tests and demos.
///
/// "Applied" means the update is stored on the call before the fault shows, as a real server
/// could do before its answer went wrong; the others leave the call untouched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Wait this long, then answer normally (applied).
    Delay { ms: u64 },
    /// Answer with this status and a JSON error body (not applied).
    Status { code: u16 },
    /// Answer 429 Too Many Requests with `Retry-After: <seconds>` (not applied).
    RateLimited { retry_after: u64 },
    /// Reset the connection (TCP RST) as soon as the request's head is in, before its body is
    /// read (not applied).
    ResetBeforeRead,
    /// Read the whole request, apply it, then reset the connection instead of answering.
    ResetAfterRead,
    /// Apply it, then answer 200 with JSON cut off in the middle.
    MalformedJson,
    /// Answer 502 with an HTML error page, as a proxy would (not applied).
    Html,
    /// Apply it, then answer 200 with a 10 MB JSON body.
    HugeBody,
    /// Apply it, answer 200 and send a body that never ends (a few bytes every 100 ms).
    EndlessBody,
    /// Never answer; the connection stays open (not applied).
    Hang,
    /// Answer 500 with a JSON error whose `message` is terminal escape sequences ([`ESCAPES`],
    /// JSON-escaped as `\u001b`), as a hostile server could (not applied).
    Escapes,
    /// Apply it, then answer 200 with a plain-text body holding raw escape sequences.
    EscapesText,
    /// Apply it, then answer 200 `success: true` with `updated_fields` empty: nothing sent is
    /// confirmed.
    Unconfirmed,
    /// Answer 400 quoting the request's headers back, the API key among them, as some proxies
    /// and firewalls do (not applied).
    EchoHeaders,
}

impl Fault {
    /// Every fault's text form, for help and error messages.
    pub const FORMS: &'static str = "delay:MS, status:CODE, 429:SECS, reset-before, reset-after, \
                                     malformed-json, html, huge-body, endless-body, hang, \
                                     escapes, escapes-text, unconfirmed, echo-headers";

    /// True when the update is stored before the fault shows.
    pub fn applies(&self) -> bool {
        matches!(
            self,
            Fault::Delay { .. }
                | Fault::ResetAfterRead
                | Fault::MalformedJson
                | Fault::HugeBody
                | Fault::EndlessBody
                | Fault::EscapesText
                | Fault::Unconfirmed
        )
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Delay { ms } => write!(f, "delay:{ms}"),
            Fault::Status { code } => write!(f, "status:{code}"),
            Fault::RateLimited { retry_after } => write!(f, "429:{retry_after}"),
            Fault::ResetBeforeRead => f.write_str("reset-before"),
            Fault::ResetAfterRead => f.write_str("reset-after"),
            Fault::MalformedJson => f.write_str("malformed-json"),
            Fault::Html => f.write_str("html"),
            Fault::HugeBody => f.write_str("huge-body"),
            Fault::EndlessBody => f.write_str("endless-body"),
            Fault::Hang => f.write_str("hang"),
            Fault::Escapes => f.write_str("escapes"),
            Fault::EscapesText => f.write_str("escapes-text"),
            Fault::Unconfirmed => f.write_str("unconfirmed"),
            Fault::EchoHeaders => f.write_str("echo-headers"),
        }
    }
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let (name, arg) = match text.split_once(':') {
            Some((n, a)) => (n, Some(a)),
            None => (text, None),
        };
        let number = |what: &str, example: &str| -> Result<u64, String> {
            let arg = arg.ok_or_else(|| format!("fault {name} needs {what}, e.g. {example}"))?;
            arg.parse::<u64>().map_err(|_| {
                format!("fault {name}: {what} must be a whole number, e.g. {example} (got {arg})")
            })
        };
        let no_arg = |fault: Fault| match arg {
            None => Ok(fault),
            Some(_) => Err(format!("fault {name} takes no :value (got {text})")),
        };
        match name {
            "delay" => Ok(Fault::Delay {
                ms: number("milliseconds", "delay:500")?,
            }),
            "status" => {
                let code = number("an HTTP status", "status:503")?;
                match u16::try_from(code) {
                    Ok(code) if (200..=599).contains(&code) => Ok(Fault::Status { code }),
                    _ => Err(format!(
                        "fault status: the HTTP status must be 200 to 599, e.g. status:503 (got \
                         {code})"
                    )),
                }
            }
            "429" | "rate-limit" => Ok(Fault::RateLimited {
                retry_after: if arg.is_some() {
                    number("seconds to wait", "429:30")?
                } else {
                    30
                },
            }),
            "reset-before" => no_arg(Fault::ResetBeforeRead),
            "reset-after" => no_arg(Fault::ResetAfterRead),
            "malformed-json" => no_arg(Fault::MalformedJson),
            "html" => no_arg(Fault::Html),
            "huge-body" => no_arg(Fault::HugeBody),
            "endless-body" => no_arg(Fault::EndlessBody),
            "hang" => no_arg(Fault::Hang),
            "escapes" => no_arg(Fault::Escapes),
            "escapes-text" => no_arg(Fault::EscapesText),
            "unconfirmed" => no_arg(Fault::Unconfirmed),
            "echo-headers" => no_arg(Fault::EchoHeaders),
            _ => Err(format!(
                "unknown fault {text:?}: use one of {}",
                Fault::FORMS
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip() {
        for fault in [
            Fault::Delay { ms: 250 },
            Fault::Status { code: 503 },
            Fault::RateLimited { retry_after: 7 },
            Fault::ResetBeforeRead,
            Fault::ResetAfterRead,
            Fault::MalformedJson,
            Fault::Html,
            Fault::HugeBody,
            Fault::EndlessBody,
            Fault::Hang,
            Fault::Escapes,
            Fault::EscapesText,
            Fault::Unconfirmed,
            Fault::EchoHeaders,
        ] {
            assert_eq!(fault.to_string().parse::<Fault>(), Ok(fault));
        }
        assert_eq!(
            "429".parse::<Fault>(),
            Ok(Fault::RateLimited { retry_after: 30 })
        );
    }

    #[test]
    fn bad_text_forms_say_what_would_be_right() {
        let err = |t: &str| t.parse::<Fault>().unwrap_err();
        assert!(
            err("explode").contains("use one of delay:MS"),
            "{}",
            err("explode")
        );
        assert!(err("status").contains("e.g. status:503"));
        assert!(err("status:99").contains("200 to 599"));
        assert!(err("delay:soon").contains("whole number"));
        assert!(err("hang:5").contains("takes no :value"));
    }

    #[test]
    fn json_form_is_tagged_by_kind() {
        let f: Fault = serde_json::from_str(r#"{"kind":"rate_limited","retry_after":5}"#).unwrap();
        assert_eq!(f, Fault::RateLimited { retry_after: 5 });
        let f: Fault = serde_json::from_str(r#"{"kind":"hang"}"#).unwrap();
        assert_eq!(f, Fault::Hang);
    }
}
