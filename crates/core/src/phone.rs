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
            return Err(format!(
                "Phone must start with + and the country code, e.g. +14155551234 (got {})",
                shorten(trimmed)
            ));
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

/// The country whose numbering plan applies to numbers typed without `+` (setting
/// `default_region`, default US).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region(phonenumber::country::Id);

impl Default for Region {
    fn default() -> Self {
        Self(phonenumber::country::Id::US)
    }
}

impl Region {
    /// A two-letter country code such as `US` or `gb`.
    pub fn parse(code: &str) -> Result<Self, String> {
        let upper = code.trim().to_ascii_uppercase();
        if upper.len() == 2
            && let Ok(id) = upper.parse::<phonenumber::country::Id>()
        {
            return Ok(Self(id));
        }
        Err(format!(
            "default_region must be a two-letter country code such as US, GB or DE (got {})",
            shorten(code)
        ))
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_ref())
    }
}

impl E164 {
    /// A phone number as people type it: international with `+` (`+44 20 7946 0958`,
    /// `+44 (0)20 7946 0958`), or national in `region` (`(415) 555-1234`, `415.555.1234`,
    /// `1-415-555-1234`). National numbers are read with libphonenumber's data and must be valid
    /// there; the error says why not ("too short for US").
    pub fn normalise(input: &str, region: Region) -> Result<Self, String> {
        let trimmed = input.trim();
        if trimmed.starts_with('+') {
            // "(0)" usually marks a trunk prefix dialled only inside the country (UK, Germany),
            // but in Italy the 0 belongs to the number: keep the reading that is valid.
            if trimmed.contains("(0)") {
                let without = Self::parse(&trimmed.replacen("(0)", "", 1))?;
                let with = Self::parse(&trimmed.replacen("(0)", "0", 1))?;
                let valid =
                    |p: &E164| phonenumber::parse(None, p.as_str()).is_ok_and(|n| n.is_valid());
                let pick = if !valid(&without) && valid(&with) {
                    with
                } else {
                    without
                };
                return check_international(pick, trimmed);
            }
            return check_international(Self::parse(trimmed)?, trimmed);
        }
        if let Some(c) = trimmed
            .chars()
            .find(|c| !c.is_ascii_digit() && !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        {
            return Err(format!(
                "Phone may only contain digits, spaces, dashes, dots and brackets; {} is not \
                 allowed (got {})",
                describe_char(c),
                shorten(trimmed)
            ));
        }
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        if let Some(rest) = after_international_prefix(&digits, region) {
            return check_international(Self::parse(&format!("+{rest}"))?, trimmed);
        }
        let parsed = phonenumber::parse(Some(region.0), &digits)
            .ok()
            .filter(|n| n.country().id() == Some(region.0) || n.is_valid());
        match parsed {
            Some(n) if n.is_valid() => {
                Ok(Self(n.format().mode(phonenumber::Mode::E164).to_string()))
            }
            _ => Err(national_problem(trimmed, &digits, region)),
        }
    }
}

/// An international number as typed. libphonenumber's Rust port misreads some valid forms
/// (`+33 1 23 45 67 89` loses its 1), so the typed digits are kept and its opinion counts only
/// when it agrees on what the digits are.
fn check_international(strict: E164, typed: &str) -> Result<E164, String> {
    match phonenumber::parse(None, strict.as_str()) {
        Err(phonenumber::ParseError::InvalidCountryCode) => Err(format!(
            "Phone starts with a country code that does not exist: after the + comes the \
             country code, e.g. +1 (US), +44 (UK), +49 (Germany) (got {})",
            shorten(typed)
        )),
        Ok(n)
            if n.format().mode(phonenumber::Mode::E164).to_string() == strict.as_str()
                && !n.is_valid() =>
        {
            let code = n.code().value();
            let country = n
                .country()
                .id()
                .map(|id| id.as_ref().to_string())
                .or_else(|| {
                    phonenumber::metadata::DATABASE
                        .region(&code)
                        .and_then(|r| r.first().map(|s| (*s).to_string()))
                })
                .map_or_else(|| format!("+{code}"), |id| format!("{id} (+{code})"));
            Err(format!(
                "Phone {} is not a valid number for {country}: check the digits (got {})",
                strict,
                shorten(typed)
            ))
        }
        _ => Ok(strict),
    }
}

/// The digits after an international prefix, when they start with one: `00` (most of the
/// world) or the region's own (011 in the US and Canada). No national number starts with
/// either, so `00390212345678` is +39 02 1234 5678 wherever it is typed.
fn after_international_prefix(digits: &str, region: Region) -> Option<&str> {
    let meta = phonenumber::metadata::DATABASE.by_id(region.0.as_ref());
    let own = meta.and_then(|m| {
        let pattern = m.international_prefix();
        let plain: Option<&str> = match pattern {
            Some(p) => Some(p.as_str()),
            None => None,
        };
        m.preferred_international_prefix()
            .or(plain)
            .filter(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    });
    own.into_iter()
        .chain(["00"])
        .find_map(|prefix| digits.strip_prefix(prefix))
        .filter(|rest| !rest.is_empty())
}

/// Why a national number did not read as a valid number of `region`, with the likely fix.
fn national_problem(typed: &str, digits: &str, region: Region) -> String {
    let meta = phonenumber::metadata::DATABASE.by_id(region.0.as_ref());
    let example = meta
        .and_then(|m| m.descriptors().fixed_line().or(m.descriptors().mobile()))
        .and_then(|d| d.example());
    // A leading country code (the 1 of 1-415-555-1234) is not part of the national number.
    let code = meta
        .map(|m| m.country_code().to_string())
        .unwrap_or_default();
    let national = match (digits.strip_prefix(code.as_str()), example) {
        (Some(rest), Some(e)) if !code.is_empty() && rest.len() >= e.len() => rest,
        _ => digits,
    };
    let got = shorten(typed);
    let abroad = "for a number from another country, write + and its country code, e.g. \
                  +442079460958";
    let (n, how) = (national.len(), |e: &str| {
        format!("a {region} number looks like {e} ({} digits)", e.len())
    });
    match example {
        Some(e) if n < e.len() => format!(
            "Phone is too short for {region}: got {n} digits ({got}), {}; {abroad}",
            how(e)
        ),
        // Counted as typed: a leading country code is still a digit the person typed.
        Some(e) if n > e.len() => format!(
            "Phone is too long for {region}: got {} digits ({got}), {}; {abroad}",
            digits.len(),
            how(e)
        ),
        _ => format!("Phone {got} is not a valid {region} number: check the digits; {abroad}"),
    }
}

/// True when the text is digits with the usual separators and no `+`: a phone number written in
/// national form, which is read in the default region.
/// Reads one number, so the phone-number library's metadata (every country's rules, parsed
/// once per process on first use) is ready. The first number typed into the form took that
/// parse on the workbench's loop: 2 s in a debug build, keystrokes waiting behind it
/// (BENCHMARKS.md); the runtime calls this on a blocking thread at start instead.
pub fn warm_up() {
    let _ = E164::normalise("+1 415 555 1234", Region::default());
}

pub fn looks_like_national_phone(input: &str) -> bool {
    let trimmed = input.trim();
    let digits = trimmed.chars().filter(char::is_ascii_digit).count();
    digits >= 7
        && trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'))
}

/// Whether the one field for both (the form's Target, a file's `target` column) reads `input`
/// as a phone number. The line between a call ID and a phone typed short:
/// - `+…`, or digits after an international prefix (`00…`, 011 in the US): a phone;
/// - digits written with a phone's separators (`555-1234`, `(415) 555`), 7 or more: a phone
///   (an invalid one is refused, with why);
/// - plain digits: a phone when they are a valid number of `region` or have at least as many
///   digits as its shortest numbers (10 in the US); fewer (`123`, `5551234`) are a call ID,
///   and [`read_as_call_id`] says so wherever the update is shown before it is sent.
pub fn reads_as_phone(input: &str, region: Region) -> bool {
    let trimmed = input.trim();
    if trimmed.starts_with('+') {
        return true;
    }
    if !looks_like_national_phone(trimmed) {
        return false;
    }
    if !trimmed.chars().all(|c| c.is_ascii_digit()) {
        return true;
    }
    after_international_prefix(trimmed, region).is_some()
        || trimmed.len() >= shortest_number(region)
        || phonenumber::parse(Some(region.0), trimmed).is_ok_and(|n| n.is_valid())
}

/// For a target made of digits that the one field for both reads as a call ID: how it is read
/// and what a phone would need, e.g. "read as a call ID; a US phone has 10 digits".
pub fn read_as_call_id(input: &str, region: Region) -> Option<String> {
    let trimmed = input.trim();
    let digits_only = trimmed.chars().any(|c| c.is_ascii_digit())
        && trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | '(' | ')'));
    if !digits_only || reads_as_phone(trimmed, region) {
        return None;
    }
    let meta = phonenumber::metadata::DATABASE.by_id(region.0.as_ref());
    let lengths = number_lengths(region);
    let example = meta
        .and_then(|m| m.descriptors().fixed_line().or(m.descriptors().mobile()))
        .and_then(|d| d.example())
        .and_then(|e| phonenumber::parse(Some(region.0), e).ok())
        .map(|n| n.format().mode(phonenumber::Mode::National).to_string());
    Some(match (lengths.first(), lengths.last(), example) {
        (Some(_), Some(_), Some(e)) if lengths.first() == lengths.last() => format!(
            "read as a call ID; a {region} phone has {} digits",
            e.chars().filter(char::is_ascii_digit).count()
        ),
        (_, _, Some(e)) => format!("read as a call ID; a {region} phone looks like {e}"),
        _ => format!("read as a call ID; a {region} phone has more digits"),
    })
}

