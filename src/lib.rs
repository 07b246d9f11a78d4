//! phonely-outcomes: record post-call outcomes on Phonely calls, by hand or in bulk, with an
//! audit trail.
//!
//! - [`api`]: Phonely's endpoint free of any UI: validation into typed updates, the one request
//!   builder (preview, curl, history and wire all come from it), the key, the HTTP client. All
//!   but the client come from the `phonely-core` crate (`crates/core`, no IO crates), re-exported
//!   under these paths.
//! - [`config`]: the config file, profiles, and where each profile's API key comes from.
//! - [`history`]: the SQLite audit log; every update is pending before it leaves.
//! - [`teamlog`]: the team's shared log on PostgreSQL during a command (crate `phonely-team`).
//! - [`sandbox`]: a local Phonely stand-in with demo data, for trying things and for tests.
//! - [`tui`]: the workbench (state, actions, effects, pure update, views, runtime).
//! - [`cli`]: the binary's commands over the same domain.

pub mod api;
pub mod batch;
pub mod cli;
pub mod config;
pub mod history;
pub mod sandbox;
pub mod teamlog;
pub mod tui;
