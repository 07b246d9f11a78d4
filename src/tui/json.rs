//! The metadata editor's helpers, pure text in and out: token classes for colouring, where a
//! parse error is, pretty-formatting, `key=value` lines turned into JSON, and templates.

use serde_json::{Map, Value};

/// What a character of metadata text is, for colouring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token {
    Punctuation,
    Key,
    String,
    Number,
    Literal,
    Other,
}

/// The class of every character, line by line (by `char`, as the editor counts). A small
/// lexer rather than a parser: it colours half-typed JSON too.
pub fn classify(lines: &[String]) -> Vec<Vec<Token>> {
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let chars: Vec<char> = line.chars().collect();
        let mut classes = vec![Token::Other; chars.len()];
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            match c {
                '"' => {
                    let start = i;
                    i += 1;
                    while i < chars.len() && chars[i] != '"' {
                        if chars[i] == '\\' {
                            i += 1;
                        }
                        i += 1;
                    }
                    let end = (i + 1).min(chars.len());
                    // A string followed by `:` is a key.
                    let after = chars[end..].iter().find(|c| !c.is_whitespace());
                    let class = if after == Some(&':') {
                        Token::Key
                    } else {
                        Token::String
                    };
                    classes[start..end].fill(class);
                    i = end;
                }
                '{' | '}' | '[' | ']' | ':' | ',' => {
                    classes[i] = Token::Punctuation;
                    i += 1;
                }
                '-' | '0'..='9' => {
                    let start = i;
                    while i < chars.len()
                        && matches!(chars[i], '-' | '+' | '.' | 'e' | 'E' | '0'..='9')
                    {
                        i += 1;
                    }
                    classes[start..i].fill(Token::Number);
                }
                c if c.is_ascii_alphabetic() => {
                    let start = i;
                    while i < chars.len() && chars[i].is_ascii_alphanumeric() {
                        i += 1;
                    }
                    let word: String = chars[start..i].iter().collect();
                    if matches!(word.as_str(), "true" | "false" | "null") {
                        classes[start..i].fill(Token::Literal);
                    }
                }
                _ => i += 1,
            }
        }
        out.push(classes);
    }
    out
}

/// Where the JSON parser stopped, as (line, char column), both from 0; `None` when the text is
/// valid, empty, or the problem is not at one place (e.g. a list instead of an object).
pub fn error_position(text: &str) -> Option<(usize, usize)> {
    if text.trim().is_empty() {
        return None;
    }
    let err = serde_json::from_str::<Value>(text).err()?;
    if err.line() == 0 {
        return None;
    }
    let line = err.line() - 1;
    let line_text = text.lines().nth(line).unwrap_or("");
    // serde_json counts columns in bytes, from 1; the column is of the last byte read.
    let byte = err.column().saturating_sub(1).min(line_text.len());
    let mut col = line_text
        .char_indices()
        .take_while(|(i, _)| *i < byte)
        .count();
    if col >= line_text.chars().count() && col > 0 && err.is_eof() {
        col = line_text.chars().count().saturating_sub(1);
    }
    Some((line, col))
}

/// `key=value` lines, as people who do not write JSON type them. Returns the pairs, or `None`
/// when a non-empty line is not of that form (then the text is JSON, or a mistake).
pub fn key_value_lines(text: &str) -> Option<Pairs> {
    let mut pairs = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (key, value) = line.split_once('=')?;
        let key = key.trim();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            return None;
        }
        pairs.push((key.to_string(), value.trim().to_string()));
    }
    (!pairs.is_empty()).then_some(pairs)
}

/// Splits metadata into a leading JSON object and trailing `key=value` lines, if it is that:
/// `{"a": 1}` then `notes=called back` on its own line.
type Pairs = Vec<(String, String)>;

fn object_then_pairs(text: &str) -> Option<(Map<String, Value>, Pairs)> {
    if let Some(pairs) = key_value_lines(text) {
        return Some((Map::new(), pairs));
    }
    let mut de = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let Some(Ok(Value::Object(map))) = de.next() else {
        return None;
    };
    let rest = &text[de.byte_offset()..];
    if rest.trim().is_empty() {
        return Some((map, Vec::new()));
    }
    key_value_lines(rest).map(|pairs| (map, pairs))
}

