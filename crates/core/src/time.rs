//! Time as people read it: `format_time` for the history pane, the dialogs and the CLI alike.

use ::time::{OffsetDateTime, UtcOffset};

/// `2026-11-25 13:45:02` in local time.
pub fn format_time(ms: i64, offset: UtcOffset) -> String {
    let Ok(t) = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) else {
        return "?".to_string();
    };
    let t = t.to_offset(offset);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}
