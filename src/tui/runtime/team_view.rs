//! The history pane's Team view: a page of the team log, asked for on a task of its own (never
//! on the loop), answered with `TeamLoaded` or, when the team log is not set up or cannot be
//! reached, `TeamFailed` with words for the pane.

use super::Runner;
use crate::history::Filter;
use crate::tui::action::{Action, HistoryAction};

/// Said in the Team view when this computer has no team log configured.
pub const NOT_SET_UP: &str = "The team log is not set up on this computer. To see everyone's \
     updates, set PHONELY_TEAM_DATABASE_URL or add a [team] section (README, \"For a team\").";

impl Runner {
    pub(super) fn load_team(
        &self,
        generation: u64,
        filter: Filter,
        after: Option<phonely_team::search::Cursor>,
        limit: usize,
    ) {
        let tx = self.tx.clone();
        let Some(link) = self.services.team.clone() else {
            let _ = tx.send(Action::History(HistoryAction::TeamFailed {
                generation,
                message: NOT_SET_UP.to_string(),
            }));
            return;
        };
        tokio::spawn(async move {
            let ask = i64::try_from(limit).unwrap_or(i64::MAX);
            let action = match link.find(&filter, after, ask).await {
                Ok(rows) => HistoryAction::TeamLoaded {
                    generation,
                    first: after.is_none(),
                    exhausted: rows.len() < limit,
                    rows,
                },
                Err(message) => HistoryAction::TeamFailed {
                    generation,
                    message: format!("The team log could not be read: {message}"),
                },
            };
            let _ = tx.send(Action::History(action));
        });
    }
}
