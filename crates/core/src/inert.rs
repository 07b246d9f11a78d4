//! Text that came from a server or a file, made inert before a terminal shows it: control
//! characters (C0, DEL, C1: ESC, BEL, CR, …) and the bidirectional overrides and isolates are
//! shown escaped as `\u{1b}`, so an answer cannot set the window title, write to the clipboard
//! (OSC 52), move the cursor or reorder what is shown. The command line and the workbench both
//! use it; JSON output is left to JSON's own escaping.

use std::borrow::Cow;
use std::fmt::Write as _;

/// True for a character that would act on a terminal rather than be shown: every control
/// character (Unicode category Cc), the bidirectional embeddings, overrides and isolates
/// (U+202A–U+202E, U+2066–U+2069) and marks (U+200E, U+200F, U+061C), which reorder the text
/// around them, and the line and paragraph separators (U+2028, U+2029), which some terminals
/// break lines at.
pub fn is_live(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{061c}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// `text` with every live character (line breaks and tabs included) written as `\u{…}`: for
/// text shown on one line (a table row, a status line, a message).
pub fn inert(text: &str) -> Cow<'_, str> {
    escape(text, |_| false)
}

/// As [`inert`], but line breaks and tabs stay: for text shown over several lines (a response
/// body, `history show`, `config show`). A carriage return is escaped (it could overwrite the
/// line before it).
pub fn inert_lines(text: &str) -> Cow<'_, str> {
    escape(text, |c| matches!(c, '\n' | '\t'))
}

/// Valid JSON text with every live character inside its strings written as JSON's own `\u009b`
/// escape, so it reads back to the same value but cannot act on a terminal: JSON leaves DEL, the
/// C1 controls and the bidirectional overrides raw. A carriage return (JSON whitespace between
/// tokens) is dropped; line breaks and tabs stay. For JSON printed for a person (`send`'s
/// answer, `history --json`, the curl text); `text` must be valid JSON.
pub fn inert_json(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| is_live(c) && !matches!(c, '\n' | '\t'))
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            // Valid JSON holds a raw control character only as whitespace between tokens.
            '\r' => {}
            // Every live character is in the Basic Multilingual Plane: one `\uXXXX`.
            c if is_live(c) => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn escape(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(|c| is_live(c) && !keep(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_live(c) && !keep(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bidi marks reorder neutral characters around them as the overrides do, and the
    /// separators break lines on some terminals: shown escaped, like the rest.
    #[test]
    fn bidi_marks_and_separators_are_shown_escaped() {
        let text = "call\u{200e}1\u{200f}2\u{61c}3\u{2028}4\u{2029}";
        assert_eq!(
            inert(text),
            "call\\u{200e}1\\u{200f}2\\u{61c}3\\u{2028}4\\u{2029}"
        );
        assert_eq!(inert_json("\"a\u{200f}b\""), "\"a\\u200fb\"");
        assert_eq!(inert("plain é ✓"), "plain é ✓");
    }

    #[test]
    fn escape_sequences_are_shown_not_run() {
        let hostile = "\u{1b}]0;PWNED\u{7}\u{1b}]52;c;ZXZpbA==\u{7}";
        assert_eq!(
            inert(hostile),
            r"\u{1b}]0;PWNED\u{7}\u{1b}]52;c;ZXZpbA==\u{7}"
        );
        assert_eq!(
            inert("a\u{9b}31mb\u{7f}"),
            r"a\u{9b}31mb\u{7f}",
            "C1 and DEL"
        );
        assert_eq!(
            inert("call\u{202e}654"),
            r"call\u{202e}654",
            "bidi override"
        );
    }

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        for text in [
            "",
            "Updated custom_call_outcome",
            "Café ✓ – 東京",
            r"a\u{1b}b",
        ] {
            assert!(
                matches!(inert(text), Cow::Borrowed(t) if t == text),
                "{text}"
            );
        }
    }

    #[test]
    fn json_keeps_its_value_and_loses_what_a_terminal_would_run() {
        let hostile = "{\"m\":\"x\u{9b}31m \u{202e}evil \u{7f}\",\r\n\t\"n\":1}";
        let shown = inert_json(hostile);
        assert_eq!(
            shown,
            "{\"m\":\"x\\u009b31m \\u202eevil \\u007f\",\n\t\"n\":1}"
        );
        let value = |t: &str| serde_json::from_str::<serde_json::Value>(t).unwrap();
        assert_eq!(value(&shown), value(hostile), "the same value");
        assert!(
            !shown
                .chars()
                .any(|c| is_live(c) && !matches!(c, '\n' | '\t'))
        );
        let plain = r#"{"m":"Café \u001b ✓"}"#;
        assert!(matches!(inert_json(plain), Cow::Borrowed(t) if t == plain));
    }

    #[test]
    fn line_breaks_stay_only_where_lines_are_kept() {
        assert_eq!(inert("a\nb\tc\rd"), r"a\u{a}b\u{9}c\u{d}d");
        assert_eq!(inert_lines("a\nb\tc\rd\u{1b}"), "a\nb\tc\\u{d}d\\u{1b}");
    }
}