/// Refuses metadata that `doing` (formatting, inserting a template) would change rather than
/// lay out: a key given twice (in the object or its `key=value` lines: only the last would
/// stay) or a number that would become another. Other problems are left to the caller.
fn kept_as_typed(text: &str, doing: &str) -> Result<(), String> {
    use crate::api::exact::{Strict, first_changed_number};
    let changed = |why: String| Err(format!("{why}: {doing} would change it"));
    let twice = |key: &str| format!("Metadata has the key \"{key}\" twice");
    let (keys, pairs): (Vec<String>, Pairs) = if let Some(pairs) = key_value_lines(text) {
        (Vec::new(), pairs)
    } else {
        let mut de = serde_json::Deserializer::from_str(text).into_iter::<Strict>();
        match de.next() {
            Some(Err(e)) if e.classify() == serde_json::error::Category::Data => {
                let raw = e.to_string();
                return changed(raw.split(" at line ").next().unwrap_or(&raw).to_string());
            }
            Some(Ok(Strict(Value::Object(map)))) => {
                let (object, rest) = text.split_at(de.byte_offset());
                if let Some((number, line, column, sent)) = first_changed_number(object) {
                    return changed(format!(
                        "Metadata number {number} (line {line}, column {column}) cannot be sent \
                         exactly (it would become {sent})"
                    ));
                }
                (
                    map.keys().cloned().collect(),
                    key_value_lines(rest).unwrap_or_default(),
                )
            }
            _ => return Ok(()),
        }
    };
    for (i, (key, _)) in pairs.iter().enumerate() {
        if keys.contains(key) || pairs[..i].iter().any(|(k, _)| k == key) {
            return changed(twice(key));
        }
    }
    Ok(())
}

/// What the format key does to the metadata: `key=value` lines (alone or after an object)
/// become JSON string members, and the object is laid out two spaces per level. `Err` says
/// why nothing changed.
pub fn format(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        return Err("Metadata is empty: nothing to format".to_string());
    }
    kept_as_typed(text, "formatting")?;
    if let Some((mut map, pairs)) = object_then_pairs(text) {
        for (k, v) in pairs {
            map.insert(k, Value::String(v));
        }
        return serde_json::to_string_pretty(&Value::Object(map)).map_err(|e| e.to_string());
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v) => serde_json::to_string_pretty(&v).map_err(|e| e.to_string()),
        Err(_) => Err(
            "Metadata is not valid JSON yet, so it cannot be formatted: fix the marked place \
             first (or write key=value lines)"
                .to_string(),
        ),
    }
}

/// True when formatting would turn `key=value` lines into JSON: worth offering.
pub fn has_key_value_lines(text: &str) -> bool {
    object_then_pairs(text).is_some_and(|(_, pairs)| !pairs.is_empty())
}

