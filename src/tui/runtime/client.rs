//! The workbench's HTTP client, built once on a blocking thread: its TLS set-up reads the
//! platform's root certificates, which took long enough (BENCHMARKS.md) that building it on
//! the loop, at the first look-up or send, held up the typing. The runtime starts it at the
//! person's first input event; a look-up or send that comes first waits for it in its own task.

use std::sync::Arc;
use std::time::Duration;

use crate::api::client::Client;

#[derive(Clone, Debug)]
pub(super) struct SharedClient {
    cell: Arc<tokio::sync::OnceCell<Client>>,
    timeout: Duration,
}

impl SharedClient {
    pub(super) fn new(timeout: Duration) -> Self {
        Self {
            cell: Arc::default(),
            timeout,
        }
    }

    /// The client, built on a blocking thread the first time (a failure is tried again next
    /// time and said as "Could not set up HTTPS: …").
    pub(super) async fn get(&self) -> Result<Client, String> {
        let timeout = self.timeout;
        self.cell
            .get_or_try_init(|| async move {
                tokio::task::spawn_blocking(move || Client::new(timeout))
                    .await
                    .map_err(|e| format!("Could not set up HTTPS: {e}"))?
            })
            .await
            .cloned()
    }

    /// Starts building it now, off the loop.
    pub(super) fn warm_up(&self) {
        let this = self.clone();
        tokio::spawn(async move {
            let _ = this.get().await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_client_is_built_and_shared() {
        let shared = SharedClient::new(Duration::from_secs(3));
        let other = shared.clone();
        shared.warm_up();
        let (a, b) = tokio::join!(shared.get(), other.get());
        assert_eq!(a.unwrap().parts().1, Duration::from_secs(3));
        assert_eq!(b.unwrap().parts().1, Duration::from_secs(3));
        // One cell for every clone: built once.
        assert!(std::ptr::eq(
            shared.cell.get().unwrap(),
            other.cell.get().unwrap()
        ));
    }
}
