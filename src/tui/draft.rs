//! The form kept as a draft in the data folder, so typed work survives a quit or a crash:
//! `Draft` (what the form holds, pure) and `load`/`save` (the file, run by the runtime only).
//! The file is `draft.json`, owner-only (0600); it holds the form's text and the profile's name
//! (never the key, which is not in the form).

use std::io::Write as _;
use std::path::Path;

use ratatui_textarea::TextArea;
use serde::{Deserialize, Serialize};

use super::app::Form;
use crate::api::update::{Field, Preference, TargetKind};

/// The draft's file name in the data folder.
pub const FILE: &str = "draft.json";

/// What the form holds, as text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Draft {
    pub agent: String,
    pub target: String,
    /// `call_id` or `phone` when a batch file's column said so; otherwise empty.
    pub target_kind: String,
    pub preference: String,
    pub outcome: String,
    pub value: String,
    pub metadata: String,
    /// The profile the form was typed on (empty in a draft from before this was kept).
    pub profile: String,
}

impl Draft {
    pub fn of(form: &Form) -> Self {
        Self {
            agent: form.text(Field::Agent),
            target: form.text(Field::Target),
            target_kind: match form.target_kind {
                TargetKind::Either => String::new(),
                TargetKind::CallId => "call_id".to_string(),
                TargetKind::Phone => "phone".to_string(),
            },
            preference: form.preference.as_str().to_string(),
            outcome: form.text(Field::Outcome),
            value: form.text(Field::Value),
            metadata: form.text(Field::Metadata),
            profile: String::new(),
        }
    }

    /// Puts the draft in `form`, each editor's cursor at the end of its text.
    pub fn fill(&self, form: &mut Form) {
        let put = |editor: &mut TextArea<'static>, text: &str| {
            // A fresh editor (restoring is not an edit to undo), with the old one's look.
            let mut fresh = TextArea::from(text.lines().map(str::to_string).collect::<Vec<_>>());
            fresh.set_placeholder_text(editor.placeholder_text().to_string());
            fresh.set_cursor_line_style(ratatui::style::Style::default());
            fresh.set_wrap_mode(editor.wrap_mode());
            fresh.move_cursor(ratatui_textarea::CursorMove::Bottom);
            fresh.move_cursor(ratatui_textarea::CursorMove::End);
            *editor = fresh;
        };
        put(&mut form.agent, &self.agent);
        put(&mut form.target, &self.target);
        put(&mut form.outcome, &self.outcome);
        put(&mut form.value, &self.value);
        put(&mut form.metadata, &self.metadata);
        form.preference = Preference::parse(&self.preference).unwrap_or_default();
        form.target_kind = match self.target_kind.as_str() {
            "call_id" => TargetKind::CallId,
            "phone" => TargetKind::Phone,
            _ => TargetKind::Either,
        };
    }
}

/// The draft in `dir`, if there is one.
pub fn load(dir: &Path) -> Result<Option<Draft>, String> {
    let path = dir.join(FILE);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| format!("{} is not a draft this version reads ({e})", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Writes the draft (owner-only, replacing the old one whole), or removes it for `None`.
pub fn save(dir: &Path, draft: Option<&Draft>) -> std::io::Result<()> {
    let path = dir.join(FILE);
    let Some(draft) = draft else {
        return match std::fs::remove_file(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            other => other,
        };
    };
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!("{FILE}.tmp"));
    // A leftover from a crash may have other permissions: start afresh.
    match std::fs::remove_file(&tmp) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp)?;
    file.write_all(&serde_json::to_vec_pretty(draft).map_err(std::io::Error::other)?)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, &path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_goes_to_an_owner_only_file_and_comes_back() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        assert_eq!(load(&data), Ok(None));
        let draft = Draft {
            agent: "agent123".into(),
            target: "+14155551234".into(),
            target_kind: "phone".into(),
            preference: "first".into(),
            outcome: "Sold".into(),
            value: "$299".into(),
            metadata: "{\n  \"a\": 1\n}".into(),
            profile: "sandbox".into(),
        };
        save(&data, Some(&draft)).unwrap();
        assert_eq!(load(&data), Ok(Some(draft.clone())));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(data.join(FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let mut form = Form::default();
        draft.fill(&mut form);
        assert_eq!(
            Draft {
                profile: draft.profile.clone(),
                ..Draft::of(&form)
            },
            draft
        );
        save(&data, None).unwrap();
        assert!(!data.join(FILE).exists());
        save(&data, None).unwrap();
        std::fs::write(data.join(FILE), "not json").unwrap();
        assert!(load(&data).unwrap_err().contains("draft.json"));
    }
}