/// The lengths of `region`'s fixed-line and mobile numbers (national, without a trunk
/// prefix), shortest first.
fn number_lengths(region: Region) -> Vec<u16> {
    let meta = phonenumber::metadata::DATABASE.by_id(region.0.as_ref());
    let mut lengths: Vec<u16> = meta
        .map(|m| {
            let d = m.descriptors();
            [d.fixed_line(), d.mobile()]
                .into_iter()
                .flatten()
                .flat_map(|d| d.possible_length().iter().copied())
                .collect()
        })
        .unwrap_or_default();
    lengths.sort_unstable();
    lengths.dedup();
    lengths
}

/// Plain digits this many or more are read as a phone: the region's shortest number, and never
/// fewer than 7 (below that, digits were always a call ID).
fn shortest_number(region: Region) -> usize {
    number_lengths(region)
        .first()
        .map_or(7, |&n| usize::from(n).max(7))
}

pub fn describe_char(c: char) -> String {
    if c.is_control() {
        format!("a control character (U+{:04X})", c as u32)
    } else if super::inert::is_live(c) && !c.is_whitespace() {
        format!(
            "a bidirectional control ({})",
            super::invisible::describe(c)
        )
    } else if super::invisible::is_invisible(c) {
        format!("an invisible character ({})", super::invisible::describe(c))
    } else if c.is_whitespace() {
        format!("a space character (U+{:04X})", c as u32)
    } else {
        format!("'{c}'")
    }
}

