//! When a batch row is tried again: after a 429 (honouring `Retry-After`), a 5xx, or a
//! connection that never opened, with exponential backoff and jitter, at most
//! [`MAX_ATTEMPTS`] tries.

use std::time::Duration;

use super::Row;
use crate::api::client::Completion;
use crate::api::update::{Preference, Target};

/// Tries per row, the first included.
pub const MAX_ATTEMPTS: u32 = 4;

/// When to try a row again, if at all (`attempt` tries were made before this one's answer:
/// 0 after the first). A phone number with `last` is retried only when the request surely
/// never reached Phonely: a retry after it arrived could land on a newer call from that
/// number.
/// A row pinned to a call (`pin`) is addressed by the call's ID, so a retry lands on the same
/// call even when the row's preference is `last`.
pub fn retry_row(completion: &Completion, row: &Row, attempt: u32) -> Option<Duration> {
    let by_phone_last = row.pinned.is_none() && phone_with_last(&row.update.target);
    retry(completion, by_phone_last, attempt)
}

fn phone_with_last(target: &Target) -> bool {
    matches!(
        target,
        Target::Phone {
            preference: Preference::Last,
            ..
        }
    )
}

fn retry(
    completion: &Completion,
    reached_maybe_a_newer_call: bool,
    attempt: u32,
) -> Option<Duration> {
    if attempt + 1 >= MAX_ATTEMPTS {
        return None;
    }
    let backoff = {
        let base = 250_u64.saturating_mul(1 << attempt.min(6));
        let jitter = u64::from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos()),
        ) % (base / 2 + 1);
        Duration::from_millis((base + jitter).min(10_000))
    };
    match completion {
        Completion::NotSent(_) => Some(backoff),
        Completion::Answered(r) if r.status == 429 || (500..600).contains(&r.status) => {
            if reached_maybe_a_newer_call {
                return None;
            }
            let asked = r
                .retry_after
                .as_deref()
                .and_then(|s| s.trim().parse::<u64>().ok())
                .map(|secs| Duration::from_secs(secs.min(60)));
            Some(asked.map_or(backoff, |a| a.max(backoff)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::client::HttpResponse;

    /// The rule for a row sent to `target` as it stands (not pinned).
    fn retry_after(completion: &Completion, target: &Target, attempt: u32) -> Option<Duration> {
        retry(completion, phone_with_last(target), attempt)
    }

    fn answered(status: u16, retry_after: Option<&str>) -> Completion {
        Completion::Answered(HttpResponse {
            status,
            body: String::new(),
            truncated: false,
            retry_after: retry_after.map(str::to_string),
        })
    }

    fn target(text: &str, preference: Preference) -> Target {
        Target::Phone {
            phone: crate::api::phone::E164::parse(text).unwrap(),
            preference,
        }
    }

    /// A 429 waits at least what `Retry-After` asks (capped at a minute); a refusal or a
    /// success is never tried again; the fourth try is the last.
    #[test]
    fn a_429_waits_what_it_asks_and_the_tries_run_out() {
        let first = target("+14155551234", Preference::First);
        let wait = retry_after(&answered(429, Some("3")), &first, 0).unwrap();
        assert!(wait >= Duration::from_secs(3), "{wait:?}");
        let capped = retry_after(&answered(429, Some("3600")), &first, 0).unwrap();
        assert!(capped <= Duration::from_secs(60), "{capped:?}");
        assert!(retry_after(&answered(503, None), &first, 2).is_some());
        assert_eq!(retry_after(&answered(503, None), &first, 3), None);
        assert_eq!(retry_after(&answered(400, None), &first, 0), None);
        assert_eq!(retry_after(&answered(200, None), &first, 0), None);
    }

    /// `last` on a phone number: tried again only when nothing reached Phonely.
    #[test]
    fn a_phone_with_last_is_tried_again_only_when_nothing_arrived() {
        let last = target("+14155551234", Preference::Last);
        assert_eq!(retry_after(&answered(429, None), &last, 0), None);
        assert_eq!(retry_after(&answered(502, None), &last, 0), None);
        let never = Completion::NotSent("connection refused".to_string());
        assert!(retry_after(&never, &last, 0).is_some());
    }

    /// A `last` row pinned to a call (`pin`) goes to that call's ID: a retry lands on the
    /// same call, so it is tried again like any other row; unpinned, it is not.
    #[test]
    fn a_pinned_last_row_is_tried_again() {
        let mut row = crate::batch::factory::row(
            2,
            &crate::api::update::UpdateInput {
                agent: "agent123",
                target: "+14155551234",
                preference: Some("last"),
                outcome: "Sold",
                ..Default::default()
            },
        );
        assert_eq!(retry_row(&answered(503, None), &row, 0), None);
        row.pinned = Some(crate::api::update::CallId::parse("call-last-415").unwrap());
        assert!(retry_row(&answered(503, None), &row, 0).is_some());
        assert!(retry_row(&answered(429, Some("1")), &row, 0).is_some());
        assert_eq!(retry_row(&answered(400, None), &row, 0), None);
    }
}