/// A template merged into the metadata: members the metadata already has are kept as they
/// are. Returns the new text and where the cursor goes: inside the first empty string value.
pub fn insert_template(current: &str, template: &str) -> Result<(String, (usize, usize)), String> {
    let Ok(Value::Object(add)) = serde_json::from_str::<Value>(template) else {
        return Err("That template is not a JSON object".to_string());
    };
    let mut map = if current.trim().is_empty() {
        Map::new()
    } else {
        kept_as_typed(current, "inserting the template")?;
        match object_then_pairs(current) {
            Some((mut map, pairs)) => {
                for (k, v) in pairs {
                    map.insert(k, Value::String(v));
                }
                map
            }
            None => {
                return Err(
                    "Metadata is not a valid JSON object yet: fix it first, then insert the \
                     template"
                        .to_string(),
                );
            }
        }
    };
    for (k, v) in add {
        map.entry(k).or_insert(v);
    }
    let text = serde_json::to_string_pretty(&Value::Object(map)).map_err(|e| e.to_string())?;
    let cursor = text
        .lines()
        .enumerate()
        .find_map(|(i, line)| {
            line.find(": \"\"")
                .map(|b| (i, line[..b].chars().count() + 3))
        })
        .unwrap_or_else(|| {
            let last = text.lines().count().saturating_sub(1);
            (last, 0)
        });
    Ok((text, cursor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_of_a_line() {
        let classes = classify(&[r#"{"a": "b", "n": -1.5e3, "t": true}"#.to_string()]);
        let line = &classes[0];
        assert_eq!(line[0], Token::Punctuation);
        assert_eq!(line[1..4], [Token::Key; 3]);
        assert_eq!(line[6..9], [Token::String; 3]);
        let n = r#"{"a": "b", "n": "#.len();
        assert_eq!(line[n..n + 6], [Token::Number; 6]);
        let t = r#"{"a": "b", "n": -1.5e3, "t": "#.len();
        assert_eq!(line[t..t + 4], [Token::Literal; 4]);
        // Half-typed text is coloured too.
        assert_eq!(
            classify(&[r#""unfinished"#.to_string()])[0][0],
            Token::String
        );
    }

    #[test]
    fn error_positions_count_lines_and_characters() {
        assert_eq!(error_position("{\n  \"a\": spring\n}"), Some((1, 7)));
        assert_eq!(error_position(r#"{"é": x}"#), Some((0, 6)));
        assert_eq!(error_position(r#"{"a": 1}"#), None);
        assert_eq!(error_position(""), None);
        // Cut short: the last character is marked.
        assert_eq!(error_position(r#"{"a":"#), Some((0, 4)));
    }

    #[test]
    fn key_value_lines_become_json() {
        let text = "campaign=spring_2026\nrep_id = 12345\nnotes=Customer was very interested";
        assert!(has_key_value_lines(text));
        let json = format(text).unwrap();
        let v: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"campaign":"spring_2026","rep_id":"12345","notes":"Customer was very interested"}"#
        );
        // After an object, the lines are added to it.
        let json = format("{\"a\": 1}\nnotes=called back").unwrap();
        assert!(json.contains("\"notes\": \"called back\""), "{json}");
        assert!(json.contains("\"a\": 1"), "{json}");
        // Not every line is key=value: not offered.
        assert!(!has_key_value_lines("notes=x\njust words"));
        assert!(!has_key_value_lines(r#"{"a": "b=c"}"#));
    }

    #[test]
    fn format_lays_out_valid_json_and_refuses_broken() {
        assert_eq!(format(r#"{"a":1}"#).unwrap(), "{\n  \"a\": 1\n}");
        assert!(
            format("{\"a\":")
                .unwrap_err()
                .contains("not valid JSON yet")
        );
        assert!(format("  ").unwrap_err().contains("empty"));
    }

    /// Formatting never changes what would be sent: a key twice (only the last would stay) or
    /// a number that would become another is left as typed, with the validator's reason.
    #[test]
    fn format_and_templates_refuse_to_change_keys_or_numbers() {
        for (text, says) in [
            (r#"{"a":1,"a":2}"#, "the key \"a\" twice"),
            ("{\"a\": 1}\na=2", "the key \"a\" twice"),
            ("a=1\na=2", "the key \"a\" twice"),
            (r#"{"n": 1e-400}"#, "Metadata number 1e-400"),
            (
                r#"{"n": 123456789012345678901234567890}"#,
                "cannot be sent exactly",
            ),
        ] {
            let e = format(text).unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
            assert!(e.ends_with("formatting would change it"), "{e}");
            let e = insert_template(text, r#"{"rep_id": ""}"#).unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
        assert_eq!(format(r#"{"n":1e3}"#).unwrap(), "{\n  \"n\": 1000.0\n}");
    }

    #[test]
    fn templates_merge_and_put_the_cursor_in_the_first_empty_value() {
        let (text, cursor) = insert_template("", r#"{"rep_id": "", "notes": ""}"#).unwrap();
        assert_eq!(text, "{\n  \"rep_id\": \"\",\n  \"notes\": \"\"\n}");
        assert_eq!(cursor, (1, 13));
        assert_eq!(&text.lines().nth(1).unwrap()[..13], "  \"rep_id\": \"");
        // What is there stays; the template adds what is missing.
        let (text, cursor) =
            insert_template(r#"{"rep_id": "42"}"#, r#"{"rep_id": "", "notes": ""}"#).unwrap();
        assert!(text.contains("\"rep_id\": \"42\""), "{text}");
        assert_eq!(cursor.0, 2, "{text}");
        assert!(insert_template("[1]", "{}").is_err());
    }
}
