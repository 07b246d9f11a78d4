//! A batch file for the workbench's queue: the path as a terminal pastes a dropped file, and
//! the file read and checked (run on a blocking thread for `Effect::LoadQueue`).

use std::path::PathBuf;

use super::super::action::{Action, QueueAction};

/// Largest batch file the queue opens; bigger ones belong to `phonely-outcomes batch`.
pub(super) const MAX_QUEUE_FILE: u64 = 20 * 1024 * 1024;

/// A path as a terminal pastes a dropped file: in quotes (`'/a b/c.csv'`) or with its spaces
/// escaped (`/a\ b/c.csv`). A path with neither is as typed.
pub(super) fn dropped_path(typed: &str) -> String {
    let typed = typed.trim();
    for quote in ['\'', '"'] {
        if let Some(inner) = typed
            .strip_prefix(quote)
            .and_then(|rest| rest.strip_suffix(quote))
        {
            return inner.to_string();
        }
    }
    if typed.contains("\\ ") && !std::path::Path::new(typed).exists() {
        return typed.replace("\\ ", " ");
    }
    typed.to_string()
}

/// Reads a batch file for the queue (a leading `~/` is the home folder).
pub(super) fn load_queue(path: &str, rules: crate::api::update::Rules) -> Action {
    let path = dropped_path(path);
    let path = path.as_str();
    let expanded = match path.strip_prefix("~/") {
        Some(rest) => std::env::var_os("HOME").map_or_else(
            || PathBuf::from(path),
            |home| PathBuf::from(home).join(rest),
        ),
        None => PathBuf::from(path),
    };
    let size = match std::fs::metadata(&expanded) {
        Ok(m) if m.is_dir() => {
            return Action::Queue(QueueAction::Failed(format!(
                "{path} is a folder: give the path of a .csv or .jsonl file in it"
            )));
        }
        // A named pipe would block the read (and the quit, which waits for it) until something
        // writes to it; a device may never end.
        Ok(m) if !m.is_file() => {
            return Action::Queue(QueueAction::Failed(format!(
                "{path} is not a regular file (a pipe, a device or a socket): the queue opens \
                 .csv and .jsonl files; to send from a pipe use `phonely-outcomes batch`"
            )));
        }
        Ok(m) => m.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Action::Queue(QueueAction::Failed(format!(
                "There is no file at {path}: check the folder and the name"
            )));
        }
        Err(e) => return Action::Queue(QueueAction::Failed(format!("Could not open {path}: {e}"))),
    };
    if size > MAX_QUEUE_FILE {
        return Action::Queue(QueueAction::Failed(format!(
            "{path} is {} MB: the queue opens files up to {} MB; send bigger ones with \
             `phonely-outcomes batch {path}`",
            size / (1024 * 1024),
            MAX_QUEUE_FILE / (1024 * 1024)
        )));
    }
    let bytes = match crate::batch::read_file(&expanded, MAX_QUEUE_FILE) {
        Ok(b) => b,
        Err(e) => return Action::Queue(QueueAction::Failed(format!("Could not read {path}: {e}"))),
    };
    let columns = crate::batch::ColumnMap::default().with_rules(rules);
    let (entries, errors) = crate::batch::entries(path, &bytes, &columns);
    if entries.is_empty() {
        let why = errors
            .first()
            .map_or_else(|| "it has no rows".to_string(), ToString::to_string);
        return Action::Queue(QueueAction::Failed(format!(
            "Nothing to queue from {path}: {why}"
        )));
    }
    Action::Queue(QueueAction::Loaded {
        file: path.to_string(),
        entries,
        errors: errors.iter().map(ToString::to_string).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file dragged onto the terminal arrives in quotes or with its spaces escaped; either way
    /// it is the file it names. A path that does not exist says so in words.
    #[test]
    fn a_dropped_path_opens_the_file_it_names() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("with space.csv");
        std::fs::write(&file, "agent_id,target,outcome\nagent123,call456,Sold\n").unwrap();
        let plain = file.display().to_string();
        for typed in [
            plain.clone(),
            format!("'{plain}'"),
            format!("\"{plain}\" "),
            plain.replace(' ', "\\ "),
        ] {
            match load_queue(&typed, crate::api::update::Rules::default()) {
                Action::Queue(QueueAction::Loaded { entries, .. }) => {
                    assert_eq!(entries.len(), 1, "{typed}");
                }
                other => panic!("{typed}: {other:?}"),
            }
        }
        let missing = dir.path().join("nope.csv").display().to_string();
        match load_queue(&missing, crate::api::update::Rules::default()) {
            Action::Queue(QueueAction::Failed(text)) => {
                assert!(text.starts_with("There is no file at "), "{text}");
            }
            other => panic!("{other:?}"),
        }
    }

    /// A named pipe nobody writes to (or a device) is refused at once: reading it would block
    /// the queue's loader, and quitting waits for that thread, so the workbench never ended.
    #[cfg(unix)]
    #[test]
    fn a_pipe_or_a_device_is_refused_without_reading_it() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("rows.csv");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        for path in [fifo.display().to_string(), "/dev/zero".to_string()] {
            let (tx, rx) = std::sync::mpsc::channel();
            let typed = path.clone();
            std::thread::spawn(move || {
                let _ = tx.send(load_queue(&typed, crate::api::update::Rules::default()));
            });
            match rx.recv_timeout(std::time::Duration::from_secs(10)) {
                Ok(Action::Queue(QueueAction::Failed(text))) => {
                    assert!(text.contains("is not a regular file"), "{path}: {text}");
                }
                Ok(other) => panic!("{path}: {other:?}"),
                Err(e) => panic!("{path}: still reading after 10 s ({e})"),
            }
        }
    }
}
