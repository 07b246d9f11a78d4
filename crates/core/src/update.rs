//! `OutcomeUpdate` and its validation: raw text from the form, the CLI or a file in, typed values
//! or a list of field errors (each naming the field, the problem and an example) out.

use std::fmt;

use serde_json::{Map, Number, Value};

use super::phone::{E164, Region, describe_char, reads_as_phone, shorten};

/// Longest agent or call id accepted.
pub const MAX_ID_CHARS: usize = 128;
/// Largest metadata object accepted, in bytes of its compact JSON.
pub const MAX_METADATA_BYTES: usize = 64 * 1024;
/// Longest outcome label accepted.
pub const MAX_OUTCOME_CHARS: usize = 200;

/// The wire names of the three fields, in the order the body carries them.
pub const FIELD_OUTCOME: &str = "custom_call_outcome";
pub const FIELD_VALUE: &str = "custom_call_outcome_value";
pub const FIELD_METADATA: &str = "custom_call_metadata";

/// The input fields, as support staff know them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Agent,
    Target,
    Preference,
    Outcome,
    Value,
    Metadata,
}

impl Field {
    pub fn label(self) -> &'static str {
        match self {
            Field::Agent => "Agent",
            Field::Target => "Call ID or phone",
            Field::Preference => "Preference",
            Field::Outcome => "Outcome",
            Field::Value => "Value",
            Field::Metadata => "Metadata",
        }
    }
}

/// One thing wrong with the input; `message` is a whole sentence for the person at the keyboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field.label(), self.message)
    }
}

/// An agent id as Phonely shows it on the agent's settings page.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AgentId(String);

impl AgentId {
    /// An agent id on its own (the look-up of calls takes one without an update), by the same
    /// rules as the form's Agent field.
    pub fn parse(text: &str) -> Result<Self, String> {
        check_id(text, "Agent", "agent123").map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A call id from call history.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CallId(String);

impl CallId {
    /// A call id on its own (the one a look-up picked for `send --pin`), by the same rules as
    /// a `--call` flag.
    pub fn parse(text: &str) -> Result<Self, String> {
        check_id(text, "Call ID", "call456").map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Which call from a phone number: the most recent (Phonely's default) or the earliest.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Preference {
    #[default]
    Last,
    First,
}

impl Preference {
    pub fn as_str(self) -> &'static str {
        match self {
            Preference::Last => "last",
            Preference::First => "first",
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "last" => Ok(Preference::Last),
            "first" => Ok(Preference::First),
            other => Err(format!(
                "Preference must be first or last (got {})",
                shorten(other)
            )),
        }
    }

    #[must_use]
    pub fn toggled(self) -> Self {
        match self {
            Preference::Last => Preference::First,
            Preference::First => Preference::Last,
        }
    }
}

/// The call an update lands on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    CallId(CallId),
    Phone { phone: E164, preference: Preference },
}

impl Target {
    /// The path segment as the person wrote it (before percent-encoding).
    pub fn as_str(&self) -> &str {
        match self {
            Target::CallId(id) => id.as_str(),
            Target::Phone { phone, .. } => phone.as_str(),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Target::CallId(_) => "call",
            Target::Phone { .. } => "phone",
        }
    }

    pub fn preference(&self) -> Option<Preference> {
        match self {
            Target::CallId(_) => None,
            Target::Phone { preference, .. } => Some(*preference),
        }
    }
}

/// A validated update: everything needed to build the request, nothing that can be wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct OutcomeUpdate {
    pub agent: AgentId,
    pub target: Target,
    pub outcome: Option<String>,
    pub value: Option<Number>,
    pub metadata: Option<Map<String, Value>>,
}

impl OutcomeUpdate {
    /// The metadata as the history and a batch's journal keep it: compact JSON, keys in the
    /// order given.
    pub fn metadata_text(&self) -> Option<String> {
        // A map of JSON values always serialises.
        self.metadata
            .as_ref()
            .map(|m| serde_json::to_string(m).unwrap_or_default())
    }

    /// Wire names of the fields this update sets, in body order.
    pub fn fields(&self) -> Fields {
        fields_present(
            self.outcome.is_some(),
            self.value.is_some(),
            self.metadata.is_some(),
        )
    }