/// Echoes user input in messages without flooding the screen or printing control characters.
pub fn shorten(input: &str) -> String {
    const MAX: usize = 40;
    let mut out: String = input
        .chars()
        .take(MAX)
        .map(|c| if super::inert::is_live(c) { '�' } else { c })
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

    fn us(input: &str) -> Result<String, String> {
        E164::normalise(input, Region::default()).map(|p| p.to_string())
    }

    #[test]
    fn national_forms_become_e164_in_the_default_region() {
        for typed in [
            "(415) 555-1234",
            "415.555.1234",
            "1-415-555-1234",
            "4155551234",
            " 415 555 1234 ",
        ] {
            assert_eq!(us(typed).as_deref(), Ok("+14155551234"), "{typed}");
        }
        let gb = Region::parse("gb").unwrap();
        assert_eq!(
            E164::normalise("020 7946 0958", gb).unwrap().as_str(),
            "+442079460958"
        );
    }

    #[test]
    fn international_forms_work_from_any_region() {
        let de = Region::parse("DE").unwrap();
        for region in [Region::default(), de] {
            for (typed, want) in [
                ("+44 20 7946 0958", "+442079460958"),
                ("+44 (0)20 7946 0958", "+442079460958"),
                // In Italy the 0 stays.
                ("+39 (0)6 1234 5678", "+390612345678"),
                // The Rust port of libphonenumber reads this one as +3323456789: the typed
                // digits win.
                ("+33 1 23 45 67 89", "+33123456789"),
                ("+1 (415) 555-1234", "+14155551234"),
            ] {
                assert_eq!(
                    E164::normalise(typed, region).unwrap().as_str(),
                    want,
                    "{typed} in {region}"
                );
            }
        }
    }

    /// A character that cannot be seen is named, never quoted as '' (which shows nothing), and a
    /// bidirectional override is never echoed raw.
    #[test]
    fn invisible_characters_in_a_phone_are_named() {
        for (typed, named) in [
            (
                "+1415\u{200b}5551234",
                "an invisible character (U+200B ZERO WIDTH SPACE)",
            ),
            (
                "(415)\u{2060}555-1234",
                "an invisible character (U+2060 WORD JOINER)",
            ),
            (
                "+1415\u{202e}5551234",
                "a bidirectional control (U+202E RIGHT-TO-LEFT OVERRIDE)",
            ),
        ] {
            let e = us(typed).unwrap_err();
            assert!(e.contains(named), "{typed:?}: {e}");
            assert!(!e.chars().any(super::super::inert::is_live), "{e:?}");
        }
    }

    #[test]
    fn impossible_numbers_are_explained() {
        let short = us("415555").unwrap_err();
        assert!(short.contains("too short for US"), "{short}");
        assert!(short.contains("got 6 digits"), "{short}");
        let long = us("1-415-555-12345").unwrap_err();
        assert!(long.contains("too long for US"), "{long}");
        let invalid = us("0612345678").unwrap_err();
        assert!(invalid.contains("not a valid US number"), "{invalid}");
        assert!(
            invalid.contains("write + and its country code"),
            "{invalid}"
        );
        let letters = us("1-800-FLOWERS").unwrap_err();
        assert!(letters.contains("'F'"), "{letters}");
        let nowhere = us("+999 123 456 789").unwrap_err();
        assert!(
            nowhere.contains("country code that does not exist"),
            "{nowhere}"
        );
        let bad_us = us("+1 555 555 5555").unwrap_err();
        assert!(bad_us.contains("not a valid number for"), "{bad_us}");
    }

    /// What was typed is counted, not what is left after a leading country code.
    #[test]
    fn too_long_counts_the_digits_typed() {
        let long = us("1234567890123").unwrap_err();
        assert!(long.contains("too long for US"), "{long}");
        assert!(long.contains("got 13 digits"), "{long}");
    }

    /// `00` (and the region's own international prefix, 011 in the US) starts an international
    /// number, as people in Europe type them: the digits after it keep their zeros.
    #[test]
    fn the_international_prefix_reads_as_plus() {
        for code in ["US", "DE", "GB", "FR"] {
            let region = Region::parse(code).unwrap();
            for (typed, want) in [
                ("00390212345678", "+390212345678"),
                ("0044 20 7946 0958", "+442079460958"),
                ("00 33 1 23 45 67 89", "+33123456789"),
                ("0014155551234", "+14155551234"),
            ] {
                assert_eq!(
                    E164::normalise(typed, region).map(|p| p.to_string()),
                    Ok(want.to_string()),
                    "{typed} in {code}"
                );
            }
        }
        assert_eq!(us("011 39 02 1234 5678").as_deref(), Ok("+390212345678"));
        let unknown = us("00999123456789").unwrap_err();
        assert!(
            unknown.contains("country code that does not exist"),
            "{unknown}"
        );
    }

    #[test]
    fn regions_are_two_letter_codes() {
        assert_eq!(Region::parse(" us ").unwrap(), Region::default());
        for bad in ["USA", "", "XX", "1"] {
            let e = Region::parse(bad).unwrap_err();
            assert!(e.contains("two-letter country code"), "{bad}: {e}");
        }
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

    /// The line between a call ID and a phone typed short, and what is said about it.
    #[test]
    fn short_plain_digits_are_call_ids_with_a_note() {
        let us = Region::default();
        for id in ["123", "12345", "123456", "5551234", "415555123", "123-45"] {
            assert!(!reads_as_phone(id, us), "{id}");
            assert_eq!(
                read_as_call_id(id, us).as_deref(),
                Some("read as a call ID; a US phone has 10 digits"),
                "{id}"
            );
        }
        for phone in [
            "4155551234",
            "1234567890123",
            "555-1234",
            "(415) 5555",
            "+1415",
            "0044207946",
        ] {
            assert!(reads_as_phone(phone, us), "{phone}");
            assert_eq!(read_as_call_id(phone, us), None, "{phone}");
        }
        assert_eq!(read_as_call_id("call456", us), None);
        let fr = Region::parse("FR").unwrap();
        assert_eq!(
            read_as_call_id("12345", fr).as_deref(),
            Some("read as a call ID; a FR phone has 10 digits")
        );
        let de = Region::parse("DE").unwrap();
        let note = read_as_call_id("123456", de).unwrap();
        assert!(
            note.starts_with("read as a call ID; a DE phone looks like 030"),
            "{note}"
        );
        // Seven digits or more are a phone in Germany, as before.
        assert!(reads_as_phone("1234567", de));
    }

    #[test]
    fn national_phone_detection() {
        assert!(looks_like_national_phone("(415) 555-1234"));
        assert!(looks_like_national_phone("4155551234"));
        assert!(!looks_like_national_phone("call456"));
        assert!(!looks_like_national_phone("12345"));
    }
}
