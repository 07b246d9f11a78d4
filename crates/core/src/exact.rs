//! Numbers that arrive as typed, and JSON objects with each key once. A JSON number is read as
//! a 64-bit integer or a double, so `1e-400` would go out as `0.0` and
//! `99999999999999999999999999` as `1e26`: such numbers are found here (with what they would
//! become) so the validator can refuse them. Metadata is read here with every key checked:
//! `{"a":1,"a":2}` would otherwise keep only the last.

use serde::de::{self, Deserialize, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// The longest metadata key accepted, in characters.
pub const MAX_KEY_CHARS: usize = 128;

/// A number's decimal value, for comparing spellings: sign, significant digits without
/// leading or trailing zeros, and the power of ten of the last one. Zero is `(false, "", 0)`.
fn decimal(text: &str) -> Option<(bool, String, i64)> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) => (&rest[..at], rest[at + 1..].parse::<i64>().ok()?),
        None => (rest, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: String = format!("{whole}{fraction}");
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut power = exponent.checked_sub(i64::try_from(fraction.len()).ok()?)?;
    let trimmed = digits.trim_start_matches('0');
    let significant = trimmed.trim_end_matches('0');
    power = power.checked_add(i64::try_from(trimmed.len() - significant.len()).ok()?)?;
    if significant.is_empty() {
        return Some((false, String::new(), 0));
    }
    Some((negative, significant.to_string(), power))
}

/// What `typed` (a valid JSON number) would be sent as, when that is another number. A minus
/// sign on zero counts as a change: not every reader keeps it.
pub fn changed(typed: &str, parsed: &Number) -> Option<String> {
    let sent = parsed.to_string();
    let negative_zero = typed.starts_with('-') && decimal(typed).is_some_and(|d| d.1.is_empty());
    match (decimal(typed), decimal(&sent)) {
        (Some(a), Some(b)) if a == b && !negative_zero => None,
        _ => Some(sent),
    }
}

/// Why a number cannot be sent as typed, in words (the caller names the number).
pub fn reason(typed: &str, sent: &str) -> String {
    let zero = decimal(sent).is_some_and(|d| d.1.is_empty());
    if zero && !decimal(typed).is_some_and(|d| d.1.is_empty()) {
        format!("it is too close to zero and would arrive as {sent}")
    } else if zero {
        format!("it would arrive as {sent}; write 0")
    } else {
        format!("it has more digits than a JSON number keeps (about 15) and would arrive as {sent}")
    }
}

/// The first number in `json` (valid JSON) that would arrive as another: its text, its line
/// and column (1-based, in characters) and what it would be sent as.
pub fn first_changed_number(json: &str) -> Option<(String, usize, usize, String)> {
    let (mut line, mut column) = (1, 0);
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = json.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        column += 1;
        if c == '\n' {
            (line, column) = (line + 1, 0);
            continue;
        }
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if c == '"' {
            in_string = true;
        } else if c == '-' || c.is_ascii_digit() {
            let start = (line, column);
            let mut end = at + c.len_utf8();
            while let Some((i, n)) = chars.next_if(|(_, n)| "0123456789+-.eE".contains(*n)) {
                end = i + n.len_utf8();
                column += 1;
            }
            let token = &json[at..end];
            let sent = serde_json::from_str::<Number>(token)
                .ok()
                .and_then(|n| changed(token, &n));
            if let Some(sent) = sent {
                return Some((token.to_string(), start.0, start.1, sent));
            }
        }
    }
    None
}

/// A JSON value read with each object's keys checked: a key given twice, or one longer than
/// [`MAX_KEY_CHARS`], is an error (with serde_json's line and column).
pub struct Strict(pub Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Strict;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Strict, E> {
        Ok(Strict(Value::Bool(b)))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Strict, E> {
        Ok(Strict(Value::Number(n.into())))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Strict, E> {
        Ok(Strict(Value::Number(n.into())))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Strict, E> {
        Ok(Strict(
            Number::from_f64(n).map_or(Value::Null, Value::Number),
        ))
    }

    fn visit_str<E>(self, s: &str) -> Result<Strict, E> {
        Ok(Strict(Value::String(s.to_string())))
    }

    fn visit_string<E>(self, s: String) -> Result<Strict, E> {
        Ok(Strict(Value::String(s)))
    }

    fn visit_unit<E>(self) -> Result<Strict, E> {
        Ok(Strict(Value::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strict, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Strict(Value::Array(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Strict, A::Error> {
        let mut members = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let shown = crate::phone::shorten(&key);
            if members.contains_key(&key) {
                return Err(de::Error::custom(format!("{DUPLICATE}\"{shown}\" twice")));
            }
            let n = key.chars().count();
            if n > MAX_KEY_CHARS {
                return Err(de::Error::custom(format!(
                    "{TOO_LONG}at most {MAX_KEY_CHARS} characters (got {n}): \"{shown}\""
                )));
            }
            let Strict(value) = map.next_value()?;
            members.insert(key, value);
        }
        Ok(Strict(Value::Object(members)))
    }
}

/// How the visitor's own errors start, so they are told apart from JSON syntax errors.
pub const DUPLICATE: &str = "Metadata has the key ";
pub const TOO_LONG: &str = "Metadata key is too long: ";

#[cfg(test)]
mod tests {
    use super::*;

    fn sent_as(text: &str) -> Option<String> {
        changed(text, &serde_json::from_str(text).unwrap())
    }

    #[test]
    fn numbers_are_compared_by_value_not_spelling() {
        for same in [
            "0",
            "299",
            "-5",
            "299.99",
            "1e3",
            "1E+3",
            "0.1",
            "1.50",
            "12345678901234567890",
            "-9223372036854775808",
            "1e-300",
            "0.0",
        ] {
            assert_eq!(sent_as(same), None, "{same}");
        }
        for (typed, sent) in [
            ("1e-400", "0.0"),
            ("99999999999999999999999999", "1e+26"),
            ("-9223372036854775809", "-9.223372036854776e+18"),
            ("0.12345678901234567890", "0.12345678901234568"),
            ("-0", "-0.0"),
        ] {
            assert_eq!(sent_as(typed).as_deref(), Some(sent), "{typed}");
        }
    }

    #[test]
    fn the_first_changed_number_is_found_outside_strings() {
        let json = "{\"a\": \"1e-400 in text\",\n \"b\": [1, 2.5, 1e-400]}";
        assert_eq!(
            first_changed_number(json),
            Some(("1e-400".into(), 2, 16, "0.0".into()))
        );
        assert_eq!(first_changed_number(r#"{"a\"": -1.5e3}"#), None);
    }

    #[test]
    fn keys_twice_or_too_long_are_errors_anywhere() {
        let read = |t: &str| serde_json::from_str::<Strict>(t).map(|s| s.0);
        assert!(
            read(r#"{"a":{"b":1,"b":2}}"#)
                .unwrap_err()
                .to_string()
                .starts_with("Metadata has the key \"b\" twice")
        );
        assert!(read(&format!(r#"{{"{}":1}}"#, "k".repeat(129))).is_err());
        assert_eq!(
            read(r#"{"b":1,"a":[true,null,"x",-2]}"#).unwrap(),
            serde_json::json!({"b":1,"a":[true,null,"x",-2]})
        );
    }
}