    /// The body as a JSON object: only the given fields, in the order outcome, value, metadata.
    pub fn body(&self) -> Value {
        let mut body = Map::new();
        if let Some(outcome) = &self.outcome {
            body.insert(FIELD_OUTCOME.into(), Value::String(outcome.clone()));
        }
        if let Some(value) = &self.value {
            body.insert(FIELD_VALUE.into(), Value::Number(value.clone()));
        }
        if let Some(metadata) = &self.metadata {
            body.insert(FIELD_METADATA.into(), Value::Object(metadata.clone()));
        }
        Value::Object(body)
    }

    /// A one-line description of what will be set, for confirmations and summaries.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(outcome) = &self.outcome {
            parts.push(format!("outcome \"{outcome}\""));
        }
        if let Some(value) = &self.value {
            parts.push(format!("value {value}"));
        }
        if let Some(metadata) = &self.metadata {
            let n = metadata.len();
            parts.push(format!(
                "metadata ({n} key{})",
                if n == 1 { "" } else { "s" }
            ));
        }
        parts.join(", ")
    }
}

/// The wire names of the fields an update sets, in body order: a slice (`Deref`) kept on the
/// stack, since a batch asks for it once a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fields {
    names: [&'static str; 3],
    len: usize,
}

impl std::ops::Deref for Fields {
    type Target = [&'static str];

    fn deref(&self) -> &Self::Target {
        &self.names[..self.len]
    }
}

/// The wire names of the fields that are there, in body order.
pub fn fields_present(outcome: bool, value: bool, metadata: bool) -> Fields {
    let mut fields = Fields {
        names: [""; 3],
        len: 0,
    };
    for (present, name) in [
        (outcome, FIELD_OUTCOME),
        (value, FIELD_VALUE),
        (metadata, FIELD_METADATA),
    ] {
        if present {
            fields.names[fields.len] = name;
            fields.len += 1;
        }
    }
    fields
}

/// Raw input, as typed. Empty optional fields mean "not sent".
#[derive(Clone, Debug, Default)]
pub struct UpdateInput<'a> {
    pub agent: &'a str,
    pub target: &'a str,
    /// `None` when not given; the form passes its toggle only for phone targets.
    pub preference: Option<&'a str>,
    pub outcome: &'a str,
    pub value: &'a str,
    pub metadata: &'a str,
    pub rules: Rules,
    /// What the target is known to be: a `--call` flag or a `call_id` column is a call ID even
    /// when it is all digits; the form's one field is read by its look.
    pub kind: TargetKind,
}

/// Where the target came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TargetKind {
    /// One field for both: `+…` or digits that look like a number are a phone.
    #[default]
    Either,
    CallId,
    Phone,
}

/// How forgiving to be with what people type: the form reads numbers as people paste them,
/// the command line stays strict unless `--lenient`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rules {
    /// Where phone numbers typed without `+` are from.
    pub region: Region,
    /// Accept `$1,299.00` as 1299.00.
    pub lenient_value: bool,
}

/// Checks every field and returns the typed update, or every problem found (not just the first).
pub fn validate(input: &UpdateInput<'_>) -> Result<OutcomeUpdate, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut fail = |field: Field, message: String| errors.push(FieldError { field, message });

    let agent = check_id(input.agent, "Agent", "agent123")
        .map(AgentId)
        .map_err(|m| fail(Field::Agent, m))
        .ok();

    let preference = match input.preference.map(Preference::parse) {
        None => None,
        Some(Ok(p)) => Some(p),
        Some(Err(m)) => {
            fail(Field::Preference, m);
            None
        }
    };
    let target = match input.kind {
        TargetKind::Either => parse_target(input.target, input.rules.region),
        TargetKind::CallId => {
            check_id(input.target, "Call ID", "call456").map(|id| Target::CallId(CallId(id)))
        }
        TargetKind::Phone => {
            E164::normalise(input.target, input.rules.region).map(|phone| Target::Phone {
                phone,
                preference: Preference::Last,
            })
        }
    };
    let target = match target {
        Ok(Target::Phone { phone, .. }) => Some(Target::Phone {
            phone,
            preference: preference.unwrap_or_default(),
        }),
        Ok(Target::CallId(id)) => {
            if input.preference.is_some() {
                fail(
                    Field::Preference,
                    "Preference (first/last) only applies to a phone number target, not to a \
                     call ID; leave it out"
                        .to_string(),
                );
            }
            Some(Target::CallId(id))
        }
        Err(m) => {
            fail(Field::Target, m);
            None
        }
    };

    let outcome = check_outcome(input.outcome).map_err(|m| fail(Field::Outcome, m));
    let value = if input.rules.lenient_value {
        parse_value_lenient(input.value)
    } else {
        parse_value(input.value)
    }
    .map_err(|m| fail(Field::Value, m));
    let metadata = parse_metadata(input.metadata).map_err(|m| fail(Field::Metadata, m));

    if let (Ok(None), Ok(None), Ok(None)) = (&outcome, &value, &metadata) {
        fail(
            Field::Outcome,
            "Nothing to set: give at least one of outcome, value or metadata (e.g. outcome Sold)"
                .to_string(),
        );
    }

    match (agent, target, outcome, value, metadata) {
        (Some(agent), Some(target), Ok(outcome), Ok(value), Ok(metadata)) if errors.is_empty() => {
            Ok(OutcomeUpdate {
                agent,
                target,
                outcome,
                value,
                metadata,
            })
        }
        _ => Err(errors),
    }
}

