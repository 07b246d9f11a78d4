//! The batch path prompt's Tab completion: `list` reads the folder a typed path points into
//! (IO: only the runtime calls it, for `Effect::CompletePath`) and says what Tab makes of it.

use std::path::{Path, PathBuf};

/// At most this many names are listed under the prompt.
pub const MAX_CHOICES: usize = 12;

/// What Tab found for `typed`: the folder relative paths start in, the completed text (if Tab
/// adds something), the names that match, or why nothing does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathListing {
    /// The text this answers (an answer for older text is dropped).
    pub typed: String,
    /// Where a relative path starts: the workbench's working folder.
    pub folder: String,
    /// The typed text completed as far as every match agrees.
    pub completed: Option<String>,
    /// The matching names (folders end in `/`) when there are several.
    pub choices: Vec<String>,
    /// How many matched in all (`choices` holds at most `MAX_CHOICES`).
    pub matches: usize,
    /// Why nothing was completed (no match, the folder cannot be read).
    pub note: Option<String>,
    /// Tab asked (rather than the prompt opening, which only wants the folder).
    pub apply: bool,
}

/// The folder `typed` points into, as (the typed folder part, where it is on disk).
fn folder_of(cwd: &Path, home: Option<&Path>, typed: &str) -> (String, PathBuf) {
    let dir_part = typed.rfind('/').map_or("", |i| &typed[..=i]).to_string();
    let disk = if dir_part.is_empty() {
        cwd.to_path_buf()
    } else if let (Some(rest), Some(home)) = (dir_part.strip_prefix("~/"), home) {
        home.join(rest)
    } else {
        cwd.join(&dir_part)
    };
    (dir_part, disk)
}

/// Lists the folder `typed` points into and completes its last part: one match whole (a
/// folder with its `/`), several as far as they agree, with their names. Hidden names only
/// when the typed part starts with a dot.
pub fn list(cwd: &Path, home: Option<&Path>, typed: &str, apply: bool) -> PathListing {
    let mut out = PathListing {
        typed: typed.to_string(),
        folder: cwd.display().to_string(),
        apply,
        ..PathListing::default()
    };
    if !apply {
        return out;
    }
    let plain = unquoted(typed);
    let (dir_part, disk) = folder_of(cwd, home, &plain);
    let prefix = &plain[dir_part.len()..];
    let entries = match std::fs::read_dir(&disk) {
        Ok(e) => e,
        Err(e) => {
            out.note = Some(format!("Cannot list {}: {e}", disk.display()));
            return out;
        }
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            if !name.starts_with(prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
                return None;
            }
            // A link to a folder is a folder here.
            let dir = std::fs::metadata(e.path()).is_ok_and(|m| m.is_dir());
            Some(if dir { format!("{name}/") } else { name })
        })
        .collect();
    names.sort();
    out.matches = names.len();
    match names.as_slice() {
        [] => {
            out.note = Some(if prefix.is_empty() {
                format!("{} is empty", disk.display())
            } else {
                format!("Nothing in {} starts with {prefix}", disk.display())
            });
        }
        [one] => out.completed = Some(format!("{dir_part}{one}")),
        several => {
            let shared = common_prefix(several);
            if shared.len() > prefix.len() {
                out.completed = Some(format!("{dir_part}{shared}"));
            }
            out.choices = several.iter().take(MAX_CHOICES).cloned().collect();
        }
    }
    out
}

/// The path a shell user means: an opening quote (and its closing one) dropped, `\ ` read as a
/// space, `~` alone as the home folder. Enter opens such a path as typed (a file dropped on the
/// terminal arrives like this), so Tab reads it the same way; what it completes is plain.
fn unquoted(typed: &str) -> String {
    let plain = match typed.strip_prefix(['\'', '"']) {
        Some(rest) => rest.strip_suffix(['\'', '"']).unwrap_or(rest).to_string(),
        None => typed.replace("\\ ", " "),
    };
    if plain == "~" {
        "~/".to_string()
    } else {
        plain
    }
}

