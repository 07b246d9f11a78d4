//! One journal line, written by hand: strings escaped eight bytes at a time, a body known to
//! be one line of JSON put in as it is.

/// Writes one journal line as JSON by hand: a row is two lines, and `serde_json`'s writer
/// (generic over `io::Write`, escaping byte by byte) cost about a fifth of a batch's CPU on
/// loopback. The lines are read back with `serde_json` (the `Pending` and `Ended` structs), and
/// a test checks that every string survives the round trip.
pub(super) struct Line<'a> {
    buf: &'a mut Vec<u8>,
}

impl<'a> Line<'a> {
    /// `{"<kind>":<seq>`
    pub(super) fn open(buf: &'a mut Vec<u8>, kind: &str, seq: usize) -> Self {
        buf.extend_from_slice(b"{\"");
        buf.extend_from_slice(kind.as_bytes());
        buf.extend_from_slice(b"\":");
        buf.extend_from_slice(itoa::Buffer::new().format(seq).as_bytes());
        Self { buf }
    }

    pub(super) fn key(&mut self, key: &str) {
        self.buf.extend_from_slice(b",\"");
        self.buf.extend_from_slice(key.as_bytes());
        self.buf.extend_from_slice(b"\":");
    }

    pub(super) fn str(&mut self, key: &str, value: &str) {
        self.key(key);
        put_str(self.buf, value);
    }

    /// A body. When the caller knows it is JSON (`build` wrote it, or `classify` read it) and it
    /// is one line, an object or array from its first byte to its last, it goes in as it is,
    /// under `<key>_json`, sparing the escapes of every quote in it; otherwise as a string.
    pub(super) fn text(&mut self, key: &str, value: &str, known_json: bool) {
        let framed = matches!(
            (value.as_bytes().first(), value.as_bytes().last()),
            (Some(b'{'), Some(b'}')) | (Some(b'['), Some(b']'))
        );
        if known_json && framed && memchr::memchr2(b'\n', b'\r', value.as_bytes()).is_none() {
            self.buf.extend_from_slice(b",\"");
            self.buf.extend_from_slice(key.as_bytes());
            self.buf.extend_from_slice(b"_json\":");
            self.buf.extend_from_slice(value.as_bytes());
        } else {
            self.str(key, value);
        }
    }

    pub(super) fn opt_str(&mut self, key: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.str(key, v);
        } else {
            self.key(key);
            self.buf.extend_from_slice(b"null");
        }
    }

    /// A number as a JSON string of its usual text (`1`, `-2`, `1.5`), written without
    /// allocating; such text never needs an escape.
    pub(super) fn opt_number_text(&mut self, key: &str, value: Option<&serde_json::Number>) {
        use std::io::Write as _;
        self.key(key);
        match value {
            Some(n) => {
                // Writing to a Vec cannot fail.
                let _ = write!(self.buf, "\"{n}\"");
            }
            None => self.buf.extend_from_slice(b"null"),
        }
    }

    pub(super) fn int(&mut self, key: &str, value: impl itoa::Integer) {
        self.key(key);
        self.buf
            .extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
    }

    pub(super) fn bool(&mut self, key: &str, value: bool) {
        self.key(key);
        self.buf
            .extend_from_slice(if value { b"true" } else { b"false" });
    }

    pub(super) fn close(self) {
        self.buf.extend_from_slice(b"}\n");
    }
}

/// A JSON string: runs that need no escape are copied whole, found eight bytes at a time.
pub(super) fn put_str(buf: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    buf.reserve(bytes.len() + 2);
    buf.push(b'"');
    let mut start = 0;
    let mut i = 0;
    while i + 8 <= bytes.len() {
        let mut word = [0; 8];
        word.copy_from_slice(&bytes[i..i + 8]);
        let flagged = escape_mask(u64::from_le_bytes(word));
        if flagged == 0 {
            i += 8;
            continue;
        }
        // The lowest flagged byte is always one to escape (see `escape_mask`).
        let at = i + (flagged.trailing_zeros() / 8) as usize;
        buf.extend_from_slice(&bytes[start..at]);
        escape(buf, bytes[at]);
        i = at + 1;
        start = i;
    }
    for (at, &b) in bytes.iter().enumerate().skip(i) {
        if b < 0x20 || b == b'"' || b == b'\\' {
            buf.extend_from_slice(&bytes[start..at]);
            escape(buf, b);
            start = at + 1;
        }
    }
    buf.extend_from_slice(&bytes[start..]);
    buf.push(b'"');
}

/// One byte that JSON needs escaped: a control character, `"` or `\\`.
fn escape(buf: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match b {
        b'"' | b'\\' => buf.extend_from_slice(&[b'\\', b]),
        b'\n' => buf.extend_from_slice(b"\\n"),
        b'\r' => buf.extend_from_slice(b"\\r"),
        b'\t' => buf.extend_from_slice(b"\\t"),
        _ => buf.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(b >> 4)],
            HEX[usize::from(b & 0xf)],
        ]),
    }
}

