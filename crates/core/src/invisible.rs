//! Characters that cannot be seen but change what an id means: Unicode's format characters
//! (category Cf: zero-width spaces and joiners, bidirectional marks and overrides, the BOM,
//! tags) and the other blanks that draw as nothing (fillers, variation selectors). Each is
//! named for the person who has to find it.

/// Unicode 16's format characters (general category Cf), as inclusive ranges.
const FORMAT: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
];

/// Other characters that draw as nothing: the combining grapheme joiner, Hangul fillers,
/// the blank Braille pattern, Khmer inherent vowels, Mongolian and other variation selectors.
const BLANK: &[(u32, u32)] = &[
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180D),
    (0x180F, 0x180F),
    (0x2800, 0x2800),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xE0100, 0xE01EF),
];

/// The names of the ones people meet (pasted from chat, mail and right-to-left text).
const NAMES: &[(u32, &str)] = &[
    (0x00AD, "SOFT HYPHEN"),
    (0x034F, "COMBINING GRAPHEME JOINER"),
    (0x061C, "ARABIC LETTER MARK"),
    (0x180E, "MONGOLIAN VOWEL SEPARATOR"),
    (0x200B, "ZERO WIDTH SPACE"),
    (0x200C, "ZERO WIDTH NON-JOINER"),
    (0x200D, "ZERO WIDTH JOINER"),
    (0x200E, "LEFT-TO-RIGHT MARK"),
    (0x200F, "RIGHT-TO-LEFT MARK"),
    (0x202A, "LEFT-TO-RIGHT EMBEDDING"),
    (0x202B, "RIGHT-TO-LEFT EMBEDDING"),
    (0x202C, "POP DIRECTIONAL FORMATTING"),
    (0x202D, "LEFT-TO-RIGHT OVERRIDE"),
    (0x202E, "RIGHT-TO-LEFT OVERRIDE"),
    (0x2060, "WORD JOINER"),
    (0x2061, "FUNCTION APPLICATION"),
    (0x2062, "INVISIBLE TIMES"),
    (0x2063, "INVISIBLE SEPARATOR"),
    (0x2064, "INVISIBLE PLUS"),
    (0x2066, "LEFT-TO-RIGHT ISOLATE"),
    (0x2067, "RIGHT-TO-LEFT ISOLATE"),
    (0x2068, "FIRST STRONG ISOLATE"),
    (0x2069, "POP DIRECTIONAL ISOLATE"),
    (0x2800, "BRAILLE PATTERN BLANK"),
    (0x3164, "HANGUL FILLER"),
    (0xFE0F, "VARIATION SELECTOR-16"),
    (0xFEFF, "ZERO WIDTH NO-BREAK SPACE"),
];

fn within(ranges: &[(u32, u32)], c: char) -> bool {
    let c = c as u32;
    ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c))
}

/// A format character (Unicode category Cf) or another character that draws as nothing.
pub fn is_invisible(c: char) -> bool {
    within(FORMAT, c) || within(BLANK, c)
}

/// The first invisible character in `text` and its position (1-based, in characters).
pub fn find(text: &str) -> Option<(usize, char)> {
    text.chars()
        .enumerate()
        .find(|(_, c)| is_invisible(*c))
        .map(|(i, c)| (i + 1, c))
}

/// `U+202E RIGHT-TO-LEFT OVERRIDE`, or just the code when it has no well-known name.
pub fn describe(c: char) -> String {
    match NAMES.iter().find(|(code, _)| *code == c as u32) {
        Some((_, name)) => format!("U+{:04X} {name}", c as u32),
        None => format!("U+{:04X}", c as u32),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_characters_and_blanks_are_found_with_their_position_and_name() {
        assert_eq!(find("call\u{202e}654"), Some((5, '\u{202e}')));
        assert_eq!(describe('\u{202e}'), "U+202E RIGHT-TO-LEFT OVERRIDE");
        assert_eq!(describe('\u{e0041}'), "U+E0041");
        for c in [
            '\u{ad}', '\u{200b}', '\u{2060}', '\u{feff}', '\u{3164}', '\u{fe0f}',
        ] {
            assert!(is_invisible(c), "{c:?}");
        }
        // Letters of any script, marks that show, and ordinary symbols are not.
        for text in [
            "call456",
            "日本語",
            "ü-ñ",
            "a/b%2F",
            "Ελλάδα",
            "שלום",
            "x\u{301}",
        ] {
            assert_eq!(find(text), None, "{text}");
        }
        // Every named character is one of the invisible ones.
        assert!(
            NAMES
                .iter()
                .all(|(c, _)| is_invisible(char::from_u32(*c).unwrap()))
        );
    }
}
