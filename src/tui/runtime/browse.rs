//! The runtime's side of the browse modal (issue 14): one page of an agent's calls, looked up
//! with `tui::lookup::page` (the calls list's code), at most one in flight; a newer one, or
//! Esc, stops the older. The clock is read here: the query's dates count back from now unless
//! the pages before it fixed the reference time.

use super::Runner;
use crate::tui::action::{Action, BrowseAction};
use crate::tui::browse::{BrowseEffect, BrowsePage, BrowseQuery};

impl Runner {
    pub(super) fn browse(&mut self, effect: BrowseEffect) {
        match effect {
            BrowseEffect::Cancel { generation } => {
                if let Some((g, task)) = self.browse_task.take() {
                    if g == generation {
                        task.abort();
                    } else {
                        self.browse_task = Some((g, task));
                    }
                }
            }
            BrowseEffect::Fetch { generation, query } => self.fetch_page(generation, &query),
        }
    }

    fn fetch_page(&mut self, generation: u64, query: &BrowseQuery) {
        if let Some((_, task)) = self.browse_task.take() {
            task.abort();
        }
        let (list_query, reference) = query.list_query(time::OffsetDateTime::now_utc());
        let tx = self.tx.clone();
        let answer = move |outcome| {
            let _ = tx.send(Action::Browse(BrowseAction::Answered {
                generation,
                outcome,
                reference,
                at: time::OffsetDateTime::now_utc(),
            }));
        };
        let (client, base, credentials) = match self.lookup_parts(&query.profile) {
            Ok(parts) => parts,
            Err(e) => return answer(Err(e)),
        };
        let task = tokio::spawn(async move {
            let outcome = match client.get().await {
                Ok(client) => {
                    crate::tui::lookup::page(&client, &base, &credentials, &list_query).await
                }
                Err(e) => Err(e),
            };
            answer(outcome.map(|page| BrowsePage {
                calls: page.items,
                total: page.total,
            }));
        });
        self.browse_task = Some((generation, task.abort_handle()));
    }
}
