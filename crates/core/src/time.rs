//! Time as people read it and write it: `format_time` for the history pane, the dialogs and the
//! CLI alike; `parse_when` for what they type after `--since` / `--until` (`history`, `calls`).

use ::time::format_description::well_known::Rfc3339;
use ::time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

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

/// What people type for `--since`/`--until`: a date (`2026-11-25`, local midnight), a time
/// (RFC 3339) or a span back from `now` (`30m`, `24h`, `7d`, `2w`).
pub fn parse_when(
    text: &str,
    offset: UtcOffset,
    now: OffsetDateTime,
) -> Result<OffsetDateTime, String> {
    let t = text.trim();
    let shown = crate::phone::shorten(t);
    let hint = "use a date (2026-11-25), a time (2026-11-25T10:30:00Z) or a span back from now \
                (30m, 24h, 7d)";
    if let Some((number, unit)) = t
        .char_indices()
        .last()
        .map(|(i, c)| (&t[..i], c))
        .filter(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    {
        let n: i64 = number
            .parse()
            .map_err(|_| format!("{shown} is too large: {hint}"))?;
        let unit_secs: i64 = match unit {
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 7 * 86_400,
            _ => return Err(format!("{shown} is not a time: {hint}")),
        };
        return n
            .checked_mul(unit_secs)
            .and_then(|s| now.checked_sub(::time::Duration::seconds(s)))
            .ok_or_else(|| format!("{shown} is too far back: {hint}"));
    }
    if let Ok(at) = OffsetDateTime::parse(t, &Rfc3339) {
        return Ok(at);
    }
    let date_format = ::time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(date) = Date::parse(t, &date_format) {
        return Ok(PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_offset(offset));
    }
    Err(format!("{shown} is not a time: {hint}"))
}
