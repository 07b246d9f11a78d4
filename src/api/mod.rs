//! Phonely's "set post call outcome" endpoint, free of any UI. The pure parts live in the
//! `phonely-core` crate (`crates/core`) and are re-exported here under their old paths
//! (`api::update`, `api::request`, `api::record` …); this crate adds the HTTP client.

pub use phonely_core::{
    calls, curl, exact, factory, filter, inert, invisible, key, notes, outcome, phone, record,
    request, shell, time, update,
};

pub mod client;
pub mod list;
pub mod tls;