/// The longest start every name shares (whole characters).
pub fn common_prefix(names: &[String]) -> String {
    let Some(first) = names.first() else {
        return String::new();
    };
    let mut end = first.len();
    for name in &names[1..] {
        end = first
            .char_indices()
            .zip(name.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8())
            .min(end);
    }
    first[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_completes_one_match_whole_and_several_as_far_as_they_agree() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        std::fs::create_dir(cwd.join("exports")).unwrap();
        std::fs::write(cwd.join("exports/fixes-monday.csv"), "").unwrap();
        std::fs::write(cwd.join("exports/fixes-tuesday.csv"), "").unwrap();
        std::fs::write(cwd.join(".hidden.csv"), "").unwrap();
        std::fs::write(cwd.join("notes.txt"), "").unwrap();

        let opened = list(cwd, None, "", false);
        assert_eq!(opened.folder, cwd.display().to_string());
        assert_eq!(
            opened.completed, None,
            "opening the prompt only asks the folder"
        );

        let one = list(cwd, None, "exp", true);
        assert_eq!(one.completed.as_deref(), Some("exports/"));
        let several = list(cwd, None, "exports/f", true);
        assert_eq!(several.completed.as_deref(), Some("exports/fixes-"));
        assert_eq!(several.choices, ["fixes-monday.csv", "fixes-tuesday.csv"]);
        let whole = list(cwd, None, "exports/fixes-t", true);
        assert_eq!(
            whole.completed.as_deref(),
            Some("exports/fixes-tuesday.csv")
        );
        let all = list(cwd, None, "", true);
        assert_eq!(all.choices, ["exports/", "notes.txt"], "no hidden names");
        assert_eq!(
            list(cwd, None, ".h", true).completed.as_deref(),
            Some(".hidden.csv")
        );
        let none = list(cwd, None, "zz", true);
        assert_eq!(none.completed, None);
        assert!(none.note.unwrap().contains("starts with zz"));
        let home = list(Path::new("/"), Some(cwd), "~/no", true);
        assert_eq!(home.completed.as_deref(), Some("~/notes.txt"));
        let abs = format!("{}/exports/fixes-m", cwd.display());
        assert_eq!(
            list(Path::new("/"), None, &abs, true).completed,
            Some(format!("{}/exports/fixes-monday.csv", cwd.display()))
        );
        assert!(
            list(cwd, None, "missing/x", true)
                .note
                .unwrap()
                .starts_with("Cannot list")
        );
    }

    /// Tab reads a path as Enter does: quoted, with escaped spaces, or `~` alone.
    #[test]
    fn tab_reads_quotes_escaped_spaces_and_a_lone_tilde() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        std::fs::create_dir(cwd.join("My Files")).unwrap();
        std::fs::write(cwd.join("My Files/fix list.csv"), "").unwrap();
        let base = cwd.display();
        let whole = format!("{base}/My Files/fix list.csv");
        for typed in [
            format!("'{base}/My Files/fi"),
            format!("\"{base}/My Files/fi"),
            format!("{base}/My\\ Files/fi"),
            format!("{base}/My Files/fi"),
        ] {
            let l = list(Path::new("/"), None, &typed, true);
            assert_eq!(
                l.completed.as_deref(),
                Some(whole.as_str()),
                "{typed}: {l:?}"
            );
            assert_eq!(l.typed, typed, "the answer names the text it answers");
        }
        let home = list(Path::new("/"), Some(cwd), "~", true);
        assert_eq!(home.completed.as_deref(), Some("~/My Files/"), "{home:?}");
    }

    #[test]
    fn the_shared_start_is_whole_characters() {
        let names = [
            "café-1".to_string(),
            "café-2".to_string(),
            "cafè".to_string(),
        ];
        assert_eq!(common_prefix(&names), "caf");
        assert_eq!(common_prefix(&names[..2]), "café-");
    }
}