/// An agent or call id: required, at most 128 characters, no whitespace, control or invisible
/// characters, and not `.` or `..` (which a URL would read as "this folder" or "the folder above").
fn check_id(text: &str, what: &str, example: &str) -> Result<String, String> {
    if text.is_empty() {
        return Err(format!("{what} is required, e.g. {example}"));
    }
    if let Some(c) = text.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "{what} cannot contain {} (got {})",
            describe_char(c),
            shorten(text)
        ));
    }
    // Invisible characters make an id look like another ("call\u{202e}654" shows as call456).
    if let Some((at, c)) = super::invisible::find(text) {
        return Err(format!(
            "{what} has an invisible character ({}) at position {at}: it cannot be seen but \
             makes this another id; type the id again instead of pasting it",
            super::invisible::describe(c)
        ));
    }
    let n = text.chars().count();
    if n > MAX_ID_CHARS {
        return Err(format!(
            "{what} is too long: at most {MAX_ID_CHARS} characters (got {n})"
        ));
    }
    if text == "." || text == ".." {
        return Err(format!("{what} cannot be \"{text}\", e.g. {example}"));
    }
    Ok(text.to_string())
}

/// A call id, or a phone number when it starts with `+` or reads as one
/// ([`reads_as_phone`]: short digits are a call ID, and `read_as_call_id` says so).
pub fn parse_target(text: &str, region: Region) -> Result<Target, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("Call ID or phone is required, e.g. call456 or +14155551234".to_string());
    }
    if reads_as_phone(trimmed, region) {
        return E164::normalise(trimmed, region).map(|phone| Target::Phone {
            phone,
            preference: Preference::Last,
        });
    }
    check_id(text, "Call ID", "call456").map(|id| Target::CallId(CallId(id)))
}

fn check_outcome(text: &str) -> Result<Option<String>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    // A bidirectional override or isolate makes the label show as another ("So\u{202e}ld").
    if let Some(c) = text.chars().find(|c| super::inert::is_live(*c)) {
        return Err(format!(
            "Outcome cannot contain {} (got {})",
            describe_char(c),
            shorten(text)
        ));
    }
    if text.trim().is_empty() {
        return Err("Outcome is only spaces: type a label such as Sold, or leave it empty".into());
    }
    let n = text.chars().count();
    if n > MAX_OUTCOME_CHARS {
        return Err(format!(
            "Outcome is too long: at most {MAX_OUTCOME_CHARS} characters (got {n}); an outcome \
             is a short label such as Sold, and notes go in the metadata"
        ));
    }
    if text.trim() != text {
        return Err(format!(
            "Outcome has spaces at the start or end, which would make \"{}\" a different label: \
             remove them",
            shorten(text.trim())
        ));
    }
    Ok(Some(text.to_string()))
}

