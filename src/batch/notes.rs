//! What to point out about a file's rows before they are sent: how a row is read that may not
//! be what was meant (`api::notes`, as the form and the queue say it). No IO, no printing.

use super::Row;

/// How rows are read that may not be what was meant (`api::notes`, as the form and the queue
/// say it): digits in the `target` column read as a call ID, an outcome that differs from a
/// preset only in case or spacing. At most ten, then how many more.
pub fn read_notes(
    rows: &[Row],
    region: crate::api::phone::Region,
    presets: &[String],
) -> Vec<String> {
    const SHOWN: usize = 10;
    let mut notes = Vec::new();
    let mut more = 0;
    let labels = crate::api::notes::Labels { presets, used: &[] };
    for row in rows {
        let typed = (row.kind == crate::api::update::TargetKind::Either)
            .then(|| row.update.target.as_str());
        let target = crate::api::notes::warnings(
            &row.update,
            typed,
            region,
            crate::api::notes::Labels::default(),
        )
        .into_iter()
        .map(|w| format!("target {} is {w}", row.update.target.as_str()));
        let outcome = row.update.outcome.as_deref().and_then(|o| {
            crate::api::notes::outcome_near_miss(o, labels).map(|l| {
                format!(
                    "outcome \"{o}\": {}",
                    crate::api::notes::near_miss_warning(l)
                )
            })
        });
        for note in target.chain(outcome) {
            if notes.len() < SHOWN {
                notes.push(format!("line {}: {note}", row.line));
            } else {
                more += 1;
            }
        }
    }
    if more > 0 {
        notes.push(format!("… and {more} more like these"));
    }
    notes
}