/// The high bit of each of eight bytes (little-endian) that is a control character, `"` or
/// `\\`, by the usual word tricks ("has a zero byte", "has a byte below n"). A byte can be
/// flagged wrongly only above a rightly flagged one (a borrow runs upwards), so the mask is
/// zero exactly when no byte needs escaping, and its lowest bit always marks one that does.
fn escape_mask(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero_bytes = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    below_space
        | zero_bytes(word ^ (ONES * u64::from(b'"')))
        | zero_bytes(word ^ (ONES * u64::from(b'\\')))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[test]
    fn strings_of_every_kind_survive_the_hand_written_lines() {
        let samples = [
            "",
            "plain",
            "quote \" backslash \\ slash /",
            "\n\r\t\u{0}\u{1}\u{1f}\u{7f}",
            "é ü 漢字 😀 \u{2028}",
            r#"{"custom_call_outcome":"Sold","v":[1,2]}"#,
            "exactly8",
            "seven\"\"abcdefghijklmnop\\qrstuvwxyz\u{1}0123456789",
            "ends with an escape after sixteen\n",
        ];
        for s in samples {
            let mut buf = Vec::new();
            put_str(&mut buf, s);
            let back: String = serde_json::from_slice(&buf).unwrap();
            assert_eq!(back, s);
        }
        let mut buf = Vec::new();
        let mut line = Line::open(&mut buf, "c", 7);
        line.opt_str("a", None);
        line.int("b", -3);
        line.bool("c", true);
        line.int("d", usize::MAX);
        line.close();
        let v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"c": 7, "a": null, "b": -3, "c": true, "d": usize::MAX})
        );
        assert!(buf.ends_with(b"}\n"));
    }

    #[test]
    fn a_value_is_written_as_the_text_the_history_shows() {
        for text in [
            "0",
            "299",
            "-3",
            "18446744073709551615",
            "1.5",
            "-0.25",
            "1e300",
        ] {
            let n: serde_json::Number = serde_json::from_str(text).unwrap();
            let mut buf = Vec::new();
            let mut line = Line::open(&mut buf, "p", 1);
            line.opt_number_text("value", Some(&n));
            line.opt_number_text("none", None);
            line.close();
            let v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
            assert_eq!(v["value"], serde_json::Value::String(n.to_string()));
            assert_eq!(v["none"], serde_json::Value::Null);
        }
    }

    #[test]
    fn the_eight_byte_check_finds_the_first_byte_to_escape_exactly() {
        let must = |b: u8| b < 0x20 || b == b'"' || b == b'\\';
        for b in 0..=255_u8 {
            for filler in [b'a', b' ', 0x7f, 0x80, 0xc3, 0xff] {
                for at in 0..8 {
                    let mut word = [filler; 8];
                    word[at] = b;
                    // And a second byte to escape above it, which must not hide it.
                    for above in [None, Some(b'"'), Some(0)] {
                        if let Some(a) = above
                            && at < 7
                        {
                            word[7] = a;
                        }
                        let mask = escape_mask(u64::from_le_bytes(word));
                        let first = word.iter().position(|&x| must(x));
                        assert_eq!(
                            (mask != 0).then(|| (mask.trailing_zeros() / 8) as usize),
                            first,
                            "{word:x?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn only_bodies_known_to_be_one_line_of_json_go_in_as_they_are() {
        #[derive(Deserialize)]
        struct Back<'a> {
            #[serde(borrow, default)]
            response: Option<std::borrow::Cow<'a, str>>,
            #[serde(borrow, default)]
            response_json: Option<&'a serde_json::value::RawValue>,
        }
        let cases = [
            (r#"{"a":"b"}"#, true, true),
            (r#"{"a":"b"}"#, false, false),
            ("{oops}", false, false),
            ("{\n\"a\": 1\n}", true, false),
            (r#" {"a":1}"#, true, false),
            ("[1,2]", true, true),
            ("", true, false),
        ];
        for (body, known, raw) in cases {
            let mut buf = Vec::new();
            let mut line = Line::open(&mut buf, "c", 1);
            line.text("response", body, known);
            line.close();
            let text = String::from_utf8(buf).unwrap();
            assert_eq!(text.contains("response_json"), raw, "{text}");
            let back: Back = serde_json::from_str(&text).unwrap();
            let got = back
                .response_json
                .map(serde_json::value::RawValue::get)
                .or(back.response.as_deref())
                .unwrap();
            assert_eq!(got, body, "exactly the bytes that came");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_string_survives_the_hand_written_lines(s in ".*", t in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            let lossy = String::from_utf8_lossy(&t).into_owned();
            for s in [s, lossy] {
                let mut buf = Vec::new();
                put_str(&mut buf, &s);
                let back: String = serde_json::from_slice(&buf).unwrap();
                proptest::prop_assert_eq!(back, s);
            }
        }
    }
}
