//! E.164 phone numbers: the strict form Phonely's path takes, and the hints for what people type.

use std::fmt;

/// A phone number in E.164 form: `+` then 8 to 15 digits, the first not zero.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct E164(String);

impl E164 {
    /// Parses `+` followed by digits; spaces, dashes, dots and parentheses after the `+` are
    /// dropped, so `+1 (415) 555-1234` is accepted as `+14155551234`.
    pub fn parse(input: &str) -> Result<Self, String> {
        let trimmed = input.trim();
        let Some(rest) = trimmed.strip_prefix('+') else {
            return Err(national_hint(trimmed));
        };
        let mut digits = String::with_capacity(rest.len());
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                '+' => {
                    return Err(format!(
                        "Phone has more than one +: write it once, at the start, e.g. +14155551234 \
                         (got {})",
                        shorten(trimmed)
                    ));
                }
                other => {
                    return Err(format!(
                        "Phone may only contain digits after the +; {} is not allowed \
                         (got {})",
                        describe_char(other),
                        shorten(trimmed)
                    ));
                }
            }
        }
        if digits.starts_with('0') {
            return Err(format!(
                "Phone country code cannot start with 0: write +<country code><number>, \
                 e.g. +14155551234 (got {})",
                shorten(trimmed)
            ));
        }
        match digits.len() {
            0 => Err("Phone has no digits after the +: e.g. +14155551234".to_string()),
            n if n < 8 => Err(format!(
                "Phone is too short: E.164 numbers have 8 to 15 digits after the +, e.g. \
                 +14155551234 (got {n} digits)"
            )),
            n if n > 15 => Err(format!(
                "Phone is too long: E.164 numbers have at most 15 digits after the + \
                 (got {n} digits)"
            )),
            _ => Ok(Self(format!("+{digits}"))),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for E164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// True when the text is digits with the usual separators and no `+`: a phone number written in
/// national form, which Phonely would not match.
pub fn looks_like_national_phone(input: &str) -> bool {
    let trimmed = input.trim();
    let digits = trimmed.chars().filter(char::is_ascii_digit).count();
    digits >= 7
        && trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'))
}

/// The error for a number typed without `+`, with the most likely fix.
fn national_hint(input: &str) -> String {
    let digits: String = input.chars().filter(char::is_ascii_digit).collect();
    let suggestion = match digits.len() {
        10 => format!("+1{digits}"),
        11 if digits.starts_with('1') => format!("+{digits}"),
        _ => format!("+<country code>{digits}"),
    };
    format!(
        "Phone must be in international form, e.g. +14155551234 (got {}); did you mean {suggestion}?",
        shorten(input)
    )
}

pub(crate) fn describe_char(c: char) -> String {
    if c.is_control() {
        format!("a control character (U+{:04X})", c as u32)
    } else if c.is_whitespace() {
        format!("a space character (U+{:04X})", c as u32)
    } else {
        format!("'{c}'")
    }
}

/// Echoes user input in messages without flooding the screen or printing control characters.
pub(crate) fn shorten(input: &str) -> String {
    const MAX: usize = 40;
    let mut out: String = input
        .chars()
        .take(MAX)
        .map(|c| if c.is_control() { '�' } else { c })
        .collect();
    if input.chars().count() > MAX {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_strict_and_separated_forms() {
        assert_eq!(
            E164::parse("+14155551234").unwrap().as_str(),
            "+14155551234"
        );
        assert_eq!(
            E164::parse(" +1 (415) 555-1234 ").unwrap().as_str(),
            "+14155551234"
        );
        assert_eq!(
            E164::parse("+44.20.7946.0958").unwrap().as_str(),
            "+442079460958"
        );
    }

    #[test]
    fn national_form_suggests_the_fix() {
        let err = E164::parse("4155551234").unwrap_err();
        assert!(err.contains("international form"), "{err}");
        assert!(err.contains("did you mean +14155551234?"), "{err}");
        let err = E164::parse("14155551234").unwrap_err();
        assert!(err.contains("did you mean +14155551234?"), "{err}");
    }

    #[test]
    fn rejects_wrong_lengths_letters_and_double_plus() {
        assert!(E164::parse("+1415").unwrap_err().contains("too short"));
        assert!(
            E164::parse("+1234567890123456")
                .unwrap_err()
                .contains("too long")
        );
        assert!(E164::parse("+1415555CALL").unwrap_err().contains("'C'"));
        assert!(
            E164::parse("++14155551234")
                .unwrap_err()
                .contains("more than one +")
        );
        assert!(
            E164::parse("+04155551234")
                .unwrap_err()
                .contains("cannot start with 0")
        );
        assert!(E164::parse("+").unwrap_err().contains("no digits"));
    }

    #[test]
    fn national_phone_detection() {
        assert!(looks_like_national_phone("(415) 555-1234"));
        assert!(looks_like_national_phone("4155551234"));
        assert!(!looks_like_national_phone("call456"));
        assert!(!looks_like_national_phone("12345"));
    }
}