/// A finite JSON number: `299`, `-5`, `299.99`, `1e3`. Integers stay integers on the wire.
pub fn parse_value(text: &str) -> Result<Option<Number>, String> {
    let trimmed = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let hint = "write a plain number such as 299, 0, -5 or 299.99";
    if trimmed.is_empty() {
        return Err(format!("Value is only spaces: {hint}, or leave it empty"));
    }
    let lower = trimmed.to_ascii_lowercase();
    let reason = if lower.contains("nan") || lower.contains("inf") {
        Some("is not a finite number")
    } else if trimmed.starts_with(['$', '€', '£']) || trimmed.contains(',') {
        Some("must be a plain number without currency signs or thousands separators")
    } else if lower.starts_with("0x") || lower.starts_with("-0x") {
        Some("must be a decimal number, not hexadecimal")
    } else if trimmed.starts_with('+') {
        Some("must not start with +")
    } else if trimmed.starts_with('.') || trimmed.starts_with("-.") {
        Some("needs a digit before the decimal point (e.g. 0.5)")
    } else {
        None
    };
    if let Some(reason) = reason {
        return Err(format!("Value {reason}: {hint} (got {})", shorten(trimmed)));
    }
    match serde_json::from_str::<Number>(trimmed) {
        Ok(n) => match n.as_f64() {
            // `-0` would go out as the float -0.0: send plain zero, as typed without the sign.
            Some(f) if f == 0.0 && f.is_sign_negative() => {
                Ok(serde_json::from_str::<Number>(&trimmed[1..]).ok())
            }
            Some(f) if f.is_finite() => match super::exact::changed(trimmed, &n) {
                // Never a different number than the one typed.
                Some(sent) => Err(format!(
                    "Value {} cannot be sent exactly: {}",
                    shorten(trimmed),
                    super::exact::reason(trimmed, &sent)
                )),
                None => Ok(Some(n)),
            },
            _ => Err(format!("Value is too large (got {})", shorten(trimmed))),
        },
        Err(e) if e.to_string().contains("out of range") => Err(format!(
            "Value is too large to be a number (got {})",
            shorten(trimmed)
        )),
        Err(_) => Err(format!(
            "Value is not a number: {hint} (got {})",
            shorten(trimmed)
        )),
    }
}

/// A value as people paste it: a leading currency sign (`$`, `€`, `£`) and thousands separators
/// (`1,299.00`) are dropped, then the strict rules apply. Commas must group thousands, so
/// `1,29` (a decimal comma) is refused rather than read as 129.
pub fn parse_value_lenient(text: &str) -> Result<Option<Number>, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return parse_value(text);
    }
    let currency = trimmed.contains(['$', '€', '£']);
    let unsigned = trimmed
        .strip_prefix(['$', '€', '£'])
        .map_or(trimmed, str::trim_start);
    let (sign, rest) = match unsigned.strip_prefix('-') {
        Some(rest) => ("-", rest.trim_start_matches(['$', '€', '£'])),
        None => ("", unsigned),
    };
    if rest.contains(',') {
        let (whole, fraction) = rest.split_once('.').unwrap_or((rest, ""));
        let mut groups = whole.split(',');
        let first = groups.next().unwrap_or("");
        let grouped = !fraction.contains(',')
            && (1..=3).contains(&first.len())
            && first.chars().all(|c| c.is_ascii_digit())
            && groups.all(|g| g.len() == 3 && g.chars().all(|c| c.is_ascii_digit()));
        if !grouped {
            return Err(format!(
                "Value has a comma that does not separate thousands: write 1,299.00 or 1299.00, \
                 with a dot for decimals (got {})",
                shorten(trimmed)
            ));
        }
        if rest.contains(['e', 'E']) {
            return Err(format!(
                "Value mixes thousands separators with an exponent: write it as a plain number \
                 such as 1234500 (got {})",
                shorten(trimmed)
            ));
        }
    } else if currency
        && let Some((_, fraction)) = rest.split_once('.')
        && fraction.len() == 3
        && fraction.chars().all(|c| c.is_ascii_digit())
    {
        // €1.000 is one thousand in much of Europe and 1.0 in the US: do not guess.
        return Err(format!(
            "Value {} could mean one or one thousand: write 1000 for a thousand, or 1.00 for one \
             (got {})",
            shorten(trimmed),
            shorten(trimmed)
        ));
    }
    let plain = format!("{sign}{}", rest.replace(',', ""));
    if rest.is_empty() {
        return Err(format!(
            "Value has no digits: write a number such as 299 or $1,299.00 (got {})",
            shorten(trimmed)
        ));
    }
    parse_value(&plain).map_err(|e| match e.rfind(" (got ") {
        Some(at) => format!("{} (got {})", &e[..at], shorten(trimmed)),
        None => e,
    })
}

