//! Opening a batch file in the queue: the path prompt (typing, Tab completion through the
//! runtime), reading the file, and the rows it holds, each checked with the form's rules.

use super::super::common::set_focus;
use crate::api::request::build;
use crate::tui::action::QueueAction;
use crate::tui::app::{App, Focus, ItemStatus, Modal, Queue, QueueItem, Ready, Tone};
use crate::tui::effect::Effect;

/// The path prompt's actions, and the file read or not.
pub(super) fn apply(app: &mut App, action: QueueAction) -> Vec<Effect> {
    match action {
        QueueAction::OpenPrompt => {
            app.modal = Some(Modal::OpenFile(crate::tui::app::PathPrompt::default()));
            // The runtime says which folder relative paths start in.
            return vec![Effect::CompletePath {
                typed: String::new(),
                apply: false,
            }];
        }
        QueueAction::PathType(_) | QueueAction::PathBackspace | QueueAction::PathClear => {
            if let Some(Modal::OpenFile(prompt)) = &mut app.modal
                && !prompt.reading
            {
                match action {
                    QueueAction::PathType(c) => prompt.path.push(c),
                    QueueAction::PathBackspace => {
                        prompt.path.pop();
                    }
                    _ => prompt.path.clear(),
                }
                // What was said was about the old text.
                prompt.problem = None;
                prompt.choices.clear();
                prompt.matches = 0;
            }
        }
        QueueAction::CompletePath => {
            if let Some(Modal::OpenFile(prompt)) = &app.modal
                && !prompt.reading
            {
                return vec![Effect::CompletePath {
                    typed: prompt.path.clone(),
                    apply: true,
                }];
            }
        }
        QueueAction::PathListed(listing) => {
            if let Some(Modal::OpenFile(prompt)) = &mut app.modal {
                prompt.folder = Some(listing.folder.clone());
                // Only for the text it was asked about (typing went on meanwhile: dropped).
                if listing.apply && listing.typed == prompt.path && !prompt.reading {
                    if let Some(completed) = &listing.completed {
                        prompt.path.clone_from(completed);
                    }
                    prompt.choices.clone_from(&listing.choices);
                    prompt.matches = listing.matches;
                    prompt.problem.clone_from(&listing.note);
                }
            }
        }
        QueueAction::OpenFile => return open_file(app),
        QueueAction::Loaded {
            file,
            entries,
            errors,
        } => loaded(app, &file, entries, errors),
        QueueAction::Failed(message) => {
            // The prompt stays open with the path as typed, and says what was wrong.
            if let Some(Modal::OpenFile(prompt)) = &mut app.modal {
                prompt.reading = false;
                prompt.problem = Some(message.clone());
            }
            app.say(Tone::Error, message);
        }
        _ => {}
    }
    Vec::new()
}

fn open_file(app: &mut App) -> Vec<Effect> {
    let Some(Modal::OpenFile(prompt)) = &app.modal else {
        return Vec::new();
    };
    if prompt.reading {
        return Vec::new();
    }
    let path = prompt.path.trim().to_string();
    if path.is_empty() {
        app.modal = None;
        app.say(
            Tone::Warning,
            "No file given: Ctrl+B, then the path of a CSV or JSON Lines file",
        );
        return Vec::new();
    }
    if app.queue.as_ref().is_some_and(|q| q.run.busy()) {
        app.modal = None;
        app.say(
            Tone::Warning,
            "The open queue has rows left to send: let it finish, or close it (q) before \
                   opening another file",
        );
        return Vec::new();
    }
    // The prompt stays open until the file is read: on a problem, the path is still there.
    if let Some(Modal::OpenFile(prompt)) = &mut app.modal {
        prompt.reading = true;
        prompt.problem = None;
        prompt.choices.clear();
    }
    app.say(Tone::Info, format!("Reading {path}…"));
    vec![Effect::LoadQueue {
        path,
        rules: app.rules(),
    }]
}

fn loaded(app: &mut App, file: &str, entries: Vec<crate::batch::Entry>, errors: Vec<String>) {
    if app.queue.as_ref().is_some_and(|q| q.run.busy()) {
        if matches!(app.modal, Some(Modal::OpenFile(_))) {
            app.modal = None;
        }
        app.say(
            Tone::Warning,
            format!(
                "{file} was not opened: the open queue is sending; open it again when that \
                 queue is done"
            ),
        );
        return;
    }
    if matches!(
        app.modal,
        Some(Modal::ConfirmQueue { .. } | Modal::OpenFile(_))
    ) {
        app.modal = None;
    }
    let base = app.settings.base_url.clone();
    let items: Vec<QueueItem> = entries
        .into_iter()
        .map(|entry| {
            let ready = match &entry.checked {
                Ok(update) => Ok(Ready {
                    request: build(update, &base),
                    update: update.clone(),
                    pinned_call: None,
                }),
                Err(errors) => Err(errors
                    .first()
                    .map_or_else(String::new, |e| e.message.clone())),
            };
            QueueItem {
                entry,
                ready,
                excluded: false,
                status: ItemStatus::Waiting,
            }
        })
        .collect();
    let queue = Queue {
        file: file.to_string(),
        items,
        file_errors: errors,
        ..Queue::default()
    };
    let c = queue.counts();
    app.say(
        if c.to_fix > 0 || !queue.file_errors.is_empty() {
            Tone::Warning
        } else {
            Tone::Info
        },
        if let Some(first) = queue.file_errors.first() {
            format!("{file}: {first}")
        } else {
            format!(
                "{file}: {} rows ready, {} to fix (Enter puts a row in the form). Ctrl+S sends \
                 the ready ones",
                c.waiting, c.to_fix
            )
        },
    );
    app.queue = Some(queue);
    set_focus(app, Focus::Queue);
}
