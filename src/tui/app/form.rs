//! The form's editors, and what its metadata text is.

use ratatui::style::{Modifier, Style};
use ratatui_textarea::{TextArea, WrapMode};

use super::Focus;
use crate::api::phone::{Region, reads_as_phone};
use crate::api::update::{Field, Preference, TargetKind, parse_metadata};

/// The form's editors. Single-line fields are one-line `TextArea`s for their editing keys.
#[derive(Clone, Debug)]
pub struct Form {
    pub agent: TextArea<'static>,
    pub target: TextArea<'static>,
    pub preference: Preference,
    pub outcome: TextArea<'static>,
    pub value: TextArea<'static>,
    pub metadata: TextArea<'static>,
    /// What the target field holds when a file's column said so (`call_id`, `phone`);
    /// otherwise read by its look.
    pub target_kind: TargetKind,
}

impl Default for Form {
    fn default() -> Self {
        let field = |placeholder: &str| {
            let mut t = TextArea::default();
            t.set_placeholder_text(placeholder);
            t.set_cursor_line_style(Style::default());
            t
        };
        Self {
            agent: field("e.g. agent123"),
            target: field("call ID (call456) or phone (+14155551234)"),
            preference: Preference::Last,
            outcome: field("e.g. Sold (optional)"),
            value: field("e.g. 299 (optional)"),
            metadata: {
                let mut m = field("{\"campaign\": \"spring_2026\"}  (optional JSON object)");
                m.set_wrap_mode(WrapMode::WordOrGlyph);
                m
            },
            target_kind: TargetKind::Either,
        }
    }
}

impl Form {
    /// Ready for the next call after a successful send: the agent, preference and outcome
    /// label stay (and the metadata when configured); the call and the value, which belong to
    /// one call only, are cleared.
    pub fn clear_for_next(&mut self, keep_metadata: bool) {
        let fresh = Form::default();
        self.target = fresh.target;
        self.target_kind = TargetKind::Either;
        self.value = fresh.value;
        if !keep_metadata {
            self.metadata = fresh.metadata;
        }
    }

    /// Replaces the metadata text (format, template), cursor at (row, col). Two undos bring the
    /// previous text back (the editor records the removal and the insertion apart).
    pub fn set_metadata(&mut self, text: &str, cursor: (usize, usize)) {
        self.metadata.select_all();
        self.metadata.insert_str(text);
        self.metadata
            .move_cursor(ratatui_textarea::CursorMove::Jump(
                u16::try_from(cursor.0).unwrap_or(u16::MAX),
                u16::try_from(cursor.1).unwrap_or(u16::MAX),
            ));
    }

    /// Everything in the form, to tell whether it changed.
    pub fn snapshot(&self) -> String {
        [
            Field::Agent,
            Field::Target,
            Field::Preference,
            Field::Outcome,
            Field::Value,
            Field::Metadata,
        ]
        .map(|f| self.text(f))
        .join("\u{1f}")
    }

    pub fn text(&self, field: Field) -> String {
        match field {
            Field::Agent => self.agent.lines().join(""),
            Field::Target => self.target.lines().join(""),
            Field::Preference => self.preference.as_str().to_string(),
            Field::Outcome => self.outcome.lines().join(""),
            Field::Value => self.value.lines().join(""),
            Field::Metadata => self.metadata.lines().join("\n"),
        }
    }

    pub fn editor_mut(&mut self, focus: Focus) -> Option<&mut TextArea<'static>> {
        match focus {
            Focus::Agent => Some(&mut self.agent),
            Focus::Target => Some(&mut self.target),
            Focus::Outcome => Some(&mut self.outcome),
            Focus::Value => Some(&mut self.value),
            Focus::Metadata => Some(&mut self.metadata),
            Focus::Preference | Focus::History | Focus::Filter | Focus::Queue | Focus::Calls => {
                None
            }
        }
    }

    /// Preference only means something for a phone number (read as `validate` reads it, with
    /// the form's `region`).
    pub fn target_is_phone(&self, region: Region) -> bool {
        match self.target_kind {
            TargetKind::CallId => false,
            TargetKind::Phone => true,
            TargetKind::Either => reads_as_phone(&self.text(Field::Target), region),
        }
    }

    /// Shows the cursor in the focused editor only.
    pub fn show_cursor_in(&mut self, focus: Focus) {
        for f in [
            Focus::Agent,
            Focus::Target,
            Focus::Outcome,
            Focus::Value,
            Focus::Metadata,
        ] {
            let style = if f == focus {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default()
            };
            if let Some(editor) = self.editor_mut(f) {
                editor.set_cursor_style(style);
            }
        }
        self.metadata.set_cursor_line_style(Style::default());
    }

    pub(super) fn input(&self) -> (String, String, String, String, String) {
        (
            self.text(Field::Agent),
            self.text(Field::Target),
            self.text(Field::Outcome),
            self.text(Field::Value),
            self.text(Field::Metadata),
        )
    }
}

/// What the metadata text is, for the editor's error mark, its label and the preview: parsed
/// once per change of the text, not on every frame.
#[derive(Clone, Debug, PartialEq)]
pub struct MetadataCheck {
    /// The text this was worked out for.
    pub text: String,
    /// No metadata, a JSON object with this many keys, or why it is not one.
    pub parsed: Result<Option<usize>, String>,
    /// Where the JSON parser stopped (line, char), for the mark in the editor.
    pub error_at: Option<(usize, usize)>,
    /// `key=value` lines (people who do not write JSON): Ctrl+O or Ctrl+S make JSON of them.
    pub key_values: bool,
    /// … and the JSON made of them is sound.
    pub convertible: bool,
}

impl Default for MetadataCheck {
    fn default() -> Self {
        Self::of(String::new())
    }
}

impl MetadataCheck {
    pub fn of(text: String) -> Self {
        let parsed = parse_metadata(&text).map(|m| m.map(|map| map.len()));
        let error_at = crate::tui::json::error_position(&text);
        let key_values = crate::tui::json::has_key_value_lines(&text);
        let convertible = key_values && crate::tui::json::format(&text).is_ok();
        Self {
            text,
            parsed,
            error_at,
            key_values,
            convertible,
        }
    }
}
