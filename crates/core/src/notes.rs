//! Warnings about an update that is valid but may not be what was meant, one rule each for
//! every front end (the form, the queue, the confirmation, `send`, `batch --dry-run`): digits
//! read as a call ID.

use super::phone::{Region, read_as_call_id};
use super::update::{OutcomeUpdate, Target};

/// Phonely's documented outcome labels: the pick-list when `outcome_presets` is not set.
pub const DOCUMENTED_OUTCOMES: &[&str] = &[
    "Sold",
    "No Sale",
    "Appointment Completed",
    "Appointment No-Show",
    "Qualified Lead",
    "Follow-Up Required",
    "Escalated Successfully",
];

/// Phonely's documented outcome labels in every spelling its docs use: never flagged. The
/// docs' list says "Follow-Up Required"; their example 4 sends "Follow Up Required".
pub const DOCUMENTED_LABELS: &[&str] = &[
    "Sold",
    "No Sale",
    "Appointment Completed",
    "Appointment No-Show",
    "Qualified Lead",
    "Follow-Up Required",
    "Follow Up Required",
    "Escalated Successfully",
];

/// The labels an outcome is compared with: the team's presets (`outcome_presets`) and labels
/// sent before.
#[derive(Clone, Copy, Debug, Default)]
pub struct Labels<'a> {
    pub presets: &'a [String],
    pub used: &'a [(String, i64)],
}

/// Labels that differ only in case, spaces or punctuation compare equal here.
pub fn label_key(label: &str) -> String {
    label
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The known label that `typed` matches only loosely ("sold" for "Sold"), if any. A documented
/// label or a preset is never flagged; a loose match to a preset stays flagged even after it
/// was sent once (and so became a label used before).
pub fn outcome_near_miss<'a>(typed: &str, labels: Labels<'a>) -> Option<&'a str> {
    if typed.trim().is_empty()
        || DOCUMENTED_LABELS.contains(&typed)
        || labels.presets.iter().any(|p| p == typed)
    {
        return None;
    }
    let key = label_key(typed);
    if let Some(preset) = labels.presets.iter().find(|p| label_key(p) == key) {
        return Some(preset.as_str());
    }
    if labels.used.iter().any(|(l, _)| l == typed) {
        return None;
    }
    labels
        .used
        .iter()
        .map(|(l, _)| l.as_str())
        .find(|l| label_key(l) == key)
}

/// The warning for a near miss, in the same words everywhere.
pub fn near_miss_warning(label: &str) -> String {
    format!(
        "did you mean {label}? Labels that differ only in case or spacing are counted apart in \
         reports"
    )
}

/// What to know about `update` before it is sent, one sentence each. `typed_target` is the
/// target as typed in a field that takes both a call ID and a phone (the form's, a file's
/// `target` column); `None` when the call ID or phone was named as such (`--call`, `call_id`).
pub fn warnings(
    update: &OutcomeUpdate,
    typed_target: Option<&str>,
    region: Region,
    labels: Labels<'_>,
) -> Vec<String> {
    target_warning(update, typed_target, region)
        .into_iter()
        .chain(outcome_warning(update, labels))
        .collect()
}

/// The note on the target, if any: digits read as a call ID.
pub fn target_warning(
    update: &OutcomeUpdate,
    typed_target: Option<&str>,
    region: Region,
) -> Option<String> {
    match (&update.target, typed_target) {
        (Target::CallId(_), Some(typed)) => read_as_call_id(typed, region),
        _ => None,
    }
}

/// The note on the outcome, if any: a near miss of a known label.
pub fn outcome_warning(update: &OutcomeUpdate, labels: Labels<'_>) -> Option<String> {
    update
        .outcome
        .as_deref()
        .and_then(|o| outcome_near_miss(o, labels))
        .map(near_miss_warning)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_labels_are_never_flagged_and_loose_ones_are() {
        let presets: Vec<String> = DOCUMENTED_OUTCOMES
            .iter()
            .map(|s| (*s).to_string())
            .collect();
        // Every pick-list label is a documented one.
        assert!(
            presets
                .iter()
                .all(|p| DOCUMENTED_LABELS.contains(&p.as_str()))
        );
        let used = vec![("Callback Booked".to_string(), 3)];
        let labels = Labels {
            presets: &presets,
            used: &used,
        };
        for label in DOCUMENTED_LABELS {
            assert_eq!(outcome_near_miss(label, labels), None, "{label}");
        }
        assert_eq!(outcome_near_miss("sold", labels), Some("Sold"));
        assert_eq!(
            outcome_near_miss("follow up required", labels),
            Some("Follow-Up Required")
        );
        assert_eq!(
            outcome_near_miss("callback  booked", labels),
            Some("Callback Booked")
        );
        assert_eq!(outcome_near_miss("Callback Booked", labels), None);
        assert_eq!(outcome_near_miss("Left a message", labels), None);
    }
}