/// Metadata text: empty means "not sent"; otherwise a JSON object of at most 64 KiB.
pub fn parse_metadata(text: &str) -> Result<Option<Map<String, Value>>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    if text.len() > 4 * MAX_METADATA_BYTES {
        return Err(format!(
            "Metadata is too large: at most {} KiB (got {} KiB)",
            MAX_METADATA_BYTES / 1024,
            text.len() / 1024
        ));
    }
    // Read with each key checked (a key twice would keep only the last), then each number
    // (one that would arrive as another number is refused).
    let value: Value = match serde_json::from_str::<super::exact::Strict>(text) {
        Ok(v) => v.0,
        Err(e) if e.classify() == serde_json::error::Category::Data => {
            let raw = e.to_string();
            let what = raw.split(" at line ").next().unwrap_or(&raw);
            return Err(format!(
                "{what} (line {}, column {}): {}",
                e.line(),
                e.column(),
                if what.starts_with(super::exact::DUPLICATE) {
                    "keep the one to send and remove the other"
                } else {
                    "a key names what its value is, e.g. \"notes\""
                }
            ));
        }
        Err(e) => return Err(json_error_message(&e, text)),
    };
    if let Some((number, line, column, sent)) = super::exact::first_changed_number(text) {
        return Err(format!(
            "Metadata number {} (line {line}, column {column}) cannot be sent exactly: it would \
             arrive as {sent}; put it in double quotes to keep it as text",
            shorten(&number)
        ));
    }
    let Value::Object(map) = value else {
        let kind = match value {
            Value::Array(_) => "a list [...]",
            Value::String(_) => "a string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "true/false",
            _ => "null",
        };
        return Err(format!(
            "Metadata must be a JSON object such as {{\"campaign\": \"spring_2026\"}} (got {kind})"
        ));
    };
    let size = serde_json::to_string(&map).map_or(usize::MAX, |s| s.len());
    if size > MAX_METADATA_BYTES {
        return Err(format!(
            "Metadata is too large: at most {} KiB (got {} KiB)",
            MAX_METADATA_BYTES / 1024,
            size.div_ceil(1024)
        ));
    }
    Ok(Some(map))
}

