//! `batch --report FILE`: one CSV line per row of the file, in its order: what each row asked
//! for and what came of it (sent, not sent, or skipped as invalid).

use std::path::{Path, PathBuf};

use crate::api::inert::inert;
use crate::batch::engine::RowResult;

/// The `--report` file, made before anything is sent. Left unwritten (the run ended before
/// sending), it is removed, so a run that sent nothing leaves no empty report behind.
pub(super) struct ReportFile {
    path: PathBuf,
    out: Option<csv::Writer<std::fs::File>>,
}

impl ReportFile {
    /// Creates (or empties) the report's file, private (0600): it holds phone numbers and
    /// Phonely's answers.
    pub fn create(path: &Path) -> std::io::Result<Self> {
        let file = crate::history::private::file_options()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)?;
        crate::history::private::tighten(path, crate::history::private::FILE_MODE)?;
        Ok(Self {
            path: path.to_path_buf(),
            out: Some(csv::Writer::from_writer(file)),
        })
    }

    /// The file to write the report to; it is then kept.
    pub fn take(&mut self) -> Option<(PathBuf, csv::Writer<std::fs::File>)> {
        Some((self.path.clone(), self.out.take()?))
    }
}

impl Drop for ReportFile {
    fn drop(&mut self) {
        if self.out.take().is_some() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// One report line for each row skipped as invalid, with every problem of its row.
pub(super) fn skipped_lines(errors: &[crate::batch::RowError]) -> Vec<RowResult> {
    let mut problems: std::collections::BTreeMap<usize, Vec<String>> =
        std::collections::BTreeMap::new();
    for e in errors {
        if let Some(line) = e.line {
            problems.entry(line).or_default().push(match &e.column {
                Some(c) => format!("column {c}: {}", e.message),
                None => e.message.clone(),
            });
        }
    }
    problems
        .into_iter()
        .map(|(line, problems)| {
            RowResult::not_sent(
                line,
                String::new(),
                format!("skipped as invalid: {}", problems.join("; ")),
                Some("invalid"),
            )
        })
        .collect()
}

/// Writes the report as CSV, in the file's row order: each row sent, each not sent, and each
/// skipped as invalid.
pub(super) fn write_report(
    mut out: csv::Writer<std::fs::File>,
    batch_id: i64,
    lines: impl Iterator<Item = RowResult>,
) -> Result<(), String> {
    let mut lines: Vec<RowResult> = lines.collect();
    lines.sort_by_key(|l| l.line);
    out.write_record([
        "line",
        "request",
        "state",
        "http_status",
        "message",
        "resolved_call_id",
        "batch_id",
    ])
    .map_err(|e| e.to_string())?;
    for l in lines {
        out.write_record([
            l.line.to_string(),
            // Read in terminals and spreadsheets: what came from the file or the server is
            // made inert.
            inert(&l.request).into_owned(),
            l.untried.unwrap_or(l.state.as_str()).to_string(),
            l.http_status.map(|s| s.to_string()).unwrap_or_default(),
            inert(&l.message).into_owned(),
            inert(l.call_id.as_deref().unwrap_or_default()).into_owned(),
            batch_id.to_string(),
        ])
        .map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())
}