/// Where the JSON went wrong, as `line:col`, with serde's reason in plainer words (`text` is
/// what was read: text that is no object at all is told apart from a value not in quotes).
pub fn json_error_message(e: &serde_json::Error, text: &str) -> String {
    let an_object = text.trim_start().starts_with(['{', '[']);
    let raw = e.to_string();
    let reason = raw.split(" at line ").next().unwrap_or(&raw);
    let reason = match reason {
        "recursion limit exceeded" => "nested too deeply".to_string(),
        r if r.starts_with("EOF while parsing") => {
            "the JSON ends too early (missing } or ])".into()
        }
        r if r.starts_with("key must be a string") => "keys must be in double quotes".into(),
        // Text where JSON was expected: plain words, a key=value line, a value not in quotes.
        "expected ident" | "expected value" if an_object => {
            "a value must be a number, true, false, null or text in double quotes".into()
        }
        "expected ident" | "expected value" => {
            "this is not JSON: write an object such as {\"notes\": \"called back\"} (text \
             in double quotes); in the workbench, key=value lines and Ctrl+O make one"
                .into()
        }
        r if r.starts_with("trailing characters") => {
            "something follows the JSON object: one object only, {...}".into()
        }
        r if r.starts_with("expected `:`") => "a key must be followed by : and its value".into(),
        r if r.starts_with("expected `,` or `}`") => {
            "a , or the closing } is missing between two entries".into()
        }
        r if r.starts_with("trailing comma") => "remove the , before the closing }".into(),
        r => r.to_string(),
    };
    format!(
        "Metadata is not valid JSON at line {}, column {}: {reason}",
        e.line(),
        e.column()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// serde_json's reasons are for programmers ("expected ident"): the common ones are said in
    /// words a person can act on, with where it went wrong.
    #[test]
    fn json_mistakes_are_said_in_plain_words() {
        for (text, words) in [
            ("not json", "this is not JSON: write an object such as"),
            (
                "notes=called back",
                "this is not JSON: write an object such as",
            ),
            (r#"{"a":1}x"#, "something follows the JSON object"),
            (
                "{\"campaign\": spring}",
                "a value must be a number, true, false, null or text in double quotes",
            ),
            (r#"{"a" 1}"#, "a key must be followed by : and its value"),
            (r#"{"a":1 "b":2}"#, "a , or the closing } is missing"),
            (r#"{"a":1,}"#, "remove the , before the closing }"),
        ] {
            let e = serde_json::from_str::<Value>(text).unwrap_err();
            let message = json_error_message(&e, text);
            assert!(message.contains(words), "{text}: {message}");
            assert!(message.starts_with("Metadata is not valid JSON at line 1, column "));
        }
    }

    fn input<'a>(agent: &'a str, target: &'a str, outcome: &'a str) -> UpdateInput<'a> {
        UpdateInput {
            agent,
            target,
            outcome,
            ..UpdateInput::default()
        }
    }

    fn errors_of(input: &UpdateInput<'_>) -> Vec<FieldError> {
        validate(input).expect_err("should be invalid")
    }

    fn only_error(input: &UpdateInput<'_>, field: Field) -> String {
        let errs = errors_of(input);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].field, field, "{errs:?}");
        errs[0].message.clone()
    }

    #[test]
    fn a_call_id_update() {
        let u = validate(&input("agent123", "call456", "Sold")).unwrap();
        assert_eq!(u.target, Target::CallId(CallId("call456".into())));
        assert_eq!(u.fields().to_vec(), vec![FIELD_OUTCOME]);
    }

    #[test]
    fn a_phone_update_defaults_to_last() {
        let u = validate(&input("agent123", "+1 415 555 1234", "Sold")).unwrap();
        assert_eq!(u.target.as_str(), "+14155551234");
        assert_eq!(u.target.preference(), Some(Preference::Last));
        let mut i = input("agent123", "+14155551234", "Sold");
        i.preference = Some("first");
        assert_eq!(
            validate(&i).unwrap().target.preference(),
            Some(Preference::First)
        );
    }

    #[test]
    fn agent_rules() {
        assert!(only_error(&input("", "call456", "Sold"), Field::Agent).contains("required"));
        assert!(only_error(&input("agent 1", "call456", "Sold"), Field::Agent).contains("space"));
        assert!(
            only_error(&input("a\u{7}b", "call456", "Sold"), Field::Agent)
                .contains("control character")
        );
        let long = "a".repeat(129);
        assert!(only_error(&input(&long, "call456", "Sold"), Field::Agent).contains("too long"));
        assert!(validate(&input(&"a".repeat(128), "call456", "Sold")).is_ok());
        assert!(only_error(&input("..", "call456", "Sold"), Field::Agent).contains("cannot be"));
    }

    #[test]
    fn lenient_values_read_what_people_paste() {
        let read = |t: &str| parse_value_lenient(t).map(|n| n.map(|n| n.to_string()));
        assert_eq!(read("1,299.00"), Ok(Some("1299.0".into())));
        assert_eq!(read("$299"), Ok(Some("299".into())));
        assert_eq!(read("$ 1,299"), Ok(Some("1299".into())));
        assert_eq!(read("-$5"), Ok(Some("-5".into())));
        assert_eq!(read("€12,345,678.5"), Ok(Some("12345678.5".into())));
        assert_eq!(read(""), Ok(None));
        for (bad, says) in [
            ("1,29", "comma that does not separate thousands"),
            ("1.299,00", "comma that does not separate thousands"),
            (",299", "comma that does not separate thousands"),
            ("$", "no digits"),
            ("$abc", "not a number"),
            ("$NaN", "not a finite number"),
            ("€1.000", "could mean one or one thousand"),
            ("1,234.5e3", "exponent"),
            ("-$ -5", "(got -$ -5)"),
        ] {
            let e = read(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
        // The strict reading (the command line without --lenient) refuses them all.
        assert!(parse_value("$299").is_err());
        assert!(parse_value("1,299.00").is_err());
    }

    #[test]
    fn target_rules() {
        assert!(only_error(&input("a", "", "Sold"), Field::Target).contains("required"));
        assert!(
            only_error(&input("a", "415 5555", "Sold"), Field::Target).contains("too short for US")
        );
        // National numbers are read in the default region.
        assert_eq!(
            validate(&input("a", "(415) 555-1234", "Sold"))
                .unwrap()
                .target
                .as_str(),
            "+14155551234"
        );
        assert!(only_error(&input("a", "call 456", "Sold"), Field::Target).contains("space"));
        assert!(only_error(&input("a", ".", "Sold"), Field::Target).contains("cannot be"));
        // Slashes and other URL characters are allowed in ids: they are escaped on the wire.
        assert!(validate(&input("a/b", "c?d#e%f", "Sold")).is_ok());
    }

    #[test]
    fn preference_rules() {
        let mut i = input("a", "call456", "Sold");
        i.preference = Some("first");
        assert!(only_error(&i, Field::Preference).contains("only applies to a phone"));
        let mut i = input("a", "+14155551234", "Sold");
        i.preference = Some("middle");
        assert!(only_error(&i, Field::Preference).contains("first or last"));
    }

    #[test]
    fn outcome_rules() {
        assert!(
            only_error(&input("a", "c", "So\nld"), Field::Outcome).contains("control character")
        );
        // A label that shows as another: "So\u{202e}ld" reads "Sold" where it is typed.
        for hidden in ["So\u{202e}ld", "Sold\u{2066}", "\u{202b}Sold"] {
            let e = only_error(&input("a", "c", hidden), Field::Outcome);
            assert!(e.contains("a bidirectional control (U+"), "{e}");
            assert!(!e.chars().any(crate::inert::is_live), "{e:?}");
        }
        assert!(only_error(&input("a", "c", "   "), Field::Outcome).contains("only spaces"));
        assert!(only_error(&input("a", "c", "Sold "), Field::Outcome).contains("start or end"));
        assert!(only_error(&input("a", "c", ""), Field::Outcome).contains("Nothing to set"));
    }

    #[test]
    fn value_rules() {
        for ok in ["299", "-5", "299.99", "1e3", "0"] {
            assert!(parse_value(ok).unwrap().is_some(), "{ok}");
        }
        assert_eq!(parse_value("299").unwrap().unwrap().to_string(), "299");
        assert_eq!(parse_value("299.5").unwrap().unwrap().to_string(), "299.5");
        assert_eq!(parse_value("").unwrap(), None);
        assert_eq!(parse_value("-0").unwrap().unwrap().to_string(), "0");
        assert_eq!(parse_value("-0.0").unwrap().unwrap().to_string(), "0.0");
        // Correctly rounded: what goes out reads back as the number typed.
        let big = format!("-41269549744584343{}", "0".repeat(182));
        assert_eq!(
            parse_value(&big).unwrap().unwrap().as_f64(),
            big.parse::<f64>().ok()
        );
        for (bad, says) in [
            ("$299", "currency"),
            ("NaN", "finite"),
            ("inf", "finite"),
            ("1e400", "too large"),
            ("12abc", "not a number"),
            ("0x10", "hexadecimal"),
            ("1,299", "thousands"),
            (".5", "before the decimal point"),
            ("+5", "must not start with +"),
            ("  ", "only spaces"),
        ] {
            let err = parse_value(bad).unwrap_err();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn metadata_rules() {
        let m = parse_metadata(r#"{"b":1,"a":2}"#).unwrap().unwrap();
        assert_eq!(
            m.keys().collect::<Vec<_>>(),
            ["b", "a"],
            "typed order is kept"
        );
        assert_eq!(parse_metadata("  \n").unwrap(), None);
        let err = parse_metadata("{\n  \"a\": 1,\n  oops\n}").unwrap_err();
        assert!(err.contains("line 3, column 3"), "{err}");
        assert!(parse_metadata("[1,2]").unwrap_err().contains("a list"));
        assert!(parse_metadata("\"x\"").unwrap_err().contains("a string"));
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(
            parse_metadata(&deep)
                .unwrap_err()
                .contains("nested too deeply")
        );
        let big = format!(r#"{{"notes":"{}"}}"#, "x".repeat(70_000));
        assert!(parse_metadata(&big).unwrap_err().contains("too large"));
    }

    #[test]
    fn all_errors_are_reported_at_once() {
        let errs = errors_of(&UpdateInput {
            agent: "",
            target: "",
            value: "abc",
            ..UpdateInput::default()
        });
        let fields: Vec<Field> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, [Field::Agent, Field::Target, Field::Value]);
    }
}
